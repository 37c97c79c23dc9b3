"""The peer: emsplan's planning model (docs/model.md) written plainly in Pyomo.

This is what a planner would write by hand for the same network: read the CSV
tables with pandas, prepare the index sets in plain Python (dicts and sets),
declare indexed ``Var`` and ``Constraint`` components with rules, solve with
the same HiGHS (``appsi_highs``, i.e. highspy, default options) and read the
flows back into tables. It shares no code with ``emsplan.optimization``: the
objective it reaches is an independent check of emsplan's formulation.

It covers the LP of docs/model.md: purchases, production, shipments on arcs
(lanes expanded to items, item rows replacing the blank-item row), stock,
unmet demand, material balance with lead times, delivery, supply / resource /
lane / storage capacities, duty at arrival by the most specific row, and
local-content targets (network, plant, product) with the allocation
variables and cumulative origin constraints. Networks with discrete options,
incentives or trade rules are out of its scope (it refuses them).

Usage::

    python benchmarks/pyomo_peer.py NETWORK_CSV_FOLDER [--out DIR] [--json FILE]

Prints the stage timings (read, prepare, build, solve, HiGHS run time,
results), the objective and the model's size; ``--json`` writes them.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd
import pyomo.environ as pyo

TABLES = ("settings", "periods", "items", "bom", "sites", "supply", "production",
          "resources", "lanes", "duties", "demand", "targets")  # fmt: skip
STOCK_KINDS = {"supplier", "plant", "warehouse"}


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def read_tables(folder: Path) -> dict[str, pd.DataFrame]:
    """Every table as text and numbers, blanks as None (codes are kept as text)."""
    text = {"item", "hs_code", "site", "period", "scope", "parent", "child", "supplier"}
    tables = {}
    for name in TABLES:
        path = folder / f"{name}.csv"
        if not path.exists():
            tables[name] = pd.DataFrame()
            continue
        frame = pd.read_csv(path, dtype={c: str for c in text}, keep_default_na=True)
        tables[name] = frame.astype(object).where(frame.notna(), None)
    for other in ("options", "incentives", "trade_rules"):
        path = folder / f"{other}.csv"
        if path.exists() and len(pd.read_csv(path)):
            raise SystemExit(f"the Pyomo peer does not model table {other!r}")
    return tables


def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.to_dict("records") if len(frame) else []


class Data:
    """The index sets and coefficients, prepared in plain Python."""

    def __init__(self, t: dict[str, pd.DataFrame]) -> None:
        settings = {r["setting"]: r["value"] for r in rows(t["settings"])}
        self.domestic = settings.get("domestic_country") or "IN"
        self.periods = [r["period"] for r in rows(t["periods"])]
        self.T = T = len(self.periods)
        self.pidx = {p: i for i, p in enumerate(self.periods)}
        self.sites = {r["site"]: r for r in rows(t["sites"])}
        self.kind = {s: r["kind"] for s, r in self.sites.items()}
        self.country = {s: r["country"] for s, r in self.sites.items()}
        self.items = {r["item"]: r for r in rows(t["items"])}
        # offers
        self.offers = []
        for r in rows(t["supply"]):
            lc = r.get("local_content")
            if blank(lc):
                lc = 1.0 if self.country[r["supplier"]] == self.domestic else 0.0
            cap = r.get("capacity")
            lead = r.get("lead_time")
            self.offers.append(
                {
                    "supplier": r["supplier"],
                    "item": r["item"],
                    "price": float(r["price"]),
                    "capacity": None if blank(cap) else float(cap),
                    "lead": 0 if blank(lead) else int(lead),
                    "lc": float(lc),
                }
            )
        self.offer_of = {(o["supplier"], o["item"]): k for k, o in enumerate(self.offers)}
        # production rows and their effective BOM
        self.prod = []
        for r in rows(t["production"]):
            usage = r.get("usage")
            self.prod.append(
                {
                    "plant": r["plant"],
                    "item": r["item"],
                    "cost": 0.0 if blank(r.get("cost")) else float(r["cost"]),
                    "resource": None if blank(r.get("resource")) else r["resource"],
                    "usage": 1.0 if blank(usage) else float(usage),
                }
            )
        general: dict[str, list[tuple[str, float]]] = defaultdict(list)
        specific: dict[tuple[str, str], list[tuple[str, float]]] = defaultdict(list)
        for r in rows(t["bom"]):
            line = (r["child"], float(r["qty_per"]))
            if blank(r.get("site")):
                general[r["parent"]].append(line)
            else:
                specific[(r["site"], r["parent"])].append(line)
        self.bom = []  # (production row, child, qty)
        for p, row in enumerate(self.prod):
            lines = specific.get((row["plant"], row["item"])) or general.get(row["item"], [])
            self.bom += [(p, child, q) for child, q in lines]
        self.demand = [
            {
                "market": r["market"],
                "item": r["item"],
                "t": self.pidx[r["period"]],
                "qty": float(r["qty"]),
                "price": 0.0 if blank(r.get("price")) else float(r["price"]),
                "penalty": None if blank(r.get("penalty")) else float(r["penalty"]),
            }
            for r in rows(t["demand"])
        ]
        self._arcs(rows(t["lanes"]))
        self._duties(rows(t["duties"]))
        self._nodes()
        self._capacities(rows(t["resources"]))
        self._targets(rows(t["targets"]))
        del T

    # -- arcs: lanes expanded to items ------------------------------------------------
    def _arcs(self, lanes: list[dict[str, Any]]) -> None:
        for lane in lanes:
            lane["mode"] = "road" if blank(lane.get("mode")) else lane["mode"]
            lane["item"] = None if blank(lane.get("item")) else lane["item"]
        out_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
        into: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for lane in lanes:
            out_of[lane["origin"]].append(lane)
            into[lane["destination"]].append(lane)
        available = {(o["supplier"], o["item"]) for o in self.offers}
        available |= {(p["plant"], p["item"]) for p in self.prod}
        needed = {(d["market"], d["item"]) for d in self.demand}
        needed |= {(self.prod[p]["plant"], child) for p, child, _ in self.bom}
        self.available = _closure(available, out_of, "destination")
        self.needed = _closure(needed, into, "origin")
        items_at: dict[str, set[str]] = defaultdict(set)
        for site, item in self.available:
            items_at[site].add(item)
        overridden = {
            (la["origin"], la["destination"], la["mode"], la["item"]) for la in lanes if la["item"]
        }
        self.arcs = []
        for lane_pos, lane in enumerate(lanes):
            o, d = lane["origin"], lane["destination"]
            if lane["item"] is not None:
                carried = [lane["item"]]
            else:
                carried = [
                    i for i in sorted(items_at[o]) if (o, d, lane["mode"], i) not in overridden
                ]
            for item in carried:
                if (o, item) in self.available and (d, item) in self.needed:
                    self.arcs.append(
                        {
                            "lane": lane_pos,
                            "origin": o,
                            "destination": d,
                            "item": item,
                            "mode": lane["mode"],
                            "cost": 0.0 if blank(lane.get("cost")) else float(lane["cost"]),
                            "lead": 0 if blank(lane.get("lead_time")) else int(lane["lead_time"]),
                        }
                    )
        self.lanes = lanes

    # -- duty per arc and arrival period ----------------------------------------------
    def _duties(self, duties: list[dict[str, Any]]) -> None:
        supply_price: dict[str, list[float]] = defaultdict(list)
        for o in self.offers:
            supply_price[o["item"]].append(o["price"])
        demand_price: dict[str, list[float]] = defaultdict(list)
        for d in self.demand:
            demand_price[d["item"]].append(d["price"])

        def item_value(item: str) -> float:
            declared = self.items[item].get("value")
            if not blank(declared):
                return float(declared)
            if supply_price[item]:
                return sum(supply_price[item]) / len(supply_price[item])
            if demand_price[item]:
                return sum(demand_price[item]) / len(demand_price[item])
            return 0.0

        rules = []
        for r in duties:
            first = 0 if blank(r.get("period_from")) else self.pidx[r["period_from"]]
            last = self.T - 1 if blank(r.get("period_to")) else self.pidx[r["period_to"]]
            by_item = not blank(r.get("item"))
            prefix = "" if by_item else str(r["hs_code"]).replace(".", "").strip()
            origin = None if blank(r.get("origin_country")) else r["origin_country"]
            dest = (
                self.domestic if blank(r.get("destination_country")) else r["destination_country"]
            )
            specificity = (200 if by_item else 2 * len(prefix)) + (origin is not None)
            rules.append((r.get("item") if by_item else None, prefix, origin, dest, first, last,
                          float(r["rate"]), specificity))  # fmt: skip
        cache: dict[tuple[str, str, str], list[float]] = {}
        for a in self.arcs:
            item, oc, dc = a["item"], self.country[a["origin"]], self.country[a["destination"]]
            if self.kind[a["origin"]] == "supplier":
                a["value"] = self.offers[self.offer_of[(a["origin"], item)]]["price"]
            else:
                a["value"] = item_value(item)
            if oc == dc:
                a["rate"] = [0.0] * self.T
                continue
            key = (item, oc, dc)
            if key not in cache:
                hs = self.items[item].get("hs_code")
                hs = "" if blank(hs) else str(hs).replace(".", "").strip()
                best = [(-1, 0.0)] * self.T
                for r_item, prefix, origin, dest, first, last, rate, spec in rules:
                    if dest != dc or (origin is not None and origin != oc):
                        continue
                    if r_item is not None and r_item != item:
                        continue
                    if r_item is None and not (hs and hs.startswith(prefix)):
                        continue
                    for t in range(first, last + 1):
                        if spec >= best[t][0]:
                            best[t] = (spec, rate)
                cache[key] = [rate for _, rate in best]
            a["rate"] = cache[key]

    # -- nodes ------------------------------------------------------------------------
    def _nodes(self) -> None:
        nodes = {(o["supplier"], o["item"]) for o in self.offers}
        nodes |= {(p["plant"], p["item"]) for p in self.prod}
        nodes |= {(self.prod[p]["plant"], child) for p, child, _ in self.bom}
        nodes |= {(a["origin"], a["item"]) for a in self.arcs}
        nodes |= {(a["destination"], a["item"]) for a in self.arcs}
        nodes |= {(d["market"], d["item"]) for d in self.demand}
        self.nodes = sorted(nodes)
        self.stock_nodes = [n for n in self.nodes if self.kind[n[0]] in STOCK_KINDS]
        self.market_nodes = [n for n in self.nodes if self.kind[n[0]] == "market"]

    def _capacities(self, resources: list[dict[str, Any]]) -> None:
        base: dict[tuple[str, str], float] = {}
        timed: dict[tuple[str, str, int], float] = {}
        for r in resources:
            if blank(r.get("period")):
                base[(r["plant"], r["resource"])] = float(r["capacity"])
            else:
                timed[(r["plant"], r["resource"], self.pidx[r["period"]])] = float(r["capacity"])
        used = sorted({(p["plant"], p["resource"]) for p in self.prod if p["resource"]})
        self.resources = used
        self.resource_cap = {
            (pl, res, t): timed.get((pl, res, t), base.get((pl, res), 0.0))
            for pl, res in used
            for t in range(self.T)
        }

    # -- local-content targets --------------------------------------------------------
    def _targets(self, targets: list[dict[str, Any]]) -> None:
        share: dict[tuple[str, int], tuple[int, float]] = {}
        for r in targets:
            ts = range(self.T) if blank(r.get("period")) else [self.pidx[r["period"]]]
            order = 0 if blank(r.get("period")) else 1
            for t in ts:
                if (r["scope"], t) not in share or order >= share[(r["scope"], t)][0]:
                    share[(r["scope"], t)] = (order, float(r["min_local_share"]))
        self.targets = {k: v for k, (_, v) in share.items()}

        def scope_kind(scope: str) -> str:
            if scope == "network":
                return "network"
            return "plant" if self.kind.get(scope) == "plant" else "product"

        self.target_kind = {k: scope_kind(k[0]) for k in self.targets}
        kinds = set(self.target_kind.values())
        supplied = {
            (a["destination"], a["item"]) for a in self.arcs if self.kind[a["origin"]] == "supplier"
        }
        self.delivered = defaultdict(set)  # (plant, item) -> suppliers delivering by a lane
        for a in self.arcs:
            if self.kind[a["origin"]] == "supplier":
                self.delivered[(a["destination"], a["item"])].add(a["origin"])
        self.content: dict[str, list[tuple[int, str, str, str, float]]] = {}
        if kinds & {"network", "plant"}:  # every BOM line consuming a supplied item
            self.content["Plant"] = [
                (p, self.prod[p]["plant"], self.prod[p]["item"], child, q)
                for p, child, q in self.bom
                if (self.prod[p]["plant"], child) in supplied
            ]
        if "product" in kinds:
            self.content["Product"] = self._product_content(supplied)
        # allocations: (content row, offer) where the offer's supplier delivers to the plant
        self.alloc: dict[str, list[tuple[int, int]]] = {}
        for kind, content in self.content.items():
            self.alloc[kind] = [
                (c, self.offer_of[(sup, item)])
                for c, (_, plant, _, item, _) in enumerate(content)
                for sup in sorted(self.delivered[(plant, item)])
                if (sup, item) in self.offer_of
            ]

    def _product_content(self, supplied: set) -> list[tuple[int, str, str, str, float]]:
        made = {(p["plant"], p["item"]): k for k, p in enumerate(self.prod)}
        received = {(a["destination"], a["item"]) for a in self.arcs}
        lines_of: dict[int, list[tuple[str, float]]] = defaultdict(list)
        for p, child, q in self.bom:
            lines_of[p].append((child, q))
        total: dict[tuple[int, str, str, str], float] = defaultdict(float)
        for k, row in enumerate(self.prod):
            if self.items[row["item"]]["kind"] != "product":
                continue
            stack = [(k, 1.0)]
            while stack:
                p, factor = stack.pop()
                for child, q in lines_of[p]:
                    key = (row["plant"], child)
                    if key in made and key not in received:
                        stack.append((made[key], factor * q))
                    else:
                        total[(k, row["plant"], row["item"], child)] += factor * q
        return [
            (k, plant, product, item, qty)
            for (k, plant, product, item), qty in sorted(total.items())
            if (plant, item) in supplied
        ]


def _closure(pairs: set, lanes_at: dict, to: str) -> set:
    """(site, item) pairs closed under movement along lanes (a blank item carries any)."""
    known = set(pairs)
    frontier = list(known)
    while frontier:
        site, item = frontier.pop()
        for lane in lanes_at.get(site, ()):
            if lane["item"] is None or lane["item"] == item:
                nxt = (lane[to], item)
                if nxt not in known:
                    known.add(nxt)
                    frontier.append(nxt)
    return known


def build(d: Data) -> pyo.ConcreteModel:
    """The LP of docs/model.md as a Pyomo model."""
    m = pyo.ConcreteModel()
    T = range(d.T)
    NN = pyo.NonNegativeReals
    buy_ok = {(o, t) for o, off in enumerate(d.offers) for t in T if t + off["lead"] < d.T}
    ship_ok = {(a, t) for a, arc in enumerate(d.arcs) for t in T if t + arc["lead"] < d.T}
    m.buy_idx = pyo.Set(dimen=2, initialize=sorted(buy_ok))
    m.buy = pyo.Var(m.buy_idx, within=NN)
    m.make = pyo.Var(range(len(d.prod)), T, within=NN)
    m.ship_idx = pyo.Set(dimen=2, initialize=sorted(ship_ok))
    m.ship = pyo.Var(m.ship_idx, within=NN)
    m.stock = pyo.Var(d.stock_nodes, T, within=NN)
    m.unmet = pyo.Var(
        range(len(d.demand)),
        within=NN,
        bounds=lambda m, k: (0, d.demand[k]["qty"] if d.demand[k]["penalty"] is not None else 0),
    )

    # terms of each node's balance
    node_in: dict[tuple, list] = defaultdict(list)  # (node) -> [(kind, index, lead, coeff)]
    for o, off in enumerate(d.offers):
        node_in[(off["supplier"], off["item"])].append(("buy", o, off["lead"], 1.0))
    for a, arc in enumerate(d.arcs):
        node_in[(arc["destination"], arc["item"])].append(("ship", a, arc["lead"], 1.0))
        node_in[(arc["origin"], arc["item"])].append(("ship", a, 0, -1.0))
    for p, row in enumerate(d.prod):
        node_in[(row["plant"], row["item"])].append(("make", p, 0, 1.0))
    for p, child, q in d.bom:
        node_in[(d.prod[p]["plant"], child)].append(("make", p, 0, -q))

    def flow(node: tuple, t: int) -> Any:
        terms = []
        for kind, k, lead, coeff in node_in.get(node, ()):
            s = t - lead
            if s < 0:
                continue
            if kind == "buy" and (k, s) in buy_ok:
                terms.append(coeff * m.buy[k, s])
            elif kind == "ship" and (k, s) in ship_ok:
                terms.append(coeff * m.ship[k, s])
            elif kind == "make":
                terms.append(coeff * m.make[k, s])
        return sum(terms)

    def balance(m: pyo.ConcreteModel, s: str, i: str, t: int) -> Any:
        expr = flow((s, i), t) - m.stock[s, i, t] + (m.stock[s, i, t - 1] if t > 0 else 0)
        return expr == 0

    m.balance = pyo.Constraint(d.stock_nodes, T, rule=balance)
    demand_of = {(r["market"], r["item"], r["t"]): k for k, r in enumerate(d.demand)}

    def delivery(m: pyo.ConcreteModel, s: str, i: str, t: int) -> Any:
        k = demand_of.get((s, i, t))
        lhs = flow((s, i), t) + (m.unmet[k] if k is not None else 0)
        rhs = d.demand[k]["qty"] if k is not None else 0.0
        if isinstance(lhs, int | float):
            return pyo.Constraint.Skip
        return lhs == rhs

    m.delivery = pyo.Constraint(d.market_nodes, T, rule=delivery)

    # capacities
    capped = [o for o, off in enumerate(d.offers) if off["capacity"] is not None]
    m.supply_cap = pyo.Constraint(
        capped,
        T,
        rule=lambda m, o, t: (
            m.buy[o, t] <= d.offers[o]["capacity"] if (o, t) in buy_ok else pyo.Constraint.Skip
        ),
    )
    rows_of_res: dict[tuple[str, str], list[int]] = defaultdict(list)
    for p, row in enumerate(d.prod):
        if row["resource"]:
            rows_of_res[(row["plant"], row["resource"])].append(p)
    m.resource_cap = pyo.Constraint(
        d.resources,
        T,
        rule=lambda m, pl, res, t: (
            sum(d.prod[p]["usage"] * m.make[p, t] for p in rows_of_res[(pl, res)])
            <= d.resource_cap[(pl, res, t)]
        ),
    )
    arcs_of_lane: dict[int, list[int]] = defaultdict(list)
    for a, arc in enumerate(d.arcs):
        arcs_of_lane[arc["lane"]].append(a)
    limited = [
        k for k, la in enumerate(d.lanes) if not blank(la.get("capacity")) and arcs_of_lane[k]
    ]

    def lane_cap(m: pyo.ConcreteModel, k: int, t: int) -> Any:
        terms = [m.ship[a, t] for a in arcs_of_lane[k] if (a, t) in ship_ok]
        return sum(terms) <= float(d.lanes[k]["capacity"]) if terms else pyo.Constraint.Skip

    m.lane_cap = pyo.Constraint(limited, T, rule=lane_cap)
    stock_at: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for n in d.stock_nodes:
        stock_at[n[0]].append(n)
    storage = [
        s for s, r in d.sites.items() if not blank(r.get("storage_capacity")) and stock_at[s]
    ]
    m.storage_cap = pyo.Constraint(
        storage,
        T,
        rule=lambda m, s, t: (
            sum(m.stock[n[0], n[1], t] for n in stock_at[s])
            <= float(d.sites[s]["storage_capacity"])
        ),
    )

    # local content: allocation of consumption to offers, and the targets
    receipts: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for a, arc in enumerate(d.arcs):
        if d.kind[arc["origin"]] == "supplier":
            receipts[(arc["origin"], arc["destination"], arc["item"])].append(a)
    m.lc = pyo.Block(list(d.content))
    for kind, content in d.content.items():
        b = m.lc[kind]
        alloc = d.alloc[kind]
        b.x = pyo.Var(range(len(alloc)), T, within=NN)
        of_content: dict[int, list[int]] = defaultdict(list)
        for k, (c, _o) in enumerate(alloc):
            of_content[c].append(k)
        b.content = pyo.Constraint(
            range(len(content)),
            T,
            rule=lambda b, c, t, content=content, of_content=of_content: (
                sum(b.x[k, t] for k in of_content[c]) == content[c][4] * m.make[content[c][0], t]
            ),
        )
        pairs: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        for k, (c, o) in enumerate(alloc):
            pairs[(d.offers[o]["supplier"], content[c][1], content[c][3])].append(k)
        keys = sorted(pairs)

        def origin(b: Any, n: int, t: int, keys: list = keys, pairs: dict = pairs) -> Any:
            key = keys[n]
            used = sum(b.x[k, s] for k in pairs[key] for s in range(t + 1))
            arrived = sum(
                m.ship[a, s - d.arcs[a]["lead"]]
                for a in receipts[key]
                for s in range(t + 1)
                if (a, s - d.arcs[a]["lead"]) in ship_ok
            )
            return used - arrived <= 0

        b.origin = pyo.Constraint(range(len(keys)), T, rule=origin)
        scopes = ("network", "plant") if kind == "Plant" else ("product",)
        tgt = [key for key in sorted(d.targets) if d.target_kind[key] in scopes]
        in_scope: dict[str, list[int]] = defaultdict(list)  # scope -> its allocations
        for k, (c, _o) in enumerate(alloc):
            _, plant, product, _, _ = content[c]
            in_scope["network"].append(k)
            in_scope[plant if kind == "Plant" else product].append(k)

        def target(
            b: Any, scope: str, t: int, alloc: list = alloc, in_scope: dict = in_scope
        ) -> Any:
            s = d.targets[(scope, t)]
            terms = []
            for k in in_scope.get(scope, ()):
                off = d.offers[alloc[k][1]]
                coeff = off["price"] * (off["lc"] - s)
                if coeff != 0:
                    terms.append(coeff * b.x[k, t])
            return sum(terms) >= 0 if terms else pyo.Constraint.Skip

        b.target = pyo.Constraint(tgt, rule=target)

    # objective
    holding = {i: 0.0 if blank(r.get("holding_cost")) else float(r["holding_cost"])
               for i, r in d.items.items()}  # fmt: skip
    m.cost = pyo.Objective(
        expr=sum(d.offers[o]["price"] * m.buy[o, t] for o, t in m.buy_idx)
        + sum(d.prod[p]["cost"] * m.make[p, t] for p in range(len(d.prod)) for t in T)
        + sum(
            (d.arcs[a]["cost"] + d.arcs[a]["rate"][t + d.arcs[a]["lead"]] * d.arcs[a]["value"])
            * m.ship[a, t]
            for a, t in m.ship_idx
        )
        + sum(holding[n[1]] * m.stock[n[0], n[1], t] for n in d.stock_nodes for t in T)
        + sum((r["penalty"] or 0.0) * m.unmet[k] for k, r in enumerate(d.demand) if r["penalty"]),
        sense=pyo.minimize,
    )
    return m


def results(m: pyo.ConcreteModel, d: Data) -> dict[str, pd.DataFrame]:
    """The plan's quantities as tables (values above 1e-7)."""
    eps = 1e-7
    P = d.periods
    out = {
        "purchases": [
            (d.offers[o]["supplier"], d.offers[o]["item"], P[t], v)
            for (o, t), v in m.buy.extract_values().items()
            if v and v > eps
        ],
        "production": [
            (d.prod[p]["plant"], d.prod[p]["item"], P[t], v)
            for (p, t), v in m.make.extract_values().items()
            if v and v > eps
        ],
        "flows": [
            (
                d.arcs[a]["origin"],
                d.arcs[a]["destination"],
                d.arcs[a]["item"],
                d.arcs[a]["mode"],
                P[t],
                v,
            )
            for (a, t), v in m.ship.extract_values().items()
            if v and v > eps
        ],
        "inventory": [
            (s, i, P[t], v) for (s, i, t), v in m.stock.extract_values().items() if v and v > eps
        ],
        "unmet": [
            (d.demand[k]["market"], d.demand[k]["item"], P[d.demand[k]["t"]], v)
            for k, v in m.unmet.extract_values().items()
            if v and v > eps
        ],
    }
    columns = {
        "purchases": ["supplier", "item", "period", "qty"],
        "production": ["plant", "item", "period", "qty"],
        "flows": ["origin", "destination", "item", "mode", "period", "qty"],
        "inventory": ["site", "item", "period", "qty"],
        "unmet": ["market", "item", "period", "qty"],
    }
    return {k: pd.DataFrame(v, columns=columns[k]) for k, v in out.items()}


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # KiB -> GB (Linux)


