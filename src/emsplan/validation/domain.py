"""Domain validation rules (BOM cycles, supply of every item, lanes, duties, ...).

Each rule is a ``check_*`` function taking a :class:`~emsplan.data.network.Network`
and returning a list of :class:`~emsplan.core.problems.Problem`; see
:mod:`emsplan.validation.schema_checks` for the schema-driven rules and :func:`check_all`.

=========================  =====================================================
rule                       what it requires (E = error, W = warning)
=========================  =====================================================
check_periods              E: at least one period
check_countries            E: ISO 3166-1 alpha-2 country codes, in capitals
check_hs_codes             E: HS codes of 2 to 10 digits, dots allowed
check_bom_parents          E: no component as a BOM parent
check_bom_cycles           E: no BOM cycle, at any plant
check_demand_products      E: demand for products only
check_production           E: no component made; W: an item made from nothing
check_supplied             E: every needed item is offered or made somewhere
check_lanes                E: no lane to itself, into a supplier or out of a
                           market; W: a component lane into a market
check_duty_scope           E: a duty row gives exactly one of item and hs_code
check_duty_periods         E: period_from not after period_to; no two rows for
                           the same flow overlap in time
check_resources            E: a production resource has capacity at its plant;
                           W: a resource nothing loads
check_targets              E: a target's scope is network, a plant or a product
check_lead_times           W: a lead time not shorter than the horizon
check_reachability         W: a market or plant that lanes cannot supply
=========================  =====================================================

The rules run after the schema-driven ones and do not repeat them: a cell that
is blank, of the wrong type or names an unknown item, site or period has
already been reported, so the rules here skip it rather than report it again.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from emsplan.core.countries import are_countries, is_country
from emsplan.core.hscodes import HS_CODE_DIGITS, hs_digits, is_hs_code
from emsplan.core.periods import spans as period_spans
from emsplan.core.problems import Problem, Severity, format_value
from emsplan.data.network import Network
from emsplan.validation.report import Check, blank, positions, row_problem


# -- helpers ------------------------------------------------------------------
def _cells(network: Network, table: str, column: str) -> list[Any]:
    """A column's cells as Python values, None for blanks."""
    return [None if blank(v) else v for v in network[table][column].tolist()]


def kinds_by_code(network: Network, table: str) -> dict[Any, Any]:
    """Kind of each item or site, by code (the first row of a duplicated code wins)."""
    code = {"items": "item", "sites": "site"}[table]
    kinds: dict[Any, Any] = {}
    for name, kind in zip(
        _cells(network, table, code), _cells(network, table, "kind"), strict=True
    ):
        if name is not None:
            kinds.setdefault(name, kind)
    return kinds


def _lookup(values: pd.Series, mapping: Mapping[Any, Any]) -> pd.Series:
    """``mapping[value]`` for each value, as an object Series (NaN where blank or unknown).

    Mapping through object dtype keeps the result usable whatever the column's
    storage (a pyarrow string column of blanks would map to a null-typed array).
    """
    return values.astype(object).map(mapping)


def _names(values: Iterable[Any], limit: int = 8) -> str:
    """A short list such as ``'A', 'B' and 3 more``; ``none`` if empty."""
    names = [format_value(v) for v in dict.fromkeys(values)]
    if not names:
        return "none"
    if len(names) > limit:
        return f"{', '.join(names[:limit])} and {len(names) - limit} more"
    return ", ".join(names)


def _frame(network: Network, table: str, columns: Mapping[str, str]) -> pd.DataFrame:
    """Some columns of a table (renamed ``new: old``) with each row's position as ``pos``.

    Cells are Python objects, None for blanks.
    """
    data = {
        new: pd.Series(_cells(network, table, old), dtype=object) for new, old in columns.items()
    }
    data["pos"] = pd.Series(range(len(network[table])), dtype="int64")
    return pd.DataFrame(data)


