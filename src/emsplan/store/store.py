"""The :class:`Store`: networks, scenarios, sweeps and plans in SQLite or PostgreSQL.

Every write is one transaction: a plan appears with all its tables and KPIs,
or not at all (a process killed in the middle of a write leaves the store as
it was). SQLite runs in WAL mode, takes its write lock when a transaction
begins (``BEGIN IMMEDIATE``) and waits up to :data:`BUSY_TIMEOUT` seconds for
another writer, so that two processes writing at once both succeed.
"""

from __future__ import annotations

import getpass
import io
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, create_engine, delete, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from emsplan.data.network import Network
from emsplan.store.canonical import canonical_tables, hash_tables, network_from_tables
from emsplan.store.migrations import HEAD
from emsplan.store.models import (
    NetworkRow,
    NetworkTableRow,
    PlanKpiRow,
    PlanRow,
    PlanTableRow,
    ScenarioRow,
    SweepRow,
)
from emsplan.store.records import PlanRecord

#: Seconds a SQLite writer waits for another one before giving up.
BUSY_TIMEOUT = 60.0

#: The environment variable naming the store: a file path or a SQLAlchemy URL.
ENV = "EMSPLAN_DB"


class StoreError(RuntimeError):
    """The store cannot be opened or does not hold what was asked for."""


def default_url() -> str:
    """``$EMSPLAN_DB`` (a path or a SQLAlchemy URL), else ``~/.emsplan/emsplan.db``."""
    given = os.environ.get(ENV, "").strip()
    return given or str(Path.home() / ".emsplan" / "emsplan.db")


def to_url(location: str) -> str:
    """A SQLAlchemy URL for a path or URL (a path means a SQLite file)."""
    if "://" in location:
        return location
    return f"sqlite:///{Path(location).expanduser().resolve()}"


def now() -> datetime:
    return datetime.now(UTC)


def user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (containers)
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


@dataclass(frozen=True)
class ScenarioInfo:
    """A stored scenario."""

    name: str
    description: str
    base_hash: str
    network_hash: str
    overrides: list[dict[str, Any]]
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class PlanInfo:
    """A stored plan's facts (its tables come from :meth:`Store.plan_tables`)."""

    id: int
    network_hash: str
    scenario: str | None
    sweep_id: str | None
    seed: int | None
    sample_index: int | None
    variant: str
    status: str
    termination: str
    objective: float | None
    solver: str
    settings: dict[str, Any]
    summary: dict[str, Any]
    timings: dict[str, Any]
    decisions: dict[str, Any]
    overrides: list[Any]
    message: str
    created_at: datetime
    created_by: str


@dataclass(frozen=True)
class SweepInfo:
    """A stored sweep or stress test."""

    id: str
    kind: str
    network_hash: str
    scenario: str | None
    plan_id: int | None
    seed: int
    samples: int
    spec: list[Any]
    settings: dict[str, Any]
    created_at: datetime
    created_by: str


