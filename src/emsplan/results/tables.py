"""The plan's tables read back from a solved model.

Every table is plain rows (no model objects), so an independent checker can
rebuild each balance and the objective from the rows and the input alone.
:func:`build_tables` makes all of them: the quantities and costs here, the
decisions in :mod:`.decisions`, the KPIs in :mod:`.kpis` and the bottlenecks in
:mod:`.bottlenecks`. What each table's columns mean is declared in
``data/schema/outputs.csv`` (:func:`emsplan.data.schema.outputs`).
"""

from __future__ import annotations

import linopy
import numpy as np
import pandas as pd

from emsplan.core.labels import production_label
from emsplan.data import schema
from emsplan.data.network import Network
from emsplan.optimization.data import PlanningData
from emsplan.optimization.local_content import allocation_terms, supplier_receipts
from emsplan.optimization.objective import CATEGORIES, OPTIONAL_CATEGORIES, unit_costs
from emsplan.optimization.terms import labels_of
from emsplan.results.bottlenecks import bottlenecks
from emsplan.results.decisions import option_decisions, policy_outcomes
from emsplan.results.kpis import kpis
from emsplan.results.solution import EPS, nonzero_rows, solution


def build_tables(
    model: linopy.Model, data: PlanningData, network: Network
) -> dict[str, pd.DataFrame]:
    """All plan tables from a solved model."""
    P = data.periods
    costs = unit_costs(data, network)
    buy = solution(model, "Supply-buy")
    make = solution(model, "Plant-make")
    ship = solution(model, "Lane-ship")
    stock = solution(model, "Site-stock")
    unmet = np.nan_to_num(np.asarray(model.variables["Market-unmet"].solution.values, float))

    arcs = data.arcs
    flows = nonzero_rows(arcs[["origin", "destination", "item", "mode"]], ship, P)
    flows["arrival_period"] = np.asarray(P, dtype=object)[
        flows["_t"] + arcs["lead_time"].to_numpy(int)[flows["_e"]]
    ]
    flows["unit_cost"] = costs["freight"][flows["_e"], flows["_t"]]
    flows["duty_rate"] = data.duty_rate[
        flows["_e"], flows["_t"] + arcs["lead_time"].to_numpy(int)[flows["_e"]]
    ]
    flows["value"] = arcs["value"].to_numpy(float)[flows["_e"]]
    preferred = _preferred(model, data)
    flows["preferential_qty"] = preferred[flows["_e"], flows["_t"]] if preferred.size else 0.0
    saving = _saving_per_unit(data)
    flows["duty_saved"] = flows["preferential_qty"] * (
        saving[flows["_e"], flows["_t"]] if saving.size else 0.0
    )
    flows["duty"] = flows["qty"] * costs["duty"][flows["_e"], flows["_t"]] - flows["duty_saved"]

    purchases = nonzero_rows(data.offers[["supplier", "item"]], buy, P)
    purchases["price"] = data.offers["price"].to_numpy(float)[purchases["_e"]]
    purchases["local_content"] = data.offers["local_content"].to_numpy(float)[purchases["_e"]]
    paid = flows.groupby(["origin", "item", "period"])["duty"].sum()
    key = pd.MultiIndex.from_frame(purchases[["supplier", "item", "period"]])
    purchases["duty"] = paid.reindex(key).fillna(0.0).to_numpy() if len(purchases) else 0.0

    production = nonzero_rows(data.production[["plant", "item"]], make, P)
    production["cost"] = costs["conversion"][production["_e"], production["_t"]]

    inventory = nonzero_rows(data.nodes[["site", "item"]], stock, P)
    inventory["holding_cost"] = costs["holding"][inventory["_e"], inventory["_t"]]

    d = data.demand
    keep = unmet > EPS
    unmet_rows = pd.DataFrame(
        {
            "market": d["market"][keep].to_numpy(),
            "item": d["item"][keep].to_numpy(),
            "period": d["period"][keep].to_numpy(),
            "qty": unmet[keep],
            "penalty": d["penalty"].astype(float)[keep].to_numpy(float),
        }
    )

    tables = {
        "purchases": purchases,
        "production": production,
        "flows": flows,
        "inventory": inventory,
        "unmet": unmet_rows,
    }
    for name in ("purchases", "production", "flows", "inventory"):
        tables[name] = tables[name].drop(columns=["_e", "_t"])
    values = {
        "Supply-buy": buy,
        "Plant-make": make,
        "Lane-ship": ship,
        "Site-stock": stock,
        "Market-unmet": unmet,
        "Option-open": solution(model, "Option-open"),
        "Site-opened": solution(model, "Site-opened"),
        "Site-closed": solution(model, "Site-closed"),
        "Supply-untaken": solution(model, "Supply-untaken"),
    }
    tables["costs"] = _costs(costs, values, data, model, preferred)
    tables["local_content"] = _local_content(data, ship, model)
    tables["kpis"] = kpis(data, tables, make, unmet, values["Option-open"])
    tables["bottlenecks"] = bottlenecks(model, data, tables["local_content"])
    tables["options"] = option_decisions(model, data)
    tables["policy"] = policy_outcomes(model, data, tables["flows"])
    declared = schema.outputs()
    tables["commitments"] = (
        _commitments(data, model, buy)
        if "Supply-commit" in model.variables
        else declared["commitments"].empty()
    )
    tables["scenarios"] = declared["scenarios"].empty()  # a robust plan's (scenarios.robust)
    return tables


