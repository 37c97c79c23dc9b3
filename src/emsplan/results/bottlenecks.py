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
            name = f"LocalContent-{kind}"
            if name not in model.constraints:
                continue
            dual = model.constraints[name].dual.to_series()
            for label, value in dual[dual.abs() > 1e-9].items():
                scope, period = split_at_period(str(label))
                total = lc.loc[
                    (lc["scope"] == scope) & (lc["period"] == period), "total_value"
                ].sum()
                per_point = float(value) * float(total) * 0.01
                rows.append(
                    (
                        name,
                        scope,
                        period,
                        -per_point,
                        "raising the local-share target by one percentage point costs "
                        f"{per_point:,.2f}",
                    )
                )
    return pd.DataFrame(
        rows, columns=["constraint", "element", "period", "value_per_unit", "meaning"]
    )
