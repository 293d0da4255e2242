"""`medpay forms initial-assessment` (Appendix K, stage 9 "Implementation and Pay Forms"):
one Initial Assessment form per valid employee row, pre-filled and content-locked, the
manager's answers as tagged controls, read back by `medpay harvest`, laid out for print."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from addin.core import form_context as fc
from addin.core.model import CRITERIA, CriterionText, EstimateRow, Level, Role
from addin.office.docx import controls as dc
from addin.office.docx.forms import FORM_KINDS, template_path
from addin.office.docx.harvest import harvest
from addin.office.xlsx.estimates import HEADERS
from tests.conftest import BES_FRAMEWORK, ROOT, run_cli

AS_OF = "2025-03-03"
OUTPUT = ROOT / "tests" / "output"

MANAGER_TAGS = {
    "assessed_level", "meeting_date", "evidence_qualifications", "evidence_knowledge",
    "evidence_experience", "evidence_skills", "pdp_agreed", "employee_comments", "manager_name",
    "manager_signature", "manager_signature_date", "employee_signature", "employee_signature_date",
}
"""The tags the issue fixes (the payroll change instructions read them): keep them."""
LOCKED_TAGS = {"employee_id", "employee_name", "job_title", "team", "framework_name",
               "current_range_level", "current_salary", "estimated_range_level"}

# framework text of the Business Support Officer (range 3) in the shipped BES workbook
BSO_QUALIFICATIONS = {"A": "GCSE certificates to include Maths and English",      # E20
                      "B": "Working towards Level 3 in Business Administration.",  # F20
                      "C": "Completed Level 3 in Business Administration."}        # G20


def estimates(path: Path) -> Path:
    """Rows 2-8 of an estimates sheet (columns as the template: A employee ID ... I FTE ...
    Q estimated level):

    2 E1 3A -> B, eligible                          -> form
    3 E2 3C -> B (below current: a warning only)     -> form (salary honouring case)
    4 E3 3B -> C, under capability (not eligible)    -> form: every employee has a meeting
    5 E4 FTE 0 (an error, but in a cell the form does not print) -> form
    6 E5 estimated level unreadable (error in Q6)   -> skipped
    7, 8 E6 twice (duplicate ID: an error in A7 and A8) -> both skipped
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "Estimates"
    ws.append(list(HEADERS.values()))
    rows = [  # id, name, salary, fte, capability, current, estimated
        ("E1", "Seán O'Brien & <Sons>", 25584, 1, "No", "A", "B"),
        ("E2", "Zoë Ålund", 28349, 0.5, "No", "C", "B"),
        ("E3", "CON", 26967, 1, "Yes", "B", "C"),
        ("E4", "Ann Other", 25584, 0, "No", "A", "A"),
        ("E5", "Bob Smith", 25584, 1, "No", "A", "level B please"),
        ("E6", "Cath Jones", 25584, 1, "No", "A", "B"),
        ("E6", "Cath Jones", 25584, 1, "No", "A", "B"),
    ]
    for ident, name, salary, fte, capability, cur, est in rows:
        values = {
            "employee_id": ident, "employee_name": name, "directorate": "Corporate",
            "team": "Revenues & Benefits", "job_title": "Business Support Officer",
            "framework": "Business and Executive Support", "range": 3, "current_salary": salary,
            "fte": fte, "contract_type": "Permanent", "start_date": dt.date(2019, 1, 7),
            "probation_passed": "Yes", "capability": capability, "appraisal_outcome": "Met",
            "date_at_level": dt.date(2020, 1, 1), "current_level": cur, "estimated_level": est,
            "manager": "Jo Bloggs", "notes": "", "long_absence": "No",
        }
        ws.append([values[k] for k in HEADERS])
    wb.save(path)
    return path


def generate(tmp_path: Path, *extra: str) -> Path:
    est = estimates(tmp_path / "est.xlsx")
    out = tmp_path / "out"
    proc = run_cli("forms", "initial-assessment", "--estimates", est, "--framework", BES_FRAMEWORK,
                   "--as-of", AS_OF, "--out", out, *extra)
    assert proc.returncode == 0, proc.stderr
    assert "4 initial-assessment form(s) written" in proc.stdout
    assert "3 employee(s) skipped; see index-initial-assessment.xlsx" in proc.stdout
    return out


E1 = "E1 Seán O'Brien & _Sons_ initial-assessment.docx"
E2 = "E2 Zoë Ålund initial-assessment.docx"


def controls_of(data: bytes) -> dict[str, dc.Control]:
    return {c.tag: c for c in dc.read_controls(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))}


