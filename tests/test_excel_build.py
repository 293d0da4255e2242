"""The built add-in, demo workbook and xlwings Lite main.py: built once per module into a
temporary folder with the real scripts' code, then opened as files."""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from addin.excel import build as addin_build
from addin.excel import lite_build
from addin.excel.buttons import BUTTONS, LABELS
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("addin")
    addin_build.build(out)
    return out


def _vba_modules(path: Path) -> dict[str, str]:
    """Module name -> VBA source, extracted from vbaProject.bin with oletools' olevba."""
    olevba = pytest.importorskip("oletools.olevba")
    parser = olevba.VBA_Parser(str(path))
    try:
        return {Path(stream).name: code for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()


def test_addin_ribbon_has_the_medpay_tab_and_six_buttons(built):
    with zipfile.ZipFile(built / "MedPay.xlam") as z:
        xml = z.read("customUI/customUI.xml").decode()
        rels = z.read("_rels/.rels").decode()
        workbook = z.read("xl/workbook.xml").decode()
    assert 'label="MedPay"' in xml
    labels = re.findall(r'<button [^>]*label="([^"]+)"', xml)
    assert labels == ["Validate framework", "Validate estimates", "Cost estimates",
                      "Generate application forms", "Generate appraisal forms", "Harvest forms"]
    assert "customUI/customUI.xml" in rels
    assert re.search(r'<sheet name="\w+\.conf"', workbook)  # config sheet switched on


def test_every_ribbon_callback_exists_in_the_vba(built):
    with zipfile.ZipFile(built / "MedPay.xlam") as z:
        xml = z.read("customUI/customUI.xml").decode()
    actions = set(re.findall(r'onAction="([^"]+)"', xml))
    assert len(actions) == len(BUTTONS)
    # the add-in's own VBA project (from xlwings' template) plus the generated module the
    # README has the installer import once; the module name comes from its Attribute line
    bas = (built / "MedPayRibbon.bas").read_text()
    module = re.search(r'Attribute VB_Name = "(\w+)"', bas).group(1)
    defined = addin_build.vba_subs(bas, module)
    for name, code in _vba_modules(built / "MedPay.xlam").items():
        defined |= addin_build.vba_subs(code, name.split(".")[0])
    assert actions <= defined, actions - defined
    for action in actions:
        sub = action.split(".")[1]
        assert re.search(rf"Sub {sub}\(control As IRibbonControl\)", bas)


def test_the_template_vba_provides_runpython(built):
    modules = _vba_modules(built / "MedPay.xlam")
    assert any(re.search(r"Public Function RunPython\(", code) for code in modules.values())


def test_every_runpython_call_names_an_existing_python_function(built):
    bas = (built / "MedPayRibbon.bas").read_text()
    targets = addin_build.runpython_targets(bas)
    assert sorted(t[1] for t in targets) == sorted(BUTTONS)
    for module, func in targets:
        assert callable(getattr(importlib.import_module(module), func)), (module, func)


def test_demo_workbook_names_the_udf_module_and_uses_every_function(built):
    from openpyxl import load_workbook

    from addin.excel.udfs import FUNCTIONS

    wb = load_workbook(built / "MedPay demo.xlsm", keep_vba=True)
    conf = {r[0]: r[1] for r in wb["xlwings.conf"].iter_rows(values_only=True)}
    assert conf["UDF Modules"] == "addin.excel.xlwings_udfs"
    importlib.import_module(conf["UDF Modules"])
    formulas = " ".join(str(c.value) for c in wb["Functions"]["C"][1:])
    for name in FUNCTIONS:
        assert f"={name}(" in formulas, name
    with zipfile.ZipFile(built / "MedPay demo.xlsm") as z:
        assert "xl/vbaProject.bin" in z.namelist()


def test_demo_estimates_sheet_works_with_the_buttons(built, monkeypatch):
    from addin.excel.buttons import validate_estimates

    monkeypatch.delenv("MEDPAY_PAY_RANGES", raising=False)
    result = validate_estimates(built / "MedPay demo.xlsm")
    assert result.report.errors == 0, result.sheet.rows


# --------------------------------------------------------------------------- xlwings Lite


def test_committed_lite_files_declare_every_function_and_the_file_system_free_buttons():
    main = (ROOT / "addin/excel/lite/main.py").read_text()
    from addin.excel.udfs import FUNCTIONS

    for name in FUNCTIONS:
        assert re.search(rf"@func\ndef {name.lower()}\(", main), name
    for button in lite_build.LITE_BUTTONS:
        assert re.search(rf"@script\ndef {button}\(book: xw.Book\):", main)
    req = (ROOT / "addin/excel/lite/requirements.txt").read_text().split()
    assert "xlwings" in req and "openpyxl" in req and "holidays" in req


LITE_PROBE = r"""
import json, sys, datetime as dt
sys.path.insert(0, sys.argv[1])
import main
import addin
assert addin.__file__.startswith("<medpay-lite>"), addin.__file__
out = {
  "salary": main.medpay_salary(3.0, "B"),
  "salary_bad": main.medpay_salary(9.0, "B"),
  "next": main.medpay_next_effective_date(45474.0),
  "deadline": main.medpay_submission_deadline(dt.datetime(2024, 7, 1)),
  "appeal": main.medpay_appeal_deadline(dt.datetime(2024, 12, 20)),
  "eligible": main.medpay_eligible("Yes", None, "No", "Met", 14.0, 12.0),
  "reasons": main.medpay_eligibility_reasons("No", None, "Yes", "Not met", 6.0, 12.0, "01/01/2025"),
  "cost": main.medpay_cost([20000.0, 25000.0], 1.0, 3.0, "C", "01/05/2024"),
  "in_year": main.medpay_in_year_cost(20000.0, 0.5, 3.0, "C", "01/05/2024"),
  "months": main.medpay_min_months("Minimum of 12 months at 3A"),
}
print(json.dumps(out))
"""


def test_lite_main_imports_its_bundled_core_and_answers_like_the_core(tmp_path, monkeypatch):
    lite = tmp_path / "lite"
    lite_build.build(lite)
    probe = tmp_path / "probe.py"
    probe.write_text(LITE_PROBE)
    env = {k: v for k, v in __import__("os").environ.items() if k != "MEDPAY_PAY_RANGES"}
    proc = subprocess.run([sys.executable, str(probe), str(lite)], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)

    import datetime as dt

    from addin.excel import udfs

    monkeypatch.delenv("MEDPAY_PAY_RANGES", raising=False)

    def serial(d):
        return (dt.datetime(d.year, d.month, d.day) - dt.datetime(1899, 12, 30)).days

    assert got["salary"] == udfs.medpay_salary(3.0, "B")
    assert got["salary_bad"] == "#MEDPAY: unknown range 9"
    assert got["next"] == serial(udfs.medpay_next_effective_date(45474.0)) == serial(dt.date(2025, 1, 1))
    assert got["deadline"] == serial(dt.date(2024, 6, 1))
    assert got["appeal"] == serial(dt.date(2024, 12, 31))
    assert got["eligible"] is udfs.medpay_eligible("Yes", None, "No", "Met", 14.0, 12.0) is True
    assert got["reasons"] == udfs.medpay_eligibility_reasons("No", None, "Yes", "Not met", 6.0, 12.0,
                                                             "01/01/2025")
    assert got["cost"] == udfs.medpay_cost([20000.0, 25000.0], 1.0, 3.0, "C", "01/05/2024")
    assert got["in_year"] == udfs.medpay_in_year_cost(20000.0, 0.5, 3.0, "C", "01/05/2024")
    assert got["months"] == 12


def test_ribbon_labels_come_from_the_button_table():
    assert [LABELS[b] for b in BUTTONS] == re.findall(r'label="([^"]+)" size',
                                                       addin_build.ribbon_xml())
