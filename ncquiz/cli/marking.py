"""`ncquiz check` (one variant) and `ncquiz mark` (a class's responses file)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ncquiz.cli.common import BankOption, JsonOption, bank, print_json


def check(code: Annotated[str, typer.Argument(metavar="CODE", help="The variant code (or a family id with --seed).")],
          answer: Annotated[Optional[list[str]], typer.Option("--answer", "-a", metavar="LABEL=VALUE",
                                                              help="An answer, e.g. a=0.462 or a='1 2; 3 4' (repeatable).")] = None,
          seed: Annotated[Optional[int], typer.Option("--seed", "-s", min=0, max=2**32 - 1, help="With a family id.")] = None,
          json: JsonOption = False, bank_dirs: BankOption = None) -> None:
    """Mark answers to one variant: score, status and feedback for each part."""
    from ncquiz.errors import NcquizError
    from ncquiz.marking.mark import mark_question

    loaded = bank(bank_dirs)
    if seed is None and code.strip() in {f.id for f in loaded.families}:
        raise NcquizError(f"'{code.strip()}' is a family: give its --seed, or the variant code printed with the question")
    question = loaded.variant(code, seed)
    given: dict[str, str] = {}
    for item in answer or []:
        label, sep, value = item.partition("=")
        label = label.strip().lower().strip("()")
        if not sep or not label:
            raise NcquizError(f"--answer {item!r}: expected LABEL=VALUE, such as a=0.462")
        if question.part(label) is None:
            raise NcquizError(f"--answer {item!r}: this question has no part '{label}' "
                              f"(its parts: {', '.join(p.label for p in question.parts)})")
        if label in given:
            raise NcquizError(f"--answer: part '{label}' is answered twice")
        given[label] = value
    result = mark_question(question, given)
    if json:
        print_json(result.as_json())
        return
    from ncquiz.render.terminal import console, question_mark_view

    console().print(question_mark_view(question, result))


def mark(responses: Annotated[Path, typer.Argument(metavar="RESPONSES.csv", help="Columns student,question,part,answer.")],
         out: Annotated[Path, typer.Option("--out", "-o", metavar="GRADES.csv", help="Where to write the grades.")],
         key: Annotated[Optional[Path], typer.Option("--key", metavar="KEY.json", help="The key of the papers (from ncquiz worksheet).")] = None,
         secret_file: Annotated[Optional[Path], typer.Option("--secret-file", metavar="FILE", help="Read the opaque codes of papers made with this secret.")] = None,
         json: JsonOption = False, bank_dirs: BankOption = None) -> None:
    """Mark a class's answers: GRADES.csv, per-student totals, and a summary; bad rows are reported, the rest marked."""
    from ncquiz.errors import NcquizError
    from ncquiz.marking.batch import check_outputs, mark_class, totals_path, write_results
    from ncquiz.marking.key import AnswerKey

    try:
        text = responses.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise NcquizError(f"cannot read {responses}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise NcquizError(f"{responses} is not UTF-8 text") from None
    check_outputs(responses, out, totals_path(out))
    from ncquiz.papers.secret import Secret

    answer_key = AnswerKey.load(key) if key else None
    secret = Secret.load(secret_file) if secret_file else None
    result = mark_class(text, bank(bank_dirs), answer_key, secret, bank_dirs)
    totals = write_results(result, out)
    for bad in result.bad_rows:
        typer.echo(f"{responses}:{bad.line}: {bad.message}", err=True)
    summary = result.summary()
    if json:
        print_json({**summary, "grades": str(out), "totals": str(totals),
                    "bad_rows": [{"line": b.line, "message": b.message} for b in result.bad_rows]})
    else:
        from ncquiz.render.terminal import class_summary_view, console

        console().print(class_summary_view(summary, len(result.grades), len(result.bad_rows), out, totals))
    if result.bad_rows:
        raise typer.Exit(2)
