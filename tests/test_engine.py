"""Tiny hand-built networks whose optimum is worked out by hand in each docstring.

Every network is a variation of one base: a phone PH made at plant PL from a
battery BAT, bought in India (SIN, Rs 110, fully local) or China (SCN, Rs 100,
no local content, pays the Indian duty on arrival), sold in one market MK.
Conversion costs Rs 50 per phone; lanes are free unless a test says otherwise.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

import emsplan
from emsplan.planning.pipeline import plan

Rows = list[dict[str, Any]]


def network(**changes: Rows) -> emsplan.Network:
    """The base network with some tables replaced (see the module docstring)."""
    tables: dict[str, Rows] = {
        "periods": [{"period": "P1", "days": 91}],
        "items": [
            {"item": "PH", "kind": "product", "hs_code": "8517.13"},
            {"item": "BAT", "kind": "component", "hs_code": "8507.60"},
        ],
        "sites": [
            {"site": "SIN", "kind": "supplier", "country": "IN"},
            {"site": "SCN", "kind": "supplier", "country": "CN"},
            {"site": "PL", "kind": "plant", "country": "IN"},
            {"site": "MK", "kind": "market", "country": "IN"},
        ],
        "supply": [
            {"supplier": "SIN", "item": "BAT", "price": 110.0},
            {"supplier": "SCN", "item": "BAT", "price": 100.0},
        ],
        "bom": [{"parent": "PH", "child": "BAT", "qty_per": 1.0}],
        "production": [{"plant": "PL", "item": "PH", "cost": 50.0}],
        "lanes": [
            {"origin": "SIN", "destination": "PL"},
            {"origin": "SCN", "destination": "PL"},
            {"origin": "PL", "destination": "MK"},
        ],
        "demand": [{"market": "MK", "item": "PH", "period": "P1", "qty": 10, "penalty": 1000}],
    }
    tables.update(changes)
    net = emsplan.Network({k: pd.DataFrame(v) for k, v in tables.items()}, name="tiny")
    errors = [str(p) for p in net.check() if p.severity == "error"]
    assert not errors, errors
    return net


def periods(*labels: str) -> Rows:
    return [{"period": p, "days": 91} for p in labels]


def qty(frame: pd.DataFrame, **match: Any) -> float:
    """Total qty of the rows matching every column=value given."""
    mask = pd.Series(True, index=frame.index)
    for column, value in match.items():
        mask &= frame[column] == value
    return float(frame.loc[mask, "qty"].sum())


def test_duty_makes_local_cheaper() -> None:
    """Import: 100 + 15% duty = 115 > local 110, so buy 10 local.

    Objective = 10 x (110 + 50) = 1600.
    """
    result = plan(network(duties=[{"hs_code": "8507", "rate": 0.15}]))
    assert result.objective == pytest.approx(1600.0, rel=1e-9)
    assert qty(result.purchases, supplier="SIN") == pytest.approx(10)
    assert qty(result.purchases, supplier="SCN") == pytest.approx(0)


def test_duty_change_flips_the_choice_in_a_later_period() -> None:
    """Duty 15% in P1, 5% from P2 (an item row beats the hs row only where it applies).

    P1: import 115 > local 110 -> local. P2: import 105 < local 110 -> import.
    Buying P2's batteries in P1 would cost 110 + holding 2 > 105. Objective =
    10 x 110 + 10 x 105 + 20 x 50 = 3150; duty paid = 10 x 5 = 50.
    """
    net = network(
        periods=periods("P1", "P2"),
        items=[
            {"item": "PH", "kind": "product", "hs_code": "8517.13"},
            {"item": "BAT", "kind": "component", "hs_code": "8507.60", "holding_cost": 2.0},
        ],
        duties=[
            {"hs_code": "8507", "rate": 0.15, "period_to": "P1"},
            {"hs_code": "8507", "rate": 0.05, "period_from": "P2"},
        ],
        demand=[
            {"market": "MK", "item": "PH", "period": p, "qty": 10, "penalty": 1000}
            for p in ("P1", "P2")
        ],
    )
    result = plan(net)
    assert result.objective == pytest.approx(3150.0, rel=1e-9)
    assert qty(result.purchases, supplier="SIN", period="P1") == pytest.approx(10)
    assert qty(result.purchases, supplier="SCN", period="P2") == pytest.approx(10)
    assert result.flows["duty"].sum() == pytest.approx(50.0)


def test_multi_level_bom_and_subassembly_between_plants() -> None:
    """PH <- PCBA (1) <- CHIP (2). PCBA is made at PA (cost 10) and moved to PL
    (lane cost 3); CHIP costs 20 from SIN.

    One phone = 50 + 3 + 10 + 2 x 20 = 103; objective = 10 x 103 = 1030.
    """
    net = network(
        items=[
            {"item": "PH", "kind": "product"},
            {"item": "PCBA", "kind": "subassembly"},
            {"item": "CHIP", "kind": "component"},
        ],
        sites=[
            {"site": "SIN", "kind": "supplier", "country": "IN"},
            {"site": "PA", "kind": "plant", "country": "IN"},
            {"site": "PL", "kind": "plant", "country": "IN"},
            {"site": "MK", "kind": "market", "country": "IN"},
        ],
        supply=[{"supplier": "SIN", "item": "CHIP", "price": 20.0}],
        bom=[
            {"parent": "PH", "child": "PCBA", "qty_per": 1.0},
            {"parent": "PCBA", "child": "CHIP", "qty_per": 2.0},
        ],
        production=[
            {"plant": "PL", "item": "PH", "cost": 50.0},
            {"plant": "PA", "item": "PCBA", "cost": 10.0},
        ],
        lanes=[
            {"origin": "SIN", "destination": "PA"},
            {"origin": "PA", "destination": "PL", "cost": 3.0},
            {"origin": "PL", "destination": "MK"},
        ],
    )
    result = plan(net)
    assert result.objective == pytest.approx(1030.0, rel=1e-9)
    assert qty(result.purchases, item="CHIP") == pytest.approx(20)
    assert qty(result.flows, origin="PA", item="PCBA") == pytest.approx(10)
    kpi = result.kpis.set_index(["kpi", "scope"])["value"]
    assert kpi[("unit_cost", "PCBA")] == pytest.approx(10 + 2 * 20 + 3)
    assert kpi[("delivered_cost", "PH")] == pytest.approx(103.0)


def test_plant_specific_bom_replaces_the_general_rows() -> None:
    """At plant PL2 the phone takes 2 batteries (plant-specific row), elsewhere 1.

    Only PL2 can reach the market, so 10 phones need 20 batteries:
    objective = 20 x 110 + 10 x 50 = 2700 (SCN is not connected).
    """
    net = network(
        sites=[
            {"site": "SIN", "kind": "supplier", "country": "IN"},
            {"site": "PL2", "kind": "plant", "country": "IN"},
            {"site": "MK", "kind": "market", "country": "IN"},
        ],
        supply=[{"supplier": "SIN", "item": "BAT", "price": 110.0}],
        bom=[
            {"parent": "PH", "child": "BAT", "qty_per": 1.0},
            {"parent": "PH", "child": "BAT", "qty_per": 2.0, "site": "PL2"},
        ],
        production=[{"plant": "PL2", "item": "PH", "cost": 50.0}],
        lanes=[{"origin": "SIN", "destination": "PL2"}, {"origin": "PL2", "destination": "MK"}],
    )
    result = plan(net)
    assert result.objective == pytest.approx(2700.0, rel=1e-9)


def test_lead_times_shift_arrivals_and_leave_early_demand_unmet() -> None:
    """Supply lead time 1 and lane lead time 1 from SIN: a battery bought in P1 is at
    the plant in P3 at the earliest. Demand 5 in P2 cannot be met (penalty 1000);
    demand 5 in P3 is met. Objective = 5 x 1000 + 5 x (110 + 50) = 5800.
    """
    net = network(
        periods=periods("P1", "P2", "P3"),
        supply=[{"supplier": "SIN", "item": "BAT", "price": 110.0, "lead_time": 1}],
        lanes=[
            {"origin": "SIN", "destination": "PL", "lead_time": 1},
            {"origin": "PL", "destination": "MK"},
        ],
        demand=[
            {"market": "MK", "item": "PH", "period": p, "qty": 5, "penalty": 1000}
            for p in ("P2", "P3")
        ],
    )
    result = plan(net)
    assert result.objective == pytest.approx(5800.0, rel=1e-9)
    assert qty(result.unmet, period="P2") == pytest.approx(5)
    assert qty(result.purchases, period="P1") == pytest.approx(5)
    assert qty(result.production, period="P3") == pytest.approx(5)


def test_inventory_builds_up_before_a_capacity_crunch() -> None:
    """Line capacity 10 phones a period; demand 5 in P1 and 15 in P2; holding a
    phone costs 1 a period. With no duty SCN's battery (100) is the cheaper:
    make 10 in each period and carry 5 phones from P1 to P2, so the objective
    = 20 x (100 + 50) + 5 x 1 = 3005.
    """
    net = network(
        periods=periods("P1", "P2"),
        items=[
            {"item": "PH", "kind": "product", "holding_cost": 1.0},
            {"item": "BAT", "kind": "component", "holding_cost": 1.0},
        ],
        production=[{"plant": "PL", "item": "PH", "cost": 50.0, "resource": "line"}],
        resources=[{"plant": "PL", "resource": "line", "capacity": 10.0}],
        demand=[
            {"market": "MK", "item": "PH", "period": "P1", "qty": 5, "penalty": 1000},
            {"market": "MK", "item": "PH", "period": "P2", "qty": 15, "penalty": 1000},
        ],
    )
    result = plan(net)
    assert result.objective == pytest.approx(3005.0, rel=1e-9)
    assert qty(result.production, period="P1") == pytest.approx(10)
    assert qty(result.inventory, site="PL", item="PH", period="P1") == pytest.approx(5)


def test_time_varying_capacity_and_its_shadow_price() -> None:
    """Line capacity 10, raised to 20 in P2 by a period row; demand 15 in each period.
    P1: 5 unmet at 1000. One more unit of line capacity in P1 saves 1000 - 150 = 850.
    Objective = 25 x 150 + 5 x 1000 = 8750.
    """
    net = network(
        periods=periods("P1", "P2"),
        production=[{"plant": "PL", "item": "PH", "cost": 50.0, "resource": "line"}],
        resources=[
            {"plant": "PL", "resource": "line", "capacity": 10.0},
            {"plant": "PL", "resource": "line", "period": "P2", "capacity": 20.0},
        ],
        demand=[
            {"market": "MK", "item": "PH", "period": p, "qty": 15, "penalty": 1000}
            for p in ("P1", "P2")
        ],
    )
    result = plan(net)
    assert result.objective == pytest.approx(8750.0, rel=1e-9)
    assert qty(result.unmet, period="P1") == pytest.approx(5)
    b = result.bottlenecks
    row = b[(b["constraint"] == "Resource-capacity") & (b["period"] == "P1")]
    assert row["value_per_unit"].tolist() == pytest.approx([850.0])
    util = result.kpis[(result.kpis["kpi"] == "utilisation") & (result.kpis["period"] == "P2")]
    assert util["value"].tolist() == pytest.approx([15 / 20])


def test_supply_capacity_splits_the_purchase() -> None:
    """SCN can deliver only 4 batteries: 4 x 100 + 6 x 110 + 10 x 50 = 1560."""
    net = network(
        supply=[
            {"supplier": "SIN", "item": "BAT", "price": 110.0},
            {"supplier": "SCN", "item": "BAT", "price": 100.0, "capacity": 4.0},
        ]
    )
    result = plan(net)
    assert result.objective == pytest.approx(1560.0, rel=1e-9)
    b = result.bottlenecks
    assert b.loc[b["constraint"] == "Supply-capacity", "value_per_unit"].tolist() == (
        pytest.approx([10.0])
    )


def test_network_target_binds() -> None:
    """No duty, so imports (100) beat local (110); a network target of 50% local share.

    With x local and y imported: 110x >= 0.5 (110x + 100y) and x + y = 10 give
    y = 1.1x, so x = 10/2.1 and y = 11/2.1. Purchases = 110x + 100y = 2200/2.1;
    objective = 2200/2.1 + 500.
    """
    net = network(targets=[{"scope": "network", "min_local_share": 0.5}])
    result = plan(net)
    assert result.objective == pytest.approx(2200 / 2.1 + 500, rel=1e-9)
    assert qty(result.purchases, supplier="SIN") == pytest.approx(10 / 2.1)
    lc = result.local_content
    assert lc.loc[lc["scope"] == "network", "share"].tolist() == pytest.approx([0.5])


def test_plant_target_binds_only_at_its_plant() -> None:
    """Two plants, each serving its own market of 10 phones; plant PA must reach 100%
    local share, PB has no target and imports. Objective = 10 x 110 + 10 x 100 + 20 x 50
    = 3100.
    """
    sites = [
        {"site": "SIN", "kind": "supplier", "country": "IN"},
        {"site": "SCN", "kind": "supplier", "country": "CN"},
        {"site": "PA", "kind": "plant", "country": "IN"},
        {"site": "PB", "kind": "plant", "country": "IN"},
        {"site": "MA", "kind": "market", "country": "IN"},
        {"site": "MB", "kind": "market", "country": "IN"},
    ]
    lanes = [{"origin": s, "destination": p} for s in ("SIN", "SCN") for p in ("PA", "PB")] + [
        {"origin": "PA", "destination": "MA"},
        {"origin": "PB", "destination": "MB"},
    ]
    net = network(
        sites=sites,
        lanes=lanes,
        production=[{"plant": p, "item": "PH", "cost": 50.0} for p in ("PA", "PB")],
        demand=[
            {"market": m, "item": "PH", "period": "P1", "qty": 10, "penalty": 1000}
            for m in ("MA", "MB")
        ],
        targets=[{"scope": "PA", "min_local_share": 1.0}],
    )
    result = plan(net)
    assert result.objective == pytest.approx(3100.0, rel=1e-9)
    assert qty(result.flows, origin="SIN", destination="PA") == pytest.approx(10)
    assert qty(result.flows, origin="SCN", destination="PB") == pytest.approx(10)


def test_product_target_binds_only_for_its_product() -> None:
    """Two phones PH1 and PH2 at one plant, one battery each, 10 of each sold.
    PH1 must have 100% local content, PH2 has no target: PH1's batteries are
    local, PH2's imported. Objective = 10 x 110 + 10 x 100 + 20 x 50 = 3100.
    (A network target of the same 50% would be met with the same purchases.)
    """
    net = network(
        items=[
            {"item": "PH1", "kind": "product"},
            {"item": "PH2", "kind": "product"},
            {"item": "BAT", "kind": "component"},
        ],
        bom=[{"parent": p, "child": "BAT", "qty_per": 1.0} for p in ("PH1", "PH2")],
        production=[{"plant": "PL", "item": p, "cost": 50.0} for p in ("PH1", "PH2")],
        demand=[
            {"market": "MK", "item": p, "period": "P1", "qty": 10, "penalty": 1000}
            for p in ("PH1", "PH2")
        ],
        targets=[{"scope": "PH1", "min_local_share": 1.0}],
    )
    result = plan(net)
    assert result.objective == pytest.approx(3100.0, rel=1e-9)
    lc = result.local_content
    assert lc.loc[lc["scope"] == "PH1", "share"].tolist() == pytest.approx([1.0])
    assert qty(result.purchases, supplier="SIN") == pytest.approx(10)


def test_product_target_allocation_respects_timing() -> None:
    """Local batteries bought in P2 cannot count for phones made in P1.

    PH (100% local target) is sold 10 in P1 and 10 in P2; SIN's capacity is 10
    a period and SCN is cheaper. Each period's phones need that period's (or
    earlier) local batteries: buy 10 local in each period. Objective =
    20 x 110 + 20 x 50 = 3200.
    """
    net = network(
        periods=periods("P1", "P2"),
        supply=[
            {"supplier": "SIN", "item": "BAT", "price": 110.0, "capacity": 10.0},
            {"supplier": "SCN", "item": "BAT", "price": 100.0},
        ],
        demand=[
            {"market": "MK", "item": "PH", "period": p, "qty": 10, "penalty": 1000}
            for p in ("P1", "P2")
        ],
        targets=[{"scope": "PH", "min_local_share": 1.0}],
    )
    result = plan(net)
    assert result.objective == pytest.approx(3200.0, rel=1e-9)
    assert qty(result.purchases, supplier="SIN", period="P1") == pytest.approx(10)


def test_demand_not_delivered_when_capacity_runs_out() -> None:
    """Line capacity 6, demand 10 at penalty 1000: 6 delivered, 4 unmet.
    Objective = 6 x 150 + 4 x 1000 = 4900; service level 0.6."""
    net = network(
        supply=[{"supplier": "SCN", "item": "BAT", "price": 100.0}],
        production=[{"plant": "PL", "item": "PH", "cost": 50.0, "resource": "line"}],
        resources=[{"plant": "PL", "resource": "line", "capacity": 6.0}],
    )
    result = plan(net)
    assert result.objective == pytest.approx(4900.0, rel=1e-9)
    assert qty(result.unmet) == pytest.approx(4)
    kpi = result.kpis.set_index(["kpi", "period"])["value"]
    assert kpi[("service_level", "all")] == pytest.approx(0.6)


def test_a_penalty_cheaper_than_making_leaves_demand_unmet() -> None:
    """Penalty 120 < 150 = cheapest phone: deliver nothing. Objective = 10 x 120."""
    net = network(
        supply=[{"supplier": "SCN", "item": "BAT", "price": 100.0}],
        demand=[{"market": "MK", "item": "PH", "period": "P1", "qty": 10, "penalty": 120}],
    )
    assert plan(net).objective == pytest.approx(1200.0, rel=1e-9)


def test_export_pays_the_destination_countrys_duty_on_the_customs_value() -> None:
    """An export market in AE with a 5% duty on phones into AE; the phone's customs
    value is given as 200. Duty per phone = 10; objective = 10 x (100 + 50 + 10)."""
    net = network(
        items=[
            {"item": "PH", "kind": "product", "hs_code": "8517.13", "value": 200.0},
            {"item": "BAT", "kind": "component", "hs_code": "8507.60"},
        ],
        sites=[
            {"site": "SCN", "kind": "supplier", "country": "IN"},
            {"site": "PL", "kind": "plant", "country": "IN"},
            {"site": "MK", "kind": "market", "country": "AE"},
        ],
        supply=[{"supplier": "SCN", "item": "BAT", "price": 100.0}],
        lanes=[{"origin": "SCN", "destination": "PL"}, {"origin": "PL", "destination": "MK"}],
        duties=[{"hs_code": "8517", "destination_country": "AE", "rate": 0.05}],
    )
    assert plan(net).objective == pytest.approx(1600.0, rel=1e-9)


def test_extra_functionality_adds_a_user_constraint() -> None:
    """A user constraint: at most 3 batteries from SCN. Objective = 3 x 100 + 7 x 110
    + 500 = 1570."""

    def at_most_three(model: Any, data: Any) -> None:
        buy = model.variables["Supply-buy"]
        model.add_constraints(buy.sel(offer="SCN/BAT").sum() <= 3, name="User-cap")

    result = plan(network(), extra_functionality=at_most_three)
    assert result.objective == pytest.approx(1570.0, rel=1e-9)


def test_local_parts_bought_but_not_consumed_count_for_nothing() -> None:
    """Plant PL must reach 50% local share. A phone consumes one imported CHIP (100,
    import-only) and one local CASE (1): its content is 1/101 local, so no phone can
    be made; the 10 phones go undelivered at 1000 each: objective 10000.

    (Counting deliveries instead of consumption would let PL meet the target by
    receiving 99 extra cases per phone and leaving them in stock, for 10 x 250.)
    """
    net = network(
        items=[
            {"item": "PH", "kind": "product"},
            {"item": "CHIP", "kind": "component"},
            {"item": "CASE", "kind": "component"},
        ],
        supply=[
            {"supplier": "SCN", "item": "CHIP", "price": 100.0},
            {"supplier": "SIN", "item": "CASE", "price": 1.0},
        ],
        bom=[{"parent": "PH", "child": c, "qty_per": 1.0} for c in ("CHIP", "CASE")],
        targets=[{"scope": "PL", "min_local_share": 0.5}],
    )
    result = plan(net)
    assert result.objective == pytest.approx(10000.0, rel=1e-9)
    assert qty(result.purchases) == pytest.approx(0)


def test_large_lps_are_raced_or_solved_by_ipx_with_the_same_plan_and_duals(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """emsplan races HiGHS's parallel dual simplex and IPX (with crossover) on two cores for
    LPs from SIMPLEX_UP_TO variables, and gives them to the dual simplex with Devex pricing
    alone on one core, in a thread that is not the program's main one (a sweep's worker) or
    where racing is not allowed (a job of a server running several); lowered to 1 here, the
    tiny LP is raced. A setting the user gives wins over an entrant's.
    Supply of SIN is capped at 4: buy 4 local (110) and 6 imported (100 + 15% = 115),
    objective 4 x 160 + 6 x 165 = 1630, and one more unit of SIN saves Rs 5 (the dual), the
    same whichever way it was solved. A user's own choice of algorithm is kept."""
    import threading

    from emsplan.optimization import choice

    net = network(
        supply=[
            {"supplier": "SIN", "item": "BAT", "price": 110.0, "capacity": 4.0},
            {"supplier": "SCN", "item": "BAT", "price": 100.0},
        ],
        duties=[{"hs_code": "8507", "rate": 0.15}],
    )
    simplex = plan(net)
    assert simplex.summary["solver_options"] == {}
    assert simplex.summary["solver_race"] is None
    monkeypatch.setattr(choice, "SIMPLEX_UP_TO", 1)
    monkeypatch.setattr(choice, "_cores", lambda: 2)
    raced = plan(net)
    assert raced.summary["solver_race"] == ["simplex", "ipx"]
    assert raced.summary["solver_options"] in (
        {"solver": "simplex", "simplex_strategy": 3, "parallel": "on"},
        {"solver": "ipx"},
    )
    own = plan(net, solver_options={"simplex_strategy": 1, "parallel": "off"})
    assert own.summary["solver_race"] == ["simplex", "ipx"]
    assert own.summary["solver_options"] in (
        {"solver": "simplex", "simplex_strategy": 1, "parallel": "off"},
        {"solver": "ipx", "simplex_strategy": 1, "parallel": "off"},
    )
    in_a_thread: list[Any] = []
    worker = threading.Thread(target=lambda: in_a_thread.append(plan(net)))
    worker.start()
    worker.join()
    choice.allow_race(False)  # as in a job of a server running several
    try:
        not_allowed = plan(net)
    finally:
        choice.allow_race(True)
    monkeypatch.setattr(choice, "_cores", lambda: 1)
    one_core = plan(net)
    for alone in (in_a_thread[0], one_core, not_allowed):
        assert alone.summary["solver_options"] == {
            "solver": "simplex",
            "simplex_dual_edge_weight_strategy": 1,
        }
        assert alone.summary["solver_race"] is None
    for result in (simplex, raced, own, one_core, in_a_thread[0], not_allowed):
        assert result.objective == pytest.approx(1630.0, rel=1e-7)
        assert qty(result.purchases, supplier="SIN") == pytest.approx(4, abs=1e-6)
        row = result.bottlenecks[result.bottlenecks["constraint"] == "Supply-capacity"]
        assert float(row["value_per_unit"].abs().iloc[0]) == pytest.approx(5.0, rel=1e-6)
    monkeypatch.setattr(choice, "_cores", lambda: 2)
    kept = plan(net, solver_options={"solver": "simplex"})
    assert kept.summary["solver_options"] == {"solver": "simplex"}
    assert kept.summary["solver_race"] is None


