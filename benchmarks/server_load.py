"""Load on the team server over loopback: many API clients reading plans while plans solve.

Starts a real ``emsplan serve`` (a SQLite store in a temporary folder, ``--workers 4``),
adds users (an admin with ``emsplan user add``; a planner, a viewer and a partner of
EMS-A through the API), uploads the bundled example and stores 4 scenarios (``base``
and 3 with demand overrides), plans two of them (so that reads, and a comparison, have
data), then, for ``--seconds``:

- queues 4 plan jobs at the start (one per scenario), which the server runs at once;
- runs ``--clients`` concurrent API clients (threads, one ``httpx.Client`` and one
  session each; 1 in 10 the partner, the rest the viewer), each reading as fast as the
  server answers (``--think``: a pause between reads): the plan (``GET /api/plans/1``),
  pages of its tables, a filtered table, the comparison of plans #1 and #2 (viewers)
  and the job list (viewers).

Records the requests done, the errors (any answer but 2xx, or an exception: there
must be none), the read latencies (median, P95, P99, overall and per kind), and
whether the 4 jobs ended ``done`` and how long they took (after the read phase the
script waits for jobs still running, up to ``--job-timeout``). Prints a table and
writes ``benchmarks/results/server_load.json``. The clients run on the same machine
as the server and its jobs, so they share its cores.

    python benchmarks/server_load.py                      # 50 clients for 60 s
    python benchmarks/server_load.py --seconds 20 --clients 10
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
RESULTS = HERE / "results"
sys.path.insert(0, str(SRC))

import httpx  # noqa: E402

import emsplan  # noqa: E402

PASSWORD = "a long benchmark password"
#: The scenarios: name -> overrides of the example.
SCENARIOS: dict[str, list[str]] = {
    "base": [],
    "demand-up-5": ["demand.qty*=1.05"],
    "demand-down-5": ["demand.qty*=0.95"],
    "demand-up-10": ["demand.qty*=1.10"],
}
#: Planned before the clock starts (plans #1 and #2): the plan the clients read, and a
#: second one to compare it with.
FIRST = ("base", "demand-up-5")
#: Output tables the clients page through, and a filter of one of them.
TABLES = ("flows", "purchases", "production", "inventory")
FILTER = ("flows", {"origin": "EMS-A-NOIDA|EMS-B-SPR"})
#: What a viewer reads, with weights; a partner reads the plan and its tables only.
VIEWER_READS = {"plan": 25, "table": 35, "filtered": 10, "compare": 15, "jobs": 15}
PARTNER_READS = {"plan": 30, "table": 60, "filtered": 10}


def env() -> dict[str, str]:
    """The environment of the server and the CLI: the package from this work tree."""
    variables = dict(os.environ)
    variables["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(SRC), os.environ.get("PYTHONPATH")])
    )
    return variables


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# -- the server -----------------------------------------------------------------------
@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path


def start_server(db: Path, log: Path, workers: int) -> Server:
    port = free_port()
    handle = log.open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "emsplan", "serve", "--port", str(port), "--db", str(db),
         "--workers", str(workers), "--log-level", "warning"],
        stdout=handle, stderr=subprocess.STDOUT, env=env(),
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"emsplan serve exited ({process.returncode}):\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return Server(process, url, log)
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    sys.exit(f"emsplan serve did not answer in 120 s:\n{log.read_text()}")


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGINT)
        try:
            server.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


def rss_mb(pid: int) -> float | None:
    """The resident memory of process ``pid`` in MB (Linux), None if unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def children(server: Server) -> list[int]:
    """The server's child processes (its planning jobs; Linux), by id: each thread of
    the server lists those it started."""
    found: list[int] = []
    for task in Path(f"/proc/{server.process.pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in (task / "children").read_text().split()]
    return found


def login(url: str, name: str) -> str:
    answer = httpx.post(
        f"{url}/api/login", json={"username": name, "password": PASSWORD}, timeout=60
    )
    answer.raise_for_status()
    token: str = answer.json()["token"]
    return token


def client(url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120)


def wait_jobs(api: httpx.Client, jobs: list[int], timeout: float) -> dict[int, dict[str, Any]]:
    deadline = time.monotonic() + timeout
    states: dict[int, dict[str, Any]] = {}
    while True:
        states = {j: api.get(f"/api/jobs/{j}").raise_for_status().json() for j in jobs}
        finished = all(s["status"] in ("done", "failed", "interrupted") for s in states.values())
        if finished or time.monotonic() > deadline:
            return states
        time.sleep(0.5)


def prepare(server: Server, workbook: Path) -> dict[str, str]:
    """Users, the network, the scenarios and the first plans; the users' tokens."""
    admin = client(server.url, login(server.url, "bench-admin"))
    for name, role, partner in (
        ("bench-planner", "planner", None),
        ("bench-viewer", "viewer", None),
        ("bench-partner", "partner", "EMS-A"),
    ):
        user = {"name": name, "role": role, "partner": partner, "password": PASSWORD}
        admin.post("/api/users", json=user).raise_for_status()
    planner = client(server.url, login(server.url, "bench-planner"))
    upload = planner.post(
        "/api/networks", files={"file": (workbook.name, workbook.read_bytes())}
    ).raise_for_status()
    network = upload.json()["id"]
    for name, overrides in SCENARIOS.items():
        body: dict[str, Any] = {"name": name, "network": network, "overrides": overrides}
        planner.post("/api/scenarios", json=body).raise_for_status()
    say(f"planning {', '.join(FIRST)} first ...")
    plans = []
    for name in FIRST:  # one after the other, so that they are plans #1 and #2
        job = planner.post(f"/api/scenarios/{name}/plans").raise_for_status().json()["job"]
        plans.append(wait_jobs(planner, [job], 600)[job])
    if [state["plan"] for state in plans] != [1, 2]:
        sys.exit(f"the first plans did not end as plans #1 and #2: {plans}")
    planner.post("/api/plans/1/shares", json={"partner": "EMS-A"}).raise_for_status()
    admin.close()
    planner.close()
    return {"planner": login(server.url, "bench-planner")}


# -- the clients ----------------------------------------------------------------------
@dataclass
class Tally:
    """What the clients did (every client thread adds to it, under the lock)."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, status: str, error: str | None) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            self.statuses[status] += 1
            if error is not None:
                self.errors.append(error)


def request_for(kind: str, rng: random.Random, rows: dict[str, int]) -> tuple[str, dict[str, Any]]:
    if kind == "plan":
        return "/api/plans/1", {}
    if kind == "table":
        table = rng.choice(TABLES)
        limit = 100
        offset = rng.randrange(0, max(1, rows.get(table, 0)), limit) if rows.get(table) else 0
        return f"/api/plans/1/tables/{table}", {"offset": offset, "limit": limit}
    if kind == "filtered":
        return f"/api/plans/1/tables/{FILTER[0]}", dict(FILTER[1])
    if kind == "compare":
        return "/api/compare", {"plans": "1,2"}
    return "/api/jobs", {"limit": 20}


def run_client(
    url: str,
    token: str,
    reads: dict[str, int],
    rows: dict[str, int],
    seed: int,
    until: float,
    tally: Tally,
    think: float = 0.0,
) -> None:
    rng = random.Random(seed)
    kinds, weights = list(reads), list(reads.values())
    with client(url, token) as api:
        while time.monotonic() < until:
            kind = rng.choices(kinds, weights)[0]
            path, params = request_for(kind, rng, rows)
            start = time.perf_counter()
            try:
                answer = api.get(path, params=params)
                seconds = time.perf_counter() - start
                ok = 200 <= answer.status_code < 300
                error = None if ok else f"{path} {params}: {answer.status_code} {answer.text[:300]}"
                tally.add(kind, seconds, str(answer.status_code), error)
            except Exception as exc:  # a failed request is an error of the run
                seconds = time.perf_counter() - start
                tally.add(kind, seconds, type(exc).__name__, f"{path} {params}: {exc!r}")
            if think:
                time.sleep(rng.expovariate(1 / think))


def quantiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"median": None, "p95": None, "p99": None, "max": None}
    ordered = sorted(values)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 else None

    def ms(x: float) -> float:
        return round(x * 1000, 1)

    return {
        "median": ms(statistics.median(ordered)),
        "p95": ms(cuts[94]) if cuts else ms(ordered[0]),
        "p99": ms(cuts[98]) if cuts else ms(ordered[0]),
        "max": ms(ordered[-1]),
    }


def seconds_between(start: str | None, end: str | None) -> float | None:
    from datetime import datetime

    if start is None or end is None:
        return None
    return round((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds(), 1)


def finished_within(began: str | None, finished: str | None, seconds: float) -> bool:
    after = seconds_between(began, finished)
    return after is not None and after <= seconds


def machine() -> dict[str, Any]:
    from importlib.metadata import version

    from run import host  # benchmarks/run.py: the machine's facts, as every script reports them

    packages = ("fastapi", "uvicorn", "httpx", "SQLAlchemy", "highspy")
    return {**host(), **{p: version(p) for p in packages}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the clients read")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4, help="emsplan serve --workers")
    parser.add_argument("--seed", type=int, default=0, help="the clients' choice of reads")
    parser.add_argument(
        "--jobs",
        type=int,
        default=len(SCENARIOS),
        help=f"plan jobs queued as the clients start, one per scenario in turn (default "
        f"{len(SCENARIOS)}; 0: the reads alone)",
    )
    parser.add_argument(
        "--mix",
        default=",".join(f"{k}={v}" for k, v in VIEWER_READS.items()),
        help="a viewer's reads and their weights (default: %(default)s); a partner's stay "
        "plan, table and filtered",
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean pause of a client between two reads, in seconds (0: none, as fast as "
        "the server answers)",
    )
    parser.add_argument(
        "--job-timeout", type=float, default=900.0, help="seconds to wait for the jobs after"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "server_load.json")
    args = parser.parse_args()
    try:
        args.viewer_reads = {
            k: int(w) for k, _, w in (p.partition("=") for p in args.mix.split(","))
        }
    except ValueError:
        parser.error(f"--mix: give kind=weight,... of {', '.join(VIEWER_READS)}")
    if not args.viewer_reads or set(args.viewer_reads) - set(VIEWER_READS):
        parser.error(f"--mix: give kind=weight,... of {', '.join(VIEWER_READS)}")

    with tempfile.TemporaryDirectory(prefix="emsplan-load-") as tmp:
        folder = Path(tmp)
        db = folder / "store.db"
        workbook = folder / "india-2023.xlsx"
        emsplan.examples.load("india-2023").write(workbook)
        added = subprocess.run(
            [sys.executable, "-m", "emsplan", "user", "add", "bench-admin", "--role", "admin",
             "--password-stdin", "--db", str(db)],
            input=PASSWORD + "\n", capture_output=True, text=True, env=env(),
        )  # fmt: skip
        if added.returncode != 0:
            sys.exit(added.stderr + added.stdout)
        server = start_server(db, folder / "server.log", args.workers)
        try:
            record = measure(server, workbook, args)
        finally:
            stop_server(server)
        log = server.log.read_text(errors="replace")
        record["server_log_tracebacks"] = log.count("Traceback")
        record["server_log_tail"] = log[-3000:] if record["server_log_tracebacks"] else ""
    print(report(record))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2) + "\n")
    say(f"wrote {args.out}")
    if record["errors"] or not record["jobs_all_done"]:
        sys.exit("errors, or jobs that did not end done: see above")


def measure(server: Server, workbook: Path, args: argparse.Namespace) -> dict[str, Any]:
    setup_start = time.perf_counter()
    tokens = prepare(server, workbook)
    viewer = client(server.url, login(server.url, "bench-viewer"))
    rows = viewer.get("/api/plans/1").raise_for_status().json()["tables"]
    client_tokens = [
        login(server.url, "bench-partner" if i % 10 == 9 else "bench-viewer")
        for i in range(args.clients)
    ]
    setup = time.perf_counter() - setup_start
    say(f"set up in {setup:.1f} s; queueing {args.jobs} plan jobs and starting "
        f"{args.clients} clients for {args.seconds:g} s ...")  # fmt: skip

    planner = client(server.url, tokens["planner"])
    start = time.monotonic()
    names = list(SCENARIOS)
    jobs = [
        planner.post(f"/api/scenarios/{names[i % len(names)]}/plans")
        .raise_for_status()
        .json()["job"]
        for i in range(args.jobs)
    ]
    until = start + args.seconds
    tally = Tally()
    threads = [
        threading.Thread(
            target=run_client,
            args=(
                server.url,
                token,
                PARTNER_READS if i % 10 == 9 else args.viewer_reads,
                rows,
                args.seed * 1000 + i,
                until,
                tally,
                args.think,
            ),
            daemon=True,
        )
        for i, token in enumerate(client_tokens)
    ]
    for thread in threads:
        thread.start()
    # while the clients read: the memory of the server and of its job processes
    peak_rss = peak_jobs_rss = 0.0
    while any(thread.is_alive() for thread in threads):
        peak_rss = max(peak_rss, rss_mb(server.process.pid) or 0.0)
        peak_jobs_rss = max(peak_jobs_rss, sum(rss_mb(c) or 0.0 for c in children(server)))
        time.sleep(0.5)
    elapsed = time.monotonic() - start
    say(f"clients stopped after {elapsed:.1f} s; waiting for the jobs still running ...")
    job_states = wait_jobs(planner, jobs, args.job_timeout)
    # the server's clock: the read phase began when the first job was queued
    began = min((state["created_at"] for state in job_states.values()), default=None)
    planner.close()
    viewer.close()

    every = [x for values in tally.latencies.values() for x in values]
    record: dict[str, Any] = {
        "command": "python benchmarks/server_load.py " + " ".join(sys.argv[1:]),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "machine": machine(),
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "settings": {
            "seconds": args.seconds,
            "clients": args.clients,
            "partner_clients": sum(1 for i in range(args.clients) if i % 10 == 9),
            "server_workers": args.workers,
            "seed": args.seed,
            "think_s": args.think,
            "scenarios": SCENARIOS,
            "viewer_reads": args.viewer_reads,
            "partner_reads": PARTNER_READS,
        },
        "setup_seconds": round(setup, 1),
        "read_seconds": round(elapsed, 1),
        "requests": len(every),
        "requests_per_second": round(len(every) / elapsed, 1),
        "errors": len(tally.errors),
        "error_samples": tally.errors[:10],
        "statuses": dict(tally.statuses),
        "latency_ms": quantiles(every),
        "latency_ms_by_kind": {
            kind: {"requests": len(values), **quantiles(values)}
            for kind, values in sorted(tally.latencies.items())
        },
        "server_peak_rss_mb": round(peak_rss, 1),
        "jobs_peak_rss_mb": round(peak_jobs_rss, 1),
        "jobs": [
            {
                "job": job,
                "scenario": state["target"],
                "status": state["status"],
                "plan": state["plan"],
                "message": state["message"],
                "queued_to_done_s": seconds_between(state["created_at"], state["finished_at"]),
                "run_s": seconds_between(state["started_at"], state["finished_at"]),
                "finished_while_reading": finished_within(began, state["finished_at"], elapsed),
            }
            for job, state in job_states.items()
        ],
        "jobs_all_done": all(s["status"] == "done" for s in job_states.values()),
        # from the first job queued to the last finished, by the server's clock
        "jobs_all_finished_after_s": seconds_between(
            began, max((s["finished_at"] or "") for s in job_states.values()) or None
        )
        if job_states
        else None,
    }
    return record


def report(record: dict[str, Any]) -> str:
    s = record["settings"]
    lines = [
        f"emsplan serve --workers {s['server_workers']}: {s['clients']} clients "
        f"({s['partner_clients']} partner) reading for {record['read_seconds']} s while "
        f"{len(record['jobs'])} plan jobs run; {record['machine']['nproc']} cores, load "
        f"average after: {', '.join(map(str, record['load_average_after']))}",
        "",
        f"requests: {record['requests']} ({record['requests_per_second']}/s), errors: "
        f"{record['errors']}, statuses: {record['statuses']}",
        f"peak RSS: server {record['server_peak_rss_mb']} MB, its job processes together "
        f"{record['jobs_peak_rss_mb']} MB; tracebacks in the server's log: "
        f"{record.get('server_log_tracebacks', 0)}",
        "",
        f"{'read':<10} {'requests':>9} {'median ms':>10} {'p95 ms':>9} {'p99 ms':>9} {'max ms':>9}",
    ]
    rows = [("all", {"requests": record["requests"], **record["latency_ms"]})]
    rows += list(record["latency_ms_by_kind"].items())
    for kind, q in rows:
        lines.append(
            f"{kind:<10} {q['requests']:>9} {q['median']:>10} {q['p95']:>9} {q['p99']:>9} "
            f"{q['max']:>9}"
        )
    lines += [
        "",
        f"{'job':>4} {'scenario':<14} {'status':<8} {'plan':>5} {'queued->done s':>15} "
        f"{'run s':>7} {'in the read phase':>18}",
    ]
    for job in record["jobs"]:
        lines.append(
            f"{job['job']:>4} {job['scenario']:<14} {job['status']:<8} {job['plan']!s:>5} "
            f"{job['queued_to_done_s']!s:>15} {job['run_s']!s:>7} "
            f"{'yes' if job['finished_while_reading'] else 'no':>18}"
        )
    lines.append(
        f"all jobs done: {record['jobs_all_done']} (the last finished "
        f"{record['jobs_all_finished_after_s']} s after they were queued)"
    )
    for error in record["error_samples"]:
        lines.append(f"error: {error}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
