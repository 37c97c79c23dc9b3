"""The independent checker's network-design rules (docs/design/network-design.md, issue 13)
on plans written by hand: each rule rejects a plan that breaks it and accepts the correct
version, without the engine (nothing here asks the model to plan).

The networks are ordinary ones; the new inputs (site, production contract and
market_source options, relative targets, the ``profit`` objective) are given to the
checker's :class:`Inputs` directly, so the tests hold whatever the input schema holds yet.
The plans are written to CSV files and read back by :func:`read_plan`, so the new output
columns (options.site/event/one_off_cost/origin, local_content.growth/base_share) are read
the way the lead's writer will write them.

The rules of purchases committed ahead and of robust plans (section 6) are tried on a real
robust plan of a newsvendor network, planned once through the public API, written, and
corrupted one value at a time.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import emsplan
from emsplan.scenarios.overrides import parse
from plan_checker import (
    CHECKS,
    OPTIONAL_LABELS,
    OPTIONAL_NUMBERS,
    OTHER_TABLES,
    PLAN_TABLES,
    Inputs,
    WrittenPlan,
    applicable_checks,
    check_commitments,
    check_objective,
    check_plan,
    check_scenarios,
    check_sites,
    read_plan,
    uncovered,
)

Row = dict[str, Any]
Rows = dict[str, list[Row]]
Q1, Q2 = "Q1", "Q2"


# -- building inputs ------------------------------------------------------------------------
def network(
    sites: list[tuple[str, str, str]],
    items: list[Row],
    periods: tuple[str, ...] = (Q1, Q2),
    **tables: list[Row],
) -> emsplan.Network:
    """A network of sites (site, kind, country), items and other tables given as rows."""
    frames = {
        "periods": pd.DataFrame({"period": list(periods), "days": [91] * len(periods)}),
        "items": pd.DataFrame(items),
        "sites": pd.DataFrame(sites, columns=["site", "kind", "country"]),
        **{name: pd.DataFrame(rows) for name, rows in tables.items()},
    }
    return emsplan.Network(frames, name="design")


def inputs(
    net: emsplan.Network,
    options: list[Row] = (),  # type: ignore[assignment]
    targets: list[Row] | None = None,
    objective: str = "cost",
) -> Inputs:
    """The checker's inputs of ``net`` with the network-design inputs given as rows."""
    inp = Inputs.from_network(net)
    changes: dict[str, Any] = {"options": [dict(o) for o in options], "objective": objective}
    if targets is not None:
        changes["targets"] = {
            (r["scope"], r.get("period")): r.get("min_local_share") for r in targets
        }
        changes["relative"] = {
            (r["scope"], r.get("period")): {
                "growth": r["growth"],
                "base_share": r.get("base_share"),
                "base_period": r.get("base_period"),
            }
            for r in targets
            if r.get("growth") is not None
        }
    return dataclasses.replace(inp, **changes)


# -- writing plans ----------------------------------------------------------------------------
def write(out: Path, rows: Rows, **summary: Any) -> WrittenPlan:
    """Write the plan's tables (every column, the new ones included) and summary.json, whose
    objective is the sum of the costs rows unless given; read it back."""
    out.mkdir(parents=True, exist_ok=True)
    for name, (labels, numbers) in PLAN_TABLES.items():
        columns = [
            *labels,
            *numbers,
            *OPTIONAL_LABELS.get(name, ()),
            *OPTIONAL_NUMBERS.get(name, ()),
        ]
        frame = pd.DataFrame(rows.get(name, []), columns=columns)
        frame.to_csv(out / f"{name}.csv", index=False)
    for name in OTHER_TABLES:
        (out / f"{name}.csv").write_text("name\n", encoding="utf-8")
    body = {
        "status": "ok",
        "termination_condition": "optimal",
        "objective": sum(r["value"] for r in rows.get("costs", [])),
        **summary,
    }
    (out / "summary.json").write_text(json.dumps(body), encoding="utf-8")
    return read_plan(out)


def violations(inp: Inputs, plan: WrittenPlan) -> list[str]:
    return [v for check in CHECKS for v in check(inp, plan)]


def make(plant: str, item: str, period: str, qty: float, cost: float) -> Row:
    return {"plant": plant, "item": item, "period": period, "qty": qty, "cost": cost}


def ship(
    inp: Inputs, origin: str, dest: str, item: str, period: str, qty: float, cost: float = 0.0
) -> Row:
    """A flow on a road lane of lead time 0, duty free, at the checker's customs value."""
    return {
        "origin": origin,
        "destination": dest,
        "item": item,
        "mode": "road",
        "period": period,
        "arrival_period": period,
        "qty": qty,
        "unit_cost": cost,
        "duty_rate": 0.0,
        "value": inp.customs_value(origin, item),
        "duty": 0.0,
    }


def hold(site: str, item: str, period: str, qty: float) -> Row:
    return {"site": site, "item": item, "period": period, "qty": qty, "holding_cost": 0.0}


def option(name: str, kind: str, period: str, is_open: int, fixed: float = 0.0, **more: Any) -> Row:
    return {
        "option": name,
        "kind": kind,
        "period": period,
        "open": is_open,
        "fixed_cost": fixed,
        **more,
    }


def costs(**by_category: dict[str, float]) -> list[Row]:
    """Costs rows: category=dict(period=value)."""
    return [
        {"category": c, "period": p, "value": v}
        for c, values in by_category.items()
        for p, v in values.items()
    ]


def assert_rejected(found: list[str], words: str) -> None:
    assert any(words in v for v in found), found


# -- 1. site options ----------------------------------------------------------------------
X = [{"item": "X", "kind": "product"}]


def two_plants() -> emsplan.Network:
    """Plants P0 (X at 10) and P1 (X at 6, a candidate site), market M (100 a period, hard)."""
    return network(
        [("P0", "plant", "IN"), ("P1", "plant", "IN"), ("M", "market", "IN")],
        X,
        production=[
            {"plant": "P0", "item": "X", "cost": 10.0},
            {"plant": "P1", "item": "X", "cost": 6.0},
        ],
        lanes=[{"origin": "P0", "destination": "M"}, {"origin": "P1", "destination": "M"}],
        demand=[{"market": "M", "item": "X", "period": p, "qty": 100.0} for p in (Q1, Q2)],
    )


