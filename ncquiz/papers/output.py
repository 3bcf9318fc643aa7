"""Writing worksheets and keys to files: one paper, one per student, or one combined document.

    no roster:  OUT (default worksheet.FMT); with --key also OUT-key.FMT and key.json beside it
    a roster:   OUT/ (default worksheets/) with ID.FMT per student (or papers.FMT with
                --combined), key.FMT with --key, and always key.json
Files are written atomically (a temporary file renamed into place).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ncquiz.errors import NcquizError
from ncquiz.papers.build import Worksheet, key_json
from ncquiz.papers.render import PdfCompiler, render_source

EXTENSIONS = {"pdf": ".pdf", "typ": ".typ", "html": ".html", "md": ".md", "tex": ".tex"}


@dataclass
class Written:
    """What was written, for the command's report."""

    papers: list[Path] = field(default_factory=list)
    key: Path | None = None
    key_json: Path | None = None


def write_bytes(path: Path, data: bytes) -> None:
    """Write a file so that a crash never leaves it half written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; a paper is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def safe_name(student_id: str) -> str:
    """A file name from a student id (anything unusual becomes _)."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", student_id).strip("._")
    return name or "student"


class Documents:
    """Turns worksheet sources into files of one format."""

    def __init__(self, fmt: str, template_dir: Path | None, workdir: Path):
        self.fmt = fmt
        self.template_dir = template_dir
        self.compiler = PdfCompiler(workdir) if fmt == "pdf" else None

    def document(self, sheet: Worksheet, key: bool) -> bytes:
        source = render_source(sheet, self.fmt, key, self.template_dir)
        return source.encode("utf-8") if self.compiler is None else self.compiler.pdf(source)


def write_worksheet(sheet: Worksheet, *, fmt: str, out: Path | None, roster: bool, combined: bool, key: bool,
                    key_only: bool = False, template_dir: Path | None = None) -> Written:
    """Write the papers (unless key_only), the key document (with key) and key.json."""
    ext = EXTENSIONS[fmt]
    written = Written()
    with tempfile.TemporaryDirectory(prefix="ncquiz-") as work:
        docs = Documents(fmt, template_dir, Path(work))
        if roster:
            folder = Path(out) if out else Path("worksheets")
            if folder.exists() and not folder.is_dir():
                raise NcquizError(f"--out {folder} is a file; with --students it must be a folder")
            folder.mkdir(parents=True, exist_ok=True)
            if not key_only:
                if combined:
                    path = folder / f"papers{ext}"
                    write_bytes(path, docs.document(sheet, key=False))
                    written.papers.append(path)
                else:
                    names = set()
                    for paper in sheet.papers:
                        name = safe_name(paper.student.id)
                        while name in names:
                            name += "_"
                        names.add(name)
                        single = Worksheet(**{**sheet.__dict__, "papers": [paper]})
                        path = folder / f"{name}{ext}"
                        write_bytes(path, docs.document(single, key=False))
                        written.papers.append(path)
            key_path = folder / f"key{ext}"
            json_path = folder / "key.json"
        else:
            path = Path(out) if out else Path(f"{'key' if key_only else 'worksheet'}{ext}")
            if path.is_dir():
                path = path / f"{'key' if key_only else 'worksheet'}{ext}"
            if path.suffix.lower() != ext:
                path = path.with_suffix(ext)
            if not path.parent.is_dir():
                raise NcquizError(f"cannot write {path}: the folder {path.parent} does not exist")
            if key_only:
                key_path = path
            else:
                write_bytes(path, docs.document(sheet, key=False))
                written.papers.append(path)
                key_path = path.with_name(f"{path.stem}-key{ext}")
            json_path = path.with_name("key.json")
        if key or key_only:
            write_bytes(key_path, docs.document(sheet, key=True))
            written.key = key_path
        write_bytes(json_path, (json.dumps(key_json(sheet), indent=1) + "\n").encode("utf-8"))
        written.key_json = json_path
    return written
