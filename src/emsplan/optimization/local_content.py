r"""Local-content targets at three scopes: the network, a plant, a product.

The local share of a set of purchased goods is the value of their
domestic-origin content over their whole value, each supply offer o
contributing its price :math:`c_o` times its own local-content share
:math:`\lambda_o`. A target of share :math:`s` is the linear constraint

.. math:: \sum_k v_k (\lambda_k - s) \ge 0

over the goods k in scope, with :math:`v_k` their value. The scopes differ in
which goods count in period t:

* ``network``: every receipt in t of goods shipped from a supplier
  (arrivals of ``Lane-ship`` on arcs leaving a supplier), valued at the
  offer's price;
* a plant: the same receipts, at that plant only;
* a product: the purchased components consumed in making the product in t,
  at every plant that makes it. The plant's BOM is exploded through the
  sub-assemblies it makes (and no lane brings in) down to components
  delivered by suppliers. Because a plant pools the receipts of an item from
  all its suppliers, the model allocates them to products
  (``Product-alloc``): each product's component needs are covered by
  allocations from the offers (``Product-content``), and, per offer and
  plant, cumulative allocations never exceed cumulative receipts
  (``Product-origin``). The allocation is linear, so no pooling
  non-linearity arises, and the target holds for at least one consistent
  attribution of origins.
"""

from __future__ import annotations

import linopy
import numpy as np
import pandas as pd

from emsplan.optimization.balance import _grid
from emsplan.optimization.sets import PlanningData
from emsplan.optimization.terms import expression, labels_of
from emsplan.optimization.variables import coord


def supplier_receipts(data: PlanningData) -> pd.DataFrame:
    """Every (supplier arc, departure period) with its arrival period, value and local share."""
    arcs = data.arcs[data.arcs["origin_kind"] == "supplier"]
    lc = data.offers.set_index(["supplier", "item"])["local_content"]
    share = lc.reindex(pd.MultiIndex.from_frame(arcs[["origin", "item"]])).to_numpy(float)
    e, t = _grid(len(arcs), data.n_periods)
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


def _target_rows(
    model: linopy.Model,
    data: PlanningData,
    kind: str,
    terms: pd.DataFrame,
    label: np.ndarray,
    elastic: bool = False,
) -> None:
    """Add ``LocalContent-<kind>``; when ``elastic``, each row gets a shortfall variable
    ``Target-shortfall-<kind>`` (local value missing, in the currency)."""
    targets = data.targets[data.targets["scope_kind"] == kind].reset_index(drop=True)
    if targets.empty:
        return
    coeff = terms["value"].to_numpy(float) * (
        terms["local_content"].to_numpy(float) - terms["share"].to_numpy(float)
    )
    coords = [
        pd.Index(
            targets["scope"] + "@" + pd.Series(data.periods).iloc[targets["t"]].to_numpy(),
            name=f"{kind}_target",
        )
    ]
    lhs = expression(model, coords, [terms["row"].to_numpy(int)], label, coeff)
    if elastic:
        lhs = lhs + model.add_variables(lower=0.0, coords=coords, name=f"Target-shortfall-{kind}")
    model.add_constraints(lhs, ">=", 0.0, name=f"LocalContent-{kind}")


def _match(terms: pd.DataFrame, targets: pd.DataFrame, on: list[str]) -> pd.DataFrame:
    local = targets.reset_index(drop=True).assign(row=lambda f: np.arange(len(f)))
    return terms.merge(
        local[[*on, "row", "min_local_share"]].rename(columns={"min_local_share": "share"}), on=on
    )


def define_network_target(model: linopy.Model, data: PlanningData, elastic: bool = False) -> None:
    """``LocalContent-network[t]``: local share of all supplier receipts in t >= target."""
    targets = data.targets[data.targets["scope_kind"] == "network"].rename(columns={"t": "arrival"})
    terms = _match(supplier_receipts(data), targets, ["arrival"])
    ship = labels_of(model, "Lane-ship")
    _target_rows(model, data, "network", terms, ship[terms["arc"], terms["t"]], elastic)


def define_plant_target(model: linopy.Model, data: PlanningData, elastic: bool = False) -> None:
    """``LocalContent-plant[p, t]``: local share of supplier receipts at plant p in t >= target."""
    targets = data.targets[data.targets["scope_kind"] == "plant"].rename(
        columns={"t": "arrival", "scope": "destination"}
    )
    terms = _match(supplier_receipts(data), targets, ["destination", "arrival"])
    ship = labels_of(model, "Lane-ship")
    _target_rows(model, data, "plant", terms, ship[terms["arc"], terms["t"]], elastic)


