"""Robust (two-stage) plans: early commitments that hold up when demand lands elsewhere.

Stage 1 is decided now, the same in every scenario: the options (lines, contracts,
sites, single sources, market origins) and the purchases committed ahead (offers with a
lead time of one period or more, :mod:`emsplan.optimization.commitments`). Stage 2 is
decided per scenario, once demand is known: local purchases with no lead time,
production, flows, stock, unmet demand. :func:`robust_plan` draws N scenarios from
variations (as a sweep does: sample ``i`` of seed ``s`` from
``numpy.random.default_rng([s, i])``), builds each scenario's model, stacks them into the
extensive form (:mod:`emsplan.optimization.extensive`) and minimises the expected cost
(sample-average approximation), optionally plus a CVaR weight on the worst tail.

The plan it returns is the network as given (the forecast) planned with the stage-1
decisions fixed: every table of a plan, plus ``commitments`` (stage 1, marked as such),
``scenarios`` (each scenario's cost under the robust stage 1) and the summary's
``robust`` block. With ``value=True`` it also reports, the textbook way (Birge and
Louveaux, ch. 4), the expected value of perfect information (EVPI = RP - WS) and the
value of the stochastic solution (VSS = EEV - RP), each the mean of a paired difference
over the scenarios with a 95% confidence interval.

Two ways to solve it (``method``): the extensive form (every scenario in one model,
:mod:`emsplan.optimization.extensive`; HiGHS proves it optimal with a bound) and Benders
decomposition by scenario on the Dask cluster (:mod:`emsplan.scenarios.decomposed`), whose
memory and time per iteration grow linearly in N. ``auto`` takes the extensive form up to
:data:`EXTENSIVE_UP_TO` scenarios (on the example it was faster and tighter at 10; see
docs/robust.md for why Benders and not progressive hedging, and the figures).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from emsplan.core.outcomes import Termination
from emsplan.data.network import Network
from emsplan.optimization import extensive
from emsplan.optimization.benders import DecompositionError
from emsplan.optimization.commitments import COMMIT, define_commitments
from emsplan.results.plan import Plan
from emsplan.scenarios import decomposed
from emsplan.scenarios.overrides import Override, OverrideError, from_dict, resolve
from emsplan.scenarios.stage1 import FIXED_BINARIES, evaluate, fix_stage1, scenario_model
from emsplan.scenarios.sweep import sample_network


class RobustError(ValueError):
    """A robust plan cannot be asked for this way (a clear, one-paragraph reason)."""


def check_settings(
    samples: int, solver_name: str = "highs", cvar_weight: float = 0.0, cvar_alpha: float = 0.9
) -> None:
    """:class:`RobustError` naming what is wrong with a robust plan's settings."""
    if solver_name != "highs":
        raise RobustError(
            f"A robust plan is solved by HiGHS (its extensive form is assembled for highspy); "
            f"solver {solver_name!r} is not supported with --robust. Leave --solver out."
        )
    if samples < 2:
        raise RobustError(
            f"A robust plan needs at least 2 samples (--samples {samples}): with one "
            "scenario it is the plan of that scenario."
        )
    if not math.isfinite(cvar_weight) or cvar_weight < 0:
        raise RobustError(f"--cvar-weight {cvar_weight} is not allowed: give a number >= 0.")
    if not (0 < cvar_alpha < 1):
        raise RobustError(
            f"--cvar-alpha {cvar_alpha} is not allowed: give a share between 0 and 1 "
            "(exclusive), e.g. 0.9 for the worst 10% of scenarios."
        )


#: Up to this many scenarios ``method="auto"`` solves the extensive form, above it
#: decomposes (see docs/robust.md: on the example the extensive form is faster at 2 and
#: 10 scenarios; the crossover above is not measured).
EXTENSIVE_UP_TO = 20
METHODS = ("auto", "extensive", "benders")


def check_method(method: str, samples: int) -> str:
    """``"extensive"`` or ``"benders"`` for ``method``; :class:`RobustError` if unknown."""
    if method not in METHODS:
        raise RobustError(
            f"--method {method!r} is not a way to solve a robust plan: give one of "
            f"{', '.join(METHODS)} (auto: the extensive form up to {EXTENSIVE_UP_TO} "
            "scenarios, Benders decomposition above)."
        )
    if method == "auto":
        return "extensive" if samples <= EXTENSIVE_UP_TO else "benders"
    return method


