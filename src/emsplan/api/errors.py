"""What every interface says about an error: one paragraph for a person, the command
line's exit code and the HTTP status of the web API.

The command line and the web server both call :func:`describe`, so that a planner
reads the same words in the terminal and in the browser. The library's errors are
sorted into a few kinds; anything else is an internal error (a bug in emsplan), whose
text names the exception and asks for a report.

The error classes of the heavier layers (planning loads the solver stack, the store
SQLAlchemy) are imported by :func:`describe` when it needs them, on the error path
only, so that importing this module, as every command does, stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from emsplan.core.problems import InputError
from emsplan.optimization.solver_options import SolverOptionError

if TYPE_CHECKING:
    from emsplan.planning.pipeline import PlanningError

#: Exit codes of every ``emsplan`` command.
OK = 0
INTERNAL_ERROR = 1
BAD_INPUT = 2
INFEASIBLE = 3


@dataclass(frozen=True)
class ErrorReport:
    """An error as the interfaces report it.

    Attributes
    ----------
    kind : ``input``, ``no_plan``, ``store``, ``override``, ``solver_option`` (also a
        solver that is not installed, or a warm start it cannot read), ``cluster``,
        ``file`` or ``internal``.
    message : one paragraph for a person: what is wrong and what to do.
    exit_code : the command line's exit code.
    http_status : the web API's status code.
    details : further lines (each problem of the input, each conflicting requirement).
    """

    kind: str
    message: str
    exit_code: int
    http_status: int
    details: list[str] = field(default_factory=list)


def input_lines(exc: InputError) -> list[str]:
    """Each error of an input error as one line: where, then what is wrong."""
    return [str(p) for p in exc.errors]


def no_plan_message(exc: PlanningError, what: str = "No plan", note: str = "") -> str:
    """``No plan: the model is infeasible. What conflicts: ...``; ``what`` names the plan,
    ``note`` follows the termination (`` (recorded as plan #3)``).

    When the solver stopped without a plan rather than proving there is none (a time
    limit, say), the error's own words say why and what to do: ``No plan (recorded as
    plan #3): no feasible plan found within the time limit of 0.01 s: ...``."""
    if not exc.termination.proves_no_plan:
        reason = str(exc).rstrip(".")
        return f"{what}{note}: {reason}."
    lines = "\n".join(f"- {line}" for line in exc.explanation)
    return f"{what}: the model is {exc.termination.replace('_', ' ')}{note}." + (
        f" What conflicts:\n{lines}" if lines else ""
    )


def file_message(exc: OSError) -> str:
    """``Cannot read or write 'path': reason.``"""
    what = f" {str(exc.filename)!r}" if exc.filename else ""
    return f"Cannot read or write{what}: {exc.strerror or exc}."


def _file_or_model_message(exc: OSError) -> str:
    """:func:`file_message`, or for a model that cannot be exported, what was asked."""
    from emsplan.optimization.solve import ModelFileError

    if not isinstance(exc, ModelFileError):
        return file_message(exc)
    return (
        f"Cannot write the model to {str(exc.filename)!r}: {exc.strerror}. Give a .mps or "
        ".lp file name in a folder that can be written (--export-model); nothing was solved."
    )


def internal_message(exc: BaseException) -> str:
    """The paragraph of an internal error: a bug in emsplan, to be reported."""
    return (
        f"Internal error: {type(exc).__name__}: {exc}. This is a bug in emsplan, not "
        "a problem with your input. Rerun the same command with --debug (emsplan "
        "--debug ...) to see the traceback, and report it with the traceback."
    )


def input_message(exc: InputError) -> str:
    errors = exc.errors
    if errors and all(p.check == "check_files" for p in errors):
        text = " ".join(p.message for p in errors)
        return (
            f"{text[:1].upper()}{text[1:]} Give an .xlsx workbook (as saved by Excel or "
            "LibreOffice) or a folder of UTF-8 .csv files, one per table."
        )
    first = errors[0] if errors else None
    where = f" The first: {first}" if first is not None else ""
    return f"{len(errors)} error(s) in the input; nothing was planned or stored.{where}"


def describe(exc: BaseException) -> ErrorReport:
    """The report of ``exc`` for a person, the command line and the web API."""
    if isinstance(exc, InputError):
        return ErrorReport("input", input_message(exc), BAD_INPUT, 422, input_lines(exc))
    if isinstance(exc, SolverOptionError):
        return ErrorReport("solver_option", str(exc), BAD_INPUT, 422)
    if isinstance(exc, OSError):
        return ErrorReport("file", _file_or_model_message(exc), BAD_INPUT, 500)
    from emsplan.planning.pipeline import PlanningError
    from emsplan.scenarios.overrides import OverrideError
    from emsplan.scenarios.sweep import ClusterError
    from emsplan.store.store import StoreBusyError, StoreError, StoreFullError

    if isinstance(exc, PlanningError):
        return ErrorReport("no_plan", no_plan_message(exc), INFEASIBLE, 422, exc.explanation)
    if isinstance(exc, OverrideError):
        return ErrorReport("override", str(exc), BAD_INPUT, 422, list(exc.messages))
    if isinstance(exc, StoreError):
        # a busy store (try again later) and a full disk, also as the cause of a plan
        # that was not stored, are no conflict
        causes = (exc, exc.__cause__)
        status = 404 if str(exc).startswith("No ") else 409
        if any(isinstance(e, StoreBusyError) for e in causes):
            status = 503
        elif any(isinstance(e, StoreFullError) for e in causes):
            status = 507
        return ErrorReport("store", str(exc), BAD_INPUT, status)
    if isinstance(exc, ClusterError):
        return ErrorReport("cluster", str(exc), BAD_INPUT, 503)
    return ErrorReport("internal", internal_message(exc), INTERNAL_ERROR, 500)


__all__ = [
    "BAD_INPUT",
    "INFEASIBLE",
    "INTERNAL_ERROR",
    "OK",
    "ErrorReport",
    "describe",
    "file_message",
    "input_lines",
    "input_message",
    "internal_message",
    "no_plan_message",
]
