r"""Policy decisions: production-linked incentives and export rules of origin.

**Incentives** (``incentives``; PLI-style). For scheme s in period t, eligible
sales :math:`S_{s,t} = \sum_d p_d (q_d - u_d)` over the demand rows d of the
scheme's items (the item, or every item of that group) in t whose price
:math:`p_d` is at least ``min_unit_price`` (:math:`u_d` = unmet). With binary
:math:`z` (qualifies) and payout :math:`v \ge 0`, base sales B, threshold H and
rate r::

    S - B >= H - M1 (1 - z)        Incentive-threshold  (M1 = B + H)
    v <= r (S - B) + M2 (1 - z)    Incentive-payout     (M2 = r B)
    v <= cap z                     Incentive-cap        (cap, else r (max S - B))

and :math:`-v` enters the objective: the incentive is earned only when the
incremental sales reach the threshold, and then it is r x the incremental
sales, at most the cap. Where even every demand delivered cannot reach the
threshold, z is fixed at 0 (its upper bound). Sales count deliveries of the scheme's products;
the goods are taken to be made in the domestic country.

**Trade rules** (``trade_rules``; e.g. India-UAE CEPA, 40% of FOB). A product
x shipped directly from plant p to a market in the agreement's destination
country pays the preferential rate instead of the duties table's rate if the
value content of p's production of x in the shipping period reaches the
minimum m; the units shipped at the preferential rate are at most that
period's production (goods from stock made earlier pay the normal rate). With
binary :math:`w_{p,x,c,t}` (only for products that could reach m at all)::

    sum_k c_k lambda_k alloc_k + conv_p make - m FOB make >= -M (1 - w)   Trade-content
    pref[a, t] <= ship[a, t];  pref[a, t] <= bound w                    Trade-preference
    sum_(a of p, x, c) pref[a, t] <= make[p, x, t]                      Trade-preference-made

where the allocations k are the product's purchased content at p (see
:mod:`emsplan.optimization.local_content`), ``conv_p`` the conversion cost
(domestic value added at a domestic plant) and FOB the product's customs
value. The objective gains :math:`-(r_{normal} - r_{pref})\,\text{value}\,\text{pref}`.
"""

from __future__ import annotations

import linopy
import numpy as np
import pandas as pd
import xarray as xr

from emsplan.core.labels import at_period, trade_label
from emsplan.optimization.data import PlanningData
from emsplan.optimization.prepare.options import make_bound
from emsplan.optimization.sites import absent_demand, channel_rows
from emsplan.optimization.terms import expression, labels_of


# -- incentives -----------------------------------------------------------------------------
def define_incentives(model: linopy.Model, data: PlanningData) -> None:
    """``Incentive-qualify``, ``Incentive-earned`` and their three constraint families."""
    inc = data.incentives
    if inc.empty:
        return
    index = pd.Index(
        at_period(inc["scheme"], np.asarray(data.periods, dtype=object)[inc["t"]]), name="incentive"
    )
    el = data.eligible
    n = len(inc)
    # a channel's demand exists while it is open (qty x open), none before a candidate's
    # first period: its sales enter the rows as variable terms, not in the constant
    channel = np.full(len(data.demand), -1)
    rows_c, pos_c = channel_rows(data)
    channel[rows_c] = pos_c
    qty = el["qty"].to_numpy(float) * ~absent_demand(data)[el["row"].to_numpy(int)]
    option = channel[el["row"].to_numpy(int)]
    fixed_qty = np.where(option >= 0, 0.0, qty)
    sales_all = np.bincount(el["pos"], weights=el["price_d"] * qty, minlength=n)
    sales_max = np.bincount(el["pos"], weights=el["price_d"] * fixed_qty, minlength=n)
    opened = (
        labels_of(model, "Option-open")[
            np.maximum(option, 0), data.demand["t"].to_numpy(int)[el["row"].to_numpy(int)]
        ]
        if (option >= 0).any()
        else np.zeros(len(el), dtype=np.int64)
    )
    opened = np.where(option >= 0, opened, -1)
    rate = inc["rate"].to_numpy(float)
    base = inc["base_sales"].to_numpy(float)
    thr = inc["min_incremental_sales"].to_numpy(float)
    # a period whose sales cannot reach the threshold even with all demand delivered
    # (every channel open) can never pay: its decision is fixed at 0 (a bound, so that the
    # samples of a sweep keep one structure: the kept HiGHS model is changed in place)
    reachable = sales_all - base >= thr
    z = model.add_variables(
        binary=True, upper=_da(index, reachable), coords=[index], name="Incentive-qualify"
    )
    v = model.add_variables(lower=0.0, coords=[index], name="Incentive-earned")
    unmet = labels_of(model, "Market-unmet")[el["row"].to_numpy(int)]
    price = el["price_d"].to_numpy(float)
    rows = el["pos"].to_numpy(int)
    zl, vl = z.labels.values, v.labels.values
    coords = [index]
    m1 = base + thr
    lhs = expression(
        model,
        coords,
        [np.concatenate([rows, rows, np.arange(n)])],
        np.concatenate([unmet, opened, zl]),
        np.concatenate([-price, price * qty, -m1]),
    )
    model.add_constraints(
        lhs, ">=", _da(index, base + thr - sales_max - m1), name="Incentive-threshold"
    )
    m2 = rate * base
    lhs = expression(
        model,
        coords,
        [np.concatenate([np.arange(n), rows, rows, np.arange(n)])],
        np.concatenate([vl, unmet, opened, zl]),
        np.concatenate([np.ones(n), rate[rows] * price, -rate[rows] * price * qty, m2]),
    )
    model.add_constraints(
        lhs, "<=", _da(index, rate * (sales_max - base) + m2), name="Incentive-payout"
    )
    cap = inc["cap"].to_numpy(float)
    cap = np.where(np.isnan(cap), np.maximum(rate * (sales_all - base), 0.0), cap)
    lhs = expression(
        model,
        coords,
        [np.concatenate([np.arange(n), np.arange(n)])],
        np.concatenate([vl, zl]),
        np.concatenate([np.ones(n), -cap]),
    )
    model.add_constraints(lhs, "<=", 0.0, name="Incentive-cap")


