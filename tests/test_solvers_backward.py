"""conv2d_backward and maxpool_backward: hand-worked cases, finite differences, naive loops, bad params."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.lib.stride_tricks import sliding_window_view

from helpers import fails

from ncquiz.solvers import solve
from ncquiz.solvers.backward import conv2d_backward, maxpool_backward

FAST = settings(max_examples=60, deadline=None)
D2L = {"input": [[0, 1, 2], [3, 4, 5], [6, 7, 8]], "kernel": [[0, 1], [2, 3]]}


# ---------------------------------------------------------------- independent references


def forward_conv(x, k, stride, padding):
    """Cross-correlation with numpy's own sliding windows (not the solver's code)."""
    xp = np.pad(x, ((padding[0],) * 2, (padding[1],) * 2))
    win = sliding_window_view(xp, k.shape)[:: stride[0], :: stride[1]]
    return np.einsum("hwij,ij->hw", win, k)


def forward_maxpool(x, size, stride, padding):
    xp = np.pad(x, ((padding[0],) * 2, (padding[1],) * 2), constant_values=-np.inf)
    return sliding_window_view(xp, size)[:: stride[0], :: stride[1]].max(axis=(2, 3))


def naive_maxpool_backward(x, size, stride, padding, g):
    """Loop over windows; scan each row by row for its first maximum; add the window's gradient there."""
    h, w = x.shape
    out = np.zeros_like(x)
    for i in range(g.shape[0]):
        for j in range(g.shape[1]):
            best, at = -np.inf, None
            for r in range(i * stride[0] - padding[0], i * stride[0] - padding[0] + size[0]):
                for c in range(j * stride[1] - padding[1], j * stride[1] - padding[1] + size[1]):
                    if 0 <= r < h and 0 <= c < w and x[r, c] > best:
                        best, at = x[r, c], (r, c)
            out[at] += g[i, j]
    return out


def central_difference(f, a, index, h=0.5):
    up, down = a.copy(), a.copy()
    up[index] += h
    down[index] -= h
    return (f(up) - f(down)) / (2 * h)


