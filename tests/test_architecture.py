"""The package's layout contract: layers only import downward, no import cycles, and
every module imports on its own in a fresh interpreter.

The layers, lowest first, are in :data:`LAYERS` and in ``docs/architecture.md``. The
import graph is read from the source with :mod:`ast` (every ``import`` and ``from ...
import``, at module level, inside functions and under ``if TYPE_CHECKING:``), so a
late import inside a function counts like any other.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import SRC, subprocess_env

PACKAGE = SRC / "emsplan"

#: The layers, lowest first. A module may import modules of its own layer and of the
#: layers below it. ``web`` (the team server) sits below ``cli``, whose ``serve`` runs it.
LAYERS: list[tuple[str, ...]] = [
    ("emsplan.core",),
    ("emsplan.data",),
    ("emsplan.validation",),
    ("emsplan.forecast",),
    ("emsplan.optimization",),
    ("emsplan.results",),
    ("emsplan.planning",),
    ("emsplan.store",),
    ("emsplan.scenarios",),
    ("emsplan.api",),
    ("emsplan.web",),
    ("emsplan.cli",),
]
#: The package root (the public API) and ``python -m emsplan`` stand above every layer.
TOP = {"emsplan", "emsplan.__main__"}

#: The upward imports the contract allows, each documented where it is made.
ALLOWED_UPWARD = {
    # Network.check() runs the validation rules (a convenience method); imported on call.
    ("emsplan.data.network", "emsplan.validation.registry"),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    """Every module of the package by its dotted name (the migrations' scripts excluded:
    Alembic runs ``env.py`` and the versions by path, inside its own context)."""
    found = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    scripts = (".migrations.versions.", ".migrations.env")
    return {m: p for m, p in found.items() if not any(s in m for s in scripts)}


def imported(module: str, path: Path, known: set[str]) -> Iterator[tuple[str, int]]:
    """The package's modules that ``module`` imports, with the line of each import."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join([*base, *([node.module] if node.module else [])])
            else:
                prefix = node.module or ""
            targets = [f"{prefix}.{alias.name}" for alias in node.names] + [prefix]
            # "from pkg import name": the submodule if it is one, else the module itself
            targets = [t for t in targets[:-1] if t in known] or [prefix]
        else:
            continue
        for target in targets:
            while target and target not in known:  # "import a.b.c" of an attribute path
                target = target.rpartition(".")[0]
            if target.startswith("emsplan") and target and target != module:
                yield target, node.lineno


def graph() -> dict[str, dict[str, int]]:
    """module -> {imported module: line}."""
    found = modules()
    known = set(found)
    return {m: dict(imported(m, p, known)) for m, p in found.items()}


def layer_of(module: str) -> int | None:
    for rank, names in enumerate(LAYERS):
        if any(module == n or module.startswith(n + ".") for n in names):
            return rank
    return None


def test_every_module_belongs_to_a_layer() -> None:
    stray = [m for m in modules() if m not in TOP and layer_of(m) is None]
    assert not stray, f"modules outside every layer of docs/architecture.md: {stray}"


def test_layers_only_import_downward() -> None:
    wrong = []
    for module, targets in graph().items():
        if module in TOP:
            continue
        for target, line in targets.items():
            if target in TOP:
                wrong.append(f"{module}:{line} imports the package root {target}")
                continue
            below, above = layer_of(module), layer_of(target)
            assert below is not None and above is not None
            if above > below and (module, target) not in ALLOWED_UPWARD:
                wrong.append(f"{module}:{line} imports {target} (a layer above it)")
    assert not wrong, "\n".join(wrong)


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, as the list of its modules, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


def test_find_cycle_finds_one() -> None:
    """The cycle finder itself: a -> b -> c -> a is found, a tree is not a cycle."""
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycles() -> None:
    """No cycle among the package's modules, counting imports inside functions, except
    through the one allowed upward import."""
    edges = {
        m: {t for t in targets if (m, t) not in ALLOWED_UPWARD} for m, targets in graph().items()
    }
    cycle = find_cycle(edges)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_contract_sees_the_known_upward_import() -> None:
    """The graph reader finds the one allowed upward import, made inside a method (so
    imports inside functions are read and the checks above are not vacuous)."""
    assert "emsplan.validation.registry" in graph()["emsplan.data.network"]


def test_reading_and_validating_do_not_load_the_solver_stack() -> None:
    """``import emsplan``, reading and validating a network never import linopy."""
    code = (
        "import sys, emsplan; net = emsplan.examples.load('india-2023'); net.validate(); "
        "print(sorted(m for m in ('linopy', 'xarray', 'highspy') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=subprocess_env()
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_command_line_loads_the_solver_stack_only_to_plan() -> None:
    """Loading the command line (every command registered) and validating through it
    import neither linopy, xarray nor highspy, nor Dask or SQLAlchemy (issue 14: start-up
    of commands that do not plan)."""
    code = (
        "import sys; from typer.testing import CliRunner; import emsplan.cli as c; "
        "r = CliRunner().invoke(c.app, ['example', 'india-2023', sys.argv[1]]); "
        "assert r.exit_code == 0, r.output; "
        "r = CliRunner().invoke(c.app, ['validate', sys.argv[1]]); "
        "assert r.exit_code == 0, r.output; "
        "heavy = ('linopy', 'xarray', 'highspy', 'dask', 'distributed', 'sqlalchemy'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [sys.executable, "-c", code, str(Path(folder) / "net.xlsx")],
            capture_output=True,
            text=True,
            env=subprocess_env(),
        )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_plan_command_does_not_load_dask_arrays() -> None:
    """``emsplan plan`` never imports dask.array (xarray would, with scipy.fft, 0.3-0.5 s,
    to tell whether its arrays are dask ones: ``cli.app.plain_arrays`` tells it they are
    not), and its plan is the library's (the tiny network of test_engine: 1500)."""
    code = (
        "import sys; from typer.testing import CliRunner; import emsplan.cli as c; "
        "sys.path.insert(0, sys.argv[3]); from test_engine import network; "
        "network().write(sys.argv[1]); "
        "r = CliRunner().invoke(c.app, ['plan', sys.argv[1], '--out', sys.argv[2]]); "
        "assert r.exit_code == 0, r.output; "
        "print('dask.array' in sys.modules, 'xarray' in sys.modules)"
    )
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                code,
                str(Path(folder) / "net.xlsx"),
                str(Path(folder) / "plan"),
                str(Path(__file__).parent),
            ],
            capture_output=True,
            text=True,
            env=subprocess_env(),
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip().splitlines()[-1] == "False True"
        summary = json.loads((Path(folder) / "plan" / "summary.json").read_text())
    assert summary["objective"] == pytest.approx(1500.0)


def _import_alone(module: str) -> tuple[str, int, str]:
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        capture_output=True,
        text=True,
        env=subprocess_env(),
    )
    last = done.stderr.strip().splitlines()[-1:]
    return module, done.returncode, last[0] if last else ""


@pytest.mark.parametrize("chunk", range(2))
def test_every_module_imports_on_its_own(chunk: int) -> None:
    """``python -c "import emsplan.X"`` works for every module X, in a fresh interpreter
    (an import that only works after another module was imported first fails here)."""
    names = sorted(m for m in modules() if m != "emsplan.__main__")[chunk::2]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_import_alone, names))
    failed = [f"{m}: {err}" for m, code, err in results if code != 0]
    assert not failed, "\n".join(failed)
