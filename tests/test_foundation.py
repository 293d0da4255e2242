"""The CLI skeleton, the settings workbook, the finding registry and the safe writers."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from addin import __version__
from addin.core.errors import InputError, OutputError
from addin.core.findings import ERROR, WARNING, Checker, Report, declare
from addin.core.model import Level, SourceRef
from addin.office.safeio import FolderLock, atomic_write_text, safe_filename, set_cell
from addin.office.xlsx.safe import load_workbook
from addin.office.xlsx.settings import read_pay_settings
from tools.codes_table import codes_markdown
from tools.docs_gen import CODES_PAGE, read_block

from .conftest import PAY_RANGES, ROOT


def test_version_and_help_via_python_m_and_console_script_agree(cli):
    r = cli("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"medpay {__version__}"
    r = cli("--help")
    assert r.returncode == 0 and "COMMAND" in r.stdout


def test_shipped_settings_are_read_from_the_workbook():
    ps = read_pay_settings(PAY_RANGES)
    s = ps.settings
    assert s.employer_ni_rate == Decimal("0.15")
    assert s.ni_secondary_threshold == Decimal("5000")
    assert s.employer_pension_rate == Decimal("0.198")
    assert s.apprenticeship_levy_rate == Decimal("0.005")
    assert s.pay_change_dates == ((1, 1), (7, 1))
    assert s.submission_deadlines == ((12, 1), (6, 1))
    assert s.appeal_working_days == 5 and s.min_months_in_post == 6
    assert sorted(ps.ranges) == [2, 3, 4, 5, 6, 7, 8]
    wb = openpyxl.load_workbook(PAY_RANGES)
    assert ps.pay_point(3, Level.A) == Decimal(str(wb["Pay ranges"]["B6"].value))


def test_settings_edit_in_the_workbook_is_picked_up(tmp_path):
    wb = openpyxl.load_workbook(PAY_RANGES)
    ws = wb["Settings"]
    for row in ws.iter_rows(min_row=1):
        if row[0].value == "Employer pension rate":
            row[1].value = 0.2
    wb["Pay ranges"]["B6"] = 26000
    p = tmp_path / "pay.xlsx"
    wb.save(p)
    ps = read_pay_settings(p)
    assert ps.settings.employer_pension_rate == Decimal("0.2")
    assert ps.pay_point(3, Level.A) == Decimal("26000")


def test_settings_missing_row_names_the_sheet(tmp_path):
    wb = openpyxl.load_workbook(PAY_RANGES)
    ws = wb["Settings"]
    for row in ws.iter_rows(min_row=1):
        if row[0].value == "Employer pension rate":
            row[0].value = "Something else"
    p = tmp_path / "pay.xlsx"
    wb.save(p)
    with pytest.raises(Exception) as err:
        read_pay_settings(p)
    assert 'no row labelled "Employer pension rate"' in str(err.value)
    assert "[Settings]" in err.value.one_line()


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"id,name\n1,Ann\n", "file is a text or CSV file, not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "old Excel 97-2003 (.xls) file"),
        (b"", "file is empty"),
    ],
)
def test_non_workbooks_are_refused_with_one_line(tmp_path, content, expected):
    p = tmp_path / "team.xlsx"
    p.write_bytes(content)
    with pytest.raises(InputError) as err:
        load_workbook(p)
    line = err.value.one_line()
    assert str(p) in line and expected in line and "\n" not in line


def test_truncated_workbook_is_refused(tmp_path):
    data = PAY_RANGES.read_bytes()
    p = tmp_path / "cut.xlsx"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="damaged or truncated"):
        load_workbook(p)


def test_xlsb_and_ods_inside_zip_are_named(tmp_path):
    p = tmp_path / "x.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<x/>")
    with pytest.raises(InputError, match=r"OpenDocument spreadsheet \(\.ods\)"):
        load_workbook(p)


def test_declared_code_fills_its_template_and_checker_rejects_undeclared_codes():
    code = declare("TEST-ONLY-X", "Test", "A test code.", "Value {value} is odd", WARNING, group="test")
    other = declare("TEST-ONLY-Y", "Test", "Another.", "Y", ERROR, group="test")
    chk: Checker = Checker("t")

    @chk.rule(code)
    def good(subject, ctx):
        yield code.at(SourceRef("f.xlsx", "S", "B2"), value=subject)

    findings = chk.run(7, None)
    assert [(f.code, f.cell, f.message, f.severity) for f in findings] == [
        ("TEST-ONLY-X", "B2", "Value 7 is odd", WARNING)]

    @chk.rule(code)
    def bad(subject, ctx):
        yield other.at()

    with pytest.raises(AssertionError, match="undeclared code TEST-ONLY-Y"):
        chk.run(1, None)
    with pytest.raises(ValueError, match="declared twice"):
        declare("TEST-ONLY-X", "t", "d", "m", ERROR)


def test_report_json_shape_and_exit_status():
    code = declare("TEST-ONLY-Z", "Z", "Z.", "bad {what}", ERROR, group="test")
    rep = Report("a.xlsx", [code.at(SourceRef("a.xlsx", "S", "C3"), what="x")])
    data = rep.to_json()
    assert data == {
        "file": "a.xlsx",
        "findings": [{"file": "a.xlsx", "sheet": "S", "cell": "C3", "severity": "error",
                      "code": "TEST-ONLY-Z", "message": "bad x"}],
        "summary": {"errors": 1, "warnings": 0},
    }
    assert rep.exit_status == 1
    assert "Sheet S" in rep.to_text() and "C3" in rep.to_text()


@pytest.mark.parametrize(
    "name, expected",
    [("../x", "x"), ("CON", "_CON"), ("con.docx", "_con.docx"), ("a:b", "a_b"),
     ("trailing. ", "trailing"), ("", "unnamed"), ("Zoë O'Brien", "Zoë O'Brien")],
)
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_safe_filename_caps_length_and_keeps_extension():
    out = safe_filename("x" * 500 + ".docx")
    assert len(out) <= 120 and out.endswith(".docx")


def test_atomic_write_refuses_to_overwrite_without_force(tmp_path):
    p = tmp_path / "out.txt"
    atomic_write_text(p, "one")
    with pytest.raises(OutputError, match="already exists"):
        atomic_write_text(p, "two")
    atomic_write_text(p, "two", force=True)
    assert p.read_text() == "two"
    assert [x.name for x in tmp_path.iterdir()] == ["out.txt"]


def test_formula_text_is_written_as_text(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    set_cell(ws, 1, 1, '=HYPERLINK("http://x","click")')
    set_cell(ws, 2, 1, "-5 days")
    p = tmp_path / "o.xlsx"
    wb.save(p)
    with zipfile.ZipFile(p) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    back = openpyxl.load_workbook(p)
    assert back.active["A1"].value == '=HYPERLINK("http://x","click")'
    assert back.active["A1"].data_type == "s"


def test_second_lock_on_a_folder_refuses(tmp_path):
    with FolderLock(tmp_path):
        with pytest.raises(OutputError, match="another medpay run"):
            with FolderLock(tmp_path):
                pass
    assert not (tmp_path / ".medpay.lock").exists()


def test_docs_codes_table_is_current():
    text = CODES_PAGE.read_text(encoding="utf-8")
    assert read_block(text, "codes") == codes_markdown().strip(), "run scripts/gen_docs"


def _settings_copy(tmp_path, edit) -> Path:
    """A copy of the shipped pay-ranges workbook with ``edit(ws)`` applied to Settings."""
    wb = openpyxl.load_workbook(PAY_RANGES)
    edit(wb["Settings"])
    p = tmp_path / "pay.xlsx"
    wb.save(p)
    return p


def _row_of(ws, label: str) -> int:
    return next(c.row for c in ws["A"] if c.value == label)


def test_settings_second_row_for_a_setting_is_refused_naming_both_cells(tmp_path):
    """A row "Employer pension rate (from 2027)" added under the real one must not
    silently replace 19.8% (it used to: labels matched by prefix, the last one won)."""
    def edit(ws):
        ws.append(["Employer pension rate (from 2027)", 0.21])
    p = _settings_copy(tmp_path, edit)
    ws = openpyxl.load_workbook(p)["Settings"]
    first, second = _row_of(ws, "Employer pension rate"), ws.max_row
    with pytest.raises(Exception) as err:
        read_pay_settings(p)
    assert err.value.message == (
        f'two rows set "Employer pension rate" (A{first} and A{second}); keep one')
    assert f"[Settings!A{second}]" in err.value.one_line()


@pytest.mark.parametrize("label, value, expected", [
    ("Employer National Insurance rate", 15,
     "Employer National Insurance rate: 15 is not a rate; write a percentage such as 15% "
     "(or the fraction 0.15)"),
    ("Employer pension rate", -0.1, "Employer pension rate: -0.1 is not a rate"),
    ("Appeal period (working days)", 5.5,
     "Appeal period (working days): expected a whole number from 1 to 60, got 5.5"),
    ("National Insurance secondary threshold", -1,
     "National Insurance secondary threshold: expected an amount in pounds from 0 to "
     "1,000,000, got -1"),
])
def test_settings_out_of_range_values_are_refused_at_their_cell(tmp_path, label, value, expected):
    def edit(ws):
        ws.cell(_row_of(ws, label), 2).value = value
    p = _settings_copy(tmp_path, edit)
    row = _row_of(openpyxl.load_workbook(p)["Settings"], label)
    with pytest.raises(Exception) as err:
        read_pay_settings(p)
    assert err.value.message.startswith(expected)
    assert f"[Settings!B{row}]" in err.value.one_line()


def test_settings_percent_text_and_inserted_label_column_still_read(tmp_path):
    """An HR officer inserts a column before the labels and types "13.8%": the labels
    are found in their new column and the value beside them is read."""
    def edit(ws):
        ws.insert_cols(1)
        ws.cell(_row_of_col(ws, "Employer National Insurance rate"), 3).value = "13.8%"
    def _row_of_col(ws, label):
        return next(c.row for c in ws["B"] if c.value == label)
    p = _settings_copy(tmp_path, edit)
    s = read_pay_settings(p).settings
    assert s.employer_ni_rate == Decimal("0.138")
    assert s.employer_pension_rate == Decimal("0.198")
    assert s.appeal_working_days == 5 and s.cola_effective == (4, 1)
    assert s.casual_aggregate_months == 6


def test_outputs_get_the_umask_mode_not_mkstemps_0600(tmp_path):
    """Reports left on a shared drive must open for colleagues: the temporary file's
    0600 is not carried onto the output; a --force replacement keeps the old mode."""
    import os
    import stat

    old = os.umask(0o022)
    try:
        p = tmp_path / "report.xlsx"
        atomic_write_text(p, "one")
        assert stat.S_IMODE(p.stat().st_mode) == 0o644
        os.chmod(p, 0o640)
        atomic_write_text(p, "two", force=True)
        assert stat.S_IMODE(p.stat().st_mode) == 0o640
        os.umask(0o077)
        q = tmp_path / "private.xlsx"
        atomic_write_text(q, "x")
        assert stat.S_IMODE(q.stat().st_mode) == 0o600
    finally:
        os.umask(old)


def test_shipped_files_are_found_in_the_checkout_folders_hr_edit(monkeypatch):
    from addin.office import resources

    monkeypatch.delenv("MEDPAY_HOME", raising=False)
    # a checkout: the data-only packages addin._shipped.* resolve to the top-level folders
    assert resources.workbooks_dir() == ROOT / "workbooks"
    assert resources.templates_dir() == ROOT / "templates"
    assert resources.default_pay_ranges() == ROOT / "workbooks" / "pay-ranges.xlsx"
    assert resources.default_frameworks() == [
        ROOT / "workbooks" / "frameworks" / "business-and-executive-support.xlsx"]
    assert resources.samples_dir() == ROOT / "workbooks" / "samples"


def test_medpay_home_points_the_shipped_files_elsewhere(tmp_path, monkeypatch):
    from addin.office import resources

    (tmp_path / "workbooks" / "frameworks").mkdir(parents=True)
    (tmp_path / "workbooks" / "frameworks" / "ours.xlsx").write_bytes(b"")
    monkeypatch.setenv("MEDPAY_HOME", str(tmp_path))
    assert resources.workbooks_dir() == tmp_path / "workbooks"
    assert resources.templates_dir() == tmp_path / "templates"
    assert resources.default_pay_ranges() == tmp_path / "workbooks" / "pay-ranges.xlsx"
    assert resources.default_frameworks() == [tmp_path / "workbooks" / "frameworks" / "ours.xlsx"]
