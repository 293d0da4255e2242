"""`medpay framework show PATH [--json]`: readable listing, JSON, warnings, bad files."""

from __future__ import annotations

import io
import json
import zipfile

import openpyxl
import pytest

from .conftest import BES_FRAMEWORK
from .test_frameworks_reader import role_spec, write_cpf


@pytest.fixture(scope="module")
def shown():
    from .conftest import run_cli

    return run_cli("framework", "show", BES_FRAMEWORK), run_cli("framework", "show", BES_FRAMEWORK, "--json")


def test_show_lists_metadata_roles_ranges_and_criteria(shown):
    text, _ = shown
    assert text.returncode == 0 and text.stderr == ""
    out = text.stdout
    assert out.startswith("Business and Executive Support\n")
    assert "Job family:   Business and Executive Support\n" in out
    assert "Owner:        MedPay Review Team\n" in out
    assert "Roles:        11\n" in out
    assert "\nPersonal Assistant - Range 3\n" in out
    assert "\nExecutive Assistant (to Chief Executive) - Range 6\n" in out
    assert "\nBusiness Support Apprentice - Range ?\n" in out
    pa = out[out.index("\nPersonal Assistant - Range 3\n"):out.index("\nBusiness Support Officer - Range 3\n")]
    assert "  Level B (Practising)\n" in pa
    assert "    Experience [F17]:\n        Minimum of 12 months at 3A with satisfactory performance." in pa
    assert "    Qualifications [E15]:\n        (empty)\n" in pa


def test_show_json_gives_roles_ranges_criteria_and_source_cells(shown):
    _, js = shown
    assert js.returncode == 0 and js.stderr == ""
    data = json.loads(js.stdout)
    assert data["name"] == "Business and Executive Support" and data["findings"] == []
    assert [(r["title"], r["range"]) for r in data["roles"]][:3] == [
        ("Business Support Apprentice", None), ("Business Support Assistant", 2), ("Personal Assistant", 3)]
    pa = data["roles"][2]
    assert pa["cell"] == "A14" and pa["range_cell"] == "B14" and pa["range_raw"] == "Range 3"
    exp_b = pa["criteria"]["B"]["Experience"]
    assert exp_b["cell"] == "F17" and exp_b["sheet"] == "Business and Executive Support"
    assert exp_b["text"].startswith("Minimum of 12 months at 3A")
    assert set(pa["criteria"]) == {"A", "B", "C"}
    assert set(pa["criteria"]["C"]) == {"Qualifications", "Knowledge", "Experience", "Skills"}


def test_structural_findings_are_warnings_on_stderr_and_show_still_succeeds(cli, tmp_path):
    p = write_cpf(tmp_path / "f.xlsx", [role_spec("Clerk", 2)], level_order="AB", omit=("Skills",))
    r = cli("framework", "show", p)
    assert r.returncode == 0
    assert r.stderr.splitlines() == [
        f"medpay: warning: {p} [CPF!A1]: FW-MISSING-LEVEL-COLUMN: The framework table has no "
        "'Level C (Accomplished)' column; add it to the header row",
        f"medpay: warning: {p} [CPF!A2]: FW-MISSING-CRITERION: Role 'Clerk' has no Skills row; "
        "every role needs Qualifications, Knowledge, Experience and Skills at each level",
    ]
    assert "Clerk - Range 2" in r.stdout and "Level C" not in r.stdout
    js = cli("framework", "show", p, "--json")
    assert js.returncode == 0
    assert [f["code"] for f in json.loads(js.stdout)["findings"]] == [
        "FW-MISSING-LEVEL-COLUMN", "FW-MISSING-CRITERION"]


def _encrypted_bytes() -> bytes:
    """A real password-protected workbook when msoffcrypto-tool is available; otherwise the
    OLE container shape Excel writes (an ``EncryptedPackage`` stream name)."""
    wb = openpyxl.Workbook()
    buf = io.BytesIO()
    wb.save(buf)
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        return (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500
                + "EncryptedPackage".encode("utf-16-le") + b"\0" * 100)
    out = io.BytesIO()
    buf.seek(0)
    OOXMLFile(buf).encrypt("secret", out)
    return out.getvalue()


def _truncated() -> bytes:
    data = BES_FRAMEWORK.read_bytes()
    return data[: len(data) // 3]


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("missing.xlsx", None, "file not found (check the path and the file name)"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
         "file is an old Excel 97-2003 (.xls) file, not an Excel workbook (.xlsx or .xlsm) "
         "(open it in Excel and save it as an Excel Workbook (.xlsx))"),
        ("renamed.xlsx", b"Job Title,Range\nClerk,Range 2\n",
         "file is a text or CSV file, not an Excel workbook (.xlsx or .xlsm)"),
        ("cut.xlsx", "truncated", "damaged or truncated"),
        ("locked.xlsx", "encrypted", "file is password-protected (encrypted) (remove the password"),
    ],
)
def test_bad_files_give_one_line_naming_the_file_and_exit_2(cli, tmp_path, name, content, expected):
    p = tmp_path / name
    if content == "truncated":
        p.write_bytes(_truncated())
    elif content == "encrypted":
        p.write_bytes(_encrypted_bytes())
    elif content is not None:
        p.write_bytes(content)
    r = cli("framework", "show", p)
    assert r.returncode == 2, r.stderr
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"medpay: {p}: ") and expected in lines[0]
    assert "Traceback" not in r.stderr


def test_zip_that_is_not_a_workbook_is_refused(cli, tmp_path):
    p = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("readme.txt", "hello")
    r = cli("framework", "show", p, "--json")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.strip() == (f"medpay: {p}: file is a zip archive without a workbook inside, not an "
                                "Excel workbook (.xlsx or .xlsm) (open it in Excel and save it as an "
                                "Excel Workbook (.xlsx))")


def test_framework_group_help_lists_show(cli):
    r = cli("framework", "--help")
    assert r.returncode == 0 and "show" in r.stdout
    r = cli("framework", "show", "--help")
    assert r.returncode == 0 and "--json" in r.stdout and "PATH" in r.stdout
