"""Valid inequalities for site options and single-sourced markets (``strength.py``).

Structure: which rows ``Site-flow``, ``Site-cover``, ``Source-open`` and
``Source-knapsack`` have, for which elements, with which coefficients; none without
site options, none under ``strengthen=frozenset()``. The structure tests build with every
family (``Site-flow`` is not in the default set).

Validity: a family is valid when it never cuts off an integer-feasible plan. Checked
three ways on small networks: the MIP optimum with every family equals the one with
none; for every choice of the binaries (all of them on the tiny instance, a sample on
random multi-period networks with lead times), the best plan with those binaries fixed
costs the same with and without the families (so no family removes any plan's
decisions); and the plan found without the families satisfies every row of the
families. Strength: the LP relaxation's bound with the families is at least the one
without, and on the tiny SSCFLP instance strictly higher.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import highspy
import linopy
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import emsplan
from emsplan.data.importers.sscflp import read_sscflp
from emsplan.optimization.build import create_model
from emsplan.optimization.data import PlanningData
from emsplan.optimization.strength import DEFAULT, FAMILIES
from test_network_design import _channels, _plants, _two_markets, _warehouse

Rows = list[dict[str, Any]]
SITE = ("Site-flow", "Site-cover", "Source-open", "Source-knapsack")
EVERY = frozenset(FAMILIES)
NONE: frozenset[str] = frozenset()
TINY = "2 3\n9 7\n5 8\n6 4 5\n6 12\n4 4\n10 5\n"


def _network(**tables: Rows) -> emsplan.Network:
    net = emsplan.Network({k: pd.DataFrame(v) for k, v in tables.items()}, name="strength")
    errors = [str(p) for p in net.check() if p.severity == "error"]
    assert not errors, errors
    return net


def _periods(n: int) -> Rows:
    return [{"period": f"P{k + 1}", "days": 91} for k in range(n)]


def _tiny(tmp_path: Path) -> emsplan.Network:
    path = tmp_path / "tiny.txt"
    path.write_text(TINY)
    return read_sscflp(path)


def _rows(
    model: linopy.Model, name: str
) -> dict[tuple[str, ...], tuple[dict[str, float], str, float]]:
    """Each written row of a constraint: its coordinates -> ({variable: coeff}, sign, rhs),
    the variable named ``Name[coord, ...]``."""
    con = model.constraints[name]
    labels = con.labels.values
    out = {}
    for at in zip(*np.nonzero(labels >= 0), strict=True):
        key = tuple(str(con.labels.indexes[d][i]) for d, i in zip(con.labels.dims, at, strict=True))
        terms: dict[str, float] = {}
        for v, c in zip(con.vars.values[at], con.coeffs.values[at], strict=True):
            if v >= 0:
                var, coords = model.variables.get_label_position(int(v))
                name_ = f"{var}[{', '.join(str(x) for x in coords.values())}]"
                terms[name_] = terms.get(name_, 0.0) + float(c)
        out[key] = (terms, str(con.sign.values[at]), float(con.rhs.values[at]))
    return out


# -- structure ------------------------------------------------------------------------------
def test_the_tiny_instance_gets_every_family(tmp_path: Path) -> None:
    """2 facilities (capacity 9, 7), 3 customers (demand 6, 4, 5), one period:
    x_ij <= d_j y_i (Site-flow), 9 y1 + 7 y2 >= 15 (Site-cover), src_ji <= y_i
    (Source-open), sum_j d_j src_ji <= s_i y_i (Source-knapsack)."""
    model, _ = create_model(_tiny(tmp_path), strengthen=EVERY)
    demand = {"C1": 6.0, "C2": 4.0, "C3": 5.0}
    flow = _rows(model, "Site-flow")
    assert len(flow) == 6
    for (arc, period), (terms, sign, rhs) in flow.items():
        origin, market = arc.split("/")[0].split(">")
        assert (period, sign, rhs) == ("P1", "<=", 0.0)
        assert terms == {
            f"Lane-ship[{arc}, P1]": 1.0,
            f"Option-open[open-{origin}, P1]": -demand[market],
        }
    assert _rows(model, "Site-cover") == {
        ("UNIT", "P1"): (
            {"Option-open[open-F1, P1]": 9.0, "Option-open[open-F2, P1]": 7.0},
            ">=",
            15.0,
        )
    }
    source = _rows(model, "Source-open")
    assert len(source) == 6
    for (choice, _period), (terms, sign, rhs) in source.items():
        origin = choice.split("<-")[-1].strip()
        assert terms == {
            f"Option-market-source[{choice}]": 1.0,
            f"Option-open[open-{origin}, P1]": -1.0,
        }
        assert (sign, rhs) == ("<=", 0.0)
    knapsack = _rows(model, "Source-knapsack")
    assert set(knapsack) == {("open-F1", "P1"), ("open-F2", "P1")}
    for (option, _), (terms, sign, rhs) in knapsack.items():
        plant = option.removeprefix("open-")
        coeff = {k: v for k, v in terms.items() if k.startswith("Option-market-source")}
        assert sorted(coeff.values()) == [4.0, 5.0, 6.0]
        assert all(k.split("<-")[-1].strip().startswith(plant) for k in coeff)
        assert terms[f"Option-open[{option}, P1]"] == -{"F1": 9.0, "F2": 7.0}[plant]
        assert (sign, rhs) == ("<=", 0.0)


def test_site_flow_only_on_arcs_from_an_optioned_plant_or_warehouse_to_a_market() -> None:
    """Plants P0 (no option) and P1 (a candidate), warehouse W (an existing site),
    market M: rows for P1 -> M and W -> M only, none for P0 -> M nor P1 -> W. P0 makes X
    with no site option, so no Site-cover; no market_source option, no Source rows."""
    net = _plants(1, fixed_cost=300.0, capacity=500.0)
    tables = {k: v.to_dict("records") for k, v in net.tables.items() if len(v)}
    tables["sites"].append({"site": "W", "kind": "warehouse", "country": "IN"})
    tables["lanes"] += [
        {"origin": "P1", "destination": "W"},
        {"origin": "W", "destination": "M", "cost": 0.0},
    ]
    tables["options"].append(
        {"option": "keep-W", "kind": "site", "site": "W", "existing": 1, "fixed_cost": 10.0}
    )
    model, _ = create_model(_network(**tables), strengthen=EVERY)
    arcs = {arc.split("/")[0] for arc, _ in _rows(model, "Site-flow")}
    assert arcs == {"P1>M", "W>M"}
    for name in ("Site-cover", "Source-open", "Source-knapsack"):
        assert name not in model.constraints


def test_without_site_options_there_are_no_site_rows(tmp_path: Path) -> None:
    """Single-sourced markets whose origins have no site option: no family applies."""
    model, _ = create_model(_two_markets(item="X"), strengthen=EVERY)
    assert "Option-market-one" in model.constraints
    for name in SITE:
        assert name not in model.constraints


def test_strengthen_adds_exactly_the_families_named(tmp_path: Path) -> None:
    net = _tiny(tmp_path)
    default, _ = create_model(net)
    assert set(FAMILIES) & set(default.constraints) == set(SITE) - {"Site-flow"}
    none, _ = create_model(net, strengthen=NONE)
    assert not set(FAMILIES) & set(none.constraints)
    for name in SITE:
        one, _ = create_model(net, strengthen=frozenset([name]))
        assert set(FAMILIES) & set(one.constraints) == {name}
        # the model's own rows are the same whatever is added
        assert set(one.constraints) - set(FAMILIES) == set(none.constraints)
    with pytest.raises(ValueError, match=r"Unknown strengthening families \['Site-flw'\]"):
        create_model(net, strengthen=frozenset(["Site-flw"]))
    assert set(FAMILIES) - {"Site-flow"} == DEFAULT


def test_the_switch_covers_the_line_families() -> None:
    """A line-option network (one plant, lines A and B): the line rows are there by
    default and gone with strengthen=frozenset()."""
    from test_options import _two_line_network

    net = _two_line_network(None)
    default, _ = create_model(net)
    assert {"Option-line-flow", "Option-line-cover"} <= set(default.constraints)
    none, _ = create_model(net, strengthen=NONE)
    assert not {"Option-line-flow", "Option-line-cover"} & set(none.constraints)


def _staged(existing: int = 0, closable: int = 0, lead: int = 1, **extra: Any) -> emsplan.Network:
    """Three periods; plant F (site option from P2, capacity 50) and plant B (no option,
    X at 30); market M wants 10 a period, must be met, single-sourced; F -> M takes
    ``lead`` periods, B -> M none."""
    return _network(
        periods=_periods(3),
        items=[{"item": "X", "kind": "product"}],
        sites=[
            {"site": "F", "kind": "plant", "country": "IN"},
            {"site": "B", "kind": "plant", "country": "IN"},
            {"site": "M", "kind": "market", "country": "IN"},
        ],
        production=[
            {"plant": "F", "item": "X", "cost": 1.0},
            {"plant": "B", "item": "X", "cost": 30.0},
        ],
        lanes=[
            {"origin": "F", "destination": "M", "lead_time": lead},
            {"origin": "B", "destination": "M"},
        ],
        demand=[{"market": "M", "item": "X", "period": f"P{k}", "qty": 10.0} for k in (1, 2, 3)],
        options=[
            {
                "option": "open-F",
                "kind": "site",
                "site": "F",
                "existing": existing,
                "closable": closable,
                "capacity": 50.0,
                "fixed_cost": 20.0,
                "period_from": "P2",
                **extra,
            },
            {"option": "one", "kind": "market_source", "market": "M", "item": "X"},
        ],
    )


def test_periods_and_lead_times_of_a_candidate_from_p2() -> None:
    """F may be open from P2; F -> M takes a period.
    Site-flow: only ship[F->M, P2] (arrives P3) <= 10 open[F, P2]; ship in P1 is held by
    Site-idle (closed before P2) and ship in P3 would arrive after the horizon.
    Source-open: M's P3 demand leaves F in P2: src(F) <= open[F, P2]; P2's would leave in
    P1, before F may open: no row.
    Source-knapsack: the cumulative demand 10, 20, 30 x src(F) <= 50 x the opens up to t
    (none in P1: taking M from F is then impossible, as it should be)."""
    model, _ = create_model(_staged(), strengthen=EVERY)
    flow = _rows(model, "Site-flow")
    assert list(flow) == [("F>M/X/road", "P2")]
    assert flow[("F>M/X/road", "P2")][0] == {
        "Lane-ship[F>M/X/road, P2]": 1.0,
        "Option-open[open-F, P2]": -10.0,
    }
    source = _rows(model, "Source-open")
    assert [period for _, period in source] == ["P3"]
    (terms, _, _) = next(iter(source.values()))
    assert {k for k in terms if k.startswith("Option-open")} == {"Option-open[open-F, P2]"}
    knapsack = _rows(model, "Source-knapsack")
    assert list(knapsack) == [("open-F", "P1"), ("open-F", "P2"), ("open-F", "P3")]
    for k, (option, period) in enumerate(knapsack):
        terms = knapsack[(option, period)][0]
        assert [v for n, v in terms.items() if n.startswith("Option-market-source")] == [
            10.0 * (k + 1)
        ]
        opens = {n: v for n, v in terms.items() if n.startswith("Option-open")}
        assert opens == {f"Option-open[open-F, P{j}]": -50.0 for j in range(2, k + 2)}
    assert "Site-cover" not in model.constraints  # B makes X too, with no site option


def test_an_existing_site_from_p2_gets_no_cumulative_rows() -> None:
    """An existing F runs unbounded in P1 (its option starts in P2): no Source-knapsack
    (nor Site-cover); Site-flow and Source-open only from P2 on."""
    model, _ = create_model(_staged(existing=1, lead=0), strengthen=EVERY)
    assert "Source-knapsack" not in model.constraints
    assert "Site-cover" not in model.constraints
    assert [p for _, p in _rows(model, "Site-flow")] == ["P2", "P3"]
    assert [p for _, p in _rows(model, "Source-open")] == ["P2", "P3"]


def test_under_the_profit_objective_only_site_flow_remains() -> None:
    """Under profit every demand row may go unserved: no cover, no source rows (and no
    Option-line-cover), while Site-flow (arrivals never exceed demand) stays."""
    net = _staged(lead=0)
    tables = {k: v.to_dict("records") for k, v in net.tables.items() if len(v)}
    tables["settings"] = [{"setting": "objective", "value": "profit"}]
    for row in tables["demand"]:
        row["price"] = 100.0
    model, data = create_model(_network(**tables), strengthen=EVERY)
    assert data.objective == "profit"
    assert "Site-flow" in model.constraints
    for name in ("Site-cover", "Source-open", "Source-knapsack", "Option-line-cover"):
        assert name not in model.constraints


def test_a_channel_market_has_no_hard_demand() -> None:
    """Under cost, a candidate channel's demand exists only while it is open: it is not
    demand every plan meets, so nothing is covered for it."""
    from emsplan.optimization.strength import hard_demand

    _, data = create_model(_channels(0.0, objective="cost"))
    assert set(hard_demand(data)["market"]) == {"M1", "M3"}


# -- validity -------------------------------------------------------------------------------
def _highs(model: linopy.Model, relax: bool = False) -> highspy.Highs:
    h = model.to_highspy()
    h.setOptionValue("output_flag", False)
    if relax:
        h.setOptionValue("solve_relaxation", True)
    return h


def _value(h: highspy.Highs) -> float | None:
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return float(h.getInfo().objective_function_value)


def mip_optimum(model: linopy.Model) -> tuple[float | None, np.ndarray]:
    """The MIP's optimum and its solution (by column)."""
    h = _highs(model)
    value = _value(h)
    return value, np.asarray(h.getSolution().col_value)


