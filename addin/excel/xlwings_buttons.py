"""The ribbon buttons for desktop Excel (xlwings, Windows and Mac): each is called by
the MedPay add-in's VBA callback through ``RunPython`` and is a few lines over
:mod:`addin.excel.buttons`: find the calling workbook's file, run the button function,
put its sheet into the open workbook (:func:`addin.excel.xlsheet.write_sheet`) and show
the summary in a message box.

The workbook is read from disk. When it has unsaved changes (Windows), a copy of its
current state is saved to a temporary file first (``Workbook.SaveCopyAs``), so the
button sees what is on screen without saving over the user's file.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import xlwings as xw

from addin.excel import buttons
from addin.excel.xlsheet import write_sheet


def _snapshot(book: Any) -> tuple[Path, Path]:
    """(file to read, the workbook's own path). The file to read is a temporary copy
    when the workbook has unsaved changes and Excel can save a copy (Windows)."""
    own = Path(book.fullname)
    try:
        saved = bool(book.api.Saved)
    except Exception:  # Mac (appscript) or no COM: read the saved file
        saved = True
    if saved and own.is_file():
        return own, own
    tmp = Path(tempfile.mkdtemp(prefix="medpay-")) / own.name
    book.api.SaveCopyAs(str(tmp))
    return tmp, own


def _run(name: str) -> None:
    """Run button ``name`` on the calling workbook and show the outcome in one message box.
    Whatever goes wrong - a :class:`~addin.core.errors.MedpayError` or any other exception -
    becomes the one-line "MedPay could not ...: <reason>" of :func:`buttons.failure`, never
    a Python traceback dialog."""
    book = xw.Book.caller()
    try:
        source, own = _snapshot(book)
        if name.startswith("generate_") or name == "harvest_forms":
            # forms folders go (and are looked for) next to the user's own file
            kwargs: dict[str, Any] = {"next_to": own}
        else:
            kwargs = {}
        result = buttons.BUTTONS[name](source, **kwargs)
        if result.sheet is not None:
            write_sheet(book, result.sheet)
    except Exception as exc:  # every failure is a message box, not a traceback
        result = buttons.failure(name, exc)
        book.app.alert(result.summary, title=f"MedPay: {result.title}", mode="critical")
        return
    book.app.alert(result.summary, title=f"MedPay: {result.title}",
                   mode="info" if result.ok else "critical")


def validate_framework() -> None:
    """Ribbon: Validate framework."""
    _run("validate_framework")


def validate_estimates() -> None:
    """Ribbon: Validate estimates."""
    _run("validate_estimates")


def cost_estimates() -> None:
    """Ribbon: Cost estimates."""
    _run("cost_estimates")


def generate_application_forms() -> None:
    """Ribbon: Generate application forms."""
    _run("generate_application_forms")


def generate_appraisal_forms() -> None:
    """Ribbon: Generate appraisal forms."""
    _run("generate_appraisal_forms")


def harvest_forms() -> None:
    """Ribbon: Harvest forms."""
    _run("harvest_forms")
