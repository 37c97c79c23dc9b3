"""Tests of all input validation: the schema-driven checks and the domain rules.

Every test starts from :func:`valid_tables`, a small network that has no
problem at all (not even a warning), breaks a copy of it in one way and asserts
that exactly the expected problem is reported: its check, table, spreadsheet
row (header = row 1, first data row = row 2), key, column, bad value, severity
and a message that shows the bad value and says what is allowed.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emsplan.core.countries import ISO_COUNTRIES
from emsplan.core.problems import InputError, Problem, Severity
from emsplan.data.network import Network
from emsplan.validation import domain as rules
from emsplan.validation import history as rules_history
from emsplan.validation import network_design as rules_design
from emsplan.validation import policy as rules_policy
from emsplan.validation import registry
from emsplan.validation import schema_checks as checks
from emsplan.validation import targets as rules_targets

Tables = dict[str, pd.DataFrame]
ERROR, WARNING = Severity.ERROR, Severity.WARNING


def valid_tables() -> Tables:
    """A small valid network.

    Three months; a phone PH made at plant PL1 from a PCBA (made at PL1 from
    two chips) and a battery; chips imported from China, batteries bought in
    India or China; PL1 ships through warehouse WH1 to market MKT; duty rows
    for the battery (by item, two spans of periods) and chips (by HS code).
    """
    rows: dict[str, list[dict[str, Any]]] = {
        "settings": [
            {"setting": "currency", "value": "INR"},
            {"setting": "domestic_country", "value": "IN"},
        ],
        "periods": [
            {"period": "P1", "days": 31},
            {"period": "P2", "days": 28},
            {"period": "P3", "days": 31},
        ],
        "items": [
            {"item": "PH", "kind": "product", "hs_code": "8517.13"},
            {"item": "PCBA", "kind": "subassembly", "hs_code": "8517.79"},
            {"item": "CHIP", "kind": "component", "hs_code": "8542.31"},
            {"item": "BAT", "kind": "component", "hs_code": "85076000"},
        ],
        "bom": [
            {"parent": "PH", "child": "PCBA", "qty_per": 1},
            {"parent": "PH", "child": "BAT", "qty_per": 1},
            {"parent": "PCBA", "child": "CHIP", "qty_per": 2},
        ],
        "sites": [
            {"site": "SUP-IN", "kind": "supplier", "country": "IN", "region": "Uttar Pradesh"},
            {"site": "SUP-CN", "kind": "supplier", "country": "CN"},
            {"site": "PL1", "kind": "plant", "country": "IN"},
            {"site": "WH1", "kind": "warehouse", "country": "IN"},
            {"site": "MKT", "kind": "market", "country": "IN"},
        ],
        "supply": [
            {"supplier": "SUP-IN", "item": "BAT", "price": 300.0, "capacity": 5000},
            {"supplier": "SUP-CN", "item": "BAT", "price": 250.0, "lead_time": 1},
            {"supplier": "SUP-CN", "item": "CHIP", "price": 80.0, "lead_time": 1},
        ],
        "production": [
            {"plant": "PL1", "item": "PH", "cost": 400.0, "resource": "LINE1"},
            {"plant": "PL1", "item": "PCBA", "cost": 900.0, "resource": "SMT"},
        ],
        "resources": [
            {"plant": "PL1", "resource": "LINE1", "capacity": 10000},
            {"plant": "PL1", "resource": "SMT", "capacity": 20000},
            {"plant": "PL1", "resource": "SMT", "period": "P2", "capacity": 15000},
        ],
        "lanes": [
            {"origin": "SUP-IN", "destination": "PL1", "cost": 5.0},
            {"origin": "SUP-CN", "destination": "PL1", "mode": "sea", "cost": 20.0, "lead_time": 1},
            {"origin": "PL1", "destination": "WH1", "cost": 10.0},
            {"origin": "WH1", "destination": "MKT", "cost": 15.0},
        ],
        "duties": [
            {"item": "BAT", "origin_country": "CN", "rate": 0.2, "period_to": "P2"},
            {"item": "BAT", "origin_country": "CN", "rate": 0.15, "period_from": "P3"},
            {"hs_code": "8542", "rate": 0.0},
        ],
        "demand": [
            {"market": "MKT", "item": "PH", "period": p, "qty": 1000, "penalty": 20000.0}
            for p in ("P1", "P2", "P3")
        ],
        "targets": [{"scope": "network", "min_local_share": 0.2}],
    }
    return {name: pd.DataFrame(r) for name, r in rows.items()}


# -- ways to break the valid network -----------------------------------------------------
Breakage = Callable[[Tables], None]


def edit(table: str, index: int, **values: Any) -> Breakage:
    """Set cells of one row (by its position in the fixture)."""

    def apply(tables: Tables) -> None:
        frame = tables[table] = tables[table].astype(object)
        for column, value in values.items():
            if column not in frame:
                frame[column] = None
            frame.loc[index, column] = value

    return apply


def add(table: str, **values: Any) -> Breakage:
    """Append a row."""

    def apply(tables: Tables) -> None:
        tables[table] = pd.concat([tables[table], pd.DataFrame([values])], ignore_index=True)

    return apply


def drop(table: str, *indices: int) -> Breakage:
    """Remove rows (by position in the fixture)."""

    def apply(tables: Tables) -> None:
        tables[table] = tables[table].drop(index=list(indices)).reset_index(drop=True)

    return apply


def put(table: str, *rows: dict[str, Any]) -> Breakage:
    """Give a table the valid network leaves out (sales_history, demand_forecast)."""

    def apply(tables: Tables) -> None:
        tables[table] = pd.DataFrame(list(rows))

    return apply


def sales(*periods: str, item: str = "PH") -> Breakage:
    """A sales history of one series: 10 units sold in each of ``periods``."""
    return put(
        "sales_history", *({"market": "MKT", "item": item, "period": p, "qty": 10} for p in periods)
    )


def drop_column(table: str, column: str) -> Breakage:
    def apply(tables: Tables) -> None:
        tables[table] = tables[table].drop(columns=column)

    return apply


def drop_table(table: str) -> Breakage:
    def apply(tables: Tables) -> None:
        del tables[table]

    return apply


def broken(*breakages: Breakage) -> Network:
    """The valid network with the given breakages applied (conversion errors kept)."""
    tables = valid_tables()
    for breakage in breakages:
        breakage(tables)
    return Network(tables, strict=False)


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity is ERROR]


# -- the valid network -----------------------------------------------------------------
def test_valid_network_has_no_problem_at_all() -> None:
    network = Network(valid_tables())
    assert network.check() == []
    assert network.validate() == []


def test_every_domain_rule_is_registered() -> None:
    modules = (rules, rules_targets, rules_policy, rules_design, rules_history)
    names = {n for module in modules for n in dir(module) if n.startswith("check_")}
    assert names == {c.__name__ for c in registry.DOMAIN_CHECKS}
    assert len(registry.DOMAIN_CHECKS) == len(set(registry.DOMAIN_CHECKS))


# -- one breakage, one problem ------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """A breakage and the single problem it must cause."""

    breakage: Breakage
    check: str
    table: str
    row: int | None
    column: str | None
    key: Mapping[str, Any] = field(default_factory=dict)
    value: Any = None
    severity: Severity = ERROR
    #: text the message must contain (besides the bad value)
    says: tuple[str, ...] = ()


CASES: dict[str, Case] = {
    # generic, schema-driven rules
    "missing required table": Case(
        drop_table("demand"),
        "check_tables",
        "demand",
        None,
        None,
        says=("required table 'demand' is missing", "sheet or CSV file named 'demand'"),
    ),
    "missing required column": Case(
        drop_column("supply", "price"),
        "check_columns",
        "supply",
        None,
        "price",
        says=("required column 'price' is missing", "a number, >= 0"),
    ),
    "wrong type": Case(
        edit("supply", 1, price="cheap"),
        "check_types",
        "supply",
        3,
        "price",
        {"supplier": "SUP-CN", "item": "BAT"},
        "cheap",
        says=("is not a number", "allowed: a number, >= 0"),
    ),
    "not a whole number": Case(
        edit("periods", 1, days=28.5),
        "check_types",
        "periods",
        3,
        "days",
        {"period": "P2"},
        28.5,
        says=("whole number",),
    ),
    "blank required cell": Case(
        edit("demand", 2, qty=None),
        "check_required",
        "demand",
        4,
        "qty",
        {"market": "MKT", "item": "PH", "period": "P3"},
        says=("blank", "required", "allowed: a number, >= 0"),
    ),
    "out of range": Case(
        edit("supply", 0, local_content=1.5),
        "check_ranges",
        "supply",
        2,
        "local_content",
        {"supplier": "SUP-IN", "item": "BAT"},
        1.5,
        says=("out of range", ">= 0 and <= 1"),
    ),
    "open range bound": Case(
        edit("bom", 2, qty_per=0),
        "check_ranges",
        "bom",
        4,
        "qty_per",
        {"parent": "PCBA", "child": "CHIP"},
        0.0,
        says=("must be > 0",),
    ),
    "not an allowed value": Case(
        edit("items", 3, kind="gadget"),
        "check_allowed",
        "items",
        5,
        "kind",
        {"item": "BAT"},
        "gadget",
        says=("one of product, subassembly, component",),
    ),
    "duplicate key": Case(
        add("demand", market="MKT", item="PH", period="P1", qty=5, penalty=1),
        "check_duplicate_keys",
        "demand",
        5,
        None,
        {"market": "MKT", "item": "PH", "period": "P1"},
        says=("row 2 has the same market, item, period", "each key may appear once"),
    ),
    "duplicate key with a blank key cell": Case(
        add("bom", parent="PCBA", child="CHIP", qty_per=3),
        "check_duplicate_keys",
        "bom",
        5,
        None,
        {"parent": "PCBA", "child": "CHIP"},
        says=("row 4 has the same parent, child, site",),
    ),
    "unknown reference": Case(
        edit("demand", 1, item="PHX"),
        "check_references",
        "demand",
        3,
        "item",
        {"market": "MKT", "item": "PHX", "period": "P2"},
        "PHX",
        says=("not a item listed in table 'items'",),
    ),
    "unknown period reference": Case(
        edit("duties", 1, period_from="P9"),
        "check_references",
        "duties",
        3,
        "period_from",
        {"item": "BAT", "origin_country": "CN", "period_from": "P9"},
        "P9",
        says=("table 'periods'",),
    ),
    "wrong site kind": Case(
        edit("supply", 0, supplier="PL1"),
        "check_references",
        "supply",
        2,
        "supplier",
        {"supplier": "PL1", "item": "BAT"},
        "PL1",
        says=("is a plant", "of kind supplier"),
    ),
    "unknown setting": Case(
        add("settings", setting="colour", value="red"),
        "check_settings",
        "settings",
        4,
        "setting",
        {"setting": "colour"},
        severity=WARNING,
        says=("'colour'", "the settings are currency, domestic_country"),
    ),
    "unknown column": Case(
        edit("items", 0, colour="red"),
        "check_columns",
        "items",
        None,
        "colour",
        severity=WARNING,
        says=("'colour' is ignored", "the table's columns are item, kind"),
    ),
    # countries
    "country name instead of code": Case(
        edit("sites", 1, country="China"),
        "check_countries",
        "sites",
        3,
        "country",
        {"site": "SUP-CN"},
        "China",
        says=("is not an ISO 3166 alpha-2 country code such as IN, CN, AE",),
    ),
    "country code in small letters": Case(
        edit("duties", 0, origin_country="cn"),
        "check_countries",
        "duties",
        2,
        "origin_country",
        {"item": "BAT", "origin_country": "cn"},
        "cn",
        says=("write it in capitals: 'CN'",),
    ),
    "unassigned country code": Case(
        edit("duties", 2, destination_country="XK"),
        "check_countries",
        "duties",
        4,
        "destination_country",
        {"hs_code": "8542", "destination_country": "XK"},
        "XK",
        says=("assigned ISO 3166-1 code",),
    ),
    "domestic country setting": Case(
        edit("settings", 1, value="India"),
        "check_countries",
        "settings",
        3,
        "value",
        {"setting": "domestic_country"},
        "India",
        says=("ISO 3166 alpha-2",),
    ),
    # HS codes
    "HS code with a dash": Case(
        edit("items", 0, hs_code="8517-13"),
        "check_hs_codes",
        "items",
        2,
        "hs_code",
        {"item": "PH"},
        "8517-13",
        says=("2 to 10 digits", "8517.13"),
    ),
    "HS code of one digit": Case(
        edit("duties", 2, hs_code="8"),
        "check_hs_codes",
        "duties",
        4,
        "hs_code",
        {"hs_code": "8"},
        "8",
        says=("2 to 10 digits",),
    ),
    # BOM
    "BOM cycle": Case(
        add("bom", parent="PCBA", child="PH", qty_per=1),
        "check_bom_cycles",
        "bom",
        2,
        "child",
        {"parent": "PH", "child": "PCBA"},
        "PCBA",
        says=("PH -> PCBA -> PH", "for every plant", "allowed: each child"),
    ),
    "BOM self-loop": Case(
        add("bom", parent="PCBA", child="PCBA", qty_per=1),
        "check_bom_cycles",
        "bom",
        5,
        "child",
        {"parent": "PCBA", "child": "PCBA"},
        "PCBA",
        says=("PCBA -> PCBA",),
    ),
    "BOM cycle in a plant's own BOM": Case(
        add("bom", parent="PCBA", child="PH", qty_per=1, site="PL1"),
        "check_bom_cycles",
        "bom",
        5,
        "child",
        {"parent": "PCBA", "child": "PH", "site": "PL1"},
        "PH",
        says=("PCBA -> PH -> PCBA", "at plant 'PL1'"),
    ),
    "component as BOM parent": Case(
        add("bom", parent="BAT", child="CHIP", qty_per=4),
        "check_bom_parents",
        "bom",
        5,
        "parent",
        {"parent": "BAT", "child": "CHIP"},
        "BAT",
        says=("is a component", "allowed: a parent of kind product or subassembly"),
    ),
    # supply and production
    "child nobody supplies": Case(
        drop("supply", 2),
        "check_supplied",
        "bom",
        4,
        "child",
        {"parent": "PCBA", "child": "CHIP"},
        "CHIP",
        says=("in the BOM of 'PCBA' made at plant 'PL1'", "allowed: an item with a row in"),
    ),
    "component made at a plant": Case(
        add("production", plant="PL1", item="CHIP"),
        "check_production",
        "production",
        4,
        "item",
        {"plant": "PL1", "item": "CHIP"},
        "CHIP",
        says=("is a component", "allowed: an item of kind product or subassembly"),
    ),
    "product made from nothing": Case(
        lambda t: (
            add("items", item="PH2", kind="product")(t),
            add("production", plant="PL1", item="PH2")(t),
        ),
        "check_production",
        "production",
        4,
        "item",
        {"plant": "PL1", "item": "PH2"},
        "PH2",
        severity=WARNING,
        says=("made from nothing", "at plant 'PL1'"),
    ),
    "demand for a sub-assembly": Case(
        edit("demand", 0, item="PCBA"),
        "check_demand_products",
        "demand",
        2,
        "item",
        {"market": "MKT", "item": "PCBA", "period": "P1"},
        "PCBA",
        says=("is a subassembly", "allowed: an item of kind product"),
    ),
    # lanes
    "lane to itself": Case(
        add("lanes", origin="WH1", destination="WH1"),
        "check_lanes",
        "lanes",
        6,
        "destination",
        {"origin": "WH1", "destination": "WH1", "mode": "road"},
        "WH1",
        says=("to itself", "allowed: a destination other than the origin"),
    ),
    "lane into a supplier": Case(
        add("lanes", origin="PL1", destination="SUP-IN"),
        "check_lanes",
        "lanes",
        6,
        "destination",
        {"origin": "PL1", "destination": "SUP-IN", "mode": "road"},
        "SUP-IN",
        says=("is a supplier", "plant, warehouse or market"),
    ),
    "lane out of a market": Case(
        add("lanes", origin="MKT", destination="WH1"),
        "check_lanes",
        "lanes",
        6,
        "origin",
        {"origin": "MKT", "destination": "WH1", "mode": "road"},
        "MKT",
        says=("is a market", "supplier, plant or warehouse"),
    ),
    "component lane into a market": Case(
        add("lanes", origin="WH1", destination="MKT", item="BAT"),
        "check_lanes",
        "lanes",
        6,
        "item",
        {"origin": "WH1", "destination": "MKT", "item": "BAT", "mode": "road"},
        "BAT",
        severity=WARNING,
        says=("is a component", "into market 'MKT'"),
    ),
    # duties
    "duty with item and HS code": Case(
        edit("duties", 0, hs_code="8507"),
        "check_duty_scope",
        "duties",
        2,
        "hs_code",
        {"item": "BAT", "hs_code": "8507", "origin_country": "CN"},
        "8507",
        says=("both item 'BAT'", "allowed: exactly one"),
    ),
    "duty with neither item nor HS code": Case(
        edit("duties", 2, hs_code=None),
        "check_duty_scope",
        "duties",
        4,
        "item",
        says=("neither item nor hs_code", "allowed: exactly one"),
    ),
    "duty periods in the wrong order": Case(
        edit("duties", 0, period_from="P2", period_to="P1"),
        "check_duty_periods",
        "duties",
        2,
        "period_to",
        {"item": "BAT", "origin_country": "CN", "period_from": "P2"},
        "P1",
        says=("'P1' comes before period_from 'P2'", "allowed: a period_to"),
    ),
    "overlapping duty rows": Case(
        edit("duties", 1, period_from="P2"),
        "check_duty_periods",
        "duties",
        3,
        "period_from",
        {"item": "BAT", "origin_country": "CN", "period_from": "P2"},
        "P2",
        says=("same flow as row 2 in periods P2 to P2", "do not overlap"),
    ),
    "overlap with the domestic country written out": Case(
        add(
            "duties",
            item="BAT",
            origin_country="CN",
            destination_country="IN",
            rate=0.1,
            period_to="P1",
        ),
        "check_duty_periods",
        "duties",
        5,
        "period_from",
        {"item": "BAT", "origin_country": "CN", "destination_country": "IN"},
        None,
        says=("same flow as row 2 in periods P1 to P1",),
    ),
    "overlap of HS codes written with and without dots": Case(
        add("duties", hs_code="85.42", rate=0.05, period_from="P3"),
        "check_duty_periods",
        "duties",
        5,
        "period_from",
        {"hs_code": "85.42", "period_from": "P3"},
        "P3",
        says=("same flow as row 4 in periods P3 to P3",),
    ),
    # resources
    "unused resource": Case(
        add("resources", plant="PL1", resource="TEST", capacity=10),
        "check_resources",
        "resources",
        5,
        "resource",
        {"plant": "PL1", "resource": "TEST"},
        "TEST",
        severity=WARNING,
        says=("loaded by no production row",),
    ),
    # targets
    "target for a warehouse": Case(
        add("targets", scope="WH1", min_local_share=0.5),
        "check_targets",
        "targets",
        3,
        "scope",
        {"scope": "WH1"},
        "WH1",
        says=("a site of kind warehouse", "allowed: 'network', a plant ('PL1') or a product"),
    ),
    "target for a component": Case(
        add("targets", scope="BAT", min_local_share=0.5),
        "check_targets",
        "targets",
        3,
        "scope",
        {"scope": "BAT"},
        "BAT",
        says=("an item of kind component", "a product ('PH')"),
    ),
    "target with a capitalised scope": Case(
        edit("targets", 0, scope="Network"),
        "check_targets",
        "targets",
        2,
        "scope",
        {"scope": "Network"},
        "Network",
        says=("neither a site nor an item", "allowed: 'network'"),
    ),
    # reachability
    "market no lane reaches": Case(
        drop("lanes", 3),
        "check_reachability",
        "demand",
        2,
        "market",
        {"market": "MKT", "item": "PH", "period": "P1"},
        "MKT",
        severity=WARNING,
        says=("market 'MKT' cannot be reached by item 'PH'", "'PL1'"),
    ),
    "child that cannot reach its plant": Case(
        edit("lanes", 1, item="BAT"),
        "check_reachability",
        "production",
        3,
        "plant",
        {"plant": "PL1", "item": "PCBA"},
        "PL1",
        severity=WARNING,
        says=("makes 'PCBA' from 'CHIP' (bom row 4)", "'CHIP' cannot reach it", "'SUP-CN'"),
    ),
    # lead times
    "lane lead time beyond the horizon": Case(
        edit("lanes", 1, lead_time=3),
        "check_lead_times",
        "lanes",
        3,
        "lead_time",
        {"origin": "SUP-CN", "destination": "PL1", "mode": "sea"},
        3,
        severity=WARNING,
        says=("the 3 periods planned", "allowed: a lead time below 3"),
    ),
    "supply lead time beyond the horizon": Case(
        edit("supply", 2, lead_time=7),
        "check_lead_times",
        "supply",
        4,
        "lead_time",
        {"supplier": "SUP-CN", "item": "CHIP"},
        7,
        severity=WARNING,
        says=("lead time 7 periods",),
    ),
    # the forecasting tables
    "history period that is no calendar label": Case(
        sales("2024-Q1", "Q2 2024"),
        "check_history_periods",
        "sales_history",
        3,
        "period",
        {"market": "MKT", "item": "PH", "period": "Q2 2024"},
        "Q2 2024",
        says=("is not a period label", "YYYY-Qn", "YYYY-MM"),
    ),
    "history periods of two kinds": Case(
        sales("2024-Q1", "2024-Q2", "2024-07"),
        "check_history_periods",
        "sales_history",
        4,
        "period",
        {"market": "MKT", "item": "PH", "period": "2024-07"},
        "2024-07",
        says=("is a month but most rows are quarters", "of one kind"),
    ),
    "history of a component": Case(
        sales("2024-Q1", item="BAT"),
        "check_history_products",
        "sales_history",
        2,
        "item",
        {"market": "MKT", "item": "BAT", "period": "2024-Q1"},
        "BAT",
        says=("is a component", "allowed: an item of kind product"),
    ),
    "forecast interval that misses its forecast": Case(
        put(
            "demand_forecast",
            {"market": "MKT", "item": "PH", "period": "P1", "qty": 10, "lo": 12, "hi": 20},
        ),
        "check_forecast_intervals",
        "demand_forecast",
        2,
        "qty",
        {"market": "MKT", "item": "PH", "period": "P1"},
        10.0,
        says=("[12, 20] does not hold the forecast 10",),
    ),
}


#: Words by which a message says what is allowed.
ALLOWED = r"\ballowed\b|\bmust\b|\bmay\b|\bare\b"


def _shown(value: Any) -> str:
    """How a bad value appears in a message."""
    return f"{value:g}" if isinstance(value, float) else str(value)


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_one_breakage_one_problem(case: Case) -> None:
    network = broken(case.breakage)
    try:
        problems = network.validate()
    except InputError as exc:
        assert case.severity is ERROR, str(exc)
        assert exc.errors == exc.problems
        problems = exc.problems
    else:
        assert case.severity is WARNING  # a warning does not stop validate()
    assert len(problems) == 1, "\n".join(map(str, problems))
    (problem,) = problems
    assert problem.check == case.check
    assert problem.table == case.table
    assert problem.row == case.row
    assert problem.column == case.column
    assert dict(problem.key) == dict(case.key)
    assert problem.severity is case.severity
    if case.value is not None:
        assert problem.value == case.value
        assert _shown(case.value) in problem.message
    for text in case.says:
        assert text in problem.message
    assert re.search(ALLOWED, problem.message)


def test_every_check_has_a_case() -> None:
    """Each rule (generic and domain) is exercised by at least one case above."""
    tested = {c.check for c in CASES.values()}
    rule_names = {c.__name__ for c in [*registry.GENERIC_CHECKS, *registry.DOMAIN_CHECKS]}
    policy = {c.__name__ for c in rules_policy.POLICY_CHECKS}  # tests/test_policy_rules.py
    policy |= {c.__name__ for c in rules_design.NETWORK_DESIGN_CHECKS}  # test_network_design_checks
    policy |= {c.__name__ for c in rules_targets.TARGET_CHECKS}  # test_relative_target_checks
    missing = rule_names - tested - policy - {"check_periods"}  # tested on its own below
    assert not missing


def test_all_problems_are_reported_at_once() -> None:
    network = broken(
        edit("supply", 1, price="cheap"),
        edit("sites", 1, country="China"),
        add("bom", parent="PCBA", child="PH", qty_per=1),
    )
    problems = network.check()
    assert [(p.check, p.table, p.row) for p in problems] == [
        ("check_types", "supply", 3),
        ("check_countries", "sites", 3),
        ("check_bom_cycles", "bom", 2),
    ]
    with pytest.raises(InputError) as raised:
        network.validate()
    assert len(raised.value.errors) == 3
    assert "3 error(s)" in str(raised.value)


def test_every_bad_cell_of_a_column_is_reported() -> None:
    network = broken(*(edit("demand", i, penalty=-1) for i in range(3)))
    assert [(p.check, p.row) for p in network.check()] == [("check_ranges", r) for r in (2, 3, 4)]


def test_strict_network_raises_on_wrong_types() -> None:
    tables = valid_tables()
    edit("supply", 1, price="cheap")(tables)
    with pytest.raises(InputError, match="'cheap' is not a number"):
        Network(tables)


def test_spreadsheet_rows_are_used_in_problems() -> None:
    """Rows keep the numbers they have in the sheet, e.g. after blank rows were skipped."""
    tables = valid_tables()
    edit("supply", 2, price=-1)(tables)
    rows = {"supply": pd.Series([2, 4, 7]).to_numpy()}
    network = Network(tables, strict=False, source_rows=rows)
    (problem,) = network.check()
    assert (problem.check, problem.row) == ("check_ranges", 7)


# -- generic checks: what they do not repeat ------------------------------------------
def test_missing_required_column_is_not_reported_cell_by_cell() -> None:
    problems = broken(drop_column("demand", "qty")).check()
    assert [(p.check, p.column) for p in problems] == [("check_columns", "qty")]


def test_wrong_type_is_not_reported_again_as_blank() -> None:
    problems = broken(edit("demand", 0, qty="many")).check()
    assert [(p.check, p.row, p.column) for p in problems] == [("check_types", 2, "qty")]


def test_blank_required_key_is_not_also_a_duplicate() -> None:
    problems = broken(
        add("sites", kind="plant", country="IN"), add("sites", kind="plant", country="IN")
    ).check()
    assert [(p.check, p.row) for p in problems] == [("check_required", 7), ("check_required", 8)]


# -- countries and HS codes -------------------------------------------------------------
def test_country_list_is_the_assigned_iso_codes() -> None:
    assert len(ISO_COUNTRIES) == 249
    assert {"IN", "CN", "AE", "US", "GB", "VN", "SS", "CW"} <= ISO_COUNTRIES
    assert not {"UK", "EU", "XK", "AN", "in"} & ISO_COUNTRIES
    assert all(re.fullmatch("[A-Z]{2}", c) for c in ISO_COUNTRIES)


@pytest.mark.parametrize("code", ["85", "8517", "8517.13", "85171300", "8517.13.00", "8517130000"])
def test_good_hs_codes(code: str) -> None:
    assert rules.check_hs_codes(broken(edit("items", 0, hs_code=code))) == []


@pytest.mark.parametrize(
    "code", ["8", "85171300001", "8517.", ".8517", "85 17", "HS8517", "8517..13", "8517,13"]
)
def test_bad_hs_codes(code: str) -> None:
    (problem,) = rules.check_hs_codes(broken(edit("items", 0, hs_code=code)))
    assert (problem.row, problem.value) == (2, code)


@given(st.text(alphabet="ABCINZaz1 ", min_size=0, max_size=3))
@settings(max_examples=30, deadline=None)
def test_any_country_text_is_reported_iff_not_an_iso_code(text: str) -> None:
    network = broken(edit("sites", 3, country=text))
    found = rules.check_countries(network)
    stored = network.sites.at[3, "country"]
    expected = not pd.isna(stored) and stored not in ISO_COUNTRIES
    assert [p.row for p in found] == ([5] if expected else [])


# -- BOM cycles ------------------------------------------------------------------------------
def test_three_item_cycle_is_shown_as_a_path() -> None:
    network = broken(
        add("items", item="X", kind="subassembly"),
        add("items", item="Y", kind="subassembly"),
        add("bom", parent="PCBA", child="X", qty_per=1),
        add("bom", parent="X", child="Y", qty_per=1),
        add("bom", parent="Y", child="PCBA", qty_per=1),
    )
    (cycle,) = rules.check_bom_cycles(network)
    assert "PCBA -> X -> Y -> PCBA" in cycle.message
    assert (cycle.row, cycle.value) == (5, "X")


def test_two_separate_cycles_are_both_reported() -> None:
    network = broken(
        add("bom", parent="PCBA", child="PCBA", qty_per=1),
        add("bom", parent="PH", child="PH", qty_per=1),
    )
    cycles = rules.check_bom_cycles(network)
    assert sorted(p.row for p in cycles) == [5, 6]


def test_plant_bom_can_break_a_general_cycle() -> None:
    """At PL1 the plant's own PCBA line replaces the general ones, so only the general cycle."""
    network = broken(
        add("bom", parent="PCBA", child="PH", qty_per=1),
        add("bom", parent="PCBA", child="CHIP", qty_per=3, site="PL1"),
    )
    (cycle,) = rules.check_bom_cycles(network)
    assert "for every plant" in cycle.message


