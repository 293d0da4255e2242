"""Worksheet functions called the way Excel (xlwings) calls them: floats for numbers,
datetimes or serial numbers for dates, None for empty cells, text levels, lists for
columns. Pay figures come from a test pay-ranges workbook with hand-picked numbers, named
through MEDPAY_PAY_RANGES as the add-in's settings would."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from addin.excel import udfs
from addin.excel.udfs import (
    CellError,
    medpay_appeal_deadline,
    medpay_cost,
    medpay_eligibility_reasons,
    medpay_eligible,
    medpay_in_year_cost,
    medpay_min_months,
    medpay_next_effective_date,
    medpay_salary,
    medpay_submission_deadline,
)
from tests.conftest import PAY_RANGES


def as_text(value):
    """A function's error answer as "<Excel error> <reason>" (any other answer as it is)."""
    return f"{value.code} {value.reason}" if isinstance(value, CellError) else value

SETTINGS = {
    "Employer National Insurance rate": 0.138,
    "National Insurance secondary threshold": 9100,
    "Employer pension rate": 0.2,
    "Apprenticeship levy rate": 0.005,
}


def write_pay_ranges(path: Path, range3=(20000, 21000, 22000)) -> Path:
    shutil.copy(PAY_RANGES, path)
    wb = load_workbook(path)
    ws = wb["Pay ranges"]
    for row in ws.iter_rows(min_row=1):
        if row[0].value == 3:
            for cell, value in zip(row[1:4], range3):
                cell.value = value
    st = wb["Settings"]
    for row in st.iter_rows(min_row=1):
        if row[0].value in SETTINGS:
            row[1].value = SETTINGS[row[0].value]
    wb.save(path)
    return path


@pytest.fixture
def pay_file(tmp_path, monkeypatch) -> Path:
    path = write_pay_ranges(tmp_path / "pay.xlsx")
    monkeypatch.setenv("MEDPAY_PAY_RANGES", str(path))
    return path


# --------------------------------------------------------------------------- salary


def test_salary_takes_excel_floats_and_level_text(pay_file):
    assert medpay_salary(3.0, "A") == 20000.0
    assert medpay_salary(3.0, "b") == 21000.0
    assert medpay_salary("R3", "Accomplished") == 22000.0


def test_salary_range_from_a_3b_level_when_the_range_cell_is_empty(pay_file):
    assert medpay_salary(None, "3B") == 21000.0


def test_salary_bad_input_is_an_excel_error_string(pay_file):
    assert as_text(medpay_salary(9.0, "B")) == "#N/A unknown range 9"
    assert as_text(medpay_salary(3.0, "Z")) == ("#VALUE! level: expected a level A, B or C "
                                       "(for example 'B' or '3B'), got 'Z'")
    assert as_text(medpay_salary(4.0, "3B")) == "#VALUE! level 3B is in range 3, not range 4"
    assert as_text(medpay_salary(None, "B")) == "#VALUE! range is empty"
    assert as_text(medpay_salary(3.0, None)) == "#VALUE! level is empty"
    assert as_text(medpay_salary(3.5, "B")) == "#VALUE! range: expected a pay range 2-8 (for example 3 or 'R3'), got 3.5"


def test_salary_of_an_empty_row_is_empty(pay_file):
    assert medpay_salary(None, None) == ""
    assert medpay_salary("  ", "") == ""


def test_salary_fills_down_a_column(pay_file):
    # xlwings passes a one-column range as a list; the answer is a column (list of rows)
    assert medpay_salary([3.0, 3.0, 9.0, None], ["A", "C", "B", None]) == [
        [20000.0], [22000.0], [CellError("#N/A", "unknown range 9")], [""]]
    # a single value is used for every row
    assert medpay_salary([[3.0], [3.0]], "B") == [[21000.0], [21000.0]]
    assert as_text(medpay_salary([3.0, 3.0], ["A"])) == "#VALUE! the ranges given are of different sizes"


