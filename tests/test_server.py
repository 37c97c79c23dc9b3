"""The team server end to end: a real ``emsplan serve`` in a subprocess, spoken to over
real HTTP (no TestClient, no mocks).

One server per store backend (SQLite; PostgreSQL when ``EMSPLAN_TEST_POSTGRES_URL`` is
set) is shared by the tests of this module, and on it the example network is planned once
per scenario (:func:`planned`). The upload limits, the login throttle and the kill of a
running job share a server of their own (:func:`limited`; the kill restarts it). The role
matrix is written out by hand (:data:`MATRIX`) and checked against the server's own OpenAPI
description, so that an endpoint added later cannot go untested.
"""

from __future__ import annotations

import csv
import getpass
import io
import itertools
import json
import os
import sqlite3
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest

import emsplan
from conftest import SRC, small_tables
from server_helpers import (
    PASSWORD,
    TEAM,
    Server,
    add_team,
    start_server,
    stop_server,
    wait_job,
)
from store_helpers import BACKENDS, store_location

#: The scenario with an override, beside ``base``.
CN_PLUS_20 = "cn-plus-20"
OVERRIDE = "supply[supplier=CN-SZ].price*=1.2"
#: The output tables a partner may see, and their columns that name a site.
PARTNER_TABLES: dict[str, tuple[str, ...]] = {
    "production": ("plant",),
    "flows": ("origin", "destination"),
    "inventory": ("site",),
    "purchases": ("supplier",),
    "unmet": ("market",),
}
#: Output tables a partner never sees.
HIDDEN_TABLES = ("costs", "kpis", "policy", "local_content", "bottlenecks", "options")
#: The user of each role in the matrix (None: no login).
ROLE_USERS: dict[str, str | None] = {
    "admin": "root-admin",
    "planner": "asha",
    "viewer": "vikram",
    "partner": "ems-a",
    "anonymous": None,
}
ROLES = tuple(ROLE_USERS)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The relative MIP gap the example is planned to (the default takes twice the time).
GAP = 0.01
#: Plenty of time for a job on a busy machine.
JOB_TIMEOUT_S = 600


# -- helpers ----------------------------------------------------------------------------------
def money_columns() -> dict[str, set[str]]:
    """The output columns whose unit is money, read from the schema file itself."""
    path = SRC / "emsplan" / "data" / "schema" / "output_columns.csv"
    money: dict[str, set[str]] = {}
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            if row["unit"].startswith("currency"):
                money.setdefault(row["table"], set()).add(row["column"])
    return money


def copy_store(source: str, target: str) -> None:
    """A copy of the SQLite store ``source`` (SQLite's backup: WAL and all)."""
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as a, sqlite3.connect(target) as b:
        a.backup(b)
    a.close()
    b.close()


def add_users(server: Server) -> None:
    """Every user of TEAM but the admin (in the store already), through POST /api/users."""
    admin = server.login("root-admin")
    for name, (role, partner) in TEAM.items():
        if name == "root-admin":
            continue
        body = {"name": name, "role": role, "partner": partner, "password": PASSWORD}
        answer = admin.post("/api/users", json=body)
        assert answer.status_code == 201, answer.text


def assert_error(answer: httpx.Response, status: int) -> dict[str, Any]:
    """``answer`` is the error ``status`` as JSON with a one-paragraph string detail."""
    assert answer.status_code == status, (answer.status_code, answer.text[:2000])
    assert answer.headers["content-type"].startswith("application/json"), answer.headers
    assert "Traceback" not in answer.text and 'File "' not in answer.text
    body: dict[str, Any] = answer.json()
    assert isinstance(body, dict) and isinstance(body.get("detail"), str) and body["detail"]
    return body


def follow_events(client: httpx.Client, job: int) -> list[tuple[str, dict[str, Any]]]:
    """The server-sent events of ``job`` as (event name, data), until the server ends them."""
    events: list[tuple[str, dict[str, Any]]] = []
    name = "message"
    data: list[str] = []
    with client.stream("GET", f"/api/jobs/{job}/events", timeout=JOB_TIMEOUT_S) as answer:
        assert answer.status_code == 200, answer.read()
        assert answer.headers["content-type"].startswith("text/event-stream")
        for line in answer.iter_lines():
            if not line:
                if data:
                    events.append((name, json.loads("\n".join(data))))
                name, data = "message", []
            elif line.startswith("event:"):
                name = line.removeprefix("event:").strip()
            elif line.startswith("data:"):
                data.append(line.removeprefix("data:").removeprefix(" "))
    if data:
        events.append((name, json.loads("\n".join(data))))
    return events


def whole_table(client: httpx.Client, plan: int, table: str, **filters: str) -> dict[str, Any]:
    """A table of a plan in one page (the tables of the example are far below the limit)."""
    answer = client.get(f"/api/plans/{plan}/tables/{table}", params={"limit": 10_000, **filters})
    assert answer.status_code == 200, answer.text
    page: dict[str, Any] = answer.json()
    assert page["total"] == len(page["rows"]), "the table is longer than one page"
    return page


def workbook(answer: httpx.Response) -> openpyxl.Workbook:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith(XLSX)
    return openpyxl.load_workbook(io.BytesIO(answer.content), read_only=True)


def sheet_rows(book: openpyxl.Workbook, sheet: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in book[sheet].iter_rows(values_only=True)]


def wait_for(what: str, check: Any, timeout: float = JOB_TIMEOUT_S) -> Any:
    """Poll ``check()`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def sweep_of(client: httpx.Client, job: int) -> str:
    """The sweep id of a sweep or stress job, once it has started."""

    def started() -> str | None:
        state = client.get(f"/api/jobs/{job}").raise_for_status().json()
        sweep: str | None = state["sweep"]
        assert sweep or state["status"] in ("queued", "running"), state
        return sweep

    found: str = wait_for(f"job {job} to start its sweep", started)
    return found


# -- processes (Linux /proc) ---------------------------------------------------------------
def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()  # after "pid (name)": state, ppid, ...


def descendants(pid: int) -> dict[int, str]:
    """The processes below ``pid`` and their command lines."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            found[child] = command.decode(errors="replace")
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] not in ("Z", "X")


# -- the shared servers -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def admin_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite store with the admin made by the real ``emsplan user add``, to copy."""
    db = str(tmp_path_factory.mktemp("template") / "emsplan.db")
    add_team(db, {"root-admin": TEAM["root-admin"]})
    return db


@pytest.fixture(scope="module")
def example_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("example") / "india-2023.xlsx"
    emsplan.examples.load("india-2023").write(path)
    return path


