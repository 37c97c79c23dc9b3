"""Validation rules: one ``check_*`` function per rule.

Each rule reads a :class:`~emsplan.data.network.Network` and returns the problems it
finds (possibly none), each naming the table, the row (number and key), the
column, the bad value and what is allowed. :func:`check_all` runs every rule
and returns all problems at once, so a planner fixes a workbook in one pass.

Rules driven by the schema declaration (required cells, ranges, allowed
values, duplicate keys, references) come first; the domain rules (BOM cycles,
supply of every item, ...) follow in :mod:`emsplan.validation.domain`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd

from emsplan.core.problems import Problem, Severity, format_value
from emsplan.data import schema
from emsplan.data.network import Network
from emsplan.validation.report import blank, positions, row_problem


def declared_columns() -> Iterator[tuple[schema.Table, schema.Column]]:
    for decl in schema.tables().values():
        for column in decl.columns:
            yield decl, column


def _type_problem_cells(network: Network) -> set[tuple[str, int, str]]:
    """Cells already reported as of the wrong type (so they are not reported twice)."""
    return {
        (p.table, p.row, p.column)
        for p in network.problems
        if p.check == "check_types" and p.row is not None and p.column is not None
    }


def _missing_columns(network: Network) -> set[tuple[str, str]]:
    """Required columns reported as missing from a table (their blank cells are not reported)."""
    return {
        (p.table, p.column)
        for p in network.problems
        if p.check == "check_columns" and p.row is None and p.column is not None
    }


def check_required(network: Network) -> list[Problem]:
    """Cells of required columns must not be blank.

    Cells already reported as of the wrong type, and columns reported as
    missing altogether, are not reported again cell by cell.
    """
    skip = _type_problem_cells(network)
    missing = _missing_columns(network)
    out = []
    for decl, column in declared_columns():
        if not column.required or (decl.name, column.name) in missing:
            continue
        frame = network[decl.name]
        for pos in positions(frame[column.name].isna()):
            if (decl.name, network.row_number(decl.name, pos), column.name) in skip:
                continue
            out.append(
                row_problem(
                    network,
                    decl.name,
                    pos,
                    column.name,
                    f"the cell is blank but '{column.name}' is required; "
                    f"allowed: {column.allowed_text()}.",
                    check="check_required",
                )
            )
    return out


def check_ranges(network: Network) -> list[Problem]:
    """Numbers must lie in their declared range (e.g. shares in [0, 1])."""
    out = []
    for decl, column in declared_columns():
        if column.range is None:
            continue
        values = network[decl.name][column.name]
        for pos in positions(~column.range.mask(values)):
            value = values.iat[pos]
            out.append(
                row_problem(
                    network,
                    decl.name,
                    pos,
                    column.name,
                    f"value {format_value(value)} is out of range; '{column.name}' "
                    f"({column.unit or 'no unit'}) must be {column.range.describe()}.",
                    check="check_ranges",
                    value=value,
                )
            )
    return out


def check_allowed(network: Network) -> list[Problem]:
    """Columns with a list of allowed values take only those."""
    out = []
    for decl, column in declared_columns():
        if not column.allowed:
            continue
        values = network[decl.name][column.name]
        for pos in positions(values.notna() & ~values.isin(column.allowed)):
            value = values.iat[pos]
            out.append(
                row_problem(
                    network,
                    decl.name,
                    pos,
                    column.name,
                    f"value {format_value(value)} is not allowed; "
                    f"'{column.name}' must be one of {', '.join(column.allowed)}.",
                    check="check_allowed",
                    value=value,
                )
            )
    return out


def check_duplicate_keys(network: Network) -> list[Problem]:
    """No two rows of a table may share the same key.

    Blank cells of optional key columns are part of the key (two BOM rows for
    the same parent and child, both with a blank site, are duplicates); rows
    with a blank required key cell are left to :func:`check_required`.
    """
    out = []
    for decl in schema.tables().values():
        frame = network[decl.name]
        if frame.empty:
            continue
        key = list(decl.key)
        required = [c.name for c in decl.columns if c.key and c.required]
        cells = ([None if blank(v) else v for v in frame[c].tolist()] for c in key)
        rows = list(zip(*cells, strict=True))
        if len(set(rows)) == len(rows):  # the usual case, decided without pandas overhead
            continue
        complete = frame[required].notna().all(axis=1).to_numpy()
        group = frame[key].groupby(key, dropna=False, sort=False).ngroup().to_numpy()
        order = pd.Series(range(len(frame)))[complete]
        first = order.groupby(group[complete]).transform("min")
        for pos, first_pos in zip(order.to_numpy(), first.to_numpy(), strict=True):
            if pos == first_pos:
                continue
            out.append(
                row_problem(
                    network,
                    decl.name,
                    int(pos),
                    None,
                    f"duplicate key: row {network.row_number(decl.name, int(first_pos))} has the "
                    f"same {', '.join(key)}; each key may appear once.",
                    check="check_duplicate_keys",
                )
            )
    return out


def check_references(network: Network) -> list[Problem]:
    """Columns that name an item, site or period must name a declared one (of the right kind)."""
    out = []
    for decl, column in declared_columns():
        if column.ref is None:
            continue
        ref_table, ref_column = column.ref
        target = network[ref_table]
        values = network[decl.name][column.name]
        listed = values.isin(target[ref_column].dropna().unique().tolist())
        bad = values.notna() & ~listed
        kinds: dict[Any, Any] = {}
        if column.ref_kind:
            kinds = dict(zip(target[ref_column], target["kind"], strict=True))
            kind = values.astype(object).map(kinds)
            # a blank kind is reported by check_required, not here
            bad |= listed & kind.notna() & ~kind.isin(list(column.ref_kind))
        for pos in positions(bad):
            value = values.iat[pos]
            if not listed.iat[pos]:
                message = (
                    f"{format_value(value)} is not a {ref_column} listed in table "
                    f"'{ref_table}'; allowed: {column.allowed_text()}."
                )
            else:
                message = (
                    f"{format_value(value)} is a {kinds.get(value)} but '{column.name}' must be "
                    f"a {ref_column} of kind {' or '.join(column.ref_kind)}."
                )
            out.append(
                row_problem(
                    network,
                    decl.name,
                    pos,
                    column.name,
                    message,
                    check="check_references",
                    value=value,
                )
            )
    return out


def check_settings(network: Network) -> list[Problem]:
    """Settings are declared ones, with values of their declared type and allowed values.

    An unknown setting is a warning (it is ignored); a value that is not of the
    setting's type (``int``, ``float``) or not one of its allowed values is an
    error.
    """
    out = []
    frame = network["settings"]
    declared = schema.settings()
    for pos in positions(frame["setting"].notna() & ~frame["setting"].isin(list(declared))):
        out.append(
            row_problem(
                network,
                "settings",
                pos,
                "setting",
                f"unknown setting {format_value(frame.at[pos, 'setting'])} is ignored; "
                f"the settings are {', '.join(declared)}.",
                check="check_settings",
                severity=Severity.WARNING,
            )
        )
    for pos, (name, value) in enumerate(zip(frame["setting"], frame["value"], strict=True)):
        setting = declared.get(name) if not blank(name) else None
        if setting is None or blank(value):
            continue
        if setting.allowed and value not in setting.allowed:
            allowed = f"one of {', '.join(setting.allowed)}"
        elif setting.type in ("int", "float") and not _parses(setting.type, value):
            allowed = {"int": "a whole number", "float": "a number"}[setting.type]
        else:
            continue
        out.append(
            row_problem(
                network,
                "settings",
                pos,
                "value",
                f"value {format_value(value)} is not allowed for setting {name!r}; "
                f"allowed: {allowed}.",
                check="check_settings",
                value=value,
            )
        )
    return out


def _parses(kind: str, text: str) -> bool:
    try:
        number = float(text)
    except ValueError:
        return False
    return (
        number == number and abs(number) != float("inf") and (kind != "int" or number.is_integer())
    )
