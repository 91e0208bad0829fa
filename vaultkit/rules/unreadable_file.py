"""A note that cannot be read: permissions, a broken symlink, a symlink loop, or it vanished.

## What it does
Reports a `.md` path in the vault that vaultkit could not open or read, with the reason.

## Why is this bad?
Obsidian cannot show it either, and a broken symlink usually means a note was moved or deleted outside the
vault.

## Example
```markdown
Entities/Meituan.md -> ../../old-vault/Meituan.md (missing)
```

## Use instead
```markdown
Restore the file, fix the link, or remove it.
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


RULE = rule(sys.modules[__name__], "VK201", "unreadable-file", "note", severity=Severity.ERROR)
