"""Worksheet functions: pure adapters from what Excel passes to the core, importable
without Excel (the xlwings ``@xw.func`` declarations live in
:mod:`addin.excel.xlwings_udfs`; the xlwings Lite ``@func`` ones in the ``main.py``
that ``scripts/build_lite`` generates into ``build/lite/``).

Each Python function is the Excel name in lower case (``medpay_salary`` for
``=MEDPAY_SALARY``). They accept what Excel hands over:

* numbers as ``float`` (``3.0`` for a range, ``0.5`` for an FTE), or as text;
* dates as ``datetime``/``date`` (date-formatted cells) or serial numbers (``45474.0``)
  or UK text (``"01/07/2024"``);
* empty cells as ``None`` (a row that is entirely empty gives ``""``, so a filled-down
  column stays quiet below the data);
* levels as ``"B"``, ``"b"``, ``"3B"``, ``"Practising"``; Yes/No as ``"Yes"``, ``TRUE``, ``1``.

Nothing here raises: a bad input comes back as a :class:`CellError`, a real Excel error
value (``#VALUE!`` for an argument that is not what the function takes, ``#N/A`` for a
value the pay-ranges workbook does not have - an unknown range, a date that is no pay
change date - or a pay-ranges workbook that cannot be read) carrying its reason, so
``=IFERROR(MEDPAY_SALARY(A2, B2), "")`` works and ``=MEDPAY_WHY("MEDPAY_SALARY", A2, B2)``
says why (:func:`medpay_why`). The xlwings layers turn a CellError into the error string
(``"#N/A"``) that xlwings Lite sends to Excel as the error itself and the add-in's
generated VBA wrappers turn into ``CVErr(xlErrNA)`` (:mod:`addin.excel.xlwings_udfs`).

The functions a sheet fills down (salary, next effective date, cost, in-year cost,
eligible) also take whole columns:
give a list (a column) or a list of rows and get the same shape back, element by element,
with single values broadcast across the column.

No rule lives here: every answer comes from the same core functions the CLI uses
(:mod:`addin.office.xlsx.settings`, :mod:`addin.core.paycalendar`, :mod:`addin.core.eligibility`,
:mod:`addin.core.costing`, :mod:`addin.core.timeatlevel`, :mod:`addin.core.parsing`).
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from addin.core.costing import cost_change
from addin.core.eligibility import check_eligibility
from addin.core.errors import MedpayError
from addin.core.model import Level, PaySettings
from addin.core.parsing import (
    parse_bool,
    parse_date,
    parse_fte,
    parse_level,
    parse_money,
    parse_outcome,
    parse_probation,
    parse_range,
)
from addin.core.paycalendar import appeal_deadline, next_effective_date, submission_deadline
from addin.core.timeatlevel import parse_time_requirement
from addin.office.xlsx.settings import read_pay_settings

__all__ = [
    "CellError",
    "FUNCTIONS",
    "FILL_DOWN",
    "VOLATILE",
    "conf_setting",
    "frameworks_folder",
    "medpay_appeal_deadline",
    "medpay_cost",
    "medpay_eligibility_reasons",
    "medpay_eligible",
    "medpay_in_year_cost",
    "medpay_min_months",
    "medpay_next_effective_date",
    "medpay_salary",
    "medpay_submission_deadline",
    "medpay_why",
    "pay_ranges_path",
    "pay_settings",
    "to_cell",
]

VALUE_ERROR = "#VALUE!"
"""An argument that is not what the function takes (not a date, not a level, ...)."""
NA_ERROR = "#N/A"
"""A value the pay ranges do not have (an unknown range, no pay change date) or no pay
ranges to read."""
ENV_VAR = "MEDPAY_PAY_RANGES"
"""Environment variable / xlwings.conf key naming the pay-ranges workbook."""


class UdfInputError(ValueError):
    """A bad argument: the cell shows ``code`` (``#VALUE!`` unless the value is one the
    pay ranges do not have, ``#N/A``) and :func:`medpay_why` gives the message."""

    def __init__(self, message: str, code: str = VALUE_ERROR) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class CellError:
    """What a worksheet function gives for bad input: an Excel error value (``code``,
    ``#VALUE!`` or ``#N/A``) and the reason, one short line, for :func:`medpay_why`."""

    code: str
    reason: str

    def __str__(self) -> str:
        return f"{self.code} {self.reason}"


_MAX_ERROR = 200
"""Longest message a cell shows (after the prefix); longer ones end in an ellipsis."""
_LONG_NUMBER = re.compile(r"(?<![\w.])-?\d{16,}(?:\.\d+)?(?![\w.])")


def _short_number(match: re.Match) -> str:
    return f"{float(match.group(0)):.6g}"


def excel_error(message: str, code: str = VALUE_ERROR) -> CellError:
    """The error a cell shows for a problem, with its reason as one short line: a number
    of more than 15 digits (``1e308`` written out in full) is shown as ``1e+308`` and the
    reason is cut at :data:`_MAX_ERROR` characters."""
    text = _LONG_NUMBER.sub(_short_number, " ".join(str(message).split()))
    if len(text) > _MAX_ERROR:
        text = text[:_MAX_ERROR - 1].rstrip() + "\u2026"
    return CellError(code, text)


def to_cell(value: Any) -> Any:
    """An answer as xlwings hands it to Excel: a :class:`CellError` as its error text
    (``"#VALUE!"``, ``"#N/A"`` - the error value itself in xlwings Lite, turned into
    ``CVErr`` by the add-in's VBA wrapper on the desktop), lists element by element,
    everything else as it is (dates stay dates)."""
    if isinstance(value, CellError):
        return value.code
    if isinstance(value, list):
        return [to_cell(v) for v in value]
    return value


def _as_float(value: int | float | Decimal) -> float:
    """A number as a float; one too large for a float (a 400-digit int) is infinite, a
    signalling Decimal NaN is NaN."""
    try:
        return float(value)
    except (OverflowError, ValueError):
        return float("nan") if isinstance(value, Decimal) and value.is_nan() else float("inf")


def _show(value: object) -> str:
    """A cell value as a message shows it, short: ``nan``, ``1e+308``, ``45474``, ``'text'``
    (cut at 40 characters)."""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, (int, float, Decimal)):
        number = _as_float(value)
        if math.isfinite(number) and number.is_integer() and abs(number) < 1e15:
            return str(int(number))
        return f"{number:.6g}"
    text = " ".join(str(value).split())
    return repr(text if len(text) <= 40 else text[:39] + "\u2026")


