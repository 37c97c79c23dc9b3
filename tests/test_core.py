"""The owners of small vocabularies in emsplan.core: labels, period spans, HS codes,
country codes and solver outcomes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import linopy.constants
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from emsplan.core import labels
from emsplan.core.countries import ISO_COUNTRIES, are_countries, is_country
from emsplan.core.hscodes import hs_digits, hs_matches, is_hs_code
from emsplan.core.outcomes import SolverStatus, Termination
from emsplan.core.periods import period_positions, span_mask, spans
from emsplan.optimization.solve import SolveOutcome

#: Names as planners write them, including the labels' own separators.
names = st.text(alphabet=st.sampled_from("AZaz09-_ ./@>:é"), min_size=1, max_size=12)
#: Periods never contain "@" (a label's period is split off at its last "@").
periods = st.text(alphabet=st.sampled_from("AZ09-_ ./>:"), min_size=1, max_size=8)

# -- labels --------------------------------------------------------------------------------
#: Each builder and the text it must give for parts p (byte for byte, as stored today).
BUILDERS: list[tuple[Callable[..., Any], Callable[..., str]]] = [
    (labels.offer_label, lambda p: f"{p[0]}/{p[1]}"),
    (labels.production_label, lambda p: f"{p[0]}/{p[1]}"),
    (labels.node_label, lambda p: f"{p[0]}/{p[1]}"),
    (labels.resource_label, lambda p: f"{p[0]}/{p[1]}"),
    (labels.demand_label, lambda p: f"{p[0]}/{p[1]}/{p[2]}"),
    (labels.arc_label, lambda p: f"{p[0]}>{p[1]}/{p[2]}/{p[3]}"),
    (labels.lane_label, lambda p: f"{p[0]}>{p[1]}/{p[2]}"),
    (labels.content_label, lambda p: f"{p[0]}/{p[1]}/{p[2]}"),
    (labels.allocation_label, lambda p: f"{p[0]}/{p[1]}/{p[2]}"),
    (labels.delivery_label, lambda p: f"{p[0]}/{p[1]}>{p[2]}"),
    (labels.export_label, lambda p: f"{p[0]}/{p[1]}>{p[2]}"),
    (labels.trade_label, lambda p: f"{p[0]}:{p[1]}/{p[2]}>{p[3]}@{p[4]}"),
    (labels.source_label, lambda p: f"{p[0]}:{p[1]}"),
    (labels.sourced_arc_label, lambda p: f"{p[0]}:{p[1]}"),
    (labels.at_period, lambda p: f"{p[0]}@{p[1]}"),
]


@pytest.mark.parametrize(("build", "expected"), BUILDERS, ids=lambda b: getattr(b, "__name__", ""))
@given(data=st.data())
def test_builders_give_the_stored_text_for_one_label_and_for_many(
    build: Callable[..., Any], expected: Callable[..., str], data: st.DataObject
) -> None:
    arity = build.__code__.co_argcount
    rows = data.draw(st.lists(st.tuples(*[names] * arity), min_size=1, max_size=5))
    want = [expected(row) for row in rows]
    assert [build(*row) for row in rows] == want
    columns = list(zip(*rows, strict=True))
    as_series = build(*(pd.Series(c, dtype=object) for c in columns))
    assert isinstance(as_series, pd.Series) and as_series.tolist() == want
    as_strings = build(*(pd.Series(c, dtype="string") for c in columns))
    assert as_strings.tolist() == want
    as_arrays = build(*(np.asarray(c, dtype=object) for c in columns))
    assert isinstance(as_arrays, np.ndarray) and as_arrays.tolist() == want
    rest = (np.asarray(c, dtype=object) for c in columns[1:])
    as_index = build(pd.Index(columns[0], dtype=object), *rest)
    assert isinstance(as_index, pd.Index)
    assert list(as_index) == want


def test_builders_mix_series_arrays_and_scalars_as_the_model_does() -> None:
    scheme = pd.Series(["PLI", "PLI"])
    period = np.asarray(["Q1", "Q2"], dtype=object)
    assert labels.at_period(scheme, period).tolist() == ["PLI@Q1", "PLI@Q2"]
    grid = labels.at_period(np.asarray(["a", "b"], dtype=object)[:, None], period[None, :])
    assert grid.ravel().tolist() == ["a@Q1", "a@Q2", "b@Q1", "b@Q2"]
    assert labels.offer_label(pd.Series(["S", None], dtype="string"), "X").isna().tolist() == [
        False,
        True,
    ]


@given(name=names, period=periods)
def test_at_period_round_trips_even_when_the_name_has_slashes_and_ats(
    name: str, period: str
) -> None:
    assert labels.split_at_period(labels.at_period(name, period)) == (name, period)


@given(scope=names, period=periods)
def test_the_period_is_split_off_at_the_last_at(scope: str, period: str) -> None:
    """A period that itself contains "@" does not survive: its head joins the name."""
    label = labels.at_period(scope, f"{period}@x")
    assert labels.split_at_period(label) == (f"{scope}@{period}", "x")


def test_a_label_without_a_period_is_refused() -> None:
    with pytest.raises(ValueError, match="name@period"):
        labels.split_at_period("PL1/PH")


# -- period spans --------------------------------------------------------------------------
@st.composite
def span_rows(draw: st.DrawFn) -> tuple[list[str], list[Any], list[Any]]:
    order = draw(st.lists(st.sampled_from("ABCDEFG"), min_size=0, max_size=6, unique=True))
    cell = st.one_of(st.none(), st.sampled_from([*order, "Z"]))
    n = draw(st.integers(0, 6))
    return (
        order,
        draw(st.lists(cell, min_size=n, max_size=n)),
        draw(st.lists(cell, min_size=n, max_size=n)),
    )


@given(span_rows())
def test_spans_are_positions_with_open_ends(rows: tuple[list[str], list[Any], list[Any]]) -> None:
    order, starts, ends = rows
    first, last = spans(pd.Series(starts, dtype="string"), pd.Series(ends, dtype="string"), order)

    def position(cell: Any, open_end: float) -> float:
        if cell is None:
            return open_end if order else np.nan
        return float(order.index(cell)) if cell in order else np.nan

    want_first = [position(c, 0.0) for c in starts]
    want_last = [position(c, len(order) - 1.0) for c in ends]
    np.testing.assert_array_equal(first.to_numpy(float), np.asarray(want_first, float))
    np.testing.assert_array_equal(last.to_numpy(float), np.asarray(want_last, float))
    mask = span_mask(first, last, len(order))
    for row, (a, b) in enumerate(zip(want_first, want_last, strict=True)):
        assert mask[row].tolist() == [a <= t <= b for t in range(len(order))]


def test_a_repeated_period_label_takes_its_first_position() -> None:
    assert period_positions(["P1", "P2", "P1"]) == {"P1": 0, "P2": 1}


def test_spans_keep_the_index_of_the_rows() -> None:
    first, last = spans(
        pd.Series(["P2", None], index=[7, 9]), pd.Series([None, "P1"], index=[7, 9]), ["P1", "P2"]
    )
    assert first.to_dict() == {7: 1.0, 9: 0.0} and last.to_dict() == {7: 1.0, 9: 0.0}


# -- HS codes ------------------------------------------------------------------------------
def test_hs_codes_are_digits_with_dots_of_two_to_ten_digits() -> None:
    codes = pd.Series(
        ["85", "8517", "8517.13", "85171300", "8517-13", ".8517", "8", "12345678901", None]
    )
    assert is_hs_code(codes).tolist() == [True] * 4 + [False] * 5


@given(digits=st.text(alphabet="0123456789", min_size=2, max_size=10), data=st.data())
def test_hs_prefixes_match_by_their_digits(digits: str, data: st.DataObject) -> None:
    cut = data.draw(st.integers(1, len(digits)))
    dotted = ".".join(digits[i : i + 2] for i in range(0, len(digits), 2))
    code, prefix = hs_digits(pd.Series([dotted])), hs_digits(pd.Series([f" {digits[:cut]} "]))
    assert code.tolist() == [digits]
    assert hs_matches(code, prefix).tolist() == [True]
    other = "0" if digits[0] != "0" else "1"
    assert hs_matches(code, pd.Series([other + digits[1:]])).tolist() == [False]


def test_a_blank_hs_code_matches_nothing() -> None:
    codes = hs_digits(pd.Series(["8507.60", None], dtype="string"))
    assert hs_matches(codes, pd.Series([None, "85"])).tolist() == [False, False]


# -- countries -----------------------------------------------------------------------------
@given(st.lists(st.one_of(st.none(), st.sampled_from(sorted(ISO_COUNTRIES)), st.text(max_size=3))))
def test_country_columns_agree_with_is_country(cells: list[Any]) -> None:
    assert are_countries(pd.Series(cells, dtype=object)).tolist() == [is_country(c) for c in cells]


# -- solver outcomes -----------------------------------------------------------------------
@pytest.mark.parametrize("status", list(linopy.constants.SolverStatus))
def test_every_linopy_status_is_a_member(status: Any) -> None:
    member = SolverStatus.parse(status)
    assert member == status.value and SolverStatus.parse(status.value) is member


@pytest.mark.parametrize("condition", list(linopy.constants.TerminationCondition))
def test_every_linopy_termination_is_a_member(condition: Any) -> None:
    member = Termination.parse(condition)
    assert member == condition.value and Termination.parse(condition.value) is member


@pytest.mark.parametrize("text", ["", "solved", "OPTIMAL", None, 3])
def test_unknown_outcomes_do_not_crash(text: Any) -> None:
    assert SolverStatus.parse(text) is SolverStatus.UNKNOWN
    assert Termination.parse(text) is Termination.UNKNOWN


def test_outcomes_are_stored_and_written_as_their_text() -> None:
    written = json.dumps({"status": SolverStatus.OK, "termination": Termination.TIME_LIMIT})
    assert written == '{"status": "ok", "termination": "time_limit"}'
    assert f"{Termination.INFEASIBLE_OR_UNBOUNDED}" == "infeasible_or_unbounded"
    assert type(str(SolverStatus.OK)) is str and SolverStatus.FAILED == "failed"


@pytest.mark.parametrize("termination", list(Termination))
def test_optimal_follows_the_termination(termination: Termination) -> None:
    outcome = SolveOutcome(SolverStatus.OK, termination, 1.0, 0.1, "highs")
    assert outcome.optimal is (termination == "optimal")
    assert termination.is_infeasible is (termination in ("infeasible", "infeasible_or_unbounded"))
