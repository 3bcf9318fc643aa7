"""Marking a whole class: a responses CSV in, grades and per-student totals out.

RESPONSES has the columns student, question (a variant code), part, answer. Bad rows
(unknown variant, unknown part, a missing field, a second answer to the same part) are
reported with their line in the file (the header is line 1) and the rest is marked.
Every part of every (student, question) that appears is graded, unanswered parts as blank,
so each student's total is out of the right maximum.
"""

from __future__ import annotations

import csv
import os
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ncquiz.atomic import atomic_write
from ncquiz.errors import NcquizError
from ncquiz.marking.mark import Marker, PartMark

COLUMNS = ("student", "question", "part", "answer")
GRADE_COLUMNS = ("student", "question", "part", "score", "max", "status", "feedback")
TOTAL_COLUMNS = ("student", "score", "max", "percent", "questions")


@dataclass
class BadRow:
    line: int
    message: str


@dataclass
class Grade:
    student: str
    question: str
    family: str
    mark: PartMark


@dataclass
class ClassResult:
    grades: list[Grade] = field(default_factory=list)
    bad_rows: list[BadRow] = field(default_factory=list)
    _totals: tuple | None = field(default=None, init=False, repr=False, compare=False)

    def totals(self) -> dict[str, tuple[float, float, int]]:
        """student -> (score, max, number of questions), in first-seen order (worked out once)."""
        if self._totals is not None and self._totals[0] == len(self.grades):
            return self._totals[1]
        score: dict[str, float] = defaultdict(float)
        maximum: dict[str, float] = defaultdict(float)
        questions: dict[str, set] = defaultdict(set)
        for g in self.grades:
            score[g.student] += g.mark.score
            maximum[g.student] += g.mark.max
            questions[g.student].add(g.question)
        totals = {s: (round(score[s], 2), round(maximum[s], 2), len(questions[s])) for s in score}
        self._totals = (len(self.grades), totals)
        return totals

    def summary(self) -> dict:
        """Class statistics: mean and spread of percentages, per-question averages, frequent mistakes."""
        totals = self.totals()
        percents = [100 * s / m for s, m, _ in totals.values() if m]
        per_family: dict[str, list[tuple[float, float]]] = defaultdict(list)
        per_question: dict[tuple[str, str], list] = {}  # (student, question) -> [family, score, max]
        mistakes: Counter = Counter()
        statuses: Counter = Counter()
        for g in self.grades:  # one pass: a class file can hold hundreds of thousands of rows
            mark = g.mark
            q = per_question.get((g.student, g.question))
            if q is None:
                per_question[(g.student, g.question)] = [g.family, 0 + mark.score, 0 + mark.max]
            else:
                q[1] += mark.score
                q[2] += mark.max
            statuses[mark.status] += 1
            if mark.mistake:
                mistakes[mark.mistake] += 1
        for family, score, maximum in per_question.values():
            per_family[family].append((score, maximum))
        return {
            "students": len(totals),
            "mean": statistics.fmean(percents) if percents else 0.0,
            "sd": statistics.pstdev(percents) if len(percents) > 1 else 0.0,
            "min": min(percents, default=0.0),
            "median": statistics.median(percents) if percents else 0.0,
            "max": max(percents, default=0.0),
            "questions": {f: 100 * sum(s for s, _ in v) / max(1e-9, sum(m for _, m in v)) for f, v in per_family.items()},
            "attempts": {f: len(v) for f, v in per_family.items()},
            "mistakes": mistakes.most_common(),
            "statuses": dict(statuses),
        }


class _Lines:
    """The lines of a file for csv readers, one at a time; `pos` (the lines handed out so far) can be
    set back, so a record can be read again, or reading resume after it, without copying the file."""

    def __init__(self, lines: list[str]):
        self.lines, self.pos = lines, 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.pos >= len(self.lines):
            raise StopIteration
        self.pos += 1
        return self.lines[self.pos - 1] + "\n"


