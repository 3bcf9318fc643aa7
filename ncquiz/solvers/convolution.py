"""Convolution layers as PyTorch computes them: conv2d (cross-correlation) and conv_transpose2d.

The mathematics lives in small helpers (`pad`, `correlate`, `scatter`, ...) that the kinds
and `ncquiz.solvers.backward` share; the rest of the module writes the worked steps.
"""

from __future__ import annotations

from operator import itemgetter

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ncquiz.errors import ParamError
from ncquiz.solvers import Solution, fmt
from ncquiz.solvers.spec import MAX_ELEMENTS
from ncquiz.solvers.steps import (
    AXES,
    MAX_TERMS,
    SHOWN,
    inline_template,
    likewise,
    num,
    paren,
    plural,
    product_sum,
    product_template,
    show,
    span,
)

# ---------------------------------------------------------------- mathematics


def conv_size(n: int, k: int, s: int, p: int, d: int = 1) -> int:
    """Output side of a convolution: floor((n + 2p - d(k-1) - 1)/s) + 1."""
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def transpose_size(n: int, k: int, s: int, p: int, d: int = 1, op: int = 0) -> int:
    """Output side of a transposed convolution: (n - 1)s - 2p + d(k - 1) + output_padding + 1."""
    return (n - 1) * s - 2 * p + d * (k - 1) + op + 1


def pad(x: np.ndarray, padding, value: float = 0.0) -> np.ndarray:
    """x with `padding` = (ph, pw) rows/cols of `value` on each side of its last two axes."""
    ph, pw = padding
    if ph == pw == 0:
        return x
    h, w = x.shape[-2:]
    out = np.full(x.shape[:-2] + (h + 2 * ph, w + 2 * pw), value, dtype=x.dtype)  # as np.pad, a tenth of the time
    out[..., ph : ph + h, pw : pw + w] = x
    return out


def windows(xp: np.ndarray, out, step, tap, k) -> np.ndarray:
    """Read-only view (C, out_h, out_w, kh, kw): window (i, j) starts at (i*step, j*step), taps `tap` apart."""
    sc, sr, sk = xp.strides
    shape = (xp.shape[0], out[0], out[1], k[0], k[1])
    strides = (sc, sr * step[0], sk * step[1], sr * tap[0], sk * tap[1])
    if not xp.flags.c_contiguous:
        return as_strided(xp, shape, strides, writeable=False)
    view = np.ndarray(shape, xp.dtype, xp, 0, strides)  # the same view as as_strided, without its overhead
    view.flags.writeable = False
    return view


def correlate(xp: np.ndarray, filters: np.ndarray, stride, dilation) -> np.ndarray:
    """Cross-correlation of a padded (C, H, W) input with (O, C, kh, kw) filters: (O, H', W')."""
    k = filters.shape[2:]
    out = (conv_size(xp.shape[1], k[0], stride[0], 0, dilation[0]),
           conv_size(xp.shape[2], k[1], stride[1], 0, dilation[1]))
    return np.einsum("ocij,chwij->ohw", filters, windows(xp, out, stride, dilation, k))


def rot180(filters: np.ndarray) -> np.ndarray:
    """Each kernel rotated 180 degrees in its two spatial (last) axes."""
    return filters[..., ::-1, ::-1]


def scatter(x: np.ndarray, weight: np.ndarray, stride, dilation, size) -> np.ndarray:
    """Uncropped transposed convolution, (O, *size): each x[c,i,j]*weight[c,o] added at (i*s, j*s).

    `weight` is (C, O, kh, kw); `size` is at least the full extent (H-1)s + d(k-1) + 1 per axis
    (rows past it stay zero). Computed as a correlation of the stride-spread, zero-bordered input
    with the rotated kernels, so overlapping contributions add without a Python loop.
    """
    spread = _spread(x, stride, dilation, weight.shape[2:], size)
    return correlate(spread, rot180(weight).swapaxes(0, 1), (1, 1), dilation)


def spread_elements(channels: int, size, extent) -> int:
    """Elements of the zero-bordered grid `scatter` builds for a (size) output and (extent) kernel."""
    return channels * (size[0] + extent[0] - 1) * (size[1] + extent[1] - 1)


