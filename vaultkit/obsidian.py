"""What the `.obsidian` folder says: `app.json` (ignore filters, link style), `types.json`, and the
templates (`templates.json` of the core Templates plugin, `templates_folder` of Templater's `data.json`, the
daily note's template in `daily-notes.json`)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vaultkit.errors import FatalError, brief
from vaultkit.nesting import TooDeep, parse_bounded
from vaultkit.paths import nfc

DEFAULT_CONFIG_DIR = ".obsidian"
PROPERTY_TYPES = frozenset({"text", "multitext", "number", "checkbox", "date", "datetime", "tags", "aliases"})
LINK_FORMATS = frozenset({"shortest", "relative", "absolute"})


@dataclass(frozen=True)
class ObsidianSettings:
    use_markdown_links: bool = False
    new_link_format: str = "shortest"
    ignore_prefixes: tuple[str, ...] = ()
    ignore_regexes: tuple[re.Pattern[str], ...] = ()
    templates: tuple[str, ...] = ()  # template folders, ending with "/", and template notes
    property_types: tuple[tuple[str, str], ...] = ()
    config_dir: str = DEFAULT_CONFIG_DIR

    def is_ignored(self, rel_path: str) -> bool:
        if any(rel_path.startswith(p) for p in self.ignore_prefixes):
            return True
        if any(rel_path == t or (t[-1] == "/" and rel_path.startswith(t)) for t in self.templates):
            return True
        return any(r.search(rel_path) for r in self.ignore_regexes)

    @property
    def filters(self) -> bool:
        """Whether is_ignored can be true for any path."""
        return bool(self.ignore_prefixes or self.ignore_regexes or self.templates)

    def fingerprint(self) -> str:
        return json.dumps(
            [
                self.use_markdown_links,
                self.new_link_format,
                self.ignore_prefixes,
                [r.pattern for r in self.ignore_regexes],
                self.templates,
                self.config_dir,
                self.property_types,  # VK023 compares types.json with the schemas
            ]
        )


def load_obsidian(vault_root: Path, config_dir: str = DEFAULT_CONFIG_DIR) -> ObsidianSettings:
    if not config_dir or config_dir in (".", "..") or "/" in config_dir or "\\" in config_dir:
        raise FatalError(
            f"--config-dir {config_dir!r}: give the name of a folder at the vault root, like .obsidian"
        )
    folder = vault_root / config_dir
    app = _read_json(folder / "app.json")
    types = _read_json(folder / "types.json")
    return ObsidianSettings(
        use_markdown_links=_get(app, "useMarkdownLinks", bool, False, folder),
        new_link_format=_link_format(app, folder),
        ignore_prefixes=tuple(f for f in _filters(app, folder) if not _is_regex(f)),
        ignore_regexes=tuple(_compile(f, folder) for f in _filters(app, folder) if _is_regex(f)),
        templates=_templates(folder),
        property_types=_property_types(types, folder),
        config_dir=config_dir,
    )


def _read_json(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as e:
        raise FatalError(f"{path}: cannot read: {e}") from e
    try:
        data = parse_bounded(json.loads, text)
    except json.JSONDecodeError as e:
        raise FatalError(f"{path}:{e.lineno}:{e.colno}: invalid JSON: {e.msg}") from e
    except TooDeep as e:
        raise FatalError(f"{path}: invalid JSON: {e}") from e
    if not isinstance(data, dict):
        raise FatalError(f"{path}: expected a JSON object")
    return data


def _get(data: dict[str, Any], key: str, kind: type, default: Any, folder: Path) -> Any:
    value = data.get(key, default)
    if not isinstance(value, kind):
        raise FatalError(f"{folder / 'app.json'}: '{key}' must be {kind.__name__}, got {brief(value)}")
    return value


def _link_format(app: dict[str, Any], folder: Path) -> str:
    value = _get(app, "newLinkFormat", str, "shortest", folder)
    if value not in LINK_FORMATS:
        raise FatalError(f"{folder / 'app.json'}: 'newLinkFormat' must be one of {sorted(LINK_FORMATS)}")
    return str(value)


def _filters(app: dict[str, Any], folder: Path) -> list[str]:
    """The filters in NFC, as the paths they are matched against (`vault._excluded`)."""
    value = _get(app, "userIgnoreFilters", list, [], folder)
    return [nfc(v) for v in value if isinstance(v, str) and v]


def _is_regex(f: str) -> bool:
    return len(f) > 2 and f.startswith("/") and f.endswith("/")


def _compile(f: str, folder: Path) -> re.Pattern[str]:
    from vaultkit.schemas import backtracking_risk

    try:
        pattern = re.compile(f[1:-1])
    except re.error as e:
        raise FatalError(f"{folder / 'app.json'}: userIgnoreFilters: bad regex {f!r}: {e}") from e
    reason = backtracking_risk(f[1:-1])
    if reason:  # it runs on every path of the vault: a runaway pattern would hang every run
        raise FatalError(f"{folder / 'app.json'}: userIgnoreFilters: regex {f!r} {reason}")
    return pattern


# A template holds placeholders (`{{date}}`, `<% tp.file.title %>`) where a note holds values: it is not
# checked, not linked, and no mention links to it, as in a folder of Obsidian's excluded files.
TEMPLATE_SETTINGS = (  # (file, key, names a folder)
    ("templates.json", "folder", True),  # the core Templates plugin
    ("plugins/templater-obsidian/data.json", "templates_folder", True),
    ("daily-notes.json", "template", False),  # the core Daily notes plugin: `Meta/Daily`, for Meta/Daily.md
)
SETTINGS_FILES = ("app.json", "types.json", *(s[0] for s in TEMPLATE_SETTINGS))  # in the config folder


def _templates(folder: Path) -> tuple[str, ...]:
    found: list[str] = []
    for name, key, is_folder in TEMPLATE_SETTINGS:
        value = _read_json(folder / name).get(key)
        if value is not None and not isinstance(value, str):
            raise FatalError(f"{folder / name}: '{key}' must be str, got {brief(value)}")
        path = nfc("/".join(part for part in (value or "").split("/") if part))  # as paths are matched
        if not path:  # unset, or the vault root: no template
            continue
        path += "/" if is_folder else "" if path.lower().endswith(".md") else ".md"
        if path not in found:
            found.append(path)
    return tuple(found)


def _property_types(types: dict[str, Any], folder: Path) -> tuple[tuple[str, str], ...]:
    table = types.get("types", {})
    if not isinstance(table, dict):  # as `obsidian-types` refuses it: the declared types are unknown
        raise FatalError(f"{folder / 'types.json'}: 'types' must be an object, got {brief(table)}")
    return tuple(sorted((k, v) for k, v in table.items() if isinstance(v, str)))
