"""Printing for the commands over the store: histories of plans, comparisons, and the
summaries of sweeps and stress tests."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from rich.table import Table

from emsplan.cli.render import out

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
    console = out()
    table = Table(title=title, header_style="bold", box=None, pad_edge=False, collapse_padding=True)
    in_sweeps = any(p.sweep_id for p in plans)
    wide = console.width >= 110  # the network's hash only where it fits
    widths = {"by": 4, "scenario": 8, "status": 7}
    for column in ("plan", "when", "by", "scenario", "network", "status"):
        if column == "network" and not wide:
            continue
        table.add_column(
            column,
            overflow="fold",
            min_width=widths.get(column),
            no_wrap=column in ("plan", "when", "network"),
        )
    if in_sweeps:
        table.add_column("sweep sample", overflow="fold")
    for column in ("total cost", "service", "local", "seconds"):
        table.add_column(column, justify="right")
    for p in plans:
        sample = []
        if in_sweeps:
            variant = f"/{p.variant}" if p.variant else ""
            sample = [f"{p.sweep_id}:{p.sample_index}{variant}" if p.sweep_id else "-"]
        table.add_row(
            f"#{p.id}",
            f"{p.created_at:%m-%d %H:%M}",
            p.created_by,
            p.scenario or "-",
            *([p.network_hash[:8]] if wide else []),
            p.termination if p.status == "ok" else f"{p.status}: {p.termination}",
            *sample,
            money(p.objective),
            share(all_kpis.get((p.id, "service_level"))),
            share(all_kpis.get((p.id, "local_share"))),
            f"{p.timings.get('total', 0.0):.2f}",
        )
    console.print(table)


def print_quantiles(summary: Any, currency: str) -> None:
    table = Table(title=f"{summary.sweep.kind} {summary.sweep.id}: P5 / P50 / P95 over samples")
    for column in ("figure", "samples", "P5", "P50", "P95"):
        table.add_column(column, justify="right" if column != "figure" else "left")
    for row in summary.quantiles.itertuples():
        fmt = share if row.metric != "total_cost" else money
        label = f"total cost ({currency})" if row.metric == "total_cost" else row.metric
        table.add_row(
            label.replace("_", " "),
            str(row.samples),
            *(fmt(None if math.isnan(v) else float(v)) for v in (row.P5, row.P50, row.P95)),
        )
    out().print(table)


def print_sweep_decisions(summary: Any, limit: int) -> None:
    d = summary.decisions
    if d.empty:
        return
    table = Table(title=f"How often each decision appears ({summary.solved} solved samples)")
    for column in ("decision", "element", "samples", "share"):
        table.add_column(column, justify="right" if column in ("samples", "share") else "left")
    shown = d if limit <= 0 else d.head(limit)
    for row in shown.itertuples():
        what = "offer used" if row.decision == "sourcing" else "made at plant"
        table.add_row(what, str(row.element), str(row.samples), f"{row.share:.0%}")
    out().print(table)
    if len(shown) < len(d):
        out().print(f"... and {len(d) - len(shown)} more (--decisions 0 shows all).")


def with_delta(values: list[float | None], share_values: bool = False) -> list[str]:
    """Each value formatted, those after the first with their difference to it."""
    fmt = share if share_values else money
    first = values[0]
    shown = [fmt(first)]
    for v in values[1:]:
        if v is None or first is None:
            shown.append(fmt(v))
            continue
        delta = v - first
        if share_values:
            shown.append(f"{fmt(v)} ({delta * 100:+.1f} pp)")
        else:
            shown.append(f"{fmt(v)} ({'+' if delta >= 0 else '-'}{fmt(abs(delta))})")
    return shown


def print_comparison(comparison: Comparison) -> None:
    """The comparison's outcome, KPIs and costs with their differences to the first plan,
    the decisions that differ and the largest changes."""
    from emsplan.scenarios.compare import KPIS, categories, category_costs

    plans = comparison.plans
    table = Table(title="Comparison (differences to the first plan)", header_style="bold")
    table.add_column("")
    for label in comparison.labels:
        table.add_column(label, justify="right")
    table.add_row("status", *[f"{p.status} ({p.termination})" for p in plans])
    for kpi, label in KPIS:
        values = [p.kpi(kpi) for p in plans]
        table.add_row(label, *with_delta(values, kpi in ("service_level", "local_share")))
    for category in categories(plans):
        table.add_row(f"  {category}", *with_delta(category_costs(plans, category)))
    out().print(table)
    _print_decision_changes(comparison)
    changes = comparison.changes
    if len(changes):
        moved = Table(
            title=f"Largest changes in units over the horizon (top {comparison.top} per plan)"
        )
        for column in ("plan", "what", "element", "first plan", "this plan", "change"):
            moved.add_column(
                column, justify="right" if column in ("first plan", "this plan") else "left"
            )
        for r in changes.itertuples():
            moved.add_row(
                str(r.plan),
                str(r.what),
                str(r.element),
                f"{r.reference:,.0f}",
                f"{r.value:,.0f}",
                str(r.words),
            )
        out().print(moved)


def _print_decision_changes(comparison: Comparison) -> None:
    d = comparison.decisions
    if d.empty:
        out().print("The plans use the same offers and make the same items at the same plants.")
        return
    table = Table(title="Decisions that differ (offer used, item made at a plant)")
    table.add_column("decision")
    table.add_column("element")
    for label in comparison.labels:
        table.add_column(label, justify="center")
    for row in d.itertuples(index=False):
        table.add_row(*(str(v) for v in row))
    out().print(table)
