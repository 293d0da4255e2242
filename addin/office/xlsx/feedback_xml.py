"""The feedback writer's engine: an annotated copy made at the zip/XML level.

:func:`addin.office.xlsx.feedback.write_feedback_copy` is the entry point (it holds what
the copy says: labels, links, comment texts, fills). This engine makes the copy without
building a workbook model (13.5 ms a copy of a shipped sample, where the openpyxl
load-and-save it replaced took 73 ms):

* every zip member the feedback does not change is copied with its content unchanged
  (the manager's formatting, sheets, images, validations and macro-free parts are kept
  exactly); macros are not kept (:func:`addin.office.xlsx.macrofree.macro_free_changes`:
  no VBA project, macro or dialog sheet, auto-run name), whether the input is .xlsx or
  .xlsm;
* only the sheets with findings or extra columns are parsed (lxml, with entities and
  network access off; the bytes already passed :func:`addin.office.xlsx.safe.read_ooxml_bytes`,
  which refuses any DTD) and rewritten: severity fills as cloned cell formats, comments
  as a comments part with its VML drawing (a legacy drawing's form controls are not
  kept: they run macros), the extra columns as inline-string/number cells after the
  last used column, inside the sheet's Excel table when its header row is the table's;
* ``xl/styles.xml``, ``xl/workbook.xml``, its relationships and ``[Content_Types].xml``
  get the new formats, the Findings sheet (a feedback copy sent back has its Findings
  sheet replaced in place), its defined names and its content type.

Anything this engine cannot rewrite with certainty raises :class:`Unsupported`
(:class:`Damaged` for a part that does not parse) and the caller refuses the file in one
line: strict OOXML, rows out of order, duplicate zip members, text Excel would refuse.
Text written here follows :func:`addin.office.safeio.set_cell`: it is always a string
cell (never ``<f>``), and text starting with = + - @ tab or CR gets the quote prefix.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from addin.core.cells import a1, parse_a1
from addin.core.findings import Finding, Severity, sort_key
from addin.office import determinism
from addin.office.safeio import needs_text_guard
from addin.office.xlsx import macrofree

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_WORKSHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
REL_COMMENTS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
REL_VML = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
_Q = "{%s}" % NS

# CT_Worksheet's child order (ECMA-376 Part 1, 18.3.1.99): new children go in their place.
_SHEET_ORDER = [_Q + n for n in (
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
    "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState",
    "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting",
    "dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter",
    "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags",
    "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects",
    "controls", "webPublishItems", "tableParts", "extLst")]
# CT_Workbook's child order (18.2.27), for a new <definedNames>.
_WORKBOOK_ORDER = [_Q + n for n in (
    "fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets",
    "functionGroups", "externalReferences", "definedNames", "calcPr", "oleSize",
    "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing",
    "fileRecoveryPr", "webPublishObjects", "extLst")]
# CT_Xf's children: alignment before protection.
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")
"""Characters XML 1.0 cannot hold (openpyxl refuses them in a cell the same way)."""
_LONG_TEXT = re.compile(rb">[^<]{32768,}<")
"""A text run longer than Excel allows in a cell: such a workbook is refused."""
_TAB_SELECTED = re.compile(rb'(<(?:[A-Za-z_][\w.-]*:)?sheetView\b[^>]*?)\s+tabSelected="(?:1|true)"')
_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]+)$")
_MAX_CELL_CHARS = 32_767

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          huge_tree=False, remove_comments=False)


class Unsupported(Exception):
    """The workbook holds something this writer does not rewrite with certainty (strict
    OOXML, cells without references, text Excel cannot hold...): the caller refuses the
    file in one line rather than write a copy Excel would have to repair."""


class Damaged(Unsupported):
    """A part of the workbook does not parse (its ``__cause__`` says why)."""


def _parse(data: bytes, what: str) -> etree._Element:
    try:
        return etree.fromstring(data, _PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise Damaged(f"{what} does not parse: {exc}") from exc


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _col_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


@lru_cache(maxsize=65536)
def _split_ref(ref: str) -> tuple[int, int]:
    """``"C12"`` -> (12, 3); memoised (the same few thousand references recur)."""
    m = _CELL_REF.match(ref)
    if not m:
        raise Unsupported(f"cell reference {ref!r}")
    return int(m.group(2)), _col_number(m.group(1))


def _check_text(text: str) -> str:
    if _ILLEGAL.search(text) or len(text) > _MAX_CELL_CHARS:
        raise Unsupported("text Excel cannot hold")
    return text


def _insert_ordered(parent: etree._Element, child: etree._Element, order: list[str]) -> None:
    """Put ``child`` before the first existing sibling that comes after it in ``order``."""
    rank = order.index(child.tag)
    for i, sib in enumerate(parent):
        tag = sib.tag if isinstance(sib.tag, str) else ""
        if tag in order and order.index(tag) > rank:
            parent.insert(i, child)
            return
    parent.append(child)


# ------------------------------------------------------------------ package


class Package:
    """The input zip: members read on demand, changes collected, written once."""

    def __init__(self, data: bytes, parts: Mapping[str, bytes] | None = None) -> None:
        self.zf = zipfile.ZipFile(io.BytesIO(data))
        self.infos = self.zf.infolist()
        names = [i.filename for i in self.infos]
        if len(set(names)) != len(names):
            raise Unsupported("duplicate zip members")
        self.names = set(names)
        self.lower = {n.lower() for n in names}
        self.known = dict(parts or {})
        self.changed: dict[str, bytes] = {}
        self.added: list[tuple[str, bytes]] = []
        self.removed: set[str] = set()

    def read(self, name: str) -> bytes:
        if name in self.changed:
            return self.changed[name]
        if name not in self.known:
            if name not in self.names:
                raise Unsupported(f"missing part {name}")
            self.known[name] = self.zf.read(name)
        return self.known[name]

    def has(self, name: str) -> bool:
        if name in self.removed:
            return False
        return name in self.names or any(n == name for n, _ in self.added)

    def remove(self, name: str) -> None:
        """Leave ``name`` out of the new package."""
        self.removed.add(name)

    def put(self, name: str, body: bytes) -> None:
        if name in self.names:
            self.changed[name] = body
        else:
            self.added = [(n, b) for n, b in self.added if n != name] + [(name, body)]
            self.lower.add(name.lower())

    def free_name(self, pattern: str) -> str:
        n = 1
        while (pattern % n).lower() in self.lower:
            n += 1
        name = pattern % n
        self.lower.add(name.lower())
        return name

    def write(self, when: dt.datetime | None = None, *, macro_enabled: bool | None = None) -> bytes:
        """The new package. With ``when``, every clock inside is set to it exactly as
        :func:`addin.office.determinism.normalise_xlsx_bytes` sets it (zip dates and
        ``docProps/core.xml``), so the bytes need no second pass; without it the zip
        dates are 1980-01-01 and core.xml is the input's. No macro is ever written: no VBA
        project, no macro or dialog sheet, no auto-run name (the one rule,
        :func:`addin.office.xlsx.macrofree.macro_free_changes`, applied to the package as it now
        stands, Findings sheet included), and the workbook's content type is set for an
        .xlsm (``macro_enabled=True``) or .xlsx (``False``) copy, None leaving the input's."""
        added = dict(self.added)
        drop, fixed = macrofree.macro_free_changes(
            [*(i.filename for i in self.infos), *added],
            lambda name: added[name] if name in added else self.read(name),
            macro_enabled=macro_enabled)
        for name, body in fixed.items():
            self.put(name, body)

        stamp_at = (1980, 1, 1, 0, 0, 0)
        stamp = None
        if when is not None:
            when = max(when.replace(microsecond=0, tzinfo=None), determinism._ZIP_EPOCH)
            stamp_at = when.timetuple()[:6]
            stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
            members: list[tuple[str, bytes | None]] = [
                (i.filename, self.changed.get(i.filename)) for i in self.infos]
            for name, changed in [*members, *self.added]:
                if name in drop or name in self.removed:
                    continue
                body = changed if changed is not None else self.read(name)
                if stamp is not None and name == determinism.CORE:
                    body = determinism._STAMP.sub(lambda m: m.group(1) + stamp + m.group(3), body)
                dst.writestr(_zipinfo(name, stamp_at), body, compresslevel=6)
        return out.getvalue()


