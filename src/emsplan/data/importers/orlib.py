"""OR-Library capacitated warehouse location instances as emsplan networks.

Format (J.E. Beasley's OR-Library, ``cap*.txt``): the first line ``m n``
(facilities, customers); m lines ``capacity fixed_cost`` (in capa/capb/capc
the capacity is the word ``capacity``, to be given); then per customer its
demand followed by m numbers, the cost of serving ALL of its demand from each
facility (possibly wrapping over lines). Demand may be split.

The network has one period and one product ``UNIT``; each facility is a plant
whose resource ``capacity`` has no capacity of its own and a ``line`` option
(fixed cost, the facility's capacity); each customer is a market whose demand
must be met (blank penalty); the lane from facility i to customer j costs
c_ij / d_j per unit. Its optimal plan costs exactly the instance's optimum.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from emsplan.data.network import Network


class OrlibFormatError(ValueError):
    """The file is not an OR-Library capacitated warehouse location instance."""


def _numbers(path: Path, tokens: list[str], start: int, count: int, what: str) -> list[float]:
    chunk = tokens[start : start + count]
    if len(chunk) < count:
        raise OrlibFormatError(
            f"{path}: the file ends early: {what} needs {count} numbers, found {len(chunk)}."
        )
    try:
        return [float(x) for x in chunk]
    except ValueError as exc:
        raise OrlibFormatError(f"{path}: {what} has a value that is not a number ({exc}).") from exc


def read_orlib_cap(path: str | Path, capacity: float | None = None) -> Network:
    """Read a ``cap*.txt`` instance; ``capacity`` is required for capa/capb/capc."""
    path = Path(path)
    tokens = path.read_text(encoding="utf-8").split()
    if len(tokens) < 2:
        raise OrlibFormatError(f"{path}: expected 'm n' on the first line.")
    m, n = (int(float(x)) for x in _numbers(path, tokens, 0, 2, "the first line"))
    pos = 2
    caps: list[float] = []
    fixed: list[float] = []
    for i in range(m):
        cap_token, cost_token = tokens[pos : pos + 2] if pos + 2 <= len(tokens) else ("", "")
        if cap_token.lower() == "capacity":
            if capacity is None:
                raise OrlibFormatError(
                    f"{path}: facility capacities are the word 'capacity': give --capacity C "
                    "(e.g. 8000 for capa)."
                )
            caps.append(float(capacity))
        else:
            caps.append(_numbers(path, tokens, pos, 1, f"facility {i + 1}'s capacity")[0])
        fixed.append(_numbers(path, [cost_token], 0, 1, f"facility {i + 1}'s fixed cost")[0])
        pos += 2
    demand: list[float] = []
    costs: list[list[float]] = []
    for j in range(n):
        row = _numbers(path, tokens, pos, m + 1, f"customer {j + 1}")
        demand.append(row[0])
        costs.append(row[1:])
        pos += m + 1
    facilities = [f"F{i + 1}" for i in range(m)]
    customers = [f"C{j + 1}" for j in range(n)]
    tables = {
        "periods": pd.DataFrame({"period": ["P1"], "days": [365]}),
        "items": pd.DataFrame({"item": ["UNIT"], "kind": ["product"]}),
        "sites": pd.DataFrame(
            {
                "site": facilities + customers,
                "kind": ["plant"] * m + ["market"] * n,
                "country": "IN",
            }
        ),
        "production": pd.DataFrame(
            {"plant": facilities, "item": "UNIT", "cost": 0.0, "resource": "capacity", "usage": 1.0}
        ),
        "resources": pd.DataFrame({"plant": facilities, "resource": "capacity", "capacity": 0.0}),
        "options": pd.DataFrame(
            {
                "option": [f"open-{f}" for f in facilities],
                "kind": "line",
                "plant": facilities,
                "resource": "capacity",
                "fixed_cost": fixed,
                "capacity": caps,
            }
        ),
        "lanes": pd.DataFrame(
            [
                {
                    "origin": facilities[i],
                    "destination": customers[j],
                    "cost": costs[j][i] / demand[j],
                }
                for j in range(n)
                if demand[j] > 0
                for i in range(m)
            ]
        ),
        "demand": pd.DataFrame(
            {"market": customers, "item": "UNIT", "period": "P1", "qty": demand}
        ),
    }
    tables["demand"] = tables["demand"][tables["demand"]["qty"] > 0]
    return Network(tables, name=path.stem)
