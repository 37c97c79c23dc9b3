"""Validation: every rule a network must pass before it is planned.

:func:`check_all` runs the schema-driven rules (:mod:`.schema_checks`), the domain
rules (:mod:`.domain`) and the policy tables' rules (:mod:`.policy`), in the order
of :mod:`.registry`; each rule reports through :func:`.report.row_problem`.
"""

from __future__ import annotations

from emsplan.validation.registry import ALL_CHECKS, check_all

__all__ = ["ALL_CHECKS", "check_all"]
