"""The PPP pay calendar: when a pay change takes effect, submission deadlines, the next
window after a declined request, appeal deadlines in working days, and the Appendix B
conversation dates. Pure functions over ``datetime.date``; every date the policy lets
HR tune comes from :class:`addin.core.model.Settings` (the Settings sheet of
``workbooks/pay-ranges.xlsx``), never from a literal here.

Policy (MedPay PPP policy, shared/seeds/001):

* 7.16 "Employees can apply and submit evidence for career progression ... at any point
  in the year in order for any pay progressions to be implemented in January or July
  each year."
* 7.20 "If approved the pay change will be applied as of July or January, as applicable,
  and will not be backdated."
* Appendix F (Application for Career Progression): forms must be in by 1 June for a July
  change and by 1 December for a January change. In Settings these are the pairs
  "Pay change date N" / "Submission deadline N".
* 7.21 "The earliest an individual can submit another request is the next window."
* Appendix G ("Completing the spreadsheet and pay forms"): "No payments are backdated."
* 7.25 "The appeal must be made in writing ... within five working days of receipt of
  notification that the request to progress has been declined".
* Appendix B: review meetings; the form schedules the next conversations at 3, 6, 9 and
  12 months.
* 6.10 / 6.14: objectives are set "usually ... in April"; "The end of year performance
  appraisal conversation will normally take place in February or March", which is when
  the outcome (Not met / Met / Exceeded) a level estimate relies on is recorded.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import datetime as dt
from collections.abc import Sequence
from functools import lru_cache

import holidays as _holidays

from addin.core.model import Settings

__all__ = [
    "add_months",
    "add_working_days",
    "appeal_deadline",
    "approval_effective_date",
    "bank_holidays",
    "conversation_dates",
    "end_of_year_appraisal",
    "next_end_of_year_appraisal",
    "is_working_day",
    "months_between",
    "next_effective_date",
    "next_window",
    "pay_change_dates_between",
    "payroll_cutoff",
    "payroll_effective_date",
    "resubmission_opens",
    "submission_deadline",
]

CONVERSATION_MONTHS = (3, 6, 9, 12)
"""Appendix B: next conversation dates at 3, 6, 9 and 12 months."""
APPRAISAL_MONTHS = (2, 3)
"""6.14: the end-of-year appraisal conversation "will normally take place in February or
March" (policy wording, not a tunable number: it is not a Settings row)."""


def _settings(settings) -> Settings:
    """Accept a :class:`Settings` or a :class:`PaySettings` (which holds one)."""
    return getattr(settings, "settings", settings)


def _on(year: int, month_day: tuple[int, int]) -> dt.date:
    """(month, day) in ``year``; 29 February in a common year falls back to the 28th."""
    month, day = month_day
    return dt.date(year, month, min(day, _stdlib_calendar.monthrange(year, month)[1]))


# --------------------------------------------------------------------------- windows


Window = tuple[tuple[int, int], tuple[int, int]]
"""(pay change (month, day), its submission deadline (month, day))."""


def _windows(settings) -> tuple[Window, ...]:
    s = _settings(settings)
    if not s.pay_change_dates or len(s.pay_change_dates) != len(s.submission_deadlines):
        raise ValueError("settings need pay change dates and submission deadlines in pairs")
    return tuple((_month_day(p), _month_day(d)) for p, d in zip(s.pay_change_dates, s.submission_deadlines))


def _month_day(pair: Sequence[int]) -> tuple[int, int]:
    """A (month, day) as a tuple, whether the settings hold it as a tuple or a list."""
    month, day = pair
    return (month, day)


def _deadline_for(effective: dt.date, deadline_md: tuple[int, int]) -> dt.date:
    """The deadline (month, day) that falls before ``effective``: 1 December for
    1 January is in the previous year; 1 June for 1 July is in the same year."""
    same_year = _on(effective.year, deadline_md)
    return same_year if same_year < effective else _on(effective.year - 1, deadline_md)


def _effective_dates_from(year: int, settings) -> tuple[tuple[dt.date, dt.date], ...]:
    """(effective, deadline) pairs for pay change dates in ``year`` .. ``year + 2``, sorted."""
    return _dates_of_windows(year, _windows(settings))


@lru_cache(maxsize=256)
def _dates_of_windows(year: int, windows: tuple[Window, ...]) -> tuple[tuple[dt.date, dt.date], ...]:
    """:func:`_effective_dates_from` by the windows' values: pure, so remembered (a batch
    asks it once per costed row with the same as-of date and Settings)."""
    out = []
    for y in range(year, year + 3):
        for pay_md, dead_md in windows:
            eff = _on(y, pay_md)
            out.append((eff, _deadline_for(eff, dead_md)))
    return tuple(sorted(out))


def _pay_dates_from(year: int, settings):
    """(effective, deadline) pairs of every pay change date from ``year`` on, in order
    (an endless walk, three years at a time)."""
    windows = _windows(settings)
    while True:
        yield from _dates_of_windows(year, windows)
        year += 3


