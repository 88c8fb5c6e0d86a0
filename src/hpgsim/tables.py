"""Plain-text tables of the drug library and the parameter tables (for the CLI)."""

from __future__ import annotations

import textwrap

from .drugs import PRODUCTS
from .drugs.pk import TARGET_NAMES
from .model import calibrated_species, parameter_set


def _wrap(text: str, width: int = 96, indent: str = "      ") -> str:
    return textwrap.fill(text, width=width, initial_indent=indent, subsequent_indent=indent)


def drug_table() -> str:
    lines = ["hpgsim drug library (doses per administration; not medical advice)", ""]
    calibrated = calibrated_species()
    species = {s.name: s for s in calibrated}
    for p in PRODUCTS.values():
        lines.append(f"{p.name}  [{p.family}]  {p.description}")
        for r in p.routes:
            lo, hi = r.usual_dose
            unit = p.dose_unit
            lines.append(f"  route {r.name:<11} usual {lo:g}-{hi:g} {unit}, {r.usual_schedule}; "
                         f"refused above {r.max_dose:g} {unit} unless allow_unusual_dose")
            for rel in r.releases:
                sp = species[rel.species]
                absorb = ("direct" if rel.absorption_half_life_d is None
                          else f"absorption t1/2 {rel.absorption_half_life_d * 24:.3g} h")
                if rel.transit_half_life_d is not None:
                    absorb += f" then transit t1/2 {rel.transit_half_life_d * 24:.3g} h"
                lines.append(f"    -> {sp.name}: share {rel.fraction:.3g}, F {rel.bioavailability:.3g}, {absorb}")
                if rel.source:
                    lines.append(_wrap("source: " + rel.source))
        if p.source:
            lines.append(_wrap("product source: " + p.source, indent="  "))
        lines.append("")
    lines.append("Circulating species (PK and PD target)")
    for s in calibrated:
        pot = "physiology" if s.effect.potency is None else f"{s.effect.potency:g}"
        lines.append(f"  {s.name:<30} t1/2 {s.half_life_d:.3g} d, V {s.volume_l:g} L, unit {s.unit}; "
                     f"acts on {TARGET_NAMES[s.effect.target]} (potency {pot})")
        lines.append(_wrap("source: " + s.source + ("; effect: " + s.effect.source if s.effect.source else "")))
    return "\n".join(lines)


def parameter_tables(module: str | None = None) -> str:
    params = parameter_set()
    tables = [t for t in params.tables if module is None or t.module == module]
    if not tables:
        raise KeyError(f"unknown module {module!r}; modules: {', '.join(t.module for t in params.tables)}")
    lines = []
    for t in tables:
        if not t.parameters:
            continue
        lines.append(f"== {t.module}: {t.title}")
        lines.append(f"  {'name':<34} {'value':>10} {'unit':<14} {'range':<20} {'IIV CV':>6}")
        for p in t.parameters:
            rng = f"{p.low:g}-{p.high:g}"
            cv = "" if p.iiv_cv is None else f"{p.iiv_cv:.0%}"
            lines.append(f"  {p.name:<34} {p.value:>10.4g} {p.unit:<14} {rng:<20} {cv:>6}")
            lines.append(_wrap(f"{p.description}. Source: {p.source}"))
        lines.append("")
    return "\n".join(lines)