def run(folder: Path, out: Path | None, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Read, prepare, build, solve and write the plan; the timings and the outcome."""
    from pyomo.contrib.appsi.solvers import Highs

    timings: dict[str, float] = {}
    start = time.perf_counter()
    tables = read_tables(folder)
    timings["read"] = time.perf_counter() - start
    t0 = time.perf_counter()
    data = Data(tables)
    timings["prepare"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    model = build(data)
    timings["build"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    solver = Highs()
    solver.config.load_solution = False
    solver.highs_options = dict(options or {})
    result = solver.solve(model)
    if result.best_feasible_objective is not None:
        result.solution_loader.load_vars()
    timings["solve"] = time.perf_counter() - t0  # hand-over, HiGHS, values back
    timings["solver_run"] = float(solver._solver_model.getRunTime())
    t0 = time.perf_counter()
    tables_out = results(model, data)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for name, frame in tables_out.items():
            frame.to_csv(out / f"{name}.csv", index=False)
    timings["results"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - start
    return {
        "termination": str(result.termination_condition).split(".")[-1],
        "objective": (
            None
            if result.best_feasible_objective is None
            else float(result.best_feasible_objective)
        ),
        "variables": int(model.nvariables()),
        "constraints": int(model.nconstraints()),
        "timings": timings,
        "peak_rss_gb": peak_rss_gb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("network", type=Path, help="a folder of CSV files (emsplan generate)")
    parser.add_argument("--out", type=Path, help="write the plan's quantity tables here")
    parser.add_argument("--json", type=Path, help="write the figures as JSON here")
    parser.add_argument(
        "--highs", action="append", default=[], metavar="KEY=VALUE", help="a HiGHS option"
    )
    args = parser.parse_args()
    options: dict[str, Any] = {}
    for pair in args.highs:
        key, _, text = pair.partition("=")
        options[key] = int(text) if text.isdigit() else text
    figures = run(args.network, args.out, options)
    text = json.dumps(figures, indent=2)
    if args.json:
        args.json.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    sys.exit(main())
