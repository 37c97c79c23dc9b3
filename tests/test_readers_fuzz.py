"""Random junk fed to the readers: they return a Network or raise InputError, nothing else.

Every property writes files the way a planner's tools might (workbooks with
odd sheets and cells, CSV files with odd text and bytes), reads them with
:func:`emsplan.read` (conversion and every validation rule) and checks that
the outcome is either a :class:`~emsplan.data.network.Network` or an
:class:`~emsplan.core.problems.InputError` whose problems each name a table and
say what is wrong.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

import emsplan
from conftest import small_tables
from emsplan.core.problems import InputError, Severity
from emsplan.data import schema
from emsplan.data.network import Network

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Damaged networks mostly convert, so every validation rule runs on them (~0.2 s each).
FUZZ_NETWORKS = settings(FUZZ, max_examples=30)

TABLES = list(schema.tables())
ALL_COLUMNS = sorted({c for t in schema.tables().values() for c in t.column_names})

# -- cells ------------------------------------------------------------------------------
text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20)
special_text = st.sampled_from(
    [
        *("nan", "NaN", "inf", "-inf", "Infinity", "1e308", "-1e308", "1e999", "", " ", "\t"),
        *("TRUE", "false", "0012", "1,000", "1_000", "None", "null", "#N/A", "=1+1", "'x"),
        *("😀", "\u200b", "2024-01-01", "12:30", "0x10", "1e-400", "-0", "+5", " 7 ", "½"),
        *("PH1", "BAT1", "PL1", "SUP-IN", "MKT-N", "2024-Q1", "product", "plant", "network"),
    ]
)
long_text = st.integers(1_000, 40_000).map(lambda n: "é" * n)
numbers = st.one_of(
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 5e-324, 1e12, 1e12 + 1, -0.0, 0.5, 91, 2**53 + 1]),
)
dates = st.one_of(
    st.dates(dt.date(1900, 3, 1), dt.date(9999, 12, 31)),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(9999, 12, 31)),
)
cells = st.one_of(st.none(), st.booleans(), numbers, text, special_text, long_text, dates)


def header_names(table: str) -> st.SearchStrategy[Any]:
    """A header cell: declared (in any case, padded), another table's column, junk or blank."""
    declared = st.sampled_from(list(schema.table(table).column_names))
    return st.one_of(
        declared,
        declared.map(lambda s: f" {s.upper()} "),
        st.sampled_from(ALL_COLUMNS),
        text,
        st.none(),
        numbers,
    )


@st.composite
def raw_tables(draw: st.DrawFn) -> list[tuple[str, list[list[Any]]]]:
    """Sheets as (name, rows); the first row is the header (if any)."""
    names = st.one_of(
        st.sampled_from(TABLES),
        st.sampled_from(TABLES).map(str.upper),
        st.sampled_from(["README", "Sheet1", "notes", "périodes", "demand (2)"]),
    )
    out = []
    for name in draw(st.lists(names, min_size=1, max_size=6)):
        table = name.lower() if name.lower() in TABLES else "items"
        header = draw(st.lists(header_names(table), max_size=10))
        body = draw(st.lists(st.lists(cells, max_size=12), max_size=6))
        out.append((name, [header, *body] if header or body else []))
    return out


