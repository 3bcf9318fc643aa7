"""Opaque variant codes: printed on papers made with an instructor's secret.

An opaque code looks like a variant code (twelve Crockford base-32 characters) but is the
(family tag, seed) payload enciphered with a keyed Feistel permutation, and its check
character is shifted by a keyed offset, so it does not decode as a plain code: a student
cannot regenerate the answers without the secret. `ncquiz mark` and `ncquiz key` take the
same secret file and read the codes back.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from ncquiz.bank.codes import _BODY, ALPHABET, _VALUE, CodeError, _check
from ncquiz.errors import NcquizError

HALF = 26  # the 52-bit payload as two 26-bit halves
ROUNDS = 6


class Secret:
    """A key derived from the bytes of a secret file."""

    def __init__(self, data: bytes):
        if len(data.strip()) < 8:
            raise NcquizError("the secret file is too short: use at least 8 characters (a long random phrase is best)")
        self.key = hashlib.sha256(b"ncquiz-secret-v1" + data.strip()).digest()
        self.offset = 1 + hmac.new(self.key, b"check", hashlib.sha256).digest()[0] % 31  # never 0

    @classmethod
    def load(cls, path: str | Path) -> Secret:
        try:
            return cls(Path(path).read_bytes())
        except OSError as exc:
            raise NcquizError(f"cannot read the secret file {path}: {exc.strerror or exc}") from None

    def _round(self, i: int, half: int) -> int:
        digest = hmac.new(self.key, bytes([i]) + half.to_bytes(4, "big"), hashlib.sha256).digest()
        return int.from_bytes(digest[:4], "big") & ((1 << HALF) - 1)

    def encode(self, tag: int, seed: int) -> str:
        """The opaque code of (family tag, seed)."""
        left, right = (tag << 32 | seed) >> HALF, (tag << 32 | seed) & ((1 << HALF) - 1)
        for i in range(ROUNDS):
            left, right = right, left ^ self._round(i, right)
        payload = left << HALF | right
        values = [(payload >> (5 * k)) & 31 for k in reversed(range(_BODY))]
        values.append((_check(values) + self.offset) % 32)
        text = "".join(ALPHABET[v] for v in values)
        return f"{text[:4]}-{text[4:8]}-{text[8:]}"

    def decode(self, code: str) -> tuple[int, int]:
        """(family tag, seed) of an opaque code made with this secret; CodeError otherwise."""
        cleaned = "".join(ch for ch in code.upper() if ch not in "- _")
        if len(cleaned) != _BODY + 1 or any(ch not in _VALUE for ch in cleaned):
            raise CodeError(f"'{code}' is not a variant code: expected 12 characters like 7QK2-M0XB-93TA")
        values = [_VALUE[ch] for ch in cleaned]
        if (_check(values[:-1]) + self.offset) % 32 != values[-1]:
            raise CodeError(f"'{code}' is not a code made with this secret (or a character is mistyped)")
        payload = 0
        for v in values[:-1]:
            payload = payload * 32 + v
        left, right = payload >> HALF, payload & ((1 << HALF) - 1)
        for i in reversed(range(ROUNDS)):
            left, right = right ^ self._round(i, left), left
        plain = left << HALF | right
        return plain >> 32, plain & 0xFFFFFFFF
