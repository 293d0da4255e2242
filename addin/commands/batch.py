"""``medpay batch INBOX --out DIR``: the MedPay team's run over every submission."""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from pathlib import Path

from addin.commands._common import (
    add_cola,
    add_debug,
    add_estimate_inputs,
    add_force,
    add_jobs,
    as_of_arg,
    frameworks_arg,
)


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
    add_estimate_inputs(p)
    add_cola(p, help="cost-of-living award in percent (for example 2.5), applied to every "
                     "pay point from the Settings' COLA date (policy 8.1)")
    add_jobs(p)
    p.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="output folder (created when missing)")
    add_force(p)
    add_debug(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from addin.batch.run import BatchConfig, run_batch
    from addin.core.money import format_gbp

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
        f"{s['warnings']} warning(s); {s['pay_rises']} pay rise(s), {s['no_change']} no change, "
        f"{s['honoured']} honoured, {s['not_costable']} not costable, "
        f"{s['may_apply_to_progress']} may apply to progress; full-year cost "
        f"{format_gbp(Decimal(s['costs']['full_year']))}, "
        f"in-year {format_gbp(Decimal(s['costs']['in_year']))}"
    )
    print(f"reused {outcome.reused} unchanged file(s) from the cache, processed "
          f"{outcome.redone}; {outcome.seconds:.1f}s; outputs in {args.out}")
    print("time: " + ", ".join(f"{k} {v:.1f}s" for k, v in outcome.phases.items()))
    for f in s["files"]:
        if f["status"] == "unreadable":
            print(f"unreadable: {f['reason']}", file=sys.stderr)
    return outcome.exit_status
