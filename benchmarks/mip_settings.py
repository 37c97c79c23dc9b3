"""HiGHS MIP settings on emsplan's MIPs: sampled scenarios of the example and OR-Library.

Usage::

    python benchmarks/mip_settings.py [--samples 6] [--orlib capb-6000 ...]
        [--setting "mip_heuristic_run_rins=false,mip_heuristic_run_rens=false" ...]
        [--time-limit 300] [--threads 1]

In one run it writes, as MPS files, the models emsplan builds for ``--samples`` sampled
scenarios of the bundled example (``sweep_speedup.py``'s two variations, seed 0, the
sweep's own sampling) and for each OR-Library instance named (capacity after the dash,
as ``orlib_compare.py``), then solves every model with HiGHS's defaults and with each
``--setting`` (comma-separated ``key=value`` HiGHS options), one after the other in this
process, and prints each run (seconds, objective, gap) and, per setting, the median and
sum of seconds and whether every objective matches the defaults' to the MIP gap.
The settings emsplan uses by default are in ``emsplan/optimization/choice.py``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import highs_options, quiet_highs

VARIATIONS = (
    "demand.qty*=normal(1,0.1)",
    "supply[supplier=CN-SZ].price*=uniform(0.9,1.3)",
)


def export_models(samples: int, orlib: list[str], folder: Path) -> list[Path]:
    """MPS files of the example's sampled scenarios and of the OR-Library instances."""
    import emsplan
    from emsplan.data.importers.orlib import read_orlib_cap
    from emsplan.optimization.build import create_model
    from emsplan.optimization.solve import write_model
    from emsplan.scenarios.overrides import parse, resolve
    from emsplan.scenarios.sweep import sample_network

    paths = []
    net = emsplan.examples.load("india-2023")
    resolved = [o.to_dict() for o in resolve(net, [parse(v) for v in VARIATIONS], random=True)]
    for index in range(samples):
        sampled, _ = sample_network(net, resolved, 0, index)
        model, _ = create_model(sampled)
        paths.append(folder / f"example-sample-{index}.mps")
        write_model(model, paths[-1])
    if orlib:
        from orlib_strong import DATA

        for label in orlib:
            name, capacity = label.split("-")
            source = DATA / name if (DATA / name).exists() else DATA / f"{name}.txt"
            model, _ = create_model(read_orlib_cap(source, float(capacity)))
            paths.append(folder / f"{label}.mps")
            write_model(model, paths[-1])
    return paths


def solve(path: Path, options: dict[str, Any]) -> dict[str, Any]:
    try:
        h = quiet_highs(options)
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
    h.readModel(str(path))
    start = time.perf_counter()
    h.run()
    info = h.getInfo()
    return {
        "seconds": time.perf_counter() - start,
        "objective": float(info.objective_function_value),
        "gap": float(info.mip_gap),
        "status": h.modelStatusToString(h.getModelStatus()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=6)
    parser.add_argument("--orlib", nargs="*", default=[], metavar="INSTANCE")
    parser.add_argument("--setting", action="append", default=[], metavar="K=V,K=V")
    parser.add_argument("--time-limit", type=float, default=300.0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    base = {"time_limit": args.time_limit, "threads": args.threads}
    settings = {"defaults": {}} | {text: highs_options(text.split(",")) for text in args.setting}
    with tempfile.TemporaryDirectory(prefix="emsplan-mip-") as folder:
        print("exporting the models ...", file=sys.stderr, flush=True)
        paths = export_models(args.samples, args.orlib, Path(folder))
        runs: dict[str, list[dict[str, Any]]] = {}
        for name, options in settings.items():
            runs[name] = []
            for path in paths:
                run = solve(path, {**base, **options})
                runs[name].append(run)
                print(
                    f"{name:<60} {path.stem:<20} {run['seconds']:8.2f} s  "
                    f"{run['objective']:>20,.2f}  gap {run['gap']:.2e}  {run['status']}",
                    flush=True,
                )
    reference = runs["defaults"]
    print(f"\n{'setting':<60} {'median s':>9} {'sum s':>9}  objectives vs defaults")
    for name, results in runs.items():
        seconds = [r["seconds"] for r in results]
        worse = [
            path.stem
            for path, r, d in zip(paths, results, reference, strict=True)
            if r["objective"] > d["objective"] * (1 + max(d["gap"], r["gap"], 1e-4))
        ]
        verdict = "the same to the gap" if not worse else f"worse on {', '.join(worse)}"
        print(f"{name:<60} {statistics.median(seconds):9.2f} {sum(seconds):9.2f}  {verdict}")


if __name__ == "__main__":
    main()
