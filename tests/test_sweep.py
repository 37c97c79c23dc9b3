"""Sweeps and stress tests on real Dask clusters, with the real solver and store.

The network is the tiny one of ``test_engine``: a phone from a battery bought
in India (SIN, Rs 110) or China (SCN, Rs 100), conversion Rs 50, ten phones
demanded. One local cluster (two worker processes) serves the module; the
cluster test starts a scheduler and two workers as separate processes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

import emsplan
from conftest import subprocess_env
from emsplan.cli.app import app
from emsplan.scenarios import sweep
from emsplan.scenarios.overrides import OverrideError, parse
from emsplan.store import PlanRecord, Store, network_hash
from test_engine import network
from test_policy import _pli

runner = CliRunner()
PRICE = "supply[supplier=SCN].price*=uniform(0.8,1.4)"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    monkeypatch.setenv("EMSPLAN_DB", str(tmp_path / "store.db"))
    with Store() as s:
        yield s


def test_samples_are_seeded_and_independent_of_order() -> None:
    variations = [parse(PRICE).to_dict(), parse("demand.qty*=normal(1,0.1)").to_dict()]
    net = network()
    a, drawn_a = sweep.sample_network(net, variations, seed=3, index=5)
    b, drawn_b = sweep.sample_network(net, variations, seed=3, index=5)
    c, _ = sweep.sample_network(net, variations, seed=3, index=6)
    d, _ = sweep.sample_network(net, variations, seed=4, index=5)
    assert drawn_a == drawn_b and network_hash(a) == network_hash(b)
    assert len({network_hash(x) for x in (a, c, d)}) == 3
    assert 80.0 <= a.supply.set_index("supplier").loc["SCN", "price"] <= 140.0


def test_sweep_streams_resumes_and_summarises(store: Store, cluster: str) -> None:
    """Interrupted after 2 samples, the same sweep resumes with the 4 others; a longer one
    adds only the new samples. Costs: 10 x (min(SCN price, 110) + 50)."""
    variations = [parse(PRICE)]
    seen: list[int] = []

    def interrupt(done: int, total: int) -> None:
        seen.append(done)
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sweep.run(store, network(), variations, 6, seed=11, scheduler=cluster, progress=interrupt)
    stored = {p.sample_index for p in store.history(limit=100, sweeps=True)}
    assert len(stored) == 2 and seen == [1, 2]

    summary = sweep.run(store, network(), variations, 6, seed=11, scheduler=cluster)
    assert (summary.samples, summary.solved, summary.skipped) == (6, 6, 2)
    plans = store.sweep_plans(summary.sweep.id)
    assert sorted(p.sample_index for p in plans) == list(range(6))
    for p in plans:
        (o,) = p.overrides
        expected = 10 * (min(100.0 * o["value"], 110.0) + 50.0)
        assert p.objective == pytest.approx(expected, rel=1e-9)
    costs = sorted(p.objective for p in plans)
    q = summary.quantiles.set_index("metric")
    p5, p50 = float(q.loc["total_cost", "P5"]), float(q.loc["total_cost", "P50"])
    assert costs[0] <= p5 <= p50 <= costs[-1]
    assert q.loc["service_level", "P50"] == pytest.approx(1.0)
    share = summary.decisions.set_index("element")["share"]
    cheap = sum(o.overrides[0]["value"] < 1.1 for o in plans) / 6
    assert share.get("SCN/BAT", 0.0) == pytest.approx(cheap)
    assert share["PL/PH"] == pytest.approx(1.0)

    again = sweep.run(store, network(), variations, 7, seed=11, scheduler=cluster)
    assert (again.skipped, again.samples) == (6, 7)


def _committed_network() -> emsplan.Network:
    """test_engine's network over P1, P2 with demand in P2 and China's offer ordered a
    period ahead (lead time 1): a stage-1 commitment."""
    return network(
        periods=[{"period": "P1", "days": 91}, {"period": "P2", "days": 91}],
        supply=[
            {"supplier": "SIN", "item": "BAT", "price": 110.0},
            {"supplier": "SCN", "item": "BAT", "price": 100.0, "lead_time": 1},
        ],
        demand=[{"market": "MK", "item": "PH", "period": "P2", "qty": 10, "penalty": 1000}],
    )


def _stress_committed(
    store: Store, cluster: str, settings: dict[str, Any] | None = None
) -> tuple[PlanRecord, sweep.SweepSummary]:
    """Plan _committed_network, store it, and stress it on 4 samples of China's price
    choice(100, 130), seed 1."""
    base = PlanRecord.from_plan(emsplan.plan(_committed_network()))
    plan_id = store.record_plan(base, _committed_network())
    summary = sweep.run(
        store,
        _committed_network(),
        [parse("supply[supplier=SCN].price=choice(100,130)")],
        4,
        seed=1,
        kind="stress",
        plan_id=plan_id,
        fixed=base.decisions,
        settings=settings,
        scheduler=cluster,
    )
    return base, summary


def test_stress_regret_is_exact(store: Store, cluster: str) -> None:
    """The plan commits 10 batteries from China (SCN) in P1. If China costs 130, the
    scenario's own optimum buys in India: 10 x (110 + 50) = 1600; keeping the commitment:
    10 x (130 + 50) = 1800: regret 200. At 100 the commitment stays best: regret 0."""
    base, summary = _stress_committed(store, cluster)
    assert base.decisions == {
        "sourcing": ["SCN/BAT"],
        "production": ["PL/PH"],
        "commitments": [["SCN", "BAT", "P1", 10.0]],
    }
    assert summary.sweep.kind == "stress" and len(summary.regret) == 4
    for p in store.sweep_plans(summary.sweep.id):
        if p.variant == "fixed":
            price = p.overrides[0]["value"]
            assert p.objective == pytest.approx(10 * (price + 50))
    regret = summary.regret.set_index("sample")["regret"]
    assert set(regret.round(6)) <= {0.0, 200.0}
    assert {0.0, 200.0} == set(regret.round(6)), "seed 1 draws both prices"
    q = sweep.regret_quantiles(summary.regret)
    assert q["max"] == pytest.approx(200.0) and q["infeasible"] == 0
    report = sweep.stress_report(summary)
    pairs = report["per_sample"]
    assert report["samples"] == len(pairs) == 4 and report["infeasible"] == 0
    kept = np.array([p["fixed_cost"] for p in pairs])
    assert set(kept.round(6)) == {1500.0, 1800.0}  # 10 x (100 + 50), 10 x (130 + 50)
    assert report["cost"]["mean"] == pytest.approx(kept.mean())
    assert report["cost"]["p50"] == pytest.approx(np.median(kept))
    assert report["regret"]["mean"] == pytest.approx(np.mean([p["regret"] for p in pairs]))
    assert report["regret"]["max"] == pytest.approx(200.0)
    for p in pairs:
        assert p["regret"] == pytest.approx(p["fixed_cost"] - p["own_cost"])


def test_stress_without_regret_reports_the_kept_costs(store: Store, cluster: str) -> None:
    """--no-regret (settings regret False): only the plans with the commitment kept are
    solved and stored; the report counts every sample, its costs are 10 x (price + 50) and
    the regret is blank."""
    _, summary = _stress_committed(store, cluster, {"regret": False})
    assert {p.variant for p in store.sweep_plans(summary.sweep.id)} == {"fixed"}
    report = sweep.stress_report(summary)
    assert report["samples"] == 4 and report["failed"] == 0
    kept = [p["fixed_cost"] for p in report["per_sample"]]
    assert {round(k, 6) for k in kept} == {1500.0, 1800.0}
    assert report["cost"]["mean"] == pytest.approx(sum(kept) / 4)
    assert all(p["own_cost"] is None and p["regret"] is None for p in report["per_sample"])
    assert report["regret"]["mean"] is None
    costs = summary.quantiles.set_index("metric").loc["total_cost"]
    assert costs["samples"] == 4


def test_bad_variations_are_reported_before_anything_runs(store: Store) -> None:
    with pytest.raises(OverrideError, match="table 'supply' has no column 'cost'"):
        sweep.run(store, network(), [parse("supply.cost*=uniform(1,2)")], 4)
    with pytest.raises(OverrideError, match="None of the variations is random"):
        sweep.run(store, network(), [parse("supply.price*=1.1")], 4)
    with pytest.raises(OverrideError, match=r"uniform\(a,b\) needs a <= b"):
        sweep.run(store, network(), [parse("supply.price*=uniform(2,1)")], 4)
    assert store.counts()["sweeps"] == 0


def test_sweep_command_bad_input_exits_2(store: Store, tmp_path: Path) -> None:
    path = _committed_network().write(tmp_path / "tiny.xlsx")
    result = runner.invoke(app, ["sweep", str(path), "--vary", "demand.qtty*=uniform(1,2)"])
    assert result.exit_code == 2, result.output
    assert "has no column 'qtty'" in " ".join(result.output.split())
    result = runner.invoke(app, ["sweep", "no-such-thing", "--vary", PRICE])
    assert result.exit_code == 2 and "neither a file or folder nor a stored scenario" in (
        " ".join(result.output.split())
    )
    assert store.counts()["sweeps"] == 0


def test_an_unreachable_scheduler_is_a_clear_error() -> None:
    with (
        pytest.raises(sweep.ClusterError, match="Cannot reach the Dask scheduler at 'tcp://"),
        sweep.dask_client(scheduler="tcp://127.0.0.1:9", timeout="1s"),
    ):
        pass


def test_ctrl_c_stops_a_local_sweep_cleanly_and_it_resumes(tmp_path: Path) -> None:
    """Ctrl-C in a terminal reaches every process of the group, the local cluster's workers
    too: the sweep stores what finished, says how to resume, exits 130 and prints no
    traceback (the workers ignore it); the same command then resumes."""
    import os
    import signal

    path = _committed_network().write(tmp_path / "tiny.xlsx")
    env = {**subprocess_env(), "EMSPLAN_DB": str(tmp_path / "store.db")}
    args = [sys.executable, "-m", "emsplan", "sweep", str(path), "--vary", PRICE, "--seed", "3"]
    proc = subprocess.Popen(
        [*args, "-n", "2000"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    stored = 0
    while stored < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.5)
        if (tmp_path / "store.db").exists():
            with Store(str(tmp_path / "store.db")) as s:
                stored = len(s.history(limit=10, sweeps=True))
    assert stored >= 3, "the sweep stored no samples in time"
    os.killpg(proc.pid, signal.SIGINT)
    output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output
    assert "rerun the same command to resume" in " ".join(output.split())
    rerun = subprocess.run([*args, "-n", "4"], env=env, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "already stored" in " ".join((rerun.stdout + rerun.stderr).split())


# -- a cluster of separate processes ----------------------------------------------------
@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `dask scheduler` and two `dask worker` processes on localhost; yields the address.

    Started once for the module: the tests that need a cluster share it.
    """
    env = subprocess_env()
    file = tmp_path_factory.mktemp("dask") / "scheduler.json"
    common = ["--no-dashboard"]
    procs = [
        subprocess.Popen(
            [
                *(sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1"),
                *("--port", "0", "--scheduler-file", str(file), *common),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(file.read_text())["address"]
        for name in ("w1", "w2"):
            procs.append(
                subprocess.Popen(
                    [
                        *(sys.executable, "-m", "distributed.cli.dask_worker", address),
                        *("--nthreads", "1", "--nworkers", "1", "--name", name, *common),
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def test_sweep_on_a_cluster_of_separate_processes(
    store: Store, tmp_path: Path, cluster: str
) -> None:
    path = _committed_network().write(tmp_path / "tiny.xlsx")
    args = ["sweep", str(path), "--vary", PRICE, "-n", "6", "--seed", "5"]
    result = runner.invoke(app, [*args, "--scheduler", cluster])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "P5" in text and "P95" in text and "6 of 6 samples solved" in text
    plans = store.history(limit=100, sweeps=True)
    assert len(plans) == 6
    workers = {p.summary["worker"] for p in plans}
    assert len(workers) == 2, f"both workers should have planned samples: {workers}"
    rerun = runner.invoke(app, [*args, "--scheduler", cluster])
    assert rerun.exit_code == 0 and "6 already stored" in " ".join(rerun.output.split())


def test_sweep_command_passes_solver_settings_to_every_sample(
    store: Store, tmp_path: Path, cluster: str
) -> None:
    """--time-limit, --mip-gap and --solver-option reach each sample's plan and its record;
    they are part of the sweep's id, so the same sweep without them is another sweep."""
    path = _committed_network().write(tmp_path / "tiny.xlsx")
    args = ["sweep", str(path), "--vary", PRICE, "-n", "2", "--seed", "1", "--scheduler", cluster]
    tuned = ["--time-limit", "30", "--mip-gap", "0.01", "--solver-option", "threads=1"]
    result = runner.invoke(app, [*args, *tuned])
    assert result.exit_code == 0, result.output
    plans = store.history(limit=100, sweeps=True)
    assert len(plans) == 2
    for record in plans:
        assert record.settings == {
            "solver": "highs",
            "time_limit": 30.0,
            "mip_gap": 0.01,
            "solver_options": {"threads": 1},
        }
    plain = runner.invoke(app, args)
    assert plain.exit_code == 0, plain.output
    assert "0 already stored" in " ".join(plain.output.split())
    assert len({p.sweep_id for p in store.history(limit=100, sweeps=True)}) == 2


def test_stress_command(store: Store, tmp_path: Path, cluster: str) -> None:
    """`emsplan stress` of a scenario's plan. (The default local cluster of `--workers N`
    is what benchmarks/sweep_speedup.py measures.)"""
    path = _committed_network().write(tmp_path / "tiny.xlsx")
    assert runner.invoke(app, ["scenario", "add", "base", str(path)]).exit_code == 0
    assert runner.invoke(app, ["scenario", "plan", "base"]).exit_code == 0
    args = ["stress", "base", "--vary", "supply[supplier=SCN].price=choice(100,130)"]
    result = runner.invoke(app, [*args, "-n", "2", "--seed", "2", "--scheduler", cluster])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Regret of keeping plan #1's choices" in text
    assert "1 purchases committed ahead" in text
    plans = store.history(limit=100, sweeps=True)
    assert sorted(p.variant for p in plans if p.sweep_id) == ["fixed"] * 2 + ["own"] * 2

    out = tmp_path / "stress.json"
    again = runner.invoke(
        app, [*args, "-n", "2", "--seed", "2", "--scheduler", cluster, "--json", str(out)]
    )
    assert again.exit_code == 0, again.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report) >= {"samples", "cost", "regret", "per_sample", "currency"}
    assert report["samples"] == 2 and set(report["cost"]) == {"mean", "p50", "p95"}
    assert set(report["regret"]) == {"mean", "p50", "p95", "max"}
    kept = [p["fixed_cost"] for p in report["per_sample"]]
    assert report["cost"]["mean"] == pytest.approx(sum(kept) / 2)
    assert {round(k, 6) for k in kept} <= {1500.0, 1800.0}  # 10 x (100 or 130 + 50)
    quick_json = tmp_path / "quick.json"
    quick = runner.invoke(
        app,
        [
            *args,
            "-n",
            "2",
            "--seed",
            "5",
            "--scheduler",
            cluster,
            "--no-regret",
            "--json",
            str(quick_json),
        ],
    )
    assert quick.exit_code == 0, quick.output
    assert "(no regret: --no-regret)" in " ".join(quick.output.split())
    quick_report = json.loads(quick_json.read_text(encoding="utf-8"))
    assert quick_report["samples"] == 2 and quick_report["regret"]["mean"] is None
    missing = runner.invoke(app, [*args, "-n", "2", "--json", str(tmp_path / "no" / "x.json")])
    assert missing.exit_code == 2 and "does not exist" in " ".join(missing.output.split())


def _stress(base_net: emsplan.Network, variation: str) -> tuple[dict[str, Any], float, float]:
    """The base plan's decisions, and one sample's own optimum and fixed-choices cost."""
    base = PlanRecord.from_plan(emsplan.plan(base_net))
    _, pair = sweep.solve_sample(
        base_net, [parse(variation).to_dict()], 0, 0, {}, keep_tables=False, fixed=base.decisions
    )
    own, fixed = pair["own"].objective, pair["fixed"].objective
    assert own is not None and fixed is not None
    return base.decisions, own, fixed


def test_stress_keeps_the_plans_lines_open() -> None:
    """12 phones open the line (500 + 12 x 150 = 2300). With 8 phones the sample's own
    optimum shuts it (8 x 200 unmet = 1600); keeping it open costs 500 + 8 x 150 = 1700:
    regret 100 (without fixing the line the fixed plan could shut it too: regret 0)."""
    decisions, own, fixed = _stress(_line_network(12), "demand.qty=8")
    assert decisions["options"] == ["new-line@P1"]
    assert own == pytest.approx(1600.0, rel=1e-9)
    assert fixed == pytest.approx(1700.0, rel=1e-9)


def test_stress_keeps_closed_options_closed_and_committed_volumes() -> None:
    """30 phones open SCN's contract (200) and buy 30 batteries: 200 + 30 x 150 = 4700,
    the committed volume. With 10 phones the own optimum buys at SIN: 10 x 160 = 1600.
    Keeping the choices: SIN unused, contract open, at least 30 bought at 100, stock free:
    200 + 3000 + 10 x 50 = 3700. And a plan that kept the contract shut keeps it shut."""
    decisions, own, fixed = _stress(_contract_network(30), "demand.qty=10")
    assert decisions["volumes"] == [["SCN", "BAT", "P1", pytest.approx(30.0)]]
    assert decisions["options"] == ["scn-contract@P1"]
    assert (own, fixed) == (pytest.approx(1600.0, rel=1e-9), pytest.approx(3700.0, rel=1e-9))

    decisions, own, fixed = _stress(_contract_network(10, sin_cap=10), "demand.qty=30")
    assert decisions["options"] == [] and decisions["volumes"] == []
    # own: contract open, 30 from SCN: 200 + 4500 = 4700; fixed: SIN's 10, 20 unmet at 1000
    assert (own, fixed) == (pytest.approx(4700.0, rel=1e-9), pytest.approx(21600.0, rel=1e-9))


def _line_network(demand: float) -> emsplan.Network:
    from test_options import _line_network as line_network

    return line_network(demand)


def _contract_network(demand: float, sin_cap: float | None = None) -> emsplan.Network:
    contract = {"option": "scn-contract", "kind": "contract", "supplier": "SCN", "item": "BAT"}
    supply = [
        {"supplier": "SIN", "item": "BAT", "price": 110.0, "capacity": sin_cap},
        {"supplier": "SCN", "item": "BAT", "price": 100.0},
    ]
    return network(
        supply=supply,
        options=[{**contract, "fixed_cost": 200.0}],
        demand=[{"market": "MK", "item": "PH", "period": "P1", "qty": demand, "penalty": 1000}],
    )


# -- reuse of the HiGHS model between samples (issue 14, part 3) --------------------------
@pytest.mark.parametrize(
    ("make", "varied"),
    [
        (network, [PRICE, "demand.qty*=uniform(0.5,1.5)"]),
        (lambda: _line_network(12.0), [PRICE, "demand.qty*=uniform(0.2,2.0)"]),
        (lambda: _pli(min_incremental_sales=1800.0), [PRICE, "demand.qty*=uniform(0.7,1.3)"]),
    ],
    ids=["LP", "MIP", "incentive"],
)
def test_samples_solved_on_the_kept_highs_model_equal_samples_built_anew(
    make: Any, varied: list[str]
) -> None:
    """20 samples of a sweep, each solved in one worker on the HiGHS model kept from the
    sample before (changed in place) and each built anew (``reuse`` off): the same
    objective, purchases, production, flows, unmet demand, options and decisions for every
    sample. The MIP's demand
    ranges over 2.4 to 24 phones, on both sides of the line's break-even (10 phones), so the
    kept model's last decision is wrong for many samples (test_options' line network: the
    line opens for 500 and saves 50 a phone). The incentive's 7 to 13 phones at 200 reach
    its threshold (1800) from 9 phones on: where they cannot, its decision is fixed at 0 by
    a bound, so every sample keeps the structure, and a MIP sample starts from the last
    plan's decisions (fixed at 0 where the last plan qualified)."""
    from emsplan.optimization.reuse import Reuse

    net = make()
    variations = [parse(v).to_dict() for v in varied]
    kept = Reuse()
    opened = set()
    for index in range(20):
        sample, drawn = sweep.sample_network(net, variations, seed=11, index=index)
        fresh = sweep._solve(sample, {"reuse": False}, drawn, True)
        reused = sweep._solve(sample, {}, drawn, True, kept=kept)
        assert fresh.ok and reused.ok, (fresh.message, reused.message)
        assert reused.objective == pytest.approx(fresh.objective, rel=1e-9, abs=1e-6)
        # HiGHS's time of this sample (its clock runs on across the kept model's runs)
        assert 0 < reused.summary["solver_seconds"] <= reused.timings["solve"]
        for table in ("purchases", "production", "flows", "unmet", "options"):
            a, b = (r.tables[table] for r in (fresh, reused))
            assert a.shape == b.shape, table
            for column in a.select_dtypes("number").columns:
                assert np.allclose(a[column], b[column], atol=1e-6, equal_nan=True), (
                    index,
                    table,
                    column,
                )
        assert reused.decisions == fresh.decisions
        # the line opened or not; the incentive's threshold in reach or not
        opened.add(tuple(fresh.decisions.get("options", [sample.demand["qty"].sum() >= 9])))
    assert (kept.built, kept.in_place) == (1, 19)
    assert kept.started == (0 if make is network else 19)
    if make is not network:
        assert len(opened) == 2, "the samples should take both decisions"


def test_a_started_sample_skips_highs_root_searches_unless_the_user_set_them() -> None:
    """The first MIP sample on the kept model keeps HiGHS's settings; the next starts from
    its decisions with the root searches off, and says so in its summary; a setting the
    user gave is kept."""
    from emsplan.optimization.reuse import STARTED_SETTINGS, Reuse

    net = _line_network(12.0)
    for user in ({}, {"mip_heuristic_run_rins": True}):
        kept = Reuse()
        settings = {"solver_options": user}
        first, second = (sweep._solve(net, settings, [], False, kept=kept) for _ in range(2))
        assert first.ok and second.ok
        used = first.summary["solver_options"]
        assert {k: v for k, v in used.items() if k in STARTED_SETTINGS} == user
        used = second.summary["solver_options"]
        assert used == {**user, **{k: v for k, v in STARTED_SETTINGS.items() if k not in user}}
        assert second.objective == pytest.approx(first.objective, rel=1e-9)
        assert kept.started == 1


def test_a_sample_of_another_structure_rebuilds_the_kept_model() -> None:
    """The kept HiGHS model meets a network with another row (a second market): it is built
    anew, and the plan is that network's (10 + 5 phones at 150 each, as built alone)."""
    from emsplan.optimization.reuse import Reuse

    kept = Reuse()
    base = network()
    first = sweep._solve(base, {}, [], True, kept=kept)
    mk2 = {"market": "MK2", "item": "PH", "period": "P1", "qty": 5, "penalty": 1000}
    two = network(
        demand=[*base.demand.to_dict("records"), mk2],
        sites=[*base.sites.to_dict("records"), {"site": "MK2", "kind": "market", "country": "IN"}],
        lanes=[*base.lanes.to_dict("records"), {"origin": "PL", "destination": "MK2"}],
    )
    second = sweep._solve(two, {}, [], True, kept=kept)
    alone = sweep._solve(two, {"reuse": False}, [], True)
    assert first.objective == pytest.approx(10 * 150.0)
    assert second.objective == pytest.approx(alone.objective, rel=1e-9)
    assert second.objective == pytest.approx(15 * 150.0)
    assert kept.built == 2


def test_a_start_whose_policy_decisions_no_longer_hold_leaves_them_free() -> None:
    """A small MIP by hand: min y - 10 q, y >= 5 q, y <= 3 + 10 x, x and q binary (x a network
    decision, q a policy's qualification). The last plan's x = 0, q = 1 is infeasible
    (y >= 5 and y <= 3): with q left free (the retry, FREE_ON_RETRY) the start is x = 0,
    q = 0, y = 0 and the sample is started; without the retry it is not. Bounds and
    integrality are restored either way."""
    import highspy

    from emsplan.optimization.reuse import STARTED_SETTINGS, _start

    def small() -> highspy.Highs:
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        inf = highspy.kHighsInf
        h.addVars(3, np.zeros(3), np.array([1.0, 1.0, inf]))  # x, q, y
        h.changeColsCost(3, np.arange(3, dtype=np.int32), np.array([0.0, -10.0, 1.0]))
        h.addRow(0.0, inf, 2, np.array([2, 1], dtype=np.int32), np.array([1.0, -5.0]))
        h.addRow(-inf, 3.0, 2, np.array([2, 0], dtype=np.int32), np.array([1.0, -10.0]))
        integer = np.full(2, highspy.HighsVarType.kInteger)
        h.changeColsIntegrality(2, np.array([0, 1], dtype=np.int32), integer)
        return h

    labels, columns = np.array([10, 11]), np.array([0, 1], dtype=np.int32)
    last = (labels, np.array([0.0, 1.0]))
    plain = small()
    assert _start(plain, last, labels, columns, {}) is None
    h = small()
    started = _start(h, last, labels, columns, {}, free=np.array([False, True]))
    assert started == STARTED_SETTINGS
    for k, v in STARTED_SETTINGS.items():
        assert h.getOptionValue(k)[1] == v
    for model in (plain, h):
        _, _, _, lower, upper, _ = model.getCols(2, columns)
        assert list(lower) == [0.0, 0.0] and list(upper) == [1.0, 1.0]
        assert model.getLp().integrality_[:2] == [highspy.HighsVarType.kInteger] * 2
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    assert h.getInfo().objective_function_value == pytest.approx(-5.0)  # x = 1, q = 1, y = 5
