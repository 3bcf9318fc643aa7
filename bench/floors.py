"""What the parts under the three speed budgets cost on this machine, and the least each budget needs.

    .venv/bin/python bench/floors.py [--students 100] [--responses 20000]

The other benchmarks measure ncquiz as a whole; this one measures the parts that no change to
ncquiz can avoid, so a budget can be compared with its floor:

- issue 3 (5,000 variants/s, i.e. 200 us a variant): the fixed NumPy costs of one variant, and a
  hand-written generator of the simplest numeric family (conv-basic: no bank file, no templates,
  the same question, steps and JSON), the most a data-driven bank could hope to reach;
- issue 4 (100,000 responses in 5 s on 2 cores, i.e. 100 us of CPU a response): marking alone,
  with every variant generated beforehand, and regenerating a variant to mark it;
- issue 6 (300 students x 8 questions to PDF in 10 s on 2 cores): typst's CPU time per page of
  a worksheet and of a key (compiled as one document each, its quickest form), against a light
  page of the kind "200 pages in 0.25 s" describes.

Times are CPU times (typst lays out on more than one thread), the best of several runs; each typst
compile runs in a fresh process, since typst keeps what it laid out for as long as the process lives.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from ncquiz.bank import load_bank
from ncquiz.bank.generate import compiled

sys.path.insert(0, str(Path(__file__).parent))
import mark as mark_bench  # noqa: E402  (its generated class responses)


def cpu_us(fn, number: int, repeat: int = 5) -> float:
    """Best CPU time of fn() over `repeat` runs of `number` calls, in microseconds a call."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for _ in range(number):
            fn()
        best = min(best, (time.process_time() - start) / number)
    return best * 1e6


# ---------------------------------------------------------------- issue 3


def grid(a) -> str:
    texts = [f"{v:g}" for v in a.ravel()]
    width = max(map(len, texts))
    cols = a.shape[1]
    return "\n".join("  " + "  ".join(t.rjust(width) for t in texts[i:i + cols]) for i in range(0, len(texts), cols))


def conv_basic_by_hand(seed: int) -> str:
    """One conv-basic variant written directly in Python and NumPy: draws, answer, prompt, steps, JSON."""
    rng = np.random.default_rng((0x3F5 << 32) | seed)
    n = int(rng.integers(4, 6))
    k = int(rng.integers(2, 4))
    x = rng.integers(0, 5, size=(n, n))
    w = rng.integers(-1, 3, size=(k, k))
    m = n - k + 1
    windows = np.lib.stride_tricks.sliding_window_view(x, (k, k))
    y = np.einsum("ijkl,kl->ij", windows, w).astype(float)
    prompt = (f"A convolutional layer applies the {k}x{k} kernel K to the {n}x{n} input X.\n\n"
              f"X =\n{grid(x)}\n\nK =\n{grid(w)}")
    steps = [f"Output size: floor((n + 2p - k)/s) + 1 = floor(({n} + 0 - {k})/1) + 1 = {m} per axis",
             "Cross-correlation: slide the kernel as given, no flip:", grid(w)]
    for i in range(m):
        for j in range(m):
            win = x[i:i + k, j:j + k]
            terms = " + ".join(f"{a}*{b}" if b >= 0 else f"{a}*({b})" for a, b in zip(win.ravel(), w.ravel()))
            steps.append(f"out[{i}][{j}]: window rows {i}-{i + k - 1} and cols {j}-{j + k - 1}:\n  {terms} = {y[i, j]:g}")
    steps.append(f"Result ({m}x{m}):\n{grid(y)}")
    return json.dumps({
        "id": "conv-basic", "seed": seed, "topic": "cnn.convolution", "title": "Convolution of an input with a kernel",
        "marks": 4, "params": {"n": n, "k": k, "input": x.tolist(), "kernel": w.tolist()}, "prompt": prompt,
        "parts": [{"label": "a", "prompt": f"Compute the {m}x{m} output feature map Y.", "answer_type": "matrix",
                   "answer": y.tolist(), "marks": 4, "rule": {"exact": True}, "partial": True}],
        "solution": "\n".join(steps),
    })


def issue3() -> None:
    print("Issue 3: 5,000 variants/s in one process = 200 us a variant")
    g = np.random.default_rng(1)
    seeds = iter(range(10**9))
    print(f"  numpy.random.default_rng(seed)           {cpu_us(lambda: np.random.default_rng(next(seeds)), 5000):7.1f} us")
    print(f"  Generator.integers(0, 5, size=9)         {cpu_us(lambda: g.integers(0, 5, size=9), 5000):7.1f} us")
    hand = cpu_us(lambda: conv_basic_by_hand(next(seeds)), 1000)
    print(f"  conv-basic written by hand, whole variant {hand:7.1f} us  ({1e6 / hand:,.0f} variants/s)")
    families = [compiled(f) for f in load_bank().families]
    for c in families:
        c.generate(0).to_json()
    for render in (False, True):
        def one_round(render=render):
            seed = next(seeds)
            for c in families:
                q = c.generate(seed, render)
                if render:
                    json.dumps(q.to_json())
        each = cpu_us(one_round, 3, 3) / len(families)
        what = "with texts and JSON" if render else "answers only (marking)"
        print(f"  the bank, all {len(families)} families, {what:23s} {each:7.1f} us  ({1e6 / each:,.0f} variants/s)")


