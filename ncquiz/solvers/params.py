"""Check and convert raw (JSON-like) solver parameters into the values solvers receive.

Every problem raises ParamError naming the field and what was expected; nothing here
ever turns a string into a number (so "NaN" or "1e999" written as a string is refused).
"""

from __future__ import annotations

import difflib
import math
from itertools import chain
from numbers import Real

import numpy as np

from ncquiz.errors import ParamError
from ncquiz.solvers.spec import MAX_ELEMENTS, Kind, Param


def coerce(kind: Kind, raw: dict) -> dict:
    """Return the checked keyword arguments of `kind`'s solver for the raw params."""
    if not isinstance(raw, dict):
        raise ParamError("params", f"expected a JSON object, got {_describe(raw)}")
    names, known, plan = _plan(kind)
    for key in raw:
        if key not in known:
            close = difflib.get_close_matches(str(key).replace("-", "_"), names, n=1)
            hint = f"; did you mean {close[0]}?" if close else f"; {kind.name} takes {', '.join(names)}"
            raise ParamError(str(key), f"unknown parameter for {kind.name}{hint}")
    out = {}
    for name, p, ndims, required, default in plan:
        if name in raw:
            out[name] = convert(p, raw[name]) if ndims is None else as_array(name, raw[name], ndims)
        elif required:
            need = ", ".join(q.name for q in kind.params if q.required)
            raise ParamError(name, f"missing; {kind.name} needs {need}")
        else:
            out[name] = default
    return out


_PLANS: dict[str, tuple] = {}


def _plan(kind: Kind) -> tuple[list[str], frozenset, tuple]:
    """What `coerce` needs of a kind, worked out once: its parameter names, as a list and a set, and per
    parameter (name, Param, ndims if an array else None, required, default already converted).

    Array defaults are made read-only, as every call shares them.
    """
    plan = _PLANS.get(kind.name)
    if plan is None or plan[0] is not kind:
        rows = []
        for p in kind.params:
            default = None if p.required or p.default is None else convert(p, p.default)
            if isinstance(default, np.ndarray):
                default.flags.writeable = False
            rows.append((p.name, p, p.ndims if p.type == "array" else None, p.required, default))
        names = [p.name for p in kind.params]
        plan = _PLANS[kind.name] = (kind, names, frozenset(names), tuple(rows))
    return plan[1], plan[2], plan[3]


def convert(p: Param, value):
    """Check one value against its parameter and return it converted."""
    if p.type == "array":
        return as_array(p.name, value, p.ndims)
    if p.type == "int":
        return as_int(p.name, value, p.minimum)
    if p.type == "pair":
        return as_pair(p.name, value, p.minimum)
    if p.type == "number":
        x = as_number(p.name, value)
        if p.minimum is not None and x < p.minimum:
            raise ParamError(p.name, f"expected a number >= {_fmt(p.minimum)}, got {_fmt(x)}")
        return x
    if p.type == "bool":
        if isinstance(value, bool):
            return value
        raise ParamError(p.name, f"expected true or false, got {_describe(value)}")
    if p.type == "choice":
        if isinstance(value, str):
            v = value.strip().lower().replace("_", "-")
            if v in p.choices:
                return v
        raise ParamError(p.name, f"expected one of {', '.join(p.choices)}, got {_describe(value)}")
    if p.type == "shape":
        if not isinstance(value, (list, tuple)) or len(value) != 3:
            raise ParamError(p.name, f"expected a shape [H, W, C] of 3 whole numbers, got {_describe(value)}")
        return tuple(as_int(f"{p.name}[{i}]", v, 1) for i, v in enumerate(value))
    if p.type == "strings":
        if not isinstance(value, (list, tuple)) or not value:
            raise ParamError(p.name, f"expected a non-empty list of strings, got {_describe(value)}")
        for i, v in enumerate(value):
            if not isinstance(v, str):
                raise ParamError(f"{p.name}[{i}]", f"expected a string, got {_describe(v)}")
        return tuple(value)
    if p.type == "range":
        if not isinstance(value, (list, tuple)) or len(value) != 2:
            raise ParamError(p.name, f"expected [low, high], got {_describe(value)}")
        lo, hi = (as_number(f"{p.name}[{i}]", v) for i, v in enumerate(value))
        if not lo < hi:
            raise ParamError(p.name, f"expected low < high, got [{_fmt(lo)}, {_fmt(hi)}]")
        return (lo, hi)
    raise AssertionError(f"unknown parameter type {p.type!r}")  # a bug in spec.py, not bad input