# --------------------------------------------------------------------------- settings


def _conf_files() -> list[Path]:
    """xlwings user config files that may name the pay-ranges workbook: the xlwings
    add-in's ``~/.xlwings/xlwings.conf`` and the MedPay add-in's own
    ``~/.medpay/medpay.conf`` (Windows) / ``~/medpay.conf`` (Mac), the files the
    add-in's VBA ``GetConfig`` reads."""
    home = Path.home()
    return [home / ".medpay" / "medpay.conf", home / "medpay.conf",
            home / ".xlwings" / "xlwings.conf"]


_CONF_LINE = re.compile(r'^\s*"([^"]*)"\s*,\s*"([^"]*)"')


@functools.lru_cache(maxsize=16)
def _conf_value(path: str, mtime: int, key: str) -> str | None:
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:  # the Windows ANSI code page, as VBA and the install script write it
        text = data.decode("cp1252", errors="replace")
    for line in text.splitlines():
        m = _CONF_LINE.match(line)
        if m and m.group(1).strip().upper() == key:
            return os.path.expandvars(m.group(2).strip()) or None
    return None


FRAMEWORKS_VAR = "MEDPAY_FRAMEWORKS"
"""Environment variable / config key naming the folder of framework workbooks."""


def conf_setting(key: str, conf_files: list[Path] | None = None) -> str | None:
    """A setting of the add-in, first found of: the environment variable ``key``; a
    ``"KEY","value"`` line in an xlwings config file (``medpay.conf`` of the MedPay add-in,
    or ``xlwings.conf``, :func:`_conf_files`); else None."""
    env = os.environ.get(key, "").strip()
    if env:
        return env
    for f in conf_files if conf_files is not None else _conf_files():
        try:
            mtime = f.stat().st_mtime_ns
        except OSError:
            continue
        value = _conf_value(str(f), mtime, key)
        if value:
            return value
    return None


def pay_ranges_path(conf_files: list[Path] | None = None) -> Path | None:
    """The pay-ranges workbook the functions use, first found of:

    1. the ``MEDPAY_PAY_RANGES`` environment variable;
    2. a ``"MEDPAY_PAY_RANGES","C:\\path\\pay-ranges.xlsx"`` line in an xlwings config file
       (``medpay.conf`` of the MedPay add-in, or ``xlwings.conf``);
    3. None: the shipped ``workbooks/pay-ranges.xlsx`` (:func:`read_pay_settings` default).
    """
    value = conf_setting(ENV_VAR, conf_files)
    return Path(value) if value else None


