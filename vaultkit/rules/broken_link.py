"""A link to a note or file that does not exist.

## What it does
Resolves every link as Obsidian does — `[[Name]]` by file name anywhere in the vault (case ignored, `.md`
optional), `[[Folder/Name]]` from the vault root, Markdown links `[text](path.md)` relative to the note and
from the root (with `%20` and `<...>` targets) — and reports links that resolve to nothing. Attachments
(images, PDFs...) must be named with their extension. A wikilink is read as written, never URL-decoded:
`[[Other%20Note]]` names no `Other Note.md`, and the message says so, as it says which letter differs where
a link reads as a name but a letter of it is of another script (`[[Справка]]` for `Cправка.md`, whose `C` is
Latin), and shows the Markdown link to a file whose name holds a `#` (`[[C# Tips]]` is a note `C`'s heading
` Tips`; `[C# Tips](C%23%20Tips.md)` names the file). Links inside code, math and comments are not links.
Links in frontmatter properties (`related: ["[[ResRL]]"]`, or a link anywhere in a text value) are checked
too, each reported where its `[[` is; one in the relations property says that `vaultkit link` adds relations
and never removes one (its note deleted, the item is the user's to remove). A Markdown link whose path is a
wikilink (`[text]([[ResRL]])`) is read as CommonMark reads it, a file named `[[ResRL]]`: the message shows
the two ways to write that link. A link written with the old name of a note that keeps its old path among
its aliases (`[[Making friends]]`, where `How to make friends.md` lists `Guides/Making friends`, as Obsidian
Publish's redirects have it) names the note it may have meant; one that names a folder (`[[Plugins]]`)
says it is one: Obsidian links files, never folders. A link a hint says to write names a note by its path
(`[[a/Index|Guide]]`) where another shares its name: by its name alone, it would be ambiguous.

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

import re
import sys
import unicodedata
from collections.abc import Iterable

from vaultkit.diagnostics import Diagnostic
from vaultkit.facts import LinkFact, NoteFacts
from vaultkit.frontmatter import placeholder_hint
from vaultkit.paths import nfc
from vaultkit.rules.base import VaultContext, rule
from vaultkit.vault import note_name


def check(facts: NoteFacts, ctx: VaultContext) -> Iterable[Diagnostic]:
    for link in facts.links:
        res = ctx.resolve(facts, link)
        if res.target is None and not res.candidates:
            what = "embed" if link.embed else "link"
            message = f"broken {what}: '{link.target}' matches no note or file"
            quoted = _as_quoted_in_the_name(link, facts.rel, ctx)
            if _names_in_nfc(link, facts.rel, ctx):
                message += (
                    " (written in Unicode NFD: Obsidian compares a link as written with NFC names; retype it)"
                )
            elif quoted is not None:
                message += (
                    f" (only its quotes differ from '{quoted}': type them as the name has them; a phone's "
                    "keyboard curls them as you type)"
                )
            elif link.kind == "wiki":
                message += (
                    _full_width(link, facts.rel, ctx)
                    or _percent_encoded(link, facts.rel, ctx)
                    or _escaped_pipe(link, facts.rel, ctx)
                    or _hash_in_the_name(link, facts.rel, ctx)
                    or _space_around_the_name(link, facts.rel, ctx)
                    or _hint(link.target, ctx)
                    or _look_alike(link.target, ctx)
                    or _stale_relation(link, ctx)
                )
            elif _is_wikilink(link.target):
                message += _as_written(link.target[2:-2])
            else:
                message += _folder(link.target, ctx, facts.rel)
            yield Diagnostic(
                facts.rel, link.line, link.col, RULE.code, message + placeholder_hint(link.target)
            )


def _is_wikilink(target: str) -> bool:
    """`[text]([[Note]])`: CommonMark reads `[[Note]]` as the link's path, and no file has that name."""
    return target.startswith("[[") and target.endswith("]]") and "[[" not in target[2:-2]


def _as_written(name: str) -> str:
    path = f"<{name}.md>" if " " in name else f"{name}.md"
    shown = "a file name as CommonMark reads it"
    return f" (a wikilink as a Markdown link's path, {shown}: write [[{name}|text]] or [text]({path}))"


def _names_in_nfc(link: LinkFact, source: str, ctx: VaultContext) -> bool:
    """Whether the link, in NFC, would name a file: an NFD link pasted from a macOS file name."""
    written = nfc(link.target)
    return written != link.target and bool(ctx.index.resolve(link._replace(target=written), source).target)


# A phone's keyboard curls quotes as they are typed (iOS and Android "smart punctuation")
_STRAIGHTENED = str.maketrans("‘’“”", "''\"\"")


