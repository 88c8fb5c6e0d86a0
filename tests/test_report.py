"""Tests of hpgsim.report: one self-contained, escaped, complete HTML file."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from plotly.offline import get_plotlyjs

from hpgsim import load_scenario
from hpgsim.assay import ASSAY_LIMITS
from hpgsim.outputs import render_outputs
from hpgsim.report import PANELS, REFERENCE_RANGES, DosingPeriod, write_report
from hpgsim.scenario import ScenarioError

DISCLAIMER = (
    "hpgsim is a research and education tool. Its output is not medical advice "
    "and must not guide the treatment of any person."
)
PANEL_TITLES = (
    "LH and FSH", "Total testosterone", "Free testosterone", "Estradiol (E2)",
    "Intratesticular testosterone (ITT)", "Inhibin B", "Sperm concentration",
    "Total motile count", "Testis volume",
)
PERIODS = [
    DosingPeriod("testosterone_cypionate", "Testosterone cypionate 100 mg/wk", -365.0, 0.0, "im"),
    DosingPeriod("hcg", "hCG 2000 IU 3×/wk", 0.0, 180.0, "sc"),
]
SCENARIO = """name: stop TRT <script>alert('x')</script>
plan:
  - drug: hcg
    start_d: 0
    stop_d: 180
"""


def synthetic_frame(n_patients: int = 1, step_d: float = 5.0) -> pd.DataFrame:
    """Two years: TRT suppresses the axis until day 0, hCG restores it.

    Sperm recovers logistically (60 M/mL, midpoint day 200, width 30 d), so
    it is back at 15 M/mL on day 200 - 30 ln 3 = 167.0.
    """
    t = np.arange(-365.0, 730.0 + step_d / 2, step_d)
    rng = np.random.default_rng(1)
    parts = []
    for pid in range(n_patients):
        scale = 1.0 if n_patients == 1 else float(rng.lognormal(0.0, 0.2))
        sperm = np.where(t < 0, 60 * np.exp(-(t + 365) / 40), 60 / (1 + np.exp(-(t - 200) / 30)))
        lh = np.where(t < 0, 0.1, 5.0 - 4.9 * np.exp(-t / 60))
        total_t = np.where(t < 0, 700.0, 550.0 - 400.0 * np.exp(-t / 20)) * scale
        parts.append(pd.DataFrame({
            "patient": pid, "time_d": t,
            "lh_iu_l": lh, "fsh_iu_l": 1.3 * lh,
            "testosterone_total_ng_dl": total_t,
            "testosterone_free_pg_ml": 0.2 * total_t,
            "estradiol_pg_ml": 0.04 * total_t,
            "shbg_nmol_l": np.full_like(t, 35.0),
            "itt_nmol_l": np.where(t < 0, 40.0, 1200.0),
            "inhibin_b_pg_ml": np.where(t < 0, 40.0, 200.0),
            "sperm_concentration_m_ml": np.where((t >= 0) & (t < 60), 0.0, sperm) * scale,
            "total_motile_count_m": 1.5 * sperm * scale,
            "testis_volume_ml": np.where(t < 0, 14.0, 18.0),
        }))
    return pd.concat(parts, ignore_index=True)


@pytest.fixture(scope="module")
def single_html(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("report") / "nested" / "report.html"
    path = write_report(
        out, title="Stop TRT <b>now</b>", frame=synthetic_frame(),
        dosing_periods=PERIODS, scenario_text=SCENARIO, resolution="averaged",
    )
    return path, path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def population_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("report") / "pop.html"
    write_report(out, title="Population", frame=synthetic_frame(5, step_d=10.0),
                 dosing_periods=PERIODS, resolution="pulsatile")
    return out.read_text(encoding="utf-8")


def test_file_written_where_asked(single_html):
    path, text = single_html
    assert path.name == "report.html" and path.parent.name == "nested"
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")


def test_plotly_bundle_embedded_exactly_once(single_html):
    _, text = single_html
    assert text.count(get_plotlyjs()) == 1
    assert text.count("plotly.js v") == 1  # the bundle's own header comment


def test_no_external_resources(single_html):
    _, text = single_html
    assert '<script src="http' not in text
    assert not re.search(r"<(script|link|img)\b[^>]*\b(src|href)=[\"']?(https?:)?//", text)
    assert "@import" not in text and "fonts.googleapis" not in text


def test_disclaimer_panels_and_tables_present(single_html):
    _, text = single_html
    assert DISCLAIMER in text
    assert len(PANELS) >= len(PANEL_TITLES)
    for title in PANEL_TITLES:
        assert f"<h3>{title}</h3>" in text
    assert text.count('class="plotly-graph-div"') == len(PANELS)
    assert '<table class="keytimes">' in text
    assert "Sperm concentration back ≥ 15 M/mL" in text
    assert "167 d (5.5 mo)" in text  # 200 - 30 ln 3 = 167.0 days
    assert '<table class="dosing">' in text
    assert "<td>hCG 2000 IU 3×/wk</td><td>sc</td><td>0</td><td>180</td>" in text
    assert "Model resolution: averaged." in text
    for rng in REFERENCE_RANGES:
        assert rng.source in text


def test_text_is_escaped(single_html):
    _, text = single_html
    assert "<script>alert(" not in text
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text  # name and <pre>
    assert "<pre>name: stop TRT &lt;script&gt;" in text
    assert "<b>now</b>" not in text and "Stop TRT &lt;b&gt;now&lt;/b&gt;" in text


def test_single_patient_draws_lines_not_bands(single_html):
    _, text = single_html
    assert '"fill":"tonexty"' not in text
    assert "typical patient" in text


def test_population_draws_median_and_band(population_html):
    text = population_html
    assert text.count('"fill":"tonexty"') == sum(len(p.series) for p in PANELS)
    assert "5 patients" in text and "median of 5 patients" in text
    assert "Model resolution: pulsatile." in text
    assert DISCLAIMER in text


def test_missing_column_is_reported(tmp_path):
    frame = synthetic_frame().drop(columns=["inhibin_b_pg_ml"])
    with pytest.raises(ValueError, match="inhibin_b_pg_ml"):
        write_report(tmp_path / "r.html", title="x", frame=frame, dosing_periods=[])


# --------------------------------------------------------------------------
# Assay limits: the report writes values below a lab's limit as "< limit"
# --------------------------------------------------------------------------

# On testosterone enanthate 200 mg weekly the model's LH falls to about 0.04
# IU/L by week 8 and FSH to about 0.02: below the default limits (0.1 IU/L).
TE_8_WEEKS = """name: TE 200 mg weekly for 8 weeks
regimens:
  - drug: testosterone_enanthate
    dose: 200 mg
    route: im
    every: 7 d
    start: 0 d
