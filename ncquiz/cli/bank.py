"""`ncquiz list`, `generate`, `show` and `bank check`: the question bank from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ncquiz.cli.common import BankOption, JsonOption, bank, print_json

TopicOption = Annotated[
    Optional[list[str]],
    typer.Option("--topic", "-t", help="A topic id (cnn.pooling) or a whole area (cnn); repeatable."),
]
DifficultyOption = Annotated[Optional[int], typer.Option("--difficulty", "-d", min=1, max=3, help="1, 2 or 3.")]
SeedOption = Annotated[Optional[int], typer.Option("--seed", "-s", min=0, max=2**32 - 1, help="Which variant (0 to 2^32-1).")]


def list_families(topic: TopicOption = None, difficulty: DifficultyOption = None, json: JsonOption = False,
                  bank_dirs: BankOption = None) -> None:
    """List the question families: id, topic, title, marks, difficulty, answer types."""
    families = bank(bank_dirs).select(topic, difficulty)
    if json:
        print_json([f.summary() for f in families])
        return
    from rich.table import Table

    from ncquiz.render.terminal import console

    table = Table(title=f"{len(families)} question families", title_justify="left")
    for name, justify in (("id", "left"), ("topic", "left"), ("title", "left"), ("marks", "right"),
                          ("diff.", "right"), ("answers", "left")):
        table.add_column(name, justify=justify, overflow="fold")
    for f in families:
        table.add_row(f.id, f.topic, f.title, f"{f.marks:g}", str(f.difficulty), ", ".join(f.answer_types))
    console().print(table)


def generate(family: Annotated[Optional[str], typer.Argument(help="A family id (see `ncquiz list`).")] = None,
             seed: SeedOption = None,
             variant: Annotated[Optional[str], typer.Option("--variant", "-v", help="A variant code instead of FAMILY and --seed.")] = None,
             json: JsonOption = False, bank_dirs: BankOption = None) -> None:
    """Generate one variant with its answers and worked solution (the same seed gives the same variant)."""
    from ncquiz.errors import NcquizError

    if family is None and variant is None:
        raise NcquizError("give a FAMILY (with --seed) or --variant CODE; `ncquiz list` shows the families")
    if family is not None and variant is not None:
        raise NcquizError("give a FAMILY (with --seed) or --variant CODE, not both")
    question = bank(bank_dirs).variant(family or variant, seed)
    if json:
        print_json(question.to_json())
        return
    typer.echo(f"{question.family.title}  [{question.code}, {question.marks:g} marks]\n")
    typer.echo(question.prompt_text())
    for part in question.parts:
        typer.echo(f"\n({part.label}) {_plain_part(part)}")
    typer.echo("\nAnswers")
    for part in question.parts:
        answer = part.answer_text()
        typer.echo(f"({part.label}) {answer}" if not answer.startswith("\n") else f"({part.label}){answer}")


def _plain_part(part) -> str:
    from ncquiz.bank.templating import plain
    from ncquiz.render.terminal import marks_label

    lines = [f"{plain(part.prompt)} {marks_label(part)}"]
    lines += [f"    ({letter}) {text}" for letter, text in part.options]
    return "\n".join(lines)


def show(ref: Annotated[str, typer.Argument(metavar="FAMILY|CODE", help="A family id or a variant code.")],
         seed: SeedOption = None,
         solution: Annotated[bool, typer.Option("--solution", help="Also show the answers and the worked solution.")] = False,
         bank_dirs: BankOption = None) -> None:
    """Show a question as it would appear on paper; --solution adds answers and worked solution."""
    from ncquiz.render.terminal import console, question_view, solution_view

    question = bank(bank_dirs).variant(ref, seed)
    out = console()
    out.print(question_view(question))
    if solution:
        out.print(solution_view(question))


bank_app = typer.Typer(help="Check question bank files.", no_args_is_help=True)


@bank_app.command("check")
def check(directory: Annotated[Optional[Path], typer.Argument(help="The bank directory (default: the built-in bank).")] = None,
          seeds: Annotated[int, typer.Option(min=1, max=1000, help="Variants generated per family.")] = 5) -> None:
    """Check a bank directory: every problem with its file and field; exit status 2 if any."""
    from ncquiz.bank.check import check_directories
    from ncquiz.errors import NcquizError
    from ncquiz.resources import data_dir

    target = directory or data_dir("question_bank")
    if not target.is_dir():
        raise NcquizError(f"bank directory '{target}' " + ("is a file, not a folder" if target.exists() else "does not exist"))
    families, problems = check_directories([target], range(seeds))
    for p in problems:
        typer.echo(str(p), err=True)
    files = len({p.file for p in problems})
    summary = f"{len(families)} families fine" + (f"; {len(problems)} problems in {files} files" if problems else "")
    typer.echo(summary)
    if problems:
        raise typer.Exit(2)
