"""Generate the README's table of finding codes from their declarations."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

from addin.core.findings import iter_codes, iter_reasons

BEGIN = "<!-- BEGIN codes -->"
END = "<!-- END codes -->"
RULES_BEGIN = "<!-- BEGIN framework-rules -->"
RULES_END = "<!-- END framework-rules -->"
REASONS_BEGIN = "<!-- BEGIN eligibility-reasons -->"
REASONS_END = "<!-- END eligibility-reasons -->"


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
    """The README's table of framework validation rules, in the order the ``framework``
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


def _replace_block(text: str, begin: str, end: str, body: str) -> str:
    block = f"{begin}\n{body}\n{end}"
    return re.sub(re.escape(begin) + r".*?" + re.escape(end), lambda _m: block, text, flags=re.S)


def update_readme(readme: Path) -> bool:
    """Rewrite the codes block, the framework rules block and the eligibility reasons
    block; return True when the file changed."""
    text = readme.read_text(encoding="utf-8")
    new = _replace_block(text, BEGIN, END, codes_markdown())
    new = _replace_block(new, RULES_BEGIN, RULES_END, framework_rules_markdown())
    new = _replace_block(new, REASONS_BEGIN, REASONS_END, eligibility_reasons_markdown())
    if new != text:
        readme.write_text(new, encoding="utf-8")
        return True
    return False
