"""The worksheet functions for desktop Excel (xlwings UDFs, Windows): each ``@xw.func``
is one line over its adapter in :mod:`addin.excel.udfs`, where the argument handling
and the error values live. Point the add-in's ``UDF Modules`` setting at
``addin.excel.xlwings_udfs`` (``scripts/build_addin`` does, in the medpay.conf sheet).

Argument names are what Excel's function wizard shows; each argument's ``doc`` is its
description in the Insert Function dialog. The declarations are made by
:func:`declare`, which applies xlwings' own decorators (``@xw.arg(name, doc=...)`` then
``@xw.func(category=..., volatile=...)``, outermost, as xlwings wants) and records the
same facts in :data:`DECLARATIONS`: ``scripts/build_addin`` writes the VBA wrapper
functions of the add-in from that table (what xlwings' "Import Functions" would write
into the VBA project, done at build time), and ``scripts/build_lite`` the xlwings Lite
``@func`` declarations.

An answer that is a :class:`addin.excel.udfs.CellError` leaves here as the error's text
(``"#VALUE!"``, ``"#N/A"``, :func:`addin.excel.udfs.to_cell`): xlwings Lite sends that
text to Excel as the error value itself; in desktop Excel the add-in's generated VBA
wrapper turns it into ``CVErr(xlErrValue)`` / ``CVErr(xlErrNA)``. Either way
``IFERROR`` sees a real error, and ``=MEDPAY_WHY(...)`` gives the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import xlwings as xw

from addin.excel import udfs

CATEGORY = "MedPay"


@dataclass(frozen=True)
class Declaration:
    """One worksheet function as Excel sees it: its name, description, arguments (name,
    description; optional ones have a default of None) and whether it is volatile."""

    name: str
    doc: str
    args: tuple[tuple[str, str], ...]
    optional: tuple[str, ...]
    volatile: bool


DECLARATIONS: dict[str, Declaration] = {}
"""Excel name -> declaration, in declaration order."""

VBA_KEYWORDS = frozenset("""
    and as boolean byref byte byval call case const currency date decimal declare dim do double
    each else elseif empty end enum eqv erase error event exit false for friend function get
    global gosub goto if imp implements in integer is let lib like long loop lset me mod new
    next not nothing null object on option optional or paramarray preserve private property
    public raiseevent redim rem resume return rset select set single static step stop string
    sub then to true type typeof until variant wend while with withevents xor
""".split())
"""VBA's reserved words: no argument may be called one (the VBA wrappers use the names)."""

_MAX_DOC = 255
"""Excel's limit for a function's or an argument's description (Application.MacroOptions)."""


