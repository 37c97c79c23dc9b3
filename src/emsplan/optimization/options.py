"""Discrete network decisions from the ``options`` table.

Each option exists in the periods [period_from, period_to] (blank ends open):

* ``line``: binary ``Option-open[o, t]``; when open, the plant's resource gains
  ``capacity`` (in ``Resource-capacity``) and the period costs ``fixed_cost``.
* ``contract``: binary ``Option-open[o, t]``; the offer (supplier, item) can be
  bought from only when open (``Option-contract``: buy <= cap x open, with cap
  the option's capacity, else the offer's, else the most of the item that can
  ever be used), at ``fixed_cost`` a period; outside its periods the offer
  cannot be used.
* ``min_qty``: binary ``Option-open[o, t]`` = "using it in t"; the offer
  (supplier, item) is bought, or the plant makes the item (plant, item),
  either not at all or at least ``min_qty`` in the period
  (``Option-min-qty-low/high``: min_qty x open <= qty <= cap x open).
* ``single_source``: binary ``Option-source[o, k]`` per offer k of the item
  whose supplier has a lane to the plant; at most one is chosen over the
  horizon (``Option-single-source``) and only the chosen supplier ships the
  item to the plant (``Option-source-flow``: ship <= bound x chosen).

"The most of the item that can ever be used" is the item's total demand over
the horizon exploded through the BOM (largest quantity per parent), a valid
bound since buying more than can ever be used never lowers the cost.
"""

from __future__ import annotations

import linopy
import numpy as np
import pandas as pd
import xarray as xr

from emsplan.core.labels import source_label, sourced_arc_label
from emsplan.optimization.data import PlanningData, grid
from emsplan.optimization.prepare.options import make_bound, option_mask
from emsplan.optimization.terms import expression, labels_of


def define_option_variables(model: linopy.Model, data: PlanningData) -> None:
    """``Option-open[o, t]`` (line, contract, min_qty) and ``Option-source[k]`` binaries."""
    if data.options.empty:
        return
    names = pd.Index(data.options["option"], name="option")
    periods = pd.Index(data.periods, name="period")
    mask = option_mask(data, ("line", "contract", "min_qty"))
    if mask.any():
        model.add_variables(
            binary=True,
            coords=[names, periods],
            name="Option-open",
            mask=xr.DataArray(mask, coords=[names, periods]),
        )
    if not data.sources.empty:
        s = data.sources
        index = pd.Index(source_label(s["option"], s["supplier"]), name="source")
        model.add_variables(binary=True, coords=[index], name="Option-source")


def line_capacity_terms(model: linopy.Model, data: PlanningData) -> pd.DataFrame:
    """Terms ``-capacity x open[o, t]`` of the resource rows that line options extend."""
    if data.options.empty or "Option-open" not in model.variables:
        return pd.DataFrame(columns=["res", "t", "label", "coeff"])
    lines = data.options[(data.options["kind"] == "line") & (data.options["res"] >= 0)]
    e, t = grid(len(lines), data.n_periods)
    open_ = labels_of(model, "Option-open")
    pos = lines["pos"].to_numpy(int)
    return pd.DataFrame(
        {
            "res": lines["res"].to_numpy(int)[e],
            "t": t,
            "label": open_[pos[e], t],
            "coeff": -lines["capacity"].fillna(0.0).to_numpy(float)[e],
        }
    )


def _offer_cap(data: PlanningData, rows: pd.DataFrame) -> np.ndarray:
    """Per option row: its capacity, else its offer's, else for a production row the most
    it can make in a period, else the item's usable bound."""
    offer = rows["offer"].to_numpy(int)
    offer_cap = np.where(
        offer >= 0, data.offers["capacity"].to_numpy(float)[np.maximum(offer, 0)], np.inf
    )
    bound = rows["item"].map(data.item_bound).fillna(0.0).to_numpy(float)
    prod = rows["prod"].to_numpy(int) if "prod" in rows else np.full(len(rows), -1)
    if (prod >= 0).any():
        most = make_bound(data).max(axis=1)
        bound = np.where(prod >= 0, np.minimum(bound, most[np.maximum(prod, 0)]), bound)
    cap = rows["capacity"].to_numpy(float)
    cap = np.where(np.isnan(cap), offer_cap, cap)
    return np.where(np.isfinite(cap), cap, bound)


