"""A note that is not UTF-8 (for example UTF-16, or Latin-1 bytes).

## What it does
Reports the first byte that is not valid UTF-8, with its line and column, or a UTF-16 byte-order mark.

## Why is this bad?
Obsidian reads and writes UTF-8; other encodings show as garbage and may be rewritten lossily. vaultkit never
changes such a file.

## Example
```markdown
A file saved as UTF-16 by a Windows editor.
```

## Use instead
```markdown
Save the file as UTF-8 (a UTF-8 BOM is fine).
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


RULE = rule(sys.modules[__name__], "VK202", "invalid-encoding", "note", severity=Severity.ERROR)
