"""``forecast(history, horizon)``: the demand forecast of a sales history, end to end.

Read the history as series (:mod:`emsplan.forecast.history`), forecast each series and
each total of the hierarchy with the method its backtest chooses and calibrate the
intervals (:mod:`emsplan.forecast.backtest`), reconcile the totals and the series
(:mod:`emsplan.forecast.reconcile`), and lay the result out as tables. Nothing is
random: the same history gives the same forecast.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from emsplan.core.problems import Problem, Severity
from emsplan.data.network import Network
from emsplan.forecast.backtest import SeriesFit, calibrated, calibration, fit_series
from emsplan.forecast.history import TABLE, Panel, history_network, item_groups, load_panel
from emsplan.forecast.models import MIN_LENGTH, fallback, z_value
from emsplan.forecast.reconcile import Node, build_hierarchy, reconcile

#: Called after each series is forecast: (series done, series in all, what was done).
Progress = Callable[[int, int, str], None]


@dataclass
class Forecast:
    """A reconciled demand forecast with its intervals.

    Attributes
    ----------
    table : one row per market, item and future period: ``market, item, period, qty,
        lo<L>, hi<L>, model, backtest_mase`` (``L`` the level, e.g. ``lo80``).
    totals : the same per item, per item group and overall (``level`` says which), each
        the sum of its series in ``table``.
    series : one row per series (market and item) and total: its level, the method
        chosen, its backtest error (MASE; blank when the series was too short for a
        backtest), the periods of history it had and how many of them were filled with 0.
    level : the intervals' level, in percent.
    frequency : ``quarter``, ``month`` or ``year``.
    periods : the future periods' labels.
    calibration : the factor the methods' interval widths were multiplied by.
    warnings : series that fell back to the simple method, gaps read as no sales.
    """

    table: pd.DataFrame
    totals: pd.DataFrame
    series: pd.DataFrame
    level: float
    frequency: str
    periods: list[str]
    calibration: float
    warnings: list[Problem] = field(default_factory=list)

    @property
    def lo(self) -> str:
        """The name of the lower bound's column (``lo80``)."""
        return f"lo{self.level:g}"

    @property
    def hi(self) -> str:
        """The name of the upper bound's column (``hi80``)."""
        return f"hi{self.level:g}"


