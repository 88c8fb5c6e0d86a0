"""Tests of hpgsim.trial_report: one self-contained HTML page of a small real trial."""

from __future__ import annotations

import dataclasses
import html
import math
import re
from html.parser import HTMLParser

import pytest
from plotly.offline import get_plotlyjs

import hpgsim
from hpgsim.report import DISCLAIMER
from hpgsim.trial import ENDPOINTS, run_trial
from hpgsim.trial_report import (
    MAIN_ENDPOINTS,
    _median_text,
    _pct_number,
    render_trial_report,
    write_trial_report,
)

STOP_TE = {"drug": "testosterone_enanthate", "dose": "200 mg", "route": "im", "every": "7 d",
           "start": "-1 y", "stop": "0 d"}
HCG = {"drug": "hcg", "dose": "3000 IU", "route": "sc", "every": "2 d", "start": "0 d", "duration": "6 mo"}
NO_TREATMENT = "Stop TE, no treatment"
WITH_HCG = "Stop TE & hCG 3000 IU every 2 d"
LABELS = {e.name: e.label for e in ENDPOINTS}


def _scenario(name: str, regimens: list[dict]):
    return hpgsim.load_scenario({"name": name, "regimens": regimens, "simulate": {"until": "12 mo"}})


@pytest.fixture(scope="module")
def result():
    """Two protocols on the same 24 men (the first run may compile numba code)."""
    scenarios = [_scenario(NO_TREATMENT, [STOP_TE]), _scenario(WITH_HCG, [STOP_TE, HCG])]
    return run_trial(scenarios, n=24, seed=1, progress=False)


@pytest.fixture(scope="module")
def page(result) -> str:
    return render_trial_report(result)


class _Tables(HTMLParser):
    """Collects the rows of the table with a given id as lists of cell texts."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.inside, self.rows, self.cell = table_id, False, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(self.cell.strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def _rows(page: str, table_id: str) -> list[list[str]]:
    parser = _Tables(table_id)
    parser.feed(page)
    return parser.rows


def _probability_row(page: str, endpoint: str, protocol: str) -> dict[str, str]:
    """Cells (by header) of one protocol's row in one endpoint's group."""
    rows = _rows(page, "probabilities")
    header, group = rows[0], None
    for row in rows[1:]:
        if len(row) == 1:
            group = row[0]
        elif group == LABELS[endpoint] and row[0] == protocol:
            return dict(zip(header, row, strict=True))
    raise AssertionError(f"no row for {endpoint} / {protocol}")


def test_disclaimer_and_protocols(page):
    assert html.escape(DISCLAIMER) in page
    assert 'class="disclaimer"' in page
    assert html.escape(NO_TREATMENT) in page
    assert html.escape(WITH_HCG) in page
    outside_scripts = re.sub(r"<script\b.*?</script>", "", page, flags=re.DOTALL)
    assert WITH_HCG not in outside_scripts  # the ampersand is escaped in the markup
    assert "testosterone enanthate: 200 mg im every 7 d" in page
    assert "hcg: 3000 IU sc every 2 d" in page


def test_population_and_how_to_read(page, result):
    assert f"{result.n} virtual men" in page and f"seed {result.seed}" in page
    assert "Age (years)" in page and "BMI" in page and "Ethnicity" in page
    assert "generator_activity" in page  # a random effect's spread
    assert "not yet calibrated" in page and "censored" in page and "same 24 virtual men" in page


def test_one_km_figure_per_main_endpoint(page):
    ids = re.findall(r'<div id="(km-[^"]+)" class="plotly-graph-div"', page)
    assert len(ids) == len(MAIN_ENDPOINTS) == len(set(ids))
    for name in ("sperm_1", "sperm_15", "sperm_20", "testosterone_300", "lh_90pct_baseline", "tmc_5"):
        assert name in MAIN_ENDPOINTS
        assert html.escape(f"Time to {LABELS[name]}") in page
    assert len(re.findall(r'<div id="series-[^"]+" class="plotly-graph-div"', page)) == 4


def test_probability_table_matches_summary(page, result):
    summary = result.summary().set_index(["endpoint", "protocol"])
    checked = 0
    for endpoint, protocol in (("sperm_15", NO_TREATMENT), ("tmc_5", WITH_HCG)):
        s = summary.loc[(endpoint, protocol)]
        row = _probability_row(page, endpoint, protocol)
        for m in (3, 6, 12):
            expected = f"{100 * s[f'p_{m}mo']:.0f} %"
            ci = f"({100 * s[f'p_{m}mo_low']:.0f}–{100 * s[f'p_{m}mo_high']:.0f} %)"
            cell = row[f"By {m} mo"]
            if expected in ("0 %", "100 %") and 0 < s[f"p_{m}mo"] < 1:
                continue  # written as "< 1 %" / "> 99 %"
            assert cell.startswith(expected) and cell.endswith(ci), (cell, expected, ci)
            checked += 1
        median = s["median_months"]
        assert row["Median time"] == ("not reached" if math.isinf(median) else f"{median:.1f} mo")
        assert row["Events / men"] == f"{int(s['events'])}/{int(s['n'])}"
        assert "By 24 mo" not in row  # beyond the 12 months simulated
    assert checked >= 3


def test_paired_differences_and_azoospermia(page, result):
    comp = result.comparisons()
    assert len(comp) and "minus" in page
    rows = _rows(page, "azoospermia")
    assert [r[0] for r in rows[1:]] == [NO_TREATMENT, WITH_HCG]
    az = result.azoospermia.set_index(["protocol", "month"])
    assert rows[2][1].startswith(f"{100 * az.loc[(WITH_HCG, 0), 'fraction']:.0f} %")


def test_offline_single_file(result, tmp_path):
    path = write_trial_report(tmp_path / "out" / "trial.html", result)
    assert [p.name for p in path.parent.iterdir()] == ["trial.html"]
    text = path.read_text(encoding="utf-8")
    assert text.count(get_plotlyjs()) == 1
    assert not re.search(r"<(script|link|img|iframe|source)\b[^>]*\b(src|href)\s*=", text)
    assert not re.search(r"@import|url\(\s*[\"']?(https?:)?//", text.replace(get_plotlyjs(), ""))


def test_one_protocol_renders(result):
    one = dataclasses.replace(
        result, protocols=result.protocols[:1], scenarios=result.scenarios[:1],
        endpoints=result.endpoints[result.endpoints.protocol == NO_TREATMENT],
        azoospermia=result.azoospermia[result.azoospermia.protocol == NO_TREATMENT],
        series={NO_TREATMENT: result.series[NO_TREATMENT]},
        series_t={NO_TREATMENT: result.series_t[NO_TREATMENT]},
    )
    text = render_trial_report(one)
    assert "nothing to compare" in text and html.escape(WITH_HCG) not in text


def test_formatting():
    assert _pct_number(0.004) == "< 1" and _pct_number(0.996) == "> 99"
    assert _pct_number(0.0) == "0" and _pct_number(1.0) == "100" and _pct_number(0.25) == "25"
    assert _median_text(math.inf) == "not reached" and _median_text(3.44) == "3.4 mo"
