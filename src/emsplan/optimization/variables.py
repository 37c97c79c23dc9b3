"""Decision variables of the planning model, one ``define_*`` function each.

Names follow ``Component-decision``: ``Supply-buy`` (offer, period),
``Plant-make`` (production, period), ``Lane-ship`` (arc, period),
``Site-stock`` (node, period), ``Market-unmet`` (demand row) and, with
local-content targets, ``Plant-alloc`` and ``Product-alloc`` (allocation,
period; see :mod:`emsplan.optimization.local_content`). All are
continuous and non-negative, in the item's unit.
"""

from __future__ import annotations

import linopy
import numpy as np
import pandas as pd
import xarray as xr

from emsplan.core.labels import (
    allocation_label,
    arc_label,
    demand_label,
    node_label,
    offer_label,
    production_label,
)
from emsplan.optimization.data import PlanningData


def coord(data: PlanningData, name: str) -> pd.Index:
    """The named coordinate of a model dimension, with readable labels."""
    if name == "period":
        return pd.Index(data.periods, name="period")
    if name == "offer":
        o = data.offers
        return pd.Index(offer_label(o["supplier"], o["item"]), name="offer")
    if name == "production":
        p = data.production
        return pd.Index(production_label(p["plant"], p["item"]), name="production")
    if name == "arc":
        a = data.arcs
        return pd.Index(arc_label(a["origin"], a["destination"], a["item"], a["mode"]), name="arc")
    if name == "node":
        n = data.nodes
        return pd.Index(node_label(n["site"], n["item"]), name="node")
    if name == "demand":
        d = data.demand
        return pd.Index(demand_label(d["market"], d["item"], d["period"]), name="demand")
    if name in ("plant_alloc", "product_alloc"):
        a = data.allocations[name.split("_")[0].capitalize()]
        return pd.Index(allocation_label(a["plant"], a["product"], a["offer_name"]), name=name)
    raise KeyError(name)


def _arrives_in_horizon(lead: np.ndarray, n_periods: int) -> np.ndarray:
    """Mask (element, period): goods sent in the period arrive within the horizon."""
    return (np.arange(n_periods)[None, :] + lead[:, None]) < n_periods


def _add(model: linopy.Model, data: PlanningData, name: str, dim: str, mask: np.ndarray) -> None:
    coords = [coord(data, dim), coord(data, "period")]
    model.add_variables(
        lower=0.0,
        coords=coords,
        name=name,
        mask=xr.DataArray(mask, coords=coords),
    )


def define_purchases(model: linopy.Model, data: PlanningData) -> None:
    """``Supply-buy[o, t]``: units bought from offer o in period t (ready at t + lead time)."""
    lead = data.offers["lead_time"].to_numpy(int)
    _add(model, data, "Supply-buy", "offer", _arrives_in_horizon(lead, data.n_periods))


def define_production(model: linopy.Model, data: PlanningData) -> None:
    """``Plant-make[p, t]``: units made by production row p in period t."""
    _add(
        model,
        data,
        "Plant-make",
        "production",
        np.ones((len(data.production), data.n_periods), bool),
    )


def define_shipments(model: linopy.Model, data: PlanningData) -> None:
    """``Lane-ship[a, t]``: units sent on arc a in period t (arrive at t + lead time)."""
    lead = data.arcs["lead_time"].to_numpy(int)
    _add(model, data, "Lane-ship", "arc", _arrives_in_horizon(lead, data.n_periods))


def define_stock(model: linopy.Model, data: PlanningData) -> None:
    """``Site-stock[n, t]``: units of the node's item held at its site at the end of t."""
    mask = np.repeat(data.nodes["stock"].to_numpy(bool)[:, None], data.n_periods, axis=1)
    _add(model, data, "Site-stock", "node", mask)


def define_unmet(model: linopy.Model, data: PlanningData) -> None:
    """``Market-unmet[d]``: units of demand row d not delivered (at most the demand; under
    the cost objective none where the penalty is blank, i.e. the demand must be met in
    full; under profit every row is optional)."""
    index = coord(data, "demand")
    qty = data.demand["qty"]
    optional = data.demand["penalty"].notna() | (data.objective == "profit")
    model.add_variables(
        lower=0.0,
        upper=xr.DataArray(qty.where(optional, 0.0).to_numpy(float), coords=[index]),
        coords=[index],
        name="Market-unmet",
    )


def define_allocations(model: linopy.Model, data: PlanningData) -> None:
    """``<Kind>-alloc[k, t]``: units of an offer's item attributed to a consumer at a plant
    (kind Plant: a BOM line; kind Product: a product's exploded content)."""
    for kind, alloc in data.allocations.items():
        if not alloc.empty:
            mask = np.ones((len(alloc), data.n_periods), bool)
            _add(model, data, f"{kind}-alloc", f"{kind.lower()}_alloc", mask)
