"""Recurrent solvers: rnn, lstm and clip-grad against hand-worked cases, naive per-step loops and
properties, and every kind of bad parameter."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import fails

from ncquiz.solvers import solve, to_json


def sig(v):
    return 1 / (1 + math.exp(-v))


# ---------------------------------------------------------------- rnn


def test_rnn_scalar_hand_case():
    sol = solve("rnn", {"x": [1, 2], "w_xh": 0.5, "w_hh": 0.8})
    h1 = math.tanh(0.5 * 1 + 0.8 * 0)
    h2 = math.tanh(0.5 * 2 + 0.8 * h1)
    assert set(sol.answer) == {"h"}
    assert sol.answer["h"].shape == (2, 1)
    np.testing.assert_allclose(sol.answer["h"][:, 0], [h1, h2], rtol=1e-14)
    text = "\n".join(sol.steps)
    assert "a_1 = 0.5*1 + 0.8*0 + 0 = 0.5" in text
    assert "h_1 = tanh(0.5) = 0.4621" in text
    assert "a_2 = 0.5*2 + 0.8*0.4621 + 0 = 1.3697" in text
    assert "h_2 = tanh(1.3697) = 0.8786" in text


def test_rnn_two_units_with_h0_and_outputs():
    params = {"x": [[1, 0], [0, 1]], "w_xh": [[0.5, -1], [1, 0.5]], "w_hh": [[0.1, 0.2], [0, 0.3]],
              "b_h": [0, 0.1], "h0": [1, -1], "w_hy": [[1, -1]], "b_y": 0.5}
    sol = solve("rnn", params)
    # t = 1: a = W_xh [1, 0] + W_hh [1, -1] + b = [0.5 + 0.1 - 0.2, 1 - 0.3 + 0.1] = [0.4, 0.8]
    h1 = [math.tanh(0.4), math.tanh(0.8)]
    # t = 2: a = W_xh [0, 1] + W_hh h1 + b = [-1 + 0.1 h1[0] + 0.2 h1[1], 0.5 + 0.3 h1[1] + 0.1]
    h2 = [math.tanh(-1 + 0.1 * h1[0] + 0.2 * h1[1]), math.tanh(0.6 + 0.3 * h1[1])]
    y = [h1[0] - h1[1] + 0.5, h2[0] - h2[1] + 0.5]
    np.testing.assert_allclose(sol.answer["h"], [h1, h2], rtol=1e-14)
    np.testing.assert_allclose(sol.answer["y"], [[y[0]], [y[1]]], rtol=1e-14)
    text = "\n".join(sol.steps)
    assert "a_1[1] = 0.5*1 + (-1)*0 + 0.1*1 + 0.2*(-1) + 0 = 0.4" in text
    assert "a_1[2] = 1*1 + 0.5*0 + 0*1 + 0.3*(-1) + 0.1 = 0.8" in text
    assert "h_1 = tanh([0.4, 0.8]) = [0.3799, 0.664]" in text
    assert "y_1 = 1*0.3799 + (-1)*0.664 + 0.5 = 0.2159" in text
    data = to_json(sol.answer)
    assert set(data) == {"h", "y"} and len(data["y"]) == 2 and len(data["y"][0]) == 1


def test_rnn_relu():
    sol = solve("rnn", {"x": [1, -2, 3], "w_xh": 1, "w_hh": 0.5, "b_h": -0.5, "activation": "relu"})
    # a1 = 1 + 0 - 0.5 = 0.5; a2 = -2 + 0.25 - 0.5 = -2.25 -> 0; a3 = 3 + 0 - 0.5 = 2.5
    np.testing.assert_allclose(sol.answer["h"][:, 0], [0.5, 0, 2.5])
    assert "h_2 = relu(-2.25) = 0" in "\n".join(sol.steps)


def naive_rnn(x, w_xh, w_hh, b_h, h0, act, w_hy=None, b_y=None):
    """The recurrence written with explicit loops over units and inputs."""
    h, hs, ys = list(h0), [], []
    for x_t in x:
        a = [sum(w_xh[i][j] * x_t[j] for j in range(len(x_t))) + sum(w_hh[i][j] * h[j] for j in range(len(h))) + b_h[i]
             for i in range(len(h))]
        h = [math.tanh(v) if act == "tanh" else max(v, 0.0) for v in a]
        hs.append(h)
        if w_hy is not None:
            ys.append([sum(w_hy[o][j] * h[j] for j in range(len(h))) + b_y[o] for o in range(len(w_hy))])
    return hs, ys


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3),
       st.sampled_from(["tanh", "relu"]), st.booleans(), st.integers(0, 2**16))
def test_rnn_matches_naive_loops(t, d, h, o, act, outputs, seed):
    rng = np.random.default_rng(seed)
    p = {"x": rng.normal(size=(t, d)), "w_xh": rng.normal(size=(h, d)), "w_hh": rng.normal(size=(h, h)),
         "b_h": rng.normal(size=h), "h0": rng.normal(size=h)}
    if outputs:
        p |= {"w_hy": rng.normal(size=(o, h)), "b_y": rng.normal(size=o)}
    sol = solve("rnn", {**{k: v.tolist() for k, v in p.items()}, "activation": act})
    hs, ys = naive_rnn(p["x"], p["w_xh"], p["w_hh"], p["b_h"], p["h0"], act, p.get("w_hy"), p.get("b_y"))
    np.testing.assert_allclose(sol.answer["h"], hs, rtol=1e-12, atol=1e-12)
    assert ("y" in sol.answer) == outputs
    if outputs:
        np.testing.assert_allclose(sol.answer["y"], ys, rtol=1e-12, atol=1e-12)
    assert sol.steps and "t = 1:" in sol.steps[1]


def test_rnn_numbers_broadcast_and_default_zero_state():
    # b_h and h0 as numbers mean the same number for every unit
    a = solve("rnn", {"x": [[1, 2]], "w_xh": [[1, 0], [0, 1]], "w_hh": [[1, 1], [1, 1]], "b_h": 0.5, "h0": 1})
    b = solve("rnn", {"x": [[1, 2]], "w_xh": [[1, 0], [0, 1]], "w_hh": [[1, 1], [1, 1]], "b_h": [0.5, 0.5],
                      "h0": [1, 1]})
    np.testing.assert_array_equal(a.answer["h"], b.answer["h"])
    np.testing.assert_allclose(a.answer["h"][0], np.tanh([1 + 2 + 0.5, 2 + 2 + 0.5]))


def test_rnn_steps_are_bounded():
    rng = np.random.default_rng(1)
    sol = solve("rnn", {"x": rng.normal(size=(20, 12)).tolist(), "w_xh": rng.normal(size=(10, 12)).tolist(),
                        "w_hh": rng.normal(size=(10, 10)).tolist()})
    assert len(sol.steps) == 1 + 6 + 1 and sol.steps[-1] == "... and likewise for t = 7 to 20"
    assert "... and likewise for units 5 to 10" in sol.steps[1]
    assert "... (15 more products)" in sol.steps[1]      # 12 + 10 products, 7 shown
    assert max(len(s) for s in sol.steps) < 2500


@pytest.mark.parametrize("params, field, needle", [
    ({"x": [[1, 2]], "w_xh": 0.5, "w_hh": 1}, "w_xh", "a number means H = D = 1, but x has D = 2"),
    ({"x": [[1, 2]], "w_xh": [[1, 2, 3]], "w_hh": 1}, "w_xh", "expected shape (H, 2) (H x D with D = 2 from x), got (1, 3)"),
    ({"x": [[1, 2]], "w_xh": [[1, 2], [3, 4]], "w_hh": [[1, 2, 3], [1, 2, 3]]}, "w_hh",
     "expected shape (2, 2) (H x H with H = 2 from w_xh), got (2, 3)"),
    ({"x": [[1, 2]], "w_xh": [[1, 2], [3, 4]], "w_hh": 1}, "w_hh", "got a number"),
    ({"x": [1], "w_xh": [[1], [2]], "w_hh": [[1, 0], [0, 1]], "b_h": [1, 2, 3]}, "b_h", "expected shape (2,)"),
    ({"x": [1], "w_xh": [[1], [2]], "w_hh": [[1, 0], [0, 1]], "h0": [1]}, "h0", "expected shape (2,) (H = 2 from w_xh)"),
    ({"x": [1], "w_xh": [[1], [2]], "w_hh": [[1, 0], [0, 1]], "w_hy": 1}, "w_hy", "a number means O = H = 1"),
    ({"x": [1], "w_xh": [[1], [2]], "w_hh": [[1, 0], [0, 1]], "w_hy": [[1, 1, 1]]}, "w_hy", "expected shape (O, 2)"),
    ({"x": [1], "w_xh": [[1], [2]], "w_hh": [[1, 0], [0, 1]], "w_hy": [[1, 1]], "b_y": [1, 2]}, "b_y",
     "expected shape (1,) (O = 1 from w_hy)"),
    ({"x": [1], "w_xh": 1, "w_hh": 1, "b_y": 1}, "b_y", "needs w_hy"),
    ({"x": [1], "w_xh": 1, "w_hh": 1, "activation": "sigmoid"}, "activation", "tanh, relu"),
    ({"x": [[[1]]], "w_xh": 1, "w_hh": 1}, "x", "expected a vector or a matrix"),
    ({"x": [1], "w_hh": 1}, "w_xh", "missing"),
    ({"x": [0] * 20000, "w_xh": [[1]] * 100, "w_hh": np.eye(100).tolist()}, "x",
     "T = 20000 time steps times H = 100 hidden units would make 2,000,000 values (at most 1,000,000)"),
    ({"x": [0] * 20000, "w_xh": 1, "w_hh": 1, "w_hy": [[1]] * 100}, "w_hy", "times O = 100 outputs"),
])
def test_rnn_bad_params(params, field, needle):
    err = fails("rnn", params)
    assert err.field == field and needle in err.reason


# ---------------------------------------------------------------- lstm


def test_lstm_scalar_hand_case():
    # H = D = 1; each weight vector is [weight on h_(t-1), weight on x_t]
    params = {"x": [1, 2], "w_f": [0.5, 1], "w_i": [-1, 0.5], "w_g": [2, -0.5], "w_o": [0.25, 0.75],
              "b_f": 1, "b_o": -0.5, "c0": 0.5}
    sol = solve("lstm", params)
    h, c, want = 0.0, 0.5, {k: [] for k in "figoch"}
    for x in (1, 2):
        f = sig(0.5 * h + 1 * x + 1)
        i = sig(-1 * h + 0.5 * x)
        g = math.tanh(2 * h - 0.5 * x)
        o = sig(0.25 * h + 0.75 * x - 0.5)
        c = f * c + i * g
        h = o * math.tanh(c)
        for k, v in zip("figoch", (f, i, g, o, c, h)):
            want[k].append([v])
    assert set(sol.answer) == set("figoch")
    for k in "figoch":
        np.testing.assert_allclose(sol.answer[k], want[k], rtol=1e-14, err_msg=k)
    text = "\n".join(sol.steps)
    # t = 1: f = sigmoid(0.5*0 + 1*1 + 1) = sigmoid(2) = 0.8808
    assert "f_1 = sigmoid(0.5*0 + 1*1 + 1) = sigmoid(2) = 0.8808" in text
    assert "g_1 = tanh(2*0 + (-0.5)*1 + 0) = tanh(-0.5) = -0.4621" in text
    assert "o_1 = sigmoid(0.25*0 + 0.75*1 + (-0.5)) = sigmoid(0.25) = 0.5622" in text
    assert "c_1 = f*c_0 + i*g = 0.8808*0.5 + 0.6225*(-0.4621) = 0.1527" in text
    assert "h_1 = o*tanh(c_1) = 0.5622*tanh(0.1527) = 0.0852" in text


def test_lstm_weights_act_on_h_first():
    # all weight on the first entry: with h0 = 0 every gate sees 0, whatever x is
    sol = solve("lstm", {"x": [5], "w_f": [1, 0], "w_i": [1, 0], "w_g": [1, 0], "w_o": [1, 0]})
    np.testing.assert_allclose([sol.answer[k][0, 0] for k in "figo"], [0.5, 0.5, 0.0, 0.5])


def naive_lstm(x, w, b, h0, c0):
    """Reference: the four gates stacked into one (4H, H+D) matrix, loops over units."""
    n = len(h0)
    h, c, out = list(h0), list(c0), {k: [] for k in "figoch"}
    for x_t in x:
        v = h + list(x_t)
        z = [sum(w[r][j] * v[j] for j in range(len(v))) + b[r] for r in range(4 * n)]
        f = [sig(z[u]) for u in range(n)]
        i = [sig(z[n + u]) for u in range(n)]
        g = [math.tanh(z[2 * n + u]) for u in range(n)]
        o = [sig(z[3 * n + u]) for u in range(n)]
        c = [f[u] * c[u] + i[u] * g[u] for u in range(n)]
        h = [o[u] * math.tanh(c[u]) for u in range(n)]
        for k, val in zip("figoch", (f, i, g, o, c, h)):
            out[k].append(val)
    return out


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2**16))
def test_lstm_matches_naive_stacked_reference(t, d, h, seed):
    rng = np.random.default_rng(seed)
    w = rng.normal(size=(4 * h, h + d))
    b = rng.normal(size=4 * h)
    x, h0, c0 = rng.normal(size=(t, d)), rng.normal(size=h), rng.normal(size=h)
    params = {"x": x.tolist(), "h0": h0.tolist(), "c0": c0.tolist()}
    for j, k in enumerate("figo"):
        params[f"w_{k}"] = w[j * h:(j + 1) * h].tolist()
        params[f"b_{k}"] = b[j * h:(j + 1) * h].tolist()
    sol = solve("lstm", params)
    want = naive_lstm(x, w, b, h0, c0)
    for k in "figoch":
        assert sol.answer[k].shape == (t, h)
        np.testing.assert_allclose(sol.answer[k], want[k], rtol=1e-12, atol=1e-12, err_msg=k)


def test_lstm_sigmoid_is_stable_for_huge_inputs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sol = solve("lstm", {"x": [1e4, -1e4], "w_f": [0, 1], "w_i": [0, -1], "w_g": [0, 1], "w_o": [0, 1]})
    assert sol.answer["f"][0, 0] == 1.0 and sol.answer["i"][0, 0] == 0.0
    assert sol.answer["f"][1, 0] == 0.0 and sol.answer["i"][1, 0] == 1.0
    assert np.isfinite(sol.answer["h"]).all()


def test_lstm_steps_are_bounded():
    rng = np.random.default_rng(2)
    params = {"x": rng.normal(size=(9, 10)).tolist()}
    params |= {f"w_{k}": rng.normal(size=(5, 15)).tolist() for k in "figo"}
    sol = solve("lstm", params)
    assert len(sol.steps) == 3 + 6 + 1 and sol.steps[-1] == "... and likewise for t = 7 to 9"
    assert "... and likewise for unit 5" in sol.steps[3]
    assert "(15 entries)" in sol.steps[3] and "... (8 more products)" in sol.steps[3]


WF2 = [[1, 2, 3], [1, 2, 3]]  # H = 2, D = 1


@pytest.mark.parametrize("params, field, needle", [
    ({"w_f": [1, 2, 3], "w_i": [1, 2], "w_g": [1, 2], "w_o": [1, 2]}, "w_f", "expected shape (2,) or (1, 2)"),
    ({"w_f": [[1, 2], [1, 2]], "w_i": [1, 2], "w_g": [1, 2], "w_o": [1, 2]}, "w_f",
     "expected shape (2, 3) (H x (H+D) with H = 2 rows of w_f, D = 1 from x), got (2, 2)"),
    ({"w_f": [1, 2], "w_i": [1, 2, 3], "w_g": [1, 2], "w_o": [1, 2]}, "w_i", "H = 1 from w_f"),
    ({"w_f": WF2, "w_i": WF2, "w_g": [1, 2], "w_o": WF2}, "w_g", "expected shape (2, 3)"),
    ({"w_f": WF2, "w_i": WF2, "w_g": WF2, "w_o": [[1, 2, 3]]}, "w_o", "got (1, 3)"),
    ({"w_f": WF2, "w_i": WF2, "w_g": WF2, "w_o": WF2, "b_i": [1, 2, 3]}, "b_i", "expected shape (2,) (H = 2 from w_f)"),
    ({"w_f": WF2, "w_i": WF2, "w_g": WF2, "w_o": WF2, "h0": [1]}, "h0", "expected shape (2,)"),
    ({"w_f": WF2, "w_i": WF2, "w_g": WF2, "w_o": WF2, "c0": [1, 2, 3]}, "c0", "expected shape (2,)"),
    ({"w_f": WF2, "w_i": WF2, "w_g": WF2}, "w_o", "missing"),
    ({"w_f": 1, "w_i": WF2, "w_g": WF2, "w_o": WF2}, "w_f", "expected a vector or a matrix"),
    ({"x": [0] * 300000, "w_f": WF2, "w_i": WF2, "w_g": WF2, "w_o": WF2}, "x", "4H = 8 gate values would make 2,400,000"),
])
def test_lstm_bad_params(params, field, needle):
    err = fails("lstm", {"x": [1, 2], **params})
    assert err.field == field and needle in err.reason


# ---------------------------------------------------------------- clip-grad


def test_clip_grad_hand_case():
    sol = solve("clip-grad", {"grad": [3, 4], "max_norm": 1})
    np.testing.assert_allclose(sol.answer, [0.6, 0.8], rtol=1e-15)
    assert sol.steps[0] == "||g|| = sqrt(3^2 + 4^2) = sqrt(25) = 5"
    assert "scale = max_norm/||g|| = 1/5 = 0.2" in sol.steps
    assert sol.steps[-1] == "g = 0.2 * [3, 4] = [0.6, 0.8]"


def test_clip_grad_unchanged_at_or_below_the_norm():
    for max_norm in (5, 10):
        sol = solve("clip-grad", {"grad": [3, -4], "max_norm": max_norm})
        np.testing.assert_array_equal(sol.answer, [3, -4])
        assert "no clipping" in sol.steps[1]
    np.testing.assert_array_equal(solve("clip-grad", {"grad": [0, 0], "max_norm": 1}).answer, [0, 0])


def test_clip_grad_number():
    sol = solve("clip-grad", {"grad": -2, "max_norm": 0.5})
    assert to_json(sol.answer) == -0.5
    assert sol.steps[-1] == "g = 0.25 * (-2) = -0.5"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=12),
       st.floats(1e-3, 1e3))
def test_clip_grad_norm_is_min_of_norm_and_max_norm(grad, max_norm):
    sol = solve("clip-grad", {"grad": grad, "max_norm": max_norm})
    g = np.array(grad)
    norm = math.sqrt(sum(v * v for v in grad))
    out = np.asarray(sol.answer)
    assert math.isclose(math.sqrt(sum(v * v for v in out)), min(norm, max_norm), rel_tol=1e-12, abs_tol=1e-300)
    if norm > max_norm:  # exactly grad * (max_norm/||grad||), no epsilon
        np.testing.assert_array_equal(out, g * (max_norm / math.hypot(*grad)))
    else:
        np.testing.assert_array_equal(out, g)


@pytest.mark.parametrize("params, field, needle", [
    ({"grad": [1, 2], "max_norm": 0}, "max_norm", "greater than 0"),
    ({"grad": [1, 2], "max_norm": -1}, "max_norm", ">= 0"),
    ({"grad": [[1, 2]], "max_norm": 1}, "grad", "expected a number or a vector"),
    ({"grad": [1.7e308, 1.7e308], "max_norm": 1}, "grad", "too large"),
    ({"grad": [1, 2]}, "max_norm", "missing"),
])
def test_clip_grad_bad_params(params, field, needle):
    err = fails("clip-grad", params)
    assert err.field == field and needle in err.reason


def test_start_numbers_the_steps_but_changes_no_value():
    """start = 2 labels a one-step computation from h_1 as t = 2 (exam parts 'compute h_2 from h_1')."""
    params = {"x": [[1.0]], "w_xh": 0.5, "w_hh": 0.2, "h0": 0.3}
    first, second = solve("rnn", params), solve("rnn", {**params, "start": 2})
    assert np.array_equal(first.answer["h"], second.answer["h"])
    assert "t = 2: x_2 = 1, h_1 = 0.3" in second.steps[1] and "h_2 = tanh(0.56)" in second.steps[1]
    lstm_params = {"x": [1.0], "w_f": [0.5, 0.1], "w_i": [0.2, 0.3], "w_g": [0.4, 0.6], "w_o": [0.3, 0.3],
                   "h0": 0.2, "c0": 0.1, "start": 3}
    steps = "\n".join(solve("lstm", lstm_params).steps)
    assert "t = 3: [h_2; x_3]" in steps and "c_3 = f*c_2" in steps
