"""The MedPay team's batch run: every submission validated, fed back and costed.

Policy, Appendix K, stage 8: managers' level-estimate spreadsheets are "sent to the
MedPay Review Team. A summary report for the teams that are ready to implement is
presented at CMT each month." Stage 9: "The MedPay Review Team can inform payroll of any
changes to pay at the most suitable payroll date. No payments are backdated."

This module only orchestrates; it owns no rule. Per submission it calls the estimates
validation (``addin.rules.estimates_checks.validate_estimates``: findings and each row's
eligibility, which itself calls ``addin.core.eligibility``), the estimates reader
(``addin.office.xlsx.estimates.read_estimates``) and the costing (``addin.core.costing.cost_row``); then
the shared feedback writer (``addin.office.xlsx.feedback.write_feedback_copy``) and the batch's own
workbooks (:mod:`addin.office.xlsx.batch_report`). The one rule that needs every submission at once
lives here: an employee ID in two submissions (``BATCH-DUPLICATE-ID``), flagged on
every row and costed once (:func:`choose_duplicate_rows` says which row).

What CMT's totals cost (``addin.core.cmt``): every row that can be costed, at its estimated
level - the estimates are the initial assessment of every employee (Appendix K stage 8),
not Applications for Career Progression; eligibility (section 7) is reported as "may
apply to progress at the next window" and does not change the cost.

Properties the run keeps:

* one bad file never stops the others: its one-line reason goes into ``summary.json``;
* ``--jobs N`` spreads files over N processes (:class:`ProcessPoolExecutor`);
* same inputs, same bytes: files are processed in sorted order, every workbook is saved
  through :mod:`addin.office.determinism`, JSON is written with sorted keys, paths are relative
  to the inbox;
* inputs are only read; outputs are written atomically; a :class:`FolderLock` on the
  output folder makes a second concurrent run refuse, and a lock left by a killed run is
  taken over (one line says so) with the killed run's temporary files removed;
* a killed run's workers end with it (:func:`_pool_worker_init`); Ctrl-C ends the workers
  at once and keeps no half-written file (exit 130, ``addin.cli``);
* a content-hash cache in ``OUT/.medpay-cache/`` keyed on the submission's bytes, the
  frameworks, the pay ranges, ``--as-of``, ``--cola`` and the code's own source means a
  rerun after one manager corrects one file redoes only that file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from addin import __version__
from addin.app.payroll import compute_payroll, has_assessments, write_payroll
from addin.app.validate import validate_estimates
from addin.batch.cache import MAX_BYTES, CacheEntryError, dumps, loads
from addin.batch.results import FileResult, RowOutcome
from addin.core.cells import cell_sort_key
from addin.core.cmt import DUPLICATE_RULE, BatchRow, summarise
from addin.core.costing import cost_row, not_costed_reason
from addin.core.errors import InputError, MedpayError, OutputError
from addin.core.estimates_table import (
    COST_OUTPUT_HEADERS,
    FULL_YEAR_COST,
    HONOURED,
    IN_YEAR_COST,
    NEW_SALARY,
)
from addin.core.findings import ERROR, Finding, Severity, declare
from addin.core.money import money_text
from addin.office.determinism import fixed_moment, normalise_xlsx_file
from addin.office.docx.harvest import folder_files, harvest, write_harvest
from addin.office.resources import default_pay_ranges
from addin.office.safeio import (
    FolderLock,
    atomic_write_bytes,
    atomic_write_text,
    check_writable,
    safe_filename,
)
from addin.office.xlsx.batch_report import write_cmt_report, write_consolidated
from addin.office.xlsx.estimates import NO_TABLE, read_estimates
from addin.office.xlsx.estimates_feedback import eligibility_columns, feedback_source
from addin.office.xlsx.feedback import write_feedback_copy
from addin.office.xlsx.frameworks import read_frameworks
from addin.office.xlsx.settings import read_pay_settings

DUPLICATE_ID = declare(
    "BATCH-DUPLICATE-ID",
    "Employee ID in another submission",
    "The same employee ID appears in more than one submitted spreadsheet; both "
    "submissions are flagged. CMT's totals cost the employee once, from the first "
    "submission in inbox path order that can cost the row.",
    "Employee ID {employee_id} is also in {others}: an employee belongs in one "
    "submission only",
    ERROR,
    group="batch",
    policy="Appendix K stage 8",
)

CACHE_DIR = ".medpay-cache"
FEEDBACK_DIR = "feedback"
CONSOLIDATED = "consolidated.xlsx"
CMT_REPORT = "cmt-report.xlsx"
SUMMARY = "summary.json"
SUBMISSION_SUFFIXES = (".xlsx", ".xlsm")
REJECTED_SUFFIXES = (".xls", ".xlsb", ".ods", ".csv")
"""Spreadsheets a manager might send that medpay cannot read: listed as unreadable
(with the reason ``addin.office.xlsx.safe`` gives) rather than silently skipped."""
FORM_SUFFIXES = (".docx",)

# ------------------------------------------------------------------ discovery


def discover(inbox: Path, *, exclude: Path | None = None) -> list[Path]:
    """Every submission under ``inbox`` (recursively), sorted by relative path.

    Hidden files, Excel's lock files (``~$name.xlsx``) and anything inside ``exclude``
    (the output folder, when it sits in the inbox) are skipped.
    """
    inbox = Path(inbox)
    if not inbox.is_dir():
        raise InputError("the inbox is not a folder", file=inbox,
                         hint="give the folder that holds the submitted workbooks")
    excl = exclude.resolve() if exclude else None
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(inbox):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        here = Path(dirpath)
        if excl and (here.resolve() == excl or excl in here.resolve().parents):
            dirnames[:] = []
            continue
        for name in filenames:
            if name.startswith((".", "~$")):
                continue
            if is_submission_name(name):
                found.append(here / name)
    return sorted(found, key=lambda p: rel_name(p, inbox))


def is_submission_name(name: str) -> bool:
    """A file the batch reads (or reports unreadable) as a level-estimate submission: a
    workbook, or one of :data:`REJECTED_SUFFIXES`. The one test :func:`discover` and the
    forms harvest (:func:`not_for_harvest`) share, so a file is reported once."""
    return name.lower().endswith(SUBMISSION_SUFFIXES + REJECTED_SUFFIXES)


def rel_name(path: Path, inbox: Path) -> str:
    return path.relative_to(inbox).as_posix()


def feedback_names(rels: Sequence[str]) -> dict[str, str]:
    """``DIR/feedback/<submission name>.xlsx``, unique and safe for every file system.

    Sub-folders become ``folder__name``; two submissions that differ only by extension
    (``team.xlsx``, ``team.xlsm``) keep it in brackets.
    """
    stems: dict[str, list[str]] = {}
    for rel in rels:
        stem = rel.rsplit(".", 1)[0].replace("/", "__")
        stems.setdefault(stem.lower(), []).append(rel)
    names: dict[str, str] = {}
    for rel in rels:
        base, _, ext = rel.rpartition(".")
        stem = base.replace("/", "__")
        if len(stems[stem.lower()]) > 1:
            stem = f"{stem} ({ext.lower()})"
        names[rel] = safe_filename(stem + ".xlsx")
    return names


# ------------------------------------------------------------------ configuration


@dataclass(frozen=True)
class BatchConfig:
    inbox: Path
    out: Path
    frameworks: tuple[Path, ...]
    pay_ranges: Path | None
    as_of: dt.date
    cola: Decimal | None = None
    jobs: int = 1
    force: bool = False


def code_version() -> str:
    """A hash of the medpay source the batch runs: every ``addin`` module loaded once the
    engines are imported (command modules and the Excel layer aside), so a change to the
    rules invalidates the cache and a change to an unrelated command does not."""
    h = hashlib.sha256(__version__.encode())
    for name in sorted(sys.modules):
        if not (name == "addin" or name.startswith("addin.")) or name.startswith(
                ("addin.commands", "addin.excel")):
            continue
        file = getattr(sys.modules[name], "__file__", None)
        if file and file.endswith(".py"):
            h.update(name.encode() + b"\0" + _read_or_empty(Path(file)))
    return h.hexdigest()


def environment_key(cfg: BatchConfig) -> str:
    """What every file's result depends on besides its own bytes."""
    h = hashlib.sha256(code_version().encode())
    for p in cfg.frameworks:
        h.update(b"framework\0" + Path(p).name.encode() + b"\0" + _read_or_empty(p))
    h.update(b"pay\0" + _read_or_empty(cfg.pay_ranges or default_pay_ranges()))
    h.update(f"as-of\0{cfg.as_of.isoformat()}\0cola\0{cfg.cola}".encode())
    return h.hexdigest()


