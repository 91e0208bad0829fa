"""Configuration that cannot work is one clear error (exit 2), and a configuration change reaches the cache."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import VaultFactory, run_cli, run_installed, snapshot

from vaultkit.nesting import MAX_DEPTH, TooDeep, parse_bounded
from vaultkit.note import REPORT_MARKER, is_report

ENTITY = "---\ntype: entity\nkind: lab\ntier: 2\n---\nx\n"


def _age(root: Path) -> None:
    """Make every file look older than the cache's two-second racy window, so that signatures are trusted."""
    old = time.time() - 10
    for path in root.rglob("*"):
        os.utime(path, (old, old))


def test_editing_types_json_reaches_a_cached_run(make_vault: VaultFactory) -> None:
    root = make_vault({"A.md": ENTITY, ".obsidian/types.json": '{"types": {}}'})
    _age(root)
    assert run_cli("check", root).exit_code == 0
    (root / ".obsidian/types.json").write_text(json.dumps({"types": {"tier": "text"}}))
    result = run_cli("check", root)
    assert "VK023" in result.stdout, result.stdout


@pytest.mark.parametrize(
    ("rel", "content", "where", "said"),
    [
        # Regression: each stopped every run with exit 2, and a pre-commit hook every commit
        (".obsidian/app.json", "", "1:1", "empty; Obsidian's defaults are used: no excluded files"),
        (".obsidian/app.json", '{\n  "userIgnoreFilters": [\n    "Old/"', "3:11", "invalid JSON"),
        (".obsidian/app.json", "[]", "1:1", "not a JSON object but []"),
        (".obsidian/types.json", '{"types": {"tier": "num', "1:20", "no property types are declared"),
        (".obsidian/templates.json", "\ufeff{\n\xff}", "2:1", "not UTF-8 (byte 0xff)"),
        (".obsidian/daily-notes.json", '{"template": "Daily"', "1:21", "are checked as notes"),
        # Regression: a setting of the wrong kind stopped every run with exit 2; now said at its key (the
        # last of two, whose value JSON.parse keeps), and Obsidian's default used
        (
            ".obsidian/app.json",
            '{\n  "userIgnoreFilters": ["Old/"],\n  "userIgnoreFilters": "Old/"\n}',
            "3:3",
            "userIgnoreFilters: 'Old/' is not a list of filters (Obsidian reads each of its characters",
        ),
        (".obsidian/app.json", '{"userIgnoreFilters": {"Old/": true}}', "1:2", "Obsidian excludes no file"),
        (".obsidian/app.json", '{"useMarkdownLinks": "yes"}', "1:2", "'yes' is not true or false"),
        (".obsidian/app.json", '{"a": {"newLinkFormat": 1},\n"newLinkFormat": 3}', "2:1", "3 is not one of"),
        # Regression: a list or an object is no key of a set: an internal error (TypeError), exit 2
        (".obsidian/app.json", '{"newLinkFormat": ["absolute"]}', "1:2", "['absolute'] is not one of"),
        (".obsidian/types.json", '{"types": ["tier"]}', "1:2", "'types' is not an object but ['tier']"),
    ],
)
def test_a_settings_file_that_cannot_be_read_is_said_and_the_run_goes_on(
    make_vault: VaultFactory, rel: str, content: str, where: str, said: str
) -> None:
    """Left empty or cut short by a sync conflict or a crash mid-write: the run goes on without it, with
    Obsidian's defaults for what it holds, and says so where the file goes wrong (VK024)."""
    root = make_vault({"A.md": "x\n", "Old/B.md": "[[Missing]]\n"})
    (root / rel).write_bytes(content.encode("utf-8", "surrogateescape").replace(b"\xc3\xbf", b"\xff"))
    line, stdout = _the_vk024(root, rel, where)
    assert said in line, line
    assert "VK101" in stdout  # Old/B.md is checked: no filter excludes it


def _the_vk024(root: Path, rel: str, where: str) -> tuple[str, str]:
    """The one VK024 line of a whole-vault check (which must go on: exit 1, not 2), at `rel:where`, and
    the whole output."""
    result = run_cli("check", "--no-cache", root)
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stdout.splitlines() if "VK024" in line]
    assert len(lines) == 1 and f"/v/{rel}:{where}: VK024 " in lines[0], result.stdout
    return lines[0], result.stdout


@pytest.mark.parametrize(
    "bad",
    [
        "/^(a+)+$/",  # could run for ever on a long name: it runs on every path of the vault
        "/(?i)old/",  # Python's syntax, not JavaScript's: Obsidian ignores it
        "/(?<=O+)ld/",  # JavaScript's, but Python reads no lookbehind of varying length
        # JavaScript's too; Python's `re` raised OverflowError and RecursionError: an internal error, exit 2
        "/Old{4294967296}/",
        "/" + "(" * 1000 + "Old" + ")" * 1000 + "/",
        # JavaScript refuses to repeat an assertion (node 20: "Nothing to repeat", "Invalid quantifier");
        # Python repeated it, and so hid Old/
        "/Old\\b+/",
        "/(?<=O)*ld/",
    ],
)
def test_an_ignore_filter_vaultkit_cannot_read_is_said_and_left_out(
    make_vault: VaultFactory, bad: str
) -> None:
    """Regression: the whole run stopped with exit 2 (`(?<=O+)` and the runaway pattern), or the filter was
    applied where Obsidian applies none (`(?i)`). Now it is named where it is written, and the others apply."""
    app = '{\n  "userIgnoreFilters": [\n    "Attic/",\n    ' + json.dumps(bad) + "\n  ]\n}"
    root = make_vault({"Old/B.md": "[[Missing]]\n", "Attic/C.md": "[[Missing]]\n", ".obsidian/app.json": app})
    result = run_cli("check", "--no-cache", root)
    assert result.exit_code == 1, result.output
    assert f"v/.obsidian/app.json:4:5: VK024 userIgnoreFilters: {bad!r} is not applied" in result.stdout
    assert "v/Old/B.md:1:1: VK101" in result.stdout and "Attic/C.md" not in result.stdout, result.stdout


@pytest.mark.parametrize(
    ("rel", "content", "where", "said"),
    [
        (
            ".obsidian/plugins/quickadd/data.json",
            '{\n  "choices": {"a": 1}\n}',
            "2:3",
            "'choices' is not a list",
        ),
        (
            ".obsidian/plugins/quickadd/data.json",
            '{"choices": [{"type": "Template", "templatePath": 5}]}',
            "1:35",
            "'choices.*.templatePath' is not text but 5",
        ),
        (".obsidian/plugins/quickadd/data.json", '{"choices": ["Log"]}', "1:2", "is not an object but 'Log'"),
        (".obsidian/plugins/obsidian-kanban/data.json", '{"new-note-template": 5}', "1:2", "is not text"),
        (".obsidian/plugins/templater-obsidian/data.json", '{"templates_folder": [1]}', "1:2", "is not text"),
    ],
)
def test_a_plugins_settings_of_another_shape_are_said_and_the_run_goes_on(
    make_vault: VaultFactory, rel: str, content: str, where: str, said: str
) -> None:
    """A plugin's data.json is the plugin's: another version may shape it otherwise. Regression: each
    stopped every run (and every commit) with exit 2, though vaultkit only looks there for templates."""
    root = make_vault({"A.md": "[[Missing]]\n", rel: content})
    line, stdout = _the_vk024(root, rel, where)
    assert said in line and "checked as notes" in line, line
    assert "A.md:1:1: VK101" in stdout


