"""Builders for hostile and broken Office files. Every test builds its file from scratch
(or from a real workbook saved by openpyxl / a document saved by python-docx), so each
case states exactly what is hostile about it."""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
from pathlib import Path

import openpyxl

SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def plain_workbook_bytes(value: str = "hello") -> bytes:
    """A real, valid workbook (openpyxl) with one value in Sheet1!A1 and one shared string."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = value
    ws["B2"] = 42
    buf = io.BytesIO()
    wb.save(buf)
    return with_shared_strings(buf.getvalue(), value)


SST = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       f'<sst xmlns="{SHEET_NS}" count="1" uniqueCount="1"><si><t>{{}}</t></si></sst>')


def with_shared_strings(data: bytes, value: str) -> bytes:
    """openpyxl writes inline strings; Excel writes a shared-strings part. Move A1's text
    into xl/sharedStrings.xml as Excel would, so hostile shared strings can be built."""
    sheet = member(data, "xl/worksheets/sheet1.xml").replace(
        f'<c r="A1" t="inlineStr"><is><t>{value}</t></is></c>', '<c r="A1" t="s"><v>0</v></c>')
    ct = member(data, "[Content_Types].xml").replace(
        "</Types>",
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    rels = member(data, "xl/_rels/workbook.xml.rels").replace(
        "</Relationships>",
        '<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    return rezip(data, replace={"xl/worksheets/sheet1.xml": sheet, "[Content_Types].xml": ct,
                                "xl/_rels/workbook.xml.rels": rels},
                 add={"xl/sharedStrings.xml": SST.format(value)})


def plain_docx_bytes(text: str = "Application for Career Progression") -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph(text)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def rezip(
    data: bytes,
    *,
    replace: dict[str, bytes | str] | None = None,
    add: dict[str, bytes | str] | None = None,
    drop: tuple[str, ...] = (),
    compresslevel: int = 6,
) -> bytes:
    """Copy a zip, replacing, adding or dropping members."""
    replace = dict(replace or {})
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(
        out, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel
    ) as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            body = replace.pop(info.filename, None)
            if body is None:
                body = src.read(info)
            dst.writestr(info.filename, body)
        for name, body in {**replace, **(add or {})}.items():
            dst.writestr(name, body)
    return out.getvalue()


def member(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(name).decode("utf-8")


def with_doctype(xml: str, doctype: str) -> str:
    """Insert a DOCTYPE after the XML declaration (or at the start)."""
    if xml.startswith("<?xml"):
        end = xml.index("?>") + 2
        return xml[:end] + doctype + xml[end:]
    return doctype + xml


BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    + "]>"
)
XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
XXE_NETWORK = '<!DOCTYPE x [<!ENTITY % ext SYSTEM "http://127.0.0.1:9/evil.dtd"> %ext;]>'


def entity_workbook(part: str, doctype: str, entity: str) -> bytes:
    """A workbook whose ``part`` declares ``doctype`` and uses ``&entity;`` in its text."""
    base = plain_workbook_bytes()
    xml = member(base, part)
    if part == "xl/sharedStrings.xml":
        xml = xml.replace("<t>hello</t>", f"<t>&{entity};</t>")
    elif part == "xl/worksheets/sheet1.xml":
        xml = xml.replace('<c r="B2" t="n"><v>42</v></c>', f'<c r="B2" t="inlineStr"><is><t>&{entity};</t></is></c>')
    elif part == "xl/workbook.xml":
        xml = xml.replace('name="Sheet1"', f'name="&{entity};"')
    return rezip(base, replace={part: with_doctype(xml, doctype)})


def entity_docx(part: str, doctype: str, entity: str) -> bytes:
    base = plain_docx_bytes()
    xml = member(base, part)
    if part == "word/document.xml":
        xml = xml.replace("Application for Career Progression", f"&{entity};")
    else:
        xml = xml.replace("<w:zoom", f"<w:zoom w:dummy=\"&{entity};\"", 1)
    return rezip(base, replace={part: with_doctype(xml, doctype)})


def utf16_entity_workbook() -> bytes:
    """The billion laughs in a UTF-16 encoded sheet: parsers accept it, byte scans for an
    ASCII '<!DOCTYPE' would miss it."""
    base = plain_workbook_bytes()
    xml = member(base, "xl/sharedStrings.xml").replace("<t>hello</t>", "<t>&lol9;</t>")
    xml = with_doctype(xml.replace('encoding="UTF-8"', 'encoding="UTF-16"'), BILLION_LAUGHS)
    return rezip(base, replace={"xl/sharedStrings.xml": b"\xff\xfe" + xml.encode("utf-16-le")})


def ratio_bomb(megabytes: int = 20) -> bytes:
    """A sheet part of ``megabytes`` MiB of blanks: deflates ~1000:1."""
    base = plain_workbook_bytes()
    xml = member(base, "xl/worksheets/sheet1.xml")
    padded = xml.replace("<sheetData>", "<sheetData>" + " " * (megabytes * 1024 * 1024))
    return rezip(base, replace={"xl/worksheets/sheet1.xml": padded}, compresslevel=9)


def moderate_parts(total_mib: int, part_mib: int = 4) -> bytes:
    """Parts of random hex comments (ratio ~2:1, under the ratio limit) adding up to
    ``total_mib`` MiB uncompressed: only the total-size limit catches it."""
    base = plain_workbook_bytes()
    add = {}
    for i in range(total_mib // part_mib):
        add[f"xl/custom/part{i}.xml"] = "<x>" + os.urandom(part_mib * 512 * 1024).hex() + "</x>"
    return rezip(base, add=add, compresslevel=1)


def lying_sizes(claimed: int = 2_000_000_000) -> bytes:
    """A zip whose central directory claims a sheet of ``claimed`` bytes (a bomb's
    signature), patched in place; the data itself is small."""
    data = bytearray(plain_workbook_bytes())
    name = b"xl/worksheets/sheet1.xml"
    pos = data.rfind(b"PK\x01\x02", 0, data.rfind(name) + 1)
    while pos != -1:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46: pos + 46 + name_len]) == name:
            struct.pack_into("<I", data, pos + 24, claimed)  # uncompressed size
            break
        pos = data.find(b"PK\x01\x02", pos + 4)
    return bytes(data)


def understated_size() -> bytes:
    """The member's real data expands to 30 MiB but its headers claim 1 KiB."""
    base = ratio_bomb(30)
    data = bytearray(base)
    name = b"xl/worksheets/sheet1.xml"
    for sig, size_at, name_at, len_at in ((b"PK\x01\x02", 24, 46, 28), (b"PK\x03\x04", 22, 30, 26)):
        pos = data.find(sig)
        while pos != -1:
            n = struct.unpack_from("<H", data, pos + len_at)[0]
            if bytes(data[pos + name_at: pos + name_at + n]) == name:
                struct.pack_into("<I", data, pos + size_at, 1024)
            pos = data.find(sig, pos + 4)
    return bytes(data)


