"""Planning one network end to end: validate, build, solve, read the plan back, and
explain an infeasible model in the planner's words."""

from __future__ import annotations

from emsplan.planning.pipeline import PlanningError, plan

__all__ = ["PlanningError", "plan"]
