"""Networks as canonical CSV, and their content hash.

A network's identity is its content: the SHA-256 of the canonical CSV text of
each of its non-empty tables, in the schema's order, each preceded by its
name. Canonical means: every declared column in the declared order, values
written exactly (``repr`` of floats, blanks empty, see
:func:`emsplan.data.readers.csv_text`), and rows sorted by the table's key, except in
``periods``, whose row order is time order. Two networks that differ only in row order or in
name have the same hash; empty tables do not count, so that a table added to
the schema later does not change the hash of a network that does not use it.
"""

from __future__ import annotations

import csv
import hashlib
import io

import pandas as pd

from emsplan.data import schema
from emsplan.data.network import Network
from emsplan.data.writers import csv_text

#: Tables whose row order carries meaning and is kept as given.
ORDERED = frozenset({"periods"})


def canonical_frame(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its declared columns, rows in canonical order."""
    decl = schema.table(name)
    frame = frame[list(decl.column_names)]
    if name in ORDERED or frame.empty:
        return frame.reset_index(drop=True)
    return frame.sort_values(list(decl.key), kind="stable", na_position="first").reset_index(
        drop=True
    )


def canonical_tables(network: Network) -> dict[str, str]:
    """The canonical CSV text of each non-empty table, in the schema's order."""
    return {
        name: csv_text(canonical_frame(name, frame))
        for name, frame in network.tables.items()
        if len(frame)
    }


def hash_tables(tables: dict[str, str]) -> str:
    """SHA-256 (hex) of canonical tables as returned by :func:`canonical_tables`."""
    digest = hashlib.sha256()
    for name, text in tables.items():
        digest.update(f"{name}\n{len(text)}\n".encode())
        digest.update(text.encode())
    return digest.hexdigest()


def network_hash(network: Network) -> str:
    """The content hash of ``network`` (see the module docstring)."""
    return hash_tables(canonical_tables(network))


def network_from_tables(tables: dict[str, str], name: str = "") -> Network:
    """Rebuild a network from canonical CSV tables (typed as any input is)."""
    frames = {}
    for table, text in tables.items():
        rows = list(csv.reader(io.StringIO(text, newline="")))
        header, body = (rows[0], rows[1:]) if rows else ([], [])
        frames[table] = pd.DataFrame(body, columns=pd.Index(header), dtype=object)
    return Network(frames, name=name)
