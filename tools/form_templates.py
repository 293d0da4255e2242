"""Builders of the forms and letters templates in ``templates/`` (run by
``scripts/build_templates.py``, which lists every template's builder).

Each template is an ordinary Word document: HR can restyle it in Word (fonts, colours,
logo, wording outside the ``{{ ... }}`` placeholders) without touching code. Answer
fields are content controls with stable tags (:mod:`addin.office.docx.controls`); pre-filled
values are Jinja placeholders INSIDE the controls, rendered by docxtpl
(:mod:`addin.office.docx.forms`). Forms are protected for "Filling in forms" so only the controls
can be edited; letters are ordinary documents.

Content follows the policy appendices (shared/seeds/001): Appendix F (application),
Appendix B (appraisal and career conversation), Appendix D (personal development plan),
Appendix K stage 9 (Initial Assessment form), 7.19-7.25 (outcome letters).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Cm, Pt, RGBColor

from addin.core.form_context import ASSESSED_LEVELS
from addin.office.docx import controls as dc
from addin.office.docx.forms import FORM_KINDS, LETTER_KINDS, TEMPLATE_VERSION

# ----------------------------------------------------------------------------- helpers


SUBJECT = "Performance, Progression and Pay (career progression)"
"""Every template's subject (docProps/core.xml); the title is the form's or letter's."""
AUTHOR = "MedPay"
LANGUAGE = "en-GB"


def document_properties(doc, title: str) -> None:
    """Title, subject and author "MedPay" in docProps/core.xml (python-docx's own
    template says "python-docx"), and British English as the language of every style
    (``w:lang`` of the document defaults), so Word checks the spelling as en-GB."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    cp = doc.core_properties
    cp.title, cp.subject, cp.author, cp.last_modified_by = title, SUBJECT, AUTHOR, AUTHOR
    cp.comments, cp.keywords, cp.category = "", "MedPay", "Form" if "letter" not in title.lower() else "Letter"
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    for lang in [*styles.iter(qn("w:lang"))]:
        lang.set(qn("w:val"), LANGUAGE)
    if rpr.find(qn("w:lang")) is None:
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), LANGUAGE)
        rpr.append(lang)


def new_document(title: str, subtitle: str | None = None, *, landscape: bool = False,
                 show_title: bool = True):
    """A blank A4 document (``landscape``: A4 on its side) with the house styles and
    :func:`document_properties`; ``show_title``: the title as its first paragraph."""
    from docx.enum.section import WD_ORIENT

    doc = Document()
    sec = doc.sections[0]
    if landscape:
        sec.orientation = WD_ORIENT.LANDSCAPE
        sec.page_height, sec.page_width = Cm(21.0), Cm(29.7)
    else:
        sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)
    sec.left_margin = sec.right_margin = Cm(2.0)
    sec.top_margin = sec.bottom_margin = Cm(1.8)
    sec.header_distance = sec.footer_distance = Cm(0.8)
    document_properties(doc, title)
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10)
    for name, size in (("Title", 16), ("Heading 1", 13), ("Heading 2", 11)):
        st = doc.styles[name]
        st.font.name = "Arial"
        st.font.size = Pt(size)
        st.font.color.rgb = RGBColor(0x1F, 0x3A, 0x5F)
    if show_title:
        doc.add_paragraph(title, style="Title")
    if subtitle:
        p = doc.add_paragraph(subtitle)
        p.runs[0].italic = True
    return doc


def para(doc_or_cell, text: str = "", *, bold: bool = False, italic: bool = False, style=None):
    p = doc_or_cell.add_paragraph(style=style) if style else doc_or_cell.add_paragraph()
    if text:
        r = p.add_run(text)
        r.bold, r.italic = bold, italic
    return p


def cell_text(cell, text: str, *, bold: bool = False):
    p = cell.paragraphs[0]
    r = p.add_run(text)
    r.bold = bold
    return p


def put(cell, sdt, prefix: str = "") -> None:
    """Put a control in a table cell's first paragraph (after optional prefix text)."""
    p = cell.paragraphs[0]
    if prefix:
        p.add_run(prefix)
    dc.append_control(p, sdt)


def table(doc, rows: int, cols: int, widths: list[float]):
    t = doc.add_table(rows=rows, cols=cols)
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    for i, wdt in enumerate(widths):
        t.columns[i].width = Cm(wdt)  # the grid (w:gridCol), which LibreOffice follows
    for row in t.rows:
        for i, wdt in enumerate(widths):
            row.cells[i].width = Cm(wdt)
    return t


