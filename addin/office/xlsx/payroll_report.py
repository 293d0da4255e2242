"""Stage 9's workbooks (Office I/O only; every figure comes from :mod:`addin.core.payroll`):

* ``payroll-changes.xlsx``: sheet "Changes" (one row per pay change, for payroll) and
  sheet "Control" (count and total annual change per effective date, and a sign-off
  block);
* ``outcomes-vs-estimates.xlsx``: a front sheet that reads as a one-page note to CMT, the
  outcome of every assessed employee against the estimate, totals by directorate and by
  team with a native chart, the employees whose outcome is missing, and the problems.

Print-ready: A4, landscape tables fitted to the page width with the header row repeated
on every page, Arial throughout, page numbers in the footer. Text from the inputs goes
through :func:`addin.office.safeio.set_cell` (never a formula); every clock is fixed to
the run date (:mod:`addin.office.determinism`), so the same run gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from addin.core.cells import col_letter
from addin.core.costing import ZERO
from addin.core.money import format_gbp
from addin.core.payroll import Outcome, OutcomeSums, PayChange, PayrollRun
from addin.office.determinism import fixed_moment, workbook_bytes
from addin.office.safeio import atomic_write_bytes, set_cell

FONT_NAME = "Arial"
MONEY = '"£"#,##0.00;[Red]-"£"#,##0.00'
DATE = "dd/mm/yyyy"
FTE = "0.00##"
HEADER_FILL = "1F4E78"

# (header, width, getter, number format)
CHANGE_COLUMNS: list[tuple[str, int, Any, str | None]] = [
    ("Employee ID", 12, lambda c: c.employee_id, None),
    ("Employee name", 24, lambda c: c.employee_name, None),
    ("Directorate", 20, lambda c: c.directorate, None),
    ("Team", 20, lambda c: c.team, None),
    ("Job title", 26, lambda c: c.job_title, None),
    ("Range", 7, lambda c: c.range, None),
    ("Current level", 9, lambda c: c.current_level.value if c.current_level else "", None),
    ("New level", 8, lambda c: c.new_level.value, None),
    ("Current salary", 13, lambda c: c.current_salary, MONEY),
    ("New salary", 13, lambda c: c.new_salary, MONEY),
    ("FTE", 7, lambda c: c.fte, FTE),
    ("Effective date", 12, lambda c: c.effective_date, DATE),
    ("Reason", 20, lambda c: c.reason, None),
    ("Honoured", 9, lambda c: "Yes" if c.honoured else "No", None),
]
"""Sheet "Changes": the payroll CSV's columns (:data:`addin.core.payroll.CSV_COLUMNS`)
with their headers as people read them. Salaries are annual full-time."""


def _lv(level) -> str:
    return level.value if level else ""


OUTCOME_COLUMNS: list[tuple[str, int, Any, str | None]] = [
    ("Employee ID", 12, lambda o: o.estimate.employee_id, None),
    ("Employee name", 22, lambda o: o.estimate.employee_name, None),
    ("Directorate", 18, lambda o: o.estimate.directorate, None),
    ("Team", 18, lambda o: o.estimate.team, None),
    ("Range", 7, lambda o: o.range, None),
    ("Estimated level", 9, lambda o: _lv(o.estimate.estimated_level), None),
    ("Assessed level", 9, lambda o: o.assessed_level.value, None),
    ("Outcome", 10, lambda o: o.direction, None),
    ("Effective date", 11, lambda o: o.effective_date, DATE),
    ("Full-year cost at estimate", 13, lambda o: o.at_estimate.full_year_cost if o.at_estimate else None, MONEY),
    ("Full-year cost as assessed", 13, lambda o: o.at_assessment.full_year_cost, MONEY),
    ("Full-year difference", 13, lambda o: o.full_year_difference, MONEY),
    ("In-year cost at estimate", 13, lambda o: o.at_estimate.in_year_cost if o.at_estimate else None, MONEY),
    ("In-year cost as assessed", 13, lambda o: o.at_assessment.in_year_cost, MONEY),
    ("In-year difference", 13, lambda o: o.in_year_difference, MONEY),
    ("Form", 26, lambda o: o.form, None),
]

SUM_COLUMNS: list[tuple[str, int, Any, str | None]] = [
    ("Assessed", 10, lambda s: s.employees, None),
    ("Up", 7, lambda s: s.up, None),
    ("Down", 7, lambda s: s.down, None),
    ("Same", 7, lambda s: s.same, None),
    ("Not estimated", 10, lambda s: s.not_estimated, None),
    ("Full-year difference", 15, lambda s: s.full_year_difference, MONEY),
    ("In-year difference", 15, lambda s: s.in_year_difference, MONEY),
]


def _font(**kw):
    from openpyxl.styles import Font

    return Font(name=FONT_NAME, size=kw.pop("size", 10), **kw)


def _put(ws, row: int, col: int, value: Any, fmt: str | None = None, **font):
    cell = set_cell(ws, row, col, value)
    cell.font = _font(**font)
    if fmt and value is not None and value != "":
        cell.number_format = fmt
    return cell


def _header(ws, row: int, headers: Sequence[str], widths: Sequence[int] | None = None) -> None:
    from openpyxl.styles import Alignment, PatternFill

    fill = PatternFill("solid", fgColor=HEADER_FILL)
    for c, text in enumerate(headers, 1):
        cell = _put(ws, row, c, text, bold=True, color="FFFFFF")
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if widths:
            ws.column_dimensions[col_letter(c)].width = widths[c - 1]
    ws.row_dimensions[row].height = 27  # two lines: wrapped headers show whole in print


def _table(ws, top: int, columns, items) -> int:
    """A header row at ``top`` and one row per item; returns the last row written."""
    _header(ws, top, [h for h, *_ in columns], [w for _, w, *_ in columns])
    r = top
    for item in items:
        r += 1
        for c, (_, _, get, fmt) in enumerate(columns, 1):
            _put(ws, r, c, get(item), fmt)
    return r


def _print_setup(ws, area: str, title: str, as_of: dt.date, *, landscape: bool = True,
                 one_page: bool = False, title_rows: str | None = None) -> None:
    ws.print_area = area
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    if title_rows:
        ws.print_title_rows = title_rows
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.oddHeader.center.text = title
    ws.oddHeader.center.font = FONT_NAME
    ws.oddHeader.right.text = "OFFICIAL - SENSITIVE"
    ws.oddHeader.right.font = FONT_NAME
    ws.oddFooter.left.text = f"Run date {as_of.strftime('%d %B %Y')}"
    ws.oddFooter.left.font = FONT_NAME
    ws.oddFooter.right.text = "Page &P of &N"
    ws.oddFooter.right.font = FONT_NAME
    ws.print_options.gridLines = False


def _save(wb, path: str | Path, as_of: dt.date, force: bool) -> Path:
    return atomic_write_bytes(path, workbook_bytes(wb, fixed_moment(as_of)), force=force)


def _long_date(d: dt.date) -> str:
    return f"{d.day} {d.strftime('%B %Y')}"


# ---------------------------------------------------------------- payroll-changes.xlsx


def build_payroll_workbook(run: PayrollRun):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Side

    title = "MedPay Review - pay changes for payroll"
    wb = Workbook()
    ws = wb.active
    ws.title = "Changes"
    last = _table(ws, 1, CHANGE_COLUMNS, run.changes)
    ws.freeze_panes = "C2"
    if run.changes:
        ws.auto_filter.ref = f"A1:{col_letter(len(CHANGE_COLUMNS))}{last}"
    _print_setup(ws, f"A1:{col_letter(len(CHANGE_COLUMNS))}{max(last, 1)}", title, run.as_of,
                 title_rows="1:1")

    cs = wb.create_sheet("Control")
    _put(cs, 1, 1, title, size=14, bold=True)
    sources = "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in run.sources.items() if v)
    notes: list[tuple[int, str, dict[str, Any]]] = [
        (2, f"Run date {_long_date(run.as_of)}. Salaries are annual full-time; the annual "
            "change is (new - current) x FTE. No payment is backdated (policy Appendix K "
            "stage 9, 7.20).", {"italic": True}),
        (3, f"From {sources}." if sources else "", {}),
    ]
    for r, text, font in notes:
        cs.merge_cells(start_row=r, start_column=1, end_row=r, end_column=4)
        _put(cs, r, 1, text, **font).alignment = Alignment(wrap_text=True, vertical="top")
        cs.row_dimensions[r].height = 27
    top = 5
    _header(cs, top, ["Effective date", "Changes", "Of which honoured", "Total annual change"],
            [22, 12, 16, 20])
    r = top
    for line in run.control:
        r += 1
        _put(cs, r, 1, line.effective_date, DATE)
        _put(cs, r, 2, line.changes)
        _put(cs, r, 3, line.honoured)
        _put(cs, r, 4, line.annual_change, MONEY)
    r += 1
    _put(cs, r, 1, "Total", bold=True)
    _put(cs, r, 2, len(run.changes), bold=True)
    _put(cs, r, 3, run.honoured, bold=True)
    _put(cs, r, 4, sum((c.annual_change for c in run.changes), ZERO), MONEY, bold=True)
    r += 2
    _put(cs, r, 1, "Sign-off", size=12, bold=True)
    line = Side(style="thin")
    for label in ("Prepared by", "Checked by", "Date"):
        r += 2
        _put(cs, r, 1, label, bold=True)
        for c in (2, 3, 4):
            cell = cs.cell(r, c)
            cell.border = Border(bottom=line)
            cell.font = _font()
    cs.sheet_view.showGridLines = False
    _print_setup(cs, f"A1:D{r}", title, run.as_of, landscape=False, one_page=True)
    return wb


def write_payroll_workbook(path: str | Path, run: PayrollRun, *, force: bool = False) -> Path:
    return _save(build_payroll_workbook(run), path, run.as_of, force)


# ---------------------------------------------------------------- outcomes-vs-estimates.xlsx


def _sums_table(ws, top: int, keys: Sequence[str], groups: dict, overall: OutcomeSums) -> int:
    _header(ws, top, [*keys, *(h for h, *_ in SUM_COLUMNS)],
            [*(24 for _ in keys), *(w for _, w, *_ in SUM_COLUMNS)])
    r = top
    for key, s in groups.items():
        r += 1
        for c, k in enumerate(key if isinstance(key, tuple) else (key,), 1):
            _put(ws, r, c, k)
        for c, (_, _, get, fmt) in enumerate(SUM_COLUMNS, len(keys) + 1):
            _put(ws, r, c, get(s), fmt)
    r += 1
    _put(ws, r, 1, "Total", bold=True)
    for c, (_, _, get, fmt) in enumerate(SUM_COLUMNS, len(keys) + 1):
        _put(ws, r, c, get(overall), fmt, bold=True)
    return r


def _note_text(run: PayrollRun) -> list[str]:
    """The front sheet's paragraphs: what CMT needs to read."""
    o = run.totals.overall
    fy, iy = o.full_year_difference, o.in_year_difference

    def signed(v: Decimal) -> str:
        return f"{format_gbp(v)} more" if v > 0 else f"{format_gbp(-v)} less" if v < 0 else "no different"

    return [
        "Purpose: Appendix K, stage 9 of the MedPay Performance, Progression and Pay policy "
        "asks that CMT is told where employees' assessed levels differ from the levels their "
        "managers estimated at stage 8, up or down, with the cost.",
        f"Outcomes: {o.employees} employee(s) assessed - {o.up} above the estimate, {o.down} "
        f"below, {o.same} as estimated" + (f", {o.not_estimated} with no estimate" if o.not_estimated else "")
        + f". {len(run.missing)} outcome(s) are still missing.",
        f"Cost: against the estimates the outcomes cost {signed(fy)} a full year and "
        f"{signed(iy)} in this financial year (pay plus employer on-costs, each costed from "
        "its payroll date; salaries honoured cost nothing).",
        f"Payroll: {len(run.changes)} pay change(s) go to payroll, {run.honoured} of them "
        "salaries honoured (assessed below current pay: pay protected, no reduction). No "
        "payment is backdated.",
    ]


