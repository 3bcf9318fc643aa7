"""Output sizes and parameter counts: one convolution, a whole network, a recurrent layer.

Sizes follow PyTorch: out = floor((n + 2p - d(k-1) - 1)/s) + 1, and for a transposed
convolution out = (n-1)s - 2p + d(k-1) + output_padding + 1. Shapes are written H x W x C.
"""

from __future__ import annotations

import re

from ncquiz.errors import ParamError
from ncquiz.solvers import Solution
from ncquiz.solvers.spec import MAX_ELEMENTS

CONV_FORMULA = "out = floor((n + 2p - d(k-1) - 1)/s) + 1"
TRANSPOSED_FORMULA = "out = (n-1)s - 2p + d(k-1) + output_padding + 1"

# ---------------------------------------------------------------- one output size


def output_size(size, kernel, stride, padding, dilation, transpose, output_padding):
    """Side length of a convolution, pooling or transposed-convolution output."""
    n, k, s, p, d, op = size, kernel, stride, padding, dilation, output_padding
    if transpose:
        return _transposed_size(n, k, s, p, d, op)
    if op:
        raise ParamError("output_padding", "only applies to a transposed convolution "
                                           "(set transpose to true, or leave output_padding at 0)")
    top = n + 2 * p - d * (k - 1) - 1
    if top < 0:
        raise ParamError("kernel", f"{_kernel_span(k, d)} is larger than the padded input "
                                   f"{n} + 2*{p} = {n + 2 * p}")
    out = top // s + 1
    return Solution(out, (
        CONV_FORMULA,
        f"out = floor(({n} + 2*{p} - {d}*({k}-1) - 1)/{s}) + 1",
        f"out = floor({top}/{s}) + 1 = {top // s} + 1 = {out}",
    ))


def _transposed_size(n, k, s, p, d, op):
    """The transposed-convolution output size and its steps."""
    if not (op < s or op < d):
        raise ParamError("output_padding", f"must be smaller than the stride ({s}) or the dilation ({d}), got {op}")
    out = _transposed(n, k, s, p, d, op)
    text = _transposed_text(n, k, s, p, d, op)
    if out < 1:
        raise ParamError("padding", f"{p} crops away the whole output: {text} = {out}")
    return Solution(out, (
        TRANSPOSED_FORMULA,
        f"out = {text}",
        f"out = {(n - 1) * s} - {2 * p} + {d * (k - 1)} + {op} + 1 = {out}",
    ))


def _conv(n, k, s, p, d):
    """floor((n + 2p - d(k-1) - 1)/s) + 1 (Python's // floors)."""
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def _transposed(n, k, s, p, d, op):
    """(n-1)s - 2p + d(k-1) + op + 1."""
    return (n - 1) * s - 2 * p + d * (k - 1) + op + 1


def _kernel_span(k, d):
    """The kernel size, with dilation also the extent it spans."""
    return f"{k}" if d == 1 else f"{k} (dilation {d}: spans {d * (k - 1) + 1})"


# ---------------------------------------------------------------- recurrent layers

_GATES = {"rnn": (1, "an RNN"), "lstm": (4, "an LSTM"), "gru": (3, "a GRU")}
_BIASES = {"single": (1, "one bias per gate"), "pytorch": (2, "two biases per gate, b_ih and b_hh as in PyTorch"),
           "none": (0, "no biases")}


def recurrent_params(cell, input_size, hidden_size, bias):
    """Weights and biases of an RNN, LSTM or GRU layer: gates * (H*D + H*H + nb*H)."""
    gates, cell_name = _GATES[cell]
    nb, bias_name = _BIASES[bias]
    d, h = input_size, hidden_size
    total = gates * (h * d + h * h + nb * h)
    if nb:
        formula, with_numbers, products = ("gates * (H*D + H*H + nb*H)", f"{gates} * ({h}*{d} + {h}*{h} + {nb}*{h})",
                                           f"{gates} * ({h * d} + {h * h} + {nb * h})")
    else:
        formula, with_numbers, products = ("gates * (H*D + H*H)", f"{gates} * ({h}*{d} + {h}*{h})",
                                           f"{gates} * ({h * d} + {h * h})")
    return Solution(total, (
        f"params = {formula} with {gates} gate{'s' if gates > 1 else ''} for {cell_name}, "
        f"nb = {nb} ({bias_name}), D = {d} inputs, H = {h} hidden units",
        f"params = {with_numbers}",
        f"params = {products} = {gates} * {total // gates} = {total}",
    ))


# ---------------------------------------------------------------- whole networks