def rows_whole(t, *, header_rows: int = 1) -> None:
    """No row of ``t`` breaks across pages (``w:cantSplit``) and its first
    ``header_rows`` rows repeat at the top of each page (``w:tblHeader``)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for i, row in enumerate(t.rows):
        tr_pr = row._tr.get_or_add_trPr()
        # CT_TrPr order: ... cantSplit, trHeight, tblHeader, ...
        cant = OxmlElement("w:cantSplit")
        height = tr_pr.find(qn("w:trHeight"))
        if height is not None:
            height.addprevious(cant)
        else:
            tr_pr.append(cant)
        if i < header_rows:
            tr_pr.append(OxmlElement("w:tblHeader"))


def keep_with_next(row) -> None:
    """Keep a table row on the same page as the next one."""
    for cell in row.cells:
        for p in cell.paragraphs:
            p.paragraph_format.keep_with_next = True


def end_with_paragraph(doc) -> None:
    """A body must end with a paragraph: Word adds an empty one after a final table
    when it saves, so the template has it from the start."""
    from docx.oxml.ns import qn

    body = doc.element.body
    last = [c for c in body if c.tag != qn("w:sectPr")]
    if last and last[-1].tag != qn("w:p"):
        # tiny (1 pt, no spacing), so a table ending at the foot of a page does not push
        # it onto an empty page of its own
        p = doc.add_paragraph()
        fmt = p.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing = Pt(1)
        from docx.oxml import OxmlElement

        rpr = p._p.get_or_add_pPr()
        mark = OxmlElement("w:rPr")
        sz = OxmlElement("w:sz")
        sz.set(qn("w:val"), "2")
        mark.append(sz)
        rpr.append(mark)


def field_table(doc, fields: list[tuple[str, object]], label_width: float = 7.0):
    """Two columns: question | content control."""
    t = table(doc, len(fields), 2, [label_width, 17.0 - label_width])
    for row, (label, sdt) in zip(t.rows, fields):
        cell_text(row.cells[0], label, bold=True)
        put(row.cells[1], sdt)
        if is_multiline(sdt):
            min_height(row, ANSWER_CM)
    rows_whole(t, header_rows=0)
    return t


ANSWER_CM = 2.0
"""The least height of a table row holding a free-text answer: room for a few lines."""


def is_multiline(sdt) -> bool:
    """Whether a control is a multi-line (free-text) answer."""
    from docx.oxml.ns import qn

    t = sdt.find(f"{qn('w:sdtPr')}/{qn('w:text')}")
    return t is not None and t.get(qn("w:multiLine")) in ("1", "true")


def text(tag, title, value=None, multiline=False, locked=False, prompt=None):
    return dc.text_control(tag, title, value, multiline=multiline, locked=locked, prompt=prompt)


def yes_no(tag, title, value=None):
    return dc.dropdown_control(tag, title, dc.YES_NO, value)


def date(tag, title, value=None, prompt=None):
    return dc.date_control(tag, title, value, prompt=prompt)


def keep_headings_with_tables(doc) -> None:
    """A heading, and the lines between it and the table that follows it, keep with
    the table (``w:keepNext``): a heading is never left alone at the foot of a page.
    Also every paragraph just before a table (a bold question, an italic note)."""
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    body = doc.element.body
    for tbl in body.iterchildren(qn("w:tbl")):
        prev = tbl.getprevious()
        n = 0
        while prev is not None and prev.tag == qn("w:p") and n < 4:
            p = Paragraph(prev, doc)
            if not p.text.strip():
                break  # a spacer stays behind (no blank line at the top of the next page)
            p.paragraph_format.keep_with_next = True
            if p.style is not None and p.style.name.startswith(("Heading", "Title")):
                break
            prev, n = prev.getprevious(), n + 1


def finish(doc, path: Path, form_type: str, *, protect: bool = True) -> Path:
    keep_headings_with_tables(doc)
    end_with_paragraph(doc)
    if protect:
        dc.protect_for_forms(doc)
    dc.set_custom_properties(doc, {dc.PROP_FORM_TYPE: form_type, dc.PROP_VERSION: TEMPLATE_VERSION})
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def min_height(row, cm: float) -> None:
    """A table row at least ``cm`` high (it grows with its text): room to write in."""
    from docx.enum.table import WD_ROW_HEIGHT_RULE

    row.height = Cm(cm)
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST


def box(doc, sdt, height_cm: float = 3.5):
    """A free-text answer as a bordered box the width of the page, at least
    ``height_cm`` high."""
    t = table(doc, 1, 1, [17.0])
    put(t.rows[0].cells[0], sdt)
    min_height(t.rows[0], height_cm)
    rows_whole(t, header_rows=0)
    return t


def _field(paragraph, instr: str, shown: str, *, half_points: int = 16, color: str = "595959") -> None:
    """A simple field (``PAGE``, ``NUMPAGES``) Word and LibreOffice update when they lay
    the document out; ``shown`` is the text until they do (in the footer's small grey)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), f" {instr} ")
    r = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    c = OxmlElement("w:color")
    c.set(qn("w:val"), color)
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), str(half_points))
    rpr.extend([c, sz])
    r.append(rpr)
    t = OxmlElement("w:t")
    t.text = shown
    r.append(t)
    fld.append(r)
    paragraph._p.append(fld)