# -- writing junk -----------------------------------------------------------------------
def workbook_safe(value: Any) -> Any:
    """What openpyxl can store (it refuses control characters and ints beyond 1e308)."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("?", value)[:32_000]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**300:
        return float("inf")
    return value


def write_workbook(path: Path, sheets: list[tuple[str, list[list[Any]]]]) -> None:
    book = openpyxl.Workbook()
    default = book.active
    assert default is not None
    for name, rows in sheets:
        sheet = book.create_sheet(title=name)  # openpyxl renames duplicates ("items1")
        for row in rows:
            sheet.append([workbook_safe(v) for v in row])
    book.remove(default)
    book.save(path)


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


def write_csv_folder(path: Path, sheets: list[tuple[str, list[list[Any]]]]) -> None:
    path.mkdir()
    for name, rows in sheets:
        with (path / f"{name}.csv").open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([[csv_cell(v) for v in row] for row in rows])


# -- the property ------------------------------------------------------------------------
def assert_reads_cleanly(path: Path) -> Network | None:
    """``emsplan.read(path)`` gives a Network or an InputError whose problems are all usable."""
    try:
        network = emsplan.read(path)
    except InputError as exc:
        assert exc.problems, "InputError without problems"
        assert any(p.severity is Severity.ERROR for p in exc.problems)
        for p in exc.problems:
            assert p.table and p.table.strip(), p
            assert p.message and p.message.strip(), p
            assert f"table '{p.table}'" in str(p)
        assert str(exc)
        return None
    assert isinstance(network, Network)
    assert all(p.severity is Severity.WARNING for p in network.problems)
    return network


def in_tmp(check: Callable[[Path], None]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        check(Path(tmp))


@FUZZ
@given(raw_tables())
def test_junk_workbooks(sheets: list[tuple[str, list[list[Any]]]]) -> None:
    def check(tmp: Path) -> None:
        write_workbook(tmp / "junk.xlsx", sheets)
        assert_reads_cleanly(tmp / "junk.xlsx")

    in_tmp(check)


@FUZZ
@given(raw_tables())
def test_junk_csv_folders(sheets: list[tuple[str, list[list[Any]]]]) -> None:
    def check(tmp: Path) -> None:
        unique = list({name.lower(): (name, rows) for name, rows in sheets}.values())
        write_csv_folder(tmp / "junk", unique)
        assert_reads_cleanly(tmp / "junk")

    in_tmp(check)


@FUZZ
@given(
    st.sampled_from(TABLES),
    st.one_of(
        st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=300),
        st.text(alphabet=',"\r\n \t\x00abc1.-', max_size=200),
    ),
)
def test_junk_csv_text(table: str, content: str) -> None:
    """Any text at all as a CSV file: unbalanced quotes, NUL, stray line ends."""

    def check(tmp: Path) -> None:
        (tmp / "net").mkdir()
        (tmp / "net" / f"{table}.csv").write_text(content, encoding="utf-8", newline="")
        assert_reads_cleanly(tmp / "net")

    in_tmp(check)


@FUZZ
@given(st.binary(max_size=400), st.sampled_from(["periods.csv", "junk.xlsx"]))
def test_junk_bytes(content: bytes, name: str) -> None:
    """Random bytes as a CSV file or as a workbook."""

    def check(tmp: Path) -> None:
        target = tmp / "net" / name if name.endswith(".csv") else tmp / name
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(content)
        assert_reads_cleanly(target.parent if name.endswith(".csv") else target)

    in_tmp(check)


@st.composite
def damaged_tables(draw: st.DrawFn) -> dict[str, pd.DataFrame]:
    """The small valid network with a few cells, columns, rows or tables damaged.

    Most damage keeps the types right so that the validation rules, not only
    the conversion, see strange networks (unknown references, duplicates,
    blanks, out-of-range numbers).
    """
    tables = {k: v.astype(object) for k, v in small_tables().items()}
    for _ in range(draw(st.integers(1, 6))):
        name = draw(st.sampled_from(TABLES))
        frame = tables.get(name)
        action = draw(st.sampled_from(["cell", "cell", "cell", "drop_col", "dup_row", "drop"]))
        if frame is None:
            continue
        if action == "drop":
            del tables[name]
        elif action == "dup_row" and len(frame):
            tables[name] = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
        elif action == "drop_col" and len(frame.columns):
            tables[name] = frame.drop(columns=[draw(st.sampled_from(list(frame.columns)))])
        elif len(frame) and len(frame.columns):
            row = draw(st.integers(0, len(frame) - 1))
            column = draw(st.sampled_from(list(frame.columns)))
            frame.loc[row, column] = draw(st.one_of(special_text, st.none(), numbers, cells))
    return tables


@FUZZ_NETWORKS
@given(damaged_tables(), st.booleans())
def test_damaged_networks(tables: dict[str, pd.DataFrame], as_workbook: bool) -> None:
    def check(tmp: Path) -> None:
        sheets = [
            (name, [list(frame.columns), *frame.itertuples(index=False)])
            for name, frame in tables.items()
        ]
        sheets = [(name, [list(r) for r in rows]) for name, rows in sheets]
        if as_workbook:
            write_workbook(tmp / "net.xlsx", sheets)
            assert_reads_cleanly(tmp / "net.xlsx")
        else:
            write_csv_folder(tmp / "net", sheets)
            assert_reads_cleanly(tmp / "net")

    in_tmp(check)


@FUZZ_NETWORKS
@given(damaged_tables())
def test_damaged_networks_in_memory(tables: dict[str, pd.DataFrame]) -> None:
    """The same through the API: Network(tables) then validate()."""
    try:
        Network(tables).validate()
    except InputError as exc:
        assert exc.problems
        assert all(p.table and p.message for p in exc.problems)


def test_workbook_without_sheets_of_tables(tmp_path: Path) -> None:
    book = openpyxl.Workbook()  # one empty sheet called "Sheet"
    book.save(tmp_path / "empty.xlsx")
    assert assert_reads_cleanly(tmp_path / "empty.xlsx") is None


def test_empty_folder_and_empty_files(tmp_path: Path) -> None:
    (tmp_path / "net").mkdir()
    assert assert_reads_cleanly(tmp_path / "net") is None
    for name in TABLES:
        (tmp_path / "net" / f"{name}.csv").write_text("")
    assert_reads_cleanly(tmp_path / "net")


def test_readme_sheet_is_skipped_silently(tmp_path: Path, small_network: Network) -> None:
    path = small_network.write(tmp_path / "net.xlsx")
    book = openpyxl.load_workbook(path)
    book.create_sheet("ReadMe", 0).append(["anything at all", 1, None])
    book.save(path)
    network = emsplan.read(path)
    assert network.problems == []
    assert network.equals(small_network)


@FUZZ
@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), numbers), max_size=5))
def test_typed_frames_convert_like_raw_cells(values: list[Any]) -> None:
    """A float64 column built in Python meets the same rules as the same cells read from a file."""

    def problems(column: pd.Series) -> list[tuple[int | None, str]]:
        tables = {"periods": pd.DataFrame({"period": [f"P{i}" for i in range(len(column))]})}
        tables["periods"]["days"] = column.to_numpy()
        tables["items"] = pd.DataFrame({"item": ["A"] * len(column), "holding_cost": column})
        net = Network(tables, strict=False)
        return sorted((p.row, p.message) for p in net.problems if p.check == "check_types")

    floats = [float(v) for v in values if abs(float(v)) < 1e308 or v != v]
    typed = pd.Series(floats, dtype="float64")
    assert problems(typed) == problems(typed.astype(object))


CELL_TEXT = st.one_of(
    st.from_regex(r"\s*[+-]?\d{0,14}(\.\d{0,8})?([eE][+-]?\d{1,3})?\s*", fullmatch=True),
    st.sampled_from(["", " ", "nan", "inf", "-Infinity", "1_000", "1e400", "0x10", "١٢", "1\r"]),
    st.sampled_from(["\u00a0x", "x\u2003", "\x1cA", "a\nb", "\tb ", "\u3000", "a\x85", "b\x7f"]),
    st.text(max_size=8),
)
CELLS = st.lists(
    st.one_of(CELL_TEXT, st.none(), st.floats(allow_nan=True), st.integers(-(10**13), 10**13)),
    max_size=30,
)


@FUZZ
@given(cells=CELLS, kind=st.sampled_from(["str", "float", "int"]))
def test_column_conversion_at_once_equals_cell_by_cell(cells: list[Any], kind: str) -> None:
    """The vectorised conversion of a column gives every cell the value and the problem
    that the cell-by-cell conversion gives it."""
    from emsplan.data import cells as coerce

    table = schema.table("supply")  # text, number and whole-number columns
    column = next(c for c in table.columns if c.type == kind)
    values = pd.Series(cells, dtype=object)
    keys = pd.DataFrame({"k": [str(i) for i in range(len(cells))]})
    rows = pd.RangeIndex(len(cells)).to_numpy() + 2
    problems: list[Any] = []
    got = coerce.coerce_column(table, column, values, keys, rows, problems)
    expected, reasons = [], []
    for value in cells:
        result, reason = coerce._coerce_cell(column, value)
        reasons.append(reason)
        expected.append(None if result is coerce._BLANK or reason is not None else result)
    want = pd.Series(expected, dtype=object)
    if column.default is not None:
        want = want.where(want.notna(), column.default)
    pd.testing.assert_series_equal(got, want.astype(column.dtype), check_names=False)
    assert [p.row - 2 for p in problems] == [i for i, r in enumerate(reasons) if r is not None]
