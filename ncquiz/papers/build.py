"""Papers: which families a worksheet asks, one variant of each per student, and the answer key.

Every student gets the same families in the same order with their own numbers: the variant
seeds come from the worksheet's seed and the student's id, so papers and keys made with the
same options always agree (`ncquiz key` rebuilds exactly the papers `ncquiz worksheet` made).
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ncquiz.bank import Bank, Family, Question, generate
from ncquiz.errors import NcquizError
from ncquiz.papers.secret import Secret

COURSE = "Neural Computation"
INSTRUCTIONS = ("Answer every question in the space provided. Show your working: marks are given for "
                "correct working that follows from your own earlier answers. Give answers to the "
                "accuracy each part asks for.")


@dataclass
class Student:
    id: str
    name: str = ""


@dataclass
class PaperQuestion:
    number: int
    question: Question
    printed: str  # the code printed on the paper: the variant code, or an opaque one


@dataclass
class Paper:
    student: Student
    questions: list[PaperQuestion]

    @property
    def marks(self):
        total = sum(q.question.marks for q in self.questions)
        return int(total) if float(total).is_integer() else total


@dataclass
class Worksheet:
    title: str
    seed: int
    families: list[Family]
    papers: list[Paper] = field(default_factory=list)
    date: str = ""
    course: str = COURSE
    instructions: str = INSTRUCTIONS
    secret: bool = False


def one_line(text: str) -> str:
    """Text for a header field (a name, an id, a title): control characters dropped, line breaks and
    runs of spaces made single spaces (no format can typeset a NUL, and a title stays one line)."""
    return " ".join("".join(" " if ch in "\t\n\r" else ch for ch in str(text) if ch >= " " or ch in "\t\n\r").split())


def read_roster(path: Path) -> list[Student]:
    """Students of a roster CSV: the `student_id` column (else the first), an optional `name`."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise NcquizError(f"cannot read the roster {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise NcquizError(f"the roster {path} is not UTF-8 text") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise NcquizError(f"the roster {path} is empty; expected a header such as student_id,name")
    header = [h.strip().lower() for h in rows[0]]
    id_col = header.index("student_id") if "student_id" in header else 0
    name_col = header.index("name") if "name" in header else None
    students, seen, problems = [], {}, []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        sid = one_line(row[id_col]) if id_col < len(row) else ""
        if not sid:
            problems.append(f"{path}:{line}: no student id")
            continue
        if sid in seen:
            problems.append(f"{path}:{line}: student id '{sid}' is also on line {seen[sid]}")
            continue
        seen[sid] = line
        name = one_line(row[name_col]) if name_col is not None and name_col < len(row) else ""
        students.append(Student(sid, name))
    if problems:
        raise NcquizError("the roster has problems:\n" + "\n".join(problems))
    if not students:
        raise NcquizError(f"the roster {path} lists no students")
    return students


def choose_families(bank: Bank, topics, count: int, difficulty, names: list[str] | None,
                    rng: np.random.Generator) -> list[Family]:
    """The families of the paper: the named ones in order, else `count` different ones across the topics in turn."""
    if names:
        return [bank.get(n.strip()) for n in names if n.strip()]
    pool = bank.select(topics, difficulty)
    if not pool:
        raise NcquizError("no question family matches these topics and difficulty; see `ncquiz list`")
    if count > len(pool):
        raise NcquizError(f"only {len(pool)} families match; ask for at most {len(pool)} questions")
    by_topic: dict[str, list[Family]] = {}
    for f in pool:
        by_topic.setdefault(f.topic, []).append(f)
    topic_order = [list(by_topic)[i] for i in rng.permutation(len(by_topic))]
    for t in topic_order:
        by_topic[t] = [by_topic[t][i] for i in rng.permutation(len(by_topic[t]))]
    chosen: list[Family] = []
    while len(chosen) < count:
        for t in topic_order:
            if by_topic[t] and len(chosen) < count:
                chosen.append(by_topic[t].pop())
    order = {f.id: i for i, f in enumerate(bank.families)}
    return sorted(chosen, key=lambda f: order[f.id])  # as the syllabus runs, like an exam paper


def student_rng(seed: int, student_id: str) -> np.random.Generator:
    """The generator of one student's variants: from the worksheet seed and the student's id."""
    digest = int.from_bytes(hashlib.sha256(student_id.encode()).digest()[:8], "big")
    return np.random.default_rng([seed, digest])


def build(bank: Bank, *, families: list[Family], seed: int, students: list[Student], title: str,
          secret: Secret | None = None, date: str | None = None, render: bool = True) -> Worksheet:
    """One paper per student (one anonymous paper without a roster)."""
    sheet = Worksheet(title=title, seed=seed, families=families, secret=secret is not None,
                      date=date if date is not None else datetime.date.today().isoformat())
    seen: set[tuple] = set()
    for student in students:
        rng = student_rng(seed, student.id)
        while True:  # different students never get identical papers
            seeds = tuple(int(s) for s in rng.integers(0, 2**32, size=len(families)))
            if seeds not in seen:
                seen.add(seeds)
                break
        questions = []
        for number, (family, variant_seed) in enumerate(zip(families, seeds), 1):
            q = generate(family, variant_seed, render)
            printed = secret.encode(family.tag, variant_seed) if secret else q.code
            questions.append(PaperQuestion(number, q, printed))
        sheet.papers.append(Paper(student, questions))
    return sheet


def key_json(sheet: Worksheet) -> dict:
    """The machine-readable key: student -> questions (printed code, variant, answers), as `ncquiz mark --key` reads it."""
    students = {}
    for paper in sheet.papers:
        students[paper.student.id] = {
            "name": paper.student.name,
            "marks": paper.marks,
            "questions": [
                {"number": pq.number, "code": pq.printed, "variant": pq.question.code, "family": pq.question.family.id,
                 "marks": pq.question.marks, "answers": {p.label: p.answer_json() for p in pq.question.parts}}
                for pq in paper.questions
            ],
        }
    return {"format": "ncquiz-key", "version": 1, "title": sheet.title, "date": sheet.date, "seed": sheet.seed,
            "secret": sheet.secret, "families": [f.id for f in sheet.families], "students": students}