@pytest.mark.parametrize(
    ("rel", "content"),
    [
        (".obsidian/templates.json", '{"folder": "Templates"'),  # cut short by a sync conflict
        (".obsidian/app.json", ""),
        (".obsidian/app.json", '{"userIgnoreFilters": ["/(?<=A+)rchive/"]}'),  # JavaScript's, not Python's
        (".obsidian/plugins/quickadd/data.json", '{"choices": {"Project": 1}}'),
        (".obsidian/app.json", '{"userIgnoreFilters": "Archive/"}'),  # Obsidian: each character a filter
    ],
)
@pytest.mark.parametrize("command", [("link",), ("check", "--fix")])
def test_no_note_is_written_while_a_setting_that_guards_notes_is_not_applied(
    make_vault: VaultFactory, rel: str, content: str, command: tuple[str, ...]
) -> None:
    """Regression: with the settings that name the templates and the excluded files unread (VK024), `link`
    and `check --fix` linked the template `Templates/T.md` (a link then copied into every note made from
    it) and the excluded `Archive/A.md`. They now refuse to write (exit 2), and say why; `check` and
    `link --check` still report."""
    template, archived = "About Meituan here.\n", "About Meituan there.\n"
    files = {"Meituan.md": "x\n", "Templates/T.md": template, "Archive/A.md": archived}
    settings = {
        ".obsidian/templates.json": '{"folder": "Templates"}',
        ".obsidian/app.json": '{"userIgnoreFilters": ["Archive/"]}',
    }
    root = make_vault({**files, **settings, rel: content})
    result = run_cli(*command, "--no-cache", root)
    assert result.exit_code == 2, result.output
    assert f"v/{rel}:" in result.stderr and "vaultkit writes no note" in result.stderr, result.stderr
    assert (root / "Templates/T.md").read_text() == template and (
        root / "Archive/A.md"
    ).read_text() == archived
    assert run_cli("link", "--check", "--no-cache", root).exit_code != 2  # writes nothing: goes on
    assert "VK024" in run_cli("check", "--no-cache", root).stdout


@pytest.mark.parametrize("bad", ["/(?i)old/", "/^+Old/", "/Old)/", "/(Old/"])
def test_a_filter_obsidian_ignores_too_does_not_stop_the_writes(make_vault: VaultFactory, bad: str) -> None:
    """`/(?i)old/` is no JavaScript: Obsidian hides nothing by it, and neither does vaultkit, which links.
    Regression: `^+` and an unbalanced parenthesis, which JavaScript refuses too (node 20), were taken for
    filters vaultkit could not read, and stopped `link` (exit 2)."""
    app = json.dumps({"userIgnoreFilters": [bad]})
    root = make_vault({"Meituan.md": "x\n", "Old/A.md": "About Meituan.\n", ".obsidian/app.json": app})
    result = run_cli("link", "--no-cache", root)
    assert result.exit_code == 0, result.output
    assert "[[Meituan]]" in (root / "Old/A.md").read_text()


@pytest.mark.parametrize(
    "filter_", ["/^Old[\\W_]/", "/^Old[\\S]/", "/^O[\\D]d/", "/Old[\\1]?/", "/Old\\01?/"]
)
def test_a_javascript_filter_vaultkit_cannot_write_out_stops_the_writes(
    make_vault: VaultFactory, filter_: str
) -> None:
    """`[\\W_]`, `[\\S]`, `[\\D]`, `[\\1]` and `\\01` are JavaScript (Annex B; node 20 compiles each
    and it matches `Old/A.md`): Obsidian hides `Old/` by them, and vaultkit, which does not write them out
    for Python, must write no note meanwhile. Regression: they were said to be no JavaScript ("Obsidian
    ignores it too"), and `link` wrote a link into `Old/A.md`, a note Obsidian excludes."""
    app = json.dumps({"userIgnoreFilters": [filter_]})
    root = make_vault({"Meituan.md": "x\n", "Old/A.md": "About Meituan.\n", ".obsidian/app.json": app})
    result = run_cli("link", "--no-cache", root)
    assert result.exit_code == 2, result.output
    assert (root / "Old/A.md").read_text() == "About Meituan.\n"
    checked = run_cli("check", "--no-cache", root)
    assert "vaultkit cannot read this regular expression" in checked.stdout, checked.stdout
    assert "Obsidian ignores it too" not in checked.stdout, checked.stdout


def test_a_link_style_of_the_wrong_kind_writes_obsidians_default(make_vault: VaultFactory) -> None:
    """Regression: `"useMarkdownLinks": "yes"` or `"newLinkFormat": 3` stopped `link` with exit 2. The link
    form guards no note: wikilinks of the shortest form are written (Obsidian's `fileToLinktext` makes the
    shortest form for any newLinkFormat but "absolute" and "relative"), and the setting is said (VK024)."""
    app = '{"useMarkdownLinks": "yes", "newLinkFormat": 3}'
    root = make_vault({"Meituan.md": "x\n", "Old/A.md": "About Meituan.\n", ".obsidian/app.json": app})
    result = run_cli("link", "--no-cache", root)
    assert result.exit_code == 0, result.output
    assert (root / "Old/A.md").read_text() == "About [[Meituan]].\n"
    assert run_cli("check", "--no-cache", root).stdout.count("VK024") == 2


def test_an_ignore_filter_that_is_not_text_ends_the_filters_as_in_obsidian(make_vault: VaultFactory) -> None:
    """Obsidian's `updateUserIgnoreFilters` calls `trim()` on each entry outside its try: a number or a
    `null` throws there, and no filter after it is read. Regression: skipped silently, the filters after it
    hid notes Obsidian shows."""
    app = '{\n  "userIgnoreFilters": ["Attic/", 5, "Old/"]\n}'
    root = make_vault({"Old/B.md": "[[Missing]]\n", "Attic/C.md": "[[Missing]]\n", ".obsidian/app.json": app})
    result = run_cli("check", "--no-cache", root)
    assert result.exit_code == 1, result.output
    assert "v/.obsidian/app.json:2:3: VK024 userIgnoreFilters: 5 is not text" in result.stdout, result.stdout
    assert "v/Old/B.md:1:1: VK101" in result.stdout and "Attic/C.md" not in result.stdout, result.stdout


def test_a_types_json_entry_that_is_no_type_name_is_said_at_its_key(make_vault: VaultFactory) -> None:
    """Regression: `"count": 5` was dropped silently; and VK023 was at 1:1 for a key written with an escape
    (or at a value `"tier"` written before the key)."""
    types = '{\n  "types": {\n    "mood": "tier",\n    "count": 5,\n    "ti\\u0065r": "text"\n  }\n}\n'
    root = make_vault({"A.md": ENTITY, ".obsidian/types.json": types})
    result = run_cli("check", "--no-cache", root)
    assert "v/.obsidian/types.json:4:5: VK024 property 'count': 5 is not a type name" in result.stdout
    assert "v/.obsidian/types.json:5:5: VK023 property 'tier'" in result.stdout, result.stdout


def test_a_schema_whose_refs_loop_is_a_configuration_error(make_vault: VaultFactory) -> None:
    root = make_vault(
        {
            "A.md": "---\na: 1\n---\nx\n",
            "vaultkit.toml": 'schema_dir = "schemas"\n',
            "schemas/default.schema.json": '{"$ref": "#"}',
        }
    )
    result = run_cli("check", "--no-cache", root)
    assert result.exit_code == 2
    assert "loop" in result.output and "VK000" not in result.output


def test_the_report_note_stays_inside_the_vault(make_vault: VaultFactory, tmp_path: Path) -> None:
    root = make_vault({"A.md": "x\n"})
    outside = tmp_path / "outside.md"
    for where in (str(outside), "../outside.md"):
        result = run_cli("check", "--report", where, root)
        assert result.exit_code == 2, where
    assert not outside.exists()


def test_obsidian_types_refuses_a_types_json_nested_too_deep(make_vault: VaultFactory) -> None:
    deep = '{"types": {"a": ' + "[" * 5000 + "]" * 5000 + "}}"
    root = make_vault({"A.md": "x\n", ".obsidian/types.json": deep})
    result = run_cli("obsidian-types", root)
    assert result.exit_code == 2, result.output
    assert "types.json" in result.stderr and "nested deeper than 100 levels" in result.stderr
    assert (root / ".obsidian/types.json").read_text() == deep


LONG_NUMBER = "9" * 5_000  # Python refuses to read an integer of more than 4,300 digits (ValueError)


