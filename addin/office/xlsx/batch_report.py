"""The batch's workbooks: ``consolidated.xlsx`` and ``cmt-report.xlsx`` (Office I/O only).

The figures come from :mod:`addin.core.cmt` (pure); this module lays them out. Every text
value that came from a submission is written with :func:`addin.office.safeio.set_cell` (or, in
the sheets with a row per employee, streamed by :func:`stream_sheet_rows` as inline
strings), so a name such as ``=HYPERLINK(...)`` stays text. Every clock in a file is fixed
by :func:`addin.office.determinism.workbook_bytes` and the file is written atomically
(:func:`addin.office.safeio.atomic_write_bytes`): byte-for-byte reproducible.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from addin.core.cells import col_index, col_letter
from addin.core.cmt import DUPLICATE_RULE, UNKNOWN, BatchRow, CmtSummary, Group, matrix_count
from addin.core.money import round_penny
from addin.core.payroll import PayrollRun
from addin.office.determinism import fixed_moment, workbook_bytes
from addin.office.safeio import atomic_write_bytes, set_cell
from addin.office.xlsx.printlayout import (
    chart_anchor,
    column_widths,
    fit,
    fit_columns,
    font,
    header_width,
    page_setup,
    text_width,
)

MONEY = '"£"#,##0.00'
DATE = "dd/mm/yyyy"
TITLE_FONT_SIZE = 16

def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("Yes" if value else "No")


def _cost(name: str):
    return lambda r: getattr(r.cost, name, None) if r.cost is not None else None


def _est(name: str):
    return lambda r: getattr(r.estimate, name)


def _salary(r) -> Decimal | None:
    """The current salary as written: rounded half-up to the penny (addin.core.money)."""
    value = r.estimate.current_salary
    return None if value is None else round_penny(value)


def _level(name: str):
    return lambda r: (getattr(r.estimate, name).value if getattr(r.estimate, name) else None)


CONSOLIDATED_COLUMNS: list[tuple[str, int, Any, str | None]] = [
    # (header, widest the column gets, getter, number format): the width is the header's
    # or the widest value's (addin.office.xlsx.printlayout.column_widths), at most this
    ("Source file", 40, lambda r: r.source, None),
    ("Source row", 16, lambda r: r.estimate.row, None),
    ("Employee ID", 14, _est("employee_id"), None),
    ("Employee name", 30, _est("employee_name"), None),
    ("Directorate", 70, _est("directorate"), None),
    ("Team", 70, _est("team"), None),
    ("Job title", 60, _est("job_title"), None),
    ("Framework", 40, _est("framework"), None),
    ("Range", 16, _est("range"), None),
    ("Current level", 16, _level("current_level"), None),
    ("Estimated level", 16, _level("estimated_level"), None),
    ("Current salary", 18, _salary, MONEY),
    ("FTE", 16, _est("fte"), "0.00"),
    ("May apply to progress", 26, lambda r: r.status or _yes_no(r.eligible), None),
    ("Reasons", 60, lambda r: "; ".join(r.reasons), None),
    ("Effective date", 16, lambda r: r.effective_date, DATE),
    ("New salary", 18, _cost("new_salary"), MONEY),
    ("Honoured", 16, lambda r: _yes_no(r.honoured) if r.cost is not None else "", None),
    ("Annual increase", 18, _cost("annual_increase"), MONEY),
    ("Full-year cost", 18, _cost("full_year_cost"), MONEY),
    ("In-year cost", 18, _cost("in_year_cost"), MONEY),
    ("In CMT totals", 16, lambda r: _yes_no(r.counted), None),
    ("Not costable because", 40, lambda r: r.cost_problem or "", None),
    ("Errors", 16, lambda r: r.errors, None),
    ("Warnings", 16, lambda r: r.warnings, None),
    ("Employee ID also in", 40, lambda r: "; ".join(r.duplicate_in), None),
    ("Employee costed from", 40, lambda r: r.duplicate_of or ("this row" if r.duplicate_in else ""),
     None),
]


HONOURED_COLUMNS: list[tuple[str, int, Any, str | None]] = [
    ("Source file", 40, lambda r: r.source, None),
    ("Row", 16, lambda r: r.estimate.row, None),
    ("Employee ID", 14, _est("employee_id"), None),
    ("Employee name", 30, _est("employee_name"), None),
    ("Directorate", 70, _est("directorate"), None),
    ("Team", 70, _est("team"), None),
    ("Job title", 60, _est("job_title"), None),
    ("Range", 16, _est("range"), None),
    ("Current level", 16, _level("current_level"), None),
    ("Estimated level", 16, _level("estimated_level"), None),
    ("Current salary", 18, _salary, MONEY),
    ("Pay point for estimated level", 20, lambda r: r.pay_point, MONEY),
]
"""The CMT report's Honoured salaries sheet, laid out like :data:`CONSOLIDATED_COLUMNS`."""


