"""The robust plan of the bundled example by the extensive form and by Benders
decomposition, on the same scenarios.

For each ``--method`` given (default both), :func:`emsplan.robust_plan` over ``--samples``
scenarios of ``demand.qty~forecast`` (seed ``--seed``; Benders on ``--workers`` local Dask
workers) and prints, in one run: the wall time, the expected objective (every scenario's
full model with the stage 1 found), the lower bound and gap, and for Benders its
iterations and the seconds of each phase. Writes
``benchmarks/results/robust-methods-<samples>.json``::

    python benchmarks/robust_methods.py --samples 10 --seed 1
    python benchmarks/robust_methods.py --samples 40 --seed 1 --method benders
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import emsplan
from emsplan.scenarios.overrides import parse

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--method", action="append", choices=["extensive", "benders"], default=None)
    args = parser.parse_args()
    network = emsplan.examples.load("india-2023")
    rows: dict[str, dict[str, Any]] = {}
    for method in args.method or ["extensive", "benders"]:
        start = time.perf_counter()
        result = emsplan.robust_plan(
            network,
            [parse("demand.qty~forecast")],
            args.samples,
            args.seed,
            method=method,
            workers=args.workers,
            progress=lambda message, m=method: print(f"  [{m}] {message}", flush=True),
        )
        info = result.summary["robust"]
        info.pop("variations", None)
        rows[method] = {"seconds": time.perf_counter() - start, **info}
    print(f"\nexample, {args.samples} scenarios, seed {args.seed}:")
    print(f"{'method':<10} {'seconds':>8} {'expected objective':>20} {'gap':>8}  details")
    for method, row in rows.items():
        found = row.get("decomposition") or {}
        details = (
            f"lower bound {found['lower_bound']:,.0f}, {found['iterations']} iterations, "
            f"build {found['build_seconds']:.0f} s, iterations {found['iteration_seconds']:.0f} s, "
            f"pricing {found['pricing_seconds']:.0f} s"
            if found
            else f"HiGHS status {row['status']}"
        )
        gap = row["mip_gap"] if row["mip_gap"] is not None else float("nan")
        print(
            f"{method:<10} {row['seconds']:>8.0f} {row['expected_objective']:>20,.0f} "
            f"{gap:>8.4%}  {details}"
        )
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"robust-methods-{args.samples}.json"
    path.write_text(json.dumps(rows, indent=1, default=str))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
