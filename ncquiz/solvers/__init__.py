"""Reference solvers: pure NumPy functions returning an answer and its worked steps.

`solve(kind, params)` checks raw parameters against `spec.KINDS` and calls the kind's
function. This package module imports no NumPy itself, so `spec` stays cheap to load.
"""

from __future__ import annotations

import functools
import importlib


class Solution:
    """A solver's result: the answer (array, number or dict of them) and the worked steps (strings).

    Solvers may pass the steps as a function: they are then written only when first read, so
    callers that need only the answer (marking, checks inside question families) skip them.
    """

    __slots__ = ("answer", "_steps")

    def __init__(self, answer, steps=()):
        self.answer = answer
        self._steps = steps

    @property
    def steps(self) -> tuple[str, ...]:
        if callable(self._steps):
            self._steps = tuple(self._steps())
        return self._steps

    def __iter__(self):  # answer, steps = solution
        return iter((self.answer, self.steps))


@functools.lru_cache(maxsize=None)
def solver_function(kind_name: str):
    """The Python function behind a kind (raises KeyError for an unknown kind); looked up once."""
    from ncquiz.solvers.spec import KINDS

    module, _, func = KINDS[kind_name].func.partition(":")
    return getattr(importlib.import_module(module), func)


def solve(kind_name: str, params: dict) -> Solution:
    """Check `params` (JSON-like values) for `kind_name` and solve; raises ParamError."""
    from ncquiz.solvers.params import coerce
    from ncquiz.solvers.spec import KINDS

    return solver_function(kind_name)(**coerce(KINDS[kind_name], params))


def to_json(value):
    """Plain JSON values: arrays become nested lists of floats; ints stay ints; -0.0 becomes 0.0."""
    import numpy as np

    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "iu":
            return value.tolist()
        return (value.astype(np.float64) + 0.0).tolist()
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) + 0.0
    return value
