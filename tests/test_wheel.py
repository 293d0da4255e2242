"""medpay as users install it: a wheel (``pip install .``, not editable) carries the
shipped workbooks and templates, so ``medpay demo`` works from any folder with no
checkout and no MEDPAY_HOME; an editable install finds the top-level folders HR edit.

SLOW (about 15-30 s): builds the wheel with pip (build isolation: setuptools comes from
the configured package index), makes fresh virtual environments and runs the demo there.
Deselect with ``-m "not slow"``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow


def _tracked_tree(dest: Path) -> Path:
    """A copy of the checkout as a release would see it: the files git tracks (and new
    ones not ignored), as they are in the working tree - never build/, .venv or caches,
    and the build's own build/ and egg-info land in the copy, not in the repository."""
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        capture_output=True, check=True, timeout=60).stdout.decode("utf-8").split("\0")
    for rel in filter(None, listed):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


def _clean_env() -> dict[str, str]:
    """The environment of a user's shell: no PYTHONPATH to a checkout, no MEDPAY_HOME."""
    drop = {"PYTHONPATH", "MEDPAY_HOME", "MEDPAY_PAY_RANGES", "PYTHONHOME"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def _pip(*args: str | Path, timeout: int = 180) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "pip", "--timeout", "30", *map(str, args)],
                          capture_output=True, text=True, env=_clean_env(), timeout=timeout)
    if proc.returncode and "No matching distribution found for setuptools" in proc.stdout + proc.stderr:
        pytest.skip("the package index offers no setuptools>=77 to build medpay with")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def _venv_with_our_dependencies(where: Path) -> Path:
    """A fresh virtual environment (no pip: the running pip installs into it) whose
    medpay dependencies come from the running interpreter's site-packages through a .pth
    file - the directory is appended to sys.path, so its own .pth files (an editable
    medpay of the checkout among them) are not run and cannot shadow the install."""
    venv.EnvBuilder(with_pip=False).create(where)
    python = where / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site) / "medpay-test-deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    return python


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    return _tracked_tree(tmp_path_factory.mktemp("src"))


def test_installed_wheel_runs_the_demo_from_another_folder(source, tmp_path):
    dist = tmp_path / "dist"
    _pip("wheel", "--no-deps", "-w", dist, source)
    (wheel,) = dist.glob("medpay-*.whl")
    with zipfile.ZipFile(wheel) as z:
        members = set(z.namelist())
    # every module of the package and every shipped file the package reads is in the wheel
    modules = {p.relative_to(source).as_posix() for p in (source / "addin").rglob("*.py")}
    shipped = {f"addin/_shipped/{p.relative_to(source).as_posix()}"
               for pattern in ("workbooks/**/*.xlsx", "templates/*.docx")
               for p in source.glob(pattern)}
    assert "addin/_shipped/workbooks/pay-ranges.xlsx" in shipped
    assert "addin/_shipped/templates/application.docx" in shipped
    assert sorted((modules | shipped) - members) == []
    metadata = next(m for m in members if m.endswith(".dist-info/METADATA"))
    with zipfile.ZipFile(wheel) as z:
        assert "License-Expression: MIT" in z.read(metadata).decode().splitlines()

    python = _venv_with_our_dependencies(tmp_path / "venv")
    _pip("--python", python, "install", "--no-deps", "--no-compile", wheel)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run([python, "-c", "import addin; print(addin.__file__)"], cwd=elsewhere,
                           capture_output=True, text=True, env=_clean_env(), timeout=60)
    assert Path(where.stdout.strip()).is_relative_to(tmp_path / "venv"), where.stdout + where.stderr

    medpay = python.parent / ("medpay.exe" if os.name == "nt" else "medpay")
    run = subprocess.run([medpay, "demo", "--out", "out", "--as-of", "2026-11-22"], cwd=elsewhere,
                         capture_output=True, text=True, env=_clean_env(), timeout=240)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    out = elsewhere / "out"
    assert f"Demo outputs are in {out.resolve()}" in run.stdout
    assert (out / "batch" / "cmt-report.xlsx").is_file()
    assert (out / "frameworks" / "business-and-executive-support.docx").is_file()
    assert any((out / "forms" / "application").glob("*.docx"))
    assert any((out / "letters").glob("*.docx"))
    # the shipped files were read from the installed package, not from a checkout
    assert str(tmp_path / "venv") in run.stdout and str(ROOT) not in run.stdout


def test_editable_install_finds_the_top_level_folders_hr_edit(source, tmp_path):
    python = _venv_with_our_dependencies(tmp_path / "venv")
    _pip("--python", python, "install", "--no-deps", "--no-compile", "-e", source)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    probe = ("from addin.office import resources as r\n"
             "print(r.workbooks_dir()); print(r.templates_dir()); print(r.default_frameworks()[0])")
    proc = subprocess.run([python, "-c", probe], cwd=elsewhere, capture_output=True, text=True,
                          env=_clean_env(), timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        str(source / "workbooks"), str(source / "templates"),
        str(source / "workbooks" / "frameworks" / "business-and-executive-support.xlsx")]