@pytest.mark.parametrize(
    ("path", "text", "said"),
    [
        ("vaultkit.toml", f"x = {LONG_NUMBER}\n", "vaultkit.toml: invalid TOML: "),
        (".obsidian/app.json", f'{{"x": {LONG_NUMBER}}}', "app.json: invalid JSON: "),
        (".obsidian/types.json", f'{{"types": {{"a": {LONG_NUMBER}}}}}', "types.json: invalid JSON: "),
        (
            "schemas/default.schema.json",
            f'{{"minimum": {LONG_NUMBER}}}',
            "default.schema.json: schema is not read: ",
        ),
    ],
)
def test_a_number_too_long_to_read_in_a_settings_file_is_said(
    make_vault: VaultFactory, path: str, text: str, said: str
) -> None:
    """Regression: an integer of 5,000 digits in vaultkit.toml, app.json, types.json or a schema ended the
    run with 'internal error: ValueError: Exceeds the limit (4300 digits) for integer string conversion'.
    The file is named, with what it holds."""
    files = {"A.md": "x\n", path: text}
    if path.startswith("schemas/"):
        files["vaultkit.toml"] = 'schema_dir = "schemas"\n'
    root = make_vault(files)
    result = run_cli("check", "--no-cache", root)
    assert result.exit_code == 2, result.output
    assert f"{said}a number of 5000 digits is too long to read" in result.stderr, result.stderr
    assert "internal error" not in result.output


def test_the_nesting_bound_is_exact() -> None:
    assert parse_bounded(json.loads, "[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    with pytest.raises(TooDeep):
        parse_bounded(json.loads, "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    with pytest.raises(TooDeep):
        parse_bounded(json.loads, "[" * 100_000 + "]" * 100_000)


def test_a_cache_file_nested_too_deep_is_ignored(make_vault: VaultFactory) -> None:
    """Regression: a corrupt cache file whose header nests thousands of levels deep raised RecursionError
    ("internal error"); it is ignored like any other corrupt cache file."""
    root = make_vault({"A.md": "See [[B]].\n", "B.md": "[[A]]\n"})
    assert run_cli("check", root).exit_code == 0
    for name in ("state.json", "key-table.json"):
        (root / ".vaultkit_cache" / name).write_bytes(b"[" * 5000 + b"]" * 5000 + b"\n{}")
    result = run_cli("check", root)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_cache_file_that_is_no_file_is_ignored(make_vault: VaultFactory, kind: str) -> None:
    """Regression: a cache file swapped for a named pipe made every run wait for a writer for ever, and one
    that is a symlink to /dev/zero (git keeps symlinks: a cache committed by mistake) read until memory ran
    out. Only a regular file is read; anything else is ignored like a corrupt file."""
    root = make_vault({"A.md": "See [[B]].\n", "B.md": "[[A]]\n"})
    assert run_installed("check", root, timeout=30).exit_code == 0
    for path in (root / ".vaultkit_cache").glob("*.*"):
        path.unlink()
        if kind == "fifo":
            os.mkfifo(path)
        else:
            path.symlink_to("/dev/zero")
    result = run_installed("check", root, timeout=30)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "vaultkit: 2 notes checked, no problems found."


def test_an_obsidian_folder_that_is_a_file_says_what_to_do(make_vault: VaultFactory) -> None:
    """Regression (hostile38): a file named `.obsidian` in a vault made by its `vaultkit.toml` stopped every
    run with "cannot read: Not a directory", which named neither the file at fault nor what to do."""
    root = make_vault({"A.md": "x\n", "vaultkit.toml": ""})
    shutil.rmtree(root / ".obsidian")
    (root / ".obsidian").write_text("junk")
    result = run_cli("check", "--no-cache", root)
    assert result.exit_code == 2, result.output
    assert (
        "cannot read: '.obsidian' is a file, where Obsidian keeps its settings folder; rename or remove"
        in (result.stderr)
    )


def test_a_plugin_folder_that_is_a_file_is_named_not_the_obsidian_folder(make_vault: VaultFactory) -> None:
    """Regression (diffrev38): a file where a plugin's settings folder is (`.obsidian/plugins/templater-obsidian`)
    was said as "'.obsidian' is a file, where Obsidian keeps its settings folder; rename or remove that
    file": the folder of all of Obsidian's settings, named as the file to remove."""
    root = make_vault({"A.md": "x\n"})
    (root / ".obsidian" / "plugins").mkdir(parents=True, exist_ok=True)
    (root / ".obsidian" / "plugins" / "templater-obsidian").write_text("junk")
    result = run_cli("check", "--no-cache", root)
    assert result.exit_code == 2, result.output
    assert "'.obsidian' is a file" not in result.stderr, result.stderr
    assert "'plugins/templater-obsidian' is a file, where a folder was expected" in result.stderr, (
        result.stderr
    )


@pytest.mark.parametrize(
    ("setting", "kind"),
    [
        (".obsidian/app.json", "fifo"),
        (".obsidian/types.json", "fifo"),
        (".obsidian/templates.json", "device"),
        ("schemas/default.schema.json", "fifo"),
        ("schemas/default.schema.json", "device"),
    ],
)
def test_a_setting_or_schema_that_is_no_file_is_a_configuration_error(
    make_vault: VaultFactory, setting: str, kind: str
) -> None:
    """Regression: a settings file or schema that is a named pipe made `check` wait for a writer for ever,
    and one that is a symlink to /dev/zero read until memory ran out. It is a configuration error now."""
    root = make_vault({"A.md": "x\n", "vaultkit.toml": 'schema_dir = "schemas"\n', "schemas/x.json": "{}"})
    path = root / setting
    path.unlink(missing_ok=True)  # app.json is there already
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    result = run_installed("check", "--no-cache", root, timeout=20)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert f"{setting}: cannot read" in result.stderr and "not a regular file" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ('[link]\nopt_out_property = "related"\n', "link.opt_out_property"),
        ('type_property = "related"\n', "type_property"),
        ('disable_property = "related"\n', "disable_property"),
    ],
)
def test_a_key_set_to_the_relations_property_is_named(make_vault: VaultFactory, toml: str, key: str) -> None:
    """Regression: `opt_out_property = "related"` said "'relations.property' cannot be 'related': that is the
    property that opts a note out of linking; name a property of its own, such as 'related'": it blamed a key
    the user never set, and suggested the very name refused. The key set is named, and no such advice."""
    root = make_vault({"vaultkit.toml": toml, "A.md": "x\n"})
    result = run_cli("check", root)
    assert result.exit_code == 2, result.output
    assert f"({key})" in result.stderr and "such as 'related'" not in result.stderr, result.stderr


def test_codes_in_the_config_are_read_in_any_case_as_on_the_command_line(make_vault: VaultFactory) -> None:
    """Regression: `--ignore vk1` and `vaultkit_disable: [vk101]` are read as VK1 and VK101, but
    `ignore = ["vk1"]` in vaultkit.toml stopped the run (exit 2, "vk1: no rule has such a code"), and
    `select = ["vk101"]` too: a code is a code in any case, wherever it is written."""
    root = make_vault({"A.md": "See [[Nope]] and Beta.\n", "Beta.md": "x\n"})
    by_option = run_cli("check", "--no-cache", "--ignore", "vk1", root)
    (root / "vaultkit.toml").write_text('ignore = [" vk1"]\n', encoding="utf-8")
    by_config = run_cli("check", "--no-cache", root)
    assert by_config.exit_code == by_option.exit_code == 0, by_config.output
    assert by_config.stdout == by_option.stdout
    (root / "vaultkit.toml").write_text('select = ["vk101"]\n', encoding="utf-8")
    selected = run_cli("check", "--no-cache", root)
    assert selected.exit_code == 1, selected.output
    assert [line.split()[1] for line in selected.stdout.splitlines()[:-1]] == ["VK101"]


