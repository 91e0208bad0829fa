"""A link to a block id that the target note does not have.

## What it does
For `[[Note#^block-id]]`, checks that a line of the target note ends with `^block-id`.

## Why is this bad?
The block reference or embed shows nothing, usually because the paragraph holding the id was edited away.

## Example
```markdown
![[ResRL#^methd]]
```

## Use instead
```markdown
![[ResRL#^method]]
```
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable

from vaultkit.diagnostics import Diagnostic
from vaultkit.facts import NoteFacts
from vaultkit.rules.base import VaultContext, rule


def check(facts: NoteFacts, ctx: VaultContext) -> Iterable[Diagnostic]:
    for link in facts.links:
        if not link.subpath.startswith("^"):
            continue
        res = ctx.resolve(facts, link)
        target = ctx.index.facts.get(res.target or "")
        if target is None:
            continue
        wanted = link.subpath[1:].strip().lower()
        if wanted not in ctx.block_idents(target):
            message = f"'{res.target}' has no block '^{link.subpath[1:]}'"
            yield Diagnostic(
                facts.rel, link.line, link.col, RULE.code, message + _unreadable(link.subpath[1:].strip())
            )


# What Obsidian reads as a block id at a line's end (`^([a-zA-Z0-9-]+)$`), as `markdown._BLOCK_ID` does
_IDENT = re.compile(r"[A-Za-z0-9-]+")


def _unreadable(ident: str) -> str:
    """Why a wanted id written with other characters (`^日本語`, `^ürün`, as Chinese, Japanese or Turkish
    notes write one) is none: the same text at the end of the target's line is text to Obsidian."""
    if not ident or _IDENT.fullmatch(ident):
        return ""
    why = "a block id is Latin letters, digits and '-' only: Obsidian reads"
    return f" ({why} '^{ident}' at the end of a line as text)"


RULE = rule(sys.modules[__name__], "VK104", "missing-block-id", "vault")
