"""The pages of the day's work: sign in, home, upload a network, scenarios, jobs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from emsplan.core.problems import InputError
from emsplan.store.store import as_author
from emsplan.web.pages.session import check_form, render, signed_in, viewer
from emsplan.web.security import CSRF_COOKIE, PLANNERS, READERS, SESSION_COOKIE, ApiError
from emsplan.web.uploads import problem_json, read_upload

router = APIRouter(include_in_schema=False)


def _safe_next(path: str | None) -> str:
    """Only a path of this site (no open redirect to another)."""
    if path and path.startswith("/") and not path.startswith("//") and "\\" not in path:
        return path
    return "/"


@router.get("/", response_class=HTMLResponse)
def home(request: Request, next: str | None = None) -> Response:
    """The sign-in form, or the home page of a signed-in user."""
    who = viewer(request)
    if who is None:
        return render(request, "login.html", None, next=_safe_next(next), error="")
    s = request.app.state.services
    if who.partner is not None:
        plans = [s.store.plan(i) for i in sorted(s.team.shared_plans(who.partner), reverse=True)]
        return render(request, "home.html", who, plans=plans, networks=[], scenarios=[], jobs=[])
    return render(
        request,
        "home.html",
        who,
        plans=s.store.history(limit=15),
        networks=s.store.networks(limit=10),
        scenarios=s.store.scenarios(),
        jobs=s.team.jobs(limit=10),
    )


@router.post("/login", response_class=HTMLResponse)
def login_form(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """The sign-in form's answer: the session cookie and the page asked for."""
    from emsplan.web.routes.auth import login
    from emsplan.web.schemas import Login

    try:
        response = RedirectResponse(_safe_next(next), status_code=303)
        login(
            Login(username=username[:100], password=password[:1000]),
            request,
            response,
            request.app.state.services,
        )
        return response
    except ApiError as exc:
        return render(
            request, "login.html", None, exc.status, next=_safe_next(next), error=exc.detail
        )


@router.post("/logout")
def logout_form(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    who = viewer(request)
    response = RedirectResponse("/", status_code=303)
    if who is not None:
        check_form(who, csrf)
        request.app.state.services.team.close_session(who.token)
        request.app.state.services.team.audit(who.name, "logout")
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
    return response


@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request) -> Response:
    who = signed_in(request, *PLANNERS)
    return render(request, "upload.html", who, problems=None, network=None)


def network_summary(network: Any) -> dict[str, Any]:
    """What a planner checks first: counts of items, sites and periods, the products."""
    tables = network.tables
    items, sites = tables["items"], tables["sites"]
    return {
        "name": network.name,
        "items": len(items),
        "products": list(items.loc[items["kind"] == "product", "item"].astype(str)),
        "sites": len(sites),
        "sites_by_kind": sites["kind"].astype(str).value_counts().sort_index().to_dict(),
        "periods": list(tables["periods"]["period"].astype(str)),
        "rows": {k: len(v) for k, v in tables.items() if len(v)},
    }


@router.post("/upload", response_class=HTMLResponse)
def upload_form(
    request: Request,
    file: Annotated[UploadFile, File()],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Validate an uploaded workbook: its problems, or its summary and the next step."""
    who = signed_in(request, *PLANNERS)
    check_form(who, csrf)
    s = request.app.state.services
    filename = file.filename or "network.xlsx"
    data = file.file.read(s.settings.max_upload_bytes + 1)
    try:
        network = read_upload(data, filename, s.settings.max_expanded_bytes)
    except InputError as exc:
        problems = [problem_json(p) for p in exc.problems]
        return render(
            request, "upload.html", who, 422, problems=problems, network=None, filename=filename
        )
    with as_author(who.name):
        digest = s.store.add_network(network)
    s.team.audit(who.name, "upload network", digest, detail=filename)
    warnings = [problem_json(p) for p in network.problems]
    return render(
        request,
        "upload.html",
        who,
        problems=warnings,
        network=network_summary(network) | {"id": digest},
        filename=filename,
    )


@router.get("/scenarios", response_class=HTMLResponse)
def scenarios_page(request: Request, network: str = "") -> Response:
    who = signed_in(request, *READERS)
    s = request.app.state.services
    return render(
        request, "scenarios.html", who, scenarios=s.store.scenarios(), network=network[:64]
    )


@router.post("/scenarios", response_class=HTMLResponse)
def scenario_form(
    request: Request,
    name: Annotated[str, Form()],
    network: Annotated[str, Form()] = "",
    from_scenario: Annotated[str, Form()] = "",
    overrides: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Create a scenario from the form (the API's checks and words)."""
    from emsplan.web.routes.networks import add_scenario
    from emsplan.web.schemas import ScenarioIn

    who = signed_in(request, *PLANNERS)
    check_form(who, csrf)
    lines = [line.strip() for line in overrides.splitlines() if line.strip()]
    body = ScenarioIn.model_validate(
        {
            "name": name.strip(),
            "network": network.strip() or None,
            "from_scenario": from_scenario.strip() or None,
            "overrides": lines,
            "description": description,
        }
    )
    add_scenario(body, who, request.app.state.services)
    return RedirectResponse(f"/scenarios/{body.name}", status_code=303)


@router.get("/scenarios/{name}", response_class=HTMLResponse)
def scenario_page(request: Request, name: str) -> Response:
    who = signed_in(request, *READERS)
    s = request.app.state.services
    info = s.store.scenario(name)
    return render(
        request,
        "scenario.html",
        who,
        scenario=info,
        overrides=override_lines(info.overrides),
        plans=s.store.history(name, limit=20),
    )


def override_lines(specs: list[Any]) -> list[str]:
    """Stored overrides (their JSON form) in the one-line syntax the planner typed."""
    from emsplan.scenarios.overrides import OverrideError, from_dict

    lines = []
    for spec in specs:
        try:
            lines.append(str(from_dict(spec)) if isinstance(spec, dict) else str(spec))
        except OverrideError:
            lines.append(str(spec))
    return lines


@router.post("/scenarios/{name}/plan")
def plan_form(
    request: Request,
    name: str,
    time_limit: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Plan the scenario: a job, and its page with the live progress."""
    from emsplan.web.routes.jobs import plan_scenario
    from emsplan.web.schemas import PlanRequest

    who = signed_in(request, *PLANNERS)
    check_form(who, csrf)
    try:
        limit = float(time_limit) if time_limit.strip() else None
        body = PlanRequest.model_validate({"time_limit": limit})
    except ValueError:
        raise ApiError(
            422, f"Time limit {time_limit!r} is not a number of seconds above 0."
        ) from None
    queued = plan_scenario(name, who, request.app.state.services, body)
    return RedirectResponse(f"/jobs/{queued.job}", status_code=303)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: int) -> Response:
    who = signed_in(request, *READERS)
    job = request.app.state.services.team.job(job_id)
    if job is None:
        raise ApiError(404, f"There is no job {job_id}.")
    return render(request, "job.html", who, job=job)
