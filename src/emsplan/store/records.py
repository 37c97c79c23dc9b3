"""What the store keeps of one plan, independent of the model that produced it.

A :class:`PlanRecord` holds plain data only (no linopy model), so that a
worker process can build one and send it back to the process that writes the
store.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from emsplan.core.labels import (
    at_period,
    market_source_label,
    offer_label,
    production_label,
    source_label,
)
from emsplan.core.outcomes import SolverStatus, Termination

if TYPE_CHECKING:
    from emsplan.data.network import Network
    from emsplan.results.plan import Plan

#: Quantities above this count as a decision taken (an offer used, an item made).
USED = 1e-6


@dataclass
class PlanRecord:
    """A plan's facts: status, objective, settings, tables, KPIs, timings, decisions.

    ``status`` is the solver's (:attr:`SolverStatus.FAILED` when no plan was found),
    ``termination`` why it stopped; both equal their text, as stored."""

    status: SolverStatus
    termination: Termination
    objective: float | None
    solver: str = "highs"
    settings: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    decisions: dict[str, list[Any]] = field(default_factory=dict)
    overrides: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.objective is not None

    @classmethod
    def from_plan(
        cls,
        plan: Plan,
        settings: dict[str, Any] | None = None,
        overrides: list[dict[str, Any]] | None = None,
        keep_tables: bool = True,
    ) -> PlanRecord:
        """The record of a solved :class:`~emsplan.results.tables.Plan`."""
        s = plan.summary
        return cls(
            status=SolverStatus.parse(s["status"]),
            termination=Termination.parse(s["termination_condition"]),
            objective=float(s["objective"]),
            solver=str(s.get("solver", "highs")),
            settings=_jsonable(dict(settings or {})),
            summary=_jsonable(s),
            timings={k: float(v) for k, v in plan.timings.items()},
            tables=dict(plan.tables) if keep_tables else {"kpis": plan.tables["kpis"]},
            decisions=decisions(plan.tables, plan.network),
            overrides=list(overrides or []),
        )

    @classmethod
    def failed(
        cls,
        termination: Termination | str,
        message: str,
        settings: dict[str, Any] | None = None,
        overrides: list[dict[str, Any]] | None = None,
        seconds: float = 0.0,
        solver: str = "highs",
    ) -> PlanRecord:
        """The record of a plan that could not be found (infeasible, unbounded, ...)."""
        return cls(
            status=SolverStatus.FAILED,
            termination=Termination.parse(termination),
            objective=None,
            solver=solver,
            settings=_jsonable(dict(settings or {})),
            timings={"total": seconds},
            overrides=list(overrides or []),
            message=message,
        )

    def kpi(self, name: str, scope: str = "network", period: str = "all") -> float | None:
        """One KPI value, or None if the plan has none."""
        kpis = self.tables.get("kpis")
        if kpis is None or kpis.empty:
            return None
        hit = kpis[(kpis["kpi"] == name) & (kpis["scope"] == scope) & (kpis["period"] == period)]
        return float(hit["value"].iloc[0]) if len(hit) else None


def decisions(
    tables: dict[str, pd.DataFrame], network: Network | None = None
) -> dict[str, list[Any]]:
    """The plan's strategic choices, as lists of labels.

    ``sourcing``: offers used (``supplier/item``); ``production``: items made
    (``plant/item``), each with a quantity above :data:`USED`. With options:
    ``options``, the lines, contracts and minimum-quantity offers open
    (``option@period``); ``sources``, the single-source choices
    (``option:supplier``); ``market_sources``, the origin chosen for each market
    (``option:market<-origin``); and, given the ``network``, ``volumes``: the
    quantities ``[supplier, item, period, qty]`` bought under the open contract
    and minimum-quantity options (the committed volumes).
    """
    out: dict[str, list[Any]] = {"sourcing": [], "production": []}
    purchases = tables.get("purchases")
    if purchases is not None and len(purchases):
        used = purchases[purchases["qty"] > USED]
        out["sourcing"] = sorted(
            set(offer_label(used["supplier"].astype(str), used["item"].astype(str)))
        )
    production = tables.get("production")
    if production is not None and len(production):
        made = production[production["qty"] > USED]
        out["production"] = sorted(
            set(production_label(made["plant"].astype(str), made["item"].astype(str)))
        )
    if network is not None:
        out["commitments"] = _commitments(tables, network)
    options = tables.get("options")
    if options is None or options.empty:
        return out
    opened = options[options["open"].astype(int) == 1]
    timed = opened[~opened["kind"].isin(["single_source", "market_source"])]
    out["options"] = sorted(at_period(timed["option"].astype(str), timed["period"].astype(str)))
    chosen = opened[opened["kind"] == "single_source"]
    out["sources"] = sorted(
        source_label(chosen["option"].astype(str), chosen["supplier"].astype(str))
    )
    served = opened[opened["kind"] == "market_source"]
    if len(served):
        out["market_sources"] = sorted(
            market_source_label(
                served["option"].astype(str),
                served["site"].astype(str),
                served["origin"].astype(str),
            )
        )
    if network is not None and purchases is not None:
        out["volumes"] = _committed_volumes(timed, purchases, network)
    return out


def _commitments(tables: dict[str, pd.DataFrame], network: Network) -> list[list[Any]]:
    """``[supplier, item, period, qty]`` committed ahead (see :func:`decisions`)."""
    table = tables.get("commitments")
    if table is not None and len(table):
        rows = table.rename(columns={"committed": "qty"})
    else:
        purchases = tables.get("purchases")
        if purchases is None or purchases.empty:
            return []
        supply = network.supply
        ahead = supply[supply["lead_time"].fillna(0).astype(int) >= 1]
        keys = set(offer_label(ahead["supplier"].astype(str), ahead["item"].astype(str)))
        label = offer_label(purchases["supplier"].astype(str), purchases["item"].astype(str))
        rows = purchases[pd.Series(list(label), index=purchases.index).isin(keys)]
    rows = rows[rows["qty"] > USED].sort_values(["supplier", "item", "period"])
    return [
        [str(supplier), str(item), str(period), float(qty)]
        for supplier, item, period, qty in zip(
            rows["supplier"], rows["item"], rows["period"], rows["qty"], strict=True
        )
    ]


def _committed_volumes(
    opened: pd.DataFrame, purchases: pd.DataFrame, network: Network
) -> list[list[Any]]:
    """``[supplier, item, period, qty]`` bought from offers under open contract and
    minimum-quantity options, in the periods they are open."""
    terms = network.options
    terms = terms[terms["kind"].isin(["contract", "min_qty"]) & terms["supplier"].notna()]
    keys = opened[["option", "period"]].merge(
        terms[["option", "supplier", "item"]].astype(str), on="option"
    )
    bought = purchases.astype({"supplier": str, "item": str, "period": str}).merge(
        keys[["supplier", "item", "period"]].drop_duplicates(), on=["supplier", "item", "period"]
    )
    bought = bought[bought["qty"] > USED].sort_values(["supplier", "item", "period"])
    return [
        [supplier, item, period, float(qty)]
        for supplier, item, period, qty in zip(
            bought["supplier"], bought["item"], bought["period"], bought["qty"], strict=True
        )
    ]


def _jsonable(value: Any) -> Any:
    """``value`` with numpy scalars and tuples turned into plain JSON types, and numbers
    that are not finite into None (strict JSON: PostgreSQL refuses ``Infinity``)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        try:
            value = value.item()
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