@pytest.mark.parametrize(
    ("prop", "said"),
    [
        ("TAGS", "Obsidian's tags"),
        ("Aliases", "Obsidian's aliases"),
        ("Type", "the type property"),
        ("$schema", "names the note's schema"),
        ("$Schema", "names the note's schema"),
    ],
)
def test_the_relations_property_is_refused_whatever_its_case_and_never_the_schema_key(
    make_vault: VaultFactory, prop: str, said: str
) -> None:
    """Regression: the relations property is found in a note whatever its case (`Related:`), but the names it
    must not take were compared as written. `property = "TAGS"` made `link` append `"[[Alpha]]"` to the
    note's `tags: [lab]`, a tag Obsidian drops; `"Aliases"` gave Gamma the alias `[[Alpha]]`; and `"$schema"`
    made `"$schema": ["[[Alpha]]"]`, a note's schema key that names no schema (VK011), so the note lost its
    schema. Each is a configuration error, and no note is written."""
    note = "---\ntype: entity\ntags: [lab]\n---\nGamma\n"
    toml = f'[relations]\nproperty = "{prop}"\n'
    root = make_vault({"vaultkit.toml": toml, "Alpha.md": "See [[Gamma]].\n", "Gamma.md": note})
    result = run_cli("link", root)
    assert result.exit_code == 2, result.output
    assert f"'relations.property' cannot be '{prop}'" in result.stderr and said in result.stderr, (
        result.stderr
    )
    assert (root / "Gamma.md").read_text(encoding="utf-8") == note


# -- `vaultkit obsidian-types` writes .obsidian/types.json through the one careful writer -------------------


def test_obsidian_types_writes_the_schemas_types_and_keeps_the_rest(make_vault: VaultFactory) -> None:
    mine = {"types": {"mood": "text"}, "other": [1, 2]}
    root = make_vault({"A.md": ENTITY, ".obsidian/types.json": json.dumps(mine)})
    first = run_cli("obsidian-types", root)
    assert first.exit_code == 0, first.output
    written = json.loads((root / ".obsidian/types.json").read_text(encoding="utf-8"))
    assert written["other"] == [1, 2] and written["types"]["mood"] == "text"
    assert written["types"]["tier"] == "number"
    again = run_cli("obsidian-types", root)
    assert again.exit_code == 0 and "up to date" in again.stdout
    assert not [p for p in (root / ".obsidian").iterdir() if p.name.endswith("tmp")]


def test_obsidian_types_writes_of_the_bundled_schemas_only_the_properties_notes_have(
    make_vault: VaultFactory,
) -> None:
    """Regression (found on a community vault of plugin notes): a vault without schemas of its own got the
    types of all 23 properties of the bundled example schemas, `review_value`, `sha256`, `tier`..., none of
    which its notes have, and Obsidian offers a typed property in every note's menu. Of the bundled schemas,
    only the properties some note holds (whatever its case) are written, and the rest are named; a vault's
    own schemas have every property written (`..._holding_objects` writes `n`, which no note has)."""
    root = make_vault({"A.md": "---\ntags: [lab]\nTier: 2\n---\nx\n"})
    result = run_cli("obsidian-types", root)
    assert result.exit_code == 0, result.output
    written = json.loads((root / ".obsidian/types.json").read_text(encoding="utf-8"))
    assert written["types"] == {"tags": "tags", "tier": "number"}
    assert "not written: 21 properties of the bundled schemas that no note has (aliases," in result.stderr


def test_obsidian_types_keeps_the_order_of_the_entries_it_keeps(make_vault: VaultFactory) -> None:
    """Regression (found on a properties-centric vault, its types.json in the order Obsidian added them):
    one property written rewrote the whole file in alphabetical order, a diff of every line for one new
    entry. The entries there stay in their order, changed in place where the schemas type them otherwise,
    and new ones follow, as Obsidian itself appends a property it types."""
    mine = '{\n  "types": {\n    "tags": "tags",\n    "mood": "text",\n    "created": "text"\n  }\n}'
    note = "---\ntags: [lab]\ntier: 2\ncreated: 2024-01-05\n---\nx\n"
    root = make_vault({"A.md": note, ".obsidian/types.json": mine})
    result = run_cli("obsidian-types", root)
    assert result.exit_code == 0, result.output
    text = (root / ".obsidian/types.json").read_text(encoding="utf-8")
    assert list(json.loads(text)["types"].items()) == [
        ("tags", "tags"),
        ("mood", "text"),
        ("created", "date"),
        ("tier", "number"),
    ], text


def test_obsidian_types_writes_no_single_value_type_for_a_property_notes_hold_as_lists(
    make_vault: VaultFactory,
) -> None:
    """Regression (found on a vault built on properties, whose places say `type: ["[[Cities]]"]`): the
    bundled wiki schema's `type: wiki` had `obsidian-types` write `"type": "text"`, and Obsidian, which
    types a property in every note, showed each such list as a type mismatch. A property some note holds
    as a list is not given a type of one value, and the run says which note; the others are written."""
    place = '---\ntype:\n  - "[[Cities]]"\nrating: 7\ncreated: 2023-09-12\n---\nx\n'
    root = make_vault({"Kyoto.md": place, "Other.md": "---\ntype: wiki-ish\n---\ny\n"})
    result = run_cli("obsidian-types", root)
    assert result.exit_code == 0, result.output
    written = json.loads((root / ".obsidian/types.json").read_text(encoding="utf-8"))
    assert written["types"] == {"created": "date"}, written
    assert "'type' not written: Kyoto.md holds it as a list" in result.stderr, result.stderr


def test_obsidian_types_makes_no_types_json_of_nothing(make_vault: VaultFactory) -> None:
    """Regression: a vault on the bundled schemas whose notes hold none of their properties got a new
    `.obsidian/types.json` of `{"types": {}}`, "written", a file Obsidian had no need of. With no file and
    nothing to write, none is made; a file there is kept as it is."""
    root = make_vault({"A.md": "x\n"})
    for _ in range(2):
        result = run_cli("obsidian-types", root)
        assert result.exit_code == 0, result.output
        assert "types.json: no property to write" in result.stdout, result.stdout
        assert not (root / ".obsidian/types.json").exists()
    (root / ".obsidian/types.json").write_text('{"types": {}}')
    assert "types.json: up to date" in run_cli("obsidian-types", root).stdout


@pytest.mark.parametrize(
    "declared",
    [
        {"type": "object", "properties": {"url": {"type": "string"}}},
        {"type": ["object", "null"]},
        {"type": "array", "items": {"type": "object"}},
        {"type": "array", "items": {"$ref": "#/$defs/source"}},
    ],
)
def test_obsidian_types_writes_no_type_for_a_property_holding_objects(
    make_vault: VaultFactory, declared: dict[str, object]
) -> None:
    """Obsidian's properties hold text, lists of text, numbers, checkboxes and dates, nothing nested: for
    `source: {url: …}` or a list of such objects it has no type. `obsidian-types` wrote text (or multitext)
    for them, a type their values never match; and VK023 compared types.json with it."""
    source = {"type": "object", "properties": {"url": {"type": "string"}}}
    default = {
        "type": "object",
        "$defs": {"source": source},
        "properties": {"source": declared, "n": {"type": "integer"}},
    }
    files = {
        "vaultkit.toml": 'schema_dir = "schemas"\n',
        "schemas/default.schema.json": json.dumps(default),
        ".obsidian/types.json": json.dumps({"types": {"source": "text"}}),
        "A.md": "x\n",
    }
    root = make_vault(files)
    assert "VK023" not in run_cli("check", "--no-cache", root).stdout
    result = run_cli("obsidian-types", root)
    assert result.exit_code == 0, result.output
    written = json.loads((root / ".obsidian/types.json").read_text(encoding="utf-8"))
    assert written["types"] == {"n": "number", "source": "text"}  # the user's own entry is kept as it was
    (root / ".obsidian/types.json").unlink()
    run_cli("obsidian-types", root)
    assert json.loads((root / ".obsidian/types.json").read_text(encoding="utf-8"))["types"] == {"n": "number"}


@pytest.mark.parametrize("content", [b"", b"\n  \n", b'\xef\xbb\xbf{"types": {"mood": "text"}}'])
def test_obsidian_types_reads_an_empty_types_json_or_one_with_a_bom(
    make_vault: VaultFactory, content: bytes
) -> None:
    """A `types.json` that is empty (made by `touch`) or starts with a BOM is read as `check` reads it, as
    nothing to keep or as its object. Regression: obsidian-types stopped with "cannot read: Expecting value:
    line 1 column 1 (char 0)" (newuser31), where check says the file is empty."""
    root = make_vault({"A.md": ENTITY})
    (root / ".obsidian/types.json").write_bytes(content)
    result = run_cli("obsidian-types", root)
    assert result.exit_code == 0, result.output
    written = json.loads((root / ".obsidian/types.json").read_text(encoding="utf-8-sig"))
    assert written["types"]["tier"] == "number"
    assert written["types"].get("mood") == ("text" if b"mood" in content else None)


