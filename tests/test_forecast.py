"""Demand forecasts from sales history (``emsplan.forecast``, ``emsplan forecast``).

Forecasts whose answers are worked by hand (a pure trend, a pure season, a constant, an
intermittent series, a series of one sale), the coverage of the 80% intervals on
simulated series of a known distribution, reconciliation that adds up, and the command
line run for real in a subprocess: bad histories exit 2 naming the row and column, the
periods continue the history's labels, ``--into`` leaves a valid network.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import emsplan
from conftest import subprocess_env
from emsplan.core.periods import label, parse_label
from emsplan.core.problems import InputError, Severity
from emsplan.forecast import forecast
from emsplan.forecast.demand import into_network
from emsplan.forecast.history import item_groups
from emsplan.forecast.reconcile import build_hierarchy, mint, reconcile
from emsplan.forecast.simulate import simulate_history

WIDE = {"COLUMNS": "250", "NO_COLOR": "1"}


def history(
    values: list[float], frequency: str = "quarter", first: str = "2020-Q1", **key: str
) -> pd.DataFrame:
    """One series of sales (market M, item X unless given), from period ``first`` on."""
    start = parse_label(first)
    assert start is not None and start.frequency == frequency
    return pd.DataFrame(
        {
            "market": key.get("market", "M"),
            "item": key.get("item", "X"),
            "period": [label(frequency, start.ordinal + t) for t in range(len(values))],
            "qty": values,
        }
    )


# -- answers worked by hand -------------------------------------------------------------------
def test_pure_linear_trend_continues_exactly() -> None:
    """Sales 100, 110, ..., 210 over 2021-Q1 to 2023-Q4: Holt's method with the first
    change as its initial trend fits every period without error, so the backtest chooses
    it (ets picks holt by AICc) and the forecast is the line, 220, 230, 240, 250. The
    backtest's errors are all 0, so the calibrated interval has no width."""
    result = forecast(history([100 + 10 * t for t in range(12)], first="2021-Q1"), 4)
    table = result.table
    assert table["period"].tolist() == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    assert np.allclose(table["qty"], [220, 230, 240, 250], rtol=1e-9)
    assert np.allclose(table["lo80"], table["qty"]) and np.allclose(table["hi80"], table["qty"])
    assert table["model"].iloc[0] == "ets"
    assert table["backtest_mase"].iloc[0] == pytest.approx(0.0, abs=1e-9)


def test_pure_season_repeats() -> None:
    """80, 100, 120, 100 every year for four years: a season of mean 100. The seasonal
    indices are 0.8, 1, 1.2, 1, the adjusted series is a constant 100, and every method
    (seasonal naive too) forecasts next year as 80, 100, 120, 100."""
    result = forecast(history([80, 100, 120, 100] * 4), 4)
    assert result.periods == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    assert np.allclose(result.table["qty"], [80, 100, 120, 100], rtol=1e-9)


def test_constant_stays_constant_with_no_spread() -> None:
    result = forecast(history([50.0] * 10), 6)
    assert np.allclose(result.table["qty"], 50.0)
    assert np.allclose(result.table["lo80"], 50.0) and np.allclose(result.table["hi80"], 50.0)


def test_intermittent_series_forecasts_the_rate() -> None:
    """Monthly sales of 10 units in 9 months of 36 (2021-01 to 2023-12): 2.5 units a
    month on average, 0 in three months of four. The forecast is a flat rate between the
    history's lowest and highest yearly rate (20/12 and 30/12 units a month, here within
    1.5 to 3.5); the interval's lower bound is 0, the 10% quantile of a demand that is 0
    three months in four, and its upper one below the size of a sale's lump plus half."""
    sales = [0, 0, 10, 0, 0, 0, 0, 10, 0, 0, 10, 0]
    sales += [0, 0, 0, 0, 10, 0, 0, 0, 10, 0, 10, 0]
    sales += [0, 0, 0, 10, 0, 0, 0, 0, 0, 10, 0, 0]
    result = forecast(history(sales, "month", "2021-01"), 4)
    table = result.table
    assert table["period"].tolist() == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert ((table["qty"] > 1.5) & (table["qty"] < 3.5)).all()
    assert np.ptp(table["qty"]) < 0.1
    assert (table["lo80"] == 0).all()
    assert ((table["hi80"] > table["qty"]) & (table["hi80"] < 15)).all()


