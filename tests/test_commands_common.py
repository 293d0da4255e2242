"""The shared command plumbing in addin/commands/_common.py: one parser per option, so
``--cola``, ``--jobs``, the estimate inputs and the document outputs mean the same in
every command that takes them, and a command group is created once."""

from __future__ import annotations

import argparse
import os
from decimal import Decimal
from pathlib import Path

import pytest

from addin.commands import build_parser
from addin.commands._common import command_group, jobs_arg, percent_arg


@pytest.mark.parametrize("text, value", [("3", Decimal("3")), (" 2.5% ", Decimal("2.5")),
                                         ("0", Decimal("0")), ("100", Decimal("100"))])
def test_percent_accepts_0_to_100_with_or_without_a_percent_sign(text, value):
    assert percent_arg(text) == value


@pytest.mark.parametrize("text, message", [
    ("lots", "expected a percentage such as 3 or 2.5, got 'lots'"),
    ("101", "expected a percentage from 0 to 100, got '101'"),
    ("-1", "expected a percentage from 0 to 100, got '-1'"),
    ("NaN", "expected a percentage from 0 to 100, got 'NaN'"),
])
def test_percent_refuses_what_is_not_a_percentage(text, message):
    with pytest.raises(argparse.ArgumentTypeError, match=f"^{message}$"):
        percent_arg(text)


def test_jobs_zero_means_one_per_core_and_negative_is_refused():
    assert jobs_arg("3") == 3
    assert jobs_arg("0") == (os.cpu_count() or 1)
    with pytest.raises(argparse.ArgumentTypeError, match="whole number of processes, got 'x'"):
        jobs_arg("x")
    with pytest.raises(argparse.ArgumentTypeError, match="0 \\(one per core\\) or more"):
        jobs_arg("-1")


def test_cola_parses_the_same_in_batch_and_cost():
    parser = build_parser()
    batch = parser.parse_args(["batch", "inbox", "--out", "o", "--cola", "2.5%", "--jobs", "2"])
    cost = parser.parse_args(["cost", "f.xlsx", "--cola", "2.5%"])
    assert batch.cola == cost.cola == Decimal("2.5")
    assert batch.jobs == 2


@pytest.mark.parametrize("argv", [
    ["forms", "appraisal", "--estimates", "e.xlsx"],
    ["letters", "--decisions", "d.xlsx"],
])
def test_document_commands_share_inputs_and_outputs(argv):
    args = build_parser().parse_args([*argv, "--framework", "a.xlsx", "--framework", "b.xlsx",
                                      "--pay-ranges", "p.xlsx", "--as-of", "2025-01-31",
                                      "--out", "dir", "--pdf", "--templates", "t"])
    assert args.framework == [Path("a.xlsx"), Path("b.xlsx")]
    assert (args.pay_ranges, args.out, args.pdf, args.templates) == (
        Path("p.xlsx"), Path("dir"), True, Path("t"))
    assert args.as_of.isoformat() == "2025-01-31"


def test_command_group_is_created_once_and_shared_by_every_module_adding_to_it():
    parser = argparse.ArgumentParser(prog="medpay")
    sub = parser.add_subparsers(dest="command")
    first = command_group(sub, "render", help="h", description="d", metavar="DOCUMENT")
    again = command_group(sub, "render", help="other", description="other", metavar="X")
    assert first is again
    first.add_parser("one")
    again.add_parser("two")
    assert list(sub.choices) == ["render"]
    assert parser.parse_args(["render", "two"]).render_command == "two"
    # template framework (template_framework.py) and template estimates (template.py)
    # land in one group of the real CLI
    real = build_parser()
    assert real.parse_args(["template", "framework", "--out", "x.xlsx"]).template_command == "framework"
    assert real.parse_args(["template", "estimates", "--out", "x.xlsx"]).template_command == "estimates"
