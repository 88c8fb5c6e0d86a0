"""The assembled model: state layout, reference quantities and the right-hand side.

``rhs(t, y, dy, theta, P, S, ref, lib, u, mode)`` is a pure function of time, state,
parameters and inputs. States and parameters are read by name through the index
namedtuples ``S`` and ``P``; drug compartments are blocks laid out by the drug library.
``mode`` is ``AVERAGED`` (pulse-averaged receptor drive) or ``PULSATILE`` (each GnRH pulse).
"""

from __future__ import annotations

import math
from collections import namedtuple
from functools import lru_cache

import numpy as np

from . import calibration, drugs, patients
from .compiled import compiled, kernel
from .drugs import pk
from .parameters import ParameterSet
from .physiology import (
    MODULES,
    aromatase,
    feedback,
    gnrh_receptor,
    gonadotropes,
    hypothalamus,
    leydig,
    sertoli,
    shbg,
    spermatogenesis,
    testosterone,
)
from .physiology.response import shortcut
from .physiology.spermatogenesis import N_EPIDIDYMIS, N_STAGES

AVERAGED = 0
PULSATILE = 1

PHYSIOLOGY_STATES = (
    "pulse_phase",
    "androgen_exposure",
    "generator_suppression",
    "suppression_depth",
    "gnrh_receptor_availability",
    "gonadotrope_capacity",
    "lh_pool",
    "lh",
    "fsh_pool",
    "fsh",
    "lh_receptor_availability",
    "steroidogenic_capacity",
    "leydig_capacity",
    "serum_t",
    "shbg",
    "itt",
    "e2",
    "sertoli_function",
    "sertoli_maturity",
    "inhibin_b",
    "spermatogonial_reserve",
)

# Reference (untreated typical man) quantities computed once per parameter vector.
REFERENCE_NAMES = (
    "free_t", "androgen_exposure", "frequency", "amplitude", "availability", "drive", "lhr_availability",
    "activation", "support", "pulse_peak_scale", "fsh_decoding", "inhibin_action", "adiposity",
    "germ_support_drive", "adult_germ_entry", "restart_per_d",
)
RefIndex = namedtuple("RefIndex", REFERENCE_NAMES)
R = RefIndex(*range(len(REFERENCE_NAMES)))
PULSE_TABLE = len(REFERENCE_NAMES)
"""Where the man's own pulse train's quadrature table starts in ``ref`` (see
:func:`hpgsim.physiology.gnrh_receptor.node_table`)."""
NO_TABLE = np.zeros(0)

# Segment inputs: per-species infusion rates, then the pump train.
PUMP_FIELDS = ("pump_frequency", "pump_coef", "pump_k_slow", "pump_k_fast")


def prior_tables() -> list:
    """The module tables as written in the modules (the priors of calibration)."""
    return [m.PARAMETERS for m in MODULES] + [patients.PARAMETERS, patients.INDIVIDUAL]


def calibrated_species() -> tuple:
    """The drug species with the calibrated potencies laid over the drug modules' priors."""
    return calibration.apply_potencies(drugs.SPECIES)


def parameter_set() -> ParameterSet:
    """The model's parameters: the module tables with the calibrated values laid over them."""
    return ParameterSet(calibration.apply(prior_tables()))


class Layout:
    """Names ↔ positions of every state, built from the physiology and the drug library."""

    def __init__(self, library: pk.CompiledLibrary):
        names = list(PHYSIOLOGY_STATES)
        names += [f"germ_{i}" for i in range(N_STAGES)]
        names += [f"epididymis_{j}" for j in range(N_EPIDIDYMIS)]
        self.germ0 = names.index("germ_0")
        self.epi0 = names.index("epididymis_0")
        self.depot0 = len(names)
        names += [f"depot_{i}" for i in range(len(library.depot_labels))]
        self.central0 = len(names)
        names += [f"central_{s.name}" for s in library.species]
        self.names = tuple(names)
        self.n = len(names)
        self.n_species = len(library.species)
        fields = list(PHYSIOLOGY_STATES) + ["germ0", "epi0", "depot0", "central0", "n_depots", "n_species"]
        self.Index = namedtuple("StateIndex", fields)
        self.index = self.Index(
            *[names.index(s) for s in PHYSIOLOGY_STATES],
            self.germ0, self.epi0, self.depot0, self.central0,
            len(library.depot_labels), self.n_species,
        )
        self.n_inputs = self.n_species + len(PUMP_FIELDS)


