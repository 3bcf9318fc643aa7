"""Backward passes as PyTorch's autograd computes them: a 2-D convolution and max pooling."""

from __future__ import annotations

from operator import itemgetter

import numpy as np

from ncquiz.errors import ParamError
from ncquiz.solvers import Solution, fmt
from ncquiz.solvers.convolution import (
    check_fits,
    conv_size,
    limit,
    pad,
    scatter,
    spread_elements,
    windows,
)
from ncquiz.solvers.steps import (
    AXES,
    MAX_TERMS,
    SHOWN,
    inline_template,
    inline_texts,
    likewise,
    num,
    plural,
    product_template,
    products,
    show,
    span,
)

# ---------------------------------------------------------------- mathematics


def grad_kernel(xp: np.ndarray, g: np.ndarray, stride, k) -> np.ndarray:
    """dL/dkernel[a, b] = sum_ij g[i, j] * xp[i*s + a, j*s + b]: xp correlated with g spread s apart."""
    return np.einsum("ij,abij->ab", g, windows(xp[None], k, (1, 1), stride, g.shape)[0])


def grad_padded_input(g: np.ndarray, kernel: np.ndarray, stride, padded) -> np.ndarray:
    """dL/dx_p: each g[i, j]*kernel scattered onto the (padded) input at (i*s, j*s); overlaps add."""
    return scatter(g[None], kernel[None, None], stride, (1, 1), padded)[0]


def window_argmax(xp: np.ndarray, size, stride, out) -> np.ndarray:
    """Flat index into xp of each window's first maximum (row-major within the window)."""
    kh, kw = size
    arg = windows(xp[None], out, stride, (1, 1), size)[0].reshape(out[0], out[1], kh * kw).argmax(axis=2)
    rows = np.arange(out[0])[:, None] * stride[0] + arg // kw
    cols = np.arange(out[1])[None, :] * stride[1] + arg % kw
    return rows * xp.shape[1] + cols


def route(g: np.ndarray, flat: np.ndarray, shape) -> np.ndarray:
    """A `shape` grid where g[i, j] is added at flat[i, j]; repeated positions add up."""
    return np.bincount(flat.ravel(), weights=g.ravel(), minlength=shape[0] * shape[1]).reshape(shape)


def _check_grad_shape(g: np.ndarray, out, forward: str) -> None:
    """Refuse a grad_output whose shape is not the forward output's."""
    if g.shape != tuple(out):
        raise ParamError("grad_output", f"expected shape ({out[0]}, {out[1]}), the output of the forward "
                         f"{forward}, got ({g.shape[0]}, {g.shape[1]})")


# ---------------------------------------------------------------- conv2d_backward


def conv2d_backward(input, kernel, grad_output, stride=(1, 1), padding=(0, 0)) -> Solution:  # noqa: A002
    """Gradients of a 2-D cross-correlation layer w.r.t. its input, kernel and bias."""
    (h, w), (kh, kw), g = input.shape, kernel.shape, grad_output
    check_fits("kernel", "kernel", (kh, kw), (h, w), padding)
    padded = (h + 2 * padding[0], w + 2 * padding[1])
    limit("padding", "the padded input", padded[0] * padded[1])
    out = (conv_size(h, kh, stride[0], padding[0]), conv_size(w, kw, stride[1], padding[1]))
    _check_grad_shape(g, out, "convolution")
    limit("kernel", "the zero-bordered grid grad_input is scattered into", spread_elements(1, padded, (kh, kw)))
    xp = pad(input[None], padding)[0]
    gp = grad_padded_input(g, kernel, stride, padded)
    answer = {
        "grad_input": gp[padding[0] : padding[0] + h, padding[1] : padding[1] + w],
        "grad_kernel": grad_kernel(xp, g, stride, (kh, kw)),
        "grad_bias": float(g.sum()),
    }
    return Solution(answer, lambda: _conv_backward_steps(xp, kernel, g, gp, answer, stride, padding))


