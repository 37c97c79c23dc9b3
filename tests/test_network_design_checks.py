"""Validation of the network-design options (site, production contract, market_source):
each broken in one way gives exactly the problem expected, naming row, column and value."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

import emsplan
from test_engine import network

SITES = [
    {"site": "SIN", "kind": "supplier", "country": "IN"},
    {"site": "SCN", "kind": "supplier", "country": "CN"},
    {"site": "PL", "kind": "plant", "country": "IN"},
    {"site": "PL2", "kind": "plant", "country": "IN"},
    {"site": "WH", "kind": "warehouse", "country": "IN"},
    {"site": "MK", "kind": "market", "country": "IN"},
]
ITEMS = [
    {"item": "PH", "kind": "product", "group": "phones"},
    {"item": "BAT", "kind": "component"},
]


def _with(**tables: list[dict[str, Any]]) -> emsplan.Network:
    frames = dict(network().tables)
    frames["sites"] = pd.DataFrame(SITES)
    frames["items"] = pd.DataFrame(ITEMS)
    frames.update({k: pd.DataFrame(v) for k, v in tables.items()})
    return emsplan.Network(frames, strict=False)


def _problems(net: emsplan.Network) -> list[emsplan.Problem]:
    return net.check()


SITE = {"option": "S", "kind": "site", "site": "PL2", "fixed_cost": 10.0}
CONTRACT = {"option": "C", "kind": "contract", "plant": "PL", "item": "phones"}


@pytest.mark.parametrize(
    ("options", "check", "column", "words", "severity"),
    [
        ([SITE], None, None, None, None),
        ([{**SITE, "site": "WH"}], None, None, None, None),
        ([{**SITE, "site": "MK", "existing": 1}], None, None, None, None),
        ([CONTRACT], None, None, None, None),
        ([{**CONTRACT, "item": "PH", "min_qty": 5.0}], None, None, None, None),
        ([{**SITE, "site": None}], "check_option_fields", "site", "needs 'site'", "error"),
        ([{**SITE, "site": "SIN"}], "check_site_options", "site", "is a supplier", "error"),
        (
            [SITE, {**SITE, "option": "S2"}],
            "check_site_options",
            "site",
            "already has the site option 'S'",
            "error",
        ),
        ([{**SITE, "period_to": "P1"}], "check_site_options", "period_to", "leave", "error"),
        (
            [{**SITE, "existing": 1, "opening_cost": 5.0}],
            "check_site_options",
            "opening_cost",
            "never paid",
            "warning",
        ),
        (
            [{**SITE, "closing_cost": 5.0}],
            "check_site_options",
            "closing_cost",
            "never paid",
            "warning",
        ),
        ([{**SITE, "closable": 1, "closing_cost": 5.0}], None, None, None, None),
        (
            [{**CONTRACT, "plant": "PL2"}],
            "check_option_targets",
            "item",
            "'PL2' makes neither the item nor an item of the group 'phones'",
            "error",
        ),
        (
            [{**CONTRACT, "supplier": "SIN", "item": "BAT"}],
            "check_option_fields",
            "supplier",
            "either a supplier",
            "error",
        ),
        (
            [{**CONTRACT, "item": "tablets"}],
            "check_option_items",
            "item",
            "'tablets' is not known; allowed: an item listed in table 'items' or an item group",
            "error",
        ),
        (
            [{"option": "C", "kind": "contract", "supplier": "SIN", "item": "phones"}],
            "check_option_items",
            "item",
            "'phones' is not known; allowed: an item listed in table 'items'.",
            "error",
        ),
        (
            [{"option": "C", "kind": "contract", "supplier": "SIN", "item": "BAT", "min_qty": 3}],
            "check_contract_minimums",
            "min_qty",
            "its own option of kind min_qty",
            "error",
        ),
        ([{"option": "M", "kind": "market_source"}], None, None, None, None),
        (
            [{"option": "M", "kind": "market_source", "market": "MK", "item": "PH"}],
            None,
            None,
            None,
            None,
        ),
        (
            [{"option": "M", "kind": "market_source", "market": "PL"}],
            "check_references",
            "market",
            "'PL'",
            "error",
        ),
        (
            [
                {"option": "M", "kind": "market_source", "market": "MK"},
                {"option": "N", "kind": "market_source", "item": "PH"},
            ],
            "check_market_sources",
            "market",
            "already single-sourced by option 'M'",
            "error",
        ),
    ],
)
def test_network_design_option_problems(
    options: list[dict[str, Any]],
    check: str | None,
    column: str | None,
    words: str | None,
    severity: str | None,
) -> None:
    problems = _problems(_with(options=options))
    if check is None:  # a valid variation
        assert problems == [], [str(p) for p in problems]
        return
    assert len(problems) == 1, [str(p) for p in problems]
    (problem,) = problems
    assert (problem.check, problem.column, problem.severity) == (check, column, severity)
    assert problem.row == 1 + len(options)  # the last option row (row 1 holds the names)
    assert words is not None and words in problem.message, problem.message


def test_a_market_no_lane_reaches_is_named() -> None:
    sites = [*SITES, {"site": "MK2", "kind": "market", "country": "IN"}]
    net = _with(sites=sites, options=[{"option": "M", "kind": "market_source", "market": "MK2"}])
    (problem,) = net.check()
    assert problem.check == "check_market_sources"
    assert "no lane reaches 'MK2'" in problem.message


def test_a_candidate_market_under_the_cost_objective_is_a_warning() -> None:
    sites = [*SITES, {"site": "MK2", "kind": "market", "country": "IN"}]
    option = {"option": "S", "kind": "site", "site": "MK2"}
    (problem,) = _with(sites=sites, options=[option]).check()
    assert (problem.check, problem.severity) == ("check_site_options", "warning")
    assert "never opens" in problem.message
    settings = [{"setting": "objective", "value": "profit"}]
    assert _with(sites=sites, options=[option], settings=settings).check() == []


def test_an_unknown_objective_is_named_with_what_is_allowed() -> None:
    settings = [{"setting": "objective", "value": "revenue"}]
    (problem,) = _with(settings=settings).check()
    assert (problem.check, problem.table, problem.column) == ("check_settings", "settings", "value")
    assert "'revenue'" in problem.message and "cost, profit" in problem.message
