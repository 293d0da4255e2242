"""The annotated copy of an estimates workbook (``validate-estimates --feedback`` and the
ribbon's Validate estimates): every cell at fault coloured with its comment, a Findings
sheet, and the Eligible / Reasons / Effective date columns, through the shared writer
:func:`addin.office.xlsx.feedback.write_feedback_copy` - one function, so the command
line and Excel give the same copy."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from addin.core.estimates_table import EstimatesRead
from addin.core.findings import Report
from addin.office.xlsx.estimates_feedback import eligibility_columns, feedback_source, report_rows
from addin.office.xlsx.feedback import write_feedback_copy


def feedback_columns(report: Report, sheet: str | None) -> dict[str, Any]:
    """The Eligible / Reasons / Effective date columns for the feedback copy
    (:func:`addin.office.xlsx.estimates_feedback.eligibility_columns`, as the batch writes them)."""
    if not sheet:
        return {}
    return {sheet: eligibility_columns(report_rows(report))}


def write_estimates_feedback(src: str | Path, out: str | Path, report: Report,
                             read: EstimatesRead, *, force: bool = False) -> Path:
    """Write the feedback copy of the estimates workbook ``src`` (validated into ``report``
    from ``read``) to ``out``. A workbook that is itself a feedback copy (MedPay's Eligible /
    Reasons / ... columns on its header row) is written from a copy without those columns,
    so they are replaced, not added a second time. Returns ``out``."""
    src, out = Path(src), Path(out)
    sheet = report.extra.get("sheet")
    header_row = report.extra.get("header_row") or 1
    with tempfile.TemporaryDirectory(prefix="medpay-") as tmp:
        # (the writer itself refuses an OUT that would replace FILE: it is given FILE then)
        same = out.resolve() == src.resolve()
        return write_feedback_copy(
            src if same else feedback_source(src, read, tmp), out,
            report.findings, force=force, extra_columns=feedback_columns(report, sheet),
            header_row={sheet: header_row} if sheet else 1,
        )
