"""Damaged and hostile workbooks: a clear problem and exit code 2, never an internal error.

Copies of the bundled example ``india-2023`` are damaged the ways files get damaged or
made hostile: bytes flipped in the zip, the file cut short, malformed XML in each part,
a huge shared string, entity bombs. ``emsplan validate`` must exit 0 or 2 on each, with
no traceback and no "Internal error", and within a memory bound. Then one test per fault
that the reader names (issue 16): damaged compressed bytes, malformed sheet XML, entity
bombs (refused by defusedxml, which openpyxl uses when it is installed), formulas that no
spreadsheet program has calculated, and a header that is not on the first row.
"""

from __future__ import annotations

import io
import json
import random
import re
import subprocess
import sys
import tempfile
import zipfile
from functools import cache
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner, Result

import emsplan
from conftest import ROOT, subprocess_env
from emsplan import cli
from emsplan.core.problems import InputError, Problem, Severity

WIDE = {"COLUMNS": "250", "NO_COLOR": "1"}  # no wrapping inside table cells
runner = CliRunner()

#: Peak memory (resident set) that validating a damaged or hostile workbook may take
#: beyond validating the example itself, in bytes. The largest legitimate content among
#: the faults, a shared string of 2 million characters, took 25 MB more (measured). An
#: entity bomb that got through would take far more: without defusedxml, validating the
#: 35 kB workbook of ``quadratic_blowup(40)`` peaked 290 MB above the example, and that of
#: ``quadratic_blowup(90)`` passed 2.2 GB.
MEMORY_BOUND = 100 * 2**20


# -- the example and its parts ----------------------------------------------------------------
@cache
def example_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = emsplan.examples.load("india-2023").write(Path(folder) / "example.xlsx")
        return path.read_bytes()


