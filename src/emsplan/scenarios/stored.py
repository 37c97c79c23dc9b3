"""Plan a stored scenario and record the plan, or that there is none, in the store.

This is what ``emsplan scenario plan NAME`` (and ``emsplan plan --scenario NAME``)
does, as a library call for the web server and for analysts::

    with Store() as store:
        outcome = plan_scenario(store, "cn-plus-20", time_limit=60)
    outcome.plan_id, outcome.result        # the stored plan's id, the Plan (or None)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from emsplan.planning.pipeline import PlanningError, plan
from emsplan.results.plan import Plan
from emsplan.store import PlanInfo, PlanRecord, Store, StoreError


@dataclass
class StoredPlan:
    """A stored scenario's planning outcome.

    Attributes
    ----------
    scenario : the scenario's name.
    plan_id : the id the plan was recorded under (a failed plan is recorded too).
    result : the plan, or None when the model has no plan.
    error : why there is no plan (None when there is one).
    """

    scenario: str
    plan_id: int
    result: Plan | None
    error: PlanningError | None = None


def solver_settings(
    solver_name: str = "highs",
    time_limit: float | None = None,
    mip_gap: float | None = None,
    solver_options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The settings a stored plan records (and that a rerun would use)."""
    return {
        "solver": solver_name,
        "time_limit": time_limit,
        "mip_gap": mip_gap,
        "solver_options": dict(solver_options or {}),
    }


def plan_scenario(
    store: Store,
    name: str,
    *,
    solver_name: str = "highs",
    time_limit: float | None = None,
    mip_gap: float | None = None,
    solver_options: dict[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
) -> StoredPlan:
    """Plan the stored scenario ``name`` and record the plan in ``store``, in one
    transaction; a model without a plan is recorded as such (its ``error`` says why).

    Raises :class:`~emsplan.store.StoreError` if there is no such scenario.
    """
    say = progress or (lambda message: None)
    settings = solver_settings(solver_name, time_limit, mip_gap, solver_options)
    info = store.scenario(name)
    network = store.network(info.network_hash)
    try:
        result = plan(
            network,
            solver_name=solver_name,
            solver_options=settings["solver_options"],
            time_limit=time_limit,
            mip_gap=mip_gap,
            progress=progress,
        )
    except PlanningError as exc:
        record = PlanRecord.failed(exc.termination, str(exc), settings, solver=solver_name)
        plan_id = store.record_plan(record, info.network_hash, scenario=name)
        return StoredPlan(name, plan_id, None, exc)
    say("storing the plan")
    record = PlanRecord.from_plan(result, settings)
    plan_id = store.record_plan(record, info.network_hash, scenario=name)
    return StoredPlan(name, plan_id, result)


def stored_plan(store: Store, ref: str | int) -> PlanInfo:
    """A stored plan by id (``12``, ``"12"`` or ``"#12"``) or the newest plan of a scenario.

    Raises :class:`~emsplan.store.StoreError` if there is no such plan.
    """
    digits = str(ref).lstrip("#")
    if digits.isdigit():
        return store.plan(int(digits))
    latest = store.latest_plan(str(ref))
    if latest is None:
        raise StoreError(
            f"Scenario {ref!r} has no plan yet; plan it first: emsplan scenario plan {ref}"
        )
    return latest
