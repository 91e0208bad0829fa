"""A link by bare name when two or more notes share that name.

## What it does
Reports `[[Name]]` when several notes (in different folders) are called `Name`, naming the candidates (of
more than six, the first five and how many more).
Obsidian silently picks one of them; vaultkit does not guess, but where one of Obsidian's first two rules
decides (the note at the vault root, else the one in the linking note's own folder) it says which note
Obsidian opens: a hub linked bare from its own folder works in Obsidian, and the message tells it from a
link that may open the other note.

## Why is this bad?
The link may point at a different note than the writer meant, and it can change target when a file is
moved, without any visible edit.

## Example
```markdown
See [[Overview]].   <!-- Labs/Overview.md and Papers/Overview.md both exist -->
```

## Use instead
```markdown
See [[Labs/Overview]].
```
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from vaultkit.diagnostics import Diagnostic
from vaultkit.facts import LinkFact, NoteFacts
from vaultkit.rules.base import VaultContext, candidate_names, rule
from vaultkit.vault import Resolution


def check(facts: NoteFacts, ctx: VaultContext) -> Iterable[Diagnostic]:
    for link in facts.links:
        res = ctx.resolve(facts, link)
        if res.candidates:
            names = candidate_names(res.candidates)
            yield Diagnostic(
                facts.rel,
                link.line,
                link.col,
                RULE.code,
                f"ambiguous link '{link.target}': it could mean {names}{_opened(link, res, facts.rel, ctx)};"
                f" {_advice(res)}",
            )


def _opened(link: LinkFact, res: Resolution, source: str, ctx: VaultContext) -> str:
    """` (Obsidian opens 'Home/Hub.md', in this note's folder)` where a bare wikilink's candidates hold the
    note at the vault root, or else one in the linking note's own folder: Obsidian opens that one (observed
    on Obsidian 1.13.7). Past those two rules (the shortest path, a folder below), and for paths or names
    that differ only in case, "": no claim. Two lookups a link, never a pass over the candidates (2,000
    notes share `README`)."""
    if link.kind != "wiki" or "/" in link.target or res.case_twins:
        return ""
    folder = source.rpartition("/")[0]
    found = ctx.index.at_path(link.target)
    where = "at the vault root"
    if found is None and folder:
        found, where = ctx.index.at_path(f"{folder}/{link.target}"), "in this note's folder"
    return f" (Obsidian opens '{found}', {where})" if found is not None else ""


def _advice(res: Resolution) -> str:
    """A folder tells apart notes in different folders, not two whose paths differ only in case or Unicode
    form (a Linux clone can hold `Note.md` and `note.md`, or an NFC and an NFD `Café.md`): Obsidian names
    both by the same path, and no link can tell them apart."""
    if res.case_twins:
        return (
            "their paths differ only in case or Unicode form, which Obsidian does not tell apart: rename one"
        )
    return "write the folder too"


RULE = rule(sys.modules[__name__], "VK102", "ambiguous-link", "vault")
