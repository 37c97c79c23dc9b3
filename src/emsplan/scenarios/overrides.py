"""Scenario overrides: changes to a network's tables, checked before anything runs.

An override selects the rows of one table with a filter and changes one
column of them, or deletes them, or inserts rows. On the command line it is
one string; in a JSON file, an object::

    supply[supplier=CN-SZ].price*=1.1           {"table": "supply", "where": {"supplier": "CN-SZ"},
                                                  "column": "price", "op": "scale", "value": 1.1}
    demand[period=2024-Q3|2024-Q4].qty*=1.2     filter values separated by | are alternatives
    duties[hs_code=8517.13].rate=0.2            op "set"
    resources.capacity+=5000                    op "add"; no filter: every row
    delete supply[supplier=CN-SZ,item=BAT-PH]   op "delete"
                                                {"table": "supply", "op": "insert", "rows": [{...}]}

For sweeps, the value of ``set``, ``scale`` and ``add`` may be a
distribution, drawn once per sample: ``uniform(a,b)``, ``normal(mean,sd)``,
``triangular(low,mode,high)`` or ``choice(v1,v2,...)`` (JSON: ``{"dist":
"uniform", "args": [a, b]}``; add ``"per_row": true`` to draw one value per
row instead). ``demand.qty~forecast`` (JSON: op ``set``, value ``{"dist":
"forecast"}``) draws each demand row's quantity from the distribution of its
forecast in table ``demand_forecast`` (see :func:`draw_forecast`).

:func:`check` reports every bad override at once (unknown table or column,
a filter matching no row, a value of the wrong type, an operation a column
does not allow) as an :class:`OverrideError`; :func:`apply` checks, applies
the overrides in order and returns a new network, which the usual
validation then checks (a price made negative is reported like one typed in
the workbook).
"""

from __future__ import annotations

import json
import math
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd
import yaml

from emsplan.data import schema
from emsplan.data.network import Network

OPS = {"set": "=", "scale": "*=", "add": "+="}
DISTRIBUTIONS = {"uniform": 2, "normal": 2, "triangular": 3, "choice": None, "forecast": 0}
#: The distribution drawn per demand row from its forecast (``demand.qty~forecast``).
FORECAST = "forecast"


class OverrideError(ValueError):
    """One or more overrides are wrong; :attr:`messages` says what and what is allowed."""

    def __init__(self, messages: Sequence[str]) -> None:
        self.messages = list(messages)
        super().__init__(" ".join(self.messages))


@dataclass(frozen=True)
class Distribution:
    """A random value of a sweep: ``name(args...)``."""

    name: str
    args: tuple[Any, ...]
    per_row: bool = False

    def __post_init__(self) -> None:
        if self.name == FORECAST:  # one draw per row, always: each row has its own forecast
            object.__setattr__(self, "per_row", True)

    def draw(self, rng: np.random.Generator, size: int | None = None) -> Any:
        a = self.args
        if self.name == FORECAST:
            raise ValueError("a forecast is drawn per demand row, by draw_forecast")
        if self.name == "uniform":
            return rng.uniform(a[0], a[1], size)
        if self.name == "normal":
            return rng.normal(a[0], a[1], size)
        if self.name == "triangular":
            return rng.triangular(a[0], a[1], a[2], size)
        picks = rng.integers(0, len(a), size)
        return [a[int(i)] for i in np.atleast_1d(picks)] if size is not None else a[int(picks)]

    def __str__(self) -> str:
        if self.name == FORECAST and not self.args:
            return FORECAST
        return f"{self.name}({','.join(_text(v) for v in self.args)})"

    def problem(self) -> str | None:
        """What is wrong with the arguments, or None."""
        want = DISTRIBUTIONS.get(self.name, -1)
        if want == -1:
            return f"unknown distribution {self.name!r}; use one of {', '.join(DISTRIBUTIONS)}"
        if self.name == FORECAST and self.args:
            return "forecast takes no arguments: it draws from table demand_forecast"
        if want is not None and len(self.args) != want:
            return f"{self.name} takes {want} numbers, not {len(self.args)}"
        if self.name == FORECAST:
            return None
        if self.name == "choice":
            return None if self.args else "choice needs at least one value"
        if not all(_is_number(v) for v in self.args):
            return f"{self.name} takes numbers only"
        a = [float(v) for v in self.args]
        if self.name == "uniform" and a[0] > a[1]:
            return "uniform(a,b) needs a <= b"
        if self.name == "normal" and a[1] < 0:
            return "normal(mean,sd) needs sd >= 0"
        if self.name == "triangular" and not a[0] <= a[1] <= a[2]:
            return "triangular(low,mode,high) needs low <= mode <= high"
        return None


