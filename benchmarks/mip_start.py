"""HiGHS alone on sampled MIPs: its defaults against a start from the base plan's decisions.

Usage::

    python benchmarks/mip_start.py example --samples 3
    python benchmarks/mip_start.py capb-6000 --samples 2 --time-limit 300

Writes the MPS files of the base network and of ``--samples`` sampled scenarios (the
sweep's own sampling, seed 0: the example's two variations of ``sweep_speedup.py``, an
OR-Library instance's demand x normal(1, 0.1)), solves the base with HiGHS's defaults, then
each sample (one thread, one after the other in this process) with

* ``defaults``: HiGHS's settings, no start;
* ``off``: no start, :data:`emsplan.optimization.reuse.STARTED_SETTINGS` (HiGHS's root
  searches for a first plan off);
* ``start+off``: what a sweep's kept model does (:func:`emsplan.optimization.reuse._start`):
  the LP with the base plan's integer decisions fixed; if feasible, its solution as HiGHS's
  first incumbent and the root searches off; if not, HiGHS's defaults.

Prints each run's seconds (for ``start+off`` with the LP's), objective and gap.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from mip_settings import VARIATIONS
from run import quiet_highs

MODES = ("defaults", "off", "start+off")


def export(label: str, samples: int, folder: Path) -> list[Path]:
    """The MPS files of the base network and of its sampled scenarios."""
    import emsplan
    from emsplan.optimization.build import create_model
    from emsplan.optimization.solve import write_model
    from emsplan.scenarios.overrides import parse, resolve
    from emsplan.scenarios.sweep import sample_network

    if label == "example":
        net, varied = emsplan.examples.load("india-2023"), VARIATIONS
    else:
        from orlib_strong import DATA

        from emsplan.data.importers.orlib import read_orlib_cap

        name, capacity = label.split("-")
        source = DATA / name if (DATA / name).exists() else DATA / f"{name}.txt"
        net, varied = read_orlib_cap(source, float(capacity)), VARIATIONS[:1]
    resolved = [o.to_dict() for o in resolve(net, [parse(v) for v in varied], random=True)]
    networks = [net, *(sample_network(net, resolved, 0, i)[0] for i in range(samples))]
    paths = []
    for index, network in enumerate(networks):
        model, _ = create_model(network)
        paths.append(folder / f"{label}-{index - 1 if index else 'base'}.mps")
        write_model(model, paths[-1])
    return paths


def solve(path: Path, mode: str, base: tuple[np.ndarray, np.ndarray], limit: float) -> str:
    from emsplan.optimization.reuse import STARTED_SETTINGS, _start

    h = quiet_highs({"threads": 1, "time_limit": limit})
    h.readModel(str(path))
    started = time.perf_counter()
    note = ""
    if mode == "off":
        for key, value in STARTED_SETTINGS.items():
            h.setOptionValue(key, value)
    elif mode == "start+off":
        columns, values = base
        if _start(h, (columns, values), columns, columns, {}) is None:
            note = " (start not feasible: defaults)"
    h.run()
    info = h.getInfo()
    return (
        f"{mode}: {time.perf_counter() - started:.1f} s, {info.objective_function_value:,.2f}, "
        f"gap {info.mip_gap:.1e}{note}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("network", help="example, or an OR-Library instance: capb-6000")
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=300.0)
    parser.add_argument("--mode", action="append", choices=MODES, help="default: all three")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base_path, *samples = export(args.network, args.samples, Path(folder))
        h = quiet_highs({"threads": 1, "time_limit": args.time_limit})
        h.readModel(str(base_path))
        started = time.perf_counter()
        h.run()
        lp = h.getLp()
        columns = np.flatnonzero([int(v) > 0 for v in lp.integrality_]).astype(np.int32)
        values = np.round(np.asarray(h.getSolution().col_value)[columns])
        print(
            f"{args.network} base: {time.perf_counter() - started:.1f} s, "
            f"{h.getInfo().objective_function_value:,.2f}; {columns.size} integer columns, "
            f"{int(values.sum())} at 1"
        )
        for path in samples:
            runs = [
                solve(path, mode, (columns, values), args.time_limit) for mode in args.mode or MODES
            ]
            print(f"{path.stem}: " + " | ".join(runs), flush=True)


if __name__ == "__main__":
    main()
