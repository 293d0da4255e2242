"""Argument helpers shared by every command, so each option means the same everywhere."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from addin.paths import default_frameworks, default_pay_ranges


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
    return list(args.framework) if args.framework else default_frameworks()


def add_as_of(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", type=iso_date, default=None, metavar="DATE",
                   help="the date to work as of, YYYY-MM-DD (default: today); makes every "
                        "date-dependent answer reproducible")


def as_of_arg(args: argparse.Namespace) -> dt.date:
    return args.as_of or dt.date.today()


def add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")


def add_force(p: argparse.ArgumentParser) -> None:
    p.add_argument("--force", action="store_true", help="replace outputs that already exist")


def add_debug(p: argparse.ArgumentParser) -> None:
    """``--debug`` is accepted after the command name too (``medpay cost x --debug``)."""
    p.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
