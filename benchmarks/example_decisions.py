"""What each network-design decision of the bundled example is worth, in profit.

Each figure is the plan's profit against a plan with that one decision forbidden (its
option fixed closed, or the pledge removed), all else free; the cost categories that
moved are printed beside it. The README's "The plan of the bundled example" quotes these::

    python benchmarks/example_decisions.py
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import emsplan
from emsplan.data.network import Network

Extra = Callable[[Any, Any], None]


def closed(option: str) -> Extra:
    """``extra_functionality`` keeping ``option`` closed in every period."""

    def extra(model: Any, data: Any) -> None:
        x = model.variables["Option-open"]
        model.add_constraints(x.sel(option=option) == 0, name=f"Forbid-{option}")

    return extra


def without_pledge(net: Network) -> Network:
    new = net.copy()
    targets = new["targets"]
    new.tables["targets"] = targets[targets["growth"].isna()].reset_index(drop=True)
    return new


def costs(plan: emsplan.Plan) -> pd.Series:
    return plan.costs.groupby("category")["value"].sum()


def main() -> None:
    warnings.filterwarnings("ignore", message=".*absent slots.*")  # the masked periods stay free
    net = emsplan.examples.load("india-2023")
    start = time.perf_counter()
    base = emsplan.plan(net)
    print(f"plan: profit {base.summary['profit']:,.0f} ({time.perf_counter() - start:.0f} s)")
    shares = base.local_content[base.local_content["scope"] == "network"]
    print(
        "local share by period:", dict(zip(shares["period"], shares["share"].round(4), strict=True))
    )
    opened = base.options[base.options["open"] == 1]
    print(
        "open:",
        opened.groupby("option")["period"].apply(lambda p: f"{p.min()}..{len(p)}q").to_dict(),
    )
    cases: list[tuple[str, Network, Extra | None]] = [
        ("audio at EMS-C instead of EMS-E", net, closed("audio-EMS-E")),
        ("no DC-EAST", net, closed("DC-EAST-open")),
        ("no east stores", net, closed("stores-east")),
        ("no west stores", net, closed("stores-west")),
        ("no pledge", without_pledge(net), None),
    ]
    for name, network, extra in cases:
        other = emsplan.plan(network, extra_functionality=extra, validate=False)
        delta = base.summary["profit"] - other.summary["profit"]
        moved = (costs(base) - costs(other).reindex(costs(base).index).fillna(0.0)).round(0)
        big = moved[np.abs(moved) > 1e5].to_dict()
        print(f"{name}: the plan's profit is higher by {delta:,.0f}; cost moves {big}")
        if name == "no pledge":
            s = other.local_content[other.local_content["scope"] == "network"]
            print(
                "  share without the pledge:",
                dict(zip(s["period"], s["share"].round(4), strict=True)),
            )


if __name__ == "__main__":
    main()