OPEN_P1 = {
    "option": "open-P1",
    "kind": "site",
    "site": "P1",
    "existing": 0,
    "closable": 0,
    "fixed_cost": 100.0,
    "opening_cost": 500.0,
}


def site_row(period: str, is_open: int, event: str | None = None, one_off: float = 0.0) -> Row:
    return option(
        "open-P1", "site", period, is_open, 100.0, site="P1", event=event, one_off_cost=one_off
    )


def p1_plan(inp: Inputs, opens: tuple[int, int], makers: tuple[str, str] = ("P1", "P1")) -> Rows:
    """Each period's 100 units made at the given plant; the option's rows as ``opens`` says,
    with the events and costs that sequence gives (start closed, opening 500)."""
    unit = {"P0": 10.0, "P1": 6.0}
    events = [
        ("opened", 500.0)
        if now and not before
        else ("closed", 0.0)
        if before and not now
        else (None, 0.0)
        for before, now in zip((0, *opens[:-1]), opens, strict=True)
    ]
    return {
        "production": [
            make(m, "X", p, 100.0, unit[m]) for m, p in zip(makers, (Q1, Q2), strict=True)
        ],
        "flows": [ship(inp, m, "M", "X", p, 100.0) for m, p in zip(makers, (Q1, Q2), strict=True)],
        "options": [
            site_row(p, o, e, c) for p, o, (e, c) in zip((Q1, Q2), opens, events, strict=True)
        ],
        "costs": costs(
            conversion={p: 100.0 * unit[m] for m, p in zip(makers, (Q1, Q2), strict=True)},
            fixed={p: 100.0 for p, o in zip((Q1, Q2), opens, strict=True) if o},
            opening={p: c for p, (e, c) in zip((Q1, Q2), events, strict=True) if e == "opened"},
        ),
    }


def test_a_candidate_opened_in_the_first_period_passes(tmp_path: Path) -> None:
    """The design's 1900: open P1 from Q1 (500 + 2 x 100 + 2 x 600)."""
    inp = inputs(two_plants(), [OPEN_P1])
    plan = write(tmp_path, p1_plan(inp, (1, 1)))
    assert plan.summary["objective"] == 1900.0
    assert violations(inp, plan) == []


def test_production_at_a_closed_candidate_plant_is_rejected(tmp_path: Path) -> None:
    inp = inputs(two_plants(), [OPEN_P1])
    rows = p1_plan(inp, (0, 0))
    assert violations(inp, write(tmp_path / "ok", p1_plan(inp, (0, 0), ("P0", "P0")))) == []
    found = violations(inp, write(tmp_path / "bad", rows))
    assert_rejected(found, "sites: site option open-P1 (plant P1) closed in Q1 but 100 units made")
    assert_rejected(found, "closed in Q1 but 100 units leaving")


def test_before_period_from_a_candidate_is_closed(tmp_path: Path) -> None:
    """period_from Q2: P1 may not make anything in Q1, and has no row for Q1."""
    inp = inputs(two_plants(), [{**OPEN_P1, "period_from": Q2}])
    good = p1_plan(inp, (0, 1), ("P0", "P1"))
    good["options"] = [r for r in good["options"] if r["period"] == Q2]
    assert violations(inp, write(tmp_path / "ok", good)) == []
    bad = p1_plan(inp, (0, 1))
    bad["options"] = good["options"]
    assert_rejected(
        violations(inp, write(tmp_path / "bad", bad)), "closed in Q1 but 100 units made"
    )
    extra = {**good, "options": [site_row(Q1, 0), *good["options"]]}
    assert_rejected(
        check_sites(inp, write(tmp_path / "row", extra)), "has a row for Q1, before its first"
    )


def test_a_non_closable_candidate_that_closes_again_is_rejected(tmp_path: Path) -> None:
    inp = inputs(two_plants(), [OPEN_P1])
    rows = p1_plan(inp, (1, 0), ("P1", "P0"))
    found = violations(inp, write(tmp_path / "bad", rows))
    assert_rejected(found, "is not closable but closes again in Q2 (direction)")
    assert len(found) == 1, found
    closable = inputs(two_plants(), [{**OPEN_P1, "closable": 1}])
    assert violations(closable, write(tmp_path / "ok", rows)) == []


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"one_off_cost": 0.0}, "row Q1 has one_off_cost 0, expected 500"),
        ({"event": None}, "row Q1 has event None, expected 'opened'"),
        ({"event": "closed"}, "row Q1 has event 'closed', expected 'opened'"),
        ({"site": "P0"}, "row Q1 names site P0"),
    ],
)
def test_a_wrong_event_or_one_off_cost_is_rejected(change: Row, words: str, tmp_path: Path) -> None:
    inp = inputs(two_plants(), [OPEN_P1])
    rows = p1_plan(inp, (1, 1))
    rows["options"][0].update(change)
    assert_rejected(check_sites(inp, write(tmp_path, rows)), words)


def test_a_later_event_and_the_opening_cost(tmp_path: Path) -> None:
    """Opened in Q2: the event and the 500 belong to Q2; the costs table must say opening 500."""
    inp = inputs(two_plants(), [OPEN_P1])
    rows = p1_plan(inp, (0, 1), ("P0", "P1"))
    assert [r["event"] for r in rows["options"]] == [None, "opened"]
    assert violations(inp, write(tmp_path / "ok", rows)) == []
    rows["costs"] = [r for r in rows["costs"] if r["category"] != "opening"]
    found = check_objective(inp, write(tmp_path / "bad", rows))
    assert_rejected(found, "costs: category opening totals 0, recomputed 500")


def warehouse() -> emsplan.Network:
    """Plant P (cost 0), existing warehouse W, market M (100 a period); lanes P->W 0, W->M 1,
    P->M 2.5. W's own storage is 5 (the option's storage replaces it)."""
    return network(
        [("P", "plant", "IN"), ("W", "warehouse", "IN"), ("M", "market", "IN")],
        X,
        production=[{"plant": "P", "item": "X"}],
        lanes=[
            {"origin": "P", "destination": "W"},
            {"origin": "W", "destination": "M", "cost": 1.0},
            {"origin": "P", "destination": "M", "cost": 2.5},
        ],
        demand=[{"market": "M", "item": "X", "period": p, "qty": 100.0} for p in (Q1, Q2)],
    )


KEEP_W = {
    "option": "keep-W",
    "kind": "site",
    "site": "W",
    "existing": 1,
    "fixed_cost": 300.0,
    "closing_cost": 200.0,
    "capacity": 80.0,
    "storage_capacity": 30.0,
}


