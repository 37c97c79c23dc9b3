"""Read networks: an ``.xlsx`` workbook (one sheet per table) or a folder of ``.csv``
files with the same names (written by :mod:`emsplan.data.writers`).

Reading never fails with a traceback on bad content: a file that cannot be
opened, an unreadable sheet or a cell of the wrong type becomes a
:class:`~emsplan.core.problems.Problem`. A damaged workbook is reported with the part
(sheet) that is damaged and how; XML entity declarations are refused (openpyxl parses
through defusedxml), so an entity bomb costs no memory; a formula that no spreadsheet
program has calculated is reported as such, not as a blank cell; and a header that is
not on the first row is one problem that says where it seems to be.
"""

from __future__ import annotations

import re
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from emsplan.core.problems import InputError, Problem, Severity, format_value
from emsplan.data import schema
from emsplan.data.cells import MAX_MAGNITUDE, UncalculatedFormula
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
    """Read each sheet of the workbook at ``path`` into ``raw``.

    openpyxl, zipfile and the XML parser under them raise errors of many kinds on a damaged
    file (``zlib.error``, ``BadZipFile``, ``EOFError``, ``ParseError``, ``ValueError``,
    ``KeyError``, ``NotImplementedError``, ``struct.error``, ...), none documented; so every
    error raised inside openpyxl's opening or reading of a sheet means "this file cannot be
    read", and becomes a problem that says which part of the file and why. Only openpyxl's
    calls are guarded so: an error of emsplan's own code stays an internal error.
    """
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raw.problems.append(_unopenable(path, exc))
        return
    formulas = _Formulas(path)
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
            rows: list[list[Any]] = []
            try:
                for row in sheet.iter_rows(values_only=True):
                    rows.append(list(row))
            except Exception as exc:
                raw.problems.append(_unreadable_sheet(path, sheet, rows, exc))
                continue
            formulas.mark(sheet, rows)
            _add_table(raw, name.lower(), rows, f"sheet {name!r}")
    finally:
        book.close()
        formulas.close()


def _add_table(raw: RawInput, name: str, rows: list[list[Any]], where: str) -> None:
    """Add a table's rows (as read, the header first) to ``raw``; ``where`` names the sheet
    or file in a problem."""
    at = _header_position(schema.tables()[name], rows, where, raw.problems)
    if at is None:  # no header anywhere: the problem says so, and the table has no rows
        raw.tables[name] = _frame(list(schema.tables()[name].column_names), [])
        raw.rows[name] = np.zeros(0, dtype=int)
        return
    header = list(rows[at]) if rows else []
    raw.tables[name] = _frame(header, rows[at + 1 :])
    raw.rows[name] = np.arange(max(len(rows) - at - 1, 0)) + at + 2


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
        _read_csv_file(file, name, raw)


def _read_csv_file(file: Path, name: str, raw: RawInput) -> None:
    """Read the CSV file ``file`` as table ``name`` into ``raw``."""
    import csv

    try:
        with file.open(newline="", encoding="utf-8-sig") as f:
            rows = list(csv.reader(f))
    except (UnicodeDecodeError, csv.Error, OSError) as exc:
        raw.problems.append(_file_problem(file, f"cannot be read as UTF-8 CSV ({exc})"))
        return
    _add_table(raw, name, [list(r) for r in rows], f"file {file.name!r}")


def read_table_raw(path: str | Path, name: str) -> RawInput:
    """The cells of one table, as :func:`read_raw` reads them, from a workbook or a CSV
    folder that holds it (its other tables are read too, but only the problems of the
    files and of this table are kept) or from one ``.csv`` file of its columns (of any
    name). A source without the table gets a problem that says so."""
    path = Path(path)
    if path.is_file() and path.suffix.lower() == ".csv":
        raw = RawInput()
        _read_csv_file(path, name, raw)
    else:
        raw = read_raw(path)
        raw.problems = [p for p in raw.problems if p.check == "check_files" or p.table == name]
    if name not in raw.tables and not raw.problems:
        raw.problems.append(
            Problem(
                check="check_tables",
                table=name,
                message=(
                    f"the input {str(path)!r} has no table '{name}': give a workbook with a "
                    f"sheet '{name}', a folder with the file '{name}.csv', or one .csv file "
                    f"with the columns {', '.join(schema.table(name).column_names)}."
                ),
            )
        )
    return raw