def lp_bound(model: linopy.Model) -> float | None:
    return _value(_highs(model, relax=True))


def binary_columns(model: linopy.Model, data: PlanningData) -> tuple[np.ndarray, list[np.ndarray]]:
    """Columns of ``Option-open`` and the groups of ``Option-market-source`` columns of
    one (option, market) (of which at most one is 1)."""
    col = pd.Series(np.arange(len(model.matrices.vlabels)), index=model.matrices.vlabels)
    opens = model.variables["Option-open"].labels.values.ravel()
    opens = col.reindex(opens[opens >= 0]).to_numpy(int)
    groups = []
    if "Option-market-source" in model.variables:
        labels = model.variables["Option-market-source"].labels.values
        keys = data.market_sources[["option", "market"]].astype(str).agg("|".join, axis=1)
        for key in keys.unique():
            groups.append(col.reindex(labels[(keys == key).to_numpy()]).to_numpy(int))
    return opens, groups


def fixed_values(
    model: linopy.Model, columns: np.ndarray, choices: np.ndarray
) -> list[float | None]:
    """The best plan's cost with the binaries ``columns`` fixed to each row of ``choices``
    (None: no plan)."""
    h = _highs(model, relax=True)
    out = []
    for choice in choices:
        h.changeColsBounds(len(columns), columns.astype(np.int32), choice, choice)
        out.append(_value(h))
    return out


