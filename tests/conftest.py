"""Shared fixtures: a small valid network built by hand, and the repository's paths.

The tests always import the package from this work tree's ``src/`` (an
installed copy may be older); subprocesses get the same through PYTHONPATH.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))

import emsplan  # noqa: E402


def small_tables() -> dict[str, pd.DataFrame]:
    """A small valid network: a phone of a PCBA (of chips) and a battery bought from two suppliers.

    Two quarters; a domestic and an imported battery offer; one plant with one
    line; one domestic market.
    """
    rows: dict[str, list[dict[str, Any]]] = {
        "settings": [
            {"setting": "currency", "value": "INR"},
            {"setting": "domestic_country", "value": "IN"},
        ],
        "periods": [{"period": "2024-Q1", "days": 91}, {"period": "2024-Q2", "days": 91}],
        "items": [
            {"item": "PH1", "kind": "product", "hs_code": "8517.13", "group": "smartphone"},
            {"item": "PCBA1", "kind": "subassembly", "hs_code": "8517.79"},
            {"item": "BAT1", "kind": "component", "hs_code": "8507.60", "holding_cost": 1.5},
            {"item": "CHIP1", "kind": "component", "hs_code": "8542.31"},
        ],
        "bom": [
            {"parent": "PH1", "child": "PCBA1", "qty_per": 1},
            {"parent": "PH1", "child": "BAT1", "qty_per": 1},
            {"parent": "PCBA1", "child": "CHIP1", "qty_per": 4},
        ],
        "sites": [
            {"site": "SUP-IN", "kind": "supplier", "country": "IN", "region": "Uttar Pradesh"},
            {"site": "SUP-CN", "kind": "supplier", "country": "CN"},
            {"site": "PL1", "kind": "plant", "country": "IN", "partner": "EMS One"},
            {"site": "MKT-N", "kind": "market", "country": "IN", "region": "North"},
        ],
        "supply": [
            {"supplier": "SUP-IN", "item": "BAT1", "price": 300.0, "capacity": 5000},
            {"supplier": "SUP-CN", "item": "BAT1", "price": 250.0, "lead_time": 1},
            {"supplier": "SUP-CN", "item": "CHIP1", "price": 80.0, "lead_time": 1},
        ],
        "production": [
            {"plant": "PL1", "item": "PH1", "cost": 400.0, "resource": "LINE1"},
            {"plant": "PL1", "item": "PCBA1", "cost": 900.0},
        ],
        "resources": [{"plant": "PL1", "resource": "LINE1", "capacity": 10000}],
        "lanes": [
            {"origin": "SUP-IN", "destination": "PL1", "cost": 5.0},
            {"origin": "SUP-CN", "destination": "PL1", "mode": "sea", "cost": 20.0},
            {"origin": "PL1", "destination": "MKT-N", "cost": 30.0},
        ],
        "duties": [{"hs_code": "8507", "rate": 0.15}],
        "demand": [
            {
                "market": "MKT-N",
                "item": "PH1",
                "period": p,
                "qty": 1000,
                "price": 15000.0,
                "penalty": 20000.0,
            }
            for p in ("2024-Q1", "2024-Q2")
        ],
        "targets": [{"scope": "network", "min_local_share": 0.2}],
    }
    return {name: pd.DataFrame(r) for name, r in rows.items()}


@pytest.fixture
def small_network() -> emsplan.Network:
    """The small valid network of :func:`small_tables`."""
    return emsplan.Network(small_tables(), name="small")


@pytest.fixture
def small_workbook(tmp_path: Path, small_network: emsplan.Network) -> Path:
    """The small network written as a workbook."""
    return small_network.write(tmp_path / "small.xlsx")


@pytest.fixture
def broken_workbook(tmp_path: Path) -> Path:
    """The small network with a negative supply price (a range error) in row 3 of 'supply'."""
    tables = small_tables()
    tables["supply"].loc[1, "price"] = -7.5
    net = emsplan.Network(tables, name="broken")
    return net.write(tmp_path / "broken.xlsx")


def subprocess_env() -> dict[str, str]:
    """Environment for subprocesses, importing the package from this work tree."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    return env