class Store:
    """A planning store at ``location`` (a SQLite path or a SQLAlchemy URL).

    ``Store()`` opens the default store (see :func:`default_url`). Opening
    creates the database if needed and brings its schema up to date with the
    Alembic migrations; it fails with :class:`StoreError` naming the store
    and the reason if the database cannot be reached.
    """

    def __init__(self, location: str | None = None) -> None:
        self.url = to_url(location or default_url())
        self.engine = _engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        try:
            migrate(self.engine)
        except OperationalError as exc:
            self.engine.dispose()
            raise StoreError(
                f"Cannot open the store {self.display_url}: {_reason(exc)}. Set {ENV} to a "
                "writable file path or to the URL of a running database, e.g. "
                "postgresql+psycopg://user:password@host:5432/emsplan."
            ) from exc

    @property
    def display_url(self) -> str:
        """The URL with any password hidden."""
        return make_url(self.url).render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    # -- networks -----------------------------------------------------------------------
    def add_network(self, network: Network, session: Session | None = None) -> str:
        """Store ``network`` (once: networks are immutable) and return its hash."""
        tables = canonical_tables(network)
        digest = hash_tables(tables)
        if session is None:
            with self.transaction() as s:
                self._add_network(s, network, tables, digest)
        else:
            self._add_network(session, network, tables, digest)
        return digest

    def _add_network(
        self, session: Session, network: Network, tables: dict[str, str], digest: str
    ) -> None:
        if session.get(NetworkRow, digest) is not None:
            return
        session.add(
            NetworkRow(
                hash=digest,
                name=network.name,
                rows=sum(len(f) for f in network.tables.values()),
                created_at=now(),
                created_by=user(),
            )
        )
        session.add_all(
            NetworkTableRow(network_hash=digest, name=name, csv=body)
            for name, body in tables.items()
        )
        session.flush()

    def network(self, digest: str) -> Network:
        """The stored network with hash ``digest`` (a unique prefix of 6+ characters works)."""
        with self.transaction() as s:
            full = self._resolve_hash(s, digest)
            row = s.get(NetworkRow, full)
            assert row is not None
            parts = s.scalars(
                select(NetworkTableRow).where(NetworkTableRow.network_hash == full)
            ).all()
            tables = {p.name: p.csv for p in parts}
            name = row.name
        from emsplan.data import schema

        ordered = {k: tables[k] for k in schema.tables() if k in tables}
        return network_from_tables(ordered, name=name)

    def _resolve_hash(self, session: Session, digest: str) -> str:
        if len(digest) < 6:
            raise StoreError(f"Give at least 6 characters of a network hash, not {digest!r}.")
        hits = session.scalars(
            select(NetworkRow.hash).where(NetworkRow.hash.startswith(digest, autoescape=True))
        ).all()
        if len(hits) != 1:
            what = "no network" if not hits else f"{len(hits)} networks"
            raise StoreError(f"The store has {what} whose hash starts with {digest!r}.")
        return hits[0]

    # -- scenarios ----------------------------------------------------------------------
    def add_scenario(
        self,
        name: str,
        base: Network,
        resolved: Network,
        overrides: list[dict[str, Any]],
        description: str = "",
        replace: bool = False,
    ) -> ScenarioInfo:
        """Store scenario ``name``: ``base`` with ``overrides``, giving ``resolved``.

        The overrides must have been checked and applied already (see
        :func:`emsplan.scenarios.overrides.apply`). Fails if the name is taken, unless
        ``replace``.
        """
        if not name.strip():
            raise StoreError("A scenario needs a name that is not blank.")
        with self.transaction() as s:
            base_hash = self.add_network(base, s)
            net_hash = self.add_network(resolved, s)
            row = s.scalars(select(ScenarioRow).where(ScenarioRow.name == name)).first()
            if row is not None and not replace:
                raise StoreError(
                    f"A scenario named {name!r} already exists (made by {row.created_by} on "
                    f"{row.created_at:%Y-%m-%d %H:%M}); choose another name, delete it first "
                    "(emsplan scenario delete), or pass --replace."
                )
            if row is None:
                row = ScenarioRow(name=name)
                s.add(row)
            row.description = description
            row.base_hash = base_hash
            row.network_hash = net_hash
            row.overrides = list(overrides)
            row.created_at = now()
            row.created_by = user()
            s.flush()
            return _scenario_info(row)

    def scenario(self, name: str) -> ScenarioInfo:
        """The stored scenario ``name``; :class:`StoreError` if there is none."""
        with self.transaction() as s:
            return _scenario_info(self._scenario_row(s, name))

    def _scenario_row(self, session: Session, name: str) -> ScenarioRow:
        row = session.scalars(select(ScenarioRow).where(ScenarioRow.name == name)).first()
        if row is None:
            names = session.scalars(select(ScenarioRow.name).order_by(ScenarioRow.name)).all()
            known = f"the scenarios are: {', '.join(names)}" if names else "there are none yet"
            raise StoreError(f"No scenario named {name!r} in the store; {known}.")
        return row

    def scenarios(self) -> list[ScenarioInfo]:
        """Every stored scenario, by name."""
        with self.transaction() as s:
            rows = s.scalars(select(ScenarioRow).order_by(ScenarioRow.name)).all()
            return [_scenario_info(r) for r in rows]

    def delete_scenario(self, name: str) -> int:
        """Delete scenario ``name``; its plans stay in the history. Returns their count."""
        with self.transaction() as s:
            row = self._scenario_row(s, name)
            kept = s.scalar(select(func.count()).where(PlanRow.scenario_id == row.id)) or 0
            s.execute(
                PlanRow.__table__.update()  # type: ignore[attr-defined]
                .where(PlanRow.scenario_id == row.id)
                .values(scenario_id=None)
            )
            s.delete(row)
            return int(kept)

    # -- plans --------------------------------------------------------------------------
    def record_plan(
        self,
        record: PlanRecord,
        network: Network | str,
        *,
        scenario: str | None = None,
        sweep_id: str | None = None,
        seed: int | None = None,
        sample_index: int | None = None,
        variant: str = "",
        progress: Callable[[str], None] | None = None,
    ) -> int:
        """Store a plan (one transaction) and return its id.

        ``network`` is the network planned, or the hash of a stored one.
        ``progress`` is called after each part is written (for status lines).
        """
        where = {
            "scenario": scenario,
            "sweep_id": sweep_id,
            "seed": seed,
            "sample_index": sample_index,
            "variant": variant,
        }
        return self.record_plans([(record, where)], network, progress)[0]

    def record_plans(
        self,
        records: list[tuple[PlanRecord, dict[str, Any]]],
        network: Network | str,
        progress: Callable[[str], None] | None = None,
    ) -> list[int]:
        """Store several plans of one network in one transaction (all or none).

        Each item is a record and the keywords of :meth:`record_plan` for it
        (scenario, sweep_id, seed, sample_index, variant).
        """
        say = progress or (lambda message: None)
        ids = []
        with self.transaction() as s:
            digest = network if isinstance(network, str) else self.add_network(network, s)
            for record, where in records:
                ids.append(self._insert_plan(s, record, digest, say, **where))
        return ids

    def _insert_plan(
        self,
        s: Session,
        record: PlanRecord,
        digest: str,
        say: Callable[[str], None],
        scenario: str | None = None,
        sweep_id: str | None = None,
        seed: int | None = None,
        sample_index: int | None = None,
        variant: str = "",
    ) -> int:
        scenario_id = None
        if scenario is not None and sweep_id is None:
            scenario_id = self._scenario_row(s, scenario).id
        row = PlanRow(
            network_hash=digest,
            scenario_id=scenario_id,
            scenario_name=scenario,
            sweep_id=sweep_id,
            seed=seed,
            sample_index=sample_index,
            variant=variant,
            status=record.status,
            termination=record.termination,
            objective=record.objective,
            solver=record.solver,
            settings=record.settings,
            summary=record.summary,
            timings=record.timings,
            decisions=record.decisions,
            overrides=record.overrides,
            message=record.message,
            created_at=now(),
            created_by=user(),
        )
        s.add(row)
        try:
            s.flush()
        except IntegrityError as exc:
            raise StoreError(
                f"Sample {sample_index} (seed {seed}, {variant or 'plan'}) of sweep "
                f"{sweep_id!r} is already in the store."
            ) from exc
        say("plan")
        for name, frame in record.tables.items():
            s.add(PlanTableRow(plan_id=row.id, name=name, rows=len(frame), data=_parquet(frame)))
            s.flush()
            say(f"table {name}")
        kpis = record.tables.get("kpis")
        if kpis is not None and len(kpis):
            unique = kpis.drop_duplicates(["kpi", "scope", "period"])
            s.add_all(
                PlanKpiRow(
                    plan_id=row.id,
                    kpi=str(k),
                    scope=str(sc),
                    period=str(p),
                    value=None if pd.isna(v) else float(v),
                )
                for k, sc, p, v in zip(
                    unique["kpi"], unique["scope"], unique["period"], unique["value"], strict=True
                )
            )
            s.flush()
            say("kpis")
        return int(row.id)

    def plan(self, plan_id: int) -> PlanInfo:
        """The stored plan ``plan_id``."""
        with self.transaction() as s:
            row = s.get(PlanRow, plan_id)
            if row is None:
                raise StoreError(f"No plan with id {plan_id} in the store.")
            return _plan_info(row)

    def plan_tables(self, plan_id: int) -> dict[str, pd.DataFrame]:
        """Every output table of plan ``plan_id``."""
        with self.transaction() as s:
            rows = s.scalars(select(PlanTableRow).where(PlanTableRow.plan_id == plan_id)).all()
            return {r.name: pd.read_parquet(io.BytesIO(r.data)) for r in rows}

    def plan_table(self, plan_id: int, name: str) -> pd.DataFrame | None:
        """One output table of plan ``plan_id``, or None if the plan has no such table."""
        with self.transaction() as s:
            row = s.get(PlanTableRow, (plan_id, name))
            return None if row is None else pd.read_parquet(io.BytesIO(row.data))

    def latest_plan(self, scenario: str) -> PlanInfo | None:
        """The newest plan of ``scenario`` (outside sweeps), or None."""
        with self.transaction() as s:
            self._scenario_row(s, scenario)
            row = s.scalars(
                select(PlanRow)
                .where(PlanRow.scenario_name == scenario, PlanRow.sweep_id.is_(None))
                .order_by(PlanRow.id.desc())
                .limit(1)
            ).first()
            return None if row is None else _plan_info(row)

    def history(
        self, scenario: str | None = None, limit: int = 50, sweeps: bool = False
    ) -> list[PlanInfo]:
        """The newest plans first: of one scenario, or all; sweep samples only if ``sweeps``."""
        with self.transaction() as s:
            query = select(PlanRow).order_by(PlanRow.id.desc()).limit(limit)
            if scenario is not None:
                query = query.where(PlanRow.scenario_name == scenario)
            if not sweeps:
                query = query.where(PlanRow.sweep_id.is_(None))
            return [_plan_info(r) for r in s.scalars(query).all()]

    def kpis(self, plan_ids: list[int]) -> pd.DataFrame:
        """KPI rows (plan_id, kpi, scope, period, value) of the given plans."""
        with self.transaction() as s:
            rows = s.execute(
                select(
                    PlanKpiRow.plan_id,
                    PlanKpiRow.kpi,
                    PlanKpiRow.scope,
                    PlanKpiRow.period,
                    PlanKpiRow.value,
                ).where(PlanKpiRow.plan_id.in_(plan_ids))
            ).all()
        return pd.DataFrame(rows, columns=["plan_id", "kpi", "scope", "period", "value"])

    def counts(self) -> dict[str, int]:
        """Rows per table of the store (for tests and `emsplan history --stats`)."""
        with self.transaction() as s:
            return {
                model.__tablename__: int(s.scalar(select(func.count()).select_from(model)) or 0)
                for model in (
                    NetworkRow,
                    NetworkTableRow,
                    ScenarioRow,
                    SweepRow,
                    PlanRow,
                    PlanTableRow,
                    PlanKpiRow,
                )
            }

    # -- sweeps -------------------------------------------------------------------------
    def open_sweep(self, info: SweepInfo, network: Network) -> tuple[SweepInfo, bool]:
        """Create sweep ``info.id``, or return the stored one to resume it.

        Returns the stored sweep and whether it existed. A stored sweep of
        the same id must have been made from the same network, spec and
        settings; otherwise :class:`StoreError`.
        """
        with self.transaction() as s:
            digest = self.add_network(network, s)
            row = s.get(SweepRow, info.id)
            if row is not None:
                same = (
                    row.kind == info.kind
                    and row.network_hash == digest
                    and row.spec == info.spec
                    and row.plan_id == info.plan_id
                    and row.seed == info.seed
                )
                if not same:
                    raise StoreError(
                        f"A {row.kind} with id {info.id!r} is already in the store, made from "
                        "another network, plan, seed or list of variations; give another --id "
                        "to start a new one."
                    )
                if info.samples > row.samples:
                    row.samples = info.samples
                return _sweep_info(row), True
            row = SweepRow(
                id=info.id,
                kind=info.kind,
                network_hash=digest,
                scenario_name=info.scenario,
                plan_id=info.plan_id,
                seed=info.seed,
                samples=info.samples,
                spec=info.spec,
                settings=info.settings,
                created_at=now(),
                created_by=user(),
            )
            s.add(row)
            s.flush()
            return _sweep_info(row), False

    def sweep(self, sweep_id: str) -> SweepInfo:
        with self.transaction() as s:
            row = s.get(SweepRow, sweep_id)
            if row is None:
                raise StoreError(f"No sweep or stress test with id {sweep_id!r} in the store.")
            return _sweep_info(row)

    def done_samples(self, sweep_id: str, seed: int, variant: str = "") -> set[int]:
        """Indexes of the samples of sweep ``sweep_id`` and ``seed`` already stored."""
        with self.transaction() as s:
            rows = s.scalars(
                select(PlanRow.sample_index).where(
                    PlanRow.sweep_id == sweep_id, PlanRow.seed == seed, PlanRow.variant == variant
                )
            ).all()
            return {int(r) for r in rows if r is not None}

    def sweep_plans(self, sweep_id: str) -> list[PlanInfo]:
        """Every stored plan of a sweep, by sample index and variant."""
        with self.transaction() as s:
            rows = s.scalars(
                select(PlanRow)
                .where(PlanRow.sweep_id == sweep_id)
                .order_by(PlanRow.sample_index, PlanRow.variant)
            ).all()
            return [_plan_info(r) for r in rows]

    def delete_sweep(self, sweep_id: str) -> None:
        with self.transaction() as s:
            s.execute(delete(PlanRow).where(PlanRow.sweep_id == sweep_id))
            s.execute(delete(SweepRow).where(SweepRow.id == sweep_id))