def declare(*, args: dict[str, str]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare ``func`` a MedPay worksheet function with one description per argument
    (``args``: name -> description, every parameter, in order). Volatile when its adapter
    defaults a date to today (:data:`addin.excel.udfs.VOLATILE`)."""

    def deco(func: Callable[..., Any]) -> Callable[..., Any]:
        import inspect

        name = func.__name__.upper()
        params = inspect.signature(func).parameters
        reserved = [p for p in params if p.lower() in VBA_KEYWORDS]
        if reserved:  # the add-in's VBA wrapper takes the same names: a keyword breaks the module
            raise ValueError(f"{name}: argument names that are VBA keywords: {reserved}")
        if list(params) != list(args):
            raise TypeError(f"{name}: argument descriptions {list(args)} != parameters {list(params)}")
        doc = " ".join((func.__doc__ or "").split())
        too_long = [a for a, d in [("", doc), *args.items()] if len(d) > _MAX_DOC]
        if too_long:
            raise ValueError(f"{name}: descriptions longer than {_MAX_DOC} characters: {too_long}")
        volatile = name in udfs.VOLATILE
        DECLARATIONS[name] = Declaration(
            name=name, doc=doc, args=tuple(args.items()),
            optional=tuple(p for p, v in params.items() if v.default is not inspect.Parameter.empty),
            volatile=volatile)
        for arg, text in reversed(args.items()):
            func = xw.arg(arg, doc=text)(func)
        return xw.func(category=CATEGORY, volatile=volatile)(func)

    return deco


_RANGE = "Pay range, 2 to 8 (3 or R3); may be left empty when level is written like 3B."
_LEVEL = "Level: A, B or C (Developing, Practising, Accomplished), or 3B with its range."
_AS_OF = "Optional date to work from (dd/mm/yyyy or a date cell); empty means today."
_SALARY = "Current annual full-time salary in pounds, e.g. 24500."
_FTE = "Full-time equivalent, more than 0 and at most 1 (0.6 for three days a week)."
_PROBATION = "Probation passed: Yes, No or N/A (no probation in this role)."
_START = "Start date in the role (dd/mm/yyyy or a date cell); may be empty."
_CAPABILITY = "Under a capability process: Yes or No (policy 7.22)."
_APPRAISAL = "Last appraisal outcome: Met, Exceeded, Not met (policy 7.28)."
_MONTHS_AT = "Whole months at the current level (e.g. 14); may be empty."
_REQUIRED = "Months the framework requires at the level: 12, or its text such as 'Minimum of 12 months at 3A'."
_ELIGIBILITY_ARGS = {
    "probation_passed": _PROBATION, "start_date": _START, "capability": _CAPABILITY,
    "appraisal_outcome": _APPRAISAL, "months_at_level": _MONTHS_AT,
    "required_months": _REQUIRED, "as_of": _AS_OF,
}


@declare(args={"pay_range": _RANGE, "level": _LEVEL})
def medpay_salary(pay_range, level):
    """Annual full-time salary at a level of a pay range (policy 7.14)."""
    return udfs.to_cell(udfs.medpay_salary(pay_range, level))


@declare(args={"submitted": "Date the request is submitted (dd/mm/yyyy or a date cell)."})
def medpay_next_effective_date(submitted):
    """The pay change date a request submitted on this date takes effect (7.16, 7.20)."""
    return udfs.to_cell(udfs.medpay_next_effective_date(submitted))


@declare(args={"effective": "A pay change date, such as 01/07/2025 or 01/01/2026."})
def medpay_submission_deadline(effective):
    """The last day to submit for a pay change date (Appendix F)."""
    return udfs.to_cell(udfs.medpay_submission_deadline(effective))


@declare(args={"notified": "Date the employee was told the request was declined."})
def medpay_appeal_deadline(notified):
    """The last day to appeal a declined request: five working days (7.25)."""
    return udfs.to_cell(udfs.medpay_appeal_deadline(notified))


@declare(args=_ELIGIBILITY_ARGS)
def medpay_eligible(probation_passed, start_date, capability, appraisal_outcome,
                    months_at_level=None, required_months=None, as_of=None):
    """TRUE when the employee may apply to progress (7.22, 7.28, time at level)."""
    return udfs.to_cell(udfs.medpay_eligible(probation_passed, start_date, capability,
                                             appraisal_outcome, months_at_level,
                                             required_months, as_of))


@declare(args=_ELIGIBILITY_ARGS)
def medpay_eligibility_reasons(probation_passed, start_date, capability, appraisal_outcome,
                               months_at_level=None, required_months=None, as_of=None):
    """'Eligible', or every reason the employee may not yet apply."""
    return udfs.to_cell(udfs.medpay_eligibility_reasons(probation_passed, start_date, capability,
                                                        appraisal_outcome, months_at_level,
                                                        required_months, as_of))


_COST_ARGS = {"current_salary": _SALARY, "fte": _FTE, "pay_range": _RANGE,
              "level": "Level moved to: A, B or C (or 3B with its range).", "as_of": _AS_OF}


@declare(args=_COST_ARGS)
def medpay_cost(current_salary, fte, pay_range, level, as_of=None):
    """Full-year cost of moving to a level, with employer on-costs."""
    return udfs.to_cell(udfs.medpay_cost(current_salary, fte, pay_range, level, as_of))


@declare(args=_COST_ARGS)
def medpay_in_year_cost(current_salary, fte, pay_range, level, as_of=None):
    """Cost in the financial year of the effective date (never backdated)."""
    return udfs.to_cell(udfs.medpay_in_year_cost(current_salary, fte, pay_range, level, as_of))


@declare(args={"framework_text": "Time-at-level text from a framework, e.g. 'Minimum of 12 months at 3A'."})
def medpay_min_months(framework_text):
    """Months of a time-at-level phrase ('Minimum of 12 months at 3A' -> 12)."""
    return udfs.to_cell(udfs.medpay_min_months(framework_text))


_WHY_ARG = "The same argument, in the same place, as in the function's own formula."


@declare(args={"function_name": "Name of the MedPay function, e.g. \"MEDPAY_SALARY\" (or \"SALARY\").",
               **{f"arg{i}": _WHY_ARG for i in range(1, udfs.WHY_ARGS + 1)}})
def medpay_why(function_name, arg1=None, arg2=None, arg3=None, arg4=None, arg5=None, arg6=None,
               arg7=None):
    """Why a MedPay function shows #VALUE! or #N/A for these arguments; empty when it has an answer."""
    return udfs.to_cell(udfs.medpay_why(function_name, arg1, arg2, arg3, arg4, arg5, arg6, arg7))
