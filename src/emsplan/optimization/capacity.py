"""Capacity constraints: supply offers, plant resources, lanes and storage.

Each is ``sum of loads <= capacity`` per element and period, built only for
elements with a finite capacity. Their duals are the value of one more unit
of capacity (written to the plan's ``bottlenecks`` table).
"""

from __future__ import annotations

import linopy
import numpy as np
import pandas as pd

from emsplan.core.labels import lane_label, resource_label
from emsplan.optimization.data import PlanningData, grid
from emsplan.optimization.options import line_capacity_terms
from emsplan.optimization.sites import storage_sites
from emsplan.optimization.terms import constant, expression, labels_of
from emsplan.optimization.variables import coord


def define_supply_capacity(model: linopy.Model, data: PlanningData) -> None:
    """``Supply-capacity[o, t]``: buy[o, t] <= capacity_o (units per period)."""
    offers = data.offers[np.isfinite(data.offers["capacity"])]
    if offers.empty:
        return
    T = data.n_periods
    e, t = grid(len(offers), T)
    pos = offers["pos"].to_numpy(int)
    coords = [pd.Index(coord(data, "offer")[pos], name="offer"), coord(data, "period")]
    lhs = expression(
        model, coords, [e, t], labels_of(model, "Supply-buy")[pos[e], t], np.ones(e.size)
    )
    rhs = np.repeat(offers["capacity"].to_numpy(float)[:, None], T, axis=1)
    model.add_constraints(lhs, "<=", constant(coords, rhs), name="Supply-capacity")


def define_resource_capacity(model: linopy.Model, data: PlanningData) -> None:
    """``Resource-capacity[r, t]``: sum_p usage_p * make[p, t] - sum_(lines l of r)
    capacity_l * open[l, t] <= capacity[r, t] (line options add capacity when open)."""
    res = data.resources
    if res.empty:
        return
    T = data.n_periods
    prod = data.production[data.production["resource"].notna()]
    r_of = pd.MultiIndex.from_frame(res[["plant", "resource"]]).get_indexer(
        pd.MultiIndex.from_frame(prod[["plant", "resource"]])
    )
    e, t = grid(len(prod), T)
    make = labels_of(model, "Plant-make")
    lines = line_capacity_terms(model, data)
    coords = [
        pd.Index(resource_label(res["plant"], res["resource"]), name="resource"),
        coord(data, "period"),
    ]
    lhs = expression(
        model,
        coords,
        [
            np.concatenate([r_of[e], lines["res"].to_numpy(int)]),
            np.concatenate([t, lines["t"].to_numpy(int)]),
        ],
        np.concatenate([make[prod["pos"].to_numpy(int)[e], t], lines["label"].to_numpy(np.int64)]),
        np.concatenate([prod["usage"].to_numpy(float)[e], lines["coeff"].to_numpy(float)]),
    )
    rhs = constant(coords, data.resource_capacity)
    model.add_constraints(lhs, "<=", rhs, name="Resource-capacity")


def define_lane_capacity(model: linopy.Model, data: PlanningData) -> None:
    """``Lane-capacity[l, t]``: sum over the lane's items of ship[a, t] <= capacity_l."""
    lanes = data.lanes[data.lanes["lane"].isin(data.arcs["lane"])].reset_index(drop=True)
    if lanes.empty:
        return
    T = data.n_periods
    local = pd.Index(lanes["lane"]).get_indexer(data.arcs["lane"])
    arcs = data.arcs[local >= 0]
    e, t = grid(len(arcs), T)
    ship = labels_of(model, "Lane-ship")
    names = data.arcs.drop_duplicates("lane").set_index("lane")
    label = lane_label(names["origin"], names["destination"], names["mode"]).reindex(lanes["lane"])
    coords = [pd.Index(label.to_numpy(), name="lane"), coord(data, "period")]
    lhs = expression(
        model,
        coords,
        [local[local >= 0][e], t],
        ship[arcs["pos"].to_numpy(int)[e], t],
        np.ones(e.size),
    )
    rhs = np.repeat(lanes["capacity"].to_numpy(float)[:, None], T, axis=1)
    model.add_constraints(lhs, "<=", constant(coords, rhs), name="Lane-capacity")


def define_storage_capacity(model: linopy.Model, data: PlanningData) -> None:
    """``Site-storage[s, t]``: sum over items of stock[(s, i), t] <= storage capacity of s."""
    storage = data.storage[~data.storage["site"].isin(storage_sites(data))]
    if storage.empty:
        return
    T = data.n_periods
    nodes = data.nodes[data.nodes["stock"]]
    local = pd.Index(storage["site"]).get_indexer(nodes["site"])
    nodes = nodes[local >= 0]
    local = local[local >= 0]
    e, t = grid(len(nodes), T)
    stock = labels_of(model, "Site-stock")
    coords = [pd.Index(storage["site"], name="storage_site"), coord(data, "period")]
    lhs = expression(
        model, coords, [local[e], t], stock[nodes["pos"].to_numpy(int)[e], t], np.ones(e.size)
    )
    rhs = np.repeat(storage["capacity"].to_numpy(float)[:, None], T, axis=1)
    model.add_constraints(lhs, "<=", constant(coords, rhs), name="Site-storage")
