"""Obsidian property types derived from the JSON Schemas (for `.obsidian/types.json`).

Obsidian applies one type per property name to the whole vault, so every schema that declares a property
must agree on its type, and `types.json` must agree with them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from vaultkit.schemas import SchemaSet


def obsidian_type(name: str, schema: Mapping[str, Any], schemas: SchemaSet) -> str:
    """integer/number -> number, boolean -> checkbox, date -> date, date-time -> datetime, tags, aliases,
    list of strings -> multitext, anything else -> text."""
    if name in ("tags", "aliases"):
        return name
    schema = _deref(schema, schemas)
    kind = schema.get("type")
    if kind in ("integer", "number"):
        return "number"
    if kind == "boolean":
        return "checkbox"
    if kind == "string":
        fmt = schema.get("format")
        return {"date": "date", "date-time": "datetime"}.get(fmt, "text")
    if kind == "array":
        return "multitext"
    return "text"


def _deref(schema: Mapping[str, Any], schemas: SchemaSet, depth: int = 0) -> Mapping[str, Any]:
    ref = schema.get("$ref")
    if not isinstance(ref, str) or depth > 10:
        return schema
    file, _, pointer = ref.partition("#")
    doc: Any = schemas.contents.get(file) if file else None
    if doc is None:
        return schema
    for part in [p for p in pointer.split("/") if p]:
        doc = doc.get(part, {}) if isinstance(doc, dict) else {}
    merged = {**doc, **{k: v for k, v in schema.items() if k != "$ref"}} if isinstance(doc, dict) else schema
    return _deref(merged, schemas, depth + 1)


def schema_types(schemas: SchemaSet) -> dict[str, dict[str, str]]:
    """property -> {schema file -> Obsidian type} over every schema's top-level `properties`."""
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for file, schema in sorted(schemas.contents.items()):
        props = _deref(schema, schemas).get("properties")
        if not isinstance(props, dict):
            continue
        for name, sub in props.items():
            if isinstance(sub, dict) and not name.startswith("$"):
                out[name][file] = obsidian_type(name, sub, schemas)
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
            found.append((name, f"property '{name}' is '{declared[name]}' in types.json but '{kind}' in the schemas"))
    return found
