"""The server-side SVG charts (emsplan.web.charts): every output is well-formed XML with
an accessible root, and what is drawn measures what was given.

Each test parses the SVG with xml.etree and checks geometry, not strings: marker counts
and radii, positions inside the viewBox and inside India, Sankey band widths that
conserve flow, bar heights proportional to values, one point per period, histogram
counts; and a TopoJSON fragment decoded to coordinates computed by hand.
"""

from __future__ import annotations

import ast
import math
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import emsplan
from conftest import SRC
from emsplan.web import charts
from emsplan.web.charts import geo
from emsplan.web.charts.format import compact, group_digits, nice_ticks, tick_formatter
from emsplan.web.charts.lines import merged_order

SVG = "{http://www.w3.org/2000/svg}"
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")


# -- helpers -----------------------------------------------------------------------------


def parse(svg: str) -> ET.Element:
    """The SVG's root, after checking what every chart's root must carry."""
    root = ET.fromstring(svg)  # raises on malformed XML
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert re.fullmatch(r"0 0 \d+(\.\d+)? \d+(\.\d+)?", root.get("viewBox", ""))
    ids = {e.get("id"): e for e in root.iter() if e.get("id")}
    labels = root.get("aria-labelledby", "").split()
    assert len(labels) == 2
    assert ids[labels[0]].tag == f"{SVG}title" and ids[labels[0]].text
    assert ids[labels[1]].tag == f"{SVG}desc" and ids[labels[1]].text
    return root


def marks(root: ET.Element, testid: str) -> list[ET.Element]:
    return [e for e in root.iter() if e.get("data-testid") == testid]


def title_of(element: ET.Element) -> str:
    found = element.find(f"{SVG}title")
    assert found is not None and found.text
    return found.text


def view_box(root: ET.Element) -> tuple[float, float]:
    _, _, width, height = (float(v) for v in root.get("viewBox", "").split())
    return width, height


def numbers(d: str) -> list[float]:
    return [float(v) for v in NUMBER.findall(d)]


def path_bbox(d: str) -> tuple[float, float, float, float]:
    values = numbers(d)
    xs, ys = values[0::2], values[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def f(element: ET.Element, name: str) -> float:
    return float(element.get(name, "nan"))


@pytest.fixture(scope="module")
def example() -> emsplan.Network:
    return emsplan.examples.load("india-2023")


@pytest.fixture(scope="module")
def example_flows(example: emsplan.Network) -> pd.DataFrame:
    """The example's lanes as flows, with a quantity that grows along the table."""
    lanes = example.tables["lanes"][["origin", "destination"]].astype(str)
    return lanes.assign(qty=1000.0 * (1 + np.arange(len(lanes))))


# -- geography -----------------------------------------------------------------------------


def test_a_topojson_fragment_decodes_to_hand_computed_coordinates() -> None:
    """transform: lon = 10 + 0.5 x, lat = 20 + 0.25 y; arcs are delta-encoded.

    arc 0, deltas (0,0) (2,0) (0,4)  -> x,y (0,0) (2,0) (2,4)  -> (10,20) (11,20) (11,21)
    arc 1, deltas (2,4) (-2,0) (0,-4) -> x,y (2,4) (0,4) (0,0) -> (11,21) (10,21) (10,20)
    arc 2, deltas (8,8) (2,0) (0,4) (-2,-4) -> (14,22) (15,22) (15,23) (14,22)

    "Square" = arcs [0, 1]: arc 0 then arc 1 without its first position:
        (10,20) (11,20) (11,21) (10,21) (10,20)
    "Reversed" = arcs [-2, -1]: arc 1 backwards, then arc 0 backwards without its first:
        (10,20) (10,21) (11,21) (11,20) (10,20)
    "Two" = MultiPolygon of the square and arc 2's triangle; no id.
    """
    topology = {
        "type": "Topology",
        "transform": {"scale": [0.5, 0.25], "translate": [10, 20]},
        "arcs": [
            [[0, 0], [2, 0], [0, 4]],
            [[2, 4], [-2, 0], [0, -4]],
            [[8, 8], [2, 0], [0, 4], [-2, -4]],
        ],
        "objects": {
            "countries": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0, 1]], "id": "001",
                     "properties": {"name": "Square"}},
                    {"type": "Polygon", "arcs": [[-2, -1]], "id": "002",
                     "properties": {"name": "Reversed"}},
                    {"type": "MultiPolygon", "arcs": [[[0, 1]], [[2]]],
                     "properties": {"name": "Two"}},
                    {"type": None, "id": "003", "properties": {"name": "Nothing"}},
                ],
            }
        },
    }  # fmt: skip
    square, backwards, two = geo.decode_countries(topology)
    assert (square.id, square.name, backwards.id, two.id, two.name) == (
        "001", "Square", "002", None, "Two",
    )  # fmt: skip
    np.testing.assert_allclose(
        square.polygons[0][0], [[10, 20], [11, 20], [11, 21], [10, 21], [10, 20]]
    )
    np.testing.assert_allclose(
        backwards.polygons[0][0], [[10, 20], [10, 21], [11, 21], [11, 20], [10, 20]]
    )
    assert len(two.polygons) == 2
    np.testing.assert_allclose(two.polygons[1][0], [[14, 22], [15, 22], [15, 23], [14, 22]])
    assert two.bbox == (10.0, 20.0, 15.0, 23.0)
    assert square.contains(10.5, 20.5) and not square.contains(12, 20.5)


