"""Choosing a method per series by a rolling-origin backtest, and calibrating the
intervals' width by the errors the backtest measured.

**Backtest.** The history of a series is cut at :data:`WINDOWS` origins, ``STEP``
periods apart, the last one ``h`` periods before its end (``h`` the horizon, or less when
the series is short; every cut keeps at least :data:`~emsplan.forecast.models.MIN_LENGTH`
periods, two seasons when it can). Each candidate method forecasts the ``h`` periods after
each origin from the periods before it; its error is the MASE, the mean absolute error
divided by the mean absolute change from one season to the next in the periods before
the origin, averaged over the origins.

**Choice.** The method of least backtest error, except that the combination of ets, arima
and theta is kept unless a single method's error is lower by more than
:data:`COMBINATION_MARGIN` of it: combinations are the more reliable forecasts in the
forecasting competitions (M3, M4), and a backtest of three origins is a small sample.

**Calibration.** A method's interval assumes its model is right; the backtest says how
far off its errors really were. For each backtest window, the method the other windows
choose forecasts it (choosing and scoring on the same window would flatter the choice),
and its error is divided by its interval's half-width on its side (above or below);
the ``level`` quantile of these ratios, pooled over all series of a run, is the factor
:func:`calibration` widens (or narrows) every interval by. With few backtest windows the
factor is shrunk towards 1 (in logarithms, by ``n / (n + PRIOR_WINDOWS)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from emsplan.forecast.models import (
    COMBINED,
    MIN_LENGTH,
    Prediction,
    candidates,
    combine,
    predict,
    seasonal,
)

#: Backtest origins per series, and the periods between them.
WINDOWS = 3
STEP = 2
#: A single method replaces the combination only when its backtest error is lower by more
#: than this share of the combination's.
COMBINATION_MARGIN = 0.2
#: The calibration factor is shrunk towards 1 as if this many windows said 1.
PRIOR_WINDOWS = 10
#: The largest calibration factor (a guard against intervals of near-zero width that a
#: backtest found far off).
MAX_FACTOR = 10.0


@dataclass
class SeriesFit:
    """One series' chosen method and what its backtest measured.

    Attributes
    ----------
    model : the chosen method (see :mod:`emsplan.forecast.models`).
    prediction : its forecast of the horizon, before calibration, with fitted values.
    backtest_mase : its backtest error (MASE); NaN when the series was too short for one.
    errors : the backtest error of every candidate.
    ratios : error / interval half-width of the chosen method's backtest forecasts.
    windows : the backtest origins used.
    """

    model: str
    prediction: Prediction
    backtest_mase: float = float("nan")
    errors: dict[str, float] = field(default_factory=dict)
    ratios: np.ndarray = field(default_factory=lambda: np.zeros(0))
    windows: int = 0


def mase_scale(y: np.ndarray, season_length: int) -> float:
    """The mean absolute change from one season to the next (one period to the next when
    the series is shorter than two seasons); the mean absolute value when that is 0 (a
    constant series), and 1 when that is 0 too."""
    m = seasonal(y, season_length)
    if len(y) > m:
        scale = float(np.mean(np.abs(y[m:] - y[:-m])))
        if scale > 0:
            return scale
    level = float(np.mean(np.abs(y))) if len(y) else 0.0
    return level if level > 0 else 1.0


def origins(n: int, horizon: int, season_length: int) -> tuple[list[int], int]:
    """The backtest's cut points (the number of periods each window trains on) and the
    periods each forecasts; no cut when the series is too short for one."""
    for least in (max(MIN_LENGTH, 2 * season_length), MIN_LENGTH):
        h = min(horizon, n - least - STEP * (WINDOWS - 1))
        if h >= 1:
            return [n - h - STEP * j for j in reversed(range(WINDOWS))], h
    h = min(horizon, n - MIN_LENGTH)
    return ([n - h], h) if h >= 1 else ([], 0)


def ratios(actual: np.ndarray, p: Prediction) -> np.ndarray:
    """``|error| / half-width`` of each period, the half-width on the error's side (0 for
    no error, infinite for an error outside a zero-width interval)."""
    mean = p.mean[: len(actual)]
    error = actual - mean
    half = np.where(error >= 0, p.hi[: len(actual)] - mean, mean - p.lo[: len(actual)])
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.abs(error) / half
    return np.where(error == 0, 0.0, np.where(half > 0, r, np.inf))


def _predict_all(
    names: Sequence[str], y: np.ndarray, horizon: int, season_length: int, level: float
) -> dict[str, Prediction]:
    """Every method of ``names`` (the combination from its parts, each fitted once)."""
    needed = [n for n in names if n != "combination"]
    if "combination" in names:
        needed += [n for n in COMBINED if n not in needed]
    out = {n: predict(n, y, horizon, season_length, level) for n in needed}
    if "combination" in names:
        out["combination"] = combine([out[n] for n in COMBINED])
    return {n: out[n] for n in names}


def choose(errors: dict[str, float]) -> str:
    """The method of least error, unless the combination is within
    :data:`COMBINATION_MARGIN` of it."""
    best = min(errors, key=lambda n: (errors[n], n != "combination"))
    combination = errors.get("combination", np.inf)
    if best != "combination" and errors[best] >= (1 - COMBINATION_MARGIN) * combination:
        return "combination"
    return best


def fit_series(y: np.ndarray, horizon: int, season_length: int, level: float) -> SeriesFit:
    """Backtest the candidates on ``y`` (no missing values), choose one and forecast.

    A series shorter than :data:`~emsplan.forecast.models.MIN_LENGTH` gets the fallback
    method (the caller warns); one too short for a backtest gets the combination."""
    y = np.asarray(y, dtype=float)
    if len(y) < MIN_LENGTH:
        return SeriesFit("fallback", predict("fallback", y, horizon, season_length, level))
    names = candidates(y)
    cuts, h = origins(len(y), horizon, season_length)
    scores: dict[str, list[float]] = {n: [] for n in names}
    found: dict[str, list[np.ndarray]] = {n: [] for n in names}
    for cut in cuts:
        train, actual = y[:cut], y[cut : cut + h]
        scale = mase_scale(train, season_length)
        for name, p in _predict_all(names, train, h, season_length, level).items():
            scores[name].append(float(np.mean(np.abs(actual - p.mean))) / scale)
            found[name].append(ratios(actual, p))
    errors = {n: float(np.mean(v)) for n, v in scores.items() if v}
    model = choose(errors) if errors else "combination"
    prediction = predict(model, y, horizon, season_length, level, fitted=True)
    return SeriesFit(
        model=model,
        prediction=prediction,
        backtest_mase=errors.get(model, float("nan")),
        errors=errors,
        ratios=_held_out_ratios(scores, found),
        windows=len(cuts),
    )


def _held_out_ratios(
    scores: dict[str, list[float]], found: dict[str, list[np.ndarray]]
) -> np.ndarray:
    """The error ratios of choosing by the backtest, measured honestly: for each window,
    the ratios of the method the *other* windows choose (the chosen method's own ratios
    would flatter it, as it was chosen for being right in those very windows). With one
    window, that window's choice."""
    windows = len(next(iter(scores.values()), []))
    out = []
    for w in range(windows):
        others = {n: [s for i, s in enumerate(v) if i != w] for n, v in scores.items()}
        errors = {n: float(np.mean(v)) for n, v in others.items() if v}
        errors = errors or {n: v[w] for n, v in scores.items()}
        out.append(found[choose(errors)][w])
    return np.concatenate(out) if out else np.zeros(0)


def calibration(fits: Sequence[SeriesFit], level: float) -> float:
    """The factor the intervals' half-widths are multiplied by: the ``level`` quantile of
    the backtest's error ratios of all ``fits``, shrunk towards 1 in logarithms by
    ``n / (n + PRIOR_WINDOWS)`` for ``n`` backtest windows; 1 without a backtest."""
    found = [f.ratios for f in fits if len(f.ratios)]
    if not found:
        return 1.0
    k = float(np.quantile(np.concatenate(found), level / 100))
    if k <= 0:
        return 0.0
    n = sum(f.windows for f in fits if len(f.ratios))
    return float(min(k, MAX_FACTOR) ** (n / (n + PRIOR_WINDOWS)))


def calibrated(p: Prediction, factor: float) -> Prediction:
    """``p`` with its interval's half-widths multiplied by ``factor``."""
    return Prediction(
        p.mean, p.mean - factor * (p.mean - p.lo), p.mean + factor * (p.hi - p.mean), p.fitted
    )
