"""A frontmatter value that breaks the note's JSON Schema.

## What it does
Validates each note's properties against the schema chosen for it (its `$schema` property, else
`<type>.schema.json` from its `type`, else the config's `schema_map` globs, else `default.schema.json`) and
reports every violation at the line and column of the offending value. A missing required property is
reported at the opening `---`, and a property `additionalProperties: false` (or `unevaluatedProperties:
false`) refuses at its key, with the property meant where its name is close to one the schema lists (for
`unevaluatedProperties`, also in its allOf, anyOf and oneOf branches); the note's own `$schema`, which chose
the schema, is never refused so. Formats such as `date` and `uri` are checked.
A value no branch of an anyOf or oneOf takes is reported with one branch's errors (each item of a list it
refuses, at the item) and what the other branches of its type refused (three at most; branches of constants
as one list of the values allowed).
A problem a `then` or an `else` finds says which value of the note asked for it (`as rec is "strong"`).

Frontmatter is read as Obsidian reads it: unquoted dates stay strings, and only `true`/`false` are booleans
(YAML 1.2). Where YAML 1.1 tools would read a value differently (`no`, `on`, `010`), the message says so.

## Why is this bad?
Properties drive everything built on the vault: queries, dashboards, scripts, review queues. A
`review_value` of 11 on a 0-10 scale, a misspelt recommendation or a date in the wrong format silently
drops a note out of all of them.

## Example
```markdown
---
type: raw
review_value: 11
review_recommendation: stong
---
```

## Use instead
```markdown
---
type: raw
review_value: 9
review_recommendation: strong
---
```
"""

from __future__ import annotations

import copy
import json
import sys
import unicodedata
from collections.abc import Hashable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from vaultkit.diagnostics import Diagnostic
from vaultkit.errors import closest
from vaultkit.frontmatter import curled_quotes_hint, path_name, placeholder_hint, unquoted_link
from vaultkit.rules.base import NoteContext, rule
from vaultkit.rules.invalid_tag import commented_tags
from vaultkit.schemas import did_you_mean, refused_by_false, schema_for

if TYPE_CHECKING:
    from vaultkit.frontmatter import JsonPath
    from vaultkit.note import Note


def check(note: Note, ctx: NoteContext) -> Iterable[Diagnostic]:
    if not note.readable or not note.fm.loaded:
        return
    selected = schema_for(ctx.schemas, note.rel, note.fm.data, ctx.config)
    if not selected.name:
        return
    seen: set[tuple[int, int, str]] = set()
    leaves = [leaf for error in ctx.schemas.errors(selected.name, note.fm.data) for leaf in _leaves(error)]
    root = ctx.schemas.validator(selected.name).schema if leaves else None
    # A value that fails both a format and a pattern (a date schema has both) is one problem, and the
    # pattern's message, which carries the schema's description, says more.
    patterned = {tuple(leaf.absolute_path) for leaf in leaves if leaf.validator == "pattern"}
    # `tags:` then `  - #todo`: the item is empty because YAML read a comment; VK022 says what to write
    commented = commented_tags(note) if any(leaf.instance is None for leaf in leaves) else frozenset()
    for leaf in leaves:
        if leaf.instance is None and tuple(leaf.absolute_path) in commented:
            continue
        if leaf.validator == "format" and tuple(leaf.absolute_path) in patterned:
            continue
        if _selector(leaf):
            continue  # `$schema` chose the schema: vaultkit's selector, not a property the note holds
        forbidden = _forbidden(leaf)[:1]  # `not: {required: [k]}`: at k's key
        at_key = bool(leaf.validator in _AT_KEY or getattr(leaf, "refused_key", False) or forbidden)
        line, col = _where(note, tuple(leaf.absolute_path) + forbidden + _repeated_at(leaf), at_key)
        message = describe(leaf, note) + _other_branches(leaf, note) + _conditional(leaf, root)
        hint = _value_hint(leaf.instance) or (_digits_hint(leaf.instance) if leaf.validator in _READ else "")
        if hint:
            message = message.removesuffix(".") + hint
        if (line, col, message) not in seen:  # jsonschema reports each missing key; one message names all
            seen.add((line, col, message))
            yield Diagnostic(note.rel, line, col, RULE.code, message)