def _read_or_empty(p: Path) -> bytes:
    try:
        return Path(p).read_bytes()
    except OSError:
        return b""


# ------------------------------------------------------------------ per-file work


@dataclass(frozen=True)
class Engines:
    """The callables the batch orchestrates (other modules own them)."""

    validate: Callable[..., Any]
    read: Callable[..., Any]
    cost_row: Callable[..., Any]
    feedback: Callable[..., Any]


def engines() -> Engines:
    return Engines(validate_estimates, read_estimates, cost_row, write_feedback_copy)


_WORKER: dict[str, Any] = {}


def _worker_init(frameworks: tuple[Path, ...], pay_ranges: Path | None) -> None:
    """Load the frameworks and pay ranges once per process."""
    args = (tuple(frameworks), pay_ranges)
    if _WORKER.get("args") == args:  # forked from a parent that has loaded them already
        return
    _WORKER["args"] = args
    _WORKER["frameworks"] = read_frameworks(frameworks) if frameworks else []
    _WORKER["pay"] = read_pay_settings(pay_ranges)
    _WORKER["engines"] = engines()


WATCHDOG_SECONDS = 0.5
"""How often a worker looks for its parent (the run): a worker whose run is gone ends."""


def _pool_worker_init(parent: int, frameworks: tuple[Path, ...], pay_ranges: Path | None) -> None:
    """A pool worker's start: it ends when the run that started it dies (even by
    SIGKILL) - the kernel's parent-death signal where Linux offers it (``prctl``), and on
    every system a watchdog thread that polls for the parent - and leaves Ctrl-C to the
    run, which stops the workers itself (:func:`_stop_pool`); then
    :func:`_worker_init`."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if not _parent_alive(parent):  # died before the signal was asked for
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent,), name="medpay-watchdog",
                     daemon=True).start()
    _worker_init(frameworks, pay_ranges)


def _parent_alive(parent: int) -> bool:
    if os.name != "nt":
        return os.getppid() == parent  # re-parented (to init) once the run is gone
    import multiprocessing  # pragma: no cover - Windows: the parent's handle

    proc = multiprocessing.parent_process()
    return proc is None or proc.is_alive()


def _watch_parent(parent: int) -> None:
    while _parent_alive(parent):
        time.sleep(WATCHDOG_SECONDS)
    os._exit(1)


def _stop_pool(pool: Executor, *, abort: bool) -> None:
    """Shut a pool down; on ``abort`` (Ctrl-C, an error) cancel what is queued and end
    its workers at once rather than let them finish the whole inbox."""
    if not abort:
        pool.shutdown()
        return
    procs = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        with contextlib.suppress(Exception):
            proc.terminate()
    for proc in procs:
        with contextlib.suppress(Exception):
            proc.join(timeout=5)


TEMP_PREFIX = ".~medpay-"


def _remove_temporaries(out: Path) -> None:
    """Remove the temporary files (``.~medpay-*``, :func:`addin.office.safeio.atomic_path`)
    a stopped run left in the output folder, its feedback folder and its cache. Called
    holding the folder's lock, so none belongs to a live run."""
    for folder in (out, out / FEEDBACK_DIR, out / CACHE_DIR):
        with contextlib.suppress(OSError):
            for p in folder.glob(TEMP_PREFIX + "*"):
                with contextlib.suppress(OSError):
                    p.unlink()


