"""Relative local-content targets: the share in P at least (1 + growth) x a base, with
hand-computed optima (docs/design/network-design.md, section 4).

The network: periods B and P; product Y (BOM: 1 C) made at plant K at no cost and sold
at market M, 100 in each period, hard (blank penalty). Component C is offered by SL
(India, price 10, local_content 1, lane SL->K costs 2) and SI (China, price 10,
local_content 0, lane cost 0, no duty), so the value share is the unit share and a local
unit costs 12, an import 10. Holding Y costs 1 a unit a period, so that no plan makes
P's units in B (which would empty P of content; with free holding the optimum of the
first case would be 2080: 200 units in B, 40 of them local, and nothing to measure in P).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import emsplan
from emsplan.core.problems import InputError
from emsplan.optimization.build import create_model
from emsplan.planning.pipeline import PlanningError, plan

Rows = list[dict[str, Any]]

FLOOR_B = {"scope": "network", "period": "B", "min_local_share": 0.2}
PLEDGE_P = {"scope": "network", "period": "P", "growth": 0.5, "base_period": "B"}


def frames(targets: Rows, **changes: Rows) -> dict[str, pd.DataFrame]:
    """The tables of the module docstring's network with these targets (and tables
    replaced)."""
    tables: dict[str, Rows] = {
        "periods": [{"period": "B", "days": 91}, {"period": "P", "days": 91}],
        "items": [
            {"item": "Y", "kind": "product", "holding_cost": 1.0},
            {"item": "C", "kind": "component"},
        ],
        "sites": [
            {"site": "SL", "kind": "supplier", "country": "IN"},
            {"site": "SI", "kind": "supplier", "country": "CN"},
            {"site": "K", "kind": "plant", "country": "IN"},
            {"site": "M", "kind": "market", "country": "IN"},
        ],
        "supply": [
            {"supplier": "SL", "item": "C", "price": 10.0, "local_content": 1.0},
            {"supplier": "SI", "item": "C", "price": 10.0, "local_content": 0.0},
        ],
        "bom": [{"parent": "Y", "child": "C", "qty_per": 1.0}],
        "production": [{"plant": "K", "item": "Y", "cost": 0.0}],
        "lanes": [
            {"origin": "SL", "destination": "K", "cost": 2.0},
            {"origin": "SI", "destination": "K", "cost": 0.0},
            {"origin": "K", "destination": "M", "cost": 0.0},
        ],
        "demand": [{"market": "M", "item": "Y", "period": p, "qty": 100} for p in ("B", "P")],
        "targets": targets,
    }
    tables.update(changes)
    return {k: pd.DataFrame(v) for k, v in tables.items()}


def network(targets: Rows, **changes: Rows) -> emsplan.Network:
    """The network of the module docstring, which must have no problem at all."""
    net = emsplan.Network(frames(targets, **changes), name="relative")
    problems = [str(p) for p in net.check()]
    assert not problems, problems
    return net


def row(result: emsplan.Plan, scope: str, period: str) -> pd.Series:
    lc = result.local_content
    found = lc[(lc["scope"] == scope) & (lc["period"] == period)]
    assert len(found) == 1
    return found.iloc[0]


def test_pledge_over_the_plans_own_base_binds() -> None:
    """B: floor 0.2, 20 local: 240 + 800 = 1040. P: s_P >= 1.5 x s_B = 0.3: 30 local,
    360 + 700 = 1060. Objective 2100; raising s_B above its floor would cost 2 per point
    in B and 3 in P, so it stays at 0.2. The local_content row of P shows the effective
    target 0.3 with its growth and base; the pledge's row is a bottleneck of the fixed
    re-solve: one percentage point more of P's 1000 is one unit at 2 more."""
    result = plan(network([FLOOR_B, PLEDGE_P]))
    assert result.objective == pytest.approx(2100.0, rel=1e-7)
    assert result.summary["model"]["type"] == "MILP"
    p = row(result, "network", "P")
    assert p["share"] == pytest.approx(0.3, abs=1e-7)
    assert p["target"] == pytest.approx(0.3, abs=1e-7)
    assert p["growth"] == pytest.approx(0.5)
    assert p["base_share"] == pytest.approx(0.2, abs=1e-7)
    b = row(result, "network", "B")
    assert b["target"] == pytest.approx(0.2)
    assert np.isnan(b["growth"]) and np.isnan(b["base_share"])
    bn = result.bottlenecks
    pledge = bn[bn["constraint"] == "LocalContent-relative-network"]
    assert pledge[["element", "period"]].values.tolist() == [["network", "P"]]
    assert pledge["value_per_unit"].iloc[0] == pytest.approx(-2.0, rel=1e-6)
    assert "pledged local share" in pledge["meaning"].iloc[0]


