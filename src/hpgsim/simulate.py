"""Run a scenario: build the dosing timeline, reach the untreated steady state, integrate.

``simulate(scenario)`` returns a :class:`Result` whose ``to_pandas()`` has exactly the
contract's columns. Doses at the same time as an output row are given after it (the
row shows the pre-dose level), as in NONMEM's record order for observation-then-dose.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import model, patients, population
from .drugs import PRODUCTS
from .engine import STAT_FIELDS, run_batch
from .model import AVERAGED, PULSATILE
from .observables import COLUMNS, clock_hours, observe
from .physiology.gnrh_receptor import pump_pulse_coef
from .scenario import Regimen, Scenario, ScenarioError
from .solver import solve
from .steady_state import HMAX, untreated_state


@dataclass
class Result:
    """Simulated time series of one scenario."""

    scenario: Scenario
    times_d: np.ndarray
    values: np.ndarray  # (patients, times, columns)
    states: np.ndarray | None  # (times, states) of the typical patient; None for populations
    state_names: tuple[str, ...]
    stats: dict = field(default_factory=dict)
    population: "population.Population | None" = None

    def to_pandas(self) -> pd.DataFrame:
        """Long table: one row per patient and output time, the contract's columns."""
        n_pat, n_t, _ = self.values.shape
        frame = pd.DataFrame(self.values.reshape(n_pat * n_t, -1), columns=list(COLUMNS))
        frame.insert(0, "time_d", np.tile(self.times_d, n_pat))
        frame.insert(0, "patient", np.repeat(np.arange(n_pat), n_t))
        return frame

    def state(self, name: str) -> np.ndarray:
        if self.states is None:
            raise ValueError("internal states are kept for a single patient only")
        return self.states[:, self.state_names.index(name)]


def patient_theta(spec: patients.PatientSpec, overrides: dict[str, float] | None = None) -> np.ndarray:
    """Parameter vector of one man: typical values, his individual parameters, overrides."""
    params, _, _ = model.build()
    overrides = overrides or {}
    typical = {n: params.parameters[n].value for n in params.names}
    # covariate effects see overridden typical values, and an overridden individual
    # parameter wins over them
    individual = patients.individual_values(spec, {**typical, **overrides})
    return params.vector({**overrides, **individual, **overrides})


def simulate(scenario: Scenario, *, overrides: dict[str, float] | None = None,
             potency_overrides: dict[str, float] | None = None,
             iiv_overrides: dict[str, float] | None = None,
             rtol: float = 1e-6, atol: float = 1e-9, progress: bool | None = None) -> Result:
    """Simulate ``scenario``: its typical patient, or its ``population`` of virtual men.

    ``overrides`` replaces parameters by name; ``potency_overrides`` replaces drug species'
    PD potencies by species name, ``iiv_overrides`` replaces IIV CVs by parameter name (all
    used by calibration and sensitivity analyses).
    A population's men are drawn with the scenario's ``seed`` (see :mod:`hpgsim.population`);
    only the first man's internal states are kept in the result.
    """
    params, library, layout = model.build()
    P, S = params.index, layout.index
    lib = model.library_arrays(library, potency_overrides)
    mode = PULSATILE if scenario.settings.resolution == "pulsatile" else AVERAGED
    timeline = Timeline(scenario, layout, library, mode)
    out_t = timeline.output_times()
    n = scenario.settings.population
    if n > 1:
        pop = population.sample(scenario.cohort, n, scenario.settings.seed, cv_overrides=iiv_overrides)
        values, stats = run_batch(timeline, population.thetas(pop, overrides), P=P, lib=lib,
                                  rtol=rtol, atol=atol, progress=progress)
        return Result(scenario, out_t, values, None, layout.names,
                      dict(zip(STAT_FIELDS, stats.sum(axis=0).tolist())), pop)
    theta = patient_theta(scenario.patient, overrides)
    ref = model.reference(theta, P)
    y0, _ = untreated_state(theta, P, S, ref, lib, layout.n, layout.n_inputs, mode, timeline.t0)
    Y, n_acc, n_rej = solve(y0, timeline.seg_t0, timeline.seg_t1, timeline.bolus, timeline.inputs,
                            out_t, theta, P, S, ref, lib, mode, rtol, np.full(y0.size, atol), HMAX[mode])
    if not np.all(np.isfinite(Y)):
        raise RuntimeError("the solver failed to produce finite values for this scenario")
    U = timeline.inputs_at(out_t)
    clock_h = clock_hours(out_t, scenario.settings.time_of_day_h)
    values = observe(Y, U, clock_h, theta, P, S, ref, lib, mode)[None, :, :]
    return Result(scenario, out_t, values, Y, layout.names,
                  {"accepted_steps": n_acc, "rejected_steps": n_rej, "segments": len(timeline.seg_t0)})


