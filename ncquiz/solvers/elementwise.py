"""Activation functions (softmax over the last axis) and normalisation of a vector.

Everything is computed in a numerically stable form: sigmoid never evaluates exp of a large
positive number, softmax subtracts the row maximum, and normalisation works on the values
rescaled by a power of two (exact) so that no sum or square overflows.
"""

from __future__ import annotations

import math

import numpy as np

from ncquiz.errors import ParamError
from ncquiz.solvers import Solution, fmt
from ncquiz.solvers.steps import SHOWN, likewise, num, paren, show, terms

FORMULA = {
    "relu": "relu(x) = max(0, x)",
    "leaky-relu": "leaky-relu(x) = x if x >= 0, else {slope}*x",
    "tanh": "tanh(x) = (e^x - e^-x)/(e^x + e^-x)",
    "sigmoid": "sigmoid(x) = 1/(1 + e^-x)",
    "softmax": "softmax(x)_i = e^(x_i)/sum_j e^(x_j), over the last axis",
}


# ---------------------------------------------------------------- mathematics


def relu(x: np.ndarray) -> np.ndarray:
    """max(0, x)."""
    return np.maximum(x, 0.0)


def leaky_relu(x: np.ndarray, slope: float) -> np.ndarray:
    """x where x >= 0, slope*x elsewhere."""
    return np.maximum(x, 0.0) + slope * np.minimum(x, 0.0)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1/(1 + e^-x), computed from e^-|x| so exp never overflows."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0, e) / (1.0 + e)


def softmax(x: np.ndarray) -> np.ndarray:
    """Softmax over the last axis (a number gives 1), the row maximum subtracted first."""
    rows = np.atleast_1d(x)
    e = np.exp(rows - rows.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)).reshape(x.shape)