def part_text(data: bytes, prefix: str) -> str:
    z = zipfile.ZipFile(io.BytesIO(data))
    return "\n".join(dc.non_control_text(dc.part_root(data, n)) if n == "word/document.xml"
                     else "".join(dc.part_root(data, n).itertext())
                     for n in sorted(z.namelist()) if n.startswith(prefix))


# ----------------------------------------------------------------------------- template


def test_template_has_the_issue_tags_with_their_kinds_and_locks():
    root = dc.part_root(template_path(FORM_KINDS["initial-assessment"]).read_bytes())
    sdts = {dc.control_of(s).tag: s for s in dc.iter_sdts(root)}
    assert set(sdts) == MANAGER_TAGS | LOCKED_TAGS
    kinds = {t: dc.control_of(s).kind for t, s in sdts.items()}
    assert {t for t, k in kinds.items() if k == "date"} == {
        "meeting_date", "manager_signature_date", "employee_signature_date"}
    assert {t for t, k in kinds.items() if k == "dropdown"} == {"assessed_level", "pdp_agreed"}
    assert dc.control_of(sdts["assessed_level"]).choices == ("A", "B", "C")
    assert dc.control_of(sdts["pdp_agreed"]).choices == ("Yes", "No")
    locks = {t: dc.lock_of(s) for t, s in sdts.items()}
    assert {t for t, lock in locks.items() if lock == dc.CONTENT_LOCKED} == LOCKED_TAGS
    assert {locks[t] for t in MANAGER_TAGS} == {"sdtLocked"}
    for tag in ("evidence_qualifications", "evidence_knowledge", "evidence_experience",
                "evidence_skills", "employee_comments"):
        assert sdts[tag].find(f"{dc.w('sdtPr')}/{dc.w('text')}").get(dc.w("multiLine")) == "1", tag


def test_free_text_answers_are_bordered_boxes_with_room_to_write():
    """The evidence rows and the comments box are table cells (Table Grid borders) at
    least 3 cm high (1 cm = 567 twips)."""
    root = dc.part_root(template_path(FORM_KINDS["initial-assessment"]).read_bytes())
    for sdt in dc.iter_sdts(root):
        tag = dc.control_of(sdt).tag
        if tag.startswith("evidence_") or tag == "employee_comments":
            tr = next(a for a in sdt.iterancestors() if a.tag == dc.w("tr"))
            height = tr.find(f"{dc.w('trPr')}/{dc.w('trHeight')}")
            assert height.get(dc.w("hRule")) == "atLeast" and int(height.get(dc.w("val"))) >= 3 * 567, tag
            tbl = next(a for a in tr.iterancestors() if a.tag == dc.w("tbl"))
            assert tbl.find(f"{dc.w('tblPr')}/{dc.w('tblStyle')}").get(dc.w("val")) == "TableGrid"


# ----------------------------------------------------------------------------- context


def role() -> Role:
    return Role("Business Support Officer", 3, criteria={
        lv: {c: CriterionText(f"{c.value} {lv.value}") for c in CRITERIA} for lv in Level})


def row(**kw) -> EstimateRow:
    base = dict(file="e.xlsx", sheet="Estimates", row=2, employee_id="E1", employee_name="Ann",
                team="Team", job_title="Business Support Officer", range=3,
                current_salary=Decimal("25583.995"), current_level=Level.A, estimated_level=Level.C,
                manager="Jo Bloggs", cells={"employee_id": "A2", "fte": "I2", "estimated_level": "Q2",
                                            "current_salary": "H2"})
    base.update(kw)
    return EstimateRow(**base)


def test_context_prints_salary_to_the_penny_and_the_estimated_levels_criteria():
    ctx = fc.initial_assessment_context(row(), role(), "BES")
    # 25,583.995 rounds half-up to 25,584.00
    assert ctx["current_salary"] == "£25,584.00"
    assert (ctx["current_range_level"], ctx["estimated_range_level"], ctx["estimated_level_title"]) == (
        "3A", "3C", "Accomplished")
    assert ctx["framework_name"] == "BES" and ctx["manager_name"] == "Jo Bloggs"
    assert [ctx[f"framework_{c}"] for c in ("qualifications", "knowledge", "experience", "skills")] == [
        "Qualifications C", "Knowledge C", "Experience C", "Skills C"]


