"""Spermatogenesis as a stage-structured delay chain, then the epididymis.

Germ cells enter from spermatogonia at a rate set by Sertoli maturity and function, pass
through ``N_STAGES`` compartments (an Erlang delay of about 64 days: spermatogonia →
spermatocytes → spermatids → spermiation), then through the epididymis. Under poor
hormonal support, cells in the hormone-sensitive stages are lost (meiotic and spermatid
loss); the last stages (late spermatids, epididymis) are insensitive, which gives the
~15-day lag before sperm counts fall on testosterone (Garrett 2005). All compartments are
relative to the reference man (1 = normal content).

Entry also needs the spermatogonial reserve: the self-renewing spermatogonia that feed the
chain. Without hormonal support an adult testis slowly loses them; when support returns
they regrow by self-renewal (logistic, from a small quiescent floor) at a rate that differs
between men. This is why recovery takes longer after longer suppression and why some men
take many months more than others (Liu 2006).
"""

from ..compiled import kernel
from ..parameters import table
from .response import hill

N_STAGES = 16
"""Compartments of the germ-cell chain (structure, not a parameter: duration is)."""
N_EPIDIDYMIS = 2

PARAMETERS = table(
    "spermatogenesis",
    "Germ-cell chain, semen and testis volume",
    [
        ("spermatogenesis_duration_d", 64.0, "d", 42.0, 76.0,
         "Heller & Clermont 1963 (~64 d); Misell 2006 heavy water 42-76 d between men, hence the IIV (log-SD ~0.15); a man with faster germ-cell kinetics both empties and refills his chain sooner, the direction Liu 2006 found between speed of suppression and of recovery",
         "spermatogonium to spermiation", 0.15),
        ("epididymal_transit_d", 6.0, "d", 2.0, 11.0,
         "textbook 2-11 d (Amann 1976 species data 2.0-5.5 d for caput+corpus)", "epididymal transit time"),
        ("sensitive_fraction", 0.8, "1", 0.5, 0.95,
         "calibrated: te200_sperm_kinetics; 15-18 day lag before counts fall (Garrett 2005)",
         "share of the chain whose survival needs hormonal support"),
        ("germ_loss_max_per_d", 0.1, "1/d", 0.02, 0.3,
         "prior from te200_sperm_kinetics (half-time ~13 d once counts fall, 6.8-13 weeks to 10-1 M/mL); see `hpgsim calibrate`",
         "loss rate of sensitive germ cells without support"),
        ("germ_support_half", 0.4, "1", 0.1, 0.9,
         "assumed prior: spermatogenesis is kept at a third to a half of normal Sertoli support (sperm output varies with Sertoli number, not with normal-range hormones; ITT is in large excess); see `hpgsim calibrate`",
         "relative Sertoli function giving half-maximal survival and entry"),
        ("germ_support_hill", 4.0, "1", 1.0, 6.0,
         "assumed: steep, threshold-like dependence below the half-point (stages are lost together when support fails)",
         "Hill exponent of support"),
        ("reserve_loss_per_d", 0.03, "1/d", 0.002, 0.05,
         "assumed: spermatogonia decline over months without gonadotropins (contraceptive trials: recovery is slower after longer suppression, Liu 2006); prior at a hand probe of the whole validation (2026-11-29), so that the fits above sperm_recovery see the recovery regime they will ship with",
         "loss rate of the spermatogonial reserve without support (adult testis)"),
        ("reserve_growth_per_d", 0.0235, "1/d", 0.02, 1.0,
         "assumed: self-renewal of spermatogonia once support returns; the man's recovery-rate factor scales it; prior at a hand probe of the whole validation (2026-11-29, see reserve_loss_per_d)",
         "self-renewal rate of the spermatogonial reserve"),
        ("reserve_floor", 0.294, "1", 0.001, 0.3,
         "assumed: quiescent (A-dark) spermatogonia persist through suppression; A-dark cells are a large share of human A spermatogonia, so up to ~30 % of the reserve is plausible; prior at the previous fit (see reserve_loss_per_d)",
         "quiescent reserve that seeds regrowth"),
        ("sperm_ref_m_ml", 60.0, "M/mL", 40.0, 120.0,
         "donor median 73 M/mL (Handelsman); fertile men well above the WHO 15 M/mL limit",
         "sperm concentration of the reference man"),
        ("semen_volume_ml", 3.0, "mL", 1.5, 5.0, "assumed: typical ejaculate (WHO 2010 lower limit 1.5 mL)", "ejaculate volume"),
        ("motile_fraction", 0.55, "1", 0.4, 0.8, "assumed: above the WHO 2010 lower limit of 40 % total motility", "motile fraction"),
        ("testis_volume_ref_ml", 18.0, "mL", 12.0, 25.0, "assumed: adult mean testicular volume by orchidometer", "testis volume of the reference man"),
        ("immature_testis_fraction", 0.18, "1", 0.1, 0.4,
         "assumed: a prepubertal testis keeps this share of the adult non-germ volume, so congenital HH testes measure ~2.3 mL (Huang 2015)",
         "non-germ volume of a fully immature testis, relative to the adult"),
        ("testis_nongerm_fraction", 0.65, "1", 0.3, 0.8,
         "assumed: interstitium, Sertoli cells, tubule walls and the spermatogonia that persist on TRT (testes shrink by about a third, not half, on TRT); congenital HH testes ~2.3 mL (Huang 2015)",
         "share of volume not made of germ cells"),
    ],
)


