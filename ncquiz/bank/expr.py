"""Bank expressions compiled to Python functions, with the sandbox's rules checked inline.

jinja2's sandbox evaluates an expression through a template context and checks every call,
attribute and operator at run time; for the short expressions of a bank (`n - k + 1`,
`solve('conv2d', input=input, kernel=kernel)`, `answers.a[0] * 2`) that was most of the
cost of generating a variant. Here the expression is parsed by jinja2 (so the syntax and its
meaning are jinja2's), and its tree is translated into Python source in which:

- names are looked up in the variant's scope only (no Python builtins are reachable);
- constants are passed by reference, never written into the source;
- `.attr` goes through `_getattr`: a NumPy array or scalar offers only ARRAY_ATTRIBUTES, a
  dict its keys (after its own methods, as in jinja2), anything else whatever jinja2's
  sandbox allows;
- a call runs directly only for the bank's own functions and whitelisted array methods;
  anything else is handed to jinja2's sandboxed call (which, e.g., makes `str.format` safe);
- `**`, `*` and `%` are bounded as in the sandbox (`9**9**9`, `'x' * 10**9` and `'%*d'`
  formats are refused: see `templating.bounded_binop`).

A node this translator does not know (filters, tests, `{...}` literals, ...) makes
`compile_expression` return None, and the caller uses jinja2's sandbox for that expression.
"""

from __future__ import annotations

import types

import numpy as np
from jinja2 import Undefined, nodes
from jinja2.exceptions import UndefinedError

_BINARY = {"Add": "+", "Sub": "-", "Div": "/", "FloorDiv": "//"}
_COMPARE = {"eq": "==", "ne": "!=", "gt": ">", "gteq": ">=", "lt": "<", "lteq": "<=", "in": "in",
            "notin": "not in"}
_NUMBERS = (int, float)


class _Unsupported(Exception):
    """A node the translator leaves to jinja2."""


class Translator:
    """Turns one jinja2 expression tree into Python source over `s` (the scope) and `c` (constants)."""

    def __init__(self):
        self.constants: list = []
        self.names: list[str] = []

    def const(self, value) -> str:
        self.constants.append(value)
        return f"c[{len(self.constants) - 1}]"

    def visit(self, node) -> str:
        kind = type(node).__name__
        method = getattr(self, "visit_" + kind, None)
        if method is None:
            if kind in _BINARY:
                return f"({self.visit(node.left)} {_BINARY[kind]} {self.visit(node.right)})"
            raise _Unsupported(kind)
        return method(node)

    def visit_Name(self, node) -> str:
        if node.ctx != "load" or node.name.startswith("_"):
            raise _Unsupported("name")
        self.names.append(node.name)
        return f"s[{self.const(node.name)}]"

    def visit_Const(self, node) -> str:
        return self.const(node.value)

    def visit_List(self, node) -> str:
        return "[" + "".join(self.visit(item) + ", " for item in node.items) + "]"

    def visit_Tuple(self, node) -> str:
        return "(" + "".join(self.visit(item) + ", " for item in node.items) + ")"

    def visit_Mul(self, node) -> str:
        return f"_mul({self.visit(node.left)}, {self.visit(node.right)})"

    def visit_Mod(self, node) -> str:
        return f"_mod({self.visit(node.left)}, {self.visit(node.right)})"

    def visit_Pow(self, node) -> str:
        return f"_pow({self.visit(node.left)}, {self.visit(node.right)})"

    def visit_Concat(self, node) -> str:
        return "_concat(" + ", ".join(self.visit(n) for n in node.nodes) + ")"

    def visit_Neg(self, node) -> str:
        return f"(-{self.visit(node.node)})"

    def visit_Pos(self, node) -> str:
        return f"(+{self.visit(node.node)})"

    def visit_Not(self, node) -> str:
        return f"(not {self.visit(node.node)})"

    def visit_And(self, node) -> str:
        return f"({self.visit(node.left)} and {self.visit(node.right)})"

    def visit_Or(self, node) -> str:
        return f"({self.visit(node.left)} or {self.visit(node.right)})"

    def visit_CondExpr(self, node) -> str:
        if node.expr2 is None:  # jinja2 gives an undefined value: leave it to jinja2
            raise _Unsupported("condexpr")
        return f"({self.visit(node.expr1)} if {self.visit(node.test)} else {self.visit(node.expr2)})"

    def visit_Compare(self, node) -> str:
        text = self.visit(node.expr)
        for op in node.ops:
            text += f" {_COMPARE[op.op]} {self.visit(op.expr)}"
        return f"({text})"

    def visit_Getattr(self, node) -> str:
        if node.ctx != "load":
            raise _Unsupported("getattr")
        return f"_getattr(s, {self.visit(node.node)}, {self.const(node.attr)})"

    def visit_Getitem(self, node) -> str:
        if node.ctx != "load":
            raise _Unsupported("getitem")
        return f"_getitem(s, {self.visit(node.node)}, {self.visit(node.arg)})"

    def visit_Slice(self, node) -> str:
        parts = [self.visit(n) if n is not None else "None" for n in (node.start, node.stop, node.step)]
        return f"_slice({', '.join(parts)})"

    def visit_Call(self, node) -> str:
        if node.dyn_args is not None or node.dyn_kwargs is not None:
            raise _Unsupported("call")
        args = [self.visit(a) for a in node.args]
        args += [f"{self.const(k.key)}: {self.visit(k.value)}" for k in node.kwargs]
        positional = ", ".join(args[: len(node.args)])
        keywords = ", ".join(args[len(node.args) :])
        return f"_call(s, {self.visit(node.node)}, ({positional}{',' if positional else ''}), {{{keywords}}})"


