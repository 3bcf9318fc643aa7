"""conv2d and conv_transpose2d: hand-worked cases, naive loops, flip and adjointness properties, bad params."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import fails

from ncquiz.solvers import solve
from ncquiz.solvers.convolution import conv2d, conv_transpose2d

FAST = settings(max_examples=60, deadline=None)
D2L = {"input": [[0, 1, 2], [3, 4, 5], [6, 7, 8]], "kernel": [[0, 1], [2, 3]]}
D2L_2CH = {  # d2l's multi-input-channel example
    "input": [[[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]],
    "kernel": [[[0, 1], [2, 3]], [[1, 2], [3, 4]]],
}


def answer(kind, **params):
    return solve(kind, params).answer


def call_conv2d(x, k, stride, padding, dilation, bias, flip=False):
    """The solver with the values params.py would hand it."""
    return conv2d(x, k, stride, padding, dilation, np.asarray(bias, dtype=float), flip).answer


def call_transpose(x, k, stride, padding, output_padding, dilation, bias):
    return conv_transpose2d(x, k, stride, padding, output_padding, dilation, np.asarray(bias, dtype=float)).answer


# ---------------------------------------------------------------- independent references


def naive_conv2d(x, k, stride, padding, dilation, bias):
    """Cross-correlation by loops over filters, output rows and cols (and channels and taps)."""
    x3 = x if x.ndim == 3 else x[None]
    k4 = k.reshape((1,) * (4 - k.ndim) + k.shape)
    c, h, w = x3.shape
    o, _, kh, kw = k4.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    xp = np.zeros((c, h + 2 * ph, w + 2 * pw))
    xp[:, ph : ph + h, pw : pw + w] = x3
    starts_r = range(0, xp.shape[1] - dh * (kh - 1), sh)  # every window that fits
    starts_c = range(0, xp.shape[2] - dw * (kw - 1), sw)
    b = np.broadcast_to(np.asarray(bias, dtype=float), (o,))
    out = np.zeros((o, len(starts_r), len(starts_c)))
    for f in range(o):
        for i, r in enumerate(starts_r):
            for j, s in enumerate(starts_c):
                total = b[f]
                for ch in range(c):
                    for a in range(kh):
                        for bb in range(kw):
                            total += xp[ch, r + a * dh, s + bb * dw] * k4[f, ch, a, bb]
                out[f, i, j] = total
    return out if k.ndim == 4 else out[0]


def naive_transpose(x, k, stride, padding, output_padding, dilation, bias):
    """Scatter loop: x[c,i,j]*k[c,o] added at (i*s, j*s), output_padding rows/cols below/right, p cropped."""
    x3 = x if x.ndim == 3 else x[None]
    w4 = k[:, None] if k.ndim == 3 else k.reshape((1,) * (4 - k.ndim) + k.shape)
    c, h, w = x3.shape
    _, o, kh, kw = w4.shape
    (sh, sw), (ph, pw), (oph, opw), (dh, dw) = stride, padding, output_padding, dilation
    full = np.zeros((o, (h - 1) * sh + dh * (kh - 1) + 1 + oph, (w - 1) * sw + dw * (kw - 1) + 1 + opw))
    for ch in range(c):
        for i in range(h):
            for j in range(w):
                for f in range(o):
                    for a in range(kh):
                        for bb in range(kw):
                            full[f, i * sh + a * dh, j * sw + bb * dw] += x3[ch, i, j] * w4[ch, f, a, bb]
    out = full[:, ph : full.shape[1] - ph, pw : full.shape[2] - pw] + np.asarray(bias, dtype=float).reshape(-1, 1, 1)
    return out if k.ndim == 4 else out[0]


def formula(n, k, s, p, d):
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


# ---------------------------------------------------------------- hypothesis cases


@st.composite
def conv_cases(draw):
    """Random conv2d params whose (dilated) kernel fits the padded input; integer values."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kdim = draw(st.sampled_from([2, 3, 4]))
    c = 1 if kdim == 2 else draw(st.integers(1, 3))
    o = draw(st.integers(1, 3)) if kdim == 4 else 1
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    lo = [max(1, dilation[a] * ((kh, kw)[a] - 1) + 1 - 2 * padding[a]) for a in (0, 1)]
    h, w = draw(st.integers(lo[0], lo[0] + 5)), draw(st.integers(lo[1], lo[1] + 5))
    xshape = (c, h, w) if c > 1 or draw(st.booleans()) else (h, w)
    kshape = {2: (kh, kw), 3: (c, kh, kw), 4: (o, c, kh, kw)}[kdim]
    x = rng.integers(-4, 5, xshape).astype(float)
    k = rng.integers(-3, 4, kshape).astype(float)
    bias = rng.integers(-2, 3, o).astype(float) if draw(st.booleans()) else float(rng.integers(-2, 3))
    return x, k, stride, padding, dilation, bias