def _header(ws, row: int, headers: Sequence[str], widths: Sequence[float] | None = None, *,
            right: Sequence[int] = (), centre: Sequence[int] = ()) -> None:
    """A header row: white bold on dark blue, wrapped; the headers of the columns in
    ``right`` (1-based: the columns of numbers and dates) right-aligned over their figures,
    those in ``centre`` centred (short codes: levels, Yes/No)."""
    from openpyxl.styles import Alignment, PatternFill

    fill = PatternFill("solid", fgColor="1F4E78")
    for c, text in enumerate(headers, 1):
        cell = set_cell(ws, row, c, text)
        cell.font = font(bold=True, color="FFFFFF")
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top",
                                   horizontal="right" if c in right else
                                   "center" if c in centre else None)
        if widths:
            ws.column_dimensions[col_letter(c)].width = widths[c - 1]


def _put(ws, row: int, col: int, value: Any, fmt: str | None = None):
    if isinstance(value, float):  # never: money is Decimal; guard against stray floats
        value = Decimal(repr(value))
    cell = set_cell(ws, row, col, value)
    if fmt and value is not None and value != "":
        cell.number_format = fmt
    return cell


def write_consolidated(path: Path, rows: Sequence[BatchRow], files: Sequence[dict[str, Any]],
                       *, as_of: dt.date, force: bool = False) -> Path:
    """Every row of every readable submission, then a sheet of per-file status.

    openpyxl lays out the workbook (styles, header, widths from the content, frozen panes,
    filter, page setup, the Files sheet) with one probe row; the Rows sheet's data are
    then streamed as XML by :func:`stream_sheet_rows` (50,000 rows x 26 columns would take
    openpyxl most of the batch's time budget)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Rows"
    values = _row_values(CONSOLIDATED_COLUMNS, rows)
    _row_table(ws, CONSOLIDATED_COLUMNS, values)
    ws.freeze_panes = "C2"
    last = col_letter(len(CONSOLIDATED_COLUMNS))
    ws.auto_filter.ref = f"A1:{last}{max(1, len(rows)) + 1}"
    # 27 columns: A3 landscape, two pages wide (one would print them too small to read),
    # the header row and the source file and row (the frozen columns) on every page
    _print_setup(ws, f"A1:{last}{max(1, len(rows)) + 1}", "MedPay Review - consolidated rows",
                 as_of, fit_width=2, fit_height=0)
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    ws.print_title_rows = "1:1"
    ws.print_title_cols = "A:B"

    fs = wb.create_sheet("Files")
    cols = [("File", 50), ("Status", 12), ("Reason", 70), ("Rows", 8), ("Errors", 8),
            ("Warnings", 10), ("May apply to progress", 12), ("Not costable", 12),
            ("Full-year cost", 16), ("In-year cost", 16),
            ("Feedback copy", 50)]
    file_rows = []
    for f in files:
        file_rows.append([f["file"], f["status"], f.get("reason") or "", f.get("rows", 0),
                          f.get("errors", 0), f.get("warnings", 0),
                          f.get("may_apply_to_progress", 0), f.get("not_costable", 0),
                          _dec(f.get("full_year_cost")), _dec(f.get("in_year_cost")),
                          f.get("feedback") or ""])
    # the files' costs are those of their rows in CMT's totals: this row IS CMT's total
    sums = ["Total (CMT)", "", "", sum(f.get("rows", 0) for f in files),
            sum(f.get("errors", 0) for f in files), sum(f.get("warnings", 0) for f in files),
            sum(f.get("may_apply_to_progress", 0) for f in files),
            sum(f.get("not_costable", 0) for f in files),
            sum((_dec(f.get("full_year_cost")) or Decimal("0.00") for f in files), Decimal("0.00")),
            sum((_dec(f.get("in_year_cost")) or Decimal("0.00") for f in files), Decimal("0.00"))]
    formats = [MONEY if c in (9, 10) else None for c in range(1, len(cols) + 1)]
    widths = column_widths([h for h, _ in cols], [*file_rows, sums], formats, header_lines=2)
    _header(fs, 1, [h for h, _ in cols], [min(w, cap) for w, (_, cap) in zip(widths, cols)],
            right=range(4, 11))
    fs.row_dimensions[1].height = 30  # "May apply to progress" on two lines
    for i, values_ in enumerate(file_rows, start=2):
        for c, v in enumerate(values_, 1):
            _put(fs, i, c, v, formats[c - 1])
    total = len(files) + 2
    for c, v in enumerate(sums, 1):
        if v != "":
            _put(fs, total, c, v, formats[c - 1]).font = font(bold=True)
    fs.freeze_panes = "A2"
    _print_setup(fs, f"A1:{col_letter(len(cols))}{total}", "MedPay Review - submissions", as_of,
                 fit_height=0)
    fs.print_title_rows = "1:1"
    return _save_streamed(wb, ws, values, path, fixed_moment(as_of), force=force)


_PROBES = {MONEY: Decimal("0"), DATE: dt.date(2000, 1, 1), "0.00": Decimal("0")}


def _row_values(columns: Sequence[tuple[str, int, Any, str | None]],
                rows: Sequence[Any]) -> list[list[Any]]:
    """Each row's values through the columns' getters (once: they size the columns, then
    are streamed)."""
    getters = [get for _, _, get, _ in columns]
    return [[get(r) for get in getters] for r in rows]


_FIGURE_HEADERS = {"Source row", "Row", "Range", "Errors", "Warnings"}
"""Columns of whole numbers (no number format): right-aligned headers, as the money,
date and FTE columns."""
_CENTRED_HEADERS = {"Current level", "Estimated level", "Honoured", "In CMT totals"}
"""Columns of short codes (a level letter, Yes/No): centred, header and values, so they
stand apart from the figures beside them."""


def _row_table(ws, columns: Sequence[tuple[str, int, Any, str | None]],
               values: Sequence[Sequence[Any]]) -> None:
    """Lay out a sheet with a row per employee (``(header, widest, getter, number
    format)`` columns): the header row (two lines at most; a column of figures has its
    header right-aligned), widths from the header and ``values`` (each column at most its
    widest), and in row 2 a probe row of placeholder values carrying each column's number
    format, for :func:`stream_sheet_rows` to take the style indexes from (and replace with
    the rows, :func:`_save_streamed`)."""
    headers = [c[0] for c in columns]
    formats = [c[3] for c in columns]
    widths = column_widths(headers, values, formats, header_lines=2, maximum=80)
    from openpyxl.styles import Alignment

    figures = [c for c, (h, _, _, fmt) in enumerate(columns, 1) if fmt or h in _FIGURE_HEADERS]
    centred = [c for c, (h, _, _, _) in enumerate(columns, 1) if h in _CENTRED_HEADERS]
    _header(ws, 1, headers, [min(w, cap) for w, (_, cap, _, _) in zip(widths, columns)],
            right=figures, centre=centred)
    ws.row_dimensions[1].height = 30
    for c, (_, _, _, fmt) in enumerate(columns, 1):
        if fmt:
            _put(ws, 2, c, _PROBES[fmt], fmt)
        elif c in centred:
            _put(ws, 2, c, "probe").alignment = Alignment(horizontal="center")


def _save_streamed(wb, ws, values: Sequence[Sequence[Any]], path: Path, when: dt.datetime, *,
                   force: bool) -> Path:
    """Save ``wb`` with its clocks at ``when``, the rows' ``values`` (:func:`_row_values`)
    streamed into ``ws`` (laid out by :func:`_row_table`), written atomically."""
    # openpyxl numbers the worksheet parts in order
    member = f"xl/worksheets/sheet{wb.worksheets.index(ws) + 1}.xml"
    ncols = ws.max_column
    data = stream_sheet_rows(workbook_bytes(wb, when), member, iter(values), first_row=2,
                             ncols=ncols)
    # stream_sheet_rows copies every member's (already fixed) zip header: nothing to redo
    return atomic_write_bytes(path, data, force=force)


_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def _xml_text(text: str) -> str:
    text = _ILLEGAL_XML.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_TEXT_MEMO = 20_000
"""Texts remembered per column before its memo starts again (bounds memory)."""


def _text_tail(v: str, st: str) -> str:
    """What follows ``<c r="A12`` for a text cell: an inline string, never a formula."""
    text = _xml_text(v)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'"{st} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _other_tail(v: Any, st: str) -> str:
    """The same for the rarer types and for subclasses (a datetime, a float, an IntEnum,
    a str subclass): by isinstance, as exact types are handled inline."""
    if isinstance(v, bool):
        return f'"{st} t="b"><v>{int(v)}</v></c>'
    if isinstance(v, (int, Decimal)):
        return f'"{st}><v>{v}</v></c>'
    if isinstance(v, float):
        return f'"{st}><v>{Decimal(repr(v))}</v></c>'
    if isinstance(v, dt.date):
        day = v.date() if isinstance(v, dt.datetime) else v
        return f'"{st}><v>{(day - _EXCEL_EPOCH).days}</v></c>'
    return _text_tail(str(v), st)


