"""``emsplan sweep`` and ``emsplan stress``: many sampled scenarios on Dask."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer
from rich.text import Text

from emsplan.cli.app import Fail, app, guarded, interrupted
from emsplan.cli.options import (
    DbOption,
    MipGapOpt,
    SolverOpt,
    SolverOptionOpt,
    TimeLimitOpt,
    load_network,
    load_overrides,
    open_store,
    resolve_overrides,
    solver_options,
    stored_plan,
)
from emsplan.cli.render import Col, err, fitted_table, out
from emsplan.cli.render_store import money, print_quantiles, print_sweep_decisions

if TYPE_CHECKING:
    from emsplan.data.network import Network
    from emsplan.scenarios.overrides import Override
    from emsplan.store import Store

P = ParamSpec("P")
R = TypeVar("R")

VaryOption = Annotated[
    list[str] | None,
    typer.Option(
        "--vary",
        help="A variation: an override whose value is a distribution, e.g. "
        "'demand.qty*=uniform(0.8,1.2)' (uniform, normal, triangular, choice), or "
        "'demand.qty~forecast' to draw each demand row from the network's demand_forecast "
        "(repeatable; see docs/scenarios.md).",
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
    settings: dict[str, Any] = {"solver": solver}
    if time_limit is not None:
        settings["time_limit"] = time_limit
    if mip_gap is not None:
        settings["mip_gap"] = mip_gap
    options = solver_options(pairs)
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


def interruptible(command: Callable[P, R]) -> Callable[P, R]:
    """Ctrl-C at any moment of a sweep (before it starts, while the cluster starts, while
    samples run): the samples stored so far stay, the cluster is closed, the message says
    how to resume; exit 130."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except KeyboardInterrupt:
            raise interrupted(
                "Interrupted: the samples finished so far are stored; rerun the same command "
                "to resume."
            ) from None

    return wrapper


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


@app.command("sweep")
@interruptible
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
    print_quantiles(summary, network.currency)
    print_sweep_decisions(summary, decisions)
    out().print(
        f"{summary.solved} of {summary.samples} samples solved ({summary.failed} failed, "
        f"{summary.skipped} already stored) in {summary.seconds:.1f} s; sweep {summary.sweep.id}."
    )


@app.command("stress")
@interruptible
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
    json_path: Annotated[
        Path | None,
        typer.Option(
            "--json",
            help="Also write the result as JSON to this file: samples, cost (mean, p50, p95 "
            "with the plan's choices kept), regret (mean, p50, p95, max) and each sample's "
            "costs, to compare two plans stressed on the same samples.",
            metavar="FILE",
        ),
    ] = None,
    regret: Annotated[
        bool,
        typer.Option(
            "--regret/--no-regret",
            help="Also find each sample's own optimum, for the regret (--no-regret: only the "
            "cost with the plan's decisions kept, about half the time for a MIP).",
        ),
    ] = True,
) -> None:
    """Stress-test a plan's stage-1 decisions in sampled scenarios; report the regret.

    The stage-1 decisions are the options (which lines, contracts and sites
    are open when, single sources, market origins), the volumes committed under
    contracts (take or pay) and the purchases committed ahead from offers with a
    lead time (paid whether taken or not). In each sample the plan is
    re-optimised keeping them, everything else free, and compared with the
    sample's own optimum: regret = cost with the decisions kept - the sample's
    optimum.

    \b
    Examples:
      emsplan stress base --vary 'supply[supplier=CN-SZ].price*=uniform(1,1.5)' -n 50
      emsplan stress '#3' --vary 'demand.qty*=normal(1,0.15)' --seed 7
    """
    from emsplan.scenarios.sweep import regret_quantiles, stress_report, unused_choices

    variations = load_overrides(vary, None) + load_overrides(None, vary_file)
    if not variations:
        raise Fail("Give at least one variation, e.g. --vary 'demand.qty*=uniform(0.8,1.2)'.")
    if json_path is not None:
        _check_writable(json_path)
    with open_store(db) as store:
        plan = stored_plan(store, plan_ref)
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
            settings=sample_settings(solver, time_limit, mip_gap, solver_option)
            | ({} if regret else {"regret": False}),
        )
    currency = network.currency
    d = plan.decisions
    if "commitments" in d:
        kept = (
            f"Stage-1 decisions of plan #{plan.id} kept: {len(d.get('options', []))} "
            f"option-periods open, {len(d['commitments'])} purchases committed ahead (offers "
            f"with a lead time; taken or not, paid) and {len(d.get('volumes', []))} committed "
            "volumes (take or pay); purchases with no lead time, production and flows follow "
            "each sample."
        )
    else:  # a plan recorded before commitments: the older, stricter rule
        unused = unused_choices(network, d)
        kept = (
            f"Choices of plan #{plan.id}: {len(d.get('sourcing', []))} offers used "
            f"({len(unused['sourcing'])} fixed to zero), "
            f"{len(d.get('production', []))} items made at plants "
            f"({len(unused['production'])} fixed to zero), "
            f"{len(d.get('options', []))} option-periods open and "
            f"{len(d.get('volumes', []))} committed volumes (take or pay)."
        )
    out().print(Text(kept))
    print_quantiles(summary, currency)
    if not regret:
        out().print(
            f"{summary.samples} samples ({summary.failed} failed, {summary.skipped} already "
            f"stored) in {summary.seconds:.1f} s; stress test {summary.sweep.id} (no regret: "
            "--no-regret)."
        )
        if json_path is not None:
            _write_json(json_path, stress_report(summary) | {"currency": currency})
        return
    q = regret_quantiles(summary.regret)
    rows = [[k, money(q.get(k))] for k in ("P5", "P50", "P95", "mean", "max")]
    unserved = f"{int(q['infeasible'])} of {len(summary.regret)}"
    rows.append(["samples the choices cannot serve", unserved])
    columns = [Col("over the samples", "text"), Col(f"regret ({currency})", "number")]
    title = f"Regret of keeping plan #{plan.id}'s choices"
    out().print(fitted_table(columns, rows, title=title))  # one figure a line: never cut
    out().print(
        f"{summary.samples} samples ({summary.failed} failed, {summary.skipped} already stored) "
        f"in {summary.seconds:.1f} s; stress test {summary.sweep.id}."
    )
    if json_path is not None:
        _write_json(json_path, stress_report(summary) | {"currency": currency})
        out().print(f"Wrote {json_path}.")


def _check_writable(path: Path) -> None:
    """Refuse, before any sample runs, a JSON path whose folder does not exist."""
    if path.is_dir():
        raise Fail(f"--json {str(path)!r} is a folder; give a file name, e.g. stress.json.")
    if not path.parent.is_dir():
        raise Fail(f"--json {str(path)!r}: the folder {str(path.parent)!r} does not exist.")


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """``data`` as strict JSON, written beside and renamed: a whole file or none."""
    import json

    from emsplan.data.writers import atomic_save
    from emsplan.results.summary import finite

    text = json.dumps(finite(data), indent=2, allow_nan=False) + "\n"
    try:
        atomic_save(path, lambda name: Path(name).write_text(text, encoding="utf-8"))
    except OSError as exc:
        raise Fail(f"Cannot write {str(path)!r}: {exc.strerror or exc}.") from exc
