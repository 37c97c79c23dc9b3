"""Coordinate labels of the model and the keys of plans and the store: built here only.

A label names one element of a model dimension (``supplier/item`` for an offer,
``origin>destination/item/mode`` for an arc, ``scope@period`` for a target in a
period, ...). The labels are shown to planners and stored in the database, so
every part of emsplan builds them with the functions below and parses them back
with :func:`split_at_period`, the one label that is read back.

Every builder joins its parts in the order given, with the separators shown in
its docstring, and works on one label (``str`` parts) or element by element on
many: a pandas Series or Index, or a numpy object array. The first part decides
what comes back (a Series, an Index, an array or a ``str``); the parts must be
text (convert positions with ``astype(str)`` first). A blank (NA) part gives a
blank label. The parts are not escaped: a name that itself contains ``/``,
``>``, ``:`` or ``@`` is joined as it is (see :func:`split_at_period` for
what that means when a label is read back).
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

import numpy as np
import pandas as pd

#: One label (``str``) or many, element by element.
Names = TypeVar("Names", str, pd.Series, pd.Index, np.ndarray)

#: Separators: between the parts of a name, of a route, of a choice, before a period.
PART, ROUTE, CHOICE, AT = "/", ">", ":", "@"


def _join(first: Names, *rest: Any) -> Names:
    """``first``, then each separator and part of ``rest`` in turn (left to right)."""
    out: Any = first
    for piece in rest:
        out = out + piece
    return cast(Names, out)


def offer_label(supplier: Names, item: Any) -> Names:
    """An offer (a supply row): ``supplier/item``."""
    return _join(supplier, PART, item)


def production_label(plant: Names, item: Any) -> Names:
    """A production row, or a product made at a plant: ``plant/item``."""
    return _join(plant, PART, item)


def node_label(site: Names, item: Any) -> Names:
    """A node (an item at a site, with a balance): ``site/item``."""
    return _join(site, PART, item)


def resource_label(plant: Names, resource: Any) -> Names:
    """A plant's resource: ``plant/resource``."""
    return _join(plant, PART, resource)


def demand_label(market: Names, item: Any, period: Any) -> Names:
    """A demand row: ``market/item/period``."""
    return _join(market, PART, item, PART, period)


def arc_label(origin: Names, destination: Any, item: Any, mode: Any) -> Names:
    """An arc (an item on a lane): ``origin>destination/item/mode``."""
    return _join(origin, ROUTE, destination, PART, item, PART, mode)


def lane_label(origin: Names, destination: Any, mode: Any) -> Names:
    """A lane (shared by its items): ``origin>destination/mode``."""
    return _join(origin, ROUTE, destination, PART, mode)


def content_label(plant: Names, product: Any, item: Any) -> Names:
    """An item consumed in a product (or a BOM parent) at a plant: ``plant/product/item``."""
    return _join(plant, PART, product, PART, item)


def allocation_label(plant: Names, product: Any, offer: Any) -> Names:
    """An offer's units allocated to a product at a plant: ``plant/product/offer``, where
    ``offer`` is an :func:`offer_label` (so ``plant/product/supplier/item``)."""
    return _join(plant, PART, product, PART, offer)


def delivery_label(supplier: Names, item: Any, plant: Any) -> Names:
    """An offer's item delivered to a plant: ``supplier/item>plant``."""
    return _join(supplier, PART, item, ROUTE, plant)


def export_label(plant: Names, item: Any, country: Any) -> Names:
    """A product of a plant exported to a country: ``plant/item>country``."""
    return _join(plant, PART, item, ROUTE, country)


def trade_label(agreement: Names, plant: Any, item: Any, country: Any, period: Any) -> Names:
    """A trade rule's export in a period: ``agreement:plant/item>country@period``."""
    return _join(agreement, CHOICE, plant, PART, item, ROUTE, country, AT, period)


def source_label(option: Names, supplier: Any) -> Names:
    """A single-source option's candidate supplier: ``option:supplier``."""
    return _join(option, CHOICE, supplier)


def market_source_label(option: Names, market: Any, origin: Any) -> Names:
    """A market_source option's candidate origin of a market: ``option:market<-origin``."""
    return _join(option, CHOICE, market, "<-", origin)


def sourced_arc_label(arc: Names, source: Any) -> Names:
    """An arc bound by a single-source candidate, by positions: ``arc:source``."""
    return _join(arc, CHOICE, source)


def at_period(name: Names, period: Any) -> Names:
    """Something in one period: ``name@period`` (``scope@period``, ``scheme@period``,
    ``option@period``, ``offer@period``, ``arc@t`` with the arc's position and the
    period's, ...). Read back with :func:`split_at_period`."""
    return _join(name, AT, period)


def split_at_period(label: str) -> tuple[str, str]:
    """``(name, period)`` of an :func:`at_period` label.

    The period is split off at the last ``@``: a name may contain ``@`` (and ``/``),
    a period may not. A label without ``@`` raises ValueError."""
    name, sep, period = str(label).rpartition(AT)
    if not sep:
        raise ValueError(f"{label!r} is not a label of the form name{AT}period")
    return name, period
