"""The plan's key figures (``kpis``): total cost, duty paid, service level, local share,
utilisation, and the unit and delivered cost of every item."""

from __future__ import annotations

import numpy as np
import pandas as pd

from emsplan.core.labels import resource_label
from emsplan.optimization.data import PlanningData
from emsplan.optimization.sites import effective_demand


def kpis(
    data: PlanningData,
    tables: dict[str, pd.DataFrame],
    make: np.ndarray,
    unmet: np.ndarray,
    open_values: np.ndarray,
) -> pd.DataFrame:
    rows: list[tuple[str, str, str, float]] = []
    costs = tables["costs"]
    costs = costs[~costs["category"].isin(["lost_revenue", "new_channel_revenue"])]
    per_period = costs.groupby("period", sort=False)["value"].sum()
    for p, v in per_period.items():
        rows.append(("total_cost", "network", str(p), float(v)))
    rows.append(("total_cost", "network", "all", float(per_period.sum())))
    duty = costs[costs["category"] == "duty"].set_index("period")["value"]
    rows += [("duty_paid", "network", str(p), float(v)) for p, v in duty.items()]
    rows.append(("duty_paid", "network", "all", float(duty.sum())))
    d = data.demand
    demand_t = np.bincount(
        d["t"].to_numpy(int),
        weights=effective_demand(data, open_values),
        minlength=data.n_periods,
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
        names = resource_label(data.resources["plant"], data.resources["resource"]).tolist()
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
        at_plant = made.set_index(["plant", "item"])
        unit = at_plant["cost"] + materials.reindex(at_plant.index).fillna(0.0)
        # known: no BOM line of the item at the plant has a child of unknown cost (yet)
        unknown = lines.loc[lines["child_cost"].isna(), ["plant", "item"]]
        known = ~at_plant.index.isin(pd.MultiIndex.from_frame(unknown))
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