@pytest.fixture(scope="module")
def tiny_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small network of conftest: quick to plan, sweep and stress."""
    path = tmp_path_factory.mktemp("tiny") / "small.xlsx"
    emsplan.Network(small_tables(), name="small").write(path)
    return path


@dataclass
class Team:
    """A running server with the team's users, and a logged-in client per user."""

    backend: str
    db: str
    log: Path
    options: tuple[str, ...]
    server: Server
    tokens: dict[str, str] = field(default_factory=dict)
    clients: dict[str, httpx.Client] = field(default_factory=dict)

    def client(self, user: str) -> httpx.Client:
        """A client of ``user``'s session (one per user, kept across restarts)."""
        if user not in self.clients:
            if user not in self.tokens:
                self.tokens[user] = self.server.token(user)
            self.clients[user] = self.server.client(self.tokens[user])
        return self.clients[user]

    def restart(self) -> None:
        """Stop the server (if it still runs) and start another on the same store."""
        stop_server(self.server)
        self.clients.clear()  # the sessions are in the store: the tokens go on working
        self.server = start_server(self.db, self.log, *self.options)


@contextmanager
def serving(backend: str, tmp: Path, admin_store: str, *options: str) -> Iterator[Team]:
    """A server on a fresh store with the team's users: the admin is in the store first (a
    copy of ``admin_store``, made by the real ``emsplan user add``; on PostgreSQL added
    directly), the others are added by the admin through the API."""
    with store_location(backend, tmp) as db:
        if backend == "sqlite":
            copy_store(admin_store, db)
        else:
            from emsplan.store import Store
            from emsplan.store.team import Team as Users

            with Store(db) as store:
                Users(store).add_user("root-admin", "admin", PASSWORD)
        log = tmp / "serve.log"
        team = Team(backend, db, log, options, start_server(db, log, *options))
        try:
            add_users(team.server)
            yield team
        finally:
            stop_server(team.server)


@pytest.fixture(scope="module", params=BACKENDS)
def team(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, admin_store: str
) -> Iterator[Team]:
    """The module's server on each backend, with the team's users."""
    backend: str = request.param
    with serving(backend, tmp_path_factory.mktemp(f"team-{backend}"), admin_store) as team:
        yield team


@dataclass
class Day:
    """What the planner did in :func:`planned`, as the server answered."""

    network: dict[str, Any]
    scenarios: dict[str, dict[str, Any]]
    jobs: dict[str, int]
    events: list[tuple[str, dict[str, Any]]]
    finished: dict[str, dict[str, Any]]

    @property
    def plans(self) -> dict[str, int]:
        return {name: int(state["plan"]) for name, state in self.finished.items()}


@pytest.fixture(scope="module")
def planned(team: Team, example_workbook: Path) -> Day:
    """A planner's day: upload the example, add ``base`` and ``cn-plus-20``, plan both (the
    first followed by its event stream). The example is planned here and nowhere else on
    this server."""
    asha = team.client("asha")
    files = {"file": (example_workbook.name, example_workbook.read_bytes(), XLSX)}
    answer = asha.post("/api/networks", files=files)
    assert answer.status_code == 201, answer.text
    network: dict[str, Any] = answer.json()
    scenarios: dict[str, dict[str, Any]] = {}
    for body in (
        {"name": "base", "network": network["id"], "description": "The example as it is."},
        {"name": CN_PLUS_20, "from_scenario": "base", "overrides": [OVERRIDE]},
    ):
        answer = asha.post("/api/scenarios", json=body)
        assert answer.status_code == 201, answer.text
        scenarios[str(body["name"])] = answer.json()
    jobs: dict[str, int] = {}
    for name, settings in (("base", {"time_limit": 600}), (CN_PLUS_20, {})):
        answer = asha.post(f"/api/scenarios/{name}/plans", json=settings | {"mip_gap": GAP})
        assert answer.status_code == 202, answer.text
        jobs[name] = answer.json()["job"]
    events = follow_events(asha, jobs["base"])
    finished = {name: wait_job(asha, job, JOB_TIMEOUT_S) for name, job in jobs.items()}
    for state in finished.values():
        assert state["status"] == "done", state
    return Day(network, scenarios, jobs, events, finished)


#: A random variation for the sweeps and stress tests.
VARIATION = "demand.qty*=uniform(0.9,1.1)"


@dataclass
class Tiny:
    """The small network on the server, its scenario and the jobs queued on it."""

    workbook: bytes
    network: str
    sweep_jobs: tuple[int, int]
    plan_job: int


@pytest.fixture(scope="module")
def tiny(team: Team, tiny_workbook: Path) -> Tiny:
    """The small network and its scenario ``tiny``; the same sweep of one sample queued
    twice at once (a double click), then a plan. The matrix needs their ids, and
    test_the_same_sweep_twice_at_once their outcome."""
    asha = team.client("asha")
    data = tiny_workbook.read_bytes()
    answer = asha.post("/api/networks", files={"file": ("small.xlsx", data, XLSX)})
    assert answer.status_code == 201, answer.text
    network = answer.json()["id"]
    answer = asha.post("/api/scenarios", json={"name": "tiny", "network": network})
    assert answer.status_code == 201, answer.text
    body = {"scenario": "tiny", "variations": [VARIATION], "samples": 1}
    sweeps = [asha.post("/api/sweeps", json=body) for _ in range(2)]
    assert [s.status_code for s in sweeps] == [202, 202], [s.text for s in sweeps]
    plan = asha.post("/api/scenarios/tiny/plans", json={})
    assert plan.status_code == 202, plan.text
    jobs = (sweeps[0].json()["job"], sweeps[1].json()["job"])
    return Tiny(data, network, jobs, plan.json()["job"])


