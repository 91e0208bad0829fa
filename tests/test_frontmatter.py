"""Frontmatter as Obsidian reads it: every YAML trap of shared/OBSIDIAN.md and issue 2, checked through the
CLI's output, with the exact line and column of each diagnostic."""

from __future__ import annotations

import json
import math
import re
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
import yaml
from conftest import REPO, VaultFactory, run_cli
from cost import lines_run
from hypothesis import given, settings
from hypothesis import strategies as st

from vaultkit import frontmatter
from vaultkit.frontmatter import _too_deep

SEED = REPO.parent / "shared" / "seeds" / "001_70828cdd7324df51.txt"

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["title"],
    "properties": {
        "title": {"type": "string"},
        "flag": {"type": "boolean"},
        "count": {"type": "integer", "maximum": 9},
        "text": {"type": "string"},
        "duration": {"type": "integer"},
        "created": {"type": "string", "format": "date"},
        "updated": {"type": "string", "format": "date"},
        "review_value": {"type": "integer", "minimum": 0, "maximum": 10},
        "on": {"type": "boolean"},
    },
}

Check = Callable[..., list[str]]


@pytest.fixture
def check(make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch) -> Check:
    """check({"N.md": text}) -> the diagnostic lines of `vaultkit check`, run in the vault (no summary)."""

    def run(files: Mapping[str, str | bytes], schema: Mapping[str, object] | None = SCHEMA) -> list[str]:
        extra: dict[str, str | bytes] = {}
        if schema is not None:
            extra = {
                "vaultkit.toml": 'schema_dir = "schemas"\n',
                "schemas/default.schema.json": json.dumps(schema),
            }
        root = make_vault({**extra, **files})
        monkeypatch.chdir(root)
        result = run_cli("check", "--no-cache", ".")
        assert result.exit_code in (0, 1), result.output
        assert result.stdout.endswith(".\n")
        return result.stdout.splitlines()[:-1]

    return run


def fm(*lines: str, body: str = "Body.\n") -> str:
    return "---\n" + "".join(line + "\n" for line in lines) + "---\n" + body


# -- dates and YAML 1.2 typing ----------------------------------------------------------------------------


def test_unquoted_dates_stay_strings_and_are_checked_as_dates(check: Check) -> None:
    assert check({"N.md": fm("title: a", "created: 2024-01-05", "updated: 2024-13-45")}) == [
        'N.md:4:10: VK010 updated: "2024-13-45" is not a valid date'
    ]


@pytest.mark.parametrize("word", ["no", "No", "NO", "off", "Off", "on", "On", "yes", "Yes", "YES"])
def test_yaml11_booleans_stay_strings_and_the_message_says_why(check: Check, word: str) -> None:
    assert check({"N.md": fm("title: a", f"flag: {word}")}) == [
        f'N.md:3:7: VK010 flag: "{word}" is not true or false '
        f"(YAML 1.1 would read '{word}' as a boolean; vaultkit reads YAML 1.2)"
    ]


@pytest.mark.parametrize("word", ["true", "false", "True", "FALSE"])
def test_yaml12_booleans(check: Check, word: str) -> None:
    assert check({"N.md": fm("title: a", f"flag: {word}")}) == []


def test_on_as_a_key_stays_the_string_on(check: Check) -> None:
    schema = {**SCHEMA, "required": ["title", "on"]}
    assert check({"N.md": fm("title: a", "on: true")}, schema) == []


def test_leading_zero_is_decimal_in_yaml12(check: Check) -> None:
    assert check({"N.md": fm("title: a", "count: 010")}) == [
        "N.md:3:8: VK010 count: 10 is greater than the maximum 9"
    ]


def test_leading_zero_where_a_string_is_expected_mentions_yaml11(check: Check) -> None:
    assert check({"N.md": fm("title: a", "text: 010")}) == [
        "N.md:3:7: VK010 text: 10 is not a string (YAML 1.1 would read '010' as an octal number)"
    ]


def test_base60_looking_value_stays_a_string(check: Check) -> None:
    assert check({"N.md": fm("title: a", "duration: 1:30")}) == [
        'N.md:3:11: VK010 duration: "1:30" is not an integer '
        "(YAML 1.1 would read '1:30' as a base-60 number; vaultkit reads a string)"
    ]


def test_08_hint_says_yaml11_reads_a_string(check: Check) -> None:
    assert check({"N.md": fm("title: a", "text: 08")}) == [
        "N.md:3:7: VK010 text: 8 is not a string (YAML 1.1 would read '08' as a string)"
    ]


@pytest.mark.parametrize("value", ["1_000", "0b101", "+0x1F"])
def test_a_yaml11_number_that_yaml12_reads_as_text_says_so(check: Check, value: str) -> None:
    """Numbers in YAML 1.1 (PyYAML; js-yaml too), text in YAML 1.2 (vaultkit; Obsidian, whose bundled `yaml`
    parses with its 1.2 core schema). Regression: the message gave no hint why `1_000` is a string."""
    assert check({"N.md": fm("title: a", f"duration: {value}")}) == [
        f'N.md:3:11: VK010 duration: "{value}" is not an integer '
        f"(YAML 1.1 would read '{value}' as a number; vaultkit reads a string, as YAML 1.2 does)"
    ]


@pytest.mark.parametrize("value", ["1e3", "1.0e3", "+.5"])
def test_a_yaml12_number_that_yaml11_reads_as_text_says_so(check: Check, value: str) -> None:
    """The reverse: PyYAML's float needs a dot, and a sign on the exponent."""
    (line,) = check({"N.md": fm("title: a", f"text: {value}")})
    assert line.startswith("N.md:3:7: VK010 text: ") and line.endswith(
        f"is not a string (YAML 1.1 would read '{value}' as a string; vaultkit reads a number, as YAML 1.2 does)"
    ), line


@pytest.mark.parametrize("value", ["0x1F", "-0", "+0"])
def test_no_yaml11_hint_for_a_number_yaml11_reads_alike(check: Check, value: str) -> None:
    """Regression: `0x1F` (31 in YAML 1.1 as in 1.2) and `-0` (0 in both) were said to be read 'as a string'
    by YAML 1.1, suggesting an older tool would have read the text the schema wanted."""
    found = check({"N.md": fm("title: a", f"text: {value}")})
    assert len(found) == 1 and "is not a string" in found[0] and "YAML 1.1" not in found[0], found


def test_null_values(check: Check) -> None:
    assert check({"N.md": fm("title: a", "text: ~", "count:")}) == [
        "N.md:3:7: VK010 text: null (empty) is not a string",
        "N.md:4:7: VK010 count: null (empty) is not an integer",
    ]


def test_explicit_int_tag_on_a_quoted_scalar(check: Check) -> None:
    assert check({"N.md": fm("title: a", "count: !!int '7'")}) == []


def test_explicit_str_tag_keeps_a_string(check: Check) -> None:
    assert check({"N.md": fm("title: !!str 5")}) == []


def test_explicit_str_tag_on_a_number_property(check: Check) -> None:
    assert check({"N.md": fm("title: a", "review_value: !!str 7")}) == [
        'N.md:3:15: VK010 review_value: "7" is not an integer'
    ]


def loaded(*lines: str) -> tuple[dict[str, object], list[str]]:
    """The properties and problems `frontmatter.load` gives for these YAML lines (problems as `line:col: CODE message`)."""
    text = fm(*lines)
    front = frontmatter.split(text)
    frontmatter.load(text, front)
    return front.data, [f"{p.line}:{p.col}: {p.code} {p.message}" for p in front.problems]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("! 5", "5"),
        ("! true", "true"),
        ("! null", "null"),
        ("! 1.5", "1.5"),
        ("! ~", "~"),
        ("! no", "no"),
        ("! '5'", "5"),
        ('! "true"', "true"),
        ("! |-\n  5", "5"),
        ("&a ! 5", "5"),
        ("! &a 5", "5"),
        ("&a\n  ! 5", "5"),
        ("&a # a comment\n  ! 5", "5"),
    ],
)
def test_the_non_specific_tag_makes_a_scalar_a_string(value: str, expected: str) -> None:
    """YAML (1.1 and 1.2) resolves a scalar tagged `!` to a string; PyYAML, and libyaml behind it, type it as
    if it were untagged, because its resolver is told the same as for no tag at all."""
    assert loaded(f"x: {value}") == ({"x": expected}, [])


