"""One PK/PD machinery for every product: depots → central compartments → a target.

A product is data, not code. It names the circulating *species* it delivers (testosterone,
hCG, enclomiphene and zuclomiphene, tamoxifen and its metabolite, ...), and for each route
how a dose reaches them: the share of the dose, the bioavailability, and first-order
absorption from a depot (or straight into blood), optionally through one transit
compartment that delays the peak (an ester in oil must leave the oil and be hydrolysed). Each species has one central compartment
with linear elimination and, optionally, forms a metabolite. Its PD link is one
:class:`Effect` on a mechanism of the physiology. Adding a product means adding data here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..units import T_MOLAR_MASS_G_MOL

# Mechanisms a species can act on (the PD targets of the physiology).
SERUM_TESTOSTERONE = 0
LH_RECEPTOR = 1
FSH_RECEPTOR = 2
ESTROGEN_RECEPTOR = 3
AROMATASE = 4
GNRH_AGONIST = 5
GNRH_ANTAGONIST = 6
TARGET_NAMES = {
    SERUM_TESTOSTERONE: "serum testosterone",
    LH_RECEPTOR: "LH receptor (Leydig cells)",
    FSH_RECEPTOR: "FSH receptor (Sertoli cells)",
    ESTROGEN_RECEPTOR: "estrogen receptor (hypothalamus, pituitary)",
    AROMATASE: "aromatase",
    GNRH_AGONIST: "GnRH receptor (agonist)",
    GNRH_ANTAGONIST: "GnRH receptor (antagonist)",
}

AMOUNT_PER_MG = {"ng/mL": 1e3, "pg/mL": 1e6, "nmol/L": 1e6 / T_MOLAR_MASS_G_MOL}
"""Amount units per mg of drug such that amount / volume (L) is the concentration unit."""


@dataclass(frozen=True)
class Effect:
    """The PD link: which mechanism, how potent (in the species' concentration unit).

    ``potency`` is a K_i / K_D / IC50 for receptors and enzymes, an LH- or FSH-equivalence
    for gonadotropins; ``None`` for a GnRH agonist means "as native GnRH".
    ``efficacy`` is the partial agonism of an ER ligand, or the maximal inhibition of an
    enzyme inhibitor.
    """

    target: int
    potency: float | None
    efficacy: float = 0.0
    source: str = ""


@dataclass(frozen=True)
class Species:
    """A circulating drug entity with one central compartment.

    Testosterone has no central compartment of its own: its doses feed the physiology's
    serum T, which the body clears like its own.
    """

    name: str
    unit: str
    half_life_d: float
    volume_l: float
    effect: Effect
    source: str
    metabolite: str | None = None
    metabolite_fraction: float = 0.0

    @property
    def has_central(self) -> bool:
        return self.effect.target != SERUM_TESTOSTERONE

    @property
    def ke_per_d(self) -> float:
        return math.log(2.0) / self.half_life_d


@dataclass(frozen=True)
class Release:
    """How a share of a dose reaches a species by one route.

    With ``transit_half_life_d`` the depot empties into a transit compartment, which
    empties into the species: the input rate then rises from zero and peaks at
    ln(ka/ktr)/(ka - ktr) instead of at the dose (Bateman; Savic et al., J Pharmacokinet
    Pharmacodyn 2007;34:711, for transit compartments in absorption models).
    """

    species: str
    fraction: float = 1.0
    bioavailability: float = 1.0
    absorption_half_life_d: float | None = None
    source: str = ""
    transit_half_life_d: float | None = None

    def __post_init__(self):
        if self.transit_half_life_d is not None and self.absorption_half_life_d is None:
            raise ValueError(f"release of {self.species}: a transit compartment needs a depot "
                             "(absorption_half_life_d) to empty into it")


@dataclass(frozen=True)
class Route:
    """One way of giving a product, with its usual and refused dose ranges."""

    name: str
    releases: tuple[Release, ...]
    usual_dose: tuple[float, float]
    max_dose: float
    usual_schedule: str
    source: str = ""


@dataclass(frozen=True)
class Product:
    """A drug as sold: name, dose unit, routes. Its doses are in ``dose_kind`` units."""

    name: str
    family: str
    description: str
    dose_kind: str  # "mass" (mg) or "activity" (IU)
    routes: tuple[Route, ...]
    source: str = ""
    pump_species: str | None = None

    @property
    def route_names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.routes)

    @property
    def default_route(self) -> str:
        return self.routes[0].name

    def route(self, name: str) -> Route:
        for r in self.routes:
            if r.name == name:
                return r
        raise KeyError(name)

    @property
    def dose_unit(self) -> str:
        return "mg" if self.dose_kind == "mass" else "IU"


def amount_per_dose_unit(species: Species, dose_kind: str) -> float:
    """Species amount delivered per mg (mass doses) or per IU (activity doses)."""
    if dose_kind == "activity":
        return 1.0
    return AMOUNT_PER_MG[species.unit]


@dataclass
class CompiledLibrary:
    """The library as flat arrays for the compiled right-hand side.

    ``doses[(product, route)]`` lists ``(compartment kind, index, amount per dose unit)``
    with kind ``"depot"`` or ``"central"`` (or ``"serum_t"`` for testosterone given
    straight into blood). ``depot_next[d]`` is the transit depot that depot ``d`` empties
    into, or -1 when it empties into its species.
    """

    species: tuple[Species, ...]
    species_index: dict[str, int]
    depot_labels: tuple[str, ...]
    depot_ka: np.ndarray
    depot_species: np.ndarray
    depot_next: np.ndarray
    ke: np.ndarray
    volume: np.ndarray
    has_central: np.ndarray
    target: np.ndarray
    potency: np.ndarray
    efficacy: np.ndarray
    metabolite: np.ndarray
    metabolite_fraction: np.ndarray
    doses: dict[tuple[str, str], list[tuple[str, int, float]]] = field(default_factory=dict)


def compile_library(species: tuple[Species, ...], products: tuple[Product, ...]) -> CompiledLibrary:
    """Lay out depots and central compartments and resolve every dose path."""
    index = {s.name: i for i, s in enumerate(species)}
    depot_labels: list[str] = []
    depot_ka: list[float] = []
    depot_species: list[int] = []
    depot_next: list[int] = []
    doses: dict[tuple[str, str], list[tuple[str, int, float]]] = {}
    for product in products:
        for route in product.routes:
            paths = []
            for rel in route.releases:
                sp = species[index[rel.species]]
                amount = rel.fraction * rel.bioavailability * amount_per_dose_unit(sp, product.dose_kind)
                if rel.absorption_half_life_d is None:
                    kind = "central" if sp.has_central else "serum_t"
                    paths.append((kind, index[rel.species], amount))
                    continue
                label = f"{product.name}:{route.name}:{rel.species}:{len(paths)}"
                paths.append(("depot", len(depot_labels), amount))
                half_lives = [rel.absorption_half_life_d]
                if rel.transit_half_life_d is not None:
                    half_lives.append(rel.transit_half_life_d)
                for k, half_life in enumerate(half_lives):
                    depot_labels.append(label + (":transit" if k else ""))
                    depot_ka.append(math.log(2.0) / half_life)
                    depot_species.append(index[rel.species])
                    depot_next.append(len(depot_labels) if k + 1 < len(half_lives) else -1)
            doses[(product.name, route.name)] = paths
    # a potency of -1 means "taken from the physiology" (native GnRH K_D, hCG LH-equivalence)
    potency = np.array([-1.0 if s.effect.potency is None else s.effect.potency for s in species])
    return CompiledLibrary(
        species=species,
        species_index=index,
        depot_labels=tuple(depot_labels),
        depot_ka=np.array(depot_ka, dtype=float),
        depot_species=np.array(depot_species, dtype=np.int64),
        depot_next=np.array(depot_next, dtype=np.int64),
        ke=np.array([s.ke_per_d for s in species]),
        volume=np.array([s.volume_l for s in species]),
        has_central=np.array([s.has_central for s in species]),
        target=np.array([s.effect.target for s in species], dtype=np.int64),
        potency=potency,
        efficacy=np.array([s.effect.efficacy for s in species]),
        metabolite=np.array(
            [index[s.metabolite] if s.metabolite else -1 for s in species], dtype=np.int64
        ),
        metabolite_fraction=np.array([s.metabolite_fraction for s in species]),
        doses=doses,
    )
