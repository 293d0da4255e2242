"""The blank framework authoring workbook (``medpay template framework``).

The workbook is in the format :mod:`addin.office.xlsx.frameworks` reads - the Appendix H grid:

    Job Title | Range | Duties | Criterion | Level A (Developing) | Level B (Practising) | Level C (Accomplished)

with one example role filled in (following every Appendix K writing rule, so it
validates clean) and one empty block ready for each of ranges 2 to 7 (the Appendix H
template's own blocks), a "Framework" sheet for the name, job family, owner and version
date, and an "Instructions" sheet with the writing rules in plain words. Range cells
accept only whole numbers 2-8 (data validation); text wraps; widths, frozen panes and
print setup are set. The content is data (``EXAMPLE_ROLE``, ``INSTRUCTIONS``); the
workbook is written through :mod:`addin.office.safeio`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict

from addin.core.model import CRITERIA, LEVELS, MAX_RANGE, MIN_RANGE
from addin.office.safeio import atomic_save, check_writable, set_cell

SHEET = "CPF"
FRAMEWORK_SHEET = "Framework"
INSTRUCTIONS_SHEET = "Instructions"
HEADER_ROW = 3
HEADERS = ("Job Title", "Range", "Duties", "Criterion",
           *(f"Level {lv.value} ({lv.title})" for lv in LEVELS))
CAPTIONS = ("Required for this level (in addition to all previous levels, if applicable)",
            "In addition to level A", "In addition to levels A and B")
BLANK_RANGES = tuple(range(2, 8))
"""Appendix H's template has a block for each of Range 2 to Range 7."""
WIDTHS = {"A": 30, "B": 9, "C": 40, "D": 16, "E": 48, "F": 48, "G": 48}
VALIDATED_ROWS = 500

class ExampleRole(TypedDict):
    title: str
    range: int
    duties: str
    criteria: dict[str, tuple[str, ...]]
    """criterion -> its (A, B, C) texts"""


EXAMPLE_ROLE: ExampleRole = {
    "title": "Administrator (example)",
    "range": 3,
    "duties": "Provides administrative support to the service: answers enquiries, keeps "
              "records, arranges meetings and takes minutes.",
    "criteria": {
        "Qualifications": (
            "A minimum of 5 GCSEs at grades 4-9 (or equivalent) including English and Maths.",
            "Working towards Level 3 in Business Administration.",
            "Completed Level 3 in Business Administration.",
        ),
        "Knowledge": (
            "Knowledge of the council's complaints procedure and the One Medway Council Plan.",
            "Knowledge of the Freedom of Information Act and how requests are logged.",
            "Knowledge of the records retention schedule and the records management policy.",
        ),
        "Experience": (
            "Experience of answering customer enquiries by telephone and e-mail.",
            "Minimum of 12 months at 3A with satisfactory performance, including taking "
            "minutes of team meetings.",
            "Minimum of 18 months at 3B with satisfactory performance, including managing "
            "a manager's diary.",
        ),
        "Skills": (
            "Proficient in the use of Microsoft packages including Word, Excel, Outlook and "
            "Teams.",
            "Writes minutes of formal meetings and circulates them within 3 working days.",
            "Trains new starters in the team's procedures and checks their work for the "
            "first month.",
        ),
    },
}

INSTRUCTIONS: tuple[tuple[str, str], ...] = (
    ("How to use this workbook", ""),
    ("", "Write one block per job on the CPF sheet: the job title, its pay range (2 to 8) "
         "and a summary of its duties on the block's first row, then what is required for "
         "Qualifications, Knowledge, Experience and Skills at each level."),
    ("", "Level A (Developing) is the start of the range, Level B (Practising) the "
         "mid-point and Level C (Accomplished) the top (policy 7.14). Write at B and C only "
         "what is required in addition to the levels before."),
    ("", "The example role shows the layout; replace it or delete its rows. Empty blocks "
         "are ready for ranges 2 to 7; copy a block to add more roles, delete the ones you "
         "do not need."),
    ("", "Fill in the Framework sheet: the framework's name, job family, owner and version "
         "date."),
    ("", "Check the workbook with: medpay validate-framework FILE (add --feedback OUT.xlsx "
         "for a copy with a comment on every cell to fix)."),
    ("Writing rules (Appendix K, Designing CPFs)", ""),
    ("Be clear", "Avoid words that are open to interpretation, such as 'good' or "
                 "'excellent'. Say what the employee must do or show."),
    ("Add stretch", "Each level must ask for more than the one before. Do not repeat the "
                    "previous level's text."),
    ("Timeframes", "Experience at levels B and C must say how long, in months or years, "
                   "for example 'Minimum of 12 months at 3A with satisfactory performance' "
                   "or 'a minimum of 2 years' experience in a similar role'."),
    ("Time at a level", "A time at a level ('12 months at 3A') must name a range and level "
                        "that exist in this framework."),
    ("Qualifications", "Only essential qualifications. If one is not needed on entry but is "
                       "needed to progress, write 'Working towards ...' at one level and "
                       "'Completed ...' at the next. Qualifications and experience are "
                       "not an either/or: do not write '... or relevant experience'."),
    ("Range 3 and 4 roles", "Always require a minimum of 5 GCSEs at grades 4-9 (or "
                            "equivalent) including English and Maths. Range 2 roles may ask "
                            "for GCSE English and Maths."),
    ("Knowledge", "Policy, procedure, guidelines, legislation. Do not list knowledge gained "
                  "through mandatory training (nor 'awareness' of health and safety, "
                  "GDPR, safeguarding or equality and diversity): there is no discretion "
                  "in attaining it."),
    ("Skills", "Soft and technical skills; driving or travel if the role needs them."),
    ("Every cell", "Fill in every criterion at every level. If a level adds nothing to "
                   "Qualifications, Knowledge or Skills, write 'None in addition to level A' "
                   "(at level C: 'None in addition to level B'). Experience at levels B and "
                   "C always says how long instead (see Timeframes)."),
    ("Duties", "Summarise each role's duties in the Duties cell of its first row."),
    ("Ranges", "Each role's range is a whole number from 2 to 8; give each job title and "
               "range one block only."),
)


