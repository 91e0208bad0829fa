"""A `---` block that would be frontmatter, but does not start on the first line.

## What it does
Warns when the note starts with blank lines or spaces followed by a `---` ... `---` block.

## Why is this bad?
Obsidian only reads frontmatter that starts on the very first line; otherwise the block is body text and the
note has no properties.

## Example
```markdown

---
title: Notes
---
```

## Use instead
```markdown
---
title: Notes
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
    return problems(note, RULE.code, RULE.severity)


RULE = rule(sys.modules[__name__], "VK005", "frontmatter-not-first", "note", severity=Severity.WARNING)
