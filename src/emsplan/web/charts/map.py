"""The network map: sites as circles (colour by kind, area by volume) over the world's
countries, and flows as curved lines (width by quantity) beneath them."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from emsplan.web.charts.format import (
    ID,
    MUTED,
    PALETTE,
    TEXT,
    LegendEntry,
    attrs,
    css_token,
    document,
    empty_chart,
    esc,
    format_value,
    heading,
    legend,
    num,
    plural,
)
from emsplan.web.charts.geo import Projection, countries_at, country_paths

#: Colour of each kind of site (Okabe-Ito); other kinds take the next palette colours.
KIND_COLOURS = {
    "supplier": "#E69F00",  # orange
    "plant": "#0072B2",  # blue
    "warehouse": "#009E73",  # bluish green
    "market": "#D55E00",  # vermillion
}
FLOW_COLOUR = "#4b5d6e"
CHANGE_COLOURS = {"more": "#0072B2", "less": "#D55E00"}
MIN_SPAN = 24.0  # degrees: the smallest box the map shows (one site, or a city's sites)
NOTE_NAMES = 8  # sites named in the note of sites without coordinates


def site_map(
    sites: pd.DataFrame,
    flows: pd.DataFrame | None = None,
    volumes: pd.Series | None = None,
    *,
    width: int = 960,
    height: int = 600,
    title: str = "Network map",
    unit: str = "units",
    min_radius: float = 4.0,
    max_radius: float = 18.0,
    max_flow_width: float = 9.0,
    borders: bool = True,
    show_title: bool = True,
    chart_id: str | None = None,
) -> str:
    """The sites with coordinates on a map fitted to them, and the flows between them.

    Parameters
    ----------
    sites : columns ``site``, ``kind`` (supplier, plant, warehouse, market), ``lat``,
        ``lon`` (degrees) and optionally ``partner``; rows without coordinates are not
        drawn but named in a note under the map.
    flows : columns ``origin``, ``destination``, ``qty``, summed per pair; a line's width
        grows linearly with its quantity (``max_flow_width`` for the largest). With a
        column ``change`` (signed), lines are coloured by its sign (more / less).
        Pairs with an end off the map are skipped.
    volumes : units per site; a circle's *area* grows with it (radius
        sqrt(min_radius² + (max_radius² - min_radius²) · v / v_max)), so a larger volume
        always has a larger circle and no circle is too small to see. By default the
        throughput of the flows, max(in, out), when flows are given.
    borders : draw the boundaries between countries (Natural Earth's de facto lines).

    The root carries ``data-testid="map-svg"`` and ``data-count`` (markers drawn); each
    marker is a ``circle[data-testid=site-marker]`` with ``data-site`` and ``data-kind``,
    each flow a ``path[data-testid=flow-line]`` with ``data-origin``, ``data-destination``.
    """
    root = {"data-testid": "map-svg", "data-count": 0, "data-flows": 0}
    table = _sites(sites)
    if table.empty:
        return empty_chart(
            kind="map", title=title, width=width, height=height, data=root,
            chart_id=chart_id, show_title=show_title,
        )  # fmt: skip
    placed = table[table["placed"]]
    missing = table.loc[~table["placed"], "site"].tolist()
    if placed.empty:
        return empty_chart(
            kind="map", title=title, width=width, height=height, data=root,
            chart_id=chart_id, show_title=show_title,
            message=f"No data: {_note(missing)}",
        )  # fmt: skip
    pairs = _pairs(flows)
    if volumes is None and not pairs.empty:
        volumes = _throughput(pairs)
    vol = _volumes(volumes, placed["site"])

    kinds = list(
        dict.fromkeys([*[k for k in KIND_COLOURS if k in set(placed["kind"])], *placed["kind"]])
    )
    spare = [c for c in PALETTE if c not in KIND_COLOURS.values()]
    others = (k for k in kinds if k not in KIND_COLOURS)
    colours = {**KIND_COLOURS, **{k: spare[i % len(spare)] for i, k in enumerate(others)}}
    entries = [LegendEntry(k, colours[k], "circle") for k in kinds]
    changes = "change" in pairs and pairs["change"].notna().any()
    if changes:
        entries += [LegendEntry(f"{w} than before", c, "line") for w, c in CHANGE_COLOURS.items()]
    elif not pairs.empty:
        entries.append(LegendEntry(f"flow (width: {unit})", FLOW_COLOUR, "line"))
    if vol.notna().any():
        entries.append(LegendEntry(f"circle area: {unit}", "#ffffff", "circle"))

    top = 34.0 if title and show_title else 6.0
    legend_svg, legend_h = legend(entries, 12, 0, width - 24)
    note_h = 18.0 if missing else 0.0
    bottom = legend_h + note_h + 10
    map_h = max(height - top - bottom, 60.0)
    projection = Projection(_box(placed), width, map_h, margin=max_radius + 10, x=0, y=top)
    px, py = projection(placed["lon"].to_numpy(), placed["lat"].to_numpy())
    where = dict(zip(placed["site"], zip(px, py, strict=True), strict=True))
    held = countries_at(zip(placed["lon"], placed["lat"], strict=True))

    body = [heading(title)] if title and show_title else []
    body.append(country_paths(projection, highlight=held, clip_id=f"{ID}-clip", borders=borders))
    drawn_flows = _flow_lines(pairs, where, unit, max_flow_width, bool(changes))
    body.append(f'<g class="flows" clip-path="url(#{ID}-clip)">{"".join(drawn_flows)}</g>')
    body.append(_markers(placed, px, py, vol, colours, unit, min_radius, max_radius))
    legend_y = top + map_h + 6
    body.append(f'<g transform="translate(0 {num(legend_y)})">{legend_svg}</g>')
    if missing:
        body.append(
            f'<text class="map-note" data-testid="map-note" x="12"'
            f' y="{num(legend_y + legend_h + 13)}" font-size="12" fill="{MUTED}">'
            f"{esc(_note(missing))}</text>"
        )
    counts = placed["kind"].value_counts()
    described = ", ".join(plural(int(counts[k]), k) for k in kinds)
    desc = (
        f"Map of {plural(len(placed), 'site')} ({described})"
        f" and {plural(len(drawn_flows), 'flow')} between them."
        + (f" {_note(missing)}." if missing else "")
    )
    root.update({"data-count": len(placed), "data-flows": len(drawn_flows)})
    return document(
        "".join(body), kind="map", width=width, height=height, title=title or "Network map",
        desc=desc, data=root, chart_id=chart_id,
    )  # fmt: skip


def _sites(sites: pd.DataFrame | None) -> pd.DataFrame:
    """site, kind, partner, lat, lon, placed (has coordinates on the globe); one row per site."""
    columns = ["site", "kind", "partner", "lat", "lon", "placed"]
    if sites is None or len(sites) == 0 or "site" not in sites:
        return pd.DataFrame(columns=columns)
    out = pd.DataFrame({"site": sites["site"].astype(str).to_numpy()})
    for name in ("kind", "partner"):
        values = sites[name] if name in sites else pd.Series([None] * len(sites))
        out[name] = [
            "" if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else str(v)
            for v in values
        ]
    out["kind"] = out["kind"].str.lower().replace("", "site")
    for name in ("lat", "lon"):
        values = sites[name] if name in sites else pd.Series([np.nan] * len(sites))
        out[name] = pd.to_numeric(pd.Series(values.to_numpy()), errors="coerce").astype(float)
    out["placed"] = out["lat"].between(-90, 90) & out["lon"].between(-180, 180)
    return out.drop_duplicates("site").reset_index(drop=True)


def _note(missing: list[str]) -> str:
    """1 site has no coordinates: MKT-ONLINE."""
    names = ", ".join(missing[:NOTE_NAMES])
    if len(missing) > NOTE_NAMES:
        names += f" and {len(missing) - NOTE_NAMES} more"
    verb = "has" if len(missing) == 1 else "have"
    return f"{plural(len(missing), 'site')} {verb} no coordinates: {names}"


def _box(placed: pd.DataFrame) -> tuple[float, float, float, float]:
    """The sites' longitude/latitude box, padded and at least MIN_SPAN degrees wide."""
    lon_min, lon_max = float(placed["lon"].min()), float(placed["lon"].max())
    lat_min, lat_max = float(placed["lat"].min()), float(placed["lat"].max())
    pad_lon = max((MIN_SPAN - (lon_max - lon_min)) / 2, (lon_max - lon_min) * 0.06, 1.0)
    pad_lat = max((MIN_SPAN - (lat_max - lat_min)) / 2, (lat_max - lat_min) * 0.06, 1.0)
    return (
        max(lon_min - pad_lon, -180.0),
        max(lat_min - pad_lat, -80.0),
        min(lon_max + pad_lon, 180.0),
        min(lat_max + pad_lat, 84.0),
    )


def _pairs(flows: pd.DataFrame | None) -> pd.DataFrame:
    """origin, destination, qty (and change) summed per pair, positive quantities only."""
    columns = ["origin", "destination", "qty"]
    if flows is None or len(flows) == 0 or not set(columns) <= set(flows.columns):
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(
        {
            "origin": flows["origin"].astype(str).to_numpy(),
            "destination": flows["destination"].astype(str).to_numpy(),
            "qty": pd.to_numeric(flows["qty"], errors="coerce").to_numpy(dtype=float),
        }
    )
    sums = {"qty": "sum"}
    if "change" in flows:
        frame["change"] = pd.to_numeric(flows["change"], errors="coerce").to_numpy(dtype=float)
        sums["change"] = "sum"
    frame = frame[np.isfinite(frame["qty"]) & (frame["qty"] > 0)]
    frame = frame[frame["origin"] != frame["destination"]]
    return frame.groupby(["origin", "destination"], as_index=False, sort=False).agg(sums)


def _throughput(pairs: pd.DataFrame) -> pd.Series:
    """Units through each site: the larger of what it ships and what it receives."""
    out = pairs.groupby("origin")["qty"].sum()
    into = pairs.groupby("destination")["qty"].sum()
    return pd.concat([out, into], axis=1).fillna(0.0).max(axis=1)


def _volumes(volumes: pd.Series | None, sites: pd.Series) -> pd.Series:
    """Each placed site's volume (NaN when unknown)."""
    if volumes is None or len(volumes) == 0:
        return pd.Series(np.nan, index=sites.to_numpy(), dtype=float)
    values = pd.to_numeric(pd.Series(volumes), errors="coerce").astype(float)
    values.index = values.index.astype(str)
    values = values.groupby(level=0).sum(min_count=1)
    return values.reindex(sites.to_numpy())


def radii(volumes: pd.Series, min_radius: float, max_radius: float) -> np.ndarray:
    """Circle radii whose areas grow with ``volumes`` (see :func:`site_map`); a middle
    radius where volumes are unknown."""
    values = volumes.to_numpy(dtype=float)
    known = np.isfinite(values)
    top = np.nanmax(np.where(known, np.abs(values), np.nan)) if known.any() else 0.0
    share = np.zeros_like(values) if top <= 0 else np.clip(np.abs(values) / top, 0, 1)
    r = np.sqrt(min_radius**2 + (max_radius**2 - min_radius**2) * np.nan_to_num(share))
    return np.where(known, r, (min_radius + max_radius) / 3)


def _markers(
    placed: pd.DataFrame,
    px: np.ndarray,
    py: np.ndarray,
    volumes: pd.Series,
    colours: dict[str, str],
    unit: str,
    min_radius: float,
    max_radius: float,
) -> str:
    r = radii(volumes, min_radius, max_radius)
    sites, kinds = placed["site"].tolist(), placed["kind"].tolist()
    partners, amounts = placed["partner"].tolist(), volumes.to_numpy(dtype=float)
    parts = ['<g class="sites">']
    for i in np.argsort(-r, kind="stable"):  # the largest first, small ones on top
        site, kind, partner = str(sites[i]), str(kinds[i]), str(partners[i])
        volume = float(amounts[i])
        about = f"{kind}, {partner}" if partner else kind
        tip = f"{site} ({about})"
        if math.isfinite(volume):
            tip += f": {format_value(volume, unit)}"
        values: dict[str, object] = {
            "data-testid": "site-marker",
            "data-site": site,
            "data-kind": kind,
            "data-volume": num(volume) if math.isfinite(volume) else None,
            "class": f"site site-{css_token(kind)}",
        }
        parts.append(
            f'<circle{attrs(values)} cx="{num(px[i])}" cy="{num(py[i])}" r="{num(r[i])}"'
            f' fill="{colours[kind]}" fill-opacity="0.9" stroke="{TEXT}" stroke-width="1">'
            f"<title>{esc(tip)}</title></circle>"
        )
    parts.append("</g>")
    return "".join(parts)


def _flow_lines(
    pairs: pd.DataFrame,
    where: dict[str, tuple[float, float]],
    unit: str,
    max_width: float,
    changes: bool,
) -> list[str]:
    """One curved path per pair with both ends on the map, the widest first."""
    shown = pairs[pairs["origin"].isin(where) & pairs["destination"].isin(where)]
    if shown.empty:
        return []
    shown = shown.sort_values("qty", ascending=False, kind="stable")
    top = float(shown["qty"].max())
    signs = shown["change"].tolist() if changes else [math.nan] * len(shown)
    rows = zip(
        shown["origin"].tolist(), shown["destination"].tolist(), shown["qty"].tolist(), signs,
        strict=True,
    )  # fmt: skip
    lines = []
    for origin, destination, amount, sign in rows:
        (x0, y0), (x1, y1) = where[origin], where[destination]
        dx, dy = x1 - x0, y1 - y0
        # bend to the left of the direction of travel, so A->B and B->A stay apart
        cx, cy = (x0 + x1) / 2 + 0.18 * dy, (y0 + y1) / 2 - 0.18 * dx
        qty = float(amount)
        stroke = 0.8 + (max_width - 0.8) * qty / top
        tip = f"{origin} → {destination}: {format_value(qty, unit)}"
        colour = FLOW_COLOUR
        if changes:
            change = float(sign)
            if math.isfinite(change):
                colour = CHANGE_COLOURS["more" if change > 0 else "less"]
                tip += f" ({'+' if change > 0 else ''}{format_value(change, unit)})"
        values: dict[str, object] = {
            "class": "flow",
            "data-testid": "flow-line",
            "data-origin": origin,
            "data-destination": destination,
            "data-qty": num(qty),
        }
        lines.append(
            f"<path{attrs(values)}"
            f' d="M{num(x0)} {num(y0)}Q{num(cx)} {num(cy)} {num(x1)} {num(y1)}" fill="none"'
            f' stroke="{colour}" stroke-opacity="0.5" stroke-width="{num(stroke)}"'
            f' stroke-linecap="round"><title>{esc(tip)}</title></path>'
        )
    return lines
