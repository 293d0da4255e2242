"""The built add-in, demo workbook and xlwings Lite main.py: built once per module into a
temporary folder with the real scripts' code, then opened as files."""

from __future__ import annotations

import importlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from addin.excel.buttons import BUTTONS, LABELS
from tests.conftest import ROOT
from tools import build_addin as addin_build
from tools import build_lite as lite_build

WORKBOOKS = ROOT / "workbooks"
ADDIN = WORKBOOKS / "MedPay.xlam"
DEMO = WORKBOOKS / "MedPay demo.xlsm"
COMMITTED = [pytest.param(ADDIN, id="xlam"), pytest.param(DEMO, id="demo")]
# the ribbon callbacks, as the issues name the buttons (issue 20 added PDP, Initial
# Assessment, letters, the two templates, Settings and Help)
CALLBACKS = ["ValidateFramework", "ValidateEstimates", "CostEstimates", "GenerateApplicationForms",
             "GenerateAppraisalForms", "GeneratePdpForms", "GenerateInitialAssessmentForms",
             "GenerateLetters", "HarvestForms", "NewEstimatesTemplate", "NewFrameworkTemplate",
             "Settings", "HelpText"]
REBUILD = "workbooks are stale: run scripts/build_addin (needs pip install -e '.[build]')"


