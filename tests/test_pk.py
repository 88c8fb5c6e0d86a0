"""The shared PK machinery: depots, transit compartments, and where esters in oil peak."""

import math

import numpy as np
import pytest

from conftest import at, run
from hpgsim import model
from hpgsim.drugs.pk import Release
from hpgsim.drugs.testosterone import OIL_TRANSIT_HALF_LIFE_D

NG = "testosterone_total_ng_dl"
HYPOGONADAL = {"phenotype": "primary_hypogonadism"}


def single_dose(drug, dose, until="30 d"):
    frame = run([{"drug": drug, "dose": dose, "start": "0 d"}], until=until, patient=HYPOGONADAL,
                output_every="0.1 d")
    return frame[frame.time_d >= 0.0]


def peak_day(frame):
    return float(frame.time_d.values[np.argmax(frame[NG].values)])


def test_cypionate_peaks_on_days_2_to_5():
    # secondary source in the drug notes: 200 mg peaks on days 2-5 (the model once peaked at 0.5 d)
    assert 2.0 <= peak_day(single_dose("testosterone_cypionate", "200 mg")) <= 5.0


def test_enanthate_day_one_level_in_hypogonadal_men():
    # Endocr J 2006;53:305: 125 mg IM, total T 7.62 ng/mL on day 1 in hypogonadal men
    frame = single_dose("testosterone_enanthate", "125 mg", until="5 d")
    assert at(frame, 1.0, NG) == pytest.approx(762.0, rel=0.2)


def test_undecanoate_peaks_between_aveed_and_nebido_tmax():
    # Tmax 4 d (Aveed 750 mg) and 7 d (Nebido 1000 mg)
    assert 3.5 <= peak_day(single_dose("testosterone_undecanoate", "750 mg", until="40 d")) <= 7.0


def test_an_ester_in_oil_passes_one_transit_depot():
    _, library, _ = model.build()
    (kind, depot, _), = library.doses[("testosterone_cypionate", "im")]
    transit = library.depot_next[depot]
    assert kind == "depot" and transit >= 0 and library.depot_next[transit] == -1
    assert library.depot_ka[transit] == pytest.approx(math.log(2.0) / OIL_TRANSIT_HALF_LIFE_D)
    assert library.depot_ka[depot] == pytest.approx(math.log(2.0) / 8.0)
    (_, gel_depot, _), = library.doses[("testosterone_gel", "transdermal")]
    assert library.depot_next[gel_depot] == -1  # the gel has no oil to leave


def test_transit_passes_on_what_the_depot_releases():
    """Nothing is lost or made between the depot, its transit and serum testosterone."""
    _, library, layout = model.build()
    S = layout.index
    (_, depot, _), = library.doses[("testosterone_enanthate", "im")]
    transit = library.depot_next[depot]
    y = np.zeros(layout.n)
    y[S.depot0 + depot], y[S.depot0 + transit] = 300.0, 120.0
    dy = np.zeros(layout.n)
    lib = model.library_arrays(library)
    into_serum = model.drug_rates(S, y, dy, lib, np.zeros(layout.n_inputs))
    assert dy[S.depot0 + depot] == pytest.approx(-library.depot_ka[depot] * 300.0)
    assert into_serum == pytest.approx(library.depot_ka[transit] * 120.0)
    assert dy[S.depot0 + depot] + dy[S.depot0 + transit] + into_serum == pytest.approx(0.0, abs=1e-9)


def test_a_transit_compartment_needs_a_depot():
    with pytest.raises(ValueError, match="transit compartment needs a depot"):
        Release("testosterone", transit_half_life_d=1.0)
