"""Pooling and upsampling solvers: hand-worked cases, naive-loop references, properties, bad params."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpers import fails

from ncquiz.solvers import solve, to_json
from ncquiz.solvers.pooling import pool, upsample

SETTINGS = settings(max_examples=60, deadline=None)


# ---------------------------------------------------------------- references written with loops


def naive_pool(x, size, stride, padding, mode):
    """Pooling of a (C, H, W) array by explicit loops over windows (no NumPy tricks)."""
    (kh, kw), (sh, sw), (ph, pw) = size, stride, padding
    c, h, w = x.shape
    fill = -np.inf if mode == "max" else 0.0
    hp, wp = h + 2 * ph, w + 2 * pw
    padded = [[[fill] * wp for _ in range(hp)] for _ in range(c)]
    for ch in range(c):
        for i in range(h):
            for j in range(w):
                padded[ch][i + ph][j + pw] = float(x[ch, i, j])
    oh, ow = (hp - kh) // sh + 1, (wp - kw) // sw + 1
    out = np.zeros((c, oh, ow))
    for ch in range(c):
        for i in range(oh):
            for j in range(ow):
                vals = [padded[ch][i * sh + a][j * sw + b] for a in range(kh) for b in range(kw)]
                out[ch, i, j] = max(vals) if mode == "max" else sum(vals) / (kh * kw)
    return out


def windowed_mean(x, size, stride, padding):
    """Average pooling as a correlation with a constant kernel 1/(kh*kw) over the zero-padded input."""
    xp = np.pad(x, ((0, 0), (padding[0],) * 2, (padding[1],) * 2))
    win = np.lib.stride_tricks.sliding_window_view(xp, size, axis=(1, 2))[:, :: stride[0], :: stride[1]]
    return np.einsum("chwij,ij->chw", win, np.full(size, 1.0 / (size[0] * size[1])))


@st.composite
def pool_cases(draw, max_side=7, max_k=4):
    """(x as C,H,W; channels given?; size; stride or None; padding; mode), always a valid pooling."""
    channels = draw(st.sampled_from([None, 1, 2, 3]))
    h, w = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    size = (draw(st.integers(1, max_k)), draw(st.integers(1, max_k)))
    padding = (draw(st.integers(0, size[0] // 2)), draw(st.integers(0, size[1] // 2)))
    assume(size[0] <= h + 2 * padding[0] and size[1] <= w + 2 * padding[1])
    stride = draw(st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    mode = draw(st.sampled_from(["max", "avg"]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    shape = (channels or 1, h, w)
    values = rng.integers(-9, 10, size=shape).astype(float) if draw(st.booleans()) else rng.normal(size=shape)
    return values, channels, size, stride, padding, mode


# ---------------------------------------------------------------- pool: hand-worked cases


def test_max_pool_4x4_window_2_stride_2():
    x = [[1, 3, 2, 4],
         [5, 6, 7, 8],
         [3, 2, 1, 0],
         [1, 2, 3, 4]]
    sol = solve("pool", {"input": x, "size": 2})
    # top-left window {1, 3, 5, 6} -> 6; top-right {2, 4, 7, 8} -> 8; {3, 2, 1, 2} -> 3; {1, 0, 3, 4} -> 4
    np.testing.assert_array_equal(sol.answer, [[6, 8], [3, 4]])
    text = "\n".join(sol.steps)
    assert "floor((4 + 2*0 - 2)/2) + 1 = 2" in text
    assert "max(1, 3, 5, 6) = 6" in text
    assert "max(1, 0, 3, 4) = 4" in text


def test_avg_pool_floors_the_output_size():
    # 5x5 input 0..24, 2x2 windows, stride 2: floor((5 - 2)/2) + 1 = 2, the last row and column are unused
    x = np.arange(25).reshape(5, 5).tolist()
    sol = solve("pool", {"input": x, "size": 2, "mode": "avg"})
    # (0 + 1 + 5 + 6)/4 = 3, (2 + 3 + 7 + 8)/4 = 5, (10 + 11 + 15 + 16)/4 = 13, (12 + 13 + 17 + 18)/4 = 15
    np.testing.assert_array_equal(sol.answer, [[3, 5], [13, 15]])
    assert any("(0 + 1 + 5 + 6)/4 = 3" in s for s in sol.steps)


def test_avg_pool_with_padding_counts_the_zeros():
    # padded 4x4: zeros around [[1, 2], [3, 4]]; 2x2 windows, stride 1, always divided by 4
    sol = solve("pool", {"input": [[1, 2], [3, 4]], "size": 2, "stride": 1, "padding": 1, "mode": "avg"})
    expected = [[1 / 4, (1 + 2) / 4, 2 / 4],
                [(1 + 3) / 4, (1 + 2 + 3 + 4) / 4, (2 + 4) / 4],
                [3 / 4, (3 + 4) / 4, 4 / 4]]
    np.testing.assert_allclose(sol.answer, expected, rtol=0, atol=1e-15)
    text = "\n".join(sol.steps)
    assert "(0 + 0 + 0 + 1)/4 = 0.25" in text
    assert "zeros" in text


def test_max_pool_padding_never_wins():
    # with zero padding every border window would give 0; -inf padding keeps the negative values
    sol = solve("pool", {"input": [[-1, -2], [-3, -4]], "size": 2, "stride": 1, "padding": 1})
    np.testing.assert_array_equal(sol.answer, [[-1, -1, -2], [-1, -1, -2], [-3, -3, -4]])
    assert any("max(-inf, -inf, -inf, -1) = -1" in s for s in sol.steps)


def test_overlapping_rectangular_windows_and_channels():
    x = [[[1, 2, 3], [4, 5, 6], [7, 8, 9]],
         [[9, 8, 7], [6, 5, 4], [3, 2, 1]]]
    sol = solve("pool", {"input": x, "size": [2, 3], "stride": 1})
    # one 2x3 window per row pair: channel 0 -> 6, 9; channel 1 -> 9, 6
    np.testing.assert_array_equal(sol.answer, [[[6], [9]], [[9], [6]]])
    assert any("channels" in s for s in sol.steps)
    assert any("out[0][0][0]: window rows 0-1, cols 0-2: max(1, 2, 3, 4, 5, 6) = 6" in s for s in sol.steps)


def test_pool_answer_is_plain_json():
    sol = solve("pool", {"input": [[1, 2], [3, 4]], "size": 2, "mode": "avg"})
    assert to_json(sol.answer) == [[2.5]]


# ---------------------------------------------------------------- pool: independent checks


@SETTINGS
@given(pool_cases())
def test_pool_matches_naive_loops(case):
    x, channels, size, stride, padding, mode = case
    inp = x if channels else x[0]
    got = pool(inp, size, stride, padding, mode).answer
    want = naive_pool(x, size, stride or size, padding, mode)
    np.testing.assert_allclose(got, want if channels else want[0], rtol=1e-12, atol=1e-12)


@SETTINGS
@given(st.sampled_from(["max", "avg"]), st.integers(1, 2), st.integers(1, 60), st.integers(1, 60), st.integers(1, 9))
def test_long_windows_match_naive_loops(mode, h, w, kw, sw):
    # windows much longer than the stride, where the O(n) block method combines two blocks
    assume(kw <= w)
    x = np.random.default_rng(w * 61 + kw).normal(size=(1, h, w))
    want = naive_pool(x, (1, kw), (1, sw), (0, 0), mode)
    got = pool(x, (1, kw), (1, sw), (0, 0), mode).answer
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    down_columns = pool(x.swapaxes(1, 2).copy(), (kw, 1), (sw, 1), (0, 0), mode).answer
    np.testing.assert_allclose(down_columns, want.swapaxes(1, 2), rtol=1e-12, atol=1e-12)


@SETTINGS
@given(pool_cases())
def test_avg_pool_is_a_correlation_with_a_constant_kernel(case):
    x, _, size, stride, padding, _ = case
    got = pool(x, size, stride, padding, "avg").answer
    np.testing.assert_allclose(got, windowed_mean(x, size, stride or size, padding), rtol=1e-12, atol=1e-12)


def test_huge_window_is_fast_and_its_steps_stay_short():
    x = np.arange(200_000, dtype=float).reshape(1, -1) % 1000
    sol = pool(x, (1, 100_000), (1, 1), (0, 0), "max")
    assert sol.answer.shape == (1, 100_001)
    assert sol.answer[0, 0] == x[0, :100_000].max()
    assert sol.answer[0, -1] == x[0, -100_000:].max()
    assert sum(len(s) for s in sol.steps) < 2000


# ---------------------------------------------------------------- upsample


def test_nearest_upsample_by_2():
    sol = solve("upsample", {"input": [[1, 2], [3, 4]], "scale": 2})
    np.testing.assert_array_equal(sol.answer, [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]])
    assert "2*2 x 2*2 = 4x4" in sol.steps[0]
    assert "out[i][j] = in[floor(i/2)][floor(j/2)]" in sol.steps[1]


def test_bed_of_nails_upsample_by_2():
    sol = solve("upsample", {"input": [[1, 2], [3, 4]], "scale": 2, "mode": "bed-of-nails"})
    np.testing.assert_array_equal(sol.answer, [[1, 0, 2, 0], [0, 0, 0, 0], [3, 0, 4, 0], [0, 0, 0, 0]])
    assert "top-left" in sol.steps[1]


def test_upsample_each_channel_and_non_square():
    sol = solve("upsample", {"input": [[[1, 2, 3]], [[4, 5, 6]]], "scale": 3, "mode": "bed-of-nails"})
    assert sol.answer.shape == (2, 3, 9)
    np.testing.assert_array_equal(sol.answer[1, 0], [4, 0, 0, 5, 0, 0, 6, 0, 0])
    assert not sol.answer[:, 1:].any()


@SETTINGS
@given(st.integers(1, 3), st.integers(1, 5), st.integers(1, 5), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_upsample_then_pool_gives_back_the_input(c, h, w, scale, seed):
    x = np.random.default_rng(seed).normal(size=(c, h, w))
    s = (scale, scale)
    nearest = upsample(x, scale, "nearest").answer
    np.testing.assert_allclose(pool(nearest, s, None, (0, 0), "avg").answer, x, rtol=1e-13, atol=1e-13)
    nails = upsample(np.abs(x), scale, "bed-of-nails").answer
    np.testing.assert_array_equal(pool(nails, s, None, (0, 0), "max").answer, np.abs(x))


@SETTINGS
@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 4), st.sampled_from(["nearest", "bed-of-nails"]))
def test_upsample_matches_naive_loops(h, w, scale, mode):
    x = np.arange(1, h * w + 1, dtype=float).reshape(h, w)
    want = np.zeros((h * scale, w * scale))
    for i in range(h * scale):
        for j in range(w * scale):
            if mode == "nearest" or (i % scale == 0 and j % scale == 0):
                want[i, j] = x[i // scale, j // scale]
    np.testing.assert_array_equal(upsample(x, scale, mode).answer, want)


# ---------------------------------------------------------------- bad params


@pytest.mark.parametrize(
    ("kind", "params", "field", "words"),
    [
        ("pool", {"input": [[1, 2], [3, 4]], "size": 2, "padding": 2}, "padding", "at most 1"),
        ("pool", {"input": [[1, 2, 3]] * 3, "size": [3, 2], "padding": [2, 1]}, "padding", "half the window"),
        ("pool", {"input": [[1, 2], [3, 4]], "size": 3}, "size", "3x3 window is larger than the 2x2 input"),
        ("pool", {"input": [[1]], "size": [3, 3], "padding": [1, 0]}, "size", "larger than the 3x1 padded input"),
        ("pool", {"input": [[1]], "size": 2000, "padding": 1000}, "padding", "more than 1,000,000"),
        ("pool", {"input": [[1e308, 1e308]], "size": [1, 2], "mode": "avg"}, "input", "overflows"),
        ("upsample", {"input": [[1] * 10] * 10, "scale": 101}, "scale", "1,020,100 elements"),
        ("upsample", {"input": [[1]], "scale": 1_000_000}, "scale", "more than 1,000,000"),
    ],
)
def test_bad_params_name_the_field(kind, params, field, words):
    error = fails(kind, params)
    assert error.field == field
    assert words in error.reason


def test_largest_allowed_padding_is_accepted():
    sol = solve("pool", {"input": [[5]], "size": 3, "padding": 1, "mode": "avg"})
    np.testing.assert_allclose(sol.answer, [[5 / 9]])
