"""Benchmark emsplan on a generated network, beside HiGHS's own limit and a Pyomo peer.

Usage::

    python benchmarks/run.py --size {S,M,L,XL} [--seed N] [--skip-pyomo] [--skip-limit]
                             [--highs KEY=VALUE ...] [--work DIR]

In ONE run it generates the network (``emsplan generate``, a CSV folder) and
measures, each tool in its own subprocess (so that peak RSS is per tool):

- **emsplan**: read (files -> typed tables), validate, build the model,
  hand-over to HiGHS and back (linopy's direct API: the solve's wall time less
  HiGHS's own run time), HiGHS's run time (``solver_model.getRunTime()``),
  results (plan tables), writing the plan (CSV, workbook, summary.json), the
  total from the first read to the last file written, and the peak RSS;
- **the limit**: HiGHS (highspy) reading the MPS file that emsplan exports for
  the same network (written in a separate subprocess, not timed as emsplan) and
  running: read time, its own run time, peak RSS;
- **the peer**: the same formulation written plainly in Pyomo
  (``benchmarks/pyomo_peer.py``: read, prepare, build, solve, results), solved
  by the same HiGHS, its objective checked equal to emsplan's (rel 1e-6).

emsplan solves with its own choice (``emsplan.optimization.choice``: for LPs of 50,000 to
500,000 variables a race of HiGHS's parallel dual simplex and IPX), plus any ``--highs``
options. Each HiGHS algorithm (``--algorithms``) runs alone on the MPS at HiGHS's defaults,
and so do emsplan's own settings (``simplex-parallel``, ``simplex-devex``), shown but not
counted as the fastest algorithm. Without ``--algorithms`` the limit and the
peer get exactly the options emsplan used (so all three run the same algorithm), unless
``--peer-defaults`` gives the peer HiGHS's plain defaults, as a planner who writes the
model in Pyomo and does not tune HiGHS would run it. It prints a table and the
ratios (emsplan total / HiGHS limit, Pyomo total / emsplan total, memory) and
writes them, with the machine and the command, to ``benchmarks/results/<size>.json``
(``<size>-<options>.json`` with ``--highs``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
RTOL = 1e-6


def peak_rss_gb() -> float:
    """Peak resident memory of this process in GB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e9


def highs_options(pairs: list[str]) -> dict[str, Any]:
    """``key=value`` HiGHS options, parsed as emsplan's ``--solver-option`` is."""
    from emsplan.optimization.solver_options import parse_solver_options

    return dict(parse_solver_options(pairs))