def stream_sheet_rows(data: bytes, member: str, rows, *, first_row: int, ncols: int) -> bytes:
    """Replace row ``first_row`` (a probe row) and below of one sheet with ``rows``.

    Each cell keeps the style index the probe row gave its column (money, date, FTE
    formats). Text is written as an inline string (``t="inlineStr"``), so a value such as
    ``=HYPERLINK(...)`` is text, never a formula; characters XML cannot hold are dropped.
    Numbers and Decimals are written exactly; dates as Excel serial days; None as no cell.
    Every other member, and every member's zip header (date, attributes), is copied as it
    is, so a package :mod:`addin.office.determinism` normalised stays normalised.
    """
    src = zipfile.ZipFile(io.BytesIO(data))
    xml = src.read(member).decode("utf-8")
    start = xml.index("<sheetData>") + len("<sheetData>")
    end = xml.index("</sheetData>")
    body = xml[start:end]
    probe = re.search(rf'<row r="{first_row}"[^>]*>(.*?)</row>', body, re.S)
    styles: dict[int, str] = {}
    if probe:
        for ref, style in re.findall(r'<c r="([A-Z]+)\d+"[^>]*?\bs="(\d+)"', probe.group(1)):
            styles[col_index(ref) - 1] = f' s="{style}"'
        body = body[:probe.start()] + body[probe.end():]
    letters = [col_letter(c + 1) for c in range(ncols)]
    opens = [f'<c r="{letter}' for letter in letters]
    texts: list[dict[str, str]] = [{} for _ in range(ncols)]
    """Per column: text -> the rest of its cell after the row number (a column repeats
    the same directorates, teams, titles and Yes/No down 50,000 rows)."""
    parts = [body]
    n = first_row - 1
    for values in rows:
        n += 1
        rn = str(n)
        cells = []
        for c, v in enumerate(values):
            if v is None:
                continue
            t = type(v)
            if t is str:
                if not v:
                    continue
                memo = texts[c]
                tail = memo.get(v)
                if tail is None:
                    if len(memo) >= _TEXT_MEMO:
                        memo.clear()
                    tail = memo[v] = _text_tail(v, styles.get(c, ""))
                cells.append(opens[c] + rn + tail)
                continue
            st = styles.get(c, "")
            if t is bool:
                cells.append(f'{opens[c]}{rn}"{st} t="b"><v>{int(v)}</v></c>')
            elif t is int or t is Decimal:
                cells.append(f'{opens[c]}{rn}"{st}><v>{v}</v></c>')
            elif t is dt.date:
                cells.append(f'{opens[c]}{rn}"{st}><v>{(v - _EXCEL_EPOCH).days}</v></c>')
            elif isinstance(v, str) and not v:
                continue
            else:
                cells.append(opens[c] + rn + _other_tail(v, st))
        parts.append(f'<row r="{rn}">{"".join(cells)}</row>')
    last = max(n, first_row - 1)
    head = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{letters[-1]}{last}"/>',
                  xml[:start], count=1)
    new_xml = head + "".join(parts) + xml[end:]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, new_xml.encode("utf-8") if info.filename == member
                         else src.read(info.filename))
    return out.getvalue()


