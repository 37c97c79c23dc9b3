"""The plan's headline facts, as written to ``summary.json``.

``summary.json`` is strict JSON (RFC 8259): a number that is not finite (an infinite
gap, a missing bound) is written as ``null``, never as ``Infinity`` or ``NaN``, which
JSON readers (and PostgreSQL's JSON columns) refuse.
"""

from __future__ import annotations

import json
import math
from typing import Any

import linopy
import numpy as np

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
    """``summary_dict`` as strict JSON: non-finite numbers as ``null`` (see
    :func:`finite`); raises ValueError rather than write anything else."""
    return json.dumps(finite(summary_dict), indent=2, default=float, allow_nan=False)


def finite(value: Any) -> Any:
    """``value`` with every number that is not finite (inf, -inf, nan) replaced by None,
    in nested dicts, lists and tuples; numpy scalars become Python numbers."""
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
