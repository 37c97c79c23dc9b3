"""Reading a solved model's values: the helpers every plan table is built with."""

from __future__ import annotations

import linopy
import numpy as np
import pandas as pd

#: Quantities below this are solver noise and are not written.
EPS = 1e-7


def solution(model: linopy.Model, name: str) -> np.ndarray:
    if name not in model.variables:
        return np.zeros((0, 0))
    return np.nan_to_num(np.asarray(model.variables[name].solution.values, dtype=float))


def nonzero_rows(frame: pd.DataFrame, values: np.ndarray, periods: list[str]) -> pd.DataFrame:
    """One row per (element of ``frame``, period) with a non-zero quantity."""
    e, t = np.nonzero(np.abs(values) > EPS)
    out = frame.iloc[e].reset_index(drop=True)
    out.insert(len(out.columns), "period", np.asarray(periods, dtype=object)[t])
    out["qty"] = values[e, t]
    out["_e"], out["_t"] = e, t
    return out