# -- 1. a planner's day -------------------------------------------------------------------------
def test_a_planners_day_over_http(team: Team, planned: Day) -> None:
    asha = team.client("asha")
    network = planned.network
    assert isinstance(network["id"], str) and len(network["id"]) >= 6
    assert network["name"] == "india-2023" and isinstance(network["warnings"], list)

    base, cn = planned.scenarios["base"], planned.scenarios[CN_PLUS_20]
    assert base["network"] == base["base"] == network["id"] and base["overrides"] == []
    assert base["description"] == "The example as it is."
    assert cn["base"] == network["id"] and cn["network"] != network["id"]
    assert cn["overrides"] == [
        {"table": "supply", "op": "scale", "where": {"supplier": "CN-SZ"}, "column": "price"}
        | {"value": 1.2}
    ]

    # job 1 followed by its events: one per change, progress never back, ends done
    names = [name for name, _ in planned.events]
    states = [state for _, state in planned.events]
    assert names and set(names) == {"job"}, names
    assert all(s["id"] == planned.jobs["base"] and s["created_by"] == "asha" for s in states)
    statuses = [s["status"] for s in states]
    assert statuses[0] in ("queued", "running") and statuses[-1] == "done", statuses
    order = {"queued": 0, "running": 1, "done": 2}
    assert all(s in order for s in statuses), statuses
    assert [order[s] for s in statuses] == sorted(order[s] for s in statuses), statuses
    progress = [s["progress"] for s in states]
    assert progress == sorted(progress), progress
    assert any(0 < p < 1 for p in progress), progress  # the stages of the plan in between
    assert progress[-1] == 1.0
    assert all(a != b for a, b in itertools.pairwise(states))  # changes only
    plans = planned.plans
    assert states[-1]["plan"] == plans["base"] and plans["base"] != plans[CN_PLUS_20]

    job = asha.get(f"/api/jobs/{planned.jobs['base']}").json()
    assert job["status"] == "done" and job["plan"] == plans["base"]
    assert job["kind"] == "plan" and job["target"] == "base" and job["created_by"] == "asha"
    assert job["params"] == {"time_limit": 600, "mip_gap": GAP}
    listed_jobs = {j["id"]: j for j in asha.get("/api/jobs").json()}
    assert set(planned.jobs.values()) <= set(listed_jobs)

    # scenarios and plans, by the web user
    scenarios = {s["name"]: s for s in asha.get("/api/scenarios").json()}
    for name in ("base", CN_PLUS_20):
        assert scenarios[name]["created_by"] == "asha"
        assert scenarios[name]["latest_plan"] == plans[name]
    assert asha.get(f"/api/scenarios/{CN_PLUS_20}").json() == scenarios[CN_PLUS_20]
    listed = {p["id"]: p for p in asha.get("/api/plans").json()}
    for name, plan_id in plans.items():
        assert listed[plan_id]["scenario"] == name and listed[plan_id]["created_by"] == "asha"
        assert listed[plan_id]["status"] == "ok"
    objective = {name: listed[plan_id]["objective"] for name, plan_id in plans.items()}
    assert objective[CN_PLUS_20] >= objective["base"] * (1 - GAP)  # dearer offers

    detail = asha.get(f"/api/plans/{plans['base']}").json()
    assert detail["objective"] == objective["base"] and detail["created_by"] == "asha"
    assert detail["summary"]["objective"] == pytest.approx(objective["base"])
    assert {"production", "flows", "purchases", "costs", "kpis"} <= set(detail["tables"])
    assert {k["kpi"] for k in detail["kpis"]} >= {"total_cost", "service_level"}

    # a table: whole, paged, filtered; totals against the whole table
    production = whole_table(asha, plans["base"], "production")
    rows = production["rows"]
    assert production["total"] == detail["tables"]["production"] > 12
    assert production["columns"][:4] == ["plant", "item", "period", "qty"]
    page = asha.get(
        f"/api/plans/{plans['base']}/tables/production", params={"offset": 5, "limit": 7}
    ).json()
    assert page["rows"] == rows[5:12] and page["total"] == len(rows)
    assert (page["offset"], page["limit"]) == (5, 7)
    past = asha.get(
        f"/api/plans/{plans['base']}/tables/production", params={"offset": len(rows)}
    ).json()
    assert past["rows"] == [] and past["total"] == len(rows)

    def where(**wanted: set[str]) -> list[dict[str, Any]]:
        return [r for r in rows if all(str(r[c]) in v for c, v in wanted.items())]

    noida = where(plant={"EMS-A-NOIDA"})
    assert noida and len(noida) < len(rows)
    one = whole_table(asha, plans["base"], "production", plant="EMS-A-NOIDA")
    assert one["rows"] == noida and one["total"] == len(noida)
    both = whole_table(asha, plans["base"], "production", plant="EMS-A-NOIDA|EMS-B-SPR")
    assert both["rows"] == where(plant={"EMS-A-NOIDA", "EMS-B-SPR"})
    assert len(noida) < both["total"] < len(rows)
    period = str(noida[0]["period"])
    two = whole_table(asha, plans["base"], "production", plant="EMS-A-NOIDA", period=period)
    assert two["rows"] == where(plant={"EMS-A-NOIDA"}, period={period}) and two["total"] >= 1
    paged = asha.get(
        f"/api/plans/{plans['base']}/tables/production",
        params={"plant": "EMS-A-NOIDA", "offset": 1, "limit": 2},
    ).json()
    assert paged["rows"] == noida[1:3] and paged["total"] == len(noida)
    flows = whole_table(asha, plans["base"], "flows")
    from_cn = whole_table(asha, plans["base"], "flows", origin="CN-SZ")
    assert from_cn["rows"] == [r for r in flows["rows"] if r["origin"] == "CN-SZ"]
    assert 0 < from_cn["total"] < flows["total"] == detail["tables"]["flows"]

    # the comparison of the two plans
    ids = f"{plans['base']},{plans[CN_PLUS_20]}"
    comparison = asha.get("/api/compare", params={"plans": ids})
    assert comparison.status_code == 200, comparison.text
    compared = comparison.json()
    labels = compared["plans"]
    assert len(labels) == 2 and f"#{plans['base']}" in labels[0]
    assert f"#{plans[CN_PLUS_20]}" in labels[1]
    total = next(k for k in compared["kpis"] if k["kpi"] == "total cost")
    for label, name in zip(labels, ("base", CN_PLUS_20), strict=True):
        kpis = asha.get(f"/api/plans/{plans[name]}").json()["kpis"]
        cost = next(
            k["value"]
            for k in kpis
            if (k["kpi"], k["scope"], k["period"]) == ("total_cost", "network", "all")
        )
        assert total[label] == pytest.approx(cost)
    assert compared["costs"] and "decisions" in compared and "changes" in compared
    by_name = asha.get("/api/compare", params={"plans": f"base,{CN_PLUS_20}"}).json()
    assert by_name["plans"] == labels

    # the workbook
    answer = asha.get(f"/api/plans/{plans['base']}/workbook")
    assert f"plan-{plans['base']}.xlsx" in answer.headers["content-disposition"]
    book = workbook(answer)
    assert set(book.sheetnames) == set(detail["tables"])
    sheet = sheet_rows(book, "production")
    assert list(sheet[0]) == production["columns"] and len(sheet) == len(rows) + 1

    # the audit log names the web user of each step
    log = team.client("root-admin").get("/api/audit", params={"limit": 10_000}).json()

    def logged(action: str, target: str | None = None, detail: str | None = None) -> bool:
        return any(
            e["user"] == "asha"
            and e["action"] == action
            and e["outcome"] == "ok"
            and (target is None or e["target"] == target)
            and (detail is None or e["detail"] == detail)
            for e in log
        )

    assert logged("login")
    assert logged("upload network", network["id"], "india-2023.xlsx")
    assert logged("add scenario", "base") and logged("add scenario", CN_PLUS_20)
    assert logged("queue plan", "base", f"job {planned.jobs['base']}")
    assert logged("queue plan", CN_PLUS_20, f"job {planned.jobs[CN_PLUS_20]}")

    # the store itself records the web user as the author, not the server's OS user
    from sqlalchemy import select

    from emsplan.store import Store
    from emsplan.store.models import NetworkRow

    assert getpass.getuser() != "asha"
    with Store(team.db) as store:
        stored = {p.id: p for p in store.history(limit=1000)}
        assert {stored[i].created_by for i in plans.values()} == {"asha"}
        authors = {s.name: s.created_by for s in store.scenarios()}
        assert authors["base"] == authors[CN_PLUS_20] == "asha"
        hashes = (network["id"], cn["network"])
        with store.reading() as session:
            query = select(NetworkRow.created_by).where(NetworkRow.hash.in_(hashes))
            networks = list(session.scalars(query).all())
    assert networks == ["asha", "asha"]


