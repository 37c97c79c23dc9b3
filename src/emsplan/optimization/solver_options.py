"""Solver options as users type them (``key=value``), parsed into the values a solver takes.

The command line, the web server and the benchmarks read ``--solver-option`` text
through :func:`parse_solver_options`, so ``presolve=off``, ``threads=2`` and
``mip_rel_gap=0.01`` mean the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable


class SolverOptionError(ValueError):
    """A solver option that is not of the form ``key=value``."""


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
