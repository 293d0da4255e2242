"""``medpay letters``: outcome letters (approved / declined) from a decisions workbook."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from addin.commands._common import (
    add_debug,
    add_document_outputs,
    add_estimate_inputs,
    add_force,
    as_of_arg,
    frameworks_arg,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "letters",
        help="write approved/declined outcome letters from a decisions workbook",
        description=(
            "Write one Word letter per row of a decisions workbook (format in "
            "docs/reference/workbooks.md; sample workbooks/decisions/sample-decisions.xlsx). Approved: new level, "
            "new salary and effective date (policy 7.19-7.20: the first January/July change "
            "whose deadline is on or after both the submission and the decision, never "
            "before the letter's date). Declined: areas to develop from the framework, the "
            "next window still open on the letter's date and the appeal deadline (7.21, "
            "7.24-7.25). Letters are dated --as-of (default today); a decision dated long before "
            "the letter date, or after it, is warned about on stderr."
        ),
    )
    p.add_argument("--decisions", type=Path, required=True, metavar="FILE",
                   help="the decisions workbook (.xlsx)")
    add_estimate_inputs(p)
    add_document_outputs(p, "letter")
    add_force(p)
    add_debug(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from addin.app.letters import letters_from_decisions

    done = letters_from_decisions(args.decisions, out_dir=args.out,
                                  framework_paths=frameworks_arg(args), pay_ranges=args.pay_ranges,
                                  as_of=as_of_arg(args), force=args.force, pdf=args.pdf,
                                  templates=args.templates)
    for warning in done.warnings:
        print(f"medpay: warning: {warning}", file=sys.stderr)
    print(f"{len(done.letters)} letter(s) written to {args.out}")
    return 0
