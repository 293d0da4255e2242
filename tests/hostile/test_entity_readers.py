"""Hostile XML is refused by every reader, workbooks as documents (issue 21).

Office never writes a DTD. Each reader medpay has - the estimates (python-calamine),
the pay ranges (settings), the frameworks, the decisions, the feedback writer that
opens the submission, the batch, the forms harvest - is given a real workbook or form
whose part declares the "billion laughs" entities, and must stop before any parser with
exit status 2 (the batch: that file listed, the run going on) and one line naming the
part in words a user understands.

The shipped workbooks are written with inline strings; Excel writes a shared-strings
part. :func:`builders.excel_shared_strings` rewrites them as Excel would (the first test
proves the readers read that part: same answers), so the hostile shared strings are
really read.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from addin.core.errors import InputError
from addin.office.xlsx.decisions import read_decisions
from addin.office.xlsx.feedback import write_feedback_copy
from addin.office.xlsx.settings import read_pay_settings

from ..conftest import BES_FRAMEWORK, PAY_RANGES, WORKBOOKS, run_cli
from . import builders as b

SAMPLE = WORKBOOKS / "samples" / "finance-business-support.xlsx"
DECISIONS = WORKBOOKS / "decisions" / "sample-decisions.xlsx"
AS_OF = ("--as-of", "2026-11-20")
HINT = " (do not open this file; ask the sender where it came from)"
SHARED = ("the workbook's shared strings (the text of its cells) (part xl/sharedStrings.xml) "
          "declare XML entities, which Excel never writes (an entity-expansion or "
          "external-entity attack): refused" + HINT)


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return b.write(path, data)


def shared(src: Path) -> bytes:
    return b.excel_shared_strings(src.read_bytes())


def hostile(tmp_path: Path, src: Path, part: str = "xl/sharedStrings.xml", name: str | None = None) -> Path:
    return b.write(tmp_path / (name or src.name), b.entities_in(shared(src), part))


def one_line(proc) -> str:
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


# ----------------------------------------------------------------- the workbooks are real


def test_workbooks_rewritten_with_shared_strings_read_exactly_as_the_originals(tmp_path):
    est = write(tmp_path / "est" / SAMPLE.name, shared(SAMPLE))
    for original, copy in ((SAMPLE, est),):
        a = run_cli("validate-estimates", original, *AS_OF)
        c = run_cli("validate-estimates", copy, *AS_OF)
        assert c.stdout.replace(str(copy), "X") == a.stdout.replace(str(original), "X")
        assert "Employee ID" not in c.stderr
    pay = b.write(tmp_path / "pay.xlsx", shared(PAY_RANGES))
    assert (dataclasses.replace(read_pay_settings(pay), source_file=None)
            == dataclasses.replace(read_pay_settings(PAY_RANGES), source_file=None))
    fw = write(tmp_path / "fw" / BES_FRAMEWORK.name, shared(BES_FRAMEWORK))
    a = run_cli("validate-framework", BES_FRAMEWORK)
    c = run_cli("validate-framework", fw)
    assert c.stdout.replace(str(fw), "X") == a.stdout.replace(str(BES_FRAMEWORK), "X")
    dec = b.write(tmp_path / "dec.xlsx", shared(DECISIONS))
    assert ([d.__dict__ | {"file": None} for d in read_decisions(dec)]
            == [d.__dict__ | {"file": None} for d in read_decisions(DECISIONS)])


# ----------------------------------------------------------------- each reader


# the part, and the words the one line names it by (written out by hand)
ESTIMATE_PARTS = {
    "xl/sharedStrings.xml": "the workbook's shared strings (the text of its cells) (part "
                            "xl/sharedStrings.xml) declare",
    "xl/worksheets/sheet1.xml": "one of the workbook's sheets (part xl/worksheets/sheet1.xml) declares",
    "xl/workbook.xml": "the workbook's list of sheets (part xl/workbook.xml) declares",
    "xl/styles.xml": "the workbook's styles (cell formats) (part xl/styles.xml) declare",
    "xl/tables/table1.xml": "a table in the workbook (part xl/tables/table1.xml) declares",
    "xl/theme/theme1.xml": "the workbook's theme (colours and fonts) (part xl/theme/theme1.xml) declares",
    "docProps/core.xml": "the file's properties (title, author and the like) (part "
                         "docProps/core.xml) declare",
    "[Content_Types].xml": "the file's list of contents (part [Content_Types].xml) declares",
    "xl/_rels/workbook.xml.rels": "the file's internal links (part xl/_rels/workbook.xml.rels) declare",
}


def refused(words: str) -> str:
    return (f"{words} XML entities, which Excel never writes (an entity-expansion or "
            f"external-entity attack): refused" + HINT)


@pytest.mark.parametrize("part", list(ESTIMATE_PARTS))
def test_estimates_reader_refuses_entities_in_any_part_before_calamine(tmp_path, part):
    f = hostile(tmp_path, SAMPLE, part)
    proc = run_cli("validate-estimates", f, "--feedback", tmp_path / "fb.xlsx", *AS_OF)
    assert proc.returncode == 2
    assert one_line(proc) == f"medpay: {f}: " + refused(ESTIMATE_PARTS[part])
    assert not (tmp_path / "fb.xlsx").exists()


def test_pay_ranges_reader_refuses_entities_in_the_shared_strings(tmp_path):
    pay = hostile(tmp_path, PAY_RANGES)
    proc = run_cli("cost", SAMPLE, "--pay-ranges", pay, "--out", tmp_path / "cost.xlsx", *AS_OF)
    assert proc.returncode == 2
    assert one_line(proc) == f"medpay: {pay}: " + SHARED
    assert not (tmp_path / "cost.xlsx").exists()


def test_framework_reader_refuses_entities_in_the_shared_strings(tmp_path):
    fw = hostile(tmp_path, BES_FRAMEWORK)
    proc = run_cli("validate-framework", fw)
    assert proc.returncode == 2
    assert one_line(proc) == f"medpay: {fw}: " + SHARED
    proc = run_cli("validate-estimates", SAMPLE, "--framework", fw, *AS_OF)
    assert (proc.returncode, one_line(proc)) == (2, f"medpay: {fw}: " + SHARED)


def test_decisions_reader_refuses_entities_in_the_shared_strings(tmp_path):
    dec = hostile(tmp_path, DECISIONS)
    proc = run_cli("letters", "--decisions", dec, "--out", tmp_path / "letters", *AS_OF)
    assert proc.returncode == 2
    assert one_line(proc) == f"medpay: {dec}: " + SHARED
    assert not list((tmp_path / "letters").glob("*.docx"))


def test_decisions_reader_refuses_entities_in_a_sheet(tmp_path):
    dec = hostile(tmp_path, DECISIONS, "xl/worksheets/sheet1.xml")
    with pytest.raises(InputError) as err:
        read_decisions(dec)
    assert err.value.one_line() == f"{dec}: " + refused(ESTIMATE_PARTS["xl/worksheets/sheet1.xml"])


def test_feedback_writer_refuses_to_open_a_hostile_submission(tmp_path):
    # the writer is also reached without the reader first (the batch's workers, the ribbon)
    f = hostile(tmp_path, SAMPLE)
    with pytest.raises(InputError) as err:
        write_feedback_copy(f, tmp_path / "fb.xlsx", [])
    assert err.value.one_line() == f"{f}: " + SHARED
    assert not (tmp_path / "fb.xlsx").exists()


def test_batch_lists_a_hostile_submission_and_goes_on(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLE, inbox / "good.xlsx")
    hostile(inbox, SAMPLE, name="bad.xlsx")
    out = tmp_path / "out"
    proc = run_cli("batch", inbox, "--out", out, "--jobs", "2", *AS_OF)
    assert proc.returncode == 1
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    bad = next(f for f in summary["files"] if f["file"] == "bad.xlsx")
    assert (bad["status"], bad["reason"]) == ("unreadable", "bad.xlsx: " + SHARED)
    assert not (out / "feedback" / "bad.xlsx").exists()
    assert (out / "feedback" / "good.xlsx").exists()
    assert f"unreadable: bad.xlsx: {SHARED}" in proc.stderr.splitlines()


def test_batch_with_hostile_pay_ranges_does_not_start(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLE, inbox / "good.xlsx")
    pay = hostile(tmp_path, PAY_RANGES)
    proc = run_cli("batch", inbox, "--out", tmp_path / "out", "--pay-ranges", pay, *AS_OF)
    assert proc.returncode == 2
    assert one_line(proc) == f"medpay: {pay}: " + SHARED
    assert not (tmp_path / "out" / "summary.json").exists()


def test_workbook_with_utf32_entities_is_refused_too(tmp_path):
    # lxml reads UTF-32 and expands its entities: the scan looks for UTF-32 markers too
    f = b.write(tmp_path / "team.xlsx", b.utf32_entity_workbook())
    with pytest.raises(InputError) as err:
        read_pay_settings(f)
    assert err.value.one_line() == f"{f}: " + SHARED


# ----------------------------------------------------------------- forms (documents)

DOC_PARTS = {
    "word/document.xml": "the document's text (part word/document.xml) declares",
    "word/settings.xml": "the document's settings (part word/settings.xml) declare",
    "word/styles.xml": "the document's styles (part word/styles.xml) declare",
    "docProps/custom.xml": "the file's properties (title, author and the like) (part "
                           "docProps/custom.xml) declare",
}


@pytest.mark.parametrize("part", list(DOC_PARTS))
def test_harvest_refuses_a_form_declaring_entities_in_any_part(tmp_path, part):
    forms = tmp_path / "forms"
    proc = run_cli("forms", "pdp", "--estimates", SAMPLE, "--out", forms, *AS_OF)
    assert proc.returncode in (0, 1), proc.stderr
    form = sorted(forms.glob("*.docx"))[0]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    b.write(inbox / "filled.docx", b.entities_in(form.read_bytes(), part))
    proc = run_cli("harvest", inbox, "--out", tmp_path / "forms.xlsx", "--json")
    # like a bad submission in the batch, a bad form is listed and the harvest goes on
    found = json.loads(proc.stdout)
    assert found["forms"] == []
    assert [(f["file"], f["code"], f["message"]) for f in found["findings"]] == [(
        "filled.docx", "FORM-UNREADABLE",
        f"{DOC_PARTS[part]} XML entities, which Word never writes (an entity-expansion "
        "or external-entity attack): refused; skipped")]