def test_salary_rereads_the_pay_ranges_workbook_when_it_changes(pay_file):
    assert medpay_salary(3.0, "A") == 20000.0
    time.sleep(0.01)
    write_pay_ranges(pay_file, range3=(20500, 21000, 22000))
    os.utime(pay_file, ns=(time.time_ns(), time.time_ns() + 10_000_000))
    assert medpay_salary(3.0, "A") == 20500.0


def test_pay_ranges_path_comes_from_an_xlwings_conf_file(tmp_path, monkeypatch):
    monkeypatch.delenv("MEDPAY_PAY_RANGES", raising=False)
    conf = tmp_path / "medpay.conf"
    conf.write_text('"INTERPRETER_WIN","C:\\\\py\\\\python.exe"\n"MEDPAY_PAY_RANGES","/data/pay.xlsx"\n')
    assert udfs.pay_ranges_path([tmp_path / "missing.conf", conf]) == Path("/data/pay.xlsx")
    assert udfs.pay_ranges_path([tmp_path / "missing.conf"]) is None


# --------------------------------------------------------------------------- dates


def test_next_effective_date_from_serial_datetime_and_text(pay_file):
    # 45474 is Excel's serial for 1 July 2024: after the 1 June deadline -> 1 January 2025
    assert medpay_next_effective_date(45474.0) == dt.date(2025, 1, 1)
    assert medpay_next_effective_date(dt.datetime(2024, 6, 1)) == dt.date(2024, 7, 1)
    assert medpay_next_effective_date("02/12/2024") == dt.date(2025, 7, 1)
    assert medpay_next_effective_date(None) == ""
    assert as_text(medpay_next_effective_date("soon")) == (
        "#VALUE! submitted: expected a date such as 01/02/2024 (day/month/year), "
        "1 Feb 2024 or 2024-02-01, got 'soon'")


def test_next_effective_date_fills_down(pay_file):
    assert medpay_next_effective_date([dt.datetime(2024, 1, 5), None]) == [[dt.date(2024, 7, 1)], [""]]


def test_submission_deadline(pay_file):
    assert medpay_submission_deadline(dt.datetime(2024, 7, 1)) == dt.date(2024, 6, 1)
    assert medpay_submission_deadline("01/01/2025") == dt.date(2024, 12, 1)
    assert as_text(medpay_submission_deadline("02/07/2024")) == (
        "#N/A 02/07/2024 is not a pay change date in the Settings sheet")
    assert as_text(medpay_submission_deadline([45474.0])) == "#VALUE! this function takes single cells, not a range"


def test_appeal_deadline_skips_weekends_and_christmas(pay_file):
    # Fri 20 Dec 2024: Mon 23 (1), Tue 24 (2), 25/26 bank holidays, Fri 27 (3), Mon 30 (4), Tue 31 (5)
    assert medpay_appeal_deadline(dt.datetime(2024, 12, 20)) == dt.date(2024, 12, 31)
    assert medpay_appeal_deadline(None) == ""


# --------------------------------------------------------------------------- eligibility


def test_eligible_with_excel_values(pay_file):
    assert medpay_eligible("Yes", dt.datetime(2020, 1, 6), False, "Met", 14.0, 12.0) is True
    assert medpay_eligible(True, 43836.0, "No", "exceeded", 12.0, "Minimum of 12 months at 3A") is True
    assert medpay_eligible("Yes", None, "No", "Met", 6.0, "Minimum of 12 months at 3A") is False


def test_eligible_udf_reads_probation_as_the_core_does(pay_file):
    # 7.22: "No" is never eligible, even 23 months in post (3 Apr 2023 -> 3 Mar 2025);
    # N/A or blank (no probation in this role): 7.28's 6 months (3 Sep 2024 -> 3 Mar 2025)
    assert medpay_eligible("No", "03/04/2023", "No", "Met", 23.0, 12.0, "03/03/2025") is False
    assert medpay_eligibility_reasons("No", "03/04/2023", "No", "Met", 23.0, 12.0,
                                      "03/03/2025") == (
        "Probation not passed; the employee must have passed their probation period to be "
        "considered for progression (7.22)")
    assert medpay_eligible("N/A", "03/09/2024", "No", "Met", 6.0, None, "03/03/2025") is True
    assert medpay_eligible(None, "03/09/2024", "No", "Met", 6.0, None, "03/03/2025") is True
    assert medpay_eligible("N/A", "04/09/2024", "No", "Met", 5.0, None, "03/03/2025") is False


