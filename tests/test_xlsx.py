"""The streaming workbook writer (emsplan.data.xlsx), read back by openpyxl."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emsplan.data import xlsx
from emsplan.data.writers import write_workbook


def read_back(path: Path) -> dict[str, list[tuple[object, ...]]]:
    book = openpyxl.load_workbook(path)
    return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}


def test_values_come_back_as_written(tmp_path: Path) -> None:
    """Numbers (a float that needs 17 digits included), booleans, text that looks like a
    formula, spaces at the ends, non-Latin text; empty cells for None and NaN; text for
    the infinities; control characters replaced."""
    frame = pd.DataFrame(
        {
            "n": [1, 2, 3],
            "x": [0.1 + 0.2, float("nan"), 1e-300],
            "ok": [True, False, True],
            "text": ["=SUM(A1:A2)", "  ₹ 5 लाख ", None],
            "odd": [float("inf"), -float("inf"), 2.5],
            "ctrl": ["a\x00b", "tab\there", "line\nbreak"],
        }
    )
    path = tmp_path / "t.xlsx"
    xlsx.write({"plan": frame}, path)
    rows = read_back(path)["plan"]
    assert rows[0] == ("n", "x", "ok", "text", "odd", "ctrl")
    assert rows[1] == (1, 0.1 + 0.2, True, "=SUM(A1:A2)", "inf", "a\ufffdb")
    assert rows[2] == (2, None, False, "  ₹ 5 लाख ", "-inf", "tab\there")
    assert rows[3] == (3, 1e-300, True, None, 2.5, "line\nbreak")
    assert rows[1][1] != 0.3  # the 17th digit survived


def test_layout_bold_header_frozen_pane_widths_and_names(tmp_path: Path) -> None:
    """Header bold, frozen below row 1, widths from the header and values (8 to 60),
    sheet names cut to 31 characters, 28 columns reach AB, an empty table is its header."""
    wide = pd.DataFrame([[i * c for c in range(28)] for i in range(3)], columns=[
        f"c{c}" for c in range(28)
    ])  # fmt: skip
    long_text = pd.DataFrame({"name": ["x" * 100], "id": [7]})
    tables = {"w" * 40: wide, "long": long_text, "empty": pd.DataFrame(columns=["a", "b"])}
    path = tmp_path / "t.xlsx"
    xlsx.write(tables, path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["w" * 31, "long", "empty"]
    sheet = book["w" * 31]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b and not sheet["A2"].font.b
    assert sheet["AB1"].value == "c27" and sheet["AB4"].value == 2 * 27
    assert book["long"].column_dimensions["A"].width == 60
    assert book["long"].column_dimensions["B"].width == 8
    assert list(book["empty"].iter_rows(values_only=True)) == [("a", "b")]


def test_column_letters() -> None:
    assert [xlsx.column_letter(i) for i in (0, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip


def test_dates_and_header_notes_go_through_openpyxl(tmp_path: Path) -> None:
    """A column of dates is not the streaming writer's: write_workbook hands it to
    openpyxl, which keeps it a date."""
    frame = pd.DataFrame({"when": pd.to_datetime(["2026-01-02"]), "qty": [5]})
    assert not xlsx.supported({"t": frame})
    path = tmp_path / "t.xlsx"
    write_workbook({"t": frame}, path)
    rows = read_back(path)["t"]
    assert rows[1][0].year == 2026 and rows[1][1] == 5  # type: ignore[union-attr]


cells = st.one_of(
    st.none(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(cells, min_size=3, max_size=3), min_size=0, max_size=8))
def test_any_plain_table_round_trips(tmp_path_factory: pytest.TempPathFactory, rows: list) -> None:
    """Whatever plain values a table holds come back equal (None as an empty cell; rows
    that are all empty at the end of a sheet are not rows to openpyxl, as with its own
    writer)."""
    frame = pd.DataFrame(rows, columns=["a", "b", "c"], dtype=object)
    path = tmp_path_factory.mktemp("x") / "t.xlsx"
    xlsx.write({"t": frame}, path)
    back = read_back(path)["t"]
    assert back[0] == ("a", "b", "c")
    while rows and all(value is None for value in rows[-1]):
        rows = rows[:-1]
    assert len(back) == len(rows) + 1
    for wrote, got in zip(rows, back[1:], strict=True):
        for value, cell in zip(wrote, got, strict=True):
            if value is None:
                assert cell is None
            elif isinstance(value, bool):
                assert cell is value
            elif isinstance(value, float):
                assert cell == value and np.float64(cell) == np.float64(value)
            else:
                assert cell == value


def test_equal_values_of_different_types_stay_apart(tmp_path: Path) -> None:
    """True, 1, 1.0 and -0.0 are equal as dict keys; each keeps its type in the sheet."""
    frame = pd.DataFrame({"a": [True, 1, 1.0, -0.0, "x", "x"]}, dtype=object)
    path = tmp_path / "t.xlsx"
    xlsx.write({"t": frame}, path)
    column = [row[0] for row in read_back(path)["t"][1:]]
    assert column == [True, 1, 1.0, -0.0, "x", "x"]
    assert [type(v) for v in column] == [bool, int, float, float, str, str]
    assert str(column[3]) == "-0.0"


@pytest.mark.parametrize("names", [["a/b"], ["x" * 40, "x" * 35], [""]])
def test_sheet_names_excel_refuses_are_refused(tmp_path: Path, names: list[str]) -> None:
    """A name with a character Excel forbids, two names equal once cut to 31 characters,
    or an empty name: a ValueError, and no file."""
    path = tmp_path / "t.xlsx"
    with pytest.raises(ValueError, match="Excel accepts"):
        xlsx.write({name: pd.DataFrame({"a": [1]}) for name in names}, path)
    assert not path.exists()
