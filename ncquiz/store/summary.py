"""Progress numbers from the stored answers: per topic, mistakes, sessions, mastery.

Pure functions of the rows `History.answers()` and `History.sessions()` return. Counting rules:
a part marked "unreadable" was never scored, so it counts nowhere; every other part (blank,
"skipped" and "revealed" ones included, all with score 0) is an attempt at that part. A topic's
`attempts` are the questions tried in it (one variant in one session), its `parts_answered` the
parts; `accuracy` is the sum of scores over the sum of maximum marks.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from ncquiz.store.leitner import attempts, schedule

DECAY = 0.7
"""Weight of each older part relative to the next newer one, in the weighted accuracy."""
PRIOR = 2
"""Mastery is the weighted accuracy times n / (n + PRIOR): little practice keeps it near 0."""
RECENT_SESSIONS = 10


def scored(answers: list[dict]) -> list[dict]:
    """The answers that were marked (all but unreadable ones)."""
    return [a for a in answers if a["status"] != "unreadable"]


def ratio(answer: dict) -> float:
    """The fraction of its marks one answer earned."""
    return answer["score"] / answer["max"] if answer["max"] > 0 else 0.0


def weighted_accuracy(ratios: list[float]) -> float:
    """The mean fraction of marks earned, oldest first in `ratios`, each older part weighing DECAY
    times the next newer one: the last few answers dominate, and an old weakness fades once fixed."""
    total = weights = 0.0
    w = 1.0
    for r in reversed(ratios):
        total += w * r
        weights += w
        w *= DECAY
    return total / weights if weights else 0.0


def mastery(ratios: list[float]) -> float:
    """A mastery estimate in [0, 1]: the weighted accuracy shrunk towards 0 when little is known.

    It is weighted_accuracy(ratios) times n / (n + PRIOR) for n parts answered, so one correct
    part gives 0.33, three give 0.6, ten 0.83.
    """
    n = len(ratios)
    return weighted_accuracy(ratios) * n / (n + PRIOR)


def topic_ratios(answers: list[dict]) -> dict[str, list[float]]:
    """The fractions of marks earned in each topic, oldest first."""
    by_topic: dict[str, list[float]] = {}
    for a in scored(answers):
        by_topic.setdefault(a["topic"], []).append(ratio(a))
    return by_topic


def _num(x: float, digits: int = 4):
    x = round(float(x), digits)
    return int(x) if x.is_integer() else x


def accuracy(rows: list[dict]):
    """The sum of the scores over the sum of the maximum marks (0 when nothing was scored)."""
    marks = sum(a["max"] for a in rows)
    return _num(sum(a["score"] for a in rows) / marks) if marks else 0


def summarize(answers: list[dict], sessions: list[dict], now: datetime) -> dict:
    """What `ncquiz stats --json` prints: totals, per topic, mistakes, recent sessions, what is due."""
    rows = scored(answers)
    by_topic: dict[str, list[dict]] = {}
    for a in rows:
        by_topic.setdefault(a["topic"], []).append(a)
    tried = Counter(topic for _, topic, _, _ in attempts(answers))
    topics = {topic: {"attempts": tried[topic], "parts_answered": len(mine), "accuracy": accuracy(mine),
                      "last_practised": mine[-1]["time"], "mastery": _num(mastery([ratio(a) for a in mine]))}
              for topic, mine in sorted(by_topic.items())}
    mistakes = Counter(a["mistake"] for a in rows if a["mistake"])
    recent = [s for s in sessions if s["parts_answered"]][-RECENT_SESSIONS:][::-1]
    return {
        "parts_answered": len(rows),
        "accuracy": accuracy(rows),
        "topics": topics,
        "mistakes": sorted(([name, n] for name, n in mistakes.items()), key=lambda kv: (-kv[1], kv[0])),
        "sessions": [{**s, "score": _num(s["score"], 2), "max": _num(s["max"], 2)} for s in recent],
        "due": [d.as_json() for d in schedule(answers, now) if d.due <= now],
    }