# -- helpers ----------------------------------------------------------------------------
def _engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(
            f"{ENV} or the store location {url!r} is neither a file path nor a database URL "
            "such as sqlite:///path/to/emsplan.db or postgresql+psycopg://user@host/emsplan."
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            try:
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"Cannot create the folder of the store {database!r}: {exc.strerror or exc}. "
                    f"Set {ENV} to a writable file path or a database URL."
                ) from exc
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT})
        _sqlite_setup(engine)
        return engine
    try:
        return create_engine(url, pool_pre_ping=True)
    except ModuleNotFoundError as exc:
        raise StoreError(
            f"The database driver for {parsed.drivername} is not installed ({exc.name}); for "
            "PostgreSQL: pip install 'psycopg[binary]' and use a postgresql+psycopg:// URL."
        ) from exc
    except (ArgumentError, SQLAlchemyError) as exc:
        raise StoreError(
            f"Cannot use the store URL {parsed!r}: {exc}. Give a file path (a SQLite store) or "
            "a database URL such as postgresql+psycopg://user:password@host:5432/emsplan."
        ) from exc


def _sqlite_setup(engine: Engine) -> None:
    """WAL mode, a busy timeout, foreign keys, and write locks taken at BEGIN."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # transactions are begun below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def migrate(engine: Engine) -> None:
    """Bring the store's schema to the newest revision (no-op when it is there)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current == HEAD:
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "emsplan.store:migrations")
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":  # one migrating process at a time
            connection.execute(text("SELECT pg_advisory_xact_lock(7253100)"))
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _reason(exc: OperationalError) -> str:
    text_ = str(exc.orig) if exc.orig is not None else str(exc)
    return " ".join(text_.split()).rstrip(".")


