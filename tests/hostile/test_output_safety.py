"""Output safety: names built from spreadsheet values stay in the output folder and are
legal on Windows; outputs are never overwritten without --force; a failure mid-write
leaves no temporary file and keeps the old output; two runs into one folder never
interleave (a real second process is refused by the lock)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import unicodedata
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from addin.core.errors import OutputError
from addin.office.safeio import (
    MAX_NAME,
    FolderLock,
    atomic_save,
    atomic_write_bytes,
    atomic_write_text,
    inside,
    safe_filename,
)

from ..conftest import ROOT, WORKBOOKS, run_cli

RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[1-9¹²³]|LPT[1-9¹²³])$", re.IGNORECASE)


def assert_windows_safe(name: str) -> None:
    assert name and len(name) <= MAX_NAME
    assert not re.search(r'[<>:"/\\|?*\x00-\x1f]', name), name
    assert name not in (".", "..") and ".." not in name
    assert not name.endswith((" ", ".")), name
    assert not RESERVED.match(name.split(".")[0].rstrip(" ")), name
    assert not any(unicodedata.category(ch) in ("Cf", "Zl", "Zp", "Cs") for ch in name), name


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("../x", "x"),
        ("../../etc/passwd", "etc_passwd"),
        ("..\\..\\Windows\\win.ini", "Windows_win.ini"),
        ("/abs/path.docx", "abs_path.docx"),
        ("C:\\Users\\x.docx", "C__Users_x.docx"),
        ("CON", "_CON"),
        ("con.docx", "_con.docx"),
        ("CON .docx", "_CON .docx"),
        ("COM¹.txt", "_COM¹.txt"),
        ("LPT9", "_LPT9"),
        ("a:b", "a_b"),
        ("Name. . .", "Name"),
        ("nul\x00byte.docx", "nul_byte.docx"),
        ("report\u202egpj.exe", "reportgpj.exe"),  # right-to-left override removed
        ("  ..  ", "unnamed"),
        ("tab\there", "tab_here"),
    ],
)
def test_names_from_spreadsheet_values_are_made_safe(raw, expected, tmp_path):
    assert safe_filename(raw) == expected
    assert_windows_safe(safe_filename(raw))
    assert inside(tmp_path, raw).parent == tmp_path.resolve()


def test_a_300_character_name_is_cut_keeping_its_extension():
    name = safe_filename("Ö" * 300 + " Application.docx")
    assert len(name) == MAX_NAME and name.endswith(".docx")


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=400))
def test_no_name_escapes_the_output_folder_or_is_illegal_on_windows(raw):
    folder = Path("/tmp/medpay-out-prop")
    name = safe_filename(raw)
    assert_windows_safe(name)
    target = inside(folder, raw)
    assert target.parent == folder.resolve()


def test_existing_output_is_not_overwritten_without_force(tmp_path):
    out = tmp_path / "report.xlsx"
    out.write_bytes(b"old")
    with pytest.raises(OutputError) as err:
        atomic_write_bytes(out, b"new")
    assert err.value.one_line() == (
        f"{out}: output already exists (choose another name or pass --force to replace it)")
    assert out.read_bytes() == b"old"
    atomic_write_bytes(out, b"new", force=True)
    assert out.read_bytes() == b"new"


def test_failure_mid_write_leaves_no_temp_file_and_keeps_the_old_output(tmp_path):
    out = tmp_path / "consolidated.xlsx"
    out.write_bytes(b"yesterday's complete report")
    seen: list[Path] = []

    def save(tmp: Path) -> None:
        seen.append(tmp)
        wb = openpyxl.Workbook()
        wb.save(tmp)  # a complete file on disk...
        with open(tmp, "ab") as fh:
            fh.write(b"half of the next part")
        raise RuntimeError("disk full")  # ...then the run dies mid-write

    with pytest.raises(RuntimeError, match="disk full"):
        atomic_save(out, save, force=True)
    assert seen and seen[0].parent == tmp_path and seen[0].name.startswith(".~medpay-")
    assert not seen[0].exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["consolidated.xlsx"]
    assert out.read_bytes() == b"yesterday's complete report"


def test_interrupt_mid_write_also_cleans_up(tmp_path):
    out = tmp_path / "a.txt"

    def save(tmp: Path) -> None:
        tmp.write_text("partial")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_save(out, save)
    assert list(tmp_path.iterdir()) == []


def test_symlink_planted_as_an_output_is_replaced_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    link = out_dir / "report.txt"
    link.symlink_to(victim)
    with pytest.raises(OutputError):
        atomic_write_text(link, "x")  # exists: refused without --force
    atomic_write_text(link, "report", force=True)
    assert victim.read_text() == "precious"
    assert not link.is_symlink() and link.read_text() == "report"


# ----------------------------------------------------------------- real commands


def _estimates_with_names(tmp_path: Path, names: list[str]) -> Path:
    wb = openpyxl.load_workbook(WORKBOOKS / "samples" / "finance-business-support.xlsx")
    ws = wb["Estimates"]
    for row, name in enumerate(names, start=2):
        ws.cell(row=row, column=2).value = name
        ws.cell(row=row, column=2).data_type = "s"
    p = tmp_path / "team.xlsx"
    wb.save(p)
    return p


HOSTILE_NAMES = ["../../escaped", "CON", "a:b", "Trailing dots...", "x" * 300, "nul\x00name"]


def test_forms_named_from_hostile_employee_names_stay_in_the_output_folder(tmp_path):
    src = _estimates_with_names(tmp_path, [n.replace("\x00", "") for n in HOSTILE_NAMES[:5]] + ["=HYPERLINK(\"http://x\",\"click\")"])
    # the output folder sits three levels inside tmp_path, so a name that climbed out of
    # it ("../../escaped") would still land inside tmp_path, where the check below looks;
    # nothing outside this test's own tmp_path is looked at (other tests' folders may be
    # named "...escaped...")
    out = tmp_path / "a" / "b" / "c" / "forms"
    r = run_cli("forms", "application", "--estimates", src, "--out", out, "--as-of", "2026-11-20")
    assert r.returncode in (0, 1), r.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    for p in written:
        assert p == src or out.resolve() in p.resolve().parents, p
        if p != src:
            assert_windows_safe(p.name)
    assert not [p for p in tmp_path.rglob("*escaped*") if out.resolve() not in p.resolve().parents]
    docs = sorted(p.name for p in out.glob("*.docx"))
    assert docs, r.stdout + r.stderr
    assert not any(n.startswith(".~medpay-") for n in os.listdir(out))


def test_second_run_of_a_command_refuses_to_overwrite_its_outputs(tmp_path):
    src = WORKBOOKS / "samples" / "finance-business-support.xlsx"
    out = tmp_path / "cost.xlsx"
    first = run_cli("cost", src, "--out", out, "--as-of", "2026-11-20")
    assert first.returncode in (0, 1) and out.exists(), first.stderr
    before = out.read_bytes()
    second = run_cli("cost", src, "--out", out, "--as-of", "2026-11-20")
    assert second.returncode == 2
    assert second.stderr.strip() == (
        f"medpay: {out}: output already exists (choose another name or pass --force to replace it)")
    assert out.read_bytes() == before


# ----------------------------------------------------------------- the folder lock

HOLDER = """
import sys, time
from addin.office.safeio import FolderLock
with FolderLock(sys.argv[1]):
    print("locked", flush=True)
    sys.stdin.readline()  # hold until the test says "release"
