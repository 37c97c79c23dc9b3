"""Network-design decisions with hand-computed optima: sites that open and close,
production contracts (the choice between partners), single-sourced markets.

Every plan is also written and handed to the independent checker
(tests/plan_checker.py), which rebuilds each rule from the input and the written plan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import emsplan
from emsplan.optimization.build import create_model
from plan_checker import check_plan

Rows = list[dict[str, Any]]


def _network(**tables: Rows) -> emsplan.Network:
    net = emsplan.Network({k: pd.DataFrame(v) for k, v in tables.items()}, name="design")
    errors = [str(p) for p in net.check() if p.severity == "error"]
    assert not errors, errors
    return net


def _planned(net: emsplan.Network, tmp_path: Path) -> Any:
    """Plan, write, and check the written plan independently."""
    result = emsplan.plan(net)
    result.write(tmp_path)
    assert check_plan(net, tmp_path) == []
    return result


def _periods(n: int) -> Rows:
    return [{"period": f"P{k + 1}", "days": 91} for k in range(n)]


# -- sites: open a candidate plant ----------------------------------------------------------
def _plants(n_periods: int, **option: Any) -> emsplan.Network:
    """Item X; P0 makes it at 10, P1 (a candidate) at 6; market M wants 100 a period
    (must be met); lanes cost nothing."""
    return _network(
        periods=_periods(n_periods),
        items=[{"item": "X", "kind": "product"}],
        sites=[
            {"site": "P0", "kind": "plant", "country": "IN"},
            {"site": "P1", "kind": "plant", "country": "IN"},
            {"site": "M", "kind": "market", "country": "IN"},
        ],
        production=[
            {"plant": "P0", "item": "X", "cost": 10.0},
            {"plant": "P1", "item": "X", "cost": 6.0},
        ],
        lanes=[{"origin": "P0", "destination": "M"}, {"origin": "P1", "destination": "M"}],
        demand=[
            {"market": "M", "item": "X", "period": p["period"], "qty": 100.0}
            for p in _periods(n_periods)
        ],
        options=[{"option": "open-P1", "kind": "site", "site": "P1", **option}],
    )


@pytest.mark.parametrize(("fixed", "objective", "opened"), [(300.0, 900.0, 1), (500.0, 1000.0, 0)])
def test_a_candidate_plant_opens_only_above_break_even(
    fixed: float, objective: float, opened: int, tmp_path: Path
) -> None:
    """Opening P1 saves 100 x 4 = 400 a period: at fixed 300 it opens (300 + 600 = 900),
    at 500 it stays closed (100 x 10 = 1000)."""
    result = _planned(_plants(1, fixed_cost=fixed), tmp_path)
    assert result.objective == pytest.approx(objective, rel=1e-9)
    assert result.options["open"].tolist() == [opened]
    made = result.production.groupby("plant")["qty"].sum()
    assert made.get("P1", 0.0) == pytest.approx(100.0 * opened)


def test_an_opening_cost_is_paid_once_in_the_period_it_opens(tmp_path: Path) -> None:
    """Fixed 100, opening 500, two periods. Open from P1: 500 + 2 x 100 + 2 x 600 = 1900
    (closed: 2000; open in the 2nd only: 500 + 100 + 1000 + 600 = 2200)."""
    result = _planned(_plants(2, fixed_cost=100.0, opening_cost=500.0), tmp_path)
    assert result.objective == pytest.approx(1900.0, rel=1e-9)
    options = result.options.set_index("period")
    assert options["open"].tolist() == [1, 1]
    assert options.loc["P1", "event"] == "opened"
    assert options.loc["P1", "one_off_cost"] == pytest.approx(500.0)
    assert pd.isna(options.loc["P2", "event"])
    costs = result.costs.groupby("category")["value"].sum()
    assert costs["opening"] == pytest.approx(500.0)
    assert costs["fixed"] == pytest.approx(200.0)


def test_a_candidate_does_not_exist_before_its_period_from(tmp_path: Path) -> None:
    """From P2 only: opening there costs 500 + 100 + 600 + 1000 (P1 from P0) = 2200 > 2000:
    stays closed; the plan has no option row for P1."""
    net = _plants(2, fixed_cost=100.0, opening_cost=500.0, period_from="P2")
    result = _planned(net, tmp_path)
    assert result.objective == pytest.approx(2000.0, rel=1e-9)
    assert result.options["period"].tolist() == ["P2"]
    assert result.options["open"].tolist() == [0]


def test_a_closed_candidate_plant_makes_nothing_even_when_cheaper(tmp_path: Path) -> None:
    """A huge fixed cost keeps P1 shut; P1 would make everything at 6 if it could."""
    result = _planned(_plants(2, fixed_cost=1e6), tmp_path)
    assert result.objective == pytest.approx(2000.0, rel=1e-9)
    assert "P1" not in set(result.production["plant"])


# -- sites: close an existing warehouse -----------------------------------------------------
def _warehouse(closing_cost: float, **option: Any) -> emsplan.Network:
    """Plant P (cost 0); existing warehouse W (running cost 300 a period); market M wants
    100 a period. Through W costs 0 + 1 a unit, direct P -> M 2.5 a unit."""
    return _network(
        periods=_periods(2),
        items=[{"item": "X", "kind": "product"}],
        sites=[
            {"site": "P", "kind": "plant", "country": "IN"},
            {"site": "W", "kind": "warehouse", "country": "IN"},
            {"site": "M", "kind": "market", "country": "IN"},
        ],
        production=[{"plant": "P", "item": "X", "cost": 0.0}],
        lanes=[
            {"origin": "P", "destination": "W", "cost": 0.0},
            {"origin": "W", "destination": "M", "cost": 1.0},
            {"origin": "P", "destination": "M", "cost": 2.5},
        ],
        demand=[{"market": "M", "item": "X", "period": p, "qty": 100.0} for p in ("P1", "P2")],
        options=[
            {
                "option": "keep-W",
                "kind": "site",
                "site": "W",
                "existing": 1,
                "fixed_cost": 300.0,
                "closing_cost": closing_cost,
                **option,
            }
        ],
    )


def test_closing_a_warehouse_that_costs_more_than_it_saves(tmp_path: Path) -> None:
    """Keep: 2 x (300 + 100) = 800; close in P1: 200 + 2 x 250 = 700 (optimum); close in
    P2: 400 + 200 + 250 = 850."""
    result = _planned(_warehouse(200.0), tmp_path)
    assert result.objective == pytest.approx(700.0, rel=1e-9)
    options = result.options.set_index("period")
    assert options["open"].tolist() == [0, 0]
    assert options.loc["P1", "event"] == "closed"
    assert options.loc["P1", "one_off_cost"] == pytest.approx(200.0)
    assert set(result.flows["origin"]) == {"P"}
    assert result.costs.groupby("category")["value"].sum()["closing"] == pytest.approx(200.0)


def test_a_dear_closure_keeps_the_warehouse(tmp_path: Path) -> None:
    """Closing at 400 costs 400 + 500 = 900 > 800: keep it."""
    result = _planned(_warehouse(400.0), tmp_path)
    assert result.objective == pytest.approx(800.0, rel=1e-9)
    assert result.options["open"].tolist() == [1, 1]
    assert result.options["event"].isna().all()


def test_a_closable_site_may_close_and_reopen(tmp_path: Path) -> None:
    """Demand only in P1 and P3; the warehouse costs 300 a period open, saving 150 a period
    of demand. Closable with no one-off costs: open in P1 and P3 only."""
    net = _warehouse(0.0, closable=1)
    tables = {k: v for k, v in net.tables.items() if len(v)}
    tables["periods"] = pd.DataFrame(_periods(3))
    tables["demand"] = pd.DataFrame(
        [{"market": "M", "item": "X", "period": p, "qty": 400.0} for p in ("P1", "P3")]
    )
    net = _network(**{k: v.to_dict("records") for k, v in tables.items()})
    result = _planned(net, tmp_path)
    # open: 300 + 400 x 1 = 700 < 400 x 2.5 = 1000 each demand period; closed in P2.
    assert result.objective == pytest.approx(1400.0, rel=1e-9)
    assert result.options["open"].tolist() == [1, 0, 1]
    assert result.options["event"].tolist()[1:] == ["closed", "opened"]


def test_site_rows_exist_only_where_they_mean_something() -> None:
    """Site-idle for W in each period; no Site-direction rows for a closable option."""
    model, _ = create_model(_warehouse(0.0, closable=1))
    assert model.constraints["Site-idle"].labels.shape == (1, 2)
    assert "Site-direction" not in model.constraints
    model, _ = create_model(_warehouse(0.0))
    assert "Site-direction" in model.constraints


# -- production contracts: the choice between partners -----------------------------------
def _partners(demand: float, min_qty: float | None = None) -> emsplan.Network:
    """Plants A (X at 10, contract 500 a period) and B (X at 15, contract 100); X is in
    group audio and the contracts name the group."""
    contract_a: dict[str, Any] = {"option": "audio-A", "kind": "contract", "plant": "A"}
    if min_qty is not None:
        contract_a["min_qty"] = min_qty
    return _network(
        periods=_periods(1),
        items=[{"item": "X", "kind": "product", "group": "audio"}],
        sites=[
            {"site": "A", "kind": "plant", "country": "IN"},
            {"site": "B", "kind": "plant", "country": "IN"},
            {"site": "M", "kind": "market", "country": "IN"},
        ],
        production=[
            {"plant": "A", "item": "X", "cost": 10.0},
            {"plant": "B", "item": "X", "cost": 15.0},
        ],
        lanes=[{"origin": "A", "destination": "M"}, {"origin": "B", "destination": "M"}],
        demand=[{"market": "M", "item": "X", "period": "P1", "qty": demand}],
        options=[
            {**contract_a, "item": "audio", "fixed_cost": 500.0},
            {
                "option": "audio-B",
                "kind": "contract",
                "plant": "B",
                "item": "audio",
                "fixed_cost": 100.0,
            },
        ],
    )


@pytest.mark.parametrize(
    ("demand", "min_qty", "objective", "partner"),
    [(100.0, None, 1500.0, "A"), (50.0, None, 850.0, "B"), (100.0, 120.0, 1600.0, "B")],
)
def test_a_production_contract_picks_the_partner(
    demand: float, min_qty: float | None, objective: float, partner: str, tmp_path: Path
) -> None:
    """100 units: A 500 + 1000 = 1500 < B 100 + 1500 = 1600. 50 units: B 100 + 750 = 850 <
    A 1000. A's minimum of 120 makes A 500 + 1200 = 1700 > 1600: B."""
    result = _planned(_partners(demand, min_qty), tmp_path)
    assert result.objective == pytest.approx(objective, rel=1e-9)
    opened = result.options.loc[result.options["open"] == 1, "option"].tolist()
    assert opened == [f"audio-{partner}"]
    assert set(result.production["plant"]) == {partner}
    assert set(result.options["site"]) == {"A", "B"}


