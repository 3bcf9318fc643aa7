"""Reading one number as students write it, without ever evaluating code.

Accepted: integers (61706, 61,706, 61 706), decimals (0.5, .5, 0,5), fractions (3/4),
scientific notation (1e-3), and small expressions: + - * / ^ ** × x, parentheses, the
constants e and pi, and the functions exp, ln, log (natural), log10, log2, sqrt, tanh,
sigmoid, sin, cos, abs, with or without parentheses (`ln 2`, `e^-1`, `sqrt(2)/2`,
`tanh(0.5)`, `1 - 0.73`, `2sqrt(2)`). A trailing % divides by 100.

A hand-written recursive-descent parser over a bounded input computes in floats, so a
hostile input (`9^9^9^9`, deep nesting, a huge literal) is refused quickly, never computed.
"""

from __future__ import annotations

import math
import re

MAX_LENGTH = 200
MAX_DEPTH = 40


class NumberError(ValueError):
    """Text that is not a number (or a readable expression) in a form we accept."""


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


FUNCTIONS = {
    "exp": math.exp,
    "ln": math.log,
    "log": math.log,
    "log10": math.log10,
    "log2": math.log2,
    "sqrt": math.sqrt,
    "tanh": math.tanh,
    "sigmoid": _sigmoid,
    "sigma": _sigmoid,
    "sin": math.sin,
    "cos": math.cos,
    "abs": abs,
}
CONSTANTS = {"e": math.e, "pi": math.pi, "π": math.pi}

_TOKEN = re.compile(
    r"\s*(?:"
    r"(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<times>[xX](?=\s*[\d.(]))"  # 6x6x64, 3 x (2 + 1): between numbers an x is a times sign
    r"|(?P<name>[a-zA-Zπ][a-zA-Z0-9]*)"
    r"|(?P<op>\*\*|[-+*/^()×÷−–·])"
    r")"
)
_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2}(?:[, ]\d{3})+(?:\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")


def normalise(text: str) -> str:
    """Thousands separators removed (61,706 and 61 706), a decimal comma made a point (0,5)."""
    t = text.strip().replace("\u2212", "-").replace("\u2013", "-")
    if _THOUSANDS.match(t):
        return t.replace(",", "").replace(" ", "")
    if _DECIMAL_COMMA.match(t):
        return t.replace(",", ".")
    return t


def ambiguous_comma(text: str) -> bool:
    """'1,500': thousands (1500) or a decimal comma (1.5)? Both readings are plausible."""
    return bool(re.match(r"^[+-]?[1-9]\d{0,2},\d{3}$", text.strip()))


_PLAIN = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def read_number(text: str) -> float:
    """The value of one number or small expression; NumberError if it cannot be read."""
    t = normalise(text)
    if not t:
        raise NumberError("empty")
    if len(t) <= 40 and _PLAIN.fullmatch(t):  # most answers are plain numbers: no need to parse an expression
        return _finite(float(t))
    if len(t) > MAX_LENGTH:
        raise NumberError(f"too long (at most {MAX_LENGTH} characters)")
    percent = t.endswith("%")
    if percent:
        t = t[:-1]
    value = _Parser(t).parse()
    if percent:
        value /= 100.0
    if not math.isfinite(value):
        raise NumberError("the value is not a finite number")
    return value


class _Parser:
    def __init__(self, text: str):
        self.tokens = self._tokenise(text)
        self.pos = 0
        self.depth = 0

    @staticmethod
    def _tokenise(text: str) -> list[tuple[str, str]]:
        tokens, pos = [], 0
        while pos < len(text):
            if text[pos].isspace():
                pos += 1
                continue
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise NumberError(f"cannot read '{text[pos]}'")
            kind = m.lastgroup
            value = m.group(kind)
            if kind == "op":
                value = {"−": "-", "–": "-", "×": "*", "·": "*", "÷": "/", "**": "^"}.get(value, value)
            if kind == "times" or (kind == "name" and value in ("x", "X")):  # 1.5 x 0.38: as written by hand
                kind, value = "op", "*"
            if kind == "name":
                value = value.lower() if value != "π" else value
                if value not in FUNCTIONS and value not in CONSTANTS:
                    raise NumberError(f"unknown name '{m.group(kind)}'")
            tokens.append((kind, value))
            pos = m.end()
        return tokens

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else (None, None)

    def take(self):
        token = self.peek()
        self.pos += 1
        return token

    def parse(self) -> float:
        value = self.expr()
        if self.pos != len(self.tokens):
            raise NumberError(f"unexpected '{self.peek()[1]}'")
        return value

    def _enter(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise NumberError("nested too deeply")

    def expr(self) -> float:
        self._enter()
        value = self.term()
        while self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            right = self.term()
            value = value + right if op == "+" else value - right
        self.depth -= 1
        return _finite(value)

    def term(self) -> float:
        value = self.unary()
        while True:
            kind, op = self.peek()
            if op in ("*", "/"):
                self.take()
                right = self.unary()
                if op == "*":
                    value *= right
                elif right == 0:
                    raise NumberError("division by zero")
                else:
                    value /= right
            elif kind == "name" or op == "(":  # implicit product: 2sqrt(2), 2(3), 2pi (not "2 3")
                value *= self.power()
            else:
                return _finite(value)

    def unary(self) -> float:
        op = self.peek()[1]
        if op in ("-", "+"):
            self.take()
            self._enter()
            value = self.unary()
            self.depth -= 1
            return -value if op == "-" else value
        return self.power()

    def power(self) -> float:
        base = self.atom()
        if self.peek()[1] == "^":
            self.take()
            self._enter()
            exponent = self.unary()  # right-associative; allows e^-1
            self.depth -= 1
            try:
                return _finite(math.pow(base, exponent))
            except (OverflowError, ValueError):
                raise NumberError("the power is too large or undefined") from None
        return base

    def atom(self) -> float:
        kind, value = self.take()
        if kind == "num":
            return float(value)
        if kind == "name" and value in CONSTANTS:
            return CONSTANTS[value]
        if kind == "name":
            if self.peek()[1] == "(":
                arg = self.atom()
            else:  # ln 2, tanh 0.5: the function applies to the next factor
                arg = self.power()
            try:
                return _finite(FUNCTIONS[value](arg))
            except (OverflowError, ValueError):
                raise NumberError(f"{value} is not defined there") from None
        if value == "(":
            inner = self.expr()
            if self.take()[1] != ")":
                raise NumberError("a bracket is not closed")
            return inner
        if kind is None:
            raise NumberError("incomplete")
        raise NumberError(f"unexpected '{value}'")


def _finite(x: float) -> float:
    if not math.isfinite(x):
        raise NumberError("the value is too large")
    return x
