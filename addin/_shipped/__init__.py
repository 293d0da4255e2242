"""The workbooks and Word templates medpay ships, as two data-only packages:
``addin._shipped.workbooks`` and ``addin._shipped.templates`` (no Python in them; found
with ``importlib.resources`` by :mod:`addin.office.resources`).

HR edit them where they have always been, in the ``workbooks/`` and ``templates/``
folders at the top of the repository. A wheel carries them as package data: pyproject.toml
maps these packages onto those folders (``[tool.setuptools.package-dir]``), so an installed
medpay has them here, in ``addin/_shipped/workbooks`` and ``addin/_shipped/templates``.
A checkout (an editable install, or ``PYTHONPATH`` pointing at it) has no such folders
here, so this package imports the two top-level folders of the repository under the same
names: the same ``importlib.resources`` call then finds them, and there is no second copy
to keep in step. (Only those two: the repository root is not put on this package's
search path, so walking the package never wanders into ``addin/`` or ``tests/`` again.)
"""

from __future__ import annotations

import sys
from importlib.machinery import PathFinder
from importlib.util import module_from_spec
from pathlib import Path

DATA_PACKAGES = ("workbooks", "templates")

_HERE = Path(__file__).resolve().parent
_CHECKOUT = _HERE.parents[1]


def _import_from_checkout(name: str) -> None:
    """Import the checkout's top-level folder ``name`` as ``addin._shipped.<name>`` (a
    namespace package: the folder has no ``__init__.py``)."""
    full = f"{__name__}.{name}"
    spec = PathFinder.find_spec(full, [str(_CHECKOUT)])
    if spec is None or not spec.submodule_search_locations:
        return
    module = module_from_spec(spec)
    sys.modules[full] = module
    setattr(sys.modules[__name__], name, module)  # as an import would


if not (_HERE / "workbooks").is_dir():
    for _name in DATA_PACKAGES:
        if (_CHECKOUT / _name).is_dir():
            _import_from_checkout(_name)