def test_the_race_stops_the_slower_algorithm() -> None:
    """On the generated M network of seed 1 (about 120,000 variables; benchmarks/README.md:
    HiGHS's default dual simplex 31-34 s, IPX 10-11 s alone) IPX wins a race against the
    default simplex, which is then stopped (interrupted, not run to its end). That the
    raced plan is the optimum is tested above."""
    import highspy

    from emsplan.data.generate import generate
    from emsplan.optimization.build import create_model
    from emsplan.optimization.race import race

    model, _ = create_model(generate("M", seed=1))
    h = model.to_highspy()
    h.setOptionValue("output_flag", False)
    default_simplex, ipx = {"solver": "simplex"}, {"solver": "ipx"}
    winner, entrants = race(h, (default_simplex, ipx), {"output_flag": False})
    assert winner == 1
    assert entrants[1].getModelStatus() == highspy.HighsModelStatus.kOptimal
    assert entrants[0].getModelStatus() == highspy.HighsModelStatus.kInterrupt


def test_an_algorithm_that_fails_leaves_the_race_to_the_others() -> None:
    """The first entrant to end with an unsettled status (here a HiGHS that never solved:
    status not set, as after an algorithm's error) does not win; the next to end solved
    does. When none settles, the first to end without an exception is taken; when all
    raised, the first exception is raised."""
    import queue

    import highspy

    from emsplan.optimization.build import create_model
    from emsplan.optimization.race import _winner

    model, _ = create_model(network())
    failed, solved = model.to_highspy(), model.to_highspy()
    solved.setOptionValue("output_flag", False)
    solved.run()
    assert failed.getModelStatus() == highspy.HighsModelStatus.kNotset
    ends: queue.SimpleQueue[Any] = queue.SimpleQueue()
    for end in ((0, None), (1, None)):
        ends.put(end)
    assert _winner([failed, solved], ends) == 1
    for end in ((1, None), (0, None)):
        ends.put(end)
    assert _winner([failed, failed], ends) == 1
    for end in ((1, RuntimeError("ipx")), (0, RuntimeError("simplex"))):
        ends.put(end)
    with pytest.raises(RuntimeError, match="ipx"):
        _winner([failed, failed], ends)