# -- single-sourced markets ---------------------------------------------------------------
def _two_markets(**option: Any) -> emsplan.Network:
    """Plants A and B make X (cost 0) on a line of 100 a period; markets M1 (80) and M2
    (40), must be met. Lanes: A->M1 1, B->M1 2, A->M2 1, B->M2 4."""
    options = [{"option": "one-source", "kind": "market_source", **option}] if option else []
    return _network(
        **({"options": options} if options else {}),
        periods=_periods(1),
        items=[{"item": "X", "kind": "product"}],
        sites=[
            {"site": "A", "kind": "plant", "country": "IN"},
            {"site": "B", "kind": "plant", "country": "IN"},
            {"site": "M1", "kind": "market", "country": "IN"},
            {"site": "M2", "kind": "market", "country": "IN"},
        ],
        production=[
            {"plant": "A", "item": "X", "resource": "LINE"},
            {"plant": "B", "item": "X", "resource": "LINE"},
        ],
        resources=[
            {"plant": "A", "resource": "LINE", "capacity": 100.0},
            {"plant": "B", "resource": "LINE", "capacity": 100.0},
        ],
        lanes=[
            {"origin": "A", "destination": "M1", "cost": 1.0},
            {"origin": "B", "destination": "M1", "cost": 2.0},
            {"origin": "A", "destination": "M2", "cost": 1.0},
            {"origin": "B", "destination": "M2", "cost": 4.0},
        ],
        demand=[
            {"market": "M1", "item": "X", "period": "P1", "qty": 80.0},
            {"market": "M2", "item": "X", "period": "P1", "qty": 40.0},
        ],
    )


