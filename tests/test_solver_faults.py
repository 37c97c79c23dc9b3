"""What goes wrong around the solver, end to end: each outcome gets its exit code and a
clear paragraph, never "Internal error", never a half-written plan, and valid JSON.

- A solve that stops (time limit) before the solver has a feasible solution is no plan:
  exit 3, nothing written; a scenario's plan and a sweep's samples are recorded as
  failed (on SQLite and PostgreSQL), and the sweep goes on. A MIP stopped by a limit
  with an incumbent stays a plan, with its gap.
- A solver that is not installed, an option HiGHS does not take, a warm start HiGHS
  cannot read, a model file that cannot be written: exit 2, before anything is solved.

The networks are the tiny ones of ``test_engine`` (the phone PH made at PL from a
battery BAT): the base LP, and a MIP whose plant needs a new line (fixed cost 500).
Time limit 0 stops HiGHS before it has any solution, on both.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import emsplan
from conftest import subprocess_env
from emsplan.api.errors import BAD_INPUT, INFEASIBLE, describe
from emsplan.cli.app import app
from emsplan.core.outcomes import Termination
from emsplan.optimization.build import create_model
from emsplan.optimization.solve import (
    ModelFileError,
    WarmStartError,
    check_warm_start,
    solve_model,
    write_model,
)
from emsplan.optimization.solver_options import (
    SolverOptionError,
    UnknownSolverError,
    check_solver,
)
from emsplan.planning.pipeline import PlanningError, plan
from emsplan.results.summary import to_json
from emsplan.scenarios import sweep
from emsplan.scenarios.overrides import parse
from emsplan.store import PlanRecord, Store
from store_helpers import BACKENDS, store_location
from test_engine import network

runner = CliRunner()
PRICE = "supply[supplier=SCN].price*=uniform(0.8,1.4)"


def mip_network() -> emsplan.Network:
    """The line option makes the model a MIP: optimum 500 + 12 x (100 + 50) = 2300."""
    return network(
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


def emsplan_cli(*args: str, cwd: Path) -> tuple[int, str]:
    """``python -m emsplan ARGS`` in a real process: its exit code and its words (stdout
    and stderr, on one line)."""
    proc = subprocess.run(
        [sys.executable, "-m", "emsplan", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env=subprocess_env(),
    )
    return proc.returncode, " ".join((proc.stdout + proc.stderr).split())


def strict_json(text: str) -> Any:
    """``text`` parsed as RFC 8259 JSON: Infinity and NaN are errors, not numbers."""

    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


# -- 4. a solve without a feasible solution is no plan ----------------------------------
def test_a_mip_stopped_before_any_incumbent_exits_3_and_writes_nothing(tmp_path: Path) -> None:
    """Before: exit 0, "total cost inf INR", summary.json with ``"objective": Infinity``."""
    book = mip_network().write(tmp_path / "mip.xlsx")
    out = tmp_path / "plan"
    code, text = emsplan_cli(
        "plan", str(book), "--time-limit", "0", "--out", str(out), cwd=tmp_path
    )
    assert code == INFEASIBLE, text
    assert "no feasible plan found within the time limit of 0 s" in text
    assert "Raise the time limit (--time-limit SECONDS)" in text
    assert "Internal error" not in text and "inf INR" not in text
    assert not out.exists()


@pytest.mark.parametrize(
    "options",
    [{}, {"solver": "ipm"}, {"solver": "ipm", "run_crossover": "off"}],
    ids=["simplex", "ipm", "ipm-no-crossover"],
)
def test_an_lp_stopped_by_its_time_limit_is_no_plan(options: dict[str, Any]) -> None:
    """Before: "ok (time_limit)", total cost 0 and an all-zero plan."""
    with pytest.raises(PlanningError) as caught:
        plan(network(), time_limit=0, solver_options=options)
    assert caught.value.termination is Termination.TIME_LIMIT
    assert "no feasible plan found within the time limit of 0 s" in str(caught.value)
    report = describe(caught.value)
    assert (report.kind, report.exit_code) == ("no_plan", INFEASIBLE)
    assert report.message.startswith("No plan: no feasible plan found within the time limit")


def test_the_outcome_of_a_cut_off_solve_has_no_objective_gap_or_bound() -> None:
    model, _ = create_model(mip_network())
    outcome = solve_model(model, time_limit=0)
    assert outcome.termination is Termination.TIME_LIMIT
    assert (outcome.objective, outcome.mip_gap, outcome.best_bound) == (None, None, None)


def test_a_mip_stopped_by_a_limit_with_an_incumbent_stays_a_plan() -> None:
    """The bundled example stopped at its first improving solution (deterministic, unlike
    a time limit): a plan, not optimal, with its gap, and strict JSON. (Measured by hand:
    ``emsplan plan india-2023.xlsx --time-limit 1`` stops at the time limit with an
    incumbent, gap 100%, and writes its plan.)"""
    result = plan(emsplan.examples.load("india-2023"), solver_options={"mip_max_improving_sols": 1})
    summary = strict_json(to_json(result.summary))
    assert summary["termination_condition"] == "terminated_by_limit"
    assert summary["optimal"] is False
    assert math.isfinite(summary["objective"]) and summary["objective"] > 0
    assert summary["mip_gap"] is not None and summary["mip_gap"] > 0


def test_summary_json_is_strict() -> None:
    text = to_json({"objective": math.inf, "gap": [math.nan, 1.0], "bound": {"b": -math.inf}})
    assert strict_json(text) == {"objective": None, "gap": [None, 1.0], "bound": {"b": None}}


def test_store_records_hold_strict_json() -> None:
    """A record's summary and settings never hold a non-finite number (PostgreSQL's JSON
    refuses ``Infinity``)."""
    result = plan(mip_network())
    result.summary["best_bound"] = -math.inf
    record = PlanRecord.from_plan(result, {"solver_options": {"time_limit": math.inf}})
    assert record.summary["best_bound"] is None
    assert record.settings == {"solver_options": {"time_limit": None}}
    strict_json(json.dumps(record.summary))


@pytest.fixture(params=BACKENDS)
def any_db(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A temporary store in SQLite or PostgreSQL (skipped, saying why, without
    EMSPLAN_TEST_POSTGRES_URL)."""
    with store_location(request.param, tmp_path) as where:
        yield where


