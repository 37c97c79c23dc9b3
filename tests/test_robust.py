"""Robust (two-stage) plans, with optima worked by hand on a newsvendor network.

The network: one phone PH made at plant PL from one chip C (no conversion cost, no
freight, no duty, no holding cost). Demand for PH at market MK in period P2 only, drawn
per scenario from ``choice(100, 200)``; every unit must be delivered (no penalty). The
chip comes from an import IMP at 10 a unit ordered one period ahead (lead time 1: a
stage-1 commitment in P1, paid whether used or not) or from a local supplier LOC at
``local`` a unit with no lead time (stage 2: bought once demand is known).

For a commitment q and a scenario share f of demand 200, the expected cost is
``10 q + local x E[(D - q)+]``; on [100, 200] its slope is ``10 - local f``, so the
optimum is q = 200 when ``local f > 10`` and q = 100 otherwise (below 100 the slope
is ``10 - local < 0``). The tests compute f from the drawn scenarios themselves.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import emsplan
from conftest import subprocess_env
from emsplan.data.writers import write_workbook
from emsplan.optimization import extensive
from emsplan.scenarios import robust
from emsplan.scenarios.overrides import parse
from emsplan.scenarios.sweep import sample_network
from plan_checker import check_plan

VARY = "demand.qty=choice(100,200)"


def newsvendor(local: float = 16.0, holding: float = 0.0) -> emsplan.Network:
    """The network of the module docstring (``holding``: both items' holding cost)."""
    sites = [
        {"site": "IMP", "kind": "supplier", "country": "CN"},
        {"site": "LOC", "kind": "supplier", "country": "IN"},
        {"site": "PL", "kind": "plant", "country": "IN"},
        {"site": "MK", "kind": "market", "country": "IN"},
    ]
    tables = {
        "settings": [{"setting": "currency", "value": "INR"}],
        "periods": [{"period": "P1", "days": 91}, {"period": "P2", "days": 91}],
        "items": [
            {"item": "PH", "kind": "product", "holding_cost": holding},
            {"item": "C", "kind": "component", "holding_cost": holding},
        ],
        "bom": [{"parent": "PH", "child": "C", "qty_per": 1.0}],
        "sites": sites,
        "supply": [
            {"supplier": "IMP", "item": "C", "price": 10.0, "lead_time": 1},
            {"supplier": "LOC", "item": "C", "price": local, "lead_time": 0},
        ],
        "production": [{"plant": "PL", "item": "PH", "cost": 0.0}],
        "lanes": [
            {"origin": "IMP", "destination": "PL", "item": "C", "mode": "sea", "cost": 0.0},
            {"origin": "LOC", "destination": "PL", "item": "C", "mode": "road", "cost": 0.0},
            {"origin": "PL", "destination": "MK", "item": "PH", "mode": "road", "cost": 0.0},
        ],
        "demand": [{"market": "MK", "item": "PH", "period": "P2", "qty": 150.0}],
    }
    net = emsplan.Network({k: pd.DataFrame(v) for k, v in tables.items()}, name="newsvendor")
    errors = [str(p) for p in net.check() if p.severity == "error"]
    assert not errors, errors
    return net


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m emsplan ARGS`` in a subprocess (the real command line)."""
    return subprocess.run(
        [sys.executable, "-m", "emsplan", *args],
        capture_output=True,
        text=True,
        env=env or subprocess_env(),
        timeout=300,
    )


def _drawn(net: emsplan.Network, samples: int, seed: int) -> np.ndarray:
    """The P2 demand of each scenario, as the robust plan draws them."""
    variations = [parse(VARY).to_dict()]
    return np.array(
        [
            float(sample_network(net, variations, seed, i)[0]["demand"]["qty"].iloc[0])
            for i in range(samples)
        ]
    )


def _by_hand(demand: np.ndarray, local: float) -> tuple[float, np.ndarray]:
    """The SAA optimum: the best commitment over a fine grid (the optimum is at a
    drawn demand), and each scenario's cost under it."""
    best = None
    for q in np.linspace(0, 250, 251):
        cost = 10 * q + local * np.maximum(demand - q, 0)
        if best is None or cost.mean() < best[1].mean() - 1e-9:
            best = (q, cost)
    assert best is not None
    return best


@pytest.mark.parametrize("local", [16.0, 30.0])
def test_robust_commitment_is_the_newsvendor_optimum(local: float, tmp_path: Path) -> None:
    net = newsvendor(local)
    samples, seed = 12, 4
    demand = _drawn(net, samples, seed)
    f = float((demand == 200).mean())
    assert 0 < f < 1, "the seed should draw both demands"
    q, costs = _by_hand(demand, local)
    assert q == (200 if local * f > 10 else 100)
    result = robust.robust_plan(net, [parse(VARY)], samples, seed)
    info = result.summary["robust"]
    assert info["expected_objective"] == pytest.approx(costs.mean(), rel=1e-7)
    # the stage-1 commitment, marked as such in its own table
    c = result.tables["commitments"]
    assert c[["supplier", "item", "period"]].values.tolist() == [["IMP", "C", "P1"]]
    assert c["committed"].iloc[0] == pytest.approx(q)
    # each scenario's cost is the one worked by hand, and the expected cost their mean
    s = result.tables["scenarios"]
    assert s["objective"].to_numpy() == pytest.approx(costs, rel=1e-7)
    assert info["expected_objective"] == pytest.approx(float(np.dot(s["weight"], s["objective"])))
    # the plan of the network as given (150) keeps the commitment: what it does not take
    # is paid (unused_commitment), the rest of 150 comes from IMP first
    taken = min(q, 150.0)
    assert c["taken"].iloc[0] == pytest.approx(taken)
    assert c["untaken"].iloc[0] == pytest.approx(q - taken)
    assert result.objective == pytest.approx(10 * q + local * max(150 - q, 0), rel=1e-9)
    costs_by = result.costs.groupby("category")["value"].sum()
    assert costs_by.get("unused_commitment", 0.0) == pytest.approx(10 * (q - taken))
    result.write(tmp_path)
    assert check_plan(net, tmp_path) == []


def test_stage1_is_the_same_in_every_scenario() -> None:
    """Each scenario planned on its own with the robust stage 1 fixed costs exactly what
    the extensive form says, and its commitment equals the shared one."""
    net = newsvendor(16.0)
    samples, seed = 6, 1
    variations = [parse(VARY).to_dict()]
    nets = [sample_network(net, variations, seed, i)[0] for i in range(samples)]
    models = [robust.scenario_model(n)[0] for n in nets]
    form = extensive.compose(models)
    solution = extensive.solve(form)
    # every scenario's commitment column is the one shared column
    columns = {int(form.columns[s][_position(models[s], "Supply-commit")]) for s in range(samples)}
    assert len(columns) == 1
    assert solution.objective == pytest.approx(solution.scenario_costs.mean(), rel=1e-9)
    for s, n in enumerate(nets):
        assert robust.evaluate(n, solution.stage1) == pytest.approx(
            solution.scenario_costs[s], rel=1e-7
        )


def _position(model: Any, name: str) -> int:
    labels = np.asarray(model.variables[name].labels.values).ravel()
    label = int(labels[labels >= 0][0])
    return int(np.flatnonzero(model.matrices.vlabels == label)[0])


def test_value_of_the_stochastic_solution_by_hand() -> None:
    """local = 16 and the drawn share f of demand 200: EV commits to the mean demand m,
    RP to the SAA optimum, WS to each scenario's demand. EVPI = RP - WS, VSS = EEV - RP,
    each with its paired standard error."""
    net = newsvendor(16.0)
    samples, seed = 10, 2
    demand = _drawn(net, samples, seed)
    _, rp = _by_hand(demand, 16.0)
    m = demand.mean()
    eev = 10 * m + 16 * np.maximum(demand - m, 0)
    ws = 10 * demand
    result = robust.robust_plan(net, [parse(VARY)], samples, seed, value=True)
    value = result.summary["robust"]["value"]
    assert value["RP"] == pytest.approx(rp.mean(), rel=1e-7)
    assert value["WS"] == pytest.approx(ws.mean(), rel=1e-7)
    assert value["EEV"] == pytest.approx(eev.mean(), rel=1e-7)
    assert value["EVPI"]["mean"] == pytest.approx((rp - ws).mean(), rel=1e-7)
    assert value["VSS"]["mean"] == pytest.approx((eev - rp).mean(), rel=1e-7)
    se = (eev - rp).std(ddof=1) / np.sqrt(samples)
    assert value["VSS"]["se"] == pytest.approx(se, rel=1e-6)
    assert value["VSS"]["lo95"] < value["VSS"]["mean"] < value["VSS"]["hi95"]
    s = result.tables["scenarios"]
    assert s["own_objective"].to_numpy() == pytest.approx(ws, rel=1e-7)


def test_cvar_weight_buys_protection_against_the_tail() -> None:
    """local = 16, f below 10/16: the expected cost alone commits 100. With a heavy
    weight on the CVaR of the worst 10%, the worst scenario (D = 200) costs
    10 q + 16 (200 - q), falling in q, so the plan commits 200."""
    net = newsvendor(16.0)
    samples, seed = 12, 4
    demand = _drawn(net, samples, seed)
    assert 16 * (demand == 200).mean() < 10, "this seed should make the mean plan commit 100"
    plain = robust.robust_plan(net, [parse(VARY)], samples, seed)
    averse = robust.robust_plan(net, [parse(VARY)], samples, seed, cvar_weight=5.0)
    assert plain.tables["commitments"]["committed"].iloc[0] == pytest.approx(100)
    assert averse.tables["commitments"]["committed"].iloc[0] == pytest.approx(200)
    info = averse.summary["robust"]
    costs = averse.tables["scenarios"]["objective"].to_numpy()
    assert info["cvar"] == pytest.approx(costs.max(), rel=1e-9)  # worst 10% of 12 draws
    assert info["objective_with_cvar"] == pytest.approx(costs.mean() + 5 * costs.max())


def test_cvar_of_discrete_costs() -> None:
    assert extensive.cvar(np.array([1.0, 2.0, 3.0, 4.0]), np.full(4, 0.25), 0.5) == 3.5
    assert extensive.cvar(np.array([1.0, 2.0, 3.0, 4.0]), np.full(4, 0.25), 0.9) == 4.0


def test_stress_keeps_a_plans_commitments(tmp_path: Path) -> None:
    """A deterministic plan of demand 150 commits 150 imported chips; a stress scenario
    of demand 100 pays all 150 (1500), of demand 200 buys 50 locally (1500 + 800)."""
    from emsplan.scenarios.sweep import fix_choices, unused_choices
    from emsplan.store.records import decisions

    net = newsvendor(16.0)
    base = emsplan.plan(net)
    chosen = decisions(base.tables, net)
    assert chosen["commitments"] == [["IMP", "C", "P1", 150.0]]
    for qty, cost in ((100.0, 1500.0), (200.0, 2300.0)):
        scenario = net.copy()
        scenario.tables["demand"] = scenario["demand"].assign(qty=qty)

        def fix(model: Any, data: Any, scenario: emsplan.Network = scenario) -> None:
            fix_choices(model, data, unused_choices(scenario, chosen), chosen)

        assert emsplan.plan(scenario, extra_functionality=fix).objective == pytest.approx(cost)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--samples", "1"], "at least 2 samples"),
        (["--cvar-alpha", "1.5"], "--cvar-alpha 1.5"),
        (["--cvar-weight=-1"], "--cvar-weight -1.0 is not allowed"),
        (["--solver", "glpk"], "solved by HiGHS"),
        ([], "needs --vary"),
    ],
)
def test_robust_cli_refuses_bad_requests(args: list[str], words: str, tmp_path: Path) -> None:
    workbook = tmp_path / "n.xlsx"
    write_workbook(newsvendor().tables, workbook)
    vary = [] if not args else ["--vary", VARY]
    run = _cli("plan", str(workbook), "--out", str(tmp_path / "p"), "--robust", *vary, *args)
    assert run.returncode == 2, run.stdout + run.stderr
    assert words in " ".join((run.stdout + run.stderr).split())
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "p").exists()


