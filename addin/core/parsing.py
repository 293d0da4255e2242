"""Pure value parsers for what managers type into the level-estimate spreadsheet.

Each parser takes a raw cell value (as python-calamine or openpyxl returns it: ``str``,
``int``, ``float``, ``bool``, ``datetime.date``/``datetime.datetime`` or ``Decimal``)
and returns the parsed value, or raises :class:`ValueError` whose message says what was
expected - the estimates checker puts that message in the feedback comment verbatim.

No Excel types here: these are plain functions, tested with hypothesis.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation

from addin.core.model import MAX_RANGE, MIN_RANGE, Level
from addin.core.text import clean_text, norm_key

__all__ = [
    "CONTRACT_TYPES",
    "OUTCOMES",
    "parse_bool",
    "parse_contract",
    "parse_date",
    "parse_fte",
    "parse_level",
    "parse_money",
    "parse_months",
    "parse_outcome",
    "parse_range",
]

# --------------------------------------------------------------------------- levels

_LEVEL_TITLES = {"developing": Level.A, "practising": Level.B, "practicing": Level.B,
                 "accomplished": Level.C}
_LEVEL_RE = re.compile(
    r"""^\s*
    (?:(?:r|range|grade)\s*[-:.]?\s*(?P<r1>\d{1,2})\s*[-:/,.]?\s*)?   # R3 / Range 3
    (?P<r2>\d{1,2})?\s*[-:/]?\s*                                        # 3B / 3-B
    (?:level|lvl|lv)?\s*[-:.]?\s*
    (?P<lv>[abc])
    (?:\s*[-:(]?\s*(?:developing|practi[sc]ing|accomplished)\)?)?       # B - Practising
    \s*\.?\s*$""",                                                     # B. (trailing dot)
    re.IGNORECASE | re.VERBOSE,
)
LEVEL_EXPECTED = "a level A, B or C (for example 'B' or '3B')"


def parse_level(value: object) -> tuple[int | None, Level]:
    """A competency level (policy 7.14), optionally with its range.

    ``"B"``, ``"b"``, ``"3B"``, ``"3b"``, ``"R3 B"``, ``"Range 3 level B"``,
    ``"Level B"``, ``"B - Practising"``, ``"Practising"``, ``"B."`` -> ``(range or None, Level)``.

    >>> parse_level("R3 B")
    (3, <Level.B: 'B'>)
    """
    if isinstance(value, Level):
        return (None, value)
    text = clean_text(value)
    if not text or isinstance(value, (bool, int, float, Decimal, dt.date)):
        raise ValueError(f"expected {LEVEL_EXPECTED}, got {_show(value)}")
    if norm_key(text) in _LEVEL_TITLES:
        return (None, _LEVEL_TITLES[norm_key(text)])
    m = _LEVEL_RE.match(text)
    if not m:
        raise ValueError(f"expected {LEVEL_EXPECTED}, got {_show(value)}")
    rng_text = m.group("r1") or m.group("r2")
    if m.group("r1") and m.group("r2"):
        raise ValueError(f"expected {LEVEL_EXPECTED}, got {_show(value)}")
    rng = int(rng_text) if rng_text else None
    if rng is not None and not MIN_RANGE <= rng <= MAX_RANGE:
        raise ValueError(f"expected a range {MIN_RANGE}-{MAX_RANGE} before the level, got {_show(value)}")
    return (rng, Level(m.group("lv").upper()))


def parse_range(value: object) -> int:
    """A pay range 2-8: ``3``, ``3.0``, ``"3"``, ``"R3"``, ``"Range 3"``, ``"Grade 3"``."""
    expected = f"a pay range {MIN_RANGE}-{MAX_RANGE} (for example 3 or 'R3')"
    if isinstance(value, bool):
        raise ValueError(f"expected {expected}, got {_show(value)}")
    if isinstance(value, (int, float, Decimal)):
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(f"expected {expected}, got {_show(value)}")
        num = int(value)
    else:
        text = clean_text(value)
        m = re.fullmatch(r"(?:r|range|grade)?\s*[-:.]?\s*(\d{1,2})(?:\.0+)?", text, re.IGNORECASE)
        if not m:
            raise ValueError(f"expected {expected}, got {_show(value)}")
        num = int(m.group(1))
    if not MIN_RANGE <= num <= MAX_RANGE:
        raise ValueError(f"expected {expected}, got {_show(value)}")
    return num


# --------------------------------------------------------------------------- numbers

MONEY_EXPECTED = "an annual salary in pounds such as 24500 or £24,500.00"
_MONEY_RE = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


def _number(value: object) -> Decimal | None:
    """int/float/Decimal -> Decimal (floats via repr: 0.1 -> '0.1', no binary noise)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        if value.is_integer():  # Excel stores 24500 as 24500.0
            return Decimal(int(value))
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    return None