def build_framework_template():
    """The authoring workbook as an openpyxl Workbook (not yet saved)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    thin = Side(style="thin", color="A6A6A6")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill(fill_type="solid", start_color="1F4E78", end_color="1F4E78")
    title_fill = PatternFill(fill_type="solid", start_color="DDEBF7", end_color="DDEBF7")
    input_fill = PatternFill(fill_type="solid", start_color="FFFBE6", end_color="FFFBE6")

    set_cell(ws, 1, 1, "NAME Career Progression Framework").font = Font(bold=True, size=14)
    set_cell(ws, 2, 1, "One block per role: the job title row, then one row per criterion "
                       "for Levels A, B and C. See the Instructions sheet.").font = Font(italic=True)
    for col, text in enumerate(HEADERS, start=1):
        c = set_cell(ws, HEADER_ROW, col, text)
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = head_fill
        c.alignment = wrap
        c.border = border

    row = HEADER_ROW

    def block(title: str, range_: int, duties: str, texts: dict[str, tuple[str, ...]]) -> None:
        nonlocal row
        row += 1
        for col, value in ((1, title), (2, range_), (3, duties)):
            if value != "":
                set_cell(ws, row, col, value)
        for i, caption in enumerate(CAPTIONS):
            set_cell(ws, row, 5 + i, caption).font = Font(italic=True)
        for col in range(1, 8):
            c = ws.cell(row, col)
            c.fill = title_fill
            c.alignment = wrap
            c.border = border
        ws.cell(row, 1).font = bold
        for crit in CRITERIA:
            row += 1
            set_cell(ws, row, 4, crit.value).font = bold
            for i, text in enumerate(texts.get(crit.value, ("", "", ""))):
                c = ws.cell(row, 5 + i)
                if text:
                    set_cell(ws, row, 5 + i, text)
                else:
                    c.fill = input_fill
            for col in range(1, 8):
                ws.cell(row, col).alignment = wrap
                ws.cell(row, col).border = border
        # No merged cells: a block stays easy to copy, and duties sit in the title row.

    block(EXAMPLE_ROLE["title"], EXAMPLE_ROLE["range"], EXAMPLE_ROLE["duties"],
          EXAMPLE_ROLE["criteria"])
    for r in BLANK_RANGES:
        block("", r, "", {})

    dv = DataValidation(type="whole", operator="between", formula1=str(MIN_RANGE),
                        formula2=str(MAX_RANGE), allow_blank=True, showErrorMessage=True,
                        showInputMessage=True, errorTitle="Range",
                        error=f"The range is a whole number from {MIN_RANGE} to {MAX_RANGE}.",
                        promptTitle="Range", prompt=f"Pay range {MIN_RANGE}-{MAX_RANGE}")
    dv.add(f"B{HEADER_ROW + 1}:B{VALIDATED_ROWS}")
    ws.add_data_validation(dv)
    for letter, width in WIDTHS.items():
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"B{HEADER_ROW + 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.oddFooter.center.text = "Page &P of &N"

    meta = wb.create_sheet(FRAMEWORK_SHEET)
    for i, label in enumerate(("Name", "Job family", "Owner", "Version date"), start=1):
        set_cell(meta, i, 1, label).font = bold
        meta.cell(i, 2).fill = input_fill
    meta.cell(4, 2).number_format = "dd/mm/yyyy"
    meta.column_dimensions["A"].width = 16
    meta.column_dimensions["B"].width = 50

    ins = wb.create_sheet(INSTRUCTIONS_SHEET)
    for i, (head, text) in enumerate(INSTRUCTIONS, start=1):
        a = set_cell(ins, i, 1, head)
        a.font = Font(bold=True, size=12 if not text else 11)
        a.alignment = wrap
        if text:
            set_cell(ins, i, 2, text).alignment = wrap
    ins.column_dimensions["A"].width = 28
    ins.column_dimensions["B"].width = 100
    ins.page_setup.orientation = "portrait"
    ins.page_setup.paperSize = ins.PAPERSIZE_A4
    ins.page_setup.fitToWidth = 1
    ins.page_setup.fitToHeight = 0
    ins.sheet_properties.pageSetUpPr.fitToPage = True
    return wb


def write_framework_template(out: str | Path, *, force: bool = False) -> Path:
    """Write the authoring workbook atomically (no overwrite without ``force``)."""
    path = Path(out)
    check_writable(path, force=force)
    wb = build_framework_template()
    return atomic_save(path, wb.save, force=force)
