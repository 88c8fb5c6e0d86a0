"""Self-contained HTML report of one simulation.

``write_report`` turns a simulation table into a single HTML file that opens
offline: plotly.js is embedded once, inline, and nothing (script, style,
font, image) is loaded from elsewhere.  The report is meant to be read by a
person who was not at the keyboard when the simulation ran, so it states
what was simulated, when the treatments ran, the key times, and the normal
ranges the curves should be compared with.

Its text and tables give values the way a laboratory reports them: below an
assay's lower limit of quantification (:mod:`hpgsim.assay`) as "< 0.1".  The
plots keep the model's true curves and draw the limit as a dashed line; the
simulation table itself is never changed.

hpgsim is a research and education tool; the report says so prominently.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from hpgsim.assay import ASSAY_LIMITS, AssayLimit, resolve_limits
from hpgsim.endpoints import KEY_TIME_SPECS, KeyTime, KeyTimeSpec, key_times
from hpgsim.units import DAYS_PER_MONTH

__all__ = [
    "ASSAY_LIMITS",
    "AssayLimit",
    "DosingPeriod",
    "ReferenceRange",
    "REFERENCE_RANGES",
    "Series",
    "PanelSpec",
    "PANELS",
    "DISCLAIMER",
    "write_report",
    "render_report",
]

DISCLAIMER = (
    "hpgsim is a research and education tool. Its output is not medical advice "
    "and must not guide the treatment of any person."
)



@dataclass(frozen=True)
class DosingPeriod:
    """One drug given over a period of days relative to the decision point.

    ``stop_d`` is exclusive (the first day without the drug).  ``label`` is
    what the report writes on the band (e.g. "hCG 1500 IU 3×/wk"); ``drug``
    groups periods by colour.
    """

    drug: str
    label: str
    start_d: float
    stop_d: float
    route: str


@dataclass(frozen=True)
class ReferenceRange:
    """Adult male normal range of one output column, drawn as a light band.

    ``high=None`` means a one-sided range (value >= ``low``).
    """

    label: str
    column: str
    low: float
    high: float | None
    unit: str
    source: str


#: Normal ranges shaded on the panels; one row per column.
REFERENCE_RANGES: tuple[ReferenceRange, ...] = (
    ReferenceRange("LH", "lh_iu_l", 1.5, 9.0, "IU/L", "Common adult male laboratory range"),
    ReferenceRange("FSH", "fsh_iu_l", 1.5, 12.0, "IU/L", "Common adult male laboratory range"),
    ReferenceRange(
        "Total testosterone", "testosterone_total_ng_dl", 264.0, 916.0, "ng/dL",
        "Travison et al. 2017 (harmonized, non-obese men 19–39 y)",
    ),
    ReferenceRange(
        "Free testosterone", "testosterone_free_pg_ml", 120.0, 368.0, "pg/mL",
        "Jasuja et al. 2022",
    ),
    ReferenceRange("Estradiol", "estradiol_pg_ml", 8.0, 35.0, "pg/mL", "Adult male range by LC-MS/MS"),
    ReferenceRange(
        "Intratesticular testosterone", "itt_nmol_l", 800.0, 2500.0, "nmol/L",
        "Coviello et al. 2005; Roth et al. 2010",
    ),
    ReferenceRange("Inhibin B", "inhibin_b_pg_ml", 100.0, 300.0, "pg/mL", "Common adult male range"),
    ReferenceRange(
        "Sperm concentration", "sperm_concentration_m_ml", 15.0, None, "M/mL",
        "WHO 2010 lower reference limit",
    ),
    ReferenceRange(
        "Total motile count", "total_motile_count_m", 20.0, None, "M",
        "Assumed: a common clinical cut-off, not a formal reference limit",
    ),
    ReferenceRange(
        "Testis volume", "testis_volume_ml", 15.0, 25.0, "mL",
        "Assumed adult range (per testis)",
    ),
)


@dataclass(frozen=True)
class Series:
    """One curve of a panel: which column, its legend name and colour."""

    column: str
    name: str
    color: str


@dataclass(frozen=True)
class PanelSpec:
    """One plot of the report.

    ``floor`` clips values from below before plotting on a log axis, so that
    zero (e.g. azoospermia) is drawn at the floor instead of disappearing.
    """

    title: str
    unit: str
    series: tuple[Series, ...]
    log_y: bool = False
    floor: float | None = None


#: The panels of the report, top to bottom.  All share the time axis.
PANELS: tuple[PanelSpec, ...] = (
    PanelSpec("LH and FSH", "IU/L", (
        Series("lh_iu_l", "LH", "#1f5fa8"),
        Series("fsh_iu_l", "FSH", "#d9730d"),
    )),
    PanelSpec("Total testosterone", "ng/dL", (Series("testosterone_total_ng_dl", "Total T", "#a61e4d"),)),
    PanelSpec("Free testosterone", "pg/mL", (Series("testosterone_free_pg_ml", "Free T", "#7048a8"),)),
    PanelSpec("Estradiol (E2)", "pg/mL", (Series("estradiol_pg_ml", "E2", "#2b8a3e"),)),
    PanelSpec("SHBG", "nmol/L", (Series("shbg_nmol_l", "SHBG", "#5c677d"),)),
    PanelSpec(
        "Intratesticular testosterone (ITT)", "nmol/L",
        (Series("itt_nmol_l", "ITT", "#8c5a2b"),), log_y=True, floor=1.0,
    ),
    PanelSpec("Inhibin B", "pg/mL", (Series("inhibin_b_pg_ml", "Inhibin B", "#0b7285"),)),
    PanelSpec(
        "Sperm concentration", "M/mL",
        (Series("sperm_concentration_m_ml", "Sperm conc.", "#364fc7"),), log_y=True, floor=0.01,
    ),
    PanelSpec(
        "Total motile count", "M",
        (Series("total_motile_count_m", "TMC", "#0c8599"),), log_y=True, floor=0.01,
    ),
    PanelSpec("Testis volume", "mL", (Series("testis_volume_ml", "Testis vol.", "#5f3dc4"),)),
)

#: Band colours of the drugs, assigned in order of first appearance.
_DRUG_COLORS: tuple[str, ...] = (
    "#f08c00", "#12b886", "#e64980", "#4c6ef5", "#fab005", "#868e96", "#ae3ec9",
)

_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
_PANEL_HEIGHT_PX = 300
_LABEL_CHAR_PX = 6.0  # rough width of one 11 px label character, for label lanes
_PLOT_WIDTH_PX = 860  # rough plot-area width at the 1200 px layout
# Wide enough for the longest legend entry, so no legend pushes its plot
# narrower and all panels' time axes line up.
_RIGHT_MARGIN_PX = 200


# --------------------------------------------------------------------------
# Data preparation
# --------------------------------------------------------------------------


def _n_patients(frame: pd.DataFrame) -> int:
    """Number of distinct patients in the table."""
    return int(frame["patient"].nunique()) if "patient" in frame.columns else 1


def _series_stats(frame: pd.DataFrame, column: str, floor: float | None) -> pd.DataFrame:
    """Median and 5–95 % quantiles of a column per output time.

    With one patient all three equal the patient's values, so the plotting
    code has a single path.  Clipping happens before the quantiles so that
    the band on a log axis reaches down to the floor.
    """
    values = frame[["time_d", column]].dropna()
    if floor is not None:
        values = values.assign(**{column: values[column].clip(lower=floor)})
    grouped = values.groupby("time_d", sort=True)[column]
    median = grouped.median()
    return pd.DataFrame({
        "time_d": median.index.to_numpy(float),
        "lo": grouped.quantile(0.05).to_numpy(float),
        "med": median.to_numpy(float),
        "hi": grouped.quantile(0.95).to_numpy(float),
    })


def _value_at(frame: pd.DataFrame, column: str, time_d: float) -> float | None:
    """Median over patients of a column interpolated at ``time_d``."""
    stats = _series_stats(frame, column, None)
    if stats.empty or not stats["time_d"].min() <= time_d <= stats["time_d"].max():
        return None
    return float(np.interp(time_d, stats["time_d"], stats["med"]))


def _drug_colors(periods: Sequence[DosingPeriod]) -> dict[str, str]:
    """One colour per drug, stable in order of first appearance."""
    colors: dict[str, str] = {}
    for period in periods:
        if period.drug not in colors:
            colors[period.drug] = _DRUG_COLORS[len(colors) % len(_DRUG_COLORS)]
    return colors


def _tick_step(span_d: float) -> float:
    """A calendar-friendly x tick step giving at most ~14 ticks."""
    for step in (7, 14, 30, 60, 90, 180, 365, 730):
        if span_d / step <= 14:
            return float(step)
    return float(np.ceil(span_d / 14 / 365) * 365)


def _fmt(value: float | None, digits: int = 3) -> str:
    """Short human number (3 significant digits, no exponent for usual values)."""
    if value is None or not np.isfinite(value):
        return "–"
    if 0 < abs(value) < 0.01:
        return "< 0.01"
    return f"{value:.{digits}g}" if abs(value) < 10 ** digits else f"{value:.0f}"


def _fmt_lab(value: float | None, limit: AssayLimit | None) -> str:
    """A value as a laboratory reports it: ``< limit`` below its assay's limit."""
    if limit is None or value is None or not np.isfinite(value):
        return _fmt(value)
    if value < limit.limit:
        return f"< {limit.limit:g}"
    return f"{value:.3g}" if value < 0.01 else _fmt(value)


