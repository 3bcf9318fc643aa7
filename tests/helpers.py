"""Shared test helpers."""

import numpy as np
import pytest

from ncquiz.errors import ParamError
from ncquiz.solvers import solve


def fails(kind: str, params: dict) -> ParamError:
    """The ParamError `solve(kind, params)` raises (the test fails if there is none); its message is one line."""
    with pytest.raises(ParamError) as err:
        solve(kind, params)
    assert "\n" not in str(err.value)
    return err.value


def typed(part) -> str:
    """A part's reference answer as a student types it on one line (to its rule's decimal places)."""
    if part.type in ("choice", "multi"):
        return ", ".join(part.correct)
    if part.type == "text":
        return part.model_answer.replace("\n", " ")
    if part.type == "shape":
        return "x".join(map(str, part.answer))
    a = np.asarray(part.answer, dtype=float)
    fmt = (lambda x: f"{x:.{part.rule.value}f}") if part.rule and part.rule.kind == "dp" else repr
    if a.ndim == 0:
        return fmt(float(a))
    if a.ndim == 1:
        return " ".join(fmt(float(x)) for x in a)
    if a.ndim == 2:
        return "; ".join(" ".join(fmt(float(x)) for x in row) for row in a)
    return repr(a.tolist())
