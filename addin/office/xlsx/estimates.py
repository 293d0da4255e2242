"""Read a manager's level-estimate spreadsheet (policy Appendix K, stage 8).

"Managers complete a spreadsheet with the assessments for each employee and this is sent
to the MedPay Review Team" (Appendix K, stage 8). Managers do what people do to
spreadsheets, so the reader is tolerant:

* the sheet is the one named "Estimates", else the first *visible* sheet that has the
  headers (hidden sheets such as the template's "Lists" are never read as data);
* the header row is found within the first 10 rows (title rows above it are normal);
* headers match ignoring case, spacing and punctuation, and through the documented
  :data:`ALIASES` ("Emp ID" and "Payroll number" are Employee ID, "Grade" is Range,
  "Salary" is Current salary, ...); a trailing bracketed hint is dropped when the header
  does not match as written ("Start date (dd/mm/yyyy)", "Current level (A/B/C)");
* columns it does not recognise are kept in :attr:`EstimateRow.extra`; the template's
  formula-driven helper columns (:data:`HELPER_HEADERS`) and the columns MedPay itself
  adds to a feedback copy (:data:`OUTPUT_HEADERS`) are skipped;
* blank rows and formatting-only rows are ignored wherever they are;
* values are parsed by :mod:`addin.core.parsing` (levels "3B", money "£24,500.00", FTE "50%",
  UK-order text dates...); a value that cannot be parsed, or a cell showing an Excel
  error (#N/A, #DIV/0!, ...), is kept as ``None`` and its message recorded in
  :attr:`EstimatesRead.errors` for the checker to report at the cell;
* a formula cell with no cached value (the file was written by a program, not saved by
  Excel) in a column the checker reads is a finding telling the manager to open and save
  the file in Excel; title rows and unrecognised columns are ignored, formulas included.

Speed: values come from python-calamine, reading the bytes that
:func:`addin.office.xlsx.safe.read_ooxml_bytes` returned after its safety checks (the file is opened
once). Only when the data sheet's XML contains a formula element or an error cell
(``t="e"``: python-calamine gives those as empty text) is that one sheet's XML scanned
for formulas without a cached ``<v>`` value and for the error each error cell shows.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from addin.core import parsing
from addin.core.cells import a1, col_letter, parse_a1
from addin.core.errors import InputError
from addin.core.findings import ERROR, WARNING, Finding, declare
from addin.core.model import EstimateRow, Framework, Level, SourceRef
from addin.core.parsing import norm_key  # memoised addin.core.text.norm_key
from addin.core.text import clean_text, without_hint
from addin.office.xlsx.safe import KEPT_WORKBOOK_PARTS

POLICY = "Appendix K"
SHEET_NAME = "Estimates"
HEADER_SEARCH_ROWS = 10
MIN_HEADER_MATCHES = 3

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
"""Documented header aliases (README, section *estimates*): any of these, matched ignoring
case, spacing and punctuation, reads as the field's column. A header that matches nothing
as written is tried again without a trailing bracketed hint, so "Start date
(dd/mm/yyyy)", "Current level (A/B/C)" and "Range (2-8)" need no alias of their own."""

HELPER_HEADERS: tuple[str, ...] = (
    "Pay point for current level",
    "Pay point for estimated level",
    "Change (full-time)",
)
"""The template's formula-driven helper columns: recalculated by Excel, never read."""

OUTPUT_HEADERS: tuple[str, ...] = (
    "Eligible", "Reasons", "Effective date",
    "New salary", "Honoured", "Full-year cost", "In-year cost",
)
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

_KEY_TO_FIELD: dict[str, str] = {}
for _field, _header in ALL_HEADERS.items():
    for _text in (_header, *ALIASES.get(_field, ())):
        _k = norm_key(_text)
        if _k in _KEY_TO_FIELD and _KEY_TO_FIELD[_k] != _field:  # pragma: no cover
            raise AssertionError(f"alias {_text!r} maps to two fields")
        _KEY_TO_FIELD[_k] = _field
_HELPER_KEYS = {norm_key(h) for h in HELPER_HEADERS}
_OUTPUT_KEYS = [norm_key(h) for h in OUTPUT_HEADERS]


