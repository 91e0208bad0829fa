"""A merge conflict that git left in the note's body and that was committed or saved as it is.

## What it does
Reports each conflict git wrote into the body where a merge, rebase, cherry-pick or `git stash pop` stopped:
a line `<<<<<<< ` (seven `<` at the start of the line), then a line `=======`, then a line `>>>>>>> `, in that
order. Not in a code block or a comment, where a note may show what a conflict looks like. A conflict in
the frontmatter breaks its YAML, and VK001 names the marker there. `link` leaves such a note alone, as
it leaves one it cannot parse: a link written into one side could be lost with it.

## Why is this bad?
To Obsidian the markers are text, and the note shows both sides of the conflict, one of them as a heading
(`=======` under a line makes it one). A merge is easy to commit unfinished (`git commit -a`, a plugin's
timed commit), and the hooks let it through: no other check fails on a body.

## Example
```markdown
<<<<<<< HEAD
ResRL was released by Meituan in May.
=======
ResRL was released by Meituan in June.
>>>>>>> research
```

## Use instead
```markdown
ResRL was released by Meituan in June.
```
"""

from __future__ import annotations

import bisect
import itertools
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from vaultkit.diagnostics import Diagnostic
from vaultkit.rules.base import NoteContext, rule

if TYPE_CHECKING:
    from vaultkit.note import Note

# git's markers are seven characters at the start of a line (its default `conflict-marker-size`); the first
# and last are followed by a label (`HEAD`, a branch, a commit), the middle one by nothing
_OPEN = re.compile(r"^<{7}(?:[ \t][^\r\n]*)?\r?$", re.MULTILINE)
_MIDDLE = re.compile(r"^={7}[ \t]*\r?$", re.MULTILINE)
_CLOSE = re.compile(r"^>{7}(?:[ \t][^\r\n]*)?\r?$", re.MULTILINE)


def check(note: Note, ctx: NoteContext) -> Iterable[Diagnostic]:
    body = note.body.body
    if "<<<<<<<" not in body:  # nearly every note: no search at all
        return ()
    base = note.fm.body_start
    out = []
    for start, opener, end, closer in _conflicts(body, _literal(note)):
        line, col = note.position(base + start)
        last = note.position(base + end)[0]
        message = (
            f"a merge conflict git left here, '{opener.strip()}' to '{closer.strip()}' on line {last}: "
            "keep the lines meant and delete the marker lines"
        )
        out.append(Diagnostic(note.rel, line, col, RULE.code, message))
    return out


def _conflicts(body: str, literal: Callable[[int], bool]) -> Iterator[tuple[int, str, int, str]]:
    """The offset and line of each conflict's opening marker and of its closing one, in order: a conflict
    opens at a marker line that is not `literal` and closes at the first closing line after a middle one."""
    at = 0
    while (opened := _OPEN.search(body, at)) is not None:
        at = opened.end()
        if literal(opened.start()):
            continue
        middle = _MIDDLE.search(body, at)
        closed = _CLOSE.search(body, middle.end()) if middle is not None else None
        if closed is None:
            return
        yield opened.start(), opened.group(), closed.start(), closed.group()
        at = closed.end()


def _literal(note: Note) -> Callable[[int], bool]:
    """Whether a line starting at this body offset is shown as written, not read as Markdown (a code block,
    a comment, HTML...: `BodyScan.literal`). Not a heading or a table: a conflict in a paragraph makes its
    lines a setext heading, one in a table its rows."""
    literal = note.body.literal  # sorted by start; one may hold another
    starts = [s for s, _e in literal]
    reach = list(itertools.accumulate((e for _s, e in literal), max))  # the furthest end so far

    def inside(offset: int) -> bool:
        k = bisect.bisect_right(starts, offset) - 1
        return k >= 0 and reach[k] > offset

    return inside


RULE = rule(sys.modules[__name__], "VK007", "conflict-marker", "note")
