"""The holes the mutation fuzzer found in the readers, pinned one by one: a damaged part
of a filled form, a workbook without a sheet, and readers that trusted ws.max_row."""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pytest
from openpyxl.styles import Font

from addin.core.errors import InputError
from addin.office.docx import controls as dc
from addin.office.docx.harvest import harvest, read_form
from addin.office.xlsx.decisions import read_decisions
from addin.office.xlsx.frameworks import read_grids
from addin.office.xlsx.settings import read_pay_settings
from tests.conftest import BES_FRAMEWORK, ROOT
from tests.test_forms import application_bytes

from .builders import member, rezip

DECISIONS = ROOT / "workbooks" / "decisions" / "sample-decisions.xlsx"
PAY_RANGES = ROOT / "workbooks" / "pay-ranges.xlsx"


@pytest.fixture(scope="module")
def form_bytes() -> bytes:
    return dc.fill_controls(application_bytes(), {"evidence_skills": "ran the rota"})


# ----------------------------------------------------------------------------- forms


@pytest.mark.parametrize("part, garbage", [
    ("word/settings.xml", b'<w:settings xmlns:w="x"><w:documentProtection w:edit="forms"'),  # cut
    ("word/settings.xml", b"<w:settings><w:zoom/></w:settings>"),  # prefix never declared
    ("word/document.xml", b"<w:document><w:body></w:document>"),
    ("docProps/custom.xml", b"<Properties><property name=\"a\"></Properties>"),
])
def test_a_form_with_a_damaged_part_is_one_clean_error_naming_the_file(tmp_path, form_bytes, part, garbage):
    path = tmp_path / "damaged.docx"
    path.write_bytes(rezip(form_bytes, replace={part: garbage}))
    with pytest.raises(InputError) as err:
        read_form(path, "team/damaged.docx")
    assert err.value.file == "team/damaged.docx"
    assert err.value.one_line().startswith("team/damaged.docx: document is damaged and cannot be read (XMLSyntaxError: ")


def test_harvest_reports_a_form_with_damaged_settings_and_still_harvests_the_others(tmp_path, form_bytes):
    settings = member(form_bytes, "word/settings.xml")
    (tmp_path / "good.docx").write_bytes(form_bytes)
    (tmp_path / "bad.docx").write_bytes(rezip(form_bytes, replace={"word/settings.xml": settings[:-40]}))
    result = harvest(tmp_path)
    assert [(f.file, f.code) for f in result.findings] == [("bad.docx", "FORM-UNREADABLE")]
    assert result.findings[0].message.startswith("document is damaged and cannot be read (XMLSyntaxError: ")
    assert result.findings[0].message.endswith("; skipped")
    assert [(f["File"], f["evidence_skills"]) for f in result.forms] == [("good.docx", "ran the rota")]


def test_a_form_without_settings_is_harvested_and_warned_as_unprotected(tmp_path, form_bytes):
    (tmp_path / "nosettings.docx").write_bytes(rezip(form_bytes, drop=("word/settings.xml",)))
    doc = read_form(tmp_path / "nosettings.docx")
    assert doc.protection == (None, False)
    assert doc.values()["evidence_skills"] == "ran the rota"


# ----------------------------------------------------------------------------- decisions


def _without_sheets(data: bytes) -> bytes:
    wbxml = member(data, "xl/workbook.xml")
    start, end = wbxml.index("<sheets>"), wbxml.index("</sheets>") + len("</sheets>")
    return rezip(data, replace={"xl/workbook.xml": wbxml[:start] + "<sheets/>" + wbxml[end:]})


def test_a_decisions_workbook_with_no_sheet_is_a_clean_error_naming_the_file(tmp_path):
    path = tmp_path / "nosheet.xlsx"
    path.write_bytes(_without_sheets(DECISIONS.read_bytes()))
    assert openpyxl.load_workbook(path).worksheets == []  # the hole: worksheets[0] was an IndexError
    with pytest.raises(InputError) as err:
        read_decisions(path)
    assert err.value.one_line() == (
        f"{path}: workbook has no worksheet, so it holds no decisions "
        "(use workbooks/decisions/sample-decisions.xlsx as the pattern)")


