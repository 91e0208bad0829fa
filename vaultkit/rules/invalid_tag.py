"""A tag in the `tags` property that Obsidian does not accept.

## What it does
Checks each value of `tags` (a list, or a single string; the key in any case, `Tags:` too, as Obsidian
reads it) against Obsidian's tag syntax: letters of any script (with their accents and vowel signs), digits,
`_`, `-` and `/` for nesting, at least one character that is not a digit 0-9 (`١٢٣`, in Arabic-Indic
digits, is a tag, as in Obsidian, and so are `1_2` and `2024/01`: `_`, `-` and `/` are not digits), and no
spaces. One leading `#` is
allowed, as Obsidian reads it (`"#ai"` is the tag `ai`, though Obsidian writes tags without it). A YAML
number (`tags: [2024, ai]`, `tags: 42`) is no tag either: Obsidian keeps only the text values of `tags`.
Nor is `tags: #zotero, #reference`, written unquoted as Zotero literature-note templates and Logseq exports
write it: YAML reads a comment, so the property is empty (or, in a list, the item: VK010 then says nothing
of its null). A name that would be no tag written as text either (`tags: #1984`) is not suggested.
A tag in curled quotes (`tags: [“meeting”]`, as a phone's keyboard types quotes) keeps them: YAML reads no
quotes there, so the tag is `“meeting”`, not `meeting`. One string of tags with commas
(`tags: meeting, draft`) is one tag to Obsidian, which does not split it: where each piece is a tag, the
message gives the list to write (`tags: [meeting, draft]`).

## Why is this bad?
Obsidian silently ignores an invalid tag: the note does not show up under it in the tag pane or in searches.

## Example
```markdown
---
tags: ["2026", "open weights"]
---
```

## Use instead
```markdown
---
tags: [y2026, open-weights]
---
```
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from vaultkit.diagnostics import Diagnostic
from vaultkit.frontmatter import curled_quotes_hint, placeholder_hint
from vaultkit.rules.base import NoteContext, rule

if TYPE_CHECKING:
    from vaultkit.frontmatter import JsonPath
    from vaultkit.note import Note


def tag_problem(tag: str) -> str | None:
    if not tag:
        return "is empty"
    # Obsidian adds the '#' only to a tag without one (parseFrontMatterTags): "#ai" is the tag ai
    tag = tag.removeprefix("#")
    if not tag:
        return "is only '#'"
    # Most tags are letters, digits and `_-/` only, all tag characters: one test of the whole tag, not a
    # call a character (`"".isalnum()` is False: a tag of `_-/` alone is looked at character by character)
    if not tag.replace("_", "").replace("-", "").replace("/", "").isalnum():
        bad = sorted({c for c in tag if not _tag_char(c)})
        if bad:
            return "contains " + ", ".join(repr(c) for c in bad)
    # Obsidian's test is `/[^0-9]/` (its hashtag parser, app.js) on the whole tag: ASCII digits, as
    # JavaScript's `\d` is; `#١٢٣` (Arabic-Indic digits) is a tag. The nesting `/` is a character other
    # than 0-9 as `_` and `-` are (`#1_2` and `#1-2` are tags in Obsidian, obsidian-tasks' manual test
    # "Testing Tag Recognition"): `#2024/01` is a tag, and so are `#1/a` and `#a/1`
    if tag.isascii() and tag.isdigit():  # in ASCII, only 0-9 are digits
        return "has only digits 0-9: Obsidian needs at least one other character"
    return None


# Obsidian keeps the text values of `tags` and drops any other (parseFrontMatterTags through
# parseFrontMatterStringArray, de-minified from Obsidian 1.12.7: clintonthegeek/Corbomite
# docs/obsidian-audit/domains/parsing.md, section 1): `tags: [2024, ai]` is the one tag `ai`, `tags: 42` none
NUMBER_PROBLEM = 'Obsidian takes no tag from a YAML number (write it as text with a letter: "y2024")'


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _tag_char(c: str) -> bool:
    """A letter's marks are part of it: the vowel signs of `नमस्ते`, the tone mark of `ดี`, an NFD accent."""
    if c.isalnum() or c in "_-/":
        return True
    return (ord(c) > 0x2000 and not c.isspace()) or unicodedata.category(c) in ("Mn", "Mc", "Me")


def check(note: Note, ctx: NoteContext) -> Iterable[Diagnostic]:
    key = note.fm.key_for("tags")  # `Tags:` too, as Obsidian reads it
    tags = note.fm.data.get(key)
    values = tags if isinstance(tags, list) else [tags]
    yield from _commented(note, key, tags)
    for i, tag in enumerate(values):
        if _number(tag):
            problem: str | None = f"is a number: {NUMBER_PROBLEM}"
        elif isinstance(tag, str):
            problem = tag_problem(tag)
            if problem is None and tag.startswith(_CURLED):  # a test, not a call, for each tag that is fine
                problem = _curled(tag)
        else:
            continue
        if problem is None:
            continue
        node = note.fm.nodes.get((key, i)) or note.fm.nodes.get((key,))
        line, col = (node.line, node.col) if node else (1, 1)
        hint = _hint(tag) if isinstance(tag, str) else ""
        if not hint and isinstance(tags, str):
            hint = _as_list(key, tags)
        yield Diagnostic(note.rel, line, col, RULE.code, f"{key}: {tag!r} {problem}{hint}")


