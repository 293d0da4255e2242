"""``medpay demo``: the main job on the bundled sample data, as a sequence of the same
``medpay`` commands a user would type (each is printed before it runs), so the demo
exercises exactly the code paths of the real commands and shows how to use them."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from addin.app.inputs import framework_paths
from addin.commands import build_parser
from addin.commands._common import (
    add_as_of,
    add_debug,
    add_force,
    add_pay_ranges,
    as_of_arg,
)
from addin.core.errors import OutputError
from addin.office.resources import samples_dir


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="run the main job on the bundled sample data into an output folder",
        description=(
            "Validate the shipped framework(s) and publish them as Word documents, run the "
            "MedPay team batch over the sample level-estimate workbooks in "
            "workbooks/samples/ (feedback per submission, consolidated workbook, CMT "
            "cost-monitoring report), cost one submission, generate application and "
            "appraisal forms, and write outcome letters from sample decisions dated just "
            "before the run date (--as-of, default today, written to OUT/decisions) - all "
            "into OUT. Each step is printed as the medpay command that does it."
        ),
    )
    p.add_argument("--out", type=Path, default=Path("demo-output"), metavar="DIR",
                   help="output folder (default: demo-output)")
    add_pay_ranges(p)
    add_as_of(p)
    add_force(p)
    add_debug(p)
    p.set_defaults(func=run)


def steps(out: Path, args: argparse.Namespace) -> list[tuple[str, list[str]]]:
    """The demo as (what it shows, medpay arguments) pairs."""
    common: list[str] = []
    if args.pay_ranges:
        common += ["--pay-ranges", str(args.pay_ranges)]
    dated = common + (["--as-of", args.as_of.isoformat()] if args.as_of else [])
    force = ["--force"] if args.force else []
    estimates = sorted(samples_dir().glob("*.xlsx"))
    plan: list[tuple[str, list[str]]] = []
    for fw in framework_paths(None):
        stem = fw.stem
        plan.append((f"check the {stem} framework against the CPF design rules (Appendix K)",
                     ["validate-framework", str(fw), "--feedback",
                      str(out / "frameworks" / f"{stem} findings.xlsx"), *force]))
        plan.append((f"publish the {stem} framework as a Word document",
                     ["render", "framework", str(fw), "--out",
                      str(out / "frameworks" / f"{stem}.docx"), *force]))
    plan.append(("validate, feed back and cost every sample submission; CMT report",
                 ["batch", str(samples_dir()), "--out", str(out / "batch"), *dated, *force]))
    if estimates:
        first = estimates[0]
        plan.append((f"cost one submission ({first.name}) into a workbook",
                     ["cost", str(first), "--out", str(out / "cost" / f"{first.stem} costs.xlsx"),
                      *dated, *force]))
        plan.append((f"generate application forms for the eligible staff in {first.name}",
                     ["forms", "application", "--estimates", str(first), "--out",
                      str(out / "forms" / "application"), *dated, *force]))
        plan.append((f"generate Initial Assessment forms for every employee in {first.name} "
                     "(Appendix K stage 9)",
                     ["forms", "initial-assessment", "--estimates", str(first), "--out",
                      str(out / "forms" / "initial-assessment"), *dated, *force]))
        plan.append((f"generate appraisal forms for {first.name}",
                     ["forms", "appraisal", "--estimates", str(first), "--out",
                      str(out / "forms" / "appraisal"), *dated, *force]))
    plan.append(("write outcome letters from the sample decisions",
                 ["letters", "--decisions", str(demo_decisions(out)), "--out",
                  str(out / "letters"), *dated, *force]))
    return plan


def demo_decisions(out: Path) -> Path:
    """The decisions workbook the demo writes for its letters (see :func:`run`)."""
    return out / "decisions" / "sample-decisions.xlsx"


def run(args: argparse.Namespace) -> int:
    from addin.office.xlsx.settings import read_pay_settings

    out: Path = args.out
    # A bad pay-ranges workbook would fail every step: say so once, before starting.
    read_pay_settings(args.pay_ranges)
    if out.exists() and any(out.iterdir()) and not args.force:
        raise OutputError("output folder is not empty", file=out,
                          hint="pass --force to refresh it, or choose another --out")
    out.mkdir(parents=True, exist_ok=True)
    # The shipped workbooks/decisions/sample-decisions.xlsx is dated for one day in 2025;
    # letters dated today from it would tell of a decision long past (an effective date
    # and next window moved on, and the 90-day warning). The demo writes the same sample
    # decisions dated just before its run date instead, so its letters are coherent on
    # any day it is run.
    from addin.office.xlsx.decisions import write_sample_decisions

    as_of = as_of_arg(args)
    decisions = write_sample_decisions(demo_decisions(out), as_of)
    print(f"\n== sample decisions for letters dated {as_of.isoformat()}: {decisions}", flush=True)
    parser = build_parser()
    failures = 0
    for what, argv in steps(out, args):
        print(f"\n== {what}\n$ medpay {shlex.join(argv)}", flush=True)
        sub_args = parser.parse_args(argv)
        try:
            status = int(sub_args.func(sub_args) or 0)
        except Exception as exc:  # one step failing must not hide the others
            from addin.core.errors import MedpayError

            if args.debug or not isinstance(exc, MedpayError):
                raise
            print(f"medpay: {exc.one_line()}", file=sys.stderr)
            status = exc.exit_status
        sys.stdout.flush()
        if status == 1:
            print("(findings reported above: that is the demo working, not failing)")
        elif status >= 2:
            failures += 1
    print(f"\nDemo outputs are in {out.resolve()}")
    return 2 if failures else 0