def _importable(cls, name: str):
    """Give a generated namedtuple class a stable import path.

    Compiled functions take these index tuples as arguments; numba's on-disk cache can
    only recognise the argument type in a new process if the class pickles by reference.
    """
    cls.__module__ = __name__
    cls.__qualname__ = name
    cls.__name__ = name
    globals()[name] = cls
    return cls


@lru_cache(maxsize=1)
def build():
    """The model's parameter set, compiled drug library and state layout (built once)."""
    params = parameter_set()
    library = pk.compile_library(calibrated_species(), tuple(drugs.PRODUCTS.values()))
    layout = Layout(library)
    _importable(params.Index, "ParameterIndex")
    _importable(layout.Index, "StateIndex")
    return params, library, layout


build()


def library_arrays(library: pk.CompiledLibrary, potency_overrides: dict[str, float] | None = None):
    """The library's arrays as the tuple the compiled code takes."""
    potency = library.potency
    if potency_overrides:
        potency = potency.copy()
        for name, value in potency_overrides.items():
            potency[library.species_index[name]] = value
    return (
        library.depot_ka, library.depot_species, library.ke, library.volume,
        library.target, potency, library.efficacy, library.metabolite,
        library.metabolite_fraction,
        np.arange(len(library.depot_labels)), np.arange(len(library.species)), library.depot_next,
    )


@compiled
def live_library(S, lib, y0, bolus, seg_u):
    """``lib`` with only the depots and species a timeline can fill marked live.

    A drug the scenario never gives stays exactly zero, and every term it adds is an exact
    zero, so skipping it changes no number; it saves the loops over the whole library
    (13 species, 29 depots) in every right-hand side.
    """
    depot_ka, depot_species, ke, volume, target, potency, efficacy, metabolite, metf, _, _, depot_next = lib
    live_d = np.zeros(S.n_depots, dtype=np.bool_)
    live_s = np.zeros(S.n_species, dtype=np.bool_)
    for d in range(S.n_depots):  # a transit depot follows the depot that fills it
        live_d[d] = live_d[d] or y0[S.depot0 + d] != 0.0 or np.any(bolus[:, S.depot0 + d] != 0.0)
        if live_d[d] and depot_next[d] >= 0:
            live_d[depot_next[d]] = True
        s = depot_species[d]
        if live_d[d] and target[s] != pk.SERUM_TESTOSTERONE:
            live_s[s] = True
    for s in range(S.n_species):
        if y0[S.central0 + s] != 0.0 or np.any(bolus[:, S.central0 + s] != 0.0) or np.any(seg_u[:, s] != 0.0):
            live_s[s] = True
    for _ in range(S.n_species):  # metabolites of live species (chains are short)
        for s in range(S.n_species):
            if live_s[s] and metabolite[s] >= 0:
                live_s[metabolite[s]] = True
    return (depot_ka, depot_species, ke, volume, target, potency, efficacy, metabolite, metf,
            np.nonzero(live_d)[0], np.nonzero(live_s)[0], depot_next)


@compiled
def live_drug_states(S, lib):
    """Positions in the state vector of the live depots and species of ``lib``."""
    live_d, live_s = lib[9], lib[10]
    return np.concatenate((S.depot0 + live_d, S.central0 + live_s))


