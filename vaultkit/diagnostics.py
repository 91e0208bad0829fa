"""Diagnostics are values: what a rule found, where, and how to fix it."""

from __future__ import annotations

import enum
from typing import Any, NamedTuple


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Edit(NamedTuple):
    """Replace text[start:end] of a note's decoded text with `text`."""

    start: int
    end: int
    text: str


class Fix(NamedTuple):
    """How to fix a diagnostic (a NamedTuple: a large vault's unlinked mentions make tens of thousands)."""

    edits: tuple[Edit, ...]
    description: str
    safe: bool = True


class Diagnostic(NamedTuple):
    """One finding. A NamedTuple, not a dataclass: a large vault yields tens of thousands, and tuples are
    built and compared at C speed."""

    path: str  # vault-relative, POSIX separators (display paths once handed to a reporter)
    line: int  # 1-based
    col: int  # 1-based, in characters
    code: str
    message: str
    severity: Severity = Severity.ERROR
    fix: Fix | None = None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.col, self.code, self.message)

    def to_json(self) -> dict[str, Any]:
        """The public JSON form (see README, "Output formats")."""
        out: dict[str, Any] = {
            "path": self.path,
            "line": self.line,
            "column": self.col,
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
            "fixable": self.fix is not None,
        }
        if self.fix is not None:
            out["fix"] = {"description": self.fix.description, "safe": self.fix.safe}
        return out

    def to_row(self) -> list[Any]:
        """A compact form for the cache; fix edits included only when `edits` is true."""
        fix = (
            None
            if self.fix is None
            else [self.fix.description, self.fix.safe, [list(e) for e in self.fix.edits]]
        )
        return [self.path, self.line, self.col, self.code, self.message, str(self.severity), fix]

    @classmethod
    def from_row(cls, row: list[Any]) -> Diagnostic:
        path, line, col, code, message, severity, fix = row
        if fix is not None:
            fix = Fix(tuple(Edit(*e) for e in fix[2]), fix[0], fix[1])
        return cls(path, line, col, code, message, Severity(severity), fix)
