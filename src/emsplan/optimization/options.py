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

from emsplan.network import Network
from emsplan.optimization.balance import _grid
from emsplan.optimization.sets import PlanningData
from emsplan.optimization.terms import expression, labels_of


def prepare_options(network: Network, data: PlanningData) -> None:
    """Add ``data.options`` (one row per option, with its offer, resource and periods),
    ``data.sources`` (single-source candidates) and ``data.item_bound``."""
    pidx = {p: i for i, p in enumerate(data.periods)}
    options = network.options.reset_index(drop=True).copy()
    options["first"] = options["period_from"].map(pidx).fillna(0).astype(int)
    options["last"] = options["period_to"].map(pidx).fillna(data.n_periods - 1).astype(int)
    offer_of = pd.MultiIndex.from_frame(data.offers[["supplier", "item"]])
    options["offer"] = offer_of.get_indexer(
        pd.MultiIndex.from_arrays([options["supplier"].to_numpy(), options["item"].to_numpy()])
    )
    res = pd.MultiIndex.from_frame(data.resources[["plant", "resource"]])
    options["res"] = res.get_indexer(
        pd.MultiIndex.from_arrays([options["plant"].to_numpy(), options["resource"].to_numpy()])
    )
    made = pd.MultiIndex.from_frame(data.production[["plant", "item"]])
    by_plant = options["supplier"].isna()
    options["prod"] = np.where(
        by_plant,
        made.get_indexer(
            pd.MultiIndex.from_arrays([options["plant"].to_numpy(), options["item"].to_numpy()])
        ),
        -1,
    )
    options["pos"] = np.arange(len(options))
    data.options = options
    data.item_bound = _item_bound(network, data)
    single = options[options["kind"] == "single_source"]
    supplied = data.arcs.loc[
        data.arcs["origin_kind"] == "supplier", ["origin", "destination", "item"]
    ]
    supplied = supplied.drop_duplicates().rename(
        columns={"origin": "supplier", "destination": "plant"}
    )
    sources = single[["pos", "option", "plant", "item"]].merge(supplied, on=["plant", "item"])
    data.sources = sources.reset_index(drop=True)


def _item_bound(network: Network, data: PlanningData) -> pd.Series:
    """Most units of each item that can ever be used: demand exploded through the BOM."""
    need = network.demand.groupby("item")["qty"].sum()
    per = network.bom.groupby(["parent", "child"])["qty_per"].max().reset_index()
    total = need.copy()
    level = need
    for _ in range(50):  # one BOM level a pass; validation rejects cycles
        step = per.merge(level.rename("qty"), left_on="parent", right_index=True)
        level = (step["qty"] * step["qty_per"]).groupby(step["child"]).sum()
        if level.empty:
            break
        total = total.add(level, fill_value=0.0)
    return total


def option_mask(data: PlanningData, kinds: tuple[str, ...]) -> np.ndarray:
    """(option, period) mask of the options of these kinds in their periods."""
    o = data.options
    t = np.arange(data.n_periods)[None, :]
    inside = (t >= o["first"].to_numpy()[:, None]) & (t <= o["last"].to_numpy()[:, None])
    return inside & o["kind"].isin(kinds).to_numpy()[:, None]


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
        index = pd.Index(s["option"] + ":" + s["supplier"], name="source")
        model.add_variables(binary=True, coords=[index], name="Option-source")


def line_capacity_terms(model: linopy.Model, data: PlanningData) -> pd.DataFrame:
    """Terms ``-capacity x open[o, t]`` of the resource rows that line options extend."""
    if data.options.empty or "Option-open" not in model.variables:
        return pd.DataFrame(columns=["res", "t", "label", "coeff"])
    lines = data.options[(data.options["kind"] == "line") & (data.options["res"] >= 0)]
    e, t = _grid(len(lines), data.n_periods)
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


def make_bound(data: PlanningData) -> np.ndarray:
    """Most units each production row can make in each period: its resource's capacity
    (with every line option open) over its usage, else the item's usable bound."""
    prod = data.production
    bound = np.repeat(
        prod["item"].map(data.item_bound).fillna(0.0).to_numpy(float)[:, None],
        data.n_periods,
        axis=1,
    )
    res = pd.MultiIndex.from_frame(data.resources[["plant", "resource"]]).get_indexer(
        pd.MultiIndex.from_arrays([prod["plant"].to_numpy(), prod["resource"].to_numpy()])
    )
    capacity = data.resource_capacity.copy()
    if len(data.options):
        lines = data.options[(data.options["kind"] == "line") & (data.options["res"] >= 0)]
        np.add.at(
            capacity,
            lines["res"].to_numpy(int),
            lines["capacity"].fillna(0.0).to_numpy(float)[:, None],
        )
    usage = prod["usage"].to_numpy(float)
    limited = (res >= 0) & (usage > 0)
    rows = np.flatnonzero(limited)
    bound[rows] = np.minimum(bound[rows], capacity[res[rows]] / usage[rows, None])
    return bound


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
    e, t = _grid(len(rows), T)
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
    e, t = _grid(len(arcs), data.n_periods)
    ship = labels_of(model, "Lane-ship")
    bound = arcs["item"].map(data.item_bound).fillna(0.0).to_numpy(float)
    coords = [
        pd.Index(arcs["pos"].astype(str) + ":" + arcs["source"].astype(str), name="sourced_arc"),
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
