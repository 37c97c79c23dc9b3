"""The ``emsplan`` command line: a thin shell over the library API.

Exit codes (every command):

- 0: ok (warnings may have been shown);
- 1: internal error, a bug in emsplan (rerun with ``--debug`` for the traceback);
- 2: bad input or usage: errors in the network, a file that is missing or
  unreadable, a wrong option;
- 3: the model is infeasible or unbounded (for commands that solve one).

To add a command: define a function decorated with ``@app.command()`` and
``@guarded``, read inputs with :func:`emsplan.cli.options.load_network`, and raise :class:`Fail`
with a message and an exit code for an outcome that is not a bug (e.g.
``Fail("the model is infeasible: ...", INFEASIBLE)``). :func:`guarded` turns
every exception into a message and an exit code; no user sees a traceback
unless they ask for it with ``--debug``.
"""

from __future__ import annotations

import functools
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, ParamSpec, TypeVar

import typer

from emsplan.api.errors import BAD_INPUT, INFEASIBLE, INTERNAL_ERROR, OK, describe
from emsplan.cli.render import err, out, paragraph, report_input_error
from emsplan.core.problems import InputError
from emsplan.core.version import __version__

P = ParamSpec("P")
R = TypeVar("R")


#: The exit code of a command stopped by Ctrl-C (128 + SIGINT, as shells report it).
INTERRUPTED = 130


@dataclass
class _State:
    debug: bool = False
    told_interrupted: bool = False  # a command said what a Ctrl-C left behind


_state = _State()


class Fail(Exception):
    """An outcome that is not a bug: print ``message`` and exit with ``code``."""

    def __init__(self, message: str, code: int = BAD_INPUT) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# -- failures ---------------------------------------------------------------------------
def guarded(command: Callable[P, R]) -> Callable[P, R]:
    """Run ``command`` so that no failure shows a traceback (unless ``--debug``).

    :class:`InputError` prints the problems table and exits 2; :class:`Fail` prints
    its message and exits with its code; any other error is described by
    :func:`emsplan.api.errors.describe` (the words and exit code the web API uses
    too): a file-system error, a store, override or solver-option error exits 2, an
    unexpected one is an internal error (exit 1).
    """

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except InputError as exc:
            report_input_error(exc)
            raise typer.Exit(BAD_INPUT) from None
        except Fail as exc:
            paragraph(exc.message)
            raise typer.Exit(exc.code) from None
        except Exception as exc:
            report = describe(exc)
            paragraph(report.message)
            if report.kind in ("file", "internal") and _state.debug:
                err().print_exception()
            raise typer.Exit(report.exit_code) from None

    return wrapper


# -- the application ---------------------------------------------------------------------
app = typer.Typer(
    name="emsplan",
    help=(
        "Plan the network of an electronics brand that builds through contract manufacturers: "
        "check input workbooks, write templates and examples.\n\n"
        "Exit codes: 0 ok, 1 internal error, 2 bad input or usage, 3 infeasible or "
        "unbounded model."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        out().print(f"emsplan {__version__}")
        raise typer.Exit(OK)


@app.callback()
def _main(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the traceback of an internal error.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Global options."""
    _state.debug = debug
    # Ctrl-C exited quietly while the command line loaded; the command handles it now
    restore = getattr(signal.getsignal(signal.SIGINT), "restore_to", None)
    if restore is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, restore)


def plain_arrays() -> None:
    """Tell xarray that this program makes no dask arrays, before it makes its first array.

    With dask installed (emsplan's sweeps need ``dask.distributed``), xarray imports
    ``dask.array``, and with it ``scipy.fft``, the first time it makes an array, only to tell
    whether that array is a dask one: 0.3-0.5 s of every plan (benchmarks/README.md). The
    program's arrays are NumPy's. xarray's cache of such modules is private, so this does
    nothing where it is not as expected (and nothing in a notebook: only commands call it)."""
    import sys

    from xarray.namedarray import pycompat

    cache = getattr(pycompat, "_cached_duck_array_modules", None)
    kind = getattr(pycompat, "DuckArrayModule", None)
    version = getattr(pycompat, "Version", None)
    if not isinstance(cache, dict) or kind is None or version is None:
        return
    if "dask" in cache or "dask.array" in sys.modules:
        return
    absent = object.__new__(kind)
    absent.module, absent.version, absent.type, absent.available = None, version("0"), (), False
    cache["dask"] = absent


def interrupted(message: str) -> typer.Exit:
    """Say what a Ctrl-C left behind (``message``); raise the result to exit 130."""
    paragraph(message)
    _state.told_interrupted = True
    return typer.Exit(INTERRUPTED)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``emsplan`` console script."""
    try:
        app(args=argv, prog_name="emsplan")
    except SystemExit as exc:
        told = _state.told_interrupted or getattr(exc, "told", False)
        if exc.code == INTERRUPTED and not told:
            # typer ends a Ctrl-C that no command handled (one that came between the
            # loading and a command's own handling) with exit 130 and no word
            os.write(2, b"Interrupted.\n")
        raise
    finally:
        _forget_stray_interrupt()


def _forget_stray_interrupt() -> None:
    """Let the exit code chosen for a Ctrl-C (130) stand.

    CPython (3.11-3.13) marks a KeyboardInterrupt that leaves code run by ``eval`` or
    ``exec`` of a string (typing evaluates our annotations so; namedtuples are made so) as
    unhandled, even when a caller handles it, and at exit then kills itself with SIGINT
    instead of exiting with the code given. Every such run clears the mark first, so one
    harmless ``eval`` as the last act clears a stray one."""
    eval("None")


__all__ = [
    "BAD_INPUT",
    "INFEASIBLE",
    "INTERNAL_ERROR",
    "INTERRUPTED",
    "OK",
    "Fail",
    "app",
    "guarded",
    "interrupted",
    "main",
]
