"""The plan page: KPIs, costs, the map, the Sankey of value, local share against target,
policies, bottlenecks and every table; and the partner's page of its own plants."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from emsplan.store import PlanInfo
from emsplan.web import charts, visibility
from emsplan.web.pages.session import render, signed_in

router = APIRouter(include_in_schema=False)

#: Rows of each table shown in the page's grids (the API and the workbook have them all).
GRID_ROWS = 500


def network_kpi(kpis: pd.DataFrame, name: str) -> float | None:
    rows = kpis[(kpis["kpi"] == name) & (kpis["scope"] == "network") & (kpis["period"] == "all")]
    return None if rows.empty else float(rows["value"].iloc[0])


def headline(plan: PlanInfo, tables: dict[str, pd.DataFrame], kpis: pd.DataFrame) -> list[dict]:
    """The KPIs a planner reads first, as (label, value, kind) rows."""
    summary = plan.summary or {}
    costs = tables.get("costs", pd.DataFrame(columns=["category", "value"]))
    incentives = -float(costs.loc[costs["category"] == "incentives", "value"].sum())
    profit = summary.get("objective_kind") == "profit"
    money = [
        {"label": "Profit", "value": summary.get("profit"), "kind": "money"},
        {"label": "Revenue", "value": summary.get("revenue"), "kind": "money"},
    ]
    total = network_kpi(kpis, "total_cost") if profit else plan.objective
    return [
        *(money if profit else []),
        {"label": "Total cost", "value": total, "kind": "money"},
        {"label": "Service level", "value": network_kpi(kpis, "service_level"), "kind": "share"},
        {"label": "Local share", "value": network_kpi(kpis, "local_share"), "kind": "share"},
        {"label": "Duty paid", "value": network_kpi(kpis, "duty_paid"), "kind": "money"},
        {"label": "Incentives earned", "value": incentives, "kind": "money"},
        {"label": "MIP gap", "value": summary.get("mip_gap"), "kind": "share"},
        {"label": "Solve time", "value": summary.get("solve_seconds"), "kind": "seconds"},
    ]


def site_volumes(sites: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.Series:
    """Units through each site: made at plants, shipped out of suppliers and warehouses,
    delivered to markets."""
    flows = tables.get("flows", pd.DataFrame(columns=["origin", "destination", "qty"]))
    out = flows.groupby("origin")["qty"].sum()
    into = flows.groupby("destination")["qty"].sum()
    production = tables.get("production", pd.DataFrame(columns=["plant", "qty"]))
    made = production.groupby("plant")["qty"].sum()
    kinds = sites.set_index("site")["kind"].astype(str)
    volume = {}
    for site, kind in kinds.items():
        if kind == "plant":
            volume[site] = float(made.get(site, 0.0))
        elif kind == "market":
            volume[site] = float(into.get(site, 0.0))
        else:
            volume[site] = float(out.get(site, 0.0))
    return pd.Series(volume, dtype="float64")


def value_links(
    sites: pd.DataFrame, flows: pd.DataFrame, domestic: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sankey links: component value from suppliers to plants (local or imported), and
    product units from plants to warehouses and markets."""
    kinds = sites.set_index("site")["kind"].astype(str)
    country = sites.set_index("site")["country"].astype(str)
    kind_of = flows["origin"].map(kinds), flows["destination"].map(kinds)
    parts = flows[(kind_of[0] == "supplier") & (kind_of[1] == "plant")].copy()
    unit_value = parts["value"] if "value" in parts else pd.Series(1.0, index=parts.index)
    parts["worth"] = parts["qty"] * unit_value.fillna(0.0)
    parts = parts.groupby(["origin", "destination"])["worth"].sum().reset_index()
    parts = parts[parts["worth"] > 0]
    parts["group"] = [
        "local" if country.get(o) == domestic else "imported" for o in parts["origin"]
    ]
    components = parts.rename(
        columns={"origin": "source", "destination": "target", "worth": "value"}
    )
    onward = flows[
        kind_of[0].isin(["plant", "warehouse"]) & kind_of[1].isin(["warehouse", "market"])
    ]
    onward = onward.groupby(["origin", "destination"])["qty"].sum().reset_index()
    onward = onward[onward["qty"] > 0].rename(
        columns={"origin": "source", "destination": "target", "qty": "value"}
    )
    return components, onward


def local_share_series(local: pd.DataFrame, kind: str, names: set[str]) -> dict[str, pd.Series]:
    """Local share per period of the scopes ``names`` (the network, plants or products)."""
    rows = local[local["scope"].astype(str).isin(names)]
    if "basis" in rows:
        rows = rows[rows["basis"].astype(str) != "dva"]
    return {
        str(scope): group.set_index("period")["share"].astype(float)
        for scope, group in rows.groupby("scope", sort=True)
    }


