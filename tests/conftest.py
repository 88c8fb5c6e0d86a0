"""Shared helpers: build and run small scenarios from dicts."""

from __future__ import annotations

import numpy as np
import pytest

import hpgsim

TE200 = {"drug": "testosterone_enanthate", "dose": "200 mg", "route": "im", "every": "7 d", "start": "0 d"}


def run(regimens=(), until="60 d", patient=None, resolution="averaged", output_every=None, **kw):
    """Simulate a scenario given as pieces; returns the output table."""
    sim = {"until": until, "resolution": resolution}
    if output_every:
        sim["output_every"] = output_every
    data = {"name": "test", "regimens": list(regimens), "simulate": sim}
    if patient:
        data["patient"] = patient
    return hpgsim.simulate(hpgsim.load_scenario(data), **kw).to_pandas()


def at(frame, t, column):
    """Value of ``column`` at time ``t`` (linear interpolation)."""
    return float(np.interp(t, frame.time_d, frame[column]))


def first_time(frame, column, threshold, *, below=True, after=0.0):
    g = frame[frame.time_d >= after]
    hit = g[column].values < threshold if below else g[column].values >= threshold
    idx = np.flatnonzero(hit)
    return None if idx.size == 0 else float(g.time_d.values[idx[0]])


@pytest.fixture(scope="session")
def baseline():
    """The untreated typical eugonadal man (last row of a short run)."""
    return run(until="5 d").iloc[-1]
