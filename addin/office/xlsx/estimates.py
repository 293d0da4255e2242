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

Speed: values come from python-calamine (or, where it cannot be installed - xlwings Lite
in some browsers - from openpyxl, slower, the same values), reading the bytes that
:func:`addin.office.xlsx.safe.read_ooxml_bytes` returned after its safety checks (the file is opened
once). Only when the data sheet's XML contains a formula element or an error cell
(``t="e"``: python-calamine gives those as empty text) is that one sheet's XML scanned
for formulas without a cached ``<v>`` value and for the error each error cell shows.
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Generator, Iterable, Sequence
from pathlib import Path
from typing import Any

from addin.core.cells import a1, col_letter, parse_a1
from addin.core.errors import InputError
from addin.core.estimates_table import (
    ALL_HEADERS,
    EXCEL_ERRORS,
    HEADERS,
    HELPER_KEYS,
    KEY_TO_FIELD,
    LEVEL_FIELDS,
    OUTPUT_KEYS,
    PARSERS,
    REQUIRED,
    EstimatesRead,
    cell_text,
    excel_error_message,
    field_for_header,
    header_key,
)
from addin.core.findings import ERROR, WARNING, declare
from addin.core.model import EstimateRow, Framework, SourceRef
from addin.core.text import norm_key
from addin.office.xlsx.safe import KEPT_WORKBOOK_PARTS, read_ooxml_bytes

POLICY = "Appendix K"
SHEET_NAME = "Estimates"
HEADER_SEARCH_ROWS = 10
MIN_HEADER_MATCHES = 3

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
    p = Path(path)
    parts: dict[str, bytes] = {}
    data = read_ooxml_bytes(p, parts=parts)
    result = EstimatesRead(file=str(p))
    try:
        import python_calamine  # noqa: F401  (None in sys.modules: unavailable)
    except ImportError:
        reader = _openpyxl_sheets
    else:
        reader = _calamine_sheets
    grid, header_idx = None, None
    with contextlib.closing(reader(data, p)) as sheets:  # (closes the workbook on break)
        for name, rows in sheets:
            idx = find_header_row(rows)
            if idx is not None:
                grid, header_idx, result.sheet = rows, idx, name
                break
    if grid is None or header_idx is None:
        result.findings.append(NO_TABLE.at(SourceRef(str(p))))
        return result
    result.uncached, result.excel_errors = scan_sheet_cells(data, result.sheet or "", parts=parts)
    parse_grid(grid, header_idx, result, frameworks=frameworks)
    return result


def _candidate_order(visible: list[str]) -> list[str]:
    """The visible worksheets in the order they are tried: "Estimates" first."""
    return sorted(visible, key=lambda n: norm_key(n) != norm_key(SHEET_NAME))


def _calamine_sheets(data: bytes, p: Path) -> Generator[tuple[str, list[list[Any]]], None, None]:
    """(name, rows from A1) of each visible worksheet, "Estimates" first, read by
    python-calamine (the fast path)."""
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own types on damaged parts
        raise InputError(f"workbook is damaged and cannot be read ({str(exc)[:200]})", file=p,
                         hint="open it in Excel and save it as an Excel Workbook (.xlsx)") from exc
    try:
        visible = [m.name for m in wb.sheets_metadata
                   if str(m.visible).rsplit(".", 1)[-1].lower() == "visible"
                   and str(m.typ).rsplit(".", 1)[-1].lower() == "worksheet"]
        for name in _candidate_order(visible):
            try:
                rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            except Exception as exc:
                raise InputError(f"sheet cannot be read ({str(exc)[:200]})", file=p, sheet=name,
                                 hint="open it in Excel and save it again") from exc
            yield name, rows
    finally:
        wb.close()


def _openpyxl_cell(cell: Any) -> object:
    """A cell's value as python-calamine gives it: empty cells, formulas without a cached
    value and error cells (``t="e"``: :func:`scan_sheet_cells` finds those) as ``""`` -
    text that merely reads ``#N/A`` stays text, as calamine keeps it; whole numbers as
    floats; a date-only datetime as a date."""
    import datetime as _dt

    value = cell.value
    if value is None or getattr(cell, "data_type", None) == "e":
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, _dt.datetime) and value.time() == _dt.time(0) and value.tzinfo is None:
        return value.date()
    return value