def frameworks_folder(conf_files: list[Path] | None = None) -> Path | None:
    """The folder of framework workbooks the buttons use (``MEDPAY_FRAMEWORKS``, as
    :func:`conf_setting` finds it), or None: the shipped frameworks."""
    value = conf_setting(FRAMEWORKS_VAR, conf_files)
    return Path(value) if value else None


def pay_settings(path: str | Path | None = None) -> PaySettings:
    """Pay ranges and settings, read through :func:`addin.office.xlsx.settings.read_pay_settings`
    (cached by path and modification time: an edited workbook is re-read on the next
    recalculation, an unchanged one is not)."""
    return read_pay_settings(path if path is not None else pay_ranges_path())


# --------------------------------------------------------------------------- arguments


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _need(value: object, name: str) -> None:
    if _blank(value):
        raise UdfInputError(f"{name} is empty")


def _parse(parser: Callable[[object], Any], value: object, name: str) -> Any:
    _need(value, name)
    try:
        return parser(value)
    except ValueError as exc:
        raise UdfInputError(f"{name}: {exc}") from None


_LAST_SERIAL = 2958465
"""Excel's last date serial, 31/12/9999."""


def _date(value: object, name: str) -> dt.date:
    """A date cell: what :func:`addin.core.parsing.parse_date` accepts. A number no date can be
    (NaN, infinite, negative, past 31/12/9999) is ``<name>: not a date (got <value>)``
    here, before the parser, whose messages for those are not meant for a cell (``cannot
    convert float NaN to integer``, a 300-digit number); anything else the parser raises
    becomes the same message."""
    _need(value, name)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        number = _as_float(value)
        if not math.isfinite(number) or not 0 <= number <= _LAST_SERIAL:
            raise UdfInputError(f"{name}: not a date (got {_show(value)})")
    try:
        return parse_date(value)
    except ValueError as exc:
        raise UdfInputError(f"{name}: {exc}") from None
    except (ArithmeticError, TypeError):
        raise UdfInputError(f"{name}: not a date (got {_show(value)})") from None


def _range_and_level(range_: object, level: object, pay: PaySettings) -> tuple[int, Level]:
    """A pay range known to the pay-ranges workbook and a level; ``"3B"`` in the level
    argument supplies the range when the range cell is empty."""
    _need(level, "level")
    try:
        level_range, lv = parse_level(level)
    except ValueError as exc:
        raise UdfInputError(f"level: {exc}") from None
    if _blank(range_):
        if level_range is None:
            raise UdfInputError("range is empty")
        rng = level_range
    else:
        rng = _range(range_, pay)
        if level_range is not None and level_range != rng:
            raise UdfInputError(f"level {level_range}{lv.value} is in range {level_range}, not range {rng}")
    if rng not in pay.ranges:
        raise UdfInputError(f"unknown range {rng}", NA_ERROR)
    return rng, lv


def _range(value: object, pay: PaySettings) -> int:
    try:
        return parse_range(value)
    except ValueError as exc:
        # a whole number the policy's ranges do not hold: say so plainly, and shortly
        # (1e308 is "unknown range 1e+308", not its 309 digits)
        number: float | None = None
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            number = _as_float(value)
        elif isinstance(value, str) and re.fullmatch(r"\s*-?\d+(?:\.0+)?\s*", value):
            number = float(value)
        if number is not None and math.isfinite(number) and number.is_integer():
            raise UdfInputError(f"unknown range {_show(number)}", NA_ERROR) from None
        raise UdfInputError(f"range: {exc}") from None


def _months(value: object, name: str) -> int:
    """Whole months: ``12``, ``12.0``, ``"12"``; or framework text such as "Minimum of
    12 months at 3A" (parsed by :func:`addin.core.timeatlevel.parse_time_requirement`)."""
    _need(value, name)
    if isinstance(value, bool):
        raise UdfInputError(f"{name}: expected a whole number of months, got {value}")
    if isinstance(value, (int, float, Decimal)):
        if not float(value).is_integer() or value < 0:
            raise UdfInputError(f"{name}: expected a whole number of months, got {value:g}")
        return int(value)
    text = str(value).strip()
    if re.fullmatch(r"\d+(?:\.0+)?", text):
        return int(float(text))
    req = parse_time_requirement(text)
    if req is None:
        raise UdfInputError(f"{name}: expected a number of months, got {text[:40]!r}")
    return req.months


