"""hpgsim: a mechanistic simulator of the male hypothalamic-pituitary-gonadal axis.

For research and education; not medical advice.

>>> import hpgsim
>>> scenario = hpgsim.load_scenario("examples/baseline.yaml")
>>> frame = hpgsim.simulate(scenario).to_pandas()
"""

from ._cache import configure as _configure_cache

_configure_cache()

from .scenario import Scenario, ScenarioError, load_scenario  # noqa: E402
from .simulate import Result, simulate  # noqa: E402

__all__ = ["Scenario", "ScenarioError", "Result", "load_scenario", "simulate"]
__version__ = "0.1.0"