# -- the stages, each run in its own process ------------------------------------------
def stage_emsplan(network: Path, out: Path, options: dict[str, Any]) -> dict[str, Any]:
    """emsplan as a user runs it: read, validate, plan (build, solve, results), write.

    If HiGHS stops without a plan (e.g. at a ``time_limit``), the stages reached are
    still reported, with the termination condition."""
    t_import = time.perf_counter()
    import emsplan
    from emsplan.cli.app import plain_arrays
    from emsplan.data.readers import read_unchecked
    from emsplan.planning.pipeline import PlanningError, plan

    plain_arrays()  # as `emsplan plan` does: xarray need not import dask.array to build
    imported = time.perf_counter() - t_import
    timings: dict[str, float] = {}
    start = time.perf_counter()
    net = read_unchecked(network)
    timings["read"] = time.perf_counter() - start
    t0 = time.perf_counter()
    net.validate()
    timings["validate"] = time.perf_counter() - t0
    marks: list[tuple[str, float]] = []
    figures: dict[str, Any] = {"version": emsplan.__version__, "import": imported}
    try:
        result = plan(
            net,
            validate=False,
            solver_options=options or None,
            progress=lambda message: marks.append((message, time.perf_counter())),
        )
    except PlanningError as exc:
        solving = [t for m, t in marks if m.startswith("solving")]
        timings["build"] = solving[0] - marks[0][1] if solving else float("nan")
        timings["solve_wall"] = time.perf_counter() - solving[0] if solving else float("nan")
        size = [re.findall(r"\d+", m) for m, _ in marks if m.startswith("solving (")]
        if size:  # "solving (N variables, M constraints)"
            figures.update(variables=int(size[0][0]), constraints=int(size[0][1]))
        limit = options.get("time_limit")
        if limit is not None and solving:  # HiGHS ran to its limit: the rest is hand-over
            timings["handover_estimate"] = timings["solve_wall"] - float(limit)
        figures.update(termination=exc.termination, objective=None, timings=timings)
        figures["peak_rss_gb"] = peak_rss_gb()
        return figures
    runtime = float(result.model.solver_model.getRunTime())  # type: ignore[union-attr]
    timings["build"] = result.timings["build"]
    timings["handover"] = result.timings["solve"] - runtime
    timings["solver_run"] = runtime
    timings["results"] = result.timings["results"]
    t0 = time.perf_counter()
    result.write(out)
    timings["write"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - start
    figures.update(
        timings=timings,
        termination=result.summary["termination_condition"],
        objective=result.objective,
        variables=result.summary["model"]["variables"],
        constraints=result.summary["model"]["constraints"],
        solver_options=result.summary["solver_options"],
        solver_race=result.summary["solver_race"],
        peak_rss_gb=peak_rss_gb(),
    )
    return figures


def stage_export(network: Path, mps: Path) -> dict[str, Any]:
    """Write the exact model emsplan solves as MPS (the limit's input; not timed as emsplan)."""
    from emsplan.data.readers import read_unchecked
    from emsplan.optimization.build import create_model
    from emsplan.optimization.solve import write_model

    start = time.perf_counter()
    model, _ = create_model(read_unchecked(network))
    t0 = time.perf_counter()
    write_model(model, mps)
    return {
        "build": t0 - start,
        "write_mps": time.perf_counter() - t0,
        "mps_bytes": mps.stat().st_size,
        "peak_rss_gb": peak_rss_gb(),
    }


def quiet_highs(options: dict[str, Any]) -> Any:
    """A silent ``highspy.Highs`` with ``options`` set; ValueError for one HiGHS refuses."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for key, value in options.items():
        if h.setOptionValue(key, value) != highspy.HighsStatus.kOk:
            raise ValueError(f"HiGHS refuses the option {key}={value!r}")
    return h


def stage_limit(mps: Path, options: dict[str, Any]) -> dict[str, Any]:
    """HiGHS alone: read the MPS file and run, with its own timer."""
    import highspy

    h = quiet_highs(options)
    start = time.perf_counter()
    h.readModel(str(mps))
    read = time.perf_counter() - start
    t0 = time.perf_counter()
    h.run()
    wall = time.perf_counter() - t0
    info = h.getInfo()
    status = h.getModelStatus()
    return {
        "timings": {"read_mps": read, "solver_run": float(h.getRunTime()), "run_wall": wall},
        "termination": h.modelStatusToString(status),
        "optimal": status == highspy.HighsModelStatus.kOptimal,
        "objective": float(info.objective_function_value),
        "simplex_iterations": int(info.simplex_iteration_count),
        "ipm_iterations": int(info.ipm_iteration_count),
        "peak_rss_gb": peak_rss_gb(),
    }


STAGES = {"emsplan", "export", "limit"}
#: HiGHS's LP algorithms: dual simplex, its interior-point method IPX (with crossover),
#: HiPO (the newer interior-point method; needs the ``highspy-extras`` wheel) and PDLP
#: (first order).
ALGORITHMS = ("simplex", "ipx", "hipo", "pdlp")


def emsplan_settings() -> dict[str, dict[str, Any]]:
    """emsplan's own LP settings (``emsplan.optimization.choice``), each run alone on the MPS
    beside the algorithms at HiGHS's defaults: the race's parallel dual simplex and the dual
    simplex with Devex pricing used on one core. Not counted as "the fastest algorithm"
    (the goal's measure is HiGHS's algorithms as HiGHS sets them), shown to tell how much of
    emsplan's time is its choice of settings and how much the work around HiGHS."""
    from emsplan.optimization.choice import ALONE, RACE

    return {"simplex-parallel": dict(RACE["simplex"]), "simplex-devex": dict(ALONE)}


def timed_run(command: list[str], what: str, timeout: float | None = None) -> float:
    """Run ``command`` to its end; its wall time in seconds. RuntimeError with its output
    if it fails."""
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{done.stdout}\n{done.stderr}")
    return wall


def run_stage(stage: str, args: list[str], timeout: float | None = None) -> dict[str, Any]:
    """Run a stage in a fresh Python process; its JSON result plus the process's wall time."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result_file = Path(handle.name)
    command = [sys.executable, str(Path(__file__).resolve()), "--stage", stage, *args]
    command += ["--result", str(result_file)]
    try:
        wall = timed_run(command, f"stage {stage}", timeout)
    except RuntimeError:
        result_file.unlink(missing_ok=True)
        raise
    figures = json.loads(result_file.read_text())
    result_file.unlink(missing_ok=True)
    figures["process_wall"] = wall
    return figures


def run_algorithms(
    mps: Path, args: argparse.Namespace, options: dict[str, Any], say: Any
) -> dict[str, Any]:
    """Each HiGHS LP algorithm alone on the MPS file, with the user's ``--highs`` options,
    the machine's threads and ``--algorithm-time-limit``; a run that fails is recorded with
    its error, not fatal."""
    out: dict[str, Any] = {}
    own = emsplan_settings()
    for algorithm in args.algorithms:
        say(f"HiGHS {algorithm} on the MPS ...")
        setting = own.get(algorithm, {"solver": algorithm})
        chosen = {**options, **setting, "time_limit": args.algorithm_time_limit}
        chosen_args = [a for k, v in chosen.items() for a in ("--highs", f"{k}={v}")]
        try:
            out[algorithm] = run_stage("limit", ["--mps", str(mps), *chosen_args])
        except RuntimeError as exc:
            out[algorithm] = {"error": str(exc).strip().splitlines()[-1]}
            say(f"  failed: {out[algorithm]['error']}")
            continue
        say(f"  {out[algorithm]['termination']}: {out[algorithm]['timings']}")
    return out


def fastest_algorithm(runs: dict[str, Any], names: Any = ALGORITHMS) -> str | None:
    """The algorithm of ``names`` that reached the optimum in the least HiGHS run time."""
    done = {name: r for name, r in runs.items() if r.get("optimal") and name in names}
    if not done:
        return None
    return min(done, key=lambda name: done[name]["timings"]["solver_run"])


def run_cli(network: Path, out: Path, options: dict[str, Any]) -> dict[str, Any]:
    """``emsplan plan NETWORK --out DIR`` as a user types it: the process's wall time,
    Python's start-up and imports included."""
    command = [sys.executable, "-m", "emsplan", "plan", str(network), "--out", str(out)]
    for key, value in options.items():
        command += ["--solver-option", f"{key}={value}"]
    wall = timed_run(command, "emsplan plan")
    summary = json.loads((out / "summary.json").read_text())
    return {
        "process_wall": wall,
        "objective": summary.get("objective"),
        "solver_seconds": summary.get("timings", {}).get("solve"),
    }


def run_peer(network: Path, out: Path, options: dict[str, Any]) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result_file = Path(handle.name)
    command = [sys.executable, str(HERE / "pyomo_peer.py"), str(network), "--out", str(out)]
    command += ["--json", str(result_file)]
    for key, value in options.items():
        command += ["--highs", f"{key}={value}"]
    wall = timed_run(command, "the Pyomo peer")
    figures = json.loads(result_file.read_text())
    result_file.unlink(missing_ok=True)
    figures["process_wall"] = wall
    return figures


# -- the report ---------------------------------------------------------------------
def host() -> dict[str, Any]:
    """The machine a benchmark ran on: CPUs, their model, RAM, platform, Python."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": round(ram, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def machine() -> dict[str, Any]:
    import highspy
    import linopy

    try:
        import pyomo

        pyomo_version = pyomo.__version__
    except ImportError:
        pyomo_version = None
    return {
        **host(),
        "linopy": linopy.__version__,
        "highspy": _version("highspy") or getattr(highspy, "__version__", ""),
        "pyomo": pyomo_version,
    }


def _version(package: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return None


def _s(value: float | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def report(r: dict[str, Any]) -> str:
    e, lim, peer = r["emsplan"], r.get("limit"), r.get("pyomo")
    et = e["timings"]
    lines = [
        f"size {r['size']} seed {r['seed']}: {e.get('variables', 0):,} variables, "
        f"{e.get('constraints', 0):,} constraints; network generated in "
        f"{r['generate_seconds']:.1f} s; emsplan: {e['termination']}",
        "",
        f"{'stage (seconds)':<28}{'emsplan':>12}{'HiGHS limit':>14}{'Pyomo peer':>14}",
    ]
    lt = lim["timings"] if lim else {}
    pt = peer["timings"] if peer else {}

    def row(name: str, a: float | None, b: float | None, c: float | None) -> None:
        lines.append(f"{name:<28}{_s(a):>12}{_s(b):>14}{_s(c):>14}")

    both = "total" in et
    row("read (files -> tables/MPS)", et["read"], lt.get("read_mps"), pt.get("read"))
    row("validate / prepare", et["validate"], None, pt.get("prepare"))
    row("build the model", et["build"], None, pt.get("build"))
    estimated = "handover_estimate" in et  # stopped at a time limit: HiGHS ran to it
    row("hand-over to HiGHS (est.)" if estimated else "hand-over to HiGHS and back",
        et.get("handover", et.get("handover_estimate")), None,
        pt.get("solve", 0) - pt.get("solver_run", 0) if pt else None)  # fmt: skip
    own = et["solve_wall"] - et["handover_estimate"] if estimated else et.get("solve_wall")
    row("HiGHS run time" + (" (its limit)" if estimated else ""), et.get("solver_run", own),
        lt.get("solver_run"), pt.get("solver_run"))  # fmt: skip
    if estimated:
        outside = et["read"] + et["validate"] + et["build"] + et["handover_estimate"]
        row("outside HiGHS, up to its stop", outside, None, None)
    row("results (plan tables)", et.get("results"), None, None)
    row("write the plan", et.get("write"), None, None)
    row("results + write", et["results"] + et["write"] if both else None, None, pt.get("results"))
    row("total", et.get("total"), lt.get("solver_run"), pt.get("total"))
    row("total except HiGHS run", et["total"] - et["solver_run"] if both else None, None,
        pt.get("total", 0) - pt.get("solver_run", 0) if pt else None)  # fmt: skip
    lines.append(
        f"{'peak RSS (GB)':<28}{e['peak_rss_gb']:>12.2f}"
        f"{(lim['peak_rss_gb'] if lim else 0):>14.2f}{(peer['peak_rss_gb'] if peer else 0):>14.2f}"
    )
    lines.append(
        f"{'objective':<28}{e['objective'] or float('nan'):>12.6g}"
        f"{(lim['objective'] if lim else float('nan')):>14.6g}"
        f"{(peer['objective'] if peer else float('nan')):>14.6g}"
    )
    lines += algorithm_table(r)
    lines.append("")
    for name, value in r["ratios"].items():
        lines.append(f"{name:<52}{value:>8.2f}")
    lines += [f"objectives agree (rel {RTOL:g}): {r['objectives_agree']}"]
    return "\n".join(lines)


def algorithm_table(r: dict[str, Any]) -> list[str]:
    """Each HiGHS algorithm's run on the MPS beside emsplan's total and its choice."""
    runs = r.get("algorithms")
    if not runs:
        return []
    e = r["emsplan"]
    choice = e.get("solver_options", {}).get("solver", "simplex")
    if e.get("solver_race"):
        choice = f"race: {choice} won"
    lines = ["", f"{'HiGHS alone on the MPS':<28}{'run (s)':>12}  status"]
    for name, run in runs.items():
        if "error" in run:
            lines.append(f"{name:<28}{'':>12}  failed: {run['error']}")
            continue
        mark = "  <- fastest" if name == r.get("fastest") else ""
        if name not in ALGORITHMS:
            mark += "  (emsplan's setting alone)"
        lines.append(f"{name:<28}{run['timings']['solver_run']:>12.2f}  {run['termination']}{mark}")
    lines.append(f"{'emsplan total (' + str(choice) + ')':<28}"
                 f"{_s(e['timings'].get('total')):>12}")  # fmt: skip
    if "cli" in r:
        lines.append(f"{'emsplan plan, the command':<28}{r['cli']['process_wall']:>12.2f}"
                     "  (Python start-up and imports included)")  # fmt: skip
    return lines


def ratios(r: dict[str, Any]) -> dict[str, float]:
    e, lim, peer = r["emsplan"], r.get("limit"), r.get("pyomo")
    out: dict[str, float] = {}
    if "total" not in e["timings"]:
        return out
    if lim:
        out["emsplan total / HiGHS limit (fastest) run time"] = e["timings"]["total"] / max(
            lim["timings"]["solver_run"], 1e-9
        )
        out["emsplan peak RSS / HiGHS limit peak RSS"] = e["peak_rss_gb"] / lim["peak_rss_gb"]
        if "cli" in r:
            out["emsplan plan (command) / HiGHS limit run time"] = r["cli"]["process_wall"] / max(
                lim["timings"]["solver_run"], 1e-9
            )
    quickest = r.get("fastest_any")
    if quickest and quickest != r.get("fastest"):
        run = r["algorithms"][quickest]["timings"]["solver_run"]
        out[f"emsplan total / {quickest} alone (fastest setting)"] = e["timings"]["total"] / run
    if peer:
        out["Pyomo total / emsplan total"] = peer["timings"]["total"] / e["timings"]["total"]
        out["Pyomo total except HiGHS / emsplan total except HiGHS"] = (
            peer["timings"]["total"] - peer["timings"]["solver_run"]
        ) / (e["timings"]["total"] - e["timings"]["solver_run"])
        out["Pyomo peak RSS / emsplan peak RSS"] = peer["peak_rss_gb"] / e["peak_rss_gb"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="S", choices=["S", "M", "L", "XL"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-pyomo", action="store_true", help="do not run the Pyomo peer")
    parser.add_argument("--skip-limit", action="store_true", help="do not run HiGHS on the MPS")
    parser.add_argument(
        "--highs", action="append", default=[], metavar="KEY=VALUE",
        help="a HiGHS option for all three tools (on top of emsplan's own choice)",
    )  # fmt: skip
    parser.add_argument(
        "--peer-defaults", action="store_true",
        help="run the Pyomo peer with HiGHS's defaults instead of emsplan's options",
    )  # fmt: skip
    parser.add_argument(
        "--algorithms", type=lambda text: [a for a in text.split(",") if a and a != "none"],
        default=[*ALGORITHMS, "simplex-parallel", "simplex-devex"], metavar="A,B,...",
        help="HiGHS algorithms to run alone on the MPS, and emsplan's own settings "
        "simplex-parallel and simplex-devex (default: %(default)s; 'none': only emsplan's "
        "own choice, the old limit)",
    )  # fmt: skip
    parser.add_argument(
        "--algorithm-time-limit", type=float, default=900.0, metavar="SECONDS",
        help="time limit of each algorithm's run (default: %(default)s)",
    )  # fmt: skip
    parser.add_argument(
        "--cli", action=argparse.BooleanOptionalAction, default=None,
        help="also time `emsplan plan` as a command, start-up included (default: S and M)",
    )  # fmt: skip
    parser.add_argument("--work", type=Path, help="keep the network, plans and MPS here")
    # internal: one stage in this process
    parser.add_argument("--stage", choices=sorted(STAGES), help=argparse.SUPPRESS)
    parser.add_argument("--network", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--mps", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    options = highs_options(args.highs)
    if args.cli is None:
        args.cli = args.size in ("S", "M")

    if args.stage:
        if args.stage == "emsplan":
            figures = stage_emsplan(args.network, args.out, options)
        elif args.stage == "export":
            figures = stage_export(args.network, args.mps)
        else:
            figures = stage_limit(args.mps, options)
        args.result.write_text(json.dumps(figures))
        return

    work = args.work or Path(tempfile.mkdtemp(prefix="emsplan-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    network = work / f"{args.size}-{args.seed}"
    say = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    say(f"generating size {args.size} seed {args.seed} into {network} ...")
    start = time.perf_counter()
    if network.exists():
        shutil.rmtree(network)
    subprocess.run(
        [sys.executable, "-m", "emsplan", "generate", "--size", args.size, "--seed",
         str(args.seed), "--out", str(network)],
        check=True, capture_output=True,
    )  # fmt: skip
    record: dict[str, Any] = {
        "size": args.size,
        "seed": args.seed,
        "command": "python benchmarks/run.py " + " ".join(sys.argv[1:]),
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "machine": machine(),
        "highs_options": options,
        "generate_seconds": time.perf_counter() - start,
    }
    say("emsplan ...")
    record["emsplan"] = run_stage(
        "emsplan", ["--network", str(network), "--out", str(work / "plan-emsplan"), *_opts(args)]
    )
    say(f"  {record['emsplan']['timings']}")
    # the options emsplan solved with (its algorithm choice included), for the others
    used = {**options, **record["emsplan"].get("solver_options", {})}
    record["highs_options"] = used
    used_args = [a for k, v in used.items() for a in ("--highs", f"{k}={v}")]
    if args.cli:
        say("emsplan plan (the command, start-up included) ...")
        record["cli"] = run_cli(network, work / "plan-cli", options)
        say(f"  {record['cli']['process_wall']:.2f} s")
    if not args.skip_limit:
        mps = work / f"{args.size}-{args.seed}.mps"
        say("exporting the MPS ...")
        record["export"] = run_stage("export", ["--network", str(network), "--mps", str(mps)])
        if args.algorithms:
            record["algorithms"] = run_algorithms(mps, args, options, say)
            fastest = fastest_algorithm(record["algorithms"])
            record["fastest_any"] = fastest_algorithm(record["algorithms"], record["algorithms"])
            if fastest is not None:
                record["fastest"] = fastest
                record["limit"] = record["algorithms"][fastest]
        else:
            say("HiGHS on the MPS ...")
            record["limit"] = run_stage("limit", ["--mps", str(mps), *used_args])
            say(f"  {record['limit']['timings']}")
        if not args.work:
            mps.unlink(missing_ok=True)
    if not args.skip_pyomo:
        say("the Pyomo peer ...")
        peer_options = options if args.peer_defaults else used
        record["pyomo"] = run_peer(network, work / "plan-pyomo", peer_options)
        record["pyomo"]["highs_options"] = peer_options
        say(f"  {record['pyomo']['timings']}")
    objective = record["emsplan"]["objective"]
    others = [record[k]["objective"] for k in ("limit", "pyomo", "cli") if k in record]
    others += [a["objective"] for a in record.get("algorithms", {}).values() if a.get("optimal")]
    record["objectives_agree"] = (
        None  # emsplan stopped without a plan (e.g. at a --highs time_limit): nothing to compare
        if objective is None
        else all(
            o is not None and abs(o - objective) <= RTOL * max(1.0, abs(objective)) for o in others
        )
    )
    record["ratios"] = ratios(record)
    text = report(record)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    suffix = "".join(f"-{k}={v}" for k, v in options.items())
    (RESULTS / f"{args.size}{suffix}.json").write_text(json.dumps(record, indent=2) + "\n")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    if record["objectives_agree"] is False:
        sys.exit("the objectives differ")


def _opts(args: argparse.Namespace) -> list[str]:
    out: list[str] = []
    for pair in args.highs:
        out += ["--highs", pair]
    return out


if __name__ == "__main__":
    main()
