"""The Sankey diagram: nodes in columns, links as bands whose width is their value.

Layout, after d3-sankey's classic one:

1. a node's column is given (``columns``) or is the length of the longest path to it
   from a source; nodes without outgoing links go to the last column ("justify");
2. one vertical scale ``ky`` (pixels per unit) for all columns, the largest that fits
   the fullest column: a node is ``ky · max(in, out)`` high, nodes of a column are
   stacked with ``node_padding`` between them and the stack is centred;
3. the order of nodes in each column is improved by a few sweeps that sort each column
   by the value-weighted mean height of its neighbours (the barycentre heuristic), which
   removes most crossings;
4. at each node the bands leave in the order of their targets' heights and arrive in
   the order of their sources' heights, so bands of one node do not cross each other.

A band of value ``v`` is a cubic Bézier centre line with ``stroke-width = ky · v``;
where a node's inflow equals its outflow, its in-bands and out-bands have the same total
width.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from emsplan.web.charts.format import (
    MUTED,
    PALETTE,
    TEXT,
    LegendEntry,
    NumberStyle,
    attrs,
    colour,
    compact,
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

#: Colours of the usual link groups; other groups take the palette in order.
GROUP_COLOURS = {"local": "#009E73", "imported": "#E69F00", "domestic": "#009E73"}
NODE_COLOUR = "#4d4d4d"
SWEEPS = 6


@dataclass
class _Node:
    name: str
    order: int  # first appearance
    value_in: float = 0.0
    value_out: float = 0.0
    column: int = 0
    y0: float = 0.0
    height: float = 0.0
    ins: list[_Link] = field(default_factory=list)
    outs: list[_Link] = field(default_factory=list)

    @property
    def value(self) -> float:
        return max(self.value_in, self.value_out)

    @property
    def middle(self) -> float:
        return self.y0 + self.height / 2


@dataclass
class _Link:
    source: _Node
    target: _Node
    value: float
    group: str
    width: float = 0.0
    y_source: float = 0.0  # band centre where it leaves the source
    y_target: float = 0.0  # band centre where it reaches the target


def sankey(
    links: pd.DataFrame,
    *,
    columns: dict[str, int] | None = None,
    width: int = 960,
    height: int = 560,
    unit: str = "",
    title: str = "Flows",
    node_width: float = 14.0,
    node_padding: float = 14.0,
    group_colours: dict[str, str] | None = None,
    number_style: NumberStyle = "si",
    show_title: bool = True,
    chart_id: str | None = None,
) -> str:
    """A Sankey diagram of ``links`` (columns ``source``, ``target``, ``value`` and
    optionally ``group``, which colours the band, e.g. local / imported).

    Rows with the same source, target and group are summed; zero, negative and missing
    values and links from a node to itself are dropped. Each band is a
    ``path[data-testid=sankey-link]`` with ``data-source``, ``data-target`` and a
    tooltip "A → B: value unit"; each node a ``rect[data-testid=sankey-node]``, labelled
    right of it (left of it in the last column). The root carries ``data-links``. Bands
    thinner than one pixel are drawn one pixel wide (``data-value`` keeps the value).
    """
    root = {"data-testid": "sankey-svg", "data-links": 0, "data-nodes": 0}
    frame = _links(links)
    if frame.empty:
        return empty_chart(
            kind="sankey", title=title, width=width, height=height, data=root,
            chart_id=chart_id, show_title=show_title,
        )  # fmt: skip
    nodes: dict[str, _Node] = {}
    edges: list[_Link] = []
    rows = zip(
        frame["source"].tolist(), frame["target"].tolist(), frame["value"].tolist(),
        frame["group"].tolist(), strict=True,
    )  # fmt: skip
    for source, target, value, group in rows:
        for name in (str(source), str(target)):
            nodes.setdefault(name, _Node(name, len(nodes)))
        link = _Link(nodes[str(source)], nodes[str(target)], float(value), str(group))
        link.source.value_out += link.value
        link.target.value_in += link.value
        link.source.outs.append(link)
        link.target.ins.append(link)
        edges.append(link)
    layers = _columns(list(nodes.values()), edges, columns or {})

    groups = list(dict.fromkeys(e.group for e in edges if e.group))
    top = (34.0 if title and show_title else 8.0) + 6
    legend_svg, legend_h = "", 0.0
    link_colours: dict[str, str] = {}
    if groups:
        given = {**GROUP_COLOURS, **(group_colours or {})}
        spare = iter(c for c in PALETTE if c not in given.values())
        link_colours = {g: given.get(g) or next(spare, colour(i)) for i, g in enumerate(groups)}
        legend_svg, legend_h = legend(
            [LegendEntry(g, link_colours[g]) for g in groups], 12, top - 6, width - 24
        )
        top += legend_h
    ky = _place(layers, top, height - 10.0, node_padding)
    for band in edges:
        band.width = band.value * ky
    _attach(nodes.values())

    n_columns = max(len(layers), 1)
    left, right = 10.0, width - 10.0
    step = (right - left - node_width) / max(n_columns - 1, 1)
    x_of = {c: left + c * step for c in range(n_columns)}
    node_colour = {c: NODE_COLOUR if groups else colour(c) for c in range(n_columns)}

    parts = [heading(title)] if title and show_title else []
    parts.append(legend_svg)
    parts.append('<g class="links">')
    for band in sorted(edges, key=lambda e: -e.value):
        x0 = x_of[band.source.column] + node_width
        x1 = x_of[band.target.column]
        xm = (x0 + x1) / 2
        tint = link_colours.get(band.group) or node_colour[band.source.column]
        amount = format_value(band.value, unit, style=number_style)
        tip = f"{band.source.name} → {band.target.name}: {amount}"
        if band.group:
            tip += f" ({band.group})"
        values: dict[str, object] = {
            "class": f"link link-{css_token(band.group)}" if band.group else "link",
            "data-testid": "sankey-link",
            "data-source": band.source.name,
            "data-target": band.target.name,
            "data-group": band.group or None,
            "data-value": repr(band.value),
        }
        parts.append(
            f'<path{attrs(values)} d="M{num(x0)} {num(band.y_source)}C{num(xm)}'
            f" {num(band.y_source)} {num(xm)} {num(band.y_target)} {num(x1)}"
            f' {num(band.y_target)}" fill="none" stroke="{tint}" stroke-opacity="0.45"'
            f' stroke-width="{max(band.width, 1.0):.3f}"><title>{esc(tip)}</title></path>'
        )
    parts.append('</g><g class="nodes">')
    last = n_columns - 1
    for node in sorted(nodes.values(), key=lambda n: n.order):
        x = x_of[node.column]
        tip = (
            f"{node.name}: in {format_value(node.value_in, unit, style=number_style)},"
            f" out {format_value(node.value_out, unit, style=number_style)}"
        )
        values = {
            "class": "node",
            "data-testid": "sankey-node",
            "data-node": node.name,
            "data-column": node.column,
            "data-value": repr(node.value),
        }
        parts.append(
            f'<rect{attrs(values)} x="{num(x)}" y="{num(node.y0)}" width="{num(node_width)}"'
            f' height="{node.height:.3f}" fill="{node_colour[node.column]}" stroke="{TEXT}"'
            f' stroke-width="0.5"><title>{esc(tip)}</title></rect>'
        )
        at_end = node.column == last and last > 0
        lx = x - 6 if at_end else x + node_width + 6
        parts.append(
            f'<text class="node-label" x="{num(lx)}" y="{num(node.middle)}"'
            f' text-anchor="{"end" if at_end else "start"}" dominant-baseline="central"'
            f' font-size="12" paint-order="stroke" stroke="#ffffff" stroke-width="3"'
            f' stroke-linejoin="round">{esc(node.name)}'
            f'<tspan fill="{MUTED}" font-size="11"> {esc(compact(node.value, style=number_style))}'
            f"</tspan></text>"
        )
    parts.append("</g>")
    total = sum(n.value_out for n in nodes.values() if not n.ins)
    desc = (
        f"Sankey diagram of {plural(len(edges), 'flow')} between {plural(len(nodes), 'node')}"
        f" in {plural(n_columns, 'column')}; the sources send"
        f" {format_value(total, unit, style=number_style)} in all."
    )
    root.update({"data-links": len(edges), "data-nodes": len(nodes)})
    return document(
        "".join(parts), kind="sankey", width=width, height=height, title=title or "Flows",
        desc=desc, data=root, chart_id=chart_id,
    )  # fmt: skip


def _links(links: pd.DataFrame | None) -> pd.DataFrame:
    """source, target, value, group: positive, finite, no self-links, summed per triple."""
    needed = {"source", "target", "value"}
    if links is None or len(links) == 0 or not needed <= set(links.columns):
        return pd.DataFrame(columns=["source", "target", "value", "group"])
    groups = links["group"] if "group" in links else pd.Series([""] * len(links))
    frame = pd.DataFrame(
        {
            "source": links["source"].astype(str).to_numpy(),
            "target": links["target"].astype(str).to_numpy(),
            "value": pd.to_numeric(links["value"], errors="coerce").to_numpy(dtype=float),
            "group": ["" if pd.isna(g) else str(g) for g in groups],
        }
    )
    keep = np.isfinite(frame["value"]) & (frame["value"] > 0)
    frame = frame[keep & (frame["source"] != frame["target"])]
    return frame.groupby(["source", "target", "group"], as_index=False, sort=False)["value"].sum()


def _columns(nodes: list[_Node], edges: list[_Link], given: dict[str, int]) -> list[list[_Node]]:
    """Each node's column (given, else longest path from a source; sinks to the last
    column), and the nodes of each column in order of appearance."""
    fixed = {str(k): int(v) for k, v in given.items()}
    depth = {n.name: 0 for n in nodes}
    for _ in range(len(nodes)):  # longest path; a cycle stops after len(nodes) rounds
        changed = False
        for e in edges:
            if depth[e.target.name] < depth[e.source.name] + 1 < len(nodes):
                depth[e.target.name] = depth[e.source.name] + 1
                changed = True
        if not changed:
            break
    deepest = max(depth.values(), default=0)
    for n in nodes:
        n.column = depth[n.name] if n.outs else deepest
        if n.name in fixed:
            n.column = max(fixed[n.name], 0)
    if not fixed:  # drop empty columns
        used = sorted({n.column for n in nodes})
        rank = {c: i for i, c in enumerate(used)}
        for n in nodes:
            n.column = rank[n.column]
    layers: list[list[_Node]] = [[] for _ in range(max(n.column for n in nodes) + 1)]
    for n in sorted(nodes, key=lambda n: n.order):
        layers[n.column].append(n)
    return layers


def _place(layers: list[list[_Node]], top: float, bottom: float, padding: float) -> float:
    """Node heights from one scale, then the order of each column by barycentre sweeps
    (forward by the sources' heights, backward by the targets'); the scale, ky."""
    room = max(bottom - top, 10.0)
    crowd = max(len(layer) for layer in layers)
    padding = min(padding, 0.5 * room / max(crowd - 1, 1))
    ky = min(
        (room - padding * (len(layer) - 1)) / sum(n.value for n in layer)
        for layer in layers
        if layer
    )
    for layer in layers:
        for n in layer:
            n.height = n.value * ky
        _stack(layer, top, room, padding)
    for sweep in range(SWEEPS):
        forward = sweep % 2 == 0
        for layer in layers[1:] if forward else layers[-2::-1]:
            layer.sort(key=lambda n, f=forward: _barycentre(n, f))  # type: ignore[misc]
            _stack(layer, top, room, padding)
    return ky


def _barycentre(node: _Node, forward: bool) -> float:
    """The value-weighted mean height of the node's sources (forward) or targets."""
    links = node.ins if forward else node.outs
    weight = sum(e.value for e in links)
    if weight <= 0:
        return node.middle
    ends = [e.source if forward else e.target for e in links]
    return sum(e.value * m.middle for e, m in zip(links, ends, strict=True)) / weight


def _stack(layer: list[_Node], top: float, room: float, padding: float) -> None:
    used = sum(n.height for n in layer) + padding * (len(layer) - 1)
    y = top + max(room - used, 0.0) / 2
    for n in layer:
        n.y0 = y
        y += n.height + padding


def _attach(nodes: Iterable[_Node]) -> None:
    """Where each band leaves and reaches its nodes: bands stacked in the order of the
    other end's height."""
    for node in nodes:
        y = node.y0
        for band in sorted(node.outs, key=lambda e: (e.target.middle, e.target.order)):
            band.y_source = y + band.width / 2
            y += band.width
        y = node.y0
        for band in sorted(node.ins, key=lambda e: (e.source.middle, e.source.order)):
            band.y_target = y + band.width / 2
            y += band.width
