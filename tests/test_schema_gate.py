"""The schema gate may only save time: wherever it compiles, it must agree with jsonschema exactly."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from vaultkit.schema_gate import compile_gate, json_equal
from vaultkit.schemas import (
    GATE_FORMATS,
    SchemaSet,
    _false_as_never,
    bundled_schema_dir,
    ecma_validator_class,
    format_checker,
)

CHECKER = format_checker()
BUNDLED = SchemaSet(bundled_schema_dir())
BUNDLED.ensure_valid()

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 14),
    st.floats(-2, 12, allow_nan=False),
    st.sampled_from(
        [
            "raw",
            "wiki",
            "entity",
            "strong",
            "notable",
            "2026-05-07",
            "2026-13-40",
            "https://example.com/x",
            "not a uri",
            "[[ResRL]]",
            "#ai",
            "ai",
            "2026",
            "paper",
            "lab",
            "a" * 64,
            "0" * 64,
            "",
            "  ",
            "VK120",
            "x y",
        ]
    ),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4), max_leaves=8)
keys = st.sampled_from(
    [
        "title",
        "source",
        "source_url",
        "tags",
        "type",
        "created",
        "updated",
        "sha256",
        "review_value",
        "review_confidence",
        "review_recommendation",
        "review_stars",
        "tier",
        "kind",
        "aliases",
        "related",
        "vaultkit_link",
        "vaultkit_disable",
        "url",
        "sources",
        "extra",
    ]
)
frontmatters = st.dictionaries(keys, values, max_size=14)


def _valid(schema: Any, instance: Any) -> bool:
    return not any(True for _ in Draft202012Validator(schema, format_checker=CHECKER).iter_errors(instance))


@pytest.mark.parametrize(
    "name", ["raw.schema.json", "wiki.schema.json", "entity.schema.json", "default.schema.json"]
)
def test_bundled_schemas_get_a_gate(name: str) -> None:
    assert BUNDLED._gate(name) is not None


@settings(max_examples=400, derandomize=True, deadline=None)
@given(frontmatters)
def test_gate_agrees_with_jsonschema_on_the_bundled_schemas(data: dict[str, Any]) -> None:
    for name in ("raw.schema.json", "wiki.schema.json", "entity.schema.json", "default.schema.json"):
        gate = BUNDLED._gate(name)
        assert gate is not None
        expected = not list(BUNDLED.validator(name).iter_errors(data))
        assert gate(data) == expected, (name, data)


KEYWORD_SCHEMAS = [
    {"type": "integer", "minimum": 0, "maximum": 10},
    {"type": ["string", "null"], "minLength": 2, "maxLength": 5},
    {"enum": [1, "a", True, None]},
    {"const": 1},
    {"type": "array", "items": {"type": "string", "pattern": "^a"}, "minItems": 1, "uniqueItems": True},
    {
        "type": "object",
        "required": ["a"],
        "properties": {"a": {"type": "number"}},
        "additionalProperties": False,
    },
    {"patternProperties": {"^x": {"type": "integer"}}, "additionalProperties": {"type": "string"}},
    {"anyOf": [{"type": "string"}, {"type": "integer", "exclusiveMinimum": 3}]},
    {"oneOf": [{"type": "number"}, {"type": "integer"}]},
    {"not": {"type": "boolean"}},
    {"allOf": [{"type": "string"}, {"format": "date"}]},
    {"format": "date"},
    {"format": "uri"},
    {"format": "date-time"},
    {"uniqueItems": True},  # lists of strings take a shortcut; lists of anything else do not
    {"type": ["integer", "string"]},
    {"const": "raw"},  # a string const takes a shortcut
    {"properties": {"a": {"type": "string", "minLength": 2, "pattern": "a"}, "b": {"minimum": 1}}},
    {"exclusiveMaximum": 1, "maxLength": 1, "minProperties": 1, "maxProperties": 1, "maxItems": 1},
]


# Strings near the edges of the formats the gate checks itself, where it must reject all jsonschema rejects.
format_strings = st.one_of(
    st.sampled_from(
        [
            "2026-02-29",
            "2024-02-29",
            "2026-1-05",
            "2026-01-05\n",
            "２０２６-01-05",
            "2026-01-05T10:00",
            "2026-01-05 10:00:00+02:00",
            "2026-01-05T25:00",
            "20260105T1000",
            "mailto:a@b",
            "https:x",
            "https://",
            "urn:isbn:1",
            "a b:c",
            "C:\\path",
            "https://[::1]/x",
            "https://[::1/x",
            "HTTPS://a.b?c",
            "https://exämple.com/",
        ]
    ),
    st.from_regex(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?)?", fullmatch=True),
    st.text(alphabet="htps:/.xa-19 T", max_size=12),
)


@pytest.mark.parametrize("schema", KEYWORD_SCHEMAS, ids=[str(i) for i in range(len(KEYWORD_SCHEMAS))])
@settings(max_examples=150, derandomize=True, deadline=None)
@given(
    value=st.one_of(
        values, format_strings, st.dictionaries(st.sampled_from(["a", "b", "x1", "xx"]), values, max_size=3)
    )
)
def test_gate_agrees_keyword_by_keyword(schema: dict[str, Any], value: Any) -> None:
    gate = compile_gate(schema, GATE_FORMATS)
    assert gate is not None
    assert gate(value) == _valid(schema, value), (schema, value)


@pytest.mark.parametrize(
    "schema",
    [
        {"prefixItems": [{"type": "string"}]},
        {"$ref": "#/$defs/x"},
        {"dependentRequired": {"a": ["b"]}},
        {"multipleOf": 2},
        {"if": {"type": "string"}, "then": {"minLength": 1}},
        {"type": "string", "format": "email"},  # a format the gate does not check itself
    ],
)
def test_unknown_keywords_get_no_gate(schema: dict[str, Any]) -> None:
    assert compile_gate(schema, GATE_FORMATS) is None


def test_json_equality_is_not_python_equality() -> None:
    assert not json_equal(True, 1)
    assert json_equal(1, 1.0)
    assert not json_equal([1, True], [1, 1])
    assert json_equal({"a": [1]}, {"a": [1.0]})


def test_a_run_whose_notes_pass_the_gate_never_imports_jsonschema(tmp_path: Any) -> None:
    """The point of compiling gates from the schemas: the pre-commit hook on a valid note skips jsonschema."""
    import subprocess
    import sys

    script = (
        "import sys; from vaultkit.schemas import SchemaSet, bundled_schema_dir\n"
        "s = SchemaSet(bundled_schema_dir()); s.trust(s.fingerprint)\n"
        "note = {'type': 'entity', 'title': 'Meituan', 'kind': 'lab', 'aliases': ['美团']}\n"
        "assert not list(s.errors('entity.schema.json', note))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jsonschema', 'referencing')))\n"
        "assert list(s.errors('entity.schema.json', {'type': 'entity'}))  # invalid: jsonschema says why\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    "items",
    [
        [1, 1.0],
        [True, 1],
        [0, False],
        [None, None],
        [[1], [1.0]],
        [[1], [True]],
        [{"a": 1}, {"a": 1.0}],
        [{"a": [1]}, {"a": [True]}],
        [{"a": 1}, {"b": 1}],
        ["[[A]]", "[[B]]", "[[A]]"],
        [1.5, 1.5, "1.5"],
        [2**60, float(2**60)],
        [2**60 + 1, float(2**60)],
    ],
)
def test_unique_items_follows_json_equality(items: list[Any]) -> None:
    """1 and 1.0 are the same JSON value, true and 1 are not; nested lists and objects compare deeply."""
    schema = {"uniqueItems": True}
    gate = compile_gate(schema, GATE_FORMATS)
    assert gate is not None
    assert gate(items) == _valid(schema, items), items


def test_unique_items_of_a_long_list_is_not_pairwise(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hub note's `related` list holds an item for every note that links to it (`link` writes them): a
    pairwise comparison of 20,000 items took minutes."""
    from vaultkit import schema_gate

    calls: list[int] = []
    real = schema_gate.json_equal

    def counted(a: Any, b: Any) -> bool:
        calls.append(1)
        return real(a, b)

    monkeypatch.setattr(schema_gate, "json_equal", counted)
    gate = compile_gate({"type": "array", "uniqueItems": True}, GATE_FORMATS)
    assert gate is not None
    assert gate([f"[[Note {n}]]" for n in range(3000)])
    assert gate([{"n": n} for n in range(3000)] + [7])
    assert not gate([{"n": n} for n in range(3000)] + [{"n": 5.0}])
    assert len(calls) < 3000