def w_plan(inp: Inputs, via_w: tuple[float, float], into_w: tuple[float, float]) -> Rows:
    """W kept open: P makes 100 a period, sends ``into_w`` to W, W sends ``via_w`` on to M and
    P the rest straight to M; W holds what it has left."""
    rows: Rows = {"production": [], "flows": [], "inventory": [], "options": [], "costs": []}
    stock = 0.0
    freight: dict[str, float] = {}
    for p, out, inn in zip((Q1, Q2), via_w, into_w, strict=True):
        stock += inn - out
        rows["production"].append(make("P", "X", p, 100.0 + inn - out, 0.0))
        rows["flows"] += [
            ship(inp, "P", "W", "X", p, inn),
            ship(inp, "W", "M", "X", p, out, 1.0),
            ship(inp, "P", "M", "X", p, 100.0 - out, 2.5),
        ]
        if stock:
            rows["inventory"].append(hold("W", "X", p, stock))
        rows["options"].append(option("keep-W", "site", p, 1, 300.0, site="W", one_off_cost=0.0))
        freight[p] = out * 1.0 + (100.0 - out) * 2.5
    rows["costs"] = costs(freight=freight, fixed={Q1: 300.0, Q2: 300.0})
    return rows


def test_dispatch_within_the_warehouse_capacity_passes(tmp_path: Path) -> None:
    inp = inputs(warehouse(), [KEEP_W])
    assert violations(inp, write(tmp_path, w_plan(inp, (80.0, 80.0), (80.0, 80.0)))) == []


def test_dispatch_over_the_warehouse_capacity_is_rejected(tmp_path: Path) -> None:
    inp = inputs(warehouse(), [KEEP_W])
    found = violations(inp, write(tmp_path, w_plan(inp, (100.0, 80.0), (100.0, 80.0))))
    assert_rejected(found, "sites: site option keep-W (warehouse W) has throughput 100 in Q1")
    assert len(found) == 1, found


def test_storage_is_the_option_s(tmp_path: Path) -> None:
    """20 held at W: within the option's 30 (the site's own 5 no longer applies), over 10."""
    tables = dict(warehouse().tables)
    tables["sites"] = tables["sites"].assign(
        storage_capacity=[None, 5.0, None]  # W holds 5 without the option
    )
    net = emsplan.Network(tables)
    rows = w_plan(inputs(net), (80.0, 80.0), (100.0, 60.0))
    assert violations(inputs(net, [KEEP_W]), write(tmp_path / "ok", rows)) == []
    small = inputs(net, [{**KEEP_W, "storage_capacity": 10.0}])
    assert_rejected(
        violations(small, write(tmp_path / "bad", rows)), "stores 20 at the end of Q1 > 10"
    )
    blank = inputs(net, [{**KEEP_W, "storage_capacity": None}])
    assert_rejected(
        violations(blank, write(tmp_path / "own", rows)), "stores 20 at the end of Q1 > 5"
    )


def closed_w_plan(inp: Inputs, w_open: tuple[int, int], use_w: bool) -> Rows:
    """P serves M straight (2.5 a unit) or through W (1 a unit); W's rows as ``w_open``."""
    rows: Rows = {"production": [], "flows": [], "options": [], "costs": []}
    before = 1
    fixed, closing, freight = {}, {}, {}
    for p, is_open in zip((Q1, Q2), w_open, strict=True):
        rows["production"].append(make("P", "X", p, 100.0, 0.0))
        if use_w:
            rows["flows"] += [
                ship(inp, "P", "W", "X", p, 80.0),
                ship(inp, "W", "M", "X", p, 80.0, 1.0),
            ]
        rows["flows"].append(ship(inp, "P", "M", "X", p, 20.0 if use_w else 100.0, 2.5))
        freight[p] = 130.0 if use_w else 250.0
        event = "closed" if before and not is_open else "opened" if is_open and not before else None
        one_off = 200.0 if event == "closed" else 0.0
        rows["options"].append(
            option("keep-W", "site", p, is_open, 300.0, site="W", event=event, one_off_cost=one_off)
        )
        if is_open:
            fixed[p] = 300.0
        if one_off:
            closing[p] = one_off
        before = is_open
    rows["costs"] = costs(freight=freight, fixed=fixed, closing=closing)
    return rows


def test_closing_an_existing_warehouse(tmp_path: Path) -> None:
    """The design's 700: close W in Q1 (200 + 2 x 250); still using it once closed, or
    reopening it (not closable), is rejected."""
    inp = inputs(warehouse(), [KEEP_W])
    good = closed_w_plan(inp, (0, 0), use_w=False)
    plan = write(tmp_path / "ok", good)
    assert plan.summary["objective"] == 700.0
    assert violations(inp, plan) == []
    used = violations(inp, write(tmp_path / "used", closed_w_plan(inp, (0, 0), use_w=True)))
    assert_rejected(
        used, "sites: site option keep-W (warehouse W) closed in Q1 but 80 units arriving"
    )
    assert_rejected(used, "closed in Q2 but 80 units leaving")
    reopened = closed_w_plan(inp, (0, 1), use_w=False)
    assert_rejected(violations(inp, write(tmp_path / "re", reopened)), "reopens in Q2 (direction)")


def test_before_period_from_an_existing_site_runs(tmp_path: Path) -> None:
    """keep-W from Q2: W works in Q1 without a row (nor fixed cost); in Q2 it is closed."""
    inp = inputs(warehouse(), [{**KEEP_W, "period_from": Q2}])
    rows = closed_w_plan(inp, (1, 0), use_w=False)
    rows["flows"] = [
        ship(inp, "P", "W", "X", Q1, 80.0),
        ship(inp, "W", "M", "X", Q1, 80.0, 1.0),
        ship(inp, "P", "M", "X", Q1, 20.0, 2.5),
        ship(inp, "P", "M", "X", Q2, 100.0, 2.5),
    ]
    rows["options"] = rows["options"][1:]
    rows["costs"] = costs(freight={Q1: 130.0, Q2: 250.0}, closing={Q2: 200.0})
    assert violations(inp, write(tmp_path, rows)) == []


