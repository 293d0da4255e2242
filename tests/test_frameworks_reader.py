"""The framework workbook reader (addin/office/xlsx/frameworks.py): Appendix H tables found by label."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from addin.core.cells import a1
from addin.core.errors import InputError
from addin.core.model import Criterion, CriterionText, Level, SourceRef
from addin.office.xlsx.frameworks import (
    criterion_text,
    load_framework,
    parse_range,
    read_framework,
    read_frameworks,
)

HEADERS = {"A": "Level A (Developing)", "B": "Level B (Practising)", "C": "Level C (Accomplished)"}
CAPTIONS = {
    "A": "Required for this level (in addition to all previous levels, if applicable)",
    "B": "In addition to level A",
    "C": "In addition to levels A and B",
}
WORDS = ("Qualifications", "Knowledge", "Experience", "Skills")


def role_spec(title: str, range_value: object, duties: str = "Duties text") -> dict:
    return {
        "title": title,
        "range": range_value,
        "duties": duties,
        "cells": {(w, lv): f"{title} {w} {lv}" for w in WORDS for lv in "ABC"},
    }


def write_cpf(
    path: Path,
    roles: list[dict],
    *,
    top: int = 1,
    left: int = 1,
    label_column: bool = True,
    level_order: str = "ABC",
    blank_after: tuple[int, ...] = (),
    meta: dict | None = None,
    title: str | None = None,
    sheet: str = "CPF",
    omit: tuple[str, ...] = (),
) -> Path:
    """Write an Appendix H workbook as HR would: header row, then per role a caption row
    and four criterion rows. ``blank_after`` inserts a blank row after those data rows
    (counted from 1); ``omit`` leaves out criterion rows (e.g. 'Skills')."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    row = top
    if title:
        ws.cell(row, left, title)
        row += 2
    cols = ["Job Title", "Range", "Duties"] + (["Criterion"] if label_column else [])
    cols += [HEADERS[lv] for lv in level_order]
    for i, h in enumerate(cols):
        ws.cell(row, left + i, h)
    first_level = left + (4 if label_column else 3)
    data_rows = 0

    def next_row() -> int:
        nonlocal row, data_rows
        row += 1
        data_rows += 1
        if data_rows - 1 in blank_after:
            row += 1
        return row

    for spec in roles:
        r = next_row()
        ws.cell(r, left, spec["title"])
        ws.cell(r, left + 1, spec["range"])
        ws.cell(r, left + 2, spec["duties"])
        for i, lv in enumerate(level_order):
            ws.cell(r, first_level + i, CAPTIONS[lv])
        for w in WORDS:
            if w in omit:
                continue
            r = next_row()
            if label_column:
                ws.cell(r, left + 3, w)
            for i, lv in enumerate(level_order):
                text = spec["cells"][(w, lv)]
                if not label_column:
                    text = f"{w}: {text}" if text else f"{w}:"
                ws.cell(r, first_level + i, text)
    if meta is not None:
        fs = wb.create_sheet("Framework", 0)
        for i, (k, v) in enumerate(meta.items(), start=1):
            fs.cell(i, 1, k)
            fs.cell(i, 2, v)
    wb.save(path)
    return path


def cells_of(fw) -> dict:
    return {
        (role.title, lv, crit): (item.text, item.source.sheet, item.source.cell)
        for role in fw.roles
        for lv, by in role.criteria.items()
        for crit, item in by.items()
    }


def test_reads_roles_ranges_duties_and_criteria_with_their_cells(tmp_path):
    p = write_cpf(tmp_path / "f.xlsx", [role_spec("Clerk", "Range 2"), role_spec("Officer", 3)])
    fw, findings = load_framework(p)
    assert findings == []
    assert [(r.title, r.range) for r in fw.roles] == [("Clerk", 2), ("Officer", 3)]
    clerk = fw.roles[0]
    assert clerk.source == SourceRef(str(p), "CPF", "A2")
    assert clerk.range_source == SourceRef(str(p), "CPF", "B2") and clerk.range_raw == "Range 2"
    assert clerk.duties == "Duties text"
    # header row 1, Clerk caption row 2, Qualifications row 3 ... Skills row 6; level A is E
    assert clerk.criteria[Level.A][Criterion.QUALIFICATIONS] == \
        CriterionText("Clerk Qualifications A", SourceRef(str(p), "CPF", "E3"))
    assert clerk.criteria[Level.C][Criterion.SKILLS].source.cell == "G6"
    assert fw.roles[1].criteria[Level.B][Criterion.KNOWLEDGE].source.cell == "F9"
    assert fw.roles[1].text(Level.B, Criterion.KNOWLEDGE) == "Officer Knowledge B"


