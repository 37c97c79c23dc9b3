"""What several commands share: their options, reading a network, opening the store,
reading overrides and solver options; each failure as a clear message (exit 2)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from emsplan.cli.app import Fail
from emsplan.data.network import Network
from emsplan.data.readers import read
from emsplan.data.writers import WORKBOOK_SUFFIXES
from emsplan.optimization.solver_options import (
    SolverOptionError,
    check_solver,
    parse_solver_options,
)

if TYPE_CHECKING:
    from emsplan.scenarios.overrides import Override, OverrideError
    from emsplan.store import PlanInfo, Store

PathArg = Annotated[
    Path,
    typer.Argument(
        help="An .xlsx workbook (one sheet per table) or a folder of .csv files (one per table).",
        metavar="PATH",
        show_default=False,
    ),
]

#: Options shared by every command that solves a model (plan, scenario plan).
SolverOpt = Annotated[str, typer.Option("--solver", help="Any solver linopy supports.")]
TimeLimitOpt = Annotated[
    float | None, typer.Option("--time-limit", help="Solver time limit in seconds.", min=0)
]
MipGapOpt = Annotated[
    float | None,
    typer.Option("--mip-gap", help="Relative MIP gap to stop at (0.01 = 1%).", min=0),
]
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="The store: a file path or a SQLAlchemy URL (default: $EMSPLAN_DB, else "
        "~/.emsplan/emsplan.db).",
        show_default=False,
    ),
]
SolverOptionOpt = Annotated[
    list[str] | None,
    typer.Option("--solver-option", help="Solver option key=value (repeatable)."),
]
ExcelSafeCsvOpt = Annotated[
    bool,
    typer.Option(
        "--excel-safe-csv",
        help="Start the CSV files' text cells that begin with =, +, -, @ (or a tab or a "
        "carriage return) with ', so that a spreadsheet shows them as text instead of "
        "running them as formulas. Numbers are never changed.",
    ),
]


def load_network(path: Path, *, validate: bool = True) -> Network:
    """Read a network for a command; a missing or unusable path fails with exit code 2."""
    if not path.exists():
        raise Fail(
            f"No such file or folder: {str(path)!r}. Give the path of an .xlsx workbook or of "
            "a folder of .csv files (one per table); `emsplan template network.xlsx` writes "
            "a blank workbook and `emsplan example india-2023 india-2023.xlsx` an example."
        )
    if path.is_file() and path.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise Fail(
            f"Cannot read {str(path)!r}: it is neither an .xlsx workbook nor a folder of .csv "
            "files. To read CSV files, give the folder that holds them (one file per table)."
        )
    return read(path, validate=validate)


def output_kind(path: Path) -> str:
    """'workbook' or 'folder' for an output path, or fail with a usage message."""
    if path.suffix.lower() == ".xlsx":
        return "workbook"
    if path.is_dir() or path.suffix == "":
        return "folder"
    raise Fail(
        f"Cannot write {str(path)!r}: give a path ending in .xlsx for a workbook, or a folder "
        "(no suffix) for one .csv file per table."
    )


def default_plan_folder(network: Path) -> Path:
    """Where ``emsplan plan NETWORK`` writes without ``--out``: ``NAME-plan`` in the current
    folder, NAME the network's file name without its suffix (or its folder's name)."""
    path = network.resolve()
    return Path(f"{path.stem if path.is_file() else path.name}-plan")


@contextmanager
def open_store(db: str | None) -> Iterator[Store]:
    """The store for a command; problems with it become a clear failure (exit 2)."""
    from emsplan.store import Store, StoreError

    try:
        store = Store(db)
    except StoreError as exc:
        raise Fail(str(exc)) from None
    try:
        yield store
    except StoreError as exc:
        raise Fail(str(exc)) from None
    finally:
        store.close()


def load_overrides(texts: list[str] | None, files: list[Path] | None) -> list[Override]:
    from emsplan.scenarios.overrides import OverrideError, load

    try:
        return load(texts or [], files or [])
    except OverrideError as exc:
        raise Fail(str(exc)) from None


def resolve_overrides(network: Network, overrides: list[Override], random: bool) -> list[Override]:
    """Check every override against ``network`` before anything runs (exit 2 if wrong)."""
    from emsplan.scenarios.overrides import OverrideError, resolve

    try:
        return resolve(network, overrides, random)
    except OverrideError as exc:
        raise override_failure(exc) from None


def override_failure(exc: OverrideError) -> Fail:
    """The command line's error for wrong overrides: nothing was changed."""
    return Fail(
        f"{len(exc.messages)} wrong override(s), nothing was changed: {exc}"
        if len(exc.messages) > 1
        else f"{exc} Nothing was changed."
    )


def solver_options(pairs: list[str] | None, solver: str | None = None) -> dict[str, object]:
    """``--solver-option key=value`` strings as solver options (exit 2 if one is wrong).

    With ``solver``, also check that it is installed and takes the options (see
    :func:`emsplan.optimization.solver_options.check_solver`), before anything is read."""
    try:
        options = parse_solver_options(pairs or [])
        if solver is not None:
            check_solver(solver, options)
    except SolverOptionError as exc:
        raise Fail(str(exc)) from None
    return options


def stored_plan(store: Store, ref: str) -> PlanInfo:
    """A plan by id (``12`` or ``#12``) or the newest plan of a scenario."""
    from emsplan.scenarios.stored import stored_plan as find

    return find(store, ref)


def short(digest: str) -> str:
    """The first 10 characters of a hash, as tables show it."""
    return digest[:10]
