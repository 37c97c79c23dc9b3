"""Index sets and coefficients of the planning model, prepared from a Network.

Everything the model needs is computed here once, as flat tables with integer
positions, so that the ``define_*`` functions only do index arithmetic:

* ``offers``: supply rows, with capacity (inf when blank) and local content;
* ``production``: production rows, with the effective BOM of each
  (``bom``: plant-specific rows replace the general rows of that parent there);
* ``arcs``: lanes expanded to the items that can use them (a lane with a blank
  item carries every item that can be at its origin and is needed beyond its
  destination; an item-specific row replaces the blank row for that item),
  with the freight cost, lead time and the import duty per arrival period;
* ``nodes``: the (site, item) pairs that need a balance, and whether they
  can hold stock (suppliers, plants, warehouses) or are markets;
* ``targets``: local-content targets per scope and period (a relative target with a
  given base folded into the absolute share), and ``target_bands``: the grid of base
  shares of the relative targets whose base is the plan's own share.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emsplan.core.hscodes import hs_digits, hs_matches
from emsplan.core.labels import offer_label
from emsplan.core.periods import period_positions, span_mask, spans
from emsplan.data.network import Network
from emsplan.optimization.data import STOCK_KINDS, PlanningData


def prepare_sets(network: Network) -> PlanningData:
    """The index sets of ``network`` (which must be valid), before options and policies."""
    periods = network.period_labels
    pidx = period_positions(periods)
    sites = network.sites.set_index("site")
    offers = _offers(network)
    production = network.production.reset_index(drop=True).copy()
    production["pos"] = np.arange(len(production))
    bom = _effective_bom(network, production)
    arcs = _arcs(network, offers, production, bom)
    arcs["origin_kind"] = arcs["origin"].map(sites["kind"])
    arcs["origin_country"] = arcs["origin"].map(sites["country"])
    arcs["destination_country"] = arcs["destination"].map(sites["country"])
    item_value = _item_values(network)
    price = offers.set_index(["supplier", "item"])["price"]
    from_supplier = pd.MultiIndex.from_frame(arcs[["origin", "item"]])
    arcs["value"] = np.where(
        arcs["origin_kind"] == "supplier",
        price.reindex(from_supplier).to_numpy(),
        np.nan,
    )
    declared = arcs["item"].map(item_value).astype("float64")
    arcs["value"] = arcs["value"].astype("float64").fillna(declared).fillna(0.0)
    duty_rate = _duty_rates(network, arcs, periods)
    nodes = _nodes(network, offers, production, bom, arcs)
    demand = network.demand.reset_index(drop=True).copy()
    demand["t"] = demand["period"].map(pidx).astype(int)
    resources, capacity = _resources(network, production, pidx)
    lanes = _lane_capacities(network)
    storage = network.sites.loc[network.sites["storage_capacity"].notna(), ["site"]].copy()
    storage["capacity"] = network.sites.loc[storage.index, "storage_capacity"].to_numpy()
    storage = storage.reset_index(drop=True)
    targets = _targets(network, pidx)
    step = float(network.setting("relative_target_step"))
    data = PlanningData(
        periods=periods,
        offers=offers,
        production=production,
        bom=bom,
        arcs=arcs,
        duty_rate=duty_rate,
        nodes=nodes,
        demand=demand,
        resources=resources,
        resource_capacity=capacity,
        lanes=lanes,
        storage=storage,
        targets=targets,
        target_bands=_target_bands(targets, step),
        item_value=item_value,
    )
    kinds = set(targets["scope_kind"])
    if kinds & {"network", "plant"}:
        data.contents["Plant"] = _consumption(data)
    if "product" in kinds or len(network.trade_rules) or len(network.incentives):
        data.contents["Product"] = _product_content(data, network)
    for kind, content in data.contents.items():
        data.allocations[kind] = _allocations(data, content)
    return data


def _offers(network: Network) -> pd.DataFrame:
    offers = network.supply.reset_index(drop=True).copy()
    offers["pos"] = np.arange(len(offers))
    offers["capacity"] = offers["capacity"].fillna(np.inf)
    offers["lead_time"] = offers["lead_time"].astype(int)
    return offers


def _effective_bom(network: Network, production: pd.DataFrame) -> pd.DataFrame:
    """BOM lines per production row: plant-specific rows replace the general ones."""
    bom = network.bom
    rows = production[["pos", "plant", "item"]].merge(
        bom.rename(columns={"parent": "item"}), on="item", how="inner"
    )
    rows = rows[rows["site"].isna() | (rows["site"] == rows["plant"])]
    specific = rows.loc[rows["site"].notna(), ["plant", "item"]].drop_duplicates()
    specific["has_specific"] = True
    rows = rows.merge(specific, on=["plant", "item"], how="left")
    rows = rows[rows["site"].notna() | rows["has_specific"].isna()]
    out = rows.rename(columns={"item": "parent", "pos": "prod"})
    return out[["prod", "plant", "parent", "child", "qty_per"]].reset_index(drop=True)


def _propagate(pairs: pd.DataFrame, lanes: pd.DataFrame, forward: bool) -> pd.DataFrame:
    """Close a set of (site, item) pairs under movement along lanes.

    Forward: an item available at a lane's origin becomes available at its
    destination. Backward: an item needed at a destination becomes needed at
    the origin. A lane with a blank item carries any item.
    """
    src, dst = ("origin", "destination") if forward else ("destination", "origin")
    links = lanes[[src, dst, "item"]].drop_duplicates()
    known = pairs.drop_duplicates().reset_index(drop=True)
    while True:
        step = known.merge(links.rename(columns={src: "site", "item": "lane_item"}), on="site")
        step = step[step["lane_item"].isna() | (step["lane_item"] == step["item"])]
        step = step[[dst, "item"]].rename(columns={dst: "site"})
        grown = pd.concat([known, step], ignore_index=True).drop_duplicates(ignore_index=True)
        if len(grown) == len(known):
            return known
        known = grown


def _arcs(
    network: Network, offers: pd.DataFrame, production: pd.DataFrame, bom: pd.DataFrame
) -> pd.DataFrame:
    """Lanes expanded to (lane, item) arcs that can carry something useful."""
    lanes = network.lanes.reset_index(drop=True).copy()
    lanes["lane"] = np.arange(len(lanes))
    available = _propagate(
        pd.concat(
            [
                offers[["supplier", "item"]].rename(columns={"supplier": "site"}),
                production[["plant", "item"]].rename(columns={"plant": "site"}),
            ]
        ),
        lanes,
        forward=True,
    )
    needed = _propagate(
        pd.concat(
            [
                network.demand[["market", "item"]].rename(columns={"market": "site"}),
                bom[["plant", "child"]].rename(columns={"plant": "site", "child": "item"}),
            ]
        ),
        lanes,
        forward=False,
    )
    generic = lanes[lanes["item"].isna()].drop(columns="item")
    generic = generic.merge(available.rename(columns={"site": "origin"}), on="origin")
    specific = lanes[lanes["item"].notna()]
    overridden = specific[["origin", "destination", "mode", "item"]].assign(_over=True)
    generic = generic.merge(overridden, on=["origin", "destination", "mode", "item"], how="left")
    generic = generic[generic["_over"].isna()].drop(columns="_over")
    arcs = pd.concat([generic, specific], ignore_index=True)
    arcs = arcs.merge(available.rename(columns={"site": "origin"}), on=["origin", "item"])
    arcs = arcs.merge(needed.rename(columns={"site": "destination"}), on=["destination", "item"])
    arcs = arcs.sort_values(["lane", "item"], ignore_index=True)
    arcs["lead_time"] = arcs["lead_time"].astype(int)
    arcs["pos"] = np.arange(len(arcs))
    return arcs[["pos", "lane", "origin", "destination", "item", "mode", "cost", "lead_time"]]


def _item_values(network: Network) -> pd.Series:
    """Customs value per item: declared, else mean supply price, else mean demand price."""
    items = network.items.set_index("item")
    value = items["value"].astype(float)
    value = value.fillna(network.supply.groupby("item")["price"].mean())
    return value.fillna(network.demand.groupby("item")["price"].mean())


def _duty_rates(network: Network, arcs: pd.DataFrame, periods: list[str]) -> np.ndarray:
    """Duty rate per arc and arrival period: the most specific matching row.

    A row matches a flow when its item equals the flow's item, or its
    hs_code is a prefix of the item's HS code; its origin country equals the
    origin's (blank: any country but the destination); its destination
    country equals the destination's (blank: the domestic country). Among
    matching rows an item row beats any hs_code row, a longer prefix beats a
    shorter one, and a named origin beats a blank one.
    """
    n_periods = len(periods)
    rates = np.zeros((len(arcs), n_periods))
    border = arcs["origin_country"] != arcs["destination_country"]
    duties = network.duties.copy()
    if duties.empty or not border.any():
        return rates
    hs = hs_digits(network.items.set_index("item")["hs_code"])
    flows = arcs.loc[border, ["item", "origin_country", "destination_country"]].drop_duplicates()
    flows["hs"] = flows["item"].map(hs)
    duties["destination_country"] = duties["destination_country"].fillna(network.domestic_country)
    duties["prefix"] = hs_digits(duties["hs_code"])
    duties["first"], duties["last"] = spans(duties["period_from"], duties["period_to"], periods)
    duties = duties.rename(columns={"item": "duty_item", "origin_country": "duty_origin"})
    pairs = flows.merge(duties, on="destination_country")
    by_item = pairs["duty_item"] == pairs["item"]
    by_hs = pairs["duty_item"].isna() & hs_matches(pairs["hs"], pairs["prefix"])
    origin_ok = pairs["duty_origin"].isna() | (pairs["duty_origin"] == pairs["origin_country"])
    pairs = pairs[(by_item | by_hs) & origin_ok].copy()
    if pairs.empty:
        return rates
    item_match = pairs["duty_item"].notna()
    pairs["specificity"] = (
        np.where(item_match, 100, pairs["prefix"].str.len().fillna(0)) * 2
        + pairs["duty_origin"].notna()
    )
    row, t = np.nonzero(span_mask(pairs["first"], pairs["last"], n_periods))
    pairs = pairs.iloc[row].assign(t=t)
    pairs = pairs.sort_values("specificity").drop_duplicates(
        ["item", "origin_country", "destination_country", "t"], keep="last"
    )
    keyed = arcs[["pos", "item", "origin_country", "destination_country"]].merge(
        pairs[["item", "origin_country", "destination_country", "t", "rate"]],
        on=["item", "origin_country", "destination_country"],
    )
    rates[keyed["pos"].to_numpy(int), keyed["t"].to_numpy(int)] = keyed["rate"].to_numpy(float)
    return rates


def _nodes(
    network: Network,
    offers: pd.DataFrame,
    production: pd.DataFrame,
    bom: pd.DataFrame,
    arcs: pd.DataFrame,
) -> pd.DataFrame:
    """(site, item) pairs with a balance, their kind and whether they hold stock."""
    pairs = pd.concat(
        [
            offers[["supplier", "item"]].set_axis(["site", "item"], axis=1),
            production[["plant", "item"]].set_axis(["site", "item"], axis=1),
            bom[["plant", "child"]].set_axis(["site", "item"], axis=1),
            arcs[["origin", "item"]].set_axis(["site", "item"], axis=1),
            arcs[["destination", "item"]].set_axis(["site", "item"], axis=1),
            network.demand[["market", "item"]].set_axis(["site", "item"], axis=1),
        ],
        ignore_index=True,
    ).drop_duplicates(ignore_index=True)
    pairs["kind"] = pairs["site"].map(network.sites.set_index("site")["kind"])
    pairs = pairs.sort_values(["site", "item"], ignore_index=True)
    pairs["pos"] = np.arange(len(pairs))
    pairs["stock"] = pairs["kind"].isin(STOCK_KINDS)
    return pairs


def _resources(
    network: Network, production: pd.DataFrame, pidx: dict[str, int]
) -> tuple[pd.DataFrame, np.ndarray]:
    """Resources used by production, with their capacity per period.

    A row without a period gives the capacity of every period; a row with a
    period overrides it for that period. A period with neither has capacity 0.
    """
    used = production.loc[production["resource"].notna(), ["plant", "resource"]]
    resources = used.drop_duplicates().sort_values(["plant", "resource"], ignore_index=True)
    resources["pos"] = np.arange(len(resources))
    capacity = np.zeros((len(resources), len(pidx)))
    rows = network.resources.merge(resources, on=["plant", "resource"])
    base = rows[rows["period"].isna()]
    capacity[base["pos"].to_numpy(int), :] = base["capacity"].to_numpy(float)[:, None]
    timed = rows[rows["period"].notna()]
    capacity[timed["pos"].to_numpy(int), timed["period"].map(pidx).to_numpy(int)] = timed[
        "capacity"
    ].to_numpy(float)
    return resources, capacity


def _lane_capacities(network: Network) -> pd.DataFrame:
    """Lane rows with a finite capacity (shared by every item on the lane)."""
    lanes = network.lanes.reset_index(drop=True)
    limited = lanes["capacity"].notna().to_numpy()
    return pd.DataFrame(
        {"lane": np.flatnonzero(limited), "capacity": lanes.loc[limited, "capacity"].to_numpy()}
    )


def _targets(network: Network, pidx: dict[str, int]) -> pd.DataFrame:
    """Targets per (scope, period); a row with a period overrides the blank row.

    Columns: ``floor`` (``min_local_share`` as given), ``growth``, ``base_share`` (given)
    and ``base_t`` (position of ``base_period``, -1 unless the base is the plan's own
    share); ``min_local_share`` is the absolute requirement with a given base folded in,
    max(floor, (1 + growth) x base_share) (NaN when there is none). A row of every period
    has no relative part in its own base period. Rows requiring nothing are dropped.
    """
    targets = network.targets.copy()
    targets["order"] = targets["period"].notna().astype(int)
    targets["t"] = targets["period"].map(
        lambda p: [pidx[p]] if pd.notna(p) else list(pidx.values())
    )
    targets = targets.explode("t").sort_values("order")
    targets = targets.drop_duplicates(["scope", "t"], keep="last")
    kinds = network.sites.set_index("site")["kind"]
    targets["scope_kind"] = np.where(
        targets["scope"] == "network",
        "network",
        np.where(targets["scope"].map(kinds).eq("plant").fillna(False), "plant", "product"),
    )
    targets["t"] = targets["t"].astype(int)
    floor = targets["min_local_share"].to_numpy(float)
    growth = targets["growth"].to_numpy(float)
    given = targets["base_share"].to_numpy(float)
    base_t = targets["base_period"].astype(object).map(pidx).fillna(-1).to_numpy(int)
    own = np.isnan(given) & (base_t == targets["t"].to_numpy(int))
    growth = np.where(own, np.nan, growth)
    relative = ~np.isnan(growth)
    given = np.where(relative, given, np.nan)
    targets["floor"] = floor
    targets["growth"] = growth
    targets["base_share"] = given
    targets["base_t"] = np.where(relative & np.isnan(given), base_t, -1)
    with np.errstate(invalid="ignore"):
        targets["min_local_share"] = np.fmax(floor, (1 + growth) * given)
    targets = targets[targets["min_local_share"].notna() | (targets["base_t"] >= 0)]
    targets = targets.sort_values(["scope_kind", "scope", "t"], ignore_index=True)
    targets["pos"] = np.arange(len(targets))
    columns = ["pos", "scope", "scope_kind", "t", "min_local_share", "floor", "growth"]
    return targets[[*columns, "base_share", "base_t"]]


def _target_bands(targets: pd.DataFrame, step: float) -> pd.DataFrame:
    """The grid of base shares of each target whose base is the plan's share in B.

    Points ``k h`` (h = ``step``) below the highest base a pledge can be met for,
    cap = min(1, 1 / (1 + growth)); then cap itself; then 1 if cap < 1 (a base above
    cap, whose pledge only a period without content meets). Rows (target, k, share).
    """
    rel = targets[targets["base_t"] >= 0]
    cap = np.minimum(1.0, 1.0 / (1.0 + rel["growth"].to_numpy(float)))
    below = np.ceil(cap / step - 1e-9).astype(int)  # points k h < cap: k = 0 .. below - 1
    counts = below + 1 + (cap < 1.0)
    target = np.repeat(rel["pos"].to_numpy(int), counts)
    k = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    share = np.minimum(k * step, np.repeat(cap, counts))
    share = np.where(k > np.repeat(below, counts), 1.0, share)
    return pd.DataFrame({"target": target, "k": k, "share": np.round(share, 12)})


def _product_content(data: PlanningData, network: Network) -> pd.DataFrame:
    """Purchased components per unit of each product at each plant.

    The plant's BOM is exploded through the sub-assemblies that this plant, and
    no other, makes (a lane can then only bring back the plant's own units, whose
    parts it consumed); the leaves that suppliers deliver to the plant are
    the product's purchased content there. Returns rows (prod, plant, product,
    item, qty) where ``prod`` is the product's production row.
    """
    kinds = network.items.set_index("item")["kind"]
    prod = data.production
    plants_of = prod.groupby("item")["plant"].nunique()
    explodable = {
        (p, i) for p, i in zip(prod["plant"], prod["item"], strict=True) if plants_of[i] == 1
    }
    bom = data.bom
    level = prod.loc[prod["item"].map(kinds) == "product", ["pos", "plant", "item"]]
    level = level.rename(columns={"pos": "prod", "item": "product"})
    frontier = level.assign(item=level["product"], qty=1.0)
    leaves = []
    for _ in range(50):  # BOM depth; cycles are rejected by validation
        lines = frontier.merge(
            bom.rename(columns={"parent": "item", "prod": "bom_prod"}), on=["plant", "item"]
        )
        lines = lines.assign(qty=lines["qty"] * lines["qty_per"])
        nxt = lines[["prod", "plant", "product", "child", "qty"]].rename(columns={"child": "item"})
        deeper = [(p, i) in explodable for p, i in zip(nxt["plant"], nxt["item"], strict=True)]
        deeper_mask = np.asarray(deeper, dtype=bool)
        leaves.append(nxt[~deeper_mask])
        frontier = nxt[deeper_mask]
        if frontier.empty:
            break
    content = pd.concat(leaves, ignore_index=True) if leaves else pd.DataFrame()
    if content.empty:
        return pd.DataFrame(columns=["prod", "plant", "product", "item", "qty"])
    content = content.groupby(["prod", "plant", "product", "item"], as_index=False).agg(
        qty=("qty", "sum")
    )
    return content.merge(_supplied(data), on=["plant", "item"]).reset_index(drop=True)


def _supplied(data: PlanningData) -> pd.DataFrame:
    """(plant, item) pairs that some supplier delivers by a lane."""
    supplied = data.arcs.loc[data.arcs["origin_kind"] == "supplier", ["destination", "item"]]
    return supplied.drop_duplicates().rename(columns={"destination": "plant"})


def _consumption(data: PlanningData) -> pd.DataFrame:
    """Every effective BOM line whose child suppliers deliver to the plant: rows (prod,
    plant, product = the parent made, item = the child, qty = units per parent)."""
    lines = data.bom.rename(columns={"parent": "product", "child": "item", "qty_per": "qty"})
    lines = lines.merge(_supplied(data), on=["plant", "item"])
    return lines[["prod", "plant", "product", "item", "qty"]].reset_index(drop=True)


def _allocations(data: PlanningData, content: pd.DataFrame) -> pd.DataFrame:
    """Pairs (content row, offer) through which an offer's units can be allocated to a
    consumer: the offer's supplier has a lane to the consumer's plant for the item."""
    content = content.copy()
    content["content"] = np.arange(len(content))
    arcs = data.arcs[data.arcs["origin_kind"] == "supplier"]
    delivered = arcs[["origin", "destination", "item"]].drop_duplicates()
    delivered.columns = pd.Index(["supplier", "plant", "item"])
    offers = data.offers[["pos", "supplier", "item", "price", "local_content"]]
    alloc = content.merge(offers.rename(columns={"pos": "offer"}), on="item")
    alloc = alloc.merge(delivered, on=["supplier", "plant", "item"])
    alloc = alloc.sort_values(["content", "offer"], ignore_index=True)
    alloc["offer_name"] = offer_label(alloc["supplier"], alloc["item"])
    alloc["pos"] = np.arange(len(alloc))
    return alloc
