"""Samples solved on the HiGHS model kept from the sample before, beside samples built anew.

For each of N samples of a sweep (the same seeded draws as ``emsplan sweep``), in one
thread of one process, as in a sweep's worker: the sample planned from scratch (``reuse``
off: build, hand-over, solve) and the same sample planned on the HiGHS model kept from the
previous sample (changed in place; an LP re-solved by the dual simplex from the basis
kept; a MIP started from the previous sample's decisions, HiGHS's root searches off).
Prints each sample's times, objectives and whether HiGHS proved them optimal, and the
medians; checks that both give the same objective (an LP to 1e-6, a MIP to HiGHS's
relative MIP gap, 1e-4, to which both were proven).

    python benchmarks/reuse_samples.py                           # 6 samples of india-2023
    python benchmarks/reuse_samples.py --size M --samples 5      # a generated M network (LP)
    python benchmarks/reuse_samples.py --orlib capb-6000 --samples 2 --time-limit 300
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

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
    parser.add_argument("--orlib", help="an OR-Library instance, as orlib_compare.py: capb-6000")
    parser.add_argument("--time-limit", type=float, help="of each solve, seconds")
    args = parser.parse_args()
    if args.orlib:
        from orlib_strong import DATA

        from emsplan.data.importers.orlib import read_orlib_cap

        name, capacity = args.orlib.split("-")
        source = DATA / name if (DATA / name).exists() else DATA / f"{name}.txt"
        net = read_orlib_cap(source, float(capacity))
    elif args.size:
        net = generate(args.size, seed=args.seed)
    else:
        net = emsplan.examples.load("india-2023")
    vary = args.vary or (VARIATIONS[:1] if args.orlib else VARIATIONS)  # no supply: no price
    variations = [parse(v).to_dict() for v in vary]
    options = {"solver_options": {"threads": args.threads}, "time_limit": args.time_limit}
    kept = Reuse()
    rows = []
    print(f"{net.name}: {args.samples} samples, {args.threads} HiGHS thread(s)")
    print(f"{'sample':>6} {'anew s':>9} {'kept s':>9} {'objective anew':>18} {'kept':>18}  proven")
    for index in range(args.samples):
        sample, drawn = sweep.sample_network(net, variations, seed=0, index=index)
        t0 = time.perf_counter()
        fresh = sweep._solve(sample, {**options, "reuse": False}, drawn, False)
        t1 = time.perf_counter()
        reused = sweep._solve(sample, options, drawn, False, kept=kept)
        t2 = time.perf_counter()
        rows.append((t1 - t0, t2 - t1, fresh.objective, reused.objective))
        proven = "/".join(_proven(r) for r in (fresh, reused))
        print(f"{index:>6} {t1 - t0:>9.2f} {t2 - t1:>9.2f} {fresh.objective:>18,.2f} "
              f"{reused.objective:>18,.2f}  {proven}")  # fmt: skip
    later = rows[1:] or rows  # the first sample builds the kept model either way
    anew = statistics.median(r[0] for r in later)
    reused_median = statistics.median(r[1] for r in later)
    worst = max(abs(a - b) / max(1.0, abs(a)) for _, _, a, b in rows)
    print(f"median of samples 1..: anew {anew:.2f} s, on the kept model {reused_median:.2f} s, "
          f"ratio {reused_median / anew:.2f}; kept model built {kept.built}x, changed in place "
          f"{kept.in_place}x, MIP started from the last decisions {kept.started}x; largest "
          f"relative difference of an objective {worst:.1e}")  # fmt: skip


def _proven(record: sweep.PlanRecord) -> str:
    """yes: optimal (a MIP to HiGHS's gap); else the termination (time limit, ...)."""
    return "yes" if record.termination.value == "optimal" else str(record.termination.value)


if __name__ == "__main__":
    # in a thread, as in a sweep's worker (where emsplan does not race algorithms)
    worker = threading.Thread(target=main)
    worker.start()
    worker.join()
