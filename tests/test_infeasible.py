"""Infeasible models are explained in the planner's words, never a traceback."""

from __future__ import annotations

import pytest

import emsplan
from test_engine import network


def test_hard_demand_beyond_capacity_is_explained() -> None:
    """Demand of 10 phones must be met in full (blank penalty) but the line makes 6."""
    net = network(
        production=[{"plant": "PL", "item": "PH", "cost": 50.0, "resource": "line"}],
        resources=[{"plant": "PL", "resource": "line", "capacity": 6.0}],
        demand=[{"market": "MK", "item": "PH", "period": "P1", "qty": 10, "price": 200}],
    )
    with pytest.raises(emsplan.PlanningError) as info:
        emsplan.plan(net)
    assert info.value.termination == "infeasible"
    text = "\n".join(info.value.explanation)
    assert "Demand for 10 PH at MK in P1 must be delivered in full" in text
    assert "at most 6 can be: 4 short" in text
    assert "capacity of resource PL/line in P1 (6 units a period, fully used)" in text


def test_unreachable_plant_target_is_explained() -> None:
    """Plant PL must reach 90% local share; only 3 local batteries a period exist and
    5 phones must be delivered: the best share is 3 x 110 / (3 x 110 + 2 x 100) = 62.3%."""
    net = network(
        supply=[
            {"supplier": "SIN", "item": "BAT", "price": 110.0, "capacity": 3},
            {"supplier": "SCN", "item": "BAT", "price": 100.0},
        ],
        demand=[{"market": "MK", "item": "PH", "period": "P1", "qty": 5, "price": 200}],
        targets=[{"scope": "PL", "min_local_share": 0.9}],
    )
    with pytest.raises(emsplan.PlanningError) as info:
        emsplan.plan(net)
    text = "\n".join(info.value.explanation)
    assert "Target 90% local share at plant PL in P1 cannot be met" in text
    assert f"{330 / 530:.1%}" in text
    assert "supply of SIN/BAT in P1 (3 units a period, fully used)" in text


def test_the_same_target_with_a_penalty_is_feasible() -> None:
    """With a penalty, not delivering is allowed: the plan uses the 3 local batteries
    and as many imported ones y as the 90% target allows, 110 x 3 >= 0.9 (110 x 3 +
    100 y), so y = 0.1 x 330 / 90; the other 2 - y phones are not delivered."""
    net = network(
        supply=[
            {"supplier": "SIN", "item": "BAT", "price": 110.0, "capacity": 3},
            {"supplier": "SCN", "item": "BAT", "price": 100.0},
        ],
        demand=[{"market": "MK", "item": "PH", "period": "P1", "qty": 5, "penalty": 1000}],
        targets=[{"scope": "PL", "min_local_share": 0.9}],
    )
    result = emsplan.plan(net)
    y = 0.1 * 330 / 90
    expected = 3 * 110 + y * 100 + (3 + y) * 50 + (5 - 3 - y) * 1000
    assert result.objective == pytest.approx(expected, rel=1e-9)
