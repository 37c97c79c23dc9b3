"""Time ``emsplan plan`` on a bundled example, end to end and by stage.

Usage::

    python benchmarks/plan_example.py [--example india-2023] [--runs 5]

``--without-policies`` drops the options, incentives and trade rules (the
example as an LP, the scope of issue 3). Prints, for each run, the wall time
of the whole command as a user runs it (a fresh ``emsplan plan WORKBOOK --out
DIR`` process: start-up, read, validate, build, solve, write) and the in-process stage timings from
``summary.json``; then the medians. Goal (issue 3): median end to end < 5 s.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--example", default="india-2023")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--without-policies",
        action="store_true",
        help="plan the example without its options, incentives and trade rules (an LP)",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="emsplan-bench-"))
    workbook = work / f"{args.example}.xlsx"
    cli = [sys.executable, "-m", "emsplan"]
    subprocess.run([*cli, "example", args.example, str(workbook)], check=True, capture_output=True)
    if args.without_policies:
        import emsplan

        net = emsplan.read(workbook)
        tables = {
            k: v for k, v in net.tables.items() if k not in ("options", "incentives", "trade_rules")
        }
        emsplan.Network(tables, name=args.example).write(workbook)
    walls, stages = [], []
    for run in range(args.runs):
        out = work / f"plan-{run}"
        start = time.perf_counter()
        subprocess.run(
            [*cli, "plan", str(workbook), "--out", str(out)], check=True, capture_output=True
        )
        walls.append(time.perf_counter() - start)
        summary = json.loads((out / "summary.json").read_text())
        stages.append(summary["timings"])
        print(
            f"run {run + 1}: end to end {walls[-1]:.2f} s; stages "
            + ", ".join(f"{k} {v:.2f}" for k, v in summary["timings"].items())
        )
    print(f"\nmachine: {platform.platform()}, Python {platform.python_version()}")
    print(
        f"example {args.example}: {summary['model']['variables']} variables, "
        f"{summary['model']['constraints']} constraints, objective {summary['objective']:,.2f}"
    )
    print(f"median end to end: {statistics.median(walls):.2f} s over {args.runs} runs (goal < 5 s)")
    for stage in stages[0]:
        print(f"  median {stage}: {statistics.median(s[stage] for s in stages):.3f} s")


if __name__ == "__main__":
    main()
