"""The world's countries for the site map: a small TopoJSON decoder, a projection that
fits a longitude/latitude box into the map, and the countries as SVG paths.

The shapes are Natural Earth's 1:110m countries (public domain) as packaged by
world-atlas 2.0.2 (ISC), shipped in ``web/static/maps/countries-110m.json``; see
``LICENSE-world-atlas.txt`` beside it. Nothing is fetched at run time.

TopoJSON in brief (https://github.com/topojson/topojson-specification): a topology holds
shared *arcs* (lines of positions) and *objects* whose polygons are rings of arc
indices. A quantized topology stores each arc's positions as integer deltas: position
``k`` is the running sum of the deltas up to ``k``, scaled and translated by the
topology's ``transform``. A ring joins its arcs end to start (each arc after the first
drops its first position, the last of the one before); an index ``i < 0`` means arc
``~i`` (that is ``-i - 1``) walked backwards.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from emsplan.web.charts.format import GRID, ID, attrs, esc, num

MAP_FILE = Path(__file__).resolve().parent.parent / "static" / "maps" / "countries-110m.json"

Ring = np.ndarray  # (n, 2) float array of longitude, latitude
Polygon = tuple[Ring, ...]  # the outer ring, then its holes


@dataclass(frozen=True, eq=False)
class Country:
    """A country's shape: ``id`` its ISO 3166-1 numeric code (``"356"`` for India; None
    for the few areas without one, such as Kosovo), ``name`` Natural Earth's short name."""

    id: str | None
    name: str
    polygons: tuple[Polygon, ...]

    @functools.cached_property
    def bbox(self) -> tuple[float, float, float, float]:
        """(lon_min, lat_min, lon_max, lat_max)."""
        points = (
            np.concatenate([p[0] for p in self.polygons]) if self.polygons else np.zeros((1, 2))
        )
        low, high = points.min(axis=0), points.max(axis=0)
        return float(low[0]), float(low[1]), float(high[0]), float(high[1])

    def contains(self, lon: float, lat: float) -> bool:
        """Whether the point lies in the country (even-odd rule, so holes are outside)."""
        return any(_inside(polygon, lon, lat) for polygon in self.polygons)


def _inside(polygon: Polygon, lon: float, lat: float) -> bool:
    crossings = 0
    for ring in polygon:
        x, y = ring[:, 0], ring[:, 1]
        x2, y2 = np.roll(x, -1), np.roll(y, -1)
        straddles = (y > lat) != (y2 > lat)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = x + (lat - y) * (x2 - x) / (y2 - y)
        crossings += int(np.count_nonzero(straddles & (lon < at)))
    return crossings % 2 == 1


# -- decoding ----------------------------------------------------------------------------


def decode_arcs(topology: dict[str, Any]) -> list[np.ndarray]:
    """Every arc of ``topology`` as an (n, 2) array of longitude, latitude (positions
    beyond the second coordinate are dropped)."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology.get("arcs", []):
        points = np.array([p[:2] for p in arc], dtype=float).reshape(-1, 2)
        if transform:
            points = np.cumsum(points, axis=0) * np.asarray(transform["scale"], float)
            points = points + np.asarray(transform["translate"], float)
        arcs.append(points)
    return arcs


def ring(indices: Sequence[int], arcs: Sequence[np.ndarray]) -> Ring:
    """The ring made of the arcs ``indices`` (negative: arc ``~i`` reversed)."""
    pieces = []
    for k, i in enumerate(indices):
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        pieces.append(arc if k == 0 else arc[1:])
    return np.concatenate(pieces) if pieces else np.zeros((0, 2))


def polygons(geometry: dict[str, Any], arcs: Sequence[np.ndarray]) -> tuple[Polygon, ...]:
    """The polygons of a Polygon or MultiPolygon geometry (other types have none)."""
    kind, rings = geometry.get("type"), geometry.get("arcs") or []
    if kind == "Polygon":
        return (tuple(ring(r, arcs) for r in rings),)
    if kind == "MultiPolygon":
        return tuple(tuple(ring(r, arcs) for r in polygon) for polygon in rings)
    return ()


def continuous(points: Ring) -> Ring:
    """A ring that crosses the antimeridian (a step of more than 180 degrees of
    longitude, as Russia's, Fiji's) made continuous, most of it within -180..180: in a
    flat projection its jump would otherwise draw a line across the whole world."""
    lon = points[:, 0]
    if len(lon) < 2 or np.abs(np.diff(lon)).max() <= 180:
        return points
    lon = np.unwrap(lon, period=360)
    lon = lon - 360 * np.round(np.median(lon) / 360)
    return np.column_stack([lon, points[:, 1]])


def decode_countries(topology: dict[str, Any], name: str = "countries") -> list[Country]:
    """The countries of the GeometryCollection ``name`` of ``topology`` (rings that cross
    the antimeridian made :func:`continuous`)."""
    arcs = decode_arcs(topology)
    found = []
    for geometry in topology["objects"][name].get("geometries", []):
        shapes = tuple(tuple(continuous(r) for r in p) for p in polygons(geometry, arcs))
        if shapes:
            code = geometry.get("id")
            label = (geometry.get("properties") or {}).get("name") or code or ""
            found.append(Country(None if code is None else str(code), str(label), shapes))
    return found


@functools.cache
def _countries() -> tuple[Country, ...]:
    with MAP_FILE.open(encoding="utf-8") as stream:
        return tuple(decode_countries(json.load(stream)))


def countries() -> list[Country]:
    """The world's countries (read from the bundled file once per process)."""
    return list(_countries())


# -- projection ----------------------------------------------------------------------------