def zip_encrypted_member() -> bytes:
    """Set the 'encrypted' flag bit on every member (traditional zip encryption)."""
    data = bytearray(plain_workbook_bytes())
    for sig, flag_at in ((b"PK\x01\x02", 8), (b"PK\x03\x04", 6)):
        pos = data.find(sig)
        while pos != -1:
            flags = struct.unpack_from("<H", data, pos + flag_at)[0]
            struct.pack_into("<H", data, pos + flag_at, flags | 1)
            pos = data.find(sig, pos + 4)
    return bytes(data)


def sheet_xml(cells: str, dimension: str = "A1") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<worksheet xmlns="{SHEET_NS}"><dimension ref="{dimension}"/>'
        f"<sheetData>{cells}</sheetData></worksheet>"
    )


def one_cell_workbook(ref: str, value: str = "x", dimension: str | None = None) -> bytes:
    row = "".join(ch for ch in ref if ch.isdigit())
    cells = f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c></row>'
    return rezip(plain_workbook_bytes(), replace={
        "xl/worksheets/sheet1.xml": sheet_xml(cells, dimension or ref)})


def sheets_claimed_in_workbook_xml(count: int) -> bytes:
    """workbook.xml lists ``count`` sheets, all pointing at the one sheet part."""
    base = plain_workbook_bytes()
    xml = member(base, "xl/workbook.xml")
    start = xml.index("<sheet ")
    end = xml.index("/>", start) + 2
    one = xml[start:end]
    many = "".join(one.replace('name="Sheet1"', f'name="S{i}"').replace('sheetId="1"', f'sheetId="{i + 1}"')
                   for i in range(count))
    return rezip(base, replace={"xl/workbook.xml": xml[:start] + many + xml[end:]})