@dataclass(frozen=True)
class Override:
    """One change to a table: ``op`` (set, scale, add, delete, insert) on the rows
    of ``table`` matching ``where`` (column -> accepted values)."""

    table: str
    op: str
    where: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    column: str | None = None
    value: Any = None
    rows: tuple[Mapping[str, Any], ...] = ()

    # -- text and JSON forms ------------------------------------------------------------
    def __str__(self) -> str:
        if self.op == "insert":
            return f"insert {len(self.rows)} row(s) into {self.table}"
        where = ""
        if self.where:
            where = (
                "["
                + ",".join(f"{k}={'|'.join(_text(v) for v in vs)}" for k, vs in self.where.items())
                + "]"
            )
        if self.op == "delete":
            return f"delete {self.table}{where}"
        if self.op == "set" and _is_forecast(self.value):
            return f"{self.table}{where}.{self.column}~{self.value}"
        return f"{self.table}{where}.{self.column}{OPS.get(self.op, '?')}{_text(self.value)}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"table": self.table, "op": self.op}
        if self.where:
            out["where"] = {k: list(v) if len(v) != 1 else v[0] for k, v in self.where.items()}
        if self.column is not None:
            out["column"] = self.column
        if _is_forecast(self.value) and not self.value.args:
            out["value"] = {"dist": FORECAST}
        elif isinstance(self.value, Distribution):
            out["value"] = {"dist": self.value.name, "args": list(self.value.args)}
            if self.value.per_row:
                out["value"]["per_row"] = True
        elif self.op in OPS:
            out["value"] = self.value
        if self.op == "insert":
            out["rows"] = [dict(r) for r in self.rows]
        return out

    @property
    def random(self) -> bool:
        return isinstance(self.value, Distribution)


_TEXT = re.compile(
    r"^\s*(?P<delete>delete\s+)?(?P<table>[A-Za-z_][\w]*)\s*"
    r"(?:\[(?P<where>[^\]]*)\])?\s*"
    r"(?:\.\s*(?P<column>[A-Za-z_]\w*)\s*(?P<op>\*=|\+=|=|~)\s*(?P<value>.*?))?\s*$",
    re.DOTALL,
)
_DIST = re.compile(r"^(?P<name>[a-z_]+)\s*\((?P<args>.*)\)$", re.DOTALL)


def parse(text: str) -> Override:
    """An override from its one-line form, e.g. ``supply[supplier=CN-SZ].price*=1.1``, or
    a variation drawn from the forecast, ``demand[market=MKT-NORTH].qty~forecast``."""
    m = _TEXT.match(text)
    bad = (
        f"Override {text!r} is not of the form TABLE[COLUMN=VALUE,...].COLUMN=VALUE (or *= to "
        "scale, += to add, ~forecast to draw from the demand forecast; the [filter] is "
        "optional), or delete TABLE[COLUMN=VALUE,...]; e.g. supply[supplier=CN-SZ].price*=1.1."
    )
    if m is None:
        raise OverrideError([bad])
    deleting = bool(m["delete"])
    if deleting == bool(m["column"]) or (m["column"] and m["value"] is None):
        raise OverrideError([bad])
    where: dict[str, tuple[Any, ...]] = {}
    for part in filter(None, (p.strip() for p in (m["where"] or "").split(","))):
        column, sep, values = part.partition("=")
        if not sep or not column.strip():
            raise OverrideError(
                [f"In override {text!r}, the filter {part!r} is not of the form COLUMN=VALUE."]
            )
        where[column.strip()] = tuple(v.strip() or None for v in values.split("|"))
    if deleting:
        return Override(table=m["table"], op="delete", where=where)
    if m["op"] == "~":
        if m["value"].strip() != FORECAST:
            raise OverrideError(
                [
                    f"In override {text!r}, ~ draws a value from a forecast: write ~forecast "
                    f"(e.g. demand.qty~forecast), not ~{m['value'].strip()}."
                ]
            )
        value = Distribution(FORECAST, ())
        return Override(table=m["table"], op="set", where=where, column=m["column"], value=value)
    op = {v: k for k, v in OPS.items()}[m["op"]]
    return Override(
        table=m["table"], op=op, where=where, column=m["column"], value=_value(m["value"], text)
    )


