"""A fast yes/no validator for the JSON Schema keywords frontmatter schemas use, in front of jsonschema.

jsonschema costs 100-1,000 µs a note; most notes are valid. The gate compiles a schema into plain closures
and answers "valid" in a few µs. It is sound by construction: a schema using any keyword it does not
implement gets no gate (jsonschema alone decides), and a note the gate rejects is handed to jsonschema,
which produces the actual errors. So the gate can only save time, never change a result.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Hashable, Mapping, Sized
from typing import Any

from vaultkit.js_regex import schema_regex

Check = Callable[[Any], bool]

_ANNOTATIONS = frozenset(
    {
        "title",
        "description",
        "$comment",
        "examples",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
        "$schema",
        "$id",
        "$defs",
        "definitions",
        "$anchor",
    }
)


class Unsupported(Exception):
    """The schema uses something the gate does not implement: no gate for it."""


Formats = Mapping[str, Check]  # the formats the gate may check itself; any other format means no gate


def compile_gate(schema: Any, formats: Formats) -> Check | None:
    """A gate for `schema`, or None if it uses something the gate does not implement. `formats` must
    accept no value that jsonschema's format checker rejects (it may reject more: the note then goes
    to jsonschema)."""
    try:
        return _compile(schema, formats)
    except (Unsupported, re.error, TypeError, ValueError):
        return None


def _compile(schema: Any, formats: Formats) -> Check:
    if schema is True or schema == {}:
        return _always
    if schema is False:
        return _never
    if not isinstance(schema, Mapping):
        raise Unsupported(type(schema).__name__)
    checks: list[Check] = []
    for key, value in schema.items():
        if key in _ANNOTATIONS or key in _HANDLED_BY_PARENT:
            continue
        builder = _BUILDERS.get(key)
        if builder is None:
            raise Unsupported(key)
        checks.append(builder(value, schema, formats))
    if "properties" in schema or "additionalProperties" in schema or "patternProperties" in schema:
        checks.append(_object_properties(schema, formats))
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    return _all(tuple(checks))


def _any(checks: tuple[Check, ...]) -> Check:
    """A value any of `checks` accepts: a type of several names, an `anyOf`."""

    def check(x: Any) -> bool:
        for c in checks:  # noqa: SIM110 - a plain loop: any() with a generator is twice as slow here
            if c(x):
                return True
        return False

    return check


def _all(checks: tuple[Check, ...]) -> Check:
    if len(checks) == 2:  # a value's usual two or three (type and pattern, or type, format and pattern):
        first, second = checks  # written out, without the loop's cost (~130,000 calls on 10k notes)
        return lambda x: first(x) and second(x)
    if len(checks) == 3:
        first, second, third = checks
        return lambda x: first(x) and second(x) and third(x)

    def check(x: Any) -> bool:
        for c in checks:  # noqa: SIM110 - a plain loop: all() with a generator is twice as slow here
            if not c(x):
                return False
        return True

    return check


def _always(_: Any) -> bool:
    return True


def _never(_: Any) -> bool:
    return False


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


_TYPES: dict[str, Check] = {
    "string": lambda x: isinstance(x, str),
    "integer": lambda x: (
        (isinstance(x, int) and not isinstance(x, bool)) or (isinstance(x, float) and x.is_integer())
    ),
    "number": _is_number,
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
    "array": lambda x: isinstance(x, list),
    "object": lambda x: isinstance(x, dict),
}


def json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON Schema defines it: true is not 1, 1 is 1.0, lists and objects compare deeply."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and bool(a == b)


def _json_key(x: Any) -> Hashable:
    """A hashable key equal for two values exactly when json_equal holds (but for NaN, never equal to
    itself in JSON: equal keys may only make the gate answer "invalid", and jsonschema then decides)."""
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return (type(x).__name__, x)
    if _is_number(x):
        return ("number", int(x) if isinstance(x, float) and x.is_integer() else x)
    if isinstance(x, list):
        return ("array", tuple(_json_key(i) for i in x))
    if isinstance(x, dict):
        return ("object", frozenset((k, _json_key(v)) for k, v in x.items()))
    return ("other", id(x))  # nothing YAML gives: never equal to another


def _type(value: Any, _s: Any, _f: Any) -> Check:
    names = [value] if isinstance(value, str) else list(value)
    tests = tuple(_TYPES[n] for n in names)
    return tests[0] if len(tests) == 1 else _any(tests)  # the usual `type`: one name


def _enum(value: Any, _s: Any, _f: Any) -> Check:
    options = list(value)
    if options and all(isinstance(o, str) for o in options):
        names = frozenset(options)  # the usual enum: strings, where JSON equality is plain equality
        return lambda x: isinstance(x, str) and x in names
    return lambda x: any(json_equal(x, o) for o in options)


def _const(value: Any, _s: Any, _f: Any) -> Check:
    if type(value) is str:  # `type: {const: raw}`: JSON equality with a string is a string's equality
        return lambda x: type(x) is str and x == value
    return lambda x: json_equal(x, value)


def _numeric(out: Callable[[Any, Any], bool]) -> Callable[[Any, Any, Any], Check]:
    """A bound refuses a number where `out(x, bound)` holds, jsonschema's own comparison (`x < minimum`),
    not where the bound's test fails: NaN (YAML's `.nan`) passes every bound, also under `not` and `oneOf`."""

    def build(value: Any, _s: Any, _f: Any) -> Check:
        if not _is_number(value):
            raise Unsupported("bound")

        def check(x: Any) -> bool:  # _is_number written out: 40,000 calls on 10k notes
            return isinstance(x, bool) or not isinstance(x, int | float) or not out(x, value)

        return check

    return build


def _length(op: Callable[[int, int], bool], kind: type[Sized]) -> Callable[[Any, Any, Any], Check]:
    def build(value: Any, _s: Any, _f: Any) -> Check:
        def check(x: Any) -> bool:
            return not isinstance(x, kind) or op(len(x), value)

        return check

    return build


def _pattern(value: Any, _s: Any, _f: Any) -> Check:
    search = schema_regex(value).search
    return lambda x: not isinstance(x, str) or search(x) is not None


def _format(value: Any, _s: Any, formats: Formats) -> Check:
    check = formats.get(value) if isinstance(value, str) else None
    if check is None:
        raise Unsupported(f"format {value!r}")
    return check


def _required(value: Any, _s: Any, _f: Any) -> Check:
    names = tuple(value)

    def check(x: Any) -> bool:
        if isinstance(x, dict):
            for n in names:  # a plain loop: all() with a generator is twice as slow here
                if n not in x:
                    return False
        return True

    return check


def _items(value: Any, schema: Any, formats: Any) -> Check:
    if "prefixItems" in schema:
        raise Unsupported("prefixItems")
    each = _compile(value, formats)

    def check(x: Any) -> bool:
        if isinstance(x, list):
            for i in x:  # a plain loop: all() with a generator is twice as slow here
                if not each(i):
                    return False
        return True

    return check


def _unique(value: Any, _s: Any, _f: Any) -> Check:
    if not value:
        return _always

    def check(x: Any) -> bool:
        if not isinstance(x, list):
            return True
        if all(type(i) is str for i in x):  # tags, aliases: JSON equality of strings is plain equality
            return len(set(x)) == len(x)
        try:  # linear, not pairwise: `link` makes a hub note's `related` list thousands of items long
            return len({_json_key(i) for i in x}) == len(x)
        except TypeError:  # an object key that cannot be hashed
            return not any(json_equal(x[i], x[j]) for i in range(len(x)) for j in range(i + 1, len(x)))

    return check


def _all_of(value: Any, _s: Any, formats: Any) -> Check:
    return _all(tuple(_compile(v, formats) for v in value))


def _any_of(value: Any, _s: Any, formats: Any) -> Check:
    return _any(tuple(_compile(v, formats) for v in value))


def _one_of(value: Any, _s: Any, formats: Any) -> Check:
    subs = [_compile(v, formats) for v in value]
    return lambda x: sum(1 for c in subs if c(x)) == 1


def _not(value: Any, _s: Any, formats: Any) -> Check:
    sub = _compile(value, formats)
    return lambda x: not sub(x)


def _object_properties(schema: Mapping[str, Any], formats: Any) -> Check:
    props = {k: _compile(v, formats) for k, v in schema.get("properties", {}).items()}
    patterns = [
        (schema_regex(p).search, _compile(v, formats)) for p, v in schema.get("patternProperties", {}).items()
    ]
    extra_schema = schema.get("additionalProperties", True)
    extra = _compile(extra_schema, formats)
    if not patterns and extra is _always:  # the usual: named properties, any other allowed
        return _named_properties(props)

    def check(x: Any) -> bool:
        if not isinstance(x, dict):
            return True
        for key, value in x.items():
            known = key in props
            if known and not props[key](value):
                return False
            matched = False
            for search, sub in patterns:
                if search(key):
                    matched = True
                    if not sub(value):
                        return False
            if not known and not matched and not extra(value):
                return False
        return True

    return check


def _named_properties(props: Mapping[str, Check]) -> Check:
    """`_object_properties` for a schema of `properties` alone: each key it names is checked, others pass."""
    find = props.get

    def check(x: Any) -> bool:
        if not isinstance(x, dict):
            return True
        for key, value in x.items():
            sub = find(key)
            if sub is not None and not sub(value):
                return False
        return True

    return check


_HANDLED_BY_PARENT = frozenset({"properties", "additionalProperties", "patternProperties"})
_BUILDERS: dict[str, Callable[[Any, Any, Any], Check]] = {
    "type": _type,
    "enum": _enum,
    "const": _const,
    "minimum": _numeric(operator.lt),
    "maximum": _numeric(operator.gt),
    "exclusiveMinimum": _numeric(operator.le),
    "exclusiveMaximum": _numeric(operator.ge),
    "minLength": _length(operator.ge, str),
    "maxLength": _length(operator.le, str),
    "minItems": _length(operator.ge, list),
    "maxItems": _length(operator.le, list),
    "minProperties": _length(operator.ge, dict),
    "maxProperties": _length(operator.le, dict),
    "pattern": _pattern,
    "format": _format,
    "required": _required,
    "items": _items,
    "uniqueItems": _unique,
    "allOf": _all_of,
    "anyOf": _any_of,
    "oneOf": _one_of,
    "not": _not,
}
