"""The question bank: families read from question_bank/ (and an instructor's directories), variants.

    bank = load_bank()                       # the built-in bank, plus NCQUIZ_BANK and --bank directories
    family, seed = bank.resolve("conv-basic", seed=7)    # or bank.resolve("3FS2-G000-01A0")
    question = generate(family, seed)
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

from ncquiz.bank.codes import CodeError, decode
from ncquiz.bank.generate import Question, generate
from ncquiz.bank.load import Problem, read_bank
from ncquiz.bank.model import Family
from ncquiz.bank.topics import AREAS, TOPICS, matches
from ncquiz.errors import NcquizError
from ncquiz.resources import data_dir

__all__ = ["Bank", "Family", "Problem", "Question", "bank_directories", "generate", "load_bank"]


CODE_SHAPE = re.compile(r"^[0-9a-z]{4}[- ]?[0-9a-z]{4}[- ]?[0-9a-z]{4}$", re.IGNORECASE)


class UnknownFamily(NcquizError):
    """No family has that id (or variant code)."""


class Bank:
    """The families of one or more bank directories, in syllabus order."""

    def __init__(self, families: list[Family], problems: list[Problem]):
        order = {t: i for i, t in enumerate(TOPICS)}
        self.families = sorted(families, key=lambda f: (order.get(f.topic, len(order)), f.difficulty, f.id))
        self.problems = problems
        self._by_id = {f.id: f for f in self.families}
        self._by_tag = {f.tag: f for f in self.families}

    def __len__(self) -> int:
        return len(self.families)

    def get(self, family_id: str) -> Family:
        family = self._by_id.get(family_id)
        if family is None:
            close = difflib.get_close_matches(family_id, list(self._by_id), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else "; `ncquiz list` shows the families"
            raise UnknownFamily(f"no family '{family_id}'{hint}")
        return family

    def resolve(self, ref: str, seed: int | None = None, secret=None) -> tuple[Family, int]:
        """(family, seed) from a family id (with seed, default 0) or a variant code (its own seed).

        With a `secret` (ncquiz.papers.secret.Secret), opaque codes printed on papers are read too.
        """
        ref = ref.strip()
        if ref in self._by_id:
            return self._by_id[ref], 0 if seed is None else seed
        if not CODE_SHAPE.match(ref):
            self.get(ref)  # not a code either: raises UnknownFamily with suggestions
        try:
            tag, code_seed = decode(ref)
        except CodeError:
            if secret is not None:
                tag, code_seed = secret.decode(ref)
            else:
                if not any(ch.isdigit() for ch in ref):  # more likely a mistyped family id
                    self.get(ref)
                raise
        family = self._by_tag.get(tag)
        if family is None:
            raise UnknownFamily(f"variant code '{ref}' is for a family this bank does not have")
        if seed is not None and seed != code_seed:
            raise NcquizError(f"variant code '{ref}' already fixes seed {code_seed}; drop --seed {seed}")
        return family, code_seed

    def select(self, topics: list[str] | None = None, difficulty: int | None = None) -> list[Family]:
        """Families whose topic matches any selector (an id or an area such as `cnn`), of a difficulty."""
        for t in topics or []:
            if t not in TOPICS and t not in AREAS:
                close = difflib.get_close_matches(t, [*TOPICS, *AREAS], n=3)
                hint = f"; did you mean {', '.join(close)}?" if close else f"; areas are {', '.join(AREAS)}"
                raise NcquizError(f"unknown topic '{t}'{hint}")
        return [f for f in self.families
                if (not topics or any(matches(f.topic, t) for t in topics))
                and (difficulty is None or f.difficulty == difficulty)]

    def variant(self, ref: str, seed: int | None = None, secret=None) -> Question:
        family, seed = self.resolve(ref, seed, secret)
        return generate(family, seed)


def bank_directories(extra: list[str | Path] | None = None) -> list[Path]:
    """The built-in bank, then the directories of NCQUIZ_BANK (separated by ':'), then `extra`."""
    dirs = [data_dir("question_bank")]
    env = os.environ.get("NCQUIZ_BANK", "")
    for item in [*(p for p in env.split(os.pathsep) if p), *(extra or [])]:
        path = Path(item).expanduser()
        if not path.is_dir():
            raise NcquizError(f"bank directory '{item}' " + ("is a file, not a folder" if path.exists() else "does not exist"))
        dirs.append(path)
    return dirs


_CACHE: dict[tuple, Bank] = {}


def load_bank(extra: list[str | Path] | None = None) -> Bank:
    """The bank of the built-in families plus any instructor directories (read once per process)."""
    dirs = bank_directories(extra)
    key = tuple(str(d.resolve()) for d in dirs)
    if key not in _CACHE:
        _CACHE[key] = Bank(*read_bank(dirs))
    return _CACHE[key]