def from_dict(spec: Mapping[str, Any]) -> Override:
    """An override from its JSON form (see the module docstring)."""
    if not isinstance(spec, Mapping):
        raise OverrideError(
            [f"Override {spec!r} is not a JSON object with table, op, where, column and value."]
        )
    unknown = set(spec) - {"table", "op", "where", "column", "value", "rows"}
    if unknown:
        raise OverrideError(
            [
                f"Override {json.dumps(spec)} has unknown field(s) {', '.join(sorted(unknown))}; "
                "the fields are table, op, where, column, value and rows."
            ]
        )
    op = str(spec.get("op", "set"))
    where = {
        str(k): tuple(v) if isinstance(v, list) else (v,)
        for k, v in dict(spec.get("where") or {}).items()
    }
    value = spec.get("value")
    if isinstance(value, Mapping):
        value = Distribution(
            str(value.get("dist")), tuple(value.get("args") or ()), bool(value.get("per_row"))
        )
    rows = spec.get("rows") or ()
    if not isinstance(rows, list | tuple) or not all(isinstance(r, Mapping) for r in rows):
        raise OverrideError([f"Override {json.dumps(spec)}: rows must be a list of objects."])
    return Override(
        table=str(spec.get("table", "")),
        op=op,
        where=where,
        column=None if spec.get("column") is None else str(spec["column"]),
        value=value,
        rows=tuple(dict(r) for r in rows),
    )


def load(texts: Iterable[str] = (), files: Iterable[str | Path] = ()) -> list[Override]:
    """Overrides from one-line texts and from files: JSON or YAML (a list whose entries
    are override objects or one-line texts), or an ``.xlsx`` workbook whose sheet
    ``scenarios`` has a column ``override`` holding one one-line override per row."""
    out: list[Override] = []
    for file in files:
        for spec in _read_specs(Path(file)):
            out.append(parse(spec) if isinstance(spec, str) else from_dict(spec))
    out.extend(parse(t) for t in texts)
    return out


def _read_specs(path: Path) -> list[Any]:
    """The entries of an overrides file, by its suffix (see :func:`load`)."""
    suffix = path.suffix.lower()
    kind = {".yaml": "YAML", ".yml": "YAML", ".xlsx": "workbook"}.get(suffix, "JSON")
    try:
        if kind == "workbook":
            return _workbook_specs(path)
        text = path.read_text(encoding="utf-8")
        specs = yaml.safe_load(text) if kind == "YAML" else json.loads(text)
    except OSError as exc:
        raise OverrideError(
            [f"Cannot read the overrides file {str(path)!r}: {exc.strerror or exc}."]
        ) from exc
    except json.JSONDecodeError as exc:
        raise OverrideError(
            [
                f"The overrides file {str(path)!r} is not valid JSON ({exc.msg} at line "
                f"{exc.lineno}); it must hold a list of override objects."
            ]
        ) from exc
    except yaml.YAMLError as exc:
        raise OverrideError(
            [f"The overrides file {str(path)!r} is not valid YAML: {exc}."]
        ) from exc
    except (ValueError, zipfile.BadZipFile, KeyError) as exc:  # a workbook it cannot read
        raise OverrideError([f"The overrides file {str(path)!r} cannot be read: {exc}."]) from exc
    if not isinstance(specs, list) or not all(isinstance(s, str | dict) for s in specs):
        raise OverrideError(
            [
                f"The overrides file {str(path)!r} must hold a {kind} list whose entries are "
                "override objects or one-line overrides."
            ]
        )
    return specs


