"""Bar charts: stacked bars (costs by category and period, incentives below zero) and
grouped bars (2-4 plans side by side)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
import pandas as pd

from emsplan.web.charts.axes import (
    Area,
    CategoryLayout,
    category_labels,
    category_layout,
    linear,
    value_axis,
    value_axis_width,
    zero_line,
)
from emsplan.web.charts.format import (
    MUTED,
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


def _numbers(frame: pd.DataFrame | None) -> pd.DataFrame:
    """The frame's numeric columns as floats, labels as text; empty when nothing is numeric."""
    if frame is None or frame.shape[0] == 0 or frame.shape[1] == 0:
        return pd.DataFrame()
    values = frame.apply(pd.to_numeric, errors="coerce").astype(float)
    values = values.loc[:, values.notna().any()]
    values.index = [str(i) for i in values.index]
    values.columns = [str(c) for c in values.columns]
    return values


def _frame_layout(
    values: pd.DataFrame,
    ticks: list[float],
    label: Callable[[float], str],
    *,
    width: float,
    height: float,
    top: float,
    unit: str,
) -> tuple[Area, float, CategoryLayout]:
    """The plot area left of which the value axis fits and under which the categories do."""
    left = max(value_axis_width([label(t) for t in ticks]), text_width(unit, 11) + 8, 40)
    slot = (width - left - 16) / max(len(values.index), 1)
    layout = category_layout(list(values.index), slot)
    area = Area(left, top, width - 16, height - layout.height - 4)
    return area, slot, layout


def stacked_bars(
    frame: pd.DataFrame,
    *,
    unit: str = "",
    title: str = "",
    width: int = 960,
    height: int = 360,
    number_style: NumberStyle = "si",
    show_totals: bool = True,
    show_title: bool = True,
    chart_id: str | None = None,
) -> str:
    """Stacked bars: the index along the x axis (periods), one colour per column (cost
    categories). Positive values stack up from zero, negative ones (incentives) down
    from it, each in column order; above each bar its net total. Each segment is a
    ``rect[data-testid=bar]`` with ``data-series``, ``data-category``, ``data-value``;
    zero and missing values draw none. ``number_style="indian"`` writes lakh and crore."""
    values = _numbers(frame)
    kind = "stacked-bars"
    if values.empty:
        return empty_chart(
            kind=kind, title=title, width=width, height=height, data={"data-bars": 0},
            chart_id=chart_id, show_title=show_title,
        )  # fmt: skip
    filled = values.fillna(0.0)
    ups, downs = filled.clip(lower=0).sum(axis=1), filled.clip(upper=0).sum(axis=1)
    ticks = nice_ticks(min(float(downs.min()), 0.0), max(float(ups.max()), 0.0))
    label = tick_formatter(ticks, style=number_style)
    series = list(values.columns)
    entries = [LegendEntry(s, colour(i)) for i, s in enumerate(series)]
    top = 34.0 if title and show_title else 8.0
    legend_svg, legend_h = legend(entries, 12, top - 4, width - 24)
    top += legend_h + (26 if show_totals else 14)
    area, slot, layout = _frame_layout(
        values, ticks, label, width=width, height=height, top=top, unit=unit
    )
    y = linear((ticks[0], ticks[-1]), (area.bottom, area.top))
    bar_w = min(slot * 0.7, 90.0)
    centres = [area.left + (i + 0.5) * slot for i in range(len(values.index))]

    parts = [heading(title)] if title and show_title else []
    parts += [legend_svg, value_axis(ticks, y, area, label, unit=unit), '<g class="bars">']
    drawn = 0
    grid = filled.to_numpy(dtype=float)
    categories = [str(c) for c in values.index]
    for row, (category, x) in enumerate(zip(categories, centres, strict=True)):
        up = down = 0.0
        for i, name in enumerate(series):
            value = float(grid[row, i])
            if value == 0:
                continue
            start = up if value > 0 else down
            end = start + value
            if value > 0:
                up = end
            else:
                down = end
            y0, y1 = sorted((y(start), y(end)))
            tip = f"{category} · {name}: {format_value(value, unit, style=number_style)}"
            values_ = {
                "data-testid": "bar",
                "class": f"bar series-{i}",
                "data-series": name,
                "data-category": category,
                "data-value": repr(value),
            }
            parts.append(
                f'<rect{attrs(values_)} x="{num(x - bar_w / 2)}" y="{y0:.3f}"'
                f' width="{num(bar_w)}" height="{y1 - y0:.3f}" fill="{colour(i)}"'
                f' stroke="#ffffff" stroke-width="0.75"><title>{esc(tip)}</title></rect>'
            )
            drawn += 1
        if show_totals and len(series) > 1 and (up or down):
            net = up + down
            parts.append(
                f'<text class="bar-total" x="{num(x)}" y="{num(y(up) - 5)}"'
                f' text-anchor="middle" font-size="11" fill="{MUTED}">'
                f"{esc(compact(net, style=number_style))}"
                f"<title>{esc(f'{category} net total: ')}"
                f"{esc(format_value(net, unit, style=number_style))}</title>"
                "</text>"
            )
    parts.append("</g>")
    parts.append(zero_line(y(0.0), area))
    parts.append(category_labels(list(values.index), centres, area.bottom, layout))
    desc = (
        f"Stacked bars of {plural(len(series), 'series', 'series')} ({', '.join(series)})"
        f" over {plural(len(values.index), 'category', 'categories')};"
        " negative values are stacked below zero."
    )
    return document(
        "".join(parts), kind=kind, width=width, height=height, title=title or "Stacked bars",
        desc=desc, data={"data-bars": drawn}, chart_id=chart_id,
    )  # fmt: skip


