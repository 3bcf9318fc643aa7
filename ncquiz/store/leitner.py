"""The Leitner schedule of each question family, from the stored answers.

A family not yet answered stands in box 1. Each time it is answered fully correct (every part
correct, no hint used, no solution revealed) it moves up a box, to at most box 5; anything
else sends it back to box 1. It is due again INTERVALS[box - 1] days after it was
last answered. Pure functions of the answer rows and `now`: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

INTERVALS = (1, 2, 4, 8, 16)
"""Days until a family in box 1, 2, ... 5 is due again."""


@dataclass(frozen=True)
class Due:
    """Where one family stands: its box, when it was last answered, when it is due again."""

    family: str
    topic: str
    box: int
    last_seen: datetime
    due: datetime
    attempts: int

    def as_json(self) -> dict:
        return {"family": self.family, "topic": self.topic, "box": self.box,
                "last_seen": self.last_seen.isoformat(timespec="seconds"),
                "due": self.due.isoformat(timespec="seconds"), "attempts": self.attempts}


def attempts(answers: list[dict]) -> list[tuple[str, str, datetime, bool]]:
    """Each question attempt (a variant in a session), oldest first: family, topic, time, fully correct."""
    grouped: dict[tuple, list[dict]] = {}
    for a in answers:
        if a["status"] != "unreadable":
            grouped.setdefault((a["session"], a["family"], a["variant"]), []).append(a)
    out = []
    for (_, family, _), parts in grouped.items():
        right = all(p["status"] == "correct" and not p["hint"] and not p["revealed"] for p in parts)
        out.append((family, parts[-1]["topic"], datetime.fromisoformat(parts[-1]["time"]), right))
    out.sort(key=lambda t: t[2])
    return out


def schedule(answers: list[dict], now: datetime) -> list[Due]:
    """Every family answered before `now`, soonest (most overdue) due first."""
    state: dict[str, Due] = {}
    for family, topic, when, right in attempts(answers):
        if when > now:
            continue
        before = state.get(family)
        box = min((before.box if before else 1) + 1, len(INTERVALS)) if right else 1
        state[family] = Due(family, topic, box, when, when + timedelta(days=INTERVALS[box - 1]),
                            (before.attempts if before else 0) + 1)
    return sorted(state.values(), key=lambda d: (d.due, d.family))
