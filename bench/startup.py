"""Start-up time of the ncquiz command, as medians and as ratios to a bare `python -c pass`.

Run with the Python of the environment ncquiz is installed in:
    .venv/bin/python bench/startup.py [--runs 30]
Budgets (issue 2): `ncquiz --help` <= 6x bare Python, `ncquiz solve KIND --help` <= 8x.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BUDGETS = {"ncquiz --help": 6.0, "ncquiz solve conv2d --help": 8.0}


def ncquiz_command() -> list[str]:
    """The installed ncquiz script beside this interpreter, else `python -m ncquiz`."""
    script = Path(sys.executable).with_name("ncquiz")
    if script.exists():
        return [str(script)]
    found = shutil.which("ncquiz")
    return [found] if found else [sys.executable, "-m", "ncquiz"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    nc = ncquiz_command()
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "ncquiz --help": nc + ["--help"],
        "ncquiz solve conv2d --help": nc + ["solve", "conv2d", "--help"],
        "ncquiz solve conv2d ... --json": nc + ["solve", "conv2d", "--input", "[[0,1,2],[3,4,5],[6,7,8]]",
                                                "--kernel", "[[0,1],[2,3]]", "--json"],
    }
    times = {name: [] for name in cases}
    for cmd in cases.values():  # warm the caches (bytecode, page cache)
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    for _ in range(args.runs):  # interleaved, so drifting load affects every case alike
        for name, cmd in cases.items():
            start = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
            times[name].append(time.perf_counter() - start)
    bare = statistics.median(times["python -c pass"])
    print(f"{'command':34} {'median ms':>10} {'x bare':>8} {'budget':>8}")
    for name, xs in times.items():
        med = statistics.median(xs)
        budget = BUDGETS.get(name)
        verdict = "" if budget is None else f"{budget:>6.1f}x {'ok' if med / bare <= budget else 'OVER'}"
        print(f"{name:34} {med * 1000:10.1f} {med / bare:8.2f} {verdict:>8}")


if __name__ == "__main__":
    main()