def _dec(value: Any) -> Decimal | None:
    return Decimal(value) if isinstance(value, str) and value else None


# ---------------------------------------------------------------- CMT report

GROUP_HEADERS = ["Employees", "Pay rises", "Honoured", "Not costable", "May apply to progress",
                 "Full-year cost", "In-year cost"]
_GROUP_MONEY = 2
"""The last two group columns are money."""


def _group_table(ws, top: int, key_headers: Sequence[str], groups: Sequence[Group],
                 total: bool = True) -> int:
    """Write a totals table at row ``top``; return the last row written."""
    headers = [*key_headers, *GROUP_HEADERS]
    n = len(key_headers)
    _header(ws, top, headers, right=range(n + 1, len(headers) + 1))
    ws.row_dimensions[top].height = 30  # two lines: "May apply to progress"
    r = top
    for g in groups:
        r += 1
        for c, k in enumerate(g.key, 1):
            _put(ws, r, c, k)
        n = len(key_headers)
        for c, (v, fmt) in enumerate(
            [(g.employees, None), (g.increases, None), (g.honoured, None),
             (g.not_costable, None), (g.may_apply, None),
             (g.full_year, MONEY), (g.in_year, MONEY)], start=n + 1):
            _put(ws, r, c, v, fmt)
    if total:
        r += 1
        n = len(key_headers)
        _put(ws, r, 1, "Total").font = font(bold=True)
        sums = [sum(g.employees for g in groups), sum(g.increases for g in groups),
                sum(g.honoured for g in groups), sum(g.not_costable for g in groups),
                sum(g.may_apply for g in groups),
                sum((g.full_year for g in groups), Decimal("0.00")),
                sum((g.in_year for g in groups), Decimal("0.00"))]
        money_from = n + len(GROUP_HEADERS) - _GROUP_MONEY + 1
        for c, v in enumerate(sums, start=n + 1):
            _put(ws, r, c, v, MONEY if c >= money_from else None).font = font(bold=True)
    return r


