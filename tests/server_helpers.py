"""Helpers of the server tests: a real ``emsplan serve`` in a subprocess on a free loopback
port, users made with the real ``emsplan user add``, and a logged-in HTTP client.

::

    with running_server(store) as server:          # store: a SQLite path or a URL
        client = server.login("asha")              # httpx.Client with a bearer token
        client.get("/api/scenarios")
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from conftest import subprocess_env

#: The password of every test user.
PASSWORD = "a long test password"

#: The users of :func:`add_team`: name -> (role, partner).
TEAM: dict[str, tuple[str, str | None]] = {
    "root-admin": ("admin", None),
    "asha": ("planner", None),
    "vikram": ("viewer", None),
    "ems-a": ("partner", "EMS-A"),
    "ems-b": ("partner", "EMS-B"),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def emsplan(*args: str, db: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command line on store ``db``."""
    return subprocess.run(
        [sys.executable, "-m", "emsplan", *args, "--db", db],
        input=stdin,
        capture_output=True,
        text=True,
        env=subprocess_env(),
        timeout=120,
    )


def add_team(db: str, team: dict[str, tuple[str, str | None]] = TEAM) -> None:
    """Add the users of ``team`` with the real ``emsplan user add``."""
    for name, (role, partner) in team.items():
        extra = ["--partner", partner] if partner else []
        done = emsplan(
            "user",
            "add",
            name,
            "--role",
            role,
            *extra,
            "--password-stdin",
            db=db,
            stdin=PASSWORD + "\n",
        )
        assert done.returncode == 0, done.stderr + done.stdout


@dataclass
class Server:
    """A running ``emsplan serve``."""

    process: subprocess.Popen[bytes]
    base_url: str
    db: str
    log: Path
    clients: list[httpx.Client] = field(default_factory=list)

    def client(self, token: str | None = None, **options: object) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        client = httpx.Client(base_url=self.base_url, headers=headers, timeout=60, **options)  # type: ignore[arg-type]
        self.clients.append(client)
        return client

    def token(self, name: str, password: str = PASSWORD) -> str:
        answer = httpx.post(
            f"{self.base_url}/api/login", json={"username": name, "password": password}, timeout=60
        )
        assert answer.status_code == 200, answer.text
        token: str = answer.json()["token"]
        return token

    def login(self, name: str, password: str = PASSWORD) -> httpx.Client:
        """A client logged in as ``name`` with a bearer token."""
        return self.client(self.token(name, password))

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the server (its job processes die with it)."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)


def wait_healthy(
    base_url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"emsplan serve exited ({process.returncode}):\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"emsplan serve did not answer in {timeout} s:\n{log.read_text()}")


def start_server(db: str, log: Path, *extra: str) -> Server:
    """Start ``emsplan serve`` on a free loopback port and wait until it answers."""
    port = free_port()
    handle = log.open("ab")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "emsplan",
            "serve",
            "--port",
            str(port),
            "--db",
            db,
            "--log-level",
            "warning",
            *extra,
        ],
        stdout=handle,
        stderr=subprocess.STDOUT,
        env=subprocess_env(),
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base_url, process, log)
    except BaseException:
        process.kill()
        process.wait()
        raise
    return Server(process, base_url, db, log)


def stop_server(server: Server) -> None:
    for client in server.clients:
        client.close()
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGINT)
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@contextmanager
def running_server(db: str, log: Path, *extra: str) -> Iterator[Server]:
    """A real server on store ``db`` for the ``with`` block (logs to ``log``)."""
    server = start_server(db, log, *extra)
    try:
        yield server
    finally:
        stop_server(server)


def wait_job(client: httpx.Client, job: int, timeout: float = 300) -> dict[str, object]:
    """The job's state once it has finished."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state: dict[str, object] = client.get(f"/api/jobs/{job}").raise_for_status().json()
        if state["status"] in ("done", "failed", "interrupted"):
            return state
        time.sleep(0.3)
    raise AssertionError(f"job {job} did not finish in {timeout} s")


__all__ = [
    "PASSWORD",
    "TEAM",
    "Server",
    "add_team",
    "emsplan",
    "free_port",
    "running_server",
    "start_server",
    "stop_server",
    "wait_job",
]
