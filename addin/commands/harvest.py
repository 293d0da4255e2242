"""``medpay harvest``: read every filled form in a folder back into one workbook."""

from __future__ import annotations

import argparse
from pathlib import Path

from addin.commands._common import add_debug, add_force, add_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "harvest",
        help="read filled Word forms back into a workbook (one row per form, one column per field)",
        description=(
            "Read every filled form in DIR and its subfolders: one row per form, one column "
            "per answer field (its tag), plus the file name and form type, one sheet per form "
            "type and a Problems sheet. Forms whose fields lost their tags or that were edited "
            "outside the fields are reported by name; files that are not forms are reported "
            "and skipped. Exit status: 0 no errors, 1 problems found, 2 unreadable input."
        ),
    )
    p.add_argument("folder", type=Path, metavar="DIR", help="folder of filled forms")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx", help="the workbook to write")
    add_json(p)
    add_force(p)
    add_debug(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import sys

    from addin.commands._common import print_json
    from addin.office.docx.harvest import harvest, write_harvest

    result = harvest(args.folder)
    write_harvest(result, args.out, force=args.force)
    if args.json:
        print_json(result.to_json())
    else:
        print(f"{len(result.forms)} form(s) read from {args.folder} into {args.out}")
        for f in result.findings:
            print(f"  {f.severity.value:<7}  {f.code:<24}  {f.file}: {f.message}", file=sys.stdout)
    return 1 if any(f.is_error for f in result.findings) else 0
