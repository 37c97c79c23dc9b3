"""The ``emsplan`` command line: a thin shell over the library API.

Exit codes (every command):

- 0: ok (warnings may have been shown);
- 1: internal error, a bug in emsplan (rerun with ``--debug`` for the traceback);
- 2: bad input or usage: errors in the network, a file that is missing or
  unreadable, a wrong option;
- 3: the model is infeasible or unbounded (for commands that solve one).

To add a command: define a function decorated with ``@app.command()`` and
``@guarded``, read inputs with :func:`load_network`, and raise :class:`Fail`
with a message and an exit code for an outcome that is not a bug (e.g.
``Fail("the model is infeasible: ...", INFEASIBLE)``). :func:`guarded` turns
every exception into a message and an exit code; no user sees a traceback
unless they ask for it with ``--debug``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from emsplan.core.problems import InputError, Problem, Severity, format_key
from emsplan.core.version import __version__
from emsplan.data import examples
from emsplan.data.network import Network
from emsplan.data.readers import read
from emsplan.data.writers import WORKBOOK_SUFFIXES

OK = 0
INTERNAL_ERROR = 1
BAD_INPUT = 2
INFEASIBLE = 3

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class _State:
    debug: bool = False


_state = _State()


class Fail(Exception):
    """An outcome that is not a bug: print ``message`` and exit with ``code``."""

    def __init__(self, message: str, code: int = BAD_INPUT) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def out() -> Console:
    """Console for results (stdout)."""
    return Console(highlight=False, soft_wrap=False)


def err() -> Console:
    """Console for messages about failures (stderr)."""
    return Console(stderr=True, highlight=False)


# -- failures ---------------------------------------------------------------------------
def guarded(command: Callable[P, R]) -> Callable[P, R]:
    """Run ``command`` so that no failure shows a traceback (unless ``--debug``).

    :class:`InputError` prints the problems table and exits 2; :class:`Fail`
    prints its message and exits with its code; a file-system error exits 2
    with a message; anything else is an internal error (exit 1).
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
            _paragraph(exc.message)
            raise typer.Exit(exc.code) from None
        except OSError as exc:
            what = f" {str(exc.filename)!r}" if exc.filename else ""
            _paragraph(f"Cannot read or write{what}: {exc.strerror or exc}.")
            _traceback_if_debug()
            raise typer.Exit(BAD_INPUT) from None
        except Exception as exc:
            _paragraph(
                f"Internal error: {type(exc).__name__}: {exc}. This is a bug in emsplan, not "
                "a problem with your input. Rerun the same command with --debug (emsplan "
                "--debug ...) to see the traceback, and report it with the traceback."
            )
            _traceback_if_debug()
            raise typer.Exit(INTERNAL_ERROR) from None

    return wrapper


def _paragraph(message: str) -> None:
    err().print(Text(message))


def _traceback_if_debug() -> None:
    if _state.debug:
        err().print_exception()


def report_input_error(exc: InputError) -> None:
    """Print the problems of an input error and the verdict (or one paragraph for files)."""
    errors = exc.errors
    if errors and all(p.check == "check_files" for p in errors):
        text = " ".join(p.message for p in errors)
        _paragraph(
            f"{text[:1].upper()}{text[1:]} Give an .xlsx workbook (as saved by Excel or "
            "LibreOffice) or a folder of UTF-8 .csv files, one per table."
        )
        return
    print_problems(exc.problems)
    verdict(exc.problems, source=None)


def print_problems(problems: Sequence[Problem]) -> None:
    """The problems as a table: severity, table, row, key, column, message."""
    if not problems:
        return
    table = Table(show_lines=False, header_style="bold", expand=False)
    table.add_column("severity", no_wrap=True)
    table.add_column("table", no_wrap=True)
    table.add_column("row", justify="right", no_wrap=True)
    table.add_column("key", overflow="fold")
    table.add_column("column", overflow="fold")
    table.add_column("message", overflow="fold", ratio=1)
    ordered = sorted(problems, key=lambda p: p.severity is not Severity.ERROR)
    for p in ordered:
        style = "red" if p.severity is Severity.ERROR else "yellow"
        table.add_row(
            Text(p.severity.value, style=style),
            Text(p.table),
            Text("" if p.row is None else str(p.row)),
            Text(format_key(p.key)),
            Text(p.column or ""),
            Text(p.message),
        )
    out().print(table)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def verdict(problems: Iterable[Problem], source: str | None) -> None:
    """One line: valid or not, with the counts of errors and warnings."""
    problems = list(problems)
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    where = f" in {source}" if source else ""
    if errors:
        out().print(
            Text(
                f"INVALID: {_count(errors, 'error')} and {_count(warnings, 'warning')}{where}; "
                "fix the errors and run again.",
                style="bold red",
            )
        )
    else:
        out().print(
            Text(f"VALID: no errors, {_count(warnings, 'warning')}{where}.", style="bold green")
        )


