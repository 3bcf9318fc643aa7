"""The sandboxed jinja2 environment in which bank templates and expressions run.

Bank files may come from an instructor (`--bank DIR`), so nothing in them may run code:
templates are rendered by jinja2's immutable sandbox and expressions are translated by
`expr` with the same checks (or, where it cannot, evaluated by the sandbox), undefined names are
errors, NumPy arrays expose only a short list of harmless attributes, and operators that
could exhaust memory or time (`9**9**9`, `"x" * 10**9`) are refused.

Templates write matrices with the `matrix` filter, which leaves a marker in the text; the
renderer of each format (plain text, terminal, documents) turns markers into grids.
"""

from __future__ import annotations

import math
import re

import numpy as np
from jinja2 import StrictUndefined, Template, TemplateError, UndefinedError, pass_context
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.utils import missing

from ncquiz.bank.expr import compile_expression
from ncquiz.errors import NcquizError
from ncquiz.solvers import fmt

MARK = "\x00"
"""Marker delimiter: a matrix in rendered text is MARK + index + MARK."""

_MARKER = re.compile("\x00(\\d+)\x00")

ARRAY_ATTRIBUTES = frozenset(
    {"shape", "ndim", "size", "T", "tolist", "sum", "min", "max", "mean", "std", "flatten", "ravel",
     "reshape", "round", "any", "all", "argmax", "argmin", "copy", "astype", "item", "dtype", "real"}
)
"""The only attributes of a NumPy array or scalar that a bank expression may use."""

MAX_POWER = 64
MAX_REPEAT = 10_000


class BankTemplateError(NcquizError):
    """A template or expression failed; the message starts with the field ('parts.a.prompt: ...')."""

    @property
    def field(self) -> str:
        return str(self).partition(": ")[0]

    @property
    def reason(self) -> str:
        return str(self).partition(": ")[2]


MAX_SIZE = 1_000_000
"""The most entries (or characters) an operator or function of a bank may make at once."""


class _Env(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"**", "*", "%"})

    def is_safe_attribute(self, obj, attr, value):
        if isinstance(obj, (np.ndarray, np.generic)):
            return attr in ARRAY_ATTRIBUTES
        if type(obj).__module__.startswith("numpy"):  # ufuncs, generators, ...: nothing
            return False
        return super().is_safe_attribute(obj, attr, value)

    def getattr(self, obj, attribute):
        if attribute == "astype" and isinstance(obj, (np.ndarray, np.generic)):
            return array_attribute(obj, attribute)
        return super().getattr(obj, attribute)

    def call_binop(self, context, operator, left, right):
        return bounded_binop(operator, left, right)

    def wrap_str_format(self, value):
        wrapped = super().wrap_str_format(value)  # str.format made safe by jinja2; here also bounded
        if wrapped is not None and _WIDE_FORMAT.search(value.__self__):
            def refuse(*args, **kwargs):
                raise SecurityError("refused: a format field that is nested or wider than 9999")
            return refuse
        return wrapped


_WIDE_FORMAT = re.compile(r"\{[^{}]*(\{|\d{5,})")
_WIDE_PERCENT = re.compile(r"%[^a-zA-Z%]*(\*|\d{5,})")


def bounded_binop(operator: str, left, right):
    """`**`, `*` or `%` as Python computes them, refusing results too large to compute or hold:
    huge powers, long repetitions of a string or list, strings inside arrays repeated, and
    %-formatting with huge or `*` widths."""
    if operator == "**":
        if _too_big(right, MAX_POWER) or (_too_big(left, 10**6) and _too_big(right, 1)):
            raise SecurityError(f"refused: {left!r} ** {right!r} is too large to compute")
        return left**right
    if operator == "%":
        if isinstance(left, str) and _WIDE_PERCENT.search(left):
            raise SecurityError("refused: a %-format wider than 9999 or with a * width")
        return left % right
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, (str, list, tuple)) and (_too_big(count, MAX_REPEAT) or
                                                    _too_big(len(seq) * _as_count(count), MAX_SIZE)):
            raise SecurityError("refused: repeating a string or list that many times")
        if isinstance(seq, np.ndarray) and seq.dtype.kind in "OUSV":
            raise SecurityError("refused: multiplying an array of strings or objects")
    return left * right


