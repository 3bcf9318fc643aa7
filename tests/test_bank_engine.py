"""The bank engine: variant codes, drawing, the sandbox, reading and checking bank files."""

import textwrap

import numpy as np
import pytest

from ncquiz.bank import Bank, load_bank
from ncquiz.bank.check import check_directories
from ncquiz.bank.codes import ALPHABET, CodeError, decode, encode, family_tag
from ncquiz.bank.draw import Drawer
from ncquiz.bank.templating import ENV, BankTemplateError, base_context, expression, reflow, run, template

# ---------------------------------------------------------------- codes


@pytest.mark.parametrize("seed", [0, 1, 42, 999_999, 2**32 - 1])
def test_codes_round_trip(seed):
    tag = family_tag("conv-basic")
    code = encode(tag, seed)
    assert len(code) == 14 and code.count("-") == 2
    assert decode(code) == (tag, seed)
    assert decode(code.lower().replace("-", " ")) == (tag, seed)


def test_code_typing_is_forgiving_about_o_i_l():
    code = encode(family_tag("conv-basic"), 10)
    assert decode(code.replace("0", "o").replace("1", "l")) == decode(code)


def test_every_single_typo_and_neighbour_swap_is_caught():
    body = encode(family_tag("rnn-scalar-steps"), 123456).replace("-", "")
    for i in range(len(body)):
        for ch in ALPHABET:
            if ch != body[i]:
                with pytest.raises(CodeError):
                    decode(body[:i] + ch + body[i + 1:])
        if i + 1 < len(body) and body[i] != body[i + 1]:
            with pytest.raises(CodeError):
                decode(body[:i] + body[i + 1] + body[i] + body[i + 2:])


@pytest.mark.parametrize("bad", ["", "1234", "3FS2-G000-00U7", "3FS2-G000-007!"])
def test_malformed_codes(bad):
    with pytest.raises(CodeError):
        decode(bad)


def test_seed_out_of_range():
    with pytest.raises(CodeError):
        encode(1, 2**32)


# ---------------------------------------------------------------- drawing


def draw(specs, seed=0):
    ctx = base_context()
    Drawer("t", specs).draw(np.random.default_rng(seed), ctx)
    return ctx


def test_draw_kinds_and_ranges():
    specs = {
        "n": {"int": [3, 5]},
        "x": {"real": [-1, 1], "dp": 1, "nonzero": True},
        "m": {"matrix": ["n", "n"], "int": [0, 30], "distinct": True},
        "v": {"vector": 4, "int": [-2, 2], "exclude": [0, 1]},
        "c": {"choice": ["tanh", "relu"]},
        "s": {"sample": [1, 2, 3, 4], "k": 2},
        "e": {"expr": "n * 2"},
    }
    for seed in range(100):
        ctx = draw(specs, seed)
        assert 3 <= ctx["n"] <= 5 and isinstance(ctx["n"], int)
        assert ctx["x"] != 0 and -1 <= ctx["x"] <= 1 and round(ctx["x"], 1) == ctx["x"]
        assert ctx["m"].shape == (ctx["n"], ctx["n"]) and len(set(ctx["m"].ravel())) == ctx["n"] ** 2
        assert set(ctx["v"]) <= {-2, -1, 2}
        assert ctx["c"] in ("tanh", "relu")
        assert len(set(ctx["s"])) == 2
        assert ctx["e"] == 2 * ctx["n"]


def test_draw_is_deterministic_and_seed_dependent():
    specs = {"m": {"matrix": [3, 3], "real": [-1, 1], "dp": 2}}
    assert np.array_equal(draw(specs, 7)["m"], draw(specs, 7)["m"])
    assert not np.array_equal(draw(specs, 7)["m"], draw(specs, 8)["m"])


def test_impossible_draws_are_reported():
    with pytest.raises(BankTemplateError, match="distinct"):
        draw({"m": {"matrix": [3, 3], "int": [0, 3], "distinct": True}})
    with pytest.raises(BankTemplateError, match="excluded"):
        draw({"x": {"int": [0, 0], "nonzero": True}})


# ---------------------------------------------------------------- sandbox


@pytest.mark.parametrize("source", [
    "().__class__.__bases__[0].__subclasses__()",
    "m.tofile('/tmp/ncquiz-pwned')",
    "m.dump('/tmp/ncquiz-pwned')",
    "9 ** 9 ** 9 ** 9",
    "'x' * 10 ** 9",
    "range(10 ** 9) | list",
    "cycler.__init__.__globals__",
])
def test_bank_expressions_cannot_run_code_or_exhaust_memory(source, tmp_path):
    with pytest.raises(BankTemplateError):
        run(expression(source, "e"), "e", {**base_context(), "m": np.zeros(2)})