def _value_hint(value: Any) -> str:
    """What a value typed in a template or on a phone is: `<% tp.date.now() %>`, `“[[Alpha]]”`."""
    if not isinstance(value, str):
        return ""
    if "{{" in value or "<%" in value:
        return placeholder_hint(value)
    return curled_quotes_hint(value) if value.startswith(("“", "‘")) else ""


# What a value's digits decide: its type (`tier: １` is text), its format and its pattern (a date)
_READ = frozenset({"type", "format", "pattern"})
# Full-width ASCII (`２０２６－０１`, as a Chinese, Japanese or Korean input method types it) as ASCII
_HALF_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def _digits_hint(value: Any) -> str:
    """`; its digits are not 0-9 ...` where a text value is written with digits of another width or script
    (`２０２６-０１-０１`, typed by an input method in full-width mode; `٢٠٢٦-٠٥-١١`, Arabic-Indic), which
    YAML and Obsidian read as no number and no date: the value looks right, and the message said only
    "is not a valid date" or "is not an integer"."""
    if (
        not isinstance(value, str)
        or value.isascii()
        or not any(c.isdecimal() and not c.isascii() for c in value)
    ):
        return ""
    written = "".join(
        str(unicodedata.decimal(c)) if c.isdecimal() else c for c in value.translate(_HALF_WIDTH)
    )
    why = "which YAML and Obsidian read as text"
    return f"; its digits are not 0-9 (full-width, or of another script), {why}: write {written}"


# A schema closed to other keys refuses them at their key; the note's `$schema`, which chose that schema, is
# not one of them
_CLOSED = frozenset({"additionalProperties", "unevaluatedProperties"})
_SELECTOR = ("$schema",)
# reported at the key concerned, not at its value: a key missing (at the opening `---`), refused, or needing
# others
_AT_KEY = frozenset({"required", "dependentRequired", *_CLOSED})


def _selector(error: Any) -> bool:
    """Whether the error refuses the note's `$schema` key (a closed schema, or its propertyNames)."""
    refused = error.validator in _CLOSED or getattr(error, "refused_key", False)
    return refused and tuple(error.absolute_path) == _SELECTOR


def _leaves(error: Any) -> Iterable[Any]:
    """For anyOf/oneOf, the branch errors say more than 'is not valid under any of the given schemas': the
    deepest; of those, one from a branch whose type the value has (`tags: open weights` is a string that
    is no tag, which says more than "is not empty"), and one that says what is allowed before one of a
    `false` branch. When every branch wants another type, the types they allow, together."""
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        yield error
        return
    branches: dict[object, list[Any]] = {}
    for e in error.context:
        branches.setdefault(e.relative_schema_path[0], []).append(e)
    if any(all(_selector(e) for e in errors) for errors in branches.values()):
        return  # a branch refused only the `$schema` that chose the schema: it holds, as vaultkit reads it
    context = [e for e in error.context if not _selector(e)]
    deepest = max(len(e.absolute_path) for e in context)
    found = [e for e in context if len(e.absolute_path) == deepest]
    best = min(found, key=lambda e: (refused_by_false(e), e.validator == "type"))
    typed = [e for e in found if e.validator == "type"]
    if best.validator == "type" and len(typed) > 1:
        best = copy.copy(best)
        best.validator_value = list(dict.fromkeys(t for e in typed for t in _types(e.validator_value)))
    for leaf in (_with_others(error.validator, best, found), *_same_branch(best, context)):
        yield from _leaves(leaf)  # a union inside the branch (`items: {anyOf: ...}`): its own reasons


def _same_branch(best: Any, context: list[Any]) -> Iterator[Any]:
    """The other errors of `best`'s branch, each at a place of its own: of `aliases: [ok, [a], 3]`, the
    list branch refuses two items, and giving one hid the other until it was mended (a run per mistake)."""
    branch = best.relative_schema_path[0]
    done = {tuple(best.absolute_path)}
    for e in context:
        at = tuple(e.absolute_path)
        if e.relative_schema_path[0] == branch and at not in done and not refused_by_false(e):
            done.add(at)
            yield e


