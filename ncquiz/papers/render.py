"""Worksheets and keys as documents: Typst (compiled to PDF in-process), HTML, Markdown, LaTeX.

Every format is rendered from a jinja2 template in templates/ (`paper.typ`, `paper.html`,
`paper.md`, `paper.tex`; `--template DIR` substitutes an instructor's own). The templates get
plain data (see `view`) and a few filters that know the format: `text` (escaped text),
`blocks` (a prompt: text and matrices typeset as mathematics), `space` (the answer space
a part needs), `answer` (a part's reference answer), `pre` (a worked solution, verbatim).
"""

from __future__ import annotations

import functools
import html
import re
from pathlib import Path

import numpy as np
from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ncquiz.bank.model import NUMERIC_TYPES
from ncquiz.bank.templating import bounded_binop
from ncquiz.errors import NcquizError
from ncquiz.papers.build import Worksheet
from ncquiz.resources import data_dir
from ncquiz.solvers import fmt

FORMATS = {"pdf": "paper.typ", "typ": "paper.typ", "html": "paper.html", "md": "paper.md", "tex": "paper.tex"}


# ---------------------------------------------------------------- the data templates see


def _cells(value, part=None) -> list[list[str]]:
    """A matrix (or vector, as one row) as rows of written numbers (as the part's rule writes them)."""
    a = np.atleast_2d(np.asarray(value, dtype=float))
    if part is not None:
        written = part.written_entries()
        return [written[i * a.shape[1]:(i + 1) * a.shape[1]] for i in range(a.shape[0])]
    return [[fmt.num(x) for x in row] for row in a.tolist()]


_LABEL = re.compile(r"(?:^|\n)([^\n=]{1,24}?)\s*=\s*$")


def _blocks(blocks: list) -> list[tuple[str, object, str]]:
    """(kind, value, label): text, or a matrix's rows of written numbers with the short name
    written just before it ("X =" on its own line becomes the matrix's label)."""
    out = []
    for b in blocks:
        if isinstance(b, str):
            if b.strip("\n"):
                out.append(["text", b.strip("\n"), ""])
            continue
        label = ""
        if out and out[-1][0] == "text":
            m = _LABEL.search(out[-1][1])
            if m:
                label = m.group(1).strip()
                out[-1][1] = out[-1][1][: m.start()].rstrip("\n")
                if not out[-1][1].strip():
                    out.pop()
        if np.ndim(b) >= 3:
            out.extend(["matrix", _cells(m), f"{label}[{i}]" if label else ""] for i, m in enumerate(np.asarray(b)))
        else:
            out.append(["matrix", _cells(b), label])
    return [tuple(x) for x in out]


def _scheme(part) -> list[str]:
    """The marking scheme of a part, as lines for the key."""
    lines = [f"{part.marks:g} mark{'s' if part.marks != 1 else ''}"]
    rule = part.rule
    if rule is not None and rule.kind != "exact":
        lines.append(f"accept answers {rule.describe()}" + (" (more digits are fine)" if rule.kind in ("dp", "sf") else ""))
    elif part.type in NUMERIC_TYPES:
        lines.append("exact value")
    if part.spec.partial and part.type in ("vector", "matrix"):
        lines.append("partial credit: marks in proportion to the correct entries (quarter marks, rounded down)")
    if part.spec.partial and part.type == "shape":
        lines.append("partial credit: per correct component")
    if part.spec.uses:
        used = ", ".join(f"({u})" for u in part.spec.uses)
        lines.append(f"follow-through: full marks for correct working from the student's own answer to {used}")
    for m in part.spec.mistakes:
        lines.append(f"common mistake: {m.name}")
    for r in part.spec.rubric:
        lines.append(f"point ({r.marks:g}): {r.point} - e.g. \"{r.phrases[0]}\"")
    return lines


