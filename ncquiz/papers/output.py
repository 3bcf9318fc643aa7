"""Writing worksheets and keys to files: one paper, one per student, or one combined document.

    no roster:  OUT (default worksheet.FMT); with --key also OUT-key.FMT; and OUT-key.json beside
                it (`ncquiz key --out K.FMT`: K.FMT and K.json; by default worksheet-key.FMT)
    a roster:   OUT/ (default worksheets/) with ID.FMT per student (or papers.FMT with
                --combined), key.FMT with --key, and always key.json; a student whose id would
                give a name taken (key, papers, another student's) gets a _ added

The JSON key is named after the key document, so papers written into one folder never replace
another set's key.json.
Files are written atomically (a temporary file renamed into place).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ncquiz.errors import NcquizError
from ncquiz.papers.build import Worksheet, key_json
from ncquiz.papers.pdf import compile_all, write_bytes
from ncquiz.papers.render import render_source

EXTENSIONS = {"pdf": ".pdf", "typ": ".typ", "html": ".html", "md": ".md", "tex": ".tex"}


@dataclass
class Written:
    """What was written, for the command's report."""

    papers: list[Path] = field(default_factory=list)
    key: Path | None = None
    key_json: Path | None = None


def safe_name(student_id: str) -> str:
    """A file name from a student id (anything unusual becomes _)."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", student_id).strip("._")
    return name or "student"


def _emit(jobs: list[tuple[Path, str]], fmt: str) -> None:
    """Write each (path, source): the source itself, or for pdf the compiled document."""
    if fmt == "pdf":
        compile_all(jobs)
        return
    for path, source in jobs:
        write_bytes(path, source.encode("utf-8"))


def write_worksheet(sheet: Worksheet, *, fmt: str, out: Path | None, roster: bool, combined: bool, key: bool,
                    key_only: bool = False, template_dir: Path | None = None) -> Written:
    """Write the papers (unless key_only), the key document (with key) and key.json."""
    ext = EXTENSIONS[fmt]
    written = Written()
    jobs: list[tuple[Path, str]] = []
    if roster:
        folder = Path(out) if out else Path("worksheets")
        if folder.exists() and not folder.is_dir():
            raise NcquizError(f"--out {folder} is a file; with --students it must be a folder")
        folder.mkdir(parents=True, exist_ok=True)
        if not key_only and combined:
            jobs.append((folder / f"papers{ext}", render_source(sheet, fmt, False, template_dir)))
        elif not key_only:
            taken = {"key", "papers"}  # the key's and a combined paper's names; compared as a
            for paper in sheet.papers:  # case-insensitive file system would
                name = safe_name(paper.student.id)
                while name.lower() in taken:
                    name += "_"
                taken.add(name.lower())
                single = Worksheet(**{**sheet.__dict__, "papers": [paper]})
                jobs.append((folder / f"{name}{ext}", render_source(single, fmt, False, template_dir)))
        key_path, json_path = folder / f"key{ext}", folder / "key.json"
    else:
        name = f"{'worksheet-key' if key_only else 'worksheet'}{ext}"  # not key.FMT: a class folder's key's name
        path = Path(out) if out else Path(name)
        if path.is_dir():
            path = path / name
        if path.suffix.lower() != ext:
            path = path.with_suffix(ext)
        if not path.parent.is_dir():
            raise NcquizError(f"cannot write {path}: the folder {path.parent} does not exist")
        if key_only:
            key_path = path
        else:
            jobs.append((path, render_source(sheet, fmt, False, template_dir)))
            key_path = path.with_name(f"{path.stem}-key{ext}")
        json_path = key_path.with_suffix(".json")
    written.papers = [p for p, _ in jobs]
    if key or key_only:
        jobs.append((key_path, render_source(sheet, fmt, True, template_dir)))
        written.key = key_path
    _emit(jobs, fmt)
    write_bytes(json_path, (json.dumps(key_json(sheet), indent=1) + "\n").encode("utf-8"))
    written.key_json = json_path
    return written
