"""The `ncquiz` command: a small dispatcher in front of the command groups.

Start-up time matters for a CLI. Importing typer alone costs about five times a bare
Python start on the course machines, so this module answers `ncquiz --help` and
`--version` itself, sends `ncquiz solve` to its own data-driven parser (its options are the
solver parameters of `ncquiz.solvers.spec`), and imports the typer application
(`ncquiz.cli.app`) only for the other commands. `COMMANDS` is the one list of commands:
the typer app registers exactly these, and a test keeps the two in step.
"""

from __future__ import annotations

import sys

from ncquiz import __version__

ABOUT = "Exam-style practice for Neural Computation: CNNs, RNNs and LSTMs, auto-encoders, VAEs, GANs."

# (name, one-line help, target). A target "module:function" taking the argument list runs
# without typer; any other target is a typer command (or typer.Typer group) of ncquiz.cli.app.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("quiz", "Practise: questions marked as you answer (--exam, --review, --question CODE).", "ncquiz.cli.quiz:quiz"),
    ("stats", "Your progress by topic, frequent mistakes, recent sessions, what is due for review.", "ncquiz.cli.stats:stats"),
    ("history", "Your stored answers; --export FILE.csv writes them all.", "ncquiz.cli.stats:history"),
    ("list", "List the question families (by topic and difficulty).", "ncquiz.cli.bank:list_families"),
    ("show", "Show a question as on an exam paper; --solution adds the worked solution.", "ncquiz.cli.bank:show"),
    ("generate", "Generate a variant with its answers (--json for scripts).", "ncquiz.cli.bank:generate"),
    ("worksheet", "Printable papers (PDF, HTML, Markdown, LaTeX), one per student, and key.json.", "ncquiz.cli.worksheet:worksheet"),
    ("key", "The answer key of a worksheet (the same options rebuild the same papers).", "ncquiz.cli.worksheet:key"),
    ("check", "Mark your answers to one variant: ncquiz check CODE -a a=0.46 -a b=...", "ncquiz.cli.marking:check"),
    ("mark", "Mark a class's responses CSV: grades, totals and a summary.", "ncquiz.cli.marking:mark"),
    ("solve", "Solve a problem with a reference solver (conv2d, pool, lstm, vae, ...).", "ncquiz.cli.solve:main"),
    ("bank", "Check question bank files (ncquiz bank check DIR).", "ncquiz.cli.bank:bank_app"),
)
FAST = {"solve"}
"""Commands run without typer: their targets take the argument list and return the exit status."""


def top_help() -> str:
    """The text of `ncquiz --help`."""
    width = max(len(name) for name, _, _ in COMMANDS)
    lines = [
        "Usage: ncquiz [OPTIONS] COMMAND [ARGS]...",
        "",
        f"  {ABOUT}",
        "",
        "Options:",
        "  --version  Show the version and exit.",
        "  --help     Show this message and exit.",
        "",
        "Commands:",
        *(f"  {name.ljust(width)}  {text}" for name, text, _ in COMMANDS),
        "",
        "Run `ncquiz COMMAND --help` for the options of a command.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run ncquiz with `argv` (default: the process arguments); return the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        sys.stdout.write(top_help())
        return 0
    if argv[0] == "--version":
        sys.stdout.write(f"ncquiz {__version__}\n")
        return 0
    known = {name: target for name, _, target in COMMANDS}
    if argv[0] not in known:
        sys.stderr.write(f"error: no such command '{argv[0]}'; run `ncquiz --help` for the list\n")
        return 2
    try:
        if argv[0] in FAST:
            module, _, func = known[argv[0]].partition(":")
            return getattr(__import__(module, fromlist=[func]), func)(argv[1:])
        from ncquiz.cli.app import run

        return run(argv)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except (OSError, UnicodeDecodeError) as exc:  # a file not readable or writable, where not reported already
        import os

        if os.environ.get("NCQUIZ_DEBUG", "0") not in ("", "0"):  # a developer wants the traceback
            raise
        if isinstance(exc, UnicodeDecodeError):
            sys.stderr.write(f"error: input that is not UTF-8 text ({exc.reason})\n")
        else:
            where = f"{exc.filename}: " if exc.filename else ""
            sys.stderr.write(f"error: {where}{exc.strerror or exc}\n")
        return 2


def _silence_stdout() -> None:
    """After the reader of our output went away (`| head`), keep Python's final flush quiet."""
    import os

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError:
        pass