MAX_MONEY = Decimal(10_000_000)
"""The largest amount read as a salary: ten million pounds a year (ranges 2-8 are tens
of thousands). Anything larger is refused where it is typed, so every later sum stays
well inside Decimal's working precision."""


def parse_money(value: object) -> Decimal:
    """An amount in pounds: ``"24500"``, ``"£24,500.00"``, ``24500.0``, ``24500`` -> Decimal.

    Negative amounts are refused (salaries are never negative). No rounding here: money
    is rounded half-up to the penny only at the end of a calculation.
    """
    num = _number(value)
    if num is None:
        if isinstance(value, (bool, dt.date)) or not isinstance(value, str):
            raise ValueError(f"expected {MONEY_EXPECTED}, got {_show(value)}")
        text = clean_text(value).replace(" ", "").replace("\u00a0", "")
        text = re.sub(r"^(?:£|gbp)", "", text, flags=re.IGNORECASE)
        text = re.sub(r"(?:gbp|pa|p\.a\.)$", "", text, flags=re.IGNORECASE)
        if not _MONEY_RE.match(text):
            raise ValueError(f"expected {MONEY_EXPECTED}, got {_show(value)}")
        num = Decimal(text.replace(",", ""))
    if num < 0:
        raise ValueError(f"expected {MONEY_EXPECTED}, got a negative amount {_show(value)}")
    if num > MAX_MONEY:
        # not a salary but a typo or a hostile cell (1e30 used to reach Decimal.quantize in
        # costing and stop the command with an unexpected error)
        raise ValueError(f"expected {MONEY_EXPECTED}, got {_show(value)}, more than "
                         f"£{MAX_MONEY:,}; check the figure")
    return num


FTE_EXPECTED = "a full-time equivalent such as 1, 0.5 or 50%"


def parse_fte(value: object) -> Decimal:
    """Full-time equivalent: ``0.5``, ``"0.5"``, ``"50%"`` -> ``Decimal("0.5")``.

    The parser does not judge the size (the checker reports values outside (0, 1]).
    """
    num = _number(value)
    if num is not None:
        return num
    if not isinstance(value, str):
        raise ValueError(f"expected {FTE_EXPECTED}, got {_show(value)}")
    text = clean_text(value).replace(" ", "")
    pct = text.endswith("%")
    body = text[:-1] if pct else text
    if not re.fullmatch(r"\d+(?:\.\d+)?|\.\d+", body):
        raise ValueError(f"expected {FTE_EXPECTED}, got {_show(value)}")
    try:
        num = Decimal(body)
    except InvalidOperation:  # pragma: no cover - regex guards this
        raise ValueError(f"expected {FTE_EXPECTED}, got {_show(value)}") from None
    return num / 100 if pct else num


MONTHS_EXPECTED = "a number of months such as 6, 7.5 or '8 months'"
_MONTHS_RE = re.compile(r"^(\d+(?:\.\d+)?|\.\d+)\s*(?:months?|mths?|mos?|m)?\.?$")


