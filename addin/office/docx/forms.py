"""Render the Word forms and letters from their templates, and convert them to PDF.

Rendering is docxtpl over a Jinja environment that is sandboxed (no Python internals
from a template), autoescaping (a value such as ``O'Brien & <Sons>`` is written into
the XML as text) and strict (an undefined placeholder is an error naming the template
and the variable, never a blank) - :func:`addin.office.docx.safe.render_template` with
``StrictUndefined``. After rendering, empty controls get their placeholder text, date
pickers get ``w:fullDate``, and the text outside the controls is hashed into the custom
property ``medpay_text_hash`` so :mod:`addin.office.docx.harvest` can tell when a form was edited
outside its controls.

What goes into each form is decided in :mod:`addin.core.form_context` (pure); this module is
the Office I/O.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from addin.core import form_context as fc
from addin.core.cells import parse_a1
from addin.core.eligibility import Eligible
from addin.core.errors import InputError, OutputError
from addin.core.estimates_table import EstimatesRead
from addin.core.model import EstimateRow
from addin.office.docx import controls as dc
from addin.office.docx.safe import render_template, sandboxed_env
from addin.office.resources import templates_dir
from addin.office.safeio import atomic_save, atomic_write_bytes, check_writable, inside, set_cell
from addin.rules.estimates_checks import EstimatesContext, check_estimates, eligibility_rows, role_for

TEMPLATE_VERSION = "1"
"""Written into every template and generated form (custom property
``medpay_template_version``); bump when tags change meaning."""

FORM_KINDS: dict[str, str] = {
    "application": "application.docx",
    "appraisal": "appraisal.docx",
    "pdp": "pdp.docx",
    "initial-assessment": "initial-assessment.docx",
}
"""Form kind (the ``medpay forms`` sub-command and ``medpay_form_type``) -> template file."""

LETTER_KINDS: dict[str, str] = {
    "approved": "letter-approved.docx",
    "declined": "letter-declined.docx",
}

FORM_LABELS = {"application": "application", "appraisal": "appraisal", "pdp": "PDP",
               "initial-assessment": "initial-assessment"}
"""The last word of a generated file's name: ``<employee id> <name> <form>.docx``."""


def template_path(name: str, folder: Path | None = None) -> Path:
    p = (folder or templates_dir()) / name
    if not p.exists():
        raise InputError("template not found", file=p,
                         hint="run .venv/bin/python scripts/build_templates.py to build it")
    return p


def strict_env():
    """Sandboxed, immutable, autoescaping and strict: undefined names are errors."""
    from jinja2 import StrictUndefined

    return sandboxed_env(undefined=StrictUndefined)


_UNDEFINED = re.compile(r"'([^']+)' is undefined|has no attribute '([^']+)'")
_EXPRESSION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.S)
_XML_TAG = re.compile(rb"<[^>]*>")


def _expression_using(template: str | Path, attribute: str) -> str | None:
    """The ``{{ ... }}`` expression of a template that reaches for ``attribute`` of
    something (``area.text`` in a ``{% for area in areas %}`` loop), so an undefined
    attribute is reported as the template spells it, not as a bare name."""
    try:
        with zipfile.ZipFile(template) as z:
            text = _XML_TAG.sub(b"", z.read("word/document.xml")).decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    text = html.unescape(text)
    attr = re.compile(rf"[\w\]\)]\s*(\.\s*{re.escape(attribute)}\b|\[\s*['\"]{re.escape(attribute)}['\"]\s*\])")
    for m in _EXPRESSION.finditer(text):
        if attr.search(m.group(1)):
            return m.group(1)
    return None


