"""The one answer parser used by every command: text as students type it, into values.

`parse(text, answer_type, options)` returns the value (float, float array, tuple of ints,
set of option letters, or the text) or raises Unreadable, whose message says what format is
expected. Unreadable is never a wrong answer: the student is asked again.
"""

from __future__ import annotations

import re

import numpy as np

from ncquiz.marking.numbers import NumberError, ambiguous_comma, read_number

MAX_ANSWER = 4000
MAX_ENTRIES = 400

EXPECTED = {
    "integer": "a whole number, such as 61706 (61,706 and 61 706 are fine too)",
    "number": "a number, such as 0.462, 3/4, 1e-3 or e^-1",
    "vector": "numbers separated by commas or spaces, such as [0.5, -1, 2] or 0.5 -1 2",
    "matrix": "rows separated by ; or new lines, such as [[1, 2], [3, 4]], [1 2; 3 4] or 1 2; 3 4",
    "shape": "a shape such as 28x28x6, 28 × 28 × 6 or (28, 28, 6)",
    "choice": "one option letter, such as b",
    "multi": "the letters of every correct option, such as a, c",
    "text": "a short answer in words",
}


class Unreadable(ValueError):
    """An answer that cannot be read; the message says what was expected."""


def parse(text: str, answer_type: str, letters: str = "abcdefghij"):
    """The value of an answer of `answer_type`; Unreadable with the expected format otherwise."""
    if text is None or not str(text).strip():
        raise Unreadable("the answer is blank")
    text = str(text).strip()
    if len(text) > MAX_ANSWER:
        raise Unreadable(f"the answer is too long; expected {EXPECTED[answer_type]}")
    try:
        if answer_type in ("integer", "number"):  # 2.5 for a whole-number part is readable, and wrong
            return _number(text)
        if answer_type == "vector":
            return _vector(text)
        if answer_type == "matrix":
            return _matrix(text)
        if answer_type == "shape":
            return _shape(text)
        if answer_type in ("choice", "multi"):
            return _options(text, answer_type, letters)
        return text
    except NumberError as exc:
        raise Unreadable(f"cannot read {_quote(text)} ({exc}); expected {EXPECTED[answer_type]}") from None


def number_readings(text: str) -> list[float]:
    """Every plausible value of a number: '1,500' is 1500 or 1.5 (a decimal comma)."""
    text = number_text(text)
    first = read_number(text)
    if ambiguous_comma(text):
        return [first, read_number(text.replace(",", "."))]
    return [first]


_UNIT = (r"(?:parameters?|params?|weights?|biases|bias|units?|neurons?|connections?|values?|entries|entry"
         r"|elements?|pixels?|features?|channels?|activations?)")
UNIT_WORDS = re.compile(rf"(?:(?:trainable|learnable)\s+)?{_UNIT}(?:\s+(?:and|&)\s+{_UNIT})?(?:\s+in\s+total)?", re.I)
"""Words naming what a number counts, read past after it ('38914 parameters', '576 weights and
biases'); any other word (such as 'percent' or 'million', which would change the value) leaves the
answer unreadable."""
_UNIT_AFTER = re.compile(rf"(.*?[\d)%])\s+({UNIT_WORDS.pattern})\.?", re.I | re.S)


def number_text(text: str) -> str:
    """The number in an answer: working before an '=' ('14x14x32 = 6272', '= -0.862', 'h1 = 0.46'), a
    full stop or dots after it, and a word naming what it counts ('38914 parameters') are read past."""
    text = str(text).strip()
    if "=" in text and text.rsplit("=", 1)[1].strip():
        text = text.rsplit("=", 1)[1].strip()
    text = re.sub(r"(?<=[\d)%])\s*\.{1,3}$", "", text)
    m = _UNIT_AFTER.fullmatch(text)  # the number may hold spaces itself: '3 216 parameters'
    if m:
        text = m.group(1)
    return text


def _number(text: str) -> float:
    return read_number(number_text(text))


def _strip_label(text: str) -> str:
    """'h1 = 0.46' and 'y = 3' are read as their right-hand side."""
    m = re.match(r"^\s*[A-Za-z][A-Za-z0-9_]*(?:\[[^\]]*\])?\s*=\s*(.+)$", text, re.S)
    return m.group(1) if m else text


