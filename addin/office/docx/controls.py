"""Word content controls (``w:sdt``), document protection and medpay's form identity.

Low-level WordprocessingML helpers shared by the template builder
(``scripts/build_templates.py``), the renderer (:mod:`addin.office.docx.forms`) and the harvester
(:mod:`addin.office.docx.harvest`). Only lxml elements and bytes here, no domain logic.

* :func:`text_control`, :func:`dropdown_control`, :func:`date_control` build inline
  content controls (ECMA-376 Part 1, 17.5.2: ``w:sdt`` with ``w:sdtPr`` holding
  ``w:alias`` (the title Word shows), ``w:tag`` (the stable machine name medpay reads
  back), ``w:id`` and the control type ``w:text``/``w:dropDownList``/``w:date``).
* :func:`protect_for_forms` writes ``<w:documentProtection w:edit="forms"
  w:enforcement="1"/>`` into settings.xml: Word's "Filling in forms" restriction, under
  which only form fields and content controls can be edited (17.15.1.29; the section's
  ``w:formProt``, 17.6.6: "cannot be edited ... except for the text contained in any form
  field or embedded control"). "No changes (Read only)" would lock the controls too
  unless each one were wrapped in an editing exception (``w:permStart``/``w:permEnd``).
* medpay's identity of a generated form lives in custom document properties
  (``docProps/custom.xml``): ``medpay_form_type``, ``medpay_template_version``,
  ``medpay_control_count`` and ``medpay_text_hash`` (SHA-256 of the text outside the
  controls at generation time, so an edit outside the controls is detected).
* :func:`read_controls` reads every control back; :func:`fill_controls` fills them the
  way Word does when a person types, picks an item or picks a date (used by the tests and
  by anyone making synthetic filled forms).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import itertools
import operator
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lxml import etree

from addin.core.ukdates import UK_DATE

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
CP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
CUSTOM_PART = "docProps/custom.xml"
CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
PROPERTY_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"

PROP_FORM_TYPE = "medpay_form_type"
PROP_VERSION = "medpay_template_version"
PROP_TEXT_HASH = "medpay_text_hash"
PROP_CONTROL_COUNT = "medpay_control_count"
PROP_PREFILL = "medpay_prefill"
"""JSON object {tag: value} of the content-locked (``sdtContentLocked``) controls as
generated - the identity fields (employee ID, levels, framework) - so the harvest can
tell when one was changed (FORM-PREFILL-CHANGED)."""
PROP_CONTROLS = "medpay_controls"
"""JSON list ``[[tag, alias, kind], ...]`` of the form's content controls in document
order, as generated (:func:`control_layout`): how the harvest matches a control that lost
its tag back to its field. LibreOffice Writer keeps the controls of a form it saves but
drops every ``w:tag``, and the alias (title) of date pickers and drop-downs."""
CONTENT_LOCKED = "sdtContentLocked"
"""``w:lock`` value of a pre-filled identity field: neither the control nor its content
can be changed in Word (17.5.2.23); other controls are ``sdtLocked`` (content editable,
control not deletable)."""

NO_BREAK_HYPHEN = "\u2011"
"""How a ``w:noBreakHyphen`` (Word: Ctrl+Shift+-) reads back: U+2011 NON-BREAKING
HYPHEN, so the harvest returns exactly what was typed (it looks like '-' in Excel;
:func:`fill_sdt` writes U+2011 back as ``w:noBreakHyphen``)."""
SOFT_HYPHEN = "\u00ad"
"""How a ``w:softHyphen`` (Word: Ctrl+-, an optional hyphen) reads back: U+00AD."""

TEXT_PLACEHOLDER = "Click or tap here to enter text."
CHOICE_PLACEHOLDER = "Choose an item."
DATE_PLACEHOLDER = "Click or tap to enter a date."
PLACEHOLDERS = frozenset({TEXT_PLACEHOLDER, CHOICE_PLACEHOLDER, DATE_PLACEHOLDER})
"""A control's placeholder texts: LibreOffice saves a placeholder as the control's text
(without ``w:showingPlcHdr``), so a control that reads as one of these is empty."""
DATE_FORMAT = "dd/MM/yyyy"
"""How Word shows a picked date (UK order); :data:`DATE_STRFTIME` is the same in Python."""
DATE_STRFTIME = UK_DATE

YES_NO = ("Yes", "No")
OUTCOMES = ("Not met", "Met", "Exceeded")
"""Appendix B: "Objectives result: Not met (NM) Met (M) Exceeded (E)"."""

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_ids = itertools.count(1_000_001)


def w(tag: str) -> str:
    return W + tag


def _el(tag: str, parent=None, **attrs: str):
    el = etree.SubElement(parent, w(tag)) if parent is not None else etree.Element(w(tag), nsmap={"w": W_NS})
    for k, v in attrs.items():
        el.set(w(k), v)
    return el


# ----------------------------------------------------------------------------- building


def _sdt(tag: str, title: str, kind: str, content: str, *, placeholder: bool,
         choices: Iterable[str] = (), multiline: bool = False, locked: bool = False):
    sdt = _el("sdt")
    pr = _el("sdtPr", sdt)
    _el("alias", pr, val=title)
    _el("tag", pr, val=tag)
    _el("id", pr, val=str(next(_ids)))
    # sdtLocked: the control itself cannot be deleted, only filled; sdtContentLocked:
    # nor can its (pre-filled) content be changed
    _el("lock", pr, val=CONTENT_LOCKED if locked else "sdtLocked")
    if placeholder:
        _el("showingPlcHdr", pr)
    if kind == "text":
        t = _el("text", pr)
        if multiline:
            t.set(w("multiLine"), "1")
    elif kind == "dropdown":
        dd = _el("dropDownList", pr)
        for c in choices:
            _el("listItem", dd, displayText=c, value=c)
    elif kind == "date":
        d = _el("date", pr)
        _el("dateFormat", d, val=DATE_FORMAT)
        _el("lid", d, val="en-GB")
        _el("storeMappedDataAs", d, val="dateTime")
        _el("calendar", d, val="gregorian")
    else:  # pragma: no cover - programming error
        raise ValueError(kind)
    body = _el("sdtContent", sdt)
    _run(body, content, placeholder=placeholder)
    return sdt


def _run(parent, text: str, *, placeholder: bool = False):
    r = _el("r", parent)
    if placeholder:
        rpr = _el("rPr", r)
        _el("color", rpr, val="808080")
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if i:
            _el("br", r)
        # Word writes a non-breaking or soft hyphen as its own element, not as text
        for j, piece in enumerate(re.split(f"([{NO_BREAK_HYPHEN}{SOFT_HYPHEN}])", line)):
            if j % 2:
                _el("noBreakHyphen" if piece == NO_BREAK_HYPHEN else "softHyphen", r)
            elif piece or (j == 0 and line == ""):
                t = _el("t", r)
                t.text = piece
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return r


def text_control(tag: str, title: str, value: str | None = None, *, multiline: bool = False,
                 locked: bool = False, prompt: str | None = None):
    """A plain-text control; ``value`` (e.g. ``"{{ employee_name }}"``) pre-fills it.
    ``locked``: a pre-filled identity field whose content cannot be changed
    (:data:`CONTENT_LOCKED`; recorded at generation in :data:`PROP_PREFILL`).
    ``prompt``: the grey placeholder shown while it is empty (a short one where many
    controls sit together; default :data:`TEXT_PLACEHOLDER`)."""
    return _sdt(tag, title, "text", value if value is not None else (prompt or TEXT_PLACEHOLDER),
                placeholder=value is None, multiline=multiline, locked=locked)


def dropdown_control(tag: str, title: str, choices: Iterable[str], value: str | None = None, *,
                     prompt: str | None = None):
    return _sdt(tag, title, "dropdown", value if value is not None else (prompt or CHOICE_PLACEHOLDER),
                placeholder=value is None, choices=tuple(choices))


def date_control(tag: str, title: str, value: str | None = None, *, prompt: str | None = None):
    """A date picker. A pre-filled value is text in :data:`DATE_FORMAT`; the renderer
    sets ``w:fullDate`` from it (:func:`finish_controls`)."""
    return _sdt(tag, title, "date", value if value is not None else (prompt or DATE_PLACEHOLDER),
                placeholder=value is None)


def append_control(paragraph, sdt) -> None:
    """Put an inline control at the end of a python-docx paragraph."""
    paragraph._p.append(sdt)


# ----------------------------------------------------------------------------- protection


def protect_for_forms(document) -> None:
    """Protect a python-docx Document so only the content controls can be edited."""
    settings = document.settings.element
    for old in settings.findall(w("documentProtection")):
        settings.remove(old)
    prot = etree.Element(w("documentProtection"))
    prot.set(w("edit"), "forms")
    prot.set(w("enforcement"), "1")
    # CT_Settings order: writeProtection?, view?, zoom?, removePersonalInformation?, ...
    # documentProtection comes after zoom/…/ before defaultTabStop; insert before the
    # first element that must follow it.
    followers = ("autoFormatOverride", "styleLockTheme", "styleLockQFSet", "defaultTabStop",
                 "autoHyphenation", "evenAndOddHeaders", "characterSpacingControl", "compat",
                 "rsids", "themeFontLang", "shapeDefaults", "decimalSymbol", "listSeparator")
    for child in settings:
        if etree.QName(child).localname in followers:
            child.addprevious(prot)
            break
    else:
        settings.append(prot)
    for sect in document.element.body.iter(w("sectPr")):
        if sect.find(w("formProt")) is None:
            fp = etree.Element(w("formProt"))
            # formProt follows pgSz/pgMar/... and precedes vAlign/noEndnote/titlePg/...
            after = [c for c in sect if etree.QName(c).localname in (
                "vAlign", "noEndnote", "titlePg", "textDirection", "bidi", "rtlGutter",
                "docGrid", "printerSettings", "sectPrChange")]
            if after:
                after[0].addprevious(fp)
            else:
                sect.append(fp)


def without_protection(settings_root) -> bytes:
    """settings.xml (its parsed root) without ``w:documentProtection``, serialised."""
    for old in settings_root.findall(w("documentProtection")):
        settings_root.remove(old)
    return etree.tostring(settings_root, xml_declaration=True, encoding="UTF-8", standalone=True)


def protection_of(settings_xml: bytes) -> tuple[str | None, bool]:
    """(edit mode, enforced) of a settings.xml part."""
    root = etree.fromstring(settings_xml, _PARSER)
    prot = root.find(w("documentProtection"))
    if prot is None:
        return None, False
    return prot.get(w("edit")), prot.get(w("enforcement")) in ("1", "true", "on")


# ----------------------------------------------------------------------------- custom props


def custom_properties_xml(props: Mapping[str, str]) -> bytes:
    root = etree.Element(f"{{{CP_NS}}}Properties", nsmap={None: CP_NS, "vt": VT_NS})
    for pid, (name, value) in enumerate(props.items(), start=2):
        p = etree.SubElement(root, f"{{{CP_NS}}}property", fmtid=PROPERTY_FMTID, pid=str(pid), name=name)
        etree.SubElement(p, f"{{{VT_NS}}}lpwstr").text = str(value)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def parse_custom_properties(data: bytes | None) -> dict[str, str]:
    if not data:
        return {}
    root = etree.fromstring(data, _PARSER)
    out: dict[str, str] = {}
    for p in root.findall(f"{{{CP_NS}}}property"):
        name = p.get("name")
        if name is None:
            continue
        out[name] = "".join(p.itertext())
    return out


def set_custom_properties(document, updates: Mapping[str, str]) -> None:
    """Merge ``updates`` into a python-docx Document's custom properties part."""
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    package = document.part.package
    part = None
    for rel in package.rels.values():
        if rel.reltype == CUSTOM_RT and not rel.is_external:
            part = rel.target_part
            break
    current = parse_custom_properties(part.blob) if part is not None else {}
    current.update({k: str(v) for k, v in updates.items()})
    blob = custom_properties_xml(current)
    if part is None:
        part = Part(PackURI("/" + CUSTOM_PART), CUSTOM_CT, blob, package)
        package.relate_to(part, CUSTOM_RT)
    else:
        part._blob = blob


