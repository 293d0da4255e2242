"""The cost report workbook: one sheet of costed rows, one Totals table (overall, by
directorate, team and framework) with a native bar chart of cost by directorate.

Office I/O only - every figure comes from :mod:`addin.core.costing`. Text is written with
:func:`addin.office.safeio.set_cell` (a name such as "=HYPERLINK(...)" stays text), and the
file is saved atomically and reproducibly (:func:`addin.office.determinism.save_workbook`: no
overwrite without ``force``, timestamps fixed to the ``as_of`` date). The batch reuses
:func:`build_cost_workbook` / :func:`write_cost_report`.

Printed (issue 20): both sheets A4 landscape, one page wide, the header row on every page;
columns as wide as what they hold; every font named
(:mod:`addin.office.xlsx.printlayout`); dates dd/mm/yyyy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from addin.core.cells import col_letter
from addin.core.costing import CostRow, CostSums, CostTotals
from addin.core.costing import totals as cost_totals
from addin.core.model import EstimateRow
from addin.core.money import round_penny
from addin.core.ukdates import uk_date
from addin.office.determinism import fixed_moment, save_workbook
from addin.office.safeio import check_writable, set_cell
from addin.office.xlsx.printlayout import chart_anchor, column_widths, font, page_setup, set_widths

MONEY_FORMAT = '"£"#,##0.00'
DATE_FORMAT = "dd/mm/yyyy"
ROWS_SHEET = "Costs"
TOTALS_SHEET = "Totals"
TOTALS_TABLE = "Totals"
TITLE = "Cost of level estimates"

ROW_COLUMNS: tuple[tuple[str, str], ...] = (
    ("employee_id", "Employee ID"),
    ("employee_name", "Employee name"),
    ("directorate", "Directorate"),
    ("team", "Team"),
    ("framework", "Framework"),
    ("range", "Range"),
    ("current_level", "Current level"),
    ("level", "Estimated level"),
    ("fte", "FTE"),
    ("current_salary", "Current salary (full-time)"),
    ("new_salary", "New salary (full-time)"),
    ("honoured", "Salary honoured"),
    ("effective_date", "Effective date"),
    ("annual_increase", "Annual increase"),
    ("employer_ni", "Employer NI"),
    ("pension", "Employer pension"),
    ("levy", "Apprenticeship levy"),
    ("full_year_cost", "Full-year cost"),
    ("in_year_months", "Months in year"),
    ("in_year_cost", "In-year cost"),
)
"""The Costs sheet's columns: a :class:`CostRow` attribute, or (employee name, current
level) one of the row's :class:`EstimateRow` - as the Excel button Cost estimates lists
them (:data:`addin.excel.buttons.COST_HEADERS`)."""
ESTIMATE_COLUMNS = {"employee_name", "current_level"}
MONEY_COLUMNS = {"current_salary", "new_salary", "annual_increase", "employer_ni", "pension",
                 "levy", "full_year_cost", "in_year_cost"}
FIGURE_COLUMNS = MONEY_COLUMNS | {"range", "fte", "effective_date", "in_year_months"}
"""Right-aligned (their headers too)."""
CENTRED_COLUMNS = {"current_level", "level", "honoured"}
"""Short codes (a level letter, Yes/No): centred, header and values."""
TOTAL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("rows", "Rows"),
    ("increases", "Pay rises"),
    ("no_change", "No change"),
    ("honoured", "Honoured"),
    ("annual_increase", "Annual increase"),
    ("employer_ni", "Employer NI"),
    ("pension", "Employer pension"),
    ("levy", "Apprenticeship levy"),
    ("full_year_cost", "Full-year cost"),
    ("in_year_cost", "In-year cost"),
)
TOTAL_KEYS = ("Totals by", "Name")
"""The Totals table's first two columns: Overall, Directorate, Team or Framework, and which."""


