"""Worksheets and keys: valid documents in every format, keys that match `generate`, unique roster
papers, opaque codes that only the secret reads back, and marking from key.json."""

import csv
import html.parser
import json
import re
import shutil
import subprocess
import sys

import pytest

from ncquiz.bank import load_bank
from ncquiz.bank.codes import CodeError, decode
from ncquiz.cli import main

pypdf = pytest.importorskip("pypdf")

BANK = load_bank()
QUESTIONS = "conv-stride-padding,rnn-scalar-steps,cnn-properties-choice,network-shapes,cnn-properties-short,vae-reparam"


def run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def roster(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text("student_id,name\ns001,Ada Lovelace\ns002,Alan Turing\ns003,Grace Hopper\n")
    return path


def pdf_text(path):
    reader = pypdf.PdfReader(str(path))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_paper_has_every_question_marks_and_code(capsys, tmp_path):
    out = tmp_path / "sheet.pdf"
    code, _, err = run(capsys, ["worksheet", "--questions", QUESTIONS, "--seed", "3", "--out", str(out), "--key"])
    assert code == 0, err
    key = json.loads((tmp_path / "sheet-key.json").read_text())  # named after the key document
    questions = key["students"][""]["questions"]
    pages, text = pdf_text(out)
    flat = re.sub(r"\s+", " ", text)
    for q in questions:
        assert f"Question {q['number']}." in flat
        assert f"[{q['marks']} mark" in flat
        assert q["code"] in flat.replace(" ", "") or q["code"] in flat
    assert f"Total: {key['students']['']['marks']} marks" in flat
    assert all(f"Page {i} Variant" in flat for i in range(1, pages + 1))  # every page numbered, codes beside
    from ncquiz.papers.pdf import PdfCompiler  # the PNG export counts pages independently
    from ncquiz.papers.render import render_source
    from ncquiz.papers.build import Student, build, choose_families
    import numpy as np

    fams = choose_families(BANK, None, 0, None, QUESTIONS.split(","), np.random.default_rng(3))
    sheet = build(BANK, families=fams, seed=3, students=[Student("")], title="Practice worksheet", date=key["date"])
    assert len(PdfCompiler(tmp_path).png(render_source(sheet, "pdf", False), 20)) == pages
    key_pages, key_text = pdf_text(tmp_path / "sheet-key.pdf")
    assert "answer key" in key_text and "Marking" in key_text and key_pages >= pages


def test_key_answers_equal_generate_json(capsys, tmp_path):
    run(capsys, ["worksheet", "--questions", QUESTIONS, "--seed", "4", "--out", str(tmp_path / "w.md")])
    key = json.loads((tmp_path / "w-key.json").read_text())
    for q in key["students"][""]["questions"]:
        out = subprocess.run([sys.executable, "-m", "ncquiz", "generate", "--variant", q["variant"], "--json"],
                             capture_output=True, text=True, timeout=120)
        generated = json.loads(out.stdout)
        assert generated["id"] == q["family"]
        assert {p["label"]: p["answer"] for p in generated["parts"]} == q["answers"]


def test_roster_papers_are_distinct_and_named_by_id(capsys, tmp_path, roster):
    out = tmp_path / "papers"
    code, _, err = run(capsys, ["worksheet", "--students", str(roster), "--count", "4", "--seed", "9", "--out", str(out),
                                "--key"])
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["key.json", "key.pdf", "s001.pdf", "s002.pdf", "s003.pdf"]
    key = json.loads((out / "key.json").read_text())
    families = [[q["family"] for q in s["questions"]] for s in key["students"].values()]
    assert families[0] == families[1] == families[2]  # same families for everyone
    codes = [tuple(q["variant"] for q in s["questions"]) for s in key["students"].values()]
    assert len(set(codes)) == 3 and all(len(set(c)) == len(c) for c in zip(*codes))  # different numbers
    texts = [pdf_text(out / f"s00{i}.pdf")[1] for i in (1, 2, 3)]
    assert "Ada Lovelace" in texts[0] and "Alan Turing" in texts[1] and texts[0] != texts[1]


def test_combined_paper(capsys, tmp_path, roster):
    out = tmp_path / "papers"
    code, _, _ = run(capsys, ["worksheet", "--students", str(roster), "--count", "2", "--seed", "9", "--out", str(out),
                              "--combined"])
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["key.json", "papers.pdf"]
    _, text = pdf_text(out / "papers.pdf")
    assert all(name in text for name in ("Ada Lovelace", "Alan Turing", "Grace Hopper"))


def test_same_options_same_papers(capsys, tmp_path, roster):
    for name in ("a", "b"):
        run(capsys, ["worksheet", "--students", str(roster), "--count", "3", "--seed", "11", "--format", "md",
                     "--out", str(tmp_path / name), "--date", "2027-01-15"])
    assert (tmp_path / "a" / "s002.md").read_text() == (tmp_path / "b" / "s002.md").read_text()
    assert (tmp_path / "a" / "key.json").read_text() == (tmp_path / "b" / "key.json").read_text()
    code, _, _ = run(capsys, ["key", "--students", str(roster), "--count", "3", "--seed", "11", "--format", "md",
                              "--out", str(tmp_path / "c"), "--date", "2027-01-15"])
    assert code == 0 and (tmp_path / "c" / "key.json").read_text() == (tmp_path / "a" / "key.json").read_text()
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == ["key.json", "key.md"]


class Checker(html.parser.HTMLParser):
    VOID = {"meta", "br", "hr", "img", "input", "link"}

    def __init__(self):
        super().__init__()
        self.stack, self.tags, self.errors = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href") and value and re.match(r"https?:", value):
                self.errors.append(f"network reference {value}")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unbalanced </{tag}> (open: {self.stack[-3:]})")
        else:
            self.stack.pop()


def test_html_is_a_self_contained_document(capsys, tmp_path):
    run(capsys, ["worksheet", "--questions", QUESTIONS, "--seed", "5", "--format", "html", "--out", str(tmp_path / "w.html"),
                 "--key"])
    for name in ("w.html", "w-key.html"):
        text = (tmp_path / name).read_text()
        checker = Checker()
        checker.feed(text)
        checker.close()
        assert checker.errors == [] and checker.stack == []
        assert "math" in checker.tags and "mtable" in checker.tags  # matrices as MathML, rendered offline
        assert "@media print" in text and "break-inside: avoid" in text
        assert "<script" not in text
    assert "Answer:" in (tmp_path / "w-key.html").read_text()


def test_markdown_and_latex_sources(capsys, tmp_path):
    run(capsys, ["worksheet", "--questions", QUESTIONS, "--seed", "5", "--format", "md", "--out", str(tmp_path / "w.md")])
    md = (tmp_path / "w.md").read_text()
    assert "## Question 1." in md and "\\begin{bmatrix}" in md
    run(capsys, ["worksheet", "--questions", "conv-basic", "--seed", "5", "--format", "md", "--out", str(tmp_path / "t.md"),
                 "--title", "Q&amp;A for $x^2$ ~~not struck~~"])
    assert "Q\\&amp;A for \\$x^2\\$ \\~\\~not struck\\~\\~" in (tmp_path / "t.md").read_text()  # shown as typed
    run(capsys, ["worksheet", "--questions", QUESTIONS, "--seed", "5", "--format", "tex", "--out", str(tmp_path / "w.tex"),
                 "--key"])
    tex = (tmp_path / "w.tex").read_text()
    assert tex.startswith("\\documentclass") and tex.rstrip().endswith("\\end{document}")
    assert tex.count("\\begin{minipage}") == tex.count("\\end{minipage}") == 6


@pytest.mark.skipif(not shutil.which("pdflatex"), reason="no TeX engine on this machine")
def test_latex_source_compiles(capsys, tmp_path):
    for key in ([], ["--key"]):
        run(capsys, ["worksheet", "--questions", QUESTIONS, "--seed", "5", "--format", "tex",
                     "--out", str(tmp_path / "w.tex"), *key])
    for name in ("w.tex", "w-key.tex"):
        done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", name], cwd=tmp_path,
                              capture_output=True, text=True, timeout=240)
        assert done.returncode == 0, done.stdout[-3000:]


