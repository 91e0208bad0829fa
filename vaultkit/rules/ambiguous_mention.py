"""A mention that could name two different notes, so it is not linked.

## What it does
Reports the first mention of a name or alias that two or more notes share (two notes called `Overview`, or
an alias used by two notes), naming the candidates (of more than six, the first five and how many more).
vaultkit does not link it. A note that links one of the candidates already is not told: it means that one.

## Why is this bad?
It is not wrong in itself; it tells you why a mention stayed unlinked. Rename one note, or make the alias
unique, and the mention can be linked.

## Example
```markdown
Lambert visited the labs.   <!-- "Lambert" is an alias of two people -->
```

## Use instead
Give each note an alias of its own, or link by hand: `[[Nathan Lambert|Lambert]]`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from vaultkit.diagnostics import Diagnostic, Severity
from vaultkit.facts import NoteFacts
from vaultkit.rules.base import VaultContext, candidate_names, rule


def check(facts: NoteFacts, ctx: VaultContext) -> Iterable[Diagnostic]:
    for mention, candidates in ctx.ambiguous.get(facts.rel, ()):
        names = candidate_names(candidates)
        yield Diagnostic(
            facts.rel,
            mention.line,
            mention.col,
            RULE.code,
            f"'{mention.text}' could mean {names}; not linked",
            RULE.severity,
        )


RULE = rule(sys.modules[__name__], "VK122", "ambiguous-mention", "vault", severity=Severity.WARNING)
