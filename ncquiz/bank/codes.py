"""Variant codes: a family and a seed in twelve characters a person can read out and type back.

A code is Crockford base 32 (digits and capitals without I, L, O, U; typing is forgiving:
case, dashes and spaces do not matter, O reads as 0, I and L as 1) of
    tag (20 bits, from the family id) << 32 | seed (32 bits)
in eleven characters, then one Luhn mod 32 check character that catches any single
mistyped character and any swap of two neighbours. Written as XXXX-XXXX-XXXX.
"""

from __future__ import annotations

import hashlib

from ncquiz.errors import NcquizError

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {c: i for i, c in enumerate(ALPHABET)} | {"O": 0, "I": 1, "L": 1}
SEED_LIMIT = 2**32
TAG_BITS = 20
_BODY = 11


class CodeError(NcquizError):
    """A variant code that cannot be read."""


def family_tag(family_id: str) -> int:
    """The 20-bit tag of a family id (stable across machines and versions)."""
    return int.from_bytes(hashlib.sha256(family_id.encode()).digest()[:3], "big") >> (24 - TAG_BITS)


def _check(values: list[int]) -> int:
    """Luhn mod 32 check value of a list of base-32 digits."""
    total, factor = 0, 2
    for v in reversed(values):
        addend = factor * v
        total += addend // 32 + addend % 32
        factor = 3 - factor
    return (32 - total % 32) % 32


def encode(tag: int, seed: int) -> str:
    """The code of (family tag, seed)."""
    if not 0 <= seed < SEED_LIMIT:
        raise CodeError(f"seed {seed} is out of range: seeds run from 0 to {SEED_LIMIT - 1}")
    payload = (tag << 32) | seed
    values = [0] * _BODY
    for i in range(_BODY - 1, -1, -1):
        values[i] = payload & 31
        payload >>= 5
    values.append(_check(values))
    text = "".join([ALPHABET[v] for v in values])
    return f"{text[:4]}-{text[4:8]}-{text[8:]}"


def decode(code: str) -> tuple[int, int]:
    """(family tag, seed) of a code; a CodeError says what is wrong with it."""
    cleaned = "".join(ch for ch in code.upper() if ch not in "- _")
    if len(cleaned) != _BODY + 1:
        raise CodeError(f"'{code}' is not a variant code: expected 12 characters like 7QK2-M0XB-93TA")
    bad = [ch for ch in cleaned if ch not in _VALUE]
    if bad:
        raise CodeError(f"'{code}' is not a variant code: '{bad[0]}' is not one of its characters")
    values = [_VALUE[ch] for ch in cleaned]
    if _check(values[:-1]) != values[-1]:
        raise CodeError(f"'{code}' is not a valid variant code: a character is mistyped (the check failed)")
    payload = 0
    for v in values[:-1]:
        payload = payload * 32 + v
    return payload >> 32, payload & (SEED_LIMIT - 1)
