"""Question families (as read from the bank) and the questions drawn from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

NUMERIC_TYPES = ("integer", "number", "vector", "matrix", "shape")
CHOICE_TYPES = ("choice", "multi")
ANSWER_TYPES = NUMERIC_TYPES + CHOICE_TYPES + ("text",)

RULE_KINDS = ("exact", "abs", "rel", "dp", "sf")


@dataclass(frozen=True)
class Rule:
    """How a numeric answer is compared: exact, abs/rel tolerance, decimal places or significant figures."""

    kind: str
    value: float | int | None = None

    def as_json(self) -> dict:
        return {self.kind: True if self.kind == "exact" else self.value}

    def describe(self) -> str:
        """The rule as a student reads it beside the part ('to 2 d.p.')."""
        if self.kind == "dp":
            return f"to {self.value} d.p."
        if self.kind == "sf":
            return f"to {self.value} s.f."
        if self.kind == "abs":
            return f"within ±{self.value:g}"
        if self.kind == "rel":
            return f"within {self.value * 100:g}%"
        return "exact"


@dataclass(frozen=True)
class Option:
    """A multiple-choice option: its text (a template), whether it is right, why, and the mistake it stands for."""

    text: str
    correct: bool = False
    why: str = ""
    mistake: str = ""


@dataclass(frozen=True)
class RubricPoint:
    """One point of a short-answer rubric, with its marks and the phrasings that earn it."""

    point: str
    marks: float
    phrases: tuple[str, ...]


@dataclass(frozen=True)
class Mistake:
    """A known wrong method: the part recomputed with some arguments (or the answer) replaced."""

    name: str
    args: dict = field(default_factory=dict)
    answer: str | None = None
    feedback: str = ""


@dataclass(frozen=True)
class PartSpec:
    """A part of a family as written in the bank file (templates and expressions uncompiled)."""

    label: str
    type: str
    marks: float
    prompt: str = ""
    solver: str | None = None
    args: dict = field(default_factory=dict)
    answer: str | None = None
    rule: Rule | None = None
    partial: bool = False
    hint: str = ""
    solution: str = ""
    options: tuple[Option, ...] = ()
    pick: int | None = None
    rubric: tuple[RubricPoint, ...] = ()
    model_answer: str = ""
    mistakes: tuple[Mistake, ...] = ()
    uses: tuple[str, ...] = ()

    @property
    def numeric(self) -> bool:
        return self.type in NUMERIC_TYPES


@dataclass(frozen=True)
class Family:
    """A parameterised question family: one bank file."""

    id: str
    topic: str
    title: str
    difficulty: int
    prompt: str
    parts: tuple[PartSpec, ...]
    params: dict = field(default_factory=dict)
    require: tuple[str, ...] = ()
    conventions: tuple[str, ...] = ()
    solution: str = ""
    examples: tuple[int, ...] = ()
    path: Path | None = None
    tag: int = 0

    @property
    def marks(self) -> float:
        total = sum(p.marks for p in self.parts)
        return int(total) if float(total).is_integer() else total

    @property
    def answer_types(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.type for p in self.parts))

    @property
    def numeric(self) -> bool:
        """A family is numeric when any of its parts asks for a number, array or shape."""
        return any(p.numeric for p in self.parts)

    def part(self, label: str) -> PartSpec | None:
        return next((p for p in self.parts if p.label == label), None)

    def summary(self) -> dict:
        """What `ncquiz list --json` shows of a family."""
        return {
            "id": self.id,
            "topic": self.topic,
            "title": self.title,
            "marks": self.marks,
            "difficulty": self.difficulty,
            "answer_types": list(self.answer_types),
            "parts": len(self.parts),
        }
