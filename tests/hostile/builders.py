"""Builders for hostile and broken Office files. Every test builds its file from scratch
(or from a real workbook saved by openpyxl / a document saved by python-docx), so each
case states exactly what is hostile about it."""

from __future__ import annotations

import io
import os
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
