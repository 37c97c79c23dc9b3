"""The :class:`Network`: a brand's planning network held as typed tables."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from emsplan.core.problems import InputError, Problem, Severity, has_errors
from emsplan.data import schema
from emsplan.data.cells import coerce_table
from emsplan.data.writers import write_tables


class Network:
    """A planning network: one typed :class:`pandas.DataFrame` per input table.

    Tables are reached as attributes (``network.supply``) or by name
    (``network["supply"]``); every declared table is present, empty if the
    input had none. Build one from files with :func:`emsplan.read`, from a
    bundled example with :func:`emsplan.examples.load`, or from DataFrames::

        net = Network({"periods": periods_df, "items": items_df, ...})

    Construction converts every column to its declared type and fills
    defaults; cells that cannot be converted raise :class:`InputError` listing
    all of them (pass ``strict=False`` to keep them as problems instead, see
    :attr:`problems`). Call :meth:`validate` for the full set of rules.

    Parameters
    ----------
    tables : mapping of table name to DataFrame (or anything DataFrame() takes).
    name : a label for reports.
    strict : raise on conversion errors (default) or record them.
    source_rows : spreadsheet row number of each row, per table, for messages.
    """

    def __init__(
        self,
        tables: Mapping[str, Any] | None = None,
        *,
        name: str = "",
        strict: bool = True,
        source_rows: Mapping[str, np.ndarray] | None = None,
    ) -> None:
        tables = dict(tables or {})
        self.name = name
        self.problems: list[Problem] = []
        self.tables: dict[str, pd.DataFrame] = {}
        self.source_rows: dict[str, np.ndarray] = {}
        for unknown in sorted(set(tables) - set(schema.tables())):
            self.problems.append(
                Problem(
                    check="check_tables",
                    table=str(unknown),
                    message=(
                        f"unknown table {unknown!r} is ignored; the tables are "
                        f"{', '.join(schema.tables())}."
                    ),
                    severity=Severity.WARNING,
                )
            )
        for decl in schema.tables().values():
            raw = tables.get(decl.name)
            if raw is None:
                if decl.required:
                    self.problems.append(
                        Problem(
                            check="check_tables",
                            table=decl.name,
                            message=(
                                f"required table '{decl.name}' is missing "
                                f"({decl.description.rstrip('.')}); the input must have a "
                                f"sheet or CSV file named '{decl.name}' with the columns "
                                f"{', '.join(decl.column_names)}."
                            ),
                        )
                    )
                self.tables[decl.name] = decl.empty()
                self.source_rows[decl.name] = np.zeros(0, dtype=int)
                continue
            frame = raw if isinstance(raw, pd.DataFrame) else pd.DataFrame(raw)
            rows = None if source_rows is None else source_rows.get(decl.name)
            typed, rows_out = coerce_table(decl, frame, self.problems, rows)
            self.tables[decl.name] = typed
            self.source_rows[decl.name] = rows_out
        self._fill_derived_defaults()
        if strict and has_errors(self.problems):
            raise InputError(self.problems)

    # -- access ---------------------------------------------------------------
    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables")
        if tables is not None and name in tables:
            return tables[name]
        raise AttributeError(f"Network has no table or attribute {name!r}")

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={len(v)}" for k, v in self.tables.items() if len(v))
        return f"Network({self.name!r}: {counts})"

    def setting(self, name: str) -> str:
        """Value of a setting, or its declared default."""
        decl = schema.settings()[name]
        rows = self.tables["settings"]
        match = rows.loc[rows["setting"] == name, "value"]
        return str(match.iloc[0]) if len(match) and pd.notna(match.iloc[0]) else decl.default

    @property
    def currency(self) -> str:
        return self.setting("currency")

    @property
    def domestic_country(self) -> str:
        return self.setting("domestic_country")

    @property
    def period_labels(self) -> list[str]:
        """Period labels in time order."""
        return [str(p) for p in self.tables["periods"]["period"].dropna()]

    def row_number(self, table: str, position: int) -> int:
        """Spreadsheet row number (header = 1) of the row at ``position``."""
        rows = self.source_rows.get(table)
        if rows is not None and position < len(rows):
            return int(rows[position])
        return position + 2

    # -- derived defaults -----------------------------------------------------
    def _fill_derived_defaults(self) -> None:
        """Defaults that depend on other tables (documented in the schema)."""
        supply = self.tables["supply"]
        if supply["local_content"].isna().any():
            country = self.tables["sites"].drop_duplicates("site").set_index("site")["country"]
            domestic = supply["supplier"].map(country) == self.domestic_country
            derived = domestic.astype("float64").where(supply["supplier"].isin(country.index))
            supply["local_content"] = supply["local_content"].fillna(derived)

    # -- checks, copies, comparison ---------------------------------------------
    def check(self) -> list[Problem]:
        """Every problem found by the validation rules (errors and warnings)."""
        # The one upward import of the package (data -> validation), allowed by the layer
        # contract (tests/test_architecture.py): the rules read a Network, and a Network
        # offers them as a method for convenience. Made here, on call, never at import.
        from emsplan.validation.registry import check_all

        return [*self.problems, *check_all(self)]

    def validate(self) -> list[Problem]:
        """Raise :class:`InputError` if the network has errors; return the warnings."""
        problems = self.check()
        if has_errors(problems):
            raise InputError(problems)
        return problems

    def copy(self) -> Network:
        """A deep copy."""
        new = object.__new__(Network)
        new.name = self.name
        new.problems = list(self.problems)
        new.tables = {k: v.copy() for k, v in self.tables.items()}
        new.source_rows = {k: v.copy() for k, v in self.source_rows.items()}
        return new

    def equals(self, other: Network) -> bool:
        """True if every table has the same rows, values and dtypes."""
        return all(self.tables[k].equals(other.tables[k]) for k in self.tables) and all(
            (self.tables[k].dtypes == other.tables[k].dtypes).all() for k in self.tables
        )

    def write(self, path: str | Path) -> Path:
        """Write to an ``.xlsx`` workbook or a folder of CSV files (any other path)."""
        return write_tables(self.tables, path)

    def summary(self) -> dict[str, Any]:
        """Counts per table, the periods and the products."""
        items = self.tables["items"]
        return {
            "name": self.name,
            "tables": {k: len(v) for k, v in self.tables.items()},
            "periods": self.period_labels,
            "products": items.loc[items["kind"] == "product", "item"].tolist(),
            "currency": self.currency,
            "domestic_country": self.domestic_country,
        }
