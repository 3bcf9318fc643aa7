"""Reading bank files (TOML) into Families, and checking them.

Every problem found is a `Problem(file, field, message)`; reading a family collects them all
instead of stopping at the first, so `ncquiz bank check` can report a whole file at once.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ncquiz.bank.codes import family_tag
from ncquiz.bank.model import (
    ANSWER_TYPES,
    CHOICE_TYPES,
    NUMERIC_TYPES,
    RULE_KINDS,
    Family,
    Mistake,
    Option,
    PartSpec,
    RubricPoint,
    Rule,
)
from ncquiz.bank.topics import TOPICS

ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
LABEL_PATTERN = re.compile(r"^[a-z][a-z0-9]*$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
ANSWER_REF = re.compile(r"\banswers\.([a-z][a-z0-9]*)|\banswers\[['\"]([a-z][a-z0-9]*)['\"]\]")
RESERVED = {"answers", "results", "result", "seed"}

FAMILY_KEYS = {"id", "topic", "title", "difficulty", "prompt", "parts", "params", "require", "conventions",
               "solution", "marks", "examples"}
PART_KEYS = {"label", "type", "marks", "prompt", "solver", "args", "answer", "rule", "partial", "hint", "solution",
             "options", "pick", "rubric", "model_answer", "mistakes"}
OPTION_KEYS = {"text", "correct", "why", "mistake"}
RUBRIC_KEYS = {"point", "marks", "phrases"}
MISTAKE_KEYS = {"name", "args", "answer", "feedback"}
DRAW_KINDS = ("int", "real", "choice", "matrix", "vector", "tensor", "shuffle", "sample", "expr")
DRAW_KEYS = set(DRAW_KINDS) | {"dp", "exclude", "distinct", "nonzero", "k"}


@dataclass(frozen=True)
class Problem:
    """Something wrong in a bank file: where (file, field) and what."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


