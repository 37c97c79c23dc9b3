"""emsplan: network planning for electronics brands that build through EMS partners.

The library API::

    import emsplan
    net = emsplan.examples.load("india-2023")   # or emsplan.read("network.xlsx")
    net.validate()
    net.write("network.xlsx")
    result = emsplan.plan(net)                  # the plan of least total cost
    result.write("plan/")                       # CSV + plan.xlsx + summary.json
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emsplan.core.problems import InputError, Problem, Severity
from emsplan.core.version import __version__
from emsplan.data import examples
from emsplan.data.network import Network
from emsplan.data.readers import read

if TYPE_CHECKING:
    from emsplan.planning.pipeline import PlanningError, plan
    from emsplan.results.plan import Plan

#: Names loaded on first use, so that reading and validating never import the
#: optimisation stack (linopy, xarray, the solver).
_LAZY = {
    "plan": "emsplan.planning",
    "PlanningError": "emsplan.planning",
    "Plan": "emsplan.results.plan",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'emsplan' has no attribute {name!r}")


__all__ = [
    "InputError",
    "Network",
    "Plan",
    "PlanningError",
    "Problem",
    "Severity",
    "__version__",
    "examples",
    "plan",
    "read",
]
