"""The history store: saved per answer, WAL, schema migrations, bad files, stats numbers, CSV export."""

import csv
import os
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone

import pytest

from ncquiz.errors import NcquizError
from ncquiz.store import history as store
from ncquiz.store.history import EXPORT_COLUMNS, SCHEMA_VERSION, History, default_db_path
from ncquiz.store.summary import mastery

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start=T0):
        self.now = start

    def __call__(self):
        return self.now

    def tick(self, **delta):
        self.now += timedelta(**delta)


def part(family="conv-basic", topic="cnn.convolution", variant="V1", label="a", score=1, max=1, status="correct",
         **extra):
    return dict(family=family, topic=topic, variant=variant, part=label, answer=extra.pop("answer", "0.5"),
                score=score, max=max, status=status, **extra)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def hist(tmp_path, clock):
    h = History(tmp_path / "data" / "history.sqlite3", clock=clock)
    yield h
    h.close()


# ---------------------------------------------------------------- saving


def test_round_trip(hist, clock):
    sid = hist.start_session("practice", 42, ["cnn"], 2)
    hist.record(sid, **part(answer="1 2; 3 4", score=1.5, max=2, status="partial", mistake="the kernel was not flipped",
                            follow_through=True, hint=True, seconds=12.5))
    clock.tick(minutes=1)
    hist.record(sid, **part(label="b", answer=None, score=0, max=1, status="revealed", revealed=True))
    hist.end_session(sid, 1.5, 3, 1)
    assert hist.answers() == [
        {"time": "2025-03-01T09:00:00+00:00", "session": sid, "mode": "practice", "family": "conv-basic",
         "topic": "cnn.convolution", "variant": "V1", "part": "a", "answer": "1 2; 3 4", "score": 1.5, "max": 2.0,
         "status": "partial", "mistake": "the kernel was not flipped", "follow_through": True, "hint": True,
         "revealed": False, "seconds": 12.5},
        {"time": "2025-03-01T09:01:00+00:00", "session": sid, "mode": "practice", "family": "conv-basic",
         "topic": "cnn.convolution", "variant": "V1", "part": "b", "answer": None, "score": 0.0, "max": 1.0,
         "status": "revealed", "mistake": None, "follow_through": False, "hint": False, "revealed": True,
         "seconds": None},
    ]
    [session] = hist.sessions()
    assert session == {"id": sid, "mode": "practice", "started": "2025-03-01T09:00:00+00:00",
                       "ended": "2025-03-01T09:01:00+00:00", "seed": 42, "topics": ["cnn"], "planned": 2,
                       "questions": 1, "parts_answered": 2, "score": 1.5, "max": 3.0}


def test_the_directory_is_created_and_the_data_survives_reopening(tmp_path, clock):
    path = tmp_path / "a" / "b" / "history.sqlite3"
    with History(path, clock=clock) as h:
        h.record(h.start_session("single", None, [], 1), **part())
    with History(path) as again:
        assert [a["family"] for a in again.answers()] == ["conv-basic"]


def test_wal_mode_and_one_commit_per_answer(hist):
    other = sqlite3.connect(hist.path)
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    sid = hist.start_session("exam", 1, [], 3)
    for i, label in enumerate("abc", 1):
        hist.record(sid, **part(label=label))
        assert not hist._db.in_transaction  # nothing left open between answers
        assert other.execute("SELECT count(*) FROM answers").fetchone()[0] == i  # before end_session
    other.close()