def test_without_a_floor_the_plan_lowers_its_own_base() -> None:
    """No floor in B: the plan buys no local part in B, s_B = 0, and the pledge asks for
    1.5 x 0 = 0 in P: objective 2000 (the pledge costs nothing: docs/model.md warns)."""
    result = plan(network([PLEDGE_P]))
    assert result.objective == pytest.approx(2000.0, rel=1e-7)
    p = row(result, "network", "P")
    assert p["base_share"] == pytest.approx(0.0, abs=1e-9)
    assert p["target"] == pytest.approx(0.0, abs=1e-9)


def test_given_base_is_an_absolute_target() -> None:
    """base_share 0.25: s_P >= 1.5 x 0.25 = 0.375: 37.5 local in P, 450 + 625 = 1075;
    B 1040 as before: objective 2115. The given base folds into an ordinary row of
    LocalContent-network: the model stays an LP."""
    given = {"scope": "network", "period": "P", "growth": 0.5, "base_share": 0.25}
    result = plan(network([FLOOR_B, given]))
    assert result.objective == pytest.approx(2115.0, rel=1e-9)
    assert result.summary["model"]["type"] == "LP"
    p = row(result, "network", "P")
    assert (p["target"], p["growth"], p["base_share"]) == pytest.approx((0.375, 0.5, 0.25))
    assert p["share"] == pytest.approx(0.375)


def test_floor_and_given_base_take_the_larger() -> None:
    """P floor 0.4 and 1.5 x 0.25 = 0.375 on one row: 0.4 applies: 1040 + 480 + 600 = 2120."""
    both = {
        "scope": "network",
        "period": "P",
        "min_local_share": 0.4,
        "growth": 0.5,
        "base_share": 0.25,
    }
    result = plan(network([FLOOR_B, both]))
    assert result.objective == pytest.approx(2120.0, rel=1e-9)
    assert row(result, "network", "P")["target"] == pytest.approx(0.4)


def test_unreachable_given_base_is_an_input_error() -> None:
    """(1 + 0.5) x 0.8 = 1.2 > 1: no plan can reach it; validation says so."""
    bad = {"scope": "network", "period": "P", "growth": 0.5, "base_share": 0.8}
    with pytest.raises(InputError) as raised:
        plan(emsplan.Network(frames([FLOOR_B, bad])))
    (problem,) = raised.value.problems
    assert (problem.check, problem.column, problem.value) == (
        "check_relative_targets",
        "base_share",
        0.8,
    )
    assert "unreachable" in problem.message


@pytest.mark.parametrize("scope", ["K", "Y"])
def test_plant_and_product_scopes(scope: str) -> None:
    """The same pledge for plant K or product Y (all content is theirs): 2100."""
    targets = [{**FLOOR_B, "scope": scope}, {**PLEDGE_P, "scope": scope}]
    result = plan(network(targets))
    assert result.objective == pytest.approx(2100.0, rel=1e-7)
    assert row(result, scope, "P")["target"] == pytest.approx(0.3, abs=1e-7)


def test_a_row_of_every_period_keeps_its_floor_in_its_base_period() -> None:
    """One row, blank period: floor 0.2 and growth 0.5 over B. In B only the floor
    applies (a share cannot grow over itself), in P both: as the first case, 2100."""
    every = {"scope": "network", "min_local_share": 0.2, "growth": 0.5, "base_period": "B"}
    result = plan(network([every]))
    assert result.objective == pytest.approx(2100.0, rel=1e-7)
    assert np.isnan(row(result, "network", "B")["growth"])
    assert row(result, "network", "P")["target"] == pytest.approx(0.3, abs=1e-7)