# ---------------------------------------------------------------- issue 4


def issue4(responses: int) -> None:
    from ncquiz.marking.mark import Marker

    print("Issue 4: 100,000 responses in 5 s on 2 cores = 100 us of CPU a response")
    bank = load_bank()
    rows = mark_bench.responses(responses, max(1, responses // 50))
    groups: dict = defaultdict(dict)
    for student, code, label, text in rows:
        groups[(student, code)][label] = text
    codes = {code for _, code in groups}
    start = time.process_time()
    questions = {}
    for code in codes:
        family, seed = bank.resolve(code)
        questions[code] = compiled(family).generate(seed, render=False)
    generation = (time.process_time() - start) / len(codes) * 1e6
    spent: Counter = Counter()
    count: Counter = Counter()
    start = time.process_time()
    for (_, code), given in groups.items():
        question = questions[code]
        marker = Marker(question)
        for part in question.parts:
            t = time.process_time()
            status = marker.mark(part.label, given.get(part.label)).status
            spent[status] += time.process_time() - t
            count[status] += 1
    marking = (time.process_time() - start) / len(rows) * 1e6
    per_response = len(codes) / len(rows)
    print(f"  marking alone (variants made beforehand)  {marking:7.1f} us a response, of which:")
    for status, n in count.most_common():
        print(f"    {status:10s} {100 * n / len(rows):4.0f}% of responses, {spent[status] / n * 1e6:7.1f} us each")
    print(f"  regenerating a variant (answers only)     {generation:7.1f} us; a paper per student has "
          f"{per_response:.2f} variants a response")
    floor = marking + generation * per_response
    print(f"  a paper per student: {floor:.0f} us of CPU a response = {floor * 1e5 / 1e6 / 2:.1f} s for 100,000 "
          "on 2 cores, before reading and writing any file")


# ---------------------------------------------------------------- issue 6


COMPILE = """
import io, json, sys, time, typst
from pypdf import PdfReader
compiler = typst.Compiler(sys.argv[1], ignore_system_fonts=True)
start = time.process_time()
pdf = compiler.compile(format="pdf", pdf_tags=False)
print(json.dumps([time.process_time() - start, len(PdfReader(io.BytesIO(pdf)).pages)]))
"""
"""Compile one document in a fresh process (typst's layout cache lives as long as the process) and
print [CPU seconds, pages]."""


def issue6(students: int) -> None:
    from ncquiz.papers.build import Student, build, choose_families
    from ncquiz.papers.render import render_source

    print("Issue 6: 300 students x 8 questions, papers and key, to PDF in 10 s on 2 cores")
    bank = load_bank()
    families = choose_families(bank, None, 8, None, None, np.random.default_rng(1))
    roster = [Student(f"s{i:04d}", f"Student {i}") for i in range(students)]
    start = time.process_time()
    sheet = build(bank, families=families, seed=1, students=roster, title="Practice")
    built = (time.process_time() - start) / students
    light = "#set page(paper: \"a4\")\n" + "\n#pagebreak()\n".join(
        f"= Page {i}\n" + "\n\n".join(f"Paragraph {j}: a few words on kernels, strides and padding." for j in range(12))
        for i in range(200))
    sources = {"light page (12 short paragraphs)": light,
               "worksheet page": render_source(sheet, "pdf", False),
               "answer key page": render_source(sheet, "pdf", True)}
    per_page = {}
    with tempfile.TemporaryDirectory() as tmp:
        for what, source in sources.items():
            path = Path(tmp) / "doc.typ"
            path.write_text(source, encoding="utf-8")
            runs = [json.loads(subprocess.run([sys.executable, "-c", COMPILE, str(path)], capture_output=True,
                                              text=True, check=True).stdout) for _ in range(2)]
            cpu, pages = min(r[0] for r in runs), runs[0][1]
            per_page[what] = (cpu / pages, pages / students)
            print(f"  {what:33s} {cpu / pages * 1000:5.2f} ms of CPU a page ({pages} pages)")
    paper, key = per_page["worksheet page"], per_page["answer key page"]
    typst_cpu = 300 * (paper[0] * paper[1] + key[0] * key[1])
    print(f"  generating a student's 8 variants with texts: {built * 1000:.1f} ms of CPU")
    print(f"  300 students: typst alone needs {typst_cpu:.1f} s of CPU ({300 * (paper[1] + key[1]):,.0f} pages), "
          f"generating {300 * built:.1f} s more: at least {(typst_cpu + 300 * built) / 2:.1f} s on 2 cores")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100, help="issue 6: the class size compiled (default 100)")
    parser.add_argument("--responses", type=int, default=20_000, help="issue 4: responses marked (default 20,000)")
    args = parser.parse_args()
    issue3()
    issue4(args.responses)
    issue6(args.students)


if __name__ == "__main__":
    main()