def unzipped(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def zipped(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


@cache
def sheet_parts() -> dict[str, str]:
    """Sheet title -> its part in the example's zip archive (as openpyxl finds it)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "example.xlsx"
        path.write_bytes(example_bytes())
        book = openpyxl.load_workbook(path, read_only=True)
        try:
            return {sheet.title: sheet._worksheet_path for sheet in book.worksheets}
        finally:
            book.close()


def with_part(name: str, change: bytes | None = None, *, prefix: bytes = b"") -> bytes:
    """The example with the part ``name`` replaced by ``change`` or ``prefix`` + the part."""
    parts = unzipped(example_bytes())
    parts[name] = change if change is not None else prefix + parts[name]
    return zipped(parts)


def billion_laughs() -> bytes:
    """An XML prolog declaring ten levels of ten references (3 GB when expanded)."""
    levels = [b'<!ENTITY lol0 "lollollollollollollollollollol">']
    levels += [b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10)]
    return b'<?xml version="1.0"?><!DOCTYPE lolz [' + b"".join(levels) + b"]>"


def first_text_replaced(sheet: bytes, new: bytes) -> bytes:
    """``sheet`` (XML) with the first text cell below the header given the inline text ``new``."""
    head, row2, rest = sheet.partition(b'<row r="2"')
    cell = re.compile(rb"<is><t>[^<]*</t></is>")
    assert cell.search(rest)
    return head + row2 + cell.sub(b"<is><t>" + new + b"</t></is>", rest, count=1)


def bomb_in_sheet(prolog: bytes, reference: bytes) -> bytes:
    """The example with ``prolog`` before the supply sheet and ``reference`` in one of its
    cells."""
    part = sheet_parts()["supply"]
    sheet = unzipped(example_bytes())[part]
    return with_part(part, prolog + first_text_replaced(sheet, reference))


def quadratic_blowup(references: int) -> bytes:
    """The example with ``references`` references to a 1 MB entity in one cell of supply: few
    enough (under expat's limit on amplification, 100 times the input) that only refusing
    entity declarations stops it; zipped, the file is about 35 kB."""
    prolog = b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "' + b"a" * 2**20 + b'">]>'
    return bomb_in_sheet(prolog, b"&a;" * references)


def with_shared_string(sheet: str, text: bytes) -> bytes:
    """The example with the first text cell below the header of ``sheet`` turned into a
    reference to a shared string ``text`` (in a part xl/sharedStrings.xml added for it)."""
    parts = unzipped(example_bytes())
    part = sheet_parts()[sheet]
    head, row2, rest = parts[part].partition(b'<row r="2"')
    cell = re.compile(rb't="inlineStr"><is><t>[^<]*</t></is>')
    parts[part] = head + row2 + cell.sub(b't="s"><v>0</v>', rest, count=1)
    parts["xl/sharedStrings.xml"] = (
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        b'uniqueCount="1"><si><t>' + text + b"</t></si></sst>"
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        b"</Relationships>",
    )
    return zipped(parts)


# -- the faults ---------------------------------------------------------------------------------
def faults() -> dict[str, bytes]:
    """Every damaged or hostile copy of the example, by name (a seeded random choice)."""
    good = example_bytes()
    rng = random.Random(16)
    cases: dict[str, bytes] = {}
    for i in range(16):
        flipped = bytearray(good)
        for _ in range(rng.randint(1, 4)):
            flipped[rng.randrange(len(flipped))] ^= rng.randint(1, 255)
        cases[f"flip-{i}"] = bytes(flipped)
    for fraction in (0.0, 0.05, 0.3, 0.5, 0.7, 0.9, 0.99):
        cases[f"cut-{fraction}"] = good[: int(len(good) * fraction)]
    cases["cut-last-10-bytes"] = good[:-10]
    for name, body in unzipped(good).items():
        if name.endswith((".xml", ".rels")):
            at = rng.randrange(1, len(body))
            cases[f"malformed-{name}"] = with_part(name, body[:at] + b"<&" + body[at:])
    cases["huge-shared-string-key"] = with_shared_string("items", b"x" * 2_000_000)
    cases["huge-shared-string-number"] = with_shared_string("supply", b"9" * 2_000_000)
    cases["bomb-billion-laughs-sheet"] = bomb_in_sheet(billion_laughs(), b"&lol9;")
    cases["bomb-quadratic-sheet"] = quadratic_blowup(40)
    cases["bomb-billion-laughs-workbook"] = with_part("xl/workbook.xml", prefix=billion_laughs())
    cases["bomb-billion-laughs-content-types"] = with_part(
        "[Content_Types].xml", prefix=billion_laughs()
    )
    cases["external-entity-sheet"] = bomb_in_sheet(
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]>', b"&x;"
    )
    return cases


#: Runs ``emsplan validate`` in one interpreter on each file given (the example first), and
#: prints, per file, the exit code, the output, any exception and the peak memory so far.
DRIVER = """
import json, resource, sys
from typer.testing import CliRunner
from emsplan import cli

runner = CliRunner()
for path in sys.argv[1:]:
    result = runner.invoke(cli.app, ["validate", path], env={"COLUMNS": "250", "NO_COLOR": "1"})
    exception = result.exception
    print(json.dumps({
        "path": path,
        "exit": result.exit_code,
        "output": result.output,
        "exception": None if isinstance(exception, SystemExit | None) else repr(exception),
        "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }), flush=True)
"""


def test_every_fault_exits_0_or_2_without_traceback_within_memory(tmp_path: Path) -> None:
    good = tmp_path / "example.xlsx"
    good.write_bytes(example_bytes())
    paths = {}
    for name, data in faults().items():
        paths[name] = tmp_path / (re.sub(r"[^\w.-]", "_", name) + ".xlsx")
        paths[name].write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(good), *map(str, paths.values())],
        capture_output=True,
        text=True,
        env=subprocess_env(),
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(results) == len(paths) + 1, done.stderr[-3000:]
    baseline, *runs = results
    assert baseline["exit"] == 0, baseline["output"]
    for name, run in zip(paths, runs, strict=True):
        said = f"{name}: exit {run['exit']}, {run['exception']}\n{run['output']}"
        assert run["exit"] in (0, 2), said
        assert run["exception"] is None, said
        assert "Traceback" not in run["output"] and "Internal error" not in run["output"], said
        assert run["exit"] == 0 or run["output"].strip(), said
        if name.startswith(("bomb", "external-entity")):
            assert run["exit"] == 2 and "XML entities" in run["output"], said
            assert "root:" not in run["output"], said  # /etc/passwd was not read into a cell
        if name.startswith("malformed-xl/worksheets/"):
            assert run["exit"] == 2 and "cannot be read" in run["output"], said
    peaks = {name: run["peak"] - baseline["peak"] for name, run in zip(paths, runs, strict=True)}
    # the bomb alone: 40 MB of text if expanded, refused at the declaration (issue 16)
    assert peaks["bomb-quadratic-sheet"] < MEMORY_BOUND, peaks
    assert max(peaks.values()) < MEMORY_BOUND, peaks


# -- damaged files (issue 16, item 1) ---------------------------------------------------------
def validate(path: Path) -> Result:
    return runner.invoke(cli.app, ["validate", str(path)], env=WIDE)


def assert_bad_input(result: Result, *words: str) -> None:
    """Exit code 2 (errors in the input), no internal error, and the words shown."""
    assert result.exit_code == cli.BAD_INPUT, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Internal error" not in result.output and "Traceback" not in result.output
    missing = [word for word in words if word not in result.output]
    assert not missing, (missing, result.output)


def damaged_compressed_bytes(sheet: str) -> bytes:
    """The example with one byte of ``sheet``'s compressed data changed so that unpacking it
    fails (zlib's "Error -3 while decompressing")."""
    import zlib

    good = example_bytes()
    part = sheet_parts()[sheet]
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        info = archive.getinfo(part)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(info.compress_size):
        data = bytearray(good)
        data[start + offset] ^= 0xFF
        try:
            with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
                archive.read(part)
        except zlib.error:
            return bytes(data)
        except zipfile.BadZipFile:
            continue
    raise AssertionError("no byte to change found")


def test_damaged_compressed_bytes_name_the_sheet(tmp_path: Path) -> None:
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(damaged_compressed_bytes("demand"))
    assert_bad_input(
        validate(path),
        "damaged.xlsx",
        "the sheet 'demand'",
        "compressed bytes cannot be unpacked",
        "Error -3 while decompressing",
        "save it again",
        ".csv files",
    )


def test_malformed_sheet_xml_names_the_sheet(tmp_path: Path) -> None:
    part = sheet_parts()["supply"]
    cut = unzipped(example_bytes())[part][:-200]
    path = tmp_path / "malformed.xlsx"
    path.write_bytes(with_part(part, cut))
    assert_bad_input(
        validate(path),
        "malformed.xlsx",
        "the sheet 'supply'",
        "XML cannot be parsed",
        "unclosed token",
        "save it again",
    )


def test_entity_bomb_in_a_sheet_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb_in_sheet(billion_laughs(), b"&lol9;"))
    assert_bad_input(validate(path), "bomb.xlsx", "the sheet 'supply'", "declares XML entities")


def test_entity_bomb_in_the_workbook_index_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(with_part("xl/workbook.xml", prefix=billion_laughs()))
    assert_bad_input(validate(path), "bomb.xlsx", "xl/workbook.xml", "declares XML entities")


def test_openpyxl_reads_xml_through_defusedxml() -> None:
    """openpyxl refuses entity declarations only when defusedxml is installed (a dependency
    of emsplan) and not switched off (OPENPYXL_DEFUSEDXML=False)."""
    assert openpyxl.DEFUSEDXML


# -- formulas that were never calculated (issue 16, item 2) -----------------------------------
def with_formulas(path: Path, cells: dict[str, str], value: str | None = None) -> Path:
    """The example with formulas in the first data rows of supply (column -> formula, one
    row each, from row 3 on); ``value`` is then written as their calculated value, as Excel
    would (openpyxl writes none)."""
    path.write_bytes(example_bytes())
    book = openpyxl.load_workbook(path)
    sheet = book["supply"]
    header = [cell.value for cell in sheet[1]]
    for row, (column, formula) in enumerate(cells.items(), start=3):
        sheet.cell(row=row, column=header.index(column) + 1).value = formula
    book.save(path)
    if value is not None:
        part = sheet_parts()["supply"]
        sheet_xml = unzipped(path.read_bytes())[part]
        assert sheet_xml.count(b"<v />") == len(cells)
        parts = unzipped(path.read_bytes()) | {
            part: sheet_xml.replace(b"<v />", b"<v>" + value.encode() + b"</v>")
        }
        path.write_bytes(zipped(parts))
    return path


def input_problems(path: Path) -> list[Problem]:
    with pytest.raises(InputError) as caught:
        emsplan.read(path)
    return caught.value.problems


def test_uncalculated_formula_is_reported_not_blank(tmp_path: Path) -> None:
    path = with_formulas(tmp_path / "formulas.xlsx", {"price": "=A1*2", "capacity": "=D2+1"})
    problems = input_problems(path)
    found = {(p.table, p.row, p.column): p for p in problems if p.severity is Severity.ERROR}
    assert set(found) == {("supply", 3, "price"), ("supply", 4, "capacity")}, problems
    price, capacity = found["supply", 3, "price"], found["supply", 4, "capacity"]
    assert price.check == capacity.check == "check_types"
    assert price.value == "=A1*2" and capacity.value == "=D2+1"
    for problem in (price, capacity):
        assert "formula" in problem.message and "calculated" in problem.message
        assert "save it" in problem.message
    assert not [p for p in problems if p.check == "check_required"], problems
    assert_bad_input(validate(path), "supply", "price", "'=A1*2'", "capacity", "'=D2+1'")


def test_calculated_formula_is_read_as_its_value(tmp_path: Path) -> None:
    path = with_formulas(tmp_path / "formulas.xlsx", {"price": "=A1*2"}, value="123.5")
    network = emsplan.read(path)
    assert network.supply.loc[1, "price"] == 123.5


def test_read_only_sheets_name_their_part() -> None:
    """The reader searches a sheet's XML for formulas by the part openpyxl names."""
    assert sheet_parts()["supply"].startswith("xl/worksheets/")


# -- the header row (issue 16, item 3) ---------------------------------------------------------
def with_rows_above_header(path: Path, sheet: str, above: list[list[str | None]]) -> Path:
    """The example with the rows ``above`` inserted above ``sheet``'s header."""
    path.write_bytes(example_bytes())
    book = openpyxl.load_workbook(path)
    book[sheet].insert_rows(1, amount=len(above))
    for row, values in enumerate(above, start=1):
        for column, value in enumerate(values, start=1):
            book[sheet].cell(row=row, column=column).value = value
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("above", "holds", "header_row"),
    [
        ([[None]], "it is empty", 2),
        ([["Supply offers, 2024"], [None]], "it holds 'Supply offers, 2024'", 3),
    ],
)
def test_header_below_the_first_row_is_one_error(
    tmp_path: Path, above: list[list[str | None]], holds: str, header_row: int
) -> None:
    path = with_rows_above_header(tmp_path / "header.xlsx", "supply", above)
    problems = input_problems(path)
    assert len(problems) == 1, problems
    (problem,) = problems
    assert (problem.severity, problem.check, problem.table, problem.row) == (
        Severity.ERROR,
        "check_columns",
        "supply",
        1,
    )
    assert "the first row of sheet 'supply' must hold the column names" in problem.message
    assert holds in problem.message
    assert f"row {header_row} seems to hold them" in problem.message
    result = validate(path)
    assert_bad_input(result, "first row of sheet 'supply'")
    assert "unknown column" not in result.output


def test_header_found_below_keeps_the_rows_numbers(tmp_path: Path) -> None:
    """The data under a header found on row 3 are read, with their own row numbers."""
    path = with_rows_above_header(tmp_path / "header.xlsx", "supply", [["Offers"], [None]])
    book = openpyxl.load_workbook(path)
    header = [cell.value for cell in book["supply"][3]]
    book["supply"].cell(row=5, column=header.index("price") + 1).value = "cheap"
    book.save(path)
    problems = input_problems(path)
    assert {(p.check, p.table, p.row, p.column) for p in problems} == {
        ("check_columns", "supply", 1, None),
        ("check_types", "supply", 5, "price"),
    }, problems


def test_no_header_at_all_is_one_error_about_the_first_row(tmp_path: Path) -> None:
    path = with_rows_above_header(tmp_path / "header.xlsx", "periods", [["Periods"]])
    book = openpyxl.load_workbook(path)
    book["periods"].delete_rows(2)  # the header
    book.save(path)
    problems = [p for p in input_problems(path) if p.table == "periods"]
    assert len(problems) == 1, problems
    assert "first row of sheet 'periods' must hold the column names (period, days)" in (
        problems[0].message
    )
    assert "no row of the first 10 holds them" in problems[0].message


def test_csv_file_with_a_blank_first_line(tmp_path: Path) -> None:
    folder = emsplan.examples.load("india-2023").write(tmp_path / "net")
    supply = folder / "supply.csv"
    supply.write_text("\n" + supply.read_text(encoding="utf-8"), encoding="utf-8")
    problems = input_problems(folder)
    assert len(problems) == 1, problems
    assert "the first row of file 'supply.csv' must hold the column names" in problems[0].message
    assert "row 2 seems to hold them" in problems[0].message
