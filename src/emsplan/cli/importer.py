"""``emsplan import FORMAT FILE --out PATH``: turn another format into a network."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from emsplan.cli.app import Fail, app, guarded
from emsplan.cli.render import out

FORMATS = ("orlib-cap",)


@app.command("import")
@guarded
def import_command(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help="orlib-cap: OR-Library CFLP.")],
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The file to import.")],
    out_path: Annotated[
        Path, typer.Option("--out", help="Network to write: an .xlsx workbook or a CSV folder.")
    ],
    capacity: Annotated[
        float | None,
        typer.Option(help="Facility capacity, for instances that leave it open (capa/b/c).", min=0),
    ] = None,
) -> None:
    """Import a network from another format.

    Example: emsplan import orlib-cap cap41.txt --out cap41.xlsx
    """
    from emsplan.data.importers.orlib import OrlibFormatError, read_orlib_cap

    if fmt not in FORMATS:
        raise Fail(f"Unknown format {fmt!r}; the formats are {', '.join(FORMATS)}.")
    if not file.is_file():
        raise Fail(f"No such file: {str(file)!r}.")
    try:
        network = read_orlib_cap(file, capacity)
    except (OrlibFormatError, UnicodeDecodeError) as exc:
        raise Fail(f"Cannot import {str(file)!r}: {exc}") from exc
    network.write(out_path)
    summary = network.summary()["tables"]
    out().print(
        f"Imported {file.name} as {out_path}: {summary['sites']} sites, "
        f"{summary['options']} line options, {summary['lanes']} lanes."
    )
