r"""Local-content targets at three scopes: the network, a plant, a product.

The local share of purchased content is the value of its domestic-origin part
over its whole value, each supply offer o contributing its price
:math:`c_o` times its own local-content share :math:`\lambda_o`. A target of
share :math:`s` over content x_k (units of offer o_k) is the linear constraint

.. math:: \sum_k c_{o_k} (\lambda_{o_k} - s) \, x_k \ge 0 .

The content counted in period t is what is **consumed** in t:

* ``network`` and a plant: every BOM line consuming, at a plant, an item that
  suppliers deliver to that plant (``Plant-alloc``);
* a product: the product's BOM exploded through the sub-assemblies its plant
  alone makes, down to items suppliers deliver
  (``Product-alloc``), at every plant that makes it.

A plant pools the units of an item it receives from several offers, so the
model attributes consumption to offers with allocation variables (kind K =
Plant or Product):

* ``K-content[c, t]``: sum_o alloc[(c, o), t] = qty_c * make[prod_c, t], every
  unit consumed is attributed to some offer that delivers the item there;
* ``K-origin[(o, p), t]``: cumulative allocations of offer o at plant p up to
  t do not exceed cumulative receipts at p from o's supplier of o's item
  (as a running balance of ``K-pool``, the units received but not yet attributed).

Both are linear, so no pooling non-linearity arises, and the target holds for
at least one attribution of origins consistent with what arrived when. Local
parts that are bought but never consumed count for nothing. Items that reach
a plant only through a warehouse are outside the measure (their consumption
is neither local nor imported content); with a target, consumption of an item
that suppliers also deliver directly must be covered by direct deliveries.

A **relative target** asks the share s_P in period P to be at least (1 + g) x a base.
A given base (``targets.base_share``) is folded into the absolute share when the data
is prepared, so it is a row of ``LocalContent-<scope>``. A base that is the plan's own
share s_B in a period B makes the pledge bilinear (L_P V_B >= (1 + g) L_B V_P); it is
made linear on a grid of base shares b_k (``data.target_bands``, step = setting
``relative_target_step``) with one binary per point: ``Target-measure`` (the local and
whole value of the scope in B and P), ``Target-band-one`` (one band), ``Target-base``
(band k means s_B <= b_k) and ``LocalContent-relative-<scope>`` (then s_P >= (1 + g)
b_k), see :func:`define_relative_targets`. Every plan admitted meets the true pledge; it
may ask up to (1 + g) x step of share more than the exact one.
"""

from __future__ import annotations

import linopy
import numpy as np
import pandas as pd
import xarray as xr

from emsplan.core.labels import at_period, content_label, delivery_label
from emsplan.optimization.data import PlanningData, grid
from emsplan.optimization.prepare.options import make_bound
from emsplan.optimization.terms import constant, expression, labels_of
from emsplan.optimization.variables import coord

#: Allocation kind and the target scopes it serves.
SCOPES = {"Plant": ("network", "plant"), "Product": ("product",)}
#: The allocation kind that serves each target scope.
KIND = {scope: kind for kind, scopes in SCOPES.items() for scope in scopes}
#: The allocations' columns a target of each scope selects by (besides the period).
SCOPE_COLUMN = {"network": None, "plant": "plant", "product": "product"}


def supplier_receipts(data: PlanningData) -> pd.DataFrame:
    """Every (supplier arc, departure period) with its arrival period, value and local share."""
    arcs = data.arcs[data.arcs["origin_kind"] == "supplier"]
    lc = data.offers.set_index(["supplier", "item"])["local_content"]
    share = lc.reindex(pd.MultiIndex.from_frame(arcs[["origin", "item"]])).to_numpy(float)
    e, t = grid(len(arcs), data.n_periods)
    arrival = t + arcs["lead_time"].to_numpy(int)[e]
    ok = arrival < data.n_periods
    return pd.DataFrame(
        {
            "arc": arcs["pos"].to_numpy(int)[e][ok],
            "destination": arcs["destination"].to_numpy()[e][ok],
            "t": t[ok],
            "arrival": arrival[ok],
            "value": arcs["value"].to_numpy(float)[e][ok],
            "local_content": share[e][ok],
        }
    )


