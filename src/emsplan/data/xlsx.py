"""A streaming ``.xlsx`` writer for plain tables (a plan's sheets).

openpyxl builds a cell object for every value and serialises each through its XML
layer: about 30 microseconds a cell, so 5 to 9 s for the 265,000 cells of a generated
M network's plan (``benchmarks/README.md``). A plan's sheets need none of that: a bold
header row, frozen under the header, column widths, and cells that are numbers, booleans
or text. This module writes exactly that as Office Open XML (SpreadsheetML, UTF-8, no
XML declarations) straight into the zip file, 5 to 10 times faster; workbooks with
anything else (dates, comments on header cells) go through openpyxl in
:mod:`emsplan.data.writers`.

Text is written as inline strings, never as formulas (text that starts with ``=`` stays
text, as :func:`emsplan.data.writers._set_exactly` ensures with openpyxl); floats as
their shortest exact ``repr`` (read back equal); NaN, None and NA as empty cells;
infinities as the text ``inf``/``-inf`` (a workbook has no number for them). Characters
XML 1.0 does not allow (control characters other than tab and newline) become U+FFFD.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd

#: Columns of these kinds are written by this module; any other (dates, periods,
#: intervals...) sends the workbook to openpyxl.
SUPPORTED_KINDS = frozenset("biufOSU")

_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def supported(tables: dict[str, pd.DataFrame]) -> bool:
    """True if every column of every table is numbers, booleans, text or objects."""
    return all(
        frame.dtypes.map(lambda d: getattr(d, "kind", "O") in SUPPORTED_KINDS).all()
        for frame in tables.values()
    )


def column_letter(index: int) -> str:
    """Excel's letters for the 0-based column ``index`` (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value: str) -> str:
    text = escape(_ILLEGAL.sub("\ufffd", value))
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f"<is><t{space}>{text}</t></is>"


def _body(value: Any) -> str:
    """A cell's XML after its reference (``"><v>1.5</v></c>``), or '' for an empty cell."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return f'" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, np.integer)):
        return f'"><v>{int(value)}</v></c>'
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if math.isnan(number):
            return ""
        if math.isinf(number):
            return f'" t="inlineStr">{_text(str(number))}</c>'
        return f'"><v>{number!r}</v></c>'
    return f'" t="inlineStr">{_text(str(value))}</c>'


def _bodies(column: pd.Series) -> list[str]:
    """:func:`_body` of every value of ``column``: columns of finite floats, integers or
    booleans by their type, others once per distinct value."""
    kind = column.dtype.kind
    if kind == "f":
        values = column.to_numpy()
        if not np.isinf(values).any():
            return ["" if x != x else f'"><v>{x!r}</v></c>' for x in values.tolist()]
    elif kind in "iu":
        return [f'"><v>{x}</v></c>' for x in column.tolist()]
    elif kind == "b":
        return [f'" t="b"><v>{int(x)}</v></c>' for x in column.tolist()]
    # text columns repeat a few names (sites, items, periods): each text escaped once
    # (only text: True, 1 and 1.0 are equal keys of a dict)
    memo: dict[str, str] = {}
    out = []
    for x in column.tolist():
        if type(x) is str:
            body = memo.get(x)
            if body is None:
                body = memo[x] = _body(x)
            out.append(body)
        else:
            out.append(_body(x))
    return out


def _width(frame: pd.DataFrame, pos: int) -> float:
    """A column's width: its header or its longest value in the first 200 rows, plus 2,
    between 8 and 60 characters (as :func:`emsplan.data.writers.write_workbook`)."""
    head = [len(str(frame.columns[pos]))]
    head += [len(str(v)) for v in frame.iloc[:200, pos]]
    return float(min(max(max(head) + 2, 8), 60))


def _sheet(frame: pd.DataFrame) -> Iterator[str]:
    """The worksheet XML of ``frame``, in pieces."""
    letters = [column_letter(i) for i in range(frame.shape[1])]
    yield f'<worksheet xmlns="{_NS}">'
    yield (
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
    )
    if letters:
        yield "<cols>"
        for pos in range(len(letters)):
            width = _width(frame, pos)
            yield f'<col min="{pos + 1}" max="{pos + 1}" width="{width}" customWidth="1"/>'
        yield "</cols>"
    yield '<sheetData><row r="1">'
    for letter, name in zip(letters, frame.columns, strict=True):
        yield f'<c r="{letter}1" s="1" t="inlineStr">{_text(str(name))}</c>'
    yield "</row>"
    starts = [f'<c r="{letter}' for letter in letters]
    columns = [_bodies(frame.iloc[:, pos]) for pos in range(len(letters))]
    for number, row in enumerate(zip(*columns, strict=True), start=2):
        cells = "".join(
            [f"{start}{number}{body}" for start, body in zip(starts, row, strict=True) if body]
        )
        yield f'<row r="{number}">{cells}</row>'
    yield "</sheetData></worksheet>"


_STYLES = (
    f'<styleSheet xmlns="{_NS}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _package(names: list[str]) -> dict[str, str]:
    """The workbook's parts other than its sheets."""
    sheets = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate(names, start=1)
    )
    links = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(names) + 1)
    )
    styles_id = len(names) + 1
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT}.worksheet+xml"/>'
        for i in range(1, len(names) + 1)
    )
    head = ""  # no XML declaration: UTF-8 is XML's default (and openpyxl writes none)
    return {
        "[Content_Types].xml": (
            f'{head}<Types xmlns="{_PKG}/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
            f"{overrides}</Types>"
        ),
        "_rels/.rels": (
            f'{head}<Relationships xmlns="{_PKG}/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'{head}<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets>{sheets}</sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{head}<Relationships xmlns="{_PKG}/relationships">{links}'
            f'<Relationship Id="rId{styles_id}" Type="{_REL}/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": _STYLES,
    }


def write(tables: dict[str, pd.DataFrame], path: str | Path) -> None:
    """Write ``tables`` as the sheets of a new workbook at ``path`` (names cut to 31
    characters, as Excel allows). Not atomic by itself: callers write under a temporary
    name (:func:`emsplan.data.writers.atomic_save`).

    Raises ValueError, before writing anything, for names Excel would refuse (empty, with
    one of ``[]:*?/\\``, or equal to another once cut)."""
    names = [name[:31] for name in tables]
    bad = [name for name in names if not name or _BAD_TITLE.search(name)]
    if bad or len(set(names)) != len(names):
        raise ValueError(
            f"sheet names {names!r} are not all distinct names Excel accepts (1 to 31 "
            "characters, none of []:*?/\\)"
        )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for part, text in _package(names).items():
            book.writestr(part, text)
        for i, frame in enumerate(tables.values(), start=1):
            with book.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as sheet:
                buffer: list[str] = []
                size = 0
                for piece in _sheet(frame):
                    buffer.append(piece)
                    size += len(piece)
                    if size > 1 << 20:
                        sheet.write("".join(buffer).encode("utf-8"))
                        buffer, size = [], 0
                sheet.write("".join(buffer).encode("utf-8"))
