"""Writing outputs safely: atomic replace, no silent overwrite, safe file names,
formula-injection-proof cell values, and a lock so two runs never interleave.

* Every output is written to a temporary file in the same folder and renamed into
  place (``os.replace``), so an interrupted run leaves no half-written file.
* An existing output is not overwritten unless ``force``.
* File names built from spreadsheet values cannot escape the output folder or use names
  Windows forbids.
* Text written into a workbook that begins with ``=``, ``+``, ``-``, ``@``, tab or
  carriage return is stored as text, never as a formula.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import socket
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from addin.core.errors import OutputError

_WINDOWS_RESERVED = {
    "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
    *(f"COM{i}" for i in (*range(1, 10), "\u00b9", "\u00b2", "\u00b3")),
    *(f"LPT{i}" for i in (*range(1, 10), "\u00b9", "\u00b2", "\u00b3")),
}
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
MAX_NAME = 120


def safe_filename(name: str, *, default: str = "unnamed", max_len: int = MAX_NAME) -> str:
    """A file name that is safe on Windows, macOS and Linux and stays in its folder.

    >>> safe_filename("../x")
    'x'
    >>> safe_filename("CON")
    '_CON'
    >>> safe_filename("a:b. ")
    'a_b'
    """
    text = unicodedata.normalize("NFC", str(name))
    # Invisible format characters (right-to-left override, zero-width joiners) could
    # disguise "gpj.exe" as "exe.jpg"; line/paragraph separators break listings.
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Zl", "Zp", "Cs"))
    text = _FORBIDDEN.sub("_", text)
    text = text.replace("..", "_")
    text = re.sub(r"\s+", " ", text).strip(" ._")
    if not text:
        text = default
    stem, dot, ext = text.rpartition(".")
    base = (stem if dot else text).split(".")[0].rstrip(" ")
    if base.upper() in _WINDOWS_RESERVED:
        text = "_" + text
    if len(text) > max_len:
        if dot and len(ext) <= 8:
            text = text[: max_len - len(ext) - 1].rstrip(" ._") + "." + ext
        else:
            text = text[:max_len].rstrip(" ._")
    return text


def inside(folder: Path, name: str) -> Path:
    """Join a (sanitised) name to ``folder`` and prove the result stays inside it."""
    target = (folder / safe_filename(name)).resolve()
    root = folder.resolve()
    if root != target.parent:
        raise OutputError(f"refusing to write outside the output folder: {name!r}", file=folder)
    return target


def check_writable(path: Path, *, force: bool = False) -> None:
    if path.exists() and not force:
        raise OutputError("output already exists", file=path,
                          hint="choose another name or pass --force to replace it")


def _umask() -> int:
    """The process umask (read by setting it and putting it back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | Path, *, force: bool = False) -> Iterator[Path]:
    """Yield a temporary path in the same folder; on success rename it onto ``path``."""
    target = Path(path)
    check_writable(target, force=force)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".~medpay-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp creates the file 0600; an output is an ordinary file for colleagues on
        # a shared drive: the mode a plain open() would give (umask), or the mode of the
        # file it replaces (--force)
        try:
            mode = target.stat().st_mode & 0o7777
        except OSError:
            mode = 0o666 & ~_umask()
        os.chmod(tmp_path, mode)
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def atomic_write_bytes(path: str | Path, data: bytes, *, force: bool = False) -> Path:
    with atomic_path(path, force=force) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def atomic_write_text(path: str | Path, text: str, *, force: bool = False) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"), force=force)


