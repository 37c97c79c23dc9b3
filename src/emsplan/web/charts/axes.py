"""Axes of the charts with x and y axes: the plot area, linear scales, the value axis
(ticks, grid lines, unit) and the category labels along the bottom."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from emsplan.web.charts.format import GRID, MUTED, TEXT, esc, num, text_width

LABEL_SIZE = 11.0
ROTATION = 35.0  # degrees, of category labels too long to stand side by side


@dataclass(frozen=True)
class Area:
    """The plot area, in SVG pixels."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


def linear(domain: tuple[float, float], extent: tuple[float, float]) -> Callable[[float], float]:
    """The linear map of ``domain`` onto ``extent`` (pixels)."""
    d0, d1 = domain
    r0, r1 = extent
    ratio = (r1 - r0) / (d1 - d0) if d1 != d0 else 0.0
    return lambda v: r0 + (v - d0) * ratio


def value_axis_width(labels: Sequence[str]) -> float:
    """The room the value axis's labels take left of the plot area."""
    return max((text_width(t, LABEL_SIZE) for t in labels), default=0.0) + 14


def value_axis(
    ticks: Sequence[float],
    y: Callable[[float], float],
    area: Area,
    label: Callable[[float], str],
    *,
    unit: str = "",
) -> str:
    """Horizontal grid lines at ``ticks``, their labels left of the area, ``unit`` above."""
    parts = ['<g class="axis axis-y">']
    for tick in ticks:
        ty = y(tick)
        parts.append(
            f'<line class="grid" x1="{num(area.left)}" x2="{num(area.right)}" y1="{num(ty)}"'
            f' y2="{num(ty)}" stroke="{GRID}" stroke-width="1"/>'
            f'<text class="tick" x="{num(area.left - 6)}" y="{num(ty)}" text-anchor="end"'
            f' dominant-baseline="central" font-size="{LABEL_SIZE:g}" fill="{MUTED}">'
            f"{esc(label(tick))}</text>"
        )
    if unit:
        parts.append(
            f'<text class="axis-unit" x="{num(area.left - 6)}" y="{num(area.top - 10)}"'
            f' text-anchor="end" font-size="{LABEL_SIZE:g}" fill="{MUTED}">{esc(unit)}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def zero_line(y0: float, area: Area) -> str:
    return (
        f'<line class="zero-line" data-testid="zero-line" x1="{num(area.left)}"'
        f' x2="{num(area.right)}" y1="{num(y0)}" y2="{num(y0)}" stroke="{TEXT}"'
        ' stroke-width="1"/>'
    )


@dataclass(frozen=True)
class CategoryLayout:
    """How category labels fit under their slots: every ``every``-th label is shown,
    rotated or not, in ``height`` pixels."""

    rotate: bool
    every: int
    height: float


def category_layout(labels: Sequence[str], slot: float) -> CategoryLayout:
    """Labels side by side if they fit their slot; else rotated, and thinned out to one
    every few slots when even rotated labels would touch."""
    widest = max((text_width(t, LABEL_SIZE) for t in labels), default=0.0)
    if widest <= slot * 0.92:
        return CategoryLayout(False, 1, LABEL_SIZE + 10)
    every = max(1, math.ceil((LABEL_SIZE + 3) / max(slot, 1e-9)))
    sine = math.sin(math.radians(ROTATION))
    shown = min(widest, text_width("x" * 28, LABEL_SIZE))  # labels are cut at 28 characters
    return CategoryLayout(True, every, shown * sine + LABEL_SIZE + 10)


def category_labels(
    labels: Sequence[str], centres: Sequence[float], baseline: float, layout: CategoryLayout
) -> str:
    """The labels under the plot area (the ones ``layout`` keeps), centred or rotated."""
    parts = ['<g class="axis axis-x">']
    for i, (text, x) in enumerate(zip(labels, centres, strict=True)):
        if i % layout.every:
            continue
        shown = esc(text) if len(text) <= 28 else f"{esc(text[:27])}…<title>{esc(text)}</title>"
        y = baseline + LABEL_SIZE + 4
        if layout.rotate:
            parts.append(
                f'<text class="tick" x="{num(x)}" y="{num(y)}" text-anchor="end"'
                f' transform="rotate(-{ROTATION:g} {num(x)} {num(y)})"'
                f' font-size="{LABEL_SIZE:g}" fill="{MUTED}">{shown}</text>'
            )
        else:
            parts.append(
                f'<text class="tick" x="{num(x)}" y="{num(y)}" text-anchor="middle"'
                f' font-size="{LABEL_SIZE:g}" fill="{MUTED}">{shown}</text>'
            )
    parts.append("</g>")
    return "".join(parts)
