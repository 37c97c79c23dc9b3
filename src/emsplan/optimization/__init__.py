"""The planning model: index sets, variables, constraint families, objective."""

from __future__ import annotations

from emsplan.optimization.optimize import SolveOutcome, create_model, solve_model
from emsplan.optimization.sets import PlanningData, prepare

__all__ = ["PlanningData", "SolveOutcome", "create_model", "prepare", "solve_model"]
