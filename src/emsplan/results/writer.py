"""Write a plan to a folder: one CSV (or Parquet) file per table, ``plan.xlsx`` with
one sheet per table, ``summary.json`` and (a MIP's) ``solution.sol``.

A plan folder always holds exactly one whole plan: the new folder is written beside
it and swapped in whole (:func:`emsplan.data.writers.write_folder`, which also says
what a kill at any moment leaves and how the next write repairs it), so no file of an
earlier plan (of the other format, or its ``plan.xlsx``) stays beside the new ones. A
folder that does not look like a plan is never replaced (:func:`check_plan_folder`).

``plan.xlsx`` is left out of plans of more than :data:`WORKBOOK_ROWS` rows in
all unless asked for (``workbook=True``): writing a workbook costs about
0.15 ms a row, longer than planning a large network, and the CSV or Parquet
files hold the same tables. A sheet holds at most :data:`EXCEL_ROWS` rows.

The tables and their columns are written as declared in ``data/schema/outputs.csv``
and ``output_columns.csv`` (:func:`emsplan.data.schema.outputs`), in the declared
order; a table or column the declaration does not list is a bug, raised as
:class:`UndeclaredOutputError` before anything is written."""

from __future__ import annotations

import errno
import re
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from emsplan.data import schema
from emsplan.data.writers import write_folder, write_workbook

Tables = Mapping[str, pd.DataFrame]

FORMATS = ("csv", "parquet")
#: Plans with more rows than this in all get no ``plan.xlsx`` unless asked for.
WORKBOOK_ROWS = 100_000
#: Rows of data an Excel sheet can hold (below its header).
EXCEL_ROWS = 1_048_575


#: What a spreadsheet reads as the start of a formula in a CSV cell (OWASP, "CSV
#: Injection"): such text cells get a leading ``'`` with ``excel_safe_csv``.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Files that file browsers put in folders they show; a plan folder may hold them.
BROWSER_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


class UndeclaredOutputError(RuntimeError):
    """A plan's tables differ from their declaration: a bug in emsplan, not in the input."""


class PlanFolderError(FileExistsError):
    """The folder to write a plan into holds something other than an earlier plan, and
    is left as it is. An ``OSError`` (a file problem: exit code 2 on the command line)."""

    def __init__(self, folder: Path, reason: str) -> None:
        super().__init__(errno.EEXIST, reason, str(folder))

    def __str__(self) -> str:
        return f"Cannot write a plan into {self.filename!r}: {self.strerror}."


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


def plan_file_names() -> frozenset[str]:
    """Every name of a file that emsplan writes into a plan folder."""
    tables = {f"{name}.{fmt}" for name in schema.outputs() for fmt in FORMATS}
    return frozenset({*tables, "plan.xlsx", "summary.json", "solution.sol"})


def check_plan_folder(folder: Path) -> None:
    """Refuse to replace ``folder`` unless it is missing, empty or holds an earlier plan:
    ``summary.json`` and only files that emsplan writes into a plan folder (and those
    that file browsers leave, :data:`BROWSER_FILES`). So ``--out ~`` or the folder of a
    network loses nothing.

    Raises
    ------
    PlanFolderError : ``folder`` is a file, or holds anything else.
    """
    if not folder.exists():
        return
    if not folder.is_dir():
        raise PlanFolderError(folder, "it is a file, not a folder")
    entries = [e for e in folder.iterdir() if e.name not in BROWSER_FILES]
    if not entries:
        return
    names = plan_file_names()
    foreign = sorted(e.name + ("/" if e.is_dir() else "") for e in entries if e.name not in names)
    refusal = (
        "a plan replaces only a new or empty folder or one holding an earlier plan, so "
        "nothing was written; give another folder"
    )
    if foreign:
        more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
        raise PlanFolderError(
            folder,
            f"it holds {', '.join(foreign[:5])}{more}, which emsplan does not write into a "
            f"plan folder; {refusal}",
        )
    if not (folder / "summary.json").is_file():
        raise PlanFolderError(folder, f"it holds no summary.json, so no earlier plan; {refusal}")


def excel_safe(frame: pd.DataFrame, table: schema.OutputTable) -> pd.DataFrame:
    """``frame`` with a ``'`` before every cell of a text column that starts as a formula
    (:data:`FORMULA_STARTS`), as OWASP recommends against CSV injection; numbers (such as
    -5) and blank cells are never changed."""
    changed = {}
    for column in table.columns:
        values = frame[column.name]
        if column.type != "str" or values.dtype.kind in "biufcmM":  # no text in this column
            continue
        risky = values.str.startswith(FORMULA_STARTS, na=False).astype(bool)
        if risky.any():
            changed[column.name] = values.mask(risky, "'" + values.astype(str))
    return frame.assign(**changed) if changed else frame


def write_plan(
    tables: Tables,
    summary: dict[str, Any],
    out: Path,
    fmt: str = "csv",
    workbook: bool | None = None,
    solution_text: str | None = None,
    excel_safe_csv: bool = False,
) -> Path:
    """Write a plan's tables, its summary and its MIP solution (if any) into folder ``out``
    (created if needed), replacing the earlier plan there whole.

    ``workbook``: write ``plan.xlsx`` (True), not (False), or only when the plan has
    at most :data:`WORKBOOK_ROWS` rows (None). Every declared table is written, in the
    declared order (:func:`declared_tables`). ``excel_safe_csv``: CSV text cells that a
    spreadsheet would read as a formula start with ``'`` (:func:`excel_safe`).

    Raises
    ------
    ValueError : an unknown format, or a table too long for the workbook asked for.
    UndeclaredOutputError : the tables differ from their declaration.
    PlanFolderError : ``out`` holds something other than an earlier plan.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not supported; use one of {', '.join(FORMATS)}")
    tables = declared_tables(tables)
    with_workbook = wants_workbook(tables, workbook)
    declared = schema.outputs()

    def fill(folder: Path) -> None:
        for name, frame in tables.items():
            if fmt == "csv":
                if excel_safe_csv:
                    frame = excel_safe(frame, declared[name])
                frame.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
            else:
                frame.to_parquet(folder / f"{name}.parquet", index=False)
        if with_workbook:
            write_workbook(dict(tables), folder / "plan.xlsx")
        if solution_text is not None:
            (folder / "solution.sol").write_text(solution_text, encoding="utf-8")
        from emsplan.results.summary import to_json  # it imports the optimisation stack

        (folder / "summary.json").write_text(to_json(summary) + "\n", encoding="utf-8")

    _remove_legacy_temporaries(out)
    write_folder(out, fill, check_plan_folder)
    return out


def _remove_legacy_temporaries(out: Path) -> None:
    """Delete the temporary folders that writers of emsplan 0.1 killed while writing
    ``out`` left beside it (``.NAME.`` and 8 letters, digits or ``_``), when they hold
    nothing but plan files."""
    legacy = re.compile(rf"\.{re.escape(out.name)}\.[a-z0-9_]{{8}}")
    names = plan_file_names()
    parent = out.parent
    if not parent.is_dir():
        return
    for folder in parent.iterdir():
        if (
            legacy.fullmatch(folder.name)
            and folder.is_dir()
            and not folder.is_symlink()
            and all(f.is_file() and f.name in names for f in folder.iterdir())
        ):
            shutil.rmtree(folder, ignore_errors=True)