def render_docx(template: str | Path, context: Mapping[str, Any], *, form_type: str | None = None) -> bytes:
    """Render a template to the bytes of a finished .docx.

    A form (``form_type`` given), or any document whose template has content controls,
    is always protected for "Filling in forms" (:func:`addin.office.docx.controls.protect_for_forms`),
    whether or not the template was: a template HR re-saved without its protection still
    gives protected forms. Letters without controls stay ordinary documents. The values of
    the content-locked identity fields are recorded in ``medpay_prefill``.

    Raises :class:`InputError` naming the template for a placeholder the context does
    not supply, a template reaching for Python internals or a damaged template.
    """
    from jinja2 import UndefinedError

    try:
        tpl = render_template(template, dict(context), env=strict_env())
    except InputError as exc:
        cause = exc.__cause__
        if isinstance(cause, UndefinedError):
            m = _UNDEFINED.search(str(cause))
            name = (m.group(1) or m.group(2)) if m else str(cause)
            if m and m.group(2):  # an attribute: name the expression the template uses
                name = _expression_using(template, m.group(2)) or f"....{m.group(2)}"
            raise InputError(
                f"template uses the placeholder {{{{ {name} }}}}, which medpay does not supply",
                file=template,
                hint="use only the placeholders listed in docs/medpay-team.md (form and letter templates)",
            ) from cause
        raise
    doc = tpl.docx
    body = doc.element
    count = dc.finish_controls(body)
    props = {dc.PROP_TEXT_HASH: dc.text_hash(body), dc.PROP_CONTROL_COUNT: str(count)}
    prefill = dc.content_locked_values(body)
    if prefill:
        props[dc.PROP_PREFILL] = json.dumps(prefill, ensure_ascii=False, sort_keys=True)
    if form_type:
        props[dc.PROP_FORM_TYPE] = form_type
        props.setdefault(dc.PROP_VERSION, TEMPLATE_VERSION)
        # which control is which, for a form re-saved by a word processor that drops tags
        props[dc.PROP_CONTROLS] = json.dumps(dc.control_layout(body), ensure_ascii=False,
                                             separators=(",", ":"))
    if form_type or count:
        dc.protect_for_forms(doc)
    dc.set_custom_properties(doc, props)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render_bare(template: str | Path, context: Mapping[str, Any]) -> bytes:
    """docxtpl with its defaults, no safety, no finishing: the benchmark's baseline. Only
    escaping is on (``autoescape``), as the header and footer would not be XML without it."""
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(str(template))
    tpl.render(dict(context), autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def form_file_name(employee_id: str | None, name: str | None, label: str) -> str:
    """``<employee id> <name> <form>.docx``; made safe by :func:`addin.office.safeio.inside`."""
    parts = [p for p in (employee_id, name, label) if p]
    return " ".join(parts) + ".docx"


# ----------------------------------------------------------------------------- PDF


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def printable_copy(data: bytes) -> bytes:
    """The bytes of a .docx as LibreOffice should print it: without the "Filling in
    forms" protection (``w:documentProtection`` in settings.xml).

    Why: LibreOffice (7.4) can lay out a document protected for forms wrongly. With the
    metric-compatible fonts (Carlito, Caladea, Liberation) the appraisal's last page
    began with the "Agreed dates for next conversations" heading and table; LibreOffice
    printed the table's header row and dropped its row of pre-filled dates and
    everything after it, though the .docx has them (tests/data keeps that document).
    The same document without ``w:documentProtection`` prints everything (removing only
    the section's ``w:formProt`` does not help), as does the protected one laid out
    differently (more text after the table, a page break before the heading): a fault
    of LibreOffice's layout of protected forms, not of the .docx. A PDF cannot be filled
    in, so the protection means nothing there; the .docx itself stays protected."""
    return dc.replace_part(data, "word/settings.xml", dc.without_protection(
        dc.part_root(data, "word/settings.xml")))


def convert_to_pdf(docs: Sequence[Path], out_dir: Path, *, force: bool = False,
                   timeout: float = 600, jobs: int | None = None) -> list[Path]:
    """Convert .docx files to PDF with headless LibreOffice: one process per core (``jobs``;
    None = the machine's cores, never more processes than files), each converting its
    share of the files with its own throwaway user profile (``-env:UserInstallation``), so
    the processes never clash with each other or with a LibreOffice the user has open.
    LibreOffice converts :func:`printable_copy` of each (in the throwaway folder; the
    documents themselves are not changed). PDFs are moved into ``out_dir`` atomically;
    existing ones are kept unless ``force``."""
    if not docs:
        return []
    exe = soffice_path()
    if exe is None:
        raise OutputError("LibreOffice (soffice) is not installed, so PDFs cannot be written",
                          hint="install LibreOffice, or run without --pdf")
    targets = [out_dir / (Path(d).stem + ".pdf") for d in docs]
    for t in targets:
        check_writable(t, force=force)
    n = max(1, min(jobs or os.cpu_count() or 1, len(docs)))
    with tempfile.TemporaryDirectory(prefix="medpay-lo-") as tmp:
        tmpdir = Path(tmp)
        src = tmpdir / "in"
        src.mkdir()
        copies = []
        for i, doc in enumerate(docs):
            folder = src / str(i)  # two documents may share a name in different folders
            folder.mkdir()
            copy = folder / Path(doc).name
            try:
                copy.write_bytes(printable_copy(Path(doc).read_bytes()))
            except (KeyError, zipfile.BadZipFile, ValueError, SyntaxError):
                shutil.copyfile(doc, copy)  # not a Word document we can read: as it is
            copies.append(copy)
        running = []
        for k in range(n):
            share = list(range(k, len(docs), n))
            conv = tmpdir / f"out{k}"
            conv.mkdir()
            cmd = [exe, f"-env:UserInstallation={(tmpdir / f'profile{k}').as_uri()}", "--headless",
                   "--norestore", "--convert-to", "pdf", "--outdir", str(conv),
                   *(str(copies[i]) for i in share)]
            running.append((share, conv, subprocess.Popen(
                cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)))
        deadline = time.monotonic() + timeout
        said: dict[int, str] = {}
        where: dict[int, Path] = {}
        try:
            for share, conv, proc in running:
                try:
                    out, err = proc.communicate(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired as exc:
                    raise OutputError(f"LibreOffice took longer than {timeout:.0f} seconds converting "
                                      "to PDF", file=out_dir) from exc
                for i in share:
                    said[i] = (err or out or "").strip()[:200]
                    where[i] = conv
        finally:
            for _, _, proc in running:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        made = []
        for i, (doc, target) in enumerate(zip(docs, targets)):
            pdf = where[i] / (Path(doc).stem + ".pdf")
            if not pdf.exists():
                raise OutputError(f"LibreOffice did not convert {Path(doc).name} to PDF "
                                  f"({said.get(i, '')})", file=doc)
            shutil.move(str(pdf), str(target))
            made.append(target)
    return made


# ----------------------------------------------------------------------------- batches


@dataclass
class Made:
    """One line of the index of a run: what was made (or why not) for whom."""

    employee_id: str
    employee_name: str
    form: str
    file: str
    status: str
    """'made' or 'skipped'."""
    reason: str = ""


def write_index(path: Path, entries: Iterable[Made], *, force: bool) -> Path:
    """``index-<form>.xlsx``: one row per employee considered (formula-safe cells, atomic save)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Index"
    headers = ["Employee ID", "Employee name", "Form", "File", "Status", "Reason"]
    for c, h in enumerate(headers, 1):
        set_cell(ws, 1, c, h)
    for r, e in enumerate(entries, 2):
        for c, v in enumerate((e.employee_id, e.employee_name, e.form, e.file, e.status, e.reason), 1):
            set_cell(ws, r, c, v)
    for col, width in zip("ABCDEF", (14, 26, 14, 48, 10, 60)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    wb.properties.subject = INDEX_MARKER
    return atomic_save(path, wb.save, force=force)


def progress(items: Sequence, desc: str) -> Iterable:
    """A tqdm bar on a terminal, silent otherwise."""
    import sys

    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="form", disable=not sys.stderr.isatty())


def _not_in_framework(row) -> str:
    """Why a row gets no form that prints the framework's criteria for its level: its
    job title is not in the framework (a form without the criteria is no use)."""
    where = f" ({row.framework})" if row.framework else ""
    return (f"job title not in the framework: {row.job_title or '(blank)'!r}{where}; "
            "correct the job title or the framework and run again")


def _framework_of(role, frameworks) -> str:
    for fw in frameworks:
        if any(r is role for r in fw.roles):
            return fw.name
    return ""


INDEX_PREFIX = "index-"
INDEX_MARKER = "medpay forms index"
"""Written as the index workbook's subject (docProps/core.xml), so the harvest knows
medpay's own index from a workbook someone else put in the folder."""


def index_name(kind: str) -> str:
    """``index-<form>.xlsx``: application, appraisal and PDP runs can share a folder."""
    return f"{INDEX_PREFIX}{kind}.xlsx"


def require_soffice(pdf: bool) -> None:
    """With ``--pdf``: fail before anything is written when LibreOffice is missing."""
    if pdf and soffice_path() is None:
        raise OutputError("LibreOffice (soffice) is not installed, so PDFs cannot be written; "
                          "nothing was written",
                          hint="install LibreOffice, or run without --pdf")


def unique_names(names: Sequence[str]) -> list[str]:
    """File names made unique in one run, case-insensitively (Windows): the second
    ``E1 Jo Bloggs appraisal.docx`` becomes ``E1 Jo Bloggs appraisal (2).docx``."""
    seen: set[str] = set()
    out = []
    for name in names:
        stem, suffix = name.rsplit(".", 1) if "." in name else (name, "")
        candidate, n = name, 1
        while candidate.lower() in seen:
            n += 1
            candidate = f"{stem} ({n})" + (f".{suffix}" if suffix else "")
        seen.add(candidate.lower())
        out.append(candidate)
    return out


def eligibility_by_row(rows: Sequence, *, frameworks: Sequence, pay, as_of: dt.date,
                       read: Any = None) -> dict[int, dict[str, Any]]:
    """Row number -> that row's eligibility exactly as ``validate-estimates`` gives it
    (:func:`addin.rules.estimates_checks.eligibility_rows` over the reader's and the rules'
    findings: a row with an error on it is not eligible, an unreadable cell is worded
    "could not be read"), plus ``"errors"``: the row's error findings as ``"<cell>:
    <message>"``, for the index to say what to correct, and ``"errors_at"``: the same
    by cell (``{cell: [message, ...]}``). ``read``: the estimates as read
    (:func:`addin.office.xlsx.estimates.read_estimates`); None: ``rows`` alone, checked by the same
    rules."""
    rows = list(rows)
    if read is None:
        first = rows[0] if rows else None
        read = EstimatesRead(file=getattr(first, "file", "") or "", sheet=getattr(first, "sheet", None),
                             header_row=min((r.row for r in rows), default=2) - 1, rows=rows)
    ctx = EstimatesContext(frameworks=list(frameworks), pay=pay, as_of=as_of)
    findings = [*read.findings, *check_estimates(read, ctx)]  # as validate_estimates
    errors: dict[int, dict[str, list[str]]] = {}
    for f in findings:
        if f.is_error and f.cell and f.sheet == read.sheet:
            try:
                r, _ = parse_a1(f.cell)
            except ValueError:
                continue
            errors.setdefault(r, {}).setdefault(f.cell, []).append(f.message)
    out = {}
    for e in eligibility_rows(read, ctx, findings):
        at = errors.get(int(e["row"]), {})
        out[int(e["row"])] = {**e, "errors": [f"{cell}: {m}" for cell, ms in at.items() for m in ms],
                              "errors_at": at}
    return out


def generate_forms(kind: str, rows: Sequence, *, frameworks: Sequence, pay, as_of: dt.date,
                   out_dir: Path, force: bool = False, pdf: bool = False,
                   templates: Path | None = None, read: Any = None) -> list[Made]:
    """One form per employee row (application: only rows eligible and estimated above
    their current level, 7.22, whose job title is in the framework; initial-assessment:
    every row whose cells the form prints have no error and whose job title is in the
    framework, Appendix K stage 9), then
    ``index-<form>.xlsx``; PDFs in one LibreOffice run.

    Eligibility is validate-estimates' own (:func:`eligibility_by_row`; ``read``: the
    estimates as read, when ``rows`` came from :func:`addin.office.xlsx.estimates.read_estimates`): a
    row with an error on it (a duplicate employee ID, a level that cannot be read...) gets
    no application, and the index gives the reasons.

    The run is planned before anything is written, so it never stops halfway: every
    target (forms, PDFs, index) is checked first (an existing file without ``force`` is
    an error before anything is written, as is ``pdf`` without LibreOffice). Two rows that
    would give the same file name (the same employee twice - often a second post) both
    get a form: the second is named ``... (2).docx`` and the index says why, since a
    spare form is easier for HR to notice and discard than a missing one."""
    if kind not in FORM_KINDS:
        raise ValueError(kind)
    rows = list(rows)
    eligibility = (eligibility_by_row(rows, frameworks=frameworks, pay=pay, as_of=as_of, read=read)
                   if kind in ("application", "initial-assessment") else {})
    require_soffice(pdf)
    template = template_path(FORM_KINDS[kind], templates)
    index_path = out_dir / index_name(kind)
    label = FORM_LABELS[kind]
    made: list[Made] = []
    planned: list[tuple[Made, Any, dict[str, Any]]] = []  # (index entry, row, context)
    for row in rows:
        ident, name = row.employee_id or "", row.employee_name or ""
        role = role_for(row, frameworks)
        if kind == "application":
            info = eligibility.get(row.row) or {}
            # 6.16: after a long-term absence the manager decides, so the form is made
            # for them to use or not, and the index says the decision is theirs
            to_decide = info.get("status") == Eligible.MANAGER_TO_DECIDE.value
            eligible = bool(info.get("eligible")) or to_decide
            if not fc.wants_application(row, eligible):
                why = ("; ".join([*info.get("reasons", ()), *info.get("errors", ())])
                       or "eligibility not known") if not eligible \
                    else "not estimated above the current level"
                made.append(Made(ident, name, label, "", "skipped", why))
                continue
            if role is None:
                made.append(Made(ident, name, label, "", "skipped", _not_in_framework(row)))
                continue
            ctx = fc.application_context(row, role, _framework_of(role, frameworks), pay, as_of)
        elif kind == "initial-assessment":
            # Appendix K stage 9: every employee, eligible or not, unless a cell the form
            # prints has an error (fc.initial_assessment_blockers)
            blockers = fc.initial_assessment_blockers(row, (eligibility.get(row.row) or {}).get("errors_at", {}))
            if blockers:
                made.append(Made(ident, name, label, "", "skipped",
                                 "correct the row and run again: " + "; ".join(blockers)))
                continue
            if role is None:
                made.append(Made(ident, name, label, "", "skipped", _not_in_framework(row)))
                continue
            ctx = fc.initial_assessment_context(row, role, _framework_of(role, frameworks),
                                                council=pay.settings.council)
        elif kind == "appraisal":
            ctx = fc.appraisal_context(row, as_of, council=pay.settings.council)
        else:
            ctx = fc.pdp_context(row, as_of, council=pay.settings.council)
        entry = Made(ident, name, label, form_file_name(row.employee_id, row.employee_name, label), "made")
        if kind == "application" and to_decide:
            entry.reason = "; ".join((Eligible.MANAGER_TO_DECIDE.value, *info.get("reasons", ())))
        made.append(entry)
        planned.append((entry, row, ctx))
    # safe names first (Windows-reserved names, characters), then unique within the run
    safe = [inside(out_dir, e.file).name for e, _, _ in planned]
    first_row: dict[str, int] = {}
    for (entry, row, _), want, got in zip(planned, safe, unique_names(safe)):
        entry.file = got
        if got != want:
            entry.reason = (f"another row (row {first_row[want.lower()]}) gives the same file name, "
                            f"so this form is named {got!r}; check the estimates for a duplicate row")
        first_row.setdefault(want.lower(), row.row)
    targets = [out_dir / e.file for e, _, _ in planned]
    for t in [*targets, *([out_dir / (t.stem + ".pdf") for t in targets] if pdf else []), index_path]:
        check_writable(t, force=force)
    out_dir.mkdir(parents=True, exist_ok=True)
    for (_entry, _, ctx), target in zip(progress(planned, f"{kind} forms"), targets):
        atomic_write_bytes(target, render_docx(template, ctx, form_type=kind), force=force)
    if pdf:
        convert_to_pdf(targets, out_dir, force=force)
    write_index(index_path, made, force=force)
    return made


def made_files(made: Iterable[Made], out_dir: str | Path) -> list[Path]:
    """The documents a run wrote (its ``made`` entries), in the order they were made."""
    return [Path(out_dir) / m.file for m in made if m.status == "made"]


def generate_letters(decisions: Sequence, *, frameworks: Sequence, pay, as_of: dt.date,
                     out_dir: Path, force: bool = False, pdf: bool = False,
                     templates: Path | None = None) -> list[Path]:
    """One outcome letter per decision: approved (7.19-7.20) or declined (7.21, 7.24-7.25)."""
    require_soffice(pdf)
    approved_t = template_path(LETTER_KINDS["approved"], templates)
    declined_t = template_path(LETTER_KINDS["declined"], templates)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for d in progress(list(decisions), "letters"):
        if d.range not in pay.ranges:
            raise InputError(f"range {d.range} of {d.employee_id} is not in the pay-ranges workbook",
                             file=pay.source_file)
        if d.decision == fc.APPROVED:
            ctx, template, label = fc.approved_letter_context(d, pay, as_of), approved_t, "approved letter"
        else:
            probe = EstimateRow(file="", sheet="", row=d.row, job_title=d.job_title or None,
                                framework=d.framework or None, range=d.range)
            role = role_for(probe, frameworks)
            ctx, template, label = fc.declined_letter_context(d, role, pay, as_of), declined_t, "declined letter"
        target = inside(out_dir, form_file_name(d.employee_id, d.employee_name, label))
        atomic_write_bytes(target, render_docx(template, ctx), force=force)
        written.append(target)
    if pdf:
        convert_to_pdf(written, out_dir, force=force)
    return written


__all__ = [
    "FORM_KINDS", "LETTER_KINDS", "TEMPLATE_VERSION", "Made", "index_name",
    "convert_to_pdf", "form_file_name", "render_bare", "render_docx", "template_path",
    "write_index",
]
