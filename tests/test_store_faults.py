"""The store when things go wrong around it, for real: processes racing to store the
same network or the same scenario name (PostgreSQL and SQLite), a writer that holds
the SQLite store's lock, and a disk that fills up while a plan is stored.

The PostgreSQL cases skip unless ``EMSPLAN_TEST_POSTGRES_URL`` is set (``.ci/run``
sets it). The full-disk case mounts a small tmpfs, which needs root: it skips where
mounting fails, except in CI (``CI=true``), where it must run.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from conftest import subprocess_env
from emsplan.cli import app
from emsplan.store import Store, StoreBusyError
from emsplan.store.store import BUSY_TIMEOUT_ENV
from store_helpers import BACKENDS, store_location
from test_engine import network

WIDE = {"COLUMNS": "250", "NO_COLOR": "1"}  # no wrapping inside messages
runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=WIDE)
    return result.exit_code, result.output


def words(output: str) -> str:
    """``output`` on one line, each run of white space one blank."""
    return " ".join(output.split())


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    """The tiny network of ``test_engine`` (its optimum costs 1500) as a workbook."""
    return network().write(tmp_path / "tiny.xlsx")


# -- processes racing -------------------------------------------------------------------
#: A racer: ``python -c RACER FOLDER ME TRIALS``. It loads the command line and what
#: ``scenario add`` uses once, then for each trial says it is ready (file ready-T-ME),
#: waits for the start (file go-T), runs ``emsplan`` with the arguments of args-T-ME.json
#: and leaves what it said and its exit code in said-T-ME.txt and code-T-ME.
RACER = """
import contextlib, io, json, sys, time
from pathlib import Path

import emsplan.scenarios.overrides, emsplan.store.store, sqlalchemy.dialects.sqlite
from emsplan.cli import main

folder, me = Path(sys.argv[1]), sys.argv[2]
for trial in range(int(sys.argv[3])):
    (folder / f"ready-{trial}-{me}").touch()
    while not (folder / f"go-{trial}").exists():
        time.sleep(0.002)
    args = json.loads((folder / f"args-{trial}-{me}.json").read_text())
    said, code = io.StringIO(), 0
    with contextlib.redirect_stdout(said), contextlib.redirect_stderr(said):
        try:
            main(args)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    (folder / f"said-{trial}-{me}.txt").write_text(said.getvalue())
    (folder / f"code-{trial}-{me}").write_text(str(code))
