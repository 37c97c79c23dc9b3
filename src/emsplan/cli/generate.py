"""``emsplan generate --size L --seed 1 --out PATH``: a synthetic network of a chosen size.

Registered on :data:`emsplan.cli.app.app`; the networks are those of
:func:`emsplan.data.generate.generate` (sizes and the rule they grow by are in
its module docstring and ``benchmarks/README.md``).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from emsplan.cli.app import Fail, app, guarded
from emsplan.cli.options import output_kind
from emsplan.cli.render import err, out


@app.command("generate")
@guarded
def generate_command(
    out_path: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Where to write it: a folder for .csv files (recommended), or a path ending "
            "in .xlsx.",
            show_default=False,
        ),
    ],
    size: Annotated[
        str,
        typer.Option(
            help="S (about the bundled example, ~5k variables), M (~100k), L (~1M) or XL (~5M)."
        ),
    ] = "S",
    seed: Annotated[
        int, typer.Option(help="Seed of the random generator: the same seed, the same network.")
    ] = 0,
) -> None:
    """Write a synthetic, valid and feasible network of a given size (for benchmarks and tests).

    \b
    Example:
      emsplan generate --size M --seed 1 --out net/
    """
    from emsplan.data.generate import SIZES, generate

    key = size.upper()
    if key not in SIZES:
        raise Fail(f"Unknown size {size!r}; the sizes are {', '.join(SIZES)}.")
    kind = output_kind(out_path)
    if kind == "workbook" and key in ("L", "XL"):
        err().print(
            f"Writing a size-{key} network as a workbook is slow (minutes, and Excel may not open "
            "it); a folder of CSV files is much faster: --out net/"
        )
    start = time.perf_counter()
    network = generate(key, seed)
    network.write(out_path)
    rows = network.summary()["tables"]
    what = "workbook" if kind == "workbook" else "folder of .csv files"
    out().print(
        f"Wrote {network.name} as the {what} {out_path} in {time.perf_counter() - start:.1f} s: "
        f"{rows['items']:,} items, {rows['sites']:,} sites, {rows['lanes']:,} lanes, "
        f"{rows['demand']:,} demand rows over {rows['periods']} periods."
    )
