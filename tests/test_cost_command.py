"""`medpay cost`: the real CLI over a real level-estimate workbook, JSON and the report."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import run_cli
from tests.report_layout import (
    assert_inside_print_area,
    defined_print_titles,
    print_area_bounds,
    two_cell_anchors,
    unnamed_fonts,
)

HEADERS = ["Employee ID", "Employee name", "Directorate", "Team", "Job title", "Framework",
           "Range", "Current salary", "FTE", "Contract type", "Start date in post",
           "Probation passed", "Capability procedure", "Appraisal outcome",
           "Date at current level", "Current level", "Estimated level"]


def _employee(eid, directorate, team, salary, fte, current, estimated, range_=3):
    return [eid, f"Name {eid}", directorate, team, "Personal Assistant",
            "Business & Executive Support", range_, salary, fte, "Permanent",
            dt.date(2020, 1, 6), "Yes", "No", "Met", dt.date(2023, 1, 2), current, estimated]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cost")


@pytest.fixture(scope="module")
def pay_ranges(workdir) -> Path:
    """A pay-ranges workbook with the figures the hand-worked numbers below use."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Pay ranges"
    ws.append(["Range", "Level A", "Level B", "Level C"])
    ws.append([3, 25584, 26967, 28349])
    ws.append([4, 29093, 31200, 33366])
    st = wb.create_sheet("Settings")
    for row in [
        ("Employer National Insurance rate", 0.15),
        ("National Insurance secondary threshold", 5000),
        ("Employer pension rate", 0.198),
        ("Apprenticeship levy rate", 0.005),
        ("Pay change date 1", "1 January"), ("Submission deadline 1", "1 December"),
        ("Pay change date 2", "1 July"), ("Submission deadline 2", "1 June"),
        ("Appeal period (working days)", 5),
        ("Minimum months in post for new appointees", 6),
        ("Casual staff working aggregate (months)", 6),
        ("Cost-of-living award applies from", "1 April"),
    ]:
        st.append(list(row))
    path = workdir / "pay.xlsx"
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def estimates(workdir) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Estimates"
    ws.append(HEADERS)
    ws.append(_employee("E1", "Place", "Admin", 25584, 1, "A", "B"))
    ws.append(_employee("E2", "Place", "Admin", 25584, 0.6, "A", "B"))
    ws.append(_employee("E3", "=People", "HR", 27000, 1, "A", "B"))      # honoured
    ws.append(_employee("E4", "=People", "HR", None, 1, "A", "B"))       # not costed
    for r in (4, 5):  # the text "=People" typed with a leading apostrophe: text, not a formula
        ws.cell(r, 3).data_type = "s"
    path = workdir / "team.xlsx"
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def result(estimates, pay_ranges):
    proc = run_cli("cost", estimates, "--pay-ranges", pay_ranges, "--as-of", "2025-06-01",
                   "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_json_rows_carry_hand_worked_figures(result):
    rows = {r["employee_id"]: r for r in result["rows"]}
    assert sorted(rows) == ["E1", "E2", "E3"]
    # E1 3A 25,584 -> 3B 26,967 full time: 1,383.00 + NI 207.45 + pension 273.834 + levy
    # 6.915 = 1,871.199 -> 1,871.20; submitted 1 June -> 1 July, 9/12 -> 1,403.40
    e1 = rows["E1"]
    assert {k: e1[k] for k in ("current_salary", "new_salary", "honoured", "effective_date",
                               "annual_increase", "employer_ni", "pension", "levy",
                               "full_year_cost", "in_year_cost")} == {
        "current_salary": "25584.00", "new_salary": "26967.00", "honoured": False,
        "effective_date": "2025-07-01", "annual_increase": "1383.00", "employer_ni": "207.45",
        "pension": "273.83", "levy": "6.92", "full_year_cost": "1871.20",
        "in_year_cost": "1403.40"}
    # E2 at 0.6 FTE: 829.80 + 124.47 + 164.3004 + 4.149 = 1,122.7194 -> 1,122.72; x 0.75
    assert (rows["E2"]["full_year_cost"], rows["E2"]["in_year_cost"]) == ("1122.72", "842.04")
    assert rows["E3"]["honoured"] is True and rows["E3"]["full_year_cost"] == "0.00"


def test_json_totals_and_rows_not_costed(result):
    t = result["totals"]
    # 1,871.20 + 1,122.72 = 2,993.92 ; 1,403.40 + 842.04 = 2,245.44
    assert t["overall"]["full_year_cost"] == "2993.92"
    assert t["overall"]["in_year_cost"] == "2245.44"
    assert t["honoured"] == 1
    assert t["by_directorate"]["Place"]["rows"] == 2
    assert t["by_team"]["HR"]["honoured"] == 1
    assert result["not_costed"] == [{"row": 5, "employee_id": "E4", "reason": "no current salary"}]


def test_cola_option_raises_pay_points(estimates, pay_ranges):
    proc = run_cli("cost", estimates, "--pay-ranges", pay_ranges, "--as-of", "2025-06-01",
                   "--cola", "3%", "--json")
    assert proc.returncode == 0, proc.stderr
    e1 = json.loads(proc.stdout)["rows"][0]
    # 26,967 x 1.03 = 27,776.01; full year 1,927.33497 -> 1,927.33 (tests/test_costing.py)
    assert (e1["new_salary"], e1["full_year_cost"]) == ("27776.01", "1927.33")


def test_bad_cola_is_a_usage_error(estimates):
    proc = run_cli("cost", estimates, "--cola", "lots")
    assert proc.returncode == 2
    assert "expected a percentage such as 3 or 2.5, got 'lots'" in proc.stderr


def test_missing_file_is_one_line_exit_2(workdir, pay_ranges):
    proc = run_cli("cost", workdir / "nope.xlsx", "--pay-ranges", pay_ranges)
    assert proc.returncode == 2
    assert proc.stderr.startswith("medpay: ") and "nope.xlsx" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_text_output_lists_rows_totals_and_rows_not_costed(estimates, pay_ranges):
    proc = run_cli("cost", estimates, "--pay-ranges", pay_ranges, "--as-of", "2025-06-01")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "E3" in lines[3] and lines[3].endswith("salary honoured")
    # E1, E2 pay rises (3A -> 3B), E3 honoured (27,000 > the 3B point 26,967)
    assert ("Total: 3 costed (2 pay rise(s), 0 no change, 1 honoured); full year £2,993.92, "
            "in year £2,245.44") in lines
    assert "Not costed: row 5 (E4): no current salary" in lines


def test_out_writes_the_report_workbook(workdir, estimates, pay_ranges):
    out = workdir / "report.xlsx"
    proc = run_cli("cost", estimates, "--pay-ranges", pay_ranges, "--as-of", "2025-06-01",
                   "--out", out)
    assert proc.returncode == 0, proc.stderr
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Costs", "Totals"]
    ws = wb["Costs"]
    headers = [c.value for c in ws[1]]
    assert headers[0] == "Employee ID" and "In-year cost" in headers
    col = {h: i + 1 for i, h in enumerate(headers)}
    assert ws.cell(2, 1).value == "E1"
    assert ws.cell(2, col["Full-year cost"]).value == pytest.approx(1871.20)
    assert ws.cell(2, col["Full-year cost"]).number_format == '"£"#,##0.00'
    assert ws.cell(2, col["Effective date"]).value == dt.datetime(2025, 7, 1)
    assert ws.cell(4, col["Salary honoured"]).value == "Yes"
    # a directorate typed as "=People" stays text, never a formula
    assert ws.cell(4, col["Directorate"]).value == "=People"
    assert ws.cell(4, col["Directorate"]).data_type == "s"
    ts = wb["Totals"]
    # one table: "Totals by" (Overall, Directorate, Team, Framework) and Name in A:B
    keys = [(ts.cell(r, 1).value, ts.cell(r, 2).value) for r in range(1, ts.max_row + 1)]
    place = keys.index(("Directorate", "Place")) + 1
    # Rows, Pay rises, No change, Honoured in C:F: Place is E1 and E2, both 3A -> 3B rises
    assert [ts.cell(place, c).value for c in range(3, 7)] == [2, 2, 0, 0]
    assert ts.cell(place, 11).value == pytest.approx(2993.92)   # full-year cost column K
    with zipfile.ZipFile(out) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        xml = z.read(charts[0]).decode()
    assert "<barChart>" in xml and "'Totals'!$K$" in xml  # full-year cost column

    # never overwritten without --force; replaced with it
    again = run_cli("cost", estimates, "--pay-ranges", pay_ranges, "--as-of", "2025-06-01",
                    "--out", out)
    assert again.returncode == 2 and "output already exists" in again.stderr
    forced = run_cli("cost", estimates, "--pay-ranges", pay_ranges, "--as-of", "2025-06-01",
                     "--out", out, "--force")
    assert forced.returncode == 0, forced.stderr


def test_report_is_reproducible_byte_for_byte(workdir, estimates, pay_ranges):
    a, b = workdir / "a.xlsx", workdir / "b.xlsx"
    for p in (a, b):
        assert run_cli("cost", estimates, "--pay-ranges", pay_ranges, "--as-of", "2025-06-01",
                       "--out", p).returncode == 0
    assert a.read_bytes() == b.read_bytes()


def test_workbook_without_an_estimates_table_is_refused_not_costed_as_empty(workdir, pay_ranges):
    """A framework workbook handed to `medpay cost` is not "a team with no changes":
    exit 2 with the reader's EST-NO-TABLE message, as the batch treats it."""
    framework = Path(__file__).resolve().parent.parent / "workbooks" / "frameworks" / \
        "business-and-executive-support.xlsx"
    proc = run_cli("cost", framework, "--pay-ranges", pay_ranges, "--as-of", "2025-03-01")
    assert proc.returncode == 2
    assert proc.stdout == ""
    line = proc.stderr.strip()
    assert "\n" not in line
    assert "business-and-executive-support.xlsx" in line
    assert "No sheet named 'Estimates'" in line


def test_report_prints_landscape_one_page_wide_with_names_levels_uk_dates_and_one_totals_table(
        workdir, estimates, pay_ranges):
    """What a manager sees (issue 20): 20 columns on one landscape page width with the
    header row repeated, the employee's name and current level beside the ID, dd/mm/yyyy
    dates, every font named, one Totals table, and the chart inside the printed area."""
    out = workdir / "layout.xlsx"
    proc = run_cli("cost", estimates, "--pay-ranges", pay_ranges, "--as-of", "2025-06-01",
                   "--out", out)
    assert proc.returncode == 0, proc.stderr
    wb = openpyxl.load_workbook(out)
    assert unnamed_fonts(wb) == []
    ws = wb["Costs"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["Employee ID", "Employee name", "Directorate"]
    c = {h: i + 1 for i, h in enumerate(headers)}
    # E1 "Name E1", current level A (the fixture's row), estimated B
    assert [ws.cell(2, c[h]).value for h in ("Employee name", "Current level", "Estimated level")
            ] == ["Name E1", "A", "B"]
    assert ws.cell(2, c["Effective date"]).number_format == "dd/mm/yyyy"
    # the headers over figures are right-aligned, text headers are not
    assert ws.cell(1, c["Full-year cost"]).alignment.horizontal == "right"
    assert ws.cell(1, c["Directorate"]).alignment.horizontal is None
    for sheet in (ws, wb["Totals"]):
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert print_area_bounds(ws) == (1, 1, len(headers), 4)  # E1, E2, E3 costed
    titles = defined_print_titles(out)
    assert titles["Costs"] == "'Costs'!$1:$1"
    # every column at least as wide as its widest value: the 3 directorate names, "=People"
    assert ws.column_dimensions["C"].width >= len("Directorate")
    assert ws.column_dimensions["B"].width >= len("Name E1")

    ts = wb["Totals"]
    assert (ts["A2"].value, ts["B2"].value, ts["B2"].number_format) == (
        "As of", dt.datetime(2025, 6, 1), "dd/mm/yyyy")
    assert list(ts.tables) == ["Totals"]
    # title, As of, Costed from, a blank row, then the header in row 5 and 6 rows: Overall;
    # directorates "=People" (E3) and Place (E1, E2), sorted; teams Admin, HR; the framework
    top, last = 5, 11
    assert ts.tables["Totals"].ref == f"A{top}:L{last}"
    assert titles["Totals"] == f"'Totals'!${top}:${top}"
    assert [(ts.cell(r, 1).value, ts.cell(r, 2).value, ts.cell(r, 3).value)
            for r in range(top, last + 1)] == [
        ("Totals by", "Name", "Rows"), ("Overall", "All rows", 3),
        ("Directorate", "=People", 1), ("Directorate", "Place", 2),
        ("Team", "Admin", 2), ("Team", "HR", 1),
        ("Framework", "Business & Executive Support", 3)]
    assert ts.cell(top + 2, 2).data_type == "s"  # "=People" stays text
    (anchor,) = two_cell_anchors(out)
    assert_inside_print_area(anchor, ts)
    assert anchor["from_row"] + 1 > last  # below the table, never over it
