"""A sales history read, checked and laid out as series: one row of numbers per market and
item, one column per period, from the first period of the history to its last.

The checks are those of every input (the schema's: required cells, numbers, ranges,
duplicate keys; the forecasting table's rule: calendar period labels of one kind), then
those of a forecast: no gap inside a series, and every series running to the last
period of the history, unless gaps are read as periods without sales (``fill_zero``).
Every problem names the row (its spreadsheet row number and key) and the column; all
of them are reported at once, as an :class:`~emsplan.core.problems.InputError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd

from emsplan.core.periods import SEASON_LENGTH, CalendarPeriod, label, parse_label
from emsplan.core.problems import InputError, Problem, Severity, format_value
from emsplan.data.network import Network
from emsplan.data.readers import read_table_raw
from emsplan.validation.history import check_history_periods
from emsplan.validation.report import row_problem
from emsplan.validation.schema_checks import (
    check_allowed,
    check_duplicate_keys,
    check_ranges,
    check_required,
)

TABLE = "sales_history"

#: How to ask for gaps to be read as periods without sales, named in the messages.
FILL_ZERO_HINT = "or read missing periods as no sales (--fill-zero, fill_zero=True)"


@dataclass(frozen=True)
class Panel:
    """A checked sales history as series.

    Attributes
    ----------
    keys : (market, item) of each series, sorted.
    frequency : ``quarter``, ``month`` or ``year``.
    first : the first period of the history (column 0 of ``values``).
    values : units sold, one row per series, one column per period from ``first`` to the
        last period of the history; NaN before a series' first period.
    filled : how many missing periods were read as zero sales, per series.
    """

    keys: list[tuple[str, str]]
    frequency: str
    first: CalendarPeriod
    values: np.ndarray
    filled: np.ndarray

    @property
    def periods(self) -> list[str]:
        """The labels of the history's periods (the columns of ``values``)."""
        return [str(self.first + t) for t in range(self.values.shape[1])]

    @property
    def season_length(self) -> int:
        return SEASON_LENGTH[self.frequency]

    def future(self, horizon: int) -> list[str]:
        """The labels of the ``horizon`` periods after the history's last."""
        last = self.first + (self.values.shape[1] - 1)
        return [label(self.frequency, last.ordinal + h) for h in range(1, horizon + 1)]


def read_history(path: str | Path) -> Network:
    """Read table ``sales_history`` from a workbook or CSV folder that holds it (a whole
    network, or that table alone), or from one ``.csv`` file of its columns.

    Returns a network holding that table (and, from a network, its ``items``, whose
    groups the forecast reconciles to); raises :class:`InputError` when the file cannot
    be read or has no such table. The cells are checked by :func:`check_history`.
    """
    raw = read_table_raw(path, TABLE)
    errors = [p for p in raw.problems if p.severity is Severity.ERROR and TABLE not in raw.tables]
    if errors:
        raise InputError(errors)
    tables = {TABLE: raw.tables[TABLE]}
    rows = {TABLE: raw.rows[TABLE]}
    if "items" in raw.tables:  # read with the history from its workbook or folder: groups
        tables["items"], rows["items"] = raw.tables["items"], raw.rows["items"]
    network = Network(tables, name=Path(path).stem, strict=False, source_rows=rows)
    network.problems = [*raw.problems, *network.problems]
    return network


def history_network(history: pd.DataFrame | Network) -> Network:
    """The network a history is checked in: a network as it is, or a frame of the columns
    of ``sales_history`` (rows numbered from 2, as in a spreadsheet under its header)."""
    if isinstance(history, Network):
        return history
    return Network({TABLE: history}, name="sales_history", strict=False)


def check_history(network: Network) -> list[Problem]:
    """The problems of a network's ``sales_history`` table, the schema's rules first.

    Only problems of that table count: a history read without the rest of its network
    (or alone) lacks the tables a plan requires, and that is no problem here; nor are
    references to sites and items (a history read alone has none to check against).
    """
    problems = [p for p in network.problems if p.table == TABLE or p.check == "check_files"]
    for rule in (check_required, check_ranges, check_allowed, check_duplicate_keys):
        problems.extend(p for p in rule(network) if p.table == TABLE)
    problems.extend(check_history_periods(network))
    return problems