def test_one_sale_falls_back_with_a_warning() -> None:
    """A series of one sale (7 units in 2024-Q1) is too short for the methods: it gets
    the fallback, the mean of its sales (7), with a warning naming it; alone in its
    history it cannot measure a spread, so the interval is 50% either side: 3.5 to 10.5."""
    result = forecast(history([7], first="2024-Q1"), 3)
    assert result.table["qty"].tolist() == [7.0, 7.0, 7.0]
    assert result.table["lo80"].tolist() == [3.5, 3.5, 3.5]
    assert result.table["hi80"].tolist() == [10.5, 10.5, 10.5]
    assert result.table["model"].eq("fallback").all()
    [warning] = result.warnings
    assert warning.severity is Severity.WARNING and warning.check == "forecast_fallback"
    assert dict(warning.key) == {"market": "M", "item": "X"}
    assert "M / X" in warning.message and "1 period(s)" in warning.message


def test_yearly_labels_continue() -> None:
    result = forecast(history([5, 6, 7, 8, 9, 10, 11], "year", "2017"), 2)
    assert result.periods == ["2024", "2025"]
    assert np.allclose(result.table["qty"], [12, 13])


# -- intervals that hold -----------------------------------------------------------------
def test_80_percent_intervals_cover_80_percent_of_a_known_distribution() -> None:
    """300 series of 24 quarters, each period's sales independently normal with mean 100
    and sd 10, forecast one quarter ahead; the next quarter is drawn from the same law.
    The coverage of one future value per series is a binomial share of 300 (one series'
    outcome does not depend on another's, but for the shared calibration factor): with
    p = 0.8 its sd is 0.023, so 0.8 +- 0.075 (3.3 sd, a 1-in-1000 miss) must hold it."""
    rng = np.random.default_rng(7)
    n, length = 300, 24
    frames = [
        history(list(100 + 10 * rng.standard_normal(length)), market=f"M{i:03d}") for i in range(n)
    ]
    result = forecast(pd.concat(frames, ignore_index=True), 1, groups={})
    table = result.table.sort_values("market")
    future = 100 + 10 * rng.standard_normal(n)
    covered = (future >= table["lo80"].to_numpy()) & (future <= table["hi80"].to_numpy())
    assert 0.725 <= covered.mean() <= 0.875, covered.mean()


# -- reconciliation ---------------------------------------------------------------------------
def test_mint_by_hand() -> None:
    """Two series a, b and their total, base forecasts total 10, a 4, b 5, equal variances
    and no correlation (W = I): the incoherence 10 - 9 = 1 is shared equally by the
    three, so a = 4 1/3, b = 5 1/3 and the total 9 2/3."""
    summing = np.array([[1.0, 1.0], [1.0, 0.0], [0.0, 1.0]])
    bottom = mint(summing, np.array([[10.0], [4.0], [5.0]]), np.eye(3))
    assert np.allclose(bottom.ravel(), [4 + 1 / 3, 5 + 1 / 3])


def test_hierarchy_leaves_out_totals_of_one_series() -> None:
    """Market N sells PH1 and TV; S sells PH1. TV's item total and the group tv are the
    series N/TV itself, so only item PH1, group phone and the total are reconciled."""
    keys = [("N", "PH1"), ("N", "TV"), ("S", "PH1")]
    h = build_hierarchy(keys, {"PH1": "phone", "TV": "tv"})
    levels = [(n.level, n.item or n.group) for n in h.nodes[:-3]]
    assert levels == [("item", "PH1"), ("total", None)]  # group phone = item PH1's series
    assert h.summing.shape == (5, 3)
    reported = {(n.level, n.item or n.group): h.nodes[k].members for n, k in h.reported}
    assert reported[("group", "tv")] == (1,) and reported[("group", "phone")] == (0, 2)
    base = np.array([[30.0], [20.0], [12.0], [9.0], [11.0]])  # PH1, total, N/PH1, N/TV, S/PH1
    nodes, bottom = reconcile(h, base, np.full((1, 5), np.nan), np.ones(5))
    assert np.allclose(nodes[:, 0], h.summing @ bottom[:, 0])
    assert (bottom >= 0).all()