def _small(run, *, bold: bool = False) -> None:
    run.font.size, run.font.color.rgb, run.bold = Pt(8), RGBColor(0x59, 0x59, 0x59), bold


def page_x_of_y(p) -> None:
    """"Page X of Y" (``PAGE`` and ``NUMPAGES`` fields) at the end of paragraph ``p``."""
    _small(p.add_run("Page "))
    _field(p, "PAGE", "1")
    _small(p.add_run(" of "))
    _field(p, "NUMPAGES", "1")


def running_head(doc, title: str) -> None:
    """Every form's header and footer (one builder for all of them), small and grey,
    so a loose page still says whose form it is: the header names the council (the
    Settings row "Council name", placeholder ``council_name``), the form's title and the
    template version; the footer the employee's ID and name and "Page X of Y"."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    sec = doc.sections[0]
    sec.header.is_linked_to_previous = sec.footer.is_linked_to_previous = False
    head = sec.header.paragraphs[0]
    head.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _small(head.add_run("{{ council_name }}"), bold=True)
    _small(head.add_run(f" | {title} | form version {TEMPLATE_VERSION}"))
    foot = sec.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _small(foot.add_run("Employee ID {{ employee_id }} - {{ employee_name }} | "))
    page_x_of_y(foot)


def letterhead(doc) -> None:
    """Every letter's header and footer: the council's name and address (Settings rows
    "Council name" and "Council address") at the top right of each page, and the letter's
    reference with "Page X of Y" at the foot."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    sec = doc.sections[0]
    head = sec.header.paragraphs[0]
    head.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    r = head.add_run("{{ council_name }}")
    r.bold, r.font.size, r.font.color.rgb = True, Pt(14), RGBColor(0x1F, 0x3A, 0x5F)
    addr = sec.header.add_paragraph()
    addr.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    addr.add_run("{{ council_address }}").font.size = Pt(9)
    foot = sec.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _small(foot.add_run("Our reference {{ reference }} | "))
    page_x_of_y(foot)


# ----------------------------------------------------------------------------- application