def many_sheet_parts(count: int) -> bytes:
    wb = openpyxl.Workbook()
    for i in range(count - 1):
        wb.create_sheet(f"S{i}")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def huge_shared_string(chars: int) -> bytes:
    """One shared string of ``chars`` random letters (does not compress much)."""
    table = bytes(97 + b % 26 for b in range(256))
    letters = os.urandom(chars).translate(table).decode("ascii")
    base = plain_workbook_bytes()
    xml = member(base, "xl/sharedStrings.xml").replace("<t>hello</t>", f"<t>{letters}</t>")
    return rezip(base, replace={"xl/sharedStrings.xml": xml}, compresslevel=1)


def many_shared_strings(count: int) -> bytes:
    """``count`` distinct random shared strings."""
    base = plain_workbook_bytes()
    xml = member(base, "xl/sharedStrings.xml")
    rnd = os.urandom(count * 4).hex()
    items = "".join(f"<si><t>{rnd[i * 8:(i + 1) * 8]}</t></si>" for i in range(count))
    xml = xml.replace("<si><t>hello</t></si>", "<si><t>hello</t></si>" + items)
    return rezip(base, replace={"xl/sharedStrings.xml": xml}, compresslevel=1)


def deeply_nested(part: str, depth: int) -> bytes:
    base = plain_workbook_bytes()
    xml = member(base, part)
    # random tag names so the part does not compress like a zip bomb
    names = [f"x{os.urandom(4).hex()}" for _ in range(depth)]
    nest = "".join(f"<{n}>" for n in names) + "".join(f"</{n}>" for n in reversed(names))
    if part == "xl/worksheets/sheet1.xml":
        xml = xml.replace("</sheetData>", "</sheetData>" + nest)
    else:
        xml = xml.replace("</sheets>", "</sheets>" + nest)
    return rezip(base, replace={part: xml})


def xlsm_with_macro() -> bytes:
    """A macro-enabled workbook: a vbaProject.bin part and the macro content type."""
    base = plain_workbook_bytes()
    ct = member(base, "[Content_Types].xml").replace(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    ).replace("</Types>", '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    rels = member(base, "xl/_rels/workbook.xml.rels").replace(
        "</Relationships>",
        '<Relationship Id="rIdVBA" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
        'Target="vbaProject.bin"/></Relationships>',
    )
    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"Sub Auto_Open(): Shell \"calc.exe\": End Sub" + b"\0" * 512
    return rezip(base, replace={"[Content_Types].xml": ct, "xl/_rels/workbook.xml.rels": rels},
                 add={"xl/vbaProject.bin": vba})


def encrypted_office_file(plain: bytes, password: str = "secret") -> bytes:
    """A genuinely password-protected Office file (OLE container with EncryptedPackage)."""
    import msoffcrypto

    out = io.BytesIO()
    msoffcrypto.OfficeFile(io.BytesIO(plain)).encrypt(password, out)
    return out.getvalue()


