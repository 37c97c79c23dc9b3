"""Solver options as users type them (``key=value``), parsed into the values a solver takes,
and checked against the solver before anything is solved.

The command line, the web server and the benchmarks read ``--solver-option`` text
through :func:`parse_solver_options`, so ``presolve=off``, ``threads=2`` and
``mip_rel_gap=0.01`` mean the same everywhere. :func:`check_solver` then checks that
the solver is installed and, for HiGHS, that every option is one of its options with a
value it accepts (HiGHS itself decides, so its bounds and allowed values apply); the
options of other solvers are passed through as they are.

The solver stack (linopy, highspy) is imported by :func:`check_solver` when it runs,
never when this module is imported (the command line imports it for every command).
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

#: Where HiGHS lists its options, named in every message about one.
HIGHS_OPTIONS_URL = "https://ergo-code.github.io/HiGHS/stable/options/definitions/"


class SolverOptionError(ValueError):
    """A solver set-up the solver cannot take: an option that is not ``key=value``, is not
    one of the solver's or has a value it does not accept; a solver that is not installed
    (:class:`UnknownSolverError`); a warm start it cannot read
    (:class:`emsplan.optimization.solve.WarmStartError`)."""


class UnknownSolverError(SolverOptionError):
    """A solver that linopy does not know, or that is not installed here."""


def parse_value(text: str) -> object:
    """``true``/``false`` as booleans, whole numbers as int, other numbers as float, else text."""
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def parse_solver_options(pairs: Iterable[str]) -> dict[str, object]:
    """``key=value`` strings as solver options (numbers and true/false converted).

    Raises :class:`SolverOptionError` naming the first string that is not ``key=value``.
    """
    options: dict[str, object] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip():
            raise SolverOptionError(
                f"solver option {pair!r} is not of the form key=value, e.g. presolve=off."
            )
        options[key.strip()] = parse_value(text)
    return options


def check_solver(solver_name: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Check that ``solver_name`` is installed and, for HiGHS, every one of ``options``;
    return the options typed as the solver holds them (HiGHS: ``output_flag=1`` becomes
    True, ``time_limit=60`` 60.0). Other solvers' options are returned as they are.

    Raises :class:`UnknownSolverError` for a solver that is not installed (naming those
    that are) and :class:`SolverOptionError` for an option HiGHS does not have or a
    value it does not accept.
    """
    import linopy

    installed = [str(name) for name in linopy.available_solvers]
    if solver_name not in installed:
        raise UnknownSolverError(_unknown_solver_message(solver_name, installed))
    options = dict(options or {})
    if solver_name != "highs":
        return options
    return check_highs_options(options)


def check_highs_options(options: dict[str, Any]) -> dict[str, Any]:
    """Every option set on a fresh HiGHS as its text (as HiGHS reads an options file), and
    read back with the type HiGHS holds it in; the first it refuses raises
    :class:`SolverOptionError` with HiGHS's own reason where it gives one."""
    import highspy

    highs = highspy.Highs()
    names = sorted(n for n in dir(highs.getOptions()) if not n.startswith("_"))
    typed: dict[str, Any] = {}
    for name, value in options.items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        with _console_captured() as said:
            status, kind = highs.getOptionType(name)
            known = status == highspy.HighsStatus.kOk
            accepted = known and highs.setOptionValue(name, text) == highspy.HighsStatus.kOk
        if not known:
            close = difflib.get_close_matches(name, names, n=3)
            hint = f" Did you mean {' or '.join(close)}?" if close else ""
            raise SolverOptionError(
                f"Solver option {name!r} is not an option of HiGHS.{hint} HiGHS's options "
                f"are listed at {HIGHS_OPTIONS_URL}."
            )
        if not accepted:
            reason = _highs_reason(said()) or f"{name} takes {_KINDS.get(kind.name, 'a value')}"
            raise SolverOptionError(
                f"Solver option {name}={text} is not accepted by HiGHS: {reason}. See "
                f"{HIGHS_OPTIONS_URL}."
            )
        typed[name] = highs.getOptionValue(name)[1]
    return typed


#: What each kind of HiGHS option takes, for a message.
_KINDS = {
    "kBool": "true or false",
    "kInt": "a whole number",
    "kDouble": "a number",
    "kString": "one of the words HiGHS lists for it",
}


def _unknown_solver_message(name: str, installed: list[str]) -> str:
    from linopy import solvers

    known = [str(s.value) for s in getattr(solvers, "SolverName", [])]
    have = ", ".join(installed) or "none"
    if name in known:
        return (
            f"The solver {name!r} is not installed here; the solvers installed are: {have}. "
            f"Install {name} and its Python interface to use it, or leave out --solver to "
            "use HiGHS."
        )
    close = difflib.get_close_matches(name.lower(), known, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return (
        f"{name!r} is not a solver emsplan can use.{hint} It can use {', '.join(known)} "
        f"(through linopy); installed here: {have}."
    )


def _highs_reason(text: str) -> str:
    """HiGHS's own words about a refused option (``ERROR: checkOptionValue: Value -1 for
    option "mip_rel_gap" is below lower bound of 0``), without its prefixes."""
    for line in text.splitlines():
        words = re.sub(r"^(?:(?:ERROR|WARNING):\s*)?(?:[A-Za-z]+:\s*)?", "", line.strip())
        if words:
            return words.rstrip(".")
    return ""


@contextlib.contextmanager
def _console_captured() -> Iterator[Any]:
    """What C code writes to file descriptor 1 meanwhile (HiGHS's messages), kept out of
    the terminal; yields a function that returns it."""
    text: list[str] = []
    sys.stdout.flush()
    saved = os.dup(1)
    with tempfile.TemporaryFile() as log:
        try:
            os.dup2(log.fileno(), 1)
            yield lambda: "".join(text)
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)
            log.seek(0)
            text.append(log.read().decode("utf-8", errors="replace"))
