"""JSON Schemas: load the schema folder once, compile one validator per schema, pick a schema per note,
and turn validation errors into messages with the line and column of the offending YAML node.

A schema that is not valid JSON, not a valid Draft 2020-12 schema, refers to anything over the network, or
holds a regex that can backtrack catastrophically is a FatalError (exit 2): vaultkit never fetches.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from vaultkit.errors import FatalError

SCHEMA_SUFFIX = ".schema.json"
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]*\Z")


def bundled_schema_dir() -> Path:
    """The bundled schemas: inside the installed wheel, or the checkout's top-level `schemas/`."""
    packaged = Path(str(resources.files("vaultkit") / "_schemas"))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "schemas"


@dataclass(frozen=True)
class Selected:
    name: str  # schema file name, relative to the schema folder (or the note's path for `$schema`)
    problem: tuple[str, str] | None = None  # (code, message) when selection itself failed


class SchemaSet:
    """Every `*.json` schema of a folder, compiled once; `$ref` between them by file name."""

    def __init__(self, folder: Path) -> None:
        if not folder.is_dir():
            raise FatalError(f"schema folder {folder} does not exist")
        self.folder = folder
        self.contents: dict[str, dict[str, Any]] = {}
        for path in sorted(folder.rglob("*.json")):
            name = path.relative_to(folder).as_posix()
            self.contents[name] = _load_json(path)
        self._validators: dict[str, Any] = {}
        self._registry = self._build_registry()
        for name in self.contents:
            self._check(name)
        self.fingerprint = hashlib.sha256(
            json.dumps(self.contents, sort_keys=True).encode()
        ).hexdigest()

    def _build_registry(self) -> Any:
        from referencing import Registry, Resource
        from referencing.exceptions import NoSuchResource
        from referencing.jsonschema import DRAFT202012

        def refuse(uri: str) -> Any:
            raise NoSuchResource(ref=uri)

        resources_ = []
        for name, schema in self.contents.items():
            resource = Resource.from_contents(schema, default_specification=DRAFT202012)
            resources_.append((name, resource))
            if isinstance(schema.get("$id"), str):
                resources_.append((schema["$id"], resource))
        return Registry(retrieve=refuse).with_resources(resources_)  # type: ignore[call-arg]

    def _check(self, name: str) -> None:
        from jsonschema import Draft202012Validator
        from jsonschema.exceptions import SchemaError

        schema = self.contents[name]
        path = self.folder / name
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as e:
            where = "/".join(str(p) for p in e.absolute_path) or "(root)"
            raise FatalError(f"{path}: not a valid JSON Schema at {where}: {e.message}") from e
        for ref in _refs(schema):
            if urlsplit(ref).scheme in ("http", "https", "ftp", "file") and ref.split("#")[0] not in self.contents:
                known = {s.get("$id") for s in self.contents.values()}
                if ref.split("#")[0] not in known:
                    raise FatalError(
                        f"{path}: $ref '{ref}' points outside the schema folder; vaultkit never fetches schemas "
                        "over the network: copy that schema into the folder and refer to it by file name"
                    )
        for pattern in _patterns(schema):
            reason = backtracking_risk(pattern)
            if reason:
                raise FatalError(f"{path}: pattern {pattern!r} {reason}; rewrite it without nested repetition")

    def validator(self, name: str) -> Any:
        if name not in self._validators:
            from jsonschema import Draft202012Validator

            self._validators[name] = Draft202012Validator(
                self.contents[name], registry=self._registry, format_checker=format_checker()
            )
        return self._validators[name]

    def has(self, name: str) -> bool:
        return name in self.contents

    def errors(self, name: str, data: Mapping[str, Any]) -> Iterator[Any]:
        from referencing.exceptions import Unresolvable

        try:
            yield from self.validator(name).iter_errors(data)
        except Unresolvable as e:
            raise FatalError(f"{self.folder / name}: cannot resolve $ref {e}") from e


