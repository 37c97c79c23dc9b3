"""Faults of the command line found by hand (issue 16, items 14-17 and 19), each run as a
user runs it: the ``emsplan`` program in a subprocess.

- Ctrl-C at any early moment of a sweep stops it (exit 130, no traceback), also while the
  local Dask cluster starts; a real SIGINT goes to the whole process group, as a terminal
  sends it.
- The local cluster serves no dashboard: nothing listens on port 8787, and two sweeps at
  once do not warn that the port is in use.
- ``#12`` (and ``12``) name plan 12: no scenario may take such a name; ``history`` of an
  unknown scenario says so.
- Tables in a terminal 80 or 100 columns wide never cut a number.
- Every override example of the help texts and docs works on the bundled example.

The network is the tiny one of ``test_engine`` (with ten million phones where the numbers
must be wide).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import psutil
import pytest

from conftest import subprocess_env
from test_engine import network

PRICE = "supply[supplier=SCN].price*=uniform(0.8,1.4)"
RESUME = "rerun the same command to resume"

pytestmark = pytest.mark.skipif(not hasattr(os, "killpg"), reason="process groups (POSIX)")


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return network().write(tmp_path / "tiny.xlsx")


_started: list[subprocess.Popen[str]] = []


@pytest.fixture(autouse=True)
def _no_stray_processes() -> Iterator[None]:
    """A failed test leaves no sweep running (a sweep that ignored Ctrl-C would go on)."""
    yield
    while _started:
        proc = _started.pop()
        if proc.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=30)
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # its workers


def _start_sweep(path: Path, db: Path, *extra: str) -> subprocess.Popen[str]:
    """``emsplan sweep`` in its own session (its own process group, as in a terminal)."""
    env = {**subprocess_env(), "EMSPLAN_DB": str(db)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "emsplan", "sweep", str(path), "--vary", PRICE, *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    _started.append(proc)
    return proc


def _wait(condition: object, proc: subprocess.Popen[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and proc.poll() is None:  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out waiting for the sweep"
        time.sleep(0.02)


def _runs_emsplan(pid: int) -> bool:
    """The interpreter has started and runs emsplan's code: NumPy, which ``import emsplan``
    loads first, is mapped (so that the moments below do not depend on how long a loaded
    machine takes to start Python itself, before any code of emsplan can act)."""
    try:
        return "_multiarray_umath" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return True


def _workers(pid: int) -> list[psutil.Process]:
    """The worker processes of the local cluster started by process ``pid``."""
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    out = []
    for child in children:
        try:
            if "spawn_main" in " ".join(child.cmdline()):
                out.append(child)
        except psutil.Error:
            pass
    return out


def _assert_interrupted(proc: subprocess.Popen[str], resume: bool = True) -> str:
    output, _ = proc.communicate(timeout=90)
    assert proc.returncode == 130, output
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output
    assert "Interrupted" in output, output
    if resume:
        assert RESUME in _words(output), output
    return output


def _assert_group_gone(pgid: int, timeout: float = 20) -> None:
    """No process of the sweep (no worker) outlives it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    pytest.fail("processes of the interrupted sweep are still running")


# -- item 14: Ctrl-C at any moment ------------------------------------------------------
def test_ctrl_c_at_early_moments_stops_the_sweep(tiny: Path, tmp_path: Path) -> None:
    """Ctrl-C 0.2, 0.5, 1.0 and 1.5 s after the program starts (while it loads, reads the
    network, opens the store or starts the cluster): exit 130 each time, quickly, with no
    traceback; nothing keeps running."""
    for moment in (0.2, 0.5, 1.0, 1.5):
        proc = _start_sweep(tiny, tmp_path / f"store-{moment}.db", "-n", "2000", "--seed", "1")
        _wait(lambda p=proc: _runs_emsplan(p.pid), proc)
        time.sleep(moment)
        sent = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)
        output = _assert_interrupted(proc, resume=False)
        assert time.monotonic() - sent < 30, f"{moment}: stopped only after a while"
        assert "samples solved" not in output, f"{moment}: the sweep ran on: {output}"
        _assert_group_gone(proc.pid)


