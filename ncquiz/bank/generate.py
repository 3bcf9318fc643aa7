"""A variant of a family: parameters drawn from the seed, answers from the solvers, text from templates.

Everything about a variant (parameters, option order, answers, worked solution) comes from one
`numpy.random.Generator` seeded with (family tag, seed) and one context dict, so the question,
its answer and its solution cannot disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal

import numpy as np

from ncquiz.bank.codes import encode
from ncquiz.bank.draw import Drawer
from ncquiz.bank.model import CHOICE_TYPES, Family, Mistake, PartSpec, Rule
from ncquiz.bank.templating import (BankTemplateError, Scope, base_context, expression, plain, reflow, run,
                                    split_blocks, template)
from ncquiz.errors import NcquizError
from ncquiz.solvers import solve, to_json

MAX_ATTEMPTS = 60
LETTERS = "abcdefghij"


class Degenerate(Exception):
    """This draw makes a poor question (all-zero answer, a failed requirement, ...): draw again."""


class GenerationError(BankTemplateError):
    """A family cannot produce a variant for a seed: a problem in the bank file."""


class SolverRefused(BankTemplateError):
    """A part's solver refused the parameters it was given (e.g. a kernel larger than the input)."""


@dataclass
class QuestionPart:
    """One part of a generated question, with its reference answer and worked solution."""

    spec: PartSpec
    prompt: list
    answer: object
    result: object = None
    steps_source: object = ()  # the worked steps, or the Solution that writes them when first read
    solution: str = ""
    hint: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    correct: tuple[str, ...] = ()
    option_notes: dict = field(default_factory=dict)
    model_answer: str = ""

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def steps(self) -> tuple[str, ...]:
        """The worked steps (a solver's are written only when first asked for)."""
        source = self.steps_source
        return source.steps if hasattr(source, "steps") else tuple(source)

    @property
    def type(self) -> str:
        return self.spec.type

    @property
    def marks(self) -> float:
        return self.spec.marks

    @property
    def rule(self) -> Rule | None:
        return self.spec.rule

    def answer_json(self):
        """The reference answer as JSON: a number or nested list; option letter(s); the model answer's text."""
        if self.type == "choice":
            return self.correct[0]
        if self.type == "multi":
            return list(self.correct)
        if self.type == "text":
            return self.model_answer
        return to_json(self.answer)

    def written_entries(self) -> list[str]:
        """Each entry of a numeric answer written as its rule asks (0.410 to 3 d.p.), row by row."""
        from ncquiz.solvers import fmt

        a = np.asarray(self.answer, dtype=float).ravel()
        if self.rule and self.rule.kind in ("dp", "sf"):
            return [_rounded(float(x), self.rule) for x in a]
        return [fmt.num(float(x)) for x in a]

    def answer_text(self) -> str:
        """The reference answer as a student would write it (rounded as its rule asks)."""
        if self.type in CHOICE_TYPES:
            return ", ".join(f"({c})" for c in self.correct)
        if self.type == "text":
            return self.model_answer
        if self.type == "integer":
            return f"{int(self.answer):,}" if abs(int(self.answer)) >= 10000 else str(int(self.answer))
        if self.type == "shape":
            return " x ".join(str(v) for v in self.answer)
        a = np.asarray(self.answer, dtype=float)
        texts = self.written_entries()
        if a.ndim == 0:
            return texts[0]
        if a.ndim == 1:
            return "[" + ", ".join(texts) + "]"
        width = max(map(len, texts))
        rows = [texts[i : i + a.shape[-1]] for i in range(0, len(texts), a.shape[-1])]
        return "\n" + "\n".join("  " + "  ".join(t.rjust(width) for t in row) for row in rows)


def _rounded(x: float, rule: Rule) -> str:
    """x written as its rule asks: 0.800 to 3 d.p., 0.0123 to 3 s.f.; a half rounded up, as by hand
    (0.5625 to 3 d.p. is 0.563, where Python's own formatting gives 0.562)."""
    if rule.kind == "dp":
        return f"{_half_up(x, -rule.value) if _half(x) else x:.{rule.value}f}"
    if x != 0 and _half(x):
        x = _half_up(x, Decimal(repr(x)).adjusted() - rule.value + 1)
    text = f"{x:.{rule.value}g}"
    if "e" in text:
        return text
    digits = len(text.lstrip("-0.").replace(".", ""))
    if digits < rule.value:  # %g drops trailing zeros that count as significant
        text += ("" if "." in text else ".") + "0" * (rule.value - digits)
    return text


