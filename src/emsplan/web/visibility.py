"""What a partner may see of a plan: the plans shown to it, and in them only the rows
about its own sites, without any money.

A partner user is bound to a value of ``sites.partner`` (``EMS-A``); its sites are the
rows of the plan's network with that value. Of the plan's output tables it sees those
that name a site (:data:`SITE_COLUMNS`), only the rows where one of those columns is its
own site, and none of the columns whose unit is money (declared in
``data/schema/output_columns.csv``: ``currency``, ``currency/unit``, ...). Everything
else (costs, KPIs, policy, bottlenecks, other partners' and suppliers' rows) it never
sees: asking for it answers 404, as for a plan that does not exist.
"""

from __future__ import annotations

import functools

import pandas as pd

from emsplan.data import schema
from emsplan.store import PlanInfo, Store
from emsplan.store.team import Team
from emsplan.web.security import ApiError, Principal

#: The largest id the store can hold (a signed 64-bit integer in SQLite and PostgreSQL): a
#: larger one in a request cannot name anything, and the database refuses to compare it.
MAX_ID = 2**63 - 1

#: The output tables a partner may see, and their columns that name a site.
SITE_COLUMNS: dict[str, tuple[str, ...]] = {
    "production": ("plant",),
    "flows": ("origin", "destination"),
    "inventory": ("site",),
    "purchases": ("supplier",),
    "unmet": ("market",),
}


@functools.cache
def money_columns(table: str) -> frozenset[str]:
    """The columns of output table ``table`` whose unit is money."""
    declared = schema.outputs().get(table)
    if declared is None:
        return frozenset()
    return frozenset(c.name for c in declared.columns if c.unit.startswith("currency"))


def not_found_plan(plan_id: int) -> ApiError:
    return ApiError(404, f"There is no plan #{plan_id} (or it is not shown to you).")


def visible_plan(store: Store, team: Team, who: Principal, plan_id: int) -> PlanInfo:
    """The stored plan ``plan_id`` if ``who`` may see it; 404 otherwise (also for a plan a
    partner is not shown, so that a partner cannot tell the two apart)."""
    from emsplan.store import StoreError

    if not 0 < plan_id <= MAX_ID:
        raise not_found_plan(plan_id)
    if who.partner is not None and not team.is_shared(plan_id, who.partner):
        raise not_found_plan(plan_id)
    try:
        return store.plan(plan_id)
    except StoreError:
        raise not_found_plan(plan_id) from None


def plan_by_ref(store: Store, ref: str) -> PlanInfo:
    """The stored plan ``ref`` names: an id (``12``, ``#12``) or a scenario (its newest
    plan); 404 if there is none, also for an id no plan can have (past 64 bits, or digits
    other than 0-9)."""
    from emsplan.scenarios.stored import stored_plan

    digits = ref.lstrip("#")
    if digits.isdigit() and not (digits.isascii() and int(digits) <= MAX_ID):
        raise ApiError(404, f"There is no plan {ref!r}.")
    return stored_plan(store, ref)


def partner_sites(store: Store, plan: PlanInfo, partner: str) -> set[str]:
    """The sites of ``partner`` in the network ``plan`` was made from."""
    sites = store.network(plan.network_hash).tables["sites"]
    return set(sites.loc[sites["partner"].astype("string") == partner, "site"].astype(str))


def partner_tables(tables: list[str]) -> list[str]:
    """The tables of ``tables`` a partner may see."""
    return [t for t in tables if t in SITE_COLUMNS]


def for_partner(table: str, frame: pd.DataFrame, sites: set[str]) -> pd.DataFrame:
    """``frame`` (output table ``table``) as the partner of ``sites`` sees it."""
    columns = [c for c in SITE_COLUMNS[table] if c in frame.columns]
    own = pd.Series(False, index=frame.index)
    for column in columns:
        own |= frame[column].astype("string").isin(sites).fillna(False).astype(bool)
    hidden = money_columns(table)
    return frame.loc[own, [c for c in frame.columns if c not in hidden]].reset_index(drop=True)


def plan_table(store: Store, who: Principal, plan: PlanInfo, table: str) -> pd.DataFrame:
    """Output table ``table`` of ``plan`` as ``who`` may see it; 404 if they may not."""
    missing = ApiError(
        404,
        f"Plan #{plan.id} has no table {table!r}"
        + (" that is shown to partners" if who.partner is not None else "")
        + "; GET /api/plans/{id} lists its tables.",
    )
    if who.partner is not None and table not in SITE_COLUMNS:
        raise missing
    frame = store.plan_table(plan.id, table)
    if frame is None:
        raise missing
    if who.partner is not None:
        frame = for_partner(table, frame, partner_sites(store, plan, who.partner))
    return frame


def plan_tables(store: Store, who: Principal, plan: PlanInfo) -> dict[str, pd.DataFrame]:
    """Every output table of ``plan`` that ``who`` may see, as they may see it."""
    tables = store.plan_tables(plan.id)
    if who.partner is None:
        return tables
    sites = partner_sites(store, plan, who.partner)
    return {
        name: for_partner(name, frame, sites)
        for name, frame in tables.items()
        if name in SITE_COLUMNS
    }
