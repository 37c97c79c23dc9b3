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

from emsplan.core.labels import market_source_label, source_label, sourced_arc_label
from emsplan.optimization.data import PlanningData, grid
from emsplan.optimization.prepare.options import OPEN_KINDS, make_bound, option_mask
from emsplan.optimization.terms import expression, labels_of
from emsplan.optimization.variables import coord


def define_option_variables(model: linopy.Model, data: PlanningData) -> None:
    """``Option-open[o, t]`` (line, contract, min_qty, site), ``Option-source[k]`` and
    ``Option-market-source[(o, m, k)]`` binaries."""
    if data.options.empty:
        return
    names = pd.Index(data.options["option"], name="option")
    periods = pd.Index(data.periods, name="period")
    mask = option_mask(data, OPEN_KINDS)
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
    if not data.market_sources.empty:
        model.add_variables(
            binary=True, coords=[_market_source_index(data)], name="Option-market-source"
        )


def _market_source_index(data: PlanningData) -> pd.Index:
    m = data.market_sources
    return pd.Index(
        market_source_label(m["option"], m["market"], m["origin"]), name="market_source"
    )


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
    capacities = np.append(data.offers["capacity"].to_numpy(float), np.inf)
    offer_cap = capacities[np.where(offer >= 0, offer, len(capacities) - 1)]
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
    qty = np.full(e.size, -1, dtype=np.int64)
    bought, made = offer[e] >= 0, prod[e] >= 0
    qty[bought] = buy[offer[e][bought], t[bought]]
    qty[made] = make[prod[e][made], t[made]]
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


def define_production_contracts(model: linopy.Model, data: PlanningData) -> None:
    """``Option-make-contract[(o, p), t]``: make <= cap x open for each production row a
    production contract covers (its plant making its item or an item of its group)."""
    rows = data.contract_rows
    if rows.empty:
        return
    rows = rows.assign(option=rows["label"])
    _qty_vs_open(model, data, rows, -_offer_cap(data, rows), "<=", "Option-make-contract")


def define_production_minimum(model: linopy.Model, data: PlanningData) -> None:
    """``Option-make-min[o, t]``: the covered items made at the plant >= min_qty x open."""
    rows = data.contract_rows
    rows = rows[rows["min_qty"].notna()] if len(rows) else rows
    if rows.empty:
        return
    options = rows.drop_duplicates("pos").reset_index(drop=True)
    element = pd.Index(options["pos"]).get_indexer(rows["pos"])
    T = data.n_periods
    e, t = grid(len(rows), T)
    o, u = grid(len(options), T)
    make = labels_of(model, "Plant-make")
    open_ = labels_of(model, "Option-open")
    coords = [
        pd.Index(options["option"], name="make_min_option"),
        pd.Index(data.periods, name="period"),
    ]
    lhs = expression(
        model,
        coords,
        [np.concatenate([element[e], o]), np.concatenate([t, u])],
        np.concatenate(
            [make[rows["prod"].to_numpy(int)[e], t], open_[options["pos"].to_numpy(int)[o], u]]
        ),
        np.concatenate([np.ones(e.size), -options["min_qty"].to_numpy(float)[o]]),
    )
    model.add_constraints(lhs, ">=", 0.0, name="Option-make-min")


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


def define_market_source_choice(model: linopy.Model, data: PlanningData) -> None:
    """``Option-market-one[(o, m)]``: one origin serves market m's covered items (= 1 when
    all of the market's covered demand must be met, else <= 1)."""
    m = data.market_sources
    if m.empty:
        return
    pairs = m[["option", "market"]].drop_duplicates().reset_index(drop=True)
    row = pd.MultiIndex.from_frame(pairs).get_indexer(
        pd.MultiIndex.from_frame(m[["option", "market"]])
    )
    labels = labels_of(model, "Option-market-source")
    index = pd.Index(pairs["option"] + " " + pairs["market"], name="market_choice")
    lhs = expression(model, [index], [row], labels, np.ones(len(m)))
    demand = data.demand
    soft = demand.loc[demand["penalty"].notna(), "market"].unique()
    hard = ~pairs["market"].isin(soft).to_numpy()
    if hard.any():
        model.add_constraints(
            lhs.sel(market_choice=index[hard]), "=", 1.0, name="Option-market-one"
        )
    if (~hard).any():
        model.add_constraints(
            lhs.sel(market_choice=index[~hard]), "<=", 1.0, name="Option-market-one-soft"
        )


def define_market_source_flow(model: linopy.Model, data: PlanningData) -> None:
    """``Option-market-flow[a, t]``: ship[a, t] <= D(m, item, t + L_a) x chosen[(o, m, k)]
    on each arc a from origin k to market m of a covered item (a market holds no stock,
    so its arrivals never exceed its demand)."""
    m = data.market_sources
    if m.empty:
        return
    covered = m.assign(choice=np.arange(len(m)))[["origin", "market", "option", "choice"]]
    arcs = data.arcs.merge(
        covered.rename(columns={"market": "destination"}), on=["origin", "destination"]
    )
    item_of = arcs["option"].map(data.options.set_index("option")["item"])
    arcs = arcs[(item_of.isna() | (arcs["item"] == item_of)).to_numpy()].reset_index(drop=True)
    if arcs.empty:
        return
    T = data.n_periods
    e, t = grid(len(arcs), T)
    arrive = t + arcs["lead_time"].to_numpy(int)[e]
    inside = arrive < T
    per = data.demand.groupby(["market", "item", "t"])["qty"].sum()
    wanted = pd.MultiIndex.from_arrays(
        [
            arcs["destination"].to_numpy()[e[inside]],
            arcs["item"].to_numpy()[e[inside]],
            arrive[inside],
        ]
    )
    demand = np.zeros(e.size)
    demand[inside] = per.reindex(wanted).fillna(0.0).to_numpy(float)
    ship = labels_of(model, "Lane-ship")[arcs["pos"].to_numpy(int)]
    chosen = labels_of(model, "Option-market-source")[arcs["choice"].to_numpy(int)]
    names = coord(data, "arc")[arcs["pos"].to_numpy(int)]
    coords = [pd.Index(names, name="market_arc"), pd.Index(data.periods, name="period")]
    lhs = expression(
        model,
        coords,
        [np.concatenate([e, e]), np.concatenate([t, t])],
        np.concatenate([ship[e, t], chosen[e]]),
        np.concatenate([np.ones(e.size), -demand]),
    )
    mask = xr.DataArray(ship >= 0, coords=coords)
    model.add_constraints(lhs, "<=", 0.0, name="Option-market-flow", mask=mask)


def fixed_costs(model: linopy.Model, data: PlanningData) -> tuple[np.ndarray, np.ndarray]:
    """Labels and coefficients of the options' fixed costs (for the objective)."""
    if data.options.empty or "Option-open" not in model.variables:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    open_ = labels_of(model, "Option-open")
    cost = data.options["fixed_cost"].to_numpy(float)[:, None] * np.ones((1, data.n_periods))
    return open_.ravel(), cost.ravel()
