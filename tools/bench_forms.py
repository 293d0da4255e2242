"""The forms benchmark (``scripts/benchmark``): medpay's render against a bare docxtpl
render of the same template and context, in the same run. A build/measure tool, not part
of the package users run."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from addin.core.form_context import application_context
from addin.core.model import CRITERIA, CriterionText, EstimateRow, Level, Role
from addin.office.docx.forms import FORM_KINDS, convert_to_pdf, render_bare, render_docx, template_path
from addin.office.xlsx.settings import read_pay_settings


def _bench_context() -> tuple[Path, dict[str, Any]]:
    role = Role("Administrative Assistant", 3, criteria={
        Level.B: {c: CriterionText(f"{c.value} at level B:\n- first point\n- second point") for c in CRITERIA}})
    row = EstimateRow(file="bench.xlsx", sheet="Estimates", row=2, employee_id="E0001",
                      employee_name="Seán O'Brien & <Sons>", team="Business Support",
                      directorate="Corporate", job_title="Administrative Assistant", range=3,
                      start_date=dt.date(2020, 4, 1), probation_passed=True,
                      current_level=Level.A, estimated_level=Level.B, manager="Jo Bloggs")
    ctx = application_context(row, role, "Business and Executive Support", read_pay_settings(),
                              dt.date(2025, 3, 1))
    return template_path(FORM_KINDS["application"]), ctx


def bench_forms(n: int = 20, *, clock: Callable[[], float] = time.perf_counter) -> dict[str, float]:
    """Forms per second: medpay's render (sandboxed strict render + finishing + hash)
    against a bare docxtpl render of the same application template and context, in the
    same run. Called by ``scripts/benchmark``; returns
    ``{"forms": n, "medpay_per_s": .., "bare_per_s": .., "ratio": medpay/bare}``."""
    if n < 1:
        raise ValueError("n must be at least 1")
    template, ctx = _bench_context()
    render_docx(template, ctx, form_type="application")  # warm-up (imports, caches)
    render_bare(template, ctx)
    t0 = clock()
    for _ in range(n):
        render_docx(template, ctx, form_type="application")
    t1 = clock()
    for _ in range(n):
        render_bare(template, ctx)
    t2 = clock()
    ours = n / max(t1 - t0, 1e-9)
    bare = n / max(t2 - t1, 1e-9)
    return {"forms": float(n), "medpay_per_s": ours, "bare_per_s": bare, "ratio": ours / bare}




def bench_pdf(n: int = 20, *, workdir: Path, clock: Callable[[], float] = time.perf_counter
              ) -> dict[str, float]:
    """PDFs per second for ``n`` rendered application forms: one LibreOffice process
    against one per core (``convert_to_pdf(jobs=...)``), in the same run."""
    template, ctx = _bench_context()
    docs = []
    for i in range(n):
        d = workdir / f"form{i:03}.docx"
        d.write_bytes(render_docx(template, ctx, form_type="application"))
        docs.append(d)
    cores = os.cpu_count() or 1
    rates = {}
    for label, jobs in (("one", 1), ("cores", cores)):
        out = workdir / f"pdf-{label}"
        out.mkdir()
        t0 = clock()
        convert_to_pdf(docs, out, jobs=jobs)
        rates[label] = n / max(clock() - t0, 1e-9)
    return {"forms": float(n), "cores": float(cores), "one_per_s": rates["one"],
            "cores_per_s": rates["cores"], "ratio": rates["cores"] / rates["one"]}
