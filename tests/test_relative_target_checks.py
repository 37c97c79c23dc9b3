"""Validation of relative local-content targets (``targets.growth``, ``base_period``,
``base_share``) and of the setting ``relative_target_step``.

Each case breaks the valid network of tests/test_checks.py (three periods P1..P3, a
network target of 0.2 in every period) in one way and asserts the single problem it
causes: its check, table, spreadsheet row, key, column, value, severity and a message
that names the bad value and says what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from emsplan.core.problems import Severity
from emsplan.data.network import Network
from emsplan.validation import targets as rules
from test_checks import Breakage, add, broken, edit, valid_tables

ERROR, WARNING = Severity.ERROR, Severity.WARNING


@dataclass(frozen=True)
class Case:
    """A breakage and the single problem it must cause."""

    breakage: Breakage
    check: str
    row: int
    column: str
    key: Mapping[str, Any] = field(default_factory=dict)
    value: Any = None
    severity: Severity = ERROR
    says: tuple[str, ...] = ()
    table: str = "targets"


def pledge(**values: Any) -> Breakage:
    """A network target for P3 (row 3 of the sheet) with the given columns."""
    return add("targets", scope="network", period="P3", **values)


P3 = {"scope": "network", "period": "P3"}

CASES: dict[str, Case] = {
    "neither a floor nor a growth": Case(
        pledge(min_local_share=None),
        "check_relative_targets",
        3,
        "min_local_share",
        P3,
        says=("neither min_local_share nor growth", "allowed: a least local share", "or both"),
    ),
    "growth without a base": Case(
        pledge(growth=0.5),
        "check_relative_targets",
        3,
        "growth",
        P3,
        0.5,
        says=("growth 0.5 has no base", "allowed: base_share", "or base_period"),
    ),
    "base_share without growth": Case(
        pledge(min_local_share=0.3, base_share=0.2),
        "check_relative_targets",
        3,
        "base_share",
        P3,
        0.2,
        says=("base_share 0.2 is given without a growth", "or base_share blank"),
    ),
    "base_period without growth": Case(
        pledge(min_local_share=0.3, base_period="P1"),
        "check_relative_targets",
        3,
        "base_period",
        P3,
        "P1",
        says=("base_period 'P1' is given without a growth", "or base_period blank"),
    ),
    "base_period is the row's period": Case(
        pledge(growth=0.5, base_period="P3"),
        "check_relative_targets",
        3,
        "base_period",
        P3,
        "P3",
        says=("base_period 'P3' is the row's own period", "allowed: another period"),
    ),
    "unreachable pledge": Case(
        pledge(growth=0.5, base_share=0.8),
        "check_relative_targets",
        3,
        "base_share",
        P3,
        0.8,
        says=(
            "(1 + growth 0.5) x base_share 0.8 = 1.2",
            "unreachable",
            "allowed: base_share <= 1 / (1 + growth) = 0.6667",
        ),
    ),
    "base period after the row's": Case(
        add("targets", scope="network", period="P1", growth=0.1, base_period="P3"),
        "check_relative_targets",
        3,
        "base_period",
        {"scope": "network", "period": "P1"},
        "P3",
        WARNING,
        says=("base_period 'P3' comes after the row's period 'P1'", "Allowed, but"),
    ),
    "every period over a later base": Case(
        edit("targets", 0, growth=0.1, base_period="P2"),
        "check_relative_targets",
        2,
        "base_period",
        {"scope": "network"},
        "P2",
        WARNING,
        says=("base_period 'P2' is not the first period", "the 1 period(s) before it"),
    ),
    "step of 0": Case(
        add("settings", setting="relative_target_step", value="0"),
        "check_relative_target_step",
        4,
        "value",
        {"setting": "relative_target_step"},
        "0",
        says=(
            "value '0' of setting 'relative_target_step'",
            "allowed: a number >= 0.0001 and <= 1",
        ),
        table="settings",
    ),
    "step too fine": Case(
        add("settings", setting="relative_target_step", value="0.00001"),
        "check_relative_target_step",
        4,
        "value",
        {"setting": "relative_target_step"},
        "0.00001",
        says=("about 1 / step binaries",),
        table="settings",
    ),
    "step above 1": Case(
        add("settings", setting="relative_target_step", value="1.5"),
        "check_relative_target_step",
        4,
        "value",
        {"setting": "relative_target_step"},
        "1.5",
        says=("allowed: a number >= 0.0001 and <= 1",),
        table="settings",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_one_breakage_one_problem(name: str) -> None:
    case = CASES[name]
    problems = broken(case.breakage).check()
    assert len(problems) == 1, [str(p) for p in problems]
    (p,) = problems
    assert (p.check, p.table, p.row, p.column) == (case.check, case.table, case.row, case.column)
    assert dict(p.key) == dict(case.key)
    assert p.value == case.value
    assert p.severity is case.severity
    for words in case.says:
        assert words in p.message, p.message


def test_every_rule_has_a_case() -> None:
    assert {c.check for c in CASES.values()} == {c.__name__ for c in rules.TARGET_CHECKS}


@pytest.mark.parametrize(
    "row",
    [
        {"growth": 0.5, "base_period": "P1"},
        {"growth": 0.5, "base_share": 0.2},
        {"min_local_share": 0.3, "growth": 0.25, "base_period": "P2"},
        {"growth": 0.5, "base_share": 0.2, "base_period": "P1"},  # base_share overrides
        {"growth": 0.0, "base_share": 1.0},  # reachable: exactly 1
    ],
)
def test_relative_targets_that_are_fine(row: dict[str, Any]) -> None:
    assert broken(pledge(**{"min_local_share": None, **row})).check() == []


def test_a_row_of_every_period_over_the_first_is_fine() -> None:
    """A blank period with base_period P1: the target applies from P2 on (P1's own row
    has no relative part), with no warning."""
    assert broken(edit("targets", 0, growth=0.1, base_period="P1")).check() == []


def test_a_valid_step_is_fine() -> None:
    tables = valid_tables()
    net = Network(tables)
    assert net.setting("relative_target_step") == "0.005"
    assert broken(add("settings", setting="relative_target_step", value="0.01")).check() == []


def test_schema_rules_report_bad_cells_once() -> None:
    """A negative growth and an unknown base period are the schema's to report (ranges,
    references); the relative rule does not repeat them."""
    problems = broken(pledge(growth=-0.1, base_period="P9")).check()
    assert sorted(p.check for p in problems) == ["check_ranges", "check_references"]
