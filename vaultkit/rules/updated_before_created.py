"""An `updated` date earlier than the `created` date.

## What it does
Compares the `created` and `updated` properties when both are valid `YYYY-MM-DD` dates (or date-times) and
reports `updated` when it is earlier.

## Why is this bad?
One of the two is wrong, usually a typo in the year or month; sorting and "recently changed" views then
put the note in the wrong place.

## Example
```markdown
---
created: 2026-05-10
updated: 2025-05-10
---
```

## Use instead
```markdown
---
created: 2026-05-10
updated: 2026-05-10
---
```
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from vaultkit.diagnostics import Diagnostic
from vaultkit.rules.base import NoteContext, rule

if TYPE_CHECKING:
    from vaultkit.note import Note


def _date(value: object) -> datetime.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=None)


def check(note: Note, ctx: NoteContext) -> Iterable[Diagnostic]:
    created, updated = _date(note.fm.data.get("created")), _date(note.fm.data.get("updated"))
    if created is None or updated is None or updated >= created:
        return
    node = note.fm.nodes[("updated",)]
    yield Diagnostic(
        note.rel,
        node.line,
        node.col,
        RULE.code,
        f"updated: {note.fm.data['updated']} is before created: {note.fm.data['created']}",
    )


RULE = rule(sys.modules[__name__], "VK020", "updated-before-created", "note")