def define_product_content(model: linopy.Model, data: PlanningData) -> None:
    """``Product-content[c, t]``: sum_o alloc[(c, o), t] = qty_c * make[prod_c, t]."""
    alloc = data.allocations
    if alloc.empty:
        return
    T = data.n_periods
    content = data.content
    e, t = _grid(len(alloc), T)
    a_lab = labels_of(model, "Product-alloc")
    c, tc = _grid(len(content), T)
    make = labels_of(model, "Plant-make")
    coords = [
        pd.Index(
            content["plant"] + "/" + content["product"] + "/" + content["item"], name="content"
        ),
        coord(data, "period"),
    ]
    lhs = expression(
        model,
        coords,
        [np.concatenate([alloc["content"].to_numpy(int)[e], c]), np.concatenate([t, tc])],
        np.concatenate([a_lab[e, t], make[content["prod"].to_numpy(int)[c], tc]]),
        np.concatenate([np.ones(e.size), -content["qty"].to_numpy(float)[c]]),
    )
    model.add_constraints(lhs, "=", 0.0, name="Product-content")


def define_product_origin(model: linopy.Model, data: PlanningData) -> None:
    """``Product-origin[(o, p), t]``: cumulative allocations of offer o at plant p up to t
    do not exceed cumulative receipts at p from o's supplier of o's item."""
    alloc = data.allocations
    if alloc.empty:
        return
    T = data.n_periods
    pairs = alloc[["supplier", "plant", "item"]].drop_duplicates(ignore_index=True)
    pair_index = pd.MultiIndex.from_frame(pairs)
    a_pair = pair_index.get_indexer(pd.MultiIndex.from_frame(alloc[["supplier", "plant", "item"]]))
    receipts = supplier_receipts(data)
    arcs = data.arcs.set_index("pos").loc[receipts["arc"]]
    r_pair = pair_index.get_indexer(
        pd.MultiIndex.from_arrays(
            [arcs["origin"].to_numpy(), arcs["destination"].to_numpy(), arcs["item"].to_numpy()]
        )
    )
    receipts = receipts[r_pair >= 0]
    r_pair = r_pair[r_pair >= 0]
    # row (pair, t) collects every term dated tau <= t: pair each term with the rows after it
    upto = np.arange(T)
    a_e, a_t = _grid(len(alloc), T)
    a_rows = np.repeat(a_t, T) <= np.tile(upto, a_e.size)
    a_row_t = np.tile(upto, a_e.size)[a_rows]
    a_elem, a_tau = np.repeat(a_e, T)[a_rows], np.repeat(a_t, T)[a_rows]
    r_arr = np.repeat(receipts["arrival"].to_numpy(int), T)
    r_mask = r_arr <= np.tile(upto, len(receipts))
    r_row_t = np.tile(upto, len(receipts))[r_mask]
    r_idx = np.repeat(np.arange(len(receipts)), T)[r_mask]
    ship = labels_of(model, "Lane-ship")
    a_lab = labels_of(model, "Product-alloc")
    coords = [
        pd.Index(
            pairs["supplier"] + "/" + pairs["item"] + ">" + pairs["plant"], name="origin_pair"
        ),
        coord(data, "period"),
    ]
    lhs = expression(
        model,
        coords,
        [np.concatenate([a_pair[a_elem], r_pair[r_idx]]), np.concatenate([a_row_t, r_row_t])],
        np.concatenate(
            [
                a_lab[a_elem, a_tau],
                ship[receipts["arc"].to_numpy(int)[r_idx], receipts["t"].to_numpy(int)[r_idx]],
            ]
        ),
        np.concatenate([np.ones(a_elem.size), -np.ones(r_idx.size)]),
    )
    model.add_constraints(lhs, "<=", 0.0, name="Product-origin")


def define_product_target(model: linopy.Model, data: PlanningData, elastic: bool = False) -> None:
    """``LocalContent-product[x, t]``: local share of the components allocated to product x in t."""
    alloc = data.allocations
    if alloc.empty:
        return
    e, t = _grid(len(alloc), data.n_periods)
    terms = pd.DataFrame(
        {
            "scope": alloc["product"].to_numpy()[e],
            "t": t,
            "alloc": e,
            "value": alloc["price"].to_numpy(float)[e],
            "local_content": alloc["local_content"].to_numpy(float)[e],
        }
    )
    targets = data.targets[data.targets["scope_kind"] == "product"]
    terms = _match(terms, targets, ["scope", "t"])
    a_lab = labels_of(model, "Product-alloc")
    _target_rows(model, data, "product", terms, a_lab[terms["alloc"], terms["t"]], elastic)
