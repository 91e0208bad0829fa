"""Which schema a note gets, what the messages say, and the schema folder's own errors (exit 2, no
network)."""

from __future__ import annotations

import json
import re
import socket
import sys
import unicodedata
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import Result, VaultFactory, run_cli

from vaultkit.errors import FatalError
from vaultkit.schemas import GATE_FORMATS, SchemaSet, backtracking_risk, bundled_schema_dir, json_offset

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def schema(**body: Any) -> str:
    return json.dumps({"$schema": DRAFT, **body})


def requires(key: str) -> str:
    return schema(type="object", required=[key])


Run = Callable[..., Result]


@pytest.fixture
def run(make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch) -> Run:
    """run(files, toml=...) -> `vaultkit check --no-cache .` in a vault whose schemas live in `schemas/`."""

    def go(files: Mapping[str, str | bytes], toml: str = "", *args: str) -> Result:
        root = make_vault({"vaultkit.toml": 'schema_dir = "schemas"\n' + toml, **files})
        monkeypatch.chdir(root)
        return run_cli("check", "--no-cache", *args, ".")

    return go


def lines(result: Result) -> list[str]:
    assert result.exit_code in (0, 1), result.output
    return result.stdout.splitlines()[:-1]


BASE = {
    "schemas/default.schema.json": requires("default_key"),
    "schemas/person.schema.json": requires("person_key"),
    "schemas/deep.schema.json": requires("deep_key"),
    "schemas/sub/special.schema.json": requires("special_key"),
}


# -- selection: $schema, then type, then schema_map, then the default ------------------------------------


@pytest.mark.parametrize(
    ("rel", "ref"),
    [
        ("N.md", "sub/special.schema.json"),  # relative to the schema folder
        ("Notes/Deep/N.md", "sub/special.schema.json"),
        ("Notes/Deep/N.md", "../../schemas/sub/special.schema.json"),  # relative to the note
        ("N.md", "schemas/sub/special.schema.json"),
        ("Notes/N.md", "./../schemas/sub/./special.schema.json"),
    ],
)
def test_dollar_schema_relative_to_the_note_or_the_schema_folder(run: Run, rel: str, ref: str) -> None:
    note = f"---\n$schema: {ref}\ntype: person\n---\n"
    assert lines(run({**BASE, rel: note})) == [f"{rel}:1:1: VK010 missing required property 'special_key'"]


def test_dollar_schema_that_names_nothing_is_vk011(run: Run) -> None:
    assert lines(
        run(
            {
                **BASE,
                "Notes/N.md": "---\n$schema: local.schema.json\n---\n",
                "Notes/local.schema.json": requires("x"),
            }
        )
    ) == [
        "Notes/N.md:2:10: VK011 $schema: 'local.schema.json' is not a schema in the schema folder 'schemas' "
        "(give a path relative to the note or to that folder)"
    ]


@pytest.mark.parametrize("ref", ["person.schema.json/", "person.schema.json/.", "person.schema.json/./"])
def test_dollar_schema_of_a_folders_path_names_no_schema(run: Run, ref: str) -> None:
    """`$schema: person.schema.json/` is a folder's path: it named `person.schema.json`, as normpath drops
    the slash (review37). So is `person.schema.json/.`, which normpath made `person.schema.json` too (and
    a URI reference resolves to `person.schema.json/`; the file system refuses it, ENOTDIR) (review38)."""
    found = lines(run({**BASE, "N.md": f"---\n$schema: {ref}\n---\n"}))
    assert found == [
        f"N.md:2:10: VK011 $schema: '{ref}' is not a schema in the schema folder 'schemas' "
        "(give a path relative to the note or to that folder)"
    ]


@pytest.mark.parametrize(
    ("url", "said"),
    [
        (
            "https://example.org/person",
            "; that is the $id of 'person.schema.json': write $schema: person.schema.json",
        ),
        ("https://example.org/other", " (give a path relative to the note or to the schema folder)"),
    ],
)
def test_dollar_schema_that_is_a_url_says_vaultkit_fetches_none(run: Run, url: str, said: str) -> None:
    """`$schema: https://…` in a note (a schema's `$id`, copied): it said only "not a schema", and to give a
    path, as if the URL were a path mistyped; a URL that is a schema's `$id` names that schema's file."""
    person = json.dumps({"$id": "https://example.org/person", **json.loads(requires("person_key"))})
    result = run({**BASE, "schemas/person.schema.json": person, "N.md": f"---\n$schema: {url}\n---\n"})
    assert lines(result) == [
        f"N.md:2:10: VK011 $schema: '{url}' is not a schema in the schema folder 'schemas': vaultkit never "
        f"fetches a schema by URL{said}"
    ]


def test_type_selects_type_schema(run: Run) -> None:
    assert lines(
        run(
            {**BASE, "Notes/Deep/N.md": "---\ntype: person\n---\n"},
            '[schema_map]\n"Notes/**" = "deep.schema.json"\n',
        )
    ) == ["Notes/Deep/N.md:1:1: VK010 missing required property 'person_key'"]


def test_type_without_a_schema_is_vk011_and_the_default_still_applies(run: Run) -> None:
    assert lines(run({**BASE, "N.md": "---\ntype: persn\n---\n"})) == [
        "N.md:1:1: VK010 missing required property 'default_key'",
        "N.md:2:7: VK011 type: no schema 'persn.schema.json' in the schema folder 'schemas'; "
        "did you mean 'person'?",
    ]


@pytest.mark.parametrize("value", ["PERSON", "person.schema.json", "Person.schema.json"])
def test_a_type_in_other_capitals_or_with_the_schemas_suffix_names_the_type_meant(
    run: Run, value: str
) -> None:
    """Regression (unseen38): `type: PERSON` got the list of types, not `did you mean 'person'?` (difflib
    finds no letter of `PERSON` in `person`, though it finds `Person` close), nor did `type:
    person.schema.json`, the schema's file name, where the type is its name without the suffix."""
    assert lines(run({**BASE, "N.md": f"---\ntype: {value}\n---\n"})) == [
        "N.md:1:1: VK010 missing required property 'default_key'",
        f"N.md:2:7: VK011 type: no schema '{value}.schema.json' in the schema folder 'schemas'; "
        "did you mean 'person'?",
    ]


def test_a_key_in_other_capitals_the_schema_refuses_names_the_key_meant(run: Run) -> None:
    """Regression (unseen38): `TITLE:`, refused by `additionalProperties: false`, got no `did you mean
    'title'?`, which `Title:` got: difflib finds no letter of `TITLE` in `title`."""
    content = schema(type="object", properties={"title": {"type": "string"}}, additionalProperties=False)
    assert lines(run({"schemas/default.schema.json": content, "N.md": "---\nTITLE: x\n---\n"})) == [
        "N.md:2:1: VK010 TITLE: not a property the schema allows (additionalProperties is false); "
        "did you mean 'title'?",
    ]


@pytest.mark.parametrize(
    ("defs", "a_type"),
    [
        ({"$defs": {"date": {"type": "string"}}}, False),
        ({"$schema": DRAFT, "title": "Shared", "definitions": {"date": {"type": "string"}}}, False),
        ({"$defs": {"date": {"type": "string"}}, "required": ["defs_key"]}, True),
        ({"title": "Anything goes"}, True),  # no definitions: a type that allows every note, as meant
    ],
)
def test_a_type_naming_a_file_of_definitions_only_is_vk011(
    run: Run, defs: dict[str, Any], a_type: bool
) -> None:
    """Regression: `type: defs` selected `defs.schema.json`, whose `$defs` are for other schemas' `$ref` and
    which checks nothing: the note passed every check, default schema's included, without a word (and the
    VK011 of another type already left that file out of the types it lists)."""
    files = {**BASE, "schemas/defs.schema.json": json.dumps(defs), "N.md": "---\ntype: defs\n---\n"}
    found = lines(run(files))
    if a_type:
        assert found == (
            ["N.md:1:1: VK010 missing required property 'defs_key'"] if "required" in defs else []
        )
        return
    assert found == [
        "N.md:1:1: VK010 missing required property 'default_key'",
        "N.md:2:7: VK011 type: 'defs.schema.json' in the schema folder 'schemas' holds only definitions for "
        "other schemas' $ref: it is no note type (types with a schema: deep, person)",
    ]


SPELLED = "the type property is spelled 'type', its case as in the schemas"


@pytest.mark.parametrize(
    ("front", "found"),
    [
        ("Type: person", [f"2:1: VK011 Type: {SPELLED}: 'Type' picks no schema; write 'type: person'"]),
        ("TYPE: [person]", [f"2:1: VK011 TYPE: {SPELLED}: 'TYPE' picks no schema; write 'type'"]),
        ("Type: person\ntype: deep", ["1:1: VK010 missing required property 'deep_key'"]),
        ("Type: person\n$schema: person.schema.json", ["1:1: VK010 missing required property 'person_key'"]),
    ],
)
def test_the_type_property_in_other_capitals_is_said(run: Run, front: str, found: list[str]) -> None:
    """Obsidian shows `Type:` as the `type` property, but the schemas match property names exactly (a
    `required: [type]` is not met by `Type`), so vaultkit's type property is matched exactly too, and the
    difference is said. Regression: `Type: person` picked no schema, and the note was held to the default
    one without a word. A note that also has `type`, or a `$schema`, is not told."""
    default = (
        []
        if "type:" in front or "$schema" in front
        else ["1:1: VK010 missing required property 'default_key'"]
    )
    expected = [f"N.md:{line}" for line in (*default, *found)]
    assert lines(run({**BASE, "N.md": f"---\n{front}\n---\n"})) == expected


def test_the_type_property_in_other_capitals_is_said_of_a_bundled_type_only(make_vault: VaultFactory) -> None:
    """With the bundled schemas, `Type: wiki` names their wiki type and is told; `Type: Book`, a vault's own
    property in its own words, is not told at each note (as it was not before)."""
    root = make_vault({"A.md": "---\nType: wiki\n---\nx\n", "B.md": "---\nType: Book\n---\nx\n"})
    out = run_cli("check", "--no-cache", "--select", "VK011", root).stdout
    assert f"A.md:2:1: VK011 Type: {SPELLED}: 'Type' picks no schema; write 'type: wiki'" in out, out
    assert "B.md" not in out, out


def test_type_without_a_schema_falls_back_to_the_folders_schema(run: Run) -> None:
    """A `type` that names no schema is VK011, and the note is held to the schema its folder's schema_map
    glob chooses, before the default: a journal in `Notes/Deep/` with `type: journal` was checked against
    the default schema only, and its folder's required properties went unchecked."""
    files = {**BASE, "Notes/Deep/N.md": "---\ntype: journal\n---\n"}
    assert lines(run(files, '[schema_map]\n"Notes/**" = "deep.schema.json"\n')) == [
        "Notes/Deep/N.md:1:1: VK010 missing required property 'deep_key'",
        "Notes/Deep/N.md:2:7: VK011 type: no schema 'journal.schema.json' in the schema folder 'schemas' "
        "(types with a schema: deep, person)",
    ]


def test_a_type_the_bundled_schemas_lack_says_how_to_keep_them_out(make_vault: VaultFactory) -> None:
    """Regression (unseen38): a vault whose notes use `type` for themselves (`type: book`) got VK011 on each
    such note from the bundled schemas, and nothing said how to stop it. Where no bundled type is close
    (a typo), the message says which property to name instead; a vault's own schema folder is not told so."""
    root = make_vault({"A.md": "---\ntype: book\n---\nx\n", "B.md": "---\ntype: entiy\n---\nx\n"})
    out = run_cli("check", "--no-cache", root).stdout
    assert (
        "A.md:2:7: VK011 type: no schema 'book.schema.json' in the bundled schemas (types with a schema: entity, "
        "raw, wiki); if 'type' means something else in this vault, let another property pick the schemas: "
        'type_property = "schema_type" in vaultkit.toml\n'
    ) in out
    assert (
        "B.md:2:7: VK011 type: no schema 'entiy.schema.json' in the bundled schemas; did you mean 'entity'?\n"
        in out
    )


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("[person]", "[\"person\"] is not text, so it names no schema; write 'type: person'"),
        ("[person, deep]", '["person", "deep"] is not text, so it names no schema; a type is one word '),
        ("5", "5 is not text, so it names no schema; a type is one word "),
    ],
)
def test_a_type_that_is_no_text_is_vk011(run: Run, value: str, said: str) -> None:
    """Regression: `type: [wiki]` (a template, or Obsidian's property editor with `type` as a list) named no
    schema, and the note was held to the default schema without a word: a wiki note missing its tier
    passed. It is VK011, saying what to write, and the default still applies (as for a type of no schema)."""
    found = lines(run({**BASE, "N.md": f"---\ntype: {value}\n---\n"}))
    listed = "(types with a schema: deep, person)" if "one word" in said else ""
    assert found == [
        "N.md:1:1: VK010 missing required property 'default_key'",
        f"N.md:2:7: VK011 type: {said}{listed}",
    ]