def select_schema(
    schemas: SchemaSet,
    rel: str,
    data: Mapping[str, Any],
    type_property: str,
    schema_map: tuple[tuple[str, str], ...],
    default: str,
) -> Selected:
    from vaultkit.paths import glob_match

    explicit = data.get("$schema")
    if isinstance(explicit, str) and explicit:
        return _explicit(schemas, rel, explicit)
    kind = data.get(type_property)
    if isinstance(kind, str) and kind:
        name = kind + SCHEMA_SUFFIX
        if schemas.has(name):
            return Selected(name)
        fallback = default if schemas.has(default) else ""
        return Selected(fallback, ("VK011", f"{type_property}: no schema '{name}' in {schemas.folder}"))
    for pattern, name in schema_map:
        if glob_match(pattern, rel):
            if not schemas.has(name):
                raise FatalError(f"schema_map: '{pattern}' names '{name}', which is not in {schemas.folder}")
            return Selected(name)
    return Selected(default if schemas.has(default) else "")


def _explicit(schemas: SchemaSet, rel: str, ref: str) -> Selected:
    beside = (PurePosixPath(rel).parent / ref).as_posix()
    for candidate in (ref, beside):
        if schemas.has(candidate):
            return Selected(candidate)
    return Selected("", ("VK012", f"$schema: '{ref}' is not a schema in {schemas.folder}"))


def format_checker() -> Any:
    from jsonschema import FormatChecker

    checker = FormatChecker()
    checker.checks("uri")(_is_uri)
    checker.checks("date-time")(_is_datetime)
    return checker


def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _URI.match(value):
        return False
    parts = urlsplit(value)
    return parts.scheme not in ("http", "https") or bool(parts.netloc)


def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        datetime.datetime.fromisoformat(value)
    except ValueError:
        return False
    return "T" in value or " " in value


def _load_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise FatalError(f"{path}: cannot read schema: {e.strerror}") from e
    except UnicodeDecodeError as e:
        raise FatalError(f"{path}: schema is not UTF-8") from e
    except json.JSONDecodeError as e:
        raise FatalError(f"{path}:{e.lineno}:{e.colno}: schema is not valid JSON: {e.msg}") from e
    if not isinstance(data, dict):
        raise FatalError(f"{path}: a schema must be a JSON object")
    return data


def _walk(node: Any) -> Iterator[tuple[str, Any]]:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                yield key, value
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)


def _refs(schema: Any) -> Iterator[str]:
    return (v for k, v in _walk(schema) if k in ("$ref", "$dynamicRef") and isinstance(v, str))


def _patterns(schema: Any) -> Iterator[str]:
    for key, value in _walk(schema):
        if key == "pattern" and isinstance(value, str):
            yield value
        elif key == "patternProperties" and isinstance(value, dict):
            yield from (k for k in value if isinstance(k, str))


def backtracking_risk(pattern: str) -> str | None:
    """Refuse a regex with an unbounded repeat nested in another whose body has no fixed character to anchor
    each round (`(a+)+`, `(\\w+\\s?)*`): it can take exponential time. `[a-z]+(-[a-z]+)*` is fine."""
    from re import _parser as sre_parse  # type: ignore[attr-defined]

    try:
        parsed = sre_parse.parse(pattern)
    except re.error as e:
        return f"is not a valid regular expression ({e})"
    return "can backtrack catastrophically" if _nested(list(parsed), False) else None


def _nested(items: list[Any], inside: bool) -> bool:
    from re import _constants as c  # type: ignore[attr-defined]

    for op, arg in items:
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            _low, high, sub = arg
            unbounded = high == c.MAXREPEAT or high > 100
            if unbounded and inside:
                return True
            if _nested(list(sub), inside or (unbounded and not _anchored(list(sub)))):
                return True
        elif op == c.SUBPATTERN and _nested(list(arg[-1]), inside):
            return True
        elif op == c.BRANCH and any(_nested(list(b), inside) for b in arg[1]):
            return True
    return False


def _anchored(items: list[Any]) -> bool:
    """Does every match of this sequence consume a fixed, non-repeated character?"""
    from re import _constants as c

    for op, arg in items:
        if op in (c.LITERAL, c.NOT_LITERAL, c.IN, c.ANY):
            return True
        if op == c.SUBPATTERN and _anchored(list(arg[-1])):
            return True
    return False