"""


def wait_for(paths: list[Path], procs: list[subprocess.Popen[str]], what: str) -> None:
    deadline = time.monotonic() + 300
    while not all(p.exists() for p in paths):
        dead = [p for p in procs if p.poll() is not None]
        assert not dead, f"a racer ended before {what}: {dead[0].communicate()[1]}"
        assert time.monotonic() < deadline, f"the racers took more than 300 s to be {what}"
        time.sleep(0.01)


@contextmanager
def racers(count: int, trials: int, folder: Path) -> Iterator[Any]:
    """``count`` processes, each running one ``emsplan`` command per trial, all at once.

    Yields ``run(trial, commands)``, which starts ``commands`` (one argument list per
    process) at the same moment and returns each one's (exit code, what it said).
    """
    folder.mkdir(parents=True, exist_ok=True)
    env = subprocess_env() | WIDE
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(folder), str(me), str(trials)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for me in range(count)
    ]

    def run(trial: int, commands: list[list[str]]) -> list[tuple[int, str]]:
        assert len(commands) == count
        for me, args in enumerate(commands):
            (folder / f"args-{trial}-{me}.json").write_text(json.dumps(args))
        wait_for([folder / f"ready-{trial}-{me}" for me in range(count)], procs, "ready")
        (folder / f"go-{trial}").touch()
        codes = [folder / f"code-{trial}-{me}" for me in range(count)]
        wait_for(codes, procs, "done")
        return [
            (int(code.read_text()), (folder / f"said-{trial}-{me}.txt").read_text())
            for me, code in enumerate(codes)
        ]

    try:
        yield run
        for proc in procs:
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_processes_storing_one_new_network_at_once_all_succeed(
    tmp_path: Path, workbook: Path
) -> None:
    """Four `emsplan scenario add` of the same new network, at once, on PostgreSQL (where
    writers do not queue as on SQLite): each exits 0 and the network is stored once.
    Before, 3 of 4 failed with a UniqueViolation of networks_pkey, exit 1. Three trials,
    each on a new store."""
    trials = 3
    with racers(4, trials, tmp_path / "race") as run:
        for trial in range(trials):
            with store_location("postgresql", tmp_path / f"trial-{trial}") as where:
                with Store(where) as store:  # created and migrated before the race
                    assert store.counts()["networks"] == 0
                commands = [
                    ["scenario", "add", f"s{n}", str(workbook), "--db", where] for n in range(4)
                ]
                for code, said in run(trial, commands):
                    assert code == 0, (trial, said)
                with Store(where) as store:
                    counts = store.counts()
                    scenarios = store.scenarios()
            assert counts["networks"] == 1, trial
            tables = sum(1 for f in network().tables.values() if len(f))
            assert counts["network_tables"] == tables, trial
            assert [s.name for s in scenarios] == ["s0", "s1", "s2", "s3"]
            assert len({s.network_hash for s in scenarios}) == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_processes_adding_one_scenario_name_at_once_one_wins(
    backend: str, tmp_path: Path, workbook: Path
) -> None:
    """Four `emsplan scenario add same ...` at once: one stores it, the others are told
    the name is taken (exit 2), none is an internal error."""
    prices = ["100", "101", "102", "103"]  # four different networks under one name
    with store_location(backend, tmp_path) as where, racers(4, 1, tmp_path / "race") as run:
        Store(where).close()
        commands = [
            [
                "scenario",
                "add",
                "same",
                str(workbook),
                "--set",
                f"supply[supplier=SCN].price={price}",
                "--db",
                where,
            ]
            for price in prices
        ]
        results = run(0, commands)
        with Store(where) as store:
            counts = store.counts()
            stored = store.scenario("same")
    said = [words(text_) for _, text_ in results]
    assert sorted(code for code, _ in results) == [0, 2, 2, 2], said
    for (code, _), text_ in zip(results, said, strict=True):
        assert "Internal error" not in text_ and "Traceback" not in text_, text_
        if code == 2:
            assert "A scenario named 'same' already exists" in text_, text_
    assert counts["scenarios"] == 1
    winner = next(n for n, (code, _) in enumerate(results) if code == 0)
    assert stored.overrides[0]["value"] == float(prices[winner])


# -- a writer holding the SQLite store ---------------------------------------------------
#: Holds a write transaction on the store ARGV[1] (an uncommitted change) until a line
#: arrives on stdin, then commits it.
HOLDER = """
import sys
from sqlalchemy import text
from emsplan.store import Store

store = Store(sys.argv[1])
with store.transaction() as session:
    session.execute(text("UPDATE scenarios SET description = 'held'"))
    print("HOLDING", flush=True)
    sys.stdin.readline()
print("COMMITTED", flush=True)
"""


def test_sqlite_readers_do_not_wait_for_a_writer_and_writers_say_it_is_busy(
    tmp_path: Path, workbook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a process holds the write lock: a read (opening the store too) answers at
    once, from the last committed state (before WAL reads and opening took the write
    lock: a reader waited for the writer to finish); a write waits the busy timeout
    and then says the store is busy (before: 60 s, then "database is locked. Set
    EMSPLAN_DB to a writable file path", wrong advice); the command line exits 2."""
    db = tmp_path / "store.db"
    assert invoke("scenario", "add", "base", str(workbook), "--db", str(db))[0] == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db)],
        env=subprocess_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdin is not None and holder.stdout is not None
    try:
        assert holder.stdout.readline().strip() == "HOLDING"

        monkeypatch.setenv(BUSY_TIMEOUT_ENV, "20")  # a read that waited would fail
        start = time.perf_counter()
        with Store(str(db)) as store:
            infos = store.scenarios()
            stored = store.network(infos[0].network_hash)
        read_seconds = time.perf_counter() - start
        assert read_seconds < 10, read_seconds
        assert [(i.name, i.description) for i in infos] == [("base", "")]
        assert stored.name == "tiny"

        monkeypatch.setenv(BUSY_TIMEOUT_ENV, "1.5")
        other = network(demand=[{"market": "MK", "item": "PH", "period": "P1", "qty": 7}])
        start = time.perf_counter()
        with Store(str(db)) as store, pytest.raises(StoreBusyError) as busy:
            store.add_network(other)
        waited = time.perf_counter() - start
        assert 1.5 <= waited < 15, waited
        message = str(busy.value)
        assert f"The store sqlite:///{db} is busy: another process" in message
        assert "held it for more than 1.5 s" in message
        assert f"set {BUSY_TIMEOUT_ENV}" in message

        command = subprocess.run(
            [sys.executable, "-m", "emsplan", "scenario", "add", "other", str(workbook)],
            env=subprocess_env() | WIDE | {"EMSPLAN_DB": str(db), BUSY_TIMEOUT_ENV: "2"},
            capture_output=True,
            text=True,
            timeout=300,
        )
        said = words(command.stdout + command.stderr)
        assert command.returncode == 2, said
        assert "is busy: another process" in said and "nothing of it was stored" in said
        assert "writable file path" not in said and "Internal error" not in said
        assert holder.poll() is None  # it held the lock all along
    finally:
        holder.stdin.write("\n")
        holder.stdin.flush()
        out, _ = holder.communicate(timeout=120)
    assert out.strip() == "COMMITTED"
    with Store(str(db)) as store:
        assert [(i.name, i.description) for i in store.scenarios()] == [("base", "held")]


