"""Read the decisions workbook that ``medpay letters`` turns into outcome letters.

Format (docs/reference/workbooks.md, *Decisions workbook*; sample ``workbooks/decisions/sample-decisions.xlsx``): the first
sheet, a header row within the first 10 rows, one row per decision. Headers match
ignoring case, spacing and punctuation:

=====================  ========  ==========================================================
header                 required  value
=====================  ========  ==========================================================
Employee ID            yes       text
Employee name          yes       text
Job title                        text (finds the framework role for a declined letter)
Framework                        framework name, as in the framework workbook
Range                  yes       2-8
Decision               yes       Approved or Declined
Decision date          yes       date (with Date submitted, sets the effective date)
Current level                    A/B/C or "3A"
Requested level        yes       A/B/C or "3B": the new level (approved) / the level asked for
Areas to develop                 declined: criteria not yet met, e.g. "Knowledge; Skills"
                                 (blank = all four)
Feedback                         declined: a sentence or two for the letter
Appeal to                        declined: to whom to appeal (default: Head of Service or
                                 Grandparent manager, 7.24)
Signed by                        who signs the letter
Date submitted                   when the request was submitted (default: decision date;
                                 sets the effective date and the next window)
Team                             text
=====================  ========  ==========================================================

Anything wrong in a row is an :class:`InputError` naming the file, sheet and cell.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from addin.core import parsing
from addin.core.cells import a1
from addin.core.errors import InputError
from addin.core.form_context import APPROVED, DECLINED, Decision
from addin.core.model import CRITERIA, Criterion
from addin.core.text import clean_text, norm_key
from addin.office.xlsx.safe import load_workbook, used_rows

HEADERS: dict[str, str] = {
    "employee_id": "Employee ID",
    "employee_name": "Employee name",
    "job_title": "Job title",
    "framework": "Framework",
    "range": "Range",
    "decision": "Decision",
    "decision_date": "Decision date",
    "current_level": "Current level",
    "new_level": "Requested level",
    "areas": "Areas to develop",
    "feedback": "Feedback",
    "appeal_to": "Appeal to",
    "signatory": "Signed by",
    "submitted": "Date submitted",
    "team": "Team",
}
ALIASES = {"new level": "new_level", "level": "new_level", "outcome": "decision",
           "name": "employee_name", "emp id": "employee_id", "grade": "range"}
REQUIRED = ("employee_id", "employee_name", "range", "decision", "decision_date", "new_level")


def _field(header: object) -> str | None:
    key = norm_key(header)
    for f, h in HEADERS.items():
        if norm_key(h) == key:
            return f
    for alias, f in ALIASES.items():
        if norm_key(alias) == key:
            return f
    return None


def parse_areas(text: str) -> list[Criterion]:
    """'Knowledge; Skills' -> [Knowledge, Skills] (any separator; order kept)."""
    out: list[Criterion] = []
    for part in re.split(r"[;,/\n]+|\band\b", text):
        key = norm_key(part)
        if not key:
            continue
        match = [c for c in CRITERIA if norm_key(c.value).startswith(key[:4])]
        if not match:
            raise ValueError(f"expected criteria from Qualifications, Knowledge, Experience, Skills, got {part.strip()!r}")
        if match[0] not in out:
            out.append(match[0])
    return out


def read_decisions(path: str | Path) -> list[Decision]:
    wb = load_workbook(path, data_only=True)
    try:
        if not wb.worksheets:
            raise InputError("workbook has no worksheet, so it holds no decisions", file=path,
                             hint="use workbooks/decisions/sample-decisions.xlsx as the pattern")
        ws = wb.worksheets[0]
        # Only the cells really stored (never the claimed <dimension> nor ws.max_row):
        # a stray cell at XFD1048576 is refused by name instead of building the grid, and
        # every real row is read (the old cap at row 5,000 dropped later decisions unsaid).
        rows = used_rows(ws, file=path)
    finally:
        wb.close()
    header_idx, cols = None, {}
    for i, row in enumerate(rows[:10]):
        found = {f: c for c, v in enumerate(row) if (f := _field(v))}
        if len(found) >= 3:
            header_idx, cols = i, found
            break
    if header_idx is None:
        raise InputError("no header row with Employee ID, Employee name, Decision, ... in the first 10 rows",
                         file=path, sheet=ws.title, hint="use workbooks/decisions/sample-decisions.xlsx as the pattern")
    missing = [HEADERS[f] for f in REQUIRED if f not in cols]
    if missing:
        raise InputError(f"no column {', '.join(missing)}", file=path, sheet=ws.title,
                         hint="use workbooks/decisions/sample-decisions.xlsx as the pattern")
    out: list[Decision] = []
    for i in range(header_idx + 1, len(rows)):
        row = rows[i]
        r = i + 1
        if all(clean_text(v) == "" for v in row):
            continue

        # row and r are bound as defaults: each closure belongs to its own row (B023)
        def raw(f: str, row: tuple[object, ...] = row) -> object:
            c = cols.get(f)
            return row[c] if c is not None and c < len(row) else None

        def cell(f: str, r: int = r) -> str:
            return a1(r, cols[f] + 1)

        def need(f: str, conv):
            value = raw(f)
            if clean_text(value) == "":
                if f in REQUIRED:
                    raise InputError(f"{HEADERS[f]} is blank", file=path, sheet=ws.title, cell=cell(f))
                return None
            try:
                return conv(value)
            except ValueError as exc:
                raise InputError(f"{HEADERS[f]}: {exc}", file=path, sheet=ws.title, cell=cell(f)) from None

        def decision(value: object) -> str:
            key = norm_key(value)
            if key in ("approved", "approve", "yes"):
                return APPROVED
            if key in ("declined", "decline", "no", "notapproved", "rejected"):
                return DECLINED
            raise ValueError(f"expected Approved or Declined, got {clean_text(value)!r}")

        rng = need("range", parsing.parse_range)
        lvl_range, new_level = need("new_level", parsing.parse_level)
        cur = need("current_level", parsing.parse_level) if "current_level" in cols else None
        if lvl_range is not None and lvl_range != rng:
            raise InputError(f"Requested level {lvl_range}{new_level.value} is not in range {rng}",
                             file=path, sheet=ws.title, cell=cell("new_level"))
        out.append(Decision(
            employee_id=need("employee_id", clean_text),
            employee_name=need("employee_name", clean_text),
            decision=need("decision", decision),
            decision_date=need("decision_date", parsing.parse_date),
            range=rng,
            new_level=new_level,
            current_level=cur[1] if cur else None,
            job_title=clean_text(raw("job_title")),
            team=clean_text(raw("team")),
            framework=clean_text(raw("framework")),
            areas=(need("areas", lambda v: parse_areas(clean_text(v))) or []) if "areas" in cols else [],
            feedback=clean_text(raw("feedback")),
            appeal_to=clean_text(raw("appeal_to")),
            signatory=clean_text(raw("signatory")),
            submitted=need("submitted", parsing.parse_date) if "submitted" in cols else None,
            row=r,
            file=str(path),
            sheet=ws.title,
            decision_date_cell=cell("decision_date"),
        ))
    return out


SAMPLE_LETTER_DATE = dt.date(2025, 5, 22)
"""The letter date the shipped ``workbooks/decisions/sample-decisions.xlsx`` was dated for."""


def sample_decision_rows(letter_date: dt.date) -> list[list[object]]:
    """The sample decisions (one approved, one declined) in :data:`HEADERS` order, decided
    two days and one day before ``letter_date``: letters dated ``letter_date`` from them are
    coherent on any day (decided before the letter, well inside the 90-day warning)."""
    return [
        ["E1001", "Aisha Khan", "Business Support Officer", "Business and Executive Support",
         3, "Approved", letter_date - dt.timedelta(days=2), "3A", "B", "", "", "",
         "Jo Bloggs, Head of Service"],
        ["E1002", "Seán O'Brien", "Business Support Officer", "Business and Executive Support",
         3, "Declined", letter_date - dt.timedelta(days=1), "3B", "C", "Knowledge; Skills",
         "Lead a small project end to end before reapplying.", "Head of Service", "Jo Bloggs"],
    ]


def write_sample_decisions(path: Path, letter_date: dt.date = SAMPLE_LETTER_DATE) -> Path:
    """A decisions workbook of :func:`sample_decision_rows` for letters dated
    ``letter_date`` (the shipped sample is this for :data:`SAMPLE_LETTER_DATE`; ``medpay
    demo`` writes one for its run date)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Decisions"
    ws.append(list(HEADERS.values()))
    for values in sample_decision_rows(letter_date):
        ws.append(values)
    for col in "ABCDEFGHIJKLM":
        ws.column_dimensions[col].width = 22
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
