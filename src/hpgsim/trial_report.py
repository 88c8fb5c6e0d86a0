"""Self-contained HTML report of a virtual trial (several protocols on the same men).

``render_trial_report`` turns a :class:`hpgsim.trial.TrialResult` into one HTML page
that opens offline: plotly.js is embedded once, inline, as in :mod:`hpgsim.report`,
whose style, helpers and disclaimer this page shares.  The page states what was
compared and on whom, then gives the probability of each recovery endpoint by the
usual horizons, the paired differences between protocols, Kaplan-Meier curves, the
azoospermia fractions and the time courses of the hormones.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from .drugs import PRODUCTS
from .report import (
    _CSS,
    _FONT,
    DISCLAIMER,
    PANELS,
    Series,
    _fmt,
    _range_text,
    _ranges_by_column,
    _reference_parts,
    _rgba,
    _series_traces,
    page_head,
)
from .scenario import Regimen, Scenario
from .trial import (
    AZOOSPERMIA_M_ML,
    ENDPOINTS,
    SERIES_COLUMNS,
    TrialResult,
    kaplan_meier,
    wilson_interval,
)
from .units import DAYS_PER_MONTH

__all__ = ["MAIN_ENDPOINTS", "render_trial_report", "write_trial_report"]

#: Endpoints shown in the tables and as Kaplan-Meier figures, in this order.
MAIN_ENDPOINTS: tuple[str, ...] = (
    "sperm_1", "sperm_15", "sperm_20", "tmc_5", "testosterone_300", "lh_90pct_baseline",
)

#: One colour per protocol, in order (swatches, curves and bands agree).
PROTOCOL_COLORS: tuple[str, ...] = (
    "#1f5fa8", "#d9730d", "#2b8a3e", "#a61e4d", "#7048a8", "#0b7285", "#5c677d",
)

_SERIES_TITLES = {
    "sperm_concentration_m_ml": ("Sperm concentration", "M/mL"),
    "testosterone_total_ng_dl": ("Total testosterone", "ng/dL"),
    "lh_iu_l": ("LH", "IU/L"),
    "fsh_iu_l": ("FSH", "IU/L"),
}
_FIG_HEIGHT_PX = 330
_EPS_D = 1e-6
_MINUS = "\u2212"

_TRIAL_CSS = """
main { max-width: 1240px; }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px 24px; }
@media (max-width: 1000px) { .grid { grid-template-columns: minmax(0, 1fr); } }
.grid > * { min-width: 0; }
table.compact { width: auto; }
table.compact code { font-size: 13px; }
table.trial td, table.trial th { white-space: nowrap; font-variant-numeric: tabular-nums; }
table.trial td.name { white-space: normal; }
table.trial tr.group th { background: #fff; border-bottom: 1px solid var(--ink); padding-top: 14px;
  font-size: 14px; }
