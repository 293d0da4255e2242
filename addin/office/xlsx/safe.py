"""Opening untrusted workbooks safely. Every reader in medpay comes through here.

Before any XML parser sees a file we check, from the bytes and the zip central
directory alone: that it exists and is a file; that it is an OOXML spreadsheet and not
an .xls/.xlsb/.ods/.csv/.docx renamed to .xlsx; that it is not encrypted
(password-protected files are OLE containers holding an ``EncryptedPackage``); that it is
not a zip bomb (total uncompressed size and compression ratio limits); that it has a sane
number of sheets. openpyxl parses with defusedxml when it is installed, which blocks XML
entity expansion and external entities; we refuse to run without it.

The file is read once into memory, so the input is never locked, moved or modified.
"""

from __future__ import annotations

import io
import operator
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from addin.core.errors import InputError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Limits:
    """Bounds that keep memory and time in check on hostile files."""

    max_file_bytes: int = 100 * 1024 * 1024
    max_uncompressed_bytes: int = 500 * 1024 * 1024
    max_member_ratio: int = 200
    """Largest allowed uncompressed/compressed ratio for members over 1 MiB."""
    max_members: int = 10_000
    max_sheets: int = 500
    max_xml_elements: int = 3_000_000
    """Largest number of XML elements in the cell-holding parts (worksheets and shared
    strings) together: roughly twice the number of cells and strings. Counted from the
    bytes before parsing, so a sheet of millions of cells is refused before openpyxl
    builds millions of objects."""
    max_cell_chars: int = 32_767
    """Excel's own limit on the text in one cell; longer text can only be hostile."""
    max_rows: int = 100_000
    """Rows :func:`used_rows` reads from one sheet (real data, never ``<dimension>``)."""
    max_cols: int = 1_000
    """Columns :func:`used_rows` reads from one sheet."""
    max_grid_cells: int = 1_000_000
    """Rows x columns a sheet may span (last row x last column holding a cell). Readers
    that loop over ``ws.iter_rows()`` build every cell of that grid (~250 bytes each in
    openpyxl), so two stray cells at A100000 and ALL1 are refused from the bytes."""


LIMITS = Limits()

_OPEN_HINT = "open it in Excel and save it as an Excel Workbook (.xlsx)"
OPEN_HINT = _OPEN_HINT
"""What to do with a workbook medpay cannot read (every workbook error's hint)."""


def read_ooxml_bytes(
    path: str | Path,
    *,
    kind: str = "workbook",
    limits: Limits = LIMITS,
    parts: dict[str, bytes] | None = None,
) -> bytes:
    """Return the bytes of an OOXML file (``kind`` 'workbook' or 'document') after checks.

    Raises :class:`InputError` with a one-line message naming the file for anything that
    is not a safe, readable file of that kind. ``parts``, when given a dict, receives the
    decompressed XML of each worksheet part (``xl/worksheets/...``, up to
    :data:`KEEP_PART_BYTES` each) and of :data:`KEPT_WORKBOOK_PARTS` that the checks
    streamed anyway, so a reader can look into a sheet's XML without opening the zip
    and decompressing it a second time. It is filled only while checking; use it only
    when the call returns.
    """
    p = Path(path)
    expected = "Excel workbook (.xlsx or .xlsm)" if kind == "workbook" else "Word document (.docx)"
    hint = _OPEN_HINT if kind == "workbook" else "open it in Word and save it as a Word Document (.docx)"
    if not p.exists():
        raise InputError("file not found", file=p, hint="check the path and the file name")
    if p.is_dir():
        raise InputError(f"is a folder, not {_a(expected)}", file=p)
    try:
        size = p.stat().st_size
        if size > limits.max_file_bytes:
            raise InputError(
                f"file is {size // (1024 * 1024)} MiB, larger than the "
                f"{limits.max_file_bytes // (1024 * 1024)} MiB medpay accepts",
                file=p,
                hint="split it into smaller files",
            )
        data = p.read_bytes()
    except PermissionError as exc:
        raise InputError("cannot read the file: permission denied", file=p,
                         hint="close it in Excel or check its permissions") from exc
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", file=p) from exc
    check_ooxml_bytes(data, p, kind=kind, limits=limits, expected=expected, hint=hint,
                      parts=parts)
    return data