# -- 2. production contracts ----------------------------------------------------------------
def partners() -> emsplan.Network:
    """Plants A (X at 10) and B (X at 15), X of group audio; market M, 100 a period."""
    return network(
        [("A", "plant", "IN"), ("B", "plant", "IN"), ("M", "market", "IN")],
        [{"item": "X", "kind": "product", "group": "audio"}],
        production=[
            {"plant": "A", "item": "X", "cost": 10.0},
            {"plant": "B", "item": "X", "cost": 15.0},
        ],
        lanes=[{"origin": "A", "destination": "M"}, {"origin": "B", "destination": "M"}],
        demand=[{"market": "M", "item": "X", "period": p, "qty": 100.0} for p in (Q1, Q2)],
    )


CONTRACT_A = {
    "option": "c-A",
    "kind": "contract",
    "plant": "A",
    "item": "audio",
    "fixed_cost": 500.0,
}
CONTRACT_B = {
    "option": "c-B",
    "kind": "contract",
    "plant": "B",
    "item": "audio",
    "fixed_cost": 100.0,
}


def partner_plan(
    inp: Inputs, made: dict[str, dict[str, float]], sent: dict[str, dict[str, float]]
) -> Rows:
    """made / sent: plant -> period -> units; a contract is open where its plant makes."""
    unit, fixed = {"A": 10.0, "B": 15.0}, {"A": 500.0, "B": 100.0}
    rows: Rows = {"production": [], "flows": [], "inventory": [], "options": [], "costs": []}
    conversion: dict[str, float] = {}
    fixed_by: dict[str, float] = {}
    for plant in ("A", "B"):
        stock = 0.0
        for p in (Q1, Q2):
            qty, out = made[plant].get(p, 0.0), sent[plant].get(p, 0.0)
            if qty:
                rows["production"].append(make(plant, "X", p, qty, unit[plant]))
                conversion[p] = conversion.get(p, 0.0) + qty * unit[plant]
                fixed_by[p] = fixed_by.get(p, 0.0) + fixed[plant]
            if out:
                rows["flows"].append(ship(inp, plant, "M", "X", p, out))
            stock += qty - out
            if stock:
                rows["inventory"].append(hold(plant, "X", p, stock))
            rows["options"].append(
                option(f"c-{plant}", "contract", p, int(qty > 0), fixed[plant], site=plant)
            )
    rows["costs"] = costs(conversion=conversion, fixed=fixed_by)
    return rows


def test_production_under_its_contract_passes(tmp_path: Path) -> None:
    inp = inputs(partners(), [CONTRACT_A, CONTRACT_B])
    b_only = {"A": {}, "B": {Q1: 100.0, Q2: 100.0}}
    plan = write(tmp_path, partner_plan(inp, b_only, b_only))
    assert plan.summary["objective"] == 3200.0
    assert violations(inp, plan) == []


def test_production_outside_its_plant_contract_is_rejected(tmp_path: Path) -> None:
    inp = inputs(partners(), [CONTRACT_A, CONTRACT_B])
    plan = {"A": {Q1: 100.0}, "B": {Q2: 100.0}}
    rows = partner_plan(inp, plan, plan)
    for r in rows["options"]:
        if r["option"] == "c-A":
            r["open"] = 0
    rows["costs"] = [
        r for r in rows["costs"] if not (r["category"] == "fixed" and r["period"] == Q1)
    ]
    found = violations(inp, write(tmp_path, rows))
    assert found == [
        "options: 100 of audio made at A in Q1 without its production contract c-A open"
    ], found


def test_an_item_contract_covers_that_item_only(tmp_path: Path) -> None:
    """A contract naming item X covers X; one naming another group leaves X free."""
    plan = {"A": {Q1: 100.0, Q2: 100.0}, "B": {}}
    rows = partner_plan(inputs(partners()), plan, plan)
    rows["options"] = [r for r in rows["options"] if r["option"] == "c-A"]
    for r in rows["options"]:
        r["open"] = 0
    rows["costs"] = [r for r in rows["costs"] if r["category"] != "fixed"]
    by_item = inputs(partners(), [{**CONTRACT_A, "item": "X"}])
    assert_rejected(violations(by_item, write(tmp_path / "x", rows)), "made at A in Q1 without")
    other = inputs(partners(), [{**CONTRACT_A, "item": "video"}])
    assert violations(other, write(tmp_path / "video", rows)) == []


def test_a_plant_contract_s_min_qty(tmp_path: Path) -> None:
    """c-A min_qty 120: open in Q1, A must make 120 (it stocks 20 for Q2); 100 is rejected."""
    inp = inputs(partners(), [{**CONTRACT_A, "min_qty": 120.0}, CONTRACT_B])
    good = partner_plan(
        inp, {"A": {Q1: 120.0}, "B": {Q2: 80.0}}, {"A": {Q1: 100.0, Q2: 20.0}, "B": {Q2: 80.0}}
    )
    assert violations(inp, write(tmp_path / "ok", good)) == []
    short = {"A": {Q1: 100.0}, "B": {Q2: 100.0}}
    found = violations(inp, write(tmp_path / "bad", partner_plan(inp, short, short)))
    assert found == [
        "options: production contract c-A open in Q1: A makes 100 of audio < min_qty 120"
    ], found


def test_a_plant_contract_s_capacity(tmp_path: Path) -> None:
    inp = inputs(partners(), [CONTRACT_A, {**CONTRACT_B, "capacity": 90.0}])
    b_only = {"A": {}, "B": {Q1: 100.0, Q2: 100.0}}
    found = violations(inp, write(tmp_path, partner_plan(inp, b_only, b_only)))
    assert_rejected(found, "production contract c-B: B makes 100 X in Q1 > capacity 90")


def test_a_plant_contract_s_row_names_the_plant(tmp_path: Path) -> None:
    inp = inputs(partners(), [CONTRACT_A, CONTRACT_B])
    b_only = {"A": {}, "B": {Q1: 100.0, Q2: 100.0}}
    rows = partner_plan(inp, b_only, b_only)
    rows["options"][0]["site"] = None
    assert_rejected(violations(inp, write(tmp_path, rows)), "names site None, not its plant A")


