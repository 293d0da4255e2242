"""Formula injection: text a manager types that a spreadsheet would run as a formula
(``=HYPERLINK(...)``, ``+1``, ``-1``, ``@SUM(A1)``, tab, carriage return) reaches every
workbook medpay writes - feedback copies, consolidated and CMT workbooks, cost report,
forms index, harvest output - and must be stored there as TEXT: the saved sheet XML holds
no ``<f>`` built from it."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from addin.office.safeio import append_row, csv_safe, set_cell

from ..conftest import WORKBOOKS, run_cli

PAYLOADS = ['=HYPERLINK("http://x","click")', "+1", "-1", "@SUM(A1)", "\tfoo", "\rbar"]
MARKERS = ("HYPERLINK", "SUM(A1)", "foo", "bar")
AS_OF = ("--as-of", "2026-11-20")


def formulas(path: Path) -> list[str]:
    """Every formula in every sheet of a saved workbook, from the raw XML."""
    out = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = z.read(name).decode("utf-8")
                out += re.findall(r"<(?:\w+:)?f(?:\s[^>]*)?>(.*?)</(?:\w+:)?f>", xml, re.S)
    return out


def text_values(path: Path) -> set[str]:
    wb = openpyxl.load_workbook(path)
    return {c.value for ws in wb.worksheets for row in ws.iter_rows(max_row=min(ws.max_row, 500),
                                                                     max_col=min(ws.max_column, 60))
            for c in row if isinstance(c.value, str) and c.data_type == "s"}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_set_cell_and_append_row_store_formula_text_as_text(tmp_path, payload):
    wb = openpyxl.Workbook()
    ws = wb.active
    set_cell(ws, 1, 1, payload)
    append_row(ws, ["plain", payload, 3])
    p = tmp_path / "o.xlsx"
    wb.save(p)
    assert formulas(p) == []
    back = openpyxl.load_workbook(p).active
    expected = payload
    assert back["A1"].value == expected and back["A1"].data_type == "s"
    assert [back.cell(2, c).value for c in (1, 2, 3)] == ["plain", expected, 3]


def test_csv_values_get_the_apostrophe_guard():
    assert [csv_safe(p) for p in PAYLOADS] == ["'" + p for p in PAYLOADS]
    assert [csv_safe(v) for v in ("Ann", 5, None, "a=b")] == ["Ann", 5, None, "a=b"]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, Path]:
    """Run every writer once over a submission carrying the payloads."""
    d = tmp_path_factory.mktemp("inject")
    wb = openpyxl.load_workbook(WORKBOOKS / "samples" / "finance-business-support.xlsx")
    ws = wb["Estimates"]
    headers = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(headers)}
    for row, payload in enumerate(PAYLOADS[:5], start=2):
        set_cell(ws, row, col["Employee name"], payload + " Name")
    set_cell(ws, 2, col["Team"], PAYLOADS[5])
    set_cell(ws, 3, col["Manager"], "@SUM(A1)")
    set_cell(ws, 4, col["Notes"], '=HYPERLINK("http://x","click")')
    set_cell(ws, 5, col["Directorate"], "-1")
    inbox = d / "inbox"
    inbox.mkdir()
    src = inbox / "team.xlsx"
    wb.save(src)
    runs = {
        "feedback copy": ["validate-estimates", src, "--feedback", d / "feedback.xlsx", *AS_OF],
        "cost report": ["cost", src, "--out", d / "cost.xlsx", *AS_OF],
        "forms index": ["forms", "appraisal", "--estimates", src, "--out", d / "forms", *AS_OF],
        "batch": ["batch", inbox, "--out", d / "batch", *AS_OF],
    }
    for name, args in runs.items():
        r = run_cli(*args, timeout=300)
        assert r.returncode in (0, 1), f"{name}: {r.stderr}"
    r = run_cli("harvest", d / "forms", "--out", d / "harvest.xlsx", timeout=300)
    assert r.returncode in (0, 1), r.stderr
    written = {p.relative_to(d).as_posix(): p for p in d.rglob("*.xlsx") if p != src}
    return written


def test_every_writer_produced_a_workbook(outputs):
    names = set(outputs)
    assert {"feedback.xlsx", "cost.xlsx", "harvest.xlsx"} <= names
    assert any(n.startswith("forms/") for n in names)
    assert any(n.startswith("batch/") and "consolidated" in n for n in names)
    assert any(n.startswith("batch/") and "cmt" in n.lower() for n in names)


def test_no_output_workbook_holds_a_formula_built_from_submitted_text(outputs):
    bad = {name: [f for f in formulas(p) if any(m in f for m in MARKERS)] for name, p in outputs.items()}
    assert {k: v for k, v in bad.items() if v} == {}


@pytest.mark.parametrize("writer", ["feedback.xlsx", "cost.xlsx", "harvest.xlsx", "forms index", "consolidated"])
def test_payload_names_arrive_as_text(outputs, writer):
    path = next(p for n, p in outputs.items()
                if n == writer or (writer == "forms index" and n.startswith("forms/"))
                or (writer == "consolidated" and "consolidated" in n))
    values = text_values(path)
    if writer == "cost.xlsx":  # the cost report carries no names: the directorate "-1" is text
        assert "-1" in values, sorted(values)[:40]
        return
    assert '=HYPERLINK("http://x","click") Name' in values, sorted(values)[:40]
    assert "@SUM(A1) Name" in values