def test_grid_step_is_the_tolerance() -> None:
    """Floor 0.203 in B (between grid points 0.2 and 0.205 of the default step 0.005):
    the pledge is met for 0.205, s_P >= 0.3075: 2000 + 20.3 x 2 + 30.75 x 2 = 2102.1,
    at most (1 + g) x h x 1000 x 0.2 = 1.5 more than the exact pledge (0.3045: 2101.5).
    With relative_target_step 0.001, 0.203 is a grid point: 2101.5 exactly."""
    floor = {**FLOOR_B, "min_local_share": 0.203}
    coarse = plan(network([floor, PLEDGE_P]))
    assert coarse.objective == pytest.approx(2102.1, rel=1e-7)
    settings = [{"setting": "relative_target_step", "value": "0.001"}]
    fine = plan(network([floor, PLEDGE_P], settings=settings))
    assert fine.objective == pytest.approx(2101.5, rel=1e-7)
    assert row(fine, "network", "P")["target"] == pytest.approx(0.3045, abs=1e-7)


def test_model_structure() -> None:
    """The families of a relative target, for it alone: measures of B and P, one band
    per grid point (step 0.05, cap 1 / 1.5: 0, 0.05, ..., 0.65, then 2/3 and 1: 16),
    one band row, base rows for the points below 1, pledge rows for those above 0."""
    settings = [{"setting": "relative_target_step", "value": "0.05"}]
    model, data = create_model(network([FLOOR_B, PLEDGE_P], settings=settings))
    shares = data.target_bands["share"].to_numpy()
    assert len(shares) == 16
    assert shares[-2:] == pytest.approx([2 / 3, 1.0])
    assert shares[:14] == pytest.approx(np.arange(14) * 0.05)
    assert int((model.variables["Target-band"].labels.values >= 0).sum()) == 16
    assert model.variables["Target-band"].attrs["binary"]
    assert model.constraints["Target-measure"].shape == (1, 2, 2)
    assert model.constraints["Target-band-one"].shape == (1,)
    con = model.constraints
    assert int((con["Target-base"].labels.values >= 0).sum()) == 15
    assert int((con["LocalContent-relative-network"].labels.values >= 0).sum()) == 15
    assert list(con["LocalContent-relative-network"].data.indexes["network_relative_target"]) == [
        "network@P"
    ]
    # the B floor stays an ordinary row; the relative row has no absolute row of its own
    assert list(con["LocalContent-network"].data.indexes["network_target"]) == ["network@B"]
    # big-M from the data: dearest price 10 x 1 per Y x make bound 200 (the horizon's demand)
    big = -con["LocalContent-relative-network"].rhs.values
    assert np.nanmax(big) == pytest.approx(1.5 * 1.0 * 10 * 200)


def test_elastic_explanation_names_the_pledge() -> None:
    """Only SL delivers in B (SI's lane takes a period) and K stores nothing, so s_B = 1
    and P must reach 1.5 x 100%: infeasible. The elastic re-solve falls 500 short of local
    value in P (1.5 x 1000 - 1000), cheaper than leaving demand (price 50) unmet."""
    demand = [
        {"market": "M", "item": "Y", "period": p, "qty": 100, "price": 50.0} for p in ("B", "P")
    ]
    sites = [
        {"site": "SL", "kind": "supplier", "country": "IN"},
        {"site": "SI", "kind": "supplier", "country": "CN"},
        {"site": "K", "kind": "plant", "country": "IN", "storage_capacity": 0.0},
        {"site": "M", "kind": "market", "country": "IN"},
    ]
    lanes = [
        {"origin": "SL", "destination": "K", "cost": 2.0},
        {"origin": "SI", "destination": "K", "cost": 0.0, "lead_time": 1},
        {"origin": "K", "destination": "M", "cost": 0.0},
    ]
    net = network([PLEDGE_P], demand=demand, sites=sites, lanes=lanes)
    model, _ = create_model(net, elastic=True)
    assert "Target-shortfall-relative-network" in model.variables
    with pytest.raises(PlanningError) as raised:
        plan(net)
    (line,) = raised.value.explanation
    assert "Relative target" in line and "in P of 1.5 x the base share 100.0%" in line
    assert "short of 500 INR" in line