def next_effective_date(submitted: dt.date, settings) -> dt.date:
    """The pay change date a request submitted on ``submitted`` takes effect from.

    7.16/7.20 and Appendix F: the first pay change date whose submission deadline is on
    or after the submission. With the shipped Settings (1 January/1 December and
    1 July/1 June): on or before 1 June -> 1 July that year; after 1 June and on or
    before 1 December -> 1 January next year; after 1 December -> 1 July next year.
    The result is always after the submission (never backdated, 7.20).
    """
    for eff, deadline in _effective_dates_from(submitted.year - 1, settings):
        if submitted <= deadline and eff > submitted:
            return eff
    raise AssertionError("unreachable: a pay change date follows every date")  # pragma: no cover


def submission_deadline(effective: dt.date, settings) -> dt.date:
    """The last day a request can be submitted to take effect on ``effective``
    (Appendix F). Raises ValueError when ``effective`` is not a pay change date."""
    for pay_md, dead_md in _windows(settings):
        if _on(effective.year, pay_md) == effective:
            return _deadline_for(effective, dead_md)
    raise ValueError(f"{effective.isoformat()} is not a pay change date in the Settings sheet")


def approval_effective_date(submitted: dt.date, decided: dt.date, settings, *,
                            letter_date: dt.date | None = None) -> dt.date:
    """The pay change date an APPROVED request takes effect from (the approved letter).

    7.20 "If approved the pay change will be applied as of July or January, as
    applicable, and will not be backdated"; Appendix F: the approved form is uploaded
    "by 1 June or 1 December" (Settings: "Submission deadline N") for the July / January
    change. An approval can only be uploaded once it is decided, so the effective date
    is the first pay change date whose submission deadline is on or after BOTH the
    submission date and the decision date; and it is never before ``letter_date`` (a
    pay change the employee is told about afterwards would be backdated).

    Example (shipped Settings): submitted 30 November 2026, decided 20 January 2027 ->
    the 1 December 2026 deadline had passed when it was decided, so 1 July 2027 (not
    1 January 2027, which would be before the decision and the letter).

    Safer reading: the letter's date only moves the date later (to the first pay change
    date on or after it); it never makes a deadline count from the letter date, which
    the policy does not say.
    """
    latest = max(submitted, decided)
    for eff, deadline in _pay_dates_from(latest.year - 1, settings):
        if latest <= deadline and eff > latest and (letter_date is None or eff >= letter_date):
            return eff
    raise AssertionError("unreachable: a pay change date follows every date")  # pragma: no cover


def next_window(after: dt.date, settings, *, letter_date: dt.date | None = None) -> dt.date:
    """The effective date of the next window for someone whose request, submitted on
    ``after``, was considered for ``next_effective_date(after)`` and declined.

    7.21 "The earliest an individual can submit another request is the next window": the
    resubmission can only count for the pay change date after the one the declined
    request was for. :func:`resubmission_opens` gives the first day such a request can
    be submitted.

    With ``letter_date`` (the declined letter's date) the window is never one that has
    already closed: when the window after the declined one has its submission deadline
    before the letter's date (a late decision or letter), it is the first later pay
    change date whose deadline is on or after the letter's date. Safer reading: the
    window counts from the SUBMISSION (the request used the window it was submitted
    for), so a late decision never costs the employee a further window.
    """
    current = next_effective_date(after, settings)
    following = next_effective_date(submission_deadline(current, settings) + dt.timedelta(days=1),
                                    settings)
    if letter_date is None:
        return following
    for eff, deadline in _pay_dates_from(following.year - 1, settings):
        if eff >= following and deadline >= letter_date:
            return eff
    raise AssertionError("unreachable: a pay change date follows every date")  # pragma: no cover


def resubmission_opens(after: dt.date, settings, *, letter_date: dt.date | None = None) -> dt.date:
    """First day a resubmission counts for the next window (7.21): the day after the
    submission deadline of the window the declined request (submitted on ``after``) was
    for - or the letter's date, if later (a request cannot be submitted before the
    employee is told; and when :func:`next_window` moved on to a window still open on the
    letter's date, the window before it had closed by then, so it opens on that date)."""
    current = next_effective_date(after, settings)
    opens = submission_deadline(current, settings) + dt.timedelta(days=1)
    return max(opens, letter_date) if letter_date is not None else opens


def pay_change_dates_between(start: dt.date, end: dt.date, settings) -> list[dt.date]:
    """Every pay change date d with start <= d <= end (7.16)."""
    out = []
    for y in range(start.year, end.year + 1):
        for pay_md, _ in _windows(settings):
            d = _on(y, pay_md)
            if start <= d <= end:
                out.append(d)
    return sorted(out)


# --------------------------------------------------------------------------- payroll dates


def payroll_cutoff(effective: dt.date, settings) -> dt.date:
    """The payroll cut-off for a change paid from ``effective`` (the 1st of a month): the
    Settings "Payroll cut-off day" of the month before, clamped to that month's last day
    (a cut-off day of 31 is 30 November, 28 or 29 February)."""
    before = add_months(effective.replace(day=1), -1)
    day = _settings(settings).payroll_cutoff_day
    return before.replace(day=min(day, _stdlib_calendar.monthrange(before.year, before.month)[1]))


