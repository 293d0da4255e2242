"""The MedPay team batch (addin/batch/run.py, `medpay batch`): every output's exact contents.

The inbox mixes two good submissions (one in a sub-folder, with a title above its
header row), every bad-file kind (corrupt zip, encrypted OLE stub, .xls renamed, CSV
renamed, wrong headers) and an employee in both good submissions.

Hand-worked figures (shipped workbooks/pay-ranges.xlsx: range 3 A 25,584 B 26,967 C
28,349; range 4 A 29,093 B 31,200; employer NI 15% above 5,000; pension 19.8%; levy
0.5%). As of 1 March 2025 every change takes effect on 1 July 2025 (forms in by 1 June),
so in-year = 9/12 of full-year (to 31 March 2026).

* E001 Personal Assistant 3A -> 3B, FTE 1, salary 25,584: increase 1,383.00; NI 1,383 x
  0.15 = 207.45; pension 1,383 x 0.198 = 273.834; levy 1,383 x 0.005 = 6.915; full-year
  1,871.199 -> 1,871.20; in-year 1,871.199 x 9/12 = 1,403.399 -> 1,403.40.
* E010 Business Support Team Leader 4A -> 4B, FTE 0.8, salary 29,093: increase
  (31,200 - 29,093) x 0.8 = 1,685.60; NI 252.84; pension 333.7488; levy 8.428;
  full-year 2,280.6168 -> 2,280.62; in-year 1,710.4626 -> 1,710.46.
* E002 Business Support Officer 3C -> 3B, salary 28,349 > pay point 26,967: honoured,
  cost 0.
* E003 as E001 but in the capability procedure: may not apply to progress at the next
  window (7.22), but the estimates are the initial assessment (Appendix K stage 8): its
  cost IS in CMT's totals, 1,871.20 / 1,403.40.
* E001 is in both submissions: flagged on both, costed once, from sub/team-b.xlsx row 5
  (the first submission in inbox path order: "sub/team-b.xlsx" < "team-a.xlsx").

CMT full-year total = E010 2,280.62 + E001 (team B) 1,871.20 + E002 0 + E003 1,871.20 =
6,023.02; in-year = 1,710.46 + 1,403.40 + 0 + 1,403.40 = 4,517.26 (before issue 17 the
same sum came from E001 counted twice and E003 left out). Place (team A: E002, E003):
1,871.20 / 1,403.40; Resources (team B: E010, E001): 4,151.82 / 3,113.86.
Key figures: 5 rows, 1 duplicate not costed again -> 4 employees = 3 pay rises (E010,
E001, E003) + 0 no change + 1 honoured (E002) + 0 not costable; may apply to progress: 3
(all but E003).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from addin.batch.run import discover, feedback_names
from addin.office.determinism import fixed_moment, normalise_xlsx_bytes
from addin.office.safeio import FolderLock
from tests.conftest import BES_FRAMEWORK, PAY_RANGES, convert_with_libreoffice, run_cli, soffice

AS_OF = "2025-03-01"
HEADERS = [
    "Employee ID", "Employee name", "Directorate", "Team", "Job title", "Framework", "Range",
    "Current salary", "FTE", "Contract type", "Start date in post", "Probation passed",
    "Capability procedure", "Appraisal outcome", "Date at current level", "Current level",
    "Estimated level", "Manager", "Notes",
]
FW = "Business and Executive Support"
MONEY_FORMAT = '"£"#,##0.00'


def person(emp, name, directorate, team, title, rng, salary, fte, cur, est, capability="No"):
    return [emp, name, directorate, team, title, FW, rng, salary, fte, "Permanent",
            dt.date(2019, 4, 1), "Yes", capability, "Met", dt.date(2021, 6, 1), cur, est,
            "Grace Hughes", None]


TEAM_A = [
    person("E001", "Alice Smith", "Place", "Planning", "Personal Assistant", 3, 25584, 1, "A", "B"),
    person("E002", "Bob Jones", "Place", "Planning", "Business Support Officer", 3, 28349, 0.5, "C", "B"),
    person("E003", "Carol White", "Place", "Planning", "Personal Assistant", 3, 25584, 1, "A", "B",
           capability="Yes"),
]
TEAM_B = [
    person("E010", "Dev Patel", "Resources", "Finance", "Business Support Team Leader", 4, 29093, 0.8,
           "A", "B"),
    person("E001", "Alice Smith", "Resources", "Finance", "Personal Assistant", 3, 25584, 1, "A", "B"),
]


def write_estimates(path: Path, rows: list[list], *, title: str | None = None,
                    headers: list[str] = HEADERS) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Estimates"
    if title:
        ws.append([title])
        ws.append([])
    ws.append(headers)
    for r in rows:
        ws.append(r)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def build_inbox(inbox: Path) -> Path:
    write_estimates(inbox / "team-a.xlsx", TEAM_A)
    write_estimates(inbox / "sub" / "team-b.xlsx", TEAM_B, title="Finance team estimates")
    (inbox / "corrupt.xlsx").write_bytes(b"PK\x03\x04" + b"\x00garbage" * 40)
    (inbox / "encrypted.xlsx").write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
        + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 100)
    (inbox / "old.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500)
    (inbox / "data.xlsx").write_text("Employee ID,Employee name\nE900,Zed\n", encoding="utf-8")
    write_estimates(inbox / "wrong-headers.xlsx", [["x", "y", "z"]],
                    headers=["Fruit", "Colour", "Price"])
    (inbox / "~$team-a.xlsx").write_bytes(b"lock")  # Excel's lock file: skipped
    (inbox / "notes.txt").write_text("not a submission")  # not a spreadsheet: skipped
    return inbox


def batch(inbox: Path, out: Path, *extra: str):
    return run_cli("batch", inbox, "--out", out, "--framework", BES_FRAMEWORK,
                   "--pay-ranges", PAY_RANGES, "--as-of", AS_OF, *extra)


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    inbox = build_inbox(root / "inbox")
    before = tree_digest(inbox)
    out = root / "out"
    proc = batch(inbox, out, "--jobs", "2")
    return {"root": root, "inbox": inbox, "out": out, "proc": proc, "before": before}


@pytest.fixture(scope="module")
def summary(run):
    return json.loads((run["out"] / "summary.json").read_text(encoding="utf-8"))


# ------------------------------------------------------------------ summary.json


def test_batch_exits_1_and_prints_counts_and_cache_use(run):
    proc = run["proc"]
    assert proc.returncode == 1, proc.stderr  # errors found (duplicates, unreadable files)
    lines = proc.stdout.splitlines()
    assert lines[0] == ("7 file(s): 0 ok, 2 with errors, 5 unreadable; 5 row(s), 2 error(s), "
                        "1 warning(s); 3 pay rise(s), 0 no change, 1 honoured, 0 not costable, "
                        "3 may apply to progress; full-year cost £6,023.02, in-year £4,517.26")
    assert lines[1].startswith("reused 0 unchanged file(s) from the cache, processed 7;")
    assert "unreadable: corrupt.xlsx: file is damaged or truncated" in proc.stderr


def test_summary_lists_every_file_in_order_with_status_and_reason(summary):
    files = {f["file"]: f for f in summary["files"]}
    assert [f["file"] for f in summary["files"]] == [
        "corrupt.xlsx", "data.xlsx", "encrypted.xlsx", "old.xlsx", "sub/team-b.xlsx",
        "team-a.xlsx", "wrong-headers.xlsx"]
    expected_reasons = {
        "corrupt.xlsx": "corrupt.xlsx: file is damaged or truncated (",
        "data.xlsx": "data.xlsx: file is a text or CSV file, not an Excel workbook (.xlsx or "
                     ".xlsm) (open it in Excel and save it as an Excel Workbook (.xlsx))",
        "encrypted.xlsx": "encrypted.xlsx: file is password-protected (encrypted) (remove the "
                          "password in Excel (File > Info > Protect Workbook) and send it again)",
        "old.xlsx": "old.xlsx: file is an old Excel 97-2003 (.xls) file, not an Excel workbook "
                    "(.xlsx or .xlsm) (open it in Excel and save it as an Excel Workbook (.xlsx))",
        "wrong-headers.xlsx": "wrong-headers.xlsx: No sheet named 'Estimates' and no visible "
                              "sheet with the estimate headers",
    }
    for name, reason in expected_reasons.items():
        f = files[name]
        assert f["status"] == "unreadable"
        assert f["reason"].startswith(reason), f["reason"]
        assert (f["rows"], f["errors"], f["feedback"]) == (0, 0, None)
    a, b = files["team-a.xlsx"], files["sub/team-b.xlsx"]
    # team A: E003 1,871.20 (E001 is costed from team B, E002 honoured); team B: E010 +
    # E001 = 2,280.62 + 1,871.20 = 4,151.82; the files' figures add up to the totals
    # (team A's E001 is counted in team B: team A's one who may apply is E002)
    assert a == {"file": "team-a.xlsx", "status": "errors", "reason": None, "rows": 3,
                 "errors": 1, "warnings": 1, "may_apply_to_progress": 1, "not_costable": 0,
                 "full_year_cost": "1871.20", "in_year_cost": "1403.40",
                 "feedback": "feedback/team-a.xlsx"}
    assert b == {"file": "sub/team-b.xlsx", "status": "errors", "reason": None, "rows": 2,
                 "errors": 1, "warnings": 0, "may_apply_to_progress": 2, "not_costable": 0,
                 "full_year_cost": "4151.82", "in_year_cost": "3113.86",
                 "feedback": "feedback/sub__team-b.xlsx"}


def test_summary_totals_are_hand_worked(summary):
    assert {k: v for k, v in summary.items() if k != "files"} == {
        "as_of": "2025-03-01", "cola": None, "frameworks": ["business-and-executive-support.xlsx"],
        "files_read": 7, "files_ok": 0, "files_with_errors": 2, "files_unreadable": 5,
        "rows": 5, "errors": 2, "warnings": 1, "employees": 4, "pay_rises": 3, "no_change": 0,
        "honoured": 1, "not_costable": 0, "not_costable_reasons": {},
        "may_apply_to_progress": 3, "duplicate_id_rows": 2,
        "duplicate_rows_not_costed_again": 1,
        "duplicate_employees": {
            "rule": "an employee in several submissions is costed once, from the first "
                    "submission in inbox path order that can cost the row (the order the "
                    "batch reads files); when none can, the first",
            "employees": [{"employee_id": "E001",
                           "costed": {"file": "sub/team-b.xlsx", "row": 5},
                           "not_costed_again": [{"file": "team-a.xlsx", "row": 2}]}]},
        "costs": {"full_year": "6023.02", "in_year": "4517.26"},
    }


def test_outputs_are_exactly_the_promised_files_and_inputs_unchanged(run):
    out = run["out"]
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                  if p.is_file() and ".medpay-cache" not in p.parts) == [
        "cmt-report.xlsx", "consolidated.xlsx", "feedback/sub__team-b.xlsx",
        "feedback/team-a.xlsx", "summary.json"]
    assert not (out / ".medpay.lock").exists()
    assert tree_digest(run["inbox"]) == run["before"]


# ------------------------------------------------------------------ consolidated.xlsx


def test_consolidated_has_every_row_with_source_eligibility_and_cost(run):
    wb = openpyxl.load_workbook(run["out"] / "consolidated.xlsx")
    ws = wb["Rows"]
    header = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(header)}
    assert ws.max_row == 6
    got = [(ws.cell(r, col["Source file"]).value, ws.cell(r, col["Source row"]).value,
            ws.cell(r, col["Employee ID"]).value) for r in range(2, 7)]
    assert got == [("sub/team-b.xlsx", 4, "E010"), ("sub/team-b.xlsx", 5, "E001"),
                   ("team-a.xlsx", 2, "E001"), ("team-a.xlsx", 3, "E002"),
                   ("team-a.xlsx", 4, "E003")]

    def row(r):
        return {h: ws.cell(r, col[h]).value for h in (
            "May apply to progress", "Effective date", "New salary", "Honoured",
            "Annual increase", "Full-year cost", "In-year cost", "In CMT totals",
            "Employee ID also in", "Employee costed from", "Errors")}

    assert row(2) == {"May apply to progress": "Yes", "Effective date": dt.datetime(2025, 7, 1),
                      "New salary": 31200, "Honoured": "No", "Annual increase": 1685.6,
                      "Full-year cost": 2280.62, "In-year cost": 1710.46, "In CMT totals": "Yes",
                      "Employee ID also in": None, "Employee costed from": None, "Errors": 0}
    # E001: costed from team B (first in path order), shown but not counted again in team A
    assert row(3)["Employee ID also in"] == "team-a.xlsx"
    assert (row(3)["Employee costed from"], row(3)["In CMT totals"]) == ("this row", "Yes")
    assert row(3)["Errors"] == 1
    assert row(4)["Employee ID also in"] == "sub/team-b.xlsx"
    assert (row(4)["Employee costed from"], row(4)["In CMT totals"]) == (
        "sub/team-b.xlsx row 5", "No")
    assert (row(4)["Full-year cost"], row(4)["In-year cost"]) == (1871.2, 1403.4)
    assert row(5)["Honoured"] == "Yes" and row(5)["Full-year cost"] == 0
    assert row(5)["In CMT totals"] == "Yes"  # honoured: in the totals, at no cost
    # E003 may not apply to progress (capability, 7.22), but the initial assessment costs it
    assert row(6)["May apply to progress"] == "No" and row(6)["In CMT totals"] == "Yes"
    assert row(6)["Full-year cost"] == 1871.2
    assert "Subject to the performance capability procedure" in ws.cell(6, col["Reasons"]).value
    assert ws.cell(2, col["Current salary"]).number_format == '"£"#,##0.00'

    files = wb["Files"]
    assert [c.value for c in files[1]][:3] == ["File", "Status", "Reason"]
    assert [files.cell(r, 1).value for r in range(2, 9)] == [
        "corrupt.xlsx", "data.xlsx", "encrypted.xlsx", "old.xlsx", "sub/team-b.xlsx",
        "team-a.xlsx", "wrong-headers.xlsx"]
    assert files["B3"].value == "unreadable" and files["B7"].value == "errors"


# ------------------------------------------------------------------ feedback copies


def test_feedback_copy_flags_the_duplicate_and_adds_eligibility_and_cost_columns(run):
    wb = openpyxl.load_workbook(run["out"] / "feedback" / "team-a.xlsx")
    ws = wb["Estimates"]
    assert ws["A2"].comment is not None
    assert "Employee ID E001 is also in sub/team-b.xlsx" in ws["A2"].comment.text
    header = [c.value for c in ws[1]]
    assert header[19:26] == ["Eligible", "Reasons", "Effective date", "New salary", "Honoured",
                             "Full-year cost", "In-year cost"]
    assert [ws.cell(r, 20).value for r in (2, 3, 4)] == ["Yes", "Yes", "No"]
    assert ws.cell(2, 22).value == dt.datetime(2025, 7, 1)  # Effective date: a UK date cell
    assert ws.cell(2, 22).number_format == "dd/mm/yyyy"
    assert ws.cell(2, 25).value == 1871.2 and ws.cell(3, 24).value == "Yes"
    findings = wb["Findings"]
    codes = [findings.cell(r, 2).value for r in range(2, findings.max_row + 1)]
    assert "BATCH-DUPLICATE-ID" in codes

    wb_b = openpyxl.load_workbook(run["out"] / "feedback" / "sub__team-b.xlsx")
    ws_b = wb_b["Estimates"]
    assert [c.value for c in ws_b[3]][19] == "Eligible"  # header row 3, under the title
    assert "also in team-a.xlsx" in ws_b["A5"].comment.text
    assert ws_b["A4"].comment is None


def test_a_resubmitted_batch_feedback_copy_gets_medpay_columns_replaced_not_duplicated(run, tmp_path):
    """A manager sends the batch's feedback copy back, corrected: its Eligible ...
    In-year cost columns are MedPay's own, so the new copy has one set, freshly written."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    sent = openpyxl.load_workbook(run["out"] / "feedback" / "team-a.xlsx")
    first_header = [c.value for c in sent["Estimates"][1]]
    ws = sent["Estimates"]
    ws.cell(4, 20).value = "Yes"           # stale MedPay values the manager left in
    ws.cell(4, 25).value = 999999
    sent.save(inbox / "team-a.xlsx")
    out = tmp_path / "out"
    proc = batch(inbox, out)
    assert proc.returncode in (0, 1), proc.stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["files"][0]["status"] != "unreadable" and s["files"][0]["rows"] == 3
    again = openpyxl.load_workbook(out / "feedback" / "team-a.xlsx")["Estimates"]
    header = [c.value for c in again[1]]
    medpay = ["Eligible", "Reasons", "Effective date", "New salary", "Honoured",
              "Full-year cost", "In-year cost"]
    assert header == first_header and header[19:26] == medpay
    assert all(header.count(h) == 1 for h in medpay)
    assert [again.cell(r, 20).value for r in (2, 3, 4)] == ["Yes", "Yes", "No"]  # recomputed
    assert again.cell(4, 25).value != 999999
    assert again.cell(2, 22).value == dt.datetime(2025, 7, 1)


