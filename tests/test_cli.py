"""The ``emsplan`` command line, run for real: exit codes, messages, files written."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import typer
from typer.testing import CliRunner, Result

import emsplan
from conftest import ROOT, subprocess_env
from emsplan import cli
from emsplan.data.readers import read_unchecked

runner = CliRunner()
WIDE = {"COLUMNS": "250", "NO_COLOR": "1"}  # no wrapping inside table cells


def run(*args: str) -> Result:
    return runner.invoke(cli.app, list(args), env=WIDE)


def example_available() -> bool:
    try:
        emsplan.examples.load("india-2023")
    except ImportError:
        return False
    return True


needs_example = pytest.mark.skipif(
    not example_available(), reason="the bundled example india-2023 is not available yet"
)


# -- validate ---------------------------------------------------------------------------
def test_validate_valid_network_exits_0(small_workbook: Path) -> None:
    result = run("validate", str(small_workbook))
    assert result.exit_code == cli.OK, result.output
    assert "VALID: no errors" in result.output
    assert "Traceback" not in result.output


def test_validate_csv_folder(tmp_path: Path, small_network: emsplan.Network) -> None:
    folder = small_network.write(tmp_path / "net")
    result = run("validate", str(folder))
    assert result.exit_code == cli.OK, result.output


def test_validate_broken_network_exits_2_and_names_the_cell(broken_workbook: Path) -> None:
    result = run("validate", str(broken_workbook))
    assert result.exit_code == cli.BAD_INPUT, result.output
    assert "INVALID: 1 error" in result.output
    for expected in ("error", "supply", "price", "-7.5", "SUP-CN", "BAT1"):
        assert expected in result.output, expected
    assert "Traceback" not in result.output


def test_validate_conversion_errors_exit_2(tmp_path: Path) -> None:
    """A cell of the wrong type is reported with its table, row, column and value."""
    book = tmp_path / "bad.xlsx"
    wb = openpyxl.Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.title = "periods"
    sheet.append(["period", "days"])
    sheet.append(["2024-Q1", "ninety"])
    wb.save(book)
    result = run("validate", str(book))
    assert result.exit_code == cli.BAD_INPUT, result.output
    for expected in ("periods", "days", "ninety", "not a number", " 2 "):
        assert expected in result.output, expected
    assert "Traceback" not in result.output


def test_validate_missing_file_exits_2(tmp_path: Path) -> None:
    result = run("validate", str(tmp_path / "nowhere.xlsx"))
    assert result.exit_code == cli.BAD_INPUT
    assert "No such file or folder" in result.output
    assert "nowhere.xlsx" in result.output
    assert "Traceback" not in result.output


def test_validate_file_that_is_not_a_workbook_exits_2(tmp_path: Path) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"this is not a zip file")
    result = run("validate", str(junk))
    assert result.exit_code == cli.BAD_INPUT
    assert "cannot be opened as a workbook" in result.output
    assert "Traceback" not in result.output


def test_validate_wrong_suffix_exits_2(tmp_path: Path) -> None:
    text = tmp_path / "network.txt"
    text.write_text("hello")
    result = run("validate", str(text))
    assert result.exit_code == cli.BAD_INPUT
    assert "neither an .xlsx workbook nor a folder" in result.output


# -- failures in general ------------------------------------------------------------------
def test_internal_error_is_one_paragraph_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, small_workbook: Path
) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(emsplan.Network, "check", boom)
    result = run("validate", str(small_workbook))
    assert result.exit_code == cli.INTERNAL_ERROR
    assert "Internal error: RuntimeError: simulated bug" in result.output
    assert "--debug" in result.output
    assert "Traceback" not in result.output


def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch, small_workbook: Path) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(emsplan.Network, "check", boom)
    result = run("--debug", "validate", str(small_workbook))
    assert result.exit_code == cli.INTERNAL_ERROR
    assert "Traceback" in result.output
    assert "simulated bug" in result.output


def test_fail_carries_its_exit_code() -> None:
    """The helper a new command (e.g. `plan`) uses to exit 3 on an infeasible model."""

    @cli.guarded
    def infeasible() -> None:
        raise cli.Fail("the model is infeasible", cli.INFEASIBLE)

    with pytest.raises(typer.Exit) as info:
        infeasible()
    assert info.value.exit_code == cli.INFEASIBLE == 3


def test_unknown_command_is_a_usage_error() -> None:
    result = run("frobnicate")
    assert result.exit_code == cli.BAD_INPUT


# -- template ---------------------------------------------------------------------------
def test_template_reads_back_without_problems(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "template.xlsx"
    result = run("template", str(path))
    assert result.exit_code == cli.OK, result.output
    network = read_unchecked(path)  # README sheet skipped, every table present
    assert network.problems == []
    assert all(len(network[name]) == 0 for name in network.tables if name != "settings")
    assert network.currency == "INR"
    # Whatever the rules say about an empty network, it concerns whole tables, not cells.
    assert all(p.row is None for p in network.check()), [str(p) for p in network.check()]
    result = run("validate", str(path))
    assert result.exit_code in (cli.OK, cli.BAD_INPUT)
    assert "Traceback" not in result.output


def test_template_has_commented_headers_and_readme(tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    assert run("template", str(path)).exit_code == cli.OK
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "README"
    assert book.sheetnames[1:] == list(emsplan.data.schema.tables())
    price = book["supply"]["C1"]
    assert price.value == "price"
    assert price.comment is not None
    assert "INR/unit" in price.comment.text
    assert "required" in price.comment.text
    readme_text = " ".join(str(c.value) for row in book["README"].iter_rows() for c in row)
    for name in emsplan.data.schema.tables():
        assert name in readme_text


def test_template_needs_xlsx(tmp_path: Path) -> None:
    result = run("template", str(tmp_path / "template.csv"))
    assert result.exit_code == cli.BAD_INPUT
    assert ".xlsx" in result.output


# -- example ----------------------------------------------------------------------------
def test_example_list() -> None:
    result = run("example", "--list")
    assert result.exit_code == cli.OK
    assert result.output.split() == emsplan.examples.names()


def test_example_unknown_name_exits_2(tmp_path: Path) -> None:
    result = run("example", "no-such-example", str(tmp_path / "x.xlsx"))
    assert result.exit_code == cli.BAD_INPUT
    assert "No example named 'no-such-example'" in result.output


def test_example_without_arguments_exits_2() -> None:
    result = run("example")
    assert result.exit_code == cli.BAD_INPUT
    assert "Give the example's name" in result.output


@needs_example
def test_example_writes_workbook_and_folder(tmp_path: Path) -> None:
    book = tmp_path / "india.xlsx"
    folder = tmp_path / "india"
    assert run("example", "india-2023", str(book)).exit_code == cli.OK
    assert run("example", "india-2023", str(folder)).exit_code == cli.OK
    expected = emsplan.examples.load("india-2023")
    assert emsplan.read(book, validate=False).equals(expected)
    assert emsplan.read(folder, validate=False).equals(expected)
    assert sorted(p.name for p in folder.glob("*.csv")) == sorted(
        f"{name}.csv" for name in emsplan.data.schema.tables()
    )


def test_example_writes_via_the_library(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, small_network: emsplan.Network
) -> None:
    """Both output forms, with a stand-in example (until the bundled one is available)."""
    monkeypatch.setattr(emsplan.data.examples, "names", lambda: ["tiny"])
    monkeypatch.setattr(emsplan.data.examples, "load", lambda name: small_network.copy())
    book, folder = tmp_path / "tiny.xlsx", tmp_path / "tiny"
    assert run("example", "tiny", str(book)).exit_code == cli.OK
    assert run("example", "tiny", str(folder)).exit_code == cli.OK
    assert emsplan.read(book).equals(small_network)
    assert emsplan.read(folder).equals(small_network)
    result = run("example", "tiny", str(tmp_path / "tiny.json"))
    assert result.exit_code == cli.BAD_INPUT
    assert ".xlsx" in result.output


# -- info -------------------------------------------------------------------------------
def test_info_prints_counts(small_workbook: Path) -> None:
    result = run("info", str(small_workbook))
    assert result.exit_code == cli.OK, result.output
    assert "demand" in result.output
    assert "Periods (2): 2024-Q1 to 2024-Q2" in result.output
    assert "Products (1): PH1" in result.output
    lines = [line for line in result.output.splitlines() if "items" in line]
    assert lines and "4" in lines[0]


def test_info_missing_file_exits_2(tmp_path: Path) -> None:
    result = run("info", str(tmp_path / "missing"))
    assert result.exit_code == cli.BAD_INPUT
    assert "No such file or folder" in result.output


# -- help and version -------------------------------------------------------------------
def command_names() -> list[str]:
    """Every command registered on the app (those added later included)."""
    group = typer.main.get_command(cli.app)
    return sorted(getattr(group, "commands", {}))


@pytest.mark.parametrize("command", [[], *([name] for name in command_names())])
def test_help(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == cli.OK, result.output
    assert "Usage: emsplan" in result.output
    if command:
        assert "Example" in result.output  # every command's help shows how to call it


def test_help_lists_every_command_and_exit_codes() -> None:
    result = run("--help")
    assert {"validate", "template", "example", "info"} <= set(command_names())
    for command in command_names():
        assert command in result.output
    assert "Exit codes" in result.output


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == cli.OK
    assert result.output.strip() == f"emsplan {emsplan.__version__}"


# -- the installed console script -------------------------------------------------------
def console_script() -> str:
    """The `emsplan` script installed beside this Python, or the one on PATH."""
    beside = Path(sys.executable).parent / "emsplan"
    found = str(beside) if beside.exists() else shutil.which("emsplan")
    if found is None:
        pytest.fail("the emsplan console script is not installed: run pip install -e .")
    return found


def test_console_script(tmp_path: Path, small_workbook: Path, broken_workbook: Path) -> None:
    script = console_script()
    env = subprocess_env() | WIDE

    def call(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [script, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
        )

    ok = call("validate", str(small_workbook))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = call("validate", str(broken_workbook))
    assert bad.returncode == 2, bad.stdout + bad.stderr
    assert "price" in bad.stdout
    missing = call("info", str(tmp_path / "missing.xlsx"))
    assert missing.returncode == 2
    assert "No such file or folder" in missing.stderr
    assert "Traceback" not in bad.stdout + bad.stderr + missing.stderr
    version = call("--version")
    assert version.stdout.strip() == f"emsplan {emsplan.__version__}"
