"""Errors a user can see. Every one renders as a single line naming the file (and the
sheet/cell where known), what is wrong and what to do. The CLI turns them into exit
status 2; ``--debug`` shows the traceback instead."""

from __future__ import annotations

from pathlib import Path


class MedpayError(Exception):
    """Base class for errors shown to users as one line (never a traceback)."""

    exit_status = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        sheet: str | None = None,
        cell: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.sheet = sheet
        self.cell = cell
        self.hint = hint

    def one_line(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.sheet:
                where += f" [{self.sheet}"
                where += f"!{self.cell}]" if self.cell else "]"
            where += ": "
        text = f"{where}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text.replace("\n", " ")

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.one_line()


class InputError(MedpayError):
    """An input file cannot be read: missing, wrong kind, corrupt, encrypted, hostile."""


class OutputError(MedpayError):
    """An output cannot be written: exists without --force, locked folder, unsafe name."""


class SettingsError(MedpayError):
    """The pay-ranges/settings workbook is missing a value or holds a bad one."""
