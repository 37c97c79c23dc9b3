"""Validation rules of relative local-content targets (``targets.growth``).

A row of ``targets`` may give an absolute floor (``min_local_share``), a relative
target (``growth`` over a base: ``base_share`` given, or the plan's own share in
``base_period``), or both. The scope rule (a target's scope is the network, a plant or a
product) is :func:`emsplan.validation.domain.check_targets`.

===========================  ===================================================
rule                         what it requires (E = error, W = warning)
===========================  ===================================================
check_relative_targets       E: a row gives min_local_share or growth; growth
                             has a base (base_share or base_period); no base
                             without growth; base_period is not the row's own
                             period; (1 + growth) x base_share <= 1.
                             W: base_period later than the row's period (or,
                             for a row of every period, than the first period)
check_relative_target_step   E: setting relative_target_step >= 0.0001, <= 1
===========================  ===================================================

Cells the schema-driven rules report (a growth below 0, a base_share above 1, an
unknown base_period) are skipped here.
"""

from __future__ import annotations

from typing import Any

from emsplan.core.periods import period_positions
from emsplan.core.problems import Problem, Severity, format_value
from emsplan.data import schema
from emsplan.data.network import Network
from emsplan.validation.report import Check, blank, positions, row_problem

#: The finest grid of base shares: at most about 10,000 points per relative target.
SMALLEST_STEP = 1e-4

#: What a target row may give, for the messages.
TARGET_FORMS = (
    "a least local share (min_local_share, 0 to 1), a growth over a base (growth with "
    "base_share or base_period), or both"
)


def _number(value: Any) -> float | None:
    return None if blank(value) else float(value)


def check_relative_targets(network: Network) -> list[Problem]:
    """Each target row is an absolute floor, a relative target with one base, or both
    (see the module table)."""
    targets = network["targets"]
    index = period_positions(network.period_labels)
    out = []

    def problem(pos: int, column: str, message: str, value: Any = None, warn: bool = False) -> None:
        out.append(
            row_problem(
                network,
                "targets",
                pos,
                column,
                message,
                check="check_relative_targets",
                value=value,
                severity=Severity.WARNING if warn else Severity.ERROR,
            )
        )

    for pos in range(len(targets)):
        row = targets.iloc[pos]
        floor, growth = _number(row["min_local_share"]), _number(row["growth"])
        base_share = _number(row["base_share"])
        base_period = None if blank(row["base_period"]) else row["base_period"]
        period = None if blank(row["period"]) else row["period"]
        if floor is None and growth is None:
            problem(
                pos,
                "min_local_share",
                f"the row gives neither min_local_share nor growth; allowed: {TARGET_FORMS}.",
            )
        if growth is None:
            for column, value in (("base_share", base_share), ("base_period", base_period)):
                if value is not None:
                    problem(
                        pos,
                        column,
                        f"{column} {format_value(value)} is given without a growth; allowed: "
                        f"a base only with growth (the local share must be at least (1 + "
                        f"growth) x the base), or {column} blank.",
                        value,
                    )
            continue
        if base_share is None and base_period is None:
            problem(
                pos,
                "growth",
                f"growth {format_value(growth)} has no base; allowed: base_share (the base as a "
                "share, 0 to 1) or base_period (the plan's own share in that period).",
                growth,
            )
        if base_period is not None and period is not None and base_period == period:
            problem(
                pos,
                "base_period",
                f"base_period {format_value(base_period)} is the row's own period; allowed: "
                "another period of table 'periods' (the share in a period cannot grow over "
                "itself).",
                base_period,
            )
        if base_share is not None and growth >= 0 and 0 <= base_share <= 1:
            need = (1 + growth) * base_share
            if need > 1 + 1e-12:
                problem(
                    pos,
                    "base_share",
                    f"(1 + growth {format_value(growth)}) x base_share "
                    f"{format_value(base_share)} = {need:.4g}: no plan reaches a local share "
                    f"above 1, so the target is unreachable; allowed: base_share <= 1 / (1 + "
                    f"growth) = {1 / (1 + growth):.4g}, or a smaller growth.",
                    base_share,
                )
        if base_share is None and base_period in index:
            base = index[base_period]
            if period is not None and period in index and index[period] < base:
                problem(
                    pos,
                    "base_period",
                    f"base_period {format_value(base_period)} comes after the row's period "
                    f"{format_value(period)}: the share in {format_value(period)} must grow "
                    "over a later one. Allowed, but usually the base is an earlier period.",
                    base_period,
                    warn=True,
                )
            elif period is None and base > 0:
                problem(
                    pos,
                    "base_period",
                    f"base_period {format_value(base_period)} is not the first period, and the "
                    f"row's blank period makes the target apply also in the {base} period(s) "
                    "before it, which must grow over a later share. Allowed, but usually the "
                    "base is the first period (or give the row's period).",
                    base_period,
                    warn=True,
                )
    return out


def check_relative_target_step(network: Network) -> list[Problem]:
    """Setting ``relative_target_step`` is a share in [0.0001, 1] (the grid's step; a
    smaller one would make over 10,000 binaries per relative target)."""
    settings = network["settings"]
    name = "relative_target_step"
    out = []
    for pos in positions(settings["setting"] == name):
        value = settings["value"].iat[pos]
        try:
            step = float(str(value))
        except ValueError:
            continue  # check_settings reports it
        if step != step or SMALLEST_STEP <= step <= 1:
            continue
        out.append(
            row_problem(
                network,
                "settings",
                pos,
                "value",
                f"value {format_value(value)} of setting {name!r} is not a step of the grid of "
                f"base shares; allowed: a number >= {SMALLEST_STEP:g} and <= 1 (about 1 / step "
                f"binaries per relative target; default {schema.settings()[name].default}).",
                check="check_relative_target_step",
                value=value,
            )
        )
    return out


#: The rules of relative targets, in the order they run.
TARGET_CHECKS: list[Check] = [check_relative_targets, check_relative_target_step]