# ------------------------------------------------------------------ cmt-report.xlsx


def test_cmt_report_summary_figures_matrix_and_directorates_are_hand_worked(run):
    wb = openpyxl.load_workbook(run["out"] / "cmt-report.xlsx")
    assert wb.sheetnames == ["Summary", "Levels", "By directorate", "By team", "By framework",
                             "Duplicate employees", "Honoured salaries"]
    ws = wb["Summary"]
    figures = [(ws.cell(r, 1).value, ws.cell(r, 4).value) for r in range(5, 18)]
    assert figures == [
        ("Submissions received", 7), ("Submissions that could not be read", 5),
        ("Employee rows received", 5),
        ("Rows whose employee ID is in another submission (flagged)", 2),
        ("Duplicate rows not costed again (sheet Duplicate employees)", 1),
        ("Employees in the Review", 4),
        ("Pay rises (pay point above current salary)", 3),
        ("No change (pay point equals current salary)", 0),
        ("Salaries honoured (pay point below current salary; no cost)", 1),
        ("Not costable (a cell the cost needs is blank or invalid)", 0),
        ("May apply to progress at the next window (7.22, 7.28)", 3),
        ("Full-year cost (pay + employer on-costs)", 6023.02),
        ("In-year cost (effective date to 31 March)", 4517.26),
    ]
    assert ws["A18"].value is None  # nothing not costable: no reasons listed
    assert ws["A19"].value == "Cost by directorate"
    table = [[ws.cell(r, c).value for c in range(1, 9)] for r in range(20, 24)]
    assert table == [
        ["Directorate", "Employees", "Pay rises", "Honoured", "Not costable",
         "May apply to progress", "Full-year cost", "In-year cost"],
        ["Place", 2, 1, 1, 0, 1, 1871.2, 1403.4],
        ["Resources", 2, 2, 0, 0, 2, 4151.82, 3113.86],
        ["Total", 4, 3, 1, 0, 3, 6023.02, 4517.26],
    ]
    assert ws["J4"].value == "Employees by current and estimated level"
    levels = wb["Levels"]
    matrix = [[levels.cell(r, c).value for c in range(1, 6)] for r in range(3, 8)]
    # every employee once: E010, E001 (team B), E003 A -> B; E002 C -> B
    assert matrix == [["Current \\ estimated level", "A", "B", "C", "Total"],
                      ["A", 0, 3, 0, 3], ["B", 0, 0, 0, 0], ["C", 0, 1, 0, 1],
                      ["Total", 0, 4, 0, 4]]
    team = wb["By team"]
    assert [[team.cell(r, c).value for c in range(1, 10)] for r in range(2, 4)] == [
        ["Place", "Planning", 2, 1, 1, 0, 1, 1871.2, 1403.4],
        ["Resources", "Finance", 2, 2, 0, 0, 2, 4151.82, 3113.86]]
    fw = wb["By framework"]
    assert [fw.cell(2, c).value for c in range(1, 9)] == [FW, 4, 3, 1, 0, 3, 6023.02, 4517.26]
    dup = wb["Duplicate employees"]
    assert [[c.value for c in row] for row in dup.iter_rows(min_row=1, max_row=dup.max_row)] == [
        ["Employee ID", "Costed from", "Row", "Not costed again (flagged)", "Why this row"],
        ["E001", "sub/team-b.xlsx", 5, "team-a.xlsx row 2",
         "An employee in several submissions is costed once, from the first submission in "
         "inbox path order that can cost the row (the order the batch reads files); when none "
         "can, the first"]]
    hon = wb["Honoured salaries"]
    assert [hon.cell(2, c).value for c in range(1, 13)] == [
        "team-a.xlsx", 3, "E002", "Bob Jones", "Place", "Planning", "Business Support Officer",
        3, "C", "B", 28349, 26967]
    assert hon.max_row == 2
    # the rows are streamed after openpyxl lays the sheet out: money format, pane, header kept
    assert [hon.cell(2, c).number_format for c in (1, 11, 12)] == ["General", MONEY_FORMAT, MONEY_FORMAT]
    assert hon.freeze_panes == "A2" and hon["A1"].value == "Source file" and hon["A1"].font.bold


