"""A robust plan by Benders decomposition, its scenarios spread over a Dask cluster.

Each worker holds a :class:`ScenarioGroup` (a Dask actor): it draws its share of the
scenarios once, builds their models once and keeps each one's recourse LP in HiGHS
between iterations, so an iteration sends a few hundred numbers (the proposed stage-1
decisions) and gets back one cost and one gradient per scenario. The master problem and
the iterations (:func:`emsplan.optimization.benders.decompose`) run in the calling
process. With ``workers=0`` the groups live in the calling process (no cluster).

At the end the best stage-1 decisions are priced with every scenario's full model, its
binaries included (:func:`emsplan.scenarios.stage1.evaluate`), on the same workers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import Any

import numpy as np

from emsplan.data.network import Network
from emsplan.optimization import benders
from emsplan.optimization.extensive import ExtensiveSolution, StructureError


class ScenarioGroup:
    """Some of a robust plan's scenarios, drawn and built where they are solved."""

    def __init__(
        self,
        network: Network,
        variations: Sequence[dict[str, Any]],
        seed: int,
        indices: Sequence[int],
    ) -> None:
        from emsplan.scenarios.stage1 import scenario_model
        from emsplan.scenarios.sweep import sample_network

        self.indices = list(indices)
        self.networks: dict[int, Network] = {}
        self.subproblems: dict[int, benders.Subproblem] = {}
        for i in self.indices:
            net, _ = sample_network(network, variations, seed, i)
            self.networks[i] = net
            self.subproblems[i] = benders.Subproblem(scenario_model(net)[0])

    def structure(self) -> dict[int, Any]:
        """Per scenario: its stage 1 and elastic penalty."""
        return {i: (sub.stage1, sub.penalty) for i, sub in self.subproblems.items()}

    def price(self, z: np.ndarray | None) -> dict[int, benders.Price]:
        return {i: sub.solve(z) for i, sub in self.subproblems.items()}

    def set_penalty(self, penalty: float) -> None:
        for sub in self.subproblems.values():
            sub.set_penalty(penalty)

    def evaluate(
        self, stage1: dict[str, np.ndarray], time_limit: float | None, mip_gap: float | None
    ) -> dict[int, float]:
        from emsplan.scenarios.stage1 import evaluate

        return {i: evaluate(net, stage1, time_limit, mip_gap) for i, net in self.networks.items()}


class _Local:
    """A group in this process, answering like an actor (``.result()``)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return self.value


class _LocalActor:
    def __init__(self, group: ScenarioGroup) -> None:
        self.group = group

    def __getattr__(self, name: str) -> Callable[..., _Local]:
        method = getattr(self.group, name)
        return lambda *args: _Local(method(*args))


def solve(
    network: Network,
    variations: Sequence[dict[str, Any]],
    samples: int,
    seed: int,
    *,
    cvar_weight: float = 0.0,
    cvar_alpha: float = 0.9,
    tolerance: float = 1e-4,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    workers: int = 2,
    scheduler: str | None = None,
    say: Callable[[str], None] = lambda message: None,
) -> tuple[ExtensiveSolution, dict[str, Any]]:
    """The robust stage 1 of ``samples`` scenarios by Benders decomposition: the solution
    (as the extensive form reports one; its scenario costs with the full recourse) and
    what the decomposition did (bounds, iterations, times)."""
    from emsplan.scenarios.sweep import dask_client

    start = time.perf_counter()
    cluster = dask_client(workers, scheduler) if (workers or scheduler) else nullcontext(None)
    with cluster as client:
        if client is None:
            addresses: list[str | None] = [None]
        else:
            addresses = list(client.scheduler_info()["workers"]) or [None]
        chunks = [list(c) for c in np.array_split(np.arange(samples), len(addresses)) if len(c)]
        say(f"drawing and building {samples} scenarios on {len(chunks)} worker(s)")
        groups = []
        for address, chunk in zip(addresses, chunks, strict=False):
            if client is None:
                groups.append(_LocalActor(ScenarioGroup(network, variations, seed, chunk)))
            else:
                future = client.submit(
                    ScenarioGroup,
                    network,
                    variations,
                    seed,
                    chunk,
                    actor=True,
                    workers=[address] if address else None,
                )
                groups.append(future.result())
        weights = np.full(samples, 1.0 / samples)
        stage1, penalty = _structure(groups)
        for pending in [g.set_penalty(penalty) for g in groups]:  # one penalty for all
            pending.result()
        built = time.perf_counter() - start

        def price(z: np.ndarray | None) -> list[benders.Price]:
            answers: dict[int, benders.Price] = {}
            for pending in [g.price(z) for g in groups]:
                answers.update(pending.result())
            return [answers[i] for i in range(samples)]

        def report(step: benders.Progress) -> None:
            say(
                f"Benders iteration {step.iteration} ({step.phase.upper()} master): lower "
                f"{step.lower:,.0f}, upper {step.upper:,.0f}, gap {step.gap:.3%}"
            )

        left = None if time_limit is None else max(time_limit - built, 1.0)
        result = benders.decompose(
            price,
            stage1,
            weights,
            cvar_weight=cvar_weight,
            cvar_alpha=cvar_alpha,
            tolerance=tolerance,
            time_limit=left,
            progress=report,
        )
        iterated = time.perf_counter() - start - built
        say(f"pricing the stage-1 decisions in all {samples} scenarios with their binaries")
        values = stage1.values(result.z)
        costs: dict[int, float] = {}
        for pending in [g.evaluate(values, time_limit, mip_gap) for g in groups]:
            costs.update(pending.result())
    scenario_costs = np.array([costs[i] for i in range(samples)])
    if np.isnan(scenario_costs).any():
        failed = int(np.flatnonzero(np.isnan(scenario_costs))[0])
        raise benders.DecompositionError(
            f"scenario {failed} has no plan with the stage-1 decisions the decomposition "
            "found (its binaries make it infeasible where the relaxation was not); use the "
            "extensive form (--method extensive)"
        )
    expected = benders.objective(scenario_costs, weights, cvar_weight, cvar_alpha)
    gap = (expected - result.lower) / max(abs(expected), 1.0)
    seconds = time.perf_counter() - start
    solution = ExtensiveSolution(
        status=result.status,
        objective=expected,
        best_bound=result.lower,
        mip_gap=gap,
        seconds=seconds,
        scenario_costs=scenario_costs,
        stage1=values,
    )
    info = {
        "iterations": len(result.iterations),
        "lower_bound": result.lower,
        "relaxed_upper_bound": result.upper,
        "relaxed_gap": result.gap,
        "workers": len(groups),
        "build_seconds": built,
        "iteration_seconds": iterated,
        "pricing_seconds": seconds - built - iterated,
    }
    return solution, info


def _structure(groups: Sequence[Any]) -> tuple[benders.Stage1, float]:
    """Stage 1 of the first scenario (checked against every other's layout) and the
    largest elastic penalty."""
    found: dict[int, Any] = {}
    for group in groups:
        found.update(group.structure().result())
    stage1 = found[0][0]
    for i in sorted(found):
        if not stage1.same_layout(found[i][0].layout):
            raise StructureError(
                f"scenario {i + 1} changes the shape of the stage-1 decisions: every "
                "scenario must keep the network's structure (vary quantities, not rows)"
            )
    penalty = max(found[i][1] for i in found)
    return stage1, penalty
