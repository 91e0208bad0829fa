"""JSON Schemas: load the schema folder once, compile one validator per schema, pick a schema per note,
and turn validation errors into messages with the line and column of the offending YAML node.

A schema that is not valid JSON, not a valid Draft 2020-12 schema, refers to anything over the network, or
holds a regex that can backtrack catastrophically is a FatalError (exit 2): vaultkit never fetches.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import itertools
import json
import math
import os
import posixpath
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from importlib import resources
from pathlib import Path
from re import _constants as _C  # type: ignore[attr-defined]
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit

from vaultkit.errors import SHOWN, FatalError, brief, closest, several
from vaultkit.js_regex import NotTranslated, schema_regex, translate
from vaultkit.nesting import TooDeep, TooLong, parse_bounded
from vaultkit.paths import SCHEMA_LIMIT, glob_match, not_a_folder, read_regular

if TYPE_CHECKING:
    from jsonschema.exceptions import SchemaError

    from vaultkit.config import Config
    from vaultkit.facts import NoteFacts

SCHEMA_SUFFIX = ".schema.json"
Schema = dict[str, Any] | bool  # `true` accepts everything, `false` nothing (JSON Schema 2020-12 and 7)
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]*\Z")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)  # as jsonschema's
# An ASCII http(s) URI with a host, as urlsplit reads one (up to the first `/`, `?` or `#`) and takes without
# a ValueError: no bracket (an IPv6 host) nor other script (its NFKC check) is left out of urlsplit
_WEB_WITH_HOST = re.compile(r"https?://[^/?#\[\]]+(?:[/?#]|\Z)", re.IGNORECASE | re.ASCII)


# Hashed first into every schema fingerprint: the same schema bytes read under another regex dialect
# (Python's `re`, before) give other verdicts, so a cache entry or a "schemas checked" record of that
# reading is not reused
_DIALECT = b"regex: ECMA-262, u flag; also for additionalProperties\0"


def folder_fingerprint(folder: Path) -> str:
    """A hash of every schema file's name and bytes: what the cache keys on, without parsing anything."""
    h = hashlib.sha256(_DIALECT)
    for path in schema_paths(folder):
        try:  # read_regular: a named pipe would wait for a writer, `/dev/zero` never end
            data = read_regular(path, SCHEMA_LIMIT)
        except OSError:
            data = b"\0unreadable"
        _fingerprint_file(h, path.relative_to(folder).as_posix(), data)
    return h.hexdigest()


def schema_paths(folder: Path) -> list[Path]:
    """The `*.json` files of a schema folder and its subfolders, sorted, but for hidden ones, as in the vault:
    a folder at the vault root (`schema_dir = "."`) holds `.obsidian/` and `.vaultkit_cache/`, whose JSON
    is no schema. Symlinked folders are not entered (as `Path.rglob` did not)."""
    found: list[Path] = []
    for top, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        # a folder named `x.json` is listed too: reading it is the error that names it
        found.extend(Path(top, n) for n in (*files, *dirs) if is_schema_path(n))
    return sorted(found)


def is_schema_path(rel: str) -> bool:
    """Does `rel`, a `/`-separated path relative to a schema folder, name one of its schemas (`schema_paths`):
    a `.json` file, no part of its path hidden."""
    return rel.endswith(".json") and not any(part.startswith(".") for part in rel.split("/"))


def _fingerprint_file(h: Any, name: str, data: bytes) -> None:
    h.update(name.encode("utf-8", "surrogateescape") + b"\0")
    h.update(data)


def bundled_schema_dir() -> Path:
    """The bundled schemas: inside the installed wheel, or the checkout's top-level `schemas/`."""
    packaged = Path(str(resources.files("vaultkit") / "_schemas"))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "schemas"


_ANY = object()  # `_path_to`: a key holding any value


@dataclass(frozen=True)
class Selected:
    name: str  # schema file name, relative to the schema folder (or the note's path for `$schema`)
    problem: tuple[str, str] | None = None  # (code, message) when selection itself failed