def check_ooxml_bytes(
    data: bytes,
    p: Path,
    *,
    kind: str,
    limits: Limits,
    expected: str,
    hint: str,
    parts: dict[str, bytes] | None = None,
) -> None:
    if not data:
        raise InputError(f"file is empty, not {_a(expected)}", file=p)
    if data.startswith(OLE_MAGIC):
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in data:
            app, menu = ("Excel", "Protect Workbook") if kind == "workbook" else ("Word", "Protect Document")
            raise InputError(
                "file is password-protected (encrypted)",
                file=p,
                hint=f"remove the password in {app} (File > Info > {menu}) and send it again",
            )
        old = "Excel 97-2003 (.xls)" if kind == "workbook" else "Word 97-2003 (.doc)"
        raise InputError(f"file is an old {old} file, not {_a(expected)}", file=p, hint=hint)
    if len(data) < len(ZIP_MAGIC) and ZIP_MAGIC.startswith(data):
        raise InputError(f"file is damaged or truncated ({len(data)} bytes); it is not a readable {expected}",
                         file=p, hint="ask the sender for a fresh copy")
    if not data.startswith(ZIP_MAGIC):
        head = data[:512]
        if b"<html" in head.lower() or b"<!doctype" in head.lower():
            what = "a web page (HTML)"
        elif b"{\\rtf" in head:
            what = "an RTF document"
        elif head.startswith(b"%PDF"):
            what = "a PDF"
        elif _looks_like_text(head):
            what = "a text or CSV file"
        else:
            what = "not a recognised Office file"
        raise InputError(f"file is {what}, not {_a(expected)}", file=p, hint=hint)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError,
            RuntimeError, struct.error) as exc:  # e.g. "zip file version 24.8" from a flipped byte
        raise InputError(
            f"file is damaged or truncated ({exc}); it is not a readable {expected}",
            file=p,
            hint="ask the sender for a fresh copy",
        ) from exc
    if len(infos) > limits.max_members:
        raise InputError(f"file has {len(infos)} parts, more than medpay accepts", file=p)
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.compress_size > 0:
            ratio = info.file_size / info.compress_size
            if ratio > limits.max_member_ratio:
                raise InputError(
                    f"part {info.filename} expands {ratio:.0f} times (a zip bomb); refused",
                    file=p,
                    hint="do not open this file; ask the sender where it came from",
                )
    if total > limits.max_uncompressed_bytes:
        raise InputError(
            f"file expands to {total // (1024 * 1024)} MiB, more than the "
            f"{limits.max_uncompressed_bytes // (1024 * 1024)} MiB medpay accepts (a zip bomb?)",
            file=p,
        )
    names = {i.filename for i in infos}
    sheet_elements = _scan_members(zf, infos, p, kind=kind, limits=limits, expected=expected,
                                   parts=parts, data=data)
    if kind == "workbook":
        if "xl/workbook.xml" not in names:
            if "xl/workbook.bin" in names:
                what = "an Excel Binary Workbook (.xlsb)"
            elif "content.xml" in names and "mimetype" in names:
                what = "an OpenDocument spreadsheet (.ods)"
            elif "word/document.xml" in names:
                what = "a Word document"
            else:
                what = "a zip archive without a workbook inside"
            raise InputError(f"file is {what}, not {_a(expected)}", file=p, hint=hint)
        sheets = max(
            sheet_elements,
            sum(1 for n in names if n.startswith("xl/worksheets/sheet") and n.endswith(".xml")),
        )
        if sheets > limits.max_sheets:
            raise InputError(
                f"workbook has {sheets} sheets, more than the {limits.max_sheets} medpay accepts",
                file=p,
            )
    else:
        if "word/document.xml" not in names:
            what = "an Excel workbook" if "xl/workbook.xml" in names else "a zip archive without a document inside"
            raise InputError(f"file is {what}, not {_a(expected)}", file=p, hint=hint)


