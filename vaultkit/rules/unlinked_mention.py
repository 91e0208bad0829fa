"""A mention of another note's name or alias that is not a link yet.

## What it does
Finds plain-text mentions of other notes — by file name or by any of their `aliases` — and offers to turn
the first mention of each note into a link. The link keeps the prose as it reads: `[[Meituan]]` when the
text is the name, `[[Meituan|meituan]]` or `[[ResRL|ResRL paper]]` when it differs. With
`useMarkdownLinks` in `.obsidian/app.json`, a Markdown link in the `newLinkFormat` style is written instead.

Never touched: frontmatter, code (fenced, indented, inline), math, comments, HTML (blocks, tags, and the
text of elements such as `<span>`, `<b>` or `<mark>`: Obsidian renders no Markdown there), existing links,
URLs, tags, footnotes, block ids, headings, callout titles, tables, and the values of Dataview's inline fields
(`lab:: Meituan`, `[lab:: Meituan]`: data a query may compare to text), and the words of a Tasks plugin field
(the recurrence rule after `🔁`, the ids after `🆔` and `⛔`). Not linked: the note itself, a note
no link can name (see VK121), a note the note already links to (in the body or a property), a second
mention, names shorter than `link.min_length` (a Han, Kana or Hangul character counts twice), dates and
numbers, words listed in `link.never`, names two notes share (see VK122), part of a longer name (a domain,
a file name, a path, a handle: `meituan.com`, `Meituan.pdf`, `01.ai/about`, `@meituan`; or a model or
version name that hyphens join, holding a digit: `GPT-4o-mini`, `Kimi-K2`; or a package or repository id:
a name written in lower case, though none of its spellings is, that a hyphen or slash glues to a word,
`openai-python`, `openai/gpt-oss-20b`, and a repository named after its owner, `Qwen/Qwen2.5-Max`), a
mention right after `[`, `!`,
a backslash or `^` (the link would read as `[[[`, an embed, an escaped bracket or an inline footnote),
after a `]` where the note defines a reference link of that name (`[note][Meituan]` would be that
reference link), before `]` or `::` (a Dataview field's key), right before `(`, a Markdown link or a
defined reference (CommonMark reads `[[Canvas]](1)` and, with `[1]` defined, `[[Canvas]][1]` as a Markdown
link whose text is `[Canvas]`, not as a wikilink and `(1)`), or before a combining mark that belongs to
its last letter (`भारतीय` holds `भारत` but is another word), or in a run of lines between blank lines
holding more than 100,000 characters of Markdown markup (the second parser could not check a link there
without gigabytes: the next mention elsewhere is linked instead). All-capital names (acronyms) match only in
capitals. Notes whose type is in `link.skip_types` (default: `raw`, ingested sources whose `sha256` pins
the body), notes with `vaultkit_link: false`, and Excalidraw drawings (an `excalidraw-plugin` property:
the plugin reads the text back into the drawing) are left alone.

## Why is this bad?
An unlinked mention is a relation the graph, backlinks and readers do not see.

## Example
```markdown
ResRL came out of Meituan's research team.
```

## Use instead
```markdown
ResRL came out of [[Meituan]]'s research team.
```

## Fix safety
Safe. Only the mention's characters are replaced; the writer checks the note did not change since it was
read, verifies with a second Markdown parser (mistune) that each insertion lands in plain prose, and writes
atomically.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from vaultkit.diagnostics import Diagnostic, Fix, Severity
from vaultkit.facts import NoteFacts
from vaultkit.obsidian import ObsidianSettings
from vaultkit.rules.base import VaultContext, rule
from vaultkit.vault import note_name


def check(facts: NoteFacts, ctx: VaultContext) -> Iterable[Diagnostic]:
    found = ctx.mentions.get(facts.rel)
    if not found:
        return ()
    rel, obsidian, code, severity = facts.rel, ctx.obsidian, RULE.code, RULE.severity
    out = []
    for mention, target in found:
        text = mention.text
        message, description = _words(text, note_name(target))
        fix = None
        if facts.editable and not ctx.edits:  # only reported: the link is not worked out, nor remembered
            fix = ctx.described(description)
        elif facts.editable:
            link = _link(ctx.link_text(target, rel, obsidian), text, obsidian)
            fix = Fix(description, True, mention.start, mention.end, link)
        out.append(Diagnostic(rel, mention.line, mention.col, code, message, severity, fix))
    return out


def _words(text: str, name: str) -> tuple[str, str]:
    """The message and the fix's description. A vault mentions the same names in the same words over and
    over: one string for each, not one for each of the ~230,000 mentions of a 50,000-note vault (a quarter
    of the memory its diagnostics took). Interned, not remembered in an LRU cache: its ~270 bytes an entry
    took ~15 MB there, and a vault of more than its 65,536 entries still held copies."""
    intern = sys.intern
    return intern(f"'{text}' mentions [[{name}]] but is not linked"), intern(f"link '{text}' to {name}")


def _link(path: str, text: str, obsidian: ObsidianSettings) -> str:
    """The link that replaces a mention, one string for each (as `_words`): interned, not remembered in an
    LRU cache of 65,536 entries, whose ~250 bytes an entry took ~16 MB at the peak of `link --check` on a
    50,000-note vault."""
    from vaultkit.linker import render_link  # here: a run answered from the cache never loads it

    return sys.intern(render_link(path, text, obsidian))


RULE = rule(
    sys.modules[__name__], "VK120", "unlinked-mention", "vault", fixable=True, severity=Severity.WARNING
)
