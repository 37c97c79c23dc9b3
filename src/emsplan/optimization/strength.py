"""Valid inequalities that tighten the LP relaxation of fixed-charge options.

None changes the set of integer-feasible plans; each may make branch and bound prove
optimality sooner (measured on the OR-Library and the Holmberg SSCFLP instances,
benchmarks/README.md). For line options:

* ``Option-line-flow``: a shipment to a market carries no more than the market's demand
  times the lines open (x_ij <= d_j y_i in one period);
* ``Option-line-cover``: the lines open up to t can make the demand that must be met up
  to t (sum_i s_i y_i >= sum_j d_j in one period), the row on which HiGHS's knapsack
  cover cuts work.

For site options (``docs/design/network-design.md``, section 7):

* ``Site-flow``: a shipment from a plant or warehouse with a site option to a market
  carries no more than the market's demand times the site's open (x_ij <= d_j y_i);
* ``Site-cover``: the throughput of the plants open up to t covers the demand of an item
  only they make that must be met up to t;
* ``Source-open``: a market single-sourced from a site takes it only if the site is open
  when the market's demand must leave it (x_ij <= y_i);
* ``Source-knapsack``: the demand a single-sourcing plant takes on up to t fits in its
  throughput while open up to t (sum_j d_j x_ij <= s_i y_i), binaries only.

:func:`define_strength` adds the families named in ``strengthen``
(:data:`FAMILIES`; None: :data:`DEFAULT`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import linopy
import numpy as np
import pandas as pd
import xarray as xr

from emsplan.core.labels import at_period
from emsplan.optimization.data import PlanningData, grid
from emsplan.optimization.options import line_capacity_terms
from emsplan.optimization.sites import absent_demand, channel_rows
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
    line shared by several items is counted whole for each (weaker, still valid). The
    hard demand is :func:`hard_demand`'s (none under the profit objective)."""
    if data.options.empty or "Option-open" not in model.variables:
        return
    hard = hard_demand(data)
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


# -- site options ---------------------------------------------------------------------------
def hard_demand(data: PlanningData) -> pd.DataFrame:
    """Demand rows every plan meets in full: under the cost objective, the rows without a
    penalty, except a channel's (a market site option's rows exist only while it is open)
    and a candidate market's before its period_from. None under the profit objective
    (every row may go unserved there)."""
    demand = data.demand
    if data.objective != "cost":
        return demand.iloc[:0]
    keep = demand["penalty"].isna().to_numpy() & ~absent_demand(data)
    keep[channel_rows(data)[0]] = False
    return demand[keep]


def _site_open(data: PlanningData, kinds: tuple[str, ...], capped: bool) -> pd.DataFrame:
    """Site options on sites of these kinds; with ``capped``, only those whose
    ``Site-throughput`` row exists in every period (a capacity, and a candidate, which is
    closed before its period_from, or an option from the first period: an existing site
    runs unbounded before its period_from)."""
    if data.sites.empty:
        return data.sites
    sites = data.sites[data.sites["site_kind"].isin(kinds)]
    if capped:
        every = (sites["y0"].to_numpy(int) == 0) | (sites["first"].to_numpy(int) == 0)
        sites = sites[sites["capacity"].notna().to_numpy() & every]
    return sites.reset_index(drop=True)


def _covered_arcs(data: PlanningData) -> pd.DataFrame:
    """Arcs of a covered item from a candidate origin to a market-sourced market, each with
    its choice (row of ``data.market_sources``)."""
    m = data.market_sources
    choice = m.assign(choice=np.arange(len(m)))[["option", "market", "origin", "choice"]]
    arcs = data.arcs.merge(
        choice.rename(columns={"market": "destination"}), on=["origin", "destination"]
    )
    item_of = arcs["option"].map(data.options.set_index("option")["item"])
    return arcs[(item_of.isna() | (arcs["item"] == item_of)).to_numpy()].reset_index(drop=True)


def _covered_hard_demand(data: PlanningData) -> np.ndarray:
    """(choice, period): the hard demand (:func:`hard_demand`) of the covered items of the
    choice's market, the same for every origin of a market."""
    m = data.market_sources
    need = np.zeros((len(m), data.n_periods))
    hard = hard_demand(data)
    if m.empty or hard.empty:
        return need
    item_of = m["option"].map(data.options.set_index("option")["item"])
    rows = m.assign(choice=np.arange(len(m)), covered=item_of.to_numpy()).merge(
        hard[["market", "item", "t", "qty"]], on="market"
    )
    rows = rows[(rows["covered"].isna() | (rows["covered"] == rows["item"])).to_numpy()]
    np.add.at(
        need,
        (rows["choice"].to_numpy(int), rows["t"].to_numpy(int)),
        rows["qty"].to_numpy(float),
    )
    return need


