"""The planning data: the model's index sets and coefficients as flat tables.

:class:`PlanningData` is what :func:`emsplan.optimization.prepare.prepare` makes
from a network and what every ``define_*`` constraint family reads (see
:mod:`emsplan.optimization.prepare.sets` for what each table holds).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

STOCK_KINDS = ("supplier", "plant", "warehouse")


def grid(n: int, n_periods: int) -> tuple[np.ndarray, np.ndarray]:
    """Element and period index of every cell of an (n, T) grid."""
    return np.repeat(np.arange(n), n_periods), np.tile(np.arange(n_periods), n)


@dataclass
class PlanningData:
    """The prepared index sets (see the module docstring)."""

    periods: list[str]
    offers: pd.DataFrame
    production: pd.DataFrame
    bom: pd.DataFrame
    arcs: pd.DataFrame
    duty_rate: np.ndarray  # (arc, arrival period) ad valorem rate
    nodes: pd.DataFrame
    demand: pd.DataFrame
    resources: pd.DataFrame  # (plant, resource) x capacity per period
    resource_capacity: np.ndarray  # (resource, period)
    lanes: pd.DataFrame  # lane rows with finite capacity
    storage: pd.DataFrame  # sites with finite storage capacity
    targets: pd.DataFrame
    #: Purchased content to attribute to offers, per allocation kind: "Plant" (every
    #: BOM line consuming a supplied item, for network and plant targets) and
    #: "Product" (products' exploded content, for product targets).
    contents: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: (content row, offer) pairs of each kind; see :func:`_allocations`.
    allocations: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: The grid of base shares of each relative target whose base is the plan's own
    #: share (``targets.base_t`` >= 0): rows (target, k, share), see
    #: :mod:`emsplan.optimization.local_content`.
    target_bands: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Discrete options, single-source candidates and usable bounds per item
    #: (see :mod:`emsplan.optimization.options`).
    options: pd.DataFrame = field(default_factory=pd.DataFrame)
    sources: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Production contracts: one row per (contract option, production row it covers);
    #: site options: one row per site option, with the site's kind and start state;
    #: market sourcing: one row per (option, market, candidate origin); see
    #: :mod:`emsplan.optimization.sites` and :mod:`emsplan.optimization.options`.
    contract_rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    sites: pd.DataFrame = field(default_factory=pd.DataFrame)
    market_sources: pd.DataFrame = field(default_factory=pd.DataFrame)
    item_bound: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    #: Incentive schemes per period and their eligible demand rows; trade rules per
    #: (agreement, plant, product, destination country, period) and the arcs they
    #: can make preferential (see :mod:`emsplan.optimization.policy`).
    incentives: pd.DataFrame = field(default_factory=pd.DataFrame)
    eligible: pd.DataFrame = field(default_factory=pd.DataFrame)
    trade: pd.DataFrame = field(default_factory=pd.DataFrame)
    preferences: pd.DataFrame = field(default_factory=pd.DataFrame)
    trade_out_of_reach: pd.DataFrame = field(default_factory=pd.DataFrame)
    item_value: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))

    #: The setting ``objective``: cost or profit (:mod:`emsplan.optimization.objective`).
    objective: str = "cost"

    @property
    def n_periods(self) -> int:
        return len(self.periods)
