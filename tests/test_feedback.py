"""The shared findings writer (addin/office/xlsx/feedback.py): annotated copies of input workbooks."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pytest

from addin.core.errors import OutputError
from addin.core.findings import ERROR, INFO, WARNING, Finding, Severity
from addin.office.xlsx.feedback import (
    AUTHOR,
    FILLS,
    write_feedback_copy,
)
from tests.conftest import convert_with_libreoffice


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_input(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Team"
    ws.append(["Name", "Range", "Level"])
    ws.append(["Ann", 3, "A"])
    ws.append(["Bob", 9, "Z"])
    ws["E1"] = "note"  # last used column is E, although D is empty
    ws["B3"].comment = openpyxl.comments.Comment("HR checked this", "Jo")
    other = wb.create_sheet("O'Brien sheet")
    other["A1"] = "x"
    wb.save(path)
    return path


def F(sheet, cell, severity: Severity, code: str, message: str, row=None) -> Finding:
    return Finding("in.xlsx", sheet, cell, severity, code, message, row)


FINDINGS = [
    F("Team", "B3", ERROR, "T-RANGE", "Range 9 is not 2-8"),
    F("Team", "B3", WARNING, "T-ODD", "Odd range"),
    F("Team", "C3", WARNING, "T-LEVEL", "Level Z is not A, B or C"),
    F("Team", "A2", INFO, "T-INFO", "=HYPERLINK(\"http://evil\")"),
    F("O'Brien sheet", "A1", WARNING, "T-QUOTE", "sheet name with a quote"),
    F("Gone", "A1", ERROR, "T-GONE", "a sheet the workbook lacks"),
    F(None, None, ERROR, "T-FILE", "whole-file problem"),
]


@pytest.fixture(scope="module")
def annotated(tmp_path_factory) -> tuple[Path, Path, str, str]:
    d = tmp_path_factory.mktemp("feedback")
    src = make_input(d / "in.xlsx")
    before = sha(src)
    out = write_feedback_copy(
        src, d / "out.xlsx", FINDINGS,
        extra_columns={"Team": [("Cost", {2: 123.45, 3: "=1+1"}), ("Note", {3: "check"})]},
    )
    return src, out, before, sha(src)


def test_input_bytes_are_unchanged(annotated):
    _src, _out, before, after = annotated
    assert before == after


def test_findings_on_one_cell_merge_into_one_medpay_comment_worst_first(annotated):
    ws = openpyxl.load_workbook(annotated[1])["Team"]
    c = ws["B3"].comment
    assert c.author == AUTHOR
    # the author's own note is kept, ours follow it, error before warning
    assert c.text == ("HR checked this\n\nERROR T-RANGE: Range 9 is not 2-8\n\n"
                      "WARNING T-ODD: Odd range")


def test_cells_are_filled_by_their_worst_severity(annotated):
    ws = openpyxl.load_workbook(annotated[1])["Team"]
    assert ws["B3"].fill.fgColor.rgb == "00" + FILLS[ERROR]
    assert ws["C3"].fill.fgColor.rgb == "00" + FILLS[WARNING]
    assert ws["A2"].fill.fgColor.rgb == "00" + FILLS[INFO]
    assert ws["A3"].fill.fill_type is None
    assert ws["C3"].comment.text == "WARNING T-LEVEL: Level Z is not A, B or C"


def test_findings_sheet_lists_every_finding_with_links_filter_and_frozen_header(annotated):
    wb = openpyxl.load_workbook(annotated[1])
    assert wb.sheetnames == ["Team", "O'Brien sheet", "Findings"]
    assert wb.active.title == "Findings"
    ws = wb["Findings"]
    rows = [[c.value for c in r] for r in ws.iter_rows(max_col=5)]  # (the legend: G, H)
    assert rows[0] == ["Severity", "Code", "Sheet", "Cell", "Message"]
    # sorted by sheet then cell; the file-level finding (no sheet) first
    assert [r[1] for r in rows[1:]] == ["T-FILE", "T-GONE", "T-QUOTE", "T-INFO", "T-ODD",
                                        "T-RANGE", "T-LEVEL"]
    assert rows[1] == ["error", "T-FILE", None, None, "whole-file problem"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:E8"
    assert ws.column_dimensions["E"].width == 100
    by_code = {r[1].value: r for r in ws.iter_rows(min_row=2)}
    assert by_code["T-RANGE"][3].hyperlink.location == "'Team'!B3"
    assert by_code["T-QUOTE"][3].hyperlink.location == "'O''Brien sheet'!A1"
    assert by_code["T-GONE"][3].hyperlink is None  # no such sheet: listed, not linked
    assert by_code["T-FILE"][3].hyperlink is None


def test_text_is_never_written_as_a_formula(annotated):
    wb = openpyxl.load_workbook(annotated[1])
    msg = next(r[4] for r in wb["Findings"].iter_rows(min_row=2) if r[1].value == "T-INFO")
    assert msg.value == "=HYPERLINK(\"http://evil\")"
    assert msg.data_type == "s"
    assert wb["Team"]["F3"].data_type == "s" and wb["Team"]["F3"].value == "=1+1"


def test_extra_columns_follow_the_last_used_column_with_header_on_header_row(annotated):
    ws = openpyxl.load_workbook(annotated[1])["Team"]
    assert ws["E1"].value == "note"
    assert ws["F1"].value == "Cost" and ws["G1"].value == "Note"
    assert ws["F2"].value == 123.45 and ws["F3"].value == "=1+1"
    assert ws["G3"].value == "check" and ws["G2"].value is None


def test_extra_columns_use_the_given_header_row(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Est"
    ws["A1"] = "Title of the sheet"
    ws.append([])
    ws["A3"], ws["B3"] = "Name", "Salary"
    ws["A4"], ws["B4"] = "Ann", 20000
    wb.save(tmp_path / "e.xlsx")
    out = write_feedback_copy(tmp_path / "e.xlsx", tmp_path / "o.xlsx", [],
                              extra_columns={"Est": [("New salary", {4: 21000})]},
                              header_row={"Est": 3})
    ws2 = openpyxl.load_workbook(out)["Est"]
    assert ws2["C3"].value == "New salary" and ws2["C4"].value == 21000
    assert ws2["C1"].value is None


def test_extra_columns_for_a_missing_sheet_is_an_output_error(tmp_path):
    src = make_input(tmp_path / "in.xlsx")
    with pytest.raises(OutputError, match="no sheet 'Nope'"):
        write_feedback_copy(src, tmp_path / "o.xlsx", [], extra_columns={"Nope": []})
    assert not (tmp_path / "o.xlsx").exists()


def test_existing_output_is_not_replaced_without_force(tmp_path):
    src = make_input(tmp_path / "in.xlsx")
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"keep me")
    with pytest.raises(OutputError, match="already exists"):
        write_feedback_copy(src, out, FINDINGS)
    assert out.read_bytes() == b"keep me"
    write_feedback_copy(src, out, FINDINGS, force=True)
    assert "Findings" in openpyxl.load_workbook(out).sheetnames


def test_feedback_copy_never_replaces_its_input_even_with_force(tmp_path):
    src = make_input(tmp_path / "in.xlsx")
    before = sha(src)
    with pytest.raises(OutputError, match="replace its input"):
        write_feedback_copy(src, src, FINDINGS, force=True)
    assert sha(src) == before


def test_rerun_on_an_annotated_copy_replaces_the_findings_sheet(tmp_path, annotated):
    out2 = write_feedback_copy(annotated[1], tmp_path / "again.xlsx", FINDINGS[:1])
    wb = openpyxl.load_workbook(out2)
    assert wb.sheetnames.count("Findings") == 1
    assert [c.value for c in wb["Findings"]["B"]][1:] == ["T-RANGE", None, None, None]  # + legend rows


def test_row_only_finding_is_commented_on_column_a(tmp_path):
    src = make_input(tmp_path / "in.xlsx")
    out = write_feedback_copy(src, tmp_path / "o.xlsx",
                              [F("Team", None, WARNING, "T-ROW", "whole row", row=3)])
    wb = openpyxl.load_workbook(out)
    assert wb["Team"]["A3"].comment.text == "WARNING T-ROW: whole row"
    assert wb["Findings"]["D2"].value == "A3"


@pytest.mark.libreoffice
def test_annotated_copy_opens_in_libreoffice(annotated, tmp_path_factory):
    outdir = tmp_path_factory.mktemp("lo")
    converted = convert_with_libreoffice(annotated[1], "xlsx", outdir)
    wb = openpyxl.load_workbook(converted)
    assert "Findings" in wb.sheetnames
    assert "T-RANGE" in wb["Team"]["B3"].comment.text
    codes = [r[1].value for r in wb["Findings"].iter_rows(min_row=2)]
    assert len(codes) == len(FINDINGS)


def test_whole_sheet_finding_row_links_to_a1_of_its_sheet(tmp_path):
    src = make_input(tmp_path / "in.xlsx")
    out = write_feedback_copy(src, tmp_path / "out.xlsx", [
        F("O'Brien sheet", None, ERROR, "T-SHEET", "the whole sheet is wrong"),
        F("Gone", None, ERROR, "T-GONE", "a sheet the workbook lacks")])
    ws = openpyxl.load_workbook(out)["Findings"]
    by_code = {r[1].value: r for r in ws.iter_rows(min_row=2)}
    assert by_code["T-SHEET"][3].value == "(whole sheet)"
    assert by_code["T-SHEET"][3].hyperlink.location == "'O''Brien sheet'!A1"
    assert by_code["T-GONE"][3].hyperlink is None  # no such sheet: listed, not linked
    assert openpyxl.load_workbook(out)["O'Brien sheet"]["A1"].comment is None
