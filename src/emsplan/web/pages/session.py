"""Who is looking at a page, and the checks of the pages' forms.

The pages share the API's login: the session cookie set by ``POST /login`` (or
``POST /api/login``). A page asked for without a session redirects to the sign-in
page at ``/``; a form that changes something carries the session's CSRF token in a
hidden ``csrf`` field, checked here.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from emsplan.web.security import ApiError, Principal, session_of

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parents[1] / "templates"))


class SignIn(Exception):
    """The page needs a signed-in user: answer with a redirect to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def viewer(request: Request) -> Principal | None:
    """The signed-in user of a page request, or None (forms check CSRF themselves)."""
    return session_of(request)


def signed_in(request: Request, *roles: str) -> Principal:
    """The signed-in user, who must have one of ``roles`` (all roles when none given)."""
    who = viewer(request)
    if who is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignIn(path)
    if roles and who.user.role not in roles:
        raise ApiError(
            403,
            f"User {who.name!r} has the role {who.user.role!r}; this page needs the role "
            f"{' or '.join(repr(r) for r in roles)}.",
        )
    return who


def check_form(who: Principal, token: str | None) -> None:
    """A form that changes something must carry the session's CSRF token."""
    if not token or not secrets.compare_digest(token, who.csrf):
        raise ApiError(
            403,
            "This form is out of date or did not come from an emsplan page (its CSRF token "
            "does not match your session): reload the page and send it again.",
        )


def render(
    request: Request, template: str, who: Principal | None, status: int = 200, **context: Any
) -> HTMLResponse:
    """A page from ``template`` with the user, their CSRF token and ``context``."""
    return TEMPLATES.TemplateResponse(
        request,
        template,
        {"who": who, "csrf": who.csrf if who else "", **context},
        status_code=status,
    )
