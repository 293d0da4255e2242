"""The tolerant level-estimate reader (addin.office.xlsx.estimates), on real workbooks built here."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import PatternFill

from addin.core.errors import InputError
from addin.core.estimates_table import ALIASES, HEADERS
from addin.core.model import Level
from addin.office.xlsx.estimates import read_estimates

TEMPLATE_HEADERS = [h for f, h in HEADERS.items() if f != "long_absence"]
"""The template's headers before the Long-term absence column (6.16) was added: the
column is optional, so a workbook without it (every earlier one) still reads; these
tests' workbooks keep that layout (columns A-S, extra columns from T)."""
ROW = ["100234", "Zoë Ó Briain", "Finance", "Revenues", "Business Support Officer",
       "Business and Executive Support", 3, 25584, 1, "Permanent", dt.date(2021, 9, 6), "Yes",
       "No", "Met", dt.date(2021, 9, 6), "A", "B", "Helen Marsh", ""]


def book(path: Path, rows, *, headers=TEMPLATE_HEADERS, sheet="Estimates", above=(), extra_sheets=()):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for name, state in extra_sheets:
        other = wb.create_sheet(name, 0)
        other.sheet_state = state
        for c, h in enumerate(headers, 1):
            other.cell(1, c, h)
        other.cell(2, 1, "from " + name)
    r = 1
    for line in above:
        ws.cell(r, 1, line)
        r += 1
    for c, h in enumerate(headers, 1):
        ws.cell(r, c, h)
    for values in rows:
        r += 1
        for c, v in enumerate(values, 1):
            if v is not None and v != "":
                ws.cell(r, c, v)
    wb.save(path)
    return path


def test_reads_template_headers_and_values(tmp_path):
    read = read_estimates(book(tmp_path / "e.xlsx", [ROW]))
    assert (read.sheet, read.header_row, read.findings) == ("Estimates", 1, [])
    assert read.columns["employee_id"] == 1 and read.columns["notes"] == 19
    row = read.rows[0]
    assert row.row == 2
    assert row.employee_id == "100234"
    assert row.employee_name == "Zoë Ó Briain"
    assert row.range == 3
    assert row.current_salary == Decimal("25584")
    assert row.fte == Decimal("1")
    assert row.start_date == dt.date(2021, 9, 6)
    assert (row.probation_passed, row.capability) == (True, False)
    assert (row.current_level, row.estimated_level) == (Level.A, Level.B)
    assert row.cells["estimated_level"] == "Q2"


def test_finds_header_below_title_rows_and_matches_aliases(tmp_path):
    headers = ["Emp ID", "NAME", "Role", "Grade", "Salary", "F.T.E.", "Contract", "Start date",
               "Probation", "Capability", "Appraisal", "Date at level", "Level now", "Estimate",
               "Cost centre"]
    values = ["108001", "Grace Thompson", "Business Support Officer", "R3", "£25,584.00", "50%",
              "perm", "01/02/2022", "Y", "N", "Objectives met", "1 Feb 2023", "3A", "3b", "PH1040"]
    path = book(tmp_path / "own.xlsx", [values], headers=headers, sheet="Team data",
                above=["Public Health estimates", "Completed by N Rossi", ""])
    read = read_estimates(path)
    assert (read.sheet, read.header_row) == ("Team data", 4)
    assert read.findings == []
    assert read.extra_columns == {"Cost centre": 15}
    row = read.rows[0]
    assert row.row == 5
    assert row.employee_id == "108001"
    assert row.job_title == "Business Support Officer"
    assert row.range == 3
    assert row.current_salary == Decimal("25584.00")
    assert row.fte == Decimal("0.5")
    assert row.contract_type == "Permanent"
    assert row.start_date == dt.date(2022, 2, 1)  # UK order: 1 February
    assert row.date_at_level == dt.date(2023, 2, 1)
    assert row.appraisal_outcome == "Met"
    assert (row.current_level, row.estimated_level) == (Level.A, Level.B)
    assert row.extra == {"Cost centre": "PH1040"}
    assert row.cells["estimated_level"] == "N5"