def _excel_number(value: Decimal) -> float:
    """Money leaves the core as Decimal rounded to the penny; Excel holds floats."""
    return float(value)


# --------------------------------------------------------------------------- arrays


def _is_array(value: object) -> bool:
    return isinstance(value, (list, tuple))


def _as_rows(value: Any) -> list[list[Any]]:
    """A column as a list of rows: ``[a, b]`` (a 1-D column) -> ``[[a], [b]]``."""
    if value and all(_is_array(r) for r in value):
        return [list(r) for r in value]
    return [[v] for v in value]


def excel_function(*, fill_down: bool = False, today: bool = False,
                   ranges: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Make ``func`` safe for a cell: bad input -> a :class:`CellError`, never an
    exception (a MedpayError - the pay-ranges workbook cannot be read - is ``#N/A``);
    ``today``: an argument left empty means today's date, so the answer changes by the day
    and Excel must recalculate it each time it calculates (``volatile``, :data:`VOLATILE`);
    ``ranges``: the function takes ranges as they are (:func:`medpay_why` passes them on); with ``fill_down`` a list (column) or list of rows in any argument gives
    the same shape back, element by element (single values are used for every row)."""

    def deco(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def scalar(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except UdfInputError as exc:
                return excel_error(str(exc), exc.code)
            except MedpayError as exc:
                return excel_error(exc.one_line(), NA_ERROR)
            except ArithmeticError as exc:  # Decimal/float overflow, InvalidOperation, ...
                return excel_error(f"cannot calculate with these values (a number is too large "
                                   f"or not a number: {type(exc).__name__})")
            except Exception as exc:  # any failure: a cell must never see a traceback
                return excel_error(f"{type(exc).__name__}: {exc}")

        if not fill_down:
            @functools.wraps(func)
            def plain(*args: Any, **kwargs: Any) -> Any:
                if not ranges and any(_is_array(a) for a in args):
                    return excel_error("this function takes single cells, not a range")
                return scalar(*args, **kwargs)

            plain.fill_down = False  # type: ignore[attr-defined]
            plain.today = today  # type: ignore[attr-defined]
            return plain

        @functools.wraps(func)
        def vectorised(*args: Any, **kwargs: Any) -> Any:
            arrays = [(i, _as_rows(a)) for i, a in enumerate(args) if _is_array(a)]
            if not arrays:
                return scalar(*args, **kwargs)
            shape = (len(arrays[0][1]), len(arrays[0][1][0]) if arrays[0][1] else 0)
            for _, rows in arrays:
                if (len(rows), len(rows[0]) if rows else 0) != shape:
                    return excel_error("the ranges given are of different sizes")
            grids = dict(arrays)
            out = []
            for r in range(shape[0]):
                row = []
                for c in range(shape[1]):
                    cell_args = [grids[i][r][c] if i in grids else a for i, a in enumerate(args)]
                    row.append(scalar(*cell_args, **kwargs))
                out.append(row)
            return out

        vectorised.fill_down = True  # type: ignore[attr-defined]
        vectorised.today = today  # type: ignore[attr-defined]
        return vectorised

    return deco


def _all_blank(*values: object) -> bool:
    return all(_blank(v) for v in values)


# --------------------------------------------------------------------------- functions


@excel_function(fill_down=True)
def medpay_salary(range_: object, level: object) -> float | str:
    """=MEDPAY_SALARY(range, level): annual full-time salary at the level's pay point
    (policy 7.14: A start, B mid-point, C top of the range), from the pay-ranges
    workbook named in the add-in's settings."""
    if _all_blank(range_, level):
        return ""
    pay = pay_settings()
    rng, lv = _range_and_level(range_, level, pay)
    return _excel_number(pay.pay_point(rng, lv))


@excel_function(fill_down=True)
def medpay_next_effective_date(submitted: object) -> dt.date | str:
    """=MEDPAY_NEXT_EFFECTIVE_DATE(submitted): the pay change date (1 January / 1 July
    with the shipped Settings) a request submitted that day takes effect from (policy
    7.16, 7.20, Appendix F deadlines)."""
    if _blank(submitted):
        return ""
    return next_effective_date(_date(submitted, "submitted"), pay_settings().settings)


@excel_function()
def medpay_submission_deadline(effective: object) -> dt.date | str:
    """=MEDPAY_SUBMISSION_DEADLINE(effective): the last day to submit for a pay change
    date (Appendix F: 1 June for July, 1 December for January)."""
    if _blank(effective):
        return ""
    day = _date(effective, "effective")
    try:
        return submission_deadline(day, pay_settings().settings)
    except ValueError:
        raise UdfInputError(
            f"{day.strftime('%d/%m/%Y')} is not a pay change date in the Settings sheet",
            NA_ERROR) from None


@excel_function()
def medpay_appeal_deadline(notified: object) -> dt.date | str:
    """=MEDPAY_APPEAL_DEADLINE(notified): last day to appeal a declined request (7.25:
    within five working days of notification; bank holidays in England skipped)."""
    if _blank(notified):
        return ""
    return appeal_deadline(_date(notified, "notified"), pay_settings().settings)


def _eligibility(probation_passed: object, start_date: object, capability: object,
                 appraisal_outcome: object, months_at_level: object, required_months: object,
                 as_of: object):
    """Parse the cells and ask :func:`addin.core.eligibility.check_eligibility`. Empty cells
    stay None: the core turns them into its own "not given" reasons."""
    def opt(parser, value, name):
        return None if _blank(value) else _parse(parser, value, name)

    return check_eligibility(
        as_of=dt.date.today() if _blank(as_of) else _date(as_of, "as_of"),
        probation_passed=opt(parse_probation, probation_passed, "probation_passed"),
        start_date=None if _blank(start_date) else _date(start_date, "start_date"),
        capability=opt(parse_bool, capability, "capability"),
        appraisal_outcome=opt(parse_outcome, appraisal_outcome, "appraisal_outcome"),
        months_at_level=None if _blank(months_at_level) else _months(months_at_level, "months_at_level"),
        required_months=None if _blank(required_months) else _months(required_months, "required_months"),
        settings=pay_settings().settings,
    )


@excel_function(fill_down=True, today=True)
def medpay_eligible(probation_passed: object, start_date: object, capability: object,
                    appraisal_outcome: object, months_at_level: object = None,
                    required_months: object = None, as_of: object = None) -> bool | str:
    """=MEDPAY_ELIGIBLE(probation_passed, start_date, capability, appraisal_outcome,
    months_at_level, required_months, [as_of]) -> TRUE/FALSE (policy 7.22, 7.28 and the
    framework's time at level). ``required_months`` may be the framework text itself."""
    if _all_blank(probation_passed, start_date, capability, appraisal_outcome,
                  months_at_level, required_months):
        return ""
    return bool(_eligibility(probation_passed, start_date, capability, appraisal_outcome,
                             months_at_level, required_months, as_of).eligible)


@excel_function(fill_down=True, today=True)
def medpay_eligibility_reasons(probation_passed: object, start_date: object, capability: object,
                               appraisal_outcome: object, months_at_level: object = None,
                               required_months: object = None, as_of: object = None) -> str:
    """=MEDPAY_ELIGIBILITY_REASONS(...same arguments...) -> "Eligible" or every reason
    the core gives, joined with "; "."""
    if _all_blank(probation_passed, start_date, capability, appraisal_outcome,
                  months_at_level, required_months):
        return ""
    return _eligibility(probation_passed, start_date, capability, appraisal_outcome,
                        months_at_level, required_months, as_of).summary()


def _cost_row(current_salary: object, fte: object, range_: object, level: object, as_of: object):
    pay = pay_settings()
    salary = _parse(parse_money, current_salary, "current_salary")
    share = _parse(parse_fte, fte, "fte")
    rng, lv = _range_and_level(range_, level, pay)
    when = dt.date.today() if _blank(as_of) else _date(as_of, "as_of")
    try:
        return cost_change(employee_id="", current_salary=salary, fte=share, range_=rng,
                           level=lv, as_of=when, pay=pay)
    except ValueError as exc:  # the core's own checks (FTE outside (0, 1], ...)
        raise UdfInputError(str(exc)) from None


@excel_function(fill_down=True, today=True)
def medpay_cost(current_salary: object, fte: object, range_: object, level: object,
                as_of: object = None) -> float | str:
    """=MEDPAY_COST(current_salary, fte, range, level, [as_of]) -> full-year cost of the
    change to the level's pay point, with employer on-costs (from :mod:`addin.core.costing`)."""
    if _all_blank(current_salary, fte, range_, level):
        return ""
    return _excel_number(_cost_row(current_salary, fte, range_, level, as_of).full_year_cost)


@excel_function(fill_down=True, today=True)
def medpay_in_year_cost(current_salary: object, fte: object, range_: object, level: object,
                        as_of: object = None) -> float | str:
    """=MEDPAY_IN_YEAR_COST(current_salary, fte, range, level, [as_of]) -> the cost falling
    in the financial year, from the effective date the core works out (never backdated)."""
    if _all_blank(current_salary, fte, range_, level):
        return ""
    return _excel_number(_cost_row(current_salary, fte, range_, level, as_of).in_year_cost)


@excel_function()
def medpay_min_months(framework_text: object) -> int | str:
    """=MEDPAY_MIN_MONTHS(framework_text): months of a time-at-level phrase ("Minimum of
    12 months at 3A" -> 12; "2 years' experience" -> 24), parsed by
    :func:`addin.core.timeatlevel.parse_time_requirement`."""
    if _blank(framework_text):
        return ""
    if not isinstance(framework_text, str):
        raise UdfInputError(f"expected framework text such as 'Minimum of 12 months at 3A', "
                            f"got {framework_text}")
    req = parse_time_requirement(framework_text)
    if req is None:
        raise UdfInputError("no timeframe in the text (for example 'Minimum of 12 months at 3A')")
    return req.months


WHY_ARGS = 7
"""How many arguments :func:`medpay_why` passes on (the most any function takes)."""


def _first_error(value: Any) -> tuple[CellError, int | None] | None:
    """The first CellError in a function's answer, with its 1-based row in a column."""
    if isinstance(value, CellError):
        return value, None
    if _is_array(value):
        for r, row in enumerate(value, 1):
            for v in (row if _is_array(row) else [row]):
                if isinstance(v, CellError):
                    return v, r
    return None


@excel_function(ranges=True)
def medpay_why(function_name: object, arg1: object = None, arg2: object = None, arg3: object = None,
               arg4: object = None, arg5: object = None, arg6: object = None,
               arg7: object = None) -> str:
    """=MEDPAY_WHY(function_name, arguments...): why a MedPay function gives ``#VALUE!`` or
    ``#N/A`` for these arguments - ``=MEDPAY_WHY("MEDPAY_SALARY", 9, "B")`` is "unknown
    range 9" - or "" when it gives an answer. ``function_name`` may omit the ``MEDPAY_``. For a
    column, the first row with a problem: "row 3: unknown range 9"."""
    if _blank(function_name) or not isinstance(function_name, str):
        raise UdfInputError("function_name: give a MedPay function's name, such as \"MEDPAY_SALARY\"")
    name = function_name.strip().upper()
    if not name.startswith("MEDPAY_"):
        name = "MEDPAY_" + name
    target = FUNCTIONS.get(name)
    if target is None or target is medpay_why:
        raise UdfInputError(f"function_name: no MedPay function {_show(function_name)}", NA_ERROR)
    args = [arg1, arg2, arg3, arg4, arg5, arg6, arg7]
    while args and args[-1] is None:
        args.pop()
    takes = len(inspect.signature(target).parameters)
    if len(args) > takes:
        raise UdfInputError(f"{name} takes {takes} argument{'' if takes == 1 else 's'}, "
                            f"not {len(args)}")
    found = _first_error(target(*args))
    if found is None:
        return ""
    error, row = found
    return error.reason if row is None else f"row {row}: {error.reason}"


FUNCTIONS: dict[str, Callable[..., Any]] = {
    f.__name__.upper(): f for f in (
        medpay_salary, medpay_next_effective_date, medpay_submission_deadline,
        medpay_appeal_deadline, medpay_eligible, medpay_eligibility_reasons, medpay_cost,
        medpay_in_year_cost, medpay_min_months, medpay_why,
    )
}
"""Excel name -> adapter. The xlwings and xlwings Lite declarations are generated from
this table, so a function added here appears in both."""

FILL_DOWN = frozenset(name for name, f in FUNCTIONS.items() if getattr(f, "fill_down", False))

VOLATILE = frozenset(name for name, f in FUNCTIONS.items() if getattr(f, "today", False))
"""The functions whose ``as_of`` defaults to today: declared volatile (``@xw.func(volatile=True)``),
so a sheet left open over midnight, or opened next month, answers for the new day."""