.ci { color: var(--muted); font-size: 12.5px; }
.na { color: #adb5bd; }
.protocol { margin: 12px 0 4px; }
.protocol ul { margin: 4px 0 4px; }
details summary { cursor: pointer; color: var(--muted); font-size: 14px; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0 0 10px; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
.howto { max-width: 90ch; }
"""


# --------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------


def _endpoint(name: str):
    """The :class:`hpgsim.trial.Endpoint` with this name."""
    return next(e for e in ENDPOINTS if e.name == name)


def _colors(protocols: Sequence[str]) -> dict[str, str]:
    """One colour per protocol, in order."""
    return {p: PROTOCOL_COLORS[i % len(PROTOCOL_COLORS)] for i, p in enumerate(protocols)}


def _swatch(color: str) -> str:
    """A small coloured square (report.py's CSS class)."""
    return f'<span class="swatch" style="background:{_rgba(color, 0.8)}"></span>'


def _pct_number(p: float) -> str:
    """A proportion as a whole percentage, never rounding a non-zero share to 0 or 100."""
    if p is None or not math.isfinite(p):
        return "–"
    text = f"{100 * p:.0f}"
    if text == "0" and p > 0:
        return "< 1"
    if text == "100" and p < 1:
        return "> 99"
    return text


def _pct(p: float) -> str:
    """'73 %'."""
    return f"{_pct_number(p)} %"


def _with_ci(p: float, low: float, high: float) -> str:
    """'73 % (61–83 %)' as HTML, the interval muted."""
    return f'{_pct(p)} <span class="ci">({100 * low:.0f}–{100 * high:.0f} %)</span>'


def _signed(x: float, digits: int) -> str:
    """'+12' or '−3' (a true minus sign)."""
    text = f"{x:+.{digits}f}"
    return text.replace("-", _MINUS) if float(text) != 0 else f"{0:.{digits}f}"


def _pp_diff(d: float, low: float, high: float) -> str:
    """A difference of proportions in percentage points, with its interval."""
    if not math.isfinite(d):
        return '<span class="na">–</span>'
    ci = f"{_signed(100 * low, 0)} to {_signed(100 * high, 0)}" if math.isfinite(low) else "not estimable"
    return f'{_signed(100 * d, 0)} pp <span class="ci">({ci})</span>'


def _median_text(months: float) -> str:
    """'3.4 mo', or 'not reached' when fewer than half had the event."""
    return "not reached" if not math.isfinite(months) else f"{months:.1f} mo"


def _median_diff(d: float, low: float, high: float) -> str:
    """Difference of medians (months) with its bootstrap interval."""
    if not math.isfinite(d):
        return '<span class="na">not estimable (a median not reached)</span>'
    ci = f"{_signed(low, 1)} to {_signed(high, 1)}" if math.isfinite(low) else "not estimable"
    return f'{_signed(d, 1)} mo <span class="ci">({ci})</span>'


def _beyond() -> str:
    return '<span class="na">beyond follow-up</span>'


def _end_months(scenario: Scenario) -> float:
    """End of follow-up of a protocol, in months after day 0."""
    return scenario.settings.until_d / DAYS_PER_MONTH


def _within(month: float, end_months: float) -> bool:
    """Whether a horizon lies inside the simulated follow-up."""
    return month * DAYS_PER_MONTH <= end_months * DAYS_PER_MONTH + _EPS_D


def _rows_html(rows: Sequence[Sequence[str]], first_is_name: bool = True) -> str:
    """Table rows; cells are given already escaped."""
    def cells(row):
        return "".join(
            f'<td class="name">{c}</td>' if i == 0 and first_is_name else f"<td>{c}</td>"
            for i, c in enumerate(row)
        )
    return "".join(f"<tr>{cells(r)}</tr>" for r in rows)


def _grouped_table(headers: Sequence[str], groups: Sequence[tuple[str, list]], css_id: str) -> str:
    """A table whose rows come in titled groups (one per endpoint)."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join(
        f'<tr class="group"><th colspan="{len(headers)}">{title}</th></tr>{_rows_html(rows)}'
        for title, rows in groups
    )
    return f'<table class="trial" id="{css_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


# --------------------------------------------------------------------------
# Protocols and population
# --------------------------------------------------------------------------


def _amount(x: float, unit: str) -> str:
    """'200 mg', '10 µg', '3000 IU'."""
    if unit == "mg" and x < 1.0:
        return f"{_fmt(x * 1000.0, 4)} µg"
    return f"{_fmt(x, 4)} {unit}".strip()


def _interval(every_d: float) -> str:
    """'7 d', '12 h', '90 min'."""
    if every_d >= 1.0:
        return f"{_fmt(every_d)} d"
    hours = every_d * 24.0
    return f"{_fmt(hours)} h" if hours >= 1.0 and abs(hours - round(hours)) < 1e-6 else f"{_fmt(hours * 60.0)} min"


def _day(d: float) -> str:
    """'day 0', 'day −365 (−12 mo)'."""
    text = f"day {_signed(d, 0) if d < 0 else f'{d:.0f}'}"
    if abs(d) >= 56.0:
        months = d / DAYS_PER_MONTH
        m = f"{months:.0f}" if abs(months - round(months)) < 0.05 else f"{months:.1f}"
        text += f" ({m.replace('-', _MINUS)} mo)"
    return text


def _regimen_words(r: Regimen) -> str:
    """One regimen in words (plain text)."""
    product = PRODUCTS.get(r.drug)
    unit = product.dose_unit if product is not None else ""
    name = r.label or r.drug.replace("_", " ")
    if r.rate_per_day is not None:
        what = f"{_amount(r.rate_per_day / 24.0, unit)}/h by continuous {r.route}"
    elif r.every_d is None:
        what = f"{_amount(r.dose, unit)} {r.route}, once on {_day(r.start_d)}"
        return f"{name}: {what}"
    else:
        what = f"{_amount(r.dose, unit)} {r.route} every {_interval(r.every_d)}"
    until = _day(r.stop_d) if r.stop_d is not None else "the end of the simulation"
    return f"{name}: {what}, from {_day(r.start_d)} until {until}"


def _protocol_html(name: str, scenario: Scenario, color: str) -> str:
    """A protocol: its name, regimens in words and, when known, its scenario file."""
    esc = html.escape
    items = "".join(f"<li>{esc(_regimen_words(r))}</li>" for r in scenario.regimens) or "<li>no drugs</li>"
    text = (
        f"<details><summary>Scenario file</summary><pre>{esc(scenario.text)}</pre></details>"
        if scenario.text else ""
    )
    follow = f"Simulated until {_end_months(scenario):.0f} months after day 0."
    return (
        f'<div class="protocol"><h3>{_swatch(color)}{esc(name)}</h3>'
        f'<ul>{items}</ul><p class="muted">{follow}</p>{text}</div>'
    )


def _spread(values: pd.Series, digits: int = 3) -> str:
    """'35.9 (26.1–45.0); mean 35.9 ± 6.0' for a numeric covariate."""
    v = values.dropna().astype(float)
    if v.empty:
        return "–"
    if v.nunique() == 1:
        return f"{_fmt(v.iloc[0], digits)} (the same for every man)"
    q5, q50, q95 = np.quantile(v, [0.05, 0.5, 0.95])
    return (f"median {_fmt(q50, digits)} (5–95 %: {_fmt(q5, digits)}–{_fmt(q95, digits)}); "
            f"mean {_fmt(v.mean(), digits)} ± {_fmt(v.std(ddof=1), 2)} SD")


def _shares(values: pd.Series) -> str:
    """'non asian 70 %, asian 30 %' for a categorical covariate."""
    share = values.value_counts(normalize=True)
    return ", ".join(f"{str(k).replace('_', ' ')} {_pct(p)}" for k, p in share.items())


def _population_html(cov: pd.DataFrame) -> str:
    """Covariate summary and the spread of the random effects of the men."""
    esc = html.escape
    facts = [("Men", f"{len(cov)}")]
    if "phenotype" in cov:
        facts.append(("Phenotype", _shares(cov["phenotype"])))
    if "age_years" in cov:
        facts.append(("Age (years)", _spread(cov["age_years"])))
    if "bmi" in cov:
        facts.append(("BMI (kg/m²)", _spread(cov["bmi"])))
    if "ethnicity" in cov:
        facts.append(("Ethnicity", _shares(cov["ethnicity"])))
    if "baseline_sperm_m_ml" in cov and cov["baseline_sperm_m_ml"].notna().any():
        facts.append(("Set baseline sperm (M/mL)", _spread(cov["baseline_sperm_m_ml"])))
    dl = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in facts)
    return f'<dl class="facts">{dl}</dl>{_random_effects_table(cov)}'


def _random_effects_table(cov: pd.DataFrame) -> str:
    """Per random effect: SD of η and the 5–95 % range of the factor exp(η) on the typical value."""
    cols = [c for c in cov.columns if c.startswith("eta_")]
    if not cols:
        return ""
    rows = []
    for c in cols:
        eta = cov[c].to_numpy(float)
        lo, hi = np.exp(np.quantile(eta, [0.05, 0.95]))
        sd = eta.std(ddof=1) if eta.size > 1 else 0.0
        rows.append((f"<code>{html.escape(c.removeprefix('eta_'))}</code>", f"{sd:.2f}",
                     f"×{_fmt(lo, 2)} to ×{_fmt(hi, 2)}"))
    head = "".join(f"<th>{h}</th>" for h in ("Random effect", "SD of η", "Factor on the typical value, 5–95 %"))
    return (
        '<table class="trial compact"><thead><tr>' + head + "</tr></thead><tbody>"
        + _rows_html(rows) + "</tbody></table>"
        '<p class="caption">Each man\'s parameter is the typical value × exp(η).</p>'
    )


# --------------------------------------------------------------------------
# Tables of results
# --------------------------------------------------------------------------


def _horizons(result: TrialResult) -> list[int]:
    """The horizons inside the longest follow-up (later ones would only repeat its end)."""
    end = max(_end_months(s) for s in result.scenarios)
    return [m for m in result.horizons_months if _within(m, end)]


def _horizon_headers(horizons: Sequence[int]) -> list[str]:
    return [f"By {m} mo" for m in horizons]


def _horizon_note(result: TrialResult) -> str:
    """What the cells of the probability table are, and which horizons are left out."""
    end = max(_end_months(s) for s in result.scenarios)
    later = [m for m in result.horizons_months if m not in _horizons(result)]
    note = ("Share of men who had the event by each month, with its 95 % confidence interval; "
            "median time to the event; men who had it by the end of follow-up.")
    if later:
        note += (f" The simulation ends {end:.0f} months after day 0, so "
                 f"{', '.join(map(str, later))} months are not shown.")
    return note


def _probability_table(result: TrialResult, summary: pd.DataFrame, colors: dict[str, str]) -> str:
    """Per endpoint and protocol: probability by each horizon (95 % CI), median, events."""
    s = summary.set_index(["endpoint", "protocol"])
    ends = dict(zip(result.protocols, map(_end_months, result.scenarios), strict=True))
    groups = []
    for ep in MAIN_ENDPOINTS:
        rows = []
        for p in result.protocols:
            r = s.loc[(ep, p)]
            cells = [
                _with_ci(r[f"p_{m}mo"], r[f"p_{m}mo_low"], r[f"p_{m}mo_high"]) if _within(m, ends[p]) else _beyond()
                for m in _horizons(result)
            ]
            rows.append([_swatch(colors[p]) + html.escape(p), *cells,
                         _median_text(r["median_months"]), f"{int(r['events'])}/{int(r['n'])}"])
        groups.append((html.escape(_endpoint(ep).label), rows))
    headers = ["Protocol", *_horizon_headers(_horizons(result)), "Median time", "Events / men"]
    return _grouped_table(headers, groups, "probabilities")


def _comparison_table(result: TrialResult, comp: pd.DataFrame, a: str, b: str) -> str:
    """Paired differences B − A for every main endpoint."""
    ends = dict(zip(result.protocols, map(_end_months, result.scenarios), strict=True))
    follow = min(ends[a], ends[b])
    c = comp[(comp.protocol_a == a) & (comp.protocol_b == b)].set_index("endpoint")
    rows = []
    for ep in MAIN_ENDPOINTS:
        r = c.loc[ep]
        cells = [
            _pp_diff(r[f"diff_p_{m}mo"], r[f"diff_p_{m}mo_low"], r[f"diff_p_{m}mo_high"])
            if _within(m, follow) else _beyond()
            for m in _horizons(result)
        ]
        rows.append([html.escape(_endpoint(ep).label), *cells,
                     _median_diff(r["diff_median_months"], r["diff_median_low"], r["diff_median_high"])])
    headers = ["Endpoint", *_horizon_headers(_horizons(result)), "Median time"]
    head = "".join(f"<th>{h}</th>" for h in headers)
    return (
        f"<h3>{html.escape(b)} <span class=\"muted\">minus</span> {html.escape(a)}</h3>"
        f'<table class="trial comparison"><thead><tr>{head}</tr></thead><tbody>{_rows_html(rows)}</tbody></table>'
    )


def _comparisons_html(result: TrialResult) -> str:
    """All pairs of protocols, or a note when there is only one."""
    if len(result.protocols) < 2:
        return '<p class="muted">Only one protocol: nothing to compare.</p>'
    comp = result.comparisons()
    pairs = comp[["protocol_a", "protocol_b"]].drop_duplicates().itertuples(index=False)
    return "\n".join(_comparison_table(result, comp, a, b) for a, b in pairs)


def _azoospermia_table(result: TrialResult, colors: dict[str, str]) -> str:
    """Share of azoospermic men at the chosen months, per protocol (95 % CI)."""
    az = result.azoospermia
    months = sorted(az["month"].unique())
    ends = dict(zip(result.protocols, map(_end_months, result.scenarios), strict=True))
    rows = []
    for p in result.protocols:
        cells = []
        for m in months:
            r = az[(az.protocol == p) & (az.month == m)].iloc[0]
            lo, hi = wilson_interval(round(r["fraction"] * r["n"]), int(r["n"]))
            cells.append(_with_ci(r["fraction"], lo, hi) if _within(m, ends[p]) else _beyond())
        rows.append([_swatch(colors[p]) + html.escape(p), *cells])
    head = "".join(f"<th>{h}</th>" for h in ["Protocol", *[f"Month {m}" for m in months]])
    return (f'<table class="trial" id="azoospermia"><thead><tr>{head}</tr></thead>'
            f"<tbody>{_rows_html(rows)}</tbody></table>")


# --------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------


def _base_layout(x_title: str, y_title: str, x_range: tuple[float, float]) -> dict:
    """Layout shared by the trial's figures (report.py's look)."""
    frame = dict(showline=True, linecolor="#adb5bd", mirror=True, gridcolor="#edf0f2",
                 ticks="outside", tickcolor="#adb5bd", zeroline=False)
    span = x_range[1] - x_range[0]
    dtick = next((s for s in (1, 3, 6, 12, 24) if span / s <= 10), 60)
    return dict(
        template="none", height=_FIG_HEIGHT_PX, autosize=True,
        paper_bgcolor="#ffffff", plot_bgcolor="#ffffff",
        margin=dict(l=64, r=16, t=12, b=44),
        font=dict(family=_FONT, size=12, color="#212529"), hovermode="x unified",
        xaxis=dict(frame, range=list(x_range), tick0=0, dtick=dtick,
                   title=dict(text=x_title, font=dict(size=11))),
        yaxis=dict(frame, title=dict(text=y_title, font=dict(size=11))),
        legend=dict(orientation="h", x=0, xanchor="left", y=-0.2, yanchor="top", font=dict(size=11)),
    )


def _figure_html(fig: go.Figure, div_id: str, title: str, caption: str = "") -> str:
    """One <figure> with title, caption and the plot (no plotly.js: it is in the head)."""
    plot = pio.to_html(
        fig, full_html=False, include_plotlyjs=False, div_id=div_id,
        default_height=f"{_FIG_HEIGHT_PX}px",
        config={"displaylogo": False, "responsive": True,
                "modeBarButtonsToRemove": ["select2d", "lasso2d"]},
    )
    cap = f'<p class="caption">{caption}</p>' if caption else ""
    return f'<figure class="panel"><h3>{html.escape(title)}</h3>{cap}{plot}</figure>'


def _km_traces(time_d: np.ndarray, event: np.ndarray, name: str, color: str, end: float) -> list[dict]:
    """Cumulative probability 1 − S(t) of one protocol as a step line with its 95 % band."""
    km = kaplan_meier(time_d, event, name)
    t = km.timeline.astype(float)
    cum = 1.0 - km.survival_function_.iloc[:, 0].to_numpy(float)
    ci = km.confidence_interval_
    lo, hi = 1.0 - ci.iloc[:, 1].to_numpy(float), 1.0 - ci.iloc[:, 0].to_numpy(float)
    if t[-1] < end:
        t, cum, lo, hi = (np.append(a, a[-1]) for a in (t, cum, lo, hi))
        t[-1] = end
    common = dict(type="scatter", x=t, mode="lines", line_shape="hv", legendgroup=name)
    return [
        dict(common, y=hi, line=dict(width=0), hoverinfo="skip", showlegend=False),
        dict(common, y=lo, line=dict(width=0), fill="tonexty", fillcolor=_rgba(color, 0.16),
             hoverinfo="skip", showlegend=False),
        dict(common, y=cum, name=name, line=dict(color=color, width=2, shape="hv"),
             customdata=np.column_stack([lo, hi]),
             hovertemplate="%{y:.0%} (95 % CI %{customdata[0]:.0%}–%{customdata[1]:.0%})"),
    ]


def _km_figure(result: TrialResult, endpoint: str, colors: dict[str, str]) -> go.Figure:
    """Kaplan-Meier figure of one endpoint, one curve per protocol, x in months."""
    ep = result.endpoints[result.endpoints.endpoint == endpoint]
    end = max(_end_months(s) for s in result.scenarios)
    traces = []
    for p, sc in zip(result.protocols, result.scenarios, strict=True):
        g = ep[ep.protocol == p]
        traces += _km_traces(g["time_d"].to_numpy(float), g["event"].to_numpy(bool), p, colors[p],
                             _end_months(sc))
    layout = _base_layout("months after day 0", "men with the event", (0.0, end))
    layout["yaxis"].update(range=[0, 1.02], tickformat=".0%")
    return go.Figure(data=traces, layout=layout)


def _div_id(prefix: str, name: str) -> str:
    """A safe HTML id."""
    return f"{prefix}-" + re.sub(r"[^A-Za-z0-9_-]", "_", name)


def _km_html(result: TrialResult, colors: dict[str, str]) -> str:
    """One Kaplan-Meier figure per main endpoint, in a grid."""
    figs = [
        _figure_html(_km_figure(result, ep, colors), _div_id("km", ep), f"Time to {_endpoint(ep).label}")
        for ep in MAIN_ENDPOINTS
    ]
    return f'<div class="grid">{"".join(figs)}</div>'


def _band_stats(values: np.ndarray, t_months: np.ndarray, floor: float | None) -> pd.DataFrame:
    """Median and 5–95 % over men at each time (values: men × times)."""
    v = values.astype(float)
    if floor is not None:
        v = np.maximum(v, floor)
    lo, med, hi = np.nanquantile(v, [0.05, 0.5, 0.95], axis=0)
    return pd.DataFrame({"time_d": t_months, "lo": lo, "med": med, "hi": hi})


def _panel_style(column: str) -> tuple[bool, float | None]:
    """(log axis, floor) of a column, as report.py's panels draw it."""
    for spec in PANELS:
        if any(s.column == column for s in spec.series):
            return spec.log_y, spec.floor
    return False, None


def _protocol_band(series: Series, stats: pd.DataFrame, unit: str) -> list[dict]:
    """report.py's median line and 5–95 % band, with one legend entry (the protocol) for both."""
    traces = _series_traces(series, stats, unit, population=True)
    for tr in traces:
        tr["showlegend"] = "fill" not in tr and tr.get("line", {}).get("width", 1) > 0
    traces[-1]["name"] = series.name
    return traces


def _series_figure(result: TrialResult, column: str, colors: dict[str, str]) -> go.Figure:
    """Median and 5–95 % band of one column over time, per protocol, normal range shaded."""
    j = SERIES_COLUMNS.index(column)
    title, unit = _SERIES_TITLES[column]
    log_y, floor = _panel_style(column)
    months = {p: result.series_t[p] / DAYS_PER_MONTH for p in result.protocols}
    stats = {p: _band_stats(result.series[p][:, :, j], months[p], floor) for p in result.protocols}
    traces, shapes = [], []
    rng = _ranges_by_column().get(column)
    if rng is not None:
        top = pd.concat(stats.values())
        _, shapes = _reference_parts(rng, Series(column, title, "#495057"), top, floor)
    for p in result.protocols:
        traces += _protocol_band(Series(f"{column}:{p}", p, colors[p]), stats[p], unit)
    shapes.append(dict(type="line", xref="x", yref="paper", x0=0, x1=0, y0=0, y1=1,
                       line=dict(color="#212529", width=1.2, dash="dash")))
    span = (min(float(m[0]) for m in months.values()), max(float(m[-1]) for m in months.values()))
    layout = _base_layout("months after day 0 (negative: before)", unit, span)
    layout["shapes"] = shapes
    if log_y:
        layout["yaxis"].update(type="log", dtick=1, exponentformat="none")
    else:
        layout["yaxis"].update(rangemode="tozero")
    return go.Figure(data=traces, layout=layout)


def _series_html(result: TrialResult, colors: dict[str, str]) -> str:
    """Time courses of every series column, one figure each."""
    ranges = _ranges_by_column()
    figs = []
    for col in SERIES_COLUMNS:
        title, _ = _SERIES_TITLES[col]
        log_y, floor = _panel_style(col)
        cap = f"Shaded grey: normal range, {html.escape(_range_text(ranges[col]))}." if col in ranges else ""
        if floor is not None:
            cap += f" Values below {_fmt(floor)} are drawn at {_fmt(floor)}."
        figs.append(_figure_html(_series_figure(result, col, colors), _div_id("series", col), title, cap))
    return f'<div class="grid">{"".join(figs)}</div>'


# --------------------------------------------------------------------------
# Page
# --------------------------------------------------------------------------


def _how_to_read(result: TrialResult) -> str:
    """The 'how to read this' paragraph (plain text)."""
    return (
        f"Every protocol was simulated on the same {result.n} virtual men (seed {result.seed}), so the "
        "comparison is paired: differences are measured man by man, and their intervals account for "
        "that. Day 0 is the decision point (for example, when testosterone is stopped). A man has "
        "an endpoint at the first time after day 0 that the value is back at or above the threshold "
        "after having been below it; a man who never falls below it after day 0 has it at day 0. A man "
        "who has not recovered by the end of the simulation is censored there; as everyone is followed "
        "to the same end, the Kaplan-Meier estimate before that equals the observed share. Percentages "
        "come with 95 % Wilson intervals, differences (percentage points, pp) with paired normal "
        "intervals, and differences of median times with paired bootstrap intervals; \"not reached\" "
        "means fewer than half of the men had the event. The virtual population is not yet calibrated "
        "to the published distributions of recovery (that comes with validation), so the spread "
        "between men, and the absolute numbers, are illustrative."
    )


def _meta(result: TrialResult) -> str:
    """The line under the title."""
    res = result.scenarios[0].settings.resolution
    items = (
        f"{len(result.protocols)} protocols", f"{result.n} virtual men", f"seed {result.seed}",
        f"model resolution: {res}",
    )
    return "".join(f"<span>{html.escape(i)}</span>" for i in items)


def render_trial_report(result: TrialResult, title: str | None = None) -> str:
    """The trial report as one self-contained HTML string."""
    esc = html.escape
    title = title or "Virtual trial: " + " vs ".join(result.protocols)
    colors = _colors(result.protocols)
    protocols = "\n".join(_protocol_html(p, s, colors[p])
                          for p, s in zip(result.protocols, result.scenarios, strict=True))
    return f"""{page_head(title, _CSS + _TRIAL_CSS)}
<body>
<main>
<header>
<h1>{esc(title)}</h1>
<p class="meta">{_meta(result)}</p>
<div class="disclaimer" role="note">{esc(DISCLAIMER)}</div>
</header>
<h2>How to read this</h2>
<p class="howto">{esc(_how_to_read(result))}</p>
<h2>Protocols</h2>
{protocols}
<h2>Population</h2>
{_population_html(result.covariates)}
<h2>Probability of recovery by protocol</h2>
<p class="muted">{esc(_horizon_note(result))}</p>
{_probability_table(result, result.summary(), colors)}
<h2>Paired differences between protocols</h2>
<p class="muted">Later protocol minus earlier one, on the same men. Positive: more men had the
event by then (or, for median time, it took longer).</p>
{_comparisons_html(result)}
<h2>Kaplan-Meier curves</h2>
<p class="muted">Cumulative probability of the event (1 − S(t)); shaded: 95 % confidence band.</p>
{_km_html(result, colors)}
<h2>Azoospermia</h2>
<p class="muted">Share of men with sperm concentration below {_fmt(AZOOSPERMIA_M_ML)} M/mL at each month
(95 % CI).</p>
{_azoospermia_table(result, colors)}
<h2>Time courses</h2>
<p class="muted">Lines: median over men; shaded in the protocol's colour: 5–95 %. Dashed: day 0.</p>
{_series_html(result, colors)}
<footer>
<p><strong>{esc(DISCLAIMER)}</strong></p>
</footer>
</main>
</body>
</html>
"""


def write_trial_report(path: str | Path, result: TrialResult, title: str | None = None) -> Path:
    """Write the trial report to ``path`` (parent folders are created)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_trial_report(result, title), encoding="utf-8")
    return out