@pytest.mark.skipif(not shutil.which("pdflatex"), reason="no TeX engine on this machine")
def test_latex_compiles_with_greek_signs_accents_and_odd_names(capsys, tmp_path):
    """Families whose text holds φ, θ, Σ, ≈, ≥, x̂ and ², a name with TeX's special characters and a
    control character, and a title typed over two paragraphs: pdflatex still compiles paper and key."""
    roster = tmp_path / "roster.csv"
    roster.write_bytes('student_id,name\ns1,"Zoë O\'Brien #1 & $x^2$ 50% a_b {c} \x00\x1b"\n'.encode())
    code, _, err = run(capsys, ["worksheet", "--students", str(roster), "--format", "tex", "--key", "--seed", "2",
                                "--questions", "ae-forward,vae-loss-total,gan-losses-choice,vae-attribute,relu-chain-rule",
                                "--title", "Mock\n\nexam", "--out", str(tmp_path / "o")])
    assert code == 0, err
    paper = (tmp_path / "o" / "s1.tex").read_text()
    assert "\\ensuremath{\\phi}" in paper or "\\ensuremath{\\theta}" in paper
    assert "\x00" not in paper and "Mock exam" in paper
    for name in ("s1.tex", "key.tex"):
        done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", name], cwd=tmp_path / "o",
                              capture_output=True, text=True, timeout=240)
        assert done.returncode == 0, done.stdout[-3000:]


