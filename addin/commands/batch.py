"""``medpay batch INBOX --out DIR``: the MedPay team's run over every submission."""

from __future__ import annotations

import argparse
import os
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

from addin.commands._common import (
    add_as_of,
    add_debug,
    add_force,
    add_frameworks,
    add_pay_ranges,
    as_of_arg,
    frameworks_arg,
)


def _cola(text: str) -> Decimal:
    try:
        value = Decimal(text.strip().rstrip("%"))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"expected a percentage such as 2.5, got {text!r}") from None
    if not value.is_finite() or value < 0 or value > 100:
        raise argparse.ArgumentTypeError(f"expected a percentage from 0 to 100, got {text!r}")
    return value


def _jobs(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of processes, got {text!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError("--jobs must be 0 (one per core) or more")
    return n or (os.cpu_count() or 1)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "batch",
        help="validate, feed back and cost every submitted estimates workbook; "
             "write the CMT cost-monitoring report",
        description=(
            "Read every .xlsx/.xlsm under INBOX (recursively), validate and cost each "
            "submission, and write into DIR: feedback/<submission>.xlsx (annotated copy per "
            "submission), consolidated.xlsx (every row, eligibility, effective date, cost; "
            "employee IDs found in two submissions flagged), cmt-report.xlsx (the monthly "
            "cost-monitoring report for CMT, policy Appendix K stages 8-9) and summary.json. "
            "A file that cannot be read is listed in summary.json with its reason and the "
            "run goes on. Reruns reuse the results of unchanged files (DIR/.medpay-cache). "
            "Exit status 0 when every submission was read without errors, 1 otherwise, "
            "2 when the run itself could not start."
        ),
    )
    p.add_argument("inbox", type=Path, metavar="INBOX", help="folder of submitted workbooks")
    add_frameworks(p)
    add_pay_ranges(p)
    add_as_of(p)
    p.add_argument("--cola", type=_cola, default=None, metavar="PCT",
                   help="cost-of-living award in percent (for example 2.5), applied to every "
                        "pay point from the Settings' COLA date (policy 8.1)")
    p.add_argument("--jobs", type=_jobs, default=1, metavar="N",
                   help="process files in N parallel processes (0 = one per core; default 1)")
    p.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="output folder (created when missing)")
    add_force(p)
    add_debug(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from addin.batch import BatchConfig, run_batch

    cfg = BatchConfig(
        inbox=args.inbox,
        out=args.out,
        frameworks=tuple(frameworks_arg(args)),
        pay_ranges=args.pay_ranges,
        as_of=as_of_arg(args),
        cola=args.cola,
        jobs=args.jobs,
        force=args.force,
    )
    outcome = run_batch(cfg)
    s = outcome.summary
    print(
        f"{s['files_read']} file(s): {s['files_ok']} ok, {s['files_with_errors']} with errors, "
        f"{s['files_unreadable']} unreadable; {s['rows']} row(s), {s['errors']} error(s), "
        f"{s['warnings']} warning(s), {s['eligible']} eligible; full-year cost "
        f"£{s['costs']['full_year']}, in-year £{s['costs']['in_year']}"
    )
    print(f"reused {outcome.reused} unchanged file(s) from the cache, processed "
          f"{outcome.redone}; {outcome.seconds:.1f}s; outputs in {args.out}")
    print("time: " + ", ".join(f"{k} {v:.1f}s" for k, v in outcome.phases.items()))
    for f in s["files"]:
        if f["status"] == "unreadable":
            print(f"unreadable: {f['reason']}", file=sys.stderr)
    return outcome.exit_status
