"""The bundled examples plan to their stored reference results (see reference_results.py).

Figures that are unique at the optimum (the objective, costs and KPIs) are
compared to 1e-6 relative. Quantities per item are compared too; where an LP
has several optimal plans they could legitimately move, and the test says so.
"""

from __future__ import annotations

import json

import pytest

import emsplan
from reference_results import figures, reference_path


@pytest.mark.parametrize("name", emsplan.examples.names())
def test_example_matches_reference(name: str) -> None:
    path = reference_path(name)
    if not path.exists():
        pytest.fail(f"no reference for {name}: run python tests/reference_results.py")
    expected = json.loads(path.read_text())
    result = emsplan.plan(emsplan.examples.load(name))
    assert result.summary["termination_condition"] == "optimal"
    got = figures(result)
    assert got["objective"] == pytest.approx(expected["objective"], rel=1e-6)
    for section in ("costs", "kpis"):
        assert got[section].keys() == expected[section].keys(), section
        for key, value in expected[section].items():
            assert got[section][key] == pytest.approx(value, rel=1e-6, abs=1e-6), (section, key)
    for section in ("bought", "made", "delivered"):
        assert got[section] == pytest.approx(expected[section], rel=1e-4, abs=1e-3), (
            f"{section} per item moved: the LP may have several optimal plans, or the plan "
            "changed; inspect and regenerate with python tests/reference_results.py"
        )
