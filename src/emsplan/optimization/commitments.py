"""Purchases committed ahead: the stage-1 quantities of offers with a lead time.

An offer with a lead time of one period or more is ordered before its goods are needed,
so in a two-stage plan (:mod:`emsplan.scenarios.robust`) and in a stress test its
quantity per period is decided *before* demand is known and paid whether it is used or
not. :func:`define_commitments` models that:

- ``Supply-commit[o, t]`` (stage 1): units ordered from offer o in period t, for offers
  with ``lead_time >= 1`` (cells where ``Supply-buy`` exists);
- ``Supply-untaken[o, t]``: units committed but not taken (left with the supplier);
- ``Supply-commit-use``: ``buy[o, t] + untaken[o, t] = commit[o, t]``: what is taken is
  at most what was committed;
- the untaken units are paid at the offer's price (cost category ``unused_commitment``,
  see :mod:`emsplan.optimization.objective`).

Given ``values`` (a plan's commitments, offer x period), ``Supply-commit`` is fixed to
them (``Supply-commit-fix``). Offers without a lead time follow demand: no commitment.
"""

from __future__ import annotations

import linopy
import numpy as np
import pandas as pd
import xarray as xr

from emsplan.optimization.data import PlanningData
from emsplan.optimization.terms import constant, expression, labels_of, total
from emsplan.optimization.variables import coord

#: The variables decided in stage 1 besides the options' (see
#: :data:`emsplan.scenarios.robust.STAGE1`).
COMMIT = "Supply-commit"
UNTAKEN = "Supply-untaken"


def committed_cells(data: PlanningData, model: linopy.Model) -> np.ndarray:
    """(offer, period) mask: purchases decided ahead (lead time >= 1, ``Supply-buy`` there)."""
    if "Supply-buy" not in model.variables:
        return np.zeros((len(data.offers), data.n_periods), bool)
    ahead = data.offers["lead_time"].to_numpy(int) >= 1
    return (labels_of(model, "Supply-buy") >= 0) & ahead[:, None]


def define_commitments(
    model: linopy.Model, data: PlanningData, values: np.ndarray | None = None
) -> None:
    """Add the commitment variables and ``Supply-commit-use`` (and, given ``values``,
    ``Supply-commit-fix``); the untaken units' price joins the objective."""
    mask = committed_cells(data, model)
    if not mask.any():
        return
    coords = [coord(data, "offer"), coord(data, "period")]
    cells = xr.DataArray(mask, coords=coords)
    commit = model.add_variables(lower=0.0, coords=coords, name=COMMIT, mask=cells)
    untaken = model.add_variables(lower=0.0, coords=coords, name=UNTAKEN, mask=cells)
    o, t = np.nonzero(mask)
    index = pd.Index(np.arange(len(o)), name="commitment")
    rows = np.arange(len(o))
    buy = labels_of(model, "Supply-buy")[o, t]
    c = np.asarray(commit.labels.values)[o, t]
    u = np.asarray(untaken.labels.values)[o, t]
    lhs = expression(
        model,
        [index],
        [np.concatenate([rows, rows, rows])],
        np.concatenate([buy, u, c]),
        np.concatenate([np.ones(len(o)), np.ones(len(o)), -np.ones(len(o))]),
    )
    model.add_constraints(lhs, "=", 0.0, name="Supply-commit-use")
    price = data.offers["price"].to_numpy(float)[o]
    model.objective = model.objective + total(model, u, price)
    if values is not None:
        fixed = np.nan_to_num(np.asarray(values, dtype=float))[o, t]
        fix = expression(model, [index], [rows], c, np.ones(len(o)))
        model.add_constraints(fix, "=", constant([index], fixed), name="Supply-commit-fix")


def commitment_values(data: PlanningData, table: pd.DataFrame) -> np.ndarray:
    """(offer, period) array of the committed quantities in ``table`` (columns supplier,
    item, period, qty; offers or periods the network lacks are ignored, missing = 0)."""
    out = np.zeros((len(data.offers), data.n_periods))
    if table is None or table.empty:
        return out
    offers = pd.MultiIndex.from_frame(data.offers[["supplier", "item"]].astype(str))
    periods = pd.Index(data.periods)
    key = pd.MultiIndex.from_frame(table[["supplier", "item"]].astype(str))
    o = offers.get_indexer(key)
    t = periods.get_indexer(pd.Index(table["period"].astype(str)))
    keep = (o >= 0) & (t >= 0)
    np.add.at(out, (o[keep], t[keep]), table["qty"].to_numpy(float)[keep])
    return out
