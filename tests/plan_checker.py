"""An independent checker of written plans.

It rebuilds every rule of a plan from the network's INPUT tables and the plan
files written to disk (``<table>.csv`` and ``summary.json``), and never touches
the model code (nothing under ``emsplan.optimization`` nor ``emsplan.results``):
a plan that the engine got wrong, or a file that was corrupted after writing,
shows up as a list of human-readable violations.

Entry point: :func:`check_plan`. Each rule is one ``check_*`` function taking
the :class:`Inputs` (lookups built from the network) and the :class:`WrittenPlan`
(the files read back), and returning the violations it finds.

Tolerances are relative: a quantity comparison allows ``1e-6 * max(1, scale)``
where ``scale`` is the sum of the magnitudes of the terms compared.

Local-content targets are checked on the basis the plan's ``local_content``
table declares: ``received`` (deliveries from suppliers arriving in the
period) by direct sums, ``consumed`` (components consumed at plants,
attributed to the offers delivered there) by a small feasibility LP of its
own (SciPy); rows of other bases (``dva``) are left alone.

Policies and options: line options add capacity in the periods the plan opens
them; contracts, minimums and single sourcing are checked on the plan's
quantities; a preferential duty needs a matching trade rule and a qualified rule
row with enough value content, on no more than the period's production;
incentive payouts are recomputed from the eligible deliveries; fixed costs and
incentives enter the recomputed objective.

Network design (docs/design/network-design.md): site options open a candidate
plant, warehouse or market, or close an existing one (:func:`check_sites`:
nothing happens at a closed site, throughput and storage within the option's,
the one-way direction of non-closable options, each period's event and one-off
cost); production contracts let a plant make the items of an item or group only
while open (:func:`check_production_contracts`); single-sourced markets take
their covered items from one origin over the horizon
(:func:`check_market_sources`); relative local-content targets require
``max(floor, (1 + growth) x base)``, the base given or read from the plan's own
row of the base period (:func:`requirement`); a market with a site option has
demand only while open, and under the ``profit`` objective unmet demand loses its
price and open channels earn theirs (:func:`cost_terms`, :func:`check_objective`).
Missing new input or output columns read as blank, so older plans check as before.

Purchases committed ahead (docs/plan-format.md, ``commitments``): robust (two-stage) and
stress-test plans commit offers with a lead time of one period or more; the units
committed and not taken are paid at the offer's price (cost category
``unused_commitment``) (:func:`check_commitments`). A robust plan's ``scenarios`` table
agrees with summary.json's ``robust`` key: the expected objective, the CVaR and the value
of information and of the stochastic solution (:func:`check_scenarios`). Plans written
before these tables (no ``commitments.csv`` nor ``scenarios.csv``) read them as empty.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

import emsplan

#: Relative tolerance of every comparison.
RTOL = 1e-6

#: Columns of each checked plan table: labels (read as text) and numbers.
PLAN_TABLES: dict[str, tuple[list[str], list[str]]] = {
    "purchases": (["supplier", "item", "period"], ["qty", "price", "local_content", "duty"]),
    "production": (["plant", "item", "period"], ["qty", "cost"]),
    "flows": (
        ["origin", "destination", "item", "mode", "period", "arrival_period"],
        ["qty", "unit_cost", "duty_rate", "value", "duty", "preferential_qty"],
    ),
    "inventory": (["site", "item", "period"], ["qty", "holding_cost"]),
    "unmet": (["market", "item", "period"], ["qty", "penalty"]),
    "local_content": (["scope", "period"], ["local_value", "total_value", "share", "target"]),
    "costs": (["category", "period"], ["value"]),
    "options": (["option", "kind", "period", "supplier"], ["open", "fixed_cost"]),
    "policy": (
        ["policy", "name", "scope", "period", "qualified"],
        ["measure", "threshold", "margin", "value"],
    ),
}

#: Tables a plan may lack (plans written before them): read as empty when absent.
OPTIONAL_TABLES: dict[str, tuple[list[str], list[str]]] = {
    "commitments": (
        ["supplier", "item", "period"],
        ["committed", "taken", "untaken", "price"],
    ),
    "scenarios": ([], ["sample", "weight", "objective", "own_objective", "ev_objective"]),
}

#: Label columns a table may have (read as text; blank when absent).
OPTIONAL_LABELS: dict[str, tuple[str, ...]] = {
    "local_content": ("basis",),
    "options": ("site", "event", "origin"),
}

#: Number columns a table may have (blank when absent: plans written before them).
OPTIONAL_NUMBERS: dict[str, tuple[str, ...]] = {
    "local_content": ("growth", "base_share"),
    "options": ("one_off_cost",),
}

#: Tables that must exist but whose content is not checked.
OTHER_TABLES = ("kpis", "bottlenecks")

COST_CATEGORIES = (
    "purchases",
    "conversion",
    "freight",
    "duty",
    "holding",
    "penalty",
    "fixed",
    "incentives",
    "opening",
    "closing",
    "unused_commitment",
    "lost_revenue",
    "new_channel_revenue",
)

#: Categories of the profit objective that are revenue, not cost (left out of ``profit``).
REVENUE_CATEGORIES = ("lost_revenue", "new_channel_revenue")

#: summary.json keys of the objective's kind and the plan's revenue and profit.
PROFIT_KEYS = ("objective_kind", "revenue", "profit")

#: Columns of an input options row (those absent from an older network read as blank).
OPTION_COLUMNS = (
    "option",
    "kind",
    "plant",
    "resource",
    "supplier",
    "item",
    "fixed_cost",
    "capacity",
    "min_qty",
    "period_from",
    "period_to",
    "site",
    "existing",
    "closable",
    "opening_cost",
    "closing_cost",
    "storage_capacity",
    "market",
)

#: Site kinds that hold stock and have a material balance.
STOCK_KINDS = ("supplier", "plant", "warehouse")


def tol(scale: float) -> float:
    """Absolute tolerance for a comparison of terms of total magnitude ``scale``."""
    return RTOL * max(1.0, abs(scale))


def blank(value: Any) -> bool:
    """True for a missing cell (None, NaN, pd.NA)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _num(value: Any, default: float | None = None) -> float | None:
    return default if blank(value) else float(value)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with blanks turned into None."""
    out = []
    for row in frame.astype(object).to_dict("records"):
        out.append({str(k): (None if blank(v) else v) for k, v in row.items()})
    return out


def _flag(value: Any) -> bool:
    """An int flag column (existing, closable): blank = 0."""
    return (_num(value, 0.0) or 0.0) > 0.5


def _setting(net: emsplan.Network, name: str, default: str) -> str:
    """A setting's value from the settings table (not the schema: older ones lack it)."""
    rows = net.settings
    match = rows.loc[rows["setting"] == name, "value"]
    return str(match.iloc[0]).strip() if len(match) and not blank(match.iloc[0]) else default


def _digits(code: Any) -> str:
    return "" if blank(code) else str(code).replace(".", "").strip()


