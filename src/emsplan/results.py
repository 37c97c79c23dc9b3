"""The written plan: tables read back from a solved model, KPIs and bottlenecks.

Every table is plain rows (no model objects), so an independent checker can
rebuild each balance and the objective from the rows and the input alone:
``purchases``, ``production``, ``flows``, ``inventory``, ``unmet``,
``local_content``, ``costs``, ``kpis``, ``bottlenecks``; and ``summary``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import linopy
import numpy as np
import pandas as pd

from emsplan.network import Network
from emsplan.optimization.local_content import allocation_terms, supplier_receipts
from emsplan.optimization.objective import CATEGORIES, unit_costs
from emsplan.optimization.optimize import SolveOutcome
from emsplan.optimization.sets import PlanningData

#: Quantities below this are solver noise and are not written.
EPS = 1e-7

TABLES = (
    "purchases",
    "production",
    "flows",
    "inventory",
    "unmet",
    "local_content",
    "costs",
    "kpis",
    "bottlenecks",
)


@dataclass
class Plan:
    """A solved plan: its tables (DataFrames) and its summary (a dict)."""

    tables: dict[str, pd.DataFrame]
    summary: dict[str, Any]
    network: Network | None = None
    model: linopy.Model | None = None
    data: PlanningData | None = None
    timings: dict[str, float] = field(default_factory=dict)
    #: HiGHS solution of a MIP solve (written as ``solution.sol``; a warm start).
    solution_text: str | None = None

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables")
        if tables is not None and name in tables:
            return tables[name]
        raise AttributeError(f"Plan has no table or attribute {name!r}")

    @property
    def objective(self) -> float:
        return float(self.summary["objective"])

    def write(self, out: str | Path, fmt: str = "csv", workbook: bool | None = None) -> Path:
        """Write every table (``csv`` or ``parquet``), a workbook and ``summary.json``.

        ``workbook=None`` writes ``plan.xlsx`` only for plans of at most
        :data:`emsplan.plan_io.WORKBOOK_ROWS` rows; True or False decides."""
        from emsplan.plan_io import write_plan

        return write_plan(self, Path(out), fmt, workbook)


def _solution(model: linopy.Model, name: str) -> np.ndarray:
    if name not in model.variables:
        return np.zeros((0, 0))
    return np.nan_to_num(np.asarray(model.variables[name].solution.values, dtype=float))


def _rows(frame: pd.DataFrame, values: np.ndarray, periods: list[str]) -> pd.DataFrame:
    """One row per (element of ``frame``, period) with a non-zero quantity."""
    e, t = np.nonzero(np.abs(values) > EPS)
    out = frame.iloc[e].reset_index(drop=True)
    out.insert(len(out.columns), "period", np.asarray(periods, dtype=object)[t])
    out["qty"] = values[e, t]
    out["_e"], out["_t"] = e, t
    return out


def build_tables(
    model: linopy.Model, data: PlanningData, network: Network
) -> dict[str, pd.DataFrame]:
    """All plan tables from a solved model."""
    P = data.periods
    costs = unit_costs(data, network)
    buy = _solution(model, "Supply-buy")
    make = _solution(model, "Plant-make")
    ship = _solution(model, "Lane-ship")
    stock = _solution(model, "Site-stock")
    unmet = np.nan_to_num(np.asarray(model.variables["Market-unmet"].solution.values, float))

    arcs = data.arcs
    flows = _rows(arcs[["origin", "destination", "item", "mode"]], ship, P)
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

    purchases = _rows(data.offers[["supplier", "item"]], buy, P)
    purchases["price"] = data.offers["price"].to_numpy(float)[purchases["_e"]]
    purchases["local_content"] = data.offers["local_content"].to_numpy(float)[purchases["_e"]]
    paid = flows.groupby(["origin", "item", "period"])["duty"].sum()
    key = pd.MultiIndex.from_frame(purchases[["supplier", "item", "period"]])
    purchases["duty"] = paid.reindex(key).fillna(0.0).to_numpy() if len(purchases) else 0.0

    production = _rows(data.production[["plant", "item"]], make, P)
    production["cost"] = costs["conversion"][production["_e"], production["_t"]]

    inventory = _rows(data.nodes[["site", "item"]], stock, P)
    inventory["holding_cost"] = costs["holding"][inventory["_e"], inventory["_t"]]

    d = data.demand
    keep = unmet > EPS
    unmet_rows = pd.DataFrame(
        {
            "market": d["market"][keep].to_numpy(),
            "item": d["item"][keep].to_numpy(),
            "period": d["period"][keep].to_numpy(),
            "qty": unmet[keep],
            "penalty": d["penalty"].fillna(0.0)[keep].to_numpy(float),
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
        "Option-open": _solution(model, "Option-open"),
    }
    tables["costs"] = _costs(costs, values, data, model, preferred)
    tables["local_content"] = _local_content(data, ship, model)
    tables["kpis"] = _kpis(data, tables, make, unmet)
    tables["bottlenecks"] = _bottlenecks(model, data, tables["local_content"])
    tables["options"] = _options(model, data)
    tables["policy"] = _policy(model, data, tables["flows"])
    return tables


def _policy(model: linopy.Model, data: PlanningData, flows: pd.DataFrame) -> pd.DataFrame:
    """Per scheme and agreement and period: qualified or not, the measure against its
    threshold (margin > 0: cleared by; < 0: missed by) and what it earned or saved.

    For a trade rule the measure is the value content of the period's production; for
    a rule the product cannot meet whatever it sources, the most it could reach."""
    columns = [
        "policy",
        "name",
        "scope",
        "period",
        "qualified",
        "measure",
        "threshold",
        "margin",
        "value",
    ]
    frames = [pd.DataFrame(columns=columns)]
    periods = np.asarray(data.periods, dtype=object)
    if "Incentive-earned" in model.variables:
        inc, el = data.incentives, data.eligible
        unmet = np.nan_to_num(np.asarray(model.variables["Market-unmet"].solution.values, float))
        delivered = el["qty"].to_numpy(float) - unmet[el["row"].to_numpy(int)]
        sales = np.bincount(
            el["pos"].to_numpy(int), weights=el["price_d"] * delivered, minlength=len(inc)
        )
        incremental = sales - inc["base_sales"].to_numpy(float)
        threshold = inc["min_incremental_sales"].to_numpy(float)
        frames.append(
            pd.DataFrame(
                {
                    "policy": "incentive",
                    "name": inc["scheme"].to_numpy(),
                    "scope": inc["item"].to_numpy(),
                    "period": periods[inc["t"].to_numpy(int)],
                    "qualified": np.rint(_solution(model, "Incentive-qualify").ravel()).astype(
                        bool
                    ),
                    "measure": incremental,
                    "threshold": threshold,
                    "margin": incremental - threshold,
                    "value": _solution(model, "Incentive-earned").ravel(),
                }
            )
        )
    if "Trade-qualify" in model.variables:
        trade = data.trade
        alloc = data.allocations["Product"]
        x = _solution(model, "Product-alloc")
        local_value = x * (alloc["price"] * alloc["local_content"]).to_numpy(float)[:, None]
        by_pair = (
            pd.DataFrame(local_value)
            .groupby([alloc["plant"].to_numpy(), alloc["product"].to_numpy()])
            .sum()
        )
        t = trade["t"].to_numpy(int)
        rows = by_pair.index.get_indexer(pd.MultiIndex.from_frame(trade[["plant", "item"]]))
        local = np.where(rows >= 0, by_pair.to_numpy()[np.maximum(rows, 0), t], 0.0)
        prod = trade["prod"].to_numpy(int)
        made = _solution(model, "Plant-make")[prod, t]
        content = local + data.production["cost"].to_numpy(float)[prod] * made
        fob = trade["value"].to_numpy(float) * made
        share = np.divide(content, fob, out=np.full(len(trade), np.nan), where=fob > 1e-9)
        saved = flows.groupby(["origin", "item", "period"])["duty_saved"].sum()
        value = saved.reindex(
            pd.MultiIndex.from_arrays(
                [trade["plant"].to_numpy(), trade["item"].to_numpy(), periods[t]]
            )
        ).fillna(0.0)
        qualified = (np.rint(_solution(model, "Trade-qualify").ravel()) > 0) & (made > EPS)
        frames.append(_trade_rows(trade, periods, qualified, share, value.to_numpy(float)))
    out = data.trade_out_of_reach
    if len(out):
        reach = out["reachable"].to_numpy(float)
        none = np.zeros(len(out))
        frames.append(_trade_rows(out, periods, none.astype(bool), reach, none))
    out = pd.concat(frames, ignore_index=True)
    out["value"] = out["value"].astype(float).where(out["value"].astype(float).abs() > EPS, 0.0)
    return out


def _trade_rows(
    rules: pd.DataFrame,
    periods: np.ndarray,
    qualified: np.ndarray,
    measure: np.ndarray,
    value: np.ndarray,
) -> pd.DataFrame:
    """Policy rows of trade rules: one per (agreement, plant, product, country, period)."""
    minimum = rules["min_value_content"].to_numpy(float)
    scope = rules["plant"] + "/" + rules["item"] + ">" + rules["destination_country"]
    return pd.DataFrame(
        {
            "policy": "trade_rule",
            "name": rules["agreement"].to_numpy(),
            "scope": scope.to_numpy(),
            "period": periods[rules["t"].to_numpy(int)],
            "qualified": qualified,
            "measure": measure,
            "threshold": minimum,
            "margin": measure - minimum,
            "value": value,
        }
    )


def _options(model: linopy.Model, data: PlanningData) -> pd.DataFrame:
    """Each option's decision: open (1) or not (0) per period where it exists; for
    single sourcing, the supplier chosen (open 1) for the horizon (period "all")."""
    columns = ["option", "kind", "period", "open", "fixed_cost", "supplier"]
    frames = [pd.DataFrame(columns=columns)]
    if "Option-open" in model.variables:
        from emsplan.optimization.options import option_mask

        x = np.rint(_solution(model, "Option-open"))
        o, t = np.nonzero(option_mask(data, ("line", "contract", "min_qty")))
        rows = data.options.iloc[o]
        frames.append(
            pd.DataFrame(
                {
                    "option": rows["option"].to_numpy(),
                    "kind": rows["kind"].to_numpy(),
                    "period": np.asarray(data.periods, dtype=object)[t],
                    "open": x[o, t].astype(int),
                    "fixed_cost": rows["fixed_cost"].to_numpy(float),
                    "supplier": rows["supplier"].to_numpy(),
                }
            )
        )
    if "Option-source" in model.variables:
        chosen = np.rint(_solution(model, "Option-source").ravel()) > 0
        s = data.sources[chosen]
        frames.append(
            pd.DataFrame(
                {
                    "option": s["option"].to_numpy(),
                    "kind": "single_source",
                    "period": "all",
                    "open": 1,
                    "fixed_cost": 0.0,
                    "supplier": s["supplier"].to_numpy(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _preferred(model: linopy.Model, data: PlanningData) -> np.ndarray:
    """Units shipped at a preferential rate, per (arc, departure period)."""
    if "Trade-preferred" not in model.variables:
        return np.zeros((0, 0))
    out = np.zeros((len(data.arcs), data.n_periods))
    p = data.preferences
    np.add.at(
        out,
        (p["arc"].to_numpy(int), p["t"].to_numpy(int)),
        _solution(model, "Trade-preferred").ravel(),
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
        x = values[CATEGORIES[category]]
        per_period: np.ndarray
        if category == "penalty":
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
            weights=_solution(model, "Incentive-earned").ravel(),
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
        x = _solution(model, f"{kind}-alloc")
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
    tgt = data.targets.set_index(["scope", "t"])["min_local_share"]
    out["target"] = tgt.reindex(pd.MultiIndex.from_frame(out[["scope", "t"]])).to_numpy()
    whole = out["total_value"].to_numpy(float)
    share = np.divide(
        out["local_value"].to_numpy(float), whole, where=whole > 0, out=np.full(len(out), np.nan)
    )
    out["share"] = share
    out["period"] = np.asarray(data.periods, dtype=object)[out["t"].to_numpy(int)]
    return out[["scope", "period", "local_value", "total_value", "share", "target", "basis"]]


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
    x = _solution(model, "Product-alloc")
    terms["imported"] = (
        x[terms["alloc"], terms["t"]] * terms["value"] * (1 - terms["local_content"])
    )
    imported = terms.groupby(["plant", "product", "t"])["imported"].sum()
    prod = data.production
    make = _solution(model, "Plant-make")
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
    made["scope"] = made["plant"] + "/" + made["product"]
    return made.assign(basis="dva")[columns]


def _sum_by(terms: pd.DataFrame, data: PlanningData, basis: str = "consumed") -> pd.DataFrame:
    """Local and whole value per (scope, period), with a row for every period."""
    sums = terms.groupby(["scope", "t"])[["local_value", "total_value"]].sum()
    full = pd.MultiIndex.from_product(
        [terms["scope"].unique(), range(data.n_periods)], names=["scope", "t"]
    )
    return sums.reindex(full, fill_value=0.0).reset_index().assign(basis=basis)


def _kpis(
    data: PlanningData, tables: dict[str, pd.DataFrame], make: np.ndarray, unmet: np.ndarray
) -> pd.DataFrame:
    rows: list[tuple[str, str, str, float]] = []
    costs = tables["costs"]
    per_period = costs.groupby("period", sort=False)["value"].sum()
    for p, v in per_period.items():
        rows.append(("total_cost", "network", str(p), float(v)))
    rows.append(("total_cost", "network", "all", float(per_period.sum())))
    duty = costs[costs["category"] == "duty"].set_index("period")["value"]
    rows += [("duty_paid", "network", str(p), float(v)) for p, v in duty.items()]
    rows.append(("duty_paid", "network", "all", float(duty.sum())))
    d = data.demand
    demand_t = np.bincount(
        d["t"].to_numpy(int), weights=d["qty"].to_numpy(float), minlength=data.n_periods
    )
    unmet_t = np.bincount(d["t"].to_numpy(int), weights=unmet, minlength=data.n_periods)
    for t, p in enumerate(data.periods):
        if demand_t[t] > 0:
            rows.append(("service_level", "network", p, float(1 - unmet_t[t] / demand_t[t])))
    if demand_t.sum() > 0:
        rows.append(("service_level", "network", "all", float(1 - unmet_t.sum() / demand_t.sum())))
    lc = tables["local_content"]
    net_rows = lc[(lc["scope"] == "network") & (lc["total_value"] > 0)]
    rows += [
        ("local_share", "network", str(p), float(s))
        for p, s in zip(net_rows["period"], net_rows["share"], strict=True)
    ]
    net = lc[lc["scope"] == "network"]
    if net["total_value"].sum() > 0:
        rows.append(
            (
                "local_share",
                "network",
                "all",
                float(net["local_value"].sum() / net["total_value"].sum()),
            )
        )
    if not data.resources.empty:
        prod = data.production[data.production["resource"].notna()]
        r_of = pd.MultiIndex.from_frame(data.resources[["plant", "resource"]]).get_indexer(
            pd.MultiIndex.from_frame(prod[["plant", "resource"]])
        )
        load = np.zeros_like(data.resource_capacity)
        np.add.at(
            load, r_of, make[prod["pos"].to_numpy(int)] * prod["usage"].to_numpy(float)[:, None]
        )
        cap = data.resource_capacity
        util = np.divide(load, cap, out=np.full_like(load, np.nan), where=cap > 0)
        names = (data.resources["plant"] + "/" + data.resources["resource"]).tolist()
        for i, name in enumerate(names):
            rows += [
                ("utilisation", name, p, float(util[i, t]))
                for t, p in enumerate(data.periods)
                if np.isfinite(util[i, t])
            ]
    rows += _unit_costs(tables, data)
    return pd.DataFrame(rows, columns=["kpi", "scope", "period", "value"])


def _unit_costs(
    tables: dict[str, pd.DataFrame], data: PlanningData
) -> list[tuple[str, str, str, float]]:
    """Horizon cost per unit of every item the plan buys or makes (kpi ``unit_cost``).

    A bought item costs its mean landed cost: (price + inbound freight + duty)
    over the units bought. A made item costs, at each plant, its conversion cost
    plus its effective BOM's children at their unit costs, averaged over plants
    by the units made there, plus (for sub-assemblies) the freight and duty of
    moving it per unit made; sub-assemblies roll up level by level. Products
    then add their own freight and duty per unit delivered (kpi
    ``delivered_cost``), which is the figure a planner compares with the price.
    """
    production, flows, purchases = tables["production"], tables["flows"], tables["purchases"]
    spend = (purchases["qty"] * purchases["price"]).groupby(purchases["item"]).sum()
    inbound = flows[flows["origin"].isin(purchases["supplier"])]
    extra = (inbound["qty"] * inbound["unit_cost"] + inbound["duty"]).groupby(inbound["item"]).sum()
    bought = purchases.groupby("item")["qty"].sum()
    cost = (spend.add(extra, fill_value=0.0) / bought).dropna().astype("float64")
    made = production.groupby(["plant", "item"], as_index=False).agg(
        qty=("qty", "sum"), cost=("cost", "first")
    )
    bom = data.bom.rename(columns={"parent": "item"})
    markets = set(data.demand["market"])
    moves = (flows["qty"] * flows["unit_cost"] + flows["duty"]).groupby(flows["item"]).sum()
    delivered = flows[flows["destination"].isin(markets)].groupby("item")["qty"].sum()
    internal = moves.drop(delivered.index, errors="ignore") / made.groupby("item")["qty"].sum()
    for _ in range(50 if len(made) else 0):  # a BOM level a pass; validation rejects cycles
        lines = made.merge(bom[["plant", "item", "child", "qty_per"]], on=["plant", "item"])
        lines["child_cost"] = lines["child"].map(cost).astype("float64") * lines["qty_per"]
        materials = lines.groupby(["plant", "item"])["child_cost"].sum(min_count=1)
        complete = lines.groupby(["plant", "item"])["child_cost"].apply(lambda c: c.notna().all())
        at_plant = made.set_index(["plant", "item"])
        unit = at_plant["cost"] + materials.reindex(at_plant.index).fillna(0.0)
        known = complete.reindex(at_plant.index, fill_value=True).astype(bool)
        rolled = (unit[known] * at_plant["qty"][known]).groupby(level="item").sum() / (
            at_plant["qty"][known].groupby(level="item").sum()
        )
        rolled = rolled.add(internal.reindex(rolled.index).fillna(0.0))
        grown = cost.combine_first(rolled) if len(rolled) else cost
        if grown.equals(cost):
            break
        cost = grown
    rows = [("unit_cost", str(i), "all", float(v)) for i, v in cost.items()]
    unit_of = cost.to_dict()
    for item, qty in delivered.items():
        if item in unit_of and qty > 0:
            value = unit_of[item] + moves.get(item, 0.0) / qty
            rows.append(("delivered_cost", str(item), "all", float(value)))
    return rows


#: Constraint families whose duals are reported, and what one more unit means.
BOTTLENECKS = {
    "Supply-capacity": "one more unit of this offer's capacity per period saves",
    "Resource-capacity": "one more unit of this resource's capacity saves",
    "Lane-capacity": "one more unit of this lane's capacity saves",
    "Site-storage": "one more unit of storage at this site saves",
}


def _bottlenecks(model: linopy.Model, data: PlanningData, lc: pd.DataFrame) -> pd.DataFrame:
    rows = []
    if model.type in ("LP",) and model.status == "ok":
        for name, meaning in BOTTLENECKS.items():
            if name not in model.constraints:
                continue
            dual = model.constraints[name].dual.to_series()
            binding = dual[dual.abs() > 1e-6]
            for (element, period), value in binding.items():
                rows.append(
                    (name, str(element), str(period), float(-value), f"{meaning} {-value:,.2f}")
                )
        for kind in ("network", "plant", "product"):
            name = f"LocalContent-{kind}"
            if name not in model.constraints:
                continue
            dual = model.constraints[name].dual.to_series()
            for label, value in dual[dual.abs() > 1e-9].items():
                scope, period = str(label).rsplit("@", 1)
                total = lc.loc[
                    (lc["scope"] == scope) & (lc["period"] == period), "total_value"
                ].sum()
                per_point = float(value) * float(total) * 0.01
                rows.append(
                    (
                        name,
                        scope,
                        period,
                        -per_point,
                        "raising the local-share target by one percentage point costs "
                        f"{per_point:,.2f}",
                    )
                )
    return pd.DataFrame(
        rows, columns=["constraint", "element", "period", "value_per_unit", "meaning"]
    )


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
