"""What every chart shares: the palette, escaping, numbers and ticks, the legend, the
``<svg>`` root and the "No data" chart.

Every text a chart writes goes through :func:`esc`; every number through :func:`num`
(coordinates) or :func:`format_value` / :func:`tick_formatter` (what a reader sees).
"""

from __future__ import annotations

import hashlib
import html
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

#: Okabe & Ito's colour-blind-safe palette (Okabe and Ito 2008, "Color Universal Design").
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: Series colours in the order charts take them (filled marks: bars, bands, markers).
#: Neighbours differ in hue and lightness; marks carry a white or dark edge, so that a
#: mark stays apart from its neighbours and the white ground.
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
#: Colours of lines (thin marks on white): those of at least 3:1 contrast first.
LINE_PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#000000",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
)
TEXT = "#1a1a1a"  # 17:1 on white
MUTED = "#595959"  # 7:1 on white: axis labels, notes
GRID = "#e3e3e3"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"
#: Where a chart's id appears in its body before the id is known (see :func:`document`).
ID = "\x00chart\x00"

NumberStyle = Literal["si", "indian"]
_SCALES: dict[str, tuple[tuple[float, str], ...]] = {
    "si": ((1e12, "T"), (1e9, "bn"), (1e6, "M"), (1e3, "k")),
    "indian": ((1e7, " Cr"), (1e5, " L"), (1e3, "k")),  # crore, lakh
}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def esc(text: object) -> str:
    """``text`` made safe for SVG text and attribute values: ``& < > " '`` escaped and
    characters XML does not allow (control characters, lone surrogates) removed."""
    return html.escape(_NOT_XML.sub("", str(text)), quote=True)


def num(x: float) -> str:
    """A coordinate for SVG: at most two decimals, no trailing zeros."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def attrs(values: Mapping[str, object]) -> str:
    """``key="value"`` pairs (escaped), for values that are not None."""
    return "".join(f' {k}="{esc(v)}"' for k, v in values.items() if v is not None)


def css_token(text: str) -> str:
    """``text`` as one CSS class name: lower case, runs of other characters as ``-``."""
    return re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-") or "x"


def text_width(text: str, size: float = 12.0) -> float:
    """A rough width of ``text`` in the charts' sans-serif font (for layout only)."""
    return 0.58 * size * len(text)


def colour(index: int, palette: Sequence[str] = PALETTE) -> str:
    return palette[index % len(palette)]


# -- numbers -------------------------------------------------------------------------


def group_digits(value: float, style: NumberStyle = "si") -> str:
    """An integer with thousands separators: 2,395,464,000 (si) or 2,39,54,64,000 (indian)."""
    sign = "-" if value < 0 else ""
    digits = str(abs(round(value)))
    if style != "indian" or len(digits) <= 3:
        return sign + f"{int(digits):,}"
    head, tail = digits[:-3], digits[-3:]
    pairs: list[str] = []
    while head:
        pairs.insert(0, head[-2:])
        head = head[:-2]
    return sign + ",".join([*pairs, tail])