def test_untransformed_arcs_are_absolute_positions() -> None:
    topology = {"arcs": [[[1.5, 2.5], [3.0, 4.0]]]}
    np.testing.assert_allclose(geo.decode_arcs(topology)[0], [[1.5, 2.5], [3.0, 4.0]])


def test_the_bundled_world_has_the_countries_of_the_example() -> None:
    world = geo.countries()
    assert len(world) == 177
    by_name = {c.name: c for c in world}
    assert by_name["India"].id == "356"
    for name in (
        "China",
        "Vietnam",
        "South Korea",
        "Taiwan",
        "United Arab Emirates",
        "United Kingdom",
    ):
        assert name in by_name
    assert geo.countries()[0] is world[0]  # read once
    assert by_name["India"].contains(77.2, 28.6)  # Delhi
    assert not by_name["India"].contains(80.0, 5.0)  # the sea south of Sri Lanka
    # rings crossing the antimeridian are continuous (no step of 180 degrees or more)
    for country in (by_name["Russia"], by_name["Fiji"]):
        for polygon in country.polygons:
            assert np.abs(np.diff(polygon[0][:, 0])).max() < 180


def test_delhi_projects_inside_indias_path() -> None:
    projection = geo.Projection((68.0, 6.0, 98.0, 36.0), 600, 500, margin=20)
    svg = geo.country_paths(projection, clip_id="t-clip")
    root = ET.fromstring(f'<svg xmlns="http://www.w3.org/2000/svg">{svg}</svg>')
    paths = {p.get("data-name"): p for p in root.iter(f"{SVG}path")}
    x0, y0, x1, y1 = path_bbox(paths["India"].get("d", ""))
    x, y = projection(77.2, 28.6)
    assert x0 < x < x1 and y0 < y < y1
    assert paths["India"].get("data-id") == "356"
    assert "Brazil" not in paths  # only the countries the view shows
    # the projection keeps the aspect ratio: a degree of latitude is 1/cos(21°) of longitude
    (ax, ay), (bx, by) = projection(70.0, 10.0), projection(71.0, 11.0)
    assert (ay - by) / (bx - ax) == pytest.approx(1 / math.cos(math.radians(21.0)))
    assert projection.invert(*projection(77.2, 28.6)) == pytest.approx((77.2, 28.6))


# -- the map ---------------------------------------------------------------------------------


