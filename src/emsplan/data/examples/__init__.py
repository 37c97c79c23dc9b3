"""Bundled example networks, loadable by name: ``emsplan.examples.load("india-2023")``."""

from __future__ import annotations

from collections.abc import Callable

from emsplan.data.network import Network


def _india_2023() -> Network:
    from emsplan.data.examples.india_2023 import build

    return build()


_EXAMPLES: dict[str, Callable[[], Network]] = {"india-2023": _india_2023}


def names() -> list[str]:
    """Names of the bundled examples."""
    return sorted(_EXAMPLES)


def load(name: str) -> Network:
    """A fresh copy of the bundled example ``name``."""
    try:
        factory = _EXAMPLES[name]
    except KeyError:
        raise KeyError(
            f"no example named {name!r}; the examples are {', '.join(names())}"
        ) from None
    return factory()
