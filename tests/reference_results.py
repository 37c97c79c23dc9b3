"""Reference results of the bundled examples, stored in ``tests/data/`` and regenerated
only on purpose::

    python tests/reference_results.py            # rewrite tests/data/<example>-reference.json

What is stored: the objective, the cost per category over the horizon, the
horizon KPIs of the network, the local share per period, and the units bought,
made and delivered per item. These are what a planner reads first; a change to
any of them is a change of the plan that must be looked at and accepted.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

import emsplan  # noqa: E402


def reference_path(example: str) -> Path:
    return DATA / f"{example}-reference.json"


def figures(result: emsplan.Plan) -> dict[str, Any]:
    """The figures compared against the reference."""
    kpis = result.kpis
    net = kpis[(kpis["scope"] == "network") & (kpis["period"] == "all")]
    lc = result.local_content
    lc = lc[lc["scope"] == "network"]
    return {
        "objective": result.objective,
        "costs": {
            str(k): float(v) for k, v in result.costs.groupby("category")["value"].sum().items()
        },
        "kpis": {str(k): float(v) for k, v in zip(net["kpi"], net["value"], strict=True)},
        "local_share": {str(p): float(s) for p, s in zip(lc["period"], lc["share"], strict=True)},
        "bought": _per_item(result.purchases),
        "made": _per_item(result.production),
        "delivered": _per_item(
            result.flows[
                result.flows["destination"].isin(
                    result.network.demand["market"] if result.network is not None else []
                )
            ]
        ),
    }


def _per_item(frame: Any) -> dict[str, float]:
    return {str(k): float(v) for k, v in frame.groupby("item")["qty"].sum().items()}


def main() -> None:
    DATA.mkdir(exist_ok=True)
    for name in emsplan.examples.names():
        result = emsplan.plan(emsplan.examples.load(name))
        path = reference_path(name)
        path.write_text(json.dumps(figures(result), indent=1, sort_keys=True) + "\n")
        print(f"wrote {path} (objective {result.objective:,.2f})")


if __name__ == "__main__":
    main()
