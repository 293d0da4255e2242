"""What users see of the forms and letters (issue 20): answer boxes, headings kept with
their tables, the shared header and footer, document properties, the letterhead and the
appeal route, the council's Settings rows - checked in the files' structure - and every
form and letter rendered to PDF by LibreOffice with every pre-filled value printed."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from openpyxl import load_workbook

from addin.core import form_context as fc
from addin.core.errors import SettingsError
from addin.core.model import CouncilDetails, Level
from addin.office.docx import controls as dc
from addin.office.docx.forms import (
    FORM_KINDS,
    LETTER_KINDS,
    TEMPLATE_VERSION,
    convert_to_pdf,
    generate_forms,
    printable_copy,
    render_docx,
    template_path,
)
from addin.office.xlsx.settings import read_pay_settings
from tests.conftest import PAY_RANGES
from tests.test_forms import AS_OF, PAY, decision, role, row

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TWIPS_PER_CM = 1440 / 2.54  # 567 twips to the centimetre
FORMS = sorted(FORM_KINDS)
TITLES = {
    "application": "Application for Career Progression: Evidence of competencies",
    "appraisal": "Performance Appraisal and Career Conversation Form",
    "pdp": "My personal development plan",
    "initial-assessment": "Initial Assessment form",
}


def part(path_or_bytes, name: str):
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else Path(path_or_bytes).read_bytes()
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read(name))


def parts_named(data: bytes, prefix: str) -> list[str]:
    return sorted(n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.startswith(prefix))


def text_of(el) -> str:
    return "".join(el.itertext())


def control(root, tag: str):
    [sdt] = [s for s in root.iter(f"{W}sdt") if s.find(f"{W}sdtPr/{W}tag").get(f"{W}val") == tag]
    return sdt


def least_height_cm(tr) -> float:
    """A row's ``w:trHeight`` in cm when its rule is "at least" (0: no least height)."""
    h = tr.find(f"{W}trPr/{W}trHeight")
    if h is None or h.get(f"{W}hRule") != "atLeast":
        return 0.0
    return int(h.get(f"{W}val")) / TWIPS_PER_CM


def template_bytes(kind: str) -> bytes:
    name = FORM_KINDS.get(kind) or LETTER_KINDS[kind]
    return template_path(name).read_bytes()


# ----------------------------------------------------------------------------- answer boxes


@pytest.mark.parametrize("kind", FORMS)
def test_every_free_text_answer_is_a_bordered_box_with_room_to_write(kind):
    """Every multi-line control sits in a cell of a "Table Grid" (bordered) table whose
    row is at least 0.9 cm high (a review note of the appraisal; others more)."""
    root = part(template_bytes(kind), "word/document.xml")
    multiline = [s for s in root.iter(f"{W}sdt") if s.find(f"{W}sdtPr/{W}text[@{W}multiLine='1']") is not None]
    assert multiline
    for sdt in multiline:
        tag = sdt.find(f"{W}sdtPr/{W}tag").get(f"{W}val")
        tr = next(sdt.iterancestors(f"{W}tr"), None)
        assert tr is not None, f"{tag} is a bare line, not in a box"
        tbl = next(tr.iterancestors(f"{W}tbl"))
        assert tbl.find(f"{W}tblPr/{W}tblStyle").get(f"{W}val") == "TableGrid", tag
        assert least_height_cm(tr) >= 0.9 - 0.01, f"{tag}: row {least_height_cm(tr):.2f} cm"