def test_decisions_below_row_5000_are_read_not_silently_dropped(tmp_path):
    wb = openpyxl.load_workbook(DECISIONS)
    ws = wb.worksheets[0]
    for c in range(1, 16):
        ws.cell(6001, c).value = ws.cell(2, c).value
    ws.cell(6001, 1).value = "E9999"
    path = tmp_path / "long.xlsx"
    wb.save(path)
    got = read_decisions(path)
    assert [(d.employee_id, d.row) for d in got] == [("E1001", 2), ("E1002", 3), ("E9999", 6001)]


def test_styled_empty_cells_far_below_do_not_pad_the_decisions(tmp_path):
    wb = openpyxl.load_workbook(DECISIONS)
    ws = wb.worksheets[0]
    ws.cell(4_000, 200).font = Font(bold=True)  # formatted, never typed in
    path = tmp_path / "styled.xlsx"
    wb.save(path)
    assert [d.employee_id for d in read_decisions(path)] == ["E1001", "E1002"]


# ----------------------------------------------------------------------------- pay ranges, frameworks


def test_pay_ranges_with_far_styled_cells_read_the_same_as_the_shipped_workbook(tmp_path):
    wb = openpyxl.load_workbook(PAY_RANGES)
    for ws in wb.worksheets:
        ws.cell(3_000, 300).font = Font(italic=True)
    path = tmp_path / "pay-ranges.xlsx"
    wb.save(path)
    shipped, styled = read_pay_settings(PAY_RANGES), read_pay_settings(path)
    assert styled.ranges == shipped.ranges
    assert styled.settings == shipped.settings
    assert isinstance(styled.ranges[3].a, Decimal)


def test_pay_ranges_with_a_stray_value_beyond_the_limits_name_the_sheet_and_cell(tmp_path):
    wb = openpyxl.load_workbook(PAY_RANGES)
    wb["Settings"].cell(150_000, 1).value = "stray"
    path = tmp_path / "pay-ranges.xlsx"
    wb.save(path)
    with pytest.raises(InputError) as err:
        read_pay_settings(path)
    assert str(path) in err.value.one_line() and "A150000" in err.value.one_line()


def test_framework_grids_hold_only_real_values_whatever_the_styled_extent(tmp_path):
    wb = openpyxl.load_workbook(BES_FRAMEWORK)
    ws = wb.worksheets[0]
    ws.cell(3_000, 300).font = Font(bold=True)
    path = tmp_path / "framework.xlsx"
    wb.save(path)
    plain, styled = read_grids(BES_FRAMEWORK), read_grids(path)
    assert [g.name for g in styled] == [g.name for g in plain]
    assert [g.cells for g in styled] == [g.cells for g in plain]
    assert max(r for g in styled for r, _ in g.cells) < 1000


def test_an_absurd_salary_is_a_finding_at_its_cell_not_an_unexpected_error(tmp_path):
    """1e30 in Current salary used to pass the parser and stop validate-estimates and
    cost with 'unexpected error: InvalidOperation' (exit 3) at Decimal.quantize."""
    import openpyxl

    from tests.conftest import ROOT, run_cli

    src = ROOT / "workbooks" / "samples" / "finance-business-support.xlsx"
    wb = openpyxl.load_workbook(src)
    ws = wb["Estimates"]
    col = next(c.column_letter for c in ws[1] if c.value == "Current salary")
    ws[f"{col}2"] = 1e30
    p = tmp_path / "salary.xlsx"
    wb.save(p)
    v = run_cli("validate-estimates", p, "--as-of", "2025-03-01", "--json")
    assert v.returncode == 1, v.stderr
    found = [f for f in __import__("json").loads(v.stdout)["findings"] if f["cell"] == f"{col}2"]
    assert [f["code"] for f in found] == ["EST-BAD-VALUE"]
    assert found[0]["message"].endswith("got 1e+30, more than £10,000,000; check the figure")
    c = run_cli("cost", p, "--as-of", "2025-03-01")
    assert c.returncode == 0, c.stderr
    assert "Not costed: row 2" in c.stdout and "no current salary" in c.stdout