def _half(x: float) -> bool:
    """Whether x, as written (repr), ends in a 5: only then can it be a half that formatting rounds to even
    (a quick test, so most numbers skip the decimal arithmetic)."""
    digits = repr(x).partition("e")[0]
    if "." in digits:  # 125.0: the digits that count end before the zeros
        digits = digits.rstrip("0").rstrip(".")
    return digits.endswith("5")


def _half_up(x: float, exponent: int) -> float:
    """x rounded to a multiple of 10**exponent, halves away from zero, judged on the decimal x is
    written as (repr): 0.5625 is a half, 2.675 too (though its binary value lies a little below).
    Called for finite x only (_half is false for inf and nan)."""
    exact = Decimal(repr(x))
    rounded = float(exact.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP, context=_WIDE))
    return rounded if math.isfinite(rounded) else x  # (1.797e308 rounded up would be infinite)


_WIDE = Context(prec=800)
"""Enough digits for any float written to a few decimal places (1e308 to 3 d.p. has 312)."""


@dataclass
class Question:
    """A generated variant: what the student sees, the reference answers and the worked solution."""

    family: Family
    seed: int
    code: str
    params: dict
    prompt: list
    parts: list[QuestionPart]
    solution_extra: str
    context: dict
    known_mistakes: dict = field(default_factory=dict, repr=False)  # label -> [(Mistake, answer)], for markers

    @property
    def marks(self):
        return self.family.marks

    def part(self, label: str) -> QuestionPart | None:
        for p in self.parts:  # two to six parts: a scan is quicker than building an index
            if p.spec.label == label:
                return p
        return None

    def prompt_text(self) -> str:
        return plain(self.prompt)

    def solution_text(self) -> str:
        """The whole worked solution as plain text."""
        chunks = []
        for p in self.parts:
            lines = [f"({p.label})"]
            if p.solution:
                lines.append(p.solution)
            lines.extend(p.steps)
            answer = p.answer_text()
            lines.append(f"Answer: {answer}" if not answer.startswith("\n") else f"Answer:{answer}")
            chunks.append("\n".join(lines))
        if self.solution_extra:
            chunks.append(self.solution_extra)
        return "\n\n".join(chunks)

    def to_json(self) -> dict:
        """The variant as `ncquiz generate --json` prints it."""
        parts = []
        for p in self.parts:
            item = {
                "label": p.label,
                "prompt": plain(p.prompt),
                "answer_type": p.type,
                "answer": p.answer_json(),
                "marks": p.marks,
            }
            if p.rule:
                item["rule"] = p.rule.as_json()
            if p.spec.partial:
                item["partial"] = True
            if p.spec.uses:
                item["uses"] = list(p.spec.uses)
            if p.options:
                item["options"] = [{"letter": letter, "text": text} for letter, text in p.options]
            if p.spec.rubric:
                item["rubric"] = [{"point": r.point, "marks": r.marks} for r in p.spec.rubric]
            parts.append(item)
        return {
            "id": self.family.id,
            "variant": self.code,
            "seed": self.seed,
            "topic": self.family.topic,
            "title": self.family.title,
            "difficulty": self.family.difficulty,
            "marks": self.marks,
            "conventions": list(self.family.conventions),
            "params": {k: to_json(v) for k, v in self.params.items()},
            "prompt": self.prompt_text(),
            "parts": parts,
            "solution": self.solution_text(),
        }

    def recompute(self, label: str, answers: dict) -> object:
        """Part `label`'s answer when earlier answers are replaced by `answers` (for follow-through)."""
        part = self.part(label)
        ctx = Scope(self.context)
        ctx["answers"] = {**self.context["answers"], **answers}
        with np.errstate(all="ignore"):  # a student's value may make a log or division undefined: nan, not a warning
            return compiled(self.family).answer(part.spec, ctx, strict=False)[0]

    def mistaken(self, label: str, mistake: Mistake) -> object:
        """Part `label`'s answer computed with a known mistake (replaced solver args or answer)."""
        with np.errstate(all="ignore"):
            return compiled(self.family).answer(self.part(label).spec, Scope(self.context), mistake)[0]


