"""The workbooks and Word templates medpay ships, as two data-only packages:
``addin._shipped.workbooks`` and ``addin._shipped.templates`` (no Python in them; found
with ``importlib.resources`` by :mod:`addin.office.resources`).

HR edit them where they have always been, in the ``workbooks/`` and ``templates/``
folders at the top of the repository. A wheel carries them as package data: pyproject.toml
maps these two packages onto those folders (``[tool.setuptools.package-dir]``), so an
installed medpay has them here, in ``addin/_shipped/workbooks`` and
``addin/_shipped/templates``. A checkout (an editable install, or ``PYTHONPATH`` pointing
at it) has no such folders here, so this package also looks in the repository root - the
same import then finds the top-level folders, and there is no second copy to keep in step.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent
_CHECKOUT = _HERE.parents[1]

if not (_HERE / "workbooks").is_dir() and (_CHECKOUT / "workbooks").is_dir():
    __path__.append(str(_CHECKOUT))  # noqa: F821 - a package's own search path
