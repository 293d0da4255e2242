"""``medpay template ...``: blank workbooks for people to fill in.

The ``template`` group holds one sub-command per template; other command modules add
theirs through :func:`subcommands` (``group = subcommands(sub)``), so the group is
created once whichever module registers first. ``estimates`` builds the level-estimate
spreadsheet managers fill in (policy Appendix K, stage 8).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from addin.commands._common import (
    add_debug,
    add_estimate_inputs,
    add_force,
    command_group,
    frameworks_arg,
)


def subcommands(sub: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The ``template`` group's sub-parsers (created once per top-level parser)."""
    return command_group(
        sub, "template",
        help="write blank workbooks to fill in (level estimates, frameworks)",
        description="Write a blank workbook to fill in, with drop-down lists, number "
                    "formats and an Instructions sheet.",
        metavar="TEMPLATE",
    )


def register(sub: argparse._SubParsersAction) -> None:
    group = subcommands(sub)
    p = group.add_parser(
        "estimates",
        help="the level-estimate spreadsheet managers fill in (Appendix K, stage 8)",
        description="Write the level-estimate spreadsheet: sheet 'Estimates' (an Excel table "
                    "with drop-downs of the frameworks' job titles, levels, Yes/No, appraisal "
                    "outcomes and contract types, and formula columns showing the pay point "
                    "for the current and estimated level), an 'Instructions' sheet and a "
                    "hidden 'Lists' sheet holding the lists and the pay ranges.",
    )
    add_estimate_inputs(p, as_of=False)
    p.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx",
                   help="where to write the template (.xlsx)")
    p.add_argument("--rows", type=int, default=200, metavar="N",
                   help="how many employee rows the table is prepared for (default 200)")
    add_force(p)
    add_debug(p)
    p.set_defaults(func=run_estimates)


def run_estimates(args: argparse.Namespace) -> int:
    from addin.office.xlsx.estimates_template import write_estimates_template
    from addin.office.xlsx.frameworks import read_frameworks
    from addin.office.xlsx.settings import read_pay_settings

    frameworks = read_frameworks(frameworks_arg(args))
    pay = read_pay_settings(args.pay_ranges)
    out = write_estimates_template(args.out, frameworks, pay, rows=args.rows, force=args.force)
    print(f"Level-estimate template written to {out}")
    return 0
