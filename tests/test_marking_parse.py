"""The answer parser: every accepted format, and fuzzing (never anything but Unreadable, never hangs)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ncquiz.marking.numbers import NumberError, read_number
from ncquiz.marking.parse import EXPECTED, Unreadable, comma_reading, number_readings, parse

NUMBERS = [
    ("61706", 61706), ("61,706", 61706), ("61 706", 61706), ("1,000,000", 1e6), ("-3", -3),
    ("0.5", 0.5), (".5", 0.5), ("0,5", 0.5), ("-0,25", -0.25), ("3/4", 0.75), ("1e-3", 0.001), ("2.5E2", 250),
    ("e^-1", math.exp(-1)), ("e^(-1)", math.exp(-1)), ("exp(-1)", math.exp(-1)), ("sqrt(2)/2", math.sqrt(2) / 2),
    ("ln 2", math.log(2)), ("ln(2)", math.log(2)), ("log(2)", math.log(2)), ("tanh(0.5)", math.tanh(0.5)),
    ("1 - 0.73", 0.27), ("1 − 0.73", 0.27), ("2 × 3", 6), ("2*3", 6), ("1.5 x 0.4", 0.6), ("2^10", 1024), ("10**-2", 0.01),
    ("sigmoid(0)", 0.5), ("2sqrt(2)", 2 * math.sqrt(2)), ("50%", 0.5), ("(1 + 2) * 3", 9), ("-(-(-1))", -1),
    ("h1 = 0.46", 0.46), ("pi/2", math.pi / 2), ("1/(1 + e^-0.5)", 1 / (1 + math.exp(-0.5))),
    ("= -0.862", -0.862), ("0.5.", 0.5), ("0.5...", 0.5), ("0.5 units", 0.5), ("2 pi", 2 * math.pi),
    ("3 x (2 + 1)", 9), ("6x6x64", 2304),
]


@pytest.mark.parametrize("text, value", NUMBERS)
def test_numbers(text, value):
    assert parse(text, "number") == pytest.approx(value, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("text, value", [("61,706", 61706), ("61 706", 61706), ("12", 12), ("4.0", 4),
                                         ("6x6x64", 2304), ("6 × 6 × 64", 2304), ("14x14x32 = 6272", 6272),
                                         ("38914 parameters", 38914), ("38,914 weights.", 38914),
                                         ("3 216 parameters", 3216), ("576 weights and biases", 576),
                                         ("(3x3x3+1) x 64 parameters", 1792)])
def test_integers(text, value):
    assert parse(text, "integer") == value


def test_ambiguous_comma_is_read_both_ways():
    assert number_readings("1,500") == [1500.0, 1.5]
    assert number_readings("0,5") == [0.5]


@pytest.mark.parametrize("text", ["", "   ", "abc", "1/0", "(1", "2 3", "1e999", "9^9^9^9", "ln(-1)", "2.5.1", "--",
                                  "1 +", "sqrt", "x = ", "=", "4,5,6", "0.5 sigma"])
def test_unreadable_numbers_say_what_is_expected(text):
    with pytest.raises(Unreadable) as info:
        parse(text, "number")
    assert "blank" in str(info.value) or EXPECTED["number"] in str(info.value)


def test_a_fraction_for_a_whole_number_part_is_read_to_be_marked_wrong():
    assert parse("2.5", "integer") == 2.5


@pytest.mark.parametrize("text, value", [
    ("[1, 2, 3]", [1, 2, 3]), ("1 2 3", [1, 2, 3]), ("(1, 2, 3)", [1, 2, 3]), ("1,2,3", [1, 2, 3]),
    ("0,5 0,25", [0.5, 0.25]), ("0.5; -1; 2", [0.5, -1, 2]), ("1 - 0.73, e^-1", [0.27, math.exp(-1)]),
    ("[[1, 2, 3]]", [1, 2, 3]), ("h = [1, 2]", [1, 2]), ("1\n2\n3", [1, 2, 3]),
    ("0.1,0.2, 0.3", [0.1, 0.2, 0.3]), ("-3,1, 1,0", [-3, 1, 1, 0]),  # uneven spacing: commas still separate
])
def test_vectors(text, value):
    np.testing.assert_allclose(parse(text, "vector"), value)


@pytest.mark.parametrize("text, kind, other", [
    ("[0,8, 0,9, -0,6, -0,02]", "vector", [0.8, 0.9, -0.6, -0.02]),
    ("-3,1, 1,0", "vector", [-3.1, 1.0]),
    ("0,5, 1,5; 2,5, 3", "matrix", [[0.5, 1.5], [2.5, 3]]),
    ("[[0,985, -0,615], [-0,490, 0,380]]", "matrix", [[0.985, -0.615], [-0.49, 0.38]]),  # rows in brackets
    ("[0,985, -0,615], [-0,490, 0,380]", "matrix", [[0.985, -0.615], [-0.49, 0.38]]),
    ("1,970, -3,939", "vector", [1.97, -3.939]),  # in this reading a comma is a decimal point, not thousands
    ("1, 2, 3", "vector", None), ("0.1,0.2, 0.3", "vector", None), ("2,1, -1; 2,-1, 2", "matrix", None),
])
def test_the_decimal_comma_reading_of_a_vector_or_matrix(text, kind, other):
    """Decimal commas with ', ' between entries give a second reading; the marker keeps the one of the
    expected shape (tests/test_marking_bank.py)."""
    got = comma_reading(text, kind)
    assert (got is None) if other is None else np.allclose(got, other)


@pytest.mark.parametrize("text", ["50 percent", "1.2 million", "10 squared", "0.5 wrong", "3 parameters more"])
def test_words_that_would_change_the_value_leave_a_number_unreadable(text):
    with pytest.raises(Unreadable):
        parse(text, "number")


@pytest.mark.parametrize("text", [
    "[[1,2],[3,4]]", "[[1, 2], [3, 4]]", "[1 2; 3 4]", "1 2; 3 4", "1 2\n3 4", "1, 2\n3, 4", "((1, 2), (3, 4))",
    "[1, 2], [3, 4]", "[1 2] [3 4]", "1,2;3,4", "  1   2 ;  3   4  ", "Y = [[1,2],[3,4]]", "1 2\n\n3 4\n",
])
def test_matrices(text):
    np.testing.assert_array_equal(parse(text, "matrix"), [[1, 2], [3, 4]])


def test_three_dimensional_arrays():
    assert parse("[[[1,2],[3,4]],[[5,6],[7,8]]]", "matrix").shape == (2, 2, 2)


@pytest.mark.parametrize("text", ["[[1,2],[3]]", "1 2; 3", "[[1,2],[3,4]", "[1 2; x 4]", "[[1,2]]]"])
def test_bad_matrices(text):
    with pytest.raises(Unreadable):
        parse(text, "matrix")


@pytest.mark.parametrize("text", ["28x28x6", "28 x 28 x 6", "28 × 28 × 6", "(28, 28, 6)", "[28, 28, 6]", "28*28*6",
                                  "28 by 28 by 6", "28X28X6", "28 28 6"])
def test_shapes(text):
    assert parse(text, "shape") == (28, 28, 6)


@pytest.mark.parametrize("text, letters", [("b", {"b"}), ("(b)", {"b"}), ("B", {"b"}), ("b)", {"b"}), ("option b", {"b"})])
def test_single_choice(text, letters):
    assert parse(text, "choice", "abcd") == letters


@pytest.mark.parametrize("text", ["a, c", "c, a", "a c", "ac", "A and C", "(a) (c)"])
def test_multiple_choice_in_any_order(text):
    assert parse(text, "multi", "abcd") == {"a", "c"}


@pytest.mark.parametrize("text, kind", [("e", "choice"), ("ab", "choice"), ("a, a", "multi"), ("banana", "multi"),
                                        ("1", "choice")])
def test_bad_options(text, kind):
    with pytest.raises(Unreadable):
        parse(text, kind, "abcd")


def test_free_text_is_kept():
    assert parse("  Weight sharing.  ", "text") == "Weight sharing."


TYPES = list(EXPECTED)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300), st.sampled_from(TYPES))
def test_random_text_only_ever_raises_unreadable(text, kind):
    try:
        parse(text, kind, "abcd")
    except Unreadable:
        pass


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.,;-+*/^()[] xe\n", max_size=120), st.sampled_from(TYPES))
def test_random_number_like_text_only_ever_raises_unreadable(text, kind):
    try:
        parse(text, kind, "abcd")
    except Unreadable:
        pass


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["9", "^", "(", ")", "-", "e", "exp", "*", "99", "."]), max_size=80))
def test_towers_of_powers_are_refused_fast(tokens):
    try:
        value = read_number("".join(tokens))
    except NumberError:
        return
    assert math.isfinite(value)


def test_bounded_length_and_exponent():
    with pytest.raises(Unreadable):
        parse("1" * 5000, "number")
    with pytest.raises(NumberError):
        read_number("9^9^9^9")
    with pytest.raises(NumberError):
        read_number("(" * 100 + "1" + ")" * 100)


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_printed_floats_read_back(x):
    assert parse(repr(x), "number") == x
