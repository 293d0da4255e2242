"""Workbook outputs never carry a macro (docs/reference/security.md: no VBA project, no Excel 4.0
macro sheet and no dialog sheet is written into any output).

**VBA.** A manager's .xlsm holds its macros in ``xl/vbaProject.bin`` (plus, when signed,
``xl/vbaProjectSignature*.bin`` and ``xl/_rels/vbaProject.bin.rels``), named by a
relationship of type :data:`VBA_REL` from ``xl/_rels/workbook.xml.rels`` and an
``Override`` in ``[Content_Types].xml``. All three are dropped.

**Excel 4.0 (XLM) macros.** Before VBA, Excel's macros were formulas on *macro sheets*,
and Excel still runs them: a macro sheet ``xl/macrosheets/sheetN.xml`` (relationship
``.../office/2006/relationships/xlMacrosheet``, content type
``application/vnd.ms-excel.macrosheet+xml``, [MS-OFFMACRO2] 2.2.1.5), an international
macro sheet ``xl/macrosheets/intlsheetN.xml`` (``xlIntlMacrosheet``,
``application/vnd.ms-excel.intlmacrosheet+xml``) or a dialog sheet
``xl/dialogsheets/sheetN.xml`` (ECMA-376 ``dialogsheet``, the dialogs those macros show)
is a ``<sheet>`` of ``xl/workbook.xml`` like any worksheet, and a defined name
``_xlnm.Auto_Open`` (or ``Auto_Open...``) pointing into one runs it when the workbook
opens. No VBA project is needed, so an .xlsx-named file can hold one. openpyxl reads such a
sheet as if it were a worksheet (its ``EXEC(...)`` formulas become worksheet formulas) and
the XML engine copied it untouched, so every one (:data:`MACRO_SHEET_RELS`,
:data:`MACRO_SHEET_TYPES`, anything under ``xl/macrosheets/`` or ``xl/dialogsheets/``) is
dropped completely: the part, its relationships part and every part only it refers to (a
button drawing, say), its ``Override``, the workbook relationship, the ``<sheet>``
element, the defined names local to it (``localSheetId``) or whose formula refers to it by
sheet name, and every auto-run name (``Auto_Open``, ``Auto_Close``, ``Auto_Activate``,
``Auto_Deactivate``, with or without ``_xlnm.``: a copy has no macro for one to run). The
remaining ``localSheetId``s and the book views' ``activeTab``/``firstSheet`` are renumbered
so they still point at the same sheets (a view on a dropped sheet opens on the next one
left).

:func:`macro_free_changes` is the one rule, on the members' bytes: the feedback writer
(:mod:`addin.office.xlsx.feedback_xml`) applies it when it writes its package (the main
part typed for the output's name there too), and
``addin.office.xlsx.safe.load_workbook(macro_free=True)`` through :func:`without_macros`
on the input before openpyxl reads it, so a macro sheet never becomes a worksheet.

Why an .xlsm output keeps the *macro-enabled* workbook content type although it has no
macros: Excel checks that a file's extension matches the content type of its main part
and refuses a mismatch ("Excel cannot open the file ... because the file format or file
extension is not valid") - an .xlsm whose workbook part says
``spreadsheetml.sheet.main+xml`` (what openpyxl writes without a VBA project) is refused,
and so is an .xlsx that says ``macroEnabled``. A macro-enabled package with no
``vbaProject.bin`` is what Excel itself saves for an .xlsm without modules, and LibreOffice
opens it too (it sniffs the content, ``tests/hostile/test_files.py`` converts one). So the
main part's content type follows the output's extension (``macro_enabled``): the copy of
an .xlsm may still be called .xlsm - it opens, with nothing in it to enable.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Collection, Iterable
from urllib.parse import unquote

from lxml import etree

VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "[Content_Types].xml"
WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
ROOT_RELS = "_rels/.rels"

MACRO_SHEET_RELS = frozenset({
    "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet",
    "http://schemas.microsoft.com/office/2006/relationships/xlIntlMacrosheet",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/dialogsheet",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/dialogsheet",
})
"""The relationship types of macro, international macro and dialog sheets (what Excel
writes; any type whose last segment names one of these sheets counts too)."""
MACRO_SHEET_TYPES = frozenset({
    "application/vnd.ms-excel.macrosheet+xml",
    "application/vnd.ms-excel.intlmacrosheet+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.dialogsheet+xml",
    # the binary (.xlsb) parts' types, should one be named in an XML package
    "application/vnd.ms-excel.macrosheet",
    "application/vnd.ms-excel.intlmacrosheet",
    "application/vnd.ms-excel.dialogsheet",
})
"""The content types of those parts."""
VBA_TYPE = "application/vnd.ms-office.vbaProject"

# the workbook part's content type: macro-free -> macro-enabled (sheet and template)
_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml":
        "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml":
        "application/vnd.ms-excel.template.macroEnabled.main+xml",
}
_MACRO_FREE = {v: k for k, v in _MAIN_TYPES.items()}

_VBA_PART = re.compile(r"(?i)^(?:xl/vbaProject[^/]*\.bin|xl/_rels/vbaProject[^/]*\.bin\.rels)$")
_MACRO_SHEET_PART = re.compile(r"(?i)^xl/(?:macrosheets|intlmacrosheets|dialogsheets)/")
_MACRO_SHEET_KINDS = {"xlmacrosheet", "xlintlmacrosheet", "macrosheet", "intlmacrosheet",
                      "dialogsheet"}
_AUTO_RUN = re.compile(r"(?i)^(?:_xlnm\.)?auto_(?:open|close|activate|deactivate)")
_AUTO_RUN_BYTES = re.compile(rb"(?i)auto_(?:open|close|activate|deactivate)")
_STRING = re.compile(r'"(?:[^"]|"")*"')
_SHEET_REF = re.compile(r"'((?:[^']|'')+)'!|([^\s'!\"(),;=+\-*/&^<>{}%]+)!")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def is_vba_part(name: str) -> bool:
    """``xl/vbaProject.bin``, its signatures and its relationships part."""
    return bool(_VBA_PART.match(name))


def is_macro_sheet_rel(rtype: str) -> bool:
    """A relationship type naming a macro, international macro or dialog sheet."""
    return rtype in MACRO_SHEET_RELS or rtype.rsplit("/", 1)[-1].lower() in _MACRO_SHEET_KINDS


def _is_macro_type(ctype: str) -> bool:
    return ctype.split(";")[0].strip().lower() in MACRO_SHEET_TYPES


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def content_types_without(data: bytes, dropped: Collection[str], macro_enabled: bool | None,
                          names: Collection[str] = frozenset()) -> bytes:
    """``[Content_Types].xml`` without the Overrides of the ``dropped`` parts (and, once
    something is dropped, without a ``Default`` of a VBA or macro-sheet type no part left
    in ``names`` would take), the main workbook part's type made macro-enabled or
    macro-free per ``macro_enabled`` (None: left as it is). The input bytes when nothing
    changes."""
    root = etree.fromstring(data, _PARSER)
    gone = {"/" + n.lower() for n in dropped}
    changed = False
    overridden = {o.get("PartName", "").lower() for o in root.iterchildren("{%s}Override" % CT_NS)}
    left = {n.lower() for n in names} - {n.lower() for n in dropped}
    for d in list(root.iterchildren("{%s}Default" % CT_NS)):
        ctype, ext = d.get("ContentType", ""), "." + d.get("Extension", "").lower()
        if dropped and (ctype == VBA_TYPE or _is_macro_type(ctype)) and not any(
                n.endswith(ext) and "/" + n not in overridden for n in left):
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
    return _xml(root) if changed else data


def _rel_targets(root: etree._Element, source: str, by_lower: dict[str, str]
                 ) -> Iterable[tuple[etree._Element, str | None]]:
    """Each relationship of a parsed relationships part with the member it points at
    (None: external, or no such member)."""
    for rel in root.iterchildren("{%s}Relationship" % PKG_REL_NS):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External" or not target:
            yield rel, None
            continue
        target = target.split("#", 1)[0]
        path = (posixpath.normpath(target.lstrip("/")) if target.startswith("/")
                else posixpath.normpath(posixpath.join(posixpath.dirname(source), target)))
        yield rel, by_lower.get(path.lower()) or by_lower.get(unquote(path).lower())


def _sheet_names_in(formula: str) -> set[str]:
    """The sheets a defined name's formula refers to (casefolded; each end of a 3-D
    reference), strings left out."""
    found: set[str] = set()
    for m in _SHEET_REF.finditer(_STRING.sub('""', formula)):
        text = m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2)
        found.update(part.casefold() for part in text.split(":"))
    return found


def workbook_without_sheets(data: bytes, rids: Collection[str]) -> bytes:
    """``xl/workbook.xml`` without the ``<sheet>`` elements of relationship ids ``rids``,
    without the defined names local to those sheets, referring to them by name or named
    for auto-run (:data:`_AUTO_RUN`), the remaining ``localSheetId``s, ``activeTab``s and
    ``firstSheet``s renumbered for the sheets left (a view on a dropped sheet opens on the
    next one left). The input bytes when nothing changes."""
    root = etree.fromstring(data, _PARSER)
    sheets_el = root.find("{*}sheets")
    sheets = list(sheets_el.iterchildren("{*}sheet")) if sheets_el is not None else []

    def rid(el: etree._Element) -> str | None:
        return next((v for k, v in el.attrib.items()
                     if k.startswith("{") and k.endswith("}id") and "relationships" in k), None)

    gone = [i for i, s in enumerate(sheets) if rid(s) in rids]
    changed = bool(gone)
    gone_names = {sheets[i].get("name", "").casefold() for i in gone}
    gone_ids = {sheets[i].get("sheetId") for i in gone}
    kept = [s for i, s in enumerate(sheets) if i not in gone]
    for i in gone:
        sheets_el.remove(sheets[i])

    def renumber(value: str | None) -> str | None:
        """The new index of sheet index ``value`` (None: not a sheet index, left)."""
        if value is None or not value.isdigit() or int(value) >= len(sheets):
            return None
        i = int(value)
        before = i - sum(1 for g in gone if g < i)  # = the next sheet left, for a dropped one
        return str(min(before, len(kept) - 1) if i in gone else before)

    names_el = root.find("{*}definedNames")
    for dn in list(names_el.iterchildren("{*}definedName")) if names_el is not None else ():
        local = dn.get("localSheetId")
        if (_AUTO_RUN.match(dn.get("name", "")) or (local is not None and local.isdigit()
                                                     and int(local) in gone)
                or (gone_names and gone_names & _sheet_names_in(dn.text or ""))):
            names_el.remove(dn)
            changed = True
            continue
        new = renumber(local)
        if new is not None and new != local:
            dn.set("localSheetId", new)
    if names_el is not None and changed and len(names_el) == 0:
        root.remove(names_el)
    for view in root.iterfind("{*}bookViews/{*}workbookView"):
        for attr in ("activeTab", "firstSheet"):
            old = view.get(attr)
            new = renumber(old)
            if new is not None and new != old and int(new) >= 0:
                view.set(attr, new)
    for view in root.iterfind("{*}customWorkbookViews/{*}customWorkbookView"):
        if kept and view.get("activeSheetId") in gone_ids:
            view.set("activeSheetId", kept[0].get("sheetId", "1"))
    return _xml(root) if changed else data


def macro_free_changes(names: Iterable[str], read: Callable[[str], bytes], *,
                       macro_enabled: bool | None = None) -> tuple[set[str], dict[str, bytes]]:
    """What a package of members ``names`` (``read`` gives a member's bytes) needs to hold
    no macro (see the module docstring): the members to leave out and the new bytes of the
    members that change ([Content_Types].xml, the workbook part and its relationships),
    the main part's content type set for an .xlsm (``macro_enabled=True``) or .xlsx
    (``False``) output, None leaving it. ``(set(), {})`` when nothing changes."""
    members = list(dict.fromkeys(names))
    present = set(members)
    by_lower = {n.lower(): n for n in members}
    dropped = {n for n in members if is_vba_part(n)}
    sheets = {n for n in members if _MACRO_SHEET_PART.match(n)}
    changed: dict[str, bytes] = {}
    ct = None
    workbooks = [WORKBOOK]
    if CONTENT_TYPES in present:
        ct = read(CONTENT_TYPES)
        ct_root = etree.fromstring(ct, _PARSER)
        overridden = set()
        for o in ct_root.iterchildren("{%s}Override" % CT_NS):
            part = by_lower.get(o.get("PartName", "").lstrip("/").lower())
            overridden.add(part)
            ctype = o.get("ContentType", "")
            if part and _is_macro_type(ctype):
                sheets.add(part)
            elif part and (ctype in _MAIN_TYPES or ctype in _MACRO_FREE):
                workbooks.append(part)  # what openpyxl takes for the workbook
        for d in ct_root.iterchildren("{%s}Default" % CT_NS):
            if _is_macro_type(d.get("ContentType", "")):
                ext = "." + d.get("Extension", "").lower()
                sheets.update(n for n in members if n.lower().endswith(ext) and n not in overridden)
    if ROOT_RELS in present:
        root_rels = etree.fromstring(read(ROOT_RELS), _PARSER)
        workbooks += [part for rel, part in _rel_targets(root_rels, "", by_lower)
                      if part and rel.get("Type", "").endswith("/officeDocument")]
    workbooks = [w for w in dict.fromkeys(workbooks) if w in present]
    # the workbook relationships to a macro or dialog sheet (or a dropped part)
    rids: dict[str, set[str]] = {}
    for wb in workbooks:
        rels_name = by_lower.get(_rels_name(wb).lower())
        if rels_name is None:
            continue
        root = etree.fromstring(read(rels_name), _PARSER)
        gone = []
        for rel, part in _rel_targets(root, wb, by_lower):
            rtype = rel.get("Type", "")
            if is_macro_sheet_rel(rtype) or (part and part in sheets):
                sheets.update([part] if part else [])
                gone.append(rel)
            elif rtype == VBA_REL:
                gone.append(rel)
        rids[wb] = {rel.get("Id", "") for rel in gone if rel.get("Type") != VBA_REL}
        for rel in gone:
            root.remove(rel)
        if gone:
            changed[rels_name] = _xml(root)
    sheets -= set(workbooks)
    if sheets:
        dropped |= sheets | _only_from(sheets, by_lower, read, changed)
    for wb in workbooks:
        data = read(wb)
        if rids.get(wb) or _AUTO_RUN_BYTES.search(data):
            fixed = workbook_without_sheets(data, rids.get(wb, set()))
            if fixed is not data:
                changed[wb] = fixed
    if ct is not None:
        fixed = content_types_without(ct, dropped, macro_enabled, members)
        if fixed is not ct:
            changed[CONTENT_TYPES] = fixed
    for name in dropped:
        changed.pop(name, None)
    return dropped, changed


def _only_from(sheets: set[str], by_lower: dict[str, str], read: Callable[[str], bytes],
               changed: dict[str, bytes]) -> set[str]:
    """The dropped sheets' relationships parts and every part reachable only through them
    (the package's relationships as ``changed`` leaves them)."""

    def targets(part: str) -> list[str]:
        rels = by_lower.get((ROOT_RELS if part == "" else _rels_name(part)).lower())
        if rels is None:
            return []
        root = etree.fromstring(changed.get(rels) or read(rels), _PARSER)
        return [p for _, p in _rel_targets(root, part, by_lower) if p]

    def reach(start: Iterable[str], stop: set[str]) -> set[str]:
        seen: set[str] = set()
        todo = [p for p in start if p not in stop]
        while todo:
            part = todo.pop()
            if part in seen:
                continue
            seen.add(part)
            todo += [p for p in targets(part) if p not in seen and p not in stop]
        return seen

    from_root = reach(targets(""), sheets)
    only = reach((p for s in sheets for p in targets(s)), sheets | from_root)
    out = set(only)
    for part in sheets | only:
        rels = by_lower.get(_rels_name(part).lower())
        if rels:
            out.add(rels)
    return out - {CONTENT_TYPES, ROOT_RELS}


def without_macros(data: bytes, *, macro_enabled: bool | None = None) -> bytes:
    """The workbook package ``data`` with no macro (:func:`macro_free_changes`), its main
    part's content type set for an .xlsm (``macro_enabled=True``) or .xlsx (``False``)
    output. Every other member is copied with its name, order, zip date and attributes,
    so a copy normalised by :mod:`addin.office.determinism` stays normalised; the input bytes
    themselves when there is nothing to change."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        infos = src.infolist()
        dropped, new = macro_free_changes([i.filename for i in infos], src.read,
                                          macro_enabled=macro_enabled)
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