def header_key(text: object) -> str:
    """The normalised key a header is matched by: as written when that names a field or
    a helper column, else without a trailing bracketed hint."""
    key = norm_key(text)
    if key in _KEY_TO_FIELD or key in _HELPER_KEYS or not isinstance(text, str) \
            or not text.rstrip().endswith(")"):
        return key
    bare = without_hint(text)
    return norm_key(bare) if bare.strip() else key


def field_for_header(text: object) -> str | None:
    """The field a header text names (template header or alias, with or without a
    trailing bracketed hint), or None."""
    return _KEY_TO_FIELD.get(header_key(text))


def _text(value: object) -> str:
    if type(value) is str and "\r" not in value:
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return clean_text(value)


def _id(value: object) -> str:
    """Employee IDs typed as numbers come back as floats: 100234.0 -> '100234'."""
    return _text(value)


def _level(value: object) -> tuple[int | None, Level]:
    return parsing.parse_level(value)


PARSERS: dict[str, Callable[[object], Any]] = {
    "employee_id": _id,
    "employee_name": _text,
    "directorate": _text,
    "team": _text,
    "job_title": _text,
    "framework": _text,
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
    "manager": _text,
    "notes": _text,
    "casual_aggregate": parsing.parse_months,
    "long_absence": parsing.parse_bool,
    "previous_request": parsing.parse_date,
}

_LEVEL_FIELDS = ("current_level", "estimated_level")
EXCEL_ERRORS = {"#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!",
                "#SPILL!", "#CALC!", "#GETTING_DATA"}
EXCEL_ERROR_LEAD = "the cell shows the Excel error "
"""How every message about an error shown in a cell begins (the checker reports those as
EST-BAD-VALUE whatever the column)."""


def excel_error_message(error: str) -> str:
    """What a cell showing an Excel error (#N/A, #DIV/0!, ...) is told."""
    return f"{EXCEL_ERROR_LEAD}{error}; type the value or correct the formula"

# ----------------------------------------------------------------------------- findings

NO_TABLE = declare(
    "EST-NO-TABLE",
    "No estimates table",
    "No visible sheet has the level-estimate headers within its first 10 rows.",
    "No sheet named 'Estimates' and no visible sheet with the estimate headers (Employee ID, "
    "Job title, Current level, Estimated level, ...) in its first 10 rows; use the "
    "template from 'medpay template estimates'",
    ERROR,
    group="estimates",
    policy=POLICY,
)
MISSING_COLUMN = declare(
    "EST-MISSING-COLUMN",
    "Missing column",
    "A required column is not in the header row (under its name or a documented alias).",
    "The header row has no '{header}' column; add it (see the template)",
    ERROR,
    group="estimates",
    policy=POLICY,
)
DUPLICATE_COLUMN = declare(
    "EST-DUPLICATE-COLUMN",
    "Duplicate column",
    "Two header cells name the same field; the first is read, the second is ignored.",
    "'{header}' repeats the '{field}' column already at {first}; this column is ignored",
    WARNING,
    group="estimates",
    policy=POLICY,
)
FORMULA_NO_VALUE = declare(
    "EST-FORMULA-NO-VALUE",
    "Formula without a value",
    "A formula cell has no saved (cached) value, so its result cannot be read.",
    "This cell is a formula with no saved result (the file was not saved by Excel); open "
    "the file in Excel, save it, and send it again",
    ERROR,
    group="estimates",
    policy=POLICY,
)
NO_ROWS = declare(
    "EST-NO-ROWS",
    "No employee rows",
    "The estimates table has a header row but no employee rows below it.",
    "The estimates table has no employee rows below the header row; fill in one row per "
    "employee",
    ERROR,
    group="estimates",
    policy=POLICY,
)


# ----------------------------------------------------------------------------- result

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


# ----------------------------------------------------------------------------- reading