# -- boolean schemas: `true` accepts everything, `false` nothing, at the top or as any subschema -------------

_LEAVES = [True, False, {}, {"type": "integer"}, {"type": "string"}, {"type": "object"}, {"minItems": 1}]


def _boolean_rich(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    names = st.sampled_from(["a", "b", "x1"])
    return st.one_of(
        inner.map(lambda s: {"not": s}),
        inner.map(lambda s: {"items": s}),
        inner.map(lambda s: {"additionalProperties": s}),
        st.dictionaries(names, inner, max_size=2).map(lambda d: {"properties": d}),
        st.tuples(st.dictionaries(names, inner, max_size=2), inner).map(
            lambda t: {"properties": t[0], "additionalProperties": t[1]}
        ),
        st.dictionaries(st.sampled_from(["^a", "^x", "1$"]), inner, max_size=2).map(
            lambda d: {"patternProperties": d}
        ),
        *(
            st.lists(inner, min_size=1, max_size=3).map(lambda subs, k=k: {k: subs})
            for k in ("allOf", "anyOf", "oneOf")
        ),
    )


boolean_schemas = st.recursive(st.sampled_from(_LEAVES), _boolean_rich, max_leaves=6)
instances = st.one_of(
    values, st.dictionaries(st.sampled_from(["a", "b", "x1", "xx"]), values, max_size=3), st.lists(values)
)


@pytest.mark.parametrize("schema", [True, False])
@settings(max_examples=50, derandomize=True, deadline=None)
@given(value=instances)
def test_gate_agrees_with_jsonschema_on_a_boolean_schema(schema: bool, value: Any) -> None:
    gate = compile_gate(schema, GATE_FORMATS)
    assert gate is not None
    assert gate(value) is schema is _valid(schema, value)


@settings(max_examples=600, derandomize=True, deadline=None)
@given(schema=boolean_schemas, value=instances)
def test_gate_agrees_with_jsonschema_on_boolean_subschemas(schema: Any, value: Any) -> None:
    gate = compile_gate(schema, GATE_FORMATS)
    assert gate is not None
    assert gate(value) == _valid(schema, value), (schema, value)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(schema=boolean_schemas, value=instances)
def test_false_spelled_as_never_accepts_what_false_accepts(schema: Any, value: Any) -> None:
    """SchemaSet gives jsonschema each `false` subschema as `{"not": {}}`, for errors with a path."""
    assert _valid(_false_as_never(schema), value) == _valid(schema, value), (schema, value)


@pytest.mark.parametrize(
    ("schema", "value", "valid"),
    [
        ({"type": "string", "pattern": "^\\d{4}$"}, "١٢٣٤", False),
        ({"type": "string", "pattern": "^[a-z]+$"}, "abc\n", False),
        ({"type": "string", "pattern": "^\\p{L}+$"}, "Ωmega", True),
        ({"type": "string", "pattern": "^\\P{L}+$"}, "Ωmega", False),
        ({"patternProperties": {"^\\w+$": {"type": "integer"}}}, {"é": "x"}, True),
        ({"patternProperties": {"^\\p{Ll}+$": {"type": "integer"}}}, {"é": "x"}, False),
    ],
)
def test_gate_reads_patterns_as_ecma_262_like_the_validator(schema: Any, value: Any, valid: bool) -> None:
    """The gate compiled patterns with Python's `re` (`\\p{L}`: no gate; `\\d` took any digit): it must
    read them as the validator does, ECMA-262 with the u flag."""
    gate = compile_gate(schema, GATE_FORMATS)
    assert gate is not None and gate(value) is valid
    assert list(ecma_validator_class()(schema, format_checker=CHECKER).iter_errors(value)) is not valid


@pytest.mark.parametrize("keyword", ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), 10**400, 0, -0.0, 1.0, True])
@pytest.mark.parametrize("wrap", ["plain", "not", "oneOf"])
def test_numeric_bounds_are_jsonschemas_comparisons_also_for_nan(keyword: str, value: Any, wrap: str) -> None:
    """jsonschema refuses a number only where `x < minimum` (`x > maximum`, ...) holds: NaN, which YAML's
    `.nan` gives, passes every bound. The gate took NaN for out of bounds, harmless alone (jsonschema
    decides a note the gate refuses) but inverted under `not` or `oneOf`: `score: .nan` passed
    `"not": {"maximum": 0}`, which jsonschema refuses, and the note got no VK010."""
    bound: dict[str, Any] = {keyword: 0}
    schema: dict[str, Any] = {
        "plain": bound,
        "not": {"type": "number", "not": bound},
        "oneOf": {"oneOf": [bound, {"type": "string"}]},
    }[wrap]
    gate = compile_gate(schema, GATE_FORMATS)
    assert gate is not None
    assert gate(value) == _valid(schema, value), (schema, value)