def _preferred(model: linopy.Model, data: PlanningData) -> np.ndarray:
    """Units shipped at a preferential rate, per (arc, departure period)."""
    if "Trade-preferred" not in model.variables:
        return np.zeros((0, 0))
    out = np.zeros((len(data.arcs), data.n_periods))
    p = data.preferences
    np.add.at(
        out,
        (p["arc"].to_numpy(int), p["t"].to_numpy(int)),
        solution(model, "Trade-preferred").ravel(),
    )
    return out


def _saving_per_unit(data: PlanningData) -> np.ndarray:
    """Duty saved per unit shipped at the preferential rate, per (arc, departure period)."""
    if data.preferences.empty:
        return np.zeros((0, 0))
    out = np.zeros((len(data.arcs), data.n_periods))
    p = data.preferences
    out[p["arc"].to_numpy(int), p["t"].to_numpy(int)] = p["saving"].to_numpy(float)
    return out


def _commitments(data: PlanningData, model: linopy.Model, buy: np.ndarray) -> pd.DataFrame:
    """Purchases committed ahead, taken and untaken (rows with a commitment or a purchase
    where a commitment could be)."""
    committed = solution(model, "Supply-commit")
    cells = labels_of(model, "Supply-commit") >= 0
    committed = np.where(cells, committed, 0.0)
    rows = nonzero_rows(data.offers[["supplier", "item"]], committed, data.periods)
    rows = rows.rename(columns={"qty": "committed"})
    rows["taken"] = buy[rows["_e"], rows["_t"]]
    rows["untaken"] = solution(model, "Supply-untaken")[rows["_e"], rows["_t"]]
    rows["price"] = data.offers["price"].to_numpy(float)[rows["_e"]]
    return rows.drop(columns=["_e", "_t"])


def _costs(
    costs: dict[str, np.ndarray],
    values: dict[str, np.ndarray],
    data: PlanningData,
    model: linopy.Model,
    preferred: np.ndarray,
) -> pd.DataFrame:
    """Cost per category and period; duty net of preferential savings; incentives
    earned as a negative cost."""
    rows = []
    for category, coeff in costs.items():
        if category in OPTIONAL_CATEGORIES and (
            not coeff.any() or CATEGORIES[category] not in model.variables
        ):
            continue  # only plans with sites' one-off costs, a profit objective or
            # commitments (two-stage plans, stress tests) show these
        x = values[CATEGORIES[category]]
        per_period: np.ndarray
        if category in ("penalty", "lost_revenue"):
            per_period = np.bincount(
                data.demand["t"].to_numpy(int), weights=coeff * x, minlength=data.n_periods
            )
        else:
            per_period = (coeff * x).sum(axis=0) if x.size else np.zeros(data.n_periods)
        if category == "duty" and preferred.size:
            per_period = per_period - (preferred * _saving_per_unit(data)).sum(axis=0)
        rows += [(category, p, float(v)) for p, v in zip(data.periods, per_period, strict=True)]
    if "Incentive-earned" in model.variables:
        earned = np.bincount(
            data.incentives["t"].to_numpy(int),
            weights=solution(model, "Incentive-earned").ravel(),
            minlength=data.n_periods,
        )
        rows += [("incentives", p, -float(v)) for p, v in zip(data.periods, earned, strict=True)]
    return pd.DataFrame(rows, columns=["category", "period", "value"])