def _as_quoted_in_the_name(link: LinkFact, source: str, ctx: VaultContext) -> str | None:
    """The link's target with its quotes as a file's name has them, where only they differ: `[[Alice’s
    notes]]` typed on a phone for `Alice's notes.md`, or `[[Bob's plan]]` for a note named on one."""
    target = link.target
    if not any(q in target for q in "‘’“”'"):
        return None
    for written in (target.translate(_STRAIGHTENED), target.replace("'", "’")):
        if written != target and ctx.index.resolve(link._replace(target=written), source).target:
            return written
    return None


# What a Chinese or Japanese input method in full-width mode types for a link's `|` and `#`
_FULL_WIDTH = (("｜", "|"), ("＃", "#"))


def _full_width(link: LinkFact, source: str, ctx: VaultContext) -> str:
    """` ('｜' is a full-width '|' ...)` where the link holds `｜` or `＃` and the text before it names a
    note: `[[東京大学｜東大]]` names a note `東京大学｜東大`, in Obsidian too; "" otherwise."""
    for wide, narrow in _FULL_WIDTH:
        head, found, rest = link.target.partition(wide)
        if found and head and ctx.index.resolve(link._replace(target=head), source).target:
            how = "as a Chinese or Japanese input method types it"
            return f" ('{wide}' is a full-width '{narrow}', {how}: write [[{head}{narrow}{rest}]])"
    return ""


def _percent_encoded(link: LinkFact, source: str, ctx: VaultContext) -> str:
    """` (a wikilink is not URL-decoded ...)` where the link names a note once its `%XX` escapes are decoded:
    `[[Other%20Note]]`, a Markdown link's path (Notion's exports, a link copied from a URL) turned into a
    wikilink. Obsidian decodes a Markdown link's path, never a wikilink's; "" otherwise."""
    if "%" not in link.target:
        return ""
    from urllib.parse import unquote

    decoded = unquote(link.target)
    if decoded == link.target or not ctx.index.resolve(link._replace(target=decoded), source).target:
        return ""
    return f" (a wikilink is not URL-decoded, as a Markdown link's path is: write [[{decoded}]])"


def _escaped_pipe(link: LinkFact, source: str, ctx: VaultContext) -> str:
    """` (a '\\|' is a link's '|' only in a table ...)` where the link is `[[Note\\|text]]` outside a table
    and `Note` names a note: the escape a table's cell needs (its `|` would end the cell), copied into
    prose, where nothing unescapes it and the backslash is the name's last character; "" otherwise."""
    name = link.target[:-1]
    if not link.target.endswith("\\") or not name:
        return ""
    if not ctx.index.resolve(link._replace(target=name), source).target:
        return ""
    how = "a '\\|' is a link's '|' only in a table, whose cells it would end"
    return f" ({how}: elsewhere write [[{name}|text]])"


def _hash_in_the_name(link: LinkFact, source: str, ctx: VaultContext) -> str:
    """` (the file's name holds a '#' ...)` where the link's target and heading, joined again at their `#`,
    name a file: `[[C# Tips]]` for `C# Tips.md` looks for a heading ` Tips` in a note `C`, in Obsidian too,
    which no wikilink can avoid; a Markdown link encodes the `#` (`C%23%20Tips.md`). "" otherwise. The
    target and the heading are read trimmed, so the spaces around the `#` are tried back: `[[Issue #42]]`
    for `Issue #42.md`, a common way to number notes, is a note `Issue` and its heading `42`."""
    if not link.subpath or link.subpath.startswith("^"):
        return ""
    for before, after in (("", ""), ("", " "), (" ", ""), (" ", " ")):
        joined = f"{link.target}{before}#{after}{link.subpath}"
        found = ctx.index.resolve(link._replace(target=joined, subpath=""), source).target
        if found is not None:
            from vaultkit.linker import destination  # here: a run with no broken link never loads it

            path = destination(found).replace("#", "%23")  # its `%` encoded first: `%23` is the `#`
            name = note_name(found) if found.endswith(".md") else found.rpartition("/")[2]
            return (
                f" (a '#' in a wikilink starts a heading, so no wikilink names '{found}':"
                f" write a Markdown link, [{name}]({path}))"
            )
    return ""


def _space_around_the_name(link: LinkFact, source: str, ctx: VaultContext) -> str:
    """` (... begins with a space ...)` where the link's target, with the space it was trimmed of, names a
    file: `[[ Lead]]` names `Lead` (a link's target is read trimmed), never ` Lead.md`, a name Obsidian
    itself would not give a file; "" otherwise."""
    for spaced, where in ((f" {link.target}", "begins"), (f"{link.target} ", "ends")):
        found = ctx.index.resolve(link._replace(target=spaced), source).target
        if found is not None:
            return f" ('{found}' {where} with a space, and a link's target is read trimmed: rename the file)"
    return ""


