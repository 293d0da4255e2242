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

import subprocess
import sys
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


NEXT_TO_OWN_FILE = {"validate_estimates", "generate_letters", "new_estimates_template",
                    "new_framework_template", "harvest_forms"}
"""Buttons that write (or look for) files next to the user's own workbook; so do all the
Generate ... forms buttons."""


NO_WORKBOOK = {"settings", "help_text"}
"""Buttons that read no workbook."""


def _open(book: Any, path: Path) -> None:
    """Open a button's file: a workbook in this Excel; the settings file (``.conf``, which
    Windows associates with no program) in Notepad, or TextEdit on a Mac."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        book.app.books.open(str(path))
    elif sys.platform == "darwin":
        subprocess.Popen(["open", "-e", str(path)])
    else:
        subprocess.Popen(["notepad.exe", str(path)])


def _run(name: str) -> None:
    """Run button ``name`` on the calling workbook and show the outcome in one message box.
    Whatever goes wrong - a :class:`~addin.core.errors.MedpayError` or any other exception -
    becomes the one-line "MedPay could not ...: <reason>" of :func:`buttons.failure`, never
    a Python traceback dialog."""
    book = xw.Book.caller()
    try:
        if name in NO_WORKBOOK:
            result = buttons.BUTTONS[name](None)
        else:
            source, own = _snapshot(book)
            if name.startswith("generate_") or name in NEXT_TO_OWN_FILE:
                # files and folders go (and are looked for) next to the user's own file
                kwargs: dict[str, Any] = {"next_to": own}
            else:
                kwargs = {}
            result = buttons.BUTTONS[name](source, **kwargs)
        if result.open_file is not None:
            _open(book, result.open_file)  # the feedback copy / new workbook holds the answer
        elif result.sheet is not None:
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


def generate_pdp_forms() -> None:
    """Ribbon: Generate PDP forms."""
    _run("generate_pdp_forms")


def generate_initial_assessment_forms() -> None:
    """Ribbon: Generate Initial Assessment forms."""
    _run("generate_initial_assessment_forms")


def generate_letters() -> None:
    """Ribbon: Generate letters."""
    _run("generate_letters")


def new_estimates_template() -> None:
    """Ribbon: New estimates workbook."""
    _run("new_estimates_template")


def new_framework_template() -> None:
    """Ribbon: New framework workbook."""
    _run("new_framework_template")


def settings() -> None:
    """Ribbon: Settings."""
    _run("settings")


def help_text() -> None:
    """Ribbon: Help."""
    _run("help_text")