# -- 3. what a partner sees ---------------------------------------------------------------------
def test_partners_see_only_their_own_rows_without_money(team: Team, planned: Day) -> None:
    asha = team.client("asha")
    shared, unshared = planned.plans["base"], planned.plans[CN_PLUS_20]
    for partner in ("EMS-A", "EMS-B"):
        answer = asha.post(f"/api/plans/{shared}/shares", json={"partner": partner})
        assert answer.status_code == 204, answer.text

    # what each partner should see, from the network's sites and the planner's tables
    sites = emsplan.examples.load("india-2023").tables["sites"]
    own = {
        p: {str(s) for s in sites.loc[sites["partner"] == p, "site"]} for p in ("EMS-A", "EMS-B")
    }
    assert own["EMS-A"] == {"EMS-A-NOIDA"} and own["EMS-B"] == {"EMS-B-SPR"}
    money = money_columns()
    assert {"cost"} <= money["production"] and {"unit_cost", "value", "duty"} <= money["flows"]
    full = {t: whole_table(asha, shared, t) for t in PARTNER_TABLES}

    def mentions(row: dict[str, Any], table: str, names: set[str]) -> bool:
        return any(str(row[c]) in names for c in PARTNER_TABLES[table])

    def expected(table: str, partner: str) -> tuple[list[str], list[dict[str, Any]]]:
        hidden = money.get(table, set())
        columns = [c for c in full[table]["columns"] if c not in hidden]
        rows = [
            {c: r[c] for c in columns}
            for r in full[table]["rows"]
            if mentions(r, table, own[partner])
        ]
        return columns, rows

    seen: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for user, partner in (("ems-a", "EMS-A"), ("ems-b", "EMS-B")):
        client = team.client(user)
        listed = client.get("/api/plans")
        assert listed.status_code == 200, listed.text
        assert [p["id"] for p in listed.json()] == [shared]
        for facts in listed.json():
            assert not {"objective", "network", "created_by", "message"} & set(facts), facts

        detail = client.get(f"/api/plans/{shared}").json()
        assert not {"objective", "summary", "kpis", "decisions", "network"} & set(detail)
        assert set(detail["tables"]) == set(PARTNER_TABLES)

        seen[user] = {}
        for table in PARTNER_TABLES:
            columns, rows = expected(table, partner)
            page = whole_table(client, shared, table)
            assert page["columns"] == columns, (user, table)
            assert not set(page["columns"]) & money.get(table, set())
            assert page["rows"] == rows, (user, table)
            assert detail["tables"][table] == len(rows)
            seen[user][table] = page["rows"]
        assert seen[user]["production"], f"{user} sees no production at all"
        assert {r["plant"] for r in seen[user]["production"]} == own[partner]
        assert seen[user]["flows"]
        for row in seen[user]["flows"]:
            assert row["origin"] in own[partner] or row["destination"] in own[partner], row
        other = sorted(own["EMS-B" if partner == "EMS-A" else "EMS-A"])[0]
        only = client.get(f"/api/plans/{shared}/tables/production", params={"plant": other})
        assert only.status_code == 200 and only.json()["total"] == 0  # filters add no rows
        money_filter = client.get(f"/api/plans/{shared}/tables/production", params={"cost": "1"})
        assert_error(money_filter, 422)

        for table in HIDDEN_TABLES:
            assert_error(client.get(f"/api/plans/{shared}/tables/{table}"), 404)
        for path in ("", "/tables/production", "/workbook"):
            assert_error(client.get(f"/api/plans/{unshared}{path}"), 404)
        assert_error(client.get("/api/plans/999999"), 404)  # as unshared: no difference

        book = workbook(client.get(f"/api/plans/{shared}/workbook"))
        assert set(book.sheetnames) <= set(PARTNER_TABLES) and "production" in book.sheetnames
        for sheet in book.sheetnames:
            cells = sheet_rows(book, sheet)
            columns, rows = expected(sheet, partner)
            assert list(cells[0]) == columns, sheet
            assert not set(cells[0]) & money.get(sheet, set())
            assert len(cells) == len(rows) + 1, sheet
            for values in cells[1:]:
                assert mentions(dict(zip(cells[0], values, strict=True)), sheet, own[partner])

    # neither partner sees a row of the other's that is not also its own
    for user, mine, theirs in (("ems-a", "EMS-A", "EMS-B"), ("ems-b", "EMS-B", "EMS-A")):
        for table, rows in seen[user].items():
            for row in rows:
                assert mentions(row, table, own[mine]), (user, table, row)
        production_sites = {r["plant"] for r in seen[user]["production"]}
        assert not production_sites & own[theirs]
    assert seen["ems-a"]["production"] != seen["ems-b"]["production"]


