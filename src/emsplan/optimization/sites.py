"""Sites that open and close: options of kind ``site`` (see ``docs/model.md``).

A site option o on site s decides ``Option-open[o, t]`` for the periods t >= first_o
(its ``period_from``). A candidate (``existing`` 0) is closed before first_o; an
existing site runs before first_o as any site does. With y0 = existing and
open[o, first-1] := y0::

    open[o,t] - open[o,t-1] >= 0 (candidate) / <= 0 (existing), t > first,
        unless closable                                           Site-direction
    opened[o,t] >= open[o,t] - open[o,t-1]                        Site-opening
    closed[o,t] >= open[o,t-1] - open[o,t]                        Site-closing
    throughput(s, t) <= capacity_o x open[o,t]                    Site-throughput
    arrivals + stock + dispatch + make at s <= M_o x open[o,t]    Site-idle
    sum_n stock[n at s, t] <= storage_o x open[o,t]               Site-storage-open

where throughput is what a plant makes, a warehouse dispatches, a market receives,
and M_o = 4 x the usable bound (``data.item_bound``) of the items with a node at s
(each of the four terms is at most the item's bound in any plan worth making).
``opened``/``closed`` are continuous in [0, 1]: the objective prices them with the
one-off ``opening_cost``/``closing_cost`` and drives them down to the change.
"""

from __future__ import annotations

import linopy
import numpy as np
import pandas as pd
import xarray as xr

from emsplan.optimization.data import PlanningData, grid
from emsplan.optimization.terms import constant, expression, labels_of


def _coords(data: PlanningData, sites: pd.DataFrame, name: str) -> list[pd.Index]:
    return [pd.Index(sites["option"], name=name), pd.Index(data.periods, name="period")]


def _rows(data: PlanningData, sites: pd.DataFrame, from_first: bool) -> np.ndarray:
    """(site option, period) mask of the rows to write: every period for a candidate
    (closed before its first period), t >= first for an existing site (or for every
    option when ``from_first``)."""
    t = np.arange(data.n_periods)[None, :]
    first = sites["first"].to_numpy(int)[:, None]
    candidate = (sites["y0"].to_numpy(int) == 0)[:, None] & (not from_first)
    return candidate | (t >= first)


def define_site_variables(model: linopy.Model, data: PlanningData) -> None:
    """``Site-opened[o, t]``, ``Site-closed[o, t]`` in [0, 1] for site options with a one-off
    opening or closing cost (``Option-open`` of sites comes with the other options)."""
    if data.options.empty:
        return
    o = data.options
    names = pd.Index(o["option"], name="option")
    periods = pd.Index(data.periods, name="period")
    inside = np.arange(data.n_periods)[None, :] >= o["first"].to_numpy(int)[:, None]
    for name, column in (("Site-opened", "opening_cost"), ("Site-closed", "closing_cost")):
        mask = inside & ((o["kind"] == "site") & (o[column].fillna(0.0) > 0)).to_numpy()[:, None]
        if mask.any():
            model.add_variables(
                lower=0.0,
                upper=1.0,
                coords=[names, periods],
                name=name,
                mask=xr.DataArray(mask, coords=[names, periods]),
            )


