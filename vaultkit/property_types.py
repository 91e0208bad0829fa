"""Obsidian property types derived from the JSON Schemas (for `.obsidian/types.json`).

Obsidian applies one type per property name to the whole vault, so every schema that declares a property
must agree on its type, and `types.json` must agree with them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from vaultkit.schemas import SchemaSet, ref_document


def obsidian_type(name: str, schema: Mapping[str, Any], schemas: SchemaSet, doc: str = "") -> str | None:
    """integer/number -> number, boolean -> checkbox, date -> date, date-time -> datetime, tags, aliases,
    list of strings -> multitext, no `type` but values all numbers (`enum`, `const`) -> number, all
    booleans -> checkbox, an object or a list of objects -> None (Obsidian's properties hold nothing
    nested, and no type of its fits one), anything else -> text; an `anyOf` (or `oneOf`) is the type of
    its first branch that is not null. `doc`: the schema file `schema` was read from, for `$ref`s local to
    it (`#/$defs/date`)."""
    if name in ("tags", "aliases"):
        return name
    schema, doc = _deref(schema, schemas, doc)
    for _ in range(10):  # an anyOf of anyOfs; bounded, as `$ref`s may go round
        branch = _first_branch(schema, schemas, doc)
        if branch is None:
            break
        schema, doc = _deref(branch, schemas, doc)
    kind = schema.get("type")
    # `["array", "null"]`: the property may be left empty (`related:`), as Obsidian leaves any property it
    # added; its type is the other one
    if isinstance(kind, list) and "null" in kind:
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else kind
    if kind in ("integer", "number"):
        return "number"
    if kind == "boolean":
        return "checkbox"
    if kind == "string":
        fmt = schema.get("format")
        return {"date": "date", "date-time": "datetime"}.get(fmt if isinstance(fmt, str) else "", "text")
    if kind in ("object", "array"):
        return _list_type(schema, schemas, doc) if kind == "array" else None
    return _type_of_values(schema) if kind is None else "text"


def _list_type(schema: Mapping[str, Any], schemas: SchemaSet, doc: str) -> str | None:
    """multitext, but for a list of objects (`sources: [{url: …}]`), which no Obsidian type fits."""
    items = schema.get("items")
    nested = isinstance(items, dict) and _deref(items, schemas, doc)[0].get("type") == "object"
    return None if nested else "multitext"


def _type_of_values(schema: Mapping[str, Any]) -> str:
    """The Obsidian type of a property given by its values alone (`"enum": [1, 2, 3]`, `"const": true`,
    `oneOf` of constants): a tier of 1 to 3 is a number to Obsidian, not text, or its property editor
    writes `tier: "2"`, which the schema then refuses."""
    values = schema.get("enum", [schema["const"]] if "const" in schema else None)
    if not isinstance(values, list) or not values:
        return "text"
    if all(isinstance(v, bool) for v in values):
        return "checkbox"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "number"
    return "text"


def _first_branch(schema: Mapping[str, Any], schemas: SchemaSet, doc: str) -> Mapping[str, Any] | None:
    """The first branch of an `anyOf` (or `oneOf`) that is not null, in a schema with no `type` of its own."""
    branches = schema.get("anyOf", schema.get("oneOf"))
    if "type" in schema or not isinstance(branches, list):
        return None
    for branch in branches:
        if isinstance(branch, dict) and _deref(branch, schemas, doc)[0].get("type") != "null":
            return branch
    return None


def _deref(
    schema: Mapping[str, Any], schemas: SchemaSet, doc: str, depth: int = 0
) -> tuple[Mapping[str, Any], str]:
    """Follow `$ref` (to another file of the folder, or within `doc`); the result and the file it is in."""
    ref = schema.get("$ref")
    if not isinstance(ref, str) or depth > 10:
        return schema, doc
    file, _, pointer = ref.partition("#")
    target_doc = ref_document(file, doc, schemas.contents) if file else doc
    node: Any = schemas.contents.get(target_doc)
    if node is None:
        return schema, doc
    for raw in [p for p in pointer.split("/") if p]:
        part = raw.replace("~1", "/").replace("~0", "~")
        node = node.get(part, {}) if isinstance(node, dict) else {}
    if not isinstance(node, dict):
        return schema, doc
    merged = {**node, **{k: v for k, v in schema.items() if k != "$ref"}}
    return _deref(merged, schemas, target_doc, depth + 1)


def schema_types(schemas: SchemaSet) -> dict[str, dict[str, str]]:
    """property -> {schema file -> Obsidian type} over every schema's top-level `properties` (but those no
    Obsidian type fits: `obsidian-types` writes none for them, and VK023 compares none)."""
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for file, schema in sorted(schemas.contents.items()):
        if not isinstance(schema, dict):
            continue  # `true` or `false`: declares no property
        resolved, doc = _deref(schema, schemas, file)
        props = resolved.get("properties")
        if not isinstance(props, dict):
            continue
        for name, sub in props.items():
            kind = obsidian_type(name, sub, schemas, doc) if isinstance(sub, dict) else None
            if kind is not None and not name.startswith("$"):
                out[name][file] = kind
    return out


def conflicts(schemas: SchemaSet, declared: Mapping[str, str]) -> list[tuple[str, str]]:
    """(property, message) for each property whose schemas disagree, or disagree with types.json."""
    found = []
    for name, by_file in sorted(schema_types(schemas).items()):
        kinds = set(by_file.values())
        if len(kinds) > 1:
            detail = ", ".join(f"{f}: {k}" for f, k in sorted(by_file.items()))
            found.append((name, f"property '{name}' has different types across schemas ({detail})"))
        elif name in declared and declared[name] not in kinds:
            (kind,) = kinds
            message = f"property '{name}' is '{declared[name]}' in types.json but '{kind}' in the schemas"
            message += f" ({_some(sorted(by_file))})"
            found.append((name, message))
    return found


def _some(files: list[str]) -> str:
    """The schema files that declare a property, three at most: which one to edit, where the message said
    only "in the schemas"."""
    more = f" and {len(files) - 3} more" if len(files) > 3 else ""
    return ", ".join(files[:3]) + more