def _vector(text: str) -> np.ndarray:
    text = _strip_label(text).strip()
    if text.startswith("[[") or text.startswith("(("):
        rows = _matrix(text)
        if rows.shape[0] != 1 and rows.shape[1] != 1:
            raise Unreadable(f"that is a {rows.shape[0]}x{rows.shape[1]} matrix; expected {EXPECTED['vector']}")
        return rows.ravel()
    text = _unwrap(text)
    if ";" in text or "\n" in text:
        items = [t for t in re.split(r"[;\n]", text) if t.strip()]
    else:
        items = _split_row(text)
    return _numbers(items)


def comma_reading(text: str, answer_type: str):
    """The other reading of a vector or matrix that has decimal commas with ', ' between its entries:
    '0,8, 0,9, -0,6' is [0.8, 0.9, -0.6] as well as [0, 8, 0, 9, -0, 6]. None when there is no such
    reading. The marker keeps whichever reading has the expected shape."""
    if answer_type not in ("vector", "matrix") or not (re.search(r"\d,\d", text) and re.search(r",\s", text)):
        return None
    body = _strip_label(str(text)).strip()
    body = re.sub(r"[\])]\s*[,;]?\s*[\[(]", ";", body)  # [[0,5, 1,5], [2,5, 3]]: brackets end rows too
    rows = [r.strip().strip("[]() ").strip(",") for r in re.split(r"[;\n]", body)]
    rows = [r for r in rows if r]
    try:
        parsed = [[_decimal_comma(item) for item in re.split(r",\s+", r)] for r in rows]
    except NumberError:
        return None
    if len({len(r) for r in parsed}) != 1 or sum(map(len, parsed)) > MAX_ENTRIES:
        return None
    value = np.array(parsed, dtype=float)
    return value.ravel() if answer_type == "vector" else value


def _decimal_comma(item: str) -> float:
    """'-0,615' as -0.615; anything but a plain number with a decimal comma (or none) is not this reading."""
    item = item.strip().replace("\u2212", "-")
    if not re.fullmatch(r"[+-]?\d+(?:,\d+)?", item):
        raise NumberError(f"'{item}' is not a number with a decimal comma")
    return float(item.replace(",", "."))


def _split_row(text: str) -> list[str]:
    """Entries of one row: comma separated (each may have spaces), or space separated.

    '0,5 0,25' (decimal commas between spaces) is read as two numbers.
    """
    text = text.strip().strip(",")
    if "," in text and not (re.search(r"\d,\d", text) and not re.search(r",\s", text) and re.search(r"\s", text)):
        items = text.split(",")
    else:
        items = text.split()
    items = [t.strip() for t in items]
    if any(not t for t in items):
        raise Unreadable(f"an entry is missing between commas; expected {EXPECTED['vector']}")
    return items


def _numbers(items: list[str]) -> np.ndarray:
    if not items:
        raise Unreadable("the answer is blank")
    if len(items) > MAX_ENTRIES:
        raise Unreadable(f"too many entries (at most {MAX_ENTRIES})")
    return np.array([read_number(t) for t in items], dtype=float)


def _matrix(text: str) -> np.ndarray:
    text = _strip_label(text).strip()
    if re.match(r"^[\[(][^\[\]()]*[\])]\s*[,;]?\s*[\[(]", text):  # [1, 2], [3, 4]: rows without outer brackets
        text = f"[{text}]"
    if re.match(r"^[\[(]\s*[\[(]", text):
        try:
            return _as_float_array(_nested(text))
        except _Ragged:
            raise Unreadable(f"the rows have different lengths; expected {EXPECTED['matrix']}") from None
    text = _unwrap(text)
    rows = [r for r in re.split(r"[;\n]", text) if r.strip()]
    if not rows:
        raise Unreadable("the answer is blank")
    parsed = [_numbers(_split_row(_unwrap(r.strip()))) for r in rows]
    lengths = sorted({len(r) for r in parsed})
    if len(lengths) > 1:
        raise Unreadable(f"the rows have different lengths ({', '.join(map(str, lengths))}); "
                         f"expected {EXPECTED['matrix']}")
    if len(parsed) * lengths[0] > MAX_ENTRIES:
        raise Unreadable(f"too many entries (at most {MAX_ENTRIES})")
    return np.array(parsed, dtype=float)