def _openpyxl_sheets(data: bytes, p: Path) -> Generator[tuple[str, list[list[Any]]], None, None]:
    """:func:`_calamine_sheets` read by openpyxl instead: where python-calamine cannot be
    installed (xlwings Lite's Pyodide has no wheel of it everywhere), the estimates are
    still read, cell for cell the same values (:func:`_openpyxl_cell`), only slower."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise InputError(f"workbook is damaged and cannot be read ({str(exc)[:200]})", file=p,
                         hint="open it in Excel and save it as an Excel Workbook (.xlsx)") from exc
    try:
        visible = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
        for name in _candidate_order(visible):
            ws = wb[name]
            try:
                rows = [[_openpyxl_cell(c) for c in row] for row in ws.iter_rows(min_row=1, min_col=1)]
            except Exception as exc:
                raise InputError(f"sheet cannot be read ({str(exc)[:200]})", file=p, sheet=name,
                                 hint="open it in Excel and save it again") from exc
            yield name, rows
    finally:
        wb.close()


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
                    f = memo[v] = KEY_TO_FIELD.get(header_key(v))
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
        return (_none_if_empty(parser(v)), None)
    except ValueError as exc:
        return (None, str(exc))


def _none_if_empty(value: Any) -> Any:
    """A parser's empty text stays unset (None), as a blank cell does."""
    return None if type(value) is str and not value else value


def _remember(memo: dict[str, tuple[Any, str | None]], v: str,
              parser: Callable[[object], Any]) -> tuple[Any, str | None]:
    if len(memo) >= _MEMO_SIZE:
        memo.clear()
    outcome = memo[v] = _text_outcome(v, parser)
    return outcome


_UNIQUE_TEXT = frozenset({"employee_id", "employee_name"})
"""Fields whose text differs on nearly every row (an ID, a person's name): parsed
directly, not memoised. Remembering them only cost a miss and a store a row, and pushed
the texts that do repeat (teams, titles, Yes/No) out of the shared ``cell_text`` memo."""

_VALUE_TYPES = (float, int)
"""Exact types of the number cells python-calamine gives: a parser's outcome for one
depends on its type and value alone, so it is memoised by ``(type, value)`` like text
(the type in the key keeps 1, 1.0 and True apart). Zero is not memoised: 0.0 and -0.0
are equal keys but may be shown differently in a message. Measured (issue 21, 1,000
workbooks): the range, salary and FTE of every row repeat (pay points, a few FTEs), and
the parse 1.0 us a cell costs is paid once. Dates are not memoised: a batch holds
thousands of different start dates, so the memo kept starting again and a miss cost more
than :func:`addin.core.parsing.parse_date` on a date (parse 9.5 -> 8.8 us a row)."""
_VALUE_MEMOS: dict[Callable[[object], Any], dict[tuple[type, object], tuple[Any, str | None]]] = {}


def _value_memo(parser: Callable[[object], Any]) -> dict[tuple[type, object], tuple[Any, str | None]]:
    memo = _VALUE_MEMOS.get(parser)
    if memo is None:
        memo = _VALUE_MEMOS[parser] = {}
    return memo


def _value_outcome(v: object, parser: Callable[[object], Any]) -> tuple[Any, str | None]:
    """What a number or date cell gives for a field: ``(parsed value, None)`` or
    ``(None, message)``. Pure, like :func:`_text_outcome`."""
    try:
        return (_none_if_empty(parser(v)), None)
    except ValueError as exc:
        return (None, str(exc))


def _remember_value(memo: dict[tuple[type, object], tuple[Any, str | None]],
                    key: tuple[type, object], v: object,
                    parser: Callable[[object], Any]) -> tuple[Any, str | None]:
    if len(memo) >= _MEMO_SIZE:
        memo.clear()
    outcome = memo[key] = _value_outcome(v, parser)
    return outcome


