"""The machine-readable answer key of a set of papers (key.json), as `ncquiz mark --key` reads it.

    {"format": "ncquiz-key", "version": 1, "title": ..., "students": {
        "s001": {"name": "...", "questions": [
            {"number": 1, "code": "<code printed on the paper>", "variant": "<variant code>",
             "family": "...", "marks": 4, "answers": {"a": ...}}]}}}

The printed code is the variant code, or an opaque one when the papers were made with a
secret; the key maps it back. Marking with a key also checks that each answered question was
on that student's paper.
"""

from __future__ import annotations

import json
from pathlib import Path

from ncquiz.errors import NcquizError

FORMAT = "ncquiz-key"


class AnswerKey:
    """Which variants each student was given, by the code printed on their paper."""

    def __init__(self, data: dict, source: str = "key"):
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("students"), dict):
            raise NcquizError(f"{source}: not an ncquiz answer key (expected a key.json written by `ncquiz worksheet --key`)")
        self.data = data
        self.printed: dict[str, dict[str, str]] = {}
        for student, entry in data["students"].items():
            questions = entry.get("questions") if isinstance(entry, dict) else None
            if not isinstance(questions, list):
                raise NcquizError(f"{source}: student {student} has no list of questions")
            self.printed[str(student)] = {str(q["code"]).upper(): str(q["variant"]) for q in questions
                                          if isinstance(q, dict) and "code" in q and "variant" in q}

    @classmethod
    def load(cls, path: str | Path) -> AnswerKey:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise NcquizError(f"cannot read the key {path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise NcquizError(f"{path} is not an ncquiz answer key (not UTF-8 text)") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise NcquizError(f"{path} is not valid JSON (line {exc.lineno}: {exc.msg})") from None
        return cls(data, str(path))

    def resolve(self, student: str, code: str) -> str:
        """The variant code behind the code printed on `student`'s paper; NcquizError saying why there is none."""
        papers = self.printed.get(student)
        if papers is None:
            raise NcquizError(f"student '{student}' is not in the answer key")
        variant = papers.get(code.strip().upper())
        if variant is None:
            raise NcquizError(f"question '{code}' was not on the paper of student '{student}'")
        return variant