def _nested(text: str):
    """Bracketed lists '[[1, 2], [3, 4]]' (also with round brackets) as nested Python lists of floats."""
    depth, stack, current, token = 0, [], None, ""
    root = None
    for ch in text:
        if ch in "[(":
            new: list = []
            if current is not None:
                if token.strip():
                    raise Unreadable(f"cannot read {_quote(text)}; expected {EXPECTED['matrix']}")
                current.append(new)
                stack.append(current)
            else:
                if root is not None:
                    raise Unreadable(f"cannot read {_quote(text)}; expected {EXPECTED['matrix']}")
                root = new
            current, token = new, ""
            depth += 1
            if depth > 4:
                raise Unreadable("nested too deeply")
        elif ch in "])":
            if current is None:
                raise Unreadable(f"a bracket is closed that was never opened; expected {EXPECTED['matrix']}")
            if token.strip():
                current.extend(read_number(t) for t in _split_row(token))
            token = ""
            current = stack.pop() if stack else None
            depth -= 1
        elif ch in ",;" and current is not None and (not token.strip()):
            continue  # separator between sub-lists
        else:
            if current is None:
                if ch.strip():
                    raise Unreadable(f"cannot read {_quote(text)}; expected {EXPECTED['matrix']}")
                continue
            token += ch
    if depth != 0 or root is None:
        raise Unreadable(f"a bracket is not closed; expected {EXPECTED['matrix']}")
    return root


class _Ragged(Exception):
    pass


def _as_float_array(nested) -> np.ndarray:
    shape = []
    level = [nested]
    while isinstance(level[0], list):
        n = len(level[0])
        if any(not isinstance(x, list) or len(x) != n for x in level) or n == 0:
            raise _Ragged
        shape.append(n)
        level = [y for x in level for y in x]
    if any(isinstance(x, list) for x in level):
        raise _Ragged
    if len(level) > MAX_ENTRIES:
        raise Unreadable(f"too many entries (at most {MAX_ENTRIES})")
    a = np.array(level, dtype=float).reshape(shape)
    return a if a.ndim >= 2 else a.reshape(1, -1)


def _shape(text: str) -> tuple[int, ...]:
    text = _unwrap(_strip_label(text).strip())
    parts = [p for p in re.split(r"\s*(?:[x×X*,]|\bby\b)\s*|\s+", text) if p]
    if not parts or len(parts) > 4:
        raise Unreadable(f"cannot read {_quote(text)}; expected {EXPECTED['shape']}")
    values = []
    for p in parts:
        v = read_number(p)
        if not float(v).is_integer() or v < 0:
            raise Unreadable(f"{_quote(p)} is not a whole number; expected {EXPECTED['shape']}")
        values.append(int(v))
    return tuple(values)


def _options(text: str, answer_type: str, letters: str) -> frozenset[str]:
    cleaned = re.sub(r"\b(options?|answers?|and|is|the)\b", " ", text.lower())
    found = re.sub(r"[^a-z]", "", cleaned)
    if not found or len(set(found)) != len(found) or any(ch not in letters for ch in found):
        choices = f"{letters[0]} to {letters[-1]}"
        raise Unreadable(f"cannot read {_quote(text)} as option letters ({choices}); expected {EXPECTED[answer_type]}")
    if answer_type == "choice" and len(found) != 1:
        raise Unreadable(f"choose one option only; expected {EXPECTED['choice']}")
    return frozenset(found)


def _unwrap(text: str) -> str:
    """Text without one pair of enclosing brackets."""
    text = text.strip()
    if len(text) >= 2 and text[0] + text[-1] in ("[]", "()", "{}"):
        return text[1:-1].strip()
    return text


def _quote(text: str) -> str:
    return f"'{text}'" if len(text) <= 40 else f"'{text[:37]}...'"