# --------------------------------------------------------------------------- drug effects
@kernel
def drug_effects(theta, P, S, y, lib):
    """Sum the PD loads of all circulating drug species at this instant."""
    depot_ka, depot_species, ke, volume, target, potency, efficacy, metabolite, metf, _, live_s, _ = lib
    serm_load = 0.0
    serm_agonism = 0.0
    aromatase_free = 1.0
    agonist_load = 0.0
    antagonist_load = 0.0
    lh_equivalent = 0.0
    lh_exogenous = 0.0
    fsh_exogenous = 0.0
    for s in live_s:
        c = max(y[S.central0 + s] / volume[s], 0.0)
        if shortcut(c == 0.0):  # not in the blood: every load below would add zero
            continue
        tg = target[s]
        if tg == pk.ESTROGEN_RECEPTOR:
            serm_load += c / potency[s]
            serm_agonism += efficacy[s] * c / potency[s]
        elif tg == pk.AROMATASE:
            aromatase_free *= 1.0 - efficacy[s] * c / (c + potency[s])
        elif tg == pk.GNRH_AGONIST:
            kd = theta[P.gnrh_kd_pg_ml] if potency[s] < 0.0 else potency[s]
            agonist_load += c / kd
        elif tg == pk.GNRH_ANTAGONIST:
            antagonist_load += c / potency[s]
        elif tg == pk.LH_RECEPTOR:
            if potency[s] < 0.0:
                lh_equivalent += c * theta[P.hcg_lh_equivalence]
            else:
                lh_equivalent += c * potency[s]
                lh_exogenous += c
        elif tg == pk.FSH_RECEPTOR:
            fsh_exogenous += c * potency[s]
    return (serm_load, serm_agonism, 1.0 - aromatase_free, agonist_load, antagonist_load,
            lh_equivalent, lh_exogenous, fsh_exogenous)


@kernel
def drug_rates(S, y, dy, lib, u):
    """Depot absorption (through transit depots where a product has them), infusions,
    elimination and metabolite formation.

    Returns the exogenous testosterone input (nmol/d) released from testosterone depots.
    """
    (depot_ka, depot_species, ke, volume, target, potency, efficacy, metabolite, metf, live_d, live_s,
     depot_next) = lib
    exogenous_t = 0.0
    for i in range(S.depot0, S.central0 + S.n_species):  # drugs never given stay at zero
        dy[i] = 0.0
    for s in live_s:
        dy[S.central0 + s] = u[s] - ke[s] * y[S.central0 + s]
    for d in live_d:
        if shortcut(y[S.depot0 + d] == 0.0):  # an empty depot releases nothing (dy is 0)
            continue
        flux = depot_ka[d] * y[S.depot0 + d]
        dy[S.depot0 + d] -= flux  # -=: a transit depot may have been filled already
        s = depot_species[d]
        if depot_next[d] >= 0:
            dy[S.depot0 + depot_next[d]] += flux
        elif target[s] == pk.SERUM_TESTOSTERONE:
            exogenous_t += flux
        else:
            dy[S.central0 + s] += flux
    for s in live_s:
        m = metabolite[s]
        if m >= 0:
            dy[S.central0 + m] += metf[s] * ke[s] * y[S.central0 + s]
    return exogenous_t


# ------------------------------------------------------------------------ GnRH receptor drive
@kernel
def _instant(theta, P, availability, agonist, antagonist):
    occ = gnrh_receptor.occupancy(agonist, antagonist)
    return (gnrh_receptor.gonadotrope_response(theta, P, availability, occ), occ,
            gnrh_receptor.recovery_permission(theta, P, occ))


@kernel(inline=True)
def receptor_drive(theta, P, y, S, ref, mode, frequency, amplitude, agonist, antagonist, u):
    """(release drive H, mean occupancy, mean recovery permission) at the pituitary."""
    availability = y[S.gnrh_receptor_availability]
    k_slow = theta[P.gnrh_decay_per_d]
    k_fast = theta[P.gnrh_rise_per_d]
    endo_coef = amplitude * ref[R.pulse_peak_scale]
    endo_table = ref[PULSE_TABLE:]
    n_species = S.n_species
    pump_f = u[n_species]
    if mode == PULSATILE:
        load = agonist
        if frequency > 0.0:
            period = 1.0 / frequency
            tau = (y[S.pulse_phase] - math.floor(y[S.pulse_phase])) * period
            load += hypothalamus.periodic_biexp(tau, period, endo_coef, k_slow, k_fast)
        return _instant(theta, P, availability, load, antagonist)
    has_endo = theta[P.generator_activity] > 0.0  # an active generator pulses (frequency, amplitude > 0)
    has_pump = pump_f > 0.0
    if not has_endo and not has_pump:
        return _instant(theta, P, availability, agonist, antagonist)
    pump_coef = u[n_species + 1] / theta[P.gnrh_kd_pg_ml]
    pk_slow = u[n_species + 2]
    pk_fast = u[n_species + 3]
    if has_endo and not has_pump:
        return gnrh_receptor.train_average(theta, P, 1.0 / frequency, endo_coef, k_slow, k_fast,
                                           agonist, antagonist, availability, endo_table)
    if has_pump and not has_endo:
        return gnrh_receptor.train_average(theta, P, 1.0 / pump_f, pump_coef, pk_slow, pk_fast,
                                           agonist, antagonist, availability, NO_TABLE)
    # both trains: each averaged over its own period with the other's mean as background
    endo_mean = gnrh_receptor.train_mean_load(1.0 / frequency, endo_coef, k_slow, k_fast)
    pump_mean = gnrh_receptor.train_mean_load(1.0 / pump_f, pump_coef, pk_slow, pk_fast)
    h1, o1, p1 = gnrh_receptor.train_average(theta, P, 1.0 / frequency, endo_coef, k_slow, k_fast,
                                             agonist + pump_mean, antagonist, availability, endo_table)
    h2, o2, p2 = gnrh_receptor.train_average(theta, P, 1.0 / pump_f, pump_coef, pk_slow, pk_fast,
                                             agonist + endo_mean, antagonist, availability, NO_TABLE)
    h0, o0, p0 = _instant(theta, P, availability, agonist + endo_mean + pump_mean, antagonist)
    return max(h1 + h2 - h0, 0.0), max(o1 + o2 - o0, 0.0), min(max(p1 + p2 - p0, 0.0), 1.0)


