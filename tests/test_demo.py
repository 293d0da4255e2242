"""`medpay demo`: the README's main job on the bundled sample data."""

from __future__ import annotations

import json

import openpyxl

from .conftest import ROOT, run_cli


def test_demo_writes_every_output_and_names_the_folder(tmp_path):
    out = tmp_path / "demo"
    r = run_cli("demo", "--out", out, "--as-of", "2026-11-22")
    assert r.returncode == 0, r.stderr
    assert f"Demo outputs are in {out.resolve()}" in r.stdout
    # each step is shown as the medpay command that does it
    assert "$ medpay validate-framework " in r.stdout and "$ medpay batch " in r.stdout
    summary = json.loads((out / "batch" / "summary.json").read_text())
    samples = sorted(p.name for p in (ROOT / "workbooks" / "samples").glob("*.xlsx"))
    assert summary["files_read"] == len(samples) == 5
    assert summary["files_unreadable"] == 0
    assert (out / "batch" / "cmt-report.xlsx").exists()
    assert openpyxl.load_workbook(out / "batch" / "consolidated.xlsx").sheetnames
    assert (out / "frameworks" / "business-and-executive-support.docx").exists()
    assert any((out / "forms" / "application").glob("*.docx"))
    assert any((out / "forms" / "appraisal").glob("*.docx"))
    assert any((out / "letters").glob("*.docx"))


def test_demo_refuses_a_non_empty_folder_without_force(tmp_path):
    out = tmp_path / "demo"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    r = run_cli("demo", "--out", out)
    assert r.returncode == 2
    assert r.stderr.strip() == (f"medpay: {out}: output folder is not empty "
                                "(pass --force to refresh it, or choose another --out)")
    assert (out / "keep.txt").read_text() == "mine"


def test_demo_with_a_bad_pay_ranges_file_stops_once_before_any_step(tmp_path):
    bad = tmp_path / "pay.xlsx"
    bad.write_text("not a workbook")
    r = run_cli("demo", "--out", tmp_path / "demo", "--pay-ranges", bad)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1
    assert str(bad) in r.stderr and "not an Excel workbook" in r.stderr
    assert "$ medpay" not in r.stdout
