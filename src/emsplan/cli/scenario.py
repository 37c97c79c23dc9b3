"""``emsplan scenario add|list|show|delete|plan``: named scenarios in the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from emsplan.api.errors import file_message, no_plan_message
from emsplan.cli.app import INFEASIBLE, Fail, app, guarded, plain_arrays
from emsplan.cli.options import (
    DbOption,
    MipGapOpt,
    SolverOpt,
    SolverOptionOpt,
    TimeLimitOpt,
    load_network,
    load_overrides,
    open_store,
    override_failure,
    short,
    solver_options,
)
from emsplan.cli.render import Col, err, fitted_table, out, print_summary
from emsplan.cli.render_store import money, print_history
from emsplan.cli.robust import (
    CvarAlphaOpt,
    CvarWeightOpt,
    MethodOpt,
    RobustOpt,
    RobustRequest,
    RobustSamplesOpt,
    RobustSchedulerOpt,
    RobustWorkersOpt,
    ValueOpt,
    print_robust,
    robust_request,
)
from emsplan.cli.sweep import SeedOption, VaryFileOption, VaryOption

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
        help="An override, e.g. 'supply[supplier=CN-SZ].price*=1.1' (repeatable; "
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
      emsplan scenario add cn-plus-20 india-2023.xlsx --set 'supply[supplier=CN-SZ].price*=1.2'
      emsplan scenario add tight --from cn-plus-20 --set 'resources.capacity*=0.8'
      emsplan scenario add lc --file overrides.json
    """
    from emsplan.scenarios.overrides import OverrideError
    from emsplan.scenarios.stored import add_scenario
    from emsplan.store.store import check_scenario_name

    check_scenario_name(name)  # before reading anything
    overrides = load_overrides(set_, file)
    if (base is None) == (from_ is None):
        raise Fail(
            "Give the base network either as a PATH (a workbook or a folder of .csv files) or "
            "as --from SCENARIO, not both or neither; e.g. emsplan scenario add NAME "
            "india-2023.xlsx --set 'demand.qty*=1.1'."
        )
    network = load_network(base) if base is not None else None
    with open_store(db) as store:
        try:
            info = add_scenario(
                store,
                name,
                overrides,
                base=network,
                from_scenario=from_,
                description=description,
                replace=replace,
            )
        except OverrideError as exc:
            raise override_failure(exc) from None
    out().print(
        Text(
            f"Scenario {name}: {(network.name if network else from_) or 'the network'} "
            f"({short(info.base_hash)}) with {len(info.overrides)} override(s) gives network "
            f"{short(info.network_hash)}. "
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
    columns = [  # on a narrow terminal the hashes go first: numbers are never cut
        Col("name"),
        Col("base", drop=1),
        Col("overrides", "number"),
        Col("network", drop=2),
        Col("latest plan"),  # its id and total cost, never cut
        Col("by", "text", drop=4),
        Col("created", drop=3),
        Col("description", "text"),
    ]
    rows = []
    for i in infos:
        latest = plans[i.name]
        rows.append(
            [
                i.name,
                short(i.base_hash),
                str(len(i.overrides)),
                short(i.network_hash),
                "-" if latest is None else f"#{latest.id} {money(latest.objective)}",
                i.created_by,
                f"{i.created_at:%Y-%m-%d %H:%M}",
                i.description,
            ]
        )
    out().print(fitted_table(columns, rows, title="Scenarios", header_style="bold"))


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
    print_history(plans, f"Plans of {name}", kpis)
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
    robust: RobustOpt = False,
    vary: VaryOption = None,
    vary_file: VaryFileOption = None,
    samples: RobustSamplesOpt = 20,
    seed: SeedOption = 0,
    cvar_weight: CvarWeightOpt = 0.0,
    cvar_alpha: CvarAlphaOpt = 0.9,
    value: ValueOpt = False,
    method: MethodOpt = "auto",
    workers: RobustWorkersOpt = 2,
    scheduler: RobustSchedulerOpt = None,
) -> None:
    """Plan a stored scenario and record the plan in the store.

    The plan (its status, objective, solver settings, every table, KPIs,
    timings, user and time) is stored in one transaction; an infeasible
    scenario is recorded as such and exits 3. With --out, the plan is written
    there first: if the store cannot take it (a full disk), it is kept there.

    Example: emsplan scenario plan cn-plus-20 --out plan-cn/
             emsplan scenario plan base --robust --vary 'demand.qty~forecast' -n 20
    """
    request = robust_request(
        robust,
        vary=vary,
        vary_file=vary_file,
        samples=samples,
        seed=seed,
        cvar_weight=cvar_weight,
        cvar_alpha=cvar_alpha,
        value=value,
        solver=solver,
        method=method,
        workers=workers,
        scheduler=scheduler,
    )
    plan_stored(name, out_dir, solver, time_limit, mip_gap, solver_option, db, request)


def plan_stored(
    name: str,
    out_dir: Path | None,
    solver: str,
    time_limit: float | None,
    mip_gap: float | None,
    solver_option: list[str] | None,
    db: str | None,
    request: RobustRequest | None = None,
) -> None:
    """Plan the stored scenario ``name`` (robustly, given a ``request``), store the plan and
    print it; exit 2 on a wrong request, 3 when there is no plan."""
    from emsplan.scenarios.overrides import OverrideError
    from emsplan.scenarios.robust import RobustError
    from emsplan.scenarios.stored import PlanNotStoredError, plan_scenario

    plain_arrays()
    if request is not None and solver_option:
        raise Fail("--solver-option applies to a single plan; leave it out with --robust.")
    robust = None if request is None else request.arguments()
    what = "plan" if request is None else "robust plan"
    with open_store(db) as store, err().status(f"{what}...") as status:
        try:
            outcome = plan_scenario(
                store,
                name,
                solver_name=solver,
                time_limit=time_limit,
                mip_gap=mip_gap,
                solver_options=solver_options(solver_option),
                progress=lambda message: status.update(f"{message}..."),
                out=out_dir,
                robust=robust,
            )
        except OverrideError as exc:
            raise override_failure(exc) from None
        except RobustError as exc:
            raise Fail(str(exc)) from None
        except PlanNotStoredError as exc:
            status.stop()
            print_summary(exc.result, exc.written)
            raise Fail(str(exc)) from None
        result = outcome.result
        if outcome.error is not None or result is None:
            assert outcome.error is not None
            raise Fail(
                no_plan_message(
                    outcome.error,
                    f"No {what} for scenario {name}",
                    f" (recorded as plan #{outcome.plan_id})",
                ),
                INFEASIBLE,
            ) from outcome.error
    print_summary(result, outcome.written)
    print_robust(result)
    if outcome.write_error is not None:
        raise Fail(
            f"{file_message(outcome.write_error)} The plan was stored all the same, as plan "
            f"#{outcome.plan_id} of scenario {name} in {store.display_url}."
        )
    out().print(f"Stored as plan #{outcome.plan_id} of scenario {name} in {store.display_url}.")
