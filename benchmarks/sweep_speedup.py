"""Speed-up of a sweep of the bundled example with 1 and 2 Dask workers.

Runs the same seeded sweep (the same samples) on a local Dask cluster of 1
worker process, then of 2, each into a fresh temporary store, and prints a
table: wall time (with and without starting the cluster), samples per
second, and the speed-up over one worker. The summaries of the runs must be
identical (same seed, same samples, same optima): the script checks it.

    python benchmarks/sweep_speedup.py                 # 24 samples of india-2023
    python benchmarks/sweep_speedup.py --samples 200   # the README's sweep
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import emsplan
from emsplan.scenarios import sweep
from emsplan.scenarios.overrides import parse
from emsplan.store import Store

VARIATIONS = (
    "demand.qty*=normal(1,0.1)",
    "supply[supplier=CN-SZ].price*=uniform(0.9,1.3)",
)


def run_once(workers: int, samples: int, seed: int) -> dict[str, float]:
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
            settings={"solver_options": {"threads": 1}},  # one core per worker
        )
        wall = time.perf_counter() - start
        solve_seconds = [p.timings.get("total", 0.0) for p in store.sweep_plans(summary.sweep.id)]
    q = summary.quantiles.set_index("metric")
    return {
        "wall": wall,
        "mean_plan": sum(solve_seconds) / len(solve_seconds),
        "P50_cost": float(q.loc["total_cost", "P50"]),
        "solved": summary.solved,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=24)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    args = parser.parse_args()
    counts = [int(w) for w in args.workers.split(",")]
    results = {w: run_once(w, args.samples, args.seed) for w in counts}
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
    costs = {round(r["P50_cost"], 2) for r in results.values()}
    solved = {r["solved"] for r in results.values()}
    print(f"same results for every worker count: {len(costs) == 1 and len(solved) == 1}")
    print("(wall includes starting the local cluster and writing every sample to the store)")


if __name__ == "__main__":
    main()
