"""What each of emsplan's valid inequalities buys on single-source facility location.

For each Holmberg instance (``../shared/data/sscflp-holmberg/``, p1-p12 by default)
the network of ``emsplan import sscflp`` (plants with a ``site`` option each, one
``market_source`` option over every market, demand that must be met) is built by
``create_model(network, strengthen=...)`` once per set of strengthening families
(``emsplan/optimization/strength.py``):

- ``none``: no family at all;
- each site family alone: ``Site-flow``, ``Site-cover``, ``Source-open``,
  ``Source-knapsack``;
- ``open+knapsack``: ``Source-open`` and ``Source-knapsack`` (the pair that
  should give the strong formulation's LP in one period);
- ``all``: every family (``strength.FAMILIES``; the line families add nothing here:
  the instances have no line options);
- ``default``: ``strength.DEFAULT``, what ``emsplan plan`` adds (all but ``Site-flow``).

Each model is handed to HiGHS by linopy (``Model.to_highspy``, as ``emsplan plan``
does through its direct API) and solved with HiGHS's default options and a time
limit. Reported per run: HiGHS's own run time, the status, the objective and
whether it is the published optimum (within 1e-4 relative, HiGHS's default gap),
the gap, the LP relaxation's bound (the same model with ``solve_relaxation``), the
root node's dual bound (the last dual bound at node 0, after HiGHS's cuts, caught by
a MIP-interrupt callback, as ``sscflp_strong.py`` does), the nodes, the rows and the
build time. Beside them: ``sscflp_strong.py``'s textbook strong formulation, solved
from arrays with the same limit.

``--generated SIZE [--seed N]`` measures the other side, what ``Site-flow`` costs
where no market is single-sourced: ``emsplan generate SIZE --seed N`` with a site
option on every warehouse and on the first five plants (existing, closable, each
costing 1% of the plan without options a period), solved with no family, with
``Site-flow`` and with all (``results/sites-SIZE-seedN.json``).

Usage::

    python benchmarks/sscflp_compare.py [INSTANCE ...] [--time-limit 120] [--repeat 3]
                                        [--configs none all ...] [--data DIR]
                                        [--json FILE]
    python benchmarks/sscflp_compare.py --generated S --seed 1 [--time-limit 300]

With no instance names it runs p1-p12 and writes ``benchmarks/results/sscflp.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from sscflp_strong import DATA, RTOL, published_optima, run_instance  # noqa: E402

RESULTS = HERE / "results" / "sscflp.json"
SITE_FAMILIES = ("Site-flow", "Site-cover", "Source-open", "Source-knapsack")


def configs() -> dict[str, frozenset[str]]:
    """The sets of families measured, by the name the table shows."""
    from emsplan.optimization.strength import DEFAULT, FAMILIES

    sets = {"none": frozenset[str]()}
    sets.update({name: frozenset([name]) for name in SITE_FAMILIES})
    sets["open+knapsack"] = frozenset(["Source-open", "Source-knapsack"])
    sets["all"] = frozenset(FAMILIES)
    sets["default"] = DEFAULT
    return sets


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence HiGHS's banner, which it prints on creation before any option is set."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
        try:
            yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)


def _run(model: Any, time_limit: float) -> tuple[Any, dict[str, float]]:
    """One HiGHS run of the model; the solver and the root node's last dual bound."""
    with _quiet():
        h = model.to_highspy()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    root: dict[str, float] = {}

    def at_interrupt(event: Any) -> None:  # the last dual bound seen at node 0
        data = event.data_out
        if data.mip_node_count == 0:
            root["bound"] = float(data.mip_dual_bound)

    h.cbMipInterrupt += at_interrupt
    h.run()
    return h, root


def solve_emsplan(
    network: Any,
    strengthen: frozenset[str],
    time_limit: float,
    optimum: float | None,
    repeat: int,
) -> dict[str, Any]:
    """Build the network's model with these families and solve it with HiGHS ``repeat``
    times (the median run time; the other figures are the first run's, HiGHS being
    deterministic)."""
    from emsplan.optimization.build import create_model

    start = time.perf_counter()
    model, _ = create_model(network, strengthen=strengthen)
    build = time.perf_counter() - start
    h, root = _run(model, time_limit)
    times = [float(h.getRunTime())]
    for _ in range(repeat - 1):
        times.append(float(_run(model, time_limit)[0].getRunTime()))
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    objective = float(info.objective_function_value)
    diff = (objective - optimum) / optimum if optimum is not None else 0.0
    figures = {
        "status": status,
        "objective": objective,
        "bound": float(info.mip_dual_bound),
        "gap": float(info.mip_gap),
        "root_bound": root.get("bound"),
        "seconds": float(statistics.median(times)),
        "runs": times,
        "nodes": int(info.mip_node_count),
        "rows": int(model.ncons),
        "cols": int(model.nvars),
        "build": build,
        "rel_diff": diff,
        "matches": bool(status == "Optimal" and abs(diff) <= RTOL),
    }
    with _quiet():
        relaxed = model.to_highspy()
    relaxed.setOptionValue("output_flag", False)
    relaxed.setOptionValue("solve_relaxation", True)
    relaxed.run()
    figures["lp_bound"] = float(relaxed.getInfo().objective_function_value)
    return figures


