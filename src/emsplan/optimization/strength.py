"""Valid inequalities that tighten the LP relaxation of fixed-charge line options.

Neither changes the set of integer-feasible plans; both make branch and bound prove
optimality far sooner (measured on the OR-Library instances, benchmarks/README.md):

* ``Option-line-flow``: a shipment to a market carries no more than the market's demand
  times the lines open (x_ij <= d_j y_i in one period);
* ``Option-line-cover``: the lines open up to t can make the demand that must be met up
  to t (sum_i s_i y_i >= sum_j d_j in one period), the row on which HiGHS's knapsack
  cover cuts work.
"""

from __future__ import annotations

import linopy
import numpy as np
import pandas as pd

from emsplan.core.labels import at_period
from emsplan.optimization.data import PlanningData, grid
from emsplan.optimization.options import line_capacity_terms
from emsplan.optimization.terms import constant, expression, labels_of
from emsplan.optimization.variables import coord


def line_only_production(data: PlanningData) -> pd.DataFrame:
    """Production rows (plant, item, res, usage) whose item reaches the plant in no other
    way than being made there on a resource with no capacity of its own, using some of it
    (every unit made on lines opened by options; a row of usage 0 makes units without
    any line, so it is not one of them)."""
    res = data.resources
    zero_base: np.ndarray = ~np.any(data.resource_capacity > 0, axis=1)
    prod = data.production[data.production["resource"].notna()]
    made = prod[["plant", "item", "resource", "usage"]].merge(
        res.assign(res=res["pos"])[["plant", "resource", "res"]], on=["plant", "resource"]
    )
    made = made[zero_base[made["res"].to_numpy(int)] & (made["usage"].to_numpy(float) > 0)]
    received = set(zip(data.arcs["destination"], data.arcs["item"], strict=True))
    keep = [(p, i) not in received for p, i in zip(made["plant"], made["item"], strict=True)]
    return made[np.asarray(keep, dtype=bool)].reset_index(drop=True)


def define_line_flow_bounds(model: linopy.Model, data: PlanningData) -> None:
    """``Option-line-flow[a, t]``: the textbook strengthening of fixed-charge lines.

    When an item's only source at a plant is production on a resource with no
    capacity of its own (every unit comes from line options) and no lane brings
    the item in, a shipment of it to a market can only carry what was made
    while a line was open, and never more than the market's demand in the
    arrival period::

        ship[a, t] <= demand(a, t + L_a) x sum_(l, tau <= t) open[l, tau]

    In one period this is x_ij <= d_j y_i, which makes the LP relaxation of a
    capacitated facility location tight enough for branch and bound.
    """
    if data.options.empty or "Option-open" not in model.variables:
        return
    lines = data.options[(data.options["kind"] == "line") & (data.options["res"] >= 0)]
    if lines.empty:
        return
    made = line_only_production(data)[["plant", "item", "res"]]
    arcs = data.arcs.merge(made.rename(columns={"plant": "origin"}), on=["origin", "item"])
    arcs = arcs[arcs["destination"].isin(data.demand["market"])]
    if arcs.empty:
        return
    T = data.n_periods
    demand = data.demand.groupby(["market", "item", "t"])["qty"].sum()
    e, t = grid(len(arcs), T)
    arrival = t + arcs["lead_time"].to_numpy(int)[e]
    ok = arrival < T
    e, t, arrival = e[ok], t[ok], arrival[ok]
    d = (
        demand.reindex(
            pd.MultiIndex.from_arrays(
                [arcs["destination"].to_numpy()[e], arcs["item"].to_numpy()[e], arrival]
            )
        )
        .fillna(0.0)
        .to_numpy(float)
    )
    row = np.arange(e.size)
    # every line of the arc's resource, opened at any tau <= t
    pairs = pd.DataFrame({"row": row, "res": arcs["res"].to_numpy(int)[e], "t": t}).merge(
        lines[["pos", "res"]], on="res"
    )
    taus = np.arange(T)
    pairs = pairs.loc[pairs.index.repeat(T)].assign(tau=np.tile(taus, len(pairs)))
    pairs = pairs[pairs["tau"] <= pairs["t"]]
    open_ = labels_of(model, "Option-open")
    ship = labels_of(model, "Lane-ship")
    names = at_period(
        arcs["pos"].astype(str).to_numpy()[e], np.asarray(data.periods, dtype=object)[t]
    )
    coords = [pd.Index(names, name="line_flow")]
    lhs = expression(
        model,
        coords,
        [np.concatenate([row, pairs["row"].to_numpy(int)])],
        np.concatenate(
            [
                ship[arcs["pos"].to_numpy(int)[e], t],
                open_[pairs["pos"].to_numpy(int), pairs["tau"].to_numpy(int)],
            ]
        ),
        np.concatenate([np.ones(row.size), -d[pairs["row"].to_numpy(int)]]),
    )
    model.add_constraints(lhs, "<=", 0.0, name="Option-line-flow")


def define_line_cover(model: linopy.Model, data: PlanningData) -> None:
    """``Option-line-cover[i, t]``: for an item every unit of which is made on lines (each
    plant making it is line-only, see :func:`line_only_production`, and no supplier offers
    it), the lines open up to t can make the demand of it that must be met up to t::

        sum_(p makes i, lines l of p, tau <= t) capacity_l / usage_p x open[l, tau]
            >= sum_(tau <= t) hard demand(i, tau)

    Valid because there is no opening stock and a unit delivered by t was made by t; a
    line shared by several items is counted whole for each (weaker, still valid)."""
    if data.options.empty or "Option-open" not in model.variables:
        return
    hard = data.demand[data.demand["penalty"].isna()]
    made = line_only_production(data)
    if hard.empty or made.empty:
        return
    all_rows = data.production.groupby("item").size()
    line_rows = made.groupby("item").size()
    items = line_rows.index[
        (line_rows == all_rows.reindex(line_rows.index))
        & ~line_rows.index.isin(data.offers["item"])
        & line_rows.index.isin(hard["item"])
    ]
    made = made[made["item"].isin(items)]
    if made.empty:
        return
    T = data.n_periods
    items = pd.Index(sorted(made["item"].unique()), name="line_cover")
    need = np.zeros((len(items), T))
    mask = items.get_indexer(hard["item"]) >= 0
    np.add.at(
        need,
        (items.get_indexer(hard["item"][mask]), hard["t"].to_numpy(int)[mask]),
        hard["qty"].to_numpy(float)[mask],
    )
    lines = line_capacity_terms(model, data)
    terms = made.merge(lines, on="res")  # one row per (production row, line, tau)
    terms = terms[terms["label"] >= 0]
    # each term counts in every row period t >= tau
    terms = terms.loc[terms.index.repeat(T)].assign(row_t=np.tile(np.arange(T), len(terms)))
    terms = terms[terms["row_t"] >= terms["t"]]
    cumulative = np.cumsum(need, axis=1)
    coords = [items, coord(data, "period")]
    lhs = expression(
        model,
        coords,
        [items.get_indexer(terms["item"]), terms["row_t"].to_numpy(int)],
        terms["label"].to_numpy(np.int64),
        -terms["coeff"].to_numpy(float) / terms["usage"].to_numpy(float),
    )
    model.add_constraints(lhs, ">=", constant(coords, cumulative), name="Option-line-cover")
