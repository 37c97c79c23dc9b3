"""Samples solved on the HiGHS model kept from the sample before, beside samples built anew.

For each of N samples of a sweep (the same seeded draws as ``emsplan sweep``), in one
thread of one process, as in a sweep's worker: the sample planned from scratch (``reuse``
off: build, hand-over, solve) and the same sample planned on the HiGHS model kept from the
previous sample (changed in place; an LP re-solved by the dual simplex from the basis
kept). Prints each sample's times and
the medians, and checks that both give the same objective.

    python benchmarks/reuse_samples.py                           # 6 samples of india-2023
    python benchmarks/reuse_samples.py --size M --samples 5      # a generated M network (LP)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import emsplan
from emsplan.data.generate import generate
from emsplan.optimization.reuse import Reuse
from emsplan.scenarios import sweep
from emsplan.scenarios.overrides import parse

VARIATIONS = ("demand.qty*=normal(1,0.1)", "supply.price*=uniform(0.9,1.3)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", help="a generated network (S, M, L) instead of the example")
    parser.add_argument("--seed", type=int, default=1, help="of the generated network")
    parser.add_argument("--samples", type=int, default=6)
    parser.add_argument("--threads", type=int, default=1, help="HiGHS threads (as a worker)")
    parser.add_argument("--vary", action="append", help="a variation (default: demand, price)")
    args = parser.parse_args()
    net = generate(args.size, seed=args.seed) if args.size else emsplan.examples.load("india-2023")
    variations = [parse(v).to_dict() for v in (args.vary or VARIATIONS)]
    options = {"solver_options": {"threads": args.threads}}
    kept = Reuse()
    rows = []
    print(f"{net.name}: {args.samples} samples, {args.threads} HiGHS thread(s)")
    print(f"{'sample':>6} {'anew s':>9} {'kept s':>9} {'objective anew':>18} {'kept':>18}")
    for index in range(args.samples):
        sample, drawn = sweep.sample_network(net, variations, seed=0, index=index)
        t0 = time.perf_counter()
        fresh = sweep._solve(sample, {**options, "reuse": False}, drawn, False)
        t1 = time.perf_counter()
        reused = sweep._solve(sample, options, drawn, False, kept=kept)
        t2 = time.perf_counter()
        rows.append((t1 - t0, t2 - t1, fresh.objective, reused.objective))
        print(f"{index:>6} {t1 - t0:>9.2f} {t2 - t1:>9.2f} {fresh.objective:>18,.2f} "
              f"{reused.objective:>18,.2f}")  # fmt: skip
    later = rows[1:] or rows  # the first sample builds the kept model either way
    anew = statistics.median(r[0] for r in later)
    reused_median = statistics.median(r[1] for r in later)
    same = all(abs(a - b) <= 1e-6 * max(1.0, abs(a)) for _, _, a, b in rows)
    print(f"median of samples 1..: anew {anew:.2f} s, on the kept model {reused_median:.2f} s, "
          f"ratio {reused_median / anew:.2f}; kept model built {kept.built}x, changed in place "
          f"{kept.in_place}x; objectives equal (rel 1e-6): {same}")  # fmt: skip


if __name__ == "__main__":
    # in a thread, as in a sweep's worker (where emsplan does not race algorithms)
    worker = threading.Thread(target=main)
    worker.start()
    worker.join()