# -- the header row ------------------------------------------------------------------------
#: How many rows from the top are searched for the column names when the first row does
#: not hold them.
HEADER_SEARCH_ROWS = 10


def _filled(row: list[Any]) -> list[Any]:
    """The cells of ``row`` that are not blank."""
    return [v for v in row if v is not None and not (isinstance(v, str) and not v.strip())]


def _column_names_in(table: schema.Table, row: list[Any]) -> int:
    """How many cells of ``row`` are (in any case, padded or not) column names of ``table``."""
    names = {c.lower() for c in table.column_names}
    return sum(isinstance(v, str) and v.strip().lower() in names for v in row)


def _header_position(
    table: schema.Table, rows: list[list[Any]], where: str, problems: list[Problem]
) -> int | None:
    """Position in ``rows`` of the header row: 0 unless the first row is empty or holds a
    single text (a title) that is no column name, in which case one problem says so and
    names the row below that seems to hold the names (its position is returned), or that
    none does (None is returned).

    A first row of several cells, none a column name, is taken as a header all the same:
    its unknown columns are reported one by one, which says more about misspelt names.
    """
    first = rows[0] if rows else []
    if _column_names_in(table, first) or len(_filled(first)) > 1:
        return 0
    if not any(_filled(row) for row in rows):  # an empty sheet or file: its columns are missing
        return 0
    found = next(
        (
            pos
            for pos, row in enumerate(rows[1:HEADER_SEARCH_ROWS], start=1)
            if 2 * _column_names_in(table, row) >= max(len(_filled(row)), 1)
        ),
        None,
    )
    holds = f"it holds {format_value(_filled(first)[0])}" if _filled(first) else "it is empty"
    if found is None:
        fix = (
            f"no row of the first {HEADER_SEARCH_ROWS} holds them either, so the table is read "
            "as empty; put the column names in the first row"
        )
    else:
        fix = (
            f"row {found + 1} seems to hold them, and is read as the header; delete the rows "
            "above it"
        )
    problems.append(
        Problem(
            check="check_columns",
            table=table.name,
            row=1,
            message=(
                f"the first row of {where} must hold the column names "
                f"({', '.join(table.column_names)}), but {holds}; {fix}."
            ),
        )
    )
    return found


# -- formulas that were never calculated ----------------------------------------------------
#: A formula element (``<f>A1*2</f>``, or a shared one ``<f t="shared" si="0"/>``) not
#: followed by a value, or followed by an empty one: what a program that does not calculate
#: (openpyxl) writes. Excel and LibreOffice always write the value after the formula.
_UNCALCULATED = re.compile(
    rb"<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>)\s*"
    rb"(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>|</(?:\w+:)?c>)"
)
#: The sheet XML is searched in chunks of this size, each after the end of the one before
#: (longer than any formula element: Excel's formulas hold at most 8,192 characters).
_CHUNK, _OVERLAP = 1 << 20, 1 << 16


