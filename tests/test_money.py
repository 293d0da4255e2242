"""addin/core/money.py: half-up to the penny, the one rounding rule, and the writers using it."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from addin.core.money import format_amount, format_gbp, money_text, round_penny, to_pence
from addin.office.xlsx.frameworks import read_frameworks
from addin.office.xlsx.settings import read_pay_settings
from tests.conftest import BES_FRAMEWORK, PAY_RANGES
from tests.test_estimates_checks import check, found, row

pence = st.integers(min_value=-10**11, max_value=10**11)
amounts = st.decimals(min_value=-10**9, max_value=10**9, places=6, allow_nan=False,
                      allow_infinity=False)


@given(pence)
def test_a_half_penny_always_rounds_away_from_zero(p):
    # p pence and a half: x.xx5 -> the next penny away from zero (half-up), whatever the
    # parity of p (half-even would round 0.125 down to 0.12 and 0.135 up to 0.14).
    value = Decimal(p) / 100 + (Decimal("0.005") if p >= 0 else Decimal("-0.005"))
    expected = Decimal(p + (1 if p >= 0 else -1)) / 100
    assert round_penny(value) == expected
    assert to_pence(value) == p + (1 if p >= 0 else -1)


@given(pence, st.integers(min_value=1, max_value=4))
def test_less_than_half_a_penny_rounds_towards_zero(p, tenths):
    # p pence and tenths/10 of a penny (0.1p..0.4p): back to p pence.
    value = (Decimal(p) + Decimal(tenths) / 10 * (1 if p >= 0 else -1)) / 100
    assert round_penny(value) == Decimal(p) / 100


@given(amounts)
def test_rounding_is_idempotent_and_to_two_places(value):
    once = round_penny(value)
    assert round_penny(once) == once
    assert once.as_tuple().exponent == -2
    assert abs(once - value) <= Decimal("0.005")


@given(pence.filter(lambda p: p % 2 == 0 and p >= 0))
def test_never_half_even(p):
    # an even penny and a half: half-even keeps the even penny, half-up goes up.
    value = Decimal(p) / 100 + Decimal("0.005")
    half_even = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    assert round_penny(value) == half_even + Decimal("0.01")


def test_formats():
    assert format_gbp(Decimal("14193.595")) == "£14,193.60"   # .595 -> .60 (half-up)
    assert format_gbp(Decimal("0.125")) == "£0.13"            # half-even would say £0.12
    assert format_gbp(Decimal(-5)) == "-£5.00"
    assert format_gbp(Decimal("-0.001")) == "£0.00"           # no "-£0.00"
    assert format_amount(Decimal(25584)) == "25,584.00"
    assert format_amount(Decimal("25584.004"), trim_zero_pence=True) == "25,584"
    assert format_amount(Decimal("25583.125"), trim_zero_pence=True) == "25,583.13"
    assert money_text(Decimal("6023.025")) == "6023.03"
    assert money_text(None) is None


@pytest.fixture(scope="module")
def frameworks():
    return read_frameworks([BES_FRAMEWORK])


@pytest.fixture(scope="module")
def pay():
    return read_pay_settings(PAY_RANGES)


def test_salary_message_rounds_half_up_where_it_rounded_half_even(tmp_path, frameworks, pay):
    # Range 3 starts at £25,584 (level A, shipped pay ranges). £25,583.125 is below it;
    # the message used to quantize under the default half-even context: "25,583.12".
    # Half-up: .125 -> .13.
    report = check(tmp_path, [row(current_salary=25583.125)], frameworks, pay)
    assert found(report) == [("EST-SALARY-OUTSIDE", "H2", "warning")]
    assert report.findings[0].message.startswith(
        "Current salary £25,583.13 is below the start of range 3 (£25,584 to £28,349)")
