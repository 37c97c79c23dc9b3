"""The plan: its tables read back from a solved model (:mod:`.tables`, :mod:`.decisions`,
:mod:`.kpis`, :mod:`.bottlenecks`), its summary, and writing it (:mod:`.writer`).
:class:`~emsplan.results.plan.Plan` holds them."""

from __future__ import annotations

from emsplan.results.plan import Plan

__all__ = ["Plan"]
