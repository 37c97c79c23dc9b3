"""``emsplan import FORMAT FILE --out PATH``: turn another format into a network."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from emsplan.cli.app import Fail, app, guarded
from emsplan.cli.render import out

FORMATS = ("orlib-cap", "sscflp")


@app.command("import")
@guarded
def import_command(
    fmt: Annotated[
        str,
        typer.Argument(
            metavar="FORMAT",
            help="orlib-cap: OR-Library CFLP; sscflp: single-source CFLP (Holmberg et al.).",
        ),
    ],
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The file to import.")],
    out_path: Annotated[
        Path, typer.Option("--out", help="Network to write: an .xlsx workbook or a CSV folder.")
    ],
    capacity: Annotated[
        float | None,
        typer.Option(
            help="Facility capacity, for orlib-cap instances that leave it open (capa/b/c).",
            min=0,
        ),
    ] = None,
) -> None:
    """Import a network from another format.

    Examples: emsplan import orlib-cap cap41.txt --out cap41.xlsx;
    emsplan import sscflp p1.txt --out p1.xlsx
    """
    from emsplan.data.importers.orlib import OrlibFormatError, read_orlib_cap
    from emsplan.data.importers.sscflp import SscflpFormatError, read_sscflp

    if fmt not in FORMATS:
        raise Fail(f"Unknown format {fmt!r}; the formats are {', '.join(FORMATS)}.")
    if capacity is not None and fmt != "orlib-cap":
        raise Fail(
            f"--capacity applies to orlib-cap only; {fmt} files give every facility's capacity."
        )
    if not file.is_file():
        raise Fail(f"No such file: {str(file)!r}.")
    try:
        network = read_orlib_cap(file, capacity) if fmt == "orlib-cap" else read_sscflp(file)
    except (OrlibFormatError, SscflpFormatError, UnicodeDecodeError) as exc:
        raise Fail(f"Cannot import {str(file)!r}: {exc}") from exc
    network.write(out_path)
    tables = network.summary()["tables"]
    kinds = network.options["kind"].value_counts()
    options = {
        "orlib-cap": [("line", "line option")],
        "sscflp": [("site", "site option"), ("market_source", "market-source option")],
    }[fmt]
    counted = ", ".join(_count(int(kinds.get(kind, 0)), noun) for kind, noun in options)
    out().print(
        f"Imported {file.name} as {out_path}: {_count(tables['sites'], 'site')}, {counted}, "
        f"{_count(tables['lanes'], 'lane')}."
    )


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"
