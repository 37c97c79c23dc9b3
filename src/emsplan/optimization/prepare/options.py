"""The options' planning data: ``data.options``, ``data.sources``, ``data.item_bound``,
and the bounds the option families use (see :mod:`emsplan.optimization.options`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from emsplan.core.periods import span_mask, spans
from emsplan.data.network import Network
from emsplan.optimization.data import PlanningData


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