def test_the_example_map(example: emsplan.Network) -> None:
    sites = example.tables["sites"]
    root = parse(charts.site_map(sites))
    markers = marks(root, "site-marker")
    placed = sites.dropna(subset=["lat", "lon"])
    assert len(markers) == len(placed) == 29  # SG-DIST, the parts distributor, is the 29th
    assert root.get("data-testid") == "map-svg" and root.get("data-count") == "29"
    assert {m.get("data-site") for m in markers} == set(placed["site"])
    assert "MKT-ONLINE" not in {m.get("data-site") for m in markers}
    note = marks(root, "map-note")[0].text or ""
    assert note == "1 site has no coordinates: MKT-ONLINE"
    kinds = dict(zip(sites["site"], sites["kind"], strict=True))
    partners = dict(zip(sites["site"], sites["partner"], strict=True))
    width, height = view_box(root)
    for m in markers:
        site = m.get("data-site", "")
        assert m.get("data-kind") == kinds[site]
        assert f"site-{kinds[site]}" in m.get("class", "").split()
        assert title_of(m).startswith(f"{site} ({kinds[site]}, {partners[site]})")
        cx, cy, r = f(m, "cx"), f(m, "cy"), f(m, "r")
        assert r <= cx <= width - r and r <= cy <= height - r
    shown = {p.get("data-name") for p in root.iter(f"{SVG}path") if "country" in p.get("class", "")}
    assert {"India", "United Arab Emirates", "United Kingdom", "China", "Vietnam"} <= shown
    assert {"South Korea", "Taiwan"} <= shown
    # the countries that hold sites are highlighted
    lit = {
        p.get("data-name")
        for p in root.iter(f"{SVG}path")
        if "country-highlight" in p.get("class", "")
    }
    assert lit == {
        "India",
        "China",
        "Vietnam",
        "South Korea",
        "Taiwan",
        "United Arab Emirates",
        "United Kingdom",
        # SG-DIST in Singapore: the map's coarse shapes have no Singapore, and its point lies
        # inside the drawn Malay peninsula, so Malaysia is the country shown
        "Malaysia",
    }
    # Delhi's market lies inside India's outline
    india = next(p for p in root.iter(f"{SVG}path") if p.get("data-name") == "India")
    x0, y0, x1, y1 = path_bbox(india.get("d", ""))
    delhi = next(m for m in markers if m.get("data-site") == "MKT-NORTH")
    assert x0 < f(delhi, "cx") < x1 and y0 < f(delhi, "cy") < y1


def test_a_larger_volume_has_a_larger_circle(example: emsplan.Network) -> None:
    sites = example.tables["sites"]
    volumes = pd.Series({"EMS-A-NOIDA": 900_000.0, "EMS-B-SPR": 400_000.0, "EMS-C-NOIDA": 100.0})
    root = parse(charts.site_map(sites, volumes=volumes, min_radius=4, max_radius=18))
    r = {m.get("data-site"): f(m, "r") for m in marks(root, "site-marker")}
    assert r["EMS-A-NOIDA"] > r["EMS-B-SPR"] > r["EMS-C-NOIDA"] >= 4
    assert r["EMS-A-NOIDA"] == pytest.approx(18)
    # area above the smallest circle's is proportional to the volume (sqrt scale)
    extra = {s: r[s] ** 2 - 4**2 for s in volumes.index}
    assert extra["EMS-B-SPR"] / extra["EMS-A-NOIDA"] == pytest.approx(4 / 9, rel=1e-3)
    tip = title_of(
        next(m for m in marks(root, "site-marker") if m.get("data-site") == "EMS-A-NOIDA")
    )
    assert tip == "EMS-A-NOIDA (plant, EMS-A): 900,000 units"


def test_flows_are_summed_per_pair_drawn_under_the_markers_and_skip_unplaced_ends(
    example: emsplan.Network, example_flows: pd.DataFrame
) -> None:
    sites = example.tables["sites"]
    extra = pd.DataFrame(
        {
            "origin": ["IN-NOI-ACC", "DC-NORTH", "DC-NORTH", "CN-SZ"],
            "destination": ["EMS-A-NOIDA", "MKT-ONLINE", "MKT-NORTH", "EMS-A-NOIDA"],
            "qty": [5.0, 100.0, 0.0, -3.0],
        }
    )
    flows = pd.concat([example_flows, extra], ignore_index=True)
    root = parse(charts.site_map(sites, flows))
    lines = marks(root, "flow-line")
    pairs = example_flows.groupby(["origin", "destination"])["qty"].sum()
    placed = set(sites.dropna(subset=["lat", "lon"])["site"])
    expected = {p for p in pairs.index if p[0] in placed and p[1] in placed}
    drawn = {(e.get("data-origin"), e.get("data-destination")) for e in lines}
    assert drawn == expected and len(lines) == len(expected)
    assert root.get("data-flows") == str(len(lines))
    acc = next(
        e
        for e in lines
        if e.get("data-origin") == "IN-NOI-ACC" and e.get("data-destination") == "EMS-A-NOIDA"
    )
    total = pairs[("IN-NOI-ACC", "EMS-A-NOIDA")] + 5
    assert float(acc.get("data-qty", "")) == total
    assert title_of(acc) == f"IN-NOI-ACC → EMS-A-NOIDA: {total:,.0f} units"
    # stroke width grows with quantity
    by_qty = sorted(lines, key=lambda e: float(e.get("data-qty", "")))
    widths = [f(e, "stroke-width") for e in by_qty]
    assert widths == sorted(widths) and widths[0] < widths[-1]
    # every flow comes before every marker in document order (drawn beneath them)
    order = [
        e.get("data-testid")
        for e in root.iter()
        if e.get("data-testid") in ("flow-line", "site-marker")
    ]
    assert order.index("site-marker") == len(lines)
    # volumes default to the throughput: the busiest site has the largest circle
    markers = {m.get("data-site"): f(m, "r") for m in marks(root, "site-marker")}
    through = (
        pd.concat(
            [
                flows[flows.qty > 0].groupby("origin")["qty"].sum(),
                flows[flows.qty > 0].groupby("destination")["qty"].sum(),
            ],
            axis=1,
        )
        .fillna(0)
        .max(axis=1)
    )
    busiest = through[through.index.isin(placed)].idxmax()
    assert max(markers, key=lambda s: markers[s]) == busiest


