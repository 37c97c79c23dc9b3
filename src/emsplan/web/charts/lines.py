"""Line charts over periods (local share against its target, loads) and the histogram
of a sweep's outcomes with its quantiles marked."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from emsplan.web.charts.axes import (
    Area,
    category_labels,
    category_layout,
    linear,
    value_axis,
    value_axis_width,
)
from emsplan.web.charts.format import (
    LINE_PALETTE,
    MUTED,
    PALETTE,
    TEXT,
    LegendEntry,
    NumberStyle,
    attrs,
    colour,
    compact,
    document,
    empty_chart,
    esc,
    format_value,
    heading,
    legend,
    nice_ticks,
    num,
    plural,
    text_width,
    tick_formatter,
)


def merged_order(sequences: Iterable[Sequence[str]]) -> list[str]:
    """The union of the labels, keeping every sequence's own order where they agree
    (["Q2", "Q3"] and ["Q1", "Q2"] give Q1, Q2, Q3); ties go to the label seen first."""
    seen: dict[str, int] = {}
    after: dict[str, set[str]] = {}
    for sequence in sequences:
        for i, label in enumerate(sequence):
            seen.setdefault(label, len(seen))
            after.setdefault(label, set())
            if i:
                after[sequence[i - 1]].add(label)
    waiting = {label: 0 for label in seen}
    for label, nexts in after.items():
        for n in nexts:
            if n != label:
                waiting[n] += 1
    ready = sorted((label for label, count in waiting.items() if count == 0), key=seen.__getitem__)
    order: list[str] = []
    while ready:
        label = ready.pop(0)
        order.append(label)
        for n in sorted(after[label] - {label}, key=seen.__getitem__):
            waiting[n] -= 1
            if waiting[n] == 0:
                ready.append(n)
        ready.sort(key=seen.__getitem__)
    if len(order) < len(seen):  # the sequences disagree in a cycle: first seen, first
        return sorted(seen, key=seen.__getitem__)
    return order


def _as_series(values: object) -> pd.Series:
    """Numbers indexed by text labels (the first of a repeated label); infinite values
    count as missing."""
    series = pd.Series(values) if not isinstance(values, pd.Series) else values
    series = pd.to_numeric(series, errors="coerce").astype(float)
    series = series.where(np.isfinite(series))
    series.index = [str(i) for i in series.index]
    return series[~series.index.duplicated()]


def line_chart(
    series: Mapping[str, pd.Series],
    *,
    target: pd.Series | None = None,
    percent: bool = False,
    title: str = "",
    width: int = 960,
    height: int = 320,
    unit: str = "",
    target_label: str = "Target",
    number_style: NumberStyle = "si",
    show_title: bool = True,
    chart_id: str | None = None,
) -> str:
    """One line per series over the union of their index labels (periods), in order;
    each value a ``circle[data-testid=point]`` with ``data-series`` and ``data-x``;
    ``target`` a dashed step line (``path.target``), one step per period. With
    ``percent`` the values are fractions (0.12) shown as percentages and the axis starts
    at zero. Missing values break the line."""
    lines = {str(k): _as_series(v) for k, v in (series or {}).items()}
    lines = {k: v for k, v in lines.items() if v.notna().any()}
    goal = _as_series(target) if target is not None else None
    if goal is not None and not goal.notna().any():
        goal = None
    kind = "line"
    if not lines and goal is None:
        return empty_chart(
            kind=kind, title=title, width=width, height=height, data={"data-points": 0},
            chart_id=chart_id, show_title=show_title,
        )  # fmt: skip
    xs = merged_order(
        [list(s.index) for s in lines.values()] + ([list(goal.index)] if goal is not None else [])
    )
    found = [s.to_numpy() for s in lines.values()] + ([goal.to_numpy()] if goal is not None else [])
    every = np.concatenate(found)
    every = every[np.isfinite(every)]
    low, high = float(every.min()), float(every.max())
    if percent:
        low, high = min(low, 0.0), max(high, 0.0)
    else:
        pad = (high - low) * 0.05
        low, high = low - pad, high + pad
    ticks = nice_ticks(low, high)
    label = tick_formatter(ticks, percent=percent, style=number_style)

    palette = LINE_PALETTE if len(lines) <= len(LINE_PALETTE) else PALETTE
    entries = [LegendEntry(name, colour(i, palette), "line") for i, name in enumerate(lines)]
    if goal is not None:
        entries.append(LegendEntry(target_label, TEXT, "dash"))
    top = 34.0 if title and show_title else 8.0
    legend_svg, legend_h = legend(entries, 12, top - 4, width - 24)
    top += legend_h + 14
    left = max(value_axis_width([label(t) for t in ticks]), text_width(unit, 11) + 8, 40)
    slot = (width - left - 16) / len(xs)
    layout = category_layout(xs, slot)
    area = Area(left, top, width - 16, height - layout.height - 4)
    y = linear((ticks[0], ticks[-1]), (area.bottom, area.top))
    x_of = {x: area.left + (i + 0.5) * slot for i, x in enumerate(xs)}

    parts = [heading(title)] if title and show_title else []
    parts += [legend_svg, value_axis(ticks, y, area, label, unit="" if percent else unit)]
    if goal is not None:
        parts.append(_target(goal, xs, x_of, slot, y, target_label, percent, unit, number_style))
    points = 0
    for i, (name, values) in enumerate(lines.items()):
        tint = colour(i, palette)
        known = [(x, float(values[x])) for x in xs if x in values.index and np.isfinite(values[x])]
        d, pen = [], "M"
        for x in xs:
            v = values.get(x, np.nan)
            if not np.isfinite(v):
                pen = "M"
                continue
            d.append(f"{pen}{num(x_of[x])} {num(y(float(v)))}")
            pen = "L"
        parts.append(
            f"<g{attrs({'class': f'series series-{i}', 'data-series': name})}>"
            f'<path class="line" data-testid="line" d="{"".join(d)}" fill="none"'
            f' stroke="{tint}" stroke-width="2.25" stroke-linejoin="round"/>'
        )
        for x, v in known:
            tip = f"{name} · {x}: {format_value(v, unit, style=number_style, percent=percent)}"
            values_ = {"class": "point", "data-testid": "point", "data-series": name, "data-x": x}
            parts.append(
                f'<circle{attrs(values_)} cx="{num(x_of[x])}" cy="{num(y(v))}" r="4"'
                f' fill="{tint}" stroke="#ffffff" stroke-width="1.25"><title>{esc(tip)}</title>'
                "</circle>"
            )
            points += 1
        parts.append("</g>")
    parts.append(category_labels(xs, [x_of[x] for x in xs], area.bottom, layout))
    desc = (
        f"Line chart of {plural(len(lines), 'series', 'series')} ({', '.join(lines)})"
        f" over {plural(len(xs), 'period')}"
        + (f", with {target_label.lower()} as a dashed step line." if goal is not None else ".")
    )
    return document(
        "".join(parts), kind=kind, width=width, height=height, title=title or "Line chart",
        desc=desc, data={"data-points": points}, chart_id=chart_id,
    )  # fmt: skip


def _target(
    goal: pd.Series,
    xs: list[str],
    x_of: dict[str, float],
    slot: float,
    y: Callable[[float], float],
    label: str,
    percent: bool,
    unit: str,
    style: NumberStyle,
) -> str:
    """The target as steps: level across each period's slot, vertical between periods."""
    d, pen, last = [], "M", None
    for x in xs:
        v = goal.get(x, np.nan)
        if not np.isfinite(v):
            pen, last = "M", None
            continue
        level = y(float(v))
        x0, x1 = x_of[x] - slot / 2, x_of[x] + slot / 2
        if pen == "L" and last is not None and last != level:
            d.append(f"L{num(x0)} {num(level)}")
        d.append(f"{pen}{num(x0)} {num(level)}L{num(x1)} {num(level)}")
        pen, last = "L", level
    shown = "; ".join(
        f"{x} {format_value(float(goal[x]), unit, style=style, percent=percent)}"
        for x in xs
        if x in goal.index and np.isfinite(goal[x])
    )
    return (
        f'<path class="target" data-testid="target-line" d="{"".join(d)}" fill="none"'
        f' stroke="{TEXT}" stroke-width="1.75" stroke-dasharray="6 4">'
        f"<title>{esc(f'{label}: {shown}')}</title></path>"
    )