def test_undefined_names_are_errors():
    with pytest.raises(BankTemplateError, match="undefined"):
        run(template("{{ nope }}", "t"), "t", base_context())


def test_reflow_joins_paragraph_lines():
    assert reflow("a\nb\n\nc") == "a b\n\nc"
    assert reflow("- one\n- two") == "- one\n- two"


def test_environment_is_sandboxed():
    from jinja2.sandbox import SandboxedEnvironment

    assert isinstance(ENV, SandboxedEnvironment)


# ---------------------------------------------------------------- bank files

GOOD = """
id = "{id}"
topic = "cnn.shapes"
title = "Output size"
difficulty = 1
prompt = "An input of size {{{{ n }}}} meets a kernel of size {{{{ k }}}}."

[params]
n = {{ int = [6, 9] }}
k = {{ int = [2, 3] }}

[[parts]]
label = "a"
type = "integer"
marks = 1
prompt = "Output size?"
solver = "output-size"
args = {{ size = "n", kernel = "k" }}
"""


def write(directory, name, text):
    path = directory / f"{name}.toml"
    path.write_text(textwrap.dedent(text))
    return path


def test_a_good_family_checks_clean(tmp_path):
    write(tmp_path, "size-one", GOOD.format(id="size-one"))
    families, problems = check_directories([tmp_path])
    assert problems == [] and [f.id for f in families] == ["size-one"]


BROKEN = {
    "unknown topic": ('topic = "cnn.shapes"', 'topic = "cnn.shape"', "topic", "unknown topic"),
    "unknown solver": ('solver = "output-size"', 'solver = "outputsize"', "parts.a.solver", "unknown solver"),
    "template syntax": ('prompt = "Output size?"', 'prompt = "Output {{ size"', "parts.a.prompt", "syntax"),
    "undefined variable": ('prompt = "Output size?"', 'prompt = "Output {{ sise }}?"', "parts.a.prompt", "'sise' is undefined"),
    "undefined in expression": ('args = { size = "n", kernel = "k" }', 'args = { size = "nn", kernel = "k" }',
                                "parts.a.args.size", "'nn' is undefined"),
    "marks not summing": ('difficulty = 1', 'difficulty = 1\nmarks = 3', "marks", "sum to 1"),
    "unknown field": ('difficulty = 1', 'difficulty = 1\ndifficult = 2', "difficult", "unknown field"),
    "bad argument": ('args = { size = "n", kernel = "k" }', 'args = { size = "n", kernal = "k" }',
                     "parts.a.args.kernal", "not a parameter"),
    "missing rule": ('type = "integer"', 'type = "number"', "parts.a.rule", "marking rule"),
    "id not the file name": ('id = "broken"', 'id = "other"', "id", "file name"),
    "bad difficulty": ('difficulty = 1', 'difficulty = 5', "difficulty", "1, 2 or 3"),
    "not TOML": ('difficulty = 1', 'difficulty = = 1', "(file)", "TOML"),
}


@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_bank_check_names_file_field_and_problem(tmp_path, case):
    old, new, field, message = BROKEN[case]
    text = GOOD.format(id="broken")
    assert old in text
    write(tmp_path, "broken", text.replace(old, new, 1))
    write(tmp_path, "fine", GOOD.format(id="fine"))
    families, problems = check_directories([tmp_path])
    assert [f.id for f in families] == ["fine"]  # the good file is still read
    assert problems, case
    assert all("broken.toml" in p.file for p in problems)
    assert any(p.field == field and message in p.message for p in problems), [str(p) for p in problems]