def _look_alike(target: str, ctx: VaultContext) -> str:
    """` (it looks like the name of ...)` where the link reads as a note's name but one of its letters is of
    another script (`[[Справка]]` for `Cправка.md`, whose `C` is Latin): the two look the same, and the
    message names the letter; "" otherwise. Asked after `_hint`: a link that is a note's alias or an
    attachment's name as written is told so, not sent to a name that only looks like it."""
    if "/" in target or "#" in target:
        return ""
    owner = ctx.index.look_alike(target)
    if owner is None:
        return ""
    name = note_name(owner)
    pair = next(((a, b) for a, b in zip(target, name, strict=False) if a.lower() != b.lower()), None)
    written = _link_to(owner, None, ctx)
    if pair is None:  # a letter composed in one and not in the other: no one letter to name
        return f" (it looks like the name of '{owner}': write {written})"
    ours, theirs = pair
    return (
        f" (it looks like the name of '{owner}', whose '{theirs}' is a {_script(theirs)} letter"
        f" where the link has a {_script(ours)} '{ours}': write {written})"
    )


def _script(letter: str) -> str:
    """`Latin`, `Cyrillic` or `Greek`: the first word of the letter's Unicode name."""
    return unicodedata.name(letter, "?").split(" ")[0].title()


def _hint(target: str, ctx: VaultContext) -> str:
    owner = ctx.index.alias_of(target)
    if owner is not None:
        return f" (it is an alias of '{owner}': links go by name, write {_link_to(owner, target, ctx)})"
    near = ctx.index.same_stem(target)
    if near is not None:
        return f" (attachments need their extension: '{near}'?)"
    return _old_path(target, ctx) or _folder(target, ctx)


def _folder(target: str, ctx: VaultContext, source: str | None = None) -> str:
    """` ('Plugins/' is a folder ...)` where the link names a folder of the vault: Obsidian resolves links
    to files only, so `[[Plugins]]` beside a folder `Plugins/` is unresolved there too; "" otherwise. Of a
    Markdown link, given its note (`source`), the folder its path names (`[papers](Papers/)`)."""
    folder = ctx.index.folder_named(target, source)
    if folder is None:
        return ""
    return f" ('{folder}/' is a folder: Obsidian links name files, never folders; link a note in it)"


def _old_path(target: str, ctx: VaultContext) -> str:
    """` ('How to make friends.md' has the alias ...)` where a note keeps a path ending in the link's name
    among its aliases (`Guides/Making friends` for `[[Making friends]]`): the old path Obsidian Publish
    redirects from, which its help says to add when a note is moved or renamed, so the link likely meant
    that note. Said as a condition: an alias such as `TCP/IP` holds a `/` and is no path. "" otherwise. A
    name with a `/` is a path, which `alias_of` has already matched whole."""
    found = None if "/" in target else ctx.index.old_path_of(target)
    if found is None:
        return ""
    owner, alias = found
    return (
        f" ('{owner}' has the alias '{alias}', which ends in this name: if that is the path the note had"
        " before it was moved or renamed, kept for Obsidian Publish's redirects, write"
        f" {_link_to(owner, target, ctx)})"
    )


# What no wikilink can hold: `#` starts a heading, `^` a block, `|` the text shown; `[[` and `]]` end it
_NOT_IN_A_WIKILINK = re.compile(r"[#|^]|\[\[|\]\]")


def _link_to(owner: str, text: str | None, ctx: VaultContext) -> str:
    """The link a hint says to write to note `owner`, showing `text` (None: its name): a wikilink by its
    name, or by its path where another note shares the name (`Index.link_name`); a Markdown link where that
    name or path holds what no wikilink can (`C# notes/Index`, whose `#` would start a heading: the
    wikilink the hint gave was itself broken)."""
    name = ctx.index.link_name(owner)
    if _NOT_IN_A_WIKILINK.search(name) is None:
        return f"[[{name}|{text}]]" if text is not None else f"[[{name}]]"
    from vaultkit.linker import destination  # here: a run with no broken link never loads it

    return f"[{text if text is not None else note_name(owner)}]({destination(owner).replace('#', '%23')})"


def _stale_relation(link: LinkFact, ctx: VaultContext) -> str:
    """A relation left after the note it names was deleted: `link` only adds relations, so the item stays
    until the user removes it. Deleting one note left a VK101 in each note it had linked, `broken link:
    'Cursor' matches no note or file`, inside a list the user never wrote, with no word of whether vaultkit
    would take it out."""
    if link.source.lower() != ctx.config.relations.property.lower():
        return ""
    return (
        f" (in '{link.source}', the relations `vaultkit link` adds and never removes: if the note was"
        " deleted, remove the item)"
    )


RULE = rule(sys.modules[__name__], "VK101", "broken-link", "vault")
