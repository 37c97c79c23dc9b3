"""Plan a stored scenario and record the plan, or that there is none, in the store.

This is what ``emsplan scenario plan NAME`` (and ``emsplan plan --scenario NAME``)
does, as a library call for the web server and for analysts::

    with Store() as store:
        outcome = plan_scenario(store, "cn-plus-20", time_limit=60)
    outcome.plan_id, outcome.result        # the stored plan's id, the Plan (or None)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emsplan.data.network import Network
from emsplan.planning.pipeline import PlanningError, plan
from emsplan.results.plan import Plan
from emsplan.scenarios.overrides import Override, apply, from_dict, resolve
from emsplan.store import PlanInfo, PlanRecord, ScenarioInfo, Store, StoreError
from emsplan.store.store import check_scenario_name


@dataclass
class StoredPlan:
    """A stored scenario's planning outcome.

    Attributes
    ----------
    scenario : the scenario's name.
    plan_id : the id the plan was recorded under (a failed plan is recorded too).
    result : the plan, or None when the model has no plan.
    error : why there is no plan (None when there is one).
    written : the folder the plan was written to (``out``), or None.
    write_error : why the plan could not be written to ``out`` (it was stored all the same).
    """

    scenario: str
    plan_id: int
    result: Plan | None
    error: PlanningError | None = None
    written: Path | None = None
    write_error: OSError | None = None


class PlanNotStoredError(StoreError):
    """A scenario was planned but its plan could not be stored (a full disk, a busy
    store). ``result`` is the plan, ``written`` the folder it was written to, if any."""

    def __init__(
        self,
        name: str,
        result: Plan,
        written: Path | None,
        cause: StoreError,
        write_error: OSError | None = None,
    ) -> None:
        if written is not None:
            kept = f"The plan was written to {written}; plan the scenario again to store it."
        elif write_error is not None:
            kept = (
                f"It could not be written to {str(write_error.filename)!r} either "
                f"({write_error.strerror or write_error}): it is lost."
            )
        else:
            kept = (
                "The plan was not written anywhere: plan again with an output folder "
                "(--out DIR), which is written before the store, to keep it whatever "
                "happens to the store."
            )
        super().__init__(
            f"Scenario {name} was planned (objective {result.objective:,.2f}) but the plan "
            f"was not stored. {cause} {kept}"
        )
        self.result = result
        self.written = written


def add_scenario(
    store: Store,
    name: str,
    overrides: Sequence[Override] = (),
    *,
    base: Network | None = None,
    from_scenario: str | None = None,
    description: str = "",
    replace: bool = False,
) -> ScenarioInfo:
    """Store scenario ``name``: network ``base``, or the stored scenario ``from_scenario``
    (its base and overrides), with ``overrides`` after those.

    Every override is checked against the network before anything is stored
    (:class:`~emsplan.scenarios.overrides.OverrideError`), and the changed network is
    validated (:class:`~emsplan.core.problems.InputError`). Give exactly one of ``base``
    and ``from_scenario``.
    """
    check_scenario_name(name)
    if (base is None) == (from_scenario is None):
        raise ValueError("give exactly one of base and from_scenario")
    changes = list(overrides)
    if from_scenario is not None:
        parent = store.scenario(from_scenario)
        base = store.network(parent.base_hash)
        changes = [from_dict(o) for o in parent.overrides] + changes
    assert base is not None
    resolved = resolve(base, changes, random=False)
    result = apply(base, resolved, name=name)
    return store.add_scenario(
        name, base, result, [o.to_dict() for o in resolved], description, replace
    )


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
    out: str | Path | None = None,
    robust: dict[str, Any] | None = None,
) -> StoredPlan:
    """Plan the stored scenario ``name`` and record the plan in ``store``, in one
    transaction; a model without a plan is recorded as such (its ``error`` says why).

    With ``out``, the plan is first written into that folder, then stored: a store
    that cannot take it (a full disk) loses nothing. A plan that cannot be written
    there is stored all the same (see ``write_error``).

    With ``robust`` (the keyword arguments of
    :func:`emsplan.scenarios.robust.robust_plan`: variations, samples, seed, cvar_weight,
    cvar_alpha, value), the plan is the robust (two-stage) plan, recorded with the
    request in its settings.

    Raises :class:`~emsplan.store.StoreError` if there is no such scenario, and
    :class:`PlanNotStoredError` (a ``StoreError``) if the plan could not be stored.
    """
    say = progress or (lambda message: None)
    settings = solver_settings(solver_name, time_limit, mip_gap, solver_options)
    info = store.scenario(name)
    network = store.network(info.network_hash)
    if robust is not None:
        settings["robust"] = {
            **{k: v for k, v in robust.items() if k != "variations"},
            "variations": [o.to_dict() for o in robust["variations"]],
        }
    try:
        if robust is not None:
            from emsplan.scenarios.robust import robust_plan

            result = robust_plan(
                network, time_limit=time_limit, mip_gap=mip_gap, progress=progress, **robust
            )
        else:
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
    written, write_error = None, None
    if out is not None:
        say("writing the plan")
        try:
            written = result.write(out)
        except OSError as exc:
            write_error = exc
    say("storing the plan")
    record = PlanRecord.from_plan(result, settings)
    try:
        plan_id = store.record_plan(record, info.network_hash, scenario=name)
    except StoreError as exc:
        raise PlanNotStoredError(name, result, written, exc, write_error) from exc
    return StoredPlan(name, plan_id, result, written=written, write_error=write_error)


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