def minimal_cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal Compound File Binary (OLE2) container, hand-made: header, one FAT
    sector, a directory, and each stream stored in regular 512-byte sectors (padded to
    4096 bytes so no mini-stream is needed). Enough for "is this an encrypted Office
    file" detection, which looks at the directory entry names."""
    sector = 512
    bodies = []
    for data in streams.values():
        padded = data + b"\0" * (max(4096, -(-len(data) // sector) * sector) - len(data))
        bodies.append(padded)
    entries = [("Root Entry", 5, 0xFFFFFFFE, 0)] + [
        (name, 2, 0, len(data)) for name, data in streams.items()
    ]
    dir_sectors = -(-len(entries) * 128 // sector)
    # layout: sector 0 = FAT, sectors 1..dir_sectors = directory, then streams
    next_free = 1 + dir_sectors
    starts = []
    for body in bodies:
        starts.append(next_free)
        next_free += len(body) // sector
    fat = [0xFFFFFFFD]  # FAT sector itself
    fat += [i + 2 for i in range(dir_sectors - 1)] + [0xFFFFFFFE]
    for start, body in zip(starts, bodies):
        n = len(body) // sector
        fat += [start + i + 1 for i in range(n - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (sector // 4 - len(fat))
    header = bytearray(sector)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    struct.pack_into("<I", header, 76, 0)
    for i in range(1, 109):
        struct.pack_into("<I", header, 76 + 4 * i, 0xFFFFFFFF)
    directory = bytearray()
    for i, (name, kind, start, size) in enumerate(entries):
        e = bytearray(128)
        enc = name.encode("utf-16-le") + b"\0\0"
        e[0:len(enc)] = enc
        struct.pack_into("<HBB", e, 64, len(enc), kind, 1)
        left = right = child = 0xFFFFFFFF
        if i == 0 and len(entries) > 1:
            child = 1
        elif 0 < i < len(entries) - 1:
            right = i + 1
        struct.pack_into("<III", e, 68, left, right, child)
        real_start = starts[i - 1] if i else start
        struct.pack_into("<II", e, 116, real_start, size)
        directory += e
    directory += b"\0" * (dir_sectors * sector - len(directory))
    return bytes(header) + struct.pack(f"<{sector // 4}I", *fat) + bytes(directory) + b"".join(bodies)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# ----------------------------------------------------------------- Excel 4.0 macro sheets

MACRO_SHEET_REL = "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet"
INTL_MACRO_SHEET_REL = "http://schemas.microsoft.com/office/2006/relationships/xlIntlMacrosheet"
DIALOG_SHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/dialogsheet"
MACRO_SHEET_CT = "application/vnd.ms-excel.macrosheet+xml"
INTL_MACRO_SHEET_CT = "application/vnd.ms-excel.intlmacrosheet+xml"
DIALOG_SHEET_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.dialogsheet+xml"
_R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

XLM_SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<xm:macrosheet xmlns="{SHEET_NS}" xmlns:r="{_R_NS}" '
    'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<dimension ref="A1:A2"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    '<sheetFormatPr defaultRowHeight="15"/><sheetData>'
    '<row r="1"><c r="A1" t="b"><f>EXEC("calc.exe")</f><v>1</v></c></row>'
    '<row r="2"><c r="A2" t="b"><f>HALT()</f><v>1</v></c></row></sheetData>'
    '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    '<legacyDrawing r:id="rId1"/></xm:macrosheet>')
INTL_SHEET = XLM_SHEET.replace('<legacyDrawing r:id="rId1"/>', "").replace("calc.exe", "notepad.exe")
DIALOG_SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<dialogsheet xmlns="{SHEET_NS}" xmlns:r="{_R_NS}"><sheetViews><sheetView workbookViewId="0"/>'
    '</sheetViews><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
    'footer="0.3"/></dialogsheet>')
BUTTON_VML = (
    '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:x="urn:schemas-microsoft-com:office:excel"><v:shape id="_x0000_s1025" type="#_x0000_t201">'
    '<x:ClientData ObjectType="Button"><x:FmlaMacro>[0]!Auto_Open</x:FmlaMacro></x:ClientData>'
    '</v:shape></xml>')
MACRO_SHEETS = {"Dialog1": "xl/dialogsheets/sheet1.xml", "Macro1": "xl/macrosheets/sheet1.xml",
                "Intl1": "xl/macrosheets/intlsheet1.xml"}
"""The sheets :func:`with_macro_sheets` adds, by name, and their parts."""
MACRO_ONLY_PARTS = ("xl/macrosheets/_rels/sheet1.xml.rels", "xl/drawings/vmlDrawing1.vml")
"""The macro sheet's own relationships part and the button drawing only it refers to."""
MACRO_NAMES_KEPT = (
    # (name, localSheetId in the input, formula): each names a sheet that stays
    ("Grades", None, "Lists!$A$2:$A$12"),
    ("Label", None, '"Macro1!A1"'),  # a string, not a reference
    ("Rate", "3", "Instructions!$B$2"),
    ("_xlnm.Print_Area", "5", "Lists!$A$1:$P$12"),
    ("_xlnm.Print_Titles", "1", "Estimates!$1:$1"),
)
MACRO_NAMES_DROPPED = (
    ("_xlnm.Auto_Open", None, "Macro1!$A$1"),
    ("Auto_Close", None, "Estimates!$A$1"),  # an auto-run name is dropped wherever it points
    ("Dlg", "0", "Dialog1!$A$1"),  # local to the dialog sheet
    ("Local_macro", "2", "Instructions!$A$1"),  # local to Macro1
    ("Mixed", None, "SUM(Estimates!$H$2,'Macro1'!$A$1)"),
    ("Span", None, "SUM(Estimates:Intl1!$A$1)"),
)


def with_macro_sheets(data: bytes) -> bytes:
    """``data`` (a workbook with the sheets Estimates, Instructions and Lists, such as
    workbooks/samples/*.xlsx) with what an Excel 4.0 macro workbook holds, as Excel writes
    it: a macro sheet ``Macro1`` (``xl/macrosheets/sheet1.xml``, very hidden, with its own
    relationships part and a button drawing only it refers to), an international macro
    sheet ``Intl1`` (``xl/macrosheets/intlsheet1.xml``) and a dialog sheet ``Dialog1``
    (``xl/dialogsheets/sheet1.xml``), each with its workbook relationship,
    ``[Content_Types].xml`` Override and ``<sheet>`` element, and the defined names of
    :data:`MACRO_NAMES_KEPT` and :data:`MACRO_NAMES_DROPPED` (``_xlnm.Auto_Open`` runs
    Macro1!A1 on open). Sheet order: Dialog1, Estimates, Macro1, Instructions, Intl1,
    Lists; the book view opens on Macro1 (activeTab 2), first tab Dialog1."""
    import re

    wb = member(data, "xl/workbook.xml")
    sheets = {name: el for el, name in re.findall(r'(<sheet [^>]*name="([^"]+)"[^>]*/>)', wb)}
    assert set(sheets) == {"Estimates", "Instructions", "Lists"}, sheets
    r = f'xmlns:r="{_R_NS}"'
    new_sheets = (
        f'<sheet {r} name="Dialog1" sheetId="11" r:id="rIdDlg"/>' + sheets["Estimates"]
        + f'<sheet {r} name="Macro1" sheetId="12" state="veryHidden" r:id="rIdXlm"/>'
        + sheets["Instructions"]
        + f'<sheet {r} name="Intl1" sheetId="13" state="hidden" r:id="rIdIntl"/>' + sheets["Lists"])
    names = "".join(
        f'<definedName name="{n}"' + (f' localSheetId="{local}"' if local else "")
        + (' hidden="1"' if n.startswith("_xlnm.Auto") else "") + ">"
        + f.replace("&", "&amp;").replace("<", "&lt;") + "</definedName>"
        for n, local, f in sorted(MACRO_NAMES_KEPT + MACRO_NAMES_DROPPED, key=lambda t: t[0].lower()))
    wb = re.sub(r"<sheets>.*</sheets>", lambda m: f"<sheets>{new_sheets}</sheets>", wb)
    wb = re.sub(r"<definedNames\s*/>|<definedNames>.*</definedNames>", "", wb)
    wb = wb.replace("<calcPr", f"<definedNames>{names}</definedNames><calcPr")
    wb = re.sub(r'firstSheet="\d+"', 'firstSheet="0"', re.sub(r'activeTab="\d+"', 'activeTab="2"', wb))
    rels = member(data, "xl/_rels/workbook.xml.rels").replace(
        "</Relationships>",
        f'<Relationship Id="rIdDlg" Type="{DIALOG_SHEET_REL}" Target="dialogsheets/sheet1.xml"/>'
        f'<Relationship Id="rIdXlm" Type="{MACRO_SHEET_REL}" Target="macrosheets/sheet1.xml"/>'
        f'<Relationship Id="rIdIntl" Type="{INTL_MACRO_SHEET_REL}" Target="macrosheets/intlsheet1.xml"/>'
        "</Relationships>")
    ct = member(data, "[Content_Types].xml").replace(
        "</Types>",
        '<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>'
        f'<Override PartName="/xl/dialogsheets/sheet1.xml" ContentType="{DIALOG_SHEET_CT}"/>'
        f'<Override PartName="/xl/macrosheets/sheet1.xml" ContentType="{MACRO_SHEET_CT}"/>'
        f'<Override PartName="/xl/macrosheets/intlsheet1.xml" ContentType="{INTL_MACRO_SHEET_CT}"/>'
        "</Types>")
    sheet_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/vmlDrawing" Target="../drawings/vmlDrawing1.vml"/></Relationships>')
    return rezip(data, replace={"xl/workbook.xml": wb, "xl/_rels/workbook.xml.rels": rels,
                                "[Content_Types].xml": ct},
                 add={"xl/dialogsheets/sheet1.xml": DIALOG_SHEET, "xl/macrosheets/sheet1.xml": XLM_SHEET,
                      "xl/macrosheets/intlsheet1.xml": INTL_SHEET,
                      "xl/macrosheets/_rels/sheet1.xml.rels": sheet_rels,
                      "xl/drawings/vmlDrawing1.vml": BUTTON_VML})


_INLINE = re.compile(r'<c ([^>]*?)t="inlineStr"([^>]*)><is>(.*?)</is></c>', re.S)


def excel_shared_strings(data: bytes) -> bytes:
    """The workbook as Excel saves it: every inline string of every sheet (openpyxl and
    medpay's own writers use inline strings) moved into one xl/sharedStrings.xml part,
    the cells pointing at it by index (``t="s"``), with its relationship and content
    type. Its text is the same, so every reader gives the same answer."""
    strings: list[str] = []
    index: dict[str, int] = {}

    def shared(m: re.Match) -> str:
        body = m.group(3)
        if body not in index:
            index[body] = len(strings)
            strings.append(body)
        return f'<c {m.group(1)}t="s"{m.group(2)}><v>{index[body]}</v></c>'

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
    if "xl/sharedStrings.xml" in names:
        raise ValueError("the workbook has a shared-strings part already")
    sheets = [n for n in names if n.startswith("xl/worksheets/sheet") and n.endswith(".xml")]
    replace: dict[str, bytes | str] = {n: _INLINE.sub(shared, member(data, n)) for n in sheets}
    replace["[Content_Types].xml"] = member(data, "[Content_Types].xml").replace(
        "</Types>",
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    replace["xl/_rels/workbook.xml.rels"] = member(data, "xl/_rels/workbook.xml.rels").replace(
        "</Relationships>",
        '<Relationship Id="rIdSST" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           f'<sst xmlns="{SHEET_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">'
           + "".join(f"<si>{s}</si>" for s in strings) + "</sst>")
    return rezip(data, replace=replace, add={"xl/sharedStrings.xml": sst})


def entities_in(data: bytes, part: str, doctype: str = BILLION_LAUGHS, entity: str = "lol9") -> bytes:
    """``data`` with ``doctype`` declared at the top of ``part`` and ``&entity;`` used in
    the first text or attribute value there, so a parser that expanded it would blow up."""
    xml = member(data, part)
    used = re.sub(r"(<(?:\w+:)?t(?: [^>]*)?>)", rf"\1&{entity};", xml, count=1)
    if used == xml:  # no text element: use it in the first attribute value
        used = re.sub(r'(<\w[^>?!]*?=")', rf"\1&{entity};", xml, count=1)
    return rezip(data, replace={part: with_doctype(used, doctype)})


def utf32_entity_workbook() -> bytes:
    """The billion laughs in a UTF-32 shared-strings part: lxml reads UTF-32 and expands
    its entities; a scan for the UTF-8 and UTF-16 markers alone would miss it."""
    base = plain_workbook_bytes()
    xml = member(base, "xl/sharedStrings.xml").replace("<t>hello</t>", "<t>&lol9;</t>")
    xml = with_doctype(xml.replace('encoding="UTF-8"', 'encoding="UTF-32"'), BILLION_LAUGHS)
    return rezip(base, replace={"xl/sharedStrings.xml": b"\xff\xfe\x00\x00" + xml.encode("utf-32-le")})