@st.composite
def transpose_cases(draw):
    """Random conv_transpose2d params PyTorch accepts (output_padding < max(stride, dilation), output >= 1)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kdim = draw(st.sampled_from([2, 3, 4]))
    c = 1 if kdim == 2 else draw(st.integers(1, 3))
    o = draw(st.integers(1, 3)) if kdim == 4 else 1
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    h, w = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    op = tuple(draw(st.integers(0, max(stride[a], dilation[a]) - 1)) for a in (0, 1))
    full = ((h - 1) * stride[0] + dilation[0] * (kh - 1) + 1, (w - 1) * stride[1] + dilation[1] * (kw - 1) + 1)
    padding = tuple(draw(st.integers(0, (full[a] + op[a] - 1) // 2)) for a in (0, 1))
    xshape = (c, h, w) if c > 1 or draw(st.booleans()) else (h, w)
    kshape = {2: (kh, kw), 3: (c, kh, kw), 4: (c, o, kh, kw)}[kdim]
    x = rng.integers(-4, 5, xshape).astype(float)
    k = rng.integers(-3, 4, kshape).astype(float)
    bias = rng.integers(-2, 3, o).astype(float) if draw(st.booleans()) else float(rng.integers(-2, 3))
    return x, k, stride, padding, op, dilation, bias


# ---------------------------------------------------------------- conv2d: hand-worked cases


def test_conv2d_d2l_hand_case_and_its_steps():
    sol = solve("conv2d", D2L)
    np.testing.assert_array_equal(sol.answer, [[19, 25], [37, 43]])
    text = "\n".join(sol.steps)
    assert "floor((3 + 2*0 - 1*(2 - 1) - 1)/1) + 1 = 2" in text
    assert "0*0 + 1*1 + 3*2 + 4*3 = 19" in text
    assert "window rows 0-1 and cols 0-1 = [[0, 1], [3, 4]]" in text
    assert "4*0 + 5*1 + 7*2 + 8*3 = 43" in text  # the fourth entry is still worked


def test_conv2d_stride_2_padding_1_by_hand():
    # padded 5x5: windows at rows/cols 0 and 2; kernel [[1,2],[3,4]]
    # (0,0): 0+0+0+1*4 = 4   (0,1): 0+0+2*3+3*4 = 18   (1,0): 0+4*2+0+7*4 = 36   (1,1): 5+12+24+36 = 77
    sol = solve("conv2d", {"input": [[1, 2, 3], [4, 5, 6], [7, 8, 9]], "kernel": [[1, 2], [3, 4]],
                           "stride": 2, "padding": 1})
    np.testing.assert_array_equal(sol.answer, [[4, 18], [36, 77]])
    text = "\n".join(sol.steps)
    assert "floor((3 + 2*1 - 1*(2 - 1) - 1)/2) + 1 = 2" in text
    assert "0  1  2  3  0" in text  # a row of the padded input
    assert "0*1 + 0*2 + 2*3 + 3*4 = 18" in text


def test_conv2d_two_channels_by_hand():
    # channel 0 gives [[19, 25], [37, 43]]; channel 1 gives [[37, 47], [67, 77]]; they add
    sol = solve("conv2d", D2L_2CH)
    np.testing.assert_array_equal(sol.answer, [[56, 72], [104, 120]])
    text = "\n".join(sol.steps)
    assert "channel 1: 1*1 + 2*2 + 4*3 + 5*4 = 37" in text
    assert "sum over channels: 19 + 37 = 56" in text


def test_conv2d_four_d_kernel_and_bias_vector_by_hand():
    k = np.array(D2L_2CH["kernel"])
    kernel = np.stack([k, k + 1, k + 2]).tolist()  # d2l's multi-output example: K, K+1, K+2
    got = answer("conv2d", input=D2L_2CH["input"], kernel=kernel, bias=[1, 0, -1])
    want = [[[57, 73], [105, 121]], [[76, 100], [148, 172]], [[95, 127], [191, 223]]]
    np.testing.assert_array_equal(got, want)


def test_conv2d_flip_and_dilation_by_hand():
    # flip: the kernel slid is [[3, 2], [1, 0]]; (0,0) = 0*3 + 1*2 + 3*1 + 4*0 = 5
    sol = solve("conv2d", {**D2L, "flip": True})
    np.testing.assert_array_equal(sol.answer, [[5, 11], [23, 29]])
    assert "0*3 + 1*2 + 3*1 + 4*0 = 5" in "\n".join(sol.steps)
    # dilation 2 on 0..15: taps x[0][0] + x[0][2] + x[2][0] + x[2][2] = 0 + 2 + 8 + 10 = 20
    got = answer("conv2d", input=np.arange(16).reshape(4, 4).tolist(), kernel=[[1, 1], [1, 1]], dilation=2)
    np.testing.assert_array_equal(got, [[20, 24], [36, 40]])


def test_conv2d_negative_numbers_are_bracketed_and_bias_added_in_steps():
    sol = solve("conv2d", {"input": [[1, -2], [3, 4]], "kernel": [[-1, 2], [0, 1]], "bias": 0.5})
    np.testing.assert_array_equal(sol.answer, [[-0.5]])  # -1 - 4 + 0 + 4 + 0.5
    text = "\n".join(sol.steps)
    assert "1*(-1) + (-2)*2 + 3*0 + 4*1 = -1" in text
    assert "+ bias 0.5 = -0.5" in text


# ---------------------------------------------------------------- conv2d: properties


@FAST
@given(conv_cases())
def test_conv2d_matches_naive_loops(case):
    x, k, stride, padding, dilation, bias = case
    got = call_conv2d(x, k, stride, padding, dilation, bias)
    np.testing.assert_allclose(got, naive_conv2d(x, k, stride, padding, dilation, bias), rtol=0, atol=1e-9)


@FAST
@given(conv_cases())
def test_conv2d_output_shape_is_the_formula(case):
    x, k, stride, padding, dilation, bias = case
    kh, kw = k.shape[-2:]
    want = (formula(x.shape[-2], kh, stride[0], padding[0], dilation[0]),
            formula(x.shape[-1], kw, stride[1], padding[1], dilation[1]))
    if k.ndim == 4:
        want = (k.shape[0],) + want
    assert call_conv2d(x, k, stride, padding, dilation, bias).shape == want


@FAST
@given(conv_cases())
def test_conv2d_flip_is_correlation_with_the_rotated_kernel(case):
    x, k, stride, padding, dilation, bias = case
    rotated = np.rot90(k, 2, axes=(-2, -1))
    flipped = call_conv2d(x, k, stride, padding, dilation, bias, flip=True)
    np.testing.assert_allclose(flipped, call_conv2d(x, rotated, stride, padding, dilation, bias), rtol=0, atol=1e-9)


def test_conv2d_steps_stay_bounded_for_a_large_input():
    rng = np.random.default_rng(0)
    sol = conv2d(rng.normal(size=(3, 60, 60)), rng.normal(size=(4, 3, 7, 7)), (1, 1), (3, 3), (1, 1),
                 np.asarray(0.0), False)
    assert sol.answer.shape == (4, 60, 60)
    text = "\n".join(sol.steps)
    assert len(text) < 10_000
    assert "... and likewise for the remaining 3596 entries." in text
    assert "(49 products)" in text and "too large to write out" in text


# ---------------------------------------------------------------- conv_transpose2d


def test_transpose_stride_2_tiles_blocks_by_hand():
    # each x[i][j] * kernel lands in its own 2x2 block: x=1 top right, x=2 bottom left, x=3 bottom right
    sol = solve("conv-transpose2d", {"input": [[0, 1], [2, 3]], "kernel": [[0, 1], [2, 3]], "stride": 2})
    np.testing.assert_array_equal(sol.answer, [[0, 0, 0, 1], [0, 0, 2, 3], [0, 2, 0, 3], [4, 6, 6, 9]])
    text = "\n".join(sol.steps)
    assert "(2 - 1)*2 - 2*0 + 1*(2 - 1) + 0 + 1 = 4" in text
    assert "x[0][1] = 1: 1 * kernel = [[0, 1], [2, 3]], added at rows 0-1 and cols 2-3" in text


def test_transpose_stride_1_overlap_adds_by_hand():
    # x01=1 adds [[0,1],[2,3]] at (0,1); x10=2 adds [[0,2],[4,6]] at (1,0); x11=3 adds [[0,3],[6,9]] at (1,1)
    # where they overlap: (1,1) = 2 + 2 + 0 = 4, (1,2) = 3 + 3 = 6, (2,1) = 6 + 6 = 12
    got = answer("conv-transpose2d", input=[[0, 1], [2, 3]], kernel=[[0, 1], [2, 3]])
    np.testing.assert_array_equal(got, [[0, 0, 1], [0, 4, 6], [4, 12, 9]])
    # padding 1 crops one row/col from each side of that 3x3 grid
    sol = solve("conv-transpose2d", {"input": [[0, 1], [2, 3]], "kernel": [[0, 1], [2, 3]], "padding": 1})
    np.testing.assert_array_equal(sol.answer, [[4]])
    text = "\n".join(sol.steps)
    assert "Full (uncropped) grid, 3x3" in text and "0   4   6" in text
    assert "Crop: keep rows 1 to 1 and cols 1 to 1" in text


def test_transpose_output_padding_by_hand():
    # stride 2, no padding, output_padding 1: the 4x4 block grid plus a zero row and column
    got = answer("conv-transpose2d", input=[[0, 1], [2, 3]], kernel=[[0, 1], [2, 3]], stride=2, output_padding=1)
    want = np.zeros((5, 5))
    want[:4, :4] = [[0, 0, 0, 1], [0, 0, 2, 3], [0, 2, 0, 3], [4, 6, 6, 9]]
    np.testing.assert_array_equal(got, want)
    # padding 1 with output_padding 1: rows/cols 1..3 of the 4x4 grid (the bottom row is kept, not zeros)
    got = answer("conv-transpose2d", input=[[0, 1], [2, 3]], kernel=[[0, 1], [2, 3]], stride=2, padding=1,
                 output_padding=1)
    np.testing.assert_array_equal(got, [[0, 2, 3], [2, 0, 3], [6, 6, 9]])


def test_transpose_channels_by_hand():
    # two input channels, one output channel (kernel (C, kh, kw)): the channels' scatters add
    got = answer("conv-transpose2d", input=[[[1]], [[2]]], kernel=[[[1, 2]], [[3, 4]]], bias=10)
    np.testing.assert_array_equal(got, [[1 * 1 + 2 * 3 + 10, 1 * 2 + 2 * 4 + 10]])
    # (C, O, kh, kw): one input channel, two output channels
    got = answer("conv-transpose2d", input=[[2]], kernel=[[[[1]], [[-1]]]], bias=[0, 1])
    np.testing.assert_array_equal(got, [[[2]], [[-1]]])


@FAST
@given(transpose_cases())
def test_transpose_matches_naive_scatter(case):
    got = call_transpose(*case)
    np.testing.assert_allclose(got, naive_transpose(*case), rtol=0, atol=1e-9)


@FAST
@given(conv_cases(), st.integers(0, 2**32 - 1))
def test_transpose_is_the_adjoint_of_conv2d(case, seed):
    x, k, stride, padding, dilation, _ = case
    rng = np.random.default_rng(seed)
    x, k = rng.normal(size=x.shape), rng.normal(size=k.shape)
    y = call_conv2d(x, k, stride, padding, dilation, 0.0)
    u = rng.normal(size=y.shape)
    # the output_padding that brings the transposed output back to x's size
    op = tuple((x.shape[a - 2] + 2 * padding[a] - dilation[a] * (k.shape[a - 2] - 1) - 1) % stride[a] for a in (0, 1))
    weight = k[None] if k.ndim == 3 else k  # (in, out, kh, kw) for the transpose = conv2d's (out, in, kh, kw)
    back = call_transpose(u, weight, stride, padding, op, dilation, 0.0)
    assert back.shape[-2:] == x.shape[-2:] and back.size == x.size
    np.testing.assert_allclose(np.vdot(y, u), np.vdot(x, back.reshape(x.shape)), rtol=1e-9, atol=1e-9)


# ---------------------------------------------------------------- bad params


@pytest.mark.parametrize("kind, params, field, words", [
    ("conv2d", {"input": [[1, 2], [3, 4]], "kernel": np.ones((3, 3)).tolist()}, "kernel",
     ["3x3 kernel", "larger than the 2x2 padded input"]),
    ("conv2d", {"input": [[1, 2], [3, 4]], "kernel": [[1, 1, 1]], "dilation": 2}, "kernel",
     ["spans 1x5", "larger than the 2x2 padded input"]),
    ("conv2d", {"input": np.ones((2, 3, 3)).tolist(), "kernel": np.ones((3, 2, 2)).tolist()}, "kernel",
     ["3 channels", "input has 2"]),
    ("conv2d", {"input": np.ones((2, 3, 3)).tolist(), "kernel": [[1]]}, "kernel", ["1 channel", "input has 2"]),
    ("conv2d", {"input": np.ones((3, 3)).tolist(), "kernel": np.ones((2, 3, 1, 1)).tolist()}, "kernel",
     ["3 channels", "input has 1"]),
    ("conv2d", {**D2L, "bias": [1, 2]}, "bias", ["1 value", "got 2"]),
    ("conv2d", {**D2L_2CH, "kernel": np.ones((3, 2, 2, 2)).tolist(), "bias": [1, 2]}, "bias", ["3 values"]),
    ("conv-transpose2d", {"input": [[1, 2]], "kernel": [[1, 2]], "output_padding": 1}, "output_padding",
     ["smaller than the stride 1 or the dilation 1"]),
    ("conv-transpose2d", {"input": [[1, 2]], "kernel": [[1, 2]], "stride": 2, "output_padding": [0, 2]},
     "output_padding", ["stride 2"]),
    ("conv-transpose2d", {"input": [[1, 2]], "kernel": [[1, 2]], "padding": 1}, "padding", ["leaves nothing"]),
    ("conv-transpose2d", {"input": np.ones((2, 2, 2)).tolist(), "kernel": np.ones((3, 1, 2, 2)).tolist()},
     "kernel", ["3 channels", "input has 2"]),
    ("conv-transpose2d", {"input": [[1]], "kernel": np.ones((1, 2, 1, 1)).tolist(), "bias": [1, 2, 3]}, "bias",
     ["2 values"]),
])
def test_bad_params_name_the_field(kind, params, field, words):
    error = fails(kind, params)
    assert error.field == field
    for w in words:
        assert w in error.reason


@pytest.mark.parametrize("kind, params, field", [
    ("conv2d", {"input": [[1]], "kernel": [[1]], "padding": 10**6}, "padding"),
    ("conv2d", {"input": [[1]], "kernel": [[1]], "padding": [0, 10**6]}, "padding"),
    ("conv2d", {"input": np.ones((10, 10)).tolist(), "kernel": np.ones((20000, 1, 1, 1)).tolist()}, "kernel"),
    ("conv-transpose2d", {"input": [[1, 2], [3, 4]], "kernel": [[1]], "stride": 10**6}, "stride"),
    ("conv-transpose2d", {"input": [[1, 2], [3, 4]], "kernel": [[1, 1]], "dilation": 10**6}, "dilation"),
])
def test_huge_arrays_are_refused_before_allocation(kind, params, field):
    start = time.perf_counter()
    error = fails(kind, params)
    assert error.field == field
    assert "more than 1,000,000" in error.reason
    assert time.perf_counter() - start < 0.5
