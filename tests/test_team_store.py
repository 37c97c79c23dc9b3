"""The team server's store: users with argon2 hashes, sessions, jobs, audit, shares."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from emsplan.store import Store, StoreError
from emsplan.store.models import TokenRow, UserRow
from emsplan.store.team import Team, UserError


@pytest.fixture
def team(tmp_path: Path) -> Team:
    return Team(Store(str(tmp_path / "team.db")))


def test_passwords_are_hashed_and_verified(team: Team) -> None:
    team.add_user("asha", "planner", "a long password")
    assert team.verify("asha", "a long password") is not None
    assert team.verify("asha", "a long passworD") is None
    assert team.verify("nobody", "a long password") is None
    with team.store.transaction() as session:
        stored = session.scalars(select(UserRow.password_hash)).one()
    assert stored.startswith("$argon2") and "a long password" not in stored


@pytest.mark.parametrize(
    ("name", "role", "partner", "password", "words"),
    [
        ("asha", "boss", None, "a long password", "not a role"),
        ("p1", "partner", None, "a long password", "no --partner"),
        ("v1", "viewer", "EMS-A", "a long password", "only partner users"),
        ("x", "viewer", None, "short", "at least 10"),
        ("bad name", "viewer", None, "a long password", "not allowed"),
    ],
)
def test_bad_users_are_refused(
    team: Team, name: str, role: str, partner: str | None, password: str, words: str
) -> None:
    with pytest.raises(UserError, match=words):
        team.add_user(name, role, password, partner)
    assert team.users() == []


def test_sessions_store_only_the_token_hash(team: Team) -> None:
    team.add_user("asha", "viewer", "a long password")
    token, csrf = team.open_session("asha")
    found = team.session(token)
    assert found is not None and found[0].name == "asha" and found[1] == csrf
    with team.store.transaction() as session:
        hashes = session.scalars(select(TokenRow.token_hash)).all()
    assert token not in hashes
    team.set_password("asha", "another long one")
    assert team.session(token) is None  # a new password ends every session
    token, _ = team.open_session("asha")
    team.close_session(token)
    assert team.session(token) is None
    assert team.session("made-up") is None


def test_expired_sessions_end(team: Team) -> None:
    team.add_user("asha", "viewer", "a long password")
    token, _ = team.open_session("asha", hours=-1)
    assert team.session(token) is None


def test_unfinished_jobs_are_interrupted(team: Team) -> None:
    queued = team.add_job("plan", "base", {"time_limit": 5}, "asha")
    running = team.add_job("plan", "base", {}, "asha")
    done = team.add_job("plan", "base", {}, "asha")
    team.update_job(running.id, status="running")
    team.update_job(done.id, status="done", plan_id=3)
    assert sorted(team.interrupt_unfinished("the server stopped")) == [queued.id, running.id]
    states = {job.id: job.status for job in team.jobs()}
    assert states == {queued.id: "interrupted", running.id: "interrupted", done.id: "done"}
    assert team.job(queued.id) is not None and team.job(queued.id).params == {"time_limit": 5}  # type: ignore[union-attr]


def test_remove_user_and_unknown_user(team: Team) -> None:
    team.add_user("asha", "admin", "a long password")
    with pytest.raises(UserError, match="exists already"):
        team.add_user("asha", "viewer", "a long password")
    team.remove_user("asha")
    assert team.users() == []
    with pytest.raises(StoreError, match="no user 'asha'"):
        team.remove_user("asha")


def test_audit_and_shares(team: Team) -> None:
    team.audit("asha", "login", outcome="failed", detail="wrong password")
    team.audit("asha", "login")
    log = team.audit_log()
    assert [(e["action"], e["outcome"]) for e in log] == [("login", "ok"), ("login", "failed")]
    with pytest.raises(StoreError):
        team.share(999, "EMS-A", "asha")
    assert team.shared_plans("EMS-A") == []