def test_a_scenario_cut_off_is_recorded_as_failed_and_exits_3(any_db: str, tmp_path: Path) -> None:
    """Before, on PostgreSQL: "Internal error: DataError ... Token Infinity is invalid"."""
    book = mip_network().write(tmp_path / "mip.xlsx")
    added = runner.invoke(app, ["scenario", "add", "line", str(book), "--db", any_db])
    assert added.exit_code == 0, added.output
    code, text = emsplan_cli(
        "scenario", "plan", "line", "--time-limit", "0", "--db", any_db, cwd=tmp_path
    )
    assert code == INFEASIBLE, text
    assert "No plan for scenario line (recorded as plan #1): no feasible plan found" in text
    with Store(any_db) as store:
        (record,) = store.history()
    assert (record.status, record.termination, record.objective) == ("failed", "time_limit", None)
    assert "within the time limit of 0 s" in record.message


def test_a_sweep_records_cut_off_samples_as_failed_and_goes_on(any_db: str, tmp_path: Path) -> None:
    """Every sample stops at time limit 0: each is stored as failed, the sweep finishes
    (exit 0) and says so. Before: SQLite stored "ok" plans of cost inf; PostgreSQL
    aborted the whole sweep with "Internal error: DataError"."""
    book = mip_network().write(tmp_path / "mip.xlsx")
    args = ["sweep", str(book), "--vary", PRICE, "-n", "3", "--seed", "2", "--time-limit", "0"]
    code, text = emsplan_cli(*args, "--workers", "1", "--db", any_db, cwd=tmp_path)
    assert code == 0, text
    assert "0 of 3 samples solved (3 failed, 0 already stored)" in text
    assert "Internal error" not in text
    with Store(any_db) as store:
        plans = store.history(limit=10, sweeps=True)
    assert sorted(p.sample_index for p in plans) == [0, 1, 2]
    for p in plans:
        assert (p.status, p.termination, p.objective) == ("failed", "time_limit", None)
        assert "no feasible plan found within the time limit" in p.message


# -- 5. a solver that is not installed --------------------------------------------------
@pytest.mark.parametrize(
    ("solver", "says"),
    [
        ("glpk", "The solver 'glpk' is not installed here; the solvers installed are: highs"),
        ("nosuch", "'nosuch' is not a solver emsplan can use"),
    ],
)
def test_a_solver_that_is_not_installed_exits_2(tmp_path: Path, solver: str, says: str) -> None:
    """Before: "Internal error: AssertionError: Solver glpk not installed" (exit 1)."""
    book = network().write(tmp_path / "tiny.xlsx")
    code, text = emsplan_cli("plan", str(book), "--solver", solver, cwd=tmp_path)
    assert code == BAD_INPUT, text
    assert says in text and "Internal error" not in text


def test_the_library_and_a_sweep_refuse_a_missing_solver_before_anything_runs(
    tmp_path: Path,
) -> None:
    with pytest.raises(UnknownSolverError) as caught:
        plan(network(), solver_name="glpk")
    assert describe(caught.value).exit_code == BAD_INPUT
    with Store(str(tmp_path / "store.db")) as store:
        with pytest.raises(UnknownSolverError):
            sweep.run(store, network(), [parse(PRICE)], 2, settings={"solver": "glpk"})
        assert store.counts()["sweeps"] == 0