def minmax(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """lo + (x - min)(hi - lo)/(max - min), as a weighted mean of lo and hi so both are hit exactly."""
    u = unit_scale(x)
    t = (u - u.min()) / (u.max() - u.min())
    return lo * (1.0 - t) + hi * t


def zscore(x: np.ndarray, ddof: int) -> np.ndarray:
    """(x - mean)/std, the standard deviation dividing by n - ddof."""
    u = unit_scale(x)
    return (u - u.mean()) / u.std(ddof=ddof)


def unit_scale(x: np.ndarray) -> np.ndarray:
    """x times the power of two that brings its largest magnitude into [0.5, 1).

    Exact, and both min-max scaling and the z-score are unchanged by it; it keeps squares and
    sums of huge values from overflowing (and of tiny ones from underflowing to 0).
    """
    return np.ldexp(x, -np.frexp(np.max(np.abs(x)))[1])


# ---------------------------------------------------------------- activation


def activation(input, fn, slope=0.01) -> Solution:  # noqa: A002
    """relu, leaky-relu, tanh, sigmoid or softmax (over the last axis) of a number or array."""
    if fn in ("leaky-relu", "softmax"):  # slope*x, and x minus the row maximum, can overflow
        with np.errstate(over="ignore"):
            out = _apply(input, fn, slope)
    else:
        out = _apply(input, fn, slope)
    if not np.isfinite(out).all():  # only leaky-relu with |slope| > 1 can overflow
        raise ParamError("slope", f"{num(slope)}*x overflows float64 for the most negative entries")
    def steps():
        return [FORMULA[fn].format(slope=num(slope)),
                *(_softmax_steps(input, out) if fn == "softmax" else _entry_steps(input, out, fn, slope)),
                "Result: " + show(out)]

    return Solution(out, steps)


def _apply(x: np.ndarray, fn: str, slope: float) -> np.ndarray:
    """The activation `fn` of x."""
    if fn == "leaky-relu":
        return leaky_relu(x, slope)
    return {"relu": relu, "tanh": np.tanh, "sigmoid": sigmoid, "softmax": softmax}[fn](x)


def _entry_steps(x, out, fn, slope) -> list[str]:
    """The arithmetic of the first entries of an elementwise activation."""
    xs = x.ravel()[:SHOWN].tolist()
    texts, negated, results = fmt.nums(xs), fmt.nums([-v for v in xs]), fmt.nums(out.ravel()[:SHOWN].tolist())
    steps = [_entry(fn, v, a, neg, y, slope) for v, a, neg, y in zip(xs, texts, negated, results)]
    steps += likewise(x.size)
    return steps


def _entry(fn: str, v: float, a: str, neg: str, y: str, slope: float) -> str:
    """One entry: 'sigmoid(0.5) = 1/(1 + e^-0.5) = 0.6225' (a, neg and y: v, -v and the result written)."""
    if fn == "leaky-relu" and v >= 0:
        return f"{fn}({a}) = {a} (x >= 0)"
    if fn == "relu":
        work = f"max(0, {a})"
    elif fn == "leaky-relu":
        work = f"{num(slope)}*{paren(v)}"
    elif fn == "tanh":
        work = f"(e^{a} - e^{neg})/(e^{a} + e^{neg})"
    else:
        work = f"1/(1 + e^{neg})"
    return f"{fn}({a}) = {work} = {y}"


def _softmax_steps(x, out) -> list[str]:
    """The exponentials, their sum and the ratios for the first row of a softmax."""
    if x.ndim == 0:
        return [f"A single number: e^{num(x)}/e^{num(x)} = 1"]
    row, probs = x.reshape(-1, x.shape[-1])[0], out.reshape(-1, x.shape[-1])[0]
    m = float(row.max())
    e = np.exp(row - m)
    shown, exponentials = row[:SHOWN].tolist(), e.tolist()
    first_exps, m_p = fmt.nums(exponentials[:SHOWN]), paren(m)
    exps = ", ".join([f"e^({v} - {m_p}) = {w}" for v, w in zip(fmt.nums(shown), first_exps)])
    total = float(e.sum())
    if row.size <= SHOWN:
        sums = f"Sum: {terms(exponentials)} = {num(total)}"
    else:
        exps += f", ... ({row.size} exponentials in all)"
        sums = f"Sum of the {row.size} exponentials: {num(total)}"
    total_t = num(total)
    ratios = ", ".join([f"{w}/{total_t} = {p}" for w, p in zip(first_exps, fmt.nums(probs[:SHOWN].tolist()))])
    first = "Row 0: subtract" if x.ndim > 1 else "Subtract"
    steps = [f"{first} the maximum {num(m)} before exponentiating (softmax is unchanged by a shift, "
             f"and exp cannot overflow): {exps}", sums, "Divide each by the sum: " + ratios]
    steps += likewise(row.size)
    if x.size > row.size:
        steps.append(f"... and likewise for the other {x.size // row.size - 1} row(s), each on its own.")
    return steps


# ---------------------------------------------------------------- normalize


def normalize(input, method, range=(0.0, 1.0), ddof=0) -> Solution:  # noqa: A002
    """Min-max scaling to `range`, z-score, or tanh of the z-score of a vector."""
    lo, hi = range
    n = input.size
    if method != "minmax" and ddof >= n:
        raise ParamError("ddof", f"{ddof} must be less than the number of values {n} "
                                 f"(the standard deviation divides by n - ddof = {n - ddof})")
    if input.min() == input.max():
        undefined = "min-max scaling" if method == "minmax" else "the standard deviation is 0, so the z-score"
        raise ParamError("input", f"all values are equal; {undefined} is undefined")
    if method == "minmax":
        out = minmax(input, lo, hi)
        return Solution(out, lambda: _minmax_steps(input, out, lo, hi) + ("Result: " + show(out),))
    z = zscore(input, ddof)
    out = np.tanh(z) if method == "tanh" else z
    return Solution(out, lambda: _zscore_steps(input, z, out, ddof, method) + ("Result: " + show(out),))


def _minmax_steps(x, out, lo, hi) -> tuple[str, ...]:
    """Min and max, the formula, the first entries."""
    mn, mx = float(x.min()), float(x.max())
    low, high = paren(mn), num(mx)
    if (lo, hi) == (0.0, 1.0):
        formula = "x' = (x - min)/(max - min)"
        entries = [f"({v} - {low})/({high} - {low}) = {y}" for v, y in _first_texts(x, out)]
    else:
        formula = f"x' = lo + (x - min)(hi - lo)/(max - min), range [lo, hi] = [{num(lo)}, {num(hi)}]"
        scale = f"*({num(hi)} - {paren(lo)})/({high} - {low})"
        entries = [f"{num(lo)} + ({v} - {low}){scale} = {y}" for v, y in _first_texts(x, out)]
    return (f"min = {num(mn)}, max = {num(mx)}", formula, *entries, *_rest(x))


def _zscore_steps(x, z, out, ddof, method) -> tuple[str, ...]:
    """The formula, mean and standard deviation with their arithmetic, then the first entries."""
    mean, std, stats = _stats_steps(x, ddof)
    shift, scale = paren(mean), num(std)
    if method == "zscore":
        formula = "z = (x - mean)/std"
        entries = [f"({v} - {shift})/{scale} = {y}" for v, y in _first_texts(x, z)]
    else:
        formula = "x' = tanh((x - mean)/std), the tanh of the z-score"
        entries = [f"tanh(({v} - {shift})/{scale}) = tanh({zv}) = {y}"
                   for (v, zv), y in zip(_first_texts(x, z), fmt.nums(out[:SHOWN].tolist()))]
    return (formula, *stats, *entries, *_rest(x))


@np.errstate(over="ignore", invalid="ignore")  # shown values of huge inputs may overflow; the answer cannot
def _stats_steps(x, ddof) -> tuple[float, float, list[str]]:
    """Mean and standard deviation (dividing by n - ddof) and the steps computing them."""
    n = x.size
    total, mean = float(x.sum()), float(x.mean())
    sq = (x - mean) ** 2
    ss = float(sq.sum())
    var = ss / (n - ddof)
    std = math.sqrt(var)
    shift = paren(mean)
    if n <= SHOWN:
        devs = " + ".join([f"({v} - {shift})^2" for v in fmt.nums(x.tolist())])
        steps = [f"mean = ({terms(x.tolist())})/{n} = {num(total)}/{n} = {num(mean)}",
                 f"sum of squared deviations = {devs}\n  = {terms(sq.tolist())} = {num(ss)}"]
    else:
        devs = ", ".join([f"({v} - {shift})^2 = {d}" for v, d in _first_texts(x, sq)])
        steps = [f"mean = (sum of the {n} values)/{n} = {num(total)}/{n} = {num(mean)}",
                 f"squared deviations: {devs}, ...\n  their sum = {num(ss)}"]
    divisor = {0: "population: divide by n", 1: "sample: divide by n - 1"}.get(ddof, "divide by n - ddof")
    steps.append(f"std = sqrt({num(ss)}/({n} - {ddof})) = sqrt({num(var)}) = {num(std)} (ddof = {ddof}, {divisor})")
    return mean, std, steps


def _first_texts(x: np.ndarray, y: np.ndarray) -> list[tuple[str, str]]:
    """The first SHOWN pairs of entries (x, y), written."""
    return list(zip(fmt.nums(x[:SHOWN].tolist()), fmt.nums(y[:SHOWN].tolist())))


def _rest(x: np.ndarray) -> tuple[str, ...]:
    """The closing 'and likewise' line when not every entry was written out."""
    return (f"... and likewise for the remaining {x.size - SHOWN} entries.",) if x.size > SHOWN else ()