def _fmt_days(value: float | None) -> str:
    """'123 d (4.0 mo)' for the key-times table."""
    if value is None:
        return "not reached"
    return f"{value:.0f} d ({value / DAYS_PER_MONTH:.1f} mo)"


def _range_text(rng: ReferenceRange) -> str:
    """'1.5–9 IU/L' or '≥ 15 M/mL'."""
    if rng.high is None:
        return f"≥ {_fmt(rng.low)} {rng.unit}"
    return f"{_fmt(rng.low)}–{_fmt(rng.high)} {rng.unit}"


def _ranges_by_column() -> dict[str, ReferenceRange]:
    """Reference ranges keyed by output column."""
    return {rng.column: rng for rng in REFERENCE_RANGES}


# --------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------


def _rgba(hex_color: str, alpha: float) -> str:
    """CSS rgba() from '#rrggbb', so fills can be translucent and lines not."""
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


# Figures are assembled from plain dicts and validated once by go.Figure:
# adding shapes one by one re-validates the whole list each time, which made
# a report take seconds.
_Trace = dict
_Shape = dict


def _reference_parts(
    rng: ReferenceRange, series: Series, stats: pd.DataFrame, floor: float | None
) -> tuple[list[_Trace], list[_Shape]]:
    """Shade the normal range of one series and give it a legend entry.

    A one-sided range is shaded from ``low`` up to a little above the data,
    so it is visible without stretching the axis.  Dotted edges keep two
    overlapping ranges (LH and FSH) distinguishable.
    """
    low = max(rng.low, floor) if floor is not None else rng.low
    top = rng.high if rng.high is not None else max(rng.low * 2.0, float(stats["hi"].max()) * 1.15)
    band = dict(
        type="rect", xref="paper", x0=0, x1=1, yref="y", y0=low, y1=top,
        fillcolor=_rgba(series.color, 0.09), line=dict(width=0), layer="below",
    )
    edges = [
        dict(
            type="line", xref="paper", x0=0, x1=1, yref="y", y0=edge, y1=edge, layer="below",
            line=dict(color=_rgba(series.color, 0.55), width=1, dash="dot"),
        )
        for edge in (low, rng.high) if edge is not None
    ]
    legend_entry = dict(
        type="scatter", x=[None], y=[None], mode="markers", hoverinfo="skip",
        marker=dict(symbol="square", size=12, color=_rgba(series.color, 0.25)),
        name=f"{series.name} normal",
    )
    return [legend_entry], [band, *edges]


