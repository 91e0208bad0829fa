"""A wikilink written in a property without quotes, which YAML reads as a list holding a list.

## What it does
Reports a property value written `[[Note]]` (or `[[Note|shown]]`), unquoted, in any property: YAML reads
it as a list holding the list `["Note"]`, so the note has no link there, only nested text.

## Why is this bad?
Obsidian reads links only from text values: an unquoted wikilink shows no link in the note's properties,
gives no backlink, and is missing from the graph. Obsidian's property editor quotes the links it writes;
one typed in source mode, or by a template, is easily left unquoted. A property that a schema types as
text or a list of texts also fails VK010 there; VK008 is the one reported.

## Example
```markdown
---
up: [[Meituan]]
related:
  - [[ResRL]]
---
```

## Use instead
```markdown
---
up: "[[Meituan]]"
related:
  - "[[ResRL]]"
---
```
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from vaultkit.diagnostics import Diagnostic
from vaultkit.frontmatter import JsonPath, path_name, unquoted_link
from vaultkit.rules.base import NoteContext, rule

if TYPE_CHECKING:
    from vaultkit.note import Note


def check(note: Note, ctx: NoteContext) -> Iterable[Diagnostic]:
    fm = note.fm
    if not fm.present or not fm.loaded or "[[" not in note.text[fm.yaml_start : fm.yaml_end]:
        return ()
    out = []
    for path in _nested(fm.data, ()):
        node = fm.nodes.get(path)
        written = unquoted_link(note.text, node)
        if written is None or node is None:
            continue
        quoted = json.dumps(written, ensure_ascii=False)  # YAML reads a JSON string: `"` and `\` escaped
        message = (
            f"{path_name(path)}: {written} is a list holding a list to YAML, and no link to Obsidian: "
            f"write {quoted}, in quotes"
        )
        out.append(Diagnostic(note.rel, node.line, node.col, RULE.code, message))
    return out


def _nested(value: Any, path: JsonPath) -> Iterator[JsonPath]:
    """The paths of the values that are a list holding one list of one scalar: `[[Note]]` as YAML reads it."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                yield from _nested(item, (*path, key))
    elif isinstance(value, list):
        inner = value[0] if len(value) == 1 else None
        if isinstance(inner, list) and len(inner) == 1 and not isinstance(inner[0], list | dict):
            yield path  # `[[2024]]`, `[[true]]` too: YAML reads the name as a number or a boolean
            return
        for k, item in enumerate(value):
            yield from _nested(item, (*path, k))


RULE = rule(sys.modules[__name__], "VK008", "unquoted-link", "note")
