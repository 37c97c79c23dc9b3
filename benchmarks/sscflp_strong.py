"""HiGHS on the plain strong formulation of single-source capacitated facility location.

The yardstick for emsplan's site and market-source options (issue 13, design
section 7): each instance of ``../shared/data/sscflp-holmberg/`` (format and
published optima in its README and ``optima.csv``) is solved by highspy
directly, from arrays, with the textbook strong formulation (x_ij = 1 when
customer j is served wholly by facility i)::

    min  sum_i f_i y_i + sum_ij c_ij x_ij
    s.t. sum_i x_ij = 1                      every customer served by one facility
         sum_j d_j x_ij <= s_i y_i           capacity only where open
         x_ij <= y_i                         strong linking (the valid inequality)
         x, y binary

HiGHS default options (threads left to HiGHS, as ``orlib_strong.py`` does).
Per instance: HiGHS's run time to proven optimum (or the gap at the limit),
the objective, the LP relaxation's bound, the root node's dual bound (the
last dual bound HiGHS reports at node 0, after its cuts and restarts, caught
by a MIP-interrupt callback), the nodes, and whether the objective is the
published optimum (within 1e-4 relative, HiGHS's default relative gap).

Usage::

    python benchmarks/sscflp_strong.py [INSTANCE ...] [--time-limit 300] [--data DIR]
                                       [--json FILE]

With no instance names it runs p1-p12 and writes
``benchmarks/results/sscflp_strong.json``. ``run_instance`` is the per-instance
function for other scripts (``sscflp_compare.py``).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "shared" / "data" / "sscflp-holmberg"
RESULTS = HERE / "results" / "sscflp_strong.json"
RTOL = 1e-4  # HiGHS's default mip_rel_gap: "optimal" means within this of the optimum


def published_optima(data: Path = DATA) -> dict[str, float]:
    """Instance name -> published optimum (``optima.csv`` of the data set)."""
    with (data / "optima.csv").open(newline="") as handle:
        return {row["instance"]: float(row["optimum"]) for row in csv.DictReader(handle)}


def read_instance(path: Path) -> dict[str, np.ndarray]:
    """Capacities, opening costs, demands and the cost matrix (facility x customer).

    ``cost[i, j]`` is the cost of serving all of customer j from facility i (the file
    gives it row-wise per customer, c[j][i]).
    """
    values = np.asarray(path.read_text().split(), dtype=float)
    m, n = int(values[0]), int(values[1])
    expected = 2 + 2 * m + n + m * n
    if len(values) != expected:
        raise ValueError(f"{path}: {len(values)} numbers, expected {expected}")
    cap, fixed, demand, rest = np.split(values[2:], [m, 2 * m, 2 * m + n])
    return {"capacity": cap, "fixed": fixed, "demand": demand, "cost": rest.reshape(n, m).T}


def build(inst: dict[str, np.ndarray]) -> Any:
    """The strong formulation as a row-wise ``highspy.HighsLp``: y_i, then x_ij at m + i*n + j."""
    import highspy

    cap, fixed, demand, cost = inst["capacity"], inst["fixed"], inst["demand"], inst["cost"]
    m, n = cost.shape
    n_cols = m + m * n
    x = (m + np.arange(m)[:, None] * n + np.arange(n)[None, :]).astype(np.int32)  # (m, n)
    y = np.arange(m, dtype=np.int32)
    inf = highspy.kHighsInf
    blocks = [  # (column indices, values, lower, upper), one row per line of the arrays
        (x.T, np.ones((n, m)), np.ones(n), np.ones(n)),  # assignment
        (  # capacity
            np.concatenate([x, y[:, None]], axis=1),
            np.concatenate([np.broadcast_to(demand, (m, n)), -cap[:, None]], axis=1),
            np.full(m, -inf),
            np.zeros(m),
        ),
        (  # strong linking
            np.stack([x.ravel(), np.repeat(y, n)], axis=1),
            np.tile([1.0, -1.0], (m * n, 1)),
            np.full(m * n, -inf),
            np.zeros(m * n),
        ),
    ]
    widths = np.concatenate([np.full(len(lo), cols.shape[1]) for cols, _, lo, _ in blocks])
    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = len(widths)
    lp.col_cost_ = np.concatenate([fixed, cost.ravel()])
    lp.col_lower_ = np.zeros(n_cols)
    lp.col_upper_ = np.ones(n_cols)
    lp.row_lower_ = np.concatenate([b[2] for b in blocks])
    lp.row_upper_ = np.concatenate([b[3] for b in blocks])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(widths)]).astype(np.int32)
    lp.a_matrix_.index_ = np.concatenate([b[0].ravel() for b in blocks]).astype(np.int32)
    lp.a_matrix_.value_ = np.concatenate([b[1].ravel() for b in blocks]).astype(float)
    lp.a_matrix_.num_col_ = n_cols
    lp.a_matrix_.num_row_ = lp.num_row_
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n_cols
    return lp


def lp_bound(inst: dict[str, np.ndarray]) -> float:
    """The optimum of the LP relaxation (integrality dropped)."""
    import highspy

    relaxed = build(inst)
    relaxed.integrality_ = []
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(relaxed)
    h.run()
    return float(h.getInfo().objective_function_value)


def solve(inst: dict[str, np.ndarray], time_limit: float = 300.0) -> dict[str, Any]:
    """Solve the strong formulation with highspy, default options; figures of the run."""
    import highspy

    lp = build(inst)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.passModel(lp)
    root: dict[str, float] = {}

    def at_interrupt(event: Any) -> None:  # the last dual bound seen at node 0
        data = event.data_out
        if data.mip_node_count == 0:
            root["bound"] = float(data.mip_dual_bound)

    h.cbMipInterrupt += at_interrupt
    start = time.perf_counter()
    h.run()
    wall = time.perf_counter() - start
    info = h.getInfo()
    return {
        "status": h.modelStatusToString(h.getModelStatus()),
        "objective": float(info.objective_function_value),
        "bound": float(info.mip_dual_bound),
        "gap": float(info.mip_gap),
        "lp_bound": lp_bound(inst),
        "root_bound": root.get("bound"),
        "seconds": float(h.getRunTime()),
        "wall": wall,
        "nodes": int(info.mip_node_count),
        "rows": int(lp.num_row_),
        "cols": int(lp.num_col_),
    }


def run_instance(
    name: str, data: Path = DATA, time_limit: float = 300.0, optimum: float | None = None
) -> dict[str, Any]:
    """Solve ``data/<name>.txt``; the figures of :func:`solve` beside the published optimum."""
    best = published_optima(data)[name] if optimum is None else optimum
    r = solve(read_instance(data / f"{name}.txt"), time_limit)
    diff = (r["objective"] - best) / best
    r.update(
        instance=name,
        published=best,
        rel_diff=diff,
        matches=bool(r["status"] == "Optimal" and abs(diff) <= RTOL),
    )
    return r


def _host() -> dict[str, Any]:
    from importlib.metadata import version

    sys.path.insert(0, str(HERE))
    from run import host  # benchmarks/run.py: the machine's facts, as every script reports them

    return {**host(), "highspy": version("highspy"), "load_before": os.getloadavg()}


def _bound(value: float | None) -> str:
    return f"{value:>12.1f}" if value is not None else f"{'-':>12}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("names", nargs="*", help="e.g. p1 p5 (default: all of optima.csv)")
    parser.add_argument("--time-limit", type=float, default=300.0)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--json", type=Path, default=RESULTS, help=f"default {RESULTS}")
    args = parser.parse_args()
    if not args.data.is_dir():
        sys.exit(f"the SSCFLP data folder {args.data} is absent: nothing to measure")
    optima = published_optima(args.data)
    names = args.names or sorted(optima, key=lambda s: int(s.lstrip("p")))
    machine = _host()
    rows = []
    print(f"time limit {args.time_limit:.0f} s each; HiGHS {machine['highspy']} default options")
    print(
        f"{'instance':<9}{'status':>10}{'seconds':>9}{'nodes':>8}{'LP bound':>12}"
        f"{'root bound':>12}{'objective':>12}{'published':>11}{'rel. diff':>11}  match"
    )
    for name in names:
        r = run_instance(name, args.data, args.time_limit, optima[name])
        rows.append(r)
        print(
            f"{name:<9}{r['status']:>10}{r['seconds']:>9.2f}{r['nodes']:>8}"
            f"{_bound(r['lp_bound'])}{_bound(r['root_bound'])}{r['objective']:>12.1f}"
            f"{r['published']:>11.0f}{r['rel_diff']:>11.1e}  {'yes' if r['matches'] else 'NO'}",
            flush=True,
        )
    total = sum(r["seconds"] for r in rows)
    print(
        f"{len(rows)} instances, {sum(r['matches'] for r in rows)} at the published optimum, "
        f"{total:.1f} s of HiGHS run time in all"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        record = {"machine": machine, "time_limit": args.time_limit, "instances": rows}
        args.json.write_text(json.dumps(record, indent=2) + "\n")
        print(f"written {args.json}")


if __name__ == "__main__":
    main()
