"""The cost report workbook: one sheet of costed rows, one of totals (overall, by
directorate, team and framework) with a native bar chart of cost by directorate.

Office I/O only - every figure comes from :mod:`addin.core.costing`. Text is written with
:func:`addin.office.safeio.set_cell` (a name such as "=HYPERLINK(...)" stays text), and the
file is saved atomically and reproducibly (:func:`addin.office.determinism.save_workbook`: no
overwrite without ``force``, timestamps fixed to the ``as_of`` date). The batch reuses
:func:`build_cost_workbook` / :func:`write_cost_report`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from addin.core.costing import CostRow, CostSums, CostTotals, totals as cost_totals
from addin.core.money import round_penny
from addin.office.safeio import set_cell

MONEY_FORMAT = '"£"#,##0.00'
DATE_FORMAT = "dd/mm/yyyy"
ROWS_SHEET = "Costs"
TOTALS_SHEET = "Totals"

ROW_COLUMNS: tuple[tuple[str, str], ...] = (
    ("employee_id", "Employee ID"),
    ("directorate", "Directorate"),
    ("team", "Team"),
    ("framework", "Framework"),
    ("range", "Range"),
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
MONEY_COLUMNS = {"current_salary", "new_salary", "annual_increase", "employer_ni", "pension",
                 "levy", "full_year_cost", "in_year_cost"}
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


def _value(row: CostRow, name: str) -> object:
    value = getattr(row, name)
    if name == "level":
        return value.value if value else None
    if name == "honoured":
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        return float(round_penny(value))  # Excel stores doubles; the penny figure (half-up)
    return value


def build_cost_workbook(rows: Sequence[CostRow], sums: CostTotals | None = None, *,
                        as_of: dt.date | None = None, cola: Decimal | None = None,
                        source: str | None = None):
    """An openpyxl workbook of the costed rows and their totals (not saved)."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sums = sums if sums is not None else cost_totals(rows)
    wb = Workbook()
    ws = wb.active
    ws.title = ROWS_SHEET
    bold = Font(bold=True)
    for c, (_, header) in enumerate(ROW_COLUMNS, 1):
        set_cell(ws, 1, c, header).font = bold
        ws.column_dimensions[get_column_letter(c)].width = max(12, len(header) + 2)
    for r, row in enumerate(rows, 2):
        for c, (name, _) in enumerate(ROW_COLUMNS, 1):
            cell = set_cell(ws, r, c, _value(row, name))
            if name in MONEY_COLUMNS:
                cell.number_format = MONEY_FORMAT
            elif name == "effective_date":
                cell.number_format = DATE_FORMAT
    ws.freeze_panes = "B2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(ROW_COLUMNS))}{len(rows) + 1}"

    ts = wb.create_sheet(TOTALS_SHEET)
    ts.column_dimensions["A"].width = 32
    for c in range(2, len(TOTAL_COLUMNS) + 2):
        ts.column_dimensions[get_column_letter(c)].width = 18
    r = 1
    set_cell(ts, r, 1, "Cost of level estimates").font = Font(bold=True, size=14)
    r += 1
    notes = []
    if as_of:
        notes.append(f"As of {as_of.isoformat()}")
    if cola:
        notes.append(f"cost-of-living award {cola}% from the COLA date")
    if source:
        notes.append(f"from {Path(source).name}")
    set_cell(ts, r, 1, "; ".join(notes))
    r += 2

    def section(title: str, groups: dict[str, CostSums]) -> tuple[int, int]:
        nonlocal r
        set_cell(ts, r, 1, title).font = bold
        for c, (_, header) in enumerate(TOTAL_COLUMNS, 2):
            set_cell(ts, r, c, header).font = bold
        r += 1
        first = r
        for key, s in groups.items():
            set_cell(ts, r, 1, key)
            for c, (name, _) in enumerate(TOTAL_COLUMNS, 2):
                value = getattr(s, name)
                cell = set_cell(ts, r, c, float(value) if isinstance(value, Decimal) else value)
                if isinstance(value, Decimal):
                    cell.number_format = MONEY_FORMAT
            r += 1
        last = r - 1
        r += 1
        return first, last

    section("Overall", {"All rows": sums.overall})
    d_first, d_last = section("By directorate", sums.by_directorate)
    section("By team", sums.by_team)
    section("By framework", sums.by_framework)

    if sums.by_directorate:
        chart = BarChart()
        chart.type = "col"
        chart.title = "Cost by directorate"
        chart.y_axis.title = "£"
        chart.x_axis.title = "Directorate"
        full_col = 2 + [n for n, _ in TOTAL_COLUMNS].index("full_year_cost")
        data = Reference(ts, min_col=full_col, max_col=full_col + 1, min_row=d_first - 1,
                         max_row=d_last)
        cats = Reference(ts, min_col=1, min_row=d_first, max_row=d_last)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(cats)
        chart.legend.position = "b"
        chart.height, chart.width = 9, 18
        ts.add_chart(chart, f"{get_column_letter(len(TOTAL_COLUMNS) + 3)}4")
    return wb


def write_cost_report(path: str | Path, rows: Sequence[CostRow], sums: CostTotals | None = None,
                      *, as_of: dt.date, cola: Decimal | None = None, source: str | None = None,
                      force: bool = False) -> Path:
    """Write the cost report to ``path`` atomically (refuses to overwrite unless force)."""
    from addin.office.determinism import fixed_moment, save_workbook
    from addin.office.safeio import check_writable

    check_writable(Path(path), force=force)
    wb = build_cost_workbook(rows, sums, as_of=as_of, cola=cola, source=source)
    return save_workbook(wb, path, fixed_moment(as_of), force=force)


def cost_workbook(path: str | Path, *, framework_paths: Sequence[str | Path] | None = None,
                  pay_ranges: str | Path | None = None, as_of: dt.date | None = None,
                  cola: Decimal | None = None):
    """Cost a level-estimate workbook, as ``medpay cost`` and the Excel button Cost
    estimates both do: read the pay ranges (None = the shipped workbook), the frameworks
    (None = every shipped one) and the rows (:func:`addin.office.xlsx.estimates.read_estimates`), then
    :func:`addin.core.costing.cost_rows`. ``as_of`` None means today. Returns the
    :class:`addin.core.costing.CostRun`."""
    from addin.core.costing import cost_rows
    from addin.office.xlsx.estimates import NO_TABLE, read_estimates
    from addin.office.xlsx.frameworks import read_frameworks
    from addin.office.resources import default_frameworks
    from addin.office.xlsx.settings import read_pay_settings

    pay = read_pay_settings(pay_ranges)
    frameworks = read_frameworks(framework_paths if framework_paths else default_frameworks())
    read = read_estimates(path, frameworks=frameworks)
    no_table = [f for f in read.findings if f.code == NO_TABLE.code]
    if no_table:
        # nothing to cost: the same verdict the batch gives (an unreadable submission),
        # not an empty report that looks like a team with no changes
        from addin.core.errors import InputError

        raise InputError(no_table[0].message, file=path)
    return cost_rows(read.rows, pay, as_of or dt.date.today(), cola)