# ------------------------------------------------------------------------------ the loop
@kernel(inline=True)
def pituitary_inputs(y, theta, P, S, ref, u, mode, effects):
    """Feedback signals, GnRH pulses and the receptor drive they make at the pituitary.

    ``effects`` is :func:`drug_effects`. Returns (androgen signal, estrogen signal, androgen
    exposure, pulse frequency, drive relative to the reference man, mean receptor occupancy,
    mean recovery permission, load of the generator's suppression memory): everything LH
    release needs, shared by :func:`rhs` and :func:`serum_lh`. Compiled into each of them
    (see ``solver._stage_rhs``), so the two may round differently in the last bits (fused
    multiply-adds).
    """
    serm_load, serm_agonism, _, agonist, antagonist, _, _, _ = effects
    # serum testosterone, free T, estradiol → receptor signals
    # the feedback reads free T at the man's SHBG set point, not at the SHBG state: the
    # calibrated feedback gains were fitted that way, and coupling them to the moving SHBG
    # shifts the SERM and aromatase-inhibitor cases (see the limitations; refit pending)
    free_t = testosterone.free_testosterone_pmol_l(theta, P, max(y[S.serum_t], 0.0),
                                                   theta[P.shbg_set_point_nmol_l])
    sensitivity = theta[P.feedback_sensitivity]
    androgen = sensitivity * feedback.androgen_signal(free_t, ref[R.free_t])
    estrogen = sensitivity * feedback.estrogen_signal(max(y[S.e2], 0.0), theta[P.e2_at_ref_pg_ml],
                                                      serm_load, serm_agonism)
    # hypothalamus → GnRH receptor
    activity = theta[P.generator_activity]
    exposure = max(y[S.androgen_exposure], 0.0)
    # what feedback allows a generator at full activity (frequency does not scale with
    # activity, amplitude does); an absent generator (congenital HH) has no pulses
    frequency_full = hypothalamus.pulse_frequency(theta, P, androgen, estrogen, 1.0)
    amplitude_full = hypothalamus.pulse_amplitude(theta, P, exposure, estrogen, 1.0)
    frequency = frequency_full if activity > 0.0 else 0.0
    # the suppression memory lowers the ceiling of the pulses (not whether the generator fires)
    amplitude = hypothalamus.remembered_amplitude(
        theta, P, activity * amplitude_full, activity * ref[R.amplitude], y[S.generator_suppression])
    load = hypothalamus.suppression_load(frequency_full, amplitude_full, ref[R.frequency], ref[R.amplitude])
    drive, mean_occ, permission = receptor_drive(theta, P, y, S, ref, mode, frequency, amplitude,
                                                 agonist, antagonist, u)
    return androgen, estrogen, exposure, frequency, drive / ref[R.drive], mean_occ, permission, load


@kernel
def _lh_rates(y, theta, P, S, ref, drive_rel, exposure, estrogen_action, capacity):
    return gonadotropes.lh_rates(theta, P, y[S.lh_pool], drive_rel, exposure, ref[R.androgen_exposure],
                                 estrogen_action, capacity)