def _part_view(part, size_asked: bool = False) -> dict:
    """A part as the templates see it. `size_asked`: an earlier part asks for a size, so the
    answer space must not give the shape away (an open box instead of a grid of that shape)."""
    shape = tuple(np.shape(part.answer)) if part.type in ("vector", "matrix") else ()
    solution = "\n".join([*([part.solution] if part.solution else []), *part.steps])
    return {
        "label": part.label,
        "marks": part.marks,
        "marks_text": f"[{part.marks:g} mark{'s' if part.marks != 1 else ''}]",
        "rule_text": part.rule.describe() if part.rule is not None and part.rule.kind in ("dp", "sf") else "",
        "prompt": _blocks(part.prompt),
        "type": part.type,
        "shape": shape,
        "open": size_asked and part.type in ("vector", "matrix"),
        "size": len(part.answer) if part.type == "shape" else 0,
        "options": [{"letter": letter, "text": text, "correct": letter in part.correct} for letter, text in part.options],
        "answer_text": part.answer_text().strip("\n"),
        "answer_cells": _cells(part.answer, part) if part.type in ("vector", "matrix") and np.ndim(part.answer) <= 2 else None,
        "solution": solution,
        "scheme": _scheme(part),
        "lines": int(2 * part.marks + 1),
    }


def view(sheet: Worksheet, key: bool) -> dict:
    """Everything a paper template needs, as plain data."""
    papers = []
    for paper in sheet.papers:
        questions = []
        for pq in paper.questions:
            q = pq.question
            questions.append({
                "number": pq.number,
                "code": pq.printed,
                "title": q.family.title,
                "topic": q.family.topic,
                "marks": q.marks,
                "marks_text": f"[{q.marks:g} mark{'s' if q.marks != 1 else ''}]",
                "prompt": _blocks(q.prompt),
                "conventions": list(q.family.conventions),
                "parts": [_part_view(p, any(e.type in ("integer", "shape") for e in q.parts[:i]))
                          for i, p in enumerate(q.parts)],
                "extra": q.solution_extra,
            })
        papers.append({"student": {"id": paper.student.id, "name": paper.student.name}, "marks": paper.marks,
                       "questions": questions})
    return {"title": sheet.title, "course": sheet.course, "date": sheet.date, "instructions": sheet.instructions,
            "key": key, "papers": papers}


# ---------------------------------------------------------------- formats


class _Writer:
    """What every format writes alike: a prompt's blocks (paragraphs and matrices, joined by
    BLOCK_SEP) and a part's answer; each format gives text, matrix, space and pre."""

    BLOCK_SEP = "\n\n"

    def blocks(self, blocks) -> str:
        return self.BLOCK_SEP.join(self.text(v) if k == "text" else self.matrix(v, label) for k, v, label in blocks)

    def answer(self, part: dict) -> str:
        if part["answer_cells"] is not None:
            return self.matrix(part["answer_cells"])
        return self.text(part["answer_text"])

    @staticmethod
    def grid(part: dict) -> tuple[int, int]:
        """Rows and columns of the answer grid of a vector (one row) or matrix part."""
        shape = part["shape"]
        return (1, shape[0]) if len(shape) == 1 else tuple(shape[-2:])