_NAMES = "conv, convT, maxpool, avgpool, upsample, flatten, fc, relu, leakyrelu, tanh, sigmoid, softmax, dropout"
_OPTION = re.compile(r"(op|s|p|d)=?([0-9]+)")
_KERNEL = re.compile(r"([0-9]+)(?:x([0-9]+))?")
_SPACED_KERNEL = re.compile(r"([0-9])\s*[x×]\s*([0-9])")
_WORDS = {"p=same": "same", "nobias": "nobias"}
_EXPECTED = {"conv": "sN, pN, p=same, dN or nobias", "convt": "sN, pN, opN, dN or nobias",
             "pool": "sN or pN", "fc": "nobias"}
_ALLOWED = {"conv": {"s", "p", "same", "d", "nobias"}, "convt": {"s", "p", "op", "d", "nobias"},
            "pool": {"s", "p"}, "fc": {"nobias"}}


def network(input, layers):
    """Output shape and parameter count of each layer, and the total."""
    shape = tuple(input)
    rows, steps = [], [f"input: {_shape_text(shape)}"]
    for i, text in enumerate(layers):
        shape, params, work = _layer(_FIELDS[i] if i < len(_FIELDS) else f"layers[{i}]", text, shape)
        rows.append({"layer": text, "output_shape": list(shape), "params": params})
        steps.append(f"{text.strip()}: {work}")
    total = sum(row["params"] for row in rows)
    terms = [str(row["params"]) for row in rows if row["params"]] or ["0"]
    steps.append(f"total = {' + '.join(terms)} = {total}" if len(terms) > 1 else f"total = {total}")
    return Solution({"layers": rows, "total_params": total}, tuple(steps))


_FIELDS = tuple(f"layers[{i}]" for i in range(32))
"""The field names of the first layers, for their error messages."""


def _layer(field, text, shape):
    """(output shape, params, worked line) of one layer string."""
    low = text.lower()
    if "×" in low or " x" in low or "x " in low:  # "5 x 5" and "5×5" are read as 5x5
        low = _SPACED_KERNEL.sub(_join_kernel, low)
    tokens = low.split()
    if not tokens:
        raise ParamError(field, f"empty layer string; expected one of {_NAMES}")
    name, args = tokens[0], tokens[1:]
    if name in _SPATIAL and len(shape) != 3:
        raise ParamError(field, f"{tokens[0] if name != 'convt' else 'convT'} needs an H x W x C input, "
                                f"got a flat vector of {shape[0]}")
    if name in _SPATIAL:
        return _SPATIAL[name](field, text, args, shape)
    if name == "fc":
        return _fc(field, text, args, shape)
    if name == "flatten":
        _no_args(field, text, name, args)
        n = _size(shape)
        return (n,), 0, f"{_shape_text(shape)} -> [{n}]; params 0"
    if name in ("relu", "leakyrelu", "leaky-relu", "tanh", "sigmoid", "softmax", "dropout"):
        _no_args(field, text, name, args)
        return shape, 0, f"shape unchanged {_shape_text(shape)}; params 0"
    raise ParamError(field, f"unknown layer '{tokens[0]}'; expected one of {_NAMES}")


def _join_kernel(m):
    """'5 x 5' or '5×5' -> '5x5'."""
    return f"{m.group(1)}x{m.group(2)}"


def _conv_layer(field, text, args, shape):
    """conv OUT KxK [sS] [pP|p=same] [dD] [nobias]."""
    out, (kh, kw), opt = _conv_args(field, text, args, "conv")
    h, w, c = shape
    if opt["same"]:
        if opt["s"] != 1:
            raise ParamError(field, f"p=same needs stride 1 (PyTorch refuses padding='same' with a stride), "
                                    f"got s{opt['s']} in '{text}'")
        ho, wo, size = h, w, f"p=same keeps H x W = {h} x {w}"
    else:
        s, p, d = opt["s"], opt["p"], opt["d"]
        _check_fits(field, kh, kw, h, w, p, d)
        ho, h_text = _conv(h, kh, s, p, d), _conv_text(h, kh, s, p, d)
        wo, w_text = (ho, h_text) if (w, kw) == (h, kh) else (_conv(w, kw, s, p, d), _conv_text(w, kw, s, p, d))
        size = _pair_text(h_text, ho, w_text, wo)
    params, work = _conv_params(kh, kw, c, out, opt["nobias"])
    return (ho, wo, out), params, f"{size} -> {_shape_text((ho, wo, out))}; params {work}"


