"""Plans checked by the independent checker of ``tests/plan_checker.py``.

1. A hand-built network's plan has no violations, and each way of corrupting
   its written files is caught (so the checker can fail).
2. The checker's own duty and customs-value rules, on hand-made cases.
3. Random valid networks (hypothesis): every plan passes the checker.
4. The bundled example ``india-2023``, when it exists and is valid.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

import emsplan
from emsplan.core.problems import Severity
from plan_checker import UNCOVERED_TABLES, Inputs, applicable_checks, check_plan, uncovered
from strategies import network_tables

PERIODS = ["2024-Q1", "2024-Q2", "2024-Q3"]


def hand_tables() -> dict[str, pd.DataFrame]:
    """A phone made of a PCBA (of chips), a battery and a case, in two plants, for two markets.

    Three quarters. Batteries from India (capacity 700 per quarter) or China
    (cheaper, lead time 1, 15% duty by HS 8507); chips only from China (HS
    8542: 5% to Q2, 10% from Q3); cases from India or China (20% by item).
    PL1 makes the PCBA and phones on LINE1 (800, 300 in Q2); PL2 (its own BOM:
    two cases per phone) makes phones on LINE2 and ships through a warehouse
    that holds 400 units. Exports to the UAE pay 5% (HS 8517 into AE). A
    network target of 20% local content.
    """
    rows: dict[str, list[dict[str, Any]]] = {
        "settings": [
            {"setting": "currency", "value": "INR"},
            {"setting": "domestic_country", "value": "IN"},
        ],
        "periods": [{"period": p, "days": 91} for p in PERIODS],
        "items": [
            {"item": "PHONE", "kind": "product", "hs_code": "8517.13", "holding_cost": 20.0},
            {"item": "PCBA", "kind": "subassembly", "hs_code": "8517.79", "holding_cost": 5.0},
            {"item": "CHIP", "kind": "component", "hs_code": "8542.31"},
            {"item": "BAT", "kind": "component", "hs_code": "8507.60", "holding_cost": 1.0},
            {"item": "CASE", "kind": "component", "hs_code": "3926.90"},
        ],
        "bom": [
            {"parent": "PHONE", "child": "PCBA", "qty_per": 1},
            {"parent": "PHONE", "child": "BAT", "qty_per": 1},
            {"parent": "PHONE", "child": "CASE", "qty_per": 1},
            {"parent": "PHONE", "child": "PCBA", "qty_per": 1, "site": "PL2"},
            {"parent": "PHONE", "child": "BAT", "qty_per": 1, "site": "PL2"},
            {"parent": "PHONE", "child": "CASE", "qty_per": 2, "site": "PL2"},
            {"parent": "PCBA", "child": "CHIP", "qty_per": 4},
        ],
        "sites": [
            {"site": "SUP-IN", "kind": "supplier", "country": "IN"},
            {"site": "SUP-CN", "kind": "supplier", "country": "CN"},
            {"site": "PL1", "kind": "plant", "country": "IN"},
            {"site": "PL2", "kind": "plant", "country": "IN"},
            {"site": "WH", "kind": "warehouse", "country": "IN", "storage_capacity": 400},
            {"site": "MKT-N", "kind": "market", "country": "IN"},
            {"site": "MKT-AE", "kind": "market", "country": "AE"},
        ],
        "supply": [
            {"supplier": "SUP-IN", "item": "BAT", "price": 300.0, "capacity": 700},
            {"supplier": "SUP-CN", "item": "BAT", "price": 250.0, "lead_time": 1},
            {"supplier": "SUP-CN", "item": "CHIP", "price": 80.0},
            {"supplier": "SUP-IN", "item": "CASE", "price": 40.0, "local_content": 0.8},
            {"supplier": "SUP-CN", "item": "CASE", "price": 30.0},
        ],
        "production": [
            {"plant": "PL1", "item": "PHONE", "cost": 400.0, "resource": "LINE1"},
            {"plant": "PL1", "item": "PCBA", "cost": 900.0},
            {"plant": "PL2", "item": "PHONE", "cost": 350.0, "resource": "LINE2"},
        ],
        "resources": [
            {"plant": "PL1", "resource": "LINE1", "capacity": 800},
            {"plant": "PL1", "resource": "LINE1", "period": "2024-Q2", "capacity": 300},
            {"plant": "PL2", "resource": "LINE2", "capacity": 500},
        ],
        "lanes": [
            {"origin": "SUP-IN", "destination": "PL1", "cost": 5.0},
            {"origin": "SUP-IN", "destination": "PL2", "cost": 6.0},
            {"origin": "SUP-CN", "destination": "PL1", "mode": "sea", "cost": 15.0},
            {"origin": "SUP-CN", "destination": "PL2", "mode": "sea", "cost": 16.0},
            {
                "origin": "SUP-CN",
                "destination": "PL1",
                "item": "CHIP",
                "mode": "sea",
                "cost": 2.0,
                "lead_time": 1,
                "capacity": 5000,
            },
            {"origin": "PL1", "destination": "PL2", "cost": 10.0},
            {"origin": "PL1", "destination": "MKT-N", "cost": 30.0, "capacity": 600},
            {"origin": "PL2", "destination": "WH", "cost": 8.0},
            {"origin": "WH", "destination": "MKT-N", "cost": 12.0, "lead_time": 1},
            {"origin": "PL1", "destination": "MKT-AE", "mode": "air", "cost": 50.0},
        ],
        "duties": [
            {"hs_code": "8507", "rate": 0.15},
            {"hs_code": "8542", "rate": 0.05, "period_to": "2024-Q2"},
            {"hs_code": "8542", "rate": 0.10, "period_from": "2024-Q3"},
            {"item": "CASE", "rate": 0.20},
            {"hs_code": "8517", "destination_country": "AE", "rate": 0.05},
        ],
        "demand": [
            *(
                {
                    "market": "MKT-N",
                    "item": "PHONE",
                    "period": p,
                    "qty": q,
                    "price": 15000.0,
                    "penalty": 20000.0,
                }
                for p, q in zip(PERIODS, (300, 900, 700), strict=True)
            ),
            *(
                {
                    "market": "MKT-AE",
                    "item": "PHONE",
                    "period": p,
                    "qty": 200,
                    "price": 14000.0,
                    "penalty": 5000.0,
                }
                for p in PERIODS[1:]
            ),
        ],
        "targets": [{"scope": "network", "min_local_share": 0.2}],
    }
    return {name: pd.DataFrame(r) for name, r in rows.items()}


def errors(net: emsplan.Network) -> list[str]:
    return [str(p) for p in net.check() if p.severity == Severity.ERROR]


@pytest.fixture(scope="module")
def hand_network() -> emsplan.Network:
    net = emsplan.Network(hand_tables(), name="hand")
    assert errors(net) == []
    return net


@pytest.fixture(scope="module")
def hand_plan(hand_network: emsplan.Network, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand network's plan, written once for the module (copy it before changing it)."""
    out = tmp_path_factory.mktemp("hand-plan")
    emsplan.plan(hand_network).write(out)
    return out


