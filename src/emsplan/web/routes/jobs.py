"""Planning jobs: plan a scenario, run a sweep or stress test (202 and a job id), follow
a job (its state, or its events as they happen), read a sweep's or stress test's
summary."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from emsplan.store.team import Job
from emsplan.web import visibility
from emsplan.web.routes.networks import COMMON
from emsplan.web.schemas import (
    JobOut,
    JobQueued,
    PlanRequest,
    StressIn,
    SweepIn,
    finite,
    records,
)
from emsplan.web.security import PLANNERS, READERS, ApiError, Principal, require
from emsplan.web.services import Services, services

router = APIRouter(tags=["jobs"])

QUEUED = COMMON | {
    404: {"description": "No such scenario or plan"},
    422: {"description": "Wrong settings or variations"},
}
#: How often the event stream looks at its job.
EVENT_POLL_S = 0.25


def _job_or_404(s: Services, job_id: int) -> Job:
    job = s.team.job(job_id) if 0 < job_id <= visibility.MAX_ID else None
    if job is None:
        raise ApiError(404, f"There is no job {job_id}.")
    return job


def _job_out(job: Job) -> JobOut:
    return JobOut(**finite(job.as_dict()))


def _queue(s: Services, who: Principal, kind: str, target: str, params: dict[str, Any]) -> int:
    job = s.team.add_job(kind, target, params, who.name)
    s.team.audit(who.name, f"queue {kind}", target, detail=f"job {job.id}")
    return job.id


@router.post("/scenarios/{name}/plans", status_code=202, response_model=JobQueued, responses=QUEUED)
def plan_scenario(
    name: str,
    who: Annotated[Principal, Depends(require(*PLANNERS))],
    s: Annotated[Services, Depends(services)],
    body: PlanRequest | None = None,
) -> JobQueued:
    """Plan a stored scenario in a worker process; follow the job."""
    s.store.scenario(name)  # 404 now rather than a failed job later
    params = body.model_dump() if body is not None else {}
    return JobQueued(job=_queue(s, who, "plan", name, params))


def _variations(network: Any, texts: list[Any]) -> list[dict[str, Any]]:
    """The variations, parsed and checked against ``network`` (422 if one is wrong)."""
    from emsplan.scenarios.overrides import OverrideError, from_dict, parse, resolve

    try:
        parsed = [parse(v) if isinstance(v, str) else from_dict(v) for v in texts]
        resolved = resolve(network, parsed, random=True)
    except OverrideError as exc:
        raise ApiError(422, str(exc), problems=list(exc.messages)) from None
    if not any(o.random for o in resolved):
        raise ApiError(
            422,
            "None of the variations is random: give at least one with a distribution, "
            "e.g. 'demand.qty*=uniform(0.8,1.2)'.",
        )
    return [o.to_dict() for o in resolved]


@router.post("/sweeps", status_code=202, response_model=JobQueued, responses=QUEUED)
def start_sweep(
    body: SweepIn,
    who: Annotated[Principal, Depends(require(*PLANNERS))],
    s: Annotated[Services, Depends(services)],
) -> JobQueued:
    """Plan many sampled variations of a scenario (see docs/scenarios.md); follow the job,
    then read GET /api/sweeps/{id}."""
    network = s.store.network(s.store.scenario(body.scenario).network_hash)
    params = body.model_dump() | {"variations": _variations(network, body.variations)}
    return JobQueued(job=_queue(s, who, "sweep", body.scenario, params))


@router.post("/stress", status_code=202, response_model=JobQueued, responses=QUEUED)
def start_stress(
    body: StressIn,
    who: Annotated[Principal, Depends(require(*PLANNERS))],
    s: Annotated[Services, Depends(services)],
) -> JobQueued:
    """Stress-test a plan's choices in sampled variations; follow the job, then read
    GET /api/stress/{id}."""
    plan = visibility.plan_by_ref(s.store, body.plan)
    if plan.objective is None:
        raise ApiError(
            422, f"Plan #{plan.id} has no solution ({plan.termination}); stress a solved one."
        )
    network = s.store.network(plan.network_hash)
    params = body.model_dump() | {"variations": _variations(network, body.variations)}
    return JobQueued(job=_queue(s, who, "stress", f"#{plan.id}", params))


@router.get("/jobs", response_model=list[JobOut], responses=COMMON)
def list_jobs(
    who: Annotated[Principal, Depends(require(*READERS))],
    s: Annotated[Services, Depends(services)],
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> list[JobOut]:
    """The newest jobs first."""
    return [_job_out(j) for j in s.team.jobs(limit=limit)]


@router.get(
    "/jobs/{job_id}",
    response_model=JobOut,
    responses=COMMON | {404: {"description": "No such job"}},
)
def get_job(
    job_id: int,
    who: Annotated[Principal, Depends(require(*READERS))],
    s: Annotated[Services, Depends(services)],
) -> JobOut:
    """A job's state: queued, running, done, failed or interrupted; its plan when done."""
    return _job_out(_job_or_404(s, job_id))