def parse_months(value: object) -> Decimal:
    """A count of months (policy 2.2: the casual working aggregate): ``8``, ``8.0``,
    ``7.5``, ``"8"``, ``"8 months"``, ``"8 mths"`` -> Decimal. Negative counts are refused.
    """
    num = _number(value)
    if num is None:
        if not isinstance(value, str):
            raise ValueError(f"expected {MONTHS_EXPECTED}, got {_show(value)}")
        m = _MONTHS_RE.match(clean_text(value).lower())
        if not m:
            raise ValueError(f"expected {MONTHS_EXPECTED}, got {_show(value)}")
        num = Decimal(m.group(1))
    if num < 0:
        raise ValueError(f"expected {MONTHS_EXPECTED}, got a negative number {_show(value)}")
    return num


# --------------------------------------------------------------------------- dates

DATE_EXPECTED = "a date such as 01/02/2024 (day/month/year), 1 Feb 2024 or 2024-02-01"
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_TIME = r"(?:[ tT]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
"""A time of day after a date ('01/02/2024 00:00', '2024-02-01T00:00:00'): ignored."""
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})" + _TIME + "$")
_YMD = re.compile(r"^(\d{4})([/.\-])(\d{1,2})\2(\d{1,2})" + _TIME + "$")
_D_MON_Y = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-/]+([a-z]{3,9})\.?,?[\s\-/]+(\d{2}|\d{4})$")
_MON_D_Y = re.compile(r"^([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        # two-digit years: 00-69 -> 2000s, 70-99 -> 1900s (Excel's own pivot is 29/30;
        # start dates in post are recent, so the wider 2000s window is the safer guess)
        year += 2000 if year < 70 else 1900
    return year


def _month(name: str) -> int | None:
    key = name.lower()[:3]
    if key == "sep" or name.lower().startswith("sept"):
        return 9
    month = _MONTHS.get(key)
    if month is None:
        return None
    full = ["january", "february", "march", "april", "may", "june", "july", "august",
            "september", "october", "november", "december"][month - 1]
    return month if full.startswith(name.lower()) else None


def excel_serial_to_date(serial: float) -> dt.date:
    """Excel 1900 date-system serial number -> date (serial 61 = 1 March 1900)."""
    if serial < 61 or serial > 2958465:
        raise ValueError(f"expected {DATE_EXPECTED}, got the number {_show(serial)}")
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))


def parse_date(value: object) -> dt.date:
    """A date: real dates/datetimes, Excel serial numbers, or text in UK order.

    ``"01/02/2024"`` is 1 February 2024 (day first, as a UK manager writes it);
    ``"1 Feb 2024"``, ``"1st February 2024"``, ``"2024-02-01"``, ``"2024/02/01"`` are
    accepted too; a time after the date (``"01/02/2024 00:00"``, as a date pasted from
    another system often reads) is ignored. A year first is always year-month-day.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValueError(f"expected {DATE_EXPECTED}, got {_show(value)}")
    if isinstance(value, (int, float, Decimal)):
        return excel_serial_to_date(float(value))
    text = clean_text(value).lower()
    text = re.sub(r"\s+", " ", text)
    try:
        if m := _DMY.match(text):
            return dt.date(_year(m.group(3)), int(m.group(2)), int(m.group(1)))
        if m := _YMD.match(text):
            return dt.date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        if m := _D_MON_Y.match(text):
            month = _month(m.group(2))
            if month:
                return dt.date(_year(m.group(3)), month, int(m.group(1)))
        if m := _MON_D_Y.match(text):
            month = _month(m.group(1))
            if month:
                return dt.date(int(m.group(3)), month, int(m.group(2)))
        if re.fullmatch(r"\d{5}(?:\.\d+)?", text):
            return excel_serial_to_date(float(text))
    except ValueError:
        raise ValueError(f"expected {DATE_EXPECTED}, got {_show(value)} (no such date)") from None
    raise ValueError(f"expected {DATE_EXPECTED}, got {_show(value)}")


# --------------------------------------------------------------------------- choices

BOOL_EXPECTED = "Yes or No"
_TRUE = {"yes", "y", "true", "t", "1", "passed", "pass"}
_FALSE = {"no", "n", "false", "f", "0", "notpassed", "none"}


def parse_bool(value: object) -> bool:
    """Yes/No/Y/N/True/False/1/0 (any case, any spacing) -> bool."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        if value == 1:
            return True
        if value == 0:
            return False
        raise ValueError(f"expected {BOOL_EXPECTED}, got {_show(value)}")
    key = norm_key(value)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(f"expected {BOOL_EXPECTED}, got {_show(value)}")