def _has_cycle(edges: list[tuple[int, int]]) -> bool:
    """Independent checker: Kahn's algorithm leaves nodes behind iff there is a cycle."""
    nodes = {n for e in edges for n in e}
    indegree = {n: 0 for n in nodes}
    for _, child in edges:
        indegree[child] += 1
    ready = [n for n in nodes if indegree[n] == 0]
    removed = 0
    while ready:
        node = ready.pop()
        removed += 1
        for parent, child in edges:
            if parent == node:
                indegree[child] -= 1
                if indegree[child] == 0:
                    ready.append(child)
    return removed < len(nodes)


@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=1, max_size=10, unique=True)
)
@settings(max_examples=40, deadline=None)
def test_cycles_are_found_iff_the_bom_has_one(edges: list[tuple[int, int]]) -> None:
    tables = valid_tables()
    tables["items"] = pd.DataFrame({"item": [f"S{i}" for i in range(6)], "kind": "subassembly"})
    tables["bom"] = pd.DataFrame(
        {"parent": [f"S{p}" for p, _ in edges], "child": [f"S{c}" for _, c in edges], "qty_per": 1}
    )
    found = rules.check_bom_cycles(Network(tables, strict=False))
    assert bool(found) == _has_cycle(edges)
    for problem in found:
        path = re.search(r"cycle (.*?) in the lines", problem.message)
        assert path is not None
        items = [int(s[1:]) for s in path.group(1).split(" -> ")]
        assert items[0] == items[-1]
        assert all(pair in edges for pair in itertools.pairwise(items))
        assert edges[problem.row - 2] == (items[0], items[1])  # reported on its first line


