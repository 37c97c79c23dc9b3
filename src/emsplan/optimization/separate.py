"""Hand HiGHS a large family of valid inequalities only where the LP relaxation needs them.

``Option-line-flow`` (:mod:`emsplan.optimization.strength`) has one row per lane and
period: 100,000 rows for OR-Library capb (100 plants x 1,000 markets). Every row is a valid
inequality (met by every plan with whole decisions), so it only tightens the LP
relaxation; but all of them make every LP of branch and bound slower, and HiGHS then
explores too few nodes to prove the optimum in time. Most rows are slack at the LP optimum.

So for a MIP with many rows in such families (the rule is
:func:`emsplan.optimization.choice.highs_pool`), the LP relaxation is first solved on a copy
of HiGHS's model without them; the rows its solution violates are added and it is re-solved
from its basis, again until it violates none (after :data:`ROUNDS` rounds or half the time
limit, the rows violated then are the last added): the LP bound is then that of the whole
model, found with a few per cent of the rows. In HiGHS's model itself the rows not needed
are left free (no bounds: its presolve drops them), and branch and bound runs on the
smaller LP. The linopy model keeps every row:
the plan, its duals (from the re-solve with the decisions fixed) and any model file written
are the whole model's; the optimum is the same.

Measured on OR-Library capb and capc at a 300 s limit (``benchmarks/README.md``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import highspy
import numpy as np
from scipy import sparse

from emsplan.optimization.highs_run import HighsRun

#: At most this many rounds of LP solves; the rows the last one violates are kept too.
ROUNDS = 40

#: A row is violated when its activity passes its bound by more than this (relative to
#: 1 + the bound's size); HiGHS's primal feasibility tolerance is 1e-7.
TOLERANCE = 1e-6


@dataclass
class Separation:
    """What the rounds did: rows in the pool, rows taken back, LP solves, LP bound."""

    rows: int = 0
    taken: int = 0
    rounds: int = 0
    lp_bound: float | None = None
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "seconds": round(self.seconds, 3)}


class SeparatingHighs(HighsRun):
    """linopy's HiGHS solver that takes back the rows of the constraint families
    :attr:`families` round by round before the MIP (:func:`separate`)."""

    families: Sequence[str] = ()
    #: What the rounds did (after a solve).
    separation: Separation | None = None

    def _solve(self, h: highspy.Highs, *args: Any, **kwargs: Any) -> Any:
        model = self.model
        assert model is not None
        labels = [model.constraints[name].labels.values for name in self.families]
        pool = pool_rows(np.asarray(self._clabels), labels)
        self.separation = separate(h, pool, self.solver_options)
        return super()._solve(h, *args, **kwargs)


def pool_rows(clabels: np.ndarray, labels: Sequence[np.ndarray]) -> np.ndarray:
    """HiGHS's row positions (the order of ``clabels``, the rows linopy handed over) of the
    constraint ``labels`` of the pooled families (a label -1, a row linopy left out, has
    none)."""
    if not labels:
        return np.empty(0, dtype=np.int64)
    wanted = np.concatenate([np.asarray(a, dtype=np.int64).ravel() for a in labels])
    return np.flatnonzero(np.isin(clabels, wanted[wanted >= 0]))


def separate(h: highspy.Highs, pool: np.ndarray, options: dict[str, Any]) -> Separation:
    """Find the rows ``pool`` of ``h`` that its LP relaxation needs, and free the others in
    ``h`` (no bounds: HiGHS's presolve drops them); ``h`` is left otherwise as it was.

    The rounds run on a copy of ``h``'s LP without the pool's rows (a smaller LP, re-solved
    from its last basis by the dual simplex): solve, add the pool rows its solution violates,
    again. They stop when the LP violates none, after :data:`ROUNDS` rounds or past half of
    ``options``'s ``time_limit`` (the rows the last LP violates are then kept, without a
    re-solve), or when an LP is not solved to optimality (all rows kept: the MIP decides).
    ``h``'s time limit is cut by the time the rounds took."""
    out = Separation(rows=int(pool.size))
    if pool.size == 0:
        return out
    clock = time.perf_counter()
    pool = pool.astype(np.int32)
    lp = h.getLp()
    lower = np.asarray(lp.row_lower_)[pool]
    upper = np.asarray(lp.row_upper_)[pool]
    _, starts, index, value = h.getRowsEntries(pool.size, pool)
    rows = sparse.csr_matrix(
        (value, index, np.append(starts, index.size)), shape=(pool.size, lp.num_col_)
    )
    limit = float(options.get("time_limit", np.inf))
    log = bool(options.get("output_flag"))
    taken = _rounds(lp, pool, rows, lower, upper, out, clock + 0.5 * limit, log)
    free = pool[~taken]
    free_bounds = np.full(free.size, np.inf)
    h.changeRowsBounds(free.size, free, -free_bounds, free_bounds)  # type: ignore[attr-defined]
    out.taken = int(taken.sum())
    out.seconds = time.perf_counter() - clock
    if np.isfinite(limit):
        h.setOptionValue("time_limit", max(limit - out.seconds, 1e-3))
    return out


def _rounds(
    lp: highspy.HighsLp,
    pool: np.ndarray,
    rows: sparse.csr_matrix,
    lower: np.ndarray,
    upper: np.ndarray,
    out: Separation,
    deadline: float,
    log: bool = False,
) -> np.ndarray:
    """Which rows of the pool the LP relaxation of ``lp`` needs (the rounds of
    :func:`separate`); ``out`` counts the rounds and keeps the last LP bound. ``log``: say
    what each round did (HiGHS's log is on)."""
    relaxed = highspy.Highs()
    relaxed.setOptionValue("output_flag", False)
    lp.integrality_ = []
    relaxed.passModel(lp)
    relaxed.deleteRows(pool.size, pool)
    taken = np.zeros(pool.size, dtype=bool)
    while True:
        if np.isfinite(deadline):  # HiGHS's clock counts every run of the instance
            left = max(deadline - time.perf_counter(), 0.0)
            relaxed.setOptionValue("time_limit", relaxed.getRunTime() + left)
        relaxed.run()
        out.rounds += 1
        if relaxed.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            taken[:] = True  # infeasible, unbounded or a limit: the MIP with every row says
            return taken
        out.lp_bound = float(relaxed.getInfo().objective_function_value)
        activity = rows @ np.asarray(relaxed.getSolution().col_value)
        violated = ~taken & (
            (activity > upper + TOLERANCE * (1 + np.abs(upper)))
            | (activity < lower - TOLERANCE * (1 + np.abs(lower)))
        )
        if log:  # beside HiGHS's own log (--log)
            print(
                f"emsplan rows round {out.rounds}: LP bound {out.lp_bound:.10g}, "
                f"{int(violated.sum()):,} of {pool.size:,} rows broken, {int(taken.sum()):,} "
                f"added before",
                flush=True,
            )
        if not violated.any():
            return taken
        if out.rounds >= ROUNDS or time.perf_counter() > deadline:
            return taken | violated  # no re-solve: the rows broken now are the last needed
        add = rows[violated]
        relaxed.addRows(
            add.shape[0],
            lower[violated],
            upper[violated],
            add.nnz,
            add.indptr[:-1].astype(np.int32),
            add.indices.astype(np.int32),
            add.data,
        )
        taken |= violated