def test_answers_survive_sigkill(tmp_path):
    path = tmp_path / "history.sqlite3"
    script = textwrap.dedent(f"""
        import os, signal
        from ncquiz.store.history import History
        h = History({str(path)!r})
        sid = h.start_session("practice", 1, [], 5)
        for label in "ab":
            h.record(sid, family="f", topic="cnn.pooling", variant="V", part=label, answer="1", score=1, max=1,
                     status="correct")
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert done.returncode == -9, done.stderr
    with History(path) as h:
        assert [a["part"] for a in h.answers()] == ["a", "b"]
        [session] = h.sessions()
        assert session["ended"] is None and session["score"] == 2 and session["questions"] == 1


def test_unknown_status_or_mode_is_a_programming_error(hist):
    with pytest.raises(ValueError, match="mode"):
        hist.start_session("cram", None, [], 1)
    sid = hist.start_session("practice", None, [], 1)
    with pytest.raises(ValueError, match="status"):
        hist.record(sid, **part(status="great"))


# ---------------------------------------------------------------- where and which file


def test_default_path(monkeypatch, tmp_path):
    monkeypatch.setenv("NCQUIZ_HOME", str(tmp_path / "home"))
    assert default_db_path() == tmp_path / "home" / "history.sqlite3"
    monkeypatch.delenv("NCQUIZ_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_db_path() == tmp_path / "xdg" / "ncquiz" / "history.sqlite3"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_db_path() == tmp_path / ".local" / "share" / "ncquiz" / "history.sqlite3"


def test_schema_version_is_current(hist):
    assert hist.version == SCHEMA_VERSION >= 2


V1 = """
CREATE TABLE sessions (id INTEGER PRIMARY KEY, started TEXT NOT NULL, ended TEXT, mode TEXT NOT NULL,
    seed INTEGER, topics TEXT NOT NULL, planned INTEGER NOT NULL, questions INTEGER, score REAL, max REAL);
CREATE TABLE answers (id INTEGER PRIMARY KEY, session_id INTEGER NOT NULL REFERENCES sessions(id),
    time TEXT NOT NULL, family TEXT NOT NULL, topic TEXT NOT NULL, variant TEXT NOT NULL, part TEXT NOT NULL,
    answer TEXT, score REAL NOT NULL, max REAL NOT NULL, status TEXT NOT NULL, mistake TEXT,
    follow_through INTEGER NOT NULL DEFAULT 0);
INSERT INTO sessions VALUES (1, '2024-11-02T10:00:00+00:00', '2024-11-02T10:20:00+00:00', 'practice', 7,
    '["rnn"]', 1, 1, 2, 3);
INSERT INTO answers VALUES (1, 1, '2024-11-02T10:05:00+00:00', 'rnn-forward', 'rnn.forward', 'V7', 'a', '0.46',
    2, 3, 'partial', 'tanh was left out', 1);
PRAGMA user_version = 1;
"""


def test_a_version_1_database_is_migrated_forward(tmp_path):
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(V1)
    old.close()
    with History(path) as h:
        assert h.version == SCHEMA_VERSION
        [row] = h.answers()
        assert row["family"] == "rnn-forward" and row["score"] == 2 and row["follow_through"] is True
        assert row["hint"] is False and row["revealed"] is False and row["seconds"] is None
        h.record(1, **part(hint=True, seconds=3.0))
        assert h.answers()[-1]["hint"] is True
    with History(path) as again:  # migrating is done once
        assert again.version == SCHEMA_VERSION and len(again.answers()) == 2


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.sqlite3"
    History(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(NcquizError, match="newer ncquiz"):
        History(path)


def test_a_corrupt_file_is_a_clear_error(tmp_path):
    path = tmp_path / "history.sqlite3"
    path.write_bytes(os.urandom(8192))
    with pytest.raises(NcquizError, match="not a usable history database") as info:
        History(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_another_programs_database_is_not_touched(tmp_path):
    path = tmp_path / "other.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE notes (text TEXT)")
    db.commit()
    db.close()
    with pytest.raises(NcquizError, match="not an ncquiz history"):
        History(path)
    tables = sqlite3.connect(path).execute("SELECT name FROM sqlite_master").fetchall()
    assert tables == [("notes",)]


def test_unusable_places_are_clear_errors(tmp_path):
    with pytest.raises(NcquizError, match="is a folder"):
        History(tmp_path)
    (tmp_path / "file").write_text("x")
    with pytest.raises(NcquizError, match="cannot create the folder"):
        History(tmp_path / "file" / "history.sqlite3")


# ---------------------------------------------------------------- stats


def make_history(hist, clock):
    """Two sessions over two days; the second was cut short (no end_session)."""
    s1 = hist.start_session("practice", 1, ["cnn"], 2)
    hist.record(s1, **part(variant="C1", label="a", score=2, max=2))
    hist.record(s1, **part(variant="C1", label="b", score=1, max=2, status="partial", mistake="no padding"))
    hist.record(s1, **part(family="pool-max", topic="cnn.pooling", variant="P1", score=0, max=1, status="wrong",
                           mistake="average instead of max"))
    hist.end_session(s1, 3, 5, 2)
    clock.tick(days=1)
    s2 = hist.start_session("review", 2, [], 3)
    hist.record(s2, **part(variant="C2", label="a", score=0, max=2, status="wrong", mistake="no padding"))
    hist.record(s2, **part(variant="C2", label="b", score=0, max=2, status="skipped", answer=None))
    hist.record(s2, **part(family="pool-max", topic="cnn.pooling", variant="P2", score=0, max=1, status="unreadable"))
    hist.record(s2, **part(family="lstm-gates", topic="rnn.lstm", variant="L1", score=0, max=3, status="revealed",
                           revealed=True, answer=None))
    hist.start_session("practice", 3, [], 4)  # nothing answered: not a recent session
    return s1, s2


def test_stats_numbers(hist, clock):
    s1, s2 = make_history(hist, clock)
    stats = hist.stats(now=clock.now + timedelta(hours=1))
    assert stats["parts_answered"] == 6  # the unreadable part was never scored
    assert stats["accuracy"] == pytest.approx(3 / 12)
    assert list(stats["topics"]) == ["cnn.convolution", "cnn.pooling", "rnn.lstm"]
    conv = stats["topics"]["cnn.convolution"]
    assert (conv["attempts"], conv["parts_answered"]) == (2, 4)
    assert conv["accuracy"] == pytest.approx(3 / 8)
    assert conv["last_practised"] == "2025-03-02T09:00:00+00:00"
    pool = stats["topics"]["cnn.pooling"]
    assert (pool["attempts"], pool["parts_answered"], pool["accuracy"]) == (1, 1, 0)
    assert pool["last_practised"] == "2025-03-01T09:00:00+00:00"
    assert stats["topics"]["rnn.lstm"]["accuracy"] == 0
    for t in stats["topics"].values():
        assert 0 <= t["mastery"] <= 1
    assert stats["mistakes"] == [["no padding", 2], ["average instead of max", 1]]
    assert [s["id"] for s in stats["sessions"]] == [s2, s1]  # newest first
    cut, done = stats["sessions"]
    assert cut["ended"] is None and (cut["score"], cut["max"], cut["questions"]) == (0, 7, 2)
    assert done["ended"] and (done["score"], done["max"], done["questions"]) == (3, 5, 2)
    # a day after the first session, what it got wrong is due (box 1); review came a day later still
    assert [(d["family"], d["box"]) for d in stats["due"]] == [("pool-max", 1)]
    later = hist.stats(now=clock.now + timedelta(days=2))
    assert {d["family"] for d in later["due"]} == {"pool-max", "conv-basic", "lstm-gates"}


def test_stats_of_an_empty_history(hist):
    assert hist.stats() == {"parts_answered": 0, "accuracy": 0, "topics": {}, "mistakes": [], "sessions": [],
                            "due": []}


def test_mastery_estimate():
    assert mastery([]) == 0
    assert mastery([1.0]) == pytest.approx(1 / 3)  # one right answer is not mastery yet
    assert mastery([1.0] * 10) == pytest.approx(10 / 12)
    assert mastery([0.0] * 5 + [1.0] * 5) > mastery([1.0] * 5 + [0.0] * 5)  # recent answers weigh more
    assert mastery([1.0] * 20) > mastery([1.0] * 5) > mastery([1.0] * 2)
    assert 0 <= mastery([0.5, 1.0, 0.0, 1.0]) <= 1


# ---------------------------------------------------------------- export


def test_csv_export(hist, clock, tmp_path):
    make_history(hist, clock)
    out = tmp_path / "mine.csv"
    assert hist.export_csv(out) == 7
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    assert len(rows) == 7
    first = rows[0]
    assert first["time"] == "2025-03-01T09:00:00+00:00" and first["mode"] == "practice"
    assert (first["family"], first["topic"], first["variant"], first["part"]) == ("conv-basic", "cnn.convolution",
                                                                                  "C1", "a")
    assert (first["score"], first["max"], first["status"], first["mistake"]) == ("2", "2", "correct", "")
    assert rows[1]["mistake"] == "no padding" and rows[1]["score"] == "1"
    revealed = rows[-1]
    assert (revealed["answer"], revealed["revealed"], revealed["hint"]) == ("", "1", "0")
    assert {r["mode"] for r in rows[3:]} == {"review"}


def test_csv_export_is_atomic(hist, clock, tmp_path, monkeypatch):
    make_history(hist, clock)
    out = tmp_path / "mine.csv"
    out.write_text("the old export\n")
    real_writer = csv.writer

    class FullDisk:
        def __init__(self, f):
            self.inner, self.rows = real_writer(f), 0

        def writerow(self, row):
            self.rows += 1
            if self.rows > 3:
                raise OSError(28, "No space left on device")
            self.inner.writerow(row)

    monkeypatch.setattr(store.csv, "writer", FullDisk)
    with pytest.raises(NcquizError, match="No space left"):
        hist.export_csv(out)
    assert out.read_text() == "the old export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "mine.csv"]  # no temporary file left


def test_csv_export_to_a_bad_place(hist, tmp_path):
    with pytest.raises(NcquizError, match="does not exist"):
        hist.export_csv(tmp_path / "nowhere" / "mine.csv")
    with pytest.raises(NcquizError, match="is a folder"):
        hist.export_csv(tmp_path)