def _assay_limit_parts(
    spec: PanelSpec, limits: Mapping[str, AssayLimit]
) -> tuple[list[_Shape], list[dict]]:
    """Dashed line(s) at the assay limits of a panel's series, labelled "assay limit".

    Series that share a limit (LH and FSH by default) share one grey line;
    otherwise each line takes its series' colour and name.
    """
    by_limit: dict[float, list[Series]] = {}
    for series in spec.series:
        if series.column in limits:
            by_limit.setdefault(limits[series.column].limit, []).append(series)
    shapes: list[_Shape] = []
    annotations: list[dict] = []
    for i, (value, series) in enumerate(sorted(by_limit.items(), reverse=True)):
        shared = len(by_limit) == 1
        color = "#495057" if shared else series[0].color
        text = "assay limit" if shared else f"{' and '.join(s.name for s in series)} assay limit"
        shapes.append(dict(
            type="line", xref="paper", x0=0, x1=1, yref="y", y0=value, y1=value,
            line=dict(color=color, width=1.2, dash="dash"), layer="above",
        ))
        annotations.append(dict(
            x=1 if i % 2 == 0 else 0, xref="paper", xanchor="right" if i % 2 == 0 else "left",
            y=float(np.log10(value)) if spec.log_y else value, yref="y", yanchor="bottom",
            text=html.escape(text), showarrow=False, font=dict(size=10, color=color),
        ))
    return shapes, annotations


def _series_traces(series: Series, stats: pd.DataFrame, unit: str, population: bool) -> list[_Trace]:
    """One variable: its line, plus the 5–95 % band for populations."""
    x = stats["time_d"].to_numpy()
    line = dict(
        type="scatter", x=x, y=stats["med"].to_numpy(), mode="lines",
        name=f"{series.name} median" if population else series.name,
        line=dict(color=series.color, width=2), legendgroup=series.column,
        hovertemplate=f"%{{y:.3~g}} {unit}",
    )
    if not population:
        return [line]
    line["customdata"] = stats[["lo", "hi"]].to_numpy()
    line["hovertemplate"] += " (5–95 %: %{customdata[0]:.3~g}–%{customdata[1]:.3~g})"
    upper = dict(
        type="scatter", x=x, y=stats["hi"].to_numpy(), mode="lines", line=dict(width=0),
        hoverinfo="skip", showlegend=False, legendgroup=series.column,
    )
    lower = dict(
        type="scatter", x=x, y=stats["lo"].to_numpy(), mode="lines", line=dict(width=0),
        fill="tonexty", fillcolor=_rgba(series.color, 0.22), hoverinfo="skip",
        name=f"{series.name} 5–95 %", legendgroup=series.column,
    )
    return [upper, lower, line]


