"""Build the desktop add-in ``workbooks/MedPay.xlam`` and the demo ``workbooks/MedPay demo.xlsm``
with xlwings' own tooling (``scripts/build_addin`` calls :func:`build`).

How (all of it runs on Linux, no Excel):

1. ``xlwings quickstart medpay --addin --ribbon`` gives xlwings' template add-in: an
   .xlam with the xlwings VBA module (``RunPython``, ``GetConfig``), a sample ribbon
   module and a config sheet ``_myaddin.conf`` (the template is always "myaddin").
2. Its ``customUI/customUI.xml`` is replaced by the MedPay tab: one button per entry of
   :data:`addin.excel.buttons.BUTTONS`, each ``onAction="MedPayRibbon.<Sub>"``.
3. It is renamed MedPay throughout, as xlwings' custom add-in docs describe: VBA project
   ``MedPay``, the xlwings module's ``PROJECT_NAME`` = ``"medpay"`` (so ``GetConfig`` reads
   ``%USERPROFILE%\\.medpay\\medpay.conf`` / ``$HOME/medpay.conf``) and the config sheet,
   switched on, ``medpay.conf``; xlwings' sample module ``RibbonMyAddin`` is dropped. The
   sheet is filled in:
   ``UDF Modules`` = ``addin.excel.xlwings_udfs``; ``PYTHONPATH`` and the interpreters are
   left for the installing user (docs/hr-officer.md) because they are paths on their machine.
4. The ribbon callbacks - one ``Sub X(control As IRibbonControl)`` per button, each
   ``RunPython "import addin.excel.xlwings_buttons as m; m.<button>()"`` - are added to
   the add-in's VBA project as the standard module ``MedPayRibbon``: the template's
   ``xl/vbaProject.bin`` is read (olefile/oletools) and written again with ms-ovba, every
   other template module kept with its exact source, plus ``MedPayRibbon`` (see "VBA project"
   below for the MS-OVBA rules this relies on). The same module text is written next to
   the add-in as ``MedPayRibbon.bas``: the fallback a user imports by hand (VBA editor,
   File > Import File...) should Excel ever drop the embedded module.

The demo workbook is ``xlwings quickstart medpay_demo`` (an .xlsm whose VBA calls the
xlwings add-in; its sample ``Module1`` dropped) with an ``xlwings.conf`` sheet naming the UDF module, an "Estimates"
sheet of sample rows (so every button has something to work on) and a "Functions" sheet
with every ``=MEDPAY_...`` formula; its VBA project gets the same ``MedPayRibbon`` module.

Needs the ``build`` extra (``pip install -e .[build]``); the built workbooks are committed,
so using or testing them does not.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from addin.excel.buttons import BUTTONS, DESCRIPTIONS, LABELS

RIBBON_MODULE = "MedPayRibbon"
UDF_VBA_MODULE = "xlwings_udfs"
"""The VBA module of worksheet-function wrappers: the name xlwings' own "Import Functions"
gives it (so a user's re-import replaces it rather than adding a second copy)."""
PROJECT_NAME = "medpay"
"""The xlwings module's ``PROJECT_NAME`` in the add-in (xlwings' template says ``myaddin``):
its ``GetConfig`` reads the sheet ``medpay.conf`` and the files
``%USERPROFILE%\\.medpay\\medpay.conf`` (Windows) / ``$HOME/medpay.conf`` (Mac) - the files
docs/hr-officer.md and :func:`addin.excel.udfs._conf_files` name."""
VBA_PROJECT = "MedPay"
"""The add-in's VBA project name (the template's is ``MyAddin``), as the VBA editor lists it."""
CONF_SHEET = f"{PROJECT_NAME}.conf"
TEMPLATE_SAMPLES = {"RibbonMyAddin", "Module1"}
"""xlwings' sample modules (``RibbonMyAddin.RunMain`` in the add-in, ``Module1.SampleCall``
in the workbook): each runs ``"import " & mymodule & ";" & mymodule & ".main()"`` with
``mymodule`` the workbook's own file name, which is no Python module here, so they are
dropped from the built VBA projects."""
BUTTONS_MODULE = "addin.excel.xlwings_buttons"
UDF_MODULE = "addin.excel.xlwings_udfs"
ADDIN_NAME = "MedPay.xlam"
DEMO_NAME = "MedPay demo.xlsm"
BAS_NAME = "MedPayRibbon.bas"
CUSTOMUI_PART = "customUI/customUI.xml"
IMAGES = {
    "validate_framework": "ReviewAcceptChange",
    "validate_estimates": "AcceptInvitation",
    "cost_estimates": "AccountingFormat",
    "generate_application_forms": "FileNew",
    "generate_appraisal_forms": "CreateReport",
    "generate_pdp_forms": "FileNewDefault",
    "generate_initial_assessment_forms": "FormControlEditBox",
    "generate_letters": "SignatureLineInsert",
    "harvest_forms": "ImportExcel",
    "new_estimates_template": "TableInsert",
    "new_framework_template": "FileNew",
    "settings": "ControlProperties",
    "help_text": "Help",
}
GROUPS = [
    ("medpayCheck", "Check and cost", ["validate_framework", "validate_estimates", "cost_estimates"]),
    ("medpayDocuments", "Forms and letters",
     ["generate_application_forms", "generate_appraisal_forms", "generate_pdp_forms",
      "generate_initial_assessment_forms", "generate_letters", "harvest_forms"]),
    ("medpayNew", "New workbooks", ["new_estimates_template", "new_framework_template"]),
    ("medpayAbout", "MedPay", ["settings", "help_text"]),
]
"""The ribbon's groups, left to right; every button of BUTTONS is in exactly one."""


def vba_name(button: str) -> str:
    """``validate_framework`` -> ``ValidateFramework`` (the VBA callback's name)."""
    return "".join(part.capitalize() for part in button.split("_"))


def callback(button: str) -> str:
    """The ribbon ``onAction`` of a button: ``MedPayRibbon.ValidateFramework``."""
    return f"{RIBBON_MODULE}.{vba_name(button)}"


def screentip(button: str) -> str:
    """A button's screentip: what it does, the first clause of its description (the
    supertip under it gives the whole description)."""
    return DESCRIPTIONS[button].split("; ")[0].split(". ")[0].rstrip(".")


def ribbon_xml() -> str:
    """customUI XML: a "MedPay" tab, its :data:`GROUPS` of large buttons, one per button
    function; each button's screentip says what it does (:data:`addin.excel.buttons.DESCRIPTIONS`)."""
    placed = [b for _, _, names in GROUPS for b in names]
    if sorted(placed) != sorted(BUTTONS) or len(placed) != len(set(placed)):
        raise RuntimeError("GROUPS must hold every button of BUTTONS exactly once")
    groups = []
    for gid, glabel, names in GROUPS:
        buttons = "\n".join(
            f'          <button id={quoteattr("medpay_" + b)} label={quoteattr(LABELS[b])} '
            f'size="large" onAction={quoteattr(callback(b))} imageMso={quoteattr(IMAGES.get(b, "MacroPlay"))} '
            f'screentip={quoteattr(screentip(b))} '
            f'supertip={quoteattr(DESCRIPTIONS[b])} />'
            for b in names
        )
        groups.append(f'        <group id={quoteattr(gid)} label={quoteattr(glabel)}>\n{buttons}\n        </group>')
    return (
        '<customUI xmlns="http://schemas.microsoft.com/office/2006/01/customui">\n'
        "  <ribbon>\n    <tabs>\n"
        '      <tab id="medpayTab" label="MedPay">\n'
        + "\n".join(groups) + "\n"
        "      </tab>\n    </tabs>\n  </ribbon>\n</customUI>\n"
    )


def ribbon_bas() -> str:
    """The VBA module with the ribbon callbacks (CRLF line ends, as VBA exports them)."""
    lines = [f'Attribute VB_Name = "{RIBBON_MODULE}"',
             "' MedPay ribbon callbacks: generated by scripts/build_addin - do not edit.",
             "' Each button runs one function of addin/excel/xlwings_buttons.py.",
             "Option Explicit", ""]
    for b in BUTTONS:
        lines += [
            f"Sub {vba_name(b)}(control As IRibbonControl)",
            *BEFORE_PYTHON.get(b, []),
            f'    RunPython "import {BUTTONS_MODULE} as medpay_buttons; medpay_buttons.{b}()"',
            "End Sub",
            "",
        ]
    return "\r\n".join(lines)


BEFORE_PYTHON = {
    "settings": [
        "    ' Settings must help most when Python cannot start: then say where the settings file",
        "    ' is, and open it, without Python (GetConfig/FileExists/GetConfigFilePath: xlwings' VBA).",
        "    #If Not Mac Then",
        "    Dim python As String",
        '    python = GetConfig("INTERPRETER_WIN")',
        "    If python = \"\" Or Not FileExists(python) Then",
        "        MsgBox \"MedPay cannot find its Python (\"\"\" & python & \"\"\"). Its settings file is \" & _",
        "            GetConfigFilePath() & \": run scripts\\install-windows.ps1 again, or set INTERPRETER_WIN \" & _",
        "            \"there to the pythonw.exe of MedPay's environment.\", vbExclamation, \"MedPay: Settings\"",
        "        If FileExists(GetConfigFilePath()) Then Shell \"notepad.exe \"\"\" & GetConfigFilePath() & \"\"\"\", vbNormalFocus",
        "        Exit Sub",
        "    End If",
        "    #End If",
    ],
}
"""VBA a ribbon callback runs before its RunPython: the Settings button works without Python."""


_CLASSIC_COPY = "_medpay_classic_xlwings_udfs"


@contextlib.contextmanager
def classic_xlwings_udfs():
    """A fresh copy of :mod:`addin.excel.xlwings_udfs` declared under classic xlwings' own
    decorators (``xlwings.udfs.xlfunc``/``xlarg``, what ``@xw.func``/``@xw.arg`` are on
    Windows), and that ``xlwings.udfs`` module: yields ``(module, xlwings.udfs)``.

    ``xlwings.udfs`` imports pywin32 (``pythoncom``, ``pywintypes``, ``win32com.client``) at
    the top, for the COM server; neither the decorators nor the VBA writer
    (``generate_vba_wrapper``) use it, so off Windows those modules are stubbed for the
    import. Everything - the stubs, ``xlwings.func``/``xlwings.arg``, ``sys.modules`` - is
    put back afterwards."""
    import importlib
    import importlib.util
    import types

    import xlwings

    saved = {name: sys.modules.get(name) for name in
             ("pythoncom", "pywintypes", "win32com", "win32com.client", "xlwings.udfs",
              _CLASSIC_COPY)}
    saved_attrs = {name: getattr(xlwings, name) for name in ("func", "arg")}
    try:
        if saved["pythoncom"] is None:
            for name in ("pythoncom", "pywintypes", "win32com", "win32com.client"):
                sys.modules[name] = types.ModuleType(name)
            sys.modules["pythoncom"].CoInitialize = lambda: None  # type: ignore[attr-defined]
            sys.modules["pywintypes"].com_error = OSError  # type: ignore[attr-defined]
            sys.modules["win32com.client"].Dispatch = None  # type: ignore[attr-defined]
        classic = importlib.import_module("xlwings.udfs")
        xlwings.func, xlwings.arg = classic.xlfunc, classic.xlarg
        found = importlib.util.find_spec(UDF_MODULE)
        spec = importlib.util.spec_from_file_location(_CLASSIC_COPY, found.origin if found else None)
        if spec is None or spec.loader is None:
            raise RuntimeError(f"cannot find {UDF_MODULE}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[_CLASSIC_COPY] = module  # (dataclasses look their module up there)
        spec.loader.exec_module(module)
        yield module, classic
    finally:
        for name, value in saved_attrs.items():
            setattr(xlwings, name, value)
        for name, mod in saved.items():
            if mod is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = mod


def _vba_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


_UDF_HELPERS = """
Private Function MedPayErrors(ByVal v As Variant) As Variant
    ' The Python functions answer "#VALUE!" / "#N/A" for bad input (addin.excel.udfs.CellError):
    ' here they become Excel's own error values, so IFERROR and ISERROR see them.
    Dim i As Long, j As Long
    If Not IsArray(v) Then
        MedPayErrors = MedPayError(v)
        Exit Function
    End If
    If MedPayDimensions(v) = 2 Then
        For i = LBound(v, 1) To UBound(v, 1)
            For j = LBound(v, 2) To UBound(v, 2)
                v(i, j) = MedPayError(v(i, j))
            Next j
        Next i
    Else
        For i = LBound(v) To UBound(v)
            v(i) = MedPayError(v(i))
        Next i
    End If
    MedPayErrors = v
End Function

Private Function MedPayDimensions(ByVal v As Variant) As Long
    ' How many dimensions an array has: UBound fails on the first one it lacks.
    Dim n As Long, bound As Long
    On Error GoTo done
    Do
        n = n + 1
        bound = UBound(v, n)
    Loop
done:
    MedPayDimensions = n - 1
End Function

Private Function MedPayError(ByVal v As Variant) As Variant
    MedPayError = v
    If VarType(v) = vbString Then
        If v = "#VALUE!" Then
            MedPayError = CVErr(xlErrValue)
        ElseIf v = "#N/A" Then
            MedPayError = CVErr(xlErrNA)
        End If
    End If
End Function
"""


def udf_bas() -> str:
    """The add-in's worksheet-function module (CRLF line ends): the VBA wrappers that
    xlwings' "Import Functions" would write into the VBA project, generated here at build
    time by xlwings' own writer (``xlwings.udfs.generate_vba_wrapper``) from the
    ``@xw.func``/``@xw.arg`` declarations of :mod:`addin.excel.xlwings_udfs`, so the user
    needs no "Trust access to the VBA project object model" and no Immediate-window step.
    Then: the functions are named in capitals as the README writes them (``MEDPAY_SALARY``;
    the Python name passed to ``CallUDF`` stays); each answer goes through ``MedPayErrors``
    (the ``"#VALUE!"``/``"#N/A"`` texts become ``CVErr`` values); and ``Auto_Open``, run
    when Excel loads the add-in, gives Insert Function each function's description,
    category and argument descriptions (``RegisterMedPayFunctions``:
    ``Application.MacroOptions``, what the import does after it)."""
    import io

    with classic_xlwings_udfs() as (module, classic):
        names = list(module.DECLARATIONS)
        declarations = dict(module.DECLARATIONS)

        class AddinBook:
            Name = ADDIN_NAME  # an .xlam: the wrappers pass ActiveWorkbook, as xlwings does

        buffer = io.StringIO()
        classic.generate_vba_wrapper(UDF_MODULE, module, buffer, AddinBook())
    body = buffer.getvalue().replace("\r\n", "\n")
    for name in names:
        python = name.lower()
        body = re.sub(rf'(?<!")\b{python}\b(?!")', name, body)
        # every answer (both #If branches) through MedPayErrors
        body = re.sub(rf"^(\s*){name} = (XLPy\.CallUDF\(.*\))$",
                      rf"\1{name} = MedPayErrors(\2)", body, flags=re.M)
    if body.count("MedPayErrors(XLPy.CallUDF") != 2 * len(names):
        raise RuntimeError("xlwings' UDF wrappers changed shape: every CallUDF answer must pass MedPayErrors")
    register = ["Sub Auto_Open()",
                "    ' Insert Function's descriptions for the MedPay functions. Excel may refuse",
                "    ' MacroOptions on a hidden workbook (an add-in): then the add-in is made a normal",
                "    ' workbook for the moment, as when xlwings imports functions, and an add-in again.",
                "    On Error Resume Next",
                "    RegisterMedPayFunctions",
                "    If Err.Number <> 0 Then",
                "        Err.Clear",
                "        Application.ScreenUpdating = False",
                "        ThisWorkbook.IsAddin = False",
                "        RegisterMedPayFunctions",
                "        ThisWorkbook.IsAddin = True",
                "        Application.ScreenUpdating = True",
                "    End If",
                "    ThisWorkbook.Saved = True",
                "End Sub",
                "",
                "Private Sub RegisterMedPayFunctions()",
                "    Dim book As String",
                "    book = \"'\" & ThisWorkbook.Name & \"'!\""]
    for name in names:
        d = declarations[name]
        arg_docs = ", _\n        ".join(_vba_string(doc) for _, doc in d.args)
        register.append(f"    Application.MacroOptions Macro:=book & {_vba_string(name)}, "
                        f"Description:={_vba_string(d.doc)}, Category:=\"MedPay\", _\n"
                        f"        ArgumentDescriptions:=Array({arg_docs})")
    register += ["End Sub", ""]
    lines = [f'Attribute VB_Name = "{UDF_VBA_MODULE}"',
             "'MedPay worksheet functions: generated by scripts/build_addin from "
             "addin/excel/xlwings_udfs.py with xlwings' own UDF writer - do not edit.",
             '#Const App = "Microsoft Excel" \'Adjust when using outside of Excel',
             body.rstrip("\n"), _UDF_HELPERS.strip("\n"), "", *register]
    return "\r\n".join("\n".join(lines).split("\n"))


_VBA_TOKEN = re.compile(r'"(?:[^"]|"")*"|\'.*|[A-Za-z_]\w*|\S')


def _vba_lines(vba_source: str):
    """Logical lines of VBA source (`` _`` continuations joined) as token lists: string
    literals, identifiers and single characters; comments (``'`` outside a string) and
    ``Rem`` lines dropped."""
    logical = re.sub(r" _\r?\n", " ", vba_source)
    for line in logical.splitlines():
        tokens = [t for t in _VBA_TOKEN.findall(line) if not t.startswith("'")]
        if tokens and tokens[0].lower() != "rem":
            yield tokens


@dataclass(frozen=True)
class RunPythonCall:
    """One ``RunPython`` call in VBA source: its argument as written and, when that is a
    string literal holding ``import m [as a]; a.f()``, the (module, function) it runs."""

    argument: str
    target: tuple[str, str] | None


def _python_target(command: str) -> tuple[str, str] | None:
    """(module, function) of a RunPython command ``import m [as a]; a.f()``, else None."""
    import ast

    try:
        body = ast.parse(command).body
    except SyntaxError:
        return None
    if len(body) != 2 or not isinstance(body[0], ast.Import) or len(body[0].names) != 1:
        return None
    alias = body[0].names[0]
    call = body[1]
    if not (isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
            and not call.value.args and not call.value.keywords
            and isinstance(call.value.func, ast.Attribute)
            and isinstance(call.value.func.value, ast.Name)
            and call.value.func.value.id == (alias.asname or alias.name)):
        return None
    return alias.name, call.value.func.attr


def runpython_calls(vba_source: str) -> list[RunPythonCall]:
    """Every call of ``RunPython`` in VBA source, literal or not (``RunPython "..."``,
    ``RunPython("...")``, ``Call RunPython(...)``, ``x = RunPython(...)``); the function's
    own declaration, its return-value assignments (``RunPython = ...``), comments and
    strings that merely mention it are not calls. A call whose argument is not one string
    literal (``"import " & m & ...``) has no ``target``: nothing here can tell what it runs."""
    calls = []
    for tokens in _vba_lines(vba_source):
        low = [t.lower() for t in tokens]
        for i, tok in enumerate(low):
            if tok != "runpython":
                continue
            before = low[i - 1] if i else ""
            if before in ("function", "sub", "declare", "."):
                continue
            rest = tokens[i + 1:]
            if rest[:1] == ["="] and i == 0:  # RunPython = ... (the function's return value)
                continue
            if rest[:1] == ["("] and rest[-1:] == [")"]:
                rest = rest[1:-1]
            argument = " ".join(rest)
            target = None
            if len(rest) == 1 and rest[0].startswith('"'):
                target = _python_target(rest[0][1:-1].replace('""', '"'))
            calls.append(RunPythonCall(argument, target))
    return calls


def runpython_targets(vba_source: str) -> list[tuple[str, str]]:
    """(module, function) of every ``RunPython`` call in VBA source; ValueError when a
    call's target cannot be resolved (see :func:`runpython_calls`)."""
    out = []
    for call in runpython_calls(vba_source):
        if call.target is None:
            raise ValueError(f"RunPython {call.argument}: names no Python function that can be resolved")
        out.append(call.target)
    return out


def vba_subs(vba_source: str, module: str | None = None) -> set[str]:
    """``Module.Sub`` (or ``Sub``) names defined in VBA source."""
    names = set(re.findall(r"^\s*(?:Public\s+|Private\s+)?Sub\s+(\w+)\s*\(", vba_source, re.M | re.I))
    return {f"{module}.{n}" for n in names} if module else names


def _xlwings(*args: str, cwd: Path) -> None:
    exe = Path(sys.executable).with_name("xlwings")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from xlwings.cli import main; main()"]
    subprocess.run([*cmd, *args], cwd=cwd, check=True, capture_output=True, text=True)


def _conf_sheet_xml(values: list[tuple[str, str]]) -> str:
    rows = []
    for r, (key, value) in enumerate(values, 1):
        cells = f'<c r="A{r}" t="inlineStr"><is><t>{escape(key)}</t></is></c>'
        if value:
            cells += f'<c r="B{r}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
        rows.append(f'<row r="{r}">{cells}</row>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            '<sheetPr codeName="Sheet2" /><cols><col min="1" max="1" width="18" customWidth="1" />'
            '<col min="2" max="2" width="60" customWidth="1" /></cols>'
            f'<sheetData>{"".join(rows)}</sheetData></worksheet>')


ADDIN_CONF = [("UDF Modules", UDF_MODULE)]
"""The add-in's own config sheet (``medpay.conf``): only what is the same on every machine.
xlwings' ``GetConfig`` reads the sheet first and a key listed there, even with an empty
value, hides the user's config file - so the Interpreter and PYTHONPATH rows of xlwings'
template are not written: they come from ``%USERPROFILE%\\.medpay\\medpay.conf``, which
``scripts/install-windows.ps1`` writes."""


BUILD_MOMENT = dt.datetime(2024, 1, 1)
"""The one timestamp in the built workbooks (zip entries, the demo's docProps/core.xml), so
a rebuild from the same sources gives the same bytes."""


def _fixed_zip_write(zout: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=BUILD_MOMENT.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    zout.writestr(info, data)


def build_addin(out_dir: Path, work: Path) -> Path:
    """``MedPay.xlam`` (and ``MedPayRibbon.bas``) from xlwings' ribbon add-in template."""
    _xlwings("quickstart", "medpay", "--addin", "--ribbon", cwd=work)
    template = work / "medpay" / "medpay.xlam"
    target = out_dir / ADDIN_NAME
    with zipfile.ZipFile(template) as zin:
        workbook_xml = zin.read("xl/workbook.xml").decode("utf-8")
        m = re.search(r'<sheet name="_?([^"]+)\.conf"', workbook_xml)
        if not m:
            raise RuntimeError("xlwings' add-in template has no config sheet; xlwings changed?")
        workbook_xml = workbook_xml.replace(m.group(0), f'<sheet name="{CONF_SHEET}"', 1)
        rels = zin.read("xl/_rels/workbook.xml.rels").decode("utf-8")
        sheet_m = re.search(r'Target="(worksheets/sheet\d+\.xml)"', rels)
        if not sheet_m:
            raise RuntimeError("xlwings' add-in template has no worksheet; xlwings changed?")
        sheet_target = sheet_m.group(1)
        tmp = target.with_suffix(".tmp")
        with zipfile.ZipFile(tmp, "w") as zout:
            for item in zin.infolist():
                data = zin.read(item.filename)
                if item.filename == "xl/workbook.xml":
                    data = workbook_xml.encode("utf-8")
                elif item.filename == CUSTOMUI_PART:
                    data = ribbon_xml().encode("utf-8")
                elif item.filename == f"xl/{sheet_target}":
                    data = _conf_sheet_xml(ADDIN_CONF).encode("utf-8")
                elif item.filename == VBA_PART:
                    data = vba_project_with_ribbon(data, work, name=VBA_PROJECT, project_name=PROJECT_NAME,
                                                  udfs=True)
                _fixed_zip_write(zout, item.filename, data)
    tmp.replace(target)
    (out_dir / BAS_NAME).write_bytes(ribbon_bas().encode("utf-8"))
    return target


# --------------------------------------------------------------------------- VBA project
#
# The ribbon callbacks go INTO the add-in's VBA project (xl/vbaProject.bin), written with
# ms-ovba (the `build` extra). MS-OVBA (the VBA file-format specification) is what makes
# a source-only project work: section 1.6 "Versioning and Localization" says the
# performance caches (the compiled p-code in _VBA_PROJECT and in each module stream) are
# used only when _VBA_PROJECT.Version matches the running Office, and "To be
# interoperable, this version number MUST be set to 0xFFFF so that performance caches are
# ignored"; 2.3.4.1 says Version "MUST be 0xFFFF on write" and PerformanceCache "MUST NOT
# be present on write". So every module is written with MODULEOFFSET 0 (source only) and
# _VBA_PROJECT is the bare 7-byte header: Excel compiles the modules from their source.
# xlwings' own template already ships that way (its _VBA_PROJECT has Version 0xFFFF and
# no cache; its `xlwings` module has TextOffset 0).

VBA_PART = "xl/vbaProject.bin"
_REFERENCE_IDS = {0x0016, 0x000D, 0x000E, 0x002F, 0x0033}
_DOC, _CLASS, _STD = "Document", "Class", "Module"


@dataclass
class VbaModule:
    """One module of a VBA project: its name, kind (Document/Class/Module), MODULEDOCSTRING,
    [Workspace] line values and source text (the decompressed source, Attribute lines
    included, as bytes in the project's code page)."""

    name: str
    kind: str
    source: bytes
    docstring: str = ""
    workspace: tuple[int, int, int, int, str] | None = None
    text_offset: int = 0
    """MODULEOFFSET: where the source starts in the module stream (after any p-code)."""


@dataclass
class VbaProjectSpec:
    """What a vbaProject.bin holds, read from xlwings' template so a rebuilt project keeps
    it: PROJECT stream ID/Name/attributes, the dir stream's PROJECTINFORMATION and
    PROJECTREFERENCES records (raw bytes), and the modules in order."""

    project_id: str
    name: str
    attributes: list[tuple[str, str]]
    information: bytes
    references: bytes
    codepage: int
    modules: list[VbaModule] = field(default_factory=list)

    def module(self, name: str) -> VbaModule:
        return next(m for m in self.modules if m.name == name)


def _records(data: bytes, start: int = 0):
    """(id, offset, end) of each dir-stream record (MS-OVBA 2.3.4.2): Id (2), Size (4),
    data; PROJECTVERSION (0x0009) is the one record whose Size (4) does not count its 6
    data bytes."""
    i = start
    while i < len(data):
        rid, size = struct.unpack_from("<HI", data, i)
        end = i + 6 + (6 if rid == 0x0009 else size)
        yield rid, i, end
        i = end


def _decompress(data: bytes) -> bytes:
    """MS-OVBA 2.4.1 decompression by oletools (a second, independent implementation:
    ms-ovba's compressor writes, oletools' decompressor reads)."""
    from oletools.olevba import decompress_stream

    return bytes(decompress_stream(bytearray(data)))


def ovba_compress(data: bytes) -> bytes:
    """MS-OVBA 2.4.1 compression (CompressedContainer of 4096-byte chunks of token sequences).

    Written here because ms-ovba-compression 1.0.1 (ms-ovba's compressor) computes a copy
    token's MaximumLength as ``0xFFFF << BitCount + 3`` instead of 2.4.1.3.19.1's
    ``(0xFFFF >> BitCount) + 3``: any match longer than the maximum (e.g. >18 bytes past
    the 2048th byte of a chunk - repeated VBA lines) spills into the offset bits and the
    source decompresses wrong. Matches are found through a 3-byte index (the most recent
    256 candidates), so output is valid though not always the shortest.
    """
    out = bytearray(b"\x01")  # SignatureByte
    for start in range(0, len(data), 4096):
        chunk = data[start:start + 4096]
        body = _compress_chunk(chunk)
        if len(body) > 4096:
            if len(chunk) < 4096:  # a raw chunk must hold exactly 4096 bytes (2.4.1.3.10)
                raise ValueError("final chunk does not compress; cannot store it raw")
            out += (0x3000 | 4095).to_bytes(2, "little") + chunk
        else:
            out += (0xB000 | (len(body) + 2 - 3)).to_bytes(2, "little") + body
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    out = bytearray()
    index: dict[bytes, list[int]] = {}
    pos, n = 0, len(chunk)

    def remember(p: int) -> None:
        if p + 3 <= n:
            index.setdefault(chunk[p:p + 3], []).append(p)

    while pos < n:
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= n:
                break
            bit_count = max((pos - 1).bit_length(), 4)  # ceil(log2(pos)), at least 4
            max_len = min((0xFFFF >> bit_count) + 3, n - pos)
            best_len = best_at = 0
            for cand in reversed(index.get(chunk[pos:pos + 3], [])[-256:]):
                k = 0
                while k < max_len and chunk[cand + k] == chunk[pos + k]:
                    k += 1
                if k > best_len:
                    best_len, best_at = k, cand
                    if k == max_len:
                        break
            if best_len >= 3:
                token = ((pos - best_at - 1) << (16 - bit_count)) | (best_len - 3)
                out += token.to_bytes(2, "little")
                flags |= 1 << bit
                for p in range(pos, pos + best_len):
                    remember(p)
                pos += best_len
            else:
                out.append(chunk[pos])
                remember(pos)
                pos += 1
        out[flag_at] = flags
    return bytes(out)


def read_vba_project(vba_bin: bytes) -> VbaProjectSpec:
    """Read a vbaProject.bin (MS-OVBA 2.3) into a :class:`VbaProjectSpec`; refuse shapes
    this build does not carry over (designer modules, read-only/private flags)."""
    import olefile

    ole = olefile.OleFileIO(vba_bin)
    try:
        project_text = ole.openstream("PROJECT").read()
        dir_data = _decompress(ole.openstream("VBA/dir").read())
        codepage: int | None = None
        info_end = refs_end = None
        modules: list[dict[str, Any]] = []
        current: dict[str, Any] = {}
        for rid, start, end in _records(dir_data):
            payload = dir_data[start + 6:end]
            if info_end is None:
                if rid == 0x0003:
                    codepage = struct.unpack("<H", payload)[0]
                elif rid in _REFERENCE_IDS or rid == 0x000F:
                    info_end = start
            if refs_end is None and rid == 0x000F:
                refs_end = start
            if refs_end is None:
                continue
            if rid == 0x0019:
                current = {"name": payload.decode(f"cp{codepage}")}
            elif rid == 0x001A:
                current["stream"] = payload.decode(f"cp{codepage}")
            elif rid == 0x001C:
                current["docstring"] = payload.decode(f"cp{codepage}")
            elif rid == 0x0031:
                current["offset"] = struct.unpack("<I", payload)[0]
            elif rid in (0x0021, 0x0022):
                current["type"] = rid
            elif rid in (0x0025, 0x0028):
                raise RuntimeError(f"VBA module {current.get('name')} is read-only/private: not carried over")
            elif rid == 0x002B:
                if current["stream"] != current["name"]:
                    raise RuntimeError(f"VBA module {current['name']} is stored as {current['stream']}")
                stream = ole.openstream(f"VBA/{current['stream']}").read()
                current["source"] = _decompress(stream[current["offset"]:])
                modules.append(current)
        if codepage is None:
            raise RuntimeError("VBA project has no PROJECTCODEPAGE record")
        name_m = re.search(rb'^Name="([^"]*)"', project_text, re.M)
        if not name_m:
            raise RuntimeError("VBA project's PROJECT stream has no Name")
        name = name_m.group(1).decode(f"cp{codepage}")
    finally:
        ole.close()
    text = project_text.decode(f"cp{codepage}")
    kinds = {}
    for line in text.split("\r\n"):
        key, _, value = line.partition("=")
        if key in (_DOC, _CLASS, _STD):
            kinds[value.split("/")[0]] = key
        elif key in ("Package", "BaseClass"):
            raise RuntimeError(f"VBA project has a designer (UserForm) {value}: not carried over")
    attributes = []
    head = text.split("\r\n\r\n")[0]
    after_help = head.split('HelpContextID=', 1)[1].split("\r\n")[1:]
    for line in after_help:
        key, _, value = line.partition("=")
        if key not in ("CMG", "DPB", "GC", "Description", ""):
            attributes.append((key, value.strip('"')))
    workspace = {}
    if "[Workspace]" in text:
        for line in text.split("[Workspace]", 1)[1].split("\r\n"):
            key, _, value = line.partition("=")
            parts = [p.strip() for p in value.split(",")]
            if key and len(parts) == 5:
                workspace[key] = (*(int(p) for p in parts[:4]), parts[4])
    id_m = re.search(r'^ID="([^"]*)"', text, re.M)
    if not id_m:
        raise RuntimeError("VBA project's PROJECT stream has no ID")
    project_id = id_m.group(1)
    return VbaProjectSpec(
        project_id=project_id, name=name, attributes=attributes,
        information=dir_data[:info_end], references=dir_data[info_end:refs_end], codepage=codepage,
        modules=[VbaModule(m["name"], kinds[m["name"]], m["source"], m.get("docstring", ""),
                           workspace.get(m["name"]), m["offset"])
                 for m in modules])


def write_vba_project(spec: VbaProjectSpec, work: Path) -> bytes:
    """A vbaProject.bin for ``spec`` written by ms-ovba: source-only modules (MODULEOFFSET 0),
    _VBA_PROJECT Version 0xFFFF without a performance cache (MS-OVBA 1.6, 2.3.4.1), the
    PROJECT stream (ID, modules, Name, attributes, CMG/DPB/GC, [Workspace]) and PROJECTwm;
    the PROJECTINFORMATION and PROJECTREFERENCES records are the template's, byte for byte
    (ms-ovba would otherwise write a fixed name, system kind and reference versions).
    ms-ovba and ms-cfb write their parts into the current directory, so this runs in
    ``work``."""
    from ms_cfb.Models.Directories.root_directory import RootDirectory
    from ms_cfb.Models.Directories.storage_directory import StorageDirectory
    from ms_cfb.Models.Directories.stream_directory import StreamDirectory
    from ms_cfb.ole_file import OleFile
    from ms_ovba.Models.Entities.doc_module import DocModule
    from ms_ovba.Models.Entities.reference import Reference
    from ms_ovba.Models.Entities.reference_record import ReferenceRecord
    from ms_ovba.Models.Entities.std_module import StdModule
    from ms_ovba.Models.Fields.doubleEncodedString import DoubleEncodedString
    from ms_ovba.vbaProject import VbaProject
    from ms_ovba.Views.dirStream import DirStream
    from ms_ovba.Views.project import Project
    from ms_ovba.Views.project_view import ProjectView
    from ms_ovba.Views.projectWm import ProjectWm

    cp_name = f"cp{spec.codepage}"

    class Raw(ReferenceRecord):
        """Records copied verbatim from the template's dir stream."""

        def __init__(self, data: bytes) -> None:
            self.data = data

        def pack(self, endien: str, cp_name: str | None = None) -> bytes:
            return self.data

    class ClassModule(StdModule):
        """A class module: "Class=" in PROJECT, MODULETYPE 0x0022 in dir (2.3.4.2.3.2.8);
        ms-ovba only knows procedural and document modules."""

        def __init__(self, name: str) -> None:
            super().__init__(name)
            self.type = _CLASS

        def pack(self, endien: str, cp_name: str) -> bytes:
            out = super().pack(endien, cp_name)
            tail = struct.pack("<HIHI", 0x0021, 0, 0x002B, 0)
            assert out.endswith(tail)
            return out[:-len(tail)] + struct.pack("<HIHI", 0x0022, 0, 0x002B, 0)

    class TemplateDir(DirStream):
        def _load_information(self) -> list:
            return [Raw(spec.information)]

    class NamedProject(Project):
        def __str__(self) -> str:
            text = super().__str__()
            assert '\r\nName="VBAProject"\r\n' in text
            return text.replace('\r\nName="VBAProject"\r\n', f'\r\nName="{spec.name}"\r\n', 1)

    project = VbaProject()
    project.codepage_name = cp_name
    project.project_id = spec.project_id
    project.include_projectwm()
    for key, value in spec.attributes:
        project.add_attribute(key, value)
    project.add_reference(Reference(Raw(spec.references), None))
    for m in spec.modules:
        module = {_DOC: DocModule, _CLASS: ClassModule, _STD: StdModule}[m.kind](m.name)
        if m.docstring:
            module.docString = DoubleEncodedString([0x001C, 0x0048], m.docstring)
        if m.workspace:
            module.add_workspace(*m.workspace)
        module.add_file(m.name)
        project.add_module(module)

    with contextlib.chdir(work):
        root = RootDirectory()
        root.set_modified(project.default_date)
        storage = StorageDirectory("VBA")
        storage.set_created(project.default_date)
        storage.set_modified(project.default_date)
        for m, module in zip(spec.modules, project.modules):
            if module.cache:
                raise RuntimeError("a module stream must carry no performance cache")
            Path(module.bin_path).write_bytes(ovba_compress(m.source))  # MODULEOFFSET 0
            storage.add_directory(StreamDirectory(m.name, module.bin_path))
        Path("dir.bin").write_bytes(ovba_compress(TemplateDir(project).to_bytes()))
        storage.add_directory(StreamDirectory("dir", "dir.bin"))
        Path("vba_project.bin").write_bytes(ProjectView(project, reserved=0x0001).to_bytes())
        storage.add_directory(StreamDirectory("_VBA_PROJECT", "vba_project.bin"))
        root.add_directory(storage)
        ProjectWm(project).write_file()
        root.add_directory(StreamDirectory("PROJECTwm", "projectwm.bin"))
        state = random.getstate()
        random.seed(0)  # CMG/DPB/GC are encrypted under a random seed (2.4.3): fix it for a reproducible build
        try:
            Path("project.bin").write_bytes(NamedProject(project).to_bytes())
        finally:
            random.setstate(state)
        root.add_directory(StreamDirectory("PROJECT", "project.bin"))
        ole = OleFile()
        ole.root_directory = root
        ole.create_file("vbaProject.bin")
        return Path("vbaProject.bin").read_bytes()


def with_ribbon_module(spec: VbaProjectSpec, *, udfs: bool = False) -> VbaProjectSpec:
    """``spec`` plus the generated ribbon-callback module (the same text as MedPayRibbon.bas)
    and, with ``udfs``, the worksheet-function module (:func:`udf_bas`)."""
    added = [(RIBBON_MODULE, ribbon_bas())] + ([(UDF_VBA_MODULE, udf_bas())] if udfs else [])
    for name, _ in added:
        if any(m.name == name for m in spec.modules):
            raise RuntimeError(f"xlwings' template already has a module {name}")
    modules = [VbaModule(name, _STD, text.encode(f"cp{spec.codepage}")) for name, text in added]
    return dataclasses.replace(spec, modules=[*spec.modules, *modules])


UNUSED_REFERENCES = {b"MSForms"}
"""References of xlwings' template no module uses: Microsoft Forms 2.0 (no UserForm, no
MSForms object in any module). Its REFERENCECONTROL record carries the path of the
template author's type-library cache (``C:\\Users\\<name>\\AppData\\Local\\Temp\\VBE\\
MSForms.exd``), which the built projects must not: so the reference is dropped."""


def _reference_groups(references: bytes) -> list[tuple[bytes, bytes]]:
    """The PROJECTREFERENCES records grouped per reference (MS-OVBA 2.3.4.2.2): (name, raw
    bytes). Each reference starts with its REFERENCENAME (0x0016); a REFERENCECONTROL
    (0x002F) is followed by its own extended name record, which does not start a new one."""
    groups: list[tuple[bytes, bytearray]] = []
    previous = None
    for rid, start, end in _records(references):
        if rid == 0x0016 and previous != 0x002F:
            size = struct.unpack_from("<I", references, start + 2)[0]
            groups.append((references[start + 6:start + 6 + size], bytearray()))
        if not groups:
            raise RuntimeError("the template's references do not start with a REFERENCENAME")
        groups[-1][1].extend(references[start:end])
        previous = rid
    return [(name, bytes(raw)) for name, raw in groups]


def without_unused_references(references: bytes) -> bytes:
    """The template's references less :data:`UNUSED_REFERENCES`, every other one byte for byte."""
    return b"".join(raw for name, raw in _reference_groups(references) if name not in UNUSED_REFERENCES)


def vba_project_stream(vba_bin: bytes) -> bytes:
    """The _VBA_PROJECT stream of a vbaProject.bin (7 bytes when there is no performance cache)."""
    import olefile

    ole = olefile.OleFileIO(vba_bin)
    try:
        return ole.openstream("VBA/_VBA_PROJECT").read()
    finally:
        ole.close()


_PROJECT_NAME_CONST = re.compile(rb'^(Public Const PROJECT_NAME As String = ")([^"]*)(")', re.M)


def _with_project_name_record(information: bytes, name: bytes) -> bytes:
    """The dir stream's PROJECTINFORMATION records with PROJECTNAME (0x0004, MS-OVBA
    2.3.4.2.1.6: Id, SizeOfProjectName, ProjectName in the code page, 1-128 bytes) set to
    ``name``; every other record byte for byte."""
    if not 1 <= len(name) <= 128:
        raise ValueError("a VBA project name has 1 to 128 bytes")
    out, found = bytearray(), False
    for rid, start, end in _records(information):
        if rid == 0x0004:
            out += struct.pack("<HI", 0x0004, len(name)) + name
            found = True
        else:
            out += information[start:end]
    if not found:
        raise RuntimeError("the template's dir stream has no PROJECTNAME record")
    return bytes(out)


def customised_project(spec: VbaProjectSpec, *, name: str | None = None,
                       project_name: str | None = None) -> VbaProjectSpec:
    """xlwings' template project made MedPay's: its sample modules
    (:data:`TEMPLATE_SAMPLES`) and unused references (:data:`UNUSED_REFERENCES`) dropped; with ``name``, the VBA project renamed (the
    PROJECT stream's Name= and the dir stream's PROJECTNAME, kept equal); with
    ``project_name``, the xlwings module's ``Public Const PROJECT_NAME`` set (the one line
    of a template module's source that changes)."""
    cp = f"cp{spec.codepage}"
    modules = [m for m in spec.modules if m.name not in TEMPLATE_SAMPLES]
    if project_name is not None:
        xlwings = next((m for m in modules if m.name == "xlwings"), None)
        if xlwings is None or len(_PROJECT_NAME_CONST.findall(xlwings.source)) != 1:
            raise RuntimeError("xlwings' template has no single PROJECT_NAME constant; xlwings changed?")
        source = _PROJECT_NAME_CONST.sub(lambda m: m.group(1) + project_name.encode(cp) + m.group(3),
                                         xlwings.source)
        modules = [dataclasses.replace(m, source=source) if m is xlwings else m for m in modules]
    spec = dataclasses.replace(spec, modules=modules,
                               references=without_unused_references(spec.references))
    if name is not None:
        spec = dataclasses.replace(spec, name=name,
                                   information=_with_project_name_record(spec.information, name.encode(cp)))
    return spec


def vba_project_with_ribbon(vba_bin: bytes, work: Path, *, name: str | None = None,
                            project_name: str | None = None, udfs: bool = False) -> bytes:
    """The template's vbaProject.bin rebuilt with its modules (less xlwings' samples, see
    :func:`customised_project`) and the ribbon module (and, with ``udfs``, the
    worksheet-function module)."""
    spec = with_ribbon_module(customised_project(read_vba_project(vba_bin), name=name,
                                                 project_name=project_name), udfs=udfs)
    out = work / "vba"
    out.mkdir(parents=True)
    return write_vba_project(spec, out)


DEMO_ROWS = [
    # id, name, directorate, team, job title, framework, range, salary, fte, contract,
    # start, probation, capability, appraisal, date at level, current, estimated
    ("E001", "Asha Patel", "Corporate Services", "Business Support", "Personal Assistant",
     "Business and Executive Support", 3, 25584, 1, "Permanent", dt.date(2019, 4, 1), "Yes", "No",
     "Met", dt.date(2021, 4, 1), "A", "B"),
    ("E002", "Ben Hughes", "Corporate Services", "Business Support", "Personal Assistant",
     "Business and Executive Support", 3, 26967, 0.6, "Permanent", dt.date(2018, 9, 3), "Yes", "No",
     "Exceeded", dt.date(2020, 9, 1), "B", "C"),
    ("E003", "Chloe Evans", "Adults and Health", "Executive Support", "Executive Assistant (to Assistant Director)",
     "Business and Executive Support", 4, 29093, 1, "Fixed term", dt.date(2024, 2, 12), "No", "No",
     "Met", dt.date(2024, 2, 12), "A", "A"),
]


def build_demo(out_dir: Path, work: Path) -> Path:
    """``MedPay demo.xlsm``: xlwings' quickstart workbook (less its ``Module1.SampleCall``
    sample) with sample estimates and every worksheet function; reproducible byte for byte."""
    from openpyxl import load_workbook

    from addin.core.estimates_table import HEADERS
    from addin.excel.udfs import FUNCTIONS

    _xlwings("quickstart", "medpay_demo", cwd=work)
    template = work / "medpay_demo" / "medpay_demo.xlsm"
    with_ribbon = work / "medpay_demo_ribbon.xlsm"
    with zipfile.ZipFile(template) as zin, zipfile.ZipFile(with_ribbon, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == VBA_PART:
                data = vba_project_with_ribbon(data, work / "demo")
            _fixed_zip_write(zout, item.filename, data)
    wb = load_workbook(with_ribbon, keep_vba=True)
    conf = wb["_xlwings.conf"]
    conf.title = "xlwings.conf"
    for row in conf.iter_rows():
        for cell in row:
            cell.value = None
    for r, (key, value) in enumerate(ADDIN_CONF, 1):
        conf.cell(r, 1, key)
        conf.cell(r, 2, value or None)
    conf.sheet_state = "visible"
    ws = wb.worksheets[0]
    ws.title = "Estimates"
    for c, header in enumerate(HEADERS.values(), 1):
        ws.cell(1, c, header)
    for r, values in enumerate(DEMO_ROWS, 2):
        fields = ["employee_id", "employee_name", "directorate", "team", "job_title", "framework",
                  "range", "current_salary", "fte", "contract_type", "start_date",
                  "probation_passed", "capability", "appraisal_outcome", "date_at_level",
                  "current_level", "estimated_level"]
        cols = list(HEADERS)
        for fld, demo_value in zip(fields, values):
            cell = ws.cell(r, cols.index(fld) + 1, demo_value)
            if isinstance(demo_value, dt.date):
                cell.number_format = "dd/mm/yyyy"
    fx = wb.create_sheet("Functions")
    examples = [
        ("MEDPAY_SALARY", "=MEDPAY_SALARY(3,\"B\")", "Salary at range 3 level B"),
        ("MEDPAY_NEXT_EFFECTIVE_DATE", "=MEDPAY_NEXT_EFFECTIVE_DATE(DATE(2024,5,20))", "Pay change date"),
        ("MEDPAY_SUBMISSION_DEADLINE", "=MEDPAY_SUBMISSION_DEADLINE(DATE(2025,1,1))", "Deadline"),
        ("MEDPAY_APPEAL_DEADLINE", "=MEDPAY_APPEAL_DEADLINE(DATE(2024,12,20))", "Appeal by"),
        ("MEDPAY_ELIGIBLE", "=MEDPAY_ELIGIBLE(Estimates!L2,Estimates!K2,Estimates!M2,Estimates!N2,30,12)",
         "Eligible?"),
        ("MEDPAY_ELIGIBILITY_REASONS",
         "=MEDPAY_ELIGIBILITY_REASONS(Estimates!L4,Estimates!K4,Estimates!M4,Estimates!N4,3,12)", "Why not"),
        ("MEDPAY_COST", "=MEDPAY_COST(Estimates!H2,Estimates!I2,Estimates!G2,Estimates!Q2)", "Full-year cost"),
        ("MEDPAY_IN_YEAR_COST", "=MEDPAY_IN_YEAR_COST(Estimates!H2,Estimates!I2,Estimates!G2,Estimates!Q2)",
         "In-year cost"),
        ("MEDPAY_MIN_MONTHS", "=MEDPAY_MIN_MONTHS(\"Minimum of 12 months at 3A\")", "Months"),
        ("MEDPAY_WHY", "=MEDPAY_WHY(\"MEDPAY_SALARY\",9,\"B\")",
         "Why =MEDPAY_SALARY(9,\"B\") is #N/A (unknown range 9); =IFERROR(MEDPAY_SALARY(9,\"B\"),\"\") is empty"),
    ]
    fx.append(["Function", "Example", "Result", "What it shows"])
    for r, (name, formula, what) in enumerate(examples, 2):
        fx.cell(r, 1, name)
        fx.cell(r, 2, formula[1:])
        fx.cell(r, 3, formula)
        fx.cell(r, 4, what)
    missing = set(FUNCTIONS) - {e[0] for e in examples}
    if missing:
        raise RuntimeError(f"demo lacks examples for {sorted(missing)}")
    fx.column_dimensions["A"].width = 30
    fx.column_dimensions["B"].width = 70
    from addin.office.determinism import workbook_bytes

    target = out_dir / DEMO_NAME
    # fixed core.xml dates and zip entry dates (addin.office.determinism), as the .xlam's
    target.write_bytes(workbook_bytes(wb, BUILD_MOMENT))
    return target


def build(out_dir: Path) -> list[Path]:
    """Build both workbooks into ``out_dir``; return the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="medpay-build-"))
    try:
        addin = build_addin(out_dir, work)
        demo = build_demo(out_dir, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return [addin, out_dir / BAS_NAME, demo]