class Compiled:
    """A family with its templates and expressions compiled, ready to generate variants."""

    def __init__(self, family: Family):
        self.family = family
        self.drawer = Drawer(family.id, family.params)
        self.require = [expression(r, f"require[{i}]") for i, r in enumerate(family.require)]
        self.prompt = template(family.prompt, "prompt")
        self.solution = template(family.solution, "solution") if family.solution else None
        self.parts = {}
        for p in family.parts:
            w = f"parts.{p.label}"
            self.parts[p.label] = {
                "prompt": template(p.prompt, f"{w}.prompt"),
                "args": {k: expression(v, f"{w}.args.{k}") for k, v in p.args.items()},
                "answer": expression(p.answer if p.answer is not None else "result", f"{w}.answer"),
                "solution": template(p.solution, f"{w}.solution") if p.solution else None,
                "hint": template(p.hint, f"{w}.hint") if p.hint else None,
                "options": [template(o.text, f"{w}.options[{i}].text") for i, o in enumerate(p.options)],
                "model_answer": template(p.model_answer, f"{w}.model_answer") if p.model_answer else None,
                "mistakes": [
                    ({k: expression(v, f"{w}.mistakes[{i}].args.{k}") for k, v in m.args.items()},
                     expression(m.answer, f"{w}.mistakes[{i}].answer") if m.answer is not None else None)
                    for i, m in enumerate(p.mistakes)
                ],
            }

    # ------------------------------------------------------------ generation

    def generate(self, seed: int, render: bool = True) -> Question:
        """The variant for `seed`. render=False skips the prompt, hint and solution texts (for marking)."""
        family = self.family
        code = encode(family.tag, seed)
        rng = np.random.default_rng((family.tag << 32) | seed)
        for _ in range(MAX_ATTEMPTS):
            try:
                return self._attempt(seed, code, rng, render)
            except Degenerate:
                continue
        raise GenerationError(f"params: {family.id} found no acceptable variant for seed {seed} in {MAX_ATTEMPTS} "
                              "draws; the parameter ranges or requirements are too tight")

    def _attempt(self, seed: int, code: str, rng, render: bool = True) -> Question:
        ctx = base_context()
        self.drawer.draw(rng, ctx)
        params = {name: ctx[name] for name in self.family.params}
        ctx["answers"], ctx["results"] = {}, {}
        computed = []
        for spec in self.family.parts:
            if spec.type in CHOICE_TYPES or spec.type == "text":
                computed.append((spec, None, None, ()))
                continue
            try:
                answer, result, steps = self.answer(spec, ctx)
            except SolverRefused:
                raise Degenerate from None
            ctx["answers"][spec.label] = answer
            ctx["results"][spec.label] = result
            computed.append((spec, answer, result, steps))
        for i, check in enumerate(self.require):
            if not run(check, f"require[{i}]", ctx):
                raise Degenerate
        parts = []
        for spec, answer, result, steps in computed:
            parts.append(self._part(spec, answer, result, steps, ctx, rng, render))
        prompt = self._render(self.prompt, "prompt", ctx) if render else []
        extra = run(self.solution, "solution", ctx).strip() if self.solution and render else ""
        return Question(self.family, seed, code, params, prompt, parts, extra, ctx)

    def answer(self, spec: PartSpec, ctx: dict, mistake: Mistake | None = None, strict: bool = True):
        """(answer, solver result, steps) of a numeric part in the context ctx, optionally with a mistake.

        The steps are the solver's Solution (its steps are written only when read) or ().

        Not strict (a mistaken method, or follow-through from a student's value): an integer part's
        value may come out fractional.
        """
        c = self.parts[spec.label]
        where = f"parts.{spec.label}"
        answer_expr = c["answer"]
        if mistake is not None:
            margs, manswer = c["mistakes"][spec.mistakes.index(mistake)]
            if manswer is not None:
                answer_expr = manswer
        else:
            margs = {}
        result, steps = None, ()
        if spec.solver:
            args = {k: run(e, f"{where}.args.{k}", ctx) for k, e in c["args"].items()}
            args.update({k: run(e, f"{where}.mistakes.args.{k}", ctx) for k, e in margs.items()})
            try:
                solution = solve(spec.solver, {k: _plain(v) for k, v in args.items()})
            except NcquizError as exc:
                raise SolverRefused(f"{where}: {spec.solver} refused its parameters: {exc}") from None
            result, steps = solution.answer, solution
        ctx["result"] = result
        try:
            value = run(answer_expr, f"{where}.answer", ctx)
        finally:
            del ctx["result"]
        return _normalise(spec, value, strict=strict and mistake is None), result, steps

    def _part(self, spec: PartSpec, answer, result, steps, ctx, rng, render: bool = True) -> QuestionPart:
        c = self.parts[spec.label]
        where = f"parts.{spec.label}"
        if spec.type == "number":
            if not math.isfinite(answer):
                raise GenerationError(f"{where}.answer: the answer is not finite")
        elif spec.type in ("vector", "matrix"):
            if not np.isfinite(answer).all():
                raise GenerationError(f"{where}.answer: the answer is not finite")
            if not answer.any():
                raise Degenerate
        part = QuestionPart(spec=spec, prompt=self._render(c["prompt"], f"{where}.prompt", ctx) if render else [],
                            answer=answer, result=result, steps_source=steps)
        if c["solution"] and render:
            part.solution = run(c["solution"], f"{where}.solution", ctx).strip()
        if c["hint"] and render:
            part.hint = run(c["hint"], f"{where}.hint", ctx).strip()
        if c["model_answer"]:
            part.model_answer = reflow(run(c["model_answer"], f"{where}.model_answer", ctx).strip())
        if spec.type in CHOICE_TYPES:
            self._choose(spec, part, ctx, rng)
            ctx["answers"][spec.label] = part.answer = part.answer_json()
        elif spec.type == "text":
            ctx["answers"][spec.label] = part.answer = part.model_answer
            points = [f"- {r.point} ({_marks(r.marks)})" for r in spec.rubric]
            part.steps_source = (f"Marking points (up to {_marks(spec.marks)}):", *points)
        return part

    def _choose(self, spec: PartSpec, part: QuestionPart, ctx: dict, rng) -> None:
        """Render, de-duplicate, pick and shuffle the options; the correct position varies with the seed."""
        texts = [run(t, f"parts.{spec.label}.options[{i}].text", ctx).strip()
                 for i, t in enumerate(self.parts[spec.label]["options"])]
        seen, right, wrong = set(), [], []
        for option, text in sorted(zip(spec.options, texts), key=lambda ot: not ot[0].correct):
            key = " ".join(text.lower().split())
            if key in seen:
                continue
            seen.add(key)
            (right if option.correct else wrong).append((option, text))
        want = spec.pick or len(right) + len(wrong)
        if spec.type == "choice" and want > len(right) + len(wrong):
            want = len(right) + len(wrong)
        wrong = [wrong[i] for i in rng.permutation(len(wrong))][: max(0, want - len(right))]
        chosen = right + wrong
        if len(chosen) < 2 or (spec.pick and len(chosen) < min(spec.pick, 3)):
            raise Degenerate
        order = rng.permutation(len(chosen))
        for letter, i in zip(LETTERS, order):
            option, text = chosen[i]
            part.options.append((letter, text))
            part.option_notes[letter] = option
        part.correct = tuple(letter for letter, _ in part.options if part.option_notes[letter].correct)
        notes = []
        for letter, _ in part.options:
            option = part.option_notes[letter]
            verdict = "correct" if option.correct else "wrong"
            notes.append(f"({letter}) {verdict}" + (f": {option.why}" if option.why else "."))
        part.steps_source = tuple(notes)

    @staticmethod
    def _render(compiled_template, where: str, ctx: dict) -> list:
        blocks: list = []
        ctx["_blocks"] = blocks
        try:
            text = run(compiled_template, where, ctx)
        finally:
            del ctx["_blocks"]
        return split_blocks(text.strip(), blocks)


