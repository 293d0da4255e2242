"""The published framework: a Word document in the CPF template layout (Appendix H).

Per role: the job title, its range, its duties, and the A/B/C grid (Criterion | Level A
(Developing) | Level B (Practising) | Level C (Accomplished)) as a Word table whose header
row repeats on every page. The layout lives in ``templates/framework.docx``, a docxtpl
template HR can restyle in Word (fonts, colours, headings, page setup) without touching
code; ``scripts/build_templates.py`` (re)builds the default one with
:func:`build_framework_docx_template`.

Template fields (Jinja, rendered sandboxed with autoescape and StrictUndefined):

* ``framework.name``, ``framework.job_family``, ``framework.owner``,
  ``framework.version_date`` (e.g. "1 April 2025", "" when unknown);
* ``roles``: each with ``title``, ``range`` ("3" or ""), ``code_a``/``code_b``/``code_c``
  ("3A"...), ``duties`` and ``rows``: one per criterion with ``criterion``, ``a``, ``b``,
  ``c`` (multi-line text keeps its line breaks);
* ``captions.a``/``b``/``c``: Appendix H's "Required for this level ..." captions.

:func:`framework_context` is pure (Framework -> plain data); the Office work is at the
edges (:func:`render_framework`, :func:`build_framework_docx_template`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from addin.core.errors import InputError
from addin.core.model import CRITERIA, LEVELS, Framework
from addin.office.docx.safe import render_template, sandboxed_env
from addin.office.resources import templates_dir
from addin.office.safeio import atomic_save, check_writable
from addin.office.xlsx.frameworks import NO_TABLE, load_framework

TEMPLATE_NAME = "framework.docx"
CAPTIONS = {
    "a": "Required for this level (in addition to all previous levels, if applicable)",
    "b": "In addition to level A",
    "c": "In addition to levels A and B",
}


def _date(fw: Framework) -> str:
    d = fw.version_date
    return f"{d.day} {d:%B %Y}" if d else ""


def framework_context(fw: Framework, *, listing: bool = True) -> dict[str, Any]:
    """Plain data for the template. ``listing`` wraps multi-line text in docxtpl's
    ``Listing`` so line breaks survive (set False for a pure, comparable structure)."""
    if listing:
        from docxtpl import Listing

        wrap = Listing
    else:
        def wrap(text: str) -> str:
            return text

    roles = []
    for role in fw.roles:
        if not role.title.strip():
            continue  # an untitled, unfinished block is not published
        rng = "" if role.range is None else str(role.range)
        rows = []
        for crit in CRITERIA:
            cells = {lv.value.lower(): wrap(role.text(lv, crit)) for lv in LEVELS}
            rows.append({"criterion": crit.value, **cells})
        roles.append({
            "title": role.title,
            "range": rng,
            **{f"code_{lv.value.lower()}": f"{rng}{lv.value}" for lv in LEVELS},
            "duties": wrap(role.duties),
            "rows": rows,
        })
    return {
        "framework": {
            "name": fw.name,
            "job_family": fw.job_family,
            "owner": fw.owner,
            "version_date": _date(fw),
        },
        "roles": roles,
        "captions": dict(CAPTIONS),
    }


def default_template() -> Path:
    return templates_dir() / TEMPLATE_NAME


def render_framework(framework_file: str | Path, out: str | Path, *,
                     template: str | Path | None = None, force: bool = False) -> Path:
    """Read a framework workbook and write its Word document atomically.

    A workbook with no role to publish - no recognisable Appendix H table (FW-NO-TABLE),
    or a table with no titled role block - is refused with an InputError (exit 2) and
    nothing is written: a title-only document is no framework."""
    from jinja2 import StrictUndefined

    out_p = Path(out)
    check_writable(out_p, force=force)
    tpl = Path(template) if template else default_template()
    if not tpl.exists():
        raise InputError("Word template not found", file=tpl,
                         hint="run scripts/build_templates.py or pass --template FILE.docx")
    fw, structural = load_framework(framework_file)
    if not any(role.title.strip() for role in fw.roles):
        no_table = any(f.code == NO_TABLE.code for f in structural)
        raise InputError(
            "no Appendix H framework table found (a header row with Job Title and Level "
            "A/B/C columns), so there is nothing to publish" if no_table else
            "the framework table has no role with a job title, so there is nothing to publish",
            file=framework_file, hint="see medpay validate-framework FILE")
    context = framework_context(fw)
    doc = render_template(tpl, context, env=sandboxed_env(undefined=StrictUndefined))
    return atomic_save(out_p, doc.save, force=force)


# ---------------------------------------------------------------------------------------
# The default template (built once by scripts/build_templates.py; HR may restyle it)
# ---------------------------------------------------------------------------------------


def _repeat_header(row) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _shade(cell, colour: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), colour)
    tc_pr.append(shd)


def build_framework_docx_template(path: str | Path) -> Path:
    """Write the default ``framework.docx`` docxtpl template (A4 landscape)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(sec, side, Cm(1.8))
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(10)
    sec.footer.paragraphs[0].text = "{{ framework.name }} Career Progression Framework"

    doc.add_paragraph("{{ framework.name }}", style="Title")
    doc.add_paragraph("Career Progression Framework", style="Subtitle")
    doc.add_paragraph("{% if framework.job_family %}Job family: {{ framework.job_family }}"
                      "{% endif %}")
    doc.add_paragraph("{% if framework.owner %}Owner: {{ framework.owner }}{% endif %}")
    doc.add_paragraph("{% if framework.version_date %}Version: {{ framework.version_date }}"
                      "{% endif %}")
    doc.add_paragraph("{%p for role in roles %}")
    doc.add_paragraph("{{ role.title }}", style="Heading 1")
    p = doc.add_paragraph()
    p.add_run("Range: ").bold = True
    p.add_run("{{ role.range }}")
    p = doc.add_paragraph()
    p.add_run("Duties: ").bold = True
    p.add_run("{{ role.duties }}")

    table = doc.add_table(rows=5, cols=4)
    table.style = "Table Grid"
    widths = (Cm(3.2), Cm(7.9), Cm(7.9), Cm(7.9))
    headers = ("Criterion", "Level A (Developing) {{ role.code_a }}",
               "Level B (Practising) {{ role.code_b }}",
               "Level C (Accomplished) {{ role.code_c }}")
    for i, text in enumerate(headers):
        cell = table.rows[0].cells[i]
        cell.paragraphs[0].add_run(text).bold = True
        _shade(cell, "D9E2F3")
    _repeat_header(table.rows[0])
    for i, text in enumerate(("", "{{ captions.a }}", "{{ captions.b }}", "{{ captions.c }}")):
        if text:
            table.rows[1].cells[i].paragraphs[0].add_run(text).italic = True
    table.rows[2].cells[0].paragraphs[0].add_run("{%tr for row in role.rows %}")
    table.rows[3].cells[0].paragraphs[0].add_run("{{ row.criterion }}").bold = True
    for i, key in enumerate(("a", "b", "c"), start=1):
        table.rows[3].cells[i].paragraphs[0].add_run(f"{{{{ row.{key} }}}}")
    table.rows[4].cells[0].paragraphs[0].add_run("{%tr endfor %}")
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width
    doc.add_paragraph("{%p endfor %}")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(target))
    return target
