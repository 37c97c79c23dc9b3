"""Helpers of the store tests: a temporary store in SQLite or PostgreSQL, a real plan.

PostgreSQL is used when ``EMSPLAN_TEST_POSTGRES_URL`` names a database the
tests may create schemas in (``.ci/run`` sets it); each test gets a schema
of its own, dropped afterwards. Without the variable the PostgreSQL cases
are skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest

from emsplan.store import PlanRecord

POSTGRES_ENV = "EMSPLAN_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgresql"]


def postgres_url() -> str:
    """The test database's URL, or skip the test with the reason."""
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if not url:
        pytest.skip(
            f"{POSTGRES_ENV} is not set: PostgreSQL tests run in CI (.ci/run starts a server "
            "and sets it); set it to postgresql+psycopg://user:password@host:5432/db to run them."
        )
    return url


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """A fresh schema in the test database, dropped afterwards; yields a URL using it."""
    from sqlalchemy import create_engine, text

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{name}"'))
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options={quote(f'-csearch_path={name}')}"
    finally:
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


@contextmanager
def store_location(backend: str, tmp_path: Path) -> Iterator[str]:
    """Where a test's store lives: a SQLite file in ``tmp_path`` or a PostgreSQL schema."""
    if backend == "sqlite":
        yield str(tmp_path / "store" / "emsplan.db")
    else:
        with postgres_schema(postgres_url()) as url:
            yield url


def tiny_record() -> PlanRecord:
    """The record of a real plan of the tiny network of ``test_engine`` (objective 1500)."""
    from emsplan.planning.pipeline import plan
    from test_engine import network

    return PlanRecord.from_plan(plan(network()), {"solver": "highs"})