@st.composite
def conv_backward_cases(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    lo = [max(1, (kh, kw)[a] - 2 * padding[a]) for a in (0, 1)]
    h, w = draw(st.integers(lo[0], lo[0] + 4)), draw(st.integers(lo[1], lo[1] + 4))
    out = ((h + 2 * padding[0] - kh) // stride[0] + 1, (w + 2 * padding[1] - kw) // stride[1] + 1)
    return rng.normal(size=(h, w)), rng.normal(size=(kh, kw)), rng.normal(size=out), stride, padding


@st.composite
def maxpool_cases(draw):
    """Inputs with distinct values (so the maximum of each window is unique and stays put under a small nudge)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    size = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = tuple(draw(st.integers(0, size[a] // 2)) for a in (0, 1))
    lo = [max(1, size[a] - 2 * padding[a]) for a in (0, 1)]
    h, w = draw(st.integers(lo[0], lo[0] + 4)), draw(st.integers(lo[1], lo[1] + 4))
    x = rng.permutation(h * w).reshape(h, w) - h * w / 2.0
    out = ((h + 2 * padding[0] - size[0]) // stride[0] + 1, (w + 2 * padding[1] - size[1]) // stride[1] + 1)
    return x, size, stride, padding, rng.integers(-3, 4, out).astype(float)


# ---------------------------------------------------------------- conv2d_backward


def test_conv2d_backward_by_hand():
    # grad_kernel[a][b] = sum g[i][j] x[i+a][j+b]: (0,0) = 0*1 + 1*2 + 3*3 + 4*4 = 27, ...
    # grad_input: g00*K at (0,0) + g01*K at (0,1) + g10*K at (1,0) + g11*K at (1,1); e.g. (1,1) = 3 + 4 + 3 + 0 = 10
    sol = solve("conv2d-backward", {**D2L, "grad_output": [[1, 2], [3, 4]]})
    np.testing.assert_array_equal(sol.answer["grad_kernel"], [[27, 37], [57, 67]])
    np.testing.assert_array_equal(sol.answer["grad_input"], [[0, 1, 2], [2, 10, 10], [6, 17, 12]])
    assert sol.answer["grad_bias"] == 10.0 and isinstance(sol.answer["grad_bias"], float)
    assert set(sol.answer) == {"grad_input", "grad_kernel", "grad_bias"}
    text = "\n".join(sol.steps)
    assert "grad_bias = 1 + 2 + 3 + 4 = 10" in text
    assert "0*1 + 1*2 + 3*3 + 4*4 = 27" in text
    assert "grad_output[0][1] = 2: 2 * kernel = [[0, 2], [4, 6]], added to x_p's gradient at rows 0-1 and cols 1-2" in text


def test_conv2d_backward_stride_and_padding_by_hand():
    # padded 5x5 input; stride 2 puts g's blocks at rows/cols 0 and 2 of the padded grid:
    #   0 1 0 2 0 / 2 3 4 6 0 / 0 3 0 4 0 / 6 9 8 12 0 / 0 0 0 0 0, then the border is dropped
    # grad_kernel[0][0] = x_p[0][0]*1 + x_p[0][2]*2 + x_p[2][0]*3 + x_p[2][2]*4 = 0 + 0 + 0 + 4*4 = 16
    sol = solve("conv2d-backward", {**D2L, "grad_output": [[1, 2], [3, 4]], "stride": 2, "padding": 1})
    np.testing.assert_array_equal(sol.answer["grad_input"], [[3, 4, 6], [3, 0, 4], [9, 8, 12]])
    np.testing.assert_array_equal(sol.answer["grad_kernel"], [[16, 29], [30, 54]])
    text = "\n".join(sol.steps)
    assert "x_p rows 0, 2 and cols 0, 2" in text and "0*1 + 0*2 + 0*3 + 4*4 = 16" in text
    assert "2   3   4   6   0" in text  # the scattered 5x5 grid before its border is dropped


@FAST
@given(conv_backward_cases())
def test_conv2d_backward_matches_finite_differences(case):
    x, k, g, stride, padding = case
    got = conv2d_backward(x, k, g, stride, padding).answer

    def loss(xx, kk):
        return float(np.sum(g * forward_conv(xx, kk, stride, padding)))

    for index in np.ndindex(x.shape):
        want = central_difference(lambda a: loss(a, k), x, index)
        assert got["grad_input"][index] == pytest.approx(want, rel=1e-9, abs=1e-9)
    for index in np.ndindex(k.shape):
        want = central_difference(lambda a: loss(x, a), k, index)
        assert got["grad_kernel"][index] == pytest.approx(want, rel=1e-9, abs=1e-9)
    assert got["grad_bias"] == pytest.approx(g.sum())  # d/db of sum(g * (conv + b))


# ---------------------------------------------------------------- maxpool_backward


def test_maxpool_backward_tie_and_overlap_by_hand():
    # size 2, stride 1: windows' maxima 3 at (0,1); 5 at (1,2); 4 at (2,0) (tie with (2,1): first wins); 5 at (1,2)
    # (1,2) is the maximum of two windows, so it collects 2 + 4 = 6
    sol = solve("maxpool-backward", {"input": [[1, 3, 3], [2, 0, 5], [4, 4, 1]], "size": 2, "stride": 1,
                                     "grad_output": [[1, 2], [3, 4]]})
    np.testing.assert_array_equal(sol.answer, [[0, 1, 0], [0, 0, 6], [3, 0, 0]])
    text = "\n".join(sol.steps)
    assert "max 4 at input[2][0] (first of 2 equal maxima), which gets grad_output[1][0] = 3" in text
    assert "gradients add" in text


def test_maxpool_backward_default_stride_and_padding_by_hand():
    # 4x4, 2x2 windows, stride = size: maxima 6, 8, 14, 16 at the bottom-right of each block
    got = solve("maxpool-backward", {"input": np.arange(1, 17).reshape(4, 4).tolist(), "size": 2,
                                     "grad_output": [[1, 2], [3, 4]]}).answer
    np.testing.assert_array_equal(got, [[0, 0, 0, 0], [0, 1, 0, 2], [0, 0, 0, 0], [0, 3, 0, 4]])
    # padding 1 with -inf: each 2x2 window holds one input entry, which wins even when negative
    sol = solve("maxpool-backward", {"input": [[-1, -2], [-3, -4]], "size": 2, "padding": 1,
                                     "grad_output": [[1, 2], [3, 4]]})
    np.testing.assert_array_equal(sol.answer, [[1, 2], [3, 4]])
    assert "(the rest is padding) = [[-1]]: max -1 at input[0][0]" in "\n".join(sol.steps)


@FAST
@given(maxpool_cases())
def test_maxpool_backward_matches_naive_loop(case):
    x, size, stride, padding, g = case
    x = np.round(x / 3)  # many ties: the first maximum in row-major order must win
    got = maxpool_backward(x, size, stride, g, padding).answer
    np.testing.assert_array_equal(got, naive_maxpool_backward(x, size, stride, padding, g))


@FAST
@given(maxpool_cases())
def test_maxpool_backward_matches_finite_differences(case):
    x, size, stride, padding, g = case
    got = maxpool_backward(x, size, stride, g, padding).answer
    for index in np.ndindex(x.shape):
        want = central_difference(lambda a: float(np.sum(g * forward_maxpool(a, size, stride, padding))), x, index,
                                  h=0.25)
        assert got[index] == pytest.approx(want, abs=1e-12)


# ---------------------------------------------------------------- bad params


@pytest.mark.parametrize("kind, params, field, words", [
    ("conv2d-backward", {**D2L, "grad_output": np.ones((3, 3)).tolist()}, "grad_output",
     ["expected shape (2, 2), the output of the forward convolution, got (3, 3)"]),
    ("conv2d-backward", {"input": [[1, 2], [3, 4]], "kernel": np.ones((3, 3)).tolist(), "grad_output": [[1]]},
     "kernel", ["3x3 kernel is larger than the 2x2 padded input"]),
    ("maxpool-backward", {"input": np.ones((4, 4)).tolist(), "size": 2, "grad_output": [[1]]}, "grad_output",
     ["expected shape (2, 2), the output of the forward max pooling, got (1, 1)"]),
    ("maxpool-backward", {"input": np.ones((4, 4)).tolist(), "size": 2, "padding": 2, "grad_output": [[1]]},
     "padding", ["more than half the window size 2"]),
    ("maxpool-backward", {"input": [[1, 2]], "size": 2, "grad_output": [[1]]}, "size",
     ["2x2 window is larger than the 1x2 padded input"]),
])
def test_bad_params_name_the_field(kind, params, field, words):
    error = fails(kind, params)
    assert error.field == field
    for w in words:
        assert w in error.reason


@pytest.mark.parametrize("kind, params, field", [
    ("conv2d-backward", {"input": [[1]], "kernel": [[1]], "grad_output": [[1]], "padding": 10**6}, "padding"),
    ("maxpool-backward", {"input": np.ones((2000, 10)).tolist(), "size": [1000, 1], "stride": 1,
                          "grad_output": [[1]]}, "size"),
])
def test_huge_arrays_are_refused_before_allocation(kind, params, field):
    start = time.perf_counter()
    error = fails(kind, params)
    assert error.field == field
    assert "more than 1,000,000" in error.reason
    assert time.perf_counter() - start < 0.5