def _as_list(key: str, tags: str) -> str:
    """`tags: meeting, draft` is one tag to Obsidian, which does not split a text value at its commas: where
    each piece is a tag, the list they were meant as, to write instead."""
    if "," not in tags:
        return ""
    pieces = [piece.strip() for piece in tags.split(",")]
    if any(not piece or piece.startswith("#") or tag_problem(piece) for piece in pieces):
        return ""
    return f"; write a list: {key}: [{', '.join(pieces)}]"


def _curled(tag: str) -> str | None:
    """`tags: [“meeting”]`, typed on a phone: YAML keeps the curled quotes as part of the text, so the note
    gets the tag `“meeting”`, which is not `meeting`: a search for #meeting misses it."""
    return "keeps its curled quotes as part of the tag" if curled_quotes_hint(tag) else None


def _hint(tag: str) -> str:
    """What a tag typed in a template or on a phone is: `<% tp.file.folder() %>`, `“meeting”`."""
    return placeholder_hint(tag) or (curled_quotes_hint(tag) if tag.startswith(_CURLED) else "")


_CURLED = ("“", "‘")
# `#zotero` right after `tags:` or `- `: a comment to YAML, a tag to whoever wrote it (`# to do` reads as one)
_TAG_COMMENT = re.compile(r"#[^\s#,]")


def _commented(note: Note, key: str, tags: object) -> Iterable[Diagnostic]:
    """`tags: #zotero, #reference`, as Zotero literature-note templates and Logseq exports write it, is a
    YAML comment: the property is empty, and Obsidian shows no tag."""
    for path, start, comment, names in _comments(note, key, tags):
        line, col = note.position(start)
        where = f"{key}[{path[1]}]" if len(path) > 1 else key
        lines = comment.split("\n")
        what = (
            f"{lines[0]!r} is a YAML comment"
            if len(lines) == 1
            else f"{', '.join(map(repr, lines))} are YAML comments"
        )
        message = f"{where}: {what}, so Obsidian reads no tag{_how(names)}"
        yield Diagnostic(note.rel, line, col, RULE.code, message)


def _how(names: list[str]) -> str:
    """What to write instead: the names as tags, except those Obsidian would refuse written so too
    (`tags: #1984`: a tag of digits only is none, help.obsidian.md "Tag format"), which are said to be."""
    good = [name for name in names if tag_problem(name) is None]
    refused = "; ".join(f"{name} {tag_problem(name)}" for name in names if name not in good)
    if not good:
        return f", and as text it would be none either: {refused}"
    how = f': write tags without the # ([{", ".join(good)}]) or in quotes ("#{good[0]}")'
    return f"{how}; {refused}" if refused else how


def commented_tags(note: Note) -> frozenset[JsonPath]:
    """The values of `tags` left empty by a tag YAML read as a comment (`tags:` then `  - #todo`). VK022 says
    what to write there; VK010's "null (empty) is not a string" at the same value is the same mistake."""
    key = note.fm.key_for("tags")
    return frozenset(path for path, *_ in _comments(note, key, note.fm.data.get(key)))


def _comments(note: Note, key: str, tags: object) -> Iterator[tuple[JsonPath, int, str, list[str]]]:
    """Each empty value of `tags` whose line goes on with a comment written as a tag: its path, where the
    comment starts, the comment, and the tags it names."""
    if tags is None:
        empty: list[JsonPath] = [(key,)]
    elif isinstance(tags, list):
        empty = [(key, i) for i, tag in enumerate(tags) if tag is None]
    else:
        return
    for path in empty:
        node = note.fm.nodes.get(path)
        if node is None:
            continue
        end = note.text.find("\n", node.start)
        rest = note.text[node.start : end if end >= 0 else len(note.text)]
        comment = rest.lstrip(" \t").rstrip("\r")
        start = node.start + len(rest) - len(rest.lstrip(" \t"))
        if not comment and len(path) == 1 and end >= 0:  # `tags:`, then `#zotero` on the lines below
            start, comment = _comment_lines(note.text, end + 1, note.fm.yaml_end)
        names = re.findall(r"#([^\s#,]+)", comment) if _TAG_COMMENT.match(comment) else []
        if names:  # not `#,`
            yield path, start, comment, names


def _comment_lines(text: str, start: int, stop: int) -> tuple[int, str]:
    """Where the comments written as tags on the lines from `start` begin, and their text (one line each), up
    to the first line that is neither blank nor a comment: `tags:` then `#zotero` and `#paper` on lines of
    their own, as a Logseq export or a hand writes them, leave the property empty too. A comment that reads
    as one (`# imported from Zotero`) is neither named nor hides the tag comments after it. Lines end at line
    feeds only, as Obsidian's YAML 1.2 and `Note.position` count them (`str.splitlines` also split at U+2028
    and U+0085, which libyaml lets into a comment: `# imported\u2028#zotero` is one comment of prose)."""
    found: list[str] = []
    first = start
    for line in _lines(text[start:stop]):
        content = line.strip(" \t\r\n")
        if content and not content.startswith("#"):
            break
        if _TAG_COMMENT.match(content):
            first = first if found else start + len(line) - len(line.lstrip(" \t"))
            found.append(content)
        start += len(line)
    return first, "\n".join(found)


def _lines(text: str) -> list[str]:
    """The lines of `text`, each with its line feed."""
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])


RULE = rule(sys.modules[__name__], "VK022", "invalid-tag", "note")
