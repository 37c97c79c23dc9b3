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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import highspy
    import linopy


@dataclass
class Reuse:
    """The HiGHS model a worker keeps between solves, and how often each path was taken."""

    solver: Any = None  # linopy.solvers.Highs, built on the first solve
    options: dict[str, Any] = field(default_factory=dict)
    #: Solves by a HiGHS model changed in place / built anew (the first, or another
    #: structure).
    in_place: int = 0
    built: int = 0

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
    from linopy.solvers import Solver

    run = {"solution_fn": solution_file}
    if reuse.solver is None or reuse.options != options:
        reuse.close()
        reuse.options = dict(options)
        reuse.solver = Solver.from_name(
            "highs",
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
    if model.type == "LP" and simplex_next:
        highs.setOptionValue("solver", "simplex")  # the next re-solve starts from the basis
    status, termination = model.assign_result(result)
    return status, termination, highs
