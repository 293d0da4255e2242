"""The value parsers of the level-estimate spreadsheet (addin.core.parsing)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from addin.core.model import Level
from addin.core.parsing import (
    parse_bool,
    parse_contract,
    parse_date,
    parse_fte,
    parse_level,
    parse_money,
    parse_months,
    parse_outcome,
    parse_range,
)


@pytest.mark.parametrize("text, expected", [
    ("B", (None, Level.B)),
    ("b", (None, Level.B)),
    ("3B", (3, Level.B)),
    ("3b", (3, Level.B)),
    ("R3 B", (3, Level.B)),
    ("Range 3 level B", (3, Level.B)),
    ("Level C", (None, Level.C)),
    ("A - Developing", (None, Level.A)),
    ("Practising", (None, Level.B)),
    (" 4-c ", (4, Level.C)),
])
def test_parse_level_accepts_what_managers_write(text, expected):
    assert parse_level(text) == expected


@pytest.mark.parametrize("bad", ["D", "3", "", "AB", "9B", 2, "Level 3"])
def test_parse_level_refuses_other_values_saying_a_b_or_c(bad):
    with pytest.raises(ValueError, match="expected a level A, B or C|expected a range 2-8"):
        parse_level(bad)


@given(rng=st.integers(2, 8), level=st.sampled_from("ABCabc"),
       sep=st.sampled_from(["", " ", "-", " level "]), prefix=st.sampled_from(["", "R", "Range "]))
def test_parse_level_round_trips_any_range_and_level_spelling(rng, level, sep, prefix):
    assert parse_level(f"{prefix}{rng}{sep}{level}") == (rng, Level(level.upper()))


@pytest.mark.parametrize("value, expected", [
    ("24500", Decimal("24500")),
    ("£24,500.00", Decimal("24500.00")),
    (24500.0, Decimal("24500")),
    (24500, Decimal("24500")),
    (" £ 24,500 ", Decimal("24500")),
    (24500.1, Decimal("24500.1")),
])
def test_parse_money_reads_pounds_as_decimal(value, expected):
    assert parse_money(value) == expected


@pytest.mark.parametrize("bad", ["24,50", "abc", "-100", -1, True, dt.date(2024, 1, 1), "£"])
def test_parse_money_refuses_non_amounts_saying_what_was_expected(bad):
    with pytest.raises(ValueError, match="expected an annual salary in pounds"):
        parse_money(bad)


@given(st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False))
def test_parse_money_float_has_no_binary_noise(amount):
    # a float as Excel stores it parses to the decimal a person typed, not 24500.099999...
    assert parse_money(float(amount)) == amount


@given(st.integers(0, 10**7 - 1), st.integers(0, 99))
def test_parse_money_text_with_pound_and_thousands_separators(pounds, pence):
    text = f"£{pounds:,}.{pence:02d}"
    assert parse_money(text) == Decimal(pounds) + Decimal(pence) / 100


@pytest.mark.parametrize("value, expected", [
    (0.5, Decimal("0.5")), ("0.5", Decimal("0.5")), ("50%", Decimal("0.5")),
    (1, Decimal("1")), ("37.5%", Decimal("0.375")), (".6", Decimal("0.6")),
])
def test_parse_fte_reads_fractions_and_percentages(value, expected):
    assert parse_fte(value) == expected


@given(st.integers(1, 100))
def test_parse_fte_percent_is_hundredths(pct):
    assert parse_fte(f"{pct}%") == Decimal(pct) / 100


def test_parse_fte_refuses_text():
    with pytest.raises(ValueError, match="expected a full-time equivalent such as 1, 0.5 or 50%"):
        parse_fte("half")


@pytest.mark.parametrize("value", [
    dt.date(2024, 2, 1), dt.datetime(2024, 2, 1, 9, 30), 45323, 45323.0, "01/02/2024",
    "1/2/2024", "1 Feb 2024", "1st February 2024", "2024-02-01", "01.02.2024", "1-Feb-24",
    "45323",
])
def test_parse_date_reads_uk_order_text_serials_and_dates_as_1_february_2024(value):
    assert parse_date(value) == dt.date(2024, 2, 1)


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_parse_date_uk_text_is_day_first(d):
    assert parse_date(d.strftime("%d/%m/%Y")) == d
    assert parse_date(d.isoformat()) == d
    assert parse_date(f"{d.day} {d.strftime('%b %Y')}") == d


@given(st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 12, 31)))
def test_parse_date_excel_serial_numbers(d):
    serial = (d - dt.date(1899, 12, 30)).days
    assert parse_date(serial) == d
    assert parse_date(float(serial)) == d


@pytest.mark.parametrize("bad", ["31/02/2024", "next week", "2024", True, "13/13/2024"])
def test_parse_date_refuses_non_dates_saying_day_month_year(bad):
    with pytest.raises(ValueError, match=r"expected a date such as 01/02/2024 \(day/month/year\)"):
        parse_date(bad)


@pytest.mark.parametrize("value, expected", [
    ("Yes", True), ("yes", True), ("Y", True), ("TRUE", True), (True, True), (1, True), (1.0, True),
    ("No", False), ("n", False), ("False", False), (False, False), (0, False), ("0", False),
])
def test_parse_bool_yes_no(value, expected):
    assert parse_bool(value) is expected


def test_parse_bool_refuses_maybe():
    with pytest.raises(ValueError, match="expected Yes or No, got 'maybe'"):
        parse_bool("maybe")


@pytest.mark.parametrize("value, expected", [
    ("Not met", "Not met"), ("not-met", "Not met"), ("Objectives not met", "Not met"),
    ("Met", "Met"), ("objectives met", "Met"), ("MET", "Met"),
    ("Exceeded", "Exceeded"), ("exceeds", "Exceeded"), ("Objectives exceeded", "Exceeded"),
])
def test_parse_outcome_reads_appendix_b_outcomes(value, expected):
    assert parse_outcome(value) == expected


def test_parse_outcome_refuses_other_text():
    with pytest.raises(ValueError, match="expected an appraisal outcome: Not met, Met or Exceeded"):
        parse_outcome("Good")


@pytest.mark.parametrize("value, expected", [
    ("Permanent", "Permanent"), ("perm", "Permanent"), ("Fixed term", "Fixed term"),
    ("Fixed-Term", "Fixed term"), ("FTC", "Fixed term"), ("casual", "Casual"),
    ("Zero hours", "Casual"),
])
def test_parse_contract(value, expected):
    assert parse_contract(value) == expected


def test_parse_contract_refuses_unknown():
    with pytest.raises(ValueError, match="expected a contract type: Permanent, Fixed term or Casual"):
        parse_contract("Secondment")


@pytest.mark.parametrize("value, expected", [(3, 3), (3.0, 3), ("3", 3), ("R3", 3), ("Range 4", 4),
                                             ("Grade 2", 2)])
def test_parse_range(value, expected):
    assert parse_range(value) == expected


@pytest.mark.parametrize("bad", [1, 9, "R9", 3.5, "three"])
def test_parse_range_refuses_outside_2_to_8(bad):
    with pytest.raises(ValueError, match="expected a pay range 2-8"):
        parse_range(bad)


@pytest.mark.parametrize("text, expected", [
    ("B.", (None, Level.B)), ("b.", (None, Level.B)), ("3B.", (3, Level.B)), (" C. ", (None, Level.C)),
])
def test_parse_level_accepts_a_trailing_dot(text, expected):
    assert parse_level(text) == expected


@pytest.mark.parametrize("value", [
    "2024/02/01", "2024.02.01", "01/02/2024 00:00", "01/02/2024 09:30:15", "2024/02/01 00:00",
    "2024-02-01T00:00:00",
])
def test_parse_date_reads_year_first_with_slashes_and_a_trailing_time(value):
    # a year first is year-month-day whatever the separator; a time after the date is dropped
    assert parse_date(value) == dt.date(2024, 2, 1)


@pytest.mark.parametrize("bad", ["2024/02-01", "01/02/2024 25"])
def test_parse_date_refuses_mixed_separators_and_broken_times(bad):
    with pytest.raises(ValueError, match=r"expected a date such as 01/02/2024"):
        parse_date(bad)


@pytest.mark.parametrize("value", ["FT", "ft", "F/T", "F.T."])
def test_parse_contract_refuses_ft_as_ambiguous(value):
    # in UK HR "FT" usually means full time (hours), not a fixed-term contract
    with pytest.raises(ValueError) as exc:
        parse_contract(value)
    assert str(exc.value) == (
        f"{value!r} is ambiguous (it usually means full time, and may mean fixed term); write "
        "Permanent, Fixed term or Casual")


def test_parse_contract_refuses_hours_words():
    with pytest.raises(ValueError, match="^'Part time' describes the hours, not the contract; "
                                         "write Permanent, Fixed term or Casual$"):
        parse_contract("Part time")


@pytest.mark.parametrize("value, expected", [
    (8, Decimal(8)), (8.0, Decimal(8)), (7.5, Decimal("7.5")), ("8", Decimal(8)),
    ("8 months", Decimal(8)), ("7.5 mths", Decimal("7.5")), (" 6 Months ", Decimal(6)),
    ("1 month", Decimal(1)),
])
def test_parse_months_reads_numbers_and_text(value, expected):
    assert parse_months(value) == expected


@pytest.mark.parametrize("bad, message", [
    ("about a year", "expected a number of months such as 6, 7.5 or '8 months', got 'about a year'"),
    (-2, "expected a number of months such as 6, 7.5 or '8 months', got a negative number -2"),
    (True, "expected a number of months such as 6, 7.5 or '8 months', got True"),
])
def test_parse_months_refuses_non_counts(bad, message):
    with pytest.raises(ValueError) as exc:
        parse_months(bad)
    assert str(exc.value) == message


@pytest.mark.parametrize("value", [1e30, 1e300, "10000000.01", "£99,999,999", 10_000_001])
def test_money_beyond_ten_million_is_refused_where_it_is_typed(value):
    with pytest.raises(ValueError) as err:
        parse_money(value)
    assert str(err.value).startswith("expected an annual salary in pounds such as 24500 or "
                                     "£24,500.00, got ")
    assert str(err.value).endswith(", more than £10,000,000; check the figure")


def test_ten_million_itself_is_still_money():
    assert parse_money("£10,000,000") == Decimal("10000000")