def active_bom(network: Network) -> pd.DataFrame:
    """The BOM lines in force for each item a plant makes.

    A line with a blank site applies at every plant, unless the plant has lines
    of its own for that parent: these replace the general lines there.

    Returns
    -------
    One row per (production row, BOM line in force) in the order of the
    production rows, then of the BOM rows: columns ``plant``, ``parent``,
    ``child``, ``bom_pos`` (the BOM row's position) and ``prod_pos`` (the
    first production row of that plant and item).
    """
    general: dict[Any, list[tuple[Any, int]]] = {}
    own: dict[tuple[Any, Any], list[tuple[Any, int]]] = {}
    bom = zip(*(_cells(network, "bom", c) for c in ("parent", "child", "site")), strict=True)
    for pos, (parent, child, site) in enumerate(bom):
        if parent is None or child is None:
            continue
        lines = (
            general.setdefault(parent, []) if site is None else own.setdefault((site, parent), [])
        )
        lines.append((child, pos))
    made: dict[tuple[Any, Any], int] = {}
    production = zip(
        _cells(network, "production", "plant"), _cells(network, "production", "item"), strict=True
    )
    for pos, (plant, item) in enumerate(production):
        if plant is not None and item is not None:
            made.setdefault((plant, item), pos)
    rows = [
        (plant, parent, child, bom_pos, prod_pos)
        for (plant, parent), prod_pos in made.items()
        for child, bom_pos in own.get((plant, parent), general.get(parent, []))
    ]
    return pd.DataFrame(rows, columns=["plant", "parent", "child", "bom_pos", "prod_pos"])


# -- codes --------------------------------------------------------------------
def _country_message(value: Any) -> str:
    text = str(value)
    hint = f" (write it in capitals: {text.upper()!r})" if is_country(text.upper()) else ""
    return (
        f"{format_value(value)} is not an ISO 3166 alpha-2 country code such as IN, CN, AE{hint}; "
        "allowed: the two capital letters of an assigned ISO 3166-1 code."
    )


def check_countries(network: Network) -> list[Problem]:
    """Country codes must be assigned ISO 3166-1 alpha-2 codes, in capitals.

    Applies to ``sites.country``, ``duties.origin_country``,
    ``duties.destination_country`` and the ``domestic_country`` setting; the
    codes allowed are :data:`emsplan.core.countries.ISO_COUNTRIES`.
    """
    out = []
    for table, column in (
        ("sites", "country"),
        ("duties", "origin_country"),
        ("duties", "destination_country"),
    ):
        values = network[table][column]
        for pos in positions(values.notna() & ~are_countries(values)):
            value = values.iat[pos]
            out.append(
                row_problem(
                    network,
                    table,
                    pos,
                    column,
                    _country_message(value),
                    check="check_countries",
                    value=value,
                )
            )
    settings = network["settings"]
    bad = (
        (settings["setting"] == "domestic_country")
        & settings["value"].notna()
        & ~are_countries(settings["value"])
    )
    for pos in positions(bad):
        value = settings["value"].iat[pos]
        out.append(
            row_problem(
                network,
                "settings",
                pos,
                "value",
                _country_message(value),
                check="check_countries",
                value=value,
            )
        )
    return out


def check_hs_codes(network: Network) -> list[Problem]:
    """HS codes are digits with optional dots, 2 to 10 digits in all.

    Applies to ``items.hs_code`` and ``duties.hs_code``; e.g. ``85``,
    ``8517``, ``8517.13`` and ``85171300`` are allowed, ``8517-13``,
    ``.8517`` and ``8`` are not.
    """
    low, high = HS_CODE_DIGITS
    out = []
    for table in ("items", "duties"):
        values = network[table]["hs_code"].astype("string")
        for pos in positions(values.notna() & ~is_hs_code(values)):
            value = values.iat[pos]
            out.append(
                row_problem(
                    network,
                    table,
                    pos,
                    "hs_code",
                    f"{format_value(value)} is not an HS code; allowed: {low} to {high} digits, "
                    "optionally with dots between them, e.g. 8517, 8517.13 or 85171300.",
                    check="check_hs_codes",
                    value=value,
                )
            )
    return out