def assert_same(left: list[float | None], right: list[float | None]) -> None:
    assert len(left) == len(right)
    for k, (a, b) in enumerate(zip(left, right, strict=True)):
        assert (a is None) == (b is None), (k, a, b)
        if a is not None and b is not None:
            assert a == pytest.approx(b, rel=1e-7, abs=1e-6), k


def assert_rows_hold(model: linopy.Model, x: np.ndarray) -> None:
    """The solution ``x`` (by column of the model without the families, whose variables
    are the same) satisfies every row of the families in ``model``."""
    value = pd.Series(x, index=model.matrices.vlabels)
    for name in FAMILIES:
        if name not in model.constraints:
            continue
        con = model.constraints[name]
        labels = con.labels.values
        vars_ = con.vars.values[labels >= 0]
        coeffs = con.coeffs.values[labels >= 0]
        xs = value.reindex(vars_.ravel()).fillna(0.0).to_numpy().reshape(vars_.shape)
        lhs = (np.where(vars_ >= 0, coeffs, 0.0) * xs).sum(axis=-1)
        rhs = con.rhs.values[labels >= 0]
        sign = con.sign.values[labels >= 0]
        tol = 1e-5 * (1.0 + np.abs(coeffs).sum(axis=-1))
        assert np.all(np.where(sign == "<=", lhs <= rhs + tol, lhs >= rhs - tol)), name


