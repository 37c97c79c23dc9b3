"""Read and write networks: an ``.xlsx`` workbook (one sheet per table) or a
folder of ``.csv`` files with the same names.

Reading never fails with a traceback on bad content: a file that cannot be
opened, an unreadable sheet or a cell of the wrong type becomes a
:class:`~emsplan.problems.Problem`. Writing is atomic: the result appears
complete, or not at all.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from emsplan import schema
from emsplan.network import Network
from emsplan.problems import InputError, Problem, Severity

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")

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


# -- writing ------------------------------------------------------------------
def _cell(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def write_network(network: Network, path: str | Path) -> Path:
    """Write every table (empty ones as headers only); atomic."""
    path = Path(path)
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        write_workbook({k: v for k, v in network.tables.items()}, path)
    else:
        write_csv_folder(network.tables, path)
    return path


def write_workbook(
    tables: dict[str, pd.DataFrame], path: Path, notes: dict[str, list[str]] | None = None
) -> None:
    """Write frames as sheets of one workbook, atomically.

    ``notes`` optionally gives, per sheet, a comment for each header cell.
    """
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    for blank_sheet in list(book.worksheets):
        book.remove(blank_sheet)
    for name, frame in tables.items():
        sheet = book.create_sheet(title=name[:31])
        sheet.append([str(c) for c in frame.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for pos, cell in enumerate(sheet[1]):
            if notes and name in notes and pos < len(notes[name]):
                cell.comment = Comment(notes[name][pos], "emsplan", width=300, height=120)
        for number, row in enumerate(frame.itertuples(index=False), start=2):
            values = [_cell(v) for v in row]
            sheet.append(values)
            for pos, value in enumerate(values):
                if _needs_care(value):  # by row number: sheet.max_row scans every cell
                    _set_exactly(sheet.cell(number, pos + 1), value)
        for pos, column in enumerate(frame.columns):
            width = max([len(str(column)), *(len(str(v)) for v in frame.iloc[:200, pos])])
            sheet.column_dimensions[sheet.cell(1, pos + 1).column_letter].width = min(
                max(width + 2, 8), 60
            )
        sheet.freeze_panes = "A2"
    _atomic_save(path, book.save)


def _needs_care(value: Any) -> bool:
    """True for values openpyxl would not store as given (see :func:`_set_exactly`)."""
    if isinstance(value, str):
        return value.startswith("=")
    if isinstance(value, float):
        return float(f"{value:.16g}") != value
    return False


def _set_exactly(cell: Any, value: Any) -> None:
    """Store ``value`` in ``cell`` as itself.

    openpyxl stores text that starts with ``=`` as a formula (read back blank,
    and a formula-injection risk), and numbers with 16 significant digits
    (``0.1 + 0.2`` comes back as ``0.3``). Text is forced to be text; a float
    that needs 17 digits is stored through its shortest exact ``repr``, which
    the cell writer passes through unchanged (a workbook's XML holds the
    digits; Excel shows 15 of them).
    """
    if isinstance(value, str):
        cell.data_type = "s"
    else:
        cell._value = repr(value)
        cell.data_type = "n"


def _atomic_save(path: Path, save: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        save(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_csv_folder(tables: dict[str, pd.DataFrame], path: Path) -> None:
    """Write frames as ``<name>.csv`` files in a folder.

    The files are written to a temporary folder beside ``path`` first and
    moved in only when all are complete.
    """
    path.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        for name, frame in tables.items():
            (tmp / f"{name}.csv").write_text(csv_text(frame), encoding="utf-8", newline="")
        for name in tables:
            os.replace(tmp / f"{name}.csv", path / f"{name}.csv")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _csv_field(value: Any) -> str:
    value = _cell(value)
    if value is None:
        return ""
    text = repr(value) if isinstance(value, float) else str(value)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_text(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text: a header line, ``\\n`` line ends, exact floats.

    Written by hand because Python 3.11's csv writer (and so pandas) does not
    quote a field holding a lone carriage return when lines end in ``\\n``,
    which splits the row when it is read back.
    """
    lines = [",".join(_csv_field(str(c)) for c in frame.columns)]
    lines.extend(",".join(_csv_field(v) for v in row) for row in frame.itertuples(index=False))
    return "\n".join(lines) + "\n"