def _as_count(x) -> int:
    try:
        return int(x)
    except (TypeError, ValueError, OverflowError):
        return 0


def array_attribute(obj, attr: str):
    """A whitelisted attribute of a NumPy array or scalar; `astype` converts to numbers only."""
    value = getattr(obj, attr)
    if attr != "astype":
        return value

    def astype(dtype, *args, **kwargs):
        return value(_number_type(dtype, "astype"), *args, **kwargs)

    return astype


def _too_big(x, limit) -> bool:
    """Whether a number (or any entry of an array) exceeds limit in size."""
    if isinstance(x, (int, float)):
        return abs(x) > limit
    try:
        return bool(np.any(np.abs(np.asarray(x, dtype=float)) > limit))
    except (TypeError, ValueError):
        return False


# ---------------------------------------------------------------- filters


@pass_context
def _matrix(context, value) -> str:
    """Leave a marker for a displayed matrix (or vector) and remember the array."""
    blocks = context.get("_blocks")
    if blocks is None:  # rendering outside a question (e.g. bank check): plain text
        return "\n" + fmt.grid(np.asarray(value, dtype=float)) + "\n"
    blocks.append(np.asarray(value))
    return f"{MARK}{len(blocks) - 1}{MARK}"


def _vec(value, dp: int | None = None) -> str:
    a = np.asarray(value, dtype=float)
    return fmt.vec(a) if dp is None else fmt.vec(np.round(a, dp), dp)


def _num(value, dp: int | None = None) -> str:
    return fmt.num(value) if dp is None else fmt.num(round(float(value), dp), dp)


def _shape(value) -> str:
    return " x ".join(str(int(v)) for v in np.ravel(value))


def _signed(value) -> str:
    """'+ 3' or '- 3', for writing a term after another."""
    text = fmt.num(abs(float(value)))
    return f"- {text}" if float(value) < 0 else f"+ {text}"