def _reason(exc: MedpayError, rel: str) -> str:
    """The error's one line, naming the file by its inbox-relative name."""
    return type(exc)(exc.message, file=rel, sheet=exc.sheet, cell=exc.cell,
                     hint=exc.hint).one_line()


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _rows_of(read_result: Any) -> list[Any]:
    """``read_estimates`` returns rows, or an object/tuple holding them."""
    if isinstance(read_result, tuple):
        for item in read_result:
            if isinstance(item, list):
                return item
    rows = getattr(read_result, "rows", read_result)
    return list(rows or [])


def _row_of_finding(f: Finding) -> int | None:
    if f.row is not None:
        return f.row
    r, _ = cell_sort_key(f.cell)
    return r or None


def process_file(path: Path, rel: str, key: str, as_of: dt.date, cola: Decimal | None) -> FileResult:
    """Validate, read and cost one submission. Never raises for what a file can do."""
    eng: Engines = _WORKER["engines"]
    fws, pay = _WORKER["frameworks"], _WORKER["pay"]
    try:
        read = eng.read(path, frameworks=fws)
        no_table = [f for f in getattr(read, "findings", []) if f.code == NO_TABLE.code]
        if no_table:  # wrong headers: nothing to validate or cost, like an unreadable file
            return FileResult(rel, key, "unreadable", f"{rel}: {no_table[0].message}")
        rows = _rows_of(read)
        report = eng.validate(path, frameworks=fws, pay=pay, as_of=as_of, read=read)
    except MedpayError as exc:
        return FileResult(rel, key, "unreadable", _reason(exc, rel))
    except Exception as exc:  # a file must never stop the run
        return FileResult(rel, key, "unreadable",
                          f"{rel}: unexpected error reading the file ({type(exc).__name__}: "
                          f"{str(exc)[:200]}); report it to the MedPay team")
    findings = [replace(f, file=rel) if f.file != rel else f for f in report.findings]
    per_row: dict[int, list[Finding]] = {}
    for f in findings:
        r = _row_of_finding(f)
        if r is not None:
            per_row.setdefault(r, []).append(f)
    elig = {int(e["row"]): e for e in report.extra.get("rows", []) if e.get("row") is not None}
    out: list[RowOutcome] = []
    for row in rows:
        info = elig.get(row.row, {})
        try:
            cost = eng.cost_row(row, pay, as_of, cola)
            problem = None if cost is not None else (
                not_costed_reason(row, pay) or "cannot be costed")
        except MedpayError as exc:
            cost, problem = None, exc.message
        except (ValueError, KeyError, TypeError, ArithmeticError) as exc:
            cost, problem = None, str(exc) or type(exc).__name__
        mine = per_row.get(row.row, [])
        try:
            point = pay.pay_point(row.range, row.estimated_level) if row.estimated_level else None
        except KeyError:
            point = None
        out.append(RowOutcome(
            estimate=row,
            eligible=info.get("eligible"),
            reasons=tuple(str(x) for x in info.get("reasons", ()) or ()),
            effective_date=_as_date(info.get("effective_date")),
            cost=cost,
            cost_problem=problem,
            errors=sum(1 for f in mine if f.severity is Severity.ERROR),
            warnings=sum(1 for f in mine if f.severity is Severity.WARNING),
            pay_point=point,
            status=info.get("status"),
        ))
    status = "errors" if any(f.severity is Severity.ERROR for f in findings) else "ok"
    return FileResult(rel, key, status, None, findings, out,
                      sheet=getattr(read, "sheet", None), header_row=getattr(read, "header_row", None),
                      output_columns=dict(getattr(read, "output_columns", None) or {}))


def _process_job(args: tuple) -> FileResult:
    """Process one file and store its cache entry here, in the worker: encoding the
    entry is a real part of a file's cost and runs in parallel with the others."""
    cache_path, *rest = args
    res = process_file(*rest)
    _cache_store(cache_path, res)
    return res