def build_application(path: Path) -> Path:
    """Appendix F - Application for Career Progression: Evidence of competencies."""
    title = "Application for Career Progression: Evidence of competencies"
    doc = new_document(title, "(To be completed by the employee seeking progression)")
    running_head(doc, title)
    para(doc, "For you to be considered for progression you should have worked with your line "
              "manager to ensure you meet all competencies for the appropriate level.")
    para(doc, "Part 1: Employee Details", style="Heading 1")
    field_table(doc, [
        ("Employee ID:", text("employee_id", "Employee ID", "{{ employee_id }}", locked=True)),
        ("Name:", text("employee_name", "Name", "{{ employee_name }}")),
        ("Current Job Title:", text("job_title", "Current job title", "{{ job_title }}")),
        ("Team / Location:", text("team_location", "Team / location", "{{ team_location }}")),
        ("Name of Framework employee is using:", text("framework_name", "Framework", "{{ framework_name }}", locked=True)),
        ("Date commenced Employment with Medway:", date("date_commenced", "Date commenced", "{{ date_commenced }}")),
        ("Current Range and level (e.g. 3A / 5B etc):",
         text("current_range_level", "Current range and level", "{{ current_range_level }}", locked=True)),
        ("Requesting Progression to which level:",
         text("level_requested", "Level requested", "{{ level_requested }}", locked=True)),
        ("Has there been a previous request for progression?",
         yes_no("previous_request", "Previous request", "{{ previous_request }}")),
        ("If so, when did this occur?",
         date("previous_request_date", "Date of previous request", "{{ previous_request_date }}")),
    ])
    para(doc)
    para(doc, "Please evidence below how you meet the requirements for progression within the "
              "role (please refer to your Career Progression Framework, guidance document and "
              "job profile). The framework's requirements for level {{ level_requested }} are "
              "shown beside each box.")
    t = table(doc, 5, 3, [3.0, 6.5, 7.5])
    for i, head in enumerate(("Criterion", "Framework requirement (level {{ level_requested }})", "Your evidence")):
        cell_text(t.rows[0].cells[i], head, bold=True)
    for row, (crit, key) in zip(t.rows[1:], (("Qualifications", "qualifications"), ("Knowledge", "knowledge"),
                                             ("Experience", "experience"), ("Skills", "skills"))):
        cell_text(row.cells[0], crit, bold=True)
        cell_text(row.cells[1], "{{ framework_" + key + " }}")
        put(row.cells[2], text(f"evidence_{key}", f"Evidence: {crit}", multiline=True))
        min_height(row, 3.0)
    rows_whole(t)
    para(doc)
    field_table(doc, [
        ("Employee Signature:", text("employee_signature", "Employee signature")),
        ("Date:", date("employee_signature_date", "Employee signature date")),
    ])
    para(doc)
    para(doc, "Please provide details of relevant supporting evidence with your application "
              "(where appropriate):", bold=True)
    para(doc, "This may include certificates for relevant qualifications; examples of "
              "practice/performance in role; current Performance Appraisal rating; line manager "
              "observation notes, etc.", italic=True)
    box(doc, text("supporting_evidence", "Supporting evidence", multiline=True), 4.0)

    para(doc, "Part 2: To be completed by Line Manager", style="Heading 1")
    field_table(doc, [
        ("Name and job title of line manager:",
         text("manager_name_job_title", "Line manager name and job title", "{{ manager_name }}")),
        ("How long have you been the line manager for this employee?",
         text("manager_how_long", "How long line manager")),
        ("Has the employee successfully passed their probation period?",
         yes_no("probation_passed", "Probation passed", "{{ probation_passed }}")),
        ("Do you support the application for progression? (Yes/No) If no, please provide "
         "reasons for this decision in the box below.", yes_no("manager_supports", "Manager supports")),
    ])
    para(doc)
    para(doc, "Line Manager's Statement (no more than 500 words)", bold=True)
    para(doc, "(please refer to the Career Progression Framework, guidance, and job profile) "
              "This statement should clearly explain either: i) how the employee has developed "
              "in their role and provided evidence on their readiness to progress, or, ii) where "
              "the employee has failed to meet the criteria for progression, feedback and "
              "support on how the employee can work towards achieving progression.", italic=True)
    box(doc, text("manager_statement", "Line manager's statement", multiline=True), 9.0)
    para(doc)
    field_table(doc, [
        ("Manager's signature:", text("manager_signature", "Manager signature")),
        ("Date:", date("manager_signature_date", "Manager signature date")),
    ])
    para(doc, "Authorisation by the grandparent manager", style="Heading 1")
    para(doc, "I confirm that the above employee has demonstrated the necessary competencies "
              "(i.e. qualifications, knowledge, experience, and skills) to progress to the next "
              "level within the Career Progression Framework.")
    field_table(doc, [
        ("Name of the grandparent manager (the line manager's manager):",
         text("authoriser_name", "Grandparent manager name", "{{ grandparent_manager }}")),
        ("Service Manager / Strategic Service Manager / Assistant Director signature:",
         text("authoriser_signature", "Authoriser signature")),
        ("Job Title:", text("authoriser_job_title", "Authoriser job title")),
        ("Date:", date("authorisation_date", "Authorisation date")),
    ])
    para(doc)
    para(doc, "Once approved this completed form should be uploaded on Service Desk by the line "
              "manager by {{ upload_deadline }} for the pay change on {{ effective_date }}.", bold=True)
    return finish(doc, path, "application")


# ----------------------------------------------------------------------------- appraisal

WELLBEING = (
    ("wellbeing_fulfilled", "How fulfilled I am in my current role"),
    ("wellbeing_workload", "How realistic and manageable I find my workload"),
    ("wellbeing_equipped", "How equipped and confident I am to do my job"),
    ("wellbeing_relationships", "The quality of relationships I have with my colleagues and manager"),
    ("wellbeing_purpose", "My clarity of purpose and sense of direction"),
    ("wellbeing_rewarding", "What do you find most rewarding/enjoyable in your role?"),
    ("wellbeing_difference", "What would make the greatest difference to my overall satisfaction "
                             "and fulfilment at work during the next few months?"),
)
CAREER_CHOICES = (
    "Content to stay in my current role, continue learning and developing",
    "Content to stay but open to broadening my experience and developing skills",
    "Would like to explore a move to a role at a similar range, or a project",
    "Considering moving to a role at a higher range, now or in the future",
)
VALUES = (
    ("values_proud", "Proud to be Medway - taking pride in what we do"),
    ("values_caring", "Caring - compassionate towards our communities and colleagues"),
    ("values_respectful", "Respectful - Valuing Medway's diversity, heritage and each other"),
    ("values_trusted", "Trusted - we do what we say, are open and accountable"),
    ("values_ambitious", "Ambitious for Medway - innovative, bold and positive"),
    ("values_collaborative", "Collaborative - working together - One Medway"),
)


