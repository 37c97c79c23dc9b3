"""What a solver said, as two enums kept apart: the status and the termination condition.

The values are linopy's (``linopy.constants.SolverStatus`` and
``TerminationCondition``), plus two of emsplan's own for plans it records without a
solve (:attr:`SolverStatus.FAILED`, :attr:`Termination.INVALID_INPUT`). Both are
``StrEnum``: a member equals its text (``SolverStatus.OK == "ok"``), prints and
serialises as it (``json.dumps`` gives ``"ok"``), so summary.json and the store's
rows hold the same strings as before the enums.
"""

from __future__ import annotations

from enum import StrEnum


class SolverStatus(StrEnum):
    """The solver's status: did it run to an answer (``ok``) or not."""

    OK = "ok"
    WARNING = "warning"
    ERROR = "error"
    ABORTED = "aborted"
    UNKNOWN = "unknown"
    #: emsplan's own: the record of a plan that could not be found (no solution).
    FAILED = "failed"

    @classmethod
    def parse(cls, value: object) -> SolverStatus:
        """The member whose text is ``str(value)`` (a linopy status or its text);
        :attr:`UNKNOWN` for any other value, as linopy itself does."""
        try:
            return cls(str(value))
        except ValueError:
            return cls.UNKNOWN


class Termination(StrEnum):
    """Why the solver stopped: ``optimal``, ``infeasible``, ``time_limit``, ..."""

    UNKNOWN = "unknown"
    OPTIMAL = "optimal"
    TIME_LIMIT = "time_limit"
    ITERATION_LIMIT = "iteration_limit"
    TERMINATED_BY_LIMIT = "terminated_by_limit"
    SUBOPTIMAL = "suboptimal"
    IMPRECISE = "imprecise"
    UNBOUNDED = "unbounded"
    INFEASIBLE = "infeasible"
    INFEASIBLE_OR_UNBOUNDED = "infeasible_or_unbounded"
    OTHER = "other"
    INTERNAL_SOLVER_ERROR = "internal_solver_error"
    ERROR = "error"
    USER_INTERRUPT = "user_interrupt"
    RESOURCE_INTERRUPT = "resource_interrupt"
    LICENSING_PROBLEMS = "licensing_problems"
    #: emsplan's own: a sampled network failed validation, so nothing was solved.
    INVALID_INPUT = "invalid_input"

    @classmethod
    def parse(cls, value: object) -> Termination:
        """The member whose text is ``str(value)`` (a linopy termination condition or
        its text); :attr:`UNKNOWN` for any other value, as linopy itself does."""
        try:
            return cls(str(value))
        except ValueError:
            return cls.UNKNOWN

    @property
    def is_infeasible(self) -> bool:
        """True if the model may be infeasible (``infeasible`` or
        ``infeasible_or_unbounded``): the cases an elastic re-solve can explain."""
        return self in (Termination.INFEASIBLE, Termination.INFEASIBLE_OR_UNBOUNDED)

    @property
    def proves_no_plan(self) -> bool:
        """True if the solver proved that the model has no plan (``infeasible``,
        ``infeasible_or_unbounded``, ``unbounded``), as opposed to stopping without one
        (``time_limit``, ``iteration_limit``, an error, ...): the first is about the
        network, the second about the solve."""
        return self.is_infeasible or self is Termination.UNBOUNDED