def _spread(x: np.ndarray, stride, dilation, k, size) -> np.ndarray:
    """x's entries placed s apart inside a zero grid bordered by d(k-1) zeros above and left."""
    c, h, w = x.shape
    eh, ew = dilation[0] * (k[0] - 1), dilation[1] * (k[1] - 1)
    z = np.zeros((c, size[0] + eh, size[1] + ew))
    z[:, eh : eh + (h - 1) * stride[0] + 1 : stride[0], ew : ew + (w - 1) * stride[1] + 1 : stride[1]] = x
    return z


def biases(bias: np.ndarray, count: int, per: str) -> np.ndarray:
    """The bias as one value per output channel; a number is shared by all."""
    bias = np.asarray(bias, dtype=float)
    if bias.ndim == 0:
        return np.full(count, float(bias))
    if bias.shape[0] != count:
        s = "" if count == 1 else "s"
        raise ParamError("bias", f"expected a number or {count} value{s} (one per {per}), got {bias.shape[0]} values")
    return bias


def limit(field: str, what: str, elements: int) -> None:
    """Refuse (before allocating) an array of more than MAX_ELEMENTS elements."""
    if elements > MAX_ELEMENTS:
        raise ParamError(field, f"{what} would hold {elements:,} elements, more than {MAX_ELEMENTS:,}")


def check_fits(field: str, name: str, k, size, padding, dilation=(1, 1)) -> None:
    """Refuse a kernel (or window) whose dilated extent is larger than the padded input."""
    ext = (dilation[0] * (k[0] - 1) + 1, dilation[1] * (k[1] - 1) + 1)
    padded = (size[0] + 2 * padding[0], size[1] + 2 * padding[1])
    if ext[0] <= padded[0] and ext[1] <= padded[1]:
        return
    dil = f" with dilation {dilation[0]}x{dilation[1]} (spans {fmt.shape(ext)})" if dilation != (1, 1) else ""
    raise ParamError(field, f"{fmt.shape(k)} {name}{dil} is larger than the {fmt.shape(padded)} padded input")


def _channels(x: np.ndarray) -> np.ndarray:
    """The input as (C, H, W)."""
    return x[None] if x.ndim == 2 else x


def _conv_filters(kernel: np.ndarray, channels: int) -> np.ndarray:
    """The conv2d kernel as (O, C, kh, kw), checking its channels against the input's."""
    k = kernel.reshape((1,) * (4 - kernel.ndim) + kernel.shape)
    _same_channels(k.shape[1], channels, kernel.shape)
    return k


def _transpose_filters(kernel: np.ndarray, channels: int) -> np.ndarray:
    """The conv_transpose2d kernel as (C, O, kh, kw) (PyTorch's weight layout)."""
    k = kernel[:, None] if kernel.ndim == 3 else kernel.reshape((1,) * (4 - kernel.ndim) + kernel.shape)
    _same_channels(k.shape[0], channels, kernel.shape)
    return k


def _same_channels(kc: int, channels: int, shape) -> None:
    """Refuse a kernel whose input-channel count differs from the input's."""
    if kc != channels:
        kch = "1 channel" if kc == 1 else f"{kc} channels"
        raise ParamError("kernel", f"the kernel {fmt.shape(shape)} has {kch} but the input has {channels}")


# ---------------------------------------------------------------- conv2d


def conv2d(input, kernel, stride=(1, 1), padding=(0, 0), dilation=(1, 1), bias=0.0,  # noqa: A002
           flip=False) -> Solution:
    """2-D convolution layer as torch.nn.functional.conv2d; flip=True is a real convolution."""
    x = _channels(input)
    filters = _conv_filters(kernel, x.shape[0])
    (c, h, w), (o, _, kh, kw) = x.shape, filters.shape
    b = biases(bias, o, "filter")
    check_fits("kernel", "kernel", (kh, kw), (h, w), padding, dilation)
    out = (conv_size(h, kh, stride[0], padding[0], dilation[0]), conv_size(w, kw, stride[1], padding[1], dilation[1]))
    limit("padding", "the padded input", c * (h + 2 * padding[0]) * (w + 2 * padding[1]))
    if o * out[0] * out[1] > MAX_ELEMENTS:
        limit("kernel", f"the output ({o} x {fmt.shape(out)})", o * out[0] * out[1])
    slid = rot180(filters) if flip else filters
    xp = pad(x, padding)
    y = correlate(xp, slid, stride, dilation) + b[:, None, None]
    answer = y if kernel.ndim == 4 else y[0]
    return Solution(answer, lambda: _conv2d_steps(x, xp, kernel, slid, b, y, stride, padding, dilation, flip))