# -- 4. errors --------------------------------------------------------------------------------
def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.usefixtures("tiny")  # queues its jobs early: they run meanwhile
@pytest.mark.parametrize("team", ["sqlite"], indirect=True)
def test_a_broken_network_is_422_with_its_problems(
    team: Team, broken_workbook: Path, tmp_path: Path
) -> None:
    asha = team.client("asha")

    def upload(name: str, data: bytes) -> httpx.Response:
        return asha.post("/api/networks", files={"file": (name, data)})

    def negative_price(body: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            p
            for p in body["problems"]
            if p["table"] == "supply" and p["column"] == "price" and p["value"] == -7.5
        ]

    body = assert_error(upload("broken.xlsx", broken_workbook.read_bytes()), 422)
    found = negative_price(body)
    assert found and found[0]["severity"] == "error" and found[0]["message"], body
    assert "supply" in body["detail"] or "problem" in body["detail"].lower(), body["detail"]

    # the same network as a zip of CSV files
    tables = small_tables()
    tables["supply"].loc[1, "price"] = -7.5
    folder = emsplan.Network(tables, name="broken").write(tmp_path / "broken")
    csvs = {f"broken/{p.name}": p.read_bytes() for p in sorted(folder.glob("*.csv"))}
    assert "broken/supply.csv" in csvs
    assert negative_price(assert_error(upload("broken.zip", zipped(csvs)), 422))
    # and a good zip of CSV files is a network
    good = emsplan.Network(small_tables(), name="good").write(tmp_path / "good")
    answer = upload("good.zip", zipped({p.name: p.read_bytes() for p in good.glob("*.csv")}))
    assert answer.status_code == 201, answer.text

    for name, data in (
        ("network.xlsx", b"these bytes are not a zip archive"),
        ("network.zip", b"PK\x03\x04 but not really"),
        ("network.zip", zipped({"readme.txt": b"no csv in here"})),
        ("network.zip", b""),
    ):
        assert_error(upload(name, data), 422)
    assert_error(asha.post("/api/networks", data={"nofile": "x"}), 422)


@pytest.mark.parametrize("team", ["sqlite"], indirect=True)
def test_errors_are_json_with_a_detail(team: Team, planned: Day) -> None:
    asha, admin = team.client("asha"), team.client("root-admin")
    base = planned.plans["base"]
    plans = f"/api/plans/{base}"
    scenario = {"name": "another", "from_scenario": "base"}
    not_random = {"scenario": "base", "variations": ["demand.qty*=1.1"], "samples": 1}
    cases: list[tuple[str, Callable[[], httpx.Response], int]] = [
        (
            "malformed JSON",
            lambda: asha.post(
                "/api/scenarios",
                content=b'{"name": "x", ',
                headers={"Content-Type": "application/json"},
            ),
            422,
        ),
        ("unknown path", lambda: asha.get("/api/no-such-thing"), 404),
        ("wrong method", lambda: asha.delete("/api/plans"), 405),
        ("no such plan", lambda: asha.get("/api/plans/999999"), 404),
        ("plan id not a number", lambda: asha.get("/api/plans/first"), 422),
        ("no such table", lambda: asha.get(f"{plans}/tables/no-such-table"), 404),
        ("no such column", lambda: asha.get(f"{plans}/tables/flows", params={"x": "1"}), 422),
        ("limit 0", lambda: asha.get(f"{plans}/tables/flows", params={"limit": 0}), 422),
        ("negative offset", lambda: asha.get(f"{plans}/tables/flows?offset=-1"), 422),
        ("an unknown field", lambda: asha.post("/api/scenarios", json=scenario | {"x": 1}), 422),
        ("name taken", lambda: asha.post("/api/scenarios", json=scenario | {"name": "base"}), 409),
        ("bad scenario name", lambda: asha.post("/api/scenarios", json={"name": "a b/c"}), 422),
        (
            "network and scenario",
            lambda: asha.post("/api/scenarios", json=scenario | {"network": "abcdef12"}),
            422,
        ),
        (
            "no such network",
            lambda: asha.post("/api/scenarios", json={"name": "x", "network": "abcdef12"}),
            404,
        ),
        (
            "bad override",
            lambda: asha.post("/api/scenarios", json=scenario | {"overrides": ["supply.x*=2"]}),
            422,
        ),
        ("no such scenario", lambda: asha.get("/api/scenarios/no-such"), 404),
        ("plan no scenario", lambda: asha.post("/api/scenarios/no-such/plans", json={}), 404),
        (
            "negative time limit",
            lambda: asha.post("/api/scenarios/base/plans", json={"time_limit": -1}),
            422,
        ),
        ("no such job", lambda: asha.get("/api/jobs/999999"), 404),
        ("no such job's events", lambda: asha.get("/api/jobs/999999/events"), 404),
        ("no such sweep", lambda: asha.get("/api/sweeps/sweep-nothing"), 404),
        ("no such stress test", lambda: asha.get("/api/stress/stress-nothing"), 404),
        ("not random", lambda: asha.post("/api/sweeps", json=not_random), 422),
        (
            "stress no plan",
            lambda: asha.post("/api/stress", json={"plan": "#999999", "variations": ["x"]}),
            404,
        ),
        ("compare one plan", lambda: asha.get("/api/compare", params={"plans": str(base)}), 422),
        (
            "compare no such plan",
            lambda: asha.get("/api/compare", params={"plans": f"{base},999999"}),
            404,
        ),
        ("compare nothing", lambda: asha.get("/api/compare"), 422),
        (
            "share with nobody",
            lambda: asha.post(f"{plans}/shares", json={"partner": "NOBODY"}),
            422,
        ),
        (
            "share no plan",
            lambda: asha.post("/api/plans/999999/shares", json={"partner": "EMS-A"}),
            404,
        ),
        ("remove no user", lambda: admin.delete("/api/users/nobody"), 404),
        (
            "user exists",
            lambda: admin.post(
                "/api/users", json={"name": "asha", "role": "viewer", "password": PASSWORD}
            ),
            409,
        ),
        (
            "short password",
            lambda: admin.post(
                "/api/users", json={"name": "shorty", "role": "viewer", "password": "short"}
            ),
            422,
        ),
        (
            "partner user without partner",
            lambda: admin.post(
                "/api/users", json={"name": "p2", "role": "partner", "password": PASSWORD}
            ),
            422,
        ),
        ("login without a body", lambda: httpx.post(f"{team.server.base_url}/api/login"), 422),
        (
            "bad bearer token",
            lambda: httpx.get(
                f"{team.server.base_url}/api/me", headers={"Authorization": "Bearer nonsense"}
            ),
            401,
        ),
    ]
    wrong = []
    for what, call, status in cases:
        answer = call()
        if answer.status_code != status:
            wrong.append(f"{what}: {answer.status_code}, not {status}: {answer.text[:300]}")
            continue
        body = assert_error(answer, status)
        if status == 401:
            assert answer.headers["www-authenticate"] == "Bearer"
        if what == "malformed JSON":
            assert "JSON" in body["detail"]
    assert not wrong, "\n".join(wrong)
    assert "Traceback" not in team.server.log_text()


