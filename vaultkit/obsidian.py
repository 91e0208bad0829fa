"""What the `.obsidian` folder says: `app.json` (ignore filters, link style), `types.json`, and the
templates (`templates.json` of the core Templates plugin; Templater's `data.json`: `templates_folder`, and
the templates of `folder_templates`, `file_templates`, `enabled_templates_hotkeys` and
`startup_templates`; the daily note's template in `daily-notes.json`;
the Periodic Notes plugin's templates; QuickAdd's template folder and Template choices; the Kanban plugin's
template for new card notes)."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vaultkit.config import other_encoding, undecodable_at
from vaultkit.errors import FatalError, brief, closest
from vaultkit.js_regex import JS_SPACE, NotTranslated, NotWrittenOut, translate
from vaultkit.nesting import TooDeep, TooLong, parse_bounded
from vaultkit.paths import SETTINGS_LIMIT, nfc, read_regular

DEFAULT_CONFIG_DIR = ".obsidian"
PROPERTY_TYPES = frozenset({"text", "multitext", "number", "checkbox", "date", "datetime", "tags", "aliases"})
LINK_FORMATS = frozenset({"shortest", "relative", "absolute"})


@dataclass(frozen=True)
class Unapplied:
    """A setting vaultkit could not apply (VK024): where, in a file of the config folder, and why."""

    file: str  # in the config folder: `app.json`
    line: int
    col: int
    message: str
    # what it leaves unknown decides which notes vaultkit must leave alone (excluded files, templates):
    # no note is written meanwhile (`refuse_writes`)
    guards: bool = True


@dataclass(frozen=True)
class ObsidianSettings:
    use_markdown_links: bool = False
    new_link_format: str = "shortest"
    # `userIgnoreFilters`, each as Obsidian compiles it: a `/regex/`, or text found anywhere in the path; both
    # ignoring case
    ignore_filters: tuple[re.Pattern[str], ...] = ()
    templates: tuple[str, ...] = ()  # template folders, ending with "/", and template notes
    template_names: tuple[str, ...] = ()  # lower-cased file names (`daily.md`): templates found by name
    property_types: tuple[tuple[str, str], ...] = ()
    config_dir: str = DEFAULT_CONFIG_DIR
    unapplied: tuple[Unapplied, ...] = ()

    def is_filtered(self, rel_path: str) -> bool:
        """In Obsidian's excluded files (`userIgnoreFilters`)."""
        return any(r.search(rel_path) for r in self.ignore_filters)

    def is_template(self, rel_path: str) -> bool:
        """A template, or in a template folder, by the template settings."""
        if any(rel_path == t or (t[-1] == "/" and rel_path.startswith(t)) for t in self.templates):
            return True
        return bool(self.template_names) and rel_path.rpartition("/")[2].lower() in self.template_names

    @property
    def filters(self) -> bool:
        """Whether is_filtered or is_template can be true for any path."""
        return bool(self.ignore_filters or self.templates or self.template_names)

    def refuse_writes(self, root: Path) -> None:
        """FatalError while a setting that says which notes to leave alone is not applied (VK024): a run that
        writes would link excluded files and templates (a link in a template is copied into every note made
        from it), where the settings problem is mended by restoring one file. Reporting runs go on."""
        u = next((u for u in self.unapplied if u.guards), None)
        if u is not None:
            raise FatalError(
                f"{root / self.config_dir / u.file}:{u.line}:{u.col}: {u.message.partition(';')[0]}: "
                "vaultkit writes no note while it cannot tell which notes to leave alone (excluded files, "
                "templates); restore the file, or see the problems with `vaultkit check`"
            )

    def fingerprint(self) -> str:
        """What the notes' facts and the vault's links depend on: the cache's entries are tied to it."""
        return json.dumps(
            [
                self.use_markdown_links,
                self.new_link_format,
                [r.pattern for r in self.ignore_filters],
                self.templates,
                self.template_names,
                self.config_dir,
            ]
        )

    def run_fingerprint(self) -> str:
        """The settings only a whole run reads: `types.json` (VK023 compares it with the schemas) and the
        settings not applied (VK024). Not in the cache entries' key: Obsidian rewrites `types.json` when a
        property's type is set in its menu, and every note was parsed again for it."""
        return json.dumps([self.property_types, [list(vars(u).values()) for u in self.unapplied]])


