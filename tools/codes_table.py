"""The tables of finding codes and framework rules in docs/reference/finding-codes.md,
generated from the codes' declarations (written by ``scripts/gen_docs`` through
:mod:`tools.docs_gen`)."""

from __future__ import annotations

import importlib
import pkgutil

from addin.core.findings import iter_codes, iter_reasons


def import_all_checkers() -> None:
    """Import every module of the package so every ``declare`` call has run."""
    import addin

    for info in pkgutil.walk_packages(addin.__path__, prefix="addin."):
        if info.name.startswith("addin.excel") or info.name.endswith("__main__"):
            continue  # the xlwings layer declares no codes; importing it needs Excel on some OSes
        importlib.import_module(info.name)


def codes_markdown() -> str:
    import_all_checkers()
    lines = ["| code | severity | title | description | message template | policy |",
             "| --- | --- | --- | --- | --- | --- |"]
    for d in iter_codes():
        if d.group == "test":
            continue  # codes declared by the test-suite itself
        tmpl = d.template.replace("|", "\\|")
        lines.append(f"| `{d.code}` | {d.severity.value} | {d.title} | {d.description} | {tmpl} | {d.policy} |")
    return "\n".join(lines)


def framework_rules_markdown() -> str:
    """The table of framework validation rules, in the order the ``framework``
    checker runs them, from the same declarations (description, code, severity, policy)
    as the codes table, so the two cannot disagree."""
    from addin.rules.framework_checks import FRAMEWORK

    lines = ["| rule | code | severity | policy |", "| --- | --- | --- | --- |"]
    for d in FRAMEWORK.codes():
        rule = d.description.rstrip(".").replace("|", "\\|")
        lines.append(f"| {rule} | `{d.code}` | {d.severity.value} | {d.policy} |")
    return "\n".join(lines)


def eligibility_reasons_markdown() -> str:
    """The README's table of eligibility reasons (the Reasons column of the estimates
    feedback and reports), from their declarations in ``addin.core.eligibility``: the
    rule each encodes, its title, message template(s) and policy."""
    import_all_checkers()
    lines = ["| code | title | rule | message template | policy |",
             "| --- | --- | --- | --- | --- |"]
    for d in iter_reasons():
        tmpl = "<br>".join(t for _, t in d.templates).replace("|", "\\|")
        rule = d.description.replace("|", "\\|")
        lines.append(f"| `{d.code}` | {d.title} | {rule} | {tmpl} | {d.policy} |")
    return "\n".join(lines)
