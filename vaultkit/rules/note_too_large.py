"""A note larger than the `max_note_bytes` limit (5 MB by default).

## What it does
Reports and skips notes over the size limit, so one pasted data dump cannot stall every check.

## Why is this bad?
Notes that large are almost always an export or a log pasted by mistake; Obsidian itself becomes slow on them.

## Example
```markdown
A 50 MB note of pasted logs.
```

## Use instead
```markdown
Move the data to an attachment, or raise `max_note_bytes` in vaultkit.toml.
```
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from vaultkit.diagnostics import Diagnostic, Severity
from vaultkit.rules.base import NoteContext, problems, rule

if TYPE_CHECKING:
    from vaultkit.note import Note


def check(note: Note, ctx: NoteContext) -> Iterable[Diagnostic]:
    return problems(note, RULE.code)


RULE = rule(sys.modules[__name__], "VK204", "note-too-large", "note", severity=Severity.ERROR)
