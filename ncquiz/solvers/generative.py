"""Generative models: the VAE reparameterisation and KL term, and the GAN losses.

GAN losses use natural logarithms and batch means, as torch.nn.functional.binary_cross_entropy
with reduction="mean".
"""

from __future__ import annotations

import math

import numpy as np

from ncquiz.errors import ParamError
from ncquiz.solvers import Solution, fmt
from ncquiz.solvers.steps import SHOWN, num, paren, terms

MAX_LOGVAR = math.log(np.finfo(np.float64).max)
"""Largest log-variance whose exp(logvar) is a finite float64 (about 709.78)."""


# ---------------------------------------------------------------- mathematics


def reparameterise(mu: np.ndarray, logvar: np.ndarray, eps: np.ndarray):
    """sigma = exp(logvar/2) and the sample z = mu + sigma*eps."""
    sigma = np.exp(logvar / 2)
    return sigma, mu + sigma * eps


def kl_divergence(mu: np.ndarray, logvar: np.ndarray) -> float:
    """KL(N(mu, sigma^2) || N(0, 1)) summed over components: -1/2 sum(1 + logvar - mu^2 - exp(logvar)).

    Computed as 1/2 sum(mu^2 + (expm1(logvar) - logvar)): the same sum without the cancellation
    in 1 + logvar - exp(logvar), so it stays accurate near the prior (and never negative).
    """
    return 0.5 * float((mu**2 + (np.expm1(logvar) - logvar)).sum())


def log_means(d_real: np.ndarray, d_fake: np.ndarray) -> tuple[float, float, float]:
    """mean log D(x), mean log D(G(z)) and mean log(1 - D(G(z))) (natural log)."""
    return float(np.log(d_real).mean()), float(np.log(d_fake).mean()), float(np.log1p(-d_fake).mean())


def gan_losses(log_real: float, log_fake: float, log_not_fake: float) -> dict:
    """Discriminator loss and the minimax and non-saturating generator losses from the mean logs."""
    return {"d_loss": -log_real - log_not_fake, "g_loss_minimax": log_not_fake, "g_loss_nonsaturating": -log_fake}


# ---------------------------------------------------------------- vae


def vae(mu, logvar, eps) -> Solution:
    """VAE reparameterisation z = mu + exp(logvar/2)*eps and the KL term against N(0, I)."""
    for name, a in (("logvar", logvar), ("eps", eps)):
        if a.shape != mu.shape:
            raise ParamError(name, f"expected {_shape(mu)} like mu, got {_shape(a)}")
    if logvar.max() > MAX_LOGVAR:
        raise ParamError("logvar", f"{_where(logvar, np.argmax(logvar))} is {num(logvar.max())}: exp(logvar) "
                                   f"overflows float64 above {num(MAX_LOGVAR, 2)}")
    with np.errstate(over="ignore"):
        sigma, z = reparameterise(mu, logvar, eps)
        kl = kl_divergence(mu, logvar)
        mu_overflows = not math.isfinite(kl) and not np.isfinite((mu**2).sum())
    if not math.isfinite(kl):
        raise ParamError("mu" if mu_overflows else "logvar", "values too large: the KL term overflows float64")
    if not np.isfinite(z).all():
        raise ParamError("eps", "values too large: z = mu + sigma*eps overflows float64")
    return Solution({"sigma": sigma, "z": z, "kl": kl}, lambda: _vae_steps(mu, logvar, eps, sigma, z, kl))


