"""Rules of the demand-forecasting tables: ``sales_history`` and ``demand_forecast``.

=============================  ====================================================
rule                           what it requires (E = error)
=============================  ====================================================
check_history_periods          E: every period of ``sales_history`` is a calendar
                               label (YYYY-Qn, YYYY-MM or YYYY), all of one kind
check_history_products         E: sales of products only
check_forecast_intervals       E: ``lo <= qty <= hi`` in ``demand_forecast``
=============================  ====================================================

Gaps inside a series are not errors of a network (``emsplan forecast --fill-zero``
reads them as periods without sales); the forecast reports them when it runs
(:func:`emsplan.forecast.history.check_history`). Like the domain rules, these skip
cells the schema-driven rules have already reported (blank, of the wrong type).
"""

from __future__ import annotations

from collections import Counter

from emsplan.core.periods import LABEL_FORMATS, parse_label
from emsplan.core.problems import Problem, format_value
from emsplan.data.network import Network
from emsplan.validation.report import Check, blank, positions, row_problem


def check_history_periods(network: Network) -> list[Problem]:
    """The periods of ``sales_history`` are calendar labels of one kind (frequency), so
    that a forecast can continue them."""
    periods = network["sales_history"]["period"].tolist()
    parsed = [None if blank(p) else parse_label(p) for p in periods]
    out = []
    for pos, (text, period) in enumerate(zip(periods, parsed, strict=True)):
        if not blank(text) and period is None:
            out.append(
                row_problem(
                    network,
                    "sales_history",
                    pos,
                    "period",
                    f"{format_value(text)} is not a period label; allowed: {LABEL_FORMATS}.",
                    check="check_history_periods",
                    value=text,
                )
            )
    kinds = Counter(p.frequency for p in parsed if p is not None)
    if len(kinds) > 1:
        usual = kinds.most_common(1)[0][0]
        for pos, period in enumerate(parsed):
            if period is not None and period.frequency != usual:
                out.append(
                    row_problem(
                        network,
                        "sales_history",
                        pos,
                        "period",
                        f"{format_value(periods[pos])} is a {period.frequency} but most rows "
                        f"are {usual}s; all periods of the history must be of one kind.",
                        check="check_history_periods",
                        value=periods[pos],
                    )
                )
    return out


def check_history_products(network: Network) -> list[Problem]:
    """Sales are of products only, as demand is."""
    kinds = dict(zip(network["items"]["item"], network["items"]["kind"], strict=True))
    items = network["sales_history"]["item"]
    out = []
    for pos, item in enumerate(items.tolist()):
        kind = None if blank(item) else kinds.get(item)
        if kind is not None and not blank(kind) and kind != "product":
            out.append(
                row_problem(
                    network,
                    "sales_history",
                    pos,
                    "item",
                    f"{format_value(item)} is a {kind}; allowed: an item of kind product.",
                    check="check_history_products",
                    value=item,
                )
            )
    return out


def check_forecast_intervals(network: Network) -> list[Problem]:
    """Each row of ``demand_forecast`` has ``lo <= qty <= hi``."""
    frame = network["demand_forecast"]
    qty, lo, hi = (frame[c].astype("float64") for c in ("qty", "lo", "hi"))
    bad = (lo > qty) | (qty > hi)
    return [
        row_problem(
            network,
            "demand_forecast",
            pos,
            "qty",
            f"the interval [{lo.iat[pos]:g}, {hi.iat[pos]:g}] does not hold the forecast "
            f"{qty.iat[pos]:g}; lo <= qty <= hi must hold.",
            check="check_forecast_intervals",
            value=qty.iat[pos],
        )
        for pos in positions(bad)
    ]


#: The rules of the forecasting tables, in the order they run.
HISTORY_CHECKS: list[Check] = [
    check_history_periods,
    check_history_products,
    check_forecast_intervals,
]
