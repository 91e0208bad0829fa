"""Frontmatter that is a list or a single value instead of key: value properties.

## What it does
Reports frontmatter whose top level is a YAML list or scalar.

## Why is this bad?
Properties are a mapping from names to values; a list or a bare value gives the note no properties at all.

## Example
```markdown
---
- ai
- newsletter
---
```

## Use instead
```markdown
---
tags: [ai, newsletter]
---
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


RULE = rule(sys.modules[__name__], "VK002", "frontmatter-not-mapping", "note", severity=Severity.ERROR)
