"""The inputs every job reads, with their defaults decided here and nowhere else: the
frameworks (none given = every framework workbook shipped in ``workbooks/frameworks/``)
and the pay ranges and Settings (none given = the shipped ``workbooks/pay-ranges.xlsx``).
The command line, the Excel buttons and the batch all come through these functions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from addin.core.model import Framework, PaySettings
from addin.office.resources import default_frameworks
from addin.office.xlsx.frameworks import read_framework, read_frameworks
from addin.office.xlsx.settings import read_pay_settings


def framework_paths(given: Sequence[str | Path] | None) -> list[Path]:
    """The framework workbooks a job reads: those given, else every shipped one."""
    return [Path(p) for p in given] if given else default_frameworks()


def load_frameworks(given: Sequence[str | Path] | None) -> list[Framework]:
    """The frameworks a job reads (see :func:`framework_paths`), read."""
    return read_frameworks(framework_paths(given))


def load_frameworks_or_records(given: Sequence[Framework | str | Path] | None) -> list[Framework]:
    """Frameworks already read pass through; paths are read. ``None`` or empty gives no
    framework at all (a validation without frameworks checks no job titles)."""
    if not given:
        return []
    return [f if isinstance(f, Framework) else read_framework(f) for f in given]


def load_pay(pay_ranges: str | Path | None) -> PaySettings:
    """The pay ranges and Settings: the workbook given, else the shipped one."""
    return read_pay_settings(pay_ranges)
