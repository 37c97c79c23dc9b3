"""Speed-up of a sweep of the bundled example with 1 and 2 Dask workers.

Runs the same seeded sweep (the same samples) on a local Dask cluster of 1
worker process, then of 2, each into a fresh temporary store, and prints a
table: wall time (with and without starting the cluster), samples per
second, and the speed-up over one worker. The summaries of the runs must be
identical (same seed, same samples, same optima): the script checks it.

With ``--anew`` each worker count also runs the sweep as before issue 14's
part 3 (``reuse`` off: every sample read, built and solved anew with HiGHS's
settings, no start) and compares: time per sample (the mean of the samples'
own plan times), and each sample's objective, which must agree to the MIP gap
both were proven to (HiGHS's relative gap, 1e-4 unless ``--mip-gap``).

    python benchmarks/sweep_speedup.py                 # 24 samples of india-2023
    python benchmarks/sweep_speedup.py --workers 1 --anew
    python benchmarks/sweep_speedup.py --samples 200   # the README's sweep
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import emsplan
from emsplan.scenarios import sweep
from emsplan.scenarios.overrides import parse
from emsplan.store import Store

#: A HiGHS option a sample started from the last plan's decisions has set (to False).
STARTED = "mip_heuristic_run_rins"

VARIATIONS = (
    "demand.qty*=normal(1,0.1)",
    "supply[supplier=CN-SZ].price*=uniform(0.9,1.3)",
)


def run_once(workers: int, samples: int, seed: int, reuse: bool = True) -> dict[str, Any]:
    net = emsplan.examples.load("india-2023")
    with tempfile.TemporaryDirectory() as folder, Store(os.path.join(folder, "s.db")) as store:
        start = time.perf_counter()
        summary = sweep.run(
            store,
            net,
            [parse(v) for v in VARIATIONS],
            samples,
            seed,
            workers=workers,
            keep_tables=False,
            # one core per worker
            settings={"solver_options": {"threads": 1}, **({} if reuse else {"reuse": False})},
        )
        wall = time.perf_counter() - start
        plans = store.sweep_plans(summary.sweep.id)
    solve_seconds = [p.timings.get("total", 0.0) for p in plans]
    q = summary.quantiles.set_index("metric")
    return {
        "wall": wall,
        "mean_plan": sum(solve_seconds) / len(solve_seconds),
        "median_plan": statistics.median(solve_seconds),
        "P50_cost": float(q.loc["total_cost", "P50"]),
        "solved": summary.solved,
        "objectives": {p.sample_index: p.objective for p in plans},
        "started": sum(p.summary.get("solver_options", {}).get(STARTED) is False for p in plans),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=24)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument(
        "--anew", action="store_true", help="also run every sample anew (as before) and compare"
    )
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    results = {w: run_once(w, args.samples, args.seed) for w in counts}
    anew = (
        {w: run_once(w, args.samples, args.seed, reuse=False) for w in counts} if args.anew else {}
    )
    base = results[counts[0]]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"Sweep of india-2023: {args.samples} samples, seed {args.seed}, {os.cpu_count()} cores "
        f"(load average after the runs: {load})"
    )
    print(f"variations: {'; '.join(VARIATIONS)}")
    header = f"{'workers':>7} {'wall s':>8} {'samples/s':>10} {'mean plan s':>12} {'speed-up':>9}"
    print(header)
    print("-" * len(header))
    for w, r in results.items():
        print(
            f"{w:>7} {r['wall']:>8.1f} {args.samples / r['wall']:>10.2f} "
            f"{r['mean_plan']:>12.2f} {base['wall'] / r['wall']:>8.2f}x"
        )
    # a sample starts from the plan of the sample its worker solved before, which depends on
    # the worker count: its optimum may be another one within HiGHS's MIP gap
    solved = {r["solved"] for r in results.values()}
    spread = max(_worst(base["objectives"], r["objectives"]) for r in results.values())
    print(
        f"same samples solved for every worker count: {len(solved) == 1}; largest relative "
        f"difference of a sample's objective: {spread:.1e} (HiGHS's MIP gap: 1e-4)"
    )
    print("(wall includes starting the local cluster and writing every sample to the store)")
    for w, old in anew.items():
        new = results[w]
        worst = _worst(old["objectives"], new["objectives"])
        print(
            f"\n{w} worker(s), every sample anew (as before) against the kept model started from "
            f"the last plan's decisions ({new['started']} of {args.samples} samples started):"
        )
        print(f"{'':>24} {'anew':>8} {'kept':>8} {'ratio':>6}")
        for key, label in (
            ("wall", "wall s"),
            ("mean_plan", "mean plan s"),
            ("median_plan", "median plan s"),
        ):
            print(f"{label:>24} {old[key]:>8.2f} {new[key]:>8.2f} {new[key] / old[key]:>6.2f}")
        print(
            f"largest relative difference of a sample's objective: {worst:.1e} "
            f"(both proven to HiGHS's MIP gap, 1e-4): {'within' if worst <= 1e-4 else 'NOT within'}"
        )


def _worst(a: dict[int, float], b: dict[int, float]) -> float:
    """The largest relative difference of a sample's objective between two runs."""
    return max(abs(b[i] - value) / abs(value) for i, value in a.items())


if __name__ == "__main__":
    main()
