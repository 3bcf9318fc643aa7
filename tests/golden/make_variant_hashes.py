"""Write tests/golden/variant_hashes.json: a fingerprint of every family's variants for a few seeds.

A variant is promised to be the same for the same seed, byte for byte, on any machine and in
later versions (printed worksheets and keys are rebuilt from their codes). The fingerprint is
the SHA-256 of `ncquiz generate FAMILY --seed N --json` (keys sorted), with every number written
to 10 significant digits: NumPy's exp and tanh may differ in the last bit between processors,
and such a difference is not a different question. Write it only when a change to a family is
meant to change its variants:

    .venv/bin/python tests/golden/make_variant_hashes.py
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ncquiz.bank import load_bank
from ncquiz.bank.generate import generate

OUT = Path(__file__).with_name("variant_hashes.json")
SEEDS = (0, 1, 2, 77, 4_000_000_000)


def _rounded(value):
    if isinstance(value, float):
        return float(f"{value:.10g}")
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def fingerprint(family, seed: int) -> str:
    text = json.dumps(_rounded(generate(family, seed).to_json()), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def main() -> None:
    hashes = {f"{f.id}/{seed}": fingerprint(f, seed) for f in load_bank().families for seed in SEEDS}
    OUT.write_text(json.dumps(hashes, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(hashes)} fingerprints to {OUT}")


if __name__ == "__main__":
    main()