_PLAIN_TEXTS = st.text(st.sampled_from("0123456789-+.:_eEoxbTZ yYnNtrufalsL~"), max_size=12)


@settings(max_examples=3000, derandomize=True, deadline=None)
@given(
    st.one_of(_PLAIN_TEXTS, st.sampled_from(["2024-07-17", "2024-7-17", "20240-07-17", "yes", "null", "~"]))
)
def test_a_value_read_as_text_at_once_is_text_to_the_whole_reading(text: str) -> None:
    """`read_as_text` lets most values skip the number patterns and the YAML 1.1 hints: only where the
    whole reading (`_Walker.plain`) gives that text back, and says nothing of YAML 1.1."""
    front = frontmatter.Frontmatter()
    node = yaml.ScalarNode(frontmatter._PLAIN, text)
    if frontmatter.read_as_text(text):
        assert frontmatter._Walker(front, "", 2).plain(node, ("x",)) == text
        assert front.yaml11 == {}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (".inf", math.inf),
        ("-.Inf", -math.inf),
        ("+.INF", math.inf),
        (".iNf", ".iNf"),
        ("-.INf", "-.INf"),
        (".nAn", ".nAn"),
        ("+.nan", "+.nan"),
    ],
)
def test_infinity_and_nan_only_as_the_core_schema_spells_them(value: str, expected: object) -> None:
    """Obsidian reads YAML with eemeli/yaml v2's core schema (de-minified Obsidian 1.12.7 audit,
    clintonthegeek/Corbomite docs/obsidian-audit/domains/parsing.md, parseYaml), which knows `.inf`, `.Inf`,
    `.INF` (signed or not) and `.nan`, `.NaN`, `.NAN`, no other spelling. Regression: `.iNf` and `.nAn` were
    read as numbers, so a text property holding one was reported as a number."""
    assert loaded(f"x: {value}") == ({"x": expected}, [])


def test_nan_in_a_core_schema_spelling_is_a_number() -> None:
    data, _problems = loaded("x: .NaN")
    assert math.isnan(data["x"])


def test_an_alias_of_a_non_specific_scalar_is_a_string_too() -> None:
    assert loaded("x: &a ! 5", "y: *a", "z: &b 5", "w: *b") == ({"x": "5", "y": "5", "z": 5, "w": 5}, [])


def test_the_non_specific_tag_leaves_lists_and_mappings_alone() -> None:
    assert loaded("x: ! [5, true]", "y: ! {a: 1}") == ({"x": [5, True], "y": {"a": 1}}, [])


def test_a_non_specific_tag_on_a_number_property_is_reported_as_a_string(check: Check) -> None:
    assert check({"N.md": fm("title: ! 5", "review_value: ! 7")}) == [
        'N.md:3:15: VK010 review_value: "7" is not an integer'
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("!!str 5", "5"),
        ("!!str true", "true"),
        ("!!int '5'", 5),
        ("!!int 0x1F", 31),
        ("!!float 5", 5.0),
        ("!!float '1.5'", 1.5),
        ("!!bool 'true'", True),
        ("!!null ''", None),
        ("!!timestamp 2024-01-05", "2024-01-05"),
        ("!<tag:yaml.org,2002:str> 5", "5"),
        ("!!seq [5]", [5]),
        ("!!map {a: 5}", {"a": 5}),
    ],
)
def test_explicit_standard_tags(value: str, expected: object) -> None:
    data, problems = loaded(f"x: {value}")
    assert problems == []
    assert data == {"x": expected} and type(data["x"]) is type(expected)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!int abc", "'abc' is not an integer, as its tag !!int says"),
        ("!!int 5.5", "'5.5' is not an integer, as its tag !!int says"),
        ("!!int true", "'true' is not an integer, as its tag !!int says"),
        ("!!float x", "'x' is not a number, as its tag !!float says"),
        ("!!bool yes", "'yes' is not true or false, as its tag !!bool says (YAML 1.1 would read a boolean)"),
        ("!!null x", "'x' is not null, as its tag !!null says"),
        ("!!map 5", "the tag !!map is for a mapping, not a single value"),
        ("!!seq {a: 1}", "the tag !!seq is for a list, not a mapping"),
        ("!!str [a]", "the tag !!str is for a single value, not a list"),
        ("!!int {a: 1}", "the tag !!int is for a single value, not a mapping"),
    ],
)
def test_a_value_its_explicit_tag_cannot_read_is_invalid_yaml(value: str, message: str) -> None:
    """PyYAML raises (ValueError, ConstructorError) or quietly reads something else; vaultkit reports it where
    the value starts, and loads nothing, as a YAML 1.2 reader that refuses the node would."""
    assert loaded("title: a", f"x: {value}") == ({}, [f"3:4: VK001 invalid YAML: {message}"])


def test_a_value_its_tag_cannot_read_is_one_diagnostic(check: Check) -> None:
    assert check({"N.md": fm("title: a", "count: !!int seven")}) == [
        "N.md:3:8: VK001 invalid YAML: 'seven' is not an integer, as its tag !!int says"
    ]


@pytest.mark.parametrize("value", ["9" * 5000, "-" + "1" * 4400, "!!int " + "7" * 4301])
def test_an_integer_too_long_to_convert_is_invalid_yaml_not_an_internal_error(value: str) -> None:
    """Python converts at most 4,300 digits to an int: the ValueError surfaced as VK000 'please report it'."""
    digits = sum(c.isdigit() for c in value)
    assert loaded("title: a", f"x: {value}") == (
        {},
        [f"3:4: VK001 invalid YAML: a number of {digits} digits is too long to read"],
    )


# -- keys -------------------------------------------------------------------------------------------------


def test_duplicate_key_names_both_lines(check: Check) -> None:
    assert check({"N.md": fm("title: a", "tags: [ai]", "title: b")}) == [
        "N.md:4:1: VK003 duplicate key 'title' (first on line 2, again on line 4); "
        "YAML keeps only the last value"
    ]


def test_duplicate_key_in_a_nested_mapping(check: Check) -> None:
    assert check({"N.md": fm("title: a", "meta:", "  by: x", "  by: y")}) == [
        "N.md:5:3: VK003 duplicate key 'by' (first on line 4, again on line 5); "
        "YAML keeps only the last value"
    ]


def test_key_three_times_names_the_one_before_each(check: Check) -> None:
    # A duplicate's place is looked up only when one is found; each names the occurrence just before it
    assert check({"N.md": fm("title: a", "title: b", "tags: [ai]", "title: c")}) == [
        "N.md:3:1: VK003 duplicate key 'title' (first on line 2, again on line 3); "
        "YAML keeps only the last value",
        "N.md:5:1: VK003 duplicate key 'title' (first on line 3, again on line 5); "
        "YAML keeps only the last value",
    ]


def test_complex_key_is_refused(check: Check) -> None:
    assert check({"N.md": fm("title: a", "? [a, b]", ": c")}) == [
        "N.md:3:3: VK004 a frontmatter key must be a plain name, not a list or mapping"
    ]


# what every message of a template's placeholder ends with (frontmatter.placeholder_hint). It read "a template
# is left alone where .obsidian/ names its folder, or list it in vaultkit.toml's `exclude`": a statement and
# an order joined by "or", naming no setting, which left a new user (a clone without .obsidian/) guessing
# why a template was checked and what to change. Then it spoke of templates only, and a note made from one
# (core Templates fills in only {{date}}, {{time}} and {{title}}) was told of excluding its folder
_LEFT_ALONE = (
    "in a note made from a template, write what it stands for; a template itself is checked as a note "
    "unless vaultkit.toml's `exclude` or Obsidian's template settings in .obsidian/ name its folder"
)