def check_config_dir(config_dir: str) -> None:
    """FatalError unless `config_dir` names one folder (it is looked for at the vault root, and above)."""
    if not config_dir or config_dir in (".", "..") or "/" in config_dir or "\\" in config_dir:
        raise FatalError(
            f"--config-dir {config_dir!r}: give the name of a folder at the vault root, like .obsidian"
        )


def load_obsidian(vault_root: Path, config_dir: str = DEFAULT_CONFIG_DIR) -> ObsidianSettings:
    check_config_dir(config_dir)
    folder = vault_root / config_dir
    unapplied: list[Unapplied] = []
    app, app_text = _read_json(folder, "app.json", unapplied)
    types, types_text = _read_json(folder, "types.json", unapplied)
    templates, template_names = _templates(vault_root, folder, unapplied)
    return ObsidianSettings(
        use_markdown_links=_use_markdown_links(app, app_text, unapplied),
        new_link_format=_link_format(app, app_text, unapplied),
        ignore_filters=_filters(app, app_text, unapplied),
        templates=templates,
        template_names=template_names,
        property_types=_property_types(types, types_text, unapplied),
        config_dir=config_dir,
        unapplied=tuple(unapplied),
    )


# What is lost when a settings file cannot be read (Obsidian then has its defaults for it, as vaultkit does)
_UNREAD = {
    "app.json": "Obsidian's defaults are used: no excluded files (userIgnoreFilters), and wikilinks of the "
    "shortest form",
    "types.json": "no property types are declared: VK023 compares the schemas with each other only",
}
_UNREAD_TEMPLATES = "the templates it names are not known, and are checked as notes"


def _not_a_folder(folder: Path, name: str) -> str:
    """Which file stands where a folder of the path to `name` should be: `.obsidian` itself, or one inside it
    (`plugins/templater-obsidian`), which must not be said as `.obsidian`, the folder of all the settings."""
    if not os.path.isdir(folder):
        return (
            f"'{folder.name}' is a file, where Obsidian keeps its settings folder; rename or remove that file"
        )
    parts = name.split("/")[:-1]
    inside = next(
        (
            "/".join(parts[: i + 1])
            for i in range(len(parts))
            if not os.path.isdir(folder.joinpath(*parts[: i + 1]))
        ),
        "/".join(parts),
    )
    return f"'{inside}' is a file, where a folder was expected; rename or remove that file"


def _read_json(folder: Path, name: str, unapplied: list[Unapplied]) -> tuple[dict[str, Any], str]:
    """A settings file's object and text; a file that is not a JSON object (empty, cut short by a crash or
    a sync conflict) is as if absent, and said (VK024). Cannot be read at all, or nested too deep: a
    configuration error."""
    path = folder / name
    lost = _UNREAD.get(name, _UNREAD_TEMPLATES)
    guards = name != "types.json"  # property types decide no write
    try:
        raw = read_regular(path, SETTINGS_LIMIT)  # a named pipe would wait for a writer
    except FileNotFoundError:
        return {}, ""
    except NotADirectoryError as e:  # `.obsidian` a file: a sync tool's stray copy, a script's mistake
        raise FatalError(f"{path}: cannot read: {_not_a_folder(folder, name)}") from e
    except OSError as e:
        raise FatalError(f"{path}: cannot read: {e.strerror or e}") from e
    encoding = other_encoding(raw)  # Obsidian reads its settings as UTF-8 (and writes them so)
    if encoding is not None:
        said = f"the file is {encoding} (it starts with a {encoding} BOM), not UTF-8; {lost}"
        unapplied.append(Unapplied(name, 1, 1, said, guards))
        return {}, ""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line, col, byte = undecodable_at(raw, e)
        unapplied.append(Unapplied(name, line, col, f"not UTF-8 (byte {byte:#04x}); {lost}", guards))
        return {}, ""
    try:
        data = parse_bounded(json.loads, text)
    except json.JSONDecodeError as e:
        what = "empty" if not text.strip() else f"invalid JSON ({e.msg})"
        unapplied.append(Unapplied(name, e.lineno, e.colno, f"{what}; {lost}", guards))
        return {}, ""
    except (TooDeep, TooLong) as e:
        raise FatalError(f"{path}: invalid JSON: {e}") from e
    if not isinstance(data, dict):
        unapplied.append(Unapplied(name, 1, 1, f"not a JSON object but {brief(data)}; {lost}", guards))
        return {}, ""
    return data, text