def _objectives(doc, prefix: str, heading: str, intro: str) -> None:
    for p in (para(doc, heading, style="Heading 2"), para(doc, intro, italic=True)):
        p.paragraph_format.keep_with_next = True  # the heading stays with its table
    t = table(doc, 1 + 4 * 4, 5, [1.0, 6.5, 3.5, 3.0, 3.0])
    for i, head in enumerate(("", "Objective (what and how, SMART)", "Measure(s) of success",
                              "Target / actual completion", "Result")):
        cell_text(t.rows[0].cells[i], head, bold=True)
    for n in range(1, 5):
        base = 1 + (n - 1) * 4
        tag = f"objective_{prefix}_{n}"
        r = t.rows[base]
        cell_text(r.cells[0], f"{n}.", bold=True)
        # short grey prompts that say what each box is for, instead of "Objective set:
        # Click or tap here to enter text." sixteen times over
        put(r.cells[1], text(f"{tag}_set", f"Objective {prefix.upper()} {n}", multiline=True,
                             prompt="Objective"))
        put(r.cells[2], text(f"{tag}_measure", f"Measure {prefix.upper()} {n}", multiline=True,
                             prompt="Measure(s)"))
        put(r.cells[3], date(f"{tag}_target_date", f"Target date {prefix.upper()} {n}", prompt="Target date"))
        put(r.cells[4], dc.dropdown_control(f"{tag}_outcome", f"Result {prefix.upper()} {n}", dc.OUTCOMES,
                                            prompt="Result"))
        min_height(r, 1.2)
        for k in range(1, 4):
            rr = t.rows[base + k]
            put(rr.cells[1], text(f"{tag}_review_{k}", f"Review {k} of {prefix.upper()} {n}", multiline=True,
                                  prompt=f"Progress at review {k}"))
            min_height(rr, 0.9)
            if k == 1:
                put(rr.cells[3], date(f"{tag}_actual_date", f"Actual date {prefix.upper()} {n}",
                                      prompt="Actual date"))
        for k in range(3):  # an objective's four rows stay on one page
            keep_with_next(t.rows[base + k])
    rows_whole(t)


def build_appraisal(path: Path) -> Path:
    """Appendix B - Performance Appraisal and Career Conversation Form."""
    title = "Performance Appraisal and Career Conversation Form"
    doc = new_document(title)
    running_head(doc, title)
    field_table(doc, [
        ("Employee ID:", text("employee_id", "Employee ID", "{{ employee_id }}", locked=True)),
        ("Employee name:", text("employee_name", "Employee name", "{{ employee_name }}")),
        ("Job title:", text("job_title", "Job title", "{{ job_title }}")),
        ("Directorate:", text("directorate", "Directorate", "{{ directorate }}")),
        ("Team:", text("team", "Team", "{{ team }}")),
        ("Manager Name:", text("manager_name", "Manager name", "{{ manager_name }}")),
        ("Date of objective setting meeting:", date("date_objective_setting", "Objective setting meeting")),
        ("Date of review meeting 1:", date("date_review_1", "Review meeting 1")),
        ("Date of review meeting 2:", date("date_review_2", "Review meeting 2")),
        ("Date of review meeting 3 (end of year):", date("date_review_3", "Review meeting 3")),
    ])
    para(doc, "The end-of-year review (meeting 3) takes place in {{ end_of_year_review }}, when "
              "the objectives are assessed as Not met, Met or Exceeded (policy 6.14).", italic=True)
    para(doc, "SECTION 1 - About the employee", style="Heading 1")
    para(doc, "Reflect upon your satisfaction with your current role and the balance between your "
              "work and personal life. Indicate below how much each of these employment needs are "
              "met within your current role.", italic=True)
    t = table(doc, 1 + len(WELLBEING), 2, [7.0, 10.0])
    cell_text(t.rows[0].cells[0], "Thinking about", bold=True)
    cell_text(t.rows[0].cells[1], "I feel...", bold=True)
    for row, (tag, label) in zip(t.rows[1:], WELLBEING):
        cell_text(row.cells[0], label)
        put(row.cells[1], text(tag, label, multiline=True))
        min_height(row, 1.5)
    rows_whole(t)
    para(doc, "SECTION 2 - Reviewing my Career", style="Heading 1")
    field_table(doc, [
        ("Where am I today?", dc.dropdown_control("career_choice", "Where I am in my career", CAREER_CHOICES)),
        ("What would I like to learn more about? How could I broaden my experience? "
         "Where do I see myself in 12 months' time?", text("career_learn", "Learning and intentions", multiline=True)),
        ("What support do I need to achieve this? What is my motivation?",
         text("career_support", "Support and motivation", multiline=True)),
        ("What other considerations in my life do I need to balance with this?",
         text("career_considerations", "Other considerations", multiline=True)),
        ("Any additional comments?", text("career_comments", "Additional comments", multiline=True)),
    ])
    para(doc, "SECTION 3 - Agreeing and Reviewing development goals and work objectives", style="Heading 1")
    para(doc, "Objectives result: Not met - not on track and unlikely to meet most objectives; "
              "Met - on track to meet objectives and achieve the expected outcomes in this role; "
              "Exceeded - on track to meet all set objectives and exceed performance.", italic=True)
    _objectives(doc, "st", "Short term objectives (next 1-3 months)",
                "Summarise the key goals, priorities or SMART objectives over the next 1-3 months, "
                "including goals that relate to your career, personal development and wellbeing.")
    _objectives(doc, "lt", "Long term objectives (next 4-12 months)",
                "Summarise the longer-term goals and SMART objectives you will be working on over "
                "the next 4-12+ months.")
    para(doc, "Training and Development", style="Heading 2")
    para(doc, "Areas where further training and/or support is required, including mandatory "
              "training in this appraisal period.", italic=True)
    box(doc, text("training", "Training and development", multiline=True), 3.5)
    para(doc, "Comments and Feedback", style="Heading 2")
    box(doc, text("comments_feedback", "Comments and feedback", multiline=True), 4.0)
    para(doc, "Our values and behaviours", style="Heading 2")
    para(doc, "Reflect on how your role and work embeds our values and behaviours.", italic=True)
    t = table(doc, len(VALUES), 2, [7.0, 10.0])
    for row, (tag, label) in zip(t.rows, VALUES):
        cell_text(row.cells[0], label, bold=True)
        put(row.cells[1], text(tag, label.split(" - ")[0], multiline=True))
        min_height(row, 1.5)
    rows_whole(t, header_rows=0)
    para(doc)
    field_table(doc, [
        ("Employee Signature:", text("employee_signature", "Employee signature")),
        ("Date:", date("employee_signature_date", "Employee signature date")),
        ("Manager Signature:", text("manager_signature", "Manager signature")),
        ("Date:", date("manager_signature_date", "Manager signature date")),
    ])
    para(doc)
    para(doc, "Agreed dates for next conversations (suggested no longer than three months to set "
              "new goals and objectives):", bold=True)
    t = table(doc, 2, 4, [4.25] * 4)
    for i, m in enumerate((3, 6, 9, 12)):
        cell_text(t.rows[0].cells[i], f"{m} months", bold=True)
        put(t.rows[1].cells[i], date(f"next_conversation_{m}m", f"Next conversation {m} months",
                                     "{{ next_conversation_" + str(m) + "m }}"))
    rows_whole(t)
    return finish(doc, path, "appraisal")