def _month_hover_trace(stats: pd.DataFrame) -> _Trace:
    """Invisible trace whose hover line gives the time in months as well as days."""
    return dict(
        type="scatter", x=stats["time_d"].to_numpy(), y=stats["med"].to_numpy(),
        mode="lines", line=dict(width=0), showlegend=False, name="",
        customdata=(stats["time_d"] / DAYS_PER_MONTH).to_numpy(),
        hovertemplate="day %{x:.0f} ≈ month %{customdata:.1f}<extra></extra>",
    )


@dataclass(frozen=True)
class _TopLabel:
    """A label written above the plot area at a given day."""

    x: float
    text: str
    color: str
    xanchor: str  # "left" or "right"

    @property
    def xshift(self) -> int:
        """A few pixels away from the line it labels, so touching labels stay apart."""
        return 3 if self.xanchor == "left" else -4


def _label_lanes(labels: Sequence[_TopLabel], span_d: float) -> list[int]:
    """Stack labels into lanes so that neighbouring labels never overlap.

    Widths are estimated from the character count: exact text metrics are
    only known in the browser, and a generous estimate is good enough.
    """
    days_per_px = span_d / _PLOT_WIDTH_PX
    lane_ends: list[float] = []  # right edge (days) of the last label in each lane
    lanes = [0] * len(labels)
    widths = [(len(lb.text) * _LABEL_CHAR_PX + 12) * days_per_px for lb in labels]
    lefts = [lb.x - w if lb.xanchor == "right" else lb.x for lb, w in zip(labels, widths, strict=True)]
    for idx in sorted(range(len(labels)), key=lambda i: lefts[i]):
        left, width = lefts[idx], widths[idx]
        lane = next((i for i, end in enumerate(lane_ends) if left >= end), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(left + width)
        lane_ends[lane] = left + width
        lanes[idx] = lane
    return lanes


def _top_labels(
    periods: Sequence[DosingPeriod], colors: dict[str, str], x0: float, x1: float
) -> list[_TopLabel]:
    """Labels of the dosing bands and of the decision point, within the x range."""
    labels = [
        _TopLabel(max(p.start_d, x0), p.label, colors[p.drug], "left")
        for p in periods if p.stop_d > x0 and p.start_d < x1
    ]
    if x0 <= 0.0 <= x1:
        labels.append(_TopLabel(0.0, "decision point", "#212529", "right"))
    return labels


def _time_mark_parts(
    periods: Sequence[DosingPeriod], colors: dict[str, str], x0: float, x1: float,
) -> tuple[list[_Shape], list[dict], int]:
    """Dosing bands, the day-0 line and their labels.

    Returns (shapes, annotations, number of label lanes above the plot).
    """
    shapes = [
        dict(
            type="rect", xref="x", yref="paper", y0=0, y1=1,
            x0=max(p.start_d, x0), x1=min(p.stop_d, x1),
            fillcolor=_rgba(colors[p.drug], 0.14), line=dict(width=0), layer="below",
        )
        for p in periods if p.stop_d > x0 and p.start_d < x1
    ]
    if x0 <= 0.0 <= x1:
        shapes.append(dict(
            type="line", xref="x", yref="paper", x0=0, x1=0, y0=0, y1=1,
            line=dict(color="#212529", width=1.5, dash="dash"),
        ))
    labels = _top_labels(periods, colors, x0, x1)
    lanes = _label_lanes(labels, x1 - x0)
    annotations = [
        dict(
            x=label.x, xref="x", y=1, yref="paper", yanchor="bottom", yshift=2 + 15 * lane,
            xanchor=label.xanchor, xshift=label.xshift, text=html.escape(label.text),
            showarrow=False, font=dict(size=11, color=label.color),
        )
        for label, lane in zip(labels, lanes, strict=True)
    ]
    return shapes, annotations, max(lanes, default=-1) + 1


def _axes(spec: PanelSpec, x0: float, x1: float) -> tuple[dict, dict]:
    """x and y axis settings of a panel; all panels share the same time axis."""
    frame_style = dict(showline=True, linecolor="#adb5bd", mirror=True, gridcolor="#edf0f2",
                       ticks="outside", tickcolor="#adb5bd", zeroline=False)
    xaxis = dict(
        frame_style, range=[x0, x1], tick0=0, dtick=_tick_step(x1 - x0),
        title=dict(text="days since decision point", font=dict(size=11)),
    )
    yaxis = dict(frame_style, title=dict(text=spec.unit, font=dict(size=11)))
    if spec.log_y:
        # One labelled tick per decade, written 0.01 / 0.1 / 1 / 10: easier
        # to read than 10^-2 with unlabelled minor digits in between.
        yaxis.update(type="log", dtick=1, exponentformat="none",
                     minor=dict(ticks="inside", ticklen=3, showgrid=False))
    else:
        yaxis.update(rangemode="tozero")
    return xaxis, yaxis


def _panel_figure(
    spec: PanelSpec, frame: pd.DataFrame, periods: Sequence[DosingPeriod],
    colors: dict[str, str], limits: Mapping[str, AssayLimit] | None = None,
) -> go.Figure:
    """Build the figure of one panel from its spec (assay limits: dashed lines)."""
    population = _n_patients(frame) > 1
    ranges = _ranges_by_column()
    x0, x1 = float(frame["time_d"].min()), float(frame["time_d"].max())
    all_stats = [_series_stats(frame, s.column, spec.floor) for s in spec.series]
    traces: list[_Trace] = []
    shapes: list[_Shape] = []
    for series, stats in zip(spec.series, all_stats, strict=True):
        if series.column in ranges:
            legend, bands = _reference_parts(ranges[series.column], series, stats, spec.floor)
            traces += legend
            shapes += bands
    for series, stats in zip(spec.series, all_stats, strict=True):
        traces += _series_traces(series, stats, spec.unit, population)
    traces.append(_month_hover_trace(all_stats[0]))
    mark_shapes, annotations, n_lanes = _time_mark_parts(periods, colors, x0, x1)
    limit_shapes, limit_labels = _assay_limit_parts(spec, limits or {})
    xaxis, yaxis = _axes(spec, x0, x1)
    layout = dict(
        template="none", height=_PANEL_HEIGHT_PX, autosize=True,
        paper_bgcolor="#ffffff", plot_bgcolor="#ffffff",
        margin=dict(l=72, r=_RIGHT_MARGIN_PX, t=14 + 15 * n_lanes, b=44),
        font=dict(family=_FONT, size=12, color="#212529"),
        hovermode="x unified", xaxis=xaxis, yaxis=yaxis,
        legend=dict(x=1.01, xanchor="left", y=1, yanchor="top", font=dict(size=11)),
        shapes=shapes + mark_shapes + limit_shapes, annotations=annotations + limit_labels,
    )
    return go.Figure(data=traces, layout=layout)


def _panel_html(
    spec: PanelSpec, fig: go.Figure, div_id: str, limits: Mapping[str, AssayLimit] | None = None
) -> str:
    """One <figure>: panel title, normal-range and assay-limit caption and the plot."""
    ranges = _ranges_by_column()
    caption = "; ".join(
        f"{html.escape(ranges[s.column].label)} {html.escape(_range_text(ranges[s.column]))}"
        for s in spec.series if s.column in ranges
    )
    floor_note = (
        f" Values below {_fmt(spec.floor)} {html.escape(spec.unit)} are drawn at {_fmt(spec.floor)}."
        if spec.floor is not None else ""
    )
    caption_html = f"Shaded: normal range, {caption}.{floor_note}" if caption else floor_note.strip()
    limited = [limits[s.column] for s in spec.series if s.column in (limits or {})]
    if limited:
        each = ", ".join(f"{a.label} {a.limit:g} {a.unit}" for a in limited)
        caption_html += html.escape(
            f" Dashed: assay limit ({each}); the tables report values below it as '< limit'."
        )
    plot = pio.to_html(
        fig, full_html=False, include_plotlyjs=False, div_id=div_id,
        default_height=f"{_PANEL_HEIGHT_PX}px",
        config={"displaylogo": False, "responsive": True,
                "modeBarButtonsToRemove": ["select2d", "lasso2d"]},
    )
    return (
        f'<figure class="panel"><h3>{html.escape(spec.title)}</h3>'
        f'<p class="caption">{caption_html}</p>{plot}</figure>'
    )


# --------------------------------------------------------------------------
# Text parts
# --------------------------------------------------------------------------


def _scenario_name(scenario_text: str | None, title: str) -> str:
    """The ``name:`` of the scenario YAML, or the title when there is none."""
    if scenario_text:
        match = re.search(r"^name:\s*(.+?)\s*$", scenario_text, flags=re.MULTILINE)
        if match:
            return match.group(1).strip("'\"")
    return title


def _find_key(
    keys: Sequence[KeyTime], specs: Sequence[KeyTimeSpec], column: str, kind: str, threshold: float
) -> KeyTime | None:
    """The key time computed for a given spec (keys are in spec order)."""
    for key, spec in zip(keys, specs, strict=True):
        if spec.column == column and spec.kind == kind and spec.threshold == threshold:
            return key
    return None


def _recovery_sentence(what: str, level: str, key: KeyTime | None) -> str:
    """Plain-language sentence for one recovery key time."""
    if key is None:
        return ""
    if key.value_d == 0.0 and "never below" in key.note:
        return f"{what} did not fall below {level} after day 0."
    if key.value_d is None:
        return f"{what} was not back at {level} or more by the end of the simulation."
    return (
        f"{what} was back at {level} or more after about {key.value_d:.0f} days "
        f"({key.value_d / DAYS_PER_MONTH:.1f} months)."
    )


def _summary(
    frame: pd.DataFrame, periods: Sequence[DosingPeriod], keys: Sequence[KeyTime],
    limits: Mapping[str, AssayLimit] | None = None,
) -> str:
    """A one-paragraph plain-language summary (plain text, escaped by the caller).

    Values below an assay limit read "LH was < 0.1 IU/L", as a laboratory reports them.
    """
    limits = limits or {}
    n = _n_patients(frame)
    who = (
        "the typical patient" if n == 1
        else f"{n} virtual patients (lines: median; shaded: middle 90 %, 5th–95th percentile)"
    )
    t0, t1 = frame["time_d"].min(), frame["time_d"].max()
    parts = [f"This report shows a simulation of {who} from day {t0:.0f} to day {t1:.0f}; "
             "day 0 is the decision point, negative days are history."]
    if periods:
        treat = ", ".join(
            f"{p.label} ({p.route}) from day {p.start_d:.0f} to day {p.stop_d:.0f}"
            for p in sorted(periods, key=lambda p: p.start_d)
        )
        parts.append(f"Treatment: {treat}.")
    at0 = [
        (label, _value_at(frame, col, 0.0), unit, limits.get(col)) for label, col, unit in (
            ("total testosterone", "testosterone_total_ng_dl", "ng/dL"),
            ("LH", "lh_iu_l", "IU/L"),
            ("sperm concentration", "sperm_concentration_m_ml", "M/mL"),
        )
    ]
    if all(v is not None for _, v, _, _ in at0):
        said = [(lb, _fmt_lab(v, lim), u) for lb, v, u, lim in at0]
        parts.append("At day 0, " + ", ".join(
            f"{lb} was {'' if shown.startswith('<') else 'about '}{shown} {u}" for lb, shown, u in said
        ) + ".")
    parts.append(_recovery_sentence(
        "Sperm concentration", "15 M/mL",
        _find_key(keys, KEY_TIME_SPECS, "sperm_concentration_m_ml", "recovery", 15.0)))
    parts.append(_recovery_sentence(
        "Total testosterone", "300 ng/dL",
        _find_key(keys, KEY_TIME_SPECS, "testosterone_total_ng_dl", "recovery", 300.0)))
    if n > 1:
        parts.append("Times are medians over patients.")
    return " ".join(p for p in parts if p)


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], css_class: str) -> str:
    """An HTML table; cells are given already escaped (they may hold markup)."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _key_times_table(keys: Sequence[KeyTime]) -> str:
    """Key times: label, days (months), note."""
    rows = [
        (html.escape(k.label), html.escape(_fmt_days(k.value_d)), html.escape(k.note))
        for k in keys
    ]
    return _table(("Event", "Days after day 0", "Note"), rows, "keytimes")


def _dosing_table(periods: Sequence[DosingPeriod], colors: dict[str, str]) -> str:
    """Dosing periods with a colour swatch matching the bands in the plots."""
    if not periods:
        return '<p class="muted">No dosing periods.</p>'
    rows = [
        (
            f'<span class="swatch" style="background:{_rgba(colors[p.drug], 0.45)}"></span>'
            f"{html.escape(p.drug)}",
            html.escape(p.label), html.escape(p.route),
            f"{p.start_d:.0f}", f"{p.stop_d:.0f}", f"{p.stop_d - p.start_d:.0f}",
        )
        for p in sorted(periods, key=lambda p: p.start_d)
    ]
    return _table(("Drug", "Label", "Route", "Start day", "Stop day", "Days"), rows, "dosing")


def _ranges_table() -> str:
    """The normal ranges shaded in the plots, with their sources."""
    rows = [
        (html.escape(r.label), html.escape(_range_text(r)), html.escape(r.source))
        for r in REFERENCE_RANGES
    ]
    return _table(("Quantity", "Normal range", "Source"), rows, "ranges")


_VALUES_NOTE = (
    "As a laboratory reports them: a value below its assay's lower limit of quantification "
    "is written '< limit' (see Assay limits below); the plots and the timeseries files keep "
    "the model's values."
)


def _values_table(frame: pd.DataFrame, limits: Mapping[str, AssayLimit]) -> str:
    """Each quantity at day 0, at its lowest after day 0, and at the end, lab-style.

    With several patients the values are medians over patients.  Values below
    an assay limit are written "< limit" (the limit's unit is the column's); a
    lowest value below it gives the first output day below it instead of the
    day of a minimum the lab could not see.
    """
    t_end = float(frame["time_d"].max())
    rows = []
    for rng in REFERENCE_RANGES:
        if rng.column not in frame.columns:
            continue
        limit = limits.get(rng.column)
        stats = _series_stats(frame, rng.column, None)
        after = stats[stats["time_d"] >= 0.0]
        if after.empty:
            lowest = "–"
        elif limit is not None and float(after["med"].min()) < limit.limit:
            # The lab sees no minimum below its limit, only when values fell below it.
            first = float(after["time_d"][after["med"] < limit.limit].iloc[0])
            lowest = f"< {limit.limit:g} (first on day {first:.0f})"
        else:
            low = after.loc[after["med"].idxmin()]
            lowest = f"{_fmt_lab(float(low['med']), limit)} (day {low['time_d']:.0f})"
        rows.append(tuple(html.escape(cell) for cell in (
            rng.label, rng.unit, _fmt_lab(_value_at(frame, rng.column, 0.0), limit), lowest,
            _fmt_lab(_value_at(frame, rng.column, t_end), limit), _range_text(rng),
        )))
    headers = ("Quantity", "Unit", "Day 0", "Lowest after day 0", f"Day {t_end:.0f} (end)", "Normal range")
    return _table(headers, rows, "values")


def _assay_limits_table(limits: Mapping[str, AssayLimit]) -> str:
    """The assay limits the report's text and tables apply, with their sources."""
    rows = [
        (html.escape(a.label), html.escape(f"{a.limit:g} {a.unit}"), html.escape(a.source))
        for a in limits.values()
    ]
    return _table(("Quantity", "Lower limit of quantification", "Source"), rows, "assays")