def test_cmt_report_has_a_bar_chart_of_cost_by_directorate_and_prints_on_one_page(run):
    path = run["out"] / "cmt-report.xlsx"
    with zipfile.ZipFile(path) as zf:
        chart = zf.read("xl/charts/chart1.xml").decode()
        assert "<barChart>" in chart and '<barDir val="bar"/>' in chart
        assert "<f>'Summary'!G20</f>" in chart  # series title: the Full-year cost header
        assert "<f>'Summary'!$A$21:$A$22</f>" in chart  # Place, Resources
        assert "<f>'Summary'!$G$21:$G$22</f>" in chart  # their full-year costs
        assert "Full-year cost by directorate" in chart
    ws = openpyxl.load_workbook(path)["Summary"]
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 1)
    # matrix J5:N9 (levels A, B, C and Total), chart J11:N26 (16 rows) in its columns
    assert ws.print_area == "'Summary'!$A$1:$N$26"
    assert ws.oddHeader.center.text == "MedPay Review - cost monitoring report for CMT"
    assert ws.oddFooter.left.text == "Position as of 01 March 2025"
    assert ws.oddFooter.right.text == "Page &P of &N"


@pytest.fixture(scope="module")
def cmt_pdf(run):
    if not soffice():
        pytest.skip("LibreOffice is not installed: run the tests through scripts/test")
    outdir = run["root"] / "pdf"
    outdir.mkdir()
    return convert_with_libreoffice(run["out"] / "cmt-report.xlsx", "pdf", outdir)


