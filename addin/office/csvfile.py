"""CSV outputs for other systems to import (payroll): UTF-8 without a byte-order mark,
a header row, ``\\r\\n`` line ends (RFC 4180), every field quoted only when it must be,
and text that a spreadsheet would run as a formula made inert
(:func:`addin.office.safeio.csv_safe`). Written atomically; no overwrite without
``force``; the same rows give the same bytes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from addin.office.safeio import atomic_write_bytes, csv_safe


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """The CSV text of ``header`` and ``rows`` as UTF-8 bytes (values written as given:
    callers pass text already formatted; None is an empty field)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([csv_safe(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else csv_safe(v) for v in row])
    return buf.getvalue().encode("utf-8")


def write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[object]], *,
              force: bool = False) -> Path:
    return atomic_write_bytes(path, csv_bytes(header, rows), force=force)
