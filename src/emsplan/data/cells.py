"""Turn raw cells (text from CSV, typed cells from Excel, any Python objects)
into the declared column types, collecting a problem for every cell that does
not fit instead of failing on the first.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import sys
from typing import Any

import numpy as np
import pandas as pd

from emsplan.core.problems import Problem, Severity
from emsplan.data import schema

#: Numbers beyond this magnitude are taken as typing errors: they break the
#: solver's numerics long before they mean anything in a plan.
MAX_MAGNITUDE = 1e12

_BLANK = object()

#: Why a number beyond MAX_MAGNITUDE is refused (a float, or a whole number of any size).
_TOO_LARGE = f"is larger than the largest allowed magnitude {MAX_MAGNITUDE:g}"

#: Control characters a workbook cannot hold (XML 1.0 forbids them); tab and
#: line breaks are allowed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Halves of a character pair (lone surrogates): Python text may hold them, no file can.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class UncalculatedFormula(str):
    """A workbook cell that holds a formula with no calculated value, as its text (``=A1*2``).

    A program that writes workbooks without calculating them (openpyxl, for one) leaves
    formulas that Excel or LibreOffice calculate only when they open and save the file; read
    before that, such a cell would look blank. The reader puts this in its place, and the
    conversion reports it, whatever the column's type.
    """


#: Why an uncalculated formula is refused, after "value '=A1*2'".
_UNCALCULATED = (
    "is a formula that no spreadsheet program has calculated yet (the workbook was written "
    "by a program and never saved in Excel), so it has no value; open the workbook in Excel "
    "or LibreOffice and save it, or type the value instead of the formula"
)


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, float) and math.isnan(value):
        return True
    return value is pd.NA or value is pd.NaT


def _too_long_for_text(value: Any) -> bool:
    """True for a whole number of more digits than Python writes as text (str() refuses it)."""
    limit = sys.get_int_max_str_digits()
    return (
        isinstance(value, int)
        and limit > 0
        and value.bit_length() > 3 * limit  # a quick test first: 2 ** (3 * limit) < 10 ** limit
        and abs(value) >= 10**limit
    )


def _huge_whole(value: Any) -> bool:
    """True for a whole number (not a bool) beyond MAX_MAGNITUDE; float() of one past
    about 1e308 would overflow."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        return False
    return abs(int(value)) > MAX_MAGNITUDE


def _to_str(value: Any) -> Any:
    if _too_long_for_text(value):
        return f"(a whole number of more than {sys.get_int_max_str_digits()} digits)"
    if isinstance(value, bool | np.bool_):
        return str(bool(value)).upper()
    if isinstance(value, float | np.floating):
        f = float(value)
        if math.isfinite(f) and f.is_integer() and abs(f) < 1e16:
            return str(int(f))
        return repr(f)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    # One line break, "\n", as a workbook stores it (its XML turns "\r\n" and "\r" into "\n").
    return str(value).strip().replace("\r\n", "\n").replace("\r", "\n")


def _to_float(value: Any) -> float | None:
    """The number, or None if the cell is not a finite number."""
    if isinstance(value, bool | np.bool_ | dt.date | dt.datetime):
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        f = float(value)
    else:
        text = str(value).strip()
        if "_" in text:  # float() accepts 1_000; a planner's cell should not
            return None
        try:
            f = float(text)
        except (ValueError, OverflowError):
            return None
    return f if math.isfinite(f) else None


def _coerce_cell(column: schema.Column, value: Any) -> tuple[Any, str | None]:
    """(converted value, reason it failed or None)."""
    if isinstance(value, UncalculatedFormula):
        return None, _UNCALCULATED
    if _is_blank(value):
        return _BLANK, None
    if column.type == "str":
        if _too_long_for_text(value):
            return None, "is too long to be read as text"
        text = _to_str(value)
        reason = _unwritable(text)
        return (None, reason) if reason is not None else (text, None)
    if _huge_whole(value):  # before float(), which overflows past about 1e308
        return None, _TOO_LARGE
    f = _to_float(value)
    if f is None:
        return None, "is not a number"
    if abs(f) > MAX_MAGNITUDE:
        return None, _TOO_LARGE
    if column.type == "int":
        if not f.is_integer():
            return None, "is not a whole number"
        return int(f), None
    return f, None


