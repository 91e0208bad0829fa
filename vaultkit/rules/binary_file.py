"""A file named `.md` that holds binary data.

## What it does
Reports a note containing NUL bytes or starting with an image signature.

## Why is this bad?
It is not a note: usually an attachment saved with the wrong extension. vaultkit never edits it.

## Example
```markdown
diagram.md (really a PNG)
```

## Use instead
```markdown
Rename it to its real extension.
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


RULE = rule(sys.modules[__name__], "VK203", "binary-file", "note", severity=Severity.ERROR)
