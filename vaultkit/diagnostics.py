"""Diagnostics are values: what a rule found, where, and how to fix it."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Edit:
    """Replace text[start:end] of a note's decoded text with `text`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Fix:
    edits: tuple[Edit, ...]
    description: str
    safe: bool = True


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str  # vault-relative, POSIX separators
    line: int  # 1-based
    col: int  # 1-based, in characters
    code: str
    message: str
    severity: Severity = field(default=Severity.ERROR, compare=False)
    fix: Fix | None = field(default=None, compare=False)

    def to_json(self) -> dict[str, Any]:
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
            out["fix"] = {
                "description": self.fix.description,
                "safe": self.fix.safe,
                "edits": [{"start": e.start, "end": e.end, "text": e.text} for e in self.fix.edits],
            }
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Diagnostic:
        fix = None
        if "fix" in data:
            f = data["fix"]
            edits = tuple(Edit(e["start"], e["end"], e["text"]) for e in f["edits"])
            fix = Fix(edits, f["description"], f["safe"])
        return cls(
            data["path"],
            data["line"],
            data["column"],
            data["code"],
            data["message"],
            Severity(data["severity"]),
            fix,
        )