def payroll_effective_date(signed: dt.date | None, as_of: dt.date, settings) -> dt.date:
    """The most suitable payroll date for an initial-assessment pay change (Appendix K,
    stage 9: "... so that The MedPay Review Team can inform payroll of any changes to pay
    at the most suitable payroll date. No payments are backdated.").

    The first day of the earliest month whose payroll cut-off (:func:`payroll_cutoff`:
    the Settings "Payroll cut-off day" of the month before) is on or after the later of
    the manager's signature date ``signed`` and the run date ``as_of``. With the shipped
    cut-off day 10: signed 4 December 2026 -> 1 January 2027 (cut-off 10 December);
    signed 15 December 2026 -> 1 February 2027 (cut-off 10 January). The result is always
    after both dates, so nothing is backdated nor effective before the run.
    """
    base = max(signed, as_of) if signed is not None else as_of
    effective = add_months(base.replace(day=1), 1)
    while payroll_cutoff(effective, settings) < base:
        effective = add_months(effective, 1)
    return effective


# --------------------------------------------------------------------------- working days


@lru_cache(maxsize=64)
def _holidays_for(year: int) -> frozenset[dt.date]:
    # The UK calendar of the ``holidays`` package includes substitute ("observed") days,
    # e.g. Monday 28 December 2026 for Boxing Day on a Saturday.
    return frozenset(_holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def bank_holidays(year: int) -> frozenset[dt.date]:
    """Bank holidays in England in ``year``, substitute days included."""
    return _holidays_for(year)


def is_working_day(d: dt.date) -> bool:
    """Monday to Friday and not a bank holiday in England (substitute days included)."""
    return d.weekday() < 5 and d not in _holidays_for(d.year)


def add_working_days(d: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``d`` (before it when ``n`` is negative; ``d``
    itself when ``n`` is 0). ``d`` need not be a working day; it is never counted."""
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    cur = d
    while remaining:
        cur += dt.timedelta(days=step)
        if is_working_day(cur):
            remaining -= 1
    return cur


def appeal_deadline(notified: dt.date, settings) -> dt.date:
    """Last day to lodge an appeal (7.25): the fifth working day after the day of
    notification (the number of days is "Appeal period (working days)" in Settings).

    The day of notification is not counted even when it is a working day; weekends and
    bank holidays in England, with substitute days, are skipped.
    """
    return add_working_days(notified, _settings(settings).appeal_working_days)


# --------------------------------------------------------------------------- months


def add_months(d: dt.date, months: int) -> dt.date:
    """``d`` plus whole calendar months, clamped to the end of a shorter month
    (31 January + 1 month = 28 or 29 February)."""
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    last = _stdlib_calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(d.day, last))


def conversation_dates(start: dt.date) -> list[dt.date]:
    """Appendix B: the next conversations 3, 6, 9 and 12 months after ``start``, each
    counted from ``start`` (so month-end clamping never accumulates: 30 November ->
    28/29 February, 30 May, 30 August, 30 November)."""
    return [add_months(start, m) for m in CONVERSATION_MONTHS]


def end_of_year_appraisal(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """6.14: the February-March window of the latest end-of-year appraisal on or before
    ``as_of`` - the one whose outcome a level estimate made on ``as_of`` relies on.
    From 1 February a year's own window counts (the conversation may already have
    happened); before it, the previous year's. Returns (1 February, last day of March).

    >>> end_of_year_appraisal(dt.date(2026, 1, 31))
    (datetime.date(2025, 2, 1), datetime.date(2025, 3, 31))
    >>> end_of_year_appraisal(dt.date(2026, 2, 1))
    (datetime.date(2026, 2, 1), datetime.date(2026, 3, 31))
    """
    first, last = APPRAISAL_MONTHS
    year = as_of.year if (as_of.month, as_of.day) >= (first, 1) else as_of.year - 1
    end_day = _stdlib_calendar.monthrange(year, last)[1]
    return dt.date(year, first, 1), dt.date(year, last, end_day)


def next_end_of_year_appraisal(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """6.14: the February-March window of the next end-of-year appraisal that has not
    ended by ``as_of`` - when objectives agreed on ``as_of`` are assessed (the window
    ``as_of`` falls in, if it does)."""
    start, end = end_of_year_appraisal(as_of)
    if end >= as_of:
        return start, end
    return end_of_year_appraisal(dt.date(start.year + 1, start.month, start.day))


def months_between(a: dt.date, b: dt.date) -> int:
    """Whole months completed from ``a`` to ``b``: the largest m with
    ``add_months(a, m) <= b`` (negative when ``b`` is before ``a``).

    A month from 31 January is completed on the last day of February.
    """
    if b < a:
        return -months_between(b, a)
    m = (b.year - a.year) * 12 + (b.month - a.month)
    while m > 0 and add_months(a, m) > b:
        m -= 1
    return m
