"""The library API the CLI and the web server share: comparing plans, planning a stored
scenario, solver options, and the error reports (words, exit codes, HTTP statuses).

The tiny network of ``test_engine`` buys 10 batteries: from SCN at 100 (+50 freight)
for 1500, or from SIN at 110; with SCN's price up 20% (120 > 110) all 10 move to SIN
(1600).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import emsplan
from emsplan.api.errors import BAD_INPUT, INFEASIBLE, INTERNAL_ERROR, describe
from emsplan.optimization.solver_options import SolverOptionError, parse_solver_options
from emsplan.scenarios.overrides import apply, parse
from emsplan.store import PlanRecord, Store
from test_engine import network


@pytest.fixture(scope="module")
def plans() -> tuple[emsplan.Plan, emsplan.Plan]:
    base = emsplan.plan(network())
    dear = emsplan.plan(apply(network(), [parse("supply[supplier=SCN].price*=1.2")]))
    return base, dear


def bought(plan: emsplan.Plan, supplier: str) -> float:
    p = plan.purchases
    return float(p.loc[p["supplier"] == supplier, "qty"].sum())


def test_compare_plans_in_memory(plans: tuple[emsplan.Plan, emsplan.Plan]) -> None:
    """KPIs and changes are the plans' own figures, recomputed here from their tables."""
    base, dear = plans
    c = emsplan.compare([base, dear])
    first, second = c.labels
    total = c.kpis.set_index("kpi").loc["total cost"]
    assert total[first] == pytest.approx(1500.0) and total[second] == pytest.approx(1600.0)
    bought_changes = c.changes[c.changes["what"] == "bought"].set_index("element")
    for supplier in ("SCN", "SIN"):
        row = bought_changes.loc[f"{supplier} / BAT"]
        assert row["reference"] == pytest.approx(bought(base, supplier))
        assert row["value"] == pytest.approx(bought(dear, supplier))
    assert bought_changes.loc["SIN / BAT", "words"] == "10 more units bought (none before)"
    assert bought_changes.loc["SCN / BAT", "words"] == "no longer bought (was 10)"
    assert set(c.decisions["element"]) >= {"SCN/BAT", "SIN/BAT"}
    costs = c.costs.set_index("category")
    assert costs[first].sum() == pytest.approx(1500.0)


def test_comparison_to_excel(plans: tuple[emsplan.Plan, emsplan.Plan], tmp_path: Path) -> None:
    c = emsplan.compare(list(plans), top=1)
    written = c.to_excel(tmp_path / "c.xlsx")
    sheets = pd.read_excel(written, sheet_name=None)
    assert list(sheets) == ["kpis", "costs", "changes"]
    assert sheets["kpis"]["kpi"].tolist() == [
        "total cost",
        "duty paid",
        "service level",
        "local share",
    ]
    assert len(sheets["changes"]) == 1  # top=1: the largest change of the one other plan


def test_compare_needs_two_plans(plans: tuple[emsplan.Plan, emsplan.Plan]) -> None:
    with pytest.raises(ValueError, match="at least two plans"):
        emsplan.compare([plans[0]])


def test_stored_and_in_memory_plans_compare_alike(
    plans: tuple[emsplan.Plan, emsplan.Plan], tmp_path: Path
) -> None:
    """A scenario planned with plan_scenario and compared by name gives the same KPIs and
    changes as the plans in memory."""
    db = str(tmp_path / "store.db")
    with Store(db) as store:
        for name, overrides in (("base", []), ("dear", ["supply[supplier=SCN].price*=1.2"])):
            net = network()
            result = apply(net, [parse(o) for o in overrides], name=name)
            store.add_scenario(name, net, result, [parse(o).to_dict() for o in overrides])
            outcome = emsplan.plan_scenario(store, name)
            assert outcome.result is not None and outcome.error is None
            assert store.plan(outcome.plan_id).scenario == name
        stored = emsplan.compare(["base", "dear"], store=store)
    by_path = emsplan.compare(["base", f"#{outcome.plan_id}"], store=db)
    memory = emsplan.compare(list(plans))
    for c in (stored, by_path):
        assert c.labels[0].startswith("#") and c.labels[0].endswith("base")
        values = c.kpis.drop(columns="kpi").to_numpy(dtype=float)
        assert values == pytest.approx(memory.kpis.drop(columns="kpi").to_numpy(dtype=float))
        assert c.changes["change"].tolist() == pytest.approx(memory.changes["change"].tolist())


