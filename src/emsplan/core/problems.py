"""Problems found in input data, and the error that carries them.

A :class:`Problem` names the table, the row (its position and key), the
column, the bad value and what is allowed, so that a planner can find and fix
it in the workbook without reading code. Validation collects every problem
before anything fails, and :class:`InputError` carries all of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pandas as pd


class Severity(StrEnum):
    """How serious a problem is: errors stop planning, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


def format_value(value: Any) -> str:
    """A value as a planner would type it, with blanks shown as such."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "(blank)"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e15 else repr(value)
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def format_key(key: Mapping[str, Any]) -> str:
    """A row key such as ``supplier='S1', item='BAT'``."""
    return ", ".join(f"{k}={format_value(v)}" for k, v in key.items())


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or suspicious) in the input.

    Attributes
    ----------
    check : the name of the rule that found it (``check_ranges``, ...).
    table : the input table (sheet or CSV file) concerned.
    message : what is wrong and what is allowed, in the planner's words.
    row : the spreadsheet row number (header = row 1), if one row is concerned.
    key : the key columns of that row and their values.
    column : the column concerned, if one is.
    value : the bad value, if one is.
    severity : error (stops planning) or warning (shown only).
    """

    check: str
    table: str
    message: str
    row: int | None = None
    key: Mapping[str, Any] = field(default_factory=dict)
    column: str | None = None
    value: Any = None
    severity: Severity = Severity.ERROR

    @property
    def where(self) -> str:
        """Location: table, row number, key and column."""
        parts = [f"table '{self.table}'"]
        row = f"row {self.row}" if self.row is not None else ""
        if self.key:
            row = f"{row} ({format_key(self.key)})".strip()
        if row:
            parts.append(row)
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.severity.value.capitalize()} in {self.where}: {self.message}"


class InputError(ValueError):
    """The input has errors; :attr:`problems` lists every one (and the warnings)."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity is Severity.ERROR]
        head = f"{len(errors)} error(s) in the input"
        shown = "\n".join(f"- {p}" for p in errors[:20])
        more = f"\n- ... and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"{head}:\n{shown}{more}")

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]


def has_errors(problems: Iterable[Problem]) -> bool:
    """True if any problem is an error."""
    return any(p.severity is Severity.ERROR for p in problems)
