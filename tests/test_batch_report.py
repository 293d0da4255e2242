"""The consolidated workbook's streamed rows (addin.office.xlsx.batch_report.stream_sheet_rows): every
value type lands as the right cell with its column's format, text is never a formula,
and the package's fixed zip headers survive the rewrite."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from enum import IntEnum

from openpyxl import Workbook, load_workbook

from addin.office.xlsx.batch_report import DATE, MONEY, stream_sheet_rows
from addin.office.determinism import fixed_moment, workbook_bytes


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
