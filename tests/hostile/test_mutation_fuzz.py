"""A seeded mutation fuzzer over the real sample workbooks and generated Word forms (see
tests/hostile/mutate.py; scripts/fuzz runs thousands of cases): every mutated file read
by the reader that really reads it ends in a result or a clean one-line MedpayError
naming the file, within a per-case time limit, in a memory-capped child process."""

from __future__ import annotations

import ast

import pytest

from . import mutate
from .bounded import run_bounded

CASES = 200


@pytest.fixture(scope="module")
def forms_dir(tmp_path_factory):
    return mutate.make_forms(tmp_path_factory.mktemp("forms"))


def _run(seeds, cases, seed, workdir):
    s = mutate.fuzz(seeds, cases, seed=seed, workdir=workdir, per_case_seconds=20)
    return s.ran, s.line(), s.failures[:10]


@pytest.mark.parametrize("target", ["pay-ranges", "framework", "estimates", "workbook"])
def test_mutated_workbooks_end_in_a_result_or_a_clean_error(tmp_path, target, summary_line):
    seeds = [s for s in mutate.default_seeds() if s[0] == target]
    out = run_bounded(_run, seeds, CASES // 4, 7, tmp_path, seconds=600)
    assert out.error_type is None, str(out)
    ran, line, failures = ast.literal_eval(out.value)
    print(f"\n[{target}] {line}")
    summary_line(f"[{target}] {line}")  # shown at the end of the run, without -s
    assert ran == CASES // 4
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("target", ["form", "initial-assessment", "assessments", "decisions"])
def test_mutated_forms_and_decisions_end_in_a_result_or_a_clean_error(tmp_path, forms_dir, target,
                                                                       summary_line):
    seeds = [s for s in mutate.default_seeds(forms_dir) if s[0] == target]
    out = run_bounded(_run, seeds, CASES // 4, 11, tmp_path, seconds=600)
    assert out.error_type is None, str(out)
    ran, line, failures = ast.literal_eval(out.value)
    print(f"\n[{target}] {line}")
    summary_line(f"[{target}] {line}")
    assert ran == CASES // 4
    assert failures == [], "\n".join(failures)


SUMMARY_PROBE = """
def test_records(summary_line):
    summary_line("[probe] mutation fuzz: 3 cases ran (ok 3); 0 failures; slowest case 0.01s")
"""


def test_the_case_count_is_in_the_normal_test_output(tmp_path):
    """Without -s pytest swallows the print above; the count must still reach the output
    of scripts/test - through tests/conftest.py's terminal summary."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    (tmp_path / "tests").mkdir()
    shutil.copy(root / "tests" / "conftest.py", tmp_path / "tests" / "conftest.py")
    (tmp_path / "tests" / "test_probe.py").write_text(SUMMARY_PROBE)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "[probe] mutation fuzz: 3 cases ran" in proc.stdout, proc.stdout
