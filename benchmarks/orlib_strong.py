"""HiGHS on a hand-written strong formulation of OR-Library capacitated facility location.

The yardstick for emsplan's fixed-charge options (issue 5, part 4): each
instance of ``../shared/data/orlib-cap/`` (format and published optima in its
README) is solved by highspy directly, from arrays, with the textbook strong
formulation (demand splittable, x_ij = share of customer j served by i)::

    min  sum_i f_i y_i + sum_ij c_ij x_ij
    s.t. sum_i x_ij = 1                      every customer served
         sum_j d_j x_ij <= s_i y_i           capacity only where open
         x_ij <= y_i                         strong linking (the valid inequality)
         sum_i s_i y_i >= sum_j d_j          enough capacity open (cover)
         y binary, 0 <= x <= 1

Usage::

    python benchmarks/orlib_strong.py [INSTANCE ...] [--time-limit 300] [--data DIR]
                                      [--json FILE]

With no instance names it runs them all (capa, capb, capc once per capacity
of the README's table). Prints per instance: time to proven optimum or the gap
at the limit, the objective, the published optimum and the relative difference.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "orlib-cap"

#: Published optima (README of the data set); capa/b/c per capacity.
OPTIMA: dict[str, float] = {
    "cap41": 1040444.375, "cap42": 1098000.450, "cap43": 1153000.450, "cap44": 1235500.450,
    "cap51": 1025208.225, "cap61": 932615.750, "cap62": 977799.400, "cap63": 1014062.050,
    "cap64": 1045650.250, "cap71": 932615.750, "cap72": 977799.400, "cap73": 1010641.450,
    "cap74": 1034976.975, "cap121": 793439.563, "cap122": 852524.625, "cap123": 895302.325,
    "cap124": 946051.325,
    "capa-8000": 19240822.449, "capa-10000": 18438046.543, "capa-12000": 17765201.949,
    "capa-14000": 17160439.012,
    "capb-5000": 13656379.578, "capb-6000": 13361927.449, "capb-7000": 13198556.434,
    "capb-8000": 13082516.496,
    "capc-5000": 11646596.974, "capc-5750": 11570340.289, "capc-6500": 11518743.744,
    "capc-7250": 11505767.394,
}  # fmt: skip


def read_instance(path: Path, capacity: float | None = None) -> dict[str, np.ndarray]:
    """Capacities, fixed costs, demands and the cost matrix (facility x customer)."""
    tokens = path.read_text().split()
    m, n = int(tokens[0]), int(tokens[1])
    pos = 2
    cap = np.empty(m)
    fixed = np.empty(m)
    for i in range(m):
        word = tokens[pos]
        if word == "capacity":
            if capacity is None:
                raise ValueError(f"{path.name} leaves the capacity open: give one")
            cap[i] = capacity
        else:
            cap[i] = float(word)
        fixed[i] = float(tokens[pos + 1])
        pos += 2
    demand = np.empty(n)
    cost = np.empty((m, n))
    for j in range(n):
        demand[j] = float(tokens[pos])
        cost[:, j] = np.asarray(tokens[pos + 1 : pos + 1 + m], dtype=float)
        pos += 1 + m
    return {"capacity": cap, "fixed": fixed, "demand": demand, "cost": cost}


def solve(inst: dict[str, np.ndarray], time_limit: float) -> dict[str, Any]:
    """Build the strong formulation row-wise and solve it with highspy (default options)."""
    import highspy

    cap, fixed, demand, cost = inst["capacity"], inst["fixed"], inst["demand"], inst["cost"]
    m, n = cost.shape
    n_cols = m + m * n  # y_i, then x_ij at m + i * n + j
    x = (m + np.arange(m)[:, None] * n + np.arange(n)[None, :]).astype(np.int32)  # (m, n)
    y = np.arange(m, dtype=np.int32)
    starts, index, value = [], [], []
    lower, upper = [], []

    def add_rows(cols: np.ndarray, vals: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
        """Rows given as a (rows, width) array of column indices and values."""
        offset = sum(len(c) for c in index)
        width = cols.shape[1]
        starts.append(offset + np.arange(cols.shape[0]) * width)
        index.append(cols.ravel())
        value.append(vals.ravel())
        lower.append(lo)
        upper.append(hi)

    inf = highspy.kHighsInf
    add_rows(x.T, np.ones((n, m)), np.ones(n), np.ones(n))  # assignment
    add_rows(  # capacity
        np.concatenate([x, y[:, None]], axis=1),
        np.concatenate([np.broadcast_to(demand, (m, n)), -cap[:, None]], axis=1),
        np.full(m, -inf),
        np.zeros(m),
    )
    add_rows(  # strong linking
        np.stack([x.ravel(), np.repeat(y, n)], axis=1),
        np.tile([1.0, -1.0], (m * n, 1)),
        np.full(m * n, -inf),
        np.zeros(m * n),
    )
    add_rows(y[None, :], cap[None, :], np.array([demand.sum()]), np.array([inf]))  # cover

    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = sum(len(s) for s in starts)
    lp.col_cost_ = np.concatenate([fixed, cost.ravel()])
    lp.col_lower_ = np.zeros(n_cols)
    lp.col_upper_ = np.ones(n_cols)
    lp.row_lower_ = np.concatenate(lower)
    lp.row_upper_ = np.concatenate(upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.concatenate([*starts, [sum(len(c) for c in index)]]).astype(np.int32)
    lp.a_matrix_.index_ = np.concatenate(index).astype(np.int32)
    lp.a_matrix_.value_ = np.concatenate(value).astype(float)
    lp.a_matrix_.num_col_ = n_cols
    lp.a_matrix_.num_row_ = lp.num_row_
    integrality = [highspy.HighsVarType.kContinuous] * n_cols
    for i in range(m):
        integrality[i] = highspy.HighsVarType.kInteger
    lp.integrality_ = integrality
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.passModel(lp)
    start = time.perf_counter()
    h.run()
    wall = time.perf_counter() - start
    info = h.getInfo()
    return {
        "status": h.modelStatusToString(h.getModelStatus()),
        "objective": float(info.objective_function_value),
        "bound": float(info.mip_dual_bound),
        "gap": float(info.mip_gap),
        "seconds": float(h.getRunTime()),
        "wall": wall,
        "nodes": int(info.mip_node_count),
        "rows": int(lp.num_row_),
        "cols": int(n_cols),
    }


def instances(names: list[str]) -> list[tuple[str, str, float | None]]:
    """(label, file stem, capacity) for the names given (all if none)."""
    out: list[tuple[str, str, float | None]] = []
    for label in OPTIMA:
        stem, _, cap = label.partition("-")
        if names and label not in names and stem not in names:
            continue
        out.append((label, stem, float(cap) if cap else None))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="e.g. cap41 capb capc-5000 (default: all)")
    parser.add_argument("--time-limit", type=float, default=300.0)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    rows = []
    print(f"{'instance':<12}{'status':>22}{'seconds':>10}{'gap':>10}{'objective':>16}"
          f"{'published':>16}{'rel. diff':>11}")  # fmt: skip
    for label, stem, cap in instances(args.names):
        inst = read_instance(args.data / f"{stem}.txt", cap)
        r = solve(inst, args.time_limit)
        best = OPTIMA[label]
        r.update(instance=label, published=best, rel_diff=(r["objective"] - best) / best)
        rows.append(r)
        print(
            f"{label:<12}{r['status']:>22}{r['seconds']:>10.1f}{r['gap']:>10.2e}"
            f"{r['objective']:>16.3f}{best:>16.3f}{r['rel_diff']:>11.1e}",
            flush=True,
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
