"""Build the level-estimate spreadsheet managers fill in (policy Appendix K, stage 8).

"Managers complete a spreadsheet with the assessments for each employee and this is sent
to the MedPay Review Team." (Appendix K, stage 8.)

Layout:

* "Estimates": an Excel table named ``Estimates`` with the headers of
  :data:`addin.office.xlsx.estimates.HEADERS` in that order, drop-down lists (job titles from the
  frameworks, framework names, ranges, levels A/B/C, Yes/No, Not met/Met/Exceeded,
  Permanent/Fixed term/Casual), date and money number formats, a frozen header, and
  formula-driven helper columns (:data:`addin.office.xlsx.estimates.HELPER_HEADERS`) that look up the
  pay point (policy 7.14: A start, B mid-point, C top of the range) on the Lists sheet with
  INDEX/MATCH - they recalculate in Excel and LibreOffice; the reader never reads them.
  The pay point columns are calculated columns of the table (``calculatedColumnFormula``):
  a row added below the table gets them too. The sheet is protected without a password:
  the columns a manager fills in (and a few to the right of the table, for the optional
  columns) are unlocked, the header row and the formula columns locked.
* "Instructions": what to do in Excel, whom to send the workbook to (the MedPay Review
  Team, Appendix K stage 8), then what to fill in, column by column - no merged cells
  (Excel never auto-fits a merged wrapped cell's height).
* "Lists" (hidden): the lists feeding the drop-downs and the pay ranges.

Both visible sheets print A4 landscape, one page wide, the header row on every page.

The pay figures come from the pay-ranges workbook (``--pay-ranges``), never from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from addin.core.cells import col_letter
from addin.core.eligibility import casual_aggregate_required
from addin.core.errors import InputError
from addin.core.estimates_table import HEADERS, HELPER_HEADERS, REQUIRED
from addin.core.model import LEVELS, Framework, PaySettings
from addin.core.parsing import CONTRACT_TYPES, OUTCOMES
from addin.office.safeio import atomic_save, check_writable
from addin.office.xlsx.printlayout import fit, fit_row_heights, font, page_setup

SHEET = "Estimates"
LISTS = "Lists"
INSTRUCTIONS = "Instructions"
TABLE_NAME = "Estimates"
MONEY_FORMAT = '"£"#,##0.00'
DATE_FORMAT = "dd/mm/yyyy"
FTE_FORMAT = "0.00"
MAX_ROWS = 5000
SPARE_COLUMNS = 6
"""Columns right of the table left unlocked, for the optional columns (casual working
aggregate, previous request date) and a manager's own."""

COLUMN_HELP: dict[str, str] = {
    "employee_id": "Payroll number. Each employee once.",
    "employee_name": "Full name as on payroll.",
    "directorate": "Directorate the team belongs to.",
    "team": "Team or service.",
    "job_title": "Pick from the list: the job titles of the framework(s).",
    "framework": "Pick from the list (optional when there is one framework).",
    "range": "Pay range 2-8 of the job (filled in from the job title by the helper column when blank).",
    "current_salary": "Current annual FULL-TIME salary in pounds (not pro-rata).",
    "fte": "Full-time equivalent: 1 full time, 0.5 half time (50% is read too).",
    "contract_type": "Permanent, Fixed term or Casual. Casual staff are not usually assessed (policy 2.2).",
    "start_date": "Date the employee started in this post (dd/mm/yyyy).",
    "probation_passed": "Yes if passed, No if not (not eligible, policy 7.22); N/A or blank "
                        "if there is no probation in this role (internal movers): then the "
                        "minimum months in post apply (policy 7.28).",
    "capability": "Yes if the employee is subject to the capability procedure (policy 7.22).",
    "appraisal_outcome": "Latest appraisal: Not met, Met or Exceeded (Appendix B).",
    "date_at_level": "Date the employee reached their current level (dd/mm/yyyy).",
    "current_level": "A, B or C: the level the employee is paid at now.",
    "estimated_level": "A, B or C: your estimate of the level they will be assessed at.",
    "manager": "Your name.",
    "notes": "Anything the MedPay team should know.",
    "long_absence": "Yes if the employee was absent from work for a significant period of the "
                    "appraisal review period (policy 6.16): no appraisal outcome is needed "
                    "and eligibility is for you to decide.",
}


class ListsLayout:
    """Where each list lives on the Lists sheet (columns and last rows)."""

    def __init__(self, frameworks: Sequence[Framework], pay: PaySettings) -> None:
        roles = [(r.title, r.range, fw.name) for fw in frameworks for r in fw.roles]
        self.roles = roles
        seen: dict[str, None] = {}
        for title, _, _ in roles:
            seen.setdefault(title, None)
        self.titles = list(seen)
        self.frameworks = list(dict.fromkeys(fw.name for fw in frameworks))
        self.ranges = sorted(pay.ranges)
        self.pay = pay


