"""One HiGHS model kept between solves of models with the same structure: a sweep's or a
stress test's samples in one worker.

The first solve builds the HiGHS model (linopy's persistent HiGHS interface, which keeps a
snapshot of what it handed over). Each later model is compared with that snapshot: where
only values changed (bounds, right-hand sides, costs, coefficients) HiGHS's model is
changed in place, keeping what HiGHS learnt (an LP's optimal basis, from which the dual
simplex re-solves); where the structure differs (other rows or columns) it is rebuilt.
Either way the result is the new model's, as if it had been solved on its own.

An LP is re-solved by the dual simplex from the basis kept (unless the user chose an
algorithm): the interior-point method cannot start from one.

A MIP starts from the integer decisions of the last plan solved on the kept model
(:class:`KeptHighs`): the LP with those decisions fixed is solved first; if it is feasible,
its solution is HiGHS's first incumbent, and HiGHS's root searches for a good first plan
(:data:`STARTED_SETTINGS`) are skipped, unless the user set them. Samples of a sweep differ
a little, so the last plan's decisions are usually a near-optimal plan of the next. Where
they are not feasible (the last plan met an incentive's threshold this sample's plan
cannot, say), the small MIP with the network decisions fixed and the policy
qualifications free (:data:`FREE_ON_RETRY`) is solved instead; if that is infeasible too,
the sample is solved with HiGHS's settings as if alone. Measured on the bundled example
and on OR-Library capb (``benchmarks/README.md``, "Sweeps: the HiGHS model kept between
samples").
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import highspy
import numpy as np
import pandas as pd

from emsplan.optimization.choice import unset
from emsplan.optimization.highs_run import HighsRun

if TYPE_CHECKING:
    import linopy

#: HiGHS's root searches for a first good plan, off when a MIP starts from the last plan's
#: decisions: the sub-MIPs around the LP optimum (RINS, RENS) and the root reduced-cost
#: heuristic. On the example they take most of a sample's time after the optimum is found.
STARTED_SETTINGS: dict[str, Any] = {
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_root_reduced_cost": False,
}

#: The integer families left free when the last plan's decisions, all fixed, are infeasible
#: for a sample: whether a policy's threshold is met (a sample's sales may fall short of one
#: the last plan met). The network decisions (which options are open) stay fixed, so the
#: start is a small MIP.
FREE_ON_RETRY: tuple[str, ...] = ("Incentive-qualify", "Trade-qualify", "Target-band")


@dataclass
class Reuse:
    """The HiGHS model a worker keeps between solves, and how often each path was taken."""

    solver: Any = None  # linopy.solvers.Highs, built on the first solve
    options: dict[str, Any] = field(default_factory=dict)
    #: Solves by a HiGHS model changed in place / built anew (the first, or another
    #: structure).
    in_place: int = 0
    built: int = 0
    #: MIP solves started from the last plan's decisions.
    started: int = 0
    #: HiGHS's run time of the last solve (its clock runs on across a kept model's runs).
    seconds: float = 0.0

    def close(self) -> None:
        if self.solver is not None:
            self.solver.close()
        self.solver = None


def solve_reusing(
    model: linopy.Model,
    reuse: Reuse,
    options: dict[str, Any],
    solution_file: Path | None = None,
    simplex_next: bool = True,
) -> tuple[str, str, highspy.Highs]:
    """Solve ``model`` (cleaned up as ``model.solve`` does) with HiGHS through ``reuse``'s
    kept model; status, termination condition and the HiGHS instance that solved it. The
    solution is written to ``model`` as ``model.solve`` would, but the solver stays with
    ``reuse`` (not attached to ``model``: a later solve of ``model`` must not close it).
    ``simplex_next``: an LP's next re-solve by the dual simplex (False when the user chose
    the algorithm)."""
    run = {"solution_fn": solution_file}
    previous = reuse.solver.solver_model if reuse.solver is not None else None
    clock = previous.getRunTime() if previous is not None else 0.0
    if reuse.solver is None or reuse.options != options:
        reuse.close()
        reuse.options = dict(options)
        reuse.solver = KeptHighs.from_model(
            model,
            io_api="direct",
            options=dict(options),
            track_updates=True,
            explicit_coordinate_names=False,
        )
        result = reuse.solver.solve(**run)
        reuse.built += 1
    else:
        if model.type != "LP":  # a MIP is never solved by the simplex alone (kept for an LP)
            reuse.solver.solver_model.setOptionValue("solver", options.get("solver", "choose"))
        before = reuse.solver._rebuilds
        result = reuse.solver.solve(model=model, **run)
        if reuse.solver._rebuilds > before:
            reuse.built += 1
        else:
            reuse.in_place += 1
    highs = reuse.solver.solver_model
    reuse.seconds = highs.getRunTime() - (clock if highs is previous else 0.0)
    if reuse.solver.started is not None:  # what was used goes into the plan's summary
        reuse.started += 1
        options.update({k: v for k, v in reuse.solver.started.items() if k != "time_limit"})
    if model.type == "LP" and simplex_next:
        highs.setOptionValue("solver", "simplex")  # the next re-solve starts from the basis
    status, termination = model.assign_result(result)
    return status, termination, highs


class KeptHighs(HighsRun):
    """linopy's HiGHS interface that starts a MIP from the integer decisions of the last plan
    it solved (see the module's docstring)."""

    #: The integer variables' labels and values in the last plan (None: no plan yet).
    last: tuple[np.ndarray, np.ndarray] | None = None
    #: The settings changed for the last solve (None: it was not started).
    started: dict[str, Any] | None = None

    def _solve(self, h: highspy.Highs, *args: Any, **kwargs: Any) -> Any:
        model = self.model
        assert model is not None
        columns, labels, free = _integer_columns(model, np.asarray(self._vlabels))
        before = {key: h.getOptionValue(key)[1] for key in (*STARTED_SETTINGS, "time_limit")}
        self.started = None
        if self.last is not None and columns.size:
            self.started = _start(h, self.last, labels, columns, self.solver_options, free)
        try:
            return super()._solve(h, *args, **kwargs)
        finally:
            for key, value in before.items():
                h.setOptionValue(key, value)
            self.last = _decisions(h, labels, columns)


def _integer_columns(
    model: linopy.Model, vlabels: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """HiGHS's column positions of the model's integer variables, their labels, and which
    are of a family in :data:`FREE_ON_RETRY`."""
    names = [*model.binaries, *model.integers]
    if not names:
        return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.int64), np.empty(0, bool)
    arrays = [model.variables[n].labels.values.ravel() for n in names]
    labels = np.concatenate(arrays)
    free = np.concatenate(
        [np.full(a.size, n in FREE_ON_RETRY) for n, a in zip(names, arrays, strict=True)]
    )
    free, labels = free[labels >= 0], labels[labels >= 0]
    columns = pd.Index(vlabels).get_indexer(labels)
    keep = columns >= 0
    return columns[keep].astype(np.int32), labels[keep], free[keep]


def _decisions(
    h: highspy.Highs, labels: np.ndarray, columns: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """The integer decisions of HiGHS's plan, if it has a feasible one."""
    if not columns.size or h.getInfo().primal_solution_status != highspy.kSolutionStatusFeasible:
        return None
    values = np.asarray(h.getSolution().col_value, dtype=float)[columns]
    return labels, np.round(values)


def _start(
    h: highspy.Highs,
    last: tuple[np.ndarray, np.ndarray],
    labels: np.ndarray,
    columns: np.ndarray,
    options: dict[str, Any],
    free: np.ndarray | None = None,
) -> dict[str, Any] | None:
    """Solve the LP of ``h`` with its integer columns fixed at ``last``'s values; if that is
    infeasible, the MIP with only the columns not ``free`` fixed (:data:`FREE_ON_RETRY`). If
    either is feasible, hand its solution to HiGHS as the first incumbent, switch off
    :data:`STARTED_SETTINGS` the user did not set, take the start's time off the time limit
    and return the settings changed; else change nothing and return None."""
    position = pd.Index(last[0]).get_indexer(labels)
    if (position < 0).any():
        return None  # another structure: some decision has no value from the last plan
    n = columns.size
    _, _, _, lower, upper, _ = h.getCols(n, columns)
    fixed = np.clip(last[1][position], lower, upper)
    integer = np.full(n, highspy.HighsVarType.kInteger)
    limit = float(h.getOptionValue("time_limit")[1])
    started = time.perf_counter()
    attempts = [np.zeros(n, dtype=bool)]
    if free is not None and free.any():
        attempts.append(free)
    if np.isfinite(limit):
        h.setOptionValue("time_limit", h.getRunTime() + limit)  # its clock runs on across runs
    solution = None
    try:
        for left in attempts:
            h.changeColsBounds(
                n, columns, np.where(left, lower, fixed), np.where(left, upper, fixed)
            )
            kinds = np.full(n, highspy.HighsVarType.kContinuous)
            kinds[left] = highspy.HighsVarType.kInteger
            h.changeColsIntegrality(n, columns, kinds)
            h.run()
            if h.getInfo().primal_solution_status == highspy.kSolutionStatusFeasible:
                solution = np.asarray(h.getSolution().col_value, dtype=float)
                break
    finally:
        h.changeColsBounds(n, columns, lower, upper)
        h.changeColsIntegrality(n, columns, integer)
        h.setOptionValue("time_limit", limit)
    if solution is None:
        return None
    start = highspy.HighsSolution()
    start.col_value = solution.tolist()
    start.value_valid = True
    h.setSolution(start)
    changed = unset(STARTED_SETTINGS, options)
    if np.isfinite(limit):
        changed["time_limit"] = max(limit - (time.perf_counter() - started), 1e-3)
    for key, value in changed.items():
        h.setOptionValue(key, value)
    return changed
