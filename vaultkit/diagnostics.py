"""Diagnostics are values: what a rule found, where, and how to fix it."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from vaultkit.facts import PropertyAnchor


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Edit(NamedTuple):
    """Replace text[start:end] of a note's decoded text with `text`."""

    start: int
    end: int
    text: str


class Fix(NamedTuple):
    """How to fix a diagnostic: what the fix does, whether it is safe, and its one edit, if it is worked out
    (`edits`; a report only describes a fix). The edit is held in the fix's own fields, not in an Edit in a
    tuple of its own: the ~230,000 unlinked mentions of a 50,000-note vault each have a fix, and the two
    objects more held ~120 bytes each at the peak of `link --check` (~27 MB). Every fix vaultkit makes is
    one edit: a link, or a note's new relations (a RelationsFix makes that edit when asked)."""

    description: str
    safe: bool = True
    # the edit: replace [start:end] of the note's decoded text with `text`; none if `text` is None
    start: int = 0
    end: int = 0
    text: str | None = None

    @classmethod
    def of(cls, edit: Edit | None, description: str, safe: bool = True) -> Fix:
        """The fix making `edit` (None: only described)."""
        return cls(description, safe) if edit is None else cls(description, safe, *edit)

    @property
    def edits(self) -> tuple[Edit, ...]:
        """The fix's edits: its one edit, or none where it is only described."""
        return () if self.text is None else (Edit(self.start, self.end, self.text),)


class RelationsFix(NamedTuple):
    """A note's missing relations as a fix (VK121): where the relations property takes new items, and the
    link texts it adds, made into the edit when asked (`edits`). Not the edit's text itself: ~420 bytes a
    note, ~20 MB at the peak of `link --check` on 50,000 notes, where the link texts are strings the vault's
    notes share (`VaultContext.writable_link`) and the anchors too (`store`)."""

    description: str
    anchor: PropertyAnchor
    names: tuple[str, ...]  # each added as `[[name]]`
    safe: bool = True

    @property
    def edits(self) -> tuple[Edit, ...]:
        from vaultkit.linker import relation_insert  # here: a run answered from the cache never loads it

        return (Edit(*relation_insert(self.anchor, [f"[[{name}]]" for name in self.names])),)


class Diagnostic(NamedTuple):
    """One finding. A NamedTuple, not a dataclass: a large vault yields tens of thousands, and tuples are
    built and compared at C speed."""

    path: str  # vault-relative, POSIX separators (display paths once handed to a reporter)
    line: int  # 1-based
    col: int  # 1-based, in characters
    code: str
    message: str
    severity: Severity = Severity.ERROR
    fix: Fix | RelationsFix | None = None

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
        """A compact form for the cache: the fix's description, whether it is safe, and its edits (none for a
        report's fixes, which only describe: `engine._without_edits`)."""
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
            (edit,) = fix[2] or [None]  # a fix is one edit (a row of more is refused, as any bad row is)
            fix = Fix.of(None if edit is None else Edit(*edit), fix[0], fix[1])
        return cls(path, line, col, code, message, Severity(severity), fix)
