"""Worksheet speed: a class of 300 students, 8 questions each, to PDF (papers, key and key.json).

    .venv/bin/python bench/papers.py [--students 300] [--questions 8]

Budget (issue 6): under 10 seconds on this 2-core machine for the whole `ncquiz worksheet`
process, including the 300 papers, the combined key and key.json.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from startup import ncquiz_command  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--questions", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        roster = Path(tmp) / "roster.csv"
        roster.write_text("student_id,name\n" + "".join(f"s{i:04d},Student {i}\n" for i in range(args.students)))
        out = Path(tmp) / "papers"
        start = time.perf_counter()
        done = subprocess.run(ncquiz_command() + ["worksheet", "--students", str(roster), "--count", str(args.questions),
                                                  "--seed", "1", "--key", "--out", str(out)],
                              capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(done.stderr)
        pdfs = sorted(out.glob("*.pdf"))
        size = sum(p.stat().st_size for p in pdfs) / 1e6
    print(f"{args.students} students x {args.questions} questions: {len(pdfs)} PDFs ({size:.1f} MB) and key.json "
          f"in {elapsed:.2f} s (budget < 10 s: {'ok' if elapsed < 10 else 'OVER'})")


if __name__ == "__main__":
    main()