def _local_content(data: PlanningData, ship: np.ndarray, model: linopy.Model) -> pd.DataFrame:
    """Local and whole value of purchased content per scope and period.

    With network or plant targets, the content consumed (basis ``consumed``,
    from the ``Plant-alloc`` attribution): network-wide and per plant; with
    product targets, per product. Without them, the value of supplier
    deliveries received network-wide (basis ``received``).
    """
    frames = []
    for kind in ("Plant", "Product"):
        if kind not in data.allocations or data.allocations[kind].empty:
            continue
        terms = allocation_terms(data, kind)
        x = solution(model, f"{kind}-alloc")
        terms["total_value"] = x[terms["alloc"], terms["t"]] * terms["value"]
        terms["local_value"] = terms["total_value"] * terms["local_content"]
        scopes = ["plant"] if kind == "Plant" else ["product"]
        if kind == "Plant":
            frames.append(_sum_by(terms.assign(scope="network"), data))
        for column in scopes:
            frames.append(_sum_by(terms.assign(scope=terms[column]), data))
    frames.append(_value_addition(data, model))
    if len(frames) == 1 and frames[0].empty:
        r = supplier_receipts(data)
        r["total_value"] = (ship[r["arc"], r["t"]] if len(r) else 0.0) * r["value"]
        r["local_value"] = r["total_value"] * r["local_content"]
        frames.append(_sum_by(r.assign(scope="network", t=r["arrival"]), data, "received"))
    out = pd.concat(frames, ignore_index=True)
    whole = out["total_value"].to_numpy(float)
    share = np.divide(
        out["local_value"].to_numpy(float), whole, where=whole > 0, out=np.full(len(out), np.nan)
    )
    out["share"] = share
    out = out.join(_targets_of(data, out))
    out["period"] = np.asarray(data.periods, dtype=object)[out["t"].to_numpy(int)]
    columns = ["scope", "period", "local_value", "total_value", "share", "target"]
    return out[[*columns, "growth", "base_share", "basis"]]


def _targets_of(data: PlanningData, out: pd.DataFrame) -> pd.DataFrame:
    """The effective target of each measured row, its growth and base share.

    ``target`` = max(min_local_share, (1 + growth) x base); the base is the given
    ``base_share`` (folded into ``min_local_share`` already) or the plan's own share of
    the scope in the base period (0 when the scope has no content then: the model's
    band 0)."""
    columns = ["min_local_share", "growth", "base_share", "base_t"]
    key = pd.MultiIndex.from_frame(out[["scope", "t"]])
    rows = data.targets.set_index(["scope", "t"])[columns].reindex(key)
    base_t = rows["base_t"].fillna(-1).to_numpy(int)
    relative = base_t >= 0
    own = pd.Series(out["share"].to_numpy(float), index=key)
    own = own[~own.index.duplicated()]
    at_base = pd.MultiIndex.from_arrays([out["scope"].to_numpy(), base_t])
    plan_base = np.nan_to_num(own.reindex(at_base).to_numpy(float), nan=0.0)
    base = np.where(relative, plan_base, rows["base_share"].to_numpy(float))
    pledged = (1.0 + rows["growth"].to_numpy(float)) * plan_base
    target = rows["min_local_share"].to_numpy(float)
    target = np.where(relative, np.fmax(target, pledged), target)
    return pd.DataFrame(
        {"target": target, "growth": rows["growth"].to_numpy(float), "base_share": base},
        index=out.index,
    )


def _value_addition(data: PlanningData, model: linopy.Model) -> pd.DataFrame:
    """DVA per plant and product and period (basis ``dva``, scope ``plant/product``):
    (value of the product made - value of its imported inputs) / value of the product,
    the product valued at its customs (FOB) value and its inputs at the allocation's
    offers (the non-local part of each). Needs the product allocation (built with
    product targets, incentives or trade rules)."""
    columns = ["scope", "t", "local_value", "total_value", "basis"]
    alloc = data.allocations.get("Product")
    if alloc is None or alloc.empty:
        return pd.DataFrame(columns=columns)
    terms = allocation_terms(data, "Product")
    x = solution(model, "Product-alloc")
    terms["imported"] = (
        x[terms["alloc"], terms["t"]] * terms["value"] * (1 - terms["local_content"])
    )
    imported = terms.groupby(["plant", "product", "t"])["imported"].sum()
    prod = data.production
    make = solution(model, "Plant-make")
    e, t = np.nonzero(make > EPS)
    value = prod["item"].map(data.item_value).fillna(0.0).to_numpy(float)
    made = pd.DataFrame(
        {
            "plant": prod["plant"].to_numpy()[e],
            "product": prod["item"].to_numpy()[e],
            "t": t,
            "total_value": make[e, t] * value[e],
        }
    )
    made = made[made["product"].isin(set(alloc["product"]))]
    made["imported"] = (
        imported.reindex(pd.MultiIndex.from_frame(made[["plant", "product", "t"]]))
        .fillna(0.0)
        .to_numpy()
    )
    made["local_value"] = made["total_value"] - made["imported"]
    made["scope"] = production_label(made["plant"], made["product"])
    return made.assign(basis="dva")[columns]


def _sum_by(terms: pd.DataFrame, data: PlanningData, basis: str = "consumed") -> pd.DataFrame:
    """Local and whole value per (scope, period), with a row for every period."""
    sums = terms.groupby(["scope", "t"])[["local_value", "total_value"]].sum()
    full = pd.MultiIndex.from_product(
        [terms["scope"].unique(), range(data.n_periods)], names=["scope", "t"]
    )
    return sums.reindex(full, fill_value=0.0).reset_index().assign(basis=basis)