# ------------------------------------------------------------------ cross-file rule


EmployeeIndex = dict[str, list[tuple[str, RowOutcome]]]
"""Employee ID (trimmed, case-folded) -> every (submission, row) holding it, in order."""


def employee_index(results: Sequence[FileResult]) -> EmployeeIndex:
    """Every row by employee ID, built once for the batch's three cross-file questions
    (:func:`duplicate_findings`, :func:`choose_duplicate_rows`, :func:`_id_holders`),
    which each walked the 50,000 rows themselves (issue 21's rerun profile)."""
    by_emp: EmployeeIndex = {}
    for res in results:
        rel = res.rel
        for r in res.rows:
            emp = (r.estimate.employee_id or "").strip().casefold()
            if emp:
                by_emp.setdefault(emp, []).append((rel, r))
    return by_emp


def duplicate_findings(results: Sequence[FileResult], *,
                       index: EmployeeIndex | None = None) -> dict[str, list[Finding]]:
    """``BATCH-DUPLICATE-ID`` on every row whose employee ID is in another submission.

    IDs are compared trimmed and case-insensitively; duplicates within one file are the
    estimates validation's business, not this rule's. ``index``: :func:`employee_index`
    of ``results``, when the caller has it.
    """
    by_emp = employee_index(results) if index is None else index
    extra: dict[str, list[Finding]] = {}
    for holders in by_emp.values():
        if holders[0][0] == holders[-1][0]:
            continue  # one submission (its rows are consecutive)
        files: dict[str, list[RowOutcome]] = {}
        for rel, r in holders:
            files.setdefault(rel, []).append(r)
        for rel, rows in files.items():
            others = ", ".join(o for o in sorted(files) if o != rel)
            for r in rows:
                e = r.estimate
                src = e.source("employee_id")
                extra.setdefault(rel, []).append(DUPLICATE_ID.at(
                    src, file=rel, row=e.row, employee_id=e.employee_id.strip(), others=others))
    return extra


def choose_duplicate_rows(results: Sequence[FileResult], *,
                          index: EmployeeIndex | None = None) -> dict[tuple[str, int], str]:
    """Which row costs an employee whose ID is in several submissions, so they are costed
    once in every total (``BATCH-DUPLICATE-ID`` still flags every row). Returns
    ``(submission, row) -> "<submission> row <n>"`` (the row costed instead) for every
    row NOT costed.

    The rule (:data:`DUPLICATE_RULE`): ``results`` in the batch's order (sorted by the
    path relative to the inbox); the first row that can be costed, else the first row.
    Path order rather than "most recently modified": a file's modification time is not
    part of what it says (copying or unzipping an inbox changes it) nor of the cache
    key, so choosing by it would make the same inputs give different reports; the path
    order is reproducible and visible in the report. Rows of the same submission are
    never dropped here: an ID twice in one file is the estimates validation's business.
    """
    by_emp = employee_index(results) if index is None else index
    dropped: dict[tuple[str, int], str] = {}
    for holders in by_emp.values():
        if holders[0][0] == holders[-1][0]:
            continue  # one submission (its rows are consecutive)
        rel, chosen = next(((rel, r) for rel, r in holders if r.cost is not None), holders[0])
        where = f"{rel} row {chosen.estimate.row}"
        for other_rel, r in holders:
            if other_rel != rel:
                dropped[(other_rel, r.estimate.row)] = where
    return dropped


# ------------------------------------------------------------------ feedback copies


def feedback_columns(res: FileResult) -> dict[str, list[tuple[Any, ...]]]:
    """Eligible / Reasons / Effective date (built as ``validate-estimates --feedback``
    builds them: :func:`addin.office.xlsx.estimates_feedback.eligibility_columns`) and the cost
    columns, in the shape ``addin.office.xlsx.feedback.write_feedback_copy`` takes:
    sheet -> [(header, {row: value}[, style])]."""
    eligibility = eligibility_columns(
        (r.estimate.row, r.status or r.eligible, r.reasons, r.effective_date)
        for r in res.rows)
    cols: dict[str, dict[int, Any]] = {header: {} for header in COST_OUTPUT_HEADERS}
    for r in res.rows:
        n = r.estimate.row
        if r.cost is not None:
            cols[NEW_SALARY][n] = getattr(r.cost, "new_salary", None)
            cols[HONOURED][n] = "Yes" if getattr(r.cost, "honoured", False) else "No"
            cols[FULL_YEAR_COST][n] = getattr(r.cost, "full_year_cost", None)
            cols[IN_YEAR_COST][n] = getattr(r.cost, "in_year_cost", None)
        elif r.cost_problem:
            cols[FULL_YEAR_COST][n] = f"not costed: {r.cost_problem}"
    if not res.sheet:
        return {}
    return {res.sheet: [*eligibility, *cols.items()]}