def test_a_placeholder_left_in_a_note_made_from_a_template_says_to_write_its_value(check: Check) -> None:
    """Regression: a paper note made with the core Templates plugin from a template of the vault's own
    placeholders (`tags: [paper, {{tags}}]`, which core Templates does not fill in) was told only that 'a
    template is checked as a note unless vaultkit.toml's `exclude` ... name its folder': advice that, taken,
    leaves every paper of the folder unchecked. The note is no template: the value is to be written."""
    (problem,) = check({"Papers/Flow.md": fm("tags: [paper, {{tags}}]")})
    assert problem.startswith(
        "Papers/Flow.md:2:15: VK004 YAML reads '{{tags}}' as a mapping inside a mapping"
    )
    assert problem.endswith(
        " ({{tags}} is a template variable, not filled in: in a note made from a template, write what it "
        "stands for; a template itself is checked as a note unless vaultkit.toml's `exclude` or Obsidian's "
        "template settings in .obsidian/ name its folder)"
    )


@pytest.mark.parametrize(
    ("line", "shown"),
    [("created: {{date:YYYY-MM-DD}}", "{{date:YYYY-MM-DD}}"), ("tags: [{{VALUE:tag}}]", "{{VALUE:tag}}")],
)
def test_a_template_placeholder_in_yaml_is_named_as_one(check: Check, line: str, shown: str) -> None:
    """Regression: a template kept outside the template folder vaultkit knows (QuickAdd's, Zotero
    Integration's, or any template in a clone without `.obsidian/`) was reported as 'a frontmatter key must
    be a plain name', at a value: `{{date}}` is a mapping whose key is a mapping to YAML. The message now
    names the placeholder, says it is one, and how to leave templates out."""
    col = line.index("{{") + 1
    assert check({"N.md": fm("title: a", line)}) == [
        f"N.md:3:{col}: VK004 YAML reads '{shown}' as a mapping inside a mapping ({shown} is a template "
        f"variable, not filled in: {_LEFT_ALONE})"
    ]


@pytest.mark.parametrize(
    ("line", "shown"), [("created: {{date}}T{{time}}", "{{date}}"), ("title: {{title}} notes", "{{title}}")]
)
def test_yaml_a_placeholder_breaks_names_the_placeholder(check: Check, line: str, shown: str) -> None:
    """Regression: `created: {{date}}T{{time}}` in a template checked as a note was VK001 'did not find
    expected key (while parsing a block mapping)' alone; the placeholder that broke the YAML is now named."""
    (problem,) = check({"N.md": fm("title: a", line)})
    assert problem.startswith("N.md:3:")
    assert problem.endswith(f" ({shown} is a template variable, not filled in: {_LEFT_ALONE})")


@pytest.mark.parametrize(
    ("line", "shown"),
    [("created: <% tp.date.now() %>", "<% tp.date.now() %>"), ('updated: "{{date}}"', "{{date}}")],
)
def test_a_schema_violation_of_a_placeholder_says_it_is_one(check: Check, line: str, shown: str) -> None:
    """Regression: a Templater command or a quoted placeholder is valid YAML, and in a template checked as a
    note its VK010 ('is not a valid date') did not say the value was a template's, nor how to leave it out."""
    (problem,) = check({"N.md": fm("title: a", line)})
    assert " VK010 " in problem
    kind = "a Templater command, not run" if shown.startswith("<%") else "a template variable, not filled in"
    assert problem.endswith(f" ({shown} is {kind}: {_LEFT_ALONE})")


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (("related: [“[[Alpha]]”]",), "N.md:2:12: VK001 invalid YAML: did not find expected ',' or ']'"),
        (
            ("related:", "  - “[[Alpha]]”"),
            'N.md:3:5: VK010 related[0]: "“[[Alpha]]”" is not a valid wikilink',
        ),
    ],
)
def test_typographic_quotes_in_yaml_are_named(check: Check, lines: tuple[str, ...], expected: str) -> None:
    """Regression: frontmatter typed on a phone gets curled quotes (`“[[Alpha]]”`), which YAML does not read
    as quotes: VK001 said only "did not find expected ','" and VK010 "is not a valid wikilink"."""
    (problem,) = check({"Alpha.md": "x\n", "N.md": fm(*lines)}, schema=None)
    assert problem.startswith(expected)
    assert problem.endswith(
        '; “ and ” are no YAML quotes (a phone\'s keyboard curls quotes as you type): write "[[Alpha]]"'
    )


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ("related:", "<<<<<<< HEAD", '  - "[[A]]"', "=======", '  - "[[B]]"', ">>>>>>> other"),
            "N.md:5:1: VK001 invalid YAML: could not find expected ':' (while scanning a simple key that opens "
            "at 3:1); line 3 holds '<<<<<<< HEAD', a conflict marker git writes where a merge stopped",
        ),
        (
            ("title: x", "=======", "title: y", ">>>>>>> 1a2b3c4 (laptop)"),
            "N.md:4:1: VK001 invalid YAML: could not find expected ':' (while scanning a simple key that opens "
            "at 3:1); line 3 holds '=======', a conflict marker git writes where a merge stopped",
        ),
    ],
)
def test_a_git_conflict_marker_in_yaml_is_named(check: Check, lines: tuple[str, ...], expected: str) -> None:
    """Regression: a note committed with a merge's conflict left in its frontmatter (Obsidian users do
    commit these: obsidian-git's auto-commit, `git commit -a`) said only "could not find expected ':'"."""
    (problem,) = check({"A.md": "x\n", "B.md": "x\n", "N.md": fm(*lines)}, schema=None)
    assert problem == (f"{expected}: keep the lines meant and delete the marker lines"), problem


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "title: It‘s Bob’s: plan",
            "N.md:2:18: VK001 invalid YAML: mapping values are not allowed in this context; a ': ' in a value "
            'reads as a property inside it: write the value in quotes, title: "It‘s Bob’s: plan"',
        ),
        (
            "note: ‘quoted’ and: x",
            "N.md:2:19: VK001 invalid YAML: mapping values are not allowed in this context; ‘ and ’ are no YAML "
            'quotes (a phone\'s keyboard curls quotes as you type): write "quoted"',
        ),
    ],
)
def test_curled_apostrophes_inside_words_are_no_quotes_to_name(
    check: Check, line: str, expected: str
) -> None:
    """Regression: a YAML error on a line holding curled apostrophes (`It‘s Bob’s`) was told "‘ and ’ are no
    YAML quotes: write "s Bob"", text the line never quoted. Only a value that opens and closes with them
    is named (`note: ‘quoted’`)."""
    assert check({"N.md": fm(line)}, schema=None) == [expected]


@pytest.mark.parametrize(
    ("line", "expected", "written"),
    [
        (
            "created: ２０２６-０１-０１",
            'N.md:3:10: VK010 created: "２０２６-０１-０１" is not a valid date',
            "2026-01-01",
        ),
        ("created: ٢٠٢٦-٠٥-١١", 'N.md:3:10: VK010 created: "٢٠٢٦-٠٥-١١" is not a valid date', "2026-05-11"),
        ("count: １２", 'N.md:3:8: VK010 count: "１２" is not an integer', "12"),
    ],
)
def test_digits_of_another_width_or_script_are_named(
    check: Check, line: str, expected: str, written: str
) -> None:
    """Regression: a date or a number typed with an input method in full-width mode (`２０２６-０１-０１`), or in
    Arabic-Indic digits, looks right, and VK010 said only "is not a valid date" or "is not an integer"."""
    (problem,) = check({"N.md": fm("title: a", line)})
    assert problem.startswith(expected)
    assert problem.endswith(
        "; its digits are not 0-9 (full-width, or of another script), which YAML and Obsidian read as text: "
        f"write {written}"
    )