@kernel
def serum_lh(y, theta, P, S, ref, u, mode, effects):
    """Serum LH (own, without exogenous LH): a state in the pulsatile resolution,
    release / clearance (quasi-steady) in the averaged one. The number :func:`rhs`
    returns (to rounding: a few units in the last place), for about half its cost
    (observables need it at every output row)."""
    if mode == PULSATILE:
        return max(y[S.lh], 0.0)
    _, estrogen, exposure, _, drive_rel, _, _, _ = pituitary_inputs(y, theta, P, S, ref, u, mode, effects)
    capacity = gonadotropes.primed_fraction(y[S.gonadotrope_capacity])
    _, lh_release, k_lh = _lh_rates(y, theta, P, S, ref, drive_rel, exposure,
                                    gonadotropes.estrogen_term(theta, P, estrogen), capacity)
    return lh_release / k_lh


@kernel
def testicular_secretion(y, theta, P, S, ref, lh_total):
    """Testicular T secretion relative to the reference man's, from the Leydig states and
    the LH-receptor load (own LH plus LH equivalents); what :func:`rhs` feeds serum T with,
    and what carries the diurnal rhythm in the observables."""
    stimulation = leydig.lh_activation(theta, P, lh_total, y[S.lh_receptor_availability]) / ref[R.activation]
    return leydig.secretion_rel(theta, P, y[S.steroidogenic_capacity], y[S.leydig_capacity], stimulation)


