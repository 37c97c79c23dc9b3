r"""Local-content targets at three scopes: the network, a plant, a product.

The local share of purchased content is the value of its domestic-origin part
over its whole value, each supply offer o contributing its price
:math:`c_o` times its own local-content share :math:`\lambda_o`. A target of
share :math:`s` over content x_k (units of offer o_k) is the linear constraint

.. math:: \sum_k c_{o_k} (\lambda_{o_k} - s) \, x_k \ge 0 .

The content counted in period t is what is **consumed** in t:

* ``network`` and a plant: every BOM line consuming, at a plant, an item that
  suppliers deliver to that plant (``Plant-alloc``);
* a product: the product's BOM exploded through the sub-assemblies its plant
  alone makes, down to items suppliers deliver
  (``Product-alloc``), at every plant that makes it.

A plant pools the units of an item it receives from several offers, so the
model attributes consumption to offers with allocation variables (kind K =
Plant or Product):

* ``K-content[c, t]``: sum_o alloc[(c, o), t] = qty_c * make[prod_c, t], every
  unit consumed is attributed to some offer that delivers the item there;
* ``K-origin[(o, p), t]``: cumulative allocations of offer o at plant p up to
  t do not exceed cumulative receipts at p from o's supplier of o's item
  (as a running balance of ``K-pool``, the units received but not yet attributed).

Both are linear, so no pooling non-linearity arises, and the target holds for
at least one attribution of origins consistent with what arrived when. Local
parts that are bought but never consumed count for nothing. Items that reach
a plant only through a warehouse are outside the measure (their consumption
is neither local nor imported content); with a target, consumption of an item
that suppliers also deliver directly must be covered by direct deliveries.
"""

from __future__ import annotations

import linopy
import numpy as np
import pandas as pd

from emsplan.core.labels import at_period, content_label, delivery_label
from emsplan.optimization.data import PlanningData, grid
from emsplan.optimization.terms import expression, labels_of
from emsplan.optimization.variables import coord

#: Allocation kind and the target scopes it serves.
SCOPES = {"Plant": ("network", "plant"), "Product": ("product",)}


def supplier_receipts(data: PlanningData) -> pd.DataFrame:
    """Every (supplier arc, departure period) with its arrival period, value and local share."""
    arcs = data.arcs[data.arcs["origin_kind"] == "supplier"]
    lc = data.offers.set_index(["supplier", "item"])["local_content"]
    share = lc.reindex(pd.MultiIndex.from_frame(arcs[["origin", "item"]])).to_numpy(float)
    e, t = grid(len(arcs), data.n_periods)
    arrival = t + arcs["lead_time"].to_numpy(int)[e]
    ok = arrival < data.n_periods
    return pd.DataFrame(
        {
            "arc": arcs["pos"].to_numpy(int)[e][ok],
            "destination": arcs["destination"].to_numpy()[e][ok],
            "t": t[ok],
            "arrival": arrival[ok],
            "value": arcs["value"].to_numpy(float)[e][ok],
            "local_content": share[e][ok],
        }
    )


def define_allocation_content(model: linopy.Model, data: PlanningData, kind: str) -> None:
    """``<kind>-content[c, t]``: sum_o alloc[(c, o), t] = qty_c * make[prod_c, t]."""
    alloc = data.allocations.get(kind)
    if alloc is None or alloc.empty:
        return
    T = data.n_periods
    content = data.contents[kind]
    e, t = grid(len(alloc), T)
    a_lab = labels_of(model, f"{kind}-alloc")
    c, tc = grid(len(content), T)
    make = labels_of(model, "Plant-make")
    names = content_label(content["plant"], content["product"], content["item"])
    coords = [pd.Index(names, name=f"{kind.lower()}_content"), coord(data, "period")]
    lhs = expression(
        model,
        coords,
        [np.concatenate([alloc["content"].to_numpy(int)[e], c]), np.concatenate([t, tc])],
        np.concatenate([a_lab[e, t], make[content["prod"].to_numpy(int)[c], tc]]),
        np.concatenate([np.ones(e.size), -content["qty"].to_numpy(float)[c]]),
    )
    model.add_constraints(lhs, "=", 0.0, name=f"{kind}-content")