# Office never writes a DTD: any <!DOCTYPE or <!ENTITY in a part is an entity-expansion
# ("billion laughs") or external-entity (XXE) attack. We refuse it from the bytes, in the
# encodings an XML parser accepts, whatever parser (defusedxml, lxml) would read it next.
_ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
"""Every encoding lxml reads a part in (UTF-32 too: lxml expands a UTF-32 DTD's entities)."""
_ENTITY_MARKERS = tuple("<!ENTITY".encode(enc) for enc in _ENCODINGS)
_DTD_MARKERS = tuple("<!DOCTYPE".encode(enc) for enc in _ENCODINGS) + _ENTITY_MARKERS
_LT_BANG = (b"<!", b"<\x00!", b"<\x00\x00\x00!")
"""``<!`` in UTF-8, in UTF-16 either way round, in UTF-32 either way round: a part holding
none of these holds no marker, so three searches clear a part with a ``!`` in it (a
formula's ``Sheet1!A1``) before the ten exact ones."""


def _declares(buf: bytes) -> str | None:
    """What ``buf`` declares - "XML entities", "a DTD" - or None. Cheap on the common
    path: one memchr for ``!`` clears a normal part."""
    if b"!" not in buf or not any(m in buf for m in _LT_BANG):
        return None
    if any(m in buf for m in _ENTITY_MARKERS):
        return "XML entities"
    if any(m in buf for m in _DTD_MARKERS):
        return "a DTD"
    return None


_PART_WORDS: tuple[tuple[str, str, bool], ...] = (
    # (name prefix or exact name, words, plural?) - first match wins
    ("xl/sharedStrings.xml", "the workbook's shared strings (the text of its cells)", True),
    ("xl/workbook.xml", "the workbook's list of sheets", False),
    ("xl/worksheets/", "one of the workbook's sheets", False),
    ("xl/styles.xml", "the workbook's styles (cell formats)", True),
    ("xl/theme/", "the workbook's theme (colours and fonts)", False),
    ("xl/tables/", "a table in the workbook", False),
    ("xl/comments", "the workbook's comments", True),
    ("xl/threadedComments/", "the workbook's comments", True),
    ("xl/persons/", "the workbook's list of commenters", False),
    ("xl/drawings/", "a drawing in the workbook", False),
    ("xl/charts/", "a chart in the workbook", False),
    ("xl/pivot", "a pivot table in the workbook", False),
    ("xl/externalLinks/", "a link to another workbook", False),
    ("xl/calcChain.xml", "the workbook's calculation chain", False),
    ("xl/connections.xml", "the workbook's data connections", True),
    ("word/document.xml", "the document's text", False),
    ("word/settings.xml", "the document's settings", True),
    ("word/styles.xml", "the document's styles", True),
    ("word/numbering.xml", "the document's numbering", False),
    ("word/header", "a header of the document", False),
    ("word/footer", "a footer of the document", False),
    ("word/footnotes.xml", "the document's footnotes", True),
    ("word/endnotes.xml", "the document's endnotes", True),
    ("word/comments", "the document's comments", True),
    ("word/fontTable.xml", "the document's font list", False),
    ("word/theme/", "the document's theme (colours and fonts)", False),
    ("word/glossary/", "the document's building blocks", True),
    ("docProps/", "the file's properties (title, author and the like)", True),
    ("customXml/", "the file's custom XML data", False),
    ("[Content_Types].xml", "the file's list of contents", False),
)


def part_in_words(name: str) -> tuple[str, bool]:
    """What a user understands a part of an Office file to be, and whether the words are
    plural: ``xl/sharedStrings.xml`` -> ("the workbook's shared strings ...", True)."""
    if name.endswith(".rels"):
        return "the file's internal links", True
    for prefix, words, plural in _PART_WORDS:
        if name == prefix or (not prefix.endswith(".xml") and name.startswith(prefix)):
            return words, plural
    return "a part of the file", False


