"""The HiGHS algorithm and settings emsplan solves a model with, chosen by measurement.

The figures behind each rule are in ``benchmarks/README.md`` ("Which HiGHS algorithm, and
the time around it"), measured with ``benchmarks/run.py --size S|M|L`` (every HiGHS LP
algorithm alone on the MPS file emsplan exports) and ``benchmarks/mip_settings.py``
(sampled scenarios of the bundled example, and OR-Library instances):

* **LPs** below :data:`SIMPLEX_UP_TO` variables: HiGHS's default, the dual simplex
  (fastest at S); from there on its interior-point method IPX with crossover (at M, seed
  7: simplex 14.3 s, IPX 14.6 s, but seed 1: simplex 71.7 s, IPX 23.1 s; at L the dual
  simplex does not finish in 800 s, IPX does; HiPO, the newer interior-point method, and
  PDLP were slower at every size measured).
* **MIPs**: HiGHS's defaults. Turning its RINS and RENS sub-MIP heuristics off proved the
  same optima of six sampled scenarios of the bundled example in 58% of the time, but left
  OR-Library capb-6000 at a plan 40% dearer than the optimum after 300 s (HiGHS's defaults
  find the optimum there): no MIP setting is changed until one wins on both.

A setting the user gives (``--solver-option``) always wins over the rule, and what was
used goes into the plan's ``summary.json`` (``solver_options``).
"""

from __future__ import annotations

from typing import Any

import linopy

#: LPs with fewer variables go to the dual simplex, larger ones to IPX. The crossover
#: lies between the generated S (7k variables: simplex faster) and M (about 120k: IPX as
#: fast on one seed, 3 times faster on another); no size in between was measured.
SIMPLEX_UP_TO = 50_000

#: Settings for MIPs (each kept unless the user set it): none, see the module's docstring.
MIP_SETTINGS: dict[str, Any] = {}


def highs_settings(model: linopy.Model, options: dict[str, Any]) -> dict[str, Any]:
    """The HiGHS options emsplan adds for ``model`` to the user's ``options`` (which win)."""
    if model.type == "LP":
        if "solver" in options or model.nvars < SIMPLEX_UP_TO:
            return {}
        return {"solver": "ipx"}
    if model.type == "MILP":
        return {key: value for key, value in MIP_SETTINGS.items() if key not in options}
    return {}
