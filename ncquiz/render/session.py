"""The quiz session in a terminal: rich views of questions, feedback, solutions and the summary.

`TerminalUI` is what ncquiz.session.loop talks to. It prints with a rich Console and reads
answers with `input` (so piped stdin and plain terminals work; TERM=dumb or NO_COLOR give
plain text).
"""

from __future__ import annotations

import math

import numpy as np
from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ncquiz.render.terminal import STATUS_STYLE, part_answer_view, question_view, steps_view


def expected_format(part) -> str:
    """What the prompt tells the student to type for this part."""
    t = part.type
    rule = part.rule
    suffix = f", {rule.describe()}" if rule is not None and rule.kind in ("dp", "sf") else ""
    if t == "integer":
        return "a whole number"
    if t == "number":
        return "a number" + suffix
    if t == "vector":
        return f"{np.size(part.answer)} numbers separated by spaces or commas" + suffix
    if t == "matrix":
        shape = "x".join(str(n) for n in np.shape(part.answer))
        return f"a {shape} matrix: 1 2; 3 4 on one line, or one row per line then an empty line" + suffix
    if t == "shape":
        return "a shape such as 28x28x6" if len(part.answer) == 3 else "a size"
    if t == "choice":
        return f"one letter, {part.options[0][0]} to {part.options[-1][0]}"
    if t == "multi":
        return "the letters of every correct option, such as a, c"
    return "your answer in a line or two of words"


class TerminalUI:
    """Prints with rich and reads with `input` (or an injected function, for tests)."""

    def __init__(self, console: Console, read=input):
        self.console = console
        self.read = read
        self.shown_help = False

    def question(self, q, number: int, total: int, exam: bool) -> None:
        self.console.print()
        self.console.print(question_view(q, number=number if total > 1 else None))
        if not self.shown_help:
            self.console.print(Text("At any prompt: hint, solution (no marks for the part), skip, quit. "
                                    "Ctrl-D or Ctrl-C ends the session.", style="dim"))
            self.shown_help = True

    def ask(self, part, continuation: bool) -> str:
        if continuation:
            prompt = "  ... "
        else:
            prompt = f"({part.label}) {expected_format(part)}\n> "
        self.console.file.flush()
        while True:
            try:
                return self.read(prompt)
            except UnicodeDecodeError:  # bytes the terminal's encoding cannot read: that line only is lost
                self.console.print(Text("That line could not be read as text (not UTF-8); type it again.",
                                        style="magenta"))

    def warn(self, message: str) -> None:
        self.console.print(Text(f"warning: {message}", style="bold red"))

    def unreadable(self, part, message: str) -> None:
        self.console.print(Text(message, style="magenta"))

    def hint(self, part, text: str) -> None:
        self.console.print(Text("Hint: ", style="bold cyan") + Text(text))

    def marked(self, part, mark) -> None:
        line = Text(f"{mark.status.capitalize()}: {mark.score:g}/{mark.max:g}.", style=STATUS_STYLE.get(mark.status, ""))
        if mark.feedback != "Correct.":
            line.append(" " + mark.feedback, style="")
        self.console.print(line)

    def solution(self, part) -> None:
        items = [Text(f"Worked solution ({part.label})", style="bold"), Text("Answer:", style="bold green"),
                 part_answer_view(part)]
        if part.solution:
            items.append(Text(part.solution))
        if part.steps:
            items.append(steps_view(part.steps))
        self.console.print(Group(*items))

    def time_left(self, seconds: float) -> None:
        seconds = max(0, math.ceil(seconds))
        self.console.print(Text(f"Time left: {seconds // 60}:{seconds % 60:02d}", style="bold yellow"))

    def report(self, result) -> None:
        """Exam mode: every part's mark and feedback, then the worked solutions of what was lost."""
        self.console.print()
        self.console.print(Text("Marked report", style="bold underline"))
        for number, asked in enumerate(result.asked, 1):
            self.console.print(Text(f"Question {number}: {asked.question.family.title} [{asked.question.code}]",
                                    style="bold"))
            for part in asked.question.parts:
                mark = asked.marks.get(part.label)
                if mark is None:
                    self.console.print(Text(f"({part.label}) not answered: 0/{part.marks:g}", style="dim"))
                    continue
                line = Text(f"({part.label}) {mark.score:g}/{mark.max:g} {mark.status}. ",
                            style=STATUS_STYLE.get(mark.status, ""))
                line.append(mark.feedback, style="")
                self.console.print(line)
                if mark.status not in ("correct",):
                    self.solution(part)

    def summary(self, result) -> None:
        table = Table(title="Session summary", title_justify="left", box=box.SIMPLE_HEAD)
        table.add_column("#", justify="right")
        table.add_column("question")
        table.add_column("marks", justify="right")
        table.add_column("status")
        table.add_column("mistakes")
        for number, asked in enumerate(result.asked, 1):
            table.add_row(str(number), f"{asked.question.family.title} [{asked.question.code}]",
                          f"{asked.score:g}/{asked.max:g}", Text(asked.status, style=STATUS_STYLE.get(asked.status, "")),
                          "; ".join(asked.mistakes))
        self.console.print()
        if result.ended == "interrupted":
            self.console.print(Text("Session ended.", style="dim"))
        elif result.ended == "time":
            self.console.print(Text("Time is up.", style="bold yellow"))
        if result.asked:
            self.console.print(table)
        self.console.print(Text(f"Score: {result.score:g}/{result.max:g}", style="bold"))
