"""`medpay demo`: the README's main job on the bundled sample data."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl

from addin.office.docx import controls as dc
from addin.office.xlsx.decisions import read_decisions

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
    # stage 9: an Initial Assessment form for every employee of the first sample
    ia = sorted(p.name for p in (out / "forms" / "initial-assessment").glob("*.docx"))
    assert len(ia) == 3 and all(n.endswith(" initial-assessment.docx") for n in ia)
    assert any((out / "letters").glob("*.docx"))
    assert_letters_coherent_on_the_run_date(out, r.stderr)


def assert_letters_coherent_on_the_run_date(out, stderr):
    """The shipped sample decisions are dated May 2025; the demo writes its own, decided
    two days and one day before its run date (--as-of 22 November 2026), so its letters
    make sense whatever day it runs."""
    decisions = read_decisions(out / "decisions" / "sample-decisions.xlsx")
    assert [d.decision_date for d in decisions] == [dt.date(2026, 11, 20), dt.date(2026, 11, 21)]
    assert "[Decisions!" not in stderr  # no 90-day (or future decision) warning

    def letter(name):
        return " ".join(dc.non_control_text(dc.part_root((out / "letters" / name).read_bytes())).split())

    approved = letter("E1001 Aisha Khan approved letter.docx")
    # decided 20 November 2026, by the 1 December 2026 deadline -> 1 January 2027
    assert "Date: 22 November 2026" in approved
    assert "on 20 November 2026 your request" in approved
    assert "effective from 1 January 2027" in approved
    declined = letter("E1002 Seán O'Brien declined letter.docx")
    # decided 21 November 2026: that request is for January 2027; the next window is
    # July 2027 (deadline 1 June 2027), taking requests from 2 December 2026. Appeal:
    # Sunday 22 November + 5 working days = Mon 23 .. Fri 27 November 2026
    assert "Date: 22 November 2026" in declined
    assert ("submitted from 2 December 2026 and by 1 June 2027 will be considered for a pay "
            "change on 1 July 2027") in declined
    assert "by 27 November 2026 (within 5 working days" in declined


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
