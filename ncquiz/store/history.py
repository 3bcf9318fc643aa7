"""The practice history: every answered part in a SQLite database, saved the moment it is marked.

The connection runs in autocommit mode with a write-ahead log, so each `record` is one
committed INSERT and no transaction stays open between answers: killing the process (Ctrl-C,
SIGKILL, a closed terminal) loses at most the part being typed. The schema version is SQLite's
`user_version`; opening a database runs the MIGRATIONS it has not had yet, in order.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from ncquiz.atomic import atomic_write
from ncquiz.errors import NcquizError

FILENAME = "history.sqlite3"
STATUSES = ("correct", "partial", "wrong", "unreadable", "blank", "revealed", "skipped")
MODES = ("practice", "exam", "review", "single")
EXPORT_COLUMNS = ("time", "session", "mode", "family", "topic", "variant", "part", "answer", "score", "max",
                  "status", "mistake", "follow_through", "hint", "revealed")

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # to version 1: sessions and their answers
    ("""CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            started TEXT NOT NULL,
            ended TEXT,
            mode TEXT NOT NULL,
            seed INTEGER,
            topics TEXT NOT NULL,
            planned INTEGER NOT NULL,
            questions INTEGER,
            score REAL,
            max REAL)""",
     """CREATE TABLE answers (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            time TEXT NOT NULL,
            family TEXT NOT NULL,
            topic TEXT NOT NULL,
            variant TEXT NOT NULL,
            part TEXT NOT NULL,
            answer TEXT,
            score REAL NOT NULL,
            max REAL NOT NULL,
            status TEXT NOT NULL,
            mistake TEXT,
            follow_through INTEGER NOT NULL DEFAULT 0)"""),
    # to version 2: how each part was answered (hint asked, solution revealed, time taken)
    ("ALTER TABLE answers ADD COLUMN hint INTEGER NOT NULL DEFAULT 0",
     "ALTER TABLE answers ADD COLUMN revealed INTEGER NOT NULL DEFAULT 0",
     "ALTER TABLE answers ADD COLUMN seconds REAL",
     "CREATE INDEX answers_session ON answers(session_id)"),
)
SCHEMA_VERSION = len(MIGRATIONS)


def default_db_path() -> Path:
    """$NCQUIZ_HOME/history.sqlite3, else $XDG_DATA_HOME/ncquiz/history.sqlite3 (~/.local/share by default)."""
    home = os.environ.get("NCQUIZ_HOME")
    if home:
        return Path(home).expanduser() / FILENAME
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data).expanduser() / "ncquiz" / FILENAME


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def stamp(when: datetime) -> str:
    """A UTC ISO-8601 time to the second: '2025-03-01T14:05:09+00:00'."""
    return when.astimezone(timezone.utc).isoformat(timespec="seconds")


class History:
    """One student's history database. `clock` (returning an aware datetime) stamps the rows."""

    def __init__(self, path: Path | str | None = None, *, clock=utc_now):
        self.path = Path(path) if path is not None else default_db_path()
        self.clock = clock
        if self.path.is_dir():
            raise NcquizError(f"the history {self.path} is a folder; pass --db with a file name such as history.sqlite3")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise NcquizError(f"cannot create the folder {self.path.parent} for the history: "
                              f"{exc.strerror or exc}; set NCQUIZ_HOME or pass --db FILE") from None
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, timeout=10)
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        try:
            self._db.row_factory = sqlite3.Row
            self._open()
        except (sqlite3.Error, NcquizError) as exc:
            self._db.close()
            if isinstance(exc, NcquizError):
                raise
            raise self._error(exc) from None

    def _error(self, exc: sqlite3.Error) -> NcquizError:
        text = str(exc)
        if "not a database" in text or "malformed" in text:
            return NcquizError(f"{self.path} is not a usable history database ({text}); "
                               "move it aside or pass --db with another file")
        if "readonly" in text or "unable to open" in text:
            return NcquizError(f"cannot write the history {self.path} ({text}); "
                               "check its permissions, set NCQUIZ_HOME or pass --db FILE")
        return NcquizError(f"history {self.path}: {text}")

    def _open(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]  # fails first on a non-database
        if version > SCHEMA_VERSION:
            raise NcquizError(f"{self.path} was written by a newer ncquiz (schema {version}, this one reads "
                              f"up to {SCHEMA_VERSION}); upgrade ncquiz")
        if version == 0 and self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise NcquizError(f"{self.path} is an SQLite database but not an ncquiz history; pass --db with another file")
        mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise NcquizError(f"cannot use a write-ahead log for {self.path} (journal mode {mode})")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        if version < SCHEMA_VERSION:
            self._migrate()

    def _migrate(self) -> None:
        """Run the migrations this database has not had, in one transaction (another process may race us)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            for step in MIGRATIONS[version:]:
                for statement in step:
                    self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    @property
    def version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    def _write(self, sql: str, args: tuple) -> int:
        """One statement, committed when it returns (autocommit); the new row's id."""
        try:
            return self._db.execute(sql, args).lastrowid
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    # ------------------------------------------------------------ writing

    def start_session(self, mode: str, seed: int | None, topics: list[str], planned: int) -> int:
        """A new session; its id."""
        if mode not in MODES:
            raise ValueError(f"session mode {mode!r} is not one of {', '.join(MODES)}")
        return self._write("INSERT INTO sessions (started, mode, seed, topics, planned) VALUES (?, ?, ?, ?, ?)",
                           (stamp(self.clock()), mode, seed, json.dumps(list(topics)), planned))

    def record(self, session_id: int, *, family: str, topic: str, variant: str, part: str, answer: str | None,
               score: float, max: float, status: str, mistake: str | None = None, follow_through: bool = False,
               hint: bool = False, revealed: bool = False, seconds: float | None = None) -> None:
        """Store one answered part; it is committed before this returns."""
        if status not in STATUSES:
            raise ValueError(f"answer status {status!r} is not one of {', '.join(STATUSES)}")
        self._write("INSERT INTO answers (session_id, time, family, topic, variant, part, answer, score, max, "
                    "status, mistake, follow_through, hint, revealed, seconds) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (session_id, stamp(self.clock()), family, topic, variant, part, answer, float(score),
                     float(max), status, mistake, int(follow_through), int(hint), int(revealed), seconds))

    def end_session(self, session_id: int, score: float, max: float, questions: int) -> None:
        """Close a session with its total."""
        self._write("UPDATE sessions SET ended = ?, score = ?, max = ?, questions = ? WHERE id = ?",
                    (stamp(self.clock()), float(score), float(max), questions, session_id))

    # ------------------------------------------------------------ reading

    def answers(self) -> list[dict]:
        """Every stored answer, oldest first, with its session's mode."""
        rows = self._db.execute(
            "SELECT a.time, a.session_id AS session, s.mode, a.family, a.topic, a.variant, a.part, a.answer, "
            "a.score, a.max, a.status, a.mistake, a.follow_through, a.hint, a.revealed, a.seconds "
            "FROM answers a JOIN sessions s ON s.id = a.session_id ORDER BY a.id").fetchall()
        out = []
        for row in rows:
            d = dict(row)
            for key in ("follow_through", "hint", "revealed"):
                d[key] = bool(d[key])
            out.append(d)
        return out

    def sessions(self) -> list[dict]:
        """Every session, oldest first; one not ended (the process was killed) totals its stored answers."""
        rows = self._db.execute(
            "SELECT s.id, s.mode, s.started, s.ended, s.seed, s.topics, s.planned, s.questions, s.score, s.max, "
            "count(a.id) AS parts_answered, count(DISTINCT a.variant) AS asked, "
            "coalesce(sum(a.score), 0) AS answered_score, coalesce(sum(a.max), 0) AS answered_max "
            "FROM sessions s LEFT JOIN answers a ON a.session_id = s.id AND a.status != 'unreadable' "
            "GROUP BY s.id ORDER BY s.id").fetchall()
        out = []
        for r in rows:
            ended = r["ended"] is not None
            out.append({"id": r["id"], "mode": r["mode"], "started": r["started"], "ended": r["ended"],
                        "seed": r["seed"], "topics": json.loads(r["topics"]), "planned": r["planned"],
                        "questions": r["questions"] if ended else r["asked"],
                        "parts_answered": r["parts_answered"],
                        "score": r["score"] if ended else r["answered_score"],
                        "max": r["max"] if ended else r["answered_max"]})
        return out

    def stats(self, now: datetime | None = None) -> dict:
        """What `ncquiz stats --json` prints (see ncquiz.store.summary)."""
        from ncquiz.store.summary import summarize

        return summarize(self.answers(), self.sessions(), now or self.clock())

    def export_csv(self, path) -> int:
        """Write every answer to a CSV file (EXPORT_COLUMNS), atomically; the number of rows."""
        return write_csv(self.answers(), Path(path))

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def write_csv(answers: list[dict], path: Path) -> int:
    """The answers as CSV at `path`, written to a temporary file beside it and renamed into place."""
    if path.is_dir():
        raise NcquizError(f"cannot write {path}: it is a folder; give a file name such as history.csv")
    if not path.parent.is_dir():
        raise NcquizError(f"cannot write {path}: the folder {path.parent} does not exist")
    try:
        with atomic_write(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(EXPORT_COLUMNS)
            for a in answers:
                writer.writerow([_cell(a[c]) for c in EXPORT_COLUMNS])
    except OSError as exc:
        raise NcquizError(f"cannot write {path}: {exc.strerror or exc}") from None
    return len(answers)


def _cell(value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