# ----------------------------------------------------------------------------- pdp

PDP_COLUMNS = (
    ("develop", "What do I want to develop? What development goals are you aiming to achieve?"),
    ("values", "Which values or behaviours will I need to display to achieve this?"),
    ("support", "What support do I need? What support is available?"),
    ("progress", "How will I know I have progressed? What will you and others notice?"),
    ("reflection", "Reflection / learning: what did you learn about yourself?"),
)
PDP_ROWS = 4
PDP_WIDTH_CM = 25.7
PDP_ROW_CM = 2.4
"""The least height of each goal's row of the PDP (room to write)."""


def build_pdp(path: Path) -> Path:
    """Appendix D - My personal development plan."""
    title = "My personal development plan"
    doc = new_document(title, landscape=True)
    running_head(doc, title)
    para(doc, "This is your personal development plan, it should be personal to you and may "
              "include development opportunities that you want to achieve in your personal life "
              "as well as your professional life over the next 12 months.", italic=True)
    field_table(doc, [
        ("Employee ID:", text("employee_id", "Employee ID", "{{ employee_id }}", locked=True)),
        ("Name:", text("employee_name", "Name", "{{ employee_name }}")),
        ("Job role:", text("job_role", "Job role", "{{ job_title }}")),
        ("Year:", text("year", "Year", "{{ year }}")),
    ])
    para(doc)
    # landscape A4: 25.7 cm between the margins, five equal columns
    t = table(doc, 1 + PDP_ROWS, len(PDP_COLUMNS), [PDP_WIDTH_CM / len(PDP_COLUMNS)] * len(PDP_COLUMNS))
    for i, (_, head) in enumerate(PDP_COLUMNS):
        cell_text(t.rows[0].cells[i], head, bold=True)
    for n in range(1, PDP_ROWS + 1):
        for i, (key, _head) in enumerate(PDP_COLUMNS):
            put(t.rows[n].cells[i], text(f"pdp_{n}_{key}", f"Goal {n}: {key}", multiline=True))
        min_height(t.rows[n], PDP_ROW_CM)
    rows_whole(t)
    return finish(doc, path, "pdp")


# ----------------------------------------------------------------------------- initial assessment