def read_estimates(
    path: str | Path,
    *,
    frameworks: Sequence[Framework] | None = None,
) -> EstimatesRead:
    """Read the level-estimate rows of one workbook.

    ``frameworks``, when given, fills in a blank Range from the job title when the title
    has exactly one range across the frameworks (the checker still reports titles that are
    not in any framework). Raises :class:`InputError` only when the file cannot be read
    at all (missing, not a workbook, encrypted, damaged); everything a manager can fix in
    the workbook is a finding.
    """
    from python_calamine import CalamineWorkbook

    from addin.office.xlsx.safe import read_ooxml_bytes

    p = Path(path)
    parts: dict[str, bytes] = {}
    data = read_ooxml_bytes(p, parts=parts)
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own types on damaged parts
        raise InputError(f"workbook is damaged and cannot be read ({str(exc)[:200]})", file=p,
                         hint="open it in Excel and save it as an Excel Workbook (.xlsx)") from exc
    result = EstimatesRead(file=str(p))
    try:
        visible = [m.name for m in wb.sheets_metadata
                   if str(m.visible).rsplit(".", 1)[-1].lower() == "visible"
                   and str(m.typ).rsplit(".", 1)[-1].lower() == "worksheet"]
        grid, header_idx = None, None
        ordered = sorted(visible, key=lambda n: norm_key(n) != norm_key(SHEET_NAME))
        for name in ordered:
            try:
                rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except Exception as exc:
                raise InputError(f"sheet cannot be read ({str(exc)[:200]})", file=p, sheet=name,
                                 hint="open it in Excel and save it again") from exc
            idx = find_header_row(rows)
            if idx is not None:
                grid, header_idx, result.sheet = rows, idx, name
                break
    finally:
        wb.close()
    if grid is None or header_idx is None:
        result.findings.append(NO_TABLE.at(SourceRef(str(p))))
        return result
    result.uncached, result.excel_errors = scan_sheet_cells(data, result.sheet or "", parts=parts)
    parse_grid(grid, header_idx, result, frameworks=frameworks)
    return result


def find_header_row(rows: Sequence[Sequence[object]]) -> int | None:
    """0-based index of the row within the first 10 that names the most fields (at least
    three), or None."""
    best, best_count = None, MIN_HEADER_MATCHES - 1
    memo = _HEADER_MEMO
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = set()
        for v in row:
            if type(v) is str:
                f = memo.get(v, _UNSEEN)
                if f is _UNSEEN:
                    if len(memo) >= _MEMO_SIZE:
                        memo.clear()
                    f = memo[v] = _KEY_TO_FIELD.get(header_key(v))
            elif isinstance(v, str):
                f = field_for_header(v)
            else:
                continue
            if f:
                found.add(f)
        count = len(found)
        if count > best_count:
            best, best_count = i, count
    return best


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_BLANK = object()
_UNSEEN = object()
_HEADER_MEMO: dict[str, str | None] = {}
"""Text -> the field it names as a header (or None): :func:`field_for_header`, memoised
for :func:`find_header_row`, which looks at every text in the first 10 rows."""
"""Outcome of a blank text cell: the field stays unset."""
_MEMOS: dict[Callable[[object], Any], dict[str, tuple[Any, str | None]]] = {}
_MEMO_SIZE = 4096
"""Texts remembered per parser before its memo starts again (bounds memory in a batch)."""


def _memo(parser: Callable[[object], Any]) -> dict[str, tuple[Any, str | None]]:
    memo = _MEMOS.get(parser)
    if memo is None:
        memo = _MEMOS[parser] = {}
    return memo


def _text_outcome(v: str, parser: Callable[[object], Any]) -> tuple[Any, str | None]:
    """What a text cell gives for a field: ``(_BLANK, None)`` for blank text,
    ``(None, message)`` for an Excel error shown in the cell or text the parser refuses,
    else ``(parsed value, None)``. Pure: depends on the text and the parser alone."""
    stripped = v.strip()
    if not stripped:
        return (_BLANK, None)
    if stripped[0] == "#" and stripped.upper() in EXCEL_ERRORS:
        return (None, excel_error_message(stripped.upper()))
    try:
        return (parser(v), None)
    except ValueError as exc:
        return (None, str(exc))


def _remember(memo: dict[str, tuple[Any, str | None]], v: str,
              parser: Callable[[object], Any]) -> tuple[Any, str | None]:
    if len(memo) >= _MEMO_SIZE:
        memo.clear()
    outcome = memo[v] = _text_outcome(v, parser)
    return outcome