def test_ctrl_c_while_the_network_is_copied_to_the_workers_stops_the_sweep(
    tiny: Path, tmp_path: Path
) -> None:
    """Ctrl-C 0.3 to 0.7 s after both workers exist (on an idle machine the network is then
    being scattered to them; a loaded one gets there at the early moments above): exit 130
    with no traceback, not even the scheduler's ("Task exception was never retrieved" of
    its half-done copy, which asyncio logs when the task is collected)."""
    for moment in (0.3, 0.4, 0.5, 0.6, 0.7):
        proc = _start_sweep(tiny, tmp_path / f"store-{moment}.db", "-n", "2000", "--seed", "1")
        _wait(lambda p=proc: len(_workers(p.pid)) >= 2, proc)
        time.sleep(moment)
        os.killpg(proc.pid, signal.SIGINT)
        output = _assert_interrupted(proc, resume=False)
        assert "samples solved" not in output, f"{moment}: the sweep ran on: {output}"
        _assert_group_gone(proc.pid)


def test_ctrl_c_while_the_cluster_starts_stops_the_sweep(tiny: Path, tmp_path: Path) -> None:
    """Ctrl-C the moment the first worker process exists (the cluster is starting; the
    workers used to ignore it, and so did the sweep): exit 130 with the resume message, no
    worker traceback; the same command then resumes and finishes."""
    db = tmp_path / "store.db"
    proc = _start_sweep(tiny, db, "-n", "2000", "--seed", "2")
    _wait(lambda: bool(_workers(proc.pid)), proc)
    assert proc.poll() is None, proc.communicate()[0]
    os.killpg(proc.pid, signal.SIGINT)
    _assert_interrupted(proc)
    _assert_group_gone(proc.pid)
    rerun = _start_sweep(tiny, db, "-n", "3", "--seed", "2", "--workers", "1")
    output, _ = rerun.communicate(timeout=180)
    assert rerun.returncode == 0, output
    assert "3 of 3 samples solved" in _words(output), output


_CTRL_C_IN_A_COMMAND = """
from emsplan.cli.app import app, interrupted, main

@app.command("boom")
def boom(told: bool = False) -> None:
    try:  # as typing raises it while it evaluates annotations: from code run by eval
        eval("exec('raise KeyboardInterrupt')")
    except KeyboardInterrupt:
        if told:
            raise interrupted("Interrupted: what was done is kept.") from None
        raise

main(["boom", *__import__("sys").argv[1:]])
"""