@pytest.mark.parametrize("team", ["sqlite"], indirect=True)
def test_a_trailing_slash_is_an_error_not_a_redirect(team: Team) -> None:
    anonymous = team.server.client()
    for path in ("/api/audit/", "/api/plans/"):
        answer = anonymous.get(path, follow_redirects=False)
        assert not answer.is_redirect, (path, answer.status_code, answer.headers)
        assert_error(answer, 404)


@pytest.mark.parametrize("team", ["sqlite"], indirect=True)
def test_a_cookie_session_needs_the_csrf_token(team: Team, planned: Day) -> None:
    browser = team.server.client()  # keeps the cookies the server sets, as a browser does
    answer = browser.post("/api/login", json={"username": "asha", "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    logged_in = answer.json()
    assert logged_in["user"] == "asha" and logged_in["role"] == "planner"
    cookies = {c.name: c for c in browser.cookies.jar}
    assert cookies["emsplan_session"].value == logged_in["token"]
    assert cookies["emsplan_csrf"].value == logged_in["csrf"]
    assert cookies["emsplan_session"].has_nonstandard_attr("HttpOnly")
    assert not cookies["emsplan_csrf"].has_nonstandard_attr("HttpOnly")

    assert browser.get("/api/me").json()["user"] == "asha"  # reading needs no token
    body = {"name": "by-browser", "from_scenario": "base"}
    assert_error(browser.post("/api/scenarios", json=body), 403)
    wrong = {"X-CSRF-Token": "not-the-token"}
    assert_error(browser.post("/api/scenarios", json=body, headers=wrong), 403)
    right = {"X-CSRF-Token": logged_in["csrf"]}
    made = browser.post("/api/scenarios", json=body, headers=right)
    assert made.status_code == 201, made.text
    assert made.json()["created_by"] == "asha"
    assert_error(browser.post("/api/logout"), 403)
    assert browser.post("/api/logout", headers=right).status_code == 204
    assert_error(browser.get("/api/me"), 401)
    # the token of that session is gone too, not only the cookie
    assert_error(team.server.client(logged_in["token"]).get("/api/me"), 401)


@pytest.mark.parametrize("team", ["sqlite"], indirect=True)
def test_logging_out_or_removing_the_user_ends_the_session(team: Team) -> None:
    client = team.server.client(team.server.token("vikram"))
    assert client.get("/api/me").json() == {"user": "vikram", "role": "viewer", "partner": None}
    assert client.post("/api/logout").status_code == 204
    assert_error(client.get("/api/me"), 401)
    assert_error(client.get("/api/plans"), 401)
    assert_error(client.post("/api/logout"), 401)
    assert team.client("vikram").get("/api/me").status_code == 200  # other sessions go on

    admin = team.client("root-admin")
    body = {"name": "leaver", "role": "planner", "password": PASSWORD}
    assert admin.post("/api/users", json=body).status_code == 201
    leaver = team.server.client(team.server.token("leaver"))
    assert leaver.get("/api/me").json()["role"] == "planner"
    assert admin.delete("/api/users/leaver").status_code == 204
    assert_error(leaver.get("/api/me"), 401)
    assert "leaver" not in {u["user"] for u in admin.get("/api/users").json()}
    actions = {(e["user"], e["action"], e["target"]) for e in admin.get("/api/audit").json()}
    assert ("root-admin", "add user", "leaver") in actions
    assert ("root-admin", "remove user", "leaver") in actions
    assert ("vikram", "logout", "") in actions


@pytest.mark.parametrize("team", ["sqlite"], indirect=True)
def test_the_same_sweep_twice_at_once(team: Team, tiny: Tiny) -> None:
    asha = team.client("asha")
    states = [wait_job(asha, job, JOB_TIMEOUT_S) for job in tiny.sweep_jobs]
    assert states[0]["sweep"] == states[1]["sweep"]
    assert [s["status"] for s in states] == ["done", "done"], [s["message"] for s in states]
    summary = asha.get(f"/api/sweeps/{states[0]['sweep']}").json()
    assert (summary["stored"], summary["solved"], summary["failed"]) == (1, 1, 0)


# -- 2. who may call what -----------------------------------------------------------------------
#: Every endpoint of the API (path as in the OpenAPI description), in some variants, and the
#: status each role gets with a request that would succeed for a role allowed to make it.
#: "shared": a plan shown to the partner EMS-A (the partner role is its user ems-a); "not
#: shared": one that is not (test_partners_see_only_their_own_rows_without_money has the
#: rest of that); "costs": a table partners never see.
# fmt: off
MATRIX: list[tuple[str, str, str, int, int, int, int, int]] = [
    # method  path                                    variant       admin plan. view. partner anon.
    ("GET",    "/api/health",                          "",           200, 200, 200, 200, 200),
    ("POST",   "/api/login",                           "",           200, 200, 200, 200, 200),
    ("POST",   "/api/logout",                          "",           204, 204, 204, 204, 401),
    ("GET",    "/api/me",                              "",           200, 200, 200, 200, 401),
    ("POST",   "/api/networks",                        "",           201, 201, 403, 403, 401),
    ("GET",    "/api/scenarios",                       "",           200, 200, 200, 403, 401),
    ("POST",   "/api/scenarios",                       "",           201, 201, 403, 403, 401),
    ("GET",    "/api/scenarios/{name}",                "",           200, 200, 200, 403, 401),
    ("POST",   "/api/overrides/check",                 "",           200, 200, 403, 403, 401),
    ("GET",    "/api/jobs",                            "",           200, 200, 200, 403, 401),
    ("GET",    "/api/jobs/{job_id}",                   "",           200, 200, 200, 403, 401),
    ("GET",    "/api/jobs/{job_id}/events",            "",           200, 200, 200, 403, 401),
    ("GET",    "/api/plans",                           "",           200, 200, 200, 200, 401),
    ("GET",    "/api/plans/{plan_id}",                 "shared",     200, 200, 200, 200, 401),
    ("GET",    "/api/plans/{plan_id}",                 "not shared", 200, 200, 200, 404, 401),
    ("GET",    "/api/plans/{plan_id}/tables/{table}",  "shared",     200, 200, 200, 200, 401),
    ("GET",    "/api/plans/{plan_id}/tables/{table}",  "costs",      200, 200, 200, 404, 401),
    ("GET",    "/api/plans/{plan_id}/workbook",        "shared",     200, 200, 200, 200, 401),
    ("POST",   "/api/plans/{plan_id}/shares",          "",           204, 204, 403, 403, 401),
    ("GET",    "/api/compare",                         "",           200, 200, 200, 403, 401),
    ("GET",    "/api/users",                           "",           200, 403, 403, 403, 401),
    ("POST",   "/api/users",                           "",           201, 403, 403, 403, 401),
    ("DELETE", "/api/users/{name}",                    "",           204, 403, 403, 403, 401),
    ("GET",    "/api/audit",                           "",           200, 403, 403, 403, 401),
    ("GET",    "/api/sweeps/{sweep_id}",               "",           200, 200, 200, 403, 401),
    ("GET",    "/api/stress/{sweep_id}",               "",           200, 200, 200, 403, 401),
    # last: the jobs they queue would only slow the rows after them
    ("POST",   "/api/scenarios/{name}/plans",          "",           202, 202, 403, 403, 401),
    ("POST",   "/api/sweeps",                          "",           202, 202, 403, 403, 401),
    ("POST",   "/api/stress",                          "",           202, 202, 403, 403, 401),
]
# fmt: on
@dataclass
class Matrix:
    """The concrete request of each row of :data:`MATRIX` for each role."""

    team: Team
    day: Day
    tiny: Tiny
    found: dict[str, Any] = field(default_factory=dict)

    def tiny_plan(self) -> int:
        """The plan of ``tiny`` (waiting for it)."""
        if "plan" not in self.found:
            state = wait_job(self.team.client("asha"), self.tiny.plan_job, JOB_TIMEOUT_S)
            assert state["status"] == "done", state
            self.found["plan"] = state["plan"]
        plan: int = self.found["plan"]
        return plan

    def stress_job(self) -> int:
        """A stress test of the plan of ``tiny``, queued."""
        if "stress job" not in self.found:
            body = {"plan": f"#{self.tiny_plan()}", "variations": [VARIATION], "samples": 1}
            answer = self.team.client("asha").post("/api/stress", json=body)
            assert answer.status_code == 202, answer.text
            self.found["stress job"] = answer.json()["job"]
        job: int = self.found["stress job"]
        return job

    def sweep(self, kind: str) -> str:
        """The id of the sweep of ``tiny``, or of the stress test of its plan (waiting for
        it to start)."""
        if kind not in self.found:
            job = self.tiny.sweep_jobs[0] if kind == "sweep" else self.stress_job()
            self.found[kind] = sweep_of(self.team.client("asha"), job)
        sweep: str = self.found[kind]
        return sweep

    def client(self, path: str, user: str | None) -> httpx.Client:
        server = self.team.server
        if user is None:
            return server.client()
        if path == "/api/logout":
            return server.client(server.token(user))  # a session of its own to end
        return self.team.client(user)

    def request(self, method: str, path: str, variant: str, role: str) -> httpx.Response:
        user = ROLE_USERS[role]
        base, cn = self.day.plans["base"], self.day.plans[CN_PLUS_20]
        plan = cn if variant == "not shared" else base
        job = self.day.jobs["base"]
        url = path.format(
            name="base",
            job_id=job,
            plan_id=plan,
            table="costs" if variant == "costs" else "production",
            sweep_id=self.sweep("sweep" if "sweeps" in path else "stress")
            if "{sweep_id}" in path
            else "",
        )
        options: dict[str, Any] = {}
        if (method, path) == ("POST", "/api/login"):
            options["json"] = {"username": user or "vikram", "password": PASSWORD}
        elif (method, path) == ("POST", "/api/networks"):
            options["files"] = {"file": ("small.xlsx", self.tiny.workbook, XLSX)}
        elif (method, path) == ("POST", "/api/scenarios"):
            options["json"] = {"name": f"matrix-{role}", "network": self.tiny.network}
        elif (method, path) == ("POST", "/api/scenarios/{name}/plans"):
            url = "/api/scenarios/tiny/plans"
            options["json"] = {}
        elif path == "/api/overrides/check":
            options["json"] = {"from_scenario": "base", "overrides": [OVERRIDE, VARIATION]}
        elif path == "/api/plans/{plan_id}/shares":
            options["json"] = {"partner": "EMS-A"}
        elif path == "/api/compare":
            options["params"] = {"plans": f"{base},{cn}"}
        elif (method, path) == ("POST", "/api/users"):
            options["json"] = {"name": f"matrix-{role}", "role": "viewer", "password": PASSWORD}
        elif (method, path) == ("DELETE", "/api/users/{name}"):
            doomed = f"doomed-{role}"
            body = {"name": doomed, "role": "viewer", "password": PASSWORD}
            made = self.team.client("root-admin").post("/api/users", json=body)
            assert made.status_code == 201, made.text
            url = f"/api/users/{doomed}"
        elif path in ("/api/sweeps", "/api/stress"):
            # one sample, a seed of each role's own: sweeps of their own (see
            # test_the_same_sweep_twice_at_once)
            target: dict[str, Any] = {"scenario": "tiny"}
            if path == "/api/stress":
                target = {"plan": f"#{self.tiny_plan()}"}
            seed = ROLES.index(role) + 1
            options["json"] = target | {"variations": [VARIATION], "samples": 1, "seed": seed}
        return self.client(path, user).request(method, url, **options)


@pytest.mark.parametrize("team", ["sqlite"], indirect=True)
def test_every_endpoint_answers_each_role_as_the_matrix_says(
    team: Team, planned: Day, tiny: Tiny
) -> None:
    spec = httpx.get(f"{team.server.base_url}/api/openapi.json", timeout=60).json()
    verbs = {"get", "put", "post", "delete", "patch", "head", "options"}
    in_spec = {(m.upper(), p) for p, item in spec["paths"].items() for m in item if m in verbs}
    in_matrix = {(row[0], row[1]) for row in MATRIX}
    assert not in_spec - in_matrix, f"endpoints without a row in MATRIX: {in_spec - in_matrix}"
    assert not in_matrix - in_spec, f"rows of MATRIX the API does not have: {in_matrix - in_spec}"

    shared = team.client("asha").post(
        f"/api/plans/{planned.plans['base']}/shares", json={"partner": "EMS-A"}
    )
    assert shared.status_code == 204, shared.text
    matrix = Matrix(team, planned, tiny)
    matrix.stress_job()  # to have started when its rows come
    wrong: list[str] = []
    for method, path, variant, *statuses in MATRIX:
        for role, status in zip(ROLES, statuses, strict=True):
            answer = matrix.request(method, path, variant, role)
            where = f"{method} {path} {variant} as {role}"
            if answer.status_code != status:
                wrong.append(f"{where}: {answer.status_code}, not {status}: {answer.text[:300]}")
            elif status >= 400:
                assert_error(answer, status)
            elif status == 200 and "events" not in path and "workbook" not in path:
                assert answer.json() is not None, where
    assert not wrong, "\n".join(wrong)


# -- 4. errors (continued): upload limits and the login throttle, on a server of their own --
@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory, admin_store: str) -> Iterator[Team]:
    """A server on SQLite that accepts uploads of 0.1 MB expanding to 1 MB at most. Its users
    log in before any test runs (the throttle test locks this machine's address out of
    logging in until the server restarts)."""
    tmp = tmp_path_factory.mktemp("limited")
    limits = ("--max-upload-mb", "0.1", "--max-expanded-mb", "1")
    with serving("sqlite", tmp, admin_store, *limits) as team:
        for user in ("asha", "root-admin"):
            team.client(user)
        yield team


def test_an_upload_over_the_limit_is_413(limited: Team, tiny_workbook: Path) -> None:
    asha = limited.client("asha")
    small = asha.post("/api/networks", files={"file": ("small.xlsx", tiny_workbook.read_bytes())})
    assert small.status_code == 201, small.text  # below the limit: read as usual
    big = os.urandom(200_000)
    body = assert_error(asha.post("/api/networks", files={"file": ("big.xlsx", big)}), 413)
    assert "--max-upload-mb" in body["detail"]
    # the same without a declared length (chunked): counted as it arrives
    request = asha.build_request("POST", "/api/networks", files={"file": ("big.xlsx", big)})
    data = request.read()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(data), 16_384):
            yield data[start : start + 16_384]

    headers = {"Content-Type": request.headers["Content-Type"]}
    answer = asha.post("/api/networks", content=chunks(), headers=headers)
    assert "content-length" not in answer.request.headers
    assert_error(answer, 413)
    scenario = {"name": "big", "from_scenario": "base", "description": "x" * 200_000}
    assert_error(asha.post("/api/scenarios", json=scenario), 413)
    assert asha.get("/api/me").status_code == 200  # the server goes on


