"""Period spans: ``period_from`` and ``period_to`` (blank = open end) as period positions.

Duties, options and trade rules apply over the periods ``[period_from, period_to]``
in the order of table ``periods``; validation and the model read the spans with
:func:`spans` and :func:`span_mask` only, so that they agree.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
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