# -- the inputs ---------------------------------------------------------------------------
@dataclass
class Inputs:
    """Plain lookups built from the network's input tables."""

    periods: list[str]
    index: dict[str, int]
    domestic: str
    site_kind: dict[str, str]
    site_country: dict[str, str]
    storage: dict[str, float | None]
    item_kind: dict[str, str]
    item_hs: dict[str, str]
    item_holding: dict[str, float]
    item_value: dict[str, float | None]
    offers: dict[tuple[str, str], dict[str, Any]]
    making: dict[tuple[str, str], dict[str, Any]]
    bom: list[dict[str, Any]]
    lanes: dict[tuple[str, str, str, str | None], dict[str, Any]]
    resources: dict[tuple[str, str], dict[str | None, float]]
    duties: list[dict[str, Any]]
    demand: dict[tuple[str, str, str], dict[str, Any]]
    #: min_local_share of each targets row by (scope, period); None = no floor.
    targets: dict[tuple[str, str | None], float | None]
    options: list[dict[str, Any]] = field(default_factory=list)
    incentives: list[dict[str, Any]] = field(default_factory=list)
    trade_rules: list[dict[str, Any]] = field(default_factory=list)
    item_group: dict[str, str | None] = field(default_factory=dict)
    #: Relative targets by the key of their targets row: growth, base_share, base_period.
    relative: dict[tuple[str, str | None], dict[str, Any]] = field(default_factory=dict)
    #: The objective setting: cost or profit.
    objective: str = "cost"
    _bom_cache: dict[tuple[str, str], list[tuple[str, float]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.options = [{c: o.get(c) for c in (*OPTION_COLUMNS, *o)} for o in self.options]

    @classmethod
    def from_network(cls, net: emsplan.Network) -> Inputs:
        periods = [str(p) for p in net.periods["period"]]
        domestic = str(net.setting("domestic_country"))
        sites = _records(net.sites)
        items = _records(net.items)
        offers = {}
        for r in _records(net.supply):
            local = r["local_content"]
            if local is None:
                local = 1.0 if _country(sites, r["supplier"]) == domestic else 0.0
            offers[(r["supplier"], r["item"])] = {
                "price": float(r["price"]),
                "capacity": _num(r["capacity"]),
                "lead": int(r["lead_time"] or 0),
                "local": float(local),
            }
        making = {
            (r["plant"], r["item"]): {
                "cost": _num(r["cost"], 0.0),
                "resource": r["resource"],
                "usage": _num(r["usage"], 1.0),
            }
            for r in _records(net.production)
        }
        lanes = {
            (r["origin"], r["destination"], r["mode"] or "road", r["item"]): {
                "cost": _num(r["cost"], 0.0),
                "lead": int(r["lead_time"] or 0),
                "capacity": _num(r["capacity"]),
            }
            for r in _records(net.lanes)
        }
        resources: dict[tuple[str, str], dict[str | None, float]] = defaultdict(dict)
        for r in _records(net.resources):
            resources[(r["plant"], r["resource"])][r["period"]] = float(r["capacity"])
        demand = {
            (r["market"], r["item"], r["period"]): {
                "qty": float(r["qty"]),
                "price": _num(r["price"], 0.0),
                "penalty": _num(r["penalty"]),
            }
            for r in _records(net.demand)
        }
        targets: dict[tuple[str, str | None], float | None] = {}
        relative: dict[tuple[str, str | None], dict[str, Any]] = {}
        for r in _records(net.targets):
            key = (r["scope"], r["period"])
            targets[key] = _num(r.get("min_local_share"))
            if r.get("growth") is not None:
                relative[key] = {
                    "growth": float(r["growth"]),
                    "base_share": _num(r.get("base_share")),
                    "base_period": r.get("base_period"),
                }
        return cls(
            periods=periods,
            index={p: i for i, p in enumerate(periods)},
            domestic=domestic,
            site_kind={r["site"]: r["kind"] for r in sites},
            site_country={r["site"]: r["country"] for r in sites},
            storage={r["site"]: _num(r["storage_capacity"]) for r in sites},
            item_kind={r["item"]: r["kind"] for r in items},
            item_hs={r["item"]: _digits(r["hs_code"]) for r in items},
            item_holding={r["item"]: _num(r["holding_cost"], 0.0) or 0.0 for r in items},
            item_value={r["item"]: _num(r["value"]) for r in items},
            offers=offers,
            making=making,
            bom=_records(net.bom),
            lanes=lanes,
            resources=dict(resources),
            duties=_records(net.duties),
            demand=demand,
            targets=targets,
            options=_records(net.options),
            incentives=_records(net.incentives),
            trade_rules=_records(net.trade_rules),
            item_group={r["item"]: r["group"] for r in items},
            relative=relative,
            objective=_setting(net, "objective", "cost"),
        )

    # -- derived rules ---------------------------------------------------------------
    def effective_bom(self, plant: str, parent: str) -> list[tuple[str, float]]:
        """(child, qty_per) lines of ``parent`` at ``plant``: the plant's own lines if any."""
        key = (plant, parent)
        if key not in self._bom_cache:
            own = [r for r in self.bom if r["parent"] == parent and r["site"] == plant]
            lines = own or [r for r in self.bom if r["parent"] == parent and r["site"] is None]
            self._bom_cache[key] = [(r["child"], float(r["qty_per"])) for r in lines]
        return self._bom_cache[key]

    def lane(self, origin: str, destination: str, mode: str, item: str) -> tuple[Any, ...] | None:
        """Key of the lane row a flow uses: the item's own row, else the blank-item row."""
        for key in ((origin, destination, mode, item), (origin, destination, mode, None)):
            if key in self.lanes:
                return key
        return None

    def capacity(self, plant: str, resource: str, period: str) -> float:
        """Resource capacity in a period: the period's row, else the blank row, else 0."""
        rows = self.resources.get((plant, resource), {})
        if period in rows:
            return rows[period]
        return rows.get(None, 0.0)

    def customs_value(self, origin: str, item: str) -> float:
        """Duty base per unit of ``item`` shipped from ``origin``."""
        if self.site_kind.get(origin) == "supplier":
            offer = self.offers.get((origin, item))
            return offer["price"] if offer else 0.0
        if self.item_value.get(item) is not None:
            return float(self.item_value[item])  # type: ignore[arg-type]
        prices = [o["price"] for (_, i), o in self.offers.items() if i == item]
        if prices:
            return sum(prices) / len(prices)
        prices = [d["price"] for (_, i, _), d in self.demand.items() if i == item]
        if prices:
            return sum(prices) / len(prices)
        return 0.0

    def duty_rate(self, origin: str, destination: str, item: str, arrival: str) -> float:
        """Ad valorem rate on a flow, by the most specific duty row in force at arrival."""
        come, go = self.site_country.get(origin), self.site_country.get(destination)
        if come == go:
            return 0.0
        t = self.index[arrival]
        hs = self.item_hs.get(item, "")
        best: tuple[int, int, int] | None = None
        rate = 0.0
        for r in self.duties:
            if r["item"] is not None:
                if r["item"] != item:
                    continue
                rank = (1, 0)
            else:
                prefix = _digits(r["hs_code"])
                if not prefix or not hs.startswith(prefix):
                    continue
                rank = (0, len(prefix))
            if r["origin_country"] is not None and r["origin_country"] != come:
                continue
            if (r["destination_country"] or self.domestic) != go:
                continue
            start = 0 if r["period_from"] is None else self.index[r["period_from"]]
            end = len(self.periods) - 1 if r["period_to"] is None else self.index[r["period_to"]]
            if not start <= t <= end:
                continue
            score = (*rank, int(r["origin_country"] is not None))
            if best is None or score > best:
                best, rate = score, float(r["rate"])
        return rate

    def trade_rule(
        self, origin: str, destination: str, item: str, arrival: str
    ) -> dict[str, Any] | None:
        """The trade rule (if any) that could make a flow preferential: from a plant in the
        rule's origin country (blank: domestic) to a market in its destination country,
        of its item or HS prefix, in force at arrival; the lowest preferential rate wins."""
        if self.site_kind.get(origin) != "plant" or self.site_kind.get(destination) != "market":
            return None
        t = self.index[arrival]
        hs = self.item_hs.get(item, "")
        found = None
        for r in self.trade_rules:
            if (r["origin_country"] or self.domestic) != self.site_country.get(origin):
                continue
            if r["destination_country"] != self.site_country.get(destination):
                continue
            if r["item"] is not None and r["item"] != item:
                continue
            if r["item"] is None and not hs.startswith(_digits(r["hs_code"])):
                continue
            start = 0 if r["period_from"] is None else self.index[r["period_from"]]
            end = len(self.periods) - 1 if r["period_to"] is None else self.index[r["period_to"]]
            if start <= t <= end and (
                found is None or r["preferential_rate"] < found["preferential_rate"]
            ):
                found = r
        return found

    def target_key(self, scope: str, period: str) -> tuple[str, str | None] | None:
        """Key of the targets row of a scope in a period: the period's row, else the blank row."""
        for key in ((scope, period), (scope, None)):
            if key in self.targets:
                return key
        return None

    def target(self, scope: str, period: str) -> float | None:
        """Absolute floor of a scope in a period (min_local_share of its targets row)."""
        key = self.target_key(scope, period)
        return None if key is None else self.targets[key]

    # -- network design ------------------------------------------------------------
    def first(self, option: dict[str, Any]) -> int:
        """Index of an option's first period (period_from; blank = the first)."""
        return 0 if option["period_from"] is None else self.index.get(option["period_from"], 0)

    def site_options(self) -> list[dict[str, Any]]:
        """Options of kind site (one per site; a second is a validation error and ignored)."""
        seen: set[str] = set()
        out = []
        for o in self.options:
            if o["kind"] == "site" and o["site"] is not None and o["site"] not in seen:
                seen.add(o["site"])
                out.append(o)
        return out

    def covered_items(self, name: str | None) -> set[str]:
        """Items a production contract covers: the item, or the items of the group."""
        return {i for i in self.item_kind if i == name or self.item_group.get(i) == name}


def _country(sites: list[dict[str, Any]], site: str) -> str | None:
    return next((r["country"] for r in sites if r["site"] == site), None)


# -- the written plan ---------------------------------------------------------------------
@dataclass
class WrittenPlan:
    """The plan files read back from disk: one list of row dicts per table, and the summary."""

    tables: dict[str, list[dict[str, Any]]]
    summary: dict[str, Any]
    missing: list[str]

    def __getitem__(self, name: str) -> list[dict[str, Any]]:
        return self.tables.get(name, [])


def read_plan(out_dir: str | Path) -> WrittenPlan:
    """Read ``<table>.csv`` and ``summary.json`` from ``out_dir``."""
    out = Path(out_dir)
    tables: dict[str, list[dict[str, Any]]] = {}
    missing = []
    for name, (labels, numbers) in {**PLAN_TABLES, **OPTIONAL_TABLES}.items():
        path = out / f"{name}.csv"
        if not path.exists():
            if name in OPTIONAL_TABLES:
                tables[name] = []
            else:
                missing.append(f"{name}.csv")
            continue
        text = {c: str for c in (*labels, *OPTIONAL_LABELS.get(name, ()))}
        frame = pd.read_csv(path, dtype=text, keep_default_na=False, na_values=[""])
        optional_numbers = OPTIONAL_NUMBERS.get(name, ())
        for c in (*OPTIONAL_LABELS.get(name, ()), *optional_numbers):
            if c not in frame.columns:
                frame[c] = None
        absent = [c for c in (*labels, *numbers) if c not in frame.columns]
        if absent:
            missing.append(f"{name}.csv columns {absent}")
            continue
        for c in (*numbers, *optional_numbers):
            frame[c] = pd.to_numeric(frame[c], errors="coerce")
        tables[name] = _records(frame)
    for name in OTHER_TABLES:
        if not (out / f"{name}.csv").exists():
            missing.append(f"{name}.csv")
    summary: dict[str, Any] = {}
    if (out / "summary.json").exists():
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    else:
        missing.append("summary.json")
    return WrittenPlan(tables=tables, summary=summary, missing=missing)


def _sum_by(rows: Iterable[dict[str, Any]], key: Callable[[dict[str, Any]], Hashable]) -> dict:
    out: dict[Hashable, float] = defaultdict(float)
    for r in rows:
        out[key(r)] += float(r["qty"])
    return dict(out)


# -- network design: the states the plan chose ----------------------------------------------
def site_states(inp: Inputs, plan: WrittenPlan) -> dict[str, list[bool]]:
    """Open state of each site option in each period: before its first period a candidate
    (existing 0) is closed and an existing site open; from it on, the written ``open``
    (a missing row counts as closed; :func:`check_sites` reports it)."""
    written = {(r["option"], r["period"]): (r["open"] or 0) > 0.5 for r in plan["options"]}
    out = {}
    for o in inp.site_options():
        first, start = inp.first(o), _flag(o["existing"])
        out[o["option"]] = [
            start if t < first else written.get((o["option"], p), False)
            for t, p in enumerate(inp.periods)
        ]
    return out


def site_open(inp: Inputs, plan: WrittenPlan) -> dict[tuple[str, str], bool]:
    """(site, period) -> open, for the sites with a site option."""
    states = site_states(inp, plan)
    return {
        (o["site"], p): states[o["option"]][t]
        for o in inp.site_options()
        for t, p in enumerate(inp.periods)
    }


def site_events(inp: Inputs, option: dict[str, Any], states: list[bool]) -> list[tuple[str, float]]:
    """(event, one-off cost) of a site option in each period from its first: ``opened`` at
    opening_cost when the state goes 0 -> 1, ``closed`` at closing_cost when 1 -> 0 (the
    state before the first period is ``existing``), else blank at 0."""
    out = []
    before = _flag(option["existing"])
    for t in range(inp.first(option), len(inp.periods)):
        now = states[t]
        if now and not before:
            out.append(("opened", _num(option["opening_cost"], 0.0) or 0.0))
        elif before and not now:
            out.append(("closed", _num(option["closing_cost"], 0.0) or 0.0))
        else:
            out.append(("", 0.0))
        before = now
    return out


def effective_demand(inp: Inputs, plan: WrittenPlan) -> dict[tuple[str, str, str], float]:
    """Demand qty of each (market, item, period), times the market's open state when the
    market has a site option (a channel has demand only in the periods it is open)."""
    is_open = site_open(inp, plan)
    return {
        (m, i, p): d["qty"] if is_open.get((m, p), True) else 0.0
        for (m, i, p), d in inp.demand.items()
    }


def channel_revenue(inp: Inputs, plan: WrittenPlan) -> float:
    """Potential revenue (price x qty) of the demand at markets with a site option in the
    periods from the option's first on in which it is open: the ``new_channel_revenue``
    category is minus this under the profit objective."""
    states = site_states(inp, plan)
    total = 0.0
    for o in inp.site_options():
        if inp.site_kind.get(o["site"]) != "market":
            continue
        for t in range(inp.first(o), len(inp.periods)):
            if states[o["option"]][t]:
                period = inp.periods[t]
                total += sum(
                    (d["price"] or 0.0) * d["qty"]
                    for (m, _, p), d in inp.demand.items()
                    if m == o["site"] and p == period
                )
    return total


def delivered_revenue(inp: Inputs, plan: WrittenPlan) -> float:
    """Revenue: price x units arriving at markets within the horizon (price of the demand
    row of the market, item and arrival period; none = 0)."""
    total = 0.0
    for r in plan["flows"]:
        if inp.site_kind.get(r["destination"]) != "market":
            continue
        d = inp.demand.get((r["destination"], r["item"], r["arrival_period"]))
        total += r["qty"] * ((d["price"] or 0.0) if d else 0.0)
    return total


def _base_share(row: dict[str, Any] | None) -> float:
    """A written local_content row's share, local / total (0 without a row or a value)."""
    if row is None:
        return 0.0
    total = row["total_value"] or 0.0
    return (row["local_value"] or 0.0) / total if total > tol(0) else 0.0


def requirement(
    inp: Inputs, written: dict[tuple[str, str], dict[str, Any]], scope: str, period: str
) -> tuple[float | None, float | None, float | None]:
    """(target, growth, base) of a scope in a period: target = max(min_local_share,
    (1 + growth) x base); the base is base_share when given, else the plan's own share of
    the scope in base_period (its written local_content row; none or an empty value = 0).
    A blank-period relative row does not apply in its own base period. growth and base
    are None where no relative target applies; target None where no target at all."""
    key = inp.target_key(scope, period)
    if key is None:
        return None, None, None
    floor = inp.targets[key]
    rel = inp.relative.get(key)
    if rel is None or (rel["base_share"] is None and rel["base_period"] in (None, period)):
        return floor, None, None
    growth = float(rel["growth"])
    base = rel["base_share"]
    if base is None:
        base = _base_share(written.get((scope, rel["base_period"])))
    need = (1.0 + growth) * base
    return (need if floor is None else max(floor, need)), growth, base


# -- the rules ------------------------------------------------------------------------------
def check_files(inp: Inputs, plan: WrittenPlan) -> list[str]:
    """Every plan file exists with its columns; the solve ended ok and optimal."""
    out = [f"files: missing {m}" for m in plan.missing]
    s = plan.summary
    if s and (s.get("status") != "ok" or s.get("termination_condition") != "optimal"):
        out.append(
            f"summary: status {s.get('status')!r}, termination {s.get('termination_condition')!r}"
        )
    if s and not isinstance(s.get("objective"), int | float):
        out.append(f"summary: objective {s.get('objective')!r} is not a number")
    return out


def check_rows(inp: Inputs, plan: WrittenPlan) -> list[str]:
    """Each row names known periods, has qty >= 0, and matches the input row it stands for.

    Purchases match a supply offer (price, local_content) and are ready within
    the horizon; production matches a production row (cost); flows match a lane
    (unit_cost, arrival_period = period + lead time); inventory lies at a
    supplier, plant or warehouse (holding_cost = items.holding_cost); unmet
    lies at a market (penalty = demand.penalty).
    """
    out: list[str] = []
    T = len(inp.periods)

    def close(a: Any, b: float | None) -> bool:
        if b is None:
            return blank(a)
        return not blank(a) and abs(float(a) - b) <= tol(abs(b))

    for name in ("purchases", "production", "flows", "inventory", "unmet"):
        for r in plan[name]:
            if r["period"] not in inp.index:
                out.append(f"{name}: unknown period in {r}")
            if blank(r["qty"]) or r["qty"] < -tol(0):
                out.append(f"{name}: quantity not a number >= 0 in {r}")
    for r in plan["purchases"]:
        offer = inp.offers.get((r["supplier"], r["item"]))
        where = f"purchase of {r['item']} from {r['supplier']} in {r['period']}"
        if offer is None:
            out.append(f"purchases: {where} matches no supply offer")
            continue
        if not close(r["price"], offer["price"]):
            out.append(f"purchases: {where} has price {r['price']}, offer {offer['price']}")
        if not close(r["local_content"], offer["local"]):
            out.append(
                f"purchases: {where} has local_content {r['local_content']}, offer {offer['local']}"
            )
        if r["period"] in inp.index and inp.index[r["period"]] + offer["lead"] >= T:
            out.append(f"purchases: {where} is ready after the horizon (lead {offer['lead']})")
    for r in plan["production"]:
        row = inp.making.get((r["plant"], r["item"]))
        where = f"production of {r['item']} at {r['plant']} in {r['period']}"
        if row is None or inp.site_kind.get(r["plant"]) != "plant":
            out.append(f"production: {where} matches no production row")
        elif not close(r["cost"], row["cost"]):
            out.append(f"production: {where} has cost {r['cost']}, input {row['cost']}")
    for r in plan["flows"]:
        where = (
            f"flow of {r['item']} {r['origin']}->{r['destination']} by {r['mode']} "
            f"leaving {r['period']}"
        )
        key = inp.lane(r["origin"], r["destination"], r["mode"], r["item"])
        if key is None:
            out.append(f"flows: {where} matches no lane")
            continue
        lane = inp.lanes[key]
        if not close(r["unit_cost"], lane["cost"]):
            out.append(f"flows: {where} has unit_cost {r['unit_cost']}, lane {lane['cost']}")
        if r["period"] in inp.index:
            arrival = inp.index[r["period"]] + lane["lead"]
            if arrival >= T:
                out.append(f"flows: {where} arrives after the horizon")
            elif r["arrival_period"] != inp.periods[arrival]:
                out.append(
                    f"flows: {where} has arrival_period {r['arrival_period']}, "
                    f"expected {inp.periods[arrival]}"
                )
        if inp.site_kind.get(r["origin"]) == "market":
            out.append(f"flows: {where} leaves a market")
    for r in plan["inventory"]:
        where = f"stock of {r['item']} at {r['site']} end of {r['period']}"
        if inp.site_kind.get(r["site"]) not in STOCK_KINDS:
            out.append(f"inventory: {where} at a site of kind {inp.site_kind.get(r['site'])}")
        if not close(r["holding_cost"], inp.item_holding.get(r["item"], 0.0)):
            out.append(
                f"inventory: {where} has holding_cost {r['holding_cost']}, "
                f"item {inp.item_holding.get(r['item'])}"
            )
    for r in plan["unmet"]:
        where = f"unmet {r['item']} at {r['market']} in {r['period']}"
        if inp.site_kind.get(r["market"]) != "market":
            out.append(f"unmet: {where} is not at a market")
        d = inp.demand.get((r["market"], r["item"], r["period"]))
        penalty = None if d is None else d["penalty"]
        if r["qty"] and r["qty"] > tol(0) and not close(r["penalty"], penalty):
            out.append(f"unmet: {where} has penalty {r['penalty']}, demand {penalty}")
    for name, key_columns in (
        ("purchases", ("supplier", "item", "period")),
        ("production", ("plant", "item", "period")),
        ("flows", ("origin", "destination", "item", "mode", "period")),
        ("inventory", ("site", "item", "period")),
        ("unmet", ("market", "item", "period")),
    ):
        seen: set[tuple[Any, ...]] = set()
        for r in plan[name]:
            k = tuple(r[c] for c in key_columns)
            if k in seen:
                out.append(f"{name}: two rows for {k}")
            seen.add(k)
    return out


def check_balances(inp: Inputs, plan: WrittenPlan) -> list[str]:
    """Material balance of every (site, item, period) at suppliers, plants and warehouses.

    ready purchases + arrivals + production - BOM consumption - departures
    - stock[t] + stock[t-1] = 0, with stock[-1] = 0 and stock >= 0.
    """
    terms: dict[tuple[str, str, int], list[float]] = defaultdict(list)

    def add(site: str, item: str, period: Any, qty: float) -> None:
        if period in inp.index:
            terms[(site, item, inp.index[period])].append(qty)

    for r in plan["purchases"]:
        offer = inp.offers.get((r["supplier"], r["item"]))
        t = inp.index.get(r["period"])
        if offer is not None and t is not None and t + offer["lead"] < len(inp.periods):
            add(r["supplier"], r["item"], inp.periods[t + offer["lead"]], r["qty"])
    for r in plan["flows"]:
        add(r["origin"], r["item"], r["period"], -r["qty"])
        add(r["destination"], r["item"], r["arrival_period"], r["qty"])
    for r in plan["production"]:
        add(r["plant"], r["item"], r["period"], r["qty"])
        for child, per in inp.effective_bom(r["plant"], r["item"]):
            add(r["plant"], child, r["period"], -per * r["qty"])
    stock: dict[tuple[str, str, int], float] = defaultdict(float)
    for r in plan["inventory"]:
        if r["period"] in inp.index:
            stock[(r["site"], r["item"], inp.index[r["period"]])] += r["qty"]
    for (site, item, t), qty in list(stock.items()):
        terms[(site, item, t)].append(-qty)
        if t + 1 < len(inp.periods):
            terms[(site, item, t + 1)].append(qty)
    out = []
    for (site, item, t), values in sorted(terms.items()):
        if inp.site_kind.get(site) not in STOCK_KINDS:
            continue
        net = sum(values)
        if abs(net) > tol(sum(abs(v) for v in values)):
            out.append(
                f"balance: site {site} item {item} period {inp.periods[t]}: "
                f"in - out - stock change = {net:.6g}, not 0"
            )
    for key, qty in stock.items():
        if qty < -tol(qty):
            out.append(f"balance: negative stock {qty:.6g} of {key[1]} at {key[0]}")
    return out


def check_markets(inp: Inputs, plan: WrittenPlan) -> list[str]:
    """Each (market, item, period): arrivals + unmet = demand; 0 <= unmet <= demand; unmet = 0
    where the demand has no penalty (must be delivered) under the cost objective (under
    profit all demand is optional). The demand of a market with a site option counts only
    in the periods it is open (qty x open)."""
    demand = effective_demand(inp, plan)
    arrivals = _sum_by(
        (r for r in plan["flows"] if inp.site_kind.get(r["destination"]) == "market"),
        lambda r: (r["destination"], r["item"], r["arrival_period"]),
    )
    unmet = _sum_by(plan["unmet"], lambda r: (r["market"], r["item"], r["period"]))
    out = []
    for key in sorted(set(arrivals) | set(unmet) | set(inp.demand)):
        d = inp.demand.get(key)
        qty = demand.get(key, 0.0)
        got, short = arrivals.get(key, 0.0), unmet.get(key, 0.0)
        where = f"market {key[0]} item {key[1]} period {key[2]}"
        if abs(got + short - qty) > tol(got + short + qty):
            out.append(f"markets: {where}: arrivals {got:.6g} + unmet {short:.6g} != {qty:.6g}")
        if short > qty + tol(qty):
            out.append(f"markets: {where}: unmet {short:.6g} exceeds demand {qty:.6g}")
        hard = d is not None and d["penalty"] is None and inp.objective != "profit"
        if hard and short > tol(qty):
            out.append(f"markets: {where}: unmet {short:.6g} but the demand must be delivered")
    return out


def check_capacities(inp: Inputs, plan: WrittenPlan) -> list[str]:
    """Supply offers, lanes and sites' storage within their capacity (blank = unlimited).

    A site with a site option has, from the option's first period on, the option's
    storage instead (checked by :func:`check_sites`)."""
    out = []
    bought = _sum_by(plan["purchases"], lambda r: (r["supplier"], r["item"], r["period"]))
    for (supplier, item, period), qty in sorted(bought.items()):
        offer = inp.offers.get((supplier, item))
        cap = None if offer is None else offer["capacity"]
        if cap is not None and qty > cap + tol(cap):
            out.append(f"capacity: {supplier} sells {qty:.6g} of {item} in {period} > {cap:.6g}")
    shipped = _sum_by(
        plan["flows"],
        lambda r: (inp.lane(r["origin"], r["destination"], r["mode"], r["item"]), r["period"]),
    )
    for (key, period), qty in shipped.items():
        cap = None if key is None else inp.lanes[key]["capacity"]
        if cap is not None and qty > cap + tol(cap):
            out.append(f"capacity: lane {key} carries {qty:.6g} in {period} > {cap:.6g}")
    held = _sum_by(plan["inventory"], lambda r: (r["site"], r["period"]))
    own = {o["site"]: inp.first(o) for o in inp.site_options()}
    for (site, period), qty in sorted(held.items()):
        if site in own and inp.index.get(period, -1) >= own[site]:
            continue
        cap = inp.storage.get(site)
        if cap is not None and qty > cap + tol(cap):
            out.append(f"capacity: {site} stores {qty:.6g} at the end of {period} > {cap:.6g}")
    return out


def check_resources(inp: Inputs, plan: WrittenPlan) -> list[str]:
    """Load of each (plant, resource, period) = sum of usage * qty made <= its capacity."""
    load: dict[tuple[str, str, str], float] = defaultdict(float)
    for r in plan["production"]:
        row = inp.making.get((r["plant"], r["item"]))
        if row is not None and row["resource"] is not None:
            load[(r["plant"], row["resource"], r["period"])] += row["usage"] * r["qty"]
    out = []
    opened = open_options(plan)
    for (plant, resource, period), used in sorted(load.items()):
        cap = inp.capacity(plant, resource, period) + sum(
            float(o["capacity"] or 0.0)
            for o in inp.options
            if o["kind"] == "line"
            and (o["plant"], o["resource"]) == (plant, resource)
            and (o["option"], period) in opened
        )
        if used > cap + tol(cap + used):
            out.append(f"resources: {plant}/{resource} loaded {used:.6g} in {period} > {cap:.6g}")
    return out


def check_duties(inp: Inputs, plan: WrittenPlan) -> list[str]:
    """Each flow's duty_rate (at arrival), customs value and duty = qty * rate * value.

    A purchases row's duty is the duty on its supplier's shipments of the item
    leaving in the row's period.
    """
    out = []
    leaving: dict[tuple[str, str, str], float] = defaultdict(float)
    for r in plan["flows"]:
        if r["arrival_period"] not in inp.index:
            continue
        where = f"flow of {r['item']} {r['origin']}->{r['destination']} leaving {r['period']}"
        rate = inp.duty_rate(r["origin"], r["destination"], r["item"], r["arrival_period"])
        value = inp.customs_value(r["origin"], r["item"])
        if blank(r["duty_rate"]) or abs(r["duty_rate"] - rate) > 1e-9:
            out.append(f"duties: {where} has duty_rate {r['duty_rate']}, expected {rate}")
        if blank(r["value"]) or abs(r["value"] - value) > tol(value):
            out.append(f"duties: {where} has value {r['value']}, expected {value:.10g}")
        preferred = 0.0 if blank(r["preferential_qty"]) else r["preferential_qty"]
        saving = 0.0
        if preferred > tol(r["qty"]):
            rule = inp.trade_rule(r["origin"], r["destination"], r["item"], r["arrival_period"])
            if rule is None:
                out.append(
                    f"duties: {where} ships {preferred:.6g} at a preferential rate no "
                    "trade rule grants"
                )
            else:
                saving = max(rate - float(rule["preferential_rate"]), 0.0) * value
            if preferred > r["qty"] + tol(r["qty"]):
                out.append(f"duties: {where} has more preferential units than units")
        duty = r["qty"] * rate * value - preferred * saving
        leaving[(r["origin"], r["item"], r["period"])] += duty
        if blank(r["duty"]) or abs(r["duty"] - duty) > tol(duty):
            out.append(f"duties: {where} has duty {r['duty']}, expected {duty:.10g}")
    for r in plan["purchases"]:
        duty = leaving.get((r["supplier"], r["item"], r["period"]), 0.0)
        if blank(r["duty"]) or abs(r["duty"] - duty) > tol(duty):
            out.append(
                f"duties: purchase of {r['item']} from {r['supplier']} in {r['period']} has "
                f"duty {r['duty']}, its shipments leaving then pay {duty:.10g}"
            )
    return out


def supplier_receipts(inp: Inputs, plan: WrittenPlan) -> list[dict[str, Any]]:
    """Flows from suppliers: supplier, item, destination, arrival index, qty, value, local value."""
    out = []
    for r in plan["flows"]:
        if inp.site_kind.get(r["origin"]) != "supplier" or r["arrival_period"] not in inp.index:
            continue
        offer = inp.offers.get((r["origin"], r["item"]))
        value = r["qty"] * inp.customs_value(r["origin"], r["item"])
        local = 0.0 if offer is None else value * offer["local"]
        out.append(
            {
                "supplier": r["origin"],
                "item": r["item"],
                "destination": r["destination"],
                "t": inp.index[r["arrival_period"]],
                "qty": r["qty"],
                "value": value,
                "local": local,
            }
        )
    return out


def consumption(inp: Inputs, plan: WrittenPlan) -> dict[tuple[str, str, int], float]:
    """Units of each item consumed at each plant in each period by the effective BOMs."""
    out: dict[tuple[str, str, int], float] = defaultdict(float)
    for r in plan["production"]:
        if r["period"] in inp.index:
            for child, per in inp.effective_bom(r["plant"], r["item"]):
                out[(r["plant"], child, inp.index[r["period"]])] += per * r["qty"]
    return dict(out)


def direct_offers(inp: Inputs, plant: str, item: str) -> list[tuple[str, str]]:
    """Offers of ``item`` whose supplier has a lane to ``plant`` carrying it."""
    return [
        (s, i)
        for (s, i) in inp.offers
        if i == item
        and any(o == s and d == plant and (li is None or li == item) for (o, d, _, li) in inp.lanes)
    ]


def _in_scope(scope: str, plant: str) -> bool:
    return scope == "network" or scope == plant


def attribution_exists(
    inp: Inputs,
    plan: WrittenPlan,
    targets: list[tuple[str, int, float]],
    written: list[tuple[str, int, float, float]],
) -> bool:
    """Whether consumed components can be attributed to offers so the targets hold.

    The consumed basis of network and plant targets: every unit of an item
    consumed at a plant from which some supplier offering it has a lane is
    attributed to such offers (``x >= 0``, summing to the consumption); up to
    each period, what is attributed to an offer at a plant never exceeds what
    that offer's supplier delivered there. A target ``(scope, t, s)`` needs
    ``sum price * (local_content - s) * x >= 0`` over the scope's plants in
    ``t``; a written row ``(scope, t, local, total)`` needs ``sum price * x =
    total`` and ``sum price * local_content * x = local``. Solved as a
    feasibility LP with SciPy (HiGHS), independently of the engine's model.
    """
    from scipy.optimize import linprog
    from scipy.sparse import lil_matrix

    used = consumption(inp, plan)
    arrived: dict[tuple[str, str, str, int], float] = defaultdict(float)
    for r in supplier_receipts(inp, plan):
        arrived[(r["destination"], r["supplier"], r["item"], r["t"])] += r["qty"]
    columns: list[tuple[str, str, tuple[str, str], int]] = []
    demand_rows: list[tuple[list[int], float]] = []
    for (plant, item, t), qty in sorted(used.items()):
        offers = direct_offers(inp, plant, item)
        if not offers or qty <= 0:
            continue
        first = len(columns)
        columns += [(plant, item, o, t) for o in offers]
        demand_rows.append((list(range(first, len(columns))), qty))
    price = [inp.offers[o]["price"] for (_, _, o, _) in columns]
    local = [inp.offers[o]["local"] for (_, _, o, _) in columns]
    ub: list[tuple[dict[int, float], float]] = []
    links = {(p, o) for (p, _, o, _) in columns}
    for plant, offer in sorted(links):
        for t in range(len(inp.periods)):
            cols = {
                j: 1.0
                for j, (p, _, o, tau) in enumerate(columns)
                if p == plant and o == offer and tau <= t
            }
            got = sum(arrived.get((plant, *offer, tau), 0.0) for tau in range(t + 1))
            ub.append((cols, got + tol(got)))
    for scope, t, share in targets:
        cols = {
            j: -price[j] * (local[j] - share)
            for j, (p, _, _, tau) in enumerate(columns)
            if tau == t and _in_scope(scope, p)
        }
        scale = sum(price[j] * used[(columns[j][0], columns[j][1], t)] for j in cols)
        ub.append((cols, tol(scale)))
    for scope, t, local_value, total_value in written:
        members = [
            j for j, (p, _, _, tau) in enumerate(columns) if tau == t and _in_scope(scope, p)
        ]
        for coef, value in (
            (price, total_value),
            ([p * q for p, q in zip(price, local, strict=True)], local_value),
        ):
            ub.append(({j: coef[j] for j in members}, value + tol(value)))
            ub.append(({j: -coef[j] for j in members}, -value + tol(value)))
    if not columns:
        return all(b >= 0 for _, b in ub)
    a_ub = lil_matrix((len(ub), len(columns)))
    for i, (cols, _) in enumerate(ub):
        for j, v in cols.items():
            a_ub[i, j] = v
    a_eq = lil_matrix((len(demand_rows), len(columns)))
    for i, (cols_eq, _) in enumerate(demand_rows):
        for j in cols_eq:
            a_eq[i, j] = 1.0
    result = linprog(
        c=[0.0] * len(columns),
        A_ub=a_ub.tocsr() if ub else None,
        b_ub=[b for _, b in ub] if ub else None,
        A_eq=a_eq.tocsr(),
        b_eq=[q for _, q in demand_rows],
        bounds=(0, None),
        method="highs",
    )
    return bool(result.status == 0)


#: Bases of the local_content table's rows that the checker knows (others, such as the
#: domestic value addition ``dva`` per plant and product, are not checked).
TARGET_BASES = (None, "received", "consumed")


def local_content_rows(plan: WrittenPlan) -> list[dict[str, Any]]:
    """The local_content rows measuring targets (basis received or consumed, or none)."""
    return [r for r in plan["local_content"] if r["basis"] in TARGET_BASES]


def _same_share(got: Any, want: float | None) -> bool:
    """A written share against the expected one (None: blank expected; blank and 0 agree)."""
    got_value = 0.0 if blank(got) else float(got)
    if want is None:
        return abs(got_value) <= 1e-9
    if blank(got):
        return abs(want) <= 1e-9
    return abs(got_value - want) <= 1e-6


def check_local_content_rows(inp: Inputs, plan: WrittenPlan) -> list[str]:
    """Each local_content row: share = local / total, local <= total, target = the input's
    requirement (:func:`requirement`: max of the floor and (1 + growth) x base), growth
    and base_share = the relative target's (blank without one)."""
    out = []
    written = {(r["scope"], r["period"]): r for r in local_content_rows(plan)}
    for r in local_content_rows(plan):
        where = f"local_content {r['scope']} {r['period']}"
        if r["period"] not in inp.index:
            out.append(f"targets: {where}: unknown period")
            continue
        local, total = r["local_value"] or 0.0, r["total_value"] or 0.0
        if local > total + tol(total) or local < -tol(total):
            out.append(f"targets: {where}: local_value {local:.10g} not in [0, {total:.10g}]")
        if total > tol(0) and (blank(r["share"]) or abs(r["share"] - local / total) > 1e-6):
            out.append(f"targets: {where}: share {r['share']} != {local:.10g} / {total:.10g}")
        want, growth, base = requirement(inp, written, r["scope"], r["period"])
        close = 1e-9 if growth is None else 1e-6
        if (want is None) != blank(r["target"]) or (
            want is not None and abs(r["target"] - want) > close
        ):
            out.append(f"targets: {where}: target {r['target']}, input {want}")
        for column, value in (("growth", growth), ("base_share", base)):
            got = r.get(column)
            if not _same_share(got, value):
                out.append(f"targets: {where}: {column} {got}, expected {value}")
    return out


def check_targets(inp: Inputs, plan: WrittenPlan) -> list[str]:
    """Local-content targets at network, plant and product scope.

    The ``basis`` column of the local_content table says what is measured.

    ``received`` (or no basis): the value of deliveries from suppliers
    arriving in the period (qty * offer price), local part weighted by the
    offer's local_content; network scope counts all of them, a plant those
    arriving there. Local value >= share * value, and the table's network and
    plant rows equal these sums.

    ``consumed``: some attribution of the components consumed at plants to the
    offers delivered there meets every network and plant target and
    reproduces the table's network and plant rows (:func:`attribution_exists`).

    Product scope (either basis, kept light): the table's row meets the target
    and its total_value is at most the value of all supplier deliveries so far
    to the plants making the product.

    A relative target needs max(floor, (1 + growth) x base) (:func:`requirement`);
    a base from the plan is the share of the scope's written row in the base
    period, which the same rules check (received: the receipts' sums; consumed:
    the same attribution as the pledge's period, jointly).
    """
    out = check_local_content_rows(inp, plan)
    receipts = supplier_receipts(inp, plan)
    rows = local_content_rows(plan)
    written = {(r["scope"], r["period"]): r for r in rows}
    consumed = any(r["basis"] == "consumed" for r in rows)
    scopes = {s for s, _ in inp.targets} | {s for s, _ in written}
    kinds = {
        s: "network" if s == "network" else inp.site_kind.get(s) or inp.item_kind.get(s, "?")
        for s in scopes
    }
    lp_targets: list[tuple[str, int, float]] = []
    lp_written: list[tuple[str, int, float, float]] = []
    for scope in sorted(scopes):
        kind = kinds[scope]
        for t, period in enumerate(inp.periods):
            share = requirement(inp, written, scope, period)[0]
            row = written.get((scope, period))
            if kind == "product":
                if share is not None:
                    out += _check_product_target(inp, plan, receipts, scope, t, share, row)
                continue
            if kind not in ("network", "plant"):
                out.append(f"targets: scope {scope} is neither the network, a plant nor a product")
                break
            if consumed:
                if share is not None:
                    lp_targets.append((scope, t, share))
                if row is not None:
                    lp_written.append(
                        (scope, t, row["local_value"] or 0.0, row["total_value"] or 0.0)
                    )
                continue
            mine = [r for r in receipts if r["t"] == t and _in_scope(scope, r["destination"])]
            total = sum(r["value"] for r in mine)
            local = sum(r["local"] for r in mine)
            if share is not None and local < share * total - tol(total):
                out.append(
                    f"targets: {scope} {period}: local value {local:.6g} < {share} * {total:.6g}"
                )
            if row is not None:
                for column, value in (("local_value", local), ("total_value", total)):
                    got = row[column] or 0.0
                    if abs(got - value) > tol(value):
                        out.append(
                            f"targets: local_content {scope} {period} {column} {got:.10g}, "
                            f"receipts give {value:.10g}"
                        )
    if consumed and (lp_targets or lp_written):
        if not attribution_exists(inp, plan, lp_targets, []):
            out.append(
                "targets: no attribution of consumed components to delivered offers meets the "
                f"network and plant targets {lp_targets}"
            )
        elif not attribution_exists(inp, plan, lp_targets, lp_written):
            out.append(
                "targets: the local_content table's network and plant rows match no attribution "
                "of consumed components to delivered offers that meets the targets"
            )
    return out


def _check_product_target(
    inp: Inputs,
    plan: WrittenPlan,
    receipts: list[dict[str, Any]],
    product: str,
    t: int,
    share: float,
    row: dict[str, Any] | None,
) -> list[str]:
    period = inp.periods[t]
    makers = {p for p, i in inp.making if i == product}
    made = any(
        r["item"] == product and inp.index.get(r["period"], t + 1) <= t for r in plan["production"]
    )
    if row is None:
        return [f"targets: no local_content row for product {product} {period}"] if made else []
    out = []
    total = row["total_value"] or 0.0
    if total > tol(total) and (blank(row["share"]) or row["share"] < share - 1e-6):
        out.append(f"targets: product {product} {period}: share {row['share']} < {share}")
    so_far = sum(r["value"] for r in receipts if r["destination"] in makers and r["t"] <= t)
    if total > so_far + tol(so_far):
        out.append(
            f"targets: product {product} {period}: total_value {total:.6g} exceeds the "
            f"supplier deliveries so far to its plants {so_far:.6g}"
        )
    return out


def open_options(plan: WrittenPlan) -> set[tuple[str, str]]:
    """(option, period) pairs the plan opened (line, contract, min_qty, site; the period is
    ``all`` for single_source and market_source rows)."""
    return {(r["option"], r["period"]) for r in plan["options"] if (r["open"] or 0) > 0.5}


def incentive_outcomes(inp: Inputs, plan: WrittenPlan) -> list[tuple[str, str, float, float]]:
    """(scheme, period, incremental sales, payout) recomputed from the input and the plan:
    eligible sales are deliveries of the scheme's items (item or group) at a price of at
    least min_unit_price; the payout is rate x incremental (at most the cap) if the plan
    says the scheme qualified, else 0."""
    unmet = _sum_by(plan["unmet"], lambda r: (r["market"], r["item"], r["period"]))
    demand = effective_demand(inp, plan)
    qualified = {
        (r["name"], r["period"]): str(r["qualified"]).lower() == "true"
        for r in plan["policy"]
        if r["policy"] == "incentive"
    }
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for r in sorted(inp.incentives, key=lambda r: r["period"] is not None):
        periods = inp.periods if r["period"] is None else [r["period"]]
        for period in periods:
            rows[(r["scheme"], period)] = r
    out = []
    for (scheme, period), r in rows.items():
        sales = 0.0
        for (market, item, p), d in inp.demand.items():
            if p != period or (d["price"] or 0.0) < float(r["min_unit_price"] or 0.0):
                continue
            if item != r["item"] and inp.item_group.get(item) != r["item"]:
                continue
            qty = demand.get((market, item, p), 0.0)
            sales += (d["price"] or 0.0) * (qty - unmet.get((market, item, p), 0.0))
        incremental = sales - float(r["base_sales"] or 0.0)
        payout = 0.0
        if qualified.get((scheme, period), False):
            payout = float(r["rate"]) * incremental
            if r["cap"] is not None:
                payout = min(payout, float(r["cap"]))
        out.append((scheme, period, incremental, payout))
    return out


def check_options(inp: Inputs, plan: WrittenPlan) -> list[str]:
    """Contracts: an offer is bought from only in periods its contract is open; minimums:
    0 or at least min_qty; single sourcing: one supplier per (plant, item) over the
    horizon; every option row written only in periods the option exists. Production
    contracts (:func:`check_production_contracts`) and single-sourced markets
    (:func:`check_market_sources`) are part of this rule."""
    out = []
    opened = open_options(plan)
    bought = _sum_by(plan["purchases"], lambda r: (r["supplier"], r["item"], r["period"]))
    made = _sum_by(plan["production"], lambda r: (r["plant"], r["item"], r["period"]))
    for o in inp.options:
        first = 0 if o["period_from"] is None else inp.index[o["period_from"]]
        last = len(inp.periods) - 1 if o["period_to"] is None else inp.index[o["period_to"]]
        for t, period in enumerate(inp.periods):
            is_open = (o["option"], period) in opened
            if is_open and not first <= t <= last:
                out.append(f"options: {o['option']} open in {period}, outside its periods")
            if o["kind"] == "contract":
                qty = bought.get((o["supplier"], o["item"], period), 0.0)
                if qty > tol(qty) and not is_open:
                    out.append(
                        f"options: {qty:.6g} {o['item']} bought from {o['supplier']} in "
                        f"{period} without its contract {o['option']} open"
                    )
            if o["kind"] == "min_qty":
                if o["supplier"] is not None:
                    qty = bought.get((o["supplier"], o["item"], period), 0.0)
                else:
                    qty = made.get((o["plant"], o["item"], period), 0.0)
                minimum = float(o["min_qty"] or 0.0)
                if tol(minimum) < qty < minimum - tol(minimum):
                    out.append(
                        f"options: {o['option']} moves {qty:.6g} in {period}, between 0 "
                        f"and its minimum {minimum:.6g}"
                    )
        if o["kind"] == "single_source":
            suppliers = {
                r["origin"]
                for r in plan["flows"]
                if r["destination"] == o["plant"]
                and r["item"] == o["item"]
                and inp.site_kind.get(r["origin"]) == "supplier"
                and r["qty"] > 1e-7
            }
            if len(suppliers) > 1:
                out.append(
                    f"options: {o['option']}: {o['item']} reaches {o['plant']} from "
                    f"{sorted(suppliers)}, more than one source"
                )
    return out + check_production_contracts(inp, plan) + check_market_sources(inp, plan)


def check_production_contracts(inp: Inputs, plan: WrittenPlan) -> list[str]:
    """Production contracts (kind contract naming a plant; item = an item or an item group):
    the plant makes the covered items only in periods the contract is open; when open,
    the total made of them is at least min_qty (if given); each production row of a
    covered item at most the contract's capacity (if given); the contract's options rows
    name the plant in ``site``."""
    out = []
    opened = open_options(plan)
    for o in inp.options:
        if o["kind"] != "contract" or o["plant"] is None:
            continue
        name, plant = o["option"], o["plant"]
        items = inp.covered_items(o["item"])
        rows = [r for r in plan["production"] if r["plant"] == plant and r["item"] in items]
        cap = _num(o["capacity"])
        minimum = _num(o["min_qty"])
        for period in inp.periods:
            is_open = (name, period) in opened
            mine = [r for r in rows if r["period"] == period]
            made = sum(r["qty"] for r in mine)
            if not is_open and made > tol(0):
                out.append(
                    f"options: {made:.6g} of {o['item']} made at {plant} in {period} without "
                    f"its production contract {name} open"
                )
            if is_open and minimum is not None and made < minimum - tol(minimum):
                out.append(
                    f"options: production contract {name} open in {period}: {plant} makes "
                    f"{made:.6g} of {o['item']} < min_qty {minimum:.6g}"
                )
            for r in mine:
                if cap is not None and r["qty"] > cap + tol(cap):
                    out.append(
                        f"options: production contract {name}: {plant} makes {r['qty']:.6g} "
                        f"{r['item']} in {period} > capacity {cap:.6g}"
                    )
        for r in plan["options"]:
            if r["option"] == name and r.get("site") != plant:
                out.append(
                    f"options: production contract {name} row {r['period']} names site "
                    f"{r.get('site')}, not its plant {plant}"
                )
    return out


def check_market_sources(inp: Inputs, plan: WrittenPlan) -> list[str]:
    """Single-sourced markets (kind market_source; market blank = every market, item blank
    = every item the market demands): per (option, market) the origins of the positive
    flows of covered items into the market over the horizon are at most one site, and
    that site is the ``origin`` of the option's row whose ``site`` is the market (one
    row per market, open 1)."""
    out = []
    for o in inp.options:
        if o["kind"] != "market_source":
            continue
        name = o["option"]
        markets = (
            [o["market"]]
            if o["market"] is not None
            else sorted(s for s, k in inp.site_kind.items() if k == "market")
        )
        written: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
        for r in plan["options"]:
            if r["option"] == name:
                written[r.get("site")].append(r)
        for site in sorted(set(written) - set(markets), key=str):
            out.append(
                f"options: market_source {name} has a row for {site}, not a market it covers"
            )
        for m in markets:
            if o["item"] is not None:
                items = {o["item"]}
            else:
                items = {i for (market, i, _) in inp.demand if market == m}
            origins = {
                r["origin"]
                for r in plan["flows"]
                if r["destination"] == m and r["item"] in items and r["qty"] > tol(0)
            }
            rows = written.get(m, [])
            if len(rows) > 1:
                out.append(f"options: market_source {name} has {len(rows)} rows for {m}")
            if len(origins) > 1:
                out.append(
                    f"options: market_source {name}: {m} receives {sorted(items)} from "
                    f"{sorted(origins)}, more than one origin"
                )
            elif origins:
                (origin,) = origins
                if not rows:
                    out.append(f"options: market_source {name}: no row names {m}'s origin {origin}")
                elif rows[0].get("origin") != origin or (rows[0]["open"] or 0) < 0.5:
                    out.append(
                        f"options: market_source {name}: {m} is served from {origin}, its "
                        f"row says origin {rows[0].get('origin')} (open {rows[0]['open']})"
                    )
    return out


def check_sites(inp: Inputs, plan: WrittenPlan) -> list[str]:
    """Site options (kind site: a candidate, existing 0, or an existing site, existing 1).

    1. In a period its site is closed (before period_from: a candidate closed, an existing
       site open; from it: the written ``open``), nothing is made at a plant, nothing
       arrives at, leaves or is held at a plant or warehouse, nothing arrives at a market.
    2. In an open period from period_from on: units made at a plant, dispatched from a
       warehouse (by departure) or delivered to a market (by arrival) <= capacity (blank =
       unlimited); the stock at the site <= storage_capacity (blank = the site's own).
    3. A non-closable option moves once, away from its start: a candidate once open stays
       open, an existing site once closed stays closed.
    4. One row per period from period_from on (none before), naming the site, supplier
       blank, with event and one_off_cost as :func:`site_events` recomputes them.
    """
    out = []
    states = site_states(inp, plan)
    made = _sum_by(plan["production"], lambda r: (r["plant"], r["period"]))
    arriving = _sum_by(plan["flows"], lambda r: (r["destination"], r["arrival_period"]))
    leaving = _sum_by(plan["flows"], lambda r: (r["origin"], r["period"]))
    held = _sum_by(plan["inventory"], lambda r: (r["site"], r["period"]))
    for o in inp.site_options():
        name, site = o["option"], o["site"]
        kind = inp.site_kind.get(site)
        first = inp.first(o)
        state = states[name]
        where = f"site option {name} ({kind} {site})"
        rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in plan["options"]:
            if r["option"] == name:
                rows[r["period"]].append(r)
        for period in sorted(set(rows) - set(inp.periods[first:]), key=str):
            out.append(f"sites: {where} has a row for {period}, before its first period or unknown")
        # 1 and 2: what happens at the site
        if kind in ("plant", "warehouse"):
            moves = (("made", made), ("arriving", arriving), ("leaving", leaving), ("held", held))
        elif kind == "market":
            moves = (("arriving", arriving),)
        else:
            moves = ()
        storage = _num(o["storage_capacity"])
        if storage is None:
            storage = inp.storage.get(site)
        cap = _num(o["capacity"])
        throughput = {"plant": made, "warehouse": leaving, "market": arriving}.get(kind)
        for t, period in enumerate(inp.periods):
            if not state[t]:
                for what, table in moves:
                    qty = table.get((site, period), 0.0)
                    if qty > tol(0):
                        out.append(f"sites: {where} closed in {period} but {qty:.6g} units {what}")
                continue
            if t < first:
                continue
            if cap is not None and throughput is not None:
                qty = throughput.get((site, period), 0.0)
                if qty > cap + tol(cap):
                    out.append(
                        f"sites: {where} has throughput {qty:.6g} in {period} > capacity {cap:.6g}"
                    )
            stock = held.get((site, period), 0.0)
            if kind != "market" and storage is not None and stock > storage + tol(storage):
                out.append(
                    f"sites: {where} stores {stock:.6g} at the end of {period} > {storage:.6g}"
                )
        # 3: direction
        if not _flag(o["closable"]):
            start = _flag(o["existing"])
            for t in range(first + 1, len(inp.periods)):
                if state[t] != state[t - 1] and state[t] == start:
                    out.append(
                        f"sites: {where} is not closable but "
                        f"{'closes again' if start is False else 'reopens'} in {inp.periods[t]}"
                        " (direction)"
                    )
        # 4: rows, events and one-off costs
        for t, (event, cost) in enumerate(site_events(inp, o, state), start=first):
            period = inp.periods[t]
            found = rows.get(period, [])
            if len(found) != 1:
                out.append(f"sites: {where} has {len(found)} rows for {period}, expected 1")
                continue
            r = found[0]
            if r.get("site") != site or r["supplier"] is not None:
                out.append(
                    f"sites: {where} row {period} names site {r.get('site')} and supplier "
                    f"{r['supplier']}, expected {site} and blank"
                )
            if (r.get("event") or "") != event:
                out.append(
                    f"sites: {where} row {period} has event {r.get('event')!r}, expected {event!r}"
                )
            got = _num(r.get("one_off_cost"), 0.0) or 0.0
            if abs(got - cost) > tol(cost):
                out.append(
                    f"sites: {where} row {period} has one_off_cost {got:.10g}, expected {cost:.10g}"
                )
    return out


def check_policy(inp: Inputs, plan: WrittenPlan) -> list[str]:
    """Incentives: the written incremental sales and payout equal the recomputed ones, a
    qualified scheme reaches its threshold, and one that reaches it is taken (its payout
    lowers the cost); trade rules: preferential units only where the written rule row is
    qualified with a value content at least the minimum, and never more than the plant
    made of the product in the period."""
    out = []
    written = {(r["name"], r["period"]): r for r in plan["policy"] if r["policy"] == "incentive"}
    thresholds: dict[tuple[str, str], float] = {}
    for r in sorted(inp.incentives, key=lambda r: r["period"] is not None):
        for period in inp.periods if r["period"] is None else [r["period"]]:
            thresholds[(r["scheme"], period)] = float(r["min_incremental_sales"] or 0.0)
    for scheme, period, incremental, payout in incentive_outcomes(inp, plan):
        row = written.get((scheme, period))
        where = f"incentive {scheme} in {period}"
        if row is None:
            out.append(f"policy: no row for {where}")
            continue
        if abs(row["measure"] - incremental) > tol(abs(incremental)):
            out.append(
                f"policy: {where} says incremental sales {row['measure']:.10g}, "
                f"recomputed {incremental:.10g}"
            )
        if abs(row["value"] - payout) > tol(abs(payout)):
            out.append(f"policy: {where} pays {row['value']:.10g}, recomputed {payout:.10g}")
        qualified = str(row["qualified"]).lower() == "true"
        threshold = thresholds[(scheme, period)]
        if qualified and incremental < threshold - tol(threshold):
            out.append(f"policy: {where} qualified with {incremental:.10g} < {threshold:.10g}")
        if not qualified and incremental > threshold + tol(threshold) and incremental > 0:
            out.append(
                f"policy: {where} reached {incremental:.10g} >= {threshold:.10g} but was not taken"
            )
    rules = {
        (r["name"], r["scope"], r["period"]): r
        for r in plan["policy"]
        if r["policy"] == "trade_rule"
    }
    made = _sum_by(plan["production"], lambda r: (r["plant"], r["item"], r["period"]))
    preferred: dict[tuple[str, str, str], float] = defaultdict(float)
    for f in plan["flows"]:
        units = 0.0 if blank(f["preferential_qty"]) else f["preferential_qty"]
        if units <= 1e-7 or f["arrival_period"] not in inp.index:
            continue
        preferred[(f["origin"], f["item"], f["period"])] += units
        rule = inp.trade_rule(f["origin"], f["destination"], f["item"], f["arrival_period"])
        if rule is None:
            continue  # reported by check_duties
        scope = f"{f['origin']}/{f['item']}>{inp.site_country[f['destination']]}"
        row = rules.get((rule["agreement"], scope, f["period"]))
        if row is None or str(row["qualified"]).lower() != "true":
            out.append(
                f"policy: {scope} ships at {rule['agreement']}'s rate in {f['period']} "
                "without the rule qualified"
            )
        elif row["measure"] < float(rule["min_value_content"]) - 1e-9:
            out.append(
                f"policy: {scope} in {f['period']} qualified with value content "
                f"{row['measure']:.6g} < {rule['min_value_content']}"
            )
    for (plant, item, period), units in preferred.items():
        if units > made.get((plant, item, period), 0.0) + tol(units):
            out.append(
                f"policy: {units:.6g} {item} from {plant} preferential in {period}, more "
                "than it made then"
            )
    return out


# -- purchases committed ahead and the scenarios of a robust plan ---------------------------
#: Relative slack of a comparison between two solver optima of one scenario (MIP gaps).
SCENARIO_RTOL = 1e-4


def bought(plan: WrittenPlan) -> dict[tuple[str, str, str], float]:
    """Units bought from each (supplier, item, period): the purchases table's qty."""
    return _sum_by(plan["purchases"], lambda r: (r["supplier"], r["item"], r["period"]))


def unused_commitment(inp: Inputs, plan: WrittenPlan) -> dict[str, float]:
    """Cost of the units committed and not taken, by the commitment's period: committed
    minus the units bought (never below 0) times the offer's price (the written price when
    no offer matches; :func:`check_commitments` reports that)."""
    qty = bought(plan)
    out: dict[str, float] = defaultdict(float)
    for r in plan["commitments"]:
        if blank(r["committed"]):
            continue
        offer = inp.offers.get((r["supplier"], r["item"]))
        price = offer["price"] if offer else _num(r["price"], 0.0) or 0.0
        key = (r["supplier"], r["item"], r["period"])
        out[r["period"]] += max(float(r["committed"]) - qty.get(key, 0.0), 0.0) * price
    return dict(out)


def check_commitments(inp: Inputs, plan: WrittenPlan) -> list[str]:
    """Each commitments row stands for an offer with a lead time of one period or more, in
    a known period, once; committed >= 0; taken = the purchases table's qty of the same
    offer and period (0 without a row); untaken = committed - taken >= 0; price = the
    offer's price. The costs table's ``unused_commitment`` rows of each period equal
    untaken x price summed over the period's commitments (:func:`unused_commitment`)."""
    out: list[str] = []
    qty = bought(plan)
    seen: set[tuple[str, str, str]] = set()
    for r in plan["commitments"]:
        key = (r["supplier"], r["item"], r["period"])
        where = f"commitment of {r['item']} from {r['supplier']} in {r['period']}"
        if key in seen:
            out.append(f"commitments: two rows for {key}")
        seen.add(key)
        if r["period"] not in inp.index:
            out.append(f"commitments: {where} names an unknown period")
        offer = inp.offers.get((r["supplier"], r["item"]))
        if offer is None:
            out.append(f"commitments: {where} matches no supply offer")
        elif offer["lead"] < 1:
            out.append(
                f"commitments: {where} is on an offer with lead_time {offer['lead']} "
                "(only offers with a lead time of 1 or more are committed ahead)"
            )
        values = {c: _num(r[c]) for c in ("committed", "taken", "untaken", "price")}
        absent = [c for c, v in values.items() if v is None]
        if absent:
            out.append(f"commitments: {where} has no number in {absent}")
            continue
        committed, taken, untaken, price = (values[c] or 0.0 for c in values)
        if committed < -tol(0):
            out.append(f"commitments: {where} commits {committed:.10g} < 0")
        want = qty.get(key, 0.0)
        if abs(taken - want) > tol(abs(taken) + abs(want)):
            out.append(f"commitments: {where} says taken {taken:.10g}, purchases {want:.10g}")
        if abs(untaken - (committed - taken)) > tol(abs(committed) + abs(taken)):
            out.append(
                f"commitments: {where} says untaken {untaken:.10g}, committed - taken = "
                f"{committed - taken:.10g}"
            )
        if untaken < -tol(abs(committed) + abs(taken)):
            out.append(
                f"commitments: {where} takes {taken:.10g}, more than the {committed:.10g} committed"
            )
        if offer is not None and abs(price - offer["price"]) > tol(offer["price"]):
            out.append(f"commitments: {where} has price {price:.10g}, offer {offer['price']}")
    want_by = unused_commitment(inp, plan)
    written: dict[str, float] = defaultdict(float)
    for r in plan["costs"]:
        if r["category"] == "unused_commitment":
            written[r["period"]] += 0.0 if blank(r["value"]) else r["value"]
    for period in sorted(set(written) | set(want_by)):
        got, want = written.get(period, 0.0), want_by.get(period, 0.0)
        if abs(got - want) > tol(abs(got) + abs(want)):
            out.append(
                f"commitments: unused_commitment cost in {period} is {got:.12g}, "
                f"untaken x price = {want:.12g}"
            )
    return out


def cvar(costs: list[float], weights: list[float], alpha: float) -> float:
    """Mean cost of the worst (1 - alpha) probability mass: the costs from the highest
    down, whole weights until the tail is filled and part of the last one."""
    tail = 1.0 - alpha
    pairs = sorted(zip(costs, weights, strict=True), key=lambda cw: -cw[0])
    if tail <= 0:
        return pairs[0][0]
    left, total = tail, 0.0
    for cost, weight in pairs:
        take = min(weight, left)
        total += take * cost
        left -= take
        if left <= 0:
            break
    return total / tail


def _mean_of(entry: Any) -> float | None:
    """A robust.value entry's mean: the number itself, or the ``mean`` of a dict."""
    if isinstance(entry, dict):
        entry = entry.get("mean")
    return float(entry) if isinstance(entry, int | float) and not isinstance(entry, bool) else None


def check_scenarios(inp: Inputs, plan: WrittenPlan) -> list[str]:
    """A robust plan's scenarios: one row per sample (robust.samples), weights positive and
    summing to 1, each objective a number; robust.expected_objective = sum(weight x
    objective); robust.cvar = the mean objective of the worst (1 - cvar_alpha) mass
    (:func:`cvar`) and objective_with_cvar = expected_objective + cvar_weight x cvar
    where given. With robust.value: RP, WS and EEV are the means of objective,
    own_objective and ev_objective, EVPI.mean = RP - WS and VSS.mean = EEV - RP, with n
    the number of scenarios and se the standard error of the paired differences; no
    scenario's own optimum is worse than its objective with either plan's stage 1 (up to
    :data:`SCENARIO_RTOL`). A plan without ``robust`` and without scenarios passes."""
    rows = plan["scenarios"]
    robust = plan.summary.get("robust")
    if not rows and robust is None:
        return []
    if not isinstance(robust, dict):
        return [f"scenarios: {len(rows)} scenario rows but summary.json has no robust object"]
    out: list[str] = []
    if not rows:
        return ["scenarios: summary.json has robust but the scenarios table is empty"]
    samples = robust.get("samples")
    if isinstance(samples, int) and samples != len(rows):
        out.append(f"scenarios: {len(rows)} rows, robust.samples {samples}")
    numbers = [s for s in (r["sample"] for r in rows) if not blank(s)]
    if len(set(numbers)) != len(rows):
        out.append(f"scenarios: samples not one distinct number per row: {numbers}")
    weights, objectives = [], []
    for r in rows:
        w, obj = _num(r["weight"]), _num(r["objective"])
        if w is None or w <= 0:
            out.append(f"scenarios: sample {r['sample']} has weight {r['weight']}, not > 0")
        if obj is None:
            out.append(f"scenarios: sample {r['sample']} has no objective")
        weights.append(w or 0.0)
        objectives.append(obj or 0.0)
    if abs(sum(weights) - 1.0) > tol(1.0):
        out.append(f"scenarios: weights sum to {sum(weights):.12g}, not 1")
    scale = sum(abs(w * c) for w, c in zip(weights, objectives, strict=True))
    expected = sum(w * c for w, c in zip(weights, objectives, strict=True))
    got = robust.get("expected_objective")
    if not isinstance(got, int | float):
        out.append(f"scenarios: robust.expected_objective {got!r} is not a number")
    elif abs(got - expected) > tol(scale):
        out.append(
            f"scenarios: robust.expected_objective {got:.12g}, weighted mean of the "
            f"scenarios {expected:.12g}"
        )
    alpha, written_cvar = robust.get("cvar_alpha"), robust.get("cvar")
    if isinstance(alpha, int | float) and isinstance(written_cvar, int | float):
        want = cvar(objectives, weights, float(alpha))
        if abs(written_cvar - want) > tol(max(abs(c) for c in objectives)):
            out.append(
                f"scenarios: robust.cvar {written_cvar:.12g}, the worst {1 - alpha:.6g} of "
                f"the scenarios average {want:.12g}"
            )
        weight, combined = robust.get("cvar_weight"), robust.get("objective_with_cvar")
        if isinstance(weight, int | float) and isinstance(combined, int | float):
            want = (got if isinstance(got, int | float) else expected) + weight * written_cvar
            if abs(combined - want) > tol(abs(want) + abs(weight * written_cvar)):
                out.append(
                    f"scenarios: robust.objective_with_cvar {combined:.12g}, expected "
                    f"objective + cvar_weight x cvar = {want:.12g}"
                )
    value = robust.get("value")
    if isinstance(value, dict):
        out += _check_value(rows, objectives, value)
    return out


def _check_value(
    rows: list[dict[str, Any]], objectives: list[float], value: dict[str, Any]
) -> list[str]:
    """robust.value against the scenarios' three objectives (see :func:`check_scenarios`)."""
    out: list[str] = []
    own = [_num(r["own_objective"]) for r in rows]
    ev = [_num(r["ev_objective"]) for r in rows]
    if any(v is None for v in (*own, *ev)):
        return ["scenarios: robust.value given but own_objective or ev_objective is blank"]
    own_f = [float(v or 0.0) for v in own]
    ev_f = [float(v or 0.0) for v in ev]
    for r, obj, mine, theirs in zip(rows, objectives, own_f, ev_f, strict=True):
        for name, other in (("objective", obj), ("ev_objective", theirs)):
            if mine > other + SCENARIO_RTOL * max(1.0, abs(other)):
                out.append(
                    f"scenarios: sample {r['sample']} has own_objective {mine:.12g} > "
                    f"{name} {other:.12g} (perfect information cannot cost more)"
                )
    n = len(rows)
    means = {
        "RP": sum(objectives) / n,
        "WS": sum(own_f) / n,
        "EEV": sum(ev_f) / n,
    }
    written = {k: _mean_of(value.get(k)) for k in ("RP", "WS", "EEV", "EVPI", "VSS")}
    for key, want in means.items():
        got = written[key]
        if got is None:
            out.append(f"scenarios: robust.value.{key} {value.get(key)!r} is not a number")
        elif abs(got - want) > tol(abs(want)):
            out.append(
                f"scenarios: robust.value.{key} {got:.12g}, mean of the scenarios {want:.12g}"
            )
    rp, ws, eev = (written[k] for k in ("RP", "WS", "EEV"))
    diffs = {
        "EVPI": ("RP - WS", rp, ws, [a - b for a, b in zip(objectives, own_f, strict=True)]),
        "VSS": ("EEV - RP", eev, rp, [a - b for a, b in zip(ev_f, objectives, strict=True)]),
    }
    for key, (words, a, b, paired) in diffs.items():
        entry, got = value.get(key), written[key]
        if got is None or not isinstance(entry, dict):
            out.append(f"scenarios: robust.value.{key} {entry!r} is no {{mean, ...}} object")
            continue
        if a is not None and b is not None and abs(got - (a - b)) > tol(abs(a) + abs(b)):
            out.append(f"scenarios: robust.value.{key}.mean {got:.12g}, {words} = {a - b:.12g}")
        if entry.get("n") != n:
            out.append(f"scenarios: robust.value.{key}.n {entry.get('n')!r}, {n} scenarios")
        mean = sum(paired) / n
        se = (sum((d - mean) ** 2 for d in paired) / (n - 1) / n) ** 0.5 if n > 1 else 0.0
        got_se = entry.get("se")
        if isinstance(got_se, int | float) and abs(got_se - se) > tol(abs(se) + abs(mean)):
            out.append(
                f"scenarios: robust.value.{key}.se {got_se:.12g}, paired standard error {se:.12g}"
            )
        lo, hi = entry.get("lo95"), entry.get("hi95")
        if isinstance(lo, int | float) and isinstance(hi, int | float):
            slack = tol(abs(lo) + abs(hi))
            if not lo - slack <= got <= hi + slack:
                out.append(
                    f"scenarios: robust.value.{key}.mean {got:.12g} outside [{lo:.12g}, {hi:.12g}]"
                )
    return out


def cost_terms(inp: Inputs, plan: WrittenPlan) -> dict[str, float]:
    """Each cost category recomputed from the plan's quantities and the input prices.

    ``fixed`` sums fixed_cost over the written open periods of every option (site
    options too); ``opening`` and ``closing`` the one-off costs of the site events the
    open sequence gives. Under the profit objective ``penalty`` is 0, ``lost_revenue``
    is price x unmet and ``new_channel_revenue`` minus price x qty of the demand at
    markets with a site option in their open periods (:func:`channel_revenue`).
    ``unused_commitment`` is a cost under either objective: committed minus the units
    bought (:func:`bought`) of each commitments row, times the offer's price."""
    cost = dict.fromkeys(COST_CATEGORIES, 0.0)
    for r in plan["purchases"]:
        offer = inp.offers.get((r["supplier"], r["item"]))
        cost["purchases"] += r["qty"] * (offer["price"] if offer else r["price"] or 0.0)
    for r in plan["production"]:
        row = inp.making.get((r["plant"], r["item"]))
        cost["conversion"] += r["qty"] * (row["cost"] if row else r["cost"] or 0.0)
    for r in plan["flows"]:
        key = inp.lane(r["origin"], r["destination"], r["mode"], r["item"])
        cost["freight"] += r["qty"] * (inp.lanes[key]["cost"] if key else r["unit_cost"] or 0.0)
        if r["arrival_period"] in inp.index:
            rate = inp.duty_rate(r["origin"], r["destination"], r["item"], r["arrival_period"])
            value = inp.customs_value(r["origin"], r["item"])
            cost["duty"] += r["qty"] * rate * value
            preferred = 0.0 if blank(r["preferential_qty"]) else r["preferential_qty"]
            rule = inp.trade_rule(r["origin"], r["destination"], r["item"], r["arrival_period"])
            if preferred > 0 and rule is not None:
                cost["duty"] -= (
                    preferred * max(rate - float(rule["preferential_rate"]), 0.0) * value
                )
    for r in plan["inventory"]:
        cost["holding"] += r["qty"] * inp.item_holding.get(r["item"], 0.0)
    cost["unused_commitment"] = sum(unused_commitment(inp, plan).values())
    for r in plan["unmet"]:
        d = inp.demand.get((r["market"], r["item"], r["period"]))
        penalty = d["penalty"] if d and d["penalty"] is not None else r["penalty"] or 0.0
        cost["penalty"] += r["qty"] * penalty
    opened = open_options(plan)
    for o in inp.options:
        for period in inp.periods:
            if (o["option"], period) in opened:
                cost["fixed"] += float(o["fixed_cost"] or 0.0)
    cost["incentives"] = -sum(earned for *_, earned in incentive_outcomes(inp, plan))
    states = site_states(inp, plan)
    for o in inp.site_options():
        for event, one_off in site_events(inp, o, states[o["option"]]):
            if event == "opened":
                cost["opening"] += one_off
            elif event == "closed":
                cost["closing"] += one_off
    if inp.objective == "profit":
        cost["penalty"] = 0.0
        for r in plan["unmet"]:
            d = inp.demand.get((r["market"], r["item"], r["period"]))
            cost["lost_revenue"] += r["qty"] * ((d["price"] or 0.0) if d else 0.0)
        cost["new_channel_revenue"] = -channel_revenue(inp, plan)
    return cost


def check_objective(inp: Inputs, plan: WrittenPlan) -> list[str]:
    """summary.json's objective = the recomputed total cost; the costs table agrees by category.

    summary.json's ``objective_kind`` is the objective setting (cost or profit),
    ``revenue`` = price x units delivered (:func:`delivered_revenue`) and ``profit`` =
    revenue minus every recomputed category but lost_revenue and new_channel_revenue;
    the three keys are required under profit, checked when present under cost."""
    mine = cost_terms(inp, plan)
    total = sum(mine.values())
    out = []
    objective = plan.summary.get("objective")
    if isinstance(objective, int | float) and abs(objective - total) > tol(total):
        out.append(f"objective: summary says {objective:.12g}, recomputed {total:.12g}")
    written: dict[str, float] = defaultdict(float)
    for r in plan["costs"]:
        written[r["category"]] += 0.0 if blank(r["value"]) else r["value"]
    for category in sorted(set(written) | set(mine)):
        got, want = written.get(category, 0.0), mine.get(category, 0.0)
        if abs(got - want) > tol(total):
            out.append(f"costs: category {category} totals {got:.12g}, recomputed {want:.12g}")
    if isinstance(objective, int | float) and abs(sum(written.values()) - objective) > tol(total):
        out.append(
            f"costs: categories sum to {sum(written.values()):.12g}, objective {objective:.12g}"
        )
    return out + _check_profit(inp, plan, mine)


def _check_profit(inp: Inputs, plan: WrittenPlan, mine: dict[str, float]) -> list[str]:
    s = plan.summary
    if not s:
        return []
    out = []
    if inp.objective == "profit":
        out += [f"summary: no {k} under the profit objective" for k in PROFIT_KEYS if k not in s]
    kind = s.get("objective_kind")
    if kind is not None and kind != inp.objective:
        out.append(f"summary: objective_kind {kind!r}, the setting says {inp.objective!r}")
    revenue = delivered_revenue(inp, plan)
    costs = sum(v for k, v in mine.items() if k not in REVENUE_CATEGORIES)
    for key, want in (("revenue", revenue), ("profit", revenue - costs)):
        got = s.get(key)
        if key in s and not isinstance(got, int | float):
            out.append(f"summary: {key} {got!r} is not a number")
        elif isinstance(got, int | float) and abs(got - want) > tol(abs(revenue) + abs(costs)):
            out.append(f"summary: {key} {got:.12g}, recomputed {want:.12g}")
    return out


#: Every rule, in the order they run.
CHECKS: list[Callable[[Inputs, WrittenPlan], list[str]]] = [
    check_files,
    check_rows,
    check_balances,
    check_markets,
    check_capacities,
    check_sites,
    check_resources,
    check_duties,
    check_targets,
    check_options,
    check_policy,
    check_commitments,
    check_scenarios,
    check_objective,
]


#: Kept for callers of earlier versions: every input table is now covered.
UNCOVERED_TABLES: tuple[str, ...] = ()


def uncovered(network: emsplan.Network) -> list[str]:
    """Tables with rows that the checker's rules do not cover (none any more)."""
    return []


def applicable_checks(network: emsplan.Network) -> list[Callable[[Inputs, WrittenPlan], list[str]]]:
    """Every rule: the checker covers options, trade rules and incentives too."""
    return list(CHECKS)


def check_plan(
    network: emsplan.Network,
    out_dir: str | Path,
    checks: Iterable[Callable[[Inputs, WrittenPlan], list[str]]] | None = None,
) -> list[str]:
    """Violations of the plan written in ``out_dir`` against ``network`` (empty: all good).

    ``checks``: the rules to apply (default: every rule in :data:`CHECKS`; see
    :func:`applicable_checks` for a network using tables the checker does not cover).
    """
    inp = Inputs.from_network(network)
    plan = read_plan(out_dir)
    return [v for check in (CHECKS if checks is None else checks) for v in check(inp, plan)]