def test_blockers_are_errors_in_printed_cells_or_unknown_values_only():
    assert fc.initial_assessment_blockers(row(), {"I2": ["FTE must be more than 0"]}) == []
    assert fc.initial_assessment_blockers(row(), {"Q2": ["Estimated level: bad"], "I2": ["x"]}) == [
        "Q2: Estimated level: bad"]
    # no salary column at all: no cell, no error on the row, but the form cannot print it
    assert fc.initial_assessment_blockers(row(current_salary=None, cells={}), {}) == [
        "the current salary is not known; the form prints it, so fill it in and run again"]


# ----------------------------------------------------------------------------- command


def test_a_form_for_every_valid_row_eligible_or_not_and_an_index(tmp_path):
    out = generate(tmp_path)
    assert sorted(p.name for p in out.iterdir()) == sorted([
        E1, E2, "E3 CON initial-assessment.docx", "E4 Ann Other initial-assessment.docx",
        "index-initial-assessment.xlsx"])
    index = [[c.value for c in r] for r in
             load_workbook(out / "index-initial-assessment.xlsx").active.iter_rows(min_row=2)]
    assert [r[:5] for r in index] == [
        ["E1", "Seán O'Brien & <Sons>", "initial-assessment", E1, "made"],
        ["E2", "Zoë Ålund", "initial-assessment", E2, "made"],
        ["E3", "CON", "initial-assessment", "E3 CON initial-assessment.docx", "made"],
        ["E4", "Ann Other", "initial-assessment", "E4 Ann Other initial-assessment.docx", "made"],
        ["E5", "Bob Smith", "initial-assessment", None, "skipped"],
        ["E6", "Cath Jones", "initial-assessment", None, "skipped"],
        ["E6", "Cath Jones", "initial-assessment", None, "skipped"],
    ]
    assert [r[5] for r in index[:4]] == [None] * 4
    assert index[4][5] == ("correct the row and run again: Q6: Estimated level: expected a level A, B "
                           "or C (for example 'B' or '3B'), got 'level B please'")
    assert index[5][5] == ("correct the row and run again: A7: Employee ID E6 is on 2 rows (7, 8); "
                           "each employee must appear once")
    assert index[6][5] == ("correct the row and run again: A8: Employee ID E6 is on 2 rows (7, 8); "
                           "each employee must appear once")


def test_forms_are_prefilled_locked_and_protected(tmp_path):
    out = generate(tmp_path)
    data = (out / E2).read_bytes()
    c = controls_of(data)
    assert {t: c[t].value for t in LOCKED_TAGS} == {
        "employee_id": "E2", "employee_name": "Zoë Ålund", "job_title": "Business Support Officer",
        "team": "Revenues & Benefits", "framework_name": "Business and Executive Support",
        "current_range_level": "3C", "current_salary": "£28,349.00", "estimated_range_level": "3B"}
    assert c["manager_name"].value == "Jo Bloggs"  # from the estimates, editable
    assert {t: c[t].value for t in MANAGER_TAGS - {"manager_name"}} == dict.fromkeys(
        MANAGER_TAGS - {"manager_name"}, "")
    z = zipfile.ZipFile(out / E2)
    assert dc.protection_of(z.read("word/settings.xml")) == ("forms", True)
    props = dc.parse_custom_properties(z.read(dc.CUSTOM_PART))
    assert props[dc.PROP_FORM_TYPE] == "initial-assessment"
    assert json.loads(props[dc.PROP_PREFILL])["current_salary"] == "£28,349.00"
    # the estimated level's (B) framework text beside the boxes, not the current level's (C)
    body = dc.non_control_text(dc.part_root(data))
    assert BSO_QUALIFICATIONS["B"] in body and BSO_QUALIFICATIONS["C"] not in body
    assert "at the estimated level, 3B (Practising)" in body
    assert "their salary will be honoured" in body
    # E3 is estimated at C: level C's text
    e3 = dc.non_control_text(dc.part_root((out / "E3 CON initial-assessment.docx").read_bytes()))
    assert BSO_QUALIFICATIONS["C"] in e3 and BSO_QUALIFICATIONS["B"] not in e3


def test_every_page_says_whose_form_it_is_and_page_x_of_y(tmp_path):
    out = generate(tmp_path)
    data = (out / E1).read_bytes()
    # the header every form shares (tools.form_templates.running_head): council, title, version
    assert part_text(data, "word/header") == "Medway Council | Initial Assessment form | form version 1"
    assert "Employee ID E1 - Seán O'Brien & <Sons> | Page 1 of 1" in part_text(data, "word/footer")
    footer = zipfile.ZipFile(io.BytesIO(data))
    xml = b"".join(footer.read(n) for n in footer.namelist() if n.startswith("word/footer"))
    assert re.search(rb'w:instr=" PAGE ".*w:instr=" NUMPAGES "', xml, re.S)


