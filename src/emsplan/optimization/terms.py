"""Build linopy expressions from flat term tables.

A constraint family is described as a table of terms: for each term, the row
it belongs to (one or more integer coordinates, e.g. node and period), the
variable label and the coefficient. :func:`expression` turns such a table
into a :class:`linopy.LinearExpression` over the given coordinates in one
vectorised step (terms sorted by row, padded to the longest row), so sparse
index sets and per-element lead times never need a Python loop over elements.
"""

from __future__ import annotations

from collections.abc import Sequence

import linopy
import numpy as np
import pandas as pd
import xarray as xr

TERM_DIM = "_term"


def expression(
    model: linopy.Model,
    coords: Sequence[pd.Index],
    rows: Sequence[np.ndarray],
    labels: np.ndarray,
    coeffs: np.ndarray,
) -> linopy.LinearExpression:
    """Sum the terms per row into an expression over ``coords``.

    Parameters
    ----------
    model : the model owning the variables.
    coords : one named index per dimension of the result.
    rows : for each dimension, the integer position of each term's row.
    labels : variable label of each term (-1 terms are dropped).
    coeffs : coefficient of each term.
    """
    shape = tuple(len(c) for c in coords)
    labels = np.asarray(labels, dtype=np.int64).ravel()
    coeffs = np.asarray(coeffs, dtype=float).ravel()
    flat = (
        np.ravel_multi_index(tuple(np.asarray(r, dtype=np.int64).ravel() for r in rows), shape)
        if labels.size
        else np.zeros(0, dtype=np.int64)
    )
    keep = (labels >= 0) & (coeffs != 0)
    flat, labels, coeffs = flat[keep], labels[keep], coeffs[keep]
    order = np.argsort(flat, kind="stable")
    flat, labels, coeffs = flat[order], labels[order], coeffs[order]
    counts = np.bincount(flat, minlength=int(np.prod(shape)))
    width = max(int(counts.max()) if counts.size else 0, 1)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    slot = np.arange(flat.size) - np.repeat(starts, counts)
    var_grid = np.full((int(np.prod(shape)), width), -1, dtype=np.int64)
    coef_grid = np.zeros((int(np.prod(shape)), width))
    var_grid[flat, slot] = labels
    coef_grid[flat, slot] = coeffs
    dims = [str(c.name) for c in coords]
    xr_coords = {str(c.name): c for c in coords}
    data = xr.Dataset(
        {
            "vars": ([*dims, TERM_DIM], var_grid.reshape(*shape, width)),
            "coeffs": ([*dims, TERM_DIM], coef_grid.reshape(*shape, width)),
        },
        coords=xr_coords,
    )
    return linopy.LinearExpression(data, model)


def labels_of(model: linopy.Model, name: str) -> np.ndarray:
    """The label array of variable ``name`` (-1 where masked)."""
    return np.asarray(model.variables[name].labels.values)


def constant(coords: Sequence[pd.Index], values: np.ndarray) -> xr.DataArray:
    """A right-hand side over ``coords``."""
    return xr.DataArray(
        np.asarray(values, dtype=float).reshape(tuple(len(c) for c in coords)),
        coords={str(c.name): c for c in coords},
        dims=[str(c.name) for c in coords],
    )


def total(model: linopy.Model, labels: np.ndarray, coeffs: np.ndarray) -> linopy.LinearExpression:
    """The sum of the terms, as a scalar expression (e.g. an objective)."""
    labels = np.asarray(labels, dtype=np.int64).ravel()
    coeffs = np.asarray(coeffs, dtype=float).ravel()
    keep = (labels >= 0) & (coeffs != 0)
    data = xr.Dataset({"vars": ([TERM_DIM], labels[keep]), "coeffs": ([TERM_DIM], coeffs[keep])})
    return linopy.LinearExpression(data, model)