def _unwritable(text: str) -> str | None:
    """Why a workbook cannot hold ``text`` (a control character, a lone surrogate), or None."""
    bad = _CONTROL.search(text)
    if bad is not None:
        return (
            f"contains the invisible control character U+{ord(bad.group()):04X}, "
            "which a workbook cannot hold; delete it"
        )
    lone = _SURROGATE.search(text)
    if lone is not None:
        return (
            f"contains U+{ord(lone.group()):04X}, half of a character pair (a lone surrogate), "
            "which no file can hold; delete it"
        )
    return None


def coerce_column(
    table: schema.Table,
    column: schema.Column,
    values: pd.Series,
    keys: pd.DataFrame,
    rows: np.ndarray,
    problems: list[Problem],
) -> pd.Series:
    """Convert one column, appending a problem for each cell that is not of its type."""
    if values.dtype == column.dtype and column.type != "str" and _plain_numbers(values):
        out = values.copy()
    else:
        converted, easy = _coerce_easy(column, values)
        cells = values.tolist()
        for pos in np.flatnonzero(~easy).tolist():
            value = cells[pos]
            result, reason = _coerce_cell(column, value)
            if reason is not None:
                problems.append(
                    Problem(
                        check="check_types",
                        table=table.name,
                        row=int(rows[pos]),
                        key=_key_of(keys, pos),
                        column=column.name,
                        value=value,
                        message=f"value {_show(value)} {reason}; allowed: {column.allowed_text()}.",
                    )
                )
                result = _BLANK
            converted[pos] = None if result is _BLANK else result
        out = pd.Series(converted, index=values.index, dtype=object)
    if column.default is not None:
        out = out.where(out.notna(), column.default)
    return out.astype(column.dtype)  # type: ignore[call-overload]


#: Text that Python's float() reads as the number it shows (no "_", "inf", "nan", ...).
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
#: Text that is its own stripped form and holds no control character or carriage return:
#: its ends are not white space (as Python's str.strip sees it), its middle has no \r.
_END = r"[^\x00-\x20\x7f-\xa0\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
_TEXT = _END + r"(?:[^\x00-\x08\x0b-\x0c\x0d\x0e-\x1f]*" + _END + ")?"


def _fullmatch(strings: np.ndarray, pattern: str) -> np.ndarray:
    """Mask of the strings that match ``pattern`` whole (pyarrow's RE2, in C; all False if
    the strings cannot be encoded, e.g. a lone surrogate, so each goes cell by cell)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        array = pa.array(strings, type=pa.string())
    except (pa.ArrowException, UnicodeEncodeError):
        return np.zeros(len(strings), bool)
    found = pc.match_substring_regex(array, f"^(?:{pattern})$")
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)


def _coerce_easy(column: schema.Column, values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The cells whose conversion needs no look at a single cell, converted at once.

    Returns (converted values as an object array, mask of the cells converted): missing
    cells; for text columns, strings that are their own stripped form without control
    characters; for number columns, strings of plain decimal numbers within
    MAX_MAGNITUDE, whole for int columns. Every other cell is left to
    :func:`_coerce_cell`, which gives it its problem or converts it; both paths give the
    same value for the same cell (a property test checks it)."""
    n = len(values)
    out = np.full(n, None, dtype=object)
    raw = values.to_numpy(dtype=object)
    easy = values.isna().to_numpy().copy()
    where = np.flatnonzero(np.fromiter((type(v) is str for v in raw), bool, n))
    if where.size == 0:
        return out, easy
    text = raw[where]
    if column.type == "str":
        clean = _fullmatch(text, _TEXT)
        out[where[clean]] = text[clean]
        easy[where[clean]] = True
        return out, easy
    plain = _fullmatch(text, _NUMBER)
    numbers = text[plain].astype(str).astype(float)
    fine = np.abs(numbers) <= MAX_MAGNITUDE
    if column.type == "int":
        fine &= numbers == np.floor(numbers)
        out[where[plain][fine]] = [int(f) for f in numbers[fine]]
    else:
        out[where[plain][fine]] = numbers[fine].tolist()
    easy[where[plain][fine]] = True
    return out, easy


def _blank_cells(values: pd.Series) -> np.ndarray:
    """Mask of the blank cells (as :func:`_is_blank`), at once for missing cells and for
    text that is plainly not blank; the rest cell by cell."""
    raw = values.to_numpy(dtype=object)
    blank = values.isna().to_numpy().copy()
    where = np.flatnonzero(np.fromiter((type(v) is str for v in raw), bool, len(raw)))
    if where.size:
        unsure = where[~_fullmatch(raw[where], _END + ".*")]
        blank[unsure] = [_is_blank(v) for v in raw[unsure]]
    return blank


