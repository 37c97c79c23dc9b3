"""The registry of validation rules: which run, in which order.

The schema-driven rules (:mod:`emsplan.validation.schema_checks`) come first; the
domain rules (:mod:`emsplan.validation.domain`), the relative targets' rules
(:mod:`emsplan.validation.targets`), the policy tables' rules
(:mod:`emsplan.validation.policy`), the network-design options' rules
(:mod:`emsplan.validation.network_design`) and the forecasting tables' rules
(:mod:`emsplan.validation.history`) follow and do not repeat what those report.
"""

from __future__ import annotations

from emsplan.core.problems import Problem
from emsplan.data.network import Network
from emsplan.validation.domain import DOMAIN_RULES
from emsplan.validation.history import HISTORY_CHECKS
from emsplan.validation.network_design import NETWORK_DESIGN_CHECKS
from emsplan.validation.policy import POLICY_CHECKS
from emsplan.validation.report import Check
from emsplan.validation.schema_checks import (
    check_allowed,
    check_duplicate_keys,
    check_ranges,
    check_references,
    check_required,
    check_settings,
)
from emsplan.validation.targets import TARGET_CHECKS

#: The schema-driven rules, in the order they run.
GENERIC_CHECKS: list[Check] = [
    check_required,
    check_ranges,
    check_allowed,
    check_duplicate_keys,
    check_references,
    check_settings,
]

#: The domain rules, then the policy tables' and the forecasting tables' rules.
DOMAIN_CHECKS: list[Check] = [
    *DOMAIN_RULES,
    *TARGET_CHECKS,
    *POLICY_CHECKS,
    *NETWORK_DESIGN_CHECKS,
    *HISTORY_CHECKS,
]

#: Every rule, in the order :func:`check_all` runs them.
ALL_CHECKS: list[Check] = [*GENERIC_CHECKS, *DOMAIN_CHECKS]


def check_all(network: Network) -> list[Problem]:
    """Run every rule; return all problems found (errors and warnings)."""
    problems: list[Problem] = []
    for check in ALL_CHECKS:
        problems.extend(check(network))
    return problems
