"""Hostile and broken workbooks and documents: each case is built here, opened through
the one safe entry point (addin.office.xlsx.safe.load_workbook / addin.office.docx.safe.open_docx) in a
child process with a hard memory ceiling, and must end in the exact one-line error (or
the right data) within bounded memory and time."""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from addin.core.errors import InputError
from addin.office.docx.safe import open_docx
from addin.office.xlsx.safe import LIMITS, Limits, load_workbook, used_bounds, used_rows

from ..conftest import WORKBOOKS, convert_with_libreoffice, soffice
from . import builders as b
from .bounded import MiB, run_bounded

WB = "Excel workbook (.xlsx or .xlsm)"
DOC = "Word document (.docx)"
BOMB_HINT = "(do not open this file; ask the sender where it came from)"
DTD = ("{words} (part {part}) {verb} XML entities, which {app} never writes "
       "(an entity-expansion or external-entity attack): refused " + BOMB_HINT)
PART_WORDS = {  # the part as the one line names it to a user
    "xl/worksheets/sheet1.xml": ("one of the workbook's sheets", "declares", "Excel"),
    "xl/sharedStrings.xml": ("the workbook's shared strings (the text of its cells)", "declare", "Excel"),
    "xl/workbook.xml": ("the workbook's list of sheets", "declares", "Excel"),
    "word/document.xml": ("the document's text", "declares", "Word"),
    "word/settings.xml": ("the document's settings", "declare", "Word"),
}


def dtd(part: str) -> str:
    words, verb, app = PART_WORDS[part]
    return DTD.format(words=words, part=part, verb=verb, app=app)
OPEN_XLSX = "(open it in Excel and save it as an Excel Workbook (.xlsx))"
OPEN_DOCX = "(open it in Word and save it as a Word Document (.docx))"
SECONDS = 60  # generous wall-clock guard per case: the machine is shared


def _load(path: Path, **kw):
    wb = load_workbook(path, **kw)
    return [(ws.title, used_rows(ws, file=path)) for ws in wb.worksheets]


def _open_docx(path: Path):
    return [p.text for p in open_docx(path).paragraphs]


WORKBOOK_CASES = {
    "billion-laughs-in-sheet": (
        lambda: b.entity_workbook("xl/worksheets/sheet1.xml", b.BILLION_LAUGHS, "lol9"),
        dtd("xl/worksheets/sheet1.xml")),
    "billion-laughs-in-shared-strings": (
        lambda: b.entity_workbook("xl/sharedStrings.xml", b.BILLION_LAUGHS, "lol9"),
        dtd("xl/sharedStrings.xml")),
    "billion-laughs-in-workbook-xml": (
        lambda: b.entity_workbook("xl/workbook.xml", b.BILLION_LAUGHS, "lol9"),
        dtd("xl/workbook.xml")),
    "billion-laughs-utf16-shared-strings": (
        b.utf16_entity_workbook, dtd("xl/sharedStrings.xml")),
    "xxe-file-in-sheet": (
        lambda: b.entity_workbook("xl/worksheets/sheet1.xml", b.XXE, "xxe"),
        dtd("xl/worksheets/sheet1.xml")),
    "xxe-file-in-shared-strings": (
        lambda: b.entity_workbook("xl/sharedStrings.xml", b.XXE, "xxe"),
        dtd("xl/sharedStrings.xml")),
    "xxe-file-in-workbook-xml": (
        lambda: b.entity_workbook("xl/workbook.xml", b.XXE, "xxe"),
        dtd("xl/workbook.xml")),
    "xxe-network-parameter-entity": (
        lambda: b.entity_workbook("xl/workbook.xml", b.XXE_NETWORK, "xxe"),
        dtd("xl/workbook.xml")),
    "zip-bomb-ratio": (
        lambda: b.ratio_bomb(20),
        "part xl/worksheets/sheet1.xml expands 1009 times (a zip bomb); refused " + BOMB_HINT),
    "zip-bomb-claimed-size": (
        b.lying_sizes,
        "part xl/worksheets/sheet1.xml expands {ratio} times (a zip bomb); refused " + BOMB_HINT),
    "zip-member-understating-its-size": (
        b.understated_size,
        "file is damaged or truncated (part xl/worksheets/sheet1.xml: Bad CRC-32 for file "
        f"'xl/worksheets/sheet1.xml'); it is not a readable {WB} (ask the sender for a fresh copy)"),
    "zip-encrypted-members": (
        b.zip_encrypted_member,
        "part docProps/app.xml is password-protected inside the zip; medpay cannot read it "
        "(remove the password and send the file again)"),
    "5000-sheets-in-workbook-xml": (
        lambda: b.sheets_claimed_in_workbook_xml(5000),
        "workbook has 5000 sheets, more than the 500 medpay accepts"),
    "600-sheet-parts": (
        lambda: b.many_sheet_parts(600), "workbook has 600 sheets, more than the 500 medpay accepts"),
    "one-50MB-shared-string": (
        lambda: b.huge_shared_string(50 * MiB),
        "part xl/sharedStrings.xml holds a text of more than 32,767 characters, longer than Excel "
        "allows in a cell; refused (ask the sender where the file came from)"),
    "one-40000-character-shared-string": (
        lambda: b.huge_shared_string(40_000),
        "cell holds 40,000 characters, more than the 32,767 Excel allows; refused "
        "(ask the sender where the file came from)"),
    "1.6-million-shared-strings": (
        lambda: b.many_shared_strings(1_600_000),
        "file holds more than 3,000,000 XML elements (reached in part xl/sharedStrings.xml), "
        "more than medpay accepts (split it into smaller files)"),
    "password-protected-msoffcrypto": (
        lambda: b.encrypted_office_file(b.plain_workbook_bytes()),
        "file is password-protected (encrypted) (remove the password in Excel "
        "(File > Info > Protect Workbook) and send it again)"),
    "password-protected-hand-made-cfb": (
        lambda: b.minimal_cfb({"EncryptionInfo": b"\x04\x00\x04\x00" + b"\0" * 60,
                               "EncryptedPackage": os.urandom(5000)}),
        "file is password-protected (encrypted) (remove the password in Excel "
        "(File > Info > Protect Workbook) and send it again)"),
    "workbook-xml-nested-100000-deep": (
        lambda: b.deeply_nested("xl/workbook.xml", 100_000),
        "workbook is damaged and cannot be read (XMLSyntaxError: Excessive depth in document: 256, "
        "use XML_PARSE_HUGE option, line 1, column 3293 (<string>, line 1)) " + OPEN_XLSX),
}


