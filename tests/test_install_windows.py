"""scripts/install-windows.ps1 and docs/excel-install.md, checked from Linux (no
PowerShell or Excel here): the files the script copies exist, the settings it writes are
keys the add-in's xlwings VBA and MedPay's Python read, in a format they read, and the
xlwings it installs is the one the add-in was built with."""

from __future__ import annotations

import re
import tomllib
import zipfile

import pytest

from addin.excel import udfs
from tests.conftest import ROOT

SCRIPT = ROOT / "scripts" / "install-windows.ps1"
GUIDE = ROOT / "docs" / "excel-install.md"
ADDIN = ROOT / "workbooks" / "MedPay.xlam"


@pytest.fixture(scope="module")
def script() -> str:
    return SCRIPT.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def xlwings_vba() -> str:
    olevba = pytest.importorskip("oletools.olevba")
    parser = olevba.VBA_Parser(str(ADDIN))
    try:
        return next(code for _, stream, _, code in parser.extract_macros() if stream.endswith("xlwings"))
    finally:
        parser.close()


def test_every_file_of_the_medpay_folder_the_script_uses_exists(script):
    rooted = re.findall(r'Join-Path \$Root ["\']([^"\'$]+)["\']', script)
    assert "workbooks\\MedPay.xlam" in rooted and "workbooks\\MedPay demo.xlsm" in rooted
    for rel in rooted:
        assert (ROOT / rel.replace("\\", "/")).exists(), rel
    assert "pyproject.toml" in script and (ROOT / "pyproject.toml").is_file()
    # pip installs the folder itself: medpay, the modules the add-in's VBA runs
    for module in re.search(r'-c "import ([\w., ]+)"', script).group(1).split(", "):
        __import__(module)


def test_the_script_installs_the_xlwings_the_addin_was_built_with(script, xlwings_vba):
    pinned = re.search(r'^\$XlwingsVersion = "([\d.]+)"', script, re.M).group(1)
    # the add-in's VBA declares the xlwings DLL of one exact version
    built = set(re.findall(r'"xlwings(?:32|64)-([\d.]+)\.dll"', xlwings_vba))
    assert built == {pinned}
    assert '"xlwings==$XlwingsVersion"' in script


def test_the_script_asks_for_the_python_the_package_requires(script):
    minimum = re.search(r'^\$MinimumPython = \[version\]"([\d.]+)"', script, re.M).group(1)
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert requires == f">={minimum}"


def test_settings_file_is_where_the_addins_getconfig_reads_and_holds_keys_it_reads(script, xlwings_vba):
    # GetConfigFilePath: %USERPROFILE%\.<PROJECT_NAME>\<PROJECT_NAME>.conf, PROJECT_NAME "medpay"
    assert 'Environ("USERPROFILE") & "\\." & PROJECT_NAME & "\\" & PROJECT_NAME & ".conf"' in xlwings_vba
    assert re.search(r'^Public Const PROJECT_NAME As String = "medpay"', xlwings_vba, re.M)
    assert '$ConfFolder = Join-Path $env:USERPROFILE ".medpay"' in script
    assert '$ConfFile = Join-Path $ConfFolder "medpay.conf"' in script
    written = re.findall(r'ConfLine "([A-Z_ ]+)"', script)
    assert written == ["INTERPRETER_WIN", "UDF MODULES", "MEDPAY_PAY_RANGES", "MEDPAY_FRAMEWORKS"]
    read_by_vba = {k.upper() for k in re.findall(r'GetConfig\("([^"]+)"', xlwings_vba)}
    assert {"INTERPRETER_WIN", "UDF MODULES"} <= read_by_vba
    assert {udfs.ENV_VAR, udfs.FRAMEWORKS_VAR} == {"MEDPAY_PAY_RANGES", "MEDPAY_FRAMEWORKS"}
    # the interpreter is the environment's pythonw.exe (no console window per button)
    assert 'ConfLine "INTERPRETER_WIN" $VenvPythonw' in script
    assert '$VenvPythonw = Join-Path $Venv "Scripts\\pythonw.exe"' in script


def test_a_settings_file_as_the_script_writes_it_is_read_by_the_functions_and_buttons(tmp_path):
    # "KEY","value" lines in the ANSI code page (VBA's Input # reads that), no BOM
    conf = tmp_path / "medpay.conf"
    conf.write_bytes('"INTERPRETER_WIN","C:\\Users\\Zoë\\AppData\\Local\\MedPay\\venv\\Scripts\\pythonw.exe"\r\n'
                     '"UDF MODULES","addin.excel.xlwings_udfs"\r\n'
                     '"MEDPAY_PAY_RANGES","C:\\Users\\Zoë\\HR\\pay-ranges.xlsx"\r\n'
                     '"MEDPAY_FRAMEWORKS","C:\\HR\\frameworks"\r\n'.encode("cp1252"))
    assert udfs.conf_setting("MEDPAY_PAY_RANGES", [conf]) == "C:\\Users\\Zoë\\HR\\pay-ranges.xlsx"
    assert str(udfs.frameworks_folder([conf])) == "C:\\HR\\frameworks"


def test_the_addins_own_config_sheet_hides_no_setting_of_the_users_file():
    """xlwings' GetConfig reads the add-in's medpay.conf sheet before the user's file, and a
    key listed there with an empty value wins: the sheet must hold only set values."""
    with zipfile.ZipFile(ADDIN) as z:
        workbook = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(r'<sheet name="medpay\.conf"[^>]*r:id="(\w+)"', workbook).group(1)
        target = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rid}"', rels)
        sheet = z.read("xl/" + (target.group(1) or target.group(2))).decode()
    rows = re.findall(r"<row [^>]*>(.*?)</row>", sheet)
    cells = [re.findall(r"<t>([^<]*)</t>", r) for r in rows]
    assert cells == [["UDF Modules", "addin.excel.xlwings_udfs"]]


def test_the_script_registers_the_copied_addin_and_unblocks_it(script):
    assert '$AddinTarget = Join-Path $AddinsFolder "MedPay.xlam"' in script
    assert '$AddinsFolder = Join-Path $env:APPDATA "Microsoft\\AddIns"' in script
    assert "Unblock-File -Path $AddinTarget" in script
    assert '"/R `"$AddinTarget`""' in script and "Excel\\Options" in script
    assert re.search(r"Get-Process -Name EXCEL", script)  # refuses while Excel runs


def test_the_install_guide_covers_the_script_trust_center_unblocking_and_what_users_see():
    guide = GUIDE.read_text(encoding="utf-8")
    assert "scripts\\install-windows.ps1" in guide
    for words in ("Trust Center", "Trusted Locations", "Unblock", "MedPay** tab",
                  "=MEDPAY_SALARY(3,\"B\")", "MEDPAY_WHY", "Insert Function", "%USERPROFILE%\\.medpay\\medpay.conf"):
        assert words in guide, words
    assert len(guide.splitlines()) < 110  # one page