def test_hand_tidied_table_reads_to_the_same_model_with_new_cells(tmp_path):
    roles = [role_spec("Clerk", "Range 2"), role_spec("Officer", "R3")]
    plain = read_framework(write_cpf(tmp_path / "a.xlsx", roles))
    tidy = read_framework(write_cpf(tmp_path / "b.xlsx", roles, top=5, left=3, label_column=False,
                                    level_order="CAB", blank_after=(2,)))
    strip = lambda fw: {k: v[0] for k, v in cells_of(fw).items()}  # noqa: E731
    assert strip(tidy) == strip(plain)
    assert [(r.title, r.range, r.duties) for r in tidy.roles] == [(r.title, r.range, r.duties) for r in plain.roles]
    # header at row 5 (C5..H5): C Job Title, D Range, E Duties, F Level C, G Level A, H Level B.
    # Clerk caption row 6, Qualifications 7, blank row 8 inserted, Knowledge 9.
    clerk = tidy.roles[0]
    assert clerk.source.cell == "C6" and clerk.range_source.cell == "D6"
    assert clerk.criteria[Level.A][Criterion.QUALIFICATIONS].source.cell == "G7"
    assert clerk.criteria[Level.C][Criterion.QUALIFICATIONS].source.cell == "F7"
    assert clerk.criteria[Level.B][Criterion.KNOWLEDGE].source.cell == "H9"
    assert clerk.text(Level.B, Criterion.KNOWLEDGE) == "Clerk Knowledge B"


@pytest.mark.parametrize(
    "value, expected",
    [("Range 3", 3), ("3", 3), (3, 3), (3.0, 3), ("R3", 3), ("range  7", 7), ("r 5", 5),
     ("Range three", None), (3.5, None), ("", None), (None, None), (True, None), ("3-4", None)],
)
def test_range_cell_parsing(value, expected):
    assert parse_range(value) == expected


def test_unparseable_range_is_kept_raw_and_not_reported(tmp_path):
    p = write_cpf(tmp_path / "f.xlsx", [role_spec("Clerk", "Range two")])
    fw, findings = load_framework(p)
    assert findings == []
    assert fw.roles[0].range is None and fw.roles[0].range_raw == "Range two"
    assert fw.roles[0].range_source.cell == "B2"


@given(st.integers(min_value=0, max_value=99))
def test_every_written_form_of_a_range_number_parses(n):
    for form in (n, float(n), str(n), f"Range {n}", f"R{n}", f"RANGE{n}"):
        assert parse_range(form) == n


def test_criterion_text_strips_word_and_colon_and_puts_one_bullet_per_line():
    assert criterion_text("Qualifications: GCSE English • Level 2 certificate •Level 3") == \
        "GCSE English\n• Level 2 certificate\n• Level 3"
    assert criterion_text("Experience\n• 12 months at 3A\n• appraisal") == "• 12 months at 3A\n• appraisal"
    assert criterion_text("Skills •") == ""
    assert criterion_text("Knowledge of council systems") == "Knowledge of council systems"
    assert criterion_text("Knowledge - systems") == "systems"
    assert criterion_text(None) == ""


def test_empty_criterion_cell_is_kept_empty_with_its_source(tmp_path):
    spec = role_spec("Clerk", 2)
    spec["cells"][("Qualifications", "B")] = None
    p = write_cpf(tmp_path / "f.xlsx", [spec])
    fw, findings = load_framework(p)
    assert findings == []
    item = fw.roles[0].criteria[Level.B][Criterion.QUALIFICATIONS]
    assert item.text == "" and item.source.cell == "F3"


def test_missing_level_column_is_reported_at_the_header_row(tmp_path):
    p = write_cpf(tmp_path / "f.xlsx", [role_spec("Clerk", 2)], top=4, level_order="AC")
    fw, findings = load_framework(p)
    assert [(f.code, f.sheet, f.cell, f.message) for f in findings] == [(
        "FW-MISSING-LEVEL-COLUMN", "CPF", "A4",
        "The framework table has no 'Level B (Practising)' column; add it to the header row",
    )]
    assert Level.B not in fw.roles[0].criteria
    assert fw.roles[0].text(Level.C, Criterion.SKILLS) == "Clerk Skills C"