def declared_xml_error(name: str, what: str, p: Path, kind: str) -> InputError:
    """The one line for a part that declares a DTD or entities: the part in words and by
    name, the program that never writes such a thing, and what to do."""
    words, plural = part_in_words(name)
    app = "Excel" if kind == "workbook" else "Word"
    return InputError(
        f"{words} (part {name}) declare{'' if plural else 's'} {what}, which {app} never "
        "writes (an entity-expansion or external-entity attack): refused",
        file=p,
        hint="do not open this file; ask the sender where it came from",
    )
_SHEET_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,30}:)?sheet[\s/>]")
_CELL_REF = re.compile(rb'r="(?<=\sr=")([A-Z]{1,3})([0-9]{1,20})"')
"""A cell's own reference (``<c r="XFD1048576">``); ``<row r="5">`` has no letters.
Whitespace, then ``r="``: written with the literal ``r="`` first and the whitespace as a
look-behind, which finds exactly the same references as ``\\sr="...`` but lets the regex
engine jump from one ``r="`` to the next (about twice as fast on a sheet)."""
_ROW_REF = re.compile(rb'row(?<=[<:]row)(?=\s)[^>]{0,400}?\sr="([0-9]{1,20})"[^>]{0,400}(?<!/)>')
"""A row that holds cells (not self-closing): its cells without their own ``r`` take
its number. Empty formatted rows (``<row r="60" hidden="1"/>``) are harmless. The
literal ``row`` comes first (prefix checked by look-behind) so the scan stays fast."""
_OVERLAP = 1024
"""Bytes carried from one chunk to the next so a marker split across chunks is seen."""
KEEP_PART_BYTES = 32 * 1024 * 1024
KEPT_WORKBOOK_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
"""Besides worksheets, the parts that say which worksheet part holds which sheet."""
"""Largest worksheet part :func:`read_ooxml_bytes` hands back through ``parts``
(a larger one is simply not kept; the reader decompresses it itself)."""
_BINARY_SUFFIXES = (
    ".bin", ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf",
    ".wdp", ".odttf", ".ttf", ".otf", ".fntdata",
)


def _after_lt(chunk: bytes, mark: bytes) -> int:
    """``chunk.count(b"<" + mark)`` for a one-byte ``mark`` that is rare in XML ("?",
    "!"): the few ``mark`` bytes are found with a memchr and their neighbour checked,
    instead of a two-byte search over the whole chunk; a chunk where ``mark`` is common
    falls back to the two-byte count. ("<" never equals ``mark``, so pairs never overlap.)"""
    n = seen = 0
    i = chunk.find(mark, 1)  # a mark at 0 has no "<" before it in this chunk
    while i != -1:
        seen += 1
        if seen > 16:
            return chunk.count(b"<" + mark)
        if chunk[i - 1] == 60:  # "<"
            n += 1
        i = chunk.find(mark, i + 1)
    return n


def _is_parsed_part(name: str) -> bool:
    """Parts an XML parser may read. Media, embedded objects and binaries are never parsed
    as XML by medpay's readers (an SVG in media may legitimately hold a DOCTYPE)."""
    low = name.lower()
    if name.endswith("/") or "/media/" in low or "/embeddings/" in low:
        return False
    return not low.endswith(_BINARY_SUFFIXES)


def _chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo, size: int,
            data: bytes | None = None) -> Iterator[bytes]:
    """A member's uncompressed bytes in pieces of ``size``. A small member whose bytes are
    all sound (see :func:`_inflate`) is inflated straight from ``data`` in one call;
    any other goes through :mod:`zipfile`, which streams it and raises its own errors
    (bad CRC, truncated data, encrypted member) for the caller to word."""
    whole = _inflate(data, info) if data is not None else None
    if whole is not None:
        for start in range(0, len(whole), size):
            yield whole[start:start + size]
        return
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(size)
            if not chunk:
                return
            yield chunk