def build_initial_assessment(path: Path) -> Path:
    """Appendix K, stage 9 (Implementation and Pay Forms): the Initial Assessment form on
    which the line manager records the assessment outcome of the meeting every member of
    staff has, with the evidence against the framework at the estimated level, whether a
    PDP was agreed ("At all levels a personal development plan (PDP) may be put in
    place") and both signatures. Tags are read back by ``medpay harvest`` and by the
    payroll change instructions: keep them."""
    title = "Initial Assessment form"
    doc = new_document(title,
                       "Career Progression Framework: the assessment outcome (to be completed by "
                       "the line manager at the meeting with the employee)")
    running_head(doc, title)
    para(doc, "Every member of staff has a meeting to discuss where they are being assessed at "
              "within the Career Progression Framework (CPF). The employee may have evidence the "
              "manager was not aware of when the initial assessment (the estimated level below) "
              "was made. Record the assessment outcome on this form and return it to the MedPay "
              "Review Team once all assessments are complete.")
    para(doc, "Employee details", style="Heading 1")
    field_table(doc, [
        ("Employee ID:", text("employee_id", "Employee ID", "{{ employee_id }}", locked=True)),
        ("Name:", text("employee_name", "Name", "{{ employee_name }}", locked=True)),
        ("Job title:", text("job_title", "Job title", "{{ job_title }}", locked=True)),
        ("Team:", text("team", "Team", "{{ team }}", locked=True)),
        ("Framework:", text("framework_name", "Framework", "{{ framework_name }}", locked=True)),
        ("Current range and level:",
         text("current_range_level", "Current range and level", "{{ current_range_level }}", locked=True)),
        ("Current salary (full-time, annual):",
         text("current_salary", "Current salary", "{{ current_salary }}", locked=True)),
        ("Manager's estimated level (initial assessment):",
         text("estimated_range_level", "Estimated level", "{{ estimated_range_level }}", locked=True)),
    ])
    para(doc, "Evidence against the framework", style="Heading 1")
    p = para(doc, "The framework's requirements at the estimated level, {{ estimated_range_level }} "
                  "({{ estimated_level_title }}), are shown beside each box. Record the evidence "
                  "discussed at the meeting, including any the employee brought that was not known "
                  "when the estimate was made.", italic=True)
    p.paragraph_format.keep_with_next = True
    t = table(doc, 5, 3, [3.0, 6.5, 7.5])
    for i, head in enumerate(("Criterion", "Framework requirement (level {{ estimated_range_level }})",
                              "Evidence discussed at the meeting")):
        cell_text(t.rows[0].cells[i], head, bold=True)
    for row, (crit, key) in zip(t.rows[1:], (("Qualifications", "qualifications"), ("Knowledge", "knowledge"),
                                             ("Experience", "experience"), ("Skills", "skills"))):
        cell_text(row.cells[0], crit, bold=True)
        cell_text(row.cells[1], "{{ framework_" + key + " }}")
        put(row.cells[2], text(f"evidence_{key}", f"Evidence: {crit}", multiline=True))
        min_height(row, 3.0)
    rows_whole(t)
    para(doc, "Assessment outcome", style="Heading 1").paragraph_format.keep_with_next = True
    field_table(doc, [
        ("Date of the assessment meeting:", date("meeting_date", "Meeting date")),
        ("Level assessed at (A Developing, B Practising, C Accomplished):",
         dc.dropdown_control("assessed_level", "Assessed level", ASSESSED_LEVELS)),
        ("Has a personal development plan (PDP) been agreed?", yes_no("pdp_agreed", "PDP agreed")),
    ])
    para(doc)
    for line in (
        "If the assessed level differs from the estimate - full evidence of meeting the criteria "
        "of a higher level, or the initial assessment not achieved - the MedPay Review Team must "
        "be advised: CMT are provided with a cost monitoring report.",
        "If the employee is assessed at a lower level than they are currently paid, their salary "
        "will be honoured.",
        "At all levels a personal development plan (PDP) may be put in place to enable progression "
        "to the next CPF level and/or to the next range within the career pathway.",
        "Pay changes are made at the most suitable payroll date; no payments are backdated.",
    ):
        para(doc, line, italic=True)
    para(doc, "Employee's comments", style="Heading 1").paragraph_format.keep_with_next = True
    box(doc, text("employee_comments", "Employee's comments", multiline=True), 3.5)
    para(doc, "Signatures", style="Heading 1").paragraph_format.keep_with_next = True
    field_table(doc, [
        ("Line manager's name:", text("manager_name", "Line manager's name", "{{ manager_name }}")),
        ("Line manager's signature:", text("manager_signature", "Manager signature")),
        ("Date:", date("manager_signature_date", "Manager signature date")),
        ("Employee's signature:", text("employee_signature", "Employee signature")),
        ("Date:", date("employee_signature_date", "Employee signature date")),
    ])
    para(doc)
    para(doc, "Return this completed form to the MedPay Review Team once all assessments are "
              "complete.", bold=True)
    return finish(doc, path, "initial-assessment")


# ----------------------------------------------------------------------------- letters


