"""Accuracy of emsplan's forecasts on the quarterly series of the M3 competition.

``../shared/data/m3-quarterly/`` (beside the repository) holds 189 quarterly series of M3
with the forecasts of R's ``forecast`` package (``ets``, ``auto.arima``) for their last 8
quarters (see its README.md). Each series' history is forecast 8 quarters ahead with
emsplan's method (:func:`emsplan.forecast.backtest.fit_series`: the method a rolling-origin
backtest chooses; intervals calibrated by the backtest's errors pooled over the 189
series, as :func:`emsplan.forecast.forecast` pools them over the series of a history), and
scored as the README scores R's: per series, then averaged over series,

- sMAPE = mean over the 8 quarters of ``200 |y - f| / (|y| + |f|)``;
- MASE = mean ``|y - f|`` / mean ``|y_t - y_{t-4}|`` over the history;
- coverage = share of the future values inside the 80% interval.

The table has R's ETS and ARIMA, emsplan's method, and each of emsplan's candidate methods
alone (uncalibrated, and with the same calibration), all on the same series. Nothing is
random: a rerun gives the same figures. Writes ``benchmarks/results/forecast_m3.json``;
skips (exit 0) when the data are absent.

    python benchmarks/forecast_m3.py                 # all 189 series, 2 processes
    python benchmarks/forecast_m3.py --series 30 --workers 1
    python benchmarks/forecast_m3.py --margin 0 --out /tmp/m3.json   # pure selection
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from emsplan.forecast import backtest  # noqa: E402
from emsplan.forecast.backtest import SeriesFit, calibrated, calibration, fit_series  # noqa: E402
from emsplan.forecast.models import CANDIDATES, COMBINED, Prediction, predict  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "m3-quarterly"
RESULT = ROOT / "benchmarks" / "results" / "forecast_m3.json"
HORIZON, SEASON, LEVEL = 8, 4, 80
#: The methods scored alone beside the chosen one.
ALONE = tuple(dict.fromkeys([*COMBINED, *CANDIDATES]))


def load(limit: int | None) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], pd.DataFrame]:
    series = pd.read_csv(DATA / "series.csv")
    order = list(dict.fromkeys(series["series_id"]))[:limit]
    series = series[series["series_id"].isin(order)]
    history, future = {}, {}
    for sid, rows in series.groupby("series_id", sort=False):
        rows = rows.sort_values("timestamp")
        history[str(sid)] = rows.loc[rows["part"] == "history", "value"].to_numpy(float)
        future[str(sid)] = rows.loc[rows["part"] == "future", "value"].to_numpy(float)
    r = pd.read_csv(DATA / "r-forecasts.csv")
    return history, future, r[r["series_id"].isin(order)]


def set_margin(margin: float) -> None:
    """Set the combination's margin in a worker (see ``--margin``)."""
    backtest.COMBINATION_MARGIN = margin


def fit_one(y: np.ndarray) -> tuple[SeriesFit, dict[str, Prediction]]:
    """emsplan's method and each candidate alone, for one history."""
    fit = fit_series(y, HORIZON, SEASON, LEVEL)
    alone = {name: predict(name, y, HORIZON, SEASON, LEVEL) for name in ALONE}
    return fit, alone


def scores(y: np.ndarray, history: np.ndarray, p: Prediction) -> tuple[float, float, float]:
    smape = float(np.mean(200 * np.abs(y - p.mean) / (np.abs(y) + np.abs(p.mean))))
    scale = float(np.mean(np.abs(history[SEASON:] - history[:-SEASON])))
    mase = float(np.mean(np.abs(y - p.mean)) / scale)
    coverage = float(np.mean((y >= p.lo) & (y <= p.hi)))
    return smape, mase, coverage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--series", type=int, default=None, help="only the first N series")
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--out", type=Path, default=RESULT, help="the JSON to write")
    parser.add_argument(
        "--margin",
        type=float,
        default=backtest.COMBINATION_MARGIN,
        help="how much better in the backtest a single method must be than the combination "
        f"to replace it (default {backtest.COMBINATION_MARGIN}; 0: the least error wins)",
    )
    args = parser.parse_args()
    if not (DATA / "series.csv").is_file():
        print(f"Skipped: the M3 data are not at {DATA} (a copy of shared/ beside the repository).")
        return
    history, future, r = load(args.series)
    ids = list(history)
    start = time.perf_counter()
    set_margin(args.margin)
    with ProcessPoolExecutor(args.workers, initializer=set_margin, initargs=(args.margin,)) as pool:
        results = list(pool.map(fit_one, [history[i] for i in ids], chunksize=4))
    seconds = time.perf_counter() - start
    fits = [fit for fit, _ in results]
    factor = calibration(fits, LEVEL)

    rows: dict[str, list[tuple[float, float, float]]] = {}
    for method in ("ETS", "ARIMA"):
        for sid in ids:
            mine = r[(r["series_id"] == sid) & (r["method_id"] == method)].sort_values("horizon")
            p = Prediction(*(mine[c].to_numpy(float) for c in ("forecast", "lo80", "hi80")))
            rows.setdefault(f"R {method.lower()}", []).append(scores(future[sid], history[sid], p))
    for sid, (fit, alone) in zip(ids, results, strict=True):
        chosen = calibrated(fit.prediction, factor)
        rows.setdefault("emsplan", []).append(scores(future[sid], history[sid], chosen))
        for name, p in alone.items():
            y, h = future[sid], history[sid]
            rows.setdefault(f"{name} alone", []).append(scores(y, h, p))
            rows.setdefault(f"{name} calibrated", []).append(scores(y, h, calibrated(p, factor)))

    table = {
        name: {
            "sMAPE": round(float(np.mean([s[0] for s in v])), 2),
            "MASE": round(float(np.mean([s[1] for s in v])), 3),
            "coverage80": round(float(np.mean([s[2] for s in v])), 3),
        }
        for name, v in rows.items()
    }
    chosen = pd.Series([f.model for f in fits]).value_counts().to_dict()
    print(f"M3 quarterly: {len(ids)} series, horizon {HORIZON}, 80% intervals")
    print(f"{'method':<26}{'sMAPE':>8}{'MASE':>8}{'cover80':>9}")
    for name in ("R ets", "R arima", "emsplan", *(f"{n} alone" for n in ALONE)):
        s = table[name]
        print(f"{name:<26}{s['sMAPE']:>8.2f}{s['MASE']:>8.3f}{s['coverage80']:>9.1%}")
    print(
        f"emsplan chose per series: {chosen}; interval calibration factor {factor:.3f} "
        f"(from {sum(f.windows for f in fits)} backtest windows); {seconds:.0f} s with "
        f"{args.workers} process(es)"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {
                "data": "M3 quarterly, 189-series subset of ../shared/data/m3-quarterly",
                "series": len(ids),
                "horizon": HORIZON,
                "level": LEVEL,
                "combination_margin": args.margin,
                "calibration_factor": round(factor, 4),
                "chosen": chosen,
                "seconds": round(seconds, 1),
                "workers": args.workers,
                "scores": table,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"Wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")


if __name__ == "__main__":
    main()