def _conv2d_steps(x, xp, kernel, slid, b, y, stride, padding, dilation, flip) -> tuple[str, ...]:
    """Worked steps of conv2d: sizes, padded input, kernel slid, first entries, result."""
    (c, h, w), (o, _, kh, kw) = x.shape, slid.shape
    sizes = [
        f"{axis}: floor(({n} + 2*{p} - {d}*({k} - 1) - 1)/{s}) + 1 = {m}"
        for axis, n, k, s, p, d, m in zip(AXES, (h, w), (kh, kw), stride, padding, dilation, y.shape[1:])
    ]
    out_shape = fmt.shape(y.shape if kernel.ndim == 4 else y.shape[1:])
    steps = ["Output size: floor((n + 2p - d(k - 1) - 1)/s) + 1 per axis\n  " + "\n  ".join(sizes)
             + f"\n  so the output is {out_shape}"]
    if padding != (0, 0):
        steps.append(f"Pad the input with zeros: {plural(padding[0], 'row')} above and below, "
                     f"{plural(padding[1], 'column')} left and right, giving {fmt.shape(xp.shape[1:])}:\n"
                     + show(xp if c > 1 else xp[0]))
    first = slid[0] if c > 1 else slid[0, 0]
    which = "filter 0's " if o > 1 else "the "
    if flip:
        steps.append(f"flip=true, a real convolution: rotate {which}kernel 180 degrees (reverse its rows and "
                     "columns), then slide it as in cross-correlation:\n" + show(first))
    else:
        steps.append(f"Cross-correlation (as PyTorch): slide {which}kernel as given, no flip:\n" + show(first))
    if dilation != (1, 1):
        steps.append(f"Dilation {dilation[0]}x{dilation[1]}: the kernel taps are {dilation[0]} rows and "
                     f"{dilation[1]} columns apart in the (padded) input.")
    steps += _conv2d_entries(xp, slid[0], b[0], y[0], stride, dilation)
    steps += likewise(y[0].size)
    if o > 1:
        others = ("Filter 1 slides over the input in the same way, giving output channel 1." if o == 2 else
                  f"Filters 1 to {o - 1} slide over the input in the same way, each giving one output channel.")
        steps.append(others)
    steps.append(f"Result ({out_shape}):\n" + show(y if kernel.ndim == 4 else y[0]))
    return tuple(steps)


