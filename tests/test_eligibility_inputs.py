"""Eligibility when inputs could not be read or checked (addin.core.eligibility): a row with
errors is never eligible, unreadable values are not "not given", and dates after the
as-of date never count negative months (policy 7.22, 7.28, 2.2)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from addin.core.eligibility import UNREADABLE, assess_row, check_eligibility
from tests.rules_fixtures import PAY, SETTINGS
from tests.test_eligibility import GOOD, _pa_role, _row

AS_OF = dt.date(2025, 6, 1)


def check(**changes):
    return check_eligibility(**{**GOOD, **changes})


def test_error_cells_make_an_otherwise_eligible_row_not_eligible_first_reason():
    result = check(error_cells=["E5", "I5"], capability=True)
    assert result.eligible is False
    assert result.codes == ["row-errors", "capability"]
    assert result.reasons[0].message == (
        "Cannot be assessed until the errors on this row are corrected (cells E5, I5)")
    assert check(error_cells=["E5"]).reasons[0].message.endswith("(cell E5)")


@pytest.mark.parametrize("field, changes, message", [
    ("capability", dict(capability=None),
     "Whether the employee is in the capability procedure could not be read, so eligibility "
     "cannot be confirmed (7.22)"),
    ("appraisal_outcome", dict(appraisal_outcome=None),
     "The appraisal outcome could not be read, so eligibility cannot be confirmed (7.22)"),
    ("date_at_level", dict(months_at_level=None),
     "The date at the current level could not be read, so eligibility cannot be confirmed "
     "(framework Experience criterion, Appendix K stage 5)"),
    ("probation_passed", dict(probation_passed=None, start_date=None),
     "Whether probation has been passed could not be read and the start date in post is not "
     "given, so eligibility cannot be confirmed (7.28)"),
    ("start_date", dict(probation_passed=None, start_date=None),
     "Whether probation has been passed is not given and the start date in post could not "
     "be read, so eligibility cannot be confirmed (7.28)"),
])
def test_unreadable_inputs_are_worded_as_unreadable_not_as_not_given(field, changes, message):
    result = check(unknown={field: UNREADABLE}, **changes)
    assert [r.message for r in result.reasons] == [message]


def test_a_start_date_after_as_of_counts_no_months_in_post():
    # probation blank/N/A (None): the months in post decide, and none can be counted
    result = check(probation_passed=None, start_date=dt.date(2026, 1, 1))
    assert [r.message for r in result.reasons] == [
        "Whether probation has been passed is not given and the start date in post "
        "(01/01/2026) is after 01/06/2025, so eligibility cannot be confirmed (7.28)"]


def test_negative_months_at_level_are_not_a_count():
    result = check(months_at_level=-8)
    assert [r.message for r in result.reasons] == [
        "The date at the current level is in the future, so eligibility cannot be confirmed "
        "(framework Experience criterion, Appendix K stage 5)"]


def test_assess_row_future_date_at_level_is_named_with_its_date():
    result = assess_row(_row(date_at_level=dt.date(2026, 2, 1)), _pa_role(), AS_OF, PAY)
    assert [r.message for r in result.reasons] == [
        "The date at the current level (01/02/2026) is after 01/06/2025, so eligibility cannot "
        "be confirmed (framework Experience criterion, Appendix K stage 5)"]


@pytest.mark.parametrize("value", [8, 8.0, "8", "8 months", Decimal("7.5")])
def test_assess_row_reads_a_numeric_or_text_aggregate_kept_in_extra(value):
    # calamine gives a typed 8 as 8.0: int("8.0") used to fail and read as "none recorded"
    row = _row(contract_type="Casual", date_at_level=dt.date(2020, 1, 6))
    row.extra["Aggregate of months worked"] = value
    assert assess_row(row, _pa_role(), AS_OF, PAY).eligible


def test_assess_row_prefers_the_read_aggregate_column_and_says_when_it_is_unreadable():
    row = _row(contract_type="Casual", date_at_level=dt.date(2020, 1, 6),
               casual_aggregate=Decimal(9))
    assert assess_row(row, _pa_role(), AS_OF, PAY).eligible
    row.casual_aggregate = None
    result = assess_row(row, _pa_role(), AS_OF, PAY, unreadable={"casual_aggregate"})
    assert [r.message for r in result.reasons] == [
        "Casual staff need a 6-month working aggregate to be assessed, and the aggregate given "
        "could not be read (2.2)"]


def test_settings_fixture_is_the_policy_six_months():
    assert SETTINGS.min_months_in_post == 6 and SETTINGS.casual_aggregate_months == 6
