"""A link to a heading that the target note does not have.

## What it does
For `[[Note#Heading]]` and nested `[[Note#Part#Section]]`, checks that every heading named exists in the
target note. Case, extra spaces and the characters that links cannot hold (`# | ^ : %% [ ]`) are ignored,
as Obsidian does when it matches a heading.

## Why is this bad?
The link opens the note at the top instead of the section, usually because the heading was renamed.

## Example
```markdown
See [[Nathan Lambert#Writings]].
```

## Use instead
```markdown
See [[Nathan Lambert#Writing]].
```
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from vaultkit.diagnostics import Diagnostic
from vaultkit.facts import NoteFacts
from vaultkit.rules.base import VaultContext, rule
from vaultkit.vault import heading_key


def check(facts: NoteFacts, ctx: VaultContext) -> Iterable[Diagnostic]:
    for link in facts.links:
        if not link.subpath or link.subpath.startswith("^"):
            continue
        res = ctx.resolve(facts, link)
        target = ctx.index.facts.get(res.target or "")
        if target is None or not res.is_note:
            continue
        headings = {heading_key(text) for text, _line in target.headings}
        for part in link.subpath.split("#"):
            if part.strip() and heading_key(part) not in headings:
                yield Diagnostic(
                    facts.rel,
                    link.line,
                    link.col,
                    RULE.code,
                    f"'{res.target}' has no heading '{part.strip()}'",
                )
                break


RULE = rule(sys.modules[__name__], "VK103", "missing-heading", "vault")