# -- bill of materials ----------------------------------------------------------
def _strong_components(adjacency: Mapping[str, list[str]]) -> list[list[str]]:
    """Strongly connected components of a directed graph (Kosaraju, iterative)."""
    nodes = list(dict.fromkeys([*adjacency, *(c for cs in adjacency.values() for c in cs)]))
    order: list[str] = []
    seen: set[str] = set()
    for root in nodes:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(adjacency.get(root, ())))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                order.append(node)
            elif child not in seen:
                seen.add(child)
                stack.append((child, iter(adjacency.get(child, ()))))
    reverse: dict[str, list[str]] = {}
    for parent, children_of in adjacency.items():
        for child in children_of:
            reverse.setdefault(child, []).append(parent)
    components: list[list[str]] = []
    assigned: set[str] = set()
    for root in reversed(order):
        if root in assigned:
            continue
        component, todo = [], [root]
        assigned.add(root)
        while todo:
            node = todo.pop()
            component.append(node)
            for parent in reverse.get(node, ()):
                if parent not in assigned:
                    assigned.add(parent)
                    todo.append(parent)
        components.append(component)
    return components


def _cycle_through(edges: pd.DataFrame, start: int, within: set[str]) -> list[int]:
    """Positions of the BOM rows of a shortest cycle through the edge ``start``."""
    by_parent: dict[str, list[tuple[str, int]]] = {}
    for parent, child, pos in edges[["parent", "child", "pos"]].itertuples(index=False):
        if parent in within and child in within:
            by_parent.setdefault(parent, []).append((child, pos))
    first = edges.loc[edges["pos"] == start].iloc[0]
    target, source = first["parent"], first["child"]
    came_by: dict[str, int] = {}
    queue = deque([source])
    visited = {source}
    while queue and target not in came_by and source != target:
        node = queue.popleft()
        for child, pos in by_parent.get(node, []):
            if child not in visited:
                visited.add(child)
                came_by[child] = pos
                queue.append(child)
    path = [start]
    node = target
    parent_of = dict(zip(edges["pos"], edges["parent"], strict=True))
    while node != source:
        pos = came_by[node]
        path.insert(1, pos)
        node = parent_of[pos]
    return path


def check_bom_cycles(network: Network) -> list[Problem]:
    """The BOM has no cycle: no item is made, directly or indirectly, from itself.

    The BOM in force at a plant is checked: the lines with a blank site, where
    the plant's own lines for a parent replace the general ones. Each cycle is
    reported once, as a path ``A -> B -> A``, on the row of one of its lines
    (for a plant's BOM, a line of that plant). One cycle is shown per tangle
    of items (strongly connected component); fixing it reveals any other.
    """
    rows = _frame(network, "bom", {"parent": "parent", "child": "child", "site": "site"})
    rows = rows.dropna(subset=["parent", "child"])
    general = rows[rows["site"].isna()]
    contexts: list[tuple[str | None, pd.DataFrame, set[int] | None]] = [(None, general, None)]
    for site in sorted(rows["site"].dropna().unique()):
        own = rows[rows["site"] == site]
        edges = pd.concat([general[~general["parent"].isin(own["parent"])], own])
        contexts.append((str(site), edges, set(own["pos"])))
    out = []
    for site, edges, focus in contexts:
        adjacency: dict[str, list[str]] = {}
        for parent, child in edges[["parent", "child"]].itertuples(index=False):
            adjacency.setdefault(parent, []).append(child)
        loops = set(edges.loc[edges["parent"] == edges["child"], "parent"])
        parent_of = dict(zip(edges["pos"], edges["parent"], strict=True))
        for component in _strong_components(adjacency):
            if len(component) == 1 and component[0] not in loops:
                continue  # a single item not made from itself: no cycle
            members = set(component)
            inside = edges[edges["parent"].isin(members) & edges["child"].isin(members)]
            if focus is not None:
                inside = inside[inside["pos"].isin(focus)]
            if inside.empty:
                continue
            start = int(inside["pos"].min())
            path = _cycle_through(edges, start, members)
            items = [parent_of[p] for p in path] + [parent_of[path[0]]]
            where = "in the lines for every plant" if site is None else f"at plant {site!r}"
            out.append(
                row_problem(
                    network,
                    "bom",
                    start,
                    "child",
                    f"the BOM has a cycle {' -> '.join(items)} {where}: an item cannot be made, "
                    "directly or indirectly, from itself; allowed: each child is made only from "
                    "items further down the BOM.",
                    check="check_bom_cycles",
                    value=network["bom"]["child"].iat[start],
                )
            )
    return out