@pytest.mark.parametrize("case", list(WORKBOOK_CASES))
def test_hostile_workbook_is_refused_in_one_line_with_bounded_memory_and_time(tmp_path, case):
    build, expected = WORKBOOK_CASES[case]
    data = build()
    path = b.write(tmp_path / "team.xlsx", data)
    out = run_bounded(_load, path, seconds=SECONDS)
    if "{ratio}" in expected:
        with zipfile.ZipFile(path) as z:
            info = z.getinfo("xl/worksheets/sheet1.xml")
        expected = expected.format(ratio=f"{info.file_size / info.compress_size:.0f}")
    where = f"{path} [Sheet1!A1]: " if "cell holds" in expected else f"{path}: "
    assert (out.error_type, out.message) == ("InputError", where + expected), str(out)
    # Refused from the bytes: never more than the file itself plus a few chunks.
    assert out.peak_traced < len(data) + 48 * MiB, str(out)


def test_one_50MB_string_costs_no_more_than_the_file_itself(tmp_path):
    """The expansion is never materialised: peak memory stays near the file's size."""
    data = b.huge_shared_string(50 * MiB)
    path = b.write(tmp_path / "s.xlsx", data)
    out = run_bounded(_load, path, seconds=SECONDS)
    assert out.error_type == "InputError"
    assert len(data) < 40 * MiB and out.peak_traced < 2 * len(data) + 8 * MiB, str(out)


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml"])
def test_billion_laughs_would_also_be_stopped_by_the_parser_openpyxl_uses(part):
    """Defence in depth: even without our byte scan, openpyxl parses with defusedxml (or
    lxml with entity resolution off), so the entity is never expanded."""
    from openpyxl.xml import DEFUSEDXML
    from openpyxl.xml.functions import fromstring

    assert DEFUSEDXML is True
    xml = b.member(b.entity_workbook(part, b.BILLION_LAUGHS, "lol9"), part)
    try:
        root = fromstring(xml.encode())
    except Exception as exc:  # defusedxml: EntitiesForbidden; lxml: undefined entity
        assert type(exc).__name__ in {"EntitiesForbidden", "XMLSyntaxError", "DTDForbidden"}
    else:
        assert "lol" * 100 not in openpyxl.xml.functions.tostring(root).decode()


DOCX_CASES = {
    "billion-laughs-in-document-xml": (
        lambda: b.entity_docx("word/document.xml", b.BILLION_LAUGHS, "lol9"),
        dtd("word/document.xml")),
    "xxe-file-in-settings-xml": (
        lambda: b.entity_docx("word/settings.xml", b.XXE, "xxe"), dtd("word/settings.xml")),
    "xxe-network-in-settings-xml": (
        lambda: b.entity_docx("word/settings.xml", b.XXE_NETWORK, "xxe"),
        dtd("word/settings.xml")),
    "xxe-file-in-document-xml": (
        lambda: b.entity_docx("word/document.xml", b.XXE, "xxe"), dtd("word/document.xml")),
    "password-protected-document": (
        lambda: b.encrypted_office_file(b.plain_docx_bytes()),
        "file is password-protected (encrypted) (remove the password in Word "
        "(File > Info > Protect Document) and send it again)"),
    "workbook-renamed-to-docx": (
        b.plain_workbook_bytes, f"file is an Excel workbook, not a {DOC} {OPEN_DOCX}"),
    "docx-truncated": (
        lambda: b.plain_docx_bytes()[:3000],
        "file is damaged or truncated (File is not a zip file); it is not a readable "
        f"{DOC} (ask the sender for a fresh copy)"),
}


