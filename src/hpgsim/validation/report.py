"""The validation report: a summary table of every case, then one section per case with its
design, its metrics and an overlay of the simulation on the published figures.

Figures: every case gets a chart with one row per judged metric (published value, accepted
interval, simulated value with its 95 % interval over men). Cases may add a recovery curve
(simulated Kaplan-Meier with its band over the published probabilities) or a course (the
median and 5-95 % band of men over time against published median times to thresholds).
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from ..report import _CSS, DISCLAIMER, page_head
from .cases import TIME_UNITS, Figure
from .metrics import among, per_man
from .run import CaseResult, MetricResult

_CSS_VALIDATION = """
main { max-width: 1240px; }
table.validation td, table.validation th { font-variant-numeric: tabular-nums; vertical-align: top; }
table.validation tr.case th { background:#fff; border-bottom:1px solid var(--ink); padding-top:14px; text-align:left; }
.pass { color:#1b7f3b; font-weight:600; } .fail { color:#b42318; font-weight:600; } .info { color:var(--muted); }
.ci { color: var(--muted); font-size: 12.5px; }
.facts { display:grid; grid-template-columns:max-content 1fr; gap:2px 16px; margin:0 0 10px; }
.facts dt { color:var(--muted); } .facts dd { margin:0; }
section.case { border-top:1px solid var(--line); margin-top:18px; }
.limitations li { margin-bottom: 4px; }
"""
_PLOT_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
_SIM, _PUB, _TOL = "#1f5fa8", "#b42318", "rgba(27,127,59,0.15)"


def _num(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    if math.isinf(x):
        return "not reached" if x > 0 else "−∞"
    return f"{x:.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def _verdict(m: MetricResult) -> str:
    if m.passed is None:
        return '<span class="info">reported</span>'
    return '<span class="pass">pass</span>' if m.passed else '<span class="fail">FAIL</span>'


def _simulated(m: MetricResult) -> str:
    unit = html.escape(m.metric.unit)
    text = f"{_num(m.simulated)} {unit}".strip()
    if m.metric.kind in ("greater", "increasing"):
        text = "holds" if m.simulated else "does not hold"
    lo, hi = m.interval
    if not math.isnan(lo):
        text += f' <span class="ci">({_num(lo)}–{_num(hi)}; n = {m.n_men})</span>'
    return text


def _metric_rows(result: CaseResult) -> list[str]:
    rows = []
    for m in result.metrics:
        tol = "" if m.metric.tolerance is None else html.escape(m.metric.tolerance.describe(m.published))
        pub = "" if m.published is None else f"{_num(m.published)} {html.escape(m.metric.unit)}".strip()
        rows.append(
            f"<tr><td>{html.escape(m.metric.label or m.metric.name)}</td><td>{pub}</td>"
            f"<td>{_simulated(m)}</td><td>{tol}</td><td>{_verdict(m)}</td></tr>"
        )
    return rows


CLINIC_GROUP = "clinic"
"""The group of the clinic targets (docs/clinic_targets.yaml); every other group is a volunteer study."""


def pass_summary(results: Sequence[CaseResult]) -> str:
    """How many cases pass, with the clinic cases counted apart from the volunteer studies when
    there are any: "26 of 26 volunteer cases and 8 of 21 clinic cases pass"."""
    def counts(rs: list[CaseResult]) -> str:
        return f"{sum(r.passed for r in rs)} of {len(rs)}"

    clinic = [r for r in results if r.case.group == CLINIC_GROUP]
    volunteer = [r for r in results if r.case.group != CLINIC_GROUP]
    if not clinic:
        return f"{counts(volunteer)} cases pass"
    if not volunteer:
        return f"{counts(clinic)} clinic cases pass"
    return f"{counts(volunteer)} volunteer cases and {counts(clinic)} clinic cases pass"


def summary_table(results: Sequence[CaseResult]) -> str:
    head = "<tr><th>metric</th><th>published</th><th>simulated (95 % interval over men)</th><th>tolerance</th><th>result</th></tr>"
    body = []
    for r in results:
        status = "pass" if r.passed else "fail"
        body.append(
            f'<tr class="case"><th colspan="5"><a href="#{r.case.id}">{html.escape(r.case.id)}</a> '
            f'<span class="{status}">{status.upper()}</span> '
            f'<span class="info">{html.escape(r.case.title)}</span></th></tr>'
        )
        if r.error:
            body.append(f'<tr><td colspan="5" class="fail">{html.escape(r.error)}</td></tr>')
        body.extend(_metric_rows(r))
    return f'<table class="validation"><thead>{head}</thead><tbody>{"".join(body)}</tbody></table>'


# ------------------------------------------------------------------------------ figures
def _metric_chart(result: CaseResult) -> go.Figure | None:
    rows = [m for m in result.metrics if m.passed is not None and m.metric.tolerance.holds is None]
    if not rows:
        return None
    fig = make_subplots(rows=len(rows), cols=1, vertical_spacing=min(0.08, 0.6 / len(rows)),
                        subplot_titles=[m.metric.label or m.metric.name for m in rows])
    for i, m in enumerate(rows, start=1):
        values = [v for v in (m.simulated, m.published, *m.interval) if v is not None and np.isfinite(v)]
        bounds = m.metric.tolerance.bounds(m.published)
        values += [b for b in bounds if np.isfinite(b)]
        lo, hi = min(values), max(values)
        pad = 0.15 * (hi - lo) if hi > lo else 0.15 * max(abs(hi), 1.0)
        span = (lo - pad, hi + pad)
        a, b = (max(bounds[0], span[0]), min(bounds[1], span[1]))
        fig.add_shape(type="rect", x0=a, x1=b, y0=0, y1=1, yref=f"y{'' if i == 1 else i} domain",
                      xref=f"x{'' if i == 1 else i}", fillcolor=_TOL, line_width=0)
        if m.published is not None:
            fig.add_trace(go.Scatter(x=[m.published], y=[0.5], mode="markers", name="published",
                                     marker=dict(symbol="diamond", size=12, color=_PUB),
                                     showlegend=i == 1), row=i, col=1)
        sim = m.simulated if np.isfinite(m.simulated) else span[1]
        err = None
        if not math.isnan(m.interval[0]) and np.isfinite(m.interval[1]):
            err = dict(type="data", symmetric=False, array=[m.interval[1] - sim], arrayminus=[sim - m.interval[0]])
        fig.add_trace(go.Scatter(x=[sim], y=[0.5], mode="markers", name="simulated", error_x=err,
                                 marker=dict(size=10, color=_SIM), showlegend=i == 1), row=i, col=1)
        fig.update_xaxes(range=list(span), title_text=m.metric.unit or None, row=i, col=1)
        fig.update_yaxes(visible=False, range=[0, 1], row=i, col=1)
    fig.update_layout(height=110 * len(rows) + 60, margin=dict(l=20, r=20, t=50, b=30),
                      legend=dict(orientation="h", y=1.0, yanchor="bottom", x=1, xanchor="right"),
                      plot_bgcolor="white")
    return fig


def _km(times: np.ndarray, horizon: float):
    """Kaplan-Meier event probability with its 95 % band (lifelines); censored at ``horizon``."""
    from lifelines import KaplanMeierFitter

    event = np.isfinite(times)
    kmf = KaplanMeierFitter().fit(np.where(event, times, horizon), event)
    t = kmf.survival_function_.index.to_numpy()
    ci = kmf.confidence_interval_survival_function_.to_numpy()
    return t, 1 - kmf.survival_function_.to_numpy()[:, 0], 1 - ci[:, 1], 1 - ci[:, 0]


def _tolerance_bar(results) -> dict:
    """Error bars spanning each published value's accepted interval (its tolerance)."""
    ups, downs = [], []
    for m in results:
        lo, hi = m.metric.tolerance.bounds(m.published) or (m.published, m.published)
        ups.append(hi - m.published if np.isfinite(hi) else 0.0)
        downs.append(m.published - lo if np.isfinite(lo) else 0.0)
    return dict(type="data", symmetric=False, array=ups, arrayminus=downs)


def _recovery_figure(result: CaseResult, spec: Figure) -> go.Figure:
    arm = result.arms[spec.arm]
    unit = TIME_UNITS[spec.time_unit]
    probe = next(m.metric for m in result.metrics if m.metric.kind == "time_back" and m.metric.arm == spec.arm
                 and m.metric.threshold == spec.threshold)
    probe = probe.model_copy(update={"time_unit": spec.time_unit})
    times = per_man(probe, arm)[among(probe, arm)]
    t, p, lo, hi = _km(times, float(arm.times[-1]) / unit)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=np.r_[t, t[::-1]], y=np.r_[hi, lo[::-1]], fill="toself", line_width=0,
                             fillcolor="rgba(31,95,168,0.18)", name="95 % band", hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=t, y=p, line=dict(color=_SIM, shape="hv"), name=f"simulated ({times.size} men)"))
    pts = [m for m in result.metrics
           if m.metric.stat == "probability_by" and m.metric.arm == spec.arm and m.published is not None]
    if pts:
        fig.add_trace(go.Scatter(
            x=[m.metric.days("by") / unit for m in pts], y=[m.published for m in pts], mode="markers",
            name="published", marker=dict(symbol="diamond", size=12, color=_PUB), error_y=_tolerance_bar(pts)))
    medians = [m for m in result.metrics if m.metric.kind == "time_back" and m.metric.arm == spec.arm
               and m.metric.threshold == spec.threshold and m.metric.stat in (None, "median")
               and m.published is not None]
    if medians:  # a median time is where the curve crosses one half
        fig.add_trace(go.Scatter(
            x=[m.published for m in medians], y=[0.5] * len(medians), mode="markers", name="published median",
            marker=dict(symbol="diamond", size=12, color=_PUB), error_x=_tolerance_bar(medians)))
    fig.update_layout(xaxis_title=f"{spec.time_axis} ({spec.time_unit})", yaxis_title="probability",
                      yaxis_range=[0, 1.02], height=380, plot_bgcolor="white",
                      margin=dict(l=50, r=20, t=30, b=40))
    return fig