class SchemaSet:
    """Every `*.json` schema of a folder, compiled once; `$ref` between them by file name."""

    @functools.cached_property
    def definitions(self) -> frozenset[str]:
        """The files that hold only definitions (`holds_only_definitions`): no type selects them."""
        return frozenset(name for name, schema in self.contents.items() if holds_only_definitions(schema))

    def __init__(self, folder: Path) -> None:
        what = not_a_folder(folder)
        if what is not None:
            raise FatalError(f"schema folder {folder} {what}")
        self.folder = folder
        self.contents: dict[str, Schema] = {}
        self._digests: dict[str, str] = {}  # of each file's bytes, for `closure`
        self._closures: dict[str, str] = {}
        self._texts: dict[str, str | None] = {}  # of schemas whose mistakes are being placed (`_located`)
        self.keys_by_type: dict[tuple[str | None, str, str], str] = {}  # `findings_key`'s, made once
        # The fingerprint hashes the very bytes parsed: read apart, a schema saved in between (watch reloads
        # on the first event of a save) gave the configuration in use the fingerprint of other bytes
        h = hashlib.sha256(_DIALECT)
        unread: list[str] = []  # every file that cannot be read as a schema, given at once
        for path in schema_paths(folder):
            name = path.relative_to(folder).as_posix()
            try:
                data = read_regular(path, SCHEMA_LIMIT)
            except OSError as e:
                unread.append(f"{path}: cannot read schema: {e.strerror}")
                continue
            _fingerprint_file(h, name, data)
            self._digests[name] = hashlib.sha256(data).hexdigest()
            try:
                self.contents[name] = _load_json(path, data)
            except FatalError as e:
                unread.append(str(e))
        _refuse(unread)
        self._validators: dict[str, Any] = {}
        self._gates: dict[str, Callable[[Any], bool] | None] = {}
        self._registry: Any = None
        self._trusted = False
        self.fingerprint = h.hexdigest()
        self.short_fingerprint = self.fingerprint[:16]  # kept in each note's facts (`findings_hold`)

    def ensure_valid(self) -> None:
        """Check every schema (a FatalError giving all that is wrong, `several`). Deferred until notes are
        validated, so a run answered from the cache never imports jsonschema; the cache is keyed on the
        schema bytes."""
        if self._registry is not None:
            return
        if not self._trusted:  # before the registry reads them: `$schema: 5` or `properties: []` break it
            found = [self._meta_problems(name) for name in self.contents]
            _refuse([said for shown, _ in found for said in shown], sum(more for _, more in found))
            self._check_ids()
        registry = self._build_registry()
        if self._trusted:
            self._registry = registry
            return
        self._crawled = registry.crawl()
        self._registry = registry
        try:
            problems = (problem for name in self.contents for problem in self._problems(name))
            shown = list(itertools.islice(problems, SHOWN))
            _refuse(shown, -1 if next(problems, None) is not None else 0)
        except FatalError:
            self._registry = None
            raise

    def trust(self, fingerprint: str) -> None:
        """Skip ensure_valid's checks if these exact schema bytes (`fingerprint`) passed them already: in an
        earlier run (the cache's record) or in the parent process (a worker)."""
        self._trusted = fingerprint == self.fingerprint

    @property
    def verified(self) -> bool:
        """Checked in this process, or trusted: a worker may skip the checks."""
        return self._trusted or self._registry is not None

    def _build_registry(self) -> Any:
        from referencing import Registry, Resource
        from referencing.exceptions import NoSuchResource
        from referencing.jsonschema import DRAFT202012

        def refuse(uri: str) -> Any:
            raise NoSuchResource(ref=uri)  # type: ignore[call-arg]

        resources_ = []
        for name, schema in self.contents.items():
            resource = Resource.from_contents(schema, default_specification=DRAFT202012)
            resources_.append((name, resource))
            resources_.append((FILE_URI + name, resource))
            if isinstance(schema, dict) and isinstance(schema.get("$id"), str):
                resources_.append((schema["$id"], resource))
        return Registry(retrieve=refuse).with_resources(resources_)  # type: ignore[call-arg]

    def _meta_problems(self, name: str) -> tuple[list[str], int]:
        """What schema `name` breaks of the Draft 2020-12 meta-schema (its regexes read as ECMA-262), and the
        older drafts' keywords it holds, each at its place, in the order they are written: the first SHOWN
        written, and how many more (a schema generated wrong may hold thousands, each read for its place).
        Sorted by where each is written before any is placed: jsonschema finds a `properties`' mistakes in a
        set's order, another at each run, and the first SHOWN found were any 20 of the 20,000."""
        from jsonschema import Draft202012Validator

        schema = self.contents[name]
        meta = Draft202012Validator(Draft202012Validator.META_SCHEMA, format_checker=_meta_format_checker())
        found: dict[str, str] = {}  # message -> the message with its place, in the order written
        orders: dict[int, dict[Any, int]] = {}
        # the metaschema's errors and the older drafts' keywords, together in the order they are written
        mistakes = [
            *((list(e.absolute_path), False, e) for e in meta.iter_errors(schema)),
            *(([*path, keyword], True, keyword) for path, keyword in _dropped_keywords(schema)),
        ]
        mistakes.sort(key=lambda m: _written_order(schema, m[0], orders))
        for path, is_keyword, what in mistakes[:SHOWN]:
            message = _dropped_message(path[:-1], what, schema) if is_keyword else _meta_said(what, schema)
            found.setdefault(message, f"{self._located(name, path, key=is_keyword)}: {message}")
        return list(found.values()), max(0, len(mistakes) - SHOWN)

    def _located(self, name: str, path: list[Any], *, key: bool = False) -> str:
        """`schemas/x.schema.json:3:15`, the place in the file of the value at `path` (of its key, with
        `key`), as a JSON syntax error is named: an editor jumps there. Read again (once: a schema may hold
        many mistakes), since a schema is kept parsed only; the file's name alone where it cannot be read or
        no longer holds that path."""
        file = self.folder / name
        if name not in self._texts:
            try:
                self._texts[name] = read_regular(file, SCHEMA_LIMIT).decode("utf-8-sig")
            except (OSError, ValueError):
                self._texts[name] = None
        text = self._texts[name]
        try:
            offset = None if text is None else json_offset(text, path, key=key)
        except ValueError:
            offset = None
        if text is None or offset is None:
            return str(file)
        line = text.count("\n", 0, offset) + 1
        return f"{file}:{line}:{offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"

    def _check_ids(self) -> None:
        """No two schemas of the folder claim the same `$id`: a `$ref` to that URI would get whichever the
        registry read last, silently (a copy of a shared definitions file, edited, changed no verdict)."""
        claimed: dict[str, str] = {}
        for name, schema in self.contents.items():
            uri = schema.get("$id") if isinstance(schema, dict) else None
            if not isinstance(uri, str):
                continue
            key = uri.removesuffix("#")
            if key in claimed:
                raise FatalError(
                    f"{self.folder / name}: $id '{uri}' is also the $id of {claimed[key]}; a $ref to it "
                    "would get either: give each schema its own $id"
                )
            claimed[key] = name

    def _problems(self, name: str) -> Iterator[str]:
        """What is wrong with schema `name`'s references (each must resolve inside the folder) and its
        patterns (none may backtrack catastrophically); `_meta_problems` found nothing."""
        schema = self.contents[name]
        for base, ref in _refs_with_base(schema, name):
            if self._resolvable(base, ref):
                continue
            target = urljoin(base, ref)
            at = self._written_at(name, "$ref", ref)
            if urlsplit(target).scheme in ("http", "https", "ftp", "file"):
                yield (
                    f"{at}: $ref '{ref}' cannot be resolved: it points outside the schema folder "
                    f"({target}); vaultkit never fetches schemas over the network: copy that schema into the "
                    "folder and refer to it by file name"
                )
            else:
                yield f"{at}: $ref '{ref}' cannot be resolved: {self._unresolved(name, ref)}"
        for pattern in _patterns(schema):
            reason = backtracking_risk(translate(pattern, unicode=True))
            if reason:
                at = self._written_at(name, "pattern", pattern)
                if at == str(self.folder / name):  # a key of patternProperties
                    at = self._written_at(name, pattern)
                yield f"{at}: pattern {pattern!r} {reason}; rewrite it without nested repeats"

    def _written_at(self, name: str, key: str, value: object = _ANY) -> str:
        """`schemas/x.schema.json:7:14`, where the first `key` of schema `name` (holding `value`, which is
        then the place named) is written, as `_located` names a value the metaschema refuses. Regression:
        a `$ref` or a pattern refused was named by its file alone, where the README says line and column."""
        path = _path_to(self.contents[name], key, value)
        if path is None:
            return str(self.folder / name)
        return self._located(name, path, key=value is _ANY)

    def _unresolved(self, name: str, ref: str) -> str:
        """Why `ref`, written in schema `name`, finds nothing: the file it names is not in the folder, or the
        first part of its JSON pointer that is not there (`#/$defs/missing`: no `missing` in `$defs`)."""
        file, _, fragment = ref.partition("#")
        hint = "refer to other schemas of the folder by file name, e.g. 'defs.schema.json#/$defs/date'"
        if file and file not in self.contents:
            return f"no schema file '{file}' in the schema folder ({hint})"
        node: Any = self.contents[file or name]
        walked = "#"
        for raw in fragment.split("/")[1:] if fragment.startswith("/") else []:
            part = unquote(raw).replace("~1", "/").replace("~0", "~")
            if isinstance(node, list) and part.isascii() and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                there = (
                    f" (it has {', '.join(repr(k) for k in sorted(node)[:8])})"
                    if isinstance(node, dict)
                    else ""
                )
                return f"{repr(file) if file else 'this schema'} has no '{part}' at '{walked}'{there}"
            walked += "/" + raw
        return f"no schema at that place, in the schema folder ({hint})"

    def _resolvable(self, base: str, ref: str) -> bool:
        """Does `ref` (written in a schema whose base URI is `base`) point at something in the folder?"""
        from referencing.exceptions import Unresolvable

        file, _, fragment = ref.partition("#")
        tries = [(base, ref)]
        if file in self.contents:  # by file name from the folder's root, as `$ref`s are inlined
            tries.append((file, "#" + fragment))
        for uri, target in tries:
            try:
                found = self._crawled.resolver(base_uri=uri).lookup(target)
            except (Unresolvable, LookupError, ValueError, TypeError, AttributeError):
                continue  # `#/required/x` into a list makes referencing fail with a ValueError
            if isinstance(found.contents, (dict, bool)):  # `#/title` is found, but is a string: no schema
                return True
        return False

    def validator(self, name: str) -> Any:
        self.ensure_valid()
        if name not in self._validators:
            self._validators[name] = ecma_validator_class()(
                _false_as_never(inline_refs(self.contents, name)),
                registry=self._registry,
                format_checker=format_checker(),
            )
        return self._validators[name]

    def _gate(self, name: str) -> Callable[[Any], bool] | None:
        """Compiled from the schema itself, not from a jsonschema validator: a run whose notes the gate
        all passes (the pre-commit hook on a valid note, with the schemas' check recorded) never imports
        jsonschema, whose import and compile cost more than checking the note."""
        if name not in self._gates:
            from vaultkit.schema_gate import compile_gate

            if not self._trusted:
                self.ensure_valid()
            self._gates[name] = compile_gate(inline_refs(self.contents, name), GATE_FORMATS)
        return self._gates[name]

    def has(self, name: str) -> bool:
        return name in self.contents

    def closure(self, name: str) -> str:
        """A hash of the files a validation against `name` reads: it and every file its `$ref`s name, as
        `_inline` follows them. The whole folder's fingerprint where a `$ref` leads elsewhere (an `$id`, a
        URL, `$dynamicRef`): which file that is depends on the others."""
        known = self._closures.get(name)
        if known is None:
            known = self._closures[name] = self._closure(name)
        return known

    def _closure(self, name: str) -> str:
        if name not in self.contents:
            return "none"
        seen, todo = {name}, [name]
        while todo:
            doc = todo.pop()
            for ref in _refs(self.contents[doc]):
                if ref is None:
                    return self.fingerprint
                file = ref.partition("#")[0]
                if not file:
                    continue
                target = ref_document(file, doc, self.contents)
                if target not in self.contents:
                    return self.fingerprint
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        h = hashlib.sha256(_DIALECT)
        for doc in sorted(seen):
            h.update(f"{doc}\0{self._digests[doc]}\n".encode("utf-8", "surrogateescape"))
        return h.hexdigest()

    def errors(self, name: str, data: Mapping[str, Any]) -> Iterator[Any]:
        gate = self._gate(name)
        if gate is not None and gate(data):
            return  # valid: the fast gate is sound, jsonschema would find nothing
        from referencing.exceptions import Unresolvable

        try:
            for error in self.validator(name).iter_errors(data):
                yield _clarify_false(error, name)
        except Unresolvable as e:
            raise FatalError(f"{self.folder / name}: cannot resolve $ref {e}") from e
        except RecursionError as e:  # `{"$ref": "#"}`: a reference that only ever leads back to itself
            raise FatalError(f"{self.folder / name}: its $refs loop without reaching a keyword") from e


