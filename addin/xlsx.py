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
import zipfile
from dataclasses import dataclass
from pathlib import Path

from addin.errors import InputError

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


LIMITS = Limits()

_OPEN_HINT = "open it in Excel and save it as an Excel Workbook (.xlsx)"


def read_ooxml_bytes(
    path: str | Path,
    *,
    kind: str = "workbook",
    limits: Limits = LIMITS,
) -> bytes:
    """Return the bytes of an OOXML file (``kind`` 'workbook' or 'document') after checks.

    Raises :class:`InputError` with a one-line message naming the file for anything that
    is not a safe, readable file of that kind.
    """
    p = Path(path)
    expected = "Excel workbook (.xlsx or .xlsm)" if kind == "workbook" else "Word document (.docx)"
    hint = _OPEN_HINT if kind == "workbook" else "open it in Word and save it as a Word Document (.docx)"
    if not p.exists():
        raise InputError("file not found", file=p, hint="check the path and the file name")
    if p.is_dir():
        raise InputError(f"is a folder, not an {expected}", file=p)
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
    check_ooxml_bytes(data, p, kind=kind, limits=limits, expected=expected, hint=hint)
    return data


def check_ooxml_bytes(
    data: bytes,
    p: Path,
    *,
    kind: str,
    limits: Limits,
    expected: str,
    hint: str,
) -> None:
    if not data:
        raise InputError(f"file is empty, not an {expected}", file=p)
    if data.startswith(OLE_MAGIC):
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in data:
            raise InputError(
                "file is password-protected (encrypted)",
                file=p,
                hint="remove the password in Excel (File > Info > Protect Workbook) and send it again",
            )
        old = "Excel 97-2003 (.xls)" if kind == "workbook" else "Word 97-2003 (.doc)"
        raise InputError(f"file is an old {old} file, not an {expected}", file=p, hint=hint)
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
        raise InputError(f"file is {what}, not an {expected}", file=p, hint=hint)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
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
    if kind == "workbook":
        if "xl/workbook.xml" not in names:
            if "xl/workbook.bin" in names:
                what = "an Excel Binary Workbook (.xlsb)"
            elif "content.xml" in names and "mimetype" in names:
                what = "an OpenDocument spreadsheet (.ods)"
            elif "word/document.xml" in names:
                what = "a Word document"
            else:
                what = "a zip archive but not an Excel workbook"
            raise InputError(f"file is {what}, not an {expected}", file=p, hint=hint)
        sheets = sum(1 for n in names if n.startswith("xl/worksheets/sheet") and n.endswith(".xml"))
        if sheets > limits.max_sheets:
            raise InputError(
                f"workbook has {sheets} sheets, more than the {limits.max_sheets} medpay accepts",
                file=p,
            )
    else:
        if "word/document.xml" not in names:
            what = "an Excel workbook" if "xl/workbook.xml" in names else "a zip archive but not a Word document"
            raise InputError(f"file is {what}, not an {expected}", file=p, hint=hint)


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


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
):
    """Open a workbook with openpyxl after the safety checks. Macros are never run
    (openpyxl cannot run them) and, unless ``keep_vba``, not even kept."""
    import openpyxl

    _require_defusedxml()
    data = read_ooxml_bytes(path, kind="workbook", limits=limits)
    try:
        return openpyxl.load_workbook(
            io.BytesIO(data), data_only=data_only, read_only=read_only, keep_vba=keep_vba
        )
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many types on damaged parts
        raise InputError(
            f"workbook is damaged and cannot be read ({type(exc).__name__}: {str(exc)[:200]})",
            file=path,
            hint=_OPEN_HINT,
        ) from exc
