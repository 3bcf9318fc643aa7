"""Spaced review on synthetic histories: Leitner boxes, due dates, and what pick_review asks first."""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from ncquiz.session.review import INTERVALS, pick_review, schedule

DAY0 = datetime(2025, 1, 6, 9, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Fam:
    id: str
    topic: str


FAMILIES = [Fam("conv-a", "cnn.convolution"), Fam("conv-b", "cnn.convolution"), Fam("pool-a", "cnn.pooling"),
            Fam("lstm-a", "rnn.lstm"), Fam("gan-a", "gan.losses"), Fam("vae-a", "vae.basics")]
TOPIC = {f.id: f.topic for f in FAMILIES}


class Student:
    """Builds answer rows as History.answers() returns them, one question attempt at a time."""

    def __init__(self):
        self.rows: list[dict] = []
        self.session = 0

    def answer(self, family, when, *statuses, hint=False):
        """One attempt of `family` at `when`, one part per status ('correct', 'wrong', ...)."""
        self.session += 1
        for label, status in zip("abcd", statuses):
            self.rows.append({"time": when.isoformat(), "session": self.session, "mode": "review",
                              "family": family, "topic": TOPIC.get(family, "cnn.shapes"),
                              "variant": f"{family}-{self.session}", "part": label, "answer": "1",
                              "score": 1.0 if status == "correct" else 0.0, "max": 1.0, "status": status,
                              "mistake": None, "follow_through": False, "hint": hint,
                              "revealed": status == "revealed", "seconds": 5.0})
        return self


def day(n, hours=0):
    return DAY0 + timedelta(days=n, hours=hours)


def standing(rows, now):
    return {d.family: d for d in schedule(rows, now)}


def test_boxes_move_up_when_fully_correct_and_back_to_one_otherwise():
    s = Student()
    t = 0
    for right, box in [(True, 2), (True, 3), (True, 4), (True, 5), (True, 5), (False, 1), (True, 2)]:
        s.answer("conv-a", day(t), "correct", "correct" if right else "partial")
        d = standing(s.rows, day(t, 1))["conv-a"]
        assert (d.box, d.last_seen, d.due) == (box, day(t), day(t + INTERVALS[box - 1]))
        t = (d.due - DAY0).days  # come back exactly when due
    assert d.attempts == 7


@pytest.mark.parametrize("statuses, hint", [(("correct", "wrong"), False), (("correct", "blank"), False),
                                            (("correct", "skipped"), False), (("revealed",), False),
                                            (("correct", "correct"), True)])
def test_anything_short_of_fully_correct_goes_back_to_box_one(statuses, hint):
    s = Student().answer("pool-a", day(0), "correct").answer("pool-a", day(2), "correct")
    assert standing(s.rows, day(3))["pool-a"].box == 3
    s.answer("pool-a", day(6), *statuses, hint=hint)
    d = standing(s.rows, day(6, 1))["pool-a"]
    assert (d.box, d.due) == (1, day(7))


def test_unreadable_parts_are_ignored_and_future_rows_not_yet_seen():
    s = Student().answer("gan-a", day(0), "correct", "unreadable").answer("gan-a", day(5), "wrong")
    d = standing(s.rows, day(1))["gan-a"]
    assert (d.box, d.due, d.attempts) == (2, day(2), 1)
    assert schedule(s.rows, day(-1)) == []


def test_schedule_lists_most_overdue_first():
    s = (Student().answer("conv-a", day(0), "wrong")        # due day 1
         .answer("pool-a", day(0), "correct")              # box 2: due day 2
         .answer("lstm-a", day(3), "wrong"))               # due day 4
    assert [d.family for d in schedule(s.rows, day(10))] == ["conv-a", "pool-a", "lstm-a"]


def rng(seed=0):
    return np.random.default_rng(seed)


def test_due_first_then_weak_topics_then_new_then_the_rest():
    s = (Student()
         .answer("conv-a", day(0), "correct").answer("conv-a", day(2), "correct")  # strong topic, box 3 (due day 6)
         .answer("conv-b", day(2), "correct")                                      # same topic, box 2 (due day 4)
         .answer("pool-a", day(0), "wrong")                                        # due since day 1
         .answer("lstm-a", day(2), "wrong")                                        # due since day 3
         .answer("gan-a", day(3, -1), "wrong", "partial"))                         # weak topic, due day 4
    now = day(3, 2)
    picks = pick_review(s.rows, FAMILIES, 6, now, rng())
    assert picks[:2] == ["pool-a", "lstm-a"]    # due, most overdue first
    assert picks[2] == "gan-a"                  # seen, not due, in a weak topic
    assert picks[3] == "vae-a"                  # never seen
    assert picks[4:] == ["conv-b", "conv-a"]    # mastered and not due: soonest due first


def test_weaker_topics_come_first_among_new_families():
    s = Student().answer("conv-a", day(0), "correct", "correct", "correct").answer("conv-a", day(2), "correct")
    families = [Fam("conv-b", "cnn.convolution"), Fam("vae-a", "vae.basics"), Fam("conv-a", "cnn.convolution")]
    for seed in range(5):
        assert pick_review(s.rows, families, 3, day(2, 1), rng(seed)) == ["vae-a", "conv-b", "conv-a"]


def test_no_family_twice_in_a_row_and_deterministic():
    s = Student().answer("pool-a", day(0), "wrong").answer("gan-a", day(0), "correct")
    for seed in range(20):
        picks = pick_review(s.rows, FAMILIES, 15, day(4), rng(seed))
        assert len(picks) == 15
        assert all(a != b for a, b in zip(picks, picks[1:]))
        assert set(picks) == {f.id for f in FAMILIES}
        assert picks[:2] == ["pool-a", "gan-a"]
        assert picks == pick_review(s.rows, FAMILIES, 15, day(4), rng(seed))
    orders = {tuple(pick_review([], FAMILIES, 6, day(0), rng(seed))) for seed in range(20)}
    assert len(orders) > 1  # ties (here: all new) are broken by the generator


def test_edge_cases():
    assert pick_review([], FAMILIES, 0, day(0), rng()) == []
    assert pick_review([], [], 5, day(0), rng()) == []
    assert pick_review([], FAMILIES[:1], 5, day(0), rng()) == ["conv-a"]  # one family: asked once
    assert len(pick_review([], FAMILIES + FAMILIES, 12, day(0), rng())) == 12  # duplicates merged, order repeats
    rows = Student().answer("retired-family", day(0), "wrong").rows  # in the history, no longer in the bank
    assert "retired-family" not in pick_review(rows, FAMILIES, 6, day(5), rng())


def test_a_topic_answered_right_once_is_not_weak():
    s = Student().answer("conv-a", day(0), "correct")
    families = [Fam("conv-a", "cnn.convolution"), Fam("vae-a", "vae.basics")]
    assert pick_review(s.rows, families, 2, day(0, 1), rng()) == ["vae-a", "conv-a"]
    s.answer("conv-a", day(0, 2), "wrong")
    assert pick_review(s.rows, families, 2, day(0, 3), rng()) == ["conv-a", "vae-a"]


def test_thirty_days_of_review():
    """A student who knows every family but one reviews 3 families a day for 30 days."""
    s = Student()
    generator = rng(7)
    days_asked = []
    for n in range(30):
        now = day(n)
        due_now = {d.family for d in schedule(s.rows, now) if d.due <= now}
        picks = pick_review(s.rows, FAMILIES, 3, now, generator)
        assert len(set(picks)) == 3
        assert set(picks[:len(due_now)]) <= due_now  # whatever is due comes first
        for i, family in enumerate(picks):
            s.answer(family, now + timedelta(minutes=i), "wrong" if family == "lstm-a" else "correct")
        if "lstm-a" in picks:
            days_asked.append(n)
    assert {r["family"] for r in s.rows if r["time"] < day(2).isoformat()} == {f.id for f in FAMILIES}
    assert days_asked == list(range(days_asked[0], 30))  # always wrong: due again every day
    final = standing(s.rows, day(30))
    assert final["lstm-a"].box == 1
    assert all(final[f.id].box == 5 for f in FAMILIES if f.id != "lstm-a")