def _matrix(ws, top: int, left: int, s: CmtSummary) -> int:
    from openpyxl.styles import Alignment

    keys = s.level_keys
    right = Alignment(horizontal="right")
    _put(ws, top, left, "Current \\ estimated level").font = font(bold=True)
    for j, est in enumerate(keys, 1):
        cell = _put(ws, top, left + j, est)
        cell.font, cell.alignment = font(bold=True), right
    cell = _put(ws, top, left + len(keys) + 1, "Total")
    cell.font, cell.alignment = font(bold=True), right
    r = top
    for cur in keys:
        r += 1
        _put(ws, r, left, cur).font = font(bold=True)
        for j, est in enumerate(keys, 1):
            _put(ws, r, left + j, matrix_count(s, cur, est))
        _put(ws, r, left + len(keys) + 1, sum(matrix_count(s, cur, e) for e in keys))
    r += 1
    _put(ws, r, left, "Total").font = font(bold=True)
    for j, est in enumerate(keys, 1):
        _put(ws, r, left + j, sum(matrix_count(s, c, est) for c in keys))
    _put(ws, r, left + len(keys) + 1, s.employees)
    return r


def _print_setup(ws, area: str, title: str, as_of: dt.date, *, landscape: bool = True,
                 fit_width: int = 1, fit_height: int | None = None) -> None:
    """A4 (landscape), one page wide; the Summary on one page, other sheets as tall as they
    take (``fit_height``) with their header row on every page."""
    if fit_height is None:
        fit_height = 1 if ws.title == "Summary" else 0
    page_setup(ws, area=area, landscape=landscape, fit_width=fit_width, fit_height=fit_height,
               header=title,
               footer=f"Position as of {as_of.strftime('%d %B %Y')}")