def _wrong_shape(text: str, key: str, message: str, unapplied: list[Unapplied], guards: bool) -> None:
    """An `app.json` setting of the wrong kind, said (VK024) at its key: the last one, as `JSON.parse` (and
    Python's) keeps the last value of a key given twice."""
    line, col = json_key_position(text, key)
    unapplied.append(Unapplied("app.json", line, col, f"{key}: {message}", guards))


def _use_markdown_links(app: dict[str, Any], text: str, unapplied: list[Unapplied]) -> bool:
    value = app.get("useMarkdownLinks")
    if value is None or isinstance(value, bool):  # absent, or `null`: Obsidian's default
        return bool(value)
    message = f"{brief(value)} is not true or false; vaultkit writes wikilinks, Obsidian's default"
    _wrong_shape(text, "useMarkdownLinks", message, unapplied, False)  # a link's form guards no note
    return False


def _link_format(app: dict[str, Any], text: str, unapplied: list[Unapplied]) -> str:
    """Obsidian's `fileToLinktext` tests `"absolute" === format`, then `"relative"`; any other value makes
    links of the shortest form, as vaultkit does, saying so (VK024) for a value Obsidian never writes."""
    value = app.get("newLinkFormat")
    if value is None:
        return "shortest"
    if isinstance(value, str) and value in LINK_FORMATS:  # a list or an object is no key of a set
        return str(value)
    formats = ", ".join(sorted(LINK_FORMATS))
    message = f"{brief(value)} is not one of {formats}; links of the shortest form are written, as Obsidian's"
    _wrong_shape(text, "newLinkFormat", message, unapplied, False)
    return "shortest"


def _filters(app: dict[str, Any], text: str, unapplied: list[Unapplied]) -> tuple[re.Pattern[str], ...]:
    """The filters as Obsidian's `updateUserIgnoreFilters` compiles them: each trimmed, `/…/` a regular
    expression, anything else text found anywhere in the path (`new RegExp("^.*" + escaped + ".*$")`), both
    ignoring case; one JavaScript cannot compile is left out. In NFC, as the paths they are matched against
    (`vault._excluded`). A filter vaultkit cannot read is left out too, and said (VK024). An entry that is
    not text ends the list, as Obsidian's `trim()` of it throws before the filters after it are read.
    Not a list: no filter, said (VK024). Obsidian loops over `value.length`: a number, `true` or an object
    has none, so it excludes nothing either; but text it reads one character at a time, each a filter
    (`"Archive/"` hides every path with an `a` in it), which vaultkit does not follow: no note is written
    meanwhile (`refuse_writes`)."""
    value = app.get("userIgnoreFilters")
    if value is None:  # absent, or `null`: as Obsidian writes an emptied list of filters
        return ()
    if not isinstance(value, list):
        text_value = isinstance(value, str) and bool(value)
        obsidian = (
            "Obsidian reads each of its characters as a filter, and hides almost every note"
            if text_value
            else "Obsidian excludes no file by it either"
        )
        message = f"{brief(value)} is not a list of filters ({obsidian}); no file is excluded"
        _wrong_shape(text, "userIgnoreFilters", message, unapplied, text_value)
        return ()
    found: list[re.Pattern[str]] = []
    for n, item in enumerate(value):
        if not isinstance(item, str):
            message = (
                f"{brief(item)} is not text: Obsidian reads no filter from there on, and "
                f"neither does vaultkit ({len(value) - n - 1} after it not applied)"
            )
            _wrong_shape(text, "userIgnoreFilters", message, unapplied, True)
            break
        f = nfc(item.strip(JS_SPACE))
        if not f:
            continue
        try:
            found.append(_compile(f))
        except ValueError as e:
            line, col = json_string_position(text, item)
            message = f"userIgnoreFilters: {f!r} is not applied ({e}): the notes it names are checked"
            # one JavaScript refuses hides nothing in Obsidian either: no note is left unguarded
            unapplied.append(
                Unapplied("app.json", line, col, message, not isinstance(e.__cause__, NotTranslated))
            )
    return tuple(found)