class Projection:
    """Equirectangular with longitude scaled by the cosine of the box's middle latitude:
    a plain, honest projection for a region of a few thousand kilometres.

    The box (``lon_min``, ``lat_min``, ``lon_max``, ``lat_max``) is fitted into the area
    ``width`` x ``height`` whose top left corner is (``x``, ``y``), less ``margin``
    pixels on every side, keeping the aspect ratio and centred; the area around the box
    shows more of the world.
    """

    def __init__(
        self,
        bounds: tuple[float, float, float, float],
        width: float,
        height: float,
        *,
        margin: float = 20.0,
        x: float = 0.0,
        y: float = 0.0,
    ) -> None:
        lon_min, lat_min, lon_max, lat_max = bounds
        self.area = (x, y, width, height)
        self.kx = max(math.cos(math.radians((lat_min + lat_max) / 2)), 0.2)
        span_x = max((lon_max - lon_min) * self.kx, 1e-6)
        span_y = max(lat_max - lat_min, 1e-6)
        inner_w, inner_h = max(width - 2 * margin, 1.0), max(height - 2 * margin, 1.0)
        self.scale = min(inner_w / span_x, inner_h / span_y)
        self.lon0 = (lon_min + lon_max) / 2
        self.lat0 = (lat_min + lat_max) / 2
        self.cx, self.cy = x + width / 2, y + height / 2

    def __call__(self, lon: Any, lat: Any) -> tuple[Any, Any]:
        """SVG coordinates of longitude/latitude (numbers or arrays)."""
        px = self.cx + (np.asarray(lon, float) - self.lon0) * self.kx * self.scale
        py = self.cy - (np.asarray(lat, float) - self.lat0) * self.scale
        if np.ndim(px) == 0:
            return float(px), float(py)
        return px, py

    def invert(self, x: float, y: float) -> tuple[float, float]:
        """Longitude and latitude of an SVG point."""
        lon = self.lon0 + (x - self.cx) / (self.kx * self.scale)
        lat = self.lat0 - (y - self.cy) / self.scale
        return lon, lat

    def visible_bounds(self) -> tuple[float, float, float, float]:
        """The longitude/latitude box the whole area shows."""
        x, y, width, height = self.area
        lon_min, lat_max = self.invert(x, y)
        lon_max, lat_min = self.invert(x + width, y + height)
        return lon_min, lat_min, lon_max, lat_max

    def inside(self, px: float, py: float) -> bool:
        x, y, width, height = self.area
        return x <= px <= x + width and y <= py <= y + height


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def ring_path(points: np.ndarray, projection: Projection) -> str:
    """A closed SVG path of a ring (pixel coordinates to one decimal, repeats dropped)."""
    px, py = projection(points[:, 0], points[:, 1])
    xy = np.round(np.column_stack([px, py]), 1)
    keep = np.ones(len(xy), dtype=bool)
    keep[1:] = np.any(xy[1:] != xy[:-1], axis=1)
    xy = xy[keep]
    if len(xy) < 3:
        return ""
    coords = " ".join(f"{x:.1f} {y:.1f}" for x, y in xy.tolist())
    return f"M{coords}Z"


def country_paths(
    projection: Projection,
    *,
    highlight: Iterable[Country] = (),
    clip_id: str = f"{ID}-clip",
    borders: bool = True,
) -> str:
    """The countries that the projection's area shows, one ``<path class="country">``
    each (with its name as tooltip), clipped to the area; ``highlight`` countries get the
    class ``country-highlight`` and a darker fill."""
    x, y, width, height = projection.area
    view = projection.visible_bounds()
    marked = {id(c) for c in highlight}
    parts = [
        f'<defs><clipPath id="{clip_id}"><rect x="{num(x)}" y="{num(y)}" width="{num(width)}"'
        f' height="{num(height)}"/></clipPath></defs>'
        f'<g class="countries" clip-path="url(#{clip_id})">'
        f'<rect class="ocean" x="{num(x)}" y="{num(y)}" width="{num(width)}"'
        f' height="{num(height)}" fill="#f2f6f9"/>'
    ]
    edge = "#ffffff" if borders else "none"
    for country in countries():
        if not _overlaps(country.bbox, view):
            continue
        rings = [
            ring_path(r, projection)
            for polygon in country.polygons
            if _overlaps(_bbox(polygon[0]), view)
            for r in polygon
        ]
        d = "".join(r for r in rings if r)
        if not d:
            continue
        lit = id(country) in marked
        css = "country country-highlight" if lit else "country"
        parts.append(
            f"<path{attrs({'class': css, 'data-id': country.id, 'data-name': country.name})}"
            f' d="{d}" fill="{"#d0d0d0" if lit else "#e4e4e4"}" stroke="{edge}"'
            f' stroke-width="0.6" fill-rule="evenodd"><title>{esc(country.name)}</title></path>'
        )
    parts.append(
        f'</g><rect class="map-frame" x="{num(x)}" y="{num(y)}" width="{num(width)}"'
        f' height="{num(height)}" fill="none" stroke="{GRID}"/>'
    )
    return "".join(parts)


def _bbox(points: np.ndarray) -> tuple[float, float, float, float]:
    low, high = points.min(axis=0), points.max(axis=0)
    return float(low[0]), float(low[1]), float(high[0]), float(high[1])


def countries_at(points: Iterable[tuple[float, float]]) -> list[Country]:
    """The countries that hold any of the (lon, lat) points."""
    todo = list(points)
    found = []
    for country in countries():
        lon_min, lat_min, lon_max, lat_max = country.bbox
        near = [
            (lo, la) for lo, la in todo if lon_min <= lo <= lon_max and lat_min <= la <= lat_max
        ]
        if any(country.contains(lo, la) for lo, la in near):
            found.append(country)
    return found