def test_secret_codes_hide_the_seed_and_round_trip_through_mark(capsys, tmp_path, roster):
    secret = tmp_path / "secret.txt"
    secret.write_text("a long and private phrase for this course\n")
    out = tmp_path / "papers"
    run(capsys, ["worksheet", "--students", str(roster), "--questions", "conv-basic,rnn-scalar-steps", "--seed", "21",
                 "--format", "md", "--out", str(out), "--secret-file", str(secret)])
    key = json.loads((out / "key.json").read_text())
    rows = [["student", "question", "part", "answer"]]
    for sid, entry in key["students"].items():
        for q in entry["questions"]:
            assert q["code"] != q["variant"] and q["code"] in (out / f"{sid}.md").read_text()
            assert q["variant"] not in (out / f"{sid}.md").read_text()
            with pytest.raises(CodeError):
                decode(q["code"])  # without the secret the printed code is not a variant code
            question = BANK.variant(q["variant"])
            for part in question.parts:
                rows.append([sid, q["code"], part.label, _typed(part)])
    responses = tmp_path / "responses.csv"
    with responses.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    code, _, err = run(capsys, ["mark", str(responses), "--out", str(tmp_path / "g.csv"), "--secret-file", str(secret)])
    assert code == 0, err
    with (tmp_path / "g.csv").open() as fh:
        assert {r["status"] for r in csv.DictReader(fh)} == {"correct"}
    code, _, err = run(capsys, ["mark", str(responses), "--out", str(tmp_path / "g2.csv"), "--key", str(out / "key.json")])
    assert code == 0, err
    code, _, err = run(capsys, ["mark", str(responses), "--out", str(tmp_path / "g3.csv")])
    assert code == 2 and "check failed" in err  # without the secret the codes are not readable
    code, _, _ = run(capsys, ["key", "--students", str(roster), "--questions", "conv-basic,rnn-scalar-steps",
                              "--seed", "21", "--format", "md", "--out", str(tmp_path / "k"), "--secret-file", str(secret)])
    assert json.loads((tmp_path / "k" / "key.json").read_text())["students"] == key["students"]


def _typed(part):
    import numpy as np

    if part.type == "matrix":
        return "; ".join(" ".join(repr(float(x)) for x in row) for row in np.asarray(part.answer))
    if part.type in ("choice", "multi"):
        return ",".join(part.correct)
    return repr(float(part.answer))


def test_key_flags_questions_not_on_a_students_paper(capsys, tmp_path, roster):
    out = tmp_path / "papers"
    run(capsys, ["worksheet", "--students", str(roster), "--questions", "conv-basic", "--seed", "2", "--format", "md",
                 "--out", str(out)])
    key = json.loads((out / "key.json").read_text())
    other = key["students"]["s002"]["questions"][0]["code"]
    responses = tmp_path / "r.csv"
    responses.write_text(f"student,question,part,answer\ns001,{other},a,1\n")
    code, _, err = run(capsys, ["mark", str(responses), "--out", str(tmp_path / "g.csv"), "--key", str(out / "key.json")])
    assert code == 2 and "was not on the paper of student 's001'" in err


def test_template_override(capsys, tmp_path):
    custom = tmp_path / "mine"
    custom.mkdir()
    (custom / "paper.md").write_text("{% for p in papers %}MY STYLE {{ title }}{% for q in p.questions %} Q{{ q.number }}"
                                     "{% endfor %}{% endfor %}\n")
    code, _, _ = run(capsys, ["worksheet", "--questions", "conv-basic,zscore", "--seed", "1", "--format", "md",
                              "--template", str(custom), "--out", str(tmp_path / "w.md")])
    assert code == 0 and (tmp_path / "w.md").read_text() == "MY STYLE Practice worksheet Q1 Q2"