_INPUT_METHOD = "as a Chinese or Japanese input method types it), which YAML reads as text"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ("title：中国AI", "tags: [メモ]"),
            "N.md:3:5: VK001 invalid YAML: mapping values are not allowed in this context; line 2 holds '：' "
            f"(a full-width colon, {_INPUT_METHOD}: write 'title: 中国AI'",
        ),
        (
            ("title: 中国", "tags:", "\u3000- メモ"),
            "N.md:5:1: VK001 invalid YAML: could not find expected ':' (while scanning a simple key that opens at "
            f"4:1); line 4 is indented with an ideographic space (U+3000, {_INPUT_METHOD}: indent with spaces",
        ),
        (
            ("title:\u3000中国", "tags: [メモ]"),
            "N.md:3:5: VK001 invalid YAML: mapping values are not allowed in this context; line 2 holds ':' and "
            f"an ideographic space (U+3000, {_INPUT_METHOD}: write 'title: 中国'",
        ),
        (
            ("type：wiki",),
            "N.md:2:1: VK002 frontmatter must be a mapping of properties, not a single value; line 2 holds '：' "
            f"(a full-width colon, {_INPUT_METHOD}: write 'type: wiki'",
        ),
        # a paragraph of a block scalar indented with an ideographic space (字下げ, as Japanese prose starts
        # one) is text, as meant: no hint on another mistake
        (
            ("summary: |", "  \u3000日本語の段落です。", "tags: [a", "- b"),
            "N.md:6:1: VK001 invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence "
            "that opens at 4:7)",
        ),
        (
            ("summary: >", "  \u3000字下げ", "title: x: y"),
            "N.md:4:9: VK001 invalid YAML: mapping values are not allowed in this context; a ': ' in a value "
            'reads as a property inside it: write the value in quotes, title: "x: y"',
        ),
        # a full-width colon inside a value is text, as meant: no hint on another mistake
        (
            ("title: 注意：重要", "tags: [a", "- b"),
            "N.md:5:1: VK001 invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence "
            "that opens at 3:7)",
        ),
        # nor inside a quoted value continued on the next line at column 0 (regression: it was named)
        (
            ('title: "注意', 'ポイント：重要"', "tags: [a", "- b"),
            "N.md:6:1: VK001 invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence "
            "that opens at 4:7)",
        ),
        (
            ("- 'It''s", "ポイント：重要'", "- [a", "- b"),
            "N.md:6:1: VK001 invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence "
            "that opens at 4:3)",
        ),
    ],
)
def test_full_width_punctuation_of_an_input_method_is_named(
    check: Check, lines: tuple[str, ...], expected: str
) -> None:
    """Regression: a Chinese or Japanese input method types `：` for `:` and an ideographic space for a space,
    which YAML reads as text; VK001 said only "mapping values are not allowed in this context" at the next
    line's colon, and VK002 "not a single value", naming neither the line nor the character."""
    assert check({"N.md": fm(*lines)}, schema=None) == [expected]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "title: Re: meeting notes",
            "2:10: VK001 invalid YAML: mapping values are not allowed in this context; a ': ' in a value reads as "
            'a property inside it: write the value in quotes, title: "Re: meeting notes"',
        ),
        (
            "- source: Book: A Life # from Zotero",  # in a list, and without the comment
            "2:15: VK001 invalid YAML: mapping values are not allowed in this context; a ': ' in a value reads as "
            'a property inside it: write the value in quotes, source: "Book: A Life"',
        ),
        (
            "author: @karpathy",
            "2:9: VK001 invalid YAML: found character that cannot start any token (while scanning for the next "
            "token); no YAML value starts with '@': write the value in quotes, author: \"@karpathy\"",
        ),
        (
            "title: [Draft] Plan",
            "2:16: VK001 invalid YAML: did not find expected key (while parsing a block mapping); a value that "
            "starts with '[' is a list: write the value in quotes, title: \"[Draft] Plan\"",
        ),
        (
            "title: *Important* notes",
            "2:18: VK001 invalid YAML: did not find expected alphabetic or numeric character (while scanning an "
            "alias); a value that starts with '*' names an anchor to YAML: write the value in quotes, "
            'title: "*Important* notes"',
        ),
        # a quoted value that holds its own quote: the other quotes, or the quote doubled
        (
            'title: "He said "hi""',
            "2:18: VK001 invalid YAML: did not find expected key (while parsing a block mapping); the value's \" "
            'ends at the " inside it: write title: \'He said "hi"\'',
        ),
        (
            "- author: 'O'Brien'",
            "2:14: VK001 invalid YAML: did not find expected key (while parsing a block mapping); the value's ' "
            "ends at the ' inside it: write author: \"O'Brien\"",
        ),
        (
            "title: 'Bob's \"best\" day'",
            "2:13: VK001 invalid YAML: did not find expected key (while parsing a block mapping); the value's ' "
            "ends at the ' inside it: write title: 'Bob''s \"best\" day'",
        ),
        # a mistake of another kind: libyaml's words alone
        (
            "title: x\n  y: z",
            "3:4: VK001 invalid YAML: mapping values are not allowed in this context",
        ),
        # diffrev38: a mapping closed twice is no value to quote, though it holds a ': '
        (
            "meta: {a: 1}}",
            "2:13: VK001 invalid YAML: did not find expected key (while parsing a block mapping)",
        ),
    ],
)
def test_a_value_that_needs_quotes_says_how_to_write_it(check: Check, line: str, expected: str) -> None:
    """Regression (unseen38): a title with a colon typed by hand (`title: Re: meeting notes`), a handle
    (`@karpathy`), a title starting `[Draft]` or a quoted value holding its own quote (`'It's'`) was told
    only libyaml's "mapping values are not allowed in this context", "found character that cannot start any
    token" or "did not find expected key", which say nothing of what to write."""
    assert check({"N.md": fm(line)}, schema=None) == ["N.md:" + expected]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ("tags: [#book, #fiction]",),
            "3:1: VK001 invalid YAML: did not find expected node content (while parsing a flow node); {why} "
            "tags: [book, fiction]",
        ),
        (
            ("tags: [book, #fiction]", "title: x"),
            "4:1: VK001 invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence that opens "
            "at 2:7); {why} tags: [book, fiction]",
        ),
        (
            ("aliases: [#hash, x]",),
            "3:1: VK001 invalid YAML: did not find expected node content (while parsing a flow node); {why} "
            'aliases: ["#hash", "x"]',
        ),
    ],
)
def test_a_hash_in_a_list_says_it_starts_a_comment(
    check: Check, lines: tuple[str, ...], expected: str
) -> None:
    """Regression (unseen38): `tags: [#book, #fiction]`, tags written as in the body, was told only "did not
    find expected node content" on the line after it: YAML reads a comment from the `#`, with the `]`."""
    why = "a '#' after a space or a '[' starts a comment in YAML, which ends the list unclosed: write"
    assert check({"N.md": fm(*lines)}, schema=None) == ["N.md:" + expected.format(why=why)]


@pytest.mark.parametrize("listed", ['tags: [a, "b # c"]', "topics: ['issue #42', x]"])
def test_a_hash_quoted_in_a_list_above_an_error_gives_no_comment_hint(check: Check, listed: str) -> None:
    """Regression (diffrev38): a '#' inside a quoted item is no comment, and that list is closed; an error
    on a later line (here an indented key) was told to write the list as it already was."""
    assert check({"N.md": fm(listed, "title: x", "  bad: indent")}, schema=None) == [
        "N.md:4:6: VK001 invalid YAML: mapping values are not allowed in this context"
    ]


# -- the shape of the frontmatter -------------------------------------------------------------------------


@pytest.mark.parametrize("inside", ["", "# only a comment\n", "\n\n"])
def test_empty_frontmatter_is_an_empty_mapping_so_required_fires_at_the_fence(
    check: Check, inside: str
) -> None:
    assert check({"N.md": "---\n" + inside + "---\nBody.\n"}) == [
        "N.md:1:1: VK010 missing required property 'title'"
    ]


def test_missing_required_points_at_the_fence_even_after_a_bom(check: Check) -> None:
    assert check({"N.md": "\ufeff" + fm("text: x")}) == ["N.md:1:1: VK010 missing required property 'title'"]