def _vba_modules(path: Path) -> dict[str, str]:
    """Module name -> VBA source, extracted from vbaProject.bin with oletools' olevba."""
    olevba = pytest.importorskip("oletools.olevba")
    parser = olevba.VBA_Parser(str(path))
    try:
        return {Path(stream).name: code for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()


def _vba_bin(path: Path) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read("xl/vbaProject.bin")


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> dict[Path, Path]:
    """xlwings' own quickstart add-in and workbook: what scripts/build_addin starts from."""
    work = tmp_path_factory.mktemp("templates")
    addin_build._xlwings("quickstart", "medpay", "--addin", "--ribbon", cwd=work)
    addin_build._xlwings("quickstart", "medpay_demo", cwd=work)
    return {ADDIN: work / "medpay" / "medpay.xlam", DEMO: work / "medpay_demo" / "medpay_demo.xlsm"}


def test_addin_ribbon_has_the_medpay_tab_and_its_buttons():
    with zipfile.ZipFile(ADDIN) as z:
        xml = z.read("customUI/customUI.xml").decode()
        rels = z.read("_rels/.rels").decode()
        workbook = z.read("xl/workbook.xml").decode()
    assert 'label="MedPay"' in xml
    labels = re.findall(r'<button [^>]*label="([^"]+)"', xml)
    assert labels == ["Validate framework", "Validate estimates", "Cost estimates",
                      "Generate application forms", "Generate appraisal forms", "Generate PDP forms",
                      "Generate Initial Assessment forms", "Generate letters", "Harvest forms",
                      "New estimates workbook", "New framework workbook", "Settings", "Help"]
    assert "customUI/customUI.xml" in rels
    assert re.search(r'<sheet name="\w+\.conf"', workbook)  # config sheet switched on


def test_ribbon_onactions_are_exactly_the_subs_of_the_embedded_ribbon_module():
    with zipfile.ZipFile(ADDIN) as z:
        actions = re.findall(r'onAction="([^"]+)"', z.read("customUI/customUI.xml").decode())
    modules = _vba_modules(ADDIN)
    assert actions == [f"MedPayRibbon.{sub}" for sub in CALLBACKS]
    assert set(actions) == addin_build.vba_subs(modules["MedPayRibbon"], "MedPayRibbon")


@pytest.mark.parametrize("path", COMMITTED)
def test_committed_vba_project_has_each_callback_with_the_iribboncontrol_signature(path):
    code = _vba_modules(path)["MedPayRibbon"]
    for sub in CALLBACKS:
        assert re.search(rf"^Sub {sub}\(control As IRibbonControl\)\r?$", code, re.M), sub
    assert code.count("End Sub") == len(CALLBACKS)


@pytest.mark.parametrize("path", COMMITTED)
def test_every_runpython_call_in_the_vba_names_an_existing_button_function(path):
    targets = addin_build.runpython_targets(_vba_modules(path)["MedPayRibbon"])
    assert sorted(func for _, func in targets) == sorted(BUTTONS)
    for module, func in targets:
        assert module == "addin.excel.xlwings_buttons"
        assert callable(getattr(importlib.import_module(module), func)), (module, func)


@pytest.mark.parametrize("path", COMMITTED)
def test_no_runpython_call_in_any_module_runs_something_unresolvable(path):
    """Every RunPython of every module, literal or built at run time: each must name a
    Python function that exists (xlwings' samples ran ``"import " & mymodule & ...``, the
    workbook's own file name, which is no module here)."""
    calls = [(name, call) for name, code in _vba_modules(path).items()
             for call in addin_build.runpython_calls(code)]
    assert len(calls) == len(BUTTONS)  # the MedPayRibbon callbacks, nothing else
    for name, call in calls:
        assert call.target is not None, f"{name}: RunPython {call.argument}"
        module, func = call.target
        assert callable(getattr(importlib.import_module(module), func)), (name, module, func)


@pytest.mark.parametrize("source, expected", [
    ('Sub A()\r\n    RunPython "import a.b as m; m.f()"\r\nEnd Sub', [("a.b", "f")]),
    ('Sub A()\r\n    RunPython ("import a; a.g()")\r\nEnd Sub', [("a", "g")]),
    ('Sub A()\r\n    Call RunPython("import a as x; x.h()")\r\nEnd Sub', [("a", "h")]),
    ('Sub A()\r\n    r = RunPython("import a as x; x.h()") \' go\r\nEnd Sub', [("a", "h")]),
    ('Sub A()\r\n    m = "a"\r\n    RunPython "import " & m & ";" & m & ".main()"\r\nEnd Sub', [None]),
    ('Sub A()\r\n    RunPython _\r\n        "import " & m\r\nEnd Sub', [None]),
    ('Sub A()\r\n    RunPython "import a as x; y.f()"\r\nEnd Sub', [None]),  # calls another name
    ('Sub A()\r\n    RunPython "import a as x; x.f(); x.g()"\r\nEnd Sub', [None]),
    # not calls: the declaration, its return value, comments and strings mentioning it
    ('Public Function RunPython(PythonCommand As String)\r\n    \' RunPython "import bar; bar.foo()"\r\n'
     '    RunPython = -1\r\n    MsgBox "To enable RunPython, run it"\r\nEnd Function', []),
    ('Rem RunPython "import x"', []),
])
def test_runpython_calls_are_found_literal_or_not(source, expected):
    assert [c.target for c in addin_build.runpython_calls(source)] == expected
    if None in expected:
        with pytest.raises(ValueError, match="names no Python function"):
            addin_build.runpython_targets(source)


def test_the_addin_is_renamed_medpay_so_excel_reads_the_conf_files_the_readme_names():
    """xlwings' template is "myaddin" throughout; the built add-in's xlwings module must say
    PROJECT_NAME = "medpay" (GetConfigFilePath builds the user's config path from it), its
    config sheet be medpay.conf and the VBA project MedPay; the install instructions' (docs/
    hr-officer.md) and the UDFs' config paths must be the ones that VBA builds."""
    from addin.excel import udfs

    modules = _vba_modules(ADDIN)
    consts = re.findall(r'^Public Const PROJECT_NAME As String = "([^"]*)"', modules["xlwings"], re.M)
    assert consts == ["medpay"]
    # the paths xlwings' GetConfigFilePath / GetConfigFromSheet build from PROJECT_NAME
    assert 'Environ("USERPROFILE") & "\\." & PROJECT_NAME & "\\" & PROJECT_NAME & ".conf"' in modules["xlwings"]
    assert 'GetMacDir("$HOME", False) & "/" & PROJECT_NAME & ".conf"' in modules["xlwings"]
    assert 'wb.Sheets(PROJECT_NAME & ".conf")' in modules["xlwings"]
    name = consts[0]
    windows, mac = rf"%USERPROFILE%\.{name}\{name}.conf", f"~/{name}.conf"
    guide = (ROOT / "docs" / "hr-officer.md").read_text(encoding="utf-8")
    install = guide.split("### Install on Windows", 1)[1].split("### Excel on the web", 1)[0]
    assert f"`{windows}`" in install and f"`{mac}`" in install
    for page in (ROOT / "README.md", *(ROOT / "docs").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        assert ".myaddin" not in text and "myaddin.conf" not in text, page
    home = Path.home()
    assert home / f".{name}" / f"{name}.conf" in udfs._conf_files()
    assert home / f"{name}.conf" in udfs._conf_files()
    with zipfile.ZipFile(ADDIN) as z:
        sheets = re.findall(r'<sheet name="([^"]+)"', z.read("xl/workbook.xml").decode())
    assert sheets == [f"{name}.conf"]
    assert addin_build.read_vba_project(_vba_bin(ADDIN)).name == "MedPay"
    for path in (ADDIN, DEMO):
        assert not {"RibbonMyAddin", "Module1"} & set(_vba_modules(path)), path


def test_the_addin_vba_provides_runpython():
    modules = _vba_modules(ADDIN)
    assert re.search(r"Public Function RunPython\(", modules["xlwings"])


def _renamed(code, path):
    """A template module's source as the build writes it: in the add-in, the xlwings
    module's PROJECT_NAME is "medpay" instead of "myaddin" (the one changed line)."""
    if path == ADDIN:
        return code.replace('PROJECT_NAME As String = "myaddin"', 'PROJECT_NAME As String = "medpay"')
    return code


@pytest.mark.parametrize("path", COMMITTED)
def test_every_template_module_is_kept_with_its_original_source(path, templates):
    template = _vba_modules(templates[path])
    built = _vba_modules(path)
    assert addin_build.TEMPLATE_SAMPLES & set(template)  # xlwings' sample is dropped
    generated = {"MedPayRibbon", "xlwings_udfs"} if path == ADDIN else {"MedPayRibbon"}
    assert set(built) == (set(template) - addin_build.TEMPLATE_SAMPLES) | generated
    assert {"ThisWorkbook"} <= set(built)  # document modules are among them
    for name in set(built) - generated:
        assert built[name] == _renamed(template[name], path), name
    # byte for byte too, Attribute lines included (olevba hides some of them)
    before = addin_build.read_vba_project(_vba_bin(templates[path]))
    after = addin_build.read_vba_project(_vba_bin(path))
    for module in before.modules:
        if module.name in addin_build.TEMPLATE_SAMPLES:
            continue
        kept = after.module(module.name)
        assert (kept.kind, kept.source, kept.docstring, kept.workspace) == \
            (module.kind, _renamed(module.source.decode("cp1252"), path).encode("cp1252"),
             module.docstring, module.workspace), module.name


@pytest.mark.parametrize("path", COMMITTED)
def test_vba_project_keeps_the_templates_references_name_and_project_information(path, templates):
    before = addin_build.read_vba_project(_vba_bin(templates[path]))
    after = addin_build.read_vba_project(_vba_bin(path))
    # the template's references less the unused Microsoft Forms one (it carried the template
    # author's C:\Users\... type-library cache path), the others byte for byte
    assert after.references == addin_build.without_unused_references(before.references)
    assert b"MSForms" in before.references and b"MSForms" not in after.references
    assert b"MSO.DLL" in after.references  # IRibbonControl's library (Office) is referenced
    name = "MedPay" if path == ADDIN else before.name
    # PROJECTINFORMATION record for record, PROJECTNAME (the add-in's renamed) aside
    assert after.information == addin_build._with_project_name_record(before.information, name.encode())
    assert (after.name, after.project_id, after.attributes) == (name, before.project_id, before.attributes)
    assert [m.name for m in after.modules] == \
        [m.name for m in before.modules if m.name not in addin_build.TEMPLATE_SAMPLES] + \
        (["MedPayRibbon", "xlwings_udfs"] if path == ADDIN else ["MedPayRibbon"])


@pytest.mark.parametrize("path", COMMITTED)
def test_vba_project_is_source_only_so_excel_compiles_it_from_source(path):
    """MS-OVBA 1.6 / 2.3.4.1: _VBA_PROJECT Version 0xFFFF and no performance cache, and
    every module's source at offset 0 of its stream (no p-code)."""
    data = _vba_bin(path)
    assert addin_build.vba_project_stream(data) == bytes([0xCC, 0x61, 0xFF, 0xFF, 0x00, 0x01, 0x00])
    spec = addin_build.read_vba_project(data)
    assert [m.text_offset for m in spec.modules] == [0] * len(spec.modules)
    ribbon = spec.module("MedPayRibbon")
    assert ribbon.kind == "Module"
    # the embedded module is the manual-import fallback file, byte for byte
    assert ribbon.source == (WORKBOOKS / "MedPayRibbon.bas").read_bytes()


NO_BUILD_EXTRA = "the build extra is not installed (pip install -e '.[build]'; scripts/setup --test installs it)"


def test_the_test_setup_installs_the_build_extra_so_the_rebuild_tests_run():
    """scripts/test runs scripts/setup --test: it must install the build extra (ms-ovba)
    beside the test extra, or the fresh-build tests below skip on every run."""
    import tomllib

    setup = (ROOT / "scripts/setup").read_text()
    test_branch = setup.split('if [ "$want_test" = 1 ]; then\n  .venv/bin/python -m pip', 1)[1].split("else", 1)[0]
    extras = re.search(r"-e '\.\[([\w,]+)\]'", test_branch).group(1).split(",")
    assert {"test", "build"} <= set(extras)
    assert "bash scripts/setup --test" in (ROOT / "scripts/test").read_text()
    optional = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert any(req.startswith("ms-ovba") for req in optional["build"])


def test_fresh_build_reproduces_the_committed_vba_projects(tmp_path):
    pytest.importorskip("ms_ovba", reason=NO_BUILD_EXTRA)
    addin_build.build(tmp_path)
    assert _vba_bin(tmp_path / "MedPay.xlam") == _vba_bin(ADDIN), REBUILD
    assert _vba_bin(tmp_path / "MedPay demo.xlsm") == _vba_bin(DEMO), REBUILD
    assert (tmp_path / "MedPayRibbon.bas").read_bytes() == (WORKBOOKS / "MedPayRibbon.bas").read_bytes(), REBUILD
    with zipfile.ZipFile(tmp_path / "MedPay.xlam") as fresh, zipfile.ZipFile(ADDIN) as committed:
        assert fresh.read("customUI/customUI.xml") == committed.read("customUI/customUI.xml"), REBUILD


def test_two_builds_are_byte_identical(tmp_path):
    """Both workbooks: no clock in them (zip entry dates, the demo's docProps/core.xml)."""
    pytest.importorskip("ms_ovba", reason=NO_BUILD_EXTRA)
    first, second = tmp_path / "one", tmp_path / "two"
    addin_build.build(first)
    addin_build.build(second)
    for name in ("MedPay.xlam", "MedPay demo.xlsm", "MedPayRibbon.bas"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    with zipfile.ZipFile(first / "MedPay demo.xlsm") as z:
        assert {i.date_time for i in z.infolist()} == {(2024, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]+)<", core) == ["2024-01-01T00:00:00Z"] * 2


def _decompress(data: bytes) -> bytes:
    olevba = pytest.importorskip("oletools.olevba")
    return bytes(olevba.decompress_stream(bytearray(data)))


def test_compressor_round_trips_repeated_lines_past_2048_bytes():
    # ms-ovba-compression 1.0.1 corrupts this: a 20-byte match at offset 2048+ exceeds
    # the copy token's maximum length there (0xFFFF >> 12) + 3 = 18
    text = b"Sub Foo()\r\nEnd Sub\r\n" * 800
    packed = addin_build.ovba_compress(text)
    assert packed[0] == 0x01 and len(packed) < len(text) // 4
    assert _decompress(packed) == text


def test_compressor_stores_an_incompressible_full_chunk_raw():
    import random

    noise = random.Random(5).randbytes(4096)  # compressed it would exceed 4096 bytes
    packed = addin_build.ovba_compress(noise + b"Sub X()")
    # raw chunk: header 0x3FFF (size 4098, signature 0b011, flag 0), then the 4096 bytes
    assert packed[1:3] == b"\xff\x3f" and packed[3:4099] == noise
    assert _decompress(packed) == noise + b"Sub X()"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([b"Sub ", b"End Sub\r\n", b"  ", b"RunPython ", b"\"", b"x", b"\x00", b"\xff"]),
                max_size=2500).map(b"".join) | st.binary(max_size=9000))
def test_compressor_round_trips_through_oletools(data):
    assert _decompress(addin_build.ovba_compress(data)) == data


@pytest.fixture(scope="module")
def libreoffice_basic(tmp_path_factory) -> dict[str, dict[str, str]]:
    """The committed add-in and demo opened by LibreOffice (one conversion to .ods):
    workbook -> {Basic module name: module XML} of the imported VBA project."""
    from tests.conftest import soffice

    exe = soffice()
    if not exe:
        pytest.skip("LibreOffice is not installed")
    out = tmp_path_factory.mktemp("lo")
    (out / "addin.xlam").write_bytes(ADDIN.read_bytes())
    (out / "demo.xlsm").write_bytes(DEMO.read_bytes())
    subprocess.run([exe, f"-env:UserInstallation=file://{out / '.lo-profile'}", "--headless", "--norestore",
                    "--infilter=Calc MS Excel 2007 VBA XML", "--convert-to", "ods", "--outdir", str(out),
                    str(out / "addin.xlam"), str(out / "demo.xlsm")], check=True, capture_output=True, timeout=240)
    found = {}
    for name in ("addin", "demo"):
        with zipfile.ZipFile(out / f"{name}.ods") as z:
            found[name] = {Path(n).stem: z.read(n).decode() for n in z.namelist()
                           if re.fullmatch(r"Basic/[^/]+/[^/]+\.xml", n) and not n.endswith("script-lb.xml")}
    return found


@pytest.mark.parametrize("name, path", [("addin", ADDIN), ("demo", DEMO)])
def test_libreoffice_opens_the_workbook_and_lists_every_vba_module(libreoffice_basic, name, path):
    modules = libreoffice_basic[name]
    assert set(modules) == set(_vba_modules(path))
    for sub in CALLBACKS:
        assert f"Sub {sub}(control As IRibbonControl)" in modules["MedPayRibbon"], sub


def test_demo_workbook_names_the_udf_module_and_uses_every_function():
    from openpyxl import load_workbook

    from addin.excel.udfs import FUNCTIONS

    wb = load_workbook(DEMO, keep_vba=True)
    conf = {r[0]: r[1] for r in wb["xlwings.conf"].iter_rows(values_only=True)}
    assert conf["UDF Modules"] == "addin.excel.xlwings_udfs"
    importlib.import_module(conf["UDF Modules"])
    formulas = " ".join(str(c.value) for c in wb["Functions"]["C"][1:])
    for name in FUNCTIONS:
        assert f"={name}(" in formulas, name


def test_demo_estimates_sheet_works_with_the_buttons(monkeypatch):
    from addin.excel.buttons import validate_estimates

    monkeypatch.delenv("MEDPAY_PAY_RANGES", raising=False)
    result = validate_estimates(DEMO)
    assert result.report.errors == 0, result.sheet.rows


# --------------------------------------------------------------------------- xlwings Lite


def test_built_lite_files_declare_every_function_and_the_file_system_free_buttons(tmp_path):
    lite = tmp_path / "lite"
    lite_build.build(lite)
    main = (lite / "main.py").read_text()
    from addin.excel.udfs import FUNCTIONS

    for name in FUNCTIONS:
        assert re.search(rf"@func(?:\(volatile=True\))?\n(?:@arg\([^\n]*\n)*def {name.lower()}\(", main), name
    for button in lite_build.LITE_BUTTONS:
        assert re.search(rf"@script\ndef {button}\(book: xw.Book\):", main)
    req = (lite / "requirements.txt").read_text().split()
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
  "why": main.medpay_why("MEDPAY_SALARY", 9.0, "B"),
  "types": {k: type(main.medpay_next_effective_date(45474.0)).__name__ for k in ["next"]},
}
print(json.dumps(out, default=lambda d: d.isoformat()))
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

    from addin.excel import udfs

    monkeypatch.delenv("MEDPAY_PAY_RANGES", raising=False)

    assert got["salary"] == udfs.medpay_salary(3.0, "B")
    # an unknown range is Excel's #N/A itself (xlwings Lite sends the text "#N/A" as the
    # error value), its reason from MEDPAY_WHY
    assert got["salary_bad"] == "#N/A"
    assert got["why"] == "unknown range 9"
    # dates come back as dates (xlwings Lite formats them), not serial numbers
    assert got["types"] == {"next": "date"}
    assert got["next"] == udfs.medpay_next_effective_date(45474.0).isoformat() == "2025-01-01"
    assert got["deadline"] == "2024-06-01"
    assert got["appeal"] == "2024-12-31"
    assert got["eligible"] is udfs.medpay_eligible("Yes", None, "No", "Met", 14.0, 12.0) is True
    assert got["reasons"] == udfs.medpay_eligibility_reasons("No", None, "Yes", "Not met", 6.0, 12.0,
                                                             "01/01/2025")
    assert got["cost"] == udfs.medpay_cost([20000.0, 25000.0], 1.0, 3.0, "C", "01/05/2024")
    assert got["in_year"] == udfs.medpay_in_year_cost(20000.0, 0.5, 3.0, "C", "01/05/2024")
    assert got["months"] == 12


