"""Byte-for-byte reproducible .xlsx outputs.

The batch promises that the same inputs give the same outputs, byte for byte (issue 9:
"no timestamps inside unless ``--as-of`` says so"). openpyxl stamps two clocks into
every file it saves:

* ``docProps/core.xml``: ``dcterms:created`` and ``dcterms:modified`` (openpyxl sets
  ``modified`` to *now* inside ``save``, whatever the caller put there);
* the zip container: every member's local and central directory header carries the
  time it was written.

:func:`normalise_xlsx_bytes` rewrites both from one fixed moment (midnight of the
``--as-of`` date, see :func:`fixed_moment`) and gives every member the same permissions,
so two runs produce identical bytes. Any writer can use :func:`save_workbook` (save +
normalise + atomic rename) or :func:`normalise_xlsx_file` after its own save.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

from addin.office.safeio import atomic_write_bytes

CORE = "docProps/core.xml"
_ZIP_EPOCH = dt.datetime(1980, 1, 1)
"""The zip format cannot store dates before 1980."""

_STAMP = re.compile(
    rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)"
)


def fixed_moment(as_of: dt.date) -> dt.datetime:
    """The one timestamp written into outputs made "as of" a date: its midnight (UTC)."""
    moment = dt.datetime(as_of.year, as_of.month, as_of.day)
    return max(moment, _ZIP_EPOCH)


def normalise_xlsx_bytes(data: bytes, when: dt.datetime) -> bytes:
    """Return ``data`` (a saved .xlsx/.docx zip) with every clock set to ``when``.

    Members keep their order and content; ``docProps/core.xml`` gets ``when`` as its
    created and modified times; zip headers get ``when`` as their date and fixed
    attributes. The result is a valid OOXML package.
    """
    when = max(when.replace(microsecond=0, tzinfo=None), _ZIP_EPOCH)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == CORE:
                body = _STAMP.sub(lambda m: m.group(1) + stamp + m.group(3), body)
            fixed = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 0
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, body, compresslevel=6)
    return out.getvalue()


def normalise_xlsx_file(path: str | Path, when: dt.datetime) -> Path:
    """Normalise a saved file in place (atomically: a temp file renamed over it)."""
    p = Path(path)
    atomic_write_bytes(p, normalise_xlsx_bytes(p.read_bytes(), when), force=True)
    return p


def workbook_bytes(wb: Any, when: dt.datetime) -> bytes:
    """Save an openpyxl workbook to bytes, reproducibly."""
    wb.properties.created = when
    wb.properties.modified = when
    wb.properties.lastModifiedBy = "medpay"
    wb.properties.creator = "medpay"
    buf = io.BytesIO()
    wb.save(buf)
    return normalise_xlsx_bytes(buf.getvalue(), when)


def save_workbook(wb: Any, path: str | Path, when: dt.datetime, *, force: bool = False) -> Path:
    """Save an openpyxl workbook atomically with every timestamp fixed to ``when``."""
    return atomic_write_bytes(path, workbook_bytes(wb, when), force=force)
