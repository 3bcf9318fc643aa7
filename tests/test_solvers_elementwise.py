"""Activation and normalisation solvers: hand-worked cases, definitions, properties, bad params."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from helpers import fails

from ncquiz.solvers import solve
from ncquiz.solvers.elementwise import activation, normalize

SETTINGS = settings(max_examples=60, deadline=None)

FLOATS = st.floats(-50, 50, allow_nan=False)
ARRAYS = hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4), elements=FLOATS)
# Normal floats only: with subnormal inputs the naive reference formula itself underflows.
VECTORS = hnp.arrays(np.float64, st.integers(2, 12), elements=st.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False))


# ---------------------------------------------------------------- activation: hand-worked cases


def test_softmax_of_1_2_3():
    sol = solve("activation", {"input": [1, 2, 3], "fn": "softmax"})
    total = math.e + math.e**2 + math.e**3
    np.testing.assert_allclose(sol.answer, [math.e / total, math.e**2 / total, math.e**3 / total], rtol=1e-14)
    np.testing.assert_allclose(sol.answer, [0.0900, 0.2447, 0.6652], atol=5e-5)
    text = "\n".join(sol.steps)
    assert "e^(1 - 3) = 0.1353" in text  # e^-2
    assert "Sum: 0.1353 + 0.3679 + 1 = 1.5032" in text
    assert "1/1.5032 = 0.6652" in text


def test_softmax_is_per_row_and_of_a_number_is_1():
    sol = solve("activation", {"input": [[0, 0], [0, math.log(3)]], "fn": "softmax"})
    np.testing.assert_allclose(sol.answer, [[0.5, 0.5], [0.25, 0.75]], rtol=1e-14)
    assert float(solve("activation", {"input": 7.5, "fn": "softmax"}).answer) == 1.0


def test_sigmoid_of_0_5():
    sol = solve("activation", {"input": [0.5, 0, -0.5], "fn": "sigmoid"})
    s = 1 / (1 + math.exp(-0.5))
    np.testing.assert_allclose(sol.answer, [s, 0.5, 1 - s], rtol=1e-15)
    assert "sigmoid(0.5) = 1/(1 + e^-0.5) = 0.6225" in sol.steps
    assert "sigmoid(-0.5) = 1/(1 + e^0.5) = 0.3775" in sol.steps


def test_tanh_relu_and_leaky_relu_by_hand():
    tanh = solve("activation", {"input": [0, 1], "fn": "tanh"})
    np.testing.assert_allclose(tanh.answer, [0, (math.e - 1 / math.e) / (math.e + 1 / math.e)], rtol=1e-15)
    assert "tanh(1) = (e^1 - e^-1)/(e^1 + e^-1) = 0.7616" in tanh.steps
    relu = solve("activation", {"input": [[-2, 0], [3, -0.5]], "fn": "relu"})
    np.testing.assert_array_equal(relu.answer, [[0, 0], [3, 0]])
    assert "relu(-2) = max(0, -2) = 0" in relu.steps
    leaky = solve("activation", {"input": [-2, 3], "fn": "leaky-relu"})
    np.testing.assert_allclose(leaky.answer, [-0.02, 3], rtol=1e-15)
    assert "leaky-relu(-2) = 0.01*(-2) = -0.02" in leaky.steps
    steep = solve("activation", {"input": [-2, 3], "fn": "leaky_relu", "slope": 0.2})
    np.testing.assert_allclose(steep.answer, [-0.4, 3], rtol=1e-15)


def test_steps_are_bounded_for_large_inputs():
    sol = solve("activation", {"input": np.linspace(-3, 3, 600).reshape(20, 30).tolist(), "fn": "softmax"})
    assert "other 19 row(s)" in "\n".join(sol.steps)
    assert sum(len(s) for s in sol.steps) < 2000


# ---------------------------------------------------------------- activation: definitions and properties


@SETTINGS
@given(ARRAYS, st.floats(0, 1))
def test_relu_and_leaky_relu_by_definition(x, slope):
    relu = activation(x, "relu").answer
    leaky = activation(x, "leaky-relu", slope).answer
    assert np.shape(relu) == x.shape == np.shape(leaky)
    for v, r, lk in zip(x.ravel(), np.ravel(relu), np.ravel(leaky)):
        assert r == (v if v > 0 else 0.0)
        assert lk == (v if v >= 0 else slope * v)


@SETTINGS
@given(ARRAYS)
def test_sigmoid_and_tanh_by_definition(x):
    sig = np.ravel(activation(x, "sigmoid").answer)
    tanh = np.ravel(activation(x, "tanh").answer)
    for v, s, t in zip(x.ravel(), sig, tanh):
        assert s == pytest.approx(1 / (1 + math.exp(-v)), rel=1e-13, abs=1e-300)
        assert t == pytest.approx(math.tanh(v), rel=1e-13, abs=1e-300)


@SETTINGS
@given(ARRAYS)
def test_sigmoid_is_antisymmetric_about_one_half(x):
    s = np.asarray(activation(x, "sigmoid").answer)
    np.testing.assert_allclose(np.asarray(activation(-x, "sigmoid").answer), 1 - s, rtol=0, atol=1e-15)


@SETTINGS
@given(ARRAYS.filter(lambda a: a.ndim > 0), st.floats(-100, 100))
def test_softmax_rows_sum_to_1_and_ignore_a_shift(x, c):
    p = activation(x, "softmax").answer
    assert p.shape == x.shape
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-13)
    assert np.all(p > 0) and np.all(p <= 1)
    np.testing.assert_allclose(activation(x + c, "softmax").answer, p, rtol=1e-9, atol=1e-15)


def test_no_overflow_for_large_inputs():
    x = np.array([[-1000.0, 0.0, 1000.0], [800.0, 801.0, 799.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sig = activation(x, "sigmoid").answer
        soft = activation(x, "softmax").answer
        tanh = activation(x, "tanh").answer
    np.testing.assert_array_equal(sig[0], [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(tanh[0], [-1.0, 0.0, 1.0])
    np.testing.assert_allclose(soft[1], activation(np.array([1.0, 2.0, 0.0]), "softmax").answer, rtol=1e-14)


# ---------------------------------------------------------------- normalize: hand-worked cases


def test_minmax_of_2_4_6_10():
    sol = solve("normalize", {"input": [2, 4, 6, 10], "method": "minmax"})
    # (x - 2)/(10 - 2)
    np.testing.assert_array_equal(sol.answer, [0, 2 / 8, 4 / 8, 1])
    assert "min = 2, max = 10" in sol.steps
    assert "(4 - 2)/(10 - 2) = 0.25" in sol.steps


def test_minmax_to_another_range():
    sol = solve("normalize", {"input": [2, 4, 6, 10], "method": "minmax", "range": [-1, 1]})
    # -1 + (x - 2)*2/8
    np.testing.assert_allclose(sol.answer, [-1, -0.5, 0, 1], rtol=0, atol=1e-15)
    assert "-1 + (4 - 2)*(1 - (-1))/(10 - 2) = -0.5" in sol.steps


def test_zscore_population_and_sample():
    # mean 5.5; squared deviations 12.25 + 2.25 + 0.25 + 20.25 = 35
    x = [2, 4, 6, 10]
    pop = solve("normalize", {"input": x, "method": "zscore"})
    np.testing.assert_allclose(pop.answer, [(v - 5.5) / math.sqrt(35 / 4) for v in x], rtol=1e-14)
    sample = solve("normalize", {"input": x, "method": "zscore", "ddof": 1})
    np.testing.assert_allclose(sample.answer, [(v - 5.5) / math.sqrt(35 / 3) for v in x], rtol=1e-14)
    text = "\n".join(pop.steps)
    assert "mean = (2 + 4 + 6 + 10)/4 = 22/4 = 5.5" in text
    assert "12.25 + 2.25 + 0.25 + 20.25 = 35" in text
    assert "std = sqrt(35/(4 - 0)) = sqrt(8.75) = 2.958" in text
    assert "(2 - 5.5)/2.958 = -1.1832" in text
    assert "sqrt(35/(4 - 1))" in "\n".join(sample.steps)


def test_tanh_normalisation_is_tanh_of_the_zscore():
    sol = solve("normalize", {"input": [1, 3], "method": "tanh"})
    # mean 2, population std 1: z = [-1, 1]
    np.testing.assert_allclose(sol.answer, [math.tanh(-1), math.tanh(1)], rtol=1e-15)
    assert "tanh((1 - 2)/1) = tanh(-1) = -0.7616" in sol.steps


# ---------------------------------------------------------------- normalize: properties


@SETTINGS
@given(VECTORS.filter(lambda v: v.min() < v.max()), st.floats(-10, 10), st.floats(0.1, 10))
def test_minmax_hits_both_ends_and_keeps_the_order(x, lo, width):
    hi = lo + width
    y = normalize(x, "minmax", (lo, hi)).answer
    assert y.min() == lo and y.max() == hi
    assert np.all(np.diff(y[np.argsort(x, kind="stable")]) >= -1e-12)
    ref = [lo + (v - x.min()) * (hi - lo) / (x.max() - x.min()) for v in x]
    np.testing.assert_allclose(y, ref, rtol=1e-12, atol=1e-12)


@SETTINGS
@given(VECTORS.filter(lambda v: np.ptp(v) > 1e-6), st.integers(0, 1))
def test_zscore_has_mean_0_and_std_1(x, ddof):
    z = normalize(x, "zscore", (0.0, 1.0), ddof).answer
    n = len(x)
    mean = sum(x) / n
    std = math.sqrt(sum((v - mean) ** 2 for v in x) / (n - ddof))
    np.testing.assert_allclose(z, [(v - mean) / std for v in x], rtol=1e-9, atol=1e-12)
    assert abs(z.mean()) < 1e-12
    assert z.std(ddof=ddof) == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_allclose(normalize(x, "tanh", (0.0, 1.0), ddof).answer, np.tanh(z), rtol=1e-15)


def test_normalisation_of_huge_and_tiny_values():
    x = np.array([1.0, 2.0, 4.0])
    z = normalize(x, "zscore").answer
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for scale in (2.0**900, 2.0**-1000):  # exact scalings: the same z-scores bit for bit
            np.testing.assert_array_equal(normalize(x * scale, "zscore").answer, z)
        for scale in (1e300, 1e-300):  # squares would overflow or underflow without care
            np.testing.assert_allclose(normalize(x * scale, "zscore").answer, z, rtol=1e-14)
        np.testing.assert_array_equal(normalize(np.array([-1e308, 1e308, 0.0]), "minmax").answer, [0, 1, 0.5])


# ---------------------------------------------------------------- bad params


@pytest.mark.parametrize(
    ("kind", "params", "field", "words"),
    [
        ("normalize", {"input": [3, 3, 3], "method": "minmax"}, "input",
         "all values are equal; min-max scaling is undefined"),
        ("normalize", {"input": [3, 3], "method": "zscore"}, "input", "standard deviation is 0"),
        ("normalize", {"input": [5], "method": "tanh"}, "input", "all values are equal"),
        ("normalize", {"input": [1, 2], "method": "zscore", "ddof": 2}, "ddof", "less than the number of values 2"),
        ("activation", {"input": [-1e300], "fn": "leaky-relu", "slope": 1e10}, "slope", "overflows"),
    ],
)
def test_bad_params_name_the_field(kind, params, field, words):
    error = fails(kind, params)
    assert error.field == field
    assert words in error.reason


def test_ddof_is_ignored_by_minmax():
    sol = solve("normalize", {"input": [1, 3], "method": "minmax", "ddof": 5})
    np.testing.assert_array_equal(sol.answer, [0, 1])