def check_bom_parents(network: Network) -> list[Problem]:
    """A BOM parent is made, so it must not be a component (components are bought)."""
    kinds = kinds_by_code(network, "items")
    parents = network["bom"]["parent"]
    out = []
    for pos in positions(_lookup(parents, kinds) == "component"):
        value = parents.iat[pos]
        out.append(
            row_problem(
                network,
                "bom",
                pos,
                "parent",
                f"{format_value(value)} is a component, and components are bought, not made; "
                "allowed: a parent of kind product or subassembly.",
                check="check_bom_parents",
                value=value,
            )
        )
    return out


# -- supply and production -------------------------------------------------------
def check_supplied(network: Network) -> list[Problem]:
    """Every item needed can be obtained: some supplier offers it or some plant makes it.

    An item is needed if it is demanded, or if it is a child of a BOM line in
    force where its parent is made (see :func:`active_bom`). Each item never
    obtainable is reported once, on the first row that needs it, with the
    places that need it.
    """
    known = set(kinds_by_code(network, "items"))
    obtainable = set(network["supply"]["item"].dropna()) | set(
        network["production"]["item"].dropna()
    )
    needs: dict[Any, list[tuple[str, int, str, str]]] = {}  # (table, position, column, where)
    demand = zip(
        _cells(network, "demand", "item"), _cells(network, "demand", "market"), strict=True
    )
    for pos, (item, market) in enumerate(demand):
        if item is not None:
            needs.setdefault(item, []).append(
                ("demand", pos, "item", f"demanded in market {market!r}")
            )
    for plant, parent, child, bom_pos, _ in active_bom(network).itertuples(index=False):
        needs.setdefault(child, []).append(
            ("bom", bom_pos, "child", f"in the BOM of {parent!r} made at plant {plant!r}")
        )
    out = []
    for item, rows in needs.items():
        if item not in known or item in obtainable:
            continue
        table, pos, column, _ = rows[0]
        places = list(dict.fromkeys(where for *_, where in rows))
        more = f" and {len(places) - 3} more" if len(places) > 3 else ""
        out.append(
            row_problem(
                network,
                table,
                pos,
                column,
                f"item {item!r} is needed ({'; '.join(places[:3])}{more}) but no supplier "
                "offers it and no plant makes it; allowed: an item with a row in table 'supply' "
                "(bought) or in table 'production' (made).",
                check="check_supplied",
                value=item,
            )
        )
    return out


def check_production(network: Network) -> list[Problem]:
    """Plants make products and sub-assemblies from their BOM.

    A production row for a component is an error (components are bought). A
    production row for a product or sub-assembly with no BOM line in force at
    that plant is a warning: the item would be made from nothing.
    """
    kinds = kinds_by_code(network, "items")
    production = network["production"]
    kind = _lookup(production["item"], kinds)
    out = []
    for pos in positions(kind == "component"):
        value = production["item"].iat[pos]
        out.append(
            row_problem(
                network,
                "production",
                pos,
                "item",
                f"{format_value(value)} is a component, and components are bought (table "
                "'supply'), not made; allowed: an item of kind product or subassembly.",
                check="check_production",
                value=value,
            )
        )
    with_bom = set(active_bom(network)["prod_pos"])
    first = ~production.duplicated(["plant", "item"])
    empty = kind.isin(["product", "subassembly"]) & first & ~production.index.isin(with_bom)
    for pos in positions(empty & production["plant"].notna()):
        value = production["item"].iat[pos]
        out.append(
            row_problem(
                network,
                "production",
                pos,
                "item",
                f"{format_value(value)} is made from nothing: no BOM line for it applies at "
                f"plant {production['plant'].iat[pos]!r}; allowed: a {kind.iat[pos]} with rows "
                "in table 'bom' (blank site or this plant).",
                check="check_production",
                value=value,
                severity=Severity.WARNING,
            )
        )
    return out


