"""`ncquiz stats` and `ncquiz history`: your progress, and your stored answers (as CSV with --export)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ncquiz.cli.common import DbOption, JsonOption, print_json

EMPTY = "No answers stored yet in {path}: run `ncquiz quiz` to start practising."


def _stored(db: Path | None):
    """The history at --db (default: ncquiz's data directory), or None when there is none yet."""
    from ncquiz.store.history import History, default_db_path

    path = db or default_db_path()
    if path.is_file() and path.stat().st_size == 0:  # an empty file holds no history; reading must not turn it
        return path, None                          # into a database (a quiz with --db FILE may)
    return path, (History(path) if path.exists() else None)


def stats(json: JsonOption = False, db: DbOption = None) -> None:
    """Your progress: attempts, accuracy and mastery by topic, frequent mistakes, recent sessions, what is due."""
    from ncquiz.store.history import utc_now
    from ncquiz.store.summary import summarize

    path, stored = _stored(db)
    if stored is None:
        data = summarize([], [], utc_now())
    else:
        with stored:
            data = stored.stats()
    if json:
        print_json(data)
        return
    if not data["parts_answered"]:
        typer.echo(EMPTY.format(path=path))
        return
    from ncquiz.render.terminal import console, stats_view

    console().print(stats_view(data))


def history(export: Annotated[Optional[Path], typer.Option("--export", metavar="FILE.csv", help="Write every stored answer to FILE.csv.")] = None,
            last: Annotated[int, typer.Option("--last", "-n", min=1, help="How many of the latest answers to show.")] = 20,
            db: DbOption = None) -> None:
    """Your stored answers: the latest ones, or every one as CSV with --export FILE.csv."""
    from ncquiz.store.history import write_csv

    path, stored = _stored(db)
    if stored is None:
        answers = []
    else:
        with stored:
            answers = stored.answers()
    if export is not None:
        rows = write_csv(answers, export)
        typer.echo(f"Wrote {rows} answer{'' if rows == 1 else 's'} to {export}.")
        return
    if not answers:
        typer.echo(EMPTY.format(path=path))
        return
    from ncquiz.render.terminal import answers_view, console

    console().print(answers_view(answers[-last:]))
