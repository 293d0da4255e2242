"""The shipped Business and Executive Support framework: transcribed facts and round trips.

Every expected value here was worked by hand from the CPF guide in the shared seeds
(000_78a88a054777a7e1.txt), not copied from the reader's output.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from addin.core.cells import a1, parse_a1
from addin.core.model import Criterion, Level, SourceRef
from addin.office.xlsx.frameworks import load_framework

from .conftest import BES_FRAMEWORK

Q, K, E, S = Criterion.QUALIFICATIONS, Criterion.KNOWLEDGE, Criterion.EXPERIENCE, Criterion.SKILLS
A, B, C = Level.A, Level.B, Level.C
SHEET = "Business and Executive Support"

# The guide's "Job Profession" list and evidence tables, in order, with their ranges. The
# guide gives the apprentice no range and no evidence table; "Business Support Officer
# (with and without Line Management) / Business and Finance Support Officer" is one
# evidence table for the three officer roles, each with its own description.
EXPECTED_ROLES = [
    ("Business Support Apprentice", None),
    ("Business Support Assistant", 2),
    ("Personal Assistant", 3),
    ("Business Support Officer", 3),
    ("Business Support Officer (with line management responsibilities)", 3),
    ("Business and Finance Support Officer", 3),
    ("Executive Assistant (to Assistant Director)", 4),
    ("Business Support Team Leader", 4),
    ("Executive Assistant (to Director)", 5),
    ("Personal Assistant (to Chief Executive)", 5),
    ("Executive Assistant (to Chief Executive)", 6),
]

# Cells the guide genuinely leaves without text (validation reports them).
EXPECTED_EMPTY = {
    *(("Business Support Apprentice", lv, cr) for lv in (A, B, C) for cr in (Q, K, E, S)),
    ("Business Support Assistant", B, Q),
    ("Personal Assistant", A, Q),
    ("Personal Assistant", B, Q),
    ("Executive Assistant (to Assistant Director)", B, Q),
    ("Business Support Team Leader", B, K),
    ("Executive Assistant (to Director)", B, Q),
    ("Personal Assistant (to Chief Executive)", B, Q),
    ("Personal Assistant (to Chief Executive)", C, S),
    ("Executive Assistant (to Chief Executive)", B, Q),
    ("Executive Assistant (to Chief Executive)", B, K),
}

REFER = "Refer to 'Evidence required to progress through the Framework' at page 9."


@pytest.fixture(scope="module")
def shipped():
    return load_framework(BES_FRAMEWORK)


def test_shipped_framework_reads_without_structural_findings(shipped):
    fw, findings = shipped
    assert findings == []
    assert fw.name == "Business and Executive Support"
    assert fw.job_family == "Business and Executive Support"
    assert fw.owner == "MedPay Review Team"
    assert isinstance(fw.version_date, dt.date)


def test_every_role_of_the_guide_with_its_range(shipped):
    fw, _ = shipped
    assert [(r.title, r.range) for r in fw.roles] == EXPECTED_ROLES
    assert len(fw.roles) == 11
    assert fw.roles[0].range_raw is None  # the guide gives the apprentice no range


def test_every_role_has_all_four_criteria_at_every_level_with_a_source_cell(shipped):
    fw, _ = shipped
    for role in fw.roles:
        assert set(role.criteria) == {A, B, C}
        for lv in (A, B, C):
            assert set(role.criteria[lv]) == {Q, K, E, S}
            for item in role.criteria[lv].values():
                assert item.source.file == str(BES_FRAMEWORK) and item.source.sheet == SHEET
        assert role.duties, role.title


def test_only_the_cells_the_guide_leaves_blank_are_empty(shipped):
    fw, _ = shipped
    empty = {(r.title, lv, cr) for r in fw.roles for lv, by in r.criteria.items()
             for cr, item in by.items() if not item.text}
    assert empty == EXPECTED_EMPTY


def test_personal_assistant_needs_12_months_at_3a_for_level_b(shipped):
    fw, _ = shipped
    pa = fw.role("Personal Assistant", 3)
    assert pa.text(B, E) == (
        "Minimum of 12 months at 3A with satisfactory performance. Evidenced by personal "
        "records and/or performance appraisal documents\n"
        "Provide at least one example for each experience criteria at level 3B to demonstrate "
        f"how it has been achieved. {REFER}"
    )
    assert pa.text(C, E).startswith(
        "For career progression applications - 18 months satisfactory experience at level 3B "
        "to progress, evidenced by performance appraisal documents.")
    assert pa.text(C, Q) == (
        "Completed Level 3 in Business Administration.\nEvidence of continuous professional "
        "development. Able to describe how they have put the learning into practice in their role")


def test_business_support_officer_untangled_column_by_column(shipped):
    fw, _ = shipped
    bso = fw.role("Business Support Officer", 3)
    assert bso.text(A, Q) == ("GCSE certificates to include Maths and English to be provided "
                              "through onboarding process.")
    assert bso.text(B, Q) == "Working towards Level 3 in Business Administration."
    assert bso.text(C, Q).startswith("Completed Level 3 in Business Administration.")
    assert bso.text(A, K) == "Interview and scenario-based assessment."
    assert bso.text(A, E) == ("A minimum of 2 years' experience in a similar role. Application "
                              "form criteria met. Interview assessment and scenario-based assessment.")
    assert bso.text(B, E).startswith("Minimum of 18 months at 3A with satisfactory performance.")
    assert bso.text(A, S) == "Interview and scenario-based assessment. Test at interview"
    for other in ("Business Support Officer (with line management responsibilities)",
                  "Business and Finance Support Officer"):
        role = fw.role(other, 3)
        assert {(lv, cr): role.text(lv, cr) for lv in (A, B, C) for cr in (Q, K, E, S)} == \
            {(lv, cr): bso.text(lv, cr) for lv in (A, B, C) for cr in (Q, K, E, S)}


def test_time_at_level_requirements_of_each_range(shipped):
    fw, _ = shipped
    starts = {
        ("Executive Assistant (to Assistant Director)", 4): "Minimum of 18 months at 4A",
        ("Business Support Team Leader", 4): "Minimum of 18 months at 4A",
        ("Executive Assistant (to Director)", 5): "Minimum of 18 months at 5A",
        ("Personal Assistant (to Chief Executive)", 5): "Minimum of 18 months at 5A",
    }
    for (title, rng), start in starts.items():
        assert fw.role(title, rng).text(B, E).startswith(start), title
    assert fw.role("Business Support Assistant", 2).text(C, E).startswith(
        "For career progression applications 18 months satisfactory experience at level B")


def test_other_transcribed_cells(shipped):
    fw, _ = shipped
    tl = fw.role("Business Support Team Leader", 4)
    assert tl.text(B, Q) == ("Working towards Level 3 in leadership and management, or "
                             "equivalent / 50% completed")
    assert tl.text(A, E) == ("A minimum of 3 years' experience in a similar role. Application "
                             "form criteria met. Interview assessment and scenario-based assessment")
    pace = fw.role("Personal Assistant (to Chief Executive)", 5)
    assert pace.text(A, Q) == ("5 GCSEs Grade 4 - 9 (or equivalent) including English and Maths."
                               "\nLevel 3 in business administration / customer service or "
                               "equivalent qualification.")
    eace = fw.role("Executive Assistant (to Chief Executive)", 6)
    assert eace.text(A, Q) == ("Good standard of education to A level or equivalent, such as "
                               "BTEC in Business Studies, Public Administration")
    ead = fw.role("Executive Assistant (to Director)", 5)
    assert ead.text(C, E) == ("• For career progression applications – 18 months satisfactory "
                              "experience at level 5B to progress, evidenced by performance "
                              "appraisal documents.")
    assert ead.text(B, E).endswith(
        "Provide at least two examples for each experience criteria at level 5B to demonstrate "
        f"how it has been achieved. {REFER}")


def test_shipped_layout_cells(shipped):
    fw, _ = shipped
    pa = fw.role("Personal Assistant", 3)
    # header row 3; apprentice block rows 4-8, assistant 9-13, personal assistant 14-18
    assert pa.source == SourceRef(str(BES_FRAMEWORK), SHEET, "A14")
    assert pa.range_source.cell == "B14" and pa.range_raw == "Range 3"
    assert pa.criteria[B][E].source.cell == "F17"
    wb = openpyxl.load_workbook(BES_FRAMEWORK)
    ws = wb[SHEET]
    assert [ws.cell(3, c).value for c in range(1, 8)] == [
        "Job Title", "Range", "Duties", "Criterion", "Level A (Developing)",
        "Level B (Practising)", "Level C (Accomplished)"]
    assert ws.freeze_panes == "B4"
    assert ws["F17"].alignment.wrap_text
    assert ws.column_dimensions["E"].width >= 40
    meta = {wb["Framework"].cell(r, 1).value: wb["Framework"].cell(r, 2).value for r in range(1, 5)}
    assert meta["Name"] == "Business and Executive Support"


# --------------------------------------------------------------------------------------
# Round trip through a copy an HR officer has tidied by hand
# --------------------------------------------------------------------------------------

NEW_TOP, NEW_LEFT = 5, 3  # the table now starts at C5
BLANK_AFTER_ROW = 16  # a blank row inserted below original row 16
LEVEL_ORDER = (C, A, B)  # level columns reordered C, A, B


def tidy_copy(src: Path, dst: Path) -> Path:
    """Move the table to C5, insert a blank row, drop the label column (criterion words
    now lead the level cells), reorder the level columns C, A, B."""
    wb = openpyxl.load_workbook(src)
    ws = wb[SHEET]
    out = openpyxl.Workbook()
    out.active.title = "Framework"
    for row in wb["Framework"].iter_rows():
        for c in row:
            out.active.cell(c.row, c.column, c.value)
    new = out.create_sheet(SHEET)
    header = 3
    level_col = {A: 5, B: 6, C: 7}
    for r in range(header, ws.max_row + 1):
        nr = new_row(r)
        for old, new_c in ((1, NEW_LEFT), (2, NEW_LEFT + 1), (3, NEW_LEFT + 2)):
            new.cell(nr, new_c, ws.cell(r, old).value)
        label = ws.cell(r, 4).value
        for i, lv in enumerate(LEVEL_ORDER):
            value = ws.cell(r, level_col[lv]).value
            if label and r > header:
                value = f"{label}:\n{value}" if value else f"{label}:"
            new.cell(nr, NEW_LEFT + 3 + i, value)
    out.save(dst)
    return dst


def new_row(old_row: int) -> int:
    return old_row + (NEW_TOP - 3) + (1 if old_row > BLANK_AFTER_ROW else 0)


def moved(cell: str, level: Level | None = None) -> str:
    """Where a shipped cell lands in the tidy copy."""
    row, col = parse_a1(cell)
    if level is None:
        return a1(new_row(row), NEW_LEFT + col - 1)
    return a1(new_row(row), NEW_LEFT + 3 + LEVEL_ORDER.index(level))


def test_hand_tidied_copy_reads_to_the_same_model_with_the_new_cells(shipped, tmp_path):
    fw, _ = shipped
    tidy_path = tidy_copy(BES_FRAMEWORK, tmp_path / "tidied.xlsx")
    tidy, findings = load_framework(tidy_path)
    assert findings == []
    assert (tidy.name, tidy.job_family, tidy.owner, tidy.version_date) == \
        (fw.name, fw.job_family, fw.owner, fw.version_date)
    assert len(tidy.roles) == len(fw.roles)
    for old, new in zip(fw.roles, tidy.roles):
        assert (new.title, new.range, new.range_raw, new.duties) == \
            (old.title, old.range, old.range_raw, old.duties)
        assert new.source == SourceRef(str(tidy_path), SHEET, moved(old.source.cell))
        assert new.range_source.cell == moved(old.range_source.cell)
        for lv in (A, B, C):
            for cr in (Q, K, E, S):
                assert new.criteria[lv][cr].text == old.criteria[lv][cr].text
                assert new.criteria[lv][cr].source.cell == moved(old.criteria[lv][cr].source.cell, lv)
    # worked by hand: PA level B Experience was F17; +2 rows for the move, +1 for the blank
    # row inserted below row 16; level B is now the third level column (C,A,B from F) = H.
    pa = tidy.role("Personal Assistant", 3)
    assert pa.criteria[B][E].source.cell == "H20"
    assert pa.source.cell == "C16" and pa.range_source.cell == "D16"
    assert "Minimum of 12 months at 3A" in pa.text(B, E)
