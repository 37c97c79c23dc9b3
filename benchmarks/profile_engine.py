"""Profile emsplan's stages on a generated network with pyinstrument.

Usage::

    python benchmarks/profile_engine.py --size M [--seed 1] [--skip-solve] [--out DIR]

Generates the network (in memory; the CSV round trip is profiled too), then
profiles each stage separately: read (CSV folder -> typed tables), validate,
prepare (``optimization.sets.prepare``), create_model (variables, constraints,
objective in linopy), solve (linopy's hand-over to highspy and HiGHS's run),
build_tables (the plan's tables) and write (CSV, workbook, summary.json).
Prints each stage's time and its call tree (functions above 2% of the stage),
and writes one text report per stage into ``--out``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyinstrument import Profiler


def profiled(name: str, fn: Callable[[], Any], out: Path) -> Any:
    profiler = Profiler(interval=0.005)
    profiler.start()
    start = time.perf_counter()
    value = fn()
    seconds = time.perf_counter() - start
    profiler.stop()
    text = profiler.output_text(unicode=False, color=False, show_all=False, time="seconds")
    (out / f"{name}.txt").write_text(text)
    print(f"\n===== {name}: {seconds:.2f} s =====")
    lines = [line for line in text.splitlines() if line.strip()]
    body = [line for line in lines if any(ch.isdigit() for ch in line[:40])]
    keep = []
    for line in body:
        try:
            value_s = float(line.strip().lstrip("|-` ").split()[0])
        except ValueError:
            continue
        if value_s >= 0.02 * seconds:
            keep.append(line)
    print("\n".join(keep[:60]))
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="M", choices=["S", "M", "L", "XL"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-solve", action="store_true")
    parser.add_argument(
        "--no-targets",
        action="store_true",
        help="drop the local-content targets (the LP then solves in seconds: a proxy for "
        "profiling hand-over, results and write at L and XL)",
    )
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="emsplan-profile-"))
    out.mkdir(parents=True, exist_ok=True)

    from emsplan.data.generate import generate
    from emsplan.data.readers import read_unchecked
    from emsplan.optimization.build import create_model
    from emsplan.optimization.prepare import prepare
    from emsplan.optimization.solve import solve_model
    from emsplan.results.plan import Plan
    from emsplan.results.summary import summary
    from emsplan.results.tables import build_tables

    folder = out / "network"
    network = generate(args.size, args.seed)
    if args.no_targets:
        network.tables["targets"] = network.targets.iloc[:0]
    network.write(folder)
    net = profiled("read", lambda: read_unchecked(folder), out)
    profiled("validate", net.validate, out)
    data = profiled("prepare", lambda: prepare(net), out)
    model, data = profiled("create_model", lambda: create_model(net, data), out)
    print(f"\nmodel: {model.nvars:,} variables, {model.ncons:,} constraints")
    if args.skip_solve:
        return
    outcome = profiled("solve", lambda: solve_model(model), out)
    runtime = model.solver_model.getRunTime()
    print(f"HiGHS run time {runtime:.2f} s; hand-over {outcome.solve_seconds - runtime:.2f} s")
    tables = profiled("build_tables", lambda: build_tables(model, data, net), out)
    plan = Plan(tables=tables, summary=summary(outcome, model, data, net, {}), network=net)
    profiled("write", lambda: plan.write(out / "plan"), out)
    print(f"\nreports in {out}")


if __name__ == "__main__":
    main()
