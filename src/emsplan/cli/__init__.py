"""The ``emsplan`` command line: a thin shell over the library API.

:mod:`.app` holds the Typer application, the exit codes, the failure handling and
the options shared by several commands; every other module registers one command
group on it, and rendering lives in :mod:`.render`. Importing this package
registers them all; :func:`main` is the console script.
"""

from __future__ import annotations

from emsplan.cli import generate, importer, plan, store  # noqa: F401  (register commands)
from emsplan.cli.app import BAD_INPUT, INFEASIBLE, INTERNAL_ERROR, OK, Fail, app, guarded, main

__all__ = ["BAD_INPUT", "INFEASIBLE", "INTERNAL_ERROR", "OK", "Fail", "app", "guarded", "main"]