# -- 3. single-sourced markets ------------------------------------------------------------
def two_markets() -> emsplan.Network:
    """Plants A and B (cost 0); markets M1 (80) and M2 (40) in Q1; lanes A->M1 1, B->M1 2,
    A->M2 1, B->M2 4."""
    return network(
        [
            ("A", "plant", "IN"),
            ("B", "plant", "IN"),
            ("M1", "market", "IN"),
            ("M2", "market", "IN"),
        ],
        X,
        production=[{"plant": "A", "item": "X"}, {"plant": "B", "item": "X"}],
        lanes=[
            {"origin": "A", "destination": "M1", "cost": 1.0},
            {"origin": "B", "destination": "M1", "cost": 2.0},
            {"origin": "A", "destination": "M2", "cost": 1.0},
            {"origin": "B", "destination": "M2", "cost": 4.0},
        ],
        demand=[
            {"market": "M1", "item": "X", "period": Q1, "qty": 80.0},
            {"market": "M2", "item": "X", "period": Q1, "qty": 40.0},
        ],
    )


SOURCE_ALL = {"option": "one-origin", "kind": "market_source"}
COST = {("A", "M1"): 1.0, ("B", "M1"): 2.0, ("A", "M2"): 1.0, ("B", "M2"): 4.0}


def sourced_plan(inp: Inputs, sent: dict[tuple[str, str], float], origins: dict[str, str]) -> Rows:
    made: dict[str, float] = {}
    for (plant, _), qty in sent.items():
        made[plant] = made.get(plant, 0.0) + qty
    return {
        "production": [make(p, "X", Q1, q, 0.0) for p, q in sorted(made.items())],
        "flows": [ship(inp, o, m, "X", Q1, q, COST[(o, m)]) for (o, m), q in sent.items()],
        "options": [
            option("one-origin", "market_source", "all", 1, site=m, origin=o)
            for m, o in origins.items()
        ],
        "costs": costs(freight={Q1: sum(q * COST[k] for k, q in sent.items())}),
    }


def test_one_origin_per_market_passes(tmp_path: Path) -> None:
    """The design's 200: M1 wholly from B, M2 from A."""
    inp = inputs(two_markets(), [SOURCE_ALL])
    rows = sourced_plan(inp, {("B", "M1"): 80.0, ("A", "M2"): 40.0}, {"M1": "B", "M2": "A"})
    plan = write(tmp_path, rows)
    assert plan.summary["objective"] == 200.0
    assert violations(inp, plan) == []


def test_two_origins_for_one_single_sourced_market_are_rejected(tmp_path: Path) -> None:
    """The unconstrained optimum (140) splits M1 between A and B."""
    sent = {("A", "M1"): 60.0, ("B", "M1"): 20.0, ("A", "M2"): 40.0}
    inp = inputs(two_markets(), [SOURCE_ALL])
    rows = sourced_plan(inp, sent, {"M1": "A", "M2": "A"})
    found = violations(inp, write(tmp_path / "all", rows))
    assert found == [
        "options: market_source one-origin: M1 receives ['X'] from ['A', 'B'], more than one origin"
    ], found
    only_m2 = inputs(two_markets(), [{**SOURCE_ALL, "market": "M2", "item": "X"}])
    rows["options"] = rows["options"][1:]
    assert violations(only_m2, write(tmp_path / "m2", rows)) == []


@pytest.mark.parametrize(
    ("origins", "words"),
    [
        ({"M1": "A", "M2": "A"}, "M1 is served from B, its row says origin A"),
        ({"M2": "A"}, "no row names M1's origin B"),
        ({"M1": "B", "M2": "A", "M3": "A"}, "has a row for M3, not a market it covers"),
    ],
)
def test_the_written_origin_is_the_one_used(
    origins: dict[str, str], words: str, tmp_path: Path
) -> None:
    inp = inputs(two_markets(), [SOURCE_ALL])
    rows = sourced_plan(inp, {("B", "M1"): 80.0, ("A", "M2"): 40.0}, origins)
    assert_rejected(violations(inp, write(tmp_path, rows)), words)


# -- 4. relative local-content targets ----------------------------------------------------
def pledge_network() -> emsplan.Network:
    """Periods B, P; product Y of one C; plant K; market M, 100 a period. C from SL (IN,
    price 10, local 1, lane 2) or SI (CN, price 10, local 0, lane 0), duty free."""
    return network(
        [
            ("SL", "supplier", "IN"),
            ("SI", "supplier", "CN"),
            ("K", "plant", "IN"),
            ("M", "market", "IN"),
        ],
        [{"item": "Y", "kind": "product"}, {"item": "C", "kind": "component"}],
        periods=("B", "P"),
        bom=[{"parent": "Y", "child": "C", "qty_per": 1.0}],
        supply=[
            {"supplier": "SL", "item": "C", "price": 10.0, "local_content": 1.0},
            {"supplier": "SI", "item": "C", "price": 10.0},
        ],
        production=[{"plant": "K", "item": "Y"}],
        lanes=[
            {"origin": "SL", "destination": "K", "cost": 2.0},
            {"origin": "SI", "destination": "K"},
            {"origin": "K", "destination": "M"},
        ],
        demand=[{"market": "M", "item": "Y", "period": p, "qty": 100.0} for p in ("B", "P")],
    )


FLOOR_B = {"scope": "network", "period": "B", "min_local_share": 0.2}
PLEDGE = {"scope": "network", "period": "P", "growth": 0.5, "base_period": "B"}


def pledge_plan(
    inp: Inputs,
    local: dict[str, float],
    targets: dict[str, tuple[float | None, float | None, float | None]],
    basis: str,
) -> Rows:
    """local: period -> units bought from SL (the rest of 100 from SI); targets: period ->
    the (target, growth, base_share) the local_content row states."""
    rows: Rows = {"purchases": [], "flows": [], "production": [], "local_content": []}
    freight: dict[str, float] = {}
    for p, units in local.items():
        for supplier, qty, share in (("SL", units, 1.0), ("SI", 100.0 - units, 0.0)):
            rows["purchases"].append(
                {"supplier": supplier, "item": "C", "period": p, "qty": qty, "price": 10.0}
                | {"local_content": share, "duty": 0.0}
            )
            rows["flows"].append(
                ship(inp, supplier, "K", "C", p, qty, 2.0 if supplier == "SL" else 0.0)
            )
        rows["production"].append(make("K", "Y", p, 100.0, 0.0))
        rows["flows"].append(ship(inp, "K", "M", "Y", p, 100.0))
        freight[p] = 2.0 * units
        target, growth, base = targets[p]
        rows["local_content"].append(
            {
                "scope": "network",
                "period": p,
                "local_value": 10.0 * units,
                "total_value": 1000.0,
                "share": units / 100.0,
                "target": target,
                "basis": basis,
                "growth": growth,
                "base_share": base,
            }
        )
    rows["costs"] = costs(purchases={"B": 1000.0, "P": 1000.0}, freight=freight)
    return rows


