"""A plan folder holds exactly one whole plan, whatever happened before (issue 16: items
8, 9, 13 and 18).

- A new plan replaces the folder whole (no file of an earlier plan stays), and a folder
  that is not a plan is refused; processes killed with SIGKILL at chosen and at random
  moments leave the earlier plan or the new one, and the next write cleans up.
- Files and folders get the umask's modes, workbooks too.
- ``emsplan plan NETWORK`` without ``--out`` writes ``NETWORK-plan/`` and says so.
- ``--excel-safe-csv`` defuses text cells that a spreadsheet would run as formulas.

The kill tests use fake plans: every declared table one row whose every cell is the
plan's number ``i``, ``summary.json`` holding ``{"objective": i}``, and a format,
workbook and solution that change with ``i`` (:func:`shape`), so that a folder mixing
two plans shows as a wrong file set or a cell that differs from the summary.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import openpyxl
import pandas as pd
import pytest

import emsplan
from conftest import subprocess_env
from emsplan.data import schema
from emsplan.data.writers import NEW, write_folder
from emsplan.results.writer import FORMATS, PlanFolderError, excel_safe, write_plan
from test_engine import network

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fork, SIGKILL and umask")

#: The exit code of a process that a crash point stopped.
CRASH = 9


# -- fake plans -----------------------------------------------------------------------------
def shape(i: int) -> tuple[str, bool, bool]:
    """Plan ``i``'s format, whether it has a workbook and whether it has a solution."""
    return FORMATS[i % 2], i % 3 == 0, i % 2 == 1


def write_fake(out: Path, i: int) -> None:
    fmt, workbook, solution = shape(i)
    tables = {
        name: pd.DataFrame({column: [i] for column in table.column_names})
        for name, table in schema.outputs().items()
    }
    solution_text = f"solution of plan {i}\n" if solution else None
    write_plan(tables, {"objective": i}, out, fmt, workbook, solution_text)


def expected_files(i: int) -> set[str]:
    fmt, workbook, solution = shape(i)
    names = {f"{name}.{fmt}" for name in schema.outputs()} | {"summary.json"}
    extra = {"plan.xlsx": workbook, "solution.sol": solution}
    return names | {name for name, present in extra.items() if present}


def whole_plan(folder: Path) -> int:
    """The number of the one whole plan in ``folder``; fails if it holds anything else."""
    i = json.loads((folder / "summary.json").read_text(encoding="utf-8"))["objective"]
    assert {p.name for p in folder.iterdir()} == expected_files(i), (folder, i)
    fmt, workbook, solution = shape(i)
    for name in schema.outputs():
        path = folder / f"{name}.{fmt}"
        frame = pd.read_csv(path) if fmt == "csv" else pd.read_parquet(path)
        assert len(frame) == 1 and (frame == i).all(axis=None), (path, frame, i)
    if workbook:
        book = openpyxl.load_workbook(folder / "plan.xlsx", read_only=True)
        assert book["costs"].cell(2, 1).value == i
        book.close()
    if solution:
        assert (folder / "solution.sol").read_text() == f"solution of plan {i}\n"
    return int(i)


def beside(out: Path) -> list[str]:
    """What there is in the plan folder's parent besides the plan folder."""
    return sorted(p.name for p in out.parent.iterdir() if p.name != out.name)


