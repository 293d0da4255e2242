"""Argument helpers shared by every command, so each option means the same everywhere."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from addin.app.inputs import framework_paths
from addin.office.resources import default_pay_ranges


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def add_pay_ranges(p: argparse.ArgumentParser) -> None:
    p.add_argument("--pay-ranges", type=Path, default=None, metavar="FILE",
                   help=f"pay ranges and settings workbook (default: {default_pay_ranges()})")


def add_frameworks(p: argparse.ArgumentParser) -> None:
    p.add_argument("--framework", type=Path, action="append", default=None, metavar="FILE",
                   help="framework workbook; repeat for several "
                        "(default: every workbook in workbooks/frameworks/)")


def frameworks_arg(args: argparse.Namespace) -> list[Path]:
    return framework_paths(args.framework)


def add_as_of(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", type=iso_date, default=None, metavar="DATE",
                   help="the date to work as of, YYYY-MM-DD (default: today); makes every "
                        "date-dependent answer reproducible")


def as_of_arg(args: argparse.Namespace) -> dt.date:
    return args.as_of or dt.date.today()


def add_estimate_inputs(p: argparse.ArgumentParser, *, as_of: bool = True) -> None:
    """The inputs every job over level-estimate workbooks reads: ``--framework`` (repeatable),
    ``--pay-ranges`` and (unless ``as_of=False``) ``--as-of``."""
    add_frameworks(p)
    add_pay_ranges(p)
    if as_of:
        add_as_of(p)


def percent_arg(text: str) -> Decimal:
    """A percentage from 0 to 100, such as ``3``, ``2.5`` or ``2.5%``."""
    try:
        value = Decimal(text.strip().rstrip("%").strip())
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"expected a percentage such as 3 or 2.5, got {text!r}") from None
    if not value.is_finite() or value < 0 or value > 100:
        raise argparse.ArgumentTypeError(f"expected a percentage from 0 to 100, got {text!r}")
    return value


COLA_HELP = ("model a cost-of-living award of PCT%% raising every pay point (and current "
             "salary) from the Settings COLA date, 1 April (policy 8.1)")


def add_cola(p: argparse.ArgumentParser, help: str = COLA_HELP) -> None:
    """``--cola PCT``: a cost-of-living award to model (:func:`percent_arg`); default none."""
    p.add_argument("--cola", type=percent_arg, default=None, metavar="PCT", help=help)


def jobs_arg(text: str) -> int:
    """A number of worker processes; 0 means one per core."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of processes, got {text!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError("--jobs must be 0 (one per core) or more")
    return n or (os.cpu_count() or 1)


def add_jobs(p: argparse.ArgumentParser) -> None:
    # argparse passes a string default through jobs_arg: "0" is one process per core,
    # the fastest with no configuration (a run of a few files stays in this process)
    p.add_argument("--jobs", type=jobs_arg, default="0", metavar="N",
                   help="process files in N parallel processes (default 0: one per core; "
                        "1 runs everything in this process)")


def add_document_outputs(p: argparse.ArgumentParser, noun: str) -> None:
    """``--out DIR`` (required), ``--pdf`` and ``--templates DIR`` for a command that
    writes one Word document per person (``noun``: "form", "letter")."""
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help=f"folder for the {noun}s")
    p.add_argument("--pdf", action="store_true",
                   help=f"also write a PDF of each {noun} (needs LibreOffice)")
    p.add_argument("--templates", type=Path, default=None, metavar="DIR",
                   help="folder holding the Word templates (default: templates/)")


def command_group(sub: argparse._SubParsersAction, name: str, *, help: str, description: str,
                  metavar: str) -> argparse._SubParsersAction:
    """The sub-parsers of the command group ``medpay NAME ...`` (``render``, ``template``,
    ``framework``), created once per top-level parser whichever command module registers
    on it first; the chosen sub-command is in ``args.<name>_command``."""
    groups: dict[str, argparse._SubParsersAction] = sub.__dict__.setdefault("_medpay_groups", {})
    if name not in groups:
        parser = sub.add_parser(name, help=help, description=description)
        add_debug(parser)
        groups[name] = parser.add_subparsers(dest=f"{name}_command", metavar=metavar, required=True)
    return groups[name]


def add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")


def add_force(p: argparse.ArgumentParser) -> None:
    p.add_argument("--force", action="store_true", help="replace outputs that already exist")


def add_debug(p: argparse.ArgumentParser) -> None:
    """``--debug`` is accepted after the command name too (``medpay cost x --debug``)."""
    p.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)


def add_feedback(p: argparse.ArgumentParser, help: str) -> None:
    """``--feedback OUT.xlsx``: where to write the annotated copy (read with
    :func:`feedback_arg`, which refuses a name not ending .xlsx/.xlsm)."""
    p.add_argument("--feedback", type=Path, default=None, metavar="OUT.xlsx", help=help)


def feedback_arg(args: argparse.Namespace) -> Path | None:
    """The ``--feedback`` path, checked before any work is done: an OutputError (one line,
    exit 2) when it does not end .xlsx or .xlsm (``--feedback out.csv``)."""
    if args.feedback is None:
        return None
    from addin.office.xlsx.feedback import check_feedback_path

    return check_feedback_path(args.feedback)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