def test_eligibility_reasons_lists_every_reason(pay_file):
    text = medpay_eligibility_reasons("No", None, "Yes", "Not met", 6.0, 12.0, "01/01/2025")
    assert text == (
        "Probation not passed; the employee must have passed their probation period to be "
        "considered for progression (7.22); "
        "Subject to the performance capability procedure; progression needs the employee not "
        "to be subject to performance capability (7.22); "
        "Appraisal outcome is 'Not met'; progression needs appraisal objectives Met or "
        "Exceeded (7.22); "
        "6 months at the current level; the framework requires a minimum of 12 months before "
        "this step (framework Experience criterion, Appendix K stage 5)")
    assert medpay_eligibility_reasons("Yes", None, "No", "Met", 14.0, 12.0) == "Eligible"


def test_eligible_bad_input_and_columns(pay_file):
    assert as_text(medpay_eligible("perhaps", None, "No", "Met", 1.0, 0.0)) == (
        "#VALUE! probation_passed: expected Yes, No or N/A (no probation in this role), "
        "got 'perhaps'")
    assert as_text(medpay_eligible("Yes", None, "No", "Met", 1.5, 0.0)) == (
        "#VALUE! months_at_level: expected a whole number of months, got 1.5")
    # a blank probation cell with no start date cannot be confirmed: not eligible
    assert medpay_eligible(["Yes", "No", None], None, "No", "Met", 14.0, 12.0) == [
        [True], [False], [False]]
    out = medpay_eligible(["Yes", "No"], [None, None], ["No", "No"], ["Met", "Met"], [14.0, 14.0], 12.0)
    assert out == [[True], [False]]


# --------------------------------------------------------------------------- cost


def test_cost_full_year_and_in_year_worked_by_hand(pay_file):
    # 20000 -> 22000 (range 3 C), FTE 1: increase 2000; NI 13.8% x 2000 (both pays above
    # the 9100 threshold) = 276; pension 20% = 400; levy 0.5% = 10 -> 2686.00.
    # As of 1 May 2024 the change is effective 1 July 2024: 9 months of the year -> 2014.50.
    assert medpay_cost(20000.0, 1.0, 3.0, "C", dt.datetime(2024, 5, 1)) == 2686.0
    assert medpay_in_year_cost(20000.0, 1.0, 3.0, "C", dt.datetime(2024, 5, 1)) == 2014.5


def test_cost_part_time_and_honoured(pay_file):
    # FTE 0.5: increase 1000; NI 13.8% x 1000 = 138 (11000 and 10000 both above 9100);
    # pension 200; levy 5 -> 1343.00
    assert medpay_cost("£20,000", "50%", "3", "3C", "01/05/2024") == 1343.0
    # salary above the pay point is honoured: no cost
    assert medpay_cost(23000.0, 1.0, 3.0, "C", "01/05/2024") == 0.0


def test_cost_errors_and_columns(pay_file):
    assert as_text(medpay_cost(20000.0, 1.5, 3.0, "C")) == "#VALUE! FTE must be more than 0 and at most 1, got 1.5"
    assert as_text(medpay_cost(20000.0, 1.0, 9.0, "C")) == "#N/A unknown range 9"
    assert as_text(medpay_cost("lots", 1.0, 3.0, "C")) == (
        "#VALUE! current_salary: expected an annual salary in pounds such as 24500 or "
        "£24,500.00, got 'lots'")
    assert medpay_cost(None, None, None, None) == ""
    assert medpay_cost([20000.0, 21000.0], 1.0, 3.0, [["C"], ["B"]], "01/05/2024") == [[2686.0], [0.0]]


# --------------------------------------------------------------------------- min months