def check_valid(net: emsplan.Network, choices: int | None = None, seed: int = 0) -> None:
    """Same MIP optimum with every family and with none; the same best plan for every
    choice of the binaries (all if ``choices`` is None, else that many drawn, plus the
    optimum's); the plan found without the families satisfies them."""
    strong, data = create_model(net, strengthen=EVERY)
    plain, _ = create_model(net, strengthen=NONE)
    (best, x), (best_strong, _) = mip_optimum(plain), mip_optimum(strong)
    assert (best is None) == (best_strong is None)
    if best is not None and best_strong is not None:
        assert best_strong == pytest.approx(best, rel=1e-6, abs=1e-6)
        assert_rows_hold(strong, x)
    if "Option-open" not in plain.variables:
        return
    opens, groups = binary_columns(plain, data)
    columns = np.concatenate([opens, *groups]).astype(int)
    if choices is None:
        grid = np.array(list(itertools.product([0.0, 1.0], repeat=len(columns))))
    else:
        rng = np.random.default_rng(seed)
        parts = [rng.integers(0, 2, (choices, len(opens))).astype(float)]
        for group in groups:  # one origin (or, now and then, none) per market
            pick = np.zeros((choices, len(group)))
            which = rng.integers(0, len(group) + 1, choices)
            rows = np.flatnonzero(which < len(group))
            pick[rows, which[rows]] = 1.0
            parts.append(pick)
        grid = np.concatenate(parts, axis=1)
        if best is not None:
            grid = np.vstack([grid, np.round(x[columns])])
    assert_same(fixed_values(plain, columns, grid), fixed_values(strong, columns, grid))


