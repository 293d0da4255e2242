"""``medpay validate-framework FILE``: check a framework workbook against the CPF rules.

Exit status 0 when there are no errors (warnings allowed), 1 when there are errors, 2 when
the file cannot be read. ``--json`` prints one object (file, findings, summary);
otherwise a table grouped by sheet. ``--feedback OUT.xlsx`` writes an annotated copy
(comments, severity fills, a Findings sheet); the input is never modified.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from addin.commands._common import (
    add_debug,
    add_feedback,
    add_force,
    add_json,
    feedback_arg,
    print_json,
)


def vague_words_arg(text: str) -> list[str]:
    words = [w.strip() for w in text.split(",") if w.strip()]
    if not words and text.strip():
        raise argparse.ArgumentTypeError("expected a comma-separated list of words")
    return words


def register(sub: argparse._SubParsersAction) -> None:
    from addin.rules.framework_checks import DEFAULT_VAGUE_WORDS

    p = sub.add_parser(
        "validate-framework",
        help="check a framework workbook against the CPF design rules (Appendix K)",
        description=(
            "Check a Career Progression Framework workbook (Appendix H layout) against the "
            "policy's 'Designing CPFs' rules: structure, empty cells, ranges, duplicate "
            "roles, vague words, repeated text, timeframes, 'working towards', the Range 3/4 "
            "GCSE requirement, mandatory training and time-at-level references. Exit status "
            "0 no errors, 1 errors found, 2 file unreadable."
        ),
    )
    p.add_argument("file", type=Path, metavar="FILE", help="framework workbook (.xlsx)")
    add_json(p)
    add_feedback(p, help="also write an annotated copy: each finding as a cell comment with "
                         "a fill by severity, plus a Findings sheet (the input is not "
                         "modified); the name must end .xlsx or .xlsm")
    p.add_argument("--vague-words", type=vague_words_arg, default=None, metavar="LIST",
                   help="comma-separated words to flag as open to interpretation, replacing "
                        f"the default list ({', '.join(DEFAULT_VAGUE_WORDS)}); '' for none")
    add_force(p)
    add_debug(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from addin.app.validate import validate_framework
    from addin.office.xlsx.feedback import write_feedback_copy

    feedback = feedback_arg(args)
    report = validate_framework(args.file, vague_words=args.vague_words)
    if feedback is not None:
        out = write_feedback_copy(args.file, feedback, report.findings, force=args.force)
        if not args.json:
            print(f"feedback copy written: {out}", file=sys.stderr)
    if args.json:
        print_json(report.to_json())
    else:
        print(report.to_text())
    return report.exit_status
