"""Forecasts that add up: the hierarchy of series and MinT reconciliation.

**Hierarchy.** The bottom series are the market-and-item series of the history; above them
stand the totals per item (over markets), per item group (``items.group``, over its items'
series) and overall. A total of a single series, or of the same series as another total,
is the same series and is left out of the reconciliation (it is that series'
forecast). ``S`` is the summing matrix: one row per node (the totals, then the bottom
series), one column per bottom series, ``S[i, j] = 1`` when node ``i`` holds series ``j``.

**MinT** (Wickramasuriya, Athanasopoulos and Hyndman, 2019). Each node is forecast on its
own (its *base* forecast ``y_hat``); the reconciled bottom forecasts are

    b = (S' W^-1 S)^-1 S' W^-1 y_hat,

and every node's reconciled forecast is ``S b``, so the series add up to their totals by
construction. ``W`` is the covariance of the base forecasts' one-step errors in the
history, shrunk towards its diagonal by the Schafer-Strimmer intensity (``mint_shrink``):
the sample covariance of a few dozen periods and many series is too noisy to invert.
Negative reconciled bottom forecasts (sales cannot be) are set to 0 and the totals summed
again, which keeps them adding up.

**Intervals.** Quantiles do not add up, so there is no interval to reconcile exactly: each
node keeps the calibrated width of its own base interval (below and above its forecast),
placed around its reconciled forecast, its lower bound no lower than 0. In theory MinT's
forecasts are at least as accurate as the base ones, so these widths err, if at all, on
the wide side.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Node:
    """A series of the hierarchy: a total (``total``, ``group``, ``item``) or a bottom
    ``series`` (one market and item), and the bottom series it holds."""

    level: str
    group: str | None
    item: str | None
    market: str | None
    members: tuple[int, ...]


@dataclass(frozen=True)
class Hierarchy:
    """The nodes reconciled (the distinct totals, then the bottom series, in the order of
    ``keys``), their summing matrix, and every total reported with the node whose
    forecast is its own (``reported``: total -> position in ``nodes``)."""

    nodes: list[Node]
    summing: np.ndarray
    reported: list[tuple[Node, int]]

    @property
    def n_bottom(self) -> int:
        return int(self.summing.shape[1])


def build_hierarchy(keys: Sequence[tuple[str, str]], groups: Mapping[str, str]) -> Hierarchy:
    """The hierarchy of the bottom series ``keys`` (market, item): totals per item, per
    group of ``groups`` (item -> group; items without one belong to no group) and overall."""
    n = len(keys)
    bottom = [Node("series", groups.get(i), i, m, (j,)) for j, (m, i) in enumerate(keys)]
    items: dict[str, list[int]] = {}
    by_group: dict[str, list[int]] = {}
    for j, (_, item) in enumerate(keys):
        items.setdefault(item, []).append(j)
        if item in groups:
            by_group.setdefault(groups[item], []).append(j)
    totals = [Node("item", groups.get(i), i, None, tuple(js)) for i, js in sorted(items.items())]
    totals += [Node("group", g, None, None, tuple(js)) for g, js in sorted(by_group.items())]
    totals.append(Node("total", None, None, None, tuple(range(n))))
    # the lowest node of each set of bottom series is the one forecast
    kept: dict[tuple[int, ...], Node] = {b.members: b for b in bottom}
    for node in totals:
        kept.setdefault(node.members, node)
    aggregates = [node for node in totals if kept[node.members] is node]
    nodes = [*aggregates, *bottom]
    position = {id(node): k for k, node in enumerate(nodes)}
    summing = np.zeros((len(nodes), n))
    for k, node in enumerate(nodes):
        summing[k, list(node.members)] = 1.0
    reported = [(node, position[id(kept[node.members])]) for node in totals]
    return Hierarchy(nodes, summing, reported)


def shrunk_covariance(residuals: np.ndarray, variances: np.ndarray) -> np.ndarray:
    """The covariance of the columns of ``residuals`` (periods x series; NaN where a series
    has none), shrunk towards its diagonal with the Schafer-Strimmer intensity.

    Each pair is estimated over the periods both series have; a pair with fewer than 3
    such periods counts as uncorrelated, and a series with fewer than 3 residuals takes
    its variance from ``variances`` (the pipeline's: its interval's, for one period)."""
    e = np.asarray(residuals, dtype=float)
    mask = np.isfinite(e)
    count = mask.sum(axis=0)
    mean = np.where(count > 0, np.nansum(e, axis=0) / np.maximum(count, 1), 0.0)
    centred = np.where(mask, e - mean, 0.0)
    pairs = mask.T.astype(float) @ mask.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = (centred.T @ centred) / (pairs - 1)
    cov[pairs < 3] = 0.0
    var = np.where(count >= 3, np.maximum(np.diag(cov), 0.0), np.asarray(variances, float))
    np.fill_diagonal(cov, var)
    sd = np.sqrt(var)
    with np.errstate(divide="ignore", invalid="ignore"):
        standard = np.where(mask & (sd > 0), centred / np.where(sd > 0, sd, 1.0), 0.0)
    products = standard.T @ standard
    squares = (standard**2).T @ (standard**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = products / (pairs - 1)
        spread = (squares - products**2 / pairs) * pairs / (pairs - 1) ** 3
    off = ~np.eye(len(var), dtype=bool) & (pairs >= 3) & np.isfinite(r) & np.isfinite(spread)
    den = float(np.sum(r[off] ** 2))
    intensity = float(np.clip(np.sum(spread[off]) / den, 0.0, 1.0)) if den > 0 else 1.0
    shrunk = (1 - intensity) * cov
    np.fill_diagonal(shrunk, var)
    # a series the model fits exactly (variance 0) is trusted, not infinitely
    floor = 1e-9 * max(float(var.max()), 1e-12)
    shrunk[np.diag_indices_from(shrunk)] = np.maximum(var, floor)
    return shrunk


def mint(summing: np.ndarray, base: np.ndarray, covariance: np.ndarray) -> np.ndarray:
    """The reconciled bottom forecasts ``(S' W^-1 S)^-1 S' W^-1 y_hat`` (bottom series x
    periods) of the base forecasts ``base`` (nodes x periods), ``W = covariance``."""
    w_inv_s = np.linalg.solve(covariance, summing)
    return np.linalg.solve(summing.T @ w_inv_s, w_inv_s.T @ base)


def reconcile(
    hierarchy: Hierarchy, base: np.ndarray, residuals: np.ndarray, variances: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Reconciled forecasts of every node (nodes x periods) and of the bottom series, none
    negative; ``residuals`` are the nodes' one-step errors (periods x nodes), and
    ``variances`` those of a node with too few of them (see :func:`shrunk_covariance`)."""
    summing = hierarchy.summing
    if summing.shape[0] == summing.shape[1]:  # no total distinct from a series
        bottom = base[-hierarchy.n_bottom :]
    else:
        bottom = mint(summing, base, shrunk_covariance(residuals, variances))
    bottom = np.maximum(bottom, 0.0)
    return summing @ bottom, bottom
