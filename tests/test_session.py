"""The quiz loop driven by scripted input and a string console (no terminal needed)."""

import io

import numpy as np
import pytest
from rich.console import Console

from helpers import typed

from ncquiz.bank import generate, load_bank
from ncquiz.render.session import TerminalUI, expected_format
from ncquiz.session.loop import Plan, Session, plan_practice

BANK = load_bank()


class Script:
    """Answers typed one by one; the end of the script is Ctrl-D."""

    def __init__(self, lines):
        self.lines = list(lines)
        self.prompts = []

    def __call__(self, prompt):
        self.prompts.append(prompt)
        if not self.lines:
            raise EOFError
        line = self.lines.pop(0)
        if line is KeyboardInterrupt:
            raise KeyboardInterrupt
        return line


def run(items, lines, mode="practice", history=None, clock=None, exam_seconds=None):
    out = io.StringIO()
    console = Console(file=out, width=80, color_system=None)
    script = Script(lines)
    kwargs = {"clock": clock} if clock else {}
    result = Session(Plan(items, mode, 1, [], exam_seconds), TerminalUI(console, script), history, **kwargs).run()
    return result, out.getvalue(), script


def test_reference_answers_score_full_marks():
    items = [(BANK.get("conv-basic"), 3), (BANK.get("rnn-scalar-steps"), 8), (BANK.get("cnn-properties-choice"), 2)]
    qs = [generate(f, s) for f, s in items]
    lines = [typed(p) for q in qs for p in q.parts]
    result, text, _ = run(items, lines)
    assert result.score == result.max == sum(q.marks for q in qs)
    assert text.rstrip().splitlines()[-1] == f"Score: {result.max:g}/{result.max:g}"
    assert result.ended == "finished"


def test_wrong_answer_gets_feedback_and_the_worked_solution():
    result, text, _ = run([(BANK.get("rnn-scalar-steps"), 8)], ["0.001", "quit"])
    assert "Wrong: 0/2" in text and "Worked solution (a)" in text and "tanh" in text
    assert result.ended == "quit" and result.asked[0].marks["a"].status == "wrong"


def test_unreadable_answer_is_asked_again_with_the_format():
    q = generate(BANK.get("rnn-scalar-steps"), 8)
    result, text, script = run([(q.family, 8)], ["zero point five", typed(q.parts[0]), "quit"])
    assert "expected a number" in text
    assert sum(p.startswith("(a)") for p in script.prompts) == 2
    assert result.asked[0].marks["a"].status == "correct"


def test_hint_skip_and_solution_commands():
    q = generate(BANK.get("rnn-scalar-steps"), 8)
    result, text, _ = run([(q.family, 8)], ["hint", "skip", "solution", typed(q.parts[2])])
    assert "Hint:" in text and q.parts[0].hint.split()[0] in text
    marks = result.asked[0].marks
    assert marks["a"].status == "skipped" and marks["b"].status == "revealed" and marks["b"].score == 0
    assert "Worked solution (b)" in text
    assert marks["c"].status in ("correct", "wrong")  # c follows from b, which was revealed, not answered


@pytest.mark.parametrize("ending", [EOFError, KeyboardInterrupt])
def test_ctrl_d_and_ctrl_c_end_with_a_summary(ending):
    q = generate(BANK.get("rnn-scalar-steps"), 8)
    lines = [typed(q.parts[0])] + ([KeyboardInterrupt] if ending is KeyboardInterrupt else [])
    result, text, _ = run([(q.family, 8), (BANK.get("conv-basic"), 1)], lines)
    assert result.ended == "interrupted"
    assert "Session summary" in text and text.rstrip().endswith(f"Score: 2/{q.marks:g}")


def test_matrix_typed_row_by_row():
    q = generate(BANK.get("conv-basic"), 3)
    rows = typed(q.parts[0]).split("; ")
    result, _, script = run([(q.family, 3)], [*rows, ""])
    assert result.asked[0].marks["a"].status == "correct"
    assert script.prompts[1].strip() == "..."


def test_prompt_says_the_expected_shape():
    q = generate(BANK.get("conv-basic"), 3)
    shape = "x".join(map(str, np.shape(q.parts[0].answer)))
    assert f"a {shape} matrix" in expected_format(q.parts[0])


