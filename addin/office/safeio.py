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
import os
import re
import socket
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

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


class FolderLock:
    """An exclusive lock file in an output folder: a second run refuses, clearly."""

    NAME = ".medpay.lock"

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / self.NAME
        self._fh: IO[str] | None = None

    def __enter__(self) -> FolderLock:
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            raise self._busy() from None
        self._fh = os.fdopen(fd, "w")
        self._fh.write(f"{os.getpid()} {socket.gethostname()}")
        self._fh.flush()
        return self

    def _holder_gone(self) -> bool:
        """True when the lock was left by a process on THIS machine that no longer runs
        (killed, power cut). We never remove it ourselves - two runs doing so at once
        could both think they hold the lock - we say so in the message instead."""
        try:
            pid_text, _, host = self.path.read_text(encoding="utf-8").partition(" ")
            pid = int(pid_text)
        except (OSError, ValueError):
            return False
        if host.strip() != socket.gethostname():
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except OSError:
            return False
        return False

    def _busy(self) -> OutputError:
        if self._holder_gone():
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
        if self._fh:
            self._fh.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
