"""Single-source capacitated facility location instances imported and planned to their optima."""

from __future__ import annotations

import csv
import itertools
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import emsplan
from conftest import subprocess_env
from emsplan.cli.app import app
from emsplan.data.importers.sscflp import SscflpFormatError, read_sscflp
from emsplan.data.network import Network

FOLDER = Path(__file__).resolve().parents[2] / "shared" / "data" / "sscflp-holmberg"
needs_data = pytest.mark.skipif(
    not FOLDER.is_dir(), reason=f"the Holmberg SSCFLP instances are not at {FOLDER}"
)

#: 2 facilities (capacity 9, 7; opening cost 5, 8), 3 customers (demand 6, 4, 5); the
#: cost of serving all of C1, C2, C3 from (F1, F2): (6, 12), (4, 4), (10, 5).
TINY = "2 3\n9 7\n5 8\n6 4 5\n6 12\n4 4\n10 5\n"
CAPACITY, OPENING, DEMAND = (9, 7), (5, 8), (6, 4, 5)
COST = ((6, 12), (4, 4), (10, 5))  # COST[j][i]: all of customer j from facility i


def brute_force(single_source: bool) -> float:
    """The tiny instance's optimum by enumeration.

    Every customer's demand is split between F1 and F2 in whole units (a transport
    problem with integer data has an integer optimum); single sourcing keeps only the
    splits that give a customer wholly to one facility. A facility that serves anyone is
    open and pays its opening cost.
    """
    best = float("inf")
    splits = [range(d + 1) for d in DEMAND]  # units of each customer served by F1
    for from_f1 in itertools.product(*splits):
        if single_source and any(0 < q < d for q, d in zip(from_f1, DEMAND, strict=True)):
            continue
        load = (sum(from_f1), sum(DEMAND) - sum(from_f1))
        if any(load[i] > CAPACITY[i] for i in range(2)):
            continue
        served = [(q, d - q) for q, d in zip(from_f1, DEMAND, strict=True)]
        cost = sum(OPENING[i] for i in range(2) if load[i] > 0)
        cost += sum(COST[j][i] * served[j][i] / DEMAND[j] for j in range(3) for i in range(2))
        best = min(best, cost)
    return best


def tiny_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.txt"
    path.write_text(TINY)
    return path


def without_single_sourcing(network: Network) -> Network:
    split = network.copy()
    options = split.tables["options"]
    split.tables["options"] = options[options["kind"] != "market_source"].reset_index(drop=True)
    return split


# -- the mapping ------------------------------------------------------------------------
def test_the_tiny_file_maps_to_the_tables(tmp_path: Path) -> None:
    net = read_sscflp(tiny_file(tmp_path))
    assert net.name == "tiny"
    assert net.periods[["period", "days"]].values.tolist() == [["P1", 365]]
    assert net.items[["item", "kind"]].values.tolist() == [["UNIT", "product"]]
    assert net.sites[["site", "kind", "country"]].values.tolist() == [
        ["F1", "plant", "IN"],
        ["F2", "plant", "IN"],
        ["C1", "market", "IN"],
        ["C2", "market", "IN"],
        ["C3", "market", "IN"],
    ]
    production = net.production
    assert production[["plant", "item", "cost"]].values.tolist() == [
        ["F1", "UNIT", 0.0],
        ["F2", "UNIT", 0.0],
    ]
    assert production["resource"].isna().all()

    options = net.options.set_index("option")
    assert list(options.index) == ["open-F1", "open-F2", "single-source"]
    sites = options.loc[["open-F1", "open-F2"]]
    assert (sites["kind"] == "site").all()
    assert sites["site"].tolist() == ["F1", "F2"]
    assert sites["existing"].tolist() == [0, 0]
    assert sites["fixed_cost"].tolist() == [5.0, 8.0]
    assert sites["capacity"].tolist() == [9.0, 7.0]
    source = options.loc["single-source"]
    assert source["kind"] == "market_source"
    assert pd.isna(source["market"])
    assert source["item"] == "UNIT"

    lanes = net.lanes.set_index(["origin", "destination"])
    assert len(lanes) == 6
    expected = {  # c[j][i] / d_j
        ("F1", "C1"): 1.0, ("F2", "C1"): 2.0,
        ("F1", "C2"): 1.0, ("F2", "C2"): 1.0,
        ("F1", "C3"): 2.0, ("F2", "C3"): 1.0,
    }  # fmt: skip
    assert lanes["cost"].to_dict() == pytest.approx(expected, rel=1e-12)
    assert (lanes["lead_time"] == 0).all()

    demand = net.demand
    assert demand[["market", "item", "period", "qty", "price"]].values.tolist() == [
        ["C1", "UNIT", "P1", 6.0, 0.0],
        ["C2", "UNIT", "P1", 4.0, 0.0],
        ["C3", "UNIT", "P1", 5.0, 0.0],
    ]
    assert demand["penalty"].isna().all()