def _key_texts(values: pd.Series) -> list[Any]:
    """A key column's cells as the text that names a row in a problem (None if blank)."""
    raw = values.to_numpy(dtype=object)
    if all(type(v) is str for v in raw) and _fullmatch(raw, _TEXT).all():
        return list(raw)
    # a lone surrogate, reported in its cell, is shown as U+FFFD in the key (pyarrow's text
    # cannot hold it)
    return [None if _is_blank(v) else _SURROGATE.sub("\ufffd", _to_str(v)) for v in raw]


def _plain_numbers(values: pd.Series) -> bool:
    """True if a numeric column holds only blanks and finite numbers within MAX_MAGNITUDE.

    Only such a column may skip the cell-by-cell conversion; any other goes
    through it, so a frame built in Python meets the same rules as a file.
    """
    v = values.astype("float64").to_numpy(na_value=np.nan)
    v = v[~np.isnan(v)]
    return bool((np.abs(v) <= MAX_MAGNITUDE).all())


def _show(value: Any) -> str:
    if _too_long_for_text(value):
        return _to_str(value)
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _key_of(keys: pd.DataFrame, pos: int) -> dict[str, Any]:
    return {c: keys.iat[pos, i] for i, c in enumerate(keys.columns)}


def coerce_table(
    table: schema.Table, raw: pd.DataFrame, problems: list[Problem], source_rows: np.ndarray | None
) -> tuple[pd.DataFrame, np.ndarray]:
    """Conform a raw frame to the declaration of ``table``.

    Columns are matched by name (surrounding blanks and case ignored), unknown
    columns are dropped with a warning, missing required columns are reported
    and missing optional ones take their default. Wholly blank rows are
    dropped. Returns the typed frame (a fresh RangeIndex) and the spreadsheet
    row number of each of its rows.
    """
    rows = source_rows if source_rows is not None else np.arange(len(raw)) + 2
    raw = _match_columns(table, raw, problems)
    blank = (
        np.logical_and.reduce([_blank_cells(raw.iloc[:, i]) for i in range(len(raw.columns))])
        if len(raw.columns)
        else np.ones(len(raw), bool)
    )
    raw = raw.loc[~blank].reset_index(drop=True)
    rows = np.asarray(rows)[~blank]
    keys = pd.DataFrame({c: _key_texts(raw[c]) for c in table.key if c in raw})
    data: dict[str, pd.Series] = {}
    for column in table.columns:
        if column.name in raw.columns:
            values = raw[column.name]
        else:
            values = pd.Series([None] * len(raw), dtype=object)
        data[column.name] = coerce_column(table, column, values, keys, rows, problems)
    return pd.DataFrame(data, index=pd.RangeIndex(len(raw))), rows


def _match_columns(table: schema.Table, raw: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    declared = {c.lower(): c for c in table.column_names}
    renamed: dict[Any, str] = {}
    seen: set[str] = set()
    keep = []
    for pos, header in enumerate(raw.columns):
        name = "" if _is_blank(header) else _to_str(header)
        target = declared.get(name.lower())
        if target is None:
            column_has_data = not raw.iloc[:, pos].astype(object).map(_is_blank).astype(bool).all()
            if name or column_has_data:
                problems.append(
                    Problem(
                        check="check_columns",
                        table=table.name,
                        column=name or f"#{pos + 1}",
                        message=(
                            f"unknown column {name!r} is ignored; the table's columns are "
                            f"{', '.join(table.column_names)}."
                        ),
                        severity=Severity.WARNING,
                    )
                )
            continue
        if target in seen:
            problems.append(
                Problem(
                    check="check_columns",
                    table=table.name,
                    column=target,
                    message=f"column '{target}' appears more than once; only the first is read.",
                )
            )
            continue
        seen.add(target)
        renamed[pos] = target
        keep.append(pos)
    out = raw.iloc[:, keep].copy()
    out.columns = [renamed[p] for p in keep]
    for column in table.columns:
        if column.required and column.name not in seen:
            problems.append(
                Problem(
                    check="check_columns",
                    table=table.name,
                    column=column.name,
                    message=(
                        f"required column '{column.name}' is missing ({column.description}); "
                        f"add it with values that are {column.allowed_text()}."
                    ),
                )
            )
    return out
