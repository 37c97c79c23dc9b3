"""The plan's decisions: what each policy qualified for (``policy``) and which options
opened (``options``)."""

from __future__ import annotations

import linopy
import numpy as np
import pandas as pd

from emsplan.core.labels import export_label
from emsplan.optimization.data import PlanningData
from emsplan.optimization.prepare.options import OPEN_KINDS, option_mask
from emsplan.optimization.sites import effective_demand
from emsplan.results.solution import EPS, solution


def policy_outcomes(model: linopy.Model, data: PlanningData, flows: pd.DataFrame) -> pd.DataFrame:
    """Per scheme and agreement and period: qualified or not, the measure against its
    threshold (margin > 0: cleared by; < 0: missed by) and what it earned or saved.

    For a trade rule the measure is the value content of the period's production; for
    a rule the product cannot meet whatever it sources, the most it could reach."""
    columns = [
        "policy",
        "name",
        "scope",
        "period",
        "qualified",
        "measure",
        "threshold",
        "margin",
        "value",
    ]
    frames = [pd.DataFrame(columns=columns)]
    periods = np.asarray(data.periods, dtype=object)
    if "Incentive-earned" in model.variables:
        inc, el = data.incentives, data.eligible
        unmet = np.nan_to_num(np.asarray(model.variables["Market-unmet"].solution.values, float))
        open_ = solution(model, "Option-open")
        wanted = effective_demand(data, open_)
        delivered = wanted[el["row"].to_numpy(int)] - unmet[el["row"].to_numpy(int)]
        sales = np.bincount(
            el["pos"].to_numpy(int), weights=el["price_d"] * delivered, minlength=len(inc)
        )
        incremental = sales - inc["base_sales"].to_numpy(float)
        threshold = inc["min_incremental_sales"].to_numpy(float)
        frames.append(
            pd.DataFrame(
                {
                    "policy": "incentive",
                    "name": inc["scheme"].to_numpy(),
                    "scope": inc["item"].to_numpy(),
                    "period": periods[inc["t"].to_numpy(int)],
                    "qualified": np.rint(solution(model, "Incentive-qualify").ravel()).astype(bool),
                    "measure": incremental,
                    "threshold": threshold,
                    "margin": incremental - threshold,
                    "value": solution(model, "Incentive-earned").ravel(),
                }
            )
        )
    if "Trade-qualify" in model.variables:
        trade = data.trade
        alloc = data.allocations["Product"]
        x = solution(model, "Product-alloc")
        local_value = x * (alloc["price"] * alloc["local_content"]).to_numpy(float)[:, None]
        by_pair = (
            pd.DataFrame(local_value)
            .groupby([alloc["plant"].to_numpy(), alloc["product"].to_numpy()])
            .sum()
        )
        t = trade["t"].to_numpy(int)
        rows = by_pair.index.get_indexer(pd.MultiIndex.from_frame(trade[["plant", "item"]]))
        local = np.where(rows >= 0, by_pair.to_numpy()[np.maximum(rows, 0), t], 0.0)
        prod = trade["prod"].to_numpy(int)
        made = solution(model, "Plant-make")[prod, t]
        content = local + data.production["cost"].to_numpy(float)[prod] * made
        fob = trade["value"].to_numpy(float) * made
        share = np.divide(content, fob, out=np.full(len(trade), np.nan), where=fob > 1e-9)
        saved = flows.groupby(["origin", "item", "period"])["duty_saved"].sum()
        value = saved.reindex(
            pd.MultiIndex.from_arrays(
                [trade["plant"].to_numpy(), trade["item"].to_numpy(), periods[t]]
            )
        ).fillna(0.0)
        qualified = (np.rint(solution(model, "Trade-qualify").ravel()) > 0) & (made > EPS)
        frames.append(_trade_rows(trade, periods, qualified, share, value.to_numpy(float)))
    out = data.trade_out_of_reach
    if len(out):
        reach = out["reachable"].to_numpy(float)
        none = np.zeros(len(out))
        frames.append(_trade_rows(out, periods, none.astype(bool), reach, none))
    out = pd.concat(frames, ignore_index=True)
    out["value"] = out["value"].astype(float).where(out["value"].astype(float).abs() > EPS, 0.0)
    return out


