"""The caches behind fast estimates validation (issue 9) give the answers the uncached
code gives: memoised cell outcomes in the reader, role look-ups remembered per context,
the Experience-text parse memoised by text, and the worksheet XML handed back by the
safety checks. Speed itself is measured by scripts/benchmark, never here."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from addin.core import timeatlevel
from addin.core.errors import InputError
from addin.core.estimates_table import HEADERS, EstimatesRead
from addin.core.model import (
    Criterion,
    CriterionText,
    EstimateRow,
    Framework,
    Level,
    Role,
)
from addin.office.xlsx import estimates
from addin.office.xlsx.estimates import parse_grid, read_estimates, uncached_formula_cells
from addin.office.xlsx.safe import KEPT_WORKBOOK_PARTS, read_ooxml_bytes
from addin.rules.estimates_checks import EstimatesContext

FIELDS = list(HEADERS)
HEADER_ROW = list(HEADERS.values())

# texts managers type, good and bad, for each column; several texts appear under more
# than one column so a memo shared between parsers would give a wrong answer
VOCAB = {
    "employee_id": ["100234", " 100235 ", "#N/A", "", "E1"],
    "employee_name": ["Zoë Ó Briain", "  ", "Ben Jones", "1"],
    "directorate": ["Finance", "#REF!", ""],
    "team": ["Revenues", "Finance"],
    "job_title": ["Business Support Officer", "Personal Assistant", "Yes"],
    "framework": ["Business and Executive Support", "CPF X"],
    "range": ["3", "R3", "Grade 4", "1", "9", "three", "#VALUE!", " "],
    "current_salary": ["25584", "£24,500.00", "-3", "lots", "1"],
    "fte": ["1", "0.5", "50%", "half", "#DIV/0!"],
    "contract_type": ["Permanent", "perm", "FTC", "casual", "Zero hours", "Yes"],
    "start_date": ["06/09/2021", "2021-09-06", "1 Feb 2024", "31/02/2021", "soon"],
    "probation_passed": ["Yes", "no", "Y", "passed", "maybe", "1", "N/A"],
    "capability": ["No", "yes", "N", "1", "0"],
    "appraisal_outcome": ["Met", "Objectives met", "EXCEEDS", "Not met", "Unmet", "good"],
    "date_at_level": ["06/09/2021", "2021-09-06", "31/02/2021"],
    "current_level": ["A", "b", "3B", "R3 B", "Practising", "D", "9A", "Yes"],
    "estimated_level": ["B", "C", "4C", "Level B", "A", "3b", "#N/A"],
    "manager": ["Helen Marsh", "Yes", ""],
    "notes": ["", "Evidence portfolio reviewed", "B"],
    "long_absence": ["No", "yes", "N/A", "", "perhaps"],
}


def grid_rows():
    return st.lists(
        st.tuples(*[st.sampled_from(VOCAB[f]) for f in FIELDS]).map(list),
        min_size=1, max_size=8,
    )


def _parse(grid):
    result = EstimatesRead(file="e.xlsx", sheet="Estimates")
    parse_grid(grid, 0, result)
    return result.rows, dict(result.errors), [(f.code, f.cell, f.message) for f in result.findings]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=grid_rows())
def test_memoised_cell_outcomes_equal_a_cold_run_and_a_constantly_evicted_memo(rows, monkeypatch):
    grid = [HEADER_ROW, *rows]
    estimates._MEMOS.clear()
    cold = _parse(grid)
    warm = _parse(grid)  # every text now answered from the memo
    monkeypatch.setattr(estimates, "_MEMO_SIZE", 1)  # memo emptied before every new text
    evicted = _parse(grid)
    monkeypatch.undo()
    assert cold == warm == evicted


# numbers and dates as python-calamine gives them; 1, 1.0 and True are equal dict keys,
# as are 0.0 and -0.0, so a memo keyed by the value alone would mix them up
CELL_VALUES = [3, 3.0, 4.5, 0, 0.0, -0.0, True, False, 1, 1.0, 25584.0, 0.5, -3.0, 1e30,
               float("nan"), dt.date(2021, 9, 6), dt.datetime(2021, 9, 6, 0, 0),
               dt.datetime(2021, 9, 6, 12, 30), "A", "1"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(st.sampled_from(CELL_VALUES), min_size=len(FIELDS),
                              max_size=len(FIELDS)), min_size=1, max_size=6))
def test_memoised_number_and_date_outcomes_equal_every_cell_parsed_afresh(rows, monkeypatch):
    """Issue 21: number and date cells are memoised per parser by (type, value); the
    rows, errors and findings equal those of parsing every cell afresh (no value memo),
    warm or with a memo emptied before every new value."""
    grid = [HEADER_ROW, *rows]
    monkeypatch.setattr(estimates, "_VALUE_TYPES", ())  # every cell through its parser
    fresh = _parse(grid)
    monkeypatch.undo()
    estimates._VALUE_MEMOS.clear()
    cold = _parse(grid)
    warm = _parse(grid)
    monkeypatch.setattr(estimates, "_MEMO_SIZE", 1)
    evicted = _parse(grid)
    monkeypatch.undo()
    assert fresh == cold == warm == evicted


def test_each_row_gets_its_own_cell_references():
    """The cell references are remembered per column layout and row number, but a row
    holds its own copy: changing one row's never changes another's."""
    row = ["E1", "Ann", "", "", "Personal Assistant", "", "3", "25584", "1", "Permanent",
           "06/09/2021", "Yes", "No", "Met", "", "A", "B", "", ""]
    first, _, _ = _parse([HEADER_ROW, row])
    first[0].cells["employee_id"] = "Z99"
    second, _, _ = _parse([HEADER_ROW, row])
    assert second[0].cells["employee_id"] == "A2"
    assert second[0].cells["estimated_level"] == "Q2"  # the 17th column


def test_same_text_in_two_columns_is_parsed_by_each_column_parser():
    # "1" is range 1 (refused: ranges are 2-8), FTE 1, salary £1 and probation passed
    row = ["E1", "Ann", "", "", "Personal Assistant", "", "1", "1", "1", "Permanent",
           "06/09/2021", "1", "No", "Met", "", "A", "B", "", ""]
    estimates._MEMOS.clear()
    for _ in range(2):  # cold, then from the memo
        rows, errors, _ = _parse([HEADER_ROW, row])
        assert rows[0].range is None
        assert errors[(2, "range")] == "expected a pay range 2-8 (for example 3 or 'R3'), got '1'"
        assert rows[0].fte == Decimal("1")
        assert rows[0].current_salary == Decimal("1")
        assert rows[0].probation_passed is True


def test_excel_error_text_and_blank_text_are_remembered_as_such():
    row = ["#N/A", "  ", "", "", "Personal Assistant", "", "3", "25584", "1", "Permanent",
           "06/09/2021", "Yes", "No", "Met", "", " #ref! ", "B", "", ""]
    estimates._MEMOS.clear()
    for _ in range(2):
        rows, errors, _ = _parse([HEADER_ROW, row])
        assert rows[0].employee_id is None and rows[0].employee_name is None
        assert errors[(2, "employee_id")] == (
            "the cell shows the Excel error #N/A; type the value or correct the formula")
        assert errors[(2, "current_level")] == (
            "the cell shows the Excel error #REF!; type the value or correct the formula")
        assert rows[0].cells["employee_name"] == "B2"


# ----------------------------------------------------------------------------- roles


def _role(title, rng, experience_b=""):
    crit = {Level.B: {Criterion.EXPERIENCE: CriterionText(experience_b)}} if experience_b else {}
    return Role(title=title, range=rng, criteria=crit)


FWS = [
    Framework("Business and Executive Support", job_family="Business Support", roles=[
        _role("Personal Assistant", 3), _role("Personal Assistant", 4),
        _role("Business Support Officer", 3)]),
    Framework("Finance", roles=[_role("Accountant", 5), _role("Personal Assistant", 5)]),
]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(
    st.sampled_from([None, "", "Business and Executive Support", "business support", "Finance",
                     "Nope"]),
    st.sampled_from([None, "Personal Assistant", "personal  assistant", "Accountant",
                     "Business Support Officer", "Chef"]),
    st.sampled_from([None, 3, 4, 5, 7]),
), min_size=1, max_size=12))
def test_roles_remembered_per_context_equal_a_fresh_lookup_for_every_row(rows):
    ctx = EstimatesContext(frameworks=FWS)
    for fw, title, rng in rows:
        row = EstimateRow(file="e.xlsx", sheet="Estimates", row=2, framework=fw, job_title=title,
                          range=rng)
        fresh = EstimatesContext(frameworks=FWS)  # nothing remembered yet
        assert ctx.roles(row) == fresh.roles(row)
        assert ctx.role_for(row) is fresh.role_for(row)
        assert ctx._ranges_of(row) == sorted({r.range for r in fresh.roles(row) if r.range})


def test_role_for_takes_the_role_at_the_row_range_else_the_first():
    ctx = EstimatesContext(frameworks=FWS)

    def row(rng, fw=None):
        return EstimateRow(file="e", sheet="s", row=2, job_title="Personal Assistant", range=rng,
                           framework=fw)

    assert ctx.role_for(row(4)) is FWS[0].roles[1]
    assert ctx.role_for(row(5)) is FWS[1].roles[1]
    assert ctx.role_for(row(7)) is FWS[0].roles[0]  # no role at 7: the first one
    assert ctx.role_for(row(5, "Business and Executive Support")) is FWS[0].roles[0]
    found = ctx.roles(row(None))
    found.clear()  # a caller's list is its own
    assert [r.range for r in ctx.roles(row(None))] == [3, 4, 5]


# ----------------------------------------------------------------------------- time at level

PHRASES = ["Minimum of 12 months at 3A", "18 months satisfactory experience at level 3B",
           "A minimum of 2 years' experience in a similar role", "six months at B",
           "Interview assessment", "", "1.5 years at 3B; 6 months at 3A", "12-18 mths in post"]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(PHRASES), min_size=1, max_size=6).map(" ".join))
def test_memoised_time_references_equal_the_uncached_scan(text):
    expected = list(timeatlevel._scan(text))
    first = timeatlevel.find_time_references(text)
    assert first == expected
    first.append("caller's own list")
    assert timeatlevel.find_time_references(text) == expected
    assert timeatlevel.parse_time_requirement(text) == (expected[0] if expected else None)


def test_required_months_follow_an_edited_experience_text():
    from addin.core.eligibility import required_months_for

    role = _role("Personal Assistant", 3, "Minimum of 12 months at 3A")
    assert required_months_for(role, Level.A, Level.B) == 12
    role.criteria[Level.B][Criterion.EXPERIENCE] = CriterionText("18 months at 3A")
    assert required_months_for(role, Level.A, Level.B) == 18  # the cache is keyed by text


def test_level_rank_is_the_position_in_a_b_c():
    assert [lv.rank for lv in (Level.A, Level.B, Level.C)] == [0, 1, 2]


# ----------------------------------------------------------------------------- sheet XML


def _book(path: Path, formula: str | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Estimates"
    ws.append(HEADER_ROW)
    ws.append(["E1", "Ann", "", "", "Personal Assistant", "", 3, 25584, 1, "Permanent",
               dt.date(2021, 9, 6), "Yes", "No", "Met", None, "A", "B", "", ""])
    if formula:
        ws["H2"] = formula  # openpyxl saves no cached value
    lists = wb.create_sheet("Lists")
    lists["A1"] = "=1+1"
    wb.save(path)
    return path


def test_parts_hold_each_worksheet_xml_exactly_as_in_the_zip(tmp_path):
    path = _book(tmp_path / "e.xlsx", "=25000+584")
    parts: dict[str, bytes] = {}
    data = read_ooxml_bytes(path, parts=parts)
    assert data == path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        kept = sorted(n for n in zf.namelist()
                      if n.startswith("xl/worksheets/") or n in KEPT_WORKBOOK_PARTS)
        assert sorted(parts) == kept == [
            "xl/_rels/workbook.xml.rels", "xl/workbook.xml",
            "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"]
        for name in kept:
            assert parts[name] == zf.read(name)


def test_parts_larger_than_the_keep_limit_are_not_handed_back(tmp_path, monkeypatch):
    import addin.office.xlsx.safe

    monkeypatch.setattr(addin.office.xlsx.safe, "KEEP_PART_BYTES", 10)
    path = _book(tmp_path / "e.xlsx", "=25000+584")
    parts: dict[str, bytes] = {}
    read_ooxml_bytes(path, parts=parts)
    assert parts == {}
    read = read_estimates(path)  # the reader decompresses the sheet itself
    assert read.uncached == {"H2"}
    assert [(f.code, f.cell) for f in read.findings] == [("EST-FORMULA-NO-VALUE", "H2")]


def test_asking_for_parts_does_not_let_a_hostile_file_through(tmp_path):
    path = _book(tmp_path / "e.xlsx")
    bad = tmp_path / "dtd.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b'<!DOCTYPE x [<!ENTITY a "b">]>' + data
            zout.writestr(item, data)
    parts: dict[str, bytes] = {}
    with pytest.raises(InputError, match=r"one of the workbook's sheets \(part xl/worksheets/sheet1.xml\) declares XML entities"):
        read_ooxml_bytes(bad, parts=parts)
    with pytest.raises(InputError, match=r"one of the workbook's sheets \(part xl/worksheets/sheet1.xml\) declares XML entities"):
        read_estimates(bad)


@pytest.mark.parametrize("formula", [None, "=25000+584"])
def test_formula_cells_from_kept_xml_equal_those_from_the_zip(tmp_path, formula):
    path = _book(tmp_path / "e.xlsx", formula)
    parts: dict[str, bytes] = {}
    data = read_ooxml_bytes(path, parts=parts)
    with_parts = uncached_formula_cells(data, "Estimates", parts=parts)
    assert with_parts == uncached_formula_cells(data, "Estimates")
    assert with_parts == ({"H2"} if formula else set())
    assert uncached_formula_cells(data, "Lists", parts=parts) == {"A1"}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([b"<f>", b"<x:f ", b"<f/>", b"<fo", b":f", b"<c r=\"A1\">",
                                 b"<v>1</v>", b"f>", b"<", b"x", b" "]), max_size=12).map(b"".join))
def test_formula_byte_precheck_agrees_with_the_formula_pattern(xml):
    assert estimates._has_formula(xml) == (estimates._FORMULA_EL.search(xml) is not None)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=12), st.text(alphabet="AZaz09 -_.:ÉéßİıＡ①½ﬁ\u0301", max_size=8),
                 st.integers(), st.none()))
def test_memoised_norm_key_equals_its_unmemoised_definition(value):
    """The one norm_key (addin.core.text, memoised, with an ASCII fast path) gives the
    key its definition gives: NFKD, lower case, letters and digits only."""
    import re
    import unicodedata

    from addin.core.text import norm_key

    expected = "" if value is None else re.sub(
        r"[^0-9a-z]+", "", unicodedata.normalize("NFKD", str(value)).lower())
    assert norm_key(value) == expected
    assert norm_key(value) == expected  # second call from the memo


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31)),
       st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31)))
def test_memoised_months_between_equals_the_calendar_rule(a, b):
    from addin.core import eligibility, paycalendar

    assert eligibility._months_between(a, b) == paycalendar.months_between(a, b)
    assert eligibility._months_between(a, b) == paycalendar.months_between(a, b)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([b"<", b"?", b"!", b"<?", b"<!", b"</", b"x", b"<?xml ?>",
                                 b"<!-- c -->", b"\x00", b"<\x00!\x00"]), max_size=40).map(b"".join))
def test_xml_element_count_helper_equals_the_two_byte_count(chunk):
    from addin.office.xlsx.safe import _after_lt

    for mark in (b"?", b"!"):
        assert _after_lt(chunk, mark) == chunk.count(b"<" + mark)


def test_a_sheet_stored_outside_xl_worksheets_is_still_scanned_for_formulas(tmp_path):
    # the relationship may point anywhere in the package: the kept parts do not hold
    # that sheet, so the reader falls back to the zip and finds the same cells
    path = _book(tmp_path / "e.xlsx", "=25000+584")
    moved = tmp_path / "moved.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(moved, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            name = item.filename
            if name == "xl/worksheets/sheet1.xml":
                name = "xl/data/estimates.xml"
            if name == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"/xl/worksheets/sheet1.xml", b"/xl/data/estimates.xml")
                data = data.replace(b"worksheets/sheet1.xml", b"data/estimates.xml")
            if name == "[Content_Types].xml":
                data = data.replace(b"/xl/worksheets/sheet1.xml", b"/xl/data/estimates.xml")
            zout.writestr(name, data)
    parts: dict[str, bytes] = {}
    data = read_ooxml_bytes(moved, parts=parts)
    assert "xl/data/estimates.xml" not in parts
    assert uncached_formula_cells(data, "Estimates", parts=parts) == {"H2"}
    assert uncached_formula_cells(data, "Estimates") == {"H2"}
    assert uncached_formula_cells(data, "No such sheet", parts=parts) == set()


@settings(max_examples=60, deadline=None)
@given(rows=grid_rows(), above=st.lists(st.lists(st.sampled_from(
    ["Emp ID", "Name", "Job", "Grade", "Level estimates - Finance", "", "Salary", "Level"]),
    max_size=6), max_size=4))
def test_memoised_header_search_equals_a_search_by_field_for_header(rows, above):
    from addin.core.estimates_table import field_for_header
    from addin.office.xlsx.estimates import HEADER_SEARCH_ROWS, MIN_HEADER_MATCHES, find_header_row

    grid = [*above, HEADER_ROW, *rows]
    counts = [len({f for v in row if isinstance(v, str) and (f := field_for_header(v))})
              for row in grid[:HEADER_SEARCH_ROWS]]
    best = max(counts)
    expected = counts.index(best) if best >= MIN_HEADER_MATCHES else None
    estimates._HEADER_MEMO.clear()
    assert find_header_row(grid) == expected
    assert find_header_row(grid) == expected  # from the memo


# ----------------------------------------------------------------------------- safety scan


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]),
                          st.binary(max_size=3000),
                          st.sampled_from(["a.xml", "xl/é.xml", "b/c.bin"])),
                min_size=1, max_size=4))
def test_members_inflated_from_the_archive_bytes_equal_what_zipfile_reads(tmp_path, members):
    from addin.office.xlsx.safe import _inflate

    path = tmp_path / "m.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i, (method, body, name) in enumerate(members):
            zf.writestr(f"{i}/{name}", body * 3, compress_type=method)
    data = path.read_bytes()
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            assert _inflate(data, info) == zf.read(info)


def test_a_member_whose_bytes_do_not_match_its_crc_is_refused_as_damaged(tmp_path):
    from addin.office.xlsx.safe import _inflate

    path = _book(tmp_path / "e.xlsx")
    stored = tmp_path / "stored.xlsx"  # stored members, so a byte of the text can be flipped
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, zin.read(item))
    raw = bytearray(stored.read_bytes())
    with zipfile.ZipFile(stored) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
        assert _inflate(bytes(raw), info) == zf.read(info)
    at = raw.index(b"<sheetData", info.header_offset)
    raw[at + 1] = ord("S")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(bytes(raw))
    assert _inflate(bytes(raw), info) is None  # left to zipfile, which words the fault
    with pytest.raises(InputError, match=r"damaged or truncated \(part xl/worksheets/sheet1.xml: "
                                         r"Bad CRC-32"):
        read_ooxml_bytes(bad)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", "Z", "AA", "ZZ", "AAA", "ALL", "AZ"]),
                          st.sampled_from([1, 9, 10, 99, 999, 1000, 5000, 99999])), max_size=6),
       st.lists(st.sampled_from([1, 50, 999, 1000, 20000]), max_size=3))
def test_small_sheet_bound_never_hides_a_cell_the_exact_scan_would_refuse(cells, rows):
    from addin.office.xlsx.safe import _SMALL_SPAN, LIMITS, _check_cell_refs

    xml = "".join(f'<row r="{r}"><c r="A{r}"/></row>' for r in rows)
    xml += "".join(f'<c r="{c}{r}"><v>1</v></c>' for c, r in cells)
    buf = f"<sheetData>{xml}</sheetData>".encode()
    try:
        exact = _check_cell_refs(buf, "s", Path("f.xlsx"), LIMITS)
    except InputError as exc:
        with pytest.raises(InputError) as shortcut:
            _check_cell_refs(buf, "s", Path("f.xlsx"), LIMITS, whole=True)
        assert str(shortcut.value) == str(exc)
        return
    bound = _check_cell_refs(buf, "s", Path("f.xlsx"), LIMITS, whole=True)
    if bound == _SMALL_SPAN:
        assert exact[0] <= _SMALL_SPAN[0] and exact[1] <= _SMALL_SPAN[1]
    else:
        assert bound == exact
