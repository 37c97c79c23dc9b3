"""The team server's app: the API under ``/api``, its OpenAPI description and docs page,
error answers, and the job runner's life.

::

    uvicorn --factory emsplan.web.app:create_app      # what `emsplan serve` runs

Every error answers JSON ``{"detail": "one paragraph"}`` (with ``problems`` when the
input had several), with the status the library's error calls for
(:func:`emsplan.api.errors.describe`): never a redirect, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from emsplan.api.errors import describe
from emsplan.core.problems import InputError
from emsplan.core.version import __version__
from emsplan.web.pages import router as pages_router
from emsplan.web.pages.session import SignIn
from emsplan.web.routes import admin, auth, jobs, networks, plans
from emsplan.web.security import ApiError, LoginThrottle
from emsplan.web.services import Services
from emsplan.web.settings import ServerSettings
from emsplan.web.uploads import BodyLimit, problem_json

log = logging.getLogger("emsplan.web")

#: The pages' scripts, styles and map shapes, served by emsplan itself.
STATIC = Path(__file__).resolve().parent / "static"

DESCRIPTION = """Network plans of an electronics brand and its EMS partners.

Log in with `POST /api/login`, then send `Authorization: Bearer TOKEN`. Roles: **admin**
(users, everything), **planner** (upload networks, define scenarios, run plans, sweeps and
stress tests), **viewer** (reads everything), **partner** (only the plans shown to it, and
in them only the rows of its own sites, without money). Errors are JSON `{"detail": ...}`.
See docs/server.md.
"""


def create_app(settings: ServerSettings | None = None, *, run_jobs: bool = True) -> FastAPI:
    """The server's app. ``settings`` default to those ``emsplan serve`` put in the
    environment; ``run_jobs=False`` queues jobs without running them (for tests of the
    API alone)."""
    settings = settings or ServerSettings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from emsplan.store import Store
        from emsplan.store.team import Team
        from emsplan.web.jobs import JobRunner

        store = Store(settings.db)
        team = Team(store)
        stopped = team.interrupt_unfinished(
            "The server stopped while this job was queued or running; start it again."
        )
        if stopped:
            log.warning("jobs %s were left unfinished by the last server: interrupted", stopped)
        runner = None
        if run_jobs:
            runner = JobRunner(store.url, settings.workers, settings.sweep_workers)
            runner.start()
        app.state.services = Services(
            settings=settings,
            store=store,
            team=team,
            throttle=LoginThrottle(settings.login_attempts, settings.login_window_s),
            runner=runner,
        )
        try:
            yield
        finally:
            if runner is not None:
                runner.stop()
            store.close()

    app = FastAPI(
        title="emsplan",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,  # an error is JSON (or a page), never a redirect
        lifespan=lifespan,
    )
    for router in (auth.router, networks.router, plans.router, jobs.router, admin.router):
        app.include_router(router, prefix="/api")
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=str(STATIC)), "static")
    _add_docs(app)
    _add_error_handlers(app)
    app.middleware("http")(_headers)
    app.add_middleware(BodyLimit, limit=settings.max_upload_bytes)
    return app


def _add_docs(app: FastAPI) -> None:
    """``/api/docs``: Swagger UI, served from the package (no internet needed)."""
    import swagger_ui_bundle

    app.mount(
        "/api/docs-assets", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), "docs-ui"
    )

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="emsplan API",
            swagger_js_url="/api/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/api/docs-assets/swagger-ui.css",
            swagger_favicon_url="/api/docs-assets/favicon-32x32.png",
        )


async def _headers(request: Request, call_next: Any) -> Any:
    response = await call_next(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if request.url.path.startswith("/api/") and not request.url.path.startswith("/api/docs"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _error(
    request: Request,
    status: int,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Any:
    """The answer to an error: JSON for the API, a page with the same words for pages."""
    if request.url.path.startswith("/api") or request.url.path.startswith("/static"):
        return JSONResponse({"detail": detail, **extra}, status_code=status, headers=headers)
    from emsplan.web.pages.session import render, viewer

    problems = extra.get("problems") or []
    return render(request, "error.html", viewer(request), status, detail=detail, problems=problems)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(SignIn)
    async def sign_in(request: Request, exc: SignIn) -> Any:
        return RedirectResponse("/?" + urlencode({"next": exc.next_path}), status_code=303)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Any:
        return _error(request, exc.status, exc.detail, exc.headers, **exc.extra)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404:
            detail = f"There is no {request.url.path}; GET /api/openapi.json lists the API."
        elif exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path}."
        return _error(request, exc.status_code, detail, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Any:
        problems = [_validation_line(e) for e in exc.errors()]
        first = problems[0] if problems else "the request is malformed"
        more = f" ({len(problems) - 1} more problem(s) listed)" if len(problems) > 1 else ""
        return _error(
            request,
            422,
            f"The request is not as the API expects: {first}{more}.",
            problems=problems,
        )

    from emsplan.optimization.solver_options import SolverOptionError
    from emsplan.planning.pipeline import PlanningError
    from emsplan.scenarios.overrides import OverrideError
    from emsplan.scenarios.sweep import ClusterError
    from emsplan.store import StoreError

    async def library_error(request: Request, exc: Exception) -> Any:
        """The library's own errors: the status and words of describe()."""
        report = describe(exc)
        extra: dict[str, Any] = {}
        if isinstance(exc, InputError):
            extra["problems"] = [problem_json(p) for p in exc.problems]
        elif report.details:
            extra["problems"] = report.details
        return _error(request, report.http_status, report.message, None, **extra)

    for kind in (
        InputError,
        SolverOptionError,
        PlanningError,
        OverrideError,
        StoreError,
        ClusterError,
    ):
        app.add_exception_handler(kind, library_error)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Any:
        log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
        return _error(
            request,
            500,
            "Internal error: the server could not answer this request (a bug in emsplan; "
            "the server's log has the details). Please report it.",
        )


def _validation_line(error: Any) -> str:
    where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "the body"
    return f"{where}: {error.get('msg', 'invalid')}"
