"""Bank expressions turned into Python closures, with the sandbox's rules checked inline.

jinja2's sandbox evaluates an expression through a template context and checks every call,
attribute and operator at run time; for the short expressions of a bank (`n - k + 1`,
`solve('conv2d', input=input, kernel=kernel)`, `answers.a[0] * 2`) that was most of the
cost of generating a variant. Here the expression is parsed by jinja2 (so the syntax and its
meaning are jinja2's), and each node of its tree becomes a small Python function of the scope
(no source code is generated or executed), in which:

- names are looked up in the variant's scope only (no Python builtins are reachable);
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

import operator
import types

import numpy as np
from jinja2 import Undefined, nodes
from jinja2.exceptions import UndefinedError

_BINARY = {"Add": operator.add, "Sub": operator.sub, "Div": operator.truediv, "FloorDiv": operator.floordiv}
_UNARY = {"Neg": operator.neg, "Pos": operator.pos, "Not": operator.not_}
_COMPARE = {"eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "gteq": operator.ge, "lt": operator.lt,
            "lteq": operator.le, "in": lambda a, b: a in b, "notin": lambda a, b: a not in b}
_NUMBERS = (int, float)


class _Unsupported(Exception):
    """A node the translator leaves to jinja2."""


class Translator:
    """Turns one jinja2 expression tree into a function of the scope `s`, node by node."""

    def __init__(self, helpers: dict):
        self.names: list[str] = []
        self.h = helpers

    def visit(self, node):
        kind = type(node).__name__
        method = getattr(self, "visit_" + kind, None)
        if method is not None:
            return method(node)
        if kind in _BINARY:
            op, left, right = _BINARY[kind], self.visit(node.left), self.visit(node.right)
            return lambda s: op(left(s), right(s))
        if kind in _UNARY:
            op, inner = _UNARY[kind], self.visit(node.node)
            return lambda s: op(inner(s))
        raise _Unsupported(kind)

    def visit_Name(self, node):
        if node.ctx != "load" or node.name.startswith("_"):
            raise _Unsupported("name")
        name = node.name
        self.names.append(name)
        return lambda s: s[name]

    def visit_Const(self, node):
        value = node.value
        return lambda s: value

    def visit_List(self, node):
        items = [self.visit(item) for item in node.items]
        return lambda s: [item(s) for item in items]

    def visit_Tuple(self, node):
        items = [self.visit(item) for item in node.items]
        return lambda s: tuple(item(s) for item in items)

    def _bounded(self, node, helper: str):
        op, left, right = self.h[helper], self.visit(node.left), self.visit(node.right)
        return lambda s: op(left(s), right(s))

    def visit_Mul(self, node):
        return self._bounded(node, "_mul")

    def visit_Mod(self, node):
        return self._bounded(node, "_mod")

    def visit_Pow(self, node):
        return self._bounded(node, "_pow")

    def visit_Concat(self, node):
        parts = [self.visit(n) for n in node.nodes]
        return lambda s: "".join([str(part(s)) for part in parts])

    def visit_And(self, node):
        left, right = self.visit(node.left), self.visit(node.right)
        return lambda s: left(s) and right(s)

    def visit_Or(self, node):
        left, right = self.visit(node.left), self.visit(node.right)
        return lambda s: left(s) or right(s)

    def visit_CondExpr(self, node):
        if node.expr2 is None:  # jinja2 gives an undefined value: leave it to jinja2
            raise _Unsupported("condexpr")
        test, yes, no = self.visit(node.test), self.visit(node.expr1), self.visit(node.expr2)
        return lambda s: yes(s) if test(s) else no(s)

    def visit_Compare(self, node):
        first = self.visit(node.expr)
        ops = [(_COMPARE[op.op], self.visit(op.expr)) for op in node.ops]

        last = len(ops) - 1

        def compare(s):  # a chain as Python runs it: a < b < c is (a < b) and (b < c), b read once
            left = first(s)
            for i, (op, get) in enumerate(ops):
                right = get(s)
                result = op(left, right)
                if i == last or not result:
                    return result
                left = right


        return compare

    def visit_Getattr(self, node):
        if node.ctx != "load":
            raise _Unsupported("getattr")
        getattr_, obj, attr = self.h["_getattr"], self.visit(node.node), node.attr
        return lambda s: getattr_(s, obj(s), attr)

    def visit_Getitem(self, node):
        if node.ctx != "load":
            raise _Unsupported("getitem")
        getitem, obj, key = self.h["_getitem"], self.visit(node.node), self.visit(node.arg)
        return lambda s: getitem(s, obj(s), key(s))

    def visit_Slice(self, node):
        none = lambda s: None  # noqa: E731
        start, stop, step = (self.visit(n) if n is not None else none for n in (node.start, node.stop, node.step))
        return lambda s: slice(start(s), stop(s), step(s))

    def visit_Call(self, node):
        if node.dyn_args is not None or node.dyn_kwargs is not None:
            raise _Unsupported("call")
        call, function = self.h["_call"], self.visit(node.node)
        args = [self.visit(a) for a in node.args]
        keywords = [(k.key, self.visit(k.value)) for k in node.kwargs]
        return lambda s: call(s, function(s), tuple(a(s) for a in args), {k: v(s) for k, v in keywords})


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
    translator = Translator(_helpers(env, frozenset(map(id, safe_callables))))
    try:
        function = translator.visit(body[0].nodes[0])
    except _Unsupported:
        return None
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
    """The functions the translated expressions call: attribute, item, call and the bounded operators."""
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

    return {"_getattr": _getattr, "_getitem": _getitem, "_call": _call, "_mul": _mul, "_pow": _pow, "_mod": _mod}
