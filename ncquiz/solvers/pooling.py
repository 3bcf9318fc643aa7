"""Pooling and upsampling with PyTorch's conventions: max_pool2d, avg_pool2d, nearest upsampling.

Max pooling pads with -inf (padding never wins); average pooling pads with zeros and divides
by the full window area (count_include_pad=True). Each channel of a (C, H, W) input is pooled
or upsampled on its own.
"""

from __future__ import annotations

from math import inf, prod
from operator import itemgetter

import numpy as np

from ncquiz.errors import ParamError
from ncquiz.solvers import Solution, fmt
from ncquiz.solvers.convolution import pad
from ncquiz.solvers.spec import MAX_ELEMENTS
from ncquiz.solvers.steps import AXES, MAX_TERMS, SHOWN, likewise, show, span, terms_texts

PAD_VALUE = {"max": -inf, "avg": 0.0}
"""What each pooling mode pads with."""


# ---------------------------------------------------------------- mathematics


def pool2d(xp: np.ndarray, size, stride, mode: str) -> np.ndarray:
    """Max or mean of every window of an already padded array, over its last two axes."""
    along_cols = _slide(xp, size[1], stride[1], mode)
    out = _slide(along_cols.swapaxes(-1, -2), size[0], stride[0], mode).swapaxes(-1, -2)
    return out / (size[0] * size[1]) if mode == "avg" else np.ascontiguousarray(out)