def parse_grid(
    grid: Sequence[Sequence[object]],
    header_idx: int,
    result: EstimatesRead,
    *,
    frameworks: Sequence[Framework] | None = None,
) -> EstimatesRead:
    """Pure: turn a sheet's value grid (row 1 = index 0, column A = index 0) into rows."""
    header = list(grid[header_idx])
    header_row = header_idx + 1
    result.header_row = header_row
    result.headers = [_text(v) for v in header]
    keys = [None if _blank(raw) else header_key(raw) for raw in header]
    output = _output_columns(keys)
    for c, raw in enumerate(header, start=1):
        key = keys[c - 1]
        if key is None or key in _HELPER_KEYS:
            continue
        if c in output:
            result.output_columns.setdefault(_text(raw), c)
            continue
        fld = _KEY_TO_FIELD.get(key)
        if fld is None:
            result.extra_columns.setdefault(_text(raw), c)
        elif fld in result.columns:
            result.findings.append(DUPLICATE_COLUMN.at(
                result.where(a1(header_row, c)), header=_text(raw), field=ALL_HEADERS[fld],
                first=a1(header_row, result.columns[fld])))
        else:
            result.columns[fld] = c
    for fld in REQUIRED:
        if fld not in result.columns:
            result.findings.append(MISSING_COLUMN.at(result.where(f"A{header_row}"),
                                                     header=HEADERS[fld]))
    # only the cells the checker reads matter: title rows above the header, helper,
    # output and unrecognised ("kept and ignored") columns are never reported
    read_cols = {c: fld for fld, c in result.columns.items()}
    uncached_rows: set[int] = set()
    for cell in sorted(result.uncached, key=parse_a1):
        r, c = parse_a1(cell)
        if r > header_row and c in read_cols:
            uncached_rows.add(r)
            result.findings.append(FORMULA_NO_VALUE.at(result.where(cell)))
    shown: dict[int, list[tuple[str, str]]] = {}
    for cell, error in result.excel_errors.items():
        r, c = parse_a1(cell)
        if r > header_row and c in read_cols:
            shown.setdefault(r, []).append((read_cols[c], error))

    single_range = _single_ranges(frameworks) if frameworks else {}
    used = sorted(c - 1 for c in {*result.columns.values(), *result.extra_columns.values()})
    # (field, 0-based column, parser, memo of that parser's text answers, level field?)
    fields = [(fld, c - 1, PARSERS[fld], _memo(PARSERS[fld]), fld in _LEVEL_FIELDS)
              for fld, c in result.columns.items()]
    letters = [(fld, col_letter(c)) for fld, c in result.columns.items()]
    extras = [(name, c - 1) for name, c in result.extra_columns.items()]
    # calamine leaves formula cells without a cached value out of the grid entirely, and
    # gives a cell showing an error as empty text
    uncached_rows.update(shown)
    last = max([len(grid), *uncached_rows])
    sheet = result.sheet or ""
    file = result.file
    errors = result.errors
    append = result.rows.append
    for idx in range(header_idx + 1, last):
        raw_row = grid[idx] if idx < len(grid) else ()
        n = len(raw_row)
        rownum = idx + 1
        if rownum not in uncached_rows and all(
                i >= n or _blank(raw_row[i]) for i in used):
            continue  # blank or formatting-only row
        values: dict[str, Any] = {}
        level_ranges: dict[str, tuple[int, object]] = {}
        for fld, i, parser, memo, is_level in fields:
            if i >= n:
                continue
            v = raw_row[i]
            if v is None:
                continue
            if type(v) is str:
                # the outcome of a text depends on the text alone: memoised per parser
                value, problem = memo.get(v) or _remember(memo, v, parser)
                if value is _BLANK:
                    continue
                if problem is not None:
                    errors[(rownum, fld)] = problem
                    continue
            elif isinstance(v, str):  # a str subclass: same outcome, not memoised
                value, problem = _text_outcome(v, parser)
                if problem is not None:
                    errors[(rownum, fld)] = problem
                    continue
                if value is _BLANK:
                    continue
            else:
                if v == "":
                    continue
                try:
                    value = parser(v)
                except ValueError as exc:
                    errors[(rownum, fld)] = str(exc)
                    continue
            if is_level:
                rng, value = value
                if rng is not None:
                    level_ranges[fld] = (rng, v)
            values[fld] = value if value != "" else None
        if shown and rownum in shown:
            for fld, error in shown[rownum]:
                values.pop(fld, None)
                level_ranges.pop(fld, None)
                errors[(rownum, fld)] = excel_error_message(error)
        rs = str(rownum)
        row = EstimateRow(file=file, sheet=sheet, row=rownum,
                          cells={fld: letter + rs for fld, letter in letters}, **values)
        if extras:
            extra = row.extra
            for name, i in extras:
                v = raw_row[i] if i < n else None
                extra[name] = None if _blank(v) else v
        if level_ranges or row.range is None:
            _reconcile_ranges(row, level_ranges, result, single_range)
        append(row)
    if not result.rows:
        result.findings.append(NO_ROWS.at(result.where(a1(header_row, 1))))
    return result


