"""Aromatase inhibitors: anastrozole and letrozole.

Inhibition of whole-body aromatization is I = Imax·C/(C + IC50) (``Effect.efficacy`` is
Imax). In women 1 mg anastrozole inhibits 96.7 % (Geisler 1996); in men E2 falls only
~50 % because T rises and part of E2 is testicular, which the physiology represents.
"""

from .pk import AROMATASE, Effect, Product, Release, Route, Species

SPECIES = (
    Species(
        "anastrozole", "ng/mL", half_life_d=50.0 / 24.0, volume_l=70.0,
        effect=Effect(AROMATASE, 20.63, 0.97, "Imax: Geisler 1996 (96.7 %); IC50 calibrated: anastrozole_men"),
        source="t½ ~50 h (Arimidex label monograph); V/F assumed 70 L (Css ~20 ng/mL at 1 mg/d)",
    ),
    Species(
        "letrozole", "ng/mL", half_life_d=2.0, volume_l=130.0,
        effect=Effect(AROMATASE, 14.47, 0.99, "Imax: Geisler 2005 (> 98 % for third-generation AIs); IC50 calibrated: letrozole_young_men"),
        source="assumed: label-typical t½ ~2 d and V ~1.9 L/kg (not in the project's references)",
    ),
)

PRODUCTS = (
    Product(
        "anastrozole", "aromatase_inhibitors", "Anastrozole (Arimidex)", "mass",
        routes=(Route("oral", (Release("anastrozole", 1.0, 0.85, 0.04, "Tmax ~2 h (label); F assumed 0.85"),),
                      (0.25, 1.0), 20.0, "every 1-3.5 d (1 mg daily; 0.5-1 mg twice weekly off-label)"),),
        source="Arimidex label; Veldhuis & Iranmanesh 2005",
    ),
    Product(
        "letrozole", "aromatase_inhibitors", "Letrozole (Femara)", "mass",
        routes=(Route("oral", (Release("letrozole", 1.0, 1.0, 0.04, "rapid oral absorption (assumed)"),),
                      (1.25, 2.5), 50.0, "every 1 d"),),
        source="T'Sjoen 2005",
    ),
)
