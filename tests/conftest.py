"""Shared fixtures: paths to the shipped workbooks and a runner for the real CLI."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKBOOKS = ROOT / "workbooks"
PAY_RANGES = WORKBOOKS / "pay-ranges.xlsx"
BES_FRAMEWORK = WORKBOOKS / "frameworks" / "business-and-executive-support.xlsx"


@pytest.fixture
def pay_ranges_path() -> Path:
    return PAY_RANGES


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``python -m addin`` as a user would; returns the completed process."""
    return subprocess.run(
        [sys.executable, "-m", "addin", *map(str, args)],
        capture_output=True, text=True, cwd=cwd or ROOT, timeout=timeout,
    )


@pytest.fixture
def cli():
    return run_cli


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_with_libreoffice(src: Path, fmt: str, outdir: Path) -> Path:
    """Convert a file headless with LibreOffice (installed by scripts/test); return the output."""
    exe = soffice()
    assert exe, "LibreOffice is not installed: run the tests through scripts/test"
    profile = outdir / ".lo-profile"
    subprocess.run(
        [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", fmt, "--outdir", str(outdir), str(src)],
        check=True, capture_output=True, timeout=240,
    )
    out = outdir / (src.stem + "." + fmt.split(":")[0])
    assert out.exists(), f"LibreOffice did not produce {out.name}"
    return out


# ----------------------------------------------------------------- run summary lines

_SUMMARY_LINES = pytest.StashKey[list]()


@pytest.fixture
def summary_line(request):
    """``summary_line("text")`` records a line printed in the terminal summary at the end
    of the run (``scripts/test`` output, no ``-s`` needed): e.g. how many cases the
    mutation fuzzer ran."""
    lines = request.config.stash.setdefault(_SUMMARY_LINES, [])
    return lines.append


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    lines = config.stash.get(_SUMMARY_LINES, [])
    if lines:
        terminalreporter.section("medpay")
        for line in lines:
            terminalreporter.write_line(line)
