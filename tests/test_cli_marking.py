"""`ncquiz check` and `ncquiz mark` as instructors and students run them."""

import csv
import json

import numpy as np
import pytest

from helpers import typed

from ncquiz.bank import load_bank
from ncquiz.cli import main

BANK = load_bank()


def run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_check_json(capsys):
    q = BANK.variant("conv-basic", 4)
    code, out, _ = run(capsys, ["check", q.code, "--answer", f"a={typed(q.parts[0])}", "--json"])
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"variant", "score", "max", "parts"}
    assert data["score"] == data["max"] == q.marks
    assert set(data["parts"][0]) >= {"label", "score", "max", "status", "feedback"}
    assert data["parts"][0]["status"] == "correct"


def test_check_statuses(capsys):
    q = BANK.variant("rnn-scalar-steps", 2)
    code, out, _ = run(capsys, ["check", q.code, "-a", "a=0.1234", "-a", "b=what", "--json"])
    parts = {p["label"]: p for p in json.loads(out)["parts"]}
    assert parts["a"]["status"] == "wrong" and parts["b"]["status"] == "unreadable" and parts["c"]["status"] == "blank"
    assert "expected a number" in parts["b"]["feedback"]


def test_check_reads_a_code_with_spaces_around_it(capsys):
    q = BANK.variant("conv-layer-params", 2)
    code, out, _ = run(capsys, ["check", f" {q.code} ", "-a", f"b={q.part('b').answer}", "--json"])
    assert code == 0 and json.loads(out)["parts"][1]["status"] == "correct"


