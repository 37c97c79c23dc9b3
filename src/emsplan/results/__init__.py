"""The plan: its tables read back from a solved model (:mod:`.tables`, :mod:`.decisions`,
:mod:`.kpis`, :mod:`.bottlenecks`), its summary, and writing it (:mod:`.writer`).
:class:`~emsplan.results.plan.Plan` holds them.

``Plan`` is loaded on first use, so that importing :mod:`.writer` (the command line does,
for its checks of a plan folder) does not import the optimisation stack."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emsplan.results.plan import Plan

__all__ = ["Plan"]


def __getattr__(name: str) -> Any:
    if name == "Plan":
        from emsplan.results.plan import Plan

        return Plan
    raise AttributeError(f"module 'emsplan.results' has no attribute {name!r}")