def test_the_tiny_instance_keeps_its_optimum_and_every_plan(tmp_path: Path) -> None:
    """All 2^8 choices of (y1, y2, src) give the same best plan with and without the
    families; the optimum is 39 both ways."""
    net = _tiny(tmp_path)
    check_valid(net)
    for strengthen in (NONE, EVERY, DEFAULT):
        model, _ = create_model(net, strengthen=strengthen)
        assert mip_optimum(model)[0] == pytest.approx(39.0, rel=1e-9)


def test_the_families_raise_the_lp_bound_of_the_tiny_instance(tmp_path: Path) -> None:
    """LP bound: each family alone is at least the bare model's, all together strictly
    more (188/7 = 26.86 against 193/7 = 27.57 when written); none exceeds the optimum
    39."""
    net = _tiny(tmp_path)
    bare = lp_bound(create_model(net, strengthen=NONE)[0])
    assert bare is not None
    every = lp_bound(create_model(net, strengthen=EVERY)[0])
    assert every is not None
    assert bare - 1e-9 <= every <= 39.0 + 1e-9
    assert every > bare + 0.5
    for name in SITE:
        alone = lp_bound(create_model(net, strengthen=frozenset([name]))[0])
        assert alone is not None
        assert bare - 1e-9 <= alone <= every + 1e-9, name


@pytest.mark.parametrize(
    "net",
    [
        pytest.param(lambda: _plants(1, fixed_cost=300.0), id="plant-opens"),
        pytest.param(lambda: _plants(2, fixed_cost=100.0, opening_cost=500.0), id="two-periods"),
        pytest.param(
            lambda: _plants(2, fixed_cost=100.0, capacity=60.0, period_from="P2"),
            id="capped-from-P2",
        ),
        pytest.param(lambda: _warehouse(200.0), id="warehouse-closes"),
        pytest.param(lambda: _warehouse(0.0, closable=1), id="closable"),
        pytest.param(lambda: _two_markets(item="X"), id="single-sourced"),
        pytest.param(lambda: _channels(1500.0), id="profit-channel"),
        pytest.param(lambda: _staged(), id="staged-lead-1"),
        pytest.param(lambda: _staged(existing=1, closable=1, lead=0), id="staged-existing"),
    ],
)
def test_the_design_networks_keep_their_optima_and_every_plan(net: Any) -> None:
    check_valid(net())