# -- supply, production, demand -------------------------------------------------------------
def test_demanded_product_nobody_makes() -> None:
    problems = broken(drop("production", 0)).check()
    (error,) = errors(problems)
    assert (error.check, error.table, error.row, error.column) == (
        "check_supplied",
        "demand",
        2,
        "item",
    )
    assert "demanded in market 'MKT'" in error.message
    # LINE1 is now loaded by no production row: a warning only
    assert [(p.check, p.value) for p in problems if p.severity is WARNING] == [
        ("check_resources", "LINE1")
    ]


def test_child_of_an_item_not_made_is_not_needed() -> None:
    """CHIP is needed only because PCBA is made: buy PCBA instead and nobody needs CHIP."""
    network = broken(
        drop("production", 1),
        drop("supply", 2),
        add("supply", supplier="SUP-CN", item="PCBA", price=2000.0),
        edit("resources", 1, resource="LINE1", period="P1"),
        drop("resources", 2),
    )
    assert network.check() == []


def test_plant_bom_replaces_general_lines_for_supply() -> None:
    """PL1's own PCBA line needs MEM, which nobody offers; CHIP is not needed there."""
    network = broken(
        add("items", item="MEM", kind="component"),
        add("bom", parent="PCBA", child="MEM", qty_per=1, site="PL1"),
        drop("supply", 2),
    )
    (problem,) = network.check()
    assert (problem.check, problem.value, problem.row) == ("check_supplied", "MEM", 5)