def _outcomes_block(ws, top: int, run: PayrollRun) -> int:
    """The front sheet's stage 9 figures (Appendix K: CMT is told where the assessed
    levels differ from the estimates, up or down, with the cost); returns the last row."""
    from openpyxl.styles import Alignment, Font

    o = run.totals.overall
    ws.cell(top, 1, "Assessment outcomes against the estimates (stage 9)").font = Font(bold=True, size=12)
    figures = [
        ("Employees assessed (Initial Assessment forms)", o.employees, None),
        ("Assessed above the estimate", o.up, None),
        ("Assessed below the estimate", o.down, None),
        ("Assessed as estimated", o.same, None),
        ("Outcomes still missing", len(run.missing), None),
        ("Full-year cost difference against the estimates", o.full_year_difference, MONEY),
        ("In-year cost difference against the estimates", o.in_year_difference, MONEY),
        ("Pay changes sent to payroll (salaries honoured)", f"{len(run.changes)} ({run.honoured})", None),
    ]
    r = top
    for label, value, fmt in figures:
        r += 1
        _put(ws, r, 1, label)
        cell = _put(ws, r, 4, value, fmt)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="right")
    r += 1
    _put(ws, r, 1, "Details: outcomes-vs-estimates.xlsx; payroll: payroll-changes.xlsx").font = Font(italic=True)
    return r


MATRIX_COLUMN = 10
"""The Summary sheet's level matrix starts in column J, right of the directorate table."""


def key_figures(s: CmtSummary) -> list[tuple[str, Any, str | None]]:
    """The Summary sheet's key figures (label, value, number format), from row 5 in
    columns A and D. Employees in the Review = pay rises + no change + honoured + not
    costable; the costs add up every costable employee; "may apply to progress" is
    eligibility for the next window (section 7), a separate count. Below them, one line
    per reason rows could not be costed."""
    figures: list[tuple[str, Any, str | None]] = [
        ("Submissions received", s.submissions, None),
        ("Submissions that could not be read", s.unreadable, None),
        ("Employee rows received", s.rows, None),
        ("Rows whose employee ID is in another submission (flagged)", s.duplicates, None),
        ("Duplicate rows not costed again (sheet Duplicate employees)",
         s.duplicates_not_costed, None),
        ("Employees in the Review", s.employees, None),
        ("Pay rises (pay point above current salary)", s.pay_rises, None),
        ("No change (pay point equals current salary)", s.no_change, None),
        ("Salaries honoured (pay point below current salary; no cost)", len(s.honoured), None),
        ("Not costable (a cell the cost needs is blank or invalid)", s.not_costable, None),
        ("May apply to progress at the next window (7.22, 7.28)", s.may_apply, None),
        ("Full-year cost (pay + employer on-costs)", s.full_year, MONEY),
        ("In-year cost (effective date to 31 March)", s.in_year, MONEY),
    ]
    figures += [(f"Not costable: {why}", n, None) for why, n in s.not_costable_reasons.items()]
    return figures


DUPLICATE_HEADERS = [("Employee ID", 14), ("Costed from", 30), ("Row", 6),
                     ("Not costed again (flagged)", 50), ("Why this row", 70)]