def test_robust_cli_writes_a_plan_with_its_scenarios(tmp_path: Path) -> None:
    workbook = tmp_path / "n.xlsx"
    net = newsvendor()
    write_workbook(net.tables, workbook)
    run = _cli("plan", str(workbook), "--out", str(tmp_path / "p"), "--robust", "--vary", VARY,
               "--samples", "8", "--seed", "3", "--value")  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    summary = json.loads((tmp_path / "p" / "summary.json").read_text())
    demand = _drawn(net, 8, 3)
    assert summary["robust"]["expected_objective"] == pytest.approx(
        _by_hand(demand, 16.0)[1].mean(), rel=1e-7
    )
    scenarios = pd.read_csv(tmp_path / "p" / "scenarios.csv")
    assert len(scenarios) == 8
    assert "VSS" in run.stdout
    assert check_plan(net, tmp_path / "p") == []


def test_scenario_plan_robust_is_stored_with_its_request(tmp_path: Path) -> None:
    """`emsplan scenario plan NAME --robust ...` stores the robust plan: its tables
    (commitments, scenarios), its summary's robust block and the request in its settings;
    a stress test of it keeps the commitment."""
    from emsplan.store import Store

    workbook = tmp_path / "n.xlsx"
    net = newsvendor()
    write_workbook(net.tables, workbook)
    env = subprocess_env() | {"EMSPLAN_DB": str(tmp_path / "store.db")}

    assert _cli("scenario", "add", "nv", str(workbook), env=env).returncode == 0
    run = _cli("scenario", "plan", "nv", "--robust", "--vary", VARY, "-n", "6", "--seed", "4",
               env=env)  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Robust plan over 6 scenarios" in run.stdout
    with Store(str(tmp_path / "store.db")) as store:
        (info,) = store.history(limit=10)
        assert info.settings["robust"]["samples"] == 6
        assert info.settings["robust"]["variations"][0]["column"] == "qty"
        tables = store.plan_tables(info.id)
        assert len(tables["scenarios"]) == 6
        demand = _drawn(net, 6, 4)
        q, _ = _by_hand(demand, 16.0)
        assert info.decisions["commitments"] == [["IMP", "C", "P1", pytest.approx(q)]]
