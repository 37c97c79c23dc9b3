"""Networks and scenarios: ``POST /api/networks``, ``/api/scenarios``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, UploadFile

from emsplan.store.store import as_author
from emsplan.web.schemas import (
    NetworkAdded,
    OverrideChecked,
    OverridesChecked,
    OverridesIn,
    ProblemOut,
    ScenarioIn,
    ScenarioOut,
)
from emsplan.web.security import PLANNERS, READERS, ApiError, Principal, require
from emsplan.web.services import Services, services
from emsplan.web.uploads import problem_json, read_upload

router = APIRouter(tags=["networks and scenarios"])

#: The statuses every endpoint here may answer besides its success.
COMMON: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not logged in"},
    403: {"description": "The role may not do this"},
}


@router.post(
    "/networks",
    status_code=201,
    response_model=NetworkAdded,
    responses=COMMON
    | {
        413: {"description": "Upload too large, or expands too far"},
        422: {"description": "The network has errors: every problem listed"},
    },
)
def upload_network(
    file: Annotated[UploadFile, File(description="An .xlsx workbook or a .zip of CSV files.")],
    who: Annotated[Principal, Depends(require(*PLANNERS))],
    s: Annotated[Services, Depends(services)],
) -> NetworkAdded:
    """Upload a network; it is read and validated before anything is stored."""
    filename = file.filename or "network.xlsx"
    data = file.file.read(s.settings.max_upload_bytes + 1)
    network = read_upload(data, filename, s.settings.max_expanded_bytes)
    with as_author(who.name):
        digest = s.store.add_network(network)
    s.team.audit(who.name, "upload network", digest, detail=filename)
    return NetworkAdded(
        id=digest,
        name=network.name,
        warnings=[ProblemOut(**problem_json(p)) for p in network.problems],
    )


def _scenario_out(s: Services, info: Any) -> ScenarioOut:
    latest = s.store.latest_plan(info.name)
    return ScenarioOut(
        name=info.name,
        description=info.description,
        base=info.base_hash,
        network=info.network_hash,
        overrides=info.overrides,
        created_at=info.created_at.isoformat(),
        created_by=info.created_by,
        latest_plan=None if latest is None else latest.id,
    )


@router.post(
    "/scenarios",
    status_code=201,
    response_model=ScenarioOut,
    responses=COMMON
    | {
        404: {"description": "No such network or scenario to start from"},
        409: {"description": "The name is taken"},
        422: {"description": "Wrong overrides, or the changed network has errors"},
    },
)
def add_scenario(
    body: ScenarioIn,
    who: Annotated[Principal, Depends(require(*PLANNERS))],
    s: Annotated[Services, Depends(services)],
) -> ScenarioOut:
    """Store a named scenario: a network (or a stored scenario) with overrides."""
    from emsplan.scenarios.overrides import OverrideError, from_dict, parse
    from emsplan.scenarios.stored import add_scenario
    from emsplan.store import StoreError
    from emsplan.store.store import check_scenario_name

    if (body.network is None) == (body.from_scenario is None):
        raise ApiError(
            422,
            "Give the base as 'network' (an id from POST /api/networks) or as "
            "'from_scenario' (a stored scenario's name), not both or neither.",
        )
    try:
        check_scenario_name(body.name)
    except StoreError as exc:
        raise ApiError(422, str(exc)) from None
    try:
        overrides = [parse(o) if isinstance(o, str) else from_dict(o) for o in body.overrides]
    except OverrideError as exc:
        raise ApiError(422, str(exc), problems=list(exc.messages)) from None
    base = None
    if body.network is not None:
        try:
            base = s.store.network(body.network)
        except StoreError as exc:
            raise ApiError(404, str(exc)) from None
    with as_author(who.name):
        info = add_scenario(
            s.store,
            body.name,
            overrides,
            base=base,
            from_scenario=body.from_scenario,
            description=body.description,
            replace=body.replace,
        )
    s.team.audit(who.name, "add scenario", body.name, detail=info.network_hash)
    return _scenario_out(s, info)


@router.get("/scenarios", response_model=list[ScenarioOut], responses=COMMON)
def list_scenarios(
    who: Annotated[Principal, Depends(require(*READERS))],
    s: Annotated[Services, Depends(services)],
) -> list[ScenarioOut]:
    """Every stored scenario, by name."""
    return [_scenario_out(s, info) for info in s.store.scenarios()]


@router.get(
    "/scenarios/{name}",
    response_model=ScenarioOut,
    responses=COMMON | {404: {"description": "No such scenario"}},
)
def get_scenario(
    name: str,
    who: Annotated[Principal, Depends(require(*READERS))],
    s: Annotated[Services, Depends(services)],
) -> ScenarioOut:
    """One stored scenario."""
    return _scenario_out(s, s.store.scenario(name))


@router.post(
    "/overrides/check",
    response_model=OverridesChecked,
    responses=COMMON | {404: {"description": "No such network or scenario"}},
)
def check_overrides(
    body: OverridesIn,
    who: Annotated[Principal, Depends(require(*PLANNERS))],
    s: Annotated[Services, Depends(services)],
) -> OverridesChecked:
    """Check overrides one by one against a network (or a stored scenario's network),
    with the command line's messages; nothing is stored (the page checks as you type)."""
    from emsplan.scenarios.overrides import OverrideError, parse, resolve
    from emsplan.store import StoreError

    try:
        if body.network:
            network = s.store.network(body.network)
        elif body.from_scenario:
            network = s.store.network(s.store.scenario(body.from_scenario).network_hash)
        else:
            raise ApiError(422, "Give the network's id or a scenario to check the overrides on.")
    except StoreError as exc:
        raise ApiError(404, str(exc)) from None
    checked = []
    for text in body.overrides:
        try:
            resolve(network, [parse(text)], random=True)
            checked.append(OverrideChecked(override=text, ok=True, message=""))
        except OverrideError as exc:
            checked.append(OverrideChecked(override=text, ok=False, message=" ".join(exc.messages)))
    return OverridesChecked(overrides=checked)
