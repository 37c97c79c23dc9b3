"""Compare plans side by side: KPIs, costs, the decisions that differ, and the largest
changes in sourcing, production and flows, in numbers and in words.

``emsplan.compare(plans)`` takes stored plans (a scenario's name for its newest plan,
a plan id such as ``12`` or ``"#12"``, a :class:`~emsplan.store.PlanInfo`) and plans
in memory (:class:`~emsplan.results.plan.Plan`), in any mix; the first is the
reference the others are compared with::

    comparison = emsplan.compare(["base", "cn-plus-20"])          # the default store
    comparison = emsplan.compare([plan_a, plan_b], top=5)          # in memory
    comparison.kpis, comparison.costs, comparison.changes          # DataFrames
    comparison.to_excel("comparison.xlsx")
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from emsplan.data.writers import write_workbook
from emsplan.results.plan import Plan
from emsplan.scenarios.stored import stored_plan
from emsplan.store import PlanInfo, Store, decisions

#: The KPIs compared (network-wide, over the horizon), with their labels.
KPIS = (
    ("total_cost", "total cost"),
    ("duty_paid", "duty paid"),
    ("service_level", "service level"),
    ("local_share", "local share"),
)

#: What a plan table's quantities measure, and the columns that name an element.
CHANGE_TABLES = {
    "purchases": ("bought", ["supplier", "item"]),
    "production": ("made", ["plant", "item"]),
    "flows": ("shipped", ["origin", "destination", "item"]),
}

#: The decisions whose differences are listed: (kind in the decisions, what it is).
DECISIONS = (
    ("sourcing", "offer"),
    ("production", "made at"),
    ("options", "option open"),
    ("sources", "sourced from"),
    ("market_sources", "market served from"),
)

PlanRef = Plan | PlanInfo | str | int


@dataclass
class Compared:
    """One plan as compared: its label, outcome and the tables a comparison reads."""

    label: str
    status: str
    termination: str
    kpis: pd.DataFrame | None
    costs: pd.DataFrame | None
    quantities: dict[str, pd.DataFrame | None]
    decisions: dict[str, list[Any]]

    def kpi(self, name: str) -> float | None:
        """A network-wide KPI over the horizon, or None."""
        k = self.kpis
        if k is None or k.empty:
            return None
        hit = k[(k["kpi"] == name) & (k["scope"] == "network") & (k["period"] == "all")]
        return float(hit["value"].iloc[0]) if len(hit) else None


@dataclass
class Comparison:
    """Plans compared with the first.

    Attributes
    ----------
    plans : the plans, in the order given (the first is the reference).
    kpis : one row per KPI (column ``kpi``: its label), one column per plan.
    costs : one row per cost category, one column per plan with costs.
    decisions : the decisions that differ: ``decision``, ``element``, and per plan
        ``yes`` or ``-``.
    changes : the largest changes against the first plan: ``plan``, ``what``,
        ``element``, ``reference``, ``value``, ``change``, ``words``.
    """

    plans: list[Compared]
    kpis: pd.DataFrame
    costs: pd.DataFrame
    decisions: pd.DataFrame
    changes: pd.DataFrame
    top: int = 10
    labels: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.labels = [p.label for p in self.plans]

    def to_excel(self, path: str | Path) -> Path:
        """Write the KPIs, costs and changes as sheets of one workbook (atomically)."""
        path = Path(path)
        write_workbook({"kpis": self.kpis, "costs": self.costs, "changes": self.changes}, path)
        return path


def compare(
    plans: Sequence[PlanRef], *, store: Store | str | None = None, top: int = 10
) -> Comparison:
    """Compare ``plans`` with the first of them (see the module docstring).

    ``store`` is the store that names and ids refer to: a :class:`Store`, a path or
    URL, or None for the default store (``$EMSPLAN_DB``, else ``~/.emsplan``); it is
    opened only when a plan is given by name or id. ``top`` is how many of the largest
    changes to keep per plan.
    """
    if len(plans) < 2:
        raise ValueError("give at least two plans to compare")
    stored = [p for p in plans if isinstance(p, str | int)]
    if stored and not isinstance(store, Store):
        with Store(store) as opened:
            return compare(plans, store=opened, top=top)
    compared = [
        _compared(p, store if isinstance(store, Store) else None, i) for i, p in enumerate(plans)
    ]
    return Comparison(
        plans=compared,
        kpis=kpi_table(compared),
        costs=cost_table(compared),
        decisions=decision_changes(compared),
        changes=largest_changes(compared, top),
        top=top,
    )


def _compared(ref: PlanRef, store: Store | None, position: int) -> Compared:
    if isinstance(ref, Plan):
        s = ref.summary
        return Compared(
            label=f"{position + 1} {s.get('network') or 'plan'}",
            status=str(s["status"]),
            termination=str(s["termination_condition"]),
            kpis=ref.tables.get("kpis"),
            costs=ref.tables.get("costs"),
            quantities={name: ref.tables.get(name) for name in CHANGE_TABLES},
            decisions=decisions(ref.tables, ref.network),
        )
    assert store is not None
    info = ref if isinstance(ref, PlanInfo) else stored_plan(store, ref)
    kpis = store.kpis([info.id])
    return Compared(
        label=f"#{info.id} {info.scenario or info.network_hash[:10]}",
        status=info.status,
        termination=info.termination,
        kpis=kpis[kpis["plan_id"] == info.id],
        costs=store.plan_table(info.id, "costs"),
        quantities={name: store.plan_table(info.id, name) for name in CHANGE_TABLES},
        decisions=dict(info.decisions),
    )


def kpi_table(plans: list[Compared]) -> pd.DataFrame:
    """One row per compared KPI: its label, then its value in each plan (None if none)."""
    return pd.DataFrame(
        [{"kpi": label, **{p.label: p.kpi(kpi) for p in plans}} for kpi, label in KPIS]
    )


def cost_table(plans: list[Compared]) -> pd.DataFrame:
    """Cost per category (rows) and plan (columns), for the plans that have costs."""
    frames = [
        p.costs.groupby("category")["value"].sum().rename(p.label)
        for p in plans
        if p.costs is not None
    ]
    if not frames:
        return pd.DataFrame(columns=["category"])
    return pd.concat(frames, axis=1).reset_index()


def categories(plans: list[Compared]) -> list[str]:
    """The cost categories of the plans, in the order they first appear."""
    seen: list[str] = []
    for p in plans:
        if p.costs is not None:
            seen += [str(c) for c in p.costs["category"].unique() if c not in seen]
    return seen


def category_costs(plans: list[Compared], category: str) -> list[float | None]:
    """The total of one cost category in each plan (None for a plan without costs)."""
    return [
        None
        if p.costs is None
        else float(p.costs.loc[p.costs["category"] == category, "value"].sum())
        for p in plans
    ]


def decision_changes(plans: list[Compared]) -> pd.DataFrame:
    """The offers used and items made at plants that not every plan shares."""
    rows = []
    for kind, what in DECISIONS:
        sets = [set(p.decisions.get(kind, [])) for p in plans]
        for element in sorted(set().union(*sets) - set.intersection(*sets)):
            marks = {
                p.label: "yes" if element in s else "-" for p, s in zip(plans, sets, strict=True)
            }
            rows.append({"decision": what, "element": element, **marks})
    return pd.DataFrame(rows, columns=["decision", "element", *(p.label for p in plans)])


def _totals(frame: pd.DataFrame | None, keys: list[str]) -> pd.Series:
    if frame is None or frame.empty:
        return pd.Series(dtype=float)
    # summed by the key columns first, then named: joining strings row by row took most
    # of a comparison's time (benchmarks/server_load.py)
    totals = frame.groupby(keys, sort=False, dropna=False)["qty"].sum()
    parts = totals.index.to_frame(index=False).astype(str)
    names = parts[keys[0]]
    for key in keys[1:]:
        names = names + " / " + parts[key]
    return pd.Series(totals.to_numpy(), index=pd.Index(names)).groupby(level=0).sum()


def largest_changes(plans: list[Compared], top: int) -> pd.DataFrame:
    """For each plan after the first: the elements (offer, plant and item, lane and item)
    whose units over the horizon changed most, in numbers and in words."""
    rows = []
    for name, (what, keys) in CHANGE_TABLES.items():
        reference = _totals(plans[0].quantities.get(name), keys)
        for p in plans[1:]:
            both = pd.concat([reference, _totals(p.quantities.get(name), keys)], axis=1)
            both = both.fillna(0.0)
            both.columns = pd.Index(["reference", "value"])
            both["change"] = both["value"] - both["reference"]
            for element, r in both.loc[both["change"].abs().nlargest(top).index].iterrows():
                if abs(r["change"]) < 0.5:
                    continue
                rows.append(
                    {
                        "plan": p.label,
                        "what": what,
                        "element": element,
                        "reference": r["reference"],
                        "value": r["value"],
                        "change": r["change"],
                        "words": in_words(r["reference"], r["value"], what),
                    }
                )
    columns = ["plan", "what", "element", "reference", "value", "change", "words"]
    frame = pd.DataFrame(rows, columns=columns)
    order = frame["change"].abs().sort_values(ascending=False).index
    return frame.loc[order].groupby("plan", sort=False).head(top).reset_index(drop=True)


def in_words(before: float, after: float, what: str) -> str:
    """A change of units in words: ``1,200 more units bought (+15%)``."""
    change = float(after) - float(before)
    direction = "more" if change > 0 else "fewer"
    if before == 0:
        return f"{abs(change):,.0f} {direction} units {what} (none before)"
    if after == 0:
        return f"no longer {what} (was {before:,.0f})"
    return f"{abs(change):,.0f} {direction} units {what} ({change / before:+.0%})"
