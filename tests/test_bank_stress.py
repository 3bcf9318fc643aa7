"""Every family over many seeds: generates, renders, solves, deterministic, varied, never degenerate.

A failure names the family and the seed (`ncquiz show FAMILY --seed N --solution` shows it).
"""

import json

import numpy as np
import pytest

from ncquiz.bank import load_bank
from ncquiz.bank.generate import compiled
from ncquiz.bank.templating import base_context, run
from ncquiz.solvers import solve, to_json

SEEDS = range(200)
BANK = load_bank()
FAMILIES = BANK.families
IDS = [f.id for f in FAMILIES]


def test_the_built_in_bank_has_no_problems():
    assert BANK.problems == []


@pytest.mark.parametrize("family", FAMILIES, ids=IDS)
def test_family_over_many_seeds(family):
    c = compiled(family)
    for seed in SEEDS:
        where = f"{family.id} --seed {seed}"
        q = c.generate(seed)
        data = q.to_json()
        assert json.loads(json.dumps(data)) == data, where
        assert data["prompt"].strip() and data["solution"].strip(), where
        assert "\x00" not in data["prompt"] + data["solution"], where
        for part in q.parts:
            _check_part(part, where)


def _check_part(part, where):
    where = f"{where} part {part.label}"
    assert part.prompt or part.type in ("choice", "multi", "text"), where
    if part.type in ("integer", "number", "vector", "matrix", "shape"):
        value = np.asarray(part.answer, dtype=float)
        assert np.all(np.isfinite(value)), f"{where}: answer not finite"
        if part.type in ("vector", "matrix"):
            assert np.any(value != 0), f"{where}: all-zero answer"
        if part.type == "shape":
            assert value.size in (1, 3) and np.all(value >= 1), f"{where}: bad shape {part.answer}"
        assert part.steps or part.solution, f"{where}: no worked solution"
    if part.type in ("choice", "multi"):
        assert len(part.options) >= 2 and part.correct, where
        texts = [t for _, t in part.options]
        assert len(set(texts)) == len(texts), f"{where}: repeated option"
    if part.type == "text":
        assert part.model_answer and part.spec.rubric, where


@pytest.mark.parametrize("family", [f for f in FAMILIES if any(p.solver for p in f.parts)],
                         ids=[f.id for f in FAMILIES if any(p.solver for p in f.parts)])
def test_answers_equal_the_solver_on_the_published_params(family):
    """The JSON params (as published) fed to `ncquiz solve`'s function give the published answers."""
    c = compiled(family)
    for seed in range(0, 200, 10):
        q = c.generate(seed)
        data = json.loads(json.dumps(q.to_json()))
        ctx = {**base_context(), **data["params"], "answers": {}, "results": {}}
        for part, published in zip(family.parts, data["parts"]):
            if not part.solver:
                ctx["answers"][part.label] = q.part(part.label).answer
                continue
            args = {k: run(e, k, ctx) for k, e in c.parts[part.label]["args"].items()}
            result = solve(part.solver, json.loads(json.dumps(to_json(args))))
            answer = run(c.parts[part.label]["answer"], "answer", {**ctx, "result": result.answer})
            np.testing.assert_allclose(np.asarray(answer, dtype=float), np.asarray(published["answer"], dtype=float),
                                       rtol=1e-12, atol=1e-12, err_msg=f"{family.id} --seed {seed} part {part.label}")
            ctx["answers"][part.label] = q.part(part.label).answer
            ctx["results"][part.label] = result.answer


@pytest.mark.parametrize("family", FAMILIES, ids=IDS)
def test_same_seed_same_json(family):
    for seed in (0, 1, 12345, 2**32 - 1):
        a = json.dumps(compiled(family).generate(seed).to_json())
        b = json.dumps(compiled(family).generate(seed).to_json())
        assert a == b, f"{family.id} --seed {seed}"


@pytest.mark.parametrize("family", FAMILIES, ids=IDS)
def test_variety(family):
    """Numeric families give many different variants; choice options move around."""
    qs = [compiled(family).generate(seed) for seed in range(50)]
    if family.numeric:
        distinct = {json.dumps(q.to_json()["params"]) for q in qs}
        assert len(distinct) >= 20, f"{family.id}: only {len(distinct)} distinct variants in 50 seeds"
    for label in (p.label for p in family.parts if p.type == "choice"):
        positions = {q.part(label).correct[0] for q in qs}
        assert len(positions) >= 2, f"{family.id} part {label}: the correct option is always ({positions.pop()})"