def test_a_map_of_changes_colours_lines_by_sign(example: emsplan.Network) -> None:
    """The compare page's lanes that changed: qty is the size, change the signed change."""
    changes = pd.DataFrame(
        {
            "origin": ["CN-SZ", "IN-BLR-PCB", "DC-NORTH"],
            "destination": ["EMS-A-NOIDA", "EMS-A-NOIDA", "MKT-ONLINE"],
            "change": [-4000.0, 2500.0, 10.0],
        }
    ).assign(qty=lambda d: d["change"].abs())
    root = parse(charts.site_map(example.tables["sites"], changes))
    lines = {e.get("data-origin"): e for e in marks(root, "flow-line")}
    assert set(lines) == {"CN-SZ", "IN-BLR-PCB"}  # MKT-ONLINE has no coordinates
    assert lines["CN-SZ"].get("stroke") != lines["IN-BLR-PCB"].get("stroke")
    assert title_of(lines["CN-SZ"]) == "CN-SZ → EMS-A-NOIDA: 4,000 units (-4,000 units)"
    legend = [t.text for g in marks(root, "legend-item") for t in g.iter(f"{SVG}text")]
    assert "more than before" in legend and "less than before" in legend


def test_a_map_of_sites_in_one_city_still_shows_a_region() -> None:
    sites = pd.DataFrame(
        {
            "site": ["A", "B"],
            "kind": ["plant", "supplier"],
            "lat": [28.5, 28.5],
            "lon": [77.3, 77.3],
        }
    )
    root = parse(charts.site_map(sites))
    assert len(marks(root, "site-marker")) == 2
    names = {p.get("data-name") for p in root.iter(f"{SVG}path")}
    assert "India" in names


# -- Sankey -----------------------------------------------------------------------------------


def sankey_parts(root: ET.Element) -> tuple[dict[str, ET.Element], list[ET.Element]]:
    nodes = {n.get("data-node", ""): n for n in marks(root, "sankey-node")}
    return nodes, marks(root, "sankey-link")


