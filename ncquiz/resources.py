"""Where the data directories shipped with ncquiz (templates/, question_bank/) are."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The directory `name`: inside the installed package, else beside it in a source checkout."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"ncquiz's {name}/ directory is missing from {_PACKAGE}; reinstall ncquiz")
