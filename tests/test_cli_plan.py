"""``emsplan plan`` end to end through the command line (typer's runner and a real process)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import highspy
import pandas as pd
import pytest
from typer.testing import CliRunner

from emsplan.cli.app import app
from test_engine import network

runner = CliRunner()


def _workbook(tmp_path: Path, **changes: list[dict[str, object]]) -> Path:
    path = tmp_path / "net.xlsx"
    network(**changes).write(path)
    return path


def test_plan_writes_every_table_and_the_summary(tmp_path: Path) -> None:
    """The base network (import at 100 without duty): objective 10 x 150 = 1500."""
    out = tmp_path / "plan"
    result = runner.invoke(app, ["plan", str(_workbook(tmp_path)), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "1,500 INR" in result.output
    for table in (
        "purchases",
        "production",
        "flows",
        "inventory",
        "unmet",
        "local_content",
        "costs",
        "kpis",
        "bottlenecks",
    ):
        assert (out / f"{table}.csv").exists(), table
    summary = json.loads((out / "summary.json").read_text())
    assert summary["objective"] == pytest.approx(1500.0)
    assert summary["termination_condition"] == "optimal"
    sheets = pd.read_excel(out / "plan.xlsx", sheet_name=None)
    assert sheets["purchases"]["qty"].sum() == pytest.approx(10)


def test_parquet_format(tmp_path: Path) -> None:
    out = tmp_path / "plan"
    args = ["plan", str(_workbook(tmp_path)), "--out", str(out), "--format", "parquet"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert pd.read_parquet(out / "purchases.parquet")["qty"].sum() == pytest.approx(10)


def test_exported_mps_gives_highs_the_same_optimum(tmp_path: Path) -> None:
    mps = tmp_path / "model.mps"
    out = str(tmp_path / "plan")
    args = ["plan", str(_workbook(tmp_path)), "--export-model", str(mps), "--out", out]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(str(mps))
    h.run()
    assert h.getInfo().objective_function_value == pytest.approx(1500.0)


def test_infeasible_plan_exits_3_with_the_conflict_and_writes_nothing(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path,
        production=[{"plant": "PL", "item": "PH", "cost": 50.0, "resource": "line"}],
        resources=[{"plant": "PL", "resource": "line", "capacity": 6.0}],
        demand=[{"market": "MK", "item": "PH", "period": "P1", "qty": 10}],
    )
    out = tmp_path / "plan"
    proc = subprocess.run(
        [sys.executable, "-m", "emsplan", "plan", str(path), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 3, proc.stdout + proc.stderr
    text = " ".join((proc.stdout + proc.stderr).split())
    assert "infeasible" in text
    assert "must be delivered in full" in text
    assert "capacity of resource PL/line in P1" in text
    assert "Traceback" not in text
    assert not out.exists()


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("--format", "xml", "not supported"),
        ("--export-model", "model.txt", "must end in .mps or .lp"),
        ("--solver-option", "presolve", "key=value"),
    ],
)
def test_bad_options_exit_2(tmp_path: Path, option: str, value: str, words: str) -> None:
    result = runner.invoke(app, ["plan", str(_workbook(tmp_path)), option, value])
    assert result.exit_code == 2, result.output
    assert words in " ".join(result.output.split())


def test_solver_options_are_passed_through(tmp_path: Path) -> None:
    args = [
        "plan",
        str(_workbook(tmp_path)),
        "--out",
        str(tmp_path / "plan"),
        "--solver-option",
        "presolve=off",
        "--solver-option",
        "threads=1",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output


def test_a_mip_plan_writes_its_solution_and_warm_starts_from_it(tmp_path: Path) -> None:
    """A line option makes the model a MIP: its plan holds solution.sol, and planning
    again from it reaches the same optimum (500 + 12 x 150 = 2300)."""
    path = _workbook(
        tmp_path,
        production=[{"plant": "PL", "item": "PH", "cost": 50.0, "resource": "line"}],
        resources=[{"plant": "PL", "resource": "line", "capacity": 0.0}],
        options=[
            {
                "option": "new-line",
                "kind": "line",
                "plant": "PL",
                "resource": "line",
                "capacity": 100.0,
                "fixed_cost": 500.0,
            }
        ],
        supply=[{"supplier": "SCN", "item": "BAT", "price": 100.0}],
        demand=[{"market": "MK", "item": "PH", "period": "P1", "qty": 12, "penalty": 200}],
    )
    first = runner.invoke(app, ["plan", str(path), "--out", str(tmp_path / "a")])
    assert first.exit_code == 0, first.output
    solution = tmp_path / "a" / "solution.sol"
    assert solution.is_file()
    args = ["plan", str(path), "--out", str(tmp_path / "b"), "--warm-start", str(solution)]
    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    summary = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert summary["objective"] == pytest.approx(2300.0)
    assert summary["model"]["type"] == "MILP"
    missing = runner.invoke(app, ["plan", str(path), "--warm-start", str(tmp_path / "no.sol")])
    assert missing.exit_code == 2
    assert "does not exist" in " ".join(missing.output.split())


def test_large_plans_get_no_workbook_unless_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above WORKBOOK_ROWS rows no plan.xlsx (and none left from an earlier plan);
    --workbook writes it anyway; a table longer than a sheet cannot go into one."""
    from emsplan.results import writer as plan_io

    book, out = _workbook(tmp_path), tmp_path / "plan"
    assert runner.invoke(app, ["plan", str(book), "--out", str(out)]).exit_code == 0
    assert (out / "plan.xlsx").is_file()
    monkeypatch.setattr(plan_io, "WORKBOOK_ROWS", 3)
    result = runner.invoke(app, ["plan", str(book), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "more than the 3 a workbook is written for" in " ".join(result.output.split())
    assert not (out / "plan.xlsx").exists() and (out / "purchases.csv").is_file()
    result = runner.invoke(app, ["plan", str(book), "--out", str(out), "--workbook"])
    assert result.exit_code == 0 and (out / "plan.xlsx").is_file(), result.output
    assert pd.read_excel(out / "plan.xlsx", sheet_name="purchases")["qty"].sum() == 10
    monkeypatch.setattr(plan_io, "EXCEL_ROWS", 1)
    result = runner.invoke(app, ["plan", str(book), "--out", str(tmp_path / "p2"), "--workbook"])
    assert result.exit_code == 2
    assert "more than an Excel sheet holds" in " ".join(result.output.split())
    assert not (tmp_path / "p2" / "summary.json").exists()
