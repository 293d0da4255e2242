"""The xlwings Lite bundle is a build output: scripts/build_lite writes it into build/lite/
(gitignored), never into the package, and generating it is deterministic: tracked files
only, sorted, no timestamps, \\n line endings."""

from __future__ import annotations

import subprocess
import sys

import pytest

from addin.core.errors import OutputError
from tests.conftest import ROOT
from tools import build_lite as lite_build


def test_the_bundle_is_built_into_a_gitignored_build_folder_not_committed_in_the_package(tmp_path):
    assert lite_build.LITE_DIR == ROOT / "build" / "lite"
    for name in ("main.py", "requirements.txt"):
        ignored = subprocess.run(["git", "-C", str(ROOT), "check-ignore", "-q", f"build/lite/{name}"],
                                 timeout=60)
        assert ignored.returncode == 0, f"build/lite/{name} is not gitignored"
    tracked = subprocess.run(["git", "-C", str(ROOT), "ls-files", "--", "addin", "build"],
                             capture_output=True, text=True, check=True, timeout=60).stdout.split()
    assert not [p for p in tracked if p.startswith("build/") or "/lite/" in p]
    written = lite_build.build(tmp_path / "lite")
    assert written == [tmp_path / "lite" / "main.py", tmp_path / "lite" / "requirements.txt"]
    assert written[0].read_text().startswith('"""MedPay for xlwings Lite: ')
    assert written[1].read_text() == "xlwings\nopenpyxl\nholidays\ndefusedxml\npython-calamine\n"


def test_two_builds_give_the_same_bytes(tmp_path):
    first = [p.read_bytes() for p in lite_build.build(tmp_path / "a")]
    second = [p.read_bytes() for p in lite_build.build(tmp_path / "b")]
    assert first == second


def _git(repo, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_only_files_git_tracks_are_bundled_in_sorted_order_with_unix_line_endings(tmp_path):
    pkg = tmp_path / "addin"
    (pkg / "excel").mkdir(parents=True)
    (pkg / "commands").mkdir()
    files = {
        "addin/__init__.py": b"",
        "addin/zeta.py": b"Z = 1\r\nY = 2\r\n",
        "addin/alpha.py": b"A = 1\n",
        "addin/excel/__init__.py": b"",
        "addin/excel/udfs.py": b"U = 1\n",
        "addin/commands/cost.py": b"C = 1\n",        # CLI commands: not for Excel
        "addin/cli.py": b"",
        "addin/notes.txt": b"not python\n",
    }
    for rel, data in files.items():
        (tmp_path / rel).write_bytes(data)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", *files)
    (pkg / "scratch.py").write_bytes(b"S = 1\n")  # untracked: never bundled
    (pkg / "deleted.py").write_bytes(b"D = 1\n")
    _git(tmp_path, "add", "addin/deleted.py")
    (pkg / "deleted.py").unlink()  # tracked but gone from the working tree: skipped
    got = lite_build.bundled_modules(tmp_path)
    assert list(got) == ["addin", "addin.alpha", "addin.excel", "addin.excel.udfs", "addin.zeta"]
    assert got["addin.zeta"] == ("Z = 1\nY = 2\n", False)
    assert got["addin"] == ("", True) and got["addin.excel"] == ("", True)


def test_outside_a_git_checkout_the_build_says_so_in_one_line(tmp_path):
    (tmp_path / "addin").mkdir()
    with pytest.raises(OutputError) as exc:
        lite_build.bundled_modules(tmp_path)
    assert "run scripts/build_lite in a git checkout" in exc.value.one_line()


def test_build_lite_check_reports_stale_files(tmp_path):
    script = [sys.executable, str(ROOT / "scripts" / "build_lite")]
    built = subprocess.run([*script, "--dir", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    assert built.stdout.splitlines() == [f"wrote {tmp_path / 'main.py'}",
                                         f"wrote {tmp_path / 'requirements.txt'}"]
    check = [*script, "--check", "--dir", str(tmp_path)]
    ok = subprocess.run(check, capture_output=True, text=True, timeout=300)
    assert (ok.returncode, ok.stderr) == (0, "")
    (tmp_path / "main.py").write_text("# edited by hand\n")
    (tmp_path / "requirements.txt").unlink()
    assert lite_build.stale(tmp_path) == ["main.py", "requirements.txt"]
    bad = subprocess.run(check, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 1
    assert bad.stderr.splitlines() == [f"{tmp_path / 'main.py'} is stale: run scripts/build_lite",
                                       f"{tmp_path / 'requirements.txt'} is stale: run scripts/build_lite"]
