"""Sweeps and stress tests: many sampled scenarios, solved in parallel with Dask.

A *sweep* draws ``samples`` scenarios from variations (overrides whose value
is a distribution, see :mod:`emsplan.scenarios.overrides`) and plans each one. A
*stress test* takes the strategic choices of a stored plan (which offers it
uses, which plants make what), and in each sampled scenario compares the
best plan that keeps those choices (unused offers and production fixed to
zero) with the scenario's own optimum: the difference is the *regret*.

Sampling is seeded and reproducible: sample ``i`` of seed ``s`` draws from
``numpy.random.default_rng([s, i])`` whatever the order or the number of
workers. Samples run on a :mod:`dask.distributed` cluster (a local one with
``workers`` processes, or the scheduler at ``scheduler``); each result is
written to the store as soon as it arrives, so an interrupted sweep resumes
where it stopped: samples already stored under the same sweep id, seed and
index are skipped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from emsplan.core.labels import at_period, offer_label, production_label
from emsplan.core.outcomes import Termination
from emsplan.core.problems import InputError
from emsplan.data.network import Network
from emsplan.optimization.commitments import commitment_values, define_commitments
from emsplan.optimization.reuse import Reuse
from emsplan.optimization.solver_options import check_solver
from emsplan.optimization.terms import constant, expression, total
from emsplan.scenarios.overrides import Override, OverrideError, apply, from_dict, resolve, sample
from emsplan.store import PlanRecord, Store, StoreError, SweepInfo, network_hash

if TYPE_CHECKING:
    import linopy

    from emsplan.optimization.data import PlanningData

#: The figures summarised by their 5th, 50th and 95th percentiles.
METRICS = ("total_cost", "service_level", "local_share")
QUANTILES = (0.05, 0.5, 0.95)


class ClusterError(RuntimeError):
    """The Dask cluster cannot be reached or started."""


@dataclass
class SweepSummary:
    """What a sweep or stress test found, read back from the store."""

    sweep: SweepInfo
    samples: int
    solved: int
    failed: int
    skipped: int
    quantiles: pd.DataFrame
    decisions: pd.DataFrame
    regret: pd.DataFrame = field(default_factory=pd.DataFrame)
    seconds: float = 0.0


# -- the work of one sample (runs on a worker) ------------------------------------------
def sample_network(
    network: Network, variations: Sequence[dict[str, Any]], seed: int, index: int
) -> tuple[Network, list[dict[str, Any]]]:
    """Sample ``index`` of ``seed``: the network and the overrides drawn for it."""
    rng = np.random.default_rng([seed, index])
    drawn = sample(resolve(network, [from_dict(v) for v in variations], random=True), rng)
    net = apply(network, drawn, rng=rng, name=f"{network.name}#{index}")
    return net, [o.to_dict() for o in drawn]


def solve_sample(
    network: Network,
    variations: Sequence[dict[str, Any]],
    seed: int,
    index: int,
    settings: dict[str, Any],
    keep_tables: bool = True,
    fixed: dict[str, list[Any]] | None = None,
) -> tuple[int, dict[str, PlanRecord]]:
    """Plan sample ``index``: ``{"": record}``, or with ``fixed`` choices (a stress test)
    ``{"own": its optimum, "fixed": the best plan keeping the choices}`` (only ``fixed``
    when ``settings["regret"]`` is False: no own optimum, no regret)."""
    variants = _variants(fixed, settings)
    try:
        net, drawn = sample_network(network, variations, seed, index)
    except (InputError, OverrideError) as exc:
        record = PlanRecord.failed(Termination.INVALID_INPUT, _one_line(exc), settings, [])
        return index, dict.fromkeys(variants, record)
    if fixed is None:
        kept = _kept(network, "", settings)
        return index, {"": _solve(net, settings, drawn, keep_tables, kept=kept)}
    fix = partial(fix_choices, unused=unused_choices(net, fixed), chosen=fixed)
    kept = _kept(network, "fixed", settings)
    out = {"fixed": _solve(net, settings, drawn, keep_tables, fix, kept)}
    if "own" in variants:
        out["own"] = _solve(net, settings, drawn, keep_tables, kept=_kept(network, "own", settings))
    return index, out


#: The HiGHS models this worker keeps between samples (the latest few sweeps' variants, per
#: thread), changed in place for each next sample: see :mod:`emsplan.optimization.reuse`.
_KEPT: dict[str, Reuse] = {}
_KEEP = 3


def _kept(network: Network, variant: str, settings: dict[str, Any]) -> Reuse | None:
    """The HiGHS model kept for samples of ``network``'s ``variant`` under ``settings`` in
    this thread; None where there is none to keep (another solver, or ``reuse`` off in the
    settings: every sample is then built anew)."""
    if settings.get("solver", "highs") != "highs" or settings.get("reuse") is False:
        return None
    key = json.dumps(
        [network.name, variant, settings, threading.get_ident()], sort_keys=True, default=str
    )
    kept = _KEPT.pop(key, None) or Reuse()
    _KEPT[key] = kept  # the latest last
    while len(_KEPT) > _KEEP:
        _KEPT.pop(next(iter(_KEPT))).close()
    return kept


def _variants(fixed: dict[str, list[Any]] | None, settings: dict[str, Any]) -> tuple[str, ...]:
    """The plans each sample stores: a sweep's one, a stress test's own and fixed (or only
    fixed, without regret)."""
    if fixed is None:
        return ("",)
    return ("own", "fixed") if settings.get("regret", True) else ("fixed",)


def _solve(
    net: Network,
    settings: dict[str, Any],
    drawn: list[dict[str, Any]],
    keep_tables: bool,
    extra: Callable[[linopy.Model, PlanningData], None] | None = None,
    kept: Reuse | None = None,
) -> PlanRecord:
    from emsplan.planning.pipeline import PlanningError, plan

    start = time.perf_counter()
    try:
        result = plan(
            net,
            solver_name=settings.get("solver", "highs"),
            solver_options=settings.get("solver_options") or None,
            time_limit=settings.get("time_limit"),
            mip_gap=settings.get("mip_gap"),
            extra_functionality=extra,
            validate=False,
            reuse=kept,
        )
    except PlanningError as exc:
        return PlanRecord.failed(
            exc.termination,
            _one_line(exc),
            settings,
            drawn,
            time.perf_counter() - start,
            settings.get("solver", "highs"),
        )
    record = PlanRecord.from_plan(result, settings, drawn, keep_tables)
    record.summary["worker"] = f"{socket.gethostname()}:{os.getpid()}"
    return record


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


# -- fixing the strategic choices of a plan ---------------------------------------------
def unused_choices(network: Network, used: dict[str, list[Any]]) -> dict[str, list[str]]:
    """Offers (``supplier/item``) and production rows (``plant/item``) of ``network``
    that a plan with decisions ``used`` does not use."""
    supply, production = network.supply, network.production
    offers = set(offer_label(supply["supplier"].astype(str), supply["item"].astype(str)))
    made = set(production_label(production["plant"].astype(str), production["item"].astype(str)))
    return {
        "sourcing": sorted(offers - set(used.get("sourcing", []))),
        "production": sorted(made - set(used.get("production", []))),
    }


def fix_choices(
    model: linopy.Model,
    data: PlanningData,
    unused: dict[str, list[str]],
    chosen: dict[str, list[Any]] | None = None,
) -> None:
    """``extra_functionality``: keep a plan's stage-1 decisions, re-optimise the rest.

    The stage-1 decisions (see :mod:`emsplan.scenarios.robust`), from the plan's
    ``chosen`` decisions (:func:`emsplan.store.decisions`): every option open or closed
    as in the plan (``Stress-fix-open``: lines, contracts, sites), the same single-source
    choices (``Stress-fix-source``) and market origins (``Stress-fix-market-source``),
    the volumes bought under contract and minimum-quantity options (take or pay: what is
    not taken is paid for at the offer's price, see :func:`_take_or_pay`), and the
    purchases committed ahead, from offers with a lead time: what is taken is at most
    what was committed, and all of it is paid (:mod:`emsplan.optimization.commitments`).
    Purchases with no lead time, production, flows and stock follow the scenario.

    A decision record from before commitments were recorded (no ``commitments`` key)
    keeps the older, stricter rule instead of the commitments: no purchase from the
    ``unused`` offers and nothing made by the unused production rows
    (``Stress-fix-buy``, ``Stress-fix-make``).
    """
    if chosen is None or "commitments" not in chosen:
        _fix_unused(model, unused)
    if chosen is None:
        return
    _fix_options(model, data, chosen)
    if "commitments" in chosen:
        table = pd.DataFrame(chosen["commitments"], columns=["supplier", "item", "period", "qty"])
        define_commitments(model, data, values=commitment_values(data, table))


def _fix_unused(model: linopy.Model, unused: dict[str, list[str]]) -> None:
    for var, dim, kind, name in (
        ("Supply-buy", "offer", "sourcing", "Stress-fix-buy"),
        ("Plant-make", "production", "production", "Stress-fix-make"),
    ):
        if var not in model.variables:
            continue
        variable = model.variables[var]
        labels = [x for x in unused[kind] if x in set(variable.coords[dim].values)]
        if labels:
            model.add_constraints(variable.sel({dim: labels}) == 0, name=name)


def _fix_options(model: linopy.Model, data: PlanningData, chosen: dict[str, list[Any]]) -> None:
    """Option binaries equal to the plan's; committed volumes as lower bounds."""
    if "Option-open" in model.variables and "options" in chosen:
        x = model.variables["Option-open"]
        options, periods = (np.asarray(x.coords[d].values, dtype=object) for d in x.dims)
        keys = at_period(options[:, None], periods[None, :]).ravel()
        labels = np.asarray(x.labels.values).ravel()
        fix_labels(model, labels, "==", np.isin(keys, list(chosen["options"])), "Stress-fix-open")
    if "Option-source" in model.variables and "sources" in chosen:
        y = model.variables["Option-source"]
        keys = np.asarray(y.coords["source"].values, dtype=object)
        opened = np.isin(keys, list(chosen["sources"]))
        fix_labels(model, np.asarray(y.labels.values), "==", opened, "Stress-fix-source")
    if "Option-market-source" in model.variables and "market_sources" in chosen:
        z = model.variables["Option-market-source"]
        keys = np.asarray(z.coords["market_source"].values, dtype=object)
        served = np.isin(keys, list(chosen["market_sources"]))
        fix_labels(model, np.asarray(z.labels.values), "==", served, "Stress-fix-market-source")
    volumes = chosen.get("volumes", [])
    if volumes and "Supply-buy" in model.variables:
        _take_or_pay(model, data, volumes)


def _take_or_pay(model: linopy.Model, data: PlanningData, volumes: list[Any]) -> None:
    """Committed volumes: ``buy[o, t] + untaken[o, t] >= committed`` (``Stress-fix-volume``),
    the untaken part paid at the offer's price (``Stress-untaken`` in the objective)."""
    buy = model.variables["Supply-buy"]
    table = pd.DataFrame(volumes, columns=["supplier", "item", "period", "qty"])
    table["offer"] = offer_label(table["supplier"], table["item"])
    grid = buy.labels.to_pandas()
    pivot = table.pivot_table(index="offer", columns="period", values="qty", aggfunc="sum")
    qty = pivot.reindex(index=grid.index, columns=grid.columns).fillna(0.0).to_numpy(float)
    o, t = np.nonzero((qty > 0) & (grid.to_numpy() >= 0))
    if not len(o):
        return
    index = pd.Index(at_period(grid.index[o], grid.columns[t]), name="committed")
    untaken = model.add_variables(lower=0.0, coords=[index], name="Stress-untaken")
    rows = np.arange(len(index))
    lhs = expression(
        model,
        [index],
        [np.concatenate([rows, rows])],
        np.concatenate([grid.to_numpy()[o, t], np.asarray(untaken.labels.values)]),
        np.ones(2 * len(index)),
    )
    model.add_constraints(lhs, ">=", constant([index], qty[o, t]), name="Stress-fix-volume")
    price = data.offers["price"].to_numpy(float)[o]
    model.objective = model.objective + total(model, untaken.labels.values, price)


def fix_labels(
    model: linopy.Model, labels: np.ndarray, sign: str, values: np.ndarray, name: str
) -> None:
    """Constraints ``variable[label] sign value`` for every label >= 0."""
    keep = labels >= 0
    if not keep.any():
        return
    index = pd.Index(np.arange(int(keep.sum())), name=f"{name}_row")
    lhs = expression(model, [index], [np.arange(len(index))], labels[keep], np.ones(len(index)))
    model.add_constraints(lhs, sign, constant([index], np.asarray(values, float)[keep]), name=name)


# -- running on a cluster ---------------------------------------------------------------
@contextmanager
def dask_client(
    workers: int = 2, scheduler: str | None = None, timeout: str = "20s"
) -> Iterator[Any]:
    """A :class:`distributed.Client`: to ``scheduler`` if given, else to a local cluster of
    ``workers`` single-threaded worker processes (closed on exit)."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=timeout)
        except (OSError, TimeoutError) as exc:
            raise ClusterError(
                f"Cannot reach the Dask scheduler at {scheduler!r} ({exc}). Start one with "
                "`dask scheduler` and workers with `dask worker ADDRESS` on machines that have "
                "emsplan installed, or leave out --scheduler to use a local cluster."
            ) from exc
        with client:
            yield client
        return
    # the scheduler always serves HTTP, by default on port 8787 even with the dashboard off
    # (a second sweep then warns that the port is in use): here on a port the system
    # picks, on this machine only, with no pages
    no_pages: dict[str, list[str]] = {"distributed.scheduler.http.routes": []}
    _quiet_distributed_tasks()
    with ExitStack() as stack:
        with _ctrl_c_held(), dask.config.set(no_pages):  # the workers never see Ctrl-C
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
                    # none of distributed's log lines, not even the CRITICAL ones it writes
                    # when a stopped sweep's connections close: failures reach the sweep as
                    # exceptions of its samples
                    silence_logs=logging.CRITICAL + 1,
                )
            )
            client = stack.enter_context(Client(cluster))
        yield client


class _DistributedTaskFilter(logging.Filter):
    """Drops asyncio's records about ``distributed``'s tasks (e.g. "Task exception was never
    retrieved"): a record whose message or traceback names distributed's code."""

    def filter(self, record: logging.LogRecord) -> bool:
        marker = f"{os.sep}distributed{os.sep}"
        if marker in record.getMessage():
            return False
        tb = record.exc_info[2] if record.exc_info else None
        while tb is not None:
            if marker in tb.tb_frame.f_code.co_filename:
                return False
            tb = tb.tb_next
        return True


def _quiet_distributed_tasks() -> None:
    """No traceback from the local scheduler's tasks (once per process, kept to its exit).

    A Ctrl-C while the network is scattered to the workers stops the sweep with the
    scheduler's copy half done: its task then fails (the worker it copies to has gone) and
    asyncio logs that failure, with a traceback, when the task is collected, which may be
    after the cluster has closed. ``silence_logs`` quiets distributed's own loggers only.
    """
    logger = logging.getLogger("asyncio")
    if not any(isinstance(f, _DistributedTaskFilter) for f in logger.filters):
        logger.addFilter(_DistributedTaskFilter())


@contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Hold Ctrl-C while the local cluster starts, then act on it (KeyboardInterrupt).

    A terminal sends Ctrl-C to every process of its group: the workers would each print a
    traceback. This thread blocks SIGINT, so the threads started meanwhile (the cluster's
    event loop, which starts the worker processes) block it too, and so do the workers:
    the signal stays pending in them, never delivered. This process alone handles it
    (stores what finished, closes the cluster, says how to resume). A Ctrl-C that arrives
    while the cluster starts is recorded, not lost, and raised once it has started (so
    that the caller closes it).
    """
    import signal
    import threading
    from multiprocessing import resource_tracker

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # started later, from the event loop, the tracker would unblock SIGINT in that thread
    resource_tracker.ensure_running()
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # runs a pending handler
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def default_id(kind: str, digest: str, variations: Sequence[dict[str, Any]], extra: Any) -> str:
    """A sweep id that is the same for the same network, variations and plan (to resume)."""
    text = json.dumps([kind, digest, list(variations), extra], sort_keys=True, default=str)
    return f"{kind}-{hashlib.sha256(text.encode()).hexdigest()[:10]}"


def run(
    store: Store,
    network: Network,
    variations: Sequence[Override],
    samples: int,
    seed: int = 0,
    *,
    kind: str = "sweep",
    sweep_id: str | None = None,
    scenario: str | None = None,
    plan_id: int | None = None,
    fixed: dict[str, list[Any]] | None = None,
    settings: dict[str, Any] | None = None,
    keep_tables: bool = True,
    workers: int = 2,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    started: Callable[[SweepInfo, int, int], None] | None = None,
) -> SweepSummary:
    """Run (or resume) a sweep or, with ``fixed`` choices, a stress test.

    ``variations`` are checked against ``network`` before anything runs
    (:class:`OverrideError`), and so are the solver and its options in ``settings``
    (:class:`~emsplan.optimization.solver_options.SolverOptionError`). A sample without a
    plan (infeasible, or stopped by the time limit before a feasible solution) is
    recorded as failed, and the sweep goes on. ``progress(done, total)`` is called as each
    sample is stored; ``started(sweep, todo, total)`` once before the first.
    """
    if samples < 1:
        raise ValueError("a sweep needs at least one sample")
    resolved = [o.to_dict() for o in resolve(network, list(variations), random=True)]
    if not any(from_dict(v).random for v in resolved):
        raise OverrideError(
            [
                "None of the variations is random: give at least one with a distribution, e.g. "
                "--vary 'demand.qty*=uniform(0.8,1.2)'."
            ]
        )
    settings = {"solver": "highs", **(settings or {})}
    check_solver(settings["solver"], settings.get("solver_options"))  # before any sample
    digest = network_hash(network)
    variants = _variants(fixed, settings)
    info = SweepInfo(
        id=sweep_id or default_id(kind, digest, resolved, [seed, plan_id, settings]),
        kind=kind,
        network_hash=digest,
        scenario=scenario,
        plan_id=plan_id,
        seed=seed,
        samples=samples,
        spec=resolved,
        settings=settings,
        created_at=pd.Timestamp.now("UTC").to_pydatetime(),
        created_by="",
    )
    start = time.perf_counter()
    info, _ = store.open_sweep(info, network)
    done = set.intersection(*(store.done_samples(info.id, seed, v) for v in variants))
    todo = [i for i in range(samples) if i not in done]
    if started is not None:
        started(info, len(todo), samples)
    if todo:
        with dask_client(workers, scheduler) as client:
            shared = client.scatter(network, broadcast=True)
            futures = [
                client.submit(
                    solve_sample,
                    shared,
                    resolved,
                    seed,
                    i,
                    settings,
                    keep_tables,
                    fixed,
                    pure=False,
                    key=f"{info.id}-{seed}-{i}",
                )
                for i in todo
            ]
            already = samples - len(todo)
            _collect(
                store, client, futures, info, seed, scenario, digest, progress, already, samples
            )
    summary = summarise(store, info.id)
    summary.skipped = samples - len(todo)
    summary.seconds = time.perf_counter() - start
    return summary


def _collect(
    store: Store,
    client: Any,
    futures: list[Any],
    info: SweepInfo,
    seed: int,
    scenario: str | None,
    digest: str,
    progress: Callable[[int, int], None] | None,
    already: int,
    total: int,
) -> None:
    """Store each sample's plans as it finishes; cancel the rest on any failure."""
    from distributed import as_completed

    done = already
    try:
        for future in as_completed(futures):
            index, records = future.result()
            store.record_plans(
                [
                    (
                        record,
                        {
                            "scenario": scenario,
                            "sweep_id": info.id,
                            "seed": seed,
                            "sample_index": index,
                            "variant": variant,
                        },
                    )
                    for variant, record in records.items()
                ],
                digest,
            )
            future.release()
            done += 1
            if progress is not None:
                progress(done, total)
    except BaseException:
        client.cancel(futures)
        raise


# -- summaries --------------------------------------------------------------------------
def summarise(store: Store, sweep_id: str) -> SweepSummary:
    """Percentiles of cost, service level and local share, and how often each decision
    appears, over the stored samples of a sweep (for a stress test: of the scenarios'
    own optima, with the regret of the fixed choices; without regret, of the plans with
    the choices kept)."""
    info = store.sweep(sweep_id)
    plans = [p for p in store.sweep_plans(sweep_id) if p.seed == info.seed]
    base = ("", "own") if info.settings.get("regret", True) else ("fixed",)
    own = [p for p in plans if p.variant in base]
    solved = [p for p in own if p.objective is not None]
    kpis = store.kpis([p.id for p in solved])
    net = kpis[(kpis["scope"] == "network") & (kpis["period"] == "all")]
    rows = []
    for metric in METRICS:
        values = net.loc[net["kpi"] == metric, "value"].astype(float).to_numpy()
        rows.append(_quantile_row(metric, values))
    quantiles = pd.DataFrame(rows)
    counts: dict[tuple[str, str], int] = {}
    for p in solved:
        for kind in ("sourcing", "production"):
            for element in p.decisions.get(kind, []):
                counts[(kind, element)] = counts.get((kind, element), 0) + 1
    decisions = pd.DataFrame(
        [(k, e, n, n / len(solved)) for (k, e), n in counts.items()],
        columns=["decision", "element", "samples", "share"],
    )
    # the decisions that change across samples first, then those taken in every one
    decisions["always"] = decisions["share"] >= 1.0
    decisions = decisions.sort_values(
        ["always", "decision", "share", "element"], ascending=[True, False, False, True]
    ).drop(columns="always")
    regret = pd.DataFrame()
    if info.kind == "stress":
        regret = _regret(plans)
    return SweepSummary(
        sweep=info,
        samples=len(own),
        solved=len(solved),
        failed=len(own) - len(solved),
        skipped=0,
        quantiles=quantiles,
        decisions=decisions.reset_index(drop=True),
        regret=regret,
    )


def _quantile_row(metric: str, values: np.ndarray) -> dict[str, Any]:
    values = values[np.isfinite(values)]
    if not len(values):
        return {"metric": metric, "samples": 0, "P5": np.nan, "P50": np.nan, "P95": np.nan}
    p5, p50, p95 = np.quantile(values, QUANTILES)
    return {"metric": metric, "samples": len(values), "P5": p5, "P50": p50, "P95": p95}


def _regret(plans: Sequence[Any]) -> pd.DataFrame:
    """Per sample: own optimum, cost with the fixed choices, regret (fixed - own)."""
    by_index: dict[int, dict[str, Any]] = {}
    for p in plans:
        by_index.setdefault(int(p.sample_index), {})[p.variant] = p
    rows = []
    for index, pair in sorted(by_index.items()):
        own, fixed = pair.get("own"), pair.get("fixed")
        own_cost = None if own is None else own.objective
        fixed_cost = None if fixed is None else fixed.objective
        regret = (
            fixed_cost - own_cost
            if own_cost is not None and fixed_cost is not None
            else (np.inf if own_cost is not None else np.nan)
        )
        rows.append(
            {
                "sample": index,
                "own_cost": own_cost,
                "fixed_cost": fixed_cost,
                "regret": regret,
                "fixed_status": None if fixed is None else fixed.termination,
            }
        )
    return pd.DataFrame(rows)


def regret_quantiles(regret: pd.DataFrame) -> dict[str, float]:
    """P5, P50, P95, mean and max of the finite regrets, and how many samples the fixed
    choices could not serve at all (infeasible)."""
    values = regret["regret"].astype(float).to_numpy() if len(regret) else np.zeros(0)
    finite = values[np.isfinite(values)]
    out = {"infeasible": float(np.isinf(values).sum())}
    if len(finite):
        p5, p50, p95 = (float(q) for q in np.quantile(finite, QUANTILES))
        out |= {
            "P5": p5,
            "P50": p50,
            "P95": p95,
            "mean": float(finite.mean()),
            "max": float(finite.max()),
        }
    return out


def stress_report(summary: SweepSummary) -> dict[str, Any]:
    """A stress test as plain data (what ``emsplan stress --json`` writes): ``samples``,
    ``cost`` (mean, p50, p95 of the cost with the plan's choices kept, over the samples
    it can serve), ``regret`` (mean, p50, p95, max), how many samples the choices cannot
    serve (``infeasible``) or failed, and ``per_sample`` (sample, own_cost, fixed_cost,
    regret) so that two plans stressed on the same samples can be compared pair by pair.
    Numbers that are not finite are None (strict JSON)."""
    regret = summary.regret
    fixed = regret["fixed_cost"].astype(float).to_numpy() if len(regret) else np.zeros(0)
    fixed = fixed[np.isfinite(fixed)]
    q = regret_quantiles(regret)

    def stats(values: np.ndarray) -> dict[str, float | None]:
        if not len(values):
            return {"mean": None, "p50": None, "p95": None}
        return {
            "mean": float(values.mean()),
            "p50": float(np.quantile(values, 0.5)),
            "p95": float(np.quantile(values, 0.95)),
        }

    def number(value: Any) -> float | None:
        return None if value is None or not np.isfinite(float(value)) else float(value)

    return {
        "sweep": summary.sweep.id,
        "plan": summary.sweep.plan_id,
        "seed": summary.sweep.seed,
        "samples": int(summary.samples),
        "failed": int(summary.failed),
        "infeasible": int(q["infeasible"]),
        "cost": stats(fixed),
        "regret": {
            "mean": q.get("mean"),
            "p50": q.get("P50"),
            "p95": q.get("P95"),
            "max": q.get("max"),
        },
        "per_sample": [
            {
                "sample": int(r["sample"]),
                "own_cost": number(r["own_cost"]),
                "fixed_cost": number(r["fixed_cost"]),
                "regret": number(r["regret"]),
            }
            for r in regret.to_dict("records")
        ],
    }


__all__ = [
    "ClusterError",
    "StoreError",
    "SweepSummary",
    "dask_client",
    "fix_choices",
    "fix_labels",
    "regret_quantiles",
    "run",
    "sample_network",
    "solve_sample",
    "stress_report",
    "summarise",
    "unused_choices",
]