def _workbook_specs(path: Path) -> list[Any]:
    """One-line overrides from the column ``override`` of the sheet ``scenarios``."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        if "scenarios" not in book.sheetnames:
            raise ValueError("it has no sheet named 'scenarios'")
        rows = [list(r) for r in book["scenarios"].iter_rows(values_only=True)]
    finally:
        book.close()
    header = [str(c).strip().lower() if c is not None else "" for c in (rows[0] if rows else [])]
    if "override" not in header:
        raise ValueError("its sheet 'scenarios' has no column 'override'")
    col = header.index("override")
    return [str(r[col]).strip() for r in rows[1:] if col < len(r) and r[col] not in (None, "")]


# -- checking ---------------------------------------------------------------------------
class _Bad(Exception):
    """A value that a column does not take (the message says why)."""


def check(network: Network, overrides: Sequence[Override], random: bool = False) -> list[str]:
    """Every problem of ``overrides`` against ``network``, as messages (empty: all fine).

    Filters are matched against the network as the overrides before them
    leave it (a row inserted by one override can be changed by the next).
    Distributions are allowed only when ``random`` (sweeps).
    """
    try:
        resolve(network, overrides, random)
    except OverrideError as exc:
        return exc.messages
    return []


def resolve(
    network: Network, overrides: Sequence[Override], random: bool = False
) -> list[Override]:
    """``overrides`` with their values converted to the columns' types.

    Raises :class:`OverrideError` listing every problem (see :func:`check`).
    """
    messages: list[str] = []
    resolved: list[Override] = []
    tables = dict(network.tables)
    rng = np.random.default_rng(0)
    for number, o in enumerate(overrides, 1):
        try:
            r = _resolve(o, tables, random)
        except _Bad as exc:
            messages.append(f"Override {number} ({o}): {exc}.")
            continue
        resolved.append(r)
        tables[o.table] = _apply_one(tables[o.table], r, rng, tables)
    if messages:
        raise OverrideError(messages)
    return resolved


def _resolve(o: Override, tables: Mapping[str, pd.DataFrame], random: bool) -> Override:
    if o.table not in schema.tables():
        raise _Bad(f"there is no table {o.table!r}; the tables are {', '.join(schema.tables())}")
    decl = schema.table(o.table)
    columns = ", ".join(decl.column_names)
    if o.op not in (*OPS, "delete", "insert"):
        raise _Bad(f"unknown operation {o.op!r}; use set, scale, add, delete or insert")
    if o.op == "insert":
        if not o.rows:
            raise _Bad("insert needs at least one row")
        for row in o.rows:
            extra = sorted(set(row) - set(decl.column_names))
            if extra:
                raise _Bad(
                    f"table {o.table!r} has no column {', '.join(map(repr, extra))}; its "
                    f"columns are {columns}"
                )
        return o
    where: dict[str, tuple[Any, ...]] = {}
    for column, accepted in o.where.items():
        if column not in decl.column_names:
            raise _Bad(
                f"the filter names column {column!r}, which table {o.table!r} does not have; "
                f"its columns are {columns}"
            )
        col = decl.column(column)
        where[column] = tuple(_convert(col, v, f"the filter value of {column}") for v in accepted)
    value = o.value
    if o.op in OPS:
        if o.column not in decl.column_names:
            raise _Bad(f"table {o.table!r} has no column {o.column!r}; its columns are {columns}")
        value = _resolve_value(decl.column(o.column), o, random)
    r = Override(o.table, o.op, where, o.column, value, o.rows)
    frame = tables[o.table]
    mask = _match(frame, r.where, decl)
    if not mask.any():
        raise _Bad(_no_match(frame, r, decl))
    if _is_forecast(value):
        _check_forecast(frame.loc[mask], tables.get("demand_forecast"))
    return r


def _resolve_value(col: schema.Column, o: Override, random: bool) -> Any:
    what = f"column {col.table}.{col.name}, which takes {col.allowed_text()}"
    if o.op in ("scale", "add") and col.type == "str":
        raise _Bad(f"{o.op} needs a number column, and {what}; use = to set it")
    number = o.op in ("scale", "add")
    if isinstance(o.value, Distribution):
        if not random:
            raise _Bad(
                f"a distribution ({o.value}) is for sweeps (emsplan sweep --vary); give a "
                "fixed value here"
            )
        d = o.value
        if d.name not in DISTRIBUTIONS:
            raise _Bad(f"unknown distribution {d.name!r}; use one of {', '.join(DISTRIBUTIONS)}")
        if d.name == FORECAST:
            _check_forecast_target(col, o)
        if d.name == "choice" and not number:
            args = tuple(_convert(col, a, "a choice") for a in d.args)
        else:
            args = tuple(_number(a, f"an argument of {d.name}") for a in d.args)
        d = Distribution(d.name, args, d.per_row)
        problem = d.problem()
        if problem:
            raise _Bad(problem)
        return d
    if number:
        return _number(o.value, f"the value to {o.op} by")
    value = _convert(col, o.value, "the value")
    if value is None and col.required:
        raise _Bad(f"the value may not be blank in {what}")
    if col.type == "int" and value is not None and value != int(value):
        raise _Bad(f"{_text(value)} is not a whole number, and {what}")
    if col.allowed and value is not None and value not in col.allowed:
        raise _Bad(f"{value!r} is not allowed in {what}")
    return value


def _check_forecast_target(col: schema.Column, o: Override) -> None:
    """A forecast draws demand quantities, and replaces them (op set)."""
    if (col.table, col.name) != ("demand", "qty"):
        raise _Bad(
            f"~forecast draws demand quantities from table demand_forecast, so it varies "
            f"column demand.qty only, not {col.table}.{col.name}; write demand.qty~forecast "
            "(a filter such as demand[market=...] may select the rows)"
        )
    if o.op != "set":
        raise _Bad(
            f"~forecast replaces each quantity with a draw (op set), it cannot {o.op} by one; "
            "write demand.qty~forecast, and scale or add in a later variation"
        )


def _check_forecast(rows: pd.DataFrame, forecast: pd.DataFrame | None) -> None:
    """The network has a forecast, and it covers at least one of the demand ``rows``."""
    if forecast is None or forecast.empty:
        raise _Bad(
            "the network has no demand_forecast table (or it is empty), so there is no "
            "forecast to draw from; write one into the network with `emsplan forecast "
            "HISTORY --horizon H --out OUT.csv --into NETWORK` (see docs/forecast.md)"
        )
    if not _forecast_rows(rows, forecast)["qty"].notna().any():
        periods = sorted(pd.unique(forecast["period"].dropna().astype(str)))
        raise _Bad(
            f"none of the {len(rows)} demand row(s) it selects has a row of table "
            "demand_forecast with the same market, item and period (the forecast covers "
            f"{forecast[['market', 'item']].drop_duplicates().shape[0]} market(s) and "
            f"item(s), periods {periods[0] if periods else '?'} to "
            f"{periods[-1] if periods else '?'})"
        )


def _forecast_rows(rows: pd.DataFrame, forecast: pd.DataFrame) -> pd.DataFrame:
    """Per row of ``rows`` (demand), its forecast's qty, lo, hi and level (NaN: none)."""
    key = ["market", "item", "period"]
    table = forecast.drop_duplicates(key, keep="last")
    index = pd.MultiIndex.from_frame(table[key].astype(str))
    wanted = pd.MultiIndex.from_frame(rows[key].astype(str))
    values = table[["qty", "lo", "hi", "level"]].astype("float64").set_axis(index)
    return values.reindex(wanted).set_axis(rows.index)


