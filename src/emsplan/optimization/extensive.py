"""The extensive form of a two-stage plan: one model per scenario, stage 1 shared.

Given the models of N scenarios of the same network (built by
:func:`emsplan.optimization.build.create_model`, with commitments, so their stage-1
variables have the same shape and mask) and their weights p_s, :func:`compose` stacks
their matrices block-diagonally and gives every stage-1 variable (:data:`STAGE1`) a
single column that all scenarios share: the decision is the same in every scenario by
construction, with no non-anticipativity rows. The objective is the expected cost::

    min  sum_s p_s (c_s x_s + k_s)  [ + w (eta + sum_s p_s u_s / (1 - alpha)) ]
    s.t. the rows of every scenario on its own columns and the shared ones
         [ c_s x_s + k_s - eta - u_s <= 0,  u_s >= 0 ]

where the bracketed part is the optional CVaR term (Rockafellar and Uryasev): with
weight w > 0, ``eta`` ends at the alpha-quantile of the scenario costs and the term
adds w x the mean cost of the worst (1 - alpha) share of scenarios.

The form is handed to HiGHS (highspy) directly: linopy builds each scenario, the
assembly is a matter of sparse matrices.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import linopy
import numpy as np
import scipy.sparse as sp

#: The variables decided before demand is known: the options (lines, contracts, sites,
#: single sources, market origins), the sites' opening and closing events and the
#: purchases committed ahead (:mod:`emsplan.optimization.commitments`).
STAGE1 = (
    "Option-open",
    "Option-source",
    "Option-market-source",
    "Site-opened",
    "Site-closed",
    "Supply-commit",
)


class StructureError(ValueError):
    """The scenarios' models do not share their stage-1 variables' shape."""


@dataclass
class ExtensiveForm:
    """The stacked model and how to read it back."""

    lp: Any  # highspy.HighsLp
    #: per scenario: the column of each active variable of its model (aligned with its
    #: ``matrices.vlabels``), its objective coefficients and constant
    columns: list[np.ndarray]
    costs: list[np.ndarray]
    constants: list[float]
    #: per stage-1 variable: its label array's shape, the flat positions of its active
    #: cells and their shared columns
    stage1: dict[str, tuple[tuple[int, ...], np.ndarray, np.ndarray]]
    weights: np.ndarray
    cvar_weight: float = 0.0
    cvar_alpha: float = 0.9
    eta: int = -1  # the CVaR threshold's column (-1 without CVaR)


@dataclass
class ExtensiveSolution:
    """What the solver returned for an extensive form."""

    status: str  # "optimal", "time_limit", "infeasible", ... (HiGHS's model status)
    objective: float | None
    best_bound: float | None
    mip_gap: float | None
    seconds: float
    scenario_costs: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: stage-1 values, each shaped like its variable (NaN where masked)
    stage1: dict[str, np.ndarray] = field(default_factory=dict)
    cvar: float | None = None

    @property
    def has_plan(self) -> bool:
        return self.objective is not None and self.scenario_costs.size > 0


def compose(
    models: Sequence[linopy.Model],
    weights: Sequence[float] | None = None,
    cvar_weight: float = 0.0,
    cvar_alpha: float = 0.9,
) -> ExtensiveForm:
    """Stack the scenario models into one (see the module)."""
    import highspy

    n = len(models)
    if n == 0:
        raise ValueError("an extensive form needs at least one scenario")
    p = np.full(n, 1.0 / n) if weights is None else np.asarray(weights, dtype=float)
    shared = _shared_columns(models[0])
    n_shared = sum(len(cols) for _, _, cols in shared.values())
    next_col = n_shared
    columns, costs, constants = [], [], []
    blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray, int]] = []
    row_lower: list[np.ndarray] = []
    row_upper: list[np.ndarray] = []
    col_lower = np.zeros(n_shared)
    col_upper = np.zeros(n_shared)
    integer = np.zeros(n_shared, dtype=bool)
    lowers, uppers, integers = [], [], []
    for s, model in enumerate(models):
        m = model.matrices
        if not (m.var_scaling == 1).all():
            raise StructureError("scaled variables are not supported in an extensive form")
        col = np.full(len(m.vlabels), -1, dtype=np.int64)
        position = _positions(m.vlabels)
        for name, (shape, flat, cols) in shared.items():
            labels = np.asarray(model.variables[name].labels.values).ravel()
            if labels.shape != (math.prod(shape),) or not np.array_equal(
                np.flatnonzero(labels >= 0), flat
            ):
                raise StructureError(
                    f"scenario {s + 1} changes the shape of stage-1 variable {name}: every "
                    "scenario must keep the network's structure (vary quantities, not rows)"
                )
            pos = position[labels[flat]]
            col[pos] = cols
            if s == 0:
                col_lower[cols] = m.lb[pos]
                col_upper[cols] = m.ub[pos]
                integer[cols] = m.vtypes[pos] != "C"
        own = col < 0
        col[own] = next_col + np.arange(int(own.sum()))
        next_col += int(own.sum())
        lowers.append(m.lb[own])
        uppers.append(m.ub[own])
        integers.append(m.vtypes[own] != "C")
        columns.append(col)
        costs.append(np.asarray(m.c, dtype=float))
        constants.append(_constant(model))
        if m.A is not None and m.A.shape[0]:
            a = sp.coo_array(m.A)
            blocks.append((a.row, col[a.col], a.data, a.shape[0]))
            lo, up = _row_bounds(m.b, m.sense)
            row_lower.append(lo)
            row_upper.append(up)
    n_cols = next_col
    cost = np.zeros(n_cols)
    for s in range(n):
        np.add.at(cost, columns[s], p[s] * costs[s])
    offset = float(np.dot(p, constants))
    col_lower = np.concatenate([col_lower, *lowers])
    col_upper = np.concatenate([col_upper, *uppers])
    integer = np.concatenate([integer, *integers])
    eta = -1
    if cvar_weight > 0:
        eta = n_cols
        # eta (free) and u_s >= 0; rows c_s x_s - eta - u_s <= -k_s
        cost = np.concatenate([cost, [cvar_weight], cvar_weight * p / (1.0 - cvar_alpha)])
        col_lower = np.concatenate([col_lower, [-highspy.kHighsInf], np.zeros(n)])
        col_upper = np.concatenate([col_upper, np.full(n + 1, highspy.kHighsInf)])
        integer = np.concatenate([integer, np.zeros(n + 1, dtype=bool)])
        for s in range(n):
            nz = np.flatnonzero(costs[s])
            cols = np.concatenate([columns[s][nz], [eta, eta + 1 + s]])
            vals = np.concatenate([costs[s][nz], [-1.0, -1.0]])
            blocks.append((np.zeros(len(cols), dtype=np.int64), cols, vals, 1))
            row_lower.append(np.array([-highspy.kHighsInf]))
            row_upper.append(np.array([-constants[s]]))
        n_cols += n + 1
    all_rows: list[np.ndarray] = []
    offset_row = 0
    for r, _, _, height in blocks:
        all_rows.append(r + offset_row)
        offset_row += height
    matrix = sp.csc_array(
        (
            np.concatenate([b[2] for b in blocks]),
            (np.concatenate(all_rows), np.concatenate([b[1] for b in blocks])),
        ),
        shape=(offset_row, n_cols),
    )
    matrix.sum_duplicates()
    lp = highspy.HighsLp()
    lp.num_col_ = n_cols
    lp.num_row_ = offset_row
    lp.col_cost_ = cost
    lp.offset_ = offset
    lp.col_lower_ = col_lower
    lp.col_upper_ = col_upper
    lp.row_lower_ = np.concatenate(row_lower)
    lp.row_upper_ = np.concatenate(row_upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(float)
    lp.a_matrix_.num_col_ = n_cols
    lp.a_matrix_.num_row_ = offset_row
    if integer.any():
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
            for i in integer
        ]
    return ExtensiveForm(
        lp=lp,
        columns=columns,
        costs=costs,
        constants=constants,
        stage1=shared,
        weights=p,
        cvar_weight=float(cvar_weight),
        cvar_alpha=float(cvar_alpha),
        eta=eta,
    )


def solve(
    form: ExtensiveForm,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    threads: int | None = None,
    log: bool = False,
) -> ExtensiveSolution:
    """Solve the extensive form with HiGHS and read back the stage-1 decisions and each
    scenario's cost."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", bool(log))
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    if mip_gap is not None:
        h.setOptionValue("mip_rel_gap", float(mip_gap))
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    h.passModel(form.lp)
    start = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - start
    status = h.modelStatusToString(h.getModelStatus()).lower()
    info = h.getInfo()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    mip = form.lp.integrality_ is not None and len(form.lp.integrality_) > 0
    out = ExtensiveSolution(
        status=status,
        objective=float(info.objective_function_value) if has_solution else None,
        best_bound=float(info.mip_dual_bound) if mip and has_solution else None,
        mip_gap=float(info.mip_gap) if mip and has_solution else None,
        seconds=seconds,
    )
    if not has_solution:
        return out
    x = np.asarray(h.getSolution().col_value)
    out.scenario_costs = np.array(
        [
            float(np.dot(c, x[cols])) + k
            for c, cols, k in zip(form.costs, form.columns, form.constants, strict=True)
        ]
    )
    for name, (shape, flat, cols) in form.stage1.items():
        values = np.full(math.prod(shape), np.nan)
        values[flat] = x[cols]
        out.stage1[name] = values.reshape(shape)
    if form.eta >= 0:
        out.cvar = float(
            x[form.eta] + np.dot(form.weights, x[form.eta + 1 :]) / (1 - form.cvar_alpha)
        )
    return out