BASES = ("consumed", "received")


@pytest.mark.parametrize("basis", BASES)
def test_a_pledge_met_passes(basis: str, tmp_path: Path) -> None:
    """The design's 2100: 20 local in B (the floor), 30 in P (0.3 = 1.5 x 0.2)."""
    inp = inputs(pledge_network(), targets=[FLOOR_B, PLEDGE])
    rows = pledge_plan(
        inp, {"B": 20.0, "P": 30.0}, {"B": (0.2, None, None), "P": (0.3, 0.5, 0.2)}, basis
    )
    plan = write(tmp_path, rows)
    assert plan.summary["objective"] == 2100.0
    assert violations(inp, plan) == []


@pytest.mark.parametrize("basis", BASES)
def test_a_pledge_not_met_is_rejected(basis: str, tmp_path: Path) -> None:
    """25 local in P: 0.25 < 1.5 x 0.2, however honestly the row states it."""
    inp = inputs(pledge_network(), targets=[FLOOR_B, PLEDGE])
    rows = pledge_plan(
        inp, {"B": 20.0, "P": 25.0}, {"B": (0.2, None, None), "P": (0.3, 0.5, 0.2)}, basis
    )
    found = violations(inp, write(tmp_path, rows))
    words = "no attribution" if basis == "consumed" else "targets: network P: local value 250 < 0.3"
    assert_rejected(found, words)


@pytest.mark.parametrize("basis", BASES)
def test_the_base_is_the_plan_s_own_share(basis: str, tmp_path: Path) -> None:
    """With a higher share in B (40), P needs 60: 30 in P is rejected, 60 passes; without
    B's floor the plan may buy nothing local in either period (the design's 2000)."""
    inp = inputs(pledge_network(), targets=[FLOOR_B, PLEDGE])
    high_b = {"B": (0.2, None, None), "P": (0.6, 0.5, 0.4)}
    bad = pledge_plan(inp, {"B": 40.0, "P": 30.0}, high_b, basis)
    assert_rejected(violations(inp, write(tmp_path / "bad", bad)), "targets:")
    good = pledge_plan(inp, {"B": 40.0, "P": 60.0}, high_b, basis)
    assert violations(inp, write(tmp_path / "ok", good)) == []
    no_floor = inputs(pledge_network(), targets=[PLEDGE])
    zero = pledge_plan(
        no_floor, {"B": 0.0, "P": 0.0}, {"B": (None, None, None), "P": (0.0, 0.5, 0.0)}, basis
    )
    plan = write(tmp_path / "zero", zero)
    assert plan.summary["objective"] == 2000.0
    assert violations(no_floor, plan) == []


@pytest.mark.parametrize(
    ("stated", "words"),
    [
        ((0.3, 0.5, 0.25), "base_share 0.25, expected 0.2"),
        ((0.3, None, 0.2), "growth None, expected 0.5"),
        ((0.2, 0.5, 0.2), "target 0.2, input 0.3"),
    ],
)
def test_the_written_growth_base_and_target(stated: tuple, words: str, tmp_path: Path) -> None:
    inp = inputs(pledge_network(), targets=[FLOOR_B, PLEDGE])
    rows = pledge_plan(
        inp, {"B": 20.0, "P": 30.0}, {"B": (0.2, None, None), "P": stated}, "consumed"
    )
    assert_rejected(violations(inp, write(tmp_path, rows)), words)


def test_a_given_base_share(tmp_path: Path) -> None:
    """base_share 0.25 (overrides base_period): P needs 0.375; 30 local fails, 37.5 passes."""
    given = {**PLEDGE, "base_share": 0.25}
    inp = inputs(pledge_network(), targets=[FLOOR_B, given])
    states = {"B": (0.2, None, None), "P": (0.375, 0.5, 0.25)}
    bad = pledge_plan(inp, {"B": 20.0, "P": 30.0}, states, "consumed")
    assert_rejected(violations(inp, write(tmp_path / "bad", bad)), "no attribution")
    good = pledge_plan(inp, {"B": 20.0, "P": 37.5}, states, "consumed")
    assert violations(inp, write(tmp_path / "ok", good)) == []


# -- 5. channels and the profit objective -------------------------------------------------
def channels() -> emsplan.Network:
    """Plant P (X at 60); markets M1 (100 at 100), M3 (10 at 50) and a candidate channel M2
    (50 at 100), one period, penalties blank."""
    return network(
        [
            ("P", "plant", "IN"),
            ("M1", "market", "IN"),
            ("M2", "market", "IN"),
            ("M3", "market", "IN"),
        ],
        X,
        periods=(Q1,),
        production=[{"plant": "P", "item": "X", "cost": 60.0}],
        lanes=[{"origin": "P", "destination": m} for m in ("M1", "M2", "M3")],
        demand=[
            {"market": m, "item": "X", "period": Q1, "qty": q, "price": price}
            for m, q, price in (("M1", 100.0, 100.0), ("M2", 50.0, 100.0), ("M3", 10.0, 50.0))
        ],
    )


OPEN_M2 = {"option": "open-M2", "kind": "site", "site": "M2", "fixed_cost": 1500.0}


def channel_plan(inp: Inputs, m2_open: int, m2_sent: float) -> Rows:
    """M1 served, M3 not (price 50 < cost 60), M2 open or not and sent ``m2_sent``; the
    costs as the profit objective counts them."""
    sent = {"M1": 100.0, "M2": m2_sent}
    unmet = [{"market": "M3", "item": "X", "period": Q1, "qty": 10.0}]
    return {
        "production": [make("P", "X", Q1, sum(sent.values()), 60.0)],
        "flows": [ship(inp, "P", m, "X", Q1, q) for m, q in sent.items() if q],
        "unmet": unmet,
        "options": [
            option(
                "open-M2",
                "site",
                Q1,
                m2_open,
                1500.0,
                site="M2",
                event="opened" if m2_open else None,
                one_off_cost=0.0,
            )
        ],
        "costs": costs(
            conversion={Q1: 60.0 * sum(sent.values())},
            fixed={Q1: 1500.0 * m2_open},
            lost_revenue={Q1: 500.0},
            new_channel_revenue={Q1: -5000.0 * m2_open},
        ),
    }


