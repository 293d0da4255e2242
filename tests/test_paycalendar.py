"""Pay calendar rules: 7.16, 7.20, 7.21, 7.25, Appendix B, Appendix F."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from addin.core.paycalendar import (
    add_months,
    add_working_days,
    appeal_deadline,
    approval_effective_date,
    conversation_dates,
    is_working_day,
    months_between,
    next_effective_date,
    next_window,
    pay_change_dates_between,
    resubmission_opens,
    submission_deadline,
)
from tests.rules_fixtures import PAY, SETTINGS

D = dt.date.fromisoformat


@pytest.mark.parametrize("submitted, effective", [
    ("2025-01-01", "2025-07-01"),
    ("2025-05-31", "2025-07-01"),
    ("2025-06-01", "2025-07-01"),   # on the 1 June deadline -> July
    ("2025-06-02", "2026-01-01"),   # a day late -> January
    ("2025-07-01", "2026-01-01"),
    ("2025-11-30", "2026-01-01"),
    ("2025-12-01", "2026-01-01"),   # on the 1 December deadline -> January
    ("2025-12-02", "2026-07-01"),   # a day late -> July next year
    ("2025-12-31", "2026-07-01"),
    ("2024-02-29", "2024-07-01"),   # leap day
])
def test_next_effective_date_boundaries(submitted, effective):
    assert next_effective_date(D(submitted), SETTINGS) == D(effective)


def test_next_effective_date_accepts_pay_settings_too():
    assert next_effective_date(D("2025-06-02"), PAY) == D("2026-01-01")


def test_next_effective_date_follows_the_settings_not_code():
    # A council moving to April/October changes with 1 March / 1 September deadlines.
    s = dataclasses.replace(SETTINGS, pay_change_dates=((4, 1), (10, 1)),
                            submission_deadlines=((3, 1), (9, 1)))
    assert next_effective_date(D("2025-03-01"), s) == D("2025-04-01")
    assert next_effective_date(D("2025-03-02"), s) == D("2025-10-01")
    assert next_effective_date(D("2025-09-02"), s) == D("2026-04-01")


def test_remembered_effective_dates_follow_each_settings_in_turn():
    # the pay change dates are remembered by the Settings' values (a batch asks once per
    # row): alternating two councils' Settings must never give one the other's answer
    april = dataclasses.replace(SETTINGS, pay_change_dates=((4, 1), (10, 1)),
                                submission_deadlines=((3, 1), (9, 1)))
    answers = [next_effective_date(D("2025-03-02"), s) for s in (SETTINGS, april, SETTINGS, april)]
    assert answers == [D("2025-07-01"), D("2025-10-01"), D("2025-07-01"), D("2025-10-01")]


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_next_effective_date_is_the_first_pay_date_whose_deadline_is_not_past(submitted):
    # 7.16/7.20, Appendix F, checked against the rule stated day by day: walk forward
    # from the day after submission to the first 1 January / 1 July whose deadline
    # (1 December before, 1 June before) is on or after the submission
    day = submitted + dt.timedelta(days=1)
    while True:
        if (day.month, day.day) in ((1, 1), (7, 1)):
            deadline = (dt.date(day.year - 1, 12, 1) if day.month == 1
                        else dt.date(day.year, 6, 1))
            if submitted <= deadline:
                break
        day += dt.timedelta(days=1)
    assert next_effective_date(submitted, SETTINGS) == day


@pytest.mark.parametrize("effective, deadline", [
    ("2026-01-01", "2025-12-01"),  # January's deadline is in the previous year
    ("2026-07-01", "2026-06-01"),
])
def test_submission_deadline(effective, deadline):
    assert submission_deadline(D(effective), SETTINGS) == D(deadline)


def test_submission_deadline_rejects_a_date_that_is_not_a_pay_change_date():
    with pytest.raises(ValueError, match="2026-02-01 is not a pay change date"):
        submission_deadline(D("2026-02-01"), SETTINGS)


@pytest.mark.parametrize("declined, window, opens", [
    # submitted/declined on 10 May: considered for July 2025; next window January 2026,
    # which takes submissions from 2 June 2025.
    ("2025-05-10", "2026-01-01", "2025-06-02"),
    ("2025-06-02", "2026-07-01", "2025-12-02"),
    ("2025-12-02", "2027-01-01", "2026-06-02"),
])
def test_next_window_after_a_declined_request(declined, window, opens):
    assert next_window(D(declined), SETTINGS) == D(window)
    assert resubmission_opens(D(declined), SETTINGS) == D(opens)


@pytest.mark.parametrize("submitted, decided, letter, effective", [
    # the case: submitted before the 1 December 2026 deadline but decided on
    # 20 January 2027, after it -> the next deadline on or after both is 1 June 2027
    ("2026-11-30", "2027-01-20", "2027-01-20", "2027-07-01"),
    ("2026-11-30", "2026-12-02", "2026-12-02", "2027-07-01"),  # decided a day late
    ("2026-11-30", "2026-12-01", "2026-12-03", "2027-01-01"),  # decided on the deadline
    ("2025-05-10", "2025-05-20", "2025-05-22", "2025-07-01"),  # both by 1 June
    # a Date submitted after the decision (a typing slip) still counts: the later date
    ("2025-06-02", "2025-05-20", "2025-06-03", "2026-01-01"),
    # letter dated after the pay change date: never effective before the letter
    ("2025-05-10", "2025-05-20", "2025-07-02", "2026-01-01"),
    ("2025-05-10", "2025-05-20", "2025-07-01", "2025-07-01"),  # on the letter date is not before it
    ("2025-05-10", "2025-05-20", "2027-03-01", "2027-07-01"),  # years later
])
def test_approval_takes_effect_at_the_first_change_whose_deadline_follows_submission_and_decision(
        submitted, decided, letter, effective):
    """7.20 and Appendix F: the approved form is uploaded by 1 June / 1 December after it
    is decided; the change is never before the letter (never backdated)."""
    assert approval_effective_date(D(submitted), D(decided), SETTINGS,
                                   letter_date=D(letter)) == D(effective)


def test_approval_effective_date_without_a_letter_date_and_with_pay_settings():
    assert approval_effective_date(D("2026-11-30"), D("2027-01-20"), PAY) == D("2027-07-01")


DATES_2000_2099 = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31))


@given(DATES_2000_2099, st.integers(min_value=-30, max_value=400), st.integers(min_value=-30, max_value=800))
def test_approval_effective_date_is_the_first_pay_change_date_that_qualifies(submitted, gap, late):
    # decided ``gap`` days after submission (a few days before it: a typing slip), the
    # letter ``late`` days after the decision (a little before it: a wrong --as-of)
    decided = submitted + dt.timedelta(days=gap)
    letter = decided + dt.timedelta(days=late)
    eff = approval_effective_date(submitted, decided, SETTINGS, letter_date=letter)

    def qualifies(day: dt.date) -> bool:
        deadline = submission_deadline(day, SETTINGS)  # raises unless a pay change date
        return deadline >= submitted and deadline >= decided and day >= letter

    assert (eff.month, eff.day) in {(1, 1), (7, 1)}
    assert qualifies(eff)
    assert eff > submitted and eff > decided and eff >= letter  # never backdated (7.20)
    earlier = pay_change_dates_between(min(submitted, decided, letter), eff - dt.timedelta(days=1),
                                       SETTINGS)
    assert not any(qualifies(day) for day in earlier)


@pytest.mark.parametrize("submitted, letter, window, opens", [
    # submitted 10 May 2025 (considered for July 2025); the next window, January 2026,
    # closed on 1 December 2025. A letter dated 5 December 2025 offers July 2026 (deadline
    # 1 June 2026), open from the letter's own date.
    ("2025-05-10", "2025-12-05", "2026-07-01", "2025-12-05"),
    # letter the day of that deadline: January 2026 is still open; submissions count for
    # it from 2 June 2025, already past, so from the letter date
    ("2025-05-10", "2025-12-01", "2026-01-01", "2025-12-01"),
    # letter before the declined window's deadline: opens the day after it (2 June 2025)
    ("2025-05-10", "2025-05-22", "2026-01-01", "2025-06-02"),
    # the dates: submitted 30 November 2026 (for January 2027), letter 20 January
    # 2027 -> July 2027 (deadline 1 June 2027, open); 2 December 2026 is past
    ("2026-11-30", "2027-01-20", "2027-07-01", "2027-01-20"),
    # letter after 1 June 2027: July 2027 has closed too -> January 2028
    ("2026-11-30", "2027-06-02", "2028-01-01", "2027-06-02"),
])
def test_next_window_in_a_declined_letter_is_never_closed_on_the_letter_date(
        submitted, letter, window, opens):
    assert next_window(D(submitted), SETTINGS, letter_date=D(letter)) == D(window)
    assert resubmission_opens(D(submitted), SETTINGS, letter_date=D(letter)) == D(opens)


@given(DATES_2000_2099, st.integers(min_value=-30, max_value=900))
def test_next_window_is_open_on_the_letter_date_and_never_earlier_than_7_21_allows(submitted, late):
    letter = submitted + dt.timedelta(days=late)
    window = next_window(submitted, SETTINGS, letter_date=letter)
    opens = resubmission_opens(submitted, SETTINGS, letter_date=letter)
    deadline = submission_deadline(window, SETTINGS)
    assert deadline >= letter                      # never a closed window
    assert window >= next_window(submitted, SETTINGS)  # never the window declined (7.21)
    # from the letter's date, or later when the declined window still takes requests then
    assert letter <= opens <= deadline
    assert opens in (letter, resubmission_opens(submitted, SETTINGS))
    # the first such window: the pay change date before it is closed or was the declined one
    before = pay_change_dates_between(window - dt.timedelta(days=200), window - dt.timedelta(days=1),
                                      SETTINGS)[-1]
    assert submission_deadline(before, SETTINGS) < letter or before < next_window(submitted, SETTINGS)


@pytest.mark.parametrize("notified, deadline", [
    # Tue 3 Jun 2025: Wed 4(1) Thu 5(2) Fri 6(3) Mon 9(4) Tue 10(5)
    ("2025-06-03", "2025-06-10"),
    # Fri 6 Jun 2025: Mon 9 .. Fri 13 (5)
    ("2025-06-06", "2025-06-13"),
    # Sat 7 Jun 2025 (weekend notification, the day itself never counts): Mon 9 .. Fri 13
    ("2025-06-07", "2025-06-13"),
    # Christmas: Tue 23 Dec 2025: Wed 24(1), 25/26 bank hols, 27/28 weekend, Mon 29(2),
    # Tue 30(3), Wed 31(4), Thu 1 Jan bank hol, Fri 2 Jan (5)
    ("2025-12-23", "2026-01-02"),
    # Easter 2026: Thu 2 Apr: Good Friday 3, weekend, Easter Monday 6, Tue 7(1) Wed 8(2)
    # Thu 9(3) Fri 10(4) Mon 13(5)
    ("2026-04-02", "2026-04-13"),
    # Substitute day: Boxing Day 2026 is a Saturday -> Mon 28 Dec is the bank holiday.
    # Thu 24 Dec: 25 Fri hol, weekend, 28 Mon substitute, Tue 29(1) Wed 30(2) Thu 31(3),
    # Fri 1 Jan hol, weekend, Mon 4(4), Tue 5 Jan 2027 (5)
    ("2026-12-24", "2027-01-05"),
    # Christmas 2027 on a Saturday, Boxing Day Sunday -> Mon 27 and Tue 28 substitutes;
    # New Year 2028 a Saturday -> Mon 3 Jan substitute.
    # Thu 23 Dec: Fri 24(1), Wed 29(2), Thu 30(3), Fri 31(4), Tue 4 Jan 2028 (5)
    ("2027-12-23", "2028-01-04"),
    # Early May bank holiday Mon 4 May 2026: Fri 1 May: Tue 5(1) .. Fri 8(4), Mon 11(5)
    ("2026-05-01", "2026-05-11"),
])
def test_appeal_deadline_is_the_fifth_working_day_after_notification(notified, deadline):
    assert appeal_deadline(D(notified), SETTINGS) == D(deadline)


def test_appeal_period_comes_from_settings():
    s = dataclasses.replace(SETTINGS, appeal_working_days=10)
    # Tue 3 Jun 2025 + 10 working days = Tue 17 Jun
    assert appeal_deadline(D("2025-06-03"), s) == D("2025-06-17")


@pytest.mark.parametrize("day, working", [
    ("2026-12-28", False),  # substitute Boxing Day
    ("2026-12-29", True),
    ("2026-08-31", False),  # summer bank holiday (England)
    ("2026-08-03", True),   # Scotland's summer holiday is not England's
    ("2026-03-17", True),   # St Patrick's Day is Northern Ireland only
    ("2026-06-06", False),  # Saturday
])
def test_is_working_day_uses_england_bank_holidays(day, working):
    assert is_working_day(D(day)) is working


def test_add_working_days_zero_and_backwards():
    assert add_working_days(D("2026-12-28"), 0) == D("2026-12-28")
    # back from Tue 29 Dec 2026: Mon 28 substitute, 25 hol -> Thu 24
    assert add_working_days(D("2026-12-29"), -1) == D("2026-12-24")


@pytest.mark.parametrize("start, dates", [
    ("2025-01-15", ["2025-04-15", "2025-07-15", "2025-10-15", "2026-01-15"]),
    # month-end clamping, counted from the start each time (no drift to the 28th)
    ("2024-11-30", ["2025-02-28", "2025-05-30", "2025-08-30", "2025-11-30"]),
    # leap year: 30 Nov 2023 + 3 months = 29 Feb 2024
    ("2023-11-30", ["2024-02-29", "2024-05-30", "2024-08-30", "2024-11-30"]),
    # 29 Feb start: +12 months is 28 Feb 2025
    ("2024-02-29", ["2024-05-29", "2024-08-29", "2024-11-29", "2025-02-28"]),
])
def test_conversation_dates_at_3_6_9_12_months(start, dates):
    assert conversation_dates(D(start)) == [D(x) for x in dates]


@pytest.mark.parametrize("a, b, months", [
    ("2025-01-15", "2025-07-14", 5),
    ("2025-01-15", "2025-07-15", 6),
    ("2024-01-31", "2024-02-29", 1),   # a month from 31 Jan ends on the last day of Feb
    ("2024-01-31", "2024-02-28", 0),
    ("2024-02-29", "2025-02-28", 12),
    ("2025-07-01", "2026-04-01", 9),
    ("2025-07-01", "2025-07-01", 0),
    ("2025-07-15", "2025-01-15", -6),
])
def test_months_between_counts_whole_months(a, b, months):
    assert months_between(D(a), D(b)) == months


dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31))


@given(dates)
def test_effective_date_is_1_jan_or_1_jul_and_after_submission(submitted):
    eff = next_effective_date(submitted, SETTINGS)
    assert (eff.month, eff.day) in {(1, 1), (7, 1)}
    assert eff > submitted
    assert submission_deadline(eff, SETTINGS) >= submitted
    # and it is the FIRST such date: the previous window's deadline has passed
    assert (eff - submitted).days <= 213


@given(dates, st.integers(min_value=0, max_value=20))
def test_add_working_days_lands_on_a_working_day_after(d, n):
    out = add_working_days(d, n)
    assert out >= d
    if n:
        assert is_working_day(out)
        assert sum(is_working_day(d + dt.timedelta(days=i)) for i in range(1, (out - d).days + 1)) == n


@given(dates, st.integers(min_value=0, max_value=400))
def test_months_between_inverts_add_months(d, m):
    assert months_between(d, add_months(d, m)) == m


@pytest.mark.parametrize("as_of, window", [
    (dt.date(2026, 1, 31), (dt.date(2025, 2, 1), dt.date(2025, 3, 31))),
    (dt.date(2026, 2, 1), (dt.date(2026, 2, 1), dt.date(2026, 3, 31))),
    (dt.date(2026, 3, 31), (dt.date(2026, 2, 1), dt.date(2026, 3, 31))),
    (dt.date(2026, 12, 2), (dt.date(2026, 2, 1), dt.date(2026, 3, 31))),
    (dt.date(2024, 2, 29), (dt.date(2024, 2, 1), dt.date(2024, 3, 31))),
])
def test_end_of_year_appraisal_is_the_latest_february_march_window(as_of, window):
    """6.14: the end-of-year conversation is in February or March; an estimate made in
    January still relies on the previous year's."""
    from addin.core.paycalendar import end_of_year_appraisal

    assert end_of_year_appraisal(as_of) == window


@pytest.mark.parametrize("as_of, window", [
    (dt.date(2026, 1, 31), (dt.date(2026, 2, 1), dt.date(2026, 3, 31))),
    (dt.date(2026, 3, 31), (dt.date(2026, 2, 1), dt.date(2026, 3, 31))),
    (dt.date(2026, 4, 1), (dt.date(2027, 2, 1), dt.date(2027, 3, 31))),
    (dt.date(2026, 12, 2), (dt.date(2027, 2, 1), dt.date(2027, 3, 31))),
])
def test_next_end_of_year_appraisal_is_the_window_not_yet_over(as_of, window):
    from addin.core.paycalendar import next_end_of_year_appraisal

    assert next_end_of_year_appraisal(as_of) == window
