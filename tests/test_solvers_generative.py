"""VAE and GAN solvers: hand-worked cases, formulas recomputed with math, properties, bad params."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import fails

from ncquiz.solvers import solve, to_json
from ncquiz.solvers.generative import gan, vae

SETTINGS = settings(max_examples=60, deadline=None)

PROBABILITIES = st.lists(st.floats(1e-9, 1 - 1e-9), min_size=1, max_size=8)


@st.composite
def vae_cases(draw):
    """mu, logvar, eps of one shape: numbers or vectors."""
    n = draw(st.sampled_from([None, 1, 2, 5]))
    mu, logvar, eps = (draw(st.lists(st.floats(lo, hi), min_size=n or 1, max_size=n or 1))
                       for lo, hi in ((-10, 10), (-10, 10), (-3, 3)))
    if n is None:
        return mu[0], logvar[0], eps[0]
    return mu, logvar, eps


# ---------------------------------------------------------------- vae


def test_vae_one_component_by_hand():
    sol = solve("vae", {"mu": [0.5], "logvar": [0], "eps": [1]})
    # sigma = exp(0/2) = 1; z = 0.5 + 1*1 = 1.5; kl = -1/2 (1 + 0 - 0.25 - 1) = 0.125
    np.testing.assert_array_equal(sol.answer["sigma"], [1.0])
    np.testing.assert_array_equal(sol.answer["z"], [1.5])
    assert sol.answer["kl"] == pytest.approx(0.125, abs=1e-16)
    text = "\n".join(sol.steps)
    assert "exp(0/2) = 1" in text
    assert "0.5 + 1*1 = 1.5" in text
    assert "1 + 0 - 0.5^2 - exp(0) = 1 + 0 - 0.25 - 1 = -0.25" in text
    assert "KL = -1/2 * (-0.25) = 0.125" in text


def test_vae_two_components_by_hand():
    sol = solve("vae", {"mu": [0, 1], "logvar": [math.log(4), 0], "eps": [0.5, -1]})
    # sigma = [2, 1]; z = [0 + 2*0.5, 1 + 1*(-1)] = [1, 0]
    # kl = -1/2 [(1 + ln 4 - 0 - 4) + (1 + 0 - 1 - 1)] = 2 - ln 2
    np.testing.assert_allclose(sol.answer["sigma"], [2, 1], rtol=1e-15)
    np.testing.assert_allclose(sol.answer["z"], [1, 0], rtol=0, atol=1e-15)
    assert sol.answer["kl"] == pytest.approx(2 - math.log(2), rel=1e-14)
    assert "[1] 1 + 0 - 1^2 - exp(0) = 1 + 0 - 1 - 1 = -1" in "\n".join(sol.steps)


def test_vae_numbers_and_answer_keys():
    sol = solve("vae", {"mu": 1, "logvar": 0, "eps": 0})
    assert set(sol.answer) == {"sigma", "z", "kl"}
    assert np.shape(sol.answer["z"]) == ()
    assert isinstance(sol.answer["kl"], float)
    assert to_json(sol.answer) == {"sigma": 1.0, "z": 1.0, "kl": 0.5}


@SETTINGS
@given(vae_cases())
def test_vae_matches_the_formulas(case):
    mu, logvar, eps = case
    sol = vae(np.array(mu, float), np.array(logvar, float), np.array(eps, float))
    m, lv, e = (np.atleast_1d(np.array(a, float)).tolist() for a in case)
    kl = -0.5 * sum(1 + v - a * a - math.exp(v) for a, v in zip(m, lv))
    np.testing.assert_allclose(np.ravel(sol.answer["sigma"]), [math.exp(v / 2) for v in lv], rtol=1e-14)
    np.testing.assert_allclose(np.ravel(sol.answer["z"]), [a + math.exp(v / 2) * b for a, v, b in zip(m, lv, e)],
                               rtol=1e-12, atol=1e-12)
    assert sol.answer["kl"] == pytest.approx(kl, rel=1e-9, abs=1e-9)
    assert np.shape(sol.answer["z"]) == np.shape(mu)


@SETTINGS
@given(vae_cases())
def test_vae_kl_is_never_negative(case):
    mu, logvar, eps = case
    assert vae(np.array(mu, float), np.array(logvar, float), np.array(eps, float)).answer["kl"] >= 0


@pytest.mark.parametrize("t", [1e-4, -1e-6, 3e-9])
def test_vae_kl_is_accurate_near_the_prior(t):
    # -1/2 (1 + t - e^t) = 1/2 (t^2/2 + t^3/6 + t^4/24 + ...): 1 + t - e^t written directly loses it to rounding
    kl = vae(np.array([0.0, 1e-5]), np.array([t, 0.0]), np.zeros(2)).answer["kl"]
    assert kl == pytest.approx(0.5 * (t**2 / 2 + t**3 / 6 + t**4 / 24 + 1e-10), rel=1e-12, abs=0)


def test_vae_kl_is_0_at_the_prior():
    sol = solve("vae", {"mu": [0, 0, 0], "logvar": [0, 0, 0], "eps": [0.3, -1, 2]})
    assert sol.answer["kl"] == 0.0
    np.testing.assert_array_equal(sol.answer["z"], [0.3, -1, 2])


# ---------------------------------------------------------------- gan


def test_gan_one_sample_by_hand():
    sol = solve("gan", {"d_real": 0.9, "d_fake": 0.2})
    assert set(sol.answer) == {"d_loss", "g_loss_minimax", "g_loss_nonsaturating"}
    assert sol.answer["d_loss"] == pytest.approx(-math.log(0.9) - math.log(0.8), rel=1e-15)
    assert sol.answer["g_loss_minimax"] == pytest.approx(math.log(0.8), rel=1e-15)
    assert sol.answer["g_loss_nonsaturating"] == pytest.approx(-math.log(0.2), rel=1e-15)
    assert all(isinstance(v, float) for v in sol.answer.values())
    text = "\n".join(sol.steps)
    assert "ln 0.9 = -0.1054" in text
    assert "ln(1 - 0.2) = -0.2231" in text
    assert "-(-0.1054) - (-0.2231) = 0.3285" in text
    assert "-(-1.6094) = 1.6094" in text


def test_gan_at_equilibrium_is_log_4():
    sol = solve("gan", {"d_real": [0.5, 0.5], "d_fake": [0.5]})
    assert sol.answer["d_loss"] == pytest.approx(math.log(4), rel=1e-15)
    assert sol.answer["g_loss_minimax"] == pytest.approx(-math.log(2), rel=1e-15)
    assert sol.answer["g_loss_nonsaturating"] == pytest.approx(math.log(2), rel=1e-15)


def test_gan_batch_means_by_hand():
    sol = solve("gan", {"d_real": [0.9, 0.8], "d_fake": [0.2, 0.4, 0.1]})
    assert sol.answer["d_loss"] == pytest.approx(
        -(math.log(0.9) + math.log(0.8)) / 2 - (math.log(0.8) + math.log(0.6) + math.log(0.9)) / 3, rel=1e-14)
    assert "(ln 0.9 + ln 0.8)/2 = (-0.1054 - 0.2231)/2 = -0.1643" in "\n".join(sol.steps)


@SETTINGS
@given(PROBABILITIES, PROBABILITIES)
def test_gan_matches_the_formulas(real, fake):
    got = gan(np.array(real), np.array(fake)).answer
    mean = lambda v: sum(v) / len(v)  # noqa: E731
    assert got["d_loss"] == pytest.approx(-mean([math.log(p) for p in real]) - mean([math.log(1 - p) for p in fake]),
                                          rel=1e-9, abs=1e-12)
    assert got["g_loss_minimax"] == pytest.approx(mean([math.log(1 - p) for p in fake]), rel=1e-9, abs=1e-12)
    assert got["g_loss_nonsaturating"] == pytest.approx(-mean([math.log(p) for p in fake]), rel=1e-9, abs=1e-12)


# ---------------------------------------------------------------- bad params


@pytest.mark.parametrize(
    ("kind", "params", "field", "words"),
    [
        ("gan", {"d_real": [0.5, 1], "d_fake": 0.2}, "d_real",
         "entry [1] is 1, expected a probability strictly between 0 and 1"),
        ("gan", {"d_real": 0.5, "d_fake": 0}, "d_fake",
         "the value is 0, expected a probability strictly between 0 and 1"),
        ("gan", {"d_real": 0.5, "d_fake": [0.3, -0.25]}, "d_fake", "entry [1] is -0.25"),
        ("gan", {"d_real": 1.5, "d_fake": 0.5}, "d_real", "the value is 1.5"),
        ("vae", {"mu": [0.5, 1], "logvar": [0], "eps": [1, 1]}, "logvar",
         "expected shape (2,) like mu, got shape (1,)"),
        ("vae", {"mu": [0.5], "logvar": [0], "eps": 1}, "eps", "expected shape (1,) like mu, got a number"),
        ("vae", {"mu": 0.5, "logvar": [0, 0], "eps": [1, 1]}, "logvar", "expected a number like mu, got shape (2,)"),
        ("vae", {"mu": [0, 0], "logvar": [0, 800], "eps": [1, 1]}, "logvar", "entry [1] is 800"),
        ("vae", {"mu": [1e200], "logvar": [0], "eps": [1]}, "mu", "overflows"),
    ],
)
def test_bad_params_name_the_field(kind, params, field, words):
    error = fails(kind, params)
    assert error.field == field
    assert words in error.reason
