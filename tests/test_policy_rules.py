"""Validation of the policy tables (options, incentives, trade_rules): each broken in one
way gives exactly the problem expected, with its table, row, column and what is allowed."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

import emsplan
from test_engine import network


def _with(**tables: list[dict[str, Any]]) -> emsplan.Network:
    base = network()
    frames = dict(base.tables)
    frames.update({k: pd.DataFrame(v) for k, v in tables.items()})
    return emsplan.Network(frames, strict=False)


def _errors(net: emsplan.Network) -> list[emsplan.Problem]:
    return [p for p in net.check() if p.severity == "error"]


LINE = {"option": "L", "kind": "line", "plant": "PL", "resource": "line", "capacity": 5.0}


@pytest.mark.parametrize(
    ("tables", "check", "column", "words"),
    [
        (
            {"options": [{**LINE, "capacity": None}]},
            "check_option_fields",
            "capacity",
            "a line option needs 'capacity'",
        ),
        (
            {"options": [{"option": "C", "kind": "contract", "supplier": "SIN"}]},
            "check_option_fields",
            "item",
            "must give item",
        ),
        (
            {"options": [{"option": "M", "kind": "min_qty", "item": "BAT", "min_qty": 5.0}]},
            "check_option_fields",
            "supplier",
            "either a supplier",
        ),
        (
            {"options": [{"option": "C", "kind": "contract", "supplier": "SIN", "item": "PH"}]},
            "check_option_targets",
            "item",
            "no supply offer of 'PH' by 'SIN'",
        ),
        (
            {
                "options": [
                    {"option": "M", "kind": "min_qty", "plant": "PL", "item": "BAT", "min_qty": 1.0}
                ]
            },
            "check_option_targets",
            "item",
            "'PL' does not make 'BAT'",
        ),
        (
            {
                "options": [
                    {
                        "option": "C",
                        "kind": "contract",
                        "supplier": "SIN",
                        "item": "BAT",
                        "period_from": "P1",
                        "period_to": "P1",
                    }
                ],
                "periods": [{"period": "P0", "days": 1}, {"period": "P1", "days": 1}],
            },
            None,
            None,
            None,
        ),
        (
            {"incentives": [{"scheme": "S", "item": "phones", "rate": 0.1}]},
            "check_incentive_items",
            "item",
            "neither an item nor an item group",
        ),
        (
            {
                "trade_rules": [
                    {
                        "agreement": "A",
                        "destination_country": "AE",
                        "item": "PH",
                        "hs_code": "8517",
                        "min_value_content": 0.4,
                        "preferential_rate": 0.0,
                    }
                ]
            },
            "check_trade_scope",
            "item",
            "exactly one of item and hs_code",
        ),
        (
            {
                "trade_rules": [
                    {
                        "agreement": "A",
                        "destination_country": "UAE",
                        "item": "PH",
                        "min_value_content": 0.4,
                        "preferential_rate": 0.0,
                    }
                ]
            },
            "check_trade_scope",
            "destination_country",
            "'UAE' is not an ISO 3166",
        ),
        (
            {
                "options": [
                    {
                        "option": "M",
                        "kind": "min_qty",
                        "supplier": "SIN",
                        "item": "BAT",
                        "min_qty": -1.0,
                    }
                ]
            },
            "check_ranges",
            "min_qty",
            "must be >= 0",
        ),
        (
            {"options": [{"option": "X", "kind": "lease", "plant": "PL"}]},
            "check_allowed",
            "kind",
            "line, contract, min_qty, single_source",
        ),
    ],
)
def test_policy_table_problems(
    tables: dict[str, Any], check: str | None, column: str | None, words: str | None
) -> None:
    errors = _errors(_with(**tables))
    if check is None:  # a valid variation
        assert errors == []
        return
    assert len(errors) == 1, [str(e) for e in errors]
    (problem,) = errors
    assert (problem.check, problem.column, problem.row) == (check, column, 2)
    assert words is not None and words in problem.message


def test_period_order_of_an_option() -> None:
    net = _with(
        periods=[{"period": "P0", "days": 1}, {"period": "P1", "days": 1}],
        options=[
            {
                "option": "C",
                "kind": "contract",
                "supplier": "SIN",
                "item": "BAT",
                "period_from": "P1",
                "period_to": "P0",
            }
        ],
    )
    (problem,) = _errors(net)
    assert problem.check == "check_policy_periods"
    assert "comes before period_from 'P1'" in problem.message


def test_line_on_an_unused_resource_is_a_warning() -> None:
    net = _with(options=[LINE])
    problems = net.check()
    assert [p.check for p in problems] == ["check_option_targets"]
    assert problems[0].severity == "warning"
    net.validate()  # warnings do not fail


def test_incentive_item_may_be_a_group() -> None:
    net = _with(
        items=[
            {"item": "PH", "kind": "product", "group": "phones"},
            {"item": "BAT", "kind": "component"},
        ],
        incentives=[{"scheme": "S", "item": "phones", "rate": 0.1}],
    )
    assert _errors(net) == []
