"""OR-Library capacitated facility location instances planned to their published optima."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import emsplan
from emsplan.cli.app import app
from emsplan.data.importers.orlib import OrlibFormatError, read_orlib_cap

FOLDER = Path(__file__).resolve().parents[2] / "shared" / "data" / "orlib-cap"
needs_data = pytest.mark.skipif(
    not FOLDER.is_dir(), reason=f"the OR-Library instances are not at {FOLDER}"
)

#: Published optima (../shared/data/orlib-cap/README.md).
OPTIMA = {
    "cap41": 1040444.375,
    "cap42": 1098000.450,
    "cap43": 1153000.450,
    "cap44": 1235500.450,
    "cap51": 1025208.225,
    "cap61": 932615.750,
    "cap62": 977799.400,
    "cap63": 1014062.050,
    "cap64": 1045650.250,
    "cap71": 932615.750,
    "cap72": 977799.400,
    "cap73": 1010641.450,
    "cap74": 1034976.975,
    "cap121": 793439.563,
    "cap122": 852524.625,
    "cap123": 895302.325,
    "cap124": 946051.325,
}


@needs_data
@pytest.mark.parametrize("name", sorted(OPTIMA))
def test_instance_reaches_the_published_optimum(name: str) -> None:
    result = emsplan.plan(read_orlib_cap(FOLDER / f"{name}.txt"))
    assert result.summary["termination_condition"] == "optimal"
    assert result.objective == pytest.approx(OPTIMA[name], rel=1e-6)


@needs_data
def test_import_command_writes_a_network_that_plans(tmp_path: Path) -> None:
    out = tmp_path / "cap41.xlsx"
    runner = CliRunner()
    result = runner.invoke(
        app, ["import", "orlib-cap", str(FOLDER / "cap41.txt"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    planned = runner.invoke(app, ["plan", str(out), "--out", str(tmp_path / "plan")])
    assert planned.exit_code == 0, planned.output
    assert "1,040,444 INR" in planned.output


@needs_data
def test_open_capacity_needs_the_capacity_option(tmp_path: Path) -> None:
    with pytest.raises(OrlibFormatError, match="--capacity"):
        read_orlib_cap(FOLDER / "capa.txt")
    result = CliRunner().invoke(
        app, ["import", "orlib-cap", str(FOLDER / "capa.txt"), "--out", str(tmp_path / "a.xlsx")]
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "first line"),
        ("2 1\n10 5\n", "ends early"),
        ("1 1\n10 x\n5 3\n", "not a number"),
        ("1 1\n10 5\n5\n", "ends early"),
    ],
)
def test_broken_files_get_a_clear_error(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "broken.txt"
    path.write_text(text)
    with pytest.raises(OrlibFormatError, match=words):
        read_orlib_cap(path)


def test_a_tiny_instance_by_hand(tmp_path: Path) -> None:
    """2 facilities (capacity 10, fixed 100 and 30), 2 customers of demand 5 whose full
    service costs (from F1, F2) 10, 50 and 40, 20. Open both: 130 + 10 + 20 = 160; open
    F2 only: 30 + 50 + 20 = 100 (capacity 10 suffices); F1 only: 100 + 10 + 40 = 150."""
    path = tmp_path / "tiny.txt"
    path.write_text("2 2\n10 100\n10 30\n5 10 50\n5 40 20\n")
    assert emsplan.plan(read_orlib_cap(path)).objective == pytest.approx(100.0, rel=1e-9)
