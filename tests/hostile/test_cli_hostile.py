"""Never a traceback: every ``medpay`` subcommand (discovered from ``medpay --help``) is
run as a user would on each hostile file, in each place the command takes a file. A file
the command cannot read gives exactly ONE line on stderr naming the file, and exit
status 2; ``--debug`` adds the traceback. Batch and harvest, which carry on past a bad
file by design, must name it in their report and still finish."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ..conftest import BES_FRAMEWORK, WORKBOOKS, run_cli
from . import builders as b

SAMPLE = WORKBOOKS / "samples" / "finance-business-support.xlsx"
AS_OF = ("--as-of", "2026-11-20")

HOSTILE_WORKBOOKS = {
    "billion-laughs": (lambda: b.entity_workbook("xl/sharedStrings.xml", b.BILLION_LAUGHS, "lol9"),
                       "shared strings (the text of its cells) (part xl/sharedStrings.xml) declare "
                       "XML entities, which Excel never writes"),
    "xxe": (lambda: b.entity_workbook("xl/workbook.xml", b.XXE, "xxe"),
            "the workbook's list of sheets (part xl/workbook.xml) declares XML entities"),
    "zip-bomb": (lambda: b.ratio_bomb(20), "(a zip bomb); refused"),
    "encrypted": (lambda: b.encrypted_office_file(b.plain_workbook_bytes()), "password-protected"),
    "csv-renamed": (lambda: b"Employee ID,Name\n1,Ann\n", "text or CSV file"),
    "docx-renamed": (b.plain_docx_bytes, "file is a Word document"),
    "truncated": (lambda: b.plain_workbook_bytes()[:2000], "damaged or truncated"),
    "empty": (lambda: b"", "file is empty"),
    "cell-at-XFD1048576": (lambda: b.one_cell_workbook("XFD1048576"), "has a cell at XFD1048576"),
    "5000-sheets": (lambda: b.sheets_claimed_in_workbook_xml(5000), "5000 sheets"),
}
HOSTILE_DOCUMENTS = {
    "billion-laughs": (lambda: b.entity_docx("word/document.xml", b.BILLION_LAUGHS, "lol9"),
                       "the document's text (part word/document.xml) declares XML entities, "
                       "which Word never writes"),
    "xxe-settings": (lambda: b.entity_docx("word/settings.xml", b.XXE, "xxe"),
                     "the document's settings (part word/settings.xml) declare XML entities"),
    "encrypted": (lambda: b.encrypted_office_file(b.plain_docx_bytes()), "password-protected"),
    "xlsx-renamed": (b.plain_workbook_bytes, "file is an Excel workbook"),
}


def commands() -> list[str]:
    """Every leaf command, e.g. 'cost', 'framework show', 'render framework'."""
    def names(*prefix: str) -> list[str]:
        out = run_cli(*prefix, "--help").stdout
        block = out.split("positional arguments:", 1)[1].split("options:", 1)[0]
        return re.findall(r"^    (\S+)", block, re.MULTILINE)

    leaves = []
    for name in names():
        subs = names(name) if re.search(r"^usage: medpay \S+ \[-h\] [A-Z]+ \.\.\.$",
                                         run_cli(name, "--help").stdout, re.MULTILINE) else []
        leaves += [f"{name} {s}" for s in subs] if subs else [name]
    return leaves


def invocations(f: Path, d: Path) -> dict[str, list[list[str]]]:
    """Where each command takes an untrusted workbook ``f``; outputs go under ``d``."""
    return {
        "batch": [],  # carries on past bad files: see test_batch_names_every_hostile_file
        "cost": [["cost", f, "--out", d / "c.xlsx", *AS_OF],
                 ["cost", SAMPLE, "--pay-ranges", f, *AS_OF],
                 ["cost", SAMPLE, "--framework", f, *AS_OF]],
        "demo": [],  # runs the other commands in turn: see test_demo_with_a_hostile_pay_ranges_file
        "forms": [["forms", "application", "--estimates", f, "--out", d / "forms", *AS_OF],
                  ["forms", "pdp", "--estimates", SAMPLE, "--framework", f, "--out", d / "f2", *AS_OF]],
        "framework show": [["framework", "show", f]],
        "harvest": [],  # carries on past bad files: see test_harvest_names_every_hostile_form
        "letters": [["letters", "--decisions", f, "--out", d / "letters", *AS_OF],
                    ["letters", "--decisions", WORKBOOKS / "decisions" / "sample-decisions.xlsx",
                     "--pay-ranges", f, "--out", d / "l2", *AS_OF]],
        "payroll": [["payroll", "--estimates", f, "--assessments", WORKBOOKS / "frameworks",
                     "--out", d / "p1", *AS_OF],
                    ["payroll", "--estimates", SAMPLE, "--assessments", f, "--out", d / "p2", *AS_OF],
                    ["payroll", "--estimates", SAMPLE, "--assessments", WORKBOOKS / "frameworks",
                     "--decisions", f, "--out", d / "p3", *AS_OF],
                    ["payroll", "--estimates", SAMPLE, "--assessments", WORKBOOKS / "frameworks",
                     "--pay-ranges", f, "--out", d / "p4", *AS_OF]],
        "render framework": [["render", "framework", f, "--out", d / "r.docx"]],
        "template estimates": [["template", "estimates", "--framework", f, "--out", d / "t.xlsx"],
                               ["template", "estimates", "--pay-ranges", f, "--out", d / "t2.xlsx"]],
        "template framework": [],  # reads no input file
        "validate-estimates": [["validate-estimates", f, "--feedback", d / "fb.xlsx", *AS_OF],
                               ["validate-estimates", SAMPLE, "--framework", f, *AS_OF]],
        "validate-framework": [["validate-framework", f, "--feedback", d / "fb2.xlsx"]],
    }


def test_every_discovered_command_is_covered():
    found = commands()
    covered = set(invocations(Path("f"), Path("d")))
    assert "cost" in found and "framework show" in found
    assert sorted(set(found) - covered) == [], "add the new command to invocations()"


@pytest.mark.parametrize("case", list(HOSTILE_WORKBOOKS))
def test_every_command_gives_one_line_and_exit_2_on_a_hostile_workbook(tmp_path, case):
    build, phrase = HOSTILE_WORKBOOKS[case]
    f = b.write(tmp_path / "hostile.xlsx", build())
    failures = []
    for _command, calls in invocations(f, tmp_path / "out").items():
        for args in calls:
            r = run_cli(*args, timeout=120)
            lines = r.stderr.strip().splitlines()
            ok = (r.returncode == 2 and len(lines) == 1 and lines[0].startswith(f"medpay: {f}")
                  and phrase in lines[0])
            if not ok:
                failures.append(f"{' '.join(map(str, args))}: exit {r.returncode}: {r.stderr[-400:]!r}")
    assert failures == []
    assert not (tmp_path / "out").exists() or not any(
        p.is_file() and not p.name.startswith(".") for p in (tmp_path / "out").rglob("*")
    ), "no output may be written from an unreadable input"


def test_demo_with_a_hostile_pay_ranges_file_never_shows_a_traceback(tmp_path):
    f = b.write(tmp_path / "pay.xlsx", b.entity_workbook("xl/workbook.xml", b.XXE, "xxe"))
    r = run_cli("demo", "--pay-ranges", f, "--out", tmp_path / "demo", *AS_OF, timeout=300)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert lines and "Traceback" not in r.stderr
    bad = [ln for ln in lines if ln.startswith("medpay:")]
    assert bad and all(ln.startswith(
        f"medpay: {f}: the workbook's list of sheets (part xl/workbook.xml) declares XML entities") for ln in bad)


def test_debug_shows_the_traceback_instead(tmp_path):
    f = b.write(tmp_path / "hostile.xlsx", b.ratio_bomb(20))
    r = run_cli("cost", f, "--debug", *AS_OF)
    assert r.returncode == 2
    assert "Traceback (most recent call last)" in r.stderr and "InputError" in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith(f"medpay: {f}: part xl/worksheets/sheet1.xml expands")


def test_batch_names_every_hostile_file_and_still_finishes(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "good.xlsx").write_bytes(SAMPLE.read_bytes())
    for case, (build, _) in HOSTILE_WORKBOOKS.items():
        (inbox / f"{case}.xlsx").write_bytes(build())
    out = tmp_path / "out"
    r = run_cli("batch", inbox, "--out", out, *AS_OF, timeout=300)
    assert r.returncode in (0, 1), r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    for case, (_, phrase) in HOSTILE_WORKBOOKS.items():
        assert re.search(rf"{re.escape(case)}\.xlsx: [^\n]*{re.escape(phrase)}", r.stderr + r.stdout), case
    assert (out / "consolidated.xlsx").exists()
    assert not (out / ".medpay.lock").exists()


def test_harvest_names_every_hostile_form_and_still_finishes(tmp_path):
    folder = tmp_path / "forms"
    folder.mkdir()
    for case, (build, _) in HOSTILE_DOCUMENTS.items():
        (folder / f"{case}.docx").write_bytes(build())
    r = run_cli("harvest", folder, "--out", tmp_path / "h.xlsx", timeout=120)
    assert r.returncode in (0, 1), r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    for case, (_, phrase) in HOSTILE_DOCUMENTS.items():
        assert re.search(rf"{re.escape(case)}\.docx: [^\n]*{re.escape(phrase)}", r.stderr + r.stdout), case


@pytest.mark.parametrize("case", list(HOSTILE_DOCUMENTS))
def test_hostile_word_template_gives_one_line(tmp_path, case):
    build, phrase = HOSTILE_DOCUMENTS[case]
    t = b.write(tmp_path / "framework.docx", build())
    r = run_cli("render", "framework", BES_FRAMEWORK, "--template", t, "--out", tmp_path / "r.docx")
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1, r.stderr
    assert lines[0].startswith(f"medpay: {t}") and phrase in lines[0]
    assert not (tmp_path / "r.docx").exists()
