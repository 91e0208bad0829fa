"""Frontmatter whose line breaks were lost, so it sits on one line.

## What it does
Reports a first line of the form `--- key: value key: value ... ---`, typically left by a tool that joined
lines.

## Why is this bad?
It looks like frontmatter but is a paragraph of text: Obsidian sees no properties, and schema checks cannot
run.

## Example
```markdown
--- title: "Notes" source: newsletter tags: [ai] ---
```

## Use instead
```markdown
---
title: "Notes"
source: newsletter
tags: [ai]
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


RULE = rule(sys.modules[__name__], "VK006", "collapsed-frontmatter", "note", severity=Severity.ERROR)