def _open_and_previous(
    model: linopy.Model, data: PlanningData, sites: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per (site option, period >= first): element, period, open label, previous open
    label (-1 at first) and the start state y0 of the element."""
    open_ = labels_of(model, "Option-open")
    pos = sites["pos"].to_numpy(int)
    e, t = np.nonzero(_rows(data, sites, from_first=True))
    previous = np.where(
        t > sites["first"].to_numpy(int)[e], open_[pos[e], np.maximum(t - 1, 0)], -1
    )
    return e, t, open_[pos[e], t], previous, sites["y0"].to_numpy(float)[e]


def define_site_direction(model: linopy.Model, data: PlanningData) -> None:
    """``Site-direction[o, t]``: a non-closable candidate stays open, an existing site stays
    closed, once the state has changed."""
    sites = data.sites[data.sites["closable"] == 0] if len(data.sites) else data.sites
    if sites.empty:
        return
    e, t, now, before, _ = _open_and_previous(model, data, sites)
    keep = before >= 0
    e, t, now, before = e[keep], t[keep], now[keep], before[keep]
    sign = np.where(sites["y0"].to_numpy(int)[e] == 0, 1.0, -1.0)  # candidate: now >= before
    coords = _coords(data, sites, "site_option")
    lhs = expression(
        model,
        coords,
        [np.concatenate([e, e]), np.concatenate([t, t])],
        np.concatenate([now, before]),
        np.concatenate([sign, -sign]),
    )
    model.add_constraints(lhs, ">=", 0.0, name="Site-direction")


def _one_off(model: linopy.Model, data: PlanningData, variable: str, sign: float) -> None:
    """``variable[o,t] + sign x (previous - open) >= 0`` with previous = y0 at first."""
    if variable not in model.variables:
        return
    sites = data.sites
    e, t, now, before, y0 = _open_and_previous(model, data, sites)
    change = labels_of(model, variable)[sites["pos"].to_numpy(int)[e], t]
    keep = change >= 0
    e, t, now, before, y0, change = (
        e[keep],
        t[keep],
        now[keep],
        before[keep],
        y0[keep],
        change[keep],
    )
    coords = _coords(data, sites, f"{variable.split('-')[1]}_option")
    lhs = expression(
        model,
        coords,
        [np.concatenate([e, e, e]), np.concatenate([t, t, t])],
        np.concatenate([change, now, before]),
        np.concatenate([np.ones(e.size), np.full(e.size, -sign), np.full(e.size, sign)]),
    )
    rhs = np.zeros((len(sites), data.n_periods))
    at_first = before < 0
    rhs[e[at_first], t[at_first]] = -sign * y0[at_first]
    mask = np.zeros_like(rhs, dtype=bool)
    mask[e, t] = True
    name = "Site-opening" if sign > 0 else "Site-closing"
    model.add_constraints(
        lhs, ">=", constant(coords, rhs), name=name, mask=xr.DataArray(mask, coords=coords)
    )


def define_site_opening(model: linopy.Model, data: PlanningData) -> None:
    """``Site-opening[o, t]``: opened[o,t] >= open[o,t] - open[o,t-1]."""
    _one_off(model, data, "Site-opened", 1.0)


def define_site_closing(model: linopy.Model, data: PlanningData) -> None:
    """``Site-closing[o, t]``: closed[o,t] >= open[o,t-1] - open[o,t]."""
    _one_off(model, data, "Site-closed", -1.0)


def _site_flows(model: linopy.Model, data: PlanningData, sites: pd.DataFrame) -> pd.DataFrame:
    """Terms (element, t, label, kind) of what moves at each option's site in period t:
    kind ``made`` (plant production), ``dispatched`` (shipped out), ``arrived`` (shipped
    in, in its arrival period) and ``stock`` (held at the end of t)."""
    T = data.n_periods
    at = pd.Index(sites["site"])
    parts = []

    def add(element: np.ndarray, labels: np.ndarray, shift: np.ndarray, kind: str) -> None:
        used = np.flatnonzero(element >= 0)
        rows, t = np.repeat(used, T), np.tile(np.arange(T), used.size)
        arrive = t + shift[rows]
        ok = arrive < T
        parts.append(
            pd.DataFrame(
                {
                    "element": element[rows[ok]],
                    "t": arrive[ok],
                    "label": labels[rows[ok], t[ok]],
                    "kind": kind,
                }
            )
        )

    prod = data.production
    add(
        at.get_indexer(prod["plant"]),
        labels_of(model, "Plant-make"),
        np.zeros(len(prod), int),
        "made",
    )
    arcs = data.arcs
    ship = labels_of(model, "Lane-ship")
    add(at.get_indexer(arcs["origin"]), ship, np.zeros(len(arcs), int), "dispatched")
    add(at.get_indexer(arcs["destination"]), ship, arcs["lead_time"].to_numpy(int), "arrived")
    nodes = data.nodes
    add(
        at.get_indexer(nodes["site"]),
        labels_of(model, "Site-stock"),
        np.zeros(len(nodes), int),
        "stock",
    )
    terms = pd.concat(parts, ignore_index=True)
    return terms[terms["element"] >= 0]


def _against_open(
    model: linopy.Model,
    data: PlanningData,
    sites: pd.DataFrame,
    terms: pd.DataFrame,
    bound: np.ndarray,
    name: str,
) -> None:
    """``sum terms[o, t] - bound_o x open[o, t] <= 0`` over the rows of :func:`_rows`."""
    if sites.empty:
        return
    open_ = labels_of(model, "Option-open")
    pos = sites["pos"].to_numpy(int)
    mask = _rows(data, sites, from_first=False)
    e, t = grid(len(sites), data.n_periods)
    coords = _coords(data, sites, f"{name.lower().replace('-', '_')}_option")
    lhs = expression(
        model,
        coords,
        [
            np.concatenate([terms["element"].to_numpy(int), e]),
            np.concatenate([terms["t"].to_numpy(int), t]),
        ],
        np.concatenate([terms["label"].to_numpy(np.int64), open_[pos[e], t]]),
        np.concatenate([np.ones(len(terms)), -bound[e]]),
    )
    model.add_constraints(lhs, "<=", 0.0, name=name, mask=xr.DataArray(mask, coords=coords))


def define_site_throughput(model: linopy.Model, data: PlanningData) -> None:
    """``Site-throughput[o, t]``: made (plant), dispatched (warehouse) or received (market)
    <= capacity x open, for site options with a capacity."""
    sites = data.sites[data.sites["capacity"].notna()] if len(data.sites) else data.sites
    if sites.empty:
        return
    sites = sites.reset_index(drop=True)
    terms = _site_flows(model, data, sites)
    measured = {"plant": "made", "warehouse": "dispatched", "market": "arrived"}
    kind = sites["site_kind"].map(measured).to_numpy()[terms["element"].to_numpy(int)]
    terms = terms[terms["kind"].to_numpy() == kind]
    _against_open(model, data, sites, terms, sites["capacity"].to_numpy(float), "Site-throughput")


def define_site_idle(model: linopy.Model, data: PlanningData) -> None:
    """``Site-idle[o, t]``: nothing is made at, arrives at, leaves or is held at a plant or
    warehouse in a period its option has it closed."""
    if data.sites.empty:
        return
    sites = data.sites[data.sites["site_kind"].isin(["plant", "warehouse"])].reset_index(drop=True)
    if sites.empty:
        return
    nodes = data.nodes
    bound = nodes["item"].map(data.item_bound).fillna(0.0).to_numpy(float)
    per_site = pd.Series(bound).groupby(nodes["site"].to_numpy()).sum()
    big_m = 4.0 * sites["site"].map(per_site).fillna(0.0).to_numpy(float)
    keep = big_m > 0
    sites = sites[keep].reset_index(drop=True)
    _against_open(model, data, sites, _site_flows(model, data, sites), big_m[keep], "Site-idle")


def define_site_storage(model: linopy.Model, data: PlanningData) -> None:
    """``Site-storage-open[o, t]``: stock at the site <= storage x open (options with a
    storage capacity, from the option or else the site)."""
    sites = data.sites[data.sites["storage"].notna()] if len(data.sites) else data.sites
    if sites.empty:
        return
    sites = sites.reset_index(drop=True)
    terms = _site_flows(model, data, sites)
    terms = terms[terms["kind"] == "stock"]
    _against_open(model, data, sites, terms, sites["storage"].to_numpy(float), "Site-storage-open")


def storage_sites(data: PlanningData) -> set[str]:
    """Sites whose storage limit a site option states (``Site-storage-open``), which the
    constant ``Site-storage`` rows leave out."""
    if data.sites.empty:
        return set()
    return set(data.sites.loc[data.sites["storage"].notna(), "site"])


def _market_options(data: PlanningData) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The site options of markets; per demand row, the position of its market's option
    among them (-1: none) and whether the row's period is from the option's first on."""
    markets = data.sites[data.sites["site_kind"] == "market"] if len(data.sites) else data.sites
    if markets.empty:
        return markets, np.full(len(data.demand), -1), np.zeros(len(data.demand), dtype=bool)
    k = pd.Index(markets["site"]).get_indexer(data.demand["market"])
    first = markets["first"].to_numpy(int)[np.maximum(k, 0)]
    return markets, k, data.demand["t"].to_numpy(int) >= first


def channel_rows(data: PlanningData) -> tuple[np.ndarray, np.ndarray]:
    """Demand rows that exist only while a market's site option has the market open (its
    periods from period_from): the rows' positions and their options' positions."""
    markets, k, from_first = _market_options(data)
    rows = np.flatnonzero((k >= 0) & from_first)
    return rows, markets["pos"].to_numpy(int)[k[rows]] if len(rows) else rows


def absent_demand(data: PlanningData) -> np.ndarray:
    """Per demand row: True where it never exists (a candidate market before its
    period_from)."""
    markets, k, from_first = _market_options(data)
    if markets.empty:
        return np.zeros(len(data.demand), dtype=bool)
    candidate = markets["y0"].to_numpy(int)[np.maximum(k, 0)] == 0
    return (k >= 0) & candidate & ~from_first


def effective_demand(data: PlanningData, open_: np.ndarray) -> np.ndarray:
    """Per demand row: the units demanded given the options' open values (option,
    period; empty when the plan has no ``Option-open``, which every channel has): qty,
    x open for a channel's rows, 0 for rows that never exist."""
    qty = data.demand["qty"].to_numpy(float).copy()
    qty[absent_demand(data)] = 0.0
    rows, pos = channel_rows(data)
    if rows.size:
        qty[rows] *= open_[pos, data.demand["t"].to_numpy(int)[rows]]
    return qty
