"""``emsplan plan``: solve a network and write the plan."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from emsplan.api.errors import no_plan_message
from emsplan.cli.app import INFEASIBLE, Fail, app, guarded, plain_arrays
from emsplan.cli.options import (
    DbOption,
    ExcelSafeCsvOpt,
    MipGapOpt,
    SolverOpt,
    SolverOptionOpt,
    TimeLimitOpt,
    default_plan_folder,
    load_network,
    solver_options,
)
from emsplan.cli.render import err, out, print_summary
from emsplan.cli.robust import (
    CvarAlphaOpt,
    CvarWeightOpt,
    MethodOpt,
    RobustOpt,
    RobustSamplesOpt,
    RobustSchedulerOpt,
    RobustWorkersOpt,
    ValueOpt,
    print_robust,
    robust_request,
    run_robust,
)
from emsplan.cli.sweep import SeedOption, VaryFileOption, VaryOption
from emsplan.results.writer import FORMATS, PlanFolderError, check_plan_folder

if TYPE_CHECKING:
    from emsplan.results.plan import Plan


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
        Path | None,
        typer.Option(
            "--out",
            help="Folder to write the plan into (default: NAME-plan in the current folder, "
            "NAME the network's file name without its suffix). An earlier plan there is "
            "replaced whole; a folder holding anything else is refused.",
            show_default=False,
        ),
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
    excel_safe_csv: ExcelSafeCsvOpt = False,
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
    """Find the plan of least total landed cost and write it.

    \b
    Examples:
      emsplan plan india-2023.xlsx                (writes the plan to india-2023-plan/)
      emsplan plan india-2023.xlsx --out plan/
      emsplan plan --scenario cn-plus-20 --out plan-cn/   (stored, see `emsplan scenario`)
      emsplan plan india-2023.xlsx --robust --vary 'demand.qty~forecast' -n 20 --value
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
            or excel_safe_csv
        ):
            raise Fail(
                "--export-model, --warm-start, --format, --workbook, --excel-safe-csv and --log "
                "apply to planning a file; "
                "with --scenario, leave them out, or export the scenario's network first "
                f"(emsplan scenario show {scenario} --export {scenario}.xlsx) and plan that file."
            )
        from emsplan.cli.scenario import plan_stored

        plan_stored(scenario, out_dir, solver, time_limit, mip_gap, solver_option, db, request)
        return
    assert path is not None
    if db is not None:
        raise Fail("--db applies only with --scenario NAME (a plan of a file is not stored).")
    if fmt not in FORMATS:
        raise Fail(f"--format {fmt!r} is not supported; use one of {', '.join(FORMATS)}.")
    if excel_safe_csv and fmt != "csv":
        raise Fail("--excel-safe-csv applies to CSV files; leave it out with --format parquet.")
    if export_model is not None and export_model.suffix.lower() not in (".mps", ".lp"):
        raise Fail(f"--export-model {str(export_model)!r} must end in .mps or .lp.")
    from emsplan.optimization.solve import check_model_path
    from emsplan.planning.pipeline import PlanningError, plan  # the optimisation stack, on demand

    plain_arrays()

    options = solver_options(solver_option, solver)
    if export_model is not None:
        check_model_path(export_model)  # before anything is read or solved
    if warm_start is not None and not warm_start.is_file():
        raise Fail(
            f"--warm-start {str(warm_start)!r} does not exist; give the solution.sol "
            "written by an earlier `emsplan plan ... --out DIR`."
        )
    network = load_network(path)
    default_out = out_dir is None
    if out_dir is None:
        out_dir = default_plan_folder(path)
    try:
        check_plan_folder(out_dir)  # before the solve, which may take long
    except PlanFolderError as exc:
        raise Fail(str(exc)) from None
    console = err()
    if network.problems:
        console.print(
            f"{len(network.problems)} warning(s) in the input; `emsplan validate {path}` "
            "lists them."
        )

    if request is not None:
        if export_model is not None or warm_start is not None or solver_option:
            raise Fail(
                "--export-model, --warm-start and --solver-option apply to a single plan; "
                "leave them out with --robust."
            )
        result = run_robust(network, request, time_limit, mip_gap, log)
        _write(result, out_dir, fmt, workbook, excel_safe_csv)
        print_summary(result, out_dir)
        print_robust(result)
        return
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
            raise Fail(no_plan_message(exc), INFEASIBLE) from exc
        status.update("writing the plan...")
        _write(result, out_dir, fmt, workbook, excel_safe_csv)
    print_summary(result, out_dir)
    if default_out:
        out().print(
            f"No --out was given: {out_dir}/ in the current folder is the default for "
            f"{path.name} (--out DIR writes the plan elsewhere)."
        )


def _write(
    result: Plan, out_dir: Path, fmt: str, workbook: bool | None, excel_safe_csv: bool
) -> None:
    try:
        result.write(out_dir, fmt, workbook, excel_safe_csv)
    except PlanFolderError as exc:
        raise Fail(str(exc)) from None
    except ValueError as exc:
        raise Fail(f"Nothing written: {exc}.") from exc
