"""Planning jobs: queued in the store, run in worker processes apart from the web process.

The web process only adds a job (``queued``) and answers 202. A :class:`JobRunner`
thread in the web process claims queued jobs, at most ``workers`` at once, and starts
one process per job (``spawn``: a fresh interpreter, no state shared with the web
process). The process plans the scenario (or runs the sweep or stress test) through the
library, writing its progress into the job's row, which ``GET /api/jobs/{id}`` and its
event stream read. A job process dies with the server (Linux: the parent-death signal),
and a job left ``running`` by a server that stopped is marked ``interrupted`` when the
next one starts (:meth:`emsplan.store.team.Team.interrupt_unfinished`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import multiprocessing
import os
import signal
import sys
import threading
from typing import Any

from emsplan.store.store import as_author, now

log = logging.getLogger("emsplan.web")

#: Rough share of a plan job done when the pipeline reaches each stage.
PLAN_STAGES = {
    "validating": 0.05,
    "building": 0.15,
    "solving": 0.3,
    "writing": 0.85,
    "reading": 0.9,
    "storing": 0.95,
}


class JobRunner:
    """Starts queued jobs in worker processes, at most ``workers`` at once."""

    def __init__(self, url: str, workers: int, sweep_workers: int = 1, poll_s: float = 0.2):
        from emsplan.store import Store
        from emsplan.store.team import Team

        self.url = url
        self.workers = workers
        self.sweep_workers = sweep_workers
        self.poll_s = poll_s
        self.team = Team(Store(url))
        self.running: dict[int, multiprocessing.process.BaseProcess] = {}
        #: What each running job works on: a job of the same waits (see :func:`job_key`).
        self.keys: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="emsplan-jobs", daemon=True)
        self._context = multiprocessing.get_context("spawn")

    def start(self) -> None:
        self._thread.start()

    def alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        """Stop claiming jobs; end the running ones and mark them ``interrupted``."""
        self._stop.set()
        self._thread.join(timeout=10)
        for job_id, process in list(self.running.items()):
            process.terminate()
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
            self._finish_if_open(job_id, "interrupted", "The server stopped while it ran.")
        self.running.clear()
        self.team.store.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._tick()
            except Exception:  # the store busy or away: try again on the next tick
                log.exception("the job runner could not read the queue")
            self._stop.wait(self.poll_s)

    def _tick(self) -> None:
        for job_id, process in list(self.running.items()):
            if not process.is_alive():
                process.join()
                del self.running[job_id]
                self.keys.pop(job_id, None)
                self._finish_if_open(
                    job_id,
                    "failed",
                    f"The job's worker process ended unexpectedly (exit code "
                    f"{process.exitcode}); see the server's log.",
                )
        while len(self.running) < self.workers and not self._stop.is_set():
            job = self.team.claim_next(busy=lambda j: job_key(j) in self.keys.values())
            if job is None:
                break
            self.keys[job.id] = job_key(job)
            process = self._context.Process(
                target=run_job,
                args=(self.url, job.id, self.sweep_workers, self.workers == 1),
                name=f"emsplan-job-{job.id}",
            )
            process.start()
            self.running[job.id] = process
            log.info("job %s (%s %s) started by %s", job.id, job.kind, job.target, job.created_by)

    def _finish_if_open(self, job_id: int, status: str, message: str) -> None:
        job = self.team.job(job_id)
        if job is not None and not job.finished:
            self.team.update_job(job_id, status=status, message=message, finished_at=now())


def job_key(job: Any) -> str:
    """What a job works on: two jobs with one key never run at once (two of the same sweep
    would solve the same samples; the second, run after the first, finds them stored)."""
    if job.kind == "plan":
        return f"plan:{job.id}"  # plans of one scenario may run side by side
    return json.dumps([job.kind, job.target, job.params], sort_keys=True, default=str)


def _die_with_parent() -> None:
    """Linux: the kernel kills this process when its parent (the server) dies."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)