class Timeline:
    """Segments between dosing events with the bolus at each start and the inputs within."""

    def __init__(self, scenario: Scenario, layout: model.Layout, library, mode: int):
        self.scenario = scenario
        self.layout = layout
        self.library = library
        self.mode = mode
        s = scenario.settings
        self.until = s.until_d
        self.t0 = min([0.0] + [r.start_d - 14.0 for r in scenario.regimens])
        boluses: dict[float, np.ndarray] = {}
        switches = {self.t0, self.until}
        for r in scenario.regimens:
            if r.route == "infusion" or (r.route == "pump" and mode == AVERAGED):
                switches.add(max(r.start_d, self.t0))
                if r.stop_d is not None and r.stop_d < self.until:
                    switches.add(r.stop_d)
                continue
            for t in r.dose_times(self.until):
                vec = boluses.setdefault(t, np.zeros(layout.n))
                vec += self._bolus(r)
        times = sorted(set(boluses) | switches)
        times = [t for t in times if self.t0 <= t <= self.until]
        self.seg_t0 = np.array(times[:-1])
        self.seg_t1 = np.array(times[1:])
        self.bolus = np.array([boluses.get(t, np.zeros(layout.n)) for t in times[:-1]])
        self.inputs = np.array([self._inputs(a, b) for a, b in zip(times[:-1], times[1:])])

    def output_times(self) -> np.ndarray:
        every = self.scenario.settings.output_every_d
        first = np.ceil(self.t0 / every - 1e-9)  # the grid passes through time 0
        last = np.floor(self.until / every + 1e-9)
        times = every * np.arange(first, last + 1)
        if times[-1] < self.until - 1e-9:
            times = np.append(times, self.until)
        return np.round(times, 9)

    def inputs_at(self, times: np.ndarray) -> np.ndarray:
        """The segment inputs in force at each time (a time on a boundary takes the earlier
        segment, matching the pre-dose convention of the output rows)."""
        idx = np.clip(np.searchsorted(self.seg_t1, times, side="left"), 0, len(self.seg_t1) - 1)
        return self.inputs[idx]

    def _bolus(self, r: Regimen) -> np.ndarray:
        vec = np.zeros(self.layout.n)
        for kind, idx, amount in self.library.doses[(r.drug, r.route)]:
            offset = self.layout.depot0 if kind == "depot" else self.layout.central0
            vec[offset + idx] += r.dose * amount
        return vec

    def _inputs(self, a: float, b: float) -> np.ndarray:
        """Infusion rates and the pump train active over (a, b)."""
        u = np.zeros(self.layout.n_inputs)
        n_species = self.layout.n_species
        pumps = 0
        for r in self.scenario.regimens:
            active = r.start_d <= a and (r.stop_d is None or r.stop_d >= b)
            if not active:
                continue
            if r.route == "infusion":
                for _kind, idx, amount in self.library.doses[(r.drug, r.route)]:
                    u[idx] += r.rate_per_day * amount
            elif r.route == "pump":
                pumps += 1
                train = self._pump_train(r)
                if self.mode == PULSATILE:  # pulses are boluses; only the frequency is input
                    train[1:] = 0.0
                u[n_species:] = train
        if pumps > 1:
            raise ScenarioError("regimens: two pumps at the same time are not supported")
        return u

    def _pump_train(self, r: Regimen) -> np.ndarray:
        """(frequency, coefficient, slow and fast rates) of a pump's periodic pulse train."""
        product = PRODUCTS[r.drug]
        release = product.route("pump").releases[0]
        lib = self.library
        s = lib.species_index[release.species]
        (_, _, amount), = lib.doses[(r.drug, "pump")]
        ka = np.log(2.0) / release.absorption_half_life_d
        ke = lib.ke[s]
        coef = pump_pulse_coef(r.dose * amount, 1.0, ka, ke, lib.volume[s])
        return np.array([1.0 / r.every_d, coef, min(ka, ke), max(ka, ke)])
