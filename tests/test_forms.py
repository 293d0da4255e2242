"""Word forms: templates, rendering (escaping, strictness, sandbox), contexts, round trip
through harvest, problems reported by name, commands, PDF conversion."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from addin.core import form_context as fc
from addin.core.errors import InputError
from addin.core.model import CRITERIA, Criterion, CriterionText, EstimateRow, Level, Role
from addin.office.docx import controls as dc
from addin.office.docx.forms import FORM_KINDS, LETTER_KINDS, render_docx, template_path
from addin.office.docx.harvest import harvest, read_form
from addin.office.xlsx.settings import read_pay_settings
from tests.conftest import BES_FRAMEWORK, ROOT, run_cli
from tools.bench_forms import bench_forms

PAY = read_pay_settings()
AS_OF = dt.date(2025, 3, 3)
OUTPUT = ROOT / "tests" / "output"


def role() -> Role:
    return Role("Business Support Officer", 3, criteria={
        lv: {c: CriterionText(f"{c.value} {lv.value}: one\ntwo") for c in CRITERIA} for lv in Level})


def row(**kw) -> EstimateRow:
    base = dict(file="e.xlsx", sheet="Estimates", row=2, employee_id="E1", employee_name="Seán O'Brien & <Sons>",
                directorate="Corporate", team="Business Support", job_title="Business Support Officer",
                framework="Business and Executive Support", range=3, current_salary=Decimal("25584"),
                fte=Decimal("1"), contract_type="Permanent", start_date=dt.date(2019, 1, 7),
                probation_passed=True, capability=False, appraisal_outcome="Met",
                date_at_level=dt.date(2020, 1, 1), current_level=Level.A, estimated_level=Level.B,
                manager="Jo Bloggs")
    base.update(kw)
    return EstimateRow(**base)


def doc_xml(data: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")


def values_of(data: bytes) -> dict:
    return {c.tag: c.value for c in dc.read_controls(doc_xml(data)) if c.tag}


def application_bytes(r: EstimateRow | None = None) -> bytes:
    ctx = fc.application_context(r or row(), role(), "Business and Executive Support", PAY, AS_OF)
    return render_docx(template_path(FORM_KINDS["application"]), ctx, form_type="application")


# ----------------------------------------------------------------------------- templates


@pytest.mark.parametrize("name", [*FORM_KINDS.values()])
def test_form_templates_are_protected_for_filling_in_forms_with_tagged_controls(name):
    data = template_path(name).read_bytes()
    z = zipfile.ZipFile(io.BytesIO(data))
    assert dc.protection_of(z.read("word/settings.xml")) == ("forms", True)
    controls = dc.read_controls(z.read("word/document.xml"))
    tags = [c.tag for c in controls]
    assert all(t and dc.valid_tag(t) for t in tags)
    assert len(tags) == len(set(tags)), "tags are unique"
    assert all(c.title for c in controls)
    props = dc.parse_custom_properties(z.read(dc.CUSTOM_PART))
    assert props[dc.PROP_FORM_TYPE] == name.removesuffix(".docx")


def test_appraisal_template_has_four_short_and_four_long_objectives_with_outcome_dropdowns():
    controls = {c.tag: c for c in dc.read_controls(zipfile.ZipFile(
        template_path("appraisal.docx")).read("word/document.xml"))}
    for span in ("st", "lt"):
        for n in range(1, 5):
            out = controls[f"objective_{span}_{n}_outcome"]
            assert out.kind == "dropdown" and out.choices == ("Not met", "Met", "Exceeded")
            assert controls[f"objective_{span}_{n}_target_date"].kind == "date"
            for k in (1, 2, 3):
                assert f"objective_{span}_{n}_review_{k}" in controls
    assert "objective_st_5_outcome" not in controls
    assert [t for t in controls if t.startswith("values_")] == [
        "values_proud", "values_caring", "values_respectful", "values_trusted", "values_ambitious",
        "values_collaborative"]


# ----------------------------------------------------------------------------- rendering


def test_application_prefills_part_1_framework_text_and_the_actual_upload_deadline():
    data = application_bytes()
    v = values_of(data)
    assert v["employee_name"] == "Seán O'Brien & <Sons>"
    assert v["current_range_level"] == "3A" and v["level_requested"] == "3B"
    assert v["date_commenced"] == dt.date(2019, 1, 7)
    assert v["probation_passed"] == "Yes"
    assert v["team_location"] == "Business Support, Corporate"
    assert v["evidence_knowledge"] == "" and v["manager_supports"] == ""
    text = dc.non_control_text(dc.part_root(data))
    # as of 3 March 2025 the next pay change is 1 July 2025, forms in by 1 June 2025 (Appendix F)
    assert "by 1 June 2025 for the pay change on 1 July 2025" in text
    assert "Knowledge B: one\ntwo" in text  # the requested level's framework text, line breaks kept
    assert "Knowledge A" not in text


def test_escaping_keeps_xml_special_characters_as_text():
    data = application_bytes(row(employee_name="</w:t><w:t>x & 'y' \"z\""))
    assert values_of(data)["employee_name"] == "</w:t><w:t>x & 'y' \"z\""


def _template_with(tmp_path: Path, text: str) -> Path:
    from docx import Document

    d = Document()
    d.add_paragraph(text)
    p = tmp_path / "custom.docx"
    d.save(p)
    return p


def test_undefined_placeholder_is_an_error_naming_template_and_variable(tmp_path):
    tpl = _template_with(tmp_path, "Hello {{ employee_nme }}")
    with pytest.raises(InputError) as e:
        render_docx(tpl, {"employee_name": "x"})
    assert "custom.docx" in str(e.value) and "{{ employee_nme }}" in str(e.value)


def test_template_reaching_python_internals_is_refused(tmp_path):
    tpl = _template_with(tmp_path, "{{ ''.__class__.__mro__ }}")
    with pytest.raises(InputError) as e:
        render_docx(tpl, {})
    assert "Python internals" in str(e.value) and "custom.docx" in str(e.value)


def test_appraisal_next_conversations_are_3_6_9_12_months_on():
    ctx = fc.appraisal_context(row(), dt.date(2024, 11, 30))
    data = render_docx(template_path("appraisal.docx"), ctx, form_type="appraisal")
    v = values_of(data)
    assert [v[f"next_conversation_{m}m"] for m in (3, 6, 9, 12)] == [
        dt.date(2025, 2, 28), dt.date(2025, 5, 30), dt.date(2025, 8, 30), dt.date(2025, 11, 30)]


def test_appraisal_names_the_end_of_year_review_window():
    """6.14: the end-of-year conversation is in February or March; a form made in
    November 2024 is assessed in February-March 2025, one made in March 2025 in that
    same window."""
    import docx

    for as_of, expected in ((dt.date(2024, 11, 30), "February-March 2025"),
                            (dt.date(2025, 3, 3), "February-March 2025"),
                            (dt.date(2025, 4, 1), "February-March 2026")):
        data = render_docx(template_path("appraisal.docx"), fc.appraisal_context(row(), as_of),
                           form_type="appraisal")
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
        assert (f"The end-of-year review (meeting 3) takes place in {expected}, when the "
                "objectives are assessed as Not met, Met or Exceeded (policy 6.14).") in text


def test_pdp_year_and_name():
    v = values_of(render_docx(template_path("pdp.docx"), fc.pdp_context(row(), AS_OF), form_type="pdp"))
    assert (v["employee_name"], v["job_role"], v["year"]) == (
        "Seán O'Brien & <Sons>", "Business Support Officer", "2025/26")


def test_application_only_for_eligible_estimated_above_current():
    assert fc.wants_application(row(), True)
    assert not fc.wants_application(row(estimated_level=Level.A), True)
    assert not fc.wants_application(row(), False)


# ----------------------------------------------------------------------------- letters


def decision(**kw) -> fc.Decision:
    base = dict(employee_id="E2", employee_name="Zoë", decision="Declined",
                decision_date=dt.date(2025, 5, 21), range=3, new_level=Level.C,
                current_level=Level.B, areas=[Criterion.SKILLS])
    base.update(kw)
    return fc.Decision(**base)


def test_approved_letter_new_salary_from_pay_ranges_and_effective_date():
    ctx = fc.approved_letter_context(decision(decision="Approved", new_level=Level.B), PAY, AS_OF)
    # range 3 level B in workbooks/pay-ranges.xlsx is 26,967; decided 21 May 2025 -> 1 July 2025
    assert ctx["new_salary"] == "£26,967.00"
    assert ctx["effective_date"] == "1 July 2025"
    assert ctx["new_range_level"] == "3B"


def test_declined_letter_areas_next_window_and_appeal_deadline():
    ctx = fc.declined_letter_context(decision(), role(), PAY, dt.date(2025, 5, 22))
    assert ctx["areas"] == [{"criterion": "Skills", "text": "Skills C: one\ntwo"}]
    # letter dated Thursday 22 May 2025 + 5 working days, skipping the weekend and the
    # 26 May bank holiday: 23, 27, 28, 29, 30 May
    assert ctx["appeal_deadline"] == "30 May 2025"
    assert ctx["next_window"] == "1 January 2026"
    assert ctx["appeal_to"] == fc.DEFAULT_APPEAL_TO
    data = render_docx(template_path(LETTER_KINDS["declined"]), ctx)
    text = dc.non_control_text(dc.part_root(data))
    assert "Skills: Skills C: one\ntwo" in text
    assert "by 30 May 2025" in text and "{%" not in text


def test_appeal_deadline_runs_from_the_letter_date_not_the_decision_date():
    """7.25: "within five working days of receipt of notification"; the letter says "of
    receiving this letter". Decided Wednesday 17 December 2025, letter dated Friday 19
    December: Mon 22 (1), Tue 23 (2), Wed 24 (3), Christmas Day and Boxing Day are bank
    holidays, the weekend, Mon 29 (4), Tue 30 (5). From the decision date it would have
    been Wednesday 24 December - two days the employee never had."""
    d = decision(decision_date=dt.date(2025, 12, 17))
    ctx = fc.declined_letter_context(d, role(), PAY, dt.date(2025, 12, 19))
    assert ctx["letter_date"] == "19 December 2025"
    assert ctx["appeal_deadline"] == "30 December 2025"
    text = dc.non_control_text(dc.part_root(render_docx(template_path(LETTER_KINDS["declined"]), ctx)))
    assert "Date: 19 December 2025" in text
    assert "by 30 December 2025 (within 5 working days of receiving this letter" in text


def test_approval_decided_after_the_1_december_deadline_is_effective_1_july():
    """7.20, Appendix F: submitted 30 November 2026 (before the 1 December deadline for
    January 2027) but decided and written on 20 January 2027: the approved form could
    only be uploaded after 1 December, so the first deadline on or after both dates is
    1 June 2027 -> 1 July 2027 (never 1 January 2027, before the decision)."""
    d = decision(decision="Approved", new_level=Level.B, submitted=dt.date(2026, 11, 30),
                 decision_date=dt.date(2027, 1, 20))
    ctx = fc.approved_letter_context(d, PAY, dt.date(2027, 1, 20))
    assert ctx["effective_date"] == "1 July 2027"
    text = dc.non_control_text(dc.part_root(render_docx(template_path(LETTER_KINDS["approved"]), ctx)))
    assert "Date: 20 January 2027" in text
    assert "on 20 January 2027 your request to progress from 3B to 3B" in text
    assert "£26,967.00, effective from 1 July 2027" in text


def test_approved_letter_is_never_effective_before_its_own_date():
    # decided 20 May 2025 (in time for 1 July 2025) but the letter is dated 2 July 2025
    d = decision(decision="Approved", new_level=Level.B, decision_date=dt.date(2025, 5, 20))
    assert fc.approved_letter_context(d, PAY, dt.date(2025, 7, 2))["effective_date"] == "1 January 2026"


def test_declined_letter_never_offers_a_window_already_closed():
    """7.21: submitted 10 May 2025 (considered for July 2025), letter dated 5 December
    2025. The window after July 2025 is January 2026, whose deadline (1 December 2025)
    has passed on the letter's date, so the letter offers July 2026: submit from
    5 December 2025 (the letter's date) and by 1 June 2026."""
    d = decision(submitted=dt.date(2025, 5, 10), decision_date=dt.date(2025, 12, 3))
    ctx = fc.declined_letter_context(d, role(), PAY, dt.date(2025, 12, 5))
    assert (ctx["resubmission_opens"], ctx["next_window_deadline"], ctx["next_window"]) == (
        "5 December 2025", "1 June 2026", "1 July 2026")
    text = dc.non_control_text(dc.part_root(render_docx(template_path(LETTER_KINDS["declined"]), ctx)))
    assert ("a request submitted from 5 December 2025 and by 1 June 2026 will be considered "
            "for a pay change on 1 July 2026") in text


@pytest.mark.parametrize("letter", [
    dt.date(2025, 5, 22), dt.date(2026, 1, 1), dt.date(2026, 6, 1), dt.date(2026, 6, 2),
    dt.date(2026, 12, 1), dt.date(2026, 12, 2), dt.date(2028, 2, 29), dt.date(2031, 7, 1),
])
def test_sample_decisions_give_coherent_letters_on_any_letter_date(tmp_path, letter):
    """What `medpay demo` writes for its run date: decided before the letter, effective
    on or after the letter date, next window still open on it, no warning."""
    from addin.core.paycalendar import next_effective_date
    from addin.office.xlsx.decisions import read_decisions, write_sample_decisions

    approved, declined = read_decisions(write_sample_decisions(tmp_path / "d.xlsx", letter))
    assert (approved.decision, declined.decision) == ("Approved", "Declined")
    for d in (approved, declined):
        assert d.decision_date < letter and fc.letter_date_warnings(d, letter) == []
    effective = fc.approved_letter_context(approved, PAY, letter)["effective_date"]
    # decided two days before the letter: the first pay change date whose deadline
    # is on or after that day
    assert effective == fc.long_date(next_effective_date(letter - dt.timedelta(days=2), PAY))
    ctx = fc.declined_letter_context(declined, role(), PAY, letter)
    deadline = dt.datetime.strptime(ctx["next_window_deadline"], "%d %B %Y").date()
    opens = dt.datetime.strptime(ctx["resubmission_opens"], "%d %B %Y").date()
    assert letter <= deadline and opens <= deadline


def test_shipped_sample_decisions_are_the_sample_for_their_letter_date(tmp_path):
    from addin.office.xlsx.decisions import (
        SAMPLE_LETTER_DATE,
        read_decisions,
        write_sample_decisions,
    )

    def strip(ds):
        return [{k: v for k, v in vars(d).items() if k != "file"} for d in ds]

    shipped = read_decisions(ROOT / "workbooks" / "decisions" / "sample-decisions.xlsx")
    assert strip(shipped) == strip(read_decisions(write_sample_decisions(tmp_path / "s.xlsx")))
    assert [d.decision_date for d in shipped] == [dt.date(2025, 5, 20), dt.date(2025, 5, 21)]
    assert SAMPLE_LETTER_DATE == dt.date(2025, 5, 22)


@pytest.mark.parametrize("given, shown", [
    ("Head of Service", "the Head of Service"),
    ("Grandparent manager", "the Grandparent manager"),
    ("Jo Bloggs, Head of Service", "Jo Bloggs, Head of Service"),
    ("your Head of Service", "your Head of Service"),
    ("", fc.DEFAULT_APPEAL_TO),
])
def test_appeal_to_reads_naturally(given, shown):
    ctx = fc.declined_letter_context(decision(appeal_to=given), role(), PAY, dt.date(2025, 5, 22))
    assert ctx["appeal_to"] == shown
    text = dc.non_control_text(dc.part_root(render_docx(template_path(LETTER_KINDS["declined"]), ctx)))
    assert f"made in writing to {shown}, stating your grounds" in text


# ----------------------------------------------------------------------------- round trip

FILLED = {
    "evidence_knowledge": "Line one – naïve café\nLine two: ½ & <b>",
    "evidence_skills": "Ran the rota\n\nfor Łódź team",
    "previous_request": "Yes",
    "previous_request_date": dt.date(2024, 6, 1),
    "manager_supports": "No",
    "manager_statement": "Not yet.\nSee notes.",
    "employee_signature": "Zoë Ålund-Ó Súilleabháin",
    "employee_signature_date": dt.date(2025, 3, 10),
    "employee_name": "Seán Ó Briain",
}


def test_round_trip_generate_fill_harvest_returns_exactly_what_was_typed(tmp_path):
    filled = dc.fill_controls(application_bytes(), FILLED)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "E1 form.docx").write_bytes(filled)
    result = harvest(tmp_path)
    assert result.findings == []
    [form] = result.forms
    assert form["File"] == "sub/E1 form.docx" and form["Form type"] == "application"
    for tag, typed in FILLED.items():
        assert form[tag] == typed, tag
    assert form["current_range_level"] == "3A"  # pre-filled and untouched
    assert form["evidence_qualifications"] == ""


