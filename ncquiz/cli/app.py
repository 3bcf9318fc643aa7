"""The typer application behind every command but `solve` (see ncquiz.cli for why)."""

from __future__ import annotations

import sys
from importlib import import_module

import typer

from ncquiz.cli import ABOUT, COMMANDS
from ncquiz.errors import NcquizError


def build() -> typer.Typer:
    """The typer app with the commands of ncquiz.cli.COMMANDS, in that order."""
    app = typer.Typer(help=ABOUT, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False)
    for name, text, target in COMMANDS:
        module, _, attr = target.partition(":")
        obj = getattr(import_module(module), attr)
        if isinstance(obj, typer.Typer):
            app.add_typer(obj, name=name, help=text)
        elif name == "solve":  # its own parser; typer only passes the arguments through
            settings = {"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []}
            app.command(name, help=text, context_settings=settings, add_help_option=False)(_solve)
        else:
            app.command(name, help=text)(obj)
    return app


def _solve(ctx: typer.Context) -> None:
    from ncquiz.cli.solve import main

    raise typer.Exit(main(list(ctx.args)))


def run(argv: list[str]) -> int:
    """Run the typer app; bad input ends with one line on stderr and exit status 2.

    click runs outside its standalone mode, so that a usage error (an unknown option, a value
    out of range) is reported here in one line rather than in click's framed box.
    """
    try:
        status = build()(args=argv, prog_name="ncquiz", standalone_mode=False)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except NcquizError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    except typer.Abort:  # Ctrl-C or the end of input where typer was reading
        sys.stderr.write("interrupted\n")
        return 130
    except typer.TyperException as exc:  # typer's usage errors (its click exceptions derive from this)
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError":  # `ncquiz bank`: typer has shown the group's help
            return exc.exit_code
        where = f"; see `{ctx.command_path} --help`" if ctx is not None else ""
        sys.stderr.write(f"error: {' '.join(exc.format_message().split()).rstrip('.')}{where}\n")
        return 2
    return status if isinstance(status, int) else 0
