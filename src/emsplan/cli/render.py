"""Printing for the command line: problems of the input, the verdict of a validation,
the summary of a plan (outcome, costs, KPIs, bottlenecks, policies and options)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from rich.cells import cell_len
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from emsplan.api.errors import input_message
from emsplan.core.problems import InputError, Problem, Severity, format_key

if TYPE_CHECKING:
    from emsplan.results.plan import Plan


def out() -> Console:
    """Console for results (stdout)."""
    return Console(highlight=False, soft_wrap=False)


def err() -> Console:
    """Console for messages about failures (stderr)."""
    return Console(stderr=True, highlight=False)


def paragraph(message: str) -> None:
    err().print(Text(message))


# -- tables that fit the terminal -------------------------------------------------------
#: The width a text column keeps at least before columns are dropped to make room.
TEXT_MIN = 10


@dataclass(frozen=True)
class Col:
    """A column of a table that fits the terminal.

    ``kind``: ``"number"`` (right-aligned) and ``"key"`` (ids, dates, hashes, names) are
    never cut nor wrapped; ``"text"`` wraps. ``drop``: None for a column always shown;
    otherwise columns are dropped in increasing ``drop`` when the terminal is too narrow
    for the numbers and keys in full (rich would cut them with an ellipsis).
    """

    header: str
    kind: Literal["number", "key", "text"] = "key"
    drop: int | None = None
    justify: Literal["left", "center", "right"] | None = None


def fitted_table(
    columns: Sequence[Col],
    rows: Iterable[Sequence[str | Text]],
    *,
    width: int | None = None,
    **options: Any,
) -> Table:
    """A rich table of ``rows`` that fits ``width`` (the terminal's by default): the
    droppable columns go, least important first, until the numbers and keys fit whole
    beside text columns of at least :data:`TEXT_MIN` characters (or their whole text).
    ``options`` go to :class:`rich.table.Table` (title, box, ...)."""
    rows = [list(r) for r in rows]
    width = out().width if width is None else width
    keep = list(range(len(columns)))
    droppable = sorted((c.drop, i) for i, c in enumerate(columns) if c.drop is not None)

    def kept(row: Sequence[Any]) -> list[Any]:
        return [row[i] for i in keep]

    while droppable and needed_width(kept(columns), map(kept, rows), **options) > width:
        keep.remove(droppable.pop(0)[1])
    table = Table(**options)
    for i in keep:
        c = columns[i]
        table.add_column(
            c.header,
            justify=c.justify or ("right" if c.kind == "number" else "left"),
            no_wrap=c.kind != "text",
            overflow="fold",
        )
    for r in rows:
        table.add_row(*(r[i] for i in keep))
    return table


def needed_width(
    columns: Sequence[Col], rows: Iterable[Sequence[str | Text]], **options: Any
) -> int:
    """The width a table needs: numbers and keys whole (their header too), text columns
    :data:`TEXT_MIN` wide (or their widest cell), and the borders and padding."""
    cells: list[list[Text]] = [[Text(c.header)] for c in columns]
    for row in rows:
        for column, cell in zip(cells, row, strict=True):
            column.append(Text(cell) if isinstance(cell, str) else cell)
    need = 0
    for c, column in zip(columns, cells, strict=True):
        widest = max(cell_len(line) for cell in column for line in cell.plain.split("\n"))
        need += min(widest, TEXT_MIN) if c.kind == "text" else widest
    probe = Table(**{k: v for k, v in options.items() if k not in ("title", "caption")})
    for _ in columns:
        probe.add_column("x")
    console = out()
    return need + Measurement.get(console, console.options, probe).maximum - len(columns)


def report_input_error(exc: InputError) -> None:
    """Print the problems of an input error and the verdict (or one paragraph for files)."""
    errors = exc.errors
    if errors and all(p.check == "check_files" for p in errors):
        paragraph(input_message(exc))
        return
    print_problems(exc.problems)
    verdict(exc.problems, source=None)


def print_problems(problems: Sequence[Problem]) -> None:
    """The problems as a table: severity, table, row, key, column, message."""
    if not problems:
        return
    table = Table(show_lines=False, header_style="bold", expand=False)
    table.add_column("severity", no_wrap=True)
    table.add_column("table", no_wrap=True)
    table.add_column("row", justify="right", no_wrap=True)
    table.add_column("key", overflow="fold")
    table.add_column("column", overflow="fold")
    table.add_column("message", overflow="fold", ratio=1)
    ordered = sorted(problems, key=lambda p: p.severity is not Severity.ERROR)
    for p in ordered:
        style = "red" if p.severity is Severity.ERROR else "yellow"
        table.add_row(
            Text(p.severity.value, style=style),
            Text(p.table),
            Text("" if p.row is None else str(p.row)),
            Text(format_key(p.key)),
            Text(p.column or ""),
            Text(p.message),
        )
    out().print(table)


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def verdict(problems: Iterable[Problem], source: str | None) -> None:
    """One line: valid or not, with the counts of errors and warnings."""
    problems = list(problems)
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    where = f" in {source}" if source else ""
    if errors:
        out().print(
            Text(
                f"INVALID: {_count(errors, 'error')} and {_count(warnings, 'warning')}{where}; "
                "fix the errors and run again.",
                style="bold red",
            )
        )
    else:
        out().print(
            Text(f"VALID: no errors, {_count(warnings, 'warning')}{where}.", style="bold green")
        )


def _money(value: float, currency: str) -> str:
    return f"{value:,.0f} {currency}"


def print_summary(result: Plan, destination: Path | None) -> None:
    """The plan's headline as rich tables: outcome, costs, KPIs, top bottlenecks."""
    s = result.summary
    console = out()
    head = Table(title=f"Plan of {s['network'] or 'the network'}", show_header=False)
    head.add_column(style="bold")
    head.add_column()
    head.add_row("status", f"{s['status']} ({s['termination_condition']})")
    if s.get("objective_kind") == "profit":
        head.add_row("profit", _money(s["profit"], s["currency"]))
        head.add_row("revenue", _money(s["revenue"], s["currency"]))
        head.add_row("objective", f"{_money(s['objective'], s['currency'])} (cost - revenue)")
    else:
        head.add_row("total cost", _money(s["objective"], s["currency"]))
    if s["mip_gap"] is not None:
        head.add_row("MIP gap", f"{s['mip_gap']:.4%}")
    head.add_row(
        "model", f"{s['model']['variables']:,} variables, {s['model']['constraints']:,} constraints"
    )
    head.add_row("time", f"{s['timings']['total']:.2f} s (solver {s['solve_seconds']:.2f} s)")
    console.print(head)

    costs = result.costs.groupby("category", sort=False)["value"].sum()
    table = Table(title="Cost by category")
    table.add_column("category")
    table.add_column(f"value ({s['currency']})", justify="right")
    table.add_column("share", justify="right")
    revenue = ("lost_revenue", "new_channel_revenue")
    spent = costs.drop([c for c in revenue if c in costs.index]).sum()
    for category, value in costs.items():
        share = value / spent if spent and category not in revenue else float("nan")
        table.add_row(str(category), f"{value:,.0f}", "" if share != share else f"{share:.1%}")
    console.print(table)

    kpis = result.kpis[(result.kpis["period"] == "all") & (result.kpis["scope"] == "network")]
    table = Table(title="Key figures over the horizon")
    table.add_column("kpi")
    table.add_column("value", justify="right")
    for kpi, value in zip(kpis["kpi"], kpis["value"], strict=True):
        shown = f"{value:.1%}" if kpi in ("service_level", "local_share") else f"{value:,.0f}"
        table.add_row(str(kpi), shown)
    console.print(table)

    b = result.bottlenecks
    if len(b):
        top = b.reindex(b["value_per_unit"].abs().sort_values(ascending=False).index).head(5)
        table = Table(title="Largest bottlenecks")
        for column in ("constraint", "element", "period", "meaning"):
            table.add_column(column)
        for row in top.itertuples():
            table.add_row(str(row.constraint), str(row.element), str(row.period), str(row.meaning))
        console.print(table)
    _print_decisions(result)
    if destination is not None:
        from emsplan.results.writer import WORKBOOK_ROWS

        if (destination / "plan.xlsx").is_file():
            console.print(
                f"Plan written to {destination}/ (CSV or Parquet per table, plan.xlsx, "
                "summary.json)."
            )
        else:
            console.print(
                f"Plan written to {destination}/ (CSV or Parquet per table, summary.json). "
                f"No plan.xlsx: the plan has {result.rows:,} rows, more than the "
                f"{WORKBOOK_ROWS:,} a workbook is written for by default (--workbook writes "
                "it anyway)."
                if result.rows > WORKBOOK_ROWS
                else f"Plan written to {destination}/ (CSV or Parquet per table, summary.json; "
                "no plan.xlsx, as asked)."
            )


def _print_decisions(result: Plan) -> None:
    """Policies and discrete options at a glance: what qualified, what opened."""
    table = Table(title="Policies and options")
    for column in ("kind", "name", "outcome"):
        table.add_column(column)
    currency = result.summary["currency"]
    policy = result.tables.get("policy")
    if policy is not None and len(policy):
        for (kind, name), rows in policy.groupby(["policy", "name"], sort=False):
            met = int(rows["qualified"].astype(bool).sum())
            worth = "earned" if kind == "incentive" else "duty saved"
            total = float(rows["value"].sum())
            text = f"qualified in {met} of {len(rows)} periods; {worth} {total:,.0f} {currency}"
            margins = rows["margin"].astype(float)
            if met == 0 and margins.notna().any():
                best = int(np.nanargmax(margins.to_numpy()))
                scope = rows["scope"].iloc[best]
                text += f"; closest: {scope} missed by {-margins.iloc[best]:,.3g}"
            table.add_row(str(kind), str(name), text)
    options = result.tables.get("options")
    if options is not None and len(options):
        for (kind, name), rows in options.groupby(["kind", "option"], sort=False):
            opened = rows.loc[rows["open"] == 1, "period"].astype(str).tolist()
            text = f"open in {', '.join(opened)}" if opened else "not used"
            if kind == "single_source" and opened:
                text = f"sourced from {', '.join(rows['supplier'].astype(str))}"
            if kind == "market_source":
                pairs = zip(rows["site"].astype(str), rows["origin"].astype(str), strict=True)
                text = "; ".join(f"{m} from {k}" for m, k in pairs)
            if kind == "site" and "event" in rows:
                events = rows[rows["event"].notna()]
                changes = [
                    f"{e} {p}" + (f" (one-off {c:,.0f} {currency})" if c > 0 else "")
                    for e, p, c in zip(
                        events["event"],
                        events["period"],
                        events["one_off_cost"].fillna(0.0).astype(float),
                        strict=True,
                    )
                ]
                state = f"open in {len(opened)} of {len(rows)} periods"
                text = "; ".join([state, *changes])
            table.add_row(str(kind), str(name), text)
    if table.row_count:
        out().print(table)