# ----------------------------------------------------------------------------- harvest

FILLED = {
    "assessed_level": "C",
    "meeting_date": dt.date(2025, 3, 12),
    "evidence_qualifications": "Level 3 Business Administration, completed June 2024",
    "evidence_knowledge": "Three examples:\n1. the rota\n2. budget – ½ & <b>",
    "evidence_experience": "18 months at 3B",
    "evidence_skills": "Observed by Jo Bloggs",
    "pdp_agreed": "Yes",
    "employee_comments": "I agree with the outcome.\n\nThanks, Zoë",
    "manager_name": "Helen Marsh",
    "manager_signature": "H. Marsh",
    "manager_signature_date": dt.date(2025, 3, 13),
    "employee_signature": "Zoë Ålund",
    "employee_signature_date": dt.date(2025, 3, 14),
}
assert set(FILLED) == MANAGER_TAGS


def test_a_filled_form_harvests_back_every_tag(tmp_path):
    out = generate(tmp_path)
    filled = tmp_path / "filled"
    filled.mkdir()
    (filled / E2).write_bytes(dc.fill_controls((out / E2).read_bytes(), FILLED))
    result = harvest(filled)
    assert result.findings == []
    [form] = result.forms
    assert form["Form type"] == "initial-assessment" and form["Problems"] == ""
    for tag, typed in FILLED.items():
        assert form[tag] == typed, tag
    assert form["employee_id"] == "E2" and form["current_salary"] == "£28,349.00"
    # and through the command: one sheet named after the form type, dates as dates
    proc = run_cli("harvest", filled, "--out", tmp_path / "h.xlsx", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["forms"][0]["meeting_date"] == "2025-03-12"
    ws = load_workbook(tmp_path / "h.xlsx")["initial-assessment"]
    header = [c.value for c in ws[1]]
    got = {h: ws.cell(2, i + 1).value for i, h in enumerate(header)}
    assert got["assessed_level"] == "C" and got["pdp_agreed"] == "Yes"
    assert got["employee_signature_date"].date() == dt.date(2025, 3, 14)
    assert got["evidence_knowledge"] == FILLED["evidence_knowledge"]


def test_an_altered_locked_field_is_a_harvest_finding_naming_file_and_field(tmp_path):
    out = generate(tmp_path)
    filled = tmp_path / "filled"
    filled.mkdir()
    (filled / E2).write_bytes(dc.fill_controls((out / E2).read_bytes(),
                                               {**FILLED, "employee_id": "E9", "current_salary": "£30,000.00"}))
    result = harvest(filled)
    found = sorted((f.file, f.code, f.message) for f in result.findings)
    assert found == [
        (E2, "FORM-PREFILL-CHANGED", "the pre-filled current salary was changed from '£28,349.00' to "
                                     "'£30,000.00' after the form was generated; check the form with "
                                     "the employee and use the generated value"),
        (E2, "FORM-PREFILL-CHANGED", "the pre-filled employee ID was changed from 'E2' to 'E9' after the "
                                     "form was generated; check the form with the employee and use the "
                                     "generated value"),
    ]
    assert result.forms[0]["Problems"] == "FORM-PREFILL-CHANGED"


# ----------------------------------------------------------------------------- PDF


@pytest.mark.libreoffice
def test_pdf_of_a_form_prints_every_prefilled_value(tmp_path):
    out = generate(tmp_path, "--pdf")
    pdf = out / (Path(E1).stem + ".pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True, timeout=120).stdout
    flat = " ".join(text.split())
    for value in ("E1", "Seán O'Brien & <Sons>", "Business Support Officer", "Revenues & Benefits",
                  "Business and Executive Support", "3A", "£25,584.00", "3B", "Jo Bloggs",
                  BSO_QUALIFICATIONS["B"], "Medway Council | Initial Assessment form | form version 1",
                  "Employee ID E1 - Seán O'Brien & <Sons> | Page 1 of 2",
                  "Page 1 of 2", "Page 2 of 2"):
        assert value in flat, value
    OUTPUT.mkdir(parents=True, exist_ok=True)
    prefix = OUTPUT / "initial-assessment-page"
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(prefix)], check=True, timeout=120)
    pages = sorted(OUTPUT.glob("initial-assessment-page-*.png"))
    assert len(pages) == 2 and all(p.stat().st_size > 10_000 for p in pages)
