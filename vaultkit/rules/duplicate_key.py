"""A property defined twice in the same frontmatter.

## What it does
Reports the second occurrence of a key in a mapping, naming the line of the first.

## Why is this bad?
YAML keeps only the last value, silently: the first one is lost when Obsidian or any script rewrites the note.

## Example
```markdown
---
tags: [ai]
title: Notes
tags: [newsletter]
---
```

## Use instead
```markdown
---
title: Notes
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


RULE = rule(sys.modules[__name__], "VK003", "duplicate-key", "note", severity=Severity.ERROR)
