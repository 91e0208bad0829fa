"""A link to a note or file that does not exist.

## What it does
Resolves every link as Obsidian does — `[[Name]]` by file name anywhere in the vault (case ignored, `.md`
optional), `[[Folder/Name]]` from the vault root, Markdown links `[text](path.md)` relative to the note and
from the root (with `%20` and `<...>` targets) — and reports links that resolve to nothing. Attachments
(images, PDFs...) must be named with their extension. Links inside code, math and comments are not links.
Links in frontmatter properties (`related: ["[[ResRL]]"]`) are checked too.

## Why is this bad?
A broken link is a dead end for the reader and, when the note was renamed outside Obsidian, a relation that
silently disappeared from the graph and from backlinks.

## Example
```markdown
The method comes from [[ResRl paper]].
```

## Use instead
```markdown
The method comes from [[ResRL]].
```
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from vaultkit.diagnostics import Diagnostic
from vaultkit.facts import NoteFacts
from vaultkit.rules.base import VaultContext, rule


def check(facts: NoteFacts, ctx: VaultContext) -> Iterable[Diagnostic]:
    for link in facts.links:
        res = ctx.resolve(facts, link)
        if res.target is None and not res.candidates:
            what = "embed" if link.embed else "link"
            yield Diagnostic(
                facts.rel, link.line, link.col, RULE.code, f"broken {what}: '{link.target}' matches no note or file"
            )


RULE = rule(sys.modules[__name__], "VK101", "broken-link", "vault")
