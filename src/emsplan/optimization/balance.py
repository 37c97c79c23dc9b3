"""Material balance of every (site, item) node and delivery to every market.

For a node n = (site s, item i) that can hold stock and a period t::

    sum_o buy[o, t - L_o] + sum_(a into n) ship[a, t - L_a] + make[s,i,t]
      - sum_(p at s) qty_per(p, i) * make[p, t] - sum_(a out of n) ship[a, t]
      - stock[n, t] + stock[n, t - 1] = 0                       (units of i)

with o the offers of i at supplier s (lead time L_o), a the arcs (lead time
L_a), p the production rows at s whose effective BOM uses i, and stock
starting empty. For a market node and period t::

    sum_(a into n) ship[a, t - L_a] + unmet[n, t] = demand[n, t]

where a market with a site option (a channel) has its demand only while open:
demand[n, t] x open[o, t] from the option's period_from (none before it for a
candidate market).

Lead times are a shift along the period axis; goods that would arrive after
the last period are not allowed (their variables are masked).
"""

from __future__ import annotations

import linopy
import numpy as np
import pandas as pd

from emsplan.optimization.data import PlanningData, grid
from emsplan.optimization.sites import absent_demand, channel_rows
from emsplan.optimization.terms import constant, expression, labels_of
from emsplan.optimization.variables import coord


def node_positions(data: PlanningData, sites: pd.Series, items: pd.Series) -> np.ndarray:
    """Position of each (site, item) in ``data.nodes`` (all must exist)."""
    index = pd.MultiIndex.from_frame(data.nodes[["site", "item"]])
    pos = index.get_indexer(pd.MultiIndex.from_arrays([sites.to_numpy(), items.to_numpy()]))
    if (pos < 0).any():
        raise KeyError("internal error: a flow references a (site, item) without a node")
    return pos


def node_terms(model: linopy.Model, data: PlanningData) -> pd.DataFrame:
    """All terms of all node balances: columns node, t, label, coeff."""
    T = data.n_periods
    parts = []

    def add(
        nodes: np.ndarray,
        elems: np.ndarray,
        t: np.ndarray,
        shift: np.ndarray,
        labels: np.ndarray,
        coeff: np.ndarray | float,
    ) -> None:
        row_t = t + shift
        ok = row_t < T
        parts.append(
            pd.DataFrame(
                {
                    "node": nodes[ok],
                    "t": row_t[ok],
                    "label": labels[elems[ok], t[ok]],
                    "coeff": np.broadcast_to(coeff, elems.shape)[ok],
                }
            )
        )

    offers = data.offers
    e, t = grid(len(offers), T)
    n_off = node_positions(data, offers["supplier"], offers["item"])
    add(n_off[e], e, t, offers["lead_time"].to_numpy(int)[e], labels_of(model, "Supply-buy"), 1.0)

    arcs = data.arcs
    ship = labels_of(model, "Lane-ship")
    e, t = grid(len(arcs), T)
    n_in = node_positions(data, arcs["destination"], arcs["item"])
    n_out = node_positions(data, arcs["origin"], arcs["item"])
    add(n_in[e], e, t, arcs["lead_time"].to_numpy(int)[e], ship, 1.0)
    add(n_out[e], e, t, np.zeros_like(t), ship, -1.0)

    prod = data.production
    make = labels_of(model, "Plant-make")
    e, t = grid(len(prod), T)
    n_make = node_positions(data, prod["plant"], prod["item"])
    add(n_make[e], e, t, np.zeros_like(t), make, 1.0)

    bom = data.bom
    e, t = grid(len(bom), T)
    n_use = node_positions(data, bom["plant"], bom["child"])
    prod_of_line = bom["prod"].to_numpy(int)
    qty = bom["qty_per"].to_numpy(float)
    parts.append(
        pd.DataFrame(
            {
                "node": n_use[e],
                "t": t,
                "label": make[prod_of_line[e], t],
                "coeff": -qty[e],
            }
        )
    )

    stock = labels_of(model, "Site-stock")
    e, t = grid(len(data.nodes), T)
    add(e, e, t, np.zeros_like(t), stock, -1.0)
    add(e, e, t, np.ones_like(t), stock, 1.0)
    return pd.concat(parts, ignore_index=True)


def define_node_balance(model: linopy.Model, data: PlanningData, terms: pd.DataFrame) -> None:
    """``Node-balance[n, t]``: the stock balance of every non-market node (see module)."""
    nodes = data.nodes[data.nodes["kind"] != "market"]
    if nodes.empty:
        return
    local = np.full(len(data.nodes), -1)
    local[nodes["pos"].to_numpy(int)] = np.arange(len(nodes))
    rows = terms[local[terms["node"].to_numpy(int)] >= 0]
    coords = [
        pd.Index(coord(data, "node")[nodes["pos"].to_numpy(int)], name="node"),
        coord(data, "period"),
    ]
    lhs = expression(
        model,
        coords,
        [local[rows["node"].to_numpy(int)], rows["t"].to_numpy(int)],
        rows["label"].to_numpy(),
        rows["coeff"].to_numpy(),
    )
    model.add_constraints(lhs, "=", 0.0, name="Node-balance")


def define_market_delivery(model: linopy.Model, data: PlanningData, terms: pd.DataFrame) -> None:
    """``Market-delivery[n, t]``: arrivals at a market plus unmet demand equal its demand."""
    nodes = data.nodes[data.nodes["kind"] == "market"]
    if nodes.empty:
        return
    T = data.n_periods
    local = np.full(len(data.nodes), -1)
    local[nodes["pos"].to_numpy(int)] = np.arange(len(nodes))
    rows = terms[local[terms["node"].to_numpy(int)] >= 0]
    demand = data.demand
    d_node = local[node_positions(data, demand["market"], demand["item"])]
    unmet = labels_of(model, "Market-unmet")
    row_node = np.concatenate([local[rows["node"].to_numpy(int)], d_node])
    row_t = np.concatenate([rows["t"].to_numpy(int), demand["t"].to_numpy(int)])
    labels = np.concatenate([rows["label"].to_numpy(), unmet])
    coeffs = np.concatenate([rows["coeff"].to_numpy(float), np.ones(len(demand))])
    coords = [
        pd.Index(coord(data, "node")[nodes["pos"].to_numpy(int)], name="market_node"),
        coord(data, "period"),
    ]
    lhs = expression(model, coords, [row_node, row_t], labels, coeffs)
    qty = demand["qty"].to_numpy(float).copy()
    qty[absent_demand(data)] = 0.0
    rows, pos = channel_rows(data)
    if rows.size:  # a channel's demand exists while it is open: - qty x open on the left
        t = demand["t"].to_numpy(int)[rows]
        lhs = expression(
            model,
            coords,
            [np.concatenate([row_node, d_node[rows]]), np.concatenate([row_t, t])],
            np.concatenate([labels, labels_of(model, "Option-open")[pos, t]]),
            np.concatenate([coeffs, -qty[rows]]),
        )
        qty[rows] = 0.0
    rhs = np.zeros((len(nodes), T))
    np.add.at(rhs, (d_node, demand["t"].to_numpy(int)), qty)
    model.add_constraints(lhs, "=", constant(coords, rhs), name="Market-delivery")