def test_active_bom() -> None:
    network = broken(add("bom", parent="PCBA", child="CHIP", qty_per=3, site="PL1"))
    active = rules.active_bom(network)
    assert active[["plant", "parent", "child", "bom_pos"]].values.tolist() == [
        ["PL1", "PH", "PCBA", 0],
        ["PL1", "PH", "BAT", 1],
        ["PL1", "PCBA", "CHIP", 3],
    ]


# -- lanes, resources -------------------------------------------------------------------------
def test_resource_without_capacity_row() -> None:
    problems = broken(edit("production", 1, resource="SMT2")).check()
    (error,) = errors(problems)
    assert (error.check, error.table, error.row, error.column, error.value) == (
        "check_resources",
        "production",
        3,
        "resource",
        "SMT2",
    )
    assert "allowed: a resource of that plant ('LINE1', 'SMT') or blank" in error.message
    warnings = [p for p in problems if p.severity is WARNING]
    assert [(p.check, p.row, p.value) for p in warnings] == [("check_resources", 3, "SMT")]


def test_item_lane_and_multi_hop_reach() -> None:
    """Chips may reach PL1 through WH1 on a chips-only lane."""
    network = broken(
        edit("lanes", 1, destination="WH1"),
        add("lanes", origin="WH1", destination="PL1", item="CHIP"),
    )
    assert network.check() == []