def test_type_property_is_configurable(run: Run) -> None:
    note = "---\nkind: person\ntype: ignored\n---\n"
    assert lines(run({**BASE, "N.md": note}, 'type_property = "kind"\n')) == [
        "N.md:1:1: VK010 missing required property 'person_key'"
    ]


@pytest.mark.parametrize(
    ("rel", "expected"),
    [("Notes/Deep/N.md", "deep_key"), ("Notes/Deep/More/N.md", "deep_key"), ("Notes/N.md", "default_key")],
)
def test_schema_map_globs(run: Run, rel: str, expected: str) -> None:
    toml = '[schema_map]\n"Notes/Deep/**" = "deep.schema.json"\n'
    assert lines(run({**BASE, rel: "---\nx: 1\n---\n"}, toml)) == [
        f"{rel}:1:1: VK010 missing required property '{expected}'"
    ]


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_schema_map_globs_compare_names_in_nfc(run: Run, form: str) -> None:
    """A pattern and a folder name that read alike match, in whichever form each is written (macOS wrote
    NFD names), as the exclude globs and Obsidian's filters do."""
    folder = unicodedata.normalize(form, "Café")
    toml = f'[schema_map]\n"{unicodedata.normalize("NFD" if form == "NFC" else "NFC", "Café")}/**" = "deep.schema.json"\n'
    assert lines(run({**BASE, f"{folder}/N.md": "---\nx: 1\n---\n"}, toml))[0].endswith(
        "VK010 missing required property 'deep_key'"
    )


def test_schema_map_naming_a_missing_schema_is_a_config_error(run: Run) -> None:
    result = run({**BASE, "N.md": "---\nx: 1\n---\n"}, '[schema_map]\n"**" = "gone.schema.json"\n')
    assert result.exit_code == 2 and "gone.schema.json" in result.stderr


def test_default_schema_applies_without_frontmatter(run: Run) -> None:
    assert lines(run({**BASE, "N.md": "No frontmatter at all.\n"})) == [
        "N.md:1:1: VK010 missing required property 'default_key'"
    ]


