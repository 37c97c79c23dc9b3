"""Demand forecasts with honest intervals, from a sales history.

``forecast(history, horizon)`` (:mod:`.pipeline`) reads table ``sales_history`` as one
series per market and item (:mod:`.history`), forecasts each series and each total
(per item, per item group, overall) with the method a rolling-origin backtest chooses,
calibrates the prediction intervals by the backtest's errors (:mod:`.backtest`, over the
methods of :mod:`.models`), and reconciles the forecasts so that the series add up to
the totals (:mod:`.reconcile`, MinT). :mod:`.demand` writes a forecast into a network's
``demand`` table; :mod:`.simulate` makes sales histories to try it on.

This package imports the core, data and validation layers only, and numpy and pandas
(the methods are written here, see :mod:`.models`); the command line (``emsplan
forecast``) is a thin shell over it.
"""

from __future__ import annotations

from emsplan.forecast.history import read_history
from emsplan.forecast.pipeline import Forecast, forecast

__all__ = ["Forecast", "forecast", "read_history"]
