"""The worksheet functions for desktop Excel (xlwings UDFs, Windows): each ``@xw.func``
is one line over its adapter in :mod:`addin.excel.udfs`, where the argument handling
and the ``#MEDPAY:`` error texts live. Point the add-in's ``UDF Modules`` setting at
``addin.excel.xlwings_udfs`` (``scripts/build_addin`` does, in the MedPay.conf sheet).

Argument names are what Excel's function wizard shows.
"""

from __future__ import annotations

import xlwings as xw

from addin.excel import udfs

CATEGORY = "MedPay"


@xw.func(category=CATEGORY)
def medpay_salary(pay_range, level):
    """Annual full-time salary at a level of a pay range (policy 7.14)."""
    return udfs.medpay_salary(pay_range, level)


@xw.func(category=CATEGORY)
def medpay_next_effective_date(submitted):
    """The pay change date a request submitted on this date takes effect (7.16, 7.20)."""
    return udfs.medpay_next_effective_date(submitted)


@xw.func(category=CATEGORY)
def medpay_submission_deadline(effective):
    """The last day to submit for a pay change date (Appendix F)."""
    return udfs.medpay_submission_deadline(effective)


@xw.func(category=CATEGORY)
def medpay_appeal_deadline(notified):
    """The last day to appeal a declined request: five working days (7.25)."""
    return udfs.medpay_appeal_deadline(notified)


@xw.func(category=CATEGORY)
def medpay_eligible(probation_passed, start_date, capability, appraisal_outcome,
                    months_at_level=None, required_months=None, as_of=None):
    """TRUE when the employee may apply to progress (7.22, 7.28, time at level)."""
    return udfs.medpay_eligible(probation_passed, start_date, capability, appraisal_outcome,
                                months_at_level, required_months, as_of)


@xw.func(category=CATEGORY)
def medpay_eligibility_reasons(probation_passed, start_date, capability, appraisal_outcome,
                               months_at_level=None, required_months=None, as_of=None):
    """'Eligible', or every reason the employee may not yet apply."""
    return udfs.medpay_eligibility_reasons(probation_passed, start_date, capability,
                                           appraisal_outcome, months_at_level,
                                           required_months, as_of)


@xw.func(category=CATEGORY)
def medpay_cost(current_salary, fte, pay_range, level, as_of=None):
    """Full-year cost of moving to a level, with employer on-costs."""
    return udfs.medpay_cost(current_salary, fte, pay_range, level, as_of)


@xw.func(category=CATEGORY)
def medpay_in_year_cost(current_salary, fte, pay_range, level, as_of=None):
    """Cost in the financial year of the effective date (never backdated)."""
    return udfs.medpay_in_year_cost(current_salary, fte, pay_range, level, as_of)


@xw.func(category=CATEGORY)
def medpay_min_months(framework_text):
    """Months of a time-at-level phrase ('Minimum of 12 months at 3A' -> 12)."""
    return udfs.medpay_min_months(framework_text)
