"""Estimates validation rules: each finding's exact code, cell and message, and the
eligibility per row, on real workbooks checked against the shipped BES framework."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from addin.app.validate import validate_estimates
from addin.office.xlsx.frameworks import read_frameworks
from addin.office.xlsx.settings import read_pay_settings
from tests.conftest import BES_FRAMEWORK, PAY_RANGES
from tests.test_estimates_reader import ROW, book

AS_OF = dt.date(2025, 3, 3)
COL = {"employee_id": 0, "job_title": 4, "range": 6, "current_salary": 7, "fte": 8,
       "contract_type": 9, "start_date": 10, "probation_passed": 11, "capability": 12,
       "appraisal_outcome": 13, "date_at_level": 14, "current_level": 15,
       "estimated_level": 16, "employee_name": 1}


@pytest.fixture(scope="module")
def frameworks():
    return read_frameworks([BES_FRAMEWORK])


@pytest.fixture(scope="module")
def pay():
    return read_pay_settings(PAY_RANGES)


def row(emp_id="100234", **changes):
    values = list(ROW)
    values[0] = emp_id
    for fld, v in changes.items():
        values[COL[fld]] = v
    return values


def check(tmp_path: Path, rows, frameworks, pay):
    path = book(tmp_path / "e.xlsx", rows)
    return validate_estimates(path, frameworks=frameworks, pay=pay, as_of=AS_OF)


def found(report):
    return [(f.code, f.cell, f.severity.value) for f in report.sorted()]


def test_clean_row_has_no_findings_and_is_eligible_from_1_july(tmp_path, frameworks, pay):
    report = check(tmp_path, [row()], frameworks, pay)
    assert found(report) == []
    assert report.extra["rows"] == [{"row": 2, "employee_id": "100234", "eligible": True,
                                     "status": "Yes", "reasons": [],
                                     "effective_date": "2025-07-01"}]
    assert report.exit_status == 0


def test_missing_required_value_at_its_cell(tmp_path, frameworks, pay):
    report = check(tmp_path, [row(current_salary=None)], frameworks, pay)
    assert found(report) == [("EST-MISSING", "H2", "error")]
    assert report.findings[0].message == "Current salary is blank; fill it in for every employee"
    assert report.exit_status == 1


def test_unparseable_value_says_what_was_expected(tmp_path, frameworks, pay):
    report = check(tmp_path, [row(fte="most days")], frameworks, pay)
    assert found(report) == [("EST-BAD-VALUE", "I2", "error")]
    assert report.findings[0].message == (
        "FTE: expected a full-time equivalent such as 1, 0.5 or 50%, got 'most days'")


def test_level_not_a_b_c(tmp_path, frameworks, pay):
    report = check(tmp_path, [row(estimated_level="D")], frameworks, pay)
    assert found(report) == [("EST-BAD-LEVEL", "Q2", "error")]
    assert report.findings[0].message.startswith("Estimated level: expected a level A, B or C")


def test_duplicate_id_on_every_row_that_has_it(tmp_path, frameworks, pay):
    report = check(tmp_path, [row("7"), row("8"), row("7"), row("7")], frameworks, pay)
    assert found(report) == [("EST-DUPLICATE-ID", "A2", "error"), ("EST-DUPLICATE-ID", "A4", "error"),
                             ("EST-DUPLICATE-ID", "A5", "error")]
    assert report.findings[0].message == (
        "Employee ID 7 is on 3 rows (2, 4, 5); each employee must appear once")


def test_job_title_not_in_framework_suggests_the_closest(tmp_path, frameworks, pay):
    report = check(tmp_path, [row(job_title="Buisness Support Oficer")], frameworks, pay)
    assert found(report) == [("EST-UNKNOWN-JOB", "E2", "error")]
    assert report.findings[0].message == (
        "Job title 'Buisness Support Oficer' is not in the framework 'Business and Executive "
        "Support'; did you mean 'Business Support Officer'?")


def test_range_that_does_not_match_the_role(tmp_path, frameworks, pay):
    report = check(tmp_path, [row(range=4, current_salary=31200)], frameworks, pay)
    assert found(report) == [("EST-RANGE-MISMATCH", "G2", "error")]
    assert report.findings[0].message == (
        "Range 4 does not match 'Business Support Officer', which is range 3 in the framework")


def test_estimated_below_current_warns_salary_honoured(tmp_path, frameworks, pay):
    report = check(tmp_path, [row(current_level="C", estimated_level="B", current_salary=28349)],
                   frameworks, pay)
    assert found(report) == [("EST-BELOW-CURRENT", "Q2", "warning")]
    # 3B pay point 26,967 < salary 28,349: honoured (addin.core.costing.is_honoured)
    assert report.findings[0].message == (
        "Estimated level B is below the current level C; its pay point £26,967 is below the "
        "current salary £28,349, so if confirmed the salary will be honoured (Appendix K, "
        "salary honouring)")
    assert report.exit_status == 0
    assert report.extra["rows"][0]["effective_date"] is None


def test_lower_level_whose_pay_point_is_not_below_the_salary_is_not_called_honoured(
        tmp_path, frameworks, pay):
    # current level C but paid 25,584 (the 3A point): the 3B point 26,967 is not below
    # it, so nothing is honoured - "honoured" is about pay (Appendix K stage 9), as costing
    report = check(tmp_path, [row(current_level="C", estimated_level="B", current_salary=25584)],
                   frameworks, pay)
    below = [f for f in report.findings if f.code == "EST-BELOW-CURRENT"]
    assert [f.message for f in below] == [
        "Estimated level B is below the current level C; its pay point £26,967 is not below "
        "the current salary £25,584, so no salary is honoured"]


def test_estimated_two_levels_up_warns(tmp_path, frameworks, pay):
    report = check(tmp_path, [row(current_level="A", estimated_level="C")], frameworks, pay)
    assert found(report) == [("EST-LEVEL-JUMP", "Q2", "warning")]
    assert report.findings[0].message.startswith(
        "Estimated level C is 2 levels above the current level A")


@pytest.mark.parametrize("salary, side", [(25583, "below the start of"), (28350, "above the top of")])
def test_salary_outside_the_role_range_warns(tmp_path, frameworks, pay, salary, side):
    # range 3 is £25,584 (A) to £28,349 (C) in the shipped pay-ranges workbook
    report = check(tmp_path, [row(current_salary=salary)], frameworks, pay)
    assert found(report) == [("EST-SALARY-OUTSIDE", "H2", "warning")]
    assert report.findings[0].message.startswith(
        f"Current salary £{salary:,} is {side} range 3 (£25,584 to £28,349)")


@pytest.mark.parametrize("fte", [0, 1.2, "120%"])
def test_fte_outside_zero_to_one(tmp_path, frameworks, pay, fte):
    report = check(tmp_path, [row(fte=fte)], frameworks, pay)
    assert found(report) == [("EST-BAD-FTE", "I2", "error")]


def test_dates_in_the_future_and_level_before_start(tmp_path, frameworks, pay):
    report = check(tmp_path, [
        row("1", start_date=dt.date(2025, 3, 4), date_at_level=dt.date(2025, 3, 4)),
        row("2", start_date=dt.date(2022, 1, 10), date_at_level="01/01/2022"),
    ], frameworks, pay)
    assert found(report) == [("EST-FUTURE-DATE", "K2", "error"), ("EST-FUTURE-DATE", "O2", "error"),
                             ("EST-LEVEL-BEFORE-START", "O3", "error")]
    messages = [f.message for f in report.sorted()]
    assert messages[0] == "Start date in post 04/03/2025 is after 03/03/2025; it cannot be in the future"
    assert messages[2].startswith("Date at current level 01/01/2022 is before the start date in post 10/01/2022")


def test_casual_contract_warns_policy_2_2_and_is_not_eligible(tmp_path, frameworks, pay):
    report = check(tmp_path, [row(contract_type="Casual")], frameworks, pay)
    assert found(report) == [("EST-CASUAL", "J2", "warning")]
    assert report.findings[0].message == (
        "Casual staff are not usually assessed under the MedPay scheme (policy 2.2); keep this "
        "row only if the employee has a 6-month working aggregate")
    result = report.extra["rows"][0]
    assert result["eligible"] is False
    assert any("2.2" in r for r in result["reasons"])


def test_eligibility_gives_every_reason(tmp_path, frameworks, pay):
    # in post since 1 Dec 2024 (3 months), probation not passed, in capability, objectives
    # not met: 7.22 three times (probation No fails 7.22 itself, not 7.28's months)
    report = check(tmp_path, [row(start_date=dt.date(2024, 12, 1), date_at_level=dt.date(2024, 12, 1),
                                  probation_passed="No", capability="Yes",
                                  appraisal_outcome="Not met")], frameworks, pay)
    result = report.extra["rows"][0]
    assert result["eligible"] is False
    assert result["effective_date"] is None
    text = " | ".join(result["reasons"])
    assert text.count("(7.22)") >= 3 and "7.28" not in text
    assert len(result["reasons"]) >= 3


def test_not_long_enough_at_level_where_the_framework_says_12_months_at_3a(tmp_path, frameworks, pay):
    # Personal Assistant 3B needs "Minimum of 12 months at 3A" (BES framework); 1 Sep 2024
    # to 3 Mar 2025 is 6 months
    report = check(tmp_path, [row(job_title="Personal Assistant", date_at_level=dt.date(2024, 9, 1))],
                   frameworks, pay)
    assert found(report) == []
    result = report.extra["rows"][0]
    assert result["eligible"] is False
    assert any("12 months" in r for r in result["reasons"]), result["reasons"]


def test_every_declared_estimates_code_has_the_est_prefix():
    from addin.core.findings import iter_codes

    codes = [d.code for d in iter_codes(["estimates"])]
    assert codes and all(c.startswith("EST-") for c in codes)


ROW_ERRORS = "Cannot be assessed until the errors on this row are corrected ({})"


@pytest.mark.parametrize("changes, cells", [
    (dict(current_level="D"), "cell P2"),                      # unreadable current level
    (dict(job_title="Typist"), "cell E2"),                     # not in the framework
    (dict(fte=0), "cell I2"),                                  # FTE not in (0, 1]
    (dict(start_date=dt.date(2025, 3, 4), date_at_level=dt.date(2025, 3, 4)), "cells K2, O2"),
    (dict(current_salary="about 25k", fte="most days"), "cells H2, I2"),
])
def test_a_row_with_errors_is_not_eligible_and_says_which_cells(tmp_path, frameworks, pay,
                                                                 changes, cells):
    # without the errors the row is eligible (test_clean_row_...): an unreadable or invalid
    # value cannot decide eligibility
    report = check(tmp_path, [row(**changes)], frameworks, pay)
    result = report.extra["rows"][0]
    assert result["eligible"] is False and result["effective_date"] is None
    assert result["reasons"][0] == ROW_ERRORS.format(cells)


def test_row_errors_come_first_and_every_other_reason_is_kept(tmp_path, frameworks, pay):
    report = check(tmp_path, [row(job_title="Typist", capability="Yes", appraisal_outcome="Not met")],
                   frameworks, pay)
    assert report.extra["rows"][0]["reasons"] == [
        ROW_ERRORS.format("cell E2"),
        "Subject to the performance capability procedure; progression needs the employee not "
        "to be subject to performance capability (7.22)",
        "Appraisal outcome is 'Not met'; progression needs appraisal objectives Met or "
        "Exceeded (7.22)",
    ]


def test_unreadable_probation_and_start_date_are_worded_as_unreadable(tmp_path, frameworks, pay):
    report = check(tmp_path, [row(probation_passed="maybe", start_date="31/02/2024",
                                  appraisal_outcome="Good")], frameworks, pay)
    assert report.extra["rows"][0]["reasons"] == [
        ROW_ERRORS.format("cells K2, L2, N2"),
        "Whether probation has been passed could not be read and the start date in post could "
        "not be read, so eligibility cannot be confirmed (7.28)",
        "The appraisal outcome could not be read, so eligibility cannot be confirmed (7.22)",
    ]


def test_future_dates_never_count_negative_months(tmp_path, frameworks, pay):
    # Personal Assistant 3A -> 3B needs 12 months at 3A; both dates after 3 March 2025
    report = check(tmp_path, [row(job_title="Personal Assistant", probation_passed="N/A",
                                  start_date=dt.date(2025, 10, 1),
                                  date_at_level=dt.date(2025, 11, 1))], frameworks, pay)
    reasons = report.extra["rows"][0]["reasons"]
    assert reasons == [
        ROW_ERRORS.format("cells K2, O2"),
        "Whether probation has been passed is not given and the start date in post "
        "(01/10/2025) is after 03/03/2025, so eligibility cannot be confirmed (7.28)",
        "The date at the current level (01/11/2025) is after 03/03/2025, so eligibility cannot "
        "be confirmed (framework Experience criterion, Appendix K stage 5)",
    ]
    assert not any("-" in r.split("(")[0] for r in reasons)


def test_excel_error_cells_are_bad_values_at_their_cells_even_in_level_columns(tmp_path, frameworks, pay):
    report = check(tmp_path, [row(date_at_level="#N/A", estimated_level="#N/A")], frameworks, pay)
    assert found(report) == [("EST-BAD-VALUE", "O2", "error"), ("EST-BAD-VALUE", "Q2", "error")]
    assert [f.message for f in report.sorted()] == [
        "Date at current level: the cell shows the Excel error #N/A; type the value or correct "
        "the formula",
        "Estimated level: the cell shows the Excel error #N/A; type the value or correct the "
        "formula",
    ]
    assert report.extra["rows"][0]["eligible"] is False


@pytest.mark.parametrize("aggregate, eligible", [(8, True), (8.0, True), ("8", True),
                                                 ("8 months", True), (7.5, True), (5, False)])
def test_numeric_casual_aggregate_is_read(tmp_path, frameworks, pay, aggregate, eligible):
    from tests.test_estimates_reader import TEMPLATE_HEADERS

    path = book(tmp_path / "e.xlsx", [row(contract_type="Casual") + [aggregate]],
                headers=TEMPLATE_HEADERS + ["Casual working aggregate (months)"])
    report = validate_estimates(path, frameworks=frameworks, pay=pay, as_of=AS_OF)
    assert found(report) == [("EST-CASUAL", "J2", "warning")]
    result = report.extra["rows"][0]
    assert result["eligible"] is eligible
    if not eligible:
        assert result["reasons"] == [
            "Casual working aggregate is 5 months; casual staff need a 6-month working "
            "aggregate to be assessed (2.2)"]


def test_header_with_no_employee_rows_is_an_error_exit_1(tmp_path, frameworks, pay):
    report = check(tmp_path, [], frameworks, pay)
    assert found(report) == [("EST-NO-ROWS", "A1", "error")]
    assert report.exit_status == 1
