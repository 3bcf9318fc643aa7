"""`ncquiz quiz`: the practice session (and exam mode, spaced review, a single variant)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ncquiz.cli.common import BankOption, DbOption, bank



def quiz(topic: Annotated[Optional[list[str]], typer.Option("--topic", "-t", help="A topic id (cnn.pooling) or an area (cnn); repeatable.")] = None,
         count: Annotated[Optional[int], typer.Option("--count", "-n", min=1, max=200, help="How many questions (default 5).")] = None,
         difficulty: Annotated[Optional[int], typer.Option("--difficulty", "-d", min=1, max=3, help="1, 2 or 3.")] = None,
         seed: Annotated[Optional[int], typer.Option("--seed", "-s", min=0, max=2**32 - 1, help="Replay the same questions in the same order.")] = None,
         question: Annotated[Optional[str], typer.Option("--question", "-q", metavar="FAMILY|CODE", help="Ask just this one variant.")] = None,
         exam: Annotated[Optional[float], typer.Option("--exam", metavar="MINUTES", min=0.1, max=600, help="Exam mode: no feedback until the end; a countdown.")] = None,
         review: Annotated[bool, typer.Option("--review", help="Spaced review: families due again, and weak topics, first.")] = False,
         db: DbOption = None, bank_dirs: BankOption = None) -> None:
    """Practise: exam-style questions, each part marked at once with feedback and worked solutions."""
    import os

    import numpy as np

    from ncquiz.errors import NcquizError
    from ncquiz.render.session import TerminalUI
    from ncquiz.render.terminal import console
    from ncquiz.session.loop import Plan, Session, plan_practice

    if question and (review or topic or difficulty or count is not None):
        raise NcquizError("--question asks one given variant: it does not combine with --review, --topic, "
                          "--difficulty or --count")
    count = 5 if count is None else count
    loaded = bank(bank_dirs)
    history = _history(db)
    session_seed = seed if seed is not None else int.from_bytes(os.urandom(4), "big")
    rng = np.random.default_rng(session_seed)
    if question:
        family, variant_seed = loaded.resolve(question, None)
        items, mode = [(family, variant_seed)], "single"
    elif review:
        items, mode = _review_items(loaded, history, topic, difficulty, count, rng), "review"
    else:
        items, mode = plan_practice(loaded, topic, count, difficulty, rng), "practice"
    if exam:
        mode = "exam"
    plan = Plan(items, mode, session_seed, list(topic or []), exam * 60 if exam else None)
    out = console()
    if not question:
        out.print(f"[dim]{len(items)} question(s); session seed {session_seed} (replay with --seed {session_seed})[/dim]")
    try:
        Session(plan, TerminalUI(out), history).run()
    finally:
        if history is not None:
            history.close()


def _history(db):
    """The history store, or None (with a warning) when it cannot be opened: practice goes on."""
    from ncquiz.errors import NcquizError
    from ncquiz.store.history import History

    try:
        return History(db)
    except NcquizError as exc:
        if db is not None:
            raise
        typer.echo(f"warning: answers will not be saved: {exc}", err=True)
        return None


def _review_items(loaded, history, topic, difficulty, count, rng):
    from datetime import datetime, timezone

    from ncquiz.session.review import pick_review

    families = loaded.select(topic, difficulty)
    answers = history.answers() if history is not None else []
    ids = pick_review(answers, families, count, datetime.now(timezone.utc), rng)
    by_id = {f.id: f for f in families}
    return [(by_id[i], int(rng.integers(2**32))) for i in ids]
