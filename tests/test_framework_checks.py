"""Framework validation (addin/framework_checks.py): the Appendix K rules, cell by cell.

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

from addin.framework_checks import (
    FRAMEWORK,
    FrameworkContext,
    check_framework,
    normalise,
    validate_framework,
)
from addin.frameworks import read_framework
from addin.model import Criterion as _C
from addin.model import CriterionText as _CT
from addin.model import Framework as _F
from addin.model import Level as _L
from addin.model import Role as _R
from addin.model import SourceRef as _S
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