def test_missing_criterion_row_is_reported_at_the_role_title(tmp_path):
    p = write_cpf(tmp_path / "f.xlsx", [role_spec("Clerk", 2), role_spec("Officer", 3)],
                  omit=("Experience",))
    fw, findings = load_framework(p)
    assert [(f.code, f.cell, f.message) for f in findings] == [
        ("FW-MISSING-CRITERION", "A2", "Role 'Clerk' has no Experience row; every role needs "
         "Qualifications, Knowledge, Experience and Skills at each level"),
        ("FW-MISSING-CRITERION", "A6", "Role 'Officer' has no Experience row; every role needs "
         "Qualifications, Knowledge, Experience and Skills at each level"),
    ]
    assert Criterion.EXPERIENCE not in fw.roles[0].criteria[Level.A]


def test_sheet_without_table_is_an_error_but_known_helper_sheets_are_skipped(tmp_path):
    p = write_cpf(tmp_path / "f.xlsx", [role_spec("Clerk", 2)], meta={"Name": "Admin"})
    wb = openpyxl.load_workbook(p)
    wb.create_sheet("Instructions")["A1"] = "Fill in one block per role"
    wb.create_sheet("Lists")["A1"] = "Range 2"
    wb.create_sheet("Sheet3")  # left blank
    wb.create_sheet("Notes from Jo")["B2"] = "check ranges with payroll"
    wb.save(p)
    fw, findings = load_framework(p)
    assert [(f.code, f.sheet, f.cell, f.message) for f in findings] == [(
        "FW-NO-TABLE", "Notes from Jo", None,
        "Sheet 'Notes from Jo' has no Appendix H framework table (a header row with Job "
        "Title, Range, Duties, Level A (Developing), Level B (Practising), Level C (Accomplished))",
    )]
    assert [r.title for r in fw.roles] == ["Clerk"]