@pytest.mark.parametrize("body, needle", [
    ("{% for i in range(100000000) %}x{% endfor %}", "range"),
    ("{{ 'x' * 10000000000 }}", "refused"),
    (b"caf\xe9 {{ title }}", "not UTF-8"),
    ("{% for p in papers %}", "mine/paper.md, line 1"),
])
def test_a_broken_template_is_one_line_and_exit_2(capsys, tmp_path, body, needle):
    custom = tmp_path / "mine"
    custom.mkdir()
    (custom / "paper.md").write_bytes(body if isinstance(body, bytes) else body.encode())
    code, _, err = run(capsys, ["worksheet", "--questions", "conv-basic", "--seed", "1", "--format", "md",
                                "--template", str(custom), "--out", str(tmp_path / "w.md")])
    assert code == 2 and err.startswith("error: ") and err.count("\n") == 1 and needle in err, err
    assert not (tmp_path / "w.md").exists()


@pytest.mark.parametrize("argv, needle", [
    (["worksheet", "--questions", ","], "no family given"),
    (["worksheet", "--questions", "conv-basic", "--count", "3"], "does not combine with --count"),
    (["key", "--questions", "conv-basic", "--topic", "cnn"], "does not combine"),
    (["worksheet", "--format", "docx"], "--format"),
    (["worksheet", "--combined"], "--students"),
    (["worksheet", "--questions", "nope"], "no family"),
    (["worksheet", "--students", "/nonexistent.csv"], "cannot read the roster"),
    (["worksheet", "--count", "40", "--topic", "gan.losses"], "at most"),
    (["worksheet", "--secret-file", "/nonexistent"], "secret file"),
])
def test_bad_options(capsys, tmp_path, argv, needle):
    code, out, err = run(capsys, argv + ["--out", str(tmp_path / "x.pdf")])
    assert code == 2 and needle in err


def test_bad_roster_rows_are_reported_with_lines(capsys, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("student_id,name\ns1,A\n,B\ns1,C\n")
    code, _, err = run(capsys, ["worksheet", "--students", str(path), "--out", str(tmp_path / "o")])
    assert code == 2 and "r.csv:3: no student id" in err and "r.csv:4: student id 's1' is also on line 2" in err


def test_a_larger_class_compiles_in_worker_processes(capsys, tmp_path):
    """Ten students: the PDFs are compiled in parallel worker processes and each is the right student's."""
    roster = tmp_path / "class.csv"
    roster.write_text("student_id,name\n" + "".join(f"x{i:02d},Pupil {i}\n" for i in range(10)))
    out = tmp_path / "papers"
    code, _, err = run(capsys, ["worksheet", "--students", str(roster), "--count", "2", "--seed", "8", "--out", str(out),
                                "--key"])
    assert code == 0, err
    for i in range(10):
        assert f"Pupil {i}" in pdf_text(out / f"x{i:02d}.pdf")[1]
    _, key_text = pdf_text(out / "key.pdf")
    assert all(f"Pupil {i}" in key_text for i in range(10))


def test_a_student_called_key_does_not_lose_their_paper_to_the_key(capsys, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\nkey,Keyla\nKEY,Kay\npapers,Pat\n")
    out = tmp_path / "o"
    code, _, err = run(capsys, ["worksheet", "--students", str(roster), "--count", "1", "--seed", "2", "--format", "md",
                                "--key", "--out", str(out)])
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["KEY__.md", "key.json", "key.md", "key_.md", "papers_.md"]
    assert "Keyla" in (out / "key_.md").read_text() and "answer key" not in (out / "key_.md").read_text()


def test_a_single_paper_does_not_replace_a_class_key(capsys, tmp_path, roster):
    out = tmp_path / "exam"
    run(capsys, ["worksheet", "--students", str(roster), "--count", "1", "--seed", "2", "--format", "md", "--out", str(out)])
    before = (out / "key.json").read_text()
    code, _, _ = run(capsys, ["worksheet", "--count", "1", "--format", "md", "--out", str(out / "extra.md")])
    assert code == 0 and (out / "key.json").read_text() == before and (out / "extra-key.json").exists()
    code, _, _ = run(capsys, ["key", "--count", "1", "--format", "md", "--out", str(out)])  # a key alone, into the folder
    assert code == 0 and (out / "key.json").read_text() == before and (out / "worksheet-key.json").exists()
    assert (out / "worksheet-key.md").exists()


def test_the_pdf_title_is_the_title_as_typed(capsys, tmp_path):
    title = "Rock 'n' roll: Q&A <mock> \"quoted\" \\ back"
    code, _, err = run(capsys, ["worksheet", "--questions", "conv-basic", "--seed", "1", "--title", title,
                                "--out", str(tmp_path / "w.pdf")])
    assert code == 0, err
    from pypdf import PdfReader

    assert PdfReader(tmp_path / "w.pdf").metadata.title == title