def draw_forecast(
    rows: pd.DataFrame, forecast: pd.DataFrame, rng: np.random.Generator
) -> pd.Series:
    """One independent draw per demand row of ``rows`` from its forecast's distribution.

    The forecast of a row is its row of ``forecast`` (table ``demand_forecast``, same
    market, item and period): the point forecast ``qty`` and the ``level``% central
    prediction interval ``[lo, hi]``. The draw comes from the two-piece normal whose
    median is ``qty`` and whose ``(1 - level/100)/2`` and ``(1 + level/100)/2``
    quantiles are ``lo`` and ``hi``: with ``z`` standard normal and
    ``k = Phi^-1((1 + level/100) / 2)`` (1.2816 for 80%),

        x = qty + z (qty - lo) / k   if z < 0,      x = qty + z (hi - qty) / k   otherwise,

    then ``max(x, 0)``: demand is never negative, and the mass below 0 sits at 0 (no
    sales) rather than being spread over the rest, so every quantile above 0 stays where
    the forecast put it. A blank level is the schema's default (80). Rows without a
    forecast (or with a blank lo or hi, or a level outside (0, 100)) are NaN; the draws
    are made in the order of ``rows``, one per row that has a forecast.
    """
    f = _forecast_rows(rows, forecast)
    default = schema.table("demand_forecast").column("level").default
    level = f["level"].fillna(float(default if default is not None else 80.0))
    usable = (f[["qty", "lo", "hi"]].notna().all(axis=1) & (level > 0) & (level < 100)).to_numpy()
    qty, lo, hi = (f[c].to_numpy(float)[usable] for c in ("qty", "lo", "hi"))
    k = np.array([NormalDist().inv_cdf(0.5 + p / 200) for p in level.to_numpy(float)[usable]])
    z = rng.standard_normal(int(usable.sum()))
    width = np.where(z < 0, np.maximum(qty - lo, 0.0), np.maximum(hi - qty, 0.0))
    out = np.full(len(rows), np.nan)
    out[usable] = np.maximum(qty + z * width / k, 0.0)
    return pd.Series(out, index=rows.index, name="qty")