def test_obsidian_types_no_cache_neither_reads_nor_writes_the_cache(make_vault: VaultFactory) -> None:
    """`--check` writes no settings file; the cache is vaultkit's own and makes the next run fast, as
    `check`'s does, and `--no-cache` leaves it out, as for `check` and `link`. Regression: obsidian-types had
    no `--no-cache`, and its `--check` always made `.vaultkit_cache/`."""
    root = make_vault({"A.md": ENTITY})
    result = run_cli("obsidian-types", "--check", "--no-cache", root)
    assert result.exit_code == 1 and "would change" in result.stdout, result.output
    assert not (root / ".vaultkit_cache").exists() and not (root / ".obsidian/types.json").exists()
    assert run_cli("obsidian-types", "--check", root).exit_code == 1
    assert (root / ".vaultkit_cache").is_dir() and not (root / ".obsidian/types.json").exists()


@pytest.mark.parametrize(
    ("before", "bom", "newline", "last"),
    [
        (b'\xef\xbb\xbf{\r\n  "types": {\r\n    "mood": "text"\r\n  }\r\n}', b"\xef\xbb\xbf", b"\r\n", b"}"),
        (b'{\n  "types": {\n    "mood": "text"\n  }\n}', b"", b"\n", b"}"),
        (b'{"types": {"mood": "text"}}\n', b"", b"\n", b"\n"),
    ],
)
def test_obsidian_types_keeps_the_bom_line_endings_and_last_newline_of_types_json(
    make_vault: VaultFactory, before: bytes, bom: bytes, newline: bytes, last: bytes
) -> None:
    """`types.json` is the user's file as a note is: of its bytes, only the entries vaultkit means to add
    change. Regression: a BOM was dropped, CRLF became LF and a newline was added at the end of a file
    Obsidian writes without one."""
    root = make_vault({"A.md": ENTITY})
    (root / ".obsidian/types.json").write_bytes(before)
    result = run_cli("obsidian-types", root)
    assert result.exit_code == 0, result.output
    after = (root / ".obsidian/types.json").read_bytes()
    assert after.startswith(bom + b"{" + newline) and after.endswith(last), after
    assert after.count(b"\n") == after.count(newline), after
    assert json.loads(after.decode("utf-8-sig"))["types"]["mood"] == "text"
    assert "up to date" in run_cli("obsidian-types", root).stdout


def test_obsidian_types_follows_a_ref_relative_to_a_schema_in_a_subfolder(make_vault: VaultFactory) -> None:
    """`../defs/common.schema.json` from `types/book.schema.json` was looked up from the folder's root, found
    nothing, and the date property was written `text`."""
    files = {
        "vaultkit.toml": 'schema_dir = "schemas"\n',
        "schemas/defs/common.schema.json": json.dumps(
            {"$defs": {"date": {"type": "string", "format": "date"}}}
        ),
        "schemas/types/book.schema.json": json.dumps(
            {"properties": {"read_on": {"$ref": "../defs/common.schema.json#/$defs/date"}}}
        ),
        "A.md": "x\n",
    }
    root = make_vault(files)
    result = run_cli("obsidian-types", root)
    assert result.exit_code == 0, result.output
    written = json.loads((root / ".obsidian/types.json").read_text(encoding="utf-8"))
    assert written["types"]["read_on"] == "date", written


