"""`ncquiz solve KIND`: run one reference solver from flags or a JSON params object.

The options of each kind are generated from `ncquiz.solvers.spec`, so `--help` needs no
NumPy. Bad params end with one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

from ncquiz.solvers.spec import KINDS, Kind, Param

EXAMPLE = """examples:
  ncquiz solve conv2d --input '[[0,1,2],[3,4,5],[6,7,8]]' --kernel '[[0,1],[2,3]]'
  ncquiz solve output-size --size 32 --kernel 5 --stride 1 --padding 0
  echo '{"input": [[1,2],[3,4]], "kernel": [[1,0],[0,1]]}' | ncquiz solve conv2d --params - --json
"""


class UsageError(Exception):
    """A command-line mistake, reported in one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, but errors are one line and raise instead of exiting."""

    def error(self, message):
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _default_text(p: Param) -> str:
    if p.required:
        return "required"
    if p.default is None:
        return {"stride": "default: the window size"}.get(p.name, "optional")
    d = p.default
    if isinstance(d, bool):
        d = "true" if d else "false"
    elif isinstance(d, float) and d.is_integer():
        d = int(d)
    elif isinstance(d, tuple):
        d = json.dumps([int(x) if isinstance(x, float) and x.is_integer() else x for x in d])
    return f"default: {d}"


def _metavar(p: Param) -> str:
    return {
        "array": "JSON",
        "int": "INT",
        "pair": "INT|[R,C]",
        "number": "NUM",
        "bool": "true|false",
        "choice": "{" + ",".join(p.choices) + "}",
        "shape": "[H,W,C]",
        "strings": "JSON|TEXT",
        "range": "[LO,HI]",
    }[p.type]


def kind_parser(kind: Kind) -> _Parser:
    """The argument parser of `ncquiz solve KIND`."""
    parser = _Parser(
        prog=f"ncquiz solve {kind.name}",
        description=f"{kind.summary}.\n\nanswer: {kind.answer}",
        epilog="Arrays are JSON nested lists, e.g. '[[1,2],[3,4]]'. Flags override --params.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    group = parser.add_argument_group("parameters")
    for p in kind.params:
        extra = {"nargs": "?", "const": "true"} if p.type == "bool" else {}
        group.add_argument(p.flag, dest=p.name, metavar=_metavar(p), default=argparse.SUPPRESS,
                           help=f"{p.help} ({_default_text(p)})", **extra)
    parser.add_argument("--params", metavar="FILE|-", help="a JSON object of parameters, from a file or - for stdin")
    parser.add_argument("--json", action="store_true", help='print {"kind", "answer", "steps"} as JSON')
    return parser


def top_parser() -> _Parser:
    """The parser of `ncquiz solve` itself (only for its help)."""
    width = max(len(k) for k in KINDS)
    kinds = "\n".join(f"  {name.ljust(width)}  {k.summary}" for name, k in KINDS.items())
    return _Parser(
        prog="ncquiz solve",
        usage="ncquiz solve KIND [--PARAM VALUE ...] [--params FILE|-] [--json]",
        description="Compute a reference answer and its worked solution.\n\nkinds:\n" + kinds,
        epilog="Run `ncquiz solve KIND --help` for a kind's parameters and defaults.\n\n" + EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=True,
    )


def _read_params_object(source: str) -> dict:
    try:
        if source == "-":
            text = sys.stdin.read()
            where = "stdin"
        else:
            with open(source, encoding="utf-8") as fh:
                text = fh.read()
            where = source
    except OSError as exc:
        raise UsageError(f"params: cannot read {source}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UsageError(f"params: {source} is not UTF-8 text") from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"params: {where} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise UsageError(f"params: {where} is nested too deeply") from None
    if not isinstance(obj, dict):
        raise UsageError(f"params: expected a JSON object such as {{\"input\": [[1, 2], [3, 4]]}} in {where}")
    return obj


def _flag_value(p: Param, text: str):
    """A flag's text as a JSON value; plain words are kept as strings where a string is expected."""
    try:
        return json.loads(text)
    except RecursionError:
        raise UsageError(f"{p.name}: nested too deeply") from None
    except json.JSONDecodeError as exc:
        if p.type == "choice":
            return text
        if p.type == "bool" and text.lower() in ("true", "false", "yes", "no", "1", "0"):
            return text.lower() in ("true", "yes", "1")
        if p.type == "strings":
            return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
        raise UsageError(f"{p.name}: cannot read {text!r} as JSON ({exc.msg}); write arrays as e.g. [[1,2],[3,4]]") from None


def parse(argv: list[str]) -> tuple[str, dict, bool]:
    """(kind, raw params, want JSON) from the arguments after `solve`; raises UsageError."""
    if not argv or argv[0] in ("-h", "--help"):
        top_parser().print_help()
        raise SystemExit(0)
    name = argv[0]
    if name not in KINDS:
        import difflib

        close = difflib.get_close_matches(name, list(KINDS), n=1)
        hint = f"; did you mean {close[0]}?" if close else f"; kinds: {', '.join(KINDS)}"
        raise UsageError(f"unknown kind '{name}'{hint}")
    kind = KINDS[name]
    args = vars(kind_parser(kind).parse_args(argv[1:]))
    source, want_json = args.pop("params"), args.pop("json")
    raw = _read_params_object(source) if source else {}
    for key, text in args.items():
        raw[key] = _flag_value(kind.param(key), text)
    return name, raw, want_json


def _finite(value) -> bool:
    """No infinity or NaN anywhere in a JSON-like answer."""
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return not isinstance(value, float) or math.isfinite(value)


def main(argv: list[str]) -> int:
    """Run `ncquiz solve` with the arguments after `solve`."""
    try:
        name, raw, want_json = parse(argv)
        from ncquiz.errors import NcquizError
        from ncquiz.solvers import solve, to_json

        try:
            solution = solve(name, raw)
        except NcquizError as exc:
            raise UsageError(str(exc)) from None
        answer = to_json(solution.answer)
        if not _finite(answer):
            raise UsageError("the result is too large to represent (it overflows to infinity); use smaller numbers")
    except UsageError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    if want_json:
        out = {"kind": name, "answer": answer, "steps": list(solution.steps)}
        sys.stdout.write(json.dumps(out) + "\n")
    else:
        from ncquiz.render.terminal import console, print_solution

        print_solution(console(), name, solution)
    return 0
