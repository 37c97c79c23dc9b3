"""Made-up sales histories, to try ``emsplan forecast`` on and to test it with.

:func:`simulate_history` writes the past of a network's demand: for each market and
product the network has demand for, ``periods`` periods of sales ending the period before
the network's first, that grow into the network's demand of its first season. Each
series is

    qty_t = level_t * season_t * promotion_t * noise_t,

with ``level_t`` growing by ``growth`` a year, ``season_t`` a festive peak in the last
quarter (October-December: Diwali; months and years alike), a promotion in 1 period in 10
(+25% sales, -8% price) and log-normal noise (coefficient of variation ``noise``). The
last product of the network's demand launches ``periods // 3`` periods before the end (its
history is shorter, as a new phone's is). The same seed gives the same history.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from emsplan.core.periods import SEASON_LENGTH, label, parse_label
from emsplan.data.network import Network

#: Sales relative to the year's mean, per quarter (a festive last quarter).
QUARTER_SEASON = np.array([0.92, 0.90, 1.00, 1.18])


def _season(frequency: str, ordinal: int) -> float:
    if frequency == "quarter":
        return float(QUARTER_SEASON[ordinal % 4])
    if frequency == "month":
        return float(np.repeat(QUARTER_SEASON, 3)[ordinal % 12])
    return 1.0


def simulate_history(
    network: Network,
    *,
    periods: int = 20,
    seed: int = 0,
    growth: float = 0.08,
    noise: float = 0.08,
) -> pd.DataFrame:
    """A sales history (the columns of table ``sales_history``) for ``network``'s demand.

    Raises ValueError when the network's first period is not a calendar label
    (YYYY-Qn, YYYY-MM or YYYY), as the history's periods must be, or it has no demand.
    """
    labels = network.period_labels
    first = parse_label(labels[0]) if labels else None
    if first is None:
        raise ValueError(
            "the network's first period must be a calendar label (YYYY-Qn, YYYY-MM or YYYY) "
            "for a history to end before it"
        )
    demand = network["demand"]
    if demand.empty:
        raise ValueError("the network has no demand to make a history of")
    m = SEASON_LENGTH[first.frequency]
    rng = np.random.default_rng(seed)
    start = first.ordinal - periods
    opening = demand[demand["period"].isin(labels[:m])]
    series = opening.groupby(["market", "item"], sort=True).agg(
        qty=("qty", "mean"), price=("price", "mean")
    )
    newest = sorted(demand["item"].unique())[-1]
    rows = []
    per_period = (1 + growth) ** (1 / m) - 1
    for (market, item), qty, price in zip(
        series.index, series["qty"], series["price"], strict=True
    ):
        season_mean = np.mean([_season(first.frequency, first.ordinal + k) for k in range(m)])
        base = float(qty) / season_mean
        launch = start + (periods - periods // 3 if item == newest else 0)
        for ordinal in range(launch, first.ordinal):
            ahead = first.ordinal - ordinal  # periods before the network's first
            level = base / (1 + per_period) ** ahead
            promotion = int(rng.random() < 0.1)
            noise_t = rng.lognormal(-0.5 * np.log1p(noise**2), np.sqrt(np.log1p(noise**2)))
            sold = level * _season(first.frequency, ordinal) * (1.25 if promotion else 1.0)
            rows.append(
                {
                    "market": market,
                    "item": item,
                    "period": label(first.frequency, ordinal),
                    "qty": round(float(sold * noise_t)),
                    "price": round(float(price) * (0.92 if promotion else 1.0), 2),
                    "promotion": promotion,
                }
            )
    return pd.DataFrame(rows, columns=["market", "item", "period", "qty", "price", "promotion"])