def build_outcomes_workbook(run: PayrollRun):
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment

    title = "MedPay Review - assessment outcomes against estimates"
    totals = run.totals
    wb = Workbook()
    ws = wb.active
    ws.title = "Note to CMT"
    ws.sheet_view.showGridLines = False
    ws.column_dimensions["A"].width = 44
    for col in "BCDEFGH":
        ws.column_dimensions[col].width = 13
    _put(ws, 1, 1, title, size=16, bold=True)
    _put(ws, 2, 1, f"Position on {_long_date(run.as_of)}", italic=True)
    r = 3
    for text in _note_text(run):
        r += 1
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=8)
        cell = _put(ws, r, 1, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[r].height = 42
    r += 2
    _put(ws, r, 1, "Key figures", size=12, bold=True)
    o = totals.overall
    figures = [
        ("Employees assessed", o.employees, None),
        ("Assessed above the estimate (up)", o.up, None),
        ("Assessed below the estimate (down)", o.down, None),
        ("Assessed as estimated", o.same, None),
        ("Outcomes missing", len(run.missing), None),
        ("Full-year cost difference against the estimates", o.full_year_difference, MONEY),
        ("In-year cost difference against the estimates", o.in_year_difference, MONEY),
        ("Pay changes for payroll (of which honoured)", f"{len(run.changes)} ({run.honoured})", None),
    ]
    for label, value, fmt in figures:
        r += 1
        _put(ws, r, 1, label)
        _put(ws, r, 2, value, fmt, bold=True).alignment = Alignment(horizontal="right")
    r += 2
    _put(ws, r, 1, "By directorate", size=12, bold=True)
    dir_top = r + 1
    dir_last = _sums_table(ws, dir_top, ["Directorate"], totals.by_directorate, o)
    ws.column_dimensions["A"].width = 44
    bottom = dir_last
    if totals.by_directorate:
        chart = BarChart()
        chart.type = "bar"
        chart.style = 10
        chart.title = "Full-year cost difference by directorate"
        chart.y_axis.numFmt = '"£"#,##0'
        chart.y_axis.title = "£ against the estimate"
        chart.legend = None
        chart.x_axis.tickLblPos = "low"  # directorate names clear of bars below zero
        diff_col = 1 + [h for h, *_ in SUM_COLUMNS].index("Full-year difference") + 1
        n = len(totals.by_directorate)
        chart.add_data(Reference(ws, min_col=diff_col, min_row=dir_top, max_row=dir_top + n),
                       titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=dir_top + 1, max_row=dir_top + n))
        chart.height, chart.width = 6.5, 17
        ws.add_chart(chart, f"A{dir_last + 2}")
        bottom = dir_last + 15
    _print_setup(ws, f"A1:H{bottom}", title, run.as_of, landscape=False, one_page=True)

    os_ = wb.create_sheet("Outcomes")
    last = _table(os_, 1, OUTCOME_COLUMNS, run.outcomes)
    os_.freeze_panes = "C2"
    _print_setup(os_, f"A1:{col_letter(len(OUTCOME_COLUMNS))}{last}", title, run.as_of,
                 title_rows="1:1")

    tables: list[tuple[str, list[str], dict[Any, OutcomeSums]]] = [
        ("By directorate", ["Directorate"], dict(totals.by_directorate)),
        ("By team", ["Directorate", "Team"], dict(totals.by_team))]
    for name, keys, groups in tables:
        gs = wb.create_sheet(name)
        last = _sums_table(gs, 1, keys, groups, o)
        gs.freeze_panes = "A2"
        _print_setup(gs, f"A1:{col_letter(len(keys) + len(SUM_COLUMNS))}{last}", title, run.as_of,
                     title_rows="1:1")

    ms = wb.create_sheet("Outcomes missing")
    last = _table(ms, 1, [
        ("Employee ID", 12, lambda e: e.employee_id, None),
        ("Employee name", 24, lambda e: e.employee_name, None),
        ("Directorate", 22, lambda e: e.directorate, None),
        ("Team", 22, lambda e: e.team, None),
        ("Estimated level", 10, lambda e: _lv(e.estimated_level), None),
        ("Estimates file", 30, lambda e: Path(e.file).name, None),
        ("Row", 6, lambda e: e.row, None),
    ], run.missing)
    _print_setup(ms, f"A1:G{last}", title, run.as_of, title_rows="1:1")

    ps = wb.create_sheet("Problems")
    last = _table(ps, 1, [
        ("File", 30, lambda f: Path(f.file).name if f.file else "", None),
        ("Sheet", 14, lambda f: f.sheet or "", None),
        ("Cell", 7, lambda f: f.cell or "", None),
        ("Severity", 9, lambda f: f.severity.value, None),
        ("Code", 24, lambda f: f.code, None),
        ("Message", 90, lambda f: f.message, None),
    ], run.findings)
    for r in range(2, last + 1):
        cell = ps.cell(r, 6)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        # spreadsheet programs do not grow a row for wrapped text on opening: ~100
        # characters a line in the 90-wide column
        ps.row_dimensions[r].height = 13 * max(1, -(-len(str(cell.value or "")) // 100))
    _print_setup(ps, f"A1:F{last}", title, run.as_of, title_rows="1:1")
    return wb


def write_outcomes_workbook(path: str | Path, run: PayrollRun, *, force: bool = False) -> Path:
    return _save(build_outcomes_workbook(run), path, run.as_of, force)


__all__ = ["CHANGE_COLUMNS", "OUTCOME_COLUMNS", "build_outcomes_workbook", "build_payroll_workbook",
           "write_outcomes_workbook", "write_payroll_workbook", "PayChange", "Outcome"]