def test_duplicate_ids_across_directories(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    write(tmp_path / "one", "same", GOOD.format(id="same"))
    write(tmp_path / "two", "same", GOOD.format(id="same"))
    families, problems = check_directories([tmp_path / "one", tmp_path / "two"])
    assert len(families) == 1 and any("also the id" in p.message for p in problems)


# ---------------------------------------------------------------- the bank


def test_resolve_by_id_and_code():
    bank = load_bank()
    family = bank.families[0]
    code = bank.variant(family.id, 77).code
    assert bank.resolve(code) == (family, 77)
    assert bank.resolve(family.id, 77) == (family, 77)
    assert bank.variant(code).to_json() == bank.variant(family.id, 77).to_json()


def test_unknown_family_suggests_close_ids():
    bank = load_bank()
    with pytest.raises(Exception, match="did you mean conv-basic"):
        bank.resolve("conv-basci")


def test_select_by_area_topic_and_difficulty():
    bank = load_bank()
    cnn = bank.select(["cnn"])
    assert cnn and all(f.topic.startswith("cnn.") for f in cnn)
    assert all(f.difficulty == 1 for f in bank.select(None, 1))
    with pytest.raises(Exception, match="unknown topic"):
        bank.select(["cnns"])


def test_instructor_bank_is_added(tmp_path, monkeypatch):
    write(tmp_path, "my-family", GOOD.format(id="my-family"))
    monkeypatch.setenv("NCQUIZ_BANK", str(tmp_path))
    bank = load_bank()
    assert bank.get("my-family").id == "my-family"
    assert isinstance(bank, Bank)


@pytest.mark.parametrize("dp", [1, 2, 3])
def test_drawn_decimals_are_already_rounded(dp):
    """The drawer writes a real drawn with dp places as k / 10**dp without np.round: that double is
    what rounding to dp places gives, for every k a bank can draw (ranges of at most a million steps)."""
    k = np.arange(-1_000_000, 1_000_001)
    x = k / 10**dp
    assert np.array_equal(x, np.round(x, dp))


FAST_SPECS = {
    "n": {"int": [4, 6]},
    "z": {"int": [-3, 3], "nonzero": True},
    "e": {"int": [0, 9], "exclude": [2, 5]},
    "r": {"real": [-1, 1], "dp": 1, "nonzero": True},
    "q": {"real": [0.05, 0.95], "dp": 2, "exclude": [0.5]},
    "m": {"matrix": ["n", "n - 1"], "int": [-2, 2]},
    "v": {"vector": "n", "real": [-0.5, 0.5], "dp": 1},
    "t": {"tensor": [2, 2, 3], "int": [0, 4], "exclude": [1]},
    "w": {"matrix": [2, 2], "real": [1000, 1001], "dp": 3},
}


@pytest.mark.parametrize("seed", range(25))
def test_fast_draws_equal_the_general_way(seed):
    """Parameters with literal bounds are drawn by precompiled functions; they must give exactly what
    the general drawer gives from the same generator (same values, types, shapes, and stream)."""
    fast = Drawer("t", FAST_SPECS)
    general = Drawer("t", FAST_SPECS)
    general._steps = [(name, general._general(name, spec)) for name, spec in FAST_SPECS.items()]
    assert all(fast._fixed(name, spec) is not None for name, spec in FAST_SPECS.items())
    a, b = base_context(), base_context()
    rng_a, rng_b = np.random.default_rng(seed), np.random.default_rng(seed)
    fast.draw(rng_a, a)
    general.draw(rng_b, b)
    for name in FAST_SPECS:
        assert type(a[name]) is type(b[name]) and np.array_equal(a[name], b[name]), name
        assert np.shape(a[name]) == np.shape(b[name]) and np.asarray(a[name]).dtype == np.asarray(b[name]).dtype
    assert rng_a.integers(2**62) == rng_b.integers(2**62)  # both consumed the stream alike


def test_variants_are_the_ones_released():
    """Every family's variants for a few seeds, fingerprinted by an earlier version
    (tests/golden/make_variant_hashes.py): a code printed on a worksheet must keep giving the
    same question, answers and solution. Rewrite the file only when a family is meant to change."""
    import importlib.util
    import json
    from pathlib import Path

    golden_dir = Path(__file__).parent / "golden"
    spec = importlib.util.spec_from_file_location("make_variant_hashes", golden_dir / "make_variant_hashes.py")
    maker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(maker)
    golden = json.loads((golden_dir / "variant_hashes.json").read_text())
    families = {f.id: f for f in load_bank().families}
    changed = [key for key, want in golden.items()
               if maker.fingerprint(families[key.rsplit("/", 1)[0]], int(key.rsplit("/", 1)[1])) != want]
    assert not changed, f"variants changed: {changed[:10]}"
    assert len(golden) >= 5 * len(families)


@pytest.mark.parametrize("source", ["plain", "two\nlines\n", "ends\n\n", "a %} b", "- x\n- y", "", "\n",
                                    "tab\there\f"])
def test_static_templates_render_as_jinja2_does(source):
    """Templates without jinja2 syntax are kept as text: the same text jinja2 would render."""
    assert run(template(source, "t"), "t", base_context()) == ENV.from_string(source).render()