def test_the_tiny_network_validates(tmp_path: Path) -> None:
    net = read_sscflp(tiny_file(tmp_path))
    net.validate()  # warnings only (UNIT is made from nothing)


# -- the optimum ------------------------------------------------------------------------
def test_the_brute_force_optima() -> None:
    """Single-sourced: both facilities must open (15 units > 9, > 7), 13; C1 (6) on F1
    leaves 3 there and 7 on F2, too little for C2 + C3 (9), so C1 goes to F2 (12) and
    C2, C3 to F1 (4 + 10): 39. Split: C1 from F1 (6), C3 from F2 (5), C2 3 units from F1
    and 1 from F2 (4): 13 + 15 = 28."""
    assert brute_force(single_source=True) == pytest.approx(39.0, abs=1e-12)
    assert brute_force(single_source=False) == pytest.approx(28.0, abs=1e-12)


def test_the_tiny_instance_single_sourced(tmp_path: Path) -> None:
    result = emsplan.plan(read_sscflp(tiny_file(tmp_path)))
    assert result.summary["termination_condition"] == "optimal"
    assert result.objective == pytest.approx(brute_force(single_source=True), rel=1e-9)


def test_the_tiny_instance_split_without_the_market_source_option(tmp_path: Path) -> None:
    result = emsplan.plan(without_single_sourcing(read_sscflp(tiny_file(tmp_path))))
    assert result.summary["termination_condition"] == "optimal"
    assert result.objective == pytest.approx(brute_force(single_source=False), rel=1e-9)


# -- format errors ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "ends early"),
        ("2", "ends early"),
        ("2 3\n9 7\n5 8\n6 4 5\n6 12\n4 4\n10\n", r"ends early.*15 numbers, found 14"),
        ("2 3\n9 7\n5 8\n6 4 5\n6 12\n4 4\n10 5 1\n", r"left over.*15 numbers, found 16"),
        ("2 3\n9 x\n5 8\n6 4 5\n6 12\n4 4\n10 5\n", r"token 4 \('x', the capacity of facility 2\)"),
        ("2 3\n9 7\n5 8\n6 4 5\n6 12\n4 nan\n10 5\n", r"token 13 .*customer 2 from facility 2"),
        ("2.5 3\n", "whole number"),
        ("0 3\n", "whole number"),
        ("2 3\n9 7\n5 8\n6 0 5\n6 12\n4 4\n10 5\n", r"customer 2 has demand 0"),
        ("2 3\n9 7\n5 8\n6 4 -5\n6 12\n4 4\n10 5\n", r"customer 3 has demand -5"),
        ("2 3\n9 7\n5 -8\n6 4 5\n6 12\n4 4\n10 5\n", r"opening cost of facility 2.*negative"),
    ],
)
def test_broken_files_get_a_clear_error(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "broken.txt"
    path.write_text(text)
    with pytest.raises(SscflpFormatError, match=words):
        read_sscflp(path)


def test_the_command_refuses_a_broken_file_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    path.write_text(TINY.replace("6 4 5", "6 0 5"))
    done = subprocess.run(
        [sys.executable, "-m", "emsplan", "import", "sscflp", str(path), "--out", "x.xlsx"],
        capture_output=True,
        text=True,
        env=subprocess_env() | {"COLUMNS": "250", "NO_COLOR": "1"},
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "customer 2 has demand 0" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["import", "sscflp-x", "FILE", "--out", "x.xlsx"], "Unknown format"),
        (["import", "sscflp", "FILE", "--out", "x.xlsx", "--capacity", "5"], "orlib-cap only"),
    ],
)
def test_the_command_refuses_bad_arguments(tmp_path: Path, args: list[str], words: str) -> None:
    args = [str(tiny_file(tmp_path)) if a == "FILE" else a for a in args]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "250", "NO_COLOR": "1"})
    assert result.exit_code == 2
    assert words in result.output
    assert "Traceback" not in result.output


