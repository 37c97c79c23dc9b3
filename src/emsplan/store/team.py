"""What the team server keeps beside the plans: users, login sessions, jobs, the audit log
and the plans shown to partners.

::

    team = Team(store)
    team.add_user("asha", "planner", "a long password")
    user = team.verify("asha", "a long password")      # a User, or None
    token, csrf = team.open_session("asha")

Passwords are hashed with argon2 (``argon2-cffi``); bearer tokens are stored as their
SHA-256, so a copy of the store holds neither. Every method is one short transaction.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update

from emsplan.store.models import AuditRow, JobRow, PlanShareRow, TokenRow, UserRow
from emsplan.store.store import Store, StoreError, now

#: The roles, from most to least rights.
ROLES = ("admin", "planner", "viewer", "partner")

#: Job states; a job ends ``done``, ``failed`` or ``interrupted``.
JOB_STATES = ("queued", "running", "done", "failed", "interrupted")
FINISHED = ("done", "failed", "interrupted")

#: How long a login lasts.
SESSION_HOURS = 12

MIN_PASSWORD = 10
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$")


class UserError(StoreError):
    """A user's name, role, partner or password that is not allowed (exit 2, HTTP 422)."""


@dataclass(frozen=True)
class User:
    """A user as the server sees it (never the password hash)."""

    name: str
    role: str
    partner: str | None = None

    def may(self, *roles: str) -> bool:
        return self.role in roles


@dataclass(frozen=True)
class Job:
    """A planning job: its kind (``plan``, ``sweep``, ``stress``), target, state."""

    id: int
    kind: str
    target: str
    params: dict[str, Any]
    status: str
    progress: float
    stage: str
    message: str
    plan_id: int | None
    sweep_id: str | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "target": self.target,
            "params": self.params,
            "status": self.status,
            "progress": self.progress,
            "stage": self.stage,
            "message": self.message,
            "plan": self.plan_id,
            "sweep": self.sweep_id,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
        }


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    return str(_hasher().hash(password))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_user(name: str, role: str, partner: str | None, password: str | None) -> None:
    """Raise :class:`UserError` naming what is wrong with a new user's fields."""
    if not NAME_PATTERN.match(name):
        raise UserError(
            f"User name {name!r} is not allowed: use 1 to 100 letters, digits, '.', '_', '@' "
            "or '-', starting with a letter or digit."
        )
    if role not in ROLES:
        raise UserError(f"Role {role!r} is not a role; allowed: {', '.join(ROLES)}.")
    if role == "partner" and not partner:
        raise UserError(
            f"User {name!r} has the role partner but no --partner: a partner user is bound "
            "to one value of sites.partner (e.g. --partner EMS-A)."
        )
    if role != "partner" and partner:
        raise UserError(
            f"User {name!r} has --partner {partner!r} but the role {role}: only partner users "
            "are bound to a partner."
        )
    if password is not None and len(password) < MIN_PASSWORD:
        raise UserError(
            f"The password of {name!r} has {len(password)} characters; at least "
            f"{MIN_PASSWORD} are required."
        )