class _Collector:
    """Collects problems for one file."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(self, field: str, message: str) -> None:
        self.problems.append(Problem(self.file, field, message))


def family_files(directory: Path) -> list[Path]:
    """The bank files under `directory`, in a stable order (grouped by area in subfolders)."""
    return sorted(p for p in directory.rglob("*.toml") if p.is_file())


def read_family(path: Path, display: str | None = None) -> tuple[Family | None, list[Problem]]:
    """Read one bank file: the family (None if it cannot be built) and every problem found."""
    out = _Collector(display or str(path))
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        out.add("(file)", f"not valid TOML: {exc}")
        return None, out.problems
    except RecursionError:
        out.add("(file)", "not a bank file: its arrays or tables are nested too deeply to read")
        return None, out.problems
    except (OSError, UnicodeDecodeError) as exc:
        out.add("(file)", f"cannot read: {exc}")
        return None, out.problems
    family = _family(raw, path, out)
    return (family if not out.problems else None), out.problems


def _family(raw: dict, path: Path, out: _Collector) -> Family | None:
    for key in raw:
        if key not in FAMILY_KEYS:
            out.add(key, f"unknown field (expected one of {', '.join(sorted(FAMILY_KEYS))})")
    fid = _text(raw, "id", out, required=True)
    if fid and not ID_PATTERN.match(fid):
        out.add("id", f"'{fid}' must be lowercase letters, digits and dashes")
    if fid and path.stem != fid:
        out.add("id", f"'{fid}' must match the file name ({path.stem}.toml), so a family is found by its id")
    topic = _text(raw, "topic", out, required=True)
    if topic and topic not in TOPICS:
        out.add("topic", f"unknown topic '{topic}' (the syllabus topics are {', '.join(TOPICS)})")
    title = _text(raw, "title", out, required=True)
    difficulty = raw.get("difficulty")
    if not isinstance(difficulty, int) or isinstance(difficulty, bool) or not 1 <= difficulty <= 3:
        out.add("difficulty", f"expected 1, 2 or 3, got {difficulty!r}")
    prompt = _text(raw, "prompt", out, required=True)
    conventions = _strings(raw, "conventions", out)
    require = _strings(raw, "require", out)
    examples = raw.get("examples", [])
    if not isinstance(examples, list) or not all(isinstance(e, int) and 1 <= e <= 10 for e in examples):
        out.add("examples", "expected a list of example-question numbers from 1 to 10")
        examples = []
    params = raw.get("params", {})
    if not isinstance(params, dict):
        out.add("params", "expected a table of parameters")
        params = {}
    for name, spec in params.items():
        _check_draw(f"params.{name}", name, spec, out)
    raw_parts = raw.get("parts")
    if not isinstance(raw_parts, list) or not raw_parts or not all(isinstance(p, dict) for p in raw_parts):
        out.add("parts", "expected at least one [[parts]] table")
        raw_parts = []
    parts = []
    for i, rp in enumerate(raw_parts):
        part = _part(rp, i, out)
        if part:
            parts.append(part)
    labels = [p.label for p in parts]
    for i, label in enumerate(labels):
        if label in labels[:i]:
            out.add(f"parts[{i}].label", f"'{label}' is used by an earlier part")
    for i, p in enumerate(parts):
        for used in p.uses:
            if used not in labels[:i]:
                out.add(f"parts.{p.label}", f"uses answers.{used}, which is not an earlier part")
    declared = raw.get("marks")
    total = sum(p.marks for p in parts)
    if declared is not None and parts and declared != total:
        out.add("marks", f"the parts' marks sum to {total:g}, not the declared {declared}")
    if out.problems:
        return None
    return Family(id=fid, topic=topic, title=title, difficulty=difficulty, prompt=prompt, parts=tuple(parts),
                  params=dict(params), require=tuple(require), conventions=tuple(conventions),
                  solution=raw.get("solution", ""), examples=tuple(examples), path=path, tag=family_tag(fid))


def _part(rp: dict, i: int, out: _Collector) -> PartSpec | None:
    where = f"parts[{i}]"
    for key in rp:
        if key not in PART_KEYS:
            out.add(f"{where}.{key}", f"unknown field (expected one of {', '.join(sorted(PART_KEYS))})")
    label = rp.get("label")
    if not isinstance(label, str) or not LABEL_PATTERN.match(label):
        out.add(f"{where}.label", f"expected a short lowercase label such as 'a', got {label!r}")
        return None
    where = f"parts.{label}"
    kind = rp.get("type")
    if kind not in ANSWER_TYPES:
        out.add(f"{where}.type", f"expected one of {', '.join(ANSWER_TYPES)}, got {kind!r}")
        return None
    marks = rp.get("marks")
    if not isinstance(marks, (int, float)) or isinstance(marks, bool) or marks <= 0:
        out.add(f"{where}.marks", f"expected a positive number of marks, got {marks!r}")
        marks = 1
    solver = rp.get("solver")
    args = rp.get("args", {})
    if solver is not None:
        from ncquiz.solvers.spec import KINDS

        if solver not in KINDS:
            out.add(f"{where}.solver", f"unknown solver '{solver}' (the solvers are {', '.join(KINDS)})")
        elif not isinstance(args, dict):
            out.add(f"{where}.args", "expected a table of solver parameters")
        else:
            names = [p.name for p in KINDS[solver].params]
            for key in args:
                if key not in names:
                    out.add(f"{where}.args.{key}", f"not a parameter of {solver} (it takes {', '.join(names)})")
            for p in KINDS[solver].params:
                if p.required and p.name not in args:
                    out.add(f"{where}.args", f"missing {p.name}, which {solver} needs")
    elif args:
        out.add(f"{where}.args", "args need a solver")
    answer = rp.get("answer")
    if answer is not None and not isinstance(answer, (str, int, float, list)):
        out.add(f"{where}.answer", "expected an expression")
    if kind in NUMERIC_TYPES and solver is None and answer is None:
        out.add(f"{where}.answer", "a numeric part needs a solver or an answer expression")
    if kind in NUMERIC_TYPES and solver is None and not rp.get("solution"):
        out.add(f"{where}.solution", "a part without a solver needs a worked solution")
    rule = _rule(rp.get("rule"), kind, f"{where}.rule", out)
    options = ()
    if kind in CHOICE_TYPES:
        options = _options(rp.get("options"), kind, f"{where}.options", out)
        pick = rp.get("pick")
        if pick is not None and (not isinstance(pick, int) or pick < 2 or pick > len(options)):
            out.add(f"{where}.pick", f"expected a number of options from 2 to {len(options)}")
    elif "options" in rp:
        out.add(f"{where}.options", f"options belong to choice and multi parts, not {kind}")
    rubric = ()
    if kind == "text":
        rubric = _rubric(rp.get("rubric"), marks, f"{where}.rubric", out)
        if not isinstance(rp.get("model_answer"), str) or not rp.get("model_answer").strip():
            out.add(f"{where}.model_answer", "a short-answer part needs a model answer")
    mistakes = _mistakes(rp.get("mistakes", []), solver, f"{where}.mistakes", out)
    for key in ("prompt", "hint", "solution", "model_answer"):
        if key in rp and not isinstance(rp[key], str):
            out.add(f"{where}.{key}", "expected text")
    uses = _uses([answer, *(args.values() if isinstance(args, dict) else [])])
    return PartSpec(label=label, type=kind, marks=marks, prompt=rp.get("prompt", ""), solver=solver,
                    args=dict(args) if isinstance(args, dict) else {}, answer=answer, rule=rule,
                    partial=bool(rp.get("partial", False)), hint=rp.get("hint", ""), solution=rp.get("solution", ""),
                    options=options, pick=rp.get("pick"), rubric=rubric, model_answer=rp.get("model_answer", ""),
                    mistakes=mistakes, uses=uses)


def _uses(expressions) -> tuple[str, ...]:
    """Labels of earlier parts whose answers these expressions read (answers.a, answers['a'])."""
    found = []
    for e in expressions:
        if isinstance(e, str):
            for m in ANSWER_REF.finditer(e):
                label = m.group(1) or m.group(2)
                if label not in found:
                    found.append(label)
    return tuple(found)


def _rule(raw, kind: str, where: str, out: _Collector) -> Rule | None:
    if raw is None:
        if kind in ("integer", "shape"):
            return Rule("exact")
        if kind in ("number", "vector", "matrix"):
            out.add(where, "a real-valued part needs a marking rule: { dp = 2 }, { sf = 3 }, { abs = 0.01 }, "
                           "{ rel = 0.001 } or { exact = true }")
        return None
    if kind not in NUMERIC_TYPES:
        out.add(where, f"a {kind} part has no numeric marking rule")
        return None
    if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in RULE_KINDS:
        out.add(where, f"expected one of {{ dp = N }}, {{ sf = N }}, {{ abs = X }}, {{ rel = X }}, {{ exact = true }}, "
                       f"got {raw!r}")
        return None
    rule_kind, value = next(iter(raw.items()))
    if rule_kind == "exact":
        if value is not True:
            out.add(where, "exact takes true")
        return Rule("exact")
    if rule_kind in ("dp", "sf"):
        if not isinstance(value, int) or isinstance(value, bool) or not (0 <= value <= 10 if rule_kind == "dp" else 1 <= value <= 10):
            out.add(where, f"{rule_kind} takes a whole number of {'decimal places' if rule_kind == 'dp' else 'figures'}")
            return None
        return Rule(rule_kind, value)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
        out.add(where, f"{rule_kind} takes a positive tolerance")
        return None
    return Rule(rule_kind, float(value))


def _options(raw, kind: str, where: str, out: _Collector) -> tuple[Option, ...]:
    if not isinstance(raw, list) or len(raw) < 2 or not all(isinstance(o, dict) for o in raw):
        out.add(where, "a choice part needs a list of at least two options ({ text = ..., correct = true })")
        return ()
    options = []
    for i, o in enumerate(raw):
        for key in o:
            if key not in OPTION_KEYS:
                out.add(f"{where}[{i}].{key}", f"unknown field (expected one of {', '.join(sorted(OPTION_KEYS))})")
        if not isinstance(o.get("text"), str) or not o["text"].strip():
            out.add(f"{where}[{i}].text", "an option needs its text")
            continue
        options.append(Option(text=o["text"], correct=bool(o.get("correct", False)), why=str(o.get("why", "")),
                              mistake=str(o.get("mistake", ""))))
    right = sum(o.correct for o in options)
    if kind == "choice" and right != 1:
        out.add(where, f"a single-choice part needs exactly one correct option, found {right}")
    if kind == "multi" and right < 1:
        out.add(where, "a multiple-choice part needs at least one correct option")
    return tuple(options)


def _rubric(raw, marks: float, where: str, out: _Collector) -> tuple[RubricPoint, ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(r, dict) for r in raw):
        out.add(where, "a short-answer part needs rubric points ({ point = ..., marks = 1, phrases = [...] })")
        return ()
    points = []
    for i, r in enumerate(raw):
        for key in r:
            if key not in RUBRIC_KEYS:
                out.add(f"{where}[{i}].{key}", f"unknown field (expected one of {', '.join(sorted(RUBRIC_KEYS))})")
        phrases = r.get("phrases")
        m = r.get("marks", 1)
        if not isinstance(r.get("point"), str) or not isinstance(phrases, list) or not phrases or \
                not all(isinstance(p, str) and p.strip() for p in phrases):
            out.add(f"{where}[{i}]", "a rubric point needs point (text) and phrases (a list of texts)")
            continue
        if not isinstance(m, (int, float)) or isinstance(m, bool) or m <= 0:
            out.add(f"{where}[{i}].marks", "expected a positive number of marks")
            continue
        points.append(RubricPoint(point=r["point"], marks=m, phrases=tuple(phrases)))
    available = sum(p.marks for p in points)
    if points and available < marks:
        out.add(where, f"the rubric points offer {available:g} marks, fewer than the part's {marks:g}")
    return tuple(points)


def _mistakes(raw, solver, where: str, out: _Collector) -> tuple[Mistake, ...]:
    if not isinstance(raw, list) or not all(isinstance(m, dict) for m in raw):
        out.add(where, "expected a list of { name = ..., args = {...} } tables")
        return ()
    mistakes = []
    for i, m in enumerate(raw):
        for key in m:
            if key not in MISTAKE_KEYS:
                out.add(f"{where}[{i}].{key}", f"unknown field (expected one of {', '.join(sorted(MISTAKE_KEYS))})")
        if not isinstance(m.get("name"), str) or not m["name"].strip():
            out.add(f"{where}[{i}].name", "a mistake needs a name")
            continue
        args = m.get("args", {})
        if not isinstance(args, dict) or (args and solver is None):
            out.add(f"{where}[{i}].args", "args replace solver parameters: a table, on a part with a solver")
            continue
        if not args and m.get("answer") is None:
            out.add(f"{where}[{i}]", "a mistake needs args (replaced solver parameters) or an answer expression")
            continue
        mistakes.append(Mistake(name=m["name"], args=dict(args), answer=m.get("answer"), feedback=m.get("feedback", "")))
    return tuple(mistakes)


def _check_draw(where: str, name: str, spec, out: _Collector) -> None:
    if not NAME_PATTERN.match(name) or name in RESERVED:
        out.add(where, f"'{name}' cannot name a parameter (lowercase letters, digits, _; not {', '.join(sorted(RESERVED))})")
    if not isinstance(spec, dict):
        out.add(where, "expected a table such as { int = [1, 5] } or { expr = \"n - k + 1\" }")
        return
    kinds = [k for k in spec if k in DRAW_KINDS]
    unknown = [k for k in spec if k not in DRAW_KEYS]
    for k in unknown:
        out.add(f"{where}.{k}", f"unknown field (expected one of {', '.join(sorted(DRAW_KEYS))})")
    shaped = [k for k in kinds if k in ("matrix", "vector", "tensor")]
    values = [k for k in kinds if k in ("int", "real")]
    if shaped:
        if len(shaped) > 1 or len(values) != 1 or len(kinds) != 2:
            out.add(where, f"{shaped[0]} needs exactly one of int = [lo, hi] or real = [lo, hi] for its entries")
    elif len(kinds) != 1:
        out.add(where, f"expected exactly one of {', '.join(DRAW_KINDS)}, got {', '.join(kinds) or 'none'}")
    if "real" in spec and "dp" not in spec:
        out.add(where, "real needs dp, the number of decimal places drawn (exam numbers are short)")
    for key in ("int", "real"):
        if key in spec and (not isinstance(spec[key], list) or len(spec[key]) != 2):
            out.add(f"{where}.{key}", "expected [low, high]")
    if "sample" in spec and "k" not in spec:
        out.add(where, "sample needs k, how many to draw")


def read_bank(directories: list[Path]) -> tuple[list[Family], list[Problem]]:
    """Every family under the directories, and every problem (bad files are left out)."""
    families: list[Family] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    tags: dict[int, str] = {}
    for directory in directories:
        for path in family_files(directory):
            family, found = read_family(path, _display(path, directory))
            problems.extend(found)
            if family is None:
                continue
            if family.id in seen:
                problems.append(Problem(_display(path, directory), "id", f"'{family.id}' is also the id of {seen[family.id]}"))
                continue
            if family.tag in tags:
                problems.append(Problem(_display(path, directory), "id",
                                        f"'{family.id}' shares its variant-code tag with '{tags[family.tag]}'; rename one"))
                continue
            seen[family.id] = _display(path, directory)
            tags[family.tag] = family.id
            families.append(family)
    return families, problems


def _display(path: Path, directory: Path) -> str:
    try:
        return str(path.relative_to(directory.parent))
    except ValueError:
        return str(path)


def _text(raw: dict, key: str, out: _Collector, required: bool = False) -> str:
    value = raw.get(key)
    if value is None:
        if required:
            out.add(key, "missing")
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        out.add(key, "expected text")
        return ""
    return value


def _strings(raw: dict, key: str, out: _Collector) -> list[str]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        out.add(key, "expected a list of texts")
        return []
    return value