def check_request(
    network: Network,
    variations: Sequence[Override],
    samples: int,
    solver_name: str = "highs",
    cvar_weight: float = 0.0,
    cvar_alpha: float = 0.9,
) -> list[dict[str, Any]]:
    """The resolved variations, or :class:`RobustError` / :class:`OverrideError` naming
    what is wrong."""
    check_settings(samples, solver_name, cvar_weight, cvar_alpha)
    resolved = [o.to_dict() for o in resolve(network, list(variations), random=True)]
    if not any(from_dict(v).random for v in resolved):
        raise OverrideError(
            [
                "A robust plan needs uncertainty: none of the variations is random. Give one "
                "with a distribution, e.g. --vary 'demand.qty~forecast' or "
                "--vary 'demand.qty*=normal(1,0.15)'."
            ]
        )
    return resolved


def robust_plan(
    network: Network,
    variations: Sequence[Override],
    samples: int,
    seed: int = 0,
    *,
    cvar_weight: float = 0.0,
    cvar_alpha: float = 0.9,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    value: bool = False,
    method: str = "auto",
    workers: int = 2,
    scheduler: str | None = None,
    validate: bool = True,
    log: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Plan:
    """The robust plan of ``network`` over ``samples`` scenarios drawn from ``variations``
    (see the module).

    Raises
    ------
    InputError : the network has errors.
    OverrideError, RobustError : the variations or the request are not usable.
    PlanningError : the extensive form has no plan (infeasible, or no feasible plan within
        the time limit), or the network as given cannot live with the stage-1 decisions.
    """
    from emsplan.planning.pipeline import PlanningError, plan

    say = progress or (lambda message: None)
    start = time.perf_counter()
    resolved = check_request(network, variations, samples, "highs", cvar_weight, cvar_alpha)
    method = check_method(method, samples)
    if validate:
        say("validating")
        network.validate()
    decomposition: dict[str, Any] | None = None
    drawn: list[tuple[Network, Any]] | None = None  # the scenarios, when drawn here
    if method == "benders":
        try:
            solution, decomposition = decomposed.solve(
                network,
                resolved,
                samples,
                seed,
                cvar_weight=cvar_weight,
                cvar_alpha=cvar_alpha,
                tolerance=mip_gap if mip_gap is not None else 1e-4,
                time_limit=time_limit,
                mip_gap=mip_gap,
                workers=workers,
                scheduler=scheduler,
                say=say,
            )
        except DecompositionError as exc:
            raise PlanningError(
                f"The robust plan's Benders decomposition over {samples} scenarios has no "
                f"plan: {exc}.",
                Termination.parse("other"),
            ) from exc
    else:
        say(f"drawing {samples} scenarios")
        drawn = [sample_network(network, resolved, seed, i) for i in range(samples)]
        solution = _extensive(
            [net for net, _ in drawn], cvar_weight, cvar_alpha, time_limit, mip_gap, log, say
        )
    if not solution.has_plan:
        raise PlanningError(
            f"The robust plan's extensive form over {samples} scenarios has no plan: HiGHS "
            f"ended with {solution.status!r}. Plan one scenario on its own to see whether "
            "it is infeasible, or give more time (--time-limit).",
            Termination.parse(_termination(solution.status)),
        )
    say("planning the network as given with the stage-1 decisions")
    result = plan(
        network,
        extra_functionality=fix_stage1(solution.stage1),
        validate=False,
        time_limit=time_limit,
        mip_gap=mip_gap,
    )
    weights = np.full(samples, 1.0 / samples)
    scenarios = pd.DataFrame(
        {
            "sample": np.arange(samples),
            "weight": weights,
            "objective": solution.scenario_costs,
            "own_objective": np.nan,
            "ev_objective": np.nan,
        }
    )
    robust: dict[str, Any] = {
        "samples": samples,
        "seed": seed,
        "variations": resolved,
        "method": "Benders decomposition" if method == "benders" else "extensive form",
        "expected_objective": float(np.dot(weights, solution.scenario_costs)),
        "objective_with_cvar": solution.objective,
        "cvar_weight": cvar_weight,
        "cvar_alpha": cvar_alpha,
        "cvar": extensive.cvar(solution.scenario_costs, weights, cvar_alpha),
        "status": solution.status,
        "mip_gap": solution.mip_gap,
        "solver_seconds": solution.seconds,
    }
    if decomposition is not None:
        robust["decomposition"] = decomposition
    if value:
        if drawn is None:  # Benders drew them on its workers
            drawn = [sample_network(network, resolved, seed, i) for i in range(samples)]
        scenarios, robust["value"] = _value_of_solution(
            network, drawn, solution.stage1, scenarios, time_limit, mip_gap, say
        )
    result.tables["scenarios"] = scenarios
    result.summary["robust"] = robust
    result.timings["total"] = time.perf_counter() - start  # the summary's timings too
    return result


def _extensive(
    scenarios: Sequence[Network],
    cvar_weight: float,
    cvar_alpha: float,
    time_limit: float | None,
    mip_gap: float | None,
    log: bool,
    say: Callable[[str], None],
) -> extensive.ExtensiveSolution:
    """Build every scenario here and solve their extensive form."""
    models = []
    for i, net in enumerate(scenarios):
        say(f"building scenario {i + 1} of {len(scenarios)}")
        models.append(scenario_model(net)[0])
    form = extensive.compose(models, cvar_weight=cvar_weight, cvar_alpha=cvar_alpha)
    del models
    say(f"solving the extensive form ({form.lp.num_col_} variables, {form.lp.num_row_} rows)")
    return extensive.solve(form, time_limit=time_limit, mip_gap=mip_gap, log=log)


# -- the value of the stochastic solution -----------------------------------------------
def _value_of_solution(
    network: Network,
    drawn: Sequence[tuple[Network, Any]],
    stage1: dict[str, np.ndarray],
    scenarios: pd.DataFrame,
    time_limit: float | None,
    mip_gap: float | None,
    say: Callable[[str], None],
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Per scenario: RP (the robust stage 1 re-planned), WS (its own optimum) and EEV (the
    stage 1 of the expected-value plan); EVPI and VSS as paired means with 95% CIs."""
    n = len(drawn)
    say("the expected-value plan (mean demand of the scenarios)")
    ev_stage1 = deterministic_stage1(mean_demand_network(network, [net for net, _ in drawn]))
    rp, ws, eev = np.zeros(n), np.zeros(n), np.zeros(n)
    for i, (net, _) in enumerate(drawn):
        say(f"value of the solution: scenario {i + 1} of {n}")
        rp[i] = evaluate(net, stage1, time_limit, mip_gap)
        ws[i] = evaluate(net, None, time_limit, mip_gap)
        eev[i] = evaluate(net, ev_stage1, time_limit, mip_gap)
    out = scenarios.copy()
    out["objective"] = rp
    out["own_objective"] = ws
    out["ev_objective"] = eev
    return out, {
        "RP": float(rp.mean()),
        "WS": float(ws.mean()),
        "EEV": float(eev.mean()),
        "EVPI": paired(rp, ws),
        "VSS": paired(eev, rp),
    }


def paired(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """Mean of ``a - b`` with its standard error and a 95% confidence interval (t)."""
    from scipy import stats

    d = np.asarray(a, float) - np.asarray(b, float)
    n = len(d)
    mean = float(d.mean())
    se = float(d.std(ddof=1) / math.sqrt(n)) if n > 1 else float("nan")
    t = float(stats.t.ppf(0.975, n - 1)) if n > 1 else float("nan")
    return {"mean": mean, "se": se, "lo95": mean - t * se, "hi95": mean + t * se, "n": n}


def deterministic_stage1(network: Network) -> dict[str, np.ndarray]:
    """The stage-1 decisions of the deterministic plan of ``network``: its options, and as
    commitments what it buys ahead."""
    from emsplan.planning.pipeline import plan

    captured: dict[str, np.ndarray] = {}
    result = plan(network, extra_functionality=define_commitments, validate=False)
    model = result.model
    assert model is not None  # a plan just solved keeps its model
    for name in (*FIXED_BINARIES, COMMIT):
        if name in model.variables:
            var = model.variables[name]
            values = np.asarray(var.solution.values, dtype=float)
            values[np.asarray(var.labels.values) < 0] = np.nan
            captured[name] = values
    return captured


def mean_demand_network(network: Network, scenarios: Sequence[Network]) -> Network:
    """``network`` with each demand row's qty the mean over the scenarios (rows matched by
    market, item and period)."""
    key = ["market", "item", "period"]
    qty = pd.concat([s["demand"][[*key, "qty"]] for s in scenarios]).groupby(key)["qty"].mean()
    new = network.copy()
    demand = new["demand"].copy()
    index = pd.MultiIndex.from_frame(demand[key])
    mean = qty.reindex(index).to_numpy(float)
    demand["qty"] = np.where(np.isnan(mean), demand["qty"].to_numpy(float), mean)
    new.tables["demand"] = demand
    return new


def _termination(status: str) -> str:
    if "infeasible" in status:
        return "infeasible"
    if "time" in status:
        return "time_limit"
    return "other"
