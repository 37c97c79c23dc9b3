"""Solve the planning model and report what the solver said.

:func:`solve_model` hands a model built by :func:`emsplan.optimization.build.create_model`
to the solver (HiGHS through its direct API by default, or any solver linopy
supports) and returns a :class:`SolveOutcome`; :func:`write_model` writes the
model for another solver.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import linopy

from emsplan.core.outcomes import SolverStatus, Termination


@dataclass
class SolveOutcome:
    """What the solver said: status (:class:`SolverStatus`: ok, warning, ...) and
    termination condition (:class:`Termination`: optimal, infeasible, time_limit, ...)
    are kept apart."""

    status: SolverStatus
    termination: Termination
    objective: float | None
    solve_seconds: float
    solver: str
    mip_gap: float | None = None
    best_bound: float | None = None
    #: The solver's own run time (HiGHS's ``getRunTime``), without the hand-over.
    solver_seconds: float | None = None
    options: dict[str, Any] = field(default_factory=dict)

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
) -> SolveOutcome:
    """Solve with the named solver (HiGHS through its direct API by default).

    ``warm_start`` is a solution file of an earlier solve of the same model (HiGHS
    ``.sol``, as written to ``solution_file``): a starting incumbent for a MIP.
    """
    options = dict(solver_options or {})
    files: dict[str, Any] = {}
    if warm_start is not None:
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
    if solver_name == "highs":
        options.setdefault("output_flag", log)
        options.update(highs_algorithm(model, options))
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
        try:
            status, termination = model.solve(
                solver_name=solver_name, io_api=io_api, **files, **options
            )
        finally:
            if scratch is not None:
                scratch.cleanup()
    seconds = time.perf_counter() - start
    value = model.objective.value
    solved = SolverStatus.parse(status)
    objective = float(value) if solved is SolverStatus.OK and value is not None else None
    outcome = SolveOutcome(
        status=solved,
        termination=Termination.parse(termination),
        objective=objective,
        solve_seconds=seconds,
        solver=solver_name,
        options=options,
    )
    _read_mip_info(model, outcome)
    return outcome


#: LPs with at least this many variables are solved by HiGHS's interior-point method
#: (with crossover, so the plan still has a basic solution and duals); smaller ones, and
#: every MIP, by HiGHS's default (dual simplex). Measured on generated networks
#: (benchmarks/README.md): at M (112k variables) IPM 25 s vs dual simplex 38 s; at L
#: (1.06M) dual simplex had 122k primal infeasibilities left after 72k iterations (800 s)
#: while IPM converged.
IPM_MIN_VARIABLES = 50_000


def highs_algorithm(model: linopy.Model, options: dict[str, Any]) -> dict[str, Any]:
    """The HiGHS algorithm emsplan picks for ``model`` unless the user named one
    (``--solver-option solver=simplex`` keeps the simplex on any size)."""
    if "solver" in options or model.type != "LP" or model.nvars < IPM_MIN_VARIABLES:
        return {}
    return {"solver": "ipm"}


def write_model(model: linopy.Model, path: Path) -> None:
    """Write the model as an MPS or LP file (by the suffix), for any other solver."""
    kind = path.suffix.lower().lstrip(".")
    if kind not in ("mps", "lp"):
        raise ValueError(f"cannot write a model to {str(path)!r}: use a .mps or .lp file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    with _quiet():
        model.to_file(path, io_api=kind)


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


def _read_mip_info(model: linopy.Model, outcome: SolveOutcome) -> None:
    """HiGHS's run time; gap and bound where the model has integer variables."""
    solver_model = getattr(model, "solver_model", None)
    if solver_model is not None and hasattr(solver_model, "getRunTime"):
        outcome.solver_seconds = float(solver_model.getRunTime())
    if solver_model is None or (not model.binaries.labels and not model.integers.labels):
        return
    try:
        info = solver_model.getInfo()
        outcome.mip_gap = float(info.mip_gap)
        outcome.best_bound = float(info.mip_dual_bound)
    except AttributeError:  # another solver: leave unknown
        return
