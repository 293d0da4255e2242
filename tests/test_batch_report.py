"""The consolidated workbook's streamed rows (addin.office.xlsx.batch_report.stream_sheet_rows): every
value type lands as the right cell with its column's format, text is never a formula,
and the package's fixed zip headers survive the rewrite. The CMT report's key figures
(addin.core.cmt.summarise + write_cmt_report) from rows costed by addin.core.costing."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from enum import IntEnum

from openpyxl import Workbook, load_workbook

from addin.core.cmt import BatchRow, summarise
from addin.core.costing import cost_row, not_costed_reason
from addin.core.model import EstimateRow, Level
from addin.office.determinism import fixed_moment, workbook_bytes
from addin.office.xlsx.batch_report import DATE, MONEY, stream_sheet_rows, write_cmt_report
from addin.office.xlsx.settings import read_pay_settings
from tests.conftest import PAY_RANGES


class Band(IntEnum):
    TWO = 2


class Label(str):
    pass


def _probe_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["Text", "Money", "Date", "Other"])
    ws.cell(2, 2, Decimal("0")).number_format = MONEY
    ws.cell(2, 3, dt.date(2000, 1, 1)).number_format = DATE
    return workbook_bytes(wb, fixed_moment(dt.date(2025, 3, 1)))


def test_every_value_type_becomes_the_right_cell_with_its_columns_format():
    data = _probe_workbook()
    rows = [
        ["=HYPERLINK(\"http://x\")", Decimal("1871.20"), dt.date(2025, 7, 1), True],
        [" padded & <tagged> ", 42, dt.datetime(2025, 1, 1, 9, 30), 1.5],
        ["bell\x07gone", Decimal("-0.01"), None, Band.TWO],
        ["", None, "", Label("sub")],
        ["same text", "same text", dt.date(1999, 12, 31), Label("")],
    ]
    out = stream_sheet_rows(data, "xl/worksheets/sheet1.xml", iter(rows), first_row=2, ncols=4)
    ws = load_workbook(io.BytesIO(out))["Sheet"]
    got = [[c.value for c in row] for row in ws.iter_rows(min_row=2, max_row=6, max_col=4)]
    assert got == [
        ["=HYPERLINK(\"http://x\")", 1871.2, dt.datetime(2025, 7, 1), True],
        [" padded & <tagged> ", 42, dt.datetime(2025, 1, 1), 1.5],
        ["bellgone", -0.01, None, 2],
        [None, None, None, "sub"],
        ["same text", "same text", dt.datetime(1999, 12, 31), None],
    ]
    assert ws["A2"].data_type == "s"  # text, never a formula
    assert (ws["B2"].number_format, ws["C3"].number_format) == (MONEY, DATE)
    # a text is remembered per column: the same text keeps each column's own format
    assert (ws["A6"].number_format, ws["B6"].number_format) == ("General", MONEY)
    assert ws.max_row == 6 and ws.calculate_dimension() == "A1:D6"
    xml = zipfile.ZipFile(io.BytesIO(out)).read("xl/worksheets/sheet1.xml").decode()
    assert '<t xml:space="preserve"> padded &amp; &lt;tagged&gt; </t>' in xml


def test_the_fixed_zip_headers_of_every_member_survive_the_rewrite():
    data = _probe_workbook()
    out = stream_sheet_rows(data, "xl/worksheets/sheet1.xml", iter([["a", Decimal("1"), None, None]]),
                            first_row=2, ncols=4)
    before = zipfile.ZipFile(io.BytesIO(data)).infolist()
    after = zipfile.ZipFile(io.BytesIO(out)).infolist()
    assert [(i.filename, i.date_time, i.external_attr, i.create_system) for i in after] == [
        (i.filename, i.date_time, i.external_attr, i.create_system) for i in before]
    assert {i.date_time for i in after} == {(2025, 3, 1, 0, 0, 0)}
    same = [i.filename for i in before if i.filename != "xl/worksheets/sheet1.xml"]
    src, dst = zipfile.ZipFile(io.BytesIO(data)), zipfile.ZipFile(io.BytesIO(out))
    assert all(src.read(n) == dst.read(n) for n in same)


# ---------------------------------------------------------------- the CMT report's key figures

AS_OF = dt.date(2025, 3, 1)


def _batch_row(n: int, salary, level: str, *, fte="1", range_=3, eligible=None) -> BatchRow:
    pay = read_pay_settings(PAY_RANGES)
    est = EstimateRow(file="t.xlsx", sheet="Estimates", row=n, employee_id=f"E{n}",
                      directorate="Place", team="Planning", framework="BES", range=range_,
                      current_salary=None if salary is None else Decimal(salary),
                      fte=None if fte is None else Decimal(fte), current_level=Level.B,
                      estimated_level=Level(level))
    cost = cost_row(est, pay, AS_OF)
    return BatchRow(source="t.xlsx", estimate=est, eligible=eligible, cost=cost,
                    cost_problem=None if cost else not_costed_reason(est, pay))


def test_cmt_front_sheet_separates_rises_no_change_honoured_and_lists_why_rows_are_not_costable(
        tmp_path):
    # range 3: A 25,584 B 26,967 C 28,349; as of 1 March 2025, effective 1 July 2025
    rows = [
        _batch_row(2, "25584", "B", eligible=True),    # rise: 1,871.20 / 1,403.40 (test_batch)
        _batch_row(3, "26967", "B", eligible=False),   # no change; may not apply, costed (0)
        _batch_row(4, "28349", "B", eligible=True),    # 26,967 < 28,349: honoured, 0
        _batch_row(5, None, "B"),                      # no current salary
        _batch_row(6, None, "C"),                      # no current salary
        _batch_row(7, "25584", "B", fte=None),         # no FTE
        _batch_row(8, "25584", "B", range_=9),         # range 9 not in the workbook
    ]
    s = summarise(rows, as_of=AS_OF, submissions=1, unreadable=0)
    path = write_cmt_report(tmp_path / "cmt.xlsx", s)
    ws = load_workbook(path)["Summary"]
    assert [(ws.cell(r, 1).value, ws.cell(r, 4).value) for r in range(5, 22)] == [
        ("Submissions received", 1), ("Submissions that could not be read", 0),
        ("Employee rows received", 7),
        ("Rows whose employee ID is in another submission (flagged)", 0),
        ("Duplicate rows not costed again (sheet Duplicate employees)", 0),
        ("Employees in the Review", 7),                               # 1 + 1 + 1 + 4
        ("Pay rises (pay point above current salary)", 1),
        ("No change (pay point equals current salary)", 1),
        ("Salaries honoured (pay point below current salary; no cost)", 1),
        ("Not costable (a cell the cost needs is blank or invalid)", 4),
        ("May apply to progress at the next window (7.22, 7.28)", 2),
        ("Full-year cost (pay + employer on-costs)", 1871.2),
        ("In-year cost (effective date to 31 March)", 1403.4),
        # most first, then by reason
        ("Not costable: no current salary", 2),
        ("Not costable: no FTE", 1),
        ("Not costable: range 9 is not in the pay-ranges workbook", 1),
        (None, None),
    ]
    assert ws["A22"].value == "Cost by directorate"
    assert [ws.cell(24, c).value for c in range(1, 9)] == [
        "Place", 7, 1, 1, 4, 2, 1871.2, 1403.4]
    hon = load_workbook(path)["Honoured salaries"]
    assert (hon.max_row, hon["C2"].value) == (2, "E4")