def define_site_flow(model: linopy.Model, data: PlanningData) -> None:
    """``Site-flow[a, t]``: on an arc a from a plant or warehouse s with a site option o to
    a market m, nothing leaves while s is closed and never more than m's demand of the
    item in the arrival period::

        ship[a, t] - D(m, item_a, t + L_a) x open[o, t] <= 0       t >= first_o

    Valid: ``Site-idle`` (every site option of a plant or warehouse with a node of a
    demanded item has it) makes all that s dispatches in t zero when open[o, t] = 0, and
    ``Market-delivery`` (arrivals + unmet = demand, both >= 0) caps every arrival at m by
    the demand D (summed over the rows of (m, item, t + L_a); a channel's or an absent
    row's is smaller still). Before first_o a candidate's ``Site-idle`` row already forces
    ship = 0, an existing site runs: no row. Valid under either objective, with lead times
    and in every period. In one period it is x_ij <= d_j y_i, the disaggregation of the
    big-M ``Site-idle`` row."""
    sites = _site_open(data, ("plant", "warehouse"), capped=False)
    if sites.empty or "Option-open" not in model.variables:
        return
    markets = data.nodes.loc[data.nodes["kind"] == "market", "site"].unique()
    arcs = data.arcs[data.arcs["destination"].isin(markets)].merge(
        sites[["site", "pos"]].rename(columns={"site": "origin", "pos": "opt"}), on="origin"
    )
    if arcs.empty:
        return
    T = data.n_periods
    e, t = grid(len(arcs), T)
    arrive = t + arcs["lead_time"].to_numpy(int)[e]
    open_ = labels_of(model, "Option-open")
    inside = arrive < T
    opened = np.full(e.size, -1, dtype=np.int64)
    opened[inside] = open_[arcs["opt"].to_numpy(int)[e[inside]], t[inside]]
    keep = opened >= 0
    e, t, arrive, opened = e[keep], t[keep], arrive[keep], opened[keep]
    per = data.demand.groupby(["market", "item", "t"])["qty"].sum()
    wanted = pd.MultiIndex.from_arrays(
        [arcs["destination"].to_numpy()[e], arcs["item"].to_numpy()[e], arrive]
    )
    demand = per.reindex(wanted).fillna(0.0).to_numpy(float)
    ship = labels_of(model, "Lane-ship")[arcs["pos"].to_numpy(int)[e], t]
    names = coord(data, "arc")[arcs["pos"].to_numpy(int)]
    coords = [pd.Index(names, name="site_arc"), coord(data, "period")]
    lhs = expression(
        model,
        coords,
        [np.concatenate([e, e]), np.concatenate([t, t])],
        np.concatenate([ship, opened]),
        np.concatenate([np.ones(e.size), -demand]),
    )
    mask = np.zeros((len(arcs), T), dtype=bool)
    mask[e, t] = True
    model.add_constraints(lhs, "<=", 0.0, name="Site-flow", mask=xr.DataArray(mask, coords=coords))


