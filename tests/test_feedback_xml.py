"""The one engine of the feedback writer (addin/office/xlsx/feedback_xml.py, called by
addin/office/xlsx/feedback.write_feedback_copy): comments, fills, columns and the Findings
sheet read back with openpyxl exactly as written by hand below; untouched parts are copied
unchanged; output is deterministic; a feedback copy sent back gets its Findings sheet
replaced; a legacy drawing with controls gets our notes; what it cannot rewrite is refused
in one line."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from addin.core.errors import InputError, OutputError
from addin.core.findings import ERROR, INFO, WARNING, Finding
from addin.office.determinism import normalise_xlsx_bytes
from addin.office.xlsx.feedback import FILLS, write_feedback_copy
from tests.conftest import WORKBOOKS, convert_with_libreoffice


def F(sheet, cell, severity, code, message, row=None) -> Finding:
    return Finding("in.xlsx", sheet, cell, severity, code, message, row)


def make_rich(path: Path) -> Path:
    """A manager's workbook with the things a copy must keep: a title row above the
    headers, formats, an author's own note, a column-range width, a second sheet with a
    formula and a shared string left empty."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Estimates"
    ws["A1"] = "Level estimates - Finance"
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    ws.append(["Employee ID", "Name", "Salary", "Start", "Level"])
    ws.append(["E1", "Ann", 24500, dt.date(2020, 5, 1), "B"])
    ws.append(["E2", "=Bob", 26000, dt.date(2019, 1, 2), "Z"])
    ws.append(["E3", "Cy", 25000, dt.date(2021, 3, 4), ""])
    ws["C4"].number_format = "£#,##0.00"
    ws["C4"].font = Font(italic=True)
    ws["E5"].comment = Comment("Manager: please check", "Jo")
    ws["H4"].fill = PatternFill("solid", start_color="CCCCCC")  # a styled, empty cell
    ws.column_dimensions.group("A", "J", hidden=False)
    ws.column_dimensions["A"].width = 20
    other = wb.create_sheet("Notes")
    other["A1"] = "=SUM(1,2)"
    other["B2"] = "kept"
    wb.save(path)
    return path


RICH_FINDINGS = [
    F("Estimates", "E5", ERROR, "EST-LEVEL", "Level Z is not A, B or C"),
    F("Estimates", "E5", WARNING, "EST-ODD", "odd"),
    F("Estimates", "C4", INFO, "EST-INFO", "+44 looks like a formula"),
    F("Estimates", None, WARNING, "EST-ROW", "row 9 has nothing", row=9),
    F("Estimates", "$B$6:B7", WARNING, "EST-RANGE", "a range: the first cell"),
    F("Notes", "B2", WARNING, "N-1", "@SUM(A1)"),
    F("Missing", "A1", ERROR, "X-GONE", "no such sheet"),
    F(None, None, ERROR, "X-FILE", "whole file\nsecond line"),
]
RICH_COLUMNS = {"Estimates": [
    ("Eligible", {4: "Yes", 5: "No", 6: ""}),
    ("Effective date", {4: dt.date(2025, 7, 1), 5: dt.datetime(2025, 7, 1, 9, 30)}),
    ("Full-year cost", {4: Decimal("1234.50"), 5: "not costed: =missing", 6: 12.25}),
    ("Count", {4: 3, 6: True}),
]}


def snapshot(path: Path) -> dict:
    """Everything a reader of the feedback sees, as openpyxl reads it back."""
    wb = openpyxl.load_workbook(path)
    out: dict = {"sheets": wb.sheetnames, "active": wb.active.title}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and c.comment is None and not c.fill.fill_type:
                    continue
                cells[c.coordinate] = (  # an empty cell's type is no part of what one sees
                    c.value, c.data_type if c.value is not None else None, c.fill.fill_type and c.fill.fgColor.rgb, bool(c.font.b),
                    bool(c.font.i), c.font.u, c.font.color.rgb if c.font.color is not None else None,
                    bool(c.quotePrefix), c.number_format,
                    c.alignment.wrap_text, c.alignment.vertical,
                    c.hyperlink.location if c.hyperlink else None,
                    (c.comment.author, c.comment.text) if c.comment else None)
        widths = {k: v.width for k, v in ws.column_dimensions.items() if v.customWidth}
        out[ws.title] = (cells, widths, ws.freeze_panes, ws.auto_filter.ref, ws.print_title_rows,
                         ws.page_setup.orientation, bool(ws.sheet_view.tabSelected))
    return out