def check_demand_products(network: Network) -> list[Problem]:
    """Demand is for products only (sub-assemblies and components are not sold)."""
    kinds = kinds_by_code(network, "items")
    items = network["demand"]["item"]
    kind = _lookup(items, kinds)
    out = []
    for pos in positions(kind.notna() & (kind != "product")):
        value = items.iat[pos]
        out.append(
            row_problem(
                network,
                "demand",
                pos,
                "item",
                f"{format_value(value)} is a {kind.iat[pos]}; allowed: an item of kind product.",
                check="check_demand_products",
                value=value,
            )
        )
    return out


# -- lanes -----------------------------------------------------------------------------
def check_lanes(network: Network) -> list[Problem]:
    """Lanes run between two different sites, in the direction goods flow.

    Errors: origin equal to destination; a lane into a supplier; a lane out of
    a market. Warning: a lane reserved for a component that goes into a market
    (components are not sold).
    """
    lanes = network["lanes"]
    site_kind = kinds_by_code(network, "sites")
    origin_kind = _lookup(lanes["origin"], site_kind)
    destination_kind = _lookup(lanes["destination"], site_kind)
    item_kind = _lookup(lanes["item"], kinds_by_code(network, "items"))
    rules: list[tuple[pd.Series, str, str, Severity]] = [
        (
            lanes["origin"] == lanes["destination"],
            "destination",
            "the lane goes from {value} to itself; allowed: a destination other than the origin.",
            Severity.ERROR,
        ),
        (
            destination_kind == "supplier",
            "destination",
            "{value} is a supplier, and goods do not flow into suppliers; allowed: a "
            "destination of kind plant, warehouse or market.",
            Severity.ERROR,
        ),
        (
            origin_kind == "market",
            "origin",
            "{value} is a market, and goods do not flow out of markets; allowed: an origin of "
            "kind supplier, plant or warehouse.",
            Severity.ERROR,
        ),
        (
            (item_kind == "component") & (destination_kind == "market"),
            "item",
            "{value} is a component but the lane goes into market {destination!r}; allowed: "
            "products into markets (components are not sold).",
            Severity.WARNING,
        ),
    ]
    out = []
    for mask, column, message, severity in rules:
        for pos in positions(mask):
            value = lanes[column].iat[pos]
            out.append(
                row_problem(
                    network,
                    "lanes",
                    pos,
                    column,
                    message.format(
                        value=format_value(value), destination=lanes["destination"].iat[pos]
                    ),
                    check="check_lanes",
                    value=value,
                    severity=severity,
                )
            )
    return out


# -- duties ------------------------------------------------------------------------------
def check_duty_scope(network: Network) -> list[Problem]:
    """A duty row gives exactly one of ``item`` and ``hs_code``."""
    duties = network["duties"]
    has_item, has_hs = duties["item"].notna(), duties["hs_code"].notna()
    out = []
    for pos in positions(has_item & has_hs):
        value = duties["hs_code"].iat[pos]
        out.append(
            row_problem(
                network,
                "duties",
                pos,
                "hs_code",
                f"the row gives both item {duties['item'].iat[pos]!r} and hs_code "
                f"{format_value(value)}; allowed: exactly one of them (blank the other).",
                check="check_duty_scope",
                value=value,
            )
        )
    for pos in positions(~has_item & ~has_hs):
        out.append(
            row_problem(
                network,
                "duties",
                pos,
                "item",
                "the row gives neither item nor hs_code, so it applies to nothing; allowed: "
                "exactly one of them.",
                check="check_duty_scope",
            )
        )
    return out


