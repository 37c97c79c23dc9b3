"""The HiGHS algorithm and settings emsplan solves a model with, chosen by measurement.

The figures behind each rule are in ``benchmarks/README.md`` ("Which HiGHS algorithm, and
the time around it"), measured with ``benchmarks/run.py --size S|M|L`` (every HiGHS LP
algorithm alone on the MPS file emsplan exports) and ``benchmarks/mip_settings.py``
(sampled scenarios of the bundled example, and OR-Library instances):

* **LPs** below :data:`SIMPLEX_UP_TO` variables: HiGHS's default, the dual simplex
  (fastest at S). From there on two entrants race (:data:`RACE`,
  :mod:`emsplan.optimization.race`), the first to finish wins: HiGHS's parallel dual simplex
  (PAMI, ``simplex_strategy=3``) and the interior-point method IPX (with crossover).
  Neither HiGHS algorithm at its defaults is fastest on every network: on six generated M
  networks (seeds 1-5 and 7) the dual simplex took 3.6-35.9 s and IPX 9.1-11.8 s. The
  parallel simplex was faster than the default one on five of six (4.0 s against 6.2 on
  seed 7, 7.3 against 30.7 on seed 1); raced against IPX inside emsplan, HiGHS's run took
  0.66-1.16 of the fastest default algorithm alone (the race of the default simplex and
  IPX before it: 0.96-1.10 on the same MPS files, measured alone). On one core, in a solve
  that is not the program's main work (a sweep's worker, a job of a team server that runs
  several at once): the dual simplex with Devex pricing (:data:`ALONE`; on the same six
  networks at most 1.8 times the fastest one-threaded setting, where IPX was up to 2.9 and
  the default simplex up to 3.8). From :data:`RACE_UP_TO` variables (L, where the simplex
  did not finish in 800 s): IPX alone (:data:`LARGE`).
  HiPO, the newer interior-point method, and PDLP were slower at every size measured.
* **MIPs**: HiGHS's defaults. Turning its RINS and RENS sub-MIP heuristics off proved the
  same optima of six sampled scenarios of the bundled example in 58% of the time, but left
  OR-Library capb-6000 at a plan 40% dearer than the optimum after 300 s (HiGHS's defaults
  find the optimum there): no MIP setting is changed until one wins on both, except for a
  sample of a sweep or stress test that starts from the last sample's decisions
  (:mod:`emsplan.optimization.reuse`, :data:`~emsplan.optimization.reuse.STARTED_SETTINGS`):
  with that incumbent, skipping RINS, RENS and the root reduced-cost heuristic was faster on
  both kinds (the example's samples: 7.0 s against 16.1 s; two samples of OR-Library
  capb-6000 with every row: proven in 137 and 146 s where HiGHS's defaults were not at
  300 s). A MIP with
  :data:`SEPARATE_FROM` rows or more in the families :data:`POOL` gets those rows round by
  round, only where its LP relaxation needs them (:mod:`emsplan.optimization.separate`): on
  OR-Library capb and capc (100,000 such rows, 5,800-9,500 needed) HiGHS then proves all 8
  optima within 300 s (967 s in all), against 7 of 8 with every row (1,330 s, counting the
  unproven one's 300 s); the rounds cost 20-45 s, so the easiest instances take 15 s longer
  and the hardest 40-120 s less. On capa (larger capacities: 27-40 rounds) three of four
  took longer (632 s against 386 s); over all 12, 1,599 s against 1,716 s and one more proven.
  Such a MIP's samples in a sweep are solved anew, with the rounds, not on a kept HiGHS
  model (where the rounds are not done): three samples of capb-6000 took 203, 186 and
  131 s anew, and 303 s (stopped; the first, not started), 236 and 117 s (started) on the
  kept model.

A setting the user gives (``--solver-option``) always wins over the rule, and what was
used goes into the plan's ``summary.json`` (``solver_options``).
"""

from __future__ import annotations

import os
import threading
from typing import Any

import linopy

#: LPs with fewer variables go to the dual simplex, larger ones to the race (or IPX): the
#: crossover lies between the generated S (7k variables: simplex faster) and M (about
#: 120k: either may win by far); no size in between was measured.
SIMPLEX_UP_TO = 50_000