# Each schema file is also known to the registry by this URI and its name: a `$ref` left in an inlined
# schema (a recursive one, an `$anchor`) names its file so, since a schema with an `$id` resolves a bare
# file name against that `$id` (`https://x.org/default.schema.json`), and finds nothing there
FILE_URI = "urn:vaultkit:schema:"


def _refuse(problems: Sequence[str], more: int = 0) -> None:
    """A FatalError giving every problem found of the schemas, and how many more (`several`), if any."""
    if problems:
        raise FatalError(several(problems, more))


def _meta_said(error: Any, schema: Any) -> str:
    """What a metaschema error of `schema` says, with the older draft's form to change where it is one."""
    from jsonschema.exceptions import SchemaError

    e = SchemaError.create_from(error)
    where = "/".join(str(p) for p in e.absolute_path) or "(root)"
    why = f" (read as ECMA-262 with the u flag, as JSON Schema says: {e.cause})" if e.cause else ""
    keyword = str(e.absolute_path[-1]) if e.absolute_path else ""
    old_form = isinstance(e.instance, list if keyword == "items" else bool)
    changed = _CHANGED.get(keyword) if old_form else None
    if changed and keyword == "required" and len(e.absolute_path) >= 3:  # under properties/NAME
        changed = f'{_OLD_REQUIRED}: write "required": ["{e.absolute_path[-2]}"] beside "properties"'
    older = f"; {changed}{_older_draft(schema)}" if changed else ""
    return f"not a valid JSON Schema at {where}: {_meta_message(e)}{why}{older}"


def _dropped_message(path: list[Any], keyword: str, schema: Any) -> str:
    """What an older draft's keyword at `path` of `schema` says: 2020-12 ignores it, and what to write."""
    where = "/".join(str(p) for p in path) or "(root)"
    return (
        f"{where}: '{keyword}' is a keyword of an older draft, which Draft 2020-12 ignores: "
        f"{_DROPPED[keyword]}{_older_draft(schema)}"
    )


def inline_refs(contents: Mapping[str, Schema], name: str) -> Schema:
    """The schema with every `$ref` to the schema folder replaced by its target, resolved once.

    Following a `$ref` through `referencing` on every validation cost ~2 ms a note; inlined, validation is
    ten times faster. Recursive references are left as `$ref` (the registry still resolves those).
    """
    root = contents[name]
    return _inline(root, name, contents, ())  # type: ignore[no-any-return]


# Keywords whose value is a schema, a list of schemas, or an object of schemas (Draft 2020-12)
_SUBSCHEMA = frozenset(
    (
        *("not", "if", "then", "else", "items", "contains", "propertyNames", "contentSchema"),
        *("additionalProperties", "unevaluatedItems", "unevaluatedProperties"),
    )
)
_SUBSCHEMA_LISTS = frozenset(["allOf", "anyOf", "oneOf", "prefixItems"])
_SUBSCHEMA_OBJECTS = frozenset(
    ["properties", "patternProperties", "dependentSchemas", "$defs", "definitions"]
)
# jsonschema words these itself when they are `false` ("Additional properties are not allowed ('x' was
# unexpected)"), with the right path
_OWN_FALSE = frozenset(["additionalProperties", "unevaluatedItems", "unevaluatedProperties", "items"])
_NEVER: dict[str, Any] = {"not": {}}


def _false_as_never(schema: Any, keyword: str = "") -> Any:
    """The schema with each `false` subschema spelled `{"not": {}}`, which accepts the same (nothing).
    jsonschema reports a `false` subschema without the path below its keyword: `properties: {x: false}`
    gave "False schema does not allow 5" at no property. The root stays `false` (its path is the root)."""
    if schema is False:
        return schema if not keyword or keyword in _OWN_FALSE else _NEVER
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _SUBSCHEMA:
            out[key] = _false_as_never(value, key)
        elif key in _SUBSCHEMA_LISTS and isinstance(value, list):
            out[key] = [_false_as_never(v, key) for v in value]
        elif key in _SUBSCHEMA_OBJECTS and isinstance(value, dict):
            out[key] = {k: _false_as_never(v, key) for k, v in value.items()}
        else:
            out[key] = value
    return out


def _clarify_false(error: Any, name: str) -> Any:
    """jsonschema's message for a value that a `false` (sub)schema refuses, in words: "False schema does not
    allow {...}" printed the whole note, and "5 should not be valid under {}" says little."""
    _clarify_never(error, name, branch=False)
    for branch in error.context or ():  # anyOf/oneOf: VK010 may show a branch's error instead
        _clarify_never(branch, name, branch=True)
    return error


def refused_by_false(error: Any) -> bool:
    """Is this the error of a `false` (sub)schema (jsonschema is given `{"not": {}}`: `_false_as_never`)?"""
    return error.schema is False or (error.validator == "not" and error.validator_value == {})


def _clarify_never(error: Any, name: str, *, branch: bool) -> None:
    if not refused_by_false(error):
        return
    where = [str(p) for p in error.relative_schema_path]
    where = where[:-1] if where[-1:] == ["not"] else where  # the `{"not": {}}` that stands for `false`
    if branch:
        error.message = "this alternative allows no value (its schema is false)"
    elif not where:
        error.message = f"schema '{name}' allows no note (it is false)"
    elif error.absolute_path and where[-2:-1] in (["properties"], ["patternProperties"]):
        error.message = "no value is allowed here (its schema is false)"
    else:
        error.message = f"refused by {'/'.join(where)} in schema '{name}', which is false"


