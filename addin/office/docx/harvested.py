"""Filled forms as records for the stages that use them: from a folder of forms (read by
:func:`addin.office.docx.harvest.harvest`, the one docx reader) or from the workbook
``medpay harvest`` wrote (:func:`addin.office.docx.harvest.write_harvest`: one sheet per
form type, one column per tag, and a Problems sheet), so a harvest checked and kept by
the MedPay Review Team can be used as it is.

Both give a :class:`addin.office.docx.harvest.Harvest`; :func:`assessments` turns its
Initial Assessment forms into :class:`addin.core.payroll.Assessment` records, carrying
the harvest's verdicts on each form (a locked identity field changed, other errors).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from addin.core.cells import a1
from addin.core.errors import InputError
from addin.core.findings import ERROR, Finding, Severity
from addin.core.model import SourceRef
from addin.core.payroll import FORM_TYPE, Assessment
from addin.core.text import clean_text, norm_key
from addin.office.docx.harvest import (
    _FIELD_NAMES,
    BASE_COLUMNS,
    PREFILL_CHANGED,
    PROBLEM_COLUMNS,
    Harvest,
    harvest,
)
from addin.office.xlsx.safe import load_workbook, used_rows

_CHANGED_FIELD = re.compile(r"^the pre-filled (?P<field>.+?) was changed from ")
_TAG_OF_NAME = {name: tag for tag, name in _FIELD_NAMES.items()}
PROBLEMS_SHEET = "Problems"


def read_assessment_source(path: str | Path) -> tuple[Harvest, dict[str, dict[str, SourceRef]]]:
    """A folder of filled forms, or a harvest workbook (.xlsx): the harvest, and for a
    workbook where each form's values are (form file -> tag -> sheet and cell)."""
    p = Path(path)
    if p.is_dir():
        return harvest(p), {}
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        return read_harvest_workbook(p)
    raise InputError("is neither a folder of filled forms nor a harvest workbook (.xlsx)", file=p,
                     hint="give the folder the filled Initial Assessment forms were saved in, "
                          "or the workbook `medpay harvest` wrote from it")


def read_harvest_workbook(path: str | Path) -> tuple[Harvest, dict[str, dict[str, SourceRef]]]:
    """The workbook :func:`addin.office.docx.harvest.write_harvest` wrote, read back: every
    sheet whose header starts with the harvest's columns (``File``, ``Form type``, ...) is
    a form type's table; the Problems sheet gives the findings. Raises InputError when no
    sheet looks like a harvest."""
    p = Path(path)
    wb = load_workbook(p, data_only=True)
    result = Harvest(folder=str(p))
    cells: dict[str, dict[str, SourceRef]] = {}
    base = [norm_key(h) for h in BASE_COLUMNS]
    try:
        for ws in wb.worksheets:
            rows = used_rows(ws, file=p)
            if not rows:
                continue
            header = [clean_text(v) for v in rows[0]]
            keys = [norm_key(h) for h in header]
            if ws.title == PROBLEMS_SHEET and keys[:len(PROBLEM_COLUMNS)] == [norm_key(h) for h in PROBLEM_COLUMNS]:
                for r, row in enumerate(rows[1:], 2):
                    file, severity, code, message = (clean_text(v) for v in row[:4])
                    if code:
                        result.findings.append(Finding(file or None, None, None,
                                                       _severity(severity), code, message, row=r))
                continue
            if keys[:len(base)] != base:
                continue
            for r, row in enumerate(rows[1:], 2):
                form: dict[str, Any] = {}
                for h, v in zip(header, row):
                    if h:
                        form[h] = _value(v)
                name = clean_text(form.get("File"))
                if not name:
                    continue
                form["File"] = name
                result.forms.append(form)
                cells[name] = {h: SourceRef(str(p), ws.title, a1(r, c))
                               for c, h in enumerate(header, 1) if h}
    finally:
        wb.close()
    if not result.forms and not result.findings:
        raise InputError("holds no harvested forms (no sheet starting with the columns "
                         f"{', '.join(BASE_COLUMNS)})", file=p,
                         hint="give the workbook `medpay harvest FOLDER --out FILE.xlsx` wrote")
    return result, cells


def _severity(text: str) -> Severity:
    try:
        return Severity(text.strip().lower())
    except ValueError:
        return ERROR


def _value(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.date() if v.time() == dt.time(0) else v
    return "" if v is None else v


def assessments(result: Harvest, cells: dict[str, dict[str, SourceRef]] | None = None) -> list[Assessment]:
    """The Initial Assessment forms of a harvest as records, in the harvest's order. A
    form's locked identity fields changed after it was generated (the harvest's
    FORM-PREFILL-CHANGED) become its ``identity_changes``; its other harvest errors its
    ``form_errors``."""
    cells = cells or {}
    by_file: dict[str, list[Finding]] = {}
    for f in result.findings:
        by_file.setdefault(f.file or "", []).append(f)
    out = []
    for form in result.forms:
        if form.get("Form type") != FORM_TYPE:
            continue
        name = form["File"]
        changes, errors = [], []
        for f in by_file.get(name, []):
            if f.code == PREFILL_CHANGED.code:
                m = _CHANGED_FIELD.match(f.message)
                field_name = m.group("field") if m else "identity field"
                changes.append((_TAG_OF_NAME.get(field_name, field_name), f.message))
            elif f.is_error:
                errors.append(f"{f.code}: {f.message}")
        values = {k: v for k, v in form.items() if k not in BASE_COLUMNS}
        out.append(Assessment(form=name, values=values, identity_changes=tuple(changes),
                              form_errors=tuple(errors), cells=cells.get(name, {})))
    return out


def other_forms(result: Harvest) -> list[str]:
    """Forms in the harvest that are not Initial Assessment forms (left out of payroll)."""
    return [f["File"] for f in result.forms if f.get("Form type") != FORM_TYPE]
