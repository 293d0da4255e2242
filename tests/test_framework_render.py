"""The published framework (``medpay render framework``): Word document from the template."""

from __future__ import annotations

import shutil

import docx
import openpyxl
import pytest

from addin.core.model import Criterion, CriterionText, Framework, Level, Role
from addin.office.docx.framework_render import build_framework_docx_template, framework_context
from addin.office.xlsx.frameworks import read_framework
from tests.conftest import BES_FRAMEWORK, ROOT, convert_with_libreoffice, run_cli

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def bes_docx(tmp_path_factory):
    out = tmp_path_factory.mktemp("render") / "bes.docx"
    r = run_cli("render", "framework", BES_FRAMEWORK, "--out", out)
    assert r.returncode == 0, r.stderr
    return out


def test_shipped_template_is_committed():
    assert (ROOT / "templates" / "framework.docx").exists()


def test_each_role_has_title_range_duties_and_grid_in_workbook_order(bes_docx):
    fw = read_framework(BES_FRAMEWORK)
    doc = docx.Document(bes_docx)
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [r.title for r in fw.roles]
    assert doc.paragraphs[0].text == "Business and Executive Support"
    ranges = [p.text for p in doc.paragraphs if p.text.startswith("Range: ")]
    assert ranges == [f"Range: {'' if r.range is None else r.range}" for r in fw.roles]
    assert len(doc.tables) == len(fw.roles)
    for role, table in zip(fw.roles, doc.tables):
        rows = [[c.text for c in row.cells] for row in table.rows]
        rng = "" if role.range is None else role.range
        assert rows[0] == ["Criterion", f"Level A (Developing) {rng}A",
                           f"Level B (Practising) {rng}B", f"Level C (Accomplished) {rng}C"]
        assert rows[1][2:] == ["In addition to level A", "In addition to levels A and B"]
        assert [r[0] for r in rows[2:]] == ["Qualifications", "Knowledge", "Experience", "Skills"]
        for row, crit in zip(rows[2:], Criterion):
            assert row[1:] == [role.text(lv, crit) for lv in Level]


def test_multi_line_cells_keep_their_line_breaks(bes_docx):
    wb = openpyxl.load_workbook(BES_FRAMEWORK)
    g15 = wb["Business and Executive Support"]["G15"].value  # Personal Assistant 3C quals
    assert "\n" in g15
    doc = docx.Document(bes_docx)
    pa = doc.tables[2]
    assert pa.rows[2].cells[3].text == g15.strip()


def test_grid_header_row_repeats_on_every_page(bes_docx):
    doc = docx.Document(bes_docx)
    for table in doc.tables:
        tr_pr = table.rows[0]._tr.trPr
        assert tr_pr is not None and tr_pr.find(f"{W}tblHeader") is not None
        assert table.rows[2]._tr.trPr is None or table.rows[2]._tr.trPr.find(f"{W}tblHeader") is None


def _fw(title: str, text: str) -> Framework:
    role = Role(title=title, range=3, duties="d")
    role.criteria = {lv: {c: CriterionText(text) for c in Criterion} for lv in Level}
    untitled = Role(title="", range=4)
    return Framework(name="N", roles=[role, untitled])


def test_context_is_plain_data_and_skips_untitled_blocks():
    ctx = framework_context(_fw("Clerk", "x"), listing=False)
    assert ctx["framework"] == {"name": "N", "job_family": "", "owner": "", "version_date": ""}
    [role] = ctx["roles"]
    assert (role["title"], role["range"], role["code_b"]) == ("Clerk", "3", "3B")
    assert role["rows"][2] == {"criterion": "Experience", "a": "x", "b": "x", "c": "x"}


def test_markup_and_template_syntax_in_cells_are_written_as_text(tmp_path):
    from jinja2 import StrictUndefined

    from addin.office.docx.safe import render_template, sandboxed_env

    tpl = build_framework_docx_template(tmp_path / "t.docx")
    nasty = "</w:t></w:r><w:r><w:t>{{ 7*7 }} & <b>"
    doc = render_template(tpl, framework_context(_fw(nasty, nasty)),
                          env=sandboxed_env(undefined=StrictUndefined))
    doc.save(tmp_path / "o.docx")
    out = docx.Document(tmp_path / "o.docx")
    assert [p.text for p in out.paragraphs if p.style.name == "Heading 1"] == [nasty]
    assert out.tables[0].rows[2].cells[1].text == nasty


def test_unknown_field_in_a_restyled_template_is_a_one_line_error(tmp_path):
    tpl = build_framework_docx_template(tmp_path / "t.docx")
    d = docx.Document(tpl)
    d.add_paragraph("{{ framework.nope }}")
    d.save(tpl)
    r = run_cli("render", "framework", BES_FRAMEWORK, "--out", tmp_path / "o.docx",
                "--template", tpl)
    assert r.returncode == 2
    assert "nope" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o.docx").exists()


def test_hr_restyling_survives_rendering(tmp_path):
    from docx.shared import RGBColor

    tpl = tmp_path / "styled.docx"
    shutil.copy(ROOT / "templates" / "framework.docx", tpl)
    d = docx.Document(tpl)
    d.styles["Heading 1"].font.color.rgb = RGBColor(0x80, 0x00, 0x80)
    d.save(tpl)
    out = tmp_path / "o.docx"
    assert run_cli("render", "framework", BES_FRAMEWORK, "--out", out, "--template",
                   tpl).returncode == 0
    assert docx.Document(out).styles["Heading 1"].font.color.rgb == RGBColor(0x80, 0x00, 0x80)


def test_existing_output_is_kept_without_force(bes_docx):
    before = bes_docx.read_bytes()
    r = run_cli("render", "framework", BES_FRAMEWORK, "--out", bes_docx)
    assert r.returncode == 2 and "already exists" in r.stderr
    assert bes_docx.read_bytes() == before


@pytest.mark.libreoffice
def test_rendered_document_opens_in_libreoffice(bes_docx, tmp_path):
    pdf = convert_with_libreoffice(bes_docx, "pdf", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_a_workbook_without_a_framework_table_is_refused_and_nothing_is_written(tmp_path):
    src = tmp_path / "list.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Roles"
    wb.active["A1"] = "a list of roles, not an Appendix H table"
    wb.save(src)
    out = tmp_path / "o.docx"
    r = run_cli("render", "framework", src, "--out", out)
    assert r.returncode == 2 and r.stdout == ""
    [line] = r.stderr.strip().splitlines()
    assert line.startswith(f"medpay: {src}: no Appendix H framework table found")
    assert not out.exists()


def test_a_table_with_no_titled_role_is_refused(tmp_path):
    src = tmp_path / "empty.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Job Title", "Range", "Duties", "Criterion", "Level A (Developing)",
                      "Level B (Practising)", "Level C (Accomplished)"])
    wb.save(src)
    r = run_cli("render", "framework", src, "--out", tmp_path / "o.docx")
    assert r.returncode == 2
    assert "no role with a job title" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o.docx").exists()