def load_panel(network: Network, *, fill_zero: bool = False) -> tuple[Panel, list[Problem]]:
    """The checked history of ``network`` as series, and the warnings met.

    Raises :class:`InputError` listing every problem: those of :func:`check_history`,
    then gaps inside a series (a period missing between two of its rows) and series that
    stop before the history's last period, unless ``fill_zero`` reads the missing periods
    as no sales. An empty history is an error too.
    """
    problems = check_history(network)
    if any(p.severity is Severity.ERROR for p in problems):
        raise InputError(problems)
    frame = network[TABLE]
    if frame.empty:
        raise InputError(
            [
                Problem(
                    check="check_history",
                    table=TABLE,
                    message=(
                        "the sales history has no rows; give at least one row of sales "
                        "(market, item, period, qty) per series to forecast."
                    ),
                )
            ]
        )
    parsed = [parse_label(p) for p in frame["period"]]
    ordinals = np.array([p.ordinal for p in parsed if p is not None], dtype=np.int64)
    frequency = parsed[0].frequency if parsed[0] is not None else "quarter"
    first, last = int(ordinals.min()), int(ordinals.max())
    width = last - first + 1
    markets = frame["market"].astype(str).to_numpy()
    items = frame["item"].astype(str).to_numpy()
    qty = frame["qty"].to_numpy(dtype=float)
    order = np.lexsort((ordinals, items, markets))
    keys: list[tuple[str, str]] = []
    values: list[np.ndarray] = []
    filled: list[int] = []
    errors: list[Problem] = []
    start = 0
    while start < len(order):
        end = start
        key = (markets[order[start]], items[order[start]])
        while end < len(order) and (markets[order[end]], items[order[end]]) == key:
            end += 1
        rows = order[start:end]
        series = np.full(width, np.nan)
        series[ordinals[rows] - first] = qty[rows]
        begin = int(ordinals[rows[0]]) - first
        missing = np.isnan(series[begin:])
        if missing.any() and not fill_zero:
            errors.extend(_gap_problems(network, rows, ordinals, frequency, last))
        series[begin:][missing] = 0.0
        keys.append(key)
        values.append(series)
        filled.append(int(missing.sum()))
        start = end
    if errors:
        raise InputError(errors)
    panel = Panel(
        keys=keys,
        frequency=frequency,
        first=CalendarPeriod(frequency, first),
        values=np.vstack(values),
        filled=np.array(filled),
    )
    warnings = [p for p in problems if p.severity is Severity.WARNING]
    return panel, warnings


def _gap_problems(
    network: Network, rows: np.ndarray, ordinals: np.ndarray, frequency: str, last: int
) -> list[Problem]:
    """One problem per gap of a series whose rows (positions, in time order) are ``rows``:
    at the row after the gap, or at its last row if it stops before the history's end."""
    out = []
    for before, after in pairwise(rows):
        a, b = int(ordinals[before]), int(ordinals[after])
        if b - a > 1:
            out.append(
                row_problem(
                    network,
                    TABLE,
                    int(after),
                    "period",
                    f"{_missing(frequency, a + 1, b - 1)} missing in this series: it follows "
                    f"{format_value(label(frequency, a))} (row "
                    f"{network.row_number(TABLE, int(before))}); series must run without "
                    f"gaps: give the sales of every period (0 if none), {FILL_ZERO_HINT}.",
                    check="check_history_gaps",
                    value=network[TABLE].at[int(after), "period"],
                )
            )
    end = int(ordinals[rows[-1]])
    if end < last:
        out.append(
            row_problem(
                network,
                TABLE,
                int(rows[-1]),
                "period",
                f"this series stops at {format_value(label(frequency, end))} but the history "
                f"runs to {format_value(label(frequency, last))}: "
                f"{_missing(frequency, end + 1, last)} missing; every series must run to "
                f"the history's last period: give its sales (0 if none), {FILL_ZERO_HINT}.",
                check="check_history_gaps",
                value=network[TABLE].at[int(rows[-1]), "period"],
            )
        )
    return out


def _missing(frequency: str, a: int, b: int) -> str:
    """``2023-Q3 is`` or ``2023-Q3 to 2024-Q1 (3 periods) are``."""
    if a == b:
        return f"{label(frequency, a)} is"
    return f"{label(frequency, a)} to {label(frequency, b)} ({b - a + 1} periods) are"


def item_groups(network: Network) -> Mapping[str, str]:
    """The group of each item from table ``items`` (items without one are left out)."""
    items = network["items"]
    rows = items.dropna(subset=["item", "group"])
    return dict(zip(rows["item"].astype(str), rows["group"].astype(str), strict=True))