def _conv2d_entries(xp, filt, bias, y0, stride, dilation) -> list[str]:
    """The first output entries of filter 0: each window and its sum of products, per channel."""
    (c, kh, kw), (sh, sw), (dh, dw) = filt.shape, stride, dilation
    at = [divmod(e, y0.shape[1]) for e in range(min(SHOWN, y0.size))]
    rows, cols = zip(*at)
    shown = windows(xp, y0.shape, stride, dilation, (kh, kw))[:, list(rows), list(cols)]  # (C, n, kh, kw)
    sums = np.einsum("cnij,cij->nc", shown, filt).tolist()
    kernels = [fmt.pars(fmt.nums(k)) for k in filt.reshape(c, -1).tolist()]  # per channel, row-major
    # The input's numbers are written once (only the part the shown windows cover); a window's are
    # picked from them at fixed offsets from its top-left corner, and filled into text templates.
    seen = xp[:, : max(rows) * sh + dh * (kh - 1) + 1, : max(cols) * sw + dw * (kw - 1) + 1]
    _, rows_seen, cols_seen = seen.shape
    written = fmt.nums(seen.ravel().tolist())
    factors = fmt.pars(written)
    offsets = [a * dh * cols_seen + b * dw for a in range(kh) for b in range(kw)]
    pick = itemgetter(*offsets) if len(offsets) > 1 else lambda flat: (flat[0],)
    small = kh * kw <= MAX_TERMS
    if small:
        box = inline_template(kh, kw)
        sums_of = [product_template(kern) for kern in kernels]
    texts = []
    for n, (i, j) in enumerate(at):
        r, q = i * sh, j * sw
        where = f"rows {span(r, kh, dh)} and cols {span(q, kw, dw)}"
        lines = []
        for ch, (kern, v) in enumerate(zip(kernels, sums[n])):
            first = (ch * rows_seen + r) * cols_seen + q
            last = first + offsets[-1] + 1
            left = pick(factors[first:last])
            products = sums_of[ch] % left if small else product_sum(list(left), kern)
            if c == 1:
                win = box % pick(written[first:last]) if small else f"(a {kh}x{kw} array)"
                lines.append(f"out[{i}][{j}]: window {where} = {win}:\n  {products} = {num(v)}")
            else:
                lines.append(f"channel {ch}: {products} = {num(v)}")
        if c == 1:
            text = lines[0]
        else:
            text = (f"out[{i}][{j}]: window {where}, every channel:\n  " + "\n  ".join(lines)
                    + "\n  sum over channels: " + " + ".join(map(paren, sums[n])) + f" = {num(sum(sums[n]))}")
        if bias != 0:
            text += f"\n  + bias {num(bias)} = {num(y0[i, j])}"
        texts.append(text)
    return texts


# ---------------------------------------------------------------- conv_transpose2d


def conv_transpose2d(input, kernel, stride=(1, 1), padding=(0, 0), output_padding=(0, 0),  # noqa: A002
                     dilation=(1, 1), bias=0.0) -> Solution:
    """Transposed convolution exactly as torch.nn.functional.conv_transpose2d."""
    x = _channels(input)
    weight = _transpose_filters(kernel, x.shape[0])
    (c, h, w), (_, o, kh, kw) = x.shape, weight.shape
    b = biases(bias, o, "output channel")
    for a in (0, 1):
        if output_padding[a] >= max(stride[a], dilation[a]):
            raise ParamError("output_padding", f"{output_padding[a]} ({AXES[a]}) must be smaller than the stride "
                             f"{stride[a]} or the dilation {dilation[a]} (PyTorch's rule)")
    sides = tuple(zip((h, w), (kh, kw), stride, padding, dilation, output_padding))
    full = tuple(transpose_size(n, k, s, 0, d) for n, k, s, _, d, _ in sides)
    out = tuple(transpose_size(n, k, s, p, d, op) for n, k, s, p, d, op in sides)
    if min(out) < 1:
        raise ParamError("padding", f"cropping {padding[0]}x{padding[1]} from each side of the {fmt.shape(full)} "
                         f"full output leaves nothing (output would be {out[0]}x{out[1]})")
    size = (full[0] + output_padding[0], full[1] + output_padding[1])
    ext = (dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1)
    spreads = "stride" if stride != (1, 1) else "dilation" if dilation != (1, 1) else "input"
    limit(spreads, f"the uncropped output ({o} x {fmt.shape(size)})", o * size[0] * size[1])
    borders = "dilation" if dilation != (1, 1) else "kernel"
    limit(borders, "the zero-bordered grid the input is spread into", spread_elements(c, size, ext))
    grid = scatter(x, weight, stride, dilation, size)
    y = grid[:, padding[0] : padding[0] + out[0], padding[1] : padding[1] + out[1]] + b[:, None, None]
    answer = y if kernel.ndim == 4 else y[0]
    return Solution(answer, lambda: _transpose_steps(x, kernel, weight, grid[:, : full[0], : full[1]], b, y, stride, padding,
                             output_padding, dilation))