_CELL_REFS: dict[tuple[tuple[str, str], ...], dict[int, dict[str, str]]] = {}
"""Column layout (field, letter) -> row number -> that row's ``EstimateRow.cells``: the
same layout and row numbers recur in every workbook made from the template, and 19
string concatenations a row cost more than copying the remembered dict (each row gets
its own copy: a row's ``cells`` may be changed by whoever holds it)."""


def _cell_refs(letters: Sequence[tuple[str, str]]) -> dict[int, dict[str, str]]:
    key = tuple(letters)
    refs = _CELL_REFS.get(key)
    if refs is None:
        if len(_CELL_REFS) >= 64:
            _CELL_REFS.clear()
        refs = _CELL_REFS[key] = {}
    elif len(refs) >= _MEMO_SIZE:
        refs.clear()
    return refs


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
    result.headers = [cell_text(v) for v in header]
    keys = [None if _blank(raw) else header_key(raw) for raw in header]
    output = _output_columns(keys)
    for c, raw in enumerate(header, start=1):
        key = keys[c - 1]
        if key is None or key in HELPER_KEYS:
            continue
        if c in output:
            result.output_columns.setdefault(cell_text(raw), c)
            continue
        fld = KEY_TO_FIELD.get(key)
        if fld is None:
            result.extra_columns.setdefault(cell_text(raw), c)
        elif fld in result.columns:
            result.findings.append(DUPLICATE_COLUMN.at(
                result.where(a1(header_row, c)), header=cell_text(raw), field=ALL_HEADERS[fld],
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
    fields = [(fld, c - 1, PARSERS[fld],
               None if fld in _UNIQUE_TEXT else _memo(PARSERS[fld]),
               _value_memo(PARSERS[fld]), fld in LEVEL_FIELDS)
              for fld, c in result.columns.items()]
    letters = [(fld, col_letter(c)) for fld, c in result.columns.items()]
    cell_refs = _cell_refs(letters)
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
        for fld, i, parser, memo, vmemo, is_level in fields:
            if i >= n:
                continue
            v = raw_row[i]
            if v is None:
                continue
            if type(v) is str:
                # the outcome of a text depends on the text alone: memoised per parser
                value, problem = ((memo.get(v) or _remember(memo, v, parser)) if memo is not None
                                  else _text_outcome(v, parser))
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
            elif type(v) in _VALUE_TYPES and v:
                # a number or date: memoised per parser by (type, value)
                vkey = (type(v), v)
                value, problem = vmemo.get(vkey) or _remember_value(vmemo, vkey, v, parser)
                if problem is not None:
                    errors[(rownum, fld)] = problem
                    continue
            else:
                if v == "":
                    continue
                try:
                    value = _none_if_empty(parser(v))
                except ValueError as exc:
                    errors[(rownum, fld)] = str(exc)
                    continue
            if is_level:
                rng, value = value
                if rng is not None:
                    level_ranges[fld] = (rng, v)
            values[fld] = value  # a parser's empty text is None already (_none_if_empty)
        if shown and rownum in shown:
            for fld, error in shown[rownum]:
                values.pop(fld, None)
                level_ranges.pop(fld, None)
                errors[(rownum, fld)] = excel_error_message(error)
        cells = cell_refs.get(rownum)
        if cells is None:
            rs = str(rownum)
            cells = cell_refs[rownum] = {fld: letter + rs for fld, letter in letters}
        row = EstimateRow(file=file, sheet=sheet, row=rownum, cells=cells.copy(), **values)
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
    first, second = OUTPUT_KEYS[0], OUTPUT_KEYS[1]
    for i, key in enumerate(keys):
        if key == first and i + 1 < len(keys) and keys[i + 1] == second:
            j = i
            while j < len(keys) and keys[j] in OUTPUT_KEYS:
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
                f"the level {cell_text(raw)!r} names range {rng} but the Range column says "
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


__all__ = [
    "find_header_row", "parse_grid", "read_estimates", "scan_sheet_cells",
    "uncached_formula_cells",
]
