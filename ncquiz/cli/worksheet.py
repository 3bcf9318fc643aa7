"""`ncquiz worksheet` (printable papers, one per student) and `ncquiz key` (their answer key)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ncquiz.cli.common import BankOption, bank

Topics = Annotated[Optional[list[str]], typer.Option("--topic", "-t", help="A topic id or an area (cnn); repeatable.")]
Count = Annotated[Optional[int], typer.Option("--count", "-n", min=1, max=40, help="How many questions (families chosen across the topics; default 6).")]
Questions = Annotated[Optional[str], typer.Option("--questions", metavar="FAMILY,...", help="These families, in this order (instead of --count).")]
Difficulty = Annotated[Optional[int], typer.Option("--difficulty", "-d", min=1, max=3)]
Seed = Annotated[Optional[int], typer.Option("--seed", "-s", min=0, max=2**32 - 1, help="The same seed (and roster) gives the same papers.")]
Roster = Annotated[Optional[Path], typer.Option("--students", metavar="ROSTER.csv", help="One paper per student: a student_id column (else the first), optional name.")]
Format = Annotated[str, typer.Option("--format", "-f", help="pdf, html, md, tex (or typ: the Typst source).")]
Out = Annotated[Optional[Path], typer.Option("--out", "-o", metavar="PATH", help="A file, or a folder with --students.")]
Title = Annotated[str, typer.Option("--title", help="The paper's title.")]
SecretFile = Annotated[Optional[Path], typer.Option("--secret-file", metavar="FILE", help="Print opaque codes that only this secret reads back.")]
TemplateDir = Annotated[Optional[Path], typer.Option("--template", metavar="DIR", help="Use paper.typ/.html/.md/.tex from DIR instead of the built-in templates.")]
Combined = Annotated[bool, typer.Option("--combined", help="With --students: one document with every paper.")]
Date = Annotated[Optional[str], typer.Option("--date", help="The date printed on the paper (default: today).")]


def worksheet(topic: Topics = None, count: Count = None, questions: Questions = None, difficulty: Difficulty = None,
              seed: Seed = None, students: Roster = None, format: Format = "pdf", out: Out = None,  # noqa: A002
              title: Title = "Practice worksheet",
              key: Annotated[bool, typer.Option("--key", help="Also write the answer key document.")] = False,
              secret_file: SecretFile = None, template: TemplateDir = None, combined: Combined = False,
              date: Date = None, bank_dirs: BankOption = None) -> None:
    """Printable exam-style papers (PDF, HTML, Markdown, LaTeX): a unique paper per student, key.json for marking."""
    _make(topic, count, questions, difficulty, seed, students, format, out, title, key, False, secret_file, template,
          combined, date, bank_dirs)


def key(topic: Topics = None, count: Count = None, questions: Questions = None, difficulty: Difficulty = None,
        seed: Seed = None, students: Roster = None, format: Format = "pdf", out: Out = None,  # noqa: A002
        title: Title = "Practice worksheet", secret_file: SecretFile = None, template: TemplateDir = None,
        date: Date = None, bank_dirs: BankOption = None) -> None:
    """The answer key alone, for papers made with the same options (and --seed, --students, --secret-file)."""
    _make(topic, count, questions, difficulty, seed, students, format, out, title, True, True, secret_file, template,
          False, date, bank_dirs)


def _make(topic, count, questions, difficulty, seed, students, fmt, out, title, key, key_only, secret_file, template,
          combined, date, bank_dirs) -> None:
    import os
    import time

    import numpy as np

    from ncquiz.errors import NcquizError
    from ncquiz.papers.build import Student, build, choose_families, one_line, read_roster
    from ncquiz.papers.output import EXTENSIONS, write_worksheet
    from ncquiz.papers.secret import Secret

    fmt = fmt.lower().lstrip(".")
    if fmt not in EXTENSIONS:
        raise NcquizError(f"--format {fmt}: expected one of {', '.join(EXTENSIONS)}")
    if combined and not students:
        raise NcquizError("--combined puts every student's paper in one document: it needs --students")
    if template is not None and not template.is_dir():
        raise NcquizError(f"--template {template}: not a folder")
    names = [name.strip() for name in questions.split(",") if name.strip()] if questions is not None else None
    if names == []:
        raise NcquizError("--questions: no family given; list family ids separated by commas")
    if names and (count is not None or topic or difficulty is not None):
        raise NcquizError("--questions lists the families: it does not combine with --count, --topic or --difficulty")
    count = 6 if count is None else count
    title, date = one_line(title), one_line(date) if date is not None else None
    if seed is None:
        seed = int.from_bytes(os.urandom(4), "big")
    started = time.perf_counter()
    loaded = bank(bank_dirs)
    roster = read_roster(students) if students else [Student("")]
    secret = Secret.load(secret_file) if secret_file else None
    families = choose_families(loaded, topic, count, difficulty, names, np.random.default_rng(seed))
    sheet = build(loaded, families=families, seed=seed, students=roster, title=title, secret=secret, date=date)
    written = write_worksheet(sheet, fmt=fmt, out=out, roster=students is not None, combined=combined, key=key,
                              key_only=key_only, template_dir=template)
    elapsed = time.perf_counter() - started
    what = f"{len(written.papers)} paper(s)" if written.papers else "no papers"
    typer.echo(f"Wrote {what}" + (f" ({written.papers[0]}{' ...' if len(written.papers) > 1 else ''})" if written.papers else "")
               + (f", the key {written.key}" if written.key else "") + f" and {written.key_json} "
               f"for {len(sheet.papers)} student(s), {len(families)} question(s) each, in {elapsed:.1f} s.")
    typer.echo(f"Seed {seed}: the same options with --seed {seed} rebuild these papers"
               + (" (and the same --secret-file)." if secret else "."))