def bar_compare(
    frame: pd.DataFrame,
    *,
    unit: str = "",
    title: str = "",
    width: int = 960,
    height: int = 360,
    scale: Literal["shared", "per_category"] = "shared",
    number_style: NumberStyle = "si",
    show_title: bool = True,
    chart_id: str | None = None,
) -> str:
    """Grouped bars: one group per index entry (a KPI or cost category), one bar per
    column (a plan), each plan in its colour. With ``scale="per_category"`` each group
    is drawn against its own largest magnitude (KPIs of different units side by side;
    no shared value axis, the values are written on the bars). Non-numeric columns are
    ignored; each bar is a ``rect[data-testid=bar]``."""
    values = _numbers(frame)
    kind = "grouped-bars"
    if values.empty:
        return empty_chart(
            kind=kind, title=title, width=width, height=height, data={"data-bars": 0},
            chart_id=chart_id, show_title=show_title,
        )  # fmt: skip
    plans = list(values.columns)
    per_category = scale == "per_category"
    shown = values
    if per_category:
        peak = values.abs().max(axis=1).replace(0.0, 1.0)
        shown = values.div(peak, axis=0)
    low = min(float(np.nanmin(shown.to_numpy())), 0.0)
    high = max(float(np.nanmax(shown.to_numpy())), 0.0)
    ticks = [low, 0.0, high] if per_category else nice_ticks(low, high)
    ticks = sorted(set(ticks)) if per_category else ticks
    if len(ticks) < 2:
        ticks = [0.0, 1.0]
    label: Callable[[float], str] = (
        (lambda v: "") if per_category else tick_formatter(ticks, style=number_style)
    )
    top = 34.0 if title and show_title else 8.0
    legend_svg, legend_h = legend(
        [LegendEntry(p, colour(i)) for i, p in enumerate(plans)], 12, top - 4, width - 24
    )
    top += legend_h + 22
    area, slot, layout = _frame_layout(
        values, ticks, label, width=width, height=height, top=top, unit="" if per_category else unit
    )
    y = linear((ticks[0], ticks[-1]), (area.bottom, area.top))
    group_w = slot * 0.8
    bar_w = group_w / len(plans)
    centres = [area.left + (i + 0.5) * slot for i in range(len(values.index))]

    parts = [heading(title)] if title and show_title else []
    parts.append(legend_svg)
    if not per_category:
        parts.append(value_axis(ticks, y, area, label, unit=unit))
    parts.append('<g class="bars">')
    drawn = 0
    raw, heights = values.to_numpy(dtype=float), shown.to_numpy(dtype=float)
    categories = [str(c) for c in values.index]
    for row, (category, x) in enumerate(zip(categories, centres, strict=True)):
        for i, plan in enumerate(plans):
            value = float(raw[row, i])
            if not np.isfinite(value):
                continue
            y0, y1 = sorted((y(0.0), y(float(heights[row, i]))))
            bx = x - group_w / 2 + i * bar_w
            tip = f"{category} · {plan}: {format_value(value, unit, style=number_style)}"
            values_ = {
                "data-testid": "bar",
                "class": f"bar series-{i}",
                "data-series": plan,
                "data-category": category,
                "data-value": repr(value),
            }
            parts.append(
                f'<rect{attrs(values_)} x="{num(bx)}" y="{y0:.3f}" width="{num(bar_w)}"'
                f' height="{y1 - y0:.3f}" fill="{colour(i)}" stroke="#ffffff"'
                f' stroke-width="0.75"><title>{esc(tip)}</title></rect>'
            )
            text = compact(value, style=number_style)
            if text_width(text, 10) <= bar_w + 6:
                ty = y1 + 12 if value < 0 else y0 - 4
                parts.append(
                    f'<text class="bar-value" x="{num(bx + bar_w / 2)}" y="{num(ty)}"'
                    f' text-anchor="middle" font-size="10" fill="{MUTED}">{esc(text)}</text>'
                )
            drawn += 1
    parts.append("</g>")
    parts.append(zero_line(y(0.0), area))
    parts.append(category_labels(list(values.index), centres, area.bottom, layout))
    desc = (
        f"Grouped bars comparing {plural(len(plans), 'plan')} ({', '.join(plans)})"
        f" on {plural(len(values.index), 'category', 'categories')}"
        + ("; each category on its own scale." if per_category else ".")
    )
    return document(
        "".join(parts), kind=kind, width=width, height=height, title=title or "Comparison",
        desc=desc, data={"data-bars": drawn}, chart_id=chart_id,
    )  # fmt: skip
