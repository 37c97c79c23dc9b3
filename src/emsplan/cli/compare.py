"""``emsplan compare`` and ``emsplan history``: stored plans side by side, and the list of
plans."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from emsplan.cli.app import Fail, app, guarded
from emsplan.cli.options import DbOption, open_store
from emsplan.cli.render import out
from emsplan.cli.render_store import print_comparison, print_history


@app.command("compare")
@guarded
def compare_command(
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
    from emsplan.scenarios.compare import compare

    if excel is not None and excel.suffix.lower() != ".xlsx":
        raise Fail(f"--out {str(excel)!r} must be an .xlsx workbook.")
    if len(plans) < 2:
        raise Fail("Give at least two scenarios or plan ids to compare, e.g. compare base high.")
    with open_store(db) as store:
        comparison = compare(list(plans), store=store, top=top)
    print_comparison(comparison)
    if excel is not None:
        comparison.to_excel(excel)
        out().print(f"Comparison written to {excel}.")


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
        if scenario is not None and not plans:
            names = [i.name for i in store.scenarios()]
            if scenario not in names:
                raise Fail(unknown_scenario(scenario, names))
            out().print(
                f"Scenario {scenario} has no plans yet; plan it with: "
                f"emsplan scenario plan {scenario}"
            )
            return
        kpis = store.kpis([p.id for p in plans])
    print_history(plans, "Plans (newest first)", kpis)


def unknown_scenario(name: str, known: list[str], shown: int = 8) -> str:
    """That no scenario is named ``name``, with a few of the ``known`` names (the closest
    first)."""
    import difflib

    if not known:
        return f"No scenario named {name!r}: the store has no scenarios yet."
    close = difflib.get_close_matches(name, known, n=shown, cutoff=0.6)
    close += sorted(k for k in known if k not in close)[: shown - len(close)]
    more = f" and {len(known) - shown} more (emsplan scenario list)" if len(known) > shown else ""
    return f"No scenario named {name!r}; the scenarios are: {', '.join(close)}{more}."
