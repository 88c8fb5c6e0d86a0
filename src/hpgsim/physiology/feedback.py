"""Sex-steroid receptor signals shared by the hypothalamus and the pituitary.

Androgen feedback acts through the androgen receptor (free testosterone); estrogen feedback
through the estrogen receptor (estradiol), which SERMs compete for. Keeping the two as
separate signals is what lets a SERM remove the estrogen part only and an aromatase
inhibitor lower E2 without touching the androgen part. Both are 1 in the reference man
(free T of the reference total T and SHBG; the reference E2), so they have no parameters
of their own.
"""

from ..compiled import kernel
from ..parameters import table

PARAMETERS = table("feedback", "Androgen- and estrogen-receptor feedback signals", [])


@kernel
def androgen_signal(free_t_pmol_l, free_t_ref):
    """Androgen-receptor signal relative to the reference man (1 at baseline)."""
    return free_t_pmol_l / free_t_ref


@kernel
def estrogen_signal(e2_pg_ml, e2_ref, serm_load, serm_agonism):
    """Estrogen-receptor signal: E2 relative to reference under competing SERMs.

    ``serm_load`` is Σ C_i/Ki_i. Competitive antagonism divides the agonist's effective
    concentration by (1 + load); ``serm_agonism`` (Σ efficacy_i·C_i/Ki_i) adds the partial
    agonist activity some SERMs keep (zuclomiphene).
    """
    return (e2_pg_ml / e2_ref + serm_agonism) / (1.0 + serm_load)
