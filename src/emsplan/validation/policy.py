"""Validation rules of the policy tables: ``options``, ``incentives``, ``trade_rules``.

=========================  =====================================================
rule                       what it requires (E = error, W = warning)
=========================  =====================================================
check_option_fields        E: each option kind has the columns it needs: line
                           (plant, resource, capacity), contract (item and
                           supplier or plant), min_qty (min_qty, item and
                           supplier or plant), single_source (plant, item),
                           site (site)
check_option_targets       E: a contract's or min_qty's offer (supplier, item)
                           exists in supply, a min_qty's (plant, item) in
                           production, a production contract's item or
                           group is made at its plant; W: a line adds
                           capacity nothing loads
check_policy_periods       E: period_from not after period_to (options, rules)
check_incentive_items      E: an incentive's item is an item or an item group
check_trade_scope          E: a trade rule gives exactly one of item, hs_code;
                           its countries are ISO alpha-2 codes
=========================  =====================================================
"""

from __future__ import annotations

from emsplan.core.countries import are_countries
from emsplan.core.periods import spans
from emsplan.core.problems import Problem, Severity, format_value
from emsplan.data.network import Network
from emsplan.validation.report import Check, positions, row_problem

#: Columns each option kind needs.
OPTION_FIELDS = {
    "line": ("plant", "resource", "capacity"),
    "contract": ("item",),
    "min_qty": ("min_qty", "item"),
    "single_source": ("plant", "item"),
    "site": ("site",),
}

#: Option kinds that name either a supplier (buying) or a plant (making).
EITHER_SIDE = ("contract", "min_qty")


def check_option_fields(network: Network) -> list[Problem]:
    """Each option kind has the columns it needs (see the module table)."""
    options = network["options"]
    out = []
    for kind, fields in OPTION_FIELDS.items():
        of_kind = options["kind"] == kind
        for field in fields:
            for pos in positions(of_kind & options[field].isna()):
                out.append(
                    row_problem(
                        network,
                        "options",
                        pos,
                        field,
                        f"a {kind} option needs '{field}'; the cell is blank. A {kind} option "
                        f"must give {', '.join(fields)}.",
                        check="check_option_fields",
                    )
                )
    either = options["kind"].isin(list(EITHER_SIDE))
    both = either & options["supplier"].notna() & options["plant"].notna()
    neither = either & options["supplier"].isna() & options["plant"].isna()
    for pos in positions(both | neither):
        kind = str(options["kind"].iat[pos])
        out.append(
            row_problem(
                network,
                "options",
                pos,
                "supplier",
                f"a {kind} option must give either a supplier (on buying from that offer) or a "
                "plant (on making the item there), not both and not neither.",
                check="check_option_fields",
            )
        )
    return out


def check_option_targets(network: Network) -> list[Problem]:
    """Contracts and minimums name an existing offer or production row; lines a used resource."""
    options = network["options"]
    offers = set(zip(network["supply"]["supplier"], network["supply"]["item"], strict=True))
    made = set(zip(network["production"]["plant"], network["production"]["item"], strict=True))
    used = set(zip(network["production"]["plant"], network["production"]["resource"], strict=True))
    items = set(network["items"]["item"].dropna())
    groups = set(network["items"]["group"].dropna())
    columns = ["kind", "supplier", "plant", "item", "resource"]
    records = options[columns].astype(object).where(options[columns].notna(), None)
    out = []
    for pos, row in enumerate(records.to_dict("records")):
        kind, supplier, plant, item = row["kind"], row["supplier"], row["plant"], row["item"]
        grouped = kind == "contract" and supplier is None and item in groups
        if item is not None and item not in items and not grouped:
            item = None  # check_option_items names it
        named_offer = supplier is not None and item is not None
        if kind in ("contract", "min_qty") and named_offer and (supplier, item) not in offers:
            out.append(
                row_problem(
                    network,
                    "options",
                    pos,
                    "item",
                    f"no supply offer of {format_value(item)} by {format_value(supplier)}; a "
                    f"{kind} option must name a (supplier, item) listed in table 'supply'.",
                    check="check_option_targets",
                    value=item,
                )
            )
        named_row = supplier is None and plant is not None and item is not None
        if kind == "contract" and named_row and not _makes(network, plant, item):
            out.append(
                row_problem(
                    network,
                    "options",
                    pos,
                    "item",
                    f"{format_value(plant)} makes neither the item nor an item of the group "
                    f"{format_value(item)}; a production contract must name a plant and an item "
                    "(or an item group, items.group) it makes in table 'production'.",
                    check="check_option_targets",
                    value=item,
                )
            )
        if kind == "min_qty" and named_row and (plant, item) not in made:
            out.append(
                row_problem(
                    network,
                    "options",
                    pos,
                    "item",
                    f"{format_value(plant)} does not make {format_value(item)}; a plant "
                    "minimum must name a (plant, item) listed in table 'production'.",
                    check="check_option_targets",
                    value=item,
                )
            )
        resource = row["resource"]
        named_line = plant is not None and resource is not None
        if kind == "line" and named_line and (plant, resource) not in used:
            out.append(
                row_problem(
                    network,
                    "options",
                    pos,
                    "resource",
                    f"no production at {format_value(plant)} uses resource "
                    f"{format_value(resource)}, so opening this line adds capacity nothing "
                    "can use.",
                    check="check_option_targets",
                    value=resource,
                    severity=Severity.WARNING,
                )
            )
    return out


