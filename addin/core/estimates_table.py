"""The level-estimate table (policy Appendix K, stage 8): its columns, the header texts
and aliases a manager's copy may use, how each column's value is parsed, and what a
reading of one workbook holds (:class:`EstimatesRead`). Pure: the reader
(:mod:`addin.office.xlsx.estimates`) fills an :class:`EstimatesRead` from a file, the
checker (:mod:`addin.rules.estimates_checks`) works on it, the template and the feedback
writers take the header texts from here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from addin.core import parsing
from addin.core.findings import Finding
from addin.core.model import EstimateRow, Level, SourceRef
from addin.core.text import clean_text, norm_key, without_hint

# ----------------------------------------------------------------------------- columns

HEADERS: dict[str, str] = {
    "employee_id": "Employee ID",
    "employee_name": "Employee name",
    "directorate": "Directorate",
    "team": "Team",
    "job_title": "Job title",
    "framework": "Framework",
    "range": "Range",
    "current_salary": "Current salary",
    "fte": "FTE",
    "contract_type": "Contract type",
    "start_date": "Start date in post",
    "probation_passed": "Probation passed",
    "capability": "Capability procedure",
    "appraisal_outcome": "Appraisal outcome",
    "date_at_level": "Date at current level",
    "current_level": "Current level",
    "estimated_level": "Estimated level",
    "manager": "Manager",
    "notes": "Notes",
    "long_absence": "Long-term absence",
}
"""Field -> the template's header text, in the template's column order."""

OPTIONAL_HEADERS: dict[str, str] = {
    "casual_aggregate": "Casual working aggregate (months)",
    "previous_request": "Previous request date",
}
"""Fields read when the workbook has the column, which the template does not have: the
casual working aggregate (policy 2.2) concerns the few casual staff a team may have (the
template's Instructions sheet says to add the column for them)."""

ALIASES: dict[str, tuple[str, ...]] = {
    "employee_id": ("Emp ID", "Employee number", "Employee no", "Emp no", "Payroll number",
                    "Payroll no", "Payroll ID", "Staff number", "Staff ID", "Staff no",
                    "Person number", "ID"),
    "employee_name": ("Name", "Full name", "Employee", "Staff name", "Employee full name"),
    "directorate": ("Division", "Department"),
    "team": ("Team name", "Service", "Service area", "Section"),
    "job_title": ("Job", "Role", "Post", "Post title", "Position", "Job role", "Role title"),
    "framework": ("CPF", "Career progression framework", "Job family"),
    "range": ("Grade", "Pay range", "Band", "Pay grade", "Current range"),
    "current_salary": ("Salary", "Annual salary", "Basic salary", "Current annual salary",
                       "FTE salary", "Salary (FTE)", "Current pay"),
    "fte": ("Full time equivalent", "WTE", "Hours (FTE)", "FTE hours"),
    "contract_type": ("Contract", "Employment type", "Contract status"),
    "start_date": ("Start date", "Date started in post", "Start in post", "Date in post",
                   "Date started", "Start date in role", "Date appointed"),
    "probation_passed": ("Probation", "Passed probation", "Probation complete",
                         "Probation completed"),
    "capability": ("Capability", "In capability", "Subject to capability",
                   "Performance capability"),
    "appraisal_outcome": ("Appraisal", "Appraisal rating", "Objectives", "Appraisal result",
                          "Objectives met", "Performance"),
    "date_at_level": ("Date at level", "Date current level achieved", "At current level since",
                      "Date reached current level", "Current level since", "Level date"),
    "current_level": ("Level now", "Present level", "Current CPF level", "Level"),
    "estimated_level": ("Estimate", "Level estimate", "Estimated CPF level", "Assessed level",
                        "Proposed level", "Initial assessment", "Estimated"),
    "manager": ("Line manager", "Manager name", "Assessed by"),
    "notes": ("Comments", "Comment", "Note", "Remarks"),
    "casual_aggregate": ("Casual working aggregate", "Casual aggregate",
                         "Casual aggregate (months)", "Working aggregate (months)",
                         "Months worked (casual)", "Casual months worked",
                         "Aggregate months worked"),
    "long_absence": ("Long term absence", "Long-term absent", "Long absence",
                     "Absent long term", "Long-term sickness absence"),
    "previous_request": ("Date of previous request", "Previous request on",
                         "Previous application date", "Date of previous application"),
}
"""Documented header aliases (docs/reference/workbooks.md, *Level-estimate workbooks*): any of these, matched ignoring
case, spacing and punctuation, reads as the field's column. A header that matches nothing
as written is tried again without a trailing bracketed hint, so "Start date
(dd/mm/yyyy)", "Current level (A/B/C)" and "Range (2-8)" need no alias of their own."""

HELPER_HEADERS: tuple[str, ...] = (
    "Pay point for current level",
    "Pay point for estimated level",
    "Change (full-time)",
)
"""The template's formula-driven helper columns: recalculated by Excel, never read."""

ELIGIBLE = "Eligible"
REASONS = "Reasons"
EFFECTIVE_DATE = "Effective date"
ELIGIBILITY_HEADERS: tuple[str, ...] = (ELIGIBLE, REASONS, EFFECTIVE_DATE)
"""The eligibility columns of a level-estimate feedback copy (7.22, 7.28, 2.2; 7.16/7.20)."""
NEW_SALARY = "New salary"
HONOURED = "Honoured"
FULL_YEAR_COST = "Full-year cost"
IN_YEAR_COST = "In-year cost"
COST_OUTPUT_HEADERS: tuple[str, ...] = (NEW_SALARY, HONOURED, FULL_YEAR_COST, IN_YEAR_COST)
"""The cost columns the batch adds after them."""

OUTPUT_HEADERS: tuple[str, ...] = ELIGIBILITY_HEADERS + COST_OUTPUT_HEADERS
"""The columns MedPay adds to a feedback copy (``validate-estimates --feedback``, the
batch): when a header row holds "Eligible" then "Reasons", that run of these headers is
MedPay's own output, never read (validating a feedback copy again replaces them)."""

REQUIRED: tuple[str, ...] = (
    "employee_id", "employee_name", "job_title", "current_salary", "fte", "contract_type",
    "start_date", "capability", "appraisal_outcome", "current_level",
    "estimated_level",
)
"""Fields every employee row must fill in (the rest are optional). Probation passed may
be blank (or N/A): no probation in this role, so 7.28's minimum months in post apply.
The appraisal outcome is required, but not on a row marked as a long-term absence
(6.16), where none is required."""

ALL_HEADERS: dict[str, str] = {**HEADERS, **OPTIONAL_HEADERS}
"""Every field the reader knows -> its header text."""

KEY_TO_FIELD: dict[str, str] = {}
for _field, _header in ALL_HEADERS.items():
    for _text in (_header, *ALIASES.get(_field, ())):
        _k = norm_key(_text)
        if _k in KEY_TO_FIELD and KEY_TO_FIELD[_k] != _field:  # pragma: no cover
            raise AssertionError(f"alias {_text!r} maps to two fields")
        KEY_TO_FIELD[_k] = _field
HELPER_KEYS = {norm_key(h) for h in HELPER_HEADERS}
OUTPUT_KEYS = [norm_key(h) for h in OUTPUT_HEADERS]


def header_key(text: object) -> str:
    """The normalised key a header is matched by: as written when that names a field or
    a helper column, else without a trailing bracketed hint."""
    key = norm_key(text)
    if key in KEY_TO_FIELD or key in HELPER_KEYS or not isinstance(text, str) \
            or not text.rstrip().endswith(")"):
        return key
    bare = without_hint(text)
    return norm_key(bare) if bare.strip() else key


def field_for_header(text: object) -> str | None:
    """The field a header text names (template header or alias, with or without a
    trailing bracketed hint), or None."""
    return KEY_TO_FIELD.get(header_key(text))


def cell_text(value: object) -> str:
    if type(value) is str and "\r" not in value:
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return clean_text(value)


def _id(value: object) -> str:
    """Employee IDs typed as numbers come back as floats: 100234.0 -> '100234'."""
    return cell_text(value)


def _level(value: object) -> tuple[int | None, Level]:
    return parsing.parse_level(value)


PARSERS: dict[str, Callable[[object], Any]] = {
    "employee_id": _id,
    "employee_name": cell_text,
    "directorate": cell_text,
    "team": cell_text,
    "job_title": cell_text,
    "framework": cell_text,
    "range": parsing.parse_range,
    "current_salary": parsing.parse_money,
    "fte": parsing.parse_fte,
    "contract_type": parsing.parse_contract,
    "start_date": parsing.parse_date,
    "probation_passed": parsing.parse_probation,
    "capability": parsing.parse_bool,
    "appraisal_outcome": parsing.parse_outcome,
    "date_at_level": parsing.parse_date,
    "current_level": _level,
    "estimated_level": _level,
    "manager": cell_text,
    "notes": cell_text,
    "casual_aggregate": parsing.parse_months,
    "long_absence": parsing.parse_bool,
    "previous_request": parsing.parse_date,
}

LEVEL_FIELDS = ("current_level", "estimated_level")
EXCEL_ERRORS = {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!",
                "#SPILL!", "#CALC!", "#GETTING_DATA"}
EXCEL_ERROR_LEAD = "the cell shows the Excel error "
"""How every message about an error shown in a cell begins (the checker reports those as
EST-BAD-VALUE whatever the column)."""


def excel_error_message(error: str) -> str:
    """What a cell showing an Excel error (#N/A, #DIV/0!, ...) is told."""
    return f"{EXCEL_ERROR_LEAD}{error}; type the value or correct the formula"


@dataclass
class EstimatesRead:
    """What :func:`read_estimates` found in one workbook."""

    file: str
    sheet: str | None = None
    header_row: int | None = None
    """1-based row number of the header row (None when no table was found)."""
    columns: dict[str, int] = field(default_factory=dict)
    """field -> 1-based column number."""
    headers: list[str] = field(default_factory=list)
    """The header row's texts as written, one per column (index 0 = column A)."""
    extra_columns: dict[str, int] = field(default_factory=dict)
    """Unrecognised header text -> 1-based column number (values go to ``row.extra``)."""
    rows: list[EstimateRow] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: dict[tuple[int, str], str] = field(default_factory=dict)
    """(row number, field) -> what was expected, for values that could not be parsed."""
    uncached: set[str] = field(default_factory=set)
    """A1 cells of the data sheet holding formulas without a cached value."""
    excel_errors: dict[str, str] = field(default_factory=dict)
    """A1 cell of the data sheet -> the Excel error it shows ('#N/A', '#DIV/0!', ...)."""
    output_columns: dict[str, int] = field(default_factory=dict)
    """MedPay's own feedback columns (:data:`OUTPUT_HEADERS`) found on the header row:
    header -> 1-based column number (skipped when reading)."""

    def where(self, cell: str | None = None) -> SourceRef:
        return SourceRef(self.file, self.sheet, cell)


def column_header(result: EstimatesRead, fld: str) -> str:
    """The header text as the manager wrote it for a field (template text if absent)."""
    c = result.columns.get(fld)
    if c and c - 1 < len(result.headers) and result.headers[c - 1]:
        return result.headers[c - 1]
    return ALL_HEADERS[fld]