def test_workbook_with_no_table_at_all_is_an_error(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Framework"
    wb.active["A1"] = "Name"
    wb.active["B1"] = "Admin"
    p = tmp_path / "empty.xlsx"
    wb.save(p)
    fw, findings = load_framework(p)
    assert fw.roles == [] and fw.name == "Admin"
    assert [(f.code, f.sheet, f.cell) for f in findings] == [("FW-NO-TABLE", None, None)]
    assert findings[0].message.startswith("The workbook has no Appendix H framework table")


def test_roles_spread_over_several_sheets_are_read_in_sheet_order(tmp_path):
    p = write_cpf(tmp_path / "f.xlsx", [role_spec("Clerk", "Range 2")], sheet="Range 2")
    wb = openpyxl.load_workbook(p)
    ws = wb.create_sheet("Range 3")
    src = wb["Range 2"]
    for row in src.iter_rows():
        for c in row:
            if c.value is not None:
                ws.cell(c.row + 2, c.column, str(c.value).replace("Clerk", "Officer").replace("Range 2", "Range 3"))
    wb.save(p)
    fw, findings = load_framework(p)
    assert findings == []
    assert [(r.title, r.range, r.source.sheet, r.source.cell) for r in fw.roles] == [
        ("Clerk", 2, "Range 2", "A2"), ("Officer", 3, "Range 3", "A4")]
    assert fw.roles[1].criteria[Level.A][Criterion.SKILLS].source == SourceRef(str(p), "Range 3", "E8")


def test_framework_sheet_metadata_and_name_fallbacks(tmp_path):
    meta = {"Framework name": "Admin CPF", "Job family": "Admin", "Owner": "HR Team",
            "Version date": dt.datetime(2024, 4, 1)}
    fw = read_framework(write_cpf(tmp_path / "m.xlsx", [role_spec("Clerk", 2)], meta=meta))
    assert (fw.name, fw.job_family, fw.owner, fw.version_date) == \
        ("Admin CPF", "Admin", "HR Team", dt.date(2024, 4, 1))
    titled = read_framework(write_cpf(tmp_path / "t.xlsx", [role_spec("Clerk", 2)],
                                      title="Admin Career Progression Framework"))
    assert titled.name == "Admin Career Progression Framework"
    assert titled.roles[0].source.cell == "A4"
    bare = read_framework(write_cpf(tmp_path / "my-cpf.xlsx", [role_spec("Clerk", 2)]))
    assert bare.name == "my-cpf" and bare.version_date is None


def test_version_date_written_as_text_is_parsed(tmp_path):
    fw = read_framework(write_cpf(tmp_path / "m.xlsx", [role_spec("Clerk", 2)],
                                  meta={"NAME": "X", "version-date": "01/04/2024"}))
    assert fw.version_date == dt.date(2024, 4, 1)


def test_continuation_row_joins_the_criterion_above(tmp_path):
    p = write_cpf(tmp_path / "f.xlsx", [role_spec("Clerk", 2)])
    wb = openpyxl.load_workbook(p)
    ws = wb.active
    ws.insert_rows(4)  # between Qualifications (3) and Knowledge
    ws["E4"] = "• and a second bullet"
    wb.save(p)
    fw, findings = load_framework(p)
    assert findings == []
    item = fw.roles[0].criteria[Level.A][Criterion.QUALIFICATIONS]
    assert item.text == "Clerk Qualifications A\n• and a second bullet" and item.source.cell == "E3"
    assert fw.roles[0].criteria[Level.A][Criterion.KNOWLEDGE].source.cell == "E5"


def test_header_labels_match_whatever_the_case_spacing_and_punctuation(tmp_path):
    p = write_cpf(tmp_path / "f.xlsx", [role_spec("Clerk", 2)], label_column=False)
    wb = openpyxl.load_workbook(p)
    ws = wb.active
    for c, text in zip("ABCDEF", ["JOB-TITLE", " range ", "Duties:", "level a", "LEVEL B: Practising",
                                  "Level  C  - accomplished"]):
        ws[f"{c}1"] = text
    wb.save(p)
    fw, findings = load_framework(p)
    assert findings == []
    assert fw.roles[0].text(Level.C, Criterion.EXPERIENCE) == "Clerk Experience C"
    assert fw.roles[0].criteria[Level.C][Criterion.EXPERIENCE].source.cell == "F5"


def test_header_labels_with_a_bracketed_hint_or_alternatives_still_match(tmp_path):
    """HR writes "Range (2-8)" and "Job title / role": before, the range column went
    unrecognised and every role's range silently read as blank."""
    p = write_cpf(tmp_path / "f.xlsx", [role_spec("Clerk", 2), role_spec("Officer", 3)],
                  label_column=False)
    wb = openpyxl.load_workbook(p)
    ws = wb.active
    ws["A1"], ws["B1"], ws["C1"] = "Job title / role", "Range (2-8)", "Duties (summary)"
    wb.save(p)
    fw, findings = load_framework(p)
    assert findings == []
    assert [(r.title, r.range) for r in fw.roles] == [("Clerk", 2), ("Officer", 3)]
    assert fw.roles[1].duties == "Duties text"


def test_read_frameworks_reads_each_file(tmp_path):
    a = write_cpf(tmp_path / "a.xlsx", [role_spec("Clerk", 2)])
    b = write_cpf(tmp_path / "b.xlsx", [role_spec("Officer", 3)])
    assert [[r.title for r in fw.roles] for fw in read_frameworks([a, b])] == [["Clerk"], ["Officer"]]


def test_unreadable_file_raises_input_error_naming_it(tmp_path):
    bad = tmp_path / "cpf.xlsx"
    bad.write_text("Job Title,Range\nClerk,2\n")
    with pytest.raises(InputError) as exc:
        load_framework(bad)
    assert str(bad) in exc.value.one_line() and "text or CSV" in exc.value.one_line()


def test_a1_helper_matches_what_the_tests_assume():
    assert a1(7, 4) == "D7"


def test_role_with_blank_job_title_is_kept_untitled_for_validation(tmp_path):
    p = write_cpf(tmp_path / "f.xlsx", [role_spec("Clerk", 2), role_spec("Officer", "Range 3")])
    wb = openpyxl.load_workbook(p)
    wb.active["A7"] = None  # HR cleared the second role's title; its range B7 stays
    wb.save(p)
    fw, findings = load_framework(p)
    assert findings == []
    assert [(r.title, r.range, r.source.cell) for r in fw.roles] == [("Clerk", 2, "A2"), ("", 3, "A7")]
    assert fw.roles[1].text(Level.A, Criterion.SKILLS) == "Officer Skills A"


def test_repeated_criterion_rows_without_a_title_start_an_untitled_role(tmp_path):
    p = write_cpf(tmp_path / "f.xlsx", [role_spec("Clerk", 2), role_spec("Officer", 3)])
    wb = openpyxl.load_workbook(p)
    ws = wb.active
    for col in "ABC":
        ws[f"{col}7"] = None  # the whole title row of the second role blanked
    for col in "EFG":
        ws[f"{col}7"] = None
    wb.save(p)
    fw, findings = load_framework(p)
    assert findings == []
    assert [(r.title, r.source.cell) for r in fw.roles] == [("Clerk", "A2"), ("", "A8")]
    assert fw.roles[0].text(Level.A, Criterion.SKILLS) == "Clerk Skills A"
    assert fw.roles[1].criteria[Level.C][Criterion.QUALIFICATIONS].source.cell == "G8"


def test_range_written_below_the_title_belongs_to_the_role(tmp_path):
    p = write_cpf(tmp_path / "f.xlsx", [role_spec("Clerk", None)])
    wb = openpyxl.load_workbook(p)
    ws = wb.active
    ws.insert_rows(3)
    ws["B3"] = "Range 4"
    wb.save(p)
    fw, findings = load_framework(p)
    assert findings == []
    assert [(r.title, r.range, r.range_source.cell) for r in fw.roles] == [("Clerk", 4, "B3")]


def test_caption_row_between_blocks_is_not_joined_to_the_criterion_above(tmp_path):
    p = write_cpf(tmp_path / "f.xlsx", [role_spec("Clerk", 2), role_spec("Officer", 3)])
    wb = openpyxl.load_workbook(p)
    ws = wb.active
    ws.insert_rows(7)  # after Clerk's Skills row 6
    ws["E7"] = "Required for this level (in addition to all previous levels, if applicable)"
    ws["F7"] = "In addition to level A"
    wb.save(p)
    fw, findings = load_framework(p)
    assert findings == []
    assert fw.roles[0].text(Level.A, Criterion.SKILLS) == "Clerk Skills A"
    assert fw.roles[0].text(Level.B, Criterion.SKILLS) == "Clerk Skills B"


_WORDS = st.sampled_from(["GCSE", "Level 3", "months", "at 3A", "evidence", "appraisal", "Maths"])
_TEXT = st.one_of(
    st.none(),
    st.lists(st.lists(_WORDS, min_size=1, max_size=4).map(" ".join), min_size=1, max_size=3)
    .map(lambda items: items[0] + "".join(f"\n• {i}" for i in items[1:])),
)


@st.composite
def _roles(draw):
    titles = draw(st.lists(st.sampled_from(["Clerk", "Officer", "Team Leader", "Assistant"]),
                           min_size=1, max_size=3, unique=True))
    out = []
    for t in titles:
        spec = role_spec(t, draw(st.sampled_from([2, "Range 3", "R4", 5.0, "Range five", None])))
        spec["cells"] = {k: draw(_TEXT) for k in spec["cells"]}
        out.append(spec)
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(roles=_roles(), top=st.integers(1, 6), left=st.integers(1, 4), label=st.booleans(),
       order=st.permutations("ABC").map("".join), blanks=st.sets(st.integers(1, 12), max_size=3))
def test_any_hand_tidied_layout_reads_to_the_same_texts(tmp_path, roles, top, left, label, order, blanks):
    plain = read_framework(write_cpf(tmp_path / "plain.xlsx", roles))
    moved = read_framework(write_cpf(tmp_path / "moved.xlsx", roles, top=top, left=left,
                                     label_column=label, level_order=order, blank_after=tuple(blanks)))
    assert {k: v[0] for k, v in cells_of(moved).items()} == {k: v[0] for k, v in cells_of(plain).items()}
    assert [(r.title, r.range, r.range_raw) for r in moved.roles] == \
        [(r.title, r.range, r.range_raw) for r in plain.roles]
    for spec, role in zip(roles, plain.roles):
        for (w, lv), text in spec["cells"].items():
            assert role.text(Level(lv), Criterion(w)) == (text or "")
