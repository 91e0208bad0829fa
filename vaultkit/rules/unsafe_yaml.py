"""YAML that vaultkit refuses to load: language-specific tags, alias bombs, extreme nesting.

## What it does
Reports frontmatter using tags such as `!!python/object`, aliases that would expand to hundreds of thousands
of values (a "billion laughs" document), or nesting deeper than 500 levels. The note is not loaded.

## Why is this bad?
Such YAML is either an attack on the tools that read the vault or a mistake no editor would make. Loading it
could run code, exhaust memory or crash the YAML library.

## Example
```markdown
---
a: &a [x, x, x]
b: &b [*a, *a, *a]
# ... and so on, nine times
---
```

## Use instead
```markdown
Plain values; anchors only where they are small.
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


RULE = rule(sys.modules[__name__], "VK004", "unsafe-yaml", "note", severity=Severity.ERROR)