def run_job(url: str, job_id: int, sweep_workers: int = 1, alone: bool = True) -> None:
    """A job process: run job ``job_id`` of the store at ``url`` and record how it ended.
    ``alone``: the only job the server runs at a time, which may race HiGHS's algorithms on
    the machine's cores (:mod:`emsplan.optimization.race`)."""
    _die_with_parent()
    if not alone:
        from emsplan.optimization.choice import allow_race

        allow_race(False)
    from emsplan.api.errors import describe
    from emsplan.store import Store
    from emsplan.store.team import Team

    store = Store(url)
    team = Team(store)
    job = team.job(job_id)
    if job is None:
        return
    os.environ["LOGNAME"] = job.created_by  # the author of what the sweep's workers store
    try:
        with as_author(job.created_by):
            values = _run(store, team, job.id, job.kind, job.target, job.params, sweep_workers)
        team.update_job(job_id, finished_at=now(), **values)
    except BaseException as exc:  # every failure is the job's outcome, never a crash
        report = describe(exc)
        message = report.message
        if report.kind == "internal":
            logging.basicConfig(format="%(asctime)s %(name)s %(levelname)s %(message)s")
            log.exception("job %s failed", job_id)
            message = (
                f"Internal error: {type(exc).__name__}: {exc}. This is a bug in emsplan, not "
                "a problem with the scenario; the server's log has the traceback. Please "
                "report it."
            )
        team.update_job(job_id, status="failed", message=message, finished_at=now())
    finally:
        store.close()


def _run(
    store: Any,
    team: Any,
    job_id: int,
    kind: str,
    target: str,
    params: dict[str, Any],
    sweep_workers: int,
) -> dict[str, Any]:
    """Run one job; the values its row ends with."""
    settings = {k: params[k] for k in ("time_limit", "mip_gap") if params.get(k) is not None}
    if kind == "plan":
        return _plan(store, team, job_id, target, settings)
    return _sweep(store, team, job_id, kind, target, params, settings, sweep_workers)


def _plan(
    store: Any, team: Any, job_id: int, scenario: str, settings: dict[str, Any]
) -> dict[str, Any]:
    from emsplan.api.errors import no_plan_message
    from emsplan.scenarios.stored import plan_scenario

    def progress(message: str) -> None:
        share = next((v for k, v in PLAN_STAGES.items() if message.startswith(k)), None)
        values: dict[str, Any] = {"stage": message[:200]}
        if share is not None:
            values["progress"] = share
        team.update_job(job_id, **values)

    outcome = plan_scenario(store, scenario, progress=progress, **settings)
    if outcome.error is not None:
        return {
            "status": "failed",
            "plan_id": outcome.plan_id,
            "stage": "no plan",
            "message": no_plan_message(outcome.error),
        }
    result = outcome.result
    assert result is not None
    return {
        "status": "done",
        "plan_id": outcome.plan_id,
        "progress": 1.0,
        "stage": "done",
        "message": f"Plan #{outcome.plan_id} of {scenario}: total cost {result.objective:,.2f}.",
    }


def _sweep(
    store: Any,
    team: Any,
    job_id: int,
    kind: str,
    target: str,
    params: dict[str, Any],
    settings: dict[str, Any],
    sweep_workers: int,
) -> dict[str, Any]:
    from emsplan.scenarios import sweep
    from emsplan.scenarios.overrides import from_dict
    from emsplan.scenarios.stored import stored_plan

    variations = [from_dict(v) for v in params["variations"]]
    options: dict[str, Any] = {}
    if kind == "stress":
        plan = stored_plan(store, target)
        network = store.network(plan.network_hash)
        options = {"scenario": plan.scenario, "plan_id": plan.id, "fixed": plan.decisions}
    else:
        network = store.network(store.scenario(target).network_hash)
        options = {"scenario": target}

    def started(info: Any, todo: int, total: int) -> None:
        team.update_job(job_id, sweep_id=info.id, stage=f"{total - todo} of {total} samples")

    def progress(done: int, total: int) -> None:
        team.update_job(job_id, progress=done / total, stage=f"{done} of {total} samples")

    summary = sweep.run(
        store,
        network,
        variations,
        int(params["samples"]),
        int(params.get("seed", 0)),
        kind=kind,
        settings=settings,
        keep_tables=bool(params.get("tables", kind == "sweep")),
        workers=sweep_workers,
        progress=progress,
        started=started,
        **options,
    )
    return {
        "status": "done",
        "sweep_id": summary.sweep.id,
        "progress": 1.0,
        "stage": "done",
        "message": f"{summary.solved} of {summary.samples} samples solved "
        f"({summary.failed} failed) in {summary.seconds:.1f} s.",
    }