def _qty_vs_open(
    model: linopy.Model,
    data: PlanningData,
    rows: pd.DataFrame,
    coeff: np.ndarray,
    sign: str,
    name: str,
) -> None:
    """``qty[row, t] + coeff x open[o, t]  (sign)  0`` for option rows, over every period
    (outside an option's periods ``open`` does not exist), where qty is the offer's
    ``Supply-buy`` (rows with an offer) or the production row's ``Plant-make``."""
    if rows.empty:
        return
    T = data.n_periods
    e, t = grid(len(rows), T)
    buy = labels_of(model, "Supply-buy")
    make = labels_of(model, "Plant-make")
    offer = rows["offer"].to_numpy(int)
    prod = rows["prod"].to_numpy(int)
    qty = np.where(offer[e] >= 0, buy[np.maximum(offer, 0)[e], t], make[np.maximum(prod, 0)[e], t])
    open_ = labels_of(model, "Option-open")
    coords = [
        pd.Index(rows["option"], name=f"{name}_option"),
        pd.Index(data.periods, name="period"),
    ]
    lhs = expression(
        model,
        coords,
        [np.concatenate([e, e]), np.concatenate([t, t])],
        np.concatenate([qty, open_[rows["pos"].to_numpy(int)[e], t]]),
        np.concatenate([np.ones(e.size), coeff[e]]),
    )
    model.add_constraints(lhs, sign, 0.0, name=name)


def define_contracts(model: linopy.Model, data: PlanningData) -> None:
    """``Option-contract[o, t]``: buy <= cap x open (no buying outside the contract)."""
    rows = data.options[(data.options["kind"] == "contract") & (data.options["offer"] >= 0)]
    _qty_vs_open(model, data, rows, -_offer_cap(data, rows), "<=", "Option-contract")


def define_min_qty(model: linopy.Model, data: PlanningData) -> None:
    """``Option-min-qty-low/high[o, t]``: min_qty x open <= qty <= cap x open."""
    o = data.options
    rows = o[(o["kind"] == "min_qty") & ((o["offer"] >= 0) | (o["prod"] >= 0))]
    low = -rows["min_qty"].fillna(0.0).to_numpy(float)
    _qty_vs_open(model, data, rows, low, ">=", "Option-min-qty-low")
    _qty_vs_open(model, data, rows, -_offer_cap(data, rows), "<=", "Option-min-qty-high")


def define_single_source(model: linopy.Model, data: PlanningData) -> None:
    """``Option-single-source[o]``: at most one source chosen; ``Option-source-flow[a, t]``:
    only the chosen supplier ships the item to the plant."""
    s = data.sources
    if s.empty:
        return
    labels = labels_of(model, "Option-source")
    options = s["option"].drop_duplicates().reset_index(drop=True)
    row = pd.Index(options).get_indexer(s["option"])
    lhs = expression(
        model, [pd.Index(options, name="single_source")], [row], labels, np.ones(len(s))
    )
    model.add_constraints(lhs, "<=", 1.0, name="Option-single-source")
    arcs = data.arcs.merge(
        s.assign(source=np.arange(len(s))).rename(
            columns={"supplier": "origin", "plant": "destination"}
        )[["origin", "destination", "item", "source"]],
        on=["origin", "destination", "item"],
    )
    e, t = grid(len(arcs), data.n_periods)
    ship = labels_of(model, "Lane-ship")
    bound = arcs["item"].map(data.item_bound).fillna(0.0).to_numpy(float)
    coords = [
        pd.Index(
            sourced_arc_label(arcs["pos"].astype(str), arcs["source"].astype(str)),
            name="sourced_arc",
        ),
        pd.Index(data.periods, name="period"),
    ]
    lhs = expression(
        model,
        coords,
        [np.concatenate([e, e]), np.concatenate([t, t])],
        np.concatenate(
            [ship[arcs["pos"].to_numpy(int)[e], t], labels[arcs["source"].to_numpy(int)[e]]]
        ),
        np.concatenate([np.ones(e.size), -bound[e]]),
    )
    model.add_constraints(lhs, "<=", 0.0, name="Option-source-flow")


def fixed_costs(model: linopy.Model, data: PlanningData) -> tuple[np.ndarray, np.ndarray]:
    """Labels and coefficients of the options' fixed costs (for the objective)."""
    if data.options.empty or "Option-open" not in model.variables:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    open_ = labels_of(model, "Option-open")
    cost = data.options["fixed_cost"].to_numpy(float)[:, None] * np.ones((1, data.n_periods))
    return open_.ravel(), cost.ravel()