def define_allocation_content(model: linopy.Model, data: PlanningData, kind: str) -> None:
    """``<kind>-content[c, t]``: sum_o alloc[(c, o), t] = qty_c * make[prod_c, t]."""
    alloc = data.allocations.get(kind)
    if alloc is None or alloc.empty:
        return
    T = data.n_periods
    content = data.contents[kind]
    e, t = grid(len(alloc), T)
    a_lab = labels_of(model, f"{kind}-alloc")
    c, tc = grid(len(content), T)
    make = labels_of(model, "Plant-make")
    names = content_label(content["plant"], content["product"], content["item"])
    coords = [pd.Index(names, name=f"{kind.lower()}_content"), coord(data, "period")]
    lhs = expression(
        model,
        coords,
        [np.concatenate([alloc["content"].to_numpy(int)[e], c]), np.concatenate([t, tc])],
        np.concatenate([a_lab[e, t], make[content["prod"].to_numpy(int)[c], tc]]),
        np.concatenate([np.ones(e.size), -content["qty"].to_numpy(float)[c]]),
    )
    model.add_constraints(lhs, "=", 0.0, name=f"{kind}-content")


def define_allocation_origin(model: linopy.Model, data: PlanningData, kind: str) -> None:
    """``<kind>-origin[(o, p), t]``: cumulative allocations of offer o at plant p up to t
    do not exceed cumulative receipts at p from o's supplier of o's item.

    Written as a running balance, not as cumulative sums: with ``<kind>-pool[(o, p), t]
    >= 0``, the units received but not yet attributed at the end of t,

        pool[t] = pool[t-1] + receipts[t] - allocations[t]   (pool[-1] = 0),

    which holds exactly when every cumulative constraint does. Each allocation and each
    receipt appears in one row instead of in every later period's (at L size, 0.64M
    nonzeros instead of 5.0M: see benchmarks/README.md)."""
    alloc = data.allocations.get(kind)
    if alloc is None or alloc.empty:
        return
    T = data.n_periods
    key = ["supplier", "plant", "item"]
    pairs = alloc[key].drop_duplicates(ignore_index=True)
    index = pd.MultiIndex.from_frame(pairs)
    a_pair = index.get_indexer(pd.MultiIndex.from_frame(alloc[key]))
    receipts = supplier_receipts(data)
    arcs = data.arcs.set_index("pos").loc[receipts["arc"]]
    r_pair = index.get_indexer(
        pd.MultiIndex.from_arrays(
            [arcs["origin"].to_numpy(), arcs["destination"].to_numpy(), arcs["item"].to_numpy()]
        )
    )
    receipts, r_pair = receipts[r_pair >= 0], r_pair[r_pair >= 0]
    names = delivery_label(pairs["supplier"], pairs["item"], pairs["plant"])
    coords = [pd.Index(names, name=f"{kind.lower()}_origin"), coord(data, "period")]
    pool = model.add_variables(lower=0.0, coords=coords, name=f"{kind}-pool")
    p_lab = np.asarray(pool.labels.values)
    a_e, a_t = grid(len(alloc), T)
    p_e, p_t = grid(len(pairs), T)
    before = p_t > 0  # pool[t-1] enters every row but the first period's
    ship = labels_of(model, "Lane-ship")
    a_lab = labels_of(model, f"{kind}-alloc")
    r_arc, r_t = receipts["arc"].to_numpy(int), receipts["t"].to_numpy(int)
    lhs = expression(
        model,
        coords,
        [
            np.concatenate([a_pair[a_e], r_pair, p_e, p_e[before]]),
            np.concatenate([a_t, receipts["arrival"].to_numpy(int), p_t, p_t[before]]),
        ],
        np.concatenate(
            [a_lab[a_e, a_t], ship[r_arc, r_t], p_lab[p_e, p_t], p_lab[p_e, p_t - 1][before]]
        ),
        np.concatenate(
            [
                np.ones(a_e.size),
                -np.ones(r_arc.size),
                np.ones(p_e.size),
                -np.ones(int(before.sum())),
            ]
        ),
    )
    model.add_constraints(lhs, "=", 0.0, name=f"{kind}-origin")


def allocation_terms(data: PlanningData, kind: str) -> pd.DataFrame:
    """Every (allocation, period) with its plant, product, value and local share."""
    alloc = data.allocations[kind]
    e, t = grid(len(alloc), data.n_periods)
    return pd.DataFrame(
        {
            "alloc": e,
            "t": t,
            "plant": alloc["plant"].to_numpy()[e],
            "product": alloc["product"].to_numpy()[e],
            "value": alloc["price"].to_numpy(float)[e],
            "local_content": alloc["local_content"].to_numpy(float)[e],
        }
    )