def read(out: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(out / f"{table}.csv")


def test_hand_plan_passes(hand_network: emsplan.Network, hand_plan: Path) -> None:
    assert check_plan(hand_network, hand_plan) == []


def test_hand_plan_exercises_the_rules(hand_plan: Path) -> None:
    """The plan is not trivial: it imports with duty, makes, stores, exports and falls short."""
    flows = read(hand_plan, "flows")
    assert (flows["duty"] > 0).any()
    assert (flows["destination"] == "MKT-AE").any()
    assert (flows["origin"] == "WH").any()
    assert len(read(hand_plan, "production")["plant"].unique()) == 2
    assert len(read(hand_plan, "inventory")) > 0
    assert len(read(hand_plan, "unmet")) > 0


# -- corruptions: each must be caught --------------------------------------------------
Corruption = Callable[[Path], None]


Change = Callable[[pd.DataFrame], pd.DataFrame]


def _edit(table: str, change: Change) -> Corruption:
    def corrupt(out: Path) -> None:
        frame = pd.read_csv(out / f"{table}.csv", keep_default_na=False, na_values=[""])
        change(frame).to_csv(out / f"{table}.csv", index=False)

    return corrupt


def _first(frame: pd.DataFrame, mask: pd.Series | None = None) -> Any:
    rows = frame.index if mask is None else frame.index[mask]
    assert len(rows), "the plan has no row to corrupt"
    return rows[0]


def _scale(column: str, factor: float, where: Callable[[pd.DataFrame], pd.Series] | None = None):
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        row = _first(frame, None if where is None else where(frame))
        frame.loc[row, column] = frame.loc[row, column] * factor
        return frame

    return change


def _drop(where: Callable[[pd.DataFrame], pd.Series] | None = None):
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.drop(index=_first(frame, None if where is None else where(frame)))

    return change


def _summary_objective(out: Path) -> None:
    summary = json.loads((out / "summary.json").read_text())
    summary["objective"] *= 1.001
    (out / "summary.json").write_text(json.dumps(summary))


def _arrival(frame: pd.DataFrame) -> pd.DataFrame:
    row = _first(frame, frame["arrival_period"] == PERIODS[-1])
    frame.loc[row, "arrival_period"] = PERIODS[0]
    return frame


def _delete(name: str) -> Corruption:
    return lambda out: (out / name).unlink()


def _extra_stock(frame: pd.DataFrame) -> pd.DataFrame:
    extra = pd.DataFrame([{"site": "PL1", "item": "CASE", "period": PERIODS[0], "qty": 5.0}])
    return pd.concat([frame, extra.assign(holding_cost=0.0)], ignore_index=True)


CORRUPTIONS: dict[str, tuple[Corruption, str]] = {
    "production qty": (_edit("production", _scale("qty", 1.1)), "balance"),
    "purchase qty": (_edit("purchases", _scale("qty", 0.9)), "balance"),
    "drop a flow": (_edit("flows", _drop()), "balance"),
    "drop an unmet row": (_edit("unmet", _drop()), "markets"),
    "drop a stock row": (_edit("inventory", _drop()), "balance"),
    "stock nowhere used": (_edit("inventory", _extra_stock), "balance"),
    "flow duty": (_edit("flows", _scale("duty", 1.5, lambda f: f["duty"] > 0)), "duties"),
    "flow duty rate": (
        _edit("flows", _scale("duty_rate", 2.0, lambda f: f["duty_rate"] > 0)),
        "duties",
    ),
    "customs value": (_edit("flows", _scale("value", 1.1, lambda f: f["value"] > 0)), "duties"),
    "purchase duty": (
        _edit("purchases", _scale("duty", 0.5, lambda f: f["duty"] > 0)),
        "duties",
    ),
    "purchase price": (_edit("purchases", _scale("price", 1.05)), "purchases"),
    "freight rate": (
        _edit("flows", _scale("unit_cost", 2.0, lambda f: f["unit_cost"] > 0)),
        "flows",
    ),
    "arrival period": (_edit("flows", _arrival), "flows"),
    "conversion cost": (_edit("production", _scale("cost", 0.5)), "production"),
    "penalty": (_edit("unmet", _scale("penalty", 0.5)), "unmet"),
    "objective": (_summary_objective, "objective"),
    "cost table": (_edit("costs", _scale("value", 1.01, lambda f: f["value"] > 0)), "costs"),
    "local value": (
        _edit("local_content", _scale("local_value", 1.2, lambda f: f["local_value"] > 0)),
        "targets",
    ),
    "missing file": (_delete("costs.csv"), "files"),
}


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_corruption_is_caught(
    name: str, hand_network: emsplan.Network, hand_plan: Path, tmp_path: Path
) -> None:
    corrupt, rule = CORRUPTIONS[name]
    out = tmp_path / "plan"
    shutil.copytree(hand_plan, out)
    corrupt(out)
    violations = check_plan(hand_network, out)
    assert violations, f"corruption {name!r} went unnoticed"
    assert any(v.startswith(rule) for v in violations), violations


def _tighter(
    table: str, mask: Callable[[pd.DataFrame], pd.Series], column: str, value: float | None
):
    def change(tables: dict[str, pd.DataFrame]) -> None:
        frame = tables[table]
        frame.loc[mask(frame), column] = value

    return change


TIGHTER: dict[str, tuple[Callable[[dict[str, pd.DataFrame]], None], str]] = {
    "line": (_tighter("resources", lambda f: f["plant"] == "PL1", "capacity", 50.0), "resources"),
    "offer": (_tighter("supply", lambda f: f["item"] == "CASE", "capacity", 50.0), "capacity"),
    "lane": (
        _tighter("lanes", lambda f: f["destination"] == "MKT-N", "capacity", 50.0),
        "capacity",
    ),
    "storage": (
        _tighter("sites", lambda f: f["kind"] == "plant", "storage_capacity", 5.0),
        "capacity",
    ),
    "must deliver": (
        _tighter("demand", lambda f: f["market"] == "MKT-N", "penalty", None),
        "markets",
    ),
}


@pytest.mark.parametrize("name", sorted(TIGHTER))
def test_a_tighter_network_is_caught(name: str, hand_plan: Path) -> None:
    """The same plan against a network with a smaller capacity (or hard demand) breaks it."""
    change, rule = TIGHTER[name]
    tables = hand_tables()
    change(tables)
    violations = check_plan(emsplan.Network(tables), hand_plan)
    assert any(v.startswith(rule) for v in violations), violations


def test_a_stricter_target_is_caught(hand_plan: Path) -> None:
    """The same plan against a 95% local-content target misses it."""
    tables = hand_tables()
    tables["targets"] = pd.DataFrame({"scope": ["network"], "min_local_share": [0.95]})
    net = emsplan.Network(tables)
    violations = check_plan(net, hand_plan)
    assert any(v.startswith("targets") for v in violations), violations


# -- the checker's own rules ------------------------------------------------------------------
def duty_inputs(duties: list[dict[str, Any]]) -> Inputs:
    tables = hand_tables()
    tables["duties"] = pd.DataFrame(duties)
    tables["sites"] = pd.concat(
        [tables["sites"], pd.DataFrame([{"site": "SUP-VN", "kind": "supplier", "country": "VN"}])]
    )
    return Inputs.from_network(emsplan.Network(tables))


def test_duty_rate_specificity() -> None:
    """An item row beats an HS row; a longer prefix beats a shorter; a named origin beats blank."""
    inp = duty_inputs(
        [
            {"hs_code": "85", "rate": 0.01},
            {"hs_code": "8507", "rate": 0.02},
            {"hs_code": "8507.6", "origin_country": "VN", "rate": 0.03},
            {"hs_code": "850760", "rate": 0.04},
            {"item": "CHIP", "rate": 0.05},
            {"item": "CHIP", "origin_country": "VN", "rate": 0.06, "period_from": "2024-Q2"},
        ]
    )
    q1, q2 = PERIODS[0], PERIODS[1]
    assert inp.duty_rate("SUP-CN", "PL1", "BAT", q1) == 0.04  # 6 digits beat 5 and 4
    assert inp.duty_rate("SUP-VN", "PL1", "BAT", q1) == 0.04  # longer prefix before origin
    assert inp.duty_rate("SUP-CN", "PL1", "CHIP", q1) == 0.05  # item beats HS 85
    assert inp.duty_rate("SUP-VN", "PL1", "CHIP", q1) == 0.05  # VN row not yet in force
    assert inp.duty_rate("SUP-VN", "PL1", "CHIP", q2) == 0.06  # named origin beats blank
    assert inp.duty_rate("SUP-IN", "PL1", "CHIP", q2) == 0.0  # no border crossed
    assert inp.duty_rate("SUP-CN", "PL1", "CASE", q1) == 0.0  # nothing matches 3926
    assert inp.duty_rate("PL1", "MKT-AE", "PHONE", q1) == 0.0  # rows are for imports into IN


def test_duty_rate_at_arrival_and_destination() -> None:
    inp = duty_inputs(
        [
            {"hs_code": "8542", "rate": 0.05, "period_to": PERIODS[0]},
            {"hs_code": "8542", "rate": 0.10, "period_from": PERIODS[1]},
            {"hs_code": "8517", "destination_country": "AE", "rate": 0.07},
        ]
    )
    assert [inp.duty_rate("SUP-CN", "PL1", "CHIP", p) for p in PERIODS] == [0.05, 0.1, 0.1]
    assert inp.duty_rate("PL1", "MKT-AE", "PHONE", PERIODS[2]) == 0.07
    assert inp.duty_rate("PL1", "MKT-N", "PHONE", PERIODS[2]) == 0.0


def test_customs_value_fallbacks() -> None:
    """Supplier origin: its offer price; else items.value, mean supply price, mean demand price."""
    tables = hand_tables()
    tables["items"].loc[tables["items"]["item"] == "PCBA", "value"] = 2000.0
    inp = Inputs.from_network(emsplan.Network(tables))
    assert inp.customs_value("SUP-CN", "BAT") == 250.0
    assert inp.customs_value("PL1", "BAT") == 275.0  # mean of 300 and 250
    assert inp.customs_value("PL1", "PCBA") == 2000.0
    assert inp.customs_value("PL1", "PHONE") == pytest.approx((15000 * 3 + 14000 * 2) / 5)


# -- random valid networks -------------------------------------------------------------------
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables=network_tables())
def test_random_networks_pass_the_checker(tables: dict[str, pd.DataFrame]) -> None:
    net = emsplan.Network(tables, name="random")
    assert errors(net) == []
    with tempfile.TemporaryDirectory() as out:
        emsplan.plan(net).write(out)
        assert check_plan(net, out) == []