def _inline(node: Any, doc: str, contents: Mapping[str, Schema], active: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_inline(item, doc, contents, active) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    out = {k: _inline(v, doc, contents, active) for k, v in node.items() if k != "$ref"}
    if not isinstance(ref, str):
        if "$ref" in node:
            out["$ref"] = node["$ref"]
        return out
    return _follow(ref, out, doc, contents, active)


def _follow(
    ref: str, out: dict[str, Any], doc: str, contents: Mapping[str, Schema], active: tuple[str, ...]
) -> Any:
    """Replace a `$ref` by its target (merged with the keywords beside it), unless it must stay a `$ref`."""
    file, _, pointer = ref.partition("#")
    target_doc = ref_document(file, doc, contents) if file else doc
    key = f"{target_doc}#{pointer}"
    target = _pointer(contents.get(target_doc), pointer)
    if target is None:
        out["$ref"] = ref if file or doc == "" else f"{FILE_URI}{doc}#{pointer}"
        return out
    if key in active or "$id" in (target if isinstance(target, dict) else {}):
        # by the absolute name the registry knows it by: not relative to its schema, nor to the `$id` of
        # the schema it is inlined into, against which a bare file name would be resolved
        out["$ref"] = FILE_URI + key if doc else ref
        return out
    resolved = _inline(target, target_doc, contents, (*active, key))
    if not out:
        return resolved
    if isinstance(resolved, dict) and not (set(resolved) & set(out) - _ANNOTATIONS):
        return _annotated(resolved, out)  # siblings of $ref that only annotate: merge, no extra allOf level
    return {"allOf": [resolved], **out}


def _refs(node: Any) -> Iterator[str | None]:
    """Every `$ref` of a schema, wherever it is (also where it is no keyword: more files, never fewer);
    None for a reference `_inline` does not follow by file name (`$dynamicRef`, `$recursiveRef`, a `$ref`
    that is not text)."""
    for key, value in _walk(node):
        if key == "$ref":
            yield value if isinstance(value, str) else None
        elif key in ("$dynamicRef", "$recursiveRef"):
            yield None


def _annotated(target: dict[str, Any], siblings: dict[str, Any]) -> dict[str, Any]:
    """A `$ref`'s target with the annotations written beside the `$ref`. A title keeps its own description:
    VK010 of a pattern shows them together (`is not a valid date: A calendar date as Obsidian writes it:
    YYYY-MM-DD.`), and a description that says what a property is for (the bundled raw schema's
    `ingested: {$ref: date, description: Day the source was fetched.}`) replaced the definition's, so the
    message said `is not a valid date: Day the source was fetched.`, and never what a date looks like."""
    merged = {**target, **siblings}
    if "title" in target and "title" not in siblings and "description" in siblings:
        if "description" in target:
            merged["description"] = target["description"]
        else:
            del merged["description"]
    return merged


def ref_document(file: str, doc: str, contents: Mapping[str, Schema]) -> str:
    """The schema a `$ref`'s file part names: relative to the schema it is written in (`../defs/x.schema.json`
    from `types/`), as JSON Schema resolves a reference; else by file name from the folder's root."""
    relative = urljoin(doc, file)
    return relative if relative in contents else file


_ANNOTATIONS = frozenset({"title", "description", "$comment", "examples", "default", "deprecated"})


def _pointer(document: Any, pointer: str) -> Any:
    node = document
    for raw in [p for p in pointer.split("/") if p]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def select_schema(
    schemas: SchemaSet,
    rel: str,
    data: Mapping[str, Any],
    *,
    type_property: str,
    schema_map: tuple[tuple[str, str], ...],
    default: str,
    schema_dir: str | None = None,
) -> Selected:
    """The schema a note gets (DESIGN.md, "Schema selection"). `schema_dir` is the schema folder relative to
    the vault root (None: the bundled schemas), for `$schema` paths relative to the note.

    Asked twice a note (VK010, VK011): the folder's name is worded only for a problem (the f-string on
    every call, and a function-level import, made it the costliest call of the parse's rules)."""
    explicit = data.get("$schema")
    if explicit is not None and explicit != "":
        return _explicit(schemas, rel, explicit, schema_dir, _where(schema_dir))
    kind = data.get(type_property)
    unknown: tuple[str, str] | None = None
    if isinstance(kind, str) and kind:
        name = kind + SCHEMA_SUFFIX
        if name in schemas.contents and name not in schemas.definitions:
            return Selected(name)
        # the folder's schema, else the default: a type of no schema (or one meant for something else,
        # `type: 🧠`, or a file of definitions, `type: defs`) does not leave the note to the default alone
        hint = _types_known(schemas, kind, default, type_property, schema_dir)
        unknown = ("VK011", f"{type_property}: {_no_type(name, schemas, _where(schema_dir))}{hint}")
    elif kind is not None and kind != "":
        unknown = ("VK011", _not_a_type(schemas, kind, type_property, default))
    fallback = default if default in schemas.contents else ""
    for pattern, name in schema_map:
        if glob_match(pattern, rel):
            if name not in schemas.contents:
                problem = f"schema_map: '{pattern}' names '{name}', which is not in {_where(schema_dir)}"
                return Selected(fallback, unknown or ("VK011", problem))
            return Selected(name, unknown)
    return Selected(fallback, unknown)


def findings_key(schemas: SchemaSet, rel: str, explicit: str | None, kind: str | None, config: Config) -> str:
    """What a note's schema findings (VK010, VK011, VK012) depend on among the schema files, as one hash,
    made from what its facts keep (`NoteFacts.schema_input`, `note_type`): the schema selected for it and
    the files a validation against that schema reads. Its cached facts hold while this is the same,
    whatever other schema is edited, added or removed. Where selecting fails (a type of no schema, a
    `$schema` of no file), the message names what the folder holds: the key is then the whole folder's."""
    # where neither a `$schema` nor a `schema_map` makes the path count, the type alone decides: one key for
    # each type, made once (3 µs a note, a hash and the selection, 1% of a cold parse)
    alike = (
        (kind, config.type_property, config.default_schema)
        if explicit is None and not config.schema_map
        else None
    )
    if alike is not None and alike in schemas.keys_by_type:
        return schemas.keys_by_type[alike]
    data: dict[str, Any] = {}
    if explicit is not None:
        data["$schema"] = explicit
    if kind is not None:
        data[config.type_property] = kind
    selected = schema_for(schemas, rel, data, config)
    basis = schemas.fingerprint if selected.problem is not None else schemas.closure(selected.name)
    key = hashlib.sha256(f"{selected.name}\0{basis}".encode("utf-8", "surrogateescape")).hexdigest()[:16]
    if alike is not None:
        schemas.keys_by_type[alike] = key
    return key


def findings_hold(schemas: SchemaSet, config: Config, rel: str, facts: NoteFacts) -> bool:
    """Do a note's cached schema findings hold under these schemas? Made under this very folder, they do
    without a look; else where the key `findings_key` makes of what its facts keep is the same."""
    explicit = facts.schema_input
    if facts.schemas == schemas.short_fingerprint or explicit is False:
        return True
    return facts.schema_key == findings_key(schemas, rel, explicit, facts.note_type, config)


def _not_a_type(schemas: SchemaSet, kind: object, type_property: str, default: str) -> str:
    """A type that is no text (`type: [wiki]`, `type: 5`) names no schema, and the note got the folder's or
    the default schema without a word: a wiki note written `type: [wiki]` (a template, or Obsidian's list
    property) was never held to the wiki schema. One type in a list says what to write."""
    shown = json.dumps(kind, ensure_ascii=False, default=str)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    said = f"{type_property}: {shown} is not text, so it names no schema"
    one = kind[0] if isinstance(kind, list) and len(kind) == 1 else None
    if isinstance(one, str) and one + SCHEMA_SUFFIX in schemas.contents:
        return f"{said}; write '{type_property}: {one}'"
    known = _schema_types(schemas, default)
    return said + (f"; a type is one word ({_listed(known)})" if known else "")


def _own_word(type_property: str) -> str:
    """How to keep the bundled schemas out of a vault whose notes use `type` for themselves (`type: book`,
    `type: meeting`): every such note was VK011, and nothing said that another property can pick the
    schemas."""
    return (
        f"; if '{type_property}' means something else in this vault, let another property pick the schemas: "
        f'type_property = "schema_type" in vaultkit.toml'
    )


def _no_type(name: str, schemas: SchemaSet, where: str) -> str:
    if name in schemas.definitions:
        return f"'{name}' in {where} holds only definitions for other schemas' $ref: it is no note type"
    return f"no schema '{name}' in {where}"


def _where(schema_dir: str | None) -> str:
    """The schema folder, as a problem with a note's schema names it."""
    return f"the schema folder '{schema_dir}'" if schema_dir else "the bundled schemas"


_ONLY_DEFINITIONS = frozenset({"$schema", "$id", "title", "description", "$comment", "$defs", "definitions"})


def holds_only_definitions(schema: Schema) -> bool:
    """A file of definitions for other schemas' `$ref` (the bundled defs.schema.json): its `$defs` and
    nothing that checks a note. No note type: it would let every note of that type pass."""
    return (
        isinstance(schema, dict)
        and set(schema) <= _ONLY_DEFINITIONS
        and bool({"$defs", "definitions"} & set(schema))
    )


def _types_known(
    schemas: SchemaSet, kind: str, default: str, type_property: str, schema_dir: str | None
) -> str:
    """What to write instead of a type no schema has: the one meant (`persn`: 'person'), or the types that
    have a schema (not the default, nor a file of shared definitions such as defs.schema.json), and, from
    the bundled schemas, how to keep them out (`_own_word`): not after a typo, nor to a vault whose schema
    folder is its own, whose types are its owner's."""
    known = _schema_types(schemas, default)
    meant = did_you_mean(kind.removesuffix(SCHEMA_SUFFIX), known)  # `type: wiki.schema.json` means wiki
    if meant:
        return meant
    listed = f" ({_listed(known)})" if known else ""
    return listed if schema_dir else listed + _own_word(type_property)


def _schema_types(schemas: SchemaSet, default: str) -> list[str]:
    """The types that have a schema: not the default, nor a file of shared definitions (defs.schema.json)."""
    return sorted(
        name.removesuffix(SCHEMA_SUFFIX)
        for name in schemas.contents
        if name.endswith(SCHEMA_SUFFIX)
        and "/" not in name
        and name != default
        and name not in schemas.definitions
    )


def _listed(known: list[str]) -> str:
    return "types with a schema: " + ", ".join(known[:8]) + (", …" if len(known) > 8 else "")


def did_you_mean(word: str, names: Sequence[str]) -> str:
    """`; did you mean 'entity'?` where one of `names` is close to `word` (a type, a property name), or ""
    (`errors.closest`)."""
    meant = closest(word, names)
    return f"; did you mean '{meant}'?" if meant else ""


def schema_for(schemas: SchemaSet, rel: str, data: Mapping[str, Any], config: Config) -> Selected:
    """select_schema with the settings of a vault's config."""
    return select_schema(
        schemas,
        rel,
        data,
        type_property=config.type_property,
        schema_map=config.schema_map,
        default=config.default_schema,
        schema_dir=config.schema_dir,
    )


def _explicit(schemas: SchemaSet, rel: str, ref: object, schema_dir: str | None, where: str) -> Selected:
    if not isinstance(ref, str):  # `$schema: 5` names nothing: reported, never ignored
        return Selected("", ("VK012", f"$schema: {brief(ref)} is not a path; give the schema's path as text"))
    for candidate in _candidates(rel, ref, schema_dir):
        if schemas.has(candidate):
            return Selected(candidate)
    message = f"$schema: '{ref}' is not a schema in {where}"
    if urlsplit(ref).scheme in ("http", "https", "ftp", "file"):
        message += ": vaultkit never fetches a schema by URL" + _named_by_id(schemas, ref)
    else:
        message += " (give a path relative to the note or to that folder)"
    return Selected("", ("VK012", message))


def _candidates(rel: str, ref: str, schema_dir: str | None) -> list[str]:
    """The schema files a note's `$schema` may name, first relative to the note's folder (landing in the
    schema folder), then to the schema folder. None for a folder's path: normpath made `x.schema.json/` and
    `x.schema.json/.` the file `x.schema.json` (a URI reference resolves the second to `x.schema.json/`)."""
    if ref.endswith("/") or posixpath.basename(ref) in (".", ".."):
        return []
    candidates = []
    if schema_dir:
        beside = posixpath.normpath(posixpath.join(posixpath.dirname(rel), ref))
        folder = posixpath.normpath(schema_dir) + "/"
        if beside.startswith(folder):
            candidates.append(beside[len(folder) :])
    candidates.append(posixpath.normpath(ref))
    return candidates


def _named_by_id(schemas: SchemaSet, url: str) -> str:
    """`; that is the $id of 'common.schema.json': write $schema: common.schema.json` for a note's `$schema`
    written as a URL: vaultkit names schemas by path, and a URL said only "not a schema"."""
    for name, schema in sorted(schemas.contents.items()):
        uri = schema.get("$id") if isinstance(schema, dict) else None
        if isinstance(uri, str) and uri.removesuffix("#") == url.removesuffix("#"):
            return f"; that is the $id of '{name}': write $schema: {name}"
    return " (give a path relative to the note or to the schema folder)"


# The formats jsonschema checks for vaultkit, as the README lists them: each needs nothing but the standard
# library. A FormatChecker() of every format also checked those an optional package that happened to be
# installed brings (`idn-hostname` with idna, `json-pointer` with jsonpointer): a note's verdict changed with
# the machine, and formats JSON Schema leaves unchecked where no checker is known were refused.
_JSONSCHEMA_FORMATS = ("date", "email", "idn-email", "ipv4", "ipv6", "uuid")


def format_checker() -> Any:
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=_JSONSCHEMA_FORMATS)
    checker.checks("uri")(_is_uri)
    checker.checks("date-time")(_is_datetime)
    checker.checks("time")(_is_time)
    checker.checks("regex", raises=NotTranslated)(_is_ecma_regex)
    return checker


