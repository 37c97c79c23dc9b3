"""The stage-1 decisions of a robust plan: the scenario model that has them, fixing them,
and a scenario's objective with them fixed (shared by the extensive form in
:mod:`emsplan.scenarios.robust` and the decomposition in
:mod:`emsplan.scenarios.decomposed`)."""

from __future__ import annotations

from collections.abc import Callable

import linopy
import numpy as np

from emsplan.data.network import Network
from emsplan.optimization.build import create_model
from emsplan.optimization.commitments import COMMIT, define_commitments
from emsplan.optimization.data import PlanningData
from emsplan.scenarios.sweep import fix_labels

#: Stage-1 binaries fixed in the final plan and in the evaluations (the sites' events
#: follow from Option-open and are left to it).
FIXED_BINARIES = ("Option-open", "Option-source", "Option-market-source")


def scenario_model(network: Network) -> tuple[linopy.Model, PlanningData]:
    """A scenario's model: the planning model with purchases ahead as commitments."""
    model, data = create_model(network)
    define_commitments(model, data)
    return model, data


def fix_stage1(stage1: dict[str, np.ndarray]) -> Callable[[linopy.Model, PlanningData], None]:
    """``extra_functionality`` keeping the stage-1 decisions ``stage1`` (variable name ->
    values shaped like it): the options' binaries as they are and the commitments."""

    def extra(model: linopy.Model, data: PlanningData) -> None:
        define_commitments(model, data, values=stage1.get(COMMIT))
        for name in FIXED_BINARIES:
            if name in model.variables and name in stage1:
                labels = np.asarray(model.variables[name].labels.values).ravel()
                values = np.round(np.nan_to_num(stage1[name].ravel()))
                fix_labels(model, labels, "==", values, f"Robust-fix-{name}")

    return extra


def evaluate(
    network: Network,
    stage1: dict[str, np.ndarray] | None,
    time_limit: float | None = None,
    mip_gap: float | None = None,
) -> float:
    """The objective of ``network`` planned with ``stage1`` fixed (None: free, its own
    optimum); NaN when there is no plan."""
    from emsplan.planning.pipeline import PlanningError, plan

    extra = fix_stage1(stage1) if stage1 is not None else None
    try:
        return plan(
            network,
            extra_functionality=extra,
            validate=False,
            time_limit=time_limit,
            mip_gap=mip_gap,
        ).objective
    except PlanningError:
        return float("nan")
