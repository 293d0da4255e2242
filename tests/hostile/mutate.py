"""A mutation fuzzer over real Office files, shared by tests/hostile/test_mutation_fuzz.py
(a modest, seeded run in the suite) and scripts/fuzz (thousands of cases).

Each case takes a real seed file (the shipped pay-ranges workbook and framework, the
sample submissions, the sample decisions, generated Word forms), mutates it - at the
zip level (flip bytes, truncate, drop / duplicate a member) or inside one XML part and
re-zipped so the CRCs are right and the parsers see the damage - and feeds it to the
reader that really reads that kind of file. Every case must end in a result or a clean
:class:`addin.core.errors.MedpayError`, within a per-case time limit; anything else is a bug.
"""

from __future__ import annotations

import io
import random
import signal
import time
import traceback
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from addin.core.errors import MedpayError

ROOT = Path(__file__).resolve().parents[2]
WORKBOOKS = ROOT / "workbooks"


class CaseTimeout(Exception):
    pass


# ----------------------------------------------------------------------------- mutations


def _flip(data: bytes, rng: random.Random, n: int) -> bytes:
    b = bytearray(data)
    for _ in range(n):
        i = rng.randrange(len(b))
        b[i] = rng.randrange(256)
    return bytes(b)


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i, z.read(i)) for i in z.infolist()]


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in members:
            z.writestr(name, body)
    return out.getvalue()


_XML_SNIPPETS = [b"<", b">", b"</x>", b"<x>", b'"', b"&", b"&amp;", b"&#0;", b"\x00", b"\xff\xfe",
                 b"r=\"XFD1048576\"", b"r=\"A0\"", b"t=\"s\"", b"t=\"e\"", b"<v>-1</v>", b"<v>999999999</v>",
                 b"<v>1e308</v>", b"<v>NaN</v>", b"<f>1/0</f>", b"=HYPERLINK(\"x\")", b"]]>", b"<![CDATA[",
                 b"\xe2\x80\xae", b"<!-- -->", b"<?pi?>", b"xmlns=\"urn:x\""]


def _mutate_xml(body: bytes, rng: random.Random) -> tuple[str, bytes]:
    kind = rng.choice(["flip", "delete-span", "duplicate-span", "insert", "swap-number", "cut"])
    if not body:
        return "empty", rng.choice(_XML_SNIPPETS)
    i = rng.randrange(len(body))
    j = min(len(body), i + rng.randrange(1, 200))
    if kind == "flip":
        return kind, _flip(body, rng, rng.randint(1, 8))
    if kind == "delete-span":
        return kind, body[:i] + body[j:]
    if kind == "duplicate-span":
        return kind, body[:j] + body[i:j] + body[j:]
    if kind == "insert":
        return kind, body[:i] + rng.choice(_XML_SNIPPETS) + body[i:]
    if kind == "swap-number":
        digits = [k for k, ch in enumerate(body) if 48 <= ch <= 57]
        if digits:
            k = rng.choice(digits)
            return kind, body[:k] + str(rng.choice([0, -1, 10**9, 65536, 1048577, 16385])).encode() + body[k + 1:]
        return "flip", _flip(body, rng, 1)
    return kind, body[:i]