def test_exam_mode_gives_no_feedback_until_the_report():
    q = generate(BANK.get("rnn-scalar-steps"), 8)
    result, text, _ = run([(q.family, 8)], ["0.001", typed(q.parts[1]), typed(q.parts[2])], mode="exam",
                          exam_seconds=600)
    before_report = text.split("Marked report")[0]
    assert "Wrong" not in before_report and "Worked solution" not in before_report
    assert "Time left: 10:00" in before_report
    assert "Marked report" in text and "Worked solution (a)" in text.split("Marked report")[1]


def test_exam_time_out_stops_asking():
    now = [0.0]

    def clock():
        now[0] += 100.0  # every look at the clock: 100 s later
        return now[0]

    items = [(BANK.get("rnn-scalar-steps"), s) for s in range(5)]
    result, text, _ = run(items, ["0.1"] * 30, mode="exam", clock=clock, exam_seconds=300)
    assert result.ended == "time" and "Time is up." in text
    assert len(result.asked) < 5


def test_an_answer_typed_after_the_time_ran_out_is_not_marked():
    q = generate(BANK.get("rnn-scalar-steps"), 8)
    now = [0.0]

    def clock():
        return now[0]

    class Late(Script):
        def __call__(self, prompt):
            now[0] += 7.0  # each answer takes 7 s to type
            return super().__call__(prompt)

    out = io.StringIO()
    script = Late([typed(p) for p in q.parts])
    ui = TerminalUI(Console(file=out, width=80, color_system=None), script)
    result = Session(Plan([(q.family, 8)], "exam", 1, [], 10), ui, None, clock=clock).run()
    assert result.ended == "time" and "Time is up." in out.getvalue()
    assert list(result.asked[0].marks) == ["a"]  # (b) came in at 14 s of 10: left unmarked
    assert result.score == q.parts[0].marks


def test_plan_is_reproducible_balanced_and_never_repeats_a_family_in_a_row():
    a = plan_practice(BANK, ["cnn", "rnn"], 12, None, np.random.default_rng(7))
    b = plan_practice(BANK, ["cnn", "rnn"], 12, None, np.random.default_rng(7))
    assert [(f.id, s) for f, s in a] == [(f.id, s) for f, s in b]
    assert all(x[0] is not y[0] for x, y in zip(a, a[1:]))
    topics = [f.topic for f, _ in a]
    assert len(set(topics)) >= 6  # the mix covers many topics of cnn and rnn
    assert all(t.startswith(("cnn.", "rnn.")) for t in topics)


class FakeHistory:
    def __init__(self):
        self.records, self.sessions = [], []

    def start_session(self, mode, seed, topics, planned):
        self.sessions.append([mode, seed, planned, None])
        return len(self.sessions)

    def record(self, session_id, **row):
        self.records.append(row)

    def end_session(self, session_id, score, max, questions):
        self.sessions[session_id - 1][3] = (score, max, questions)


def test_every_answered_part_is_recorded_at_once():
    q = generate(BANK.get("rnn-scalar-steps"), 8)
    history = FakeHistory()
    result, _, _ = run([(q.family, 8)], [typed(q.parts[0]), "skip", KeyboardInterrupt], history=history)
    assert [r["part"] for r in history.records] == ["a", "b"]
    assert history.records[0]["status"] == "correct" and history.records[1]["status"] == "skipped"
    assert history.sessions[0][3] == (2, 5, 1)


def test_a_failing_history_is_reported_once_and_practice_goes_on():
    from ncquiz.errors import NcquizError

    class Full(FakeHistory):
        def record(self, session_id, **row):
            raise NcquizError("database or disk is full")

    q = generate(BANK.get("rnn-scalar-steps"), 8)
    result, text, _ = run([(q.family, 8)], [typed(p) for p in q.parts], history=Full())
    assert text.count("no longer being saved") == 1 and "disk is full" in text
    assert result.score == result.max


def test_a_line_that_is_not_text_is_asked_again():
    q = generate(BANK.get("rnn-scalar-steps"), 8)

    class Garbled(Script):
        def __call__(self, prompt):
            if len(self.prompts) == 1:  # the second line typed cannot be decoded
                self.prompts.append(prompt)
                raise UnicodeDecodeError("utf-8", b"\xe9", 0, 1, "invalid continuation byte")
            return super().__call__(prompt)

    garbled_out = io.StringIO()
    script = Garbled([typed(p) for p in q.parts])
    ui = TerminalUI(Console(file=garbled_out, width=80, color_system=None), script)
    result = Session(Plan([(q.family, 8)], "practice", 1, [], None), ui, None).run()
    assert "not UTF-8" in garbled_out.getvalue()
    assert result.score == result.max and result.ended == "finished"