# ----------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Control:
    """One content control as found in a document."""

    tag: str | None
    title: str | None
    kind: str
    """'text', 'dropdown', 'date' or 'other'."""
    value: str | dt.date
    """What the person entered: text ('' when still showing the placeholder), the chosen
    item, or a ``date`` for a picked date."""
    choices: tuple[str, ...] = ()


def _kind(pr) -> str:
    if pr.find(w("dropDownList")) is not None or pr.find(w("comboBox")) is not None:
        return "dropdown"
    if pr.find(w("date")) is not None:
        return "date"
    if pr.find(w("text")) is not None or pr.find(w("richText")) is not None:
        return "text"
    return "other"


_TEXT_NODES = (w("t"), w("br"), w("cr"), w("tab"), w("noBreakHyphen"), w("softHyphen"))


def _node_text(node) -> str:
    """The text one run-content element stands for ('' for a page/column break)."""
    name = etree.QName(node).localname
    if name == "t":
        return node.text or ""
    if name == "tab":
        return "\t"
    if name == "noBreakHyphen":
        return NO_BREAK_HYPHEN
    if name == "softHyphen":
        return SOFT_HYPHEN
    if name == "cr" or node.get(w("type")) in (None, "textWrapping"):
        return "\n"
    return ""


def _run_text(el) -> str:
    """Text of an element's runs; markers between runs (``w:proofErr``,
    ``w:bookmarkStart``/``End``, ``w:rPr``...) carry no text and are passed over."""
    return "".join(_node_text(node) for node in el.iter(*_TEXT_NODES))