def test_sankey_nodes_are_as_high_as_their_throughput_and_bands_conserve_flow() -> None:
    """a -> b 10, e -> b 5, b -> c 6, b -> d 9: b takes in 15 and sends out 15."""
    links = pd.DataFrame(
        {
            "source": ["a", "e", "b", "b", "b", "c", "x"],
            "target": ["b", "b", "c", "d", "d", "a", "x"],
            "value": [10.0, 5.0, 6.0, 4.0, 5.0, 0.0, 3.0],  # b -> d summed; zero, self dropped
        }
    )
    root = parse(charts.sankey(links, unit="units"))
    nodes, bands = sankey_parts(root)
    assert root.get("data-links") == "4" and len(bands) == 4
    assert {(b.get("data-source"), b.get("data-target")) for b in bands} == {
        ("a", "b"), ("e", "b"), ("b", "c"), ("b", "d"),
    }  # fmt: skip
    assert set(nodes) == {"a", "b", "c", "d", "e"}
    value = {"a": 10, "e": 5, "b": 15, "c": 6, "d": 9}
    ky = f(nodes["b"], "height") / 15
    for name, n in nodes.items():
        assert f(n, "height") == pytest.approx(ky * value[name], rel=1e-3)
    width = {(b.get("data-source"), b.get("data-target")): f(b, "stroke-width") for b in bands}
    into = width[("a", "b")] + width[("e", "b")]
    out = width[("b", "c")] + width[("b", "d")]
    assert into == pytest.approx(out, rel=1e-3) == pytest.approx(f(nodes["b"], "height"), rel=1e-3)
    assert width[("b", "d")] == pytest.approx(ky * 9, rel=1e-3)
    # columns: sources left, b in the middle, sinks right; labels of the last column on the left
    x = {name: f(n, "x") for name, n in nodes.items()}
    assert x["a"] == x["e"] < x["b"] < x["c"] == x["d"]
    labels = {t.text: t for t in root.iter(f"{SVG}text") if "node-label" in t.get("class", "")}
    assert labels["c"].get("text-anchor") == "end" and f(labels["c"], "x") < x["c"]
    assert labels["a"].get("text-anchor") == "start" and f(labels["a"], "x") > x["a"]
    # each band starts on its source's right edge and ends on its target's left edge,
    # within the nodes' heights
    node_width = f(nodes["a"], "width")
    for b in bands:
        x0, y0, *_, x1, y1 = numbers(b.get("d", ""))
        s, t = nodes[b.get("data-source", "")], nodes[b.get("data-target", "")]
        assert x0 == pytest.approx(f(s, "x") + node_width) and x1 == pytest.approx(f(t, "x"))
        assert f(s, "y") <= y0 <= f(s, "y") + f(s, "height")
        assert f(t, "y") <= y1 <= f(t, "y") + f(t, "height")
    tip = title_of(next(b for b in bands if b.get("data-target") == "d"))
    assert tip == "b → d: 9 units"


def test_sankey_columns_groups_and_band_order() -> None:
    links = pd.DataFrame(
        {
            "source": ["s1", "s2", "s1", "p"],
            "target": ["p", "p", "q", "m"],
            "value": [4.0, 2.0, 1.0, 6.0],
            "group": ["local", "imported", "local", None],
        }
    )
    root = parse(charts.sankey(links, columns={"s1": 0, "s2": 0, "p": 1, "q": 1, "m": 2}))
    nodes, bands = sankey_parts(root)
    assert {n: int(e.get("data-column", "")) for n, e in nodes.items()} == {
        "s1": 0, "s2": 0, "p": 1, "q": 1, "m": 2,
    }  # fmt: skip
    colours = {b.get("data-group"): b.get("stroke") for b in bands}
    assert colours["local"] != colours["imported"]
    legend = [t.text for g in marks(root, "legend-item") for t in g.iter(f"{SVG}text")]
    assert legend == ["local", "imported"]
    # bands leaving s1 are stacked in the order of their targets' heights
    ys = {
        b.get("data-target"): numbers(b.get("d", ""))[1]
        for b in bands
        if b.get("data-source") == "s1"
    }
    targets = sorted(("p", "q"), key=lambda n: f(nodes[n], "y"))
    assert ys[targets[0]] < ys[targets[1]]


def test_sankey_of_a_cycle_does_not_hang_or_raise() -> None:
    links = pd.DataFrame({"source": ["a", "b", "c"], "target": ["b", "c", "a"], "value": [1, 2, 3]})
    root = parse(charts.sankey(links))
    assert len(marks(root, "sankey-link")) == 3


# -- bars ----------------------------------------------------------------------------------------


