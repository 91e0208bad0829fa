"""An `updated` date earlier than the `created` date.

## What it does
Compares the `created` and `updated` properties when both are valid `YYYY-MM-DD` dates (or date-times) and
reports `updated` when it is earlier: by the day where either is a date alone, with their offsets where
both have one (`10:00+02:00` is before `09:00Z`), and where one has an offset and the other not (local
time, of no zone written), only when no zone could put them in order.

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
        return datetime.datetime.fromisoformat(value)
    except ValueError:
        return None


# Offsets run from UTC-12:00 to UTC+14:00: a time written without one (local time, of a zone nobody wrote
# down) is, in UTC, anywhere from 14 hours before its reading (UTC+14:00) to 12 hours after it (UTC-12:00)
_EAST = datetime.timedelta(hours=14)
_WEST = datetime.timedelta(hours=12)


def _offset(moment: datetime.datetime) -> datetime.timedelta:
    return moment.utcoffset() or datetime.timedelta(0)


def _before(updated: datetime.datetime, created: datetime.datetime, dates_only: bool) -> bool:
    if dates_only:  # `updated: 2024-07-17` says no more than the day
        return updated.date() < created.date()
    if (updated.tzinfo is None) == (created.tzinfo is None):  # both local, or both with their offsets
        return updated < created
    # Differences only: a moment moved to UTC, or by a zone, can fall outside the years 1 to 9999
    apart = updated.replace(tzinfo=None) - created.replace(tzinfo=None)  # as written, offsets left out
    if updated.tzinfo is not None:  # before created at its earliest, local time in the easternmost zone
        return apart < _offset(updated) - _EAST
    return apart < -_offset(created) - _WEST  # updated at its latest, in the westernmost zone, still before


def check(note: Note, ctx: NoteContext) -> Iterable[Diagnostic]:
    written = note.fm.data.get("created"), note.fm.data.get("updated")
    created, updated = _date(written[0]), _date(written[1])
    if created is None or updated is None:
        return
    if not _before(updated, created, any(len(str(w)) == len("2024-07-17") for w in written)):
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