def _compile(f: str) -> re.Pattern[str]:
    """A filter's pattern; ValueError (NotTranslated, re.error) if vaultkit cannot read it."""
    from vaultkit.schemas import backtracking_risk

    if not (len(f) > 2 and f.startswith("/") and f.endswith("/")):
        return re.compile(re.escape(f), re.IGNORECASE)
    try:
        source = translate(f[1:-1])
        pattern = re.compile(source, re.IGNORECASE)
        reason = backtracking_risk(source)
    except NotTranslated as e:
        raise ValueError(f"not a JavaScript regular expression: {e}; Obsidian ignores it too") from e
    # Python's `re` refuses a repeat count of 2**32 (OverflowError) and groups nested a thousand deep
    # (RecursionError), both of which JavaScript reads; `[\W]` is JavaScript not written out for Python
    except (NotWrittenOut, re.error, OverflowError, RecursionError) as e:
        raise ValueError(f"vaultkit cannot read this regular expression: {e}") from e
    if reason:  # it runs on every path of the vault: a runaway pattern would hang every run
        raise ValueError(f"the regular expression {reason}")
    return pattern


_JSON_STRING = r'"(?:[^"\\]|\\.)*"(\s*:)?'  # a string, and the colon after it if it is a key
_JSON_STRINGS = re.compile(_JSON_STRING)
_JSON_TOKENS = re.compile(_JSON_STRING + r"|[{}\[\]]")  # with the brackets that nest them


def json_string_position(text: str, value: str, key: bool = False) -> tuple[int, int]:
    """The 1-based line and column of the first JSON string in `text` that reads `value` (escapes
    decoded: `"caf\\u00e9"` reads `café`), a key of an object if `key`, else a value; (1, 1) if none does."""
    for m in _JSON_STRINGS.finditer(text):
        if bool(m.group(1)) == key and _read_string(m) == value:
            return _line_col(text, m.start())
    return 1, 1


def json_key_position(text: str, key: str) -> tuple[int, int]:
    """The 1-based line and column of `key` as a key of the top-level object of `text` (escapes decoded),
    the last one if it is given twice (its value is the one `JSON.parse` keeps); (1, 1) if none."""
    depth, at = 0, -1
    for m in _JSON_TOKENS.finditer(text):
        token = m.group()
        if token in "{[":
            depth += 1
        elif token in "}]":
            depth -= 1
        elif depth == 1 and m.group(1) and _read_string(m) == key:
            at = m.start()
    return (1, 1) if at < 0 else _line_col(text, at)


def _read_string(m: re.Match[str]) -> str | None:
    """What a matched JSON string reads, escapes decoded, without a key's colon; None if it is no string."""
    token = m.group()[: m.start(1) - m.start()] if m.group(1) else m.group()
    try:
        value = json.loads(token)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, str) else None


def _line_col(text: str, at: int) -> tuple[int, int]:
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


