"""The data contract, loaded from its declaration in ``data/schema/*.csv``.

Every table of a network, its columns, their types, units, defaults, ranges,
allowed values and references are declared once, as data, in
``src/emsplan/data/schema/``. The readers, the validation, the blank workbook
template and ``docs/data-format.md`` are all driven from the objects built
here; nothing else in the package lists columns by hand.

So are the output tables of a plan (``outputs.csv``, ``output_columns.csv``) and
the keys of its ``summary.json`` (``output_summary.csv``): the plan writer and
``docs/plan-format.md`` are driven from :func:`outputs` and :func:`summary_keys`.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd

#: pandas dtype used for each declared column type.
DTYPES: dict[str, str] = {"str": "string", "float": "float64", "int": "Int64"}

#: pandas dtype of each declared output column type (an output column may be bool).
OUTPUT_DTYPES: dict[str, str] = {**DTYPES, "bool": "boolean"}


@dataclass(frozen=True)
class Range:
    """A numeric interval such as ``[0,1]`` or ``(0,inf)``."""

    low: float
    high: float
    low_open: bool
    high_open: bool

    @classmethod
    def parse(cls, text: str) -> Range:
        text = text.strip()
        low, high = (part.strip() for part in text[1:-1].split(","))
        return cls(float(low), float(high), text[0] == "(", text[-1] == ")")

    def mask(self, values: pd.Series) -> pd.Series:
        """Boolean mask of the values that lie inside the interval (NaN counts as inside)."""
        v = values.astype("float64")
        ok_low = v > self.low if self.low_open else v >= self.low
        ok_high = v < self.high if self.high_open else v <= self.high
        return (ok_low & ok_high) | v.isna()

    def describe(self) -> str:
        def bound(x: float) -> str:
            if math.isinf(x):
                return "inf" if x > 0 else "-inf"
            return f"{x:g}"

        parts = []
        if not math.isinf(self.low):
            parts.append(f"{'>' if self.low_open else '>='} {bound(self.low)}")
        if not math.isinf(self.high):
            parts.append(f"{'<' if self.high_open else '<='} {bound(self.high)}")
        return " and ".join(parts) if parts else "any number"

    def __str__(self) -> str:
        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        return f"{left}{self.low:g},{self.high:g}{right}"


@dataclass(frozen=True)
class Column:
    """One declared column of an input table."""

    table: str
    name: str
    type: str
    unit: str
    default: Any
    required: bool
    key: bool
    range: Range | None
    allowed: tuple[str, ...]
    ref: tuple[str, str] | None
    ref_kind: tuple[str, ...]
    description: str

    @property
    def dtype(self) -> str:
        return DTYPES[self.type]

    def allowed_text(self) -> str:
        """What the column accepts, in words, for error messages and docs."""
        parts = [{"str": "text", "float": "a number", "int": "a whole number"}[self.type]]
        if self.range is not None:
            parts.append(self.range.describe())
        if self.allowed:
            parts = ["one of " + ", ".join(self.allowed)]
        if self.ref is not None:
            what = f"a {self.ref[1]} listed in table '{self.ref[0]}'"
            if self.ref_kind:
                what += f" with kind {' or '.join(self.ref_kind)}"
            parts = [what]
        text = ", ".join(parts)
        if not self.required:
            text += "; may be blank"
        return text


@dataclass(frozen=True)
class Table:
    """One declared input table."""

    name: str
    required: bool
    description: str
    columns: tuple[Column, ...]

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.key)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table '{self.name}' has no column '{name}'")

    def empty(self) -> pd.DataFrame:
        """An empty frame with this table's columns and dtypes."""
        return pd.DataFrame({c.name: pd.Series(dtype=c.dtype) for c in self.columns})


@dataclass(frozen=True)
class Setting:
    """One declared entry of the ``settings`` table."""

    name: str
    type: str
    default: str
    allowed: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class OutputColumn:
    """One declared column of an output table of a plan."""

    table: str
    name: str
    type: str
    unit: str
    description: str

    @property
    def dtype(self) -> str:
        return OUTPUT_DTYPES[self.type]


@dataclass(frozen=True)
class OutputTable:
    """One declared output table of a plan, its columns in the order they are written."""

    name: str
    description: str
    columns: tuple[OutputColumn, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def empty(self) -> pd.DataFrame:
        """An empty frame with this table's columns and dtypes."""
        return pd.DataFrame({c.name: pd.Series(dtype=c.dtype) for c in self.columns})


@dataclass(frozen=True)
class SummaryKey:
    """One declared key of a plan's ``summary.json`` (``timings.total``: a nested key)."""

    name: str
    type: str
    unit: str
    description: str


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("emsplan").joinpath("data", "schema", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def _parse_default(kind: str, text: str) -> Any:
    if text == "":
        return None
    return {"str": str, "float": float, "int": int}[kind](text)


@cache
def tables() -> dict[str, Table]:
    """All declared tables, in the order a workbook lists them."""
    columns: dict[str, list[Column]] = {}
    for row in _read_csv("columns.csv"):
        ref = tuple(row["ref"].split(".", 1)) if row["ref"] else None
        columns.setdefault(row["table"], []).append(
            Column(
                table=row["table"],
                name=row["column"],
                type=row["type"],
                unit=row["unit"],
                default=_parse_default(row["type"], row["default"]),
                required=row["required"] == "yes",
                key=row["key"] == "yes",
                range=Range.parse(row["range"]) if row["range"] else None,
                allowed=tuple(row["allowed"].split("|")) if row["allowed"] else (),
                ref=(ref[0], ref[1]) if ref else None,
                ref_kind=tuple(row["ref_kind"].split("|")) if row["ref_kind"] else (),
                description=row["description"],
            )
        )
    return {
        row["table"]: Table(
            name=row["table"],
            required=row["required"] == "yes",
            description=row["description"],
            columns=tuple(columns[row["table"]]),
        )
        for row in _read_csv("tables.csv")
    }


@cache
def settings() -> dict[str, Setting]:
    """All declared settings."""
    return {
        row["setting"]: Setting(
            name=row["setting"],
            type=row["type"],
            default=row["default"],
            allowed=tuple(row["allowed"].split("|")) if row["allowed"] else (),
            description=row["description"],
        )
        for row in _read_csv("settings.csv")
    }


def table(name: str) -> Table:
    """The declaration of one table."""
    return tables()[name]


@cache
def outputs() -> dict[str, OutputTable]:
    """All declared output tables of a plan, in the order a plan is written."""
    columns: dict[str, list[OutputColumn]] = {}
    for row in _read_csv("output_columns.csv"):
        columns.setdefault(row["table"], []).append(
            OutputColumn(
                table=row["table"],
                name=row["column"],
                type=row["type"],
                unit=row["unit"],
                description=row["description"],
            )
        )
    return {
        row["table"]: OutputTable(
            name=row["table"],
            description=row["description"],
            columns=tuple(columns[row["table"]]),
        )
        for row in _read_csv("outputs.csv")
    }


@cache
def summary_keys() -> tuple[SummaryKey, ...]:
    """All declared keys of a plan's ``summary.json``, in the order it is written."""
    return tuple(
        SummaryKey(
            name=row["key"], type=row["type"], unit=row["unit"], description=row["description"]
        )
        for row in _read_csv("output_summary.csv")
    )
