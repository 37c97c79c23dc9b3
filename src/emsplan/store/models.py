"""The store's tables, as SQLAlchemy ORM classes.

One row per immutable network (keyed by its content hash, its tables held as
canonical CSV), per named scenario (a base network and its overrides), per
sweep, and per plan (its inputs' hash, solver settings, status, KPIs,
timings, user and time, and every output table as Parquet). The schema is
created and upgraded by the Alembic migrations in
``emsplan/store/migrations/versions``; a change here needs a new migration
(``tests/test_store.py`` checks that the two agree).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Base of every table of the store."""


class NetworkRow(Base):
    """An immutable network, identified by the SHA-256 of its canonical CSV tables."""

    __tablename__ = "networks"

    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    rows: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))


class NetworkTableRow(Base):
    """One non-empty input table of a stored network, as canonical CSV text."""

    __tablename__ = "network_tables"

    network_hash: Mapped[str] = mapped_column(
        ForeignKey("networks.hash", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    csv: Mapped[str] = mapped_column(Text)


class ScenarioRow(Base):
    """A named scenario: a base network, overrides, and the network they give."""

    __tablename__ = "scenarios"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    base_hash: Mapped[str] = mapped_column(ForeignKey("networks.hash"))
    network_hash: Mapped[str] = mapped_column(ForeignKey("networks.hash"))
    overrides: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))


class SweepRow(Base):
    """A sweep (``kind`` sweep) or stress test (``kind`` stress) of sampled scenarios."""

    __tablename__ = "sweeps"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    network_hash: Mapped[str] = mapped_column(ForeignKey("networks.hash"))
    scenario_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    plan_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    seed: Mapped[int] = mapped_column(Integer)
    samples: Mapped[int] = mapped_column(Integer)
    spec: Mapped[list[Any]] = mapped_column(JSON)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))


class PlanRow(Base):
    """A plan (solved or not): what went in, how it was solved, what came out."""

    __tablename__ = "plans"
    __table_args__ = (
        UniqueConstraint("sweep_id", "seed", "sample_index", "variant", name="uq_plans_sample"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    network_hash: Mapped[str] = mapped_column(ForeignKey("networks.hash"), index=True)
    scenario_id: Mapped[int | None] = mapped_column(
        ForeignKey("scenarios.id", ondelete="SET NULL"), nullable=True, index=True
    )
    scenario_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    sweep_id: Mapped[str | None] = mapped_column(
        ForeignKey("sweeps.id", ondelete="CASCADE"), nullable=True, index=True
    )
    seed: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sample_index: Mapped[int | None] = mapped_column(Integer, nullable=True)
    variant: Mapped[str] = mapped_column(String(32), default="")
    status: Mapped[str] = mapped_column(String(32))
    termination: Mapped[str] = mapped_column(String(64))
    objective: Mapped[float | None] = mapped_column(Float, nullable=True)
    solver: Mapped[str] = mapped_column(String(64))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    timings: Mapped[dict[str, Any]] = mapped_column(JSON)
    decisions: Mapped[dict[str, Any]] = mapped_column(JSON)
    overrides: Mapped[list[Any]] = mapped_column(JSON)
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))


class PlanTableRow(Base):
    """One output table of a plan, as Parquet bytes."""

    __tablename__ = "plan_tables"

    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    rows: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class PlanKpiRow(Base):
    """One KPI value of a plan (the plan's ``kpis`` table, queryable in SQL)."""

    __tablename__ = "plan_kpis"
    __table_args__ = (Index("ix_plan_kpis_kpi", "kpi", "scope", "period"),)

    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True
    )
    kpi: Mapped[str] = mapped_column(String(64), primary_key=True)
    scope: Mapped[str] = mapped_column(String(200), primary_key=True)
    period: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float, nullable=True)


# -- the team server (migration 0002) ----------------------------------------------------
class UserRow(Base):
    """A person or script that may use the team server, with one role.

    ``partner`` binds a ``partner`` user to one value of ``sites.partner``.
    ``password_hash`` is an argon2 hash; the password itself is never stored.
    """

    __tablename__ = "users"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    partner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TokenRow(Base):
    """A login session: the SHA-256 of its bearer token (never the token), its CSRF
    token and when it expires. Deleting the user deletes its sessions."""

    __tablename__ = "tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_name: Mapped[str] = mapped_column(ForeignKey("users.name", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class JobRow(Base):
    """A planning job the server runs in a worker process: what, for whom, how far."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(200))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    stage: Mapped[str] = mapped_column(String(200), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    plan_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sweep_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    pid: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuditRow(Base):
    """One audited action: who did what to which object, when, and how it ended."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    user_name: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(200), default="")
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text, default="")


class PlanShareRow(Base):
    """A plan shown to a partner: a ``partner`` user reads only plans shared with its
    partner, and in them only rows about its own sites."""

    __tablename__ = "plan_shares"

    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True
    )
    partner: Mapped[str] = mapped_column(String(200), primary_key=True)
    shared_by: Mapped[str] = mapped_column(String(100))
    shared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