INFLATE_BYTES = 4 * 1024 * 1024
"""Largest member (declared uncompressed size) :func:`_inflate` decompresses in one call;
a larger one is streamed by :mod:`zipfile` a chunk at a time."""
_LOCAL_HEADER = struct.Struct("<4s22xHH")
"""A zip local file header: signature, then (after 22 bytes) name and extra lengths."""


def _inflate(data: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """The uncompressed bytes of one small member, read straight from the archive bytes.

    The same bytes :mod:`zipfile` gives, at a fraction of its per-member cost (a workbook
    has a dozen parts, and this runs on every file of a batch). Returns None - and the
    caller streams the member through :mod:`zipfile`, which words the fault - unless every
    check holds: not encrypted; stored or deflated; declared size at most
    :data:`INFLATE_BYTES`; a local header at the central directory's offset naming the
    same member; the deflate stream ends exactly at the declared size (inflation is
    bounded by it, so a member lying about its size costs no more memory) and the CRC-32
    matches."""
    if (info.flag_bits & 0x1 or info.file_size > INFLATE_BYTES
            or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)):
        return None
    offset = info.header_offset
    if offset < 0 or offset + _LOCAL_HEADER.size > len(data):
        return None
    magic, name_len, extra_len = _LOCAL_HEADER.unpack_from(data, offset)
    if magic != ZIP_MAGIC:
        return None
    start = offset + _LOCAL_HEADER.size
    encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
    try:
        if data[start:start + name_len].decode(encoding) != info.orig_filename:
            return None
    except UnicodeDecodeError:
        return None
    start += name_len + extra_len
    raw = data[start:start + info.compress_size]
    if len(raw) != info.compress_size:
        return None
    if info.compress_type == zipfile.ZIP_STORED:
        whole = raw
    else:
        inflater = zlib.decompressobj(-15)
        try:
            whole = inflater.decompress(raw, info.file_size + 1)
        except zlib.error:
            return None
        if not inflater.eof:
            return None
    if len(whole) != info.file_size or zlib.crc32(whole) != info.CRC:
        return None
    return whole