def _convert(col: schema.Column, value: Any, what: str) -> Any:
    """``value`` as the column's type: text for text columns, a float for numbers."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if col.type == "str":
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise _Bad(f"{what} {value!r} is not text, which column {col.table}.{col.name} takes")
        return _text(value) if not isinstance(value, str) else value.strip()
    return _number(
        value, f"{what} for column {col.table}.{col.name}, which takes {col.allowed_text()}"
    )


def _number(value: Any, what: str) -> float:
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise _Bad(f"{value!r} is not a number ({what})") from None
        if math.isfinite(number):
            return number
    elif _is_number(value):
        return float(value)
    raise _Bad(f"{_text(value)!r} is not a number ({what})")


def _match(frame: pd.DataFrame, where: Mapping[str, tuple[Any, ...]], decl: Any) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, accepted in where.items():
        col = decl.column(column)
        values = frame[column]
        hit = pd.Series(False, index=frame.index)
        for v in accepted:
            if v is None:
                hit |= values.isna()
            elif col.type == "str":
                hit |= (values.astype("string") == str(v)).fillna(False).astype(bool)
            else:
                hit |= (values.astype("float64") == float(v)).fillna(False).astype(bool)
        mask &= hit
    return mask


def _no_match(frame: pd.DataFrame, o: Override, decl: Any) -> str:
    if frame.empty:
        return f"table {o.table!r} has no rows"
    hints = []
    for column in o.where:
        present = pd.unique(frame[column].dropna().astype(str))
        shown = ", ".join(sorted(present)[:12]) + (", ..." if len(present) > 12 else "")
        hints.append(f"{column} has {shown or 'only blanks'}")
    return f"the filter matches no row of table {o.table!r} ({'; '.join(hints)})"


# -- applying ---------------------------------------------------------------------------
def apply(
    network: Network,
    overrides: Sequence[Override],
    rng: np.random.Generator | None = None,
    name: str | None = None,
    validate: bool = True,
) -> Network:
    """A new network: ``network`` with ``overrides`` applied in order.

    Raises :class:`OverrideError` (before changing anything) if an override
    is wrong, and :class:`emsplan.InputError` if the network they give breaks
    a rule (when ``validate``). Distributions are drawn from ``rng``.
    """
    resolved = resolve(network, overrides, random=rng is not None)
    generator = rng if rng is not None else np.random.default_rng(0)
    tables = dict(network.tables)
    for o in resolved:
        tables[o.table] = _apply_one(tables[o.table], o, generator, tables)
    result = Network(tables, name=network.name if name is None else name)
    if validate:
        result.problems = result.validate()
    return result


def _apply_one(
    frame: pd.DataFrame,
    o: Override,
    rng: np.random.Generator,
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    decl = schema.table(o.table)
    if o.op == "insert":
        new = pd.DataFrame([dict(r) for r in o.rows], columns=list(decl.column_names))
        typed = Network({o.table: new}, strict=False).tables[o.table]
        return pd.concat([frame, typed], ignore_index=True)
    mask = _match(frame, o.where, decl)
    if o.op == "delete":
        return frame.loc[~mask].reset_index(drop=True)
    assert o.column is not None
    value = o.value
    if _is_forecast(value):  # the rows without a forecast keep their quantity
        forecast = (tables or {}).get("demand_forecast")
        if forecast is None or forecast.empty:
            return frame
        drawn = draw_forecast(frame.loc[mask], forecast, rng)
        drawn = drawn[drawn.notna()]
        frame = frame.copy()
        numbers = frame[o.column].astype("float64")
        numbers.loc[drawn.index] = drawn.to_numpy()
        frame[o.column] = _typed(numbers, decl.column(o.column))
        return frame
    n = int(mask.sum())
    if isinstance(value, Distribution):
        value = value.draw(rng, n if value.per_row else None)
    frame = frame.copy()
    col = decl.column(o.column)
    if o.op == "set":
        if col.type == "str":
            frame.loc[mask, o.column] = value
        else:
            numbers = frame[o.column].astype("float64")
            numbers.loc[mask] = np.nan if value is None else np.asarray(value, dtype=float)
            frame[o.column] = _typed(numbers, col)
        return frame
    numbers = frame[o.column].astype("float64")
    if o.op == "scale":
        numbers.loc[mask] = numbers.loc[mask] * np.asarray(value, dtype=float)
    else:
        numbers.loc[mask] = numbers.loc[mask] + np.asarray(value, dtype=float)
    frame[o.column] = _typed(numbers, col)
    return frame


def _typed(numbers: pd.Series, col: schema.Column) -> pd.Series:
    """Numbers back in the column's dtype; a whole-number column keeps fractions as
    floats so that the network's conversion reports them."""
    if col.type == "int":
        whole = numbers.dropna()
        if (whole == np.round(whole)).all():
            return numbers.round().astype("Int64")
        return numbers.astype("object")
    return numbers


