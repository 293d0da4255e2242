"""Ribbon button logic on real workbooks: the same function the button calls, openpyxl
in, openpyxl out (apply_to_workbook writes the sheet the Excel wrapper would add), and the
shared xlwings sheet writer against a recording fake book."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from addin.core.estimates_table import HEADERS
from addin.excel import buttons
from addin.excel.xlsheet import hyperlink_formula, write_sheet
from tests.conftest import BES_FRAMEWORK, PAY_RANGES, run_cli
from tests.test_excel_udfs import write_pay_ranges

ROWS = [
    # Personal Assistant, range 3 (20000/21000/22000 in the test pay ranges)
    {"employee_id": "E1", "employee_name": "Asha", "directorate": "Corporate", "team": "BS",
     "job_title": "Personal Assistant", "framework": "Business and Executive Support", "range": 3,
     "current_salary": 20000, "fte": 1, "contract_type": "Permanent",
     "start_date": dt.date(2019, 4, 1), "probation_passed": "Yes", "capability": "No",
     "appraisal_outcome": "Met", "date_at_level": dt.date(2021, 4, 1), "current_level": "A",
     "estimated_level": "C"},
    {"employee_id": "E2", "employee_name": "Ben", "directorate": "Adults", "team": "ES",
     "job_title": "Personal Assistant", "framework": "Business and Executive Support", "range": 3,
     "current_salary": 20000, "fte": 0.5, "contract_type": "Permanent",
     "start_date": dt.date(2019, 4, 1), "probation_passed": "Yes", "capability": "No",
     "appraisal_outcome": "Met", "date_at_level": dt.date(2021, 4, 1), "current_level": "A",
     "estimated_level": "C"},
    {"employee_id": "E3", "employee_name": "Cal", "directorate": "Adults", "team": "ES",
     "job_title": "Personal Assistant", "framework": "Business and Executive Support", "range": 3,
     "current_salary": None, "fte": 1, "contract_type": "Permanent",
     "start_date": dt.date(2019, 4, 1), "probation_passed": "Yes", "capability": "No",
     "appraisal_outcome": "Met", "date_at_level": dt.date(2021, 4, 1), "current_level": "A",
     "estimated_level": "B"},
]


@pytest.fixture
def pay_file(tmp_path, monkeypatch) -> Path:
    path = write_pay_ranges(tmp_path / "pay.xlsx")
    monkeypatch.setenv("MEDPAY_PAY_RANGES", str(path))
    return path


@pytest.fixture
def estimates(tmp_path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Estimates"
    fields = list(HEADERS)
    ws.append([HEADERS[f] for f in fields])
    for row in ROWS:
        ws.append([row.get(f) for f in fields])
    path = tmp_path / "Team estimates.xlsx"
    wb.save(path)
    return path


def test_cost_estimates_sheet_rows_and_totals_worked_by_hand(pay_file, estimates):
    result = buttons.cost_estimates(estimates, frameworks=[BES_FRAMEWORK], as_of=dt.date(2024, 5, 1))
    sheet = result.sheet
    assert sheet.title == "Costs"
    head = sheet.header
    full, in_year = head.index("Full-year cost"), head.index("In-year cost")
    # E1: 20000 -> 22000 full time: 2000 + NI 276 + pension 400 + levy 10 = 2686.00;
    # effective 1 July 2024, 9 months in the year = 2014.50
    assert sheet.rows[0][1] == "E1"
    assert sheet.rows[0][full] == Decimal("2686.00")
    assert sheet.rows[0][in_year] == Decimal("2014.50")
    assert sheet.rows[0][head.index("Effective date")] == dt.date(2024, 7, 1)
    # E2 half time: 1000 + 138 + 200 + 5 = 1343.00; 9/12 = 1007.25
    assert sheet.rows[1][full] == Decimal("1343.00")
    assert sheet.rows[1][in_year] == Decimal("1007.25")
    total = next(r for r in sheet.rows if r[1] == "Total")
    assert total[full] == Decimal("4029.00") and total[in_year] == Decimal("3021.75")
    assert next(r for r in sheet.rows if r[1] == "Directorate: Adults")[full] == Decimal("1343.00")
    assert sheet.rows[-1][1] == ("Not costed (missing salary, FTE, range or estimated level; "
                                 "run Validate estimates): rows 4")
    assert sheet.links[(0, 0)] == "'Estimates'!A2"
    assert result.summary == ("Costed 2 employees: full-year cost £4,029.00, in-year cost "
                              "£3,021.75. 1 row not costed (see the Costs sheet).")


def test_cost_estimates_written_into_the_workbook(pay_file, estimates, tmp_path):
    result = buttons.cost_estimates(estimates, frameworks=[BES_FRAMEWORK], as_of=dt.date(2024, 5, 1))
    wb = load_workbook(estimates)
    buttons.apply_to_workbook(wb, result)
    out = tmp_path / "out.xlsx"
    wb.save(out)
    ws = load_workbook(out)["Costs"]
    assert ws["A1"].value == "Row" and ws["R1"].value == "Full-year cost"
    assert ws["B2"].value == "E1" and ws["R2"].value == 2686.0 and ws["S2"].value == 2014.5
    assert ws["R2"].number_format == "#,##0.00"
    assert ws["A2"].hyperlink.location == "'Estimates'!A2"
    assert load_workbook(out).sheetnames == ["Estimates", "Costs"]


def test_validate_estimates_findings_sheet_links_to_the_cell(pay_file, estimates, tmp_path):
    result = buttons.validate_estimates(estimates, frameworks=[BES_FRAMEWORK], as_of=dt.date(2024, 5, 1))
    assert [(r[0], r[1], r[3]) for r in result.sheet.rows] == [
        ("warning", "EST-LEVEL-JUMP", "Q2"), ("warning", "EST-LEVEL-JUMP", "Q3"),
        ("error", "EST-MISSING", "H4")]
    i = next(i for i, r in enumerate(result.sheet.rows) if r[3] == "H4")
    assert result.sheet.links[(i, 3)] == "'Estimates'!H4"
    assert result.ok is False
    # 0 of 3: E1 and E2 jump A -> C without the 18 months at 3B the 3C text asks for;
    # E3 has an error at H4
    assert result.summary == ("Level estimates: 1 error, 2 warnings. See the Findings sheet; each "
                              "cell reference links to the cell. 0 of 3 employees may apply to "
                              "progress at the next window.")
    wb = load_workbook(estimates)
    buttons.apply_to_workbook(wb, result)
    wb.save(tmp_path / "v.xlsx")
    ws = load_workbook(tmp_path / "v.xlsx")["Findings"]
    assert [c.value for c in ws[1]] == ["Severity", "Code", "Sheet", "Cell", "Message"]
    cell = next(c for c in ws["D"] if c.value == "H4")
    assert cell.hyperlink.location == "'Estimates'!H4"


def test_validate_framework_on_the_shipped_framework():
    result = buttons.validate_framework(BES_FRAMEWORK)
    from addin.app.validate import validate_framework

    report = validate_framework(BES_FRAMEWORK)
    assert len(result.sheet.rows) == len(report.findings)
    assert result.summary == (f"Framework: {report.errors} errors, {report.warnings} warnings. "
                              "See the Findings sheet; each cell reference links to the cell.")


def test_output_folder_is_next_to_the_workbook(tmp_path):
    assert buttons.output_folder(tmp_path / "Team estimates.xlsx", "application forms") == (
        tmp_path / "Team estimates - application forms")


def test_every_button_has_a_label_and_a_desktop_wrapper():
    from addin.excel import xlwings_buttons

    assert set(buttons.BUTTONS) == set(buttons.LABELS)
    for name in buttons.BUTTONS:
        assert callable(getattr(xlwings_buttons, name))


# --------------------------------------------------------------------------- xlwings writer


class FakeRange:
    def __init__(self, book, sheet, a, b=None):
        self.book, self.sheet, self.a, self.b = book, sheet, a, b or a
        self.font = type("F", (), {})()

    def _set(self, attr, value):
        self.book.log.append((self.sheet, attr, self.a, self.b, value))

    def __setattr__(self, k, v):
        if k in ("value", "formula", "number_format", "column_width"):
            self._set(k, v)
        object.__setattr__(self, k, v)


class FakeSheet:
    def __init__(self, book, name):
        self.book, self.name = book, name

    def range(self, a, b=None):
        return FakeRange(self.book, self.name, a, b)

    def delete(self):
        self.book._sheets.remove(self)

    def activate(self):
        self.book.log.append((self.name, "activate"))


class FakeSheets:
    def __init__(self, book):
        self.book = book

    def __iter__(self):
        return iter(self.book._sheets)

    def __len__(self):
        return len(self.book._sheets)

    def __getitem__(self, key):
        if isinstance(key, int):
            return self.book._sheets[key]
        return next(s for s in self.book._sheets if s.name == key)

    def add(self, name, after=None):
        s = FakeSheet(self.book, name)
        self.book._sheets.append(s)
        return s


class FakeBook:
    def __init__(self, *names):
        self.log = []
        self._sheets = [FakeSheet(self, n) for n in names]
        self.sheets = FakeSheets(self)


def test_write_sheet_replaces_the_sheet_and_links_with_hyperlink_formulas():
    out = buttons.SheetOutput(
        title="Findings", header=["Severity", "Cell", "Message"],
        rows=[["error", "H4", "=cmd|' /C calc'!A0"], ["warning", "B2", Decimal("1.50")]],
        links={(0, 1): "'Estimates'!H4"}, money_columns={2})
    book = FakeBook("Estimates", "Findings")
    write_sheet(book, out)
    assert [s.name for s in book.sheets] == ["Estimates", "Findings"]
    values = next(e for e in book.log if e[1] == "value")
    assert values[4] == [["Severity", "Cell", "Message"],
                         ["error", "H4", "'=cmd|' /C calc'!A0"],  # formula text stays text
                         ["warning", "B2", 1.5]]
    assert ("Findings", "formula", (2, 2), (2, 2), '=HYPERLINK("#\'Estimates\'!H4","H4")') in book.log
    assert hyperlink_formula("'My \"x\"'!A1", "A1") == '=HYPERLINK("#\'My ""x""\'!A1","A1")'


# --------------------------------------------------------------------------- one code path
# Each button runs the library function its CLI command runs: the tests below put the
# button's sheet into a real workbook (openpyxl in, openpyxl out) and check the exact cells
# or files, and compare them with what the command gives for the same input.


def _saved_sheet(result, source: Path, out: Path, title: str):
    wb = load_workbook(source)
    buttons.apply_to_workbook(wb, result)
    wb.save(out)
    return load_workbook(out)[title]


def test_validate_framework_button_writes_each_finding_at_its_cell_as_the_command_reports(tmp_path):
    from tests.test_framework_checks import write_framework

    fw = write_framework(tmp_path / "Framework.xlsx", {"F4": None})  # Knowledge, level B, empty
    result = buttons.validate_framework(fw)
    assert result.ok is False
    assert result.summary == ("Framework: 1 error, 0 warnings. See the Findings sheet; each "
                              "cell reference links to the cell.")
    ws = _saved_sheet(result, fw, tmp_path / "out.xlsx", "Findings")
    assert [c.value for c in ws[2]] == [
        "error", "FW-EMPTY-CRITERION", "CPF", "F4",
        "Knowledge at level B of 'Administrator (Range 3)' is empty; write what is required "
        "in addition to level A, or 'None in addition to level A'"]
    assert ws["D2"].hyperlink.location == "'CPF'!F4"
    assert ws.max_row == 2
    proc = run_cli("validate-framework", fw, "--json")
    assert proc.returncode == 1
    cli = [(f["code"], f["cell"], f["message"]) for f in json.loads(proc.stdout)["findings"]]
    assert cli == [(ws["B2"].value, ws["D2"].value, ws["E2"].value)]


def test_validate_estimates_button_finds_what_the_command_finds(pay_file, estimates):
    result = buttons.validate_estimates(estimates, frameworks=[BES_FRAMEWORK], as_of=dt.date(2024, 5, 1))
    proc = run_cli("validate-estimates", estimates, "--framework", BES_FRAMEWORK,
                   "--pay-ranges", pay_file, "--as-of", "2024-05-01", "--json")
    assert proc.returncode == 1, proc.stderr
    cli = sorted((f["code"], f["cell"], f["message"]) for f in json.loads(proc.stdout)["findings"])
    assert sorted((r[1], r[3], r[4]) for r in result.sheet.rows) == cli


def test_cost_button_and_command_give_the_same_costs_and_not_costed_reason(pay_file, estimates, tmp_path):
    result = buttons.cost_estimates(estimates, frameworks=[BES_FRAMEWORK], as_of=dt.date(2024, 5, 1))
    proc = run_cli("cost", estimates, "--framework", BES_FRAMEWORK, "--pay-ranges", pay_file,
                   "--as-of", "2024-05-01", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    # E1 2686.00 + E2 1343.00 (worked in test_cost_estimates_sheet_rows_and_totals_worked_by_hand)
    assert data["totals"]["overall"]["full_year_cost"] == "4029.00"
    assert data["not_costed"] == [{"row": 4, "employee_id": "E3", "reason": "no current salary"}]
    ws = _saved_sheet(result, estimates, tmp_path / "c.xlsx", "Costs")
    total = next(r for r in ws.iter_rows(min_row=2) if r[1].value == "Total")
    assert total[17].value == 4029.0 and total[18].value == 3021.75
    assert total[1].font.b is True
    assert [c.value for c in next(ws.iter_rows(min_row=2, max_row=2))][:3] == [2, "E1", "Asha"]


def test_cost_rows_reasons_for_every_row_costing_cannot_use():
    from addin.core.costing import NotCosted, cost_rows
    from addin.core.model import EstimateRow, Level
    from tests.rules_fixtures import PAY

    def row(n, **kw):
        base = dict(file="f.xlsx", sheet="Estimates", row=n, employee_id=f"E{n}",
                    current_salary=Decimal("25584"), fte=Decimal("1"), range=3,
                    estimated_level=Level.B)
        base.update(kw)
        return EstimateRow(**base)

    run = cost_rows([row(2), row(3, current_salary=None, estimated_level=None), row(4, range=9),
                     row(5, fte=Decimal("1.5")), row(6, current_salary=Decimal("-1"))],
                    PAY, dt.date(2024, 5, 1))
    assert [r.employee_id for r in run.rows] == ["E2"]
    # 3B = 26967: increase 1383 (hand-worked: 26967 - 25584)
    assert run.rows[0].annual_increase == Decimal("1383.00")
    assert run.not_costed == [
        NotCosted(3, "E3", "no current salary, estimated level"),
        NotCosted(4, "E4", "range 9 is not in the pay-ranges workbook"),
        NotCosted(5, "E5", "FTE 1.5 is not more than 0 and at most 1"),
        NotCosted(6, "E6", "current salary -1 is negative"),
    ]
    assert run.totals.overall.rows == 1


# --------------------------------------------------------------------------- forms buttons


@pytest.fixture
def shipped_pay(monkeypatch) -> Path:
    """The add-in's pay-ranges setting pointing at the shipped workbook (what the CLI
    reads by default), so button and command read the same file."""
    monkeypatch.setenv("MEDPAY_PAY_RANGES", str(PAY_RANGES))
    return PAY_RANGES


@pytest.fixture
def forms_estimates(tmp_path) -> Path:
    from tests.test_forms import estimates_workbook

    return estimates_workbook(tmp_path / "Team estimates.xlsx")


def _documents(folder: Path) -> dict[str, tuple[dict, str, str]]:
    """Each .docx of a folder: its answer fields, its form type and the hash of its text
    outside the fields (what a person sees)."""
    from addin.office.docx.harvest import read_form

    out = {}
    for p in sorted(folder.glob("*.docx")):
        doc = read_form(p)
        out[p.name] = (doc.values(), doc.form_type, doc.text_hash)
    return out


@pytest.mark.parametrize("kind, names", [
    ("application", ["E1 Seán O'Brien & _Sons_ application.docx"]),
    ("appraisal", ["E1 Seán O'Brien & _Sons_ appraisal.docx", "E2 Zoë Ålund appraisal.docx",
                   "E3 CON appraisal.docx"]),
])
def test_generate_forms_button_writes_the_same_documents_as_the_command(
        kind, names, shipped_pay, forms_estimates, tmp_path):
    button = buttons.BUTTONS[f"generate_{kind}_forms"]
    result = button(forms_estimates, frameworks=[BES_FRAMEWORK], as_of=dt.date(2025, 3, 3))
    folder = tmp_path / f"Team estimates - {kind} forms"  # next to the workbook
    assert result.folder == folder
    assert result.files == [folder / n for n in names]
    assert sorted(p.name for p in folder.iterdir()) == sorted([*names, f"index-{kind}.xlsx"])
    skipped = 3 - len(names)
    assert result.summary == (
        f"Generate {kind} forms: wrote {len(names)} document{'s' if len(names) > 1 else ''} "
        f"to {folder}" + (f"; {skipped} employees skipped (see index-{kind}.xlsx)." if skipped else "."))
    if skipped:  # the index the message names is the one in the folder
        named = result.summary.rsplit("(see ", 1)[1].split(")")[0]
        assert (folder / named).is_file()
    cli_out = tmp_path / "cli"
    proc = run_cli("forms", kind, "--estimates", forms_estimates, "--framework", BES_FRAMEWORK,
                   "--pay-ranges", shipped_pay, "--as-of", "2025-03-03", "--out", cli_out)
    assert proc.returncode == 0, proc.stderr
    assert _documents(folder) == _documents(cli_out)
    index = [[c.value for c in r] for r in load_workbook(folder / f"index-{kind}.xlsx").active.iter_rows()]
    assert index == [[c.value for c in r] for r in load_workbook(cli_out / f"index-{kind}.xlsx").active.iter_rows()]
    assert [r[4] for r in index[1:]] == (["made", "skipped", "skipped"] if kind == "application"
                                         else ["made", "made", "made"])


def test_a_second_click_on_generate_forms_writes_a_new_folder_and_overwrites_nothing(
        shipped_pay, forms_estimates):
    first = buttons.generate_appraisal_forms(forms_estimates, frameworks=[BES_FRAMEWORK],
                                             as_of=dt.date(2025, 3, 3))
    base = forms_estimates.parent / "Team estimates - appraisal forms"
    assert first.folder == base and "already exists" not in first.summary
    before = {p.name: p.read_bytes() for p in base.iterdir()}
    (base / first.files[0].name).write_bytes(b"the manager's edits")  # must survive
    second = buttons.generate_appraisal_forms(forms_estimates, frameworks=[BES_FRAMEWORK],
                                              as_of=dt.date(2025, 3, 3))
    third = buttons.generate_appraisal_forms(forms_estimates, frameworks=[BES_FRAMEWORK],
                                             as_of=dt.date(2025, 3, 3))
    assert second.folder == base.with_name("Team estimates - appraisal forms (2)")
    assert third.folder == base.with_name("Team estimates - appraisal forms (3)")
    assert [f.name for f in second.files] == [f.name for f in first.files] and len(third.files) == 3
    assert (base / first.files[0].name).read_bytes() == b"the manager's edits"
    assert sorted(p.name for p in base.iterdir()) == sorted(before)
    assert second.summary.endswith(
        "Team estimates - appraisal forms already exists (an earlier run), so these went to a new "
        "folder, Team estimates - appraisal forms (2); nothing was overwritten.")
    assert str(second.folder) in second.summary  # the message box says where they went
    for result in (first, second, third):
        assert "--" not in result.summary


def test_generate_forms_into_a_named_existing_folder_still_refuses_to_overwrite(shipped_pay, forms_estimates,
                                                                               tmp_path):
    from addin.core.errors import OutputError

    out = tmp_path / "named"
    buttons.generate_appraisal_forms(forms_estimates, frameworks=[BES_FRAMEWORK], as_of=dt.date(2025, 3, 3),
                                     out_dir=out)
    with pytest.raises(OutputError, match="already exists"):
        buttons.generate_appraisal_forms(forms_estimates, frameworks=[BES_FRAMEWORK],
                                         as_of=dt.date(2025, 3, 3), out_dir=out)
    again = buttons.generate_appraisal_forms(forms_estimates, frameworks=[BES_FRAMEWORK],
                                             as_of=dt.date(2025, 3, 3), out_dir=out, force=True)
    assert len(again.files) == 3


def test_fresh_output_folder_skips_every_existing_name(tmp_path):
    book = tmp_path / "Team.xlsx"
    assert buttons.fresh_output_folder(book, "application forms") == tmp_path / "Team - application forms"
    (tmp_path / "Team - application forms").mkdir()
    (tmp_path / "Team - application forms (2)").write_text("a file, not a folder")
    assert buttons.fresh_output_folder(book, "application forms") == tmp_path / "Team - application forms (3)"


def test_harvest_button_lists_filled_forms_and_problems_as_the_command_does(
        shipped_pay, forms_estimates, tmp_path):
    from docx import Document

    from addin.office.docx import controls as dc

    made = buttons.generate_application_forms(forms_estimates, frameworks=[BES_FRAMEWORK],
                                              as_of=dt.date(2025, 3, 3))
    [form] = made.files
    typed = {"evidence_skills": "Ran the rota\nfor Łódź team", "manager_supports": "Yes",
             "previous_request_date": dt.date(2024, 6, 1)}
    form.write_bytes(dc.fill_controls(form.read_bytes(), typed))
    Document().save(made.folder / "notes.docx")  # a Word file that is not a form
    result = buttons.harvest_forms(forms_estimates)
    assert result.folder == made.folder
    assert result.ok is True  # a non-form is a warning, not an error
    assert result.summary == (f"Harvest forms: read 1 form from {made.folder}. 1 problem found "
                              "(listed below the forms).")
    ws = _saved_sheet(result, forms_estimates, tmp_path / "h.xlsx", "Harvested forms")
    header = [c.value for c in ws[1]]
    assert header[:4] == ["File", "Form type", "Template version", "Problems"]
    got = {h: ws.cell(2, i + 1).value for i, h in enumerate(header)}
    assert got["File"] == form.name and got["Form type"] == "application" and got["Problems"] is None
    assert got["evidence_skills"] == "Ran the rota\nfor Łódź team"
    assert got["manager_supports"] == "Yes"
    assert got["employee_id"] == "E1"  # pre-filled from the estimates
    date_cell = ws.cell(2, header.index("previous_request_date") + 1)
    assert date_cell.value == dt.datetime(2024, 6, 1) and date_cell.number_format == "dd/mm/yyyy"
    assert all(c.value is None for c in ws[3])
    assert [c.value for c in ws[4]][:4] == ["File", "Severity", "Code", "Message"]
    assert ws["A4"].font.b is True
    assert [c.value for c in ws[5]][:4] == [
        "notes.docx", "warning", "FORM-NOT-A-FORM",
        "not a medpay form (it has no medpay_form_type property); skipped"]
    assert ws.max_row == 5
    # the command reads the same folder into the same rows (its 'application' sheet)
    proc = run_cli("harvest", made.folder, "--out", tmp_path / "cli.xlsx")
    assert proc.returncode == 0, proc.stderr
    cli = load_workbook(tmp_path / "cli.xlsx")
    assert [[c.value for c in r] for r in cli["application"].iter_rows()] == [
        [c.value for c in r] for r in ws.iter_rows(max_row=2)]
    assert [[c.value for c in r] for r in cli["Problems"].iter_rows()] == [
        [c.value for c in r][:4] for r in ws.iter_rows(min_row=4)]


def test_harvest_button_reads_every_forms_folder_the_generate_buttons_made(
        shipped_pay, forms_estimates, tmp_path):
    from addin.office.docx import controls as dc

    def generate(kind):
        return buttons.BUTTONS[f"generate_{kind}_forms"](
            forms_estimates, frameworks=[BES_FRAMEWORK], as_of=dt.date(2025, 3, 3))

    first, second, appraisal = generate("application"), generate("application"), generate("appraisal")
    assert second.folder.name == "Team estimates - application forms (2)"
    second.files[0].write_bytes(dc.fill_controls(second.files[0].read_bytes(),
                                                 {"evidence_skills": "the second run"}))
    # not made by a Generate button: neither is read
    (tmp_path / "Team estimates - application forms old").mkdir()
    (tmp_path / "Team estimates - application forms (3)").write_text("a file, not a folder")
    result = buttons.harvest_forms(forms_estimates)
    names = ["Team estimates - application forms", "Team estimates - application forms (2)",
             "Team estimates - appraisal forms"]
    assert buttons.forms_folders(forms_estimates) == [tmp_path / n for n in names]
    assert result.summary == (f"Harvest forms: read 5 forms from 3 folders in {tmp_path}: "
                              + ", ".join(names) + ".")
    files = [r[0] for r in result.sheet.rows]
    assert files == [f"{names[0]}/{first.files[0].name}", f"{names[1]}/{second.files[0].name}",
                     *(f"{names[2]}/{f.name}" for f in appraisal.files)]
    col = result.sheet.header.index("evidence_skills")
    assert result.sheet.rows[1][col] == "the second run" and result.ok is True
    # a temporary copy of the workbook elsewhere (unsaved changes) looks next to the user's file
    copy = tmp_path / "tmp" / forms_estimates.name
    copy.parent.mkdir()
    copy.write_bytes(forms_estimates.read_bytes())
    assert buttons.harvest_forms(copy, next_to=forms_estimates).summary == result.summary
    # one folder named: only that one, as before
    only = buttons.harvest_forms(forms_estimates, forms_dir=second.folder)
    assert only.summary == f"Harvest forms: read 1 form from {second.folder}."


def test_harvest_button_without_the_forms_folder_is_a_one_line_error(forms_estimates):
    from addin.core.errors import InputError

    with pytest.raises(InputError, match="is not a folder of filled forms"):
        buttons.harvest_forms(forms_estimates)


# --------------------------------------------------------------------------- failures in Excel


def test_failure_is_one_line_without_command_line_flags():
    from addin.core.errors import OutputError

    exc = OutputError("output already exists", file="C:/x/forms",
                      hint="choose another name or pass --force to replace it")
    result = buttons.failure("generate_application_forms", exc)
    assert result.summary == "MedPay could not generate the application forms: C:/x/forms: output already exists"
    assert result.ok is False and result.title == "Generate application forms"
    assert exc.hint == "choose another name or pass --force to replace it"  # the error is not changed
    kept = buttons.failure("validate_estimates", OutputError("locked", file="f.xlsx", hint="close it in Excel"))
    assert kept.summary == "MedPay could not validate the estimates: f.xlsx: locked (close it in Excel)"


def test_an_unexpected_exception_is_one_shortened_line_not_a_traceback():
    result = buttons.failure("cost_estimates", ValueError("bad\nthing " + "9" * 1000))
    assert "\n" not in result.summary
    reason = result.summary.split(": ", 1)[1]
    assert result.summary.startswith("MedPay could not cost the estimates: ValueError: bad thing 999")
    assert reason.endswith("; this is an unexpected error in MedPay, not a problem with your workbook - "
                           "please report it to the MedPay team.")
    assert len(result.summary) < 450 and "Traceback" not in result.summary
    assert buttons.failure("harvest_forms", KeyError()).summary.startswith(
        "MedPay could not harvest the forms: KeyError;")


class AlertBook(FakeBook):
    """A calling workbook for the desktop wrapper: its file, Saved flag and message boxes."""

    def __init__(self, fullname: Path, *names):
        super().__init__(*names)
        self.fullname = str(fullname)
        self.name = fullname.name
        self.api = type("Api", (), {"Saved": True})()
        self.alerts = []
        book = self

        class App:
            def alert(self, prompt, title=None, mode=None, **kw):
                book.alerts.append((prompt, title, mode))

        self.app = App()


def _press(monkeypatch, book, name):
    from addin.excel import xlwings_buttons

    monkeypatch.setattr(xlwings_buttons.xw.Book, "caller", staticmethod(lambda: book))
    getattr(xlwings_buttons, name)()
    return book.alerts


@pytest.mark.parametrize("exc", [ZeroDivisionError("division by zero"), MemoryError(), KeyError("Estimates")])
def test_desktop_button_turns_any_exception_into_one_message_box(monkeypatch, tmp_path, exc):
    book = AlertBook(tmp_path / "Team.xlsx", "Estimates")
    (tmp_path / "Team.xlsx").write_bytes(b"")

    def boom(*a, **k):
        raise exc

    monkeypatch.setitem(buttons.BUTTONS, "validate_framework", boom)
    [(prompt, title, mode)] = _press(monkeypatch, book, "validate_framework")
    assert prompt.startswith(f"MedPay could not validate the framework: {type(exc).__name__}")
    assert "\n" not in prompt and "Traceback" not in prompt
    assert (title, mode) == ("MedPay: Validate framework", "critical")


def test_desktop_button_on_a_file_it_cannot_read_is_one_message_box(monkeypatch, tmp_path):
    path = tmp_path / "Team.xlsx"
    path.write_bytes(b"not a workbook")
    book = AlertBook(path, "Estimates")
    [(prompt, _, mode)] = _press(monkeypatch, book, "validate_estimates")
    assert prompt.startswith("MedPay could not validate the estimates: ") and mode == "critical"
    assert "--" not in prompt and "\n" not in prompt


def test_desktop_generate_button_clicked_twice_writes_two_folders(monkeypatch, shipped_pay, forms_estimates):
    from addin.excel import xlwings_buttons

    monkeypatch.setattr(buttons, "_frameworks", lambda f: [BES_FRAMEWORK])
    book = AlertBook(forms_estimates, "Estimates")
    _press(monkeypatch, book, "generate_appraisal_forms")
    _press(monkeypatch, book, "generate_appraisal_forms")
    (first, _, mode1), (second, _, mode2) = book.alerts
    folder = forms_estimates.parent / "Team estimates - appraisal forms"
    assert first.startswith(f"Generate appraisal forms: wrote 3 documents to {folder}") and mode1 == "info"
    assert f"to {folder} (2)" in second and "nothing was overwritten" in second and mode2 == "info"
    assert "--" not in first + second
    assert xlwings_buttons  # the wrapper module imported without Excel


# --------------------------------------------------------------------------- issue 20 buttons


class OpeningBook(AlertBook):
    """AlertBook whose Excel records the workbooks a button opens."""

    def __init__(self, fullname: Path, *names):
        super().__init__(fullname, *names)
        self.opened = []
        book = self

        class Books:
            def open(self, path):
                book.opened.append(Path(path))

        self.app.books = Books()


def _annotated(path: Path) -> dict:
    """Every sheet of a workbook as a person sees it: values, comments and fill colours."""
    wb = load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        out[ws.title] = [[(c.value, c.comment.text if c.comment else None,
                           c.fill.fgColor.rgb if c.fill and c.fill.fill_type else None)
                          for c in row] for row in ws.iter_rows()]
    return out


def test_desktop_validate_estimates_opens_the_same_feedback_copy_as_the_command(
        monkeypatch, pay_file, estimates, tmp_path):
    monkeypatch.setattr(buttons, "_frameworks", lambda f: [BES_FRAMEWORK])
    book = OpeningBook(estimates, "Estimates")
    [(prompt, title, mode)] = _press(monkeypatch, book, "validate_estimates")
    copy = tmp_path / "Team estimates - feedback.xlsx"  # next to the workbook
    assert book.opened == [copy] and title == "MedPay: Validate estimates"
    # E3 has no current salary: an error, so a warning icon; the summary names the copy
    assert mode == "critical" and f"See {copy.name} (opened)" in prompt
    assert book.log == []  # the user's own workbook is left as it is
    cli = tmp_path / "cli.xlsx"
    proc = run_cli("validate-estimates", estimates, "--framework", BES_FRAMEWORK, "--pay-ranges",
                   pay_file, "--feedback", cli)
    assert proc.returncode == 1, proc.stderr
    ours, theirs = _annotated(copy), _annotated(cli)
    assert ours == theirs
    head = ours["Estimates"][0]
    assert [h[0] for h in head[-3:]] == ["Eligible", "Reasons", "Effective date"]
    salary = [h[0] for h in head].index("Current salary")
    e3 = ours["Estimates"][3][salary]
    assert e3[1] and e3[2]  # the blank salary of E3: commented and coloured
    # a second press writes a second copy, never over the first
    _press(monkeypatch, book, "validate_estimates")
    assert book.opened[1] == tmp_path / "Team estimates - feedback (2).xlsx"


@pytest.mark.parametrize("kind, button", [("pdp", "generate_pdp_forms"),
                                          ("initial-assessment", "generate_initial_assessment_forms")])
def test_pdp_and_initial_assessment_buttons_write_the_commands_documents(
        kind, button, shipped_pay, forms_estimates, tmp_path):
    result = buttons.BUTTONS[button](forms_estimates, frameworks=[BES_FRAMEWORK], as_of=dt.date(2025, 3, 3))
    folder = tmp_path / f"Team estimates - {kind} forms"
    assert result.folder == folder and result.files
    cli_out = tmp_path / "cli"
    proc = run_cli("forms", kind, "--estimates", forms_estimates, "--framework", BES_FRAMEWORK,
                   "--pay-ranges", shipped_pay, "--as-of", "2025-03-03", "--out", cli_out)
    assert proc.returncode == 0, proc.stderr
    assert _documents(folder) == _documents(cli_out)
    assert [p.name for p in result.files] == sorted(p.name for p in cli_out.glob("*.docx"))


def test_letters_button_writes_the_commands_letters_from_the_open_decisions_workbook(shipped_pay, tmp_path):
    import shutil

    from tests.conftest import ROOT

    decisions = tmp_path / "Decisions.xlsx"
    shutil.copy(ROOT / "workbooks" / "decisions" / "sample-decisions.xlsx", decisions)
    result = buttons.generate_letters(decisions, frameworks=[BES_FRAMEWORK], as_of=dt.date(2025, 5, 22))
    folder = tmp_path / "Decisions - letters"
    assert result.folder == folder and result.summary == (
        f"Generate letters: wrote {len(result.files)} letter{'s' if len(result.files) > 1 else ''} to {folder}.")
    cli_out = tmp_path / "cli"
    proc = run_cli("letters", "--decisions", decisions, "--framework", BES_FRAMEWORK,
                   "--pay-ranges", shipped_pay, "--as-of", "2025-05-22", "--out", cli_out)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in folder.glob("*.docx")) == sorted(p.name for p in cli_out.glob("*.docx"))
    assert len(result.files) == len(list(cli_out.glob("*.docx"))) >= 1


def test_letters_button_names_the_decisions_dated_oddly_as_the_command_warns(shipped_pay, tmp_path):
    # the same warnings (app.letters) reach the message box as the command's stderr: the
    # sample's decisions of 20 and 21 May 2025 are more than 90 days before a December letter
    import shutil

    from tests.conftest import ROOT

    decisions = tmp_path / "Decisions.xlsx"
    shutil.copy(ROOT / "workbooks" / "decisions" / "sample-decisions.xlsx", decisions)
    result = buttons.generate_letters(decisions, frameworks=[BES_FRAMEWORK], as_of=dt.date(2025, 12, 1))
    proc = run_cli("letters", "--decisions", decisions, "--framework", BES_FRAMEWORK,
                   "--pay-ranges", shipped_pay, "--as-of", "2025-12-01", "--out", tmp_path / "cli")
    assert proc.returncode == 0, proc.stderr
    warned = [line.removeprefix("medpay: warning: ") for line in proc.stderr.splitlines()
              if line.startswith("medpay: warning: ")]
    assert len(warned) == 2 and all("more than 90" in w or "(more than 90)" in w for w in warned)
    head, _, rest = result.summary.partition("\nCheck these decisions' dates:\n")
    assert head.startswith("Generate letters: wrote 2 letters to ")
    assert rest.split("\n") == warned


def test_template_buttons_write_new_workbooks_next_to_the_open_one_and_open_them(shipped_pay, estimates):
    from addin.app.validate import validate_framework
    from addin.office.xlsx.estimates import read_estimates

    est = buttons.new_estimates_template(estimates, frameworks=[BES_FRAMEWORK], rows=20)
    assert est.open_file == estimates.parent / "Team estimates - level estimates.xlsx"
    read = read_estimates(est.open_file)
    assert read.sheet == "Estimates" and read.rows == []  # an empty table to fill in
    again = buttons.new_estimates_template(estimates, frameworks=[BES_FRAMEWORK], rows=20)
    assert again.open_file.name == "Team estimates - level estimates (2).xlsx"
    fw = buttons.new_framework_template(estimates)
    assert fw.open_file == estimates.parent / "Team estimates - framework.xlsx"
    assert "CPF" in load_workbook(fw.open_file).sheetnames
    assert validate_framework(fw.open_file) is not None  # readable by Validate framework


def test_settings_button_names_python_pay_ranges_and_frameworks_and_opens_the_file(monkeypatch, tmp_path):
    import sys

    home = tmp_path / "home"
    conf = home / ".medpay" / "medpay.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text('"MEDPAY_PAY_RANGES","C:\\HR\\pay.xlsx"\n"MEDPAY_FRAMEWORKS","C:\\HR\\frameworks"\n')
    monkeypatch.setattr(Path, "home", staticmethod(lambda: home))
    monkeypatch.delenv("MEDPAY_PAY_RANGES", raising=False)
    monkeypatch.delenv("MEDPAY_FRAMEWORKS", raising=False)
    result = buttons.settings()
    assert f"Python: {sys.executable}" in result.summary
    assert "Pay ranges (MEDPAY_PAY_RANGES): C:\\HR\\pay.xlsx" in result.summary
    assert "Frameworks folder (MEDPAY_FRAMEWORKS): C:\\HR\\frameworks" in result.summary
    assert result.open_file == conf
    conf.unlink()
    empty = buttons.settings()
    assert empty.open_file is None and "(shipped)" in empty.summary and "none yet" in empty.summary


def test_frameworks_folder_setting_is_what_the_buttons_read(monkeypatch, tmp_path):
    import shutil

    folder = tmp_path / "fw"
    folder.mkdir()
    shutil.copy(BES_FRAMEWORK, folder / "bes.xlsx")
    (folder / "~$bes.xlsx").write_bytes(b"")  # Excel's lock file: not a framework
    monkeypatch.setenv("MEDPAY_FRAMEWORKS", str(folder))
    assert buttons._frameworks(None) == [folder / "bes.xlsx"]


def test_help_lists_every_button_and_function():
    from addin.excel.udfs import FUNCTIONS

    text = buttons.help_text().summary
    for name, label in buttons.LABELS.items():
        if name != "help_text":
            assert f"{label}: {buttons.DESCRIPTIONS[name]}" in text
    for name in FUNCTIONS:
        assert name in text
    assert "docs/excel-install.md" in text


def test_every_button_has_a_description_that_is_not_its_label():
    assert set(buttons.DESCRIPTIONS) == set(buttons.BUTTONS) == set(buttons.LABELS)
    for name, text in buttons.DESCRIPTIONS.items():
        assert text != buttons.LABELS[name] and len(text.split()) >= 8, name


def test_desktop_settings_opens_the_settings_file_in_notepad(monkeypatch, tmp_path):
    from addin.excel import xlwings_buttons

    conf = tmp_path / "medpay.conf"
    conf.write_text('"MEDPAY_PAY_RANGES","C:\\HR\\pay.xlsx"\n')
    monkeypatch.setattr(buttons, "settings", lambda *a, **k: buttons.ButtonResult(
        "Settings", "shown", open_file=conf))
    monkeypatch.setitem(buttons.BUTTONS, "settings", buttons.settings)
    started = []
    monkeypatch.setattr(xlwings_buttons.subprocess, "Popen", lambda args: started.append(args))
    monkeypatch.setattr(xlwings_buttons.sys, "platform", "win32")
    book = OpeningBook(tmp_path / "Team.xlsx", "Estimates")  # no file needed: Settings reads none
    [(prompt, title, mode)] = _press(monkeypatch, book, "settings")
    assert started == [["notepad.exe", str(conf)]] and book.opened == []
    assert (prompt, title, mode) == ("shown", "MedPay: Settings", "info")
