"""The drug library: every product is data on the shared PK/PD machinery in ``pk``.

One module per drug family; ``LIBRARY`` collects them. ``hpgsim drugs`` prints it.
"""

from . import aromatase_inhibitors, gnrh_analogues, gonadotropins, hcg, serms, testosterone
from .pk import Product, Species

FAMILIES = (testosterone, hcg, serms, aromatase_inhibitors, gnrh_analogues, gonadotropins)

SPECIES: tuple[Species, ...] = tuple(s for f in FAMILIES for s in f.SPECIES)
PRODUCTS: dict[str, Product] = {p.name: p for f in FAMILIES for p in f.PRODUCTS}