def test_obsidian_types_names_the_file_from_the_current_folder(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It said `/home/ada/notes/.obsidian/types.json: written`, where every other message names a file from
    the current folder (`notes/.obsidian/types.json`)."""
    root = make_vault({"A.md": ENTITY})
    monkeypatch.chdir(root.parent)
    first = run_cli("obsidian-types", root.name)
    assert (first.exit_code, first.stdout) == (0, f"{root.name}/.obsidian/types.json: written\n"), (
        first.output
    )
    again = run_cli("obsidian-types", "--check", root.name)
    assert again.stdout == f"{root.name}/.obsidian/types.json: up to date\n", again.output


def test_obsidian_types_refuses_a_types_value_that_is_not_an_object(make_vault: VaultFactory) -> None:
    """Regression: an invalid `types` was silently replaced by the schemas' types, losing what it held."""
    root = make_vault({"A.md": ENTITY, ".obsidian/types.json": '{"types": ["mood"]}'})
    result = run_cli("obsidian-types", root)
    assert result.exit_code == 2 and "'types' is not an object" in result.stderr
    assert (root / ".obsidian/types.json").read_text() == '{"types": ["mood"]}'


@pytest.mark.parametrize("bad", [{"type": "strng"}, {"properties": {"read_on": {"type": "date"}}}])
def test_obsidian_types_refuses_an_invalid_schema(make_vault: VaultFactory, bad: dict[str, object]) -> None:
    """Regression: `check` and `link` stop on a schema that is not valid JSON Schema (exit 2), but
    `obsidian-types` wrote types.json from it (`"type": "date"`, Obsidian's word, written `text`) and said
    `written`: a file changed from bad input, and the error only on the next check."""
    files = {
        "vaultkit.toml": 'schema_dir = "schemas"\n',
        "schemas/default.schema.json": json.dumps(bad),
        ".obsidian/types.json": '{"types": {"mood": "text"}}',
        "A.md": "x\n",
    }
    root = make_vault(files)
    result = run_cli("obsidian-types", root)
    assert result.exit_code == 2, result.output
    assert re.search(r"default\.schema\.json:1:\d+: not a valid JSON Schema at ", result.stderr), (
        result.stderr
    )
    assert (root / ".obsidian/types.json").read_text() == '{"types": {"mood": "text"}}'


def test_check_says_a_types_value_that_is_not_an_object(make_vault: VaultFactory) -> None:
    """Regression: `check` ignored it, so the property types it meant to declare were never compared; then
    it stopped every run with exit 2. Now it is said (VK024), and the run goes on."""
    root = make_vault({"A.md": ENTITY, ".obsidian/types.json": '{"types": ["mood"]}'})
    result = run_cli("check", root)
    assert result.exit_code == 1 and "types.json:1:2: VK024 'types' is not an object" in result.stdout


@pytest.mark.parametrize("name", ["", ".", "..", "a/b", "../x"])
def test_the_config_dir_is_a_folder_name(make_vault: VaultFactory, name: str) -> None:
    root = make_vault({"A.md": ENTITY})
    result = run_cli("check", "--vault", root, "--config-dir", name, root / "A.md")
    assert result.exit_code == 2 and "--config-dir" in result.stderr, result.stderr


@pytest.mark.parametrize("command", [["check"], ["link"], ["watch"], ["clean"], ["obsidian-types"]])
def test_a_config_dir_that_is_no_folder_name_is_named_when_the_vault_is_searched_for(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    """Without --vault, `--config-dir ../x` was used to look for the vault first, so every command said the
    folder was "not inside an Obsidian vault (no ../x/ folder ...)" instead of what was wrong: the option."""
    root = make_vault({"A.md": ENTITY})
    monkeypatch.chdir(root)
    result = run_cli(*command, "--config-dir", "../x")
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        "vaultkit: error: --config-dir '../x': give the name of a folder at the vault root, like .obsidian\n"
    )


def test_obsidian_types_never_overwrites_an_edit_made_meanwhile(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: types.json was replaced without a compare-and-swap, so a save by Obsidian between the
    read and the write was lost."""
    from vaultkit.commands import types
    from vaultkit.edits import write_file

    root = make_vault({"A.md": ENTITY, ".obsidian/types.json": '{"types": {}}'})
    theirs = '{"types": {"mood": "text"}}'

    def obsidian_saves_first(vault: Path, rel: str, old: bytes | None, content: str) -> object:
        (vault / rel).write_text(theirs)
        return write_file(vault, rel, old, content)

    monkeypatch.setattr(types, "write_file", obsidian_saves_first)
    result = run_cli("obsidian-types", root)
    assert result.exit_code == 1 and "changed" in result.stderr
    assert (root / ".obsidian/types.json").read_text() == theirs


def test_obsidian_types_never_writes_through_a_symlink(make_vault: VaultFactory, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.json"
    target.write_text('{"types": {}}')
    root = make_vault({"A.md": ENTITY})
    (root / ".obsidian/types.json").symlink_to(target)
    result = run_cli("obsidian-types", root)
    assert result.exit_code == 1 and "symlink" in result.stderr
    assert target.read_text() == '{"types": {}}'
    assert (root / ".obsidian/types.json").is_symlink()


@pytest.mark.parametrize(
    "pointer", ["#/required/x", "#/required/-", "#/title", "#/required/0", "#/required/²"]
)
def test_a_ref_to_no_schema_is_a_configuration_error(make_vault: VaultFactory, pointer: str) -> None:
    """Regression: `#/required/x` (a word indexing a list) crashed with "internal error: ValueError", and
    `#/title` (found, but a string) gave VK000 on every note of that type."""
    root = make_vault(
        {
            "vaultkit.toml": 'schema_dir = "schemas"\n',
            "schemas/default.schema.json": "{}",
            "schemas/entity.schema.json": '{"title": "Entity", "required": ["kind"]}',
            "schemas/wiki.schema.json": json.dumps({"$ref": f"entity.schema.json{pointer}"}),
            "W.md": "---\ntype: wiki\n---\nx\n",
        }
    )
    result = run_cli("check", "--no-cache", root)
    assert result.exit_code == 2, result.output
    assert f"$ref 'entity.schema.json{pointer}' cannot be resolved" in result.stderr
    assert "internal error" not in result.output and "VK000" not in result.output


@pytest.mark.parametrize(
    ("setting", "most"),
    [
        ("max_note_bytes = 99999999999999999999", "2147483647"),
        ("[watch]\nsettle_seconds = inf", "3,600"),  # the watch setting's own range
        ("[link]\nmin_length = -1", "2147483647"),
    ],
)
def test_a_number_out_of_range_is_a_configuration_error(
    make_vault: VaultFactory, setting: str, most: str
) -> None:
    """Regression: a huge max_note_bytes passed, then every note got VK000 (OverflowError in the read)."""
    root = make_vault({"vaultkit.toml": setting + "\n", "A.md": ENTITY})
    result = run_cli("check", "--no-cache", root)
    assert result.exit_code == 2 and f"from 0 to {most}, got" in result.stderr, result.output


@pytest.mark.parametrize(
    ("setting", "most"),
    [
        ("debounce_ms = 60001", "60,000"),
        ("settle_seconds = 3600.5", "3,600"),
        ("settle_seconds = 99999999", "3,600"),
    ],
)
def test_a_watch_setting_beyond_what_the_command_line_takes_is_a_configuration_error(
    make_vault: VaultFactory, setting: str, most: str
) -> None:
    """`vaultkit watch --debounce-ms` takes at most 60,000 and `--settle` 3,600 s. Regression: the same
    settings in vaultkit.toml were taken up to 2**31 - 1 (a `--fix` that waits 68 years to write), newuser31."""
    root = make_vault({"vaultkit.toml": f"[watch]\n{setting}\n", "A.md": ENTITY})
    result = run_cli("check", "--no-cache", root)
    assert result.exit_code == 2, result.output
    assert f"'watch.{setting.split(maxsplit=1)[0]}' must be at most {most}, got" in result.stderr, (
        result.stderr
    )
    (root / "vaultkit.toml").write_text("[watch]\ndebounce_ms = 60000\nsettle_seconds = 3600\n")
    assert run_cli("check", "--no-cache", root).exit_code == 0


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("debounce_ms = 1e9", "an integer from 0 to 60,000, got 1000000000.0"),
        ("debounce_ms = 1.5", "an integer from 0 to 60,000, got 1.5"),
        ("settle_seconds = -1", "a number from 0 to 3,600, got -1"),
        ('settle_seconds = "3"', "a number from 0 to 3,600, got '3'"),
    ],
)
def test_a_watch_setting_of_the_wrong_type_names_its_own_range(
    make_vault: VaultFactory, setting: str, expected: str
) -> None:
    """Regression (newuser32): `debounce_ms = 1e9` was told "must be an integer from 0 to 2147483647", a
    range the setting refuses beyond 60,000; the message now names the range the setting takes."""
    root = make_vault({"vaultkit.toml": f"[watch]\n{setting}\n", "A.md": ENTITY})
    result = run_cli("check", "--no-cache", root)
    assert result.exit_code == 2, result.output
    assert f"'watch.{setting.split(maxsplit=1)[0]}' must be {expected}" in result.stderr, result.stderr
    assert "2147483647" not in result.stderr, result.stderr


def test_a_note_of_the_users_is_never_taken_for_the_report(make_vault: VaultFactory) -> None:
    """Regression: `report = "Meituan.md"` naming a note of the user's left that note out of every check
    (and out of the mention keys), while the report was never written."""
    root = make_vault(
        {"Meituan.md": "---\ntype: entity\nkind: bakery\n---\n", "vaultkit.toml": 'report = "Meituan.md"\n'}
    )
    result = run_cli("check", root)
    assert result.exit_code == 2 and "report note 'Meituan.md'" in result.stderr, result.output


def test_a_report_note_is_known_by_its_marker_after_a_bom_and_a_pipe_is_never_one(
    make_vault: VaultFactory, tmp_path: Path
) -> None:
    """Regression: two tests of the marker disagreed. --report refused a report that an editor had saved
    with a BOM (engine._check_report_note read no BOM), and note.is_report (used by --output-file) opened
    a named pipe for reading without O_NONBLOCK, waiting forever for a writer. One test now does both."""
    root = make_vault({"A.md": ENTITY, "R.md": f"\ufeff{REPORT_MARKER}\nold report\n"})
    result = run_cli("check", "--no-cache", "--report", "R.md", root)
    assert result.exit_code == 0, result.output
    assert (root / "R.md").read_text(encoding="utf-8").startswith(REPORT_MARKER)
    pipe = tmp_path / "pipe.md"
    os.mkfifo(pipe)
    answer: list[bool] = []
    reader = threading.Thread(target=lambda: answer.append(is_report(pipe)), daemon=True)
    reader.start()
    reader.join(5)
    if reader.is_alive():  # it waits for a writer: give it one, so the thread ends, then fail
        with open(pipe, "wb"):
            pass
        pytest.fail("is_report blocked on a named pipe")
    assert answer == [False]


def test_a_bom_is_no_reason_to_refuse_the_config_or_a_schema(make_vault: VaultFactory) -> None:
    root = make_vault(
        {
            "vaultkit.toml": '\ufeffschema_dir = "schemas"\n',
            "schemas/default.schema.json": '\ufeff{"required": ["title"]}',
            "A.md": "---\nkind: x\n---\nx\n",
        }
    )
    result = run_cli("check", "--no-cache", root)
    assert result.exit_code == 1 and "missing required property 'title'" in result.stdout, result.output


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"vaultkit.toml/x": ""}, "vaultkit.toml: not a file"),
        ({"vaultkit.toml": 'schema_dir = "s.json"\n', "s.json": "{}"}, "s.json is not a folder"),
        ({"vaultkit.toml": 'schema_dir = "nope"\n'}, "vaultkit.toml: schema_dir 'nope': "),
        ({"vaultkit.toml": f'schema_dir = "{"s" * 300}"\n'}, "vaultkit.toml: schema_dir 'sss"),
        (
            {
                "vaultkit.toml": 'schema_dir = "s"\n',
                "s/default.schema.json": '{"type": "object", "type": "array"}',
            },
            "schema has the key 'type' twice in one object",
        ),
    ],
)
def test_config_that_cannot_be_what_was_meant_is_refused(
    make_vault: VaultFactory, files: dict[str, str], message: str
) -> None:
    """Regressions: a folder named vaultkit.toml was ignored, a schema_dir naming a file "did not exist", a
    schema_dir that does not exist was not said to come from vaultkit.toml, one too long for a file name was
    an internal error (`Path.is_dir` raised), and a schema's duplicate key was silently resolved to its last
    value."""
    root = make_vault({**files, "A.md": "x\n"})
    result = run_cli("check", "--no-cache", root)
    assert result.exit_code == 2 and message in result.stderr, result.output


def test_a_configuration_error_names_its_file_as_git_shows_it(
    make_vault: VaultFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pre-commit hook runs at the top of the repository and names notes `vault/A.md`; a configuration
    error named `/home/…/repo/vault/vaultkit.toml`, and a schema folder beside the vault
    `/home/…/repo/vault/../schemas/raw.schema.json`."""
    root = make_vault({"A.md": "x\n", "vaultkit.toml": "bogus_key = 1\n"}, name="repo/vault")
    repo = tmp_path / "repo"
    monkeypatch.chdir(repo)
    result = run_cli("check", "--", "vault/A.md")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("vaultkit: error: vault/vaultkit.toml: unknown key 'bogus_key'"), (
        result.stderr
    )

    (root / "vaultkit.toml").write_text('schema_dir = "../schemas"\n')
    (repo / "schemas").mkdir()
    (repo / "schemas" / "default.schema.json").write_text('{"type": "object",\n')
    result = run_cli("check", "--", "vault/A.md")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("vaultkit: error: schemas/default.schema.json:2:1: "), result.stderr


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        pytest.param('schema_dir = "schemas"\n'.encode("utf-16"), "the file is UTF-16", id="utf-16-le"),
        pytest.param('schema_dir = "schemas"\n'.encode("utf-16-be"), "", id="utf-16-be-without-bom"),
        pytest.param(
            b"\xfe\xff" + 'schema_dir = "s"\n'.encode("utf-16-be"), "the file is UTF-16", id="utf-16-be"
        ),
        pytest.param('schema_dir = "schemas"\n'.encode("utf-32"), "the file is UTF-32", id="utf-32"),
        pytest.param(
            b'# caf\xe9\nschema_dir = "schemas"\n',
            "vaultkit.toml:1:6: invalid TOML: not UTF-8 (byte 0xe9)",
            id="latin-1",
        ),
    ],
)
def test_a_config_in_another_encoding_is_named_not_a_codec_error(
    make_vault: VaultFactory, raw: bytes, said: str
) -> None:
    """Regression: a vaultkit.toml saved as UTF-16 (Windows Notepad's "Unicode") exited 2 with "invalid TOML:
    'utf-8' codec can't decode byte 0xff in position 0": now the encoding is named, as a note's is."""
    root = make_vault({"vaultkit.toml": raw, "A.md": "x\n"})
    result = run_cli("check", "--no-cache", root)
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert "codec" not in result.output and "invalid TOML" in result.output, result.output
    assert (said in result.output and "save it as UTF-8" in result.output) or not said, result.output