def _plural(n, word: str, many: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"


# ---------------------------------------------------------------- functions


def _solve(kind: str, **params):
    """The answer of a reference solver (its steps are not kept)."""
    from ncquiz.solvers import solve

    return solve(kind, params).answer


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def _all_distinct(a) -> bool:
    flat = np.ravel(a)
    return len(np.unique(flat)) == flat.size


def _window_ties(a, size: int, stride: int | None = None) -> bool:
    """True when some max-pooling window of a (H, W) array has its maximum more than once."""
    a = np.asarray(a)
    stride = stride or size
    for i in range(0, a.shape[0] - size + 1, stride):
        for j in range(0, a.shape[1] - size + 1, stride):
            w = a[i : i + size, j : j + size]
            if np.count_nonzero(w == w.max()) > 1:
                return True
    return False


def _number_type(dtype, where: str = "array"):
    """dtype, if it is None or a number type (a string or object type could exhaust memory)."""
    if dtype is not None and np.dtype(dtype).kind not in "biuf":
        raise SecurityError(f"refused: {where}(..., dtype={dtype!r}); only number types")
    return dtype


def _refuse(what: str):
    raise SecurityError(f"refused: {what}")


def _bounded_shape(shape: tuple) -> tuple:
    if math.prod(int(n) for n in shape) > MAX_REPEAT:
        raise SecurityError(f"refused: an array of shape {shape} (at most {MAX_REPEAT} entries)")
    return shape


def _range(*args):
    r = range(*args)
    if len(r) > MAX_REPEAT:
        raise SecurityError(f"refused: a range of {len(r)} items (at most {MAX_REPEAT})")
    return r


FUNCTIONS = {
    "range": _range,
    "floor": math.floor,
    "ceil": math.ceil,
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
    "relu": lambda x: np.maximum(x, 0.0),
    "abs": np.abs,
    "round": np.round,
    "min": np.min,
    "max": np.max,
    "sum": np.sum,
    "prod": np.prod,
    "mean": np.mean,
    "std": np.std,
    "dot": np.dot,
    "outer": lambda a, b: np.outer(a, b) if np.size(a) * np.size(b) <= MAX_SIZE else _refuse("an outer product that large"),
    "array": lambda value, dtype=None: np.asarray(value, dtype=_number_type(dtype)),
    "concat": lambda *xs: np.concatenate([np.ravel(x) for x in xs]),
    "zeros": lambda *shape: np.zeros(_bounded_shape(shape)),
    "rot180": lambda a: np.asarray(a)[..., ::-1, ::-1],
    "len": len,
    "int": int,
    "float": float,
    "solve": _solve,
    "all_distinct": _all_distinct,
    "window_ties": _window_ties,
    "count_nonzero": np.count_nonzero,
}

ENV = _Env(undefined=StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True,
           keep_trailing_newline=False)
ENV.filters.update(matrix=_matrix, vec=_vec, num=_num, shape=_shape, signed=_signed, plural=_plural)
ENV.globals.clear()  # jinja2's own (namespace, dict, cycler, ...) are not for banks: namespace() can fake
ENV.globals.update(FUNCTIONS)  # an object numpy reads as raw memory


class Static(str):
    """A template without any jinja2 syntax: its text, as jinja2 renders it (one trailing newline dropped)."""


def template(source: str, where: str):
    """Compile a template (plain text stays text); a syntax error names `where` and the line."""
    if not any(c in source for c in "{}\r"):
        return Static(source.removesuffix("\n"))
    try:
        return ENV.from_string(source)
    except TemplateError as exc:
        line = f", line {exc.lineno}" if getattr(exc, "lineno", None) else ""
        raise BankTemplateError(f"{where}: template syntax error{line}: {exc.message}") from None
    except (SyntaxError, ValueError, TypeError, RecursionError) as exc:  # jinja2 compiled it to invalid Python
        raise BankTemplateError(f"{where}: template syntax error: {type(exc).__name__}: {exc}") from None


def expression(source, where: str):
    """Compile an expression into a function of a Scope; a literal stays itself.

    Most expressions are translated to Python by `expr.compile_expression` (same meaning, the
    sandbox's checks made inline); what it does not translate is evaluated by jinja2's sandbox.
    """
    if not isinstance(source, str):
        return lambda scope: source  # a literal number, list or table
    fast = _fast_expression(source.strip())
    if fast is not None:
        return fast
    try:
        translated = compile_expression(source, ENV, FUNCTIONS.values())
    except (TemplateError, SyntaxError, RecursionError, MemoryError, ValueError, TypeError):
        translated = None  # too deep for Python's compiler, or not jinja2: the sandbox decides (and reports)
    return translated if translated is not None else sandboxed_expression(source, where)


def sandboxed_expression(source: str, where: str):
    """An expression evaluated by jinja2's sandbox itself (for what `expr` does not translate)."""
    try:
        compiled = ENV.compile_expression(source, undefined_to_none=False)
    except MemoryError:
        raise BankTemplateError(f"{where}: the expression is too long or too deep to read") from None
    except TemplateError as exc:
        raise BankTemplateError(f"{where}: cannot read the expression {source!r}: {exc.message}") from None
    except (SyntaxError, ValueError, TypeError, RecursionError) as exc:  # jinja2 compiled it to invalid Python
        raise BankTemplateError(f"{where}: cannot read the expression {source!r}: {type(exc).__name__}") from None
    render = compiled._template.root_render_func  # run directly in the scope's reused context: see Scope

    def evaluate(scope):
        context = scope.jinja
        for _ in render(context):
            pass
        return context.vars.pop("result")

    return evaluate


_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CONSTANTS = {"true": True, "false": False, "True": True, "False": False, "none": None, "None": None}


def _fast_expression(source: str):
    """Most bank expressions are a bare name, a number or a quoted word: evaluated without jinja2.

    Same meaning as jinja2 gives them: a name is looked up in the scope (undefined is an error),
    `true`/`false` are booleans, numbers are numbers, '...' is a string.
    """
    if source in _CONSTANTS:
        value = _CONSTANTS[source]
        return lambda scope: value
    if _NAME.match(source) and not source.startswith("_"):
        def lookup(scope):
            value = scope.jinja.vars.get(source, missing) if scope.jinja.vars else missing
            if value is missing:
                value = scope.get(source, missing)
                if value is missing:
                    raise UndefinedError(f"'{source}' is undefined")
            return value
        return lookup
    if re.match(r"^-?\d+(\.\d+)?$", source):
        value = float(source) if "." in source else int(source)
        return lambda scope: value
    if re.match(r"^'[^'\\]*'$", source) or re.match(r'^"[^"\\]*"$', source):
        value = source[1:-1]
        return lambda scope: value
    return None


class Scope(dict):
    """The names a variant's templates and expressions see (functions, parameters, answers).

    One jinja2 context is made per scope and reused for every evaluation: making a context
    for each, as `Template.render` does, copies jinja2's globals every time and was most of
    the cost of generating a variant. Changes to the scope are seen by later evaluations.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(ENV.globals)
        self.update(*args, **kwargs)
        self.jinja = ENV.context_class(ENV, self, None, {})


def base_context() -> Scope:
    """A fresh scope holding the functions expressions and templates may call."""
    return Scope()


def run(compiled, where: str, scope):
    """Render a template or evaluate an expression in `scope` (a Scope, or a plain dict of names);
    any failure names `where`."""
    if not isinstance(scope, Scope):
        scope = Scope(scope)
    try:
        if isinstance(compiled, Static):
            return str(compiled)
        if isinstance(compiled, Template):
            return "".join(compiled.root_render_func(scope.jinja))
        return compiled(scope)
    except SecurityError as exc:
        raise BankTemplateError(f"{where}: {exc}") from None
    except TemplateError as exc:
        raise BankTemplateError(f"{where}: {exc.message}") from None
    except NcquizError as exc:
        raise BankTemplateError(f"{where}: {exc}") from None
    except (ArithmeticError, ValueError, TypeError, IndexError, KeyError, AttributeError) as exc:
        raise BankTemplateError(f"{where}: {type(exc).__name__}: {exc}") from None
    except (MemoryError, RecursionError) as exc:
        raise BankTemplateError(f"{where}: refused: {type(exc).__name__} (too large or too deep)") from None


def reflow(text: str) -> str:
    """Markdown-like text: lines of a paragraph joined with spaces; a blank line separates
    paragraphs; lines starting with '- ' or indented by two spaces, or ending with a backslash,
    keep their line breaks."""
    out = []
    for line in text.split("\n"):
        stripped = line.strip()
        keep = not stripped or line.startswith("  ") or stripped.startswith("- ")
        if out and out[-1] and not keep and not out[-1].endswith("\\") and not out[-1].startswith(("  ", "- ")):
            out[-1] = out[-1] + " " + stripped
        else:
            out.append(line.rstrip() if keep else stripped)
    return "\n".join(line[:-1].rstrip() if line.endswith("\\") else line for line in out)


def split_blocks(text: str, blocks: list) -> list:
    """Rendered text with markers as a list of str and arrays, in order (empty strings dropped)."""
    out = []
    pos = 0
    for m in _MARKER.finditer(text):
        if m.start() > pos:
            out.append(reflow(text[pos : m.start()]))
        out.append(blocks[int(m.group(1))])
        pos = m.end()
    if pos < len(text):
        out.append(reflow(text[pos:]))
    return out


def plain(parts: list) -> str:
    """Blocks as plain text: each array as an aligned grid on lines of its own."""
    out = ""
    for p in parts:
        if isinstance(p, str):
            out += p if not out.endswith("\n") or not p.startswith("\n") else p[1:]
        else:
            out += ("" if not out or out.endswith("\n") else "\n") + fmt.grid(np.asarray(p, dtype=float)) + "\n"
    return out.strip("\n")