def _da(index: pd.Index, values: np.ndarray) -> xr.DataArray:
    return xr.DataArray(np.asarray(values, float), coords=[index])


# -- trade rules ----------------------------------------------------------------------------
def define_trade_rules(model: linopy.Model, data: PlanningData) -> None:
    """``Trade-qualify``, ``Trade-preferred`` and ``Trade-content``/``Trade-preference``."""
    trade, prefs = data.trade, data.preferences
    if trade.empty:
        return
    T = data.n_periods
    names = trade_label(
        trade["agreement"],
        trade["plant"],
        trade["item"],
        trade["destination_country"],
        np.asarray(data.periods, dtype=object)[trade["t"]],
    )
    index = pd.Index(names, name="trade")
    w = model.add_variables(binary=True, coords=[index], name="Trade-qualify")
    pindex = pd.Index(
        at_period(prefs["arc"].astype(str), prefs["t"].astype(str)), name="preference"
    )
    pref = model.add_variables(lower=0.0, coords=[pindex], name="Trade-preferred")
    alloc = data.allocations["Product"]
    terms = alloc.assign(k=np.arange(len(alloc)))[
        ["k", "plant", "product", "price", "local_content"]
    ]
    terms = terms.rename(columns={"product": "item"}).merge(
        trade[["pos", "plant", "item", "t"]], on=["plant", "item"]
    )
    a_lab = labels_of(model, "Product-alloc")
    make = labels_of(model, "Plant-make")
    conv = data.production["cost"].to_numpy(float)[trade["prod"].to_numpy(int)]
    fob = trade["value"].to_numpy(float)
    mvc = trade["min_value_content"].to_numpy(float)
    n = len(trade)
    t_of = trade["t"].to_numpy(int)
    bound = make_bound(data)[trade["prod"].to_numpy(int), t_of]
    big = np.maximum(mvc * fob - conv, 0.0) * bound
    lhs = expression(
        model,
        [index],
        [np.concatenate([terms["pos"].to_numpy(int), np.arange(n), np.arange(n)])],
        np.concatenate(
            [
                a_lab[terms["k"].to_numpy(int), terms["t"].to_numpy(int)],
                make[trade["prod"].to_numpy(int), t_of],
                w.labels.values,
            ]
        ),
        np.concatenate(
            [(terms["price"] * terms["local_content"]).to_numpy(float), conv - mvc * fob, -big]
        ),
    )
    model.add_constraints(lhs, ">=", _da(index, -big), name="Trade-content")
    ship = labels_of(model, "Lane-ship")
    m = len(prefs)
    lhs = expression(
        model,
        [pindex],
        [np.concatenate([np.arange(m), np.arange(m)])],
        np.concatenate([pref.labels.values, ship[prefs["arc"], prefs["t"]]]),
        np.concatenate([np.ones(m), -np.ones(m)]),
    )
    model.add_constraints(lhs, "<=", 0.0, name="Trade-preference-ship")
    pref_bound = bound[prefs["trade"].to_numpy(int)]
    lhs = expression(
        model,
        [pindex],
        [np.concatenate([np.arange(m), np.arange(m)])],
        np.concatenate([pref.labels.values, w.labels.values[prefs["trade"]]]),
        np.concatenate([np.ones(m), -pref_bound]),
    )
    model.add_constraints(lhs, "<=", 0.0, name="Trade-preference")
    # the preferred units are the period's own production, whose value content is measured
    lhs = expression(
        model,
        [index],
        [np.concatenate([prefs["trade"].to_numpy(int), np.arange(n)])],
        np.concatenate([pref.labels.values, make[trade["prod"].to_numpy(int), t_of]]),
        np.concatenate([np.ones(m), -np.ones(n)]),
    )
    model.add_constraints(lhs, "<=", 0.0, name="Trade-preference-made")
    del T


def objective_terms(model: linopy.Model, data: PlanningData) -> tuple[np.ndarray, np.ndarray]:
    """Labels and coefficients the policies add to the objective (negative: earned/saved)."""
    labels, coeffs = [np.zeros(0, np.int64)], [np.zeros(0)]
    if "Incentive-earned" in model.variables:
        labels.append(labels_of(model, "Incentive-earned"))
        coeffs.append(-np.ones(len(data.incentives)))
    if "Trade-preferred" in model.variables:
        labels.append(labels_of(model, "Trade-preferred"))
        coeffs.append(-data.preferences["saving"].to_numpy(float))
    return np.concatenate(labels), np.concatenate(coeffs)
