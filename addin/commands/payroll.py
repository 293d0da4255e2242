"""``medpay payroll``: the pay changes for payroll and the outcomes for CMT (policy
Appendix K, stage 9). Glue only: :mod:`addin.app.payroll` reads, checks, computes and
writes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from addin.commands._common import (
    add_debug,
    add_estimate_inputs,
    add_force,
    add_json,
    as_of_arg,
    frameworks_arg,
    print_json,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "payroll",
        help="pay changes for payroll and assessment outcomes against the estimates for CMT",
        description=(
            "Read the level estimates and the filled Initial Assessment forms (a folder of "
            "forms, or the workbook `medpay harvest` wrote from it), and any approved "
            "progression decisions; write DIR/payroll-changes.xlsx and .csv (one row per pay "
            "change: an initial assessment from the first day of the month after the payroll "
            "cut-off that follows the manager's signature, an approved progression from "
            "1 January or 1 July; never backdated; honoured salaries recorded) and "
            "DIR/outcomes-vs-estimates.xlsx (estimated against assessed level, up/down/same, "
            "and the cost difference, for CMT). A form with a problem is reported by name and "
            "field and gets no row; the rest go on. Exit status: 0 no errors, 1 some form or "
            "decision kept out, 2 unreadable input."),
    )
    p.add_argument("--estimates", type=Path, required=True, metavar="FILE_OR_FOLDER",
                   help="a level-estimate workbook, or a folder of them")
    p.add_argument("--assessments", type=Path, required=True, metavar="FOLDER_OR_HARVEST.xlsx",
                   help="folder of filled Initial Assessment forms, or a harvest workbook")
    p.add_argument("--decisions", type=Path, default=None, metavar="FILE",
                   help="decisions workbook: approved progressions are paid from 1 January / 1 July")
    add_estimate_inputs(p)
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for the outputs")
    add_json(p)
    add_force(p)
    add_debug(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from addin.app.payroll import check_outputs, run_payroll, write_payroll

    check_outputs(args.out, force=args.force)  # fail before any work
    result = run_payroll(args.estimates, args.assessments, decisions=args.decisions,
                         pay_ranges=args.pay_ranges, framework_paths=frameworks_arg(args),
                         as_of=as_of_arg(args))
    written = write_payroll(result, args.out, force=args.force)
    if args.json:
        print_json({**result.to_json(), "outputs": [p.name for p in written]})
    else:
        for f in result.findings:
            where = "!".join(x for x in (f.file and Path(f.file).name, f.sheet, f.cell) if x)
            print(f"  {f.severity.value:<7}  {f.code:<26}  {where}: {f.message}")
        for p in written:
            print(f"Wrote {p}")
        print(result.summary())
    sys.stdout.flush()
    return 1 if any(f.is_error for f in result.findings) else 0