def test_child_made_at_the_plant_needs_no_lane() -> None:
    network = broken(drop("lanes", 1), drop("supply", 1), drop("duties", 0, 1))
    warnings = network.check()
    # CHIP comes only from SUP-CN, whose lane is gone; PCBA is made at PL1 itself.
    assert [(p.check, p.row, p.value) for p in warnings] == [("check_reachability", 3, "PL1")]
    assert "from 'CHIP'" in warnings[0].message


# -- periods ------------------------------------------------------------------------------
def test_no_periods() -> None:
    network = broken(drop("periods", 0, 1, 2))
    found = [p for p in network.check() if p.check == "check_periods"]
    assert [(p.table, p.row, p.severity) for p in found] == [("periods", None, ERROR)]
    assert "at least one" in found[0].message


def test_missing_periods_table_is_reported_once() -> None:
    network = broken(drop_table("periods"))
    found = [p for p in network.check() if p.table == "periods"]
    assert [p.check for p in found] == ["check_tables"]


# -- robustness: strange networks never crash the checks ------------------------------------
CODES = ["PH", "PCBA", "CHIP", "BAT", "SUP-IN", "SUP-CN", "PL1", "WH1", "MKT", "P1", "P3"]
CELLS = st.one_of(
    st.sampled_from(CODES),
    st.sampled_from(["IN", "cn", "China", "8517", "8.", "network", "LINE1", "product"]),
    st.sampled_from([None, "", " ", "junk", -1, 0, 2.5, 1e13, True]),
)


