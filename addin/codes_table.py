"""Generate the README's table of finding codes from their declarations."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

from addin.findings import iter_codes

BEGIN = "<!-- BEGIN codes -->"
END = "<!-- END codes -->"


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


def update_readme(readme: Path) -> bool:
    """Rewrite the codes block; return True when the file changed."""
    text = readme.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{codes_markdown()}\n{END}"
    new = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _m: block, text, flags=re.S)
    if new != text:
        readme.write_text(new, encoding="utf-8")
        return True
    return False
