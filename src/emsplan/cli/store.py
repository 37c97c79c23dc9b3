"""Commands over the planning store (registered on :data:`emsplan.cli.app.app`).

``emsplan scenario add|list|show|delete|plan``, ``emsplan compare``,
``emsplan history``, ``emsplan sweep`` and ``emsplan stress``. The store is
``$EMSPLAN_DB`` (a path or a SQLAlchemy URL), else ``~/.emsplan/emsplan.db``;
``--db`` overrides both. Overrides and variations are checked against the
network before anything is solved or written (exit 2).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer
from rich.table import Table
from rich.text import Text

from emsplan.cli.app import INFEASIBLE, Fail, app, err, guarded, load_network, out
from emsplan.cli.plan import DbOption, MipGapOpt, SolverOpt, SolverOptionOpt, TimeLimitOpt

if TYPE_CHECKING:
    from emsplan.data.network import Network
    from emsplan.scenarios.overrides import Override
    from emsplan.store import PlanInfo, Store

scenario_app = typer.Typer(
    name="scenario",
    help=(
        "Named scenarios in the store: a base network and overrides of its tables.\n\n"
        "Example: emsplan scenario add high-duty india-2023.xlsx "
        "--set 'duties[hs_code=8517.13].rate*=1.5'"
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(scenario_app)

SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="An override, e.g. 'supply[supplier=SUP-CN].price*=1.1' (repeatable; "
        "see docs/scenarios.md).",
        show_default=False,
    ),
]
FileOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--file",
        help="A JSON or YAML file, or a workbook with a 'scenarios' sheet, of overrides "
        "(repeatable).",
        show_default=False,
    ),
]


@contextmanager
def open_store(db: str | None) -> Iterator[Store]:
    """The store for a command; problems with it become a clear failure (exit 2)."""
    from emsplan.store import Store, StoreError

    try:
        store = Store(db)
    except StoreError as exc:
        raise Fail(str(exc)) from None
    try:
        yield store
    except StoreError as exc:
        raise Fail(str(exc)) from None
    finally:
        store.close()


def load_overrides(texts: list[str] | None, files: list[Path] | None) -> list[Override]:
    from emsplan.scenarios.overrides import OverrideError, load

    try:
        return load(texts or [], files or [])
    except OverrideError as exc:
        raise Fail(str(exc)) from None


def resolve_overrides(network: Network, overrides: list[Override], random: bool) -> list[Override]:
    """Check every override against ``network`` before anything runs (exit 2 if wrong)."""
    from emsplan.scenarios.overrides import OverrideError, resolve

    try:
        return resolve(network, overrides, random)
    except OverrideError as exc:
        raise Fail(
            f"{len(exc.messages)} wrong override(s), nothing was changed: {exc}"
            if len(exc.messages) > 1
            else f"{exc} Nothing was changed."
        ) from None


def short(digest: str) -> str:
    return digest[:10]


def _money(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


# -- scenario ---------------------------------------------------------------------------
@scenario_app.command("add")
@guarded
def scenario_add(
    name: Annotated[str, typer.Argument(help="The scenario's name.", show_default=False)],
    base: Annotated[
        Path | None,
        typer.Argument(
            help="The base network: an .xlsx workbook or a folder of .csv files.",
            metavar="PATH",
            show_default=False,
        ),
    ] = None,
    set_: SetOption = None,
    file: FileOption = None,
    from_: Annotated[
        str | None,
        typer.Option(
            "--from", help="Start from this stored scenario instead of a file.", show_default=False
        ),
    ] = None,
    description: Annotated[str, typer.Option(help="A note shown by scenario list.")] = "",
    replace: Annotated[bool, typer.Option(help="Replace a scenario of the same name.")] = False,
    db: DbOption = None,
) -> None:
    """Store a named scenario: a base network with overrides, checked and validated.

    \b
    Examples:
      emsplan scenario add base india-2023.xlsx
      emsplan scenario add cn-plus-20 india-2023.xlsx --set 'supply[supplier=SUP-CN].price*=1.2'
      emsplan scenario add tight --from cn-plus-20 --set 'resources.capacity*=0.8'
      emsplan scenario add lc --file overrides.json
    """
    from emsplan.scenarios.overrides import apply, from_dict

    overrides = load_overrides(set_, file)
    if (base is None) == (from_ is None):
        raise Fail(
            "Give the base network either as a PATH (a workbook or a folder of .csv files) or "
            "as --from SCENARIO, not both or neither; e.g. emsplan scenario add NAME "
            "india-2023.xlsx --set 'demand.qty*=1.1'."
        )
    with open_store(db) as store:
        if from_ is not None:
            parent = store.scenario(from_)
            network = store.network(parent.base_hash)
            overrides = [from_dict(o) for o in parent.overrides] + overrides
        else:
            assert base is not None
            network = load_network(base)
        resolved = resolve_overrides(network, overrides, random=False)
        result = apply(network, resolved, name=name)
        info = store.add_scenario(
            name, network, result, [o.to_dict() for o in resolved], description, replace
        )
    out().print(
        Text(
            f"Scenario {name}: {network.name or 'the network'} ({short(info.base_hash)}) with "
            f"{len(resolved)} override(s) gives network {short(info.network_hash)}. "
            f"Plan it with: emsplan scenario plan {name}"
        )
    )


@scenario_app.command("list")
@guarded
def scenario_list(db: DbOption = None) -> None:
    """List the stored scenarios.

    Example: emsplan scenario list
    """
    with open_store(db) as store:
        infos = store.scenarios()
        plans = {i.name: store.latest_plan(i.name) for i in infos}
    if not infos:
        out().print("No scenarios yet; add one with: emsplan scenario add NAME PATH --set ...")
        return
    table = Table(title="Scenarios", header_style="bold")
    for column in ("name", "base", "overrides", "network", "latest plan", "by", "created"):
        table.add_column(column)
    table.add_column("description", overflow="fold")
    for i in infos:
        latest = plans[i.name]
        table.add_row(
            i.name,
            short(i.base_hash),
            str(len(i.overrides)),
            short(i.network_hash),
            "-" if latest is None else f"#{latest.id} {_money(latest.objective)}",
            i.created_by,
            f"{i.created_at:%Y-%m-%d %H:%M}",
            i.description,
        )
    out().print(table)


@scenario_app.command("show")
@guarded
def scenario_show(
    name: Annotated[str, typer.Argument(help="The scenario's name.", show_default=False)],
    export: Annotated[
        Path | None,
        typer.Option(
            help="Also write the scenario's network (overrides applied) to this .xlsx "
            "workbook or folder of .csv files.",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """Show a scenario: its base, its overrides and its plans.

    \b
    Examples:
      emsplan scenario show cn-plus-20
      emsplan scenario show cn-plus-20 --export cn-plus-20.xlsx
    """
    from emsplan.scenarios.overrides import from_dict

    with open_store(db) as store:
        info = store.scenario(name)
        plans = store.history(scenario=name, limit=10)
        kpis = store.kpis([p.id for p in plans])
        if export is not None:
            written = store.network(info.network_hash).write(export)
    console = out()
    console.print(Text(f"Scenario {info.name}", style="bold"))
    if info.description:
        console.print(Text(info.description))
    console.print(Text(f"base network {info.base_hash}"))
    console.print(Text(f"its network  {info.network_hash}"))
    console.print(Text(f"created by {info.created_by} on {info.created_at:%Y-%m-%d %H:%M}"))
    console.print(Text(f"Overrides ({len(info.overrides)}):"))
    for number, spec in enumerate(info.overrides, 1):
        console.print(Text(f"  {number}. {from_dict(spec)}"))
    _print_history(plans, f"Plans of {name}", kpis)
    if export is not None:
        console.print(Text(f"Its network written to {written}."))


@scenario_app.command("delete")
@guarded
def scenario_delete(
    name: Annotated[str, typer.Argument(help="The scenario's name.", show_default=False)],
    db: DbOption = None,
) -> None:
    """Delete a scenario; its plans stay in the history.

    Example: emsplan scenario delete cn-plus-20
    """
    with open_store(db) as store:
        kept = store.delete_scenario(name)
    out().print(f"Deleted scenario {name}; its {kept} plan(s) stay in `emsplan history`.")


@scenario_app.command("plan")
@guarded
def scenario_plan(
    name: Annotated[str, typer.Argument(help="The scenario's name.", show_default=False)],
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Also write the plan into this folder.")
    ] = None,
    solver: SolverOpt = "highs",
    time_limit: TimeLimitOpt = None,
    mip_gap: MipGapOpt = None,
    solver_option: SolverOptionOpt = None,
    db: DbOption = None,
) -> None:
    """Plan a stored scenario and record the plan in the store.

    The plan (its status, objective, solver settings, every table, KPIs,
    timings, user and time) is stored in one transaction; an infeasible
    scenario is recorded as such and exits 3.

    Example: emsplan scenario plan cn-plus-20 --out plan-cn/
    """
    from emsplan.cli.plan import parse_solver_options, print_summary
    from emsplan.planning.pipeline import PlanningError, plan
    from emsplan.store import PlanRecord

    options = parse_solver_options(solver_option or [])
    settings: dict[str, Any] = {
        "solver": solver,
        "time_limit": time_limit,
        "mip_gap": mip_gap,
        "solver_options": options,
    }
    with open_store(db) as store:
        info = store.scenario(name)
        network = store.network(info.network_hash)
        with err().status("planning...") as status:
            try:
                result = plan(
                    network,
                    solver_name=solver,
                    solver_options=options,
                    time_limit=time_limit,
                    mip_gap=mip_gap,
                    progress=lambda message: status.update(f"{message}..."),
                )
            except PlanningError as exc:
                record = PlanRecord.failed(exc.termination, str(exc), settings, solver=solver)
                plan_id = store.record_plan(record, info.network_hash, scenario=name)
                lines = "\n".join(f"- {line}" for line in exc.explanation)
                raise Fail(
                    f"No plan for scenario {name}: the model is "
                    f"{exc.termination.replace('_', ' ')} (recorded as plan #{plan_id})."
                    + (f" What conflicts:\n{lines}" if lines else ""),
                    INFEASIBLE,
                ) from exc
            status.update("storing the plan...")
            record = PlanRecord.from_plan(result, settings)
            plan_id = store.record_plan(record, info.network_hash, scenario=name)
            if out_dir is not None:
                status.update("writing the plan...")
                result.write(out_dir)
    print_summary(result, out_dir)
    out().print(f"Stored as plan #{plan_id} of scenario {name} in {store.display_url}.")


# -- compare and history ----------------------------------------------------------------
def _plan_of(store: Store, ref: str) -> PlanInfo:
    """A plan by id (``12`` or ``#12``) or the newest plan of a scenario."""
    digits = ref.lstrip("#")
    if digits.isdigit():
        return store.plan(int(digits))
    latest = store.latest_plan(ref)
    if latest is None:
        raise Fail(f"Scenario {ref!r} has no plan yet; plan it first: emsplan scenario plan {ref}")
    return latest


KPIS = (
    ("total_cost", "total cost", _money),
    ("duty_paid", "duty paid", _money),
    ("service_level", "service level", _share),
    ("local_share", "local share", _share),
)


@app.command("compare")
@guarded
def compare(
    plans: Annotated[
        list[str],
        typer.Argument(
            help="Scenario names (their newest plan) or plan ids (#12).",
            metavar="SCENARIO|#ID...",
            show_default=False,
        ),
    ],
    top: Annotated[int, typer.Option(help="How many of the largest changes to show.", min=1)] = 10,
    excel: Annotated[
        Path | None,
        typer.Option("--out", help="Also write the comparison to this .xlsx workbook."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Compare stored plans side by side: costs, KPIs, the decisions that differ and the
    largest changes in sourcing, production and flows.

    The first plan is the reference; the others show their difference to it.

    \b
    Examples:
      emsplan compare base cn-plus-20
      emsplan compare '#3' '#7' high-duty --out comparison.xlsx
    """
    if excel is not None and excel.suffix.lower() != ".xlsx":
        raise Fail(f"--out {str(excel)!r} must be an .xlsx workbook.")
    if len(plans) < 2:
        raise Fail("Give at least two scenarios or plan ids to compare, e.g. compare base high.")
    with open_store(db) as store:
        infos = [_plan_of(store, ref) for ref in plans]
        kpis = store.kpis([i.id for i in infos])
        costs = {i.id: store.plan_table(i.id, "costs") for i in infos}
        quantities = {
            name: {i.id: store.plan_table(i.id, name) for i in infos}
            for name in ("purchases", "production", "flows")
        }
    labels = [f"#{i.id} {i.scenario or short(i.network_hash)}" for i in infos]
    table = Table(title="Comparison (differences to the first plan)", header_style="bold")
    table.add_column("")
    for label in labels:
        table.add_column(label, justify="right")
    table.add_row("status", *[f"{i.status} ({i.termination})" for i in infos])

    def values(kpi: str) -> list[float | None]:
        got = []
        for i in infos:
            hit = kpis[
                (kpis["plan_id"] == i.id)
                & (kpis["kpi"] == kpi)
                & (kpis["scope"] == "network")
                & (kpis["period"] == "all")
            ]
            got.append(float(hit["value"].iloc[0]) if len(hit) else None)
        return got

    for kpi, label, fmt in KPIS:
        table.add_row(label, *_with_delta(values(kpi), fmt))
    categories: list[str] = []
    for frame in costs.values():
        if frame is not None:
            categories += [c for c in frame["category"].unique() if c not in categories]
    for category in categories:
        row: list[float | None] = []
        for i in infos:
            frame = costs[i.id]
            row.append(
                None
                if frame is None
                else float(frame.loc[frame["category"] == category, "value"].sum())
            )
        table.add_row(f"  {category}", *_with_delta(row, _money))
    out().print(table)
    _print_decision_changes(infos, labels)
    changes = largest_changes(infos, labels, quantities, top)
    if len(changes):
        moved = Table(title=f"Largest changes in units over the horizon (top {top} per plan)")
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
    if excel is not None:
        from emsplan.data.writers import write_workbook

        kpi_rows = pd.DataFrame(
            [
                {"kpi": label, **dict(zip(labels, values(kpi), strict=True))}
                for kpi, label, _ in KPIS
            ]
        )
        cost_rows = pd.concat(
            [
                f.groupby("category")["value"].sum().rename(label)
                for f, label in zip(costs.values(), labels, strict=True)
                if f is not None
            ],
            axis=1,
        ).reset_index()
        write_workbook({"kpis": kpi_rows, "costs": cost_rows, "changes": changes}, excel)
        out().print(f"Comparison written to {excel}.")


#: What a plan table's quantities measure, and the columns that name an element.
CHANGE_TABLES = {
    "purchases": ("bought", ["supplier", "item"]),
    "production": ("made", ["plant", "item"]),
    "flows": ("shipped", ["origin", "destination", "item"]),
}


def largest_changes(
    infos: list[PlanInfo],
    labels: list[str],
    quantities: dict[str, dict[int, pd.DataFrame | None]],
    top: int,
) -> pd.DataFrame:
    """For each plan after the first: the elements (offer, plant and item, lane and item)
    whose units over the horizon changed most, in numbers and in words."""
    rows = []
    for name, (what, keys) in CHANGE_TABLES.items():
        totals = {}
        for i in infos:
            frame = quantities[name].get(i.id)
            if frame is None or frame.empty:
                totals[i.id] = pd.Series(dtype=float)
                continue
            names = frame[keys].astype(str).agg(" / ".join, axis=1)
            totals[i.id] = frame["qty"].groupby(names).sum()
        reference = totals[infos[0].id]
        for i, label in zip(infos[1:], labels[1:], strict=True):
            both = pd.concat([reference, totals[i.id]], axis=1).fillna(0.0)
            both.columns = pd.Index(["reference", "value"])
            both["change"] = both["value"] - both["reference"]
            for element, r in both.loc[both["change"].abs().nlargest(top).index].iterrows():
                if abs(r["change"]) < 0.5:
                    continue
                rows.append(
                    {
                        "plan": label,
                        "what": what,
                        "element": element,
                        "reference": r["reference"],
                        "value": r["value"],
                        "change": r["change"],
                        "words": _in_words(r, what),
                    }
                )
    columns = ["plan", "what", "element", "reference", "value", "change", "words"]
    frame = pd.DataFrame(rows, columns=columns)
    order = frame["change"].abs().sort_values(ascending=False).index
    return frame.loc[order].groupby("plan", sort=False).head(top).reset_index(drop=True)


def _in_words(r: pd.Series, what: str) -> str:
    change, before = float(r["change"]), float(r["reference"])
    direction = "more" if change > 0 else "fewer"
    if before == 0:
        return f"{abs(change):,.0f} {direction} units {what} (none before)"
    if r["value"] == 0:
        return f"no longer {what} (was {before:,.0f})"
    return f"{abs(change):,.0f} {direction} units {what} ({change / before:+.0%})"


def _with_delta(values: list[float | None], fmt: Any) -> list[str]:
    first = values[0]
    shown = [fmt(first)]
    for v in values[1:]:
        if v is None or first is None:
            shown.append(fmt(v))
            continue
        delta = v - first
        if fmt is _share:
            shown.append(f"{fmt(v)} ({delta * 100:+.1f} pp)")
        else:
            shown.append(f"{fmt(v)} ({'+' if delta >= 0 else '-'}{fmt(abs(delta))})")
    return shown


def _print_decision_changes(infos: list[PlanInfo], labels: list[str]) -> None:
    rows = []
    for kind, what in (("sourcing", "offer"), ("production", "made at")):
        sets = [set(i.decisions.get(kind, [])) for i in infos]
        every = set().union(*sets)
        for element in sorted(every - set.intersection(*sets)):
            rows.append((what, element, ["yes" if element in s else "-" for s in sets]))
    if not rows:
        out().print("The plans use the same offers and make the same items at the same plants.")
        return
    table = Table(title="Decisions that differ (offer used, item made at a plant)")
    table.add_column("decision")
    table.add_column("element")
    for label in labels:
        table.add_column(label, justify="center")
    for what, element, marks in rows:
        table.add_row(what, element, *marks)
    out().print(table)


@app.command("history")
@guarded
def history(
    scenario: Annotated[
        str | None, typer.Option(help="Only the plans of this scenario.", show_default=False)
    ] = None,
    limit: Annotated[int, typer.Option(help="How many plans to show, newest first.", min=1)] = 20,
    sweeps: Annotated[bool, typer.Option(help="Include the samples of sweeps.")] = False,
    db: DbOption = None,
) -> None:
    """List the stored plans, newest first: who planned what, when, and the outcome.

    \b
    Examples:
      emsplan history
      emsplan history --scenario cn-plus-20 --limit 5
    """
    with open_store(db) as store:
        plans = store.history(scenario=scenario, limit=limit, sweeps=sweeps)
        kpis = store.kpis([p.id for p in plans])
    _print_history(plans, "Plans (newest first)", kpis)


def _print_history(plans: list[PlanInfo], title: str, kpis: Any = None) -> None:
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
            _money(p.objective),
            _share(all_kpis.get((p.id, "service_level"))),
            _share(all_kpis.get((p.id, "local_share"))),
            f"{p.timings.get('total', 0.0):.2f}",
        )
    console.print(table)


# -- sweep and stress -------------------------------------------------------------------
VaryOption = Annotated[
    list[str] | None,
    typer.Option(
        "--vary",
        help="A variation: an override whose value is a distribution, e.g. "
        "'demand.qty*=uniform(0.8,1.2)' (repeatable; see docs/scenarios.md).",
        show_default=False,
    ),
]
VaryFileOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--vary-file",
        "--spec",
        help="A JSON or YAML file holding a list of variations (repeatable).",
        show_default=False,
    ),
]
SamplesOption = Annotated[int, typer.Option("--samples", "-n", help="How many samples.", min=1)]
SeedOption = Annotated[int, typer.Option(help="Seed of the sampling (same seed, same samples).")]
WorkersOption = Annotated[
    int, typer.Option(help="Worker processes of the local Dask cluster.", min=1)
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        help="Address of a running Dask scheduler (tcp://host:8786) to use instead of a local "
        "cluster.",
        show_default=False,
    ),
]
IdOption = Annotated[
    str | None,
    typer.Option(
        "--id",
        help="The sweep's id (default: derived from the network, variations and seed, so that "
        "rerunning the same command resumes it).",
        show_default=False,
    ),
]
TablesOption = Annotated[
    bool, typer.Option(help="Store every output table of each sample (--no-tables: KPIs only).")
]


def sample_settings(
    solver: str, time_limit: float | None, mip_gap: float | None, pairs: list[str] | None
) -> dict[str, Any]:
    """The solver settings of every sample of a sweep or stress test (only those given, so
    that a sweep run without them keeps its id and resumes as before)."""
    from emsplan.cli.plan import parse_solver_options

    settings: dict[str, Any] = {"solver": solver}
    if time_limit is not None:
        settings["time_limit"] = time_limit
    if mip_gap is not None:
        settings["mip_gap"] = mip_gap
    options = parse_solver_options(pairs or [])
    if options:
        settings["solver_options"] = options
    return settings


def _run_sweep(
    store: Store,
    network: Network,
    variations: list[Override],
    samples: int,
    seed: int,
    **kwargs: Any,
) -> Any:
    """Run a sweep with a rich progress bar; bad variations fail before anything runs."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from emsplan.scenarios import sweep
    from emsplan.scenarios.overrides import OverrideError

    resolve_overrides(network, variations, random=True)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err(),
        transient=False,
    ) as bar:
        task = bar.add_task("samples", total=samples)

        def started(info: Any, todo: int, total: int) -> None:
            bar.update(task, description=f"{info.id}", completed=total - todo)
            if todo < total:
                bar.console.print(
                    f"Resuming {info.id}: {total - todo} of {total} samples already stored."
                )

        try:
            return sweep.run(
                store,
                network,
                variations,
                samples,
                seed,
                progress=lambda done, total: bar.update(task, completed=done),
                started=started,
                **kwargs,
            )
        except (OverrideError, sweep.ClusterError) as exc:
            raise Fail(str(exc)) from None
        except KeyboardInterrupt:
            bar.console.print(
                "Interrupted: the samples finished so far are stored; rerun the same command to "
                "resume."
            )
            raise typer.Exit(130) from None


def _base_network(store: Store, base: str) -> tuple[Network, str | None]:
    """A network from a path (workbook or CSV folder) or a stored scenario's name."""
    path = Path(base)
    if path.exists():
        return load_network(path), None
    from emsplan.store import StoreError

    try:
        info = store.scenario(base)
    except StoreError as exc:
        raise Fail(
            f"{base!r} is neither a file or folder nor a stored scenario: {exc} Give the path "
            "of a workbook or CSV folder, or a scenario's name."
        ) from None
    return store.network(info.network_hash), base


def _print_quantiles(summary: Any, currency: str) -> None:
    table = Table(title=f"{summary.sweep.kind} {summary.sweep.id}: P5 / P50 / P95 over samples")
    for column in ("figure", "samples", "P5", "P50", "P95"):
        table.add_column(column, justify="right" if column != "figure" else "left")
    for row in summary.quantiles.itertuples():
        fmt = _share if row.metric != "total_cost" else _money
        label = f"total cost ({currency})" if row.metric == "total_cost" else row.metric
        table.add_row(
            label.replace("_", " "),
            str(row.samples),
            *(fmt(None if math.isnan(v) else float(v)) for v in (row.P5, row.P50, row.P95)),
        )
    out().print(table)


def _print_decisions(summary: Any, limit: int) -> None:
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


@app.command("sweep")
@guarded
def sweep_command(
    base: Annotated[
        str,
        typer.Argument(
            help="A stored scenario's name, or the path of a workbook or CSV folder.",
            metavar="SCENARIO|PATH",
            show_default=False,
        ),
    ],
    vary: VaryOption = None,
    vary_file: VaryFileOption = None,
    samples: SamplesOption = 100,
    seed: SeedOption = 0,
    workers: WorkersOption = 2,
    scheduler: SchedulerOption = None,
    sweep_id: IdOption = None,
    tables: TablesOption = True,
    decisions: Annotated[
        int, typer.Option(help="How many decisions to list (0: all).", min=0)
    ] = 25,
    solver: SolverOpt = "highs",
    time_limit: TimeLimitOpt = None,
    mip_gap: MipGapOpt = None,
    solver_option: SolverOptionOpt = None,
    db: DbOption = None,
) -> None:
    """Plan many sampled scenarios in parallel (Dask) and summarise them.

    Each sample draws every variation from its distribution (seeded: the
    same seed gives the same samples), is planned on a worker, and is stored
    as soon as it finishes; rerunning an interrupted sweep resumes it. Prints
    P5/P50/P95 of total cost, service level and local share, and how often
    each offer is used and each item made at each plant.

    \b
    Examples:
      emsplan sweep base --vary 'demand.qty*=normal(1,0.1)' -n 200 --seed 1
      emsplan sweep india-2023.xlsx --vary 'supply[supplier=CN-SZ].price*=uniform(0.9,1.4)'
      emsplan sweep base --vary-file variations.json --scheduler tcp://10.0.0.5:8786
    """
    variations = load_overrides(vary, None) + load_overrides(None, vary_file)
    if not variations:
        raise Fail("Give at least one variation, e.g. --vary 'demand.qty*=uniform(0.8,1.2)'.")
    with open_store(db) as store:
        network, scenario = _base_network(store, base)
        summary = _run_sweep(
            store,
            network,
            variations,
            samples,
            seed,
            sweep_id=sweep_id,
            scenario=scenario,
            keep_tables=tables,
            workers=workers,
            scheduler=scheduler,
            settings=sample_settings(solver, time_limit, mip_gap, solver_option),
        )
    _print_quantiles(summary, network.currency)
    _print_decisions(summary, decisions)
    out().print(
        f"{summary.solved} of {summary.samples} samples solved ({summary.failed} failed, "
        f"{summary.skipped} already stored) in {summary.seconds:.1f} s; sweep {summary.sweep.id}."
    )


@app.command("stress")
@guarded
def stress_command(
    plan_ref: Annotated[
        str,
        typer.Argument(
            help="The stored plan whose choices are kept: a scenario's name (its newest plan) "
            "or a plan id (#12).",
            metavar="SCENARIO|#ID",
            show_default=False,
        ),
    ],
    vary: VaryOption = None,
    vary_file: VaryFileOption = None,
    samples: SamplesOption = 50,
    seed: SeedOption = 0,
    workers: WorkersOption = 2,
    scheduler: SchedulerOption = None,
    sweep_id: IdOption = None,
    tables: TablesOption = False,
    solver: SolverOpt = "highs",
    time_limit: TimeLimitOpt = None,
    mip_gap: MipGapOpt = None,
    solver_option: SolverOptionOpt = None,
    db: DbOption = None,
) -> None:
    """Stress-test a plan's strategic choices in sampled scenarios; report the regret.

    The choices are which offers the plan uses, which plants make what, which
    lines and contracts are open when, and the volumes committed under
    contracts (take or pay). In each sample, the plan is re-optimised keeping
    them, and compared with the sample's own optimum:
    regret = cost with the fixed choices - the sample's optimum.

    \b
    Examples:
      emsplan stress base --vary 'supply[supplier=CN-SZ].price*=uniform(1,1.5)' -n 50
      emsplan stress '#3' --vary 'demand.qty*=normal(1,0.15)' --seed 7
    """
    from emsplan.scenarios.sweep import regret_quantiles, unused_choices

    variations = load_overrides(vary, None) + load_overrides(None, vary_file)
    if not variations:
        raise Fail("Give at least one variation, e.g. --vary 'demand.qty*=uniform(0.8,1.2)'.")
    with open_store(db) as store:
        plan = _plan_of(store, plan_ref)
        if plan.objective is None:
            raise Fail(
                f"Plan #{plan.id} has no solution ({plan.termination}); stress a solved one."
            )
        network = store.network(plan.network_hash)
        summary = _run_sweep(
            store,
            network,
            variations,
            samples,
            seed,
            kind="stress",
            sweep_id=sweep_id,
            scenario=plan.scenario,
            plan_id=plan.id,
            fixed=plan.decisions,
            keep_tables=tables,
            workers=workers,
            scheduler=scheduler,
            settings=sample_settings(solver, time_limit, mip_gap, solver_option),
        )
    unused = unused_choices(network, plan.decisions)
    currency = network.currency
    out().print(
        Text(
            f"Choices of plan #{plan.id}: {len(plan.decisions.get('sourcing', []))} offers used "
            f"({len(unused['sourcing'])} fixed to zero), "
            f"{len(plan.decisions.get('production', []))} items made at plants "
            f"({len(unused['production'])} fixed to zero), "
            f"{len(plan.decisions.get('options', []))} option-periods open and "
            f"{len(plan.decisions.get('volumes', []))} committed volumes (take or pay)."
        )
    )
    _print_quantiles(summary, currency)
    q = regret_quantiles(summary.regret)
    table = Table(title=f"Regret of keeping plan #{plan.id}'s choices ({currency})")
    for column in ("P5", "P50", "P95", "mean", "max", "fixed infeasible"):
        table.add_column(column, justify="right")
    table.add_row(
        *(_money(q.get(k)) for k in ("P5", "P50", "P95", "mean", "max")),
        f"{int(q['infeasible'])} of {len(summary.regret)}",
    )
    out().print(table)
    out().print(
        f"{summary.samples} samples ({summary.failed} failed, {summary.skipped} already stored) "
        f"in {summary.seconds:.1f} s; stress test {summary.sweep.id}."
    )
