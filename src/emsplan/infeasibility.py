"""Explain an infeasible plan in the planner's words (placeholder replaced below)."""

from __future__ import annotations

from emsplan.network import Network
from emsplan.optimization.sets import PlanningData


def explain(network: Network, data: PlanningData, solver_name: str = "highs") -> list[str]:
    return []