@pytest.fixture(scope="module")
def rich(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("fbxml")
    src = make_rich(d / "in.xlsx")
    outs = {"src": src}
    outs["xml"] = write_feedback_copy(src, d / "xml.xlsx", RICH_FINDINGS,
                                      extra_columns=RICH_COLUMNS, header_row={"Estimates": 3})
    return outs


def test_added_columns_get_widths_from_their_headers(rich):
    widths = snapshot(rich["xml"])["Estimates"][1]
    # len(header) + 2, at least 12, at most 40: Eligible 8+2 -> 12, Effective date
    # 14+2 = 16, Full-year cost 14+2 = 16, Count 5+2 -> 12
    assert {k: widths[k] for k in "FGHI"} == {"F": 12, "G": 16, "H": 16, "I": 12}


def test_comments_fills_and_columns_by_hand(rich):
    wb = openpyxl.load_workbook(rich["xml"])
    ws = wb["Estimates"]
    # the author's note first, then ours, error before warning; author MedPay
    assert ws["E5"].comment.author == "MedPay"
    assert ws["E5"].comment.text == ("Manager: please check\n\nERROR EST-LEVEL: Level Z is not "
                                     "A, B or C\n\nWARNING EST-ODD: odd")
    assert ws["E5"].fill.fgColor.rgb == "00" + FILLS[ERROR]
    # a filled cell keeps its own font and number format
    assert ws["C4"].fill.fgColor.rgb == "00" + FILLS[INFO]
    assert ws["C4"].font.i and ws["C4"].number_format == "£#,##0.00" and ws["C4"].value == 24500
    # a row-only finding on a row the sheet lacks: column A of that row
    assert ws["A9"].comment.text == "WARNING EST-ROW: row 9 has nothing"
    assert ws["B6"].comment.text == "WARNING EST-RANGE: a range: the first cell"
    # extra columns after the last VALUE column (E; H only has a fill), header on row 3
    assert [ws.cell(3, c).value for c in range(6, 10)] == [
        "Eligible", "Effective date", "Full-year cost", "Count"]
    assert all(ws.cell(3, c).font.b for c in range(6, 10))
    assert ws["F4"].value == "Yes" and ws["F6"].value is None
    assert ws["G4"].value == dt.datetime(2025, 7, 1) and ws["G4"].number_format == "dd/mm/yyyy"
    assert ws["G5"].value == dt.datetime(2025, 7, 1, 9, 30)
    # dates in added columns show UK style
    assert (ws["G4"].number_format, ws["G5"].number_format) == ("dd/mm/yyyy", "dd/mm/yyyy hh:mm")
    assert ws["G4"].is_date and ws["G5"].is_date
    assert ws["H4"].value == 1234.5 and ws["H6"].value == 12.25
    assert ws["H5"].value == "not costed: =missing" and ws["H5"].data_type == "s"
    assert ws["I4"].value == 3 and ws["I6"].value is True
    # the manager's own content is untouched
    assert ws["B5"].value == "=Bob" and ws["A1"].font.b and ws["A1"].font.sz == 14
    assert wb["Notes"]["A1"].value == "=SUM(1,2)"


def test_findings_sheet_by_hand(rich):
    ws = openpyxl.load_workbook(rich["xml"])["Findings"]
    rows = [[c.value for c in r] for r in ws.iter_rows(max_col=5)]  # (the legend: G, H)
    assert rows[0] == ["Severity", "Code", "Sheet", "Cell", "Message"]
    # by sheet ("" first), then cell (a range and a row-only finding sort as no cell),
    # then code
    assert [r[1] for r in rows[1:]] == ["X-FILE", "EST-RANGE", "EST-ROW", "EST-INFO",
                                        "EST-LEVEL", "EST-ODD", "X-GONE", "N-1"]
    assert rows[1] == ["error", "X-FILE", None, None, "whole file\nsecond line"]
    by_code = {r[1].value: r for r in ws.iter_rows(min_row=2)}
    assert by_code["EST-ROW"][3].value == "A9"
    assert by_code["EST-ROW"][3].hyperlink.location == "'Estimates'!A9"
    assert by_code["EST-RANGE"][3].value == "$B$6:B7"
    assert by_code["EST-RANGE"][3].hyperlink.location == "'Estimates'!B6"
    assert by_code["X-GONE"][3].hyperlink is None
    assert by_code["N-1"][4].value == "@SUM(A1)" and by_code["N-1"][4].quotePrefix
    assert by_code["EST-LEVEL"][0].fill.fgColor.rgb == "00" + FILLS[ERROR]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:E9"


def test_no_formula_is_written_from_text(rich):
    """The only formulas in the copy are the manager's own (=Bob and =SUM(1,2))."""
    def formulas(path):
        with zipfile.ZipFile(path) as z:
            return sorted(f for n in z.namelist() if n.startswith("xl/worksheets/")
                          for f in re.findall(rb"<f>(.*?)</f>", z.read(n)))
    assert formulas(rich["xml"]) == formulas(rich["src"]) == [b"Bob", b"SUM(1,2)"]


def test_untouched_parts_are_copied_unchanged(rich):
    with zipfile.ZipFile(rich["src"]) as a, zipfile.ZipFile(rich["xml"]) as b:
        src = {n: a.read(n) for n in a.namelist()}
        out = {n: b.read(n) for n in b.namelist()}
    changed = {n for n in src if out.get(n) != src[n]}
    # only what the annotations need: the annotated sheets, comments and drawings of a
    # sheet that had a note, styles, the workbook, its rels and the content types
    assert changed <= {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/styles.xml",
                       "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
                       "xl/comments/comment1.xml", "xl/drawings/commentsDrawing1.vml",
                       "xl/worksheets/_rels/sheet2.xml.rels"}
    for keep in ("xl/theme/theme1.xml", "docProps/core.xml", "docProps/app.xml"):
        assert out[keep] == src[keep]
    assert set(src) <= set(out)


def test_when_gives_normalised_bytes_in_one_pass(tmp_path, rich):
    when = dt.datetime(2025, 3, 1)
    a = write_feedback_copy(rich["src"], tmp_path / "a.xlsx", RICH_FINDINGS,
                            extra_columns=RICH_COLUMNS, header_row=3, when=when)
    assert normalise_xlsx_bytes(a.read_bytes(), when) == a.read_bytes()
    with zipfile.ZipFile(a) as z:
        assert {i.date_time for i in z.infolist()} == {(2025, 3, 1, 0, 0, 0)}
        assert b"2025-03-01T00:00:00Z" in z.read("docProps/core.xml")


def test_same_input_same_bytes_without_when(tmp_path, rich):
    a = write_feedback_copy(rich["src"], tmp_path / "a.xlsx", RICH_FINDINGS)
    b = write_feedback_copy(rich["src"], tmp_path / "b.xlsx", RICH_FINDINGS)
    assert a.read_bytes() == b.read_bytes()


def test_a_column_range_is_split_around_a_new_column(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws["A1"], ws["B1"] = "h1", "h2"
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions.group("B", "F")
    ws.column_dimensions["B"].width = 22
    wb.save(tmp_path / "in.xlsx")
    out = write_feedback_copy(tmp_path / "in.xlsx", tmp_path / "o.xlsx", [],
                              extra_columns={"S": [("A long header text", {2: 1})]})
    with zipfile.ZipFile(out) as z:
        cols = z.read("xl/worksheets/sheet1.xml").split(b"<sheetData")[0]
    assert b'min="2" max="2"' in cols and b'min="3" max="3"' in cols and b'min="4" max="6"' in cols
    back = openpyxl.load_workbook(out)["S"]
    assert back.column_dimensions["C"].width == 20  # len + 2
    assert back["C1"].value == "A long header text" and back["C2"].value == 1


def test_missing_sheet_for_columns_is_the_same_output_error(tmp_path, rich):
    with pytest.raises(OutputError, match="no sheet 'Nope'"):
        write_feedback_copy(rich["src"], tmp_path / "o.xlsx", [], extra_columns={"Nope": []})
    assert not (tmp_path / "o.xlsx").exists()


def test_a_feedback_copy_sent_back_gets_its_findings_sheet_replaced(tmp_path, rich):
    out = write_feedback_copy(rich["xml"], tmp_path / "again.xlsx", RICH_FINDINGS[:1])
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Estimates", "Notes", "Findings"] and wb.active.title == "Findings"
    ws = wb["Findings"]
    assert [c.value for c in ws["B"]][1:] == ["EST-LEVEL", None, None, None]  # + legend rows
    assert ws["B2"].value == "EST-LEVEL"
    assert ws.auto_filter.ref == "A1:E2" and ws.print_title_rows == "$1:$1"
    assert ws["D2"].hyperlink.location == "'Estimates'!E5"
    # one filter and one print-titles name for the Findings sheet, not two
    with zipfile.ZipFile(out) as z:
        wbxml = z.read("xl/workbook.xml").decode()
    assert wbxml.count("_xlnm._FilterDatabase") == 1 and wbxml.count("_xlnm.Print_Titles") == 1


def test_a_legacy_drawing_with_controls_gets_our_notes_and_loses_the_controls(tmp_path, rich):
    """A VML drawing holding a form control (not only notes) is rewritten with the notes:
    a legacy button runs a macro, and the copy carries none (openpyxl never kept one)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(rich["src"]) as a, zipfile.ZipFile(buf, "w") as b:
        for info in a.infolist():
            body = a.read(info.filename)
            if info.filename.endswith(".vml"):
                body = body.replace(b"</xml>", b'<v:shape><x:ClientData ObjectType="Button"/>'
                                               b"</v:shape></xml>")
            b.writestr(info.filename, body)
    src = tmp_path / "ctl.xlsx"
    src.write_bytes(buf.getvalue())
    out = write_feedback_copy(src, tmp_path / "a.xlsx", RICH_FINDINGS)
    ws = openpyxl.load_workbook(out)["Estimates"]
    assert "Level Z" in ws["E5"].comment.text
    assert ws["E5"].comment.text.startswith("Manager: please check")
    with zipfile.ZipFile(out) as z:
        vml = b"".join(z.read(n) for n in z.namelist() if n.endswith(".vml"))
    assert b'ObjectType="Button"' not in vml and b'ObjectType="Note"' in vml


def test_a_strict_ooxml_workbook_is_refused_in_one_line(tmp_path, rich):
    with zipfile.ZipFile(rich["src"]) as a:
        parts = {n: a.read(n) for n in a.namelist()}
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        b"http://purl.oclc.org/ooxml/spreadsheetml/main")
    src = tmp_path / "strict.xlsx"
    with zipfile.ZipFile(src, "w") as z:
        for n, body in parts.items():
            z.writestr(n, body)
    with pytest.raises(InputError, match="cannot make a feedback copy of this workbook: not a "
                                         "transitional workbook"):
        write_feedback_copy(src, tmp_path / "o.xlsx", RICH_FINDINGS[:1])
    assert not (tmp_path / "o.xlsx").exists()


def test_shipped_sample_submissions_take_the_fast_path(tmp_path):
    """The submissions the batch sees get their comments (the engine handles each)."""
    samples = sorted((WORKBOOKS / "samples").glob("*.xlsx"))
    assert samples
    for i, src in enumerate(samples):
        wb = openpyxl.load_workbook(src, read_only=True)
        sheet = wb.sheetnames[0]
        wb.close()
        write_feedback_copy(src, tmp_path / f"{i}.xlsx", [F(sheet, "B2", ERROR, "C", "m")],
                            extra_columns={sheet: [("Eligible", {2: "Yes"})]})
        back = openpyxl.load_workbook(tmp_path / f"{i}.xlsx")
        assert back[sheet]["B2"].comment.text == "ERROR C: m"


_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"),
                max_size=30).filter(lambda s: not any(ord(c) < 32 and c not in "\t\n" for c in s))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["Estimates", "Notes", "Gone", None]),
                          st.integers(1, 12), st.integers(1, 9),
                          st.sampled_from([ERROR, WARNING, INFO]),
                          st.sampled_from(["A-1", "B-2", "C-3"]), _TEXT),
                max_size=12),
       st.dictionaries(st.integers(4, 14), st.one_of(_TEXT, st.integers(-5, 10**6),
                                                      st.dates(dt.date(1990, 1, 1))), max_size=6))
def test_any_findings_and_values_read_back_as_written(tmp_path_factory, rich, items, values):
    d = tmp_path_factory.mktemp("h")
    findings = [F(s, f"{chr(64 + c)}{r}" if s else None, sev, code, msg)
                for s, r, c, sev, code, msg in items]
    cols = {"Estimates": [("Extra", values)]}
    out = write_feedback_copy(rich["src"], d / "x.xlsx", findings, extra_columns=cols,
                              header_row=3)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Estimates", "Notes", "Findings"]
    listed = [(r[1].value, r[4].value or "") for r in wb["Findings"].iter_rows(min_row=2)
              if r[1].value]
    assert sorted(listed) == sorted((f.code, f.message) for f in findings)
    for f in findings:
        if f.sheet in ("Estimates", "Notes"):
            note = wb[f.sheet][f.cell].comment
            assert f"{f.severity.value.upper()} {f.code}: {f.message}" in note.text
    ws = wb["Estimates"]
    col = next(c for c in range(1, 20) if ws.cell(3, c).value == "Extra")
    for row, value in values.items():
        got = ws.cell(row, col).value
        if isinstance(value, dt.date):
            assert got == dt.datetime.combine(value, dt.time())
        else:
            assert got == (value if value != "" else None)


@pytest.mark.libreoffice
def test_xml_engine_copy_opens_in_libreoffice(rich, tmp_path_factory):
    outdir = tmp_path_factory.mktemp("lo-xml")
    converted = convert_with_libreoffice(rich["xml"], "xlsx", outdir)
    wb = openpyxl.load_workbook(converted)
    assert wb.sheetnames == ["Estimates", "Notes", "Findings"]
    ws = wb["Estimates"]
    assert "ERROR EST-LEVEL" in ws["E5"].comment.text
    assert "Manager: please check" in ws["E5"].comment.text
    assert ws["A9"].comment is not None
    assert ws["E5"].fill.fgColor.rgb.endswith(FILLS[ERROR])
    assert ws["F3"].value == "Eligible" and ws["H4"].value == 1234.5
    codes = [r[1].value for r in wb["Findings"].iter_rows(min_row=2)]
    assert len(codes) == len(RICH_FINDINGS)
    assert wb["Findings"]["D5"].hyperlink is not None


def test_a_whole_sheet_finding_links_to_the_sheets_a1(tmp_path):
    # FW-NO-TABLE on one sheet (cell None, no row): the Findings row says "(whole sheet)"
    # and links to that sheet's A1; A1 itself gets no comment or fill (the finding is not
    # about that cell).
    src = make_rich(tmp_path / "in.xlsx")
    findings = [F("Notes", None, ERROR, "FW-NO-TABLE", "Sheet 'Notes' has no table"),
                F("Estimates", "E5", WARNING, "EST-ODD", "odd")]
    out = write_feedback_copy(src, tmp_path / "o.xlsx", findings)
    wb = openpyxl.load_workbook(out)
    row = {r[1].value: r for r in wb["Findings"].iter_rows(min_row=2)}["FW-NO-TABLE"]
    assert [c.value for c in row][2:4] == ["Notes", "(whole sheet)"]
    assert row[3].hyperlink.location == "'Notes'!A1"
    assert wb["Notes"]["A1"].comment is None and not wb["Notes"]["A1"].fill.fill_type
