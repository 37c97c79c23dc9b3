"""Valid inequalities handed to HiGHS round by round (emsplan.optimization.separate): the
same optimum as with every row, the LP bound of the whole model, every row kept where the
rounds cannot finish, and the rule that decides when."""

from __future__ import annotations

import json
from pathlib import Path

import highspy
import linopy
import numpy as np
import pytest

import emsplan
from emsplan.data.importers.orlib import read_orlib_cap
from emsplan.optimization import choice, separate
from emsplan.optimization.build import create_model
from emsplan.optimization.solve import solve_model
from emsplan.results.plan import Plan


def facility_instance(path: Path, plants: int, markets: int, seed: int, tight: float) -> Path:
    """A random capacitated facility location instance in OR-Library's format (capacity and
    fixed cost per plant; per market its demand and the cost of serving all of it from each
    plant), total capacity ``tight`` times the total demand."""
    rng = np.random.default_rng(seed)
    demand = rng.integers(5, 50, markets)
    capacity = np.full(plants, np.ceil(tight * demand.sum() / plants))
    fixed = rng.integers(500, 3000, plants)
    where_p, where_m = rng.random((plants, 2)), rng.random((markets, 2))
    distance = np.linalg.norm(where_p[:, None, :] - where_m[None, :, :], axis=2)
    lines = [f"{plants} {markets}"]
    lines += [f"{c:.0f} {f:.0f}." for c, f in zip(capacity, fixed, strict=True)]
    for j in range(markets):
        lines.append(f"{demand[j]}")
        lines.append(" ".join(f"{demand[j] * 10 * d:.3f}" for d in distance[:, j]))
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return facility_instance(tmp_path_factory.mktemp("cfl") / "cfl.txt", 30, 80, 3, 2.2)


def plan_with(instance: Path, separate_from: int, monkeypatch: pytest.MonkeyPatch) -> Plan:
    monkeypatch.setattr(choice, "SEPARATE_FROM", separate_from)
    return emsplan.plan(read_orlib_cap(instance))