def _makes(network: Network, plant: str, item: str) -> bool:
    """Whether the plant makes the item, or an item of the group ``item``."""
    made = network["production"]
    items = network["items"].dropna(subset=["item"]).drop_duplicates("item")
    groups = dict(zip(items["item"], items["group"], strict=True))
    at_plant = set(made.loc[(made["plant"] == plant).fillna(False), "item"].dropna())
    return item in at_plant or item in {groups.get(i) for i in at_plant}


def check_policy_periods(network: Network) -> list[Problem]:
    """``period_from`` does not come after ``period_to`` in options and trade rules."""
    out = []
    for table in ("options", "trade_rules"):
        frame = network[table]
        first, last = spans(frame["period_from"], frame["period_to"], network.period_labels)
        for pos in positions(first > last):
            out.append(
                row_problem(
                    network,
                    table,
                    pos,
                    "period_to",
                    f"period_to {format_value(frame['period_to'].iat[pos])} comes before "
                    f"period_from {format_value(frame['period_from'].iat[pos])}; it must be the "
                    "same or later.",
                    check="check_policy_periods",
                    value=frame["period_to"].iat[pos],
                )
            )
    return out


def check_incentive_items(network: Network) -> list[Problem]:
    """An incentive's ``item`` names an item or an item group."""
    incentives = network["incentives"]
    known = set(network["items"]["item"].dropna()) | set(network["items"]["group"].dropna())
    out = []
    for pos in positions(incentives["item"].notna() & ~incentives["item"].isin(list(known))):
        value = incentives["item"].iat[pos]
        out.append(
            row_problem(
                network,
                "incentives",
                pos,
                "item",
                f"{format_value(value)} is neither an item nor an item group; allowed: an item "
                "listed in table 'items' or a value of its 'group' column.",
                check="check_incentive_items",
                value=value,
            )
        )
    return out


def check_trade_scope(network: Network) -> list[Problem]:
    """A trade rule gives exactly one of item and hs_code; its countries are ISO codes."""
    rules = network["trade_rules"]
    out = []
    count = rules["item"].notna().astype(int) + rules["hs_code"].notna().astype(int)
    for pos in positions(count != 1):
        out.append(
            row_problem(
                network,
                "trade_rules",
                pos,
                "item",
                "the rule must give exactly one of item and hs_code (the products it covers).",
                check="check_trade_scope",
            )
        )
    for column in ("origin_country", "destination_country"):
        bad = rules[column].notna() & ~are_countries(rules[column])
        for pos in positions(bad):
            value = rules[column].iat[pos]
            out.append(
                row_problem(
                    network,
                    "trade_rules",
                    pos,
                    column,
                    f"{format_value(value)} is not an ISO 3166 alpha-2 country code such as IN "
                    "or AE.",
                    check="check_trade_scope",
                    value=value,
                )
            )
    return out


#: The policy tables' rules, in the order they run.
POLICY_CHECKS: list[Check] = [
    check_option_fields,
    check_option_targets,
    check_policy_periods,
    check_incentive_items,
    check_trade_scope,
]
