"""``medpay template framework --out FILE.xlsx``: the blank framework authoring workbook.

Registers on the ``template`` group of :mod:`addin.commands.template` (the group other
templates, such as ``template estimates``, share).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from addin.commands._common import add_debug, add_force


def register(sub: argparse._SubParsersAction) -> None:
    from addin.commands.template import subcommands

    p = subcommands(sub).add_parser(
        "framework",
        help="a blank Career Progression Framework workbook to write in (Appendix H)",
        description="Write a blank framework authoring workbook in the Appendix H layout: "
                    "sheet 'CPF' with one example role and empty blocks for ranges 2-7 "
                    "(Range checked 2-8), a 'Framework' sheet for name, job family, owner "
                    "and version date, and an 'Instructions' sheet with the Appendix K "
                    "writing rules. Check it afterwards with 'medpay validate-framework'.",
    )
    p.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx",
                   help="where to write the workbook (.xlsx)")
    add_force(p)
    add_debug(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from addin.office.xlsx.framework_template import write_framework_template

    out = write_framework_template(args.out, force=args.force)
    print(f"Framework authoring workbook written to {out}")
    return 0
