"""Hypothesis strategies: small random VALID planning networks.

:func:`networks` draws the tables of a network that passes ``Network.check()``
without errors and always has a feasible plan (every demand row has a
penalty, so delivering nothing is allowed; every other limit is an upper bound).

What varies: 2-4 periods; 1-3 products, 0-2 sub-assemblies and 2-6 components
in a random BOM DAG (with an occasional plant-specific BOM); 1-3 suppliers in
India, China or Vietnam with prices, lead times 0-1, optional capacities and
local-content shares; 1-2 plants (the second possibly abroad) with optional
lines and per-period capacity overrides; an optional warehouse with optional
storage capacity; a domestic market and maybe an export market; lanes with
random modes, costs, lead times 0-1, optional capacities and item-specific
overrides; duty rows by HS prefix and by item, by origin, with split period
ranges, and export duties; a network or plant local-content target.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from hypothesis import strategies as st

#: HS codes of items; prefixes of them are drawn for duty rows.
HS_CODES = ["8517.13", "8517.79", "8507.60", "8542.31", "8542.39", "3926.90", "8518.30"]

Rows = dict[str, list[dict[str, Any]]]


def _money(draw: st.DrawFn, low: int, high: int) -> float:
    return float(draw(st.integers(low, high)))


def _capacity(high: int) -> st.SearchStrategy[float]:
    """A capacity: mostly ample, sometimes tight, now and then zero."""
    return st.tuples(st.integers(high // 4, high), st.integers(0, 9)).map(
        lambda drawn: 0.0 if drawn[1] == 9 else float(drawn[0])
    )


def _maybe(draw: st.DrawFn, strategy: st.SearchStrategy[Any]) -> Any:
    return draw(st.one_of(st.none(), strategy))


@st.composite
def network_tables(draw: st.DrawFn) -> dict[str, pd.DataFrame]:
    """The tables of a small random valid network, as DataFrames."""
    n_periods = draw(st.integers(2, 4))
    periods = [f"P{i + 1}" for i in range(n_periods)]
    products = [f"PR{i + 1}" for i in range(draw(st.integers(1, 3)))]
    subs = [f"SA{i + 1}" for i in range(draw(st.integers(0, 2)))]
    comps = [f"C{i + 1}" for i in range(draw(st.integers(2, 6)))]
    rows: Rows = {
        "settings": [
            {"setting": "currency", "value": "INR"},
            {"setting": "domestic_country", "value": "IN"},
        ],
        "periods": [{"period": p, "days": 91} for p in periods],
    }

    # -- items -------------------------------------------------------------------------
    items = []
    for kind, codes in (("product", products), ("subassembly", subs), ("component", comps)):
        for code in codes:
            items.append(
                {
                    "item": code,
                    "kind": kind,
                    "hs_code": draw(st.sampled_from(HS_CODES)),
                    "holding_cost": _maybe(draw, st.integers(0, 5).map(float)),
                    "value": (
                        _maybe(draw, st.integers(100, 3000).map(float))
                        if kind != "component"
                        else None
                    ),
                }
            )
    rows["items"] = items

    # -- BOM: products <- subassemblies/components, subassembly i <- later ones ------------
    qty_per = st.sampled_from([0.5, 1.0, 1.0, 2.0, 3.0])
    bom = []
    made = [*products, *subs]
    for i, parent in enumerate(made):
        below = [*subs[max(0, i - len(products) + 1) :], *comps] if parent in subs else []
        choices = below if parent in subs else [*subs, *comps]
        children = draw(st.lists(st.sampled_from(choices), min_size=1, max_size=3, unique=True))
        bom += [{"parent": parent, "child": c, "qty_per": draw(qty_per)} for c in children]

    # -- sites -----------------------------------------------------------------------------
    n_suppliers = draw(st.integers(1, 3))
    countries = draw(
        st.lists(st.sampled_from(["CN", "IN", "VN"]), min_size=n_suppliers, max_size=n_suppliers)
    )
    suppliers = [f"S{i + 1}-{c}" for i, c in enumerate(countries)]
    sites = [
        {"site": s, "kind": "supplier", "country": c}
        for s, c in zip(suppliers, countries, strict=True)
    ]
    plants = ["PL1"] + (["PL2"] if draw(st.booleans()) else [])
    for plant in plants:
        country = "IN" if plant == "PL1" else draw(st.sampled_from(["IN", "VN"]))
        storage = _maybe(draw, _capacity(400))
        sites.append(
            {"site": plant, "kind": "plant", "country": country, "storage_capacity": storage}
        )
    warehouses = ["WH"] if draw(st.booleans()) else []
    for wh in warehouses:
        storage = _maybe(draw, _capacity(500))
        sites.append(
            {"site": wh, "kind": "warehouse", "country": "IN", "storage_capacity": storage}
        )
    markets = ["MKT-IN"] + (["MKT-AE"] if draw(st.booleans()) else [])
    sites += [{"site": m, "kind": "market", "country": m[-2:]} for m in markets]
    rows["sites"] = sites

    # -- supply: every component from 1-2 suppliers --------------------------------------------
    supply = []
    for comp in comps:
        for s in draw(st.lists(st.sampled_from(suppliers), min_size=1, max_size=2, unique=True)):
            supply.append(
                {
                    "supplier": s,
                    "item": comp,
                    "price": _money(draw, 5, 500),
                    "capacity": _maybe(draw, _capacity(300)),
                    "lead_time": draw(st.integers(0, 1)),
                    "local_content": _maybe(draw, st.sampled_from([0.0, 0.3, 0.6, 1.0])),
                }
            )
    rows["supply"] = supply

    # -- production: each product and subassembly at 1-2 plants, maybe on a line --------------
    production, resources = [], []
    lines: set[tuple[str, str]] = set()
    for item in made:
        for plant in draw(st.lists(st.sampled_from(plants), min_size=1, max_size=2, unique=True)):
            resource = draw(st.sampled_from([None, "LINE", "TEST"]))
            production.append(
                {
                    "plant": plant,
                    "item": item,
                    "cost": _money(draw, 0, 200),
                    "resource": resource,
                    "usage": draw(st.sampled_from([0.5, 1.0, 2.0])),
                }
            )
            if resource is not None:
                lines.add((plant, resource))
    for plant, resource in sorted(lines):
        resources.append({"plant": plant, "resource": resource, "capacity": draw(_capacity(400))})
        for p in draw(st.lists(st.sampled_from(periods), max_size=2, unique=True)):
            resources.append(
                {
                    "plant": plant,
                    "resource": resource,
                    "period": p,
                    "capacity": draw(_capacity(400)),
                }
            )
    rows["production"], rows["resources"] = production, resources
    # A plant-specific BOM for a product at the second plant (replaces the general lines).
    if "PL2" in plants and draw(st.booleans()):
        parent = products[0]
        children = draw(
            st.lists(st.sampled_from([*subs, *comps]), min_size=1, max_size=2, unique=True)
        )
        bom += [
            {"parent": parent, "child": c, "qty_per": draw(qty_per), "site": "PL2"}
            for c in children
        ]
    rows["bom"] = bom

    # -- lanes ---------------------------------------------------------------------------------
    lanes = []

    def lane(origin: str, destination: str, item: str | None = None) -> None:
        lanes.append(
            {
                "origin": origin,
                "destination": destination,
                "item": item,
                "mode": draw(st.sampled_from(["road", "sea", "air"])),
                "cost": _money(draw, 0, 40),
                "lead_time": draw(st.integers(0, 1)),
                "capacity": _maybe(draw, _capacity(500)),
            }
        )

    for s in suppliers:
        for plant in plants:
            lane(s, plant)
    if len(plants) == 2:
        lane("PL1", "PL2")
        lane("PL2", "PL1")
    for plant in plants:
        for wh in warehouses:
            lane(plant, wh)
        for m in markets:
            if draw(st.booleans()) or not warehouses:
                lane(plant, m)
    for wh in warehouses:
        for m in markets:
            lane(wh, m)
    # Item-specific overrides of some lanes (same origin, destination and mode).
    for base in draw(st.lists(st.sampled_from(lanes), max_size=2, unique_by=id)):
        item = draw(st.sampled_from([*made, *comps]))
        if any(
            r["origin"] == base["origin"]
            and r["destination"] == base["destination"]
            and r["mode"] == base["mode"]
            and r["item"] == item
            for r in lanes
        ):
            continue
        lanes.append(
            {
                **base,
                "item": item,
                "cost": _money(draw, 0, 40),
                "lead_time": draw(st.integers(0, 1)),
                "capacity": _maybe(draw, _capacity(500)),
            }
        )
    rows["lanes"] = lanes

    # -- duties: distinct scopes, each over one span or split in two ----------------------------
    duties = []
    scopes: list[tuple[str | None, str | None, str | None, str | None]] = []
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()):
            scope_item, hs = draw(st.sampled_from([*products, *subs, *comps])), None
        else:
            code = draw(st.sampled_from(HS_CODES))
            scope_item, hs = None, draw(st.sampled_from([code[:2], code[:4], code]))
        origin = draw(st.sampled_from([None, None, "CN", "VN", "IN"]))
        destination = draw(st.sampled_from([None, None, "AE"]))
        key = (scope_item, None if hs is None else hs.replace(".", ""), origin, destination or "IN")
        if key in scopes:
            continue
        scopes.append(key)
        split = draw(st.integers(0, n_periods - 1))
        spans = (
            [(None, None)] if split == 0 else [(None, periods[split - 1]), (periods[split], None)]
        )
        for start, end in spans:
            duties.append(
                {
                    "item": scope_item,
                    "hs_code": hs,
                    "origin_country": origin,
                    "destination_country": destination,
                    "rate": draw(st.sampled_from([0.1, 0.2, 0.05, 0.15, 0.0])),
                    "period_from": start,
                    "period_to": end,
                }
            )
    rows["duties"] = duties

    # -- demand: penalties always given, so the plan is always feasible ----------------------------
    demand = []
    for m in markets:
        for product in draw(st.lists(st.sampled_from(products), min_size=1, unique=True)):
            for p in periods:
                if draw(st.integers(0, 4)) == 4:  # now and then no demand
                    continue
                demand.append(
                    {
                        "market": m,
                        "item": product,
                        "period": p,
                        "qty": float(draw(st.integers(1, 200))),
                        "price": _maybe(draw, st.integers(500, 5000).map(float)),
                        "penalty": _money(draw, 2000, 20000),
                    }
                )
    rows["demand"] = demand

    # -- a network or plant target, maybe with a period override --------------------------------
    targets = []
    if draw(st.booleans()):
        scope = draw(st.sampled_from(["network", *plants]))
        targets.append({"scope": scope, "min_local_share": draw(st.sampled_from([0.1, 0.2, 0.3]))})
        if draw(st.booleans()):
            targets.append(
                {
                    "scope": scope,
                    "period": draw(st.sampled_from(periods)),
                    "min_local_share": draw(st.sampled_from([0.0, 0.25, 0.4])),
                }
            )
    rows["targets"] = targets

    columns = {
        "resources": ["plant", "resource", "period", "capacity"],
        "duties": ["item", "hs_code", "origin_country", "destination_country", "rate"],
        "targets": ["scope", "period", "min_local_share"],
        "demand": ["market", "item", "period", "qty"],
    }
    return {
        name: pd.DataFrame(r, columns=None if r else columns.get(name)) for name, r in rows.items()
    }
