"""A note whose type names a schema that does not exist.

## What it does
Reports a note whose type property (`type` by default, `type_property` in vaultkit.toml) selects
`<type>.schema.json`, or whose `$schema` property names a file, when no such schema is in the schema folder;
a type that names a file of definitions only (`type: defs`: `defs.schema.json` holds `$defs` for other
schemas' `$ref` and checks nothing, so every note of that type would pass); a type that is not text
(`type: [wiki]`, which names no schema: the message says to write `type: wiki`); and a `$schema` that is
not text at all (`$schema: 5`). The message names the type meant, where one is close (`entiy`: 'entity'),
else the types that have a schema. A note whose type has no schema is then checked
against the schema its folder's `schema_map` glob names, else `default.schema.json`; a note whose
`$schema` names nothing is checked against no schema. The type property is matched in its own case, as the
schemas match every property name (`required: [type]` is not met by `Type`): a note with `Type: wiki` and
no `type` (Obsidian shows both as one property) is told to write `type: wiki` (with the bundled schemas,
only where the value names one of their types: a vault's own `Type: Book` is its own).

## Why is this bad?
A typo in a type (`type: entiy`) means the note is never checked against the schema meant for it, and
queries filtering on the type miss it.

## Example
```markdown
---
type: entiy
---
```

## Use instead
```markdown
---
type: entity
---
```
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from vaultkit.diagnostics import Diagnostic
from vaultkit.facts import key_as_written
from vaultkit.rules.base import NoteContext, rule
from vaultkit.schemas import SCHEMA_SUFFIX, schema_for

if TYPE_CHECKING:
    from vaultkit.note import Note


def check(note: Note, ctx: NoteContext) -> Iterable[Diagnostic]:
    if not note.readable or not note.fm.loaded:
        return
    selected = schema_for(ctx.schemas, note.rel, note.fm.data, ctx.config)
    if selected.problem is None:
        yield from _type_in_other_case(note, ctx)
        return
    code, message = selected.problem
    key = "$schema" if code == "VK012" else ctx.config.type_property
    node = note.fm.nodes.get((key,))
    line, col = (node.line, node.col) if node else (1, 1)
    yield Diagnostic(note.rel, line, col, RULE.code, message)


def _type_in_other_case(note: Note, ctx: NoteContext) -> Iterable[Diagnostic]:
    """`Type: wiki`: Obsidian shows it as the `type` property, but the type property is matched exactly, as
    the schemas match every property name (`required: [type]` is not met by `Type`), so it picks no schema
    and the note was held to the default one without a word. With the bundled schemas, only where it names
    one of their types (`Type: wiki`): a vault of their own whose notes say `Type: Book` for themselves
    is not told at each note (a vault's own schemas have `type` mean what they say). Neither depends on
    which files a vault's schema folder holds, which the note's cached findings do not follow."""
    data, wanted = note.fm.data, ctx.config.type_property
    if wanted in data or "$schema" in data or not data:
        return
    key = key_as_written(data, wanted)
    node = note.fm.nodes.get((key,))
    if key == wanted or node is None:
        return
    value = data[key]
    if not ctx.config.schema_dir and not _bundled_type(value, ctx):
        return
    write = f"{wanted}: {value}" if isinstance(value, str) else wanted
    spelled = f"the type property is spelled '{wanted}', its case as in the schemas"
    message = f"{key}: {spelled}: '{key}' picks no schema; write '{write}'"
    yield Diagnostic(note.rel, node.key_line, node.key_col, RULE.code, message)


def _bundled_type(value: object, ctx: NoteContext) -> bool:
    name = f"{value}{SCHEMA_SUFFIX}" if isinstance(value, str) else ""
    return name in ctx.schemas.contents and name not in ctx.schemas.definitions


RULE = rule(sys.modules[__name__], "VK011", "unknown-schema", "note")
