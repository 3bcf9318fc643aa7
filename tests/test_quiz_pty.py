"""Real quiz sessions in a pseudo-terminal (pexpect) against the installed `ncquiz` command.

TERM=dumb and NO_COLOR give plain text, as a screen reader would get it. History goes to a
temporary NCQUIZ_HOME, and `ncquiz stats --json` reads it back.
"""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pexpect = pytest.importorskip("pexpect")

ROOT = Path(__file__).resolve().parent.parent


def ncquiz_command() -> list[str]:
    """The installed script beside this interpreter (as CI installs it); else the source via -m."""
    script = Path(sys.executable).with_name("ncquiz")
    return [str(script)] if script.exists() else [sys.executable, "-m", "ncquiz"]


@pytest.fixture
def env(tmp_path):
    e = dict(os.environ, TERM="dumb", NO_COLOR="1", COLUMNS="80", NCQUIZ_HOME=str(tmp_path / "home"))
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    return e


def ncquiz_json(env, *args):
    out = subprocess.run(ncquiz_command() + list(args), env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def typed(part: dict) -> str:
    """A part's reference answer from `ncquiz generate --json`, as typed at the prompt."""
    answer, rule = part["answer"], part.get("rule", {})
    fmt = (lambda x: f"{x:.{rule['dp']}f}") if "dp" in rule else (lambda x: repr(float(x)) if not float(x).is_integer() else str(int(x)))
    if part["answer_type"] in ("choice",):
        return answer
    if part["answer_type"] == "multi":
        return ", ".join(answer)
    if part["answer_type"] == "shape":
        return "x".join(map(str, answer))
    a = np.asarray(answer, dtype=float)
    if a.ndim == 0:
        return fmt(float(a))
    if a.ndim == 1:
        return " ".join(fmt(x) for x in a)
    return "; ".join(" ".join(fmt(x) for x in row) for row in a)


def spawn(env, *args):
    cmd = ncquiz_command() + list(args)
    child = pexpect.spawn(cmd[0], cmd[1:], env=env, encoding="utf-8", timeout=60, dimensions=(40, 80))
    return child


def test_reference_answers_score_full_marks(env):
    q = ncquiz_json(env, "generate", "rnn-scalar-steps", "--seed", "21", "--json")
    child = spawn(env, "quiz", "--question", q["variant"])
    for part in q["parts"]:
        child.expect(rf"\({part['label']}\) .*\r\n> ")
        child.sendline(typed(part))
        child.expect("Correct")
    child.expect(rf"Score: {q['marks']}/{q['marks']}")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_matrix_answer_row_by_row(env):
    q = ncquiz_json(env, "generate", "conv-basic", "--seed", "4", "--json")
    child = spawn(env, "quiz", "--question", q["variant"])
    child.expect(r"\(a\) a \d+x\d+ matrix.*\r\n> ")
    for row in typed(q["parts"][0]).split("; "):
        child.sendline(row)
        child.expect(r"(\.\.\. |Correct)")
    child.sendline("")
    child.expect(rf"Score: {q['marks']}/{q['marks']}")
    child.expect(pexpect.EOF)


def test_wrong_unreadable_hint_skip_quit(env):
    q = ncquiz_json(env, "generate", "rnn-scalar-steps", "--seed", "22", "--json")
    child = spawn(env, "quiz", "--question", q["variant"])
    child.expect(r"\(a\) .*\r\n> ")
    child.sendline("hint")
    child.expect("Hint: ")
    child.expect(r"\(a\) .*\r\n> ")
    child.sendline("banana")  # unreadable: asked again with the format
    child.expect("Cannot read this answer")
    child.expect(r"\(a\) .*\r\n> ")
    child.sendline("0.0001")  # wrong: feedback and the worked solution
    child.expect("Wrong: 0/2")
    child.expect(r"Worked solution \(a\)")
    child.expect(r"\(b\) .*\r\n> ")
    child.sendline("skip")
    child.expect(r"\(c\) .*\r\n> ")
    child.sendline("quit")
    child.expect("Session summary")
    child.expect(rf"Score: 0/{q['marks']}")
    child.expect(pexpect.EOF)
    stats = ncquiz_json(env, "stats", "--json")
    assert stats["parts_answered"] == 2  # (a) wrong and (b) skipped; the unreadable answer is not stored


def test_ctrl_c_leaves_a_summary_and_the_history(env):
    child = spawn(env, "quiz", "--topic", "rnn.forward", "--count", "3", "--seed", "5")
    child.expect(r"\(a\) .*\r\n> ")
    child.sendline("0.5")
    child.expect(r"\r\n> ")
    child.sendintr()
    child.expect("Session summary")
    child.expect(r"Score: ")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and "Traceback" not in (child.before or "")
    assert ncquiz_json(env, "stats", "--json")["parts_answered"] == 1


def test_ctrl_d_ends_cleanly(env):
    child = spawn(env, "quiz", "--count", "2", "--seed", "9")
    child.expect(r"\r\n> ")
    child.sendeof()
    child.expect(r"Score: 0/")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_sigkill_after_two_answers_keeps_both(env):
    q = ncquiz_json(env, "generate", "rnn-scalar-steps", "--seed", "23", "--json")
    child = spawn(env, "quiz", "--question", q["variant"])
    for part in q["parts"][:2]:
        child.expect(rf"\({part['label']}\) .*\r\n> ")
        child.sendline(typed(part))
    child.expect(r"\(c\) .*\r\n> ")  # the third part is being typed when the process dies
    child.kill(signal.SIGKILL)
    child.close(force=True)
    stats = ncquiz_json(env, "stats", "--json")
    assert stats["parts_answered"] == 2
    topic = stats["topics"]["rnn.forward"]
    assert topic["parts_answered"] == 2 and topic["accuracy"] == 1.0


def test_piped_answers_work_without_a_terminal(env):
    q = ncquiz_json(env, "generate", "rnn-scalar-steps", "--seed", "24", "--json")
    answers = "\n".join(typed(p) for p in q["parts"]) + "\n"
    out = subprocess.run(ncquiz_command() + ["quiz", "--question", q["variant"]], input=answers, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.rstrip().endswith(f"Score: {q['marks']}/{q['marks']}")
