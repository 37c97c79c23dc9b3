"""The base of emsplan's changes to how linopy's HiGHS interface runs a solve.

:class:`~emsplan.optimization.race.RacingHighs`,
:class:`~emsplan.optimization.separate.SeparatingHighs` and
:class:`~emsplan.optimization.reuse.KeptHighs` each override ``_solve``; linopy names a
solver by its class, so each must still say it is HiGHS.
"""

from __future__ import annotations

from linopy.solvers import Highs, SolverName


class HighsRun(Highs):
    """linopy's HiGHS interface, named HiGHS whatever the subclass that changes its run."""

    @property
    def solver_name(self) -> SolverName:
        return SolverName.Highs  # linopy names a solver by its class: this is HiGHS
