"""Where the shipped workbooks and templates live (sensible defaults, no configuration).

The project is installed editable from its checkout (README), so the shipped files are
found next to the package. ``MEDPAY_HOME`` points elsewhere when set.
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    env = os.environ.get("MEDPAY_HOME")
    return Path(env) if env else Path(__file__).resolve().parents[2]


def workbooks_dir() -> Path:
    return project_root() / "workbooks"


def templates_dir() -> Path:
    return project_root() / "templates"


def default_pay_ranges() -> Path:
    return workbooks_dir() / "pay-ranges.xlsx"


def frameworks_dir() -> Path:
    return workbooks_dir() / "frameworks"


def default_frameworks() -> list[Path]:
    """Every framework workbook shipped in ``workbooks/frameworks/``."""
    return sorted(frameworks_dir().glob("*.xlsx"))


def samples_dir() -> Path:
    return workbooks_dir() / "samples"
