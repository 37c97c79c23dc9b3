"""The :class:`Plan`: a solved plan's tables and summary, and how to write them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from emsplan.results.writer import plan_rows, write_plan

if TYPE_CHECKING:
    import linopy

    from emsplan.data.network import Network
    from emsplan.optimization.data import PlanningData


@dataclass
class Plan:
    """A solved plan: its tables (DataFrames) and its summary (a dict)."""

    tables: dict[str, pd.DataFrame]
    summary: dict[str, Any]
    network: Network | None = None
    model: linopy.Model | None = None
    data: PlanningData | None = None
    timings: dict[str, float] = field(default_factory=dict)
    #: HiGHS solution of a MIP solve (written as ``solution.sol``; a warm start).
    solution_text: str | None = None

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables")
        if tables is not None and name in tables:
            return tables[name]
        raise AttributeError(f"Plan has no table or attribute {name!r}")

    @property
    def objective(self) -> float:
        return float(self.summary["objective"])

    def write(
        self,
        out: str | Path,
        fmt: str = "csv",
        workbook: bool | None = None,
        excel_safe_csv: bool = False,
    ) -> Path:
        """Write every table (``csv`` or ``parquet``), a workbook and ``summary.json``
        into folder ``out``, replacing an earlier plan there whole.

        ``workbook=None`` writes ``plan.xlsx`` only for plans of at most
        :data:`emsplan.results.writer.WORKBOOK_ROWS` rows; True or False decides.
        ``excel_safe_csv`` puts ``'`` before CSV text cells that start as a formula."""
        return write_plan(
            self.tables,
            self.summary,
            Path(out),
            fmt,
            workbook,
            self.solution_text,
            excel_safe_csv=excel_safe_csv,
        )

    @property
    def rows(self) -> int:
        """Rows in all of the plan's tables."""
        return plan_rows(self.tables)
