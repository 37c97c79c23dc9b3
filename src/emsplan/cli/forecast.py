"""``emsplan forecast``: demand forecasts with intervals from a sales history; and
``emsplan simulate-history``: a made-up history of a network's demand to try it on.

Registered on :data:`emsplan.cli.app.app`; the work is :func:`emsplan.forecast.forecast`
(methods, backtest, calibration and reconciliation are described in docs/forecast.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import numpy as np
import typer
from rich.text import Text

from emsplan.cli.app import Fail, app, guarded
from emsplan.cli.options import load_network
from emsplan.cli.render import Col, err, fitted_table, out, print_problems
from emsplan.data.writers import atomic_save, csv_text

if TYPE_CHECKING:
    import pandas as pd

    from emsplan.data.network import Network
    from emsplan.forecast import Forecast


@app.command("forecast")
@guarded
def forecast_command(
    history: Annotated[
        Path,
        typer.Argument(
            help="The sales history: a workbook or folder of .csv files with a table "
            "sales_history (a whole network, or that table alone), or one .csv file with "
            "its columns (market, item, period, qty; price, promotion optional).",
            metavar="HISTORY",
            show_default=False,
        ),
    ],
    horizon: Annotated[
        int,
        typer.Option(
            "--horizon", help="Periods to forecast after the history's last.", show_default=False
        ),
    ],
    out_path: Annotated[
        Path,
        typer.Option(
            "--out",
            help="The .csv file to write: one row per market, item and future period (qty, "
            "lo80, hi80, the method and its backtest error); the totals per item, group and "
            "overall go beside it in NAME-totals.csv.",
            show_default=False,
        ),
    ],
    into: Annotated[
        Path | None,
        typer.Option(
            "--into",
            help="A network (workbook or folder of .csv files) whose table demand gets the "
            "forecast (its other rows stay), with the intervals in table demand_forecast; "
            "the network must stay valid, else nothing is written.",
            show_default=False,
        ),
    ] = None,
    fill_zero: Annotated[
        bool,
        typer.Option(
            "--fill-zero",
            help="Read periods missing inside a series (or after its last row) as no sales; "
            "without it they are errors.",
        ),
    ] = False,
    level: Annotated[
        float, typer.Option("--level", help="The prediction intervals' level in percent.")
    ] = 80.0,
) -> None:
    """Forecast demand from a sales history, with prediction intervals.

    Each market-and-item series, and each total per item, per item group and overall, is
    forecast by the method a rolling-origin backtest chooses (exponential smoothing,
    theta, seasonal naive, their combination; Croston for occasional sales); the
    intervals are calibrated by the backtest's errors; the series are reconciled (MinT)
    so that they add up to the totals. Periods continue the history's labels (YYYY-Qn,
    YYYY-MM or YYYY). Prints each series' method and backtest error (MASE).

    \b
    Examples (on the bundled example, with a made-up history):
      emsplan example india-2023 india-2023.xlsx
      emsplan simulate-history india-2023.xlsx history.csv
      emsplan forecast history.csv --horizon 8 --out forecast.csv
      emsplan forecast history.csv --horizon 8 --out forecast.csv --into india-2023.xlsx
    """
    from emsplan.forecast import read_history
    from emsplan.forecast.demand import into_network
    from emsplan.forecast.history import item_groups

    if horizon < 1:
        raise Fail(f"--horizon must be at least 1 (the periods to forecast); got {horizon}.")
    if not 0 < level < 100:
        raise Fail(f"--level must be a percentage between 0 and 100 (e.g. 80); got {level:g}.")
    if out_path.suffix.lower() != ".csv":
        raise Fail(f"Cannot write {str(out_path)!r}: --out must be a path ending in .csv.")
    if not history.exists():
        raise Fail(
            f"No such file or folder: {str(history)!r}. Give a .csv file of the sales history, "
            "or a workbook or folder of .csv files holding a table sales_history."
        )
    network = load_network(into, validate=True) if into is not None else None
    source = read_history(history)
    groups = item_groups(network) if network is not None else None
    result = _run(source, horizon, level, fill_zero, groups)
    print_problems(result.warnings)
    updated = None
    if network is not None:
        updated = into_network(network, result, source["sales_history"])
        updated.validate()
    totals_path = out_path.with_name(f"{out_path.stem}-totals.csv")
    _write_csv(out_path, result.table)
    _write_csv(totals_path, result.totals)
    if updated is not None and into is not None:
        updated.write(into)
    _print_series(result)
    console = out()
    console.print(
        Text(
            f"Forecast {len(result.table) // horizon} series for {result.periods[0]} to "
            f"{result.periods[-1]}, {level:g}% intervals (widths x{result.calibration:.2f} "
            f"by the backtest); wrote {out_path} and {totals_path}."
        )
    )
    if into is not None:
        console.print(
            Text(
                f"Wrote the forecast into {into}: table demand ({len(result.table)} rows "
                "replaced or added) and demand_forecast (the intervals); the network is valid."
            )
        )


def _run(
    source: Network,
    horizon: int,
    level: float,
    fill_zero: bool,
    groups: Mapping[str, str] | None,
) -> Forecast:
    """The forecast, with a progress bar on stderr."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from emsplan.forecast import forecast

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err(),
        transient=True,
    ) as bar:
        task = bar.add_task("series", total=None)

        def progress(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, description=name)

        return forecast(
            source,
            horizon,
            level=level,
            fill_zero=fill_zero,
            groups=groups,
            progress=progress,
        )