def _scan_members(
    zf: zipfile.ZipFile,
    infos: list[zipfile.ZipInfo],
    p: Path,
    *,
    kind: str,
    limits: Limits,
    expected: str,
    parts: dict[str, bytes] | None = None,
    data: bytes | None = None,
) -> int:
    """Stream every XML part once, before any parser sees it, and refuse: DTDs/entity
    declarations, damaged or password-protected members, more than
    ``limits.max_xml_elements`` elements in total, and (workbooks) any run of text longer
    than Excel allows in a cell. Returns the number of ``<sheet>`` elements in
    xl/workbook.xml. Memory stays at one chunk per member whatever the file holds (a
    member of up to :data:`INFLATE_BYTES` is inflated whole from ``data``, the archive's
    bytes, when given), plus, when ``parts`` is given, the worksheet parts kept for the
    caller."""
    # A chunk with no '<' at all is a run of >= window bytes, i.e. more than
    # max_cell_chars characters even at 12 bytes per character (&#1114111;).
    window = max(limits.max_cell_chars * 12, 64 * 1024)
    elements = 0
    sheets = 0
    for info in infos:
        if not _is_parsed_part(info.filename):
            continue
        name = info.filename
        tail = b""
        count_sheets = kind == "workbook" and name == "xl/workbook.xml"
        check_refs = kind == "workbook" and name.startswith("xl/worksheets/")
        span = (0, 0)
        keep: list[bytes] | None = (
            [] if parts is not None and kind == "workbook" and info.file_size <= KEEP_PART_BYTES
            and (check_refs or name in KEPT_WORKBOOK_PARTS) else None)
        try:
            for chunk in _chunks(zf, info, window, data):
                if keep is not None:
                    keep.append(chunk)
                buf = tail + chunk
                # every marker holds a "!" byte: one memchr clears a normal part
                declared = _declares(buf)
                if declared:
                    raise declared_xml_error(name, declared, p, kind)
                if kind == "workbook" and len(chunk) == window and b"<" not in chunk:
                    raise InputError(
                        f"part {name} holds a text of more than {limits.max_cell_chars:,} "
                        "characters, longer than Excel allows in a cell; refused",
                        file=p,
                        hint="ask the sender where the file came from",
                    )
                opened = (chunk.count(b"<") - chunk.count(b"</") - _after_lt(chunk, b"?")
                          - _after_lt(chunk, b"!"))
                if tail.endswith(b"<") and chunk[:1] in (b"/", b"?", b"!"):
                    opened -= 1
                elements += opened
                if elements > limits.max_xml_elements:
                    raise InputError(
                        f"file holds more than {limits.max_xml_elements:,} XML elements "
                        f"(reached in part {name}), more than medpay accepts",
                        file=p,
                        hint="split it into smaller files",
                    )
                if check_refs:
                    # first and shorter than a window: the member's only chunk
                    whole = not tail and len(chunk) < window
                    rows, cols = _check_cell_refs(buf, name, p, limits, whole=whole)
                    span = (max(span[0], rows), max(span[1], cols))
                    if span[0] * span[1] > limits.max_grid_cells:
                        from openpyxl.utils import get_column_letter

                        raise InputError(
                            f"part {name} spans A1:{get_column_letter(span[1])}{span[0]} "
                            f"({span[0]:,} rows x {span[1]:,} columns), more than the "
                            f"{limits.max_grid_cells:,} cells medpay reads from one sheet",
                            file=p,
                            hint="delete the stray cells far below or to the right and save again",
                        )
                if count_sheets:
                    cut = len(buf) - _OVERLAP
                    sheets += sum(1 for m in _SHEET_ELEMENT.finditer(buf) if m.start() < cut)
                tail = buf[-_OVERLAP:]
            if count_sheets:
                sheets += len(_SHEET_ELEMENT.findall(tail))
            if keep is not None and parts is not None:
                parts[name] = b"".join(keep)
        except InputError:
            raise
        except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required"
            raise InputError(
                f"part {name} is password-protected inside the zip; medpay cannot read it",
                file=p,
                hint="remove the password and send the file again",
            ) from exc
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
                NotImplementedError) as exc:
            raise InputError(
                f"file is damaged or truncated (part {name}: {str(exc)[:120]}); "
                f"it is not a readable {expected}",
                file=p,
                hint="ask the sender for a fresh copy",
            ) from exc
    return sheets


_FIRST = operator.itemgetter(0)
_SECOND = operator.itemgetter(1)


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


_SMALL_SPAN = (999, 702)
"""(rows, columns) a sheet spans at most when no reference has three column letters or
four row digits (A1:ZZ999): within every limit, so such a sheet needs no exact span."""
_BEYOND_SMALL = re.compile(rb'r="(?:[A-Z]{3}|[A-Z]{0,2}[0-9]{4})')
"""Matches wherever :data:`_CELL_REF` or :data:`_ROW_REF` would find a reference outside
:data:`_SMALL_SPAN`: a column past ZZ has three letters, a row past 999 four digits
(leading zeros only make it match more often). A search, not a findall: it stops at the
first such reference and builds nothing. (Without the whitespace look-behind those
two have, it matches a few more places - any ``r="`` - which only sends more sheets
the exact way, and it runs a fifth faster.)"""