def mutate(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    """One random mutation of an OOXML file: (description, mutated bytes)."""
    op = rng.choices(["xml", "flip", "truncate", "drop", "duplicate"], weights=[6, 1, 1, 1, 1])[0]
    if op == "flip":
        return "flip bytes", _flip(data, rng, rng.randint(1, 20))
    if op == "truncate":
        cut = rng.randrange(len(data))
        return f"truncate at {cut}", data[:cut]
    members = _members(data)
    if op == "drop":
        victim = rng.randrange(len(members))
        return (f"drop {members[victim][0].filename}",
                _zip([(i.filename, b) for k, (i, b) in enumerate(members) if k != victim]))
    if op == "duplicate":
        k = rng.randrange(len(members))
        info, body = members[k]
        alt = _mutate_xml(body, rng)[1]
        return f"duplicate {info.filename}", _zip([(i.filename, b) for i, b in members] + [(info.filename, alt)])
    xml = [k for k, (i, _) in enumerate(members) if i.filename.endswith((".xml", ".rels"))]
    k = rng.choice(xml)
    kind, body = _mutate_xml(members[k][1], rng)
    return (f"{kind} in {members[k][0].filename}",
            _zip([(i.filename, body if n == k else b) for n, (i, b) in enumerate(members)]))


# ----------------------------------------------------------------------------- readers


def _read_settings(p: Path) -> Any:
    from addin.office.xlsx.settings import read_pay_settings
    return read_pay_settings(p)


def _read_framework(p: Path) -> Any:
    from addin.office.xlsx.frameworks import load_framework
    return load_framework(p)


def _read_estimates(p: Path) -> Any:
    from addin.office.xlsx.estimates import read_estimates
    return read_estimates(p)


def _read_decisions(p: Path) -> Any:
    from addin.office.xlsx.decisions import read_decisions
    return read_decisions(p)


def _read_form(p: Path) -> Any:
    from addin.office.docx.harvest import read_form
    return read_form(p)


def _read_assessments(p: Path) -> Any:
    """A harvest workbook of Initial Assessment forms as ``medpay payroll --assessments``
    reads it."""
    from addin.office.docx.harvested import assessments, read_harvest_workbook
    result, cells = read_harvest_workbook(p)
    return assessments(result, cells)


def _read_workbook(p: Path) -> Any:
    from addin.office.xlsx.safe import load_workbook, used_rows
    wb = load_workbook(p)
    return [len(used_rows(ws, file=p)) for ws in wb.worksheets]


READERS: dict[str, tuple[Callable[[Path], Any], str]] = {
    "pay-ranges": (_read_settings, ".xlsx"),
    "framework": (_read_framework, ".xlsx"),
    "estimates": (_read_estimates, ".xlsx"),
    "decisions": (_read_decisions, ".xlsx"),
    "form": (_read_form, ".docx"),
    "initial-assessment": (_read_form, ".docx"),
    "assessments": (_read_assessments, ".xlsx"),
    "workbook": (_read_workbook, ".xlsx"),
}


def default_seeds(forms_dir: Path | None = None) -> list[tuple[str, Path]]:
    seeds = [("pay-ranges", WORKBOOKS / "pay-ranges.xlsx")]
    seeds += [("framework", p) for p in sorted((WORKBOOKS / "frameworks").glob("*.xlsx"))]
    seeds += [("estimates", p) for p in sorted((WORKBOOKS / "samples").glob("*.xlsx"))]
    seeds += [("decisions", p) for p in sorted((WORKBOOKS / "decisions").glob("*.xlsx"))]
    seeds += [("workbook", WORKBOOKS / "pay-ranges.xlsx")]
    if forms_dir:
        seeds += [("form", p) for p in sorted((forms_dir / "appraisal").glob("*.docx"))[:3]]
        seeds += [("initial-assessment", p)
                  for p in sorted((forms_dir / "initial-assessment").glob("*.docx"))[:3]]
        seeds += [("assessments", p) for p in sorted(forms_dir.glob("harvest-*.xlsx"))]
    return seeds


def make_forms(out: Path) -> Path:
    """Generate real Word forms to fuzz: appraisal forms and Initial Assessment forms for
    one sample (``out/appraisal``, ``out/initial-assessment``), and the harvest workbook of
    the Initial Assessment forms that ``medpay payroll --assessments`` reads
    (``out/harvest-initial-assessment.xlsx``)."""
    import subprocess
    import sys

    sample = str(WORKBOOKS / "samples" / "finance-business-support.xlsx")
    for kind in ("appraisal", "initial-assessment"):
        subprocess.run(
            [sys.executable, "-m", "addin", "forms", kind, "--estimates", sample,
             "--out", str(out / kind), "--as-of", "2026-11-20", "--force"],
            cwd=ROOT, check=True, capture_output=True, timeout=300,
        )
    proc = subprocess.run(
        [sys.executable, "-m", "addin", "harvest", str(out / "initial-assessment"),
         "--out", str(out / "harvest-initial-assessment.xlsx"), "--force"],
        cwd=ROOT, capture_output=True, timeout=300,
    )
    if proc.returncode not in (0, 1):  # 1: unfilled forms have findings, the workbook is written
        raise RuntimeError(proc.stderr)
    return out


# ----------------------------------------------------------------------------- runner


@dataclass
class Summary:
    ran: int = 0
    outcomes: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    slowest: float = 0.0

    def line(self) -> str:
        parts = ", ".join(f"{k} {v}" for k, v in sorted(self.outcomes.items()))
        return (f"mutation fuzz: {self.ran} cases ran ({parts}); {len(self.failures)} failures; "
                f"slowest case {self.slowest:.2f}s")


def _alarm(signum, frame):  # pragma: no cover - only on a hang
    raise CaseTimeout


def fuzz(*args: Any, **kwargs: Any) -> Summary:
    """Run ``cases`` mutated files through their readers; return what happened."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl/zipfile warn about the damage we made
        return _fuzz(*args, **kwargs)


def _fuzz(
    seeds: list[tuple[str, Path]],
    cases: int,
    *,
    seed: int = 0,
    workdir: Path,
    per_case_seconds: float = 20,
    keep_failures: Path | None = None,
) -> Summary:
    rng = random.Random(seed)
    blobs = [(target, path, path.read_bytes()) for target, path in seeds]
    summary = Summary()
    old = signal.signal(signal.SIGALRM, _alarm)
    try:
        for n in range(cases):
            target, path, data = blobs[n % len(blobs)]
            reader, suffix = READERS[target]
            desc, mutated = mutate(data, rng)
            case = workdir / f"case{n:06d}{suffix}"
            case.write_bytes(mutated)
            t0 = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, per_case_seconds)
            try:
                reader(case)
                outcome = "result"
            except MedpayError as exc:
                line = exc.one_line()
                named = str(case) in line or case.name in line
                outcome = "clean error" if "\n" not in line and named else "error not naming the file"
            except CaseTimeout:
                outcome = "timeout"
            except BaseException as exc:  # that is what we are looking for
                if isinstance(exc, KeyboardInterrupt):
                    raise
                outcome = f"leaked {type(exc).__name__}"
                tb = traceback.format_exc(limit=-3).strip().splitlines()
                desc += f" | {type(exc).__name__}: {str(exc)[:160]} | {' / '.join(x.strip() for x in tb[-4:-1])}"
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            elapsed = time.perf_counter() - t0
            summary.slowest = max(summary.slowest, elapsed)
            summary.ran += 1
            summary.outcomes[outcome if outcome in ("result", "clean error") else "FAILED"] += 1
            if outcome not in ("result", "clean error"):
                summary.failures.append(f"{target} {path.name} case {n} ({desc}): {outcome}")
                if keep_failures:
                    keep_failures.mkdir(parents=True, exist_ok=True)
                    (keep_failures / case.name).write_bytes(mutated)
            case.unlink()
    finally:
        signal.signal(signal.SIGALRM, old)
    return summary
