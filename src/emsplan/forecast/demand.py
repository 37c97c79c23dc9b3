"""A forecast written into a network: its ``demand`` table, and its intervals beside it in
table ``demand_forecast``.

The forecast replaces the ``qty`` of the demand rows of its markets, items and periods and
adds the rows the network lacks; a row it adds takes the price and penalty of the same
market and item's latest demand row (or, without one, the last price of the history and
no penalty). Every row of the forecast is kept in ``demand_forecast`` (qty, lo, hi, level,
model), replacing the rows there of the same key. Demand of other markets, items and
periods stays as it was.
"""

from __future__ import annotations

import pandas as pd

from emsplan.core.problems import InputError, Problem
from emsplan.data.network import Network
from emsplan.forecast.pipeline import Forecast


def into_network(
    network: Network, result: Forecast, history: pd.DataFrame | None = None
) -> Network:
    """A copy of ``network`` whose demand is ``result``'s forecast (see the module).

    ``history`` (table ``sales_history``) gives the price of a demand row the network
    has no price for. Raises :class:`InputError` when the forecast's periods, markets or
    products are not in the network, naming them: the network would not be valid.
    """
    _check_fits(network, result)
    new = network.copy()
    key = ["market", "item", "period"]
    table = result.table
    demand = new["demand"]
    latest = demand.drop_duplicates(["market", "item"], keep="last").set_index(["market", "item"])
    prices = _last_prices(history)
    rows = []
    for market, item, period, qty in table[["market", "item", "period", "qty"]].itertuples(
        index=False
    ):
        known = (market, item) in latest.index
        rows.append(
            {
                "market": market,
                "item": item,
                "period": period,
                "qty": qty,
                "price": latest.at[(market, item), "price"]
                if known
                else prices.get((market, item), 0.0),
                "penalty": latest.at[(market, item), "penalty"] if known else None,
            }
        )
    forecast_rows = pd.DataFrame(rows, columns=list(demand.columns))
    existing = demand.set_index(key)
    replaced = forecast_rows.set_index(key)
    # keep the other columns of a replaced row (price, penalty) as they are
    both = existing.index.intersection(replaced.index)
    existing.loc[both, "qty"] = replaced.loc[both, "qty"]
    added = replaced.loc[replaced.index.difference(existing.index)]
    merged = pd.concat([existing, added]).reset_index() if len(added) else existing.reset_index()
    intervals = pd.DataFrame(
        {
            "market": table["market"],
            "item": table["item"],
            "period": table["period"],
            "qty": table["qty"],
            "lo": table[result.lo],
            "hi": table[result.hi],
            "level": result.level,
            "model": table["model"],
        }
    )
    old = new["demand_forecast"]
    keep = ~old.set_index(key).index.isin(intervals.set_index(key).index)
    tables = dict(new.tables)
    tables["demand"] = _order(merged, new.period_labels)
    tables["demand_forecast"] = pd.concat([old[keep], intervals], ignore_index=True)
    return Network(tables, name=network.name)


def _order(demand: pd.DataFrame, periods: list[str]) -> pd.DataFrame:
    """Demand rows by market, item and the periods' order."""
    position = {p: i for i, p in enumerate(periods)}
    ordered = demand.assign(_t=demand["period"].map(position))
    return (
        ordered.sort_values(["market", "item", "_t"], kind="stable")
        .drop(columns="_t")
        .reset_index(drop=True)
    )


def _last_prices(history: pd.DataFrame | None) -> dict[tuple[str, str], float]:
    """The last price of each market and item in a sales history (rows without one
    skipped)."""
    if history is None or "price" not in history or history.empty:
        return {}
    rows = history.dropna(subset=["price"]).sort_values("period", kind="stable")
    return {
        (str(m), str(i)): float(p)
        for m, i, p in rows[["market", "item", "price"]].itertuples(index=False)
    }


def _check_fits(network: Network, result: Forecast) -> None:
    """The forecast's periods must be periods of the network, its markets markets and its
    items products of it; otherwise one problem per thing missing."""
    problems = []
    periods = set(network.period_labels)
    missing = [p for p in result.periods if p not in periods]
    if missing:
        shown = ", ".join(network.period_labels) or "none"
        problems.append(
            Problem(
                check="check_forecast_fits",
                table="periods",
                message=(
                    f"the forecast's periods {', '.join(missing)} are not periods of the "
                    f"network (its periods are {shown}); forecast fewer periods (--horizon) "
                    "or add them to table 'periods'."
                ),
            )
        )
    sites = network["sites"]
    markets = set(sites.loc[sites["kind"] == "market", "site"])
    items = network["items"]
    products = set(items.loc[items["kind"] == "product", "item"])
    for column, known, what, table in (
        ("market", markets, "market of table 'sites'", "sites"),
        ("item", products, "product of table 'items'", "items"),
    ):
        unknown = sorted(set(result.table[column]) - known)
        if unknown:
            problems.append(
                Problem(
                    check="check_forecast_fits",
                    table=table,
                    column=column,
                    message=(
                        f"the history's {column}s {', '.join(map(repr, unknown))} are not a "
                        f"{what} of the network; the forecast's rows must be: add them to "
                        f"table '{table}' or leave their sales out of the history."
                    ),
                )
            )
    if problems:
        raise InputError(problems)
