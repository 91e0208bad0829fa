"""A note that is not UTF-8 (for example UTF-16, or Latin-1 bytes).

## What it does
Reports the first byte that is not valid UTF-8, with its line and column, or a UTF-16 byte-order mark.
Where the bytes say which encoding it is, it says so, with the command that converts it: a UTF-16 or
UTF-32 file (its BOM) that decodes as such, or one that reads as Windows-1252 (Latin-1) and as neither
Shift-JIS nor GB18030 (`iconv -f WINDOWS-1252 -t UTF-8 Note.md > Note.utf8.md`, then move it back).
A UTF-16 file without a BOM (every other byte zero) is this, not a binary file (VK203).

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
