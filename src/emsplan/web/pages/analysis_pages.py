"""Pages that look across plans: the comparison, sweeps and stress tests."""

from __future__ import annotations

from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from emsplan.web import charts
from emsplan.web.pages.plan_page import grid
from emsplan.web.pages.session import check_form, render, signed_in
from emsplan.web.pages.views import override_lines
from emsplan.web.security import PLANNERS, READERS, ApiError

router = APIRouter(include_in_schema=False)

#: The distributions a sweep's page draws.
METRICS = {
    "total_cost": "Total cost",
    "service_level": "Service level",
    "local_share": "Local share",
}


def with_differences(frame: pd.DataFrame, key: str, labels: list[str]) -> pd.DataFrame:
    """``frame`` (one column per plan) with each later plan's difference from the first."""
    out = frame.copy()
    first = labels[0]
    for label in labels[1:]:
        if label in out and first in out:
            out[f"{label} - {first}"] = pd.to_numeric(out[label], errors="coerce") - pd.to_numeric(
                out[first], errors="coerce"
            )
    return out.set_index(key).reset_index()


def flow_changes(store: Any, plans: list[int]) -> pd.DataFrame:
    """Lanes whose quantity changed from the first plan to the last: origin, destination,
    qty (the size of the change), change (its sign and size)."""
    totals = []
    for plan_id in (plans[0], plans[-1]):
        flows = store.plan_table(plan_id, "flows")
        if flows is None:
            flows = pd.DataFrame(columns=["origin", "destination", "qty"])
        totals.append(flows.groupby(["origin", "destination"])["qty"].sum())
    change = totals[1].sub(totals[0], fill_value=0.0)
    change = change[change.abs() > 1e-6]
    frame = change.rename("change").reset_index()
    frame["qty"] = frame["change"].abs()
    return frame


def change_words(changes: pd.DataFrame, name_plan: bool) -> list[str]:
    """The largest changes as sentences naming what changed (``CN-SZ/BT-SOC: no longer
    bought``), and the plan when more than two are compared."""
    if changes.empty or "words" not in changes:
        return []
    return [
        (f"{r['plan']}: " if name_plan else "") + f"{r['element']}: {r['words']}"
        for r in changes.to_dict("records")
    ]


@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request, plans: str = "") -> Response:
    from emsplan.scenarios.compare import compare
    from emsplan.scenarios.stored import stored_plan

    who = signed_in(request, *READERS)
    s = request.app.state.services
    refs = [p.strip() for p in plans.split(",") if p.strip()]
    if not 2 <= len(refs) <= 4:
        return render(
            request,
            "compare.html",
            who,
            comparison=None,
            recent=s.store.history(limit=20),
            plans=plans,
        )
    infos = [stored_plan(s.store, r) for r in refs]
    ids = [p.id for p in infos]
    for position, plan_id in enumerate(ids):
        if plan_id in ids[:position]:
            raise ApiError(
                422,
                f"{refs[position]!r} and {refs[ids.index(plan_id)]!r} are the same plan "
                f"(#{plan_id}); give each plan once (a scenario's name stands for its newest "
                "plan).",
            )
    comparison = compare([p.id for p in infos], store=s.store, top=10)
    labels = comparison.labels
    changes = flow_changes(s.store, [p.id for p in infos])
    network = s.store.network(infos[-1].network_hash)
    sites = network.tables["sites"]
    kpis = with_differences(comparison.kpis, "kpi", labels)
    costs = (
        with_differences(comparison.costs, "category", labels)
        if not comparison.costs.empty
        else comparison.costs
    )
    return render(
        request,
        "compare.html",
        who,
        comparison=comparison,
        labels=labels,
        kpis=grid(kpis),
        costs=grid(costs),
        words=change_words(comparison.changes, len(labels) > 2),
        decisions=grid(comparison.decisions),
        cost_chart=charts.bar_compare(
            comparison.costs.set_index("category")
            if not comparison.costs.empty
            else pd.DataFrame(),
            title="Cost by category",
        ),
        map_svg=charts.site_map(
            sites, changes, None, title=f"Lanes that changed: {labels[0]} to {labels[-1]}"
        ),
        plans=plans,
    )


