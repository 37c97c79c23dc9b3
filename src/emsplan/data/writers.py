"""Write tables: an ``.xlsx`` workbook (one sheet per table) or a folder of ``.csv``
files, for networks and plans alike.

Writing is atomic: the result appears complete, or not at all.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: Suffixes read and written as workbooks.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def _cell(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def write_tables(tables: Mapping[str, pd.DataFrame], path: str | Path) -> Path:
    """Write a network's tables (empty ones as headers only) to an ``.xlsx`` workbook, or
    to a folder of CSV files (any other path); atomic."""
    path = Path(path)
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        write_workbook(dict(tables), path)
    else:
        write_csv_folder(dict(tables), path)
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
    atomic_save(path, book.save)


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


def atomic_save(path: Path, save: Any) -> None:
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
