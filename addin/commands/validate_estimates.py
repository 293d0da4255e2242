"""``medpay validate-estimates``: check a manager's level-estimate spreadsheet.

Exit status 0 when there are no errors (warnings allowed), 1 when there are errors, 2 when
the file cannot be read at all - the same as ``validate-framework``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from addin.commands._common import (
    add_debug,
    add_estimate_inputs,
    add_feedback,
    add_force,
    add_json,
    as_of_arg,
    feedback_arg,
    frameworks_arg,
)
from addin.core.ukdates import uk_date

FEEDBACK_COLUMNS = ("Eligible", "Reasons", "Effective date")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate-estimates",
        help="check a level-estimate spreadsheet and give each row's eligibility",
        description=(
            "Read a manager's level-estimate spreadsheet (policy Appendix K, stage 8), report "
            "every problem at its cell, and give each employee's eligibility for progression "
            "(policy 7.22, 7.28, 2.2) with every reason and the date a pay change would take "
            "effect. Exit status: 0 no errors, 1 errors found, 2 file unreadable."
        ),
    )
    p.add_argument("file", type=Path, metavar="FILE", help="the level-estimate workbook (.xlsx)")
    add_estimate_inputs(p)
    add_json(p)
    add_feedback(p, help="write a copy of FILE with a comment and fill on every cell at fault, "
                         "a Findings sheet, and Eligible / Reasons / Effective date columns "
                         "(the name must end .xlsx or .xlsm)")
    add_force(p)
    add_debug(p)
    p.set_defaults(func=run)


def _write_feedback(src: Path, out: Path, report, read, *, force: bool) -> None:
    """The feedback copy: :func:`addin.app.feedback.write_estimates_feedback` (the ribbon's
    Validate estimates writes the same)."""
    from addin.app.feedback import write_estimates_feedback

    write_estimates_feedback(src, out, report, read, force=force)


def _uk(iso: str) -> str:
    """An ISO date of the report's JSON as dd/mm/yyyy (:func:`addin.core.ukdates.uk_date`)."""
    return uk_date(dt.date.fromisoformat(iso))


def run(args: argparse.Namespace) -> int:
    from addin.app.validate import validate_estimates
    from addin.commands._common import print_json
    from addin.office.xlsx.estimates import read_estimates
    from addin.office.xlsx.frameworks import read_frameworks
    from addin.office.xlsx.settings import read_pay_settings

    feedback = feedback_arg(args)
    pay = read_pay_settings(args.pay_ranges)
    frameworks = read_frameworks(frameworks_arg(args))
    read = read_estimates(args.file, frameworks=frameworks)
    report = validate_estimates(args.file, frameworks=frameworks, pay=pay, as_of=as_of_arg(args),
                                read=read)
    if feedback is not None:
        _write_feedback(Path(args.file), feedback, report, read, force=args.force)
        print(f"feedback copy written: {feedback}", file=sys.stderr)
    if args.json:
        print_json(report.to_json())
    else:
        print(report.to_text())
        rows = report.extra.get("rows", [])
        if rows:
            print("")
            print("Eligibility")
            for r in rows:
                state = ("eligible" if r["eligible"] else
                         "manager to decide (6.16)" if r.get("status") == "Manager to decide (6.16)"
                         else "not eligible")
                line = f"  row {r['row']:<4} {r['employee_id'] or '-':<12} {state}"
                if r["effective_date"]:
                    line += f", effective {_uk(r['effective_date'])}"
                if r["reasons"]:
                    line += ": " + "; ".join(r["reasons"])
                print(line)
    return report.exit_status