def _convt_layer(field, text, args, shape):
    """convT OUT KxK [sS] [pP] [opA] [dD] [nobias]."""
    out, (kh, kw), opt = _conv_args(field, text, args, "convt")
    s, p, d, op = opt["s"], opt["p"], opt["d"], opt["op"]
    if not (op < s or op < d):
        raise ParamError(field, f"op{op} must be smaller than the stride ({s}) or the dilation ({d}) in '{text}'")
    h, w, c = shape
    ho, wo = _transposed(h, kh, s, p, d, op), _transposed(w, kw, s, p, d, op)
    size = _pair_text(_transposed_text(h, kh, s, p, d, op), ho, _transposed_text(w, kw, s, p, d, op), wo)
    if ho < 1 or wo < 1:
        raise ParamError(field, f"padding {p} crops away the whole output ({size}) in '{text}'")
    params, work = _conv_params(kh, kw, c, out, opt["nobias"])
    return (ho, wo, out), params, f"{size} -> {_shape_text((ho, wo, out))}; params {work}"


def _pool_layer(field, text, args, shape):
    """maxpool / avgpool KxK [sS] [pP]; the stride defaults to the window size."""
    if not args:
        raise ParamError(field, f"{text.split()[0]} needs a window size, e.g. '{text.split()[0]} 2x2'")
    kh, kw = _kernel(field, text, args[0])
    opt = _options(field, text, args[1:], "pool")
    sh, sw = (opt["s"], opt["s"]) if opt["s_given"] else (kh, kw)
    p, (h, w, c) = opt["p"], shape
    if 2 * p > min(kh, kw):
        raise ParamError(field, f"padding {p} is more than half the {kh}x{kw} window "
                                f"(PyTorch requires p <= k/2) in '{text}'")
    _check_fits(field, kh, kw, h, w, p, 1)
    ho, h_text = _conv(h, kh, sh, p, 1), _conv_text(h, kh, sh, p, 1)
    same = (w, kw, sw) == (h, kh, sh)
    wo, w_text = (ho, h_text) if same else (_conv(w, kw, sw, p, 1), _conv_text(w, kw, sw, p, 1))
    size = _pair_text(h_text, ho, w_text, wo)
    return (ho, wo, c), 0, f"{size} -> {_shape_text((ho, wo, c))}; params 0"


def _upsample_layer(field, text, args, shape):
    """upsample F: H*F x W*F x C."""
    if len(args) != 1:
        raise ParamError(field, f"upsample needs one whole factor, e.g. 'upsample 2', got '{text}'")
    f = _whole(field, text, args[0], "the upsampling factor")
    h, w, c = shape
    size = _pair_text(f"{h}*{f}", h * f, f"{w}*{f}", w * f)
    return (h * f, w * f, c), 0, f"{size} -> {_shape_text((h * f, w * f, c))}; params 0"


def _fc(field, text, args, shape):
    """fc OUT [nobias]: flattens first; N_in*OUT + OUT params."""
    if not args:
        raise ParamError(field, f"fc needs the number of outputs, e.g. 'fc 10', got '{text}'")
    out = _whole(field, text, args[0], "the number of outputs")
    nobias = _options(field, text, args[1:], "fc")["nobias"]
    n = _size(shape)
    flat = f"flatten {_shape_text(shape)} = {n} inputs; " if len(shape) == 3 else ""
    params = n * out + (0 if nobias else out)
    work = f"{n}*{out} = {params}" if nobias else f"{n}*{out} + {out} = {params}"
    return (out,), params, f"{flat}{n} -> [{out}]; params {work}"


_SPATIAL = {"conv": _conv_layer, "convt": _convt_layer, "maxpool": _pool_layer, "avgpool": _pool_layer,
            "upsample": _upsample_layer}


def _conv_args(field, text, args, kind):
    """OUT, (kh, kw) and the options of a conv or convT layer string."""
    if len(args) < 2:
        name = "conv" if kind == "conv" else "convT"
        raise ParamError(field, f"{name} needs the number of filters and a kernel size, e.g. '{name} 6 5x5', "
                                f"got '{text}'")
    out = _whole(field, text, args[0], "the number of filters")
    return out, _kernel(field, text, args[1]), _options(field, text, args[2:], kind)


