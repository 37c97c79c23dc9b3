"""Explain an infeasible plan in the planner's words.

A plan can be infeasible only through hard requirements: demand rows whose
penalty is blank (must be delivered in full) and local-content targets (and,
with discrete options, contract minimums). To explain it, emsplan re-solves an
*elastic* copy: hard demand may go short and every target may fall short of
its local value, and the objective is only the total shortfall (undelivered
units valued at their price, and missing local value). The rows that still
fall short are the requirements that cannot be met together; the capacities
whose duals are non-zero in that re-solve are what limits them.
"""

from __future__ import annotations

import linopy
import numpy as np
import xarray as xr

from emsplan.core.labels import split_at_period
from emsplan.core.outcomes import SolverStatus
from emsplan.data.network import Network
from emsplan.optimization.build import create_model
from emsplan.optimization.data import PlanningData
from emsplan.optimization.solve import solve_model
from emsplan.optimization.variables import coord

EPS = 1e-6

#: The shortfall variables of an elastic model: of the targets of each scope, then of the
#: relative targets whose base is the plan's own share.
SHORTFALLS = [
    f"Target-shortfall-{relative}{kind}"
    for relative in ("", "relative-")
    for kind in ("network", "plant", "product")
]
#: The columns of the plan's local_content table that describe a relative target.
RELATIVE = ("growth", "base_share")

#: How each capacity family is named to a planner.
LIMITS = {
    "Supply-capacity": ("supply of", "units a period"),
    "Resource-capacity": ("capacity of resource", "units a period"),
    "Lane-capacity": ("capacity of lane", "units a period"),
    "Site-storage": ("storage at", "units"),
}


def explain(network: Network, data: PlanningData, solver_name: str = "highs") -> list[str]:
    """Sentences naming the requirements that cannot be met and what limits them."""
    soft = network.copy()
    hard = soft.demand["penalty"].isna().to_numpy()
    soft.demand["penalty"] = soft.demand["penalty"].fillna(0.0)
    model, data = create_model(soft, elastic=True)
    unmet = model.variables["Market-unmet"]
    price = data.demand["price"].to_numpy(float)
    weight = np.where(hard, np.where(price > 0, price, 1.0), 0.0)
    objective = (unmet * xr.DataArray(weight, coords=[coord(data, "demand")])).sum()
    for name in SHORTFALLS:
        if name in model.variables:
            objective = objective + model.variables[name].sum()
    model.add_objective(objective, overwrite=True)
    outcome = solve_model(model, solver_name)
    if outcome.status is not SolverStatus.OK:
        return [
            "The model is infeasible and its elastic version could not be solved either "
            f"({outcome.termination}); check the input for contradictory requirements."
        ]
    lines = _demand_lines(data, np.asarray(unmet.solution.values, float), hard)
    lines += _target_lines(model, data, network)
    limits = _limits(model, data)
    if limits:
        lines.append("Limited by: " + "; ".join(limits) + ".")
    return lines


def _demand_lines(data: PlanningData, unmet: np.ndarray, hard: np.ndarray) -> list[str]:
    d = data.demand
    lines = []
    qtys = d["qty"].to_numpy(float)
    for i in np.flatnonzero(hard & (unmet > EPS)):
        qty = float(qtys[i])
        item, market, period = (str(d[c].to_numpy()[i]) for c in ("item", "market", "period"))
        lines.append(
            f"Demand for {qty:,.6g} {item} at {market} in {period} must be delivered in full "
            f"(its penalty is blank), but at most {qty - unmet[i]:,.6g} can be: "
            f"{unmet[i]:,.6g} short."
        )
    return lines


def _target_lines(model: linopy.Model, data: PlanningData, network: Network) -> list[str]:
    from emsplan.results.tables import build_tables

    lines = []
    lc = None
    for name in SHORTFALLS:
        if name not in model.variables:
            continue
        kind = name.rsplit("-", 1)[1]
        relative = "-relative-" in name
        short = model.variables[name].solution.to_series()
        for label, value in short[short > EPS].items():
            if lc is None:
                lc = build_tables(model, data, network)["local_content"]
            scope, period = split_at_period(str(label))
            row = lc[(lc["scope"] == scope) & (lc["period"] == period)]
            target = float(row["target"].iloc[0]) if len(row) else float("nan")
            share = row["share"].iloc[0] if len(row) else float("nan")
            where = {
                "network": "across the network",
                "plant": f"at plant {scope}",
                "product": f"for product {scope}",
            }[kind]
            reached = (
                f"the highest share reachable alongside the other requirements is {share:.1%}"
                if share == share
                else "no purchased content arrives then"
            )
            if relative:
                growth, base = (float(row[c].iloc[0]) if len(row) else 0.0 for c in RELATIVE)
                what = (
                    f"Relative target: a local share {where} in {period} of {1 + growth:g} x "
                    f"the base share {base:.1%} = {target:.1%}"
                )
            else:
                what = f"Target {target:.0%} local share {where} in {period}"
            lines.append(
                f"{what} cannot be met: {reached} "
                f"(short of {value:,.0f} {network.currency} of local content)."
            )
    return lines


def _limits(model: linopy.Model, data: PlanningData) -> list[str]:
    out = []
    for name, (what, unit) in LIMITS.items():
        if name not in model.constraints:
            continue
        con = model.constraints[name]
        dual = con.dual.to_series()
        rhs = con.rhs.to_series()
        for key in dual.index[dual.abs() > EPS]:
            element, period = key if isinstance(key, tuple) else (key, "")
            out.append(f"{what} {element} in {period} ({rhs[key]:,.6g} {unit}, fully used)")
    return out[:12]
