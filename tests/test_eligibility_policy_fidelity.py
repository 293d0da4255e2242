"""Policy fidelity of eligibility on real level-estimate workbooks (tracker issue 17):
probation (7.22/7.28), long-term absence (6.16), resubmission (7.21), salaries entered pro
rata, and the casual-staff limit read from Settings (2.2)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest

from addin.core.eligibility import Eligible, check_eligibility
from addin.core.estimates_table import HEADERS
from addin.app.validate import validate_estimates
from addin.office.xlsx.estimates_feedback import eligibility_columns, report_rows
from addin.office.xlsx.frameworks import read_frameworks
from addin.office.xlsx.settings import read_pay_settings
from tests.conftest import BES_FRAMEWORK, PAY_RANGES, run_cli
from tests.test_estimates_reader import ROW, book

AS_OF = dt.date(2025, 3, 3)
HEADS = list(HEADERS.values()) + ["Previous request date"]
"""The template's columns (A-S, then T Long-term absence) and the optional U Previous
request date."""
COL = {"employee_id": 0, "job_title": 4, "range": 6, "current_salary": 7, "fte": 8,
       "contract_type": 9, "start_date": 10, "probation_passed": 11, "capability": 12,
       "appraisal_outcome": 13, "date_at_level": 14, "current_level": 15,
       "estimated_level": 16, "long_absence": 19, "previous_request": 20}

# Business Support Assistant 2A -> 2B: the framework's 2B Experience text states no
# minimum time, so only the rules under test decide
ASSISTANT = dict(job_title="Business Support Assistant", range=2, current_salary=23656)


@pytest.fixture(scope="module")
def frameworks():
    return read_frameworks([BES_FRAMEWORK])


@pytest.fixture(scope="module")
def pay():
    return read_pay_settings(PAY_RANGES)


def row(**changes):
    values = [*ROW, None, None]
    for fld, v in changes.items():
        values[COL[fld]] = v
    return values


def validate(tmp_path: Path, rows, frameworks, pay, *, headers=HEADS):
    path = book(tmp_path / "team.xlsx", rows, headers=headers)
    return validate_estimates(path, frameworks=frameworks, pay=pay, as_of=AS_OF)


def found(report):
    return [(f.code, f.cell, f.severity.value) for f in report.sorted()]


# ----------------------------------------------------------------------- probation


def test_probation_no_is_not_eligible_even_after_23_months_in_post(tmp_path, frameworks, pay):
    # 3 Apr 2023 -> 3 Mar 2025 is 23 whole months in post (and at 3A: the 18 months 3B
    # asks for are served), but probation is "No": 7.22 "must have passed their probation
    # period"; the 6 months in post of 7.28 do not override it
    report = validate(tmp_path, [row(probation_passed="No", start_date=dt.date(2023, 4, 3),
                                     date_at_level=dt.date(2023, 4, 3))], frameworks, pay)
    assert found(report) == []
    result = report.extra["rows"][0]
    assert (result["eligible"], result["status"], result["effective_date"]) == (False, "No", None)
    assert result["reasons"] == [
        "Probation not passed; the employee must have passed their probation period to be "
        "considered for progression (7.22)"]


@pytest.mark.parametrize("probation", [None, "N/A", "n/a", "Not applicable"])
def test_blank_or_na_probation_with_six_months_in_post_is_eligible(tmp_path, frameworks, pay,
                                                                  probation):
    # no probation in this role (an internal mover): 3 Sep 2024 -> 3 Mar 2025 is exactly
    # the 6 months in post of 7.28 (Settings: "Minimum months in post for new appointees")
    report = validate(tmp_path, [row(**ASSISTANT, probation_passed=probation,
                                     start_date=dt.date(2024, 9, 3),
                                     date_at_level=dt.date(2024, 9, 3))], frameworks, pay)
    assert found(report) == []  # a blank probation cell is not a missing value
    result = report.extra["rows"][0]
    assert (result["eligible"], result["status"], result["reasons"]) == (True, "Yes", [])
    assert result["effective_date"] == "2025-07-01"


def test_na_probation_with_five_months_in_post_is_not_eligible(tmp_path, frameworks, pay):
    # 4 Sep 2024 -> 3 Mar 2025 is 5 whole months: one short of 7.28's 6
    report = validate(tmp_path, [row(**ASSISTANT, probation_passed="N/A",
                                     start_date=dt.date(2024, 9, 4),
                                     date_at_level=dt.date(2024, 9, 4))], frameworks, pay)
    assert report.extra["rows"][0]["reasons"] == [
        "No probation recorded in this role and 5 months in post; without a probation "
        "passed, a minimum of 6 months in post is needed (7.28)"]


def test_probation_that_is_not_yes_no_or_na_is_an_error_at_its_cell(tmp_path, frameworks, pay):
    report = validate(tmp_path, [row(probation_passed="pending")], frameworks, pay)
    assert found(report) == [("EST-BAD-VALUE", "L2", "error")]
    assert report.sorted()[0].message == (
        "Probation passed: expected Yes, No or N/A (no probation in this role), got 'pending'")


# ----------------------------------------------------------------------- 6.16


def test_long_term_absence_makes_eligibility_the_managers_decision(tmp_path, frameworks, pay):
    # 6.16: no appraisal outcome is required (the blank N2 is not a missing value), and
    # the answer is neither yes nor no
    report = validate(tmp_path, [row(appraisal_outcome=None, long_absence="Yes")],
                      frameworks, pay)
    assert found(report) == []
    result = report.extra["rows"][0]
    assert (result["eligible"], result["status"]) == (False, "Manager to decide (6.16)")
    assert result["reasons"] == [
        "Long-term absence during the appraisal review period: no appraisal outcome is "
        "required and the manager decides whether a progression request can be "
        "considered (6.16)"]
    assert result["effective_date"] is None
    # the --feedback Eligible column says so
    (head, eligible), _, _ = eligibility_columns(report_rows(report))
    assert (head, eligible) == ("Eligible", {2: "Manager to decide (6.16)"})


def test_long_term_absence_does_not_override_a_rule_that_fails(tmp_path, frameworks, pay):
    report = validate(tmp_path, [row(appraisal_outcome=None, long_absence="Yes",
                                     capability="Yes")], frameworks, pay)
    result = report.extra["rows"][0]
    assert result["status"] == "No"
    assert result["reasons"] == [
        "Subject to the performance capability procedure; progression needs the employee "
        "not to be subject to performance capability (7.22)"]


def test_without_long_term_absence_a_blank_appraisal_is_still_missing(tmp_path, frameworks, pay):
    report = validate(tmp_path, [row(appraisal_outcome=None, long_absence="No")],
                      frameworks, pay)
    assert found(report) == [("EST-MISSING", "N2", "error")]


def test_check_eligibility_status_is_an_enum_and_eligible_stays_a_bool():
    pay = read_pay_settings(PAY_RANGES)
    common = dict(as_of=AS_OF, probation_passed=True, start_date=dt.date(2020, 1, 6),
                  capability=False, months_at_level=None, required_months=None,
                  settings=pay)
    decide = check_eligibility(appraisal_outcome=None, long_absence=True, **common)
    assert decide.status is Eligible.MANAGER_TO_DECIDE and decide.eligible is False
    assert not decide.status
    yes = check_eligibility(appraisal_outcome="Met", **common)
    assert yes.status is Eligible.YES and yes.eligible is True and bool(yes.status)


def test_validate_estimates_text_and_forms_index_say_manager_to_decide(tmp_path):
    path = book(tmp_path / "team.xlsx", [row(appraisal_outcome=None, long_absence="Yes")],
                headers=HEADS)
    proc = run_cli("validate-estimates", path, "--framework", BES_FRAMEWORK, "--pay-ranges",
                   PAY_RANGES, "--as-of", "2025-03-03")
    assert proc.returncode == 0, proc.stderr
    assert ("row 2    100234       manager to decide (6.16): Long-term absence during the "
            "appraisal review period") in proc.stdout
    out = tmp_path / "forms"
    proc = run_cli("forms", "application", "--estimates", path, "--framework", BES_FRAMEWORK,
                   "--pay-ranges", PAY_RANGES, "--as-of", "2025-03-03", "--out", out)
    assert proc.returncode == 0, proc.stderr
    index = [[c.value for c in r] for r in
             openpyxl.load_workbook(out / "index-application.xlsx").active.iter_rows(min_row=2)]
    assert [(r[0], r[4]) for r in index] == [("100234", "made")]
    assert index[0][5].startswith("Manager to decide (6.16); Long-term absence")


# ----------------------------------------------------------------------- 7.21


def test_previous_request_in_the_current_window_is_not_eligible_until_the_next(
        tmp_path, frameworks, pay):
    # a request on 15 Jan 2025 was for the 1 July 2025 pay change (deadline 1 June), so
    # another can count only from 2 June 2025, for the 1 January 2026 pay change; on
    # 3 March 2025 it is too early
    report = validate(tmp_path, [row(previous_request=dt.date(2025, 1, 15))], frameworks, pay)
    assert found(report) == []
    result = report.extra["rows"][0]
    assert (result["eligible"], result["status"], result["effective_date"]) == (False, "No", None)
    assert result["reasons"] == [
        "A previous request was made on 15/01/2025, in the current window; the earliest "
        "another request can be submitted is the next window, from 02/06/2025 (pay change "
        "01/01/2026) (7.21)"]


def test_previous_request_in_an_earlier_window_does_not_block(tmp_path, frameworks, pay):
    # 20 Nov 2024 was for 1 January 2025 (deadline 1 December 2024): the window for the
    # 1 July 2025 pay change opened on 2 December 2024
    report = validate(tmp_path, [row(previous_request="20/11/2024")], frameworks, pay)
    assert report.extra["rows"][0]["eligible"] is True


def test_previous_request_date_in_the_future_is_an_error_at_its_cell(tmp_path, frameworks, pay):
    report = validate(tmp_path, [row(previous_request=dt.date(2025, 4, 1))], frameworks, pay)
    assert found(report) == [("EST-FUTURE-DATE", "U2", "error")]
    assert report.sorted()[0].message == (
        "Previous request date 01/04/2025 is after 03/03/2025; it cannot be in the future")


# ----------------------------------------------------------------------- pro rata


def test_salary_entered_pro_rata_is_an_error_at_the_salary_cell(tmp_path, frameworks, pay):
    # 0.6 x £23,656 (range 2 level A) = £14,193.60: the part-time pay, not the full-time
    # salary the costing multiplies by the FTE
    report = validate(tmp_path, [row(**{**ASSISTANT, "current_salary": 14193.60}, fte=0.6)],
                      frameworks, pay)
    assert found(report) == [("EST-PRO-RATA-SALARY", "H2", "error")]
    assert report.sorted()[0].message == (
        "Current salary £14,193.60 at FTE 0.6 is FTE x the range 2 level A pay point "
        "£23,656; enter the full-time salary; FTE is applied by the costing")
    assert report.extra["rows"][0]["eligible"] is False


def test_salary_within_a_pound_of_fte_times_a_pay_point_is_pro_rata(tmp_path, frameworks, pay):
    # 0.5 x £24,404 (2B) = £12,202; £12,202.90 is within £1
    report = validate(tmp_path, [row(**{**ASSISTANT, "current_salary": 12202.90}, fte=0.5)],
                      frameworks, pay)
    assert [f.message for f in report.sorted()] == [
        "Current salary £12,202.90 at FTE 0.5 is FTE x the range 2 level B pay point "
        "£24,404; enter the full-time salary; FTE is applied by the costing"]


def test_part_time_salary_below_the_range_is_pro_rata_and_not_also_outside(
        tmp_path, frameworks, pay):
    report = validate(tmp_path, [row(**{**ASSISTANT, "current_salary": 20000}, fte=0.8)],
                      frameworks, pay)
    assert found(report) == [("EST-PRO-RATA-SALARY", "H2", "error")]
    assert report.sorted()[0].message == (
        "Current salary £20,000 at FTE 0.8 is below the bottom of range 2 (£23,656); enter "
        "the full-time salary; FTE is applied by the costing")


@pytest.mark.parametrize("salary, fte, expected", [
    (23656, 0.6, []),  # the full-time 2A salary of a part-timer: right
    (20000, 1, [("EST-SALARY-OUTSIDE", "H2", "warning")]),  # full time: only outside
])
def test_full_time_salaries_are_not_pro_rata(tmp_path, frameworks, pay, salary, fte, expected):
    report = validate(tmp_path, [row(**{**ASSISTANT, "current_salary": salary}, fte=fte)],
                      frameworks, pay)
    assert found(report) == expected


# ----------------------------------------------------------------------- 2.2


def test_casual_limit_is_read_from_settings(tmp_path, frameworks):
    # a council whose Settings ask casual staff for a 9-month aggregate: 8 is not enough
    pay_file = tmp_path / "pay-ranges.xlsx"
    shutil.copy(PAY_RANGES, pay_file)
    wb = openpyxl.load_workbook(pay_file)
    ws = wb["Settings"]
    cells = [r for r in ws.iter_rows() if r[0].value == "Casual staff working aggregate (months)"]
    assert len(cells) == 1
    cells[0][1].value = 9
    wb.save(pay_file)
    pay = read_pay_settings(pay_file)
    headers = [*HEADS, "Casual working aggregate (months)"]
    report = validate(tmp_path, [row(contract_type="Casual") + [8]], frameworks, pay,
                      headers=headers)
    assert [f.message for f in report.sorted()] == [
        "Casual staff are not usually assessed under the MedPay scheme (policy 2.2); keep "
        "this row only if the employee has a 9-month working aggregate"]
    assert report.extra["rows"][0]["reasons"] == [
        "Casual working aggregate is 8 months; casual staff need a 9-month working "
        "aggregate to be assessed (2.2)"]


def test_previous_request_date_column_prefills_the_appendix_f_field(tmp_path, frameworks, pay):
    # the column the rule reads is the one the application form's "Date of previous
    # request" (Appendix F) is filled from
    from addin.office.xlsx.estimates import read_estimates
    from addin.core.form_context import application_context

    path = book(tmp_path / "team.xlsx", [row(previous_request="15/01/2025")], headers=HEADS)
    est = read_estimates(path).rows[0]
    assert est.previous_request == dt.date(2025, 1, 15)
    ctx = application_context(est, None, "Business and Executive Support", pay, AS_OF)
    assert (ctx["previous_request"], ctx["previous_request_date"]) == ("Yes", "15/01/2025")


def test_batch_consolidated_says_manager_to_decide_for_a_long_term_absence(tmp_path):
    # 6.16 is neither yes nor no in the batch's consolidated workbook too (not "No"),
    # and the row is still costed: the initial assessment costs every costable row
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    book(inbox / "team.xlsx", [row(appraisal_outcome=None, long_absence="Yes", **ASSISTANT)],
         headers=HEADS)
    out = tmp_path / "out"
    proc = run_cli("batch", inbox, "--out", out, "--framework", BES_FRAMEWORK,
                   "--pay-ranges", PAY_RANGES, "--as-of", AS_OF.isoformat(), "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    ws = openpyxl.load_workbook(out / "consolidated.xlsx", read_only=True)["Rows"]
    rows = list(ws.iter_rows(values_only=True))
    head = list(rows[0])
    [data] = [r for r in rows[1:] if r[head.index("Employee ID")] == ROW[0]]
    assert data[head.index("May apply to progress")] == "Manager to decide (6.16)"
    assert data[head.index("In CMT totals")] == "Yes"