class Team:
    """Users, sessions, jobs, audit and shares in ``store``."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- users ----------------------------------------------------------------------------
    def add_user(self, name: str, role: str, password: str, partner: str | None = None) -> User:
        check_user(name, role, partner, password)
        row = UserRow(
            name=name,
            role=role,
            partner=partner,
            password_hash=hash_password(password),
            created_at=now(),
        )
        with self.store.transaction() as session:
            if session.get(UserRow, name) is not None:
                raise UserError(
                    f"User {name!r} exists already; remove it first or pick another name."
                )
            session.add(row)
        return User(name, role, partner)

    def users(self) -> list[User]:
        with self.store.reading() as session:
            rows = session.scalars(select(UserRow).order_by(UserRow.name)).all()
            return [User(r.name, r.role, r.partner) for r in rows]

    def user(self, name: str) -> User | None:
        with self.store.reading() as session:
            row = session.get(UserRow, name)
            return None if row is None else User(row.name, row.role, row.partner)

    def remove_user(self, name: str) -> None:
        with self.store.transaction() as session:
            row = session.get(UserRow, name)
            if row is None:
                raise StoreError(f"There is no user {name!r}; `emsplan user list` shows them.")
            session.execute(delete(TokenRow).where(TokenRow.user_name == name))
            session.delete(row)

    def set_password(self, name: str, password: str) -> None:
        user = self.user(name)
        if user is None:
            raise StoreError(f"There is no user {name!r}; `emsplan user list` shows them.")
        check_user(name, user.role, user.partner, password)
        hashed = hash_password(password)
        with self.store.transaction() as session:
            session.execute(
                update(UserRow).where(UserRow.name == name).values(password_hash=hashed)
            )
            session.execute(delete(TokenRow).where(TokenRow.user_name == name))

    def verify(self, name: str, password: str) -> User | None:
        """The user if ``password`` is theirs, else None (in about the same time either way)."""
        from argon2.exceptions import VerificationError

        hasher = _hasher()
        with self.store.transaction() as session:
            row = session.get(UserRow, name)
            stored = row.password_hash if row is not None else None
            user = None if row is None else User(row.name, row.role, row.partner)
        try:
            hasher.verify(stored or _dummy_hash(), password)
        except VerificationError:
            return None
        return user if stored is not None else None

    # -- sessions ---------------------------------------------------------------------------
    def open_session(self, name: str, hours: float = SESSION_HOURS) -> tuple[str, str]:
        """A new bearer token and CSRF token for ``name``."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        at = now()
        with self.store.transaction() as session:
            session.execute(delete(TokenRow).where(TokenRow.expires_at < at))
            session.add(
                TokenRow(
                    token_hash=_digest(token),
                    user_name=name,
                    csrf=csrf,
                    created_at=at,
                    expires_at=at + timedelta(hours=hours),
                )
            )
        return token, csrf

    def session(self, token: str) -> tuple[User, str] | None:
        """The user and CSRF token of a live session, or None."""
        with self.store.reading() as session:
            row = session.get(TokenRow, _digest(token))
            if row is None or _aware(row.expires_at) < now():
                return None
            user = session.get(UserRow, row.user_name)
            if user is None:
                return None
            return User(user.name, user.role, user.partner), row.csrf

    def close_session(self, token: str) -> None:
        with self.store.transaction() as session:
            session.execute(delete(TokenRow).where(TokenRow.token_hash == _digest(token)))

    # -- jobs -------------------------------------------------------------------------------
    def add_job(self, kind: str, target: str, params: dict[str, Any], user: str) -> Job:
        with self.store.transaction() as session:
            row = JobRow(
                kind=kind,
                target=target,
                params=params,
                status="queued",
                progress=0.0,
                stage="queued",
                message="",
                created_by=user,
                created_at=now(),
            )
            session.add(row)
            session.flush()
            return _job(row)

    def job(self, job_id: int) -> Job | None:
        with self.store.reading() as session:
            row = session.get(JobRow, job_id)
            return None if row is None else _job(row)

    def jobs(self, status: tuple[str, ...] | None = None, limit: int = 50) -> list[Job]:
        query = select(JobRow).order_by(JobRow.id.desc()).limit(limit)
        if status:
            query = query.where(JobRow.status.in_(status))
        with self.store.reading() as session:
            return [_job(row) for row in session.scalars(query).all()]

    def update_job(self, job_id: int, **values: Any) -> None:
        with self.store.transaction() as session:
            session.execute(update(JobRow).where(JobRow.id == job_id).values(**values))

    def claim_next(self, busy: Callable[[Job], bool] | None = None) -> Job | None:
        """The oldest queued job that is not ``busy`` (e.g. one of the same sweep as a
        running job: it waits), now ``running``; None if there is none. Of servers
        claiming at once, one gets each job."""
        with self.store.transaction() as session:
            query = select(JobRow).where(JobRow.status == "queued").order_by(JobRow.id)
            for row in session.scalars(query.limit(50)).all():
                job = _job(row)
                if busy is not None and busy(job):
                    continue
                claimed = session.execute(
                    update(JobRow)
                    .where(JobRow.id == job.id, JobRow.status == "queued")
                    .values(status="running", stage="starting", started_at=now())
                )
                if claimed.rowcount == 1:  # type: ignore[attr-defined]
                    session.refresh(row)
                    return _job(row)
        return None

    def interrupt_unfinished(self, message: str) -> list[int]:
        """Mark every queued or running job ``interrupted`` (the server that ran them
        stopped); return their ids."""
        with self.store.transaction() as session:
            ids = list(
                session.scalars(
                    select(JobRow.id).where(JobRow.status.in_(("queued", "running")))
                ).all()
            )
            if ids:
                session.execute(
                    update(JobRow)
                    .where(JobRow.id.in_(ids))
                    .values(status="interrupted", message=message, finished_at=now())
                )
            return ids

    # -- audit ------------------------------------------------------------------------------
    def audit(
        self, user: str, action: str, target: str = "", outcome: str = "ok", detail: str = ""
    ) -> None:
        with self.store.transaction() as session:
            session.add(
                AuditRow(
                    at=now(),
                    user_name=user[:100],
                    action=action,
                    target=target[:200],
                    outcome=outcome,
                    detail=detail,
                )
            )

    def audit_log(self, limit: int = 200) -> list[dict[str, Any]]:
        query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
        with self.store.reading() as session:
            return [
                {
                    "at": r.at.isoformat(),
                    "user": r.user_name,
                    "action": r.action,
                    "target": r.target,
                    "outcome": r.outcome,
                    "detail": r.detail,
                }
                for r in session.scalars(query).all()
            ]

    # -- shares -----------------------------------------------------------------------------
    def share(self, plan_id: int, partner: str, user: str) -> None:
        self.store.plan(plan_id)  # StoreError when there is no such plan
        with self.store.transaction() as session:
            if session.get(PlanShareRow, (plan_id, partner)) is None:
                session.add(
                    PlanShareRow(plan_id=plan_id, partner=partner, shared_by=user, shared_at=now())
                )

    def shared_plans(self, partner: str) -> list[int]:
        query = select(PlanShareRow.plan_id).where(PlanShareRow.partner == partner)
        with self.store.reading() as session:
            return sorted(session.scalars(query).all())

    def is_shared(self, plan_id: int, partner: str) -> bool:
        with self.store.reading() as session:
            return session.get(PlanShareRow, (plan_id, partner)) is not None


def _aware(at: datetime) -> datetime:
    """SQLite returns naive datetimes (stored in UTC)."""
    return at if at.tzinfo is not None else at.replace(tzinfo=now().tzinfo)


def _job(row: JobRow) -> Job:
    return Job(
        id=row.id,
        kind=row.kind,
        target=row.target,
        params=dict(row.params or {}),
        status=row.status,
        progress=float(row.progress or 0.0),
        stage=row.stage or "",
        message=row.message or "",
        plan_id=row.plan_id,
        sweep_id=row.sweep_id,
        created_by=row.created_by,
        created_at=_aware(row.created_at),
        started_at=_aware(row.started_at) if row.started_at else None,
        finished_at=_aware(row.finished_at) if row.finished_at else None,
    )


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password, verified against when the user does not exist, so
    that a wrong name takes as long as a wrong password."""
    return hash_password(secrets.token_hex(16))
