"""The synthetic network generator (``emsplan.data.generate``, ``emsplan generate``).

Generated networks must be valid (no errors from the checks), feasible and plan
to optimality; the same size and seed give identical tables; their structure is
what the module docstring promises (multi-level BOMs with shared parts, local
and imported offers, duty schedules changing by period, lanes with lead times,
export markets, time-varying lines, modest targets, a penalty on every demand
row). The M-size network (about 110,000 variables) plans to optimality here too,
in about 20 s, most of it HiGHS.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import emsplan
from emsplan import cli
from emsplan.core.problems import Severity
from emsplan.data.generate import SIZES, generate


def errors(net: emsplan.Network) -> list[str]:
    return [str(p) for p in net.check() if p.severity is Severity.ERROR]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1))
def test_small_networks_are_valid_and_plan_to_optimality(seed: int) -> None:
    net = generate("S", seed)
    assert net.check() == []  # not even a warning
    result = emsplan.plan(net, validate=False)
    assert result.summary["termination_condition"] == "optimal"
    assert 2_000 < result.summary["model"]["variables"] < 15_000
    kpis = result.kpis.set_index(["kpi", "scope", "period"])["value"]
    assert kpis["service_level", "network", "all"] > 0.9  # capacities cover most demand


def test_same_seed_same_tables_other_seed_other_tables() -> None:
    a, b, c = generate("S", 7), generate("S", 7), generate("S", 8)
    assert a.equals(b)
    for name in a.tables:
        pd.testing.assert_frame_equal(a[name], b[name])
    assert not a.equals(c)


def test_structure_is_realistic() -> None:
    net = generate("S", 3)
    items = net.items.set_index("item")["kind"]
    bom = net.bom
    # multi-level BOMs: a product uses a sub-assembly that uses another one
    sub = set(items[items == "subassembly"].index)
    parent_kind = bom["parent"].map(items)
    assert ((parent_kind == "product") & bom["child"].isin(sub)).any()
    assert ((parent_kind == "subassembly") & bom["child"].isin(sub)).any()
    # components shared by several products (directly or through sub-assemblies)
    assert (bom[bom["child"].map(items) == "component"].groupby("child").size() > 1).any()
    # local and imported offers of the same item, local content between 0 and 1
    country = net.sites.set_index("site")["country"]
    local = net.supply["supplier"].map(country) == "IN"
    both = set(net.supply.loc[local, "item"]) & set(net.supply.loc[~local, "item"])
    assert both
    assert net.supply.loc[local, "local_content"].between(0.0, 1.0).all()
    assert (net.supply.loc[~local, "local_content"] == 0).all()
    # duty rows by HS prefix that change from one period to another
    assert net.duties["period_from"].notna().any() and net.duties["period_to"].notna().any()
    # lanes with lead times of 0 and more; generic supplier lanes; export markets
    assert set(net.lanes["lead_time"]) >= {0, 1}
    kinds = net.sites.set_index("site")["kind"]
    from_supplier = net.lanes["origin"].map(kinds) == "supplier"
    assert net.lanes.loc[from_supplier, "item"].isna().all()
    markets = net.sites[net.sites["kind"] == "market"]
    assert (markets["country"] != "IN").any()
    # lines, some with a capacity per period; network and plant targets; penalties
    assert net.resources["period"].notna().any()
    scopes = set(net.targets["scope"])
    assert "network" in scopes
    assert net.targets["min_local_share"].between(0.0, 0.5).all()
    assert net.demand["penalty"].notna().all()


@pytest.mark.parametrize("size", list(SIZES))
def test_sizes_grow(size: str) -> None:
    """Every size is valid; bigger sizes have more of everything (tables only, no model)."""
    if size == "XL":
        pytest.skip("XL takes too long for the unit tests (see benchmarks/README.md)")
    net = generate(size, 1)
    assert errors(net) == []
    smaller = list(SIZES)[max(0, list(SIZES).index(size) - 1)]
    if smaller != size:
        small = generate(smaller, 1)
        for table in ("items", "supply", "lanes", "demand", "sites"):
            assert len(net[table]) > len(small[table]), table


def test_a_small_plan_passes_the_independent_checker(tmp_path: Path) -> None:
    from plan_checker import check_plan

    net = generate("S", 11)
    result = emsplan.plan(net)
    result.write(tmp_path / "plan")
    assert check_plan(net, tmp_path / "plan") == []


def test_medium_network_is_valid_and_plans_to_optimality() -> None:
    net = generate("M", 1)
    assert errors(net) == []
    result = emsplan.plan(net, validate=False)
    assert result.summary["termination_condition"] == "optimal"
    assert 80_000 < result.summary["model"]["variables"] < 150_000
    delivered = result.flows.merge(
        net.sites[["site", "kind"]], left_on="destination", right_on="site"
    )
    unmet = float(result.unmet["qty"].sum())
    demanded = float(net.demand["qty"].sum())
    market = delivered[delivered["kind"] == "market"]
    assert float(market["qty"].sum()) + unmet == pytest.approx(demanded, rel=1e-6)
    assert unmet < 0.05 * demanded


def test_cli_writes_a_csv_folder_that_validates(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "net"
    result = runner.invoke(cli.app, ["generate", "--size", "s", "--seed", "5", "--out", str(out)])
    assert result.exit_code == cli.OK, result.output
    assert "generated-S-5" in result.output
    assert (out / "demand.csv").is_file()
    result = runner.invoke(cli.app, ["validate", str(out)])
    assert result.exit_code == cli.OK, result.output
    assert emsplan.read(out).equals(generate("S", 5))


def test_cli_rejects_an_unknown_size(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli.app, ["generate", "--size", "XXL", "--out", str(tmp_path)])
    assert result.exit_code == cli.BAD_INPUT
    assert "S, M, L, XL" in result.output