def _origins(result: Any) -> dict[str, set[str]]:
    flows = result.flows[result.flows["qty"] > 1e-6]
    return {m: set(g["origin"]) for m, g in flows.groupby("destination")}


def test_without_single_sourcing_a_market_is_split(tmp_path: Path) -> None:
    """M2 40 from A, M1 60 from A and 20 from B: 40 + 60 + 40 = 140."""
    result = _planned(_two_markets(), tmp_path)
    assert result.objective == pytest.approx(140.0, rel=1e-9)
    assert _origins(result) == {"M1": {"A", "B"}, "M2": {"A"}}


def test_single_sourcing_every_market_changes_the_answer(tmp_path: Path) -> None:
    """M1 wholly from B, M2 from A: 160 + 40 = 200 (M1 from A forces M2 from B: 240)."""
    result = _planned(_two_markets(item="X"), tmp_path)
    assert result.objective == pytest.approx(200.0, rel=1e-9)
    assert _origins(result) == {"M1": {"B"}, "M2": {"A"}}
    chosen = result.options.set_index("site")["origin"].to_dict()
    assert chosen == {"M1": "B", "M2": "A"}


def test_single_sourcing_one_market_only(tmp_path: Path) -> None:
    """M1 from A (80), M2 20 from A + 20 from B (20 + 80): 180."""
    result = _planned(_two_markets(market="M1"), tmp_path)
    assert result.objective == pytest.approx(180.0, rel=1e-6)  # HiGHS's integrality tolerance
    assert _origins(result) == {"M1": {"A"}, "M2": {"A", "B"}}


