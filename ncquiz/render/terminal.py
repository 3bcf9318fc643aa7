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
    return text_grid([[num(x, digits) for x in row] for row in np.atleast_2d(a).tolist()])


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


# ---------------------------------------------------------------- questions


def blocks_view(blocks: list) -> Group:
    """Rendered template blocks: text paragraphs and matrices as aligned grids."""
    items = []
    for b in blocks:
        if isinstance(b, str):
            text = b.strip("\n")
            if text:
                items.append(Text(text))
        else:
            items.append(matrix(b))
    return Group(*items)


def marks_label(part) -> str:
    """'[3 marks]', '[2 marks, to 3 d.p.]'."""
    m = part.marks
    text = f"{m:g} mark" + ("" if m == 1 else "s")
    rule = part.rule
    if rule is not None and rule.kind in ("dp", "sf"):
        text += f", {rule.describe()}"
    return f"[{text}]"


def question_view(q, number: int | None = None) -> Panel:
    """A question as on an exam paper: title, prompt, conventions, each part with its marks."""
    body = [blocks_view(q.prompt)]
    if q.family.conventions:
        body.append(Text(""))
        body.append(Text("Conventions: " + " ".join(q.family.conventions), style="italic dim"))
    for part in q.parts:
        row = Table.grid(expand=True, padding=(0, 1))
        row.add_column(width=4, no_wrap=True)
        row.add_column(ratio=1)
        row.add_column(justify="right", no_wrap=True)
        row.add_row(Text(f"({part.label})", style="bold"), blocks_view(part.prompt), Text(marks_label(part), style="cyan"))
        body.append(Text(""))
        body.append(row)
        for letter, text in part.options:
            body.append(Text(f"      ({letter}) {text}"))
        if part.type == "multi":
            body.append(Text("      Choose every correct option.", style="italic dim"))
    head = f"Question {number}: " if number is not None else ""
    title = f"[bold]{head}{q.family.title}[/bold]"
    total = q.marks
    subtitle = f"{q.family.topic} · {total:g} mark{'s' if total != 1 else ''} · variant {q.code}"
    return Panel(Group(*body), title=title, title_align="left", subtitle=subtitle, subtitle_align="right")


def text_grid(rows: list[list[str]]) -> Table:
    """Already written numbers as a grid with right-aligned columns."""
    table = Table(show_header=False, box=box.SQUARE, padding=(0, 1), expand=False)
    for _ in rows[0]:
        table.add_column(justify="right")
    for row in rows:
        table.add_row(*row)
    return table


def part_answer_view(part):
    """A part's reference answer as its rule asks it written (0.410 to 3 d.p.): a grid for arrays, else text."""
    if part.type in ("vector", "matrix") and np.ndim(part.answer) <= 2:
        a = np.atleast_2d(np.asarray(part.answer, dtype=float))
        written = part.written_entries()
        return text_grid([written[i * a.shape[1]:(i + 1) * a.shape[1]] for i in range(a.shape[0])])
    text = part.answer_text()
    if part.type in ("choice", "multi"):
        text = "; ".join(f"({c}) {dict(part.options)[c]}" for c in part.correct)
    return Text(text, style="bold")


def solution_view(q) -> Group:
    """The answers and the worked solution, part by part."""
    items = [Text("Solution", style="bold underline")]
    for part in q.parts:
        items.append(Text(f"({part.label}) answer", style="bold green"))
        items.append(part_answer_view(part))
        if part.solution:
            items.append(Text(part.solution))
        if part.steps:
            items.append(steps_view(part.steps))
        items.append(Text(""))
    if q.solution_extra:
        items.append(Text(q.solution_extra))
    return Group(*items)


# ---------------------------------------------------------------- marks

STATUS_STYLE = {"correct": "green", "partial": "yellow", "wrong": "red", "unreadable": "magenta", "blank": "dim"}


def part_mark_line(mark) -> Text:
    """'(a) 2/2 correct: Correct.' coloured by status."""
    line = Text(f"({mark.label}) ", style="bold")
    line.append(f"{mark.score:g}/{mark.max:g} {mark.status}", style=STATUS_STYLE.get(mark.status, ""))
    line.append(f"  {mark.feedback}")
    return line


def question_mark_view(question, result) -> Group:
    """The marks of one question, part by part, and the total."""
    items = [Text(f"{question.family.title} [{question.code}]", style="bold")]
    items += [part_mark_line(m) for m in result.parts]
    items.append(Text(f"Score: {result.score:g}/{result.max:g}", style="bold"))
    return Group(*items)


