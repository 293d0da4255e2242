"""What the batch's reports look like opened and printed (issue 20, "What users see"):
the CMT report (addin.office.xlsx.batch_report.write_cmt_report) and the consolidated
workbook (write_consolidated), checked in the saved files' structure - the chart's
anchor against the print area, every font named, figures' headers right-aligned, columns
as wide as the long directorate names, page setup and print titles, byte-for-byte
reproducible. The figures themselves are pinned in test_batch.py/test_batch_report.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from addin.core.cmt import BatchRow, summarise
from addin.core.costing import cost_row, not_costed_reason
from addin.core.model import EstimateRow, Level
from addin.office.xlsx.batch_report import (
    CONSOLIDATED_COLUMNS,
    GROUP_HEADERS,
    key_figures,
    write_cmt_report,
    write_consolidated,
)
from addin.office.xlsx.settings import read_pay_settings
from tests.conftest import PAY_RANGES
from tests.report_layout import (
    assert_inside_print_area,
    defined_print_titles,
    print_area_bounds,
    two_cell_anchors,
    unnamed_fonts,
)

AS_OF = dt.date(2025, 3, 1)
LONG_DIRECTORATE = "Regeneration, Culture, Environment and Strategic Housing Delivery"  # 65
LONG_TEAM = "Planning Business Support and Building Control Administration"           # 61


def _row(n: int, directorate: str, team: str, salary: str | None, level: str) -> BatchRow:
    pay = read_pay_settings(PAY_RANGES)
    est = EstimateRow(file="t.xlsx", sheet="Estimates", row=n, employee_id=f"E{n}",
                      employee_name=f"Employee {n}", directorate=directorate, team=team,
                      job_title="Business Support Officer", framework="BES", range=3,
                      current_salary=None if salary is None else Decimal(salary),
                      fte=Decimal("1"), current_level=Level.A, estimated_level=Level(level))
    cost = cost_row(est, pay, AS_OF)
    return BatchRow(source="team.xlsx", estimate=est, eligible=True, status="Yes", cost=cost,
                    cost_problem=None if cost else not_costed_reason(est, pay),
                    effective_date=cost.effective_date if cost else None)


@pytest.fixture(scope="module")
def rows() -> list[BatchRow]:
    return [
        _row(2, LONG_DIRECTORATE, LONG_TEAM, "25584", "B"),
        _row(3, LONG_DIRECTORATE, LONG_TEAM, "25584", "C"),
        _row(4, "Place", "Planning", "26967", "B"),
        _row(5, "Place", "Planning", None, "B"),  # not costable: no current salary
    ]


@pytest.fixture(scope="module")
def cmt(rows, tmp_path_factory):
    s = summarise(rows, as_of=AS_OF, submissions=1, unreadable=0)
    path = write_cmt_report(tmp_path_factory.mktemp("cmt") / "cmt.xlsx", s)
    return s, path


@pytest.fixture(scope="module")
def consolidated(rows, tmp_path_factory):
    files = [{"file": "team.xlsx", "status": "ok", "rows": 4, "errors": 0, "warnings": 0,
              "may_apply_to_progress": 4, "not_costable": 1, "full_year_cost": "3742.40",
              "in_year_cost": "2806.80", "feedback": "feedback/team.xlsx"}]
    return write_consolidated(tmp_path_factory.mktemp("cons") / "consolidated.xlsx", rows,
                              files, as_of=AS_OF)


def test_cmt_summary_chart_is_anchored_inside_the_print_area_on_page_one(cmt):
    s, path = cmt
    ws = load_workbook(path)["Summary"]
    # one page: every column up to the level matrix's Total column (J + A, B, C + Total = N)
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 1)
    min_col, min_row, max_col, max_row = print_area_bounds(ws)
    assert (min_col, min_row, max_col) == (1, 1, 14)
    (anchor,) = two_cell_anchors(path)
    assert_inside_print_area(anchor, ws)
    # the chart is beside the key figures under the matrix: from column J, ending at the
    # right edge of N (the left edge of O, 0-based 14, no offset)
    assert (anchor["from_col"], anchor["to_col"], anchor["to_col_off"]) == (9, 14, 0)
    # and below the matrix (J5:N9): row 11 (0-based 10)
    assert anchor["from_row"] == 10


def test_cmt_report_names_every_font(cmt):
    _, path = cmt
    assert unnamed_fonts(load_workbook(path)) == []


def test_cmt_figures_headers_are_right_aligned_over_their_figures(cmt):
    s, path = cmt
    wb = load_workbook(path)
    ws = wb["Summary"]
    header = 5 + len(key_figures(s)) + 2  # key figures, a blank row, the table's title
    assert [ws.cell(header, c).value for c in range(1, 9)] == ["Directorate", *GROUP_HEADERS]
    assert ws.cell(header, 1).alignment.horizontal is None
    assert [ws.cell(header, c).alignment.horizontal for c in range(2, 9)] == ["right"] * 7
    # the matrix's level headers over counts
    assert [ws.cell(5, c).alignment.horizontal for c in range(11, 15)] == ["right"] * 4
    team = wb["By team"]
    assert [team.cell(1, c).alignment.horizontal for c in range(1, 10)] == [None, None] + [
        "right"] * 7
    hon = wb["Honoured salaries"]
    heads = {hon.cell(1, c).value: hon.cell(1, c).alignment.horizontal
             for c in range(1, hon.max_column + 1)}
    assert heads["Current salary"] == heads["Row"] == heads["Range"] == "right"
    assert heads["Employee name"] is None


def test_cmt_columns_are_as_wide_as_the_long_directorate_and_team_names(cmt):
    _, path = cmt
    wb = load_workbook(path)
    # width in characters: the name (65, 61 characters) and a margin
    assert wb["Summary"].column_dimensions["A"].width >= len(LONG_DIRECTORATE)
    assert wb["By directorate"].column_dimensions["A"].width >= len(LONG_DIRECTORATE)
    assert wb["By team"].column_dimensions["A"].width >= len(LONG_DIRECTORATE)
    assert wb["By team"].column_dimensions["B"].width >= len(LONG_TEAM)
    # the money columns show "£3,742.40" (9 characters)
    assert wb["By team"].column_dimensions["H"].width >= 9


def test_cmt_key_figures_keep_the_policy_fidelity_split(cmt):
    """Pay rises + no change + honoured + not costable = employees in the Review; may
    apply to progress counted apart. E2 3A -> 3B and E3 3A -> 3C are rises, E4 (26,967 at
    3B) no change, E5 has no salary."""
    s, path = cmt
    ws = load_workbook(path)["Summary"]
    got = {ws.cell(r, 1).value: ws.cell(r, 4).value for r in range(5, 5 + len(key_figures(s)))}
    assert got["Employees in the Review"] == 4
    assert got["Pay rises (pay point above current salary)"] == 2
    assert got["No change (pay point equals current salary)"] == 1
    assert got["Salaries honoured (pay point below current salary; no cost)"] == 0
    assert got["Not costable (a cell the cost needs is blank or invalid)"] == 1
    assert got["May apply to progress at the next window (7.22, 7.28)"] == 4


def test_cmt_sheets_with_rows_repeat_their_header_row_when_printed(cmt):
    _, path = cmt
    titles = defined_print_titles(path)
    for sheet in ("By directorate", "By team", "By framework", "Duplicate employees",
                  "Honoured salaries"):
        assert titles[sheet] == f"'{sheet}'!$1:$1", sheet


def test_consolidated_prints_a3_landscape_two_pages_wide_with_titles(consolidated):
    wb = load_workbook(consolidated)
    ws = wb["Rows"]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 8  # A3
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (2, 0)
    assert print_area_bounds(ws) == (1, 1, len(CONSOLIDATED_COLUMNS), 5)  # header + 4 rows
    titles = defined_print_titles(consolidated)
    assert titles["Rows"] == "'Rows'!$1:$1,'Rows'!$A:$B"
    assert titles["Files"] == "'Files'!$1:$1"
    fs = wb["Files"]
    assert (fs.page_setup.orientation, fs.page_setup.fitToWidth, fs.page_setup.fitToHeight) == (
        "landscape", 1, 0)
    assert unnamed_fonts(wb) == []


def test_consolidated_columns_show_their_headers_and_values(consolidated):
    """The streamed Rows sheet keeps the widths openpyxl set before its rows went in:
    every header's longest word fits (the header row has two lines, 30 points), and the
    long directorate and team names fit."""
    from openpyxl.utils import get_column_letter

    ws = load_workbook(consolidated)["Rows"]
    assert ws.row_dimensions[1].height == 30
    for c, (header, _, _, _) in enumerate(CONSOLIDATED_COLUMNS, 1):
        assert ws.cell(1, c).value == header
        width = ws.column_dimensions[get_column_letter(c)].width
        longest_word = max(len(w) for w in header.split())
        assert width >= longest_word + 1, header
        # two lines hold the header: no word wrapped onto a third
        assert width * 2 >= len(header), header
    col = {h: i for i, (h, _, _, _) in enumerate(CONSOLIDATED_COLUMNS, 1)}
    assert ws.column_dimensions[get_column_letter(col["Directorate"])].width >= len(
        LONG_DIRECTORATE)
    assert ws.column_dimensions[get_column_letter(col["Team"])].width >= len(LONG_TEAM)
    assert ws.cell(2, col["Directorate"]).value == LONG_DIRECTORATE  # the rows were streamed
    assert ws.cell(1, col["Full-year cost"]).alignment.horizontal == "right"
    assert ws.cell(1, col["Directorate"]).alignment.horizontal is None
    # level letters and Yes/No centred, header and streamed values, apart from the figures
    for h in ("Current level", "Estimated level", "Honoured", "In CMT totals"):
        assert ws.cell(1, col[h]).alignment.horizontal == "center", h
        assert ws.cell(2, col[h]).alignment.horizontal == "center", h
    assert (ws.cell(2, col["Current level"]).value, ws.cell(2, col["Honoured"]).value) == (
        "A", "No")  # E2 3A -> 3B, a pay rise


def test_reports_are_byte_identical_when_written_twice(rows, cmt, consolidated, tmp_path):
    s, path = cmt
    again = write_cmt_report(tmp_path / "cmt.xlsx", s)
    assert again.read_bytes() == path.read_bytes()
    files = [{"file": "team.xlsx", "status": "ok", "rows": 4, "errors": 0, "warnings": 0,
              "may_apply_to_progress": 4, "not_costable": 1, "full_year_cost": "3742.40",
              "in_year_cost": "2806.80", "feedback": "feedback/team.xlsx"}]
    cons = write_consolidated(tmp_path / "consolidated.xlsx", rows, files, as_of=AS_OF)
    assert cons.read_bytes() == consolidated.read_bytes()
