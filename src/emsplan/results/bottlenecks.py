"""The plan's bottlenecks (``bottlenecks``): binding capacities and targets, from the
duals of an LP (or of a MIP's fixed re-solve), with what one more unit is worth."""

from __future__ import annotations

import linopy
import pandas as pd

from emsplan.core.labels import split_at_period
from emsplan.core.outcomes import SolverStatus
from emsplan.optimization.data import PlanningData

#: Constraint families whose duals are reported, and what one more unit means.
BOTTLENECKS = {
    "Supply-capacity": "one more unit of this offer's capacity per period saves",
    "Resource-capacity": "one more unit of this resource's capacity saves",
    "Lane-capacity": "one more unit of this lane's capacity saves",
    "Site-storage": "one more unit of storage at this site saves",
}


#: What raising a target of each kind means (``LocalContent-<scope>``, the absolute
#: share; ``LocalContent-relative-<scope>``, the pledge (1 + growth) x base of a relative
#: target whose base is the plan's own share, its band fixed by the MIP's re-solve).
TARGET = "raising the local-share target by one percentage point costs"
RELATIVE_TARGET = (
    "raising the pledged local share (1 + growth) x base by one percentage point costs"
)


def _target_rows(
    model: linopy.Model, name: str, meaning: str, lc: pd.DataFrame
) -> list[tuple[str, str, str, float, str]]:
    """A target family's binding rows, per (scope, period): the dual x the whole value of
    the content measured, per percentage point (a relative target's rows, one per band of
    its grid, are summed: only the chosen band's can bind)."""
    dual = model.constraints[name].dual.to_series()
    if isinstance(dual.index, pd.MultiIndex):
        dual = dual.groupby(level=0, sort=False).sum()
    rows = []
    for label, value in dual[dual.abs() > 1e-9].items():
        scope, period = split_at_period(str(label))
        total = lc.loc[(lc["scope"] == scope) & (lc["period"] == period), "total_value"].sum()
        per_point = float(value) * float(total) * 0.01
        rows.append((name, scope, period, -per_point, f"{meaning} {per_point:,.2f}"))
    return rows


def bottlenecks(model: linopy.Model, data: PlanningData, lc: pd.DataFrame) -> pd.DataFrame:
    rows = []
    if model.type in ("LP",) and SolverStatus.parse(model.status) is SolverStatus.OK:
        for name, meaning in BOTTLENECKS.items():
            if name not in model.constraints:
                continue
            dual = model.constraints[name].dual.to_series()
            binding = dual[dual.abs() > 1e-6]
            for (element, period), value in binding.items():
                rows.append(
                    (name, str(element), str(period), float(-value), f"{meaning} {-value:,.2f}")
                )
        for kind in ("network", "plant", "product"):
            for name, what in (
                (f"LocalContent-{kind}", TARGET),
                (f"LocalContent-relative-{kind}", RELATIVE_TARGET),
            ):
                if name in model.constraints:
                    rows.extend(_target_rows(model, name, what, lc))
    return pd.DataFrame(
        rows, columns=["constraint", "element", "period", "value_per_unit", "meaning"]
    )