def _duplicates_sheet(ws, s: CmtSummary, title: str) -> None:
    """Each employee in several submissions: which row was costed, which were not, and
    the rule (:data:`addin.core.cmt.DUPLICATE_RULE`)."""
    _header(ws, 1, [h for h, _ in DUPLICATE_HEADERS], [w for _, w in DUPLICATE_HEADERS])
    from openpyxl.styles import Alignment

    wrap = Alignment(wrap_text=True, vertical="top")
    for i, c in enumerate(s.duplicate_choices, start=2):
        for col, v in enumerate([c.employee_id, c.costed[0], c.costed[1],
                                 "; ".join(f"{f} row {n}" for f, n in c.not_costed_again),
                                 DUPLICATE_RULE[0].upper() + DUPLICATE_RULE[1:]], 1):
            _put(ws, i, col, v).alignment = wrap
        ws.row_dimensions[i].height = 45  # the rule wraps to three lines
    ws.freeze_panes = "A2"
    _print_setup(ws, f"A1:E{max(1, len(s.duplicate_choices)) + 1}", title, s.as_of)
    ws.print_title_rows = "1:1"


def _fit_group_columns(ws, first: int, skip_rows: Sequence[int]) -> None:
    """Size the figure columns of a totals table (from column ``first``): the widest
    figure, or the header on two lines."""
    cols = range(first, first + len(GROUP_HEADERS))
    fit_columns(ws, cols, skip_rows=skip_rows, minimum=8)
    for c, h in zip(cols, GROUP_HEADERS):
        dim = ws.column_dimensions[col_letter(c)]
        dim.width = max(dim.width, fit(header_width(h, 2) + 1))  # +1: apart from the next