def _check_cell_refs(buf: bytes, name: str, p: Path, limits: Limits, *,
                     whole: bool = False) -> tuple[int, int]:
    """Refuse, from the bytes, a cell beyond ``limits.max_rows`` x ``limits.max_cols``
    (a sheet with one value at XFD1048576): every reader - openpyxl, python-calamine,
    which builds a dense grid of the used range - would otherwise allocate or loop over
    17 billion cells. ``<dimension>`` claims alone are harmless and ignored here.

    Returns (last row, last column) referenced. When ``buf`` is a ``whole`` sheet part,
    a sheet inside :data:`_SMALL_SPAN` (a team's estimates) may instead get that span as
    its bound: one quick search proves no reference lies beyond it, and the limits allow
    it; every other sheet has its references read one by one."""
    if (whole and limits.max_rows >= _SMALL_SPAN[0] and limits.max_cols >= _SMALL_SPAN[1]
            and _SMALL_SPAN[0] * _SMALL_SPAN[1] <= limits.max_grid_cells
            and _BEYOND_SMALL.search(buf) is None):
        return _SMALL_SPAN
    refs = _CELL_REF.findall(buf)
    rows = _ROW_REF.findall(buf)
    if rows:
        refs += [(b"A", r) for r in rows]
    if not refs:
        return 0, 0
    last_row = max(map(int, map(_SECOND, refs)))
    last_col = max(map(_column_number, set(map(_FIRST, refs))))
    if last_row > limits.max_rows or last_col > limits.max_cols:
        far = next(c + r for c, r in refs if int(r) > limits.max_rows or _column_number(c) > limits.max_cols)
        raise InputError(
            f"part {name} has a cell at {far.decode()}, beyond the {limits.max_rows:,} rows x "
            f"{limits.max_cols:,} columns medpay reads",
            file=p,
            hint="delete the stray cells far below or to the right and save again",
        )
    return last_row, last_col


def _a(noun: str) -> str:
    return ("an " if noun[:1].upper() in "AEIOU" else "a ") + noun


def _looks_like_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not just a character cut at the 512-byte boundary
            return False
        text = head[: exc.start].decode("utf-8")
    return all(ch.isprintable() or ch in "\t\r\n\f" for ch in text)


def _require_defusedxml() -> None:
    from openpyxl import xml as oxml

    if not getattr(oxml, "DEFUSEDXML", False):  # pragma: no cover - defusedxml is a dependency
        raise RuntimeError("defusedxml must be installed: medpay will not parse untrusted XML without it")


def load_workbook(
    path: str | Path,
    *,
    data_only: bool = True,
    read_only: bool = False,
    keep_vba: bool = False,
    limits: Limits = LIMITS,
    macro_free: bool = False,
):
    """Open a workbook with openpyxl after the safety checks. Macros are never run
    (openpyxl cannot run them) and, unless ``keep_vba``, not even kept. ``macro_free``:
    the package is first stripped of every macro (:func:`addin.office.xlsx.macrofree.without_macros`:
    VBA project, Excel 4.0 macro sheets, dialog sheets, auto-run names), so openpyxl never
    reads a macro sheet as a worksheet (what the feedback copy is made from)."""
    import openpyxl

    if macro_free and keep_vba:
        raise ValueError("macro_free and keep_vba exclude each other")
    _require_defusedxml()
    data = read_ooxml_bytes(path, kind="workbook", limits=limits)
    try:
        if macro_free:
            from addin.office.xlsx.macrofree import without_macros

            data = without_macros(data)  # a part it cannot parse: damaged, below
        wb = openpyxl.load_workbook(
            io.BytesIO(data), data_only=data_only, read_only=read_only, keep_vba=keep_vba
        )
        if not read_only:
            _check_cell_text(wb, path, limits)
        return wb
    except InputError:
        raise
    except RecursionError as exc:
        raise InputError("workbook XML is nested too deeply to read (a hostile file?)",
                         file=path, hint=_OPEN_HINT) from exc
    except MemoryError as exc:
        raise InputError("workbook is too large to read in memory", file=path,
                         hint="split it into smaller files") from exc
    except Exception as exc:  # openpyxl raises many types on damaged parts
        raise InputError(
            f"workbook is damaged and cannot be read ({type(exc).__name__}: {str(exc)[:200]})",
            file=path,
            hint=_OPEN_HINT,
        ) from exc