def define_allocation_origin(model: linopy.Model, data: PlanningData, kind: str) -> None:
    """``<kind>-origin[(o, p), t]``: cumulative allocations of offer o at plant p up to t
    do not exceed cumulative receipts at p from o's supplier of o's item.

    Written as a running balance, not as cumulative sums: with ``<kind>-pool[(o, p), t]
    >= 0``, the units received but not yet attributed at the end of t,

        pool[t] = pool[t-1] + receipts[t] - allocations[t]   (pool[-1] = 0),

    which holds exactly when every cumulative constraint does. Each allocation and each
    receipt appears in one row instead of in every later period's (at L size, 0.64M
    nonzeros instead of 5.0M: see benchmarks/README.md)."""
    alloc = data.allocations.get(kind)
    if alloc is None or alloc.empty:
        return
    T = data.n_periods
    key = ["supplier", "plant", "item"]
    pairs = alloc[key].drop_duplicates(ignore_index=True)
    index = pd.MultiIndex.from_frame(pairs)
    a_pair = index.get_indexer(pd.MultiIndex.from_frame(alloc[key]))
    receipts = supplier_receipts(data)
    arcs = data.arcs.set_index("pos").loc[receipts["arc"]]
    r_pair = index.get_indexer(
        pd.MultiIndex.from_arrays(
            [arcs["origin"].to_numpy(), arcs["destination"].to_numpy(), arcs["item"].to_numpy()]
        )
    )
    receipts, r_pair = receipts[r_pair >= 0], r_pair[r_pair >= 0]
    names = delivery_label(pairs["supplier"], pairs["item"], pairs["plant"])
    coords = [pd.Index(names, name=f"{kind.lower()}_origin"), coord(data, "period")]
    pool = model.add_variables(lower=0.0, coords=coords, name=f"{kind}-pool")
    p_lab = np.asarray(pool.labels.values)
    a_e, a_t = grid(len(alloc), T)
    p_e, p_t = grid(len(pairs), T)
    before = p_t > 0  # pool[t-1] enters every row but the first period's
    ship = labels_of(model, "Lane-ship")
    a_lab = labels_of(model, f"{kind}-alloc")
    r_arc, r_t = receipts["arc"].to_numpy(int), receipts["t"].to_numpy(int)
    lhs = expression(
        model,
        coords,
        [
            np.concatenate([a_pair[a_e], r_pair, p_e, p_e[before]]),
            np.concatenate([a_t, receipts["arrival"].to_numpy(int), p_t, p_t[before]]),
        ],
        np.concatenate(
            [a_lab[a_e, a_t], ship[r_arc, r_t], p_lab[p_e, p_t], p_lab[p_e, p_t - 1][before]]
        ),
        np.concatenate(
            [
                np.ones(a_e.size),
                -np.ones(r_arc.size),
                np.ones(p_e.size),
                -np.ones(int(before.sum())),
            ]
        ),
    )
    model.add_constraints(lhs, "=", 0.0, name=f"{kind}-origin")


def allocation_terms(data: PlanningData, kind: str) -> pd.DataFrame:
    """Every (allocation, period) with its plant, product, value and local share."""
    alloc = data.allocations[kind]
    e, t = grid(len(alloc), data.n_periods)
    return pd.DataFrame(
        {
            "alloc": e,
            "t": t,
            "plant": alloc["plant"].to_numpy()[e],
            "product": alloc["product"].to_numpy()[e],
            "value": alloc["price"].to_numpy(float)[e],
            "local_content": alloc["local_content"].to_numpy(float)[e],
        }
    )


def define_target(model: linopy.Model, data: PlanningData, scope: str, elastic: bool) -> None:
    """``LocalContent-<scope>[target]``: local value of the content consumed in scope and
    period >= target share x its whole value (see module). When ``elastic``, a
    shortfall variable ``Target-shortfall-<scope>`` (in the currency) relaxes it."""
    kind = "Product" if scope == "product" else "Plant"
    targets = data.targets[data.targets["scope_kind"] == scope].reset_index(drop=True)
    alloc = data.allocations.get(kind)
    if targets.empty or alloc is None or alloc.empty:
        return
    terms = allocation_terms(data, kind)
    on = {"network": ["t"], "plant": ["plant", "t"], "product": ["product", "t"]}[scope]
    rows = targets.rename(columns={"scope": on[0]}) if scope != "network" else targets
    rows = rows.assign(row=np.arange(len(rows)))[[*on, "row", "min_local_share"]]
    terms = terms.merge(rows, on=on)
    coeff = terms["value"].to_numpy(float) * (
        terms["local_content"].to_numpy(float) - terms["min_local_share"].to_numpy(float)
    )
    period = np.asarray(data.periods, dtype=object)[targets["t"].to_numpy(int)]
    coords = [pd.Index(at_period(targets["scope"], period), name=f"{scope}_target")]
    label = labels_of(model, f"{kind}-alloc")[terms["alloc"], terms["t"]]
    lhs = expression(model, coords, [terms["row"].to_numpy(int)], label, coeff)
    if elastic:
        shortfall = model.add_variables(lower=0.0, coords=coords, name=f"Target-shortfall-{scope}")
        lhs = lhs + shortfall
    model.add_constraints(lhs, ">=", 0.0, name=f"LocalContent-{scope}")


def define_local_content(model: linopy.Model, data: PlanningData, elastic: bool = False) -> None:
    """Allocation constraints of each kind present, then the targets of each scope."""
    for kind, scopes in SCOPES.items():
        define_allocation_content(model, data, kind)
        define_allocation_origin(model, data, kind)
        for scope in scopes:
            define_target(model, data, scope, elastic)
