"""Hypothesis over the value parsers (addin.core.parsing: levels, money, dates, FTE, ranges,
yes/no, outcome, contract) with anything a cell can hold - and things it should not:
NaN, infinities, huge numbers, control characters, very long text. Every call either
returns a value of the promised type or raises ValueError with a one-line message;
nothing else, ever, and adversarial long text does not make a regex backtrack for long."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from addin.core import parsing
from addin.core.model import Level

from .bounded import run_bounded

CELL_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False),  # readers never yield Decimal NaN/inf
    st.dates(),
    st.datetimes(),
    st.text(max_size=80),
    st.text(alphabet="0123456789.,£%/-: ABCabcRrLlevgpd\t\r\n\u00a0\u200b", max_size=40),
    st.sampled_from(["3B", "R3 B", "£24,500.00", "50%", "01/02/2024", "1 Feb 2024", "Yes",
                     "Met", "Permanent", "NaN", "inf", "-0", "1e9999", "٣", "１２", "Ⅻ"]),
)

CHECKS = {
    "parse_level": lambda r: isinstance(r, tuple) and isinstance(r[1], Level)
    and (r[0] is None or isinstance(r[0], int)),
    "parse_range": lambda r: isinstance(r, int) and not isinstance(r, bool),
    "parse_money": lambda r: isinstance(r, Decimal) and r.is_finite() and r >= 0,
    "parse_fte": lambda r: isinstance(r, Decimal) and r.is_finite(),
    "parse_date": lambda r: type(r) is dt.date,
    "parse_bool": lambda r: isinstance(r, bool),
    "parse_outcome": lambda r: isinstance(r, str) and r,
    "parse_contract": lambda r: isinstance(r, str) and r,
}


@pytest.mark.parametrize("name", sorted(CHECKS))
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=CELL_VALUES)
def test_parser_returns_its_type_or_a_one_line_value_error(name, value):
    parser = getattr(parsing, name)
    try:
        result = parser(value)
    except ValueError as exc:
        message = str(exc)
        assert message and "\n" not in message and len(message) < 2000, message
        return
    assert CHECKS[name](result), (name, value, result)
    if isinstance(result, Decimal):
        assert not isinstance(result, float)


@settings(max_examples=100, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, min_value=0, max_value=1e12))
def test_money_from_a_float_is_exact_decimal_never_float(x):
    if x > float(parsing.MAX_MONEY):  # not a salary: refused where typed
        with pytest.raises(ValueError, match="more than £10,000,000"):
            parsing.parse_money(x)
        return
    result = parsing.parse_money(x)
    assert isinstance(result, Decimal) and math.isclose(float(result), x, rel_tol=1e-12, abs_tol=1e-9)


EXCEL_MAX = 32_767  # the most text a cell can hold (addin.office.xlsx.safe refuses more)
ADVERSARIAL = {
    "spaces": " " * EXCEL_MAX,
    "digits": "1" * EXCEL_MAX,
    "range-prefix": "R" + " " * 16_000 + "3" * 16_000 + "x",
    "level-words": "Range 3 " * 4_000 + "!",
    "date-ish": "1/" * 16_000 + "x",
    "money-ish": "£" + "1," * 16_000 + "x",
    "percent": "5" * 32_000 + "%%",
    "dashes": "-" * EXCEL_MAX,
}
CASES = [(name, label) for name in sorted(CHECKS) for label in ADVERSARIAL]


@pytest.mark.parametrize("name, label", CASES)
def test_parsers_reject_a_full_cell_of_adversarial_text_in_bounded_time(name, label):
    parser = getattr(parsing, name)
    out = run_bounded(parser, ADVERSARIAL[label], seconds=10)
    assert out.error_type in (None, "ValueError"), str(out)
    assert "\n" not in out.message
