"""No value in any one input cell causes an internal error.

The bundled example ``india-2023`` fills every declared table but the forecasting ones,
which the test adds (:func:`forecasting_tables`). Each property puts one
awkward value (blank, white space, a value of the wrong type, huge numbers, NaN,
infinity, a negative number, a very long text, control characters, a lone surrogate) into
one cell of the example's raw tables, and builds and checks the network the way the readers do (raw
cells as Python objects, ``Network(..., strict=False)`` then ``.check()``). Nothing may
fail but with :class:`~emsplan.core.problems.InputError`; a value the column's
declaration does not allow (required, type, range, allowed values, reference) must give
an error naming that table, row and column, and a value it allows must not give one of
the declaration's own rules. A few of the same edits go through the real command line.
"""

from __future__ import annotations

import datetime as dt
import math
import subprocess
import sys
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import emsplan
from conftest import ROOT, subprocess_env
from emsplan.core.problems import InputError, Problem, Severity
from emsplan.data import schema
from emsplan.data.cells import MAX_MAGNITUDE
from emsplan.data.network import Network

#: Two values per column and run (every column every run, the values vary between runs);
#: about 180 examples in all, each a whole network built and checked.
PER_COLUMN = settings(
    max_examples=2,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

COLUMNS = [(t.name, c.name) for t in schema.tables().values() for c in t.columns]

#: The rules driven by the declaration: a value the declaration allows never meets them.
DECLARATION_CHECKS = {
    "check_types",
    "check_required",
    "check_ranges",
    "check_allowed",
    "check_references",
}

LONG_TEXT = "very long text " * 4000
#: A whole number beyond float's range (a workbook cell of 401 digits reads as this int)
#: and one of more digits than str() writes (only from Python).
HUGE_WHOLE = 10**400
TOO_LONG = 10**5000
#: Control characters inside text (at the ends, Python's str.strip takes some as blanks),
#: and a lone surrogate (half a character pair: Python text may hold one, no file can).
ODD_TEXT = ["a\x01b", "\x00", "x\x0by", "esc\x1b[0m", "half \ud800 pair"]
WRONG_FOR_TEXT = [42, 3.5, True, dt.date(2024, 1, 1), dt.datetime(2024, 1, 1, 12, 30)]


def awkward_values(column: schema.Column) -> list[Any]:
    """The values tried in a cell of ``column``."""
    wrong_type = ["abc"] if column.type != "str" else WRONG_FOR_TEXT
    numbers = [1e13, -1e13, math.nan, math.inf, -math.inf, -1, HUGE_WHOLE, -HUGE_WHOLE, TOO_LONG]
    return [None, "   ", "\t", *wrong_type, *numbers, LONG_TEXT, *ODD_TEXT]


# -- the example, as a reader hands it to Network ------------------------------------------
@cache
def example() -> Network:
    return emsplan.examples.load("india-2023")


def forecasting_tables(network: Network) -> dict[str, pd.DataFrame]:
    """The tables of the demand forecast, which the example leaves empty (a sales history
    would change its reference results): a made-up history of its demand, and its demand
    as the forecast, with an interval of 10% either side."""
    from emsplan.forecast.simulate import simulate_history

    demand = network.demand
    forecast = demand[["market", "item", "period", "qty"]].assign(
        lo=0.9 * demand["qty"], hi=1.1 * demand["qty"], level=80.0, model="combination"
    )
    return {"sales_history": simulate_history(network, periods=8), "demand_forecast": forecast}


@cache
def raw_tables() -> dict[str, pd.DataFrame]:
    """The example's tables as a reader gives them: object cells, None for blanks; the
    tables it leaves empty filled by :func:`forecasting_tables`."""
    tables = dict(example().tables)
    for name, frame in forecasting_tables(example()).items():
        if tables[name].empty:
            tables[name] = frame
    return {name: frame.astype(object).where(frame.notna(), None) for name, frame in tables.items()}


def build(tables: dict[str, pd.DataFrame]) -> list[Problem]:
    """Convert and check as ``emsplan validate`` does, but past conversion errors too."""
    rows = {name: np.arange(len(frame)) + 2 for name, frame in tables.items()}
    try:
        return Network(tables, name="cell", strict=False, source_rows=rows).check()
    except InputError as exc:
        return exc.problems


def test_example_fills_every_declared_column() -> None:
    """The property's ground: every declared table has rows (the forecasting tables added
    to the example's), and the example is valid."""
    raw = raw_tables()
    for decl in schema.tables().values():
        assert len(raw[decl.name]), f"the example leaves table {decl.name!r} empty"
        assert list(raw[decl.name].columns) == list(decl.column_names)
    assert not [p for p in build(dict(raw)) if p.severity is Severity.ERROR]


# -- what the declaration allows ------------------------------------------------------------
def is_blank(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip() == ""
    return value is None or (isinstance(value, float) and math.isnan(value))


def as_text(value: Any) -> str:
    """The text a cell's value is read as in a text column."""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def number_allowed(column: schema.Column, value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if not abs(value) <= MAX_MAGNITUDE:  # inf, and whole numbers float() cannot hold
        return False
    number = float(value)
    if column.type == "int" and not number.is_integer():
        return False
    return column.range is None or bool(column.range.mask(pd.Series([number])).iat[0])


def text_allowed(column: schema.Column, value: Any) -> bool:
    try:
        text = as_text(value)
    except ValueError:  # str() refuses whole numbers of more than 4300 digits
        return False
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in text):
        return False  # a control character
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        return False  # a lone surrogate
    if column.allowed:
        return text in column.allowed
    if column.ref is not None:
        ref_table, ref_column = column.ref
        target = example()[ref_table]
        listed = target.loc[target[ref_column] == text]
        if listed.empty:
            return False
        return not column.ref_kind or listed["kind"].iat[0] in column.ref_kind
    return True


def allowed(column: schema.Column, value: Any) -> bool:
    """True if the column's declaration accepts ``value`` (other rows left as they are)."""
    if is_blank(value):
        return not column.required
    if column.type == "str":
        return text_allowed(column, value)
    return number_allowed(column, value)


# -- the property --------------------------------------------------------------------------
def names_cell(problem: Problem, table: str, column: str, row: int) -> bool:
    where = (problem.table, problem.column, problem.row)
    return problem.severity is Severity.ERROR and where == (table, column, row)


@pytest.mark.parametrize(("table", "column"), COLUMNS, ids=[f"{t}.{c}" for t, c in COLUMNS])
@PER_COLUMN
@given(data=st.data())
def test_any_value_in_any_cell(table: str, column: str, data: st.DataObject) -> None:
    declared = schema.table(table).column(column)
    value = data.draw(st.sampled_from(awkward_values(declared)), label="value")
    position = data.draw(st.integers(0, len(raw_tables()[table]) - 1), label="position")
    tables = dict(raw_tables())
    tables[table] = tables[table].copy()
    tables[table].at[position, column] = value
    problems = build(tables)
    assert all(p.table and p.message for p in problems)
    row = position + 2
    mine = [p for p in problems if names_cell(p, table, column, row)]
    if allowed(declared, value):
        assert not [p for p in mine if p.check in DECLARATION_CHECKS], mine
    else:
        assert mine, f"no error names {table!r} row {row} column {column!r}: {problems}"


# -- end to end, through the command line ------------------------------------------------------
CLI_CASES = [
    ("supply", "supplier", None),  # a blank required key
    ("supply", "price", "abc"),  # text in a number column
    ("supply", "capacity", 1e13),  # beyond the largest magnitude
    ("options", "kind", None),  # once "boolean value of NA is ambiguous"
]


def validate_command(path: Path) -> subprocess.CompletedProcess[str]:
    """``python -m emsplan validate PATH``, run for real."""
    return subprocess.run(
        [sys.executable, "-m", "emsplan", "validate", str(path)],
        capture_output=True,
        text=True,
        env=subprocess_env() | {"COLUMNS": "250", "NO_COLOR": "1"},
        cwd=ROOT,
        timeout=180,
    )


def set_first_cell(path: Path, table: str, column: str, value: Any) -> None:
    """Put ``value`` into the first row of ``table``'s ``column`` in the workbook."""
    book = openpyxl.load_workbook(path)
    sheet = book[table]
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=header.index(column) + 1).value = value  # (value=None is a no-op)
    book.save(path)


def assert_reported(result: subprocess.CompletedProcess[str], *words: str) -> None:
    """Exit code 2 (errors in the input), no internal error, and the words shown."""
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Internal error" not in output and "Traceback" not in output, output
    assert all(word in output for word in words), output


@pytest.mark.parametrize(("table", "column", "value"), CLI_CASES)
def test_validate_command_reports_the_cell(
    tmp_path: Path, table: str, column: str, value: Any
) -> None:
    path = example().write(tmp_path / "net.xlsx")
    set_first_cell(path, table, column, value)
    assert_reported(validate_command(path), table, column)


def put_digits(path: Path, table: str, column: str, digits: int) -> None:
    """Write a whole number of ``digits`` digits into the first row's cell, in the sheet's
    XML (openpyxl writes no int beyond float's range; other tools may)."""
    placeholder = "123456789.125"
    set_first_cell(path, table, column, float(placeholder))
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    old, new = f"<v>{placeholder}</v>".encode(), ("<v>1" + "0" * (digits - 1) + "</v>").encode()
    assert sum(data.count(old) for data in parts.values()) == 1
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data.replace(old, new))


@pytest.mark.parametrize(
    "digits",
    [
        401,  # read by openpyxl as an int that float() cannot hold: once an OverflowError
        5001,  # beyond the digits int() converts: openpyxl fails part-way through the sheet
    ],
)
def test_validate_command_huge_whole_number(tmp_path: Path, digits: int) -> None:
    path = example().write(tmp_path / "net.xlsx")
    put_digits(path, "supply", "price", digits)
    assert_reported(validate_command(path), "price", "largest allowed magnitude")