LITE_FAILURE_PROBE = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import main

class Used:
    row = column = 1
    def options(self, **kw):
        return self
    value = [["Job title"], ["PA"]]

class Sheet:
    name = "Framework"
    used_range = Used()

alerts = []

class App:
    def alert(self, prompt, title=None, mode=None, **kw):
        alerts.append([prompt, title, mode])

class Book:
    name = "Team"
    sheets = [Sheet()]
    app = App()

def boom(*a, **k):
    raise ZeroDivisionError("division by zero")

main._buttons.BUTTONS["cost_estimates"] = boom
main.cost_estimates(Book())          # an unexpected exception
main.validate_framework(Book())      # this fake book cannot add a sheet: the writer's error too
print(json.dumps(alerts))
"""


def test_lite_buttons_turn_any_exception_into_one_line(tmp_path):
    lite = tmp_path / "lite"
    lite_build.build(lite)
    probe = tmp_path / "probe.py"
    probe.write_text(LITE_FAILURE_PROBE)
    proc = subprocess.run([sys.executable, str(probe), str(lite)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    cost, framework = json.loads(proc.stdout.splitlines()[-1])
    assert cost[0].startswith("MedPay could not cost the estimates: ZeroDivisionError: division by zero;")
    assert cost[1:] == ["MedPay: Cost estimates", "critical"]
    assert framework[0].startswith("MedPay could not validate the framework: AttributeError: ")
    assert "\n" not in framework[0] and framework[2] == "critical"


LITE_BUTTON_PROBE = r"""
import json, sys
import openpyxl
sys.path.insert(0, sys.argv[1])
import main