def atomic_save(path: str | Path, save: Callable[[Path], Any], *, force: bool = False) -> Path:
    """``save(tmp_path)`` writes the file (e.g. ``wb.save``); then it is renamed into place."""
    with atomic_path(path, force=force) as tmp:
        save(tmp)
    return Path(path)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def needs_text_guard(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(_FORMULA_START)


def csv_safe(value: Any) -> Any:
    """A value for a CSV output: text that a spreadsheet would run as a formula gets a
    leading apostrophe (the OWASP CSV-injection defence); other values pass through."""
    if needs_text_guard(value):
        return "'" + value
    return value


def append_row(ws, values: Any) -> int:
    """``ws.append`` that writes every text value through :func:`set_cell` (never a
    formula). Returns the row number written."""
    row = ws._current_row + 1  # exactly where openpyxl's ws.append would write
    for col, value in enumerate(values, start=1):
        set_cell(ws, row, col, value)
    return row


def set_cell(ws, row: int, col: int, value: Any):
    """Write a value into an openpyxl cell so that text is never a formula.

    openpyxl treats a str beginning with '=' as a formula; we set the data type to
    string explicitly for any text starting with a formula trigger character.
    """
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = value
        if needs_text_guard(value):
            cell.data_type = "s"
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def _process_start(pid: int) -> str:
    """When process ``pid`` started, as the kernel counts it (clock ticks since boot, from
    ``/proc/<pid>/stat`` field 22), or "" where there is no /proc. A pid reused by a new
    process has another start time, so "pid alive" is not mistaken for "owner alive"."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else ""


def _os_lock(fd: int) -> bool | None:
    """Take an OS lock on the open lock file without waiting: True when taken, False
    when another process holds it, None when this file system cannot lock. The OS drops
    the lock when its process ends, however it ends (SIGKILL, power cut aside)."""
    try:
        if sys.platform == "win32":  # pragma: no cover - Windows
            import msvcrt

            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (BlockingIOError, PermissionError):
        return False
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EDEADLK):
            return False
        return None  # ENOLCK, EOPNOTSUPP: a file system without locks
    return True


class FolderLock:
    """An exclusive lock on an output folder: a second run refuses, clearly.

    The lock is an OS lock (``fcntl.flock``; ``msvcrt.locking`` on Windows) held on
    ``.medpay.lock``, which also records the owner (pid, computer, process start time).
    The OS releases it when the owner dies, even by SIGKILL, so a lock file left by a run
    that was killed is taken over automatically, with one line saying so
    (:attr:`taken_over`); a live run is still refused. Safer readings: a lock recorded by
    another computer is never taken over (a network drive may not share OS locks between
    computers, so that run may be alive), nor one whose recorded owner still runs (an older
    medpay that held no OS lock), nor any on a file system without OS locks: those are
    refused as before, with the hint to delete the file when no run is active.
    """

    NAME = ".medpay.lock"

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / self.NAME
        self._fd: int | None = None
        self.taken_over: str | None = None
        """One line describing the stopped run whose lock this one took over, or None."""

    def __enter__(self) -> FolderLock:
        self.folder.mkdir(parents=True, exist_ok=True)
        for _ in range(20):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            locked = _os_lock(fd)
            if locked is False:
                os.close(fd)
                raise self._busy()
            if locked is None:
                os.close(fd)
                return self._enter_without_os_lock()
            if os.name != "nt":
                # the file may have been unlinked by its releasing owner between our open
                # and our lock: then we hold a lock on a file nobody else will see
                try:
                    same = os.path.samestat(os.fstat(fd), os.stat(self.path))
                except FileNotFoundError:
                    same = False
                if not same:
                    os.close(fd)
                    continue
            self._fd = fd
            try:
                self._take(fd)
            except BaseException:
                self._fd = None
                os.close(fd)
                raise
            return self
        raise self._busy()

    def _take(self, fd: int) -> None:
        """We hold the OS lock: judge what the file says about a previous owner, then
        record ourselves."""
        os.lseek(fd, 0, os.SEEK_SET)
        previous = os.read(fd, 4096).decode("utf-8", errors="replace").strip()
        if previous:
            pid, host, start = self._owner(previous)
            if host != socket.gethostname():
                raise self._busy()
            if pid is not None and self._alive(pid, start):
                raise self._busy()
            self.taken_over = (
                f"took over the lock {self.path} left by a medpay run that was stopped "
                f"(process {pid if pid is not None else '?'} on this computer, no longer running)")
        os.lseek(fd, 0, os.SEEK_SET)
        os.ftruncate(fd, 0)
        me = os.getpid()
        os.write(fd, f"{me} {socket.gethostname()} {_process_start(me)}".encode())

    def _enter_without_os_lock(self) -> FolderLock:
        """A file system without OS locks: the lock file's existence is the lock."""
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            raise self._busy() from None
        me = os.getpid()
        os.write(fd, f"{me} {socket.gethostname()} {_process_start(me)}".encode())
        self._fd = fd
        return self

    @staticmethod
    def _owner(text: str) -> tuple[int | None, str, str]:
        pid_text, _, rest = text.partition(" ")
        host, _, start = rest.partition(" ")
        try:
            pid = int(pid_text)
        except ValueError:
            pid = None
        return pid, host.strip(), start.strip()

    @staticmethod
    def _alive(pid: int, start: str) -> bool:
        """True when process ``pid`` runs and is the one recorded (same start time)."""
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except OSError:
            pass  # another user's process: it exists
        now = _process_start(pid)
        return not (start and now and now != start)

    def _holder_gone(self) -> bool:
        """True when the lock file names a process on THIS machine that no longer runs."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError:
            return False
        pid, host, start = self._owner(text.strip())
        return host == socket.gethostname() and pid is not None and not self._alive(pid, start)

    def _busy(self) -> OutputError:
        if os.name != "nt" and self._holder_gone():  # only without OS locks (see the class)
            return OutputError(
                "a medpay run that was stopped left its lock file .medpay.lock in this folder",
                file=self.folder,
                hint="no run is active: delete .medpay.lock and run again",
            )
        return OutputError(
            "another medpay run is writing to this folder (lock file .medpay.lock exists)",
            file=self.folder,
            hint="wait for it to finish, or delete .medpay.lock if no run is active",
        )

    def __exit__(self, *exc: object) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        # emptied first: if the file cannot be removed (Windows, while another process
        # has it open) the next run finds an empty lock and takes it silently
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        if os.name != "nt":
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()  # while still locked: see __enter__'s samestat check
            os.close(fd)
        else:  # pragma: no cover - Windows cannot remove an open file
            os.close(fd)
            with contextlib.suppress(OSError):
                self.path.unlink()
