"""Stored plans: their summary, tables (paged, filtered), workbook, comparison, and the
partners they are shown to."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from emsplan.store import PlanInfo
from emsplan.web import visibility
from emsplan.web.routes.networks import COMMON
from emsplan.web.schemas import ShareIn, TablePage, finite, records
from emsplan.web.security import PLANNERS, READERS, ApiError, Principal, require
from emsplan.web.services import Services, services

router = APIRouter(tags=["plans"])

EVERYONE = (*READERS, "partner")
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such plan, or not shown to this partner"}
}
PAGE_PARAMETERS = ("offset", "limit")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _facts(plan: PlanInfo, who: Principal) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "id": plan.id,
        "scenario": plan.scenario,
        "status": plan.status,
        "termination": plan.termination,
        "created_at": plan.created_at.isoformat(),
    }
    if who.partner is None:
        facts |= {
            "objective": plan.objective,
            "network": plan.network_hash,
            "sweep": plan.sweep_id,
            "created_by": plan.created_by,
            "message": plan.message,
        }
    return facts


@router.get("/plans", responses=COMMON)
def list_plans(
    who: Annotated[Principal, Depends(require(*EVERYONE))],
    s: Annotated[Services, Depends(services)],
    scenario: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> list[dict[str, Any]]:
    """The newest plans first (a partner: those shown to it)."""
    if who.partner is not None:
        shown = s.team.shared_plans(who.partner)
        plans = [s.store.plan(i) for i in sorted(shown, reverse=True)[:limit]]
        plans = [p for p in plans if scenario is None or p.scenario == scenario]
    else:
        plans = s.store.history(scenario, limit=limit)
    return [finite(_facts(p, who)) for p in plans]


@router.get("/plans/{plan_id}", responses=COMMON | NOT_FOUND)
def get_plan(
    plan_id: int,
    who: Annotated[Principal, Depends(require(*EVERYONE))],
    s: Annotated[Services, Depends(services)],
) -> dict[str, Any]:
    """A plan's facts, its tables and (not for partners) its summary and network KPIs."""
    plan = visibility.visible_plan(s.store, s.team, who, plan_id)
    tables = visibility.plan_tables(s.store, who, plan)
    answer = _facts(plan, who) | {"tables": {k: len(v) for k, v in tables.items()}}
    if who.partner is None:
        kpis = s.store.kpis([plan.id]).drop(columns="plan_id")
        answer |= {"summary": plan.summary, "kpis": records(kpis), "decisions": plan.decisions}
    return finite(answer)