def solve_strong(name: str, data: Path, time_limit: float, optimum: float, repeat: int) -> Any:
    """``sscflp_strong.run_instance`` ``repeat`` times: its figures, the median run time."""
    first = run_instance(name, data, time_limit, optimum)
    times = [first["seconds"]]
    times += [run_instance(name, data, time_limit, optimum)["seconds"] for _ in range(repeat - 1)]
    return {**first, "seconds": float(statistics.median(times)), "runs": times}


def generated_network(
    size: str, seed: int = 1, share: float = 0.01, solve: bool = True
) -> tuple[Any, float]:
    """``emsplan generate SIZE --seed SEED`` with a site option on every warehouse and on the
    first five plants (existing, closable, a running cost per period of ``share`` of the
    plan's cost without options over the horizon, spread over the periods): the usual
    network-design question, "which sites to keep", without market single sourcing.
    Returns the network and the cost of the plan without options (the LP; without
    ``solve``, a running cost of 1 and a cost of nan: for counting rows)."""
    import pandas as pd

    from emsplan.data.generate import generate
    from emsplan.data.network import Network
    from emsplan.optimization.build import create_model

    base = generate(size, seed=seed)
    cost = float("nan")
    if solve:
        h, _ = _run(create_model(base)[0], 3600.0)
        cost = float(h.getInfo().objective_function_value)
    tables = {name: table.copy() for name, table in base.tables.items()}
    sites = tables["sites"]
    chosen = [
        *sites.loc[sites["kind"] == "warehouse", "site"],
        *sites.loc[sites["kind"] == "plant", "site"][:5],
    ]
    running = cost * share / len(tables["periods"]) if solve else 1.0
    rows = pd.DataFrame(
        [
            {
                "option": f"keep-{s}",
                "kind": "site",
                "site": s,
                "existing": 1,
                "closable": 1,
                "fixed_cost": running,
            }
            for s in chosen
        ]
    )
    old = tables.get("options")
    tables["options"] = (
        rows if old is None or old.empty else pd.concat([old, rows], ignore_index=True)
    )
    return Network(tables, name=f"{size}-sites"), cost


def run_generated(args: argparse.Namespace) -> None:
    """``--generated SIZE``: none / Site-flow / all on the generated network with site
    options (the other site families have no row there: no market_source option, no
    throughput)."""
    from emsplan.optimization.strength import FAMILIES

    sets = {"none": frozenset[str](), "Site-flow": frozenset(["Site-flow"])}
    sets["all"] = frozenset(FAMILIES)
    sets = {name: chosen for name, chosen in sets.items() if name in (args.configs or sets)}
    machine = _host()
    if args.build_only:
        build_only(args, sets, machine)
        return
    network, cost = generated_network(args.generated, args.seed)
    print(
        f"generated {args.generated} (seed {args.seed}) with {len(network.options)} site options; "
        f"plan without options {cost:.6g}; time limit {args.time_limit:.0f} s; load "
        f"average before {machine['load_before'][0]:.2f}"
    )
    print(f"{'set':<12}{'rows':>10}{'build s':>9}{'HiGHS s':>10}{'status':>16}{'gap':>9}"
          f"{'LP bound':>16}{'root bound':>16}{'nodes':>8}")  # fmt: skip
    runs = {}
    for name, chosen in sets.items():
        r = solve_emsplan(network, chosen, args.time_limit, None, args.repeat)
        runs[name] = r
        root = f"{r['root_bound']:.6g}" if r["root_bound"] is not None else "-"
        print(
            f"{name:<12}{r['rows']:>10}{r['build']:>9.2f}{r['seconds']:>10.1f}"
            f"{r['status']:>16}{r['gap']:>9.2%}{r['lp_bound']:>16.6g}{root:>16}{r['nodes']:>8}",
            flush=True,
        )
    machine["load_after"] = os.getloadavg()
    default = HERE / "results" / f"sites-{args.generated}-seed{args.seed}.json"
    out = args.json if args.json != RESULTS else default
    out.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "machine": machine,
        "time_limit": args.time_limit,
        "repeat": args.repeat,
        "size": args.generated,
        "seed": args.seed,
        "plan_cost_without_options": cost,
        "runs": runs,
    }
    out.write_text(json.dumps(record, indent=2) + "\n")
    print(f"written {out}")


