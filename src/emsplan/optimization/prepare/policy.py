"""The policies' planning data: incentive schemes per period and their eligible demand
rows, trade rules per (agreement, plant, product, destination, period) and the arcs
they can make preferential (see :mod:`emsplan.optimization.policy`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from emsplan.core.hscodes import hs_digits, hs_matches
from emsplan.core.periods import period_positions, spans
from emsplan.data.network import Network
from emsplan.optimization.data import PlanningData, grid


def prepare_policy(network: Network, data: PlanningData) -> None:
    """``data.incentives`` (scheme x period), ``data.eligible`` (their demand rows),
    ``data.trade`` (rule x plant x product x period) and ``data.preferences`` (arcs)."""
    pidx = period_positions(data.periods)
    inc = network.incentives.copy()
    inc["order"] = inc["period"].notna().astype(int)
    inc["t"] = inc["period"].map(lambda p: [pidx[p]] if pd.notna(p) else list(pidx.values()))
    inc = inc.explode("t").sort_values("order").drop_duplicates(["scheme", "t"], keep="last")
    inc = inc.sort_values(["scheme", "t"], ignore_index=True)
    inc["t"] = inc["t"].astype(int)
    inc["pos"] = np.arange(len(inc))
    data.incentives = inc
    groups = network.items.set_index("item")["group"]
    d = data.demand.assign(row=np.arange(len(data.demand))).rename(columns={"price": "price_d"})
    d = d[["row", "item", "t", "price_d", "qty"]].assign(group=d["item"].map(groups))
    inc_cols = inc[["pos", "item", "t", "min_unit_price"]]
    by_item = inc_cols.merge(d.drop(columns="group"), on=["item", "t"])
    by_group = inc_cols.merge(
        d.drop(columns="item"), left_on=["item", "t"], right_on=["group", "t"]
    )
    eligible = pd.concat([by_item, by_group], ignore_index=True)
    eligible = eligible[eligible["price_d"] >= eligible["min_unit_price"]]
    data.eligible = eligible[["pos", "row", "price_d", "qty"]].drop_duplicates(["pos", "row"])
    data.trade, data.preferences = _trade(network, data)


def _trade(network: Network, data: PlanningData) -> tuple[pd.DataFrame, pd.DataFrame]:
    rules = network.trade_rules.copy()
    empty = pd.DataFrame(), pd.DataFrame()
    if rules.empty or "Product" not in data.allocations:
        return empty
    rules["origin_country"] = rules["origin_country"].fillna(network.domestic_country)
    first, last = spans(rules["period_from"], rules["period_to"], data.periods)
    rules["first"], rules["last"] = first.astype(int), last.astype(int)
    rules["prefix"] = hs_digits(rules["hs_code"])
    rules["rule"] = np.arange(len(rules))
    hs = hs_digits(network.items.set_index("item")["hs_code"])
    arcs = data.arcs[data.arcs["origin_kind"] == "plant"]
    arcs = arcs[arcs["destination"].isin(data.demand["market"])]
    pairs = arcs.merge(
        rules[
            [
                "rule",
                "agreement",
                "origin_country",
                "destination_country",
                "item",
                "prefix",
                "min_value_content",
                "preferential_rate",
                "first",
                "last",
            ]
        ].rename(columns={"item": "rule_item"}),
        on=["origin_country", "destination_country"],
    )
    item_hs = pairs["item"].map(hs)
    match = (pairs["rule_item"] == pairs["item"]) | (
        pairs["rule_item"].isna() & hs_matches(item_hs, pairs["prefix"])
    )
    pairs = pairs[match.fillna(False).astype(bool)]
    if pairs.empty:
        return empty
    e, t = grid(len(pairs), data.n_periods)
    cells = pairs.iloc[e].reset_index(drop=True).assign(t=t)
    cells["arrival"] = cells["t"] + cells["lead_time"]
    cells = cells[
        (cells["arrival"] < data.n_periods)
        & (cells["arrival"] >= cells["first"])
        & (cells["arrival"] <= cells["last"])
    ]
    cells["normal"] = data.duty_rate[cells["pos"].to_numpy(int), cells["arrival"].to_numpy(int)]
    cells = cells[cells["normal"] > cells["preferential_rate"]]
    made = data.production.set_index(["plant", "item"])["pos"]
    cells["prod"] = made.reindex(pd.MultiIndex.from_frame(cells[["origin", "item"]])).to_numpy()
    cells = cells[cells["prod"].notna()]
    key = ["agreement", "origin", "item", "destination_country", "t"]
    trade = cells.drop_duplicates(key)[[*key, "prod", "min_value_content", "value"]]
    trade = trade.rename(columns={"origin": "plant"}).reset_index(drop=True)
    trade["prod"] = trade["prod"].astype(int)
    reach = _reachable_content(data, trade)
    possible = reach >= trade["min_value_content"].to_numpy(float) * trade["value"].to_numpy(float)
    data.trade_out_of_reach = (
        trade[~possible]
        .assign(reachable=reach[~possible] / trade["value"].to_numpy(float)[~possible])
        .reset_index(drop=True)
    )
    trade = trade[possible].reset_index(drop=True)
    if trade.empty:
        return empty
    trade["pos"] = np.arange(len(trade))
    cells = cells.merge(
        trade[[*["agreement", "item", "destination_country", "t"], "plant", "pos"]].rename(
            columns={"plant": "origin", "pos": "trade"}
        ),
        on=["agreement", "origin", "item", "destination_country", "t"],
    )
    cells["saving"] = (cells["normal"] - cells["preferential_rate"]) * cells["value"]
    prefs = cells[["pos", "t", "trade", "saving"]].rename(columns={"pos": "arc"})
    return trade, prefs.reset_index(drop=True)


def _reachable_content(data: PlanningData, trade: pd.DataFrame) -> np.ndarray:
    """The most value content per unit a product at a plant can reach: the most local
    offer of every component plus its conversion cost. Rules a product cannot meet
    even so are left out of the model (no binaries) and reported as out of reach."""
    alloc = data.allocations["Product"]
    best = (
        (alloc["price"] * alloc["local_content"])
        .groupby([alloc["plant"], alloc["product"], alloc["content"]])
        .max()
    )
    qty = data.contents["Product"]["qty"].to_numpy(float)[best.index.get_level_values(2)]
    per_unit = (best * qty).groupby(level=[0, 1]).sum()
    local = per_unit.reindex(pd.MultiIndex.from_frame(trade[["plant", "item"]])).fillna(0.0)
    conv = data.production["cost"].to_numpy(float)[trade["prod"].to_numpy(int)]
    return np.asarray(local.to_numpy(float) + conv, dtype=float)