def _zipinfo(name: str, date_time: tuple = (1980, 1, 1, 0, 0, 0)) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=date_time)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 0
    info.external_attr = 0o600 << 16
    return info


def _rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def _resolve(source_part: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def _relative(source_part: str, target_part: str) -> str:
    return posixpath.relpath(target_part, posixpath.dirname(source_part))


class Rels:
    """One relationships part, parsed (or new)."""

    def __init__(self, pkg: Package, part: str) -> None:
        self.pkg, self.part, self.name = pkg, part, _rels_name(part)
        if pkg.has(self.name):
            self.root = _parse(pkg.read(self.name), self.name)
        else:
            self.root = etree.Element("{%s}Relationships" % PKG_REL_NS, nsmap={None: PKG_REL_NS})
        self.dirty = False

    def items(self) -> list[etree._Element]:
        return [r for r in self.root if r.tag == "{%s}Relationship" % PKG_REL_NS]

    def target(self, rel: etree._Element) -> str | None:
        if rel.get("TargetMode") == "External":
            return None
        return _resolve(self.part, rel.get("Target", ""))

    def by_id(self, rid: str) -> etree._Element | None:
        return next((r for r in self.items() if r.get("Id") == rid), None)

    def add(self, rtype: str, target_part: str) -> str:
        ids = {r.get("Id") for r in self.items()}
        n = 1
        while f"rId{n}" in ids:
            n += 1
        rid = f"rId{n}"
        etree.SubElement(self.root, "{%s}Relationship" % PKG_REL_NS, Id=rid, Type=rtype,
                         Target=_relative(self.part, target_part))
        self.dirty = True
        return rid

    def save(self) -> None:
        if self.dirty:
            self.pkg.put(self.name, _xml(self.root))


# ------------------------------------------------------------------ styles


class Styles:
    """``xl/styles.xml``: cell formats cloned with a new fill, font, alignment, number
    format or quote prefix, each distinct combination added once."""

    def __init__(self, pkg: Package, part: str) -> None:
        self.pkg, self.part = pkg, part
        self.root = _parse(pkg.read(part), part)
        if self.root.tag != _Q + "styleSheet":
            raise Unsupported("styles part")
        self.fonts = self._section("fonts", "font")
        self.fills = self._section("fills", "fill")
        self.xfs = self._section("cellXfs", "xf")
        self._fills: dict[str, int] = {}
        self._fonts: dict[tuple, int] = {}
        self._numfmts: dict[str, int] = {}
        self._xfs: dict[tuple, int] = {}
        self.dirty = False

    def _section(self, name: str, child: str) -> etree._Element:
        sec = self.root.find(_Q + name)
        if sec is None or len(sec.findall(_Q + child)) == 0:
            raise Unsupported(f"styles without {name}")
        return sec

    @staticmethod
    def _add(section: etree._Element, el: etree._Element, child: str) -> int:
        section.append(el)
        n = len(section.findall(_Q + child))
        section.set("count", str(n))
        return n - 1

    def fill(self, rgb: str) -> int:
        if rgb not in self._fills:
            el = etree.Element(_Q + "fill")
            pat = etree.SubElement(el, _Q + "patternFill", patternType="solid")
            etree.SubElement(pat, _Q + "fgColor", rgb="00" + rgb)
            etree.SubElement(pat, _Q + "bgColor", rgb="00" + rgb)
            self._fills[rgb] = self._add(self.fills, el, "fill")
        return self._fills[rgb]

    def font(self, *, bold: bool = False, color: str | None = None,
             underline: bool = False) -> int:
        """A font with only these properties, as openpyxl's ``Font(bold=True)`` and
        ``Font(color=..., underline="single")`` write it."""
        key = (bold, color, underline)
        if key not in self._fonts:
            el = etree.Element(_Q + "font")
            if bold:
                etree.SubElement(el, _Q + "b", val="1")
            if underline:
                etree.SubElement(el, _Q + "u", val="single")
            if color:
                etree.SubElement(el, _Q + "color", rgb="00" + color)
            self._fonts[key] = self._add(self.fonts, el, "font")
        return self._fonts[key]

    def numfmt(self, code: str) -> int:
        if code not in self._numfmts:
            sec = self.root.find(_Q + "numFmts")
            found = None
            if sec is not None:
                for nf in sec.findall(_Q + "numFmt"):
                    if nf.get("formatCode") == code:
                        found = int(nf.get("numFmtId", "0"))
            if found is None:
                if sec is None:
                    sec = etree.Element(_Q + "numFmts", count="0")
                    self.root.insert(0, sec)
                ids = [int(nf.get("numFmtId", "0")) for nf in sec.findall(_Q + "numFmt")]
                found = max([163, *ids]) + 1
                self._add(sec, etree.Element(_Q + "numFmt", numFmtId=str(found), formatCode=code),
                          "numFmt")
            self._numfmts[code] = found
        return self._numfmts[code]

    def xf(self, base: int, *, fill: str | None = None, bold: bool = False,
           link: bool = False, wrap_top: bool = False, quote: bool = False,
           numfmt: str | None = None, top: bool = False, wrap: bool = False) -> int:
        """The index of cell format ``base`` changed as asked (added once): ``wrap_top``
        wraps and aligns to the top, ``top`` only aligns to the top, ``wrap`` only wraps."""
        if not (fill or bold or link or wrap_top or quote or numfmt or top or wrap):
            return base
        key = (base, fill, bold, link, wrap_top, quote, numfmt, top, wrap)
        if key in self._xfs:
            return self._xfs[key]
        xfs = self.xfs.findall(_Q + "xf")
        src = xfs[base] if 0 <= base < len(xfs) else xfs[0]
        el = etree.fromstring(etree.tostring(src))
        if fill:
            el.set("fillId", str(self.fill(fill)))
            el.set("applyFill", "1")
        if bold or link:
            el.set("fontId", str(self.font(bold=bold, color="0563C1" if link else None,
                                           underline=link)))
            el.set("applyFont", "1")
        if numfmt:
            el.set("numFmtId", str(self.numfmt(numfmt)))
            el.set("applyNumberFormat", "1")
        if wrap_top or top or wrap:
            al = el.find(_Q + "alignment")
            if al is None:
                al = etree.Element(_Q + "alignment")
                el.insert(0, al)
            if wrap_top or wrap:
                al.set("wrapText", "1")
            if wrap_top or top:
                al.set("vertical", "top")
            el.set("applyAlignment", "1")
        if quote:
            el.set("quotePrefix", "1")
        idx = self._add(self.xfs, el, "xf")
        self._xfs[key] = idx
        self.dirty = True
        return idx

    def save(self) -> None:
        if self.dirty or self._fills or self._fonts:
            self.pkg.put(self.part, _xml(self.root))


# ------------------------------------------------------------------ cells


def _value_xml(value: Any, date1904: bool) -> tuple[str | None, str, str | None, bool]:
    """(t attribute, text of <v> (or the string), number format, quote prefix) for a value
    written like :func:`addin.office.safeio.set_cell` and stored like openpyxl stores it."""
    if isinstance(value, str):
        return "inlineStr", _check_text(value), None, needs_text_guard(value)
    if isinstance(value, bool):
        return "b", str(int(value)), None, False
    if isinstance(value, (int, Decimal)):
        if isinstance(value, Decimal) and not value.is_finite():
            raise Unsupported("non-finite number")
        return None, str(value), None, False
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise Unsupported("non-finite number")
        return None, repr(value), None, False
    if isinstance(value, dt.date):  # datetime is a date too
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH, to_excel

        serial = to_excel(value, CALENDAR_MAC_1904 if date1904 else WINDOWS_EPOCH)
        fmt = "yyyy-mm-dd h:mm:ss" if isinstance(value, dt.datetime) else "yyyy-mm-dd"
        return None, repr(serial) if isinstance(serial, float) else str(serial), fmt, False
    raise Unsupported(f"value of type {type(value).__name__}")


class SheetEdit:
    """One worksheet being annotated: cells found by reference, rows created in order."""

    def __init__(self, pkg: Package, part: str, styles: Styles, date1904: bool) -> None:
        self.pkg, self.part, self.styles, self.date1904 = pkg, part, styles, date1904
        raw = pkg.read(part)
        if _LONG_TEXT.search(raw):
            raise Unsupported(
                f"a cell holds more than the {_MAX_CELL_CHARS:,} characters Excel allows")
        self.root = _parse(raw, part)
        if self.root.tag != _Q + "worksheet":
            raise Unsupported("not a transitional worksheet")
        self.data = self.root.find(_Q + "sheetData")
        if self.data is None:
            self.data = etree.Element(_Q + "sheetData")
            _insert_ordered(self.root, self.data, _SHEET_ORDER)
        self.rows: dict[int, etree._Element] = {}
        self.cells: dict[tuple[int, int], etree._Element] = {}
        self.row_cols: dict[int, list[int]] = {}
        """Each row's cell columns, in document order (kept sorted as cells are added)."""
        last_row = 0
        for row in self.data.iterchildren(_Q + "row"):
            r = row.get("r")
            if r is None:  # optional in OOXML: the row after the previous one
                r = str(last_row + 1)
                row.set("r", r)
            if not r.isdigit() or int(r) in self.rows:
                raise Unsupported("row without a number")
            n = last_row = int(r)
            self.rows[n] = row
            cols = self.row_cols[n] = []
            for c in row.iterchildren(_Q + "c"):
                ref = c.get("r")
                if ref is None:  # optional too: the cell after the previous one
                    ref = a1(n, (cols[-1] if cols else 0) + 1)
                    c.set("r", ref)
                rr, cc = _split_ref(ref)
                if rr != n or (cols and cc <= cols[-1]):
                    raise Unsupported("cell outside its row or out of order")
                cols.append(cc)
                self.cells[(rr, cc)] = c
        if self.row_numbers_unsorted():
            raise Unsupported("rows out of order")
        self.row_numbers = sorted(self.rows)
        self.max_row = max(self.row_numbers, default=0)
        self.max_col = max((c for _, c in self.cells), default=0)
        self._shared: list[bool] | None = None

    def row_numbers_unsorted(self) -> bool:
        order = list(self.rows)
        return order != sorted(order)

    # -- reading
    def _shared_nonempty(self) -> list[bool]:
        if self._shared is None:
            wb_rels = Rels(self.pkg, "xl/workbook.xml")
            part = next((wb_rels.target(r) for r in wb_rels.items()
                         if r.get("Type", "").endswith("/sharedStrings")), None)
            self._shared = []
            if part and self.pkg.has(part):
                raw = self.pkg.read(part)
                if _LONG_TEXT.search(raw):
                    raise Unsupported(
                f"a cell holds more than the {_MAX_CELL_CHARS:,} characters Excel allows")
                root = _parse(raw, part)
                for si in root.iterchildren(_Q + "si"):
                    texts = [t.text or "" for t in si.iter(_Q + "t")
                             if t.getparent().tag != _Q + "rPh"]
                    self._shared.append(any(texts))
        return self._shared

    def has_value(self, c: etree._Element) -> bool:
        """Whether openpyxl would read a value other than None or "" from this cell."""
        if c.find(_Q + "f") is not None:
            return True
        t = c.get("t", "n")
        if t == "inlineStr":
            is_ = c.find(_Q + "is")
            return is_ is not None and any(
                (x.text or "") for x in is_.iter(_Q + "t") if x.getparent().tag != _Q + "rPh")
        v = c.find(_Q + "v")
        if v is None or v.text is None:
            return False
        if t == "s":
            shared = self._shared_nonempty()
            try:
                return shared[int(v.text)]
            except (ValueError, IndexError):
                raise Unsupported("shared string index") from None
        return v.text != ""

    def last_used_column(self) -> int:
        """Like :func:`addin.office.xlsx.feedback.last_used_column`: styles alone do not count."""
        by_row: dict[int, list[int]] = {}
        for (r, c) in self.cells:
            by_row.setdefault(r, []).append(c)
        last = 0
        for r, cols in by_row.items():
            for c in sorted(cols, reverse=True):
                if c <= last:
                    break
                if self.has_value(self.cells[(r, c)]):
                    last = c
                    break
        return last

    # -- writing
    def cell(self, row: int, col: int) -> etree._Element:
        """The cell element at (row, col), created (empty, format 0) when absent."""
        found = self.cells.get((row, col))
        if found is not None:
            return found
        row_el = self.rows.get(row)
        if row_el is None:
            row_el = etree.Element(_Q + "row", r=str(row))
            i = bisect_left(self.row_numbers, row)
            if i < len(self.row_numbers):
                self.rows[self.row_numbers[i]].addprevious(row_el)
            else:
                self.data.append(row_el)
            self.row_numbers.insert(i, row)
            self.rows[row] = row_el
        row_el.attrib.pop("spans", None)  # an optional hint the new cell may fall outside
        c = etree.Element(_Q + "c", r=a1(row, col))
        cols = self.row_cols.setdefault(row, [])
        i = bisect_left(cols, col)
        if i < len(cols):
            self.cells[(row, cols[i])].addprevious(c)
        else:
            ext = row_el.find(_Q + "extLst")  # cells come before a row's extLst
            if ext is not None:
                ext.addprevious(c)
            else:
                row_el.append(c)
        cols.insert(i, col)
        self.cells[(row, col)] = c
        self.max_row = max(self.max_row, row)
        self.max_col = max(self.max_col, col)
        return c

    def set_value(self, row: int, col: int, value: Any, *, bold: bool = False,
                  numfmt: str | None = None, wrap: bool = False) -> None:
        """Write a value like :func:`addin.office.safeio.set_cell` (text is never a formula);
        ``numfmt`` replaces the number format openpyxl would give it; ``wrap`` wraps the
        text (keeping the cell's vertical alignment, so it lines up with its row)."""
        c = self.cell(row, col)
        for child in list(c):
            if child.tag in (_Q + "f", _Q + "v", _Q + "is"):
                c.remove(child)
        c.attrib.pop("t", None)
        c.attrib.pop("cm", None)
        c.attrib.pop("vm", None)
        quote, fmt = False, None
        if value is not None and value != "":
            t, inner, fmt, quote = _value_xml(value, self.date1904)
            fmt = numfmt or fmt
            if t:
                c.set("t", t)
            if t == "inlineStr":
                el = etree.SubElement(etree.SubElement(c, _Q + "is"), _Q + "t")
                if value != value.strip() or "\n" in value:
                    el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                el.text = value
            else:
                etree.SubElement(c, _Q + "v").text = inner
        base = int(c.get("s", "0"))
        s = self.styles.xf(base, bold=bold, quote=quote, numfmt=fmt, wrap=wrap)
        if s:
            c.set("s", str(s))

    def fit_row(self, row: int, height: float) -> None:
        """Make row ``row`` at least ``height`` points tall (a manager's taller row stays)."""
        el = self.rows.get(row)
        if el is None:
            return
        try:
            current = float(el.get("ht", "0")) if el.get("customHeight") in ("1", "true") else 0.0
        except ValueError:
            current = 0.0
        if height > current:
            el.set("ht", _points(height))
            el.set("customHeight", "1")

    def extend_tables(self, header_row: int, added: Sequence[tuple[int, str]]) -> None:
        """Bring the columns just added (column number, header) into the sheet's Excel
        table whose header row is ``header_row`` and which ends just before them (or
        already spans them: a feedback copy sent back): its range, autofilter and column
        list grow, so the added columns filter and sort with the manager's. A table whose
        column names would clash is left as it is."""
        if not added:
            return
        rels = Rels(self.pkg, self.part)
        for tp in self.root.iterfind(f"{_Q}tableParts/{_Q}tablePart"):
            rel = rels.by_id(tp.get("{%s}id" % R_NS, ""))
            part = rels.target(rel) if rel is not None else None
            if part is None or not self.pkg.has(part):
                continue
            root = _parse(self.pkg.read(part), part)
            body = _extended_table(root, header_row, added)
            if body is not None:
                self.pkg.put(part, body)
                return

    def fill(self, row: int, col: int, rgb: str) -> None:
        c = self.cell(row, col)
        c.set("s", str(self.styles.xf(int(c.get("s", "0")), fill=rgb)))

    def set_width(self, col: int, width: float) -> None:
        """Column ``col`` gets ``width``; a ``<col>`` range holding it is split around it."""
        cols = self.root.find(_Q + "cols")
        if cols is None:
            cols = etree.Element(_Q + "cols")
            _insert_ordered(self.root, cols, _SHEET_ORDER)
        w = repr(float(width)) if not float(width).is_integer() else str(int(width))
        for el in list(cols.iterchildren(_Q + "col")):
            lo, hi = int(el.get("min", "0")), int(el.get("max", "0"))
            if lo <= col <= hi:
                pieces = []
                for a, b in ((lo, col - 1), (col, col), (col + 1, hi)):
                    if a > b:
                        continue
                    piece = etree.fromstring(etree.tostring(el))
                    piece.set("min", str(a))
                    piece.set("max", str(b))
                    if a == col:
                        piece.set("width", w)
                        piece.set("customWidth", "1")
                    pieces.append(piece)
                for piece in pieces:
                    el.addprevious(piece)
                cols.remove(el)
                return
        new = etree.Element(_Q + "col", min=str(col), max=str(col), width=w, customWidth="1")
        for el in cols.iterchildren(_Q + "col"):
            if int(el.get("min", "0")) > col:
                el.addprevious(new)
                return
        cols.append(new)

    def save(self, extra_xml: bytes | None = None) -> None:
        dim = self.root.find(_Q + "dimension")
        if dim is not None and self.max_row and self.max_col:
            ref = dim.get("ref", "A1").split(":")
            try:
                r0, c0 = _split_ref(ref[0].replace("$", ""))
                r1, c1 = _split_ref(ref[-1].replace("$", ""))
            except Unsupported:
                r0, c0, r1, c1 = 1, 1, 1, 1
            r1, c1 = max(r1, self.max_row), max(c1, self.max_col)
            dim.set("ref", f"{a1(min(r0, r1), min(c0, c1))}:{a1(r1, c1)}")
        body = _xml(self.root)
        self.pkg.put(self.part, _TAB_SELECTED.sub(rb"\1", body))


def _points(height: float) -> str:
    return str(int(height)) if float(height).is_integer() else repr(float(height))


def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` characters wide
    (each paragraph at least one line; a little generous, so text never overprints)."""
    per_line = max(1, int(width) - 1)
    return sum(max(1, -(-len(line) // per_line)) for line in str(text).split("\n"))


LINE_HEIGHT = 15
"""Points per line of 11-point text (Excel's default row height)."""


def _extended_table(root: etree._Element, header_row: int,
                    added: Sequence[tuple[int, str]]) -> bytes | None:
    """The table part ``root`` grown over the ``added`` columns, or None when it is not
    the table they belong to (see :meth:`SheetEdit.extend_tables`)."""
    if root.tag != _Q + "table" or root.get("headerRowCount", "1") == "0":
        return None
    try:
        first, last = (_split_ref(r.replace("$", "")) for r in root.get("ref", "").split(":"))
    except (Unsupported, ValueError):
        return None
    (r0, c0), (r1, c1) = first, last
    cols_el = root.find(_Q + "tableColumns")
    if r0 != header_row or cols_el is None:
        return None
    columns = list(cols_el.iterchildren(_Q + "tableColumn"))
    if len(columns) != c1 - c0 + 1 or added[0][0] > c1 + 1 or added[0][0] < c0:
        return None
    names = [(c.get("name") or "").casefold() for c in columns]
    end = c1
    for col, header in added:
        i = col - c0
        clash = header.casefold() in names and names.index(header.casefold()) != i
        if clash or col > end + 1:
            return None
        if i < len(columns):
            names[i] = header.casefold()
        else:
            names.append(header.casefold())
            end = col
    next_id = max((int(c.get("id", "0")) for c in columns if (c.get("id") or "").isdigit()),
                  default=0) + 1
    for col, header in added:
        i = col - c0
        if i < len(columns):
            columns[i].set("name", header)
        else:
            etree.SubElement(cols_el, _Q + "tableColumn", id=str(next_id), name=header)
            next_id += 1
    cols_el.set("count", str(end - c0 + 1))
    root.set("ref", f"{a1(r0, c0)}:{a1(r1, end)}")
    af = root.find(_Q + "autoFilter")
    if af is not None:
        try:
            af_last = _split_ref(af.get("ref", "").split(":")[-1].replace("$", ""))[0]
        except Unsupported:
            af_last = r1
        af.set("ref", f"{a1(r0, c0)}:{a1(af_last, end)}")
    return _xml(root)


# ------------------------------------------------------------------ comments


def _vml(comments: Sequence[tuple[str, int, int]], block: int) -> bytes:
    """A VML drawing with one hidden note shape per comment (ref, width px, height px)."""
    shapes = []
    for i, (ref, width, height) in enumerate(comments, start=1):
        row, col = _split_ref(ref)
        shapes.append(
            f'<v:shape id="_x0000_s{block * 1024 + i}" type="#_x0000_t202" '
            f'style="position:absolute;margin-left:59.25pt;margin-top:1.5pt;width:{width}px;'
            f'height:{height}px;z-index:{i};visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">'
            '<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/>'
            '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto">'
            '<div style="text-align:left"></div></v:textbox>'
            '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            f"<x:AutoFill>False</x:AutoFill><x:Row>{row - 1}</x:Row><x:Column>{col - 1}</x:Column>"
            "</x:ClientData></v:shape>")
    return (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel">'
        f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{block}"/></o:shapelayout>'
        '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
        '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
        + "".join(shapes) + "</xml>").encode("utf-8")


def _comment_plain_text(comment: etree._Element) -> str:
    text = comment.find(_Q + "text")
    if text is None:
        return ""
    parts = [t.text or "" for t in text.iter(_Q + "t") if t.getparent().tag != _Q + "rPh"]
    return "".join(parts)


def add_comments(pkg: Package, sheet: SheetEdit, notes: Mapping[str, tuple[str, int, int]],
                 author: str, counter: list[int]) -> None:
    """Put ``notes`` (ref -> (text, width, height)) on the sheet as comments by
    ``author``. A comment already on a cell by someone else keeps its text first."""
    rels = Rels(pkg, sheet.part)
    comments_rel = next((r for r in rels.items() if r.get("Type") == REL_COMMENTS), None)
    legacy = sheet.root.find(_Q + "legacyDrawing")
    vml_part = None
    if legacy is not None:
        # The sheet's VML drawing is rewritten with one note shape per comment. A form
        # control in it (a legacy button runs a macro, and the copy carries none) is not
        # kept - as the openpyxl round trip this engine replaced never kept one.
        rel = rels.by_id(legacy.get("{%s}id" % R_NS, ""))
        vml_part = rels.target(rel) if rel is not None else None
        if rel is None or vml_part is None or rel.get("Type") != REL_VML:
            sheet.root.remove(legacy)  # a reference to nothing: ours replaces it
            vml_part = None
        for el in list(sheet.root):  # the sheet's list of those controls goes with them
            if isinstance(el.tag, str) and (el.tag == _Q + "controls" or (
                    el.tag.endswith("}AlternateContent") and el.find(".//" + _Q + "controls") is not None)):
                sheet.root.remove(el)

    part = rels.target(comments_rel) if comments_rel is not None else None
    if part is not None and pkg.has(part):
        root = _parse(pkg.read(part), part)
        if root.tag != _Q + "comments":
            raise Unsupported("comments part")
    else:
        if comments_rel is not None:
            rels.root.remove(comments_rel)  # a comments relationship to no part
            comments_rel = None
            rels.dirty = True
        part = pkg.free_name("xl/comments%d.xml")
        root = etree.fromstring(f'<comments xmlns="{NS}"><authors/><commentList/></comments>')
    authors_el = root.find(_Q + "authors")
    clist = root.find(_Q + "commentList")
    if authors_el is None or clist is None:
        raise Unsupported("comments part")
    authors = [a.text or "" for a in authors_el.iterchildren(_Q + "author")]
    if author not in authors:
        etree.SubElement(authors_el, _Q + "author").text = author
        authors.append(author)
    aid = str(authors.index(author))
    existing = {c.get("ref"): c for c in clist.iterchildren(_Q + "comment")}
    sizes: dict[str, tuple[int, int]] = {}
    for ref, (text, width, height) in notes.items():
        old = existing.get(ref)
        if old is not None:
            try:
                old_author = authors[int(old.get("authorId", "0"))]
            except (ValueError, IndexError):
                old_author = ""
            old_text = _comment_plain_text(old)
            if old_text and old_author != author:
                text = f"{old_text}\n\n{text}"
            clist.remove(old)
        _check_text(text)
        lines = sum(1 + len(line) // 50 for line in text.split("\n"))
        height = min(600, max(80, 16 * lines))
        el = etree.SubElement(clist, _Q + "comment", ref=ref, authorId=aid, shapeId="0")
        t = etree.SubElement(etree.SubElement(el, _Q + "text"), _Q + "t")
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        existing[ref] = el
        sizes[ref] = (width, height)
    ordered = sorted(clist.iterchildren(_Q + "comment"), key=lambda c: _split_ref(c.get("ref", "A1")))
    for c in ordered:
        clist.append(c)  # re-appending moves it: the list ends up in cell order
    pkg.put(part, _xml(root))
    counter[0] += 1
    shapes = [(c.get("ref"), *sizes.get(c.get("ref"), (144, 79))) for c in ordered]
    if comments_rel is None:
        rels.add(REL_COMMENTS, part)
        ContentTypes.of(pkg).override("/" + part, CT_COMMENTS)
    if vml_part is None:
        vml_part = pkg.free_name("xl/drawings/commentsDrawing%d.vml")
        rid = rels.add(REL_VML, vml_part)
        legacy = etree.Element(_Q + "legacyDrawing", nsmap={"r": R_NS})
        legacy.set("{%s}id" % R_NS, rid)
        _insert_ordered(sheet.root, legacy, _SHEET_ORDER)
    pkg.put(vml_part, _vml(shapes, counter[0]))
    ContentTypes.of(pkg).default("vml", CT_VML)
    rels.save()


# ------------------------------------------------------------------ content types, workbook


class ContentTypes:
    NAME = "[Content_Types].xml"

    def __init__(self, pkg: Package) -> None:
        self.pkg = pkg
        self.root = _parse(pkg.read(self.NAME), self.NAME)

    @classmethod
    def of(cls, pkg: Package) -> ContentTypes:
        ct = getattr(pkg, "_ct", None)
        if ct is None:
            ct = cls(pkg)
            pkg._ct = ct  # type: ignore[attr-defined]
        return ct

    def override(self, part_name: str, ctype: str) -> None:
        for o in self.root.iterchildren("{%s}Override" % CT_NS):
            if o.get("PartName", "").lower() == part_name.lower():
                o.set("ContentType", ctype)
                return
        etree.SubElement(self.root, "{%s}Override" % CT_NS, PartName=part_name, ContentType=ctype)

    def default(self, ext: str, ctype: str) -> None:
        for d in self.root.iterchildren("{%s}Default" % CT_NS):
            if d.get("Extension", "").lower() == ext:
                return
        el = etree.Element("{%s}Default" % CT_NS, Extension=ext, ContentType=ctype)
        self.root.insert(0, el)

    def save(self) -> None:
        self.pkg.put(self.NAME, _xml(self.root))


class Workbook:
    """``xl/workbook.xml`` with its relationships: sheet names to their parts."""

    PART = "xl/workbook.xml"

    def __init__(self, pkg: Package) -> None:
        self.pkg = pkg
        self.root = _parse(pkg.read(self.PART), self.PART)
        if self.root.tag != _Q + "workbook":
            raise Unsupported("not a transitional workbook")
        self.rels = Rels(pkg, self.PART)
        self.sheets_el = self.root.find(_Q + "sheets")
        if self.sheets_el is None:
            raise Unsupported("workbook without sheets")
        pr = self.root.find(_Q + "workbookPr")
        self.date1904 = pr is not None and pr.get("date1904") in ("1", "true")
        self.names: list[str] = []
        self.parts: dict[str, str | None] = {}
        self.sheet_parts: list[str] = []
        for s in self.sheets_el.iterchildren(_Q + "sheet"):
            name = s.get("name", "")
            rel = self.rels.by_id(s.get("{%s}id" % R_NS, ""))
            part = self.rels.target(rel) if rel is not None else None
            self.names.append(name)
            if part and pkg.has(part):
                self.sheet_parts.append(part)
            self.parts[name] = part if (rel is not None and rel.get("Type") == REL_WORKSHEET
                                        and part and pkg.has(part)) else None
        styles = next((self.rels.target(r) for r in self.rels.items()
                       if r.get("Type", "").endswith("/styles")), None)
        if not styles or not pkg.has(styles):
            raise Unsupported("workbook without styles")
        self.styles_part = styles

    def find(self, title: str) -> int | None:
        """The index of the sheet called ``title`` (case-insensitively, as Excel compares
        sheet names), or None."""
        return next((i for i, n in enumerate(self.names) if n.casefold() == title.casefold()),
                    None)

    def add_sheet(self, title: str, part: str, *, activate: bool, filter_ref: str,
                  replace: int | None = None) -> None:
        """Add the worksheet ``part`` as sheet ``title`` (last), or - ``replace`` - put it
        in the place of that sheet (index), whose part, relationships and print titles /
        filter names go: a re-run on a feedback copy replaces its Findings sheet."""
        names = self.root.find(_Q + "definedNames")
        if names is None:
            names = etree.Element(_Q + "definedNames")
            _insert_ordered(self.root, names, _WORKBOOK_ORDER)
        if replace is not None:
            # the new list takes the old one's part (the caller writes it there), keeping
            # its relationship and content type; the old part's own relationships go
            index = replace
            el = list(self.sheets_el.iterchildren(_Q + "sheet"))[index]
            self.pkg.remove(_rels_name(part))
            for d in list(names.iterchildren(_Q + "definedName")):
                if d.get("localSheetId") == str(index) and d.get("name") in (
                        "_xlnm._FilterDatabase", "_xlnm.Print_Titles"):
                    names.remove(d)
            el.set("name", title)
            self.names[index] = title
            rid = None
        else:
            ids = [int(s.get("sheetId", "0")) for s in self.sheets_el.iterchildren(_Q + "sheet")
                   if (s.get("sheetId") or "").isdigit()]
            el = etree.SubElement(self.sheets_el, _Q + "sheet", name=title,
                                  sheetId=str(max(ids, default=0) + 1), nsmap={"r": R_NS})
            index = len(self.names)
            self.names.append(title)
            rid = self.rels.add(REL_WORKSHEET, part)
            el.set("{%s}id" % R_NS, rid)
        quoted = "'" + title.replace("'", "''") + "'"
        etree.SubElement(names, _Q + "definedName", name="_xlnm._FilterDatabase",
                         localSheetId=str(index), hidden="1").text = f"{quoted}!{filter_ref}"
        etree.SubElement(names, _Q + "definedName", name="_xlnm.Print_Titles",
                         localSheetId=str(index)).text = f"{quoted}!$1:$1"
        if activate:
            views = self.root.find(_Q + "bookViews")
            if views is None:
                views = etree.Element(_Q + "bookViews")
                _insert_ordered(self.root, views, _WORKBOOK_ORDER)
            view = views.find(_Q + "workbookView")
            if view is None:
                view = etree.SubElement(views, _Q + "workbookView")
            view.set("activeTab", str(index))
            first = view.get("firstSheet")
            if first is not None and first.isdigit() and int(first) > index:
                view.set("firstSheet", str(index))
        self.rels.dirty = True

    def save(self) -> None:
        self.pkg.put(self.PART, _xml(self.root))
        self.rels.save()


def deselect_tabs(pkg: Package, parts: Sequence[str]) -> None:
    """openpyxl's ``tabSelected = False`` on every other sheet, from the bytes."""
    for part in parts:
        raw = pkg.read(part)
        if b"tabSelected" in raw:
            new = _TAB_SELECTED.sub(rb"\1", raw)
            if new != raw:
                pkg.put(part, new)


# ------------------------------------------------------------------ the Findings sheet


def findings_sheet_xml(rows: Sequence[Finding], sheetnames: Sequence[str], styles: Styles, *,
                       title: str, headers: Sequence[str], widths: Sequence[float],
                       fills: Mapping[Severity, str], link_cell, cell_label, link,
                       active: bool,
                       legend: Sequence[tuple[str | None, str, str]] = (),
                       legend_widths: Sequence[float] = (12, 45)) -> bytes:
    """The Findings worksheet part, written directly: ``link_cell`` and ``cell_label``
    are addin.office.xlsx.feedback's (a whole-sheet finding links to its A1). Each row is
    as tall as its wrapped message (:func:`wrapped_lines` in the Message column's width).
    ``legend``: (fill or None, label, text) rows in the two columns after a blank one
    to the right of the list, under a bold "Legend" - what the fills mean."""
    head = styles.xf(0, fill="D9D9D9", bold=True)
    # every cell of a finding's row aligns to the top, beside its wrapped message
    sev_style = {sev: styles.xf(0, fill=rgb, top=True) for sev, rgb in fills.items()}
    plain = styles.xf(0, top=True)
    out: list[str] = []

    def cell(ref: str, value: str, style: int, *, wrap: bool = False, is_link: bool = False) -> str:
        if value == "":
            return f'<c r="{ref}"{_s(style)}/>'
        _check_text(value)
        if needs_text_guard(value):
            style = styles.xf(0, quote=True, wrap_top=wrap, link=is_link, top=True)
        space = ' xml:space="preserve"' if value != value.strip() or "\n" in value else ""
        return f'<c r="{ref}" t="inlineStr"{_s(style)}><is><t{space}>{escape(value)}</t></is></c>'

    wrap = styles.xf(0, wrap_top=True)
    link_style = styles.xf(0, link=True, top=True)
    first_legend = len(headers) + 2  # one blank column between the list and the legend
    legend_cells: dict[int, str] = {}
    if legend:
        legend_cells[1] = cell(a1(1, first_legend), "Legend", head)
        for j, (rgb, label, text) in enumerate(legend, start=2):
            legend_cells[j] = (cell(a1(j, first_legend), label,
                                    styles.xf(0, fill=rgb, top=True) if rgb else plain)
                               + cell(a1(j, first_legend + 1), text, wrap, wrap=True))
    out.append('<row r="1">' + "".join(
        cell(a1(1, i), h, head) for i, h in enumerate(headers, start=1))
        + legend_cells.pop(1, "") + "</row>")
    links: list[str] = []
    message_width = widths[len(headers) - 1]
    for i, f in enumerate(rows, start=2):
        ref = link_cell(f)
        linked = bool(f.sheet and ref and f.sheet in sheetnames and f.sheet != title)
        lines = wrapped_lines(f.message, message_width)
        if 2 <= i < len(legend) + 2:  # the legend's text wraps in its row too
            lines = max(lines, wrapped_lines(legend[i - 2][2], legend_widths[1]))
        height = _points(LINE_HEIGHT * lines)
        out.append(
            f'<row r="{i}" ht="{height}" customHeight="1">'
            + cell(f"A{i}", f.severity.value, sev_style[f.severity])
            + cell(f"B{i}", f.code, plain)
            + cell(f"C{i}", f.sheet or "", plain)
            + cell(f"D{i}", cell_label(f), link_style if linked else plain, is_link=linked)
            + cell(f"E{i}", f.message, wrap, wrap=True)
            + legend_cells.pop(i, "")
            + "</row>")
        if linked:
            links.append(f'<hyperlink ref="D{i}" location={quoteattr(link(f.sheet, ref))} '
                         f'tooltip={quoteattr(_check_text(f"Go to {f.sheet}!{ref}"))}/>')
    for j in sorted(legend_cells):
        height = _points(LINE_HEIGHT * wrapped_lines(legend[j - 2][2], legend_widths[1]))
        out.append(f'<row r="{j}" ht="{height}" customHeight="1">{legend_cells[j]}</row>')
    last = max(1, len(rows) + 1)
    last_col = a1(1, len(headers))[:-1]
    all_widths = {i: w for i, w in enumerate(widths, start=1)}
    if legend:
        all_widths.update({first_legend + k: w for k, w in enumerate(legend_widths)})
    cols = "".join(f'<col min="{i}" max="{i}" width="{_points(w)}" customWidth="1"/>'
                   for i, w in sorted(all_widths.items()))
    last_ref = a1(max(last, len(legend) + 1), first_legend + 1 if legend else len(headers))
    selected = ' tabSelected="1"' if active else ""
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{NS}" xmlns:r="{R_NS}">'
        '<sheetPr><outlinePr summaryBelow="1" summaryRight="1"/><pageSetUpPr fitToPage="1"/></sheetPr>'
        f'<dimension ref="A1:{last_ref}"/>'
        f'<sheetViews><sheetView{selected} workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        '<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>'
        f"<cols>{cols}</cols>"
        f"<sheetData>{''.join(out)}</sheetData>"
        f'<autoFilter ref="A1:{last_col}{last}"/>'
        + (f"<hyperlinks>{''.join(links)}</hyperlinks>" if links else "")
        + '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
        '<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
        "</worksheet>")
    return xml.encode("utf-8")


def _s(style: int) -> str:
    return f' s="{style}"' if style else ""


# ------------------------------------------------------------------ the whole copy


def annotated_copy(
    data: bytes,
    findings: Sequence[Finding],
    *,
    extra_columns: Mapping[str, Sequence[tuple[str, Mapping[int, Any]]]] | None,
    header_row: int | Mapping[str, int],
    parts: Mapping[str, bytes] | None = None,
    author: str,
    title: str,
    headers: Sequence[str],
    widths: Sequence[float],
    fills: Mapping[Severity, str],
    target_cell,
    comment_text,
    worst,
    link,
    missing_sheet,
    link_cell=None,
    cell_label=None,
    number_format=None,
    when: dt.datetime | None = None,
    macro_enabled: bool | None = None,
    legend: Sequence[tuple[str | None, str, str]] = (),
) -> bytes:
    """The annotated copy of the workbook ``data`` (already checked by addin.office.xlsx.safe), as
    bytes, its content type for ``macro_enabled`` (:meth:`Package.write`); raises
    :class:`Unsupported` (:class:`Damaged`) for what it cannot rewrite with certainty."""
    pkg = Package(data, parts)
    link_cell = link_cell or target_cell
    cell_label = cell_label or (lambda f: f.cell or (target_cell(f) or ""))
    number_format = number_format or (lambda value: None)
    try:
        return _annotate(pkg, findings, extra_columns=extra_columns, header_row=header_row,
                         author=author, title=title, headers=headers, widths=widths,
                         fills=fills, target_cell=target_cell, link_cell=link_cell,
                         cell_label=cell_label, comment_text=comment_text,
                         worst=worst, link=link, missing_sheet=missing_sheet,
                         number_format=number_format, when=when,
                         macro_enabled=macro_enabled, legend=legend)
    finally:
        pkg.zf.close()


def _annotate(pkg: Package, findings: Sequence[Finding], *, extra_columns, header_row, author,
              title, headers, widths, fills, target_cell, link_cell, cell_label,
              comment_text, worst, link, missing_sheet, number_format, when,
              macro_enabled, legend=()) -> bytes:
    wb = Workbook(pkg)
    replace = wb.find(title)  # a feedback copy sent back: its Findings sheet is replaced
    if replace is not None:
        old = wb.names[replace]
        if wb.parts.get(old) is None:
            raise Unsupported(f"sheet {old!r} is not a worksheet")
        if extra_columns and old in extra_columns:
            raise missing_sheet(old)
    styles = Styles(pkg, wb.styles_part)
    edits: dict[str, SheetEdit] = {}

    def edit(sheet: str) -> SheetEdit:
        if sheet not in edits:
            part = wb.parts.get(sheet)
            if part is None:
                raise Unsupported(f"sheet {sheet!r} is not a worksheet part")
            edits[sheet] = SheetEdit(pkg, part, styles, wb.date1904)
        return edits[sheet]

    for sheet, columns in (extra_columns or {}).items():
        if sheet not in wb.names:
            raise missing_sheet(sheet)
        se = edit(sheet)
        hrow = header_row.get(sheet, 1) if isinstance(header_row, Mapping) else header_row
        col = se.last_used_column()
        added: list[tuple[int, str]] = []
        for spec in columns:
            header, values = spec[0], spec[1]
            style = spec[2] if len(spec) > 2 else None
            wrap = bool(style is not None and style.wrap)
            width = (style.width if style is not None and style.width
                     else max(12, min(40, len(str(header)) + 2)))
            col += 1
            se.set_value(hrow, col, header, bold=True)
            for row, value in values.items():
                se.set_value(row, col, value, numfmt=number_format(value), wrap=wrap)
                if wrap and isinstance(value, str) and value:
                    se.fit_row(row, LINE_HEIGHT * wrapped_lines(value, width))
            se.set_width(col, width)
            added.append((col, str(header)))
        se.extend_tables(hrow, added)

    by_cell: dict[tuple[str, str], list[Finding]] = {}
    for f in findings:
        ref = target_cell(f)
        if f.sheet is None or ref is None or f.sheet not in wb.names or (
                replace is not None and f.sheet == wb.names[replace]):
            continue  # (a cell of the old Findings list: that list is replaced)
        by_cell.setdefault((f.sheet, ref), []).append(f)
    notes: dict[str, dict[str, tuple[str, int, int]]] = {}
    for (sheet, ref), items in by_cell.items():
        se = edit(sheet)
        row, col = parse_a1(ref)
        se.fill(row, col, fills[worst(f.severity for f in items)])
        notes.setdefault(sheet, {})[ref] = (comment_text(items), 360, 80)
    counter = [0]
    for sheet, per_cell in notes.items():
        add_comments(pkg, edits[sheet], per_cell, author, counter)

    rows = sorted(findings, key=sort_key)
    sheetnames = [n for n in wb.names if replace is None or n != wb.names[replace]] + [title]
    old_part = wb.parts[wb.names[replace]] if replace is not None else None
    part = old_part or pkg.free_name("xl/worksheets/sheet%d.xml")
    body = findings_sheet_xml(rows, sheetnames, styles, title=title, headers=headers,
                              widths=widths, fills=fills, link_cell=link_cell,
                              cell_label=cell_label, link=link,
                              active=True, legend=legend)
    last = max(1, len(rows) + 1)
    last_col = a1(1, len(headers))[:-1]
    for se in edits.values():
        se.save()
    deselect_tabs(pkg, [p for p in wb.sheet_parts
                        if p not in {se.part for se in edits.values()} and p != part])
    wb.add_sheet(title, part, activate=True, filter_ref=f"$A$1:${last_col}${last}",
                 replace=replace)
    pkg.put(part, body)
    ContentTypes.of(pkg).override("/" + part, CT_WORKSHEET)
    styles.save()
    wb.save()
    ContentTypes.of(pkg).save()
    return pkg.write(when, macro_enabled=macro_enabled)
