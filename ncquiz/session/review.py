"""Spaced review: which families to ask next, from the Leitner schedule and the weak topics.

Pure functions of the stored answers (`History.answers()`), `now` and a Generator: no I/O.
The schedule itself (boxes 1 to 5, due after 1, 2, 4, 8, 16 days) is ncquiz.store.leitner's.
"""

from __future__ import annotations

from datetime import datetime

from ncquiz.store.leitner import INTERVALS, Due, schedule
from ncquiz.store.summary import topic_ratios, weighted_accuracy

__all__ = ["INTERVALS", "WEAK", "Due", "pick_review", "schedule"]

WEAK = 0.6
"""A topic whose recent accuracy (ncquiz.store.summary.weighted_accuracy) is below this is weak:
its families come before new ones. (Not the mastery estimate: a topic answered right once is
little known, not weak.)"""


def pick_review(answers: list[dict], families, count: int, now: datetime, rng) -> list[str]:
    """Family ids to ask, in order: due ones (most overdue first), then those of weak topics
    (weakest first), then never-seen ones (unpractised and weakest topics first), then the rest
    (soonest due first).

    `families` are the candidates (objects with .id and .topic); ties are broken by `rng`, so
    a given Generator state always gives the same list. With more questions than families the
    order repeats, which never puts a family twice in a row; a single family is asked once.
    """
    candidates = list({f.id: f for f in families}.values())
    if count <= 0 or not candidates:
        return []
    standing = {d.family: d for d in schedule(answers, now)}
    form = {topic: weighted_accuracy(r) for topic, r in topic_ratios(answers).items()}

    def rank(family) -> tuple:
        seen, accuracy = standing.get(family.id), form.get(family.topic, 0.0)
        if seen is None:
            return (2, accuracy)
        if seen.due <= now:
            return (0, seen.due)
        if accuracy < WEAK:
            return (1, accuracy)
        return (3, seen.due)

    shuffled = [candidates[i] for i in rng.permutation(len(candidates))]
    order = [f.id for f in sorted(shuffled, key=rank)]
    if len(order) == 1:
        return order
    return [order[i % len(order)] for i in range(count)]