def cvar(costs: np.ndarray, weights: np.ndarray, alpha: float) -> float:
    """Conditional value at risk of discrete ``costs``: the mean of the worst
    (1 - ``alpha``) probability mass (the optimum of the Rockafellar-Uryasev form)."""
    order = np.argsort(costs)[::-1]
    c, w = np.asarray(costs, float)[order], np.asarray(weights, float)[order]
    tail = 1.0 - alpha
    taken = np.minimum(w, np.maximum(tail - np.concatenate([[0.0], np.cumsum(w)[:-1]]), 0.0))
    return float(np.dot(c, taken) / tail)


def _shared_columns(
    model: linopy.Model,
) -> dict[str, tuple[tuple[int, ...], np.ndarray, np.ndarray]]:
    out: dict[str, tuple[tuple[int, ...], np.ndarray, np.ndarray]] = {}
    start = 0
    for name in STAGE1:
        if name not in model.variables:
            continue
        labels = np.asarray(model.variables[name].labels.values)
        flat = np.flatnonzero(labels.ravel() >= 0)
        out[name] = (labels.shape, flat, start + np.arange(len(flat)))
        start += len(flat)
    return out


def _positions(vlabels: np.ndarray) -> np.ndarray:
    """Label -> position in ``vlabels`` (-1 for labels not there)."""
    position = np.full(int(vlabels.max()) + 1 if len(vlabels) else 0, -1, dtype=np.int64)
    position[vlabels] = np.arange(len(vlabels))
    return position


def _row_bounds(b: np.ndarray, sense: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import highspy

    inf = highspy.kHighsInf
    sense = np.asarray(sense).astype(str)
    b = np.asarray(b, dtype=float)
    lower = np.where(sense == "<", -inf, b)
    upper = np.where(sense == ">", inf, b)
    return lower, upper


def _constant(model: linopy.Model) -> float:
    const = getattr(model.objective.expression, "const", 0.0)
    value = float(np.asarray(const).sum()) if const is not None else 0.0
    return value if math.isfinite(value) else 0.0
