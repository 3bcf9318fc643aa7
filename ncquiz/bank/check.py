"""`ncquiz bank check`: everything that can be wrong with a bank directory, file by file.

Beyond what reading a file finds (unknown fields, topics and solvers, bad rules, marks that do
not add up), every template and expression is compiled, every name they use must be defined
(statically, so a branch taken by few variants is checked too), and each family generates a
few variants, which catches mistakes that only show when the values are there.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import meta

from ncquiz.bank.generate import compiled
from ncquiz.bank.load import Problem, read_bank
from ncquiz.bank.model import Family
from ncquiz.bank.templating import ENV, BankTemplateError, FUNCTIONS

CHECK_SEEDS = range(5)


def check_directories(directories: list[Path], seeds=CHECK_SEEDS) -> tuple[list[Family], list[Problem]]:
    """The good families and every problem in the directories."""
    families, problems = read_bank(directories)
    good = []
    for family in families:
        found = check_family(family, seeds)
        problems.extend(found)
        if not found:
            good.append(family)
    return good, problems


def check_family(family: Family, seeds=CHECK_SEEDS) -> list[Problem]:
    """Problems that need the templates compiled or a variant generated."""
    file = str(family.path)
    try:
        compiled(family)
    except BankTemplateError as exc:
        return [Problem(file, exc.field, exc.reason)]
    problems = [Problem(file, where, message) for where, message in _undefined_names(family)]
    if problems:
        return problems
    for seed in seeds:
        try:
            compiled(family).generate(seed)
        except BankTemplateError as exc:
            return [Problem(file, exc.field, f"{exc.reason} (seed {seed})")]
    return []


def _undefined_names(family: Family):
    """(field, message) for each name a template or expression uses that nothing defines."""
    params = list(family.params)
    known = set(FUNCTIONS) | {"answers", "results", "loop", "range", "true", "false", "none", "True", "False",
                              "None", "_blocks"}
    sources = [("prompt", family.prompt, params, True), ("solution", family.solution, params, True)]
    for name, spec in family.params.items():
        earlier = params[: params.index(name)]
        for key, value in spec.items():
            for item in (value if isinstance(value, list) and key != "choice" else [value]):
                if isinstance(item, str) and key not in ("choice", "shuffle", "sample"):
                    sources.append((f"params.{name}.{key}", item, earlier, False))
    sources += [(f"require[{i}]", r, params, False) for i, r in enumerate(family.require)]
    for p in family.parts:
        w = f"parts.{p.label}"
        sources += [(f"{w}.prompt", p.prompt, params, True), (f"{w}.hint", p.hint, params, True),
                    (f"{w}.solution", p.solution, params, True), (f"{w}.model_answer", p.model_answer, params, True)]
        sources += [(f"{w}.args.{k}", v, params, False) for k, v in p.args.items()]
        sources += [(f"{w}.options[{i}].text", o.text, params, True) for i, o in enumerate(p.options)]
        if isinstance(p.answer, str):
            sources.append((f"{w}.answer", p.answer, params + ["result"] * bool(p.solver), False))
        for i, m in enumerate(p.mistakes):
            sources += [(f"{w}.mistakes[{i}].args.{k}", v, params, False) for k, v in m.args.items()]
            if isinstance(m.answer, str):
                sources.append((f"{w}.mistakes[{i}].answer", m.answer, params + ["result"] * bool(p.solver), False))
    for where, source, names, is_template in sources:
        if not isinstance(source, str) or not source:
            continue
        ast = ENV.parse(source if is_template else "{{ " + source + " }}")
        for name in sorted(meta.find_undeclared_variables(ast) - known - set(names)):
            later = " (it is drawn later: parameters are drawn in order)" if name in params else ""
            yield where, f"'{name}' is undefined{later}"