# -- channels and the profit objective ----------------------------------------------------
def _channels(fixed: float, objective: str = "profit") -> emsplan.Network:
    """P makes X at 60; M1 (100 at 100) and M3 (10 at 50) exist; M2 is a candidate channel
    (50 at 100, fixed 1500 or more a period). Lanes cost nothing."""
    return _network(
        settings=[{"setting": "objective", "value": objective}],
        periods=_periods(1),
        items=[{"item": "X", "kind": "product"}],
        sites=[
            {"site": "P", "kind": "plant", "country": "IN"},
            *({"site": m, "kind": "market", "country": "IN"} for m in ("M1", "M2", "M3")),
        ],
        production=[{"plant": "P", "item": "X", "cost": 60.0}],
        lanes=[{"origin": "P", "destination": m} for m in ("M1", "M2", "M3")],
        demand=[
            {"market": "M1", "item": "X", "period": "P1", "qty": 100.0, "price": 100.0},
            {"market": "M2", "item": "X", "period": "P1", "qty": 50.0, "price": 100.0},
            {"market": "M3", "item": "X", "period": "P1", "qty": 10.0, "price": 50.0},
        ],
        options=[{"option": "open-M2", "kind": "site", "site": "M2", "fixed_cost": fixed}],
    )


def test_a_channel_opens_when_its_margin_pays_its_fixed_cost(tmp_path: Path) -> None:
    """M2's margin 50 x (100 - 60) = 2000 > 1500: open. M3 (price 50 < cost 60) unserved.
    Objective 9000 + 1500 + 500 (lost) - 5000 = 6000; profit 10500 - 6000 = 4500."""
    result = _planned(_channels(1500.0), tmp_path)
    assert result.objective == pytest.approx(6000.0, rel=1e-9)
    assert result.options["open"].tolist() == [1]
    assert result.summary["objective_kind"] == "profit"
    assert result.summary["profit"] == pytest.approx(4500.0, rel=1e-9)
    assert result.summary["revenue"] == pytest.approx(15000.0, rel=1e-9)
    assert set(result.unmet.loc[result.unmet["qty"] > 0, "market"]) == {"M3"}
    costs = result.costs.groupby("category")["value"].sum()
    assert costs["lost_revenue"] == pytest.approx(500.0)
    assert costs["new_channel_revenue"] == pytest.approx(-5000.0)
    kpis = result.kpis.set_index(["kpi", "period"])["value"] if "kpi" in result.kpis else None
    if kpis is not None:
        assert kpis[("total_cost", "all")] == pytest.approx(10500.0)


def test_a_channel_stays_closed_when_its_fixed_cost_is_dearer(tmp_path: Path) -> None:
    """Fixed 2500 > margin 2000: closed; objective 6000 + 500 = 6500, profit 4000."""
    result = _planned(_channels(2500.0), tmp_path)
    assert result.objective == pytest.approx(6500.0, rel=1e-9)
    assert result.options["open"].tolist() == [0]
    assert result.summary["profit"] == pytest.approx(4000.0, rel=1e-9)
    assert "M2" not in set(result.flows["destination"])


