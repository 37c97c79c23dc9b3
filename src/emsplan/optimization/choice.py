"""The HiGHS algorithm and settings emsplan solves a model with, chosen by measurement.

The figures behind each rule are in ``benchmarks/README.md`` ("Which HiGHS algorithm"),
measured with ``benchmarks/run.py --size S|M|L`` (every HiGHS LP algorithm alone on the
MPS file emsplan exports) and ``benchmarks/mip_settings.py`` (sampled scenarios of the
bundled example, and the OR-Library capb/capc instances):

* **LPs** below :data:`SIMPLEX_UP_TO` variables: HiGHS's default, the dual simplex
  (fastest at S and M); from there on its interior-point method IPX with crossover (at L
  the dual simplex does not finish in 800 s, IPX does; HiPO, the newer interior-point
  method, and PDLP were slower at every size measured).
* **MIPs**: HiGHS's defaults without the RINS and RENS sub-MIP heuristics. On emsplan's
  plans (few binaries over many continuous flows) the LP relaxation's incumbent is
  found early and those sub-MIPs spent most of the run re-solving it; without them the
  same optima are proven in about half the time.

A setting the user gives (``--solver-option``) always wins over the rule, and what was
used goes into the plan's ``summary.json`` (``solver_options``).
"""

from __future__ import annotations

from typing import Any

import linopy

#: LPs with fewer variables go to the dual simplex, larger ones to IPX. The crossover
#: lies between the generated M (about 120k variables: simplex faster) and L (1.2M:
#: simplex does not finish); no size in between was measured.
SIMPLEX_UP_TO = 300_000

#: Settings for MIPs (each kept unless the user set it).
MIP_SETTINGS: dict[str, Any] = {
    "mip_heuristic_run_rins": False,
    "mip_heuristic_run_rens": False,
}


def highs_settings(model: linopy.Model, options: dict[str, Any]) -> dict[str, Any]:
    """The HiGHS options emsplan adds for ``model`` to the user's ``options`` (which win)."""
    if model.type == "LP":
        if "solver" in options or model.nvars < SIMPLEX_UP_TO:
            return {}
        return {"solver": "ipx"}
    if model.type == "MILP":
        return {key: value for key, value in MIP_SETTINGS.items() if key not in options}
    return {}
