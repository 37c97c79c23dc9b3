"""Solve the planning model and report what the solver said.

:func:`solve_model` hands a model built by :func:`emsplan.optimization.build.create_model`
to the solver (HiGHS through its direct API by default, or any solver linopy
supports) and returns a :class:`SolveOutcome`; :func:`write_model` writes the
model for another solver.

A solve that ends without a primal feasible solution has no objective (``None``),
whatever the solver's status says: a MIP stopped by its time limit before it found an
incumbent, or an LP stopped by its time limit in the interior-point method, leaves
values that are no plan (HiGHS reports them as ``ok``, with an infinite or a zero
objective). A MIP stopped with an incumbent keeps it, with its gap.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import math
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import highspy
import linopy
from linopy.solvers import Highs

from emsplan.core.outcomes import SolverStatus, Termination
from emsplan.optimization.choice import highs_pool, highs_race, highs_settings
from emsplan.optimization.reuse import Reuse, solve_reusing
from emsplan.optimization.solver_options import SolverOptionError, check_solver


class WarmStartError(SolverOptionError):
    """A warm start the solver cannot read as a solution of the model."""


class ModelFileError(OSError):
    """A model file (``--export-model``) that cannot be written where asked."""


@dataclass
class SolveOutcome:
    """What the solver said: status (:class:`SolverStatus`: ok, warning, ...) and
    termination condition (:class:`Termination`: optimal, infeasible, time_limit, ...)
    are kept apart."""

    status: SolverStatus
    termination: Termination
    #: The objective of the solution found; None when the solver has no primal feasible
    #: solution (infeasible, or stopped by a limit before it found one).
    objective: float | None
    solve_seconds: float
    solver: str
    mip_gap: float | None = None
    best_bound: float | None = None
    #: The solver's own run time (HiGHS's ``getRunTime``), without the hand-over.
    solver_seconds: float | None = None
    options: dict[str, Any] = field(default_factory=dict)
    #: The names of the entrants raced (the winner's settings are in ``options``); None
    #: for one run.
    race: tuple[str, ...] | None = None
    #: What taking back valid inequalities round by round did
    #: (:class:`emsplan.optimization.separate.Separation` as a dict); None when not done.
    separation: dict[str, Any] | None = None

    @property
    def optimal(self) -> bool:
        """True if the solver proved the solution optimal."""
        return self.termination == Termination.OPTIMAL


def solve_model(
    model: linopy.Model,
    solver_name: str = "highs",
    solver_options: dict[str, Any] | None = None,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    log: bool = False,
    warm_start: Path | None = None,
    solution_file: Path | None = None,
    reuse: Reuse | None = None,
) -> SolveOutcome:
    """Solve with the named solver (HiGHS through its direct API by default).

    ``warm_start`` is a solution file of an earlier solve of the same model (HiGHS
    ``.sol``, as written to ``solution_file``): a starting incumbent for a MIP.
    ``reuse`` keeps HiGHS's model between solves of models of the same structure (a
    sweep's samples; :mod:`emsplan.optimization.reuse`): HiGHS only, and not for a MIP
    whose rows HiGHS takes round by round (:func:`~emsplan.optimization.choice.highs_pool`),
    which is solved anew.

    Raises :class:`~emsplan.optimization.solver_options.SolverOptionError` before
    solving for a solver that is not installed, an option HiGHS does not take or a
    warm start it cannot read (:class:`WarmStartError`).
    """
    options = check_solver(solver_name, solver_options)
    files: dict[str, Any] = {}
    if warm_start is not None:
        check_warm_start(model, Path(warm_start), solver_name)
        files["warmstart_fn"] = Path(warm_start)
    scratch = tempfile.TemporaryDirectory(prefix="emsplan-") if solution_file else None
    if solution_file is not None and scratch is not None:
        # linopy deletes a solution file it was given unless it keeps its files, and then
        # keeps its (unused) problem file too: put that one in a folder removed below
        files.update(
            solution_fn=Path(solution_file),
            keep_files=True,
            problem_fn=Path(scratch.name) / "problem.lp",
        )
    race = pool = None
    chosen = "solver" in options
    if solver_name != "highs" or warm_start is not None:
        reuse = None
    elif reuse is not None and highs_pool(model) is not None:
        reuse = None  # its rows' rounds anew were faster than the kept model (choice.py)
    if solver_name == "highs":
        options.setdefault("output_flag", log)
        race = None if warm_start is not None or reuse is not None else highs_race(model, options)
        if race is None:
            options.update(highs_settings(model, options))
            pool = None if reuse is not None else highs_pool(model)
        if time_limit is not None:
            options["time_limit"] = float(time_limit)
        if mip_gap is not None:
            options["mip_rel_gap"] = float(mip_gap)
        io_api = "direct"
    else:
        io_api = None
    start = time.perf_counter()
    with contextlib.ExitStack() as stack:
        if not log:
            stack.enter_context(_quiet())
        highs = separation = None
        if reuse is not None or race is not None or pool is not None:  # as model.solve does
            model.reset_solution()
            model.constraints.sanitize_zeros()
            model.constraints.sanitize_infinities()
        solution_fn = Path(solution_file) if solution_file is not None else None
        try:
            if reuse is not None:
                status, termination, highs = solve_reusing(
                    model, reuse, options, solution_fn, simplex_next=not chosen
                )
            elif race is not None:
                from emsplan.optimization.race import RacingHighs

                run = {"solution_fn": solution_fn}
                status, termination, racing = _solve_with(
                    model, RacingHighs, options, run, entrants=race
                )
                options.update(race[str(racing.winner)])
            elif pool is not None:
                from emsplan.optimization.separate import SeparatingHighs

                run = {key: files[key] for key in ("solution_fn", "warmstart_fn") if key in files}
                status, termination, rounds = _solve_with(
                    model, SeparatingHighs, options, run, families=pool
                )
                separation = rounds.separation.as_dict() if rounds.separation else None
            else:
                status, termination = model.solve(
                    solver_name=solver_name, io_api=io_api, **files, **options
                )
        finally:
            if scratch is not None:
                scratch.cleanup()
    seconds = time.perf_counter() - start
    solved = SolverStatus.parse(status)
    if highs is None:
        highs = getattr(model, "solver_model", None)
    objective = _primal_objective(model, solved, highs)
    outcome = SolveOutcome(
        status=solved,
        termination=Termination.parse(termination),
        objective=objective,
        solve_seconds=seconds,
        solver=solver_name,
        options=options,
        race=tuple(race) if race is not None else None,
        separation=separation,
    )
    _read_mip_info(model, outcome, highs)
    if reuse is not None:
        outcome.solver_seconds = reuse.seconds  # this solve's, not the kept model's clock
    if separation is not None and outcome.solver_seconds is not None:
        outcome.solver_seconds += separation["seconds"]  # the rounds' LPs are HiGHS's too
    return outcome


def _solve_with(
    model: linopy.Model,
    highs_class: type[Highs],
    options: dict[str, Any],
    run: dict[str, Any],
    **attributes: Any,
) -> tuple[str, str, Any]:
    """Solve ``model`` (cleaned up as ``model.solve`` does) with ``highs_class``, linopy's
    HiGHS interface with its run changed (:class:`~emsplan.optimization.race.RacingHighs`,
    :class:`~emsplan.optimization.separate.SeparatingHighs`), given ``attributes``; its
    solution is written to ``model`` as ``model.solve`` would. ``run``: the solution file
    and warm start, as for ``model.solve``. Status, termination condition and the solver
    (which says what it did)."""
    model.solver = None
    solver = highs_class.from_model(
        model, io_api="direct", options=dict(options), explicit_coordinate_names=False
    )
    for name, value in attributes.items():
        setattr(solver, name, value)
    result = solver.solve(**run)
    status, termination = model.assign_result(result, solver)
    return status, termination, solver


def _primal_objective(model: linopy.Model, status: SolverStatus, solver_model: Any) -> float | None:
    """The objective of the solver's solution if it is primal feasible, else None.

    HiGHS says so itself (``primal_solution_status``): after a time limit its values may
    be none at all (a MIP without incumbent: objective inf) or an interior point that is
    not feasible (IPM without crossover: objective 0). Other solvers: a finite objective
    with status ok."""
    value = model.objective.value
    if status is not SolverStatus.OK or value is None or not math.isfinite(float(value)):
        return None
    if isinstance(solver_model, highspy.Highs):
        feasible = int(solver_model.getInfo().primal_solution_status)
        if feasible != int(highspy.kSolutionStatusFeasible):
            return None
    return float(value)


def check_warm_start(model: linopy.Model, path: Path, solver_name: str = "highs") -> None:
    """Check that ``path`` is a starting point the solver can read for ``model``.

    For HiGHS, the model is handed to a fresh HiGHS that reads the file as linopy will
    (a ``.sol`` file as a solution, any other as a basis); HiGHS refuses a file that is
    not one, or is one of a model of another size. Other solvers read it themselves.

    Raises :class:`WarmStartError` naming the file and what to give instead."""
    give = (
        "give the solution.sol written by an earlier `emsplan plan ... --out DIR` of this "
        "network (or of a variant with the same tables and rows)"
    )
    if not path.is_file():
        raise WarmStartError(f"The warm start {str(path)!r} does not exist; {give}.")
    if solver_name != "highs":
        return
    columns = _solution_columns(path)
    with _quiet():
        highs = model.to_highspy()
        highs.setOptionValue("output_flag", False)
        if path.suffix == ".sol":
            status = highs.readSolution(str(path), 0)
        else:
            status = highs.readBasis(str(path))
    if status == highspy.HighsStatus.kOk:
        return
    if path.suffix != ".sol" or columns is None:
        what = "it is not a HiGHS solution file (.sol)"
    elif columns != highs.getNumCol():
        what = (
            f"it is the solution of a model of {columns:,} variables, and this model has "
            f"{highs.getNumCol():,} (another network, or one with other rows)"
        )
    else:
        what = "HiGHS cannot read it as a solution of this model"
    raise WarmStartError(f"Cannot start from {str(path)!r}: {what}; {give}.")


def _solution_columns(path: Path) -> int | None:
    """The number of columns a HiGHS solution file says it holds, or None if the file
    does not read as one (for the message only; HiGHS decides)."""
    try:
        with path.open(encoding="utf-8") as handle:
            if handle.readline().strip() != "Model status":
                return None
            for line in handle:
                if line.startswith("# Columns "):
                    return int(line.split()[2])
    except (OSError, UnicodeDecodeError, ValueError, IndexError):
        return None
    return None


def check_model_path(path: Path) -> None:
    """Check, before anything is solved, that a model file can be written at ``path``.

    The name must end in ``.mps`` or ``.lp``; the nearest folder of ``path`` that exists
    (the others are made when the model is written) must be a folder in which a file can
    be created (tried with a scratch file, removed at once: permissions alone do not tell,
    e.g. for root or on a read-only file system).

    Raises :class:`ModelFileError` (an :class:`OSError` naming ``path``)."""
    if path.suffix.lower() not in (".mps", ".lp"):
        raise ModelFileError(
            errno.EINVAL, "a model is written as .mps or .lp; give a name ending in one", str(path)
        )
    if path.is_dir():
        raise ModelFileError(errno.EISDIR, "it is a folder; give a file name", str(path))
    folder = path.absolute().parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise ModelFileError(errno.ENOTDIR, f"{str(folder)!r} is a file, not a folder", str(path))
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise ModelFileError(
            exc.errno or errno.EACCES,
            f"no file can be written in {str(folder)!r} ({exc.strerror or exc})",
            str(path),
        ) from exc


def write_model(model: linopy.Model, path: Path) -> None:
    """Write the model as an MPS or LP file (by the suffix), for any other solver.

    Written to a scratch file beside ``path`` and renamed, so that ``path`` holds a whole
    model or nothing. Raises :class:`ModelFileError` if it cannot be written (the writer
    of MPS files, HiGHS, reports failure by a status, checked here)."""
    check_model_path(path)
    kind = path.suffix.lower().lstrip(".")
    scratch = path.with_name(f".{path.stem}-{os.getpid()}-{time.time_ns()}{path.suffix}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _quiet():
            model.to_file(scratch, io_api=kind)
        if not scratch.is_file() or scratch.stat().st_size == 0:
            raise ModelFileError(errno.EIO, "the solver wrote no model file there", str(path))
        os.replace(scratch, path)
    except ModelFileError:
        raise
    except OSError as exc:
        raise ModelFileError(exc.errno, exc.strerror or str(exc), str(path)) from exc
    finally:
        scratch.unlink(missing_ok=True)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence the solver's banner (written by C code to file descriptor 1) and
    linopy's log messages; the outcome is reported by emsplan instead."""
    logger = logging.getLogger("linopy")
    level = logger.level
    logger.setLevel(logging.ERROR)
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        logger.setLevel(level)


def _read_mip_info(model: linopy.Model, outcome: SolveOutcome, solver_model: Any) -> None:
    """HiGHS's run time; gap and bound where the model has integer variables."""
    if solver_model is not None and hasattr(solver_model, "getRunTime"):
        outcome.solver_seconds = float(solver_model.getRunTime())
    if solver_model is None or (not model.binaries.labels and not model.integers.labels):
        return
    try:
        info = solver_model.getInfo()
        outcome.mip_gap = _finite(info.mip_gap)
        outcome.best_bound = _finite(info.mip_dual_bound)
    except AttributeError:  # another solver: leave unknown
        return


def _finite(value: Any) -> float | None:
    """``value`` as a float, or None when it is infinite or not a number (a MIP stopped
    without an incumbent has an infinite gap, and maybe no bound)."""
    number = float(value)
    return number if math.isfinite(number) else None
