"""Number writing for worked steps: the list helpers agree with num, the aligned grid with a plain rjust."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ncquiz.solvers import fmt

NUMBERS = st.one_of(
    st.integers(-10**6, 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 0.5, -0.5, 1e-5, -1e-5, 1e15, -1e15, 2.00005, 1 / 3]),
)


def written_with_rjust(a, indent="  "):
    """The grid as it was first written: each number num'd, right-justified to the widest, two spaces apart."""
    cells = [[fmt.num(x) for x in row] for row in np.atleast_2d(a).tolist()]
    width = max(len(c) for row in cells for c in row)
    return "\n".join(indent + "  ".join(c.rjust(width) for c in row) for row in cells)


@settings(max_examples=200, deadline=None)
@given(st.lists(NUMBERS, max_size=12), st.booleans())
def test_nums_is_num_of_each(values, fresh):
    if fresh:  # numbers not yet in the memo take the per-number path
        fmt._TEXTS.clear()
    assert fmt.nums(values) == [fmt.num(v) for v in values]
    assert fmt.nums(values) == [fmt.num(v) for v in values]  # now all from the memo


def test_num_memo_is_bounded_and_keeps_answers():
    fmt._TEXTS.clear()
    texts = [fmt.num(i + 0.5) for i in range(fmt._MAX_TEXTS + 10)]
    assert len(fmt._TEXTS) <= fmt._MAX_TEXTS
    assert texts[:3] == ["0.5", "1.5", "2.5"] and fmt.num(0.5) == "0.5"


def test_num_of_numpy_values_and_other_digits():
    assert fmt.num(np.float64(0.76159)) == "0.7616"
    assert fmt.num(np.array(2.0)) == "2"
    assert fmt.num(np.int64(-3)) == "-3"
    assert fmt.num(1 / 3, 2) == "0.33" and fmt.num(1 / 3) == "0.3333"


def test_pars_brackets_negatives_only():
    assert fmt.pars(["1", "-2", "0", "-inf", "1e-05"]) == ["1", "(-2)", "0", "(-inf)", "1e-05"]


def test_num_rows():
    rows = [[1.0, -2.5], [0.125, 3.0]]
    assert fmt.num_rows(rows) == [["1", "-2.5"], ["0.125", "3"]]
    fmt._TEXTS.clear()
    assert fmt.num_rows([[7.25]]) == [["7.25"]]


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.data())
def test_grid_is_right_justified_columns(rows, cols, data):
    values = data.draw(st.lists(st.floats(-1e6, 1e6), min_size=rows * cols, max_size=rows * cols))
    a = np.array(values).reshape(rows, cols)
    assert fmt.grid(a) == written_with_rjust(a)
    assert fmt.grid(a[0]) == written_with_rjust(a[0])


def test_grid_of_a_number_and_of_channels():
    assert fmt.grid(np.array(-1.5)) == "  -1.5"
    a = np.arange(8.0).reshape(2, 2, 2)
    assert fmt.grid(a) == "  [0]\n    0  1\n    2  3\n  [1]\n    4  5\n    6  7"


def test_aligned():
    assert fmt.aligned(["1", "-10", "2.5", "0"], 2) == "    1  -10\n  2.5    0"
    assert fmt.aligned(["3"], 1, "") == "3"


def test_shape():
    assert fmt.shape((3, 4)) == "3x4" and fmt.shape([2, 5, 5]) == "2x5x5" and fmt.shape((np.int64(2),)) == "2"