def _duty_spans(network: Network) -> pd.DataFrame:
    """Each duty row's first and last period index (NaN where a period is unknown)."""
    duties = network["duties"]
    start, end = period_spans(duties["period_from"], duties["period_to"], network.period_labels)
    return pd.DataFrame({"start": start, "end": end})


def check_duty_periods(network: Network) -> list[Problem]:
    """Duty rates apply over an ordered span of periods, without conflicting rows.

    ``period_from`` must not come after ``period_to`` in the order of table
    ``periods``. Two rows that apply to the same flow with the same
    specificity (the same item, or the same HS code ignoring dots; the same
    origin country or both blank; the same destination country, blank meaning
    the domestic country) must not have overlapping spans: each such pair is
    an error on the later row, naming the earlier one.
    """
    duties = network["duties"]
    if not network.period_labels:
        return []  # no period to apply a rate in: reported by check_periods
    spans = _duty_spans(network)
    out = []
    inverted = spans["start"] > spans["end"]
    for pos in positions(inverted):
        first, last = duties["period_from"].iat[pos], duties["period_to"].iat[pos]
        out.append(
            row_problem(
                network,
                "duties",
                pos,
                "period_to",
                f"period_to {last!r} comes before period_from {first!r}; allowed: a period_to "
                "equal to or after period_from in the order of table 'periods'.",
                check="check_duty_periods",
                value=last,
            )
        )
    scope = ("item:" + duties["item"]).fillna("hs:" + hs_digits(duties["hs_code"]))
    rows = pd.DataFrame(
        {
            "scope": scope,
            "origin": duties["origin_country"].fillna(""),
            "destination": duties["destination_country"].fillna(network.domestic_country),
            "start": spans["start"],
            "end": spans["end"],
            "pos": range(len(duties)),
        }
    )
    valid = (duties["item"].isna() != duties["hs_code"].isna()) & spans.notna().all(axis=1)
    rows = rows[valid.to_numpy(dtype=bool, na_value=False) & ~inverted.to_numpy()]
    rows = rows.astype({"scope": object, "origin": object, "destination": object})
    pairs = rows.merge(rows, on=["scope", "origin", "destination"], suffixes=("_a", "_b"))
    pairs = pairs[
        (pairs["pos_a"] < pairs["pos_b"])
        & (pairs["start_a"] <= pairs["end_b"])
        & (pairs["start_b"] <= pairs["end_a"])
    ]
    key = ["item", "hs_code", "origin_country", "destination_country", "period_from"]
    same_key = duties[key].astype(object).fillna("")
    labels = network.period_labels
    for a, b, start_a, end_a, start_b, end_b in pairs[
        ["pos_a", "pos_b", "start_a", "end_a", "start_b", "end_b"]
    ].itertuples(index=False):
        if same_key.iloc[a].equals(same_key.iloc[b]):
            continue  # the same key twice: reported by check_duplicate_keys
        first, last = labels[int(max(start_a, start_b))], labels[int(min(end_a, end_b))]
        value = duties["period_from"].iat[b]
        out.append(
            row_problem(
                network,
                "duties",
                int(b),
                "period_from",
                f"the rate applies to the same flow as row {network.row_number('duties', int(a))} "
                f"in periods {first} to {last}; allowed: rows for the same item or HS code, "
                "origin and destination cover periods that do not overlap.",
                check="check_duty_periods",
                value=value,
            )
        )
    return out


