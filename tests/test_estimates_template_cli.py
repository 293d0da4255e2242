"""`medpay template estimates` and `medpay validate-estimates` end to end: the template's
structure, its formulas recalculated by LibreOffice against the core's pay points, and a
template filled by code run through the CLI with --json and --feedback."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from addin.core.estimates_table import HEADERS, HELPER_HEADERS
from addin.core.model import Level
from addin.office.xlsx.estimates import read_estimates
from addin.office.xlsx.settings import read_pay_settings
from tests.conftest import BES_FRAMEWORK, PAY_RANGES, convert_with_libreoffice, run_cli, soffice
from tests.report_layout import unnamed_fonts

EXPECTED_HEADERS = [
    "Employee ID", "Employee name", "Directorate", "Team", "Job title", "Framework", "Range",
    "Current salary", "FTE", "Contract type", "Start date in post", "Probation passed",
    "Capability procedure", "Appraisal outcome", "Date at current level", "Current level",
    "Estimated level", "Manager", "Notes", "Long-term absence",
]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("tpl") / "estimates-template.xlsx"
    proc = run_cli("template", "estimates", "--framework", BES_FRAMEWORK, "--pay-ranges", PAY_RANGES,
                   "--out", out, "--rows", "20")
    assert proc.returncode == 0, proc.stderr
    return out


# Rows filled by code: (cells by header) - job title, range, current, estimated
FILL = [
    dict(id="100001", name="Zoë Ó Briain", title="Business Support Officer", rng=3, salary=25584,
         fte=1, contract="Permanent", start=dt.date(2021, 9, 6), prob="Yes", cap="No",
         appr="Met", at=dt.date(2021, 9, 6), cur="A", est="B"),
    dict(id="100002", name="Gareth Hughes", title="Business Support Team Leader", rng=None,
         salary=31200, fte=0.5, contract="Permanent", start=dt.date(2016, 2, 15), prob="Yes",
         cap="No", appr="Exceeded", at=dt.date(2020, 7, 1), cur="B", est="C"),
    dict(id="100003", name="Emily Carter", title="Buisness Support Assistant", rng=2,
         salary=23656, fte=1, contract="Casual", start=dt.date(2024, 12, 2), prob="No", cap="No",
         appr="Met", at=dt.date(2024, 12, 2), cur="A", est="B"),
    dict(id="100001", name="Rhys Evans", title="Business Support Officer", rng=3, salary=None,
         fte=1, contract="Permanent", start=dt.date(2022, 5, 3), prob="Yes", cap="Yes",
         appr="Not met", at=dt.date(2022, 5, 3), cur="C", est="B"),
]
KEYS = ["id", "name", None, None, "title", None, "rng", "salary", "fte", "contract", "start",
        "prob", "cap", "appr", "at", "cur", "est", None, None, None]


@pytest.fixture(scope="module")
def filled(template, tmp_path_factory) -> Path:
    wb = openpyxl.load_workbook(template)
    ws = wb["Estimates"]
    for r, data in enumerate(FILL, 2):
        for c, key in enumerate(KEYS, 1):
            if key and data[key] is not None:
                ws.cell(r, c, data[key])
    out = tmp_path_factory.mktemp("filled") / "team.xlsx"
    wb.save(out)
    return out


def test_template_has_the_headers_table_lists_and_instructions(template):
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == ["Estimates", "Instructions", "Lists"]
    ws = wb["Estimates"]
    headers = [c.value for c in ws[1]]
    assert headers[:20] == EXPECTED_HEADERS == list(HEADERS.values())
    assert headers[20:] == list(HELPER_HEADERS)
    assert list(ws.tables) == ["Estimates"]
    assert ws.tables["Estimates"].ref == "A1:W21"
    assert ws.freeze_panes == "C2"
    assert wb["Lists"].sheet_state == "hidden"
    assert ws["H2"].number_format == '"£"#,##0.00'
    assert ws["K2"].number_format == "dd/mm/yyyy"
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists["E2:E21"] == "Lists!$E$2:$E$12"
    assert [wb["Lists"][f"E{r}"].value for r in (2, 5)] == ["Business Support Apprentice",
                                                             "Business Support Officer"]
    assert lists["Q2:Q21"] == "Lists!$H$2:$H$4"
    assert [wb["Lists"][f"H{r}"].value for r in (2, 3, 4)] == ["A", "B", "C"]
    assert [wb["Lists"][f"I{r}"].value for r in (2, 3, 4)] == ["Yes", "No", "N/A"]
    # probation passed (L) offers N/A (no probation in this role, 7.28); capability (M) and
    # long-term absence (T, 6.16) Yes/No only
    assert lists["L2:L21"] == "Lists!$I$2:$I$4"
    assert lists["M2:M21"] == "Lists!$I$2:$I$3"
    assert lists["T2:T21"] == "Lists!$I$2:$I$3"
    assert [wb["Lists"][f"J{r}"].value for r in (2, 3, 4)] == ["Not met", "Met", "Exceeded"]
    assert [wb["Lists"][f"K{r}"].value for r in (2, 3, 4)] == ["Permanent", "Fixed term", "Casual"]
    assert wb["Instructions"]["A1"].value == "Level-estimate spreadsheet"
    assert ws["V2"].value.startswith("=IF(") and "INDEX(Lists!$N$2:$P$8" in ws["V2"].value


def test_template_refuses_to_overwrite_without_force(template):
    proc = run_cli("template", "estimates", "--framework", BES_FRAMEWORK, "--out", template)
    assert proc.returncode == 2
    assert "output already exists" in proc.stderr


def test_reader_ignores_helper_columns_of_the_unsaved_template(filled):
    read = read_estimates(filled)
    assert read.findings == []  # helper formulas without cached values are not findings
    assert [r.employee_id for r in read.rows] == ["100001", "100002", "100003", "100001"]
    assert read.extra_columns == {}
    assert read.rows[1].fte == Decimal("0.5")


@pytest.mark.libreoffice
@pytest.mark.skipif(soffice() is None, reason="LibreOffice not installed")
def test_helper_formulas_recalculate_in_libreoffice_to_the_core_pay_points(filled, tmp_path_factory):
    outdir = tmp_path_factory.mktemp("lo").resolve()
    converted = convert_with_libreoffice(filled.resolve(), "xlsx", outdir)
    ws = openpyxl.load_workbook(converted, data_only=True)["Estimates"]
    pay = read_pay_settings(PAY_RANGES)
    # row 3 has no Range: the formula takes range 4 from the job title on the Lists sheet
    ranges = {2: 3, 3: 4, 4: 2, 5: 3}
    for r, data in enumerate(FILL, 2):
        cur = pay.pay_point(ranges[r], Level(data["cur"]))
        est = pay.pay_point(ranges[r], Level(data["est"]))
        assert Decimal(str(ws[f"U{r}"].value)) == cur, r
        assert Decimal(str(ws[f"V{r}"].value)) == est, r
        assert Decimal(str(ws[f"W{r}"].value)) == est - cur, r
    assert ws["U6"].value in (None, "")  # empty rows stay empty
    # and the reader reads LibreOffice's saved copy the same way
    read = read_estimates(converted)
    assert read.findings == []
    assert [r.current_salary for r in read.rows] == [Decimal(25584), Decimal(31200), Decimal(23656), None]


@pytest.fixture(scope="module")
def cli_run(filled, tmp_path_factory):
    out = tmp_path_factory.mktemp("fb") / "feedback.xlsx"
    proc = run_cli("validate-estimates", filled, "--framework", BES_FRAMEWORK, "--pay-ranges",
                   PAY_RANGES, "--as-of", "2025-03-03", "--json", "--feedback", out)
    return proc, out


def test_cli_json_findings_and_exit_status(cli_run):
    proc, _ = cli_run
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    got = [(f["code"], f["cell"], f["severity"]) for f in data["findings"]]
    assert got == [
        ("EST-DUPLICATE-ID", "A2", "error"),
        ("EST-UNKNOWN-JOB", "E4", "error"),
        ("EST-CASUAL", "J4", "warning"),
        ("EST-DUPLICATE-ID", "A5", "error"),
        ("EST-MISSING", "H5", "error"),
        ("EST-BELOW-CURRENT", "Q5", "warning"),
    ]
    assert data["summary"] == {"errors": 4, "warnings": 2}
    rows = {r["row"]: r for r in data["rows"]}
    # row 2 would be eligible, but its employee ID is also on row 5: a row with an error
    # is not assessed until the error is corrected
    assert rows[2] == {"row": 2, "employee_id": "100001", "eligible": False, "status": "No",
                       "reasons": [
        "Cannot be assessed until the errors on this row are corrected (cell A2)"],
        "effective_date": None}
    assert rows[3] == {"row": 3, "employee_id": "100002", "eligible": True, "status": "Yes",
                       "reasons": [],
                       "effective_date": "2025-07-01"}
    assert rows[4]["eligible"] is False and any("2.2" in t for t in rows[4]["reasons"])
    # probation No: not eligible under 7.22 (not 7.28's months in post)
    assert "Probation not passed; the employee must have passed their probation period to be " \
        "considered for progression (7.22)" in rows[4]["reasons"]
    assert rows[5]["eligible"] is False
    assert sum("7.22" in t for t in rows[5]["reasons"]) == 2


def test_cli_feedback_copy_comments_fills_and_eligibility_columns(cli_run):
    _, out = cli_run
    wb = openpyxl.load_workbook(out)
    ws = wb["Estimates"]
    e4 = ws["E4"]
    assert e4.comment.text == (
        "ERROR EST-UNKNOWN-JOB: Job title 'Buisness Support Assistant' is not in the framework "
        "'Business and Executive Support'; did you mean 'Business Support Assistant'?")
    assert e4.fill.fgColor.rgb.endswith("FFC7CE")  # error red
    assert ws["J4"].fill.fgColor.rgb.endswith("FFEB9C")  # warning amber
    assert ws["J4"].comment.text.startswith("WARNING EST-CASUAL: Casual staff")
    assert ws["H5"].comment.text == (
        "ERROR EST-MISSING: Current salary is blank; fill it in for every employee")
    assert [ws.cell(1, c).value for c in (24, 25, 26)] == ["Eligible", "Reasons", "Effective date"]
    assert [ws.cell(r, 24).value for r in (2, 3, 4, 5)] == ["No", "Yes", "No", "No"]
    assert ws.cell(3, 26).value == dt.datetime(2025, 7, 1)  # a real date cell, not text
    assert ws.cell(3, 26).is_date
    assert ws.cell(3, 25).value is None
    assert ws.cell(2, 25).value == (
        "Cannot be assessed until the errors on this row are corrected (cell A2)")
    assert "2.2" in ws.cell(4, 25).value
    assert "Findings" in wb.sheetnames


def test_cli_text_output_lists_eligibility(filled):
    proc = run_cli("validate-estimates", filled, "--framework", BES_FRAMEWORK, "--as-of", "2025-03-03")
    assert proc.returncode == 1
    assert "E4    error    EST-UNKNOWN-JOB" in proc.stdout
    assert "row 3    100002       eligible, effective 01/07/2025" in proc.stdout
    assert ("row 2    100001       not eligible: Cannot be assessed until the errors on this "
            "row are corrected (cell A2)") in proc.stdout


def test_cli_unreadable_file_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "estimates.xlsx"
    bad.write_bytes(b"%PDF-1.4 not a workbook")
    proc = run_cli("validate-estimates", bad, "--framework", BES_FRAMEWORK)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "a PDF" in proc.stderr


@pytest.mark.parametrize("sample, errors", [
    ("chief-executives-office.xlsx", 0),
    ("regeneration-business-support.xlsx", 1),
    ("public-health-support.xlsx", 0),
])
def test_shipped_samples_validate_as_documented(sample, errors):
    from tests.conftest import WORKBOOKS

    proc = run_cli("validate-estimates", WORKBOOKS / "samples" / sample, "--as-of", "2025-03-03",
                   "--json")
    data = json.loads(proc.stdout)
    assert data["summary"]["errors"] == errors
    assert proc.returncode == (1 if errors else 0)


def test_validating_a_feedback_copy_again_replaces_the_medpay_columns(cli_run, tmp_path):
    # a manager sends the feedback copy back: its Eligible / Reasons / Effective date
    # columns are MedPay's, so the second copy has them once, freshly written
    _, first = cli_run
    again = tmp_path / "again.xlsx"
    proc = run_cli("validate-estimates", first, "--framework", BES_FRAMEWORK, "--pay-ranges",
                   PAY_RANGES, "--as-of", "2025-03-03", "--json", "--feedback", again)
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert [(f["code"], f["cell"]) for f in data["findings"]] == [
        ("EST-DUPLICATE-ID", "A2"), ("EST-UNKNOWN-JOB", "E4"), ("EST-CASUAL", "J4"),
        ("EST-DUPLICATE-ID", "A5"), ("EST-MISSING", "H5"), ("EST-BELOW-CURRENT", "Q5")]
    ws = openpyxl.load_workbook(again)["Estimates"]
    headers = [c.value for c in ws[1]]
    assert headers[20:] == list(HELPER_HEADERS) + ["Eligible", "Reasons", "Effective date"]
    assert ws.max_column == 26
    assert [ws.cell(r, 24).value for r in (2, 3, 4, 5)] == ["No", "Yes", "No", "No"]
    assert ws.cell(3, 26).value == dt.datetime(2025, 7, 1)
    assert openpyxl.load_workbook(again).sheetnames.count("Findings") == 1


def test_instructions_say_how_to_record_a_casual_working_aggregate(template):
    from addin.core.estimates_table import field_for_header

    ws = openpyxl.load_workbook(template)["Instructions"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    [line] = [t for t in texts if "aggregate" in t]
    assert line == (
        "Casual staff are not usually assessed (policy 2.2): for a casual employee with a "
        "6-month working aggregate, add a column headed 'Casual working aggregate (months)' "
        "in the first empty column right of the table (column X) and give the months worked "
        "(for example 8).")
    assert field_for_header("Casual working aggregate (months)") == "casual_aggregate"


# ------------------------------------------------------------------ what managers see (issue 20)


def test_instructions_say_what_to_do_in_excel_and_to_send_it_to_the_medpay_review_team(
        template):
    """Managers have no command line: the Instructions tell them what to do in Excel and
    whom to send the workbook to (Appendix K stage 8), in cells that are not merged (Excel
    never auto-fits a merged wrapped cell) and rows tall enough for their wrapped text."""
    wb = openpyxl.load_workbook(template)
    assert all(not ws.merged_cells.ranges for ws in wb.worksheets)
    ws = wb["Instructions"]
    steps = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(3, 13)}
    assert "MedPay Review Team" in steps["Send it to"]
    assert "Managers complete a spreadsheet with the assessments for each employee and this "\
        "is sent to the MedPay Review Team." in steps["What it is for"]
    assert "Unprotect Sheet (there is no password)" in steps["More rows"]
    assert "room for 20 employees" in steps["More rows"]  # the fixture's --rows 20
    texts = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert "validate-estimates" not in texts and "--feedback" not in texts  # no command line
    # "Send it to" (row 12) wraps to 3 lines in column B (90 wide): 3 x 15 points
    assert ws.cell(12, 1).value == "Send it to"
    assert ws.row_dimensions[12].height >= 45
    assert ws.cell(12, 2).alignment.wrap_text is True


def test_formula_columns_are_locked_on_a_sheet_protected_without_a_password(template):
    from openpyxl.utils import get_column_letter

    ws = openpyxl.load_workbook(template)["Estimates"]
    assert ws.protection.sheet is True and not ws.protection.password
    # filter, sort and resizing columns stay allowed (False = not protected against)
    assert (ws.protection.autoFilter, ws.protection.sort, ws.protection.formatColumns) == (
        False, False, False)
    for r in (2, 21):  # the first and last of the fixture's 20 rows
        assert [ws.cell(r, c).protection.locked for c in range(1, 21)] == [False] * 20
        assert [ws.cell(r, c).protection.locked for c in (21, 22, 23)] == [True] * 3
    assert all(ws.cell(1, c).protection.locked for c in range(1, 24))  # the header row
    # the columns right of the table, for the optional columns (casual aggregate, ...)
    assert [ws.column_dimensions[get_column_letter(c)].protection.locked
            for c in range(24, 30)] == [False] * 6


def test_pay_point_columns_are_calculated_columns_of_the_table(template):
    ws = openpyxl.load_workbook(template)["Estimates"]
    columns = ws.tables["Estimates"].tableColumns
    assert [c.name for c in columns] == EXPECTED_HEADERS + list(HELPER_HEADERS)
    assert [c.calculatedColumnFormula for c in columns[:20]] == [None] * 20
    # Excel fills a calculated column into a row added below the table: the formula is
    # row 2's (without "="), read relative to the table's first data row
    for c, column in zip(("U", "V", "W"), columns[20:]):
        assert "=" + column.calculatedColumnFormula.attr_text == ws[f"{c}2"].value
    assert ws["W2"].value == '=IF(OR(U2="",V2=""),"",V2-U2)'
    assert ws.tables["Estimates"].autoFilter.ref == "A1:W21"


def test_template_prints_landscape_with_titles_and_names_every_font(template):
    wb = openpyxl.load_workbook(template)
    ws = wb["Estimates"]
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (2, 0)
    assert ws.print_title_rows == "$1:$1" and ws.print_title_cols == "$A:$B"
    instr = wb["Instructions"]
    assert instr.page_setup.orientation == "portrait"
    assert (instr.page_setup.fitToWidth, instr.page_setup.fitToHeight) == (1, 0)
    assert unnamed_fonts(wb) == []