def _marks(n) -> str:
    return f"{n:g} mark" + ("" if n == 1 else "s")


def _plain(value):
    """Values for a solver: tuples and numpy scalars become lists and numbers."""
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _normalise(spec: PartSpec, value, strict: bool = True):
    """A part's answer in its type's form: int, float, float arrays, tuple of ints.

    Not strict (a mistaken method): an integer part's value may be fractional (a missing floor).
    """
    where = f"parts.{spec.label}.answer"
    try:
        if spec.type == "integer":
            x = float(np.asarray(value, dtype=float))
            if not strict:
                return int(x) if x.is_integer() else x
            if not x.is_integer():
                raise BankTemplateError(f"{where}: an integer part's answer is {x}")
            return int(x)
        if spec.type == "number":
            return float(np.asarray(value, dtype=float))
        if spec.type == "vector":
            return np.ravel(np.asarray(value, dtype=float))
        if spec.type == "matrix":
            a = np.asarray(value, dtype=float)
            if a.ndim < 2:
                raise BankTemplateError(f"{where}: a matrix part's answer has shape {a.shape}")
            return a
        if spec.type == "shape":
            return tuple(int(v) for v in np.ravel(value))
    except (TypeError, ValueError) as exc:
        raise BankTemplateError(f"{where}: {exc}") from None
    return value


_COMPILED: dict[int, Compiled] = {}


def compiled(family: Family) -> Compiled:
    """The compiled form of a family (compiled once per process)."""
    c = _COMPILED.get(id(family))
    if c is None or c.family is not family:
        c = _COMPILED[id(family)] = Compiled(family)
    return c


def generate(family: Family, seed: int, render: bool = True) -> Question:
    """The variant of `family` for `seed` (render=False: answers only, no question or solution text)."""
    return compiled(family).generate(seed, render)