def test_mips_get_emsplan_mip_settings_and_the_user_wins() -> None:
    """A MIP (test_options' line: 12 phones, opening the line for 500 saves 12 x 50, so
    500 + 12 x 150 = 2300) is solved with emsplan's MIP settings (choice.MIP_SETTINGS,
    today HiGHS's defaults), which the summary records; a setting the user gives is kept
    beside them."""
    from emsplan.optimization.choice import MIP_SETTINGS

    line = {"plant": "PL", "resource": "line"}
    net = network(
        production=[{"plant": "PL", "item": "PH", "cost": 50.0, "resource": "line"}],
        resources=[{**line, "capacity": 0.0}],
        options=[{"option": "L", "kind": "line", **line, "capacity": 100.0, "fixed_cost": 500.0}],
        demand=[{"market": "MK", "item": "PH", "period": "P1", "qty": 12, "penalty": 200}],
    )
    mip = plan(net)
    assert mip.summary["model"]["type"] == "MILP"
    assert mip.summary["solver_options"] == MIP_SETTINGS
    assert mip.objective == pytest.approx(2300.0, rel=1e-9)
    mine = plan(net, solver_options={"mip_heuristic_run_rins": False})
    assert mine.summary["solver_options"] == {**MIP_SETTINGS, "mip_heuristic_run_rins": False}
    assert mine.objective == pytest.approx(2300.0, rel=1e-9)