@pytest.mark.parametrize("kind, tag, cm", [
    ("application", "supporting_evidence", 4.0),
    ("application", "manager_statement", 9.0),  # up to 500 words
    ("appraisal", "training", 3.5),
    ("appraisal", "comments_feedback", 4.0),
])
def test_the_long_answers_are_page_wide_boxes_of_their_own(kind, tag, cm):
    """The answers that were bare lines: a one-cell table, 17 cm wide (A4 less 2 cm
    margins), at least ``cm`` high."""
    root = part(template_bytes(kind), "word/document.xml")
    tr = next(control(root, tag).iterancestors(f"{W}tr"))
    tbl = next(tr.iterancestors(f"{W}tbl"))
    assert len(tbl.findall(f"{W}tr")) == 1 and len(tr.findall(f"{W}tc")) == 1
    [col] = tbl.findall(f"{W}tblGrid/{W}gridCol")
    assert abs(int(col.get(f"{W}w")) - 17 * TWIPS_PER_CM) < 2
    assert least_height_cm(tr) == pytest.approx(cm, abs=0.01)


@pytest.mark.parametrize("kind", [*FORMS, "approved", "declined"])
def test_headings_keep_with_the_table_that_follows_them(kind):
    """A heading followed (directly or after its notes) by a table, and every paragraph
    between them, has ``w:keepNext``, so no heading ends a page without its table."""
    root = part(template_bytes(kind), "word/document.xml")
    body = root.find(f"{W}body")
    checked = 0
    for tbl in body.iterchildren(f"{W}tbl"):
        prev, between = tbl.getprevious(), []
        while prev is not None and prev.tag == f"{W}p" and len(between) < 4:
            between.append(prev)
            style = prev.find(f"{W}pPr/{W}pStyle")
            if style is not None and style.get(f"{W}val").startswith("Heading"):
                for p in between:
                    assert p.find(f"{W}pPr/{W}keepNext") is not None, text_of(p)
                checked += 1
                break
            prev = prev.getprevious()
    if kind in FORMS and kind != "pdp":  # the PDP has no headings
        assert checked >= 2


# ----------------------------------------------------------------------------- header and footer


@pytest.mark.parametrize("kind", FORMS)
def test_every_form_shares_one_header_and_footer(kind):
    """Header: the council (placeholder), the form's title and the template version;
    footer: the employee's ID and name and "Page X of Y" as PAGE / NUMPAGES fields."""
    data = template_bytes(kind)
    [header] = [n for n in parts_named(data, "word/header") if text_of(part(data, n)).strip()]
    assert text_of(part(data, header)) == (f"{{{{ council_name }}}} | {TITLES[kind]} | "
                                           f"form version {TEMPLATE_VERSION}")
    [footer] = [n for n in parts_named(data, "word/footer") if text_of(part(data, n)).strip()]
    foot = part(data, footer)
    assert text_of(foot) == "Employee ID {{ employee_id }} - {{ employee_name }} | Page 1 of 1"
    assert [f.get(f"{W}instr") for f in foot.iter(f"{W}fldSimple")] == [" PAGE ", " NUMPAGES "]


def _pay_ranges_with(tmp_path: Path, rows: dict[str, object]) -> Path:
    """A copy of the shipped pay-ranges workbook whose Settings rows ``rows`` (label ->
    value; None deletes the row) are changed or added."""
    wb = load_workbook(PAY_RANGES)
    ws = wb["Settings"]
    for label, value in rows.items():
        at = [c.row for c in ws["A"] if c.value == label]
        if value is None:
            for r in at:
                ws.delete_rows(r)
        elif at:
            ws.cell(at[0], 2, value)
        else:
            ws.append([label, value])
    out = tmp_path / "pay-ranges.xlsx"
    wb.save(out)
    return out


def test_a_generated_form_names_the_council_from_settings(tmp_path):
    pay = read_pay_settings(_pay_ranges_with(tmp_path, {"Council name": "Borsetshire County Council"}))
    [made] = generate_forms("appraisal", [row(employee_id="E7", employee_name="Zoë Ó Sé")], frameworks=[],
                            pay=pay, as_of=AS_OF, out_dir=tmp_path / "out")
    data = (tmp_path / "out" / made.file).read_bytes()
    [header] = [text_of(part(data, n)) for n in parts_named(data, "word/header") if text_of(part(data, n))]
    assert header == f"Borsetshire County Council | {TITLES['appraisal']} | form version 1"
    assert any("Employee ID E7 - Zoë Ó Sé | Page" in text_of(part(data, n))
               for n in parts_named(data, "word/footer"))


