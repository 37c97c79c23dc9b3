"""Prepare the planning data of a valid network: the index sets, then the options'
and the policies' tables (see :mod:`emsplan.optimization.prepare.sets`,
:mod:`~emsplan.optimization.prepare.options`, :mod:`~emsplan.optimization.prepare.policy`)."""

from __future__ import annotations

from emsplan.data.network import Network
from emsplan.optimization.data import PlanningData
from emsplan.optimization.prepare.options import prepare_options
from emsplan.optimization.prepare.policy import prepare_policy
from emsplan.optimization.prepare.sets import prepare_sets

__all__ = ["PlanningData", "prepare"]


def prepare(network: Network) -> PlanningData:
    """Prepare the planning data of ``network`` (which must be valid)."""
    data = prepare_sets(network)
    data.objective = network.setting("objective")
    prepare_options(network, data)
    prepare_policy(network, data)
    return data