# A template holds placeholders (`{{date}}`, `<% tp.file.title %>`) where a note holds values: it is not
# checked, not linked, and no mention links to it, as in a folder of Obsidian's excluded files.
# (file, where in it, how the value names templates): FOLDER, a folder; FILE, a file by its path (Templater
# opens its templates by path); LINK, a note named as a link names it (the Daily notes and Periodic Notes
# plugins look their template up with getFirstLinkpathDest: `Daily` is Daily.md wherever it is).
FOLDER, FILE, LINK = "folder", "file", "link"
PERIODS = ("daily", "weekly", "monthly", "quarterly", "yearly")
TEMPLATE_SETTINGS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("templates.json", ("folder",), FOLDER),  # the core Templates plugin
    ("plugins/templater-obsidian/data.json", ("templates_folder",), FOLDER),
    ("plugins/templater-obsidian/data.json", ("folder_templates", "*", "template"), FILE),  # and a folder
    ("plugins/templater-obsidian/data.json", ("file_templates", "*", "template"), FILE),  # and a regex
    # the templates given a hotkey (text, or `{"template": ...}` since its settings' data_version 2) and the
    # templates run at start-up: often kept outside the template folder
    ("plugins/templater-obsidian/data.json", ("enabled_templates_hotkeys", "*", "?template"), FILE),
    ("plugins/templater-obsidian/data.json", ("startup_templates", "*"), FILE),
    ("daily-notes.json", ("template",), LINK),  # the core Daily notes plugin: `Meta/Daily`, for Meta/Daily.md
    *(("plugins/periodic-notes/data.json", (period, "template"), LINK) for period in PERIODS),
    ("plugins/quickadd/data.json", ("templateFolderPath",), FOLDER),  # QuickAdd: its folder, and the
    # Template choices' files, in Multi choices too, nested to any depth (QuickAdd walks them so)
    ("plugins/quickadd/data.json", ("choices", "**", "templatePath"), FILE),
    ("plugins/obsidian-kanban/data.json", ("new-note-template",), FILE),  # the Kanban plugin's card notes
)
# in the config folder
SETTINGS_FILES = ("app.json", "types.json", *dict.fromkeys(s[0] for s in TEMPLATE_SETTINGS))


def normalize_path(value: str) -> str:
    """A path as Obsidian's `normalizePath` makes it (the API's): slashes and backslashes collapse into one
    `/`, leading and trailing ones go, non-breaking spaces (U+00A0, U+202F) become spaces, and the text is NFC
    (as paths are matched). `Templates/`, `/Templates` and `Templates\\` all name `Templates`; `./Templates`
    does not (normalizePath keeps dot segments, so Obsidian finds no folder by that name either)."""
    collapsed = _SLASHES.sub("/", value).strip("/")
    return nfc(collapsed.replace("\u00a0", " ").replace("\u202f", " "))


_SLASHES = re.compile(r"[\\/]+")


