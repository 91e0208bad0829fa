"""A `sha256` property that does not match the note's body.

## What it does
When a note has a `sha256` property of 64 hex digits, recomputes the SHA-256 of its body and reports a
mismatch. The body is everything after the line that closes the frontmatter, decoded as UTF-8, with CRLF
and CR line endings turned into LF, encoded as UTF-8 again. A BOM and the frontmatter are not part of it.

## Why is this bad?
Ingested notes (`type: raw`) carry the hash of the source text they were made from. A mismatch means the
text was edited after ingestion, or truncated by a sync conflict, and no longer says what the source said.

## Example
```markdown
---
sha256: 104e69a4870c1e5442b67434c131ff290923711870dde2940dc5abcc4623e2e5
---
Text edited after ingestion.
```

## Use instead
Restore the ingested text, or re-ingest the source so that the hash is recomputed.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from vaultkit.diagnostics import Diagnostic
from vaultkit.rules.base import NoteContext, rule

if TYPE_CHECKING:
    from vaultkit.note import Note

_HEX64 = re.compile(r"[0-9a-fA-F]{64}\Z")


def check(note: Note, ctx: NoteContext) -> Iterable[Diagnostic]:
    expected = note.fm.data.get("sha256")
    if not isinstance(expected, str) or not _HEX64.match(expected):
        return
    from vaultkit.note import body_digest  # here: a run answered from the cache never loads it

    actual = body_digest(note.body_text)
    if actual != expected.lower():
        node = note.fm.nodes[("sha256",)]
        yield Diagnostic(
            note.rel,
            node.line,
            node.col,
            RULE.code,
            f"sha256: does not match the body (the body hashes to {actual}); "
            "the text changed after ingestion",
        )


RULE = rule(sys.modules[__name__], "VK021", "sha256-mismatch", "note")
