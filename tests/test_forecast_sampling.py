"""Sweeps that draw demand from the network's own forecast: ``demand.qty~forecast``.

The networks are the tiny one of ``test_engine`` (a phone from a battery bought in India,
SIN, Rs 110, or China, SCN, Rs 100; conversion Rs 50; unmet demand costs Rs 1000 a unit, so
every phone is made: each costs 100 + 50 = 150) over three periods, with table
``demand_forecast`` for the first two. A row's draw is the two-piece normal of median
``qty`` whose ``(1 - level/100)/2`` and ``(1 + level/100)/2`` quantiles are ``lo`` and
``hi``, clipped at 0 (see docs/scenarios.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import emsplan
from emsplan.cli.app import app
from emsplan.scenarios import sweep
from emsplan.scenarios.overrides import (
    Distribution,
    OverrideError,
    apply,
    check,
    draw_forecast,
    from_dict,
    load,
    parse,
)
from emsplan.store import Store, network_hash
from test_engine import network, periods

runner = CliRunner()
VARY = "demand.qty~forecast"
AS_JSON = {"table": "demand", "op": "set", "column": "qty", "value": {"dist": "forecast"}}


def forecast_network(
    forecast: list[dict[str, Any]] | None = None, qty: tuple[float, ...] = (100.0, 50.0, 30.0)
) -> emsplan.Network:
    """The tiny network over P1-P3, demand ``qty``; by default a forecast for P1 and P2
    (P3 has none)."""
    if forecast is None:
        forecast = [
            {"market": "MK", "item": "PH", "period": "P1", "qty": 100, "lo": 80, "hi": 130},
            {"market": "MK", "item": "PH", "period": "P2", "qty": 50, "lo": 40, "hi": 65},
        ]
    demand = [
        {"market": "MK", "item": "PH", "period": p, "qty": q, "penalty": 1000}
        for p, q in zip(("P1", "P2", "P3"), qty, strict=True)
    ]
    rows = [{"level": 80, **row} for row in forecast]
    return network(periods=periods("P1", "P2", "P3"), demand=demand, demand_forecast=rows)


def quantities(net: emsplan.Network) -> dict[str, float]:
    return dict(zip(net.demand["period"], net.demand["qty"].astype(float), strict=True))


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    monkeypatch.setenv("EMSPLAN_DB", str(tmp_path / "store.db"))
    with Store() as s:
        yield s


# -- parsing ----------------------------------------------------------------------------
def test_text_and_json_forms_are_the_same_variation(tmp_path: Path) -> None:
    o = parse(VARY)
    assert o.op == "set" and (o.table, o.column) == ("demand", "qty")
    assert o.value == Distribution("forecast", (), per_row=True) and o.random
    assert str(o) == VARY and o.to_dict() == AS_JSON
    assert from_dict(AS_JSON) == o
    assert from_dict({"table": "demand", "column": "qty", "value": {"dist": "forecast"}}) == o
    filtered = parse("demand[market=MK,period=P1|P2].qty ~ forecast")
    assert filtered.where == {"market": ("MK",), "period": ("P1", "P2")}
    assert str(filtered) == "demand[market=MK,period=P1|P2].qty~forecast"
    assert parse(str(filtered)) == filtered == from_dict(filtered.to_dict())
    # in sweep files: JSON objects, or one-line variations in a JSON or YAML list
    (tmp_path / "vary.json").write_text(json.dumps([AS_JSON, VARY]), encoding="utf-8")
    (tmp_path / "vary.yaml").write_text(f"- {VARY}\n- {json.dumps(AS_JSON)}\n", encoding="utf-8")
    assert load(files=[tmp_path / "vary.json"]) == [o, o]
    assert load(files=[tmp_path / "vary.yaml"]) == [o, o]


def test_malformed_forecast_variations() -> None:
    with pytest.raises(OverrideError, match=r"write ~forecast .*not ~normal\(1,0.1\)"):
        parse("demand.qty~normal(1,0.1)")
    with pytest.raises(OverrideError, match="is not of the form"):
        parse("delete demand~forecast")
    with_args = {**AS_JSON, "value": {"dist": "forecast", "args": [1]}}
    (message,) = check(forecast_network(), [from_dict(with_args)], random=True)
    assert "forecast takes no arguments" in message


# -- errors -----------------------------------------------------------------------------
def test_errors_name_the_variation_and_what_is_wrong() -> None:
    net = forecast_network()
    (message,) = check(network(), [parse(VARY)], random=True)
    assert message.startswith(f"Override 1 ({VARY}): the network has no demand_forecast table")
    assert "emsplan forecast HISTORY" in message
    (message,) = check(net, [parse("supply.price~forecast")], random=True)
    assert message.startswith("Override 1 (supply.price~forecast):")
    assert "varies column demand.qty only, not supply.price" in message
    (message,) = check(net, [parse("demand.penalty~forecast")], random=True)
    assert "not demand.penalty" in message
    scale = {**AS_JSON, "op": "scale"}
    (message,) = check(net, [from_dict(scale)], random=True)
    assert "cannot scale by one" in message
    (message,) = check(net, [parse("demand[period=P3].qty~forecast")], random=True)
    assert "none of the 1 demand row(s) it selects has a row of table demand_forecast" in message
    (message,) = check(net, [parse(VARY)], random=False)
    assert "a distribution (forecast) is for sweeps" in message
    assert check(net, [parse(VARY)], random=True) == []


def test_sweep_rejects_a_network_without_forecast_before_anything_runs(store: Store) -> None:
    with pytest.raises(OverrideError, match="no demand_forecast table"):
        sweep.run(store, network(), [parse(VARY)], 3)
    assert store.counts()["sweeps"] == 0


@pytest.mark.parametrize(
    ("vary", "says"),
    [
        (VARY, "Override 1 (demand.qty~forecast): the network has no demand_forecast table"),
        ("supply.price~forecast", "varies column demand.qty only, not supply.price"),
    ],
)
def test_sweep_and_stress_commands_exit_2(
    store: Store, tmp_path: Path, vary: str, says: str
) -> None:
    path = network().write(tmp_path / "tiny.xlsx")
    for command in ("sweep", str(path)), ("stress", "#1"):
        if command[0] == "stress":
            assert runner.invoke(app, ["scenario", "add", "base", str(path)]).exit_code == 0
            assert runner.invoke(app, ["scenario", "plan", "base"]).exit_code == 0
        result = runner.invoke(app, [*command, "--vary", vary, "-n", "3", "--workers", "1"])
        assert result.exit_code == 2, result.output
        text = result.output.strip()
        assert "\n\n" not in text and "Traceback" not in text, text  # one paragraph
        assert says in " ".join(text.split())
    assert store.counts()["sweeps"] == 0


# -- sampling ---------------------------------------------------------------------------
def test_draws_are_seeded_independent_and_leave_rows_without_forecast() -> None:
    net = forecast_network()
    variations = [parse(VARY).to_dict()]
    a, drawn = sweep.sample_network(net, variations, seed=3, index=5)
    b, _ = sweep.sample_network(net, variations, seed=3, index=5)
    c, _ = sweep.sample_network(net, variations, seed=3, index=6)
    d, _ = sweep.sample_network(net, variations, seed=4, index=5)
    assert drawn == [AS_JSON], "the record holds the variation, as for per_row ones"
    assert quantities(a) == quantities(b) and network_hash(a) == network_hash(b)
    assert len({network_hash(x) for x in (a, c, d)}) == 3
    for x in (a, c, d):
        qty = quantities(x)
        assert qty["P3"] == 30.0, "no forecast for P3: its qty stays"
        assert qty["P1"] != 100.0 and qty["P2"] != 50.0
        assert x.problems == [] and x.demand_forecast.equals(net.demand_forecast)
    # P1 and P2 are drawn independently: their standard scores differ
    z = [(quantities(x)["P1"] - 100) / (quantities(x)["P2"] - 50) for x in (a, c, d)]
    assert len({round(v, 9) for v in z}) == 3
    # sample i of seed s: one draw per row with a forecast, in the order of table demand,
    # from numpy.random.default_rng([s, i])
    expected = draw_forecast(net.demand, net.demand_forecast, np.random.default_rng([3, 5]))
    assert expected.iloc[:2].tolist() == [quantities(a)["P1"], quantities(a)["P2"]]
    assert np.isnan(expected.iloc[2])


def test_the_sweep_id_changes_with_the_variation() -> None:
    digest = network_hash(forecast_network())
    ids = {
        sweep.default_id("sweep", digest, [parse(v).to_dict()], [1, None, {}])
        for v in (VARY, "demand.qty*=normal(1,0.1)", "demand[period=P1].qty~forecast")
    }
    assert len(ids) == 3


def test_later_variations_act_on_the_draws_and_a_filter_limits_them() -> None:
    net = forecast_network()
    drawn = quantities(apply(net, [parse(VARY)], rng=np.random.default_rng(9)))
    rng = np.random.default_rng(9)
    doubled = apply(net, [parse(VARY), parse("demand.qty*=2")], rng=rng)
    assert quantities(doubled) == pytest.approx({p: 2 * q for p, q in drawn.items()})
    overwritten = apply(net, [parse("demand.qty*=2"), parse(VARY)], rng=np.random.default_rng(9))
    assert quantities(overwritten) == pytest.approx({**drawn, "P3": 60.0})
    only_p2 = quantities(apply(net, [parse("demand[period=P2].qty~forecast")], rng=rng))
    assert only_p2["P1"] == 100.0 and only_p2["P3"] == 30.0 and only_p2["P2"] != 50.0


# -- the distribution -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("qty", "lo", "hi", "level"),
    [(100.0, 80.0, 130.0, 80.0), (100.0, 70.0, 150.0, 90.0), (100.0, 100.0, 120.0, 80.0)],
)
def test_draws_have_the_forecasts_median_and_interval(
    qty: float, lo: float, hi: float, level: float
) -> None:
    """Over 10,000 draws, the empirical quantiles (1 - level/100)/2, 1/2 and
    (1 + level/100)/2 are lo, qty and hi. Their standard errors are at most 0.65 units (a
    quantile's is sqrt(p (1 - p) / n) / density; the largest, the 95% quantile of the second
    case: sqrt(0.95 x 0.05 / 10000) / (phi(1.6449) / (50 / 1.6449)) = 0.64), so 2.5 units
    is a test that a symmetric normal around qty (10% quantile 75 and 90% quantile 125 in
    the first case) or a median off qty fails."""
    row = {"market": "MK", "item": "PH", "period": "P1", "qty": qty, "lo": lo, "hi": hi}
    net = forecast_network([{**row, "level": level}])
    rows = pd.concat([net.demand.iloc[:1]] * 10000, ignore_index=True)
    draws = draw_forecast(rows, net.demand_forecast, np.random.default_rng(2024)).to_numpy()
    tail = (1 - level / 100) / 2
    q_lo, median, q_hi = np.quantile(draws, [tail, 0.5, 1 - tail])
    assert q_lo == pytest.approx(lo, abs=2.5)
    assert median == pytest.approx(qty, abs=2.5)
    assert q_hi == pytest.approx(hi, abs=2.5)
    spread = draws[draws != qty]  # (lo = qty: the lower half is all at qty)
    assert np.unique(spread).size == spread.size, "every row is drawn on its own"


def test_draws_are_never_negative_and_a_zero_lower_bound_means_no_sales() -> None:
    """qty 5 in [0, 20] at 80%: the lower half's sd is 5 / 1.2816, so 10% of the draws fall
    below 0 and are no sales (clipped, not drawn again: the median stays 5)."""
    row = {"market": "MK", "item": "PH", "period": "P1", "qty": 5, "lo": 0, "hi": 20}
    net = forecast_network([{**row, "level": 80}])
    rows = pd.concat([net.demand.iloc[:1]] * 4000, ignore_index=True)
    draws = draw_forecast(rows, net.demand_forecast, np.random.default_rng(7)).to_numpy()
    assert draws.min() == 0.0
    assert (draws == 0).mean() == pytest.approx(0.10, abs=0.015)
    assert np.median(draws) == pytest.approx(5.0, abs=0.5)
    assert np.quantile(draws, 0.9) == pytest.approx(20.0, abs=1.0)


def test_a_blank_level_is_80() -> None:
    net = forecast_network()
    blank = net.demand_forecast.assign(level=np.nan)
    rng = (np.random.default_rng(1), np.random.default_rng(1))
    a = draw_forecast(net.demand, net.demand_forecast, rng[0])
    b = draw_forecast(net.demand, blank, rng[1])
    assert a.equals(b)


# -- end to end -------------------------------------------------------------------------
def test_sweep_command_draws_demand_from_the_forecast(store: Store, tmp_path: Path) -> None:
    """Three samples on a local cluster of one worker; each sample's cost is 150 per phone
    demanded, with the quantities its draws give (the same as sample_network's)."""
    path = forecast_network().write(tmp_path / "forecast.xlsx")
    args = ["sweep", str(path), "--vary", VARY, "-n", "3", "--seed", "1", "--workers", "1"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "3 of 3 samples solved" in " ".join(result.output.split())
    plans = store.history(limit=100, sweeps=True)
    assert sorted(p.sample_index for p in plans) == [0, 1, 2]
    net = emsplan.read(path)
    costs = set()
    for p in plans:
        assert p.overrides == [AS_JSON]
        sampled, _ = sweep.sample_network(net, [AS_JSON], 1, int(p.sample_index))
        assert p.objective == pytest.approx(150 * sum(quantities(sampled).values()), rel=1e-6)
        costs.add(round(float(p.objective), 6))
    assert len(costs) == 3
    rerun = runner.invoke(app, args)
    assert rerun.exit_code == 0 and "3 already stored" in " ".join(rerun.output.split())
