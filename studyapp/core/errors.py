"""Errors a user can cause, carried as values with a message meant for people."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file the user gave us."""

    file: str
    message: str
    line: int | None = None
    column: int | None = None
    note_id: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        note = f" (note {self.note_id})" if self.note_id else ""
        return f"{where}{note}: {self.message}"


class UserError(Exception):
    """Something the user can fix; the message says what and how."""


class InvalidFile(UserError):
    """A file with one or more problems; nothing was changed."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        count = len(problems)
        head = f"{count} problem{'s' if count != 1 else ''} found; nothing was imported."
        super().__init__("\n".join([head, *(str(p) for p in problems)]))


class CollectionError(UserError):
    """The collection file cannot be opened or written (corrupt, too new, locked, ...)."""