def test_stacked_bars_heights_are_proportional_and_negatives_hang_below_zero() -> None:
    frame = pd.DataFrame(
        {"purchases": [300.0, 500.0], "freight": [100.0, 0.0], "incentives": [-50.0, -120.0]},
        index=["2024-Q1", "2024-Q2"],
    )
    root = parse(charts.stacked_bars(frame, unit="INR", title="Cost"))
    bars = marks(root, "bar")
    assert len(bars) == 5  # the zero freight of Q2 draws nothing
    zero = f(marks(root, "zero-line")[0], "y1")
    scale = {f(b, "height") / abs(float(b.get("data-value", ""))) for b in bars}
    assert max(scale) == pytest.approx(min(scale), rel=1e-4)
    for b in bars:
        top, bottom = f(b, "y"), f(b, "y") + f(b, "height")
        if float(b.get("data-value", "")) < 0:
            assert top == pytest.approx(zero, abs=0.01) and bottom > zero
        else:
            assert bottom <= zero + 0.01
    # the stack of Q1: purchases from zero up, freight on top of it
    q1 = {b.get("data-series"): b for b in bars if b.get("data-category") == "2024-Q1"}
    assert f(q1["purchases"], "y") + f(q1["purchases"], "height") == pytest.approx(zero, abs=0.01)
    assert f(q1["freight"], "y") + f(q1["freight"], "height") == pytest.approx(
        f(q1["purchases"], "y"), abs=0.01
    )
    assert title_of(q1["incentives"]) == "2024-Q1 · incentives: -50 INR"
    legend = [t.text for g in marks(root, "legend-item") for t in g.iter(f"{SVG}text")]
    assert legend == ["purchases", "freight", "incentives"]


def test_grouped_bars_compare_plans() -> None:
    frame = pd.DataFrame(
        {
            "base": [2.0e9, 3.0e7, -1.0e7],
            "cn-plus-20": [2.2e9, 2.5e7, -1.5e7],
            "note": ["a", "b", "c"],
        },
        index=["purchases", "duty", "incentives"],
    )
    root = parse(charts.bar_compare(frame, unit="INR"))
    bars = marks(root, "bar")
    assert len(bars) == 6 and {b.get("data-series") for b in bars} == {"base", "cn-plus-20"}
    scale = {f(b, "height") / abs(float(b.get("data-value", ""))) for b in bars}
    assert max(scale) == pytest.approx(min(scale), rel=1e-3)
    own = parse(charts.bar_compare(frame, scale="per_category"))
    tallest: dict[str, float] = {}
    for b in marks(own, "bar"):
        category = b.get("data-category", "")
        tallest[category] = max(tallest.get(category, 0.0), f(b, "height"))
    assert tallest["duty"] == pytest.approx(tallest["purchases"], rel=1e-3)


def test_axis_ticks_and_numbers() -> None:
    assert nice_ticks(0, 3.37e9) == [0, 5e8, 1e9, 1.5e9, 2e9, 2.5e9, 3e9, 3.5e9]
    assert nice_ticks(-0.05, 0.16) == pytest.approx([-0.05, 0, 0.05, 0.1, 0.15, 0.2])
    flat = nice_ticks(7, 7)
    assert len(flat) >= 3 and flat[0] < 7 < flat[-1]
    label = tick_formatter([0, 5e8, 1e9, 1.5e9])
    assert [label(t) for t in (0, 5e8, 1e9)] == ["0", "0.5bn", "1.0bn"]
    assert tick_formatter([0, 0.05, 0.1], percent=True)(0.05) == "5%"
    assert tick_formatter([0, 1e7, 2e7], style="indian")(2e7) == "2 Cr"
    assert group_digits(2395464000) == "2,395,464,000"
    assert group_digits(2395464000, "indian") == "2,39,54,64,000"
    assert compact(1_234_567) == "1.23M" and compact(-120_000) == "-120k"
    assert compact(35_000_000, style="indian") == "3.5 Cr"


# -- lines and histograms -------------------------------------------------------------------


def test_a_line_chart_has_one_point_per_period_per_series_and_its_target() -> None:
    periods = ["2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1"]
    series = {
        "network": pd.Series([0.11, 0.12, 0.13, 0.15], index=periods),
        "EMS-A": pd.Series([0.2, 0.1], index=periods[2:]),
    }
    target = pd.Series([0.10, 0.10, 0.12, 0.15], index=periods)
    root = parse(charts.line_chart(series, target=target, percent=True, title="Local share"))
    points = marks(root, "point")
    assert len(points) == 6 and root.get("data-points") == "6"
    assert [p.get("data-x") for p in points if p.get("data-series") == "network"] == periods
    xs = {p.get("data-x"): f(p, "cx") for p in points}
    assert [xs[p] for p in periods] == sorted(xs[p] for p in periods)
    target_line = marks(root, "target-line")
    assert len(target_line) == 1 and target_line[0].get("class") == "target"
    assert target_line[0].get("stroke-dasharray")
    legend = [t.text for g in marks(root, "legend-item") for t in g.iter(f"{SVG}text")]
    assert legend == ["network", "EMS-A", "Target"]
    ticks = [t.text or "" for t in root.iter(f"{SVG}text") if t.get("class") == "tick"]
    assert any(t.endswith("%") for t in ticks)
    assert title_of(points[0]) == "network · 2023-Q2: 11.0%"
    # a higher value is drawn higher
    network = [p for p in points if p.get("data-series") == "network"]
    assert f(network[-1], "cy") < f(network[0], "cy")


