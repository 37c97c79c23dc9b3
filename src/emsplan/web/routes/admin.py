"""The server itself: its health (no login), users and the audit log (admins)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from emsplan.web.routes.networks import COMMON
from emsplan.web.schemas import Health, Me, UserIn
from emsplan.web.security import ApiError, Principal, require
from emsplan.web.services import Services, services

router = APIRouter(tags=["server"])


@router.get("/health", response_model=Health)
def health(s: Annotated[Services, Depends(services)]) -> Health:
    """Version, whether the store answers, and the job workers (no login needed)."""
    from sqlalchemy import text

    from emsplan.core.version import __version__

    try:
        with s.store.reading() as session:
            session.execute(text("SELECT 1"))
        store = "ok"
    except Exception as exc:  # the store is away: say so, do not fail
        store = f"unreachable ({type(exc).__name__})"
    runner = s.runner
    workers: dict[str, Any] = {
        "limit": s.settings.workers,
        "alive": bool(runner is not None and runner.alive()),
        "running": 0 if runner is None else len(runner.running),
    }
    ok = store == "ok" and workers["alive"]
    return Health(
        status="ok" if ok else "degraded", version=__version__, store=store, workers=workers
    )


@router.get("/users", response_model=list[Me], responses=COMMON)
def list_users(
    who: Annotated[Principal, Depends(require("admin"))],
    s: Annotated[Services, Depends(services)],
) -> list[Me]:
    """Every user, with role and partner (never a password hash)."""
    return [Me(user=u.name, role=u.role, partner=u.partner) for u in s.team.users()]


@router.post(
    "/users",
    status_code=201,
    response_model=Me,
    responses=COMMON | {409: {"description": "The name is taken"}, 422: {"description": "Bad"}},
)
def add_user(
    body: UserIn,
    who: Annotated[Principal, Depends(require("admin"))],
    s: Annotated[Services, Depends(services)],
) -> Me:
    """Add a user (a partner user needs the partner it is bound to)."""
    from emsplan.store.team import UserError

    if s.team.user(body.name) is not None:
        raise ApiError(409, f"User {body.name!r} exists already; remove it first.")
    try:
        user = s.team.add_user(body.name, body.role, body.password, body.partner)
    except UserError as exc:
        raise ApiError(422, str(exc)) from None
    s.team.audit(who.name, "add user", body.name, detail=body.role)
    return Me(user=user.name, role=user.role, partner=user.partner)


@router.delete(
    "/users/{name}", status_code=204, responses=COMMON | {404: {"description": "No such user"}}
)
def remove_user(
    name: str,
    who: Annotated[Principal, Depends(require("admin"))],
    s: Annotated[Services, Depends(services)],
) -> Response:
    """Remove a user; their sessions end."""
    if s.team.user(name) is None:
        raise ApiError(404, f"There is no user {name!r}.")
    s.team.remove_user(name)
    s.team.audit(who.name, "remove user", name)
    return Response(status_code=204)


@router.get("/audit", responses=COMMON)
def audit_log(
    who: Annotated[Principal, Depends(require("admin"))],
    s: Annotated[Services, Depends(services)],
    limit: Annotated[int, Query(ge=1, le=10_000)] = 200,
) -> list[dict[str, Any]]:
    """The newest audit entries first: who logged in (or failed to), uploaded, planned,
    shared, added or removed users, and when."""
    return s.team.audit_log(limit)