def _conv_backward_steps(xp, kernel, g, gp, answer, stride, padding) -> tuple[str, ...]:
    """Worked steps: forward size, the three formulas, first entries of each, results."""
    (kh, kw), (oh, ow) = kernel.shape, g.shape
    h, w = answer["grad_input"].shape
    sizes = [f"{axis}: floor(({n} + 2*{p} - {k})/{s}) + 1 = {m}"
             for axis, n, k, s, p, m in zip(AXES, (h, w), (kh, kw), stride, padding, (oh, ow))]
    steps = ["Forward output size (grad_output has this shape): floor((n + 2p - k)/s) + 1\n  " + "\n  ".join(sizes)]
    if padding != (0, 0):
        steps.append(f"Padded input x_p ({fmt.shape(xp.shape)}), zeros around the input:\n" + show(xp))
    steps.append("Formulas (out[i][j] = sum over a, b of x_p[i*s + a][j*s + b] * kernel[a][b] + bias):\n"
                 "  grad_bias = sum of all grad_output entries\n"
                 "  grad_kernel[a][b] = sum over i, j of x_p[i*s + a][j*s + b] * grad_output[i][j]: the padded "
                 "input correlated with grad_output, its entries spread s apart (dilated by the stride)\n"
                 "  grad_input: each grad_output[i][j] scatters grad_output[i][j] * kernel onto x_p at rows "
                 "i*s.., cols j*s..; overlaps add; the padding border is then dropped (a full convolution "
                 "of grad_output with the kernel)")
    steps.append(f"grad_bias = {_sum_text(g)} = {num(answer['grad_bias'])}")
    steps += _grad_kernel_entries(xp, g, answer["grad_kernel"], stride)
    steps += _scatter_entries(g, kernel, stride)
    if padding != (0, 0):
        steps.append(f"The scattered gradient of x_p ({fmt.shape(gp.shape)}):\n" + show(gp))
        steps.append(f"Drop {plural(padding[0], 'row')} top and bottom and {plural(padding[1], 'column')} left "
                     f"and right (the padding), leaving the {fmt.shape((h, w))} grad_input.")
    steps.append(f"grad_input ({fmt.shape((h, w))}):\n" + show(answer["grad_input"]))
    steps.append(f"grad_kernel ({fmt.shape((kh, kw))}):\n" + show(answer["grad_kernel"]))
    steps.append(f"grad_bias = {num(answer['grad_bias'])}")
    return tuple(steps)


def _sum_text(a: np.ndarray) -> str:
    """'1 + 2 + (-3)' for the entries of a; a long sum keeps its first three and last terms."""
    v = fmt.pars(fmt.nums(a.ravel().tolist()))
    if len(v) <= MAX_TERMS:
        return " + ".join(v)
    return " + ".join(v[:3]) + f" + ... + {v[-1]} ({len(v)} terms)"


