"""Word forms as they come back from real people and real word processors: harmless
re-saves, unprotected templates, folders with other files, duplicate rows, job titles
missing from the framework, changed identity fields, and round trips of the appraisal
and PDP forms through drop-downs, date pickers, split runs and special hyphens."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from openpyxl import Workbook, load_workbook

from addin.core import form_context as fc
from addin.core.errors import InputError
from addin.core.model import Level
from addin.office.docx import controls as dc
from addin.office.docx.forms import FORM_KINDS, LETTER_KINDS, generate_forms, render_docx, template_path
from addin.office.docx.harvest import FORM_CHECKS, harvest
from tests.conftest import BES_FRAMEWORK, ROOT, run_cli
from tests.test_forms import (
    AS_OF,
    PAY,
    application_bytes,
    decision,
    doc_xml,
    estimates_workbook,
    read_form_bytes,
    role,
    row,
    values_of,
)


def appraisal_bytes(r=None) -> bytes:
    return render_docx(template_path("appraisal.docx"), fc.appraisal_context(r or row(), AS_OF),
                       form_type="appraisal")


def pdp_bytes(r=None) -> bytes:
    return render_docx(template_path("pdp.docx"), fc.pdp_context(r or row(), AS_OF), form_type="pdp")


def with_root(data: bytes, edit) -> bytes:
    """A copy of a .docx with ``edit(root)`` applied to word/document.xml."""
    root = dc.part_root(data)
    edit(root)
    return dc.replace_part(data, "word/document.xml",
                           etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def problems(data: bytes) -> set[str]:
    return {f.code for f in FORM_CHECKS.run(read_form_bytes(data), None)}


def body_of(root):
    return root.find(dc.w("body"))


def paragraph(text: str = ""):
    p = etree.Element(dc.w("p"))
    if text:
        r = etree.SubElement(p, dc.w("r"))
        etree.SubElement(r, dc.w("t")).text = text
    return p


# ----------------------------------------------------------------------------- item 2


@pytest.mark.parametrize("name", [*FORM_KINDS.values()])
def test_every_form_template_body_ends_with_a_paragraph(name):
    body = body_of(dc.part_root(template_path(name).read_bytes()))
    last = [c for c in body if etree.QName(c).localname != "sectPr"][-1]
    assert etree.QName(last).localname == "p"


def _word_adds_final_paragraph(root):
    """Word: a body may not end with a table, so saving adds ``<w:p/>`` before sectPr."""
    body = body_of(root)
    body.find(dc.w("sectPr")).addprevious(etree.Element(dc.w("p")))


def _libreoffice_adds_blank_lines(root):
    body = body_of(root)
    for p in list(body.findall(dc.w("p")))[:6]:
        p.addnext(paragraph())
        p.addnext(paragraph("  "))


def _nbsp_soft_hyphen_and_split_runs(root):
    """The same words, saved differently: a non-breaking space, a soft hyphen, a
    non-breaking hyphen and a heading split into runs around a proofing marker."""
    for t in root.iter(dc.w("t")):
        if t.text == "SECTION 1 - About the employee":
            r = t.getparent()
            t.text = "SECTION\u00a01 - About the "
            r.addnext(etree.fromstring(f'<w:r xmlns:w="{dc.W_NS}"><w:t>em</w:t><w:softHyphen/>'
                                       '<w:t>ployee</w:t></w:r>'))
            r.addnext(etree.Element(dc.w("proofErr")))
        if t.text == "Short term objectives (next 1-3 months)":
            t.text = "Short  term objectives (next 1\u20113 months)\t"


@pytest.mark.parametrize("save", [_word_adds_final_paragraph, _libreoffice_adds_blank_lines,
                                  _nbsp_soft_hyphen_and_split_runs])
def test_harmless_resaves_are_not_edits_outside_the_controls(save):
    data = with_root(dc.fill_controls(appraisal_bytes(), {"training": "First aid"}), save)
    assert "FORM-EDITED-OUTSIDE" not in problems(data)


def test_a_form_made_from_a_template_ending_with_a_table_survives_word_adding_a_paragraph(tmp_path):
    """/tmp/audit7/wordsave/appraisal-final-para.docx: the old appraisal template ended
    with the next-conversations table; Word saved the form with an empty paragraph after
    it and the exact hash flagged it."""
    tpl = dc.part_root(template_path("appraisal.docx").read_bytes())
    body = body_of(tpl)
    body.remove([c for c in body if etree.QName(c).localname != "sectPr"][-1])  # the end paragraph
    old = tmp_path / "appraisal.docx"
    old.write_bytes(dc.replace_part(template_path("appraisal.docx").read_bytes(), "word/document.xml",
                                    etree.tostring(tpl)))
    form = render_docx(old, fc.appraisal_context(row(), AS_OF), form_type="appraisal")
    assert "FORM-EDITED-OUTSIDE" not in problems(with_root(form, _word_adds_final_paragraph))


def test_a_changed_sentence_is_still_an_edit_outside_the_controls():
    def edit(root):
        for t in root.iter(dc.w("t")):
            if t.text and "Reflect upon your satisfaction" in t.text:
                t.text = t.text.replace("Reflect upon your satisfaction", "Ignore your satisfaction")

    assert "FORM-EDITED-OUTSIDE" in problems(with_root(appraisal_bytes(), edit))


def test_forms_generated_with_the_exact_hash_are_still_accepted():
    import docx as python_docx

    data = appraisal_bytes()
    root = dc.part_root(data)
    d = python_docx.Document(io.BytesIO(data))
    dc.set_custom_properties(d, {dc.PROP_TEXT_HASH: dc.exact_text_hash(root)})
    out = io.BytesIO()
    d.save(out)
    assert "FORM-EDITED-OUTSIDE" not in problems(out.getvalue())


# ----------------------------------------------------------------------------- item 3


def _unprotected_templates(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", folder)
    for name in FORM_KINDS.values():
        p = folder / name
        data = p.read_bytes()
        settings = etree.fromstring(zipfile.ZipFile(p).read("word/settings.xml"))
        for prot in settings.findall(dc.w("documentProtection")):
            settings.remove(prot)
        data = dc.replace_part(data, "word/settings.xml", etree.tostring(settings))
        data = with_root(data, lambda root: [fp.getparent().remove(fp) for fp in list(root.iter(dc.w("formProt")))])
        p.write_bytes(data)
        assert dc.protection_of(zipfile.ZipFile(p).read("word/settings.xml")) == (None, False)
    return folder


def test_forms_from_an_unprotected_template_are_protected(tmp_path):
    templates = _unprotected_templates(tmp_path)
    est = estimates_workbook(tmp_path / "est.xlsx")
    for kind in ("appraisal", "pdp", "application"):
        out = tmp_path / kind
        proc = run_cli("forms", kind, "--estimates", est, "--framework", BES_FRAMEWORK,
                       "--as-of", "2025-03-03", "--out", out, "--templates", templates)
        assert proc.returncode == 0, proc.stderr
        docs = list(out.glob("*.docx"))
        assert docs
        for p in docs:
            z = zipfile.ZipFile(p)
            assert dc.protection_of(z.read("word/settings.xml")) == ("forms", True), p.name
            assert b"formProt" in z.read("word/document.xml")
        assert not [f for f in harvest(out).findings if f.code == "FORM-UNPROTECTED"]


def test_letters_stay_unprotected():
    data = render_docx(template_path(LETTER_KINDS["approved"]),
                       fc.approved_letter_context(decision(decision="Approved", new_level=Level.B), PAY, AS_OF))
    assert dc.protection_of(zipfile.ZipFile(io.BytesIO(data)).read("word/settings.xml")) == (None, False)


# ----------------------------------------------------------------------------- item 4


def test_harvest_reports_files_that_are_not_forms_and_passes_over_office_and_medpay_files(tmp_path):
    est = estimates_workbook(tmp_path / "est.xlsx")
    forms = tmp_path / "forms"
    proc = run_cli("forms", "appraisal", "--estimates", est, "--framework", BES_FRAMEWORK,
                   "--as-of", "2025-03-03", "--out", forms)
    assert proc.returncode == 0, proc.stderr
    (forms / "notes.txt").write_text("ok")
    (forms / "E1 application.pdf").write_bytes(b"%PDF-1.4")
    wb = Workbook()
    wb.save(forms / "index.xlsx")  # someone else's workbook with a familiar name
    (forms / "~$E1 form.docx").write_bytes(b"\0")
    (forms / ".DS_Store").write_bytes(b"\0")
    (forms / ".git").mkdir()
    (forms / ".git" / "HEAD").write_text("ref")
    (forms / "Thumbs.db").write_bytes(b"\0")
    result = harvest(forms)
    found = {(f.file, f.code): f.message for f in result.findings}
    assert set(found) == {("notes.txt", "FORM-NOT-A-DOCUMENT"), ("E1 application.pdf", "FORM-NOT-A-DOCUMENT"),
                          ("index.xlsx", "FORM-NOT-A-DOCUMENT")}
    assert found[("E1 application.pdf", "FORM-NOT-A-DOCUMENT")] == (
        "not a form; skipped (a PDF: return the Word form (.docx) instead, a PDF cannot be read back)")
    assert found[("notes.txt", "FORM-NOT-A-DOCUMENT")].startswith("not a form; skipped (a txt file")
    assert len(result.forms) == 3  # index-appraisal.xlsx (medpay's own) passed over silently
    assert (forms / "index-appraisal.xlsx").exists()


# ----------------------------------------------------------------------------- item 5


def _duplicate_estimates(tmp_path: Path) -> Path:
    est = estimates_workbook(tmp_path / "est.xlsx")
    wb = load_workbook(est)
    ws = wb.active
    ws.append([c.value for c in ws[2]])  # E1 again (a second post, or a pasted-twice row)
    wb.save(est)
    return est


@pytest.mark.parametrize("force", [False, True])
def test_a_duplicate_employee_row_gets_its_own_form_and_the_run_finishes(tmp_path, force):
    est = _duplicate_estimates(tmp_path)
    out = tmp_path / "out"
    args = ["forms", "appraisal", "--estimates", est, "--framework", BES_FRAMEWORK,
            "--as-of", "2025-03-03", "--out", out]
    proc = run_cli(*args, *(["--force"] if force else []))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "E1 Seán O'Brien & _Sons_ appraisal (2).docx", "E1 Seán O'Brien & _Sons_ appraisal.docx",
        "E2 Zoë Ålund appraisal.docx", "E3 CON appraisal.docx", "index-appraisal.xlsx"]
    rows = [[c.value for c in r] for r in load_workbook(out / "index-appraisal.xlsx").active.iter_rows(min_row=2)]
    assert [r[3:5] for r in rows] == [
        ["E1 Seán O'Brien & _Sons_ appraisal.docx", "made"], ["E2 Zoë Ålund appraisal.docx", "made"],
        ["E3 CON appraisal.docx", "made"], ["E1 Seán O'Brien & _Sons_ appraisal (2).docx", "made"]]
    assert rows[3][5].startswith("another row (row 2) gives the same file name")
    if force:  # a second run with --force replaces, still one form per row
        again = run_cli(*args, "--force")
        assert again.returncode == 0, again.stderr
        assert len(list(out.glob("*.docx"))) == 4


def test_an_existing_form_stops_the_run_before_anything_is_written(tmp_path):
    est = estimates_workbook(tmp_path / "est.xlsx")
    out = tmp_path / "out"
    out.mkdir()
    (out / "E3 CON appraisal.docx").write_bytes(b"someone's filled form")
    proc = run_cli("forms", "appraisal", "--estimates", est, "--framework", BES_FRAMEWORK,
                   "--as-of", "2025-03-03", "--out", out)
    assert proc.returncode == 2 and "already exists" in proc.stderr
    assert [p.name for p in out.iterdir()] == ["E3 CON appraisal.docx"]


def test_pdf_without_libreoffice_fails_before_writing_anything(tmp_path):
    est = estimates_workbook(tmp_path / "est.xlsx")
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k != "PATH"}
    env["PATH"] = str(tmp_path / "empty-bin")  # no soffice on it
    for cmd in (["forms", "appraisal", "--estimates", est, "--framework", BES_FRAMEWORK],
                ["letters", "--decisions", ROOT / "workbooks" / "decisions" / "sample-decisions.xlsx",
                 "--framework", BES_FRAMEWORK]):
        proc = subprocess.run([sys.executable, "-m", "addin", *map(str, cmd), "--as-of", "2025-05-22",
                               "--out", str(out), "--pdf"], capture_output=True, text=True, cwd=ROOT,
                              env=env, timeout=300)
        assert proc.returncode == 2, proc.stderr
        assert "LibreOffice (soffice) is not installed" in proc.stderr
        assert not out.exists() or not list(out.iterdir())


# ----------------------------------------------------------------------------- item 6


def test_application_for_a_job_title_not_in_the_framework_is_skipped_with_the_reason(tmp_path):
    from addin.office.xlsx.frameworks import read_frameworks

    frameworks = read_frameworks([BES_FRAMEWORK])
    rows = [row(employee_id="E9", job_title="Chief Unicorn Wrangler")]
    made = generate_forms("application", rows, frameworks=frameworks, pay=PAY, as_of=AS_OF,
                          out_dir=tmp_path)
    [m] = made
    assert (m.status, m.file) == ("skipped", "")
    # validate-estimates' eligibility: the unknown job title is an error on the row
    assert m.reason == (
        "Cannot be assessed until the errors on this row are corrected (cell A2); A2: Job title "
        "'Chief Unicorn Wrangler' is not in the framework 'Business and Executive Support'; use "
        "the drop-down list of job titles")
    assert not list(tmp_path.glob("*.docx"))
    assert (tmp_path / "index-application.xlsx").exists()


# ----------------------------------------------------------------------------- item 7

LOCKED = {"application": {"employee_id", "framework_name", "current_range_level", "level_requested"},
          "appraisal": {"employee_id"}, "pdp": {"employee_id"},
          "initial-assessment": {"employee_id", "employee_name", "job_title", "team", "framework_name",
                                 "current_range_level", "current_salary", "estimated_range_level"}}


@pytest.mark.parametrize("kind", sorted(LOCKED))
def test_identity_fields_are_content_locked_in_the_templates(kind):
    root = dc.part_root(template_path(FORM_KINDS[kind]).read_bytes())
    locks = {dc.control_of(s).tag: dc.lock_of(s) for s in dc.iter_sdts(root)}
    assert {t for t, lock in locks.items() if lock == "sdtContentLocked"} == LOCKED[kind]
    assert {lock for t, lock in locks.items() if t not in LOCKED[kind]} == {"sdtLocked"}


def test_a_changed_prefilled_identity_field_is_reported(tmp_path):
    data = application_bytes()
    props = read_form_bytes(data).props
    assert "\"level_requested\": \"3B\"" in props[dc.PROP_PREFILL]
    assert problems(dc.fill_controls(data, {"evidence_skills": "x"})) == set()
    changed = dc.fill_controls(data, {"level_requested": "3C", "employee_id": "E2"})
    (tmp_path / "f.docx").write_bytes(changed)
    result = harvest(tmp_path)
    msgs = sorted(f.message for f in result.findings if f.code == "FORM-PREFILL-CHANGED")
    assert msgs == [
        "the pre-filled employee ID was changed from 'E1' to 'E2' after the form was generated; "
        "check the form with the employee and use the generated value",
        "the pre-filled level requested was changed from '3B' to '3C' after the form was generated; "
        "check the form with the employee and use the generated value"]
    assert result.forms[0]["Problems"] == "FORM-PREFILL-CHANGED"
    assert all(f.is_error for f in result.findings)


# ----------------------------------------------------------------------------- item 8

APPRAISAL_FILLED = {
    "date_objective_setting": dt.date(2025, 3, 14),
    "wellbeing_fulfilled": "  Mostly – très bien, 👍  ",
    "career_choice": "Considering moving to a role at a higher range, now or in the future",
    "objective_st_1_set": "Run the Łódź–Medway exchange\nwith 3 partners",
    "objective_st_1_measure": "Smith\u2011Jones sign-off; co\u00adoperation",
    "objective_st_1_target_date": dt.date(2025, 6, 30),
    "objective_st_1_outcome": "Exceeded",
    "objective_st_2_outcome": "Not met",
    "objective_lt_4_outcome": "Met",
    "objective_lt_4_review_3": "\tindented line\nsecond\n\nfourth",
    "values_caring": "Ó Súilleabháin's team",
    "next_conversation_3m": "",  # cleared: the pre-filled date deleted
    "job_title": "",  # a pre-filled text field cleared
}
PDP_FILLED = {
    "pdp_1_develop": "Excel — pivot tables",
    "pdp_1_progress": "I'll know when…\n…I can teach it",
    "pdp_4_reflection": " trailing and leading ",
    "year": "2025/26 (revised)",
}


def _split_runs_like_word(data: bytes, tags: set[str]) -> bytes:
    """Re-save the controls' content as Word does after editing: text split over several
    runs with proofing and bookmark markers between them, the same text overall."""
    def edit(root):
        for sdt in dc.iter_sdts(root):
            tag = dc.control_of(sdt).tag
            if tag not in tags:
                continue
            content = sdt.find(dc.w("sdtContent"))
            runs = content.findall(dc.w("r"))
            new = []
            for r in runs:
                for child in r:
                    name = etree.QName(child).localname
                    if name == "t" and len(child.text or "") > 2:
                        text = child.text
                        cut = len(text) // 2
                        for piece in (text[:cut], text[cut:]):
                            nr = etree.Element(dc.w("r"))
                            etree.SubElement(nr, dc.w("rPr"))
                            t = etree.SubElement(nr, dc.w("t"))
                            t.text = piece
                            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                            new.append(nr)
                            new.append(etree.Element(dc.w("proofErr"), {dc.w("type"): "spellStart"}))
                    elif name != "rPr":
                        nr = etree.Element(dc.w("r"))
                        nr.append(child.__copy__())
                        new.append(nr)
            for r in runs:
                content.remove(r)
            content.append(etree.Element(dc.w("bookmarkStart"), {dc.w("id"): "0", dc.w("name"): "_GoBack"}))
            for el in new:
                content.append(el)
            content.append(etree.Element(dc.w("bookmarkEnd"), {dc.w("id"): "0"}))
    return with_root(data, edit)


@pytest.mark.parametrize("kind, make, filled", [
    ("appraisal", appraisal_bytes, APPRAISAL_FILLED),
    ("pdp", pdp_bytes, PDP_FILLED),
])
def test_round_trip_of_appraisal_and_pdp_returns_exactly_what_was_typed(tmp_path, kind, make, filled):
    data = dc.fill_controls(make(), filled)
    data = _split_runs_like_word(data, {t for t, v in filled.items() if isinstance(v, str) and v})
    (tmp_path / f"{kind}.docx").write_bytes(data)
    result = harvest(tmp_path)
    assert result.findings == []
    [form] = result.forms
    assert form["Form type"] == kind
    for tag, typed in filled.items():
        assert form[tag] == typed, tag
    assert form["employee_name"] == "Seán O'Brien & <Sons>"  # pre-filled, untouched
    if kind == "appraisal":
        assert form["next_conversation_6m"] == dt.date(2025, 9, 3)
        assert form["objective_st_3_outcome"] == ""  # never chosen


def test_special_hyphens_are_written_and_read_as_word_does():
    data = dc.fill_controls(appraisal_bytes(), {"training": "Smith\u2011Jones co\u00adoperation"})
    xml = doc_xml(data)
    assert b"<w:noBreakHyphen/>" in xml and b"<w:softHyphen/>" in xml
    assert values_of(data)["training"] == "Smith\u2011Jones co\u00adoperation"


def test_clearing_a_prefilled_date_restores_the_placeholder():
    data = dc.fill_controls(appraisal_bytes(), {"next_conversation_3m": ""})
    root = dc.part_root(data)
    sdt = next(s for s in dc.iter_sdts(root) if dc.control_of(s).tag == "next_conversation_3m")
    pr = sdt.find(dc.w("sdtPr"))
    assert pr.find(dc.w("showingPlcHdr")) is not None
    assert pr.find(dc.w("date")).get(dc.w("fullDate")) is None
    assert dc.control_of(sdt).value == ""


# ----------------------------------------------------------------------------- item 9


def test_application_authorisation_names_the_grandparent_manager():
    r = row(extra={"Grandparent manager": "Priya Patel"})
    data = render_docx(template_path("application.docx"),
                       fc.application_context(r, role(), "BES", PAY, AS_OF), form_type="application")
    assert values_of(data)["authoriser_name"] == "Priya Patel"
    assert "Authorisation by the grandparent manager" in dc.non_control_text(dc.part_root(data))
    assert values_of(application_bytes())["authoriser_name"] == ""  # no column: left to fill in


def test_an_undefined_attribute_in_a_loop_is_named_as_the_template_spells_it(tmp_path):
    from docx import Document

    d = Document()
    d.add_paragraph("{% for area in areas %}{{ area.criterion }}: {{ area.texxt }}{% endfor %}")
    tpl = tmp_path / "loop.docx"
    d.save(tpl)
    with pytest.raises(InputError) as e:
        render_docx(tpl, {"areas": [{"criterion": "Skills", "text": "x"}]})
    assert "{{ area.texxt }}" in str(e.value) and "loop.docx" in str(e.value)


def test_objective_rows_do_not_break_across_pages_and_headers_repeat():
    root = dc.part_root(template_path("appraisal.docx").read_bytes())
    tables = root.iter(dc.w("tbl"))
    objective_tables = [t for t in tables if b"objective_st_1_set" in etree.tostring(t)
                        or b"objective_lt_1_set" in etree.tostring(t)]
    assert len(objective_tables) == 2
    for t in objective_tables:
        rows = t.findall(dc.w("tr"))
        assert len(rows) == 17
        assert all(r.find(f"{dc.w('trPr')}/{dc.w('cantSplit')}") is not None for r in rows)
        assert rows[0].find(f"{dc.w('trPr')}/{dc.w('tblHeader')}") is not None
        assert all(r.find(f"{dc.w('trPr')}/{dc.w('tblHeader')}") is None for r in rows[1:])


@pytest.mark.libreoffice
def test_generated_appraisal_first_page_renders(tmp_path):
    """Page 1 of a generated appraisal to PNG (tests/output/appraisal-page.png) for a person
    to look at."""
    from addin.office.docx.forms import convert_to_pdf

    if not shutil.which("soffice") and not shutil.which("libreoffice"):
        pytest.fail("LibreOffice is not installed: run the tests through scripts/test")
    doc = tmp_path / "appraisal.docx"
    doc.write_bytes(appraisal_bytes())
    [pdf] = convert_to_pdf([doc], tmp_path)
    out = ROOT / "tests" / "output"
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(out / "appraisal-page")], check=True, timeout=120)
    assert (out / "appraisal-page.png").stat().st_size > 10_000