def define_site_cover(model: linopy.Model, data: PlanningData) -> None:
    """``Site-cover[i, t]``: for an item no supplier offers and made only at plants whose
    site option caps what they make in every period (``Site-throughput``, see
    :func:`_site_open`), the throughput of those plants open up to t covers the demand of
    the item that must be met up to t::

        sum_(s makes i, tau <= t) capacity_s x open[o_s, tau]
            >= sum_(tau <= t) hard demand(i, tau)

    Valid because there is no opening stock, the item enters the network only where it is
    made (no offer), a unit delivered by t was made by t (lead times only delay it), and
    the units of i made at s in tau are at most all that s makes, <= capacity_s x
    open[o_s, tau] (0 for a candidate before its period_from). A plant making several items
    is counted whole for each (weaker, still valid). The hard demand is
    :func:`hard_demand`'s: no row under the profit objective."""
    plants = _site_open(data, ("plant",), capped=True)
    hard = hard_demand(data)
    if plants.empty or hard.empty or "Option-open" not in model.variables:
        return
    prod = data.production[["plant", "item"]].drop_duplicates()
    capped = prod["plant"].isin(plants["site"])
    every = capped.groupby(prod["item"]).all()
    items = every.index[
        every.to_numpy() & ~every.index.isin(data.offers["item"]) & every.index.isin(hard["item"])
    ]
    if items.empty:
        return
    T = data.n_periods
    items = pd.Index(sorted(items), name="site_cover")
    need = np.zeros((len(items), T))
    at = items.get_indexer(hard["item"])
    mask = at >= 0
    np.add.at(need, (at[mask], hard["t"].to_numpy(int)[mask]), hard["qty"].to_numpy(float)[mask])
    cumulative = np.cumsum(need, axis=1)
    made = prod[prod["item"].isin(items)].merge(
        plants[["site", "pos", "capacity"]].rename(columns={"site": "plant"}), on="plant"
    )
    open_ = labels_of(model, "Option-open")
    e, tau = grid(len(made), T)
    # each open[o, tau] counts in every row period t >= tau
    e, tau = np.repeat(e, T), np.repeat(tau, T)
    t = np.tile(np.arange(T), len(made) * T)
    keep = t >= tau
    e, tau, t = e[keep], tau[keep], t[keep]
    coords = [items, coord(data, "period")]
    lhs = expression(
        model,
        coords,
        [items.get_indexer(made["item"].to_numpy()[e]), t],
        open_[made["pos"].to_numpy(int)[e], tau],
        made["capacity"].to_numpy(float)[e],
    )
    model.add_constraints(
        lhs,
        ">=",
        constant(coords, cumulative),
        name="Site-cover",
        mask=xr.DataArray(cumulative > 0, coords=coords),
    )


def define_source_open(model: linopy.Model, data: PlanningData) -> None:
    """``Source-open[(o, m, k), t]``: a market m single-sourced from a plant or warehouse k
    with a site option o_k takes k only if k is open when m's demand of period t leaves
    it, for every period t in which m has hard covered demand::

        chosen[(o, m, k)] - open[o_k, t - L] <= 0

    L the lead time of k's arcs of covered items to m (no row when they differ), t - L >=
    first of o_k. Valid: with chosen = 1 every other origin of m has chosen = 0
    (``Option-market-one``), so ``Option-market-flow`` closes its arcs to the covered
    items, and the hard demand of t (:func:`hard_demand`, > 0, met in full) arrives from
    k, shipped in t - L; ``Site-idle`` then makes open[o_k, t - L] = 1. Cost objective
    only (under profit every row may go unserved). In one period it is x_ij <= y_i."""
    m = data.market_sources
    sites = _site_open(data, ("plant", "warehouse"), capped=False)
    if m.empty or sites.empty or "Option-open" not in model.variables:
        return
    if data.objective != "cost":
        return
    arcs = _covered_arcs(data)
    spread = arcs.groupby("choice")["lead_time"].agg(["min", "max"])
    lead = spread.loc[spread["min"] == spread["max"], "min"]
    need = _covered_hard_demand(data)
    at = pd.Index(sites["site"]).get_indexer(m["origin"])
    choice, t = np.nonzero((need > 0) & (at >= 0)[:, None])
    L = lead.reindex(choice).to_numpy(float)
    ok = ~np.isnan(L)
    choice, t, L = choice[ok], t[ok], L[ok].astype(int)
    sent = t - L
    ok = sent >= 0
    choice, t, sent = choice[ok], t[ok], sent[ok]
    opened = labels_of(model, "Option-open")[sites["pos"].to_numpy(int)[at[choice]], sent]
    keep = opened >= 0  # t - L before a site option's first period: no row
    choice, t, opened = choice[keep], t[keep], opened[keep]
    if choice.size == 0:
        return
    chosen = labels_of(model, "Option-market-source")[choice]
    names = model.variables["Option-market-source"].indexes["market_source"]
    coords = [pd.Index(names, name="source_open"), coord(data, "period")]
    lhs = expression(
        model,
        coords,
        [np.concatenate([choice, choice]), np.concatenate([t, t])],
        np.concatenate([chosen, opened]),
        np.concatenate([np.ones(choice.size), -np.ones(choice.size)]),
    )
    mask = np.zeros((len(m), data.n_periods), dtype=bool)
    mask[choice, t] = True
    model.add_constraints(
        lhs, "<=", 0.0, name="Source-open", mask=xr.DataArray(mask, coords=coords)
    )