@st.composite
def design_networks(draw: st.DrawFn) -> emsplan.Network:
    """1-3 periods; 1-3 plants with site options (candidate or existing, closable or not,
    a throughput or none, from a random period), maybe a backup plant with no option and
    a warehouse with a site option; 1-2 markets with hard or soft demand; lanes with lead
    times 0-1; maybe a market_source option for every market or one; cost or profit.
    Half of the networks are "capped": every plant has a site option with a throughput
    in every period and there is no backup, the case of ``Site-cover`` and
    ``Source-knapsack``."""
    n = draw(st.integers(1, 3))
    periods = [f"P{k + 1}" for k in range(n)]
    profit = draw(st.integers(0, 3)) == 3
    plants = [f"F{k + 1}" for k in range(draw(st.integers(1, 3)))]
    capped = draw(st.booleans())
    backup = not capped and draw(st.booleans())
    warehouse = draw(st.booleans())
    markets = ["M1", "M2"][: draw(st.integers(1, 2))]
    sites = [{"site": s, "kind": "plant", "country": "IN"} for s in plants]
    production = [
        {"plant": s, "item": "X", "cost": float(draw(st.integers(0, 20)))} for s in plants
    ]
    options: Rows = []

    def site_option(site: str, every_period: bool = False) -> None:
        option: dict[str, Any] = {
            "option": f"open-{site}",
            "kind": "site",
            "site": site,
            "existing": draw(st.integers(0, 1)),
            "closable": draw(st.integers(0, 1)),
            "fixed_cost": float(draw(st.integers(0, 300))),
        }
        if every_period or draw(st.booleans()):
            option["capacity"] = float(draw(st.integers(5, 80)))
        if draw(st.booleans()):
            option["opening_cost"] = float(draw(st.integers(0, 200)))
        if draw(st.booleans()):
            option["closing_cost"] = float(draw(st.integers(0, 200)))
        if draw(st.booleans()) and not (every_period and option["existing"]):
            option["period_from"] = draw(st.sampled_from(periods))
        options.append(option)

    for s in plants:
        if capped or draw(st.integers(0, 4)) > 0:
            site_option(s, every_period=capped)
    lanes: Rows = []
    for s in plants:
        for m in markets:
            if draw(st.integers(0, 3)) > 0:
                lanes.append(
                    {
                        "origin": s,
                        "destination": m,
                        "cost": float(draw(st.integers(0, 5))),
                        "lead_time": draw(st.integers(0, 1)),
                    }
                )
    if backup:
        sites.append({"site": "B", "kind": "plant", "country": "IN"})
        production.append({"plant": "B", "item": "X", "cost": 40.0})
        lanes += [{"origin": "B", "destination": m, "cost": 1.0} for m in markets]
    if warehouse:
        sites.append({"site": "W", "kind": "warehouse", "country": "IN"})
        site_option("W")
        lanes += [{"origin": s, "destination": "W"} for s in plants]
        lanes += [
            {"origin": "W", "destination": m, "lead_time": draw(st.integers(0, 1))} for m in markets
        ]
    for m in markets:  # every market reachable
        if not any(lane["destination"] == m for lane in lanes):
            lanes.append({"origin": plants[0], "destination": m})
    sites += [{"site": m, "kind": "market", "country": "IN"} for m in markets]
    demand = []
    for m in markets:
        penalty = draw(st.sampled_from([None, None, 50.0, 500.0]))
        for p in periods:
            demand.append(
                {
                    "market": m,
                    "item": "X",
                    "period": p,
                    "qty": float(draw(st.integers(0, 40))),
                    "price": 80.0,
                    "penalty": penalty,
                }
            )
    source = draw(st.sampled_from(["every", "one", "none"]))
    if source != "none":
        options.append(
            {
                "option": "single",
                "kind": "market_source",
                "item": "X",
                **({"market": markets[0]} if source == "one" else {}),
            }
        )
    tables: dict[str, Rows] = {
        "periods": [{"period": p, "days": 91} for p in periods],
        "items": [{"item": "X", "kind": "product"}],
        "sites": sites,
        "production": production,
        "lanes": lanes,
        "demand": demand,
    }
    if options:
        tables["options"] = options
    if profit:
        tables["settings"] = [{"setting": "objective", "value": "profit"}]
    return _network(**tables)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=design_networks(), seed=st.integers(0, 2**16))
def test_random_design_networks_keep_their_optima_and_every_plan(
    net: emsplan.Network, seed: int
) -> None:
    check_valid(net, choices=48, seed=seed)