def write_feedback(src: Path, out: Path, findings: list[Finding], columns: dict[str, Any],
                   header_row: int | None, as_of: dt.date, sheet: str | None = None,
                   output_columns: dict[str, int] | None = None) -> bytes:
    """Write one feedback copy through the shared writer, its clocks fixed to the
    ``as_of`` midnight in the same pass (``when=``: the bytes
    :func:`addin.office.determinism.normalise_xlsx_file` would give, without rewriting the
    copy); return them. A submission that is itself a feedback copy (``output_columns``
    on ``sheet``'s header row) is annotated from a copy without MedPay's columns
    (:func:`addin.office.xlsx.estimates_feedback.feedback_source`, as ``validate-estimates``), so
    they are replaced, not added a second time."""
    import tempfile
    from types import SimpleNamespace

    eng: Engines = _WORKER["engines"]
    read = SimpleNamespace(sheet=sheet, header_row=header_row, output_columns=output_columns or {})
    with tempfile.TemporaryDirectory(prefix="medpay-") as tmp:
        eng.feedback(feedback_source(src, read, tmp), out, findings, force=True,
                     extra_columns=columns, header_row=header_row or 1, when=fixed_moment(as_of))
    return out.read_bytes()


def _feedback_job(args: tuple) -> tuple[str, str]:
    src, out, findings, columns, header_row, as_of, sheet, output_columns, rel = args
    write_feedback(src, out, findings, columns, header_row, as_of, sheet, output_columns)
    return rel, out.name


def feedback_key(res: FileResult, extra: list[Finding], name: str) -> str:
    h = hashlib.sha256(res.key.encode() + name.encode())
    for f in sorted(extra, key=lambda f: (f.sheet or "", cell_sort_key(f.cell), f.message)):
        h.update(repr(f).encode())
    return h.hexdigest()


# ------------------------------------------------------------------ progress