_CSS = """
:root { --ink:#212529; --muted:#6c757d; --line:#dee2e6; --accent:#1f5fa8; }
* { box-sizing: border-box; }
body { margin:0; background:#f8f9fa; color:var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 32px 48px; background:#fff;
  min-height: 100vh; box-shadow: 0 0 0 1px var(--line); }
h1 { font-size: 26px; margin: 0 0 4px; line-height: 1.25; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 0 0 2px; }
.meta { color: var(--muted); margin: 0 0 16px; }
.meta span + span::before { content: " · "; }
.disclaimer { border: 2px solid #c92a2a; background: #fff5f5; color: #862e2e; padding: 10px 14px;
  border-radius: 6px; font-weight: 600; margin: 12px 0 8px; }
.summary { font-size: 16px; max-width: 75ch; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f1f3f5; font-weight: 600; }
table.keytimes th:first-child { width: 32%; }
table.keytimes th:nth-child(2) { width: 17%; }
table.keytimes td:nth-child(2), table.keytimes th, table.dosing td:nth-child(n+4) { white-space: nowrap;
  font-variant-numeric: tabular-nums; }
table.dosing td:nth-child(n+4), table.dosing th:nth-child(n+4) { text-align: right; }
table.values td:nth-child(n+3) { white-space: nowrap; font-variant-numeric: tabular-nums; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px;
  vertical-align: -1px; border: 1px solid rgba(0,0,0,.15); }
.legend-note, .muted { color: var(--muted); font-size: 14px; }
figure.panel { margin: 18px 0 6px; }
.caption { color: var(--muted); font-size: 13px; margin: 0 0 2px; }
pre { background: #f1f3f5; border: 1px solid var(--line); border-radius: 6px; padding: 12px;
  overflow-x: auto; font-size: 13px; line-height: 1.45; }
footer { margin-top: 36px; color: var(--muted); font-size: 13px; border-top: 1px solid var(--line);
  padding-top: 10px; }
"""