class Typst(_Writer):
    """Typst markup: text as string literals (nothing in it is markup), matrices as math."""

    @staticmethod
    def string(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

    def text(self, s: str) -> str:
        paragraphs = re.split(r"\n\s*\n", str(s))
        return "\n\n".join(" \\\n".join(f"#{self.string(line)}" for line in p.split("\n") if line.strip())
                           for p in paragraphs if p.strip())

    def matrix(self, rows, label: str = "") -> str:
        body = "; ".join(", ".join(f'"{c}"' if not _numeric(c) else c for c in row) for row in rows)
        name = f"{self.string(label)} = " if label else ""
        return f'$ {name}mat(delim: "[", {body}) $'

    def space(self, part: dict) -> str:
        t = part["type"]
        if part["open"]:
            return "#box(width: 9cm, height: 4.5cm, stroke: 0.5pt + luma(120))"
        if t in ("vector", "matrix"):
            rows, cols = self.grid(part)
            cells = ", ".join(["[]"] * (rows * cols))
            return (f"#table(columns: ({', '.join(['1.5cm'] * cols)}), rows: ({', '.join(['1cm'] * rows)}), "
                    f"stroke: 0.5pt + luma(120), {cells})")
        if t == "shape":
            boxes = [" #box(width: 1.6cm, height: 0.9cm, stroke: 0.5pt + luma(120))"] * max(1, part["size"])
            return " $times$ ".join(boxes)
        if t in ("integer", "number"):
            return "#box(width: 4.5cm, height: 0.9cm, stroke: 0.5pt + luma(120))"
        if t in ("choice", "multi"):
            what = "one letter" if t == "choice" else "every correct letter"
            letters = "#h(1.2em)".join(f"#box(baseline: 30%, circle(radius: 0.35cm, stroke: 0.5pt, "
                                       f"align(center + horizon)[{o['letter']}]))" for o in part["options"])
            return f"#text(size: 9pt, style: \"italic\")[Circle {what}:] #h(0.8em) {letters}"
        return "\n".join(["#v(0.75cm) #line(length: 100%, stroke: 0.4pt + luma(150))"] * part["lines"])

    def pre(self, s: str) -> str:
        return f"#raw({self.string(s)}, block: true)" if s else ""


class Html(_Writer):
    """A self-contained HTML document: MathML for matrices (renders offline), CSS for print."""

    BLOCK_SEP = ""

    def text(self, s: str) -> str:
        paragraphs = re.split(r"\n\s*\n", str(s))
        return "".join("<p>" + "<br>".join(html.escape(line) for line in p.split("\n") if line.strip()) + "</p>"
                       for p in paragraphs if p.strip())

    def matrix(self, rows, label: str = "") -> str:
        body = "".join("<mtr>" + "".join(f"<mtd><mn>{html.escape(c)}</mn></mtd>" for c in row) + "</mtr>" for row in rows)
        name = f"<mtext>{html.escape(label)}</mtext><mo>=</mo>" if label else ""
        return f'<math display="block"><mrow>{name}<mo>[</mo><mtable>{body}</mtable><mo>]</mo></mrow></math>'

    def space(self, part: dict) -> str:
        t = part["type"]
        if part["open"]:
            return '<span class="box open"></span>'
        if t in ("vector", "matrix"):
            rows, cols = self.grid(part)
            row = "<tr>" + "<td></td>" * cols + "</tr>"
            return f'<table class="grid">{row * rows}</table>'
        if t == "shape":
            return " &times; ".join(['<span class="box small"></span>'] * max(1, part["size"]))
        if t in ("integer", "number"):
            return '<span class="box"></span>'
        if t in ("choice", "multi"):
            what = "one letter" if t == "choice" else "every correct letter"
            letters = "".join(f'<span class="circle">{o["letter"]}</span>' for o in part["options"])
            return f'<p class="circle-line"><em>Circle {what}:</em> {letters}</p>'
        return '<div class="line"></div>' * part["lines"]

    def pre(self, s: str) -> str:
        return f"<pre>{html.escape(s)}</pre>" if s else ""


class Markdown(_Writer):
    """Markdown with LaTeX mathematics ($$ ... $$) for matrices."""

    def text(self, s: str) -> str:
        escaped = re.sub(r"([\\`*_\[\]<>#|$&~])", r"\\\1", str(s))  # $: maths; &: an entity; ~: strike-through
        paragraphs = re.split(r"\n\s*\n", escaped)
        return "\n\n".join("  \n".join(line for line in p.split("\n") if line.strip()) for p in paragraphs if p.strip())

    def matrix(self, rows, label: str = "") -> str:
        name = f"\\text{{{label}}} = " if label else ""
        return f"$${name}\\begin{{bmatrix}} " + " \\\\ ".join(" & ".join(row) for row in rows) + " \\end{bmatrix}$$"

    def space(self, part: dict) -> str:
        t = part["type"]
        if part["open"]:
            return "\n\n".join(["_" * 40] * 4)
        if t in ("vector", "matrix"):
            rows, cols = self.grid(part)
            header = "|" + "|".join(["     "] * cols) + "|\n|" + "|".join(["-----"] * cols) + "|"
            return header + ("\n|" + "|".join(["     "] * cols) + "|") * (rows - 1 if rows > 1 else 0)
        if t in ("choice", "multi"):
            return "Circle " + ("one letter" if t == "choice" else "every correct letter") + ": " + \
                "  ".join(f"({o['letter']})" for o in part["options"])
        if t == "text":
            return "\n\n".join(["_" * 60] * max(2, part["lines"] // 2))
        return "Answer: " + "_" * 20

    def pre(self, s: str) -> str:
        return f"```\n{s}\n```" if s else ""


class Latex(_Writer):
    """LaTeX source (article class, amsmath) for instructors who use their own class."""

    SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{",
               "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "<": r"\textless{}",
               ">": r"\textgreater{}"}

    # Characters the bank and rosters use that pdflatex's utf8 input does not know: Greek letters and
    # mathematical signs become math, a combining accent (the hat of x̂) a text accent on the letter.
    MATH = {**{ch: "\\" + name for ch, name in zip(
                "αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΣΦΨΩ",
                ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda",
                 "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega", "Gamma",
                 "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Phi", "Psi", "Omega"])},
            "≥": r"\geq", "≤": r"\leq", "≈": r"\approx", "≠": r"\neq", "×": r"\times", "·": r"\cdot",
            "−": "-", "±": r"\pm", "→": r"\to", "←": r"\leftarrow", "∞": r"\infty", "∈": r"\in", "∑": r"\sum",
            "√": r"\surd", "²": "^{2}", "³": "^{3}", "¹": "^{1}", "⊙": r"\odot", "∂": r"\partial", "∇": r"\nabla"}
    ACCENTS = {"\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0304": "=", "\u0308": '"'}

    def _escape(self, s: str) -> str:
        out: list[str] = []
        for ch in str(s):
            if ch in self.ACCENTS and out:
                out[-1] = f"\\{self.ACCENTS[ch]}{{{out[-1]}}}"
            elif ch in self.MATH:
                out.append(f"\\ensuremath{{{self.MATH[ch]}}}")
            else:
                out.append(self.SPECIAL.get(ch, ch))
        return "".join(out)

    ASCII = {"≥": ">=", "≤": "<=", "≈": "~", "≠": "!=", "×": "x", "·": "*", "−": "-", "±": "+/-", "→": "->",
             "←": "<-", "∞": "inf", "²": "^2", "³": "^3", "¹": "^1", "√": "sqrt", "∑": "sum", "⊙": "(.)", "∂": "d",
             "∇": "grad", "\u0302": "^"}

    @classmethod
    def _ascii(cls, s: str) -> str:
        """s for a verbatim block, where no character is interpreted: Greek letters by name, signs spelled."""
        import unicodedata

        out = []
        for ch in s:
            if ch in cls.ASCII:
                out.append(cls.ASCII[ch])
            elif ch in cls.MATH and cls.MATH[ch].startswith("\\"):
                out.append(cls.MATH[ch][1:])
            elif ord(ch) > 127:
                plain = "".join(c for c in unicodedata.normalize("NFKD", ch) if ord(c) < 128)
                out.append(plain or "?")
            else:
                out.append(ch)
        return "".join(out)

    def text(self, s: str) -> str:
        paragraphs = re.split(r"\n\s*\n", str(s))
        return "\n\n".join(" \\\\\n".join(self._escape(line) for line in p.split("\n") if line.strip())
                           for p in paragraphs if p.strip())

    def matrix(self, rows, label: str = "") -> str:
        name = f"\\text{{{self._escape(label)}}} = " if label else ""
        return f"\\[{name}\\begin{{bmatrix}} " + " \\\\ ".join(" & ".join(self._escape(c) for c in row) for row in rows) + \
            " \\end{bmatrix}\\]"

    def space(self, part: dict) -> str:
        t = part["type"]
        if part["open"]:
            return "\\fbox{\\rule{0pt}{4.5cm}\\hspace{9cm}}"
        if t in ("vector", "matrix"):
            rows, cols = self.grid(part)
            row = " & ".join(["\\rule{0pt}{0.9cm}\\hspace{1.3cm}"] * cols) + " \\\\ \\hline"
            return "\\begin{tabular}{|" + "c|" * cols + "}\\hline\n" + "\n".join([row] * rows) + "\n\\end{tabular}"
        if t == "shape":
            return " $\\times$ ".join(["\\fbox{\\rule{0pt}{0.6cm}\\hspace{1.4cm}}"] * max(1, part["size"]))
        if t in ("integer", "number"):
            return "\\fbox{\\rule{0pt}{0.6cm}\\hspace{4cm}}"
        if t in ("choice", "multi"):
            what = "one letter" if t == "choice" else "every correct letter"
            return f"\\emph{{Circle {what}:}}\\quad " + "\\quad ".join(f"\\textcircled{{{o['letter']}}}" for o in part["options"])
        return "\n".join(["\\vspace{0.6cm}\\noindent\\rule{\\linewidth}{0.4pt}"] * part["lines"])

    def pre(self, s: str) -> str:
        return f"\\begin{{verbatim}}\n{self._ascii(s)}\n\\end{{verbatim}}" if s else ""


_WRITERS = {"paper.typ": Typst, "paper.html": Html, "paper.md": Markdown, "paper.tex": Latex}


def _numeric(text: str) -> bool:
    return bool(re.match(r"^-?\d+(\.\d+)?(e[+-]?\d+)?$", text))


class _PaperEnv(ImmutableSandboxedEnvironment):
    """The sandbox for document templates (an instructor's --template DIR too): no code, and no
    repetition or power too large to hold (`'x' * 10**10`)."""

    intercepted_binops = frozenset({"**", "*", "%"})

    def call_binop(self, context, operator, left, right):
        return bounded_binop(operator, left, right)


@functools.lru_cache(maxsize=16)
def _template(name: str, template_dir: Path | None):
    """The compiled template `name` (from template_dir first, else the built-in ones), with its format's filters."""
    directories = [str(template_dir)] if template_dir else []
    directories.append(str(data_dir("templates")))
    env = _PaperEnv(loader=FileSystemLoader(directories), undefined=StrictUndefined, autoescape=False,
                    trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    writer = _WRITERS[name]()
    env.filters.update(text=writer.text, blocks=writer.blocks, space=writer.space, answer=writer.answer, pre=writer.pre,
                       matrix=writer.matrix)
    if hasattr(writer, "string"):  # Typst: a string literal, escaped as Typst reads it
        env.filters["string"] = writer.string
    return env.get_template(name)


def render_source(sheet: Worksheet, fmt_name: str, key: bool, template_dir: Path | None = None) -> str:
    """The document source (Typst for pdf) of the worksheet or its key."""
    name = FORMATS[fmt_name]
    try:
        return _template(name, template_dir).render(view(sheet, key))
    except TemplateError as exc:
        where = f"{getattr(exc, 'filename', None) or name}" + (f", line {exc.lineno}" if getattr(exc, "lineno", None) else "")
        raise NcquizError(f"template {where}: {exc.message}") from None
    except UnicodeDecodeError:
        raise NcquizError(f"template {name}: not UTF-8 text") from None
    except (OverflowError, MemoryError, RecursionError) as exc:  # e.g. range() over 100,000 items in the sandbox
        raise NcquizError(f"template {name}: {exc or type(exc).__name__}") from None