JSON_TYPES = ("string", "number", "integer", "boolean", "object", "array", "null")


def _meta_message(e: SchemaError) -> str:
    """What a meta-schema error says. Of a `type` no JSON Schema knows, jsonschema's words for the
    meta-schema's anyOf ("'date' is not valid under any of the given schemas") name neither the types nor the
    fix: a new user writes Obsidian's property types (`date`, `text`) or a typo there."""
    if list(e.relative_schema_path)[-3:] != ["properties", "type", "anyOf"]:
        written = repr(e.instance)  # jsonschema shows the value as Python writes it: `True`, `{'a': 1}`
        if isinstance(e.instance, str) or not e.message.startswith(written):
            return e.message
        return json.dumps(e.instance, ensure_ascii=False) + e.message[len(written) :]
    value = e.instance
    names = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    said = f"{value!r} is no JSON Schema type ({', '.join(JSON_TYPES)}, or a list of them, each once)"
    if any(name in ("date", "date-time", "datetime", "time") for name in names):
        return said + '; a date is "type": "string", "format": "date"'
    unknown = [name for name in names if isinstance(name, str) and name not in JSON_TYPES]
    return said + (did_you_mean(unknown[0], JSON_TYPES) if unknown else "")


# Keywords of draft-07 and earlier that Draft 2020-12 does not know, and so ignores: a schema holding one
# checked nothing there, silently
_DROPPED = {
    "dependencies": "write dependentRequired for a list of property names, dependentSchemas for a schema",
    "additionalItems": "write items (with prefixItems for the items before it)",
}


# Keywords whose older form (draft-07 and earlier) Draft 2020-12 refuses: what to write instead
_OLD_REQUIRED = "a boolean required is draft-03's"
_CHANGED = {
    "items": "a list of items is the older drafts' tuple form: write prefixItems for it",
    **{
        word: f'a true {word} is draft-04\'s: write "{word}": N in place of {bound}'
        for word, bound in (("exclusiveMaximum", "maximum"), ("exclusiveMinimum", "minimum"))
    },
    "required": f"{_OLD_REQUIRED}: list the names in the required of the object that holds them",
}


def _written_order(schema: Any, path: Iterable[Any], orders: dict[int, dict[Any, int]]) -> tuple[int, ...]:
    """Where the value at `path` is written in `schema`, as the position of each step (the nth key of its
    object, as json.loads keeps them; the nth item of its list): mistakes sorted by it are in the file's
    order without reading the file for each. `orders`: each object's key positions, made once."""
    at: list[int] = []
    node = schema
    for step in path:
        if isinstance(node, dict):
            order = orders.get(id(node))
            if order is None:
                order = orders[id(node)] = {key: i for i, key in enumerate(node)}
            at.append(order.get(step, len(order)))
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            at.append(step)
            node = node[step]
        else:
            break
    return tuple(at)