def test_forecasts_add_up_to_item_group_and_total() -> None:
    """Six series (two markets, three products in two groups): the markets' forecasts
    add up to each item's, the items' to each group's and all to the total, exactly (to
    rounding), and every interval holds its forecast."""
    rng = np.random.default_rng(3)
    frames = []
    for market in ("N", "S"):
        for i, item in enumerate(("PH1", "PH2", "TV")):
            t = np.arange(16)
            qty = 100 + 5 * t + 20 * (t % 4 == 3) + 30 * i + rng.normal(0, 6, 16)
            frames.append(history(list(qty), market=market, item=item))
    groups = {"PH1": "phone", "PH2": "phone", "TV": "tv"}
    result = forecast(pd.concat(frames, ignore_index=True), 4, groups=groups)
    table, totals = result.table, result.totals.set_index(["level", "period"])
    by_item = table.groupby(["item", "period"])["qty"].sum()
    for (item, period), qty in by_item.items():
        row = totals.loc[("item", period)]
        assert row.loc[row["item"] == item, "qty"].iloc[0] == pytest.approx(qty, rel=1e-12)
    table["group"] = table["item"].map(groups)
    for (group, period), qty in table.groupby(["group", "period"])["qty"].sum().items():
        row = totals.loc[("group", period)]
        assert row.loc[row["group"] == group, "qty"].iloc[0] == pytest.approx(qty, rel=1e-12)
    for period, qty in table.groupby("period")["qty"].sum().items():
        assert totals.loc[("total", period), "qty"] == pytest.approx(qty, rel=1e-12)
    for frame in (table, result.totals):
        assert (frame["lo80"] <= frame["qty"]).all() and (frame["qty"] <= frame["hi80"]).all()
        assert (frame["lo80"] >= 0).all()


def test_the_same_history_gives_the_same_forecast() -> None:
    net = emsplan.examples.load("india-2023")
    sales = simulate_history(net, periods=12, seed=4)
    assert sales.equals(simulate_history(net, periods=12, seed=4))
    first, second = forecast(sales, 3), forecast(sales, 3)
    assert first.table.equals(second.table) and first.totals.equals(second.totals)


# -- bad histories (library) --------------------------------------------------------------------
def test_gaps_are_errors_naming_the_row_unless_filled() -> None:
    frame = history([10, 12, 11, 13, 12, 14, 13, 15])
    frame = frame.drop(index=[3]).reset_index(drop=True)  # 2020-Q4 missing
    with pytest.raises(InputError) as raised:
        forecast(frame, 2)
    [problem] = raised.value.errors
    assert (problem.table, problem.row, problem.column) == ("sales_history", 5, "period")
    assert "2020-Q4 is missing" in problem.message and "--fill-zero" in problem.message
    result = forecast(frame, 2, fill_zero=True)
    assert [w.check for w in result.warnings] == ["forecast_fill_zero"]


def test_a_series_that_stops_early_is_an_error() -> None:
    frame = pd.concat([history([5] * 8), history([5] * 6, item="Y")], ignore_index=True)
    with pytest.raises(InputError) as raised:
        forecast(frame, 1)
    [problem] = raised.value.errors
    assert problem.row == 15 and "stops at '2021-Q2'" in problem.message


def test_horizon_and_level_are_checked() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        forecast(history([1, 2, 3]), 0)
    with pytest.raises(ValueError, match="between 0 and 100"):
        forecast(history([1, 2, 3]), 1, level=100)


# -- into a network -------------------------------------------------------------------------
def test_into_network_replaces_demand_and_keeps_the_network_valid() -> None:
    net = emsplan.examples.load("india-2023")
    sales = simulate_history(net, periods=16, seed=2)
    result = forecast(sales, 8, groups=item_groups(net))
    new = into_network(net, result, sales)
    new.validate()
    merged = new.demand.merge(result.table, on=["market", "item", "period"])
    assert len(merged) == len(result.table) == len(new.demand_forecast)
    assert np.allclose(merged["qty_x"], merged["qty_y"])
    old = net.demand.set_index(["market", "item", "period"])
    kept = new.demand.set_index(["market", "item", "period"])
    assert kept["price"].equals(old.loc[kept.index, "price"])  # prices stay
    assert (new.demand_forecast["level"] == 80).all()


def test_into_network_refuses_periods_it_lacks() -> None:
    net = emsplan.examples.load("india-2023")
    result = forecast(simulate_history(net, periods=12, seed=2), 9)
    with pytest.raises(InputError) as raised:
        into_network(net, result)
    assert "2025-Q2 are not periods of the network" in str(raised.value)


# -- the command line, run for real -------------------------------------------------------------
def emsplan_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "emsplan", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=subprocess_env() | WIDE,
        timeout=300,
    )


