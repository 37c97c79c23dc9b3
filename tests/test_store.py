"""The store on real SQLite and PostgreSQL: schema, networks, plans, transactions.

Every test runs on both backends; the PostgreSQL cases skip unless
``EMSPLAN_TEST_POSTGRES_URL`` is set (``.ci/run`` sets it).
"""

from __future__ import annotations

import pickle
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

import emsplan
from conftest import subprocess_env
from emsplan.store import PlanRecord, Store, StoreError, network_hash
from emsplan.store.canonical import canonical_frame
from emsplan.store.migrations import HEAD
from store_helpers import BACKENDS, store_location, tiny_record
from test_engine import network


@pytest.fixture(params=BACKENDS)
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with store_location(request.param, tmp_path) as where:
        yield where


@pytest.fixture
def store(location: str) -> Iterator[Store]:
    with Store(location) as s:
        yield s


@pytest.fixture(scope="module")
def record() -> PlanRecord:
    return tiny_record()


def test_migrations_create_the_schema_the_models_declare(store: Store) -> None:
    """The Alembic head is HEAD and the migrated database matches the ORM models."""
    from alembic.autogenerate import compare_metadata
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from emsplan.store.models import Base

    config = Config()
    config.set_main_option("script_location", "emsplan.store:migrations")
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert context.get_current_revision() == HEAD
        assert compare_metadata(context, Base.metadata) == []


def test_network_is_stored_once_and_read_back_equal(store: Store) -> None:
    net = network()
    digest = store.add_network(net)
    assert digest == network_hash(net) and len(digest) == 64
    assert store.add_network(net) == digest
    assert store.counts()["networks"] == 1
    back = store.network(digest[:8])
    assert back.name == "tiny"
    assert network_hash(back) == digest
    for name, frame in back.tables.items():  # rows in canonical (key) order
        pd.testing.assert_frame_equal(frame, canonical_frame(name, net.tables[name]), obj=name)


def test_hash_is_the_content() -> None:
    """Row order (outside periods) and the name do not count; a value does."""
    net = network()
    shuffled = net.copy()
    shuffled.name = "other"
    shuffled.tables["supply"] = shuffled.supply.iloc[::-1].reset_index(drop=True)
    assert network_hash(shuffled) == network_hash(net)
    cheaper = net.copy()
    cheaper.supply.loc[0, "price"] = 109.0
    assert network_hash(cheaper) != network_hash(net)
    two = network(periods=[{"period": "P1", "days": 91}, {"period": "P2", "days": 91}])
    swapped = two.copy()
    swapped.tables["periods"] = swapped.periods.iloc[::-1].reset_index(drop=True)
    assert network_hash(swapped) != network_hash(two)


def test_the_example_round_trips_exactly(tmp_path: Path) -> None:
    net = emsplan.examples.load("india-2023")
    with Store(str(tmp_path / "s.db")) as store:
        back = store.network(store.add_network(net))
    assert network_hash(back) == network_hash(net)
    assert back.supply["price"].sum() == net.supply["price"].sum()


def test_plan_record_keeps_everything(store: Store, record: PlanRecord) -> None:
    net = network()
    plan_id = store.record_plan(record, net)
    info = store.plan(plan_id)
    assert info.objective == pytest.approx(1500.0)
    assert (info.status, info.termination) == ("ok", "optimal")
    assert info.network_hash == network_hash(net)
    assert info.settings == {"solver": "highs"}
    assert info.created_by and info.created_at is not None
    assert info.timings["total"] > 0
    assert info.decisions == {
        "sourcing": ["SCN/BAT"],
        "production": ["PL/PH"],
        "commitments": [],
    }
    tables = store.plan_tables(plan_id)
    assert set(tables) == set(record.tables)
    pd.testing.assert_frame_equal(tables["purchases"], record.tables["purchases"])
    kpis = store.kpis([plan_id])
    total = kpis[(kpis["kpi"] == "total_cost") & (kpis["period"] == "all")]["value"]
    assert float(total.iloc[0]) == pytest.approx(1500.0)


