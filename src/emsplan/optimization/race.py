"""Solve one LP with several HiGHS algorithms (or settings) at once, in separate threads;
the first to finish wins and the others are stopped.

At M size no single algorithm is fastest on every network (``benchmarks/README.md``: on six
generated M networks HiGHS's dual simplex took 3.6-36 s and IPX 9.1-11.8 s, each fastest on
some), and racing costs little over the winner alone on this 2-core machine (HiGHS's own
run-to-run spread is 20%), where waiting for the wrong one costs up to 3.8 times.
:func:`emsplan.optimization.choice.highs_race` decides when a model is raced.

:class:`RacingHighs` is linopy's HiGHS interface with its run replaced by the race: linopy
builds the HiGHS model once, the race copies it for each other algorithm, and linopy reads
the status and the solution from the winner, as from any HiGHS run.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Mapping, Sequence
from typing import Any, cast

import highspy

from emsplan.optimization.choice import RACE
from emsplan.optimization.highs_run import HighsRun


class RacingHighs(HighsRun):
    """linopy's HiGHS solver that runs :attr:`entrants` at once (a name each, e.g.
    ``"simplex"``, and the HiGHS options it runs with on top of the solve's, e.g.
    ``{"solver": "simplex", "simplex_strategy": 3}``) and keeps the first to finish."""

    entrants: Mapping[str, dict[str, Any]] = RACE
    #: The name of the entrant that finished first (after a solve).
    winner: str | None = None

    def _solve(self, h: highspy.Highs, *args: Any, **kwargs: Any) -> Any:
        names = list(self.entrants)
        index, runs = race(h, [self.entrants[n] for n in names], self.solver_options)
        self.winner = names[index]
        self.solver_model = first = runs[index]
        return super()._solve(cast(highspy.Highs, _Finished(first)), *args, **kwargs)


def race(
    h: highspy.Highs, settings: Sequence[dict[str, Any]], options: dict[str, Any]
) -> tuple[int, list[highspy.Highs]]:
    """Run ``h`` with the first of ``settings`` and a copy of its model per other one,
    each in its own thread, all with ``options`` and each with its own settings on top
    (HiGHS options, e.g. ``{"solver": "ipx"}``); stop the others when one finishes with a
    settled status (:data:`SETTLED`: an algorithm's failure leaves the race to the
    others).

    Returns the index of the winner and the HiGHS instances (``h`` first; the winner's is
    solved, the others were stopped unless they finished too). Ctrl-C stops them all and
    raises KeyboardInterrupt."""
    entrants = [h]
    for _ in settings[1:]:
        other = highspy.Highs()
        other.setOptionValue("output_flag", False)
        for key, value in options.items():
            if key not in ("output_flag", "log_file", "log_to_console"):
                other.setOptionValue(key, value)
        other.passModel(h.getModel())
        entrants.append(other)
    finished: queue.SimpleQueue[tuple[int, BaseException | None]] = queue.SimpleQueue()

    def run(index: int) -> None:
        try:
            entrants[index].run()
        except BaseException as exc:  # reported to the waiting thread below
            finished.put((index, exc))
        else:
            finished.put((index, None))

    threads = []
    for index, (entrant, own) in enumerate(zip(entrants, settings, strict=True)):
        for key, value in own.items():
            entrant.setOptionValue(key, value)
        entrant.HandleUserInterrupt = True  # cancelSolve() stops it
        thread = threading.Thread(target=run, args=(index,), name=f"emsplan-race-{index}")
        threads.append(thread)
        thread.start()
    first = -1
    try:
        first = _winner(entrants, finished)
    finally:  # the winner, Ctrl-C or an error: stop the others and wait for them
        for index, entrant in enumerate(entrants):
            if index != first:
                entrant.cancelSolve()
        for thread in threads:
            thread.join()
    return first, entrants


#: HiGHS's model statuses that settle a race: the model is solved, proven without a
#: solution, or the run reached a limit the user set (which the others would reach too).
#: Any other (an error of the algorithm, "unknown") leaves the race to the others.
SETTLED = frozenset(
    {
        highspy.HighsModelStatus.kOptimal,
        highspy.HighsModelStatus.kInfeasible,
        highspy.HighsModelStatus.kUnbounded,
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
        highspy.HighsModelStatus.kTimeLimit,
        highspy.HighsModelStatus.kIterationLimit,
        highspy.HighsModelStatus.kObjectiveBound,
        highspy.HighsModelStatus.kObjectiveTarget,
        highspy.HighsModelStatus.kSolutionLimit,
    }
)


def _winner(entrants: list[highspy.Highs], finished: queue.SimpleQueue[Any]) -> int:
    """The index of the first entrant to finish with a settled status (:data:`SETTLED`);
    if none does, the first to finish without an exception (its status tells what went
    wrong); if all raised, the first exception. Waits in short steps so that Ctrl-C is
    heard."""
    ended: list[tuple[int, BaseException | None]] = []
    while len(ended) < len(entrants):
        try:
            index, error = finished.get(timeout=0.1)
        except queue.Empty:
            continue
        if error is None and entrants[index].getModelStatus() in SETTLED:
            return int(index)
        ended.append((index, error))
    for index, error in ended:
        if error is None:
            return index
    raise ended[0][1]  # type: ignore[misc]


class _Finished:
    """A solved HiGHS instance whose ``run`` does nothing: linopy runs the instance it is
    given, and the race has run it already."""

    def __init__(self, highs: highspy.Highs) -> None:
        self._highs = highs

    def run(self) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._highs, name)