def sample(overrides: Sequence[Override], rng: np.random.Generator) -> list[Override]:
    """The overrides with every distribution replaced by a value drawn from ``rng``.

    Draws are made in order, one per distribution (``per_row`` ones are kept:
    :func:`apply` draws them per row from the same generator).
    """
    out = []
    for o in overrides:
        if isinstance(o.value, Distribution) and not o.value.per_row:
            drawn = o.value.draw(rng)
            value = drawn.item() if isinstance(drawn, np.generic) else drawn
            out.append(Override(o.table, o.op, o.where, o.column, value, o.rows))
        else:
            out.append(o)
    return out


# -- small helpers ----------------------------------------------------------------------
def _value(text: str, whole: str) -> Any:
    m = _DIST.match(text.strip())
    if m and m["name"] in DISTRIBUTIONS:
        args = tuple(a.strip() for a in m["args"].split(",")) if m["args"].strip() else ()
        return Distribution(m["name"], args)
    if m:
        raise OverrideError(
            [
                f"In override {whole!r}, {m['name']!r} is not a distribution; use one of "
                f"{', '.join(DISTRIBUTIONS)}."
            ]
        )
    return text.strip() or None


def _is_forecast(value: Any) -> bool:
    return isinstance(value, Distribution) and value.name == FORECAST


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, int | float | np.integer | np.floating)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def _text(value: Any) -> str:
    if isinstance(value, Distribution):
        return str(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