class Font:
    bold = False


class Range:
    def __init__(self, sheet, a, b=None):
        self.sheet, self.a = sheet, a
        self.font = Font()

    @property
    def value(self):
        return None

    @value.setter
    def value(self, grid):
        r0, c0 = self.a
        for i, row in enumerate(grid):
            for j, v in enumerate(row):
                self.sheet.cells[(r0 + i, c0 + j)] = v


class Used:
    row = column = 1

    def __init__(self, rows):
        self.value = rows

    def options(self, **kw):
        return self


class Sheet:
    def __init__(self, name, rows=()):
        self.name, self.used_range, self.cells = name, Used([list(r) for r in rows]), {}

    def range(self, a, b=None):
        return Range(self, a, b)

    def activate(self):
        pass


class Sheets(list):
    def __getitem__(self, key):
        if isinstance(key, str):
            return next(s for s in self if s.name == key)
        return list.__getitem__(self, key)

    def add(self, name, after=None):
        self.append(Sheet(name))
        return self[-1]


alerts = []


class App:
    def alert(self, prompt, title=None, mode=None, **kw):
        alerts.append([prompt, title, mode])


class Book:
    # the open workbook as xlwings Lite shows it: its sheets' values
    app = App()
    name = "Team"

    def __init__(self, path):
        wb = openpyxl.load_workbook(path, data_only=True)
        self.sheets = Sheets(Sheet(ws.title, ws.iter_rows(min_row=1, min_col=1, values_only=True))
                             for ws in wb.worksheets)