# Zooming or panning one panel moves the time axis of all panels.
_SYNC_JS = """
(function () {
  var ids = %s, busy = false;
  function update(ev) {
    if ('xaxis.range[0]' in ev) return {'xaxis.range': [ev['xaxis.range[0]'], ev['xaxis.range[1]']]};
    if ('xaxis.range' in ev) return {'xaxis.range': ev['xaxis.range']};
    if (ev['xaxis.autorange']) return {'xaxis.autorange': true};
    return null;
  }
  ids.forEach(function (id) {
    var gd = document.getElementById(id);
    if (!gd || !gd.on) return;
    gd.on('plotly_relayout', function (ev) {
      var upd = update(ev);
      if (busy || !upd) return;
      busy = true;
      Promise.all(ids.filter(function (o) { return o !== id; })
        .map(function (o) { return Plotly.relayout(o, upd); }))
        .then(function () { busy = false; }, function () { busy = false; });
    });
  });
})();
"""


def _check_frame(frame: pd.DataFrame) -> None:
    """Fail early with a clear message instead of an obscure plotting error."""
    needed = {"time_d"} | {s.column for p in PANELS for s in p.series}
    missing = sorted(needed - set(frame.columns))
    if missing:
        raise ValueError(f"simulation table lacks columns: {', '.join(missing)}")
    if frame.empty:
        raise ValueError("simulation table is empty")


