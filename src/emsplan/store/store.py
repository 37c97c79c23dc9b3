"""The :class:`Store`: networks, scenarios, sweeps and plans in SQLite or PostgreSQL.

Every write is one transaction: a plan appears with all its tables and KPIs,
or not at all (a process killed in the middle of a write, or a disk that fills
up, leaves the store as it was). Writes are short: what takes time (the
canonical tables of a network and its hash, a plan's tables as Parquet) is
prepared before the transaction begins.

SQLite runs in WAL mode: reading never waits for a writer (a read sees the
store as of its first statement). A write takes the write lock when its
transaction begins (``BEGIN IMMEDIATE``) and waits up to :func:`busy_timeout`
seconds (``$EMSPLAN_DB_BUSY_TIMEOUT``) for another writer to finish, so that
processes writing at once all succeed; when the lock outlasts that, the write
fails with :class:`StoreBusyError`.

Rows keyed by their content (a network by its hash) are inserted with
``INSERT ... ON CONFLICT DO NOTHING``, so that processes storing the same
network at once (on PostgreSQL, where writers do not queue) all succeed and
it is stored once.
"""

from __future__ import annotations

import contextvars
import getpass
import io
import math
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, Table, create_engine, delete, event, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    OperationalError,
    SQLAlchemyError,
)
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

#: Seconds a SQLite writer waits for another one, unless ``$EMSPLAN_DB_BUSY_TIMEOUT`` says.
#: Writes are short (well under a second), so a lock held this long is a stuck process.
BUSY_TIMEOUT = 30.0

#: The environment variable naming the store: a file path or a SQLAlchemy URL.
ENV = "EMSPLAN_DB"

#: The environment variable of the seconds a SQLite writer waits for another one.
BUSY_TIMEOUT_ENV = "EMSPLAN_DB_BUSY_TIMEOUT"

#: SQLite's primary result codes of a locked and of a full database.
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_FULL = 5, 6, 13

#: PostgreSQL's SQLSTATEs of a full disk and of a lock not granted in ``lock_timeout``.
PG_DISK_FULL, PG_LOCK_NOT_AVAILABLE = "53100", "55P03"


class StoreError(RuntimeError):
    """The store cannot be opened or does not hold what was asked for."""


class StoreBusyError(StoreError):
    """Another process held the store's write lock for longer than the busy timeout."""


class StoreFullError(StoreError):
    """The disk holding the store is full; the write was rolled back."""


def default_url() -> str:
    """``$EMSPLAN_DB`` (a path or a SQLAlchemy URL), else ``~/.emsplan/emsplan.db``."""
    given = os.environ.get(ENV, "").strip()
    return given or str(Path.home() / ".emsplan" / "emsplan.db")


def to_url(location: str) -> str:
    """A SQLAlchemy URL for a path or URL (a path means a SQLite file)."""
    if "://" in location:
        return location
    return f"sqlite:///{Path(location).expanduser().resolve()}"


def busy_timeout() -> float:
    """Seconds a SQLite writer waits for another: ``$EMSPLAN_DB_BUSY_TIMEOUT``, else
    :data:`BUSY_TIMEOUT`."""
    given = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    if not given:
        return BUSY_TIMEOUT
    try:
        seconds = float(given)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and 0 <= seconds <= 86400):
        raise StoreError(
            f"{BUSY_TIMEOUT_ENV} is {given!r}; give the seconds a write may wait for another "
            f"process writing to the store, from 0 to 86400 (the default is {BUSY_TIMEOUT:g})."
        )
    return seconds


def now() -> datetime:
    return datetime.now(UTC)


#: Who the store records as the author of what is added now (see :func:`as_author`).
_AUTHOR: contextvars.ContextVar[str | None] = contextvars.ContextVar("author", default=None)


@contextmanager
def as_author(name: str) -> Iterator[None]:
    """Record ``name`` (a server's logged-in user) as the author of what is stored within,
    instead of the operating system's user."""
    token = _AUTHOR.set(name)
    try:
        yield
    finally:
        _AUTHOR.reset(token)


