"""The practice session: picks variants, asks each part, marks at once, records history.

The loop talks to the student only through a `ui` object (ncquiz.render.session implements
it with rich; tests use a scripted one), so the logic here never prints. Ctrl-C and Ctrl-D
(KeyboardInterrupt, EOFError from `ui.ask`) end the session with its summary; every answered
part is recorded in the history at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from ncquiz.bank import Bank, Family, Question, generate
from ncquiz.errors import NcquizError
from ncquiz.marking.mark import Marker, PartMark

COMMANDS = ("hint", "solution", "skip", "quit")


@dataclass
class Plan:
    """What to ask: (family, seed) pairs in order, and how."""

    items: list[tuple[Family, int]]
    mode: str = "practice"  # practice | exam | review | single
    seed: int | None = None
    topics: list[str] = field(default_factory=list)
    exam_seconds: float | None = None


@dataclass
class Asked:
    """One question as it went: the variant and each part's mark (None: not reached)."""

    question: Question
    marks: dict[str, PartMark] = field(default_factory=dict)

    @property
    def score(self) -> float:
        return sum(m.score for m in self.marks.values())

    @property
    def max(self) -> float:
        return self.question.marks

    @property
    def mistakes(self) -> list[str]:
        return [m.mistake for m in self.marks.values() if m.mistake]

    @property
    def status(self) -> str:
        if not self.marks:
            return "not reached"
        if len(self.marks) < len(self.question.parts):
            return "unfinished"
        if self.score >= self.max:
            return "correct"
        return "partial" if self.score > 0 else "wrong"


@dataclass
class Result:
    """A finished session: the questions asked, how it ended, the total."""

    asked: list[Asked]
    mode: str
    ended: str = "finished"  # finished | quit | interrupted | time
    planned: int = 0

    @property
    def score(self) -> float:
        return round(sum(a.score for a in self.asked), 2)

    @property
    def max(self) -> float:
        return round(sum(a.max for a in self.asked), 2)


class Ended(Exception):
    """The student quit (or the time ran out): stop asking."""

    def __init__(self, how: str):
        super().__init__(how)
        self.how = how


# ---------------------------------------------------------------- planning


def plan_practice(bank: Bank, topics: list[str] | None, count: int, difficulty: int | None,
                  rng: np.random.Generator) -> list[tuple[Family, int]]:
    """A balanced mix: topics taken in turn (shuffled), a random family of each, never the same family twice in a row."""
    families = bank.select(topics, difficulty)
    if not families:
        raise NcquizError("no question family matches these topics and difficulty; see `ncquiz list`")
    by_topic: dict[str, list[Family]] = {}
    for f in families:
        by_topic.setdefault(f.topic, []).append(f)
    order = [list(by_topic)[i] for i in rng.permutation(len(by_topic))]
    items: list[tuple[Family, int]] = []
    previous = None
    for i in range(count):
        pool = by_topic[order[i % len(order)]]
        choices = [f for f in pool if f is not previous] or [f for f in families if f is not previous] or pool
        family = choices[int(rng.integers(len(choices)))]
        items.append((family, int(rng.integers(2**32))))
        previous = family
    return items


# ---------------------------------------------------------------- the session