def test_an_open_channel_under_profit_passes(tmp_path: Path) -> None:
    """The design's 6000 and profit 4500 (revenue 15000 - 9000 - 1500)."""
    inp = inputs(channels(), [OPEN_M2], objective="profit")
    plan = write(
        tmp_path,
        channel_plan(inp, 1, 50.0),
        objective_kind="profit",
        revenue=15000.0,
        profit=4500.0,
    )
    assert plan.summary["objective"] == 6000.0
    assert violations(inp, plan) == []


def test_a_closed_channel_has_no_demand(tmp_path: Path) -> None:
    """M2 closed: its 50 need no delivery nor unmet row (6500, profit 4000); a delivery to it
    is rejected."""
    inp = inputs(channels(), [OPEN_M2], objective="profit")
    plan = write(
        tmp_path / "ok",
        channel_plan(inp, 0, 0.0),
        objective_kind="profit",
        revenue=10000.0,
        profit=4000.0,
    )
    assert plan.summary["objective"] == 6500.0
    assert violations(inp, plan) == []
    rows = channel_plan(inp, 0, 50.0)
    found = violations(
        inp, write(tmp_path / "bad", rows, objective_kind="profit", revenue=15000.0, profit=7000.0)
    )
    assert_rejected(
        found, "sites: site option open-M2 (market M2) closed in Q1 but 50 units arriving"
    )
    assert_rejected(found, "markets: market M2 item X period Q1: arrivals 50 + unmet 0 != 0")


@pytest.mark.parametrize(
    ("summary", "words"),
    [
        (
            {"objective_kind": "profit", "revenue": 15000.0, "profit": 5000.0},
            "profit 5000, recomputed 4500",
        ),
        (
            {"objective_kind": "profit", "revenue": 14000.0, "profit": 4500.0},
            "revenue 14000, recomputed 15000",
        ),
        ({"objective_kind": "cost", "revenue": 15000.0, "profit": 4500.0}, "objective_kind 'cost'"),
        ({"revenue": 15000.0, "profit": 4500.0}, "no objective_kind under the profit objective"),
    ],
)
def test_the_summary_s_profit_keys(summary: Row, words: str, tmp_path: Path) -> None:
    inp = inputs(channels(), [OPEN_M2], objective="profit")
    found = violations(inp, write(tmp_path, channel_plan(inp, 1, 50.0), **summary))
    assert_rejected(found, words)


def test_profit_categories_are_recomputed(tmp_path: Path) -> None:
    """Leaving out the channel's revenue, or pricing M3's shortfall as a penalty, is caught."""
    inp = inputs(channels(), [OPEN_M2], objective="profit")
    keys = {"objective_kind": "profit", "revenue": 15000.0, "profit": 4500.0}
    rows = channel_plan(inp, 1, 50.0)
    rows["costs"] = [r for r in rows["costs"] if r["category"] != "new_channel_revenue"]
    assert_rejected(
        violations(inp, write(tmp_path / "ncr", rows, **keys)),
        "costs: category new_channel_revenue totals 0, recomputed -5000",
    )
    rows = channel_plan(inp, 1, 50.0)
    for r in rows["costs"]:
        if r["category"] == "lost_revenue":
            r["category"] = "penalty"
    assert_rejected(
        violations(inp, write(tmp_path / "pen", rows, **keys)),
        "costs: category lost_revenue totals 0, recomputed 500",
    )


def test_under_cost_unmet_hard_demand_is_still_rejected(tmp_path: Path) -> None:
    inp = inputs(channels(), [OPEN_M2])
    rows = channel_plan(inp, 1, 50.0)
    assert_rejected(violations(inp, write(tmp_path, rows)), "but the demand must be delivered")


# -- registration and older networks -------------------------------------------------------------
def test_the_new_checks_are_registered() -> None:
    net = two_plants()
    for check in (check_sites, check_commitments, check_scenarios):
        assert check in CHECKS
        assert check in applicable_checks(net)
    assert uncovered(net) == []


def test_plans_without_the_new_columns_read_as_blank(tmp_path: Path) -> None:
    """A plan written before the new columns: they read as blank, the new rules have nothing
    to say about a network without the new options."""
    inp = inputs(two_plants())
    rows = p1_plan(inp, (0, 0), ("P0", "P0"))
    rows["options"] = []
    write(tmp_path, rows)
    for name in ("options", "local_content"):
        frame = pd.read_csv(tmp_path / f"{name}.csv")
        frame.drop(columns=[*OPTIONAL_LABELS[name], *OPTIONAL_NUMBERS[name]]).to_csv(
            tmp_path / f"{name}.csv", index=False
        )
    plan = read_plan(tmp_path)
    assert plan.missing == []
    assert violations(inp, plan) == []
    assert check_plan(two_plants(), tmp_path) == []


def test_inputs_read_the_new_columns_when_the_schema_has_them() -> None:
    """Once the input schema carries the new columns, Inputs.from_network reads them."""
    net = two_plants()
    tables = dict(net.tables)
    tables["options"] = pd.DataFrame([OPEN_P1])
    tables["targets"] = pd.DataFrame(
        [{"scope": "network", "period": Q2, "growth": 0.5, "base_share": 0.1}]
    )
    tables["settings"] = pd.DataFrame([{"setting": "objective", "value": "profit"}])
    net = emsplan.Network(tables, strict=False)
    if "site" not in net.options.columns or "growth" not in net.targets.columns:
        pytest.skip("the input schema has no site options or relative targets yet")
    inp = Inputs.from_network(net)
    (o,) = inp.site_options()
    assert (o["site"], o["opening_cost"], inp.first(o)) == ("P1", 500.0, 0)
    assert inp.relative[("network", Q2)] == {"growth": 0.5, "base_share": 0.1, "base_period": None}
    assert inp.targets[("network", Q2)] is None
    assert inp.objective == "profit"


# -- 6. purchases committed ahead and robust plans ------------------------------------------
VARY = "demand.qty=choice(100,200)"


def newsvendor(local: float = 80.0) -> emsplan.Network:
    """tests/test_robust.py's network: phone PH made at PL from chip C, bought from IMP at 10
    a unit one period ahead (lead time 1: committed in P1) or from LOC at ``local`` with no
    lead time; demand for PH at MK in P2 only (150 as given). Holding costs 1, so that the
    plan of the network as given leaves what it does not need untaken rather than in stock.
    Seed 4 draws demand 200 in one of 6 samples: at local 80 the plan commits 200 chips."""
    from test_robust import newsvendor as network

    return network(local, holding=1.0)