# -- resources, targets, periods ------------------------------------------------------
def check_resources(network: Network) -> list[Problem]:
    """A production row's resource has a capacity at its plant; every resource is used.

    Error: a production row names a resource with no row in ``resources`` for
    that plant. Warning: a resource of a plant that no production row loads
    (reported once, on its first row).
    """
    production, resources = network["production"], network["resources"]
    declared = resources[["plant", "resource"]].dropna().astype(object)
    pairs = set(declared.itertuples(index=False, name=None))
    used = set(
        production[["plant", "resource"]].dropna().astype(object).itertuples(index=False, name=None)
    )
    out = []
    named = production["plant"].notna() & production["resource"].notna()
    for pos in positions(named):
        plant, resource = production["plant"].iat[pos], production["resource"].iat[pos]
        if (plant, resource) in pairs:
            continue
        listed = declared.loc[declared["plant"] == plant, "resource"]
        out.append(
            row_problem(
                network,
                "production",
                pos,
                "resource",
                f"resource {resource!r} has no row in table 'resources' for plant {plant!r}; "
                f"allowed: a resource of that plant ({_names(listed)}) or blank for no "
                "capacity limit.",
                check="check_resources",
                value=resource,
            )
        )
    first = resources["plant"].notna() & resources["resource"].notna()
    first &= ~resources.duplicated(["plant", "resource"])
    for pos in positions(first):
        plant, resource = resources["plant"].iat[pos], resources["resource"].iat[pos]
        if (plant, resource) in used:
            continue
        out.append(
            row_problem(
                network,
                "resources",
                pos,
                "resource",
                f"resource {resource!r} of plant {plant!r} is loaded by no production row; "
                "allowed: a resource named in column 'resource' of table 'production' for "
                "that plant (or remove the row).",
                check="check_resources",
                value=resource,
                severity=Severity.WARNING,
            )
        )
    return out


def check_targets(network: Network) -> list[Problem]:
    """A target's scope is ``network``, a site of kind plant or an item of kind product."""
    site_kind, item_kind = kinds_by_code(network, "sites"), kinds_by_code(network, "items")
    plants = [site for site, kind in site_kind.items() if kind == "plant"]
    products = [item for item, kind in item_kind.items() if kind == "product"]
    scopes = network["targets"]["scope"]
    ok = (scopes == "network") | scopes.isin(plants) | scopes.isin(products)
    out = []
    for pos in positions(scopes.notna() & ~ok):
        value = scopes.iat[pos]
        if value in site_kind:
            what = f"a site of kind {site_kind[value]}"
        elif value in item_kind:
            what = f"an item of kind {item_kind[value]}"
        else:
            what = "neither a site nor an item"
        out.append(
            row_problem(
                network,
                "targets",
                pos,
                "scope",
                f"{format_value(value)} is {what}; allowed: 'network', a plant "
                f"({_names(plants)}) or a product ({_names(products)}).",
                check="check_targets",
                value=value,
            )
        )
    return out


def check_periods(network: Network) -> list[Problem]:
    """There is at least one period to plan (unless the table is missing, reported already)."""
    missing = any(p.check == "check_tables" and p.table == "periods" for p in network.problems)
    if missing or len(network["periods"]):
        return []
    return [
        Problem(
            check="check_periods",
            table="periods",
            message="the table has no periods; allowed: at least one row, in time order.",
        )
    ]


