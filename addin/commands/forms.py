"""``medpay forms application|appraisal|pdp|initial-assessment``: one pre-filled, protected Word form per
employee in a level-estimate spreadsheet, and an index-<form>.xlsx of what was made."""

from __future__ import annotations

import argparse
from pathlib import Path

from addin.commands._common import (
    add_debug,
    add_document_outputs,
    add_estimate_inputs,
    add_force,
    as_of_arg,
    frameworks_arg,
)

KINDS = {
    "application": "Application for Career Progression (Appendix F), for each employee "
                   "eligible and estimated above their current level",
    "appraisal": "Performance Appraisal and Career Conversation form (Appendix B), for every employee",
    "pdp": "Personal development plan (Appendix D), for every employee",
    "initial-assessment": "Initial Assessment form (Appendix K, stage 9) recording the assessment "
                          "outcome, for every employee whose row has no error in the cells the "
                          "form prints",
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "forms",
        help="generate fillable, protected Word forms for each employee in an estimates workbook",
        description=(
            "Generate one pre-filled Word form per employee from a level-estimate spreadsheet. "
            "Answer fields are content controls; the document is protected so only they can be "
            "edited. Files are named '<employee id> <name> <form>.docx'; index-<form>.xlsx lists "
            "what was made and why anyone was skipped (so the forms of several kinds can share "
            "a folder). Read the filled forms back with 'medpay harvest'."
        ),
    )
    p.add_argument("kind", choices=sorted(KINDS), metavar="FORM",
                   help="; ".join(f"{k}: {v}" for k, v in KINDS.items()))
    p.add_argument("--estimates", type=Path, required=True, metavar="FILE",
                   help="the level-estimate workbook (.xlsx)")
    add_estimate_inputs(p)
    add_document_outputs(p, "form")
    add_force(p)
    add_debug(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from addin.office.docx.forms import forms_from_estimates, index_name

    made = forms_from_estimates(args.kind, args.estimates, framework_paths=frameworks_arg(args),
                                pay_ranges=args.pay_ranges, as_of=as_of_arg(args),
                                out_dir=args.out, force=args.force, pdf=args.pdf,
                                templates=args.templates)
    n = sum(1 for m in made if m.status == "made")
    print(f"{n} {args.kind} form(s) written to {args.out} "
          f"({len(made) - n} employee(s) skipped; see {index_name(args.kind)})")
    return 0