def _real(value) -> float | None:
    """The value as a float (inf when too large for one), or None when it is not a real number (bools are not)."""
    if type(value) not in _PLAIN_NUMBERS and (isinstance(value, bool) or not isinstance(value, Real)):
        return None
    try:
        return float(value)
    except OverflowError:
        return math.inf


def as_number(field: str, value) -> float:
    """A finite real number (bools and strings are refused)."""
    x = _real(value)
    if x is None:
        raise ParamError(field, f"expected a number, got {_describe(value)}")
    if not math.isfinite(x):
        raise ParamError(field, f"expected a finite number, got {_describe(value)}")
    return x


def as_int(field: str, value, minimum=None) -> int:
    """A whole number (2.0 is accepted as 2) not below minimum."""
    if type(value) is int and -MAX_ELEMENTS <= value <= MAX_ELEMENTS and (minimum is None or value >= minimum):
        return value  # the common case: what the checks below would return
    x = as_number(field, value)
    if x != int(x):
        raise ParamError(field, f"expected a whole number, got {_fmt(x)}")
    n = int(x)
    if minimum is not None and n < minimum:
        raise ParamError(field, f"expected a whole number >= {_fmt(minimum)}, got {n}")
    if abs(n) > MAX_ELEMENTS:
        raise ParamError(field, f"{n} is too large (at most {MAX_ELEMENTS})")
    return n


def as_pair(field: str, value, minimum=None) -> tuple[int, int]:
    """A whole number, or [rows, cols], returned as (rows, cols)."""
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ParamError(field, f"expected a whole number or [rows, cols], got {_describe(value)}")
        return (as_int(field, value[0], minimum), as_int(field, value[1], minimum))
    n = as_int(field, value, minimum)
    return (n, n)


def as_array(field: str, value, ndims=None) -> np.ndarray:
    """A float64 array from a number or nested lists: rectangular, numeric, finite, not too big."""
    if isinstance(value, np.ndarray):  # from the question generator: already rectangular
        return _checked_ndarray(field, value, ndims)
    plain = _plain_array(value)
    if plain is not None and (ndims is None or plain.ndim in ndims):
        return plain
    shape = []
    level = [value]
    while level and isinstance(level[0], (list, tuple)):
        n = len(level[0])
        for i, item in enumerate(level):
            if not isinstance(item, (list, tuple)) or len(item) != n:
                raise ParamError(field, f"ragged array: {_where(shape, i)} should be a list of {n} entries, got {_describe(item)}")
        if n == 0:
            raise ParamError(field, "empty array")
        shape.append(n)
        if len(level) * n > MAX_ELEMENTS:
            raise ParamError(field, f"too large: more than {MAX_ELEMENTS:,} elements")
        level = [x for item in level for x in item]
    for i, x in enumerate(level):
        if isinstance(x, (list, tuple)):
            raise ParamError(field, f"ragged array: {_where(shape, i)} is a list where a number was expected")
        fx = _real(x)
        if fx is None:
            raise ParamError(field, f"{_where(shape, i)} is {_describe(x)}, expected a number")
        if not math.isfinite(fx):
            raise ParamError(field, f"{_where(shape, i)} is {_describe(x)}, expected a finite number")
    if ndims is not None and len(shape) not in ndims:
        want = " or ".join(_ndim_name(d) for d in ndims)
        raise ParamError(field, f"expected {want}, got {_ndim_name(len(shape))} of shape {_shape(shape)}")
    return np.array(level, dtype=np.float64).reshape(shape)