def _output_columns(keys: Sequence[str | None]) -> set[int]:
    """1-based columns of MedPay's own feedback columns: a run of :data:`OUTPUT_HEADERS`
    that starts "Eligible", "Reasons" (what ``validate-estimates --feedback`` and the
    batch append), so a manager's own single "Reasons" column is still kept."""
    found: set[int] = set()
    first, second = _OUTPUT_KEYS[0], _OUTPUT_KEYS[1]
    for i, key in enumerate(keys):
        if key == first and i + 1 < len(keys) and keys[i + 1] == second:
            j = i
            while j < len(keys) and keys[j] in _OUTPUT_KEYS:
                found.add(j + 1)
                j += 1
    return found


def _reconcile_ranges(
    row: EstimateRow,
    level_ranges: dict[str, tuple[int, object]],
    result: EstimatesRead,
    single_range: dict[str, int],
) -> None:
    """A level written with its range ('3B') fills a blank Range; one that disagrees with
    the Range column is an error on the level cell. A blank Range is otherwise taken from
    the job title when the frameworks give that title exactly one range."""
    for fld, (rng, raw) in level_ranges.items():
        if row.range is None and (row.row, "range") not in result.errors:
            row.range = rng
        elif row.range is not None and rng != row.range:
            result.errors[(row.row, fld)] = (
                f"the level {_text(raw)!r} names range {rng} but the Range column says "
                f"{row.range}; write just the level letter A, B or C")
    if row.range is None and (row.row, "range") not in result.errors and row.job_title:
        row.range = single_range.get(norm_key(row.job_title))


def _single_ranges(frameworks: Iterable[Framework]) -> dict[str, int]:
    ranges: dict[str, set[int]] = {}
    for fw in frameworks:
        for role in fw.roles:
            if role.range:
                ranges.setdefault(norm_key(role.title), set()).add(role.range)
    return {k: next(iter(v)) for k, v in ranges.items() if len(v) == 1}


# ----------------------------------------------------------------------------- formulas

_FORMULA_EL = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_REF = re.compile(rb'\br="([A-Z]{1,3}\d+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>|<(?:\w+:)?is>")


_SHEET_EL = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)/?>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_REL_EL = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)/?>")


def _attrs(text: bytes) -> dict[str, str]:
    from xml.sax.saxutils import unescape

    return {k.decode().rsplit(":", 1)[-1] if k.decode().startswith("r:") else k.decode():
            unescape(v.decode("utf-8", "replace"), {"&quot;": '"', "&apos;": "'"})
            for k, v in _ATTR.findall(text)}


