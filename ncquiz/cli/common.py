"""Options and helpers shared by the command modules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

BankOption = Annotated[
    Optional[list[str]],
    typer.Option("--bank", metavar="DIR", help="Also read question families from DIR (repeatable; see NCQUIZ_BANK)."),
]
DbOption = Annotated[
    Optional[Path],
    typer.Option("--db", metavar="FILE", help="History database (default: in NCQUIZ_HOME or the user's data directory)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of the rich view.")]


def print_json(data) -> None:
    """One JSON document on stdout."""
    import json

    typer.echo(json.dumps(data, ensure_ascii=False))


def bank(extra):
    """The bank (built-in, NCQUIZ_BANK and --bank directories); a one-line warning if files were left out."""
    from ncquiz.bank import load_bank

    loaded = load_bank(extra)
    if loaded.problems:
        files = len({p.file for p in loaded.problems})
        typer.echo(f"warning: {files} bank file(s) have problems and were left out; run `ncquiz bank check`",
                   err=True)
    return loaded