book = Book(sys.argv[2])
getattr(main, sys.argv[3])(book)
added = book.sheets[-1]
width = max(c for _, c in added.cells)
grid = [[added.cells.get((r, c)) for c in range(1, width + 1)]
        for r in range(1, max(r for r, _ in added.cells) + 1)]
print(json.dumps({"alerts": alerts, "sheet": added.name, "grid": grid}, default=str))
"""


@pytest.mark.parametrize("button", ["validate_estimates", "cost_estimates"])
def test_lite_buttons_run_on_an_open_workbook_and_add_the_same_sheet_as_the_core(
        button, tmp_path, monkeypatch):
    lite = tmp_path / "lite"
    lite_build.build(lite)
    probe = tmp_path / "probe.py"
    probe.write_text(LITE_BUTTON_PROBE)
    sample = WORKBOOKS / "samples" / "chief-executives-office.xlsx"
    env = {k: v for k, v in __import__("os").environ.items()
           if k not in ("MEDPAY_PAY_RANGES", "MEDPAY_HOME")}
    proc = subprocess.run([sys.executable, str(probe), str(lite), str(sample), button],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.splitlines()[-1])

    # the core's button on the same file, set up as the bundle is: the embedded pay ranges
    # (the shipped workbook) through a MEDPAY_HOME of its own, no framework workbooks
    import shutil

    from addin.excel import buttons
    from addin.excel.xlsheet import excel_value

    home = tmp_path / "home"
    (home / "workbooks").mkdir(parents=True)
    shutil.copy(WORKBOOKS / "pay-ranges.xlsx", home / "workbooks" / "pay-ranges.xlsx")
    monkeypatch.setenv("MEDPAY_HOME", str(home))
    monkeypatch.delenv("MEDPAY_PAY_RANGES", raising=False)
    core = buttons.BUTTONS[button](sample)
    assert got["alerts"] == [[core.summary, "MedPay: " + core.title, "info"]]
    assert got["sheet"] == core.sheet.title
    width = len(core.sheet.header)
    rows = [[excel_value(v) for v in (list(r) + [None] * width)[:width]] for r in core.sheet.rows]
    assert got["grid"] == json.loads(json.dumps([core.sheet.header, *rows], default=str))
    if button == "cost_estimates":
        # Renee Clarke, range 6 B -> C (workbooks/pay-ranges.xlsx: B 43,918, C 47,181):
        # increase 47181 - 43918 = 3263; NI 15% = 489.45; pension 19.8% = 646.074 -> 646.07;
        # levy 0.5% = 16.315 -> 16.32; full year 3263 + 489.45 + 646.07 + 16.32 = 4414.84
        header = got["grid"][0]
        renee = next(r for r in got["grid"] if r[header.index("Employee ID")] == "100871")
        assert [renee[header.index(h)] for h in ("Current salary", "New salary", "Annual increase",
                                                 "Employer NI", "Pension", "Apprenticeship levy",
                                                 "Full-year cost")] == [
            43918.0, 47181.0, 3263.0, 489.45, 646.07, 16.32, 4414.84]


def test_lite_functions_carry_argument_docs_and_volatile_flags(tmp_path):
    from addin.excel import xlwings_udfs

    main = lite_build.main_py()
    for name, decl in xlwings_udfs.DECLARATIONS.items():
        block = re.search(rf"\n(@func[^\n]*\n(?:@arg\([^\n]*\n)*)def {name.lower()}\(", main).group(1)
        assert block.startswith("@func(volatile=True)\n" if decl.volatile else "@func\n"), name
        assert re.findall(r"@arg\('(\w+)', doc=", block) == [a for a, _ in decl.args], name


LITE_PAY_PROBE = r"""
import json, sys
import openpyxl
sys.path.insert(0, sys.argv[1])
import main