@pytest.mark.parametrize(
    ("extra", "said"), [([], "Interrupted."), (["--told"], "Interrupted: what was done is kept.")]
)
def test_a_ctrl_c_from_evaluated_code_exits_130_with_one_word(
    extra: list[str], said: str, tmp_path: Path
) -> None:
    """Ctrl-C that a command does not handle, or handles, while the code it interrupts was
    run by ``eval`` (CPython then marks it unhandled and, in a program run with ``-m`` as
    ``python -m emsplan``, kills itself with SIGINT at exit whatever exit code was chosen;
    typer would end it with no word): exit 130 and one line that says so, never both."""
    (tmp_path / "ctrl_c_command.py").write_text(_CTRL_C_IN_A_COMMAND)
    env = subprocess_env()
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), env["PYTHONPATH"]])
    proc = subprocess.run(
        [sys.executable, "-m", "ctrl_c_command", *extra],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 130, (proc.returncode, proc.stdout, proc.stderr)
    assert _words(proc.stdout + proc.stderr) == said, proc.stderr
    assert "Traceback" not in proc.stderr


# -- item 15: no dashboard ----------------------------------------------------------------
@contextmanager
def _hold_port(port: int) -> Iterator[None]:
    """Listen on 127.0.0.1:``port`` if it is free, so that a cluster that still took it
    would have to warn (if another program holds it, it is taken all the same)."""
    sock = socket.socket()
    try:
        sock.bind(("127.0.0.1", port))
        sock.listen()
    except OSError:
        pass
    try:
        yield
    finally:
        sock.close()


def _listening(pid: int) -> list[tuple[str, int]]:
    """The addresses that process ``pid`` listens on (TCP)."""
    try:
        conns = psutil.Process(pid).net_connections("tcp")
    except psutil.Error:
        return []
    return [(c.laddr.ip, c.laddr.port) for c in conns if c.status == psutil.CONN_LISTEN]


def test_two_sweeps_at_once_serve_no_dashboard(tiny: Path, tmp_path: Path) -> None:
    """Two sweeps run at once: neither listens on 8787 (the dashboard's port) nor anywhere
    but this machine, and neither warns that a port is in use."""
    with _hold_port(8787):
        procs = [
            _start_sweep(tiny, tmp_path / f"store-{i}.db", "-n", "2000", "--workers", "1")
            for i in (1, 2)
        ]
        try:
            for proc in procs:  # both clusters up: the scheduler and its worker listen
                _wait(lambda p=proc: bool(_workers(p.pid)) and bool(_listening(p.pid)), proc)
            for proc in procs:
                addresses = _listening(proc.pid)
                assert addresses and all(ip == "127.0.0.1" for ip, _ in addresses), addresses
                assert 8787 not in {port for _, port in addresses}, addresses
        finally:
            for proc in procs:
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGINT)
        for proc in procs:
            output = _assert_interrupted(proc)
            assert "already in use" not in output and "8787" not in output, output