def write_cmt_report(path: Path, s: CmtSummary, *, force: bool = False,
                     outcomes: PayrollRun | None = None) -> Path:
    """The monthly CMT cost-monitoring workbook (Appendix K, stages 8-9); ``outcomes``,
    the batch's payroll run when the inbox held Initial Assessment forms, adds their
    figures to the front sheet.

    The Summary prints on one A4 landscape page: key figures and the cost by directorate
    on the left, the level matrix and the bar chart of full-year cost by directorate on
    the right, the chart anchored to the matrix's columns (inside the print area). Every
    column is as wide as what it holds; figures' headers are right-aligned over them."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment

    title = "MedPay Review - cost monitoring report for CMT"
    wb = Workbook()
    ws = wb.active
    ws.title = "Summary"
    ws["A1"] = title
    ws["A1"].font = font(bold=True, size=TITLE_FONT_SIZE)
    ws["A2"] = (f"Position as of {s.as_of.strftime('%d %B %Y')}, from the managers' level "
                "estimates (policy Appendix K, stages 8-9): the cost of the Review, every "
                "employee placed at their estimated level (pay plus employer on-costs).")
    ws["A3"] = ("Honoured salaries cost nothing. Whether an employee may apply to progress at "
                "the next window (section 7) is counted apart and does not change the cost.")
    for ref in ("A2", "A3"):
        ws[ref].alignment = Alignment(wrap_text=False)
    ws["A4"] = "Key figures"
    ws["A4"].font = font(bold=True, size=12)
    figures = key_figures(s)
    for i, (label, value, fmt) in enumerate(figures, start=5):
        _put(ws, i, 1, label)
        _put(ws, i, 4, value, fmt).font = font(bold=True)
    dir_top = 5 + len(figures) + 1  # blank row, then the table title
    ws.cell(dir_top, 1, "Cost by directorate").font = font(bold=True, size=12)
    last = _group_table(ws, dir_top + 1, ["Directorate"], s.by_directorate)
    if outcomes is not None:
        last = _outcomes_block(ws, last + 2, outcomes)
    mcol = MATRIX_COLUMN
    ws.cell(4, mcol, "Employees by current and estimated level").font = font(bold=True, size=12)
    mlast = _matrix(ws, 5, mcol, s)
    last_col = mcol + len(s.level_keys) + 1  # the matrix's Total column

    # widths: the key figures' labels run on over B:C (empty beside them), the
    # directorates fit in A; the figures' columns fit their figures and two-line headers
    titles = [1, 2, 3, 4, dir_top, dir_top + 1]
    _fit_group_columns(ws, 2, skip_rows=titles)
    fit_columns(ws, [1], skip_rows=[*titles, *range(5, 5 + len(figures))], minimum=20,
                maximum=80)
    spill = ws.column_dimensions["B"].width + ws.column_dimensions["C"].width
    label_need = fit(max(text_width(label) for label, _, _ in figures)) - spill
    ws.column_dimensions["A"].width = max(ws.column_dimensions["A"].width, label_need)
    ws.column_dimensions[col_letter(mcol - 1)].width = 3
    fit_columns(ws, [mcol], skip_rows=[4])
    fit_columns(ws, range(mcol + 1, last_col + 1), minimum=10)

    chart = BarChart()
    chart.type = "bar"
    chart.style = 10
    chart.title = "Full-year cost by directorate"
    chart.y_axis.title = "£"
    chart.y_axis.numFmt = '"£"#,##0'
    chart.x_axis.title = None
    chart.x_axis.delete = False  # openpyxl 3.1 hides the axes in Excel unless told
    chart.y_axis.delete = False
    chart.legend = None
    n = len(s.by_directorate)
    full_col = 2 + GROUP_HEADERS.index("Full-year cost")
    data = Reference(ws, min_col=full_col, min_row=dir_top + 1, max_row=dir_top + 1 + max(n, 1))
    cats = Reference(ws, min_col=1, min_row=dir_top + 2, max_row=dir_top + 1 + max(n, 1))
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    chart_top, chart_rows = mlast + 2, 16
    ws.add_chart(chart, chart_anchor(mcol, last_col, chart_top, chart_rows))
    bottom = max(last, chart_top + chart_rows - 1)
    _print_setup(ws, f"A1:{col_letter(last_col)}{bottom}", title, s.as_of)
    ws.sheet_view.showGridLines = False

    lv = wb.create_sheet("Levels")
    lv["A1"] = "Employees by current level (rows) and estimated level (columns)"
    lv["A1"].font = font(bold=True, size=12)
    mlast = _matrix(lv, 3, 1, s)
    fit_columns(lv, [1], skip_rows=[1])
    fit_columns(lv, range(2, len(s.level_keys) + 3), minimum=10)
    _print_setup(lv, f"A1:{col_letter(len(s.level_keys) + 2)}{mlast}", title, s.as_of)

    for name, headers, groups in [
        ("By directorate", ["Directorate"], s.by_directorate),
        ("By team", ["Directorate", "Team"], s.by_team),
        ("By framework", ["Framework"], s.by_framework),
    ]:
        gs = wb.create_sheet(name)
        last = _group_table(gs, 1, headers, groups)
        fit_columns(gs, range(1, len(headers) + 1), minimum=14, maximum=80)
        _fit_group_columns(gs, len(headers) + 1, skip_rows=[1])
        gs.freeze_panes = "A2"
        _print_setup(gs, f"A1:{col_letter(len(headers) + len(GROUP_HEADERS))}{last}", title,
                     s.as_of)
        gs.print_title_rows = "1:1"

    _duplicates_sheet(wb.create_sheet("Duplicate employees"), s, title)

    hs = wb.create_sheet("Honoured salaries")
    # one row per honoured salary (thousands in a large batch): streamed like the
    # consolidated rows
    values = _row_values(HONOURED_COLUMNS, s.honoured)
    _row_table(hs, HONOURED_COLUMNS, values)
    hs.freeze_panes = "A2"
    _print_setup(hs, f"A1:{col_letter(len(HONOURED_COLUMNS))}{max(1, len(s.honoured)) + 1}", title,
                 s.as_of)
    hs.print_title_rows = "1:1"
    return _save_streamed(wb, hs, values, path, fixed_moment(s.as_of), force=force)


__all__ = ["write_consolidated", "write_cmt_report", "CONSOLIDATED_COLUMNS", "HONOURED_COLUMNS",
           "UNKNOWN"]