@pytest.mark.libreoffice
def test_cmt_report_opens_in_libreoffice_with_summary_on_page_one(cmt_pdf):
    import subprocess

    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(cmt_pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "MedPay Review - cost monitoring report for CMT" in text
    assert "£6,023.02" in text and "£4,517.26" in text
    assert "Resources" in text and "Full-year cost by directorate" in text


# ------------------------------------------------------------------ determinism, cache, lock


def test_same_inputs_give_byte_identical_outputs(run):
    again = run["root"] / "again"
    proc = batch(run["inbox"], again, "--jobs", "1")
    assert proc.returncode == 1, proc.stderr
    first = {k: v for k, v in tree_digest(run["out"]).items() if not k.startswith(".medpay-cache")}
    second = {k: v for k, v in tree_digest(again).items() if not k.startswith(".medpay-cache")}
    assert first == second and len(first) == 5
    with zipfile.ZipFile(again / "cmt-report.xlsx") as zf:
        assert {i.date_time for i in zf.infolist()} == {(2025, 3, 1, 0, 0, 0)}
        core = zf.read("docProps/core.xml").decode()
        assert ">2025-03-01T00:00:00Z</dcterms:created>" in core
        assert ">2025-03-01T00:00:00Z</dcterms:modified>" in core


def test_rerun_after_one_file_is_corrected_redoes_only_that_file(run, tmp_path):
    inbox = tmp_path / "inbox"
    shutil.copytree(run["inbox"], inbox)
    out = tmp_path / "out"
    assert batch(inbox, out).returncode == 1
    first = (out / "feedback" / "sub__team-b.xlsx").read_bytes()
    # the manager moves E001 out of team B's sheet (fixing the duplicate)
    write_estimates(inbox / "sub" / "team-b.xlsx", TEAM_B[:1], title="Finance team estimates")
    proc = batch(inbox, out, "--force")
    assert proc.returncode == 1  # the five bad files are still there
    assert proc.stdout.splitlines()[1].startswith(
        "reused 6 unchanged file(s) from the cache, processed 1;")
    s = json.loads((out / "summary.json").read_text())
    files = {f["file"]: f for f in s["files"]}
    assert files["sub/team-b.xlsx"]["rows"] == 1
    assert files["team-a.xlsx"]["errors"] == 0  # no longer a duplicate
    # E010 2,280.62 + E001 (now team A's) 1,871.20 + E002 0 + E003 1,871.20 = 6,023.02;
    # in-year 1,710.46 + 1,403.40 + 0 + 1,403.40 = 4,517.26
    assert s["costs"] == {"full_year": "6023.02", "in_year": "4517.26"}
    assert (files["team-a.xlsx"]["full_year_cost"], files["sub/team-b.xlsx"]["full_year_cost"]) == (
        "3742.40", "2280.62")  # 1,871.20 x 2; E010
    assert (out / "feedback" / "sub__team-b.xlsx").read_bytes() != first
    wb = openpyxl.load_workbook(out / "feedback" / "team-a.xlsx")
    assert wb["Estimates"]["A2"].comment is None
    # a third run with nothing changed redoes nothing and writes the same bytes
    before = tree_digest(out)
    proc = batch(inbox, out, "--force")
    assert proc.stdout.splitlines()[1].startswith(
        "reused 7 unchanged file(s) from the cache, processed 0;")
    assert tree_digest(out) == before


def test_rerun_leaves_untouched_feedback_copies_alone_and_rewrites_an_edited_one(run, tmp_path):
    """Issue 21: a rerun does not rewrite a feedback copy it wrote last time and nobody
    has touched since (its key, size and modification time are in the cache's
    feedback-index.idx); a copy someone edited is written again, byte for byte."""
    inbox = tmp_path / "inbox"
    shutil.copytree(run["inbox"], inbox)
    out = tmp_path / "out"
    assert batch(inbox, out).returncode == 1
    team_a, team_b = out / "feedback" / "team-a.xlsx", out / "feedback" / "sub__team-b.xlsx"
    good_b = team_b.read_bytes()
    stamp_a = team_a.stat().st_mtime_ns
    team_b.write_bytes(b"edited by hand")
    assert batch(inbox, out, "--force").returncode == 1
    assert team_a.stat().st_mtime_ns == stamp_a  # not rewritten
    assert team_b.read_bytes() == good_b  # rewritten: the batch's copy again
    index = json.loads((out / ".medpay-cache" / "feedback-index.idx").read_text())
    assert sorted(index) == ["sub__team-b.xlsx", "team-a.xlsx"]
    assert index["team-a.xlsx"][1:] == [team_a.stat().st_size, stamp_a]


def test_second_concurrent_run_into_the_same_folder_refuses(run, tmp_path):
    out = tmp_path / "out"
    with FolderLock(out):
        proc = batch(run["inbox"], out)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f"medpay: {out}: another medpay run is writing to this folder (lock file .medpay.lock "
        "exists) (wait for it to finish, or delete .medpay.lock if no run is active)")
    assert not (out / "summary.json").exists()