def _value(row: CostRow, est: EstimateRow | None, name: str) -> object:
    if name in ESTIMATE_COLUMNS:
        value = getattr(est, name) if est is not None else None
    else:
        value = getattr(row, name)
    if name in ("level", "current_level"):
        return value.value if value else None
    if name == "honoured":
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        return float(round_penny(value))  # Excel stores doubles; the penny figure (half-up)
    return value


def _format(name: str) -> str | None:
    if name in MONEY_COLUMNS:
        return MONEY_FORMAT
    if name == "effective_date":
        return DATE_FORMAT
    if name == "fte":
        return "0.00"
    return None


def _header_row(ws, row: int, headers: Sequence[str], right: Sequence[int],
                centre: Sequence[int] = ()) -> None:
    """Bold wrapped headers; those over figures (columns ``right``) right-aligned, those
    over short codes (``centre``) centred."""
    from openpyxl.styles import Alignment

    for c, text in enumerate(headers, 1):
        cell = set_cell(ws, row, c, text)
        cell.font = font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top",
                                   horizontal="right" if c in right else
                                   "center" if c in centre else None)
    ws.row_dimensions[row].height = 30  # two lines


def build_cost_workbook(rows: Sequence[CostRow], sums: CostTotals | None = None, *,
                        as_of: dt.date | None = None, cola: Decimal | None = None,
                        source: str | None = None,
                        estimates: Sequence[EstimateRow] | None = None):
    """An openpyxl workbook of the costed rows and their totals (not saved).

    ``estimates`` (the rows each cost came from, in the same order) give the employee's
    name and current level; without them those columns are blank."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference, Series
    from openpyxl.chart.data_source import StrRef
    from openpyxl.chart.series import SeriesLabel
    from openpyxl.styles import Alignment
    from openpyxl.worksheet.table import Table, TableStyleInfo

    sums = sums if sums is not None else cost_totals(rows)
    ests: Sequence[EstimateRow | None] = estimates if estimates is not None else [None] * len(rows)
    as_of_text = uk_date(as_of) if as_of else None
    wb = Workbook()
    ws = wb.active
    ws.title = ROWS_SHEET
    names = [n for n, _ in ROW_COLUMNS]
    headers = [h for _, h in ROW_COLUMNS]
    formats = [_format(n) for n in names]
    values = [[_value(row, est, n) for n in names] for row, est in zip(rows, ests)]
    centred = [c for c, n in enumerate(names, 1) if n in CENTRED_COLUMNS]
    _header_row(ws, 1, headers, [c for c, n in enumerate(names, 1) if n in FIGURE_COLUMNS],
                centred)
    centre = Alignment(horizontal="center")
    for r, line in enumerate(values, 2):
        for c, v in enumerate(line, 1):
            cell = set_cell(ws, r, c, v)
            if formats[c - 1]:
                cell.number_format = formats[c - 1]
            elif c in centred:
                cell.alignment = centre
    set_widths(ws, column_widths(headers, values, formats, header_lines=2, maximum=45))
    ws.freeze_panes = "C2"  # the employee's ID and name stay in view
    last_col = col_letter(len(ROW_COLUMNS))
    if rows:
        ws.auto_filter.ref = f"A1:{last_col}{len(rows) + 1}"
    page_setup(ws, area=f"A1:{last_col}{len(rows) + 1}", title_rows="1:1", header=TITLE,
               footer=f"As of {as_of_text}" if as_of_text else None)

    # ---- Totals: what was costed, then one table of every total
    ts = wb.create_sheet(TOTALS_SHEET)
    set_cell(ts, 1, 1, TITLE).font = font(bold=True, size=14)
    facts: list[tuple[str, object, str | None]] = []
    if as_of:
        facts.append(("As of", as_of, DATE_FORMAT))
    if cola:
        facts.append(("Cost-of-living award", f"{cola}% from the COLA date", None))
    if source:
        facts.append(("Costed from", Path(source).name, None))
    r = 2
    for label, value, fmt in facts:
        set_cell(ts, r, 1, label).font = font(bold=True)
        cell = set_cell(ts, r, 2, value)
        cell.alignment = Alignment(horizontal="left")
        if fmt:
            cell.number_format = fmt
        r += 1
    top = r + 1
    groups: list[tuple[str, dict[str, CostSums]]] = [
        ("Overall", {"All rows": sums.overall}), ("Directorate", sums.by_directorate),
        ("Team", sums.by_team), ("Framework", sums.by_framework)]
    t_headers = [*TOTAL_KEYS, *(h for _, h in TOTAL_COLUMNS)]
    t_formats = [None, None, *(MONEY_FORMAT if n in MONEY_COLUMNS else None
                               for n, _ in TOTAL_COLUMNS)]
    table: list[list[object]] = []
    dir_rows: list[int] = []
    for kind, group in groups:
        for key, s in group.items():
            if kind == "Directorate":
                dir_rows.append(top + 1 + len(table))
            table.append([kind, key, *(float(v) if isinstance(v := getattr(s, n), Decimal) else v
                                       for n, _ in TOTAL_COLUMNS)])
    _header_row(ts, top, t_headers, range(len(TOTAL_KEYS) + 1, len(t_headers) + 1))
    for i, line in enumerate(table, top + 1):
        for c, v in enumerate(line, 1):
            cell = set_cell(ts, i, c, v)
            if t_formats[c - 1]:
                cell.number_format = t_formats[c - 1]
    widths = column_widths(t_headers, table, t_formats, header_lines=2, maximum=45)
    widths[0] = max(widths[0], 12.0)  # "As of", "Costed from" run on into B
    set_widths(ts, widths)
    last = top + len(table)
    t_last_col = col_letter(len(t_headers))
    totals = Table(displayName=TOTALS_TABLE, ref=f"A{top}:{t_last_col}{last}")
    totals.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ts.add_table(totals)
    bottom = last
    if dir_rows:
        chart = BarChart()
        chart.type = "col"
        chart.title = "Cost by directorate"
        chart.y_axis.title = "£"
        chart.y_axis.numFmt = '"£"#,##0'
        chart.x_axis.title = "Directorate"
        chart.x_axis.delete = False  # openpyxl 3.1 hides the axes in Excel unless told
        chart.y_axis.delete = False
        full_col = len(TOTAL_KEYS) + 1 + [n for n, _ in TOTAL_COLUMNS].index("full_year_cost")
        d_first, d_last = dir_rows[0], dir_rows[-1]
        for col in (full_col, full_col + 1):  # full-year and in-year cost, named by the header
            series = Series(Reference(ts, min_col=col, min_row=d_first, max_row=d_last))
            series.tx = SeriesLabel(strRef=StrRef(f"'{TOTALS_SHEET}'!${col_letter(col)}${top}"))
            chart.series.append(series)
        chart.set_categories(Reference(ts, min_col=2, min_row=d_first, max_row=d_last))
        chart.legend.position = "b"
        chart_top = last + 2
        ts.add_chart(chart, chart_anchor(1, len(t_headers), chart_top, 18))
        bottom = chart_top + 17
    page_setup(ts, area=f"A1:{t_last_col}{bottom}", title_rows=f"{top}:{top}", header=TITLE,
               footer=f"As of {as_of_text}" if as_of_text else None)
    return wb


def write_cost_report(path: str | Path, rows: Sequence[CostRow], sums: CostTotals | None = None,
                      *, as_of: dt.date, cola: Decimal | None = None, source: str | None = None,
                      estimates: Sequence[EstimateRow] | None = None,
                      force: bool = False) -> Path:
    """Write the cost report to ``path`` atomically (refuses to overwrite unless force);
    ``estimates`` as for :func:`build_cost_workbook`."""
    check_writable(Path(path), force=force)
    wb = build_cost_workbook(rows, sums, as_of=as_of, cola=cola, source=source,
                             estimates=estimates)
    return save_workbook(wb, path, fixed_moment(as_of), force=force)