def _ref(col: str, first: int, last: int) -> str:
    return f"{LISTS}!${col}${first}:${col}${max(first, last)}"


def build_estimates_template(frameworks: Sequence[Framework], pay: PaySettings, *, rows: int = 200):
    """Return an openpyxl Workbook with the template (nothing written to disk)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, PatternFill, Protection
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.filters import AutoFilter
    from openpyxl.worksheet.table import Table, TableColumn, TableFormula, TableStyleInfo

    if not frameworks:
        raise InputError("no framework given: the template needs the job titles of at least one framework")
    if not 1 <= rows <= MAX_ROWS:
        raise InputError(f"--rows must be between 1 and {MAX_ROWS}, got {rows}")
    lay = ListsLayout(frameworks, pay)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    instr = wb.create_sheet(INSTRUCTIONS)
    lists = wb.create_sheet(LISTS)
    lists.sheet_state = "hidden"

    # ---- Lists: A Job title | B Range | C Framework (one row per role);
    # E job titles (unique) | F frameworks | G ranges | H levels | I Yes/No | J outcomes |
    # K contract types; M Range | N A | O B | P C (pay ranges, policy 7.14)
    for c, text in enumerate(["Job title", "Range", "Framework"], 1):
        lists.cell(1, c, text)
    for i, (title, range_no, fw) in enumerate(lay.roles, 2):
        lists.cell(i, 1, title)
        lists.cell(i, 2, range_no)
        lists.cell(i, 3, fw)
    columns: dict[str, tuple[str, Sequence[object]]] = {
        "E": ("Job titles", lay.titles),
        "F": ("Frameworks", lay.frameworks),
        "G": ("Ranges", lay.ranges),
        "H": ("Levels", [lv.value for lv in LEVELS]),
        "I": ("Yes/No", ["Yes", "No", "N/A"]),
        "J": ("Appraisal outcomes", list(OUTCOMES)),
        "K": ("Contract types", list(CONTRACT_TYPES)),
    }
    for col, (head, values) in columns.items():
        lists[f"{col}1"] = head
        for i, v in enumerate(values, 2):
            lists[f"{col}{i}"] = v
    lists["M1"], lists["N1"], lists["O1"], lists["P1"] = "Range", "A", "B", "C"
    for i, range_no in enumerate(lay.ranges, 2):
        pr = pay.ranges[range_no]
        lists.cell(i, 13, range_no)
        for c, amount in enumerate((pr.a, pr.b, pr.c), 14):
            cell = lists.cell(i, c, float(amount) if amount != int(amount) else int(amount))
            cell.number_format = MONEY_FORMAT
    for col in "ACEFJK":
        lists.column_dimensions[col].width = 40 if col in "ACE" else 22

    # ---- Estimates: headers, helper columns, table, validations, formats
    fields = list(HEADERS)
    headers = [HEADERS[f] for f in fields] + list(HELPER_HEADERS)
    col_of = {f: i for i, f in enumerate(fields, 1)}
    bold = font(bold=True)
    unlocked = Protection(locked=False)
    helper_fill = PatternFill("solid", fgColor="EDEDED")
    for c, text in enumerate(headers, 1):
        cell = ws.cell(1, c, text)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    last_row = rows + 1
    L = {f: col_letter(col_of[f]) for f in fields}
    n_roles = len(lay.roles) + 1
    n_ranges = len(lay.ranges) + 1
    role_titles = f"{LISTS}!$A$2:$A${n_roles}"
    role_ranges = f"{LISTS}!$B$2:$B${n_roles}"
    pay_ranges = f"{LISTS}!$M$2:$M${n_ranges}"
    pay_table = f"{LISTS}!$N$2:$P${n_ranges}"
    pay_levels = f"{LISTS}!$N$1:$P$1"
    first_helper = len(fields) + 1
    cur_col, est_col = col_letter(first_helper), col_letter(first_helper + 1)

    def helper_formulas(r: int) -> list[str]:
        """Row ``r``'s formula columns: the pay point for the current and the estimated
        level (7.14), and the change between them."""
        rng = (f'IF(${L["range"]}{r}<>"",${L["range"]}{r},'
               f'IFERROR(INDEX({role_ranges},MATCH(${L["job_title"]}{r},{role_titles},0)),""))')

        def pay_point(level_col: str) -> str:
            lv = f"RIGHT(TRIM(${level_col}{r}),1)"
            return (f'=IF(OR(${level_col}{r}="",{rng}=""),"",'
                    f'IFERROR(INDEX({pay_table},MATCH(VALUE({rng}),{pay_ranges},0),'
                    f'MATCH({lv},{pay_levels},0)),""))')

        return [pay_point(L["current_level"]), pay_point(L["estimated_level"]),
                f'=IF(OR({cur_col}{r}="",{est_col}{r}=""),"",{est_col}{r}-{cur_col}{r})']

    formats = {col_of["current_salary"]: MONEY_FORMAT, col_of["fte"]: FTE_FORMAT,
               col_of["start_date"]: DATE_FORMAT, col_of["date_at_level"]: DATE_FORMAT}
    for r in range(2, last_row + 1):
        for c, formula in enumerate(helper_formulas(r), first_helper):
            cell = ws.cell(r, c, formula)
            cell.number_format = MONEY_FORMAT
            cell.fill = helper_fill  # locked (the default): the sheet is protected
        for c in range(1, first_helper):
            cell = ws.cell(r, c)
            cell.protection = unlocked
            if c in formats:
                cell.number_format = formats[c]
    last_col = col_letter(len(headers))
    table = Table(displayName=TABLE_NAME, ref=f"A1:{last_col}{last_row}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    # the formula columns are calculated columns (written as row 2's formula, which Excel
    # reads relative to the first data row): a row added below the table gets them
    calculated = dict(zip(HELPER_HEADERS, helper_formulas(2)))
    table.tableColumns = [
        TableColumn(id=i, name=h, calculatedColumnFormula=(
            TableFormula(attr_text=calculated[h][1:]) if h in calculated else None))
        for i, h in enumerate(headers, 1)]
    table.autoFilter = AutoFilter(ref=table.ref)
    ws.add_table(table)
    # protected without a password: the input columns (and the spare ones right of the
    # table) unlocked - their column style, for the cells without their own - the header
    # row and the formula columns locked; filter, sort and resizing stay allowed
    for c in [*range(1, first_helper), *range(len(headers) + 1, len(headers) + 1 + SPARE_COLUMNS)]:
        ws.column_dimensions[col_letter(c)].protection = unlocked
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.freeze_panes = "C2"
    widths = {"employee_id": 12, "employee_name": 24, "directorate": 34, "team": 30,
              "notes": 40, "manager": 20,
              # as wide as the longest job title and framework name in the drop-downs
              "job_title": fit(max((len(t) for t in lay.titles), default=30), maximum=70),
              "framework": fit(max((len(f) for f in lay.frameworks), default=20), maximum=50)}
    for f, c in col_of.items():
        ws.column_dimensions[col_letter(c)].width = widths.get(f, 14)
    for c in range(first_helper, first_helper + 3):
        ws.column_dimensions[col_letter(c)].width = 18

    def validation(fld: str, source: str, prompt: str) -> None:
        dv = DataValidation(type="list", formula1=source, allow_blank=True,
                            showErrorMessage=True, errorStyle="warning",
                            errorTitle=HEADERS[fld], error=f"Pick a value from the list. {prompt}",
                            promptTitle=HEADERS[fld], prompt=prompt[:250], showInputMessage=True)
        ws.add_data_validation(dv)
        dv.add(f"{L[fld]}2:{L[fld]}{last_row}")

    validation("job_title", _ref("E", 2, len(lay.titles) + 1), COLUMN_HELP["job_title"])
    validation("framework", _ref("F", 2, len(lay.frameworks) + 1), COLUMN_HELP["framework"])
    validation("range", _ref("G", 2, len(lay.ranges) + 1), COLUMN_HELP["range"])
    for f in ("current_level", "estimated_level"):
        validation(f, _ref("H", 2, 4), COLUMN_HELP[f])
    validation("probation_passed", _ref("I", 2, 4), COLUMN_HELP["probation_passed"])
    for f in ("capability", "long_absence"):
        validation(f, _ref("I", 2, 3), COLUMN_HELP[f])
    validation("appraisal_outcome", _ref("J", 2, 4), COLUMN_HELP["appraisal_outcome"])
    validation("contract_type", _ref("K", 2, 4), COLUMN_HELP["contract_type"])
    for fld, kind in (("start_date", "date"), ("date_at_level", "date")):
        dv = DataValidation(type=kind, operator="greaterThan", formula1="1",
                            showErrorMessage=True, errorStyle="warning",
                            error="Type a date as dd/mm/yyyy", allow_blank=True)
        ws.add_data_validation(dv)
        dv.add(f"{L[fld]}2:{L[fld]}{last_row}")
    dv = DataValidation(type="decimal", operator="between", formula1="0.01", formula2="1",
                        showErrorMessage=True, errorStyle="warning", allow_blank=True,
                        error="FTE is more than 0 and at most 1 (1 = full time)")
    ws.add_data_validation(dv)
    dv.add(f"{L['fte']}2:{L['fte']}{last_row}")

    # ---- Instructions: what to do in Excel (managers have no command line) and whom to
    # send the workbook to. A label in A, the text in B (wrapped, not merged: Excel never
    # auto-fits a merged cell's height), then the columns, one per row.
    spare = col_letter(len(headers) + 1)
    instr["A1"] = "Level-estimate spreadsheet"
    instr["A1"].font = font(bold=True, size=14)
    steps = [
        ("What it is for",
         "Policy Appendix K, stage 8: \"Managers complete a spreadsheet with the "
         "assessments for each employee and this is sent to the MedPay Review Team.\" "
         "Estimate the level each employee is likely to be assessed at."),
        ("Filling it in",
         "On the 'Estimates' sheet, one row per employee. Where a cell shows a drop-down "
         "arrow, pick from the list. Type dates as dd/mm/yyyy. Keep the header row as it is."),
        ("Grey columns",
         "Calculated for you: the full-time pay point for the current and the estimated "
         "level (policy 7.14: A start, B mid-point, C top of the range) and the change. "
         "They are locked; every other column of the table is open for typing."),
        ("More rows",
         f"The table has room for {rows} employees. For more: on the Review tab choose "
         "Unprotect Sheet (there is no password), type in the row under the table - it "
         "grows and the grey columns fill in - then choose Protect Sheet again."),
        ("Salary honoured",
         "If the pay point for the estimated level is below an employee's current salary, "
         "their salary will be honoured: no pay cut (Appendix K, salary honouring)."),
        ("Casual staff",
         "Casual staff are not usually assessed (policy 2.2): for a casual employee with a "
         f"{casual_aggregate_required(pay)}-month working aggregate, add a column headed "
         "'Casual working aggregate (months)' in the first empty column right of the table "
         f"(column {spare}) and give the months worked (for example 8)."),
        ("Previous request",
         "A previous request for progression in the current window (policy 7.21: the "
         "earliest another request can be submitted is the next window): add a column "
         "headed 'Previous request date' right of the table and give the date."),
        ("Your own columns",
         "You may add columns of your own right of the table: they are ignored."),
        ("Before you send it",
         "Check every column marked Required below is filled in for every employee, then "
         "save the workbook (File > Save, as an Excel workbook, .xlsx)."),
        ("Send it to",
         "Email the saved workbook to the MedPay Review Team. They check every row and "
         "send you back a copy with anything to correct marked (its Findings sheet lists "
         "each problem and its cell): correct your workbook and send it again."),
    ]
    top = Alignment(wrap_text=True, vertical="top")
    for i, (label, text) in enumerate(steps, 3):
        cell = instr.cell(i, 1, label)
        cell.font, cell.alignment = bold, top
        instr.cell(i, 2, text).alignment = top
    row = len(steps) + 4
    for c, text in enumerate(("Column", "What to enter", "Required"), 1):
        instr.cell(row, c, text).font = bold
    instr.print_title_rows = f"{row}:{row}"
    for f in fields:
        row += 1
        instr.cell(row, 1, HEADERS[f]).alignment = top
        instr.cell(row, 2, COLUMN_HELP[f]).alignment = top
        instr.cell(row, 3, "Yes" if f in REQUIRED else "").alignment = top
    instr.column_dimensions["A"].width = 24
    instr.column_dimensions["B"].width = 90
    instr.column_dimensions["C"].width = 10
    fit_row_heights(instr, range(3, row + 1), (1, 2))
    fit_row_heights(ws, [1], range(1, len(headers) + 1))
    page_setup(instr, area=f"A1:C{row}", landscape=False, header="Level-estimate spreadsheet")
    # 23 columns: two A4 landscape pages wide (one would print them too small to read),
    # the header row and the employee's ID and name on every page
    page_setup(ws, area=f"A1:{last_col}{last_row}", fit_width=2, title_rows="1:1",
               title_cols="A:B", header="Level-estimate spreadsheet")
    wb.calculation.fullCalcOnLoad = True
    return wb


def write_estimates_template(
    out: str | Path,
    frameworks: Sequence[Framework],
    pay: PaySettings,
    *,
    rows: int = 200,
    force: bool = False,
) -> Path:
    """Build the template and save it atomically (no overwrite without ``force``)."""
    out_p = Path(out)
    check_writable(out_p, force=force)
    wb = build_estimates_template(frameworks, pay, rows=rows)
    return atomic_save(out_p, wb.save, force=force)
