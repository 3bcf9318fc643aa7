"""Question generation speed: variants per second in one process, and `generate` as a whole process.

    .venv/bin/python bench/generate.py [--seconds 5] [--runs 15]

Budgets (issue 3): at least 5,000 variants per second with all families mixed, answers,
prompts and worked solutions included (what `ncquiz generate --json` prints); and
`ncquiz generate FAMILY --seed N --json` within 3x the time of `ncquiz solve` on similar params.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

from ncquiz.bank import load_bank
from ncquiz.bank.generate import compiled

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from startup import ncquiz_command  # noqa: E402


def throughput(seconds: float) -> tuple[float, int]:
    """Variants per second, cycling through every family with fresh seeds, JSON included."""
    families = [compiled(f) for f in load_bank().families]
    for c in families:  # compile templates and warm caches outside the timed loop
        c.generate(0).to_json()
    count, seed = 0, 1
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for c in families:
            json.dumps(c.generate(seed).to_json())
            count += 1
        seed += 1
    return count / (time.perf_counter() - start), len(families)


def process_ratio(runs: int) -> tuple[float, float]:
    """Median wall time of `generate conv-basic --json` and of a `solve conv2d --json` on similar params."""
    nc = ncquiz_command()
    q = load_bank().variant("conv-basic", 1).to_json()
    cases = {
        "generate": nc + ["generate", "conv-basic", "--seed", "1", "--json"],
        "solve": nc + ["solve", "conv2d", "--input", json.dumps(q["params"]["input"]),
                       "--kernel", json.dumps(q["params"]["kernel"]), "--json"],
    }
    times = {k: [] for k in cases}
    for cmd in cases.values():
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    for _ in range(runs):
        for k, cmd in cases.items():
            start = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
            times[k].append(time.perf_counter() - start)
    return statistics.median(times["generate"]), statistics.median(times["solve"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    rate, n = throughput(args.seconds)
    print(f"generation: {rate:,.0f} variants/s over {n} families (budget >= 5,000: {'ok' if rate >= 5000 else 'UNDER'})")
    gen, sol = process_ratio(args.runs)
    ratio = gen / sol
    print(f"process: generate {gen * 1000:.0f} ms, solve {sol * 1000:.0f} ms, ratio {ratio:.2f}x "
          f"(budget <= 3x: {'ok' if ratio <= 3 else 'OVER'})")


if __name__ == "__main__":
    main()