def test_plan_scenario_records_a_model_without_a_plan(tmp_path: Path) -> None:
    """No supply left and demand that must be met in full: recorded as failed, with why."""
    with Store(str(tmp_path / "store.db")) as store:
        net = network()
        overrides = [parse("supply.capacity=0"), parse("demand.penalty=")]
        store.add_scenario("none", net, apply(net, overrides), [o.to_dict() for o in overrides])
        outcome = emsplan.plan_scenario(store, "none", time_limit=30)
        assert outcome.result is None and outcome.error is not None
        assert outcome.error.termination == "infeasible"
        info = store.plan(outcome.plan_id)
    assert (info.status, info.termination, info.objective) == ("failed", "infeasible", None)
    assert info.settings["time_limit"] == 30
    report = describe(outcome.error)
    assert (report.kind, report.exit_code, report.http_status) == ("no_plan", INFEASIBLE, 422)
    assert report.message.startswith("No plan: the model is infeasible.")


def test_plan_scenario_of_an_unknown_scenario(tmp_path: Path) -> None:
    with Store(str(tmp_path / "store.db")) as store, pytest.raises(emsplan.StoreError) as info:
        emsplan.plan_scenario(store, "nosuch")
    report = describe(info.value)
    assert (report.kind, report.exit_code, report.http_status) == ("store", BAD_INPUT, 404)
    assert "nosuch" in report.message


@pytest.mark.parametrize(
    ("pairs", "options"),
    [
        (["presolve=off"], {"presolve": "off"}),
        (["threads=2", "mip_rel_gap=0.01"], {"threads": 2, "mip_rel_gap": 0.01}),
        (["log_to_console=True", " parallel =false"], {"log_to_console": True, "parallel": False}),
        (["a=b=c"], {"a": "b=c"}),
    ],
)
def test_solver_options_are_parsed(pairs: list[str], options: dict[str, object]) -> None:
    assert parse_solver_options(pairs) == options


@pytest.mark.parametrize("pair", ["presolve", "=1", " =off", ""])
def test_a_solver_option_that_is_not_key_value(pair: str) -> None:
    with pytest.raises(SolverOptionError, match="is not of the form key=value") as info:
        parse_solver_options([pair])
    assert describe(info.value).exit_code == BAD_INPUT


def test_error_reports() -> None:
    """Each kind of error gets its words, exit code and HTTP status."""
    bad = emsplan.Network(
        {"periods": pd.DataFrame({"period": ["2024-Q1"], "days": [-1]})}, strict=False
    ).check()
    report = describe(emsplan.InputError(bad))
    assert (report.kind, report.exit_code, report.http_status) == ("input", BAD_INPUT, 422)
    assert report.details == [str(p) for p in bad if p.severity is emsplan.Severity.ERROR]
    assert report.message.startswith(f"{len(report.details)} error(s) in the input")

    missing = describe(FileNotFoundError(2, "No such file or directory", "x.sol"))
    assert missing.message == "Cannot read or write 'x.sol': No such file or directory."
    assert missing.exit_code == BAD_INPUT

    bug = describe(ZeroDivisionError("division by zero"))
    assert (bug.kind, bug.exit_code, bug.http_status) == ("internal", INTERNAL_ERROR, 500)
    assert bug.message.startswith("Internal error: ZeroDivisionError: division by zero.")


def test_a_failed_record_keeps_the_settings() -> None:
    """The settings a stored plan records are the ones it was planned with."""
    record = PlanRecord.failed("time_limit", "no solution", {"time_limit": 1.0})
    assert record.settings == {"time_limit": 1.0} and not record.ok