# -- reachability and lead times ----------------------------------------------------
class _Lanes:
    """The lane graph: a lane with a blank item carries any item, else that item only."""

    def __init__(self, network: Network) -> None:
        lanes = network["lanes"].dropna(subset=["origin", "destination"]).astype(object)
        self.any_item: dict[Any, set[Any]] = {}
        self.per_item: dict[Any, dict[Any, set[Any]]] = {}
        for origin, destination, item in lanes[["origin", "destination", "item"]].itertuples(
            index=False
        ):
            graph = self.any_item if pd.isna(item) else self.per_item.setdefault(item, {})
            graph.setdefault(origin, set()).add(destination)

    def reach(self, item: Any, sources: Iterable[Any]) -> set[Any]:
        """Sites that ``item`` can reach from ``sources`` (the sources included)."""
        own = self.per_item.get(item, {})
        seen = set(sources)
        todo = list(seen)
        while todo:
            site = todo.pop()
            for nxt in self.any_item.get(site, set()) | own.get(site, set()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen


def check_reachability(network: Network) -> list[Problem]:
    """Goods can travel, over lanes, from where they come from to where they are needed.

    Warnings only. Sources of an item are the suppliers offering it and the
    plants making it; lanes with a blank item carry any item. A market with
    demand for an item that no chain of lanes brings there from a source is
    warned about (on its first demand row), as is a plant that makes an item
    from a child that can neither be made there nor reach it. Items with no
    source at all are left to :func:`check_supplied`.
    """
    lanes = _Lanes(network)
    supply, production = network["supply"], network["production"]
    sources: dict[Any, set[Any]] = {}
    for site, item in [
        *supply[["supplier", "item"]].dropna().astype(object).itertuples(index=False),
        *production[["plant", "item"]].dropna().astype(object).itertuples(index=False),
    ]:
        sources.setdefault(item, set()).add(site)
    reached: dict[Any, set[Any]] = {}

    def reaches(item: Any, site: Any) -> bool:
        if item not in reached:
            reached[item] = lanes.reach(item, sources[item])
        return site in reached[item]

    out = []
    demand = _frame(network, "demand", {"market": "market", "item": "item"}).dropna()
    demand = demand.drop_duplicates(["market", "item"])
    for market, item, pos in demand[["market", "item", "pos"]].itertuples(index=False):
        if item not in sources or reaches(item, market):
            continue
        out.append(
            row_problem(
                network,
                "demand",
                int(pos),
                "market",
                f"market {market!r} cannot be reached by item {item!r}: no chain of lanes "
                f"carrying it leads there from a site that supplies or makes it "
                f"({_names(sorted(sources[item]))}); allowed: a market linked by lanes "
                "(blank item or this item) to such a site.",
                check="check_reachability",
                value=market,
                severity=Severity.WARNING,
            )
        )
    bom = active_bom(network).drop_duplicates(["plant", "child"])
    for plant, parent, child, bom_pos, prod_pos in bom[
        ["plant", "parent", "child", "bom_pos", "prod_pos"]
    ].itertuples(index=False):
        if child not in sources or reaches(child, plant):
            continue
        out.append(
            row_problem(
                network,
                "production",
                int(prod_pos),
                "plant",
                f"plant {plant!r} makes {parent!r} from {child!r} (bom row "
                f"{network.row_number('bom', int(bom_pos))}) but {child!r} cannot reach it: no "
                f"chain of lanes carrying it leads there from a site that supplies or makes it "
                f"({_names(sorted(sources[child]))}); allowed: a plant linked by lanes (blank "
                "item or this item) to such a site, or that makes the child itself.",
                check="check_reachability",
                value=plant,
                severity=Severity.WARNING,
            )
        )
    return out


def check_lead_times(network: Network) -> list[Problem]:
    """Lead times are shorter than the horizon (warning otherwise).

    A lane or supply offer with ``lead_time`` >= the number of periods could
    never deliver within the plan.
    """
    horizon = len(network.period_labels)
    if horizon == 0:
        return []
    out = []
    for table in ("lanes", "supply"):
        values = network[table]["lead_time"]
        for pos in positions(values >= horizon):
            value = values.iat[pos]
            out.append(
                row_problem(
                    network,
                    table,
                    pos,
                    "lead_time",
                    f"lead time {value} periods is not shorter than the {horizon} periods "
                    "planned, so the goods would never arrive within the plan; allowed: a lead "
                    f"time below {horizon}.",
                    check="check_lead_times",
                    value=value,
                    severity=Severity.WARNING,
                )
            )
    return out


#: The domain rules, in the order they run (the policy tables' follow, see
#: :mod:`emsplan.validation.registry`).
DOMAIN_RULES: list[Check] = [
    check_periods,
    check_countries,
    check_hs_codes,
    check_bom_parents,
    check_bom_cycles,
    check_demand_products,
    check_production,
    check_supplied,
    check_lanes,
    check_duty_scope,
    check_duty_periods,
    check_resources,
    check_targets,
    check_lead_times,
    check_reachability,
]