def _vae_steps(mu, logvar, eps, sigma, z, kl) -> tuple[str, ...]:
    """sigma and z component by component, then the KL sum term by term."""
    n = mu.size
    m, lv, e, s, zz = (a.ravel()[:SHOWN].tolist() for a in (mu, logvar, eps, sigma, z))
    m_t, lv_t, s_t = fmt.nums(m), fmt.nums(lv), fmt.nums(s)
    m_p, lv_p = fmt.pars(m_t), fmt.pars(lv_t)
    more = ", ..." if n > SHOWN else ""
    sig = ", ".join([f"exp({v}/2) = {w}" for v, w in zip(lv_t, s_t)])
    zs = ", ".join([f"{a} + {w}*{b} = {y}" for a, w, b, y in zip(m_t, s_t, fmt.pars(fmt.nums(e)), fmt.nums(zz))])
    with np.errstate(over="ignore"):
        terms_all = 1 + logvar - mu**2 - np.exp(logvar)
    total = float(terms_all.sum())
    shown = terms_all.ravel()[:SHOWN].tolist()
    lines = [f"{'' if mu.ndim == 0 else f'[{i}] '}1 + {v_p} - {a_p}^2 - exp({v_t})"
             f" = {terms([1.0, v, -a * a, -math.exp(v)])} = {num(t)}"
             for i, (a, a_p, v, v_p, v_t, t) in enumerate(zip(m, m_p, lv, lv_p, lv_t, shown))]
    if n > SHOWN:
        lines.append(f"... and likewise for the remaining {n - SHOWN} components")
        added = f"sum of the {n} terms = {num(total)}"
    else:
        added = f"sum = {terms(terms_all.ravel().tolist())} = {num(total)}" if n > 1 else f"sum = {num(total)}"
    return (
        f"sigma = exp(logvar/2): {sig}{more}",
        f"z = mu + sigma*eps: {zs}{more}",
        "KL = -1/2 * sum(1 + logvar - mu^2 - exp(logvar)), term by term:\n  " + "\n  ".join(lines),
        added,
        f"KL = -1/2 * {paren(total)} = {num(kl)}",
    )


# ---------------------------------------------------------------- gan


def gan(d_real, d_fake) -> Solution:
    """GAN discriminator loss and minimax / non-saturating generator losses (natural log, batch means)."""
    _check_probabilities("d_real", d_real)
    _check_probabilities("d_fake", d_fake)
    means = log_means(d_real, d_fake)
    answer = gan_losses(*means)
    return Solution(answer, lambda: _gan_steps(d_real, d_fake, means, answer))


def _check_probabilities(field: str, p: np.ndarray) -> None:
    """Refuse a discriminator output that is not strictly between 0 and 1 (its log would be infinite)."""
    values = p.ravel().tolist()
    if 0 < min(values) and max(values) < 1:  # the common case, without four NumPy calls
        return
    bad = np.flatnonzero((p <= 0) | (p >= 1))
    if bad.size:
        v = float(p.ravel()[bad[0]])
        text = str(int(v)) if v.is_integer() else repr(v)
        raise ParamError(field, f"{_where(p, bad[0])} is {text}, expected a probability strictly between 0 and 1")


def _gan_steps(d_real, d_fake, means, answer) -> tuple[str, ...]:
    """The three mean logs with their terms, then each loss from them."""
    log_real, log_fake, log_not_fake = means
    return (
        f"Natural logs, averaged over the batch ({d_real.size} real and {d_fake.size} generated outputs).",
        "mean log D(x) = " + _mean("ln {}", d_real, math.log, log_real),
        "mean log(1 - D(G(z))) = " + _mean("ln(1 - {})", d_fake, lambda v: math.log1p(-v), log_not_fake),
        "mean log D(G(z)) = " + _mean("ln {}", d_fake, math.log, log_fake),
        f"d_loss = -mean log D(x) - mean log(1 - D(G(z))) = -{paren(log_real)} - {paren(log_not_fake)}"
        f" = {num(answer['d_loss'])}",
        f"g_loss_minimax = mean log(1 - D(G(z))) = {num(answer['g_loss_minimax'])} (the generator minimises "
        "it; its gradient vanishes when D(G(z)) is near 0)",
        f"g_loss_nonsaturating = -mean log D(G(z)) = -{paren(log_fake)} = {num(answer['g_loss_nonsaturating'])}",
    )


def _mean(name: str, d: np.ndarray, log, mean: float) -> str:
    """'ln 0.9 = -0.1054', or '(ln a + ln b)/2 = (-0.1 - 0.2)/2 = -0.15' for a batch (first few terms)."""
    n, values = d.size, d.ravel()[:SHOWN].tolist()
    names = " + ".join(map(name.format, fmt.nums(values)))
    logs = terms([log(v) for v in values])
    if n == 1:
        return f"{names} = {num(mean)}"
    if n <= SHOWN:
        return f"({names})/{n} = ({logs})/{n} = {num(mean)}"
    return f"({names} + ...)/{n} = ({logs} + ...)/{n} = {num(mean * n)}/{n} = {num(mean)}"


# ---------------------------------------------------------------- writing steps


def _shape(a: np.ndarray) -> str:
    """'a number' or 'shape (3,)', for messages."""
    return "a number" if a.ndim == 0 else f"shape ({a.shape[0]},)"


def _where(a: np.ndarray, flat: int) -> str:
    """'the value' of a number, 'entry [i]' of a vector."""
    return "the value" if a.ndim == 0 else f"entry [{flat}]"