def define_target(model: linopy.Model, data: PlanningData, scope: str, elastic: bool) -> None:
    """``LocalContent-<scope>[target]``: local value of the content consumed in scope and
    period >= target share x its whole value (see module). When ``elastic``, a
    shortfall variable ``Target-shortfall-<scope>`` (in the currency) relaxes it."""
    kind = KIND[scope]
    absolute = data.targets["min_local_share"].notna()
    targets = data.targets[absolute & (data.targets["scope_kind"] == scope)]
    targets = targets.reset_index(drop=True)
    alloc = data.allocations.get(kind)
    if targets.empty or alloc is None or alloc.empty:
        return
    terms = allocation_terms(data, kind)
    on = {"network": ["t"], "plant": ["plant", "t"], "product": ["product", "t"]}[scope]
    rows = targets.rename(columns={"scope": on[0]}) if scope != "network" else targets
    rows = rows.assign(row=np.arange(len(rows)))[[*on, "row", "min_local_share"]]
    terms = terms.merge(rows, on=on)
    coeff = terms["value"].to_numpy(float) * (
        terms["local_content"].to_numpy(float) - terms["min_local_share"].to_numpy(float)
    )
    period = np.asarray(data.periods, dtype=object)[targets["t"].to_numpy(int)]
    coords = [pd.Index(at_period(targets["scope"], period), name=f"{scope}_target")]
    label = labels_of(model, f"{kind}-alloc")[terms["alloc"], terms["t"]]
    lhs = expression(model, coords, [terms["row"].to_numpy(int)], label, coeff)
    if elastic:
        shortfall = model.add_variables(lower=0.0, coords=coords, name=f"Target-shortfall-{scope}")
        lhs = lhs + shortfall
    model.add_constraints(lhs, ">=", 0.0, name=f"LocalContent-{scope}")


def define_local_content(model: linopy.Model, data: PlanningData, elastic: bool = False) -> None:
    """Allocation constraints of each kind present, then the targets of each scope."""
    for kind, scopes in SCOPES.items():
        define_allocation_content(model, data, kind)
        define_allocation_origin(model, data, kind)
        for scope in scopes:
            define_target(model, data, scope, elastic)


# -- relative targets: the share in P at least (1 + g) x the plan's own share in B ------
#: The two periods a relative target measures, and what is measured in each.
ROLES = pd.Index(["base", "pledge"], name="relative_period")
MEASURES = pd.Index(["local", "value"], name="measure")


def relative_targets(data: PlanningData) -> pd.DataFrame:
    """The targets whose base is the plan's own share in another period (``base_t``),
    numbered ``row``, where the allocation of their scope exists."""
    kinds = data.targets["scope_kind"].map(KIND)
    built = kinds.map(lambda k: k in data.allocations and not data.allocations[k].empty)
    rel = data.targets[(data.targets["base_t"] >= 0) & built.astype(bool)]
    return rel.reset_index(drop=True).assign(row=lambda r: np.arange(len(r)))


def _target_index(data: PlanningData, rel: pd.DataFrame, name: str) -> pd.Index:
    period = np.asarray(data.periods, dtype=object)[rel["t"].to_numpy(int)]
    return pd.Index(at_period(rel["scope"], period), name=name)


def _band_index(data: PlanningData) -> pd.Index:
    return pd.Index(np.arange(int(data.target_bands["k"].max()) + 1), name="band")


def _bands(data: PlanningData, rel: pd.DataFrame) -> pd.DataFrame:
    """The grid points (row, k, share) of the relative targets ``rel``."""
    keys = rel[["pos", "row"]].rename(columns={"pos": "target"})
    return data.target_bands.merge(keys, on="target")[["row", "k", "share"]]


def _period_keys(rows: pd.DataFrame, role: str, scope: str) -> tuple[pd.DataFrame, list[str]]:
    """(row, [scope column], t) of each relative target of ``scope`` in its base or pledge
    period, and the columns to merge allocations on."""
    column = SCOPE_COLUMN[scope]
    t = rows["t"] if role == "pledge" else rows["base_t"]
    keys = pd.DataFrame({"row": rows["row"].to_numpy(int), "t": t.to_numpy(int)})
    if column is None:
        return keys, ["t"]
    return keys.assign(**{column: rows["scope"].to_numpy()}), [column, "t"]