PROBATION_EXPECTED = "Yes, No or N/A (no probation in this role)"
_NOT_APPLICABLE = {"na", "notapplicable", "nonenotapplicable", "noprobation", "notrequired"}


def parse_probation(value: object) -> bool | None:
    """Probation passed (policy 7.22/7.28): Yes -> True, No -> False, and N/A ('n/a',
    'Not applicable', 'No probation') -> None - no probation in this role (an internal
    mover), so the minimum months in post apply, as for a blank cell."""
    if isinstance(value, str) and norm_key(value) in _NOT_APPLICABLE:
        return None
    try:
        return parse_bool(value)
    except ValueError:
        raise ValueError(f"expected {PROBATION_EXPECTED}, got {_show(value)}") from None


OUTCOMES = ("Not met", "Met", "Exceeded")
"""Appendix B overall assessment: objectives not met / met / exceeded (policy 6.14)."""
OUTCOME_EXPECTED = "an appraisal outcome: Not met, Met or Exceeded"


def parse_outcome(value: object) -> str:
    """'Not met' / 'Met' / 'Exceeded' from what people write ('Objectives met',
    'not-met', 'EXCEEDS', 'Objectives exceeded', 'Unmet', ...)."""
    key = norm_key(value)
    key = key.removeprefix("objectives").removeprefix("objective").removesuffix("objectives")
    if key in {"notmet", "unmet", "notachieved", "didnotmeet", "notmeet", "belowexpectations"}:
        return "Not met"
    if key in {"met", "meets", "achieved", "meetsexpectations"}:
        return "Met"
    if key in {"exceeded", "exceeds", "exceed", "exceeding", "exceedsexpectations"}:
        return "Exceeded"
    raise ValueError(f"expected {OUTCOME_EXPECTED}, got {_show(value)}")


CONTRACT_TYPES = ("Permanent", "Fixed term", "Casual")
CONTRACT_EXPECTED = "a contract type: Permanent, Fixed term or Casual"


_AMBIGUOUS_CONTRACTS = {
    "ft": "is ambiguous (it usually means full time, and may mean fixed term)",
    "fulltime": "describes the hours, not the contract",
    "pt": "describes the hours (part time), not the contract",
    "parttime": "describes the hours, not the contract",
}
"""Words that describe hours, or may: in UK HR 'FT' usually means full time."""


def parse_contract(value: object) -> str:
    """'Permanent' / 'Fixed term' / 'Casual' from 'perm', 'Fixed-term', 'FTC', 'temp',
    'casual worker', 'Zero hours' (casual). 'FT' is refused: in UK HR it usually means
    full time (hours, not the contract), so reading it as fixed term would be a guess."""
    key = norm_key(value)
    if key in {"permanent", "perm", "p"}:
        return "Permanent"
    if key in {"fixedterm", "fixed", "ftc", "fixedtermcontract", "temporary", "temp"}:
        return "Fixed term"
    if key in _AMBIGUOUS_CONTRACTS:
        raise ValueError(f"{_show(value)} {_AMBIGUOUS_CONTRACTS[key]}; write Permanent, "
                         "Fixed term or Casual")
    if key in {"casual", "casualworker", "casualstaff", "zerohours", "zerohour", "relief", "c"}:
        return "Casual"
    raise ValueError(f"expected {CONTRACT_EXPECTED}, got {_show(value)}")


def _show(value: object) -> str:
    """How a bad value is quoted in a message: short, on one line."""
    if isinstance(value, str):
        text = value.strip().replace("\n", " ")
        return repr(text[:40] + ("..." if len(text) > 40 else ""))
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)