def compile_expression(source: str, env, safe_callables) -> object | None:
    """A function of a scope (a dict with a `.jinja` context) evaluating `source` as jinja2 would,
    or None when the expression uses something only jinja2's sandbox evaluates.

    env: the sandboxed environment (its parser, and its checks for what is not handled here).
    safe_callables: the functions a bank may call directly.
    Raises jinja2's TemplateSyntaxError for an expression jinja2 cannot parse.
    """
    parser_tree = env.parse("{{ " + source + " }}")
    body = parser_tree.body
    if len(body) != 1 or not isinstance(body[0], nodes.Output) or len(body[0].nodes) != 1:
        return None
    translator = Translator()
    try:
        code = translator.visit(body[0].nodes[0])
    except _Unsupported:
        return None
    helpers = _helpers(env, frozenset(map(id, safe_callables)))
    namespace = {"__builtins__": {}, "c": translator.constants, **helpers}
    exec(compile(f"def _expression(s):\n    return {code}\n", "<bank expression>", "exec"), namespace)  # noqa: S102 - source made here from the parsed tree, no builtins
    function = namespace["_expression"]
    names = tuple(dict.fromkeys(translator.names))

    def evaluate(scope):
        if scope.jinja.vars:  # names set by a template's {% set %} are seen too, as in jinja2
            scope = _Scoped(scope, scope.jinja.vars)
        try:
            return function(scope)
        except KeyError:
            for name in names:
                if name not in scope:
                    raise UndefinedError(f"'{name}' is undefined") from None
            raise

    return evaluate


class _Scoped(dict):
    """A scope with a template's variables over it."""

    def __init__(self, scope, names: dict):
        super().__init__(scope)
        self.update(names)
        self.jinja = scope.jinja


def _helpers(env, safe_ids: frozenset) -> dict:
    """The functions translated code calls: attribute, item, call and the bounded operators."""
    from ncquiz.bank.templating import ARRAY_ATTRIBUTES, array_attribute, bounded_binop  # it imports this module

    array_types = (np.ndarray, np.generic)
    builtin_method = types.BuiltinMethodType

    def _defined(value):
        if isinstance(value, Undefined):  # jinja2 would fail when the value is used: fail now
            value._fail_with_undefined_error()
        return value

    def _getattr(s, obj, attr):
        if isinstance(obj, dict) and attr in obj and not hasattr(type(obj), attr):  # jinja2: attribute first
            return obj[attr]
        if isinstance(obj, array_types) and attr in ARRAY_ATTRIBUTES:
            return array_attribute(obj, attr)
        return _defined(env.getattr(obj, attr))

    def _getitem(s, obj, key):
        if isinstance(obj, (list, tuple, np.ndarray)) and not isinstance(key, str):
            try:
                return obj[key]
            except (IndexError, TypeError):
                pass
        return _defined(env.getitem(obj, key))

    def _call(s, f, args, kwargs):
        if id(f) in safe_ids or (type(f) is builtin_method and isinstance(f.__self__, array_types)):
            return f(*args, **kwargs)
        return env.call(s.jinja, f, *args, **kwargs)

    def _mul(a, b):
        if type(a) in _NUMBERS and type(b) in _NUMBERS:
            return a * b
        return bounded_binop("*", a, b)

    def _pow(a, b):
        return bounded_binop("**", a, b)

    def _mod(a, b):
        if type(a) in _NUMBERS and type(b) in _NUMBERS:
            return a % b
        return bounded_binop("%", a, b)

    def _concat(*values):
        return "".join(map(str, values))

    return {"_getattr": _getattr, "_getitem": _getitem, "_call": _call, "_mul": _mul, "_pow": _pow,
            "_mod": _mod, "_concat": _concat, "_slice": slice}
