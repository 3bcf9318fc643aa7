"""Every solver kind against golden answers computed by PyTorch (float64).

The golden file is written by tests/golden/make_golden.py, run with a Python that has PyTorch:
    /work/torchvenv/bin/python tests/golden/make_golden.py
This test needs no PyTorch: it only reads the JSON.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from ncquiz.solvers import solve, to_json
from ncquiz.solvers.spec import KINDS

GOLDEN = Path(__file__).parent / "golden" / "solve_golden.json"
CASES = json.loads(GOLDEN.read_text())
RTOL, ATOL = 1e-9, 1e-12


def _ids():
    seen: dict[str, int] = {}
    ids = []
    for case in CASES:
        n = seen.get(case["kind"], 0)
        seen[case["kind"]] = n + 1
        ids.append(f"{case['kind']}-{n}")
    return ids


def mismatches(got, want, rtol, atol, path="answer"):
    """Every place where got differs from want (structure, int-ness, or value)."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{path}: expected an object with keys {sorted(want)}, got {type(got).__name__}"]
        if set(got) != set(want):
            return [f"{path}: expected keys {sorted(want)}, got {sorted(got)}"]
        return [m for k in want for m in mismatches(got[k], want[k], rtol, atol, f"{path}[{k!r}]")]
    if isinstance(want, list):
        if not isinstance(got, list):
            return [f"{path}: expected a list of {len(want)}, got {_show(got)}"]
        if len(got) != len(want):
            return [f"{path}: expected a list of {len(want)}, got a list of {len(got)}"]
        return [m for i, (g, w) in enumerate(zip(got, want)) for m in mismatches(g, w, rtol, atol, f"{path}[{i}]")]
    if isinstance(want, str):
        return [] if got == want else [f"{path}: expected {want!r}, got {got!r}"]
    if isinstance(want, bool) or isinstance(got, bool):
        return [] if got is want else [f"{path}: expected {want!r}, got {got!r}"]
    if isinstance(want, int):
        if not isinstance(got, int):
            return [f"{path}: expected the integer {want}, got {_show(got)}"]
        return [] if got == want else [f"{path}: expected {want}, got {got}"]
    if isinstance(want, float):
        if not isinstance(got, (int, float)) or not math.isfinite(got):
            return [f"{path}: expected the number {want!r}, got {_show(got)}"]
        if abs(got - want) <= atol + rtol * abs(want):
            return []
        return [f"{path}: expected {want!r}, got {got!r} (difference {got - want:.3g})"]
    raise AssertionError(f"{path}: unexpected golden value {want!r}")


def _show(x):
    if isinstance(x, list):
        return f"a list of {len(x)}"
    return repr(x)


@pytest.mark.parametrize("case", CASES, ids=_ids())
def test_matches_pytorch(case):
    answer = to_json(solve(case["kind"], case["params"]).answer)
    json.dumps(answer, allow_nan=False)  # the answer must be plain JSON
    bad = mismatches(answer, case["answer"], case.get("rtol", RTOL), ATOL)
    assert not bad, f"{case['kind']} {json.dumps(case['params'])}:\n" + "\n".join(bad[:10])


def test_golden_covers_every_kind():
    assert set(KINDS) - {c["kind"] for c in CASES} == set()


def test_golden_params_are_spec_params():
    for case in CASES:
        names = {p.name for p in KINDS[case["kind"]].params}
        assert set(case["params"]) <= names, case


def test_comparison_can_fail():
    assert mismatches([1.0, 2.0], [1.0, 2.0 + 1e-6], RTOL, ATOL)
    assert mismatches(3.0, 3, RTOL, ATOL)  # an int answer must be an int
    assert mismatches({"h": [[1.0]]}, {"h": [[1.0]], "y": [[1.0]]}, RTOL, ATOL)
    assert mismatches([[1.0]], [1.0], RTOL, ATOL)
    assert mismatches({"layer": "conv 6 5x5"}, {"layer": "conv 6 3x3"}, RTOL, ATOL)
    assert not mismatches([[1.0, 1e-13]], [[1.0, 0.0]], RTOL, ATOL)
