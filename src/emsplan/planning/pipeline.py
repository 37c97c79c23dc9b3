"""``emsplan.plan(network)``: validate, build, solve and read back a plan."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from emsplan.core.outcomes import SolverStatus, Termination
from emsplan.data.network import Network
from emsplan.optimization.build import ExtraFunctionality, create_model
from emsplan.optimization.reuse import Reuse
from emsplan.optimization.solve import (
    SolveOutcome,
    WarmStartError,
    check_model_path,
    solve_model,
    write_model,
)
from emsplan.optimization.solver_options import check_solver
from emsplan.results.plan import Plan
from emsplan.results.summary import summary
from emsplan.results.tables import build_tables


class PlanningError(RuntimeError):
    """The model could not be solved to a usable plan (infeasible, unbounded, failed, or
    stopped by a limit before the solver found a feasible solution).

    ``termination`` is why the solver stopped (a :class:`Termination`, equal to its text);
    ``explanation`` lists, in the planner's words, what conflicts.
    """

    def __init__(
        self, message: str, termination: Termination | str, explanation: list[str] | None = None
    ):
        self.termination = Termination.parse(termination)
        self.explanation = explanation or []
        super().__init__(message)


def plan(
    network: Network,
    *,
    solver_name: str = "highs",
    solver_options: dict[str, Any] | None = None,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    extra_functionality: ExtraFunctionality | None = None,
    validate: bool = True,
    progress: Callable[[str], None] | None = None,
    log: bool = False,
    export_model: str | Path | None = None,
    warm_start: str | Path | None = None,
    strengthen: frozenset[str] | None = None,
    reuse: Reuse | None = None,
) -> Plan:
    """Find the plan of least total cost for ``network``.

    Parameters
    ----------
    network : the network (validated first unless ``validate=False``).
    solver_name : any solver linopy supports ("highs" by default, "gurobi", ...).
    solver_options : options passed to the solver as they are.
    time_limit, mip_gap : seconds and relative gap (for models with discrete choices).
    extra_functionality : ``f(model, data)`` adding user constraints before solving.
    progress : called with a short message at each stage.
    log : show the solver's log.
    export_model : also write the exact model solved to this ``.mps`` or ``.lp`` file.
    warm_start : the ``solution.sol`` of an earlier plan of the same network (or of a
        variant with the same structure): HiGHS starts its MIP search from it.
    strengthen : the families of valid inequalities to add (see
        :func:`emsplan.optimization.build.create_model`; None: the default set).
    reuse : a HiGHS model kept from the solve of a network of the same structure (a
        sweep's earlier sample), changed where this one differs instead of built anew
        (:mod:`emsplan.optimization.reuse`).

    Raises
    ------
    InputError : the network has errors.
    SolverOptionError : the solver is not installed, HiGHS does not take an option, or
        cannot read the warm start (checked before anything is solved).
    ModelFileError : ``export_model`` cannot be written (checked before anything is built).
    PlanningError : the model is infeasible or unbounded, the solver failed, or it stopped
        (at its time limit, say) before it found a feasible plan.
    """
    say = progress or (lambda message: None)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    solver_options = check_solver(solver_name, solver_options)
    if export_model is not None:
        check_model_path(Path(export_model))
    start_file = Path(warm_start) if warm_start is not None else None
    if start_file is not None and not start_file.is_file():
        raise WarmStartError(
            f"The warm start {str(start_file)!r} does not exist; give the solution.sol "
            "written by an earlier plan of this network."
        )
    if validate:
        say("validating")
        network.validate()
        timings["validate"] = time.perf_counter() - start
    say("building the model")
    t0 = time.perf_counter()
    model, data = create_model(network, strengthen=strengthen)
    if extra_functionality is not None:
        extra_functionality(model, data)
    timings["build"] = time.perf_counter() - t0
    if export_model is not None:
        say(f"writing the model to {export_model}")
        write_model(model, Path(export_model))
    say(f"solving ({model.nvars} variables, {model.ncons} constraints)")
    kind = model.type
    solution_file = None
    if kind != "LP" and solver_name == "highs":
        handle, name = tempfile.mkstemp(prefix="emsplan-", suffix=".sol")
        os.close(handle)
        solution_file = Path(name)
    try:
        outcome = solve_model(
            model,
            solver_name,
            solver_options,
            time_limit,
            mip_gap,
            log,
            start_file,
            solution_file,
            reuse=reuse,
        )
        solution_text = (
            solution_file.read_text(encoding="utf-8")
            if solution_file is not None and solution_file.is_file()
            else None
        )
    finally:
        if solution_file is not None:
            solution_file.unlink(missing_ok=True)
    timings["solve"] = outcome.solve_seconds
    if outcome.status is not SolverStatus.OK or outcome.objective is None:
        from emsplan.planning.infeasibility import explain

        explanation = (
            explain(network, data, solver_name) if outcome.termination.is_infeasible else []
        )
        raise PlanningError(no_plan_reason(outcome), outcome.termination, explanation)
    say("writing the plan")
    t0 = time.perf_counter()
    if kind != "LP":
        say("reading the duals of the plan's decisions")
        _fix_and_resolve(model, solver_name, solver_options, log)
    tables = build_tables(model, data, network)
    timings["results"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - start
    return Plan(
        tables=tables,
        summary={
            **summary(outcome, model, data, network, timings),
            "model": {"variables": int(model.nvars), "constraints": int(model.ncons), "type": kind},
        },
        network=network,
        model=model,
        data=data,
        timings=timings,
        solution_text=solution_text,
    )


def no_plan_reason(outcome: SolveOutcome) -> str:
    """Why a solve gave no plan, in a planner's words, with what to do about it."""
    termination = outcome.termination
    if termination.proves_no_plan:
        return f"the model is {termination.replace('_', ' ')}"
    solver = "HiGHS" if outcome.solver == "highs" else outcome.solver
    if termination is Termination.TIME_LIMIT:
        limit = outcome.options.get("time_limit")
        within = f" of {limit:g} s" if isinstance(limit, int | float) else ""
        return (
            f"no feasible plan found within the time limit{within}: {solver} stopped before "
            "it had a solution that meets every constraint. Raise the time limit "
            "(--time-limit SECONDS)"
        )
    if termination in (Termination.ITERATION_LIMIT, Termination.TERMINATED_BY_LIMIT):
        return (
            f"no feasible plan found: {solver} reached a limit set in its options "
            f"({termination.replace('_', ' ')}) before it had a solution that meets every "
            "constraint. Raise that limit, or leave it out"
        )
    return (
        f"{solver} stopped without a feasible plan (status {outcome.status}, termination "
        f"{termination.replace('_', ' ')}); rerun with --log to see the solver's log"
    )


def _fix_and_resolve(
    model: Any, solver_name: str, solver_options: dict[str, Any] | None, log: bool
) -> None:
    """Fix every integer decision at its value in the solution, relax it, and re-solve the
    LP that remains: its duals price capacities and targets given those decisions (the
    usual way to read bottlenecks off a MIP). The solution read back is the LP's, whose
    cost equals the MIP solution's up to the solver's tolerances.

    If the LP ends without a feasible solution (stopped by a time limit given as a solver
    option, say), the MIP solution is put back: the plan is the MIP's, without duals."""
    integer = [*model.binaries, *model.integers]
    kept = {name: model.variables[name].solution.copy() for name in model.variables}
    for name in integer:
        variable = model.variables[name]
        variable.fix(value=variable.solution.fillna(0.0).round())
        variable.relax()
    outcome = solve_model(model, solver_name, solver_options, None, None, log)
    if outcome.objective is None:
        for name in integer:
            model.variables[name].unrelax()
            model.variables[name].unfix()
        for name, values in kept.items():
            model.variables[name].solution = values
