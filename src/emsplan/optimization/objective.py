"""The objective: total landed and operating cost over the horizon, in the
settings' currency::

    sum_(o,t) price_o buy[o,t]                         purchases
  + sum_(p,t) cost_p make[p,t]                         conversion
  + sum_(a,t) freight_a ship[a,t]                      freight
  + sum_(a,t) rate[a, t+L_a] value_a ship[a,t]         import duty (arrival period)
  + sum_(n,t) holding_(item n) stock[n,t]              holding
  + sum_d penalty_d unmet[d]                           demand not delivered
  + sum_(o,t) fixed_o open[o,t]                        options open (fixed)
  + sum_(o,t) opening_o opened[o,t] + closing_o closed[o,t]   sites' one-off costs
  + sum_(o,t) price_o untaken[o,t]                     committed, not taken

Under the setting ``objective = profit`` the penalty term is dropped and two revenue
terms come in: ``+ sum_d price_d unmet[d]`` (lost_revenue) and
``- sum_(o,t) (sum_(d at the market of o, in t) price_d qty_d) open[o,t]``
(new_channel_revenue, for market site options). The objective is then the revenue
of the demand that needs no option minus the profit: minimising it maximises profit.
The line of purchases committed ahead but not taken is there only in models with
commitments (two-stage plans and stress tests, added by
:mod:`emsplan.optimization.commitments`).

:func:`unit_costs` gives each category's coefficient array, aligned with its
variable, so the results can break the cost down from the plan's rows.
"""

from __future__ import annotations

import linopy
import numpy as np

from emsplan.data.network import Network
from emsplan.optimization.data import PlanningData
from emsplan.optimization.policy import objective_terms
from emsplan.optimization.sites import channel_rows
from emsplan.optimization.terms import labels_of, total

#: Cost category -> the variable it prices.
CATEGORIES: dict[str, str] = {
    "purchases": "Supply-buy",
    "conversion": "Plant-make",
    "freight": "Lane-ship",
    "duty": "Lane-ship",
    "holding": "Site-stock",
    "penalty": "Market-unmet",
    "fixed": "Option-open",
    "opening": "Site-opened",
    "closing": "Site-closed",
    "lost_revenue": "Market-unmet",
    "new_channel_revenue": "Option-open",
    "unused_commitment": "Supply-untaken",
}

#: Categories written only for plans that have them (the one-off costs of sites; the
#: revenue terms of the profit objective).
OPTIONAL_CATEGORIES = (
    "opening",
    "closing",
    "lost_revenue",
    "new_channel_revenue",
    "unused_commitment",
)


def duty_per_unit(data: PlanningData) -> np.ndarray:
    """Duty per unit shipped on arc a in (departure) period t: rate at arrival x value."""
    T = data.n_periods
    lead = data.arcs["lead_time"].to_numpy(int)
    arrival = np.arange(T)[None, :] + lead[:, None]
    inside = arrival < T
    rate = np.zeros_like(arrival, dtype=float)
    rows = np.nonzero(inside)
    rate[rows] = data.duty_rate[rows[0], arrival[rows]]
    return rate * data.arcs["value"].to_numpy(float)[:, None]


def unit_costs(data: PlanningData, network: Network) -> dict[str, np.ndarray]:
    """Coefficient of each cost category, shaped like the variable it prices."""
    T = data.n_periods
    holding = network.items.set_index("item")["holding_cost"]
    profit = data.objective == "profit"
    per_period = np.ones((1, T))
    return {
        "purchases": data.offers["price"].to_numpy(float)[:, None] * per_period,
        "conversion": data.production["cost"].to_numpy(float)[:, None] * per_period,
        "freight": data.arcs["cost"].to_numpy(float)[:, None] * per_period,
        "duty": duty_per_unit(data),
        "holding": data.nodes["item"].map(holding).to_numpy(float)[:, None] * per_period,
        "penalty": data.demand["penalty"].fillna(0.0).to_numpy(float) * (not profit),
        "fixed": _per_option(data, "fixed_cost"),
        "opening": _per_option(data, "opening_cost"),
        "closing": _per_option(data, "closing_cost"),
        "lost_revenue": data.demand["price"].fillna(0.0).to_numpy(float) * profit,
        "new_channel_revenue": -_channel_revenue(data) * profit,
        "unused_commitment": data.offers["price"].to_numpy(float)[:, None] * per_period,
    }


def _channel_revenue(data: PlanningData) -> np.ndarray:
    """(option, period): the revenue of the demand a market's site option opens (price x
    qty of its rows from its period_from)."""
    out = np.zeros((len(data.options), data.n_periods))
    rows, pos = channel_rows(data)
    d = data.demand.iloc[rows]
    value = d["price"].fillna(0.0).to_numpy(float) * d["qty"].to_numpy(float)
    np.add.at(out, (pos, d["t"].to_numpy(int)), value)
    return out


def _per_option(data: PlanningData, column: str) -> np.ndarray:
    """(option, period) array of an options column's cost (blank = 0)."""
    if not len(data.options):
        return np.zeros((0, data.n_periods))
    cost = data.options[column].fillna(0.0).to_numpy(float)
    return cost[:, None] * np.ones((1, data.n_periods))


def define_objective(model: linopy.Model, data: PlanningData, network: Network) -> None:
    """Minimise the total cost, or under profit the cost minus revenue (see module)."""
    costs = {c: v for c, v in unit_costs(data, network).items() if CATEGORIES[c] in model.variables}
    labels = [labels_of(model, CATEGORIES[c]).ravel() for c in costs]
    coeffs = [costs[c].ravel() for c in costs]
    policy_labels, policy_coeffs = objective_terms(model, data)
    labels.append(policy_labels)
    coeffs.append(policy_coeffs)
    model.add_objective(total(model, np.concatenate(labels), np.concatenate(coeffs)))
