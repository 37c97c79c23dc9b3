"""Robust plans by Benders decomposition (``--method benders``), on the newsvendor network
of test_robust, whose answers are worked by hand: the recourse cost of a scenario with
demand D at commitment q is ``10 q + local x (D - q)+``, slope ``10 - local`` below D and
10 above; the SAA optimum is the one test_robust finds by brute force."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from emsplan.data.writers import write_workbook
from emsplan.optimization import benders
from emsplan.scenarios import robust
from emsplan.scenarios.overrides import parse
from emsplan.scenarios.sweep import sample_network
from plan_checker import check_plan
from test_robust import VARY, _by_hand, _cli, _drawn, newsvendor


def test_subproblem_prices_a_commitment_by_hand() -> None:
    """One scenario (demand 200, local 16): its LP recourse at q = 150 costs
    10 x 150 + 16 x 50 = 2300 with slope 10 - 16 = -6; at q = 250 it costs 2500 with
    slope 10 (the 50 untaken units are paid); with q free, 10 x 200 = 2000."""
    net = newsvendor(16.0)
    net.tables["demand"].loc[:, "qty"] = 200.0
    sub = benders.Subproblem(robust.scenario_model(net)[0])
    assert sub.stage1.size == 1 and list(sub.stage1.layout) == ["Supply-commit"]
    free = sub.solve(None)
    assert free.value == pytest.approx(2000.0)
    assert free.point is not None and free.point[0] == pytest.approx(200.0)
    below, above = sub.solve(np.array([150.0])), sub.solve(np.array([250.0]))
    assert (below.value, below.gradient[0]) == (pytest.approx(2300.0), pytest.approx(-6.0))
    assert (above.value, above.gradient[0]) == (pytest.approx(2500.0), pytest.approx(10.0))
    assert below.elastic == above.elastic == 0.0


def test_benders_finds_the_newsvendor_optimum(tmp_path: Path) -> None:
    net = newsvendor(16.0)
    samples, seed = 12, 4
    demand = _drawn(net, samples, seed)
    q, costs = _by_hand(demand, 16.0)
    result = robust.robust_plan(net, [parse(VARY)], samples, seed, method="benders", workers=0)
    info = result.summary["robust"]
    assert info["method"] == "Benders decomposition"
    assert result.tables["commitments"]["committed"].iloc[0] == pytest.approx(q, rel=1e-6)
    assert info["expected_objective"] == pytest.approx(costs.mean(), rel=1e-6)
    # each scenario priced with its full model at the commitment found: the hand costs
    assert result.tables["scenarios"]["objective"].to_numpy() == pytest.approx(costs, rel=1e-6)
    found = info["decomposition"]
    assert found["lower_bound"] <= costs.mean() * (1 + 1e-9)
    assert found["iterations"] >= 2
    result.write(tmp_path)
    assert check_plan(net, tmp_path) == []


@pytest.mark.parametrize("cvar_weight", [0.0, 5.0])
def test_benders_on_a_dask_cluster_matches_the_extensive_form(cvar_weight: float) -> None:
    """Two worker processes each hold half of the scenarios; the stage 1 and the objective
    (with CVaR: the expected cost plus 5 x the worst 10%) are the extensive form's."""
    net = newsvendor(16.0)
    samples, seed = 8, 5
    args = {"cvar_weight": cvar_weight}
    ef = robust.robust_plan(net, [parse(VARY)], samples, seed, method="extensive", **args)
    bd = robust.robust_plan(net, [parse(VARY)], samples, seed, method="benders", workers=2, **args)
    assert bd.summary["robust"]["decomposition"]["workers"] == 2
    for key in ("expected_objective", "objective_with_cvar", "cvar"):
        assert bd.summary["robust"][key] == pytest.approx(ef.summary["robust"][key], rel=1e-4)
    assert bd.tables["commitments"]["committed"].iloc[0] == pytest.approx(
        ef.tables["commitments"]["committed"].iloc[0], rel=1e-3
    )


def test_auto_method_by_number_of_scenarios() -> None:
    assert robust.check_method("auto", robust.EXTENSIVE_UP_TO) == "extensive"
    assert robust.check_method("auto", robust.EXTENSIVE_UP_TO + 1) == "benders"
    assert robust.check_method("extensive", 500) == "extensive"
    with pytest.raises(robust.RobustError, match="--method 'dual' is not a way"):
        robust.check_method("dual", 10)


def test_scenarios_must_keep_the_stage1_layout() -> None:
    """A variation that removes an offer with a lead time changes stage 1: refused."""
    from emsplan.optimization.extensive import StructureError
    from emsplan.scenarios.decomposed import ScenarioGroup, _LocalActor, _structure

    net = newsvendor(16.0)
    variations = [parse(VARY).to_dict()]
    group = ScenarioGroup(net, variations, 1, [0, 1])
    other = newsvendor(16.0)
    other.tables["supply"] = other.tables["supply"].iloc[1:].reset_index(drop=True)
    stripped = ScenarioGroup(other, variations, 1, [2])
    assert sample_network(net, variations, 1, 0)[0]["demand"]["qty"].iloc[0] in (100, 200)
    with pytest.raises(StructureError, match="scenario 3 changes the shape"):
        _structure([_LocalActor(group), _LocalActor(stripped)])


def test_robust_cli_benders(tmp_path: Path) -> None:
    workbook = tmp_path / "n.xlsx"
    net = newsvendor()
    write_workbook(net.tables, workbook)
    out = tmp_path / "p"
    run = _cli("plan", str(workbook), "--out", str(out), "--robust", "--vary", VARY,
               "-n", "6", "--seed", "3", "--method", "benders", "--workers", "1")  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["robust"]["method"] == "Benders decomposition"
    assert "Benders: gap" in run.stdout
    assert summary["robust"]["expected_objective"] == pytest.approx(
        _by_hand(_drawn(net, 6, 3), 16.0)[1].mean(), rel=1e-6
    )
    assert check_plan(net, out) == []
    for args, words in (
        (["--robust", "--vary", VARY, "--method", "dual"], "--method 'dual' is not a way"),
        (["--method", "benders"], "--method apply to a robust plan"),
        (["--robust", "--vary", VARY, "--workers", "0"], "--workers 0 is not allowed"),
    ):
        bad = _cli("plan", str(workbook), "--out", str(tmp_path / "q"), *args)
        assert bad.returncode == 2, bad.stdout + bad.stderr
        assert words in " ".join((bad.stdout + bad.stderr).split())
        assert "Traceback" not in bad.stderr
        assert not (tmp_path / "q").exists()


def test_no_stage1_found_is_a_planning_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the decomposition finds no stage 1 (here: told so), the robust plan says so as
    any plan without a solution does (PlanningError: exit 3 on the command line)."""
    from emsplan.planning.pipeline import PlanningError

    def none_found(*args: object, **kwargs: object) -> None:
        raise benders.DecompositionError("no integral stage-1 decision was found")

    monkeypatch.setattr(benders, "decompose", none_found)
    with pytest.raises(PlanningError, match="Benders decomposition over 4 scenarios has no plan"):
        robust.robust_plan(newsvendor(), [parse(VARY)], 4, 1, method="benders", workers=0)