# ----------------------------------------------------------------------------- settings


def test_council_rows_of_the_shipped_workbook():
    assert PAY.settings.council == CouncilDetails(
        name="Medway Council", address="Gun Wharf, Dock Road, Chatham, Kent ME4 4TR",
        appeals_contact="medpay@medway.gov.uk", signatory_name="MedPay Review Team",
        signatory_job_title="Human Resources")


def test_council_rows_absent_give_the_defaults_and_present_ones_are_read(tmp_path):
    labels = ("Council name", "Council address", "Appeals contact (email or phone)", "Signatory name",
              "Signatory job title")
    bare = read_pay_settings(_pay_ranges_with(tmp_path, dict.fromkeys(labels)))
    assert bare.settings.council == CouncilDetails()
    assert bare.settings.appeal_working_days == 5  # the other rows still read
    (tmp_path / "b").mkdir()
    own = read_pay_settings(_pay_ranges_with(tmp_path / "b", {
        "Council name": "  Borsetshire   County Council ", "Council address": "County Hall\nBorchester\n\nBC1 1AA",
        "Appeals contact (email or phone)": "01632 960000", "Signatory name": "Ann Other", "Signatory job title": ""}))
    assert own.settings.council == CouncilDetails(
        name="Borsetshire County Council", address="County Hall, Borchester, BC1 1AA",
        appeals_contact="01632 960000", signatory_name="Ann Other",
        signatory_job_title="Human Resources")  # blank value: the default


def test_two_council_name_rows_are_refused_naming_both_cells(tmp_path):
    path = _pay_ranges_with(tmp_path, {})
    wb = load_workbook(path)
    ws = wb["Settings"]
    ws.append(["Council name", "Another Council"])
    second = ws.max_row
    first = [c.row for c in ws["A"] if c.value == "Council name"][0]
    wb.save(path)
    with pytest.raises(SettingsError, match=rf'two rows set "Council name" \(A{first} and A{second}\)'):
        read_pay_settings(path)


# ----------------------------------------------------------------------------- properties


@pytest.mark.parametrize("kind", [*FORMS, "approved", "declined"])
def test_document_properties_title_subject_author_and_british_english(kind):
    data = template_bytes(kind)
    core = part(data, "docProps/core.xml")
    ns = {"dc": "http://purl.org/dc/elements/1.1/",
          "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"}
    title = TITLES.get(kind) or {"approved": "Career progression: your request has been approved",
                                 "declined": "Career progression: outcome of your request"}[kind]
    assert core.findtext("dc:title", namespaces=ns) == title
    assert core.findtext("dc:subject", namespaces=ns) == "Performance, Progression and Pay (career progression)"
    assert core.findtext("dc:creator", namespaces=ns) == "MedPay"
    assert core.findtext("cp:lastModifiedBy", namespaces=ns) == "MedPay"
    styles = part(data, "word/styles.xml")
    lang = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert lang.get(f"{W}val") == "en-GB"
    assert {el.get(f"{W}val") for el in styles.iter(f"{W}lang")} == {"en-GB"}


def test_a_generated_form_keeps_the_properties():
    data = render_docx(template_path(FORM_KINDS["pdp"]), fc.pdp_context(row(), AS_OF), form_type="pdp")
    core = zipfile.ZipFile(io.BytesIO(data)).read("docProps/core.xml").decode()
    assert "<dc:creator>MedPay</dc:creator>" in core and "python-docx" not in core
    assert "<dc:title>My personal development plan</dc:title>" in core


# ----------------------------------------------------------------------------- appraisal and PDP


