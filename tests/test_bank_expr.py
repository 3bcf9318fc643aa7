"""Bank expressions translated to Python (`ncquiz.bank.expr`): same values as jinja2's sandbox
gives, and the same refusals."""

import math

import numpy as np
import pytest
from jinja2 import TemplateError, Undefined, UndefinedError
from jinja2.sandbox import SecurityError

from ncquiz.bank import load_bank
from ncquiz.bank.expr import compile_expression
from ncquiz.bank.generate import compiled
from ncquiz.bank.templating import (ENV, FUNCTIONS, BankTemplateError, Scope, base_context, expression, run,
                                    sandboxed_expression, template)


def translated(source):
    return compile_expression(source, ENV, FUNCTIONS.values())


def evaluate_both(source, scope):
    """(translated result, sandbox result); a failure is returned as its exception type.

    jinja2 returns an undefined value (which fails when used) where the translation fails at
    once, so an undefined result counts as an UndefinedError."""
    out = []
    for fn in (translated(source), sandboxed_expression(source, "e")):
        assert fn is not None, f"{source!r} is not translated"
        try:
            value = fn(Scope(scope))
            out.append(UndefinedError if isinstance(value, Undefined) else value)
        except Exception as exc:  # noqa: BLE001 - the kind of failure is what is compared
            out.append(UndefinedError if isinstance(exc, UndefinedError) else type(exc))
    return out


def same(a, b) -> bool:
    if isinstance(a, type) or isinstance(b, type):
        return a is b
    if isinstance(a, (np.ndarray, list, tuple)) or isinstance(b, (np.ndarray, list, tuple)):
        return np.shape(a) == np.shape(b) and np.array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object))
    return type(a) is type(b) and (a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b)))


def bank_expressions(family):
    """(expression, part label or None) for every expression of a family that the translator
    handles (not bare names or literals); a part's expressions may read its solver's `result`."""
    found = [(e, None) for e in family.require]
    for spec in family.params.values():
        found += [(v, None) for k, v in spec.items() if isinstance(v, str) and k not in ("choice", "shuffle", "sample")]
    for part in family.parts:
        mine = [*part.args.values(), part.answer]
        for m in part.mistakes:
            mine += [*m.args.values(), m.answer]
        found += [(v, part.label) for v in mine if isinstance(v, str)]
    return [(e, label) for e, label in found if translated(e) is not None]


@pytest.mark.parametrize("family", load_bank().families, ids=lambda f: f.id)
def test_every_bank_expression_agrees_with_the_sandbox(family):
    """Each expression of the bank, in the scopes of real variants, gives what jinja2 gives."""
    checked = 0
    for seed in (0, 1, 2):
        q = compiled(family).generate(seed, render=False)
        for source, label in bank_expressions(family):
            scope = {**q.context, "result": q.part(label).result if label else None}
            a, b = evaluate_both(source, scope)
            assert same(a, b), f"{family.id} seed {seed}: {source!r} gives {a!r}, the sandbox {b!r}"
            checked += 1
    assert checked or not bank_expressions(family)


@pytest.mark.parametrize("source, names", [
    ("n - k + 1", {"n": 7, "k": 3}),
    ("(n + 2 * p - k) // s + 1", {"n": 7, "k": 3, "p": 1, "s": 2}),
    ("x / 2 if x > 0 else -x", {"x": -3}),
    ("a[1:] ~ 'z'", {"a": "xy"}),
    ("m.T.tolist()[0]", {"m": np.arange(4).reshape(2, 2)}),
    ("m.sum() > 3 and not (m == 0).all()", {"m": np.arange(4)}),
    ("answers.a * 2", {"answers": {"a": 1.5}}),
    ("answers['a'] ** 2", {"answers": {"a": 3}}),
    ("[1, 2, x][-1] in [3, 4]", {"x": 3}),
    ("1 < x <= 3", {"x": 3}),
    ("'abc'.upper()", {}),
    ("solve('output-size', size=n, kernel=3)", {"n": 7}),
    ("round(sigmoid(0.5), 3)", {}),
    ("answers.z", {"answers": {"a": 1}}),
    ("1 / 0", {}),
    ("m[5]", {"m": np.arange(3)}),
])
def test_translated_expressions_mean_what_jinja2_means(source, names):
    a, b = evaluate_both(source, {**base_context(), **names})
    assert same(a, b), f"{source!r}: {a!r} against the sandbox's {b!r}"


