"""Printing for the commands over the store: histories of plans, comparisons, and the
summaries of sweeps and stress tests."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from emsplan.cli.render import Col, fitted_table, needed_width, out

if TYPE_CHECKING:
    from emsplan.scenarios.compare import Comparison
    from emsplan.store import PlanInfo


def money(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def print_history(plans: list[PlanInfo], title: str, kpis: Any = None) -> None:
    if not plans:
        out().print("No plans stored yet.")
        return
    all_kpis: dict[tuple[int, str], float] = {}
    if kpis is not None and len(kpis):
        net = kpis[(kpis["scope"] == "network") & (kpis["period"] == "all")]
        all_kpis = {
            (int(p), str(k)): float(v)
            for p, k, v in zip(net["plan_id"], net["kpi"], net["value"], strict=True)
        }
    in_sweeps = any(p.sweep_id for p in plans)
    columns = [  # on a narrow terminal the hash goes first, then who and when
        Col("plan"),
        Col("when", drop=3),
        Col("by", "text", drop=2),
        Col("scenario", "text"),
        Col("network", drop=1),
        Col("status", "text"),
        *([Col("sweep sample")] if in_sweeps else []),
        Col("total cost", "number"),
        Col("service", "number"),
        Col("local", "number"),
        Col("seconds", "number", drop=4),
    ]
    rows = []
    for p in plans:
        sample = []
        if in_sweeps:
            variant = f"/{p.variant}" if p.variant else ""
            sample = [f"{p.sweep_id}:{p.sample_index}{variant}" if p.sweep_id else "-"]
        rows.append(
            [
                f"#{p.id}",
                f"{p.created_at:%m-%d %H:%M}",
                p.created_by,
                p.scenario or "-",
                p.network_hash[:8],
                p.termination if p.status == "ok" else f"{p.status}: {p.termination}",
                *sample,
                money(p.objective),
                share(all_kpis.get((p.id, "service_level"))),
                share(all_kpis.get((p.id, "local_share"))),
                f"{p.timings.get('total', 0.0):.2f}",
            ]
        )
    options: dict[str, Any] = {"title": title, "header_style": "bold", "box": None}
    options |= {"pad_edge": False, "collapse_padding": True}
    out().print(fitted_table(columns, rows, **options))


def print_quantiles(summary: Any, currency: str) -> None:
    rows = []
    for row in summary.quantiles.itertuples():
        fmt = share if row.metric != "total_cost" else money
        label = f"total cost ({currency})" if row.metric == "total_cost" else row.metric
        rows.append(
            [
                label.replace("_", " "),
                str(row.samples),
                *(fmt(None if math.isnan(v) else float(v)) for v in (row.P5, row.P50, row.P95)),
            ]
        )
    columns = [Col("figure", "text"), Col("samples", "number", drop=1)]
    columns += [Col(q, "number") for q in ("P5", "P50", "P95")]
    title = f"{summary.sweep.kind} {summary.sweep.id}: P5 / P50 / P95 over samples"
    out().print(fitted_table(columns, rows, title=title))


def print_sweep_decisions(summary: Any, limit: int) -> None:
    d = summary.decisions
    if d.empty:
        return
    shown = d if limit <= 0 else d.head(limit)
    rows = [
        [
            "offer used" if row.decision == "sourcing" else "made at plant",
            str(row.element),
            str(row.samples),
            f"{row.share:.0%}",
        ]
        for row in shown.itertuples()
    ]
    columns = [Col("decision", "text"), Col("element"), Col("samples", "number")]
    columns.append(Col("share", "number"))
    title = f"How often each decision appears ({summary.solved} solved samples)"
    out().print(fitted_table(columns, rows, title=title))
    if len(shown) < len(d):
        out().print(f"... and {len(d) - len(shown)} more (--decisions 0 shows all).")


def with_delta(values: list[float | None], share_values: bool = False, sep: str = " ") -> list[str]:
    """Each value formatted, those after the first with their difference to it (after
    ``sep``: a space, or a new line where the table is narrow)."""
    fmt = share if share_values else money
    first = values[0]
    shown = [fmt(first)]
    for v in values[1:]:
        if v is None or first is None:
            shown.append(fmt(v))
            continue
        delta = v - first
        if share_values:
            shown.append(f"{fmt(v)}{sep}({delta * 100:+.1f} pp)")
        else:
            shown.append(f"{fmt(v)}{sep}({'+' if delta >= 0 else '-'}{fmt(abs(delta))})")
    return shown


def print_comparison(comparison: Comparison) -> None:
    """The comparison's outcome, KPIs and costs with their differences to the first plan,
    the decisions that differ and the largest changes.

    On a narrow terminal a difference goes under its value, and if the plans still do not
    fit side by side, they are shown a few at a time (numbers are never cut)."""
    from emsplan.scenarios.compare import KPIS, categories, category_costs

    plans = comparison.plans

    def rows(sep: str) -> list[list[str]]:
        table = [["status", *[f"{p.status} ({p.termination})" for p in plans]]]
        for kpi, label in KPIS:
            values = [p.kpi(kpi) for p in plans]
            table.append([label, *with_delta(values, kpi in ("service_level", "local_share"), sep)])
        for category in categories(plans):
            table.append([f"  {category}", *with_delta(category_costs(plans, category), sep=sep)])
        return table

    options: dict[str, Any] = {"header_style": "bold"}
    options["title"] = "Comparison (differences to the first plan)"
    columns = [Col("", "text"), *(Col(label, "number") for label in comparison.labels)]
    width = out().width
    cells = rows(" ")
    if needed_width(columns, cells, **options) > width:
        cells = rows("\n")

    def first(n: int) -> int:  # the width of the labels and the first n plans
        return needed_width(columns[: n + 1], [r[: n + 1] for r in cells], **options)

    per_table = len(plans)  # plans side by side: as many as fit (at least one)
    while per_table > 1 and first(per_table) > width:
        per_table -= 1
    for start in range(1, len(columns), per_table):
        part = [0, *range(start, min(start + per_table, len(columns)))]
        shown = [[r[i] for i in part] for r in cells]
        out().print(fitted_table([columns[i] for i in part], shown, **options))
    _print_decision_changes(comparison)
    changes = comparison.changes
    if len(changes):
        moved = [
            [
                str(r.plan),
                str(r.what),
                str(r.element),
                f"{r.reference:,.0f}",
                f"{r.value:,.0f}",
                str(r.words),
            ]
            for r in changes.itertuples()
        ]
        columns = [Col("plan", "text"), Col("what", "text"), Col("element", "text")]
        columns += [Col("first plan", "number"), Col("this plan", "number")]
        columns.append(Col("change", "text"))
        title = f"Largest changes in units over the horizon (top {comparison.top} per plan)"
        out().print(fitted_table(columns, moved, title=title))


def _print_decision_changes(comparison: Comparison) -> None:
    d = comparison.decisions
    if d.empty:
        out().print("The plans use the same offers and make the same items at the same plants.")
        return
    columns = [Col("decision"), Col("element")]  # plans' labels wrap: yes or - below them
    columns += [Col(label, "text", justify="center") for label in comparison.labels]
    rows = [[str(v) for v in row] for row in d.itertuples(index=False)]
    title = "Decisions that differ (offer used, item made at a plant)"
    out().print(fitted_table(columns, rows, title=title))