@kernel
def rhs(t, y, dy, theta, P, S, ref, lib, u, mode):
    """dy/dt of the whole axis and every drug compartment (writes into ``dy``).

    Returns serum LH: a state in the pulsatile resolution, quasi-steady in the averaged one.
    """
    exogenous_t = drug_rates(S, y, dy, lib, u)
    effects = drug_effects(theta, P, S, y, lib)
    _, _, aromatase_inhibition, _, _, lh_equivalent, _, fsh_exogenous = effects
    serum_t = max(y[S.serum_t], 0.0)

    # feedback → hypothalamus → GnRH receptor → gonadotropes
    androgen, estrogen, exposure, frequency, drive_rel, mean_occ, permission, load = pituitary_inputs(
        y, theta, P, S, ref, u, mode, effects)
    dy[S.androgen_exposure] = hypothalamus.androgen_exposure_rate(theta, P, exposure, androgen)
    suppression = y[S.generator_suppression]
    dy[S.generator_suppression] = hypothalamus.generator_suppression_rate(
        theta, P, suppression, y[S.suppression_depth], load, ref[R.restart_per_d])
    dy[S.suppression_depth] = hypothalamus.suppression_depth_rate(theta, P, y[S.suppression_depth], suppression)
    dy[S.pulse_phase] = frequency if mode == PULSATILE else 0.0
    dy[S.gnrh_receptor_availability] = gnrh_receptor.availability_rate(
        theta, P, y[S.gnrh_receptor_availability], mean_occ, permission)
    # FSH decodes the endogenous pulse frequency, or a pump's when there is none
    decoded_f = frequency if theta[P.generator_activity] > 0.0 else u[S.n_species]
    dy[S.gonadotrope_capacity] = gonadotropes.capacity_rate(theta, P, y[S.gonadotrope_capacity], drive_rel)
    capacity = gonadotropes.primed_fraction(y[S.gonadotrope_capacity])
    estrogen_action = gonadotropes.estrogen_term(theta, P, estrogen)  # one power for LH and FSH
    dy[S.lh_pool], lh_release, k_lh = _lh_rates(y, theta, P, S, ref, drive_rel, exposure, estrogen_action,
                                                capacity)
    if mode == PULSATILE:
        lh = max(y[S.lh], 0.0)
        dy[S.lh] = lh_release - k_lh * y[S.lh]
    else:
        lh = lh_release / k_lh  # quasi-steady; the state is not used (see observables)
        dy[S.lh] = 0.0
    dy[S.fsh_pool], dy[S.fsh] = gonadotropes.fsh_rates(
        theta, P, y[S.fsh_pool], y[S.fsh], drive_rel, decoded_f, ref[R.fsh_decoding],
        exposure, ref[R.androgen_exposure], estrogen_action, max(y[S.inhibin_b], 0.0), ref[R.inhibin_action],
        capacity)

    # Leydig cells → ITT and serum T, aromatase
    lh_total = lh + lh_equivalent
    lhr = y[S.lh_receptor_availability]
    dy[S.lh_receptor_availability] = leydig.lhr_availability_rate(theta, P, lhr, lh_total)
    stimulation = leydig.lh_activation(theta, P, lh_total, lhr) / ref[R.activation]
    medium = y[S.steroidogenic_capacity]
    slow = y[S.leydig_capacity]
    dy[S.steroidogenic_capacity] = leydig.capacity_rate(
        medium, stimulation, theta[P.steroidogenic_induction_per_d],
        theta[P.steroidogenic_induction_gain], theta[P.steroidogenic_capacity_floor],
        theta[P.steroidogenic_capacity_max])
    dy[S.leydig_capacity] = leydig.capacity_rate(
        slow, stimulation, theta[P.leydig_trophic_per_d] * theta[P.recovery_rate_factor],
        theta[P.leydig_trophic_gain], theta[P.leydig_capacity_floor], 1.0)
    secretion = leydig.secretion_rel(theta, P, medium, slow, stimulation)
    dy[S.serum_t] = testosterone.serum_t_rate(theta, P, serum_t, secretion, exogenous_t)
    dy[S.itt] = leydig.itt_rate(theta, P, y[S.itt], secretion, serum_t)
    dy[S.e2] = aromatase.e2_rate(theta, P, y[S.e2], serum_t, secretion, ref[R.adiposity],
                                 aromatase_inhibition)
    dy[S.shbg] = shbg.shbg_rate(theta, P, y[S.shbg], serum_t / theta[P.t_ref_nmol_l],
                                max(y[S.e2], 0.0) / theta[P.e2_at_ref_pg_ml], effects[0])

    # Sertoli cells, germ cells, inhibin B
    fsh_total = max(y[S.fsh], 0.0) + fsh_exogenous
    maturity = y[S.sertoli_maturity]
    support_rel = sertoli.support(theta, P, max(y[S.itt], 0.0), fsh_total, maturity) / ref[R.support]
    function = y[S.sertoli_function]
    dy[S.sertoli_function] = sertoli.function_rate(theta, P, function, support_rel)
    germ = y[S.germ0:S.germ0 + N_STAGES]
    epi = y[S.epi0:S.epi0 + N_EPIDIDYMIS]
    dy[S.sertoli_maturity] = sertoli.maturation_rate(theta, P, maturity, function, fsh_total)
    reserve = max(y[S.spermatogonial_reserve], 0.0)
    support = spermatogenesis.support_effect(theta, P, function, ref[R.germ_support_drive])  # reserve and chain
    dy[S.spermatogonial_reserve] = spermatogenesis.reserve_rate(
        theta, P, reserve, support, maturity, theta[P.recovery_rate_factor])
    germ_capacity = sertoli.germ_capacity(theta, P, maturity, ref[R.adult_germ_entry]) * reserve
    spermatogenesis.chain_rates(theta, P, germ, epi, support, germ_capacity,
                                dy[S.germ0:S.germ0 + N_STAGES], dy[S.epi0:S.epi0 + N_EPIDIDYMIS],
                                theta[P.germ_sensitivity])
    dy[S.inhibin_b] = sertoli.inhibin_rate(theta, P, y[S.inhibin_b], maturity * theta[P.sertoli_capacity],
                                           function, spermatogenesis.germ_load(germ))
    return lh


@compiled
def state_scales(S, y_untreated):
    """Each state's natural size for error control: its untreated level, 1 for the androgen
    exposure and the suppression memory (bounded 0-1 and near 0 at rest). Zero (no natural
    size) for drug amounts and for the germ-cell and epididymal contents, whose small values
    are endpoints themselves (sperm back to 0.01 M/mL is 1e-4 of normal)."""
    scales = np.zeros(y_untreated.size)
    for i in range(S.germ0):
        scales[i] = abs(y_untreated[i])
    scales[S.androgen_exposure] = 1.0
    scales[S.generator_suppression] = 1.0  # bounded 0-1 and 0 at rest, like the exposure
    scales[S.suppression_depth] = 1.0
    return scales


