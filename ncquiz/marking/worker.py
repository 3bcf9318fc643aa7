"""A marking worker: `python -m ncquiz.marking.worker` marks the groups read as JSON on stdin.

Input: {"bank_dirs": [...], "groups": [[student, variant code, {label: answer}], ...]};
output: for each group, its parts' marks as JSON objects (PartMark fields).
"""

from __future__ import annotations

import json
import sys

from ncquiz.bank import load_bank
from ncquiz.marking.batch import mark_groups


def main() -> int:
    job = json.loads(sys.stdin.buffer.read())
    marks = mark_groups(job["groups"], load_bank(job["bank_dirs"] or None))
    fields = ("label", "score", "max", "status", "feedback", "mistake", "follow_through")
    out = [[{f: getattr(m, f) for f in fields} for m in group] for group in marks]
    sys.stdout.write(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