def define_source_knapsack(model: linopy.Model, data: PlanningData) -> None:
    """``Source-knapsack[o_k, t]``: the hard covered demand of the markets single-sourced
    from a plant k up to t fits in what k may make while open up to t::

        sum_(tau <= t) sum_((o, m)) D_(o,m)(tau) x chosen[(o, m, k)]
            - sum_(tau <= t) capacity_k x open[o_k, tau] <= 0

    for plants k whose site option caps what they make in every period (see
    :func:`_site_open`) and that receive by no lane an item they ship to a sourced
    market. D_(o,m)(tau) is m's hard covered demand (:func:`hard_demand`). Valid: with
    chosen = 1 that demand arrives from k only (see :func:`define_source_open`); no two
    options cover the same (market, item) (validation), so no unit is counted twice;
    a unit arriving by t left k by t (a lead time only makes the row weaker) and, with
    no opening stock and no lane bringing the item to k, was made at k by t; what k
    makes in tau is <= capacity_k x open[o_k, tau]. Cost objective only (no hard demand
    under profit). The row holds binaries only: HiGHS's knapsack cover cuts work on it."""
    m = data.market_sources
    plants = _site_open(data, ("plant",), capped=True)
    if m.empty or plants.empty or "Option-open" not in model.variables:
        return
    need = _covered_hard_demand(data)
    if not need.any():
        return
    arcs = _covered_arcs(data)
    shipped = arcs[["origin", "item"]].drop_duplicates()
    received = data.arcs[["destination", "item"]].drop_duplicates()
    fed = shipped.merge(received, left_on=["origin", "item"], right_on=["destination", "item"])
    plants = plants[~plants["site"].isin(fed["origin"])].reset_index(drop=True)
    at = pd.Index(plants["site"]).get_indexer(m["origin"])
    cumulative = np.cumsum(need, axis=1)
    choice, t = np.nonzero((cumulative > 0) & (at >= 0)[:, None])
    if choice.size == 0:
        return
    T = data.n_periods
    row_of = at[choice]
    rows = np.zeros((len(plants), T), dtype=bool)
    rows[row_of, t] = True
    k, row_t = np.nonzero(rows)
    open_ = labels_of(model, "Option-open")
    # capacity x open[o_k, tau] for every tau <= t of each row (k, t)
    kk, tt = np.repeat(k, T), np.repeat(row_t, T)
    tau = np.tile(np.arange(T), k.size)
    inside = tau <= tt
    kk, tt, tau = kk[inside], tt[inside], tau[inside]
    chosen = labels_of(model, "Option-market-source")[choice]
    coords = [pd.Index(plants["option"], name="knapsack_option"), coord(data, "period")]
    lhs = expression(
        model,
        coords,
        [np.concatenate([row_of, kk]), np.concatenate([t, tt])],
        np.concatenate([chosen, open_[plants["pos"].to_numpy(int)[kk], tau]]),
        np.concatenate([cumulative[choice, t], -plants["capacity"].to_numpy(float)[kk]]),
    )
    model.add_constraints(
        lhs, "<=", 0.0, name="Source-knapsack", mask=xr.DataArray(rows, coords=coords)
    )


#: The families by name, in the order they are added.
FAMILIES: dict[str, Callable[[linopy.Model, PlanningData], None]] = {
    "Option-line-flow": define_line_flow_bounds,
    "Option-line-cover": define_line_cover,
    "Site-flow": define_site_flow,
    "Site-cover": define_site_cover,
    "Source-open": define_source_open,
    "Source-knapsack": define_source_knapsack,
}

#: The families added unless the caller names others, chosen by measurement
#: (benchmarks/README.md, "SSCFLP: what each inequality buys"): all but ``Site-flow``,
#: whose LP bound HiGHS's own cuts recover at the root from the ``Site-idle`` rows while
#: its rows (arcs x periods) slowed every generated network measured; where markets are
#: single-sourced, ``Source-open`` gives the same LP bound with fewer rows.
DEFAULT: frozenset[str] = frozenset(FAMILIES) - {"Site-flow"}


def define_strength(
    model: linopy.Model, data: PlanningData, strengthen: Iterable[str] | None = None
) -> None:
    """Add the families named in ``strengthen`` (None: :data:`DEFAULT`; empty: none)."""
    chosen = DEFAULT if strengthen is None else frozenset(strengthen)
    unknown = sorted(chosen - FAMILIES.keys())
    if unknown:
        raise ValueError(
            f"Unknown strengthening families {unknown}; allowed: {', '.join(FAMILIES)}."
        )
    for name, define in FAMILIES.items():
        if name in chosen:
            define(model, data)