def network_target(local: pd.DataFrame) -> pd.Series | None:
    rows = local[local["scope"].astype(str) == "network"]
    if rows.empty or rows["target"].isna().all():
        return None
    return rows.set_index("period")["target"].astype(float)


def in_period(tables: dict[str, pd.DataFrame], period: str) -> dict[str, pd.DataFrame]:
    """The tables' rows of ``period`` (all rows for ``all``)."""
    if period == "all":
        return tables
    return {
        name: frame[frame["period"].astype(str) == period] if "period" in frame else frame
        for name, frame in tables.items()
    }


def grid(frame: pd.DataFrame) -> dict[str, Any]:
    """A table for the page's sortable, filterable grid (numbers rounded for reading)."""
    shown = frame.head(GRID_ROWS)
    rows = []
    for record in shown.itertuples(index=False):
        cells = []
        for value in record:
            cells.append(cell(value))
        rows.append(cells)
    numeric = [
        pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
        for column in (frame.iloc[:, i] for i in range(frame.shape[1]))
    ]
    return {"columns": list(frame.columns), "rows": rows, "total": len(frame), "numeric": numeric}


def cell(value: Any) -> str:
    """A value as a grid shows it."""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return f"{value:,.4g}" if abs(value) < 1 else f"{value:,.2f}"
    return "" if value is None else str(value)


@router.get("/plans/{plan_id}", response_class=HTMLResponse)
def plan_page(request: Request, plan_id: int, period: str = "all") -> Response:
    who = signed_in(request)
    s = request.app.state.services
    plan = visibility.visible_plan(s.store, s.team, who, plan_id)
    tables = visibility.plan_tables(s.store, who, plan)
    network = s.store.network(plan.network_hash)
    sites = network.tables["sites"]
    periods = [str(p) for p in network.tables["periods"]["period"]]
    period = period if period in periods else "all"
    if who.partner is not None:
        return _partner_page(request, who, plan, tables, network, period, periods)
    kpis = s.store.kpis([plan.id])
    flows = tables.get("flows", pd.DataFrame(columns=["origin", "destination", "qty", "period"]))
    shown_flows = flows if period == "all" else flows[flows["period"].astype(str) == period]
    volumes = site_volumes(sites, in_period(tables, period))
    components, onward = value_links(sites, flows, network.domestic_country)
    costs = tables.get("costs", pd.DataFrame(columns=["category", "period", "value"]))
    by_period = costs.pivot_table(
        index="period", columns="category", values="value", aggfunc="sum", fill_value=0.0
    )
    local = tables.get(
        "local_content", pd.DataFrame(columns=["scope", "period", "share", "target"])
    )
    plants = set(sites.loc[sites["kind"].astype(str) == "plant", "site"].astype(str))
    items = network.tables["items"]
    products = set(items.loc[items["kind"].astype(str) == "product", "item"].astype(str))
    policy = tables.get("policy", pd.DataFrame())
    options = tables.get("options", pd.DataFrame())
    if "open" in options:
        options = options[options["open"].astype(bool)]
    currency = str(plan.summary.get("currency", "")) if plan.summary else ""
    return render(
        request,
        "plan.html",
        who,
        plan=plan,
        currency=currency,
        kpis=headline(plan, tables, kpis) if plan.objective is not None else [],
        periods=periods,
        period=period,
        cost_chart=charts.stacked_bars(
            by_period, unit=currency, title="Cost by category and period"
        ),
        cost_grid=grid(costs.groupby("category")["value"].sum().reset_index()),
        map_svg=charts.site_map(sites, shown_flows, volumes, title=f"Sites and flows ({period})"),
        sankey_svg=charts.sankey(
            components, unit=currency, title="Component value: suppliers to plants"
        ),
        sankey_links=len(components),
        products_svg=charts.sankey(
            onward, unit="units", title="Products: plants to warehouses and markets"
        ),
        share_svg=charts.line_chart(
            local_share_series(local, "network", {"network"}),
            target=network_target(local),
            percent=True,
            title="Local share of the network against its target",
        ),
        plant_share_svg=charts.line_chart(
            local_share_series(local, "plant", plants),
            percent=True,
            title="Local share per plant",
            width=560,
        ),
        product_share_svg=charts.line_chart(
            local_share_series(local, "product", products),
            percent=True,
            title="Local share per product",
            width=560,
        ),
        policy=grid(policy),
        options=grid(options),
        bottlenecks=grid(tables.get("bottlenecks", pd.DataFrame()).head(30)),
        grids={name: grid(frame) for name, frame in sorted(tables.items())},
    )