def test_bundled_schemas_without_config(make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_vault({"N.md": "---\ntype: entity\nkind: lab\nurl: not a url\n---\n"})
    monkeypatch.chdir(root)
    assert run_cli("check", "--no-cache", ".").stdout.splitlines()[:-1] == [
        'N.md:4:6: VK010 url: "not a url" is not a valid uri'
    ]


@pytest.mark.parametrize(
    ("value", "meant"),
    [
        ('"Strong"', '; did you mean "strong"?'),
        ('"STRONG"', '; did you mean "strong"?'),
        ('"strng"', '; did you mean "strong"?'),
        ('"weakest"', ""),
        ("5", ""),
    ],
)
def test_a_value_an_enum_holds_with_other_capitals_or_a_typo_is_named(
    run: Run, value: str, meant: str
) -> None:
    """Regression (a raw note whose review said `review_recommendation: Strong`): VK010 listed the allowed
    values, `"strong"` among them, and the user had to spot that only a capital differed. A value close to
    one allowed is named; one close to none (`weakest`), or no text, is not given a guess."""
    assert check_note(run, "title: a", "review_value: 1", f"recommendation: {value}") == [
        f'N.md:4:17: VK010 recommendation: {value} is not one of "weak", "strong"{meant}'
    ]


def test_a_date_described_beside_its_ref_is_still_said_as_a_date(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bundled raw schema describes `ingested` beside its `$ref` to the date definition. Regression: that
    description replaced the definition's in the message, `ingested: "2026-5-16" is not a valid date: Day
    the source was fetched.`, which never says what a date looks like; `created` said it."""
    fm = "title: t\nsource: web\nsource_url: https://example.com\ntype: raw\nsha256: {}\n".format("a" * 64)
    root = make_vault({"N.md": f"---\n{fm}created: 2026-5-16\ningested: 2026-5-16\n---\n"})
    monkeypatch.chdir(root)
    shown = [line for line in run_cli("check", "--no-cache", ".").stdout.splitlines() if "VK010" in line]
    date = "is not a valid date: A calendar date as Obsidian writes it: YYYY-MM-DD."
    assert shown == [
        f'N.md:7:10: VK010 created: "2026-5-16" {date}',
        f'N.md:8:11: VK010 ingested: "2026-5-16" {date}',
    ]


def test_the_default_schema_takes_created_and_updated_left_empty(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Obsidian's property editor leaves a date property it added empty (`created:`), as templates and
    real vaults keep them. Regression: a note of no other type got two VK010 errors (`null (empty) is not a
    string`) from the bundled default schema. A date that is wrong is still reported, and the property is
    still a date for Obsidian (no VK023 against a types.json that says so)."""
    root = make_vault({"N.md": "---\ntitle:\ncreated:\nupdated: \ntags:\n---\nx\n"})
    (root / ".obsidian" / "types.json").write_text('{"types": {"created": "date", "updated": "date"}}')
    monkeypatch.chdir(root)
    result = run_cli("check", "--no-cache", ".")
    assert result.exit_code == 0, result.output
    (root / "N.md").write_text("---\ncreated: 2024-13-01\n---\nx\n")
    assert run_cli("check", "--no-cache", ".").stdout.splitlines()[:-1] == [
        'N.md:2:10: VK010 created: "2024-13-01" is not a valid date'
    ]


@pytest.mark.parametrize(
    "value",
    ["2023-05-18T17:43", "2023-05-18T17:43:25", "2023-05-18 17:43", "2023-05-18 17:43:25", "2023-05-18"],
)
def test_the_default_schema_takes_a_date_and_time_as_templates_write_it(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """A note of no type gets created and updated from any template: Obsidian's own date and time
    (`2023-05-18T17:43`), and Templater's and the core Templates plugin's default (`2023-05-18 17:43`).
    Regression: each was a VK010 error ('is not a valid date') on every note of such a vault. A wrong one is
    still reported; the typed schemas keep a plain date; the property stays a date for Obsidian (VK023)."""
    root = make_vault({"N.md": f"---\ncreated: {value}\nupdated: {value}\n---\nx\n"})
    (root / ".obsidian" / "types.json").write_text('{"types": {"created": "date", "updated": "date"}}')
    monkeypatch.chdir(root)
    result = run_cli("check", "--no-cache", ".")
    assert result.exit_code == 0, result.output
    (root / "N.md").write_text(f"---\ncreated: {value}9\n---\nx\n")
    assert run_cli("check", "--no-cache", ".").stdout.splitlines()[:-1] == [
        f'N.md:2:10: VK010 created: "{value}9" is not a valid date'
    ]


def test_the_default_schema_takes_created_and_updated_as_links_to_daily_notes(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many vaults link a note to the daily note of the day it was made (`created: "[[2024-03-13]]"`, as a
    Templater template writes `"[[<% tp.date.now() %>]]"`): Obsidian shows the link, and counts it in the
    graph and backlinks. Regression: every such note of no type was a VK010 error ('is not a valid date')
    from the bundled default schema. The link is checked as any link in a property is (VK101 where no note
    has that name), and a value that is neither a date nor a link is still reported."""
    files = {
        "Journal/2024-03-13.md": "x\n",
        "Journal/2024-03-14.md": "x\n",
        "N.md": '---\ncreated: "[[2024-03-13]]"\nupdated: "[[2024-03-14|Thursday]]"\n---\nx\n',
        "vaultkit.toml": "[relations]\nenabled = false\n",
    }
    root = make_vault(files)
    monkeypatch.chdir(root)
    result = run_cli("check", "--no-cache", ".")
    assert result.exit_code == 0, result.output
    (root / "N.md").write_text('---\ncreated: "[[2024-03-15]]"\nupdated: "2024-03-15 Fri"\n---\nx\n')
    assert run_cli("check", "--no-cache", ".").stdout.splitlines()[:-1] == [
        "N.md:2:11: VK101 broken link: '2024-03-15' matches no note or file",
        'N.md:3:10: VK010 updated: "2024-03-15 Fri" is not a valid date',
    ]


@pytest.mark.parametrize(
    "value",
    [
        "2024-07-17T25:00",
        "2024-07-17T10:60",
        "2024-07-17T10:00:61",
        "2024-13-17T10:00",
        "2024-07-32T10:00",
        "2024-07-17T10:00+24:00",
        "2024-07-17 24:00",
        "2024-00-17 10:00",
    ],
)
def test_the_default_schema_refuses_a_time_no_clock_shows(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """Regression: a date and time was checked by its shape alone (`\\d{2}:\\d{2}`), so hour 25, minute
    60, month 13 or day 32 passed the bundled schema, where a date alone is checked as a date. The fields
    are held to their ranges (the date's days to 31: the month's own length is `format: date`'s, which a
    date and time Obsidian writes without an offset cannot take)."""
    root = make_vault({"N.md": f"---\ncreated: {value}\n---\nx\n"})
    monkeypatch.chdir(root)
    assert run_cli("check", "--no-cache", ".").stdout.splitlines()[:-1] == [
        f'N.md:2:10: VK010 created: "{value}" is not a valid date'
    ]


# -- $ref, formats, messages ------------------------------------------------------------------------------


DEFS = schema(
    **{
        "$defs": {
            "date": {"type": "string", "format": "date"},
            "score": {"type": "integer", "minimum": 0, "maximum": 10},
            "wikilink": {
                "title": "Wikilink",
                "description": "a quoted [[link]]",
                "type": "string",
                "pattern": "^\\[\\[.+\\]\\]$",
            },
        }
    }
)
NOTE_SCHEMA = schema(
    type="object",
    required=["title", "review_value"],
    properties={
        "title": {"type": "string"},
        "created": {"$ref": "defs.schema.json#/$defs/date"},
        "review_value": {"$ref": "defs.schema.json#/$defs/score"},
        "review_stars": {"$ref": "#/$defs/stars"},
        "url": {"type": "string", "format": "uri"},
        "when": {"type": "string", "format": "date-time"},
        "recommendation": {"enum": ["weak", "strong"]},
        "kind": {"const": "note"},
        "related": {
            "type": "array",
            "items": {"$ref": "defs.schema.json#/$defs/wikilink"},
            "uniqueItems": True,
        },
        "code": {"type": "string", "pattern": "^[A-Z]{3}$"},
    },
    **{"$defs": {"stars": {"type": "integer", "minimum": 0, "maximum": 5}}},
)


def check_note(run: Run, *fm_lines: str) -> list[str]:
    files = {
        "schemas/defs.schema.json": DEFS,
        "schemas/default.schema.json": NOTE_SCHEMA,
        "N.md": "---\n" + "".join(f"{x}\n" for x in fm_lines) + "---\nBody.\n",
    }
    return lines(run(files))


def test_ref_between_local_files_and_within_one(run: Run) -> None:
    assert check_note(run, "title: a", "review_value: 11", "review_stars: 6", "created: 2024-02-30") == [
        "N.md:3:15: VK010 review_value: 11 is greater than the maximum 10",
        "N.md:4:15: VK010 review_stars: 6 is greater than the maximum 5",
        'N.md:5:10: VK010 created: "2024-02-30" is not a valid date',
    ]


def test_ref_relative_to_a_schema_in_a_subfolder(run: Run) -> None:
    """A `$ref` is resolved against the schema it is written in, as JSON Schema says: `types/book` refers to
    `../defs/common`. The check of the schemas took it, then validation stopped with exit 2 ("cannot
    resolve $ref"). A bare file name from a subfolder still names a schema at the folder's root."""
    date = schema(type="string", format="date")
    files = {
        "schemas/defs/common.schema.json": json.dumps({"$defs": {"date": json.loads(date)}}),
        "schemas/root.schema.json": json.dumps({"$defs": {"status": {"enum": ["todo", "done"]}}}),
        "schemas/types/book.schema.json": schema(
            properties={
                "read_on": {"$ref": "../defs/common.schema.json#/$defs/date"},
                "status": {"$ref": "root.schema.json#/$defs/status"},
            }
        ),
        "Books/B.md": "---\nread_on: 2024-02-30\nstatus: doing\n---\n",
    }
    assert lines(run(files, '[schema_map]\n"Books/**" = "types/book.schema.json"\n')) == [
        'Books/B.md:2:10: VK010 read_on: "2024-02-30" is not a valid date',
        'Books/B.md:3:9: VK010 status: "doing" is not one of "todo", "done"',
    ]


@pytest.mark.parametrize("value", ["2024-01-05"])
def test_valid_date(run: Run, value: str) -> None:
    assert check_note(run, "title: a", "review_value: 1", f"created: {value}") == []


@pytest.mark.parametrize("value", ["20240105", "2024-1-5", "2024-13-01", "2024-01-05T10:00", "yesterday"])
def test_invalid_dates(run: Run, value: str) -> None:
    assert check_note(run, "title: a", "review_value: 1", f"created: '{value}'") == [
        f'N.md:4:10: VK010 created: "{value}" is not a valid date'
    ]


@pytest.mark.parametrize("value", ["https://example.com/a?b=c", "mailto:a@b.c", "urn:isbn:0451450523"])
def test_valid_uris(run: Run, value: str) -> None:
    assert check_note(run, "title: a", "review_value: 1", f"url: '{value}'") == []


@pytest.mark.parametrize(
    "value",
    [
        "not a url",
        "example.com/page",
        "https://",
        "http://exa mple.com",
        "https://[::1/x",  # urlsplit raises ValueError: a VK000 "please report it" before, not VK010
        "https://ex\u2100ample.com/",
    ],
)
def test_invalid_uris(run: Run, value: str) -> None:
    assert check_note(run, "title: a", "review_value: 1", f"url: '{value}'") == [
        f'N.md:4:6: VK010 url: "{value}" is not a valid uri'
    ]


# Where an http(s) URI is answered without urlsplit (`schemas._WEB_WITH_HOST`) and where it is left to it
URIS = [
    "https://example.com",
    "HTTP://Example.com/a",
    "https://a.b?q=1",
    "https://a.b#frag",
    "http://user:pw@host:80/x",
    "https:///path",
    "https://?q",
    "http:x",
    "https://[::1]/x",
    "https://[::1/x",
    "https://a]b/",
    "https://exämple.com/",
    "https://ex\u2100ample.com/",
    "https://example.com/é",
    "ftp://host/x",
    "file:///etc/passwd",
]


@pytest.mark.parametrize("value", URIS)
def test_uri_format_is_urlsplits_reading(value: str) -> None:
    """The format check's shortcut for a plain http(s) URI answers as urlsplit does (what urlsplit refuses
    with a ValueError is no valid uri)."""
    try:
        parts = urlsplit(value)
    except ValueError:
        assert GATE_FORMATS["uri"](value) is False
        return
    assert GATE_FORMATS["uri"](value) == (parts.scheme not in ("http", "https") or bool(parts.netloc))


@pytest.mark.parametrize(
    ("value", "valid"), [("2024-01-05T10:30:00", True), ("2024-01-05 10:30", True), ("2024-01-05", False)]
)
def test_date_time_format(run: Run, value: str, valid: bool) -> None:
    expected = [] if valid else [f'N.md:4:7: VK010 when: "{value}" is not a valid date-time']
    assert check_note(run, "title: a", "review_value: 1", f"when: {value}") == expected


def test_messages_a_person_understands(run: Run) -> None:
    assert check_note(
        run,
        "title: 5",
        "review_value: -1",
        "recommendation: stong",
        "kind: nte",
        'related: ["Other", "[[N]]", "[[N]]"]',
        "code: abcd",
    ) == [
        "N.md:2:8: VK010 title: 5 is not a string",
        "N.md:3:15: VK010 review_value: -1 is less than the minimum 0",
        'N.md:4:17: VK010 recommendation: "stong" is not one of "weak", "strong"; did you mean "strong"?',
        'N.md:5:7: VK010 kind: "nte" must be "note"',
        'N.md:6:11: VK010 related[0]: "Other" is not a valid wikilink: a quoted [[link]]',
        'N.md:6:29: VK010 related[2]: "[[N]]" repeats related[1] (uniqueItems)',
        'N.md:7:7: VK010 code: "abcd" does not match the pattern ^[A-Z]{3}$',
    ]


def test_missing_required_points_at_the_fence(run: Run) -> None:
    assert check_note(run, "created: 2024-01-05") == [
        "N.md:1:1: VK010 missing required property 'title', 'review_value'",
    ]


def test_nested_error_points_at_the_nested_value(run: Run) -> None:
    nested = schema(
        type="object", properties={"meta": {"type": "object", "properties": {"n": {"type": "integer"}}}}
    )
    assert lines(run({"schemas/default.schema.json": nested, "N.md": "---\nmeta:\n  n: x\n---\n"})) == [
        'N.md:3:6: VK010 meta.n: "x" is not an integer'
    ]


@pytest.mark.parametrize("closed", ["additionalProperties", "unevaluatedProperties"])
def test_a_closed_schema_does_not_refuse_the_schema_property_that_chose_it(run: Run, closed: str) -> None:
    """Regression: a note naming its schema (`$schema: closed.schema.json`, vaultkit's own way to choose
    one) got VK010 "$schema: not a property the schema allows" from a schema closed by
    additionalProperties or unevaluatedProperties false, unless the schema declared `$schema` itself. The
    selector is vaultkit's, not one of the note's properties: it is not refused (other keys still are)."""
    content = schema(type="object", properties={"title": {"type": "string"}}, **{closed: False})
    note = "---\n$schema: closed.schema.json\ntitle: x\nextra: 1\n---\n"
    files = {"schemas/closed.schema.json": content, "schemas/default.schema.json": schema(), "N.md": note}
    assert lines(run(files)) == [
        f"N.md:4:1: VK010 extra: not a property the schema allows ({closed} is false)",
    ]


@pytest.mark.parametrize("where", ["top", "anyOf", "oneOf"])
def test_property_names_refuses_a_key_at_its_key_but_not_the_schema_property(run: Run, where: str) -> None:
    """`propertyNames` refuses a name at its key, also from the branches of anyOf or oneOf (the last stop
    feared it was put at the value there: it was not). Regression: `$schema`, which chose the schema, was
    refused as a name ('$schema: the property name "$schema" does not match the pattern'), as a closed
    schema no longer refuses it (test above); and from a branch of anyOf, it hid the key refused beside it."""
    names = {"propertyNames": {"pattern": "^[a-z]+$"}}
    body = names if where == "top" else {where: [names, {"required": ["never"]}]}
    content = schema(type="object", **body)
    note = "---\n$schema: names.schema.json\ntitle: x\nBad_Key: [1]\n---\n"
    files = {"schemas/names.schema.json": content, "schemas/default.schema.json": schema(), "N.md": note}
    files["M.md"] = "---\n$schema: names.schema.json\ntitle: x\n---\n"  # refused for `$schema` alone: holds
    assert lines(run(files)) == [
        'N.md:4:1: VK010 Bad_Key: the property name "Bad_Key" does not match the pattern ^[a-z]+$',
    ]


def test_a_property_additional_properties_refuses_is_reported_at_its_key(run: Run) -> None:
    """`additionalProperties: false` was one message at line 1, column 1, whatever line the extra key was
    on, nested or not. Each extra key is reported at its key, with what to write instead: the property
    meant, or `unevaluatedProperties`, where the key is declared under allOf, which additionalProperties
    does not look into."""
    content = schema(
        type="object",
        allOf=[{"properties": {"review_due": {"type": "string"}}}],
        properties={
            "publish": {"type": "boolean"},
            "title": {"type": "string"},
            "meta": {"type": "object", "properties": {"n": {}}, "additionalProperties": False},
        },
        additionalProperties=False,
    )
    note = "---\ntitle: x\npubish: false\nreview_due: 2025-01-01\nmeta:\n  n: 1\n  zzz: 2\n---\n"
    assert lines(run({"schemas/default.schema.json": content, "N.md": note})) == [
        "N.md:3:1: VK010 pubish: not a property the schema allows (additionalProperties is false); "
        "did you mean 'publish'?",
        "N.md:4:1: VK010 review_due: not a property the schema allows (additionalProperties is false); "
        "it is declared under allOf, which additionalProperties does not look into: "
        "write unevaluatedProperties: false instead",
        "N.md:7:3: VK010 meta.zzz: not a property the schema allows (additionalProperties is false)",
    ]


def test_a_property_unevaluated_properties_refuses_names_the_property_meant(run: Run) -> None:
    """Regression: a key `unevaluatedProperties: false` refuses got no `did you mean`, though the README
    gives one for either keyword and tells a schema declaring its keys under allOf to use it. The names
    declared beside it and in its allOf, anyOf and oneOf branches are the ones meant; a key declared in a
    branch that failed is not offered as meant for itself."""
    content = schema(
        type="object",
        allOf=[{"properties": {"review_due": {"type": "string"}}}],
        anyOf=[{"properties": {"stage": {"const": "x"}}, "required": ["stage"]}, {"required": ["title"]}],
        properties={"publish": {"type": "boolean"}, "title": {"type": "string"}},
        unevaluatedProperties=False,
    )
    note = "---\ntitle: x\npubish: false\nreview_du: 2025-01-01\nstage: y\n---\n"
    assert lines(run({"schemas/default.schema.json": content, "N.md": note})) == [
        "N.md:3:1: VK010 pubish: not a property the schema allows (unevaluatedProperties is false); "
        "did you mean 'publish'?",
        "N.md:4:1: VK010 review_du: not a property the schema allows (unevaluatedProperties is false); "
        "did you mean 'review_due'?",
        "N.md:5:1: VK010 stage: not a property the schema allows (unevaluatedProperties is false)",
    ]


def test_unevaluated_properties_reads_pattern_properties_as_ecma_262(run: Run) -> None:
    """`unevaluatedProperties: false` counts the keys a `patternProperties` evaluated with its ECMA-262
    regexes: `\\p{L}` stopped every note with VK000 ("bad escape \\p"). Keys evaluated in allOf (a shared
    `$ref`), in a `then` whose `if` holds, or by a dependent schema pass; each other key is reported at
    its key."""
    files = {
        "schemas/review.schema.json": schema(properties={"review_due": {"type": "string"}}),
        "schemas/default.schema.json": schema(
            allOf=[{"$ref": "review.schema.json"}],
            properties={"status": {}},
            patternProperties={"^\\p{L}+_score$": {"type": "integer"}},
            dependentSchemas={"status": {"properties": {"note": {}}}},
            unevaluatedProperties=False,
            **{"if": {"properties": {"status": {"const": "done"}}}, "then": {"properties": {"done_on": {}}}},
        ),
        "A.md": "---\nstatus: done\nreview_due: x\nété_score: 1\nnote: n\ndone_on: d\nq1: 1\n---\n",
        "B.md": "---\nstatus: open\ndone_on: d\n---\n",
    }
    assert lines(run(files)) == [
        "A.md:7:1: VK010 q1: not a property the schema allows (unevaluatedProperties is false)",
        "B.md:3:1: VK010 done_on: not a property the schema allows (unevaluatedProperties is false)",
    ]


def test_a_property_unevaluated_properties_refuses_names_the_property_a_shared_ref_declares(run: Run) -> None:
    """The same through a `$ref` in allOf, the case VK010 advises unevaluatedProperties for (properties
    shared between schemas): a misspelt key of the shared schema was only refused."""
    files = {
        "schemas/review.schema.json": schema(properties={"review_due": {"type": "string"}}),
        "schemas/default.schema.json": schema(
            allOf=[{"$ref": "review.schema.json"}], properties={"publish": {}}, unevaluatedProperties=False
        ),
        "A.md": "---\nreview_dux: x\npubish: true\nzzz: 1\n---\n",
    }
    assert lines(run(files)) == [
        "A.md:2:1: VK010 review_dux: not a property the schema allows (unevaluatedProperties is false); "
        "did you mean 'review_due'?",
        "A.md:3:1: VK010 pubish: not a property the schema allows (unevaluatedProperties is false); "
        "did you mean 'publish'?",
        "A.md:4:1: VK010 zzz: not a property the schema allows (unevaluatedProperties is false)",
    ]


def test_length_and_size_messages_name_the_limit(run: Run) -> None:
    """The words after jsonschema's message's first space were kept as the predicate: a value with a space
    in it was cut inside its own text (`s: "a b c d" b c d' is too long`)."""
    content = schema(
        properties={
            "s": {"maxLength": 3},
            "t": {"minLength": 5},
            "e": {"minLength": 1},
            "l": {"minItems": 2},
            "m": {"maxItems": 1},
            "z": {"maxItems": 0},
            "o": {"minItems": 1},
        }
    )
    note = '---\ns: a b c d\nt: a b\ne: ""\nl: [x y]\nm: [a b, c]\nz: [a]\no: []\n---\n'
    assert lines(run({"schemas/default.schema.json": content, "N.md": note})) == [
        'N.md:2:4: VK010 s: "a b c d" is longer than 3 characters',
        'N.md:3:4: VK010 t: "a b" is shorter than 5 characters',
        'N.md:4:4: VK010 e: "" should be non-empty',
        'N.md:5:4: VK010 l: ["x y"] has fewer than 2 items',
        'N.md:6:4: VK010 m: ["a b", "c"] has more than 1 item',
        'N.md:7:4: VK010 z: ["a"] should be empty',
        "N.md:8:4: VK010 o: [] should be non-empty",
    ]


def test_a_property_name_propertynames_refuses_is_reported_at_its_key(run: Run) -> None:
    """jsonschema reports propertyNames without a path: a refused key was put at line 1, column 1, or, in a
    nested mapping, at its first value, under the mapping's name."""
    content = schema(
        propertyNames={"pattern": "^[a-z_]+$"},
        properties={"meta": {"type": "object", "propertyNames": {"maxLength": 3}}},
    )
    note = "---\ntitle: x\nBad Key: 1\nmeta:\n  ab: 1\n  abcdef: 2\n---\n"
    assert lines(run({"schemas/default.schema.json": content, "N.md": note})) == [
        'N.md:3:1: VK010 Bad Key: the property name "Bad Key" does not match the pattern ^[a-z_]+$',
        'N.md:6:3: VK010 meta.abcdef: the property name "abcdef" is longer than 3 characters',
    ]


def test_a_property_name_a_false_propertynames_refuses_is_named(run: Run) -> None:
    # 'p.k: the property name refused by …' named no name and lacked its verb
    content = schema(properties={"p": {"type": "object", "propertyNames": False}})
    note = "---\ntitle: x\np: {k: 1}\n---\n"
    assert lines(run({"schemas/default.schema.json": content, "N.md": note})) == [
        'N.md:3:5: VK010 p.k: the property name "k" is refused by properties/p/propertyNames in schema '
        "'default.schema.json', which is false",
    ]


def test_dependent_required_is_reported_at_the_property_that_requires(run: Run) -> None:
    """jsonschema reports dependentRequired without a path: "'review_due' is a dependency of
    'review_score'" stood at line 1, column 1."""
    content = schema(dependentRequired={"review_score": ["review_due", "reviewer"], "other": ["x"]})
    note = "---\ntitle: x\nreview_score: 3\nreviewer: me\n---\n"
    assert lines(run({"schemas/default.schema.json": content, "N.md": note})) == [
        "N.md:3:1: VK010 review_score: set, so 'review_due' must be set as well (dependentRequired)",
    ]


def test_a_multiple_of_a_fraction_judges_nan_infinity_and_huge_integers(run: Run) -> None:
    """YAML's `.nan` and `.inf` (or `1e309`), and an integer too large for a float, under `"multipleOf": 0.01`
    (as a price is given): jsonschema's own multipleOf raised on them (ValueError, OverflowError), a VK000
    on the note. `.nan` and `.inf` are the multiple of no number, as jsonschema already said where the divisor
    is an integer; the integer is divided exactly by the divisor as written (every integer is a multiple of
    0.01)."""
    steps = {"price": {"multipleOf": 0.01}, "count": {"multipleOf": 2}, "step": {"multipleOf": 1.5}}
    note = "---\nprice: .nan\ncount: .nan\n---\n"
    files = {
        "schemas/default.schema.json": schema(properties=steps),
        "N.md": note,
        "F.md": "---\nprice: 0.3\n---\n",
    }
    huge = {
        "H.md": f"---\nprice: {10**400}\nstep: {10**400 + 2}\n---\n",
        "O.md": f"---\nstep: {10**400}\n---\n",
    }
    assert lines(run({**files, **huge, "I.md": "---\nprice: 1e309\n---\n"})) == [
        "I.md:2:8: VK010 price: inf is not a multiple of 0.01",
        "N.md:2:8: VK010 price: nan is not a multiple of 0.01",
        "N.md:3:8: VK010 count: nan is not a multiple of 2",
        f"O.md:2:7: VK010 step: {10**400} is not a multiple of 1.5",
    ]


def test_an_empty_enum_says_it_allows_no_value(run: Run) -> None:
    """`"enum": []` is a valid 2020-12 schema that allows nothing: the message ended "is not one of " with
    nothing after it."""
    content = schema(properties={"tier": {"enum": []}})
    assert lines(run({"schemas/default.schema.json": content, "N.md": "---\ntier: 4\n---\n"})) == [
        "N.md:2:7: VK010 tier: 4 is refused: the schema's enum is empty, so it allows no value"
    ]


def test_a_schema_the_metaschema_refuses_shows_its_value_as_json(run: Run) -> None:
    """The metaschema's words showed the schema's value as Python writes it (`True`, `[{'type': …}]`),
    which is not what the user wrote in the schema file."""
    content = schema(properties={"tier": {"uniqueItems": {"a": None}}})
    result = run({"schemas/default.schema.json": content, "N.md": "x\n"})
    assert result.exit_code == 2
    assert (
        "not a valid JSON Schema at properties/tier/uniqueItems: {\"a\": null} is not of type 'boolean'"
    ) in result.output


@pytest.mark.parametrize(
    ("text", "path", "key", "at"),
    [
        ('{"a": 1, "b": {"c": [0, {"d": "x"}]}}', ["b", "c", 1, "d"], False, '"x"'),
        ('{"a": 1, "b": {"c": [0, {"d": "x"}]}}', ["b", "c", 1, "d"], True, '"d"'),
        ('{"a]": "}\\"", "b\\u0022": [], "b": [[1, 2], {"k": 3}]}', ["b", 1, "k"], False, "3"),
        ('{\r\n  "x" : [ 1 ,\r\n 2 ] }', ["x", 1], False, "2"),
        ('{"a": [1]}', ["a", 1], False, None),
        ('{"a": 1}', ["b"], False, None),
        ('{"a": 1}', ["a", "b"], False, None),
    ],
)
def test_json_offset_finds_the_value_at_a_path(text: str, path: list[Any], key: bool, at: str | None) -> None:
    """The place in a schema file of the value the metaschema refuses: past strings holding brackets or
    quotes, escaped keys, other values of every kind and CRLF."""
    found = json_offset(text, path, key=key)
    assert found == (None if at is None else text.rindex(at))


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (
            '{\n  "properties": {\n    "a": {"type": "string"},\n    "tier": {"type": "strin"}\n  }\n}\n',
            "schemas/default.schema.json:4:22: not a valid JSON Schema at properties/tier/type: ",
        ),
        (
            json.dumps({"properties": {"x": {"dependencies": {}}}}, indent=1),
            "schemas/default.schema.json:4:4: properties/x: 'dependencies' is a keyword ",
        ),
        # Regression: a $ref that cannot be resolved and a pattern that can backtrack catastrophically were
        # named by the schema file alone
        (
            json.dumps({"properties": {"a": {}, "b": {"$ref": "https://example.com/s.json"}}}, indent=1),
            "schemas/default.schema.json:5:12: $ref 'https://example.com/s.json' cannot be resolved",
        ),
        (
            json.dumps({"$defs": {"d": {}}, "properties": {"b": {"$ref": "#/$defs/e"}}}, indent=1),
            "schemas/default.schema.json:7:12: $ref '#/$defs/e' cannot be resolved",
        ),
        (
            json.dumps({"properties": {"a": {"type": "string", "pattern": "^(a+)+$"}}}, indent=1),
            "schemas/default.schema.json:5:15: pattern '^(a+)+$' can backtrack catastrophically",
        ),
        (
            json.dumps({"patternProperties": {"^x": {}, "^(\\w+\\s?)*$": {}}}, indent=1),
            "schemas/default.schema.json:4:3: pattern '^(\\\\w+\\\\s?)*$' can backtrack catastrophically",
        ),
    ],
)
def test_a_schema_the_metaschema_refuses_is_named_at_its_line_and_column(
    run: Run, content: str, said: str
) -> None:
    """A syntax error was named at its line and column, but a schema the metaschema refuses only by its
    JSON path (`properties/tier/type`): in a long schema the user had to count braces."""
    result = run({"schemas/default.schema.json": content, "N.md": "x\n"})
    assert result.exit_code == 2
    assert said in result.stderr, result.stderr


