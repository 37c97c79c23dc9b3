"""Single-source capacitated facility location (SSCFLP) instances as emsplan networks.

Format (Holmberg, Ronnqvist and Yuan 1999, as in the OR-Datasets collection;
whitespace separated, lines may wrap): ``I J`` (facilities, customers); I
capacities s_i; I opening costs f_i; J demands d_j; then J rows of I numbers,
c[j][i] = the cost of serving ALL of customer j's demand from facility i.

The network has one period ``P1`` and one product ``UNIT``. Each facility
``Fi`` is a plant making ``UNIT`` at no cost with no resource limit, opened by
a ``site`` option (a candidate: ``existing`` 0) whose ``fixed_cost`` is f_i
and whose ``capacity`` (units made when open) is s_i. Each customer ``Cj`` is a
market whose demand d_j must be met. The lane from Fi to Cj costs
c[j][i] / d_j per unit, so serving all of Cj from Fi costs c[j][i]. One
``market_source`` option ``single-source`` (market blank: every market) makes
each market take all of its ``UNIT`` from one plant. The network's optimal
plan costs exactly the instance's optimum (docs/design/network-design.md,
section 6).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from emsplan.data.network import Network


class SscflpFormatError(ValueError):
    """The file is not a single-source capacitated facility location instance."""


def _label(pos: int, n_fac: int, n_cus: int) -> str:
    """What the token at 0-based position ``pos`` stands for, in words."""
    if pos == 0:
        return "the number of facilities I"
    if pos == 1:
        return "the number of customers J"
    k = pos - 2
    if k < n_fac:
        return f"the capacity of facility {k + 1}"
    k -= n_fac
    if k < n_fac:
        return f"the opening cost of facility {k + 1}"
    k -= n_fac
    if k < n_cus:
        return f"the demand of customer {k + 1}"
    k -= n_cus
    if k < n_fac * n_cus:
        return f"the cost of serving customer {k // n_fac + 1} from facility {k % n_fac + 1}"
    return "after the last cost"


def _parse(path: Path, tokens: list[str]) -> list[float]:
    """The tokens as finite numbers, or an error naming the first that is not one."""
    n_fac = n_cus = 0
    values: list[float] = []
    for pos, token in enumerate(tokens):
        try:
            value = float(token)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise SscflpFormatError(
                f"{path}: token {pos + 1} ({token!r}, {_label(pos, n_fac, n_cus)}) "
                "is not a finite number."
            )
        values.append(value)
        if pos < 2 and (value != int(value) or value < 1):
            raise SscflpFormatError(
                f"{path}: token {pos + 1} ({token!r}, {_label(pos, 0, 0)}) must be a whole "
                "number of at least 1."
            )
        if pos == 1:
            n_fac, n_cus = int(values[0]), int(values[1])
    return values


def read_sscflp(path: str | Path) -> Network:
    """Read an SSCFLP instance into a network whose optimum is the instance's.

    Raises
    ------
    SscflpFormatError
        The file ends early, has a token that is not a number, has more numbers than
        2 + 2I + J + IJ, a negative capacity or cost, or a customer of demand <= 0.
    """
    path = Path(path)
    tokens = path.read_text(encoding="utf-8").split()
    if len(tokens) < 2:
        raise SscflpFormatError(
            f"{path}: the file ends early: expected 'I J' (facilities, customers) first, "
            f"found {len(tokens)} token(s)."
        )
    values = _parse(path, tokens)
    n_fac, n_cus = int(values[0]), int(values[1])
    expected = 2 + 2 * n_fac + n_cus + n_fac * n_cus
    if len(values) != expected:
        short = len(values) < expected
        missing = f"; the first missing is {_label(len(values), n_fac, n_cus)}" if short else ""
        raise SscflpFormatError(
            f"{path}: the file {'ends early' if short else 'has numbers left over'}: "
            f"I = {n_fac} facilities and J = {n_cus} customers need 2 + 2I + J + IJ = "
            f"{expected} numbers, found {len(values)}{missing}."
        )
    pos = 2
    caps = values[pos : pos + n_fac]
    pos += n_fac
    fixed = values[pos : pos + n_fac]
    pos += n_fac
    demand = values[pos : pos + n_cus]
    pos += n_cus
    costs = [values[pos + j * n_fac : pos + (j + 1) * n_fac] for j in range(n_cus)]
    for j, d in enumerate(demand):
        if d <= 0:
            raise SscflpFormatError(
                f"{path}: customer {j + 1} has demand {d:g} (token {2 + 2 * n_fac + j + 1}); "
                "every demand must be positive, since a customer is served at a cost per unit."
            )
    for k, value in enumerate(values[2:], start=2):
        if value < 0:
            raise SscflpFormatError(
                f"{path}: token {k + 1} ({_label(k, n_fac, n_cus)}) is negative ({value:g})."
            )
    facilities = [f"F{i + 1}" for i in range(n_fac)]
    customers = [f"C{j + 1}" for j in range(n_cus)]
    site_options = pd.DataFrame(
        {
            "option": [f"open-{f}" for f in facilities],
            "kind": "site",
            "site": facilities,
            "existing": 0,
            "fixed_cost": fixed,
            "capacity": caps,
        }
    )
    market_source = pd.DataFrame(
        {"option": ["single-source"], "kind": "market_source", "market": [None], "item": "UNIT"}
    )
    tables = {
        "periods": pd.DataFrame({"period": ["P1"], "days": [365]}),
        "items": pd.DataFrame({"item": ["UNIT"], "kind": ["product"]}),
        "sites": pd.DataFrame(
            {
                "site": facilities + customers,
                "kind": ["plant"] * n_fac + ["market"] * n_cus,
                "country": "IN",
            }
        ),
        "production": pd.DataFrame({"plant": facilities, "item": "UNIT", "cost": 0.0}),
        "options": pd.concat([site_options, market_source], ignore_index=True),
        "lanes": pd.DataFrame(
            [
                {
                    "origin": facilities[i],
                    "destination": customers[j],
                    "cost": costs[j][i] / demand[j],
                    "lead_time": 0,
                }
                for j in range(n_cus)
                for i in range(n_fac)
            ]
        ),
        "demand": pd.DataFrame(
            {"market": customers, "item": "UNIT", "period": "P1", "qty": demand, "price": 0.0}
        ),
    }
    return Network(tables, name=path.stem)