def test_min_months():
    assert medpay_min_months("Minimum of 12 months at 3A with satisfactory performance") == 12
    assert medpay_min_months("A minimum of 2 years' experience in a similar role") == 24
    assert as_text(medpay_min_months("Interview assessment")) == (
        "#VALUE! no timeframe in the text (for example 'Minimum of 12 months at 3A')")
    assert medpay_min_months(None) == ""


def test_every_function_is_declared_for_xlwings_with_the_same_arguments():
    import inspect

    from addin.excel import xlwings_udfs

    for name, adapter in udfs.FUNCTIONS.items():
        wrapper = getattr(xlwings_udfs, name.lower())
        assert len(inspect.signature(wrapper).parameters) == len(inspect.signature(adapter).parameters), name
    assert udfs.FILL_DOWN == {"MEDPAY_SALARY", "MEDPAY_NEXT_EFFECTIVE_DATE", "MEDPAY_ELIGIBLE",
                              "MEDPAY_ELIGIBILITY_REASONS", "MEDPAY_COST", "MEDPAY_IN_YEAR_COST"}


# --------------------------------------------------------------------------- hostile numbers


NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize("func, arg", [
    (medpay_next_effective_date, "submitted"), (medpay_submission_deadline, "effective"),
    (medpay_appeal_deadline, "notified"),
])
@pytest.mark.parametrize("value, shown", [(NAN, "nan"), (INF, "inf"), (-INF, "-inf"), (1e308, "1e+308"),
                                          (-1.0, "-1"), (3e6, "3000000"), (10 ** 400, "inf")])
def test_a_number_no_date_can_be_is_not_a_date_shortly(func, arg, value, shown):
    """Not "cannot convert float NaN to integer" (the parser's int()) nor 309 digits."""
    assert as_text(func(value)) == f"#VALUE! {arg}: not a date (got {shown})"


def test_nan_start_date_and_as_of_are_not_dates():
    assert as_text(medpay_eligible("Yes", NAN, "No", "Met", 14.0, 12.0)) == "#VALUE! start_date: not a date (got nan)"
    assert as_text(medpay_eligibility_reasons("Yes", None, "No", "Met", 14.0, 12.0, NAN)) == \
        "#VALUE! as_of: not a date (got nan)"
    assert as_text(medpay_cost(20000.0, 1.0, 3.0, "B", 1e308)) == "#VALUE! as_of: not a date (got 1e+308)"


@pytest.mark.parametrize("value, text", [(1e308, "1e+308"), (1e20, "1e+20"), (-1e300, "-1e+300"),
                                         (12345.0, "12345")])
def test_a_huge_range_is_an_unknown_range_in_a_few_characters(value, text):
    assert as_text(medpay_salary(value, "B")) == f"#N/A unknown range {text}"
    assert as_text(medpay_cost(20000.0, 1.0, value, "B")) == f"#N/A unknown range {text}"


@pytest.mark.parametrize("value", [NAN, INF, "9" * 400, 10 ** 400, "x" * 5000])
def test_no_range_message_is_long(value):
    out = medpay_salary(value, "B")
    assert isinstance(out, CellError) and len(out.reason) < 110, out


def test_excel_error_shortens_long_numbers_and_long_messages():
    assert udfs.excel_error("got the number " + "1" + "0" * 308).reason == "got the number 1e+308"
    assert udfs.excel_error("id 1234567890123456").reason == "id 1.23457e+15"
    assert udfs.excel_error("id 123456789012345 kept").reason == "id 123456789012345 kept"
    long = udfs.excel_error("word " * 500).reason
    assert len(long) == 200 and long.endswith("\u2026")


@pytest.mark.parametrize("exc", [RuntimeError("boom"), ZeroDivisionError("division by zero"),
                                 OverflowError("int too large"), KeyError("x"), RecursionError("deep"),
                                 MemoryError()])