def test_existing_outputs_are_not_replaced_without_force(run):
    proc = batch(run["inbox"], run["out"])
    assert proc.returncode == 2
    assert "summary.json: output already exists" in proc.stderr
    assert "--force" in proc.stderr


def test_missing_inbox_is_one_clean_error(tmp_path):
    proc = batch(tmp_path / "nope", tmp_path / "out")
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        f"medpay: {tmp_path / 'nope'}: the inbox is not a folder (give the folder that holds "
        "the submitted workbooks)")


# ------------------------------------------------------------------ units


def test_discover_sorts_recursively_and_skips_lock_hidden_and_other_files(tmp_path):
    for name in ("b.xlsx", "a/z.xlsm", "a/old.xls", ".hidden.xlsx", "~$b.xlsx", "readme.txt",
                 "out/x.xlsx", ".git/y.xlsx"):
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")
    found = [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path, exclude=tmp_path / "out")]
    assert found == ["a/old.xls", "a/z.xlsm", "b.xlsx"]


def test_feedback_names_are_unique_and_safe():
    assert feedback_names(["team.xlsx", "team.xlsm", "a/b/CON.xlsx", "x/y:z.xlsx"]) == {
        "team.xlsx": "team (xlsx).xlsx", "team.xlsm": "team (xlsm).xlsx",
        "a/b/CON.xlsx": "a__b__CON.xlsx", "x/y:z.xlsx": "x__y_z.xlsx"}


def test_normalise_fixes_core_timestamps_and_zip_dates_and_keeps_content():
    wb = openpyxl.Workbook()
    wb.active["A1"] = "kept"
    buf = io.BytesIO()
    wb.save(buf)
    when = fixed_moment(dt.date(2024, 2, 29))
    out = normalise_xlsx_bytes(buf.getvalue(), when)
    assert normalise_xlsx_bytes(out, when) == out
    with zipfile.ZipFile(io.BytesIO(out)) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2024, 2, 29, 0, 0, 0)}
        core = zf.read("docProps/core.xml").decode()
    assert core.count("2024-02-29T00:00:00Z") == 2
    assert openpyxl.load_workbook(io.BytesIO(out)).active["A1"].value == "kept"
    assert fixed_moment(dt.date(1970, 1, 1)) == dt.datetime(1980, 1, 1)


def test_decimal_money_survives_into_cells_exactly():
    # Decimal written by openpyxl keeps its pennies (no float noise in the CMT totals)
    wb = openpyxl.Workbook()
    wb.active["A1"] = Decimal("6023.02")
    buf = io.BytesIO()
    wb.save(buf)
    assert openpyxl.load_workbook(buf).active["A1"].value == 6023.02


