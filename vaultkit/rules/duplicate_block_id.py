"""The same block id used twice in one note.

## What it does
Reports the second and later lines of a note that end with a `^block-id` already used in that note.

## Why is this bad?
A block reference can point at only one of them; Obsidian picks the first, so links meant for the other
block show the wrong text.

## Example
```markdown
First claim. ^claim
Second claim. ^claim
```

## Use instead
```markdown
First claim. ^claim-1
Second claim. ^claim-2
```
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from vaultkit.diagnostics import Diagnostic
from vaultkit.rules.base import NoteContext, rule

if TYPE_CHECKING:
    from vaultkit.note import Note


def check(note: Note, ctx: NoteContext) -> Iterable[Diagnostic]:
    # where each id is, worked out only for a duplicate and the id it repeats (most notes have none)
    seen: dict[str, int] = {}
    base = note.fm.body_start
    for block in note.body.block_ids:
        key = block.ident.lower()
        if key in seen:
            line, col = note.position(base + block.start)
            first = note.position(base + seen[key])[0]
            message = f"block id '^{block.ident}' is already used on line {first}"
            yield Diagnostic(note.rel, line, col, RULE.code, message)
        else:
            seen[key] = block.start


RULE = rule(sys.modules[__name__], "VK105", "duplicate-block-id", "note")
