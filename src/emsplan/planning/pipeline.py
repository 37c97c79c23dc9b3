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
from emsplan.optimization.solve import solve_model, write_model
from emsplan.results.plan import Plan
from emsplan.results.summary import summary
from emsplan.results.tables import build_tables


class PlanningError(RuntimeError):
    """The model could not be solved to a usable plan (infeasible, unbounded, failed).

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

    Raises
    ------
    InputError : the network has errors.
    PlanningError : the model is infeasible or unbounded, or the solver failed.
    """
    say = progress or (lambda message: None)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    if validate:
        say("validating")
        network.validate()
        timings["validate"] = time.perf_counter() - start
    say("building the model")
    t0 = time.perf_counter()
    model, data = create_model(network)
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
    start_file = Path(warm_start) if warm_start is not None else None
    if start_file is not None and not start_file.is_file():
        raise FileNotFoundError(f"warm start {str(start_file)!r} does not exist")
    outcome = solve_model(
        model, solver_name, solver_options, time_limit, mip_gap, log, start_file, solution_file
    )
    timings["solve"] = outcome.solve_seconds
    if outcome.status is not SolverStatus.OK or outcome.objective is None:
        from emsplan.planning.infeasibility import explain

        explanation = (
            explain(network, data, solver_name) if outcome.termination.is_infeasible else []
        )
        raise PlanningError(
            f"the model could not be solved: status {outcome.status}, "
            f"termination {outcome.termination}",
            outcome.termination,
            explanation,
        )
    say("writing the plan")
    t0 = time.perf_counter()
    if outcome.status is SolverStatus.OK and kind != "LP":
        say("reading the duals of the plan's decisions")
        _fix_and_resolve(model, solver_name, solver_options, log)
    tables = build_tables(model, data, network)
    timings["results"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - start
    result = Plan(
        tables=tables,
        summary={
            **summary(outcome, model, data, network, timings),
            "model": {"variables": int(model.nvars), "constraints": int(model.ncons), "type": kind},
        },
        network=network,
        model=model,
        data=data,
        timings=timings,
    )
    if solution_file is not None:
        if solution_file.is_file():
            result.solution_text = solution_file.read_text(encoding="utf-8")
        solution_file.unlink(missing_ok=True)
    return result


def _fix_and_resolve(
    model: Any, solver_name: str, solver_options: dict[str, Any] | None, log: bool
) -> None:
    """Fix every integer decision at its value in the solution, relax it, and re-solve the
    LP that remains: its duals price capacities and targets given those decisions (the
    usual way to read bottlenecks off a MIP). The solution read back is the LP's, whose
    cost equals the MIP solution's up to the solver's tolerances."""
    integer = [*model.binaries, *model.integers]
    for name in integer:
        variable = model.variables[name]
        variable.fix(value=variable.solution.fillna(0.0).round())
        variable.relax()
    outcome = solve_model(model, solver_name, solver_options, None, None, log)
    if outcome.status is not SolverStatus.OK:  # keep the MIP solution; the plan has no duals
        for name in integer:
            model.variables[name].unrelax()
            model.variables[name].unfix()