def _course_figure(result: CaseResult, spec: Figure) -> go.Figure:
    arm = result.arms[spec.arm]
    unit = TIME_UNITS[spec.time_unit]
    v = arm.column(spec.output)
    x = arm.times / unit
    q5, q50, q95 = np.percentile(v, [5, 50, 95], axis=0)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=np.r_[x, x[::-1]], y=np.r_[q95, q5[::-1]], fill="toself", line_width=0,
                             fillcolor="rgba(31,95,168,0.18)", name="5–95 % of men", hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x, y=q50, line=dict(color=_SIM), name=f"median ({arm.n} men)"))
    marks = [m for m in result.metrics if m.metric.kind == "time_below" and m.metric.arm == spec.arm
             and not m.metric.of_baseline and m.published is not None]
    if marks:
        fig.add_trace(go.Scatter(x=[m.published for m in marks], y=[m.metric.threshold for m in marks],
                                 mode="markers", name="published median time",
                                 marker=dict(symbol="diamond", size=12, color=_PUB)))
        fig.add_trace(go.Scatter(x=[m.simulated for m in marks], y=[m.metric.threshold for m in marks],
                                 mode="markers", name="simulated median time",
                                 marker=dict(symbol="circle-open", size=12, color=_SIM, line_width=2)))
    fig.update_layout(xaxis_title=f"time ({spec.time_unit})", yaxis_title=spec.output,
                      yaxis_type="log" if spec.log else "linear", height=400, plot_bgcolor="white",
                      margin=dict(l=50, r=20, t=30, b=40))
    return fig