def test_the_x_axis_merges_the_series_orders() -> None:
    assert merged_order([["Q2", "Q3"], ["Q1", "Q2"]]) == ["Q1", "Q2", "Q3"]
    assert merged_order([["b", "a"], ["a", "b"]]) == ["b", "a"]  # disagreement: first seen
    root = parse(
        charts.line_chart(
            {"a": pd.Series([1.0, 2.0], index=["Q2", "Q3"]), "b": pd.Series([3.0], index=["Q1"])}
        )
    )
    xs = sorted(marks(root, "point"), key=lambda p: f(p, "cx"))
    assert [p.get("data-x") for p in xs] == ["Q2", "Q3", "Q1"]  # nothing orders Q1 and Q2


def test_histogram_bins_hold_every_value_and_mark_the_quantiles() -> None:
    rng = np.random.default_rng(7)
    values = [*rng.normal(100.0, 10.0, 250).tolist(), float("nan"), float("inf")]
    root = parse(charts.histogram(values, bins=12, unit="INR", title="Total cost"))
    bins = marks(root, "bin")
    assert len(bins) == 12
    assert (
        sum(int(b.get("data-count", "")) for b in bins) == 250 == int(root.get("data-values", ""))
    )
    quantiles = {
        q.get("data-label"): float(q.get("data-value", "")) for q in marks(root, "quantile")
    }
    finite = np.asarray(values[:250])
    assert quantiles == pytest.approx({f"P{p}": np.percentile(finite, p) for p in (5, 50, 95)})
    # bar heights are proportional to the counts
    scale = {
        f(b, "height") / int(b.get("data-count", "")) for b in bins if int(b.get("data-count", ""))
    }
    assert max(scale) == pytest.approx(min(scale), rel=1e-3)
    given = parse(charts.histogram([1, 2, 3], quantiles={"P50": 2.0, "P95": 9.0}))
    assert sorted(q.get("data-label", "") for q in marks(given, "quantile")) == ["P50", "P95"]
    none = parse(charts.histogram([1, 2, 3], quantiles={}))
    assert marks(none, "quantile") == []
    same = parse(charts.histogram([5.0, 5.0, 5.0], bins=4))
    assert sum(int(b.get("data-count", "")) for b in marks(same, "bin")) == 3


# -- every chart ---------------------------------------------------------------------------------


def test_empty_inputs_draw_no_data() -> None:
    empty = pd.DataFrame()
    outputs = {
        "map": charts.site_map(empty),
        "map-none": charts.site_map(None),  # type: ignore[arg-type]
        "map-no-coordinates": charts.site_map(pd.DataFrame({"site": ["A"], "kind": ["plant"]})),
        "sankey": charts.sankey(empty),
        "sankey-zero": charts.sankey(
            pd.DataFrame({"source": ["a"], "target": ["b"], "value": [0]})
        ),
        "bars": charts.stacked_bars(empty),
        "bars-text": charts.stacked_bars(pd.DataFrame({"a": ["x", "y"]})),
        "compare": charts.bar_compare(empty),
        "lines": charts.line_chart({}),
        "lines-nan": charts.line_chart({"a": pd.Series([np.nan])}),
        "histogram": charts.histogram([]),
        "histogram-nan": charts.histogram([float("nan")]),
    }
    for name, svg in outputs.items():
        root = parse(svg)
        assert root.get("data-empty") == "true", name
        assert (marks(root, "chart-empty")[0].text or "").startswith("No data"), name
    assert parse(outputs["map"]).get("data-count") == "0"
    assert parse(outputs["sankey"]).get("data-links") == "0"
    assert "1 site has no coordinates: A" in (
        marks(parse(outputs["map-no-coordinates"]), "chart-empty")[0].text or ""
    )