def histogram(
    values: Sequence[float],
    *,
    quantiles: Mapping[str, float] | None = None,
    bins: int = 20,
    unit: str = "",
    title: str = "",
    width: int = 960,
    height: int = 320,
    number_style: NumberStyle = "si",
    show_title: bool = True,
    chart_id: str | None = None,
) -> str:
    """How many of ``values`` fall in each of ``bins`` equal bins (missing and infinite
    values left out), each a ``rect[data-testid=bin]`` with ``data-count``; vertical
    lines at ``quantiles`` (label -> value), by default P5, P50 and P95 of the values
    (an empty mapping draws none)."""
    data = np.asarray([v for v in (values if values is not None else []) if _finite(v)], float)
    kind = "histogram"
    if data.size == 0:
        return empty_chart(
            kind=kind, title=title, width=width, height=height, data={"data-values": 0},
            chart_id=chart_id, show_title=show_title,
        )  # fmt: skip
    if quantiles is None:
        quantiles = {f"P{q}": float(np.percentile(data, q)) for q in (5, 50, 95)}
    marks = {str(k): float(v) for k, v in quantiles.items() if _finite(v)}
    low, high = float(data.min()), float(data.max())
    if low == high:
        pad = abs(low) * 0.05 or 0.5
        low, high = low - pad, high + pad
    counts, edges = np.histogram(data, bins=max(int(bins), 1), range=(low, high))
    x_low, x_high = min([low, *marks.values()]), max([high, *marks.values()])

    top = (34.0 if title and show_title else 8.0) + 34  # room for the quantile labels
    y_ticks = nice_ticks(0, max(float(counts.max()), 1.0), 4)
    y_ticks = [t for t in y_ticks if float(t).is_integer()] or [0.0, 1.0]
    left = max(value_axis_width([f"{t:g}" for t in y_ticks]), 40)
    area = Area(left, top, width - 16, height - (42 if unit else 28))
    x = linear((x_low, x_high), (area.left, area.right))
    y = linear((y_ticks[0], y_ticks[-1]), (area.bottom, area.top))

    parts = [heading(title)] if title and show_title else []
    parts.append(value_axis(y_ticks, y, area, lambda t: f"{t:g}"))
    parts.append('<g class="bins">')
    for count, a, b in zip(counts, edges[:-1], edges[1:], strict=True):
        tip = (
            f"{format_value(float(a), unit, style=number_style)} to"
            f" {format_value(float(b), unit, style=number_style)}: {plural(int(count), 'value')}"
        )
        values_ = {
            "class": "bin",
            "data-testid": "bin",
            "data-count": int(count),
            "data-x0": repr(float(a)),
            "data-x1": repr(float(b)),
        }
        x0, x1 = x(float(a)), x(float(b))
        parts.append(
            f'<rect{attrs(values_)} x="{num(x0)}" y="{y(float(count)):.3f}"'
            f' width="{num(max(x1 - x0 - 1, 0.5))}" height="{y(0.0) - y(float(count)):.3f}"'
            f' fill="{PALETTE[0]}" fill-opacity="0.85"><title>{esc(tip)}</title></rect>'
        )
    parts.append("</g>")
    ticks = [t for t in nice_ticks(x_low, x_high, 6) if x_low <= t <= x_high]
    label = tick_formatter(ticks or [x_low, x_high], style=number_style)
    parts.append(
        f'<g class="axis axis-x"><line x1="{num(area.left)}" x2="{num(area.right)}"'
        f' y1="{num(area.bottom)}" y2="{num(area.bottom)}" stroke="{TEXT}"/>'
    )
    for t in ticks:
        parts.append(
            f'<line x1="{num(x(t))}" x2="{num(x(t))}" y1="{num(area.bottom)}"'
            f' y2="{num(area.bottom + 4)}" stroke="{TEXT}"/>'
            f'<text class="tick" x="{num(x(t))}" y="{num(area.bottom + 16)}" text-anchor="middle"'
            f' font-size="11" fill="{MUTED}">{esc(label(t))}</text>'
        )
    if unit:
        parts.append(
            f'<text class="axis-unit" x="{num(area.right)}" y="{num(area.bottom + 30)}"'
            f' text-anchor="end" font-size="11" fill="{MUTED}">{esc(unit)}</text>'
        )
    parts.append("</g>")
    parts.append(_quantile_marks(marks, x, area, unit, number_style))
    desc = f"Histogram of {plural(int(data.size), 'value')} in {plural(len(counts), 'bin')}" + (
        f", with {', '.join(marks)} marked." if marks else "."
    )
    return document(
        "".join(parts), kind=kind, width=width, height=height, title=title or "Histogram",
        desc=desc, data={"data-values": int(data.size)}, chart_id=chart_id,
    )  # fmt: skip


