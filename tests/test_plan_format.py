"""A plan holds exactly the output tables declared in ``data/schema/output*.csv``.

The declaration (:func:`emsplan.data.schema.outputs`) drives the plan writer and
``docs/plan-format.md``; these tests fail when the tables a plan is made of drift from it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest

import emsplan
from conftest import small_tables
from emsplan.data import schema
from emsplan.results.writer import UndeclaredOutputError

#: Python and NumPy types a value of each declared type may have in an object column.
VALUE_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "float": (float, int, np.floating, np.integer),
    "int": (int, np.integer),
    "bool": (bool, np.bool_),
}


def fits(values: pd.Series, kind: str) -> bool:
    """Whether a column's dtype (or, for an object column, every value) fits a declared type."""
    dtype = values.dtype
    if pd.api.types.is_object_dtype(dtype):
        return all(
            isinstance(v, VALUE_TYPES[kind]) and not (kind != "bool" and isinstance(v, bool))
            for v in values.dropna()
        )
    if kind == "str":
        return pd.api.types.is_string_dtype(dtype)
    if kind == "float":
        return pd.api.types.is_float_dtype(dtype)
    if kind == "int":
        return pd.api.types.is_integer_dtype(dtype)
    return pd.api.types.is_bool_dtype(dtype)


def with_policies() -> dict[str, pd.DataFrame]:
    """The small network with an incentive and a line option: a MIP, so that the
    ``policy`` and ``options`` tables have rows."""
    tables = small_tables()
    tables["incentives"] = pd.DataFrame([{"scheme": "PLI", "item": "smartphone", "rate": 0.05}])
    tables["options"] = pd.DataFrame(
        [
            {
                "option": "LINE2",
                "kind": "line",
                "plant": "PL1",
                "resource": "LINE1",
                "capacity": 1000.0,
                "fixed_cost": 100.0,
            }
        ]
    )
    return tables


@pytest.fixture(scope="module", params=["small", "with policies"])
def plan(request: pytest.FixtureRequest) -> emsplan.Plan:
    tables = small_tables() if request.param == "small" else with_policies()
    return emsplan.plan(emsplan.Network(tables, name=request.param))


def test_the_declaration_is_consistent() -> None:
    outputs = schema.outputs()
    assert outputs, "no output table is declared"
    for table in outputs.values():
        names = table.column_names
        assert names and len(set(names)) == len(names), table.name
        for column in table.columns:
            assert column.type in VALUE_TYPES, (table.name, column.name, column.type)
            assert column.description.strip(), (table.name, column.name)
    declared_columns = pd.read_csv(
        Path(schema.__file__).with_name("output_columns.csv"), keep_default_na=False
    )
    assert set(declared_columns["table"]) == set(outputs), "columns of an undeclared table"
    keys = [k.name for k in schema.summary_keys()]
    assert len(set(keys)) == len(keys)
    parents = {k.split(".", 1)[0] for k in keys if "." in k}
    assert parents <= set(keys), "a nested summary key without its parent"


def test_the_plan_has_exactly_the_declared_tables_and_columns(plan: emsplan.Plan) -> None:
    outputs = schema.outputs()
    assert list(plan.tables) == list(outputs)
    if plan.summary["network"] == "with policies":  # the dtypes of rows, not only of headers
        assert len(plan.tables["options"]) and len(plan.tables["policy"])
    for name, table in outputs.items():
        frame = plan.tables[name]
        assert list(frame.columns) == list(table.column_names), name
        for column in table.columns:
            assert fits(frame[column.name], column.type), (
                f"{name}.{column.name} is {frame[column.name].dtype}, declared {column.type}"
            )


def _summary_value_fits(value: Any, kind: str) -> bool:
    if value is None:
        return True
    if kind in ("object", "list"):
        return isinstance(value, dict if kind == "object" else list)
    if kind == "float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, VALUE_TYPES[kind]) and (kind == "bool" or not isinstance(value, bool))