class Progress:
    """A tqdm bar on a terminal, plain log lines otherwise."""

    def __init__(self, total: int, what: str, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.what = what
        self.total = total
        self.done = 0
        self.bar = None
        if total and getattr(self.stream, "isatty", lambda: False)():
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=what, unit="file", file=self.stream)

    def step(self, note: str) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
        else:
            print(f"medpay batch: {self.what} {self.done}/{self.total} {note}", file=self.stream,
                  flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


# ------------------------------------------------------------------ the run


@dataclass
class BatchOutcome:
    summary: dict[str, Any]
    files: int
    reused: int
    redone: int
    feedback_reused: int
    seconds: float
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds spent reading/validating/costing, writing feedback copies, and reports."""

    @property
    def exit_status(self) -> int:
        """0 every submission read without errors; 1 some had errors or were unreadable."""
        s = self.summary
        return 1 if (s["errors"] or s["files_unreadable"]) else 0


def _money(value: Decimal | None) -> str | None:
    return money_text(value)  # half-up to the penny (addin.core.money)


def _file_entry(res: FileResult, extra: list[Finding], feedback: str | None,
                rows: Sequence[BatchRow]) -> dict[str, Any]:
    """One submission in ``summary.json``: its counts and costs are those of its rows in
    the Review (every row but a duplicate costed from another submission), so the files'
    figures add up to CMT's."""
    errors = sum(f.is_error for f in [*res.findings, *extra])
    warnings = sum(f.severity is Severity.WARNING for f in [*res.findings, *extra])
    counted = [r for r in rows if r.counted]
    status = res.status
    if status == "ok" and errors:
        status = "errors"
    entry: dict[str, Any] = {
        "file": res.rel,
        "status": status,
        "reason": res.reason,
        "rows": len(res.rows),
        "errors": errors,
        "warnings": warnings,
        "may_apply_to_progress": sum(1 for r in rows if r.in_review and r.eligible is True),
        "not_costable": sum(1 for r in rows if r.in_review and r.cost is None),
        "full_year_cost": _money(sum((r.cost.full_year_cost for r in counted), Decimal("0.00"))),
        "in_year_cost": _money(sum((r.cost.in_year_cost for r in counted), Decimal("0.00"))),
        "feedback": f"{FEEDBACK_DIR}/{feedback}" if feedback else None,
    }
    return entry


def run_batch(cfg: BatchConfig, *, executor_factory: Callable[[int], Executor] | None = None,
              stream=None) -> BatchOutcome:
    """Run the whole batch into ``cfg.out`` (see the module docstring)."""
    started = time.perf_counter()
    stream = stream or sys.stderr
    out = Path(cfg.out)
    inbox = Path(cfg.inbox)
    files = discover(inbox, exclude=out)
    with FolderLock(out) as lock:
        if lock.taken_over:
            print(f"medpay: {lock.taken_over}", file=stream, flush=True)
        _remove_temporaries(out)
        for name in (SUMMARY, CONSOLIDATED, CMT_REPORT):
            check_writable(out / name, force=cfg.force)
        cache = out / CACHE_DIR
        cache.mkdir(exist_ok=True)
        # Load frameworks and pay ranges here first: a bad one is one clean error, and
        # forked workers inherit them (and the code version covers the engines loaded).
        _worker_init(tuple(cfg.frameworks), cfg.pay_ranges)
        env = environment_key(cfg)
        rels = [rel_name(p, inbox) for p in files]
        results: dict[str, FileResult] = {}
        todo: list[tuple] = []
        phases: dict[str, float] = {}
        t0 = time.perf_counter()
        # one progress over every file: a reused one steps it as the cache is read, so
        # a rerun of a large inbox is never silent
        progress = Progress(len(files), "reading", stream)
        for path, rel in zip(files, rels):
            try:
                data = path.read_bytes()
            except OSError as exc:
                results[rel] = FileResult(rel, "", "unreadable", _reason(
                    InputError(f"cannot read the file: {exc.strerror or exc}"), rel))
                progress.step(results[rel].reason or rel)
                continue
            key = hashlib.sha256(env.encode() + b"\0" + data).hexdigest()
            hit = _cache_load(cache / f"{key}.json", key)
            if hit is not None:
                hit.rel, hit.cached = rel, True
                hit.findings = [replace(f, file=rel) for f in hit.findings]
                results[rel] = hit
                progress.step(f"{rel}: unchanged, reused from the cache")
            else:
                todo.append((cache / f"{key}.json", path, rel, key, cfg.as_of, cfg.cola))
        reused = len(results) - sum(1 for r in results.values() if not r.key)

        pools: list[Executor] = []

        def mapper(fn, jobs: list[tuple]):
            if cfg.jobs <= 1 or len(jobs) <= 1:
                return map(fn, jobs)
            if not pools:
                factory = executor_factory or (lambda n: ProcessPoolExecutor(
                    max_workers=n, initializer=_pool_worker_init,
                    initargs=(os.getpid(), tuple(cfg.frameworks), cfg.pay_ranges)))
                pools.append(factory(min(cfg.jobs, len(files))))  # no idle workers
            chunk = max(1, min(8, len(jobs) // (cfg.jobs * 4)))
            return pools[0].map(fn, jobs, chunksize=chunk)

        try:
            for res in mapper(_process_job, todo):
                results[res.rel] = res
                note = res.reason if res.status == "unreadable" else (
                    f"{res.rel}: {len(res.rows)} rows, "
                    f"{sum(f.is_error for f in res.findings)} error(s)")
                progress.step(note)
            progress.close()
            ordered = [results[rel] for rel in rels]
            phases["read"] = time.perf_counter() - t0
            t0 = time.perf_counter()

            readable = [r for r in ordered if r.readable]
            index = employee_index(readable)  # once for the three cross-file questions
            extra = duplicate_findings(readable, index=index)
            names = feedback_names([r.rel for r in ordered if r.readable])
            feedback_dir = out / FEEDBACK_DIR
            feedback_dir.mkdir(exist_ok=True)
            fb_jobs = []
            fb_reused = 0
            used_keys = {r.key for r in ordered if r.key} | {FEEDBACK_INDEX}
            written = _feedback_index_load(cache)  # name -> (key, size, mtime) last written
            fb_keys: dict[str, str] = {}
            for (path, rel) in zip(files, rels):
                res = results[rel]
                if not res.readable:
                    continue
                mine = extra.get(rel, [])
                name = names[rel]
                fkey = feedback_key(res, mine, name)
                used_keys.add("fb-" + fkey)
                target = feedback_dir / name
                if not cfg.force:
                    check_writable(target)
                fb_keys[name] = fkey
                if _written_unchanged(target, written.get(name), fkey):
                    fb_reused += 1  # the copy this run would write is there, untouched
                    continue
                cached = cache / f"fb-{fkey}.xlsx"
                if cached.exists():
                    atomic_write_bytes(target, cached.read_bytes(), force=True)
                    fb_reused += 1
                    continue
                findings = sorted([*res.findings, *mine],
                                  key=lambda f: (f.sheet or "", cell_sort_key(f.cell), f.code))
                fb_jobs.append((path, cached, findings, feedback_columns(res), res.header_row,
                                cfg.as_of, res.sheet, res.output_columns, rel))
            progress = Progress(len(fb_jobs), "feedback", stream)
            cached_of = {j[-1]: j[1] for j in fb_jobs}
            for rel, _ in mapper(_feedback_job, fb_jobs):
                atomic_write_bytes(feedback_dir / names[rel], cached_of[rel].read_bytes(), force=True)
                progress.step(f"{rel} -> {FEEDBACK_DIR}/{names[rel]}")
            progress.close()
            _feedback_index_store(cache, feedback_dir, fb_keys)
        except BaseException:  # Ctrl-C or an error: stop the workers now, no debris
            for pool in pools:
                _stop_pool(pool, abort=True)
            pools.clear()
            _remove_temporaries(out)
            raise
        finally:
            for pool in pools:
                _stop_pool(pool, abort=False)
        phases["feedback"] = time.perf_counter() - t0
        t0 = time.perf_counter()

        rows: list[BatchRow] = []
        entries = []
        holders = _id_holders(index)
        dropped = choose_duplicate_rows(readable, index=index)
        for res in ordered:
            mine = extra.get(res.rel, [])
            dup_rows = {f.row for f in mine}
            first = len(rows)
            for r in res.rows:
                emp = (r.estimate.employee_id or "").strip().casefold()
                others = [o for o in holders.get(emp, ()) if o != res.rel]
                rows.append(BatchRow(
                    source=res.rel, estimate=r.estimate, eligible=r.eligible, status=r.status,
                    reasons=r.reasons,
                    effective_date=r.effective_date, cost=r.cost, cost_problem=r.cost_problem,
                    errors=r.errors + (1 if r.estimate.row in dup_rows else 0),
                    warnings=r.warnings, pay_point=r.pay_point,
                    duplicate_in=tuple(others) if r.estimate.row in dup_rows else (),
                    duplicate_of=dropped.get((res.rel, r.estimate.row)),
                ))
            entries.append(_file_entry(res, mine, names.get(res.rel) if res.readable else None,
                                       rows[first:]))

        unreadable = sum(1 for r in ordered if not r.readable)
        summary_data = summarise(rows, as_of=cfg.as_of, submissions=len(ordered), unreadable=unreadable)
        harvested = harvest_inbox(inbox, out)
        # the estimates named by their path in the inbox, as every batch output names them
        payroll = payroll_outputs(harvested, [replace(r.estimate, file=r.source) for r in rows],
                                  out, cfg)
        write_consolidated(out / CONSOLIDATED, rows, entries, as_of=cfg.as_of, force=cfg.force)
        write_cmt_report(out / CMT_REPORT, summary_data, force=cfg.force,
                         outcomes=payroll[0] if payroll else None)
        summary = {
            "as_of": cfg.as_of.isoformat(),
            "cola": None if cfg.cola is None else str(cfg.cola),
            "frameworks": [Path(p).name for p in cfg.frameworks],
            "files_read": len(ordered),
            "files_ok": sum(1 for e in entries if e["status"] == "ok"),
            "files_with_errors": sum(1 for e in entries if e["status"] == "errors"),
            "files_unreadable": unreadable,
            "rows": len(rows),
            "errors": sum(e["errors"] for e in entries),
            "warnings": sum(e["warnings"] for e in entries),
            "employees": summary_data.employees,
            "pay_rises": summary_data.pay_rises,
            "no_change": summary_data.no_change,
            "honoured": len(summary_data.honoured),
            "not_costable": summary_data.not_costable,
            "not_costable_reasons": summary_data.not_costable_reasons,
            "may_apply_to_progress": summary_data.may_apply,
            "duplicate_id_rows": summary_data.duplicates,
            "duplicate_rows_not_costed_again": summary_data.duplicates_not_costed,
            "duplicate_employees": {
                "rule": DUPLICATE_RULE,
                "employees": [{"employee_id": c.employee_id,
                               "costed": {"file": c.costed[0], "row": c.costed[1]},
                               "not_costed_again": [{"file": f, "row": n}
                                                    for f, n in c.not_costed_again]}
                              for c in summary_data.duplicate_choices],
            },
            "costs": {"full_year": _money(summary_data.full_year),
                      "in_year": _money(summary_data.in_year)},
            "files": entries,
        }
        forms = harvest_forms(inbox, out, as_of=cfg.as_of, force=cfg.force, result=harvested)
        if forms is not None:
            summary["forms"] = forms
        if payroll is not None:
            summary["payroll"] = payroll[1]
        atomic_write_text(out / SUMMARY, json.dumps(summary, indent=2, sort_keys=True,
                                                    ensure_ascii=False) + "\n", force=cfg.force)
        _prune(cache, used_keys)
        phases["reports"] = time.perf_counter() - t0
    return BatchOutcome(summary, len(ordered), reused, len(todo), fb_reused,
                        time.perf_counter() - started, phases)


FORMS_WORKBOOK = "forms.xlsx"


def not_for_harvest(out: Path) -> Callable[[Path], bool]:
    """The files in the inbox the forms harvest must leave alone (``addin.office.docx.harvest.Skip``):
    the submissions the batch reads itself (:func:`is_submission_name` - a workbook is not
    a candidate form, and an .xls is already reported unreadable) and everything in the
    output folder when it sits inside the inbox."""
    out_resolved = out.resolve()

    def skip(path: Path) -> bool:
        return is_submission_name(path.name) or out_resolved in path.resolve().parents

    return skip


def harvest_inbox(inbox: Path, out: Path):
    """The filled Word forms in the inbox read back by the forms harvester
    (:func:`addin.office.docx.harvest.harvest`), or None when the inbox holds no Word
    document nor PDF. The submissions and the output folder are not the harvest's
    (:func:`not_for_harvest`)."""
    skip = not_for_harvest(out)
    docs, others = folder_files(inbox, skip)
    if not docs and not any(p.suffix.lower() == ".pdf" for p in others):
        return None
    return harvest(inbox, skip=skip)


def payroll_outputs(harvested, estimates: Sequence[Any], out: Path,
                    cfg: BatchConfig) -> tuple[Any, dict[str, Any]] | None:
    """Stage 9 in the batch: when the inbox holds filled Initial Assessment forms beside
    the estimates workbooks, the payroll run over the estimates the batch read
    (:func:`addin.app.payroll.compute_payroll`) is written as ``payroll-changes.xlsx``,
    ``payroll-changes.csv`` and ``outcomes-vs-estimates.xlsx``. Returns the run and its
    summary, or None when there are no such forms."""
    if harvested is None or not has_assessments(harvested):
        return None
    run = compute_payroll(estimates, harvested, pay=read_pay_settings(cfg.pay_ranges),
                          as_of=cfg.as_of, sources={"estimates": "the inbox's submissions",
                                                    "assessments": "the inbox's forms"})
    written = write_payroll(run, out, force=cfg.force)
    data = run.to_json()
    return run, {"outputs": [p.name for p in written], **data["summary"],
                 "outcome_totals": data["outcome_totals"]["overall"],
                 "control": data["control"],
                 "findings": [f"{f.file}: {f.code}: {f.message}" for f in run.findings]}


def harvest_forms(inbox: Path, out: Path, *, as_of: dt.date, force: bool,
                  result=None) -> dict[str, Any] | None:
    """Filled Word forms in the inbox, read back by the forms harvester (``addin.office.docx.harvest``)
    into ``DIR/forms.xlsx``; returns their summary, or None when the inbox holds no Word
    document nor PDF (``result``: the harvest already read by :func:`harvest_inbox`). Any
    other file (a PDF, a text file) is reported once, in the forms summary, as not a form."""
    result = result if result is not None else harvest_inbox(inbox, out)
    if result is None:
        return None
    target = out / FORMS_WORKBOOK
    write_harvest(result, target, force=force)
    normalise_xlsx_file(target, fixed_moment(as_of))
    by_file: dict[str, list[Finding]] = {}
    for f in result.findings:
        by_file.setdefault(f.file or "", []).append(f)
    types = {form["File"]: form["Form type"] for form in result.forms}
    files = []
    for name in sorted(set(types) | set(by_file)):
        problems = by_file.get(name, [])
        status = ("unreadable" if name not in types else
                  "errors" if any(f.is_error for f in problems) else "ok")
        files.append({"file": name, "form_type": types.get(name), "status": status,
                      "problems": [f"{f.code}: {f.message}" for f in problems]})
    return {
        "workbook": FORMS_WORKBOOK,
        "forms_read": len(result.forms),
        "errors": sum(1 for f in result.findings if f.is_error),
        "warnings": sum(1 for f in result.findings if f.severity is Severity.WARNING),
        "files": files,
    }


def _id_holders(index: EmployeeIndex) -> dict[str, list[str]]:
    """Employee ID (trimmed, case-folded) -> the submissions holding it, in order."""
    holders: dict[str, list[str]] = {}
    for emp, rows in index.items():
        rels = holders[emp] = [rows[0][0]]
        for rel, _ in rows:
            if rel != rels[-1]:
                rels.append(rel)
    return holders


FEEDBACK_INDEX = "feedback-index"
"""``.medpay-cache/feedback-index.idx`` (JSON, named apart from the ``<key>.json``
entries): each feedback copy this run wrote, by name, with its feedback key and the size
and modification time (ns) the copy had once written. A
rerun leaves a copy alone when its key is unchanged and the file still has that size and
time (nobody has touched it): one ``stat`` instead of rewriting it (on a rerun after one
corrected file, 999 atomic writes of 1,000). Anyone who can write this index can write
the copies themselves, so trusting it opens nothing new; an unreadable index is empty."""


def _feedback_index_load(cache: Path) -> dict[str, tuple[str, int, int]]:
    try:
        data = json.loads((cache / f"{FEEDBACK_INDEX}.idx").read_bytes())
    except (OSError, ValueError, RecursionError):
        return {}
    if type(data) is not dict:
        return {}
    return {name: (v[0], v[1], v[2]) for name, v in data.items()
            if type(v) is list and len(v) == 3 and type(v[0]) is str
            and type(v[1]) is int and type(v[2]) is int}


def _written_unchanged(target: Path, written: tuple[str, int, int] | None, fkey: str) -> bool:
    """Whether ``target`` is the copy for ``fkey`` as this batch last wrote it."""
    if written is None or written[0] != fkey:
        return False
    try:
        st = target.stat()
    except OSError:
        return False
    return (st.st_size, st.st_mtime_ns) == written[1:]


def _feedback_index_store(cache: Path, feedback_dir: Path, keys: dict[str, str]) -> None:
    index = {}
    for name, fkey in sorted(keys.items()):
        try:
            st = (feedback_dir / name).stat()
        except OSError:
            continue
        index[name] = [fkey, st.st_size, st.st_mtime_ns]
    try:
        atomic_write_bytes(cache / f"{FEEDBACK_INDEX}.idx",
                           json.dumps(index, sort_keys=True).encode("utf-8"), force=True)
    except (OSError, OutputError):  # no index: the next run rewrites the copies, no harm
        pass


def _cache_load(path: Path, key: str) -> FileResult | None:
    """The cached result for ``key``, or None (a miss: the file is recomputed) when the
    entry is absent, unreadable, garbled, tampered with or for another key. The entry is
    JSON read by :func:`addin.batch.cache.loads`, which builds only known classes from
    type-checked fields: whoever can write to the output folder cannot make a run execute
    code (pickle could) nor crash it."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_BYTES:
            return None
        return loads(path.read_bytes(), key=key)
    except (OSError, CacheEntryError, TypeError, ValueError, RecursionError, MemoryError):
        return None


def _cache_store(path: Path, res: FileResult) -> None:
    try:
        atomic_write_bytes(path, dumps(res), force=True)
    except (OSError, OutputError, CacheEntryError, RecursionError):  # not cached: only slower
        pass


def _prune(cache: Path, used: Iterable[str]) -> None:
    """Drop cache entries this run did not use, so the cache stays the size of the inbox,
    and any ``.pickle`` entry (the old, unsafe format: never read, so never kept)."""
    keep = set(used)
    for p in cache.iterdir():
        stem = p.name.rsplit(".", 1)[0]
        if (stem not in keep or p.suffix == ".pickle") and not p.name.startswith(".~medpay-"):
            try:
                p.unlink()
            except OSError:
                pass
