"""Policies switching decisions, with hand-computed optima.

Base (tests/test_engine.py): phone PH made at PL (conversion 50) from one
battery, SCN (100, imported, no duty) or SIN (110, local), sold at MK.
"""

from __future__ import annotations

from typing import Any

import pytest

from emsplan.planning.pipeline import plan
from test_engine import network, qty


def _pli(**incentive: Any) -> Any:
    """10 phones at price 200; not delivering costs only 140 < 150 to make one, so
    without an incentive nothing is delivered (objective 1400). The scheme pays 10%
    of incremental sales."""
    row = {"scheme": "PLI", "item": "PH", "rate": 0.1, **incentive}
    return network(
        supply=[{"supplier": "SCN", "item": "BAT", "price": 100.0}],
        demand=[
            {"market": "MK", "item": "PH", "period": "P1", "qty": 10, "price": 200, "penalty": 140}
        ],
        incentives=[row],
    )


def test_incentive_threshold_just_met_switches_to_delivering() -> None:
    """Threshold 2000 = all 10 phones' sales: deliver all, earn 200. 1500 - 200 = 1300."""
    result = plan(_pli(min_incremental_sales=2000.0))
    assert result.objective == pytest.approx(1300.0, rel=1e-9)
    row = result.policy[result.policy["policy"] == "incentive"].iloc[0]
    assert bool(row["qualified"])
    assert row["value"] == pytest.approx(200.0)
    assert row["margin"] == pytest.approx(0.0, abs=1e-6)
    costs = result.costs.groupby("category")["value"].sum()
    assert costs["incentives"] == pytest.approx(-200.0)


def test_incentive_threshold_just_missed_earns_nothing() -> None:
    """Threshold 2001 cannot be reached: nothing delivered, objective 1400."""
    result = plan(_pli(min_incremental_sales=2001.0))
    assert result.objective == pytest.approx(1400.0, rel=1e-9)
    row = result.policy[result.policy["policy"] == "incentive"].iloc[0]
    assert not bool(row["qualified"])
    assert row["value"] == pytest.approx(0.0, abs=1e-6)


def test_incentive_cap_limits_the_payout() -> None:
    """Cap 50: delivering k phones costs 150k + 140 (10 - k) - min(20k, 50), least at
    k = 2.5: objective 1400 - 10 x 2.5 = 1375."""
    result = plan(_pli(cap=50.0))
    assert result.objective == pytest.approx(1375.0, rel=1e-9)
    assert qty(result.unmet) == pytest.approx(7.5)


def test_incentive_needs_the_minimum_unit_price() -> None:
    """Only phones at 250 or more are eligible: the 200 phone earns nothing (1400)."""
    assert plan(_pli(min_unit_price=250.0)).objective == pytest.approx(1400.0, rel=1e-9)


def test_incentive_over_base_sales() -> None:
    """Base 1000: 10% of (2000 - 1000) = 100; 1500 - 100 = 1400 ties the 1400 of not
    delivering; with base 500 the incentive is 150 and delivering wins: 1350."""
    assert plan(_pli(base_sales=500.0)).objective == pytest.approx(1350.0, rel=1e-9)


def _cepa(rules: bool) -> Any:
    """Phones exported to AE (customs value 200) pay 20% there, 0% under the rule if
    value content of the period's production, (domestic materials + conversion) /
    FOB, is at least 40%. All imported batteries: (0 + 10 x 50) / 2000 = 25%, so
    10 x (100 + 50 + 40) = 1900. With x local batteries (120): (120x + 500) / 2000
    >= 0.4 needs x = 2.5, for 2.5 x 20 more than imports and no duty at all:
    1500 + 50 = 1550."""
    tables: dict[str, Any] = dict(
        items=[
            {"item": "PH", "kind": "product", "hs_code": "8517.13", "value": 200.0},
            {"item": "BAT", "kind": "component", "hs_code": "8507.60"},
        ],
        sites=[
            {"site": "SIN", "kind": "supplier", "country": "IN"},
            {"site": "SCN", "kind": "supplier", "country": "CN"},
            {"site": "PL", "kind": "plant", "country": "IN"},
            {"site": "MK", "kind": "market", "country": "AE"},
        ],
        supply=[
            {"supplier": "SIN", "item": "BAT", "price": 120.0},
            {"supplier": "SCN", "item": "BAT", "price": 100.0},
        ],
        duties=[{"hs_code": "8517", "destination_country": "AE", "rate": 0.20}],
    )
    if rules:
        tables["trade_rules"] = [
            {
                "agreement": "CEPA",
                "destination_country": "AE",
                "hs_code": "8517",
                "min_value_content": 0.40,
                "preferential_rate": 0.0,
            }
        ]
    return network(**tables)


def test_rule_of_origin_switches_to_the_local_supplier() -> None:
    without = plan(_cepa(rules=False))
    assert without.objective == pytest.approx(1900.0, rel=1e-9)
    assert qty(without.purchases, supplier="SCN") == pytest.approx(10)
    result = plan(_cepa(rules=True))
    assert result.objective == pytest.approx(1550.0, rel=1e-9)
    assert qty(result.purchases, supplier="SIN") == pytest.approx(2.5)
    assert result.flows["duty"].sum() == pytest.approx(0.0, abs=1e-6)
    row = result.policy[result.policy["policy"] == "trade_rule"].iloc[0]
    assert bool(row["qualified"])
    assert row["measure"] == pytest.approx(0.40)
    assert row["value"] == pytest.approx(400.0)
    # DVA at PL: (2000 of phones - 7.5 imported batteries x 100) / 2000
    lc = result.local_content
    dva = lc[(lc["basis"] == "dva") & (lc["scope"] == "PL/PH")]
    assert dva["share"].tolist() == pytest.approx([1250 / 2000])


def test_rule_of_origin_met_with_the_least_local_content() -> None:
    """With the local battery at 300, (300x + 500) / 2000 >= 0.4 needs x = 1 local
    battery, 200 dearer than an import but far below the 400 of duty saved:
    objective 1500 + 200 = 1700."""
    net = _cepa(rules=True)
    net.supply.loc[net.supply["supplier"] == "SIN", "price"] = 300.0
    assert plan(net).objective == pytest.approx(1700.0, rel=1e-9)