def test_appraisal_signatures_have_date_pickers():
    root = part(template_bytes("appraisal"), "word/document.xml")
    for who in ("employee", "manager"):
        sdt = control(root, f"{who}_signature_date")
        assert sdt.find(f"{W}sdtPr/{W}date/{W}dateFormat").get(f"{W}val") == "dd/MM/yyyy"
        # in the row after the signature's own
        sig_row = next(control(root, f"{who}_signature").iterancestors(f"{W}tr"))
        assert next(sdt.iterancestors(f"{W}tr")) is sig_row.getnext()


def test_appraisal_objective_cells_have_short_prompts_not_repeated_boilerplate():
    """Objective cells hold only their control, with a short grey prompt saying what
    goes there; no "Objective set:" / "Review progress 1:" labels, no "Click or tap
    here to enter text." in the objectives tables."""
    root = part(template_bytes("appraisal"), "word/document.xml")
    tbl = next(control(root, "objective_st_1_set").iterancestors(f"{W}tbl"))
    text = text_of(tbl)
    for clutter in ("Objective set:", "Review progress", "Target:", "Actual:", dc.TEXT_PLACEHOLDER,
                    dc.DATE_PLACEHOLDER, dc.CHOICE_PLACEHOLDER):
        assert clutter not in text
    prompts = {tag: text_of(control(root, f"objective_st_1_{tag}")) for tag in
               ("set", "measure", "target_date", "outcome", "review_1", "review_3", "actual_date")}
    assert prompts == {"set": "Objective", "measure": "Measure(s)", "target_date": "Target date",
                       "outcome": "Result", "review_1": "Progress at review 1",
                       "review_3": "Progress at review 3", "actual_date": "Actual date"}
    # a prompt is a placeholder: harvest reads the empty control as empty
    assert dc.control_of(control(root, "objective_st_1_set")).value == ""


def test_pdp_is_landscape_with_rows_of_room_to_write():
    root = part(template_bytes("pdp"), "word/document.xml")
    pg = root.find(f"{W}body/{W}sectPr/{W}pgSz")
    assert pg.get(f"{W}orient") == "landscape"
    # A4 on its side: 29.7 cm x 21 cm = 16838 x 11906 twips (python-docx rounds via EMU)
    assert abs(int(pg.get(f"{W}w")) - 16838) <= 2 and abs(int(pg.get(f"{W}h")) - 11906) <= 2
    tbl = next(control(root, "pdp_1_develop").iterancestors(f"{W}tbl"))
    rows = tbl.findall(f"{W}tr")
    assert len(rows) == 5
    assert [round(least_height_cm(r), 2) for r in rows[1:]] == [2.4] * 4
    # five columns filling the 25.7 cm between the margins (29.7 - 2 x 2)
    widths = [int(c.get(f"{W}w")) for c in tbl.findall(f"{W}tblGrid/{W}gridCol")]
    assert len(widths) == 5 and abs(sum(widths) - 25.7 * TWIPS_PER_CM) < 10


# ----------------------------------------------------------------------------- letters


def test_letter_reference_is_employee_id_and_decision_date():
    assert fc.letter_reference(decision(employee_id="E1002", decision_date=dt.date(2025, 12, 3))) == "E1002/2025-12-03"


def test_appeal_route_by_email_or_post():
    council = CouncilDetails()
    assert fc.appeal_how(council, "the Head of Service") == (
        "Send your appeal by email to medpay@medway.gov.uk, or by post to the Head of Service, "
        "Medway Council, Gun Wharf, Dock Road, Chatham, Kent ME4 4TR, marked \"Career progression appeal\".")
    phone = CouncilDetails(name="Borsetshire County Council", address="County Hall, BC1 1AA",
                           appeals_contact="01632 960000")
    assert fc.appeal_how(phone, "your Head of Service") == (
        "Send your appeal by post to your Head of Service, Borsetshire County Council, County Hall, "
        "BC1 1AA, marked \"Career progression appeal\". If you need help to make your appeal, "
        "contact 01632 960000.")


