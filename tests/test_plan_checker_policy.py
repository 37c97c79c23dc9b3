"""The independent checker also checks policy outcomes: each corruption of a written plan's
options, incentives or preferential duties is caught (so the checker can fail)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

import emsplan
from plan_checker import check_plan
from test_options import _line_network
from test_policy import _cepa, _pli

Edit = Callable[[Path], None]


def _edit(table: str, change: Callable[[pd.DataFrame], None]) -> Edit:
    def apply(out: Path) -> None:
        frame = pd.read_csv(out / f"{table}.csv", keep_default_na=False, na_values=[""])
        change(frame)
        frame.to_csv(out / f"{table}.csv", index=False)

    return apply


def _set(
    column: str, value: object, where: Callable[[pd.DataFrame], pd.Series] | None = None
) -> Callable[[pd.DataFrame], None]:
    def change(frame: pd.DataFrame) -> None:
        mask = where(frame) if where else pd.Series(True, index=frame.index)
        frame.loc[mask, column] = value

    return change


CASES: dict[str, tuple[Callable[[], emsplan.Network], Edit, str]] = {
    "incentive payout": (
        lambda: _pli(min_incremental_sales=2000.0),
        _edit("policy", _set("value", 250.0)),
        "pays 250",
    ),
    "incentive qualified below threshold": (
        lambda: _pli(min_incremental_sales=2001.0),
        _edit("policy", _set("qualified", True)),
        "qualified with",
    ),
    "incentive not taken": (
        lambda: _pli(min_incremental_sales=2000.0),
        _edit("policy", _set("qualified", False)),
        "pays 200, recomputed 0",
    ),
    "incentives cost": (
        lambda: _pli(min_incremental_sales=2000.0),
        _edit("costs", _set("value", 0.0, lambda f: f["category"] == "incentives")),
        "category incentives",
    ),
    "preferential without qualification": (
        lambda: _cepa(rules=True),
        _edit("policy", _set("qualified", False)),
        "without the rule qualified",
    ),
    "preferential beyond production": (
        lambda: _cepa(rules=True),
        _edit("production", _set("qty", 5.0)),
        "more than it made",
    ),
    "duty not reduced": (
        lambda: _cepa(rules=True),
        _edit("flows", _set("preferential_qty", 0.0)),
        "duties:",
    ),
    "line closed": (lambda: _line_network(12), _edit("options", _set("open", 0)), "resources:"),
    "fixed cost": (
        lambda: _line_network(12),
        _edit("costs", _set("value", 0.0, lambda f: f["category"] == "fixed")),
        "category fixed",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_policy_corruption_is_caught(name: str, tmp_path: Path) -> None:
    build, corrupt, words = CASES[name]
    net = build()
    emsplan.plan(net).write(tmp_path)
    assert check_plan(net, tmp_path) == []
    corrupt(tmp_path)
    violations = check_plan(net, tmp_path)
    assert any(words in v for v in violations), violations


def test_the_example_with_its_policies_passes_every_rule(tmp_path: Path) -> None:
    net = emsplan.examples.load("india-2023")
    assert len(net.options) and len(net.incentives) and len(net.trade_rules)
    emsplan.plan(net).write(tmp_path)
    assert check_plan(net, tmp_path) == []
