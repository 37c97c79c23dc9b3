"""emsplan beside HiGHS on a hand-written strong formulation, on OR-Library instances.

For each instance (default: capa, capb and capc at every capacity of the data
set's README), in one run:

- **emsplan**: the instance imported as a network (``read_orlib_cap``: plants
  with a ``line`` option each, markets whose demand must be met), planned by
  ``emsplan.plan`` with a time limit, HiGHS default options. Reported: HiGHS's
  own run time, the status, the gap and the objective, the build time.
- **strong**: ``benchmarks/orlib_strong.py``'s textbook strong formulation
  solved by highspy from arrays with the same time limit.

Each is compared with the published optimum (relative difference; reached
when within 1e-6). emsplan hands HiGHS its ``Option-line-flow`` rows round by round
(``emsplan/optimization/separate.py``; ``--every-row``: all at once, as before that rule).

Usage::

    python benchmarks/orlib_compare.py [INSTANCE ...] [--time-limit 300] [--json FILE]
                                       [--every-row] [--skip-strong]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from orlib_strong import DATA, OPTIMA, instances, read_instance, solve

RTOL = 1e-6
DEFAULT = [label for label in OPTIMA if "-" in label]  # capa, capb, capc x capacities


def run_emsplan(path: Path, capacity: float | None, time_limit: float) -> dict[str, Any]:
    """Plan the imported instance; HiGHS's run time, status, gap, objective."""
    from emsplan.data.importers.orlib import read_orlib_cap
    from emsplan.planning.pipeline import PlanningError, plan

    net = read_orlib_cap(path, capacity)
    start = time.perf_counter()
    try:
        result = plan(net, time_limit=time_limit, validate=False)
    except PlanningError as exc:
        return {"status": exc.termination, "objective": None, "gap": None, "seconds": None,
                "wall": time.perf_counter() - start}  # fmt: skip
    runtime = result.summary["solver_seconds"]  # the MIP's (not the duals' LP re-solve)
    return {
        "status": result.summary["termination_condition"],
        "objective": result.objective,
        "gap": result.summary["mip_gap"],
        "seconds": runtime,
        "build": result.timings["build"],
        "wall": time.perf_counter() - start,
        "separation": result.summary["solver_separation"],
    }


def _cell(r: dict[str, Any], best: float) -> str:
    if r["objective"] is None:
        return f"{r['status']:>34}"
    diff = (r["objective"] - best) / best
    mark = "optimum" if abs(diff) <= RTOL and (r["gap"] or 0.0) <= 1e-4 else f"gap {r['gap']:.2%}"
    return f"{r['seconds']:>8.1f} s {mark:>12} {diff:>+11.1e}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="e.g. capb capc-5000 cap41 (default: capa-c)")
    parser.add_argument("--time-limit", type=float, default=300.0)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument(
        "--every-row", action="store_true", help="emsplan hands every Option-line-flow row at once"
    )
    parser.add_argument("--skip-strong", action="store_true", help="emsplan only")
    args = parser.parse_args()
    if args.every_row:
        from emsplan.optimization import choice

        choice.SEPARATE_FROM = 2**62
    if not args.data.is_dir():
        sys.exit(f"the OR-Library data folder {args.data} is absent: nothing to measure")
    rows = []
    print(f"time limit {args.time_limit:.0f} s each; HiGHS default options; rel. diff to the "
          "published optimum")  # fmt: skip
    print(f"{'instance':<12}{'emsplan: HiGHS run, outcome, rel. diff':>36}"
          f"{'strong formulation: same':>36}")  # fmt: skip
    for label, stem, cap in instances(args.names or DEFAULT):
        path = args.data / f"{stem}.txt"
        ours = run_emsplan(path, cap, args.time_limit)
        strong = (
            {"status": "skipped", "objective": None}
            if args.skip_strong
            else solve(read_instance(path, cap), args.time_limit)
        )
        best = OPTIMA[label]
        rows.append({"instance": label, "published": best, "emsplan": ours, "strong": strong})
        done = ours.get("separation")
        rounds = (
            f"  rows {done['taken']:,}/{done['rows']:,}, {done['rounds']} rounds, "
            f"{done['seconds']:.1f} s"
            if done
            else ""
        )
        print(f"{label:<12}{_cell(ours, best):>36}{_cell(strong, best):>36}{rounds}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