@st.composite
def damaged_tables(draw: st.DrawFn) -> Tables:
    """The valid network with up to five cells, rows, columns or tables damaged."""
    tables = {k: v.astype(object) for k, v in valid_tables().items()}
    for _ in range(draw(st.integers(1, 5))):
        name = draw(st.sampled_from(sorted(tables)))
        frame = tables[name]
        action = draw(st.sampled_from(["cell", "cell", "cell", "dup", "drop_row", "drop_col"]))
        if not len(frame):
            continue
        row = draw(st.integers(0, len(frame) - 1))
        if action == "dup":
            tables[name] = pd.concat([frame, frame.iloc[[row]]], ignore_index=True)
        elif action == "drop_row":
            tables[name] = frame.drop(index=row).reset_index(drop=True)
        elif action == "drop_col":
            tables[name] = frame.drop(columns=draw(st.sampled_from(list(frame.columns))))
        else:
            frame.loc[row, draw(st.sampled_from(list(frame.columns)))] = draw(CELLS)
    return tables


@given(damaged_tables())
@settings(max_examples=20, deadline=None)
def test_damaged_networks_are_checked_without_crashing(tables: Tables) -> None:
    network = Network(tables, strict=False)
    problems = network.check()
    for p in problems:
        assert p.check.startswith("check_") and p.table and p.message
        assert p.severity in (ERROR, WARNING)
        if p.row is not None:
            assert p.row in network.source_rows[p.table]
    if not errors(problems):
        network.validate()