def _transpose_steps(x, kernel, weight, full, b, y, stride, padding, output_padding, dilation) -> tuple[str, ...]:
    """Worked steps of conv_transpose2d: size, method, first contributions, full grid, result."""
    (c, h, w), (_, o, kh, kw) = x.shape, weight.shape
    sizes = [
        f"{axis}: ({n} - 1)*{s} - 2*{p} + {d}*({k} - 1) + {op} + 1 = {m}"
        for axis, n, k, s, p, op, d, m in zip(AXES, (h, w), (kh, kw), stride, padding, output_padding, dilation,
                                               y.shape[1:])
    ]
    out_shape = fmt.shape(y.shape if kernel.ndim == 4 else y.shape[1:])
    steps = ["Output size: (n - 1)s - 2p + d(k - 1) + output_padding + 1 per axis\n  " + "\n  ".join(sizes)
             + f"\n  so the output is {out_shape}"]
    method = (f"Method: each input value x[i][j] multiplies the whole kernel, and the product is added into "
              f"the output at offset ({stride[0]}*i, {stride[1]}*j); where blocks overlap they add.")
    if dilation != (1, 1):
        method += f" Dilation {dilation[0]}x{dilation[1]} spaces the kernel taps that far apart."
    if c > 1:
        method += " Each input channel uses its own kernel, and all channels add into the same output."
    if padding != (0, 0):
        method += (f" Then {plural(padding[0], 'row')} are cropped from the top and bottom and "
                   f"{plural(padding[1], 'column')} from the left and right.")
    if output_padding != (0, 0):
        method += (f" output_padding adds {plural(output_padding[0], 'row')} at the bottom and "
                   f"{plural(output_padding[1], 'column')} at the right (taken from the full grid where it has "
                   "them, zeros past its end).")
    steps.append(method)
    if o > 1:
        others = "channel 1 uses kernel[:, 1]" if o == 2 else f"channels 1 to {o - 1} use kernel[:, 1], ..."
        steps.append(f"Output channel 0 is worked here; {others} the same way.")
    count = c * h * w
    shown = min(SHOWN, count)
    first = x.ravel()[:shown]
    channels = [e // (h * w) for e in range(shown)]
    blocks = fmt.nums((first[:, None, None] * weight[channels, 0]).ravel().tolist())  # each value times its kernel
    box = inline_template(kh, kw) if kh * kw <= MAX_TERMS else f"(a {kh}x{kw} array)"
    for e, (v, ch) in enumerate(zip(fmt.nums(first.tolist()), channels)):
        i, j = divmod(e % (h * w), w)
        name = f"x[{ch}][{i}][{j}]" if c > 1 else f"x[{i}][{j}]"
        kern = f"kernel[{ch}][0]" if kernel.ndim == 4 else f"kernel[{ch}]" if c > 1 else "kernel"
        at_rows, at_cols = span(i * stride[0], kh, dilation[0]), span(j * stride[1], kw, dilation[1])
        block = box % tuple(blocks[e * kh * kw : (e + 1) * kh * kw]) if kh * kw <= MAX_TERMS else box
        steps.append(f"{name} = {v}: {v} * {kern} = {block}, added at rows {at_rows} and cols {at_cols}")
    if count > SHOWN:
        steps.append(f"... and likewise for the remaining {count - SHOWN} input values, adding where blocks overlap.")
    if padding != (0, 0):
        steps.append(f"Full (uncropped) grid, {fmt.shape(full.shape[1:])}:\n" + show(full if o > 1 else full[0]))
        rows = f"rows {padding[0]} to {padding[0] + y.shape[1] - 1}"
        cols = f"cols {padding[1]} to {padding[1] + y.shape[2] - 1}"
        steps.append(f"Crop: keep {rows} and {cols} of the full grid.")
    if any(b.tolist()):
        steps.append(f"Add the bias {vec_or_num(b)} to every entry (of its output channel).")
    steps.append(f"Result ({out_shape}):\n" + show(y if kernel.ndim == 4 else y[0]))
    return tuple(steps)


# ---------------------------------------------------------------- writing steps


def vec_or_num(a: np.ndarray) -> str:
    """A bias: one number when all entries are equal, else the vector."""
    values = a.tolist()
    return num(values[0]) if values.count(values[0]) == len(values) else fmt.vec(a)
