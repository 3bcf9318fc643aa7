"""Raw parameter checking: the quick path for plain lists gives what the careful walk gives, and refuses the rest."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ncquiz.errors import ParamError
from ncquiz.solvers.params import _all_finite, _plain_array, as_array, as_int, coerce
from ncquiz.solvers.spec import KINDS, MAX_ELEMENTS

ENTRIES = st.one_of(st.integers(-10**6, 10**6), st.floats(-1e300, 1e300))


@st.composite
def nested(draw):
    """A rectangular nested list of ints and floats, 0 to 3 levels deep."""
    shape = draw(st.lists(st.integers(1, 4), max_size=3))
    flat = draw(st.lists(ENTRIES, min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
    value = flat[0] if not shape else np.array(flat, dtype=object).reshape(shape).tolist()
    return value, shape, flat


@settings(max_examples=300, deadline=None)
@given(nested())
def test_plain_lists_convert_as_numbers_do(case):
    value, shape, flat = case
    a = _plain_array(value)
    expected = np.array([float(v) for v in flat]).reshape(shape)
    assert a is not None and a.dtype == np.float64 and a.shape == tuple(shape)
    assert a.tobytes() == expected.tobytes() and a.flags.c_contiguous and a.flags.writeable
    assert as_array("x", value).tobytes() == expected.tobytes()


ODD = [
    (1, 2), [[1, 2], (3, 4)], [True, 1], [[1.0, False]], True, "1", ["1"], None, [None], [1, [2]], [[1], 2],
    [], [[]], [[1, 2], [3]], [{0: 1, 1: 2}, {0: 3, 1: 4}], [np.float64(1.0)], np.float64(2.0), [float("nan")],
    [[1.0, float("inf")]], -float("inf"), [10**400], 10**400, [1e308, 1e308], [[0] * 1001] * 1000,
    [0] * (MAX_ELEMENTS + 1), {"a": 1}, [1j],
]


@pytest.mark.parametrize("value", ODD, ids=range(len(ODD)))
def test_anything_unusual_takes_the_careful_walk(value):
    assert _plain_array(value) is None


def test_careful_walk_still_decides_the_unusual():
    assert as_array("x", [[1, 2], (3, 4)]).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert as_array("x", [np.float64(1.5)]).tolist() == [1.5]
    assert as_array("x", [1e308, 1e308]).tolist() == [1e308, 1e308]
    for value, message in [([True, 1], "entry [0] is true, expected a number"),
                           ([{0: 1, 1: 2}, {0: 3, 1: 4}], "entry [0] is an object, expected a number"),
                           ([[1.0, float("inf")]], "expected a finite number"),
                           ([10**400], "expected a finite number"),
                           ([[0] * 1001] * 1000, "too large")]:
        with pytest.raises(ParamError, match=message.replace("[", r"\[").replace("]", r"\]")):
            as_array("x", value)
    with pytest.raises(ParamError, match="expected a matrix, got a vector"):
        as_array("x", [1, 2], (2,))


def test_all_finite():
    assert _all_finite(np.array([1.0, -2.0])) and _all_finite(np.array([1e308, 1e308, -1e308]))
    assert _all_finite(np.full(100, 1e308))
    for bad in (np.nan, np.inf, -np.inf):
        for n in (1, 5, 100):
            a = np.zeros(n)
            a[n // 2] = bad
            assert not _all_finite(a)
    with pytest.raises(ParamError, match="NaN or infinity"):
        as_array("x", np.array([[1.0, np.nan]]))
    assert as_array("x", np.array([[1, 2]], dtype=np.int64)).dtype == np.float64


def test_whole_numbers():
    assert as_int("n", 5, 1) == 5 and type(as_int("n", 5.0)) is int and as_int("n", -3) == -3
    for value, message in [(0, ">= 1"), (True, "expected a number, got true"), (10**7, "too large"),
                           (2.5, "whole number")]:
        with pytest.raises(ParamError, match=message):
            as_int("n", value, 1)


def test_defaults_are_converted_once_and_shared_read_only():
    kind = KINDS["conv2d"]
    a = coerce(kind, {"input": [[1, 2], [3, 4]], "kernel": [[1]]})
    b = coerce(kind, {"input": [[1, 2], [3, 4]], "kernel": [[1]]})
    assert a["bias"] is b["bias"] and not a["bias"].flags.writeable and float(a["bias"]) == 0.0
    assert a["stride"] == (1, 1) and a["flip"] is False
    assert a["input"] is not b["input"] and a["input"].flags.writeable
