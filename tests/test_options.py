"""Discrete options, each switching a decision, with hand-computed optima.

The base network (tests/test_engine.py): a phone PH made at PL (conversion 50)
from one battery, bought from SIN (110, local) or SCN (100, imported, no duty
unless a test adds one), sold at MK.
"""

from __future__ import annotations

from typing import Any

import pytest

from emsplan.planning.pipeline import plan
from test_engine import network, qty

LINE = {"plant": "PL", "resource": "line"}


def _line_network(demand: float) -> Any:
    """PL's line has no capacity of its own; an option opens it (100 phones, 500 a period).
    Not delivering costs 200 a phone; a phone costs 100 + 50 = 150 to make."""
    return network(
        production=[{"plant": "PL", "item": "PH", "cost": 50.0, "resource": "line"}],
        resources=[{**LINE, "capacity": 0.0}],
        options=[
            {"option": "new-line", "kind": "line", **LINE, "capacity": 100.0, "fixed_cost": 500.0}
        ],
        demand=[{"market": "MK", "item": "PH", "period": "P1", "qty": demand, "penalty": 200}],
    )


def test_line_not_opened_below_break_even() -> None:
    """8 phones save 8 x 50 = 400 < 500: keep the line shut, objective 8 x 200 = 1600."""
    result = plan(_line_network(8))
    assert result.objective == pytest.approx(1600.0, rel=1e-9)
    assert result.options["open"].tolist() == [0]


def test_line_opened_above_break_even() -> None:
    """12 phones save 12 x 50 = 600 > 500: open, objective 500 + 12 x 150 = 2300."""
    result = plan(_line_network(12))
    assert result.objective == pytest.approx(2300.0, rel=1e-9)
    assert result.options["open"].tolist() == [1]
    assert result.summary["model"]["type"] == "MILP"
    assert result.summary["mip_gap"] == pytest.approx(0.0, abs=1e-9)
    costs = result.costs.groupby("category")["value"].sum()
    assert costs["fixed"] == pytest.approx(500.0)


def test_contract_opened_only_when_its_savings_pay_for_it() -> None:
    """SCN's offer needs a contract at 200 a period; it saves 10 a battery over SIN.
    10 phones: keep SIN (1100 + 500 = 1600). 30 phones: open (200 + 30 x 150 = 4700)."""

    def net(demand: float) -> Any:
        return network(
            options=[
                {
                    "option": "scn-contract",
                    "kind": "contract",
                    "supplier": "SCN",
                    "item": "BAT",
                    "fixed_cost": 200.0,
                }
            ],
            demand=[{"market": "MK", "item": "PH", "period": "P1", "qty": demand, "penalty": 1000}],
        )

    assert plan(net(10)).objective == pytest.approx(1600.0, rel=1e-9)
    assert plan(net(30)).objective == pytest.approx(4700.0, rel=1e-9)


def test_contract_minimum_forces_production_at_a_dearer_partner() -> None:
    """Plants PA (conversion 50, line of 6) and PB (60): 10 phones of SCN batteries.
    Without a minimum: 6 at PA, 4 at PB = 6 x 150 + 4 x 160 = 1540. PB's contract
    says 0 or at least 5 a period: 5 and 5 = 5 x 150 + 5 x 160 = 1550."""
    sites = [
        {"site": "SCN", "kind": "supplier", "country": "CN"},
        {"site": "PA", "kind": "plant", "country": "IN"},
        {"site": "PB", "kind": "plant", "country": "IN"},
        {"site": "MK", "kind": "market", "country": "IN"},
    ]
    base: dict[str, Any] = dict(
        sites=sites,
        supply=[{"supplier": "SCN", "item": "BAT", "price": 100.0}],
        production=[
            {"plant": "PA", "item": "PH", "cost": 50.0, "resource": "line"},
            {"plant": "PB", "item": "PH", "cost": 60.0},
        ],
        resources=[{"plant": "PA", "resource": "line", "capacity": 6.0}],
        lanes=[
            {"origin": "SCN", "destination": "PA"},
            {"origin": "SCN", "destination": "PB"},
            {"origin": "PA", "destination": "MK"},
            {"origin": "PB", "destination": "MK"},
        ],
    )
    assert plan(network(**base)).objective == pytest.approx(1540.0, rel=1e-9)
    minimum = [
        {"option": "pb-minimum", "kind": "min_qty", "plant": "PB", "item": "PH", "min_qty": 5.0}
    ]
    result = plan(network(**base, options=minimum))
    assert result.objective == pytest.approx(1550.0, rel=1e-9)
    assert qty(result.production, plant="PB") == pytest.approx(5)


def test_supplier_minimum_is_all_or_at_least_the_minimum() -> None:
    """SCN sells at 100 but only in lots of at least 15 a period (the rest would lie
    unused; stock is free here): for 10 phones SIN at 110 is cheaper than 15 x 100.
    Objective 10 x 110 + 500 = 1600 (without the minimum: 1500)."""
    options = [
        {"option": "scn-moq", "kind": "min_qty", "supplier": "SCN", "item": "BAT", "min_qty": 15.0}
    ]
    result = plan(network(options=options))
    assert result.objective == pytest.approx(1600.0, rel=1e-9)
    assert qty(result.purchases, supplier="SCN") == pytest.approx(0)


