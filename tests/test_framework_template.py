"""The framework authoring workbook (``medpay template framework``)."""

from __future__ import annotations

import openpyxl
import pytest

from addin.app.validate import validate_framework
from addin.core.model import Criterion, Level
from addin.office.xlsx.framework_template import BLANK_RANGES, EXAMPLE_ROLE, HEADERS
from addin.office.xlsx.frameworks import load_framework
from tests.conftest import run_cli


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    out = tmp_path_factory.mktemp("tpl") / "new-framework.xlsx"
    r = run_cli("template", "framework", "--out", out)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"Framework authoring workbook written to {out}"
    return out


def test_template_reads_back_with_the_reader(template):
    fw, structural = load_framework(template)
    assert structural == []
    assert [(r.title, r.range) for r in fw.roles] == [
        ("Administrator (example)", 3), *[("", r) for r in BLANK_RANGES]]
    ex = fw.roles[0]
    assert ex.text(Level.B, Criterion.QUALIFICATIONS) == \
        "Working towards Level 3 in Business Administration."
    assert ex.criteria[Level.C][Criterion.SKILLS].source.cell == "G8"
    assert ex.duties == EXAMPLE_ROLE["duties"]


def test_example_role_validates_clean_and_blank_blocks_ask_to_be_filled(template):
    report = validate_framework(template)
    ex_cells = {f"{c}{r}" for c in "ABCDEFG" for r in range(4, 9)}
    assert [f for f in report.findings if f.cell in ex_cells] == []
    got = sorted((f.cell, f.code) for f in report.findings)
    expected = []
    for i, rng in enumerate(BLANK_RANGES):
        top = 9 + 5 * i  # each block: title row + 4 criterion rows
        expected.append((f"A{top}", "FW-MISSING-TITLE"))
        expected.append((f"C{top}", "FW-EMPTY-DUTIES"))  # the blank block's Duties cell
        for r in range(top + 1, top + 5):
            expected += [(f"{c}{r}", "FW-EMPTY-CRITERION") for c in "EFG"]
        if rng in (3, 4):
            expected.append((f"E{top + 1}", "FW-GCSE-REQUIREMENT"))
    assert got == sorted(expected)
    # 80 before FW-EMPTY-DUTIES, plus one empty Duties cell per blank block
    assert (report.errors, report.warnings) == (80 + len(BLANK_RANGES), 0)


def test_example_role_alone_gives_no_findings(template, tmp_path):
    wb = openpyxl.load_workbook(template)
    ws = wb["CPF"]
    ws.delete_rows(9, 5 * len(BLANK_RANGES))
    wb.save(tmp_path / "example-only.xlsx")
    assert validate_framework(tmp_path / "example-only.xlsx").findings == []


def test_template_layout_validation_and_print_setup(template):
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == ["CPF", "Framework", "Instructions"]
    ws = wb["CPF"]
    assert [ws.cell(3, c).value for c in range(1, 8)] == list(HEADERS)
    assert ws.freeze_panes == "B4"
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.orientation == "landscape"
    assert ws.column_dimensions["E"].width == 48
    assert ws["E5"].alignment.wrap_text
    [dv] = ws.data_validations.dataValidation
    assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("whole", "between", "2", "8")
    assert str(dv.sqref) == "B4:B500"
    meta = wb["Framework"]
    assert [meta.cell(r, 1).value for r in range(1, 5)] == [
        "Name", "Job family", "Owner", "Version date"]
    rules = " ".join(str(c.value) for row in wb["Instructions"].iter_rows() for c in row)
    for phrase in ("'good'", "5 GCSEs at grades 4-9", "mandatory training", "months or years",
                   "Working towards"):
        assert phrase in rules


def test_template_is_not_overwritten_without_force(template):
    r = run_cli("template", "framework", "--out", template)
    assert r.returncode == 2 and "already exists" in r.stderr
    assert run_cli("template", "framework", "--out", template, "--force").returncode == 0


def test_the_instructions_none_in_addition_advice_passes_the_checks(template, tmp_path):
    # The Instructions sheet's own advice for a level that adds nothing must not itself
    # be reported (FW-REPEATED-TEXT); for Experience at B/C it sends the author to the
    # timeframe instead, as Appendix K asks.
    wb = openpyxl.load_workbook(template)
    rules = {r[0].value: r[1].value for r in wb["Instructions"].iter_rows() if r[0].value}
    assert "'None in addition to level A'" in rules["Every cell"]
    assert "'None in addition to level B'" in rules["Every cell"]
    assert "Experience at levels B and C always says how long" in rules["Every cell"]
    ws = wb["CPF"]
    ws.delete_rows(9, 5 * len(BLANK_RANGES))
    ws["F6"], ws["G6"] = "None in addition to level A", "None in addition to level B"  # Knowledge
    ws["F8"], ws["G8"] = "None in addition to level A.", "None in addition to level B."  # Skills
    wb.save(tmp_path / "none.xlsx")
    assert validate_framework(tmp_path / "none.xlsx").findings == []