def _options(field, text, tokens, kind):
    """The sN, pN, p=same, dN, opN, nobias options allowed for `kind`, with defaults."""
    if not tokens:
        return dict(_NO_OPTIONS)
    opt = {"s": 1, "p": 0, "d": 1, "op": 0, "same": False, "nobias": False}
    seen = set()
    for tok in tokens:
        m = _OPTION.fullmatch(tok)
        key = m.group(1) if m else _WORDS.get(tok)
        if key not in _ALLOWED[kind]:
            raise ParamError(field, f"cannot read '{tok}' in '{text}'; expected {_EXPECTED[kind]}")
        slot = "p" if key == "same" else key
        if slot in seen:
            raise ParamError(field, f"'{tok}' repeats an option already given in '{text}'")
        seen.add(slot)
        opt[key] = _number(field, text, m.group(2)) if m else True
    if opt["s"] < 1 or opt["d"] < 1:
        what = "stride" if opt["s"] < 1 else "dilation"
        raise ParamError(field, f"the {what} must be at least 1 in '{text}'")
    opt["s_given"] = "s" in seen  # pooling's stride defaults to its window
    return opt


_NO_OPTIONS = {"s": 1, "p": 0, "d": 1, "op": 0, "same": False, "nobias": False, "s_given": False}
"""What `_options` returns when no option is given."""


def _kernel(field, text, tok):
    """(kh, kw) from 'KxK', 'KxL' or 'K'."""
    m = _KERNEL.fullmatch(tok)
    if not m:
        raise ParamError(field, f"cannot read the kernel size '{tok}' in '{text}'; expected KxK, e.g. 3x3")
    kh = _number(field, text, m.group(1))
    kw = kh if m.group(2) is None else _number(field, text, m.group(2))
    if kh < 1 or kw < 1:
        raise ParamError(field, f"the kernel must be at least 1x1 in '{text}'")
    return kh, kw


def _whole(field, text, tok, what):
    """A whole number >= 1 such as OUT or F."""
    if not tok.isascii() or not tok.isdigit():
        raise ParamError(field, f"cannot read '{tok}' in '{text}'; expected {what} (a whole number)")
    n = _number(field, text, tok)
    if n < 1:
        raise ParamError(field, f"{what} must be at least 1 in '{text}'")
    return n


def _number(field, text, digits):
    """int(digits), refused above MAX_ELEMENTS."""
    if len(digits) < _MAX_DIGITS:  # fewer digits than MAX_ELEMENTS: smaller than it
        return int(digits)
    if len(digits.lstrip("0")) > _MAX_DIGITS or int(digits) > MAX_ELEMENTS:
        raise ParamError(field, f"{digits} is too large (at most {MAX_ELEMENTS}) in '{text}'")
    return int(digits)


_MAX_DIGITS = len(str(MAX_ELEMENTS))


def _no_args(field, text, name, args):
    """Shape-keeping layers and flatten take no options."""
    if args:
        raise ParamError(field, f"{name} takes no options, got '{args[0]}' in '{text}'")


def _check_fits(field, kh, kw, h, w, p, d):
    """Refuse a (dilated) kernel larger than the padded input."""
    if d * (kh - 1) + 1 > h + 2 * p or d * (kw - 1) + 1 > w + 2 * p:
        span = "" if d == 1 else f" with dilation {d} (spanning {d * (kh - 1) + 1}x{d * (kw - 1) + 1})"
        raise ParamError(field, f"{kh}x{kw} kernel{span} is larger than the {h + 2 * p}x{w + 2 * p} input "
                                f"(after padding {p})")


def _pair_text(h_text, ho, w_text, wo):
    """'H = W = arithmetic = n' when both sides agree, else both written out."""
    if h_text == w_text:
        return f"H = W = {h_text} = {ho}"
    return f"H = {h_text} = {ho}, W = {w_text} = {wo}"


def _conv_text(n, k, s, p, d):
    """The floor formula with numbers."""
    if d == 1:
        return f"floor(({n} + 2*{p} - {k})/{s}) + 1"
    return f"floor(({n} + 2*{p} - {d}*({k}-1) - 1)/{s}) + 1"


def _transposed_text(n, k, s, p, d, op):
    """The transposed-convolution formula with numbers."""
    return f"({n}-1)*{s} - 2*{p} + {d}*({k}-1) + {op} + 1"


def _conv_params(kh, kw, c, out, nobias):
    """(K*L*C_in + 1) * OUT, or K*L*C_in * OUT without bias, and its arithmetic."""
    if nobias:
        params = kh * kw * c * out
        return params, f"{kh}*{kw}*{c} * {out} = {params}"
    params = (kh * kw * c + 1) * out
    return params, f"({kh}*{kw}*{c} + 1) * {out} = {params}"


def _size(shape):
    """Number of values in a shape."""
    n = 1
    for s in shape:
        n *= s
    return n


def _shape_text(shape):
    """'28 x 28 x 6', or '[120]' for a flat vector."""
    return " x ".join(map(str, shape)) if len(shape) == 3 else f"[{shape[0]}]"