def _dropped_keywords(schema: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """(path, keyword) of each `_DROPPED` keyword in a schema position of `schema` (not a property named
    `dependencies`, nor a value inside `enum` or `const`)."""
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        if key in _DROPPED:
            yield path, key
        elif key in _SUBSCHEMA:
            yield from _dropped_keywords(value, (*path, key))
        elif key in _SUBSCHEMA_LISTS and isinstance(value, list):
            for i, item in enumerate(value):
                yield from _dropped_keywords(item, (*path, key, i))
        elif key in _SUBSCHEMA_OBJECTS and isinstance(value, dict):
            for name, item in value.items():
                yield from _dropped_keywords(item, (*path, key, name))


_DECODER = json.JSONDecoder()


def _space(text: str, at: int) -> int:
    """The offset of the first character from `at` that is not JSON white space."""
    while at < len(text) and text[at] in " \t\n\r":
        at += 1
    return at


def _past(text: str, at: int) -> int:
    """The offset after the JSON value at `at`, its white space and the comma that may follow."""
    at = _space(text, _DECODER.raw_decode(text, at)[1])
    return _space(text, at + 1) if text.startswith(",", at) else at


def json_offset(text: str, path: Sequence[Any], *, key: bool = False) -> int | None:
    """The offset in `text` (JSON) of the value at `path` (keys and list indices), or of its key with `key`;
    None where `text` holds no such path. Values passed by are skipped with json's own decoder."""
    at = _space(text, 0)
    for depth, part in enumerate(path):
        if text.startswith("{", at) and isinstance(part, str):
            at = _space(text, at + 1)
            while text.startswith('"', at):
                name, after = _DECODER.raw_decode(text, at)
                value = _space(text, _space(text, after) + 1)  # past the colon
                if name == part:
                    if key and depth == len(path) - 1:
                        return at
                    at = value
                    break
                at = _past(text, value)
            else:
                return None
        elif text.startswith("[", at) and isinstance(part, int):
            at = _space(text, at + 1)
            for _ in range(part):
                if text.startswith("]", at):
                    return None
                at = _past(text, at)
            if text.startswith("]", at):
                return None
        else:
            return None
    return at


def _older_draft(schema: Any) -> str:
    """`; this schema declares draft-07 …` where its `$schema` names another draft than 2020-12, whose
    keywords (`items` as a list, `dependencies`, a boolean `exclusiveMaximum`) were the cause."""
    declared = schema.get("$schema") if isinstance(schema, dict) else None
    if not isinstance(declared, str):
        return ""
    found = re.search(r"draft-0?(\d+)|draft/(\d{4}-\d{2})", declared)
    draft = (f"draft-{int(found[1]):02d}" if found[1] else found[2]) if found else ""
    if not draft or draft == "2020-12":
        return ""
    return (
        f" (this schema declares {draft} in $schema, but vaultkit reads every schema as Draft 2020-12: "
        'write "$schema": "https://json-schema.org/draft/2020-12/schema" and its keywords)'
    )


def _meta_format_checker() -> Any:
    """The format checks the metaschema gets (a schema's `pattern` has format "regex"): jsonschema's, but
    a regex is ECMA-262's, not Python's."""
    from jsonschema import Draft202012Validator, FormatChecker

    checker = FormatChecker(formats=())
    checker.checkers = dict(Draft202012Validator.FORMAT_CHECKER.checkers)
    checker.checks("regex", raises=NotTranslated)(_is_ecma_regex)
    return checker


def _is_ecma_regex(value: object) -> bool:
    return not isinstance(value, str) or bool(schema_regex(value))


@functools.cache
def ecma_validator_class() -> Any:
    """Draft 2020-12 with `pattern` and `patternProperties` read as ECMA-262 regexes with the u flag (core
    spec 6.4), as ajv reads them, not as Python's `re`: `\\d` is 0-9 only, `$` is the end of the text,
    `\\p{L}` a letter. The messages are jsonschema's own."""
    from jsonschema import Draft202012Validator, ValidationError, validators

    def pattern(validator: Any, patrn: str, instance: Any, _schema: Any) -> Iterator[Any]:
        if validator.is_type(instance, "string") and not schema_regex(patrn).search(instance):
            yield ValidationError(f"{instance!r} does not match {patrn!r}")

    def pattern_properties(validator: Any, properties: Any, instance: Any, _schema: Any) -> Iterator[Any]:
        if not validator.is_type(instance, "object"):
            return
        for patrn, subschema in properties.items():
            search = schema_regex(patrn).search
            for k, v in instance.items():
                if search(k):
                    yield from validator.descend(v, subschema, path=k, schema_path=patrn)

    return validators.extend(  # type: ignore[no-untyped-call]
        Draft202012Validator,
        {
            "pattern": pattern,
            "patternProperties": pattern_properties,
            "additionalProperties": _additional_properties,
            "unevaluatedProperties": _unevaluated_properties,
            "propertyNames": _property_names,
            "dependentRequired": _dependent_required,
            "multipleOf": _multiple_of,
        },
    )


def _multiple_of(validator: Any, divisor: Any, instance: Any, schema: Any) -> Iterator[Any]:
    """jsonschema's `multipleOf`, but where the divisor is a fraction (`multipleOf: 0.01`) jsonschema's own
    raised on YAML's `.nan` and `.inf` (ValueError, OverflowError) and on an integer too large for a float
    (400 digits: OverflowError), a VK000 on the note. The first two are the multiple of no number, as
    jsonschema says where the divisor is an integer; the integer is divided exactly by the divisor as the
    schema writes it (jsonschema's own fallback took 0.01 as the float nearest to it, of which no integer is
    a multiple)."""
    from jsonschema import Draft202012Validator, ValidationError

    if isinstance(divisor, float) and validator.is_type(instance, "number"):
        if isinstance(instance, float) and not math.isfinite(instance):
            yield ValidationError(f"{instance!r} is not a multiple of {divisor}")
            return
        if isinstance(instance, int) and abs(instance) > sys.float_info.max:  # no float: divided exactly
            if (Fraction(instance) / Fraction(repr(divisor))).denominator != 1:  # 0.01 as written, 1/100
                yield ValidationError(f"{instance!r} is not a multiple of {divisor}")
            return
    yield from Draft202012Validator.VALIDATORS["multipleOf"](validator, divisor, instance, schema)


def _additional_properties(validator: Any, extra: Any, instance: Any, schema: Any) -> Iterator[Any]:
    """jsonschema's `additionalProperties`, its extra keys found as `patternProperties` validates them
    (jsonschema's own used Python's re, where `\\p{L}` raised and `\\d` matched any digit), and each extra key
    refused on its own, with its path: one error for them all pointed at the mapping, not at the key."""
    from jsonschema import ValidationError

    if not validator.is_type(instance, "object"):
        return
    extras = extra_keys(schema, instance)
    if validator.is_type(extra, "object"):
        for key in extras:
            yield from validator.descend(instance[key], extra, path=key)
    elif extra is False:  # at each extra key, not once at the mapping that holds them
        for key in extras:
            yield ValidationError(
                f"{key!r} is not a property the schema allows", path=(key,), instance=instance[key]
            )


def _property_names(validator: Any, names: Any, instance: Any, _schema: Any) -> Iterator[Any]:
    """jsonschema's `propertyNames`, each error at the key it refuses, marked `refused_key`: jsonschema's
    had no path, so VK010 put a refused name at line 1 (or at the first value of a nested mapping)."""
    if not validator.is_type(instance, "object"):
        return
    for key in instance:
        for error in validator.descend(instance=key, schema=names, path=key):
            error.refused_key = True
            yield error


def _dependent_required(validator: Any, needs: Any, instance: Any, _schema: Any) -> Iterator[Any]:
    """jsonschema's `dependentRequired`, at the property that requires the others (jsonschema's error had no
    path: line 1), its `validator_value` the properties missing."""
    from jsonschema import ValidationError

    if not validator.is_type(instance, "object"):
        return
    for key, wanted in needs.items():
        missing = [name for name in wanted if name not in instance] if key in instance else []
        if missing:
            message = f"{missing!r} are required with {key!r}"
            yield ValidationError(message, path=(key,), instance=instance[key], validator_value=missing)


def _unevaluated_properties(validator: Any, extra: Any, instance: Any, schema: Any) -> Iterator[Any]:
    """jsonschema's `unevaluatedProperties`, the keys a `patternProperties` evaluated found with its ECMA-262
    regexes (jsonschema's own used Python's re: `\\p{L}` raised), and, when it is `false`, each key it
    refuses reported on its own, at its path."""
    from jsonschema import ValidationError

    if not validator.is_type(instance, "object"):
        return
    evaluated = _evaluated_keys(validator, instance, schema)
    refused = [
        key for key in instance if key not in evaluated and not _valid(validator, instance[key], extra)
    ]
    if extra is False:
        for key in refused:
            yield ValidationError(
                f"{key!r} is not a property the schema allows", path=(key,), instance=instance[key]
            )
    elif refused:
        keys = ", ".join(repr(key) for key in refused)
        yield ValidationError(f"Unevaluated properties are not valid under the given schema ({keys})")


def _valid(validator: Any, instance: Any, schema: Any) -> bool:
    return next(validator.descend(instance, schema), None) is None


def _evaluated_keys(validator: Any, instance: Mapping[str, Any], schema: Any) -> set[str]:
    """The keys of `instance` that `schema` evaluates, as JSON Schema 2020-12 counts them for
    `unevaluatedProperties` (jsonschema's find_evaluated_property_keys_by_schema, with ECMA-262 regexes)."""
    if not isinstance(schema, dict):
        return set()
    keys = _referenced_keys(validator, instance, schema)
    named = schema.get("properties")
    if isinstance(named, dict):
        keys |= named.keys() & instance.keys()
    for word in ("additionalProperties", "unevaluatedProperties"):
        if word in schema:
            keys |= {key for key, value in instance.items() if _valid(validator, value, schema[word])}
    for patrn in schema.get("patternProperties") or {}:
        search = schema_regex(patrn).search
        keys |= {key for key in instance if search(str(key))}
    dependent = schema.get("dependentSchemas")
    for key, sub in dependent.items() if isinstance(dependent, dict) else ():
        keys |= _evaluated_keys(validator, instance, sub) if key in instance else set()
    for word in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(word) or ():
            keys |= _evaluated_keys(validator, instance, sub) if _valid(validator, instance, sub) else set()
    return keys | _conditional_keys(validator, instance, schema)


def _referenced_keys(validator: Any, instance: Mapping[str, Any], schema: Mapping[str, Any]) -> set[str]:
    keys: set[str] = set()
    for word in ("$ref", "$dynamicRef"):
        if isinstance(ref := schema.get(word), str):
            resolved = validator._resolver.lookup(ref)  # as jsonschema follows a $ref
            evolved = validator.evolve(schema=resolved.contents, _resolver=resolved.resolver)
            keys |= _evaluated_keys(evolved, instance, resolved.contents)
    return keys


def _conditional_keys(validator: Any, instance: Mapping[str, Any], schema: Mapping[str, Any]) -> set[str]:
    if "if" not in schema:
        return set()
    if _valid(validator, instance, schema["if"]):
        return _evaluated_keys(validator, instance, schema["if"]) | _evaluated_keys(
            validator, instance, schema.get("then")
        )
    return _evaluated_keys(validator, instance, schema.get("else"))


def extra_keys(schema: Mapping[str, Any], instance: Mapping[str, Any]) -> list[str]:
    """The keys of `instance` that neither `properties` nor (as ECMA-262 regexes) `patternProperties` name."""
    named = schema.get("properties", {})
    searches = [schema_regex(p).search for p in schema.get("patternProperties", {})]
    return [key for key in instance if key not in named and not any(search(str(key)) for search in searches)]


def _is_date(value: object) -> bool:
    """jsonschema's check of format "date", to the letter (the gate must reject all it rejects)."""
    if not isinstance(value, str):
        return True
    try:
        return bool(_DATE.fullmatch(value) and datetime.date.fromisoformat(value))
    except ValueError:
        return False


def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _URI.match(value):
        return False
    if value.isascii() and _WEB_WITH_HOST.match(value):  # urlsplit's answer, without splitting it
        return True
    try:
        parts = urlsplit(value)
    except ValueError:  # `https://[::1/x`, a host NFKC reads as other characters: a VK000 crash before
        return False
    return parts.scheme not in ("http", "https") or bool(parts.netloc)


def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        datetime.datetime.fromisoformat(value)
    except ValueError:
        return False
    return "T" in value or " " in value


_TIME = re.compile(r"(\d\d):(\d\d):(\d\d)(?:\.\d+)?(?:[Zz]|([+-])(\d\d):(\d\d))", re.ASCII)
_LAST_MINUTE = 23 * 60 + 59  # of a UTC day: the one minute with a leap second


def _is_time(value: object) -> bool:
    """RFC 3339's full-time, as JSON Schema's `time` is: seconds and an offset (`10:30:00Z`,
    `10:30:00+02:00`), a leap second only at 23:59 UTC. Regression: jsonschema checks draft 2020-12's
    `time` only with the optional rfc3339-validator; without it, a FormatChecker of every draft checked
    draft 3's `%H:%M:%S`, which refused every time with an offset and took `10:30:00` without one."""
    if not isinstance(value, str):
        return True
    m = _TIME.fullmatch(value)
    if m is None:
        return False
    hour, minute, second = int(m[1]), int(m[2]), int(m[3])
    offset = (int(m[5]) * 60 + int(m[6])) * (-1 if m[4] == "-" else 1) if m[4] else 0
    if hour > 23 or minute > 59 or second > 60 or (m[4] and (int(m[5]) > 23 or int(m[6]) > 59)):
        return False
    return second < 60 or (hour * 60 + minute - offset) % (24 * 60) == _LAST_MINUTE


# The formats the schema gate checks itself (`format_checker` gives jsonschema the same "uri" and
# "date-time"); a schema with any other format gets no gate.
GATE_FORMATS: dict[str, Callable[[Any], bool]] = {"date": _is_date, "uri": _is_uri, "date-time": _is_datetime}


def _load_json(path: Path, raw: bytes) -> Schema:
    """The schema in `raw`, the bytes of `path` (named in the messages)."""
    try:  # utf-8-sig: a BOM, as some Windows editors write, is no reason to refuse a schema
        data = parse_bounded(_strict_json, raw.decode("utf-8-sig"))
    except _DuplicateKey as e:
        raise FatalError(
            f"{path}: schema has the key '{e}' twice in one object; JSON keeps only the last"
        ) from e
    except UnicodeDecodeError as e:
        raise FatalError(f"{path}: schema is not UTF-8") from e
    except json.JSONDecodeError as e:
        raise FatalError(f"{path}:{e.lineno}:{e.colno}: schema is not valid JSON: {e.msg}") from e
    except _NotJsonNumber as e:
        raise FatalError(f"{path}: schema is not valid JSON: {e} is no JSON number") from e
    except TooDeep as e:
        raise FatalError(f"{path}: schema is {e}") from e
    except TooLong as e:
        raise FatalError(f"{path}: schema is not read: {e}") from e
    if not isinstance(data, dict | bool):
        what = type(data).__name__
        raise FatalError(f"{path}: a schema file must hold a JSON object, true or false (not {what})")
    return data


class _DuplicateKey(ValueError):
    pass


class _NotJsonNumber(ValueError):
    pass


def _strict_json(text: str) -> Any:
    return json.loads(text, object_pairs_hook=_unique, parse_constant=_no_constant)


def _no_constant(name: str) -> Any:
    """Python's json reads NaN and Infinity, which JSON and ajv refuse: `"maximum": NaN` passes any value."""
    raise _NotJsonNumber(name)


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


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


_DATA_KEYWORDS = frozenset({"enum", "const", "examples", "default"})  # values there are data, not schemas


def _refs_with_base(node: Any, base: str) -> Iterator[tuple[str, str]]:
    """Every `$ref` with the base URI it is resolved against (`$id`s change it)."""
    if isinstance(node, list):
        for item in node:
            yield from _refs_with_base(item, base)
    elif isinstance(node, dict):
        if isinstance(node.get("$id"), str):
            base = urljoin(base, node["$id"])
        if isinstance(node.get("$ref"), str):
            yield base, node["$ref"]
        for key, value in node.items():
            if key not in _DATA_KEYWORDS:
                yield from _refs_with_base(value, base)


def _path_to(node: Any, key: str, value: object, path: tuple[Any, ...] = ()) -> list[Any] | None:
    """The path to the first `key`, at any depth, that holds `value` (any, for `_ANY`): only on an error path,
    where a refused `$ref` or pattern is written."""
    if isinstance(node, dict):
        for name, held in node.items():
            if name == key and (value is _ANY or held == value):
                return [*path, name]
            found = _path_to(held, key, value, (*path, name))
            if found is not None:
                return found
    elif isinstance(node, list):
        for i, item in enumerate(node):
            found = _path_to(item, key, value, (*path, i))
            if found is not None:
                return found
    return None


def _patterns(schema: Any) -> Iterator[str]:
    for key, value in _walk(schema):
        if key == "pattern" and isinstance(value, str):
            yield value
        elif key == "patternProperties" and isinstance(value, dict):
            yield from (k for k in value if isinstance(k, str))


def backtracking_risk(pattern: str) -> str | None:
    """Refuse a regex that can take exponential (or high polynomial) time on a short string.

    The cause is a repeated group whose rounds can split the same text in several ways: its body matches
    texts of different lengths, and nothing in it marks where one round ends: `(a+)+`, `(\\w+\\s?)*`,
    `(.*a)*`, `(a|aa)+`, `(.*a){20}`; or two of its alternatives match the same text: `(a|a)*`.
    Fine: `[a-z]+(-[a-z]+)*` (`-` is a character the inner `[a-z]+` never takes), `(\\\\.|[^"\\\\])*`
    (alternatives of fixed length that start differently)."""
    from re import _parser as sre_parse  # type: ignore[attr-defined]

    try:
        parsed = sre_parse.parse(pattern)
    except re.error as e:
        return f"is not a valid regular expression ({e})"
    universe = set(_PROBES)
    for op, arg in _flatten(list(parsed)):
        if op == _C.LITERAL:
            universe.add(chr(arg))
        elif op == _C.IN:
            universe |= {chr(a) for o, a in arg if o == _C.LITERAL}
    return "can backtrack catastrophically" if _Risk(frozenset(universe)).risky(list(parsed)) else None


_PROBES = frozenset([chr(i) for i in range(9, 127)] + ["é", "ß", "中", "٣", "\u00a0"])
_REPEATS = (_C.MAX_REPEAT, _C.MIN_REPEAT)
_SINGLES = (_C.LITERAL, _C.NOT_LITERAL, _C.IN, _C.ANY)
_MANY = 10  # a bounded repeat of this many rounds is treated like an unbounded one


def _flatten(items: list[Any]) -> Iterator[tuple[Any, Any]]:
    """Every element of a parsed pattern, at any depth."""
    for op, arg in items:
        yield op, arg
        if op in _REPEATS:
            yield from _flatten(list(arg[2]))
        elif op == _C.SUBPATTERN:
            yield from _flatten(list(arg[-1]))
        elif op in (_C.ASSERT, _C.ASSERT_NOT):
            yield from _flatten(list(arg[1]))
        elif op == _C.BRANCH:
            for branch in arg[1]:
                yield from _flatten(list(branch))


def _sequence(items: list[Any]) -> list[tuple[Any, Any]]:
    """The elements matched one after another: groups opened up, repeats and alternatives kept whole."""
    out: list[tuple[Any, Any]] = []
    for op, arg in items:
        if op == _C.SUBPATTERN:
            out.extend(_sequence(list(arg[-1])))
        else:
            out.append((op, arg))
    return out


class _Risk:
    """Character classes are compared on a sample alphabet (ASCII, a few other scripts, the pattern's own
    literals): two classes overlap when some sample character is in both."""

    def __init__(self, universe: frozenset[str]) -> None:
        self.universe = universe

    def risky(self, items: list[Any]) -> bool:
        for op, arg in _flatten(items):
            if op not in _REPEATS:
                continue
            _low, high, sub = arg
            if high != _C.MAXREPEAT and high < _MANY:
                continue
            lo, hi = sub.getwidth()
            if (lo != hi and not self.delimited(list(sub))) or self.twin_alternatives(list(sub)):
                return True
        return False

    def twin_alternatives(self, items: list[Any]) -> bool:
        """Two alternatives that match the same text, `(a|a)` (parsed as `a(?:|)`): each round can take
        either, so a failing match tries 2^n ways."""
        for op, arg in _sequence(items):
            if op != _C.BRANCH:
                continue
            alternatives = [_sequence(list(b)) for b in arg[1]]
            for i, x in enumerate(alternatives):
                for y in alternatives[i + 1 :]:
                    if len(x) == len(y) and all(
                        a[0] in _SINGLES and b[0] in _SINGLES and self.chars([a]) & self.chars([b])
                        for a, b in zip(x, y, strict=True)
                    ):
                        return True
        return False

    def delimited(self, items: list[Any]) -> bool:
        """Can each round of a repeated group be told from the next by the characters it consumes?"""
        seq = _sequence(items)
        variable: set[str] = set()
        for op, arg in seq:
            if op in _REPEATS or op == _C.BRANCH:
                variable |= self.chars([(op, arg)])
        if any((f := self.chars([e])) and not f & variable for e in seq if e[0] in _SINGLES):
            return True  # a character no variable part can take: `-` in `(-[a-z]+)*`
        if len(seq) != 1 or seq[0][0] != _C.BRANCH:
            return False
        alternatives = [list(b) for b in seq[0][1][1]]
        if any(not a or _width(a)[0] != _width(a)[1] for a in alternatives):
            return False
        firsts = [self.chars(_sequence(a)[:1]) for a in alternatives]
        return all(not (x & y) for i, x in enumerate(firsts) for y in firsts[i + 1 :])

    def chars(self, items: list[Any]) -> set[str]:
        """The sample characters the elements can match, anywhere inside them."""
        out: set[str] = set()
        for op, arg in _flatten(items):
            if op == _C.LITERAL:
                out.add(chr(arg))
            elif op == _C.NOT_LITERAL:
                out |= {ch for ch in self.universe if ch != chr(arg)}
            elif op == _C.ANY:
                out |= self.universe
            elif op == _C.IN:
                out |= {ch for ch in self.universe if _in_set(arg, ch)}
        return out


def _width(items: list[Any]) -> tuple[int, int]:
    from re import _parser as sre_parse  # type: ignore[attr-defined]

    pattern = sre_parse.SubPattern(sre_parse.State(), items)
    return pattern.getwidth()  # type: ignore[no-any-return]


def _in_set(items: list[Any], ch: str) -> bool:
    negate = bool(items) and items[0][0] == _C.NEGATE
    found = False
    for op, arg in items[1:] if negate else items:
        if op == _C.LITERAL:
            found = ch == chr(arg)
        elif op == _C.RANGE:
            found = arg[0] <= ord(ch) <= arg[1]
        elif op == _C.CATEGORY:
            found = _CATEGORIES.get(arg, _anything)(ch)
        else:
            found = True  # anything else: assume it may match
        if found:
            break
    return found != negate


def _anything(_ch: str) -> bool:
    return True


_CATEGORIES: dict[Any, Callable[[str], bool]] = {
    _C.CATEGORY_DIGIT: str.isdecimal,
    _C.CATEGORY_NOT_DIGIT: lambda ch: not ch.isdecimal(),
    _C.CATEGORY_SPACE: str.isspace,
    _C.CATEGORY_NOT_SPACE: lambda ch: not ch.isspace(),
    _C.CATEGORY_WORD: lambda ch: ch.isalnum() or ch == "_",
    _C.CATEGORY_NOT_WORD: lambda ch: not (ch.isalnum() or ch == "_"),
}
