"""Costing rules (7.14, 7.16/7.20, 8.1): hand-worked figures, boundaries and properties.

Settings used (tests/rules_fixtures.py): employer NI 15% above a 5,000 secondary
threshold, pension 19.8%, apprenticeship levy 0.5%; range 2 = 23,656/24,404/25,152,
range 3 = 25,584/26,967/28,349, range 4 = 29,093/31,200/33,366.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from addin.core.costing import cost_change, cost_row, financial_year_end, totals
from addin.core.model import EstimateRow, Level
from tests.rules_fixtures import PAY, RANGES, SETTINGS

D = Decimal


def cost(current, level, *, range_=3, fte="1", as_of="2025-06-01", cola=None, pay=PAY, **kw):
    return cost_change(employee_id="E1", current_salary=D(current), fte=D(fte), range_=range_,
                       level=level, as_of=dt.date.fromisoformat(as_of), pay=pay,
                       cola=D(cola) if cola is not None else None, **kw)


def figures(row):
    return (str(row.annual_increase), str(row.employer_ni), str(row.pension), str(row.levy),
            str(row.full_year_cost), str(row.in_year_cost))


def test_one_level_full_time_july():
    # 3A 25,584 -> 3B 26,967: increase 1,383.00
    # NI 0.15 x 1,383 = 207.45; pension 0.198 x 1,383 = 273.834 -> 273.83;
    # levy 0.005 x 1,383 = 6.915 -> 6.92 (half-up)
    # full year = 1,383 + 207.45 + 273.834 + 6.915 = 1,871.199 -> 1,871.20
    # submitted 1 June -> effective 1 July 2025; July..March = 9 months:
    # in year = 1,871.199 x 9 / 12 = 1,403.39925 -> 1,403.40
    row = cost("25584", Level.B)
    assert row.new_salary == D("26967.00")
    assert row.honoured is False
    assert row.effective_date == dt.date(2025, 7, 1)
    assert row.in_year_months == 9
    assert figures(row) == ("1383.00", "207.45", "273.83", "6.92", "1871.20", "1403.40")


@pytest.mark.parametrize("as_of, effective, months, in_year", [
    # in year = 1,871.199 x months / 12
    ("2025-06-01", "2025-07-01", 9, "1403.40"),  # x 9/12 = 1,403.39925
    ("2025-06-02", "2026-01-01", 3, "467.80"),   # x 3/12 = 467.79975
    ("2025-12-01", "2026-01-01", 3, "467.80"),
    ("2025-12-02", "2026-07-01", 9, "1403.40"),
    ("2024-02-29", "2024-07-01", 9, "1403.40"),  # leap day
])
def test_in_year_cost_follows_the_submission_deadlines(as_of, effective, months, in_year):
    row = cost("25584", Level.B, as_of=as_of)
    assert row.effective_date == dt.date.fromisoformat(effective)
    assert row.in_year_months == months
    assert str(row.full_year_cost) == "1871.20"
    assert str(row.in_year_cost) == in_year


def test_part_time_scales_pay_by_fte():
    # FTE 0.6: increase 1,383 x 0.6 = 829.80; NI 0.15 x 829.80 = 124.47;
    # pension 0.198 x 829.80 = 164.3004 -> 164.30; levy 0.005 x 829.80 = 4.149 -> 4.15;
    # full = 829.80 + 124.47 + 164.3004 + 4.149 = 1,122.7194 -> 1,122.72
    # in year (July, 9 months) = 1,122.7194 x 0.75 = 842.03955 -> 842.04
    row = cost("25584", Level.B, fte="0.6")
    assert figures(row) == ("829.80", "124.47", "164.30", "4.15", "1122.72", "842.04")


def test_ni_is_marginal_above_the_secondary_threshold():
    # 2A 23,656 -> 2C 25,152 at FTE 0.2: old pay 4,731.20 (below 5,000), new 5,030.40
    # increase 299.20; NI only on 30.40 above the threshold: 0.15 x 30.40 = 4.56
    # pension 0.198 x 299.20 = 59.2416 -> 59.24; levy 0.005 x 299.20 = 1.496 -> 1.50
    # full = 299.20 + 4.56 + 59.2416 + 1.496 = 364.4976 -> 364.50
    # submitted 1 July 2025 -> 1 January 2026, 3 months: 364.4976 / 4 = 91.1244 -> 91.12
    row = cost("23656", Level.C, range_=2, fte="0.2", as_of="2025-07-01")
    assert row.effective_date == dt.date(2026, 1, 1)
    assert figures(row) == ("299.20", "4.56", "59.24", "1.50", "364.50", "91.12")


def test_two_level_change():
    # 4A 29,093 -> 4C 33,366: increase 4,273; NI 640.95; pension 846.054 -> 846.05;
    # levy 21.365 -> 21.37; full = 5,781.369 -> 5,781.37; in year x 9/12 = 4,336.02675
    row = cost("29093", Level.C, range_=4)
    assert figures(row) == ("4273.00", "640.95", "846.05", "21.37", "5781.37", "4336.03")


def test_salary_above_the_pay_point_is_honoured_at_no_cost():
    row = cost("27000", Level.B)  # 3B pay point 26,967 is below 27,000
    assert row.honoured is True
    assert row.new_salary == D("27000.00")
    assert figures(row) == ("0.00",) * 6


def test_no_change_costs_nothing_and_is_not_honoured():
    row = cost("26967", Level.B)
    assert row.honoured is False
    assert figures(row) == ("0.00",) * 6


def test_cola_raises_pay_points_and_current_salary_from_1_april():
    # 3% award: new 26,967 x 1.03 = 27,776.01; current 25,584 x 1.03 = 26,351.52
    # increase 1,383 x 1.03 = 1,424.49; NI 0.15 x 1,424.49 = 213.6735 -> 213.67
    # pension 0.198 x 1,424.49 = 282.04902 -> 282.05; levy 7.12245 -> 7.12
    # full = 1,424.49 + 213.6735 + 282.04902 + 7.12245 = 1,927.33497 -> 1,927.33
    # 1 April starts the financial year, so all 9 in-year months are at the new rates:
    # 1,927.33497 x 0.75 = 1,445.5012275 -> 1,445.50
    row = cost("25584", Level.B, cola="3")
    assert row.new_salary == D("27776.01")
    assert figures(row) == ("1424.49", "213.67", "282.05", "7.12", "1927.33", "1445.50")


def test_cola_later_in_the_year_costs_earlier_months_at_old_rates():
    # COLA date moved to 1 October: effective 1 July 2025; Jul-Sep (3 months) at the old
    # full-year 1,871.199, Oct-Mar (6) at the new 1,927.33497:
    # (3 x 1,871.199 + 6 x 1,927.33497) / 12 = 17,177.60682 / 12 = 1,431.467235 -> 1,431.47
    pay = dataclasses.replace(PAY, settings=dataclasses.replace(SETTINGS, cola_effective=(10, 1)))
    row = cost("25584", Level.B, cola="3", pay=pay)
    assert str(row.full_year_cost) == "1927.33"
    assert str(row.in_year_cost) == "1431.47"


def test_honoured_with_cola_costs_nothing():
    row = cost("27000", Level.B, cola="3")
    assert row.honoured and row.full_year_cost == 0 and row.new_salary == D("27810.00")


@pytest.mark.parametrize("fte", ["0", "1.01", "-0.5"])
def test_fte_outside_0_to_1_is_rejected(fte):
    with pytest.raises(ValueError, match="FTE must be more than 0 and at most 1"):
        cost("25584", Level.B, fte=fte)


def test_unknown_range_raises_keyerror():
    with pytest.raises(KeyError):
        cost("25584", Level.B, range_=8)


@pytest.mark.parametrize("d, end", [
    ("2025-07-01", "2026-03-31"), ("2026-01-01", "2026-03-31"), ("2026-03-31", "2026-03-31"),
    ("2026-04-01", "2027-03-31"),
])
def test_financial_year_end(d, end):
    assert financial_year_end(dt.date.fromisoformat(d)) == dt.date.fromisoformat(end)


def _row(**kw) -> EstimateRow:
    base = dict(file="t.xlsx", sheet="Estimates", row=4, employee_id="E1", directorate="Place",
                team="Admin", framework="BES", range=3, current_salary=D("25584"),
                fte=D("1"), estimated_level=Level.B)
    return EstimateRow(**{**base, **kw})


@pytest.mark.parametrize("missing", [
    dict(current_salary=None), dict(fte=None), dict(range=None), dict(estimated_level=None),
    dict(range=8), dict(fte=D("0")),
])
def test_cost_row_is_none_when_the_row_lacks_what_is_needed(missing):
    assert cost_row(_row(**missing), PAY, dt.date(2025, 6, 1)) is None


def test_cost_row_and_totals_by_group():
    as_of = dt.date(2025, 6, 1)
    rows = [
        cost_row(_row(), PAY, as_of),                                       # 1,871.20 / 1,403.40
        cost_row(_row(employee_id="E2", fte=D("0.6")), PAY, as_of),         # 1,122.72 / 842.04
        cost_row(_row(employee_id="E3", directorate="People", team=None,
                      current_salary=D("27000")), PAY, as_of),              # honoured
    ]
    assert rows[0].directorate == "Place" and rows[0].framework == "BES"
    t = totals(rows)
    assert t.overall.rows == 3 and t.honoured == 1 and t.overall.increases == 2
    # 1,871.20 + 1,122.72 = 2,993.92; 1,403.40 + 842.04 = 2,245.44
    assert str(t.overall.full_year_cost) == "2993.92"
    assert str(t.overall.in_year_cost) == "2245.44"
    assert list(t.by_directorate) == ["People", "Place"]
    assert str(t.by_directorate["Place"].full_year_cost) == "2993.92"
    assert t.by_directorate["People"].honoured == 1
    assert str(t.by_directorate["People"].full_year_cost) == "0.00"
    assert list(t.by_team) == ["(not given)", "Admin"]
    assert t.to_json()["by_framework"]["BES"]["in_year_cost"] == "2245.44"


def test_row_json_uses_decimal_strings_and_iso_dates():
    data = cost("25584", Level.B).to_json()
    assert {k: data[k] for k in ("employee_id", "current_salary", "new_salary", "honoured",
                                 "effective_date", "full_year_cost", "in_year_cost")} == {
        "employee_id": "E1", "current_salary": "25584.00", "new_salary": "26967.00",
        "honoured": False, "effective_date": "2025-07-01", "full_year_cost": "1871.20",
        "in_year_cost": "1403.40"}


# ---------------------------------------------------------------- properties

salaries = st.decimals(min_value=D("15000"), max_value=D("80000"), places=2)
ftes = st.decimals(min_value=D("0.01"), max_value=D("1"), places=2)
levels = st.sampled_from(list(Level))
ranges = st.sampled_from(sorted(RANGES))
dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2080, 12, 31))
colas = st.one_of(st.none(), st.decimals(min_value=D("0"), max_value=D("10"), places=1))


@settings(max_examples=200)
@given(salaries, ftes, ranges, levels, dates, colas)
def test_in_year_never_exceeds_full_year_and_dates_are_windows(cur, fte, rng, lv, as_of, cola):
    row = cost_change(employee_id="x", current_salary=cur, fte=fte, range_=rng, level=lv,
                      as_of=as_of, pay=PAY, cola=cola)
    assert D(0) <= row.in_year_cost <= row.full_year_cost
    assert (row.effective_date.month, row.effective_date.day) in {(1, 1), (7, 1)}
    assert row.effective_date > as_of
    if row.honoured:
        assert row.full_year_cost == row.in_year_cost == row.annual_increase == 0
        assert cur > PAY.pay_point(rng, lv)
    else:
        assert row.annual_increase >= 0


@given(salaries, ranges, levels, dates)
def test_honoured_rows_cost_nothing(cur, rng, lv, as_of):
    point = PAY.pay_point(rng, lv)
    row = cost_change(employee_id="x", current_salary=point + cur / 1000 + D("0.01"),
                      fte=D("1"), range_=rng, level=lv, as_of=as_of, pay=PAY)
    assert row.honoured and row.full_year_cost == 0 and row.in_year_cost == 0


@given(st.decimals(min_value=D("20000"), max_value=D("28000"), places=2),
       st.decimals(min_value=D("0.25"), max_value=D("1"), places=2), ranges, levels, dates)
def test_cost_scales_linearly_with_fte(cur, fte, rng, lv, as_of):
    # Both old and new pay stay above the 5,000 NI threshold for FTE >= 0.25 (20,000 x
    # 0.25), so every on-cost is proportional; only the penny rounding differs.
    full = cost_change(employee_id="x", current_salary=cur, fte=D(1), range_=rng, level=lv,
                       as_of=as_of, pay=PAY)
    part = cost_change(employee_id="x", current_salary=cur, fte=fte, range_=rng, level=lv,
                       as_of=as_of, pay=PAY)
    for name in ("annual_increase", "employer_ni", "full_year_cost", "in_year_cost"):
        assert abs(getattr(part, name) - getattr(full, name) * fte) <= D("0.01")


def test_cost_sums_add_up_every_money_field_of_every_row():
    from addin.core.costing import MONEY_FIELDS, CostRow, CostSums

    money_fields = {f.name for f in dataclasses.fields(CostRow) if f.type in ("Decimal", Decimal)}
    assert set(MONEY_FIELDS) <= money_fields  # each name is a real CostRow field
    sums = CostSums()
    for k in (1, 2):
        values = {name: Decimal(f"{i + 1}.0{k}") for i, name in enumerate(MONEY_FIELDS)}
        sums.add(CostRow(employee_id=f"E{k}", current_salary=Decimal("20000"),
                         new_salary=Decimal("21000"), honoured=k == 2,
                         effective_date=dt.date(2025, 7, 1), in_year_months=9,
                         fte=Decimal("1"), range=3, level=Level.B, **values))
    # E2 is flagged honoured (built by hand, no pay point): honoured, so not a pay rise
    # even with an increase on it - a row is one of pay rise / no change / honoured
    assert (sums.rows, sums.honoured, sums.increases, sums.no_change) == (2, 1, 1, 0)
    assert {name: getattr(sums, name) for name in MONEY_FIELDS} == {
        name: Decimal(f"{i + 1}.01") + Decimal(f"{i + 1}.02") for i, name in enumerate(MONEY_FIELDS)}


def test_honoured_means_pay_point_below_current_salary_and_nothing_else():
    from addin.core.costing import HONOURED, NO_CHANGE, PAY_RISE, change_kind, is_honoured

    assert is_honoured(D("26967"), D("28349")) is True      # 3B point below a 3C salary
    assert is_honoured(D("26967"), D("26967")) is False     # equal: no change
    assert is_honoured(D("28349"), D("26967")) is False     # above: a rise
    assert [change_kind(D("26967"), D(c)) for c in ("28349", "26967", "25584")] == [
        HONOURED, NO_CHANGE, PAY_RISE]


def test_every_costed_row_is_exactly_one_of_rise_no_change_honoured_from_its_pay_point():
    # range 3: A 25,584, B 26,967, C 28,349
    rise = cost("25584", Level.B)        # 26,967 > 25,584
    same = cost("26967", Level.B)        # 26,967 = 26,967
    lower = cost("28349", Level.B)       # 26,967 < 28,349
    assert (rise.pay_point, rise.change, rise.honoured) == (D("26967"), "pay rise", False)
    assert (same.change, same.honoured, same.full_year_cost) == ("no change", False, D("0.00"))
    assert (lower.change, lower.honoured, lower.full_year_cost) == ("honoured", True, D("0.00"))
    t = totals([rise, same, lower])
    assert (t.overall.rows, t.overall.increases, t.overall.no_change, t.overall.honoured) == (
        3, 1, 1, 1)
    assert t.overall.to_json()["no_change"] == 1
