"""Write a plan to a folder: one CSV (or Parquet) file per table, ``plan.xlsx`` with
one sheet per table, and ``summary.json``. Atomic: the folder's files are
written beside it first and moved in only when all are complete."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from emsplan.io import write_workbook

if TYPE_CHECKING:
    from emsplan.results import Plan

FORMATS = ("csv", "parquet")


def write_plan(plan: Plan, out: Path, fmt: str = "csv") -> Path:
    """Write ``plan`` into folder ``out`` (created if needed)."""
    from emsplan.results import to_json

    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not supported; use one of {', '.join(FORMATS)}")
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        names = []
        for name, frame in plan.tables.items():
            file = f"{name}.{fmt}"
            if fmt == "csv":
                frame.to_csv(tmp / file, index=False, lineterminator="\n")
            else:
                frame.to_parquet(tmp / file, index=False)
            names.append(file)
        write_workbook(dict(plan.tables), tmp / "plan.xlsx")
        (tmp / "summary.json").write_text(to_json(plan.summary) + "\n", encoding="utf-8")
        extra = []
        if plan.solution_text is not None:
            (tmp / "solution.sol").write_text(plan.solution_text, encoding="utf-8")
            extra.append("solution.sol")
        for file in [*names, "plan.xlsx", "summary.json", *extra]:
            os.replace(tmp / file, out / file)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out
