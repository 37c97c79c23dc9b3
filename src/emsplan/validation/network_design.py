"""Validation rules of the network-design options: sites that open or close, production
contracts and single-sourced markets (``options`` kinds site, contract, market_source).

=========================  =====================================================
rule                       what it requires (E = error, W = warning)
=========================  =====================================================
check_option_items         E: an option's item is an item; only a production
                           contract may name an item group instead
check_site_options         E: a site option's site is a plant, warehouse or
                           market; one site option per site; no period_to;
                           W: a one-off cost that can never be paid; a
                           candidate market under objective cost
check_contract_minimums    E: min_qty on a supply contract (use kind min_qty)
check_market_sources       E: the market is a market with lanes into it; one
                           option per (market, item)
=========================  =====================================================
"""

from __future__ import annotations

import pandas as pd

from emsplan.core.problems import Problem, Severity, format_value
from emsplan.data.network import Network
from emsplan.validation.domain import kinds_by_code
from emsplan.validation.report import Check, blank, positions, row_problem


def check_option_items(network: Network) -> list[Problem]:
    """An option's ``item`` is an item; a production contract's may be an item group."""
    options = network["options"]
    items = set(network["items"]["item"].dropna())
    groups = set(network["items"]["group"].dropna())
    production_contract = (options["kind"] == "contract") & options["supplier"].isna()
    known = options["item"].isin(list(items)) | (
        production_contract & options["item"].isin(list(groups))
    )
    out = []
    for pos in positions(options["item"].notna() & ~known):
        value = options["item"].iat[pos]
        allowed = (
            "an item listed in table 'items' or an item group (its 'group' column)"
            if production_contract.iat[pos]
            else "an item listed in table 'items'"
        )
        out.append(
            row_problem(
                network,
                "options",
                pos,
                "item",
                f"{format_value(value)} is not known; allowed: {allowed}.",
                check="check_option_items",
                value=value,
            )
        )
    return out


def check_site_options(network: Network) -> list[Problem]:
    """Site options open or close plants, warehouses and markets, one option per site."""
    options = network["options"]
    kinds = pd.Series(kinds_by_code(network, "sites"), dtype=object)
    site = options["kind"] == "site"
    out = []
    kind_of = options["site"].map(kinds)
    for pos in positions(site & options["site"].notna() & (kind_of == "supplier")):
        out.append(
            row_problem(
                network,
                "options",
                pos,
                "site",
                f"{format_value(options['site'].iat[pos])} is a supplier; a site option opens or "
                "closes a plant, warehouse or market (a supplier is chosen by a contract option).",
                check="check_site_options",
                value=options["site"].iat[pos],
            )
        )
    repeated = site & options["site"].notna() & options["site"].duplicated(keep="first")
    for pos in positions(repeated & site):
        first = options.loc[site & (options["site"] == options["site"].iat[pos]), "option"].iat[0]
        out.append(
            row_problem(
                network,
                "options",
                pos,
                "site",
                f"{format_value(options['site'].iat[pos])} already has the site option "
                f"{format_value(first)}; a site has at most one site option.",
                check="check_site_options",
                value=options["site"].iat[pos],
            )
        )
    for pos in positions(site & options["period_to"].notna()):
        out.append(
            row_problem(
                network,
                "options",
                pos,
                "period_to",
                f"period_to {format_value(options['period_to'].iat[pos])} is given; a site option "
                "runs to the end of the horizon: leave period_to blank (period_from is the "
                "earliest period a candidate may open or an existing site may close).",
                check="check_site_options",
                value=options["period_to"].iat[pos],
            )
        )
    out += _never_paid(network, options, site)
    if network.setting("objective") == "cost":
        candidate = options["existing"].fillna(0).astype(int) == 0
        for pos in positions(site & candidate & (kind_of == "market")):
            out.append(
                row_problem(
                    network,
                    "options",
                    pos,
                    "site",
                    f"{format_value(options['site'].iat[pos])} is a candidate market: under the "
                    "setting objective = cost opening it only adds demand to serve, so it never "
                    "opens. Set objective to profit to weigh its margin against its fixed cost.",
                    check="check_site_options",
                    value=options["site"].iat[pos],
                    severity=Severity.WARNING,
                )
            )
    return out


