"""Drawing a family's parameters from a seeded numpy Generator.

A parameter is drawn by a table with one kind:
    { int = [lo, hi] }                     a whole number, lo and hi included
    { real = [lo, hi], dp = 1 }            a number with dp decimal places
    { choice = [...] }                     one of the values
    { shuffle = [...] }                    the values in a random order
    { sample = [...], k = 2 }              k different values, in drawn order
    { matrix = [rows, cols], int = [lo, hi] }, { vector = n, real = [lo, hi], dp = 1 },
    { tensor = [c, h, w], int = [lo, hi] } arrays of such entries
    { expr = "n - k + 1" }                 computed from earlier parameters
Modifiers: `exclude = [0]` (values never drawn), `nonzero = true` (same as exclude = [0]),
`distinct = true` (an array's entries all differ). Bounds and sizes may be expressions over
earlier parameters. Only `integers` and `permutation` of the Generator are used: their
streams are stable across platforms and NumPy versions.
"""

from __future__ import annotations

import math

import numpy as np

from ncquiz.bank.templating import BankTemplateError, expression, run


class DrawError(BankTemplateError):
    """A parameter cannot be drawn as specified (e.g. too few distinct values)."""


class Drawer:
    """Draws the parameters of one family; expressions are compiled once, and a parameter whose
    bounds and sizes are plain numbers gets its pool of values made once too."""

    def __init__(self, family_id: str, specs: dict):
        self.family_id = family_id
        self.specs = specs
        self._compiled: dict[tuple[str, str], object] = {}
        self._pools: dict[tuple, np.ndarray] = {}
        self._steps = [(name, self._fixed(name, spec) or self._general(name, spec)) for name, spec in specs.items()]

    def draw(self, rng: np.random.Generator, ctx: dict) -> None:
        """Draw every parameter in order into ctx."""
        for name, step in self._steps:
            ctx[name] = step(rng, ctx)

    def _general(self, name: str, spec: dict):
        return lambda rng, ctx: self._one(name, spec, rng, ctx)

    def _fixed(self, name: str, spec: dict):
        """A drawing function for a number or array whose bounds are literals, or None.

        Its pool of values is made once; sizes given by expressions are evaluated per draw. It
        consumes the generator exactly as `_one` does, so variants do not change.
        """
        if any(k in spec for k in ("expr", "choice", "shuffle", "sample")) or spec.get("distinct"):
            return None
        key = "int" if "int" in spec else "real"
        if key not in spec or any(isinstance(v, str) for v in spec[key]):
            return None
        try:
            pool, scale = self._pool(name, spec, {})
        except BankTemplateError:
            return None  # drawn the general way, which reports the problem each time
        dims = next(([spec[k]] if k == "vector" else spec[k] for k in ("matrix", "vector", "tensor") if k in spec), None)
        fixed_shape = dims is None or (isinstance(dims, list) and not any(isinstance(d, str) for d in dims))
        if fixed_shape:
            try:
                shape = self._shape(name, spec, {})
            except BankTemplateError:
                return None

        def step(rng, ctx):
            size = shape if fixed_shape else self._shape(name, spec, ctx)
            return _finish(_pick(rng, pool, math.prod(size) if size else 1), scale, size)

        return step

    def _value(self, name: str, key: str, raw, ctx: dict):
        """A number or list from the spec, evaluating it when it is an expression."""
        if not isinstance(raw, str):
            return raw
        compiled = self._compiled.get((name, key))
        if compiled is None:
            compiled = self._compiled[(name, key)] = expression(raw, f"params.{name}.{key}")
        return run(compiled, f"params.{name}.{key}", ctx)

    def _one(self, name: str, spec: dict, rng, ctx: dict):
        where = f"params.{name}"
        if "expr" in spec:
            return self._value(name, "expr", spec["expr"], ctx)
        if "choice" in spec:
            values = spec["choice"]
            return values[int(rng.integers(len(values)))]
        if "shuffle" in spec:
            values = spec["shuffle"]
            return [values[i] for i in rng.permutation(len(values))]
        if "sample" in spec:
            values, k = spec["sample"], int(self._value(name, "k", spec["k"], ctx))
            if k > len(values):
                raise DrawError(f"{where}: cannot sample {k} of {len(values)} values")
            return [values[i] for i in rng.permutation(len(values))[:k]]
        shape = self._shape(name, spec, ctx)
        pool, scale = self._pool(name, spec, ctx)
        count = math.prod(shape) if shape else 1
        if spec.get("distinct"):
            if count > len(pool):
                raise DrawError(f"{where}: {count} distinct values asked for, only {len(pool)} available")
            picks = pool[rng.permutation(len(pool))[:count]]
        else:
            picks = _pick(rng, pool, count)
        return _finish(picks, scale, shape)

    def _shape(self, name: str, spec: dict, ctx: dict):
        """The array shape of a matrix/vector/tensor parameter, or None for a single number."""
        for key, axes in (("matrix", 2), ("vector", 1), ("tensor", None)):
            if key in spec:
                raw = spec[key]
                dims = [raw] if key == "vector" else raw
                if not isinstance(dims, list) or (axes and len(dims) != axes):
                    raise DrawError(f"params.{name}.{key}: expected {'a size' if axes == 1 else 'a list of sizes'}")
                shape = tuple(int(self._value(name, f"{key}[{i}]", d, ctx)) for i, d in enumerate(dims))
                if any(n < 1 or n > 64 for n in shape):
                    raise DrawError(f"params.{name}.{key}: sizes must be from 1 to 64, got {shape}")
                return shape
        return None

    def _pool(self, name: str, spec: dict, ctx: dict):
        """The values an entry can take, as integers, and the scale dividing them (10**dp for reals)."""
        key = "int" if "int" in spec else "real"
        lo, hi = (self._value(name, f"{key}[{i}]", v, ctx) for i, v in enumerate(spec[key]))
        scale = 1 if key == "int" else 10 ** int(spec["dp"])
        lo_i, hi_i = int(round(float(lo) * scale)), int(round(float(hi) * scale))
        if hi_i < lo_i or hi_i - lo_i > 10**6:
            raise DrawError(f"params.{name}.{key}: expected low <= high within a million steps, got [{lo}, {hi}]")
        key = (name, lo_i, hi_i)
        pool = self._pools.get(key)
        if pool is None:
            excluded = {round(float(v) * scale) for v in [*spec.get("exclude", []), *([0] if spec.get("nonzero") else [])]}
            pool = self._pools[key] = np.array([v for v in range(lo_i, hi_i + 1) if v not in excluded], dtype=np.int64)
        if not len(pool):
            raise DrawError(f"params.{name}: every value in [{lo}, {hi}] is excluded")
        return pool, scale


def _pick(rng, pool: np.ndarray, count: int) -> np.ndarray:
    """count entries of the pool, uniformly and with replacement."""
    if pool[-1] - pool[0] + 1 == len(pool):  # a whole range: no index through the pool needed
        return rng.integers(pool[0], pool[-1] + 1, size=count)
    return pool[rng.integers(0, len(pool), size=count)]


def _finish(picks: np.ndarray, scale: int, shape):
    """Drawn pool entries as the parameter's value: whole numbers, or k / 10**dp for reals (that double
    is what np.round(..., dp) would return); a single number when shape is None."""
    values = picks.astype(np.int64) if scale == 1 else picks / scale
    if shape is None:
        return int(values[0]) if scale == 1 else float(values[0])
    return values.reshape(shape)
