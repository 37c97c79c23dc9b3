"""Domain validation rules (BOM cycles, supply of every item, lanes, duties, ...).

Each rule is a ``check_*`` function taking a :class:`~emsplan.network.Network`
and returning a list of :class:`~emsplan.problems.Problem`; see
:mod:`emsplan.checks` for the schema-driven rules and :func:`check_all`.
"""

from __future__ import annotations

from emsplan.checks import Check

#: The domain rules, in the order they run.
DOMAIN_CHECKS: list[Check] = []
