"""Rich views for the terminal: numbers, matrices as aligned grids, worked steps."""

from __future__ import annotations

import os

import numpy as np
from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ncquiz.solvers import Solution
from ncquiz.solvers.fmt import num, vec


def console(**kwargs) -> Console:
    """A console that honours NO_COLOR and TERM=dumb and keeps to at most 100 columns."""
    if "width" not in kwargs and not os.environ.get("COLUMNS"):
        kwargs["width"] = min(100, Console().width)
    return Console(highlight=False, **kwargs)


def matrix(a, digits: int = 4) -> Table | Text | Group:
    """A number as text; a vector or matrix as a grid with right-aligned columns."""
    a = np.asarray(a, dtype=float)
    if a.ndim == 0:
        return Text(num(a, digits), style="bold")
    if a.ndim > 2:
        parts = []
        for i in range(a.shape[0]):
            parts.append(Text(f"[{i}]", style="dim"))
            parts.append(matrix(a[i], digits))
        return Group(*parts)
    rows = np.atleast_2d(a)
    table = Table(show_header=False, box=box.SQUARE, padding=(0, 1), expand=False)
    for _ in range(rows.shape[1]):
        table.add_column(justify="right")
    for row in rows:
        table.add_row(*(num(x, digits) for x in row))
    return table


def answer_view(answer) -> Table | Text | Group:
    """An answer of any solver: number, array, list, or dict of named results."""
    if isinstance(answer, dict) and _is_sequence_dict(answer):
        return _sequence_table(answer)
    if isinstance(answer, dict):
        parts = []
        for key, value in answer.items():
            parts.append(Text(f"{key}:", style="bold cyan"))
            parts.append(answer_view(value))
        return Group(*parts)
    if isinstance(answer, (list, tuple)) and answer and isinstance(answer[0], dict):
        table = Table(box=box.SIMPLE_HEAD)
        for key in answer[0]:
            table.add_column(key, justify="right" if key != "layer" else "left")
        for row in answer:
            table.add_row(*(_cell(v) for v in row.values()))
        return table
    if isinstance(answer, (list, tuple)) and all(isinstance(x, int) for x in answer):
        return Text(" x ".join(str(x) for x in answer), style="bold")
    if isinstance(answer, int):
        return Text(f"{answer:,}", style="bold")
    return matrix(answer)


def _is_sequence_dict(answer: dict) -> bool:
    """Named (T, n) arrays over the same time steps, as rnn and lstm answer."""
    arrays = list(answer.values())
    return all(isinstance(a, np.ndarray) and a.ndim == 2 for a in arrays) and len({a.shape[0] for a in arrays}) == 1


def _sequence_table(answer: dict) -> Table:
    """One row per time step t = 1..T, one column per named result."""
    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("t", justify="right", style="dim")
    for key in answer:
        table.add_column(key, justify="right")
    steps = next(iter(answer.values())).shape[0]
    for t in range(steps):
        cells = [num(a[t, 0]) if a.shape[1] == 1 else vec(a[t]) for a in answer.values()]
        table.add_row(str(t + 1), *cells)
    return table


def _cell(value) -> str:
    if isinstance(value, (list, tuple)):
        return " x ".join(str(v) for v in value)
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def steps_view(steps) -> Table:
    """The worked steps, numbered, each wrapped under its own text (hanging indent)."""
    table = Table.grid(padding=(0, 1))
    table.add_column(justify="right", style="dim", no_wrap=True)
    table.add_column(overflow="fold")
    for i, step in enumerate(steps, 1):
        table.add_row(f"{i}.", Text(step))
    return table


def print_solution(out: Console, kind: str, solution: Solution) -> None:
    """Print a solver's answer and worked solution."""
    out.print(Panel(answer_view(solution.answer), title=f"[bold]{kind}[/bold]: answer", expand=False))
    if solution.steps:
        out.print(Text("Worked solution", style="bold underline"))
        out.print(steps_view(solution.steps))