def _finite(value: object) -> bool:
    try:
        return math.isfinite(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _quantile_marks(
    marks: Mapping[str, float],
    x: Callable[[float], float],
    area: Area,
    unit: str,
    style: NumberStyle,
) -> str:
    """A dashed vertical line per quantile, its label above the plot; labels that would
    touch their left neighbour's go one row higher."""
    parts, ends = [], [-math.inf, -math.inf]  # right end of the last label in each row
    for name, value in sorted(marks.items(), key=lambda kv: kv[1]):
        px = x(value)
        text = f"{name} {compact(value, style=style)}"
        tip = f"{name}: {format_value(value, unit, style=style)}"
        half = text_width(text, 11) / 2
        row = 0 if px - half > ends[0] + 4 else 1 if px - half > ends[1] + 4 else 0
        ends[row] = px + half
        ty = area.top - 8 - row * 15
        values = {"class": "quantile", "data-testid": "quantile", "data-label": name}
        parts.append(
            f'<g{attrs(values)} data-value="{value!r}"><title>{esc(tip)}</title>'
            f'<line x1="{num(px)}" x2="{num(px)}" y1="{num(ty + 4)}" y2="{num(area.bottom)}"'
            f' stroke="{TEXT}" stroke-width="1.5" stroke-dasharray="4 3"/>'
            f'<text x="{num(px)}" y="{num(ty)}" text-anchor="middle" font-size="11"'
            f' paint-order="stroke" stroke="#ffffff" stroke-width="3">{esc(text)}</text></g>'
        )
    return "".join(parts)