"""


def _hold_lock(folder: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder)], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_batch_into_a_folder_another_process_is_writing_refuses_then_runs(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    sample = WORKBOOKS / "samples" / "finance-business-support.xlsx"
    (inbox / sample.name).write_bytes(sample.read_bytes())
    out = tmp_path / "out"
    holder = _hold_lock(out)
    try:
        r = run_cli("batch", inbox, "--out", out, "--as-of", "2026-11-20")
        assert r.returncode == 2
        assert r.stderr.strip().splitlines()[-1] == (
            f"medpay: {out}: another medpay run is writing to this folder (lock file .medpay.lock "
            "exists) (wait for it to finish, or delete .medpay.lock if no run is active)")
        assert sorted(os.listdir(out)) == [".medpay.lock"]  # nothing interleaved
    finally:
        holder.communicate("release\n", timeout=30)
    r = run_cli("batch", inbox, "--out", out, "--as-of", "2026-11-20")
    assert r.returncode in (0, 1), r.stderr
    assert not (out / ".medpay.lock").exists()


def test_two_batches_started_together_never_both_write(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for p in sorted((WORKBOOKS / "samples").glob("*.xlsx")):
        (inbox / p.name).write_bytes(p.read_bytes())
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "addin", "batch", str(inbox), "--out", str(out), "--as-of", "2026-11-20"]
    procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    refused = [e for rc, e in results if rc == 2 and "another medpay run is writing" in e]
    finished = [rc for rc, e in results if rc in (0, 1)]
    # Either the second found the lock, or it started after the first had finished and
    # then met the first one's outputs (no --force): never two writers at once.
    if len(finished) == 2:
        pytest.fail("both runs wrote into the same folder")
    assert len(finished) == 1
    assert refused or any("already exists" in e for rc, e in results if rc == 2)


def test_lock_left_by_a_killed_run_is_taken_over_with_one_line(tmp_path):
    holder = _hold_lock(tmp_path)
    dead = holder.pid
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    # the killed holder could not remove its file: it still names the dead process
    assert (tmp_path / ".medpay.lock").read_text().split()[:2] == [str(dead), socket.gethostname()]
    with FolderLock(tmp_path) as lock:
        assert lock.taken_over == (
            f"took over the lock {tmp_path / '.medpay.lock'} left by a medpay run that was "
            f"stopped (process {dead} on this computer, no longer running)")
        assert (tmp_path / ".medpay.lock").read_text().split()[0] == str(os.getpid())
    assert not (tmp_path / ".medpay.lock").exists()
    with FolderLock(tmp_path) as lock:  # a lock released normally leaves nothing to take over
        assert lock.taken_over is None


def test_lock_file_naming_a_live_process_is_refused_even_without_an_os_lock(tmp_path):
    # an older medpay held no OS lock: its file alone, naming a process that runs (this
    # one, with its own start time), must still keep a second run out
    from addin.office.safeio import _process_start

    me = os.getpid()
    (tmp_path / ".medpay.lock").write_text(f"{me} {socket.gethostname()} {_process_start(me)}")
    with pytest.raises(OutputError, match="another medpay run is writing to this folder"):
        with FolderLock(tmp_path):
            pass
    assert (tmp_path / ".medpay.lock").exists()


def test_lock_of_a_run_on_another_computer_is_never_taken_over(tmp_path):
    # a network drive may not share OS locks between computers: that run may be alive
    (tmp_path / ".medpay.lock").write_text("4242 some-other-pc 123")
    with pytest.raises(OutputError) as err:
        with FolderLock(tmp_path):
            pass
    assert err.value.one_line() == (
        f"{tmp_path}: another medpay run is writing to this folder (lock file .medpay.lock "
        "exists) (wait for it to finish, or delete .medpay.lock if no run is active)")
    assert (tmp_path / ".medpay.lock").read_text() == "4242 some-other-pc 123"


def test_commands_never_modify_their_inputs(tmp_path):
    src = tmp_path / "team.xlsx"
    src.write_bytes((WORKBOOKS / "samples" / "finance-business-support.xlsx").read_bytes())
    before = (src.read_bytes(), src.stat().st_mtime_ns)
    runs = [
        ["validate-estimates", src, "--feedback", tmp_path / "fb.xlsx"],
        ["cost", src, "--out", tmp_path / "c.xlsx"],
        ["forms", "pdp", "--estimates", src, "--out", tmp_path / "forms"],
    ]
    for args in runs:
        r = run_cli(*args, "--as-of", "2026-11-20")
        assert r.returncode in (0, 1), r.stderr
    assert (src.read_bytes(), src.stat().st_mtime_ns) == before
    assert not [p for p in tmp_path.rglob(".~medpay-*")]  # no temporary file left behind