def test_summary_json_has_the_declared_keys(plan: emsplan.Plan, tmp_path: Path) -> None:
    plan.write(tmp_path)
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    declared = {k.name: k for k in schema.summary_keys()}
    top = [k for k in declared if "." not in k]
    assert list(summary) == top
    nested = {
        f"{parent}.{key}"
        for parent in top
        if isinstance(summary[parent], dict)
        for key in summary[parent]
    }
    nested -= {f"solver_options.{key}" for key in summary["solver_options"]}
    assert nested <= set(declared), nested - set(declared)
    for name, key in declared.items():
        parent, _, child = name.partition(".")
        value = (summary[parent] or {}).get(child) if child else summary[parent]
        assert _summary_value_fits(value, key.type), (name, value)


def _csv_header(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()[0].split(",")


def test_written_files_have_the_declared_headers(plan: emsplan.Plan, tmp_path: Path) -> None:
    outputs = schema.outputs()
    plan.write(tmp_path / "csv", workbook=True)
    plan.write(tmp_path / "parquet", fmt="parquet", workbook=False)
    extra = {"plan.xlsx", "summary.json"} | ({"solution.sol"} if plan.solution_text else set())
    assert {p.name for p in (tmp_path / "csv").iterdir()} == {f"{n}.csv" for n in outputs} | extra
    book = openpyxl.load_workbook(tmp_path / "csv" / "plan.xlsx", read_only=True)
    assert book.sheetnames == list(outputs)
    for name, table in outputs.items():
        columns = list(table.column_names)
        assert _csv_header(tmp_path / "csv" / f"{name}.csv") == columns, name
        assert list(pd.read_parquet(tmp_path / "parquet" / f"{name}.parquet").columns) == columns
        header = next(book[name].iter_rows(min_row=1, max_row=1, values_only=True))
        assert list(header) == columns, name
    book.close()


def test_a_missing_table_is_written_as_its_header(plan: emsplan.Plan, tmp_path: Path) -> None:
    tables = {name: frame for name, frame in plan.tables.items() if name != "bottlenecks"}
    emsplan.Plan(tables=tables, summary=plan.summary).write(tmp_path)
    text = (tmp_path / "bottlenecks.csv").read_text(encoding="utf-8")
    assert text == ",".join(schema.outputs()["bottlenecks"].column_names) + "\n"


def test_columns_are_written_in_the_declared_order(plan: emsplan.Plan, tmp_path: Path) -> None:
    tables = dict(plan.tables)
    tables["costs"] = tables["costs"][["value", "period", "category"]]
    emsplan.Plan(tables=tables, summary=plan.summary).write(tmp_path)
    assert _csv_header(tmp_path / "costs.csv") == ["category", "period", "value"]


def test_an_undeclared_column_fails_and_writes_nothing(plan: emsplan.Plan, tmp_path: Path) -> None:
    tables = dict(plan.tables)
    tables["flows"] = tables["flows"].assign(co2=0.0)
    out = tmp_path / "plan"
    with pytest.raises(UndeclaredOutputError, match=r"'flows'.*undeclared column\(s\) 'co2'"):
        emsplan.Plan(tables=tables, summary=plan.summary).write(out)
    assert not out.exists() or not any(out.iterdir())


def test_a_missing_column_or_an_undeclared_table_fails(plan: emsplan.Plan, tmp_path: Path) -> None:
    tables = dict(plan.tables)
    tables["costs"] = tables["costs"].drop(columns="period")
    with pytest.raises(UndeclaredOutputError, match=r"'costs'.*missing column\(s\) 'period'"):
        emsplan.Plan(tables=tables, summary=plan.summary).write(tmp_path)
    tables = {**plan.tables, "emissions": pd.DataFrame({"co2": [1.0]})}
    with pytest.raises(UndeclaredOutputError, match=r"'emissions'.*not declared"):
        emsplan.Plan(tables=tables, summary=plan.summary).write(tmp_path)