def _slide(x: np.ndarray, k: int, s: int, mode: str) -> np.ndarray:
    """Max (or sum) of the length-k windows along the last axis that start s apart.

    O(n) whatever k is (van Herk / Gil-Werman): cut the axis into blocks of k and take running
    maxima (sums) within each block from the left and from the right. A window covers at most
    two blocks, so it is the right-running value at its start, combined with the left-running
    value at its end unless the window is exactly one block.
    """
    n = x.shape[-1]
    count = (n - k) // s + 1
    if k == 1:  # one-entry windows: the entries themselves
        return x[..., : (count - 1) * s + 1 : s].copy()
    op = np.maximum if mode == "max" else np.add
    if n % k:
        flat = np.zeros(x.shape[:-1] + (-(-n // k) * k,))
        flat[..., :n] = x
    else:
        flat = x
    blocks = flat.reshape(x.shape[:-1] + (-1, k))
    if s % k == 0:  # every window is one whole block (PyTorch's default stride = size): its right-running
        step = s // k  # value at its start, which is the last of the running values over the reversed block
        return op.accumulate(blocks[..., ::-1], axis=-1)[..., -1][..., : (count - 1) * step + 1 : step]
    starts = np.arange(0, n - k + 1, s)
    first = op.accumulate(blocks[..., ::-1], axis=-1)[..., ::-1].reshape(flat.shape)[..., starts]
    left = op.accumulate(blocks, axis=-1).reshape(flat.shape)
    return np.where(starts % k == 0, first, op(first, left[..., starts + k - 1]))


def upsample2d(x: np.ndarray, scale: int, mode: str) -> np.ndarray:
    """Each value becomes a scale x scale block: copies of it (nearest), or it then zeros (bed of nails)."""
    h, w = x.shape[-2:]
    blocks = np.zeros(x.shape[:-2] + (h, scale, w, scale))
    if mode == "nearest":
        blocks[...] = x[..., :, None, :, None]
    else:
        blocks[..., :, 0, :, 0] = x
    return blocks.reshape(x.shape[:-2] + (h * scale, w * scale))


def _check_pool(shape, size, padding) -> None:
    """Refuse PyTorch's impossible poolings and a padded input too large to build."""
    for axis, k, p in zip(AXES, size, padding):
        if 2 * p > k:
            raise ParamError("padding", f"{p} ({axis}) is more than half the window size {k}: "
                                        f"PyTorch allows at most {k // 2}")
    padded = (shape[-2] + 2 * padding[0], shape[-1] + 2 * padding[1])
    if size[0] > padded[0] or size[1] > padded[1]:
        what = "padded input" if padding != (0, 0) else "input"
        raise ParamError("size", f"{fmt.shape(size)} window is larger than the {fmt.shape(padded)} {what}")
    elements = prod(shape[:-2]) * padded[0] * padded[1]
    if elements > MAX_ELEMENTS:
        raise ParamError("padding", f"the padded input would hold {elements:,} elements, more than {MAX_ELEMENTS:,}")


# ---------------------------------------------------------------- pool


def pool(input, size, stride=None, padding=(0, 0), mode="max") -> Solution:  # noqa: A002
    """Max or average pooling of each channel, as torch.nn.functional.max_pool2d / avg_pool2d."""
    stride = size if stride is None else stride
    _check_pool(input.shape, size, padding)
    xp = pad(input, padding, PAD_VALUE[mode])
    if mode == "max":  # a maximum cannot overflow
        out = pool2d(xp, size, stride, mode)
    else:
        with np.errstate(over="ignore"):
            out = pool2d(xp, size, stride, mode)
    if not np.isfinite(out).all():  # only a sum of huge values can overflow; max pooling never gives -inf
        raise ParamError("input", "values too large: a window sum overflows float64")
    return Solution(out, lambda: _pool_steps(input, xp, out, size, stride, padding, mode))


def _pool_steps(x, xp, out, size, stride, padding, mode) -> tuple[str, ...]:
    """Worked steps of pooling: sizes, padded input, the first windows, result."""
    sizes = [
        f"{axis}: floor(({n} + 2*{p} - {k})/{s}) + 1 = {m}"
        for axis, n, k, s, p, m in zip(AXES, x.shape[-2:], size, stride, padding, out.shape[-2:])
    ]
    name = "Max" if mode == "max" else "Average"
    steps = [f"{name} pooling, window {fmt.shape(size)}, stride {fmt.shape(stride)}.\n"
             "Output size: floor((n + 2p - k)/s) + 1 per axis\n  " + "\n  ".join(sizes)
             + f"\n  so the output is {fmt.shape(out.shape)}"]
    if x.ndim == 3:
        steps.append(f"Each of the {x.shape[0]} channels is pooled on its own, with the same windows.")
    if padding != (0, 0):
        rule = ("-inf, so padding never wins a maximum" if mode == "max"
                else f"zeros, which count: every window sum is divided by the full area {size[0] * size[1]}")
        steps.append(f"Pad with {rule}: {padding[0]} row(s) above and below, {padding[1]} column(s) left and "
                     f"right, giving {fmt.shape(xp.shape[-2:])} (window rows and cols below count in it):\n"
                     + show(xp))
    steps += _window_steps(xp, out, size, stride, mode)
    steps += likewise(out.size)
    steps.append(f"Result ({fmt.shape(out.shape)}):\n" + show(out))
    return tuple(steps)


def _window_steps(xp, out, size, stride, mode) -> list[str]:
    """The first output entries: each one's window and the max or mean of the window's values."""
    (kh, kw), (oh, ow), area = size, out.shape[-2:], size[0] * size[1]
    results = fmt.nums(out.ravel()[:SHOWN].tolist())
    # The padded input is written once (the rows the shown windows cover); a window's numbers are
    # picked from it at fixed offsets from its top-left corner.
    seen = xp[..., : (len(results) - 1) // ow * stride[0] + kh, :]
    rows_seen, cols = seen.shape[-2:]
    written = fmt.nums(seen.ravel().tolist())
    offsets = [a * cols + b for a in range(kh) for b in range(kw)]
    pick = itemgetter(*offsets) if area > 1 else lambda flat: (flat[0],)
    texts = []
    for e, result in enumerate(results):
        ch, (i, j) = e // (oh * ow), divmod(e % (oh * ow), ow)
        r0, c0 = i * stride[0], j * stride[1]
        if area > MAX_TERMS:
            total = xp[(ch,) * (xp.ndim == 3) + (slice(r0, r0 + kh), slice(c0, c0 + kw))].sum()
            text = "max of the window" if mode == "max" else f"(sum of the {area} values = {fmt.num(total)})/{area}"
        else:
            first = (ch * rows_seen + r0) * cols + c0
            win = pick(written[first : first + offsets[-1] + 1])
            text = f"max({', '.join(win)})" if mode == "max" else f"({terms_texts(win)})/{area}"
        where = f"[{ch}][{i}][{j}]" if xp.ndim == 3 else f"[{i}][{j}]"
        texts.append(f"out{where}: window rows {span(r0, kh)}, cols {span(c0, kw)}: {text} = {result}")
    return texts


# ---------------------------------------------------------------- upsample


def upsample(input, scale, mode="nearest") -> Solution:  # noqa: A002
    """Nearest-neighbour or bed-of-nails upsampling of each channel by an integer factor."""
    elements = input.size * scale * scale
    if elements > MAX_ELEMENTS:
        raise ParamError("scale", f"the {scale}x upsampled output would hold {elements:,} elements, "
                                  f"more than {MAX_ELEMENTS:,}")
    out = upsample2d(input, scale, mode)
    return Solution(out, lambda: _upsample_steps(input, out, scale, mode))


def _upsample_steps(x, out, scale, mode) -> tuple[str, ...]:
    """Worked steps of upsampling: size, rule, result."""
    (h, w), (oh, ow) = x.shape[-2:], out.shape[-2:]
    size = f"Output size: {h}*{scale} x {w}*{scale} = {oh}x{ow}"
    if x.ndim == 3:
        size += f", for each of the {x.shape[0]} channels"
    block = f"{scale}x{scale} block"
    if mode == "nearest":
        rule = (f"Nearest neighbour: every value is copied into a {block}: "
                f"out[i][j] = in[floor(i/{scale})][floor(j/{scale})].")
    else:
        rule = (f"Bed of nails: every value goes to the top-left corner of its {block}, zeros elsewhere: "
                f"out[{scale}i][{scale}j] = in[i][j], every other entry 0.")
    return (size, rule, f"Result ({fmt.shape(out.shape)}):\n" + show(out))
