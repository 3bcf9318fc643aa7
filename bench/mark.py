"""Class-marking throughput: `ncquiz mark` on a generated responses file of 100,000 rows.

    .venv/bin/python bench/mark.py [--responses 100000] [--students 2000]

Each student has their own paper (their own variants of families drawn from the whole bank)
and answers every part: about 60% right, 20% wrong (half of those a listed mistake, so the
diagnosis runs), 10% follow-through cases (a wrong earlier part, then consistent working), 10%
unreadable or blank. Budget (issue 4): 100,000 responses in under 5 seconds on this 2-core
machine, measured as the whole `ncquiz mark` process. `--shared N` measures a common paper
instead (N variants shared by the class), where generating the variants costs little.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ncquiz.bank import load_bank
from ncquiz.bank.generate import compiled

sys.path.insert(0, str(Path(__file__).parent))
from startup import ncquiz_command  # noqa: E402


def written(part, value=None):
    value = part.answer if value is None else value
    if part.type in ("choice", "multi"):
        return ", ".join(part.correct)
    if part.type == "text":
        return part.model_answer
    if part.type == "shape":
        return "x".join(str(int(v)) for v in value)
    a = np.asarray(value, dtype=float)
    fmt = (lambda x: f"{x:.{part.rule.value}f}") if part.rule and part.rule.kind == "dp" else repr
    if a.ndim == 0:
        return fmt(float(a))
    if a.ndim == 1:
        return " ".join(fmt(float(x)) for x in a)
    if a.ndim == 2:
        return "; ".join(" ".join(fmt(float(x)) for x in row) for row in a)
    return repr(a.tolist())


def responses(count: int, students: int, seed: int = 1, pool: int = 0) -> list[list[str]]:
    """Rows of a class responses file; pool > 0: every question is one of `pool` shared variants."""
    rng = np.random.default_rng(seed)
    families = [compiled(f) for f in load_bank().families]
    shared = [families[i % len(families)].generate(int(rng.integers(0, 2**32))) for i in range(pool)]
    rows = []
    s = 0
    while len(rows) < count:
        sid = f"s{s % students:05d}"
        if shared:  # every student answers each question of the common paper once; then another class
            q = shared[(s // students) % len(shared)]
            sid = f"s{s % students + students * (s // (students * len(shared))):06d}"
        else:
            c = families[int(rng.integers(len(families)))]
            q = c.generate(int(rng.integers(0, 2**32)))
        follow = rng.random() < 0.1
        for part in q.parts:
            r = rng.random()
            if follow and part.spec.uses and part.type not in ("choice", "multi", "text"):
                text = written(part)  # consistent with a (possibly) wrong earlier answer below
            elif r < 0.6:
                text = written(part)
            elif r < 0.7 and part.spec.mistakes:
                try:
                    text = written(part, q.mistaken(part.label, part.spec.mistakes[0]))
                except Exception:
                    text = "12345"
            elif r < 0.8:
                text = "12345" if part.type not in ("choice", "multi", "text") else "a"
            elif r < 0.9:
                text = "not sure"
            else:
                text = ""
            rows.append([sid, q.code, part.label, text])
        s += 1
    return rows[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--shared", type=int, default=0, metavar="N",
                        help="every question is one of N shared variants (a common paper), not a variant per student")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "responses.csv"
        rows = responses(args.responses, args.students, pool=args.shared)
        with path.open("w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["student", "question", "part", "answer"])
            writer.writerows(rows)
        variants = len({r[1] for r in rows})
        start = time.perf_counter()
        done = subprocess.run(ncquiz_command() + ["mark", str(path), "--out", str(Path(tmp) / "grades.csv"), "--json"],
                              capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if done.returncode not in (0, 2):
            sys.exit(done.stderr)
        bad = json.loads(done.stdout)["bad_rows"]
        if bad:  # the file is meant to be clean: every row must be marked, or the figure means little
            sys.exit(f"{len(bad)} rows were refused: the generated file is not what this benchmark intends")
    rate = len(rows) / elapsed
    print(f"marked {len(rows):,} responses ({variants:,} variants) in {elapsed:.2f} s: {rate:,.0f} responses/s "
          f"(budget: 100,000 in < 5 s: {'ok' if elapsed * 100_000 / len(rows) < 5 else 'OVER'})")


if __name__ == "__main__":
    main()