def test_letters_take_the_signatory_from_settings_unless_the_decision_names_one():
    d = decision(signatory="")
    ctx = fc.declined_letter_context(d, role(), PAY, dt.date(2025, 5, 22))
    assert (ctx["signatory"], ctx["signatory_job_title"]) == ("MedPay Review Team", "Human Resources")
    ctx = fc.declined_letter_context(decision(signatory="Jo Bloggs"), role(), PAY, dt.date(2025, 5, 22))
    assert (ctx["signatory"], ctx["signatory_job_title"]) == ("Jo Bloggs", "")


# ----------------------------------------------------------------------------- PDF


def _placeholders(data: bytes) -> set[str]:
    """The bare ``{{ name }}`` placeholders of a template (document, headers, footers)."""
    names: set[str] = set()
    for n in [*parts_named(data, "word/document"), *parts_named(data, "word/header"),
              *parts_named(data, "word/footer")]:
        text = html.unescape(re.sub(rb"<[^>]*>", b"", zipfile.ZipFile(io.BytesIO(data)).read(n)).decode())
        names |= set(re.findall(r"\{\{\s*(\w+)\s*\}\}", text))
    return names


def _flat(text: str) -> str:
    return " ".join(text.split())


DECLINED = decision(employee_id="E1002", employee_name="Seán O'Brien", submitted=dt.date(2025, 5, 10),
                    decision_date=dt.date(2025, 12, 3), appeal_to="Head of Service")
APPROVED = decision(decision="Approved", new_level=Level.B, current_level=Level.A,
                    submitted=dt.date(2026, 11, 30), decision_date=dt.date(2027, 1, 20))