def _figure_html(fig: go.Figure, div_id: str, caption: str) -> str:
    plot = pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=div_id, config=_PLOT_CONFIG)
    return f'<figure class="panel"><p class="caption">{html.escape(caption)}</p>{plot}</figure>'


def case_section(result: CaseResult) -> str:
    c = result.case
    esc = html.escape
    facts = "".join(f"<dt>{k}</dt><dd>{esc(v)}</dd>" for k, v in (
        ("source", c.source), ("design", c.design), ("measure", c.measure), ("published", c.published),
        ("tolerance", c.tolerance), *((("note", c.notes),) if c.notes else ()),
        ("arms", ", ".join(f"{name} ({result.arms[name].n} {'men' if result.arms[name].n > 1 else 'typical man'})"
                           for name in result.arms) if result.arms else "—"),
        ("run time", f"{result.seconds:.1f} s"),
    ))
    status = "pass" if result.passed else "fail"
    parts = [f'<section class="case" id="{esc(c.id)}"><h2>{esc(c.id)}: {esc(c.title)} '
             f'<span class="{status}">{status.upper()}</span></h2><dl class="facts">{facts}</dl>']
    if result.error:
        parts.append(f'<p class="fail">{esc(result.error)}</p>')
    parts.append('<table class="validation"><thead><tr><th>metric</th><th>published</th>'
                 '<th>simulated</th><th>tolerance</th><th>result</th></tr></thead>'
                 f'<tbody>{"".join(_metric_rows(result))}</tbody></table>')
    if not result.error:
        for i, spec in enumerate(c.figures):
            maker = _recovery_figure if spec.type == "recovery_curve" else _course_figure
            parts.append(_figure_html(maker(result, spec), f"{c.id}-fig{i}", spec.title or spec.type))
        chart = _metric_chart(result)
        if chart is not None:
            parts.append(_figure_html(chart, f"{c.id}-metrics",
                                      "Each judged metric: green band = accepted by the tolerance, "
                                      "red diamond = published, blue dot = simulated (bar: 95 % interval over men)."))
    parts.append("</section>")
    return "".join(parts)