def test_text_is_escaped() -> None:
    nasty = "A<b> & \"c\" 'd'\x01"
    shown = "A<b> & \"c\" 'd'"
    sites = pd.DataFrame(
        {"site": [nasty, "B"], "kind": ["plant", "market"], "partner": ["<p&q>", None],
         "lat": [28.6, 19.1], "lon": [77.2, 72.9]}
    )  # fmt: skip
    flows = pd.DataFrame({"origin": [nasty], "destination": ["B"], "qty": [5.0]})
    outputs = [
        charts.site_map(sites, flows, title=nasty),
        charts.sankey(
            pd.DataFrame({"source": [nasty], "target": ["B"], "value": [1.0]}),
            unit="<u>",
            title=nasty,
        ),
        charts.stacked_bars(pd.DataFrame({nasty: [1.0]}, index=[nasty]), unit="&", title=nasty),
        charts.bar_compare(pd.DataFrame({nasty: [1.0]}, index=[nasty]), title=nasty),
        charts.line_chart({nasty: pd.Series([1.0], index=[nasty])}, title=nasty),
        charts.histogram([1.0, 2.0], quantiles={nasty: 1.5}, title=nasty),
    ]
    for svg in outputs:
        root = parse(svg)
        assert "<b>" not in svg
        texts = [e.text for e in root.iter() if e.text] + [
            v for e in root.iter() for v in e.attrib.values()
        ]
        assert any(shown in t for t in texts)
        assert root.find(f"{SVG}title").text == shown  # type: ignore[union-attr]
    map_root = parse(outputs[0])
    marker = next(m for m in marks(map_root, "site-marker") if m.get("data-kind") == "plant")
    assert marker.get("data-site") == shown
    assert title_of(marker).startswith(f"{shown} (plant, <p&q>)")


def all_charts(example: emsplan.Network, flows: pd.DataFrame) -> Iterator[str]:
    sites = example.tables["sites"]
    yield charts.site_map(sites, flows)
    yield charts.sankey(
        flows.rename(columns={"origin": "source", "destination": "target", "qty": "value"})
    )
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [-1.0, 3.0]}, index=["p1", "p2"])
    yield charts.stacked_bars(frame)
    yield charts.bar_compare(frame)
    yield charts.line_chart({"a": frame["a"]}, target=frame["b"])
    yield charts.histogram([1.0, 2.0, 2.5])


def test_charts_are_offline_accessible_and_have_their_own_ids(
    example: emsplan.Network, example_flows: pd.DataFrame
) -> None:
    outputs = list(all_charts(example, example_flows))
    ids = []
    for svg in outputs:
        root = parse(svg)
        ids.append(root.get("id"))
        # nothing loaded from elsewhere, no inline style a strict CSP would refuse
        assert not re.search(r"(href|src)=|url\((?!#)|@import|<script|<style|\sstyle=", svg)
        assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
        # every mark has a tooltip
        for testid in (
            "site-marker",
            "flow-line",
            "sankey-link",
            "sankey-node",
            "bar",
            "point",
            "bin",
        ):
            for mark in marks(root, testid):
                assert title_of(mark)
    assert len(set(ids)) == len(ids)
    assert charts.stacked_bars(pd.DataFrame({"a": [1.0]})) == charts.stacked_bars(
        pd.DataFrame({"a": [1.0]})
    )
    assert 'id="mine"' in charts.histogram([1.0], chart_id="mine")


def test_the_charts_import_nothing_of_the_web_layer_but_themselves() -> None:
    """charts/ may use the standard library, numpy, pandas, emsplan.core and itself (its
    ``__main__`` also the example and the planner, to draw them)."""
    allowed_roots = {"numpy", "pandas", "__future__"}
    folder = SRC / "emsplan" / "web" / "charts"
    for path in folder.glob("*.py"):
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                root = name.split(".")[0]
                if root == "emsplan":
                    ok = name.startswith(("emsplan.core", "emsplan.web.charts"))
                    drawing = ("emsplan.data", "emsplan.planning", "emsplan.web")
                    ok = ok or (path.name == "__main__.py" and name in drawing)
                    assert ok, f"{path.name} imports {name}"
                else:
                    assert root in allowed_roots or root in sys.stdlib_module_names, (
                        f"{path.name}: {name}"
                    )