def test_under_the_cost_objective_a_channel_never_opens(tmp_path: Path) -> None:
    """Cost: opening M2 only adds demand to serve (M1 and M3 must be met: 110 x 60)."""
    result = _planned(_channels(0.0, objective="cost"), tmp_path)
    assert result.options["open"].tolist() == [0]
    assert result.objective == pytest.approx(6600.0, rel=1e-9)
    assert result.summary["objective_kind"] == "cost"


def test_compare_lists_the_channel_and_market_origin_decisions() -> None:
    """Two plans that differ in the channel opened and in where a market is served from:
    the comparison's decisions name both."""
    opened, shut = emsplan.plan(_channels(1500.0)), emsplan.plan(_channels(2500.0))
    decisions = emsplan.compare([opened, shut]).decisions
    row = decisions[decisions["decision"] == "option open"]
    assert row["element"].tolist() == ["open-M2@P1"]
    assert row.iloc[0, 2:].tolist() == ["yes", "-"]
    one, other = emsplan.plan(_two_markets(item="X")), emsplan.plan(_two_markets(market="M1"))
    served = emsplan.compare([one, other]).decisions
    served = served[served["decision"] == "market served from"]
    assert set(served["element"]) == {"one-source:M1<-B", "one-source:M2<-A", "one-source:M1<-A"}


def test_stress_keeps_the_market_origins_and_sites_of_the_plan() -> None:
    """With the plan's decisions fixed (as ``stress`` does), a market keeps its origin and a
    site its state even where the changed network would choose otherwise: B->M1 at 10 a
    unit makes M1-from-A (80 + 160 = 240) cheaper than M1-from-B (800 + 40 = 840)."""
    from functools import partial

    from emsplan.scenarios.sweep import fix_choices, unused_choices
    from emsplan.store import decisions

    base = _two_markets(item="X")
    chosen = decisions(emsplan.plan(base).tables, base)
    assert chosen["market_sources"] == ["one-source:M1<-B", "one-source:M2<-A"]
    tables = {k: v.copy() for k, v in base.tables.items() if len(v)}
    tables["lanes"].loc[
        (tables["lanes"]["origin"] == "B") & (tables["lanes"]["destination"] == "M1"), "cost"
    ] = 10.0
    dearer = emsplan.Network(tables, name="dearer")
    assert emsplan.plan(dearer).objective == pytest.approx(240.0, rel=1e-6)
    fix = partial(fix_choices, unused=unused_choices(dearer, chosen), chosen=chosen)
    assert emsplan.plan(dearer, extra_functionality=fix).objective == pytest.approx(840.0, rel=1e-6)

    shut = _plants(1, fixed_cost=500.0)  # P1 stays closed at 1000
    kept = decisions(emsplan.plan(shut).tables, shut)
    cheaper = _plants(1, fixed_cost=100.0)  # P1 would open: 100 + 600 = 700
    fix = partial(fix_choices, unused=unused_choices(cheaper, kept), chosen=kept)
    assert emsplan.plan(cheaper, extra_functionality=fix).objective == pytest.approx(1000.0)


def test_a_closed_channel_sells_nothing_towards_an_incentive(tmp_path: Path) -> None:
    """An incentive pays 20% of sales above 10,000 once they exceed it by 5,000: only M2's
    sales (50 x 100) get there. M2 alone does not pay its fee (margin 2000 < 2500), with
    the incentive it does: 9000 + 2500 - 5000 - 1000 = 5500 < 6000 (closed, no incentive:
    a closed channel's demand does not exist, so it cannot count as sales)."""
    tables = {k: v.copy() for k, v in _channels(2500.0).tables.items() if len(v)}
    tables["demand"] = tables["demand"][tables["demand"]["market"] != "M3"]
    tables["incentives"] = pd.DataFrame(
        [
            {
                "scheme": "S",
                "item": "X",
                "rate": 0.2,
                "base_sales": 10_000.0,
                "min_incremental_sales": 5_000.0,
            }
        ]
    )
    net = emsplan.Network(tables, name="incentive")
    result = _planned(net, tmp_path)
    assert result.objective == pytest.approx(5500.0, rel=1e-9)
    assert result.options["open"].tolist() == [1]
    assert result.policy["value"].sum() == pytest.approx(1000.0)
    assert result.summary["profit"] == pytest.approx(4500.0, rel=1e-9)
