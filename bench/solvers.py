"""Speed of the reference solvers on exam-size inputs, and a snapshot of their output.

Run with the project's Python:
    python bench/solvers.py                     # microseconds per call, per case
    python bench/solvers.py --snapshot PATH     # write answers, steps and errors of ~600 cases as JSON
    python bench/solvers.py --compare PATH      # the same cases, checked byte for byte against PATH

Timings: `list` is `solve()` with JSON-like (nested list) params, `ndarray` is `solve()` with the
arrays the question generator passes, `solver` is the kind's function on params already checked
by `coerce`. Every timing reads the solution's steps (a Solution may write them only when first
read), so it is the cost of an answer with its worked solution. Each is the best of several
repeats, in CPU time of this thread (time.thread_time), so other processes on a shared machine
disturb it far less than wall-clock time. Budget: a question variant calls one to three
solvers and the generator must make 5,000 variants a second.

The snapshot is meant for optimising the solvers without changing their output: write one
before a change and compare after it. Cases are random but fixed (seeded), cover every kind in
`ncquiz.solvers.spec.KINDS`, include parameters that are refused (so error messages are
compared too), and each array case is also solved with NumPy arrays in place of lists.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a source checkout: this ncquiz

from ncquiz.errors import ParamError
from ncquiz.solvers import solve, solver_function, to_json
from ncquiz.solvers.params import coerce
from ncquiz.solvers.spec import KINDS

# ---------------------------------------------------------------- timing cases

LENET = ["conv 6 5x5", "maxpool 2x2", "conv 16 5x5", "maxpool 2x2", "flatten", "fc 120", "fc 84", "fc 10"]

CASES = [
    ("conv2d 5x5 k3", "conv2d", {"input": [[2, 1, 3, 5, 1], [3, 5, 5, 1, 1], [5, 0, 4, 4, 0], [3, 0, 5, 2, 3],
                                           [1, 1, 4, 3, 5]],
                                 "kernel": [[1, 2, 1], [-1, -1, -2], [1, -1, 0]]}),
    ("conv2d 4x4 k3 p1 s2", "conv2d", {"input": [[1, 0, 2, 3], [4, 1, 0, 2], [3, 2, 1, 0], [0, 1, 4, 2]],
                                       "kernel": [[1, 0, -1], [2, 0, -2], [1, 0, -1]], "padding": 1, "stride": 2}),
    ("conv2d 2ch 4x4 k2 b", "conv2d", {"input": [[[1, 2, 0, 1], [0, 1, 3, 2], [2, 2, 1, 0], [1, 0, 0, 3]],
                                                 [[0, 1, 1, 2], [3, 0, 2, 1], [1, 1, 0, 2], [2, 3, 1, 0]]],
                                       "kernel": [[[1, -1], [0, 2]], [[2, 0], [-1, 1]]], "bias": 0.5}),
    ("conv-transpose2d 2x2 k2 s2", "conv-transpose2d", {"input": [[0, 1], [2, 3]], "kernel": [[0, 1], [2, 3]],
                                                        "stride": 2}),
    ("pool max 4x4 size 2", "pool", {"input": [[1, 3, 2, 4], [5, 6, 1, 2], [7, 2, 9, 0], [1, 8, 3, 4]], "size": 2}),
    ("pool avg 4x4 size 2 s1", "pool", {"input": [[1, 3, 2, 4], [5, 6, 1, 2], [7, 2, 9, 0], [1, 8, 3, 4]],
                                        "size": 2, "stride": 1, "mode": "avg"}),
    ("upsample 2x2 x2", "upsample", {"input": [[1, 2], [3, 4]], "scale": 2}),
    ("output-size", "output-size", {"size": 32, "kernel": 5, "stride": 1, "padding": 2}),
    ("network LeNet", "network", {"input": [32, 32, 1], "layers": LENET}),
    ("recurrent-params lstm", "recurrent-params", {"cell": "lstm", "input_size": 10, "hidden_size": 20}),
    ("rnn T3 H2 with y", "rnn", {"x": [[1, 0], [0.5, -1], [0, 2]], "w_xh": [[0.5, -1], [1, 0.5]],
                                 "w_hh": [[0.1, 0.2], [0, 0.3]], "b_h": [0, 0.1], "h0": [1, -1],
                                 "w_hy": [[1, -1]], "b_y": 0.5}),
    ("lstm T2 H1", "lstm", {"x": [1, -1], "w_f": [0.5, 0.2], "w_i": [0.3, -0.4], "w_g": [1, 0.5],
                            "w_o": [-0.2, 0.8], "b_f": 0.1}),
    ("lstm T3 H2 D2", "lstm", {"x": [[1, 0], [0, 1], [-1, 0.5]],
                               "w_f": [[0.5, 0.2, 0.1, -0.3], [0.3, -0.4, 0.2, 0.1]],
                               "w_i": [[0.3, -0.4, 0.5, 0.2], [0.1, 0.2, -0.1, 0.4]],
                               "w_g": [[1, 0.5, -0.5, 0.2], [0.2, -0.3, 0.6, 0.1]],
                               "w_o": [[-0.2, 0.8, 0.3, 0.1], [0.4, 0.1, -0.2, 0.5]], "b_f": [0.1, 0.2]}),
    ("activation softmax 3", "activation", {"input": [1, 2, 3], "fn": "softmax"}),
    ("activation sigmoid 2x2", "activation", {"input": [[0.5, -1], [2, 0]], "fn": "sigmoid"}),
    ("normalize zscore 5", "normalize", {"input": [2, 4, 6, 10, 3], "method": "zscore"}),
    ("conv2d-backward 4x4 k2", "conv2d-backward", {"input": [[1, 2, 0, 1], [0, 1, 3, 2], [2, 2, 1, 0],
                                                             [1, 0, 0, 3]],
                                                   "kernel": [[1, -1], [0, 2]],
                                                   "grad_output": [[1, 0, 2], [-1, 1, 0], [0, 2, 1]]}),
    ("maxpool-backward 4x4 size 2", "maxpool-backward", {"input": [[1, 3, 2, 4], [5, 6, 1, 2], [7, 2, 9, 0],
                                                                   [1, 8, 3, 4]],
                                                         "size": 2, "grad_output": [[1, 2], [3, 4]]}),
    ("vae 2-D", "vae", {"mu": [0.5, -1], "logvar": [0, 0.4], "eps": [1, -0.5]}),
    ("gan 2+2", "gan", {"d_real": [0.9, 0.8], "d_fake": [0.2, 0.4]}),
    ("clip-grad 3", "clip-grad", {"grad": [3, 4, 12], "max_norm": 5}),
]


def as_ndarrays(kind: str, params: dict) -> dict:
    """params with every array-type list replaced by the NumPy array the generator would pass."""
    out = dict(params)
    for p in KINDS[kind].params:
        if p.type == "array" and isinstance(params.get(p.name), list):
            out[p.name] = np.array(params[p.name])
    return out


def calls_for(fn, budget: float) -> int:
    """How many calls of fn() take about `budget` seconds."""
    fn()
    n, elapsed = 1, 0.0
    while elapsed < budget / 4:
        n *= 2
        start = time.thread_time()
        for _ in range(n):
            fn()
        elapsed = time.thread_time() - start
    return max(1, int(n * budget / elapsed))


def bench(match: str | None, rounds: int = 20, budget: float = 0.005) -> None:
    """Best microseconds per call of every case, over rounds that interleave all cases.

    A shared machine has slow spells; interleaving spreads each case's repeats over the whole run,
    so a spell spoils a few repeats of every case rather than all repeats of one.
    """
    timed = []
    for name, kind, params in CASES:
        if match and match not in name:
            continue
        arrays = as_ndarrays(kind, params)
        func, checked = solver_function(kind), coerce(KINDS[kind], params)
        fns = (lambda k=kind, p=params: solve(k, p).steps, lambda k=kind, p=arrays: solve(k, p).steps,
               lambda f=func, c=checked: f(**c).steps)
        timed.append((name, [(fn, calls_for(fn, budget)) for fn in fns]))
    best = {name: [float("inf")] * 3 for name, _ in timed}
    for _ in range(rounds):
        for name, runs in timed:
            for v, (fn, n) in enumerate(runs):
                start = time.thread_time()
                for _ in range(n):
                    fn()
                best[name][v] = min(best[name][v], (time.thread_time() - start) / n * 1e6)
    print(f"{'case':30} {'list us':>9} {'ndarray us':>11} {'solver us':>10}")
    for name, (t_list, t_nd, t_solver) in best.items():
        print(f"{name:30} {t_list:9.1f} {t_nd:11.1f} {t_solver:10.1f}")


# ---------------------------------------------------------------- snapshot cases


def _values(rng: np.random.Generator, shape) -> list | float:
    """Random entries as a question would have them: small ints, one or two decimals, or full floats."""
    style = rng.integers(6)
    if style == 0:
        a = rng.integers(-5, 6, size=shape).astype(float)
    elif style == 1:
        a = rng.integers(0, 10, size=shape).astype(float)
    elif style == 2:
        a = np.round(rng.uniform(-2, 2, size=shape), 1)
    elif style == 3:
        a = np.round(rng.uniform(-1, 1, size=shape), 2)
    elif style == 4:
        a = rng.normal(size=shape)
    else:
        a = rng.normal(size=shape) * 10.0 ** rng.integers(-4, 6, size=shape)
    if style <= 1 and rng.random() < 0.7:  # JSON ints, as a question file writes them
        return a.astype(int).tolist()
    return a.tolist()


def _pair(rng, low, high):
    """An int, or [a, b], between low and high."""
    if rng.random() < 0.25:
        return [int(rng.integers(low, high + 1)), int(rng.integers(low, high + 1))]
    return int(rng.integers(low, high + 1))


def _maybe(rng, p, params, name, value):
    if rng.random() < p:
        params[name] = value


def _conv2d(rng):
    c = int(rng.integers(1, 4)) if rng.random() < 0.4 else 0
    h, w = (int(v) for v in rng.integers(2, 7, size=2))
    kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
    ishape = (c, h, w) if c else (h, w)
    o = int(rng.integers(1, 4))
    kind = rng.integers(3)
    if c and kind == 0:
        kshape = (c, kh, kw)
    elif kind == 1:
        kshape = (o, max(c, 1), kh, kw)
    else:
        kshape = (kh, kw) if not c or c == 1 else (c, kh, kw)
    params = {"input": _values(rng, ishape), "kernel": _values(rng, kshape)}
    _maybe(rng, 0.4, params, "stride", _pair(rng, 1, 3))
    _maybe(rng, 0.4, params, "padding", _pair(rng, 0, 2))
    _maybe(rng, 0.2, params, "dilation", _pair(rng, 1, 2))
    _maybe(rng, 0.3, params, "bias", _values(rng, ()) if rng.random() < 0.5 else _values(rng, (kshape[0],)))
    _maybe(rng, 0.3, params, "flip", bool(rng.random() < 0.5))
    return params


def _conv_transpose2d(rng):
    c = int(rng.integers(1, 3)) if rng.random() < 0.3 else 0
    h, w = (int(v) for v in rng.integers(1, 5, size=2))
    kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
    if rng.random() < 0.3:
        kshape = (max(c, 1), int(rng.integers(1, 3)), kh, kw)
    else:
        kshape = (c, kh, kw) if c > 1 else (kh, kw)
    params = {"input": _values(rng, (c, h, w) if c else (h, w)), "kernel": _values(rng, kshape)}
    _maybe(rng, 0.5, params, "stride", _pair(rng, 1, 3))
    _maybe(rng, 0.4, params, "padding", _pair(rng, 0, 1))
    _maybe(rng, 0.2, params, "output_padding", _pair(rng, 0, 1))
    _maybe(rng, 0.2, params, "dilation", _pair(rng, 1, 2))
    _maybe(rng, 0.3, params, "bias", _values(rng, ()))
    return params


def _pool(rng):
    c = int(rng.integers(1, 4)) if rng.random() < 0.3 else 0
    h, w = (int(v) for v in rng.integers(2, 7, size=2))
    params = {"input": _values(rng, (c, h, w) if c else (h, w)), "size": _pair(rng, 1, 3)}
    _maybe(rng, 0.5, params, "stride", _pair(rng, 1, 3))
    _maybe(rng, 0.3, params, "padding", _pair(rng, 0, 1))
    _maybe(rng, 0.6, params, "mode", "avg" if rng.random() < 0.6 else "max")
    return params


def _upsample(rng):
    c = int(rng.integers(1, 3)) if rng.random() < 0.3 else 0
    h, w = (int(v) for v in rng.integers(1, 4, size=2))
    params = {"input": _values(rng, (c, h, w) if c else (h, w)), "scale": int(rng.integers(1, 4))}
    _maybe(rng, 0.5, params, "mode", "bed-of-nails" if rng.random() < 0.5 else "nearest")
    return params


def _output_size(rng):
    params = {"size": int(rng.integers(1, 65)), "kernel": int(rng.integers(1, 8))}
    _maybe(rng, 0.5, params, "stride", int(rng.integers(1, 4)))
    _maybe(rng, 0.5, params, "padding", int(rng.integers(0, 4)))
    _maybe(rng, 0.2, params, "dilation", int(rng.integers(1, 3)))
    if rng.random() < 0.3:
        params["transpose"] = True
        _maybe(rng, 0.4, params, "output_padding", int(rng.integers(0, 2)))
    return params


_LAYERS = ["conv 6 5x5", "conv 8 3x3 p1", "conv 4 3x3 s2", "conv 4 3 p=same", "conv 2 2x2 nobias", "conv 3 3x3 d2",
           "convT 4 2x2 s2", "convT 2 3x3 s2 p1 op1", "maxpool 2x2", "avgpool 3x3 s1 p1", "maxpool 2", "upsample 2",
           "relu", "tanh", "dropout", "sigmoid", "softmax", "leakyrelu", "fc 10", "fc 5 nobias", "flatten",
           "conv 6 5 x 5", "maxpool 2×2"]


def _network(rng):
    side = int(rng.integers(4, 40))
    shape = [side, side, int(rng.integers(1, 4))]
    layers = [_LAYERS[i] for i in rng.integers(len(_LAYERS), size=int(rng.integers(1, 7)))]
    return {"input": shape, "layers": layers}


def _recurrent_params(rng):
    params = {"cell": ["rnn", "lstm", "gru"][int(rng.integers(3))], "input_size": int(rng.integers(1, 30)),
              "hidden_size": int(rng.integers(1, 30))}
    _maybe(rng, 0.5, params, "bias", ["single", "pytorch", "none"][int(rng.integers(3))])
    return params


def _weights(rng, rows, cols):
    """A matrix, or a number when it is 1 x 1 (sometimes)."""
    if rows == cols == 1 and rng.random() < 0.5:
        return _values(rng, ())
    return _values(rng, (rows, cols))


def _vector(rng, n):
    """A vector of n, or a number shared by all (sometimes)."""
    return _values(rng, ()) if rng.random() < 0.3 else _values(rng, (n,))


def _rnn(rng):
    t, d, h = (int(v) for v in rng.integers(1, 5, size=3))
    h = min(h, 3)
    x = _values(rng, (t,)) if d == 1 and rng.random() < 0.5 else _values(rng, (t, d))
    params = {"x": x, "w_xh": _weights(rng, h, d), "w_hh": _weights(rng, h, h)}
    _maybe(rng, 0.5, params, "b_h", _vector(rng, h))
    _maybe(rng, 0.4, params, "h0", _vector(rng, h))
    if rng.random() < 0.5:
        o = int(rng.integers(1, 3))
        params["w_hy"] = _weights(rng, o, h)
        _maybe(rng, 0.5, params, "b_y", _vector(rng, o))
    _maybe(rng, 0.3, params, "activation", "relu")
    _maybe(rng, 0.2, params, "start", int(rng.integers(1, 4)))
    return params


def _lstm(rng):
    t, d, h = int(rng.integers(1, 5)), int(rng.integers(1, 3)), int(rng.integers(1, 4))
    x = _values(rng, (t,)) if d == 1 and rng.random() < 0.5 else _values(rng, (t, d))
    params = {"x": x}
    for g in "figo":
        params[f"w_{g}"] = _values(rng, (h + d,)) if h == 1 and rng.random() < 0.5 else _values(rng, (h, h + d))
        _maybe(rng, 0.4, params, f"b_{g}", _vector(rng, h))
    _maybe(rng, 0.3, params, "h0", _vector(rng, h))
    _maybe(rng, 0.3, params, "c0", _vector(rng, h))
    _maybe(rng, 0.2, params, "start", int(rng.integers(1, 4)))
    return params


def _activation(rng):
    nd = int(rng.integers(0, 4))
    shape = tuple(int(v) for v in rng.integers(1, 5, size=nd))
    if nd == 1 and rng.random() < 0.3:
        shape = (int(rng.integers(8, 12)),)
    fn = ["relu", "leaky-relu", "tanh", "sigmoid", "softmax"][int(rng.integers(5))]
    params = {"input": _values(rng, shape), "fn": fn}
    if fn == "leaky-relu":
        _maybe(rng, 0.5, params, "slope", float(np.round(rng.uniform(0, 0.5), 2)))
    return params


def _normalize(rng):
    n = int(rng.integers(2, 11))
    params = {"input": _values(rng, (n,)), "method": ["minmax", "zscore", "tanh"][int(rng.integers(3))]}
    _maybe(rng, 0.3, params, "range", [-1, 1] if rng.random() < 0.5 else [0, 10])
    _maybe(rng, 0.3, params, "ddof", int(rng.integers(0, 2)))
    return params


def _conv2d_backward(rng):
    h, w = (int(v) for v in rng.integers(2, 7, size=2))
    kh, kw = (int(v) for v in rng.integers(1, 4, size=2))
    s, p = (int(rng.integers(1, 3)), int(rng.integers(0, 2)))
    oh, ow = (h + 2 * p - kh) // s + 1, (w + 2 * p - kw) // s + 1
    params = {"input": _values(rng, (h, w)), "kernel": _values(rng, (kh, kw)),
              "grad_output": _values(rng, (max(oh, 1), max(ow, 1)))}
    if s != 1:
        params["stride"] = s
    if p:
        params["padding"] = p
    return params


def _maxpool_backward(rng):
    h, w = (int(v) for v in rng.integers(2, 7, size=2))
    k, s, p = int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(0, 2))
    oh, ow = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
    params = {"input": _values(rng, (h, w)), "size": k, "grad_output": _values(rng, (max(oh, 1), max(ow, 1)))}
    if rng.random() < 0.7:
        params["stride"] = s
    if p:
        params["padding"] = p
    return params


def _vae(rng):
    n = int(rng.integers(0, 5))
    if rng.random() < 0.1:
        n = 10
    shape = (n,) if n else ()
    return {"mu": _values(rng, shape), "logvar": _values(rng, shape), "eps": _values(rng, shape)}


def _probabilities(rng, n):
    p = np.round(rng.uniform(0.01, 0.99, size=n), int(rng.integers(1, 4))).clip(0.01, 0.99)
    return float(p[0]) if n == 1 and rng.random() < 0.5 else p.tolist()


def _gan(rng):
    n_real, n_fake = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    if rng.random() < 0.1:
        n_real = 10
    return {"d_real": _probabilities(rng, n_real), "d_fake": _probabilities(rng, n_fake)}


def _clip_grad(rng):
    n = int(rng.integers(0, 6))
    if rng.random() < 0.1:
        n = 10
    return {"grad": _values(rng, (n,) if n else ()), "max_norm": float(np.round(rng.uniform(0.1, 10), 1))}


DRAW = {"conv2d": _conv2d, "conv-transpose2d": _conv_transpose2d, "pool": _pool, "upsample": _upsample,
        "output-size": _output_size, "network": _network, "recurrent-params": _recurrent_params, "rnn": _rnn,
        "lstm": _lstm, "activation": _activation, "normalize": _normalize, "conv2d-backward": _conv2d_backward,
        "maxpool-backward": _maxpool_backward, "vae": _vae, "gan": _gan, "clip-grad": _clip_grad}

def _large(rng):
    """Cases past the limits of what steps write out in full (long sums, big grids, many units or times)."""
    def v(*shape):
        return _values(rng, shape)

    return [
        ("conv2d", {"input": v(22, 22), "kernel": v(6, 6)}),
        ("conv2d", {"input": v(2, 9, 9), "kernel": v(3, 2, 5, 6), "padding": 1, "bias": v(3)}),
        ("conv2d", {"input": v(9, 9), "kernel": v(3, 3), "dilation": 3, "stride": 2, "flip": True}),
        ("conv-transpose2d", {"input": v(2, 6, 6), "kernel": v(2, 6, 6), "stride": 2, "padding": 2}),
        ("conv-transpose2d", {"input": v(3, 3), "kernel": v(3, 3), "stride": 3, "dilation": 2,
                              "output_padding": [2, 1]}),
        ("conv-transpose2d", {"input": v(2, 2, 3), "kernel": v(2, 3, 2, 2), "bias": v(3), "padding": [1, 0]}),
        ("conv-transpose2d", {"input": v(2, 2), "kernel": v(1, 2, 3, 3), "bias": [0.5, 0.5], "stride": 2}),
        ("pool", {"input": v(21, 21), "size": 6, "stride": 3, "padding": 3, "mode": "avg"}),
        ("pool", {"input": v(3, 12, 12), "size": [2, 6], "mode": "max"}),
        ("upsample", {"input": v(3, 9, 9), "scale": 3}),
        ("activation", {"input": v(12, 40), "fn": "softmax"}),
        ("activation", {"input": v(2, 3, 4), "fn": "tanh"}),
        ("normalize", {"input": v(12), "method": "tanh", "ddof": 1}),
        ("normalize", {"input": v(12), "method": "minmax", "range": [-2, 3]}),
        ("conv2d-backward", {"input": v(8, 8), "kernel": v(6, 6), "grad_output": v(3, 3), "stride": 2, "padding": 1}),
        ("conv2d-backward", {"input": v(12, 12), "kernel": v(2, 2), "grad_output": v(11, 11)}),
        ("maxpool-backward", {"input": v(10, 10), "size": 3, "stride": 1, "grad_output": v(10, 10), "padding": 1}),
        ("rnn", {"x": v(8, 9), "w_xh": v(5, 9), "w_hh": v(5, 5), "b_h": v(5), "w_hy": v(5, 5), "start": 2}),
        ("lstm", {"x": v(7, 9), "w_f": v(5, 14), "w_i": v(5, 14), "w_g": v(5, 14), "w_o": v(5, 14), "b_o": v(5)}),
        ("vae", {"mu": v(12), "logvar": v(12), "eps": v(12)}),
        ("gan", {"d_real": _probabilities(rng, 12), "d_fake": _probabilities(rng, 9)}),
        ("clip-grad", {"grad": v(12), "max_norm": 0.5}),
        ("network", {"input": [28, 20, 3], "layers": ["conv 4 3x5 s2", "maxpool 2x3", "avgpool 3x2 s1 p1",
                                                      "convT 2 2x3 s2", "upsample 2", "conv 2 5x3 p2 d2",
                                                      "maxpool 3 s2", "flatten", "fc 7"]}),
        ("network", {"input": [9, 9, 1], "layers": ["conv 3 3x3 p=same", "conv 3 3", "maxpool 2x2 s1",
                                                    "conv 5 1x3 nobias", "flatten", "relu", "fc 4 nobias"]}),
    ]


BIG = [[0] * 1001] * 1000  # a list walk must refuse it for size, not build it

BAD = [  # parameters that must be refused, with their error messages compared
    ("conv2d", "not a dict"),
    ("conv2d", {"input": [[1, 2], [3, 4]]}),
    ("conv2d", {"input": [[1, 2], [3, 4]], "kernal": [[1]]}),
    ("conv2d", {"input": [[1, 2], [3]], "kernel": [[1]]}),
    ("conv2d", {"input": [[1, 2], 3], "kernel": [[1]]}),
    ("conv2d", {"input": [[1, [2]], [3, 4]], "kernel": [[1]]}),
    ("conv2d", {"input": [[1, True], [3, 4]], "kernel": [[1]]}),
    ("conv2d", {"input": [[1, "2"], [3, 4]], "kernel": [[1]]}),
    ("conv2d", {"input": [[1, None], [3, 4]], "kernel": [[1]]}),
    ("conv2d", {"input": [[1, float("nan")], [3, 4]], "kernel": [[1]]}),
    ("conv2d", {"input": [[1, float("inf")], [3, 4]], "kernel": [[1]]}),
    ("conv2d", {"input": [[1, 10**400], [3, 4]], "kernel": [[1]]}),
    ("conv2d", {"input": [[], []], "kernel": [[1]]}),
    ("conv2d", {"input": [], "kernel": [[1]]}),
    ("conv2d", {"input": [1, 2, 3], "kernel": [[1]]}),
    ("conv2d", {"input": 5, "kernel": [[1]]}),
    ("conv2d", {"input": BIG, "kernel": [[1]]}),
    ("conv2d", {"input": [[1, 2], [3, 4]], "kernel": [[1]], "stride": 0}),
    ("conv2d", {"input": [[1, 2], [3, 4]], "kernel": [[1]], "stride": [1, 2, 3]}),
    ("conv2d", {"input": [[1, 2], [3, 4]], "kernel": [[1]], "stride": 1.5}),
    ("conv2d", {"input": [[1, 2], [3, 4]], "kernel": [[1]], "padding": -1}),
    ("conv2d", {"input": [[1, 2], [3, 4]], "kernel": [[1]], "stride": 10**7}),
    ("conv2d", {"input": [[1, 2], [3, 4]], "kernel": [[1]], "flip": 1}),
    ("conv2d", {"input": [[1, 2], [3, 4]], "kernel": [[1]], "bias": [[1]]}),
    ("conv2d", {"input": [[1, 2], [3, 4]], "kernel": [[1]], "bias": [1, 2]}),
    ("conv2d", {"input": [[1, 2], [3, 4]], "kernel": [[1, 2, 3]]}),
    ("conv2d", {"input": [[1, 2], [3, 4]], "kernel": (1, 2)}),
    ("conv2d", {"input": [[1, 2], [3, 4]], "kernel": [(1, 2), [3, 4]]}),
    ("pool", {"input": [[1, 2], [3, 4]], "size": 2, "mode": "min"}),
    ("pool", {"input": [[1, 2], [3, 4]], "size": 2, "mode": "AVG"}),
    ("pool", {"input": [[1, 2], [3, 4]], "size": 2, "padding": 2}),
    ("pool", {"input": [[1e308, 1e308], [1e308, 1e308]], "size": 2, "mode": "avg"}),
    ("activation", {"input": [1, 2], "fn": "leaky_relu", "slope": "0.1"}),
    ("activation", {"input": [1, 2], "fn": "leaky-relu", "slope": float("nan")}),
    ("activation", {"input": [-1e308], "fn": "leaky-relu", "slope": 10}),
    ("activation", {"input": [[[[1]]]], "fn": "relu"}),
    ("normalize", {"input": [1, 1], "method": "minmax"}),
    ("normalize", {"input": [1, 2], "method": "zscore", "ddof": 2}),
    ("normalize", {"input": [1, 2], "method": "minmax", "range": [1, 0]}),
    ("normalize", {"input": [1, 2], "method": "minmax", "range": [0, True]}),
    ("network", {"input": [32, 32], "layers": ["fc 10"]}),
    ("network", {"input": [32, 32, 0], "layers": ["fc 10"]}),
    ("network", {"input": [32, 32, 1], "layers": []}),
    ("network", {"input": [32, 32, 1], "layers": ["conv 6 5x5", 7]}),
    ("network", {"input": [4, 4, 1], "layers": ["conv 6 5x5"]}),
    ("network", {"input": [4, 4, 1], "layers": ["pool 2"]}),
    ("rnn", {"x": [1, 2], "w_xh": [[1, 2]], "w_hh": 0.5}),
    ("rnn", {"x": [1, 2], "w_xh": 1, "w_hh": 0.5, "b_y": 1}),
    ("lstm", {"x": [1, 2], "w_f": [1, 2, 3], "w_i": [1, 2], "w_g": [1, 2], "w_o": [1, 2]}),
    ("vae", {"mu": [1, 2], "logvar": [1], "eps": [1, 2]}),
    ("vae", {"mu": [1], "logvar": [800], "eps": [1]}),
    ("gan", {"d_real": [0.5, 1], "d_fake": 0.5}),
    ("gan", {"d_real": [0.5], "d_fake": 0}),
    ("clip-grad", {"grad": [1, 2], "max_norm": 0}),
    ("clip-grad", {"grad": [1e308, 1e308], "max_norm": 1}),
    ("output-size", {"size": 3, "kernel": 5}),
    ("output-size", {"size": 3, "kernel": 2, "output_padding": 1}),
    ("maxpool-backward", {"input": [[1, 2], [3, 4]], "size": 2, "grad_output": [[1, 2]]}),
    ("conv2d-backward", {"input": [[1, 2], [3, 4]], "kernel": [[1]], "grad_output": [[1, 2]]}),
    ("recurrent-params", {"cell": "gru", "input_size": 0, "hidden_size": 3}),
]


def _run(kind: str, params) -> dict:
    """{answer, steps} of a solve, or {error} when the parameters are refused."""
    try:
        sol = solve(kind, params)
    except ParamError as err:
        return {"error": str(err)}
    return {"answer": to_json(sol.answer), "steps": to_json(sol.steps)}


def _ndarray_version(kind: str, params):
    """params with its array lists as NumPy arrays, or None when there are none (or they are not numeric)."""
    if not isinstance(params, dict):
        return None
    out, changed = dict(params), False
    for p in KINDS[kind].params:
        value = params.get(p.name)
        if p.type == "array" and isinstance(value, list) and value is not BIG:
            try:
                a = np.array(value)
            except ValueError:
                return None
            if a.dtype.kind not in "iuf":
                return None
            out[p.name], changed = a, True
    return out if changed else None


def snapshot_cases(seed: int = 20240611, per_kind: int = 36) -> list[tuple[str, object]]:
    """The fixed list of (kind, params): per_kind random cases of every kind, then the refused ones."""
    assert set(DRAW) == set(KINDS), "bench/solvers.py: draw cases for every kind in spec.KINDS"
    rng = np.random.default_rng(seed)
    cases = [(kind, DRAW[kind](rng)) for _ in range(per_kind) for kind in KINDS]
    large = [case for seed_offset in (1, 2) for case in _large(np.random.default_rng(seed + seed_offset))]
    return cases + large + BAD


def snapshot() -> list[dict]:
    """Every case's output, from list params and (where it has arrays) from NumPy arrays."""
    out = []
    for i, (kind, params) in enumerate(snapshot_cases()):
        entry = {"case": i, "kind": kind, "list": _run(kind, params)}
        arrays = _ndarray_version(kind, params)
        if arrays is not None:
            entry["ndarray"] = _run(kind, arrays)
        out.append(entry)
    return out