# -- what the rules accept ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "breakage",
    [
        # different specificity: an HS-code row beside item rows, a blank origin beside CN
        add("duties", hs_code="8507", rate=0.1),
        add("duties", item="BAT", rate=0.1),
        # a different destination country is a different flow
        add("duties", item="BAT", origin_country="CN", destination_country="AE", rate=0.0),
        # one period per row, back to back
        edit("duties", 0, period_from="P1", period_to="P1"),
        # targets for a plant, a product and one period
        add("targets", scope="PL1", min_local_share=0.5),
        add("targets", scope="PH", period="P2", min_local_share=0.5),
        # the longest lead time that still arrives within the plan
        edit("lanes", 1, lead_time=2),
        # a lane reserved for one item, a product into a market
        add("lanes", origin="PL1", destination="MKT", item="PH", mode="air"),
        # a sub-assembly bought instead of made is fine, and so is an item nobody needs
        add("supply", supplier="SUP-CN", item="PCBA", price=1500.0),
        add("items", item="SPARE", kind="component"),
        # a second plant making PCBA with a BOM of its own, shipping it to PL1
        lambda t: (
            add("sites", site="PL2", kind="plant", country="IN")(t),
            add("production", plant="PL2", item="PCBA")(t),
            add("bom", parent="PCBA", child="CHIP", qty_per=3, site="PL2")(t),
            add("lanes", origin="SUP-CN", destination="PL2")(t),
            add("lanes", origin="PL2", destination="PL1")(t),
        ),
    ],
)
def test_valid_variations_have_no_problem(breakage: Breakage) -> None:
    assert broken(breakage).check() == []


