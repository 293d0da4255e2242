"""Workbook outputs never carry a VBA project (README, Security: "the VBA project is not
kept and not written into any output").

A manager's .xlsm holds its macros in ``xl/vbaProject.bin`` (plus, when signed,
``xl/vbaProjectSignature*.bin`` and ``xl/_rels/vbaProject.bin.rels``), named by a
relationship of type :data:`VBA_REL` from ``xl/_rels/workbook.xml.rels`` and an
``Override`` in ``[Content_Types].xml``. :func:`without_vba` drops all three, so a copy
medpay writes (the feedback copy of either engine, :mod:`addin.feedback` and
:mod:`addin.feedback_xml`) has no macros to run, whatever the input held.

Why an .xlsm output keeps the *macro-enabled* workbook content type although it has no
VBA project: Excel checks that a file's extension matches the content type of its main
part and refuses a mismatch ("Excel cannot open the file ... because the file format or
file extension is not valid") - an .xlsm whose workbook part says
``spreadsheetml.sheet.main+xml`` (what openpyxl writes without a VBA project) is refused,
and so is an .xlsx that says ``macroEnabled``. A macro-enabled package with no
``vbaProject.bin`` is what Excel itself saves for an .xlsm without modules, and LibreOffice
opens it too (it sniffs the content, ``tests/hostile/test_files.py`` converts one). So the
main part's content type follows the output's extension (``macro_enabled``): the copy of
an .xlsm may still be called .xlsm - it opens, with nothing in it to enable.
"""

from __future__ import annotations

import io
import re
import zipfile

from lxml import etree

VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "[Content_Types].xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"

# the workbook part's content type: macro-free -> macro-enabled (sheet and template)
_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml":
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml":
        "application/vnd.ms-excel.template.macroEnabled.main+xml",
}
_MACRO_FREE = {v: k for k, v in _MAIN_TYPES.items()}

_VBA_PART = re.compile(r"(?i)^(?:xl/vbaProject[^/]*\.bin|xl/_rels/vbaProject[^/]*\.bin\.rels)$")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def is_vba_part(name: str) -> bool:
    """``xl/vbaProject.bin``, its signatures and its relationships part."""
    return bool(_VBA_PART.match(name))


VBA_TYPE = "application/vnd.ms-office.vbaProject"


def content_types_without_vba(data: bytes, dropped: set[str], macro_enabled: bool | None,
                              names: set[str] | frozenset[str] = frozenset()) -> bytes:
    """``[Content_Types].xml`` without the Overrides of the ``dropped`` parts (and
    without a ``Default Extension="bin"`` of the VBA project's type once no part left in
    ``names`` would take it), the main workbook part's type made macro-enabled or
    macro-free per ``macro_enabled`` (None: left as it is). The input bytes when nothing
    changes."""
    root = etree.fromstring(data, _PARSER)
    gone = {"/" + n.lower() for n in dropped}
    changed = False
    overridden = {o.get("PartName", "").lower() for o in root.iterchildren("{%s}Override" % CT_NS)}
    bin_left = any(n.lower().endswith(".bin") and "/" + n.lower() not in overridden
                   for n in set(names) - set(dropped))
    for d in list(root.iterchildren("{%s}Default" % CT_NS)):
        if dropped and d.get("ContentType") == VBA_TYPE and not bin_left:
            root.remove(d)
            changed = True
    for o in list(root.iterchildren("{%s}Override" % CT_NS)):
        ctype = o.get("ContentType", "")
        if o.get("PartName", "").lower() in gone:
            root.remove(o)
            changed = True
        elif macro_enabled is True and ctype in _MAIN_TYPES:
            o.set("ContentType", _MAIN_TYPES[ctype])
            changed = True
        elif macro_enabled is False and ctype in _MACRO_FREE:
            o.set("ContentType", _MACRO_FREE[ctype])
            changed = True
    if not changed:
        return data
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def rels_without_vba(data: bytes) -> bytes:
    """A relationships part without its vbaProject relationships (the input bytes when it
    has none)."""
    root = etree.fromstring(data, _PARSER)
    rels = [r for r in root.iterchildren("{%s}Relationship" % PKG_REL_NS) if r.get("Type") == VBA_REL]
    if not rels:
        return data
    for r in rels:
        root.remove(r)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def without_vba(data: bytes, *, macro_enabled: bool | None = None) -> bytes:
    """The workbook package ``data`` with no VBA project (see the module docstring), its
    main part's content type set for an .xlsm (``macro_enabled=True``) or .xlsx
    (``False``) output. Every other member is copied with its name, order, zip date and
    attributes, so a copy normalised by :mod:`addin.determinism` stays normalised; the
    input bytes themselves when there is nothing to change."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        infos = src.infolist()
        dropped = {i.filename for i in infos if is_vba_part(i.filename)}
        names = {i.filename for i in infos}
        new: dict[str, bytes] = {}
        if CONTENT_TYPES in names:
            ct = src.read(CONTENT_TYPES)
            fixed = content_types_without_vba(ct, dropped, macro_enabled, names)
            if fixed is not ct:
                new[CONTENT_TYPES] = fixed
        if WORKBOOK_RELS in names:
            rels = src.read(WORKBOOK_RELS)
            fixed = rels_without_vba(rels)
            if fixed is not rels:
                new[WORKBOOK_RELS] = fixed
        if not dropped and not new:
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
            for info in infos:
                if info.filename in dropped:
                    continue
                body = new.get(info.filename)
                if body is None:
                    body = src.read(info.filename)
                copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                copy.compress_type = zipfile.ZIP_DEFLATED
                copy.create_system = info.create_system
                copy.external_attr = info.external_attr
                dst.writestr(copy, body, compresslevel=6)
    return out.getvalue()
