"""Short answers marked against rubric points: a point is earned when any of its phrasings appears.

Matching ignores case, punctuation and a simple plural -s on either side; a phrase may match
the start of a longer word (`vanish` matches `vanishing`); an occurrence right after a
negation (`not`, `no`, `without`, ...) does not count.
"""

from __future__ import annotations

import re

from ncquiz.bank.model import RubricPoint

NEGATIONS = {"not", "no", "never", "without", "dont", "doesnt", "isnt", "arent", "cannot", "cant", "wont", "nor"}


def words(text: str) -> list[str]:
    """Lowercase words without punctuation, each with a plural -s (or -es after s/x/sh/ch) removed."""
    text = text.lower().replace("’", "'").replace("'", "")
    out = []
    for w in re.findall(r"[a-z0-9]+", text):
        if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-2] if w.endswith(("sses", "xes", "shes", "ches")) else w[:-1]
        out.append(w)
    return out


def found(phrase: str, answer_words: list[str]) -> bool:
    """Whether the phrase's words occur in order in the answer (the last may start a longer word), not negated."""
    target = words(phrase)
    if not target:
        return False
    n = len(target)
    for i in range(len(answer_words) - n + 1):
        window = answer_words[i : i + n]
        if window[:-1] == target[:-1] and window[-1].startswith(target[-1]):
            if not NEGATIONS.intersection(answer_words[max(0, i - 3) : i]):
                return True
    return False


def points_made(answer: str, rubric: tuple[RubricPoint, ...]) -> list[RubricPoint]:
    """The rubric points the answer makes."""
    answer_words = words(answer)
    return [p for p in rubric if any(found(phrase, answer_words) for phrase in p.phrases)]
