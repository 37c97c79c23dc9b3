"""Scenario overrides (parse, check, apply) and the scenario, compare and history commands.

The networks are the tiny ones of ``test_engine``: a phone from a battery
bought in India (SIN, Rs 110) or China (SCN, Rs 100), conversion Rs 50, ten
phones demanded; the optimum buys from China: 10 x (100 + 50) = 1500.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import emsplan
from emsplan.cli.app import app
from emsplan.scenarios.overrides import (
    Distribution,
    OverrideError,
    apply,
    check,
    from_dict,
    parse,
    sample,
)
from emsplan.store import Store
from store_helpers import BACKENDS, store_location
from test_engine import network

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary store, also set as EMSPLAN_DB (never the user's home)."""
    path = tmp_path / "store.db"
    monkeypatch.setenv("EMSPLAN_DB", str(path))
    return path


@pytest.fixture(params=BACKENDS)
def any_db(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A temporary store in SQLite or (when EMSPLAN_TEST_POSTGRES_URL is set) PostgreSQL."""
    with store_location(request.param, tmp_path) as where:
        monkeypatch.setenv("EMSPLAN_DB", where)
        yield where


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return network().write(tmp_path / "tiny.xlsx")


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


# -- overrides --------------------------------------------------------------------------
def test_parse_and_json_forms_agree() -> None:
    o = parse("supply[supplier=SCN,item=BAT|CHIP].price*=1.2")
    assert (o.table, o.op, o.column) == ("supply", "scale", "price")
    assert o.where == {"supplier": ("SCN",), "item": ("BAT", "CHIP")}
    assert from_dict(o.to_dict()) == o
    assert str(o) == "supply[supplier=SCN,item=BAT|CHIP].price*=1.2"
    assert parse("delete lanes[origin=SIN]").op == "delete"
    d = parse("demand.qty*=uniform(0.9,1.1)")
    assert d.value == Distribution("uniform", ("0.9", "1.1"))


def test_each_operation_changes_what_it_says() -> None:
    net = network(duties=[{"hs_code": "8507", "rate": 0.15}])
    changed = apply(
        net,
        [
            parse("supply[supplier=SCN].price*=1.5"),
            parse("supply[supplier=SIN].price=90"),
            parse("demand.qty+=5"),
            parse("duties[hs_code=8507].rate=0.05"),
        ],
    )
    assert changed.supply.set_index("supplier")["price"].to_dict() == {"SIN": 90.0, "SCN": 150.0}
    assert changed.demand["qty"].tolist() == [15.0]
    assert changed.duties["rate"].tolist() == [0.05]
    assert net.supply["price"].tolist() == [110.0, 100.0], "the base is unchanged"
    fewer = apply(net, [parse("delete supply[supplier=SCN]")])
    assert fewer.supply["supplier"].tolist() == ["SIN"]
    more = apply(
        net,
        [
            from_dict(
                {"table": "supply", "op": "insert", "rows": [{"supplier": "SCN", "item": "PH"}]}
            )
        ],
        validate=False,
    )
    assert len(more.supply) == 3


def test_a_scenario_changes_the_optimum() -> None:
    """China +20%: 120 > local 110, so buy local: 10 x (110 + 50) = 1600 (base: 1500)."""
    net = network()
    assert emsplan.plan(net).objective == pytest.approx(1500.0)
    result = emsplan.plan(apply(net, [parse("supply[supplier=SCN].price*=1.2")]))
    assert result.objective == pytest.approx(1600.0)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("suply.price=1", "there is no table 'suply'; the tables are settings, periods"),
        ("supply.cost=1", "table 'supply' has no column 'cost'; its columns are supplier, item"),
        ("supply[plant=PL].price=1", "the filter names column 'plant'"),
        ("supply[supplier=XX].price=1", "matches no row of table 'supply' (supplier has SCN, SIN)"),
        (
            "supply[supplier=SCN].price=cheap",
            "'cheap' is not a number (the value for column supply",
        ),
        ("supply.lead_time=1.5", "1.5 is not a whole number"),
        ("items[item=PH].kind=gadget", "'gadget' is not allowed in column items.kind, which takes"),
        ("sites.country*=2", "scale needs a number column"),
        ("supply.price=", "the value may not be blank"),
        ("supply.price*=uniform(1,2)", "a distribution (uniform(1,2)) is for sweeps"),
    ],
)
def test_bad_overrides_say_what_and_what_is_allowed(text: str, says: str) -> None:
    messages = check(network(), [parse(text)])
    assert len(messages) == 1
    assert says in messages[0], messages[0]
    assert messages[0].startswith(f"Override 1 ({parse(text)}): ")


def test_every_bad_override_is_reported_at_once() -> None:
    with pytest.raises(OverrideError) as info:
        apply(network(), [parse("supply.cost=1"), parse("demand.qty*=2"), parse("nope.x=1")])
    assert [m.split(" ", 2)[1] for m in info.value.messages] == ["1", "3"]


def test_unreadable_override_text() -> None:
    with pytest.raises(OverrideError, match="is not of the form TABLE"):
        parse("supply price 1")
    with pytest.raises(OverrideError, match="'gauss' is not a distribution"):
        parse("demand.qty*=gauss(1,2)")


def test_a_result_that_breaks_a_rule_is_an_input_error() -> None:
    with pytest.raises(emsplan.InputError) as info:
        apply(network(), [parse("supply[supplier=SCN].price+=-200")])
    problem = info.value.errors[0]
    assert (problem.table, problem.column, problem.value) == ("supply", "price", -100.0)


def test_sampling_is_seeded() -> None:
    from emsplan.scenarios.overrides import resolve

    overrides = resolve(
        network(), [parse("supply.price*=uniform(0.5,1.5)"), parse("demand.qty=choice(5,7)")], True
    )
    first = sample(overrides, np.random.default_rng([7, 3]))
    again = sample(overrides, np.random.default_rng([7, 3]))
    other = sample(overrides, np.random.default_rng([7, 4]))
    assert first == again != other
    assert 0.5 <= first[0].value <= 1.5 and first[1].value in (5.0, 7.0)


# -- the commands -----------------------------------------------------------------------
def test_scenario_add_plan_compare_history(any_db: str, workbook: Path) -> None:
    code, output = invoke("scenario", "add", "base", str(workbook))
    assert code == 0, output
    code, output = invoke(
        "scenario", "add", "cn20", str(workbook), "--set", "supply[supplier=SCN].price*=1.2"
    )
    assert code == 0, output
    assert "with 1 override(s)" in output
    for name, cost in (("base", "1,500"), ("cn20", "1,600")):
        code, output = invoke("scenario", "plan", name)
        assert code == 0, output
        assert f"{cost} INR" in output
    with Store(any_db) as store:
        plans = store.history()
        assert [p.scenario for p in plans] == ["cn20", "base"]
        assert [p.objective for p in plans] == pytest.approx([1600.0, 1500.0])
        assert plans[0].decisions["sourcing"] == ["SIN/BAT"]
    code, output = invoke("compare", "base", "cn20")
    assert code == 0, output
    assert "1,600 (+100)" in output
    assert "SCN/BAT" in output and "SIN/BAT" in output
    code, output = invoke("history")
    assert code == 0 and "#2" in output and "cn20" in output
    code, output = invoke("scenario", "list")
    assert code == 0 and "#2 1,600" in output
    code, output = invoke("scenario", "show", "cn20")
    assert code == 0 and "supply[supplier=SCN].price*=1.2" in output


def test_plan_dash_dash_scenario_stores_like_scenario_plan(
    db: Path, workbook: Path, tmp_path: Path
) -> None:
    """``emsplan plan --scenario NAME`` records the plan; the scenario's network exports
    to a workbook that plans to the same cost; usage mistakes exit 2 with a sentence."""
    set_price = ["--set", "supply[supplier=SCN].price*=1.2"]
    assert invoke("scenario", "add", "cn20", str(workbook), *set_price)[0] == 0
    code, output = invoke("plan", "--scenario", "cn20", "--out", str(tmp_path / "plan"))
    assert code == 0, output
    assert "1,600 INR" in output and "Stored as plan #1 of scenario cn20" in output
    assert (tmp_path / "plan" / "purchases.csv").is_file()
    exported = tmp_path / "cn20.xlsx"
    code, output = invoke("scenario", "show", "cn20", "--export", str(exported))
    assert code == 0 and "Its network written to" in output, output
    code, output = invoke("plan", str(exported), "--out", str(tmp_path / "cn20-plan"))
    assert code == 0 and "1,600 INR" in output, output
    with Store(str(db)) as store:
        assert [p.objective for p in store.history()] == pytest.approx([1600.0])
    for args, says in (
        ((), "not neither"),
        ((str(workbook), "--scenario", "cn20"), "not both"),
        (("--scenario", "cn20", "--export-model", "m.mps"), "apply to planning a file"),
        ((str(workbook), "--db", str(db)), "--db applies only with --scenario"),
        (("--scenario", "nothing"), "No scenario named 'nothing'"),
    ):
        code, output = invoke("plan", *args)
        assert code == 2 and says in " ".join(output.split()), (args, output)


def test_scenario_from_another_and_from_a_file(db: Path, workbook: Path, tmp_path: Path) -> None:
    spec = tmp_path / "overrides.json"
    spec.write_text(json.dumps([{"table": "demand", "column": "qty", "op": "scale", "value": 2}]))
    assert invoke("scenario", "add", "double", str(workbook), "--file", str(spec))[0] == 0
    code, output = invoke(
        "scenario", "add", "double-cn", "--from", "double", "--set", "supply.price*=1.1"
    )
    assert code == 0, output
    with Store(str(db)) as store:
        info = store.scenario("double-cn")
        net = store.network(info.network_hash)
    assert len(info.overrides) == 2
    assert net.demand["qty"].tolist() == [20.0]
    assert sorted(net.supply["price"].tolist()) == pytest.approx([110.0, 121.0])


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--set", "supply.cost=1"], "table 'supply' has no column 'cost'"),
        (["--set", "supply[supplier=XX].price=1"], "the filter matches no row"),
        (["--set", "supply.price=abc"], "'abc' is not a number"),
        (["--set", "bogus.price=1"], "there is no table 'bogus'"),
    ],
)
def test_bad_overrides_exit_2_before_anything_is_stored(
    db: Path, workbook: Path, args: list[str], says: str
) -> None:
    code, output = invoke("scenario", "add", "bad", str(workbook), *args)
    assert code == 2, output
    assert says in " ".join(output.split())
    assert "Traceback" not in output
    with Store(str(db)) as store:
        assert store.counts()["scenarios"] == 0 and store.counts()["networks"] == 0


def test_usage_errors(db: Path, workbook: Path) -> None:
    code, output = invoke("scenario", "plan", "nothing")
    assert code == 2 and "No scenario named 'nothing'" in output
    code, output = invoke("compare", "nothing", "else")
    assert code == 2 and "No scenario named 'nothing'" in output
    assert invoke("scenario", "add", "a", str(workbook))[0] == 0
    code, output = invoke("scenario", "add", "a", str(workbook))
    assert code == 2 and "already exists" in output
    code, output = invoke("compare", "a", "a")
    assert code == 2 and "has no plan yet" in output
    code, output = invoke("scenario", "add", "b")
    assert code == 2 and "either as a PATH" in output


def test_an_infeasible_scenario_is_recorded_and_exits_3(db: Path, workbook: Path) -> None:
    """Demand that must be met in full (no penalty) with no supplier left: infeasible."""
    code, output = invoke(
        "scenario",
        "add",
        "nosupply",
        str(workbook),
        "--set",
        "supply.capacity=0",
        "--set",
        "demand.penalty=",
    )
    assert code == 0, output
    code, output = invoke("scenario", "plan", "nosupply")
    assert code == 3, output
    assert "infeasible" in output
    with Store(str(db)) as store:
        (plan,) = store.history()
    assert (plan.status, plan.termination, plan.objective) == ("failed", "infeasible", None)


def test_deleting_a_scenario_keeps_its_plans(db: Path, workbook: Path) -> None:
    assert invoke("scenario", "add", "gone", str(workbook))[0] == 0
    assert invoke("scenario", "plan", "gone")[0] == 0
    code, output = invoke("scenario", "delete", "gone")
    assert code == 0 and "1 plan(s) stay" in output
    code, output = invoke("history")
    assert code == 0 and "gone" in output
    assert invoke("scenario", "show", "gone")[0] == 2


def test_compare_names_the_largest_changes_and_exports_them(
    db: Path, workbook: Path, tmp_path: Path
) -> None:
    """With SCN's price up 20% (120 > SIN's 110), the 10 batteries move from SCN to SIN."""
    invoke("scenario", "add", "base", str(workbook))
    invoke("scenario", "add", "cn20", str(workbook), "--set", "supply[supplier=SCN].price*=1.2")
    for name in ("base", "cn20"):
        assert invoke("scenario", "plan", name)[0] == 0
    out = tmp_path / "comparison.xlsx"
    code, output = invoke("compare", "base", "cn20", "--out", str(out))
    assert code == 0, output
    assert "Largest changes in units" in " ".join(output.split())
    sheets = pd.read_excel(out, sheet_name=None)
    words = set(sheets["changes"]["words"])
    assert {"no longer bought (was 10)", "10 more units bought (none before)"} <= words
    assert set(sheets) == {"kpis", "costs", "changes"}
    changes = sheets["changes"]
    bought = changes[changes["what"] == "bought"].set_index("element")["change"]
    assert bought.to_dict() == {"SCN / BAT": -10.0, "SIN / BAT": 10.0}
    code, output = invoke("compare", "base", "cn20", "--out", str(tmp_path / "c.csv"))
    assert code == 2 and "must be an .xlsx workbook" in " ".join(output.split())
