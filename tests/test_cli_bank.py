"""`ncquiz list`, `generate`, `show` and `bank check` as a user runs them."""

import json
import subprocess
import sys

import pytest

from ncquiz.bank import load_bank
from ncquiz.cli import main

BANK = load_bank()
FIRST = BANK.families[0].id


def run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_list_json_has_the_documented_keys(capsys):
    code, out, _ = run(capsys, ["list", "--json"])
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == len(BANK.families)
    for row in rows:
        assert {"id", "topic", "title", "marks", "difficulty", "answer_types"} <= set(row)


def test_list_filters_by_area_topic_and_difficulty(capsys):
    _, out, _ = run(capsys, ["list", "--json", "--topic", "cnn"])
    rows = json.loads(out)
    assert rows and all(r["topic"].startswith("cnn.") for r in rows)
    _, out, _ = run(capsys, ["list", "--json", "--topic", "rnn.forward", "--difficulty", "2"])
    assert all(r["topic"] == "rnn.forward" and r["difficulty"] == 2 for r in json.loads(out))


def test_list_table(capsys, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    code, out, _ = run(capsys, ["list"])
    assert code == 0 and FIRST in out.replace("\n", "")


def test_generate_json_shape_and_determinism(capsys):
    code, first, _ = run(capsys, ["generate", FIRST, "--seed", "11", "--json"])
    assert code == 0
    data = json.loads(first)
    assert {"id", "variant", "seed", "topic", "title", "marks", "params", "prompt", "parts", "solution"} <= set(data)
    for part in data["parts"]:
        assert {"label", "prompt", "answer_type", "answer", "marks"} <= set(part)
    _, again, _ = run(capsys, ["generate", FIRST, "--seed", "11", "--json"])
    assert again == first
    _, by_code, _ = run(capsys, ["generate", "--variant", data["variant"], "--json"])
    assert by_code == first


def test_generate_plain_text(capsys):
    code, out, _ = run(capsys, ["generate", FIRST, "--seed", "3"])
    assert code == 0 and "Answers" in out and "(a)" in out


def test_show_with_and_without_solution(capsys, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    code, out, _ = run(capsys, ["show", FIRST, "--seed", "5"])
    assert code == 0 and "(a)" in out and "mark" in out and "Solution" not in out
    code, out, _ = run(capsys, ["show", FIRST, "--seed", "5", "--solution"])
    assert code == 0 and "Solution" in out


@pytest.mark.parametrize("argv, needle", [
    (["generate", "no-such-family", "--seed", "1", "--json"], "no family"),
    (["generate", "--variant", "3FS2-G000-00ZZ", "--json"], "variant code"),
    (["generate", "--json"], "`ncquiz list` shows the families"),
    (["generate", FIRST, "--variant", "3FS2-G000-003F"], "not both"),
    (["show", "conv-basci"], "did you mean"),
    (["list", "--topic", "cnns"], "unknown topic"),
    (["generate", FIRST, "--seed", "-1"], "seed"),
    (["list", "--difficulty", "7"], "not in the range 1<=x<=3; see `ncquiz list --help`"),  # typer's, in one line
    (["generate", FIRST, "--sed", "1"], "No such option: --sed"),
    (["quiz", "--question", "conv-basic", "--count", "3"], "does not combine with --review, --topic, --difficulty or --count"),
])
def test_bad_input_exits_2_with_one_line(capsys, argv, needle):
    code, out, err = run(capsys, argv)
    assert code == 2 and out == ""
    assert needle in err and err.startswith("error: ") and err.count("\n") == 1


def test_bank_check_clean_bank(capsys):
    code, out, err = run(capsys, ["bank", "check"])
    assert code == 0 and "families fine" in out and err == ""


def test_bank_check_reports_file_and_field_and_exits_2(capsys, tmp_path):
    (tmp_path / "bad-one.toml").write_text('id = "bad-one"\ntopic = "cnn.nope"\ntitle = "x"\ndifficulty = 1\n'
                                           'prompt = "p"\n[[parts]]\nlabel = "a"\ntype = "integer"\nmarks = 1\n'
                                           'answer = "1"\nsolution = "s"\n')
    code, out, err = run(capsys, ["bank", "check", str(tmp_path)])
    assert code == 2
    assert "bad-one.toml: topic: unknown topic 'cnn.nope'" in err


def test_bank_check_missing_directory(capsys, tmp_path):
    code, _, err = run(capsys, ["bank", "check", str(tmp_path / "nope")])
    assert code == 2 and "does not exist" in err
    (tmp_path / "a-file").write_text("")
    code, _, err = run(capsys, ["bank", "check", str(tmp_path / "a-file")])
    assert code == 2 and "is a file, not a folder" in err


def test_whole_process_generate():
    out = subprocess.run([sys.executable, "-m", "ncquiz", "generate", FIRST, "--seed", "2", "--json"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and json.loads(out.stdout)["seed"] == 2


def test_bank_check_reports_a_file_nested_too_deeply_to_read(capsys, tmp_path, monkeypatch):
    (tmp_path / "deep.toml").write_text("x = " + "[" * 990 + "]" * 990 + "\n")
    code, _, err = run(capsys, ["bank", "check", str(tmp_path)])
    assert code == 2 and "deep.toml: (file): not a bank file: its arrays or tables are nested too deeply" in err
    monkeypatch.setenv("NCQUIZ_BANK", str(tmp_path))  # and every command that loads the bank carries on
    code, out, err = run(capsys, ["list", "--json"])
    assert code == 0 and len(json.loads(out)) == len(BANK.families)


def test_bank_without_a_subcommand_shows_its_help_once(capsys):
    code, out, err = run(capsys, ["bank"])
    assert code == 2 and (out + err).count("Usage: ncquiz bank") == 1 and "check" in out + err
