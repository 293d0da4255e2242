"""Ribbon button logic on real workbooks: the same function the button calls, openpyxl
in, openpyxl out (apply_to_workbook writes the sheet the Excel wrapper would add), and the
shared xlwings sheet writer against a recording fake book."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from addin.estimates import HEADERS
from addin.excel import buttons
from addin.excel.xlsheet import hyperlink_formula, write_sheet
from tests.conftest import BES_FRAMEWORK
from tests.test_excel_udfs import write_pay_ranges

ROWS = [
    # Personal Assistant, range 3 (20000/21000/22000 in the test pay ranges)
    {"employee_id": "E1", "employee_name": "Asha", "directorate": "Corporate", "team": "BS",
     "job_title": "Personal Assistant", "framework": "Business and Executive Support", "range": 3,
     "current_salary": 20000, "fte": 1, "contract_type": "Permanent",
     "start_date": dt.date(2019, 4, 1), "probation_passed": "Yes", "capability": "No",
     "appraisal_outcome": "Met", "date_at_level": dt.date(2021, 4, 1), "current_level": "A",
     "estimated_level": "C"},
    {"employee_id": "E2", "employee_name": "Ben", "directorate": "Adults", "team": "ES",
     "job_title": "Personal Assistant", "framework": "Business and Executive Support", "range": 3,
     "current_salary": 20000, "fte": 0.5, "contract_type": "Permanent",
     "start_date": dt.date(2019, 4, 1), "probation_passed": "Yes", "capability": "No",
     "appraisal_outcome": "Met", "date_at_level": dt.date(2021, 4, 1), "current_level": "A",
     "estimated_level": "C"},
    {"employee_id": "E3", "employee_name": "Cal", "directorate": "Adults", "team": "ES",
     "job_title": "Personal Assistant", "framework": "Business and Executive Support", "range": 3,
     "current_salary": None, "fte": 1, "contract_type": "Permanent",
     "start_date": dt.date(2019, 4, 1), "probation_passed": "Yes", "capability": "No",
     "appraisal_outcome": "Met", "date_at_level": dt.date(2021, 4, 1), "current_level": "A",
     "estimated_level": "B"},
]


@pytest.fixture
def pay_file(tmp_path, monkeypatch) -> Path:
    path = write_pay_ranges(tmp_path / "pay.xlsx")
    monkeypatch.setenv("MEDPAY_PAY_RANGES", str(path))
    return path


@pytest.fixture
def estimates(tmp_path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Estimates"
    fields = list(HEADERS)
    ws.append([HEADERS[f] for f in fields])
    for row in ROWS:
        ws.append([row.get(f) for f in fields])
    path = tmp_path / "Team estimates.xlsx"
    wb.save(path)
    return path


def test_cost_estimates_sheet_rows_and_totals_worked_by_hand(pay_file, estimates):
    result = buttons.cost_estimates(estimates, frameworks=[BES_FRAMEWORK], as_of=dt.date(2024, 5, 1))
    sheet = result.sheet
    assert sheet.title == "Costs"
    head = sheet.header
    full, in_year = head.index("Full-year cost"), head.index("In-year cost")
    # E1: 20000 -> 22000 full time: 2000 + NI 276 + pension 400 + levy 10 = 2686.00;
    # effective 1 July 2024, 9 months in the year = 2014.50
    assert sheet.rows[0][1] == "E1"
    assert sheet.rows[0][full] == Decimal("2686.00")
    assert sheet.rows[0][in_year] == Decimal("2014.50")
    assert sheet.rows[0][head.index("Effective date")] == dt.date(2024, 7, 1)
    # E2 half time: 1000 + 138 + 200 + 5 = 1343.00; 9/12 = 1007.25
    assert sheet.rows[1][full] == Decimal("1343.00")
    assert sheet.rows[1][in_year] == Decimal("1007.25")
    total = next(r for r in sheet.rows if r[1] == "Total")
    assert total[full] == Decimal("4029.00") and total[in_year] == Decimal("3021.75")
    assert next(r for r in sheet.rows if r[1] == "Directorate: Adults")[full] == Decimal("1343.00")
    assert sheet.rows[-1][1] == ("Not costed (missing salary, FTE, range or estimated level; "
                                 "run Validate estimates): rows 4")
    assert sheet.links[(0, 0)] == "'Estimates'!A2"
    assert result.summary == ("Costed 2 employees: full-year cost £4,029.00, in-year cost "
                              "£3,021.75. 1 row not costed (see the Costs sheet).")


def test_cost_estimates_written_into_the_workbook(pay_file, estimates, tmp_path):
    result = buttons.cost_estimates(estimates, frameworks=[BES_FRAMEWORK], as_of=dt.date(2024, 5, 1))
    wb = load_workbook(estimates)
    buttons.apply_to_workbook(wb, result)
    out = tmp_path / "out.xlsx"
    wb.save(out)
    ws = load_workbook(out)["Costs"]
    assert ws["A1"].value == "Row" and ws["R1"].value == "Full-year cost"
    assert ws["B2"].value == "E1" and ws["R2"].value == 2686.0 and ws["S2"].value == 2014.5
    assert ws["R2"].number_format == "#,##0.00"
    assert ws["A2"].hyperlink.location == "'Estimates'!A2"
    assert load_workbook(out).sheetnames == ["Estimates", "Costs"]


def test_validate_estimates_findings_sheet_links_to_the_cell(pay_file, estimates, tmp_path):
    result = buttons.validate_estimates(estimates, frameworks=[BES_FRAMEWORK], as_of=dt.date(2024, 5, 1))
    assert [(r[0], r[1], r[3]) for r in result.sheet.rows] == [
        ("warning", "EST-LEVEL-JUMP", "Q2"), ("warning", "EST-LEVEL-JUMP", "Q3"),
        ("error", "EST-MISSING", "H4")]
    i = next(i for i, r in enumerate(result.sheet.rows) if r[3] == "H4")
    assert result.sheet.links[(i, 3)] == "'Estimates'!H4"
    assert result.ok is False
    assert result.summary == ("Level estimates: 1 error, 2 warnings. See the Findings sheet; each "
                              "cell reference links to the cell. 3 of 3 employees eligible to progress.")
    wb = load_workbook(estimates)
    buttons.apply_to_workbook(wb, result)
    wb.save(tmp_path / "v.xlsx")
    ws = load_workbook(tmp_path / "v.xlsx")["Findings"]
    assert [c.value for c in ws[1]] == ["Severity", "Code", "Sheet", "Cell", "Message"]
    cell = next(c for c in ws["D"] if c.value == "H4")
    assert cell.hyperlink.location == "'Estimates'!H4"


def test_validate_framework_on_the_shipped_framework():
    result = buttons.validate_framework(BES_FRAMEWORK)
    from addin.framework_checks import validate_framework

    report = validate_framework(BES_FRAMEWORK)
    assert len(result.sheet.rows) == len(report.findings)
    assert result.summary == (f"Framework: {report.errors} errors, {report.warnings} warnings. "
                              "See the Findings sheet; each cell reference links to the cell.")


def test_output_folder_is_next_to_the_workbook(tmp_path):
    assert buttons.output_folder(tmp_path / "Team estimates.xlsx", "application forms") == (
        tmp_path / "Team estimates - application forms")


def test_every_button_has_a_label_and_a_desktop_wrapper():
    from addin.excel import xlwings_buttons

    assert set(buttons.BUTTONS) == set(buttons.LABELS)
    for name in buttons.BUTTONS:
        assert callable(getattr(xlwings_buttons, name))


# --------------------------------------------------------------------------- xlwings writer


class FakeRange:
    def __init__(self, book, sheet, a, b=None):
        self.book, self.sheet, self.a, self.b = book, sheet, a, b or a
        self.font = type("F", (), {})()

    def _set(self, attr, value):
        self.book.log.append((self.sheet, attr, self.a, self.b, value))

    def __setattr__(self, k, v):
        if k in ("value", "formula", "number_format", "column_width"):
            self._set(k, v)
        object.__setattr__(self, k, v)


class FakeSheet:
    def __init__(self, book, name):
        self.book, self.name = book, name

    def range(self, a, b=None):
        return FakeRange(self.book, self.name, a, b)

    def delete(self):
        self.book._sheets.remove(self)

    def activate(self):
        self.book.log.append((self.name, "activate"))


class FakeSheets:
    def __init__(self, book):
        self.book = book

    def __iter__(self):
        return iter(self.book._sheets)

    def __len__(self):
        return len(self.book._sheets)

    def __getitem__(self, key):
        if isinstance(key, int):
            return self.book._sheets[key]
        return next(s for s in self.book._sheets if s.name == key)

    def add(self, name, after=None):
        s = FakeSheet(self.book, name)
        self.book._sheets.append(s)
        return s


class FakeBook:
    def __init__(self, *names):
        self.log = []
        self._sheets = [FakeSheet(self, n) for n in names]
        self.sheets = FakeSheets(self)


def test_write_sheet_replaces_the_sheet_and_links_with_hyperlink_formulas():
    out = buttons.SheetOutput(
        title="Findings", header=["Severity", "Cell", "Message"],
        rows=[["error", "H4", "=cmd|' /C calc'!A0"], ["warning", "B2", Decimal("1.50")]],
        links={(0, 1): "'Estimates'!H4"}, money_columns={2})
    book = FakeBook("Estimates", "Findings")
    write_sheet(book, out)
    assert [s.name for s in book.sheets] == ["Estimates", "Findings"]
    values = next(e for e in book.log if e[1] == "value")
    assert values[4] == [["Severity", "Cell", "Message"],
                         ["error", "H4", "'=cmd|' /C calc'!A0"],  # formula text stays text
                         ["warning", "B2", 1.5]]
    assert ("Findings", "formula", (2, 2), (2, 2), '=HYPERLINK("#\'Estimates\'!H4","H4")') in book.log
    assert hyperlink_formula("'My \"x\"'!A1", "A1") == '=HYPERLINK("#\'My ""x""\'!A1","A1")'