simulate:
  until: 8 wk
"""


def te_outputs(limits: str = "") -> tuple[pd.DataFrame, str]:
    """Timeseries and report of the TE scenario, through the same path as ``hpgsim run``."""
    scenario = load_scenario(TE_8_WEEKS + (f"  assay_limits: {limits}\n" if limits else ""))
    files = render_outputs(scenario)
    return pd.read_parquet(io.BytesIO(files["timeseries.parquet"])), files["report.html"].decode()


@pytest.fixture(scope="module")
def te_default() -> tuple[pd.DataFrame, str]:
    return te_outputs()


def values_row(text: str, label: str) -> list[str]:
    """The cells (unescaped) of one quantity's row of the key-values table."""
    table = re.search(r'<table class="values">.*?</table>', text, flags=re.DOTALL)
    assert table, "the report has no key-values table"
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(0)):
        cells = [html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", row)]
        if cells and cells[0] == label:
            return cells
    raise AssertionError(f"no row {label!r} in the key-values table")


def limit_lines(text: str) -> list[float]:
    """y of the dashed horizontal lines (assay limits) drawn across the panels."""
    return [float(y) for y in re.findall(
        r'"dash":"dash","width":1.2\},"type":"line","x0":0,"x1":1,"xref":"paper","y0":([0-9.e-]+)', text)]


def test_default_assay_limits_are_lh_and_fsh_at_0_1_iu_l():
    limits = {a.column: a for a in ASSAY_LIMITS}
    assert {c: a.limit for c, a in limits.items()} == {"lh_iu_l": 0.1, "fsh_iu_l": 0.1}
    assert all("Robertson" in a.source for a in limits.values())


def test_timeseries_keeps_the_true_value_below_the_limit(te_default):
    frame, _ = te_default
    end = frame.iloc[-1]
    assert end["time_d"] == pytest.approx(56.0)
    assert 0.0 < end["lh_iu_l"] < 0.06 and 0.0 < end["fsh_iu_l"] < 0.06


def test_report_shows_lh_on_treatment_as_below_the_limit(te_default):
    frame, text = te_default
    lh_end = float(frame["lh_iu_l"].iloc[-1])
    day0, lowest, end = values_row(text, "LH")[2:5]
    assert day0 == "5"  # above the limit: the value itself
    assert end == "< 0.1"
    assert lowest.startswith("< 0.1 (first on day ")
    assert values_row(text, "FSH")[4] == "< 0.1"
    table = re.search(r'<table class="values">.*?</table>', text, flags=re.DOTALL).group(0)
    assert f"{lh_end:.3g}" not in table  # the lab never sees the true 0.04
    # The plot keeps the true curve and draws the limit, labelled.
    assert limit_lines(text) == [0.1]
    assert '"text":"assay limit"' in text
    assert "Dashed: assay limit (LH 0.1 IU/L, FSH 0.1 IU/L)" in text
    assert "<td>LH</td><td>0.1 IU/L</td><td>Clinical immunoassays" in text


def test_configured_limit_changes_the_display(te_default):
    frame, text = te_outputs("{lh_iu_l: 0.01, fsh_iu_l: 0.2}")
    lh_end = float(frame["lh_iu_l"].iloc[-1])
    assert lh_end == pytest.approx(float(te_default[0]["lh_iu_l"].iloc[-1]))  # same model values
    assert values_row(text, "LH")[4] == f"{lh_end:.3g}"  # ~0.04 is above 0.01: shown
    assert values_row(text, "FSH")[4] == "< 0.2"
    assert sorted(limit_lines(text)) == [0.01, 0.2]  # different limits: one line each
    assert '"text":"LH assay limit"' in text and '"text":"FSH assay limit"' in text
    assert "Dashed: assay limit (LH 0.01 IU/L, FSH 0.2 IU/L)" in text
    assert "<td>LH</td><td>0.01 IU/L</td><td>Set by the scenario</td>" in text


def test_summary_writes_a_day_0_value_below_the_limit_as_a_lab_does(tmp_path):
    frame = synthetic_frame()  # has a row at day 0
    frame["lh_iu_l"] = np.where(frame["time_d"] <= 0.0, 0.05, frame["lh_iu_l"])
    text = write_report(tmp_path / "r.html", title="x", frame=frame,
                        dosing_periods=PERIODS).read_text(encoding="utf-8")
    assert "LH was &lt; 0.1 IU/L," in text
    text = write_report(tmp_path / "r.html", title="x", frame=frame, dosing_periods=PERIODS,
                        assay_limits={"lh_iu_l": 0.005}).read_text(encoding="utf-8")
    assert "LH was about 0.05 IU/L," in text


@pytest.mark.parametrize(("limits", "message"), [
    ("{lh_iu_l: 0}", r"simulate\.assay_limits\.lh_iu_l: 0 is not a limit; give a positive"),
    ("{lh_iu_l: -0.1}", r"simulate\.assay_limits\.lh_iu_l: -0\.1 is not a limit"),
    ("{fsh_iu_l: .nan}", r"simulate\.assay_limits\.fsh_iu_l: nan is not a limit"),
    ("{lh_iu_l: .inf}", r"simulate\.assay_limits\.lh_iu_l: inf is not a limit"),
    ("{lh_iu_l: low}", r"simulate\.assay_limits\.lh_iu_l: 'low' is not a limit"),
    ("{testosterone_total_ng_dl: 10}",
     r"simulate\.assay_limits\.testosterone_total_ng_dl: no assay limit for this column; "
     r"known: lh_iu_l, fsh_iu_l"),
    ("0.1", r"simulate\.assay_limits: expected a mapping of column to limit"),
])
def test_bad_assay_limit_is_refused(limits, message):
    with pytest.raises(ScenarioError, match=message):
        load_scenario(TE_8_WEEKS + f"  assay_limits: {limits}\n")


def test_bad_assay_limit_is_refused_by_the_report_too(tmp_path):
    with pytest.raises(ValueError, match="no assay limit for column 'shbg_nmol_l'"):
        write_report(tmp_path / "r.html", title="x", frame=synthetic_frame(step_d=30.0),
                     dosing_periods=[], assay_limits={"shbg_nmol_l": 5.0})
    with pytest.raises(ValueError, match="assay limit of lh_iu_l: 0.0 is not a positive"):
        write_report(tmp_path / "r.html", title="x", frame=synthetic_frame(step_d=30.0),
                     dosing_periods=[], assay_limits={"lh_iu_l": 0.0})