def _plain_list(items: Sequence[str]) -> str:
    """Sentences as an HTML list (limitations, source conflicts), escaped."""
    return '<ul class="limitations">' + "".join(f"<li>{html.escape(x)}</li>" for x in items) + "</ul>"


def render(results: Sequence[CaseResult], *, provenance: str, limitations: Sequence[str],
           conflicts: Sequence[str] = (), sensitivity_html: str = "", seconds: float | None = None) -> str:
    """The whole report as one self-contained HTML page."""
    esc = html.escape
    took = "" if seconds is None else f" in {seconds:.0f} s"
    lim = _plain_list(limitations)
    disputed = f"<h2>Where sources conflict</h2>\n{_plain_list(conflicts)}" if conflicts else ""
    return f"""{page_head("hpgsim validation", _CSS + _CSS_VALIDATION)}
<body><main>
<header><h1>hpgsim validation</h1>
<p class="meta"><span>{pass_summary(results)}{took}</span><span>{esc(provenance)}</span></p>
<div class="disclaimer" role="note">{esc(DISCLAIMER)}</div></header>
<p>One parameter set and one virtual-population model reproduce each published figure below. Each case
runs the study's design as scenarios (a typical man, or a virtual population with a fixed seed),
computes the published measure the same way, and compares it with the published value within the
tolerance of the calibration table (volunteer studies) or of the clinic table (group clinic).
Population results carry a 95 % bootstrap interval over men.
Rerun with <code>hpgsim validate --out DIR</code> (one case: <code>--only ID</code>).</p>
<h2>Summary</h2>
{summary_table(results)}
{sensitivity_html}
{disputed}
<h2>Limitations</h2>
{lim}
<h2>Cases</h2>
{"".join(case_section(r) for r in results)}
<footer><p><strong>{esc(DISCLAIMER)}</strong></p></footer>
</main></body></html>
"""
