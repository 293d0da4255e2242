"""Where the shipped workbooks and templates live (sensible defaults, no configuration).

They are the data-only packages ``addin._shipped.workbooks`` and
``addin._shipped.templates`` (see :mod:`addin._shipped`), found with
``importlib.resources``: package data inside an installed wheel, the top-level
``workbooks/`` and ``templates/`` folders HR edit in a checkout (editable install or
``PYTHONPATH``). ``MEDPAY_HOME`` names another folder holding ``workbooks/`` and
``templates/`` when set (the xlwings Lite bundle uses it for its embedded pay ranges).
"""

from __future__ import annotations

import os
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import addin._shipped as _shipped
from addin.core.errors import InputError

HOME_VARIABLE = "MEDPAY_HOME"


def _folder(name: str) -> Path:
    """The folder of the shipped ``name`` (``workbooks`` or ``templates``) on disk."""
    home = os.environ.get(HOME_VARIABLE)
    if home:
        return Path(home) / name
    package = f"{_shipped.__name__}.{name}"
    try:
        found = files(package)
    except ModuleNotFoundError as exc:
        raise InputError(f"the {name} medpay ships are missing from this installation",
                         file=Path(_shipped.__file__).parent / name,
                         hint=f"reinstall medpay, or set {HOME_VARIABLE} to a folder holding "
                              "workbooks/ and templates/") from exc
    return found if isinstance(found, Path) else _only_folder(found, package)


def _only_folder(found: Traversable, package: str) -> Path:
    """A data-only package has no ``__init__.py`` (HR's folders stay plain folders), so
    ``files()`` answers with a MultiplexedPath over its folders rather than a Path. There is
    exactly one (the wheel's or the checkout's) and its entries are plain Paths, whose
    common parent is the folder the readers and the commands open files in."""
    parents = {Path(str(child)).parent for child in found.iterdir()}
    if len(parents) != 1:
        raise InputError(f"{package} should be one folder of shipped files, found "
                         f"{len(parents)}", file=", ".join(sorted(map(str, parents))) or None,
                         hint=f"reinstall medpay, or set {HOME_VARIABLE}")
    return parents.pop()


def workbooks_dir() -> Path:
    return _folder("workbooks")


def templates_dir() -> Path:
    return _folder("templates")


def default_pay_ranges() -> Path:
    return workbooks_dir() / "pay-ranges.xlsx"


def frameworks_dir() -> Path:
    return workbooks_dir() / "frameworks"


def default_frameworks() -> list[Path]:
    """Every framework workbook shipped in ``workbooks/frameworks/``."""
    return sorted(frameworks_dir().glob("*.xlsx"))


def samples_dir() -> Path:
    return workbooks_dir() / "samples"