def class_summary_view(summary: dict, graded: int, bad: int, out, totals) -> Group:
    """The summary of a class marking run."""
    items = [Text(f"Marked {graded} answers of {summary['students']} students"
                  + (f"; {bad} bad rows reported above" if bad else "") + ".", style="bold")]
    items.append(Text(f"Class mean {summary['mean']:.1f}%, sd {summary['sd']:.1f}, min {summary['min']:.1f}%, "
                      f"median {summary['median']:.1f}%, max {summary['max']:.1f}%"))
    table = Table(title="Per question", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("family")
    table.add_column("attempts", justify="right")
    table.add_column("average", justify="right")
    for family, avg in sorted(summary["questions"].items(), key=lambda kv: kv[1]):
        table.add_row(family, str(summary["attempts"][family]), f"{avg:.1f}%")
    items.append(table)
    if summary["mistakes"]:
        mt = Table(title="Most frequent mistakes", title_justify="left", box=box.SIMPLE_HEAD)
        mt.add_column("count", justify="right")
        mt.add_column("mistake")
        for name, count in summary["mistakes"][:10]:
            mt.add_row(str(count), name)
        items.append(mt)
    items.append(Text(f"Grades: {out}   Totals: {totals}", style="dim"))
    return Group(*items)


# ---------------------------------------------------------------- progress


def local_time(stamp: str, fmt: str = "%Y-%m-%d") -> str:
    """A stored UTC time in the student's time zone: '2025-03-01' (or as `fmt` says)."""
    from datetime import datetime

    return datetime.fromisoformat(stamp).astimezone().strftime(fmt)


def _progress_table(title: str | None) -> Table:
    """A table of the progress views: a rule under the header, no outer margin (80 columns suffice)."""
    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)


def topics_table(topics: dict) -> Table:
    """Attempts (questions), accuracy, mastery with a bar, and the last practice date of each topic."""
    from rich.bar import Bar

    table = _progress_table("By topic")
    table.add_column("topic", overflow="fold")
    table.add_column("attempts", justify="right", no_wrap=True)
    table.add_column("accuracy", justify="right", no_wrap=True)
    table.add_column("mastery", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    table.add_column("last practised")
    for topic, t in topics.items():
        table.add_row(topic, str(t["attempts"]), f"{t['accuracy']:.0%}",
                      f"{t['mastery']:.2f}", Bar(1, 0, t["mastery"], width=10, color="green"),
                      local_time(t["last_practised"]))
    return table


def stats_view(stats: dict) -> Group:
    """`ncquiz stats`: totals, the topics table, frequent mistakes, recent sessions and what is due."""
    items = [Text(f"{stats['parts_answered']} parts answered, {stats['accuracy']:.0%} of the marks earned.",
                  style="bold"), Text(""), topics_table(stats["topics"])]
    if stats["mistakes"]:
        mt = _progress_table("Most frequent mistakes")
        mt.add_column("count", justify="right")
        mt.add_column("what went wrong", overflow="fold")
        for name, count in stats["mistakes"][:5]:
            mt.add_row(str(count), name)
        items += [Text(""), mt]
    st = _progress_table("Recent sessions")
    for name, justify in (("started", "left"), ("mode", "left"), ("questions", "right"), ("score", "right"),
                          ("", "right")):
        st.add_column(name, justify=justify, no_wrap=True)
    for s in stats["sessions"][:5]:
        share = f"{s['score'] / s['max']:.0%}" if s["max"] else ""
        st.add_row(local_time(s["started"], "%Y-%m-%d %H:%M"), s["mode"], str(s["questions"]),
                   f"{s['score']:g}/{s['max']:g}", share + ("" if s["ended"] else " (cut short)"))
    items += [Text(""), st, Text("")]
    due = stats["due"]
    if not due:
        items.append(Text("Nothing is due for review yet.", style="dim"))
        return Group(*items)
    dt = _progress_table("Due for review: run `ncquiz quiz --review`")
    for name, justify in (("family", "left"), ("topic", "left"), ("box", "right"), ("due since", "left")):
        dt.add_column(name, justify=justify, overflow="fold")
    for d in due[:10]:
        dt.add_row(d["family"], d["topic"], str(d["box"]), local_time(d["due"]))
    items.append(dt)
    if len(due) > 10:
        items.append(Text(f"... and {len(due) - 10} more families due.", style="dim"))
    return Group(*items)


def answers_view(answers: list[dict]) -> Table:
    """Stored answers, one row each: when, variant, part, marks, status and any diagnosed mistake."""
    table = _progress_table(None)
    table.add_column("time", no_wrap=True)
    table.add_column("family", no_wrap=True)
    table.add_column("part")
    table.add_column("marks", justify="right", no_wrap=True)
    table.add_column("status")
    table.add_column("mistake", overflow="fold")
    for a in answers:
        table.add_row(local_time(a["time"], "%Y-%m-%d %H:%M"), a["family"], a["part"],
                      f"{a['score']:g}/{a['max']:g}", Text(a["status"], style=STATUS_STYLE.get(a["status"], "")),
                      a["mistake"] or "")
    return table
