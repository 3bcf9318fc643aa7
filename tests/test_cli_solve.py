"""`ncquiz solve`: flags, --params, --json, help, and every kind of bad input (exit 2, one line)."""

import json
import subprocess
import sys

import pytest

from ncquiz.cli import main
from ncquiz.solvers.spec import KINDS

D2L = {"input": [[0, 1, 2], [3, 4, 5], [6, 7, 8]], "kernel": [[0, 1], [2, 3]]}


def run(capsys, argv, stdin=None, monkeypatch=None):
    if stdin is not None:
        import io

        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's --help
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_flags_and_json(capsys):
    code, out, err = run(capsys, ["solve", "conv2d", "--input", json.dumps(D2L["input"]),
                                  "--kernel", json.dumps(D2L["kernel"]), "--json"])
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert set(data) == {"kind", "answer", "steps"}
    assert data["kind"] == "conv2d"
    assert data["answer"] == [[19.0, 25.0], [37.0, 43.0]]
    assert data["steps"] and all(isinstance(s, str) for s in data["steps"])


def test_params_from_stdin(capsys, monkeypatch):
    code, out, _ = run(capsys, ["solve", "conv2d", "--params", "-", "--json"], json.dumps(D2L), monkeypatch)
    assert code == 0
    assert json.loads(out)["answer"] == [[19.0, 25.0], [37.0, 43.0]]


def test_params_file_and_flag_override(capsys, tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({**D2L, "stride": 2}))
    code, out, _ = run(capsys, ["solve", "conv2d", "--params", str(path), "--stride", "1", "--json"])
    assert code == 0
    assert json.loads(out)["answer"] == [[19.0, 25.0], [37.0, 43.0]]  # the flag's stride 1 wins


def test_dashed_flag_names_and_bool_flag(capsys):
    code, out, _ = run(capsys, ["solve", "conv2d-backward", "--input", "[[1,2],[3,4]]", "--kernel", "[[1]]",
                                "--grad-output", "[[1,0],[0,1]]", "--json"])
    assert code == 0
    assert json.loads(out)["answer"]["grad_bias"] == 2.0
    # --flip alone means true: true convolution of the d2l case uses the rotated kernel [[3,2],[1,0]]
    code, out, _ = run(capsys, ["solve", "conv2d", "--input", json.dumps(D2L["input"]),
                                "--kernel", json.dumps(D2L["kernel"]), "--flip", "--json"])
    assert code == 0
    assert json.loads(out)["answer"] == [[5.0, 11.0], [23.0, 29.0]]


def test_word_values_and_layer_lists(capsys):
    code, out, _ = run(capsys, ["solve", "pool", "--input", "[[1,2],[3,4]]", "--size", "2", "--mode", "avg", "--json"])
    assert (code, json.loads(out)["answer"]) == (0, [[2.5]])
    code, out, _ = run(capsys, ["solve", "network", "--input", "[32,32,1]", "--layers",
                                "conv 6 5x5, maxpool 2x2, conv 16 5x5, maxpool 2x2, flatten, fc 120, fc 84, fc 10", "--json"])
    assert code == 0
    assert json.loads(out)["answer"]["total_params"] == 61706


def test_counts_are_json_integers(capsys):
    code, out, _ = run(capsys, ["solve", "output-size", "--size", "32", "--kernel", "5", "--json"])
    assert code == 0 and '"answer": 28,' in out
    code, out, _ = run(capsys, ["solve", "recurrent-params", "--cell", "lstm", "--input-size", "10",
                                "--hidden-size", "20", "--bias", "pytorch", "--json"])
    assert json.loads(out)["answer"] == 2560 and isinstance(json.loads(out)["answer"], int)