#: The entrants raced for large LPs: a name each (``summary.json``'s ``solver_race``) and
#: the HiGHS options it runs with. ``simplex_strategy=3`` is HiGHS's parallel dual simplex
#: (PAMI), which needs ``parallel=on``.
RACE: dict[str, dict[str, Any]] = {
    "simplex": {"solver": "simplex", "simplex_strategy": 3, "parallel": "on"},
    "ipx": {"solver": "ipx"},
}

#: An LP of :data:`SIMPLEX_UP_TO` to :data:`RACE_UP_TO` variables that is not raced: the
#: dual simplex with Devex pricing (``simplex_dual_edge_weight_strategy=1``).
ALONE: dict[str, Any] = {"solver": "simplex", "simplex_dual_edge_weight_strategy": 1}

#: LPs from :data:`RACE_UP_TO` variables.
LARGE: dict[str, Any] = {"solver": "ipx"}

#: LPs with more variables go to IPX alone (:data:`LARGE`), not to the race: at L (1.18M
#: variables) the dual simplex did not finish in 800 s where IPX took 668 s, so it would
#: only take a core (and memory) from IPX. The bound lies between M (120k) and L; nothing
#: between measured.
RACE_UP_TO = 500_000

#: The families of valid inequalities a large MIP gets round by round, not all at once
#: (:mod:`emsplan.optimization.separate`): one row per lane and period.
POOL: tuple[str, ...] = ("Option-line-flow",)

#: MIPs with fewer rows in :data:`POOL` get them all at once: measured at 100,000 rows
#: (OR-Library capa/capb/capc, a gain); the 17 small instances (at most 2,500 rows, solved in
#: seconds either way) and the bundled example keep them all. Nothing between measured.
SEPARATE_FROM = 10_000

#: Settings for MIPs (each kept unless the user set it): none, see the module's docstring.
MIP_SETTINGS: dict[str, Any] = {}


def unset(settings: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """The ``settings`` whose key the user did not set in ``options`` (the user's win)."""
    return {key: value for key, value in settings.items() if key not in options}


def highs_settings(model: linopy.Model, options: dict[str, Any]) -> dict[str, Any]:
    """The HiGHS options emsplan adds for ``model`` to the user's ``options`` (which win)."""
    if model.type == "LP":
        if "solver" in options or model.nvars < SIMPLEX_UP_TO:
            return {}
        chosen = ALONE if model.nvars < RACE_UP_TO else LARGE
        return unset(chosen, options)
    if model.type == "MILP":
        return unset(MIP_SETTINGS, options)
    return {}


def highs_pool(model: linopy.Model) -> tuple[str, ...] | None:
    """The families of :data:`POOL` whose rows HiGHS should take back round by round for
    ``model``, or None to hand every row at once (an LP, or fewer than
    :data:`SEPARATE_FROM` such rows)."""
    if model.type != "MILP":
        return None
    families = tuple(name for name in POOL if name in model.constraints)
    rows = sum(int((model.constraints[name].labels.values >= 0).sum()) for name in families)
    return families if rows >= SEPARATE_FROM else None


class _Racing:
    allowed = True


def allow_race(allowed: bool) -> None:
    """Let this process race algorithms, or not: the team server's job processes do not
    when the server runs several jobs at once (they share the cores)."""
    _Racing.allowed = allowed


def highs_race(model: linopy.Model, options: dict[str, Any]) -> dict[str, dict[str, Any]] | None:
    """The entrants to race for ``model`` (:data:`RACE`, without the options the user set,
    which win), or None to solve it once.

    Raced: an LP of :data:`SIMPLEX_UP_TO` to :data:`RACE_UP_TO` variables for which the user
    chose no algorithm (``solver``), solved by the program's main thread on a machine with a
    core per entrant. A solve in another thread (a sweep's worker) or in a process that
    shares the machine with others (:func:`allow_race`: a job of a server that runs several)
    is not raced."""
    if model.type != "LP" or "solver" in options or not _Racing.allowed:
        return None
    if not SIMPLEX_UP_TO <= model.nvars < RACE_UP_TO:
        return None
    if threading.current_thread() is not threading.main_thread():
        return None
    if _cores() < len(RACE):
        return None
    return {name: unset(own, options) for name, own in RACE.items()}


def _cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
