"""Commands about one network file: ``validate``, ``template``, ``example``, ``info``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from emsplan.cli.app import BAD_INPUT, Fail, app, guarded
from emsplan.cli.options import PathArg, load_network, output_kind
from emsplan.cli.render import out, print_problems, verdict
from emsplan.core.problems import Severity
from emsplan.data import examples


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
    kind = output_kind(path)
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