def value_bound(data: PlanningData, rel: pd.DataFrame) -> np.ndarray:
    """``Vmax[r, X]``: most whole value of content the scope of relative target r can
    consume in its base (X = 0) and pledge (X = 1) period: over the scope's content rows,
    the dearest offer's price x units per unit made x ``make_bound`` of the production
    row in that period (the big-M of :func:`define_target_base` and
    :func:`define_target_pledge`, computed from the data)."""
    out = np.zeros((len(rel), len(ROLES)))
    bound = make_bound(data)
    for scope, kind in KIND.items():
        rows = rel[rel["scope_kind"] == scope]
        if rows.empty:
            continue
        content = data.contents[kind]
        dearest = data.allocations[kind].groupby("content")["price"].max()
        content = content.assign(
            dearest=dearest.reindex(np.arange(len(content))).fillna(0.0).to_numpy(float)
        )
        for x, role in enumerate(ROLES):
            keys, on = _period_keys(rows, role, scope)
            on = on[:-1]
            pairs = content.merge(keys, on=on) if on else content.merge(keys, how="cross")
            value = (
                pairs["dearest"].to_numpy(float)
                * pairs["qty"].to_numpy(float)
                * bound[pairs["prod"].to_numpy(int), pairs["t"].to_numpy(int)]
            )
            np.add.at(out[:, x], pairs["row"].to_numpy(int), value)
    return out


def define_target_variables(model: linopy.Model, data: PlanningData) -> None:
    """``Target-local[r, X]``, ``Target-value[r, X]`` (currency, X = base or pledge
    period) and ``Target-band[r, k]`` (binary, one per grid point of r) of the relative
    targets whose base is the plan's own share."""
    rel = relative_targets(data)
    index = _target_index(data, rel, "relative_target")
    model.add_variables(lower=0.0, coords=[index, ROLES], name="Target-local")
    model.add_variables(lower=0.0, coords=[index, ROLES], name="Target-value")
    bands = _bands(data, rel)
    coords = [index, _band_index(data)]
    mask = np.zeros((len(coords[0]), len(coords[1])), bool)
    mask[bands["row"].to_numpy(int), bands["k"].to_numpy(int)] = True
    model.add_variables(
        binary=True, coords=coords, name="Target-band", mask=xr.DataArray(mask, coords=coords)
    )


def define_target_measure(model: linopy.Model, data: PlanningData) -> None:
    r"""``Target-measure[r, X, m]``: the local value and the whole value of the content
    the scope of relative target r consumes in its base and its pledge period X,

    .. math:: l_{r,X} = \sum_k c_{o_k} \lambda_{o_k} x_{k,t_X}, \qquad
              v_{r,X} = \sum_k c_{o_k} x_{k,t_X}

    over the allocations k of the scope (as :func:`define_target`), so that the band
    and pledge rows hold three terms each instead of every allocation."""
    rel = relative_targets(data)
    coords = [_target_index(data, rel, "relative_target"), ROLES, MEASURES]
    rows: list[list[np.ndarray]] = [[], [], []]
    labels, coeffs = [], []
    for scope, kind in KIND.items():
        scoped = rel[rel["scope_kind"] == scope]
        if scoped.empty:
            continue
        terms = allocation_terms(data, kind)
        alloc = labels_of(model, f"{kind}-alloc")
        for role_pos, role in enumerate(ROLES):
            keys, on = _period_keys(scoped, role, scope)
            hit = terms.merge(keys, on=on)
            value = hit["value"].to_numpy(float)
            for m, coeff in enumerate((value * hit["local_content"].to_numpy(float), value)):
                rows[0].append(hit["row"].to_numpy(int))
                rows[1].append(np.full(len(hit), role_pos))
                rows[2].append(np.full(len(hit), m))
                labels.append(alloc[hit["alloc"].to_numpy(int), hit["t"].to_numpy(int)])
                coeffs.append(-coeff)
    r, x = grid(len(rel), len(ROLES))
    for m, name in enumerate(("Target-local", "Target-value")):
        rows[0].append(r)
        rows[1].append(x)
        rows[2].append(np.full(r.size, m))
        labels.append(labels_of(model, name)[r, x])
        coeffs.append(np.ones(r.size))
    lhs = expression(
        model,
        coords,
        [np.concatenate(axis) for axis in rows],
        np.concatenate(labels),
        np.concatenate(coeffs),
    )
    model.add_constraints(lhs, "=", 0.0, name="Target-measure")


def define_target_band(model: linopy.Model, data: PlanningData) -> None:
    r"""``Target-band-one[r]``: :math:`\sum_k \text{band}_{r,k} = 1`, each relative
    target's base lies in one band of its grid."""
    rel = relative_targets(data)
    band = labels_of(model, "Target-band")
    r, k = np.nonzero(band >= 0)
    index = _target_index(data, rel, "relative_target")
    lhs = expression(model, [index], [r], band[r, k], np.ones(r.size))
    model.add_constraints(lhs, "=", 1.0, name="Target-band-one")


