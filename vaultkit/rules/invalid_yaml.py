"""Frontmatter that is not valid YAML, or is never closed.

## What it does
Reports a frontmatter block that YAML cannot read: a syntax error, a tab used for indentation, an unclosed
quote, an opening `---` with no closing `---`, a value its explicit tag cannot read (`!!int seven`,
`!!bool yes`, `!!map 5`), or an integer of more than 4,300 digits (more than Python converts). The
diagnostic points at the line and column where the YAML parser stopped, or at the value.

## Why is this bad?
Obsidian shows no properties for such a note, and every tool that reads the vault sees none either: the note
silently drops out of searches, Bases and Dataview queries.

## Example
```markdown
---
title: "Notes from inside
source: newsletter
---
```

## Use instead
```markdown
---
title: "Notes from inside"
source: newsletter
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


RULE = rule(sys.modules[__name__], "VK001", "invalid-yaml", "note", severity=Severity.ERROR)
