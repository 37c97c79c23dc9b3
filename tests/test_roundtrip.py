"""Workbook -> Network -> CSV folder -> Network -> workbook keeps every value exactly.

The network used has the values that break naive writers and readers:
unicode codes, text that looks like a number, a date or a formula, text with
commas, quotes and line breaks, blank optional cells, floats that need all 17
significant digits, tiny and large numbers, and a big whole number.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import emsplan
from conftest import small_tables
from emsplan.data.network import Network

AWKWARD_TEXT = [
    "फ़ोन-α",  # Devanagari and Greek
    "电池 Ω",  # CJK with a space inside
    "😀 earbuds",
    "0012",  # leading zeros must survive
    "1e5",  # looks like a number
    "2024-01-01",  # looks like a date
    "TRUE",  # looks like a boolean
    "NA",  # looks like a missing value to pandas
    "nan",
    "=SUM(A1:A2)",  # would become a formula in a workbook
    "-1",
    "a, b",  # delimiter inside
    'say "hi"',  # quote inside
    "line1\nline2",  # line break inside
    "cr\rinside",  # carriage return inside: read as a line break
    "tab\tinside",
    "x" * 300,  # long text
]

AWKWARD_FLOATS = [0.1 + 0.2, 1e-9, 123456789.123, 1 / 3, 2.0**-30, 999_999_999_999.5, 0.0]


def awkward_network() -> Network:
    """The small network plus rows full of awkward values (still a valid network)."""
    tables = small_tables()
    items = tables["items"]
    extra_items = pd.DataFrame(
        {
            "item": AWKWARD_TEXT,
            "kind": "component",
            "description": [
                None if i % 3 == 0 else text[::-1] for i, text in enumerate(AWKWARD_TEXT)
            ],
            "holding_cost": [
                AWKWARD_FLOATS[i % len(AWKWARD_FLOATS)] for i in range(len(AWKWARD_TEXT))
            ],
            "hs_code": ["0012", *[None] * (len(AWKWARD_TEXT) - 1)],
        }
    )
    tables["items"] = pd.concat([items, extra_items], ignore_index=True)
    tables["supply"] = pd.concat(
        [
            tables["supply"],
            pd.DataFrame(
                {
                    "supplier": "SUP-IN",
                    "item": AWKWARD_TEXT,
                    "price": [
                        AWKWARD_FLOATS[i % len(AWKWARD_FLOATS)] for i in range(len(AWKWARD_TEXT))
                    ],
                    "capacity": [None if i % 2 else 1e-9 for i in range(len(AWKWARD_TEXT))],
                    "local_content": [None if i % 4 == 0 else 0.1 + 0.2 for i in range(17)],
                }
            ),
        ],
        ignore_index=True,
    )
    tables["periods"] = pd.DataFrame(
        {"period": ["2024-Q1", "2024-Q2", "0003"], "days": [91, 91, 999_999_999_999]}
    )
    tables["sites"].loc[0, "lat"] = 26.846708123456789
    tables["sites"].loc[0, "lon"] = 80.946159
    return Network(tables, name="awkward")


def assert_same(a: Network, b: Network) -> None:
    """Every table equal in values and dtypes, with a readable diff on failure."""
    for name in a.tables:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True, obj=f"table {name!r}")
    assert a.equals(b)


def roundtrip(net: Network, tmp_path: Path) -> None:
    """Network -> workbook -> Network -> CSV -> Network -> workbook -> Network."""
    first = net.write(tmp_path / "first.xlsx")
    from_book = emsplan.read(first, validate=False)
    folder = from_book.write(tmp_path / "csv")
    from_csv = emsplan.read(folder, validate=False)
    again = from_csv.write(tmp_path / "again.xlsx")
    from_again = emsplan.read(again, validate=False)
    assert_same(net, from_book)
    assert_same(from_book, from_csv)
    assert_same(from_csv, from_again)


def test_awkward_values_roundtrip(tmp_path: Path) -> None:
    net = awkward_network()
    errors = [str(p) for p in net.check() if p.severity is emsplan.Severity.ERROR]
    assert errors == []
    roundtrip(net, tmp_path)


def test_awkward_values_are_what_was_given() -> None:
    """The conversion itself keeps the awkward values (no silent rounding or retyping)."""
    net = awkward_network()
    first = len(small_tables()["items"])
    expected = [text.replace("\r", "\n") for text in AWKWARD_TEXT]  # one kind of line break
    assert net.items["item"].tolist()[first:] == expected
    assert net.items["hs_code"].iloc[first] == "0012"
    assert pd.isna(net.items["description"].iloc[first])
    assert net.periods["days"].iloc[-1] == 999_999_999_999
    assert net.supply["price"].iloc[len(small_tables()["supply"])] == 0.1 + 0.2


def test_small_network_roundtrip(tmp_path: Path, small_network: Network) -> None:
    roundtrip(small_network, tmp_path)


def test_empty_network_roundtrip(tmp_path: Path) -> None:
    """A network of empty tables round-trips too (headers only)."""
    roundtrip(Network({}, strict=False), tmp_path)


def test_bundled_example_roundtrip(tmp_path: Path) -> None:
    if "india-2023" not in emsplan.examples.names():
        pytest.skip("the bundled example india-2023 is not registered")
    try:
        net = emsplan.examples.load("india-2023")
    except ImportError as exc:
        pytest.skip(f"the bundled example india-2023 is not available yet: {exc}")
    roundtrip(net, tmp_path)
