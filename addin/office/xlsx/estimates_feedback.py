"""The columns MedPay adds to a level-estimate feedback copy, in one place.

``medpay validate-estimates --feedback`` and the batch (:mod:`addin.batch.run`) both append
Eligible / Reasons / Effective date (policy 7.22, 7.28, 2.2; 7.16/7.20 for the date) to
the manager's sheet through the shared writer (:func:`addin.office.xlsx.feedback.write_feedback_copy`);
:func:`eligibility_columns` builds them for both. The effective date is a real date cell,
not text.

A manager may send back the feedback copy itself, corrected. The reader skips the
columns MedPay wrote (:data:`addin.core.estimates_table.OUTPUT_HEADERS`, where every
header is declared once), and
:func:`without_output_columns` gives the writer a copy of the workbook without them
(:func:`feedback_source`, for validate-estimates and the batch alike), so validating it
again replaces them rather than adding a second set.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from addin.core.cells import col_letter
from addin.core.eligibility import Eligible
from addin.core.estimates_table import EFFECTIVE_DATE, ELIGIBLE, REASONS
from addin.office.xlsx.estimates import sheet_xml_path
from addin.office.xlsx.feedback import ColumnStyle


def eligible_text(ok: object) -> str | None:
    """What the Eligible column shows: "Yes", "No" or "Manager to decide (6.16)" (an
    :class:`addin.core.eligibility.Eligible`, its value, or a bool); None for None."""
    if ok is None:
        return None
    if isinstance(ok, Eligible):
        return ok.value
    if isinstance(ok, str):
        return Eligible(ok).value
    return "Yes" if ok else "No"


NO_PAY_CHANGE = ("May apply to progress; no effective date because the estimated level is "
                 "not above the current level, so no pay change would follow (7.16)")
"""The Reasons cell of a "Yes" row with no Effective date: an effective date is given
only for an eligible row estimated above its current level (7.16/7.20: the pay change
applies from the next 1 January or 1 July), so a blank date next to "Yes" says why."""

REASONS_STYLE = ColumnStyle(width=60, wrap=True)
"""The Reasons column is wide and wraps, each row tall enough to show every reason."""


def eligibility_columns(
    rows: Iterable[tuple[int, object, Sequence[str], dt.date | None]],
) -> list[tuple[Any, ...]]:
    """``[(header, {row number: value}[, style])]`` for Eligible ("Yes"/"No"/"Manager to
    decide (6.16)": :func:`eligible_text`), Reasons (joined with "; ", wrapped:
    :data:`REASONS_STYLE`) and Effective date (a date) from ``(row, eligible, reasons,
    effective)``. A row with eligible None, no reasons or no date leaves that cell
    blank, except a "Yes" with no date, whose Reasons say why (:data:`NO_PAY_CHANGE`)."""
    eligible: dict[int, Any] = {}
    reasons: dict[int, Any] = {}
    effective: dict[int, Any] = {}
    for row, ok, why, date in rows:
        shown = eligible_text(ok) if ok is not None else None
        if shown is not None:
            eligible[row] = shown
        if why:
            reasons[row] = "; ".join(why)
        elif shown == Eligible.YES.value and date is None:
            reasons[row] = NO_PAY_CHANGE
        if date is not None:
            effective[row] = date
    return [(ELIGIBLE, eligible), (REASONS, reasons, REASONS_STYLE),
            (EFFECTIVE_DATE, effective)]


def report_rows(report) -> list[tuple[int, object, Sequence[str], dt.date | None]]:
    """:func:`eligibility_columns` input from a validation report's ``extra["rows"]``
    (its ``status`` - yes, no or manager to decide - when it has one)."""
    return [(r["row"], r.get("status", r["eligible"]), r["reasons"],
             dt.date.fromisoformat(r["effective_date"]) if r["effective_date"] else None)
            for r in report.extra.get("rows", [])]


_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>.*?</(?:\w+:)?c>)", re.DOTALL)
_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')


def without_output_columns(src: Path, read, dest: Path) -> bool:
    """Write to ``dest`` a copy of ``src`` whose data sheet has no cells in MedPay's own
    feedback columns (``read.output_columns``, at and below the header row); every other
    part is copied byte for byte. Returns False (nothing written) when there are none or
    the sheet's part cannot be found - the writer then works from ``src`` as it is."""
    cols = {col_letter(c).encode() for c in read.output_columns.values()}
    if not cols or not read.sheet or read.header_row is None:
        return False
    first = read.header_row

    def keep(m: re.Match) -> bytes:
        ref = _REF.search(m.group(1))
        if ref and ref.group(1) in cols and int(ref.group(2)) >= first:
            return b""
        return m.group(0)

    with zipfile.ZipFile(src) as zin:
        member = sheet_xml_path(zin, read.sheet)
        if member is None or member not in zin.namelist():
            return False
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                data = zin.read(item)
                if item.filename == member:
                    data = _CELL.sub(keep, data)
                zout.writestr(item, data)
    return True


def feedback_source(src: str | Path, read, tmp: str | Path) -> Path:
    """The workbook the feedback writer annotates: ``src`` itself or, when ``src`` is a
    feedback copy sent back (MedPay's columns on its header row: ``read.output_columns``,
    with ``read.sheet`` and ``read.header_row``), a copy of it in the folder ``tmp``
    without them (:func:`without_output_columns`), so that writing the columns again
    replaces them rather than adding a second set. ``validate-estimates --feedback`` and
    the batch both go through here."""
    src = Path(src)
    stripped = Path(tmp) / src.name
    return stripped if without_output_columns(src, read, stripped) else src


__all__ = ["NO_PAY_CHANGE", "REASONS_STYLE", "eligibility_columns", "eligible_text", "feedback_source", "report_rows",
           "without_output_columns"]