def _with_others(word: str, best: Any, found: list[Any]) -> Any:
    """`best`, with what the other branches refused in a value of their type: `level: 5 is greater than the
    maximum 3` alone hid the branch that takes 10 and more. Branches of only constants are one list of the
    values allowed (`oneOf: [{const: draft}, {const: done}]`); a branch that wants another type says no more
    than its type, and is left out, as `_leaves` leaves it."""
    branch = best.relative_schema_path[0]
    others: dict[object, Any] = {}
    for e in found:
        key = e.relative_schema_path[0]
        if key != branch and e.validator != "type" and not refused_by_false(e):
            others.setdefault(key, e)
    if not others:
        return best
    if all(e.validator in _CHOICES for e in (best, *others.values())):
        best = copy.copy(best)
        values = [v for e in (best, *others.values()) for v in _choices(e)]
        best.validator, best.validator_value = "enum", list(_unique(values))
        return best
    union = best.parent.schema if best.parent is not None else None
    if isinstance(union, dict) and "title" in union:  # a union the schema names (`date_or_time`): its words
        return best
    best = copy.copy(best)
    best.others = (word, list(others.values()))
    return best


_CHOICES = frozenset({"const", "enum"})


def _choices(error: Any) -> list[Any]:
    return [error.validator_value] if error.validator == "const" else list(error.validator_value)


def _unique(values: list[Any]) -> Iterator[Any]:
    """The values in order, each once (JSON values: a list or mapping is not hashable)."""
    seen: set[str] = set()
    for value in values:
        shown = json.dumps(value, sort_keys=True, default=str)
        if shown not in seen:
            seen.add(shown)
            yield value


def _repeat(values: Any) -> tuple[int, int] | None:
    """The first item a list repeats, as (its first index, the index that repeats it): the item a user must
    remove. A list of 17 relations said only `has repeated items`, and a merge of two notes in Obsidian
    (each link to the merged one rewritten) leaves a relation listed twice."""
    if not isinstance(values, list):
        return None
    seen: dict[Hashable, int] = {}
    for again, value in enumerate(values):
        first = seen.setdefault(_identity(value), again)
        if first != again:
            return first, again
    return None


def _identity(value: Any) -> Hashable:
    """A JSON value as uniqueItems compares it: `1` and `1.0` are one number (as Python's `==` and `hash`
    agree), `true` is no number, and a mapping's keys are in no order."""
    if isinstance(value, bool) or value is None:
        return ("bool", value)
    if isinstance(value, list):
        return ("list", tuple(_identity(v) for v in value))
    if isinstance(value, dict):
        return ("dict", frozenset((k, _identity(v)) for k, v in value.items()))
    return ("number" if isinstance(value, int | float) else "text", value)


def _repeated(kind: str, path: JsonPath, value: Any) -> str:
    """`related[3]: "[[Yang Zhilin]]" repeats related[1] (uniqueItems)`, or "" for any other keyword."""
    pair = _repeat(value) if kind == "uniqueItems" else None
    if not pair:
        return ""
    first, again = pair
    repeated = f"{path_name((*path, again))}: {_show(value[again])}"
    return f"{repeated} repeats {path_name((*path, first))} (uniqueItems)"


def _repeated_at(error: Any) -> tuple[int, ...]:
    """Where a list that repeats an item is reported: at the item that repeats one before it."""
    pair = _repeat(error.instance) if error.validator == "uniqueItems" else None
    return (pair[1],) if pair else ()


def _other_branches(leaf: Any, note: Note) -> str:
    """` (no branch of anyOf holds; another says: is less than the minimum 10)`: what the other branches
    refused, each as its own message without the name and value the first one showed; three at most."""
    word, others = getattr(leaf, "others", ("", []))
    if not others:
        return ""
    shown = _prefix(leaf, tuple(leaf.absolute_path)) + _show(leaf.instance) + " "
    said = [m.removeprefix(shown) for m in (describe(_short(e), note) for e in others[:_SHOWN])]
    more = f"; and {len(others) - _SHOWN} more" if len(others) > _SHOWN else ""
    who = "another says" if len(others) == 1 else "others say"
    return f" (no branch of {word} holds; {who}: {'; '.join(said)}{more})"


_SHOWN = 3


def _short(error: Any) -> Any:
    """The error without its schema's description: one branch's title is enough beside another's message."""
    if not isinstance(error.schema, dict) or "description" not in error.schema:
        return error
    error = copy.copy(error)
    error.schema = {k: v for k, v in error.schema.items() if k != "description"}
    return error


