"""Write tests/golden/solve_golden.json: golden answers of every solver kind, computed by PyTorch.

Run with a Python that has PyTorch (not the project's dev venv):

    /work/torchvenv/bin/python tests/golden/make_golden.py

Every answer comes from PyTorch operations on torch.float64 tensors (F.conv2d, nn.LSTM,
autograd, ...), never from re-implementing the maths in NumPy. Where PyTorch has no single
operation, the answer is derived from PyTorch objects: parameter counts from
sum(p.numel()) of torch modules, output shapes from running torch modules on zero tensors.
NumPy is used only to draw the inputs (fixed seed), so reruns write the same file.

Each case is {"kind", "params", "answer"} (plus an optional "rtol" and "note"), where params
is exactly what `ncquiz solve KIND --params - --json` accepts and answer is in the answer
format of /work/shared/spec/solve.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT = Path(__file__).with_name("solve_golden.json")
F64 = torch.float64
RNG = np.random.default_rng(20240611)
CASES: list[dict] = []


# ---------------------------------------------------------------- helpers


def add(kind, params, answer, **extra):
    """Record one case (answer already plain JSON values)."""
    CASES.append({"kind": kind, "params": params, "answer": answer, **extra})


def t(a):
    """A float64 torch tensor of a nested list / number."""
    return torch.tensor(np.asarray(a, dtype=np.float64), dtype=F64)


def js(x):
    """Plain JSON of a torch tensor (nested lists of floats, or a float for 0-d)."""
    return x.detach().tolist()


def ints(shape, lo=-3, hi=3):
    """Nested list of small integers in [lo, hi]."""
    return RNG.integers(lo, hi + 1, size=shape).tolist()


def decs(shape, lo=-1.0, hi=1.0, nd=1):
    """Nested list of values rounded to nd decimals in [lo, hi]."""
    v = np.round(RNG.uniform(lo, hi, size=shape), nd) + 0.0
    return v.tolist()


def distinct(shape, nd=1, lo=-5.0):
    """Values without ties (a permutation of a grid with step 10**-nd), rounded to nd decimals."""
    n = int(np.prod(shape))
    step = 10.0**-nd
    v = np.round(lo + step * RNG.permutation(np.arange(n) * 3 + RNG.integers(0, 3)), nd) + 0.0
    return v.reshape(shape).tolist()


def pair(v):
    return tuple(v) if isinstance(v, (list, tuple)) else (v, v)


# ---------------------------------------------------------------- conv2d


def conv2d_case(inp, ker, stride=None, padding=None, dilation=None, bias=None, flip=None):
    params = {"input": inp, "kernel": ker}
    for name, v in (("stride", stride), ("padding", padding), ("dilation", dilation), ("bias", bias), ("flip", flip)):
        if v is not None:
            params[name] = v
    x, w = t(inp), t(ker)
    if x.dim() == 2:
        x = x[None]  # (1, H, W)
    if w.dim() == 2:
        w = w[None, None]  # one filter, one channel
    elif w.dim() == 3:
        w = w[None]  # (1, C, kh, kw): one filter summing over the channels
    four_d = t(ker).dim() == 4
    if flip:
        w = torch.flip(w, dims=(-2, -1))  # real convolution = cross-correlation with the rotated kernel
    b = torch.zeros(w.shape[0], dtype=F64) if bias is None else t(bias) * torch.ones(w.shape[0], dtype=F64)
    out = F.conv2d(x[None], w, b, stride=pair(stride or 1), padding=pair(padding or 0), dilation=pair(dilation or 1))[0]
    add("conv2d", params, js(out if four_d else out[0]))


def make_conv2d():
    # the d2l figure: 3x3 input 0..8, kernel [[0,1],[2,3]] -> 19 25 37 43
    conv2d_case([[0, 1, 2], [3, 4, 5], [6, 7, 8]], [[0, 1], [2, 3]])
    combos = [
        dict(),
        dict(stride=2),
        dict(padding=1),
        dict(stride=2, padding=1),
        dict(dilation=2),
        dict(stride=[1, 2]),
        dict(padding=[0, 1]),
        dict(padding=[2, 1], stride=[2, 1]),
        dict(dilation=[1, 2], padding=1),
        dict(stride=3, padding=2),
        dict(stride=2, dilation=2, padding=2),
        dict(padding=2),
    ]
    sizes = [(5, 5), (6, 6), (4, 7), (7, 5), (6, 8), (5, 6)]
    kernels = [(3, 3), (2, 2), (2, 3), (3, 2), (1, 3), (3, 3)]
    for n, kw in enumerate(combos):
        hw = sizes[n % len(sizes)]
        kk = kernels[n % len(kernels)]
        conv2d_case(ints(hw, 0, 5), ints(kk, -2, 2), **kw)
    # biases and flips on 2-D inputs
    conv2d_case(ints((4, 4), 0, 4), ints((3, 3), -1, 1), bias=1)
    conv2d_case(ints((5, 5), -2, 2), decs((2, 2)), bias=-0.5, stride=1, padding=1)
    conv2d_case(ints((4, 4), 0, 4), ints((3, 3), -2, 2), flip=True)
    conv2d_case(ints((5, 6), 0, 4), ints((2, 3), -2, 2), flip=True, stride=[2, 1], padding=[1, 0])
    conv2d_case(ints((6, 6), -3, 3), ints((3, 2), -2, 2), flip=True, dilation=2, bias=2)
    conv2d_case(ints((4, 5), 0, 3), ints((2, 2), 0, 3), flip=False, bias=0.25)
    conv2d_case(decs((5, 5), 0, 1), decs((3, 3)), flip=True, padding=1)
    # multi-channel inputs with a (C, kh, kw) kernel -> one output map
    conv2d_case(ints((2, 4, 4), 0, 3), ints((2, 2, 2), -1, 1))
    conv2d_case(ints((3, 5, 5), -2, 2), ints((3, 3, 3), -1, 1), padding=1, bias=1)
    conv2d_case(ints((2, 5, 6), 0, 4), ints((2, 3, 2), -1, 2), stride=2)
    conv2d_case(ints((3, 6, 6), 0, 3), ints((3, 2, 2), -1, 1), stride=[2, 1], padding=[1, 0], flip=True)
    conv2d_case(decs((2, 5, 5)), decs((2, 3, 3)), dilation=2, padding=2)
    conv2d_case(ints((4, 3, 3), -1, 2), ints((4, 1, 1), -2, 2), bias=-1)
    # 4-D kernels: several filters
    conv2d_case(ints((2, 4, 4), 0, 3), ints((3, 2, 2, 2), -1, 1))
    conv2d_case(ints((3, 5, 5), -2, 2), ints((2, 3, 3, 3), -1, 1), padding=1, bias=[1, -1])
    conv2d_case(ints((2, 6, 5), 0, 4), ints((2, 2, 3, 2), -1, 2), stride=2, bias=0.5)
    conv2d_case(ints((1, 5, 5), 0, 3), ints((4, 1, 2, 2), -1, 1), stride=[1, 2], bias=[0, 1, 2, 3])
    conv2d_case(ints((5, 5), 0, 3), ints((2, 1, 3, 3), -1, 1), padding=[1, 2])
    conv2d_case(decs((3, 6, 6)), decs((2, 3, 2, 2)), dilation=[2, 1], stride=2, padding=1, bias=[0.1, -0.2])
    conv2d_case(ints((2, 5, 5), 0, 3), ints((3, 2, 3, 3), -1, 1), flip=True, padding=1, bias=[1, 2, 3])
    conv2d_case(ints((2, 4, 6), -2, 2), ints((2, 2, 1, 3), -1, 1), stride=[1, 3], padding=[0, 1])
    # non-square everything, larger
    conv2d_case(ints((7, 9), 0, 9), ints((3, 4), -1, 1), stride=[2, 3], padding=[1, 2], dilation=[1, 2])
    conv2d_case(decs((8, 6), -2, 2), decs((4, 2)), stride=[3, 1], padding=[2, 0], bias=0.1)
    conv2d_case(ints((3, 8), 0, 5), ints((1, 4), -1, 1), dilation=[1, 2])
    conv2d_case(ints((1, 1), 2, 5), ints((1, 1), -3, 3), padding=1, bias=1)


# ---------------------------------------------------------------- pool


def pool_case(inp, size, stride=None, padding=None, mode=None):
    params = {"input": inp, "size": size}
    for name, v in (("stride", stride), ("padding", padding), ("mode", mode)):
        if v is not None:
            params[name] = v
    x = t(inp)
    x4 = x[None, None] if x.dim() == 2 else x[None]
    k, s, p = pair(size), pair(stride or size), pair(padding or 0)
    if mode == "avg":
        out = F.avg_pool2d(x4, k, s, p, count_include_pad=True)
    else:
        out = F.max_pool2d(x4, k, s, p)  # pads with -inf
    add("pool", params, js(out[0, 0] if x.dim() == 2 else out[0]))


def make_pool():
    # hand case: 4x4, 2x2 max -> 6 8 14 16
    pool_case([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]], 2)
    pool_case([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]], 2, mode="avg")
    combos = [
        dict(size=2),
        dict(size=3),
        dict(size=2, stride=1),
        dict(size=3, stride=2),
        dict(size=3, stride=1, padding=1),
        dict(size=2, padding=1),
        dict(size=[2, 3]),
        dict(size=[3, 2], stride=[1, 2], padding=[1, 0]),
        dict(size=3, stride=2, padding=1),
        dict(size=[2, 2], stride=[2, 1]),
    ]
    shapes = [(4, 4), (6, 6), (5, 5), (7, 7), (5, 6), (6, 5)]
    for n, kw in enumerate(combos):
        hw = shapes[n % len(shapes)]
        for mode in ("max", "avg"):
            m = None if (mode == "max" and n % 2 == 0) else mode
            pool_case(ints(hw, -5, 9), mode=m, **kw)
    # (C, H, W)
    pool_case(ints((2, 4, 4), -3, 9), 2)
    pool_case(ints((3, 5, 5), -3, 9), 3, stride=2, padding=1, mode="avg")
    pool_case(decs((2, 6, 5), -2, 2), [2, 3], stride=[2, 1], mode="max")
    pool_case(decs((2, 4, 4), -2, 2, nd=2), 2, stride=1, padding=1, mode="avg")
    # all-negative input with padding: -inf padding never wins, zero padding counted by avg
    pool_case(ints((3, 3), -9, -1), 2, stride=2, padding=1, mode="max")
    pool_case(ints((3, 3), -9, -1), 2, stride=2, padding=1, mode="avg")


# ---------------------------------------------------------------- conv-transpose2d


def convt_case(inp, ker, stride=None, padding=None, output_padding=None, dilation=None, bias=None):
    params = {"input": inp, "kernel": ker}
    for name, v in (("stride", stride), ("padding", padding), ("output_padding", output_padding),
                    ("dilation", dilation), ("bias", bias)):
        if v is not None:
            params[name] = v
    x, w = t(inp), t(ker)
    if x.dim() == 2:
        x = x[None]
    four_d = w.dim() == 4
    if w.dim() == 2:
        w = w[None, None]  # (C_in=1, O=1, kh, kw)
    elif w.dim() == 3:
        w = w[:, None]  # (C, 1, kh, kw): one output map
    b = torch.zeros(w.shape[1], dtype=F64) if bias is None else t(bias) * torch.ones(w.shape[1], dtype=F64)
    out = F.conv_transpose2d(x[None], w, b, stride=pair(stride or 1), padding=pair(padding or 0),
                             output_padding=pair(output_padding or 0), dilation=pair(dilation or 1))[0]
    add("conv-transpose2d", params, js(out if four_d else out[0]))


def make_conv_transpose():
    convt_case([[1, 2], [3, 4]], [[1, 0], [0, 1]])
    convt_case([[1, 2], [3, 4]], [[1, 1], [1, 1]], stride=2)
    combos = [
        dict(),
        dict(stride=2),
        dict(stride=2, padding=1),
        dict(stride=2, padding=1, output_padding=1),
        dict(stride=3),
        dict(stride=3, padding=1, output_padding=2),
        dict(dilation=2),
        dict(dilation=2, padding=1, output_padding=1),
        dict(stride=[2, 1], padding=[1, 0]),
        dict(stride=[1, 2], output_padding=[0, 1]),
        dict(stride=2, dilation=2, padding=2, output_padding=1),
        dict(stride=[3, 2], padding=[1, 1], output_padding=[1, 0], dilation=[1, 2]),
        dict(padding=1),
        dict(stride=2, padding=[0, 1]),
    ]
    sizes = [(2, 2), (3, 3), (2, 3), (3, 2), (4, 4), (3, 4)]
    kernels = [(2, 2), (3, 3), (3, 3), (3, 2), (2, 3), (4, 4)]
    for n, kw in enumerate(combos):
        convt_case(ints(sizes[n % len(sizes)], -2, 4), ints(kernels[n % len(kernels)], -2, 2), **kw)
    convt_case(decs((3, 3)), decs((3, 3)), stride=2, padding=1, bias=0.5)
    convt_case(ints((2, 2), 1, 3), ints((3, 3), -1, 1), stride=2, bias=-1)
    # (C, H, W) inputs
    convt_case(ints((2, 2, 2), -2, 3), ints((2, 3, 3), -1, 1), stride=2)
    convt_case(ints((2, 3, 3), -2, 3), ints((2, 3, 2, 2), -1, 1), stride=2, bias=[1, 0, -1])
    convt_case(ints((3, 2, 3), -2, 3), ints((3, 2, 3, 3), -1, 1), stride=2, padding=1, output_padding=1, bias=[0.5, -0.5])
    convt_case(decs((2, 3, 3)), decs((2, 2, 2, 3)), stride=[1, 2], dilation=[2, 1], padding=[1, 0])
    convt_case(ints((1, 3, 3), 0, 3), ints((1, 2, 3, 3), -1, 1), padding=1, bias=2)


# ---------------------------------------------------------------- upsample


def upsample_case(inp, scale, mode=None):
    params = {"input": inp, "scale": scale}
    if mode is not None:
        params["mode"] = mode
    x = t(inp)
    x4 = x[None, None] if x.dim() == 2 else x[None]
    if mode == "bed-of-nails":
        # bed of nails = max_unpool2d with every value's index at the top-left of its block
        n, c, h, w = x4.shape
        rows = torch.arange(h)[:, None] * scale
        cols = torch.arange(w)[None, :] * scale
        idx = (rows * (w * scale) + cols).expand(n, c, h, w).contiguous()
        out = F.max_unpool2d(x4, idx, kernel_size=scale, stride=scale, output_size=(h * scale, w * scale))
    else:
        out = F.interpolate(x4, scale_factor=scale, mode="nearest")
    add("upsample", params, js(out[0, 0] if x.dim() == 2 else out[0]))


def make_upsample():
    upsample_case([[1, 2], [3, 4]], 2)
    upsample_case([[1, 2], [3, 4]], 2, mode="bed-of-nails")
    upsample_case(ints((2, 3), -3, 5), 3, mode="nearest")
    upsample_case(ints((3, 2), -3, 5), 3, mode="bed-of-nails")
    upsample_case(decs((3, 3)), 2)
    upsample_case(decs((2, 2)), 4, mode="bed-of-nails")
    upsample_case(ints((2, 2), 1, 9), 1)
    upsample_case(ints((2, 2), 1, 9), 1, mode="bed-of-nails")
    upsample_case(ints((2, 2, 3), 0, 9), 2)
    upsample_case(ints((2, 3, 2), 0, 9), 2, mode="bed-of-nails")


# ---------------------------------------------------------------- output-size


def output_size_case(size, kernel, stride=None, padding=None, dilation=None, transpose=None, output_padding=None):
    params = {"size": size, "kernel": kernel}
    for name, v in (("stride", stride), ("padding", padding), ("dilation", dilation),
                    ("transpose", transpose), ("output_padding", output_padding)):
        if v is not None:
            params[name] = v
    x = torch.zeros(1, 1, size, size, dtype=F64)
    w = torch.zeros(1, 1, kernel, kernel, dtype=F64)
    if transpose:
        y = F.conv_transpose2d(x, w, stride=stride or 1, padding=padding or 0,
                               output_padding=output_padding or 0, dilation=dilation or 1)
    else:
        y = F.conv2d(x, w, stride=stride or 1, padding=padding or 0, dilation=dilation or 1)
    add("output-size", params, int(y.shape[-1]))


def make_output_size():
    output_size_case(32, 5)
    output_size_case(224, 11, stride=4, padding=2)
    output_size_case(227, 11, stride=4)
    output_size_case(28, 3, stride=2, padding=1)
    output_size_case(7, 3, stride=2)
    output_size_case(8, 3, stride=3, padding=1)
    output_size_case(10, 3, dilation=2)
    output_size_case(15, 5, stride=2, padding=3, dilation=2)
    output_size_case(5, 1, stride=2)
    output_size_case(64, 7, stride=2, padding=3)
    output_size_case(6, 4, stride=4, padding=1)
    output_size_case(1, 3, padding=1)
    output_size_case(4, 3, transpose=True)
    output_size_case(4, 4, stride=2, padding=1, transpose=True)
    output_size_case(7, 3, stride=2, padding=1, output_padding=1, transpose=True)
    output_size_case(3, 5, stride=3, padding=2, output_padding=2, transpose=True)
    output_size_case(5, 3, dilation=2, padding=1, transpose=True)
    output_size_case(1, 4, transpose=True)
    output_size_case(6, 2, stride=2, transpose=True, output_padding=0)
    output_size_case(9, 3, stride=1, padding=1, dilation=2, output_padding=1, transpose=True)


# ---------------------------------------------------------------- network


def _int(tok, prefix):
    return int(tok[len(prefix):])


def build_layer(spec: str, c: int):
    """The torch module of one layer string, given the input channel count c."""
    tok = spec.split()
    name, rest = tok[0], tok[1:]
    if name in ("conv", "convT"):
        out = int(rest[0])
        k = int(rest[1].split("x")[0])
        s, p, d, op, bias = 1, 0, 1, 0, True
        for r in rest[2:]:
            if r == "p=same":
                p = "same"
            elif r == "nobias":
                bias = False
            elif r.startswith("op"):
                op = _int(r, "op")
            elif r[0] in "spd":
                v = int(r[1:])
                s, p, d = (v, p, d) if r[0] == "s" else (s, v, d) if r[0] == "p" else (s, p, v)
        if name == "conv":
            return nn.Conv2d(c, out, k, stride=s, padding=p, dilation=d, bias=bias)
        return nn.ConvTranspose2d(c, out, k, stride=s, padding=p, output_padding=op)
    if name in ("maxpool", "avgpool"):
        k = int(rest[0].split("x")[0])
        s, p = k, 0
        for r in rest[1:]:
            if r[0] == "s":
                s = int(r[1:])
            elif r[0] == "p":
                p = int(r[1:])
        return nn.MaxPool2d(k, s, p) if name == "maxpool" else nn.AvgPool2d(k, s, p)
    if name == "upsample":
        return nn.Upsample(scale_factor=int(rest[0]), mode="nearest")
    if name == "flatten":
        return nn.Flatten()
    return {"relu": nn.ReLU(), "tanh": nn.Tanh(), "sigmoid": nn.Sigmoid(), "dropout": nn.Dropout()}[name]


def run_network(shape, layers, device):
    """Per-layer (output shape [H, W, C] or [N], parameter count) from torch modules."""
    h, w, c = shape
    x = torch.zeros(1, c, h, w, device=device)
    rows = []
    for spec in layers:
        if spec.startswith("fc"):
            # nn.Linear needs in_features: the flattened size of x
            mod = nn.Sequential(nn.Flatten(), nn.Linear(x[0].numel(), int(spec.split()[1]), device=device))
        else:
            mod = build_layer(spec, x.shape[1] if x.dim() == 4 else 0).to(device)
        mod.eval()  # dropout is the identity
        with torch.no_grad():
            x = mod(x)
        out_shape = [x.shape[2], x.shape[3], x.shape[1]] if x.dim() == 4 else [x.shape[1]]
        rows.append({"layer": spec, "output_shape": [int(v) for v in out_shape],
                     "params": int(sum(p.numel() for p in mod.parameters()))})
    return rows


def network_case(shape, layers, expect_total=None):
    # shapes via meta tensors (no memory: VGG16 has 138M parameters); for small networks the
    # same on real zero tensors on the CPU must agree
    rows = run_network(shape, layers, "meta")
    total = sum(r["params"] for r in rows)
    if total < 3_000_000:
        assert run_network(shape, layers, "cpu") == rows, layers
    if expect_total is not None:
        assert total == expect_total, (total, expect_total)
    add("network", {"input": list(shape), "layers": list(layers)}, {"layers": rows, "total_params": total})


VGG16_CONVS = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]


def make_network():
    lenet = ["conv 6 5x5", "maxpool 2x2", "conv 16 5x5", "maxpool 2x2", "flatten", "fc 120", "fc 84", "fc 10"]
    network_case((32, 32, 1), lenet, 61_706)
    network_case((32, 32, 1), ["conv 6 5x5", "tanh", "avgpool 2x2", "conv 16 5x5", "tanh", "avgpool 2x2",
                               "fc 120", "tanh", "fc 84", "tanh", "fc 10"], 61_706)
    alexnet = ["conv 64 11x11 s4 p2", "relu", "maxpool 3x3 s2", "conv 192 5x5 p2", "relu", "maxpool 3x3 s2",
               "conv 384 3x3 p1", "relu", "conv 256 3x3 p1", "relu", "conv 256 3x3 p1", "relu", "maxpool 3x3 s2",
               "flatten", "dropout", "fc 4096", "relu", "dropout", "fc 4096", "relu", "fc 1000"]
    network_case((224, 224, 3), alexnet, 61_100_840)  # = sum(p.numel()) of torchvision.models.alexnet()
    vgg = []
    for v in VGG16_CONVS:
        vgg += ["maxpool 2x2 s2"] if v == "M" else [f"conv {v} 3x3 p1", "relu"]
    vgg += ["flatten", "fc 4096", "relu", "dropout", "fc 4096", "relu", "dropout", "fc 1000"]
    network_case((224, 224, 3), vgg, 138_357_544)  # = torchvision.models.vgg16()
    vgg_short = [("maxpool 2x2" if v == "M" else f"conv {v} 3x3 s1 p1") for v in VGG16_CONVS]
    network_case((224, 224, 3), vgg_short + ["fc 4096", "fc 4096", "fc 1000"], 138_357_544)
    network_case((227, 227, 3), ["conv 96 11x11 s4", "relu", "maxpool 3x3 s2", "conv 256 5x5 p2", "maxpool 3x3 s2",
                                 "conv 384 3x3 p1", "conv 384 3x3 p1", "conv 256 3x3 p1", "maxpool 3x3 s2", "fc 10"])
    # small networks
    network_case((28, 28, 1), ["conv 16 3x3 s2 p1", "relu", "conv 32 3x3 s2 p1", "relu",
                               "convT 16 3x3 s2 p1 op1", "relu", "convT 1 3x3 s2 p1 op1", "sigmoid"])
    network_case((8, 8, 4), ["upsample 2", "conv 8 3x3 p=same", "relu", "upsample 3", "conv 3 5x5 p=same nobias"])
    network_case((32, 32, 3), ["conv 16 3x3 d2", "conv 16 3x3 d2 p2", "maxpool 2x2", "fc 10"])
    network_case((64, 64, 3), ["conv 32 7x7 s2 p3 nobias", "maxpool 3x3 s2 p1", "conv 64 1x1 nobias",
                               "avgpool 4x4", "flatten", "fc 10"])
    network_case((20, 30, 2), ["conv 4 3x3", "relu", "maxpool 2x2", "conv 8 3x3 s2", "flatten", "fc 5"])
    network_case((15, 15, 3), ["avgpool 3x3 s2 p1", "conv 6 3x3 s1 p1", "maxpool 2x2 s1", "fc 4"])
    network_case((4, 4, 16), ["convT 8 4x4 s2 p1", "convT 4 3x3 s1", "convT 2 5x5 s3 p2 op2"])
    network_case((1, 1, 100), ["convT 512 4x4", "relu", "convT 256 4x4 s2 p1", "relu",
                               "convT 128 4x4 s2 p1", "relu", "convT 3 4x4 s2 p1", "tanh"])
    network_case((28, 28, 1), ["fc 128", "relu", "dropout", "fc 10"])
    network_case((16, 16, 3), ["conv 8 5x5 p=same", "relu", "conv 8 7x7 p=same nobias", "maxpool 2x2",
                               "conv 16 3x3 s2", "flatten", "dropout", "fc 2"])
    network_case((7, 7, 8), ["maxpool 3x3 s2 p1", "conv 4 2x2 s1 p1", "avgpool 2x2 s2"])
    network_case((12, 10, 3), ["conv 5 3x3 s3 p1 d1", "upsample 2", "conv 2 1x1", "sigmoid", "flatten"])
    network_case((32, 32, 3), ["conv 32 3x3 p1", "relu", "conv 32 3x3 p1", "relu", "maxpool 2x2",
                               "conv 64 3x3 p1", "relu", "conv 64 3x3 p1", "relu", "maxpool 2x2",
                               "flatten", "fc 512", "relu", "dropout", "fc 10"])


# ---------------------------------------------------------------- recurrent-params


def recurrent_params_case(cell, d, h, bias=None):
    params = {"cell": cell, "input_size": d, "hidden_size": h}
    if bias is not None:
        params["bias"] = bias
    cls = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]
    gates = {"rnn": 1, "lstm": 4, "gru": 3}[cell]
    if bias == "none":
        n = sum(p.numel() for p in cls(d, h, bias=False).parameters())
    else:
        n = sum(p.numel() for p in cls(d, h).parameters())  # weight_ih, weight_hh, bias_ih, bias_hh
        if bias in (None, "single"):
            # textbook cells have one bias vector per gate: PyTorch's bias_ih and bias_hh are
            # both (gates*H,), so the textbook count is PyTorch's minus one of them
            bias_hh = dict(cls(d, h).named_parameters())["bias_hh_l0"]
            assert bias_hh.numel() == gates * h
            n -= bias_hh.numel()
    add("recurrent-params", params, int(n))


def make_recurrent_params():
    for cell, d, h, bias in [("rnn", 10, 20, "pytorch"), ("rnn", 3, 5, "single"), ("rnn", 1, 1, "none"),
                             ("rnn", 4, 8, None),
                             ("lstm", 10, 20, "pytorch"), ("lstm", 3, 2, "single"), ("lstm", 100, 128, "none"),
                             ("lstm", 1, 1, None), ("lstm", 300, 512, "pytorch"),
                             ("gru", 10, 20, "pytorch"), ("gru", 3, 2, "single"), ("gru", 64, 32, "none"),
                             ("gru", 7, 5, None)]:
        recurrent_params_case(cell, d, h, bias)


# ---------------------------------------------------------------- rnn


def rnn_case(x, w_xh, w_hh, b_h=None, h0=None, w_hy=None, b_y=None, activation=None):
    params = {"x": x, "w_xh": w_xh, "w_hh": w_hh}
    for name, v in (("b_h", b_h), ("h0", h0), ("w_hy", w_hy), ("b_y", b_y), ("activation", activation)):
        if v is not None:
            params[name] = v
    xt = t(x)
    xt = xt[:, None] if xt.dim() == 1 else xt  # (T,) means D = 1
    wxh = t(w_xh).reshape(-1, xt.shape[1])  # a number when H = D = 1
    hdim = wxh.shape[0]
    rnn = nn.RNN(xt.shape[1], hdim, nonlinearity=activation or "tanh", dtype=F64)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(wxh)
        rnn.weight_hh_l0.copy_(t(w_hh).reshape(hdim, hdim))
        rnn.bias_ih_l0.copy_(t(b_h or 0.0) * torch.ones(hdim, dtype=F64))  # b_h, broadcast if a number
        rnn.bias_hh_l0.zero_()  # one bias only: b_h = b_ih, b_hh = 0
        h_init = (t(h0 or 0.0) * torch.ones(hdim, dtype=F64)).reshape(1, 1, hdim)
        out, _ = rnn(xt[:, None, :], h_init)  # (T, batch=1, H)
    hs = out[:, 0, :]
    answer = {"h": js(hs)}
    if w_hy is not None:
        why = t(w_hy).reshape(-1, hdim)
        lin = nn.Linear(hdim, why.shape[0], dtype=F64)
        with torch.no_grad():
            lin.weight.copy_(why)
            lin.bias.copy_(t(b_y or 0.0) * torch.ones(why.shape[0], dtype=F64))
            answer["y"] = js(lin(hs))
    add("rnn", params, answer)


def make_rnn():
    # scalar cases (D = H = O = 1): numbers for the weights, (T,) for x; answers are (T, 1)
    rnn_case([1, 2, 3], 0.5, 0.8)
    rnn_case([1, -1, 2], 1.0, 0.5, b_h=0.1, h0=0.2, w_hy=2.0, b_y=-0.5)
    rnn_case([0.5, -1.5, 1, 2], -0.7, 0.9, b_h=0.3, h0=-0.5, w_hy=1.5, activation="relu")
    rnn_case([2, -1], 0.6, -1.2, h0=1.0, activation="tanh", w_hy=-1.0, b_y=0.25)
    # x given as (T,) with H > 1
    rnn_case([1, 0, -1], [[0.5], [-0.3]], [[0.1, 0.2], [-0.4, 0.3]], b_h=[0.1, -0.1], h0=[0.5, -0.5])
    for n in range(10):
        T, D, H, O = [(3, 2, 2, 1), (4, 3, 2, 2), (2, 2, 3, 2), (5, 1, 2, 1), (3, 3, 3, 3),
                      (4, 2, 4, 2), (3, 2, 2, 2), (6, 2, 3, 1), (2, 4, 2, 3), (3, 3, 2, 1)][n]
        act = ["tanh", "relu", None][n % 3]
        with_y = n % 4 != 3
        rnn_case(decs((T, D), -2, 2), decs((H, D), -1, 1, 2 if n % 2 else 1), decs((H, H), -1, 1),
                 b_h=decs(H), h0=decs(H, -1, 1), w_hy=decs((O, H)) if with_y else None,
                 b_y=(decs(O) if n % 2 else None) if with_y else None, activation=act)
    # a number as the bias and initial state of a 2-unit RNN (broadcast to every unit)
    rnn_case([[1, 0], [0, 1], [1, 1]], [[0.5, -0.5], [0.2, 0.3]], [[0.1, 0], [0, 0.1]], b_h=0.1, h0=0.5)
    # larger values that saturate tanh / grow under relu
    rnn_case(ints((4, 2), -5, 5), ints((3, 2), -2, 2), decs((3, 3), -1, 1), b_h=ints(3, -2, 2), activation="relu",
             w_hy=ints((2, 3), -1, 1), b_y=[1, -1])
    rnn_case(ints((4, 2), -5, 5), ints((3, 2), -2, 2), decs((3, 3), -1, 1), b_h=ints(3, -2, 2), h0=[1, -1, 0])


# ---------------------------------------------------------------- lstm


def lstm_case(x, w, b=None, h0=None, c0=None):
    """w, b: dicts over the gates f, i, g, o (our layout: weights (H, H+D) on [h; x])."""
    params = {"x": x}
    params.update({f"w_{k}": w[k] for k in "figo"})
    if b:
        params.update({f"b_{k}": b[k] for k in "figo" if k in b})
    if h0 is not None:
        params["h0"] = h0
    if c0 is not None:
        params["c0"] = c0
    xt = t(x)
    xt = xt[:, None] if xt.dim() == 1 else xt
    T, D = xt.shape
    W = {k: t(w[k]) for k in "figo"}
    W = {k: v[None] if v.dim() == 1 else v for k, v in W.items()}  # (H+D,) when H = 1
    H = W["f"].shape[0]
    assert W["f"].shape[1] == H + D
    B = {k: t((b or {}).get(k, 0.0)) * torch.ones(H, dtype=F64) for k in "figo"}
    lstm = nn.LSTM(D, H, dtype=F64)
    with torch.no_grad():
        # PyTorch stacks the gates in the order i, f, g, o; our weights act on [h; x], h first
        lstm.weight_ih_l0.copy_(torch.cat([W[k][:, H:] for k in "ifgo"]))
        lstm.weight_hh_l0.copy_(torch.cat([W[k][:, :H] for k in "ifgo"]))
        lstm.bias_ih_l0.copy_(torch.cat([B[k] for k in "ifgo"]))
        lstm.bias_hh_l0.zero_()
    h = t(h0 if h0 is not None else 0.0) * torch.ones(H, dtype=F64)
    c = t(c0 if c0 is not None else 0.0) * torch.ones(H, dtype=F64)
    rec = {k: [] for k in "figoch"}
    with torch.no_grad():
        # the whole sequence at once, for the h outputs
        out_all, _ = lstm(xt[:, None, :], (h.reshape(1, 1, H), c.reshape(1, 1, H)))
        for step in range(T):
            hc = torch.cat([h, xt[step]])
            gate = {k: W[k] @ hc + B[k] for k in "figo"}
            f, i, o = (torch.sigmoid(gate[k]) for k in "fio")
            g = torch.tanh(gate["g"])
            c_manual = f * c + i * g
            h_manual = o * torch.tanh(c_manual)
            # nn.LSTM one step from the previous state gives the reference c_t and h_t
            _, (h_n, c_n) = lstm(xt[step].reshape(1, 1, D), (h.reshape(1, 1, H), c.reshape(1, 1, H)))
            h, c = h_n.reshape(H), c_n.reshape(H)
            assert torch.allclose(c_manual, c, rtol=1e-13, atol=1e-14), (c_manual, c)
            assert torch.allclose(h_manual, h, rtol=1e-13, atol=1e-14), (h_manual, h)
            assert torch.allclose(out_all[step, 0], h, rtol=1e-13, atol=1e-14)
            for k, v in (("f", f), ("i", i), ("g", g), ("o", o), ("c", c), ("h", h)):
                rec[k].append(v)
    add("lstm", params, {k: js(torch.stack(rec[k])) for k in "figoch"})


def make_lstm():
    # scalar LSTM (H = D = 1): weights (H+D,) = [w_h, w_x]
    lstm_case([1, 2], {"f": [0.5, 0.5], "i": [0.5, 0.5], "g": [0.5, 0.5], "o": [0.5, 0.5]})
    lstm_case([1, -1, 0.5], {"f": [0.1, 0.6], "i": [-0.4, 0.8], "g": [0.3, -0.9], "o": [0.7, 0.2]},
              b={"f": 1.0, "i": 0, "g": 0.1, "o": -0.2}, h0=0.5, c0=-0.3)
    lstm_case([2, 0, -2, 1], {k: decs(2) for k in "figo"}, b={k: decs(()) for k in "fg"}, c0=1.0)
    # H = 1 with D = 2
    lstm_case(decs((3, 2), -2, 2), {k: decs(3) for k in "figo"}, b={k: decs(()) for k in "figo"}, h0=0.2, c0=0.4)
    shapes = [(3, 2, 2), (2, 3, 2), (4, 1, 2), (3, 2, 3), (2, 2, 4), (5, 2, 2), (3, 3, 3), (2, 1, 3),
              (3, 4, 2), (4, 2, 3)]
    for n, (T, D, H) in enumerate(shapes):
        w = {k: decs((H, H + D), -1, 1, 2 if n % 3 == 0 else 1) for k in "figo"}
        b = {k: decs(H) for k in "figo"} if n % 4 != 1 else ({"f": [1.0] * H} if n % 8 == 1 else None)
        h0 = decs(H) if n % 2 == 0 else None
        c0 = decs(H, -2, 2) if n % 3 != 2 else None
        lstm_case(decs((T, D), -2, 2), w, b, h0, c0)
    # integer weights and inputs: gates near saturation
    lstm_case(ints((3, 2), -3, 3), {k: ints((2, 4), -2, 2) for k in "figo"}, b={k: ints(2, -1, 1) for k in "figo"},
              h0=[1, -1], c0=[2, -2])
    lstm_case(ints((4, 1), -5, 5), {k: ints((1, 2), -2, 2) for k in "figo"}, h0=[0.5], c0=[3])


# ---------------------------------------------------------------- activation


def activation_case(inp, fn, slope=None):
    params = {"input": inp, "fn": fn}
    if slope is not None:
        params["slope"] = slope
    x = t(inp)
    if fn == "relu":
        y = torch.relu(x)
    elif fn == "leaky-relu":
        y = F.leaky_relu(x, negative_slope=0.01 if slope is None else slope)
    elif fn == "tanh":
        y = torch.tanh(x)
    elif fn == "sigmoid":
        y = torch.sigmoid(x)
    else:
        y = torch.softmax(x, dim=-1)
    add("activation", params, js(y))


def make_activation():
    activation_case([-2, -0.5, 0, 0.5, 2], "relu")
    activation_case(-1.5, "relu")
    activation_case([-2, -0.5, 0, 0.5, 2], "leaky-relu")
    activation_case(decs((2, 3), -3, 3), "leaky-relu", slope=0.1)
    activation_case([-10, -1, 1, 10], "leaky-relu", slope=0.2)
    activation_case(-4, "leaky-relu", slope=0.3)
    activation_case([-3, -1, 0, 0.5, 1, 3], "tanh")
    activation_case(0.7, "tanh")
    activation_case([[-50, -20], [20, 50]], "tanh")
    activation_case([-3, -1, 0, 0.5, 1, 3], "sigmoid")
    activation_case(-2.0, "sigmoid")
    activation_case([[-40, -800], [40, 800]], "sigmoid")
    activation_case([1, 2, 3], "softmax")
    activation_case([[1, 2, 3], [1, 1, 1], [-1, 0, 5]], "softmax")
    activation_case([1000, 1001, 1002], "softmax")
    activation_case([[-1000, 0], [500, -500]], "softmax")
    activation_case(decs((2, 2, 3), -2, 2), "softmax")
    activation_case(decs((2, 2, 2), -2, 2), "relu")


# ---------------------------------------------------------------- normalize


def normalize_case(inp, method, rng=None, ddof=None):
    params = {"input": inp, "method": method}
    if rng is not None:
        params["range"] = rng
    if ddof is not None:
        params["ddof"] = ddof
    x = t(inp)
    if method == "minmax":
        lo, hi = rng or (0.0, 1.0)
        y = lo + (x - torch.min(x)) / (torch.max(x) - torch.min(x)) * (hi - lo)
    else:
        z = (x - torch.mean(x)) / torch.std(x, correction=ddof or 0)
        y = z if method == "zscore" else torch.tanh(z)
    add("normalize", params, js(y))


def make_normalize():
    normalize_case([2, 4, 6, 8, 10], "minmax")
    normalize_case([3, -1, 4, 1, 5, 9], "minmax", rng=[-1, 1])
    normalize_case(decs(6, 0, 10), "minmax", rng=[0, 100])
    normalize_case([2, 4, 4, 4, 5, 5, 7, 9], "zscore")
    normalize_case([2, 4, 4, 4, 5, 5, 7, 9], "zscore", ddof=1)
    normalize_case(decs(7, -5, 5), "zscore")
    normalize_case([1, 2, 3, 4], "tanh")
    normalize_case(decs(5, 0, 20), "tanh", ddof=1)
    normalize_case([10, 20], "minmax", rng=[0.5, 2.5])


# ---------------------------------------------------------------- conv2d-backward


def conv2d_backward_case(inp, ker, grad_output, stride=None, padding=None):
    params = {"input": inp, "kernel": ker, "grad_output": grad_output}
    if stride is not None:
        params["stride"] = stride
    if padding is not None:
        params["padding"] = padding
    x = t(inp)[None, None].requires_grad_()
    w = t(ker)[None, None].requires_grad_()
    b = torch.zeros(1, dtype=F64, requires_grad=True)
    out = F.conv2d(x, w, b, stride=pair(stride or 1), padding=pair(padding or 0))
    go = t(grad_output)
    assert out.shape[2:] == go.shape, (out.shape, go.shape)
    (out[0, 0] * go).sum().backward()
    add("conv2d-backward", params,
        {"grad_input": js(x.grad[0, 0]), "grad_kernel": js(w.grad[0, 0]), "grad_bias": b.grad.item()})


def make_conv2d_backward():
    conv2d_backward_case([[1, 2, 3], [4, 5, 6], [7, 8, 9]], [[1, 0], [0, -1]], [[1, 1], [1, 1]])
    for hw, kk, s, p in [((4, 4), (3, 3), None, None), ((5, 5), (3, 3), 2, None), ((4, 4), (2, 2), 1, 1),
                         ((5, 6), (2, 3), [2, 1], [1, 0]), ((6, 6), (3, 3), 2, 1), ((4, 5), (3, 2), None, [1, 2]),
                         ((7, 7), (3, 3), 3, 1)]:
        sh, sw = pair(s or 1)
        ph, pw = pair(p or 0)
        oh = (hw[0] + 2 * ph - kk[0]) // sh + 1
        ow = (hw[1] + 2 * pw - kk[1]) // sw + 1
        conv2d_backward_case(ints(hw, -3, 3), ints(kk, -2, 2), decs((oh, ow), -1, 1), stride=s, padding=p)


# ---------------------------------------------------------------- maxpool-backward


def maxpool_backward_case(inp, size, grad_output, stride=None, padding=None):
    params = {"input": inp, "size": size, "grad_output": grad_output}
    if stride is not None:
        params["stride"] = stride
    if padding is not None:
        params["padding"] = padding
    x = t(inp)[None, None].requires_grad_()
    out = F.max_pool2d(x, pair(size), pair(stride or size), pair(padding or 0))
    go = t(grad_output)
    assert out.shape[2:] == go.shape, (out.shape, go.shape)
    (out[0, 0] * go).sum().backward()
    add("maxpool-backward", params, js(x.grad[0, 0]))


def make_maxpool_backward():
    maxpool_backward_case([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]], 2, [[1, 2], [3, 4]])
    for hw, k, s, p in [((4, 4), 2, None, None), ((5, 5), 3, 1, None), ((5, 5), 3, 2, None),
                        ((6, 6), [2, 3], [2, 3], None), ((4, 4), 2, 1, 1), ((5, 6), 3, 2, 1),
                        ((6, 5), [3, 2], [1, 2], [1, 0])]:
        kh, kw = pair(k)
        sh, sw = pair(s or k)
        ph, pw = pair(p or 0)
        oh = (hw[0] + 2 * ph - kh) // sh + 1
        ow = (hw[1] + 2 * pw - kw) // sw + 1
        maxpool_backward_case(distinct(hw), k, decs((oh, ow), -2, 2), stride=s, padding=p)


# ---------------------------------------------------------------- vae, gan, clip-grad


def vae_case(mu, logvar, eps):
    m, lv, e = t(mu), t(logvar), t(eps)
    sigma = torch.exp(0.5 * lv)
    z = m + sigma * e
    kl = -0.5 * torch.sum(1 + lv - m**2 - torch.exp(lv))
    add("vae", {"mu": mu, "logvar": logvar, "eps": eps}, {"sigma": js(sigma), "z": js(z), "kl": kl.item()})


def make_vae():
    vae_case([0, 1], [0, 0], [0.5, -0.5])
    vae_case(0.5, -1.0, 1.2)
    vae_case(decs(4, -2, 2), decs(4, -2, 1), decs(4, -2, 2, 2))
    vae_case([1.5, -0.3, 0.0], [2.0, -3.0, 0.5], [-1.0, 0.3, 2.0])
    vae_case(decs(6, -1, 1), decs(6, -1, 1), decs(6, -2, 2))


def gan_case(d_real, d_fake):
    r, f = t(d_real), t(d_fake)
    d_loss = F.binary_cross_entropy(r, torch.ones_like(r)) + F.binary_cross_entropy(f, torch.zeros_like(f))
    minimax = torch.mean(torch.log(1 - f))
    nonsat = F.binary_cross_entropy(f, torch.ones_like(f))
    add("gan", {"d_real": d_real, "d_fake": d_fake},
        {"d_loss": d_loss.item(), "g_loss_minimax": minimax.item(), "g_loss_nonsaturating": nonsat.item()})


def make_gan():
    gan_case([0.9, 0.8], [0.1, 0.3])
    gan_case(0.5, 0.5)
    gan_case([0.99, 0.7, 0.6], [0.01, 0.2])
    gan_case(decs(5, 0.05, 0.95, 2), decs(4, 0.05, 0.95, 2))
    gan_case(0.75, [0.4, 0.9, 0.05])


# PyTorch's clip_grad_norm_ multiplies by max_norm / (norm + 1e-6), the spec by exactly
# max_norm / norm: a relative difference of 1e-6/norm. All clipped gradients here have
# norm > 1.5, so comparing at rtol 1e-6 is both tight and fair.
CLIP_NOTE = "torch.nn.utils.clip_grad_norm_ divides by (norm + 1e-6); the spec uses max_norm/norm exactly"


def clip_grad_case(grad, max_norm):
    g = t(grad)
    p = torch.zeros_like(g, requires_grad=True)
    p.grad = g.clone()
    norm = torch.nn.utils.clip_grad_norm_([p], max_norm)
    assert abs(norm.item() - max_norm) > 1e-5
    assert norm.item() <= max_norm or norm.item() > 1.5
    add("clip-grad", {"grad": grad, "max_norm": max_norm}, js(p.grad), rtol=1e-6, note=CLIP_NOTE)


def make_clip_grad():
    clip_grad_case([3, 4], 1.0)
    clip_grad_case([3, 4], 10.0)
    clip_grad_case([1, -2, 2], 2.5)
    clip_grad_case(-6.0, 2.0)
    clip_grad_case(0.3, 2.0)
    clip_grad_case(decs(6, -5, 5), 1.5)
    clip_grad_case([0.5, -0.5, 0.25], 1.0)


def main():
    torch.manual_seed(0)  # nothing below relies on it (all weights are copied in); for safety
    for make in (make_conv2d, make_pool, make_conv_transpose, make_upsample, make_output_size, make_network,
                 make_recurrent_params, make_rnn, make_lstm, make_activation, make_normalize,
                 make_conv2d_backward, make_maxpool_backward, make_vae, make_gan, make_clip_grad):
        make()
    for case in CASES:
        json.dumps(case, allow_nan=False)
    text = "[\n" + ",\n".join(json.dumps(c, allow_nan=False) for c in CASES) + "\n]\n"
    OUT.write_text(text)
    counts: dict[str, int] = {}
    for c in CASES:
        counts[c["kind"]] = counts.get(c["kind"], 0) + 1
    print(f"wrote {len(CASES)} cases to {OUT}")
    for k, n in counts.items():
        print(f"  {k:18s} {n}")


if __name__ == "__main__":
    main()