# -- inputs ------------------------------------------------------------------------------
def load_network(path: Path, *, validate: bool = True) -> Network:
    """Read a network for a command; a missing or unusable path fails with exit code 2."""
    if not path.exists():
        raise Fail(
            f"No such file or folder: {str(path)!r}. Give the path of an .xlsx workbook or of "
            "a folder of .csv files (one per table); `emsplan template network.xlsx` writes "
            "a blank workbook and `emsplan example india-2023 india-2023.xlsx` an example."
        )
    if path.is_file() and path.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise Fail(
            f"Cannot read {str(path)!r}: it is neither an .xlsx workbook nor a folder of .csv "
            "files. To read CSV files, give the folder that holds them (one file per table)."
        )
    return read(path, validate=validate)


def _output_kind(path: Path) -> str:
    """'workbook' or 'folder' for an output path, or fail with a usage message."""
    if path.suffix.lower() == ".xlsx":
        return "workbook"
    if path.is_dir() or path.suffix == "":
        return "folder"
    raise Fail(
        f"Cannot write {str(path)!r}: give a path ending in .xlsx for a workbook, or a folder "
        "(no suffix) for one .csv file per table."
    )


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


PathArg = Annotated[
    Path,
    typer.Argument(
        help="An .xlsx workbook (one sheet per table) or a folder of .csv files (one per table).",
        metavar="PATH",
        show_default=False,
    ),
]


@app.command()
@guarded
def validate(path: PathArg) -> None:
    """Read a network and run every check; list the problems found.

    Prints each problem (severity, table, row, key, column, message) and a
    one-line verdict. Exits 0 when there are no errors (warnings are shown),
    2 when there are errors.

    \b
    Examples:
      emsplan validate network.xlsx
      emsplan validate network/        (a folder of .csv files)
    """
    network = load_network(path, validate=False)
    problems = network.check()
    print_problems(problems)
    verdict(problems, source=str(path))
    if any(p.severity is Severity.ERROR for p in problems):
        raise typer.Exit(BAD_INPUT)


@app.command()
@guarded
def template(
    path: Annotated[
        Path,
        typer.Argument(help="The workbook to write (.xlsx).", metavar="PATH", show_default=False),
    ],
) -> None:
    """Write a blank input workbook: one sheet per table with its header row.

    Each header cell carries a comment with the column's type, unit, default
    and allowed values; a README sheet explains the workbook and the settings
    sheet is pre-filled with the defaults.

    \b
    Example:
      emsplan template network.xlsx
    """
    from emsplan.data.reference import write_template

    if path.suffix.lower() != ".xlsx":
        raise Fail(
            f"Cannot write {str(path)!r}: the template is a workbook; end the path in .xlsx."
        )
    write_template(path)
    out().print(f"Wrote the blank workbook {path}. Fill it in, then: emsplan validate {path}")


@app.command()
@guarded
def example(
    name: Annotated[
        str | None,
        typer.Argument(help="The example's name (see --list).", metavar="NAME", show_default=False),
    ] = None,
    path: Annotated[
        Path | None,
        typer.Argument(
            help="Where to write it: a path ending in .xlsx, or a folder for .csv files.",
            metavar="PATH",
            show_default=False,
        ),
    ] = None,
    list_: Annotated[
        bool, typer.Option("--list", help="List the bundled examples and exit.")
    ] = False,
) -> None:
    """Write a bundled example network as a workbook or a folder of CSV files.

    \b
    Examples:
      emsplan example --list
      emsplan example india-2023 india-2023.xlsx
      emsplan example india-2023 india-2023/      (one .csv file per table)
    """
    names = examples.names()
    if list_:
        for known in names:
            out().print(known)
        return
    if name is None or path is None:
        raise Fail(
            "Give the example's name and where to write it, e.g. `emsplan example india-2023 "
            f"india-2023.xlsx`. The examples are: {', '.join(names)}."
        )
    if name not in names:
        raise Fail(f"No example named {name!r}; the examples are: {', '.join(names)}.")
    kind = _output_kind(path)
    network = examples.load(name)
    network.write(path)
    what = "workbook" if kind == "workbook" else "folder of .csv files"
    out().print(f"Wrote the example {name} as the {what} {path}.")


@app.command()
@guarded
def info(path: PathArg) -> None:
    """Summarise a network: rows per table, the periods and the products.

    Reads and converts the input (conversion errors exit 2) without running
    the checks; use `emsplan validate` for those.

    \b
    Example:
      emsplan info network.xlsx
    """
    network = load_network(path, validate=False)
    summary: dict[str, Any] = network.summary()
    console = out()
    counts = Table(title=f"{path}", header_style="bold")
    counts.add_column("table")
    counts.add_column("rows", justify="right")
    for table_name, rows in summary["tables"].items():
        counts.add_row(table_name, str(rows))
    console.print(counts)
    periods: list[str] = summary["periods"]
    products: list[str] = summary["products"]
    span = f": {periods[0]} to {periods[-1]}" if periods else ""
    console.print(Text(f"Periods ({len(periods)}){span}"))
    console.print(Text(f"Products ({len(products)}): " + ", ".join(map(str, products))))
    console.print(
        Text(f"Currency: {summary['currency']}; domestic country: {summary['domestic_country']}")
    )


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``emsplan`` console script."""
    app(args=argv, prog_name="emsplan")


__all__ = [
    "BAD_INPUT",
    "INFEASIBLE",
    "INTERNAL_ERROR",
    "OK",
    "Fail",
    "app",
    "guarded",
    "load_network",
    "main",
    "print_problems",
    "report_input_error",
    "verdict",
]