def test_every_function_turns_any_exception_into_a_medpay_text(monkeypatch, exc):
    def broken(*a, **k):
        raise exc

    monkeypatch.setattr(udfs, "pay_settings", broken)
    monkeypatch.setattr(udfs, "parse_date", broken)
    monkeypatch.setattr(udfs, "parse_bool", broken)
    monkeypatch.setattr(udfs, "parse_time_requirement", broken)
    args = {"MEDPAY_SALARY": (3.0, "B"), "MEDPAY_NEXT_EFFECTIVE_DATE": (45474.0,),
            "MEDPAY_SUBMISSION_DEADLINE": (45474.0,), "MEDPAY_APPEAL_DEADLINE": (45474.0,),
            "MEDPAY_ELIGIBLE": ("Yes", None, "No", "Met", 14.0, 12.0),
            "MEDPAY_ELIGIBILITY_REASONS": ("Yes", None, "No", "Met", 14.0, 12.0),
            "MEDPAY_COST": (20000.0, 1.0, 3.0, "B"), "MEDPAY_IN_YEAR_COST": (20000.0, 1.0, 3.0, "B"),
            "MEDPAY_MIN_MONTHS": ("Minimum of 12 months at 3A",)}
    assert set(args) == set(udfs.FUNCTIONS) - {"MEDPAY_WHY"}
    for name, func in udfs.FUNCTIONS.items():
        if name == "MEDPAY_WHY":  # its answer is the reason of the others' error: text
            assert udfs.medpay_why("SALARY", 3.0, "B") == udfs.medpay_salary(3.0, "B").reason
            continue
        out = func(*args[name])
        assert isinstance(out, CellError), (name, out)
        assert "\n" not in out.reason and "Traceback" not in out.reason


def test_a_decimal_failure_in_the_core_is_a_plain_medpay_text(monkeypatch):
    import decimal

    def invalid(*a, **k):
        raise decimal.InvalidOperation([decimal.InvalidOperation])

    huge = medpay_cost(1e30, 1.0, 3.0, "B")  # a core matter (Decimal quantize); never an exception here
    assert isinstance(huge, float) or isinstance(huge, CellError)
    monkeypatch.setattr(udfs, "cost_change", invalid)
    assert as_text(medpay_cost(20000.0, 1.0, 3.0, "B")) == (
        "#VALUE! cannot calculate with these values (a number is too large or not a number: "
        "InvalidOperation)")


# --------------------------------------------------------------------------- Excel error values


def test_bad_input_is_a_real_excel_error_value_with_its_reason(pay_file):
    # an argument of the wrong kind is #VALUE!; a value the pay ranges lack is #N/A
    assert medpay_salary(3.0, "Z").code == "#VALUE!"
    assert medpay_next_effective_date("soon").code == "#VALUE!"
    assert medpay_salary(9.0, "B") == CellError("#N/A", "unknown range 9")
    assert medpay_submission_deadline("02/07/2024").code == "#N/A"