def test_check_plain_output_ends_with_score(capsys, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    q = BANK.variant("conv-basic", 4)
    code, out, _ = run(capsys, ["check", q.code, "-a", "a=1 2; 3 4"])
    assert code == 0 and out.strip().splitlines()[-1].startswith("Score: ")


@pytest.mark.parametrize("argv, needle", [
    (["check", "conv-basic", "-s", "1", "-a", "a"], "LABEL=VALUE"),
    (["check", "conv-basic", "-s", "1", "-a", "q=1"], "no part 'q'"),
    (["check", "conv-basic", "-s", "1", "-a", "a=1", "-a", "a=2"], "twice"),
    (["check", "ZZZZ-ZZZZ-ZZZ1", "-a", "a=1"], "variant code"),
    (["check", "conv-basic", "-a", "a=1"], "give its --seed"),  # which variant the answer is for is not known
])
def test_check_bad_input(capsys, argv, needle):
    code, out, err = run(capsys, argv)
    assert code == 2 and out == "" and needle in err


FAMILIES = ["conv-basic", "rnn-scalar-steps", "cnn-properties-choice"]


def make_class(tmp_path, students=30):
    """A class of 30: right, wrong, unreadable and blank answers, plus malformed rows. Returns (path, expected)."""
    rows = [["student", "question", "part", "answer"]]
    expected = {}
    rng = np.random.default_rng(5)
    for s in range(students):
        sid = f"s{s:03d}"
        total = 0.0
        for f in FAMILIES:
            q = BANK.variant(f, int(rng.integers(0, 1000)))
            for part in q.parts:
                kind = s % 4
                if kind == 0:  # all right
                    rows.append([sid, q.code, part.label, typed(part)])
                    total += part.marks
                elif kind == 1:  # wrong
                    rows.append([sid, q.code, part.label, "999" if part.type not in ("choice", "multi", "text") else "zz"])
                elif kind == 2:  # unreadable numbers, blank otherwise
                    rows.append([sid, q.code, part.label, "one point five"])
                elif part is q.parts[0]:  # kind 3: an empty answer to the first part, no rows for the others
                    rows.append([sid, q.code, part.label, ""])
        expected[sid] = total
    bad = [
        ["s000", "NOT-A-CODE", "a", "1"],                       # unknown variant
        ["s001", BANK.variant("conv-basic", 1).code, "z", "1"],  # unknown part
        ["s002", "", "a", "1"],                                   # missing field
        [rows[1][0], rows[1][1], rows[1][2], "0"],                # duplicate: the first is marked
    ]
    rows += bad
    path = tmp_path / "responses.csv"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    first_bad_line = len(rows) - len(bad) + 1
    return path, expected, first_bad_line


def test_mark_a_class_reports_bad_rows_and_marks_the_rest(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    path, expected, first_bad = make_class(tmp_path)
    out_path = tmp_path / "grades.csv"
    code, out, err = run(capsys, ["mark", str(path), "--out", str(out_path)])
    assert code == 2  # some rows were bad
    lines = err.strip().splitlines()
    assert [int(l.split(":")[1]) for l in lines] == [first_bad, first_bad + 1, first_bad + 2, first_bad + 3]
    assert "unknown variant" in lines[0] and "no part 'z'" in lines[1] and "missing question" in lines[2]
    assert "second answer" in lines[3] and "line 2" in lines[3]
    with out_path.open() as fh:
        grades = list(csv.DictReader(fh))
    assert list(grades[0]) == ["student", "question", "part", "score", "max", "status", "feedback"]
    statuses = {g["status"] for g in grades}
    assert {"correct", "wrong", "unreadable", "blank"} <= statuses
    totals_path = tmp_path / "grades-totals.csv"
    with totals_path.open() as fh:
        totals = {r["student"]: r for r in csv.DictReader(fh)}
    assert len(totals) == 30
    for sid, score in expected.items():
        assert float(totals[sid]["score"]) == pytest.approx(score), sid
    assert "Class mean" in out and "Per question" in out


def test_mark_json_summary(capsys, tmp_path):
    path, expected, _ = make_class(tmp_path, students=8)
    code, out, _ = run(capsys, ["mark", str(path), "--out", str(tmp_path / "g.csv"), "--json"])
    data = json.loads(out)
    assert data["students"] == 8 and len(data["bad_rows"]) == 4
    full = sum(BANK.variant(f, 0).marks for f in FAMILIES)
    assert data["mean"] == pytest.approx(np.mean([100 * v / full for v in expected.values()]))
    assert data["statuses"]["blank"] > 0 and data["statuses"]["unreadable"] > 0


def test_mark_clean_file_exits_0(capsys, tmp_path):
    q = BANK.variant("conv-basic", 3)
    path = tmp_path / "r.csv"
    path.write_text(f"student,question,part,answer\nann,{q.code},a,\"{typed(q.parts[0])}\"\n")
    code, out, err = run(capsys, ["mark", str(path), "--out", str(tmp_path / "g.csv")])
    assert code == 0 and err == ""


@pytest.mark.parametrize("content, needle", [
    ("", "empty"),
    ("name,answer\nann,1\n", "header lacks"),
])
def test_mark_unusable_files(capsys, tmp_path, content, needle):
    path = tmp_path / "r.csv"
    path.write_text(content)
    code, out, err = run(capsys, ["mark", str(path), "--out", str(tmp_path / "g.csv")])
    assert code == 2 and needle in err and not (tmp_path / "g.csv").exists()


def test_mark_missing_file_and_folder(capsys, tmp_path):
    code, _, err = run(capsys, ["mark", str(tmp_path / "none.csv"), "--out", str(tmp_path / "g.csv")])
    assert code == 2 and "cannot read" in err
    (tmp_path / "r.csv").write_text("student,question,part,answer\n")
    code, _, err = run(capsys, ["mark", str(tmp_path / "r.csv"), "--out", str(tmp_path / "no" / "g.csv")])
    assert code == 2 and "does not exist" in err


def test_outputs_are_written_atomically(tmp_path, monkeypatch):
    """A failure while writing leaves the grades and totals files as they were (no temporary file
    left either): the new grades replace the old only together with their totals."""
    from ncquiz.marking import batch
    from ncquiz.marking.mark import PartMark

    target, totals = tmp_path / "g.csv", tmp_path / "g-totals.csv"
    target.write_text("old,complete,file\n")
    totals.write_text("old,totals\n")
    result = batch.ClassResult(grades=[batch.Grade("a", "Q", "f", PartMark("a", 1, 1, "correct", "ok"))])

    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(result, "totals", interrupted)
    with pytest.raises(KeyboardInterrupt):
        batch.write_results(result, target)
    assert target.read_text() == "old,complete,file\n" and totals.read_text() == "old,totals\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g-totals.csv", "g.csv"]


def test_a_large_class_is_shared_with_a_worker_process(tmp_path, monkeypatch):
    """Above the threshold a worker process marks part of the variants; the grades are the same."""
    from ncquiz.marking import batch

    path, _, _ = make_class(tmp_path, students=12)
    text = path.read_text()
    alone = batch.mark_class(text, BANK)
    monkeypatch.setattr(batch, "PARALLEL_FROM", 1)
    shared = batch.mark_class(text, BANK)
    key = lambda g: (g.student, g.question, g.mark.label, g.mark.score, g.mark.status, g.mark.feedback, g.mark.mistake)
    assert [key(g) for g in shared.grades] == [key(g) for g in alone.grades]
    assert len(shared.grades) > 50 and [b.line for b in shared.bad_rows] == [b.line for b in alone.bad_rows]


def test_identical_answers_to_a_common_paper_get_the_marks_each_would_get_alone():
    """Groups with the same answers to the same variant are marked once; the marks are those of
    marking each student on their own, and a different earlier answer (follow-through) is not
    confused with another student's."""
    from ncquiz.bank.generate import generate
    from ncquiz.marking import batch
    from ncquiz.marking.mark import Marker

    family = next(f for f in BANK.families
                  if f.parts[0].numeric and any(f.parts[0].label in p.uses for p in f.parts[1:]))
    q = generate(family, 3, render=False)
    first = q.parts[0]
    later = next(p for p in q.parts if first.label in p.spec.uses)
    right = {p.label: typed(p) for p in q.parts}
    wrong_first = {**right, first.label: "12345"}
    groups = [["s1", q.code, right], ["s2", q.code, wrong_first], ["s3", q.code, dict(right)],
              ["s4", q.code, {**wrong_first}], ["s5", q.code, {later.label: right[later.label]}]]
    together = batch.mark_groups(groups, BANK)
    for (_, _, given), marks in zip(groups, together):
        marker = Marker(q)
        alone = [marker.mark(p.label, given.get(p.label)) for p in q.parts]
        assert [(m.score, m.status, m.feedback) for m in marks] == [(m.score, m.status, m.feedback) for m in alone]
    assert together[0] is together[2] and together[1] is together[3]  # marked once
    assert together[0][0].score > together[1][0].score


def test_rows_of_empty_cells_are_blank_lines_not_bad_rows():
    """Spreadsheets export trailing rows of empty cells (',,,'): skipped like blank lines."""
    from ncquiz.marking.batch import read_responses

    rows, bad = read_responses("student,question,part,answer\ns1,Q,a,1\n,,,\n  , , ,\n\ns2,,a,1\n")
    assert [line for line, _ in rows] == [2] and [b.line for b in bad] == [6]
    assert "missing question" in bad[0].message


def test_an_unquoted_comma_is_a_bad_row_not_a_cut_answer():
    """'38,914' unquoted is two cells: the row is reported (with a hint to quote), not marked as 38."""
    from ncquiz.marking.batch import read_responses

    rows, bad = read_responses('student,question,part,answer\ns1,Q,a,38,914\ns2,Q,a,"38,914"\ns3,Q,a,5,,\n')
    assert [(line, r["answer"]) for line, r in rows] == [(3, "38,914"), (4, "5")]  # trailing empty cells are fine
    assert [b.line for b in bad] == [2] and "in quotes" in bad[0].message


def test_a_quote_never_closed_does_not_swallow_the_rows_after_it():
    from ncquiz.marking.batch import read_responses

    text = ('student,question,part,answer\ns1,Q,a,1\ns2,Q,a,"-0.862\ns3,Q,a,"2\n3"\ns4,Q,a,"1"x\ns5,Q,a,4\n'
            .replace("Q", "3FS2-G000-0077"))  # a variant code, as a row swallowed by an open quote shows
    rows, bad = read_responses(text)
    assert [(line, r["student"], r["answer"]) for line, r in rows] == [
        (2, "s1", "1"), (4, "s3", "2\n3"), (6, "s4", "1x"), (7, "s5", "4")]  # 1x: read, then unreadable
    assert [b.line for b in bad] == [3]
    assert "never closed" in bad[0].message


def test_spaces_around_quotes_as_spreadsheets_write_them_are_read():
    from ncquiz.marking.batch import read_responses

    text = ('student,question,part,answer\ns1,Q,a,"0.5" \ns2,Q,"a" ,1\ns3,Q,a,"1\n2" \ns4,Q,a,4\n'
            's5,Q,a,"1, 2, 3, 4\n5, 6, 7, 8"\n'  # a matrix typed over lines, with commas
            's6,Q,a,"Uses:\ndenoising, compression, ie, anomaly detection"\n'  # prose
            's7,Q,"a" ,"1\n2"\n').replace("Q", "3FS2-G000-0077")  # a space after a quote, then lines
    rows, bad = read_responses(text)
    assert [(line, r["student"], r["part"], r["answer"]) for line, r in rows] == [
        (2, "s1", "a", "0.5"), (3, "s2", "a", "1"), (4, "s3", "a", "1\n2"), (6, "s4", "a", "4"),
        (7, "s5", "a", "1, 2, 3, 4\n5, 6, 7, 8"), (9, "s6", "a", "Uses:\ndenoising, compression, ie, anomaly detection"),
        (11, "s7", "a", "1\n2")]
    assert bad == []


def test_a_multi_line_answer_in_the_first_column_is_read():
    from ncquiz.marking.batch import read_responses

    rows, bad = read_responses('answer,part,question,student\n"0.985 -0.615\n-0.490 0.380",a,3FS2-G000-0077,ann\n'
                               '1,a,3FS2-G000-0077,bob\n')
    assert [(line, r["student"], r["answer"]) for line, r in rows] == [(2, "ann", "0.985 -0.615\n-0.490 0.380"),
                                                                      (4, "bob", "1")]
    assert bad == []


def test_mark_reports_a_row_cut_by_a_comma(capsys, tmp_path):
    q = BANK.variant("conv-layer-params", 1)
    right = q.part("b").answer
    assert right >= 1000
    responses = tmp_path / "r.csv"
    responses.write_text(f"student,question,part,answer\nann,{q.code},b,{right // 1000},{right % 1000:03d}\n"
                         f'bob,{q.code},b,"{right // 1000},{right % 1000:03d}"\n')
    code, out, err = run(capsys, ["mark", str(responses), "--out", str(tmp_path / "g.csv")])
    assert code == 2 and ":2: " in err and "in quotes" in err
    with (tmp_path / "g.csv").open() as fh:
        grades = [g for g in csv.DictReader(fh) if g["part"] == "b"]
    assert [(g["student"], g["status"]) for g in grades] == [("bob", "correct")]


@pytest.mark.parametrize("where", ["a folder", "the responses", "totals a folder", "no such folder"])
def test_mark_refuses_outputs_it_cannot_or_must_not_write(capsys, tmp_path, where):
    q = BANK.variant("conv-layer-params", 1)
    responses = tmp_path / "r.csv"
    original = f"student,question,part,answer\nann,{q.code},b,{q.part('b').answer}\n"
    responses.write_text(original)
    out = {"a folder": tmp_path, "the responses": responses, "totals a folder": tmp_path / "g.csv",
           "no such folder": tmp_path / "nowhere" / "g.csv"}[where]
    if where == "totals a folder":
        (tmp_path / "g-totals.csv").mkdir()
    code, _, err = run(capsys, ["mark", str(responses), "--out", str(out)])
    assert code == 2 and err.startswith("error: ") and len(err.strip().splitlines()) == 1, err
    assert responses.read_text() == original
    if where == "totals a folder":  # the grades could be written, but not without their totals
        assert not (tmp_path / "g.csv").exists()


def test_a_file_that_cannot_be_written_is_named_in_one_line(capsys, tmp_path, monkeypatch):
    """An OSError while writing (here: the folder refuses new files) names the file asked for, not
    the temporary file it goes through, in one line with exit status 2."""
    import ncquiz.atomic

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    q = BANK.variant("conv-layer-params", 1)
    responses = tmp_path / "r.csv"
    responses.write_text(f"student,question,part,answer\nann,{q.code},b,{q.part('b').answer}\n")
    monkeypatch.setattr(ncquiz.atomic.tempfile, "mkstemp", refuse)
    code, _, err = run(capsys, ["mark", str(responses), "--out", str(tmp_path / "g.csv")])
    assert code == 2 and err == f"error: {tmp_path / 'g.csv'}: Permission denied\n"