def test_cli_reports_every_bad_row_and_exits_2(tmp_path: Path) -> None:
    """Negative and non-numeric quantities, a period that is no label and a duplicate
    row: all four reported at once, each with its row and column, no traceback."""
    (tmp_path / "bad.csv").write_text(
        "market,item,period,qty\n"
        "M,X,2023-Q1,-5\n"  # row 2: negative
        "M,X,2023-Q2,lots\n"  # row 3: not a number
        "M,X,Q3-2023,4\n"  # row 4: not a period label
        "M,X,2023-Q4,6\n"
        "M,X,2023-Q4,7\n",  # row 6: the key of row 5 again
        encoding="utf-8",
    )
    done = emsplan_cli("forecast", "bad.csv", "--horizon", "2", "--out", "f.csv", cwd=tmp_path)
    text = done.stdout + done.stderr
    assert done.returncode == 2, text
    assert "Traceback" not in text
    lines = text.splitlines()
    for row, column, words in (
        ("2", "qty", "out of range"),
        ("3", "qty", "lots"),
        ("4", "period", "is not a period label"),
        ("6", "", "duplicate key: row 5"),
    ):
        cell = re.compile(rf"│\s+{row} │")
        found = [line for line in lines if cell.search(line) and words in line]
        assert found and column in found[0], (row, text)
    assert not (tmp_path / "f.csv").exists()


def test_cli_gap_horizon_and_missing_file_exit_2(tmp_path: Path) -> None:
    history([10, 12, 11, 13, 12]).drop(index=[2]).to_csv(tmp_path / "gap.csv", index=False)
    gap = emsplan_cli("forecast", "gap.csv", "--horizon", "2", "--out", "f.csv", cwd=tmp_path)
    assert gap.returncode == 2 and "2020-Q3 is missing" in gap.stdout, gap.stdout + gap.stderr
    assert "--fill-zero" in gap.stdout
    filled = emsplan_cli(
        "forecast", "gap.csv", "--horizon", "2", "--out", "f.csv", "--fill-zero", cwd=tmp_path
    )
    assert filled.returncode == 0, filled.stdout + filled.stderr
    zero = emsplan_cli("forecast", "gap.csv", "--horizon", "0", "--out", "f.csv", cwd=tmp_path)
    assert zero.returncode == 2 and "--horizon must be at least 1" in zero.stderr
    missing = emsplan_cli("forecast", "no.csv", "--horizon", "2", "--out", "f.csv", cwd=tmp_path)
    assert missing.returncode == 2 and "No such file" in missing.stderr
    assert "Traceback" not in gap.stderr + zero.stderr + missing.stderr


def test_cli_monthly_periods_continue_the_labels(tmp_path: Path) -> None:
    sales = pd.concat(
        [history([20 + (t % 12) for t in range(30)], "month", "2021-07", market=m) for m in "AB"]
    )
    sales.to_csv(tmp_path / "sales.csv", index=False)
    done = emsplan_cli("forecast", "sales.csv", "--horizon", "3", "--out", "f.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    out = pd.read_csv(tmp_path / "f.csv", dtype={"period": str})
    assert list(out.columns[:6]) == ["market", "item", "period", "qty", "lo80", "hi80"]
    assert out["period"].tolist() == ["2024-01", "2024-02", "2024-03"] * 2
    totals = pd.read_csv(tmp_path / "f-totals.csv", dtype={"period": str})
    assert set(totals["level"]) == {"item", "total"}  # item X's total is the total
    item, total = (totals[totals["level"] == x] for x in ("item", "total"))
    assert np.allclose(item["qty"], out.groupby("period")["qty"].sum())
    assert np.allclose(item["qty"], total["qty"])
    assert "backtest MASE" in done.stdout


def test_cli_into_the_example_gives_a_valid_network(tmp_path: Path) -> None:
    """The help's example: a made-up history of the bundled example, forecast 8 quarters
    into its demand; the network written back validates, and its demand is the forecast."""
    emsplan.examples.load("india-2023").write(tmp_path / "net")
    made = emsplan_cli("simulate-history", "net", "history.csv", "--seed", "1", cwd=tmp_path)
    assert made.returncode == 0, made.stdout + made.stderr
    done = emsplan_cli(
        "forecast", "history.csv", "--horizon", "8", "--out", "f.csv", "--into", "net",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    net = emsplan.read(tmp_path / "net")  # validates
    out = pd.read_csv(tmp_path / "f.csv")
    assert out["period"].iloc[0] == "2023-Q2" and out["period"].iloc[7] == "2025-Q1"
    demand = net.demand.merge(out, on=["market", "item", "period"])
    assert len(demand) == len(out) and np.allclose(demand["qty_x"], demand["qty_y"])
    assert len(net.demand_forecast) == len(out)
    nine = emsplan_cli(
        "forecast", "history.csv", "--horizon", "9", "--out", "g.csv", "--into", "net",
        cwd=tmp_path,
    )  # fmt: skip
    assert nine.returncode == 2 and "2025-Q2 are not periods" in nine.stdout + nine.stderr
    assert not (tmp_path / "g.csv").exists()