# -- disagreements found with the engine ---------------------------------------------------
def product_target_tables(return_lane: bool) -> dict[str, pd.DataFrame]:
    """A phone of a PCBA of one domestic component with 5% local content; a 10% phone target.

    Plant PL makes PCBA and PHONE; the component comes straight from the
    supplier; phones go to the market through a warehouse. With
    ``return_lane`` there is also a lane back from the warehouse to the plant
    (which the plan need not use).
    """
    lanes = [("S-IN", "PL"), ("PL", "WH"), ("WH", "M")] + ([("WH", "PL")] if return_lane else [])
    return {
        "periods": pd.DataFrame({"period": ["P1", "P2"], "days": [91, 91]}),
        "items": pd.DataFrame(
            {"item": ["PHONE", "PCBA", "C"], "kind": ["product", "subassembly", "component"]}
        ),
        "bom": pd.DataFrame(
            {"parent": ["PHONE", "PCBA"], "child": ["PCBA", "C"], "qty_per": [1.0, 1.0]}
        ),
        "sites": pd.DataFrame(
            {
                "site": ["S-IN", "PL", "WH", "M"],
                "kind": ["supplier", "plant", "warehouse", "market"],
                "country": ["IN"] * 4,
            }
        ),
        "supply": pd.DataFrame(
            {"supplier": ["S-IN"], "item": ["C"], "price": [100.0], "local_content": [0.05]}
        ),
        "production": pd.DataFrame({"plant": ["PL", "PL"], "item": ["PHONE", "PCBA"]}),
        "lanes": pd.DataFrame(lanes, columns=["origin", "destination"]),
        "demand": pd.DataFrame(
            {
                "market": ["M", "M"],
                "item": ["PHONE", "PHONE"],
                "period": ["P1", "P2"],
                "qty": [10.0, 10.0],
                "penalty": [1000.0, 1000.0],
            }
        ),
        "targets": pd.DataFrame({"scope": ["PHONE"], "min_local_share": [0.1]}),
    }