def format_value(
    value: float | None,
    unit: str = "",
    *,
    style: NumberStyle = "si",
    percent: bool = False,
) -> str:
    """A value in full, as a tooltip shows it: ``2,395,464 INR``, ``12.5%``, ``0.375``."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if percent:
        text = f"{value * 100:.1f}%"
    elif abs(value) >= 100 or value == int(value):
        text = group_digits(value, style)
    else:
        text = f"{value:.3g}"
    return f"{text} {unit}" if unit and not percent else text


def compact(value: float, *, style: NumberStyle = "si", digits: int = 3) -> str:
    """A value in few characters: ``2.4bn``, ``-120k``, ``950``; ``24 Cr``, ``3.5 L`` (indian)."""
    if not math.isfinite(value):
        return "n/a"
    for size, suffix in _SCALES[style]:
        if abs(value) >= size:
            return f"{value / size:.{digits}g}{suffix}"
    return f"{value:.{digits}g}"


def nice_step(span: float, count: int = 5) -> float:
    """A step of 1, 2 or 5 times a power of ten that cuts ``span`` into about ``count``."""
    raw = span / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    error = raw / power
    factor = 10 if error >= 7.07 else 5 if error >= 3.16 else 2 if error >= 1.41 else 1
    return factor * power


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values from at or below ``low`` to at or above ``high``, about ``count``
    steps apart (the first and last ticks are the axis's ends)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        low, high = 0.0, 1.0
    low, high = min(low, high), max(low, high)
    if low == high:
        pad = abs(low) * 0.1 or 1.0
        low, high = (0.0, high + pad) if low == 0 else (low - pad, high + pad)
    step = nice_step(high - low, count)
    start = math.floor(low / step + 1e-9)
    stop = math.ceil(high / step - 1e-9)
    decimals = max(0, -math.floor(math.log10(step))) + 1
    return [round(i * step, decimals) for i in range(start, stop + 1)]


def tick_formatter(
    ticks: Sequence[float], *, percent: bool = False, style: NumberStyle = "si"
) -> Callable[[float], str]:
    """One format for all the ticks of an axis: the same suffix (k, M, bn; L, Cr) and
    just enough decimals to tell neighbouring ticks apart."""
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else abs(ticks[0]) or 1.0
    if percent:
        decimals = max(0, -math.floor(math.log10(step * 100) + 1e-9))
        return lambda v: f"{v * 100:.{decimals}f}%"
    largest = max(abs(t) for t in ticks)
    size, suffix = next(((s, x) for s, x in _SCALES[style] if largest >= s), (1.0, ""))
    decimals = max(0, -math.floor(math.log10(step / size) + 1e-9))

    def label(value: float) -> str:
        if value == 0:
            return "0"
        if size == 1.0 and decimals == 0:
            return group_digits(value, style)
        return f"{value / size:,.{decimals}f}{suffix}"

    return label


# -- pieces of a chart -----------------------------------------------------------------


@dataclass(frozen=True)
class LegendEntry:
    label: str
    colour: str
    shape: Literal["rect", "circle", "line", "dash"] = "rect"


def legend(
    entries: Iterable[LegendEntry], x: float, y: float, max_width: float, *, size: float = 12
) -> tuple[str, float]:
    """A legend laid out in rows from (x, y), wrapping at ``max_width``; its markup and
    the height it takes."""
    parts, cx, cy, row = [], x, y, size + 8
    for entry in entries:
        width = 18 + text_width(entry.label, size) + 16
        if cx > x and cx + width > x + max_width:
            cx, cy = x, cy + row
        mid = cy + row / 2
        if entry.shape == "circle":
            mark = (
                f'<circle cx="{num(cx + 6)}" cy="{num(mid)}" r="5.5" fill="{entry.colour}"'
                f' stroke="{TEXT}" stroke-width="0.8"/>'
            )
        elif entry.shape in ("line", "dash"):
            dash = ' stroke-dasharray="5 3"' if entry.shape == "dash" else ""
            mark = (
                f'<line x1="{num(cx)}" x2="{num(cx + 14)}" y1="{num(mid)}" y2="{num(mid)}"'
                f' stroke="{entry.colour}" stroke-width="2.5"{dash}/>'
            )
        else:
            mark = (
                f'<rect x="{num(cx)}" y="{num(mid - 6)}" width="12" height="12"'
                f' fill="{entry.colour}" stroke="{TEXT}" stroke-width="0.5"/>'
            )
        parts.append(
            f'<g class="legend-item" data-testid="legend-item">{mark}'
            f'<text x="{num(cx + 18)}" y="{num(mid)}" dominant-baseline="central"'
            f' font-size="{num(size)}">{esc(entry.label)}</text></g>'
        )
        cx += width
    if not parts:
        return "", 0.0
    return f'<g class="legend">{"".join(parts)}</g>', cy + row - y


def heading(title: str, *, x: float = 12, y: float = 22) -> str:
    """The chart's visible title (the ``<title>`` element is for assistive technology)."""
    return (
        f'<text class="chart-title" x="{num(x)}" y="{num(y)}" font-size="15"'
        f' font-weight="600">{esc(title)}</text>'
    )


def document(
    body: str,
    *,
    kind: str,
    width: float,
    height: float,
    title: str,
    desc: str,
    data: Mapping[str, object] | None = None,
    chart_id: str | None = None,
) -> str:
    """The ``<svg>`` root around ``body``: role="img" labelled by its title and
    description, a viewBox with width="100%" (so it scales to its container), and
    ``data`` as attributes. Ids inside ``body`` are written with :data:`ID` and become
    ``chart_id``, by default one derived from the content (the same chart, the same id)."""
    if chart_id is None:
        digest = hashlib.sha1(f"{kind}\n{title}\n{desc}\n{body}".encode("utf-8", "replace"))
        chart_id = f"chart-{digest.hexdigest()[:10]}"
    cid = esc(chart_id)
    body = body.replace(ID, cid)
    extra = attrs(dict(data or {}))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{esc(kind)}" id="{cid}"'
        f' role="img" aria-labelledby="{cid}-title {cid}-desc"'
        f' viewBox="0 0 {num(width)} {num(height)}" width="100%"'
        f' preserveAspectRatio="xMidYMid meet" font-family="{FONT}" font-size="12"'
        f' fill="{TEXT}"{extra}>'
        f'<title id="{cid}-title">{esc(title)}</title>'
        f'<desc id="{cid}-desc">{esc(desc)}</desc>'
        f"{body}</svg>"
    )


def empty_chart(
    *,
    kind: str,
    title: str,
    width: float,
    height: float,
    message: str = "No data",
    data: Mapping[str, object] | None = None,
    chart_id: str | None = None,
    show_title: bool = True,
) -> str:
    """A chart with nothing to draw: its title and ``message`` in the middle."""
    label = title or kind.capitalize()
    body = (heading(title) if title and show_title else "") + (
        f'<rect class="chart-frame" x="0.5" y="0.5" width="{num(width - 1)}"'
        f' height="{num(height - 1)}" fill="none" stroke="{GRID}"/>'
        f'<text class="chart-empty" data-testid="chart-empty" x="{num(width / 2)}"'
        f' y="{num(height / 2)}" text-anchor="middle" dominant-baseline="central"'
        f' font-size="16" fill="{MUTED}">{esc(message)}</text>'
    )
    return document(
        body,
        kind=kind,
        width=width,
        height=height,
        title=label,
        desc=f"{label}: {message}.",
        data={"data-empty": "true", **dict(data or {})},
        chart_id=chart_id,
    )


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 site``, ``3 sites``."""
    return f"{count} {word if count == 1 else (words or word + 's')}"