def _types(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _where(note: Note, path: JsonPath, required: bool) -> tuple[int, int]:
    while path:
        node = note.fm.nodes.get(path)
        if node is not None:
            return (node.key_line, node.key_col) if required else (node.line, node.col)
        path = path[:-1]
    return note.position(note.fm.start)


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str | list | dict) else _scalar(value)


def _scalar(value: Any) -> str:
    if value is None:
        return "null (empty)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping",
    "null": "empty",
}


UNQUOTED = "an unquoted "  # VK010's words for an unquoted wikilink, which VK008 reports (engine._dedupe)


def describe(error: Any, note: Note) -> str:  # noqa: PLR0911 - one message per JSON Schema keyword
    """A message a person understands: `review_value: 11 is greater than the maximum 10`."""
    path = tuple(error.absolute_path)
    prefix = _prefix(error, path)
    value, arg, kind = error.instance, error.validator_value, error.validator
    hint = note.fm.yaml11.get(path)
    if kind in ("required", "dependentRequired"):
        return f"{prefix}{_missing(error)}"
    if kind == "type":
        kinds = [str(t) for t in (arg if isinstance(arg, list) else [arg])]
        shown = [_TYPE_NAMES.get(t, t) for t in kinds]
        expected = " or ".join([", ".join(shown[:-1]), shown[-1]] if len(shown) > 2 else shown)
        text = f"{prefix}{_show(value)} is not {expected}"
        link = unquoted_link(note.text, note.fm.nodes.get(path)) if "string" in kinds else None
        hint = hint or (f'{UNQUOTED}{link} is a list in YAML: write "{link}", in quotes' if link else None)
        return f"{text} ({hint})" if hint else text
    if kind in ("maximum", "exclusiveMaximum"):
        return f"{prefix}{_show(value)} is greater than the maximum {arg}"
    if kind in ("minimum", "exclusiveMinimum"):
        return f"{prefix}{_show(value)} is less than the minimum {arg}"
    if kind == "enum":
        return f"{prefix}{_show(value)} {_not_one_of(arg)}{_meant(value, arg)}"
    if kind == "const":
        return f"{prefix}{_show(value)} must be {_show(arg)}"
    if kind == "format":
        return f"{prefix}{_show(value)} is not a valid {arg}{_FORMAT_SHAPES.get(arg, '')}"
    if kind == "pattern":
        title = error.schema.get("title") if isinstance(error.schema, dict) else None
        if isinstance(title, str) and title:  # the schema's words say more than its regex
            about = error.schema.get("description")
            return f"{prefix}{_show(value)} is not a valid {title.lower()}" + (f": {about}" if about else "")
        return f"{prefix}{_show(value)} does not match the pattern {arg}"
    if kind in ("additionalProperties", "unevaluatedProperties"):
        return f"{prefix}{_unexpected(error, path)}"
    if kind in _SIZES or kind == "uniqueItems":
        return _repeated(kind, path, value) or f"{prefix}{_show(value)} {_size(kind, arg)}"
    return f"{prefix}{_reworded(error)}"


# What a format wants where users write something else: JSON Schema's `time` is RFC 3339's full-time, with
# seconds and an offset, and refused the `10:30` a note holds with no word of why
_FORMAT_SHAPES = {
    "time": " (JSON Schema's time has seconds and an offset, as RFC 3339 says: 10:30:00Z or 10:30:00+02:00; "
    'for a time as written in a note, use "pattern" instead)',
}


def _not_one_of(allowed: list[Any]) -> str:
    if not allowed:  # valid in 2020-12, and said "is not one of " with nothing after it
        return "is refused: the schema's enum is empty, so it allows no value"
    return f"is not one of {', '.join(_show(v) for v in allowed)}"


def _meant(value: Any, allowed: list[Any]) -> str:
    """`; did you mean "strong"?` where the value is text that an allowed one differs from only in case
    (`Strong`, `Newsletter`, which a phone capitalises) or by a typo (`stong`, `papr`). In a list of six
    values, `"Strong" is not one of …, "strong", …` left the user to find what was wrong with it."""
    if not isinstance(value, str):
        return ""
    meant = closest(value, (v for v in allowed if isinstance(v, str)), cutoff=0.8)
    return f"; did you mean {_show(meant)}?" if meant is not None else ""


