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

from emsplan import examples
from emsplan.io import read
from emsplan.network import Network
from emsplan.problems import InputError, Problem, Severity

if TYPE_CHECKING:
    from emsplan.planning import PlanningError, plan
    from emsplan.results import Plan

#: Names loaded on first use, so that reading and validating never import the
#: optimisation stack (linopy, xarray, the solver).
_LAZY = {"plan": "emsplan.planning", "PlanningError": "emsplan.planning", "Plan": "emsplan.results"}


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
    "examples",
    "plan",
    "read",
]
__version__ = "0.1.0"