def test_harvest_workbook_and_json_via_cli(tmp_path):
    forms = tmp_path / "forms"
    forms.mkdir()
    (forms / "a.docx").write_bytes(dc.fill_controls(application_bytes(), FILLED))
    out = tmp_path / "h.xlsx"
    proc = run_cli("harvest", forms, "--out", out, "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["forms"][0]["evidence_skills"] == FILLED["evidence_skills"]
    assert data["forms"][0]["employee_signature_date"] == "2025-03-10"
    ws = load_workbook(out)["application"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["File", "Form type", "Template version", "Problems"]
    got = {h: ws.cell(2, i + 1).value for i, h in enumerate(header)}
    assert got["evidence_knowledge"] == FILLED["evidence_knowledge"]
    assert got["previous_request_date"].date() == dt.date(2024, 6, 1)


def _strip_tags(data: bytes) -> bytes:
    root = dc.part_root(data)
    for sdt in list(dc.iter_sdts(root))[:3]:
        tag = sdt.find(f"{dc.w('sdtPr')}/{dc.w('tag')}")
        tag.getparent().remove(tag)
    from lxml import etree

    return dc.replace_part(data, "word/document.xml", etree.tostring(root))


def _edit_outside(data: bytes) -> bytes:
    xml = doc_xml(data).replace(b"Part 1: Employee Details", b"Part 1: Employee Detials")
    return dc.replace_part(data, "word/document.xml", xml)


def test_untagged_edited_outside_and_non_forms_are_reported_by_name(tmp_path):
    base = dc.fill_controls(application_bytes(), {"evidence_skills": "x"})
    (tmp_path / "untagged.docx").write_bytes(_strip_tags(base))
    (tmp_path / "edited.docx").write_bytes(_edit_outside(base))
    from docx import Document

    Document().save(tmp_path / "plain.docx")
    (tmp_path / "renamed.docx").write_text("just text")
    (tmp_path / "~$owner.docx").write_bytes(b"\0")  # Word lock file: passed over
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")  # not a Word document: reported
    result = harvest(tmp_path)
    found = {(f.file, f.code) for f in result.findings}
    assert found == {
        ("notes.pdf", "FORM-NOT-A-DOCUMENT"),
        ("untagged.docx", "FORM-RETAGGED"),  # issue 21: matched back by title and place
        ("edited.docx", "FORM-EDITED-OUTSIDE"),
        ("plain.docx", "FORM-NOT-A-FORM"),
        ("renamed.docx", "FORM-UNREADABLE"),
    }
    untagged = next(f for f in result.findings if f.code == "FORM-RETAGGED")
    assert untagged.message.startswith("3 answer field(s) had lost their tags")
    # damaged forms are still harvested, flagged; non-forms are skipped
    assert {f["File"]: f["Problems"] for f in result.forms} == {
        "edited.docx": "FORM-EDITED-OUTSIDE", "untagged.docx": "FORM-RETAGGED"}
    # the three fields whose tags were stripped are back under their tags
    assert next(f for f in result.forms if f["File"] == "untagged.docx")["employee_id"] == "E1"
    assert next(f for f in result.forms if f["File"] == "edited.docx")["evidence_skills"] == "x"
    proc = run_cli("harvest", tmp_path, "--out", tmp_path / "h.xlsx")
    assert proc.returncode == 1
    assert "untagged.docx" in proc.stdout and "FORM-EDITED-OUTSIDE" in proc.stdout


def test_filling_in_controls_is_not_an_edit_outside_them():
    doc = read_form_bytes(dc.fill_controls(application_bytes(), FILLED))
    assert doc.text_hash == doc.props[dc.PROP_TEXT_HASH]


def read_form_bytes(data: bytes):
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "f.docx"
        p.write_bytes(data)
        return read_form(p)


def test_unprotected_form_and_long_statement_are_warned():
    data = dc.fill_controls(application_bytes(), {"manager_statement": "word " * 501})
    settings = zipfile.ZipFile(io.BytesIO(data)).read("word/settings.xml")
    settings = settings.replace(b'w:enforcement="1"', b'w:enforcement="0"')
    data = dc.replace_part(data, "word/settings.xml", settings)
    from addin.office.docx.harvest import FORM_CHECKS

    codes = {f.code for f in FORM_CHECKS.run(read_form_bytes(data), None)}
    assert codes == {"FORM-UNPROTECTED", "FORM-STATEMENT-TOO-LONG"}


# ----------------------------------------------------------------------------- commands


def estimates_workbook(path: Path) -> Path:
    from addin.core.estimates_table import HEADERS

    wb = Workbook()
    ws = wb.active
    ws.title = "Estimates"
    ws.append(list(HEADERS.values()))
    common = ["Corporate", "Business Support", "Business Support Officer", "Business and Executive Support",
              3, 25584, 1, "Permanent", dt.date(2019, 1, 7)]
    rows = [
        ("E1", "Seán O'Brien & <Sons>", "No", "A", "B"),   # eligible, moves up -> application
        ("E2", "Zoë Ålund", "No", "A", "A"),               # stays at A -> no application
        ("E3", "CON", "Yes", "A", "B"),                    # under capability (7.22) -> skipped
    ]
    for ident, name, capability, cur, est in rows:
        fields = dict(zip(HEADERS, [ident, name, *common, "Yes", capability, "Met",
                                    dt.date(2020, 1, 1), cur, est, "Jo Bloggs", "", "No"]))
        ws.append([fields[k] for k in HEADERS])
    wb.save(path)
    return path


def test_forms_application_uses_validate_estimates_eligibility_rows_with_errors_get_none(tmp_path):
    """A row with an error on it (a duplicate employee ID, a level that cannot be read) is
    not eligible in validate-estimates, so it gets no application; the index says why."""
    est = estimates_workbook(tmp_path / "est.xlsx")
    wb = load_workbook(est)
    ws = wb["Estimates"]
    ws.append([c.value for c in ws[2]])           # row 5: E1 again (a duplicate ID)
    ws.append([c.value for c in ws[2]])           # row 6: E4, estimated level unreadable
    ws["A6"], ws["B6"], ws["Q6"] = "E4", "Ann Other", "level B please"
    wb.save(est)
    out = tmp_path / "out"
    proc = run_cli("forms", "application", "--estimates", est, "--framework", BES_FRAMEWORK,
                   "--as-of", "2025-03-03", "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert not list(out.glob("*.docx"))  # both E1 rows carry the duplicate-ID error
    index = [[c.value for c in r] for r in
             load_workbook(out / "index-application.xlsx").active.iter_rows(min_row=2)]
    check = run_cli("validate-estimates", est, "--framework", BES_FRAMEWORK,
                    "--as-of", "2025-03-03", "--json")
    elig = {r["row"]: r for r in json.loads(check.stdout)["rows"]}
    assert [elig[r]["eligible"] for r in (2, 5, 6)] == [False, False, False]
    # the index gives validate-estimates' reasons, then the errors to correct
    assert [(r[0], r[4], r[5]) for r in index if r[0] in ("E1", "E4")] == [
        ("E1", "skipped", f"{elig[2]['reasons'][0]}; A2: Employee ID E1 is on 2 rows (2, 5); "
                          "each employee must appear once"),
        ("E1", "skipped", f"{elig[5]['reasons'][0]}; A5: Employee ID E1 is on 2 rows (2, 5); "
                          "each employee must appear once"),
        ("E4", "skipped", f"{elig[6]['reasons'][0]}; Q6: Estimated level: expected a level A, B "
                          "or C (for example 'B' or '3B'), got 'level B please'"),
    ]
    assert elig[2]["reasons"] == ["Cannot be assessed until the errors on this row are corrected (cell A2)"]


def test_forms_application_command_makes_one_form_per_eligible_mover_and_an_index(tmp_path):
    est = estimates_workbook(tmp_path / "est.xlsx")
    out = tmp_path / "out"
    proc = run_cli("forms", "application", "--estimates", est, "--framework", BES_FRAMEWORK,
                   "--as-of", "2025-03-03", "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "E1 Seán O'Brien & _Sons_ application.docx", "index-application.xlsx"]
    assert "see index-application.xlsx" in proc.stdout
    ws = load_workbook(out / "index-application.xlsx").active
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert [r[:5] for r in rows] == [
        ["E1", "Seán O'Brien & <Sons>", "application", "E1 Seán O'Brien & _Sons_ application.docx", "made"],
        ["E2", "Zoë Ålund", "application", None, "skipped"],
        ["E3", "CON", "application", None, "skipped"],
    ]
    assert rows[1][5] == "not estimated above the current level"
    assert "capability" in rows[2][5].lower()
    v = values_of((out / "E1 Seán O'Brien & _Sons_ application.docx").read_bytes())
    assert v["framework_name"] == "Business and Executive Support"
    # a second run refuses to overwrite without --force
    again = run_cli("forms", "application", "--estimates", est, "--framework", BES_FRAMEWORK,
                    "--as-of", "2025-03-03", "--out", out)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_forms_appraisal_names_every_employee_safely(tmp_path):
    est = estimates_workbook(tmp_path / "est.xlsx")
    out = tmp_path / "out"
    proc = run_cli("forms", "appraisal", "--estimates", est, "--framework", BES_FRAMEWORK,
                   "--as-of", "2025-03-03", "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.glob("*.docx")) == [
        "E1 Seán O'Brien & _Sons_ appraisal.docx", "E2 Zoë Ålund appraisal.docx", "E3 CON appraisal.docx"]


def test_letters_command_on_the_sample_decisions(tmp_path):
    proc = run_cli("letters", "--decisions", ROOT / "workbooks" / "decisions" / "sample-decisions.xlsx",
                   "--framework", BES_FRAMEWORK, "--as-of", "2025-05-22", "--out", tmp_path)
    assert proc.returncode == 0, proc.stderr
    approved = dc.non_control_text(dc.part_root((tmp_path / "E1001 Aisha Khan approved letter.docx").read_bytes()))
    assert "£26,967.00, effective from 1 July 2025" in approved


def test_letters_warn_of_a_decision_more_than_90_days_before_the_letter(tmp_path):
    # sample decisions: E1001 decided 20 May 2025 (G2), E1002 21 May 2025 (G3). Letters
    # dated 19 August 2025: 20 May -> 19 Aug = 11 (21-31 May) + 30 + 31 + 19 = 91 days,
    # warned; 21 May -> 19 Aug = 90 days, not more than 90, not warned.
    sample = ROOT / "workbooks" / "decisions" / "sample-decisions.xlsx"
    proc = run_cli("letters", "--decisions", sample, "--framework", BES_FRAMEWORK,
                   "--as-of", "2025-08-19", "--out", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == [(
        f"medpay: warning: {sample} [Decisions!G2]: E1001: decision dated 20 May 2025 is 91 days "
        "before the letter date 19 August 2025 (more than 90): check the decision date, or pass "
        "--as-of the date the letter is sent")]
    assert len(list(tmp_path.glob("*.docx"))) == 2  # the letters are still written
    # and the approved letter is not backdated: decided 20 May 2025 (July 2025 change),
    # but dated 19 August 2025 -> 1 January 2026
    approved = dc.non_control_text(dc.part_root((tmp_path / "E1001 Aisha Khan approved letter.docx").read_bytes()))
    assert "effective from 1 January 2026" in approved


def test_letters_warn_of_a_decision_after_the_letter_date(tmp_path):
    sample = ROOT / "workbooks" / "decisions" / "sample-decisions.xlsx"
    proc = run_cli("letters", "--decisions", sample, "--framework", BES_FRAMEWORK,
                   "--as-of", "2025-05-20", "--out", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == [(
        f"medpay: warning: {sample} [Decisions!G3]: E1002: decision dated 21 May 2025 is after the "
        "letter date 20 May 2025: check the decision date, or pass --as-of the date the letter is sent")]


def test_letters_bad_decision_names_the_cell(tmp_path):
    from addin.office.xlsx.decisions import HEADERS

    wb = Workbook()
    ws = wb.active
    ws.append(list(HEADERS.values()))
    ws.append(["E1", "A", "", "", 3, "Maybe", dt.date(2025, 5, 1), "3A", "B"])
    wb.save(tmp_path / "d.xlsx")
    proc = run_cli("letters", "--decisions", tmp_path / "d.xlsx", "--out", tmp_path / "o")
    assert proc.returncode == 2
    assert "d.xlsx [Sheet!F2]: Decision: expected Approved or Declined, got 'Maybe'" in proc.stderr


def test_pdf_without_libreoffice_is_a_clear_error(tmp_path, monkeypatch):
    from addin.core.errors import OutputError
    from addin.office.docx import forms

    monkeypatch.setattr(forms, "soffice_path", lambda: None)
    with pytest.raises(OutputError, match="LibreOffice \\(soffice\\) is not installed"):
        forms.convert_to_pdf([tmp_path / "x.docx"], tmp_path)


def test_bench_forms_reports_both_rates():
    result = bench_forms(1)
    assert set(result) == {"forms", "medpay_per_s", "bare_per_s", "ratio"}
    assert result["forms"] == 1 and result["medpay_per_s"] > 0 and result["bare_per_s"] > 0


# ----------------------------------------------------------------------------- PDF


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory):
    """Every kind of generated document, converted in ONE LibreOffice run."""
    from addin.office.docx.forms import convert_to_pdf

    if not shutil.which("soffice") and not shutil.which("libreoffice"):
        pytest.fail("LibreOffice is not installed: run the tests through scripts/test")
    d = tmp_path_factory.mktemp("pdf")
    docs = {
        "application": application_bytes(),
        "appraisal": render_docx(template_path("appraisal.docx"), fc.appraisal_context(row(), AS_OF), form_type="appraisal"),
        "pdp": render_docx(template_path("pdp.docx"), fc.pdp_context(row(), AS_OF), form_type="pdp"),
        "approved": render_docx(template_path(LETTER_KINDS["approved"]), fc.approved_letter_context(
            decision(decision="Approved", new_level=Level.B, current_level=Level.A,
                     submitted=dt.date(2026, 11, 30), decision_date=dt.date(2027, 1, 20)),
            PAY, dt.date(2027, 1, 20))),
        "declined": render_docx(template_path(LETTER_KINDS["declined"]), fc.declined_letter_context(
            decision(submitted=dt.date(2025, 5, 10), decision_date=dt.date(2025, 12, 3)),
            role(), PAY, dt.date(2025, 12, 5))),
    }
    paths = []
    for name, data in docs.items():
        p = d / f"{name}.docx"
        p.write_bytes(data)
        paths.append(p)
    return d, convert_to_pdf(paths, d)


@pytest.mark.libreoffice
def test_every_document_kind_converts_to_pdf(pdfs):
    d, made = pdfs
    assert sorted(p.name for p in made) == ["application.pdf", "appraisal.pdf", "approved.pdf", "declined.pdf", "pdp.pdf"]
    for p in made:
        assert p.read_bytes().startswith(b"%PDF") and p.stat().st_size > 5000


@pytest.mark.libreoffice
def test_letter_dates_printed_in_the_pdfs_are_not_backdated(pdfs):
    """The PDF (as LibreOffice lays it out) prints the dates of the fixture's letters:
    approved - submitted 30 November 2026, decided and dated 20 January 2027 -> effective
    1 July 2027 (the 1 December 2026 deadline had passed when it was decided); declined -
    submitted 10 May 2025, dated 5 December 2025 -> January 2026 closed on 1 December
    2025, so July 2026 (by 1 June 2026), appeal by Friday 12 December 2025 (Mon 8 (1),
    Tue 9 (2), Wed 10 (3), Thu 11 (4), Fri 12 (5))."""
    d, _ = pdfs

    def text(name: str) -> str:
        out = subprocess.run(["pdftotext", str(d / f"{name}.pdf"), "-"], capture_output=True,
                             text=True, check=True).stdout
        return " ".join(out.split())

    approved = text("approved")
    assert "Date: 20 January 2027" in approved
    assert "on 20 January 2027 your request to progress from 3A to 3B" in approved
    assert "effective from 1 July 2027" in approved and "1 January 2027" not in approved
    declined = text("declined")
    assert "Date: 5 December 2025" in declined
    assert ("submitted from 5 December 2025 and by 1 June 2026 will be considered for a pay "
            "change on 1 July 2026") in declined
    assert "by 12 December 2025 (within 5 working days" in declined
    assert "1 January 2026" not in declined


@pytest.mark.libreoffice
def test_first_page_of_application_renders_to_png(pdfs):
    d, _ = pdfs
    OUTPUT.mkdir(parents=True, exist_ok=True)
    prefix = OUTPUT / "application-page"
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", "-singlefile",
                    str(d / "application.pdf"), str(prefix)], check=True, timeout=120)
    png = prefix.with_suffix(".png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    text = subprocess.run(["pdftotext", "-l", "1", str(d / "application.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "Seán O'Brien & <Sons>" in text and "Part 1: Employee Details" in text
