"""``medpay framework ...``: commands over Career Progression Framework workbooks.

The ``framework`` group holds its own sub-commands; other modules add theirs through
:func:`subcommands` (``framework_subparsers = subcommands(sub)``) or by registering on
the ``framework`` parser this module creates. ``show`` lists a framework workbook's
metadata, roles, ranges and the criteria per level (Appendix H).
"""

from __future__ import annotations

import argparse
import sys
import textwrap

from addin.commands._common import add_debug, add_json, command_group, print_json
from addin.core.findings import Finding
from addin.core.model import CRITERIA, LEVELS, Framework
from addin.office.xlsx.frameworks import framework_to_dict, load_framework


def subcommands(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The ``framework`` group's sub-parsers (created once per top-level parser), so that
    other command modules can add ``medpay framework <their-command>``."""
    return command_group(
        sub, "framework",
        help="read and check Career Progression Framework workbooks",
        description="Commands over Career Progression Framework (CPF) workbooks in the "
                    "Appendix H layout.",
        metavar="SUBCOMMAND",
    )


def register(sub: argparse._SubParsersAction) -> None:
    group = subcommands(sub)
    show = group.add_parser(
        "show",
        help="list a framework's roles, ranges and criteria per level",
        description="List a framework workbook's name, job family, owner and version date, "
                    "then each role with its range and the criteria at levels A, B and C. "
                    "Structural problems found while reading are printed as warnings on "
                    "stderr; they do not fail 'show' (use the validation command to check).",
    )
    show.add_argument("path", metavar="PATH", help="framework workbook (.xlsx)")
    add_json(show)
    add_debug(show)
    show.set_defaults(func=run_show)


def run_show(args: argparse.Namespace) -> int:
    framework, findings = load_framework(args.path)
    for f in findings:
        print(f"medpay: warning: {_where(f)}: {f.code}: {f.message}", file=sys.stderr)
    if args.json:
        data = framework_to_dict(framework)
        data["findings"] = [f.to_json() for f in findings]
        print_json(data)
    else:
        sys.stdout.write(render_text(framework))
    return 0


def _where(f: Finding) -> str:
    where = f.file or ""
    if f.sheet:
        where += f" [{f.sheet}" + (f"!{f.cell}]" if f.cell else "]")
    return where


def render_text(fw: Framework, width: int = 100) -> str:
    """A readable listing: metadata, then role by role, level by level."""
    out: list[str] = [fw.name, "=" * len(fw.name)]
    out.append(f"Job family:   {fw.job_family or '-'}")
    out.append(f"Owner:        {fw.owner or '-'}")
    out.append(f"Version date: {fw.version_date.isoformat() if fw.version_date else '-'}")
    out.append(f"File:         {fw.source_file or '-'}")
    out.append(f"Roles:        {len(fw.roles)}")
    indent = " " * 8
    for role in fw.roles:
        out.append("")
        rng = f"Range {role.range}" if role.range is not None else (
            f"Range ? ({role.range_raw!r})" if role.range_raw not in (None, "") else "Range ?")
        head = f"{role.title} - {rng}"
        out.append(head)
        out.append("-" * len(head))
        out.append(f"  [{role.source.sheet}!{role.source.cell}]")
        for level in LEVELS:
            if level not in role.criteria:
                continue
            out.append(f"  Level {level.value} ({level.title})")
            for crit in CRITERIA:
                item = role.criteria[level].get(crit)
                if item is None:
                    continue
                out.append(f"    {crit.value} [{item.source.cell}]:")
                if not item.text:
                    out.append(f"{indent}(empty)")
                for line in item.text.split("\n"):
                    if line:
                        out.extend(textwrap.wrap(line, width, initial_indent=indent,
                                                 subsequent_indent=indent + ("  " if line.startswith("•") else "")))
    return "\n".join(out) + "\n"
