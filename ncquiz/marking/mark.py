"""Marking answers the way a fair human marker does.

Per part, the bank's rule decides what is right (exact, abs/rel tolerance, decimal places,
significant figures); arrays of the right shape earn credit per correct entry where the
family allows it; a later part is also marked against the value recomputed from the
student's own earlier answer (follow-through); a wrong numeric answer that matches a known
wrong method is named. Unreadable answers are never scored as wrong. Feedback never gives
the reference answer away (short answers excepted: their feedback ends with the model answer).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ncquiz.bank.generate import Question, QuestionPart
from ncquiz.bank.model import NUMERIC_TYPES, Rule
from ncquiz.errors import NcquizError
from ncquiz.marking.parse import Unreadable, comma_reading, number_readings, parse
from ncquiz.marking.rubric import points_made

STATUSES = ("correct", "partial", "wrong", "unreadable", "blank")
RECOMPUTE_ERRORS = (NcquizError, ArithmeticError, ValueError, TypeError, IndexError)
CLOSE = " Close: check your rounding"


@dataclass
class PartMark:
    """The mark of one part: score out of max, status, feedback, and what the marker found."""

    label: str
    score: float
    max: float
    status: str
    feedback: str
    mistake: str | None = None
    follow_through: bool = False
    value: object = None

    def as_json(self) -> dict:
        out = {"label": self.label, "score": _tidy(self.score), "max": _tidy(self.max), "status": self.status,
               "feedback": self.feedback}
        if self.mistake:
            out["mistake"] = self.mistake
        if self.follow_through:
            out["follow_through"] = True
        return out


@dataclass
class QuestionMark:
    """The marks of every part of one variant."""

    variant: str
    parts: list[PartMark] = field(default_factory=list)

    @property
    def score(self) -> float:
        return _tidy(sum(p.score for p in self.parts))

    @property
    def max(self) -> float:
        return _tidy(sum(p.max for p in self.parts))

    def as_json(self) -> dict:
        return {"variant": self.variant, "score": self.score, "max": self.max,
                "parts": [p.as_json() for p in self.parts]}


def _tidy(x: float):
    x = round(float(x), 2)
    return int(x) if x.is_integer() else x


# ---------------------------------------------------------------- comparing numbers


def tolerance(ref: np.ndarray, rule: Rule | None) -> np.ndarray:
    """The largest accepted |answer - reference| for each entry under the rule."""
    ref = np.abs(np.asarray(ref, dtype=float))
    fuzz = 1e-9 * ref + 1e-12  # float noise in the reference's last bits
    if rule is None or rule.kind == "exact":
        return fuzz
    if rule.kind == "abs":
        return rule.value + fuzz
    if rule.kind == "rel":
        return rule.value * ref + fuzz
    if rule.kind == "dp":  # within half a unit of the last asked place
        return 0.5 * 10.0 ** (-rule.value) + fuzz
    # sf: half a unit of the rule.value-th significant figure of the reference. Relative only: a
    # fixed fuzz would swamp a tiny reference (2.28e-19 to 3 s.f. must not accept 0).
    with np.errstate(divide="ignore"):
        exponent = np.where(ref > 0, np.floor(np.log10(np.where(ref > 0, ref, 1.0))), 0.0)
    return 0.5 * 10.0 ** (exponent - rule.value + 1) + 1e-9 * ref


def matches(value, ref, rule: Rule | None, slack: float = 1.0) -> np.ndarray:
    """Entry by entry: is the answer within the rule (times `slack`) of the reference? (Shapes must agree.)"""
    return np.abs(np.asarray(value, dtype=float) - np.asarray(ref, dtype=float)) <= slack * tolerance(ref, rule)


def _same_shape(value, ref) -> bool:
    return np.shape(value) == np.shape(ref)


def _agrees(value, ref, rule, slack: float = 1.0) -> bool:
    return _same_shape(value, ref) and bool(np.all(matches(value, ref, rule, slack)))


def _position(index: tuple) -> str:
    """Where an entry is, counted from 1 as the questions count: 'row 2, column 1', '3', '(1, 2, 2)'."""
    if len(index) == 1:
        return str(index[0] + 1)
    if len(index) == 2:
        return f"(row {index[0] + 1}, column {index[1] + 1})"
    return "(" + ", ".join(str(i + 1) for i in index) + ")"


def _shape_text(shape) -> str:
    if len(shape) == 0:
        return "a single number"
    if len(shape) == 1:
        return f"a vector of {shape[0]}"
    return "a " + "x".join(str(n) for n in shape) + (" matrix" if len(shape) == 2 else " array")


def trivial_entries(value) -> bool:
    """Every entry zero (or the answer empty)."""
    a = np.asarray(value, dtype=float)
    return a.size == 0 or not np.any(a)


def trivial(value) -> bool:
    """An earlier answer that would make a later part trivial: zeros, an identity, an empty shape, or a
    one-hot matrix (as a kernel it only copies the input)."""
    if trivial_entries(value):
        return True
    a = np.asarray(value, dtype=float)
    if a.ndim == 2 and a.shape[0] == a.shape[1] and a.shape[0] > 1 and np.array_equal(a, np.eye(a.shape[0])):
        return True
    if a.ndim == 2 and a.size > 1 and np.count_nonzero(a) == 1 and a[np.nonzero(a)][0] == 1:
        return True
    return False


def negligible(value, ref) -> bool:
    """Every entry of value is tiny beside the reference's largest (0.001 beside 0.7): zeros in all
    but name, which would make a later part trivial just as zeros do."""
    scale = float(np.max(np.abs(np.asarray(ref, dtype=float)), initial=0.0))
    return scale > 0 and bool(np.all(np.abs(np.asarray(value, dtype=float)) <= 1e-3 * scale))


def saturated(value, rule) -> bool:
    """Every entry is -1, 0 or 1 to the part's accuracy, as a tanh or sigmoid gives when an earlier answer
    is far too large (h_1 = 100)."""
    a = np.asarray(value, dtype=float)
    if a.size == 0 or np.issubdtype(np.asarray(value).dtype, np.integer):
        return False
    nearest = np.clip(np.round(a), -1, 1)
    return bool(np.all(np.abs(a - nearest) <= tolerance(nearest, rule)))


# ---------------------------------------------------------------- marking


class Marker:
    """Marks the parts of one question in order, remembering earlier answers for follow-through."""

    def __init__(self, question: Question):
        self.question = question
        self.values: dict[str, object] = {}  # readable earlier answers, by label

    def mark(self, label: str, text: str | None) -> PartMark:
        part = self.question.part(label)
        if text is None or not str(text).strip():
            return PartMark(label, 0, part.marks, "blank", "No answer given.")
        try:
            value = parse(text, part.type, "".join(letter for letter, _ in part.options) or "abcdefghij")
        except Unreadable as exc:
            return PartMark(label, 0, part.marks, "unreadable", f"Cannot read this answer: {exc}.")
        if part.type in NUMERIC_TYPES:
            result = self._numeric(part, value, str(text))
        elif part.type in ("choice", "multi"):
            result = self._choice(part, value)
        else:
            result = self._text(part, value)
        if result.value is None:  # (a numeric mark holds the reading it chose)
            result.value = value
        if part.type in NUMERIC_TYPES:
            self.values[label] = self._as_answer(part, result.value)
        return result

    # ------------------------------------------------------------ numeric

    def _numeric(self, part: QuestionPart, value, text: str) -> PartMark:
        ref = np.asarray(part.answer, dtype=float)
        candidates = [value]
        if part.type in ("number", "integer"):
            try:
                candidates = [np.float64(v) for v in number_readings(text)]
            except ValueError:
                pass
        elif (other := comma_reading(text, part.type)) is not None:  # '0,8, 0,9': decimal commas or not
            candidates.append(other)
        scored = [(self._score(part, c, ref), c) for c in candidates]  # the best reading; of equals, one of the
        best, chosen = max(scored, key=lambda mc: (mc[0].score, _same_shape(mc[1], ref)))  # expected shape
        best.value = chosen
        if best.status == "correct":
            return best
        follow = self._follow_through(part, candidates)
        if follow is not None:
            return follow
        mistake = self._diagnose(part, candidates)
        if mistake:  # a known method error explains the answer better than rounding does
            best.mistake = mistake
            best.feedback = best.feedback.partition(CLOSE)[0] + f" This is what you get when {mistake}."
        return best

    def _score(self, part: QuestionPart, value, ref) -> PartMark:
        label, marks, rule = part.label, part.marks, part.rule
        if part.type == "shape":
            ref = np.asarray(part.answer)
        if not _same_shape(value, ref):
            if part.type == "shape":
                return PartMark(label, 0, marks, "wrong",
                                f"Expected {len(ref)} numbers (H x W x C); you gave {len(np.ravel(value))}.")
            return PartMark(label, 0, marks, "wrong",
                            f"Expected {_shape_text(ref.shape)}; you gave {_shape_text(np.shape(value))}.")
        ok = matches(value, ref, rule)
        if ok.all():
            return PartMark(label, marks, marks, "correct", "Correct.")
        if part.spec.partial and ok.any() and ok.size > 1 and not (trivial_entries(value) and not trivial_entries(ref)):
            # (all zeros is no answer: on a mostly-zero reference, such as a max-pool gradient, it
            # would otherwise match most entries)
            score = math.floor(marks * ok.sum() / ok.size * 4) / 4  # quarter marks, rounded down
            wrong = [_position(idx) for idx in zip(*np.nonzero(~ok))]
            one, many = ("component", "components") if part.type == "shape" else ("entry", "entries")
            listed = ", ".join(wrong[:6]) + (" ..." if len(wrong) > 6 else "")
            feedback = (f"{int(ok.sum())} of {ok.size} {many} correct; "
                        f"check {one if len(wrong) == 1 else many} {listed}.")
            return PartMark(label, score, marks, "partial" if score > 0 else "wrong", feedback)
        feedback = "Not correct."
        if rule is not None and rule.kind in ("dp", "sf") and \
                np.all(np.abs(np.asarray(value, float) - ref) <= 10 * tolerance(ref, rule)):
            feedback += f"{CLOSE} (marked {rule.describe()})."
        return PartMark(label, 0, marks, "wrong", feedback)

    def _follow_through(self, part: QuestionPart, candidates) -> PartMark | None:
        """Full marks when the answer is right for the student's own earlier answers (not trivial ones)."""
        uses = part.spec.uses
        if not uses:
            return None
        earlier = {}
        for label in uses:
            if label not in self.values:
                return None  # unreadable, blank or not numeric: nothing to follow
            own, ref = self.values[label], self.question.part(label).answer
            if not _same_shape(own, ref) or trivial(own):
                return None
            earlier[label] = own
        refs = {u: self.question.part(u).answer for u in uses}
        if all(np.array_equal(np.asarray(earlier[u], dtype=float), np.asarray(refs[u], dtype=float)) for u in uses):
            return None  # the student's earlier answers are the reference values: nothing different to follow
        right = all(_agrees(earlier[u], refs[u], self.question.part(u).rule) for u in uses)
        try:
            redone = self.question.recompute(part.label, earlier)
        except RECOMPUTE_ERRORS:  # the student's earlier value is outside what the method accepts
            return None
        if not np.all(np.isfinite(np.asarray(redone, dtype=float))) or (
                (trivial(redone) or negligible(redone, part.answer)) and not trivial(part.answer)):
            return None
        if saturated(redone, part.rule) and not saturated(part.answer, part.rule) and self._flat(part, earlier, redone):
            return None  # a tanh or sigmoid pinned at -1, 0 or 1 by a far too large earlier answer (h_1 = 100)
        if any(negligible(earlier[u], refs[u]) for u in uses) and self._as_if_zero(part, earlier, redone):
            return None  # an earlier answer of 1e-9 for 0.7 works as a zero would: the later part is trivial
        allowed = tolerance(redone, part.rule)
        if not right:  # (right answers carried rounded are checked as carried: their own unrounded
            allowed = allowed + self._rounding_spread(part, earlier, redone)  # values give the reference)
        for value in candidates:
            if _same_shape(value, redone) and np.all(np.abs(np.asarray(value, float) - np.asarray(redone, float)) <= allowed):
                names = " and ".join(f"({u})" for u in uses)
                if right:  # right (rounded) earlier answers carried forward: no error to follow through
                    return PartMark(part.label, part.marks, part.marks, "correct",
                                    f"Correct: right working from your rounded answer to {names}.", value=value)
                return PartMark(part.label, part.marks, part.marks, "correct",
                                f"Correct follow-through: right working from your answer to {names}.",
                                follow_through=True, value=value)
        return None

    def _as_if_zero(self, part: QuestionPart, earlier: dict, redone) -> bool:
        """Whether the later answer is what zeros in place of the tiny earlier answers would give (it is
        not when the later part adds to the earlier answer: a count of 514 beside 1.5 million)."""
        zeroed = {u: (v if isinstance(v, tuple) or not negligible(v, self.question.part(u).answer)
                      else np.zeros_like(np.asarray(v, dtype=float))) for u, v in earlier.items()}
        try:
            return _agrees(self.question.recompute(part.label, zeroed), redone, part.rule)
        except RECOMPUTE_ERRORS:
            return False

    def _flat(self, part: QuestionPart, earlier: dict, redone) -> bool:
        """Whether the later answer stays the same when the earlier answers move by 5%: it no longer
        depends on them, so following them through asks for no working."""
        moved = {u: (v if isinstance(v, tuple) else np.asarray(v, dtype=float) * 1.05 + 0.05) for u, v in earlier.items()}
        try:
            shifted = self.question.recompute(part.label, moved)
        except RECOMPUTE_ERRORS:
            return False
        return _agrees(shifted, redone, part.rule)

    def _rounding_spread(self, part: QuestionPart, earlier: dict, redone) -> np.ndarray:
        """How far the later answer can move while the earlier answers stay as written (rounded).

        The student may have carried unrounded values forward: each entry of an earlier answer
        marked to d.p. or s.f. is moved by its half-unit in turn and the effects on the later
        answer are added up (a first-order bound on the rounding carried through).
        """
        spread = np.zeros(np.shape(redone))
        for label, own in earlier.items():
            rule = self.question.part(label).rule
            if rule is None or rule.kind == "exact" or isinstance(own, tuple):
                continue
            own = np.asarray(own, dtype=float)
            half = np.broadcast_to(tolerance(own, rule), own.shape)
            for index in np.ndindex(own.shape):
                moved = own.copy()
                moved[index] += half[index]
                try:
                    shifted = self.question.recompute(part.label, {**earlier, label: moved if own.ndim else float(moved)})
                except RECOMPUTE_ERRORS:
                    continue
                if _same_shape(shifted, redone):
                    spread = spread + np.nan_to_num(np.abs(np.asarray(shifted, float) - np.asarray(redone, float)))
        return 1.5 * spread

    def _diagnose(self, part: QuestionPart, candidates) -> str | None:
        """The name of the known mistake this answer matches, if any."""
        for mistake, alt in self._mistake_answers(part):
            for value in candidates:
                if _agrees(value, alt, part.rule):
                    return mistake.name
        return None

    def _mistake_answers(self, part: QuestionPart) -> list:
        """(mistake, its answer) for the part's known mistakes that differ from the right answer (kept on the
        question, so a class of students answering the same variant computes them once)."""
        known = self.question.known_mistakes
        if part.label not in known:
            found = []
            for mistake in part.spec.mistakes:
                try:
                    alt = self.question.mistaken(part.label, mistake)
                except RECOMPUTE_ERRORS:  # a mistake that cannot be computed for these numbers
                    continue
                if np.shape(alt) == np.shape(part.answer) and _agrees(alt, part.answer, part.rule):
                    continue  # indistinguishable from the right method here
                found.append((mistake, alt))
            known[part.label] = found
        return known[part.label]

    @staticmethod
    def _as_answer(part: QuestionPart, value):
        if part.type == "integer":
            return int(value) if float(value).is_integer() else float(value)
        if part.type == "number":
            return float(value)
        if part.type == "shape":
            return tuple(value)
        return np.asarray(value, dtype=float)

    # ------------------------------------------------------------ choice and text

    def _choice(self, part: QuestionPart, chosen: frozenset) -> PartMark:
        right = set(part.correct)
        if chosen == right:
            return PartMark(part.label, part.marks, part.marks, "correct", "Correct.")
        notes = [part.option_notes[c] for c in sorted(chosen - right)]
        why = " ".join(f"({c}) {n.why}" for c, n in zip(sorted(chosen - right), notes) if n.why)
        mistake = next((n.mistake for n in notes if n.mistake), None)
        if part.type == "choice":
            feedback = "Not correct." + (f" {why}" if why else "")
            if mistake:
                feedback += f" This is what you get when {mistake}."
            return PartMark(part.label, 0, part.marks, "wrong", feedback, mistake=mistake)
        if len(chosen) == len(part.options) > len(right):
            return PartMark(part.label, 0, part.marks, "wrong",
                            "Every option is chosen: choose only those you think are correct.")
        hits, extra = len(chosen & right), len(chosen - right)
        score = max(0.0, part.marks * (hits - extra) / len(right))
        score = math.floor(score * 4) / 4
        feedback = (f"You chose {hits} of the {len(right)} correct options"
                    + (f" and {extra} wrong one{'s' if extra != 1 else ''}" if extra else "") + ".")
        if why:
            feedback += f" {why}"
        return PartMark(part.label, score, part.marks, "partial" if score > 0 else "wrong", feedback, mistake=mistake)

    def _text(self, part: QuestionPart, text: str) -> PartMark:
        made = points_made(text, part.spec.rubric)
        score = min(part.marks, sum(p.marks for p in made))
        missed = [p for p in part.spec.rubric if p not in made]
        status = "correct" if score >= part.marks else "partial" if score > 0 else "wrong"
        lines = []
        if made:
            lines.append("Points made: " + "; ".join(p.point for p in made) + ".")
        if missed and score < part.marks:
            lines.append("Points you could add: " + "; ".join(p.point for p in missed) + ".")
        lines.append(f"Model answer: {part.model_answer}")
        return PartMark(part.label, score, part.marks, status, " ".join(lines))


def mark_question(question: Question, answers: dict[str, str | None]) -> QuestionMark:
    """Mark every part of a question; parts without an answer are blank."""
    marker = Marker(question)
    result = QuestionMark(question.code)
    for part in question.parts:
        result.parts.append(marker.mark(part.label, answers.get(part.label)))
    return result
