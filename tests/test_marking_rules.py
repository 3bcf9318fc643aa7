"""Marking rules at their edges, rubric matching, choice scoring, and feedback that keeps the answer back."""

import numpy as np
import pytest

from ncquiz.bank.model import Rule, RubricPoint
from ncquiz.marking.mark import matches, tolerance, trivial
from ncquiz.marking.rubric import points_made

DP2, DP3, SF3 = Rule("dp", 2), Rule("dp", 3), Rule("sf", 3)


@pytest.mark.parametrize("value, ref, rule, ok", [
    (0.46, 0.4621, DP2, True),            # correctly rounded
    (0.462117, 0.4621171573, DP2, True),  # more digits than asked: never penalised
    (0.5, 0.5004, DP3, True),             # trailing zeros left out (0.500 written 0.5)
    (0.47, 0.4621, DP2, False),           # wrong in the last place
    (0.465, 0.46, DP2, True),             # exactly half a unit away: accepted
    (0.4651, 0.46, DP2, False),           # just beyond half a unit
    (0.46, 0.4678, DP2, False),           # truncated instead of rounded (0.4678 is 0.47 to 2 d.p.)
    (0.467, 0.4678, DP2, True),           # an extra digit, within half a unit of 0.47
    (0.0123, 0.012345, SF3, True),
    (0.012, 0.012345, SF3, False),        # only 2 s.f. and not within half a unit of the 3rd
    (0.0124, 0.012345, SF3, False),
    (123000, 123456, SF3, True),
    (124000, 123456, SF3, False),
    (0.5, 0.5, SF3, True),
    (2.28e-19, 2.2815e-19, SF3, True),    # a tiny reference is checked to its own significant figures
    (0.0, 2.2815e-19, SF3, False),        # ... so 0 (or any number near it) is not accepted
    (9e-13, 2.2815e-19, SF3, False),
    (2.26e-11, 2.2641e-11, SF3, True),
    (2.17e-11, 2.2641e-11, SF3, False),
    (2.3e-11, 2.2641e-11, SF3, False),
    (19.0, 19.0, Rule("exact"), True),
    (19.0 + 1e-12, 19.0, Rule("exact"), True),   # float noise in a computed reference
    (20.0, 19.0, Rule("exact"), False),
    (1.005, 1.0, Rule("abs", 0.01), True),
    (1.02, 1.0, Rule("abs", 0.01), False),
    (1001, 1000, Rule("rel", 0.001), True),
    (1002, 1000, Rule("rel", 0.001), False),
])
def test_rule_edges(value, ref, rule, ok):
    assert bool(matches(value, ref, rule)) is ok


def test_rules_apply_per_entry():
    got = matches(np.array([0.46, 0.47]), np.array([0.4621, 0.4621]), DP2)
    assert got.tolist() == [True, False]


def test_tolerance_of_significant_figures_follows_magnitude():
    assert tolerance(1234.0, SF3) == pytest.approx(5.0, rel=1e-6)
    assert tolerance(0.001234, SF3) == pytest.approx(5e-6, rel=1e-6)


@pytest.mark.parametrize("value, is_trivial", [
    (0, True), ([0, 0], True), (np.eye(3), True), ((), True), ([0.5, 0], False), ([[1, 0], [0, 2]], False), (3, False),
    ([[0, 0, 0], [0, 0, 1], [0, 0, 0]], True), ([[0, 0], [0, 2]], False), ([1, 0, 0], False),
])
def test_trivial_earlier_answers(value, is_trivial):
    assert trivial(value) is is_trivial


RUBRIC = (
    RubricPoint("weight sharing", 1, ("weight sharing", "shared weight", "share weight", "same kernel")),
    RubricPoint("local connectivity", 1, ("local connect", "receptive field")),
    RubricPoint("equivariance", 1, ("equivarian", "translation invarian")),
)


@pytest.mark.parametrize("answer, points", [
    ("CNNs use weight sharing and are locally connected", {"weight sharing", "local connectivity"}),
    ("The SAME KERNEL is slid over the image; each neuron has a small receptive field.", {"weight sharing", "local connectivity"}),
    ("shares weights, translation-equivariant", {"weight sharing", "equivariance"}),
    ("Weights are shared!", set()),  # a phrasing the rubric does not list
    ("unlike an MLP it does not share weights", set()),  # negated: no credit
    ("", set()),
])
def test_rubric_points(answer, points):
    assert {p.point for p in points_made(answer, RUBRIC)} == points


def test_plural_and_punctuation_insensitive():
    assert points_made("Shared-weights.", RUBRIC)[0].point == "weight sharing"
