"""A note that other notes link to, without showing those notes itself.

## What it does
When note A links to note B (in its body, or in a property other than the relations property), B should show A
too, so that the relation reads from both sides even outside Obsidian: in git, on a forge, in other tools. B
shows A when it links to A anywhere, or lists it in its relations property (`related` by default,
`relations.property` in vaultkit.toml), which holds quoted wikilinks: `related: ["[[ResRL]]"]`. Obsidian
counts links in list properties as links. `relations.enabled = false` turns this off; `relations.types` limits
it to notes of some types, and `relations.skip_properties` names properties whose links ask no relation back
(`categories`, in a vault whose category notes list their members in a base). A note no link can name is left
out (the linker does not link to it either): one whose name begins or ends with white space (a link's target
is read trimmed), one at the vault root whose name another note shares (`[[Toyota]]` could mean either), and
one whose path must be written and holds a `#` or `|`. An Excalidraw drawing (an `excalidraw-plugin` property)
is not asked to list anything: its frontmatter is the plugin's. It is reported at the note's relations key,
where the links are to be listed (`related:` on line 6 is 6:1; in a flow mapping, `{title: A, related: []}`,
2:12), or at 1:1 in a note that has none.

## Why is this bad?
Backlinks exist only inside Obsidian. Someone reading Meituan's note on GitHub cannot see that ResRL came
from Meituan.

## Example
```markdown
---
type: entity
kind: company
---
Meituan is a food-delivery company.
```

## Use instead
```markdown
---
type: entity
kind: company
related:
  - "[[ResRL]]"
---
Meituan is a food-delivery company.
```

## Fix safety
Safe. The property is edited surgically: a new item is added after the last one in the same style (block
or flow list, same indent and quotes); no other key, comment, quote or line ending is touched. A note with
no frontmatter gets one. A single link (`related: "[[B]]"`) is turned into a list that keeps it; a single
value that is not a link (`related: see the paper`, `related: 5`) is reported without a fix: made a list, it
would mean something else. A note whose lines break with
a bare CR (old Mac files) is reported but gets no fix: a new line in it would need that break, which no
editor of today keeps. Nor does a relations property whose value is a YAML anchor (`related: &r [...]`) or
an alias of one (`related: *r`): a new item would change every property sharing it. Nor does a block list
whose last item is a block scalar (`- >-` and its lines): the scalar owns the line breaks after its text, so
no item can follow it in place; nor one whose last item is an alias (`- *x`, written where its anchor is)
or is written on the line after its dash.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence

from vaultkit.diagnostics import Diagnostic, Fix, RelationsFix, Severity
from vaultkit.facts import DRAWING_PROPERTY, NoteFacts, key_as_written
from vaultkit.paths import nfc
from vaultkit.rules.base import VaultContext, rule


def check(facts: NoteFacts, ctx: VaultContext) -> Iterable[Diagnostic]:
    relations = ctx.config.relations
    if not relations.enabled or not facts.readable or DRAWING_PROPERTY in facts.properties:
        return
    if relations.types and facts.note_type not in relations.types:
        return
    missing = unlisted_sources(facts.rel, ctx)
    if not missing:
        return
    links = [f"[[{text}]]" for _source, text in missing]
    fix: Fix | RelationsFix | None = None
    if facts.anchor is not None and facts.editable:
        noun = "link" if len(links) == 1 else "links"
        # one string for each count, not one for each note (~3.5 MB of `link` on 50,000 notes)
        description = sys.intern(f"add {len(links)} {noun} to {relations.property}")
        fix = (
            RelationsFix(description, facts.anchor, tuple(text for _source, text in missing))
            if ctx.edits
            else ctx.described(description)  # only reported: the edit is not worked out
        )
    verb = "links" if len(missing) == 1 else "link"
    them = "it" if len(missing) == 1 else "them"
    why = (
        f" (and vaultkit cannot add {them} safely: `vaultkit explain VK121`)"
        if fix is None and facts.editable
        else ""
    )
    key = key_as_written(facts.properties, relations.property)  # `Related`, as the note writes it
    yield Diagnostic(
        facts.rel,
        facts.relations_line or 1,  # at the key, where the links are to be listed, else at the top
        facts.relations_col,
        RULE.code,
        f"{_listed(links)} {verb} here, but '{key}' does not list {them}{why}",
        RULE.severity,
        fix,
    )


SHOWN = 5  # names in the message; the fix adds them all


def unlisted_sources(rel: str, ctx: VaultContext) -> list[tuple[str, str]]:
    """The notes linking to `rel` that it does not link to or list, by path, each with the text of the link
    to it that its fix adds to the property (but for notes no link written in `rel` can name:
    `VaultContext.relation_link`, which gives that text)."""
    back, out, link = ctx.backlinks, ctx.outlinks, ctx.relation_link
    found = []
    for s in set(back.get(rel, ())).difference(out.get(rel, ()), (rel,)):
        text = link(s, rel)
        if text is not None:
            found.append((s, text))
    # by the names Obsidian gives them, NFC: a macOS vault's NFD `İzmir.md` (I, then a combining dot) came
    # before `Node.js.md` there and after it in the same vault on Linux
    return sorted(found, key=lambda pair: (nfc(pair[0]), pair))


def _listed(links: Sequence[str]) -> str:
    """The first SHOWN links, and how many more."""
    more = f" and {len(links) - SHOWN} more" if len(links) > SHOWN else ""
    return ", ".join(links[:SHOWN]) + more


RULE = rule(
    sys.modules[__name__], "VK121", "missing-relation", "vault", fixable=True, severity=Severity.WARNING
)
