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
from emsplan.optimization.sites import channel_rows, effective_demand
from emsplan.optimization.solve import SolveOutcome
from emsplan.results.solution import solution


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
        "solver_race": list(outcome.race) if outcome.race else None,
        "solver_separation": outcome.separation,
        "solve_seconds": outcome.solve_seconds,
        "solver_seconds": outcome.solver_seconds,
        "timings": timings,
        "model": {
            "variables": int(model.nvars),
            "constraints": int(model.ncons),
            "type": model.type,
        },
        "periods": data.periods,
        **money(model, data, outcome.objective),
        "robust": None,  # a robust plan's (emsplan.scenarios.robust)
    }


def money(model: linopy.Model, data: PlanningData, objective: float | None) -> dict[str, Any]:
    """``objective_kind``, ``revenue`` (price x units delivered) and ``profit``: revenue
    minus the objective under cost (penalties count as costs); under profit, revenue minus
    every cost, which is the revenue of the demand that needs no option minus the
    objective. ``revenue`` and ``profit`` are null without a plan."""
    out: dict[str, Any] = {"objective_kind": data.objective, "revenue": None, "profit": None}
    if objective is None:
        return out
    open_ = solution(model, "Option-open")
    wanted = effective_demand(data, open_)
    unmet = solution(model, "Market-unmet").ravel()
    price = data.demand["price"].fillna(0.0).to_numpy(float)
    out["revenue"] = float(price @ (wanted - (unmet if unmet.size else 0.0)))
    if data.objective != "profit":
        out["profit"] = out["revenue"] - float(objective)
        return out
    fixed = np.ones(len(data.demand), dtype=bool)
    fixed[channel_rows(data)[0]] = False
    out["profit"] = float(price[fixed] @ wanted[fixed]) - float(objective)
    return out


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