CONTEXTS = {
    "application": lambda: fc.application_context(row(), role(), "Business and Executive Support", PAY, AS_OF),
    "appraisal": lambda: fc.appraisal_context(row(), AS_OF),
    "pdp": lambda: fc.pdp_context(row(), AS_OF),
    "initial-assessment": lambda: fc.initial_assessment_context(row(), role(), "Business and Executive Support"),
    "approved": lambda: fc.approved_letter_context(APPROVED, PAY, dt.date(2027, 1, 20)),
    "declined": lambda: fc.declined_letter_context(DECLINED, role(), PAY, dt.date(2025, 12, 5)),
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Every form and letter rendered and converted to PDF in ONE LibreOffice run:
    kind -> (context, PDF text with its whitespace flattened, number of pages)."""
    if not shutil.which("soffice") and not shutil.which("libreoffice"):
        pytest.fail("LibreOffice is not installed: run the tests through scripts/test")
    d = tmp_path_factory.mktemp("layout-pdf")
    ctxs = {k: make() for k, make in CONTEXTS.items()}
    paths = []
    for kind, ctx in ctxs.items():
        p = d / f"{kind}.docx"
        p.write_bytes(render_docx(template_path(FORM_KINDS.get(kind) or LETTER_KINDS[kind]), ctx,
                                  form_type=kind if kind in FORM_KINDS else None))
        paths.append(p)
    convert_to_pdf(paths, d)
    out = {}
    for kind, ctx in ctxs.items():
        pdf = d / f"{kind}.pdf"
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True,
                              timeout=120).stdout
        pages = text.count("\f")
        out[kind] = (ctx, _flat(text), pages, d / f"{kind}.docx")
    return out


@pytest.mark.libreoffice
@pytest.mark.parametrize("kind", sorted(CONTEXTS))
def test_the_pdf_prints_every_prefilled_value(rendered, kind):
    """Every placeholder the template uses whose value is not blank is printed in the
    PDF - the appraisal's next-conversation dates (page 4) included - and the
    header/footer's page numbers run to the last page."""
    ctx, text, pages, docx = rendered[kind]
    used = _placeholders(template_bytes(kind))
    values = {name: str(ctx[name]) for name in used if str(ctx.get(name, "")).strip()}
    assert len(values) >= 5
    for name, value in values.items():
        assert _flat(value) in text, f"{kind}: {name} = {value!r} is not in the PDF"
    for area in ctx.get("areas", ()):
        assert _flat(f"{area['criterion']}: {area['text']}") in text
    assert f"Page {pages} of {pages}" in text
    # the document itself stays protected; only LibreOffice's copy was not
    assert (b"documentProtection" in zipfile.ZipFile(docx).read("word/settings.xml")) == (kind in FORM_KINDS)


@pytest.mark.libreoffice
def test_the_appraisal_pdf_prints_the_next_conversation_dates(rendered):
    """3 March 2025 + 3, 6, 9, 12 months (dd/mm/yyyy, as the date pickers show them), on
    one line under the 3 / 6 / 9 / 12 months headings, on the last page with text."""
    _, _, pages, docx = rendered["appraisal"]
    layout = subprocess.run(["pdftotext", "-layout", str(docx.with_suffix(".pdf")), "-"], capture_output=True,
                            text=True, check=True, timeout=120).stdout
    lines = [line.split() for line in layout.splitlines()]
    at = lines.index(["3", "months", "6", "months", "9", "months", "12", "months"])
    assert lines[at + 1] == ["03/06/2025", "03/09/2025", "03/12/2025", "03/03/2026"]
    last_page = layout.split("\f")[pages - 1]
    assert "03/03/2026" in last_page, "a page after the dates (an empty last page)"


@pytest.mark.libreoffice
def test_the_declined_letter_reads_as_a_letter(rendered):
    _, text, pages, _ = rendered["declined"]
    assert pages == 1
    assert text.startswith("Medway Council Gun Wharf, Dock Road, Chatham, Kent ME4 4TR Private and confidential")
    assert "Our reference: E1002/2025-12-03 Date: 5 December 2025 Dear Seán O'Brien," in text
    assert ("Your appeal must be made in writing to the Head of Service, stating your grounds and quoting "
            "our reference E1002/2025-12-03, by 12 December 2025 (within 5 working days") in text
    assert "Send your appeal by email to medpay@medway.gov.uk, or by post to the Head of Service, Medway Council" in text
    assert "Yours sincerely, MedPay Review Team Human Resources Medway Council" in text
    assert "Our reference E1002/2025-12-03 | Page 1 of 1" in text


def test_printable_copy_drops_only_the_forms_protection():
    data = render_docx(template_path(FORM_KINDS["pdp"]), fc.pdp_context(row(), AS_OF), form_type="pdp")
    copy = printable_copy(data)
    assert dc.protection_of(zipfile.ZipFile(io.BytesIO(data)).read("word/settings.xml"))[0] == "forms"
    assert dc.protection_of(zipfile.ZipFile(io.BytesIO(copy)).read("word/settings.xml"))[0] is None
    for name in zipfile.ZipFile(io.BytesIO(data)).namelist():
        if name != "word/settings.xml":
            assert zipfile.ZipFile(io.BytesIO(copy)).read(name) == zipfile.ZipFile(io.BytesIO(data)).read(name)


DROPPED = Path(__file__).parent / "data" / "appraisal-dates-dropped-by-libreoffice.docx"
"""An appraisal generated by the templates before issue 20 (demo data): protected for
forms, its table of next-conversation dates starting page 4. LibreOffice with the
metric-compatible fonts printed that table's header row and dropped the row of dates
(and anything after it) when converting the protected document."""


@pytest.mark.libreoffice
def test_the_document_that_lost_its_dates_prints_them_now(tmp_path):
    if not shutil.which("soffice") and not shutil.which("libreoffice"):
        pytest.fail("LibreOffice is not installed: run the tests through scripts/test")
    [pdf] = convert_to_pdf([DROPPED], tmp_path)
    layout = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                            check=True, timeout=120).stdout
    lines = [line.split() for line in layout.splitlines()]
    at = lines.index(["3", "months", "6", "months", "9", "months", "12", "months"])
    # the demo's appraisal as of 4 December 2026: + 3, 6, 9, 12 months
    assert lines[at + 1] == ["04/03/2027", "04/06/2027", "04/09/2027", "04/12/2027"]