def test_streamed_rows_keep_formula_like_text_as_text_and_drop_illegal_characters(tmp_path):
    from addin.core.cmt import BatchRow
    from addin.core.model import EstimateRow
    from addin.office.xlsx.batch_report import write_consolidated

    est = EstimateRow("x.xlsx", "Estimates", 7, employee_id="=1+1",
                      employee_name='=HYPERLINK("http://x","click")', team="R&D <North>\x07",
                      current_salary=Decimal("24500.50"))
    out = write_consolidated(tmp_path / "c.xlsx", [BatchRow("x.xlsx", est)], [],
                             as_of=dt.date(2025, 3, 1))
    ws = openpyxl.load_workbook(out)["Rows"]
    assert [ws.cell(2, c).value for c in (1, 2, 3, 4, 6, 12)] == [
        "x.xlsx", 7, "=1+1", '=HYPERLINK("http://x","click")', "R&D <North>", 24500.5]
    assert ws.cell(2, 3).data_type == "s" and ws.cell(2, 4).data_type == "s"
    assert ws.cell(2, 12).number_format == '"£"#,##0.00'
    assert ws.max_row == 2


def test_word_documents_in_the_inbox_are_harvested_and_reported(tmp_path):
    import docx

    inbox = tmp_path / "inbox"
    write_estimates(inbox / "team-a.xlsx", TEAM_A[:1])
    d = docx.Document()
    d.add_paragraph("Dear manager, here are my notes.")
    (inbox / "forms").mkdir()
    d.save(inbox / "forms" / "letter.docx")
    out = tmp_path / "out"
    proc = batch(inbox, out)
    assert proc.returncode == 0, proc.stderr
    s = json.loads((out / "summary.json").read_text())
    assert s["files_read"] == 1  # the .docx is not an estimates submission
    assert s["forms"]["workbook"] == "forms.xlsx" and s["forms"]["forms_read"] == 0
    [entry] = s["forms"]["files"]
    assert entry["file"] == "forms/letter.docx" and entry["status"] == "unreadable"
    assert entry["problems"][0].startswith("FORM-NOT-A-FORM: not a medpay form (")
    assert (out / "forms.xlsx").exists()