def _check_cell_text(wb, path: str | Path, limits: Limits) -> None:
    """Refuse text longer than Excel allows in one cell (only a hostile file holds it)."""
    for ws in wb.worksheets:
        for (row, col), cell in getattr(ws, "_cells", {}).items():
            value = cell._value
            if isinstance(value, str) and len(value) > limits.max_cell_chars:
                raise InputError(
                    f"cell holds {len(value):,} characters, more than the "
                    f"{limits.max_cell_chars:,} Excel allows; refused",
                    file=path, sheet=ws.title, cell=_a1(row, col),
                    hint="ask the sender where the file came from",
                )


def _a1(row: int, col: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(col)}{row}"


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def used_bounds(ws) -> tuple[int, int]:
    """(last row, last column) that hold a value, from the cells actually stored.

    Never trusts ``<dimension ref="A1:XFD1048576"/>`` nor ``ws.max_row``/``max_column``
    (which count empty, styled cells and, in read-only mode, the claimed dimension).
    Returns (0, 0) for an empty sheet. Read-only sheets are streamed once.
    """
    rows = cols = 0
    cells = getattr(ws, "_cells", None)
    if cells is not None:
        for (r, c), cell in cells.items():
            if not _empty(cell._value):
                rows = max(rows, r)
                cols = max(cols, c)
        return rows, cols
    ws.reset_dimensions()  # read-only: do not let the claimed dimension pad the rows
    for r, row in enumerate(ws.iter_rows(), start=1):
        for cell in row:
            if not _empty(getattr(cell, "value", None)):
                rows = max(rows, getattr(cell, "row", r) or r)
                cols = max(cols, getattr(cell, "column", 0) or 0)
    return rows, cols


def used_rows(
    ws,
    *,
    file: str | Path | None = None,
    values_only: bool = True,
    limits: Limits = LIMITS,
) -> list[tuple]:
    """The rows of a sheet that readers should loop over: row 1 to the last row holding a
    value, each padded to the last column holding a value anywhere in the sheet.

    Use this instead of ``ws.iter_rows()``: a hostile sheet with one cell at XFD1048576
    (or a read-only sheet claiming that dimension) would make ``iter_rows`` build 17
    billion cells. Raises :class:`InputError` naming the sheet and the cell when data lies
    beyond ``limits.max_rows`` x ``limits.max_cols`` (or the padded grid would exceed
    ``limits.max_grid_cells``). With ``values_only=False`` the tuples hold cells (read-only
    sheets: read-only cells; missing ones are ``None``).
    """
    last_row, last_col = used_bounds(ws)
    where = dict(file=file or "workbook", sheet=ws.title)
    if last_row > limits.max_rows or last_col > limits.max_cols:
        cell = _a1(last_row, last_col)
        raise InputError(
            f"sheet has data as far as {cell} (row {last_row:,}, column {last_col:,}), beyond "
            f"the {limits.max_rows:,} rows x {limits.max_cols:,} columns medpay reads",
            **where, cell=cell, hint="delete the stray cells far below or to the right",
        )
    if last_row * last_col > limits.max_grid_cells:
        raise InputError(
            f"sheet spans {last_row:,} rows x {last_col:,} columns, more than medpay reads",
            **where, hint="delete the stray cells far below or to the right",
        )
    if last_row == 0:
        return []
    cells = getattr(ws, "_cells", None)
    if cells is not None:
        out = []
        for r in range(1, last_row + 1):
            if values_only:
                out.append(tuple(
                    (cells[(r, c)]._value if (r, c) in cells else None) for c in range(1, last_col + 1)
                ))
            else:
                out.append(tuple(ws.cell(row=r, column=c) for c in range(1, last_col + 1)))
        return out
    return [
        tuple(row)
        for row in ws.iter_rows(min_row=1, max_row=last_row, min_col=1, max_col=last_col,
                                values_only=values_only)
    ]
