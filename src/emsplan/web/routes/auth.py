"""Logging in and out: ``POST /api/login``, ``POST /api/logout``, ``GET /api/me``."""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from emsplan.web.schemas import LoggedIn, Login, Me
from emsplan.web.security import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    ApiError,
    Principal,
    bearer_token,
    principal,
)
from emsplan.web.services import Services, services

router = APIRouter(tags=["login"])


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post(
    "/login",
    response_model=LoggedIn,
    responses={401: {"description": "Wrong name or password"}, 429: {"description": "Throttled"}},
)
def login(
    body: Login,
    request: Request,
    response: Response,
    s: Annotated[Services, Depends(services)],
) -> LoggedIn:
    """Log in: a bearer token for scripts, and a session cookie for the browser."""
    keys = (f"user:{body.username.lower()}", f"client:{_client(request)}")
    wait = s.throttle.wait(*keys)
    if wait > 0:
        s.team.audit(body.username, "login", outcome="throttled", detail=_client(request))
        raise ApiError(
            429,
            f"Too many failed logins for this user or from this address; try again in "
            f"{math.ceil(wait / 60)} minute(s).",
            headers={"Retry-After": str(math.ceil(wait))},
        )
    user = s.team.verify(body.username, body.password)
    if user is None:
        s.throttle.failed(*keys)
        s.team.audit(body.username, "login", outcome="failed", detail=_client(request))
        raise ApiError(
            401,
            "Wrong user name or password.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    s.throttle.succeeded(keys[0])
    token, csrf = s.team.open_session(user.name, s.settings.session_hours)
    s.team.audit(user.name, "login", detail=_client(request))
    age = int(s.settings.session_hours * 3600)
    secure = s.settings.secure_cookies
    response.set_cookie(
        SESSION_COOKIE, token, max_age=age, httponly=True, samesite="strict", secure=secure
    )
    response.set_cookie(CSRF_COOKIE, csrf, max_age=age, samesite="strict", secure=secure)
    return LoggedIn(token=token, csrf=csrf, user=user.name, role=user.role, partner=user.partner)


@router.post("/logout", status_code=204, responses={401: {"description": "Not logged in"}})
def logout(request: Request, s: Annotated[Services, Depends(services)]) -> Response:
    """End the session (its token stops working at once)."""
    who = principal(request)
    token, _ = bearer_token(request)
    if token is not None:
        s.team.close_session(token)
    s.team.audit(who.name, "logout")
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
    return response


@router.get("/me", response_model=Me, responses={401: {"description": "Not logged in"}})
def me(who: Annotated[Principal, Depends(principal)]) -> Me:
    """Who is logged in."""
    return Me(user=who.name, role=who.user.role, partner=who.user.partner)