_PLAIN_NUMBERS = {int, float}
"""Entry types `_plain_array` takes as they are (not bool, not NumPy scalars: the careful walk judges those)."""


def _plain_array(value) -> np.ndarray | None:
    """The common case quickly: a number or rectangular nested lists of finite ints and floats, not too big.

    None for anything else (ragged, empty, tuples, other types, NaN or infinity, too large); the
    careful walk in `as_array` then accepts it or says exactly what is wrong.
    """
    try:  # math.isfinite of an int too large for a float, or sum with one, raises OverflowError
        if type(value) is not list:
            if type(value) in _PLAIN_NUMBERS and math.isfinite(value):
                return np.array(value, dtype=np.float64)
            return None
        if not value or len(value) > MAX_ELEMENTS:
            return None
        level, shape = value, [len(value)]
        while type(level[0]) is list:
            n = len(level[0])
            if not n or len(level) * n > MAX_ELEMENTS:
                return None
            if set(map(type, level)) != {list} or set(map(len, level)) != {n}:
                return None
            shape.append(n)
            level = list(chain.from_iterable(level))
        # a sum is finite only when every term is (inf and NaN propagate); one that overflows takes the careful walk
        if not set(map(type, level)) <= _PLAIN_NUMBERS or not math.isfinite(sum(level)):
            return None
    except OverflowError:
        return None
    a = np.array(level, dtype=np.float64)
    return a if len(shape) == 1 else a.reshape(tuple(shape))


def _checked_ndarray(field: str, value: np.ndarray, ndims) -> np.ndarray:
    if value.dtype.kind not in "iuf":
        raise ParamError(field, f"expected numbers, got an array of {value.dtype}")
    if value.size > MAX_ELEMENTS:
        raise ParamError(field, f"too large: more than {MAX_ELEMENTS:,} elements")
    if value.size == 0:
        raise ParamError(field, "empty array")
    out = value.astype(np.float64)
    if value.dtype.kind == "f" and not _all_finite(out):  # whole numbers are always finite
        raise ParamError(field, "expected finite numbers, got NaN or infinity")
    if ndims is not None and out.ndim not in ndims:
        want = " or ".join(_ndim_name(d) for d in ndims)
        raise ParamError(field, f"expected {want}, got {_ndim_name(out.ndim)} of shape {_shape(out.shape)}")
    return out


def _all_finite(a: np.ndarray) -> bool:
    """No NaN or infinity in a (a float64 array)."""
    # A small array's Python sum is quicker than np.isfinite: it is finite only when every term is
    # (inf and NaN propagate); a finite sum that overflows is checked exactly.
    if a.size <= 64 and math.isfinite(sum(a.ravel().tolist())):
        return True
    return bool(np.isfinite(a).all())


def _ndim_name(d: int) -> str:
    return {0: "a number", 1: "a vector", 2: "a matrix"}.get(d, f"a {d}-D array")


def _shape(shape) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def _where(shape, flat: int) -> str:
    """The position [i][j]... of the flat-th item at the depth below `shape`."""
    if not shape:
        return "the value"
    idx = []
    for n in reversed(shape):
        idx.append(flat % n)
        flat //= n
    return "entry " + "".join(f"[{i}]" for i in reversed(idx))


def _describe(value) -> str:
    if isinstance(value, str):
        s = value if len(value) <= 20 else value[:17] + "..."
        return f'the string "{s}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)}"
    if isinstance(value, float):
        return _fmt(value)
    text = repr(value)
    return text if len(text) <= 20 else text[:17] + "..."


def _fmt(x) -> str:
    if isinstance(x, float) and x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    return repr(x) if isinstance(x, float) else str(x)
