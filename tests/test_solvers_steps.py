"""Pieces of worked steps: sums and products written from lists, and the templates that fill the same text."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ncquiz.solvers import fmt
from ncquiz.solvers.steps import (
    MAX_TERMS,
    inline,
    inline_template,
    inline_texts,
    product_sum,
    product_template,
    products,
    terms,
    terms_texts,
)

VALUES = st.lists(st.one_of(st.floats(-1e6, 1e6), st.sampled_from([0.0, -0.0, -1.0, 1e-7, -1e-7, -2.5])),
                  min_size=1, max_size=30)


def terms_one_by_one(values):
    """The sum as first written: each term after the first as ' + v' or, when negative, ' - |v|'."""
    text = fmt.num(values[0])
    for v in values[1:]:
        text += f" - {fmt.num(-v)}" if v < 0 else f" + {fmt.num(v)}"
    return text


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_terms_match_the_term_by_term_sum(values):
    assert terms(values) == terms_one_by_one(values)
    assert terms_texts(fmt.nums(values)) == terms_one_by_one(values)


def test_terms_hand_case():
    assert terms([1.0, 3.0, -2.0, -0.5, 0.0]) == "1 + 3 - 2 - 0.5 + 0"
    assert terms([-1.0, -1e-5]) == "-1 - 1e-05"


@settings(max_examples=200, deadline=None)
@given(st.data(), st.integers(1, 40))
def test_products_and_their_template(data, n):
    a = np.array(data.draw(st.lists(st.floats(-100, 100), min_size=n, max_size=n)))
    b = np.array(data.draw(st.lists(st.floats(-100, 100), min_size=n, max_size=n)))
    left, right = fmt.pars(fmt.nums(a.tolist())), fmt.pars(fmt.nums(b.tolist()))
    assert products(a, b) == product_sum(left, right)
    written = " + ".join(f"{u}*{v}" for u, v in zip(left, right))
    if n <= MAX_TERMS:
        assert product_sum(left, right) == written == product_template(right) % tuple(left)
    else:
        assert product_sum(left, right).endswith(f" + ... + {left[-1]}*{right[-1]} ({n} products)")


def test_product_sum_hand_case():
    assert products(np.array([1.0, -2.0]), np.array([[3.0], [-4.0]])) == "1*3 + (-2)*(-4)"


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.data())
def test_inline_template_fills_as_inline(rows, cols, data):
    values = data.draw(st.lists(st.floats(-50, 50), min_size=rows * cols, max_size=rows * cols))
    a = np.array(values).reshape(rows, cols)
    texts = fmt.nums(a.ravel().tolist())
    assert inline(a) == inline_texts(fmt.num_rows(a.tolist())) == inline_template(rows, cols) % tuple(texts)
    assert inline(np.array([[0.0, 1.0], [3.0, 4.0]])) == "[[0, 1], [3, 4]]"
