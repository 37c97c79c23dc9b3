"""The bundled example's demand forecast, made from its sales history and stored in
``src/emsplan/data/examples/india_2023_forecast.csv``; regenerated only on purpose::

    python tests/example_forecast.py       # rewrite the file from the example's history

The example's demand (markets with a history) is this forecast, its ``demand_forecast``
table the same rows with their 80% intervals. ``tests/test_examples.py`` checks the file
is what the forecast of the history gives, so the two cannot drift apart.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from emsplan.data.examples import india_2023  # noqa: E402
from emsplan.forecast.pipeline import forecast  # noqa: E402

HORIZON = 8


def forecast_rows() -> pd.DataFrame:
    """Forecast the example's history: market, item, period, qty, lo, hi, level, model,
    quantities rounded to whole units."""
    tables = india_2023.tables()
    items = tables["items"].dropna(subset=["group"])
    groups = dict(zip(items["item"], items["group"], strict=True))
    result = forecast(tables["sales_history"], HORIZON, groups=groups)
    t = result.table
    out = pd.DataFrame(
        {
            "market": t["market"],
            "item": t["item"],
            "period": t["period"],
            "qty": t["qty"].round(0),
            "lo": t[result.lo].round(0),
            "hi": t[result.hi].round(0),
            "level": result.level,
            "model": t["model"],
        }
    )
    return out.sort_values(["market", "item", "period"]).reset_index(drop=True)


if __name__ == "__main__":
    rows = forecast_rows()
    rows.to_csv(india_2023.FORECAST_FILE, index=False, lineterminator="\n")
    print(f"wrote {india_2023.FORECAST_FILE} ({len(rows)} rows)")