class Session:
    """Runs a plan: asks, marks, records, and returns the result."""

    def __init__(self, plan: Plan, ui, history=None, clock=time.monotonic):
        self.plan = plan
        self.ui = ui
        self.history = history
        self.clock = clock
        self.session_id = None
        self.deadline = None

    @property
    def exam(self) -> bool:
        return self.plan.mode == "exam"

    def run(self) -> Result:
        result = Result([], self.plan.mode, planned=len(self.plan.items))
        self.session_id = self._save("start_session", self.plan.mode, self.plan.seed, self.plan.topics,
                                     len(self.plan.items))
        if self.plan.exam_seconds:
            self.deadline = self.clock() + self.plan.exam_seconds
        try:
            for number, (family, seed) in enumerate(self.plan.items, 1):
                self._check_time()
                if self.deadline is not None:
                    self.ui.time_left(self.deadline - self.clock())
                asked = Asked(generate(family, seed))
                result.asked.append(asked)
                self.ui.question(asked.question, number, len(self.plan.items), self.exam)
                self._ask_question(asked)
        except Ended as end:
            result.ended = end.how
        except (KeyboardInterrupt, EOFError):
            result.ended = "interrupted"
        self._save("end_session", self.session_id, result.score, result.max, len(result.asked))
        if self.exam:
            self.ui.report(result)
        self.ui.summary(result)
        return result

    def _check_time(self) -> None:
        if self.deadline is not None and self.clock() >= self.deadline:
            raise Ended("time")

    def _ask_question(self, asked: Asked) -> None:
        q = asked.question
        marker = Marker(q)
        for part in q.parts:
            self._check_time()
            started = self.clock()
            hinted = False
            while True:
                text = self._read_answer(part)
                self._check_time()  # typed after the time ran out: not marked
                word = text.strip().lower()
                if word == "quit":
                    raise Ended("quit")
                if word == "hint":
                    hinted = True
                    self.ui.hint(part, part.hint or " ".join(q.family.conventions) or "No hint for this part.")
                    continue
                if word in ("solution", "skip"):
                    status = "revealed" if word == "solution" else "skipped"
                    mark = PartMark(part.label, 0, part.marks, status,
                                    "Solution shown: no marks." if word == "solution" else "Skipped.")
                    marker.values.pop(part.label, None)
                    if word == "solution":
                        self.ui.solution(part)
                    break
                if not word:
                    self.ui.unreadable(part, "Type your answer, or hint, solution, skip or quit.")
                    continue
                mark = marker.mark(part.label, text)
                if mark.status == "unreadable":
                    self.ui.unreadable(part, mark.feedback)
                    continue
                break
            asked.marks[part.label] = mark
            self._record(asked, part, None if mark.status in ("revealed", "skipped") else text, mark, hinted,
                         self.clock() - started)
            if not self.exam and mark.status not in ("revealed", "skipped"):
                self.ui.marked(part, mark)
                if mark.status in ("wrong", "partial"):
                    self.ui.solution(part)

    def _read_answer(self, part) -> str:
        """One answer; a matrix may come one row per line, ended by an empty line."""
        text = self.ui.ask(part, False)
        if part.type == "matrix" and _single_row(text):
            rows = [text]
            while True:
                more = self.ui.ask(part, True)
                if not more.strip():
                    break
                rows.append(more)
            text = "\n".join(rows)
        return text

    def _record(self, asked: Asked, part, text, mark: PartMark, hinted: bool, seconds: float) -> None:
        q = asked.question
        self._save("record", self.session_id, family=q.family.id, topic=q.family.topic, variant=q.code,
                   part=part.label, answer=text, score=mark.score, max=mark.max, status=mark.status,
                   mistake=mark.mistake, follow_through=mark.follow_through, hint=hinted,
                   revealed=mark.status == "revealed", seconds=round(seconds, 1))

    def _save(self, method: str, *args, **kwargs):
        """Call the history; if saving fails (disk full, database locked), say so once and practise on."""
        if self.history is None:
            return None
        try:
            return getattr(self.history, method)(*args, **kwargs)
        except NcquizError as exc:
            self.ui.warn(f"Your answers are no longer being saved: {exc}")
            self.history = None
            return None


def _single_row(text: str) -> bool:
    """A line that is one row of a matrix typed row by row (not a whole matrix, not a command)."""
    t = text.strip()
    if not t or t.lower() in COMMANDS or ";" in t or t.startswith(("[[", "((")):
        return False
    return not (t.startswith(("[", "(")) and ("][" in t.replace(" ", "").replace(",", "")
                                             or ")(" in t.replace(" ", "").replace(",", "")))