@router.get("/sweeps", response_class=HTMLResponse)
def sweeps_page(request: Request) -> Response:
    who = signed_in(request, *READERS)
    s = request.app.state.services
    jobs = [j for j in s.team.jobs(limit=200) if j.kind in ("sweep", "stress")]
    return render(
        request,
        "sweeps.html",
        who,
        jobs=jobs,
        scenarios=s.store.scenarios(),
        plans=s.store.history(limit=20),
    )


@router.post("/sweeps")
def sweep_form(
    request: Request,
    kind: Annotated[str, Form()],
    target: Annotated[str, Form()],
    variations: Annotated[str, Form()],
    samples: Annotated[int, Form()] = 20,
    seed: Annotated[int, Form()] = 0,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Start a sweep of a scenario or a stress test of a plan; go to its job's page."""
    from emsplan.web.routes.jobs import start_stress, start_sweep
    from emsplan.web.schemas import StressIn, SweepIn

    who = signed_in(request, *PLANNERS)
    check_form(who, csrf)
    lines = [line.strip() for line in variations.splitlines() if line.strip()]
    if not lines:
        raise ApiError(422, "Give at least one variation, e.g. demand.qty*=uniform(0.8,1.2).")
    s = request.app.state.services
    if kind == "stress":
        stress = {"plan": target, "variations": lines, "samples": samples, "seed": seed}
        queued = start_stress(StressIn.model_validate(stress), who, s)
    else:
        sweep = {"scenario": target, "variations": lines, "samples": samples, "seed": seed}
        queued = start_sweep(SweepIn.model_validate(sweep), who, s)
    return RedirectResponse(f"/jobs/{queued.job}", status_code=303)


@router.get("/sweeps/{sweep_id}", response_class=HTMLResponse)
def sweep_page(request: Request, sweep_id: str) -> Response:
    from emsplan.scenarios.sweep import regret_quantiles, summarise
    from emsplan.store import StoreError

    who = signed_in(request, *READERS)
    s = request.app.state.services
    try:
        summary = summarise(s.store, sweep_id)
    except StoreError:
        raise ApiError(404, f"There is no sweep or stress test {sweep_id!r}.") from None
    plans = [p for p in s.store.sweep_plans(sweep_id) if p.variant in ("", "own")]
    kpis = s.store.kpis([p.id for p in plans if p.objective is not None])
    net = kpis[(kpis["scope"] == "network") & (kpis["period"] == "all")]
    quantiles = summary.quantiles.set_index("metric")
    histograms = {}
    for metric, label in METRICS.items():
        values = net.loc[net["kpi"] == metric, "value"].astype(float).tolist()
        marks = {}
        if metric in quantiles.index:
            row = quantiles.loc[metric]
            marks = {q: float(v) for q in ("P5", "P50", "P95") if pd.notna(v := row.at[q])}  # type: ignore[arg-type]
        histograms[label] = charts.histogram(values, quantiles=marks, title=label, width=560)
    regret_svg, regret = "", {}
    if summary.sweep.kind == "stress" and not summary.regret.empty:
        regret = regret_quantiles(summary.regret)
        finite = summary.regret["regret"].astype(float)
        finite_values = finite[finite.abs() != float("inf")].dropna().tolist()
        marks = {q: regret[q] for q in ("P5", "P50", "P95") if q in regret}
        regret_svg = charts.histogram(finite_values, quantiles=marks, title="Regret")
    jobs = [j for j in s.team.jobs(limit=200) if j.sweep_id == sweep_id and not j.finished]
    return render(
        request,
        "sweep.html",
        who,
        summary=summary,
        variations=override_lines(list(summary.sweep.spec)),
        quantiles=grid(summary.quantiles),
        decisions=grid(summary.decisions),
        histograms=histograms,
        regret=regret,
        regret_svg=regret_svg,
        running=jobs[0] if jobs else None,
    )