def _parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def _scenario_info(row: ScenarioRow) -> ScenarioInfo:
    return ScenarioInfo(
        name=row.name,
        description=row.description,
        base_hash=row.base_hash,
        network_hash=row.network_hash,
        overrides=list(row.overrides),
        created_at=row.created_at,
        created_by=row.created_by,
    )


def _plan_info(row: PlanRow) -> PlanInfo:
    return PlanInfo(
        id=row.id,
        network_hash=row.network_hash,
        scenario=row.scenario_name,
        sweep_id=row.sweep_id,
        seed=row.seed,
        sample_index=row.sample_index,
        variant=row.variant,
        status=row.status,
        termination=row.termination,
        objective=row.objective,
        solver=row.solver,
        settings=dict(row.settings),
        summary=dict(row.summary),
        timings=dict(row.timings),
        decisions=dict(row.decisions),
        overrides=list(row.overrides),
        message=row.message,
        created_at=row.created_at,
        created_by=row.created_by,
    )


def _sweep_info(row: SweepRow) -> SweepInfo:
    return SweepInfo(
        id=row.id,
        kind=row.kind,
        network_hash=row.network_hash,
        scenario=row.scenario_name,
        plan_id=row.plan_id,
        seed=row.seed,
        samples=row.samples,
        spec=list(row.spec),
        settings=dict(row.settings),
        created_at=row.created_at,
        created_by=row.created_by,
    )