def test_an_unreadable_pay_ranges_workbook_is_na(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDPAY_PAY_RANGES", str(tmp_path / "missing.xlsx"))
    out = medpay_salary(3.0, "B")
    assert isinstance(out, CellError) and out.code == "#N/A"
    assert "missing.xlsx" in out.reason


def test_medpay_why_gives_the_reason_a_function_shows_an_error(pay_file):
    assert udfs.medpay_why("MEDPAY_SALARY", 9.0, "B") == "unknown range 9"
    assert udfs.medpay_why("salary", 3.0, "Z") == medpay_salary(3.0, "Z").reason
    # no problem: empty text, so =IF(MEDPAY_WHY(...)="", ...) reads naturally
    assert udfs.medpay_why("MEDPAY_SALARY", 3.0, "B") == ""
    # a column: the first row at fault, counted from 1
    assert udfs.medpay_why("MEDPAY_SALARY", [3.0, 3.0, 9.0], "B") == "row 3: unknown range 9"
    assert udfs.medpay_why("MEDPAY_COST", 20000.0, 1.5, 3.0, "C") == \
        "FTE must be more than 0 and at most 1, got 1.5"


def test_medpay_why_refuses_unknown_functions_and_extra_arguments(pay_file):
    assert udfs.medpay_why("MEDPAY_NOPE") == CellError("#N/A", "function_name: no MedPay function 'MEDPAY_NOPE'")
    assert udfs.medpay_why("MEDPAY_WHY", "x").code == "#N/A"
    assert udfs.medpay_why(None).code == "#VALUE!"
    assert udfs.medpay_why("SALARY", 3.0, "B", 1.0) == CellError(
        "#VALUE!", "MEDPAY_SALARY takes 2 arguments, not 3")


def test_the_xlwings_layer_hands_excel_the_error_text_itself(pay_file):
    from addin.excel import xlwings_udfs

    assert xlwings_udfs.medpay_salary(9.0, "B") == "#N/A"
    assert xlwings_udfs.medpay_salary(3.0, "Z") == "#VALUE!"
    assert xlwings_udfs.medpay_salary([3.0, 9.0], "A") == [[20000.0], ["#N/A"]]
    assert xlwings_udfs.medpay_why("SALARY", 9.0, "B") == "unknown range 9"
    # a date stays a date (xlwings writes it as one)
    assert xlwings_udfs.medpay_submission_deadline("01/07/2024") == dt.date(2024, 6, 1)


# --------------------------------------------------------------------------- declarations


def test_functions_defaulting_to_today_are_volatile_and_no_others():
    # as_of empty = today: eligibility and both costs; the date functions take their date
    assert udfs.VOLATILE == {"MEDPAY_ELIGIBLE", "MEDPAY_ELIGIBILITY_REASONS", "MEDPAY_COST",
                             "MEDPAY_IN_YEAR_COST"}
    from addin.excel import xlwings_udfs

    assert {d.name for d in xlwings_udfs.DECLARATIONS.values() if d.volatile} == udfs.VOLATILE


def test_no_argument_is_named_like_a_vba_keyword():
    """The add-in's VBA wrappers take the Python argument names: ``Function F(function)``
    would not compile, and with it no MedPay function would work."""
    from addin.excel import xlwings_udfs

    assert "function" in xlwings_udfs.VBA_KEYWORDS and "date" in xlwings_udfs.VBA_KEYWORDS
    for decl in xlwings_udfs.DECLARATIONS.values():
        assert not {a.lower() for a, _ in decl.args} & xlwings_udfs.VBA_KEYWORDS, decl.name
    with pytest.raises(ValueError, match="VBA keywords"):
        xlwings_udfs.declare(args={"date": "A date, such as 01/07/2025."})(lambda date: date)


def test_every_argument_of_every_function_has_a_description():
    import inspect

    from addin.excel import xlwings_udfs

    assert list(xlwings_udfs.DECLARATIONS) == list(udfs.FUNCTIONS)
    for name, decl in xlwings_udfs.DECLARATIONS.items():
        wrapper = getattr(xlwings_udfs, name.lower())
        assert [a for a, _ in decl.args] == list(inspect.signature(wrapper).parameters), name
        for arg, doc in decl.args:
            assert 10 < len(doc) <= 255 and not doc.startswith("Positional argument"), (name, arg)
        assert 10 < len(decl.doc) <= 255, name
    assert dict(xlwings_udfs.DECLARATIONS["MEDPAY_SALARY"].args)["level"].startswith("Level: A, B or C")
    assert xlwings_udfs.DECLARATIONS["MEDPAY_COST"].optional == ("as_of",)


def test_xlwings_own_decorators_record_the_docs_and_volatile_flags():
    """The module declared under xlwings' classic (Windows) decorators - xlfunc/xlarg, loaded
    here with the Windows-only modules stubbed: the metadata xlwings imports from."""
    from tools.build_addin import classic_xlwings_udfs

    with classic_xlwings_udfs() as (module, _):
        meta = module.medpay_cost.__xlfunc__
        assert meta["volatile"] is True and meta["category"] == "MedPay"
        assert [a["doc"] for a in meta["args"]] == [
            d for _, d in module.DECLARATIONS["MEDPAY_COST"].args]
        assert module.medpay_salary.__xlfunc__["volatile"] is False
        assert module.medpay_salary.__xlfunc__["args"][1]["doc"].startswith("Level: A, B or C")
