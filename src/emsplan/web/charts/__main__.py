"""``python -m emsplan.web.charts OUT.html``: every chart of the bundled example, planned,
in one HTML file, for a person to look at (the pages' own layout is not needed)."""

from __future__ import annotations

import argparse
import html
import sys
from pathlib import Path

import pandas as pd


def example_charts(name: str = "india-2023") -> dict[str, str]:
    """The charts of example ``name`` and its least-cost plan, by caption."""
    from emsplan.data import examples
    from emsplan.planning import plan
    from emsplan.web import charts

    net = examples.load(name)
    result = plan(net)
    sites, flows = net.tables["sites"], result.tables["flows"]
    domestic = str(net.domestic_country)
    kinds = sites.set_index("site")["kind"].astype(str)
    country = sites.set_index("site")["country"].astype(str)
    costs = result.tables["costs"].pivot_table(
        index="period", columns="category", values="value", aggfunc="sum", sort=False
    )
    local = result.tables["local_content"]
    network = local[local["scope"] == "network"].set_index("period")
    plants = local[local["scope"].isin(set(kinds[kinds == "plant"].index))]

    worth = flows.assign(worth=flows["qty"] * flows["value"].fillna(0.0))
    links = worth.groupby(["origin", "destination"], as_index=False).agg(value=("worth", "sum"))
    links["group"] = [
        "local" if country.get(o) == domestic else "imported" for o in links["origin"]
    ]
    links = links.rename(columns={"origin": "source", "destination": "target"})

    base = costs.sum()
    variant = base * pd.Series({"purchases": 1.02, "duty": 0.6, "incentives": 1.4}).reindex(
        base.index, fill_value=1.0
    )
    by_plan = pd.DataFrame({"base": base, "invented variant": variant})
    periods = costs.index.astype(str)
    total = costs.sum(axis=1).to_numpy()
    draws = [float(t) * f for t in total for f in (0.9, 0.95, 0.97, 1.0, 1.02, 1.05, 1.12)]
    return {
        "Site map (flows of all periods)": charts.site_map(sites, flows, title="Network map"),
        "Sankey: value of goods moved (INR)": charts.sankey(
            links, unit="INR", title="Value moved: suppliers → plants → warehouses → markets"
        ),
        "Costs by category and period": charts.stacked_bars(
            costs, unit="INR", title="Cost by category and period"
        ),
        "Costs, lakh and crore": charts.stacked_bars(
            costs, unit="INR", title="Cost (Indian numbering)", number_style="indian"
        ),
        "Two plans compared": charts.bar_compare(
            by_plan, unit="INR", title="Cost by category: base and an invented variant"
        ),
        "Local share against target": charts.line_chart(
            {"network": network["share"]}, target=network["target"], percent=True,
            title="Local share of the network against its target",
        ),
        "Local share per plant": charts.line_chart(
            {str(s): g.set_index("period")["share"] for s, g in plants.groupby("scope")},
            percent=True, title="Local share per plant",
        ),
        "Histogram (invented sweep of total cost)": charts.histogram(
            draws, unit="INR", title=f"Total cost over {len(periods)} periods, perturbed"
        ),
        "Empty input": charts.sankey(pd.DataFrame(), title="An empty Sankey"),
    }  # fmt: skip


def page(figures: dict[str, str]) -> str:
    sections = "".join(
        f"<section><h2>{html.escape(caption)}</h2>{svg}</section>"
        for caption, svg in figures.items()
    )
    return (
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>emsplan charts</title>'
        '<body style="font-family:system-ui,sans-serif;max-width:1000px;margin:1em auto">'
        f"{sections}</body></html>"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emsplan.web.charts", description=__doc__)
    parser.add_argument("out", type=Path, help="the HTML file to write")
    parser.add_argument("--example", default="india-2023", help="the bundled example to plan")
    args = parser.parse_args(argv)
    args.out.write_text(page(example_charts(args.example)), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