# -- 6. options HiGHS does not take, a warm start it cannot read ------------------------
@pytest.mark.parametrize(
    ("option", "says"),
    [
        ("nosuchoption=1", "Solver option 'nosuchoption' is not an option of HiGHS"),
        (
            "time_limit=abc",
            "Solver option time_limit=abc is not accepted by HiGHS: time_limit takes a number",
        ),
    ],
)
def test_an_option_highs_does_not_take_exits_2(tmp_path: Path, option: str, says: str) -> None:
    """Before: accepted silently (HiGHS refused it with a status nobody read)."""
    book = network().write(tmp_path / "tiny.xlsx")
    code, text = emsplan_cli("plan", str(book), "--solver-option", option, cwd=tmp_path)
    assert code == BAD_INPUT, text
    assert says in text and "Internal error" not in text
    assert not (tmp_path / "tiny-plan").exists()


@pytest.mark.parametrize(
    ("options", "says"),
    [
        ({"timelimit": 5}, "Did you mean time_limit?"),
        ({"threads": 1.5}, "threads takes a whole number"),
        ({"mip_rel_gap": -1}, 'Value -1 for option "mip_rel_gap" is below lower bound of 0'),
        ({"presolve": "maybe"}, 'is not one of "off", "choose" or "on"'),
        ({"output_flag": "maybe"}, "cannot be interpreted as a bool"),
    ],
)
def test_highs_options_are_checked_by_highs(options: dict[str, Any], says: str) -> None:
    with pytest.raises(SolverOptionError) as caught:
        check_solver("highs", options)
    assert says in str(caught.value)
    assert describe(caught.value).exit_code == BAD_INPUT


def test_highs_options_come_back_typed_as_highs_holds_them() -> None:
    """``output_flag=1`` is True for HiGHS (passed as the int 1 it is refused)."""
    options = {"output_flag": 1, "time_limit": 60, "presolve": "off", "threads": 2}
    typed = check_solver("highs", options)
    assert typed == {"output_flag": True, "time_limit": 60.0, "presolve": "off", "threads": 2}
    assert [type(v) for v in typed.values()] == [bool, float, str, int]


def test_a_workbook_as_warm_start_exits_2(tmp_path: Path) -> None:
    """Before: accepted silently (linopy asked HiGHS to read it as a basis, and ignored the
    refusal)."""
    book = mip_network().write(tmp_path / "mip.xlsx")
    code, text = emsplan_cli("plan", str(book), "--warm-start", str(book), cwd=tmp_path)
    assert code == BAD_INPUT, text
    assert f"Cannot start from {str(book)!r}: it is not a HiGHS solution file (.sol)" in text
    assert "Internal error" not in text


def test_a_solution_of_another_model_is_no_warm_start(tmp_path: Path) -> None:
    model, _ = create_model(mip_network())
    other = tmp_path / "other.sol"
    other.write_text(
        "Model status\nOptimal\n\n# Primal solution values\nFeasible\nObjective 1\n"
        "# Columns 2\nc0 1\nc1 1\n# Rows 0\n"
    )
    with pytest.raises(WarmStartError, match="a model of 2 variables, and this model has 9"):
        check_warm_start(model, other)
    with pytest.raises(WarmStartError, match="does not exist"):
        plan(mip_network(), warm_start=tmp_path / "none.sol")


# -- 7. a model file that cannot be written ---------------------------------------------
@pytest.mark.parametrize("where", ["a-file/model.mps", "/proc/emsplan-model.mps"])
def test_export_model_where_nothing_can_be_written_exits_2(tmp_path: Path, where: str) -> None:
    """A folder that is a file, and /proc (where even root cannot create a file). Before:
    exit 0, no file and no message (HiGHS's status ignored)."""
    (tmp_path / "a-file").write_text("not a folder")
    book = network().write(tmp_path / "tiny.xlsx")
    code, text = emsplan_cli("plan", str(book), "--export-model", where, cwd=tmp_path)
    assert code == BAD_INPUT, text
    assert f"Cannot write the model to {where!r}" in text and "nothing was solved" in text
    assert not (tmp_path / "tiny-plan").exists()


def test_write_model_checks_and_writes_whole_files(tmp_path: Path) -> None:
    model, _ = create_model(network())
    with pytest.raises(ModelFileError) as caught:
        write_model(model, Path("/proc/emsplan-model.lp"))
    assert caught.value.filename == "/proc/emsplan-model.lp"
    (tmp_path / "folder.mps").mkdir()
    with pytest.raises(ModelFileError, match="is a folder"):
        plan(network(), export_model=tmp_path / "folder.mps")
    target = tmp_path / "deep" / "model.mps"
    write_model(model, target)
    assert target.read_text().startswith("NAME")
    assert [p.name for p in target.parent.iterdir()] == ["model.mps"]
