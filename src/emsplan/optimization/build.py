"""Build the planning model of a network.

The flow follows PyPSA's: :func:`create_model` prepares the planning data
(:mod:`emsplan.optimization.prepare`), adds the variables, then one constraint
family per ``define_*`` function, then the objective; a user's
``extra_functionality(model, data)`` may add constraints before the model is
solved (:mod:`emsplan.optimization.solve`).
"""

from __future__ import annotations

from collections.abc import Callable

import linopy

from emsplan.data.network import Network
from emsplan.optimization import (
    balance,
    capacity,
    local_content,
    options,
    policy,
    sites,
    strength,
    variables,
)
from emsplan.optimization.data import PlanningData
from emsplan.optimization.objective import define_objective
from emsplan.optimization.prepare import prepare

ExtraFunctionality = Callable[[linopy.Model, PlanningData], None]


def create_model(
    network: Network,
    data: PlanningData | None = None,
    elastic: bool = False,
    strengthen: frozenset[str] | None = None,
) -> tuple[linopy.Model, PlanningData]:
    """Build the planning model of a valid network.

    ``elastic`` adds a shortfall variable to every local-content target (used
    to explain infeasible models, see :mod:`emsplan.planning.infeasibility`).
    ``strengthen`` names the families of valid inequalities to add
    (:data:`emsplan.optimization.strength.FAMILIES`; None: the default set,
    ``strength.DEFAULT``; an empty set: none).
    """
    data = data if data is not None else prepare(network)
    model = linopy.Model(force_dim_names=True)
    variables.define_purchases(model, data)
    variables.define_production(model, data)
    variables.define_shipments(model, data)
    variables.define_stock(model, data)
    variables.define_unmet(model, data)
    variables.define_allocations(model, data)
    options.define_option_variables(model, data)
    sites.define_site_variables(model, data)
    terms = balance.node_terms(model, data)
    balance.define_node_balance(model, data, terms)
    balance.define_market_delivery(model, data, terms)
    capacity.define_supply_capacity(model, data)
    capacity.define_resource_capacity(model, data)
    capacity.define_lane_capacity(model, data)
    capacity.define_storage_capacity(model, data)
    local_content.define_local_content(model, data, elastic)
    local_content.define_relative_targets(model, data, elastic)
    options.define_contracts(model, data)
    options.define_min_qty(model, data)
    options.define_single_source(model, data)
    options.define_production_contracts(model, data)
    options.define_production_minimum(model, data)
    options.define_market_source_choice(model, data)
    options.define_market_source_flow(model, data)
    sites.define_site_direction(model, data)
    sites.define_site_opening(model, data)
    sites.define_site_closing(model, data)
    sites.define_site_throughput(model, data)
    sites.define_site_idle(model, data)
    sites.define_site_storage(model, data)
    strength.define_strength(model, data, strengthen)
    policy.define_incentives(model, data)
    policy.define_trade_rules(model, data)
    define_objective(model, data, network)
    return model, data
