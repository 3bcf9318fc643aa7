"""Short answers marked against rubric points: a point is earned when any of its phrasings appears.

Matching ignores case, punctuation and a simple plural -s on either side; a phrase word of
four letters or more may match the start of a longer word (`vanish` matches `vanishing`,
`local connect` matches `locally connected`); an occurrence within three words after a
negation (`not`, `no`, `without`, `instead of`, and contractions such as `doesn't`) does not
count, unless the phrase itself states the negation (`not vanish`).
"""

from __future__ import annotations

import functools
import re

from ncquiz.bank.model import RubricPoint

NEGATIONS = {"not", "no", "never", "without", "cannot", "nor", "neither", "none", "instead", "rather"}
"""Words that negate the next three words ("instead of X", "rather than X" included)."""

_CONTRACTIONS = re.compile(r"(ca|wo|do|does|did|is|are|was|were|has|have|had|would|could|should|must|need)n['’]t\b")


def words(text: str) -> list[str]:
    """Lowercase words without punctuation, each with a plural -s (or -es after s/x/sh/ch) removed;
    contractions opened up (doesn't: does not; can't: can not), so one negation list serves all."""
    text = _CONTRACTIONS.sub(lambda m: {"ca": "can", "wo": "will"}.get(m.group(1), m.group(1)) + " not", text.lower())
    text = text.replace("’", "'").replace("'", "")
    out = []
    for w in re.findall(r"[a-z0-9]+", text):
        if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-2] if w.endswith(("sses", "xes", "shes", "ches")) else w[:-1]
        out.append(w)
    return out


def _word_matches(word: str, target: str) -> bool:
    """A phrase word of four or more letters may start a longer word (local: locally); short ones match whole."""
    return word == target or (len(target) >= 4 and word.startswith(target))


@functools.lru_cache(maxsize=4096)
def _phrase(phrase: str) -> tuple[str, ...]:
    return tuple(words(phrase))


class Answer:
    """An answer's words, indexed by their first four letters so each phrase is looked up, not scanned for."""

    def __init__(self, text: str):
        self.words = words(text)
        self.index: dict[str, list[int]] = {}
        for i, w in enumerate(self.words):
            self.index.setdefault(w[:4], []).append(i)

    def has(self, phrase: str) -> bool:
        """Whether the phrase's words occur together, in order, and not right after a negation."""
        target = _phrase(phrase)
        if not target:
            return False
        n, answer_words = len(target), self.words
        negated_phrase = bool(NEGATIONS.intersection(target))  # "not vanish": its own negation is the point
        for i in self.index.get(target[0][:4], ()):
            window = answer_words[i : i + n]
            if len(window) == n and all(_word_matches(w, t) for w, t in zip(window, target)):
                if negated_phrase or not NEGATIONS.intersection(answer_words[max(0, i - 3) : i]):
                    return True
        return False


def found(phrase: str, answer_words: list[str]) -> bool:
    """Whether the phrase occurs in the answer given as its words (see Answer.has)."""
    answer = Answer("")
    answer.words = answer_words
    for i, w in enumerate(answer_words):
        answer.index.setdefault(w[:4], []).append(i)
    return answer.has(phrase)


def points_made(answer: str, rubric: tuple[RubricPoint, ...]) -> list[RubricPoint]:
    """The rubric points the answer makes."""
    indexed = Answer(answer)
    return [p for p in rubric if any(indexed.has(phrase) for phrase in p.phrases)]