def content_text(content) -> str:
    """The text of an ``w:sdtContent`` (paragraphs joined by newlines)."""
    paras = content.findall(f".//{w('p')}")
    if paras:
        return "\n".join(_run_text(p) for p in paras)
    return _run_text(content)


def _parse_date(text: str) -> dt.date | None:
    for fmt in (DATE_STRFTIME, "%Y-%m-%d", "%d/%m/%y", "%d %B %Y", "%d %b %Y"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def control_of(sdt) -> Control:
    pr = sdt.find(w("sdtPr"))
    content = sdt.find(w("sdtContent"))
    pr = pr if pr is not None else etree.Element(w("sdtPr"))
    tag_el = pr.find(w("tag"))
    alias_el = pr.find(w("alias"))
    tag = tag_el.get(w("val")) if tag_el is not None else None
    kind = _kind(pr)
    placeholder = pr.find(w("showingPlcHdr")) is not None
    text = "" if placeholder or content is None else content_text(content)
    value: str | dt.date = text
    if kind == "date" and not placeholder:
        full = pr.find(w("date")).get(w("fullDate"))
        parsed = _parse_date(full[:10]) if full else None
        value = parsed or _parse_date(text) or text
    choices: tuple[str, ...] = ()
    if kind == "dropdown":
        lst = pr.find(w("dropDownList"))
        if lst is None:
            lst = pr.find(w("comboBox"))
        choices = tuple(li.get(w("displayText")) or li.get(w("value")) or "" for li in lst.findall(w("listItem")))
    return Control(tag or None, alias_el.get(w("val")) if alias_el is not None else None, kind, value, choices)


def control_layout(root) -> list[tuple[str, str | None, str]]:
    """(tag, alias, kind) of every content control of a document, in document order
    (recorded at generation as :data:`PROP_CONTROLS`)."""
    return [(c.tag or "", c.title, c.kind) for c in map(control_of, iter_sdts(root))]


def iter_sdts(root):
    """Every content control in a document part, outermost first."""
    return root.iter(w("sdt"))


def read_controls(document_xml: bytes) -> list[Control]:
    root = etree.fromstring(document_xml, _PARSER)
    return [control_of(s) for s in iter_sdts(root)]


def non_control_text(root) -> str:
    """The document's text outside every content control, paragraph by paragraph.

    Text inside ``w:sdtContent`` is what people fill in; everything else is the form
    itself (questions, framework text, deadlines), which nobody should change.
    """
    lines: list[str] = []
    body = root.find(w("body")) if etree.QName(root).localname == "document" else root
    for p in body.iter(w("p")):
        if any(etree.QName(a).localname == "sdtContent" for a in p.iterancestors()):
            continue
        parts: list[str] = []
        for node in p.iter(*_TEXT_NODES):
            if any(a is not p and etree.QName(a).localname == "sdtContent"
                   for a in itertools.takewhile(functools.partial(operator.is_not, p), node.iterancestors())):
                continue
            parts.append(_node_text(node))
        lines.append("".join(parts))
    return "\n".join(lines)


_SPACES = re.compile(r"\s+")
_SPACE_LIKE: dict[int, str | None] = dict.fromkeys(map(ord, "\u00a0\u2007\u202f\u2002\u2003\u2009"), " ")
_SPACE_LIKE.update({ord(SOFT_HYPHEN): None, ord("\u200b"): None, ord("\ufeff"): None,
                    ord(NO_BREAK_HYPHEN): "-", ord("\u2010"): "-"})


def normalised_text(text: str) -> str:
    """The text outside the controls as compared for FORM-EDITED-OUTSIDE: what a reader
    sees, not how a word processor happened to save it. Soft hyphens and zero-width
    characters are dropped, non-breaking spaces and hyphens become plain ones, runs of
    whitespace (tabs, line breaks) collapse to one space, and empty paragraphs are
    dropped (Word adds one after a final table; LibreOffice adds blank lines). A changed
    word or sentence still changes it."""
    lines = (_SPACES.sub(" ", line.translate(_SPACE_LIKE)).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def text_hash(root) -> str:
    """SHA-256 of :func:`normalised_text` of the text outside the controls (stored in
    :data:`PROP_TEXT_HASH` at generation)."""
    return hashlib.sha256(normalised_text(non_control_text(root)).encode("utf-8")).hexdigest()


def exact_text_hash(root) -> str:
    """SHA-256 of the exact text outside the controls: the hash forms generated before
    :func:`normalised_text` stored (still accepted by the harvest)."""
    return hashlib.sha256(non_control_text(root).encode("utf-8")).hexdigest()


def lock_of(sdt) -> str | None:
    lock = sdt.find(f"{w('sdtPr')}/{w('lock')}")
    return lock.get(w("val")) if lock is not None else None


def content_locked_values(root) -> dict[str, str]:
    """{tag: text} of every tagged control whose content is locked (the identity fields)."""
    out: dict[str, str] = {}
    for sdt in iter_sdts(root):
        if lock_of(sdt) in (CONTENT_LOCKED, "contentLocked"):
            c = control_of(sdt)
            if c.tag and c.tag not in out:
                out[c.tag] = c.value.strftime(DATE_STRFTIME) if isinstance(c.value, dt.date) else c.value
    return out


# ----------------------------------------------------------------------------- finishing


def finish_controls(root) -> int:
    """After rendering: give empty controls their placeholder, set ``w:fullDate`` on
    pre-filled date pickers. Returns the number of tagged controls."""
    count = 0
    for sdt in iter_sdts(root):
        pr = sdt.find(w("sdtPr"))
        content = sdt.find(w("sdtContent"))
        if pr is None or content is None:
            continue
        if pr.find(w("tag")) is not None:
            count += 1
        if pr.find(w("showingPlcHdr")) is not None:
            continue
        text = content_text(content)
        kind = _kind(pr)
        if not text.strip():
            for child in list(content):
                content.remove(child)
            ph = {"dropdown": CHOICE_PLACEHOLDER, "date": DATE_PLACEHOLDER}.get(kind, TEXT_PLACEHOLDER)
            _run(content, ph, placeholder=True)
            marker = etree.Element(w("showingPlcHdr"))
            _insert_pr_flag(pr, marker)
        elif kind == "date":
            d = _parse_date(text)
            if d is not None:
                pr.find(w("date")).set(w("fullDate"), f"{d.isoformat()}T00:00:00Z")
    return count


def _insert_pr_flag(pr, el) -> None:
    """Insert a flag element into sdtPr before the control type element."""
    for child in pr:
        if etree.QName(child).localname in ("text", "dropDownList", "comboBox", "date", "richText"):
            child.addprevious(el)
            return
    pr.append(el)


# ----------------------------------------------------------------------------- filling


def _set_content(content, text: str) -> None:
    """Replace a control's content the way Word does: keep the first run's formatting
    (minus the placeholder's grey), one run, line breaks as ``w:br``."""
    first_r = content.find(f".//{w('r')}")
    rpr = None
    if first_r is not None and first_r.find(w("rPr")) is not None:
        rpr = first_r.find(w("rPr"))
        for c in rpr.findall(w("color")):
            rpr.remove(c)
    block = content.find(w("p")) is not None
    for child in list(content):
        content.remove(child)
    holder = _el("p", content) if block else content
    r = _run(holder, text)
    if rpr is not None and len(rpr):
        r.insert(0, rpr)


def _clear(pr, content, kind: str) -> None:
    """What Word does when a person deletes everything in a control: its placeholder
    comes back (``w:showingPlcHdr``) and a date picker forgets its ``w:fullDate``."""
    for child in list(content):
        content.remove(child)
    ph = {"dropdown": CHOICE_PLACEHOLDER, "date": DATE_PLACEHOLDER}.get(kind, TEXT_PLACEHOLDER)
    _run(content, ph, placeholder=True)
    if pr.find(w("showingPlcHdr")) is None:
        _insert_pr_flag(pr, etree.Element(w("showingPlcHdr")))
    date_el = pr.find(w("date"))
    if date_el is not None and date_el.get(w("fullDate")) is not None:
        del date_el.attrib[w("fullDate")]


def fill_sdt(sdt, value: str | dt.date) -> None:
    """Fill one control as a person would in Word; ``""`` clears it (placeholder back)."""
    pr = sdt.find(w("sdtPr"))
    content = sdt.find(w("sdtContent"))
    kind = _kind(pr)
    if value == "":
        _clear(pr, content, kind)
        return
    for ph in pr.findall(w("showingPlcHdr")):
        pr.remove(ph)
    if kind == "date":
        d = value if isinstance(value, dt.date) else _parse_date(str(value))
        if d is None:
            raise ValueError(f"not a date: {value!r}")
        pr.find(w("date")).set(w("fullDate"), f"{d.isoformat()}T00:00:00Z")
        _set_content(content, d.strftime(DATE_STRFTIME))
        return
    text = str(value)
    if kind == "dropdown":
        items = pr.find(w("dropDownList"))
        allowed = {li.get(w("displayText")) for li in items.findall(w("listItem"))}
        if text not in allowed:
            raise ValueError(f"{text!r} is not one of {sorted(allowed)}")
    _set_content(content, text)


def fill_controls(docx_bytes: bytes, values: Mapping[str, str | dt.date]) -> bytes:
    """Return a copy of a .docx with the controls tagged as in ``values`` filled in, as a
    person would in Word. Raises KeyError for a tag that is not in the document."""
    zin = zipfile.ZipFile(io.BytesIO(docx_bytes))
    root = etree.fromstring(zin.read("word/document.xml"), _PARSER)
    seen = set()
    for sdt in iter_sdts(root):
        tag_el = sdt.find(f"{w('sdtPr')}/{w('tag')}")
        tag = tag_el.get(w("val")) if tag_el is not None else None
        if tag is not None and tag in values:
            fill_sdt(sdt, values[tag])
            seen.add(tag)
    missing = set(values) - seen
    if missing:
        raise KeyError(f"no controls tagged {sorted(missing)}")
    return replace_part(docx_bytes, "word/document.xml",
                        etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def replace_part(docx_bytes: bytes, name: str, data: bytes) -> bytes:
    """A copy of a zip package with one member replaced."""
    zin = zipfile.ZipFile(io.BytesIO(docx_bytes))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, data if info.filename == name else zin.read(info.filename))
    return out.getvalue()


def part_root(docx_bytes: bytes, name: str = "word/document.xml"):
    return etree.fromstring(zipfile.ZipFile(io.BytesIO(docx_bytes)).read(name), _PARSER)


_TAG_RE = re.compile(r"^[a-z][a-z0-9_]*$")


def valid_tag(tag: str) -> bool:
    """Tags are lower_snake_case (they become harvest column headers)."""
    return bool(_TAG_RE.match(tag))