def test_product_target_without_return_lane(tmp_path: Path) -> None:
    """Without the return lane the 10% target cannot be met: nothing is made."""
    net = emsplan.Network(product_target_tables(return_lane=False))
    assert errors(net) == []
    emsplan.plan(net).write(tmp_path)
    assert check_plan(net, tmp_path) == []
    assert read(tmp_path, "production").empty


def test_product_target_with_an_unused_return_lane(tmp_path: Path) -> None:
    net = emsplan.Network(product_target_tables(return_lane=True))
    assert errors(net) == []
    emsplan.plan(net).write(tmp_path)
    assert check_plan(net, tmp_path) == []


# -- the bundled example -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def india() -> emsplan.Network:
    if "india-2023" not in emsplan.examples.names():
        pytest.skip("no bundled example 'india-2023'")
    try:
        net = emsplan.examples.load("india-2023")
    except Exception as exc:  # a broken example is its own tests' business
        pytest.skip(f"example 'india-2023' does not load: {exc}")
    if errors(net):
        pytest.skip(f"example 'india-2023' has errors: {errors(net)[:3]}")
    return net


def test_india_2023_passes(india: emsplan.Network, tmp_path: Path) -> None:
    """The example as shipped, by every rule that its options, trade rules and incentives
    leave valid (balances, markets, rows, storage and lane capacities, local content)."""
    emsplan.plan(india).write(tmp_path)
    assert check_plan(india, tmp_path, applicable_checks(india)) == []


def test_india_2023_base_model_passes(india: emsplan.Network, tmp_path: Path) -> None:
    """The example without the tables the checker does not cover, by every rule."""
    if not uncovered(india):
        pytest.skip("the example uses only covered tables: see test_india_2023_passes")
    tables = {k: v for k, v in india.tables.items() if k not in UNCOVERED_TABLES}
    net = emsplan.Network(tables, name="india-2023-base")
    assert errors(net) == []
    emsplan.plan(net).write(tmp_path)
    assert check_plan(net, tmp_path) == []
