"""The planning store: networks, scenarios, plans and sweeps in SQLite or PostgreSQL.

::

    from emsplan.store import Store
    store = Store()                       # $EMSPLAN_DB, else ~/.emsplan/emsplan.db
    digest = store.add_network(net)       # immutable, content-hashed
    net = store.network(digest)

The schema is kept by Alembic migrations inside the package
(``emsplan/store/migrations``), applied whenever a store is opened.
"""

from __future__ import annotations

from emsplan.store.canonical import network_hash
from emsplan.store.records import PlanRecord, decisions
from emsplan.store.store import (
    ENV,
    PlanInfo,
    ScenarioInfo,
    Store,
    StoreBusyError,
    StoreError,
    StoreFullError,
    SweepInfo,
    default_url,
)

__all__ = [
    "ENV",
    "PlanInfo",
    "PlanRecord",
    "ScenarioInfo",
    "Store",
    "StoreBusyError",
    "StoreError",
    "StoreFullError",
    "SweepInfo",
    "decisions",
    "default_url",
    "network_hash",
]