# ------------------------------------------------------------------------ reference man
@compiled
def reference(theta, P):
    """Quantities of the untreated reference man that normalize each module to 1."""
    ref = np.zeros(PULSE_TABLE + gnrh_receptor.TABLE_SIZE)
    ref[R.free_t] = testosterone.free_testosterone_pmol_l(
        theta, P, theta[P.t_ref_nmol_l], theta[P.shbg_ref_nmol_l])
    ref[R.frequency] = hypothalamus.pulse_frequency(theta, P, 1.0, 1.0, 1.0)
    ref[R.androgen_exposure] = hypothalamus.androgen_exposure_target(theta, P, 1.0)
    ref[R.amplitude] = hypothalamus.pulse_amplitude(theta, P, ref[R.androgen_exposure], 1.0, 1.0)
    k_slow = theta[P.gnrh_decay_per_d]
    k_fast = theta[P.gnrh_rise_per_d]
    ref[R.pulse_peak_scale] = hypothalamus.biexp_peak_scale(k_slow, k_fast)
    gnrh_receptor.node_table(k_slow, k_fast, ref[PULSE_TABLE:])
    coef = ref[R.amplitude] * ref[R.pulse_peak_scale]
    period = 1.0 / ref[R.frequency]
    _, mean_occ, permission = gnrh_receptor.train_average(
        theta, P, period, coef, k_slow, k_fast, 0.0, 0.0, 1.0, ref[PULSE_TABLE:])
    ref[R.availability] = gnrh_receptor.steady_availability(theta, P, mean_occ, permission)
    ref[R.drive], _, _ = gnrh_receptor.train_average(
        theta, P, period, coef, k_slow, k_fast, 0.0, 0.0, ref[R.availability], ref[PULSE_TABLE:])
    lh = theta[P.lh_ref_iu_l]
    ref[R.lhr_availability] = leydig.lhr_availability_steady(theta, P, lh)
    ref[R.activation] = leydig.lh_activation(theta, P, lh, ref[R.lhr_availability])
    ref[R.support] = sertoli.support(theta, P, theta[P.itt_ref_nmol_l], theta[P.fsh_ref_iu_l], 1.0)
    # per-man constants the right-hand side would otherwise recompute at every call
    ref[R.fsh_decoding] = gonadotropes.frequency_decoding(theta, P, ref[R.frequency])
    ref[R.inhibin_action] = gonadotropes.inhibin_action(theta, P, theta[P.inhibin_b_ref_pg_ml])
    ref[R.adiposity] = aromatase.adiposity(theta, P)
    ref[R.germ_support_drive] = spermatogenesis.support_drive(theta, P, 1.0)
    ref[R.adult_germ_entry] = sertoli.maturity_entry(theta, P, 1.0)
    ref[R.restart_per_d] = hypothalamus.restart_rate_per_d(theta, P)
    return ref


@compiled
def reference_state(theta, P, S, ref, n):
    """The state of the untreated reference man (exact steady state when eugonadal)."""
    y = np.zeros(n)
    y[S.androgen_exposure] = ref[R.androgen_exposure]
    y[S.gnrh_receptor_availability] = ref[R.availability]
    y[S.gonadotrope_capacity] = 1.0
    y[S.lh_pool] = gonadotropes.lh_pool_ref(theta, P)
    y[S.lh] = theta[P.lh_ref_iu_l]
    y[S.fsh_pool] = gonadotropes.fsh_pool_ref(theta, P)
    y[S.fsh] = theta[P.fsh_ref_iu_l]
    y[S.lh_receptor_availability] = ref[R.lhr_availability]
    y[S.steroidogenic_capacity] = 1.0
    y[S.leydig_capacity] = 1.0
    y[S.serum_t] = theta[P.t_ref_nmol_l]
    y[S.shbg] = theta[P.shbg_set_point_nmol_l]
    y[S.itt] = theta[P.itt_ref_nmol_l]
    y[S.e2] = theta[P.e2_at_ref_pg_ml]
    y[S.sertoli_function] = 1.0
    y[S.sertoli_maturity] = theta[P.sertoli_maturity_start]
    y[S.inhibin_b] = theta[P.inhibin_b_ref_pg_ml]
    y[S.spermatogonial_reserve] = 1.0
    y[S.germ0:S.germ0 + N_STAGES] = 1.0
    y[S.epi0:S.epi0 + N_EPIDIDYMIS] = 1.0
    return y