def test_single_sourcing_changes_the_choice() -> None:
    """SCN (100) can deliver only 6; SIN (110) any amount. Split: 6 x 100 + 4 x 110 +
    500 = 1540. With one source for BAT at PL: all from SIN, 1100 + 500 = 1600."""
    supply = [
        {"supplier": "SIN", "item": "BAT", "price": 110.0},
        {"supplier": "SCN", "item": "BAT", "price": 100.0, "capacity": 6.0},
    ]
    assert plan(network(supply=supply)).objective == pytest.approx(1540.0, rel=1e-9)
    options = [
        {"option": "one-battery-source", "kind": "single_source", "plant": "PL", "item": "BAT"}
    ]
    result = plan(network(supply=supply, options=options))
    assert result.objective == pytest.approx(1600.0, rel=1e-9)
    chosen = result.options[result.options["kind"] == "single_source"]
    assert chosen["supplier"].tolist() == ["SIN"]


def test_option_periods_limit_when_it_can_open() -> None:
    """The line option exists only from P2: P1's 12 phones go undelivered (2400), P2's
    are made (500 + 12 x 150 = 2300): objective 4700."""
    net = network(
        periods=[{"period": p, "days": 91} for p in ("P1", "P2")],
        production=[{"plant": "PL", "item": "PH", "cost": 50.0, "resource": "line"}],
        resources=[{**LINE, "capacity": 0.0}],
        options=[
            {
                "option": "new-line",
                "kind": "line",
                **LINE,
                "capacity": 100.0,
                "fixed_cost": 500.0,
                "period_from": "P2",
            }
        ],
        demand=[
            {"market": "MK", "item": "PH", "period": p, "qty": 12, "penalty": 200}
            for p in ("P1", "P2")
        ],
    )
    result = plan(net)
    assert result.objective == pytest.approx(4700.0, rel=1e-9)
    assert result.options[["period", "open"]].values.tolist() == [["P2", 1]]


def _two_line_network(penalty: float | None, usage: float = 2.0) -> Any:
    """PL makes PH on lines A (200 hours, 2 hours a phone: 100 phones) and B (60 hours:
    30 phones), options over P1-P2; 40 phones are demanded in P1 and 30 in P2."""
    demand = [
        {"market": "MK", "item": "PH", "period": p, "qty": q, "penalty": penalty}
        for p, q in (("P1", 40.0), ("P2", 30.0))
    ]
    return network(
        periods=[{"period": "P1", "days": 91}, {"period": "P2", "days": 91}],
        production=[
            {"plant": "PL", "item": "PH", "cost": 50.0, "resource": "line", "usage": usage}
        ],
        resources=[{**LINE, "capacity": 0.0}],
        options=[
            {"option": o, "kind": "line", **LINE, "capacity": c, "fixed_cost": f}
            for o, c, f in (("A", 200.0, 900.0), ("B", 60.0, 300.0))
        ],
        demand=demand,
    )


def test_line_cover_rows_are_the_cumulative_capacity_of_open_lines() -> None:
    """Option-line-cover[PH, t]: 100 open_A + 30 open_B summed over tau <= t >= the hard
    demand up to t (40, then 70). With a penalty the demand is soft and there is no row.
    The plan: B's 30 a period cannot make 40 in P1, so A opens in P1 and makes all 70
    (stock is free to hold), and no line opens in P2: 900 + 70 x 150 = 11,400."""
    from emsplan.optimization.build import create_model

    hard = _two_line_network(None)
    model, _ = create_model(hard)
    row = model.constraints["Option-line-cover"]
    opened = model.variables["Option-open"].labels.values  # (option, period)
    label = {int(opened[o, t]): (o, t) for o in range(2) for t in range(2)}
    for t, need in ((0, 40.0), (1, 70.0)):
        terms = {
            label[int(v)]: float(c)
            for v, c in zip(row.vars.values[0, t], row.coeffs.values[0, t], strict=True)
            if v >= 0
        }
        assert terms == {(o, tau): (100.0, 30.0)[o] for o in range(2) for tau in range(t + 1)}
        assert float(row.rhs.values[0, t]) == pytest.approx(need)
        assert str(row.sign.values[0, t]) == ">="
    soft, _ = create_model(_two_line_network(1000.0))
    assert "Option-line-cover" not in soft.constraints
    result = plan(hard)
    assert result.objective == pytest.approx(11400.0, rel=1e-9)
    opened_in = result.options.groupby("option")["open"].sum()
    assert opened_in.to_dict() == {"A": 1, "B": 0}


def test_a_line_resource_used_at_zero_per_unit_gets_no_line_bounds() -> None:
    """With usage 0 the plant makes phones without any line open, so neither
    Option-line-flow nor Option-line-cover may bind them: 70 phones are made with no line,
    objective 70 x 150 = 10,500."""
    from emsplan.optimization.build import create_model

    net = _two_line_network(None, usage=0.0)
    model, _ = create_model(net)
    assert "Option-line-cover" not in model.constraints
    assert "Option-line-flow" not in model.constraints
    assert plan(net).objective == pytest.approx(10500.0, rel=1e-9)