def _never_paid(network: Network, options: pd.DataFrame, site: pd.Series) -> list[Problem]:
    """Warnings for one-off costs a non-closable site option can never pay."""
    existing = options["existing"].fillna(0).astype(int) == 1
    fixed = options["closable"].fillna(0).astype(int) == 0
    out = []
    cases = (
        ("opening_cost", existing, "an existing site that may not reopen never opens"),
        ("closing_cost", ~existing, "a candidate that stays open once opened never closes"),
    )
    for column, start, why in cases:
        paid = options[column].fillna(0.0) > 0
        for pos in positions(site & fixed & start & paid):
            out.append(
                row_problem(
                    network,
                    "options",
                    pos,
                    column,
                    f"{column} {format_value(options[column].iat[pos])} is never paid: {why} "
                    "(closable is 0). Set closable to 1 or leave the cost blank.",
                    check="check_site_options",
                    value=options[column].iat[pos],
                    severity=Severity.WARNING,
                )
            )
    return out


def check_contract_minimums(network: Network) -> list[Problem]:
    """``min_qty`` on a supply contract is refused: kind min_qty says that."""
    options = network["options"]
    bad = (options["kind"] == "contract") & options["supplier"].notna() & options["min_qty"].notna()
    return [
        row_problem(
            network,
            "options",
            pos,
            "min_qty",
            f"min_qty {format_value(options['min_qty'].iat[pos])} on a supply contract; a "
            "minimum on buying from an offer is its own option of kind min_qty (min_qty on a "
            "contract applies to production contracts, which name a plant).",
            check="check_contract_minimums",
            value=options["min_qty"].iat[pos],
        )
        for pos in positions(bad)
    ]


def check_market_sources(network: Network) -> list[Problem]:
    """A market_source names a market with lanes into it; one option per (market, item)."""
    options = network["options"]
    kinds = kinds_by_code(network, "sites")
    markets = [s for s, k in kinds.items() if k == "market"]
    reached = set(network["lanes"]["destination"].dropna())
    out = []
    demand = network["demand"]
    demanded = demand.groupby("market")["item"].unique().map(list).to_dict()
    taken: dict[tuple[str, str], str] = {}
    for pos in positions(options["kind"] == "market_source"):
        market, item = options["market"].iat[pos], options["item"].iat[pos]
        item = None if blank(item) else str(item)
        covered = markets if blank(market) else [str(market)]
        if not blank(market) and kinds.get(str(market)) != "market":
            continue  # check_references names it
        unreached = [m for m in covered if m not in reached]
        if unreached and not blank(market):
            out.append(
                row_problem(
                    network,
                    "options",
                    pos,
                    "market",
                    f"no lane reaches {format_value(market)}, so there is no site to serve it "
                    "from; add a lane into it in table 'lanes'.",
                    check="check_market_sources",
                    value=market,
                )
            )
        option = str(options["option"].iat[pos])
        for m in map(str, covered):
            items = [item] if item is not None else demanded.get(m, [])
            clash = next((taken[(m, i)] for i in items if (m, i) in taken), None)
            if clash is not None:
                out.append(
                    row_problem(
                        network,
                        "options",
                        pos,
                        "market",
                        f"{format_value(m)} is already single-sourced by option "
                        f"{format_value(clash)}; a market's item may be covered by one "
                        "market_source option only.",
                        check="check_market_sources",
                        value=m,
                    )
                )
                break
            taken.update({(m, i): option for i in items})
    return out


#: The network-design rules, in the order they run.
NETWORK_DESIGN_CHECKS: list[Check] = [
    check_option_items,
    check_site_options,
    check_contract_minimums,
    check_market_sources,
]
