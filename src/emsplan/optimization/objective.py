"""The objective: total landed and operating cost over the horizon, in the
settings' currency::

    sum_(o,t) price_o buy[o,t]                         purchases
  + sum_(p,t) cost_p make[p,t]                         conversion
  + sum_(a,t) freight_a ship[a,t]                      freight
  + sum_(a,t) rate[a, t+L_a] value_a ship[a,t]         import duty (arrival period)
  + sum_(n,t) holding_(item n) stock[n,t]              holding
  + sum_d penalty_d unmet[d]                           demand not delivered

:func:`unit_costs` gives each category's coefficient array, aligned with its
variable, so the results can break the cost down from the plan's rows.
"""

from __future__ import annotations

import linopy
import numpy as np

from emsplan.data.network import Network
from emsplan.optimization.data import PlanningData
from emsplan.optimization.policy import objective_terms
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
}


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
    per_period = np.ones((1, T))
    return {
        "purchases": data.offers["price"].to_numpy(float)[:, None] * per_period,
        "conversion": data.production["cost"].to_numpy(float)[:, None] * per_period,
        "freight": data.arcs["cost"].to_numpy(float)[:, None] * per_period,
        "duty": duty_per_unit(data),
        "holding": data.nodes["item"].map(holding).to_numpy(float)[:, None] * per_period,
        "penalty": data.demand["penalty"].fillna(0.0).to_numpy(float),
        "fixed": (
            data.options["fixed_cost"].to_numpy(float)[:, None] * per_period
            if len(data.options)
            else np.zeros((0, T))
        ),
    }


def define_objective(model: linopy.Model, data: PlanningData, network: Network) -> None:
    """Minimise the total cost (see module docstring)."""
    costs = {c: v for c, v in unit_costs(data, network).items() if CATEGORIES[c] in model.variables}
    labels = [labels_of(model, CATEGORIES[c]).ravel() for c in costs]
    coeffs = [costs[c].ravel() for c in costs]
    policy_labels, policy_coeffs = objective_terms(model, data)
    labels.append(policy_labels)
    coeffs.append(policy_coeffs)
    model.add_objective(total(model, np.concatenate(labels), np.concatenate(coeffs)))