def test_top_level_list(check: Check) -> None:
    assert check({"N.md": fm("- a", "- b")}) == [
        "N.md:2:1: VK002 frontmatter must be a mapping of properties, not a list"
    ]


def test_top_level_scalar(check: Check) -> None:
    assert check({"N.md": fm("just words")}) == [
        "N.md:2:1: VK002 frontmatter must be a mapping of properties, not a single value"
    ]


def test_bom_before_the_fence_keeps_positions(check: Check) -> None:
    text = "\ufeff" + fm("title: a", "review_value: 12")
    assert check({"N.md": text.encode()}) == [
        "N.md:3:15: VK010 review_value: 12 is greater than the maximum 10"
    ]


def test_crlf_keeps_positions(check: Check) -> None:
    text = fm("title: a", "review_value: 11").replace("\n", "\r\n")
    assert check({"N.md": text.encode()}) == [
        "N.md:3:15: VK010 review_value: 11 is greater than the maximum 10"
    ]


def test_old_mac_line_endings(check: Check) -> None:
    text = fm("title: a", "review_value: 11").replace("\n", "\r")
    assert check({"N.md": text.encode()}) == [
        "N.md:3:15: VK010 review_value: 11 is greater than the maximum 10"
    ]


def test_three_dots_do_not_close_the_frontmatter(check: Check) -> None:
    """Regression: '...' (YAML's document end, which Pandoc accepts) was taken as the closing fence, but
    Obsidian closes frontmatter only with '---': it shows no properties for such a note."""
    assert check({"N.md": "---\ntitle: a\ncreated: 2024-01-05\n...\nBody.\n"}) == [
        "N.md:1:1: VK001 frontmatter opened on line 1 is never closed with '---'; the '...' on line 4 ends a "
        "YAML document, not Obsidian's frontmatter"
    ]


def test_never_closed(check: Check) -> None:
    assert check({"N.md": "---\ntitle: a\n\nBody.\n"}) == [
        "N.md:1:1: VK001 frontmatter opened on line 1 is never closed with '---'"
    ]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("\n---\ntitle: a\n---\nBody.\n", 2),
        ("  ---\ntitle: a\n---\nBody.\n", 1),
        ("\n\n \n---\ntitle: a\n---\n", 4),
    ],
)
def test_whitespace_before_the_fence_is_warned(check: Check, text: str, line: int) -> None:
    assert sorted(check({"N.md": text})) == sorted(
        [
            "N.md:1:1: VK010 missing required property 'title'",
            f"N.md:{line}:1: VK005 frontmatter does not start on the first line: "
            "whitespace before '---' makes "
            "Obsidian read it as body text",
        ]
    )


def test_tab_indentation_reports_line_and_column(check: Check) -> None:
    assert check({"N.md": fm("title: a", "tags:", "\t- ai")}) == [
        "N.md:4:1: VK001 invalid YAML: a tab character cannot be used for indentation in YAML "
        "(while scanning for the next token)"
    ]


def test_unclosed_flow_list(check: Check) -> None:
    # libyaml finds the error at the closing fence; the message says where the list it could not close opens
    assert check({"N.md": fm("title: a", "tags: [ai, ml")}) == [
        "N.md:4:1: VK001 invalid YAML: did not find expected ',' or ']' "
        "(while parsing a flow sequence that opens at 3:7)"
    ]


def test_unquoted_wikilinks_that_break_the_yaml_say_to_quote_them(check: Check) -> None:
    """Zotero literature notes (mdnotes, Logseq exports) write `authors: [[Peize Sun]], [[Yi Jiang]]`: YAML
    reads a list, then stops at the comma. The message said only "did not find expected key"."""
    assert check({"N.md": fm("title: a", "authors: [[Peize Sun]], [[Yi Jiang]]")}, schema=None) == [
        "N.md:3:23: VK001 invalid YAML: did not find expected key (while parsing a block mapping that opens "
        'at 2:1); a [[link]] in a property needs quotes: write ["[[Peize Sun]]", "[[Yi Jiang]]"]'
    ]


def test_the_quoted_wikilinks_suggested_read_back_as_the_links_written(check: Check) -> None:
    # `"[[A|say "hi"]]"` was suggested, which YAML cannot read, and `"[[C\\D]]"` for `[[C\\D]]`, which it
    # reads as `[[C\D]]`: each link is now written as a YAML (JSON) string, escaped
    (line,) = check({"N.md": fm('authors: [[A|say "hi"]], [[C\\\\D]]')}, schema=None)
    shown = line.partition("needs quotes: write ")[2]
    assert shown == '["[[A|say \\"hi\\"]]", "[[C\\\\\\\\D]]"]'
    assert yaml.safe_load(shown) == ['[[A|say "hi"]]', "[[C\\\\D]]"]


_NESTED = "is a list holding a list to YAML, and no link to Obsidian"


def test_unquoted_wikilink_is_a_nested_list(check: Check) -> None:
    # Found on a real vault: the message named a list where the user wrote a link, and said nothing of quotes.
    # The bundled schema's VK010 said so too (`related[0]: ["Other"] is not a string`): VK008 says it once.
    assert check({"N.md": fm("related: [[Other]]")}, schema=None) == [
        f'N.md:2:10: VK008 related: [[Other]] {_NESTED}: write "[[Other]]", in quotes'
    ]


def test_unquoted_wikilink_where_a_string_is_expected_says_to_quote_it(check: Check) -> None:
    assert check({"N.md": fm("title: a", "text: [[Other Note]]")}) == [
        f'N.md:3:7: VK008 text: [[Other Note]] {_NESTED}: write "[[Other Note]]", in quotes'
    ]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (("up: [[Meituan]]",), ["N.md:2:5: VK008 up: [[Meituan]]"]),  # a property no schema types
        (("up:", "  - [[ResRL]]", '  - "[[Moonshot AI]]"'), ["N.md:3:5: VK008 up[0]: [[ResRL]]"]),  # block
        (('up: ["[[A]]", [[B|shown]]]',), ["N.md:2:15: VK008 up[1]: [[B|shown]]"]),  # in a flow list
        (("who:", "  lab: [[Qwen]]"), ["N.md:3:8: VK008 who.lab: [[Qwen]]"]),  # in a mapping
        (
            ("year: [[2024]]", "flag: [[true]]"),
            ["N.md:2:7: VK008 year: [[2024]]", "N.md:3:7: VK008 flag: [[true]]"],
        ),
        (('up: "[[Meituan]]"', "matrix: [[1, 2]]", "pair: [[a, b]]", "one: [ [Other] ]", 'e: [["M"]]'), []),
    ],
)
def test_a_wikilink_left_unquoted_in_any_property_is_reported(
    check: Check, lines: tuple[str, ...], expected: list[str]
) -> None:
    """Regression: `up: [[Meituan]]` (source mode, a template) is a list holding a list to YAML and no link
    to Obsidian, which shows no backlink; only a property a schema types as text said so (VK010)."""
    found = [
        line.partition(" is a list")[0]
        for line in check({"N.md": fm(*lines)}, schema=None)
        if "VK1" not in line
    ]
    assert found == expected


def test_the_quotes_an_unquoted_wikilink_is_told_to_take_read_back_as_it(check: Check) -> None:
    """`"[[N|say "hi"]]"` was suggested, which YAML cannot read: the suggestion is a JSON string, escaped."""
    (line,) = check({"N.md": fm('up: [[N|say "hi"]]')}, schema=None)
    shown = line.partition("write ")[2].removesuffix(", in quotes")
    assert yaml.safe_load(shown) == '[[N|say "hi"]]', line


def test_a_flow_list_of_one_is_no_unquoted_wikilink(check: Check) -> None:
    assert check({"N.md": fm("title: a", "text: [Other]", "note: [ [Other] ]")}) == [
        'N.md:3:7: VK010 text: ["Other"] is not a string'
    ]


# -- hostile YAML ----------------------------------------------------------------------------------------


BOMB = (
    "---\n"
    + 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "---\nBody.\n"
)