# -- the CLI in a subprocess, on a store made here ------------------------------------------
def _emsplan(*args: str, db: Path, columns: int | None = None) -> tuple[int, str]:
    """Run ``emsplan ARGS`` on store ``db`` (``COLUMNS`` wide): exit code and all output."""
    env = {**subprocess_env(), "EMSPLAN_DB": str(db)}
    if columns is not None:
        env["COLUMNS"] = str(columns)
    done = subprocess.run(
        [sys.executable, "-m", "emsplan", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done.returncode, done.stdout + done.stderr


#: Ten million phones: costs in the billions, numbers as wide as a real network's.
BIG = 100_000_000
BIG_COST = BIG * (100.0 + 50.0)


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with scenario ``big-demand`` (the tiny network over P1, P2 with China's offer
    ordered a period ahead, 10^8 phones demanded in P2, a long description) and its plan
    (total cost 15,000,000,000: China's batteries committed in P1)."""
    from emsplan.planning.pipeline import plan
    from emsplan.store import PlanRecord, Store

    db = tmp_path_factory.mktemp("big") / "store.db"
    net = network(
        periods=[{"period": "P1", "days": 91}, {"period": "P2", "days": 91}],
        supply=[
            {"supplier": "SIN", "item": "BAT", "price": 110.0},
            {"supplier": "SCN", "item": "BAT", "price": 100.0, "lead_time": 1},
        ],
        demand=[{"market": "MK", "item": "PH", "period": "P2", "qty": BIG, "penalty": 1000}],
    )
    result = plan(net)
    assert result.objective == pytest.approx(BIG_COST)
    with Store(str(db)) as store:
        store.add_scenario(
            "big-demand",
            net,
            net,
            [],
            "ten million phones, so that the costs run into the billions as in a real plan",
        )
        store.record_plan(PlanRecord.from_plan(result), net, scenario="big-demand")
    return db


# -- item 16: '#' names plans, not scenarios -------------------------------------------------
def test_scenario_names_that_name_plans_are_refused(big_store: Path, tmp_path: Path) -> None:
    """'#3' (and '3') name plan 3 wherever a plan is asked for: no scenario may take such a
    name (exit 2, the name and the rule said), in the store as on the command line."""
    from emsplan.store import Store, StoreError

    book = network().write(tmp_path / "tiny.xlsx")
    for name in ("#3", "12"):
        code, output = _emsplan("scenario", "add", name, str(book), db=big_store)
        words = _words(output)
        assert code == 2, output
        assert f"cannot be named '{name}'" in words and "may not start with '#'" in words, output
        assert "Traceback" not in output
    with Store(str(big_store)) as store:
        assert [i.name for i in store.scenarios()] == ["big-demand"]
        with pytest.raises(StoreError, match="may not start with '#'"):
            store.add_scenario("#1", network(), network(), [])


def test_history_of_an_unknown_scenario_says_so(big_store: Path) -> None:
    """``history --scenario nosuch`` names the scenario and those there are; exit 2."""
    code, output = _emsplan("history", "--scenario", "nosuch", db=big_store)
    assert code == 2, output
    assert "No scenario named 'nosuch'" in _words(output), output
    assert "big-demand" in output and "No plans stored yet" not in output


# -- item 17: numbers are never cut ----------------------------------------------------------
NUMBER_CUT = re.compile(r"[\d,.]…|…[\d,.]")


def _assert_whole(output: str, numbers: list[str]) -> None:
    """No number is cut (nothing is: text wraps), and each of ``numbers`` shows in full."""
    assert not NUMBER_CUT.search(output), output
    assert "…" not in output, output
    for number in numbers:
        assert number in output, f"{number} is not shown whole:\n{output}"


@pytest.mark.parametrize("columns", [80, 100])
def test_scenario_list_and_history_show_numbers_whole(big_store: Path, columns: int) -> None:
    """``scenario list`` and ``history`` in a terminal 80 or 100 columns wide show the
    stored total costs in full (less important columns go, text wraps)."""
    from emsplan.store import Store

    with Store(str(big_store)) as store:
        latest = store.latest_plan("big-demand")
        assert latest is not None and latest.objective is not None
        cost = f"{latest.objective:,.0f}"
    assert cost == "15,000,000,000"
    code, output = _emsplan("scenario", "list", db=big_store, columns=columns)
    assert code == 0, output
    _assert_whole(output, [cost, f"#{latest.id}", "big-demand"])
    assert max(len(line) for line in output.splitlines()) <= columns
    code, output = _emsplan("history", db=big_store, columns=columns)
    assert code == 0, output
    _assert_whole(output, [cost, f"#{latest.id}", "100.0%"])


def test_stress_and_its_history_show_numbers_whole(big_store: Path) -> None:
    """A stress test of the plan (China's price 100 or 130: regret 0, or 10^8 x (130 - 110,
    India's price) = 2,000,000,000 per sample) at 80 columns, then the same command again
    (all samples stored) at 100, then ``history --sweeps``: every figure whole and equal to
    the store's."""
    from emsplan.scenarios.sweep import regret_quantiles, summarise
    from emsplan.store import Store

    args = ["stress", "big-demand", "--vary", "supply[supplier=SCN].price=choice(100,130)"]
    args += ["-n", "4", "--seed", "1", "--workers", "1"]
    code, first = _emsplan(*args, db=big_store, columns=80)
    assert code == 0, first
    code, again = _emsplan(*args, db=big_store, columns=100)
    assert code == 0 and "already stored" in _words(again), again
    with Store(str(big_store)) as store:
        (sweep,) = {p.sweep_id for p in store.history(limit=100, sweeps=True) if p.sweep_id}
        summary = summarise(store, str(sweep))
        plans = store.sweep_plans(str(sweep))
    q = regret_quantiles(summary.regret)
    assert q["max"] == pytest.approx(2e9)
    figures = [f"{q[k]:,.0f}" for k in ("P5", "P50", "P95", "mean", "max")]
    costs = summary.quantiles.set_index("metric").loc["total_cost", ["P5", "P50", "P95"]]
    figures += [f"{float(v):,.0f}" for v in costs]
    for output in (first, again):
        _assert_whole(output, figures)
    for columns in (80, 100):
        code, output = _emsplan("history", "--sweeps", db=big_store, columns=columns)
        assert code == 0, output
        shown = [p for p in plans if f"#{p.id}" in output]
        assert shown, output
        _assert_whole(output, [f"{p.objective:,.0f}" for p in shown if p.objective is not None])


# -- item 19: the examples of the help texts and docs work on the bundled example -------------
#: An override in the one-line form, as written in help texts, docstrings and docs.
OVERRIDE = re.compile(
    r"(?<![\w.\[])(?:delete [a-z_]+\[[^\]\s]*\]"
    r"|[a-z_]+(?:\[[^\]\s]*\])?\.[a-z_]+(?:\*=|\+=|=)[\w.()+,-]*)"
)
#: Examples that are wrong on purpose (docs showing the error they give).
WRONG_ON_PURPOSE = {"supply[supplier=NOPE].price*=1.2", "supply.cost=1"}


def _help_texts() -> dict[str, str]:
    """``emsplan ... --help`` of every command and command group."""
    import typer.main
    from typer.testing import CliRunner

    from emsplan.cli import app

    texts: dict[str, str] = {}

    def visit(command: Any, path: list[str]) -> None:
        result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
        assert result.exit_code == 0, result.output
        texts["emsplan " + " ".join([*path, "--help"])] = result.output
        for name, sub in getattr(command, "commands", {}).items():  # a group's commands
            visit(sub, [*path, name])

    visit(typer.main.get_command(app), [])
    return texts


def _examples() -> dict[str, set[str]]:
    """Every override example: in the help texts, the docstrings of the override module,
    the README and docs/scenarios.md; by where it is written."""
    from conftest import ROOT
    from emsplan.data import schema
    from emsplan.scenarios import overrides

    sources = _help_texts()
    sources["emsplan.scenarios.overrides"] = "\n".join(
        str(getattr(v, "__doc__", "") or "") for v in (overrides, *vars(overrides).values())
    )
    for doc in ("README.md", "docs/scenarios.md"):
        sources[doc] = (ROOT / doc).read_text().replace("\\|", "|")
    found: dict[str, set[str]] = {}
    for where, text in sources.items():
        for match in OVERRIDE.finditer(text):
            example = match.group(0).rstrip(".,")
            while example.endswith(")") and example.count(")") > example.count("("):
                example = example[:-1]  # the parenthesis around it
            table = example.removeprefix("delete ").split("[")[0].split(".")[0]
            if table in schema.tables() and example not in WRONG_ON_PURPOSE:
                found.setdefault(example, set()).add(where)
    return found


def test_every_override_example_changes_the_bundled_example() -> None:
    """Each override example of the help texts and docs, applied to the bundled example,
    changes at least one row (a variation: in one of five draws); the help texts of the
    commands that take overrides have such examples."""
    import numpy as np

    import emsplan
    from emsplan.scenarios.overrides import OverrideError, apply, parse, resolve, sample

    net = emsplan.examples.load("india-2023")
    found = _examples()
    helps = {w for where in found.values() for w in where if w.startswith("emsplan ")}
    for command in ("scenario add", "sweep", "stress"):
        assert f"emsplan {command} --help" in helps, f"no override example in {command} --help"
    stale = []
    for example, where in sorted(found.items()):
        try:
            o = parse(example)
            resolved = resolve(net, [o], random=True)
        except OverrideError as exc:
            stale.append(f"{example} ({', '.join(sorted(where))}): {exc}")
            continue
        for seed in range(5 if o.random else 1):
            drawn = sample(resolved, np.random.default_rng(seed))
            if not apply(net, drawn, validate=False).tables[o.table].equals(net.tables[o.table]):
                break
        else:
            stale.append(f"{example} ({', '.join(sorted(where))}): changes no row")
    assert not stale, "\n".join(stale)
