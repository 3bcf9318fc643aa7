"""The start-up budget cannot rot: help paths must not import NumPy (or typer, for --help)."""

import subprocess
import sys

import pytest

from ncquiz.cli import COMMANDS, top_help

PROBE = """
import sys
from ncquiz.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
heavy = sorted(m for m in ("numpy", "typer", "rich", "jinja2") if m in sys.modules)
print("HEAVY=" + ",".join(heavy))
"""


def heavy_modules(argv):
    out = subprocess.run([sys.executable, "-c", PROBE.format(argv=argv)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1].removeprefix("HEAVY=").split(",")


@pytest.mark.parametrize("argv", [["--help"], [], ["--version"]])
def test_top_level_help_imports_nothing_heavy(argv):
    assert heavy_modules(argv) == [""]


@pytest.mark.parametrize("argv", [["solve", "--help"], ["solve", "conv2d", "--help"], ["solve", "lstm", "--help"]])
def test_solve_help_does_not_import_numpy(argv):
    assert "numpy" not in heavy_modules(argv)


def test_help_lists_every_command():
    text = top_help()
    for name, summary, _ in COMMANDS:
        assert f"  {name}" in text and summary in text


def test_typer_app_registers_exactly_the_listed_commands():
    from ncquiz.cli.app import build
    import typer

    group = typer.main.get_command(build())
    assert sorted(group.commands) == sorted(name for name, _, _ in COMMANDS)