def test_rows_taken_back_round_by_round_give_the_optimum_of_every_row(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    every = plan_with(instance, 10**9, monkeypatch)
    rounds = plan_with(instance, 1, monkeypatch)
    assert every.summary["solver_separation"] is None
    done = rounds.summary["solver_separation"]
    assert every.summary["optimal"] and rounds.summary["optimal"]
    assert rounds.objective == pytest.approx(every.objective, rel=1e-6)
    assert done["rows"] == 30 * 80  # one Option-line-flow row per lane (one period)
    assert 0 < done["taken"] < done["rows"] and done["rounds"] >= 2
    assert done["lp_bound"] <= rounds.objective * (1 + 1e-9)


def highs_and_pool(instance: Path) -> tuple[linopy.Model, highspy.Highs, np.ndarray]:
    """The instance's model, its (silent) HiGHS model and the positions there of its
    ``Option-line-flow`` rows."""
    model, _ = create_model(read_orlib_cap(instance))
    h = model.to_highspy()
    h.setOptionValue("output_flag", False)
    labels = model.constraints["Option-line-flow"].labels.values
    pool = separate.pool_rows(np.asarray(model.constraints.label_index.clabels), [labels])
    return model, h, pool


def test_the_rounds_reach_the_lp_bound_of_the_whole_model(instance: Path) -> None:
    model, h, pool = highs_and_pool(instance)
    labels = model.constraints["Option-line-flow"].labels.values
    assert pool.size == labels.size
    # HiGHS's rows at those positions are the family's: the same columns and coefficients
    con = model.constraints["Option-line-flow"]
    columns = np.searchsorted(model.variables.label_index.vlabels, con.vars.values)
    _, starts, index, value = h.getRowsEntries(pool.size, pool.astype(np.int32))
    assert np.array_equal(starts, np.arange(pool.size) * 2)  # ship and one line's open
    order = np.argsort(con.labels.values)
    assert np.array_equal(index.reshape(-1, 2), columns[order])
    assert np.array_equal(value.reshape(-1, 2), con.coeffs.values[order])
    lp = h.getLp()
    integers = _integers(lp)
    assert integers.size == 30
    done = separate.separate(h, pool, {})
    # the whole model's LP relaxation (every row), solved on its own
    whole = model.to_highspy()
    whole.setOptionValue("output_flag", False)
    whole.changeColsIntegrality(integers.size, integers, np.zeros(integers.size, np.uint8))
    whole.run()
    assert done.lp_bound == pytest.approx(whole.getInfo().objective_function_value, rel=1e-7)
    # HiGHS's model: the rows not taken are free, the others keep their bounds, and it is
    # still a MIP
    after = h.getLp()
    upper = np.asarray(after.row_upper_)[pool]
    assert np.isinf(upper).sum() == pool.size - done.taken
    assert np.all(upper[np.isfinite(upper)] == 0.0)
    assert np.array_equal(_integers(after), integers)


def _integers(lp: highspy.HighsLp) -> np.ndarray:
    """The positions of the integer columns of ``lp``."""
    kinds = np.array([int(kind) for kind in lp.integrality_], dtype=int)
    return np.flatnonzero(kinds).astype(np.int32)


def test_rounds_past_their_time_keep_every_row(instance: Path) -> None:
    _, h, pool = highs_and_pool(instance)
    done = separate.separate(h, pool, {"time_limit": 0.0})
    assert done.rounds == 1 and done.taken == pool.size
    assert np.all(np.isfinite(np.asarray(h.getLp().row_upper_)[pool]))
    status, limit = h.getOptionValue("time_limit")
    assert status == highspy.HighsStatus.kOk and 0 < limit <= 1e-3


def test_the_last_round_keeps_the_rows_it_breaks_and_the_optimum(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    every = plan_with(instance, 10**9, monkeypatch)
    monkeypatch.setattr(separate, "ROUNDS", 1)
    one = plan_with(instance, 1, monkeypatch)
    done = one.summary["solver_separation"]
    # one LP, without any of the rows: those it breaks are kept, not every row
    assert done["rounds"] == 1 and 0 < done["taken"] < done["rows"]
    assert one.summary["optimal"] and one.objective == pytest.approx(every.objective, rel=1e-6)


def test_an_infeasible_mip_stays_infeasible(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = facility_instance(tmp_path / "short.txt", 20, 60, 5, 0.8)  # capacity < demand
    monkeypatch.setattr(choice, "SEPARATE_FROM", 1)
    model, _ = create_model(read_orlib_cap(path))
    outcome = solve_model(model)
    assert outcome.termination == "infeasible" and outcome.objective is None
    assert outcome.separation is not None and outcome.separation["taken"] == 20 * 60


def test_the_rule_separates_large_mips_only(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model, _ = create_model(read_orlib_cap(instance))
    assert choice.highs_pool(model) is None  # 2,400 rows: below SEPARATE_FROM
    monkeypatch.setattr(choice, "SEPARATE_FROM", 2_400)
    assert choice.highs_pool(model) == ("Option-line-flow",)
    model.variables["Option-open"].relax()
    assert choice.highs_pool(model) is None  # an LP: nothing to branch on


def test_the_command_logs_the_rounds_and_writes_them_to_the_summary(
    instance: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from emsplan.cli.app import app

    monkeypatch.setattr(choice, "SEPARATE_FROM", 1)
    runner = CliRunner()
    net = tmp_path / "cfl.xlsx"
    imported = runner.invoke(app, ["import", "orlib-cap", str(instance), "--out", str(net)])
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "plan"
    planned = runner.invoke(app, ["plan", str(net), "--out", str(out), "--log"])
    assert planned.exit_code == 0, planned.output
    assert "emsplan rows round 1: LP bound" in planned.output
    summary = json.loads((out / "summary.json").read_text())
    done = summary["solver_separation"]
    assert done["rows"] == 2_400 and done["rounds"] >= 2 and summary["optimal"]
    assert f"emsplan rows round {done['rounds']}:" in planned.output


def test_a_sweep_sample_with_rows_in_rounds_is_solved_anew(
    instance: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A MIP whose rows come round by round is not solved on a sweep's kept HiGHS model
    (which would hand HiGHS every row): each sample is built anew and gets the rounds."""
    from emsplan.optimization.reuse import Reuse
    from emsplan.scenarios import sweep

    monkeypatch.setattr(choice, "SEPARATE_FROM", 1)
    kept = Reuse()
    net = read_orlib_cap(instance)
    records = [sweep._solve(net, {}, [], False, kept=kept) for _ in range(2)]
    assert all(r.ok and r.summary["solver_separation"]["rounds"] >= 2 for r in records)
    assert (kept.built, kept.in_place, kept.started) == (0, 0, 0)
    assert records[1].objective == pytest.approx(records[0].objective, rel=1e-9)