def sheet_xml_path(zf: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding a sheet's XML, from workbook.xml and its relationships.

    Both parts are small and flat; their elements are matched with regular expressions
    (no entity expansion, no tree), which is several times faster than parsing them.
    """
    return _sheet_member(zf.read, sheet)


_WORKBOOK_PARTS = KEPT_WORKBOOK_PARTS  # what the safety checks keep besides worksheets


def _sheet_member(read: Callable[[str], bytes], sheet: str) -> str | None:
    """:func:`sheet_xml_path` over any ``read(name) -> bytes`` (the zip, or the parts the
    safety checks kept)."""
    rid = None
    for m in _SHEET_EL.finditer(read("xl/workbook.xml")):
        attrs = _attrs(m.group(1))
        if attrs.get("name") == sheet:
            rid = attrs.get("id")
            break
    if rid is None:
        return None
    for m in _REL_EL.finditer(read("xl/_rels/workbook.xml.rels")):
        attrs = _attrs(m.group(1))
        if attrs.get("Id") == rid:
            target = attrs.get("Target") or ""
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join("xl", target))
    return None


_FORMULA_HINT = re.compile(rb"f(?<=[<:]f)[\s>/]")
"""Every :data:`_FORMULA_EL` match holds an ``f`` after ``<`` or ``:`` and before
whitespace, ``>`` or ``/``; written with the literal ``f`` first, the regex engine jumps
from one ``f`` to the next, so a sheet without formulas is cleared in one quick pass."""


def _has_formula(xml: bytes) -> bool:
    """Whether a sheet's XML holds a formula element (``<f>``, ``<x:f>``)."""
    return _FORMULA_HINT.search(xml) is not None and _FORMULA_EL.search(xml) is not None


def uncached_formula_cells(data: bytes, sheet: str, *,
                           parts: dict[str, bytes] | None = None) -> set[str]:
    """A1 references of formula cells on ``sheet`` with no cached value (the first half
    of :func:`scan_sheet_cells`)."""
    return scan_sheet_cells(data, sheet, parts=parts)[0]


def scan_sheet_cells(data: bytes, sheet: str, *,
                     parts: dict[str, bytes] | None = None) -> tuple[set[str], dict[str, str]]:
    """``(uncached, errors)`` for ``sheet``: the A1 references of formula cells with no
    cached value, and A1 -> the Excel error an error cell (``t="e"``) shows.

    A cheap byte search first: a sheet with no ``<f>`` element and no ``t="e"`` costs two
    scans. Only otherwise are its ``<c>`` elements matched (a cell is a flat element, so
    a regular expression over the sheet's bytes is exact and much faster than building a
    tree). ``parts`` (from :func:`addin.office.xlsx.safe.read_ooxml_bytes`) saves opening the zip and
    decompressing the sheet's XML again when the safety checks kept the workbook part,
    its relationships and the sheet (the same bytes the zip would give).
    """
    xml = _sheet_xml(data, sheet, parts)
    return _scan(xml) if xml is not None else (set(), {})


def _sheet_xml(data: bytes, sheet: str, parts: dict[str, bytes] | None) -> bytes | None:
    try:
        if parts and all(name in parts for name in _WORKBOOK_PARTS):
            member = _sheet_member(parts.__getitem__, sheet)
            if member is None:
                return None
            kept = parts.get(member)
            if kept is not None:
                return kept
    except Exception:  # a damaged workbook.xml: calamine already read the values
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            member = sheet_xml_path(zf, sheet)
            if member is None or member not in zf.namelist():
                return None
            return parts[member] if parts and member in parts else zf.read(member)
    except (KeyError, zipfile.BadZipFile, ValueError):
        return None
    except Exception:  # a damaged workbook.xml: calamine already read the values
        return None


_ERROR_TYPE = b't="e"'


def _uncached_in(xml: bytes) -> set[str]:
    """A1 references of the formula cells without a cached value in one sheet's XML."""
    return _scan(xml)[0]


def _scan(xml: bytes) -> tuple[set[str], dict[str, str]]:
    """:func:`scan_sheet_cells` over one sheet's XML."""
    formulas = _has_formula(xml)
    shows_errors = _ERROR_TYPE in xml
    cells: set[str] = set()
    errors: dict[str, str] = {}
    if not formulas and not shows_errors:
        return cells, errors
    for m in _CELL.finditer(xml):
        inner = m.group(2)
        if not inner:
            continue
        attrs = m.group(1)
        v = _VALUE.search(inner)
        if shows_errors and _ERROR_TYPE in attrs and v is not None and v.group(1):
            ref = _REF.search(attrs)
            if ref:
                errors[ref.group(1).decode()] = v.group(1).decode("utf-8", "replace").strip()
            continue
        if not formulas or not _FORMULA_EL.search(inner):
            continue
        # no <v> at all, or an empty <v/> on a cell that is not a text result
        if v is None or (v.group(1) == b"" and b't="str"' not in attrs):
            ref = _REF.search(attrs)
            if ref:
                cells.add(ref.group(1).decode())
    return cells, errors


def column_header(result: EstimatesRead, fld: str) -> str:
    """The header text as the manager wrote it for a field (template text if absent)."""
    c = result.columns.get(fld)
    if c and c - 1 < len(result.headers) and result.headers[c - 1]:
        return result.headers[c - 1]
    return ALL_HEADERS[fld]


__all__ = [
    "ALIASES", "HEADERS", "HELPER_HEADERS", "REQUIRED", "EstimatesRead", "column_header",
    "ALL_HEADERS", "OPTIONAL_HEADERS", "OUTPUT_HEADERS", "excel_error_message",
    "field_for_header", "find_header_row", "header_key", "parse_grid", "read_estimates",
    "scan_sheet_cells", "uncached_formula_cells",
]
