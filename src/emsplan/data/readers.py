"""Read networks: an ``.xlsx`` workbook (one sheet per table) or a folder of ``.csv``
files with the same names (written by :mod:`emsplan.data.writers`).

Reading never fails with a traceback on bad content: a file that cannot be
opened, an unreadable sheet or a cell of the wrong type becomes a
:class:`~emsplan.core.problems.Problem`.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from emsplan.core.problems import InputError, Problem, Severity
from emsplan.data import schema
from emsplan.data.network import Network
from emsplan.data.writers import WORKBOOK_SUFFIXES

#: A sheet or CSV file of this name (any case) explains the input and is not read.
README = "readme"


class RawInput:
    """Tables as read from files, before type conversion."""

    def __init__(self) -> None:
        self.tables: dict[str, pd.DataFrame] = {}
        self.rows: dict[str, np.ndarray] = {}
        self.problems: list[Problem] = []


def read(path: str | Path, *, validate: bool = True) -> Network:
    """Read a network from a workbook or a CSV folder.

    Raises :class:`InputError` listing every problem if the input has errors
    (conversion errors always; rule violations too when ``validate``).
    Warnings are kept in ``network.problems``.
    """
    network = read_unchecked(path)
    if validate:
        network.problems = network.validate()
    return network


def read_unchecked(path: str | Path) -> Network:
    """Read and convert, without the validation rules; raises on conversion errors."""
    raw = read_raw(path)
    unreadable = [p for p in raw.problems if p.check == "check_files"]
    if unreadable:  # the tables it held would all be reported missing: say only why
        raise InputError(unreadable)
    network = Network(raw.tables, name=Path(path).stem, strict=False, source_rows=raw.rows)
    network.problems = [*raw.problems, *network.problems]
    if any(p.severity is Severity.ERROR for p in network.problems):
        raise InputError(network.problems)
    return network


def read_raw(path: str | Path) -> RawInput:
    """Read the tables' cells as they are, with problems for what cannot be read."""
    path = Path(path)
    raw = RawInput()
    if not path.exists():
        raw.problems.append(_file_problem(path, "does not exist"))
    elif path.is_dir():
        _read_csv_folder(path, raw)
    elif path.suffix.lower() in WORKBOOK_SUFFIXES:
        _read_workbook(path, raw)
    else:
        raw.problems.append(
            _file_problem(path, "is neither an .xlsx workbook nor a folder of .csv files")
        )
    return raw


def _file_problem(path: Path, what: str) -> Problem:
    return Problem(check="check_files", table=str(path), message=f"the input {str(path)!r} {what}.")


def _frame(header: list[Any], body: list[list[Any]]) -> pd.DataFrame:
    width = max([len(header), *(len(r) for r in body)]) if body or header else 0
    header = header + [None] * (width - len(header))
    cells = [list(r) + [None] * (width - len(r)) for r in body]
    frame = pd.DataFrame(cells, columns=pd.RangeIndex(width), dtype=object)
    frame.columns = pd.Index(header, dtype=object)
    return frame


def _read_workbook(path: Path, raw: RawInput) -> None:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        raw.problems.append(_file_problem(path, f"cannot be opened as a workbook ({exc})"))
        return
    try:
        for sheet in book.worksheets:
            name = str(sheet.title).strip()
            if name.lower() == README:
                continue
            if name.lower() not in schema.tables():
                _unknown_table(raw, name)
                continue
            if name.lower() in raw.tables:
                _twice(raw, name)
                continue
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
            header = rows[0] if rows else []
            raw.tables[name.lower()] = _frame(header, rows[1:])
            raw.rows[name.lower()] = np.arange(len(rows) - 1 if rows else 0) + 2
    finally:
        book.close()


def _twice(raw: RawInput, name: str) -> None:
    raw.problems.append(
        Problem(
            check="check_tables",
            table=name.lower(),
            message=(
                f"table '{name.lower()}' is given twice (as {name!r} and another sheet or file "
                "whose name differs only in case); keep one."
            ),
        )
    )


def _unknown_table(raw: RawInput, name: str) -> None:
    raw.problems.append(
        Problem(
            check="check_tables",
            table=name,
            message=(
                f"unknown table {name!r} is ignored; the tables are {', '.join(schema.tables())}."
            ),
            severity=Severity.WARNING,
        )
    )


def _read_csv_folder(path: Path, raw: RawInput) -> None:
    import csv

    for file in sorted(path.glob("*.csv")):
        name = file.stem.strip().lower()
        if name == README:
            continue
        if name not in schema.tables():
            _unknown_table(raw, file.name)
            continue
        if name in raw.tables:
            _twice(raw, file.name)
            continue
        try:
            with file.open(newline="", encoding="utf-8-sig") as f:
                rows = list(csv.reader(f))
        except (UnicodeDecodeError, csv.Error, OSError) as exc:
            raw.problems.append(_file_problem(file, f"cannot be read as UTF-8 CSV ({exc})"))
            continue
        header: list[Any] = list(rows[0]) if rows else []
        raw.tables[name] = _frame(header, [list(r) for r in rows[1:]])
        raw.rows[name] = np.arange(max(len(rows) - 1, 0)) + 2
