"""Numbers and arrays written the way a worked solution writes them."""

from __future__ import annotations

import math

import numpy as np

_TEXTS: dict[float, str] = {}
"""num's texts at the default 4 digits, by value: worked solutions write the same few numbers again and again."""

_MAX_TEXTS = 8192
"""The memo starts afresh when it holds this many numbers."""


def num(x, digits: int = 4) -> str:
    """A number as a student writes it: 3, -0.5, 0.7616 (at most `digits` decimals), 1.2e+20, inf."""
    if type(x) is not float:
        x = float(x)
    if digits != 4:
        return _written(x, digits)
    text = _TEXTS.get(x)
    if text is None:
        if len(_TEXTS) >= _MAX_TEXTS:
            _TEXTS.clear()
        text = _TEXTS[x] = _written(x, 4)
    return text


def nums(values: list) -> list[str]:
    """num of each of a list of numbers (Python floats or ints, as from `ndarray.tolist()`)."""
    try:
        return list(map(_TEXTS.__getitem__, values))  # all already written: no Python call per number
    except KeyError:
        return [num(v) for v in values]


def num_rows(rows: list[list]) -> list[list[str]]:
    """`nums` of each row of a matrix given as lists (as from `ndarray.tolist()`)."""
    text = _TEXTS.__getitem__
    try:
        return [list(map(text, row)) for row in rows]
    except KeyError:
        return [nums(row) for row in rows]


def pars(texts) -> list[str]:
    """Written numbers for a product: negatives in parentheses, as (-2)."""
    return [f"({t})" if t[0] == "-" else t for t in texts]


def _written(x: float, digits: int) -> str:
    if not math.isfinite(x):
        return str(x)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    if abs(x) >= 1e15 or abs(x) < 0.01:  # very large or small: significant digits, not decimals
        return f"{x:.{digits}g}"
    return f"{x:.{digits}f}".rstrip("0").rstrip(".")


def vec(v, digits: int = 4) -> str:
    """A vector as [a, b, c]; a 0-d array or number as itself."""
    a = np.asarray(v, dtype=float)
    if a.ndim == 0:
        return num(float(a), digits)
    values = a.ravel().tolist()
    return "[" + ", ".join(nums(values) if digits == 4 else [num(x, digits) for x in values]) + "]"


def grid(a, digits: int = 4, indent: str = "  ") -> str:
    """A matrix as aligned rows (right-aligned columns); a vector as one row; 3-D as one grid per channel."""
    a = np.asarray(a, dtype=float)
    if a.ndim > 2:
        return "\n".join(f"{indent}[{i}]\n" + grid(a[i], digits, indent + "  ") for i in range(a.shape[0]))
    values = a.ravel().tolist()
    texts = nums(values) if digits == 4 else [num(x, digits) for x in values]
    return aligned(texts, a.shape[1] if a.ndim == 2 else a.size, indent)


def aligned(texts: list[str], cols: int, indent: str = "  ") -> str:
    """Written numbers (row-major) as rows of `cols`, right-aligned to the widest, two spaces apart."""
    width = max(map(len, texts))
    row = indent + "  ".join([f"%{width}s"] * cols)
    return "\n".join([row] * (len(texts) // cols)) % tuple(texts)


def shape(s) -> str:
    """A shape as 3x3 or 2x4x4."""
    return "x".join(map(str, map(int, s)))
