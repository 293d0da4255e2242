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
def test_mutated_workbooks_end_in_a_result_or_a_clean_error(tmp_path, target):
    seeds = [s for s in mutate.default_seeds() if s[0] == target]
    out = run_bounded(_run, seeds, CASES // 4, 7, tmp_path, seconds=600)
    assert out.error_type is None, str(out)
    ran, line, failures = ast.literal_eval(out.value)
    print(f"\n[{target}] {line}")
    assert ran == CASES // 4
    assert failures == [], "\n".join(failures)


@pytest.mark.parametrize("target", ["form", "decisions"])
def test_mutated_forms_and_decisions_end_in_a_result_or_a_clean_error(tmp_path, forms_dir, target):
    seeds = [s for s in mutate.default_seeds(forms_dir) if s[0] == target]
    out = run_bounded(_run, seeds, CASES // 4, 11, tmp_path, seconds=600)
    assert out.error_type is None, str(out)
    ran, line, failures = ast.literal_eval(out.value)
    print(f"\n[{target}] {line}")
    assert ran == CASES // 4
    assert failures == [], "\n".join(failures)
