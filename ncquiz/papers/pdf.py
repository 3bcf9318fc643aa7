"""Typst to PDF in-process, and in worker processes for a whole class.

This module imports only the standard library and typst, so worker processes start quickly.
Workers are fresh processes (`python -m ncquiz.papers.pdf`, jobs as JSON on stdin), never
forks: typst keeps threads, and a fork of a process in which it already ran can deadlock.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from ncquiz.atomic import atomic_write
from ncquiz.errors import NcquizError

PARALLEL_FROM = 8
"""Compile in worker processes (one typst world each) from this many documents on."""


def write_bytes(path: Path, data: bytes) -> None:
    """Write a file so that a crash never leaves it half written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, "wb") as fh:
        fh.write(data)


class PdfCompiler:
    """Compiles Typst sources to PDF, reusing one typst world (fonts load once)."""

    def __init__(self, workdir: Path):
        import typst

        self.typst = typst
        self.path = Path(workdir) / "paper.typ"
        self.path.write_text("")
        self.compiler = typst.Compiler(str(self.path), ignore_system_fonts=True)

    def pdf(self, source: str) -> bytes:
        self.path.write_text(source, encoding="utf-8")
        try:
            return self.compiler.compile(format="pdf", pdf_tags=False)  # tags cost 2-3x the compile time
        except self.typst.TypstError as exc:
            raise NcquizError(f"typst could not compile the paper: {str(exc).splitlines()[0]}") from None

    def png(self, source: str, ppi: float = 110.0) -> list[bytes]:
        self.path.write_text(source, encoding="utf-8")
        pages = self.compiler.compile(format="png", ppi=ppi)
        return pages if isinstance(pages, list) else [pages]


def compile_all(jobs: list[tuple[Path, str]]) -> None:
    """Compile each (path, typst source) to a PDF file; many are shared among worker processes."""
    workers = min(os.cpu_count() or 1, len(jobs))
    if len(jobs) < PARALLEL_FROM or workers < 2:
        with tempfile.TemporaryDirectory(prefix="ncquiz-") as work:
            compiler = PdfCompiler(Path(work))
            for path, source in jobs:
                write_bytes(path, compiler.pdf(source))
        return
    shares: list[list] = [[] for _ in range(workers)]
    loads = [0] * workers
    for path, source in sorted(jobs, key=lambda job: -len(job[1])):  # longest first, each to the least loaded
        i = loads.index(min(loads))
        shares[i].append([str(path), source])
        loads[i] += len(source)
    root = str(Path(__file__).resolve().parents[2])  # where this ncquiz is importable from, installed or not
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
    procs = [subprocess.Popen([sys.executable, "-m", "ncquiz.papers.pdf"], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env) for _ in shares]
    errors = []
    for proc, share in zip(procs, shares):  # feed every worker before waiting for any
        proc.stdin.write(json.dumps(share).encode("utf-8"))
        proc.stdin.close()
    for proc in procs:
        err = proc.stderr.read().decode("utf-8", "replace").strip()
        if proc.wait() != 0:
            errors.append(err.splitlines()[-1] if err else f"a worker stopped with status {proc.returncode}")
    if errors:
        raise NcquizError(errors[0])


def _serve() -> int:
    """Worker: compile the [[path, source], ...] read from stdin; one line on stderr if anything fails."""
    jobs = json.loads(sys.stdin.buffer.read())
    with tempfile.TemporaryDirectory(prefix="ncquiz-") as work:
        compiler = PdfCompiler(Path(work))
        try:
            for path, source in jobs:
                write_bytes(Path(path), compiler.pdf(source))
        except NcquizError as exc:
            sys.stderr.write(f"{exc}\n")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(_serve())
