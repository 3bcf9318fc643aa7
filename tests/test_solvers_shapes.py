"""Shapes solvers: output-size against a naive convolution, network against hand-counted networks,
recurrent-params against hand-worked counts, and every kind of bad parameter."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import fails

from ncquiz.errors import ParamError
from ncquiz.solvers import solve, to_json

# ---------------------------------------------------------------- output-size


@pytest.mark.parametrize("params, expected", [
    ({"size": 32, "kernel": 5}, 28),                                       # (32 - 5)/1 + 1
    ({"size": 7, "kernel": 3, "stride": 2, "padding": 1}, 4),              # floor((7 + 2 - 3)/2) + 1 = 3 + 1
    ({"size": 5, "kernel": 3, "dilation": 2}, 1),                          # dilated kernel spans 5
    ({"size": 2, "kernel": 2, "stride": 2, "transpose": True}, 4),         # (2-1)*2 + 1*(2-1) + 1
    ({"size": 8, "kernel": 3, "stride": 2}, 3),                            # floor(5/2) + 1: the floor matters
    ({"size": 7, "kernel": 3, "stride": 2, "padding": 1, "transpose": True, "output_padding": 1}, 14),
    ({"size": 224, "kernel": 11, "stride": 4, "padding": 2}, 55),          # AlexNet's first layer
])
def test_output_size_hand_cases(params, expected):
    sol = solve("output-size", params)
    assert sol.answer == expected and type(sol.answer) is int


def test_output_size_steps_show_formula_numbers_and_floor():
    steps = solve("output-size", {"size": 7, "kernel": 3, "stride": 2, "padding": 1}).steps
    assert steps[0] == "out = floor((n + 2p - d(k-1) - 1)/s) + 1"
    assert steps[1] == "out = floor((7 + 2*1 - 1*(3-1) - 1)/2) + 1"
    assert steps[2] == "out = floor(6/2) + 1 = 3 + 1 = 4"
    steps = solve("output-size", {"size": 2, "kernel": 2, "stride": 2, "transpose": True}).steps
    assert steps[1] == "out = (2-1)*2 - 2*0 + 1*(2-1) + 0 + 1" and steps[-1].endswith("= 4")


def naive_conv2d(x, k, s, p, d):
    """Cross-correlation by explicit loops over every window that fits the padded input."""
    xp = np.pad(x, p)
    kh, kw = k.shape
    rows = []
    for i in range(0, xp.shape[0] - d * (kh - 1), s):
        row = []
        for j in range(0, xp.shape[1] - d * (kw - 1), s):
            row.append(sum(xp[i + d * a, j + d * b] * k[a, b] for a in range(kh) for b in range(kw)))
        rows.append(row)
    if not rows:
        return np.zeros((0, len(range(0, xp.shape[1] - d * (kw - 1), s))))
    return np.array(rows)


def naive_conv_transpose2d(x, k, s, p, d, op):
    """Transposed convolution by scattering each input value times the kernel, then cropping p."""
    (h, w), (kh, kw) = x.shape, k.shape
    full = np.zeros(((h - 1) * s + d * (kh - 1) + 1 + op, (w - 1) * s + d * (kw - 1) + 1 + op))
    for i in range(h):
        for j in range(w):
            for a in range(kh):
                for b in range(kw):
                    full[i * s + d * a, j * s + d * b] += x[i, j] * k[a, b]
    return full[p:full.shape[0] - p, p:full.shape[1] - p]


conv_cases = st.fixed_dictionaries({
    "h": st.integers(1, 9), "w": st.integers(1, 9), "kh": st.integers(1, 4), "kw": st.integers(1, 4),
    "s": st.integers(1, 3), "p": st.integers(0, 3), "d": st.integers(1, 3), "seed": st.integers(0, 2**16),
})


@settings(max_examples=60, deadline=None)
@given(conv_cases)
def test_output_size_is_the_shape_a_naive_convolution_produces(c):
    rng = np.random.default_rng(c["seed"])
    x, k = rng.normal(size=(c["h"], c["w"])), rng.normal(size=(c["kh"], c["kw"]))
    out = naive_conv2d(x, k, c["s"], c["p"], c["d"])
    for n, kn, produced in ((c["h"], c["kh"], out.shape[0]), (c["w"], c["kw"], out.shape[1])):
        params = {"size": n, "kernel": kn, "stride": c["s"], "padding": c["p"], "dilation": c["d"]}
        if produced == 0:  # no window fits
            assert fails("output-size", params).field == "kernel"
        else:
            assert solve("output-size", params).answer == produced


@settings(max_examples=60, deadline=None)
@given(conv_cases, st.integers(0, 2))
def test_transposed_output_size_is_the_shape_a_naive_transposed_convolution_produces(c, op):
    op = min(op, max(c["s"], c["d"]) - 1)  # PyTorch: output_padding < stride or < dilation
    rng = np.random.default_rng(c["seed"])
    x, k = rng.normal(size=(c["h"], c["w"])), rng.normal(size=(c["kh"], c["kw"]))
    out = naive_conv_transpose2d(x, k, c["s"], c["p"], c["d"], op)
    for n, kn, produced in ((c["h"], c["kh"], out.shape[0]), (c["w"], c["kw"], out.shape[1])):
        params = {"size": n, "kernel": kn, "stride": c["s"], "padding": c["p"], "dilation": c["d"],
                  "transpose": True, "output_padding": op}
        if produced < 1:  # the padding crops everything
            assert fails("output-size", params).field == "padding"
        else:
            assert solve("output-size", params).answer == produced


@pytest.mark.parametrize("params, field, needle", [
    ({"size": 3, "kernel": 5}, "kernel", "larger than the padded input 3 + 2*0 = 3"),
    ({"size": 4, "kernel": 3, "dilation": 2}, "kernel", "spans 5"),
    ({"size": 4, "kernel": 3, "output_padding": 1}, "output_padding", "only applies to a transposed convolution"),
    ({"size": 4, "kernel": 3, "stride": 2, "output_padding": 2, "transpose": True}, "output_padding",
     "smaller than the stride (2) or the dilation (1)"),
    ({"size": 2, "kernel": 1, "padding": 3, "transpose": True}, "padding", "crops away the whole output"),
    ({"size": 0, "kernel": 1}, "size", ">= 1"),
    ({"size": 4, "kernel": 3, "stride": 0}, "stride", ">= 1"),
])
def test_output_size_bad_params(params, field, needle):
    error = fails("output-size", params)
    assert error.field == field and needle in error.reason


# ---------------------------------------------------------------- network

LENET = ["conv 6 5x5", "maxpool 2x2", "conv 16 5x5", "maxpool 2x2", "flatten", "fc 120", "fc 84", "fc 10"]


def network(shape, layers):
    return solve("network", {"input": list(shape), "layers": list(layers)})


def test_lenet5_layer_by_layer():
    sol = network((32, 32, 1), LENET)
    # Worked by hand: 32-5+1 = 28; 28/2 = 14; 14-5+1 = 10; 10/2 = 5; 5*5*16 = 400
    expected = [
        ([28, 28, 6], (5 * 5 * 1 + 1) * 6),      # 156
        ([14, 14, 6], 0),
        ([10, 10, 16], (5 * 5 * 6 + 1) * 16),    # 2416
        ([5, 5, 16], 0),
        ([400], 0),
        ([120], 400 * 120 + 120),                # 48120
        ([84], 120 * 84 + 84),                   # 10164
        ([10], 84 * 10 + 10),                    # 850
    ]
    rows = sol.answer["layers"]
    assert [r["layer"] for r in rows] == LENET
    assert [(r["output_shape"], r["params"]) for r in rows] == expected
    assert sol.answer["total_params"] == 61706
    data = to_json(sol.answer)
    assert set(data) == {"layers", "total_params"} and set(data["layers"][0]) == {"layer", "output_shape", "params"}
    assert all(type(n) is int for r in data["layers"] for n in r["output_shape"] + [r["params"]])


def test_lenet5_steps():
    steps = network((32, 32, 1), LENET).steps
    assert steps[0] == "input: 32 x 32 x 1"
    assert steps[1] == ("conv 6 5x5: H = W = floor((32 + 2*0 - 5)/1) + 1 = 28 -> 28 x 28 x 6; "
                        "params (5*5*1 + 1) * 6 = 156")
    assert "-> 14 x 14 x 6" in steps[2] and "params 0" in steps[2]
    assert "400*120 + 120 = 48120" in steps[6]
    assert steps[-1] == "total = 156 + 2416 + 48120 + 10164 + 850 = 61706"
    assert len(steps) == len(LENET) + 2


ALEXNET = ["conv 64 11x11 s4 p2", "relu", "maxpool 3x3 s2", "conv 192 5x5 p2", "relu", "maxpool 3x3 s2",
           "conv 384 3x3 p1", "relu", "conv 256 3x3 p1", "relu", "conv 256 3x3 p1", "relu", "maxpool 3x3 s2",
           "flatten", "dropout", "fc 4096", "relu", "dropout", "fc 4096", "relu", "fc 1000"]


def test_alexnet_as_torchvision_builds_it():
    sol = network((224, 224, 3), ALEXNET)
    shapes = [r["output_shape"] for r in sol.answer["layers"]]
    assert shapes[0] == [55, 55, 64]     # floor((224 + 4 - 11)/4) + 1
    assert shapes[2] == [27, 27, 64]     # floor((55 - 3)/2) + 1
    assert shapes[5] == [13, 13, 192]
    assert shapes[12] == [6, 6, 256]
    assert shapes[13] == [9216]
    assert sol.answer["layers"][15]["params"] == 9216 * 4096 + 4096
    assert sol.answer["total_params"] == 61_100_840


def test_vgg16():
    def block(n, out):
        return [f"conv {out} 3x3 p1", "relu"] * n + ["maxpool 2x2"]
    layers = (block(2, 64) + block(2, 128) + block(3, 256) + block(3, 512) + block(3, 512)
              + ["flatten", "fc 4096", "relu", "dropout", "fc 4096", "relu", "dropout", "fc 1000"])
    sol = network((224, 224, 3), layers)
    assert sol.answer["layers"][layers.index("flatten")]["output_shape"] == [7 * 7 * 512]
    assert sol.answer["total_params"] == 138_357_544


def test_same_padding_keeps_height_and_width():
    sol = network((15, 9, 3), ["conv 8 3x3 p=same", "conv 4 4x4 p=same", "conv 2 3x3 p=same d3"])
    assert [r["output_shape"] for r in sol.answer["layers"]] == [[15, 9, 8], [15, 9, 4], [15, 9, 2]]
    assert [r["params"] for r in sol.answer["layers"]] == [(9 * 3 + 1) * 8, (16 * 8 + 1) * 4, (9 * 4 + 1) * 2]


def test_transposed_convolution_shapes_and_params():
    sol = network((1, 1, 100), ["convT 512 4x4", "convT 256 4x4 s2 p1", "convT 3 3x3 s2 p1 op1", "convT 1 2x2 s2 nobias"])
    rows = sol.answer["layers"]
    assert rows[0]["output_shape"] == [4, 4, 512] and rows[0]["params"] == (4 * 4 * 100 + 1) * 512
    assert rows[1]["output_shape"] == [8, 8, 256]    # (4-1)*2 - 2 + 3 + 1
    assert rows[2]["output_shape"] == [16, 16, 3]    # (8-1)*2 - 2 + 2 + 1 + 1
    assert rows[3]["output_shape"] == [32, 32, 1] and rows[3]["params"] == 2 * 2 * 3 * 1
    assert "(4-1)*2 - 2*1 + 1*(4-1) + 0 + 1 = 8" in sol.steps[2]


def test_nobias_and_other_layers():
    sol = network((10, 10, 2), ["conv 4 3x5 nobias", "avgpool 2x2", "upsample 3", "leaky-relu", "softmax",
                                "tanh", "sigmoid", "leakyrelu", "fc 7 nobias", "fc 3"])
    rows = sol.answer["layers"]
    assert rows[0]["output_shape"] == [8, 6, 4] and rows[0]["params"] == 3 * 5 * 2 * 4
    assert rows[1]["output_shape"] == [4, 3, 4]      # stride defaults to the window
    assert rows[2]["output_shape"] == [12, 9, 4]
    assert all(r["output_shape"] == [12, 9, 4] and r["params"] == 0 for r in rows[3:8])
    assert rows[8]["output_shape"] == [7] and rows[8]["params"] == 12 * 9 * 4 * 7
    assert rows[9]["params"] == 7 * 3 + 3
    assert "H = floor((10 + 2*0 - 3)/1) + 1 = 8, W = floor((10 + 2*0 - 5)/1) + 1 = 6" in sol.steps[1]


def test_kernel_spellings_and_case():
    for layer in ("conv 6 5x5", "conv 6 5×5", "conv 6 5", "conv 6 5 x 5", "CONV 6 5X5", "conv 6 5x5 s1 p0 d1"):
        sol = network((32, 32, 1), [layer])
        assert sol.answer["layers"][0] == {"layer": layer, "output_shape": [28, 28, 6], "params": 156}
    sol = network((28, 28, 1), ["conv 6 5x5 s=1 p=2", "MaxPool 2x2 s2", "ConvT 1 2x2 s2"])
    assert [r["output_shape"] for r in sol.answer["layers"]] == [[28, 28, 6], [14, 14, 6], [28, 28, 1]]


def test_pool_padding_and_stride():
    sol = network((7, 7, 3), ["maxpool 3x3 s2 p1", "avgpool 3x3 s1 p1"])
    assert [r["output_shape"] for r in sol.answer["layers"]] == [[4, 4, 3], [4, 4, 3]]


@pytest.mark.parametrize("shape, layers, field, message", [
    ((8, 8, 1), ["conv 2 3x3", "relu", "foo"], "layers[2]",
     "unknown layer 'foo'; expected one of conv, convT, maxpool, avgpool"),
    ((8, 8, 1), ["conv 6 5x5 s"], "layers[0]", "cannot read 's' in 'conv 6 5x5 s'; expected sN, pN, p=same, dN or nobias"),
    ((8, 8, 1), ["conv 6 5x5 q2"], "layers[0]", "cannot read 'q2'"),
    ((8, 8, 1), ["convT 6 5x5 p=same"], "layers[0]", "expected sN, pN, opN, dN or nobias"),
    ((8, 8, 1), ["maxpool 2x2 d2"], "layers[0]", "expected sN or pN"),
    ((8, 8, 1), ["conv 6 axb"], "layers[0]", "cannot read the kernel size 'axb'"),
    ((8, 8, 1), ["conv 6 3x3", "conv 2 3x3", "conv 1 5x5"], "layers[2]",
     "5x5 kernel is larger than the 4x4 input (after padding 0)"),
    ((4, 4, 1), ["conv 1 3x3 d2"], "layers[0]", "3x3 kernel with dilation 2 (spanning 5x5) is larger than the 4x4 input"),
    ((4, 4, 1), ["maxpool 7x7 p1"], "layers[0]", "7x7 kernel is larger than the 6x6 input (after padding 1)"),
    ((2, 2, 30), ["relu", "flatten", "dropout", "conv 6 3x3"], "layers[3]",
     "conv needs an H x W x C input, got a flat vector of 120"),
    ((4, 4, 1), ["fc 10", "maxpool 2x2"], "layers[1]", "maxpool needs an H x W x C input, got a flat vector of 10"),
    ((4, 4, 1), ["flatten", "upsample 2"], "layers[1]", "upsample needs an H x W x C input"),
    ((4, 4, 1), ["flatten", "convT 2 2x2"], "layers[1]", "convT needs an H x W x C input"),
    ((4, 4, 1), ["convT 1 1x1 p3"], "layers[0]", "padding 3 crops away the whole output"),
    ((8, 8, 1), ["conv 4 3x3 p=same s2"], "layers[0]", "p=same needs stride 1"),
    ((8, 8, 1), ["convT 4 3x3 s2 op2"], "layers[0]", "op2 must be smaller than the stride (2) or the dilation (1)"),
    ((8, 8, 1), ["maxpool 3x3 p2"], "layers[0]", "padding 2 is more than half the 3x3 window"),
    ((8, 8, 1), ["conv 4 3x3 s0"], "layers[0]", "the stride must be at least 1"),
    ((8, 8, 1), ["conv 4 3x3 d0"], "layers[0]", "the dilation must be at least 1"),
    ((8, 8, 1), ["conv 0 3x3"], "layers[0]", "the number of filters must be at least 1"),
    ((8, 8, 1), ["conv 4 0x3"], "layers[0]", "the kernel must be at least 1x1"),
    ((8, 8, 1), ["conv 4 3x3 s1 s2"], "layers[0]", "'s2' repeats an option"),
    ((8, 8, 1), ["conv 4 3x3 p1 p=same"], "layers[0]", "'p=same' repeats an option"),
    ((8, 8, 1), ["conv 4"], "layers[0]", "conv needs the number of filters and a kernel size"),
    ((8, 8, 1), ["fc"], "layers[0]", "fc needs the number of outputs"),
    ((8, 8, 1), ["fc ten"], "layers[0]", "cannot read 'ten' in 'fc ten'"),
    ((8, 8, 1), ["fc 10 s2"], "layers[0]", "expected nobias"),
    ((8, 8, 1), ["upsample"], "layers[0]", "upsample needs one whole factor"),
    ((8, 8, 1), ["upsample 1.5"], "layers[0]", "cannot read '1.5'"),
    ((8, 8, 1), ["relu 0.5"], "layers[0]", "relu takes no options"),
    ((8, 8, 1), ["fc 99999999999999999999999"], "layers[0]", "is too large (at most 1000000)"),
    ((8, 8, 1), ["conv 1 3", "   "], "layers[1]", "empty layer string"),
])
def test_network_errors(shape, layers, field, message):
    with pytest.raises(ParamError) as err:
        network(shape, layers)
    assert err.value.field == field
    assert message in err.value.reason
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("params, field", [
    ({"input": [32, 32], "layers": ["relu"]}, "input"),
    ({"input": [32, 0, 1], "layers": ["relu"]}, "input[1]"),
    ({"input": [32, 32, 1], "layers": []}, "layers"),
    ({"input": [32, 32, 1], "layers": ["relu", 3]}, "layers[1]"),
])
def test_network_bad_input_or_layer_list(params, field):
    assert fails("network", params).field == field


# ---------------------------------------------------------------- recurrent-params


@pytest.mark.parametrize("cell, d, h, bias, expected", [
    ("lstm", 10, 20, "pytorch", 4 * (20 * 10 + 20 * 20 + 2 * 20)),   # 4 * (200 + 400 + 40) = 2560
    ("lstm", 10, 20, "single", 4 * (200 + 400 + 20)),                # 2480
    ("lstm", 10, 20, "none", 4 * (200 + 400)),                       # 2400
    ("gru", 3, 5, "pytorch", 3 * (15 + 25 + 10)),                    # 150
    ("gru", 3, 5, "single", 3 * (15 + 25 + 5)),                      # 135
    ("rnn", 1, 1, "single", 1 + 1 + 1),                              # w_xh, w_hh, b
    ("rnn", 8, 16, "pytorch", 128 + 256 + 32),                       # 416
])
def test_recurrent_params_hand_counts(cell, d, h, bias, expected):
    sol = solve("recurrent-params", {"cell": cell, "input_size": d, "hidden_size": h, "bias": bias})
    assert sol.answer == expected and type(sol.answer) is int


def test_recurrent_params_default_bias_is_single_and_steps():
    sol = solve("recurrent-params", {"cell": "LSTM", "input_size": 10, "hidden_size": 20, "bias": "pytorch"})
    assert sol.steps[1] == "params = 4 * (20*10 + 20*20 + 2*20)"
    assert sol.steps[2] == "params = 4 * (200 + 400 + 40) = 4 * 640 = 2560"
    assert solve("recurrent-params", {"cell": "lstm", "input_size": 10, "hidden_size": 20}).answer == 2480


@pytest.mark.parametrize("params, field", [
    ({"cell": "transformer", "input_size": 1, "hidden_size": 1}, "cell"),
    ({"cell": "rnn", "input_size": 0, "hidden_size": 1}, "input_size"),
    ({"cell": "rnn", "input_size": 1, "hidden_size": 1.5}, "hidden_size"),
    ({"cell": "rnn", "input_size": 1, "hidden_size": 1, "bias": "double"}, "bias"),
])
def test_recurrent_params_bad_params(params, field):
    assert fails("recurrent-params", params).field == field
