"""Framework validation (addin/rules/framework_checks.py): the Appendix K rules, cell by cell.

A clean three-role framework is written as a real workbook; each test breaks one rule in
one cell and asserts the exact code, sheet and cell of what is reported.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from addin.app.validate import validate_framework
from addin.core.model import Criterion as _C
from addin.core.model import CriterionText as _CT
from addin.core.model import Framework as _F
from addin.core.model import Level as _L
from addin.core.model import Role as _R
from addin.core.model import SourceRef as _S
from addin.office.xlsx.frameworks import read_framework
from addin.rules.framework_checks import (
    FRAMEWORK,
    FrameworkContext,
    check_framework,
    normalise,
)
from tests.conftest import BES_FRAMEWORK, convert_with_libreoffice, run_cli

SHEET = "CPF"
HEAD = ["Job Title", "Range", "Duties", "Criterion", "Level A (Developing)",
        "Level B (Practising)", "Level C (Accomplished)"]
CAPTIONS = ["Required for this level (in addition to all previous levels, if applicable)",
            "In addition to level A", "In addition to levels A and B"]
CRITS = ["Qualifications", "Knowledge", "Experience", "Skills"]

# Three roles that follow every rule. Rows: header 1; Administrator caption 2, criteria
# 3-6; Senior Administrator 7, 8-11; Clerk 12, 13-16. Level columns E, F, G.
CLEAN = [
    ("Administrator", "Range 3", "Runs the team's office.", [
        ["A minimum of 5 GCSEs at grades 4-9 (or equivalent) including English and Maths.",
         "Working towards Level 3 in Business Administration.",
         "Completed Level 3 in Business Administration."],
        ["Knowledge of the council's complaints procedure.",
         "Knowledge of the Freedom of Information Act and how requests are logged.",
         "Knowledge of the data retention schedule and the records management policy."],
        ["Experience of answering customer enquiries by telephone and e-mail.",
         "Minimum of 12 months at 3A with satisfactory performance.",
         "Minimum of 18 months at 3B, including leading the team's diary management."],
        ["Proficient in the use of Microsoft Word, Excel, Outlook and Teams.",
         "Minutes formal meetings and circulates them within 3 working days.",
         "Trains new starters on the team's procedures."],
    ]),
    ("Senior Administrator", 4, "Leads the office team.", [
        ["5 GCSEs grades 4-9 or equivalent, including English and Maths. Level 3 in "
         "Business Administration.",
         "Working towards a Level 4 Diploma in Management.",
         "Completed the Level 4 Diploma in Management."],
        ["Knowledge of the council's budget-setting timetable.",
         "Knowledge of procurement rules for purchases under the quotation threshold.",
         "Knowledge of the service's risk register and how risks are escalated."],
        ["A minimum of 2 years' experience at 3C or in a similar role.",
         "Minimum of 18 months at 4A with satisfactory performance.",
         "Minimum of 18 months at 4B, including managing one project to completion."],
        ["Drafts letters for a manager's signature.",
         "Supervises two administrators' daily work allocation.",
         "Runs recruitment interviews for administrator posts."],
    ]),
    ("Clerk", "Range 2", "Runs the post room.", [
        ["GCSE English and Maths or equivalent.",
         "Level 2 Certificate in Customer Service.",
         "Level 2 Certificate in Business Administration."],
        ["Knowledge of the post room's opening hours.",
         "Knowledge of the franking machine's daily reconciliation.",
         "Knowledge of the courier contract's service levels."],
        ["Experience of handling incoming post.",
         "Minimum of 12 months at level A with satisfactory performance.",
         "Minimum of 1 year at level B, including covering the reception desk."],
        ["Sorts and distributes incoming post.",
         "Operates the franking machine unsupervised.",
         "Shows new clerks how to run the post room."],
    ]),
]


def write_framework(path: Path, edits: dict[str, object] | None = None,
                    extra_roles: list | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(HEAD)
    for title, rng, duties, grid in CLEAN + (extra_roles or []):
        ws.append([title, rng, duties, None, *CAPTIONS])
        for crit, texts in zip(CRITS, grid):
            ws.append([None, None, None, crit, *texts])
    for ref, value in (edits or {}).items():
        ws[ref] = value
    wb.save(path)
    return path


def found(path: Path, **kw) -> list[tuple[str, str | None, str | None]]:
    return [(f.code, f.sheet, f.cell) for f in validate_framework(path, **kw).sorted()]


def one(tmp_path: Path, edits: dict[str, object], **kw):
    return found(write_framework(tmp_path / "fw.xlsx", edits), **kw)


def test_clean_framework_gives_no_findings(tmp_path):
    path = write_framework(tmp_path / "clean.xlsx")
    fw = read_framework(path)
    assert [(r.title, r.range) for r in fw.roles] == [
        ("Administrator", 3), ("Senior Administrator", 4), ("Clerk", 2)]
    assert validate_framework(path).findings == []


def test_empty_criterion_cell_is_an_error_at_the_cell(tmp_path):
    assert one(tmp_path, {"F4": None}) == [("FW-EMPTY-CRITERION", SHEET, "F4")]
    r = validate_framework(tmp_path / "fw.xlsx")
    assert r.findings[0].message == (
        "Knowledge at level B of 'Administrator (Range 3)' is empty; write what is "
        "required in addition to level A, or 'None in addition to level A'")
    assert r.exit_status == 1


def test_empty_level_a_cell_asks_for_the_entry_requirement(tmp_path):
    path = write_framework(tmp_path / "fw.xlsx", {"E15": "  "})
    [f] = validate_framework(path).findings
    assert (f.code, f.cell) == ("FW-EMPTY-CRITERION", "E15")
    assert f.message.endswith("is empty; write what is required at entry")


@pytest.mark.parametrize("value, shown", [
    ("Range 9", "'Range 9'"), (2.5, "'2.5'"), (None, "blank"), ("Range two", "'Range two'"),
    (1, "'1'"),
])
def test_range_not_a_whole_number_2_to_8_is_an_error_at_the_range_cell(tmp_path, value, shown):
    path = write_framework(tmp_path / "fw.xlsx", {"B12": value})
    findings = validate_framework(path).findings
    assert [(f.code, f.sheet, f.cell) for f in findings] == [("FW-BAD-RANGE", SHEET, "B12")]
    assert findings[0].message == (
        f"Range of 'Clerk' is {shown}; write a whole number from 2 to 8 (e.g. 'Range 3')")


def test_range_8_and_integer_cells_are_accepted(tmp_path):
    # Range 8 is the top range; the Clerk's time references name no range, so they
    # follow the role to range 8.
    assert one(tmp_path, {"B12": 8}) == []


def test_two_roles_with_same_title_and_range_are_reported_at_the_second(tmp_path):
    clerk = CLEAN[2]
    path = write_framework(tmp_path / "fw.xlsx",
                           extra_roles=[("  CLERK ", "Range 2", "Another.", clerk[3])])
    findings = validate_framework(path).findings
    assert [(f.code, f.sheet, f.cell) for f in findings] == [("FW-DUPLICATE-ROLE", SHEET, "A17")]
    assert findings[0].message == (
        "'CLERK' at Range 2 is already defined at CPF!A12; give each role one block")


def test_same_title_at_another_range_is_not_a_duplicate(tmp_path):
    clerk = CLEAN[2]
    path = write_framework(tmp_path / "fw.xlsx",
                           extra_roles=[("Clerk", "Range 3", "Senior clerk.", clerk[3])])
    codes = {f.code for f in validate_framework(path).findings}
    assert "FW-DUPLICATE-ROLE" not in codes


def test_vague_word_is_a_warning_at_the_cell(tmp_path):
    path = write_framework(tmp_path / "fw.xlsx",
                           {"E4": "Good knowledge of the complaints procedure; a GOOD  "
                                  "listener and an excellent writer."})
    findings = validate_framework(path).sorted()
    assert [(f.code, f.sheet, f.cell, f.severity.value) for f in findings] == [
        ("FW-VAGUE-WORD", SHEET, "E4", "warning"), ("FW-VAGUE-WORD", SHEET, "E4", "warning")]
    assert [f.message for f in findings] == [
        "'excellent' is open to interpretation; say what the employee must do or show instead",
        "'good' is open to interpretation; say what the employee must do or show instead",
    ]
    assert validate_framework(path).exit_status == 0


def test_vague_word_list_is_configurable(tmp_path):
    path = write_framework(tmp_path / "fw.xlsx", {"E4": "Good knowledge of the post."})
    assert found(path, vague_words=[]) == []
    assert found(path, vague_words=["Franking  Machine"]) == [
        ("FW-VAGUE-WORD", SHEET, "F14"), ("FW-VAGUE-WORD", SHEET, "F16")]


def test_vague_words_match_whole_words_only(tmp_path):
    # "goods", "soundly" and "strongest" are not the listed words.
    assert one(tmp_path, {"E4": "Knowledge of goods received notes, soundly filed."}) == []


def test_text_repeating_previous_level_after_normalising_is_a_warning(tmp_path):
    findings = one(tmp_path, {"F6": "• PROFICIENT in the use of Microsoft Word; Excel; "
                                     "Outlook and   Teams!"})
    assert findings == [("FW-REPEATED-TEXT", SHEET, "F6")]
    [f] = validate_framework(tmp_path / "fw.xlsx").findings
    assert f.message == ("Skills at level B repeats level A's text (100% alike); say what "
                         "more is required at level B")


def test_near_duplicate_of_previous_level_is_a_warning(tmp_path):
    # Only the level code changes, as in copy-pasted evidence statements.
    path = write_framework(tmp_path / "fw.xlsx", {
        "F6": "Provide at least one example for each skills criteria at level 3B.",
        "G6": "Provide at least one example for each skills criteria at level 3C.",
    })
    assert found(path) == [("FW-REPEATED-TEXT", SHEET, "G6")]


def test_normalise_drops_case_punctuation_bullets_and_spacing():
    assert normalise("• Minutes  MEETINGS;\n- within 3 days.") == "minutes meetings within 3 days"


def test_experience_at_b_without_timeframe_is_reported(tmp_path):
    assert one(tmp_path, {"F5": "Handles complaints end to end."}) == [
        ("FW-EXPERIENCE-NO-TIMEFRAME", SHEET, "F5")]


def test_experience_at_c_without_timeframe_is_reported_and_years_count(tmp_path):
    path = write_framework(tmp_path / "fw.xlsx", {
        "G10": "Has managed one project to completion.",
        "F10": "Two years' experience at 4A.",
    })
    assert found(path) == [("FW-EXPERIENCE-NO-TIMEFRAME", SHEET, "G10")]


def test_experience_at_a_needs_no_timeframe(tmp_path):
    assert one(tmp_path, {"E5": "Experience of customer service."}) == []


def test_working_towards_not_completed_at_next_level_is_a_warning_at_next_level(tmp_path):
    findings = one(tmp_path, {"G3": "Evidence of continuous professional development."})
    assert findings == [("FW-WORKING-TOWARDS-NOT-COMPLETED", SHEET, "G3")]
    [f] = validate_framework(tmp_path / "fw.xlsx").findings
    assert f.message == ("Level B says 'working towards Level 3 in Business Administration' "
                         "(F3) but level C does not state it as completed")


def test_working_towards_another_qualification_than_completed_is_reported(tmp_path):
    assert one(tmp_path, {"G8": "Completed Level 3 in Leadership."}) == [
        ("FW-WORKING-TOWARDS-NOT-COMPLETED", SHEET, "G8")]


def test_range_3_without_five_gcses_is_an_error(tmp_path):
    path = write_framework(tmp_path / "fw.xlsx",
                           {"E3": "GCSE certificates to include Maths and English."})
    [f] = validate_framework(path).findings
    assert (f.code, f.sheet, f.cell, f.severity.value) == (
        "FW-GCSE-REQUIREMENT", SHEET, "E3", "error")
    assert f.message.endswith("missing: 5 GCSEs, grades 4-9")


def test_range_4_without_english_is_an_error(tmp_path):
    path = write_framework(tmp_path / "fw.xlsx",
                           {"E8": "5 GCSEs grades 4-9 or equivalent, including Maths."})
    [f] = validate_framework(path).findings
    assert (f.code, f.cell) == ("FW-GCSE-REQUIREMENT", "E8")
    assert f.message == (
        "'Senior Administrator' is a Range 4 role: its qualifications must require a minimum "
        "of 5 GCSEs at grades 4-9 (or equivalent) including English and Maths; missing: "
        "English")


def test_range_2_asking_only_for_gcse_english_and_maths_is_fine(tmp_path):
    # The clean Clerk (Range 2) asks for "GCSE English and Maths or equivalent".
    assert one(tmp_path, {"E13": "GCSE Maths and English."}) == []


def test_range_5_role_is_not_held_to_the_gcse_rule(tmp_path):
    assert one(tmp_path, {"B7": "Range 5", "E10": "Minimum of 2 years at 3C.",
                          "F10": "Minimum of 18 months at 5A.",
                          "G10": "Minimum of 18 months at 5B, including leading one project.", "E8": "A levels."}) == []


def test_mandatory_training_as_knowledge_is_a_warning(tmp_path):
    path = write_framework(tmp_path / "fw.xlsx",
                           {"F9": "Knowledge gained from the GDPR e-learning module."})
    [f] = validate_framework(path).findings
    assert (f.code, f.sheet, f.cell) == ("FW-MANDATORY-TRAINING-AS-KNOWLEDGE", SHEET, "F9")
    assert "'GDPR e-learning'" in f.message


def test_mandatory_word_in_knowledge_is_a_warning_but_not_in_skills(tmp_path):
    assert one(tmp_path, {"E14": "Completed all mandatory courses.",
                          "E16": "Completed all mandatory courses."}) == [
        ("FW-MANDATORY-TRAINING-AS-KNOWLEDGE", SHEET, "E14")]


@pytest.mark.parametrize("text", [
    "Knowledge of health and safety awareness.",
    "An awareness of health and safety at work.",
    "GDPR awareness.",
    "Awareness of data protection principles.",
    "Safeguarding awareness for vulnerable adults.",
    "Equality and diversity awareness.",
])
def test_mandatory_topic_awareness_in_knowledge_is_a_warning(tmp_path, text):
    assert one(tmp_path, {"F14": text}) == [("FW-MANDATORY-TRAINING-AS-KNOWLEDGE", SHEET, "F14")]


def test_awareness_of_a_published_plan_is_not_mandatory_training(tmp_path):
    # Appendix K: "you could expect them to have an awareness of this [the One Medway
    # Council Plan] at A".
    assert one(tmp_path, {"E14": "An awareness of the One Medway Council Plan."}) == []


@pytest.mark.parametrize("cell, text, phrase", [
    ("E13", "NVQ Level 2 or relevant experience.", "or relevant experience"),
    ("G13", "Level 2 Certificate in Business Administration and/or proven experience in an "
            "office.", "and/or proven experience"),
    ("F13", "A degree or 3 years' equivalent experience.", "or 3 years' equivalent experience"),
    ("E15", "Experience of handling post or an NVQ Level 2 in Business Administration.",
     "Experience of handling post or an NVQ"),
    ("G10", "Minimum of 18 months at 4B or a Level 5 Diploma in Management.",
     None),
])
def test_qualification_or_experience_either_or_is_a_warning_at_the_cell(tmp_path, cell, text,
                                                                        phrase):
    findings = validate_framework(write_framework(tmp_path / "fw.xlsx", {cell: text})).sorted()
    if phrase is None:
        # no "experience" on either side of the "or": a time at level or a diploma is
        # another matter (the time-at-level rule), not experience standing in for one
        assert [f.code for f in findings] == []
        return
    # "proven" is also a vague word (FW-VAGUE-WORD at the same cell)
    assert [f.code for f in findings if f.code != "FW-VAGUE-WORD"] == [
        "FW-QUALIFICATION-OR-EXPERIENCE"]
    [f] = [f for f in findings if f.code == "FW-QUALIFICATION-OR-EXPERIENCE"]
    assert (f.code, f.sheet, f.cell, f.severity.value) == (
        "FW-QUALIFICATION-OR-EXPERIENCE", SHEET, cell, "warning")
    assert f.message == (f"'{phrase}' makes qualifications and experience an either/or; "
                         "state the qualification required here and the experience under "
                         "Experience")


@pytest.mark.parametrize("cell, text", [
    ("E3", "A minimum of 5 GCSEs at grades 4-9 (or equivalent) including English and "
           "Maths."),                                       # "or equivalent": a qualification
    ("E15", "Experience of handling post or parcels."),    # no qualification offered
    ("E13", "GCSE English and Maths or equivalent. Experience of a post room."),  # two clauses
])
def test_or_without_experience_standing_in_for_a_qualification_is_fine(tmp_path, cell, text):
    assert one(tmp_path, {cell: text}) == []


@pytest.mark.parametrize("word", ["significant", "extensive", "proven", "basic", "thorough",
                                  "above average", "effective"])
def test_new_vague_words_are_warnings(tmp_path, word):
    findings = validate_framework(write_framework(
        tmp_path / "fw.xlsx", {"E16": f"Sorts incoming post with {word} care."})).sorted()
    assert [(f.code, f.cell) for f in findings] == [("FW-VAGUE-WORD", "E16")]
    assert findings[0].message.startswith(f"'{word}' is open to interpretation")


def test_effective_does_not_match_effectiveness_or_effectively(tmp_path):
    # Whole words only: "effectiveness", "effectively", "cost-effective" and "basics" are
    # not the listed "effective"/"basic" (a decision, stated in DEFAULT_VAGUE_WORDS).
    assert one(tmp_path, {"E16": "Reviews the effectiveness of the post room; works "
                                 "effectively; cost-effective franking; knows the basics."}) == []


def test_vague_words_option_replaces_the_new_defaults_too(tmp_path):
    path = write_framework(tmp_path / "fw.xlsx", {"E16": "Sorts post with proven care."})
    assert found(path, vague_words=["care"]) == [("FW-VAGUE-WORD", SHEET, "E16")]
    assert found(path, vague_words=[]) == []


def test_empty_duties_cell_is_an_error_at_the_duties_cell(tmp_path):
    # Clerk's title row is row 12; Duties is column C.
    findings = validate_framework(write_framework(tmp_path / "fw.xlsx", {"C12": None})).sorted()
    assert [(f.code, f.sheet, f.cell, f.severity.value) for f in findings] == [
        ("FW-EMPTY-DUTIES", SHEET, "C12", "error")]
    assert findings[0].message == ("'Clerk (Range 2)' has no duties; summarise the role's "
                                   "duties in this cell")


def test_duties_on_the_row_below_the_title_count(tmp_path):
    assert one(tmp_path, {"C12": None, "C13": "Runs the post room."}) == []


def test_table_without_a_duties_column_reports_each_role_at_its_title(tmp_path):
    # the duties text stays in column C, but under a "Notes" header, not a Duties one
    path = write_framework(tmp_path / "fw.xlsx", {"C1": "Notes"})
    got = [(f.code, f.cell) for f in validate_framework(path).sorted()
           if f.code == "FW-EMPTY-DUTIES"]
    assert got == [("FW-EMPTY-DUTIES", "A2"), ("FW-EMPTY-DUTIES", "A7"),
                   ("FW-EMPTY-DUTIES", "A12")]


def test_time_at_a_level_that_does_not_exist_is_an_error(tmp_path):
    path = write_framework(tmp_path / "fw.xlsx",
                           {"F5": "Minimum of 12 months at 7A with satisfactory performance."})
    [f] = validate_framework(path).findings
    assert (f.code, f.sheet, f.cell) == ("FW-UNKNOWN-TIME-LEVEL", SHEET, "F5")
    assert f.message == ("'12 months at 7A' refers to Range 7 level A, which no role in this "
                         "framework has (ranges here: 2, 3, 4)")


def test_time_at_a_lower_range_of_the_pathway_is_fine(tmp_path):
    # Senior Administrator's "2 years' experience at 3C" names the Administrator's 3C.
    fw = read_framework(write_framework(tmp_path / "fw.xlsx"))
    assert check_framework(fw) == []
    fw.roles[0].range = 5  # now nothing is at range 3
    assert [(f.code, f.cell) for f in check_framework(fw)] == [
        ("FW-UNKNOWN-TIME-LEVEL", "F5"), ("FW-UNKNOWN-TIME-LEVEL", "G5"),
        ("FW-UNKNOWN-TIME-LEVEL", "E10")]


def test_structural_findings_of_the_reader_are_included(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Roles"
    wb.active["A1"] = "a list of roles, not an Appendix H table"
    wb.save(tmp_path / "x.xlsx")
    assert found(tmp_path / "x.xlsx") == [("FW-NO-TABLE", "Roles", None)]


# ---------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------


def test_cli_exit_0_on_clean_and_1_on_errors_with_json(tmp_path):
    clean = write_framework(tmp_path / "clean.xlsx")
    r = run_cli("validate-framework", clean, "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"file": str(clean), "findings": [],
                                    "summary": {"errors": 0, "warnings": 0}}
    bad = write_framework(tmp_path / "bad.xlsx", {"B12": "Range 12", "E4": "Good knowledge."})
    r = run_cli("validate-framework", bad, "--json")
    assert r.returncode == 1
    data = json.loads(r.stdout)
    assert data["summary"] == {"errors": 1, "warnings": 1}
    assert data["findings"][1] == {
        "file": str(bad), "sheet": SHEET, "cell": "B12", "severity": "error",
        "code": "FW-BAD-RANGE",
        "message": "Range of 'Clerk' is 'Range 12'; write a whole number from 2 to 8 "
                   "(e.g. 'Range 3')"}
    assert [(f["cell"], f["code"]) for f in data["findings"]] == [
        ("E4", "FW-VAGUE-WORD"), ("B12", "FW-BAD-RANGE")]


def test_cli_text_output_is_grouped_by_sheet_and_warnings_exit_0(tmp_path):
    path = write_framework(tmp_path / "w.xlsx", {"E4": "Good knowledge."})
    r = run_cli("validate-framework", path, "--vague-words", "good,reconciliation")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert lines[0] == f"{path}: 0 error(s), 2 warning(s)"
    assert lines[2] == "Sheet CPF"
    assert "E4" in lines[3] and "FW-VAGUE-WORD" in lines[3]


def test_cli_unreadable_file_exits_2_with_one_line(tmp_path):
    p = tmp_path / "x.xlsx"
    p.write_text("name,range\n")
    r = run_cli("validate-framework", p)
    assert r.returncode == 2
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and "text or CSV" in r.stderr


# ---------------------------------------------------------------------------------------
# The shipped Business & Executive Support framework
# ---------------------------------------------------------------------------------------

BES_SHEET = "Business and Executive Support"
# Read against the guide's own text (shared/seeds/000): what it breaks, honestly.
BES_EXPECTED = [
    # Business Support Apprentice: the guide gives a role description but no range and no
    # evidence grid at all.
    ("B4", "FW-BAD-RANGE"),
    *[(f"{c}{r}", "FW-EMPTY-CRITERION") for r in (5, 6, 7, 8) for c in "EFG"],
    # Business Support Assistant (R2): no 2B qualification; 2B experience has no timeframe;
    # C repeats B for Knowledge and (but for "2C") Skills.
    ("F10", "FW-EMPTY-CRITERION"), ("G11", "FW-REPEATED-TEXT"),
    ("F12", "FW-EXPERIENCE-NO-TIMEFRAME"), ("G13", "FW-REPEATED-TEXT"),
    # Personal Assistant (R3): no 3A or 3B qualification, so no 5 GCSEs.
    ("E15", "FW-EMPTY-CRITERION"), ("E15", "FW-GCSE-REQUIREMENT"),
    ("F15", "FW-EMPTY-CRITERION"), ("G16", "FW-REPEATED-TEXT"), ("G18", "FW-REPEATED-TEXT"),
    # Business Support Officer x2 and Business and Finance Support Officer (R3): "GCSE
    # certificates to include Maths and English" - not 5 GCSEs at grades 4-9.
    ("E20", "FW-GCSE-REQUIREMENT"), ("G21", "FW-REPEATED-TEXT"), ("G23", "FW-REPEATED-TEXT"),
    ("E25", "FW-GCSE-REQUIREMENT"), ("G26", "FW-REPEATED-TEXT"), ("G28", "FW-REPEATED-TEXT"),
    ("E30", "FW-GCSE-REQUIREMENT"), ("G31", "FW-REPEATED-TEXT"), ("G33", "FW-REPEATED-TEXT"),
    # Executive Assistant to AD (R4): same GCSE wording; no 4B qualification.
    ("E35", "FW-GCSE-REQUIREMENT"), ("F35", "FW-EMPTY-CRITERION"),
    ("G36", "FW-REPEATED-TEXT"), ("G38", "FW-REPEATED-TEXT"),
    # Business Support Team Leader (R4): same GCSE wording; no 4B knowledge.
    ("E40", "FW-GCSE-REQUIREMENT"), ("F41", "FW-EMPTY-CRITERION"), ("G43", "FW-REPEATED-TEXT"),
    # Executive Assistant to Director (R5): no 5B qualification.
    ("F45", "FW-EMPTY-CRITERION"), ("G46", "FW-REPEATED-TEXT"),
    # Personal Assistant to Chief Executive (R5): no 5B qualification, no 5C skills.
    ("F50", "FW-EMPTY-CRITERION"), ("G51", "FW-REPEATED-TEXT"), ("G53", "FW-EMPTY-CRITERION"),
    # Executive Assistant to Chief Executive (R6): "Good standard of education"; no 6B
    # qualification or knowledge; 6B experience has no timeframe.
    ("E55", "FW-VAGUE-WORD"), ("F55", "FW-EMPTY-CRITERION"), ("F56", "FW-EMPTY-CRITERION"),
    ("F57", "FW-EXPERIENCE-NO-TIMEFRAME"),
]


def test_shipped_bes_framework_findings_are_reported_honestly():
    report = validate_framework(BES_FRAMEWORK)
    got = [(f.cell, f.code) for f in report.sorted()]
    assert sorted(got) == sorted(BES_EXPECTED)
    assert {f.sheet for f in report.findings} == {BES_SHEET}
    assert (report.errors, report.warnings) == (29, 18)
    assert report.exit_status == 1


@pytest.fixture(scope="module")
def bes_feedback(tmp_path_factory):
    d = tmp_path_factory.mktemp("bes")
    out = d / "bes-feedback.xlsx"
    before = hashlib.sha256(BES_FRAMEWORK.read_bytes()).hexdigest()
    r = run_cli("validate-framework", BES_FRAMEWORK, "--feedback", out, "--json")
    after = hashlib.sha256(BES_FRAMEWORK.read_bytes()).hexdigest()
    return r, out, before, after, d


def test_feedback_copy_of_bes_annotates_cells_and_leaves_input_unchanged(bes_feedback):
    r, out, before, after, _ = bes_feedback
    assert r.returncode == 1
    assert before == after
    wb = openpyxl.load_workbook(out)
    ws = wb[BES_SHEET]
    assert "FW-GCSE-REQUIREMENT" in ws["E15"].comment.text
    assert "FW-EMPTY-CRITERION" in ws["E15"].comment.text
    assert ws["E15"].fill.fgColor.rgb == "00FFC7CE"
    assert ws["G11"].fill.fgColor.rgb == "00FFEB9C"
    findings = wb["Findings"]
    assert findings.max_row == 1 + len(BES_EXPECTED)
    assert findings["D2"].hyperlink.location == f"'{BES_SHEET}'!B4"


def test_feedback_refuses_to_overwrite_without_force(bes_feedback, tmp_path):
    out = tmp_path / "o.xlsx"
    out.write_bytes(b"x")
    r = run_cli("validate-framework", BES_FRAMEWORK, "--feedback", out)
    assert r.returncode == 2 and "already exists" in r.stderr
    assert out.read_bytes() == b"x"
    r = run_cli("validate-framework", BES_FRAMEWORK, "--feedback", out, "--force")
    assert r.returncode == 1 and out.read_bytes()[:2] == b"PK"


@pytest.mark.libreoffice
def test_bes_feedback_copy_opens_in_libreoffice(bes_feedback):
    _r, out, _b, _a, d = bes_feedback
    converted = convert_with_libreoffice(out, "xlsx", d / "lo")
    wb = openpyxl.load_workbook(converted)
    assert wb.sheetnames == ["Framework", BES_SHEET, "Findings"]
    assert "FW-VAGUE-WORD" in wb[BES_SHEET]["E55"].comment.text


def test_role_block_without_job_title_is_an_error_at_the_title_cell(tmp_path):
    path = write_framework(tmp_path / "fw.xlsx", {"A12": None})
    findings = validate_framework(path).findings
    assert [(f.code, f.sheet, f.cell) for f in findings] == [("FW-MISSING-TITLE", SHEET, "A12")]
    assert findings[0].message == ("The role block at Range 2 has no job title; write the job "
                                   "title in this cell")



@given(
    words=st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8),
                   min_size=1, max_size=12),
    bullet=st.sampled_from(["", "• ", "- ", "* "]),
    punct=st.sampled_from(["", ".", ";", "!"]),
    upper=st.booleans(),
    gap=st.sampled_from([" ", "  ", "\n", " \t "]),
)
def test_reformatted_copy_of_previous_level_is_always_a_repeat(words, bullet, punct, upper, gap):
    a = " ".join(words)
    b = bullet + gap.join(w.upper() if upper else w for w in words) + punct
    assert normalise(a) == normalise(b)
    role = _R("R", 3)
    role.criteria = {_L.A: {_C.SKILLS: _CT(a, _S("f", "S", "E2"))},
                     _L.B: {_C.SKILLS: _CT(b, _S("f", "S", "F2"))}}
    found_ = [f for f in FRAMEWORK.run(_F("x", roles=[role]), FrameworkContext(()))
              if f.code == "FW-REPEATED-TEXT"]
    assert [(f.cell, f.message.split(" (")[1][:4]) for f in found_] == [("F2", "100%")]


@pytest.mark.parametrize("command", ["validate-framework", "validate-estimates"])
@pytest.mark.parametrize("name", ["out.csv", "out", "out.xls", "out.xlsx.txt"])
def test_feedback_path_not_ending_xlsx_is_refused_in_one_line(tmp_path, command, name):
    src = write_framework(tmp_path / "fw.xlsx")
    out = tmp_path / name
    r = run_cli(command, src, "--feedback", out)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.splitlines() == [
        f"medpay: {out}: the feedback copy is an Excel workbook; its name must end .xlsx "
        f"(or .xlsm) (for example {Path(name).stem}.xlsx)"]
    assert list(tmp_path.iterdir()) == [src]


def test_feedback_path_ending_upper_case_xlsx_is_accepted(tmp_path):
    src = write_framework(tmp_path / "fw.xlsx")
    r = run_cli("validate-framework", src, "--feedback", tmp_path / "OUT.XLSX")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "OUT.XLSX").read_bytes()[:2] == b"PK"


def test_feedback_of_a_sheet_without_a_table_links_its_findings_row_to_a1(tmp_path):
    path = write_framework(tmp_path / "fw.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("Roles")["A1"] = "a list of roles, not an Appendix H table"
    wb.save(path)
    r = run_cli("validate-framework", path, "--feedback", tmp_path / "fb.xlsx", "--json")
    assert r.returncode == 1
    assert [(f["code"], f["sheet"], f["cell"]) for f in json.loads(r.stdout)["findings"]] == [
        ("FW-NO-TABLE", "Roles", None)]
    fb = openpyxl.load_workbook(tmp_path / "fb.xlsx")
    row = list(fb["Findings"].iter_rows(min_row=2))[0]
    assert [c.value for c in row[1:4]] == ["FW-NO-TABLE", "Roles", "(whole sheet)"]
    assert row[3].hyperlink.location == "'Roles'!A1"
    assert fb["Roles"]["A1"].comment is None


# ---------------------------------------------------------------------------------------
# Range 3/4 GCSE wordings (Appendix K: "a minimum of 5 GCSE's (grades 4-9) or equivalent
# in English & Maths")
# ---------------------------------------------------------------------------------------

GCSE_MEETS_THE_RULE = [
    "6 GCSEs at grades 4-9 incl. English and Maths",
    "GCSEs (minimum 5) at grades 4-9 including English and Maths",
    "5 GCSEs at grade 4/C or above including English and Maths",
    "5 GCSEs at 4-9 including English and Maths",
    "five GCSE passes graded 4-9, including English and Maths",
    "5 GCSEs A*-C (or equivalent) including English and Maths",
    "5 GCSEs at grade 4+ including English and Maths",
    "Seven GCSEs at grade C or above, including Maths and English Language",
    "A minimum of 5 GCSEs grades 9-4 or equivalent, including English & Mathematics",
    "5 GCSEs Grade 4 - 9 (or equivalent) including English and Maths.",  # the BES R5 PA
]


@pytest.mark.parametrize("text", GCSE_MEETS_THE_RULE)
def test_gcse_wordings_that_meet_the_rule_give_no_finding(tmp_path, text):
    assert one(tmp_path, {"E3": text}) == []


@pytest.mark.parametrize("text, missing", [
    # the shipped BES Range 3/4 wording: no count, no grades
    ("GCSE certificates to include Maths and English to be provided through onboarding "
     "process.", "5 GCSEs, grades 4-9"),
    ("4 GCSEs at grades 4-9 including English and Maths", "5 GCSEs"),
    ("Four GCSEs (minimum 4) at grade 4 or above including English and Maths", "5 GCSEs"),
    ("GCSE grade 5 in English and Maths", "5 GCSEs, grades 4-9"),  # a grade, not a count
    ("5 GCSEs or equivalent including English and Maths", "grades 4-9"),
    ("5 GCSEs at grades 4-9 including English", "Maths"),
    ("6 GCSEs at grades 4-9 incl. Maths", "English"),
    ("5 A levels at grades A*-C including English and Maths", "5 GCSEs"),
])
def test_gcse_wordings_that_break_the_rule_are_errors(tmp_path, text, missing):
    path = write_framework(tmp_path / "fw.xlsx", {"E3": text})
    [f] = validate_framework(path).findings
    assert (f.code, f.sheet, f.cell, f.severity.value) == (
        "FW-GCSE-REQUIREMENT", SHEET, "E3", "error")
    assert f.message == (
        "'Administrator' is a Range 3 role: its qualifications must require a minimum of 5 "
        f"GCSEs at grades 4-9 (or equivalent) including English and Maths; missing: {missing}")


_COUNTS = {5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten"}


@given(
    n=st.integers(min_value=1, max_value=10),
    in_words=st.booleans(),
    form=st.sampled_from(["{n} GCSEs", "{n} GCSE passes", "A minimum of {n} GCSEs",
                          "GCSEs (minimum {n})", "{n} x GCSE", "At least {n} GCSEs"]),
    grades=st.sampled_from(["at grades 4-9", "at 4-9", "graded 9-4", "at grade 4 or above",
                            "grade 4/C or above", "at grade 4+", "A*-C", "at grade C or above",
                            "grades 4 to 9"]),
    equivalent=st.sampled_from(["", " (or equivalent)", " or equivalent,"]),
    subjects=st.sampled_from(["English and Maths", "Maths & English", "English and Mathematics"]),
)
def test_any_count_of_five_or_more_with_grades_english_and_maths_meets_the_rule(
        n, in_words, form, grades, equivalent, subjects):
    count = _COUNTS.get(n, str(n)) if in_words else str(n)
    text = f"{form.format(n=count)} {grades}{equivalent} including {subjects}."
    role = _R("Officer", 3)
    role.criteria = {lv: {_C.QUALIFICATIONS: _CT(text if lv is _L.A else "CPD.",
                                                 _S("f", "S", f"{'EFG'[lv.rank]}2"))}
                     for lv in _L}
    got = [f for f in FRAMEWORK.run(_F("x", roles=[role]), FrameworkContext(()))
           if f.code == "FW-GCSE-REQUIREMENT"]
    if n >= 5:
        assert got == [], text
    else:
        assert [(f.cell, f.message.rsplit("missing: ", 1)[1]) for f in got] == [
            ("E2", "5 GCSEs")], text


def test_gcse_rule_does_not_judge_a_role_whose_table_lacks_a_level_column(tmp_path):
    # Without the Level A column the entry qualification is not read at all: the missing
    # column is the finding, not a cascade of FW-GCSE-REQUIREMENT.
    assert one(tmp_path, {"E1": "Notes"}) == [("FW-MISSING-LEVEL-COLUMN", SHEET, "A1")]


# ---------------------------------------------------------------------------------------
# Time-at-level references: a level that exists, below the cell's own position
# ---------------------------------------------------------------------------------------


def test_time_at_a_level_d_is_an_error_quoting_the_phrase(tmp_path):
    path = write_framework(tmp_path / "fw.xlsx",
                           {"F5": "Minimum of 12 months at 3D with satisfactory performance."})
    [f] = validate_framework(path).findings
    assert (f.code, f.sheet, f.cell, f.severity.value) == (
        "FW-UNKNOWN-TIME-LEVEL", SHEET, "F5", "error")
    assert f.message == ("'12 months at 3D' refers to Range 3 level D, which does not exist: "
                         "a range has levels A, B and C only (7.14)")


@pytest.mark.parametrize("cell, text, ok", [
    # Administrator (Range 3) level B, F5: only 3A and the levels of Range 2 are below 3B
    ("F5", "Minimum of 12 months at 3A.", True),
    ("F5", "Minimum of 12 months at 2C.", True),
    ("F5", "Minimum of 12 months at level A.", True),
    ("F5", "Minimum of 12 months at 3B.", False),
    ("F5", "Minimum of 12 months at 3C.", False),
    ("F5", "Minimum of 12 months at 4A.", False),
    ("F5", "Minimum of 12 months at level B.", False),
    # Administrator level C, G5: 3A, 3B and Range 2
    ("G5", "Minimum of 18 months at 3B.", True),
    ("G5", "Minimum of 18 months at 3A.", True),
    ("G5", "Minimum of 18 months at 3C.", False),
    # Senior Administrator (Range 4) level A, E10: all of Ranges 2 and 3, nothing of 4
    ("E10", "A minimum of 2 years' experience at 3C.", True),
    ("E10", "A minimum of 2 years' experience at 2A.", True),
    ("E10", "A minimum of 2 years' experience at 4A.", False),
    # Clerk (Range 2) level B, F15: only 2A
    ("F15", "Minimum of 12 months at 2A.", True),
    ("F15", "Minimum of 12 months at 4C.", False),
    ("F15", "Minimum of 12 months at 3A.", False),
])
def test_time_reference_must_name_a_position_below_the_cells_own(tmp_path, cell, text, ok):
    got = one(tmp_path, {cell: text})
    assert got == ([] if ok else [("FW-UNKNOWN-TIME-LEVEL", SHEET, cell)])


def test_time_reference_above_the_cell_says_which_positions_are_below(tmp_path):
    # The phrase is quoted as written ("twelve", the spacing collapsed), not rebuilt.
    path = write_framework(tmp_path / "fw.xlsx",
                           {"F15": "Minimum of twelve  months at level 4C."})
    [f] = validate_framework(path).findings
    assert (f.code, f.cell) == ("FW-UNKNOWN-TIME-LEVEL", "F15")
    assert f.message == ("'twelve months at level 4C' refers to Range 4 level C, which is not "
                         "below this cell's 2B: time counts at an earlier level (2A)")
    path = write_framework(tmp_path / "fw.xlsx", {"F10": "Two years at level 4B."})
    [f] = validate_framework(path).findings
    assert f.message == ("'Two years at level 4B' refers to Range 4 level B, which is not "
                         "below this cell's 4B: time counts at an earlier level (2A, 2B, 2C, "
                         "3A, 3B, 3C, 4A)")


@pytest.mark.parametrize("value", ["Range 3-4", 0, -3, True, None, "Range 9"])
def test_a_bad_range_gives_only_the_bad_range_finding(tmp_path, value):
    # The Administrator's own references ("12 months at 3A") and the Senior
    # Administrator's "2 years' experience at 3C" would otherwise cascade.
    assert one(tmp_path, {"B2": value}) == [("FW-BAD-RANGE", SHEET, "B2")]


def test_a_bad_range_still_lets_a_level_d_be_reported(tmp_path):
    assert one(tmp_path, {"B2": "Range 3-4", "F5": "Minimum of 12 months at 3D."}) == [
        ("FW-BAD-RANGE", SHEET, "B2"), ("FW-UNKNOWN-TIME-LEVEL", SHEET, "F5")]


def test_a_bad_range_does_not_hide_a_range_nothing_hints_at(tmp_path):
    # "Range 3-4" hints at 3 or 4; a reference to Range 7 is still wrong.
    assert one(tmp_path, {"B2": "Range 3-4", "E10": "2 years' experience at 7C."}) == [
        ("FW-BAD-RANGE", SHEET, "B2"), ("FW-UNKNOWN-TIME-LEVEL", SHEET, "E10")]


@pytest.mark.parametrize("header", ["E1", "F1", "G1"])
def test_a_missing_level_column_gives_only_the_missing_column_finding(tmp_path, header):
    assert one(tmp_path, {header: None}) == [("FW-MISSING-LEVEL-COLUMN", SHEET, "A1")]


# ---------------------------------------------------------------------------------------
# "None in addition to level A" (the tool's own advice) and "working towards"
# ---------------------------------------------------------------------------------------


def test_none_in_addition_at_b_and_c_is_not_a_repeat(tmp_path):
    assert one(tmp_path, {"F4": "None in addition to level A.",
                          "G4": "None in addition to level B.",
                          "F16": "• NONE in addition to level A",
                          "G16": "None in addition to levels A and B"}) == []


def test_none_in_addition_is_no_timeframe_for_experience(tmp_path):
    # Appendix K: "Lack of clarity on timeframes" - Experience at B/C must say how long.
    assert one(tmp_path, {"F5": "None in addition to level A."}) == [
        ("FW-EXPERIENCE-NO-TIMEFRAME", SHEET, "F5")]


def test_empty_experience_at_b_asks_for_the_time_not_none_in_addition(tmp_path):
    path = write_framework(tmp_path / "fw.xlsx", {"F10": None})
    [f] = validate_framework(path).findings
    assert (f.code, f.cell) == ("FW-EMPTY-CRITERION", "F10")
    assert f.message == (
        "Experience at level B of 'Senior Administrator (Range 4)' is empty; write the time "
        "needed at level A, e.g. 'Minimum of 12 months at 4A with satisfactory performance'")


def test_working_towards_completed_only_in_another_criterion_is_reported(tmp_path):
    # The completion belongs in level C's Qualifications cell, not in its Knowledge.
    assert one(tmp_path, {"G3": "Evidence of continuous professional development.",
                          "G4": "Completed Level 3 in Business Administration; knowledge of "
                                "the data retention schedule."}) == [
        ("FW-WORKING-TOWARDS-NOT-COMPLETED", SHEET, "G3")]


@pytest.mark.parametrize("text, ok", [
    ("Completed Level 3 in Business Administration.", True),
    ("Level 3 in Business Administration completed.", True),
    ("CPD log.\nAchieved the Level 3 in Business Administration.", True),
    # a completion word, and the qualification's words, but not in one statement
    ("Completed a first aid course. Level 3 in Business Administration to be started.", False),
    ("Working towards Level 3 in Business Administration (50% completed).", False),
    ("Completed Level 3 in Customer Service.", False),
])
def test_working_towards_needs_the_same_qualification_completed(tmp_path, text, ok):
    got = one(tmp_path, {"G3": text})
    assert got == ([] if ok else [("FW-WORKING-TOWARDS-NOT-COMPLETED", SHEET, "G3")])


def test_docs_framework_rules_table_is_generated_from_the_declarations():
    # The rules table in docs/reference/finding-codes.md is written by scripts/gen_docs from
    # the same declarations as the codes table (description, code, severity, policy), in
    # the order the framework checker runs its rules, so the two tables cannot disagree.
    from tools.codes_table import framework_rules_markdown
    from tools.docs_gen import CODES_PAGE, read_block

    block = read_block(CODES_PAGE.read_text(encoding="utf-8"), "framework-rules")
    assert block == framework_rules_markdown().strip(), "run scripts/gen_docs"
    rows = [line.split(" | ") for line in framework_rules_markdown().splitlines()[2:]]
    assert [r[1].strip("`") for r in rows] == [c.code for c in FRAMEWORK.codes()]
    from addin.core.findings import REGISTRY

    for rule, code, severity, policy in rows:
        decl = REGISTRY[code.strip("`")]
        assert (severity, policy.rstrip(" |")) == (decl.severity.value, decl.policy)
        assert rule.lstrip("| ") == decl.description.rstrip(".")
