"""What users see in a feedback copy (issue 20): Findings rows as tall as their wrapped
messages, Code and Sheet wide enough, a legend of the fills, and - in a level-estimate
feedback copy - Eligible / Reasons / Effective date inside the manager's Excel table,
Reasons wrapped, and a "Yes" with no effective date explained. Each test checks the
file's structure as written (openpyxl reads it back; the table part read as XML)."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from addin.core.eligibility import Eligible
from addin.core.findings import ERROR, WARNING, Finding
from addin.office.xlsx.estimates_feedback import NO_PAY_CHANGE, eligibility_columns
from addin.office.xlsx.feedback import FILLS, write_feedback_copy
from tests.conftest import WORKBOOKS

SAMPLE = WORKBOOKS / "samples" / "finance-business-support.xlsx"
"""Its Estimates sheet is an Excel table "Estimates", A1:W31 (23 columns)."""
LONG = "x" * 250  # 250 characters
LONG_CODE = "FW-MANDATORY-TRAINING-AS-KNOWLEDGE"  # 34 characters


def _plain(path: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = "S"
    wb.active["A1"] = "h"
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def findings_copy(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("layout")
    return write_feedback_copy(_plain(d / "in.xlsx"), d / "out.xlsx", [
        Finding("in.xlsx", "S", "A1", ERROR, LONG_CODE, LONG),
        Finding("in.xlsx", "S", "A2", WARNING, "T-TWO", "first paragraph\nsecond paragraph"),
        Finding("in.xlsx", "S", "A3", WARNING, "T-ONE", "short"),
    ])


def test_findings_rows_are_as_tall_as_their_wrapped_messages(findings_copy):
    ws = openpyxl.load_workbook(findings_copy)["Findings"]
    by_code = {ws.cell(r, 2).value: r for r in range(2, 5)}
    # Message column 100 wide: 99 characters a line, so 250 characters take
    # ceil(250 / 99) = 3 lines = 3 x 15 = 45 points; two short paragraphs 2 x 15 = 30;
    # one short line 15
    heights = {code: ws.row_dimensions[r].height for code, r in by_code.items()}
    assert heights == {LONG_CODE: 45, "T-TWO": 30, "T-ONE": 15}
    assert all(ws.row_dimensions[r].customHeight for r in by_code.values())
    for r in by_code.values():
        assert ws.cell(r, 5).alignment.wrap_text and ws.cell(r, 5).alignment.vertical == "top"


def test_code_and_sheet_columns_fit_their_text(findings_copy):
    ws = openpyxl.load_workbook(findings_copy)["Findings"]
    widths = {c: ws.column_dimensions[c].width for c in "ABCDE"}
    # Code: the 34-character code + 2 = 36 (wider than the 30 default); Sheet "S": the
    # 24 default; Cell 14 holds "(whole sheet)" (13 characters)
    assert widths == {"A": 10, "B": 36, "C": 24, "D": 14, "E": 100}


def test_findings_sheet_has_a_legend_of_the_fills(findings_copy):
    ws = openpyxl.load_workbook(findings_copy)["Findings"]
    assert ws["G1"].value == "Legend" and ws["G1"].font.b
    assert [ws.cell(r, 7).value for r in range(2, 5)] == ["error", "warning", "info"]
    assert [ws.cell(r, 7).fill.fgColor.rgb for r in range(2, 5)] == [
        "00" + FILLS[ERROR], "00" + FILLS[WARNING], "00DDEBF7"]
    assert ws["H2"].value.startswith("Red: an error")
    assert ws["H3"].value.startswith("Amber: a warning")
    assert ws["H4"].value.startswith("Blue")
    assert "comment" in ws["H5"].value
    # the legend sits beside the list, outside its filter
    assert ws.auto_filter.ref == "A1:E4"


def _table(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read("xl/tables/table1.xml"))


@pytest.fixture(scope="module")
def estimates_copy(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("est")
    columns = eligibility_columns([
        (2, Eligible.YES, [], None),                           # yes, not moving up
        (3, Eligible.NO, ["first reason " * 10, "second"], None),
        (4, Eligible.YES, [], dt.date(2025, 1, 1)),            # yes, moving up
    ])
    return write_feedback_copy(SAMPLE, d / "feedback.xlsx", [],
                               extra_columns={"Estimates": columns}, header_row=1)


def test_added_columns_extend_the_excel_table(estimates_copy):
    t = _table(estimates_copy)
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    # the table was A1:W31 (23 columns); three more: X, Y, Z
    assert t.get("ref") == "A1:Z31"
    assert t.find("m:autoFilter", ns).get("ref") == "A1:Z31"
    cols = t.find("m:tableColumns", ns)
    assert cols.get("count") == "26"
    assert [(c.get("id"), c.get("name")) for c in cols][-4:] == [
        ("23", "Change (full-time)"), ("24", "Eligible"), ("25", "Reasons"),
        ("26", "Effective date")]
    ws = openpyxl.load_workbook(estimates_copy)["Estimates"]
    assert ws.tables["Estimates"].ref == "A1:Z31"
    assert [ws.cell(1, c).value for c in (24, 25, 26)] == ["Eligible", "Reasons", "Effective date"]


def test_reasons_wrap_in_a_wide_column_and_rows_fit_them(estimates_copy):
    ws = openpyxl.load_workbook(estimates_copy)["Estimates"]
    assert ws.column_dimensions["Y"].width == 60
    y3 = ws["Y3"]
    assert y3.alignment.wrap_text
    # "first reason " x 10 = 130 characters, "; second" 8 more: 138 characters in a
    # 60-wide column (59 a line) -> ceil(138 / 59) = 3 lines = 45 points
    assert len(y3.value) == 138
    assert ws.row_dimensions[3].height == 45 and ws.row_dimensions[3].customHeight


def test_a_yes_with_no_effective_date_is_explained(estimates_copy):
    ws = openpyxl.load_workbook(estimates_copy)["Estimates"]
    assert (ws["X2"].value, ws["Y2"].value, ws["Z2"].value) == ("Yes", NO_PAY_CHANGE, None)
    assert "not above the current level" in NO_PAY_CHANGE
    # a Yes with its date needs no explanation
    assert (ws["X4"].value, ws["Y4"].value, ws["Z4"].value) == (
        "Yes", None, dt.datetime(2025, 1, 1))


def test_added_cells_keep_their_rows_alignment_so_values_line_up(estimates_copy):
    """Reasons wraps without changing the vertical alignment: in a tall row its last
    line, Eligible, Effective date and the manager's own values all sit at the bottom."""
    ws = openpyxl.load_workbook(estimates_copy)["Estimates"]
    assert {ws[ref].alignment.vertical for ref in ("A3", "X3", "Y3", "Z4")} == {None}
    assert ws["Z4"].number_format == "dd/mm/yyyy"


def test_a_feedback_copy_sent_back_keeps_one_table_over_its_columns(estimates_copy, tmp_path):
    """Validating the feedback copy again (the columns stripped by feedback_source, then
    written again) leaves the table over the same 26 columns: the three tableColumns
    are renamed in place, never added a second time."""
    from addin.office.xlsx.estimates import read_estimates
    from addin.office.xlsx.estimates_feedback import feedback_source

    read = read_estimates(estimates_copy)
    assert sorted(read.output_columns.values()) == [24, 25, 26]  # X, Y, Z: MedPay's own
    src = feedback_source(estimates_copy, read, tmp_path)
    columns = eligibility_columns([(2, Eligible.NO, ["again"], None)])
    out = write_feedback_copy(src, tmp_path / "again.xlsx", [],
                              extra_columns={"Estimates": columns}, header_row=1)
    t = _table(out)
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    assert t.get("ref") == "A1:Z31"
    names = [c.get("name") for c in t.find("m:tableColumns", ns)]
    assert len(names) == 26 and names[-3:] == ["Eligible", "Reasons", "Effective date"]
    ws = openpyxl.load_workbook(out)["Estimates"]
    assert (ws["X2"].value, ws["Y2"].value, ws["AA1"].value) == ("No", "again", None)
