"""Tests of hpgsim.report: one self-contained, escaped, complete HTML file."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from plotly.offline import get_plotlyjs

from hpgsim.report import PANELS, REFERENCE_RANGES, DosingPeriod, write_report

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