def forecast(
    history: pd.DataFrame | Network,
    horizon: int,
    *,
    level: float = 80,
    fill_zero: bool = False,
    groups: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> Forecast:
    """Forecast ``horizon`` periods of every series of a sales history.

    Parameters
    ----------
    history : a frame with the columns of table ``sales_history`` (market, item, period,
        qty; price and promotion optional), or a network holding that table.
    horizon : the periods to forecast after the history's last, at least 1.
    level : the prediction intervals' level in percent (80: the 10% and 90% quantiles).
    fill_zero : read periods missing inside a series as no sales (else they are errors).
    groups : the group of each item (``items.group``), for the group totals; by default
        those of the network's ``items`` table, if it has one.
    progress : called after each series is forecast.

    Raises
    ------
    InputError : the history has errors (each names its row, key and column).
    ValueError : ``horizon`` below 1 or ``level`` outside (0, 100).
    """
    if horizon < 1:
        raise ValueError(f"the horizon must be at least 1 period; got {horizon}")
    if not 0 < level < 100:
        raise ValueError(f"the level must be a percentage between 0 and 100; got {level}")
    network = history_network(history)
    panel, warnings = load_panel(network, fill_zero=fill_zero)
    groups = item_groups(network) if groups is None else groups
    hierarchy = build_hierarchy(panel.keys, groups)
    nodes = hierarchy.nodes
    values = hierarchy.summing @ np.nan_to_num(panel.values)  # nodes x periods
    started = hierarchy.summing @ np.isfinite(panel.values).astype(float) > 0
    begins = [int(np.argmax(row)) for row in started]
    season = panel.season_length
    fits: list[SeriesFit] = []
    for k, node in enumerate(nodes):
        fits.append(fit_series(values[k, begins[k] :], horizon, season, level))
        if progress is not None:
            progress(k + 1, len(nodes), _name(node))
    factor = calibration(fits, level)
    relative = _relative_spread(fits)
    predictions = [
        fallback(values[k, begins[k] :], horizon, season, level, relative)
        if f.model == "fallback"
        else calibrated(f.prediction, factor)
        for k, f in enumerate(fits)
    ]
    residuals = np.full(values.T.shape, np.nan)  # one-step errors, periods x nodes
    for k, p in enumerate(predictions):
        if p.fitted is not None:
            residuals[begins[k] :, k] = values[k, begins[k] :] - p.fitted
    # a node with too few residuals: the variance its first period's interval implies
    variances = np.array([((p.hi[0] - p.lo[0]) / (2 * z_value(level))) ** 2 for p in predictions])
    base = np.vstack([p.mean for p in predictions])
    reconciled, _ = reconcile(hierarchy, base, residuals, variances)
    # each node's interval: its widths below and above its base forecast, around its
    # reconciled forecast, no bound below 0
    below = np.vstack([p.mean - p.lo for p in predictions])
    above = np.vstack([p.hi - p.mean for p in predictions])
    lo = np.clip(reconciled - below, 0.0, reconciled)
    hi = np.maximum(reconciled + above, reconciled)
    periods = panel.future(horizon)
    lo_name, hi_name = f"lo{level:g}", f"hi{level:g}"
    first = len(nodes) - hierarchy.n_bottom
    table = _frame(
        [(node, k, reconciled[k]) for k, node in enumerate(nodes) if k >= first],
        fits,
        lo,
        hi,
        periods,
    )
    bottom = reconciled[first:]
    totals = _frame(
        [(node, k, bottom[list(node.members)].sum(axis=0)) for node, k in hierarchy.reported],
        fits,
        lo,
        hi,
        periods,
    )
    names = {"lo": lo_name, "hi": hi_name}
    return Forecast(
        table=table[["market", "item", *OUT_COLUMNS]].rename(columns=names),
        totals=totals[["level", "group", "item", *OUT_COLUMNS]].rename(columns=names),
        series=_series(nodes, hierarchy.reported, fits, started, panel),
        level=level,
        frequency=panel.frequency,
        periods=periods,
        calibration=factor,
        warnings=[*warnings, *_warnings(panel, nodes, fits, started)],
    )


#: The columns of the forecast's tables after the series' names.
OUT_COLUMNS = ["period", "qty", "lo", "hi", "model", "backtest_mase"]


def _name(node: Node) -> str:
    if node.level == "series":
        return f"{node.market} / {node.item}"
    if node.level == "total":
        return "total"
    return f"{node.level} {node.item if node.level == 'item' else node.group}"


def _relative_spread(fits: list[SeriesFit]) -> np.ndarray | None:
    """The median, over the modelled series, of the ratio of their interval's half-width
    to their forecast, period by period (for a fallback series that cannot measure its
    own spread); None without such series."""
    modelled = [f.prediction for f in fits if f.model != "fallback"]
    ratios = [(p.hi - p.lo) / (2 * np.abs(p.mean)) for p in modelled if np.all(p.mean != 0)]
    return np.median(ratios, axis=0) if ratios else None


def _frame(
    rows: list[tuple[Node, int, np.ndarray]],
    fits: list[SeriesFit],
    lo: np.ndarray,
    hi: np.ndarray,
    periods: list[str],
) -> pd.DataFrame:
    """One row per (node, its position in the hierarchy, its forecast) and period: level,
    group, item, market, period, qty, lo, hi, model, backtest_mase. The bounds are those
    of the node at that position, widened to hold the forecast."""
    records = [
        {
            "level": node.level,
            "group": node.group,
            "item": node.item,
            "market": node.market,
            "period": period,
            "qty": float(qty[t]),
            "lo": float(min(lo[k, t], qty[t])),
            "hi": float(max(hi[k, t], qty[t])),
            "model": fits[k].model,
            "backtest_mase": fits[k].backtest_mase,
        }
        for node, k, qty in rows
        for t, period in enumerate(periods)
    ]
    columns = ["level", "group", "item", "market", *OUT_COLUMNS]
    return pd.DataFrame(records, columns=columns)


def _series(
    nodes: list[Node],
    reported: list[tuple[Node, int]],
    fits: list[SeriesFit],
    started: np.ndarray,
    panel: Panel,
) -> pd.DataFrame:
    """One row per bottom series and per total: the method, its backtest error, the
    periods of history and how many were filled with zeros."""
    n_totals = len(nodes) - len(panel.keys)
    filled = dict(zip(range(n_totals, len(nodes)), panel.filled.tolist(), strict=True))
    rows = []
    shown = [(node, k) for k, node in enumerate(nodes) if node.level == "series"] + reported
    for node, k in shown:
        rows.append(
            {
                "level": node.level,
                "group": node.group,
                "item": node.item,
                "market": node.market,
                "model": fits[k].model,
                "backtest_mase": fits[k].backtest_mase,
                "backtest_windows": fits[k].windows,
                "history": int(started[k].sum()),
                "filled": filled.get(k, 0),
            }
        )
    return pd.DataFrame(rows)


def _warnings(
    panel: Panel, nodes: list[Node], fits: list[SeriesFit], started: np.ndarray
) -> list[Problem]:
    """A warning per series that fell back to the simple method, and per series with
    periods read as no sales."""
    out = []
    n_totals = len(nodes) - len(panel.keys)
    for k, node in enumerate(nodes):
        key = {"market": node.market, "item": node.item}
        if node.level != "series":
            key = {c: v for c, v in (("group", node.group), ("item", node.item)) if v}
        if fits[k].model == "fallback":
            n = int(started[k].sum())
            out.append(
                Problem(
                    check="forecast_fallback",
                    table=TABLE,
                    key=key,
                    message=(
                        f"the series {_name(node)} has {n} period(s) of history, fewer than "
                        f"the {MIN_LENGTH} the forecasting methods need; it is forecast by "
                        "the mean of its last season's sales, and its interval is a rough "
                        "guide."
                    ),
                    severity=Severity.WARNING,
                )
            )
        if k >= n_totals and panel.filled[k - n_totals]:
            out.append(
                Problem(
                    check="forecast_fill_zero",
                    table=TABLE,
                    key=key,
                    message=(
                        f"{panel.filled[k - n_totals]} missing period(s) of the series "
                        f"{_name(node)} were read as no sales (fill_zero)."
                    ),
                    severity=Severity.WARNING,
                )
            )
    return out
