from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RunSummary:
    notes: int  # notes reported on
    vault_notes: int  # notes in the vault(s)
    color: bool = False
    statistics: bool = False
    checked: tuple[str, ...] = ()  # the notes reported on, as displayed, when the caller lists them (JUnit)
    # paths with problems that are not notes reported on (a symlinked folder, types.json), as displayed
    not_notes: frozenset[str] = frozenset()