def test_every_mistake_of_the_schemas_is_given_at_once_in_the_order_written(run: Run) -> None:
    """Regression: a schema with four mistakes took four runs to mend, the metaschema's first error given at
    each (and not the first written: `tags/items/type` before `title/type`). Each is now an error line of
    its own, of every schema of the folder, in the order written."""
    broken = (
        '{\n  "properties": {\n    "title": {"type": "strin"},\n    "tier": {"minimum": "one"},\n'
        '    "tags": {"items": {"type": "sting"}}\n  },\n  "required": "title"\n}\n'
    )
    result = run({"schemas/a.schema.json": broken, "schemas/b.schema.json": "{}", "N.md": "x\n"})
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert [line.split(": not a valid JSON Schema at ")[0] for line in lines] == [
        "vaultkit: error: schemas/a.schema.json:3:23",
        "vaultkit: error: schemas/a.schema.json:4:25",
        "vaultkit: error: schemas/a.schema.json:5:32",
        "vaultkit: error: schemas/a.schema.json:7:15",
    ], result.stderr


def test_every_schema_file_that_is_not_json_is_given_at_once(run: Run) -> None:
    """As the metaschema's errors: each file of the folder that is no JSON schema, not the first only."""
    files = {"schemas/a.schema.json": '{"a": 1,\n}', "schemas/b.schema.json": '{"a": 1, "a": 2}'}
    result = run({**files, "schemas/c.schema.json": "{}", "schemas/d.schema.json": "[1]", "N.md": "x\n"})
    assert result.exit_code == 2
    assert [line.split(": ")[2] for line in result.stderr.splitlines()] == [
        "schemas/a.schema.json:2:1",
        "schemas/b.schema.json",
        "schemas/d.schema.json",
    ], result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="a newline in a file's name")
def test_each_mistake_is_one_line_whatever_its_files_name(run: Run) -> None:
    """Regression: each mistake of the schemas is an error line of its own, and a schema file whose name
    held a newline broke its error in two, the second line reading as an error of its own (or faking one:
    `a<newline>vaultkit: error: fake.schema.json`). The newline is spelled out."""
    files = {"schemas/a\nvaultkit: error: fake.schema.json": "{,}", "schemas/b.schema.json": "{,}"}
    result = run({**files, "N.md": "x\n"})
    assert result.exit_code == 2
    assert [line.split(": ")[2] for line in result.stderr.splitlines()] == [
        "schemas/a\\nvaultkit",
        "schemas/b.schema.json:1:2",
    ], result.stderr