@pytest.mark.parametrize("source", [
    "().__class__.__bases__[0].__subclasses__()",
    "m.__class__",
    "m.T.__array_interface__",
    "m.tofile('/tmp/ncquiz-pwned')",
    "m.ctypes",
    "m.sum.__self__.__class__",
    "'{0.__class__.__mro__}'.format(m)",
    "'{a.__class__.__mro__}'.format_map(answers)",
    "solve.__globals__",
    "dot.__call__.__self__",
    "answers.__class__.__init__",
    "answers.clear()",
    "[1].append(2)",
    "9 ** 9 ** 9",
    "10 ** 7 ** 2",
    "'x' * 10 ** 9",
    "[0] * 10 ** 8",
    "zeros(10 ** 5, 10 ** 5)",
    "range(10 ** 9)",
    "('x' * 10000) * 10000",
    "array(['x'], dtype='O') * 10 ** 8",
    "'%*d' % (10 ** 8, 1)",
    "'%100000000d' % 1",
    "'{:100000000}'.format(1)",
    "'{:{}}'.format(1, 10 ** 8)",
    "outer(range(5000), range(5000))",
    "m.astype('U100000000')",
    "array(['x'], dtype='U1000000000')",
    "array([1], dtype='O')",
])
def test_translated_expressions_refuse_what_the_sandbox_refuses(source):
    assert translated(source) is not None, "the translator must handle this one itself"
    scope = {**base_context(), "m": np.zeros(2), "answers": {"a": 1}}
    with pytest.raises(BankTemplateError):
        run(expression(source, "e"), "e", scope)


def test_undefined_names_are_named():
    with pytest.raises(BankTemplateError, match="'nope' is undefined"):
        run(expression("nope + 1", "e"), "e", base_context())


def test_what_is_not_translated_goes_to_the_sandbox():
    for source in ("x | abs", "x is odd", "{'a': 1}.a", "f(*xs)"):
        assert translated(source) is None
    assert run(expression("x | abs", "e"), "e", {"x": -2}) == 2
    with pytest.raises(TemplateError):
        translated("1 +")
    with pytest.raises(BankTemplateError, match="cannot read the expression"):
        expression("1 +", "e")


def test_security_error_is_the_sandbox_one():
    fn = translated("9 ** 99")
    with pytest.raises(SecurityError):
        fn(Scope())


def test_a_dict_key_does_not_hide_a_dict_method():
    """jinja2 looks an attribute up before an item: `p.values` is dict.values even with a 'values' key."""
    a, b = evaluate_both("p.values", {**base_context(), "p": {"values": [1, 2]}})
    assert same(a, b), f"{a!r} against the sandbox's {b!r}"


@pytest.mark.parametrize("source, value", [("x" + ".a" * 300, None), ("(" * 120 + "1" + ")" * 120, 1),
                                           ("1" + "+1" * 400, 401), ("-" * 300 + "x", 1)])
def test_too_deep_an_expression_is_a_bank_error_or_its_value(source, value):
    """Deeper than Python's own compiler goes: either its right value or a bank error, never a bare
    error (`x.a.a...` has no value: x is a number)."""
    try:
        got = run(expression(source, "e"), "e", {"x": 1})
    except BankTemplateError:
        return
    assert value is not None and got == value


def test_no_raw_memory_through_a_namespace():
    """namespace(__array_interface__=...) makes numpy read (or, with out=, write) any address."""
    address = "int(('' ~ solve).split('0x')[1][:-1], 16)"
    source = f"array(namespace(__array_interface__=dict(shape=(8,), typestr='|u1', data=({address}, true), version=3)))"
    with pytest.raises(BankTemplateError):
        run(expression(source, "e"), "e", base_context())


@pytest.mark.parametrize("source", [
    "{{ '{:100000000}'.format(1) }}",
    "{{ namespace(a=1) }}",
    "{{ cycler(1, 2) }}",
    "{{ lipsum(10 ** 6) }}",
    "{{ ('x' * 10000) * 10000 }}",
    "{{ '%100000000d' % 1 }}",
    "{{ m.astype('U9999999') }}",
])
def test_templates_refuse_the_same(source):
    """Templates run in jinja2's sandbox with the same bounds, and without jinja2's own globals."""
    with pytest.raises(BankTemplateError):
        run(template(source, "t"), "t", {**base_context(), "m": np.zeros(2)})
