"""Validate a file: read it into records (office layer), run the checkers over them
(rules layer) and give one :class:`~addin.core.findings.Report`. The command line, the
Excel ribbon and the batch call these, so a file is validated the same way everywhere."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from addin.app.inputs import load_frameworks_or_records, load_pay
from addin.core.estimates_table import EstimatesRead
from addin.core.findings import Report
from addin.core.model import Framework, PaySettings
from addin.office.xlsx.estimates import read_estimates
from addin.office.xlsx.frameworks import load_framework
from addin.rules.estimates_checks import EstimatesContext, check_estimates, eligibility_rows
from addin.rules.framework_checks import check_framework


def validate_framework(path: str | Path, *, vague_words: Sequence[str] | None = None) -> Report:
    """Read a framework workbook and check it: the reader's structural findings plus
    every rule above. Raises InputError (exit 2) when the file cannot be read at all."""
    fw, structural = load_framework(path)
    return Report(file=str(path), findings=[*structural, *check_framework(fw, vague_words=vague_words)])


def validate_estimates(
    path: str | Path,
    *,
    frameworks: Sequence[Framework | str | Path] | None = None,
    pay: PaySettings | None = None,
    as_of: dt.date | None = None,
    read: EstimatesRead | None = None,
) -> Report:
    """Read and check one estimates workbook; ``extra["rows"]`` gives eligibility per row
    and ``extra["sheet"]``/``extra["header_row"]`` where the table was found."""
    fws = load_frameworks_or_records(frameworks)
    if pay is None:
        pay = load_pay(None)
    ctx = EstimatesContext(frameworks=fws, pay=pay, as_of=as_of or dt.date.today())
    if read is None:
        read = read_estimates(path, frameworks=fws)
    findings = list(read.findings) + check_estimates(read, ctx)
    report = Report(file=str(path), findings=findings)
    report.extra["sheet"] = read.sheet
    report.extra["header_row"] = read.header_row
    report.extra["rows"] = eligibility_rows(read, ctx, findings) if read.rows else []
    return report