# -- a process that writes plans and dies where it is told ---------------------------------
def crash_at(name: str, call: int, when: str) -> None:
    """Make this process die (``os._exit``, as a kill: nothing is cleaned up) before or
    after the ``call``-th call of ``os.rename``, ``os.unlink`` or ``Path.write_text``,
    or hang there (``when="hang"``) holding what it holds."""
    owner: Any = Path if name == "write_text" else os
    real = getattr(owner, name)
    calls = [0]

    def dying(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == call and when == "before":
            os._exit(CRASH)
        if calls[0] == call and when == "hang":
            time.sleep(600)
        result = real(*args, **kwargs)
        if calls[0] == call and when == "after":
            os._exit(CRASH)
        return result

    setattr(owner, name, dying)


#: Imports once, then, for each line of JSON, forks a writer: ``["loop", OUT, I]`` writes
#: plans I, I+1, ... into OUT until killed; ``["crash", OUT, I, NAME, CALL, WHEN]`` writes
#: plan I and dies at the crash point (:func:`crash_at`); ``["reap", PID]`` waits for a
#: writer to be gone and prints its exit code.
HELPER = """
import json, os, sys
from pathlib import Path
from test_plan_folder import crash_at, write_fake
print("ready", flush=True)
for line in sys.stdin:
    command = json.loads(line)
    if command[0] == "reap":
        _, status = os.waitpid(command[1], 0)
        print(os.waitstatus_to_exitcode(status), flush=True)
        continue
    pid = os.fork()
    if pid == 0:
        try:
            out, i = Path(command[1]), command[2]
            if command[0] == "crash":
                crash_at(*command[3:])
                write_fake(out, i)
                os._exit(0)
            while True:
                write_fake(out, i)
                i += 1
        finally:
            os._exit(1)
    print(pid, flush=True)
"""


class Writers:
    """The helper process, started once for the module: ``start`` a writer, ``reap`` it."""

    def __init__(self) -> None:
        env = subprocess_env() | {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
        env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], str(Path(__file__).parent)])
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HELPER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self._answer() == "ready"

    def _answer(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def _ask(self, *command: object) -> int:
        stdin: IO[str] | None = self.proc.stdin
        assert stdin is not None
        stdin.write(json.dumps(command) + "\n")
        stdin.flush()
        return int(self._answer())

    def start(self, kind: str, out: Path, i: int, *crash: object) -> int:
        return self._ask(kind, str(out), i, *crash)

    def reap(self, pid: int) -> int:
        return self._ask("reap", pid)

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


@pytest.fixture(scope="module")
def writers() -> Iterator[Writers]:
    helper = Writers()
    yield helper
    helper.close()


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A plan folder alone in its parent folder, holding plan 0."""
    (tmp_path / "plans").mkdir()
    folder = tmp_path / "plans" / "plan"
    write_fake(folder, 0)
    return folder


# -- item 8: one whole plan -------------------------------------------------------------------
def test_a_csv_plan_replaces_a_parquet_plan_whole(out: Path) -> None:
    """Plan 0 is CSV with a workbook; plan 1 Parquet with a solution; plan 2 CSV without
    either: each leaves only its own files."""
    assert whole_plan(out) == 0
    write_fake(out, 1)
    assert whole_plan(out) == 1
    write_fake(out, 2)
    assert whole_plan(out) == 2
    assert not any(p.suffix == ".parquet" for p in out.iterdir())
    assert beside(out) == []


@pytest.mark.parametrize(
    ("crash", "left"),
    [
        # killed while the files are written: the earlier plan stays
        (("write_text", 1, "after"), 0),
        # killed with the new folder complete, before the swap: the earlier plan stays
        (("rename", 1, "before"), 0),
        # killed between the two renames: no plan folder; the next write finishes the swap
        (("rename", 1, "after"), None),
        # killed after the swap, while the earlier plan is deleted: the new plan is there
        (("rename", 2, "after"), 1),
        (("unlink", 2, "after"), 1),
    ],
)
def test_a_kill_at_each_step_leaves_one_whole_plan(
    out: Path, writers: Writers, crash: tuple[str, int, str], left: int | None
) -> None:
    pid = writers.start("crash", out, 1, *crash)
    assert writers.reap(pid) == CRASH, "the writer did not reach its crash point"
    assert beside(out), "the kill left nothing to clean up"
    if left is None:
        assert not out.exists()
        (new,) = [out.parent / n for n in beside(out) if f".{NEW}." in n]
        assert whole_plan(new) == 1

        def fail(folder: Path) -> None:
            raise RuntimeError("stop before writing")

        with pytest.raises(RuntimeError, match="stop before"):
            write_folder(out, fail)  # repairs, then writes nothing
        left = 1
    assert whole_plan(out) == left
    write_fake(out, 2)
    assert whole_plan(out) == 2
    assert beside(out) == []


def test_a_live_writer_keeps_its_folder_while_another_writes(out: Path, writers: Writers) -> None:
    """A writer that is still writing (here: stuck) keeps its new folder; once it is
    killed, the next write removes that folder."""
    pid = writers.start("crash", out, 1, "write_text", 1, "hang")
    deadline = time.monotonic() + 60
    while not beside(out) and time.monotonic() < deadline:
        time.sleep(0.05)
    stuck = beside(out)
    assert len(stuck) == 1 and f".{NEW}." in stuck[0]
    write_fake(out, 2)
    assert whole_plan(out) == 2
    assert beside(out) == stuck
    os.kill(pid, signal.SIGKILL)
    assert writers.reap(pid) == -signal.SIGKILL
    write_fake(out, 3)
    assert whole_plan(out) == 3
    assert beside(out) == []


def test_sigkill_at_random_moments_leaves_one_whole_plan(out: Path, writers: Writers) -> None:
    """A writer that writes plan after plan is killed with SIGKILL after a random delay,
    twelve times. Each time the folder holds one whole plan (or, killed between the two
    renames of the swap, none beside a complete new folder), and the next write leaves
    nothing beside it."""
    seed = random.randrange(10**6)
    rng = random.Random(seed)
    start, unfinished = 1, 0
    for round_ in range(12):
        pid = writers.start("loop", out, start)
        time.sleep(rng.uniform(0.05, 0.8))
        os.kill(pid, signal.SIGKILL)
        assert writers.reap(pid) == -signal.SIGKILL
        where = f"seed {seed}, round {round_}: {beside(out)}"
        if out.exists():
            assert whole_plan(out) >= start - 1, where
        else:
            (new,) = [out.parent / n for n in beside(out) if f".{NEW}." in n]
            whole_plan(new)
        unfinished += bool(beside(out))
        start += 1000
        write_fake(out, start)
        assert whole_plan(out) == start, where
        assert beside(out) == [], where
        start += 1
    assert unfinished, f"seed {seed}: no kill came while a plan was being written"


def test_stale_folders_of_older_writers_are_removed(out: Path) -> None:
    """emsplan 0.1 left ``.plan.XXXXXXXX`` folders of plan files when killed; the next
    write removes those, and nothing that holds other files."""
    legacy, kept = out.parent / ".plan.ab_12cd3", out.parent / ".plan.notes123"
    legacy.mkdir()
    (legacy / "purchases.csv").write_text("supplier\n")
    kept.mkdir()
    (kept / "notes.txt").write_text("mine\n")
    write_fake(out, 1)
    assert beside(out) == [kept.name]


def test_a_folder_that_is_not_a_plan_is_refused(tmp_path: Path, out: Path) -> None:
    """A folder of other files (a home folder, a network's folder), one of plan-like
    files without summary.json, and a file are left as they are; an empty folder and
    a plan folder that a file browser has visited are replaced."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "notes.txt").write_text("keep me\n")
    (home / "purchases.csv").write_text("mine\n")
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "purchases.csv").write_text("mine\n")
    file = tmp_path / "file"
    file.write_text("keep me\n")
    for folder, words in (
        (home, "it holds notes.txt, which emsplan does not write"),
        (partial, "it holds no summary.json"),
        (file, "it is a file"),
        (out / "purchases.csv", "it is a file"),
    ):
        before = {p: p.read_bytes() for p in [folder, *folder.glob("*")] if p.is_file()}
        with pytest.raises(PlanFolderError, match=words):
            write_fake(folder, 1)
        assert {p: p.read_bytes() for p in [folder, *folder.glob("*")] if p.is_file()} == before
    assert beside(out) == []
    (out / ".DS_Store").write_bytes(b"\0")
    write_fake(out, 1)
    assert whole_plan(out) == 1
    empty = tmp_path / "empty"
    empty.mkdir()
    write_fake(empty, 2)
    assert whole_plan(empty) == 2


def test_a_link_is_followed_and_the_current_folder_refused(
    out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A link to a plan folder stays a link to the new plan; the current folder is not
    replaced (the shell would be left in a deleted folder)."""
    link = tmp_path / "link"
    link.symlink_to(out, target_is_directory=True)
    write_fake(link, 1)
    assert link.is_symlink() and whole_plan(out) == 1 and beside(out) == []
    monkeypatch.chdir(out)
    with pytest.raises(OSError, match="it is the current folder"):
        write_fake(Path("."), 2)
    assert whole_plan(out) == 1 and beside(out) == []


def _emsplan(*args: str, cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "emsplan", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=(env or subprocess_env()) | {"COLUMNS": "200", "NO_COLOR": "1"},
        check=False,
    )
    return proc.returncode, " ".join((proc.stdout + proc.stderr).split())


def test_the_command_refuses_a_folder_that_is_not_a_plan(tmp_path: Path) -> None:
    """``emsplan plan net.xlsx --out ~`` (here a folder with a note) exits 2 before it
    plans, and leaves the folder as it was."""
    network().write(tmp_path / "net.xlsx")
    home = tmp_path / "home"
    home.mkdir()
    (home / "notes.txt").write_text("keep me\n")
    code, text = _emsplan("plan", "net.xlsx", "--out", str(home), cwd=tmp_path)
    assert code == 2, text
    assert f"Cannot write a plan into {str(home)!r}: it holds notes.txt" in text
    assert "planning" not in text and "Traceback" not in text
    assert [p.name for p in home.iterdir()] == ["notes.txt"]


# -- item 9: modes from the umask ---------------------------------------------------------------
MODES = """
import json, os, sys
from pathlib import Path
import emsplan
from emsplan.data.generate import generate
from emsplan.data.reference import write_template
from test_plan_folder import write_fake
modes = {}
for umask in (0o022, 0o077):
    os.umask(umask)
    root = Path(sys.argv[1]) / oct(umask)
    write_template(root / "template.xlsx")
    example = emsplan.examples.load("india-2023")
    example.write(root / "example.xlsx")
    example.write(root / "example")
    generate("S", seed=1).write(root / "generated.xlsx")
    write_fake(root / "plan-csv", 3)  # CSV, plan.xlsx, solution.sol
    write_fake(root / "plan-parquet", 1)  # Parquet, solution.sol
    modes[oct(umask)] = {
        str(p.relative_to(root)): [p.is_dir(), p.stat().st_mode & 0o777] for p in root.rglob("*")
    }
print(json.dumps(modes))
"""


def test_files_and_folders_get_the_modes_of_the_umask(tmp_path: Path) -> None:
    env = subprocess_env()
    env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], str(Path(__file__).parent)])
    proc = subprocess.run(
        [sys.executable, "-c", MODES, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    modes = json.loads(proc.stdout)
    for umask, found in modes.items():
        mask = int(umask, 8)
        assert {"template.xlsx", "plan-csv/plan.xlsx", "plan-parquet/costs.parquet"} <= set(found)
        assert "example/items.csv" in found and "generated.xlsx" in found
        wrong = {
            name: oct(mode)
            for name, (is_dir, mode) in found.items()
            if mode != (0o777 if is_dir else 0o666) & ~mask
        }
        assert wrong == {}, f"umask {umask}: {wrong}"


# -- item 13: a plan goes somewhere --------------------------------------------------------------
def _formula_network() -> emsplan.Network:
    """The base network of test_engine with names that a spreadsheet reads as formulas."""
    return network(
        items=[
            {"item": "PH", "kind": "product", "hs_code": "8517.13"},
            {"item": "-BAT", "kind": "component", "hs_code": "8507.60"},
        ],
        sites=[
            {"site": "=SIN", "kind": "supplier", "country": "IN"},
            {"site": "@SCN", "kind": "supplier", "country": "CN"},
            {"site": "+PL", "kind": "plant", "country": "IN"},
            {"site": "MK", "kind": "market", "country": "IN"},
        ],
        supply=[
            {"supplier": "=SIN", "item": "-BAT", "price": 110.0},
            {"supplier": "@SCN", "item": "-BAT", "price": 100.0},
        ],
        bom=[{"parent": "PH", "child": "-BAT", "qty_per": 1.0}],
        production=[{"plant": "+PL", "item": "PH", "cost": 50.0}],
        lanes=[
            {"origin": "=SIN", "destination": "+PL"},
            {"origin": "@SCN", "destination": "+PL"},
            {"origin": "+PL", "destination": "MK"},
        ],
    )


def test_plan_without_out_writes_a_folder_named_after_the_network(tmp_path: Path) -> None:
    """``emsplan plan net.xlsx`` writes ``net-plan/`` in the current folder and says so;
    its CSV files keep text cells as they are (``@SCN``: the documented default)."""
    _formula_network().write(tmp_path / "net.xlsx")
    code, text = _emsplan("plan", "net.xlsx", cwd=tmp_path)
    assert code == 0, text
    assert "Plan written to net-plan/" in text
    assert "No --out was given: net-plan/ in the current folder is the default" in text
    assert json.loads((tmp_path / "net-plan" / "summary.json").read_text())["objective"] == 1500
    purchases = pd.read_csv(tmp_path / "net-plan" / "purchases.csv")
    assert list(purchases["supplier"]) == ["@SCN"] and list(purchases["item"]) == ["-BAT"]


# -- item 18: CSV safe to open in a spreadsheet ---------------------------------------------------
def test_excel_safe_csv_prefixes_formula_text_of_the_plan(tmp_path: Path) -> None:
    """With --excel-safe-csv every text cell starting with =, +, -, @ starts with ';
    numbers do not change; the workbook keeps the names as they are."""
    _formula_network().write(tmp_path / "net.xlsx")
    code, text = _emsplan("plan", "net.xlsx", "--out", "p", "--excel-safe-csv", cwd=tmp_path)
    assert code == 0, text
    lines = (tmp_path / "p" / "purchases.csv").read_text().splitlines()
    assert lines[1].startswith("'@SCN,'-BAT,P1,10.0,100.0,")
    flows = pd.read_csv(tmp_path / "p" / "flows.csv")
    assert set(flows["origin"]) == {"'@SCN", "'+PL"} and set(flows["item"]) == {"'-BAT", "PH"}
    assert pd.read_excel(tmp_path / "p" / "plan.xlsx", "purchases")["supplier"].tolist() == ["@SCN"]
    code, text = _emsplan(
        "plan", "net.xlsx", "--format", "parquet", "--excel-safe-csv", cwd=tmp_path
    )
    assert code == 2 and "--excel-safe-csv applies to CSV files" in text, text


@pytest.mark.parametrize("excel", [False, True])
def test_excel_safe_touches_only_text_that_starts_as_a_formula(tmp_path: Path, excel: bool) -> None:
    """Negative numbers stay numbers, a tab counts as OWASP says, blank cells stay blank;
    without the option every cell is written as it is."""
    texts = ["=1+2", "+1", "-5", "@SUM(A1)", "\tx", "a=b", "", None]
    values = [-5.0, 1, -2, 3, 4, 5, 6, 7]
    costs = pd.DataFrame({"category": texts, "period": "P1", "value": values})
    plan = emsplan.Plan(tables={"costs": costs}, summary={"objective": -5.0})
    plan.write(tmp_path / "plan", excel_safe_csv=excel)
    written = pd.read_csv(tmp_path / "plan" / "costs.csv", keep_default_na=False)
    prefixed = ["'=1+2", "'+1", "'-5", "'@SUM(A1)", "'\tx", "a=b", "", ""]
    assert written["category"].tolist() == (prefixed if excel else [*texts[:-1], ""])
    assert written["value"].tolist() == values


def test_excel_safe_frames() -> None:
    """A carriage return starts a formula too; columns without text are left alone."""
    costs = schema.outputs()["costs"]
    frame = pd.DataFrame({"category": ["\rx", "x"], "period": [None, "P1"], "value": [-1, 2]})
    assert excel_safe(frame, costs)["category"].tolist() == ["'\rx", "x"]
    empty = pd.DataFrame({"category": [], "period": [], "value": []})
    assert excel_safe(empty, costs).empty