def resource_loads(
    network: Any,
    production: pd.DataFrame,
    plants: set[str],
    options: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each resource of ``plants``: hours (or units) used per period against capacity (a
    resources row without a period holds for every period; one with a period overrides it
    there; a line option the plan opened adds its capacity in the periods it is open)."""
    columns = ["plant", "resource", "period", "used", "capacity", "load"]
    routes = network.tables["production"]
    routes = routes[routes["plant"].astype(str).isin(plants) & routes["resource"].notna()]
    if routes.empty or production.empty:
        return pd.DataFrame(columns=columns)
    usage = production.merge(routes[["plant", "item", "resource", "usage"]], on=["plant", "item"])
    usage["used"] = usage["qty"] * usage["usage"].fillna(1.0)
    keys = ["plant", "resource"]
    used = usage.groupby([*keys, "period"])["used"].sum().reset_index()
    used[[*keys, "period"]] = used[[*keys, "period"]].astype(str)
    capacity = network.tables["resources"]
    capacity = capacity[capacity["plant"].astype(str).isin(plants)].copy()
    capacity[keys] = capacity[keys].astype(str)
    blank = capacity["period"].isna()
    every = capacity.loc[blank, [*keys, "capacity"]].drop_duplicates(keys, keep="last")
    one = capacity.loc[~blank, [*keys, "period", "capacity"]].astype({"period": str})
    loads = used.merge(every, on=keys, how="left").merge(
        one, on=[*keys, "period"], how="left", suffixes=("", "_in_period")
    )
    loads["capacity"] = loads["capacity_in_period"].combine_first(loads["capacity"])
    added = opened_lines(network, options, plants)
    if not added.empty:
        loads = loads.merge(added, on=[*keys, "period"], how="left")
        loads["capacity"] = loads["capacity"] + loads["added"].fillna(0.0)
    loads["load"] = loads["used"] / loads["capacity"]
    return loads[columns]


def opened_lines(network: Any, options: pd.DataFrame | None, plants: set[str]) -> pd.DataFrame:
    """Capacity added by the line options of ``plants`` the plan opened: plant, resource,
    period, added."""
    columns = ["plant", "resource", "period", "added"]
    lines = network.tables.get("options")
    if options is None or options.empty or lines is None or lines.empty:
        return pd.DataFrame(columns=columns)
    lines = lines[(lines["kind"].astype(str) == "line") & lines["plant"].astype(str).isin(plants)]
    opened = options[options["open"].astype(float) > 0.5][["option", "period"]]
    added = opened.merge(lines[["option", "plant", "resource", "capacity"]], on="option")
    if added.empty:
        return pd.DataFrame(columns=columns)
    added = added.astype({"plant": str, "resource": str, "period": str})
    total = added.groupby(["plant", "resource", "period"])["capacity"].sum()
    return total.rename("added").reset_index()


def _partner_page(
    request: Request,
    who: Any,
    plan: PlanInfo,
    tables: dict[str, pd.DataFrame],
    network: Any,
    period: str,
    periods: list[str],
) -> Response:
    """A partner's page: its build plan, inbound components and resource loads, and
    nothing of other sites or of money."""
    s = request.app.state.services
    own = visibility.partner_sites(s.store, plan, who.partner)
    production = tables.get("production", pd.DataFrame(columns=["plant", "item", "period", "qty"]))
    flows = tables.get(
        "flows", pd.DataFrame(columns=["origin", "destination", "item", "period", "qty"])
    )
    build = production.pivot_table(
        index=["plant", "item"], columns="period", values="qty", aggfunc="sum", fill_value=0.0
    ).reset_index()
    inbound = flows[flows["destination"].astype(str).isin(own)]
    arrival = "arrival_period" if "arrival_period" in inbound else "period"
    inbound = inbound.pivot_table(
        index=["destination", "item"], columns=arrival, values="qty", aggfunc="sum", fill_value=0.0
    ).reset_index()
    # the lines it opened at the partner's plants: their capacity, not their cost
    loads = resource_loads(network, production, own, s.store.plan_table(plan.id, "options"))
    sites = network.tables["sites"]
    own_sites = sites[sites["site"].astype(str).isin(own)]
    volumes = site_volumes(own_sites, {"production": production})
    return render(
        request,
        "partner_plan.html",
        who,
        plan=plan,
        own=sorted(own),
        build=grid(build),
        inbound=grid(inbound),
        loads=grid(loads),
        map_svg=charts.site_map(own_sites, None, volumes, title=f"Sites of {who.partner}"),
        load_svg=charts.line_chart(
            {
                (f"{plant} {resource}" if len(own) > 1 else str(resource)): g.set_index("period")[
                    "load"
                ]
                for (plant, resource), g in loads.groupby(["plant", "resource"])
            },
            percent=True,
            title="Resource load per period",
        ),
        periods=periods,
        period=period,
    )
