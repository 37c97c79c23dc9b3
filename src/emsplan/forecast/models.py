"""The candidate forecasting methods of one series, each with its prediction interval.

=================  ===========================================================================
name               method
=================  ===========================================================================
ses                simple exponential smoothing (flat forecast)
holt               Holt's linear trend
damped             Holt's trend damped towards a flat line (Gardner and McKenzie)
ets                the one of ses, holt and damped of least AICc
theta              the theta method: simple exponential smoothing with half the history's
                   linear trend as drift (Assimakopoulos and Nikolopoulos, 2000, in Hyndman
                   and Billah's form)
seasonal_naive     each period as the same period of the last season (the last period for
                   years)
combination        the mean of ses, holt, damped and theta; its interval bounds are the means
                   of theirs
croston            Croston's method with the Syntetos-Boylan correction, for intermittent
                   series; its interval from the quantiles of its one-step errors
fallback           the mean of the last season's sales (of all, when fewer): for a series
                   too short for the methods above
=================  ===========================================================================

**Seasons.** As in the M3 and M4 competitions' benchmarks, a series of three seasons or more
whose autocorrelation at one season's lag is significant (90%, one-sided) is seasonally
adjusted by classical decomposition (multiplicative, or additive when a sale is 0), the
smoothing methods run on the adjusted series, and their forecasts and bounds are
seasonalised again.

**Fitting.** The smoothing parameters are chosen by least squares of the one-step errors
over a grid (every combination at once, with numpy); the initial level is the first
adjusted value and the initial trend the first change. Nothing is random.

**Intervals.** Each smoothing method is an additive-error linear state-space model (ETS):
its ``h``-step error variance is ``s2 (1 + sum_{j<h} c_j^2)``, with ``s2`` the variance of
its one-step errors and ``c_j = alpha`` (ses, theta), ``alpha + j beta`` (holt) or
``alpha + beta (phi + ... + phi^j)`` (damped) (Hyndman et al., 2008, ch. 6), and the
interval is the normal one. :mod:`emsplan.forecast.backtest` then calibrates every
interval's width by the errors its backtest measured.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

#: The methods chosen among by the backtest (croston only for intermittent series).
CANDIDATES = ("ets", "theta", "damped", "seasonal_naive", "combination")
#: The methods the combination averages.
COMBINED = ("ses", "holt", "damped", "theta")
#: Fewer observations than this and a series gets the fallback method, with a warning.
MIN_LENGTH = 6
#: A series is intermittent when its average interval between sales (periods per period
#: with sales) exceeds this (Syntetos, Boylan and Croston, 2005).
INTERMITTENT_ADI = 1.32
#: Croston's smoothing constant (the usual 0.1).
CROSTON_ALPHA = 0.1

#: The grids the smoothing parameters are chosen on.
_ALPHAS = np.linspace(0.02, 1.0, 50)
_BETAS = np.array([0.01, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5])  # as shares of alpha
_PHIS = np.array([0.8, 0.85, 0.9, 0.95, 0.98])


@dataclass(frozen=True)
class Prediction:
    """A method's forecast of one series: the mean, the interval's bounds (each of the
    horizon's length) and, when asked for, the one-step fitted values of the history
    (NaN where the method has none)."""

    mean: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    fitted: np.ndarray | None = None


def z_value(level: float) -> float:
    """The standard normal quantile of a central interval of ``level`` percent."""
    return NormalDist().inv_cdf(0.5 + level / 200)


def seasonal(y: np.ndarray, season_length: int) -> int:
    """The season's length for the seasonal naive method and the error scale: the
    season's when the series holds two seasons or more, else 1."""
    return season_length if season_length > 1 and len(y) >= 2 * season_length else 1


def is_intermittent(y: np.ndarray) -> bool:
    """True when sales are occasional: the average interval between periods with sales
    exceeds :data:`INTERMITTENT_ADI` (a series without sales is not intermittent)."""
    sales = int(np.count_nonzero(np.asarray(y) > 0))
    return sales > 0 and len(y) / sales > INTERMITTENT_ADI


def candidates(y: np.ndarray) -> tuple[str, ...]:
    """The methods the backtest chooses among for series ``y``."""
    return (*CANDIDATES, "croston") if is_intermittent(y) else CANDIDATES


def predict(
    name: str,
    y: np.ndarray,
    horizon: int,
    season_length: int,
    level: float,
    *,
    fitted: bool = False,
) -> Prediction:
    """Forecast ``horizon`` periods of ``y`` with the method ``name`` (see the table of the
    module), with the central interval of ``level`` percent; ``fitted`` is accepted for
    symmetry (every method returns its fitted values)."""
    y = np.asarray(y, dtype=float)
    if name == "combination":
        return combine([predict(n, y, horizon, season_length, level) for n in COMBINED])
    if name == "fallback":
        return fallback(y, horizon, season_length, level)
    if name == "croston":
        return croston(y, horizon, level)
    if name == "seasonal_naive":
        return seasonal_naive(y, horizon, season_length, level)
    if name not in ("ses", "holt", "damped", "ets", "theta"):
        raise ValueError(f"unknown forecasting method {name!r}")
    return _smoothing(name, y, horizon, season_length, level)


def combine(parts: list[Prediction]) -> Prediction:
    """The mean of several methods' forecasts: means, bounds and fitted values averaged
    (the bounds' average is the interval of the average forecast when the methods'
    errors move together, and wider than it otherwise)."""
    mean = np.mean([p.mean for p in parts], axis=0)
    lo = np.mean([p.lo for p in parts], axis=0)
    hi = np.mean([p.hi for p in parts], axis=0)
    fits = [p.fitted for p in parts if p.fitted is not None]
    fitted = np.mean(fits, axis=0) if len(fits) == len(parts) else None
    return Prediction(mean, lo, hi, fitted)


# -- seasons -------------------------------------------------------------------------------
def _acf(y: np.ndarray, lag: int) -> float:
    d = y - y.mean()
    den = float(d @ d)
    return float(d[lag:] @ d[:-lag]) / den if den > 0 else 0.0


def is_seasonal(y: np.ndarray, season_length: int) -> bool:
    """True when ``y`` holds three seasons or more and its autocorrelation at one season's
    lag exceeds ``1.645 sqrt((1 + 2 sum_{k<m} r_k^2) / n)`` (the M4 benchmarks' test)."""
    m, n = season_length, len(y)
    if m <= 1 or n < 3 * m:
        return False
    spread = 1 + 2 * sum(_acf(y, k) ** 2 for k in range(1, m))
    return abs(_acf(y, m)) > 1.645 * np.sqrt(spread / n)


def seasonal_indices(y: np.ndarray, season_length: int) -> tuple[np.ndarray, bool]:
    """Classical decomposition's seasonal indices (one per position in the season, the
    first for the series' first period) and whether they multiply (all sales positive) or
    add: the ratios (differences) of the series to its centred moving average of one
    season, averaged per position and normalised to a mean of 1 (0)."""
    m = season_length
    multiplicative = bool(np.all(y > 0))
    weights = np.ones(m + 1 if m % 2 == 0 else m)
    if m % 2 == 0:
        weights[[0, -1]] = 0.5
    weights /= m
    trend = np.convolve(y, weights, mode="valid")
    offset = len(weights) // 2
    core = y[offset : offset + len(trend)]
    ratio = core / trend if multiplicative else core - trend
    positions = (np.arange(len(trend)) + offset) % m
    index = np.array([ratio[positions == p].mean() for p in range(m)])
    if multiplicative:
        return index / index.mean(), True
    return index - index.mean(), False


# -- exponential smoothing ---------------------------------------------------------------
@dataclass(frozen=True)
class _Fit:
    """A smoothing method fitted to a (seasonally adjusted) series."""

    mean: np.ndarray  # the forecast, h periods
    fitted: np.ndarray  # one-step fitted values, n periods
    c: np.ndarray  # c_j for j = 1 .. h-1 (error variance weights)
    sse: float
    parameters: int


def _grid(kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(alpha, beta, phi) of every grid point of a method."""
    if kind in ("ses", "theta"):
        return _ALPHAS, np.zeros_like(_ALPHAS), np.ones_like(_ALPHAS)
    a, b = np.meshgrid(_ALPHAS, _BETAS, indexing="ij")
    if kind == "holt":
        return a.ravel(), (a * b).ravel(), np.ones(a.size)
    a, b, p = np.meshgrid(_ALPHAS, _BETAS, _PHIS, indexing="ij")
    return a.ravel(), (a * b).ravel(), p.ravel()


def _smooth(kind: str, x: np.ndarray, horizon: int) -> _Fit:
    """Fit ses, holt, damped or theta to ``x`` by least squares over the grid."""
    alpha, beta, phi = _grid(kind)
    n = len(x)
    trend = kind in ("holt", "damped")
    level = np.full(alpha.shape, x[0])
    slope = np.full(alpha.shape, x[1] - x[0] if trend and n > 1 else 0.0)
    sse = np.zeros(alpha.shape)
    for t in range(1, n):
        forecast = level + phi * slope
        error = x[t] - forecast
        sse += error * error
        level = forecast + alpha * error
        slope = phi * slope + beta * error
    best = int(np.argmin(sse))
    a, b, p = float(alpha[best]), float(beta[best]), float(phi[best])
    # the chosen point again, for its fitted values and final states
    fitted = np.empty(n)
    fitted[0] = x[0]
    lv, sl = float(x[0]), float(x[1] - x[0]) if trend and n > 1 else 0.0
    for t in range(1, n):
        fitted[t] = lv + p * sl
        error = x[t] - fitted[t]
        lv, sl = fitted[t] + a * error, p * sl + b * error
    steps = np.arange(1, horizon + 1)
    damping = np.cumsum(p**steps)  # phi + ... + phi^h
    mean = lv + damping * sl
    j = steps[:-1]
    if kind == "holt":
        c = a + j * b
    elif kind == "damped":
        c = a + b * np.cumsum(p**j)
    else:
        c = np.full(len(j), a)
    if kind == "theta":  # drift: half the slope of the least-squares line
        drift = np.polyfit(np.arange(n), x, 1)[0] / 2 if n > 1 else 0.0
        mean = mean + drift * ((steps - 1) + (1 - (1 - a) ** n) / a)
        fitted[1:] += drift
    parameters = {"ses": 2, "theta": 3, "holt": 4, "damped": 5}[kind]
    return _Fit(mean, fitted, c, float(sse[best]), parameters)


def _aicc(f: _Fit, n: int) -> float:
    k = f.parameters
    sse = max(f.sse, 1e-12 * n)
    penalty = 2 * k * (k + 1) / (n - k - 1) if n - k - 1 > 0 else np.inf
    return n * np.log(sse / n) + 2 * k + penalty


def _smoothing(
    name: str, y: np.ndarray, horizon: int, season_length: int, level: float
) -> Prediction:
    """A smoothing method on the seasonally adjusted series, seasonalised again."""
    n = len(y)
    adjust, multiplicative = is_seasonal(y, season_length), False
    if adjust:
        index, multiplicative = seasonal_indices(y, season_length)
        past = index[np.arange(n) % season_length]
        future = index[(n + np.arange(horizon)) % season_length]
        x = y / past if multiplicative else y - past
    else:
        x = y
    if name == "ets":
        fits = [_smooth(kind, x, horizon) for kind in ("ses", "holt", "damped")]
        fit = min(fits, key=lambda f: _aicc(f, n))
    else:
        fit = _smooth(name, x, horizon)
    dof = max(n - 1 - fit.parameters, 1)
    s2 = fit.sse / dof
    sd = np.sqrt(s2 * (1 + np.concatenate([[0.0], np.cumsum(fit.c**2)])))
    half = z_value(level) * sd
    mean, lo, hi, fitted = fit.mean, fit.mean - half, fit.mean + half, fit.fitted
    if adjust and multiplicative:
        mean, lo, hi, fitted = mean * future, lo * future, hi * future, fitted * past
    elif adjust:
        mean, lo, hi, fitted = mean + future, lo + future, hi + future, fitted + past
    return Prediction(mean, lo, hi, fitted)


# -- the simple methods ----------------------------------------------------------------------
def seasonal_naive(y: np.ndarray, horizon: int, season_length: int, level: float) -> Prediction:
    """Each period as the same period of the last season (the last period when the series
    is shorter than two seasons); the error variance grows with the seasons ahead."""
    m = seasonal(y, season_length)
    n = len(y)
    steps = np.arange(horizon)
    mean = y[n - m + steps % m]
    fitted = np.full(n, np.nan)
    fitted[m:] = y[:-m]
    errors = y[m:] - y[:-m]
    sd = float(np.sqrt(np.mean(errors**2))) if len(errors) else 0.0
    half = z_value(level) * sd * np.sqrt(steps // m + 1)
    return Prediction(mean, mean - half, mean + half, fitted)


def croston(y: np.ndarray, horizon: int, level: float) -> Prediction:
    """Croston's method with the Syntetos-Boylan correction: the smoothed size of a sale
    over the smoothed interval between sales, times ``1 - alpha / 2``. Its interval holds
    the quantiles of its one-step errors in the history (sales come in lumps, which a
    normal interval does not describe)."""
    a = CROSTON_ALPHA
    sales = np.flatnonzero(y > 0)
    fitted = np.full(len(y), np.nan)
    if not len(sales):
        zero = np.zeros(horizon)
        return Prediction(zero, zero, zero, np.zeros(len(y)))
    size, interval = float(y[sales[0]]), float(sales[0] + 1)
    last = int(sales[0])
    for t in range(int(sales[0]) + 1, len(y)):
        fitted[t] = (1 - a / 2) * size / interval
        if y[t] > 0:
            size += a * (y[t] - size)
            interval += a * (t - last - interval)
            last = t
    rate = (1 - a / 2) * size / interval
    mean = np.full(horizon, rate)
    errors = (y - fitted)[np.isfinite(fitted)]
    tail = (1 - level / 100) / 2
    low, high = np.quantile(errors, [tail, 1 - tail]) if len(errors) else (0.0, 0.0)
    return Prediction(mean, mean + min(low, 0.0), mean + max(high, 0.0), fitted)


def fallback(
    y: np.ndarray,
    horizon: int,
    season_length: int,
    level: float,
    relative: np.ndarray | None = None,
) -> Prediction:
    """The mean of the last season's sales (all of them when the series is shorter),
    flat over the horizon. Its interval is ``mean +- z * sd`` with the sales' standard
    deviation about it (``sqrt(1 + 1/n)`` for the error of the mean). With fewer than
    two sales, or none that differ, the series cannot measure its own spread: the
    half-width is then ``relative`` times the mean (per period; the pipeline passes what
    the other series of the history measured), or half the mean without it. A planner
    should read such an interval as a guess."""
    window = np.asarray(y[-max(season_length, 1) :], dtype=float)
    level_mean = float(window.mean())
    n = len(y)
    sd = float(np.std(y, ddof=1)) if n >= 2 else 0.0
    mean = np.full(horizon, level_mean)
    if sd > 0:
        spread = np.full(horizon, z_value(level) * sd * np.sqrt(1 + 1 / n))
    else:
        share = 0.5 if relative is None else np.asarray(relative, dtype=float)
        spread = np.broadcast_to(share * abs(level_mean), (horizon,))
    return Prediction(mean, mean - spread, mean + spread, np.full(n, level_mean))