def _grad_kernel_entries(xp, g, gk, stride) -> list[str]:
    """The first grad_kernel entries: the strided input window times grad_output."""
    kw, (oh, ow) = gk.shape[1], g.shape
    shown = min(SHOWN, gk.size)
    values = fmt.nums(gk.ravel()[:shown].tolist())
    if oh * ow <= MAX_TERMS:  # each sum: x_p's entries picked at fixed offsets from its corner, times grad_output
        times_g = product_template(fmt.pars(fmt.nums(g.ravel().tolist())))
        seen = xp[: (shown - 1) // kw + stride[0] * (oh - 1) + 1]  # the rows the shown entries use
        factors = fmt.pars(fmt.nums(seen.ravel().tolist()))
        cols = seen.shape[1]
        offsets = [i * stride[0] * cols + j * stride[1] for i in range(oh) for j in range(ow)]
        pick = itemgetter(*offsets) if len(offsets) > 1 else lambda flat: (flat[0],)
    texts = []
    for e in range(shown):
        a, b = divmod(e, kw)
        if oh * ow <= MAX_TERMS:
            first = a * cols + b
            sum_text = times_g % pick(factors[first : first + offsets[-1] + 1])
        else:
            sum_text = products(xp[a : a + stride[0] * (oh - 1) + 1 : stride[0],
                                   b : b + stride[1] * (ow - 1) + 1 : stride[1]], g)
        texts.append(f"grad_kernel[{a}][{b}]: x_p rows {span(a, oh, stride[0])} and cols {span(b, ow, stride[1])} "
                     f"times grad_output:\n  {sum_text} = {values[e]}")
    texts += likewise(gk.size, "grad_kernel entries")
    return texts


def _scatter_entries(g, kernel, stride) -> list[str]:
    """The first grad_output entries scattered as grad_output[i][j] * kernel."""
    (kh, kw), ow = kernel.shape, g.shape[1]
    shown = min(SHOWN, g.size)
    first = g.ravel()[:shown]
    blocks = fmt.nums((first[:, None, None] * kernel).ravel().tolist())  # each value times the kernel
    box = inline_template(kh, kw) if kh * kw <= MAX_TERMS else f"(a {kh}x{kw} array)"
    texts = []
    for e, v in enumerate(fmt.nums(first.tolist())):
        i, j = divmod(e, ow)
        block = box % tuple(blocks[e * kh * kw : (e + 1) * kh * kw]) if kh * kw <= MAX_TERMS else box
        texts.append(f"grad_output[{i}][{j}] = {v}: {v} * kernel = {block}, "
                     f"added to x_p's gradient at rows {span(i * stride[0], kh)} and cols {span(j * stride[1], kw)}")
    if g.size > SHOWN:
        texts.append(f"... and likewise for the remaining {g.size - SHOWN} grad_output entries, adding where "
                     "blocks overlap.")
    return texts


# ---------------------------------------------------------------- maxpool_backward


def maxpool_backward(input, size, stride, grad_output, padding=(0, 0)) -> Solution:  # noqa: A002
    """Gradient of max pooling: each window's gradient goes to its first maximum; overlaps add."""
    stride = stride or size
    (h, w), g = input.shape, grad_output
    for a in (0, 1):
        if 2 * padding[a] > size[a]:
            raise ParamError("padding", f"{padding[a]} ({AXES[a]}) is more than half the window size {size[a]}; "
                             "PyTorch requires padding <= size/2")
    check_fits("size", "window", size, (h, w), padding)
    padded = (h + 2 * padding[0], w + 2 * padding[1])
    out = (conv_size(h, size[0], stride[0], padding[0]), conv_size(w, size[1], stride[1], padding[1]))
    limit("padding", "the padded input", padded[0] * padded[1])
    limit("size", f"the {out[0] * out[1]:,} windows of {fmt.shape(size)}", out[0] * out[1] * size[0] * size[1])
    _check_grad_shape(g, out, "max pooling")
    xp = pad(input[None], padding, -np.inf)[0]
    flat = window_argmax(xp, size, stride, out)
    grad = route(g, flat, padded)[padding[0] : padding[0] + h, padding[1] : padding[1] + w]
    return Solution(grad, lambda: _maxpool_steps(input, g, flat, grad, size, stride, padding, padded))


def _maxpool_steps(x, g, flat, grad, size, stride, padding, padded) -> tuple[str, ...]:
    """Worked steps: output size, each first window's maximum and where its gradient goes, result."""
    (h, w), (oh, ow) = x.shape, g.shape
    sizes = [f"{axis}: floor(({n} + 2*{p} - {k})/{s}) + 1 = {m}"
             for axis, n, k, s, p, m in zip(AXES, (h, w), size, stride, padding, (oh, ow))]
    steps = ["Pooled output size (grad_output has this shape): floor((n + 2p - k)/s) + 1\n  " + "\n  ".join(sizes)]
    if padding != (0, 0):
        steps.append(f"The input is padded with -inf ({plural(padding[0], 'row')} and {plural(padding[1], 'column')} "
                     "on each side), "
                     "so padding is never the maximum.")
    steps.append("Each window's gradient grad_output[i][j] goes to the position of the window's maximum "
                 "(the first one in row-major order on ties, as PyTorch); all other positions get 0.")
    values, routed, spots = x.tolist(), g.ravel()[:SHOWN].tolist(), flat.ravel()[:SHOWN].tolist()
    for e, (g_e, spot) in enumerate(zip(routed, spots)):
        steps.append(_window_text(values, g_e, spot, divmod(e, ow), size, stride, padding, padded))
    steps += likewise(g.size, "windows")
    if stride[0] < size[0] or stride[1] < size[1]:
        steps.append("The windows overlap (stride < size): where one position is the maximum of several "
                     "windows, their gradients add.")
    steps.append(f"Result, the gradient w.r.t. the input ({fmt.shape((h, w))}):\n" + show(grad))
    return tuple(steps)


def _window_text(values, grad, spot, at, size, stride, padding, padded) -> str:
    """One window: its input entries, its maximum and where its gradient grad goes (input as lists, spot the
    flat index of its maximum in the padded input)."""
    i, j = at
    r, c = divmod(spot, padded[1])
    r, c = r - padding[0], c - padding[1]
    r0, c0 = i * stride[0] - padding[0], j * stride[1] - padding[1]
    r1, c1 = min(r0 + size[0], len(values)), min(c0 + size[1], len(values[0]))
    r0, c0 = max(r0, 0), max(c0, 0)
    win = [row[c0:c1] for row in values[r0:r1]]
    best = values[r][c]
    ties = sum([row.count(best) for row in win])
    tie = f" (first of {ties} equal maxima)" if ties > 1 else ""
    part = " (the rest is padding)" if (r1 - r0, c1 - c0) != tuple(size) else ""
    shown = inline_texts(fmt.num_rows(win)) if (r1 - r0) * (c1 - c0) <= MAX_TERMS else f"(a {r1 - r0}x{c1 - c0} array)"
    return (f"window ({i}, {j}): input rows {span(r0, r1 - r0)} and cols {span(c0, c1 - c0)}{part} = "
            f"{shown}: max {num(best)} at input[{r}][{c}]{tie}, which gets grad_output[{i}][{j}] = {num(grad)}")