@pytest.mark.parametrize("case", list(DOCX_CASES))
def test_hostile_document_is_refused_in_one_line_with_bounded_memory_and_time(tmp_path, case):
    build, expected = DOCX_CASES[case]
    data = build()
    path = b.write(tmp_path / "form.docx", data)
    out = run_bounded(_open_docx, path, seconds=SECONDS)
    assert (out.error_type, out.message) == ("InputError", f"{path}: {expected}"), str(out)
    assert out.peak_traced < len(data) + 16 * MiB, str(out)


def test_python_docx_parser_never_resolves_entities():
    """Defence in depth for Word files: python-docx's lxml parser has entity resolution
    off and no network access, so an XXE that got past the byte scan reads nothing."""
    from docx.oxml.parser import parse_xml

    xml = b.with_doctype('<w:p xmlns:w="urn:x"><w:t>&xxe;</w:t></w:p>', b.XXE).encode()
    assert "root:" not in "".join(parse_xml(xml).itertext())  # /etc/passwd not read
    xml = b.with_doctype('<w:p xmlns:w="urn:x"><w:t>&lol9;</w:t></w:p>', b.BILLION_LAUGHS).encode()
    with pytest.raises(Exception, match="amplification factor exceeded"):  # libxml2's own guard
        parse_xml(xml)


def test_a_plain_document_still_opens(tmp_path):
    path = b.write(tmp_path / "form.docx", b.plain_docx_bytes("Hello"))
    assert run_bounded(_open_docx, path).value == "['Hello']"


# ----------------------------------------------------------------- absurd dimensions


@pytest.mark.parametrize("read_only", [False, True])
def test_sheet_claiming_dimension_XFD1048576_reads_only_its_real_cell(tmp_path, read_only):
    path = b.write(tmp_path / "d.xlsx", b.one_cell_workbook("A1", "x", dimension="A1:XFD1048576"))

    def read():
        ws = load_workbook(path, read_only=read_only).worksheets[0]
        return used_bounds(ws), used_rows(ws, file=path)

    out = run_bounded(read, seconds=SECONDS)
    assert (out.error_type, out.value) == (None, "((1, 1), [('x',)])"), str(out)
    assert out.peak_traced < 32 * MiB, str(out)


@pytest.mark.parametrize("read_only", [False, True])
def test_single_cell_at_XFD1048576_is_refused_from_the_bytes_naming_the_cell(tmp_path, read_only):
    """Refused before any reader (openpyxl, or python-calamine, which would build a dense
    grid of 17 billion cells) sees the sheet."""
    path = b.write(tmp_path / "d.xlsx", b.one_cell_workbook("XFD1048576", "far"))
    out = run_bounded(_load, path, read_only=read_only, seconds=SECONDS)
    assert (out.error_type, out.message) == (
        "InputError",
        f"{path}: part xl/worksheets/sheet1.xml has a cell at XFD1048576, beyond the 100,000 rows "
        "x 1,000 columns medpay reads (delete the stray cells far below or to the right and save "
        "again)"), str(out)
    assert out.peak_traced < 32 * MiB, str(out)


@pytest.mark.parametrize("read_only", [False, True])
def test_used_rows_refuses_data_beyond_its_limits_naming_sheet_and_cell(tmp_path, read_only):
    path = b.write(tmp_path / "d.xlsx", b.one_cell_workbook("C20", "far"))
    small = Limits(max_rows=10, max_cols=5)
    with pytest.raises(InputError) as err:
        used_rows(load_workbook(path, read_only=read_only).worksheets[0], file=path, limits=small)
    assert err.value.one_line() == (
        f"{path} [Sheet1!C20]: sheet has data as far as C20 (row 20, column 3), beyond the 10 rows "
        "x 5 columns medpay reads (delete the stray cells far below or to the right)")