def test_the_command_writes_a_network_that_plans(tmp_path: Path) -> None:
    out = tmp_path / "tiny.xlsx"
    result = CliRunner().invoke(
        app,
        ["import", "sscflp", str(tiny_file(tmp_path)), "--out", str(out)],
        env={"COLUMNS": "250", "NO_COLOR": "1"},
    )
    assert result.exit_code == 0, result.output
    assert "5 sites, 2 site options, 1 market-source option, 6 lanes" in result.output
    assert emsplan.read(out).equals(read_sscflp(tiny_file(tmp_path)))
    assert emsplan.plan(emsplan.read(out)).objective == pytest.approx(39.0, rel=1e-9)


# -- the Holmberg instances -------------------------------------------------------------
def published_optima() -> dict[str, float]:
    if not FOLDER.is_dir():
        return {}
    with (FOLDER / "optima.csv").open(newline="") as handle:
        return {row["instance"]: float(row["optimum"]) for row in csv.DictReader(handle)}


OPTIMA = published_optima()
HOLMBERG = [f"p{k}" for k in range(1, 13)]


def test_the_holmberg_list_is_the_data_sets() -> None:
    if not OPTIMA:
        pytest.skip(f"the Holmberg SSCFLP instances are not at {FOLDER}")
    assert sorted(OPTIMA) == sorted(HOLMBERG)


@needs_data
def test_a_holmberg_instance_maps_its_numbers_exactly() -> None:
    """p1's numbers in the network: d_j x (c[j][i] / d_j) gives back c[j][i] to 1e-12."""
    values = [float(x) for x in (FOLDER / "p1.txt").read_text().split()]
    m, n = int(values[0]), int(values[1])
    cap, fixed, demand = values[2 : 2 + m], values[2 + m : 2 + 2 * m], values[2 + 2 * m :][:n]
    cost = values[2 + 2 * m + n :]
    net = read_sscflp(FOLDER / "p1.txt")
    sites = net.options[net.options["kind"] == "site"]
    assert sites["capacity"].tolist() == cap
    assert sites["fixed_cost"].tolist() == fixed
    assert net.demand["qty"].tolist() == demand
    qty = net.demand.set_index("market")["qty"]
    lanes = net.lanes
    whole = lanes["cost"] * lanes["destination"].map(qty)
    back = {(f"F{i + 1}", f"C{j + 1}"): cost[j * m + i] for j in range(n) for i in range(m)}
    keys = list(zip(lanes["origin"], lanes["destination"], strict=True))
    assert whole.tolist() == pytest.approx([back[k] for k in keys], rel=1e-12)
    assert len(keys) == m * n == len(set(keys))


@needs_data
@pytest.mark.parametrize("name", HOLMBERG)
def test_instance_reaches_the_published_optimum(name: str) -> None:
    result = emsplan.plan(read_sscflp(FOLDER / f"{name}.txt"))
    assert result.summary["termination_condition"] == "optimal"
    assert result.objective == pytest.approx(OPTIMA[name], rel=1e-4)