def _reworded(error: Any) -> str:
    """jsonschema's own words, with the value shown as every other message shows it: `["a", "b"] does not
    contain…`, not Python's `['a', 'b']`; and a value `not` refuses, with what it refuses."""
    value, message = error.instance, str(error.message)
    if error.validator == "oneOf":  # no branch errors: more than one branch holds
        return (
            f"{_show(value)} fits more than one branch of oneOf, which must fit exactly one: make the "
            "branches exclude each other, or write anyOf"
        )
    forbidden = _forbidden(error)
    if forbidden:  # `not: {required: [k]}`: said at the key, not as the whole frontmatter
        names = ", ".join(f"'{k}'" for k in forbidden)
        return f"{names} must not be set (not: required)"
    if error.validator == "not" and not refused_by_false(error):
        refused = json.dumps(error.validator_value, ensure_ascii=False)
        return f"{_show(value)} is a value the schema refuses (not: {refused})"
    written = repr(value)
    return _show(value) + message[len(written) :] if message.startswith(written) else message


def _forbidden(error: Any) -> tuple[str, ...]:
    """The keys a `not: {"required": [...]}` refuses, those the value holds: reported at the first one, where
    the message showed the whole frontmatter at its opening `---`."""
    refused, value = error.validator_value, error.instance
    if error.validator != "not" or not isinstance(refused, dict) or set(refused) != {"required"}:
        return ()
    keys = refused["required"]
    if not isinstance(value, dict) or not isinstance(keys, list):
        return ()
    return tuple(k for k in keys if isinstance(k, str) and k in value)


def _conditional(error: Any, root: Any) -> str:
    """`, as rec is "strong" (the schema's if/then)` for a problem a `then` or an `else` finds: `missing
    required property 'stars'` alone did not say that another property's value asked for it."""
    if refused_by_false(error):  # "refused by then in schema …, which is false" names it already
        return ""
    path = list(error.absolute_schema_path)
    for i in range(len(path) - 1, -1, -1):
        if path[i] not in ("then", "else"):
            continue
        node = root
        for part in path[:i]:  # through a `$ref` left as it is (a recursive one), the path leaves `root`
            if isinstance(node, dict):
                node = node.get(part)
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                node = None
        if not isinstance(node, dict) or "if" not in node:
            continue
        word, parts = path[i], _condition(node["if"])
        if word == "then":
            why = " and ".join(_holds(*part) for part in parts) if parts else "the schema's if holds"
        elif len(parts) == 1:
            why = _fails(*parts[0])
        else:
            why = "the schema's if does not hold"
        return f", as {why} (the schema's if/{word})"
    return ""


# (property, the values the `if` allows it, or None where it asks only that it be set, whether it must be set)
_Part = tuple[str, list[Any] | None, bool]


def _condition(schema: Any) -> list[_Part]:
    """An `if` that only asks for properties' values or presence, part by part; else nothing. A property
    the `if` gives values but does not require holds where it is not set, as JSON Schema reads it."""
    if not isinstance(schema, dict) or set(schema) - {"properties", "required", "title", "description"}:
        return []
    props, required = schema.get("properties", {}), schema.get("required", [])
    if not isinstance(props, dict) or not isinstance(required, list):
        return []
    parts: list[_Part] = []
    for key, sub in props.items():
        if isinstance(sub, dict) and set(sub) == {"const"}:
            parts.append((key, [sub["const"]], key in required))
        elif isinstance(sub, dict) and set(sub) == {"enum"} and isinstance(sub["enum"], list) and sub["enum"]:
            parts.append((key, sub["enum"], key in required))
        else:
            return []
    parts.extend((key, None, True) for key in required if isinstance(key, str) and key not in props)
    return parts


def _values(values: list[Any]) -> str:
    return _show(values[0]) if len(values) == 1 else "one of " + ", ".join(_show(v) for v in values)


def _holds(key: str, values: list[Any] | None, required: bool) -> str:
    """`rec is "strong"`, `rec is "strong" or not set`, `source is set`."""
    if values is None:
        return f"{key} is set"
    return f"{key} is {_values(values)}" + ("" if required else " or not set")


