"""Property-based fuzzing of the team server's whole API with schemathesis, against a real
``emsplan serve`` (a subprocess on loopback, a SQLite store in a temporary folder).

The server holds real data before the fuzzing starts: the bundled example uploaded,
scenario ``base`` and its plan #1 (job 1) solved and shown to the partner EMS-A, and the
small network of the tests as scenario ``small`` with plan #2 (job 2), for comparisons.
Hooks turn about half of the generated plan and job ids, table names, scenario and plan
references into real ones (:func:`api_schema`), so that the reads go past the 404 into
the real code and data.

Every operation of ``/api/openapi.json`` is then called with generated and malformed
inputs (schemathesis' examples, coverage and fuzzing phases; positive and negative
generation) three times over: as the admin ``root-admin`` (bearer token), anonymously,
and as the partner ``ems-a``. Whatever the input:

- no answer is a 5xx;
- every error answer (4xx) is JSON with a string ``detail``;
- no answer carries a Python traceback (nor does the server's log, at the end).

Bounds: hypothesis draws at most :data:`MAX_EXAMPLES` inputs per operation and role in
the fuzzing phase (the coverage phase adds its own boundary cases, a few dozen per
operation), derandomized, so a run is reproducible. The module takes about 2.5 minutes
on two quiet cores, of which about a minute is the set-up (starting the server, planning
the example).

What the fuzzer must not do to the session it runs with:

- ``POST /api/logout`` would end the caller's session; each role logs out with a
  sacrificial session of the same user instead (the first call ends it; the rest check
  the answer for an ended session).
- ``DELETE /api/users/{name}`` for one of the test users would remove the caller; those
  names are skipped.
- ``POST /api/login`` fails often, and after 5 failures the server refuses logins from
  this address (429): every session is opened before the fuzzing.

Jobs: the server runs one planning job at a time (``--workers 1``). Plan requests keep
their generated scenario names (never ``base``); a sweep or stress request is accepted
only if it names a stored scenario or plan and its variations parse and are random,
which generated variations practically never do. Whatever is queued waits its turn,
and the server interrupts it when it stops. :func:`test_job_requests_refused_clearly`
checks those three operations with explicit bad bodies on the real scenario and plan.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests  # schemathesis' transport
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import emsplan
from conftest import small_tables
from server_helpers import PASSWORD, TEAM, Server, add_team, running_server, wait_job

#: Inputs per operation and role in the fuzzing phase.
MAX_EXAMPLES = 25
#: Seconds one request may take before the test gives up on it.
REQUEST_TIMEOUT = 60

FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,  # the same inputs on every run
    database=None,  # no .hypothesis folder in the work tree; nothing replayed across runs
    deadline=None,  # a real server: some answers (the plan workbook) take a second
    suppress_health_check=list(HealthCheck),
)


@dataclass
class Fuzzed:
    """The server under test and the sessions the fuzzing runs with."""

    server: Server
    #: role -> the headers of its requests ("anonymous": none).
    headers: dict[str, dict[str, str]]
    #: role -> the headers of a session it may end (POST /api/logout).
    sacrificial: dict[str, dict[str, str]]
    sessions: dict[str, requests.Session]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    tmp = tmp_path_factory.mktemp("fuzz")
    db = str(tmp / "store.db")
    workbook = tmp / "india-2023.xlsx"
    emsplan.examples.load("india-2023").write(workbook)  # what `emsplan example` writes
    # the admin with the real `emsplan user add` (each call is a process: a few seconds),
    # the partner user through the API
    add_team(db, {"root-admin": TEAM["root-admin"]})
    with running_server(db, tmp / "server.log", "--workers", "1") as server:
        admin = server.login("root-admin")
        partner = {"name": "ems-a", "role": "partner", "partner": "EMS-A", "password": PASSWORD}
        assert admin.post("/api/users", json=partner).status_code == 201
        upload = admin.post(
            "/api/networks", files={"file": ("india-2023.xlsx", workbook.read_bytes())}
        )
        assert upload.status_code == 201, upload.text
        added = admin.post("/api/scenarios", json={"name": "base", "network": upload.json()["id"]})
        assert added.status_code == 201, added.text
        # a second plan, so that a comparison has two to compare: of the small network of
        # the tests (it plans in a moment; the example takes seconds)
        small = emsplan.Network(small_tables(), name="small").write(tmp / "small.xlsx")
        upload = admin.post("/api/networks", files={"file": ("small.xlsx", small.read_bytes())})
        assert upload.status_code == 201, upload.text
        added = admin.post("/api/scenarios", json={"name": "small", "network": upload.json()["id"]})
        assert added.status_code == 201, added.text
        for job, scenario in ((1, "base"), (2, "small")):
            queued = admin.post(f"/api/scenarios/{scenario}/plans")
            assert queued.status_code == 202, queued.text
            assert queued.json()["job"] == job
        for job in (1, 2):  # one job at a time: job 1 is plan #1
            state = wait_job(admin, job)
            assert state["status"] == "done" and state["plan"] == job, state
        assert admin.get("/api/compare", params={"plans": "1,2"}).status_code == 200
        shared = admin.post("/api/plans/1/shares", json={"partner": "EMS-A"})
        assert shared.status_code == 204, shared.text
        # every session the fuzzing uses, made before it fuzzes POST /api/login: the
        # login throttle then refuses (429) further logins from this address
        headers = {
            "admin": _bearer(server.token("root-admin")),
            "anonymous": {},
            "partner": _bearer(server.token("ems-a")),
        }
        sacrificial = {
            "admin": _bearer(server.token("root-admin")),
            "anonymous": {},
            "partner": _bearer(server.token("ems-a")),
        }
        sessions = {role: requests.Session() for role in headers}
        try:
            yield Fuzzed(server, headers, sacrificial, sessions)
        finally:
            for session in sessions.values():
                session.close()
        assert "Traceback" not in server.log_text(), server.log_text()[-5000:]


#: Values that name the server's real data, mixed into the generated ones (see
#: :func:`api_schema`): path parameters, query parameters and body fields by name.
REAL_PATH: dict[str, list[Any]] = {
    "plan_id": [1],
    "job_id": [1],
    "table": ["flows", "production", "costs"],
}
REAL_QUERY: dict[str, list[Any]] = {"plans": ["1,2", "small,#1", "1,base,1"], "scenario": ["base"]}
REAL_BODY: dict[str, list[Any]] = {
    "partner": ["EMS-A", "EMS-B"],
    "scenario": ["base"],
    "plan": ["1", "#1"],
}
#: Operations whose real values would queue planning jobs or remove the fuzzing's users,
#: and the plan's workbook (about a second to write: the ids hypothesis draws by itself
#: reach plan 1 often enough).
NOT_REAL = {
    ("POST", "/api/scenarios/{name}/plans"),
    ("DELETE", "/api/users/{name}"),
    ("GET", "/api/plans/{plan_id}/workbook"),
}


def _half_real(value: Any, real: dict[str, list[Any]]) -> st.SearchStrategy[Any]:
    """``value`` (a generated dict), or it with some of its fields set to real values."""
    if not isinstance(value, dict) or not set(value) & set(real):
        return st.just(value)
    fields = {
        key: st.sampled_from([item, *real[key]]) if key in real else st.just(item)
        for key, item in value.items()
    }
    return st.fixed_dictionaries(fields)


@pytest.fixture(scope="module")
def api_schema(fuzzed: Fuzzed) -> Any:
    """The server's OpenAPI description, with hooks that turn about half of the generated
    ids, table names and references into the real ones (plan 1, job 1, scenario
    ``base``, ...) so that the reads go past the 404 into the real data."""
    loaded = schemathesis.openapi.from_url(
        f"{fuzzed.server.base_url}/api/openapi.json", timeout=REQUEST_TIMEOUT
    )

    def real_for(context: Any) -> bool:
        operation = context.operation
        return (operation.method.upper(), operation.path) not in NOT_REAL

    @loaded.hook
    def flatmap_path_parameters(context: Any, path_parameters: Any) -> Any:
        real = dict(REAL_PATH)
        if context.operation.path == "/api/scenarios/{name}":
            real["name"] = ["base"]
        return _half_real(path_parameters, real) if real_for(context) else st.just(path_parameters)

    @loaded.hook
    def flatmap_query(context: Any, query: Any) -> Any:
        return _half_real(query, REAL_QUERY)

    @loaded.hook
    def flatmap_body(context: Any, body: Any) -> Any:
        return _half_real(body, REAL_BODY) if real_for(context) else st.just(body)

    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")


def _body(response: Any) -> str:
    return response.content.decode("utf-8", errors="replace")


def _check(case: Any, fuzzed: Fuzzed, role: str) -> None:
    """Call ``case`` as ``role`` and check the answer."""
    operation = case.operation
    if (
        operation.method.upper() == "DELETE"
        and operation.path == "/api/users/{name}"
        and (case.path_parameters or {}).get("name") in TEAM
    ):
        return  # would remove a user the fuzzing runs as
    logout = operation.method.upper() == "POST" and operation.path == "/api/logout"
    headers = (fuzzed.sacrificial if logout else fuzzed.headers)[role]
    response = case.call(headers=headers, session=fuzzed.sessions[role], timeout=REQUEST_TIMEOUT)
    status = response.status_code
    text = _body(response)
    where = (
        f"{operation.method.upper()} {operation.path} as {role} answered {status}:\n"
        f"{text[:2000]}\nReproduce with:\n{case.as_curl_command(headers)}"
    )
    assert status < 500, where
    assert "Traceback" not in text, where
    if status >= 400:
        try:
            body = json.loads(text)
        except ValueError:
            raise AssertionError(f"not JSON: {where}") from None
        assert isinstance(body, dict), where
        assert isinstance(body.get("detail"), str), where
        assert body["detail"].strip(), where


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_admin(case: Any, fuzzed: Fuzzed) -> None:
    _check(case, fuzzed, "admin")


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_anonymous(case: Any, fuzzed: Fuzzed) -> None:
    _check(case, fuzzed, "anonymous")


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_partner(case: Any, fuzzed: Fuzzed) -> None:
    _check(case, fuzzed, "partner")


#: Bad requests to the three operations that queue jobs, on the real scenario and plan:
#: (method, path, JSON body, the status expected).
BAD_JOB_REQUESTS: list[tuple[str, str, Any, int]] = [
    ("POST", "/api/scenarios/base/plans", {"time_limit": 0}, 422),
    ("POST", "/api/scenarios/base/plans", {"time_limit": -1}, 422),
    ("POST", "/api/scenarios/base/plans", {"mip_gap": 2}, 422),
    ("POST", "/api/scenarios/base/plans", {"mip_gap": "x"}, 422),
    ("POST", "/api/scenarios/base/plans", {"threads": 4}, 422),
    ("POST", "/api/scenarios/base/plans", [1, 2], 422),
    ("POST", "/api/scenarios/base/plans", "plan", 422),
    ("POST", "/api/scenarios/no-such/plans", {}, 404),
    ("POST", "/api/sweeps", {}, 422),
    ("POST", "/api/sweeps", {"scenario": "base", "variations": []}, 422),
    ("POST", "/api/sweeps", {"scenario": "base", "variations": ["demand.qty*="]}, 422),
    ("POST", "/api/sweeps", {"scenario": "base", "variations": ["demand.qty*=1.1"]}, 422),
    ("POST", "/api/sweeps", {"scenario": "base", "variations": ["nope.qty*=uniform(1,2)"]}, 422),
    ("POST", "/api/sweeps", {"scenario": "base", "variations": [{"table": "demand"}]}, 422),
    ("POST", "/api/sweeps", {"scenario": "base", "variations": [7]}, 422),
    (
        "POST",
        "/api/sweeps",
        {"scenario": "base", "variations": ["demand.qty*=uniform(2,1)"]},
        422,
    ),
    (
        "POST",
        "/api/sweeps",
        {"scenario": "base", "variations": ["demand.qty*=normal(1,0.1)"], "samples": 0},
        422,
    ),
    ("POST", "/api/sweeps", {"scenario": "no-such", "variations": ["demand.qty*=1.1"]}, 404),
    ("POST", "/api/stress", {"plan": "1", "variations": []}, 422),
    ("POST", "/api/stress", {"plan": "#1", "variations": ["demand.qty*=1.1"]}, 422),
    ("POST", "/api/stress", {"plan": "1", "variations": ["demand.qty*=uniform(a,b)"]}, 422),
    ("POST", "/api/stress", {"plan": "999", "variations": ["demand.qty*=uniform(1,2)"]}, 404),
    ("POST", "/api/stress", {"plan": "#x", "variations": ["demand.qty*=uniform(1,2)"]}, 404),
    ("POST", "/api/stress", {"plan": "1", "variations": ["demand.qty*=uniform(1,2)"] * 101}, 422),
]


@pytest.mark.parametrize(("method", "path", "body", "expected"), BAD_JOB_REQUESTS)
def test_job_requests_refused_clearly(
    fuzzed: Fuzzed, method: str, path: str, body: Any, expected: int
) -> None:
    """The operations that queue jobs, with bodies that must queue nothing."""
    session = fuzzed.sessions["admin"]
    url = fuzzed.server.base_url + path
    before = session.get(
        fuzzed.server.base_url + "/api/jobs", headers=fuzzed.headers["admin"], timeout=60
    ).json()
    response = session.request(
        method, url, json=body, headers=fuzzed.headers["admin"], timeout=REQUEST_TIMEOUT
    )
    assert response.status_code == expected, response.text
    answer = response.json()
    assert isinstance(answer["detail"], str) and answer["detail"], answer
    assert "Traceback" not in response.text
    after = session.get(
        fuzzed.server.base_url + "/api/jobs", headers=fuzzed.headers["admin"], timeout=60
    ).json()
    assert [j["id"] for j in after] == [j["id"] for j in before], "a job was queued"


def test_table_filters_refused_clearly(fuzzed: Fuzzed) -> None:
    """The table filters (any query parameter but offset and limit) are not in the
    OpenAPI description, so the fuzzer does not try them."""
    session = fuzzed.sessions["admin"]
    base = fuzzed.server.base_url + "/api/plans/1/tables/flows"
    for role in ("admin", "partner"):
        headers = fuzzed.headers[role]
        for params, expected in [
            ({"origin": "EMS-A-NOIDA"}, 200),
            ({"origin": "EMS-A-NOIDA|DC-NORTH", "period": "2024-Q1"}, 200),
            ({"origin": ""}, 200),
            ({"origin": "\x00é%&="}, 200),
            ({"nope": "1"}, 422),
            ({"offset": "-1"}, 422),
            ({"limit": "0"}, 422),
            ({"limit": "x"}, 422),
        ]:
            response = session.get(base, params=params, headers=headers, timeout=60)
            assert response.status_code == expected, (role, params, response.text)
            answer = response.json()
            if expected >= 400:
                assert isinstance(answer["detail"], str), answer
            elif role == "partner":
                assert all(
                    "EMS-A-NOIDA" in (row["origin"], row["destination"]) for row in answer["rows"]
                ), answer


#: Requests the fuzzer found answered 500 (fixed): ids past 64 bits (SQLite cannot bind
#: them: OverflowError), digits int() does not read ("²"), and a plan compared with
#: itself (duplicate column labels); (method, path, query or body, status expected).
FOUND: list[tuple[str, str, dict[str, Any], int]] = [
    ("GET", "/api/plans/9223372036854775808", {}, 404),
    ("GET", "/api/plans/9223372036854775808/tables/flows", {}, 404),
    ("GET", "/api/plans/248441294724331768643584/workbook", {}, 404),
    ("POST", "/api/plans/9223372036854775808/shares", {"partner": "EMS-A"}, 404),
    ("GET", "/api/jobs/9223372036854775808", {}, 404),
    ("GET", "/api/jobs/9223372036854775808/events", {}, 404),
    ("GET", "/api/compare", {"plans": "1,9223372036854775808"}, 404),
    ("GET", "/api/compare", {"plans": "1,²"}, 404),
    ("GET", "/api/compare", {"plans": "1,1"}, 422),
    ("GET", "/api/compare", {"plans": "base,#1"}, 422),
    ("POST", "/api/stress", {"plan": "9223372036854775808", "variations": ["x"]}, 404),
    ("POST", "/api/stress", {"plan": "#²", "variations": ["x"]}, 404),
]


@pytest.mark.parametrize(("method", "path", "data", "expected"), FOUND)
def test_found_by_fuzzing(
    fuzzed: Fuzzed, method: str, path: str, data: dict[str, Any], expected: int
) -> None:
    session, url = fuzzed.sessions["admin"], fuzzed.server.base_url + path
    headers = fuzzed.headers["admin"]
    if method == "POST":
        response = session.post(url, json=data, headers=headers, timeout=REQUEST_TIMEOUT)
    else:
        response = session.get(url, params=data, headers=headers, timeout=REQUEST_TIMEOUT)
    assert response.status_code == expected, response.text
    assert isinstance(response.json()["detail"], str)
