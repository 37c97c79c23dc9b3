"""Period spans, and period labels read as calendar periods.

Duties, options and trade rules apply over the periods ``[period_from, period_to]``
(blank = open end) in the order of table ``periods``; validation and the model read the
spans with :func:`spans` and :func:`span_mask` only, so that they agree.

A sales history's periods must be calendar periods, so that a forecast can continue
them: ``YYYY-Qn`` (quarters), ``YYYY-MM`` (months) or ``YYYY`` (years).
:func:`parse_label` reads one as its frequency and ordinal (consecutive periods have
consecutive ordinals) and :func:`label` writes it back; validation and the forecast use
these two only.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pandas as pd

Label = TypeVar("Label", bound=Hashable)


def period_positions(periods: Sequence[Label]) -> dict[Label, int]:
    """Position of each period label in ``periods`` (the first, if a label repeats)."""
    positions: dict[Label, int] = {}
    for i, label in enumerate(periods):
        positions.setdefault(label, i)
    return positions


def spans(
    period_from: pd.Series, period_to: pd.Series, periods: Sequence[Hashable]
) -> tuple[pd.Series, pd.Series]:
    """First and last period position of each row, as float Series (index of the input).

    A blank ``period_from`` opens the span at the first period (position 0), a blank
    ``period_to`` at the last (``len(periods) - 1``). A period that is not in
    ``periods`` gives NaN (validation reports it; a valid network has none), and so
    does every open end when there are no periods. A span whose first position comes
    after its last is returned as it is (validation reports it).
    """
    positions = period_positions(periods)
    first = period_from.astype(object).map(positions).astype("float64")
    last = period_to.astype(object).map(positions).astype("float64")
    open_first, open_last = (0.0, len(periods) - 1.0) if len(periods) else (np.nan, np.nan)
    first = first.where(period_from.notna(), open_first)
    last = last.where(period_to.notna(), open_last)
    return first, last


def span_mask(
    first: pd.Series | np.ndarray, last: pd.Series | np.ndarray, n_periods: int
) -> np.ndarray:
    """(row, period) mask: True where the period position t is in ``[first, last]``."""
    t = np.arange(n_periods)[None, :]
    first_ = np.asarray(first, dtype=float)[:, None]
    last_ = np.asarray(last, dtype=float)[:, None]
    return (t >= first_) & (t <= last_)


# -- calendar period labels -------------------------------------------------------------------
#: The period label formats, as a planner reads them (for messages and docs).
LABEL_FORMATS = "YYYY-Qn (quarters, e.g. 2024-Q1), YYYY-MM (months, e.g. 2024-01) or YYYY (years)"

#: Periods per year of each frequency: the length of a season.
SEASON_LENGTH = {"quarter": 4, "month": 12, "year": 1}

_QUARTER = re.compile(r"(\d{4})-[Qq]([1-4])")
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
_YEAR = re.compile(r"(\d{4})")


@dataclass(frozen=True, order=True)
class CalendarPeriod:
    """A calendar period: its frequency (``quarter``, ``month`` or ``year``) and its
    ordinal (``year * 4 + quarter - 1``, ``year * 12 + month - 1`` or ``year``), so that
    the next period of a frequency has the next ordinal."""

    frequency: str
    ordinal: int

    def __add__(self, steps: int) -> CalendarPeriod:
        return CalendarPeriod(self.frequency, self.ordinal + steps)

    def __str__(self) -> str:
        return label(self.frequency, self.ordinal)


def parse_label(text: object) -> CalendarPeriod | None:
    """The calendar period a label names (``2024-Q1``, ``2024-01``, ``2024``; blanks
    around it and a lower-case q are accepted), or None if it names none."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if match := _QUARTER.fullmatch(text):
        return CalendarPeriod("quarter", int(match[1]) * 4 + int(match[2]) - 1)
    if match := _MONTH.fullmatch(text):
        return CalendarPeriod("month", int(match[1]) * 12 + int(match[2]) - 1)
    if match := _YEAR.fullmatch(text):
        return CalendarPeriod("year", int(match[1]))
    return None


def label(frequency: str, ordinal: int) -> str:
    """The label of a calendar period: the inverse of :func:`parse_label`."""
    if frequency == "quarter":
        return f"{ordinal // 4:04d}-Q{ordinal % 4 + 1}"
    if frequency == "month":
        return f"{ordinal // 12:04d}-{ordinal % 12 + 1:02d}"
    if frequency == "year":
        return f"{ordinal:04d}"
    raise ValueError(f"unknown frequency {frequency!r}; the frequencies are {list(SEASON_LENGTH)}")
