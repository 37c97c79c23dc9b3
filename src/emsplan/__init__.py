"""emsplan: network planning for electronics brands that build through EMS partners.

The library API::

    import emsplan
    net = emsplan.examples.load("india-2023")   # or emsplan.read("network.xlsx")
    net.validate()
    net.write("network.xlsx")
    result = emsplan.plan(net)                  # the plan of least total cost
    result.write("plan/")                       # CSV + plan.xlsx + summary.json
    emsplan.compare([result, other]).to_excel("comparison.xlsx")

    with emsplan.Store() as store:              # $EMSPLAN_DB, else ~/.emsplan/emsplan.db
        outcome = emsplan.plan_scenario(store, "cn-plus-20")
    emsplan.compare(["base", "cn-plus-20"])     # stored plans, by scenario or "#id"

The modules behind these names are laid out by pipeline stage (``core``, ``data``,
``validation``, ``optimization``, ``results``, ``planning``, ``store``,
``scenarios``, ``api``, ``cli``): see docs/architecture.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emsplan.core.problems import InputError, Problem, Severity
from emsplan.core.version import __version__
from emsplan.data import examples
from emsplan.data.network import Network
from emsplan.data.readers import read

if TYPE_CHECKING:
    from emsplan.optimization.solver_options import parse_solver_options
    from emsplan.planning.pipeline import PlanningError, plan
    from emsplan.results.plan import Plan
    from emsplan.scenarios.compare import Comparison, compare
    from emsplan.scenarios.stored import StoredPlan, plan_scenario
    from emsplan.store import Store, StoreError

#: Names loaded on first use, so that reading and validating never import the
#: optimisation stack (linopy, xarray, the solver).
_LAZY = {
    "plan": "emsplan.planning",
    "PlanningError": "emsplan.planning",
    "Plan": "emsplan.results.plan",
    "compare": "emsplan.scenarios.compare",
    "Comparison": "emsplan.scenarios.compare",
    "plan_scenario": "emsplan.scenarios.stored",
    "StoredPlan": "emsplan.scenarios.stored",
    "Store": "emsplan.store",
    "StoreError": "emsplan.store",
    "parse_solver_options": "emsplan.optimization.solver_options",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'emsplan' has no attribute {name!r}")


__all__ = [
    "Comparison",
    "InputError",
    "Network",
    "Plan",
    "PlanningError",
    "Problem",
    "Severity",
    "Store",
    "StoreError",
    "StoredPlan",
    "__version__",
    "compare",
    "examples",
    "parse_solver_options",
    "plan",
    "plan_scenario",
    "read",
]
