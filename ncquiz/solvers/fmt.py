"""Numbers and arrays written the way a worked solution writes them."""

from __future__ import annotations

import functools
import math

import numpy as np


def num(x, digits: int = 4) -> str:
    """A number as a student writes it: 3, -0.5, 0.7616 (at most `digits` decimals), 1.2e+20, inf."""
    return _num(float(x), digits)


@functools.lru_cache(maxsize=8192)  # worked solutions write the same few numbers again and again
def _num(x: float, digits: int) -> str:
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
    return "[" + ", ".join([num(x, digits) for x in a.ravel().tolist()]) + "]"


def grid(a, digits: int = 4, indent: str = "  ") -> str:
    """A matrix as aligned rows (right-aligned columns); a vector as one row; 3-D as one grid per channel."""
    a = np.atleast_2d(np.asarray(a, dtype=float))
    if a.ndim > 2:
        return "\n".join(f"{indent}[{i}]\n" + grid(a[i], digits, indent + "  ") for i in range(a.shape[0]))
    cells = [[num(x, digits) for x in row] for row in a.tolist()]
    width = max(len(c) for row in cells for c in row)
    return "\n".join(indent + "  ".join([c.rjust(width) for c in row]) for row in cells)


def shape(s) -> str:
    """A shape as 3x3 or 2x4x4."""
    return "x".join(str(int(n)) for n in s)