def _letter(title: str):
    """A letter: the letterhead (:func:`letterhead`), the addressee, reference and date,
    the salutation, then ``title`` as the bold subject line."""
    doc = new_document(title, show_title=False)
    letterhead(doc)
    para(doc, "Private and confidential", bold=True)
    para(doc, "{{ employee_name }} (employee ID {{ employee_id }})")
    para(doc, "{{ job_and_team }}")
    para(doc, "Our reference: {{ reference }}")
    para(doc, "Date: {{ letter_date }}")
    para(doc, "Dear {{ employee_name }},")
    para(doc, title, bold=True)
    return doc


def _sign_off(doc) -> None:
    """Yours sincerely, the signatory's name and job title (Settings rows "Signatory name"
    and "Signatory job title", or the decision's "Signed by"), and the council."""
    para(doc, "Yours sincerely,")
    para(doc)
    para(doc, "{{ signatory }}", bold=True)
    para(doc, "{%p if signatory_job_title %}")
    para(doc, "{{ signatory_job_title }}")
    para(doc, "{%p endif %}")
    para(doc, "{{ council_name }}")


def build_letter_approved(path: Path) -> Path:
    """Policy 7.19-7.20: approved progression, applied from July or January, never backdated."""
    doc = _letter("Career progression: your request has been approved")
    para(doc, "Thank you for your application for career progression under the {{ framework_name }} "
              "Career Progression Framework. I am pleased to confirm that on {{ decision_date }} your "
              "request to progress from {{ current_range_level }} to {{ new_range_level }} "
              "({{ new_level_title }}) was approved.")
    para(doc, "Your new annual full-time salary will be {{ new_salary }}, effective from "
              "{{ effective_date }}. {{ pro_rata_note }}")
    para(doc, "Pay changes are applied as of January or July and are not backdated (policy 7.20).")
    para(doc, "Congratulations on your progression. Please keep discussing your development with "
              "your line manager at your 1:1s and appraisal conversations.")
    _sign_off(doc)
    return finish(doc, path, "letter-approved", protect=False)


def build_letter_declined(path: Path) -> Path:
    """Policy 7.21 (feedback, next window) and 7.24-7.26 (appeal in writing within five
    working days, to whom and how; a response within a reasonable timeframe)."""
    doc = _letter("Career progression: outcome of your request")
    para(doc, "Thank you for your application for career progression to {{ new_range_level }} under "
              "the {{ framework_name }} Career Progression Framework. I am sorry to tell you that on "
              "{{ decision_date }} it was not approved, because the evidence did not yet meet all "
              "the criteria for that level.")
    para(doc, "Areas to develop", style="Heading 2")
    para(doc, "Your line manager will give you full feedback. The framework's requirements for "
              "{{ new_range_level }} in the areas where the standard was not yet met are:")
    para(doc, "{%p for area in areas %}")
    para(doc, "{{ area.criterion }}: {{ area.text }}")
    para(doc, "{%p endfor %}")
    para(doc, "{{ feedback }}")
    para(doc, "When you can apply again", style="Heading 2")
    para(doc, "The earliest you can submit another request is the next window (policy 7.21): a "
              "request submitted from {{ resubmission_opens }} and by {{ next_window_deadline }} "
              "will be considered for a pay change on {{ next_window }}.")
    para(doc, "Your right to appeal", style="Heading 2")
    para(doc, "You may appeal to {{ appeal_to }} if you consider that the process has been "
              "incorrectly applied, that there is evidence that the outcome was unfair or biased, "
              "or that the criteria have been applied unfairly (policy 7.24). Your appeal must be "
              "made in writing to {{ appeal_to }}, stating your grounds and quoting our reference "
              "{{ reference }}, by {{ appeal_deadline }} (within {{ appeal_days }} working days of "
              "receiving this letter, policy 7.25).")
    para(doc, "{{ appeal_how }}")
    para(doc, "Your appeal will be reviewed and you will receive a response within a reasonable "
              "timeframe (policy 7.26).")
    _sign_off(doc)
    return finish(doc, path, "letter-declined", protect=False)


# ----------------------------------------------------------------------------- registry

BUILDERS: dict[str, Callable[[Path], Path]] = {
    FORM_KINDS["application"]: build_application,
    FORM_KINDS["appraisal"]: build_appraisal,
    FORM_KINDS["pdp"]: build_pdp,
    FORM_KINDS["initial-assessment"]: build_initial_assessment,
    LETTER_KINDS["approved"]: build_letter_approved,
    LETTER_KINDS["declined"]: build_letter_declined,
}


def build_decisions_sample(path: Path) -> Path:
    """workbooks/decisions/sample-decisions.xlsx: the decisions workbook `medpay letters` reads."""
    from addin.office.xlsx.decisions import write_sample_decisions

    return write_sample_decisions(path)
