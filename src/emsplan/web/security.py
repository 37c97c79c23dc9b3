"""Who is asking, and may they: logins (bearer tokens for scripts, an HttpOnly cookie
with a CSRF token for the browser), roles, and the login throttle.

Every endpoint but ``/api/health`` and ``/api/login`` depends on :func:`require`,
which answers 401 without a valid session and 403 for a role that may not call it.
A request authenticated by its cookie that changes something must also carry the
session's CSRF token in the ``X-CSRF-Token`` header (the browser pages read it from
the ``emsplan_csrf`` cookie); a bearer token needs none, as no browser sends it by
itself.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from emsplan.store.team import ROLES, Team, User

SESSION_COOKIE = "emsplan_session"
CSRF_COOKIE = "emsplan_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

#: The roles that plan (upload networks, define scenarios, run jobs).
PLANNERS = ("admin", "planner")
#: The roles that read everything.
READERS = ("admin", "planner", "viewer")


class ApiError(Exception):
    """An answer other than 2xx: its status and one paragraph for a person."""

    def __init__(
        self, status: int, detail: str, headers: dict[str, str] | None = None, **extra: object
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


@dataclass(frozen=True)
class Principal:
    """The user behind a request and how they proved it."""

    user: User
    token: str
    csrf: str
    by_cookie: bool

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def partner(self) -> str | None:
        """The partner a partner user is bound to; None for every other role."""
        return self.user.partner if self.user.role == "partner" else None


class LoginThrottle:
    """Failed logins per user name and per client address in a sliding window; past the
    limit, further attempts are refused before the password is checked."""

    def __init__(self, attempts: int, window_s: float) -> None:
        self.attempts = attempts
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, at: float) -> deque[float]:
        failures = self._failures[key]
        while failures and failures[0] <= at - self.window_s:
            failures.popleft()
        return failures

    def wait(self, *keys: str) -> float:
        """Seconds until another attempt is allowed for every key (0: allowed now)."""
        at = time.monotonic()
        with self._lock:
            waits = [
                failures[0] + self.window_s - at
                for failures in (self._recent(k, at) for k in keys)
                if len(failures) >= self.attempts
            ]
        return max(waits, default=0.0)

    def failed(self, *keys: str) -> None:
        at = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, at).append(at)

    def succeeded(self, name_key: str) -> None:
        with self._lock:
            self._failures.pop(name_key, None)


def bearer_token(request: Request) -> tuple[str | None, bool]:
    """The session token of a request and whether it came from the cookie."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip(), False
    cookie = request.cookies.get(SESSION_COOKIE)
    return (cookie, True) if cookie else (None, False)


def session_of(request: Request) -> Principal | None:
    """The user of ``request``'s live session (bearer token or cookie), or None; no CSRF
    check (see :func:`principal`)."""
    token, by_cookie = bearer_token(request)
    if token is None:
        return None
    team: Team = request.app.state.services.team
    found = team.session(token)
    if found is None:
        return None
    user, csrf = found
    return Principal(user, token, csrf, by_cookie)


def principal(request: Request) -> Principal:
    """The logged-in user of ``request``; 401 if there is none, 403 for a cookie request
    that changes something without the CSRF token."""
    who = session_of(request)
    if who is None:
        raise ApiError(
            401,
            "Not logged in, or the session has expired: log in with POST /api/login "
            '{"username": ..., "password": ...} and send the token it returns as '
            "'Authorization: Bearer TOKEN' (the browser keeps it in a cookie).",
            headers={"WWW-Authenticate": "Bearer"},
        )
    unsafe = who.by_cookie and request.method not in SAFE_METHODS
    if unsafe and not secrets.compare_digest(request.headers.get(CSRF_HEADER, ""), who.csrf):
        raise ApiError(
            403,
            f"This request changes something and came with the session cookie but "
            f"without the session's CSRF token: send it in the {CSRF_HEADER} header "
            f"(the {CSRF_COOKIE} cookie holds it), or use a bearer token.",
        )
    return who


def require(*roles: str) -> Callable[[Request], Principal]:
    """A dependency: the logged-in user, who must have one of ``roles`` (403 otherwise)."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    def dependency(request: Request) -> Principal:
        who = principal(request)
        if who.user.role not in roles:
            raise ApiError(
                403,
                f"User {who.name!r} has the role {who.user.role!r}; this needs the role "
                f"{' or '.join(repr(r) for r in roles)}. An admin can change roles "
                "(emsplan user add).",
            )
        request.state.user = who.name
        return who

    return dependency