def _write_csv(path: Path, frame: pd.DataFrame) -> None:
    atomic_save(path, lambda name: Path(name).write_text(csv_text(frame), encoding="utf-8"))


def _print_series(result: Forecast) -> None:
    """One line per series: its method, backtest error and history."""
    rows = []
    for r in result.series.to_dict("records"):
        level = str(r["level"])
        name = str(r["market"]) if level == "series" else f"({level})"
        what = r["item"] if level in ("series", "item") else r["group"]
        error = float(r["backtest_mase"])
        rows.append(
            [
                name,
                "all" if level == "total" else str(what),
                str(r["model"]),
                "" if np.isnan(error) else f"{error:.3f}",
                str(r["history"]),
            ]
        )
    columns = [
        Col("market"),
        Col("item"),
        Col("method"),
        Col("backtest MASE", "number"),
        Col("periods", "number", drop=1),
    ]
    out().print(fitted_table(columns, rows, title="Methods chosen by the backtest"))


@app.command("simulate-history")
@guarded
def simulate_history_command(
    network_path: Annotated[
        Path,
        typer.Argument(
            help="The network whose demand the history leads up to (its periods must be "
            "labelled YYYY-Qn, YYYY-MM or YYYY).",
            metavar="NETWORK",
            show_default=False,
        ),
    ],
    out_path: Annotated[
        Path,
        typer.Argument(help="The .csv file to write.", metavar="OUT", show_default=False),
    ],
    periods: Annotated[int, typer.Option(help="Periods of history per series.", min=1)] = 20,
    seed: Annotated[int, typer.Option(help="Seed: the same seed, the same history.")] = 0,
) -> None:
    """Write a made-up sales history for a network's demand, to try `emsplan forecast` on.

    Each market and product with demand gets PERIODS periods of sales ending the period
    before the network's first, growing into its demand, with a festive peak, promotions
    and noise (the last product launches later). The figures are invented.

    \b
    Example:
      emsplan simulate-history india-2023.xlsx history.csv --periods 20 --seed 1
    """
    from emsplan.forecast.simulate import simulate_history

    if out_path.suffix.lower() != ".csv":
        raise Fail(f"Cannot write {str(out_path)!r}: give a path ending in .csv.")
    network = load_network(network_path, validate=True)
    try:
        frame = simulate_history(network, periods=periods, seed=seed)
    except ValueError as exc:
        raise Fail(f"Cannot make a history for {str(network_path)!r}: {exc}.") from None
    _write_csv(out_path, frame)
    series = frame.groupby(["market", "item"]).ngroups
    out().print(
        Text(
            f"Wrote {len(frame)} rows of made-up sales ({series} series, {frame['period'].min()} "
            f"to {frame['period'].max()}) to {out_path}."
        )
    )