def page_head(title: str, css: str) -> str:
    """The start of a self-contained page: charset, title, styles and plotly.js inline."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{css}</style>
<script type="text/javascript">{get_plotlyjs()}</script>
</head>"""


def render_report(
    *,
    title: str,
    frame: pd.DataFrame,
    dosing_periods: Sequence[DosingPeriod],
    scenario_text: str | None = None,
    resolution: str = "averaged",
    assay_limits: Mapping[str, float] | None = None,
) -> str:
    """The report as one HTML string (see :func:`write_report`)."""
    _check_frame(frame)
    limits = resolve_limits(assay_limits)
    periods = list(dosing_periods)
    colors = _drug_colors(periods)
    keys = key_times(frame, periods)
    n = _n_patients(frame)
    ids = [f"panel-{i}" for i in range(len(PANELS))]
    panels = "\n".join(
        _panel_html(spec, _panel_figure(spec, frame, periods, colors, limits), div_id, limits)
        for spec, div_id in zip(PANELS, ids, strict=True)
    )
    esc = html.escape
    meta = "".join(f"<span>{esc(item)}</span>" for item in (
        f"Scenario: {_scenario_name(scenario_text, title)}",
        "typical patient" if n == 1 else f"{n} patients (median, 5–95 %)",
        f"model resolution: {resolution}",
        f"day {frame['time_d'].min():.0f} to {frame['time_d'].max():.0f}",
    ))
    scenario = (
        f"<h2>Scenario</h2><pre>{esc(scenario_text)}</pre>" if scenario_text else ""
    )
    how_to_read = (
        "Coloured vertical bands: dosing periods (colours as in the dosing table). "
        "Dashed vertical line: day 0, the decision point. Light horizontal bands: normal ranges. "
        "Dashed horizontal line: an assay's lower limit of quantification; the curves show the "
        "model's values below it, the tables report them as '< limit', as a laboratory does. "
        + ("Lines are medians over patients; the shaded band around a line is the 5–95 % range. "
           if n > 1 else "")
        + "Zooming one plot zooms all; double-click to reset."
    )
    values_note = _VALUES_NOTE + (" Values are medians over patients." if n > 1 else "")
    return f"""{page_head(title, _CSS)}
<body>
<main>
<header>
<h1>{esc(title)}</h1>
<p class="meta">{meta}</p>
<div class="disclaimer" role="note">{esc(DISCLAIMER)}</div>
</header>
<h2>Summary</h2>
<p class="summary">{esc(_summary(frame, periods, keys, limits))}</p>
<h2>Key times</h2>
{_key_times_table(keys)}
<h2>Key values</h2>
<p class="legend-note">{esc(values_note)}</p>
{_values_table(frame, limits)}
<h2>Dosing</h2>
{_dosing_table(periods, colors)}
<h2>Time courses</h2>
<p class="legend-note">{esc(how_to_read)}</p>
{panels}
<h2>Normal ranges</h2>
{_ranges_table()}
<h2>Assay limits</h2>
{_assay_limits_table(limits)}
{scenario}
<footer>
<p>Model resolution: {esc(resolution)}.</p>
<p><strong>{esc(DISCLAIMER)}</strong></p>
</footer>
</main>
<script type="text/javascript">{_SYNC_JS % json.dumps(ids)}</script>
</body>
</html>
"""


def write_report(
    path: str | Path,
    *,
    title: str,
    frame: pd.DataFrame,
    dosing_periods: list[DosingPeriod],
    scenario_text: str | None = None,
    resolution: str = "averaged",
    assay_limits: Mapping[str, float] | None = None,
) -> Path:
    """Write the report of one simulation as a single self-contained HTML file.

    ``frame`` is the simulation table (one row per patient and output time,
    ``time_d`` in days since the decision point).  With several patients the
    plots show the median and 5–95 % band instead of individual lines.
    ``scenario_text`` (the scenario YAML) is shown verbatim, escaped.
    ``resolution`` names the model resolution used and is printed as is.
    ``assay_limits`` (column: limit) replaces default lower limits of
    quantification (:data:`hpgsim.assay.ASSAY_LIMITS`): the text and tables
    write values below a limit as "< limit"; the plots draw it as a dashed line.
    Parent folders are created.  Returns the path written.
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = render_report(
        title=title, frame=frame, dosing_periods=dosing_periods,
        scenario_text=scenario_text, resolution=resolution, assay_limits=assay_limits,
    )
    out.write_text(text, encoding="utf-8")
    return out