@router.get(
    "/plans/{plan_id}/tables/{table}",
    response_model=TablePage,
    responses=COMMON
    | NOT_FOUND
    | {422: {"description": "A filter names a column the table does not have"}},
)
def get_table(
    plan_id: int,
    table: str,
    request: Request,
    who: Annotated[Principal, Depends(require(*EVERYONE))],
    s: Annotated[Services, Depends(services)],
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> TablePage:
    """A table's rows, ``limit`` from ``offset``; any other query parameter filters a
    column by value (``?plant=EMS-A-NOIDA&period=2024-Q1``; ``|`` separates
    alternatives)."""
    plan = visibility.visible_plan(s.store, s.team, who, plan_id)
    frame = visibility.plan_table(s.store, who, plan, table)
    frame = _filtered(frame, table, request)
    page = frame.iloc[offset : offset + limit]
    return TablePage(
        table=table,
        columns=list(frame.columns),
        total=len(frame),
        offset=offset,
        limit=limit,
        rows=records(page),
    )


def _filtered(frame: pd.DataFrame, table: str, request: Request) -> pd.DataFrame:
    filters = {k: v for k, v in request.query_params.items() if k not in PAGE_PARAMETERS}
    unknown = sorted(set(filters) - set(frame.columns))
    if unknown:
        raise ApiError(
            422,
            f"Table {table!r} has no column {unknown[0]!r} to filter by; its columns are "
            f"{', '.join(frame.columns)} (and offset, limit to page).",
        )
    for column, value in filters.items():
        frame = frame[frame[column].astype("string").isin(value.split("|")).fillna(False)]
    return frame


@router.get(
    "/plans/{plan_id}/workbook",
    responses=COMMON | NOT_FOUND | {200: {"content": {XLSX: {}}, "description": "plan.xlsx"}},
    response_class=Response,
)
def get_workbook(
    plan_id: int,
    who: Annotated[Principal, Depends(require(*EVERYONE))],
    s: Annotated[Services, Depends(services)],
) -> Response:
    """The plan's tables as one workbook (a partner: its own rows only)."""
    from emsplan.data.writers import write_workbook

    plan = visibility.visible_plan(s.store, s.team, who, plan_id)
    tables = visibility.plan_tables(s.store, who, plan)
    if not tables:
        raise ApiError(404, f"Plan #{plan_id} has no tables (it has no solution).")
    with tempfile.TemporaryDirectory(prefix="emsplan-workbook-") as tmp:
        path = Path(tmp) / "plan.xlsx"
        write_workbook(tables, path)
        body = path.read_bytes()
    name = f"plan-{plan_id}.xlsx"
    return Response(
        body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.post(
    "/plans/{plan_id}/shares",
    status_code=204,
    responses=COMMON | NOT_FOUND | {422: {"description": "No site has that partner"}},
)
def share_plan(
    plan_id: int,
    body: ShareIn,
    who: Annotated[Principal, Depends(require(*PLANNERS))],
    s: Annotated[Services, Depends(services)],
) -> Response:
    """Show a plan to a partner (its users then see their own rows of it)."""
    plan = visibility.visible_plan(s.store, s.team, who, plan_id)
    if not visibility.partner_sites(s.store, plan, body.partner):
        partners = s.store.network(plan.network_hash).tables["sites"]["partner"]
        known = sorted({str(p) for p in partners.dropna()})
        raise ApiError(
            422,
            f"No site of plan #{plan_id}'s network has the partner {body.partner!r} "
            f"(sites.partner); the partners are: {', '.join(known)}.",
        )
    s.team.share(plan_id, body.partner, who.name)
    s.team.audit(who.name, "share plan", f"#{plan_id}", detail=body.partner)
    return Response(status_code=204)


@router.get(
    "/compare",
    responses=COMMON
    | {
        404: {"description": "No such plan"},
        422: {"description": "Fewer than two plans, or one twice"},
    },
)
def compare_plans(
    plans: Annotated[str, Query(description="Plan ids or scenario names, comma-separated.")],
    who: Annotated[Principal, Depends(require(*READERS))],
    s: Annotated[Services, Depends(services)],
    top: Annotated[int, Query(ge=1, le=100)] = 10,
) -> dict[str, Any]:
    """The library's comparison of two or more plans with the first."""
    from emsplan.scenarios.compare import compare

    refs = [p.strip() for p in plans.split(",") if p.strip()]
    if len(refs) < 2 or len(refs) > 20:
        raise ApiError(422, "Give 2 to 20 plans to compare, e.g. ?plans=3,5 or ?plans=base,lc.")
    ids: list[str | int] = [visibility.plan_by_ref(s.store, r).id for r in refs]
    for position, plan_id in enumerate(ids):
        if plan_id in ids[:position]:
            first = refs[ids.index(plan_id)]
            raise ApiError(
                422,
                f"{refs[position]!r} and {first!r} are the same plan (#{plan_id}); give "
                "each plan once (a scenario's name stands for its newest plan).",
            )
    comparison = compare(ids, store=s.store, top=top)
    return finite(
        {
            "plans": comparison.labels,
            "kpis": records(comparison.kpis),
            "costs": records(comparison.costs),
            "decisions": records(comparison.decisions),
            "changes": records(comparison.changes),
        }
    )