def test_identical_duty_rows_are_only_a_duplicate_key() -> None:
    problems = broken(add("duties", item="BAT", origin_country="CN", rate=0.3, period_to="P1"))
    assert [(p.check, p.row) for p in problems.check()] == [("check_duplicate_keys", 5)]


def test_sub_assembly_made_from_nothing() -> None:
    (problem,) = broken(drop("bom", 2), drop("supply", 2), drop("duties", 2)).check()
    assert (problem.check, problem.severity, problem.row, problem.value) == (
        "check_production",
        WARNING,
        3,
        "PCBA",
    )
    assert "allowed: a subassembly with rows in table 'bom'" in problem.message


def test_declared_setting_values(monkeypatch: pytest.MonkeyPatch) -> None:
    """Allowed values and numeric types declared for a setting are enforced."""
    from emsplan.data import schema

    declared = dict(schema.settings())
    declared["currency"] = schema.Setting("currency", "str", "INR", ("INR", "USD"), "")
    declared["horizon"] = schema.Setting("horizon", "int", "12", (), "")
    monkeypatch.setattr(schema, "settings", lambda: declared)
    network = broken(
        edit("settings", 0, value="EUR"), add("settings", setting="horizon", value="1.5")
    )
    problems = checks.check_settings(network)
    assert [(p.row, p.column, p.value, p.severity) for p in problems] == [
        (2, "value", "EUR", ERROR),
        (4, "value", "1.5", ERROR),
    ]
    assert "allowed: one of INR, USD" in problems[0].message
    assert "allowed: a whole number" in problems[1].message