def test_every_reference_that_cannot_resolve_is_given_at_once(run: Run) -> None:
    """As the metaschema's errors: each `$ref` that finds nothing, not the first only."""
    refs = json.dumps({"properties": {"a": {"$ref": "#/$defs/x"}, "b": {"$ref": "#/$defs/y"}}}, indent=1)
    result = run({"schemas/default.schema.json": refs, "N.md": "x\n"})
    assert result.exit_code == 2
    assert [line.split(" cannot be resolved")[0] for line in result.stderr.splitlines()] == [
        "vaultkit: error: schemas/default.schema.json:4:12: $ref '#/$defs/x'",
        "vaultkit: error: schemas/default.schema.json:7:12: $ref '#/$defs/y'",
    ], result.stderr


def test_more_mistakes_than_are_shown_are_counted(run: Run) -> None:
    """Past `SHOWN` errors of the schemas, the rest are counted, not listed: a schema generated wrong
    would otherwise fill the terminal."""
    from vaultkit.errors import SHOWN

    content = json.dumps({"properties": {f"p{i}": {"type": "strin"} for i in range(SHOWN + 5)}}, indent=1)
    result = run({"schemas/default.schema.json": content, "N.md": "x\n"})
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == SHOWN + 1 and lines[-1] == "vaultkit: error: and 5 more", result.stderr


def test_a_schema_of_thousands_of_mistakes_places_only_those_shown(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each mistake given is placed by reading the schema's JSON up to it; placing all 20,000 mistakes of a
    schema generated wrong (750 KB) read it 20,000 times, and `check` ran for minutes. Only those shown
    are placed."""
    from vaultkit import schemas
    from vaultkit.errors import SHOWN

    placed = []

    def json_offset(text: str, path: Any, *, key: bool = False) -> int | None:
        placed.append(path)
        return real(text, path, key=key)

    real = schemas.json_offset
    monkeypatch.setattr(schemas, "json_offset", json_offset)
    content = json.dumps({"properties": {f"p{i}": {"type": "strin"} for i in range(500)}}, indent=1)
    result = run({"schemas/default.schema.json": content, "N.md": "x\n"})
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "vaultkit: error: and 480 more", result.stderr
    assert len(placed) == SHOWN


def test_more_mistakes_than_are_shown_give_the_first_written(run: Run) -> None:
    """Regression: of a schema with more mistakes than are shown, those of its `properties` were taken as
    jsonschema finds them, in a set's order (another at each run, as strings hash): 20 mistakes from
    anywhere in the file, a different 20 each run. The first 20 written are given, in order."""
    content = json.dumps({"properties": {f"p{i}": {"type": "strin"} for i in range(60)}}, indent=1)
    result = run({"schemas/default.schema.json": content, "N.md": "x\n"})
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert [line.split(" at properties/")[1].split("/")[0] for line in lines[:-1]] == [
        f"p{i}" for i in range(20)
    ], result.stderr
    assert lines[-1] == "vaultkit: error: and 40 more", result.stderr


def test_an_older_drafts_keyword_written_first_is_among_the_mistakes_shown(run: Run) -> None:
    """Regression (final39): past SHOWN mistakes, the metaschema's filled the shown before any older draft's
    keyword was looked at, so a `dependencies` written first was left among "and N more" while later
    mistakes were shown. Both kinds are given together in the order written."""
    props = {"a": {"dependencies": {}}, **{f"p{i}": {"type": "strin"} for i in range(25)}}
    result = run({"schemas/default.schema.json": json.dumps({"properties": props}, indent=1), "N.md": "x\n"})
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert "properties/a: 'dependencies' is a keyword of an older draft" in lines[0], result.stderr
    assert len(lines) == 21 and lines[-1] == "vaultkit: error: and 6 more", result.stderr


def test_every_item_a_union_refuses_is_reported(run: Run) -> None:
    """Regression: of `aliases` (a string, or a list of strings), a list with four bad items was one VK010,
    at the first: the others were found one run at a time, as each was mended."""
    note = "---\naliases:\n  - ok\n  - [a, b]\n  - {x: 1}\n  - ok2\n  - 3\n---\nx\n"
    union = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
    result = run({"N.md": note, "schemas/default.schema.json": schema(properties={"aliases": union})})
    assert [line.split(" is not")[0] for line in result.stdout.splitlines() if "VK010" in line] == [
        'N.md:4:5: VK010 aliases[1]: ["a", "b"]',
        'N.md:5:5: VK010 aliases[2]: {"x": 1}',
        "N.md:7:5: VK010 aliases[4]: 3",
    ], result.stdout


def test_a_union_inside_a_unions_branch_gives_its_own_reasons(run: Run) -> None:
    """Regression (diffrev39): of a list whose items are themselves a union (`items: {anyOf: [string,
    integer <= 3]}`), each bad item said only "is not valid under any of the given schemas"; each now says
    what its branches refused."""
    items = {"anyOf": [{"type": "string"}, {"type": "integer", "maximum": 3}]}
    union = {"anyOf": [{"type": "string"}, {"type": "array", "items": items}]}
    note = "---\naliases: [ok, [a], 7, 2]\n---\nx\n"
    result = run({"N.md": note, "schemas/default.schema.json": schema(properties={"aliases": union})})
    assert [line.split(" VK010 ")[1] for line in result.stdout.splitlines() if "VK010" in line] == [
        'aliases[1]: ["a"] is not a string or an integer',
        "aliases[2]: 7 is greater than the maximum 3",
    ], result.stdout


def test_other_keywords_show_the_value_as_json(run: Run) -> None:
    """Messages left in jsonschema's words showed the value as Python writes it (`['a', 'b']`,
    `{'a': 1}`), and `not` as "'bad' should not be valid under {'const': 'bad'}"."""
    content = schema(
        properties={
            "x": {"not": {"const": "bad"}},
            "l": {"contains": {"const": "must"}},
            "k": {"type": "object", "minProperties": 2},
        }
    )
    note = "---\nx: bad\nl: [a, b]\nk: {a: 1}\n---\n"
    assert lines(run({"schemas/default.schema.json": content, "N.md": note})) == [
        'N.md:2:4: VK010 x: "bad" is a value the schema refuses (not: {"const": "bad"})',
        'N.md:3:4: VK010 l: ["a", "b"] does not contain items matching the given schema',
        'N.md:4:4: VK010 k: {"a": 1} has fewer than 2 properties',
    ]


# -- the schema folder's own errors: exit 2, a clear message, never the network ----------------------------


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("vaultkit tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "default.schema.json:1:2: schema is not valid JSON"),
        # Regression: Python's json reads NaN and Infinity, which JSON (and ajv) refuse: `"maximum": NaN`
        # passed every value, silently
        (
            '{"properties": {"a": {"maximum": NaN}}}',
            "default.schema.json: schema is not valid JSON: NaN is no JSON number",
        ),
        ('{"properties": {"a": {"minimum": -Infinity}}}', "schema is not valid JSON: -Infinity is no JSON"),
        (
            '["a list"]',
            "default.schema.json: a schema file must hold a JSON object, true or false (not list)",
        ),
        (schema(type="objekt"), "not a valid JSON Schema at type"),
        # Regression: a `type` no JSON Schema knows was "'date' is not valid under any of the given
        # schemas", jsonschema's words for the meta-schema's anyOf, which name neither the types nor the fix
        (
            schema(properties={"created": {"type": "date"}}),
            "at properties/created/type: 'date' is no JSON Schema type (string, number, integer, boolean, "
            'object, array, null, or a list of them, each once); a date is "type": "string", "format": "date"',
        ),
        (
            schema(type="strng"),
            "at type: 'strng' is no JSON Schema type (string, number, integer, boolean, object, array, null, "
            "or a list of them, each once); did you mean 'string'?",
        ),
        (schema(type=["string", "nul"]), "at type: ['string', 'nul'] is no JSON Schema type"),
        (schema(properties={"a": {"minimum": "zero"}}), "not a valid JSON Schema at properties/a/minimum"),
        (
            schema(properties={"a": {"$ref": "https://example.com/s.json"}}),
            "$ref 'https://example.com/s.json' cannot be resolved: it points outside the schema folder "
            "(https://example.com/s.json); vaultkit never fetches schemas over the network",
        ),
        (
            schema(properties={"a": {"$ref": "nope.schema.json#/x"}}),
            "$ref 'nope.schema.json#/x' cannot be resolved: no schema file 'nope.schema.json' in the schema folder",
        ),
        # Regression: said "no such file, or no schema at that place", where the file is the schema itself
        (
            schema(properties={"a": {"$ref": "#/$defs/missing"}}),
            "$ref '#/$defs/missing' cannot be resolved: this schema has no '$defs' at '#'",
        ),
        (
            schema(**{"$defs": {"date": {}, "tag": {}}}, properties={"a": {"$ref": "#/$defs/dat"}}),
            "$ref '#/$defs/dat' cannot be resolved: this schema has no 'dat' at '#/$defs' (it has 'date', 'tag')",
        ),
        (
            schema(**{"$id": "https://example.com/root.json"}, properties={"a": {"$ref": "other.json"}}),
            "$ref 'other.json' cannot be resolved: it points outside the schema folder (https://example.com/other.json)",
        ),
        (
            schema(properties={"a": {"$ref": "urn:example:thing"}}),
            "$ref 'urn:example:thing' cannot be resolved",
        ),
        (
            schema(properties={"a": {"type": "string", "pattern": "^(a+)+$"}}),
            "pattern '^(a+)+$' can backtrack catastrophically",
        ),
        (
            schema(properties={"a": {"type": "string", "pattern": "^(a|a)*$"}}),
            "pattern '^(a|a)*$' can backtrack catastrophically",
        ),
        (schema(patternProperties={"^(\\w+\\s?)*$": {}}), "can backtrack catastrophically"),
        (
            schema(properties={"a": {"pattern": "(unclosed"}}),
            "at properties/a/pattern: '(unclosed' is not a 'regex'",
        ),
        (  # JavaScript's `u` flag refuses Annex B's escapes of a character that is not syntax; Python took it
            schema(properties={"a": {"pattern": "^\\-$"}}),
            "'^\\\\-$' is not a 'regex' (read as ECMA-262 with the u flag, as JSON Schema says: '\\-' is no escape",
        ),
        (  # a Script property is valid ECMA, but unicodedata knows no scripts: refused, named, no traceback
            schema(patternProperties={"^\\p{Script=Han}+$": {}}),
            "not a valid JSON Schema at patternProperties: '^\\\\p{Script=Han}+$' is not a "
            "'regex' (read as ECMA-262 with the u flag, as JSON Schema says: '\\p{Script=Han}' is no property",
        ),
        (  # valid ECMA that vaultkit does not write out for Python: refused and named. Regression: a traceback
            schema(properties={"a": {"pattern": "^[\\W_]+$"}}),
            "is not a 'regex' (read as ECMA-262 with the u flag, as JSON Schema says: vaultkit cannot write it "
            "out for Python's re: '\\W' inside a class",
        ),
        # Regression: a keyword holding subschemas given the wrong JSON type was an internal error
        # ("AttributeError: 'list' object has no attribute 'values'"): the references were crawled before
        # the schema was checked against the meta-schema
        (
            schema(properties=[]),
            "not a valid JSON Schema at properties: [] is not of type",
        ),
        (schema(**{"$defs": ["date"]}), "not a valid JSON Schema at $defs"),
        (schema(allOf={"a": {}}), "not a valid JSON Schema at allOf"),
        ('{"$schema": 5}', "not a valid JSON Schema at $schema: 5 is not of type"),
        (  # an octal escape is a syntax error with the u flag. Regression: a traceback
            schema(properties={"a": {"pattern": "[\\1]"}}),
            "(read as ECMA-262 with the u flag, as JSON Schema says: the octal escape '\\1' (refused with the u",
        ),
    ],
)
def test_bad_schema_is_a_configuration_error(run: Run, content: str, message: str) -> None:
    result = run(
        {"schemas/default.schema.json": content, "N.md": "---\na: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!\n---\n"}
    )
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith("vaultkit: error: ") and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_schema_folder_at_the_vault_root_reads_no_hidden_json(make_vault: VaultFactory) -> None:
    """Regression: with the schemas at the vault root (`schema_dir = "."`), every `*.json` under it was read
    as a schema, hidden folders too: the run stopped on Obsidian's own files (a plugin's `manifest.json`)
    and, from the second run on, on vaultkit's cache ('.vaultkit_cache/facts-00.json: schema is not valid
    JSON'). Hidden files and folders are skipped, as in the vault."""
    files = {
        "vaultkit.toml": 'schema_dir = "."\n',
        "default.schema.json": requires("default_key"),
        ".obsidian/plugins/dataview/manifest.json": '{"id": "dataview", "version": "0.5.68"}',
        ".obsidian/workspace.json": "[1, 2]",
        ".hidden.json": "not json",
        "A.md": "---\ndefault_key: 1\n---\nx\n",
    }
    root = make_vault(files)
    for _ in range(2):  # the second run has the cache's files beside the schemas
        result = run_cli("check", root)
        assert result.exit_code == 0, result.output