def test_batch_harvests_only_word_documents_and_reports_other_files_once(tmp_path):
    """The submissions (.xlsx, .xlsm, and an .xls already listed unreadable) are not
    candidate forms; a PDF or a text file is reported once, in the forms summary; the
    output folder inside the inbox is not harvested."""
    import docx

    inbox = tmp_path / "inbox"
    write_estimates(inbox / "team-a.xlsx", TEAM_A[:1])
    write_estimates(inbox / "forms" / "team-c.xlsm", TEAM_B[:1])
    (inbox / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500)
    (inbox / "forms" / "application.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (inbox / "forms" / "notes.txt").write_text("see attached")
    docx.Document().save(inbox / "forms" / "letter.docx")
    out = inbox / "out"
    proc = batch(inbox, out)
    assert proc.returncode == 1, proc.stderr  # old.xls is unreadable
    s = json.loads((out / "summary.json").read_text())
    assert [f["file"] for f in s["files"]] == ["forms/team-c.xlsm", "old.xls", "team-a.xlsx"]
    forms = {f["file"]: f for f in s["forms"]["files"]}
    assert sorted(forms) == ["forms/application.pdf", "forms/letter.docx", "forms/notes.txt"]
    assert forms["forms/application.pdf"]["problems"] == [
        "FORM-NOT-A-DOCUMENT: not a form; skipped (a PDF: return the Word form (.docx) "
        "instead, a PDF cannot be read back)"]
    assert forms["forms/notes.txt"]["problems"][0].startswith("FORM-NOT-A-DOCUMENT: ")
    # a rerun (the output folder now full of workbooks, inside the inbox) says the same
    again = batch(inbox, out, "--force")
    assert again.returncode == 1, again.stderr
    assert json.loads((out / "summary.json").read_text())["forms"] == s["forms"]
    # medpay harvest on the same folder still reports the workbooks as not forms
    from addin.office.docx.harvest import harvest

    reported = {f.file for f in harvest(inbox).findings if f.code == "FORM-NOT-A-DOCUMENT"}
    assert {"team-a.xlsx", "forms/team-c.xlsm", "old.xls", "out/summary.json"} <= reported


def test_a_pdf_alone_is_reported_but_other_stray_files_make_no_forms_workbook(tmp_path):
    inbox = tmp_path / "inbox"
    write_estimates(inbox / "team-a.xlsx", TEAM_A[:1])
    (inbox / "readme.txt").write_text("hello")
    out = tmp_path / "out"
    assert batch(inbox, out).returncode == 0
    assert "forms" not in json.loads((out / "summary.json").read_text())
    assert not (out / "forms.xlsx").exists()
    (inbox / "form.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert batch(inbox, out, "--force").returncode == 0
    forms = json.loads((out / "summary.json").read_text())["forms"]
    assert [f["file"] for f in forms["files"]] == ["form.pdf", "readme.txt"]
    assert forms["forms_read"] == 0 and (out / "forms.xlsx").exists()


def test_progress_is_a_bar_on_a_terminal_and_log_lines_otherwise():
    from addin.batch.run import Progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    plain = io.StringIO()
    p = Progress(2, "reading", plain)
    p.step("a.xlsx: 3 rows, 0 error(s)")
    p.step("b.xlsx: 1 rows, 1 error(s)")
    p.close()
    assert plain.getvalue().splitlines() == [
        "medpay batch: reading 1/2 a.xlsx: 3 rows, 0 error(s)",
        "medpay batch: reading 2/2 b.xlsx: 1 rows, 1 error(s)"]
    tty = Tty()
    p = Progress(2, "reading", tty)
    p.step("a")
    p.step("b")
    p.close()
    assert "reading: 100%" in tty.getvalue() and "2/2" in tty.getvalue()
    assert "medpay batch:" not in tty.getvalue()


def test_batch_uses_one_process_per_core_unless_told(tmp_path):
    # no configuration gives the fastest run; --jobs 1 keeps it in one process
    import os

    from addin.commands import build_parser

    parse = build_parser().parse_args
    assert parse(["batch", str(tmp_path), "--out", str(tmp_path / "out")]).jobs == (os.cpu_count() or 1)
    assert parse(["batch", str(tmp_path), "--out", str(tmp_path / "out"), "--jobs", "1"]).jobs == 1
    assert "default 0: one per core" in " ".join(run_cli("batch", "--help").stdout.split())


# ------------------------------------------------------------------ the shipped sample workbooks
#
# Issue 17: the estimates are the initial assessment of every employee (Appendix K stage 8),
# so CMT's totals cost every row that can be costed, whatever its eligibility. Hand-worked
# on workbooks/samples (range 2 A 23,656 B 24,404 C 25,152; range 3 A 25,584 B 26,967 C
# 28,349; range 4 A 29,093 B 31,200 C 33,366; on-costs as above; effective 1 July 2025,
# in-year = 9/12):
#
# childrens-services-admin.xlsx
#   row 2 104518 3B 26,967 -> 3C 28,349, FTE 1: increase 1,382; NI 207.30; pension
#         273.636; levy 6.91; full 1,869.846 -> 1,869.85; in-year 1,402.3845 -> 1,402.38
#   row 3 107010 no current salary: not costable
#   row 4 107155 4A 29,093 -> 4B 31,200, FTE 1: increase 2,107; NI 316.05; pension
#         417.186; levy 10.535; full 2,850.771 -> 2,850.77; in-year 2,138.078 -> 2,138.08
#   row 5 107203 2B -> 2B, FTE 0.5: no change, 0
#   total 4,720.62 / 3,540.46
# finance-business-support.xlsx
#   row 2 104233 3A -> 3B, FTE 1: 1,871.20 / 1,403.40 (E001 above)
#   row 3 104518 again (2B 24,404 -> 2C, FTE 0.5: (748 x 0.5 = 374) x 1.353 = 506.02):
#         costed from childrens-services-admin.xlsx row 2 instead (first in path order)
#   row 4 105002 3B -> 3B: no change; row 5 105377 2A -> 2A (casual, may not apply): no change
#   row 6 103981 4B 31,200 -> 4C 33,366, FTE 1: increase 2,166; NI 324.90; pension
#         428.868; levy 10.83; full 2,930.598 -> 2,930.60; in-year 2,197.9485 -> 2,197.95
#   counted 1,871.20 + 2,930.60 = 4,801.80 / 1,403.40 + 2,197.95 = 3,601.35
# regeneration-business-support.xlsx
#   row 2 106114 (job title misspelt: may not apply) 3B -> 3C: 1,869.85 / 1,402.38
#   row 3 106290 3C 28,349 -> 3B 26,967: honoured, 0
#   row 4 106455 (in probation: may not apply) 2A 23,656 -> 2B 24,404: increase 748; NI
#         112.20; pension 148.104; levy 3.74; full 1,012.044 -> 1,012.04; in-year 759.03
#   row 5 106502 (capability: may not apply) 3A -> 3B: 1,871.20 / 1,403.40
#   total 4,753.09 / 3,564.81
# CMT: 4,720.62 + 4,801.80 + 4,753.09 = 14,275.51; in-year 3,540.46 + 3,601.35 + 3,564.81 =
# 10,706.62. 13 rows - 1 duplicate = 12 employees = 7 pay rises (104518, 107155, 104233,
# 103981, 106114, 106455, 106502) + 3 no change (107203, 105002, 105377) + 1 honoured
# (106290) + 1 not costable (107010). May apply to progress: 104518, 107155, 107203,
# 104233, 105002, 103981, 106290 = 7.

SAMPLES = Path(__file__).resolve().parent.parent / "workbooks" / "samples"
SAMPLE_FILES = ("childrens-services-admin.xlsx", "finance-business-support.xlsx",
                "regeneration-business-support.xlsx")


@pytest.fixture(scope="module")
def samples_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("samples")
    inbox = root / "inbox"
    inbox.mkdir()
    for name in SAMPLE_FILES:
        shutil.copyfile(SAMPLES / name, inbox / name)
    out = root / "out"
    proc = batch(inbox, out)
    assert proc.returncode == 1, proc.stderr  # the duplicate and the blank salary are errors
    return {"out": out, "summary": json.loads((out / "summary.json").read_text(encoding="utf-8"))}


def test_cmt_front_sheet_key_figures_on_the_samples_cost_every_costable_employee_once(samples_run):
    ws = openpyxl.load_workbook(samples_run["out"] / "cmt-report.xlsx")["Summary"]
    figures = [(ws.cell(r, 1).value, ws.cell(r, 4).value) for r in range(5, 20)]
    assert figures == [
        ("Submissions received", 3), ("Submissions that could not be read", 0),
        ("Employee rows received", 13),
        ("Rows whose employee ID is in another submission (flagged)", 2),
        ("Duplicate rows not costed again (sheet Duplicate employees)", 1),
        ("Employees in the Review", 12),
        ("Pay rises (pay point above current salary)", 7),
        ("No change (pay point equals current salary)", 3),
        ("Salaries honoured (pay point below current salary; no cost)", 1),
        ("Not costable (a cell the cost needs is blank or invalid)", 1),
        ("May apply to progress at the next window (7.22, 7.28)", 7),
        ("Full-year cost (pay + employer on-costs)", 14275.51),
        ("In-year cost (effective date to 31 March)", 10706.62),
        ("Not costable: no current salary", 1),
        (None, None),
    ]
    assert ws["D16"].number_format == MONEY_FORMAT
    s = samples_run["summary"]
    assert s["costs"] == {"full_year": "14275.51", "in_year": "10706.62"}
    assert {k: s[k] for k in ("rows", "employees", "pay_rises", "no_change", "honoured",
                              "not_costable", "not_costable_reasons", "may_apply_to_progress",
                              "duplicate_id_rows", "duplicate_rows_not_costed_again")} == {
        "rows": 13, "employees": 12, "pay_rises": 7, "no_change": 3, "honoured": 1,
        "not_costable": 1, "not_costable_reasons": {"no current salary": 1},
        "may_apply_to_progress": 7, "duplicate_id_rows": 2, "duplicate_rows_not_costed_again": 1}
    # the files' costs add up to the total: 4,720.62 + 4,801.80 + 4,753.09
    assert [(f["file"], f["full_year_cost"], f["not_costable"]) for f in s["files"]] == [
        ("childrens-services-admin.xlsx", "4720.62", 1),
        ("finance-business-support.xlsx", "4801.80", 0),
        ("regeneration-business-support.xlsx", "4753.09", 0)]


def test_consolidated_cmt_total_is_the_sum_of_every_costable_row_each_employee_once(samples_run):
    ws = openpyxl.load_workbook(samples_run["out"] / "consolidated.xlsx")["Rows"]
    col = {c.value: c.column for c in ws[1]}

    def cell(r, h):
        return ws.cell(r, col[h]).value

    rows = range(2, ws.max_row + 1)
    assert len(rows) == 13
    left_out = {(cell(r, "Source file"), cell(r, "Source row")): (
        cell(r, "Not costable because"), cell(r, "Employee costed from"))
        for r in rows if cell(r, "In CMT totals") == "No"}
    assert left_out == {
        ("childrens-services-admin.xlsx", 3): ("no current salary", None),
        ("finance-business-support.xlsx", 3): (None, "childrens-services-admin.xlsx row 2")}
    counted = [Decimal(str(cell(r, "Full-year cost"))) for r in rows if cell(r, "In CMT totals") == "Yes"]
    assert sum(counted) == Decimal("14275.51") and len(counted) == 11
    files = openpyxl.load_workbook(samples_run["out"] / "consolidated.xlsx")["Files"]
    header = [c.value for c in files[1]]
    assert header[:10] == ["File", "Status", "Reason", "Rows", "Errors", "Warnings",
                           "May apply to progress", "Not costable", "Full-year cost",
                           "In-year cost"]
    # the Files sheet's total row is CMT's total: 4,720.62 + 4,801.80 + 4,753.09
    assert [files.cell(5, c).value for c in (1, 4, 7, 8, 9, 10)] == [
        "Total (CMT)", 13, 7, 1, 14275.51, 10706.62]
    # rows that may not apply to progress are costed all the same (106114, 106455, 106502)
    regen = {cell(r, "Employee ID"): (cell(r, "May apply to progress"), cell(r, "In CMT totals"),
                                       cell(r, "Full-year cost"))
             for r in rows if cell(r, "Source file") == "regeneration-business-support.xlsx"}
    assert regen == {"106114": ("No", "Yes", 1869.85), "106290": ("Yes", "Yes", 0),
                     "106455": ("No", "Yes", 1012.04), "106502": ("No", "Yes", 1871.2)}


def test_duplicate_employee_across_samples_is_costed_once_and_the_report_names_the_row(samples_run):
    wb = openpyxl.load_workbook(samples_run["out"] / "cmt-report.xlsx")
    dup = wb["Duplicate employees"]
    assert [c.value for c in dup[2]][:4] == [
        "104518", "childrens-services-admin.xlsx", 2, "finance-business-support.xlsx row 3"]
    assert dup.max_row == 2
    emp = samples_run["summary"]["duplicate_employees"]["employees"]
    assert emp == [{"employee_id": "104518",
                    "costed": {"file": "childrens-services-admin.xlsx", "row": 2},
                    "not_costed_again": [{"file": "finance-business-support.xlsx", "row": 3}]}]
    # by directorate: each employee once; Children and Adults Services 4 rows (1 not costable)
    table = {wb["By directorate"].cell(r, 1).value: [wb["By directorate"].cell(r, c).value
                                                      for c in range(2, 9)]
             for r in range(2, 6)}
    assert table == {
        "Children and Adults Services": [4, 2, 0, 1, 3, 4720.62, 3540.46],
        "Finance and Business Improvement": [4, 2, 0, 0, 3, 4801.8, 3601.35],
        "Regeneration, Culture and Environment": [4, 3, 1, 0, 1, 4753.09, 3564.81],
        "Total": [12, 7, 1, 1, 7, 14275.51, 10706.62]}


def test_cmt_total_for_one_workbook_equals_medpay_cost_total(tmp_path):
    # childrens-services-admin.xlsx alone: 1,869.85 + 2,850.77 + 0 = 4,720.62;
    # in-year 1,402.38 + 2,138.08 = 3,540.46; row 3 (no salary) not costed by either
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copyfile(SAMPLES / SAMPLE_FILES[0], inbox / SAMPLE_FILES[0])
    out = tmp_path / "out"
    assert batch(inbox, out).returncode == 1
    proc = run_cli("cost", inbox / SAMPLE_FILES[0], "--framework", BES_FRAMEWORK,
                   "--pay-ranges", PAY_RANGES, "--as-of", AS_OF, "--json")
    assert proc.returncode == 0, proc.stderr
    cost = json.loads(proc.stdout)
    overall = cost["totals"]["overall"]
    assert (overall["full_year_cost"], overall["in_year_cost"]) == ("4720.62", "3540.46")
    assert [n["row"] for n in cost["not_costed"]] == [3]
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert s["costs"] == {"full_year": overall["full_year_cost"], "in_year": overall["in_year_cost"]}
    assert (s["pay_rises"], s["no_change"], s["honoured"], s["not_costable"]) == (
        overall["increases"], overall["no_change"], overall["honoured"], 1) == (2, 1, 0, 1)
    ws = openpyxl.load_workbook(out / "cmt-report.xlsx")["Summary"]
    assert (ws["A16"].value, ws["D16"].value, ws["D17"].value) == (
        "Full-year cost (pay + employer on-costs)", 4720.62, 3540.46)


def test_duplicate_is_costed_from_the_first_submission_that_can_cost_it(tmp_path):
    # a.xlsx holds E001 without a salary; b.xlsx holds E001 costable (3A -> 3B, 1,871.20):
    # the row costed is b.xlsx row 2, so E001 costs 1,871.20 once and is not "not costable"
    inbox = tmp_path / "inbox"
    blank = person("E001", "Alice Smith", "Place", "Planning", "Personal Assistant", 3, None, 1,
                   "A", "B")
    write_estimates(inbox / "a.xlsx", [blank])
    write_estimates(inbox / "b.xlsx", [TEAM_A[0]])
    out = tmp_path / "out"
    assert batch(inbox, out).returncode == 1
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert s["costs"] == {"full_year": "1871.20", "in_year": "1403.40"}
    assert (s["employees"], s["pay_rises"], s["not_costable"]) == (1, 1, 0)
    assert s["duplicate_employees"]["employees"] == [
        {"employee_id": "E001", "costed": {"file": "b.xlsx", "row": 2},
         "not_costed_again": [{"file": "a.xlsx", "row": 2}]}]