class _Formulas:
    """Finds the cells that hold a formula with no calculated value.

    Read for their values (``data_only``), such cells are blank. A search of the sheet's
    XML bytes, much quicker than parsing it, tells whether a sheet has any; only then is
    the workbook opened a second time for its formulas, and each blank cell that holds
    one is replaced by an :class:`~emsplan.data.cells.UncalculatedFormula`, which the
    conversion reports. Needs openpyxl's read-only sheets to name their XML part
    (``_worksheet_path``, openpyxl 3.1); tests/test_workbook_faults.py checks it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._archive: zipfile.ZipFile | None = None
        self._book: Any = None

    def mark(self, sheet: Any, rows: list[list[Any]]) -> None:
        """Replace the blank cells of ``rows`` (as read from ``sheet``) that hold a formula."""
        part = getattr(sheet, "_worksheet_path", None)
        if not isinstance(part, str) or not self._has_uncalculated(part):
            return
        try:
            if self._book is None:
                import openpyxl

                self._book = openpyxl.load_workbook(self.path, read_only=True, data_only=False)
            texts = self._book[sheet.title].iter_rows(values_only=True)
            for row, formulas in zip(rows, texts, strict=False):
                for pos, (value, formula) in enumerate(zip(row, formulas, strict=False)):
                    text = _formula_text(formula) if value is None else None
                    if text is not None:
                        row[pos] = UncalculatedFormula(text)
        except Exception:  # the values were read; without the formulas, blanks stay blank
            return

    def _has_uncalculated(self, part: str) -> bool:
        try:
            if self._archive is None:
                self._archive = zipfile.ZipFile(self.path)
            with self._archive.open(part) as source:
                tail = b""
                while chunk := source.read(_CHUNK):
                    data = tail + chunk
                    if _UNCALCULATED.search(data):
                        return True
                    tail = data[-_OVERLAP:]
        except Exception:  # openpyxl has just read the part; if this fails, look no further
            return False
        return False

    def close(self) -> None:
        if self._book is not None:
            self._book.close()
        if self._archive is not None:
            self._archive.close()


def _formula_text(value: Any) -> str | None:
    """The text of a formula as openpyxl reads it (``=A1*2``, or an array formula), else None."""
    if isinstance(value, str):
        return value if value.startswith("=") else None
    text = getattr(value, "text", None)  # openpyxl's ArrayFormula
    return text if isinstance(text, str) and text else None


# -- damaged workbooks ------------------------------------------------------------------------
#: What to do with a damaged workbook (after which the interfaces say what they read).
_REPAIR = (
    "open it in Excel or LibreOffice and save it again, which repairs most damage, or "
    "export its sheets as .csv files into one folder"
)


def _unopenable(path: Path, exc: BaseException) -> Problem:
    """The problem of a workbook openpyxl cannot open: which part is damaged and how, found
    by a second look at each part of the file (only on this path, so it may be slow)."""
    if isinstance(_innermost(exc), zipfile.BadZipFile) and not zipfile.is_zipfile(path):
        return _file_problem(
            path,
            f"cannot be opened as a workbook ({_innermost(exc)}): it is another kind of file, "
            "or only the start of a workbook (a copy or download cut short)",
        )
    found = _damaged_part(path)
    if found is None:
        return _file_problem(
            path, f"cannot be opened as a workbook: it {_describe(_innermost(exc))}; {_REPAIR}"
        )
    part, reason = found
    title = _sheet_titles(path).get(part)
    where = f"the sheet {title!r} (part {part})" if title is not None else f"the part {part}"
    return Problem(
        check="check_files",
        table=str(path) if title is None else title.strip().lower(),
        message=f"the input {str(path)!r} cannot be read: {where} {reason}; {_REPAIR}.",
    )


def _unreadable_sheet(path: Path, sheet: Any, rows: list[list[Any]], exc: Exception) -> Problem:
    """The problem of a sheet that opened but fails part-way through ``rows``."""
    title = str(sheet.title)
    part = getattr(sheet, "_worksheet_path", None)
    where = f"the sheet {title!r}" + (f" (part {part})" if isinstance(part, str) else "")
    inner = _innermost(exc)
    if isinstance(inner, ValueError) and "integer string conversion" in str(inner):
        long = _long_number(path, part) if isinstance(part, str) else None
        if long is not None and _CELL.fullmatch(long[0]):
            return _long_number_problem(path, title, rows, *long)
    return Problem(
        check="check_files",
        table=title.strip().lower(),
        message=f"the input {str(path)!r} cannot be read: {where} {_describe(inner)}; {_REPAIR}.",
    )


def _long_number_problem(
    path: Path, title: str, rows: list[list[Any]], ref: str, digits: int
) -> Problem:
    """A cell of more digits than Python converts (openpyxl reads numbers with int())."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    letters, row = coordinate_from_string(ref)
    position = column_index_from_string(letters) - 1
    header = rows[0][position] if rows and position < len(rows[0]) else None
    column = str(header).strip() if header is not None else None
    named = f" (column {column!r})" if column else ""
    return Problem(
        check="check_files",
        table=title.strip().lower(),
        row=row,
        column=column,
        message=(
            f"the input {str(path)!r} cannot be read: cell {ref} of the sheet {title!r}{named} "
            f"holds a whole number of {digits} digits, far larger than the largest allowed "
            f"magnitude {MAX_MAGNITUDE:g} (and too long to be read as a number); type the "
            "intended value there."
        ),
    )


def _innermost(exc: BaseException) -> BaseException:
    """The error at the root of ``exc`` (openpyxl wraps the parser's in its own)."""
    for _ in range(20):
        cause = exc.__cause__ or exc.__context__
        if cause is None:
            break
        exc = cause
    return exc


