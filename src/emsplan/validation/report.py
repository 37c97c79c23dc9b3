"""The one helper every validation rule reports with: a problem about a row of a
table, with its spreadsheet row number and key; and the small cell helpers the rules
share."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd

from emsplan.core.problems import Problem, Severity
from emsplan.data import schema

if TYPE_CHECKING:
    from emsplan.data.network import Network

#: A validation rule: the problems it finds in a network.
Check = Callable[["Network"], list[Problem]]


def positions(mask: pd.Series) -> list[int]:
    """Positions where a boolean mask is true (NA counts as false)."""
    return [int(p) for p in mask.to_numpy(dtype=bool, na_value=False).nonzero()[0]]


def row_problem(
    network: Network,
    table: str,
    position: int,
    column: str | None,
    message: str,
    *,
    check: str,
    value: Any = None,
    severity: Severity = Severity.ERROR,
) -> Problem:
    """A problem about one row of a table, with its row number and key."""
    frame = network[table]
    key = {c: frame.at[position, c] for c in schema.table(table).key}
    key = {c: v for c, v in key.items() if not blank(v)}
    return Problem(
        check=check,
        table=table,
        row=network.row_number(table, position),
        key=key,
        column=column,
        value=value,
        message=message,
        severity=severity,
    )


def blank(value: Any) -> bool:
    """True for an empty cell (None, NA or NaN)."""
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)
