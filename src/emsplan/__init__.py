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

import os as _os
import signal as _signal
import sys as _sys
import threading as _threading
from typing import TYPE_CHECKING, Any


class _StopWhileLoading:
    """Ctrl-C while the ``emsplan`` program loads (imports, parsing): exit 130, no traceback.

    Installed here, the first code of emsplan that runs, and only in the program; the
    command line puts ``restore_to`` back before a command runs, so that commands see
    KeyboardInterrupt (and close what they opened)."""

    def __init__(self, restore_to: Any) -> None:
        self.restore_to = restore_to

    def __call__(self, signum: int, frame: Any) -> None:
        # to the terminal itself: an import may have redirected sys.stderr for a moment
        _os.write(2, b"Interrupted.\n")
        stop = SystemExit(130)
        stop.told = True  # type: ignore[attr-defined]  # said so: the program adds nothing
        raise stop


def _is_program() -> bool:
    """Run as ``emsplan`` or ``python -m emsplan`` (not imported by a notebook or a test)."""
    options = iter(getattr(_sys, "orig_argv", [])[1:])  # the interpreter's, up to -m
    for option in options:
        if option == "-m":
            return next(options, None) == "emsplan"
        if option in ("-X", "-W", "--check-hash-based-pycs"):
            next(options, None)  # its value
        elif not option.startswith("-") or option == "-c":
            break  # a script or a command
    name = _sys.argv[0].replace("\\", "/").rsplit("/", 1)[-1] if _sys.argv else ""
    return name in ("emsplan", "emsplan.exe", "emsplan-script.py")


if (
    _is_program()
    and _threading.current_thread() is _threading.main_thread()
    and _signal.getsignal(_signal.SIGINT) is _signal.default_int_handler  # not if ignored
):
    _signal.signal(_signal.SIGINT, _StopWhileLoading(_signal.default_int_handler))

from emsplan.core.problems import InputError, Problem, Severity  # noqa: E402
from emsplan.core.version import __version__  # noqa: E402
from emsplan.data import examples  # noqa: E402
from emsplan.data.network import Network  # noqa: E402
from emsplan.data.readers import read  # noqa: E402

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
    "robust_plan": "emsplan.scenarios.robust",
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
    "robust_plan",
]
