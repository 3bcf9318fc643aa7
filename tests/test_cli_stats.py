"""`ncquiz stats` and `ncquiz history` as a student runs them (NCQUIZ_HOME in a temporary folder)."""

import csv
import json
from datetime import datetime, timedelta, timezone

import pytest

from ncquiz.cli import main
from ncquiz.store.history import EXPORT_COLUMNS, History

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)


def run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("NCQUIZ_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")
    return tmp_path / "home"


def fill(path):
    """Two sessions: conv (right, then a diagnosed mistake), pooling (wrong), lstm (revealed)."""
    times = iter(T0 + timedelta(minutes=i) for i in range(100))
    with History(path, clock=lambda: next(times)) as h:
        s = h.start_session("practice", 1, [], 2)
        for label, score, status, mistake in (("a", 2, "correct", None), ("b", 0, "wrong", "the kernel was not flipped")):
            h.record(s, family="conv-basic", topic="cnn.convolution", variant="C1", part=label, answer="3",
                     score=score, max=2, status=status, mistake=mistake)
        h.record(s, family="pool-max", topic="cnn.pooling", variant="P1", part="a", answer="1 2", score=0, max=1,
                 status="wrong", mistake="average instead of max")
        h.end_session(s, 2, 5, 2)
        s = h.start_session("review", 2, [], 1)
        h.record(s, family="lstm-gates", topic="rnn.lstm", variant="L1", part="a", answer=None, score=0, max=3,
                 status="revealed", revealed=True)
        h.end_session(s, 0, 3, 1)


def test_empty_history(capsys, home):
    code, out, err = run(capsys, ["stats"])
    assert code == 0 and err == ""
    assert "No answers stored yet" in out and "ncquiz quiz" in out and len(out.splitlines()) == 1
    code, out, _ = run(capsys, ["stats", "--json"])
    assert code == 0
    assert json.loads(out) == {"parts_answered": 0, "accuracy": 0, "topics": {}, "mistakes": [], "sessions": [],
                               "due": []}
    code, out, _ = run(capsys, ["history"])
    assert code == 0 and "No answers stored yet" in out
    assert not (home / "history.sqlite3").exists()  # looking does not create a database
    notes = home.parent / "notes.txt"
    notes.write_text("")
    code, out, _ = run(capsys, ["stats", "--db", str(notes)])
    assert code == 0 and "No answers stored yet" in out and notes.read_bytes() == b""  # nor fills an empty file


def test_stats_json(capsys, home):
    fill(home / "history.sqlite3")
    code, out, _ = run(capsys, ["stats", "--json"])
    assert code == 0
    data = json.loads(out)
    assert data["parts_answered"] == 4
    assert data["accuracy"] == pytest.approx(2 / 8)
    assert set(data["topics"]) == {"cnn.convolution", "cnn.pooling", "rnn.lstm"}
    conv = data["topics"]["cnn.convolution"]
    assert {"attempts", "parts_answered", "accuracy", "last_practised", "mastery"} <= set(conv)
    assert (conv["attempts"], conv["parts_answered"], conv["accuracy"]) == (1, 2, 0.5)
    assert data["mistakes"] == [["average instead of max", 1], ["the kernel was not flipped", 1]]
    assert [s["mode"] for s in data["sessions"]] == ["review", "practice"]
    assert {d["family"] for d in data["due"]} == {"conv-basic", "pool-max", "lstm-gates"}  # all box 1, long ago
    assert all({"family", "topic", "box", "last_seen", "due"} <= set(d) for d in data["due"])


def test_stats_view_fits_80_columns(capsys, home):
    fill(home / "history.sqlite3")
    code, out, err = run(capsys, ["stats"])
    assert code == 0 and err == ""
    for needle in ("4 parts answered, 25%", "cnn.convolution", "cnn.pooling", "rnn.lstm", "last practised",
                   "Most frequent mistakes", "the kernel was not flipped", "Recent sessions", "review",
                   "Due for review", "pool-max", "2025-03-01", "█"):
        assert needle in out, needle
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "\x1b[" not in out  # NO_COLOR


def test_db_option(capsys, home, tmp_path):
    other = tmp_path / "elsewhere.sqlite3"
    fill(other)
    code, out, _ = run(capsys, ["stats", "--json", "--db", str(other)])
    assert code == 0 and json.loads(out)["parts_answered"] == 4
    code, out, _ = run(capsys, ["stats", "--json"])  # NCQUIZ_HOME's history is still empty
    assert json.loads(out)["parts_answered"] == 0


def test_history_export(capsys, home, tmp_path):
    fill(home / "history.sqlite3")
    target = tmp_path / "mine.csv"
    code, out, err = run(capsys, ["history", "--export", str(target)])
    assert code == 0 and err == ""
    assert out.strip() == f"Wrote 4 answers to {target}."
    with open(target, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    assert [(r["family"], r["part"], r["score"], r["status"]) for r in rows] == [
        ("conv-basic", "a", "2", "correct"), ("conv-basic", "b", "0", "wrong"), ("pool-max", "a", "0", "wrong"),
        ("lstm-gates", "a", "0", "revealed")]
    assert rows[1]["mistake"] == "the kernel was not flipped" and rows[3]["mode"] == "review"


def test_history_lists_the_latest_answers(capsys, home):
    fill(home / "history.sqlite3")
    code, out, _ = run(capsys, ["history", "--last", "2"])
    assert code == 0
    assert "lstm-gates" in out and "pool-max" in out and "conv-basic" not in out


@pytest.mark.parametrize("where, needle", [("missing/dir/mine.csv", "does not exist"), (".", "is a folder")])
def test_bad_export_path_exits_2_with_one_line(capsys, home, tmp_path, where, needle):
    fill(home / "history.sqlite3")
    code, out, err = run(capsys, ["history", "--export", str(tmp_path / where)])
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("error:") and needle in err


def test_a_corrupt_database_exits_2_with_one_line(capsys, home, tmp_path):
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(bytes(range(256)) * 16)
    for argv in (["stats", "--db", str(bad)], ["history", "--export", str(tmp_path / "x.csv"), "--db", str(bad)]):
        code, out, err = run(capsys, argv)
        assert code == 2 and out == ""
        assert len(err.strip().splitlines()) == 1 and "not a usable history database" in err