def test_a_zip_bomb_is_413(limited: Team) -> None:
    asha = limited.client("asha")
    zeros = b"\0" * (5 * 2**20)
    bomb = zipped({"sites.csv": zeros})
    assert len(bomb) < 100_000  # passes the upload limit, expands far beyond the other
    body = assert_error(asha.post("/api/networks", files={"file": ("bomb.zip", bomb)}), 413)
    assert "--max-expanded-mb" in body["detail"]
    workbook_bomb = zipped({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": zeros})
    answer = asha.post("/api/networks", files={"file": ("bomb.xlsx", workbook_bomb)})
    assert_error(answer, 413)


def test_failed_logins_are_throttled_and_audited(limited: Team) -> None:
    url = f"{limited.server.base_url}/api/login"
    for _ in range(5):
        wrong = httpx.post(url, json={"username": "vikram", "password": "not the password"})
        assert_error(wrong, 401)
    right = httpx.post(url, json={"username": "vikram", "password": PASSWORD})
    body = assert_error(right, 429)
    assert 0 < int(right.headers["retry-after"]) <= 15 * 60
    assert "token" not in body
    # the address is throttled too: another user from it waits as well
    assert_error(httpx.post(url, json={"username": "ems-a", "password": PASSWORD}), 429)
    assert limited.client("asha").get("/api/me").status_code == 200  # sessions go on
    log = limited.client("root-admin").get("/api/audit").json()
    attempts = [e for e in log if e["user"] == "vikram" and e["action"] == "login"]
    assert [e["outcome"] for e in attempts].count("failed") == 5
    assert "throttled" in [e["outcome"] for e in attempts]
    assert all(e["detail"] == "127.0.0.1" for e in attempts)
    assert not [e for e in attempts if e["outcome"] == "ok"]


# -- 5. a server killed while a job runs --------------------------------------------------------
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_job_of_a_killed_server_is_interrupted_and_runs_again(
    limited: Team, example_workbook: Path
) -> None:
    asha = limited.client("asha")
    files = {"file": ("india-2023.xlsx", example_workbook.read_bytes(), XLSX)}
    network = asha.post("/api/networks", files=files).json()["id"]
    answer = asha.post("/api/scenarios", json={"name": "long", "network": network})
    assert answer.status_code == 201, answer.text
    job = asha.post("/api/scenarios/long/plans", json={"time_limit": 3600}).json()["job"]

    def at_work() -> dict[str, Any] | None:
        state: dict[str, Any] = asha.get(f"/api/jobs/{job}").json()
        assert state["status"] in ("queued", "running"), state
        return state if state["status"] == "running" and state["progress"] > 0 else None

    wait_for(f"job {job} to be at work", at_work)
    below = descendants(limited.server.process.pid)
    workers = [pid for pid, command in below.items() if "spawn_main" in command]
    assert workers, f"no job worker process under the server: {below}"
    limited.server.kill()

    def gone() -> bool:
        return not [pid for pid in below if alive(pid)]

    try:
        wait_for("the server's processes to end", gone, timeout=30)
    except AssertionError:
        survivors = {pid: command for pid, command in below.items() if alive(pid)}
        raise AssertionError(f"processes outlived the killed server: {survivors}") from None
    with sqlite3.connect(limited.db) as check:
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    check.close()

    limited.restart()
    asha = limited.client("asha")
    state = asha.get(f"/api/jobs/{job}").json()
    assert state["status"] == "interrupted", state
    assert state["message"] and state["finished_at"] and state["plan"] is None
    assert asha.get("/api/plans", params={"scenario": "long"}).json() == []
    job = asha.post("/api/scenarios/long/plans", json={"mip_gap": 0.01}).json()["job"]
    state = wait_job(asha, job, JOB_TIMEOUT_S)
    assert state["status"] == "done", state
    plans = asha.get("/api/plans", params={"scenario": "long"}).json()
    assert [p["id"] for p in plans] == [state["plan"]] and plans[0]["status"] == "ok"
    assert "Traceback" not in limited.log.read_text()