def test_a_schema_at_the_vault_root_given_by_name_checks_the_whole_vault(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A schema changed has every note checked, as the pre-commit hook passes it by name. Regression: with
    the schemas at the vault root (`schema_dir = "."`) a schema was no configuration file (the folder's
    path is "." there, and no path starts with "./"): `check default.schema.json` said '0 notes checked, no
    problems found' (exit 0) where the schema refuses a note. Other JSON of the root, hidden, is not one."""
    files = {
        "vaultkit.toml": 'schema_dir = "."\n',
        "default.schema.json": requires("default_key"),
        ".obsidian/workspace.json": "[1, 2]",
        "A.md": "---\nother: 1\n---\nx\n",
    }
    root = make_vault(files)
    monkeypatch.chdir(root)
    result = run_cli("check", "--no-cache", "default.schema.json")
    assert result.exit_code == 1 and "A.md:" in result.stdout, result.output
    result = run_cli("check", "--no-cache", ".obsidian/workspace.json")
    assert "A.md:" not in result.stdout, result.output


def test_a_schema_broken_after_a_good_run_is_still_an_error(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache records that the schemas passed their checks, for those exact bytes only."""
    root = make_vault({"vaultkit.toml": 'schema_dir = "schemas"\n', "N.md": "x\n", **BASE})
    assert run_cli("check", root).exit_code in (0, 1)
    assert run_cli("check", root).exit_code in (0, 1)  # the checks taken from the cache's record
    bad = schema(properties={"a": {"type": "string", "pattern": "^(a+)+$"}})
    (root / "schemas/person.schema.json").write_text(bad)
    result = run_cli("check", root)
    assert result.exit_code == 2 and "can backtrack catastrophically" in result.stderr, result.output


def test_trust_holds_only_for_the_schemas_checked(tmp_path: Path) -> None:
    (tmp_path / "default.schema.json").write_text(schema(properties={"a": {"pattern": "^(a+)+$"}}))
    schemas = SchemaSet(tmp_path)
    schemas.trust("the fingerprint of other schemas")
    with pytest.raises(FatalError, match="backtrack"):
        schemas.ensure_valid()
    schemas.trust(schemas.fingerprint)  # what a worker is told when its parent checked these bytes
    schemas.ensure_valid()
    assert schemas.verified


@pytest.mark.usefixtures("no_network")
def test_ref_data_inside_enum_is_not_a_ref(run: Run) -> None:
    content = schema(properties={"a": {"enum": [{"$ref": "https://example.com/x"}]}})
    assert lines(run({"schemas/default.schema.json": content, "N.md": "---\nb: 1\n---\n"})) == []


def test_missing_schema_folder_is_a_configuration_error(make_vault: VaultFactory) -> None:
    root = make_vault({"vaultkit.toml": 'schema_dir = "nowhere"\n', "N.md": "x\n"})
    result = run_cli("check", root)
    assert result.exit_code == 2
    assert "schema folder" in result.stderr and "does not exist" in result.stderr


@pytest.mark.parametrize(
    "pattern",
    [
        "(a+)+$",
        "(a|aa)+$",
        "^(a|a)*$",
        "(ab|ab)*",
        "(\\w+\\s?)*",
        "(.*a)*",
        "(.*a){20}",
        "(x+x+)+y",
        "^(\\d+)*$",
        "(a*)*",
        "(a|a?)+",
        "(aa?)+",
        "([a-z]|[a-z0-9]+)*",
        "([a-z]+|[0-9]+)*",
        "(?=(a+)+)b",
    ],
)
def test_catastrophic_patterns_are_refused(pattern: str) -> None:
    assert backtracking_risk(pattern) == "can backtrack catastrophically"


@pytest.mark.parametrize(
    "pattern",
    [
        "^[a-z0-9]+(?:-[a-z0-9]+)*$",
        "[a-z]+(-[a-z]+)*",
        "(\\d+\\.)*\\d+",
        "(a|ab)*c",
        "(ab|ac)*",
        "(?:[a-z]|-)+",
        '"(\\\\.|[^"\\\\])*"',
        "^\\d{4}-\\d{2}-\\d{2}$",
        "^VK[0-9]{0,3}$",
        "^(\\d{3})+$",
        "(https?|ftp)://\\S+",
        "^\\[\\[[^\\[\\]|#^]+(#[^\\[\\]|]+)?(\\|[^\\[\\]]+)?\\]\\]$",
    ],
)
def test_ordinary_patterns_are_accepted(pattern: str) -> None:
    assert backtracking_risk(pattern) is None


def test_bundled_schema_patterns_are_accepted() -> None:
    SchemaSet(bundled_schema_dir()).ensure_valid()  # FatalError on a risky pattern or an unresolvable $ref


# -- property types (VK023) follow local $refs too --------------------------------------------------------


def test_property_type_through_a_local_ref(make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    content = schema(
        properties={"created": {"$ref": "#/$defs/day"}},
        **{"$defs": {"day": {"type": "string", "format": "date"}}},
    )
    root = make_vault(
        {"vaultkit.toml": 'schema_dir = "schemas"\n', "schemas/default.schema.json": content, "N.md": "x\n"}
    )
    (root / ".obsidian" / "types.json").write_text('{"types": {"created": "date"}}')
    monkeypatch.chdir(root)
    assert run_cli("check", "--no-cache", ".").exit_code == 0


@pytest.mark.parametrize(
    ("declared", "obsidian"),
    [
        ({"type": ["array", "null"]}, "multitext"),
        ({"type": ["null", "integer"]}, "number"),
        ({"enum": [1, 2, 3]}, "number"),
        ({"oneOf": [{"const": 1}, {"const": 2.5}]}, "number"),
        ({"const": True}, "checkbox"),
        ({"enum": ["draft", "done"]}, "text"),
        ({"enum": [1, "one"]}, "text"),
    ],
)
def test_a_property_has_the_obsidian_type_of_its_values(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, declared: dict[str, Any], obsidian: str
) -> None:
    """`"type": ["array", "null"]` (a list that may be left empty, `related:`) is a list for Obsidian: it
    was taken for text, so the example vault's types.json got a VK023. `"tier": {"enum": [1, 2, 3]}` (no
    `type`: the values say it) is a number to Obsidian: it was taken for text, so `obsidian-types` wrote
    `"tier": "text"` and VK023 refused a types.json that said number."""
    root = make_vault(
        {
            "vaultkit.toml": 'schema_dir = "schemas"\n',
            "schemas/default.schema.json": schema(properties={"p": declared}),
            "N.md": "x\n",
        }
    )
    (root / ".obsidian" / "types.json").write_text(json.dumps({"types": {"p": obsidian}}))
    monkeypatch.chdir(root)
    result = run_cli("check", "--no-cache", ".")
    assert result.exit_code == 0, result.output


def test_property_type_conflict_between_schemas(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    files: dict[str, str | bytes] = {
        "vaultkit.toml": 'schema_dir = "schemas"\n',
        "schemas/default.schema.json": schema(properties={"rating": {"type": "integer"}}),
        "schemas/person.schema.json": schema(properties={"rating": {"type": "string"}}),
        "N.md": "x\n",
    }
    root = make_vault(files)
    monkeypatch.chdir(root)
    assert run_cli("check", "--no-cache", ".").stdout.splitlines()[:-1] == [
        ".obsidian/types.json:1:1: VK023 property 'rating' has different types across schemas "
        "(default.schema.json: number, person.schema.json: text)"
    ]


def test_the_bundled_schemas_take_one_alias_as_a_string(make_vault: VaultFactory) -> None:
    """Obsidian reads `aliases: Minesweeper` as one alias, and the linker uses it: the schemas must agree."""
    entity = "---\ntype: entity\nkind: lab\naliases: {}\n---\nx\n"
    root = make_vault({"A.md": entity.format("Minesweeper"), "B.md": entity.format("[Mine, Sweeper]")})
    result = run_cli("check", "--no-cache", root)
    assert result.exit_code == 0, result.output
    root = make_vault({"A.md": entity.format("5"), "B.md": entity.format('""')}, name="bad")
    result = run_cli("check", "--no-cache", "--format", "json", root)
    assert sorted(d["code"] for d in json.loads(result.stdout)["diagnostics"]) == ["VK010", "VK010"]


@pytest.mark.usefixtures("run_elsewhere")
def test_the_bundled_schemas_take_one_tag_as_a_string_and_say_what_is_wrong(make_vault: VaultFactory) -> None:
    """Obsidian reads `tags: meeting` as one tag (and VK022 checks it as one): the schemas agree. Of the
    branches a value fails, the message comes from the one whose type it has, or names every type allowed:
    it said `tags: "open weights" is not empty` (the first branch's complaint)."""
    note = "---\ntags: {}\n---\nx\n"
    root = make_vault({"A.md": note.format("meeting"), "B.md": note.format("[meeting, y2026]")})
    result = run_cli("check", "--no-cache", root)
    assert result.exit_code == 0, result.output
    values = {"C.md": "open weights", "D.md": "[a, a]", "E.md": "5", "F.md": "[ok, 'x y']"}
    root = make_vault({rel: note.format(value) for rel, value in values.items()}, name="bad")
    result = run_cli("check", "--no-cache", "--select", "VK010", root)
    text = result.stdout.replace(f"{root}/", "")
    shown = [line.split(": An Obsidian tag")[0] for line in text.splitlines()[:-1]]
    assert shown == [
        'C.md:2:7: VK010 tags: "open weights" is not a valid tag',
        'D.md:2:11: VK010 tags[1]: "a" repeats tags[0] (uniqueItems)',
        "E.md:2:7: VK010 tags: 5 is not empty, a string or a list",
        'F.md:2:12: VK010 tags[1]: "x y" is not a valid tag',
    ]


def test_a_value_failing_format_and_pattern_is_one_problem(make_vault: VaultFactory) -> None:
    root = make_vault({"A.md": "---\ntype: entity\nkind: lab\nupdated: 2024-03-01T10:00\n---\nx\n"})
    result = run_cli("check", "--no-cache", root)
    assert [line.rpartition("/")[2] for line in result.stdout.splitlines()[:-1]] == [
        'A.md:4:10: VK010 updated: "2024-03-01T10:00" is not a valid date: '
        "A calendar date as Obsidian writes it: YYYY-MM-DD."
    ]


@pytest.mark.parametrize(
    ("value", "shown"), [("5", "5"), ("[a.schema.json]", "['a.schema.json']"), ("true", "True")]
)
def test_dollar_schema_that_is_not_text_is_vk011(run: Run, value: str, shown: str) -> None:
    """Regression: `$schema: 5` was silently ignored, and the note checked against the type's schema."""
    note = f"---\n$schema: {value}\ntype: person\n---\n"
    assert lines(run({**BASE, "N.md": note})) == [
        f"N.md:2:10: VK011 $schema: {shown} is not a path; give the schema's path as text"
    ]


def test_a_schema_set_fingerprints_the_bytes_it_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Watch reloads on the first event of a save. A schema saved between the parse and the fingerprint gave
    the configuration in use the fingerprint of other bytes: the next event's reload of the very same bytes
    then said "configuration changed" again, and a later save of the bytes in use was not recognised."""
    from vaultkit import schemas

    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "a.schema.json").write_text('{"type": "object"}', encoding="utf-8")
    (second / "a.schema.json").write_text('{"type": "object"}', encoding="utf-8")
    real = schemas._load_json

    def parse_then_saved_again(*args: Any) -> Any:
        parsed = real(*args)
        (second / "a.schema.json").write_text('{"type": "object", "required": ["x"]}', encoding="utf-8")
        return parsed

    monkeypatch.setattr(schemas, "_load_json", parse_then_saved_again)
    loaded = SchemaSet(second)
    assert loaded.contents["a.schema.json"] == {"type": "object"}
    assert loaded.fingerprint == schemas.folder_fingerprint(first), "the fingerprint of what was parsed"


# -- boolean schemas: a schema file may hold just `true` or `false` ------------------------------------------


@pytest.mark.parametrize("content", ["true", " true\n", "\ufefftrue\n"])
def test_a_true_schema_accepts_every_note(run: Run, content: str) -> None:
    files = {
        "schemas/default.schema.json": content,
        "A.md": "---\ntitle: 5\n---\n",
        "B.md": "no frontmatter\n",
    }
    result = run(files)
    assert result.exit_code == 0, result.output
    assert lines(result) == []


def test_a_false_schema_rejects_every_note_that_gets_it(run: Run) -> None:
    files = {
        **BASE,
        "schemas/closed.schema.json": "false\n",
        "A.md": "---\ntype: closed\ndefault_key: 1\n---\n",
        "B.md": "---\ndefault_key: 1\n---\n",
        "C.md": "---\n$schema: closed.schema.json\n---\n",
    }
    assert lines(run(files)) == [
        "A.md:1:1: VK010 schema 'closed.schema.json' allows no note (it is false)",
        "C.md:1:1: VK010 schema 'closed.schema.json' allows no note (it is false)",
    ]


def test_a_false_default_schema_rejects_a_note_without_frontmatter(run: Run) -> None:
    assert lines(run({"schemas/default.schema.json": "false", "A.md": "Just text.\n"})) == [
        "A.md:1:1: VK010 schema 'default.schema.json' allows no note (it is false)"
    ]


def test_a_false_subschema_is_reported_at_its_value(run: Run) -> None:
    """jsonschema reports a `false` under `properties` or `patternProperties` without the property's path:
    the problem landed on line 1 as "False schema does not allow 5"."""
    content = schema(properties={"legacy": False, "title": True}, patternProperties={"^old_": False})
    note = "---\ntitle: [any, thing]\nlegacy: 5\nold_x: 1\n---\n"
    assert lines(run({"schemas/default.schema.json": content, "N.md": note})) == [
        "N.md:3:9: VK010 legacy: no value is allowed here (its schema is false)",
        "N.md:4:8: VK010 old_x: no value is allowed here (its schema is false)",
    ]


def test_a_false_subschema_elsewhere_is_named_not_taken_for_the_whole_schema(run: Run) -> None:
    """A `false` under dependentSchemas or then refuses at the root path: it said "schema allows no note (it
    is false)", though other notes pass. An anyOf with a `false` branch shows what the other one allows."""
    content = schema(
        dependentSchemas={"legacy": False},
        properties={"c": {"anyOf": [False, {"type": "string"}]}},
        **{"if": {"required": ["old"]}, "then": False},
    )
    files = {
        "schemas/default.schema.json": content,
        "M.md": "---\nlegacy: 1\n---\n",
        "N.md": "---\nold: 1\n---\n",
        "P.md": "---\nc: 3\n---\n",
        "O.md": "---\nc: fine\n---\n",
    }
    assert lines(run(files)) == [
        "M.md:1:1: VK010 refused by dependentSchemas/legacy in schema 'default.schema.json', which is false",
        "N.md:1:1: VK010 refused by then in schema 'default.schema.json', which is false",
        "P.md:2:4: VK010 c: 3 is not a string",
    ]


def test_a_ref_to_a_boolean_schema_file(run: Run) -> None:
    files = {
        "schemas/open.schema.json": "true",
        "schemas/closed.schema.json": "false",
        "schemas/default.schema.json": schema(
            properties={"anything": {"$ref": "open.schema.json"}, "legacy": {"$ref": "closed.schema.json"}}
        ),
        "A.md": "---\nanything: [1, {a: 2}]\n---\n",
        "B.md": "---\nlegacy: 5\n---\n",
    }
    assert lines(run(files)) == ["B.md:2:9: VK010 legacy: no value is allowed here (its schema is false)"]


def test_types_and_property_conflicts_skip_a_boolean_schema_file(run: Run) -> None:
    files = {**BASE, "schemas/open.schema.json": "true", "schemas/closed.schema.json": "false", "N.md": "x\n"}
    assert lines(run(files)) == ["N.md:1:1: VK010 missing required property 'default_key'"]
    result = run_cli("obsidian-types", ".")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("pattern", "value", "problem"),
    [
        # valid ECMA-262 that Python's `re` refused ("is not a 'regex'", exit 2)
        ("^\\p{L}+$", "Ωmega中文", None),
        ("^\\p{L}+$", "abc1", '"abc1" does not match the pattern ^\\p{L}+$'),
        ("^\\p{Lu}\\P{Lu}*$", "École", None),
        ("^(?<n>a)\\k<n>$", "aa", None),
        ("^\\u{1F600}$", "😀", None),
        # both accept the pattern, but read it differently: ECMA's `\d` is 0-9, its `$` the end of the text
        (
            "^\\d{4}$",
            "١٢٣٤",
            '"١٢٣٤" does not match the pattern ^\\d{4}$; its digits are not 0-9 (full-width, or of another '
            "script), which YAML and Obsidian read as text: write 1234",
        ),
        ("^[a-z]+$", "abc\n", '"abc\\n" does not match the pattern ^[a-z]+$'),
        ("^\\w+$", "café", '"café" does not match the pattern ^\\w+$'),
    ],
)
def test_patterns_are_read_as_ecma_262_with_the_u_flag(
    run: Run, pattern: str, value: str, problem: str | None
) -> None:
    """JSON Schema 2020-12 (core, 6.4) reads `pattern` as ECMA-262 "built with the u flag", as ajv does."""
    content = schema(properties={"a": {"type": "string", "pattern": pattern}})
    note = f"---\na: {json.dumps(value, ensure_ascii=False)}\n---\n"
    found = lines(run({"schemas/default.schema.json": content, "N.md": note}))
    assert found == ([f"N.md:2:4: VK010 a: {problem}"] if problem else []), found


