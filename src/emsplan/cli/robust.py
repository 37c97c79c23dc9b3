"""``emsplan plan --robust``: a two-stage plan over sampled scenarios (the options and the
request they make; the command is ``emsplan plan`` and ``emsplan scenario plan``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from emsplan.api.errors import no_plan_message
from emsplan.cli.app import INFEASIBLE, Fail
from emsplan.cli.options import load_overrides, override_failure
from emsplan.cli.render import err, out

if TYPE_CHECKING:
    from emsplan.data.network import Network
    from emsplan.results.plan import Plan
    from emsplan.scenarios.overrides import Override

RobustOpt = Annotated[
    bool,
    typer.Option(
        "--robust",
        help="A two-stage plan: options and purchases ordered ahead (offers with a lead time) "
        "decided once for every scenario drawn by --vary, the rest per scenario; minimises "
        "the expected cost (see docs/robust.md).",
    ),
]
RobustSamplesOpt = Annotated[
    int,
    typer.Option("--samples", "-n", help="With --robust: how many scenarios to draw."),
]
CvarWeightOpt = Annotated[
    float,
    typer.Option(help="With --robust: weight of the CVaR of the worst scenarios (0: none)."),
]
CvarAlphaOpt = Annotated[
    float,
    typer.Option(help="With --robust: CVaR level; 0.9 weighs the worst 10% of scenarios."),
]
MethodOpt = Annotated[
    str,
    typer.Option(
        "--method",
        help="With --robust: extensive (every scenario in one model), benders (decomposed "
        "by scenario on the Dask cluster) or auto (extensive up to 20 scenarios).",
    ),
]
RobustWorkersOpt = Annotated[
    int,
    typer.Option(
        "--workers", help="With --robust --method benders: processes of the local Dask cluster."
    ),
]
RobustSchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="With --robust --method benders: address of a running Dask scheduler "
        "(tcp://host:8786) instead of a local cluster.",
        show_default=False,
    ),
]
ValueOpt = Annotated[
    bool,
    typer.Option(
        "--value",
        help="With --robust: also report EVPI and VSS (solves each scenario twice more).",
    ),
]


@dataclass
class RobustRequest:
    variations: list[Override]
    samples: int
    seed: int
    cvar_weight: float
    cvar_alpha: float
    value: bool
    method: str = "auto"
    workers: int = 2
    scheduler: str | None = None

    def arguments(self) -> dict[str, Any]:
        """The keyword arguments of :func:`emsplan.scenarios.robust.robust_plan`."""
        return {
            "variations": self.variations,
            "samples": self.samples,
            "seed": self.seed,
            "cvar_weight": self.cvar_weight,
            "cvar_alpha": self.cvar_alpha,
            "value": self.value,
            "method": self.method,
            "workers": self.workers,
            "scheduler": self.scheduler,
        }


def robust_request(
    robust: bool,
    *,
    vary: list[str] | None,
    vary_file: list[Path] | None,
    samples: int,
    seed: int,
    cvar_weight: float,
    cvar_alpha: float,
    value: bool,
    solver: str,
    method: str = "auto",
    workers: int = 2,
    scheduler: str | None = None,
) -> RobustRequest | None:
    """The robust request of the command line, or None; exit 2 naming what is wrong."""
    if not robust:
        given = [
            name
            for name, used in (
                ("--vary", bool(vary)),
                ("--vary-file", bool(vary_file)),
                ("--samples", samples != 20),
                ("--cvar-weight", cvar_weight != 0.0),
                ("--cvar-alpha", cvar_alpha != 0.9),
                ("--value", value),
                ("--method", method != "auto"),
                ("--workers", workers != 2),
                ("--scheduler", scheduler is not None),
            )
            if used
        ]
        if given:
            raise Fail(
                f"{', '.join(given)} apply to a robust plan: add --robust, or leave them out "
                "(a sweep of many plans is `emsplan sweep`)."
            )
        return None
    from emsplan.scenarios.robust import RobustError, check_method, check_settings

    try:
        check_settings(samples, solver, cvar_weight, cvar_alpha)
        check_method(method, samples)
        if workers < 1:
            raise RobustError(f"--workers {workers} is not allowed: give 1 or more processes.")
    except RobustError as exc:
        raise Fail(str(exc)) from None
    variations = load_overrides(vary, None) + load_overrides(None, vary_file)
    if not variations:
        raise Fail(
            "--robust needs --vary (or --vary-file): the uncertainty to plan against, e.g. "
            "--vary 'demand.qty~forecast' (the network's demand_forecast) or "
            "--vary 'demand.qty*=normal(1,0.15)'."
        )
    return RobustRequest(
        variations, samples, seed, cvar_weight, cvar_alpha, value, method, workers, scheduler
    )


def run_robust(
    network: Network,
    request: RobustRequest,
    time_limit: float | None,
    mip_gap: float | None,
    log: bool = False,
) -> Plan:
    """Plan ``network`` robustly with a progress line; exit 2 on a wrong request, 3 when
    there is no plan."""
    from emsplan.planning.pipeline import PlanningError
    from emsplan.scenarios.overrides import OverrideError
    from emsplan.scenarios.robust import RobustError, robust_plan

    with err().status("robust plan...") as status:
        try:
            return robust_plan(
                network,
                **request.arguments(),
                time_limit=time_limit,
                mip_gap=mip_gap,
                validate=False,
                log=log,
                progress=lambda message: status.update(f"{message}..."),
            )
        except OverrideError as exc:
            raise override_failure(exc) from None
        except RobustError as exc:
            raise Fail(str(exc)) from None
        except PlanningError as exc:
            raise Fail(no_plan_message(exc), INFEASIBLE) from exc


def print_robust(result: Plan) -> None:
    """The robust block of a plan's summary: expected cost, CVaR, EVPI and VSS."""
    info = result.summary.get("robust")
    if not info:
        return
    currency = result.summary.get("currency") or ""
    table = Table(title=f"Robust plan over {info['samples']} scenarios (seed {info['seed']})")
    table.add_column("figure")
    table.add_column(f"value ({currency})", justify="right")
    table.add_column("note")
    table.add_row("expected objective", f"{info['expected_objective']:,.0f}", "scenario mean")
    table.add_row(
        f"CVaR {info['cvar_alpha']:.0%}",
        f"{info['cvar']:,.0f}",
        f"worst {1 - info['cvar_alpha']:.0%}, weight {info['cvar_weight']:g}",
    )
    found = info.get("decomposition")
    if found:
        table.add_row(
            "lower bound",
            f"{found['lower_bound']:,.0f}",
            f"Benders: gap {info['mip_gap']:.2%}, {found['iterations']} iterations on "
            f"{found['workers']} worker(s)",
        )
    value = info.get("value")
    if value:
        for key, words in (("EVPI", "RP - WS"), ("VSS", "EEV - RP")):
            v = value[key]
            table.add_row(
                key, f"{v['mean']:,.0f}", f"{words}; 95% CI {v['lo95']:,.0f} to {v['hi95']:,.0f}"
            )
    out().print(table)
    commitments = result.tables.get("commitments")
    if commitments is not None and len(commitments):
        out().print(
            f"Stage 1: {len(commitments)} purchase commitment(s) in the commitments table, "
            "the options in the options table; per-scenario costs in scenarios."
        )
