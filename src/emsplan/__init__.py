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

from emsplan import examples
from emsplan.io import read
from emsplan.network import Network
from emsplan.planning import PlanningError, plan
from emsplan.problems import InputError, Problem, Severity
from emsplan.results import Plan

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