def read_responses(text: str) -> tuple[list[tuple[int, dict]], list[BadRow]]:
    """(line, row) pairs of a responses CSV (header required), and rows that cannot be read.

    A row with more cells than the header (an answer with a comma, not quoted) is reported, not
    cut short. A quote opened and never closed would swallow the rest of the file into one
    answer: that row is reported and reading goes on from the line after it.
    """
    lines = text.split("\n")
    if lines[-1] == "":  # the newline that ends the last line starts no line of its own
        lines.pop()
    source = _Lines(lines)
    reader = csv.reader(source, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise NcquizError("the responses file is empty; expected a header student,question,part,answer") from None
    except csv.Error as exc:
        raise NcquizError(f"line 1: cannot read the header: {exc}") from None
    names = [h.strip().lower().lstrip("\ufeff") for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise NcquizError(f"line 1: the header lacks {', '.join(missing)}; expected columns {','.join(COLUMNS)}")
    index = {c: names.index(c) for c in COLUMNS}
    at = [index[c] for c in COLUMNS]
    width = max(at) + 1
    rows, bad = [], []

    def take(record: list[str], start: int) -> None:
        if len(record) > len(header) and any(cell.strip() for cell in record[len(header):]):
            bad.append(BadRow(start, f"this row has {len(record)} cells but the header has {len(header)}: "
                                     'an answer with a comma must be in quotes ("0,5")'))
            return
        if len(record) >= width:
            row = {c: record[i].strip() for c, i in zip(COLUMNS, at)}
        else:
            row = {c: (record[i].strip() if i < len(record) else None) for c, i in zip(COLUMNS, at)}
        if not (row["student"] and row["question"] and row["part"]) or row["answer"] is None:
            if not any(cell.strip() for cell in record):
                return  # a blank line, or a row of empty cells as spreadsheets export
            absent = [c for c in ("student", "question", "part") if not row[c]]
            if row["answer"] is None:
                absent.append("answer")
            bad.append(BadRow(start, f"missing {', '.join(absent)}"))
            return
        rows.append((start, row))

    def swallowed(start: int, end: int) -> bool:
        """Whether the lines after the first of a record (file lines start..end), read as one quoted
        answer, hold rows of their own, as when a quote left open reaches the next quote in the file:
        a line (up to a quote, on its last line) with enough cells, a variant code such as 3FS2-G000-0077
        for its question and a label such as a or (b) for its part. The rows of a matrix or the lines
        of a written answer typed inside quotes do not look like that."""
        for i in range(start, min(end, len(lines))):
            text = lines[i] if i < end - 1 else lines[i].split('"', 1)[0]
            cells = text.split(",")
            if len(cells) < len(header):
                continue
            question, part = cells[index["question"]].strip(), cells[index["part"]].strip().strip("()")
            if re.fullmatch(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+", question) and re.fullmatch(r"[A-Za-z]\d?", part):
                return True
        return False

    while True:
        start = source.pos + 1  # the line the next record starts on
        try:
            record = next(reader)
            refused = None
        except StopIteration:
            break
        except csv.Error as exc:
            # Strict reading refused the record (a quote never closed, or a space after a closing
            # quote as spreadsheets write it): read it again leniently, from its first line.
            refused, source.pos = exc, start - 1
            try:
                record = next(csv.reader(source))
            except (StopIteration, csv.Error):
                record = None
            reader = csv.reader(source, strict=True)  # the strict reader lost its place
        line = source.pos  # the record's last line
        if "end of data" in str(refused or "") or (line > start and swallowed(start, line)):
            bad.append(BadRow(start, "a quote opened in this row is never closed; quote the whole answer "
                                     '("...") or leave quotes out'))
            source.pos = start  # read on from the line after it
            reader = csv.reader(source, strict=True)
            continue
        if refused is not None and record is None:
            bad.append(BadRow(start, f"cannot read this row: {refused}"))
            continue
        take(record, start)
    return rows, bad


PARALLEL_FROM = 1_000
"""From this many different variants on, another process marks a share of them (generating the
variants is most of the cost, and each variant is generated in one process only; below this
the second process costs more to start than it saves)."""


def mark_class(text: str, bank, key=None, secret=None, bank_dirs=None) -> ClassResult:
    """Mark every readable response; bad rows are reported, not fatal."""
    rows, bad = read_responses(text)
    result = ClassResult(bad_rows=bad)
    variants: dict[str, object] = {}  # printed code -> (family, seed, variant code), or a message
    answers: dict[tuple[str, str], dict[str, str]] = {}
    first_line: dict[tuple[str, str, str], int] = {}
    order: list[tuple[str, str]] = []
    families: dict[str, str] = {}
    part_labels: dict[str, frozenset] = {}
    for line, row in rows:
        student, code, label = row["student"], row["question"], row["part"].lower().strip("() ")
        found = variants.get(code) if key is None else None  # the common case, without a call
        if found is None:
            found = _variant(code, bank, key, student, variants, secret)
        if isinstance(found, str):
            result.bad_rows.append(BadRow(line, found))
            continue
        family, _, real = found
        known = part_labels.get(family.id)
        if known is None:
            known = part_labels[family.id] = frozenset(p.label for p in family.parts)
        if label not in known:
            labels = ", ".join(p.label for p in family.parts)
            result.bad_rows.append(BadRow(line, f"question {code} has no part '{row['part']}' (its parts: {labels})"))
            continue
        k = (student, real, label)
        if k in first_line:
            result.bad_rows.append(BadRow(line, f"a second answer by {student} to {code} part {label}; "
                                                f"the first (line {first_line[k]}) is marked"))
            continue
        first_line[k] = line
        families[real] = family.id
        given = answers.get((student, real))
        if given is None:
            given = answers[(student, real)] = {}
            order.append((student, real))
        given[label] = row["answer"]
    groups = [[s, c, answers[(s, c)]] for s, c in order]
    many = len(families) >= PARALLEL_FROM
    marks = _mark_shared(groups, bank, bank_dirs) if many else mark_groups(groups, bank)
    for (student, code), group_marks in zip(order, marks):
        result.grades.extend(Grade(student, code, families[code], m) for m in group_marks)
    result.bad_rows.sort(key=lambda b: b.line)
    return result


def mark_groups(groups: list, bank) -> list[list[PartMark]]:
    """The marks of every part of each [student, variant code, {label: answer}] group.

    Students who wrote exactly the same answers to the same variant get the same marks, so such
    a group is marked once (on a common paper most groups repeat one another).
    """
    from ncquiz.bank import generate

    questions: dict[str, object] = {}
    done: dict[tuple, list[PartMark]] = {}
    out = []
    for _, code, given in groups:
        question = questions.get(code)
        if question is None:
            family, seed = bank.resolve(code)
            question = questions[code] = generate(family, seed, render=False)  # answers, not texts
        seen = (code, *(given.get(part.label) for part in question.parts))
        marks = done.get(seen)
        if marks is None:
            marker = Marker(question)
            marks = done[seen] = [marker.mark(part.label, given.get(part.label)) for part in question.parts]
        out.append(marks)
    return out


def _mark_shared(groups: list, bank, bank_dirs) -> list[list[PartMark]]:
    """mark_groups, with the variants split between this process and a worker process."""
    import json
    import subprocess
    import sys

    by_code: dict[str, list[int]] = defaultdict(list)
    for i, (_, code, _) in enumerate(groups):
        by_code[code].append(i)
    mine, theirs, load = [], [], [0, 0]
    for indices in sorted(by_code.values(), key=len, reverse=True):
        side = 0 if load[0] <= load[1] else 1
        (mine if side == 0 else theirs).extend(indices)
        load[side] += len(indices)
    root = str(Path(__file__).resolve().parents[2])  # where this ncquiz is importable from, installed or not
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
    worker = subprocess.Popen([sys.executable, "-m", "ncquiz.marking.worker"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    job = json.dumps({"bank_dirs": [str(d) for d in bank_dirs or []], "groups": [groups[i] for i in theirs]})
    worker.stdin.write(job.encode("utf-8"))
    worker.stdin.close()
    marks: list = [None] * len(groups)
    for i, m in zip(mine, mark_groups([groups[i] for i in mine], bank)):
        marks[i] = m
    output, errors = worker.stdout.read(), worker.stderr.read()
    if worker.wait() != 0:  # not expected; mark the share here rather than lose it
        sys.stderr.write(f"warning: a marking worker failed ({errors.decode(errors='replace').strip()[-200:]}); "
                         "marking its share here\n")
        remote = mark_groups([groups[i] for i in theirs], bank)
    else:
        remote = [[PartMark(**m) for m in group] for group in json.loads(output)]
    for i, m in zip(theirs, remote):
        marks[i] = m
    return marks


def _variant(code: str, bank, key, student: str, cache: dict, secret=None):
    """(family, seed, variant code) of a printed code (cached), or a message saying why there is none."""
    if key is not None:
        try:
            code = key.resolve(student, code)
        except NcquizError as exc:
            return str(exc)
    if code not in cache:
        from ncquiz.bank import UnknownFamily

        try:
            family, seed = bank.resolve(code, secret=secret)
        except UnknownFamily:
            cache[code] = f"unknown variant '{code}': not a variant code of this bank"
        except NcquizError as exc:
            cache[code] = f"unknown variant: {exc}"
        else:
            from ncquiz.bank.codes import encode

            cache[code] = (family, seed, encode(family.tag, seed))
    return cache[code]


def check_outputs(responses: Path, *outputs: Path) -> None:
    """Before any marking: each output can be written, and none of them is the responses file."""
    for path in outputs:
        path = Path(path)
        if path.exists() and path.resolve() == Path(responses).resolve():
            raise NcquizError(f"--out {path} would overwrite the responses file; write the grades elsewhere")
        if path.is_dir():
            raise NcquizError(f"cannot write {path}: it is a folder; give a file name such as {path / 'grades.csv'}")
        if not path.parent.is_dir():
            raise NcquizError(f"cannot write {path}: the folder {path.parent} does not exist")
        if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            raise NcquizError(f"cannot write {path}: permission denied")


def totals_path(out: Path) -> Path:
    """grades.csv -> grades-totals.csv"""
    out = Path(out)
    return out.with_name(f"{out.stem}-totals{out.suffix or '.csv'}")


def write_results(result: ClassResult, out: Path) -> Path:
    """Write the grades and the per-student totals; returns the totals path."""
    written: dict[float, str] = {}  # scores take few values: each is written out once

    def num(x: float) -> str:
        text = written.get(x)
        if text is None:
            text = written[x] = _num(x)
        return text

    totals = totals_path(out)
    # Both files or neither: each is written to a temporary file, and they replace the real ones
    # only once both are complete (totals first, then grades, as the blocks close).
    with atomic_write(out, "w", newline="", encoding="utf-8") as grades_fh, \
            atomic_write(totals, "w", newline="", encoding="utf-8") as totals_fh:
        writer = csv.writer(grades_fh)
        writer.writerow(GRADE_COLUMNS)
        writer.writerows([g.student, g.question, g.mark.label, num(g.mark.score), num(g.mark.max), g.mark.status,
                          g.mark.feedback] for g in result.grades)
        writer = csv.writer(totals_fh)
        writer.writerow(TOTAL_COLUMNS)
        writer.writerows([s, _num(sc), _num(mx), f"{100 * sc / mx:.1f}" if mx else "", n]
                         for s, (sc, mx, n) in result.totals().items())
    return totals


def _num(x: float) -> str:
    x = round(float(x), 2)
    return str(int(x)) if x.is_integer() else f"{x:g}"
