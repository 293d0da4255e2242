"""``medpay render ...``: Word documents generated from workbooks and templates/.

The ``render`` group holds one sub-command per document; other command modules add
theirs through :func:`subcommands` (``group = subcommands(sub)``), so the group is created
once whichever module registers first. ``framework`` publishes a framework workbook in
the CPF template layout (Appendix H) from ``templates/framework.docx``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from addin.commands._common import add_debug, add_force, command_group


def subcommands(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The ``render`` group's sub-parsers (created once per top-level parser)."""
    return command_group(
        sub, "render",
        help="write Word documents from workbooks (the published framework, ...)",
        description="Write a Word document from a workbook and a template in templates/ "
                    "that HR can restyle in Word.",
        metavar="DOCUMENT",
    )


def register(sub: argparse._SubParsersAction) -> None:
    group = subcommands(sub)
    p = group.add_parser(
        "framework",
        help="the published framework as a Word document (CPF template layout)",
        description="Write a framework workbook as a Word document: per role the title, "
                    "range, duties and the A/B/C grid as a table with a repeated header row, "
                    "from templates/framework.docx (restyle it in Word; keep its {{ ... }} "
                    "fields).",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="framework workbook (.xlsx)")
    p.add_argument("--out", type=Path, required=True, metavar="FRAMEWORK.docx",
                   help="where to write the Word document")
    p.add_argument("--template", type=Path, default=None, metavar="FILE.docx",
                   help="Word template to use (default: templates/framework.docx)")
    add_force(p)
    add_debug(p)
    p.set_defaults(func=run_framework)


def run_framework(args: argparse.Namespace) -> int:
    from addin.office.docx.framework_render import render_framework

    out = render_framework(args.file, args.out, template=args.template, force=args.force)
    print(f"Framework document written to {out}")
    return 0