def user() -> str:
    """The author of what is stored now: :func:`as_author`'s, else the OS user."""
    author = _AUTHOR.get()
    if author is not None:
        return author
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (containers)
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def check_scenario_name(name: str) -> None:
    """A scenario's name: not blank, not starting with ``#`` and not a whole number, since
    ``#12`` and ``12`` name plan 12 wherever a plan is asked for (compare, stress).
    :class:`StoreError` otherwise."""
    if not name.strip():
        raise StoreError("A scenario needs a name that is not blank.")
    rest = name.strip().lstrip("#")
    if name.strip().startswith("#") or rest.isdigit():
        hint = f", e.g. 'scenario-{rest}'" if rest.strip() else ""
        raise StoreError(
            f"A scenario cannot be named {name!r}: a scenario's name may not start with '#' "
            "or be a whole number, because '#12' and '12' name plan 12 wherever a plan is "
            f"asked for (compare, stress); choose another name{hint}."
        )


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

    :meth:`transaction` is a write, :meth:`reading` a read (on SQLite, a read
    never waits for a writer). A write that finds the store locked for longer
    than :func:`busy_timeout` raises :class:`StoreBusyError`; one that finds its
    disk full, :class:`StoreFullError`; either leaves the store as it was.
    """

    def __init__(self, location: str | None = None) -> None:
        self.url = to_url(location or default_url())
        self.busy_timeout = busy_timeout()
        self.engine = _engine(self.url, self.busy_timeout)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._readers = sessionmaker(
            self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )
        try:
            migrate(self.engine)
        except OperationalError as exc:
            self.engine.dispose()
            known = self._known_error(exc)
            if known is not None:
                raise known from exc
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
        """A write: a session in one transaction, committed on success, rolled back on any
        error. On SQLite it holds the store's write lock (other writers wait): keep it short.

        Raises :class:`StoreBusyError` if another writer held the lock for longer than
        :attr:`busy_timeout`, :class:`StoreFullError` if the disk is full.
        """
        with self._errors_said(), self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read: a session in one transaction that sees the store as of its first
        statement; on SQLite it never waits for a writer. Do not write in it."""
        with self._errors_said(), self._readers() as session, session.begin():
            yield session

    @contextmanager
    def _errors_said(self) -> Iterator[None]:
        """A locked store or a full disk as the :class:`StoreError` that says so."""
        try:
            yield
        except DBAPIError as exc:
            known = self._known_error(exc)
            if known is None:
                raise
            raise known from exc

    def _known_error(self, exc: DBAPIError) -> StoreError | None:
        """:class:`StoreBusyError` or :class:`StoreFullError` for ``exc``, else None."""
        kind = _error_kind(exc)
        if kind == "busy":
            return StoreBusyError(
                f"The store {self.display_url} is busy: another process (most likely another "
                f"emsplan command) is writing to it and held it for more than "
                f"{self.busy_timeout:g} s, so this command stopped waiting; nothing of it was "
                "stored. Try again when that process is done, or let commands wait longer: "
                f"set {BUSY_TIMEOUT_ENV} to the seconds to wait."
            )
        if kind == "full":
            where = (
                "the disk it is on"
                if make_url(self.url).get_backend_name() == "sqlite"
                else "the database server's disk"
            )
            return StoreFullError(
                f"The store {self.display_url} could not be written: {where} is full "
                f"({_reason(exc)}). Nothing of this write was stored; the store holds what it "
                f"held before. Free some space there (or set {ENV} to a store on another "
                "disk) and try again."
            )
        return None

    # -- networks -----------------------------------------------------------------------
    def add_network(self, network: Network, session: Session | None = None) -> str:
        """Store ``network`` (once: networks are immutable) and return its hash.

        Storing a network that is stored already, or that another process is
        storing at the same time, does nothing.
        """
        parts = _NetworkParts.of(network)
        if session is None:
            with self.transaction() as s:
                self._add_network(s, parts)
        else:
            self._add_network(session, parts)
        return parts.digest

    def _add_network(self, session: Session, parts: _NetworkParts) -> str:
        digest = parts.digest
        if session.get(NetworkRow, digest) is not None:
            return digest
        added = _insert_new(
            session,
            NetworkRow.__table__,  # type: ignore[arg-type]
            {
                "hash": digest,
                "name": parts.name,
                "rows": parts.rows,
                "created_at": now(),
                "created_by": user(),
            },
        )
        if added and parts.tables:  # else another process stored it meanwhile, with them
            session.execute(
                insert(NetworkTableRow),
                [
                    {"network_hash": digest, "name": name, "csv": body}
                    for name, body in parts.tables.items()
                ],
            )
        return digest

    def network(self, digest: str) -> Network:
        """The stored network with hash ``digest`` (a unique prefix of 6+ characters works)."""
        with self.reading() as s:
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

    def networks(self, limit: int = 50) -> list[dict[str, Any]]:
        """The newest stored networks first: hash, name, rows, when and by whom."""
        with self.reading() as s:
            query = select(NetworkRow).order_by(NetworkRow.created_at.desc()).limit(limit)
            return [
                {
                    "hash": r.hash,
                    "name": r.name,
                    "rows": r.rows,
                    "created_at": r.created_at,
                    "created_by": r.created_by,
                }
                for r in s.scalars(query).all()
            ]

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
        ``replace``; of processes adding the same name at once, one succeeds.
        """
        check_scenario_name(name)
        base_parts, net_parts = _NetworkParts.of(base), _NetworkParts.of(resolved)
        networks: dict[str, _NetworkParts] = {}
        for parts in (base_parts, net_parts):  # the base's name, if both are the same
            networks.setdefault(parts.digest, parts)
        values = {
            "name": name,
            "description": description,
            "base_hash": base_parts.digest,
            "network_hash": net_parts.digest,
            "overrides": list(overrides),
        }
        with self.transaction() as s:
            for digest in sorted(networks):  # one order in every process: no deadlock
                self._add_network(s, networks[digest])
            query = select(ScenarioRow).where(ScenarioRow.name == name)
            row = s.scalars(query).first()
            stamp = {"created_at": now(), "created_by": user()}
            if row is None and _insert_new(
                s,
                ScenarioRow.__table__,  # type: ignore[arg-type]
                values | stamp,
                key=["name"],
            ):
                return _scenario_info(s.scalars(query).one())
            row = row or s.scalars(query).one()  # else added meanwhile by another process
            if not replace:
                raise StoreError(
                    f"A scenario named {name!r} already exists (made by {row.created_by} on "
                    f"{row.created_at:%Y-%m-%d %H:%M}); choose another name, delete it first "
                    "(emsplan scenario delete), or pass --replace."
                )
            for key, value in (values | stamp).items():
                setattr(row, key, value)
            s.flush()
            return _scenario_info(row)

    def scenario(self, name: str) -> ScenarioInfo:
        """The stored scenario ``name``; :class:`StoreError` if there is none."""
        with self.reading() as s:
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
        with self.reading() as s:
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
        (scenario, sweep_id, seed, sample_index, variant). The tables are turned
        into Parquet before the transaction begins, so that it is short.
        """
        say = progress or (lambda message: None)
        parts = None if isinstance(network, str) else _NetworkParts.of(network)
        digest = parts.digest if parts is not None else str(network)
        plans = [(_PlanParts.of(record), where) for record, where in records]
        ids = []
        with self.transaction() as s:
            if parts is not None:
                self._add_network(s, parts)
            for plan, where in plans:
                ids.append(self._insert_plan(s, plan, digest, say, **where))
        return ids

    def _insert_plan(
        self,
        s: Session,
        plan: _PlanParts,
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
        record = plan.record
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
        for name, rows, data in plan.tables:
            s.execute(
                insert(PlanTableRow),
                [{"plan_id": row.id, "name": name, "rows": rows, "data": data}],
            )
            say(f"table {name}")
        if plan.kpis:
            s.execute(insert(PlanKpiRow), [{"plan_id": row.id, **kpi} for kpi in plan.kpis])
            say("kpis")
        return int(row.id)

    def plan(self, plan_id: int) -> PlanInfo:
        """The stored plan ``plan_id``."""
        with self.reading() as s:
            row = s.get(PlanRow, plan_id)
            if row is None:
                raise StoreError(f"No plan with id {plan_id} in the store.")
            return _plan_info(row)

    def plan_tables(self, plan_id: int) -> dict[str, pd.DataFrame]:
        """Every output table of plan ``plan_id``."""
        with self.reading() as s:
            rows = s.scalars(select(PlanTableRow).where(PlanTableRow.plan_id == plan_id)).all()
            return {r.name: pd.read_parquet(io.BytesIO(r.data)) for r in rows}

    def plan_table(self, plan_id: int, name: str) -> pd.DataFrame | None:
        """One output table of plan ``plan_id``, or None if the plan has no such table."""
        with self.reading() as s:
            row = s.get(PlanTableRow, (plan_id, name))
            return None if row is None else pd.read_parquet(io.BytesIO(row.data))

    def latest_plan(self, scenario: str) -> PlanInfo | None:
        """The newest plan of ``scenario`` (outside sweeps), or None."""
        with self.reading() as s:
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
        with self.reading() as s:
            query = select(PlanRow).order_by(PlanRow.id.desc()).limit(limit)
            if scenario is not None:
                query = query.where(PlanRow.scenario_name == scenario)
            if not sweeps:
                query = query.where(PlanRow.sweep_id.is_(None))
            return [_plan_info(r) for r in s.scalars(query).all()]

    def kpis(self, plan_ids: list[int]) -> pd.DataFrame:
        """KPI rows (plan_id, kpi, scope, period, value) of the given plans."""
        with self.reading() as s:
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
        with self.reading() as s:
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
        parts = _NetworkParts.of(network)
        with self.transaction() as s:
            digest = self._add_network(s, parts)
            row = s.get(SweepRow, info.id)
            if row is None:
                values = {
                    "id": info.id,
                    "kind": info.kind,
                    "network_hash": digest,
                    "scenario_name": info.scenario,
                    "plan_id": info.plan_id,
                    "seed": info.seed,
                    "samples": info.samples,
                    "spec": info.spec,
                    "settings": info.settings,
                    "created_at": now(),
                    "created_by": user(),
                }
                created = _insert_new(s, SweepRow.__table__, values)  # type: ignore[arg-type]
                row = s.get(SweepRow, info.id)  # if not created: opened meanwhile by another
                assert row is not None
                if created:
                    return _sweep_info(row), False
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

    def sweep(self, sweep_id: str) -> SweepInfo:
        with self.reading() as s:
            row = s.get(SweepRow, sweep_id)
            if row is None:
                raise StoreError(f"No sweep or stress test with id {sweep_id!r} in the store.")
            return _sweep_info(row)

    def done_samples(self, sweep_id: str, seed: int, variant: str = "") -> set[int]:
        """Indexes of the samples of sweep ``sweep_id`` and ``seed`` already stored."""
        with self.reading() as s:
            rows = s.scalars(
                select(PlanRow.sample_index).where(
                    PlanRow.sweep_id == sweep_id, PlanRow.seed == seed, PlanRow.variant == variant
                )
            ).all()
            return {int(r) for r in rows if r is not None}

    def sweep_plans(self, sweep_id: str) -> list[PlanInfo]:
        """Every stored plan of a sweep, by sample index and variant."""
        with self.reading() as s:
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
#: The execution option of the engine that reads (:meth:`Store.reading`).
READ_ONLY = "emsplan_read_only"


def _engine(url: str, timeout: float = BUSY_TIMEOUT) -> Engine:
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
        engine = create_engine(url, connect_args={"timeout": timeout})
        _sqlite_setup(engine, timeout)
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


def _sqlite_setup(engine: Engine, timeout: float) -> None:
    """WAL mode, a busy timeout, foreign keys; a write takes the write lock at BEGIN, a
    read (an engine with the :data:`READ_ONLY` option) takes no lock."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # transactions are begun below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        reading = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def migrate(engine: Engine) -> None:
    """Bring the store's schema to the newest revision (no-op when it is there)."""
    from alembic.runtime.migration import MigrationContext

    with engine.execution_options(**{READ_ONLY: True}).connect() as connection:
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


def _reason(exc: DBAPIError) -> str:
    text_ = str(exc.orig) if exc.orig is not None else str(exc)
    return " ".join(text_.split()).rstrip(".")


def _parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


@dataclass(frozen=True)
class _NetworkParts:
    """A network's rows as stored, made before the write: its hash and canonical tables."""

    digest: str
    name: str
    rows: int
    tables: dict[str, str]

    @classmethod
    def of(cls, network: Network) -> _NetworkParts:
        tables = canonical_tables(network)
        rows = sum(len(f) for f in network.tables.values())
        return cls(hash_tables(tables), network.name, rows, tables)


@dataclass(frozen=True)
class _PlanParts:
    """A plan's rows as stored, made before the write: its tables as Parquet, its KPIs."""

    record: PlanRecord
    tables: list[tuple[str, int, bytes]]
    kpis: list[dict[str, Any]]

    @classmethod
    def of(cls, record: PlanRecord) -> _PlanParts:
        tables = [(name, len(f), _parquet(f)) for name, f in record.tables.items()]
        kpis: list[dict[str, Any]] = []
        frame = record.tables.get("kpis")
        if frame is not None and len(frame):
            unique = frame.drop_duplicates(["kpi", "scope", "period"])
            kpis = [
                {
                    "kpi": str(k),
                    "scope": str(sc),
                    "period": str(p),
                    "value": None if pd.isna(v) else float(v),
                }
                for k, sc, p, v in zip(
                    unique["kpi"], unique["scope"], unique["period"], unique["value"], strict=True
                )
            ]
        return cls(record, tables, kpis)


def _insert_new(
    session: Session, table: Table, values: dict[str, Any], key: list[str] | None = None
) -> bool:
    """Insert a row unless one with the same ``key`` (default: the primary key) exists,
    also one that another transaction is inserting; True if this one inserted it.

    ``INSERT ... ON CONFLICT DO NOTHING``: on PostgreSQL it waits for a transaction
    inserting the same key and then does nothing if that one commits.
    """
    columns = key or [c.name for c in table.primary_key.columns]
    dialect = session.get_bind().dialect
    statement: Any = None
    if dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        statement = pg_insert(table).on_conflict_do_nothing(index_elements=columns)
    elif dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        statement = sqlite_insert(table).on_conflict_do_nothing(index_elements=columns)
    if statement is not None:
        statement = statement.values(values)
        if dialect.insert_returning:  # psycopg reports no row count here: ask for the row
            returning = statement.returning(table.c[columns[0]])
            return session.connection().execute(returning).first() is not None
        return bool(session.connection().execute(statement).rowcount == 1)
    try:  # another database: a savepoint, so that a duplicate does not end the transaction
        with session.begin_nested():
            session.connection().execute(insert(table).values(values))
    except IntegrityError:
        return False
    return True


def _error_kind(exc: DBAPIError) -> str | None:
    """``busy`` (the store stayed locked), ``full`` (its disk is full) or None."""
    orig = exc.orig
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        primary = code & 0xFF  # the extended codes keep the primary one in the low byte
        if primary in (SQLITE_BUSY, SQLITE_LOCKED):
            return "busy"
        return "full" if primary == SQLITE_FULL else None
    state = getattr(orig, "sqlstate", None)
    if state == PG_DISK_FULL:
        return "full"
    if state == PG_LOCK_NOT_AVAILABLE:
        return "busy"
    text_ = str(orig).lower()
    if "database is locked" in text_:
        return "busy"
    if "database or disk is full" in text_ or "no space left on device" in text_:
        return "full"
    return None


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