def test_a_settings_file_in_utf_16_is_named_so(make_vault: VaultFactory) -> None:
    """Regression: an app.json saved as UTF-16 was said to be "not UTF-8 (byte 0xff)" at 1:1; its encoding
    is named now, as a vaultkit.toml's and a note's are, and the run goes on with Obsidian's defaults."""
    root = make_vault({"A.md": "x\n", "Old/B.md": "[[Missing]]\n"})
    (root / ".obsidian" / "app.json").write_bytes('{"userIgnoreFilters": ["Old/"]}'.encode("utf-16"))
    line, stdout = _the_vk024(root, ".obsidian/app.json", "1:1")
    assert "the file is UTF-16 (it starts with a UTF-16 BOM), not UTF-8" in line, line
    assert "VK101" in stdout  # Old/B.md is checked: no filter excludes it


@pytest.mark.parametrize("kind", ["file", "symlink"])
def test_clean_leaves_a_cache_path_that_is_no_folder_alone_and_says_so(
    make_vault: VaultFactory, kind: str
) -> None:
    """Regression: with `.vaultkit_cache` a file (or a symlink to a folder elsewhere), `clean` rightly deleted
    nothing but said "no cache in .../.vaultkit_cache" and exited 0, as if the path were not there."""
    root = make_vault({"A.md": ENTITY})
    elsewhere = root.parent / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("mine\n")
    cache = root / ".vaultkit_cache"
    if kind == "file":
        cache.write_text("not a cache\n")
    else:
        cache.symlink_to(elsewhere, target_is_directory=True)
    result = run_cli("clean", root)
    assert result.exit_code == 1, result.output
    what = "not a folder" if kind == "file" else "a symlink"
    assert result.stderr == f"vaultkit: {cache} left alone: it is {what}, so no cache of vaultkit's\n"
    assert (elsewhere / "keep.txt").read_text() == "mine\n"
    assert kind == "symlink" or cache.read_text() == "not a cache\n"


def test_clean_of_a_cache_it_cannot_delete_says_so(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: `clean` of a cache folder made read-only (chmod -R a-w, or another user's) ended with
    'vaultkit: internal error: PermissionError: [Errno 13] Permission denied: 'state-24.json'' and exit 2.
    It says which file it could not delete, and why, and exits 1 (tests may run as root, who deletes
    anything: the refusal is simulated)."""
    root = make_vault({"A.md": ENTITY})
    assert run_cli("check", root).exit_code == 0
    cache = root / ".vaultkit_cache"

    def refuse(path: object, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", "state-24.json")

    monkeypatch.setattr(shutil, "rmtree", refuse)
    result = run_cli("clean", root)
    assert result.exit_code == 1, result.output
    assert result.stderr == f"vaultkit: {cache} not removed: state-24.json: Permission denied\n"
    assert "internal error" not in result.output


@pytest.mark.parametrize(
    "report", [".obsidian/report.md", ".vaultkit_cache/report.md", ".git/report.md", "Sub/.report.md"]
)
def test_a_report_note_in_a_hidden_folder_is_refused(make_vault: VaultFactory, report: str) -> None:
    """Regression: `--report .obsidian/x.md` (or in the cache folder, in .git) was written there, where
    Obsidian shows no note and the files are Obsidian's, git's or vaultkit's: the report was never seen."""
    root = make_vault({"A.md": ENTITY})
    before = snapshot(root)
    result = run_cli("check", "--no-cache", "--report", report, root)
    assert result.exit_code == 2, result.output
    assert f"report note '{report}': it would be in a hidden folder" in result.stderr
    assert snapshot(root) == before and not (root / report).exists()


def test_a_report_note_named_like_a_folder_says_it_is_one(make_vault: VaultFactory) -> None:
    """Regression: `--report Notes.md` where `Notes.md` is a folder said "a note of that name exists that
    vaultkit did not write"; it is a folder, and the message says so."""
    root = make_vault({"A.md": ENTITY, "Notes.md/B.md": ENTITY})
    result = run_cli("check", "--no-cache", "--report", "Notes.md", root)
    assert result.exit_code == 2, result.output
    assert (
        "report note 'Notes.md': a folder of that name exists; give the report another name" in result.stderr
    )


@pytest.mark.usefixtures("run_elsewhere")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("watch", "{file}"), "{file}: not a folder"),
        (("clean", "{file}"), "{file}: not a folder"),
        (("obsidian-types", "{file}"), "{file}: not a folder"),
        (("check", "--vault", "{file}"), "--vault {file}: not a folder"),
        (("link", "--vault", "{file}"), "--vault {file}: not a folder"),
        (("check", "{root}", "--output-file", "{root}"), "cannot write --output-file {root}: it is a folder"),
    ],
)
def test_a_path_of_the_wrong_kind_is_said_in_vaultkits_words(
    make_vault: VaultFactory, args: tuple[str, ...], message: str
) -> None:
    """Regression: a vault given as a file (or an --output-file that is a folder) got click's
    "Error: Invalid value for '[VAULT]': Directory ... is a file." where a missing one got vaultkit's line."""
    root = make_vault({"A.md": ENTITY})
    names = {"file": str(root / "A.md"), "root": str(root)}
    result = run_cli(*(a.format(**names) for a in args))
    assert result.exit_code == 2, result.output
    assert result.stderr == f"vaultkit: error: {message.format(**names)}\n", result.stderr
    assert (root / "A.md").read_text() == ENTITY