def _trade_rows(
    rules: pd.DataFrame,
    periods: np.ndarray,
    qualified: np.ndarray,
    measure: np.ndarray,
    value: np.ndarray,
) -> pd.DataFrame:
    """Policy rows of trade rules: one per (agreement, plant, product, country, period)."""
    minimum = rules["min_value_content"].to_numpy(float)
    scope = export_label(rules["plant"], rules["item"], rules["destination_country"])
    return pd.DataFrame(
        {
            "policy": "trade_rule",
            "name": rules["agreement"].to_numpy(),
            "scope": scope.to_numpy(),
            "period": periods[rules["t"].to_numpy(int)],
            "qualified": qualified,
            "measure": measure,
            "threshold": minimum,
            "margin": measure - minimum,
            "value": value,
        }
    )


def option_decisions(model: linopy.Model, data: PlanningData) -> pd.DataFrame:
    """Each option's decision: open (1) or not (0) per period where it exists (a site's
    event, opened or closed, and its one-off cost); for single sourcing, the supplier
    chosen (open 1) for the horizon (period "all"); for a market_source, the origin
    chosen for each market it covers."""
    columns = [
        "option",
        "kind",
        "period",
        "open",
        "fixed_cost",
        "supplier",
        "site",
        "event",
        "one_off_cost",
        "origin",
    ]
    frames = [pd.DataFrame(columns=columns)]
    if "Option-open" in model.variables:
        frames.append(_open_rows(model, data))
    if "Option-source" in model.variables:
        chosen = np.rint(solution(model, "Option-source").ravel()) > 0
        s = data.sources[chosen]
        frames.append(
            pd.DataFrame(
                {
                    "option": s["option"].to_numpy(),
                    "kind": "single_source",
                    "period": "all",
                    "open": 1,
                    "fixed_cost": 0.0,
                    "supplier": s["supplier"].to_numpy(),
                }
            )
        )
    if "Option-market-source" in model.variables:
        chosen = np.rint(solution(model, "Option-market-source").ravel()) > 0
        m = data.market_sources[chosen]
        frames.append(
            pd.DataFrame(
                {
                    "option": m["option"].to_numpy(),
                    "kind": "market_source",
                    "period": "all",
                    "open": 1,
                    "fixed_cost": 0.0,
                    "site": m["market"].to_numpy(),
                    "origin": m["origin"].to_numpy(),
                }
            )
        )
    out = pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)
    out = out.reindex(columns=columns)
    for column in ("supplier", "site", "event", "origin"):
        out[column] = out[column].astype(object)
    out["one_off_cost"] = out["one_off_cost"].astype(float)
    return out


def _open_rows(model: linopy.Model, data: PlanningData) -> pd.DataFrame:
    """Rows of the options decided per period (line, contract, min_qty, site)."""
    x = np.rint(solution(model, "Option-open"))
    o, t = np.nonzero(option_mask(data, OPEN_KINDS))
    rows = data.options.iloc[o]
    kind = rows["kind"].to_numpy()
    is_open = x[o, t].astype(int)
    first = rows["first"].to_numpy(int)
    y0 = rows["existing"].fillna(0).to_numpy(int) if "existing" in rows else np.zeros(len(o), int)
    before = np.where(t > first, x[o, np.maximum(t - 1, 0)], y0).astype(int)
    site = kind == "site"
    event = np.full(len(o), None, dtype=object)
    event[site & (is_open > before)] = "opened"
    event[site & (is_open < before)] = "closed"
    one_off = np.where(
        event == "opened",
        rows["opening_cost"].fillna(0.0).to_numpy(float),
        np.where(event == "closed", rows["closing_cost"].fillna(0.0).to_numpy(float), 0.0),
    )
    production = (kind == "contract") & rows["supplier"].isna().to_numpy()
    return pd.DataFrame(
        {
            "option": rows["option"].to_numpy(),
            "kind": kind,
            "period": np.asarray(data.periods, dtype=object)[t],
            "open": is_open,
            "fixed_cost": rows["fixed_cost"].to_numpy(float),
            "supplier": rows["supplier"].to_numpy(),
            "site": _site_of(rows, site, production),
            "event": event,
            "one_off_cost": np.where(site, one_off, np.nan),
        }
    )


def _site_of(rows: pd.DataFrame, site: np.ndarray, production: np.ndarray) -> np.ndarray:
    """The site column: a site option's site, a production contract's plant, else blank."""
    out = np.full(len(rows), None, dtype=object)
    out[site] = rows["site"].to_numpy()[site]
    out[production] = rows["plant"].to_numpy()[production]
    return out