def dump(entries: list[dict]) -> str:
    return "[\n" + ",\n".join(json.dumps(e, sort_keys=True) for e in entries) + "\n]\n"


def compare(path: Path) -> int:
    """0 when the snapshot at path matches today's output byte for byte; else report the first differences."""
    before = path.read_text().splitlines()
    now = dump(snapshot()).splitlines()
    bad = [i for i, (a, b) in enumerate(zip(before, now)) if a != b]
    if len(before) != len(now):
        print(f"different number of lines: {len(before)} before, {len(now)} now")
    for i in bad[:5]:
        print(f"line {i + 1} differs:\n  before: {before[i][:2000]}\n  now:    {now[i][:2000]}")
    errors = sum(1 for line in now if '"error"' in line)
    print(f"{len(now) - 2} cases ({errors} with a refusal): "
          + ("identical" if not bad and len(before) == len(now) else f"{len(bad)} differ"))
    return 1 if bad or len(before) != len(now) else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snapshot", type=Path, metavar="PATH", help="write the snapshot JSON to PATH")
    parser.add_argument("--compare", type=Path, metavar="PATH", help="compare today's output with PATH")
    parser.add_argument("--match", help="time only the cases whose name contains this")
    args = parser.parse_args()
    if args.snapshot:
        args.snapshot.write_text(dump(snapshot()))
        print(f"wrote {args.snapshot}")
        return 0
    if args.compare:
        return compare(args.compare)
    bench(args.match)
    return 0


if __name__ == "__main__":
    sys.exit(main())
