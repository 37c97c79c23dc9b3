"""Charts as inline SVG, drawn on the server by plain Python.

The team server's pages draw every chart here, server-side, as an ``<svg>`` string the
template puts inline, rather than with a JavaScript charting library, because:

- the pages work with no internet: nothing comes from a CDN or a tile server (the
  map's countries are Natural Earth's, shipped in ``web/static/maps/``);
- every mark is a real DOM element (``data-testid`` ``site-marker``, ``flow-line``,
  ``sankey-link``, ``bar``, ``point``, ``bin``), so a browser test, or a test that
  parses the SVG, can count and inspect what was drawn;
- there is no JavaScript library to ship, audit and keep up to date, and a chart costs
  the browser nothing to compute;
- each chart is accessible: ``role="img"`` labelled by its ``<title>`` and ``<desc>``,
  and every mark has a ``<title>`` tooltip with its exact value.

Each function takes pandas objects and returns the SVG text; it never raises on empty
input but draws "No data". Text is escaped, colours are the colour-blind-safe Okabe-Ito
palette, the ``viewBox`` with ``width="100%"`` lets a chart scale from laptop to tablet,
and classes (``site-plant``, ``link``, ``bar series-0``, ...) let the page's CSS restyle
it. Styles are presentation attributes, never ``style`` attributes, so a strict
Content-Security-Policy needs no ``'unsafe-inline'``.

``python -m emsplan.web.charts charts.html`` draws every chart of the bundled example
into one HTML file.
"""

from __future__ import annotations

from emsplan.web.charts.bars import bar_compare, stacked_bars
from emsplan.web.charts.geo import Country, Projection, countries, country_paths
from emsplan.web.charts.lines import histogram, line_chart
from emsplan.web.charts.map import site_map
from emsplan.web.charts.sankey import sankey

__all__ = [
    "Country",
    "Projection",
    "bar_compare",
    "countries",
    "country_paths",
    "histogram",
    "line_chart",
    "sankey",
    "site_map",
    "stacked_bars",
]