@kernel
def support_drive(theta, P, function):
    """Survival/entry drive from relative Sertoli function, before normalization."""
    return hill(function, theta[P.germ_support_half], theta[P.germ_support_hill])


@kernel
def support_effect(theta, P, function, reference_drive):
    """Survival/entry drive from relative Sertoli function, 1 in the reference man
    (``reference_drive`` is :func:`support_drive` at function 1, computed once per man)."""
    return support_drive(theta, P, function) / reference_drive


@kernel
def reserve_rate(theta, P, reserve, support, maturity, growth_factor):
    """d(reserve)/dt: logistic self-renewal with support, loss without it (adult testis only:
    an immature testis keeps its spermatogonia). ``support`` is :func:`support_effect`."""
    effect = min(support, 1.0)
    shortfall = max(0.0, 1.0 - effect)
    r = max(reserve, 0.0)
    growth = theta[P.reserve_growth_per_d] * growth_factor * effect * (r + theta[P.reserve_floor]) * (1.0 - r)
    return growth - theta[P.reserve_loss_per_d] * maturity * shortfall * r


@kernel
def chain_rates(theta, P, germ, epididymis, effect, capacity, d_germ, d_epi, sensitivity):
    """Fill ``d_germ`` and ``d_epi`` with the chain's rates (all compartments relative).

    ``effect`` is :func:`support_effect` of Sertoli function; ``capacity`` (Sertoli
    maturity × number × spermatogonial reserve) scales entry; ``sensitivity`` scales losses.
    """
    k_stage = N_STAGES / theta[P.spermatogenesis_duration_d]
    k_epi = N_EPIDIDYMIS / theta[P.epididymal_transit_d]
    shortfall = max(0.0, 1.0 - effect)
    loss = theta[P.germ_loss_max_per_d] * sensitivity * shortfall
    n_sensitive = int(theta[P.sensitive_fraction] * N_STAGES + 0.5)
    inflow = k_stage * capacity * min(effect, 1.0)
    for i in range(N_STAGES):
        out = k_stage * germ[i]
        d_germ[i] = inflow - out - (loss * germ[i] if i < n_sensitive else 0.0)
        inflow = out
    for j in range(N_EPIDIDYMIS):
        # relative content: relaxes at the epididymal rate towards the relative inflow
        d_epi[j] = k_epi * (inflow / k_stage - epididymis[j])
        inflow = k_stage * epididymis[j]


@kernel
def output_relative(theta, P, epididymis):
    """Sperm output relative to the reference man (last epididymal compartment)."""
    return epididymis[N_EPIDIDYMIS - 1]


@kernel
def germ_load(germ):
    """Mean germ-cell content (1 = normal), for inhibin B and testis volume."""
    total = 0.0
    for i in range(germ.shape[0]):
        total += germ[i]
    return total / germ.shape[0]


@kernel
def testis_volume_ml(theta, P, maturity, load):
    f = theta[P.testis_nongerm_fraction]
    a = theta[P.immature_testis_fraction]
    return theta[P.testis_volume_ref_ml] * (f * (a + (1.0 - a) * maturity) + (1.0 - f) * load)
