"""`medpay payroll` (issue 19, Appendix K stage 9): filled Initial Assessment forms and
approved progressions -> the pay changes for payroll and the outcomes against the
estimates for CMT. Real forms (rendered, filled as in Word, harvested), a real estimates
workbook, the real CLI; every figure hand-worked below."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from addin.core import paycalendar
from addin.core.model import DEFAULT_PAYROLL_CUTOFF_DAY, Level
from addin.core.payroll import (
    PROGRESSION_APPROVED,
    Assessment,
    direction,
)
from addin.office.docx import controls as dc
from addin.office.docx.forms import render_docx
from addin.office.docx.harvest import harvest, write_harvest
from addin.office.xlsx.settings import read_pay_settings
from addin.rules.assessments_checks import ASSESSMENT_CHECKS, PayrollContext
from tests.conftest import PAY_RANGES, convert_with_libreoffice, run_cli, soffice
from tests.rules_fixtures import PAY, SETTINGS

AS_OF = dt.date(2026, 12, 4)

# ----------------------------------------------------------------------------- the payroll date


def test_signed_by_the_cut_off_is_paid_from_the_first_of_next_month():
    # cut-off 10 December for 1 January: 4 December 2026 <= 10 December 2026
    assert paycalendar.payroll_effective_date(dt.date(2026, 12, 4), dt.date(2026, 12, 1), SETTINGS) \
        == dt.date(2027, 1, 1)


def test_signed_after_the_cut_off_waits_a_month():
    # 15 December 2026 is after the 10 December cut-off; 1 February's is 10 January 2027
    assert paycalendar.payroll_effective_date(dt.date(2026, 12, 15), dt.date(2026, 12, 1), SETTINGS) \
        == dt.date(2027, 2, 1)


def test_the_run_date_counts_when_it_is_later_than_the_signature():
    # signed 1 November, but payroll is only told on 4 December: 1 January 2027
    assert paycalendar.payroll_effective_date(dt.date(2026, 11, 1), AS_OF, SETTINGS) == dt.date(2027, 1, 1)
    assert paycalendar.payroll_effective_date(None, dt.date(2026, 12, 11), SETTINGS) == dt.date(2027, 2, 1)


def test_a_cut_off_day_past_the_end_of_a_short_month_is_its_last_day():
    from dataclasses import replace

    s31 = replace(SETTINGS, payroll_cutoff_day=31)
    assert paycalendar.payroll_cutoff(dt.date(2027, 3, 1), s31) == dt.date(2027, 2, 28)
    # signed 28 February 2027 makes the 28 February cut-off: paid from 1 March
    assert paycalendar.payroll_effective_date(dt.date(2027, 2, 28), dt.date(2027, 2, 1), s31) \
        == dt.date(2027, 3, 1)


dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2098, 12, 31))


@given(dates, dates, st.integers(min_value=1, max_value=31))
def test_payroll_date_is_the_first_month_whose_cut_off_follows_both_dates(signed, as_of, day):
    """Walked month by month from the later date: the answer is a 1st, after both dates,
    its cut-off (day ``day`` of the month before, clamped) on or after the later date,
    and no earlier 1st after it qualifies."""
    from dataclasses import replace

    s = replace(SETTINGS, payroll_cutoff_day=day)
    got = paycalendar.payroll_effective_date(signed, as_of, s)
    base = max(signed, as_of)
    assert got.day == 1 and got > base and got > as_of
    assert paycalendar.payroll_cutoff(got, s) >= base
    earlier = paycalendar.add_months(got, -1)
    assert earlier <= base or paycalendar.payroll_cutoff(earlier, s) < base
    assert (got.year * 12 + got.month) - (base.year * 12 + base.month) in (1, 2)


def test_settings_without_a_cut_off_row_use_the_default_and_the_shipped_workbook_says_10(tmp_path):
    assert DEFAULT_PAYROLL_CUTOFF_DAY == 10
    assert read_pay_settings(PAY_RANGES).settings.payroll_cutoff_day == 10
    path = _pay_ranges(tmp_path, cutoff=None)
    assert read_pay_settings(path).settings.payroll_cutoff_day == 10
    assert read_pay_settings(_pay_ranges(tmp_path / "x", cutoff=15)).settings.payroll_cutoff_day == 15


def test_a_cut_off_day_that_is_not_a_day_of_the_month_is_refused_by_cell(tmp_path):
    from addin.core.errors import SettingsError

    with pytest.raises(SettingsError) as exc:
        read_pay_settings(_pay_ranges(tmp_path, cutoff=32))
    assert exc.value.cell == "B13" and "1 to 31" in str(exc.value)


def progression_effective_date(submitted, decided, as_of, settings):
    """How the payroll run dates an approved progression: paycalendar's approval rule
    with the run date as the letter date."""
    return paycalendar.approval_effective_date(submitted, decided, settings, letter_date=as_of)


def test_an_approved_progression_keeps_january_and_july_and_is_never_before_the_run():
    # submitted 20 November 2026 (before the 1 December deadline): 1 January 2027
    assert progression_effective_date(dt.date(2026, 11, 20), dt.date(2026, 11, 27), AS_OF, SETTINGS) \
        == dt.date(2027, 1, 1)
    # submitted 2 December 2026 (after it): 1 July 2027
    assert progression_effective_date(dt.date(2026, 12, 2), dt.date(2026, 12, 3), AS_OF, SETTINGS) \
        == dt.date(2027, 7, 1)
    # submitted in May 2026 for 1 July 2026, but payroll told on 4 December: not backdated,
    # the next pay change date on or after the run date, 1 January 2027
    assert progression_effective_date(dt.date(2026, 5, 1), dt.date(2026, 5, 20), AS_OF, SETTINGS) \
        == dt.date(2027, 1, 1)


def test_direction_of_an_outcome():
    assert direction(Level.B, Level.C) == "up"
    assert direction(Level.C, Level.A) == "down"
    assert direction(Level.B, Level.B) == "same"
    assert direction(None, Level.A) == "not estimated"


# ----------------------------------------------------------------------------- fixtures


def _pay_ranges(folder: Path, *, cutoff: int | None) -> Path:
    """Ranges 3 and 4 of the shipped sample figures; NI 15% above £5,000, pension 19.8%,
    levy 0.5% (so an increase wholly above the threshold costs 1.353 times itself)."""
    folder.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Pay ranges"
    ws.append(["Range", "Level A", "Level B", "Level C"])
    ws.append([3, 25584, 26967, 28349])
    ws.append([4, 29093, 31200, 33366])
    st_ = wb.create_sheet("Settings")
    for row in [("Employer National Insurance rate", 0.15),
                ("National Insurance secondary threshold", 5000),
                ("Employer pension rate", 0.198), ("Apprenticeship levy rate", 0.005),
                ("Pay change date 1", "1 January"), ("Submission deadline 1", "1 December"),
                ("Pay change date 2", "1 July"), ("Submission deadline 2", "1 June"),
                ("Appeal period (working days)", 5),
                ("Minimum months in post for new appointees", 6),
                ("Casual staff working aggregate (months)", 6),
                ("Cost-of-living award applies from", "1 April")]:
        st_.append(list(row))
    if cutoff is not None:
        st_.append(["Payroll cut-off day", cutoff])
    path = folder / "pay.xlsx"
    wb.save(path)
    return path


HEADERS = ["Employee ID", "Employee name", "Directorate", "Team", "Job title", "Framework",
           "Range", "Current salary", "FTE", "Contract type", "Start date in post",
           "Probation passed", "Capability procedure", "Appraisal outcome",
           "Date at current level", "Current level", "Estimated level"]

# id, directorate, team, range, salary, FTE, current level, estimated level
STAFF = [
    ("E1", "Place", "Admin", 3, 25584, 1, "A", "B"),     # assessed B: as estimated
    ("E2", "Place", "Admin", 3, 25584, 0.5, "A", "C"),   # assessed B: lower
    ("E3", "People", "HR", 4, 31200, 1, "B", "B"),       # assessed C: higher
    ("E4", "People", "HR", 3, 28000, 1, "B", "C"),       # assessed B: lower, salary honoured
    ("E5", "People", "HR", 3, 25584, 1, "A", "A"),       # level left blank
    ("E6", "Place", "Roads", 3, 25584, 1, "A", "B"),     # employee ID altered on the form
    ("E7", "Place", "Roads", 3, 25584, 1, "A", "B"),     # no form (approved progression only)
]


def _estimates(folder: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Estimates"
    ws.append(HEADERS)
    for eid, d, t, rng, salary, fte, cur, est in STAFF:
        ws.append([eid, f"Name {eid}", d, t, "Personal Assistant", "Business & Executive Support",
                   rng, salary, fte, "Permanent", dt.date(2020, 1, 6), "Yes", "No", "Met",
                   dt.date(2023, 1, 2), cur, est])
    path = folder / "estimates.xlsx"
    wb.save(path)
    return path


def _template(folder: Path) -> Path:
    """An Initial Assessment form with the tags issue 19 names (the real template is
    built by tools/form_templates.py; this one has the same controls)."""
    from tools.form_templates import date, field_table, finish, new_document, text, yes_no

    doc = new_document("Initial Assessment", "(Appendix K, stage 9)")
    field_table(doc, [
        ("Employee ID:", text("employee_id", "Employee ID", "{{ employee_id }}", locked=True)),
        ("Name:", text("employee_name", "Name", "{{ employee_name }}", locked=True)),
        ("Assessed level:", dc.dropdown_control("assessed_level", "Assessed level", ("A", "B", "C"))),
        ("Meeting date:", date("meeting_date", "Meeting date")),
        ("Qualifications:", text("evidence_qualifications", "Qualifications", multiline=True)),
        ("Knowledge:", text("evidence_knowledge", "Knowledge", multiline=True)),
        ("Experience:", text("evidence_experience", "Experience", multiline=True)),
        ("Skills:", text("evidence_skills", "Skills", multiline=True)),
        ("PDP agreed:", yes_no("pdp_agreed", "PDP agreed")),
        ("Employee comments:", text("employee_comments", "Comments", multiline=True)),
        ("Manager:", text("manager_name", "Manager")),
        ("Manager signature:", text("manager_signature", "Manager signature")),
        ("Date:", date("manager_signature_date", "Manager signature date")),
        ("Employee signature:", text("employee_signature", "Employee signature")),
        ("Date:", date("employee_signature_date", "Employee signature date")),
    ])
    return finish(doc, folder / "initial-assessment.docx", "initial-assessment")


def _form(template: Path, eid: str, **answers) -> bytes:
    data = render_docx(template, {"employee_id": eid, "employee_name": f"Name {eid}"},
                       form_type="initial-assessment")
    filled = {"meeting_date": dt.date(2026, 12, 1), "manager_name": "M Manager",
              "manager_signature": "M Manager", "manager_signature_date": dt.date(2026, 12, 2),
              "employee_signature": f"Name {eid}", "employee_signature_date": dt.date(2026, 12, 3),
              "pdp_agreed": "Yes", **answers}
    return dc.fill_controls(data, {k: v for k, v in filled.items() if v is not None})


def _decisions(folder: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Employee ID", "Employee name", "Range", "Decision", "Decision date",
               "Current level", "Requested level", "Date submitted"])
    # both submitted after the 1 December deadline: paid from 1 July 2027
    ws.append(["E1", "Name E1", 3, "Approved", dt.date(2026, 12, 3), "B", "C", dt.date(2026, 12, 2)])
    ws.append(["E7", "Name E7", 3, "Approved", dt.date(2026, 12, 3), "A", "B", dt.date(2026, 12, 2)])
    ws.append(["E5", "Name E5", 3, "Declined", dt.date(2026, 12, 3), "A", "B", dt.date(2026, 12, 2)])
    path = folder / "decisions.xlsx"
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("payroll")
    template = _template(root / "tpl")
    forms = root / "forms"
    forms.mkdir()
    (forms / "E1.docx").write_bytes(_form(template, "E1", assessed_level="B"))
    (forms / "E2.docx").write_bytes(_form(template, "E2", assessed_level="B"))
    (forms / "E3.docx").write_bytes(_form(template, "E3", assessed_level="C"))
    (forms / "E4.docx").write_bytes(_form(template, "E4", assessed_level="B"))
    (forms / "E5.docx").write_bytes(_form(template, "E5"))  # level left blank
    (forms / "E6.docx").write_bytes(_form(template, "E6", assessed_level="B", employee_id="E9"))
    return {"root": root, "forms": forms, "estimates": _estimates(root),
            "pay": _pay_ranges(root / "pay", cutoff=None), "decisions": _decisions(root),
            "template": template}


def _run(inputs, out: Path, *extra: str, assessments: Path | None = None):
    return run_cli("payroll", "--estimates", inputs["estimates"],
                   "--assessments", assessments or inputs["forms"], "--decisions", inputs["decisions"],
                   "--pay-ranges", inputs["pay"], "--as-of", AS_OF.isoformat(), "--out", out, *extra)


@pytest.fixture(scope="module")
def run(inputs) -> dict:
    out = inputs["root"] / "out"
    proc = _run(inputs, out, "--json")
    assert proc.returncode == 1, proc.stderr  # two forms kept out
    return {"out": out, "json": json.loads(proc.stdout)}


# ----------------------------------------------------------------------------- the payroll CSV

# Every change is signed on or before the run date 4 December 2026, so the later date is
# the run date: cut-off 10 December -> paid from 1 January 2027. The approved progressions
# (submitted 2 December, after the 1 December deadline) are paid from 1 July 2027.
EXPECTED_CSV = [
    ["employee_id", "employee_name", "directorate", "team", "job_title", "range",
     "current_level", "new_level", "current_salary", "new_salary", "fte", "effective_date",
     "reason", "honoured"],
    # 3A 25,584 -> 3B 26,967
    ["E1", "Name E1", "Place", "Admin", "Personal Assistant", "3", "A", "B", "25584.00",
     "26967.00", "1", "2027-01-01", "Initial assessment", "No"],
    # 3A -> 3B at 0.5 FTE (salaries stay full-time)
    ["E2", "Name E2", "Place", "Admin", "Personal Assistant", "3", "A", "B", "25584.00",
     "26967.00", "0.5", "2027-01-01", "Initial assessment", "No"],
    # 4B 31,200 -> 4C 33,366
    ["E3", "Name E3", "People", "HR", "Personal Assistant", "4", "B", "C", "31200.00",
     "33366.00", "1", "2027-01-01", "Initial assessment", "No"],
    # 3B pays 26,967, below the current 28,000: honoured, the salary stays 28,000.00
    ["E4", "Name E4", "People", "HR", "Personal Assistant", "3", "B", "B", "28000.00",
     "28000.00", "1", "2027-01-01", "Initial assessment", "Yes"],
    # E1's approved progression starts from the assessment: 3B 26,967 -> 3C 28,349
    ["E1", "Name E1", "Place", "Admin", "Personal Assistant", "3", "B", "C", "26967.00",
     "28349.00", "1", "2027-07-01", "Progression approved", "No"],
    ["E7", "Name E7", "Place", "Roads", "Personal Assistant", "3", "A", "B", "25584.00",
     "26967.00", "1", "2027-07-01", "Progression approved", "No"],
]


def test_payroll_csv_has_every_row_to_the_penny_and_the_day(run):
    data = (run["out"] / "payroll-changes.csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")  # UTF-8 without a BOM
    assert list(csv.reader(io.StringIO(data.decode("utf-8")))) == EXPECTED_CSV
    assert b"=" not in data and data.endswith(b"\r\n")


def test_blank_level_and_altered_id_get_findings_naming_form_and_field_and_no_row(run):
    found = {(f["code"], f["file"]) for f in run["json"]["findings"]}
    assert ("PAY-NO-LEVEL", "E5.docx") in found
    assert ("PAY-IDENTITY-ALTERED", "E6.docx") in found
    msgs = {f["code"]: f["message"] for f in run["json"]["findings"]}
    assert msgs["PAY-NO-LEVEL"].startswith("E5.docx: no assessed level (field assessed_level)")
    assert msgs["PAY-IDENTITY-ALTERED"].startswith("E6.docx: the locked employee_id was altered")
    assert "'E6' to 'E9'" in msgs["PAY-IDENTITY-ALTERED"]
    ids = {c["employee_id"] for c in run["json"]["changes"]}
    assert "E5" not in ids and "E6" not in ids and "E9" not in ids
    # the summary: 6 changes, 1 honoured, 3 outcomes missing (E5, E6, E7)
    s = run["json"]["summary"]
    assert (s["changes"], s["honoured"], s["outcomes_missing"]) == (6, 1, 3)
    assert s["text"].startswith("6 pay change(s) for payroll, 1 honoured; 3 outcome(s) missing")
    assert [m["employee_id"] for m in run["json"]["outcomes_missing"]] == ["E5", "E6", "E7"]


def test_payroll_workbook_rows_and_control_totals(run):
    wb = openpyxl.load_workbook(run["out"] / "payroll-changes.xlsx")
    ws = wb["Changes"]
    assert [c.value for c in ws[1]] == [
        "Employee ID", "Employee name", "Directorate", "Team", "Job title", "Range",
        "Current level", "New level", "Current salary", "New salary", "FTE", "Effective date",
        "Reason", "Honoured"]
    assert ws.max_row == 7
    assert [ws.cell(r, 1).value for r in range(2, 8)] == ["E1", "E2", "E3", "E4", "E1", "E7"]
    assert ws["J5"].value == 28000 and ws["N5"].value == "Yes"  # E4 honoured
    assert ws["L2"].value == dt.datetime(2027, 1, 1) and ws["L2"].number_format == "dd/mm/yyyy"
    assert ws["I2"].number_format.startswith('"£"#,##0.00')
    assert ws.print_title_rows == "$1:$1"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws["A1"].font.name == "Arial" and ws["B2"].font.name == "Arial"
    cs = wb["Control"]
    rows = [[c.value for c in r] for r in cs.iter_rows(min_row=5, max_row=8, max_col=4)]
    # 1 January 2027: E1 1,383.00 + E2 (26,967 - 25,584) x 0.5 = 691.50 + E3 2,166.00
    #                 + E4 0.00 = 4,240.50 (4 changes, 1 honoured)
    # 1 July 2027: E1 1,382.00 + E7 1,383.00 = 2,765.00
    assert rows == [["Effective date", "Changes", "Of which honoured", "Total annual change"],
                    [dt.datetime(2027, 1, 1), 4, 1, 4240.5],
                    [dt.datetime(2027, 7, 1), 2, 0, 2765],
                    ["Total", 6, 1, 7005.5]]
    labels = [cs.cell(r, 1).value for r in range(9, cs.max_row + 1)]
    assert [x for x in labels if x] == ["Sign-off", "Prepared by", "Checked by", "Date"]


# ----------------------------------------------------------------------------- outcomes for CMT


def test_outcomes_against_estimates_to_the_penny(run):
    """Costed from 1 January 2027: 3 months to 31 March. On-costs on an increase wholly
    above the NI threshold: x 1.353 (15% + 19.8% + 0.5%)."""
    by_id = {o["employee_id"]: o for o in run["json"]["outcomes"]}
    assert set(by_id) == {"E1", "E2", "E3", "E4"}
    e1, e2, e3, e4 = (by_id[k] for k in ("E1", "E2", "E3", "E4"))
    # E1 B as estimated: 1,383 x 1.353 = 1,871.199 -> 1,871.20; x 3/12 = 467.80 both ways
    assert (e1["direction"], e1["full_year_cost_estimated"], e1["full_year_cost_assessed"],
            e1["full_year_difference"], e1["in_year_difference"]) == \
        ("same", "1871.20", "1871.20", "0.00", "0.00")
    # E2 estimated C: (28,349 - 25,584) x 0.5 = 1,382.50 x 1.353 = 1,870.5225 -> 1,870.52,
    #   in year /4 = 467.630625 -> 467.63;
    # assessed B: 691.50 x 1.353 = 935.5995 -> 935.60, in year 233.899875 -> 233.90
    assert (e2["direction"], e2["full_year_cost_estimated"], e2["full_year_cost_assessed"],
            e2["full_year_difference"], e2["in_year_cost_estimated"], e2["in_year_cost_assessed"],
            e2["in_year_difference"]) == \
        ("down", "1870.52", "935.60", "-934.92", "467.63", "233.90", "-233.73")
    # E3 estimated B = current 31,200: nothing; assessed C: 2,166 x 1.353 = 2,930.598
    #   -> 2,930.60, in year 732.6495 -> 732.65
    assert (e3["direction"], e3["full_year_cost_estimated"], e3["full_year_difference"],
            e3["in_year_difference"]) == ("up", "0.00", "2930.60", "732.65")
    # E4 estimated C: (28,349 - 28,000) = 349 x 1.353 = 472.197 -> 472.20, in year
    #   118.04925 -> 118.05; assessed B is below 28,000: honoured, nothing
    assert (e4["direction"], e4["full_year_cost_assessed"], e4["full_year_difference"],
            e4["in_year_difference"]) == ("down", "0.00", "-472.20", "-118.05")
    t = run["json"]["outcome_totals"]
    # full year 0 - 934.92 + 2,930.60 - 472.20 = 1,523.48; in year 0 - 233.73 + 732.65
    # - 118.05 = 380.87
    assert t["overall"] == {"employees": 4, "up": 1, "down": 2, "same": 1, "not_estimated": 0,
                            "full_year_difference": "1523.48", "in_year_difference": "380.87"}
    # People: E3 + E4 = 2,930.60 - 472.20 = 2,458.40; 732.65 - 118.05 = 614.60
    # Place: E1 + E2 = -934.92; -233.73
    assert t["by_directorate"]["People"]["full_year_difference"] == "2458.40"
    assert t["by_directorate"]["People"]["in_year_difference"] == "614.60"
    assert t["by_directorate"]["Place"]["full_year_difference"] == "-934.92"
    assert [(x["directorate"], x["team"], x["full_year_difference"]) for x in t["by_team"]] == \
        [("People", "HR", "2458.40"), ("Place", "Admin", "-934.92")]


def test_outcomes_workbook_sheets_chart_and_figures(run):
    wb = openpyxl.load_workbook(run["out"] / "outcomes-vs-estimates.xlsx")
    assert wb.sheetnames == ["Note to CMT", "Outcomes", "By directorate", "By team",
                             "Outcomes missing", "Problems"]
    front = wb["Note to CMT"]
    assert front["A1"].value == "MedPay Review - assessment outcomes against estimates"
    text = " ".join(str(c.value) for row in front.iter_rows(max_col=1) for c in row if c.value)
    assert "1 above the estimate, 2 below, 1 as estimated" in text
    assert "3 outcome(s) are still missing" in text
    assert "£1,523.48 more a full year and £380.87 more in this financial year" in text
    assert len(front._charts) == 1
    assert front.page_setup.fitToHeight == 1 and front.page_setup.orientation == "portrait"
    ws = wb["Outcomes"]
    header = [c.value for c in ws[1]]
    assert [ws.cell(r, 1).value for r in range(2, 6)] == ["E3", "E4", "E1", "E2"]  # People, Place
    row = {h: ws.cell(5, i + 1).value for i, h in enumerate(header)}
    assert (row["Employee ID"], row["Estimated level"], row["Assessed level"], row["Outcome"],
            row["Full-year difference"], row["In-year difference"]) == ("E2", "C", "B", "down", -934.92, -233.73)
    bd = wb["By directorate"]
    assert [c.value for c in bd[4]][:1] == ["Total"] and bd["G4"].value == 1523.48
    assert [c.value for c in wb["Outcomes missing"]["A"]][1:] == ["E5", "E6", "E7"]


def test_a_harvest_workbook_gives_the_same_payroll_as_the_folder(inputs, run, tmp_path):
    harvested = tmp_path / "harvest.xlsx"
    write_harvest(harvest(inputs["forms"]), harvested, force=False)
    proc = _run(inputs, tmp_path / "out", "--json", assessments=harvested)
    assert proc.returncode == 1, proc.stderr
    assert (tmp_path / "out" / "payroll-changes.csv").read_bytes() == \
        (run["out"] / "payroll-changes.csv").read_bytes()
    data = json.loads(proc.stdout)
    no_level = next(f for f in data["findings"] if f["code"] == "PAY-NO-LEVEL")
    # from a workbook the finding points at the cell: sheet initial-assessment, the E5 row
    assert (no_level["file"].endswith("harvest.xlsx"), no_level["sheet"]) == (True, "initial-assessment")
    assert no_level["message"].startswith("E5.docx: no assessed level (field assessed_level)")
    # the altered ID is read back from the harvest's Problems sheet, the field from its message
    altered = next(f for f in data["findings"] if f["code"] == "PAY-IDENTITY-ALTERED")
    assert altered["sheet"] == "initial-assessment" and altered["message"].startswith(
        "E6.docx: the locked employee_id was altered after the form was generated")


def test_same_inputs_give_byte_identical_outputs(inputs, run, tmp_path):
    proc = _run(inputs, tmp_path / "again")
    assert proc.returncode == 1, proc.stderr
    for name in ("payroll-changes.xlsx", "payroll-changes.csv", "outcomes-vs-estimates.xlsx"):
        assert (tmp_path / "again" / name).read_bytes() == (run["out"] / name).read_bytes(), name
    assert "6 pay change(s) for payroll, 1 honoured; 3 outcome(s) missing" in proc.stdout


def test_outputs_are_not_replaced_without_force(inputs, run):
    proc = _run(inputs, run["out"])
    assert proc.returncode == 2 and "already exists" in proc.stderr


# ----------------------------------------------------------------------------- the checks


def _check(values: dict, **kw):
    from addin.core.model import EstimateRow

    est = EstimateRow(file="e.xlsx", sheet="Estimates", row=2, employee_id="E1", range=3,
                      current_salary=D("25584"), fte=D("1"), estimated_level=Level.B)
    a = Assessment(form="E1.docx", values={"employee_id": "E1", "assessed_level": "B",
                                           "meeting_date": dt.date(2026, 12, 1),
                                           "manager_signature_date": dt.date(2026, 12, 2),
                                           "employee_signature_date": dt.date(2026, 12, 2),
                                           **values}, **kw)
    ctx = PayrollContext({"e1": est}, PAY, AS_OF, {"e1": ["E1.docx", *kw.pop("others", [])]})
    return ASSESSMENT_CHECKS.run(a, ctx)


@pytest.mark.parametrize("values, code, words", [
    ({"assessed_level": "D"}, "PAY-LEVEL-INVALID", "assessed level 'D' (field assessed_level) is not A, B or C"),
    ({"assessed_level": "9B"}, "PAY-LEVEL-INVALID", "assessed level '9B'"),
    ({"assessed_level": "5B"}, "PAY-UNKNOWN-RANGE", "range 5 (field assessed_level) is not in the pay-ranges workbook"),
    ({"employee_id": "E8"}, "PAY-NOT-IN-ESTIMATES", "employee 'E8' (field employee_id) is not in the level estimates"),
    ({"manager_signature_date": dt.date(2026, 12, 5)}, "PAY-SIGNED-IN-FUTURE",
     "manager's signature (manager_signature_date) is dated 05/12/2026, after the run date 04/12/2026"),
    ({"employee_signature_date": dt.date(2026, 11, 30)}, "PAY-SIGNED-BEFORE-MEETING",
     "employee's signature (employee_signature_date) is dated 30/11/2026, before the meeting on 01/12/2026"),
    ({"manager_signature_date": ""}, "PAY-NOT-SIGNED", "no manager's signature date (field manager_signature_date)"),
    ({"meeting_date": "soon"}, "PAY-DATE-INVALID", "'soon' (field meeting_date) is not a date"),
])
def test_each_bad_form_is_one_finding_naming_form_and_field(values, code, words):
    found = _check(values)
    assert [f.code for f in found] == [code]
    assert found[0].file == "E1.docx" and words in found[0].message and found[0].is_error


def test_a_good_form_has_no_finding():
    assert _check({}) == []


def test_two_forms_for_one_employee_are_both_kept_out(inputs, tmp_path):
    forms = tmp_path / "forms"
    forms.mkdir()
    (forms / "a.docx").write_bytes(_form(inputs["template"], "E1", assessed_level="B"))
    (forms / "b.docx").write_bytes(_form(inputs["template"], "E1", assessed_level="C"))
    proc = run_cli("payroll", "--estimates", inputs["estimates"], "--assessments", forms,
                   "--pay-ranges", inputs["pay"], "--as-of", AS_OF.isoformat(),
                   "--out", tmp_path / "out", "--json")
    data = json.loads(proc.stdout)
    dup = [(f["file"], f["message"]) for f in data["findings"] if f["code"] == "PAY-DUPLICATE-FORM"]
    assert dup == [("a.docx", "a.docx: employee E1 (field employee_id) also has the form(s) b.docx; "
                              "keep one form per employee - no pay change until then"),
                   ("b.docx", "b.docx: employee E1 (field employee_id) also has the form(s) a.docx; "
                              "keep one form per employee - no pay change until then")]
    assert data["changes"] == [] and proc.returncode == 1
    assert (tmp_path / "out" / "payroll-changes.csv").read_bytes() == (
        ",".join(EXPECTED_CSV[0]) + "\r\n").encode()


def test_a_progression_reason_for_a_decision_row(run):
    rows = [c for c in run["json"]["changes"] if c["reason"] == PROGRESSION_APPROVED]
    assert [(c["employee_id"], c["source"]) for c in rows] == [
        ("E1", "decisions.xlsx row 2"), ("E7", "decisions.xlsx row 3")]


# ----------------------------------------------------------------------------- printing


@pytest.mark.libreoffice
@pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_and_prints_both_workbooks(run, tmp_path):
    for name in ("payroll-changes.xlsx", "outcomes-vs-estimates.xlsx"):
        pdf = convert_with_libreoffice(run["out"] / name, "pdf", tmp_path)
        text = pdf.read_bytes()
        assert text.startswith(b"%PDF") and len(text) > 5000, name


# ----------------------------------------------------------------------------- the batch


def test_batch_with_initial_assessment_forms_writes_payroll_and_adds_outcomes_to_cmt(inputs, tmp_path):
    import shutil

    inbox = tmp_path / "inbox"
    shutil.copytree(inputs["forms"], inbox / "forms")
    shutil.copy(inputs["estimates"], inbox / "estimates.xlsx")
    out = tmp_path / "out"
    proc = run_cli("batch", inbox, "--out", out, "--pay-ranges", inputs["pay"],
                   "--as-of", AS_OF.isoformat(), "--jobs", "1")
    assert proc.returncode in (0, 1), proc.stderr
    # the same rows as `medpay payroll` without the decisions workbook (no progression rows)
    rows = list(csv.reader(io.StringIO((out / "payroll-changes.csv").read_text(encoding="utf-8"))))
    assert rows == EXPECTED_CSV[:5]
    assert (out / "payroll-changes.xlsx").exists() and (out / "outcomes-vs-estimates.xlsx").exists()
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    p = s["payroll"]
    assert (p["changes"], p["honoured"], p["outcomes_missing"]) == (4, 1, 3)  # E5, E6, E7
    assert p["outcome_totals"]["full_year_difference"] == "1523.48"
    assert sorted(p["outputs"]) == ["outcomes-vs-estimates.xlsx", "payroll-changes.csv",
                                    "payroll-changes.xlsx"]
    front = openpyxl.load_workbook(out / "cmt-report.xlsx")["Summary"]
    cells = {front.cell(r, 1).value: front.cell(r, 4).value for r in range(1, front.max_row + 1)}
    assert "Assessment outcomes against the estimates (stage 9)" in cells
    assert cells["Assessed above the estimate"] == 1
    assert cells["Assessed below the estimate"] == 2
    assert cells["Outcomes still missing"] == 3
    assert cells["Full-year cost difference against the estimates"] == 1523.48
    assert cells["Pay changes sent to payroll (salaries honoured)"] == "4 (1)"


def test_batch_without_initial_assessment_forms_writes_no_payroll(inputs, tmp_path):
    import shutil

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(inputs["estimates"], inbox / "estimates.xlsx")
    out = tmp_path / "out"
    proc = run_cli("batch", inbox, "--out", out, "--pay-ranges", inputs["pay"],
                   "--as-of", AS_OF.isoformat(), "--jobs", "1")
    assert proc.returncode in (0, 1), proc.stderr
    assert not (out / "payroll-changes.csv").exists()
    assert "payroll" not in json.loads((out / "summary.json").read_text(encoding="utf-8"))
    front = openpyxl.load_workbook(out / "cmt-report.xlsx")["Summary"]
    assert all(front.cell(r, 1).value != "Assessment outcomes against the estimates (stage 9)"
               for r in range(1, front.max_row + 1))


# ----------------------------------------------------------------------------- decisions, folders


def test_an_approved_decision_for_someone_not_in_the_estimates_or_an_unknown_range_is_kept_out():
    from addin.core.form_context import Decision
    from addin.core.model import EstimateRow, SourceRef
    from addin.rules.assessments_checks import DecisionInput, check_decisions

    est = EstimateRow(file="e.xlsx", sheet="Estimates", row=2, employee_id="E1", range=3,
                      current_salary=D("25584"), fte=D("1"), estimated_level=Level.B)

    def decision(eid, rng, row, outcome="Approved"):
        d = Decision(employee_id=eid, employee_name=f"Name {eid}", decision=outcome,
                     decision_date=dt.date(2026, 12, 3), range=rng, new_level=Level.B, row=row)
        return DecisionInput(d, SourceRef("decisions.xlsx", None, f"A{row}"))

    found = check_decisions([decision("E8", 3, 2), decision("E1", 5, 3), decision("E8", 3, 4, "Declined")],
                            {"e1": est}, PAY, AS_OF)
    assert [[(f.code, f.cell) for f in fs] for fs in found] == [
        [("PAY-NOT-IN-ESTIMATES", "A2")], [("PAY-UNKNOWN-RANGE", "A3")], []]
    assert found[0][0].message.startswith(
        "decisions.xlsx row 2: employee 'E8' (field Employee ID) is not in the level estimates")


def test_a_folder_of_estimates_and_an_employee_on_two_rows(inputs, tmp_path):
    import shutil

    folder = tmp_path / "estimates"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(inputs["estimates"], folder / "a.xlsx")
    shutil.copy(inputs["estimates"], folder / "sub" / "b.xlsx")  # every employee twice
    proc = run_cli("payroll", "--estimates", folder, "--assessments", inputs["forms"],
                   "--pay-ranges", inputs["pay"], "--as-of", AS_OF.isoformat(),
                   "--out", tmp_path / "out", "--json")
    data = json.loads(proc.stdout)
    dups = [f for f in data["findings"] if f["code"] == "PAY-ESTIMATE-DUPLICATE"]
    assert len(dups) == 14  # 7 employees x 2 rows
    assert dups[0]["message"].startswith("employee E1 is also on ")
    assert data["changes"] == [] and proc.returncode == 1
    # a form whose employee is on two rows cannot be paid: it names both rows
    amb = {f["file"]: f["message"] for f in data["findings"] if f["code"] == "PAY-ESTIMATE-AMBIGUOUS"}
    assert set(amb) == {"E1.docx", "E2.docx", "E3.docx", "E4.docx", "E5.docx"}  # not E6 (altered)
    assert amb["E1.docx"].startswith("E1.docx: employee E1 (field employee_id) is on 2 "
                                     "level-estimate rows (")
    assert "a.xlsx!Estimates!A2" in amb["E1.docx"] and "b.xlsx!Estimates!A2" in amb["E1.docx"]


def test_payroll_csv_text_is_never_a_formula():
    from addin.office.csvfile import csv_bytes

    data = csv_bytes(["employee_id", "employee_name"], [["E1", '=HYPERLINK("http://x","y")'],
                                                        ["E2", "+1"], ["E3", "Smith, Jo"]])
    # the leading apostrophe makes a spreadsheet show the text (OWASP CSV injection)
    assert data.decode("utf-8").splitlines() == [
        "employee_id,employee_name",
        r'''E1,"'=HYPERLINK(""http://x"",""y"")"''',
        "E2,'+1",
        'E3,"Smith, Jo"']


def test_the_shipped_initial_assessment_form_filled_in_word_goes_to_payroll(inputs, tmp_path):
    """`medpay forms initial-assessment` (the real template: employee ID, current range and
    level, salary... locked), filled as in Word, then `medpay payroll` over the folder."""
    forms = tmp_path / "forms"
    proc = run_cli("forms", "initial-assessment", "--estimates", inputs["estimates"],
                   "--pay-ranges", inputs["pay"], "--as-of", AS_OF.isoformat(), "--out", forms)
    assert proc.returncode in (0, 1), proc.stderr
    signed = {"meeting_date": dt.date(2026, 12, 1), "manager_signature_date": dt.date(2026, 12, 2),
              "employee_signature_date": dt.date(2026, 12, 3)}
    for eid, answers in {"E1": {"assessed_level": "B"}, "E2": {"assessed_level": "B"},
                         "E4": {"assessed_level": "B"},
                         "E6": {"assessed_level": "B", "employee_id": "E9"}}.items():
        path = next(forms.glob(f"{eid} *.docx"))
        path.write_bytes(dc.fill_controls(path.read_bytes(), {**signed, **answers}))
    proc = run_cli("payroll", "--estimates", inputs["estimates"], "--assessments", forms,
                   "--pay-ranges", inputs["pay"], "--as-of", AS_OF.isoformat(),
                   "--out", tmp_path / "out", "--json")
    data = json.loads(proc.stdout)
    rows = list(csv.reader(io.StringIO((tmp_path / "out" / "payroll-changes.csv").read_text("utf-8"))))
    # E1, E2 and E4 as in EXPECTED_CSV (the range from the form's locked "3A")
    assert rows == [EXPECTED_CSV[0], EXPECTED_CSV[1], EXPECTED_CSV[2], EXPECTED_CSV[4]]
    codes = {(f["code"], f["file"].split(" ")[0]) for f in data["findings"]}
    assert ("PAY-IDENTITY-ALTERED", "E6") in codes
    # the forms left blank (E5, E7) are not signed: kept out, named
    assert ("PAY-NO-LEVEL", "E5") in codes and ("PAY-NOT-SIGNED", "E7") in codes


def test_batch_payroll_names_estimates_by_their_path_in_the_inbox(inputs, tmp_path):
    import shutil

    inbox = tmp_path / "inbox"
    shutil.copytree(inputs["forms"], inbox / "forms")
    (inbox / "teams").mkdir()
    shutil.copy(inputs["estimates"], inbox / "teams" / "a.xlsx")
    shutil.copy(inputs["estimates"], inbox / "teams" / "b.xlsx")  # every employee twice
    out = tmp_path / "out"
    run_cli("batch", inbox, "--out", out, "--pay-ranges", inputs["pay"],
            "--as-of", AS_OF.isoformat(), "--jobs", "1")
    p = json.loads((out / "summary.json").read_text(encoding="utf-8"))["payroll"]
    assert p["changes"] == 0
    assert str(tmp_path) not in json.dumps(p)
    assert any(f.startswith("teams/a.xlsx: PAY-ESTIMATE-DUPLICATE: employee E1 is also on "
                            "teams/b.xlsx!Estimates!A2") for f in p["findings"])