def test_every_mistake_of_the_configuration_is_given_at_once(make_vault: VaultFactory) -> None:
    """Regression: a `vaultkit.toml` with four mistakes took four runs to mend, one error given at each;
    a key misspelt was given with every known key but not the one meant. Each is now an error line of its
    own, a misspelt key with the key it probably meant."""
    config = 'schema_dri = "schemas"\nignore = "VK101"\n[link]\nmin_lenght = 2\nfirst_only = "yes"\n'
    root = make_vault({"A.md": "x\n", "vaultkit.toml": config})
    result = run_cli("check", root)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert [line.split(" (known keys")[0].split(", got")[0] for line in lines] == [
        f"vaultkit: error: {root / 'vaultkit.toml'}: unknown key 'schema_dri'; did you mean 'schema_dir'?",
        f"vaultkit: error: {root / 'vaultkit.toml'}: 'ignore' must be a list of strings",
        f"vaultkit: error: {root / 'vaultkit.toml'}: unknown key 'link.min_lenght'; did you mean 'link.min_length'?",
        f"vaultkit: error: {root / 'vaultkit.toml'}: 'link.first_only' must be true or false",
    ], result.stderr


def test_a_section_of_more_mistakes_than_are_shown_is_counted_whole(
    make_vault: VaultFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: a `[watch]` of more mistakes than are shown gave its own "and 5 more" as one mistake
    among the file's, which counted it as one: 26 mistakes were said "and 2 more" after the 20 shown. And
    each unknown key was looked up for the key it probably meant, shown or not: a generated file of 40,000
    took 3 seconds to refuse. Only those shown are."""
    import vaultkit.config as config_module
    from vaultkit.errors import SHOWN

    looked: list[str] = []
    close = config_module.closest
    monkeypatch.setattr(config_module, "closest", lambda key, known: looked.append(key) or close(key, known))
    config = (
        "[watch]\n" + "".join(f"debounce_m{i} = 1\n" for i in range(SHOWN + 5)) + "[link]\nmin_lenght = 2\n"
    )
    root = make_vault({"A.md": "x\n", "vaultkit.toml": config})
    result = run_cli("check", root)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert lines[-1] == "vaultkit: error: and 6 more", result.stderr
    assert len(lines) == SHOWN + 1, result.stderr
    assert len(looked) <= 2 * (SHOWN + 1), looked  # the file is read twice: 2 * (SHOWN + 6) before


@pytest.mark.skipif(sys.platform == "win32", reason="a newline in a folder's name")
def test_a_tool_vaultkit_table_not_read_is_said_on_one_line(
    make_vault: VaultFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: the note of a `[tool.vaultkit]` not read named its files as they are: a repository folder
    whose name held a newline or an escape sequence (a clone named by a script) split the note over lines
    and coloured the terminal. They are spelled out (`\\n`, `\\x1b`), as in every other message."""
    make_vault({"A.md": "x\n"}, name="re\npo\x1b[31m/notes")
    repo = tmp_path / "re\npo\x1b[31m"
    (repo / ".git").mkdir()  # the repository above the vault, whose pyproject.toml is looked at
    (repo / "pyproject.toml").write_text("[tool.vaultkit]\nignore = []\n")
    monkeypatch.chdir(tmp_path)
    result = run_cli("check", str(repo / "notes"))
    assert result.exit_code == 0, result.output
    said = "vaultkit: re\\npo\\x1b[31m/pyproject.toml: [tool.vaultkit] is not read"
    assert said in result.stderr and "\x1b" not in result.stderr, result.stderr


def test_a_tool_vaultkit_table_vaultkit_does_not_read_is_said(
    make_vault: VaultFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: a `[tool.vaultkit]` in the pyproject.toml of the repository (its top, above the vault
    `notes/`, where ruff's and mypy's tables are), or in the vault's own beside a `vaultkit.toml` (an empty
    one, committed so that a clone finds the vault), was not read, and nothing said so: its `ignore` simply
    did not apply. Each is named on stderr, with the file that is read; the run is otherwise the same."""
    root = make_vault({"A.md": "Bee is here.\n", "Bee.md": "x\n"}, name="repo/notes")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir()
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.vaultkit]\nignore = ["VK120"]\n')
    monkeypatch.chdir(repo)
    # twice: the second check is answered from the output the first stored (`quick`)
    for args in (
        ("check", "notes"),
        ("check", "notes"),
        ("check", "--", "notes/A.md"),
        ("link", "--check", "notes"),
    ):
        result = run_cli(*args)
        assert result.exit_code == 1, result.output
        assert (
            "vaultkit: pyproject.toml: [tool.vaultkit] is not read: vaultkit reads its configuration at the "
            "vault's root, notes (vaultkit.toml, or pyproject.toml there)" in result.stderr
        ), result.stderr
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n')  # a pyproject of the code's: not said
    (root / "pyproject.toml").write_text('[tool.vaultkit]\nignore = ["VK120"]\n')
    (root / "vaultkit.toml").write_text("")
    result = run_cli("check", "notes")
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        "vaultkit: notes/pyproject.toml: [tool.vaultkit] is not read: notes/vaultkit.toml is, and vaultkit "
        "reads only one of them\n"
    ), result.stderr
    (root / "vaultkit.toml").unlink()
    result = run_cli("check", "notes")
    assert result.exit_code == 0 and result.stderr == "", result.output
    # a vault that is a repository of its own (a submodule: `.git` a file) is its own project: above it, a
    # pyproject.toml is another project's
    (root / "pyproject.toml").unlink()
    (repo / "pyproject.toml").write_text('[tool.vaultkit]\nignore = ["VK120"]\n')
    (root / ".git").write_text("gitdir: ../.git/modules/notes\n")
    result = run_cli("check", "notes")
    assert result.exit_code == 1 and result.stderr == "", result.output


def test_a_tool_vaultkit_table_above_a_vault_in_no_repository_is_not_named(
    make_vault: VaultFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: a vault in no repository (`~/notes`, a folder in /tmp) had every pyproject.toml above
    it, up to `/`, looked at, and another project's (`~/pyproject.toml`) named as this vault's settings
    misplaced, where the README says the search stops at the repository's top. With no repository above,
    nothing above is named."""
    root = make_vault({"A.md": "Bee is here.\n", "Bee.md": "x\n"}, name="home/notes")
    (tmp_path / "home" / "pyproject.toml").write_text('[tool.vaultkit]\nignore = ["VK120"]\n')
    monkeypatch.chdir(root)
    result = run_cli("check", ".")
    assert result.exit_code == 1 and result.stderr == "", result.output


def test_more_mistakes_of_a_section_than_are_shown_are_counted_whole(make_vault: VaultFactory) -> None:
    """Regression: a section's mistakes were made into one message (its first SHOWN, then "and 5 more")
    and read back among the others, so the count said only the lines past SHOWN of that message: 25
    unknown keys of `[watch]` ended in "and 1 more". Every mistake past SHOWN is counted."""
    config = "top = 1\n[watch]\n" + "".join(f"k{i} = 1\n" for i in range(25))
    root = make_vault({"A.md": "x\n", "vaultkit.toml": config})
    result = run_cli("check", root)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 21, result.stderr
    assert lines[0].startswith(f"vaultkit: error: {root / 'vaultkit.toml'}: unknown key 'top'")
    assert lines[-1] == "vaultkit: error: and 6 more", result.stderr


def test_a_key_holding_a_line_break_is_one_error_line(make_vault: VaultFactory) -> None:
    """Regression: every mistake of the configuration is an error line of its own, and an unknown key
    holding a line break (`"x\\nvaultkit: error: forged" = 1`) was named raw: one error read as two, the
    second made by the file. The line break is spelled out."""
    config = '"x\\nvaultkit: error: forged" = 1\nignore = 5\n'
    root = make_vault({"A.md": "x\n", "vaultkit.toml": config})
    result = run_cli("check", root)
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert "unknown key 'x\\nvaultkit: error: forged'" in lines[0], result.stderr