def test_a_bad_busy_timeout_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from emsplan.store import StoreError

    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "soon")
    with pytest.raises(StoreError, match=f"{BUSY_TIMEOUT_ENV} is 'soon'; give the seconds"):
        Store(str(tmp_path / "s.db"))


# -- a full disk -------------------------------------------------------------------------
@contextmanager
def small_disk(folder: Path, size: str = "2m") -> Iterator[Path]:
    """A tmpfs of ``size`` mounted at ``folder`` (root only), unmounted afterwards."""
    folder.mkdir(parents=True)
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
            capture_output=True,
            text=True,
        )
        problem = done.stderr.strip() if done.returncode else ""
    except OSError as exc:
        problem = str(exc)
    if problem:
        reason = f"cannot mount a small tmpfs to fill up (needs root): {problem}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; in CI (CI=true) this test must run, as root")
        pytest.skip(reason)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path, leave: int) -> Path:
    """Fill the file system of ``folder`` but for ``leave`` bytes; returns the filler."""
    filler = folder / "filler"
    chunk = b"\xff" * (1 << 16)
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while True:
            os.write(fd, chunk)
    except OSError as exc:
        if exc.errno != errno.ENOSPC:
            raise
    finally:
        os.close(fd)
    os.truncate(filler, filler.stat().st_size - leave)
    free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
    assert leave - 8192 <= free <= leave + 8192, free
    return filler


def snapshot(db: Path) -> tuple[dict[str, int], list[tuple[int, float | None]], dict[str, int]]:
    """What the store holds: rows per table, the plans, the first plan's table sizes."""
    with Store(str(db)) as store:
        plans = [(p.id, p.objective) for p in store.history()]
        tables = {name: len(f) for name, f in store.plan_tables(plans[-1][0]).items()}
        return store.counts(), plans, tables


def test_a_full_disk_keeps_the_plan_and_the_store(tmp_path: Path, workbook: Path) -> None:
    """The store's disk fills up: `scenario plan --out` exits 2, says the plan was not
    stored and where it was written, writes the whole plan first, and the store holds
    what it held before (no half-written plan). Before: "Internal error:
    OperationalError database or disk is full", exit 1, and the plan was lost."""
    with small_disk(tmp_path / "disk") as folder:
        db = folder / "store.db"
        assert invoke("scenario", "add", "base", str(workbook), "--db", str(db))[0] == 0
        assert invoke("scenario", "plan", "base", "--db", str(db))[0] == 0
        before = snapshot(db)
        assert not list(folder.glob("store.db-*")), "the store was not closed"
        # the store opens and reads in what is left (its WAL index takes 32 KB); a plan
        # needs about 100 KB of WAL
        filler = fill(folder, leave=48 * 1024)

        out = tmp_path / "plan-out"
        code, output = invoke("scenario", "plan", "base", "--db", str(db), "--out", str(out))
        said = words(output)
        assert code == 2, said
        assert "Internal error" not in said and "Traceback" not in said
        assert "Scenario base was planned (objective 1,500.00) but the plan was not stored" in said
        assert "the disk it is on is full" in said
        assert "Nothing of this write was stored; the store holds what it held before" in said
        assert f"The plan was written to {out}" in said
        assert "total cost" in said  # the plan's summary was shown all the same

        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        assert summary["objective"] == pytest.approx(1500.0)
        for name, rows in before[2].items():  # every table, whole: as the stored plan's
            assert len(pd.read_csv(out / f"{name}.csv")) == rows, name
        assert not [p for p in out.parent.iterdir() if p.name.startswith(".plan-out")]

        assert snapshot(db) == before  # on the full disk
        with Store(str(db)) as store, store.engine.connect() as c:
            assert c.execute(text("PRAGMA integrity_check")).scalar() == "ok"

        filler.unlink()
        assert snapshot(db) == before  # with room again
        code, output = invoke("scenario", "plan", "base", "--db", str(db))
        assert code == 0, output
        assert "Stored as plan #2 of scenario base" in words(output)
    shutil.rmtree(tmp_path / "disk", ignore_errors=True)
