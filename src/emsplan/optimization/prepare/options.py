"""The options' planning data: ``data.options``, ``data.sources``, ``data.item_bound``,
``data.contract_rows``, ``data.sites``, ``data.market_sources``, and the bounds the option
families use (see :mod:`emsplan.optimization.options` and :mod:`emsplan.optimization.sites`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from emsplan.core.periods import span_mask, spans
from emsplan.data.network import Network
from emsplan.optimization.data import PlanningData

#: Option kinds decided by ``Option-open[o, t]`` (open or not in each period).
OPEN_KINDS = ("line", "contract", "min_qty", "site")


def prepare_options(network: Network, data: PlanningData) -> None:
    """Add ``data.options`` (one row per option, with its offer, resource and periods),
    ``data.sources`` (single-source candidates) and ``data.item_bound``."""
    options = network.options.reset_index(drop=True).copy()
    first, last = spans(options["period_from"], options["period_to"], data.periods)
    options["first"], options["last"] = first.astype(int), last.astype(int)
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
    data.contract_rows = _contract_rows(network, data)
    data.sites = _site_options(network, data)
    data.market_sources = _market_sources(network, data)


def _contract_rows(network: Network, data: PlanningData) -> pd.DataFrame:
    """One row per (production contract, production row of its plant making its item or an
    item of its group): option, pos, prod, item, capacity, min_qty, label."""
    o = data.options
    contracts = o[(o["kind"] == "contract") & o["supplier"].isna() & o["plant"].notna()]
    contracts = contracts.drop(columns=["prod", "offer"])
    prod = data.production.assign(prod=np.arange(len(data.production)))
    groups = network.items.set_index("item")["group"]
    prod["group"] = prod["item"].map(groups)
    by_item = contracts.merge(prod[["plant", "item", "prod"]], on=["plant", "item"])
    by_group = contracts.merge(
        prod[["plant", "group", "prod"]], left_on=["plant", "item"], right_on=["plant", "group"]
    ).drop(columns="group")
    rows = pd.concat([by_item, by_group], ignore_index=True).drop_duplicates(["pos", "prod"])
    rows = rows.sort_values(["pos", "prod"]).reset_index(drop=True)
    rows["item"] = data.production["item"].to_numpy()[rows["prod"].to_numpy(int)]
    rows["offer"] = -1
    rows["label"] = rows["option"] + " " + rows["item"]
    return rows


def _site_options(network: Network, data: PlanningData) -> pd.DataFrame:
    """One row per site option: its pos, site, site kind, start state y0 and the rest of
    its columns (see :mod:`emsplan.optimization.sites`)."""
    o = data.options
    sites = o[o["kind"] == "site"].copy()
    kinds = network.sites.set_index("site")["kind"]
    sites["site_kind"] = sites["site"].map(kinds)
    sites["y0"] = sites["existing"].fillna(0).astype(int)
    sites["closable"] = sites["closable"].fillna(0).astype(int)
    for column in ("opening_cost", "closing_cost"):
        sites[column] = sites[column].fillna(0.0).astype(float)
    storage = network.sites.set_index("site")["storage_capacity"]
    own = sites["site"].map(storage).astype(float)
    sites["storage"] = sites["storage_capacity"].astype(float).fillna(own)
    return sites.reset_index(drop=True)


def _market_sources(network: Network, data: PlanningData) -> pd.DataFrame:
    """One row per (market_source option, market it covers, candidate origin): option, pos,
    market, origin, items (the covered items the origin can ship to the market)."""
    o = data.options
    single = o[o["kind"] == "market_source"]
    columns = ["option", "pos", "market", "origin"]
    if single.empty:
        return pd.DataFrame(columns=columns)
    demand = data.demand[["market", "item"]].drop_duplicates()
    markets = network.sites.loc[network.sites["kind"] == "market", "site"]
    frames = []
    for _, row in single.iterrows():
        covered = demand[demand["market"] == row["market"]] if pd.notna(row["market"]) else demand
        covered = covered[covered["market"].isin(markets)]
        if pd.notna(row["item"]):
            covered = covered[covered["item"] == row["item"]]
        frames.append(covered.assign(option=row["option"], pos=row["pos"]))
    covered = pd.concat(frames, ignore_index=True)
    arcs = data.arcs[["origin", "destination", "item"]].rename(columns={"destination": "market"})
    pairs = covered.merge(arcs, on=["market", "item"])[columns].drop_duplicates()
    return pairs.sort_values(["pos", "market", "origin"]).reset_index(drop=True)


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
    inside = span_mask(o["first"], o["last"], data.n_periods)
    return inside & o["kind"].isin(kinds).to_numpy()[:, None]


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
