"""``emsplan plan``: solve a network and write the plan."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import numpy as np
import typer
from rich.table import Table

from emsplan.cli.app import INFEASIBLE, Fail, app, err, guarded, load_network, out
from emsplan.results.writer import FORMATS

if TYPE_CHECKING:
    from emsplan.results.plan import Plan


def parse_solver_options(pairs: list[str]) -> dict[str, object]:
    """``key=value`` strings as solver options (numbers and true/false converted)."""
    options: dict[str, object] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip():
            raise Fail(f"solver option {pair!r} is not of the form key=value, e.g. presolve=off.")
        value: object = text
        if text.lower() in ("true", "false"):
            value = text.lower() == "true"
        else:
            for kind in (int, float):
                try:
                    value = kind(text)
                    break
                except ValueError:
                    continue
        options[key.strip()] = value
    return options


#: Options shared by every command that solves a model (plan, scenario plan).
SolverOpt = Annotated[str, typer.Option("--solver", help="Any solver linopy supports.")]
TimeLimitOpt = Annotated[
    float | None, typer.Option("--time-limit", help="Solver time limit in seconds.", min=0)
]
MipGapOpt = Annotated[
    float | None,
    typer.Option("--mip-gap", help="Relative MIP gap to stop at (0.01 = 1%).", min=0),
]
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="The store: a file path or a SQLAlchemy URL (default: $EMSPLAN_DB, else "
        "~/.emsplan/emsplan.db).",
        show_default=False,
    ),
]
SolverOptionOpt = Annotated[
    list[str] | None,
    typer.Option("--solver-option", help="Solver option key=value (repeatable)."),
]


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
    for category, value in costs.items():
        share = value / costs.sum() if costs.sum() else 0.0
        table.add_row(str(category), f"{value:,.0f}", f"{share:.1%}")
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
            table.add_row(str(kind), str(name), text)
    if table.row_count:
        out().print(table)


@app.command("plan")
@guarded
def plan_command(
    path: Annotated[
        Path | None,
        typer.Argument(
            help="An .xlsx workbook (one sheet per table) or a folder of .csv files (one per "
            "table); or none with --scenario.",
            metavar="[PATH]",
            show_default=False,
        ),
    ] = None,
    scenario: Annotated[
        str | None,
        typer.Option(
            help="Plan this stored scenario instead of a file, and record the plan in the "
            "store (the same as `emsplan scenario plan NAME`).",
            show_default=False,
        ),
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder to write the plan into.")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help=f"Table files: {' or '.join(FORMATS)}.")
    ] = "csv",
    solver: SolverOpt = "highs",
    time_limit: TimeLimitOpt = None,
    mip_gap: MipGapOpt = None,
    solver_option: SolverOptionOpt = None,
    export_model: Annotated[
        Path | None,
        typer.Option(help="Also write the exact model solved, as .mps or .lp, to this file."),
    ] = None,
    warm_start: Annotated[
        Path | None,
        typer.Option(
            help="solution.sol of an earlier plan of this network: a MIP's starting point."
        ),
    ] = None,
    log: Annotated[bool, typer.Option(help="Show the solver's log.")] = False,
    workbook: Annotated[
        bool | None,
        typer.Option(
            "--workbook/--no-workbook",
            help="Also write plan.xlsx (default: only for plans of at most 100,000 rows).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Find the plan of least total landed cost and write it.

    \b
    Examples:
      emsplan plan india-2023.xlsx --out plan/
      emsplan plan --scenario cn-plus-20 --out plan-cn/   (stored, see `emsplan scenario`)
    """
    if (path is None) == (scenario is None):
        raise Fail(
            "Give either a workbook or folder to plan (emsplan plan india-2023.xlsx) or a stored "
            "scenario (emsplan plan --scenario NAME), not "
            + ("both." if path is not None else "neither.")
        )
    if scenario is not None:
        if (
            export_model is not None
            or warm_start is not None
            or fmt != "csv"
            or log
            or workbook is not None
        ):
            raise Fail(
                "--export-model, --warm-start, --format, --workbook and --log apply to planning "
                "a file; "
                "with --scenario, leave them out, or export the scenario's network first "
                f"(emsplan scenario show {scenario} --export {scenario}.xlsx) and plan that file."
            )
        from emsplan.cli.store import scenario_plan

        scenario_plan(scenario, out_dir, solver, time_limit, mip_gap, solver_option, db)
        return
    assert path is not None
    if db is not None:
        raise Fail("--db applies only with --scenario NAME (a plan of a file is not stored).")
    if fmt not in FORMATS:
        raise Fail(f"--format {fmt!r} is not supported; use one of {', '.join(FORMATS)}.")
    if export_model is not None and export_model.suffix.lower() not in (".mps", ".lp"):
        raise Fail(f"--export-model {str(export_model)!r} must end in .mps or .lp.")
    from emsplan.planning.pipeline import PlanningError, plan  # the optimisation stack, on demand

    options = parse_solver_options(solver_option or [])
    if warm_start is not None and not warm_start.is_file():
        raise Fail(
            f"--warm-start {str(warm_start)!r} does not exist; give the solution.sol "
            "written by an earlier `emsplan plan ... --out DIR`."
        )
    network = load_network(path)
    console = err()
    if network.problems:
        console.print(
            f"{len(network.problems)} warning(s) in the input; `emsplan validate {path}` "
            "lists them."
        )

    with console.status("planning...") as status:
        try:
            result = plan(
                network,
                solver_name=solver,
                solver_options=options,
                time_limit=time_limit,
                mip_gap=mip_gap,
                export_model=export_model,
                warm_start=warm_start,
                validate=False,
                progress=lambda message: status.update(f"{message}..."),
                log=log,
            )
        except PlanningError as exc:
            lines = "\n".join(f"- {line}" for line in exc.explanation)
            raise Fail(
                f"No plan: the model is {exc.termination.replace('_', ' ')}."
                + (f" What conflicts:\n{lines}" if lines else ""),
                INFEASIBLE,
            ) from exc
        if out_dir is not None:
            status.update("writing the plan...")
            try:
                result.write(out_dir, fmt, workbook)
            except ValueError as exc:
                raise Fail(f"Nothing written: {exc}.") from exc
    print_summary(result, out_dir)