def test_a_failing_write_leaves_the_store_unchanged(store: Store, record: PlanRecord) -> None:
    """A table that cannot be written, after others were: nothing of the plan remains."""
    store.record_plan(record, network())
    before = store.counts()
    bad = PlanRecord(**{**record.__dict__, "tables": dict(record.tables)})
    bad.tables["zz_broken"] = pd.DataFrame({"x": [1, "text", 2.5]}, dtype=object)
    with pytest.raises(Exception, match=r"(?i)conver|arrow|type"):
        store.record_plan(bad, network())
    assert store.counts() == before
    store.record_plan(record, network())
    assert store.counts()["plans"] == before["plans"] + 1


KILLED_WRITER = """
import os, pickle, sys, time
from emsplan.store import Store

record = pickle.load(open(sys.argv[1], "rb"))
store = Store(os.environ["EMSPLAN_DB"])

def progress(message):
    if message == "table flows":
        print("WRITING", flush=True)
        time.sleep(60)

store.record_plan(record, sys.argv[2], progress=progress)
print("COMMITTED", flush=True)
"""


def test_a_writer_killed_mid_write_leaves_the_store_unchanged(
    location: str, tmp_path: Path, record: PlanRecord
) -> None:
    """SIGKILL a process after it wrote a plan's row and some of its tables."""
    with Store(location) as store:
        digest = store.add_network(network())
        before = store.counts()
    saved = tmp_path / "record.pkl"
    saved.write_bytes(pickle.dumps(record))
    env = {**subprocess_env(), "EMSPLAN_DB": location}
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(saved), digest],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "WRITING", line
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    with Store(location) as store:
        assert store.counts() == before
        plan_id = store.record_plan(record, digest)
        assert store.plan(plan_id).objective == pytest.approx(1500.0)
        assert store.counts()["plans"] == before["plans"] + 1


CONCURRENT_WRITER = """
import os, pickle, sys
from emsplan.store import Store

record = pickle.load(open(sys.argv[1], "rb"))
store = Store(os.environ["EMSPLAN_DB"])
for _ in range(int(sys.argv[3])):
    store.record_plan(record, sys.argv[2])
print("DONE", flush=True)
"""


def test_two_processes_writing_at_once_both_succeed(
    location: str, tmp_path: Path, record: PlanRecord
) -> None:
    saved = tmp_path / "record.pkl"
    saved.write_bytes(pickle.dumps(record))
    with Store(location) as store:
        digest = store.add_network(network())
    env = {**subprocess_env(), "EMSPLAN_DB": location}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT_WRITER, str(saved), digest, "8"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        assert out.strip() == "DONE"
    with Store(location) as store:
        counts = store.counts()
    assert counts["plans"] == 16
    assert counts["plan_tables"] == 16 * len(record.tables)


def test_two_processes_opening_a_new_store_migrate_it_once(location: str) -> None:
    script = "import os; from emsplan.store import Store; Store(os.environ['EMSPLAN_DB'])"
    env = {**subprocess_env(), "EMSPLAN_DB": location}
    procs = [
        subprocess.Popen([sys.executable, "-c", script], env=env, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    with Store(location) as store:
        assert store.counts()["plans"] == 0


def test_default_store_is_emsplan_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from emsplan.store import default_url

    monkeypatch.setenv("EMSPLAN_DB", str(tmp_path / "team.db"))
    assert default_url() == str(tmp_path / "team.db")
    with Store() as store:
        assert store.url == f"sqlite:///{tmp_path / 'team.db'}"
    monkeypatch.delenv("EMSPLAN_DB")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_url() == str(tmp_path / ".emsplan" / "emsplan.db")


def test_an_unreachable_store_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="Cannot create the folder of the store"):
        Store(str(blocker / "sub" / "x.db"))
    url = "postgresql+psycopg://nobody:secret@127.0.0.1:9/none"
    with pytest.raises(
        StoreError, match=r"Cannot open the store postgresql\+psycopg://nobody:\*\*\*@"
    ):
        Store(url)
    with pytest.raises(StoreError, match="Give a file path"):
        Store("nonsense://")


def test_unknown_network_and_plan(store: Store) -> None:
    with pytest.raises(StoreError, match="no network whose hash starts with 'abcdef'"):
        store.network("abcdef")
    with pytest.raises(StoreError, match="No plan with id 42"):
        store.plan(42)


def test_sqlite_is_in_wal_mode(tmp_path: Path) -> None:
    with Store(str(tmp_path / "s.db")) as store, store.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