def test_every_documented_alias_maps_to_its_field(tmp_path):
    from addin.core.estimates_table import field_for_header

    for fld, aliases in ALIASES.items():
        for alias in aliases:
            assert field_for_header(alias.upper() + " ") == fld, alias
    assert field_for_header("Payroll number") == "employee_id"
    assert field_for_header("Emp-ID") == "employee_id"
    assert field_for_header("grade") == "range"


def test_prefers_sheet_named_estimates_over_earlier_sheets(tmp_path):
    path = book(tmp_path / "e.xlsx", [ROW], extra_sheets=[("Old copy", "visible")])
    read = read_estimates(path)
    assert read.sheet == "Estimates"
    assert read.rows[0].employee_id == "100234"


def test_hidden_sheets_are_never_read(tmp_path):
    # the only sheet with the headers besides "Data" is hidden; "Data" has them too
    path = book(tmp_path / "e.xlsx", [ROW], sheet="Data", extra_sheets=[("Hidden", "hidden")])
    read = read_estimates(path)
    assert read.sheet == "Data"


def test_hidden_estimates_sheet_alone_is_no_table(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Cover"
    hidden = wb.create_sheet("Estimates")
    for c, h in enumerate(TEMPLATE_HEADERS, 1):
        hidden.cell(1, c, h)
    hidden.sheet_state = "hidden"
    wb.save(tmp_path / "h.xlsx")
    read = read_estimates(tmp_path / "h.xlsx")
    assert [f.code for f in read.findings] == ["EST-NO-TABLE"]
    assert read.rows == []


def test_header_beyond_row_10_is_not_found(tmp_path):
    path = book(tmp_path / "e.xlsx", [ROW], above=[f"line {i}" for i in range(10)])
    read = read_estimates(path)
    assert [f.code for f in read.findings] == ["EST-NO-TABLE"]


def test_trailing_blank_and_formatting_only_rows_are_ignored(tmp_path):
    path = book(tmp_path / "e.xlsx", [ROW, [None] * 19, ROW[:0] + ["100235"] + ROW[1:]])
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    for r in range(5, 40):
        ws.cell(r, 3).fill = PatternFill("solid", fgColor="FFFF00")
        ws.cell(r, 11).number_format = "dd/mm/yyyy"
    wb.save(path)
    read = read_estimates(path)
    assert [r.row for r in read.rows] == [2, 4]
    assert read.findings == []


def test_missing_required_column_is_a_finding_on_the_header_row(tmp_path):
    headers = [h for h in TEMPLATE_HEADERS if h != "FTE"]
    row = ROW[:8] + ROW[9:]
    read = read_estimates(book(tmp_path / "e.xlsx", [row], headers=headers, above=["Title"]))
    assert [(f.code, f.cell, f.message) for f in read.findings] == [
        ("EST-MISSING-COLUMN", "A2", "The header row has no 'FTE' column; add it (see the template)")]


def test_duplicate_column_warns_and_reads_the_first(tmp_path):
    headers = TEMPLATE_HEADERS + ["Salary"]
    read = read_estimates(book(tmp_path / "e.xlsx", [ROW + [99999]], headers=headers))
    assert [(f.code, f.cell) for f in read.findings] == [("EST-DUPLICATE-COLUMN", "T1")]
    assert read.rows[0].current_salary == Decimal("25584")


def test_unparseable_values_are_recorded_not_raised(tmp_path):
    row = list(ROW)
    row[7] = "about 25k"
    row[16] = "D"
    read = read_estimates(book(tmp_path / "e.xlsx", [row]))
    assert read.rows[0].current_salary is None
    assert read.errors[(2, "current_salary")].startswith("expected an annual salary in pounds")
    assert read.errors[(2, "estimated_level")].startswith("expected a level A, B or C")


def test_level_with_range_fills_blank_range_and_conflict_is_an_error(tmp_path):
    a = list(ROW)
    a[6], a[15], a[16] = None, "3A", "3B"
    b = list(ROW)
    b[0], b[6], b[16] = "2", 3, "4B"
    read = read_estimates(book(tmp_path / "e.xlsx", [a, b]))
    assert read.rows[0].range == 3
    assert read.errors[(3, "estimated_level")] == (
        "the level '4B' names range 4 but the Range column says 3; write just the level letter "
        "A, B or C")


def test_numeric_ids_read_as_text_without_point_zero(tmp_path):
    row = list(ROW)
    row[0] = 100234
    read = read_estimates(book(tmp_path / "e.xlsx", [row]))
    assert read.rows[0].employee_id == "100234"


def test_formula_without_cached_value_is_a_finding_not_a_crash(tmp_path):
    row = list(ROW)
    row[7] = "=25000+584"  # openpyxl writes the formula without a cached value
    read = read_estimates(book(tmp_path / "e.xlsx", [row]))
    assert [(f.code, f.cell) for f in read.findings] == [("EST-FORMULA-NO-VALUE", "H2")]
    assert "open the file in Excel, save it" in read.findings[0].message
    assert "H2" in read.uncached
    assert read.rows[0].current_salary is None


def test_formula_with_cached_value_reads_the_value(tmp_path):
    path = book(tmp_path / "e.xlsx", [ROW])
    # rewrite H2 as a formula with a cached value, as Excel saves it
    src = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    import re
    new = re.sub(r'<c r="H2"([^>]*)><v>25584</v></c>', r'<c r="H2"\1><f>25000+584</f><v>25584</v></c>', src)
    assert new != src
    out = tmp_path / "cached.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = new.encode() if item.filename == "xl/worksheets/sheet1.xml" else zin.read(item)
            zout.writestr(item, data)
    read = read_estimates(out)
    assert read.findings == []
    assert read.rows[0].current_salary == Decimal("25584")


def test_not_a_workbook_is_an_input_error(tmp_path):
    p = tmp_path / "e.xlsx"
    p.write_text("Employee ID,Name\n1,A\n")
    with pytest.raises(InputError, match="text or CSV file"):
        read_estimates(p)


def test_no_rows_is_an_error(tmp_path):
    # a header and no employee rows: nothing to assess, which the manager must fix
    read = read_estimates(book(tmp_path / "e.xlsx", []))
    assert [(f.code, f.cell, f.severity.value, f.message) for f in read.findings] == [
        ("EST-NO-ROWS", "A1", "error", "The estimates table has no employee rows below the "
                                       "header row; fill in one row per employee")]


def _rewrite_cells(path: Path, out: Path, cells: dict[str, str]) -> Path:
    """Replace whole <c> elements of sheet1 (ref -> new XML), as Excel or LibreOffice save
    them (for example an error cell with its formula and cached error)."""
    import re

    src = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    for ref, xml in cells.items():
        new = re.sub(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', xml, src, count=1)
        assert new != src, ref
        src = new
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = src.encode() if item.filename == "xl/worksheets/sheet1.xml" else zin.read(item)
            zout.writestr(item, data)
    return out


def test_cells_showing_excel_errors_are_unreadable_values_not_blanks(tmp_path):
    # python-calamine gives a cell stored as an error (t="e") as empty text: without the
    # sheet scan a required column said "is blank" and an optional one was silently dropped
    row = list(ROW)
    row[14] = "#N/A"  # Date at current level (optional): openpyxl stores it as an error cell
    row[16] = "#N/A"  # Estimated level (required)
    path = book(tmp_path / "e.xlsx", [row])
    # H2 as LibreOffice saves =1/0: the formula with its cached error
    path = _rewrite_cells(path, tmp_path / "lo.xlsx",
                          {"H2": '<c r="H2" s="0" t="e"><f aca="false">1/0</f><v>#DIV/0!</v></c>'})
    read = read_estimates(path)
    assert read.findings == []
    assert read.excel_errors == {"H2": "#DIV/0!", "O2": "#N/A", "Q2": "#N/A"}
    shows = "the cell shows the Excel error {}; type the value or correct the formula"
    assert read.errors == {(2, "current_salary"): shows.format("#DIV/0!"),
                           (2, "date_at_level"): shows.format("#N/A"),
                           (2, "estimated_level"): shows.format("#N/A")}
    row0 = read.rows[0]
    assert (row0.current_salary, row0.date_at_level, row0.estimated_level) == (None, None, None)


def test_excel_errors_in_title_rows_and_extra_columns_are_ignored(tmp_path):
    headers = TEMPLATE_HEADERS + ["My workings"]
    path = book(tmp_path / "e.xlsx", [ROW + ["#REF!"]], headers=headers, above=["#N/A"])
    read = read_estimates(path)
    assert set(read.excel_errors) == {"A1", "T3"}
    assert (read.findings, read.errors) == ([], {})
    assert read.rows[0].extra == {"My workings": None}


def test_uncached_formulas_in_title_rows_and_extra_columns_are_ignored(tmp_path):
    # title rows and unrecognised columns are kept and ignored: only cells the checker
    # reads are findings (the H3 salary below still is)
    headers = TEMPLATE_HEADERS + ["My workings"]
    row = list(ROW) + ["=H3*2"]
    row[7] = "=25000+584"
    path = book(tmp_path / "e.xlsx", [row], headers=headers, above=["=TODAY()"])
    read = read_estimates(path)
    assert read.uncached == {"A1", "H3", "T3"}
    assert [(f.code, f.cell) for f in read.findings] == [("EST-FORMULA-NO-VALUE", "H3")]


def test_a_row_whose_only_content_is_an_uncached_formula_in_an_extra_column_is_blank(tmp_path):
    headers = TEMPLATE_HEADERS + ["My workings"]
    path = book(tmp_path / "e.xlsx", [ROW, [None] * 19 + ["=1+1"]], headers=headers)
    read = read_estimates(path)
    assert [r.row for r in read.rows] == [2]
    assert read.findings == []


HINTED = {
    "employee_id": "Employee ID (payroll number)",
    "start_date": "Start date (dd/mm/yyyy)",
    "date_at_level": "Date at current level (dd/mm/yyyy)",
    "current_level": "Current level (A/B/C)",
    "estimated_level": "Level estimate (A, B or C)",
    "probation_passed": "Probation passed (Y/N)",
    "capability": "Capability procedure (Yes/No)",
    "range": "Range (2-8)",
}


def test_headers_with_a_trailing_bracketed_hint_match_their_field(tmp_path):
    from addin.core.estimates_table import HEADERS as TEMPLATE

    headers = [HINTED.get(f, h) for f, h in TEMPLATE.items()]
    read = read_estimates(book(tmp_path / "e.xlsx", [ROW], headers=headers))
    assert read.findings == [] and read.extra_columns == {}
    assert read.columns == {f: c for c, f in enumerate(TEMPLATE, 1)}
    row = read.rows[0]
    assert (row.start_date, row.probation_passed, row.range, row.estimated_level) == (
        dt.date(2021, 9, 6), True, 3, Level.B)


def test_a_hint_is_dropped_only_when_the_header_does_not_match_as_written():
    from addin.core.estimates_table import field_for_header

    assert field_for_header("Salary (FTE)") == "current_salary"  # an alias as written
    assert field_for_header("Casual working aggregate (months)") == "casual_aggregate"
    assert field_for_header("Months worked (casual)") == "casual_aggregate"
    assert field_for_header("Team (optional)") == "team"
    assert field_for_header("Cost centre (finance)") is None
    assert field_for_header("(dd/mm/yyyy)") is None


def test_casual_working_aggregate_column_reads_numbers_and_text(tmp_path):
    headers = TEMPLATE_HEADERS + ["Casual working aggregate (months)"]
    rows = [[str(i)] + ROW[1:] + [v] for i, v in enumerate([8, 8.0, "8", "8 months", 7.5, "lots"], 1)]
    read = read_estimates(book(tmp_path / "e.xlsx", rows, headers=headers))
    assert read.columns["casual_aggregate"] == 20 and read.extra_columns == {}
    assert [r.casual_aggregate for r in read.rows] == [
        Decimal(8), Decimal(8), Decimal(8), Decimal(8), Decimal("7.5"), None]
    assert read.errors == {(7, "casual_aggregate"): (
        "expected a number of months such as 6, 7.5 or '8 months', got 'lots'")}


def test_medpay_feedback_columns_are_skipped_not_kept_as_extra(tmp_path):
    headers = TEMPLATE_HEADERS + ["Eligible", "Reasons", "Effective date", "Reasons given"]
    read = read_estimates(book(tmp_path / "e.xlsx", [ROW + ["Yes", "", dt.date(2025, 7, 1), "x"]],
                               headers=headers))
    assert read.output_columns == {"Eligible": 20, "Reasons": 21, "Effective date": 22}
    assert read.extra_columns == {"Reasons given": 23}
    # a manager's own single "Reasons" column (not after "Eligible") is kept
    headers = TEMPLATE_HEADERS + ["Reasons"]
    read = read_estimates(book(tmp_path / "m.xlsx", [ROW + ["promoted"]], headers=headers))
    assert (read.output_columns, read.extra_columns) == ({}, {"Reasons": 20})


# every value quirk of the issue, each in a real workbook: (field, typed value, parsed)
QUIRKS = [
    ("current_level", "B", Level.B), ("current_level", "b", Level.B),
    ("estimated_level", "3B", Level.B), ("estimated_level", "3b", Level.B),
    ("estimated_level", "R3 B", Level.B), ("estimated_level", "B.", Level.B),
    ("current_salary", "24500", Decimal(24500)), ("current_salary", "£24,500.00", Decimal("24500.00")),
    ("current_salary", 24500.0, Decimal(24500)),
    ("fte", 0.5, Decimal("0.5")), ("fte", "0.5", Decimal("0.5")), ("fte", "50%", Decimal("0.5")),
    ("start_date", dt.date(2024, 2, 1), dt.date(2024, 2, 1)),
    ("start_date", "01/02/2024", dt.date(2024, 2, 1)), ("start_date", "1 Feb 2024", dt.date(2024, 2, 1)),
    ("start_date", "2024-02-01", dt.date(2024, 2, 1)), ("start_date", "2024/02/01", dt.date(2024, 2, 1)),
    ("start_date", "01/02/2024 00:00", dt.date(2024, 2, 1)),
    ("probation_passed", "Yes", True), ("probation_passed", "Y", True),
    ("probation_passed", "True", True), ("probation_passed", True, True),
    ("capability", "No", False), ("capability", "N", False), ("capability", "False", False),
    ("capability", False, False),
]


def test_every_value_quirk_reads_from_a_real_workbook(tmp_path):
    col = {f: i for i, f in enumerate(HEADERS)}
    rows = []
    for i, (fld, value, _) in enumerate(QUIRKS):
        values = list(ROW)
        values[0] = str(900000 + i)
        values[col["estimated_level" if fld == "current_level" else "current_level"]] = "A"
        values[col[fld]] = value
        rows.append(values)
    read = read_estimates(book(tmp_path / "quirks.xlsx", rows))
    assert (read.findings, read.errors) == ([], {})
    got = [(fld, value, getattr(r, fld)) for (fld, value, _), r in zip(QUIRKS, read.rows, strict=True)]
    assert got == QUIRKS
    # the level with its range fills the range: "R3 B" is range 3
    assert read.rows[4].range == 3


def test_ft_contract_is_refused_in_a_workbook_saying_what_to_write(tmp_path):
    row = list(ROW)
    row[9] = "FT"
    read = read_estimates(book(tmp_path / "e.xlsx", [row]))
    assert read.errors == {(2, "contract_type"): (
        "'FT' is ambiguous (it usually means full time, and may mean fixed term); write "
        "Permanent, Fixed term or Casual")}


# --------------------------------------------------------------------------- without python-calamine


SAMPLES = sorted((Path(__file__).resolve().parent.parent / "workbooks" / "samples").glob("*.xlsx"))


def _without_calamine(monkeypatch, func):
    """``func()`` with python-calamine unimportable, as in a Pyodide without its wheel."""
    import sys

    with monkeypatch.context() as m:
        m.setitem(sys.modules, "python_calamine", None)
        with pytest.raises(ImportError):
            import python_calamine  # noqa: F401
        return func()


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_without_calamine_the_reader_falls_back_to_openpyxl_with_the_same_findings(sample, monkeypatch):
    """xlwings Lite's estimates scripts where Pyodide has no python-calamine wheel: the
    openpyxl path reads the same rows and the validation gives the same findings."""
    import dataclasses

    from addin.app.validate import validate_estimates
    from addin.office.resources import default_frameworks
    from addin.office.xlsx.frameworks import read_frameworks

    fws = read_frameworks(default_frameworks())
    as_of = dt.date(2025, 3, 1)
    with_calamine = read_estimates(sample, frameworks=fws)
    without = _without_calamine(monkeypatch, lambda: read_estimates(sample, frameworks=fws))
    assert with_calamine.rows  # the samples have rows to compare
    assert [dataclasses.asdict(r) for r in without.rows] == [dataclasses.asdict(r) for r in with_calamine.rows]
    assert (without.sheet, without.header_row, without.errors, without.findings) == \
        (with_calamine.sheet, with_calamine.header_row, with_calamine.errors, with_calamine.findings)
    report = validate_estimates(sample, frameworks=fws, as_of=as_of)
    fallback = _without_calamine(monkeypatch, lambda: validate_estimates(sample, frameworks=fws, as_of=as_of))
    assert fallback.findings == report.findings
    assert fallback.extra["rows"] == report.extra["rows"]


def test_without_calamine_error_cells_and_dates_read_as_with_it(tmp_path, monkeypatch):
    row = list(ROW)
    row[14] = "#N/A"
    row[7] = 25584.0
    path = book(tmp_path / "e.xlsx", [row, ROW])
    path = _rewrite_cells(path, tmp_path / "lo.xlsx",
                          {"H2": '<c r="H2" s="0" t="e"><f aca="false">1/0</f><v>#DIV/0!</v></c>'})
    with_calamine = read_estimates(path)
    without = _without_calamine(monkeypatch, lambda: read_estimates(path))
    assert without.excel_errors == with_calamine.excel_errors == {"H2": "#DIV/0!", "O2": "#N/A"}
    assert without.errors == with_calamine.errors
    # a date cell is a date either way (start date 06/09/2021 of ROW, row 3)
    assert without.rows[1].start_date == with_calamine.rows[1].start_date == dt.date(2021, 9, 6)
    assert without.rows == with_calamine.rows


def test_without_calamine_text_reading_like_an_error_is_still_text(tmp_path, monkeypatch):
    # "#N/A" TYPED as text (a string cell, not an error cell): calamine keeps the text and
    # the reader reports it as the error it shows; the fallback must not blank it
    path = book(tmp_path / "e.xlsx", [ROW])
    wb = openpyxl.load_workbook(path)
    wb["Estimates"]["Q2"].value = "#N/A"
    wb["Estimates"]["Q2"].data_type = "s"
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        assert 't="e"' not in z.read("xl/worksheets/sheet1.xml").decode()
    with_calamine = read_estimates(path)
    without = _without_calamine(monkeypatch, lambda: read_estimates(path))
    assert without.errors == with_calamine.errors
    assert (2, "estimated_level") in with_calamine.errors
