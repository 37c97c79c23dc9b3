"""The plan's headline facts, as written to ``summary.json``."""

from __future__ import annotations

import json
from typing import Any

import linopy

from emsplan.data.network import Network
from emsplan.optimization.data import PlanningData
from emsplan.optimization.solve import SolveOutcome


def summary(
    outcome: SolveOutcome,
    model: linopy.Model,
    data: PlanningData,
    network: Network,
    timings: dict[str, float],
) -> dict[str, Any]:
    """The plan's headline facts, as written to ``summary.json``."""
    return {
        "network": network.name,
        "status": outcome.status,
        "termination_condition": outcome.termination,
        "optimal": outcome.optimal,
        "objective": outcome.objective,
        "currency": network.currency,
        "mip_gap": outcome.mip_gap,
        "best_bound": outcome.best_bound,
        "solver": outcome.solver,
        "solver_options": {k: v for k, v in outcome.options.items() if k != "output_flag"},
        "solve_seconds": outcome.solve_seconds,
        "solver_seconds": outcome.solver_seconds,
        "timings": timings,
        "model": {
            "variables": int(model.nvars),
            "constraints": int(model.ncons),
            "type": model.type,
        },
        "periods": data.periods,
    }


def to_json(summary_dict: dict[str, Any]) -> str:
    return json.dumps(summary_dict, indent=2, default=float)