def define_target_base(model: linopy.Model, data: PlanningData) -> None:
    r"""``Target-base[r, k]``: band k holds the base share, :math:`s_B \le b_k`:

    .. math:: l_{r,B} - b_k v_{r,B} \le (1 - b_k)\,V^{max}_{r,B}\,(1 - \text{band}_{r,k})

    (:math:`l \le v`, so the row is void when the band is not chosen; :math:`V^{max}` of
    :func:`value_bound`). No row for the point :math:`b_k = 1`, which holds any base."""
    rel = relative_targets(data)
    bands = _bands(data, rel)
    bands = bands[bands["share"] < 1.0]
    r, k, b = (bands[c].to_numpy() for c in ("row", "k", "share"))
    r, k, b = r.astype(int), k.astype(int), b.astype(float)
    big = value_bound(data, rel)[r, 0] * (1.0 - b)
    coords = [_target_index(data, rel, "relative_target"), _band_index(data)]
    n = r.size
    lhs = expression(
        model,
        coords,
        [np.tile(r, 3), np.tile(k, 3)],
        np.concatenate(
            [
                labels_of(model, "Target-local")[r, 0],
                labels_of(model, "Target-value")[r, 0],
                labels_of(model, "Target-band")[r, k],
            ]
        ),
        np.concatenate([np.ones(n), -b, big]),
    )
    rhs, mask = _grid_of(coords, r, k, big)
    model.add_constraints(lhs, "<=", rhs, name="Target-base", mask=mask)


def define_target_pledge(
    model: linopy.Model, data: PlanningData, scope: str, elastic: bool = False
) -> None:
    r"""``LocalContent-relative-<scope>[r, k]``: when band k holds the base, the share in
    the pledge period P is at least (1 + g) b_k:

    .. math:: l_{r,P} - (1+g) b_k v_{r,P} \ge -(1+g)\,b_k\,V^{max}_{r,P}\,(1 - \text{band}_{r,k})

    (void for an unchosen band as :math:`l \ge 0`; no row for :math:`b_k = 0`). When
    ``elastic``, a shortfall ``Target-shortfall-relative-<scope>[r]`` (currency of local
    value in P) relaxes every row of r."""
    rel = relative_targets(data)
    scoped = rel[rel["scope_kind"] == scope]
    if scoped.empty:
        return
    bands = _bands(data, scoped)
    bands = bands[bands["share"] > 0.0]
    row, k, b = (bands[c].to_numpy() for c in ("row", "k", "share"))
    row, k, b = row.astype(int), k.astype(int), b.astype(float)
    at = pd.Series(np.arange(len(scoped)), index=scoped["row"].to_numpy(int))
    r = at.reindex(row).to_numpy(int)  # position among the scope's relative targets
    need = (1.0 + scoped["growth"].to_numpy(float)[r]) * b
    big = need * value_bound(data, rel)[row, 1]
    index = _target_index(data, scoped, f"{scope}_relative_target")
    coords = [index, _band_index(data)]
    n = row.size
    lhs = expression(
        model,
        coords,
        [np.tile(r, 3), np.tile(k, 3)],
        np.concatenate(
            [
                labels_of(model, "Target-local")[row, 1],
                labels_of(model, "Target-value")[row, 1],
                labels_of(model, "Target-band")[row, k],
            ]
        ),
        np.concatenate([np.ones(n), -need, -big]),
    )
    if elastic:
        shortfall = model.add_variables(
            lower=0.0, coords=[index], name=f"Target-shortfall-relative-{scope}"
        )
        lhs = lhs + shortfall
    rhs, mask = _grid_of(coords, r, k, -big)
    model.add_constraints(lhs, ">=", rhs, name=f"LocalContent-relative-{scope}", mask=mask)


def _grid_of(
    coords: list[pd.Index], r: np.ndarray, k: np.ndarray, values: np.ndarray
) -> tuple[xr.DataArray, xr.DataArray]:
    """A right-hand side over (target, band) with ``values`` at (r, k), and the mask of
    the cells given."""
    shape = (len(coords[0]), len(coords[1]))
    rhs, mask = np.zeros(shape), np.zeros(shape, bool)
    rhs[r, k], mask[r, k] = values, True
    return constant(coords, rhs), xr.DataArray(mask, coords=coords)


def define_relative_targets(model: linopy.Model, data: PlanningData, elastic: bool = False) -> None:
    """The relative targets whose base is the plan's own share (the targets with a given
    base are ordinary rows of :func:`define_target`): variables, measures, one band per
    target, the band's base rows, then the pledge rows of each scope."""
    if relative_targets(data).empty:
        return
    define_target_variables(model, data)
    define_target_measure(model, data)
    define_target_band(model, data)
    define_target_base(model, data)
    for scope in KIND:
        define_target_pledge(model, data, scope, elastic)
