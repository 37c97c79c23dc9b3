"""Overrides from files: JSON, YAML and a workbook's 'scenarios' sheet give the same list,
and a broken file is a clear error before anything runs."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from emsplan.scenarios import overrides as scenarios

LINES = ["supply[supplier=SCN].price*=1.2", "demand.qty*=1.1"]
OBJECT = {
    "table": "duties",
    "where": {"hs_code": "8507"},
    "column": "rate",
    "op": "set",
    "value": 0.2,
}


def test_yaml_json_and_workbook_agree(tmp_path: Path) -> None:
    (tmp_path / "o.json").write_text(json.dumps([*LINES, OBJECT]))
    (tmp_path / "o.yaml").write_text(
        "- supply[supplier=SCN].price*=1.2\n- demand.qty*=1.1\n"
        "- {table: duties, where: {hs_code: '8507'}, column: rate, op: set, value: 0.2}\n"
    )
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "scenarios"
    sheet.append(["override", "note"])
    for line in LINES:
        sheet.append([line, "why"])
    book.save(tmp_path / "o.xlsx")
    from_json = scenarios.load(files=[tmp_path / "o.json"])
    from_yaml = scenarios.load(files=[tmp_path / "o.yaml"])
    from_book = scenarios.load(files=[tmp_path / "o.xlsx"])
    assert from_json == from_yaml
    assert from_book == from_json[:2]
    assert from_json[:2] == scenarios.load(texts=LINES)


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("bad.yaml", "- [unclosed\n", "not valid YAML"),
        ("num.yaml", "- 3\n", "must hold a YAML list"),
        ("map.yaml", "table: supply\n", "must hold a YAML list"),
        ("bad.json", "[{", "not valid JSON"),
    ],
)
def test_broken_files_are_clear_errors(tmp_path: Path, name: str, text: str, words: str) -> None:
    (tmp_path / name).write_text(text)
    with pytest.raises(scenarios.OverrideError) as info:
        scenarios.load(files=[tmp_path / name])
    assert words in str(info.value)


def test_workbook_without_the_sheet(tmp_path: Path) -> None:
    openpyxl.Workbook().save(tmp_path / "o.xlsx")
    with pytest.raises(scenarios.OverrideError, match="no sheet named 'scenarios'"):
        scenarios.load(files=[tmp_path / "o.xlsx"])