def test_used_rows_pads_to_the_last_real_column_and_ignores_styled_blanks(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["C1"], ws["B3"] = "Name", "Range", 4
    ws["Z500"].fill = openpyxl.styles.PatternFill("solid", fgColor="FFFF00")  # styled, empty
    ws["D2"] = "   "  # whitespace only counts as empty
    p = tmp_path / "u.xlsx"
    wb.save(p)
    ws2 = load_workbook(p).active
    assert ws2.max_row == 500 and ws2.max_column == 26  # what a blind reader would loop over
    assert used_rows(ws2) == [("Name", None, "Range"), (None, None, None), (None, 4, None)]


def test_two_stray_cells_spanning_a_huge_grid_are_refused_from_the_bytes(tmp_path):
    """A90000 and ALL1: few cells, but a reader looping over ws.iter_rows() would build
    90 million of them."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A90000"], ws["ALL1"] = "low", "right"
    p = tmp_path / "g.xlsx"
    wb.save(p)
    out = run_bounded(_load, p, seconds=SECONDS)
    assert (out.error_type, out.message) == (
        "InputError",
        f"{p}: part xl/worksheets/sheet1.xml spans A1:ALL90000 (90,000 rows x 1,000 columns), more "
        "than the 1,000,000 cells medpay reads from one sheet (delete the stray cells far below or "
        "to the right and save again)"), str(out)
    assert out.peak_traced < 32 * MiB, str(out)


def test_used_rows_refuses_a_grid_too_big_to_pad(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A5"], ws["C1"] = "low", "right"
    p = tmp_path / "g.xlsx"
    wb.save(p)
    with pytest.raises(InputError) as err:
        used_rows(load_workbook(p).active, file=p, limits=Limits(max_grid_cells=10))
    assert err.value.one_line() == (
        f"{p} [Sheet]: sheet spans 5 rows x 3 columns, more than medpay reads "
        "(delete the stray cells far below or to the right)")


def test_sheet_nested_100000_deep_is_read_in_bounded_time_and_memory(tmp_path):
    path = b.write(tmp_path / "n.xlsx", b.deeply_nested("xl/worksheets/sheet1.xml", 100_000))
    out = run_bounded(_load, path, seconds=SECONDS)
    assert (out.error_type, out.value) == (None, "[('Sheet1', [('hello', None), (None, 42)])]"), str(out)
    assert out.peak_traced < 256 * MiB, str(out)


# ----------------------------------------------------------------- macros


def _load_and_save(src: Path, out: Path, **kw):
    """In the bounded child: open ``src``, save it to ``out``; what was held and written."""
    wb = load_workbook(src, **kw)
    held = wb.vba_archive is not None
    rows = used_rows(wb.active)
    wb.save(out)
    with zipfile.ZipFile(out) as z:
        vba = z.read("xl/vbaProject.bin") if "xl/vbaProject.bin" in z.namelist() else None
        names = [n for n in z.namelist() if "vba" in n.lower()]
    return held, rows, names, hashlib.sha256(vba).hexdigest() if vba else None


def test_xlsm_macros_are_never_kept_or_carried_into_outputs(tmp_path):
    src = b.write(tmp_path / "team.xlsm", b.xlsm_with_macro())
    before = (hashlib.sha256(src.read_bytes()).hexdigest(), src.stat().st_mtime_ns)
    out = run_bounded(_load_and_save, src, tmp_path / "copy.xlsx", seconds=SECONDS)
    # the macro is not even held in memory, and the saved copy has no VBA part
    assert (out.error_type, out.value) == (None, repr((False, [("hello", None), (None, 42)], [], None))), str(out)
    assert out.peak_traced < 64 * MiB, str(out)
    assert (hashlib.sha256(src.read_bytes()).hexdigest(), src.stat().st_mtime_ns) == before


def test_xlsm_macros_are_carried_as_opaque_bytes_only_when_asked(tmp_path):
    data = b.xlsm_with_macro()
    src = b.write(tmp_path / "team.xlsm", data)
    out = run_bounded(_load_and_save, src, tmp_path / "copy.xlsm", keep_vba=True, seconds=SECONDS)
    with zipfile.ZipFile(io.BytesIO(data)) as orig:
        sha = hashlib.sha256(orig.read("xl/vbaProject.bin")).hexdigest()
    assert (out.error_type, out.value) == (
        None, repr((True, [("hello", None), (None, 42)], ["xl/vbaProject.bin"], sha))), str(out)
    assert out.peak_traced < 64 * MiB, str(out)


# ----------------------------------------------------------------- wrong kinds of file

RENAMED = {
    "csv": (b"Employee ID,Name,Level\n1001,Ann Lee,B\n", f"file is a text or CSV file, not an {WB} {OPEN_XLSX}"),
    "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", f"file is a PDF, not an {WB} {OPEN_XLSX}"),
    "html": (b"<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table></body></html>",
             f"file is a web page (HTML), not an {WB} {OPEN_XLSX}"),
    "rtf": (b"{\\rtf1\\ansi Hello}", f"file is an RTF document, not an {WB} {OPEN_XLSX}"),
    "binary": (os.urandom(64).replace(b"PK", b"pk").replace(b"\xd0\xcf", b"dc") + b"\0",
               f"file is not a recognised Office file, not an {WB} {OPEN_XLSX}"),
    "old-ole-xls": (b.minimal_cfb({"Workbook": b"\x09\x08" + b"\0" * 200}),
                    f"file is an old Excel 97-2003 (.xls) file, not an {WB} {OPEN_XLSX}"),
    "xlsb": (b.rezip(b.plain_workbook_bytes(), drop=("xl/workbook.xml",), add={"xl/workbook.bin": b"\0" * 10}),
             f"file is an Excel Binary Workbook (.xlsb), not an {WB} {OPEN_XLSX}"),
    "ods": (b.rezip(b.plain_docx_bytes(), drop=("word/document.xml",),
                    add={"mimetype": "application/vnd.oasis.opendocument.spreadsheet",
                         "content.xml": "<office:document-content/>"}),
            f"file is an OpenDocument spreadsheet (.ods), not an {WB} {OPEN_XLSX}"),
    "docx": (b.plain_docx_bytes(), f"file is a Word document, not an {WB} {OPEN_XLSX}"),
    "plain-zip": (b.rezip(b.plain_docx_bytes(), drop=("word/document.xml",)),
                  f"file is a zip archive without a workbook inside, not an {WB} {OPEN_XLSX}"),
    "empty": (b"", f"file is empty, not an {WB}"),
}


@pytest.mark.parametrize("kind", list(RENAMED))
def test_other_files_renamed_to_xlsx_are_named_for_what_they_are(tmp_path, kind):
    data, expected = RENAMED[kind]
    path = b.write(tmp_path / "team.xlsx", data)
    out = run_bounded(_load, path, seconds=SECONDS)
    assert (out.error_type, out.message) == ("InputError", f"{path}: {expected}"), str(out)
    assert out.peak_traced < 64 * MiB, str(out)


@pytest.fixture(scope="module")
def real_xls(tmp_path_factory) -> Path:
    if not soffice():
        pytest.skip("LibreOffice not installed (scripts/test installs it)")
    d = tmp_path_factory.mktemp("xls")
    src = b.write(d / "team.xlsx", b.plain_workbook_bytes())
    return convert_with_libreoffice(src, "xls", d / "out")


@pytest.mark.libreoffice
def test_real_xls_saved_by_an_office_suite_renamed_to_xlsx(tmp_path, real_xls):
    path = b.write(tmp_path / "team.xlsx", real_xls.read_bytes())
    out = run_bounded(_load, path, seconds=SECONDS)
    assert (out.error_type, out.message) == (
        "InputError", f"{path}: file is an old Excel 97-2003 (.xls) file, not an {WB} {OPEN_XLSX}"), str(out)


def _cuts(n: int) -> list[int]:
    return [1, 3, 10, 30, 100, 1000, n // 3, n // 2, n - 100, n - 22, n - 1]


@pytest.mark.parametrize("where", range(11))
def test_truncated_workbook_at_any_offset_is_damaged_in_one_line(tmp_path, where):
    full = b.plain_workbook_bytes()
    cut = _cuts(len(full))[where]
    path = b.write(tmp_path / "cut.xlsx", full[:cut])
    out = run_bounded(_load, path, seconds=SECONDS)
    assert out.error_type == "InputError", str(out)
    assert out.message.startswith(f"{path}: file is damaged or truncated ("), out.message
    assert out.message.endswith(f"it is not a readable {WB} (ask the sender for a fresh copy)")
    assert "\n" not in out.message


def test_a_folder_named_like_a_workbook_is_refused(tmp_path):
    d = tmp_path / "team.xlsx"
    d.mkdir()
    with pytest.raises(InputError) as err:
        load_workbook(d)
    assert err.value.one_line() == f"{d}: is a folder, not an {WB}"


def test_missing_file_is_named(tmp_path):
    with pytest.raises(InputError) as err:
        load_workbook(tmp_path / "nope.xlsx")
    assert err.value.one_line() == f"{tmp_path / 'nope.xlsx'}: file not found (check the path and the file name)"


def test_unreadable_file_is_permission_denied(tmp_path, monkeypatch):
    path = b.write(tmp_path / "locked.xlsx", b.plain_workbook_bytes())
    if os.geteuid() != 0:
        path.chmod(0)
    else:  # root reads anything: simulate what a user without permission gets
        def denied(self):
            raise PermissionError(13, "Permission denied", str(self))
        monkeypatch.setattr(Path, "read_bytes", denied)
    try:
        with pytest.raises(InputError) as err:
            load_workbook(path)
    finally:
        path.chmod(0o644)
    assert err.value.one_line() == (
        f"{path}: cannot read the file: permission denied (close it in Excel or check its permissions)")


def test_reading_never_modifies_or_locks_the_input(tmp_path):
    path = b.write(tmp_path / "in.xlsx", b.plain_workbook_bytes())
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    wb = load_workbook(path)
    os.rename(path, tmp_path / "moved.xlsx")  # not held open: can be moved while in use
    os.rename(tmp_path / "moved.xlsx", path)
    wb.active["A1"] = "changed in memory"
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_limits_are_adjustable_for_a_tighter_total_size(tmp_path):
    """The total-uncompressed limit, proven with a small limit on a real 24 MiB expansion
    made of parts each under the ratio limit."""
    path = b.write(tmp_path / "big.xlsx", b.moderate_parts(24))
    tight = Limits(max_uncompressed_bytes=16 * MiB)
    out = run_bounded(load_workbook, path, limits=tight, seconds=SECONDS)
    assert (out.error_type, out.message) == (
        "InputError",
        f"{path}: file expands to 24 MiB, more than the 16 MiB medpay accepts (a zip bomb?)"), str(out)
    assert LIMITS.max_uncompressed_bytes == 500 * MiB


MAIN_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MAIN_XLSM = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def _no_vba_left(path: Path) -> str:
    """Assert a workbook holds no VBA project, no relationship to one and no content type
    for one; return its main part's content type."""
    with zipfile.ZipFile(path) as z:
        assert not any("vba" in n.lower() for n in z.namelist()), z.namelist()
        ct = z.read("[Content_Types].xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    assert "vbaProject" not in ct and "vbaProject" not in rels
    return re.search(r'PartName="/xl/workbook.xml" ContentType="([^"]+)"', ct).group(1)


@pytest.mark.parametrize("src_name, out_name", [
    ("team.xlsm", "feedback.xlsx"), ("team.xlsm", "feedback.xlsm"),
    # an .xlsm renamed .xlsx: the project is dropped all the same
    ("team.xlsx", "feedback.xlsx"), ("team.xlsx", "feedback.xlsm"),
])
def test_feedback_copy_never_carries_the_vba_project(tmp_path, src_name, out_name):
    """docs/reference/security.md: the VBA project is not kept and not written into any output. An
    .xlsm copy keeps the macro-enabled content type (Excel refuses an .xlsm typed as
    .xlsx), an .xlsx copy the plain one; neither has anything to enable."""
    from addin.core.findings import Finding, Severity
    from addin.office.xlsx.feedback import write_feedback_copy

    data = b.xlsm_with_macro()
    src = b.write(tmp_path / src_name, data)
    finding = Finding(severity=Severity.ERROR, code="T-X", message="m", file=str(src), sheet="Sheet1", cell="A1")
    out = run_bounded(write_feedback_copy, src, tmp_path / out_name, [finding], seconds=SECONDS)
    assert out.error_type is None, str(out)
    main = _no_vba_left(tmp_path / out_name)
    assert main == (MAIN_XLSM if out_name.endswith(".xlsm") else MAIN_XLSX)
    wb = openpyxl.load_workbook(tmp_path / out_name)
    assert wb["Sheet1"]["A1"].comment is not None and "Findings" in wb.sheetnames
    assert src.read_bytes() == data


@pytest.mark.libreoffice
def test_macro_free_xlsm_feedback_copy_opens_in_libreoffice(tmp_path):
    from addin.office.xlsx.feedback import write_feedback_copy

    if not soffice():
        pytest.skip("LibreOffice not installed (scripts/test installs it)")
    src = b.write(tmp_path / "team.xlsm", b.xlsm_with_macro())
    out = write_feedback_copy(src, tmp_path / "feedback.xlsm", [])
    converted = convert_with_libreoffice(out, "xlsx", tmp_path / "lo")
    assert used_rows(openpyxl.load_workbook(converted)["Sheet1"]) == [("hello", None), (None, 42)]


# ----------------------------------------------------------------- Excel 4.0 macro sheets

SAMPLE = WORKBOOKS / "samples" / "finance-business-support.xlsx"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _xml_of(data: bytes, name: str):
    from lxml import etree

    return etree.fromstring(b.member(data, name).encode("utf-8"))


def _workbook_facts(data: bytes) -> tuple[list, list, list]:
    """(sheets as (name, sheetId, state, r:id), defined names as (name, localSheetId,
    formula) in document order, book views as (activeTab, firstSheet)) of a package."""
    root = _xml_of(data, "xl/workbook.xml")
    sheets = [(s.get("name"), s.get("sheetId"), s.get("state"), s.get(R_ID))
              for s in root.iterfind("{*}sheets/{*}sheet")]
    names = [(d.get("name"), d.get("localSheetId"), d.text)
             for d in root.iterfind("{*}definedNames/{*}definedName")]
    views = [(v.get("activeTab"), v.get("firstSheet")) for v in root.iterfind("{*}bookViews/{*}workbookView")]
    return sheets, names, views


def _rels(data: bytes, name: str = "xl/_rels/workbook.xml.rels") -> list[tuple]:
    return [(r.get("Id"), r.get("Type"), r.get("Target")) for r in _xml_of(data, name)]


def _content_types(data: bytes) -> tuple[list, list]:
    root = _xml_of(data, "[Content_Types].xml")
    return ([(d.get("Extension"), d.get("ContentType")) for d in root.iterfind("{*}Default")],
            [(o.get("PartName"), o.get("ContentType")) for o in root.iterfind("{*}Override")])


def _cells(path_or_wb, sheet: str) -> dict[str, object]:
    wb = path_or_wb if hasattr(path_or_wb, "sheetnames") else openpyxl.load_workbook(path_or_wb)
    return {c.coordinate: c.value for row in wb[sheet].iter_rows() for c in row if c.value is not None}


@pytest.fixture(scope="module")
def xlm_workbook() -> bytes:
    """The finance sample with a macro sheet (Auto_Open), an international macro sheet and
    a dialog sheet, as Excel writes them (see builders.with_macro_sheets)."""
    return b.with_macro_sheets(SAMPLE.read_bytes())


def test_the_hostile_workbook_holds_live_excel4_macros_and_the_safety_scan_accepts_it(tmp_path, xlm_workbook):
    """What the input is: six sheets, the macro sheet very hidden, Auto_Open pointing at
    its EXEC cell. Macro sheets are not refused (a manager's workbook may hold one, and the
    estimates sheet is still data); openpyxl alone reads each as a plain worksheet, which
    is why the feedback copy must drop them before it reads."""
    sheets, names, views = _workbook_facts(xlm_workbook)
    assert [s[0] for s in sheets] == ["Dialog1", "Estimates", "Macro1", "Instructions", "Intl1", "Lists"]
    assert ("_xlnm.Auto_Open", None, "Macro1!$A$1") in names and views == [("2", "0")]
    src = b.write(tmp_path / "team.xlsx", xlm_workbook)
    wb = load_workbook(src, data_only=False)
    assert wb.sheetnames == [s[0] for s in sheets]
    assert wb["Macro1"]["A1"].value == '=EXEC("calc.exe")'
    assert load_workbook(src, data_only=False, macro_free=True).sheetnames == ["Estimates", "Instructions", "Lists"]


def test_without_macros_drops_every_macro_sheet_and_renumbers_what_is_left(xlm_workbook):
    """The one rule (addin.office.xlsx.macrofree) on the bytes: the package becomes the sample's own
    members again, every other member byte for byte; names local to a dropped sheet, naming
    one, or auto-run go; the rest keep pointing at the same sheets."""
    from addin.office.xlsx.macrofree import without_macros

    out = without_macros(xlm_workbook)
    with zipfile.ZipFile(io.BytesIO(out)) as z, zipfile.ZipFile(SAMPLE) as orig:
        assert z.namelist() == orig.namelist()
        changed = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"}
        assert {n for n in orig.namelist() if z.read(n) != orig.read(n)} == changed
    sample = SAMPLE.read_bytes()
    assert _rels(out) == _rels(sample)
    defaults, overrides = _content_types(out)
    assert overrides == _content_types(sample)[1]
    # the vml Default stays: a Default names no part
    assert defaults == _content_types(sample)[0] + [("vml", "application/vnd.openxmlformats-officedocument.vmlDrawing")]
    sheets, names, views = _workbook_facts(out)
    assert sheets == _workbook_facts(sample)[0]
    assert names == [("_xlnm.Print_Area", "2", "Lists!$A$1:$P$12"), ("_xlnm.Print_Titles", "0", "Estimates!$1:$1"),
                     ("Grades", None, "Lists!$A$2:$A$12"), ("Label", None, '"Macro1!A1"'),
                     ("Rate", "1", "Instructions!$B$2")]
    # the view opened on Macro1 (2): it now opens on the next sheet left, Instructions
    assert views == [("1", "0")]
    assert without_macros(out) is out  # nothing left to drop: the same bytes
    assert without_macros(sample) is sample


@pytest.mark.parametrize("active, first, expected", [
    ("3", "1", ("1", "1")),  # on the last sheet, dropped: the last one left; M -> B
    ("0", "2", ("0", "1")),
    (None, None, (None, None)),  # Excel's defaults (0) still name the first sheet left
])
def test_book_views_and_local_names_follow_their_sheets(active, first, expected):
    from addin.office.xlsx.macrofree import workbook_without_sheets

    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' \
         'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    view = "".join(f' {k}="{v}"' for k, v in (("activeTab", active), ("firstSheet", first)) if v)
    xml = (f'<workbook {ns}><bookViews><workbookView{view}/></bookViews><sheets>'
           '<sheet name="A" sheetId="1" r:id="r1"/><sheet name="M" sheetId="2" r:id="r2"/>'
           '<sheet name="B" sheetId="3" r:id="r3"/><sheet name="N" sheetId="4" r:id="r4"/></sheets>'
           '<definedNames><definedName name="a" localSheetId="0">A!$A$1</definedName>'
           '<definedName name="b" localSheetId="2">B!$A$1</definedName>'
           '<definedName name="n" localSheetId="3">B!$A$1</definedName>'
           "<definedName name=\"q\">'N'!$A$1</definedName></definedNames></workbook>").encode()
    out = workbook_without_sheets(xml, {"r2", "r4"})
    from lxml import etree

    root = etree.fromstring(out)
    assert [s.get("name") for s in root.iterfind("{*}sheets/{*}sheet")] == ["A", "B"]
    assert [(d.get("name"), d.get("localSheetId")) for d in root.iterfind("{*}definedNames/{*}definedName")] == [
        ("a", "0"), ("b", "1")]
    v = root.find("{*}bookViews/{*}workbookView")
    assert (v.get("activeTab"), v.get("firstSheet")) == expected


@pytest.mark.parametrize("src_name, out_name", [
    ("team.xlsx", "feedback.xlsx"),
    ("team.xlsm", "feedback.xlsm"),
])
def test_feedback_copy_never_carries_a_macro_sheet(tmp_path, xlm_workbook, src_name, out_name):
    """docs/reference/security.md: no macro sheet is written into any output. The writer drops the
    macro, international macro and dialog sheets with everything naming them; the other
    sheets, their data and their names are intact and still point at the same sheets."""
    from addin.core.findings import Finding, Severity
    from addin.office.xlsx.feedback import write_feedback_copy

    src = b.write(tmp_path / src_name, xlm_workbook)
    finding = Finding(severity=Severity.ERROR, code="T-X", message="m", file=str(src),
                      sheet="Estimates", cell="B2")
    out = run_bounded(write_feedback_copy, src, tmp_path / out_name, [finding], seconds=SECONDS)
    assert out.error_type is None, str(out)
    data = (tmp_path / out_name).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        texts = {n: z.read(n).decode("utf-8", "replace") for n in names}
    assert not set(names) & {*b.MACRO_SHEETS.values(), *b.MACRO_ONLY_PARTS}
    assert [n for n in names if re.search(r"(?i)macrosheet|dialogsheet|vbaProject", n)] == []
    # no part names a macro or dialog sheet any more (Content_Types, rels, workbook)
    assert [n for n, t in texts.items() if re.search(r"(?i)macrosheet|dialogsheet|EXEC\(|auto_open", t)] == []
    sheets, defined, views = _workbook_facts(data)
    assert [(s[0], s[2]) for s in sheets] == [("Estimates", "visible"), ("Instructions", "visible"),
                                              ("Lists", "hidden"), ("Findings", sheets[3][2])]
    rels = {rid: target for rid, _, target in _rels(data)}
    assert [rels[s[3]].lstrip("/").removeprefix("xl/") for s in sheets][:3] == [
        "worksheets/sheet1.xml", "worksheets/sheet2.xml", "worksheets/sheet3.xml"]
    assert sorted((n, local) for n, local, _ in defined) == [
        ("Grades", None), ("Label", None), ("Rate", "1"), ("_xlnm.Print_Area", "2"),
        ("_xlnm.Print_Titles", "0"), ("_xlnm.Print_Titles", "3"), ("_xlnm._FilterDatabase", "3")]
    assert views == [("3", "0")]  # the Findings sheet, the fourth sheet left
    wb = openpyxl.load_workbook(tmp_path / out_name)
    assert wb.sheetnames == ["Estimates", "Instructions", "Lists", "Findings"]
    assert {n: d.value for n, d in wb.defined_names.items()} == {
        "Grades": "Lists!$A$2:$A$12", "Label": '"Macro1!A1"'}
    assert {n: d.value for n, d in wb["Instructions"].defined_names.items()} == {"Rate": "Instructions!$B$2"}
    assert (wb["Estimates"].print_title_rows, wb["Lists"].print_area) == ("$1:$1", "'Lists'!$A$1:$P$12")
    sample = openpyxl.load_workbook(SAMPLE)
    for sheet in ("Estimates", "Instructions", "Lists"):
        assert _cells(wb, sheet) == _cells(sample, sheet), sheet
    assert wb["Estimates"]["B2"].comment.text == "ERROR T-X: m"
    assert src.read_bytes() == xlm_workbook


def test_a_macro_sheet_part_that_does_not_parse_is_a_damaged_workbook_in_one_line(tmp_path, xlm_workbook):
    """Dropping a macro sheet reads its relationships part: one that is not XML makes the
    copy fail as the readers' own parse failures do (InputError, no traceback)."""
    from addin.office.xlsx.feedback import write_feedback_copy

    src = b.write(tmp_path / "team.xlsx", b.rezip(
        xlm_workbook, replace={"xl/macrosheets/_rels/sheet1.xml.rels": "<Relationships"}))
    with pytest.raises(InputError) as err:
        write_feedback_copy(src, tmp_path / "feedback.xlsx", [])
    assert str(err.value) == (
        f"{src}: workbook is damaged and cannot be read (XMLSyntaxError: Couldn't find end of "
        "Start Tag Relationships line 1, line 1, column 15 (<string>, line 1)) " + OPEN_XLSX)
    assert not (tmp_path / "feedback.xlsx").exists()


@pytest.mark.libreoffice
def test_macro_sheet_free_feedback_copy_opens_in_libreoffice(tmp_path, xlm_workbook):
    from addin.office.xlsx.feedback import write_feedback_copy

    if not soffice():
        pytest.skip("LibreOffice not installed (scripts/test installs it)")
    src = b.write(tmp_path / "team.xlsx", xlm_workbook)
    out = write_feedback_copy(src, tmp_path / "feedback.xlsx", [])
    converted = convert_with_libreoffice(out, "xlsx", tmp_path / "lo")
    wb = openpyxl.load_workbook(converted)
    assert wb.sheetnames == ["Estimates", "Instructions", "Lists", "Findings"]
    sample = openpyxl.load_workbook(SAMPLE)
    assert [wb["Estimates"][ref].value for ref in ("A1", "A2", "B2", "H2")] == [
        sample["Estimates"][ref].value for ref in ("A1", "A2", "B2", "H2")] == [
        "Employee ID", "104233", "Zoë Ó Briain", 25584]
    assert _cells(wb, "Instructions") == _cells(sample, "Instructions")


@pytest.mark.parametrize(
    "cells, far",
    [
        ('<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
         '<row r="10000000000"><c r="E10000000000"><v>1</v></c></row>', "E10000000000"),
        # cells without their own reference take the row's number
        ('<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
         '<row r="900000" spans="1:1"><c><v>1</v></c></row>', "A900000"),
    ],
)
def test_far_rows_are_refused_however_they_are_written(tmp_path, cells, far):
    path = b.write(tmp_path / "r.xlsx", b.rezip(b.plain_workbook_bytes(),
                                                replace={"xl/worksheets/sheet1.xml": b.sheet_xml(cells)}))
    out = run_bounded(_load, path, seconds=SECONDS)
    assert (out.error_type, out.message) == (
        "InputError",
        f"{path}: part xl/worksheets/sheet1.xml has a cell at {far}, beyond the 100,000 rows x "
        "1,000 columns medpay reads (delete the stray cells far below or to the right and save again)"), str(out)


def test_hidden_empty_rows_far_below_are_harmless(tmp_path):
    """'Hide unused rows' writes self-closing row elements: not data, not refused."""
    cells = ('<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
             '<row r="1048576" hidden="1"/>')
    path = b.write(tmp_path / "h.xlsx", b.rezip(b.plain_workbook_bytes(),
                                                replace={"xl/worksheets/sheet1.xml": b.sheet_xml(cells)}))
    assert _load(path) == [("Sheet1", [("x",)])]