def test_human_rendering_shows_grid_and_steps(capsys, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    code, out, _ = run(capsys, ["solve", "conv2d", "--input", json.dumps(D2L["input"]),
                                "--kernel", json.dumps(D2L["kernel"])])
    assert code == 0
    assert "│ 19 │ 25 │" in out and "│ 37 │ 43 │" in out
    assert "Worked solution" in out and "19" in out


def test_help_lists_kinds_and_params_with_defaults(capsys):
    code, out, _ = run(capsys, ["solve", "--help"])
    assert code == 0
    for name in KINDS:
        assert name in out
    code, out, _ = run(capsys, ["solve", "conv2d", "--help"])
    assert code == 0
    for flag in ("--input", "--kernel", "--stride", "--padding", "--dilation", "--bias", "--flip", "--params", "--json"):
        assert flag in out
    assert "(default: 1)" in out and "(required)" in out
    code, out, _ = run(capsys, ["solve", "conv2d-backward", "--help"])
    assert "--grad-output" in out


BAD = {
    "shape mismatch": ("conv2d", {"input": [[[1, 2], [3, 4]], [[1, 2], [3, 4]]], "kernel": [[[[1]]] * 3]}, "kernel"),
    "kernel larger than padded input": ("conv2d", {"input": [[1, 2], [3, 4]], "kernel": [[1, 2, 3]] * 3}, "kernel"),
    "non-numeric entry": ("conv2d", {"input": [[1, "x"], [3, 4]], "kernel": [[1]]}, "input"),
    "NaN as a string": ("conv2d", {"input": [[1, "NaN"], [3, 4]], "kernel": [[1]]}, "input"),
    "ragged matrix": ("conv2d", {"input": [[1, 2], [3]], "kernel": [[1]]}, "input"),
    "unknown key": ("conv2d", {"input": [[1]], "kernel": [[1]], "strides": 2}, "strides"),
    "missing key": ("conv2d", {"input": [[1]]}, "kernel"),
    "boolean as a number": ("pool", {"input": [[1, 2], [3, 4]], "size": True}, "size"),
    "probability outside (0,1)": ("gan", {"d_real": [0.9, 1.0], "d_fake": [0.1]}, "d_real"),
    "zero probability": ("gan", {"d_real": [0.9], "d_fake": 0}, "d_fake"),
    "negative padding": ("conv2d", {"input": [[1]], "kernel": [[1]], "padding": -1}, "padding"),
    "fractional stride": ("conv2d", {"input": [[1]], "kernel": [[1]], "stride": 1.5}, "stride"),
    "unknown choice": ("activation", {"input": [1], "fn": "swish"}, "fn"),
    "bad layer": ("network", {"input": [4, 4, 1], "layers": ["conv 2 3x3", "pooling 2x2"]}, "layers[1]"),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_bad_params_exit_2_with_one_line(capsys, monkeypatch, case):
    kind, params, field = BAD[case]
    code, out, err = run(capsys, ["solve", kind, "--params", "-", "--json"], json.dumps(params), monkeypatch)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert f"{field}:" in err
    assert "Traceback" not in err


def test_nan_and_infinity_literals(capsys, monkeypatch):
    for text in ('{"input": [[1, NaN]], "kernel": [[1]]}', '{"input": [[1, Infinity]], "kernel": [[1]]}',
                 '{"input": [[1, 1e999]], "kernel": [[1]]}'):
        code, out, err = run(capsys, ["solve", "conv2d", "--params", "-"], text, monkeypatch)
        assert code == 2 and out == "" and "input:" in err and "finite" in err


def test_more_than_a_million_elements(capsys, tmp_path):
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"input": [[0.0] * 1001] * 1000, "kernel": [[1]]}))
    code, out, err = run(capsys, ["solve", "conv2d", "--params", str(path)])
    assert code == 2 and out == "" and "input:" in err and "1,000,000" in err


@pytest.mark.parametrize("argv, stdin, needle", [
    (["solve", "conv2d", "--input", "[[1,2]"], None, "input:"),
    (["solve", "conv2d", "--params", "-"], "not json", "params:"),
    (["solve", "conv2d", "--params", "-"], "[1, 2]", "params:"),
    (["solve", "conv2d", "--params", "/nonexistent/p.json"], None, "params:"),
    (["solve", "conv2d", "--nonsense", "1"], None, "--nonsense"),
    (["solve", "convolution"], None, "unknown kind"),
    (["frobnicate"], None, "no such command"),
])
def test_usage_errors(capsys, monkeypatch, argv, stdin, needle):
    code, out, err = run(capsys, argv, stdin if stdin is not None else "", monkeypatch)
    assert code == 2 and out == "" and err.count("\n") == 1 and needle in err


def test_installed_script_end_to_end():
    """The real process: JSON on stdin, JSON out; a bad call prints no traceback."""
    cmd = [sys.executable, "-m", "ncquiz", "solve", "conv2d", "--params", "-", "--json"]
    ok = subprocess.run(cmd, input=json.dumps(D2L), capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and json.loads(ok.stdout)["answer"] == [[19.0, 25.0], [37.0, 43.0]]
    bad = subprocess.run(cmd, input='{"input": [[1]], "kernel": [[1, 2]]}', capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stdout == "" and "Traceback" not in bad.stderr


@pytest.mark.parametrize("kind, params", [
    ("conv2d", {"input": [[1, 1e308], [3, 4]], "kernel": [[1e308]]}),
    ("conv-transpose2d", {"input": [[1e308, 1e308]], "kernel": [[1e308]]}),
])
def test_a_result_that_overflows_is_refused_not_printed_as_infinity(capsys, monkeypatch, kind, params):
    code, out, err = run(capsys, ["solve", kind, "--params", "-", "--json"], json.dumps(params), monkeypatch)
    assert code == 2 and out == "" and err.count("\n") == 1 and "overflows" in err
