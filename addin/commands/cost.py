"""``medpay cost FILE``: cost the pay changes in a manager's level-estimate workbook.

Glue only: :func:`addin.app.cost.cost_workbook` reads the rows and :mod:`addin.core.costing`
costs them (7.14 pay points, salary honouring, employer on-costs, 7.16/7.20 effective
dates, in-year cost to 31 March, optional COLA), :mod:`addin.office.xlsx.cost_report` writes the
workbook.
"""

from __future__ import annotations

import argparse
import sys

from addin.commands._common import (
    add_cola,
    add_debug,
    add_estimate_inputs,
    add_force,
    add_json,
    as_of_arg,
    frameworks_arg,
    print_json,
)
from addin.core.costing import CostRow
from addin.core.money import format_amount, format_gbp


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "cost",
        help="cost the pay changes in a level-estimate workbook",
        description="Cost every row of a manager's level-estimate workbook: new salary = the "
                    "pay point of the range at the estimated level (7.14), salary honoured "
                    "when that is lower, employer NI (marginal, above the secondary "
                    "threshold), pension and apprenticeship levy on the increase, the "
                    "effective date (1 January / 1 July, never backdated) and the cost to "
                    "31 March. Rows lacking salary, FTE, range or estimated level are "
                    "listed as not costed.",
    )
    p.add_argument("file", metavar="FILE", help="level-estimate workbook (.xlsx)")
    add_estimate_inputs(p)
    add_cola(p)
    add_json(p)
    p.add_argument("--out", metavar="REPORT.xlsx", default=None,
                   help="also write a formatted workbook: costed rows, totals and a chart of "
                        "cost by directorate")
    add_force(p)
    add_debug(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from addin.app.cost import cost_workbook

    as_of = as_of_arg(args)
    if args.out:
        from pathlib import Path

        from addin.office.safeio import check_writable
        check_writable(Path(args.out), force=args.force)  # fail before any work
    run_ = cost_workbook(args.file, framework_paths=frameworks_arg(args),
                         pay_ranges=args.pay_ranges, as_of=as_of, cola=args.cola)
    rows, sums = run_.rows, run_.totals
    skipped = [n.to_json() for n in run_.not_costed]
    if args.out:
        from addin.office.xlsx.cost_report import write_cost_report
        write_cost_report(args.out, rows, sums, as_of=as_of, cola=args.cola, source=args.file,
                          estimates=[est for est, _ in run_.costed], force=args.force)
    if args.json:
        print_json({"file": str(args.file), "as_of": as_of.isoformat(),
                    "cola": str(args.cola) if args.cola is not None else None,
                    "rows": [r.to_json() for r in rows], "not_costed": skipped,
                    "totals": sums.to_json()})
    else:
        sys.stdout.write(render_text(rows, skipped, sums))
        if args.out:
            sys.stdout.write(f"Wrote {args.out}\n")
    return 0


def render_text(rows: list[CostRow], skipped: list[dict[str, object]], sums) -> str:
    out = [f"{'Employee':<12} {'Current':>11} {'New':>11} {'Effective':>10} "
           f"{'Full year':>11} {'In year':>11}  Note"]
    for r in rows:
        out.append(f"{r.employee_id:<12} {format_amount(r.current_salary):>11} "
                   f"{format_amount(r.new_salary):>11} {r.effective_date.isoformat():>10} "
                   f"{format_amount(r.full_year_cost):>11} {format_amount(r.in_year_cost):>11}"
                   f"  {'salary honoured' if r.honoured else ''}".rstrip())
    o = sums.overall
    out.append(f"Total: {o.rows} costed ({o.increases} pay rise(s), {o.no_change} no change, "
               f"{o.honoured} honoured); full year "
               f"{format_gbp(o.full_year_cost)}, in year {format_gbp(o.in_year_cost)}")
    for s in skipped:
        out.append(f"Not costed: row {s['row']} ({s['employee_id'] or 'no ID'}): {s['reason']}")
    return "\n".join(out) + "\n"
