"""A link to a heading that the target note does not have.

## What it does
For `[[Note#Heading]]` and nested `[[Note#Part#Section]]`, checks that every heading named exists in the
target note. Case, extra spaces and punctuation (`? ! . , ( ) : # | ^ [ ]` and the like) are ignored, as
Obsidian does when it matches a heading: `[[FAQ#Can I share it]]` opens `## Can I share it?`. Like Obsidian,
`_`, `-` and `'` are kept: `[[Note#Some heading]]` does not open `## Some_heading`.

Each heading of a nested link is one below the heading before it, of a lower level (`###` under `##`), as
Obsidian opens it: with `## Details` and then `## Results`, `[[Note#Details#Results]]` opens the note at its
top, and is reported.

Where one heading of the note reads almost as the one linked (renumbered or reworded since: `04 - CSS
Snippets` for `## 05 - CSS Snippets`, `Plan_B` for `## Plan B`), the message names it: `; did you mean
'05 - CSS Snippets'?`.

A heading that holds a `#` (`## C# tips`) is linked without it (`[[Note#C tips]]`): in a link, a `#` starts a
heading below the one before it, so `[[Note#C# tips]]` looks for a heading `C`, and the message says how to
link the heading it split.

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

import bisect
import difflib
import re
import sys
from collections.abc import Iterable, Mapping, Sequence

from vaultkit.diagnostics import Diagnostic
from vaultkit.facts import NoteFacts
from vaultkit.rules.base import FEW_HEADINGS, VaultContext, rule
from vaultkit.vault import heading_key


def check(facts: NoteFacts, ctx: VaultContext) -> Iterable[Diagnostic]:
    for link in facts.links:
        if not link.subpath or link.subpath.startswith("^"):
            continue
        res = ctx.resolve(facts, link)
        target = ctx.index.facts.get(res.target or "")
        if target is None or not res.is_note:
            continue
        lines = ctx.heading_lines(target)
        missing = _missing(link.subpath, lines)
        if missing is not None:
            hint = _split_heading(link.subpath, target) or _meant(link.subpath, missing, lines, target)
            message = f"'{res.target}' has no heading {missing}{hint}"
            yield Diagnostic(facts.rel, link.line, link.col, RULE.code, message)


def _split_heading(subpath: str, target: NoteFacts) -> str:
    """Where the link's `#`s split the name of a heading that holds one (`[[Note#C# tips]]` for `## C# tips`),
    how that heading is linked: a `#` in a link starts a heading below the one before it, so the link looks
    for a heading `C`, and "has no heading 'C'" alone leaves the user staring at `## C# tips`."""
    if "#" not in subpath.strip("#"):
        return ""
    key = heading_key(subpath)
    heading = next((text for text, _line, _level in target.headings if heading_key(text) == key), None)
    if heading is None:
        return ""
    written = " ".join(subpath.replace("#", " ").split())
    return f" (a '#' in a link starts a subheading: the heading '{heading}' is linked as '#{written}')"


def _meant(
    subpath: str, missing: str, lines: Mapping[str, Sequence[tuple[int, int]]], target: NoteFacts
) -> str:
    """`; did you mean '05 - CSS Snippets'?` where a link names one heading the note does not have and one
    of its headings reads almost alike: a heading renumbered or reworded since (`[[#04 - CSS Snippets]]`
    after `## 04 - CSS Snippets` became `## 05 - CSS Snippets`), the usual cause. Shown as a link writes it
    (`## [[Plugins]]` is linked `#Plugins`). Not for a note of more headings than FEW_HEADINGS times ten:
    compared with each, a note of thousands would cost every such link as much."""
    parts = [p.strip() for p in subpath.split("#") if p.strip()]
    if len(parts) != 1 or missing != f"'{parts[0]}'" or len(lines) > 10 * FEW_HEADINGS:
        return ""
    close = difflib.get_close_matches(heading_key(parts[0]), list(lines), n=1, cutoff=0.8)
    heading = next(
        (text for text, _line, _level in target.headings if close and heading_key(text) == close[0]), ""
    )
    shown = " ".join(_NOT_IN_LINKS.sub(" ", heading).split())
    return f"; did you mean '{shown}'?" if shown else ""


_NOT_IN_LINKS = re.compile(r"[\[\]#|^]")


def _missing(subpath: str, lines: Mapping[str, Sequence[tuple[int, int]]]) -> str | None:
    """`#A#B` names heading A, then a heading B after it and of a greater level than A's, as Obsidian's
    `resolveSubpath` reads it (each part's heading is the first with that text after the part before, whose
    level is above its own; de-minified from Obsidian 1.12.7: clintonthegeek/Corbomite
    docs/obsidian-audit/domains/parsing.md, `resolveSubpath`): what is missing, or None. `lines`: heading key
    -> (line, level) of the headings with that key, by line (`VaultContext.heading_lines`)."""
    after, level = 0, 0
    parts = [p.strip() for p in subpath.split("#") if p.strip()]
    for n, part in enumerate(parts):
        found = lines.get(heading_key(part), ())
        k = bisect.bisect_right(found, (after, sys.maxsize))
        below = next((place for place in found[k:] if place[1] > level), None)
        if below is None:
            if k < len(found):  # after the part before, but no heading of its section
                return _not_below(parts[n - 1], after, part, found[k][0])
            if n and found:
                return f"'{part}' after '{parts[n - 1]}'"
            return f"'{part}'"
        after, level = below
    return None


def _not_below(before: str, taken: int, part: str, next_line: int) -> str:
    """Why `#before#part` opens nothing though both headings exist: the `before` taken (the first after the
    part before it) is at line `taken`, and the next `part` is not in its section. Both lines are named:
    "line 9 is not below it" left the user looking for "it" at the `before` they meant, where another
    heading of the same letters came first (`[[Functions#Date#date()]]`: `` ### `date()` `` at line 3 is
    `Date` too, as headings are matched whatever their case and punctuation)."""
    alike = heading_key(before) == heading_key(part)
    why = ", as headings are matched whatever their case and punctuation" if alike else ""
    return (
        f"'{part}' under '{before}' (the '{before}' taken is the heading at line {taken}{why}; the next "
        f"'{part}', at line {next_line}, is not below it)"
    )


RULE = rule(sys.modules[__name__], "VK103", "missing-heading", "vault")