@pytest.fixture(scope="module")
def robust_plan(tmp_path_factory: pytest.TempPathFactory) -> tuple[emsplan.Network, Path]:
    """The robust plan (6 samples, seed 4, with --value) of the newsvendor, written once."""
    net = newsvendor()
    folder = tmp_path_factory.mktemp("robust")
    emsplan.robust_plan(net, [parse(VARY)], 6, 4, value=True).write(folder)
    return net, folder


def copy_plan(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def edit_table(folder: Path, name: str, edit: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    path = folder / f"{name}.csv"
    edit(pd.read_csv(path)).to_csv(path, index=False)


def edit_summary(folder: Path, edit: Callable[[dict[str, Any]], None]) -> None:
    path = folder / "summary.json"
    summary = json.loads(path.read_text(encoding="utf-8"))
    edit(summary)
    path.write_text(json.dumps(summary), encoding="utf-8")


def test_a_robust_plan_with_commitments_passes(robust_plan: tuple[emsplan.Network, Path]) -> None:
    """The plan commits 200 chips in P1 and takes 150: 50 x 10 unused, in the objective."""
    net, folder = robust_plan
    (c,) = pd.read_csv(folder / "commitments.csv").to_dict("records")
    assert (c["supplier"], c["period"], c["committed"], c["taken"], c["untaken"]) == (
        "IMP",
        "P1",
        200.0,
        150.0,
        50.0,
    )
    costs_ = pd.read_csv(folder / "costs.csv")
    assert costs_.loc[costs_["category"] == "unused_commitment", "value"].sum() == 500.0
    assert len(pd.read_csv(folder / "scenarios.csv")) == 6
    assert check_plan(net, folder) == []


def _costs_p1_minus_100(frame: pd.DataFrame) -> pd.DataFrame:
    row = (frame["category"] == "unused_commitment") & (frame["period"] == "P1")
    return frame.assign(value=frame["value"].where(~row, frame["value"] - 100.0))


LOC_COMMITMENT = {
    "supplier": "LOC",
    "item": "C",
    "period": "P1",
    "committed": 0.0,
    "taken": 0.0,
    "untaken": 0.0,
    "price": 80.0,
}


@pytest.mark.parametrize(
    ("table", "edit", "words"),
    [
        ("commitments", lambda f: f.assign(taken=140.0), "says taken 140, purchases 150"),
        (
            "commitments",
            lambda f: f.assign(untaken=40.0),
            "says untaken 40, committed - taken = 50",
        ),
        (
            "commitments",
            lambda f: pd.concat([f, pd.DataFrame([LOC_COMMITMENT])]),
            "commitment of C from LOC in P1 is on an offer with lead_time 0",
        ),
        (
            "costs",
            _costs_p1_minus_100,
            "unused_commitment cost in P1 is 400, untaken x price = 500",
        ),
    ],
    ids=["taken", "untaken", "lead-time-0", "unused-cost"],
)
def test_a_wrong_commitment_is_rejected(
    table: str,
    edit: Callable[[pd.DataFrame], pd.DataFrame],
    words: str,
    robust_plan: tuple[emsplan.Network, Path],
    tmp_path: Path,
) -> None:
    net, src = robust_plan
    assert check_plan(net, src) == []
    folder = copy_plan(src, tmp_path / "bad")
    edit_table(folder, table, edit)
    found = check_plan(net, folder)
    assert_rejected(found, words)
    assert_rejected(check_commitments(Inputs.from_network(net), read_plan(folder)), words)
    if table == "costs":
        assert_rejected(found, "costs: category unused_commitment totals 400, recomputed 500")


def _shift(*keys: str, by: float) -> Callable[[dict[str, Any]], None]:
    """An edit of summary.json adding ``by`` to robust.<keys...>."""

    def edit(summary: dict[str, Any]) -> None:
        entry = summary["robust"]
        for key in keys[:-1]:
            entry = entry[key]
        entry[keys[-1]] += by

    return edit


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (_shift("expected_objective", by=100.0), "robust.expected_objective 2100, weighted mean"),
        (_shift("value", "VSS", "mean", by=10.0), "robust.value.VSS.mean 287.777777778, EEV - RP"),
        (_shift("cvar", by=5.0), "robust.cvar 2005, the worst 0.1"),
        (_shift("value", "RP", by=1.0), "robust.value.RP 2001, mean of the scenarios 2000"),
    ],
    ids=["expected", "vss", "cvar", "rp"],
)
def test_a_wrong_robust_summary_is_rejected(
    edit: Callable[[dict[str, Any]], None],
    words: str,
    robust_plan: tuple[emsplan.Network, Path],
    tmp_path: Path,
) -> None:
    net, src = robust_plan
    assert check_plan(net, src) == []
    folder = copy_plan(src, tmp_path / "bad")
    edit_summary(folder, edit)
    assert_rejected(check_plan(net, folder), words)
    assert_rejected(check_scenarios(Inputs.from_network(net), read_plan(folder)), words)


def test_a_wait_and_see_worse_than_the_plan_is_rejected(
    robust_plan: tuple[emsplan.Network, Path], tmp_path: Path
) -> None:
    net, src = robust_plan
    folder = copy_plan(src, tmp_path / "bad")
    edit_table(folder, "scenarios", lambda f: f.assign(own_objective=f["objective"] + 1.0))
    found = check_plan(net, folder)
    assert_rejected(found, "perfect information cannot cost more")
    assert_rejected(found, "robust.value.WS")


def test_plans_without_commitments_or_scenarios(tmp_path: Path) -> None:
    """A deterministic plan writes commitments.csv as a header only and has no robust key; a
    plan written before the two tables (files absent) reads them as empty."""
    net = newsvendor()
    emsplan.plan(net).write(tmp_path)
    assert pd.read_csv(tmp_path / "commitments.csv").empty
    assert check_plan(net, tmp_path) == []
    for name in ("commitments", "scenarios"):
        (tmp_path / f"{name}.csv").unlink(missing_ok=True)
    plan = read_plan(tmp_path)
    assert plan.missing == []
    assert plan["commitments"] == [] and plan["scenarios"] == []
    assert check_plan(net, tmp_path) == []
