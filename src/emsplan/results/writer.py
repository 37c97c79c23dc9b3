"""Write a plan to a folder: one CSV (or Parquet) file per table, ``plan.xlsx`` with
one sheet per table, and ``summary.json``. Atomic: the folder's files are
written beside it first and moved in only when all are complete.

``plan.xlsx`` is left out of plans of more than :data:`WORKBOOK_ROWS` rows in
all unless asked for (``workbook=True``): writing a workbook costs about
0.15 ms a row, longer than planning a large network, and the CSV or Parquet
files hold the same tables. A sheet holds at most :data:`EXCEL_ROWS` rows.

The tables and their columns are written as declared in ``data/schema/outputs.csv``
and ``output_columns.csv`` (:func:`emsplan.data.schema.outputs`), in the declared
order; a table or column the declaration does not list is a bug, raised as
:class:`UndeclaredOutputError` before anything is written."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from emsplan.data import schema
from emsplan.data.writers import write_workbook
from emsplan.results.summary import to_json

Tables = Mapping[str, pd.DataFrame]

FORMATS = ("csv", "parquet")
#: Plans with more rows than this in all get no ``plan.xlsx`` unless asked for.
WORKBOOK_ROWS = 100_000
#: Rows of data an Excel sheet can hold (below its header).
EXCEL_ROWS = 1_048_575


class UndeclaredOutputError(RuntimeError):
    """A plan's tables differ from their declaration: a bug in emsplan, not in the input."""


def declared_tables(tables: Tables) -> dict[str, pd.DataFrame]:
    """The plan's tables as declared: every declared table in the declared order, each with
    its declared columns in the declared order; a declared table the plan lacks is its
    header alone.

    Raises
    ------
    UndeclaredOutputError : the plan has a table the declaration does not list.
    """
    declared = schema.outputs()
    undeclared = [name for name in tables if name not in declared]
    if undeclared:
        raise UndeclaredOutputError(
            f"the plan has table(s) {', '.join(map(repr, undeclared))} that are not declared "
            "in src/emsplan/data/schema/outputs.csv"
        )
    return {
        name: _in_declared_order(tables[name], table) if name in tables else table.empty()
        for name, table in declared.items()
    }


def _in_declared_order(frame: pd.DataFrame, table: schema.OutputTable) -> pd.DataFrame:
    """``frame`` with the declared columns of ``table`` in the declared order.

    Raises
    ------
    UndeclaredOutputError : a column is not declared, or a declared column is missing.
    """
    names = list(table.column_names)
    undeclared = [str(c) for c in frame.columns if c not in names]
    missing = [c for c in names if c not in frame.columns]
    problems = []
    if undeclared:
        problems.append(f"undeclared column(s) {', '.join(map(repr, undeclared))}")
    if missing:
        problems.append(f"missing column(s) {', '.join(map(repr, missing))}")
    if problems:
        raise UndeclaredOutputError(
            f"the plan's table {table.name!r} does not match its declaration in "
            f"src/emsplan/data/schema/output_columns.csv: {'; '.join(problems)}"
        )
    return frame if list(frame.columns) == names else frame[names]


def plan_rows(tables: Tables) -> int:
    """Rows in all of a plan's tables."""
    return sum(len(frame) for frame in tables.values())


def wants_workbook(tables: Tables, workbook: bool | None) -> bool:
    """Whether to write ``plan.xlsx``: as asked, else when the plan is small enough."""
    if workbook is None:
        return plan_rows(tables) <= WORKBOOK_ROWS
    if workbook:
        too_long = {n: len(f) for n, f in tables.items() if len(f) > EXCEL_ROWS}
        if too_long:
            name, rows = next(iter(too_long.items()))
            raise ValueError(
                f"the plan's table {name} has {rows:,} rows, more than an Excel sheet holds "
                f"({EXCEL_ROWS:,}); write it without the workbook (CSV or Parquet)"
            )
    return workbook


def write_plan(
    tables: Tables,
    summary: dict[str, Any],
    out: Path,
    fmt: str = "csv",
    workbook: bool | None = None,
    solution_text: str | None = None,
) -> Path:
    """Write a plan's tables, its summary and its MIP solution (if any) into folder ``out``
    (created if needed).

    ``workbook``: write ``plan.xlsx`` (True), not (False), or only when the plan has
    at most :data:`WORKBOOK_ROWS` rows (None). A ``plan.xlsx`` of an earlier plan
    in ``out`` is removed when none is written, so the folder never mixes plans.
    Every declared table is written, in the declared order (:func:`declared_tables`).
    """
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not supported; use one of {', '.join(FORMATS)}")
    tables = declared_tables(tables)
    with_workbook = wants_workbook(tables, workbook)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        names = []
        for name, frame in tables.items():
            file = f"{name}.{fmt}"
            if fmt == "csv":
                frame.to_csv(tmp / file, index=False, lineterminator="\n")
            else:
                frame.to_parquet(tmp / file, index=False)
            names.append(file)
        if with_workbook:
            write_workbook(dict(tables), tmp / "plan.xlsx")
            names.append("plan.xlsx")
        (tmp / "summary.json").write_text(to_json(summary) + "\n", encoding="utf-8")
        extra = []
        if solution_text is not None:
            (tmp / "solution.sol").write_text(solution_text, encoding="utf-8")
            extra.append("solution.sol")
        for file in [*names, "summary.json", *extra]:
            os.replace(tmp / file, out / file)
        if not with_workbook:
            (out / "plan.xlsx").unlink(missing_ok=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out
