"""Pieces of worked solutions shared by the solvers: sums, products, spans, bounded grids."""

from __future__ import annotations

import numpy as np

from ncquiz.solvers import fmt

SHOWN = 4
"""Output entries whose arithmetic a worked solution writes out before '... and likewise'."""

MAX_TERMS = 25
"""Longest sum (or window) written term by term; longer ones are abbreviated."""

MAX_GRID = 400
"""Largest array written out in full; a larger one is named by its shape."""

AXES = ("rows", "cols")

num = fmt.num


def paren(v: float) -> str:
    """A number after a times or minus sign: negatives in parentheses, as (-2)."""
    text = num(v)
    return f"({text})" if text[0] == "-" else text


def terms(values: list) -> str:
    """A sum written out: '1 + 3 - 2' (a negative term shown as a subtraction)."""
    return terms_texts(fmt.nums(values))


def terms_texts(texts) -> str:
    """`terms` of numbers already written."""
    # A negative number is written as its magnitude after a minus sign, so '+ -' only appears where
    # a negative term follows another.
    return " + ".join(texts).replace("+ -", "- ")


def products(a: np.ndarray, b: np.ndarray) -> str:
    """'a1*b1 + a2*b2 + ...' over paired entries (row-major); a long sum keeps its first three terms and the last."""
    return product_sum(fmt.pars(fmt.nums(a.ravel().tolist())), fmt.pars(fmt.nums(b.ravel().tolist())))


def product_sum(left: list[str], right: list[str]) -> str:
    """`products` from the two factors' texts, already in parentheses where negative (`fmt.pars`)."""
    if len(left) <= MAX_TERMS:
        return " + ".join(map("*".join, zip(left, right)))
    head = " + ".join(map("*".join, zip(left[:3], right[:3])))
    return f"{head} + ... + {left[-1]}*{right[-1]} ({len(left)} products)"


def product_template(right: list[str]) -> str:
    """`product_sum` with the left factors still to fill in: '%s*2 + %s*(-1)', for `%` with a tuple.

    Only for at most MAX_TERMS factors (a longer sum is shortened). Written numbers never hold a '%'.
    """
    return " + ".join([f"%s*{v}" for v in right])


def plural(n: int, word: str) -> str:
    """'1 row', '2 rows'."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def span(start: int, k: int, d: int = 1) -> str:
    """Rows (or cols) a window covers: '2', '2-4', or '2, 4, 6' when dilated."""
    if k == 1:
        return str(start)
    if d == 1:
        return f"{start}-{start + k - 1}"
    if k > 6:
        return f"{start}, {start + d}, ..., {start + d * (k - 1)}"
    return ", ".join(str(start + d * t) for t in range(k))


def inline(a: np.ndarray) -> str:
    """A small matrix on one line, [[0, 1], [3, 4]]; a large one by its shape."""
    if a.size > MAX_TERMS:
        return f"(a {fmt.shape(a.shape)} array)"
    return inline_texts([fmt.nums(row) for row in a.tolist()])


def inline_texts(rows: list[list[str]]) -> str:
    """`inline` of a small matrix given as rows of written numbers."""
    return "[" + ", ".join(["[" + ", ".join(row) + "]" for row in rows]) + "]"


def inline_template(rows: int, cols: int) -> str:
    """`inline` of a rows x cols matrix with its written numbers still to fill in (`%` with a row-major tuple)."""
    return "[" + ", ".join(["[" + ", ".join(["%s"] * cols) + "]"] * rows) + "]"


def show(a: np.ndarray) -> str:
    """A number or vector on one line, a matrix as aligned rows; only the shape when too large."""
    a = np.asarray(a)
    if a.size > MAX_GRID:
        return f"  (a {fmt.shape(a.shape)} array, too large to write out here)"
    if a.ndim <= 1:
        return fmt.vec(a)
    return fmt.grid(a)


def likewise(total: int, what: str = "entries") -> list[str]:
    """The closing '... and likewise' line when more than SHOWN items exist."""
    return [f"... and likewise for the remaining {total - SHOWN} {what}."] if total > SHOWN else []