def build_only(
    args: argparse.Namespace, sets: dict[str, frozenset[str]], machine: dict[str, Any]
) -> None:
    """``--generated SIZE --build-only``: the rows and the build time of each set, twice
    each (the second build is the one reported: the first pays for imports and caches)."""
    from emsplan.optimization.build import create_model
    from emsplan.optimization.prepare import prepare
    from emsplan.optimization.strength import FAMILIES

    network, _ = generated_network(args.generated, args.seed, solve=False)
    print(
        f"generated {args.generated} (seed {args.seed}) with {len(network.options)} site "
        f"options, build only; load average before {machine['load_before'][0]:.2f}"
    )
    runs = {}
    for name, chosen in sets.items():
        for _ in range(2):
            data = prepare(network)
            start = time.perf_counter()
            model, _ = create_model(network, data=data, strengthen=chosen)
            build = time.perf_counter() - start
        rows = {
            family: int((model.constraints[family].labels.values >= 0).sum())
            for family in FAMILIES
            if family in model.constraints
        }
        runs[name] = {
            "rows": int(model.ncons),
            "cols": int(model.nvars),
            "build": build,
            "family_rows": rows,
        }
        print(f"{name:<12}{model.ncons:>10} rows {build:>7.2f} s build  {rows}", flush=True)
    out = HERE / "results" / f"sites-{args.generated}-seed{args.seed}-build.json"
    machine["load_after"] = os.getloadavg()
    out.write_text(json.dumps({"machine": machine, "size": args.generated, "runs": runs}, indent=2))
    print(f"written {out}")


def _host() -> dict[str, Any]:
    from importlib.metadata import version

    from run import host  # benchmarks/run.py: the machine's facts, as every script reports them

    return {
        **host(),
        "highspy": version("highspy"),
        "linopy": version("linopy"),
        "load_before": os.getloadavg(),
    }


def _cell(r: dict[str, Any]) -> str:
    """seconds (or the gap left), root bound, nodes."""
    done = f"{r['seconds']:.2f}" if r["matches"] else f"gap {r['gap']:.2%}"
    root = f"{r['root_bound']:.0f}" if r.get("root_bound") is not None else "-"
    return f"{done:>10}{root:>8}{r['nodes']:>7}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("names", nargs="*", help="e.g. p1 p5 (default: all of optima.csv)")
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--configs", nargs="*", help="names of the sets (default: all)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each solve (median)")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--json", type=Path, default=RESULTS, help=f"default {RESULTS}")
    parser.add_argument(
        "--generated", metavar="SIZE", help="measure a generated network with site options instead"
    )
    parser.add_argument("--seed", type=int, default=1, help="of the generated network")
    parser.add_argument("--build-only", action="store_true", help="with --generated: no solve")
    args = parser.parse_args()
    if args.generated:
        run_generated(args)
        return
    if not args.data.is_dir():
        sys.exit(f"the SSCFLP data folder {args.data} is absent: nothing to measure")
    from emsplan.data.importers.sscflp import read_sscflp

    optima = published_optima(args.data)
    names = args.names or sorted(optima, key=lambda s: int(s.lstrip("p")))
    sets = configs()
    chosen = args.configs or list(sets)
    machine = _host()
    print(
        f"time limit {args.time_limit:.0f} s each; HiGHS {machine['highspy']} default "
        f"options; load average before {machine['load_before'][0]:.2f}"
    )
    print(
        f"per set: HiGHS run time to proven optimum (s, median of {args.repeat}) or the gap "
        "left, root bound, nodes"
    )
    print(f"{'instance':<9}{'LP none':>9}{'LP all':>9}" + "".join(f"{c:>25}" for c in chosen)
          + f"{'strong':>25}")  # fmt: skip
    rows = []
    for name in names:
        network = read_sscflp(args.data / f"{name}.txt")
        runs = {
            c: solve_emsplan(network, sets[c], args.time_limit, optima[name], args.repeat)
            for c in chosen
        }
        strong = solve_strong(name, args.data, args.time_limit, optima[name], args.repeat)
        rows.append(
            {"instance": name, "published": optima[name], "emsplan": runs, "strong": strong}
        )
        lp = [runs[c]["lp_bound"] if c in runs else float("nan") for c in ("none", "all")]
        print(
            f"{name:<9}{lp[0]:>9.1f}{lp[1]:>9.1f}"
            + "".join(f"{_cell(runs[c]):>25}" for c in chosen)
            + f"{_cell(strong):>25}",
            flush=True,
        )
    for c in chosen:
        total = sum(r["emsplan"][c]["seconds"] for r in rows)
        proved = sum(r["emsplan"][c]["matches"] for r in rows)
        print(f"{c:<16} {proved:>2}/{len(rows)} proven, {total:8.1f} s of HiGHS run time in all")
    total = sum(r["strong"]["seconds"] for r in rows)
    proved = sum(r["strong"]["matches"] for r in rows)
    print(f"{'strong':<16} {proved:>2}/{len(rows)} proven, {total:8.1f} s of HiGHS run time in all")
    machine["load_after"] = os.getloadavg()
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        record = {
            "machine": machine,
            "time_limit": args.time_limit,
            "repeat": args.repeat,
            "configs": {c: sorted(sets[c]) for c in chosen},
            "instances": rows,
        }
        args.json.write_text(json.dumps(record, indent=2) + "\n")
        print(f"written {args.json}")


if __name__ == "__main__":
    main()
