"""A batch that is killed or interrupted (issue 21): the lock a killed run leaves is taken
over by the next run with one line, the killed run's workers end with it, the rerun's
outputs are byte-identical to a clean run's, and Ctrl-C stops the run at once (exit 130,
one line, no temporary or half-written file).

Real runs: ``python -m addin batch INBOX --out OUT --jobs 2`` in a subprocess over an
inbox of the shipped samples copied many times (a few seconds of work), killed when its
progress lines on stderr show the phase we want.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, WORKBOOKS

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="finds the workers through /proc")

COPIES = 40
AS_OF = "2026-11-20"
PROGRESS = "medpay batch: "


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("big") / "inbox"
    samples = sorted((WORKBOOKS / "samples").glob("*.xlsx"))
    for i in range(COPIES):
        folder = root / f"copy{i:02d}"
        folder.mkdir(parents=True)
        for p in samples:
            (folder / p.name).write_bytes(p.read_bytes())
    return root


def command(inbox: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "addin", "batch", str(inbox), "--out", str(out),
            "--jobs", "2", "--as-of", AS_OF, *extra]


def tree(folder: Path) -> dict[str, str]:
    """Every output's digest. The cache is left out: the inbox holds identical copies,
    whose shared entry names whichever copy a worker stored last (a cache, not an output)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and ".medpay-cache" not in p.relative_to(folder).parts}


@pytest.fixture(scope="module")
def clean(inbox, tmp_path_factory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("clean") / "out"
    proc = subprocess.run(command(inbox, out), cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode in (0, 1), proc.stderr
    return tree(out)


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process from /proc, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rpartition(")")[2].split()
    return fields[0], int(fields[1])


def children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            st = _stat(int(entry.name))
            if st and st[1] == pid:
                found.add(int(entry.name))
    return found


def running(pid: int) -> bool:
    st = _stat(pid)
    return st is not None and st[0] not in ("Z", "X")  # a zombie has ended


def start_and_wait_for(cmd: list[str], marker: str, **popen) -> tuple[subprocess.Popen, list[str], set[int]]:
    """Start the batch; read its progress until a line starts with ``marker``; return
    the process, the lines read, and the worker processes seen so far."""
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **popen)
    lines: list[str] = []
    workers: set[int] = set()
    for line in proc.stderr:
        lines.append(line.rstrip("\n"))
        workers |= children(proc.pid)
        if line.startswith(marker):
            return proc, lines, workers
    proc.wait()
    pytest.fail(f"the batch ended before {marker!r}: {lines[-3:]}")


def wait_until_gone(pids: set[int], seconds: float = 10) -> set[int]:
    """The processes still running after ``seconds``; those are then killed, so a
    failing test leaves no stray process on the machine."""
    deadline = time.monotonic() + seconds
    alive = {p for p in pids if running(p)}
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = {p for p in alive if running(p)}
    for pid in alive:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    return alive


@pytest.mark.parametrize("marker", [
    PROGRESS + f"reading {COPIES}/",            # reading and validating (workers busy)
    PROGRESS + "feedback 10/",                  # writing feedback copies (workers busy)
    PROGRESS + f"feedback {COPIES * 5}/",       # every copy written: the reports phase
], ids=["reading", "feedback", "reports"])
def test_batch_killed_partway_leaves_no_worker_and_a_rerun_matches_a_clean_run(
        inbox, clean, tmp_path, marker):
    out = tmp_path / "out"
    proc, _lines, workers = start_and_wait_for(command(inbox, out), marker)
    workers |= children(proc.pid)
    assert workers, "the run with --jobs 2 started worker processes"
    proc.kill()  # SIGKILL: no handler runs, the lock file stays
    proc.wait(timeout=30)
    proc.stdout.close()
    proc.stderr.close()
    assert (out / ".medpay.lock").read_text().split()[0] == str(proc.pid)
    # the workers notice their run is gone and end (parent-death signal / watchdog)
    assert wait_until_gone(workers) == set()

    rerun = subprocess.run(command(inbox, out, "--force"), cwd=ROOT, capture_output=True,
                           text=True, timeout=600)
    assert rerun.returncode in (0, 1), rerun.stderr
    told = [line for line in rerun.stderr.splitlines() if not line.startswith(PROGRESS)]
    assert told == [
        f"medpay: took over the lock {out / '.medpay.lock'} left by a medpay run that was "
        f"stopped (process {proc.pid} on this computer, no longer running)"]
    assert not (out / ".medpay.lock").exists()
    # byte for byte what a run that was never killed writes
    assert tree(out) == clean


def test_ctrl_c_stops_the_run_at_once_with_one_line_and_no_half_written_file(inbox, tmp_path):
    out = tmp_path / "out"
    # a terminal's Ctrl-C goes to the whole process group: the run and its workers
    proc, lines, workers = start_and_wait_for(command(inbox, out), PROGRESS + "feedback 5/",
                                              start_new_session=True)
    workers |= children(proc.pid)
    pressed = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    rest = proc.stderr.read()
    code = proc.wait(timeout=30)
    took = time.monotonic() - pressed
    proc.stdout.close()
    proc.stderr.close()
    assert code == 130
    assert took < 3, f"Ctrl-C took {took:.1f}s to stop the run"
    said = [line for line in rest.splitlines() if not line.startswith(PROGRESS)]
    assert said == ["medpay: interrupted; outputs already written are complete, nothing "
                    "half-written was kept"]
    assert wait_until_gone(workers, 5) == set()
    assert not (out / ".medpay.lock").exists()
    assert not list(out.rglob(".~medpay-*"))  # no temporary file left
    assert not (out / "summary.json").exists()  # the run did not finish
    for p in out.rglob("*.xlsx"):  # what is there is whole
        with zipfile.ZipFile(p) as z:
            assert z.testzip() is None, p


def test_interrupt_sent_to_the_run_alone_also_ends_its_workers(inbox, tmp_path):
    out = tmp_path / "out"
    proc, lines, workers = start_and_wait_for(command(inbox, out), PROGRESS + "reading 10/")
    workers |= children(proc.pid)
    proc.send_signal(signal.SIGINT)
    rest = proc.stderr.read()
    assert proc.wait(timeout=30) == 130
    proc.stdout.close()
    proc.stderr.close()
    assert [line for line in rest.splitlines() if not line.startswith(PROGRESS)] == [
        "medpay: interrupted; outputs already written are complete, nothing half-written was kept"]
    assert wait_until_gone(workers, 5) == set()
    assert not list(out.rglob(".~medpay-*"))