def test_pattern_properties_are_read_as_ecma_262(run: Run) -> None:
    """`\\w` is ASCII in ECMA-262: a key `café` is no `^\\w+$` key, so it is not held to the integer type."""
    content = schema(patternProperties={"^\\w+$": {"type": "integer"}, "^\\p{Lu}": {"type": "string"}})
    found = lines(run({"schemas/default.schema.json": content, "N.md": "---\ncafé: x\nÉté: 1\n---\n"}))
    assert [line.partition(" VK010 ")[2] for line in found] == ["Été: 1 is not a string"], found


def test_additional_properties_reads_pattern_properties_as_ecma_262(run: Run) -> None:
    """`additionalProperties: false` beside `patternProperties` decides which keys are extra by the same
    ECMA-262 regexes: `\\p{L}` stopped the note with VK000 ("bad escape \\p"), and `\\d` took an Arabic-Indic
    digit for a digit, so `q١` passed as a `^q\\d$` key."""
    content = schema(
        properties={"title": {"type": "string"}},
        patternProperties={"^\\p{L}+_score$": {"type": "integer"}, "^q\\d$": {"type": "string"}},
        additionalProperties=False,
    )
    files = {
        "schemas/default.schema.json": content,
        "A.md": "---\ntitle: x\nnote_score: 3\nq1: fine\nq١: arabic digit\n---\n",
        "B.md": "---\ntitle: y\nété_score: 3\nq2: fine\n---\n",
    }
    found = lines(run(files))
    assert len(found) == 1 and found[0].startswith("A.md:") and "VK000" not in found[0], found
    assert found[0].startswith("A.md:5:1: VK010 q١: not a property"), found


@pytest.mark.parametrize(
    ("pattern", "refused"),
    [
        ("[-\\d]", None),
        ("[\\d-]", None),
        ("[a-z-\\d]", None),
        ("[\\-\\p{L}]", None),
        ("\\x41\\u0041\\u{41}\\/", None),
        ("[a-\\d]", "a class escape such as '\\d' in a range"),
        ("[\\p{L}-a]", "a class escape such as '\\d' in a range"),
        ("\\x1", "'\\x' is an incomplete escape"),
        ("\\u{110000}", "'\\u' is an incomplete escape"),
        ("\\p", "'\\p' is an incomplete escape"),
        ("(?=a)*", "nothing to repeat"),
        ("\\c1", "'\\c' before no letter"),
        ("\\k<n>", "'\\k' names no group"),
        ("a{", "a lone '{'"),
        ("(?<=a+)b", "Python's re cannot run it"),
    ],
)
def test_the_u_flag_grammar_is_kept(pattern: str, refused: str | None) -> None:
    """What `new RegExp(pattern, "u")` refuses is refused, with the reason; what it takes is taken."""
    from vaultkit.js_regex import NotTranslated, schema_regex

    if refused is None:
        assert schema_regex(pattern)
    else:
        with pytest.raises(NotTranslated, match=re.escape(refused)):
            schema_regex(pattern)


def test_schemas_checked_under_pythons_regexes_are_not_trusted(tmp_path: Path) -> None:
    """A cache written before patterns were read as ECMA-262 recorded `^\\-$` as checked (Python takes it) under
    a fingerprint of the schema bytes alone: trusted, the pattern the u flag refuses met jsonschema unchecked."""
    import hashlib

    from vaultkit import schemas as module

    content = schema(properties={"a": {"type": "string", "pattern": "^\\-$"}})
    (tmp_path / "default.schema.json").write_text(content)
    before = hashlib.sha256()
    module._fingerprint_file(before, "default.schema.json", content.encode())
    loaded = SchemaSet(tmp_path)
    loaded.trust(before.hexdigest())
    with pytest.raises(FatalError, match="is no escape with the u flag"):
        loaded.ensure_valid()


def test_a_value_no_branch_of_anyof_or_oneof_takes_says_what_the_others_wanted(run: Run) -> None:
    """Regression: VK010 showed one branch's error only (`level: 5 is greater than the maximum 3`, `status:
    "wip" must be "draft"`): what the other branches wanted was not said. Branches of constants are one list;
    the others' words follow, three at most; a branch of another type, and a union the schema names (its
    title), add nothing."""
    content = schema(
        properties={
            "status": {"oneOf": [{"const": "draft"}, {"const": "done"}, {"enum": ["archived", "draft"]}]},
            "level": {"anyOf": [{"maximum": 3}, {"minimum": 10}]},
            "kind": {
                "anyOf": [{"enum": ["a", "b"]}, {"type": "string", "pattern": "^x-"}, {"type": "integer"}]
            },
            "n": {
                "anyOf": [{"minimum": 1}, {"maximum": -1}, {"multipleOf": 7}, {"const": 0}, {"minimum": 100}]
            },
            "titled": {"title": "Low or high", "anyOf": [{"maximum": 3}, {"minimum": 10}]},
        }
    )
    files = {
        "schemas/default.schema.json": content,
        "N.md": "---\nstatus: wip\nlevel: 5\nkind: c\nn: 0.5\ntitled: 5\n---\n",
    }
    assert lines(run(files)) == [
        'N.md:2:9: VK010 status: "wip" is not one of "draft", "done", "archived"',
        "N.md:3:8: VK010 level: 5 is greater than the maximum 3 (no branch of anyOf holds; another says: is less "
        "than the minimum 10)",
        'N.md:4:7: VK010 kind: "c" is not one of "a", "b" (no branch of anyOf holds; another says: does not '
        "match the pattern ^x-)",
        "N.md:5:4: VK010 n: 0.5 is less than the minimum 1 (no branch of anyOf holds; others say: is greater "
        "than the maximum -1; is not a multiple of 7; must be 0; and 1 more)",
        "N.md:6:9: VK010 titled: 5 is greater than the maximum 3",
    ]