def _fails(key: str, values: list[Any] | None, required: bool) -> str:
    """The one part of an `if` that does not hold, as an `else` applies: `rec is not "strong"`."""
    if values is None:
        return f"{key} is not set"
    shown = (
        f"not {_show(values[0])}" if len(values) == 1 else "none of " + ", ".join(_show(v) for v in values)
    )
    return f"{key} is {shown}" + (" or not set" if required else "")


# The limit in words: the words after jsonschema's message's first space were kept, which cut a value
# holding a space (`"a b c d" b c d' is too long`)
_SIZES = {
    "maxLength": ("is longer than", "character", "characters"),
    "minLength": ("is shorter than", "character", "characters"),
    "maxItems": ("has more than", "item", "items"),
    "minItems": ("has fewer than", "item", "items"),
    "maxProperties": ("has more than", "property", "properties"),
    "minProperties": ("has fewer than", "property", "properties"),
}


def _size(kind: str, limit: object) -> str:
    if kind == "uniqueItems":
        return "has repeated items"
    if limit == 0 and kind == "maxItems":
        return "should be empty"
    if limit == 1 and kind in ("minItems", "minLength"):
        return "should be non-empty"
    words, one, many = _SIZES[kind]
    return f"{words} {limit} {one if limit == 1 else many}"


def _missing(error: Any) -> str:
    if error.validator == "dependentRequired":  # at the property that requires them
        names = ", ".join(f"'{k}'" for k in error.validator_value)
        return f"set, so {names} must be set as well (dependentRequired)"
    value, arg = error.instance, error.validator_value
    missing = [k for k in arg if isinstance(value, dict) and k not in value]
    names = ", ".join(f"'{k}'" for k in missing) or str(arg)
    return f"missing required property {names}"


def _prefix(error: Any, path: JsonPath) -> str:
    where = path_name(path)
    prefix = f"{where}: " if where else ""
    if not getattr(error, "refused_key", False):
        return prefix
    if refused_by_false(error):  # `propertyNames: false`: 'the property name "k" is refused by …'
        return f"{prefix}the property name {_show(error.instance)} is "
    return prefix + "the property name "  # propertyNames: the message shows the name


def _unexpected(error: Any, path: JsonPath) -> str:
    if error.validator_value is not False or not path:  # a schema every extra key must pass: its words
        return str(error.message)
    refused = f"not a property the schema allows ({error.validator} is false)"
    if error.validator == "additionalProperties":
        return refused + _instead(error.schema, path[-1])
    return refused + _close(path[-1], _declared(error.schema))  # unevaluatedProperties: its branches count


def _instead(schema: Any, key: object) -> str:
    """What to write instead of a key `additionalProperties: false` refuses: additionalProperties sees only
    the `properties` beside it, so a key declared under allOf (often a shared `$ref`) is refused too."""
    for word, branch in _branches(schema):
        if key in _names(branch):
            return (
                f"; it is declared under {word}, which additionalProperties does not look into: "
                "write unevaluatedProperties: false instead"
            )
    return _close(key, _names(schema))


def _branches(schema: Any) -> Iterator[tuple[str, Any]]:
    """The allOf, anyOf and oneOf branches written in a schema (not those of a `$ref`), each with its word."""
    for word in ("allOf", "anyOf", "oneOf"):
        branches = schema.get(word) if isinstance(schema, dict) else None
        for branch in branches if isinstance(branches, list) else ():
            yield word, branch


def _names(schema: Any) -> list[str]:
    """The names a schema's `properties` declare."""
    declared = schema.get("properties") if isinstance(schema, dict) else None
    return [name for name in declared if isinstance(name, str)] if isinstance(declared, dict) else []


def _declared(schema: Any) -> list[str]:
    """The names a schema declares beside it and in its allOf, anyOf and oneOf branches written in it (not
    those of a `$ref`): the properties unevaluatedProperties lets through."""
    return [*_names(schema), *(name for _word, branch in _branches(schema) for name in _names(branch))]


def _close(key: object, names: list[str]) -> str:
    """`; did you mean 'publish'?` for a key `pubish` the schema refuses, where a name declared is close."""
    return did_you_mean(str(key), [name for name in names if name != key])  # declared in a failed branch


RULE = rule(sys.modules[__name__], "VK010", "schema-violation", "note")