class Used:
    row = column = 1

    def __init__(self, rows):
        self.value = rows

    def options(self, **kw):
        return self


class Sheet:
    def __init__(self, name, rows):
        self.name, self.used_range = name, Used([list(r) for r in rows])


class App:
    def alert(self, *a, **k):
        pass


class Book:
    app = App()
    name = "Team"

    def __init__(self, path):
        wb = openpyxl.load_workbook(path, data_only=True)
        self.sheets = [Sheet(ws.title, ws.iter_rows(values_only=True)) for ws in wb.worksheets]


before = main.medpay_salary(3.0, "B")
main.use_pay_ranges(Book(sys.argv[2]))
print(json.dumps([before, main.medpay_salary(3.0, "B"), main.medpay_salary(3.0, "A")]))
"""


def test_lite_functions_use_the_pay_ranges_sheet_of_the_users_workbook(tmp_path):
    from openpyxl import load_workbook

    from addin.core.model import Level
    from addin.office.xlsx.settings import read_pay_settings

    lite = tmp_path / "lite"
    lite_build.build(lite)
    book = tmp_path / "own.xlsx"
    shutil.copy(WORKBOOKS / "pay-ranges.xlsx", book)
    wb = load_workbook(book)
    for row in wb["Pay ranges"].iter_rows(min_row=1):
        if row[0].value == 3:
            row[1].value, row[2].value, row[3].value = 30000, 31000, 32000
    wb.save(book)
    probe = tmp_path / "probe.py"
    probe.write_text(LITE_PAY_PROBE)
    env = {k: v for k, v in __import__("os").environ.items() if k not in ("MEDPAY_PAY_RANGES", "MEDPAY_HOME")}
    proc = subprocess.run([sys.executable, str(probe), str(lite), str(book)], capture_output=True,
                          text=True, cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    before, after_b, after_a = json.loads(proc.stdout.splitlines()[-1])
    # before: the shipped workbook's 3B (the copy frozen into main.py); after: this workbook's
    assert before == float(read_pay_settings(WORKBOOKS / "pay-ranges.xlsx").pay_point(3, Level.B))
    assert (after_b, after_a) == (31000.0, 30000.0)


def test_ribbon_labels_come_from_the_button_table():
    assert [LABELS[b] for b in BUTTONS] == re.findall(r'label="([^"]+)" size',
                                                       addin_build.ribbon_xml())


# --------------------------------------------------------------------------- issue 20: what users see


def test_every_ribbon_screentip_says_what_the_button_does_not_its_label():
    from addin.excel.buttons import DESCRIPTIONS

    with zipfile.ZipFile(ADDIN) as z:
        xml = z.read("customUI/customUI.xml").decode()
    buttons = re.findall(r"<button [^>]*/>", xml)
    assert len(buttons) == len(BUTTONS)
    for tag in buttons:
        label = re.search(r' label="([^"]+)"', tag).group(1)
        tip = re.search(r' screentip="([^"]+)"', tag).group(1)
        supertip = re.search(r' supertip="([^"]+)"', tag).group(1)
        assert tip != label and label not in tip and len(tip.split()) >= 5, (label, tip)
        assert supertip.startswith(tip) and supertip in DESCRIPTIONS.values()
    # the Validate estimates tip tells what it now gives
    assert "Eligible / Reasons / Effective date columns" in DESCRIPTIONS["validate_estimates"]


def test_addin_vba_project_carries_no_path_of_the_machine_it_was_built_from():
    """No stream of the add-in's vbaProject.bin, raw or decompressed, names a C:\\Users\\...
    folder (xlwings' template referenced MSForms through its author's VBE type cache)."""
    olefile = pytest.importorskip("olefile")
    ole = olefile.OleFileIO(_vba_bin(ADDIN))
    try:
        streams = {"/".join(e): ole.openstream(e).read() for e in ole.listdir()}
    finally:
        ole.close()
    assert "VBA/dir" in streams and "PROJECT" in streams
    spec = addin_build.read_vba_project(_vba_bin(ADDIN))
    texts = {**streams, "VBA/dir (decompressed)": addin_build._decompress(streams["VBA/dir"]),
             **{f"module {m.name}": m.source for m in spec.modules}}
    for name, text in texts.items():
        assert b"C:\\Users" not in text and b"\\Users\\" not in text, name
        assert b"felix" not in text, name  # the template author's user name


def test_addin_vba_project_holds_the_worksheet_function_wrappers():
    """What xlwings' Import Functions would write, built in: one VBA function per Python
    worksheet function, calling it through CallUDF, its answer through MedPayErrors."""
    from addin.excel.udfs import FUNCTIONS, VOLATILE

    code = _vba_modules(ADDIN)["xlwings_udfs"]
    for name in FUNCTIONS:
        m = re.search(rf"^Function {name}\(([^\r\n]*)\)\r?$(.*?)^End Function", code, re.M | re.S)
        assert m, name
        body = m.group(2)
        assert f'MedPayErrors(XLPy.CallUDF("addin.excel.xlwings_udfs", "{name.lower()}", ' in body
        assert ("Application.Volatile" in body) == (name in VOLATILE), name
    # optional arguments stay optional in Excel
    assert re.search(r"^Function MEDPAY_COST\(current_salary, fte, pay_range, level, Optional as_of\)",
                     code, re.M)
    assert 'MedPayError = CVErr(xlErrValue)' in code and 'MedPayError = CVErr(xlErrNA)' in code
    # the embedded module is the generated one, byte for byte
    spec = addin_build.read_vba_project(_vba_bin(ADDIN))
    assert spec.module("xlwings_udfs").source == addin_build.udf_bas().encode("cp1252"), REBUILD


def test_addin_registers_every_functions_argument_descriptions_when_it_opens():
    from addin.excel import xlwings_udfs

    code = _vba_modules(ADDIN)["xlwings_udfs"]
    auto_open = re.search(r"^Sub Auto_Open\(\)(.*?)^End Sub", code, re.M | re.S).group(1)
    assert "RegisterMedPayFunctions" in auto_open and "On Error Resume Next" in auto_open
    register = re.search(r"^Private Sub RegisterMedPayFunctions\(\)(.*?)^End Sub", code, re.M | re.S).group(1)
    logical = re.sub(r" _\r?\n\s*", " ", register)
    for name, decl in xlwings_udfs.DECLARATIONS.items():
        line = next(ln for ln in logical.splitlines() if f'book & "{name}",' in ln)
        assert 'Category:="MedPay"' in line
        docs = re.search(r"ArgumentDescriptions:=Array\((.*)\)\s*$", line).group(1)
        assert [d.replace('""', '"') for d in re.findall(r'"((?:[^"]|"")*)"', docs)] == \
            [doc for _, doc in decl.args], name


def test_the_udf_module_is_generated_by_xlwings_own_writer_from_the_declarations():
    """A function added to xlwings_udfs appears in the VBA: the module comes from
    xlwings.udfs.generate_vba_wrapper over the decorated module, not a hand-kept list."""
    text = addin_build.udf_bas()
    assert text.count("\r\nFunction MEDPAY_") == len(__import__("addin.excel.udfs").excel.udfs.FUNCTIONS)
    assert "\n" not in text.replace("\r\n", "")
    import sys as _sys

    # the pywin32 stubs and the classic decorators are gone again afterwards
    assert "xlwings.udfs" not in _sys.modules or _sys.platform.startswith("win")
    import xlwings

    assert xlwings.func.__module__ == "xlwings"


def test_the_settings_button_says_where_the_settings_are_even_without_python():
    """Settings is needed most when Python cannot start: its callback checks the configured
    interpreter in VBA (xlwings' GetConfig/FileExists) before RunPython, and otherwise names
    the settings file and opens it in Notepad."""
    code = _vba_modules(ADDIN)["MedPayRibbon"]
    sub = re.search(r"^Sub Settings\(control As IRibbonControl\)(.*?)^End Sub", code, re.M | re.S).group(1)
    check = sub.index('GetConfig("INTERPRETER_WIN")')
    assert check < sub.index("RunPython") and "Exit Sub" in sub[check:sub.index("RunPython")]
    assert "GetConfigFilePath()" in sub and 'Shell "notepad.exe' in sub
    xlwings = _vba_modules(ADDIN)["xlwings"]
    for name in ("GetConfig", "FileExists", "GetConfigFilePath"):
        assert re.search(rf"^Function {name}\(", xlwings, re.M), name  # public in the add-in