def _templates(
    root: Path, folder: Path, unapplied: list[Unapplied]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The template folders (ending in "/") and notes, and the names of templates a link-like setting names
    by name alone, where no note at the vault root has it (getFirstLinkpathDest from the root takes a note
    there first; elsewhere which of two same-named notes it takes is not documented: both are left alone)."""
    found: list[str] = []
    names: list[str] = []
    files: dict[str, tuple[dict[str, Any], str]] = {}
    for name, keys, kind in TEMPLATE_SETTINGS:
        if name not in files:
            files[name] = _read_json(folder, name, unapplied)
        data, text = files[name]
        values, wrong = _values(data, keys)
        for key, message in wrong:  # a plugin's settings of another shape: the run goes on without them
            line, col = json_string_position(text, key, key=True)
            unapplied.append(Unapplied(name, line, col, f"{message}; {_UNREAD_TEMPLATES}"))
        for value in values:
            path = normalize_path(value)
            if not path:  # unset, or the vault root: no template
                continue
            if kind == FOLDER:
                meant = "" if os.path.isdir(root / path) else _folder_meant(root, path)
                if meant:
                    unapplied.append(_no_folder(name, text, keys, value, meant))
                path += "/"
            elif kind == LINK and not path.lower().endswith(".md"):
                path += ".md"
            # os.path: Path.is_file raised on a name too long for the file system (an internal error)
            if kind == LINK and "/" not in path and not os.path.isfile(root / path):
                if path.lower() not in names:
                    names.append(path.lower())
            elif path not in found:
                found.append(path)
    return tuple(found), tuple(names)


def _no_folder(name: str, text: str, keys: tuple[str, ...], value: str, meant: str) -> Unapplied:
    """A template folder setting that names no folder of the vault where one reads almost alike, said (VK024)
    at its value: a folder renamed or renumbered since (`02 Templates` for `01 Templates`) leaves the notes
    meant as templates to be checked, linked and given relations as notes, copied from then on into every
    note made from them. Where no folder is alike, nothing is said: a folder not made yet (or not in git)
    holds no template to leave alone. Nothing is refused meanwhile: the setting is applied as Obsidian
    applies it, and names no note."""
    line, col = json_string_position(text, value)
    said = (
        f"'{_dotted(keys)}': no folder '{normalize_path(value)}' in the vault, so no note is left alone as a"
    )
    return Unapplied(name, line, col, f"{said} template by it; did you mean '{meant}'?", False)


def _folder_meant(root: Path, path: str) -> str:
    """The folder `path` may mean: each of its parts names a folder but for its case, or one close to it
    (`02 Templates` for `01 Templates`); or "". A folder is listed for each part: only a setting that names
    no folder comes here."""
    here, meant = root, []
    for part in path.split("/"):
        try:
            names = sorted(e.name for e in os.scandir(here) if e.is_dir() and not e.name.startswith("."))
        except OSError:
            return ""
        by_nfc = {nfc(n): n for n in names}
        close = closest(part, by_nfc)
        if close is None:
            return ""
        meant.append(close)
        here = here / by_nfc[close]
    return "/".join(meant)


def _values(data: dict[str, Any], keys: tuple[str, ...]) -> tuple[list[str], list[tuple[str, str]]]:
    """The strings at `keys` in a settings file ("*": each item of a list; "**": each item, and each item of
    the lists under the key before it in those items, at any depth: QuickAdd's Multi choices; "?key": the
    value itself when it is text, else what it holds at `key`). A value of another kind is left out, and
    said: (its key, why) for each."""
    values: list[Any] = [data]
    wrong: list[tuple[str, str]] = []
    for n, key in enumerate(keys):
        step: list[Any] = []
        name = ".".join(keys[:n]).replace("**", "*")
        where = next((k for k in reversed(keys[:n]) if k not in ("*", "**")), key)  # the key it is at
        for value in values:
            if value is None:
                continue
            if key.startswith("?"):
                step.append(value.get(key[1:]) if isinstance(value, dict) else value)
            elif key in ("*", "**") and not isinstance(value, list):
                wrong.append((where, f"'{name}' is not a list but {brief(value)}"))
            elif key not in ("*", "**") and not isinstance(value, dict):
                wrong.append((where, f"'{name}' is not an object but {brief(value)}"))
            elif key == "**":
                step += _nested(value, keys[n - 1])
            else:
                step += value if key == "*" else [value.get(key)]
        values = step
    for value in values:
        if value is not None and not isinstance(value, str):
            wrong.append((keys[-1].lstrip("?"), f"'{_dotted(keys)}' is not text but {brief(value)}"))
    return [value for value in values if isinstance(value, str) and value], wrong


def _dotted(keys: tuple[str, ...]) -> str:
    return ".".join(keys).replace("**", "*").replace("?", "")


def _nested(items: list[Any], key: str) -> list[Any]:
    """The items, and the items of a list under `key` in each of them, at any depth, in order."""
    out: list[Any] = []
    stack = items[::-1]
    while stack:
        item = stack.pop()
        out.append(item)
        inner = item.get(key) if isinstance(item, dict) else None
        if isinstance(inner, list):
            stack += inner[::-1]
    return out


def _property_types(
    types: dict[str, Any], text: str, unapplied: list[Unapplied]
) -> tuple[tuple[str, str], ...]:
    """The declared types; an entry whose type is not a string is left out, and said (VK024) at its key.
    `types` not an object: no type is declared, said (VK024) at its key."""
    table = types.get("types")
    if table is None:
        return ()
    if not isinstance(table, dict):
        line, col = json_key_position(text, "types")
        message = f"'types' is not an object but {brief(table)}; {_UNREAD['types.json']}"
        unapplied.append(Unapplied("types.json", line, col, message, False))
        return ()
    for k, v in table.items():
        if not isinstance(v, str):
            line, col = json_string_position(text, k, key=True)
            names = ", ".join(sorted(PROPERTY_TYPES))
            message = f"property '{k}': {brief(v)} is not a type name ({names})"
            unapplied.append(
                Unapplied("types.json", line, col, f"{message}; no type is declared for it", False)
            )
    return tuple(sorted((k, v) for k, v in table.items() if isinstance(v, str)))