def _describe(exc: BaseException) -> str:
    """What is wrong with a part of a workbook, from the error met reading it: completes
    "the sheet 'supply' ..."."""
    from xml.etree.ElementTree import ParseError
    from xml.parsers.expat import ExpatError

    text = str(exc) or type(exc).__name__
    if isinstance(exc, _EntityDeclared) or type(exc).__module__.startswith("defusedxml"):
        return (
            "declares XML entities, which emsplan refuses to expand (a few lines of them can "
            "fill the memory: an 'entity bomb'), and which no spreadsheet program writes"
        )
    if isinstance(exc, zlib.error | zipfile.BadZipFile | EOFError):
        return f"is damaged: its compressed bytes cannot be unpacked ({text})"
    if isinstance(exc, ParseError | ExpatError):
        return f"is damaged: its XML cannot be parsed ({text})"
    return f"cannot be read ({type(exc).__name__}: {text})"


def _damaged_part(path: Path) -> tuple[str, str] | None:
    """(part, what is wrong with it) for the first part of the workbook's zip archive that
    cannot be unpacked or, for XML, parsed (entity declarations refused); None if all can."""
    try:
        archive = zipfile.ZipFile(path)
    except Exception:
        return None
    with archive:
        for info in archive.infolist():
            try:
                with archive.open(info) as source:
                    if info.filename.endswith((".xml", ".rels")):
                        _parse(source)
                    else:
                        while source.read(_CHUNK):
                            pass
            except Exception as exc:
                return info.filename, _describe(_innermost(exc))
    return None


class _EntityDeclared(ValueError):
    """An XML part declares an entity (refused, as openpyxl does with defusedxml)."""


def _refuse_entity(name: str, *_: Any) -> None:
    raise _EntityDeclared(f"the XML declares the entity {name!r}")


def _parse(source: Any) -> None:
    """Parse XML from a binary stream, keeping nothing; raise on an entity declaration."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    parser.EntityDeclHandler = parser.UnparsedEntityDeclHandler = _refuse_entity
    parser.ParseFile(source)


def _sheet_titles(path: Path) -> dict[str, str]:
    """Part name of each worksheet -> its title, from the workbook's index ({} if that cannot
    be read)."""
    from defusedxml.ElementTree import fromstring
    from openpyxl.xml.constants import REL_NS, SHEET_MAIN_NS

    try:
        with zipfile.ZipFile(path) as archive:
            book = fromstring(archive.read("xl/workbook.xml"))
            links = fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except Exception:
        return {}
    targets = {link.get("Id"): str(link.get("Target", "")) for link in links}
    titles = {}
    for sheet in book.iter(f"{{{SHEET_MAIN_NS}}}sheet"):
        target = targets.get(sheet.get(f"{{{REL_NS}}}id"), "")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        titles[part] = str(sheet.get("name", ""))
    return titles


#: A cell reference (``C2``), as :func:`_long_number_problem` can place it.
_CELL = re.compile(r"[A-Z]{1,3}[1-9][0-9]{0,6}")


class _LongNumber(Exception):
    """Stops the search of :func:`_long_number` at the cell it found."""


def _long_number(path: Path, part: str) -> tuple[str, int] | None:
    """(reference, digits) of the first cell of the sheet ``part`` whose value has more
    digits than Python converts to a number (``sys.get_int_max_str_digits``), or None."""
    from xml.parsers import expat

    limit = sys.get_int_max_str_digits()
    ref, digits = "", -1  # the cell's reference; digits counted inside a <v>, -1 outside

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal ref, digits
        local = name.rpartition(":")[2]
        if local == "c":
            ref = attributes.get("r", "")
        elif local == "v":
            digits = 0

    def text(data: str) -> None:
        nonlocal digits
        if digits >= 0:
            digits += len(data.strip())

    def end(name: str) -> None:
        nonlocal digits
        if name.rpartition(":")[2] == "v":
            if limit and digits > limit and ref:
                raise _LongNumber(ref, digits)
            digits = -1

    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    parser.CharacterDataHandler = text
    parser.EndElementHandler = end
    parser.EntityDeclHandler = parser.UnparsedEntityDeclHandler = _refuse_entity
    try:
        with zipfile.ZipFile(path) as archive, archive.open(part) as source:
            parser.ParseFile(source)
    except _LongNumber as found:
        return str(found.args[0]), int(found.args[1])
    except Exception:
        return None
    return None