@router.get(
    "/jobs/{job_id}/events",
    responses=COMMON
    | {
        200: {"content": {"text/event-stream": {}}, "description": "Server-sent events"},
        404: {"description": "No such job"},
    },
    response_class=StreamingResponse,
)
def job_events(
    job_id: int,
    request: Request,
    who: Annotated[Principal, Depends(require(*READERS))],
    s: Annotated[Services, Depends(services)],
) -> StreamingResponse:
    """The job's state as server-sent events (``event: job``, data: the job as JSON),
    one each time it changes, until it ends."""
    _job_or_404(s, job_id)

    async def events() -> AsyncIterator[str]:
        last = None
        while True:
            job = await asyncio.to_thread(s.team.job, job_id)
            if job is None:
                return
            text = _job_out(job).model_dump_json()
            if text != last:
                last = text
                yield f"event: job\ndata: {text}\n\n"
            if job.finished or await request.is_disconnected():
                return
            await asyncio.sleep(EVENT_POLL_S)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _summary(s: Services, sweep_id: str, kind: str) -> dict[str, Any]:
    from emsplan.scenarios.sweep import regret_quantiles, summarise
    from emsplan.store import StoreError

    try:
        summary = summarise(s.store, sweep_id)
    except StoreError:
        summary = None
    if summary is None or summary.sweep.kind != kind:
        raise ApiError(404, f"There is no {kind} {sweep_id!r}.")
    info = summary.sweep
    answer: dict[str, Any] = {
        "id": info.id,
        "kind": info.kind,
        "scenario": info.scenario,
        "plan": info.plan_id,
        "seed": info.seed,
        "samples": info.samples,
        "stored": summary.samples,
        "solved": summary.solved,
        "failed": summary.failed,
        "variations": info.spec,
        "quantiles": records(summary.quantiles),
        "decisions": records(summary.decisions),
        "created_at": info.created_at.isoformat(),
        "created_by": info.created_by,
    }
    if kind == "stress":
        answer["regret"] = regret_quantiles(summary.regret)
        answer["samples_regret"] = records(summary.regret)
    return finite(answer)


@router.get("/sweeps/{sweep_id}", responses=COMMON | {404: {"description": "No such sweep"}})
def get_sweep(
    sweep_id: str,
    who: Annotated[Principal, Depends(require(*READERS))],
    s: Annotated[Services, Depends(services)],
) -> dict[str, Any]:
    """A sweep's progress (samples stored of those asked), P5/P50/P95 of cost, service
    level and local share, and how often each decision was taken."""
    return _summary(s, sweep_id, "sweep")


@router.get("/stress/{sweep_id}", responses=COMMON | {404: {"description": "No such test"}})
def get_stress(
    sweep_id: str,
    who: Annotated[Principal, Depends(require(*READERS))],
    s: Annotated[Services, Depends(services)],
) -> dict[str, Any]:
    """A stress test's progress, its scenarios' optima and the regret of the plan's fixed
    choices (P5/P50/P95, mean, max, and how many samples they could not serve)."""
    return _summary(s, sweep_id, "stress")