def test_two_schemas_with_the_same_id_are_refused(run: Run) -> None:
    """Two schema files that claim one `$id` (a shared definitions file copied and edited): a `$ref` to that
    URI got whichever the registry read last, and the edit to the other changed no verdict, silently."""
    person = {"$id": "https://example.org/common.schema.json", "$defs": {"mail": {"format": "email"}}}
    copied = {**person, "$defs": {"mail": {"format": "uri"}}}
    files = {
        "schemas/common.schema.json": json.dumps(person),
        "schemas/copy.schema.json": json.dumps(copied),
        "schemas/default.schema.json": schema(
            properties={"mail": {"$ref": "https://example.org/common.schema.json#/$defs/mail"}}
        ),
        "N.md": "---\nmail: nope\n---\n",
    }
    result = run(files)
    assert result.exit_code == 2
    assert (
        "copy.schema.json: $id 'https://example.org/common.schema.json' is also the $id of " in result.output
    )
    assert "common.schema.json; a $ref to it would get either: give each schema its own $id" in result.output
    assert "Traceback" not in result.output


def test_a_problem_an_if_asks_for_says_which_value_asked(run: Run) -> None:
    """A `then` or `else` applies because of another property's value: `missing required property 'stars'`
    alone did not say that `rec: strong` asked for it. A `not: {required: [k]}` showed the whole frontmatter
    at the opening `---`; it names the key, at its line."""
    content = schema(
        properties={"rec": {"enum": ["skip", "strong"]}, "stars": {"type": "integer"}},
        **{
            "if": {"properties": {"rec": {"const": "strong"}}, "required": ["rec"]},
            "then": {"required": ["stars"]},
            "else": {"not": {"required": ["stars"]}},
        },
    )
    files = {
        "schemas/default.schema.json": content,
        "A.md": "---\nrec: strong\n---\n",
        "B.md": "---\nrec: skip\nstars: 3\n---\n",
    }
    assert lines(run(files)) == [
        "A.md:1:1: VK010 missing required property 'stars', as rec is \"strong\" (the schema's if/then)",
        "B.md:3:1: VK010 'stars' must not be set (not: required), as rec is not \"strong\" or not set (the "
        "schema's if/else)",
    ]


def test_an_if_that_does_not_require_its_property_holds_where_it_is_not_set(run: Run) -> None:
    """`if: {properties: {kind: {enum: [...]}}}` holds for a source with no `kind`, as JSON Schema reads
    `properties`: the message must not say that kind is a paper when it is not set, nor read "is not none
    of" for an `else`."""
    content = schema(
        properties={
            "src": {
                "if": {"properties": {"kind": {"enum": ["paper", "preprint"]}}},
                "then": {"required": ["doi"]},
                "else": {"properties": {"url": {"format": "uri"}}},
            }
        }
    )
    files = {
        "schemas/default.schema.json": content,
        "A.md": "---\nsrc: {url: x}\n---\n",
        "B.md": "---\nsrc: {kind: blog, url: nope}\n---\n",
    }
    assert lines(run(files)) == [
        'A.md:2:1: VK010 src: missing required property \'doi\', as kind is one of "paper", "preprint" or not '
        "set (the schema's if/then)",
        'B.md:2:24: VK010 src.url: "nope" is not a valid uri, as kind is none of "paper", "preprint" (the '
        "schema's if/else)",
    ]


def test_a_value_more_than_one_branch_of_one_of_takes_says_so_in_words(run: Run) -> None:
    """jsonschema's words were Python's: `5 is valid under each of {'type': 'number', 'minimum': 0},
    {'type': 'integer'}`, which told neither what oneOf wants nor what to change."""
    content = schema(properties={"n": {"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 0}]}})
    assert lines(run({"schemas/default.schema.json": content, "N.md": "---\nn: 5\n---\n"})) == [
        "N.md:2:4: VK010 n: 5 fits more than one branch of oneOf, which must fit exactly one: make the "
        "branches exclude each other, or write anyOf"
    ]


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (
            {"dependencies": {"tier": ["status"]}, "properties": {"dependencies": {"type": "string"}}},
            "(root): 'dependencies' is a keyword of an older draft, which Draft 2020-12 ignores: write "
            "dependentRequired for a list of property names, dependentSchemas for a schema (this schema "
            "declares draft-07 in $schema, but vaultkit reads every schema as Draft 2020-12",
        ),
        (
            {"properties": {"pair": {"anyOf": [{"items": {}, "additionalItems": False}]}}},
            "properties/pair/anyOf/0: 'additionalItems' is a keyword of an older draft, which Draft 2020-12 "
            "ignores: write items (with prefixItems for the items before it)",
        ),
        (
            {"properties": {"pair": {"items": [{"type": "integer"}, {"type": "string"}]}}},
            "a list of items is the older drafts' tuple form: write prefixItems for it (this schema declares",
        ),
        (
            {"properties": {"tier": {"maximum": 3, "exclusiveMaximum": True}}},
            'a true exclusiveMaximum is draft-04\'s: write "exclusiveMaximum": N in place of maximum',
        ),
        (
            {"properties": {"name": {"type": "string", "required": True}}},
            'a boolean required is draft-03\'s: write "required": ["name"] beside "properties"',
        ),
    ],
)
def test_a_keyword_of_an_older_draft_is_refused_with_what_to_write(
    run: Run, body: dict[str, Any], said: str
) -> None:
    """vaultkit reads every schema as Draft 2020-12, whatever its `$schema` says: draft-07's `dependencies`
    and `additionalItems`, which 2020-12 does not know, were ignored, so a note lacking the property they
    require passed; the forms 2020-12 refuses (`items` as a list, a boolean `exclusiveMaximum`) were
    refused in jsonschema's words, which named neither the draft nor what to write."""
    content = json.dumps({"$schema": "http://json-schema.org/draft-07/schema#", **body})
    result = run({"schemas/default.schema.json": content, "N.md": "---\ntier: 1\n---\n"})
    assert result.exit_code == 2, result.output
    assert said in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("files", "note", "said"),
    [
        (  # a recursive $ref in a schema with an $id
            {
                "schemas/default.schema.json": json.dumps(
                    {
                        "$id": "https://example.org/toc",
                        "properties": {"toc": {"$ref": "#/$defs/node"}},
                        "$defs": {
                            "node": {
                                "properties": {
                                    "t": {"type": "string"},
                                    "kids": {"items": {"$ref": "#/$defs/node"}},
                                }
                            }
                        },
                    }
                )
            },
            "---\ntoc: {t: a, kids: [{t: 1}]}\n---\n",
            "N.md:2:24: VK010 toc.kids[0].t: 1 is not a string",
        ),
        (  # an $anchor in a schema of a subfolder with an $id
            {
                "schemas/default.schema.json": json.dumps(
                    {
                        "$id": "https://example.org/paper",
                        "properties": {"doi": {"$ref": "#doi"}},
                        "$defs": {"d": {"$anchor": "doi", "type": "string"}},
                    }
                )
            },
            "---\ndoi: 10.1\n---\n",
            "N.md:2:6: VK010 doi: 10.1 is not a string",
        ),
        (  # a recursive definition of a file with no $id, from a schema with one
            {
                "schemas/defs.schema.json": json.dumps(
                    {
                        "$defs": {
                            "node": {
                                "properties": {
                                    "t": {"type": "string"},
                                    "kids": {"items": {"$ref": "#/$defs/node"}},
                                }
                            }
                        }
                    }
                ),
                "schemas/default.schema.json": json.dumps(
                    {
                        "$id": "https://example.org/d",
                        "properties": {"toc": {"$ref": "defs.schema.json#/$defs/node"}},
                    }
                ),
            },
            "---\ntoc: {t: a, kids: [{t: 1}]}\n---\n",
            "N.md:2:24: VK010 toc.kids[0].t: 1 is not a string",
        ),
    ],
)
def test_a_ref_left_in_a_schema_with_an_id_resolves(
    run: Run, files: dict[str, str], note: str, said: str
) -> None:
    """A `$ref` vaultkit cannot inline (a recursive one, an `$anchor`) was left naming its file
    (`default.schema.json#/$defs/node`), which a schema with an `$id` resolves against that `$id`
    (`https://example.org/default.schema.json`): a valid schema stopped the run at the first note it
    checked, exit 2, "cannot resolve $ref Unresolvable"."""
    assert lines(run({**files, "N.md": note})) == [said]


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        *(("10:30:00Z", True), ("10:30:00+02:00", True), ("10:30:00.5z", True), ("23:59:60Z", True)),
        *(("01:29:60+01:30", True), ("10:30:00", False), ("10:30", False), ("22:59:60Z", False)),
        *(("24:00:00Z", False), ("10:30:00+24:00", False), ("١٠:٣٠:٠٠Z", False), ("10:30:00 Z", False)),
    ],
)
def test_the_time_format_is_rfc_3339s_full_time(run: Run, value: str, valid: bool) -> None:
    """`"format": "time"` is RFC 3339's full-time, as the README and VK010's own words say (`10:30:00Z`).
    Regression: without the optional rfc3339-validator, jsonschema checked it as draft 3's `%H:%M:%S`:
    every time with an offset, `10:30:00Z` too, was "not a valid time", and `10:30:00` passed."""
    content = schema(properties={"at": {"type": "string", "format": "time"}})
    found = lines(run({"schemas/default.schema.json": content, "N.md": f'---\nat: "{value}"\n---\n'}))
    assert (found == []) == valid, found


def test_formats_are_checked_alike_whatever_else_is_installed(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the formats the README lists are checked. Regression: jsonschema also checks a format when an
    optional package for it is installed (`idn-hostname` with idna, which requests brings along): the same
    note passed in one environment and failed in another, on a format vaultkit says it leaves unchecked."""
    from jsonschema import FormatChecker

    for name in ("idn-hostname", "hostname", "duration"):  # as idna, fqdn, isoduration register them
        monkeypatch.setitem(FormatChecker.checkers, name, (lambda value: False, ()))
    formats = {"host": {"format": "idn-hostname"}, "h": {"format": "hostname"}, "d": {"format": "duration"}}
    content = schema(properties={**formats, "at": {"format": "date"}})
    note = '---\nhost: "-x-"\nh: "-x-"\nd: "P1X"\nat: "2024-02-30"\n---\n'
    assert lines(run({"schemas/default.schema.json": content, "N.md": note})) == [
        'N.md:5:5: VK010 at: "2024-02-30" is not a valid date'
    ]


def test_a_time_the_time_format_refuses_says_what_it_wants(run: Run) -> None:
    """`"format": "time"` is RFC 3339's full-time: `10:30` was "not a valid time", with no word of the
    seconds and the offset it lacks."""
    content = schema(properties={"at": {"type": "string", "format": "time"}})
    assert lines(run({"schemas/default.schema.json": content, "N.md": '---\nat: "10:30"\n---\n'})) == [
        'N.md:2:5: VK010 at: "10:30" is not a valid time (JSON Schema\'s time has seconds and an offset, as '
        'RFC 3339 says: 10:30:00Z or 10:30:00+02:00; for a time as written in a note, use "pattern" instead)'
    ]


def test_a_repeated_item_is_named_where_it_repeats(run: Run) -> None:
    """A merge of two notes in Obsidian rewrites each link to the merged note, so a relations list can hold
    the same link twice, far down a long list: VK010 showed the whole list at its first item, `has repeated
    items`, and left the user to find which. It names the item, and is reported at the line that repeats it."""
    found = check_note(
        run,
        "title: a",
        "review_value: 1",
        "related:",
        '  - "[[Zhipu AI]]"',
        '  - "[[Yang Zhilin]]"',
        '  - "[[Kimi K2]]"',
        '  - "[[Yang Zhilin]]"',
    )
    assert [line for line in found if "VK010" in line] == [
        'N.md:8:5: VK010 related[3]: "[[Yang Zhilin]]" repeats related[1] (uniqueItems)'
    ]
