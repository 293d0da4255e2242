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
    from addin.core.form_context import letter_date_warnings
    from addin.office.docx.forms import generate_letters
    from addin.office.xlsx.decisions import read_decisions
    from addin.office.xlsx.frameworks import read_frameworks
    from addin.office.xlsx.settings import read_pay_settings

    pay = read_pay_settings(args.pay_ranges)
    decisions = read_decisions(args.decisions)
    frameworks = read_frameworks(frameworks_arg(args))
    as_of = as_of_arg(args)
    for d in decisions:
        for message in letter_date_warnings(d, as_of):
            print(f"medpay: warning: {d.file} [{d.sheet}!{d.decision_date_cell}]: {message}",
                  file=sys.stderr)
    made = generate_letters(decisions, frameworks=frameworks, pay=pay, as_of=as_of,
                            out_dir=args.out, force=args.force, pdf=args.pdf, templates=args.templates)
    print(f"{len(made)} letter(s) written to {args.out}")
    return 0