def test_alias_bomb_is_refused_before_it_is_expanded(check: Check) -> None:
    """Eight lists of nine aliases to the list before, down to nine strings, expand to 9**9 values: refused
    from the sizes of its nodes, each counted once, before a single value is built. Counted, not timed
    (lines of vaultkit run, the same on every machine): reading the bomb runs fewer lines than reading the
    same lists written out, 90 values (1,068 against 2,239); building values until the walk's budget of
    200,000 runs out would run 4.3 million."""
    written_out = re.sub(r"\*[a-h]", '"lol"', re.sub(r"&[a-i] ", "", BOMB))
    assert "&" not in written_out and "*" not in written_out
    assert lines_run(lambda: _load(BOMB)) < lines_run(lambda: _load(written_out))
    assert check({"N.md": BOMB}) == [
        "N.md:7:4: VK004 YAML aliases expand to more than 200000 values (an alias bomb?)"
    ]


def _load(text: str) -> frontmatter.Frontmatter:
    fm = frontmatter.split(text)
    frontmatter.load(text, fm)
    return fm


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!python/object/apply:os.system ['touch PWNED']", "!!python/object/apply:os.system"),
        ("!!python/name:os.system", "!!python/name:os.system"),
        ("!!binary aGVsbG8=", "!!binary"),
        ("!custom thing", "!custom"),
    ],
)
def test_unsafe_tags_are_refused_and_never_run(check: Check, value: str, tag: str) -> None:
    assert check({"N.md": fm("title: a", f"x: {value}")}) == [
        f"N.md:3:4: VK004 YAML tag '{tag}' is not allowed in frontmatter"
    ]
    assert not Path("PWNED").exists()


def test_deep_nesting_is_refused(check: Check) -> None:
    assert check({"N.md": fm("title: a", "x: " + "[" * 600 + "]" * 600)}) == [
        "N.md:2:1: VK004 YAML nested deeper than 500 levels refused"
    ]


# -- collapsed frontmatter (a seed file as it was found) -------------------------------------------------


def test_collapsed_frontmatter_of_the_seed_is_reported(check: Check, tmp_path: Path) -> None:
    if not SEED.is_file():
        pytest.skip("the shared seeds are not next to the repository")
    note = tmp_path / "seed.md"
    shutil.copyfile(SEED, note)
    assert check({"Seed.md": note.read_bytes()}, schema=None) == [
        "Seed.md:1:1: VK006 frontmatter collapsed onto one line ('--- key: value ... ---'): "
        "the line breaks between keys were lost, so Obsidian sees no properties; "
        "put '---', each key and the closing '---' on lines of "
        "their own"
    ]


def test_a_paragraph_between_rules_is_not_collapsed_frontmatter(check: Check) -> None:
    assert check({"M.md": "Text before.\n\n--- title: not at the top ---\n"}, schema=None) == []


def test_a_short_collapsed_line(check: Check) -> None:
    assert [line[:20] for line in check({"N.md": "--- title: x type: raw ---\nBody.\n"}, schema=None)] == [
        "N.md:1:1: VK006 fron"
    ]


# -- tags -------------------------------------------------------------------------------------------------


def test_select_vk022_shows_a_tag_the_schema_also_rejects(make_vault: VaultFactory) -> None:
    # regression: the engine deduped VK022 against the unselected VK010 before applying --select
    root = make_vault({"T.md": fm("tags: ['open weights']")})
    result = run_cli("check", "--no-cache", "--select", "VK022", root)
    assert "VK022" in result.stdout


def test_tag_rejected_by_both_is_reported_once(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_vault({"T.md": fm("tags: ['open weights', ok]")})
    monkeypatch.chdir(root)
    lines = run_cli("check", "--no-cache", ".").stdout.splitlines()[:-1]
    # regression: it was the bundled schema's VK010 ("is not a valid tag: " and the schema's description),
    # where the README names VK022 the rule of tags, and VK022 says what is wrong with it
    assert lines == ["T.md:2:8: VK022 tags: 'open weights' contains ' '"]


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("meeting, draft", "tags: 'meeting, draft' contains ' ', ','; write a list: tags: [meeting, draft]"),
        ("读书,笔记", "tags: '读书,笔记' contains ','; write a list: tags: [读书, 笔记]"),
        # a piece that is no tag either (digits only, a space, a `#`): no list that would be wrong again
        ("reise, 2024", "tags: 'reise, 2024' contains ' ', ','"),
        ("a, b c", "tags: 'a, b c' contains ' ', ','"),
        ("'#a, #b'", "tags: '#a, #b' contains ' ', '#', ','"),
        ("[x, 'y, z']", "tags: 'y, z' contains ' ', ','"),  # in a list, the item is one value
    ],
)
def test_a_string_of_tags_with_commas_is_told_the_list_to_write(
    make_vault: VaultFactory, value: str, said: str
) -> None:
    """Obsidian does not split `tags: meeting, draft` at its commas: one invalid tag, which VK022 said
    contains ' ' and ',' and left the user to find the list form in the README."""
    root = make_vault({"T.md": fm(f"tags: {value}")})
    lines = run_cli("check", "--no-cache", "--select", "VK022", root).stdout.splitlines()[:-1]
    assert [line.partition(" VK022 ")[2] for line in lines] == [said]


def test_a_tag_of_other_digits_than_0_to_9_is_a_tag(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Obsidian's "not only digits" test is `/[^0-9]/` beside its hashtag pattern (app.js 1.13.7, as a
    stand-in for its hashtag parser copies it; plugins that re-implement it use JavaScript's `\\D`, ASCII
    too). Regression: VK022 said `١٢٣` and `۱۴۰۳` (Arabic-Indic and Persian digits) had no letter. The test is
    on the whole tag: the nesting `/` is a character other than 0-9, as `_` and `-` are (`#1_2` and `#1-2`
    are tags in Obsidian: obsidian-tasks' "Testing Tag Recognition", read from Obsidian's metadata cache).
    Regression: VK022 said `2024/01` had only digits."""
    tags = "['١٢٣', '۱۴۰۳', '2024', '2024/01', '1/a', 'a/1', '1_2', '#12']"
    root = make_vault({"T.md": fm(f"tags: {tags}")})
    monkeypatch.chdir(root)
    lines = run_cli("check", "--no-cache", "--select", "VK022", ".").stdout.splitlines()[:-1]
    assert [line.partition("VK022 ")[2] for line in lines] == [
        "tags: '2024' has only digits 0-9: Obsidian needs at least one other character",
        "tags: '#12' has only digits 0-9: Obsidian needs at least one other character",
    ]


def test_tags_written_with_hashes_unquoted_are_a_yaml_comment(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`tags: #zotero, #reference` (as Zotero literature-note templates and Logseq exports write it) is a
    YAML comment: the property is empty and Obsidian shows no tag. Regression: nothing was said. A comment
    that reads as one (`# to do`) is left alone. So are tags written on the lines below `tags:` (regression:
    nothing was said of them either, review31), also after a comment that reads as one, which is not named
    with them (regression: F said nothing, G named '# TODO: more' among the tags, review2)."""
    files = {
        "A.md": fm("tags: #zotero, #literature-notes"),
        "B.md": fm("Tags:\n  - ok\n  - #todo"),
        "C.md": fm("tags: # none yet"),
        "D.md": fm("tags:\n#zotero\n  #paper, #to-read\n\ntitle: x"),
        "E.md": fm("tags:\n# to do later\ntitle: x"),
        "F.md": fm("tags:\n# imported from Zotero\n#zotero #paper\ntitle: x"),
        "G.md": fm("tags:\n#zotero\n# TODO: more\ntitle: x"),
    }
    root = make_vault(files)
    monkeypatch.chdir(root)
    lines = run_cli("check", "--no-cache", "--select", "VK022", ".").stdout.splitlines()[:-1]
    assert lines == [
        "A.md:2:7: VK022 tags: '#zotero, #literature-notes' is a YAML comment, so Obsidian reads no tag: "
        'write tags without the # ([zotero, literature-notes]) or in quotes ("#zotero")',
        "B.md:4:5: VK022 Tags[1]: '#todo' is a YAML comment, so Obsidian reads no tag: "
        'write tags without the # ([todo]) or in quotes ("#todo")',
        "D.md:3:1: VK022 tags: '#zotero', '#paper, #to-read' are YAML comments, so Obsidian reads no tag: "
        'write tags without the # ([zotero, paper, to-read]) or in quotes ("#zotero")',
        "F.md:4:1: VK022 tags: '#zotero #paper' is a YAML comment, so Obsidian reads no tag: "
        'write tags without the # ([zotero, paper]) or in quotes ("#zotero")',
        "G.md:3:1: VK022 tags: '#zotero' is a YAML comment, so Obsidian reads no tag: "
        'write tags without the # ([zotero]) or in quotes ("#zotero")',
    ]


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85"])
def test_tags_commented_below_are_read_by_line_feeds_only(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, char: str
) -> None:
    """A comment line ends at a line feed, as Obsidian's YAML 1.2 and the note's line numbers count lines.
    Regression: `str.splitlines` also split at U+2028, U+2029 and U+0085 (libyaml lets them into a comment):
    `# imported<LS>#zotero`, one comment of prose, named '#zotero' as a tag, and `# imported<LS>done` hid the
    `#zotero` on the line after it."""
    files = {
        "A.md": fm(f"tags:\n# imported{char}#zotero\ntitle: x"),
        "B.md": fm(f"tags:\n# imported{char}done\n#zotero\ntitle: x"),
    }
    root = make_vault(files)
    monkeypatch.chdir(root)
    lines = run_cli("check", "--no-cache", "--select", "VK022", ".").stdout.splitlines()[:-1]
    assert [line.partition(" VK022 ")[::2] for line in lines] == [
        (
            "B.md:4:1:",
            "tags: '#zotero' is a YAML comment, so Obsidian reads no tag: "
            'write tags without the # ([zotero]) or in quotes ("#zotero")',
        )
    ]


