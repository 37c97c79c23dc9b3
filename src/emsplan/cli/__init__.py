"""The ``emsplan`` command line: a thin shell over the library API.

:mod:`.app` holds the Typer application, the exit codes and the failure handling;
:mod:`.options` what several commands share (options, reading a network, opening
the store); :mod:`.render` and :mod:`.render_store` the printing. Every other
module registers one command group on the application: :mod:`.network` (validate,
template, example, info), :mod:`.plan`, :mod:`.scenario`, :mod:`.compare` (compare,
history), :mod:`.sweep` (sweep, stress), :mod:`.forecast` (forecast, simulate-history),
:mod:`.generate`, :mod:`.importer`, :mod:`.serve`
(the team server) and :mod:`.user` (its users).
Importing this package registers them all; :func:`main` is the console script.
"""

from __future__ import annotations

# isort: off
# Each module registers its commands on the app; this order is the order of --help.
from emsplan.cli import network  # noqa: F401
from emsplan.cli import generate  # noqa: F401
from emsplan.cli import importer  # noqa: F401
from emsplan.cli import plan  # noqa: F401
from emsplan.cli import scenario  # noqa: F401
from emsplan.cli import compare  # noqa: F401
from emsplan.cli import sweep  # noqa: F401
from emsplan.cli import forecast  # noqa: F401
from emsplan.cli import serve  # noqa: F401
from emsplan.cli import user  # noqa: F401

# isort: on
from emsplan.cli.app import BAD_INPUT, INFEASIBLE, INTERNAL_ERROR, OK, Fail, app, guarded, main

__all__ = ["BAD_INPUT", "INFEASIBLE", "INTERNAL_ERROR", "OK", "Fail", "app", "guarded", "main"]