def test_a_yaml_number_in_tags_is_no_tag(make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Obsidian keeps only the text values of `tags` (parseFrontMatterTags, through parseFrontMatterStringArray:
    numbers, booleans and nulls in the list are dropped, a number alone is no tags at all; de-minified audit of
    Obsidian 1.12.7, clintonthegeek/Corbomite docs/obsidian-audit/domains/parsing.md, section 1). Regression:
    `tags: [ai, 2024]`, `Tags: 42` and `1.5` got no VK022 (the bundled schema said VK010 of the first number
    of `tags:` only, and a vault's own schemas may say nothing)."""
    root = make_vault({"T.md": fm("tags: [ai, 2024, 1.5]"), "U.md": fm("Tags: 42")})
    monkeypatch.chdir(root)
    lines = run_cli("check", "--no-cache", "--select", "VK022", ".").stdout.splitlines()[:-1]
    why = 'Obsidian takes no tag from a YAML number (write it as text with a letter: "y2024")'
    assert [line.partition(" VK022 ")[::2] for line in lines] == [
        ("T.md:2:12:", f"tags: 2024 is a number: {why}"),
        ("T.md:2:18:", f"tags: 1.5 is a number: {why}"),
        ("U.md:2:7:", f"Tags: 42 is a number: {why}"),
    ]


def test_a_tag_in_curled_quotes_is_named(make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: `tags: [“meeting”]`, typed on a phone, was silent: YAML keeps the curled quotes, so the
    note's tag is `“meeting”`, not `meeting`. VK022 now says so, with the hint VK001 and VK010 give."""
    root = make_vault(
        {"A.md": fm("tags: [“meeting”]"), "B.md": fm("tags:\n  - ‘draft’"), "C.md": fm("tags: [a’b]")}
    )
    monkeypatch.chdir(root)
    lines = run_cli("check", "--no-cache", "--select", "VK022", ".").stdout.splitlines()[:-1]
    why = "a phone's keyboard curls quotes as you type"
    assert lines == [
        f"A.md:2:8: VK022 tags: '“meeting”' keeps its curled quotes as part of the tag; “ and ” are no YAML "
        f'quotes ({why}): write "meeting"',
        f"B.md:3:5: VK022 tags: '‘draft’' keeps its curled quotes as part of the tag; ‘ and ’ are no YAML "
        f'quotes ({why}): write "draft"',
    ]


def test_the_bundled_schemas_take_the_nested_tags_vk022_takes(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bundled `tag` definition and VK022 give one answer: `2024/01` is a tag to both, `2024` to neither
    (reported once). Regression: the schema's pattern refused a tag of digits and `/` (VK010)."""
    root = make_vault({"T.md": fm("tags: ['2024/01', '1/a', '2024']")})
    monkeypatch.chdir(root)
    lines = run_cli("check", "--no-cache", ".").stdout.splitlines()[:-1]
    assert len(lines) == 1, lines
    assert lines[0].startswith("T.md:2:") and "2024/01" not in lines[0] and "1/a" not in lines[0]


def test_a_tags_key_in_any_case_is_checked(make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Obsidian reads tags from the first key that matches `/^tags$/i` (parseFrontMatterTags, in a de-minified
    audit of Obsidian 1.12.7: clintonthegeek/Corbomite docs/obsidian-audit/domains/parsing.md, section 1).
    Regression: the tags of `Tags:` were not checked."""
    root = make_vault({"T.md": fm("Tags: [ok, 'open weights']")})
    monkeypatch.chdir(root)
    lines = run_cli("check", "--no-cache", "--select", "VK022", ".").stdout.splitlines()[:-1]
    assert lines == ["T.md:2:12: VK022 Tags: 'open weights' contains ' '"]


def test_a_tag_written_with_its_hash_is_a_tag(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Obsidian adds the '#' only to a frontmatter tag that has none (parseFrontMatterTags, in a de-minified
    audit of Obsidian 1.12.7: clintonthegeek/Corbomite docs/obsidian-audit/domains/parsing.md, section 1), so
    `"#ai"` is the tag ai. Regression: VK022 and the schema (VK010) called it invalid; `##ai`, `#` and a
    tag holding a space still are."""
    root = make_vault(
        {
            "T.md": fm("tags: ['#ai', '#lab/deep', ok]"),
            "S.md": fm("tags: '#ai'"),
            "U.md": fm("tags: ['##ai', '#', '#a b']"),
        }
    )
    monkeypatch.chdir(root)
    lines = run_cli("check", "--no-cache", "--select", "VK0", ".").stdout.splitlines()[:-1]
    assert [line.split(": ")[0] for line in lines] == ["U.md:2:8", "U.md:2:16", "U.md:2:21"]


@pytest.mark.parametrize(
    ("src", "deep"),
    [
        ("a: " + "[" * 501 + "]" * 501, True),
        ("a: " + "[" * 500 + "]" * 500, False),
        ("a: [" + "[]" * 600 + "]", False),  # many brackets, little depth
        (" " * 1002 + "x: 1", True),  # indentation: two characters a level
        (" " * 1001 + "x: 1", False),
        ("a:\n" + "- " * 501 + "x", True),
    ],
)
def test_depth_guard_before_libyaml(src: str, deep: bool) -> None:
    assert _too_deep(src) is deep


def test_a_control_character_is_one_line_at_its_place(check: Check) -> None:
    """PyYAML's message for it spans two lines and names "<unicode string>"; the diagnostic is one line."""
    assert check({"N.md": fm("title: a", "summary: x\x01y")}) == [
        "N.md:3:11: VK001 invalid YAML: the character U+0001 is not allowed in YAML"
    ]


@pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85"])
def test_places_after_a_character_libyaml_takes_for_a_line_break(make_vault: VaultFactory, char: str) -> None:
    """Regression: libyaml (YAML 1.1) also breaks lines at NEL, U+2028 and U+2029, so every place after one in
    the frontmatter was a line too far: a diagnostic on line 6 of a five-line note."""
    note = f'---\nkind: x\nnote: "a{char}b"\ntitle: a\ntitle: b\nrelated:\n  - "[[zz]]"\n---\n'
    root = make_vault({"A.md": note})
    out = run_cli("check", "--no-cache", "--select", "VK003,VK101", root).stdout
    assert "A.md:5:1: VK003 duplicate key 'title' (first on line 4, again on line 5)" in out, out
    assert "A.md:7:6: VK101 broken link: 'zz'" in out, out


ODD_BREAKS = pytest.mark.parametrize("char", ["\u2028", "\u2029", "\x85"], ids=["LS", "PS", "NEL"])


@ODD_BREAKS
@pytest.mark.parametrize(
    ("lines", "data"),
    [
        (["a: 1 # a comment{c}b: 2"], {"a": 1}),
        (["# a comment{c}b: 2", "a: 1"], {"a": 1}),
        (["a: 1 # a comment{c}: x"], {"a": 1}),
        (["a: 1 # a comment{c}  - x"], {"a": 1}),
        (['a: 1 # a comment{c}"unclosed'], {"a": 1}),
        (["a:", "  - 1 # a comment{c}- 2"], {"a": [1]}),
        (["a: x{c}y"], {"a": "x{c}y"}),
        (['a: "x{c}y"'], {"a": "x{c}y"}),
        (["a: 'x{c}y'"], {"a": "x{c}y"}),
        (["a: |", "  x{c}y"], {"a": "x{c}y\n"}),
        (["a: [x{c}y, z]"], {"a": ["x{c}y", "z"]}),
        (["a{c}b: 1"], {"a{c}b": 1}),
    ],
)
def test_a_character_yaml_11_takes_for_a_line_break_is_read_as_yaml_12_reads_it(
    char: str, lines: list[str], data: dict[str, object]
) -> None:
    """libyaml and PyYAML (YAML 1.1) also break lines at NEL, U+2028 and U+2029: the rest of a comment became
    YAML (a property Obsidian never sees, or a syntax error), and a value was cut in two or folded. YAML 1.2,
    which Obsidian follows, breaks lines only at LF and CR, so these are ordinary characters everywhere."""
    expected = json.loads(json.dumps(data).replace("{c}", json.dumps(char)[1:-1]))
    assert loaded(*(line.replace("{c}", char) for line in lines)) == (expected, [])


@ODD_BREAKS
def test_an_escape_in_a_double_quoted_value_is_not_taken_for_an_odd_break(char: str) -> None:
    assert loaded(f'a: "\\ue000\\U0000E001 {char}"', "b: \ue002") == (
        {"a": f"\ue000\ue001 {char}", "b": "\ue002"},
        [],
    )


@ODD_BREAKS
def test_an_odd_break_in_a_comment_hides_no_property_and_places_stay_right(check: Check, char: str) -> None:
    note = fm("title: a # imported from the web" + char + "review_value: 12", "count: 12")
    assert check({"N.md": note}) == ["N.md:3:8: VK010 count: 12 is greater than the maximum 9"]


@ODD_BREAKS
def test_link_leaves_a_comment_with_an_odd_break_alone(make_vault: VaultFactory, char: str) -> None:
    """What libyaml read as a `related:` key inside a comment was where link added the relation."""
    meituan = "---\ntype: entity # was: related" + char + "related: []\n---\nA lab.\n"
    root = make_vault({"Meituan.md": meituan, "ResRL.md": "Trained at Meituan.\n"})
    result = run_cli("link", "--no-cache", root)
    assert result.exit_code == 0, result.output
    assert (root / "ResRL.md").read_text(encoding="utf-8") == "Trained at [[Meituan]].\n"
    text = (root / "Meituan.md").read_text(encoding="utf-8")
    assert text.startswith(meituan.split("\n---\n")[0] + "\n"), text
    assert run_cli("link", "--no-cache", "--check", root).exit_code == 0


def test_no_free_stand_in_is_a_diagnostic_not_a_wrong_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(frontmatter, "_STAND_INS", (range(0xE000, 0xE002),))
    assert loaded("a: 1 # a comment\u2028b: 2", "c: \ue000") == (
        {},
        [
            "2:1: VK001 invalid YAML: NEL, U+2028 or U+2029 (a line break in YAML 1.1, an ordinary character "
            "in YAML 1.2 and Obsidian) cannot be read here: the frontmatter leaves no character free to stand "
            "in for it"
        ],
    )


def test_a_tag_item_yaml_reads_as_a_comment_is_one_problem(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`tags:` then `  - #todo`: YAML reads a comment, so the item is null. Regression: the one mistake was
    reported twice, VK010 ("null (empty) is not a string") and VK022 one column on; VK022, which says what to
    write, is kept. An empty item with no tag in a comment is still VK010's."""
    files = {"A.md": fm("tags:\n  - #todo"), "B.md": fm("tags:\n  - ok\n  -\n")}
    root = make_vault(files)
    monkeypatch.chdir(root)
    lines = run_cli("check", "--no-cache", ".").stdout.splitlines()[:-1]
    assert [line[: line.index("]") + 1] for line in lines] == [
        "A.md:3:5: VK022 tags[0]",
        "B.md:4:4: VK010 tags[1]",
    ]


def test_a_commented_tag_of_digits_is_not_suggested(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`tags: #1984` is a YAML comment; written as text, `1984` would be no tag either: Obsidian wants a
    character other than 0-9 (help.obsidian.md, Tags, "Tag format"). Regression: VK022 suggested `[1984]`."""
    root = make_vault({"A.md": fm("tags: #1984"), "B.md": fm("tags: #1984, #ai")})
    monkeypatch.chdir(root)
    lines = run_cli("check", "--no-cache", "--select", "VK022", ".").stdout.splitlines()[:-1]
    digits = "1984 has only digits 0-9: Obsidian needs at least one other character"
    assert lines == [
        "A.md:2:7: VK022 tags: '#1984' is a YAML comment, so Obsidian reads no tag, and as text it would be "
        f"none either: {digits}",
        "B.md:2:7: VK022 tags: '#1984, #ai' is a YAML comment, so Obsidian reads no tag: "
        f'write tags without the # ([ai]) or in quotes ("#ai"); {digits}',
    ]


def test_a_template_placeholder_in_a_note_says_what_it_is(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A template vaultkit is not told of (its settings not committed, or kept outside the template folder),
    or a note its template was never applied to, holds placeholders where values go. Regression: a bare
    VK001 (`<%* let t = tp.file.title %>` on a line of its own), VK004 (`created: {{date}}`, a mapping to
    YAML), VK010 (`created: <% tp.date.now() %>` is no date) or VK101 (`[[<% tp.file.folder() %>]]`), which
    did not say why. The message now names the placeholder and what to do; the value is still checked (in a
    note, an unrun command is an error). A template in the folder Templater's settings name is not checked."""
    files = {
        "Exec.md": fm("<%* let t = tp.file.title %>\ntitle: <% t %>"),
        "Core.md": fm("created: {{date}}"),
        "Loose.md": fm("created: <% tp.date.now() %>"),
        "Up.md": fm('up: "[[<% tp.file.folder() %>]]"'),
        "Plain.md": fm("created: soon"),
        "Templates/T.md": fm("created: <% tp.date.now() %>"),
        ".obsidian/plugins/templater-obsidian/data.json": '{"templates_folder": "Templates"}',
    }
    root = make_vault(files)
    monkeypatch.chdir(root)
    lines = run_cli("check", "--no-cache", ".").stdout.splitlines()[:-1]
    where = _LEFT_ALONE
    assert [line.partition(" (")[2] if "(" in line else line for line in lines] == [
        f"{{{{date}}}} is a template variable, not filled in: {where})",
        f"<% t %> is a Templater command, not run: {where})",  # the line YAML stopped at names it
        f"<% tp.date.now() %> is a Templater command, not run: {where})",
        'Plain.md:2:10: VK010 created: "soon" is not a valid date',
        f"<% tp.file.folder() %> is a Templater command, not run: {where})",
    ]
    assert [line.split(" ")[1] for line in lines] == ["VK004", "VK001", "VK010", "VK010", "VK101"]
