"""Config: `vaultkit.toml` at the vault root, or `[tool.vaultkit]` in a `pyproject.toml` there.

Unknown keys and values of the wrong type are errors that name the key. No file means the defaults.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vaultkit.errors import SHOWN, FatalError, brief, closest, several
from vaultkit.nesting import TooDeep, TooLong, parse_bounded
from vaultkit.paths import SETTINGS_LIMIT, not_a_folder, read_regular

CONFIG_NAME = "vaultkit.toml"


@dataclass(frozen=True)
class LinkConfig:
    min_length: int = 3
    first_only: bool = True
    never: tuple[str, ...] = ()
    skip_types: tuple[str, ...] = ("raw",)
    opt_out_property: str = "vaultkit_link"


@dataclass(frozen=True)
class RelationsConfig:
    enabled: bool = True
    property: str = "related"
    types: tuple[str, ...] = ()  # empty: every note type receives relations
    # properties whose links ask no relation back (`categories`: a category note is not to list its members)
    skip_properties: tuple[str, ...] = ()


# The largest value of each watch setting, as `vaultkit watch --debounce-ms` and `--settle` take them
DEBOUNCE_MS_MAX = 60_000
SETTLE_SECONDS_MAX = 3600
_AT_MOST = {"debounce_ms": DEBOUNCE_MS_MAX, "settle_seconds": SETTLE_SECONDS_MAX}


@dataclass(frozen=True)
class WatchConfig:
    debounce_ms: int = 250
    settle_seconds: float = 3.0


@dataclass(frozen=True)
class Config:
    schema_dir: str | None = None
    type_property: str = "type"
    default_schema: str = "default.schema.json"
    schema_map: tuple[tuple[str, str], ...] = ()
    exclude: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    report: str | None = None
    max_note_bytes: int = 5_000_000
    disable_property: str = "vaultkit_disable"
    link: LinkConfig = field(default_factory=LinkConfig)
    relations: RelationsConfig = field(default_factory=RelationsConfig)
    watch: WatchConfig = field(default_factory=WatchConfig)
    source: str | None = None  # the file it came from, for messages

    def fingerprint(self) -> str:
        data = dataclasses.asdict(self)
        data.pop("source")
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


_SECTIONS: dict[str, type[Any]] = {"link": LinkConfig, "relations": RelationsConfig, "watch": WatchConfig}


def load_config(vault_root: Path) -> Config:
    """Read the vault's config file; FatalError (naming the key) on anything wrong."""
    config = _load_config(vault_root)
    if config.schema_dir:  # named with the file that names it
        folder = vault_root / config.schema_dir
        what = not_a_folder(folder)
        if what is not None:
            named = f"schema_dir '{config.schema_dir}'"
            raise FatalError(f"{config.source}: {named}: the schema folder {folder} {what}")
    return config


def _load_config(vault_root: Path) -> Config:
    path = vault_root / CONFIG_NAME
    if path.is_file():
        return parse_config(_read_toml(path), str(path))
    if path.exists():
        raise FatalError(f"{path}: not a file; vaultkit reads its configuration from a file of that name")
    pyproject = vault_root / "pyproject.toml"
    if pyproject.is_file():
        tool = _read_toml(pyproject).get("tool")
        table = tool.get("vaultkit") if isinstance(tool, dict) else None  # `tool = 1`: not ours to judge
        if isinstance(table, dict):
            return parse_config(table, f"{pyproject} [tool.vaultkit]")
        if table is not None:  # `[tool] vaultkit = "x"` was meant for vaultkit: not left unsaid
            raise FatalError(f"{pyproject}: 'tool.vaultkit' must be a table, got {brief(table)}")
    return Config()


def unread_tables(vault_root: Path) -> list[str]:
    """The `[tool.vaultkit]` tables vaultkit does not read for this vault, each said with why: the vault's
    own pyproject.toml's beside a vaultkit.toml (only one is read), and that of a pyproject.toml above the
    vault, up to the top of the repository holding it, if one does (a vault in `notes/` of a code
    repository, whose pyproject.toml holds ruff's and mypy's tables: vaultkit reads the vault root's).
    Otherwise its keys do not apply, and nothing would say so. Only a file that names vaultkit is parsed
    (else a few stats), and one that cannot be read or parsed is not vaultkit's to judge here."""
    said = []
    own = vault_root / CONFIG_NAME
    if os.path.isfile(own) and _has_table(vault_root / "pyproject.toml"):
        said.append((vault_root, f"{own} is, and vaultkit reads only one of them"))
    above = () if os.path.lexists(vault_root / ".git") else vault_root.parents  # the vault is the project
    tables = []
    for folder in above:
        if _has_table(folder / "pyproject.toml"):
            why = f"vaultkit reads its configuration at the vault's root, {vault_root}"
            tables.append((folder, f"{why} ({CONFIG_NAME}, or pyproject.toml there)"))
        if os.path.lexists(folder / ".git"):  # the repository's top: above it is another project
            said.extend(tables)
            break
    # no repository above (a vault in ~/notes, /tmp): a pyproject.toml up there is another project's, not
    # this vault's misplaced settings, and is not named
    return [f"{folder / 'pyproject.toml'}: [tool.vaultkit] is not read: {why}" for folder, why in said]


def _has_table(pyproject: Path) -> bool:
    """Whether this pyproject.toml has a `tool.vaultkit` key (False if it cannot be read or parsed)."""
    if not os.path.isfile(pyproject):
        return False
    try:
        raw = read_regular(pyproject, SETTINGS_LIMIT)
        if b"vaultkit" not in raw:
            return False
        tool = _toml(pyproject, raw).get("tool")  # the bytes read, not the file read again
    except (OSError, FatalError):
        return False
    return isinstance(tool, dict) and "vaultkit" in tool


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = read_regular(path, SETTINGS_LIMIT)
    except OSError as e:
        raise FatalError(f"{path}: cannot read config: {e.strerror}") from e
    return _toml(path, raw)


def _toml(path: Path, raw: bytes) -> dict[str, Any]:
    """The table in `raw`, the bytes of `path` (named in the messages)."""
    try:
        table: dict[str, Any] = parse_bounded(tomllib.loads, _toml_text(path, raw))
        return table
    except (tomllib.TOMLDecodeError, TooDeep, TooLong) as e:
        raise FatalError(f"{path}: invalid TOML: {e}") from e


# Byte order marks of encodings a settings file is not read in (TOML is UTF-8, toml.io 1.0.0 "Spec"; Obsidian
# reads and writes its JSON as UTF-8), longest first: a UTF-32 LE mark starts as a UTF-16 LE one does. What
# Windows Notepad saves as "Unicode" is UTF-16.
_OTHER_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def other_encoding(raw: bytes) -> str | None:
    """The encoding a settings file's BOM says it is in, when that is not UTF-8 ("UTF-16", "UTF-32")."""
    return next((name for bom, name in _OTHER_BOMS if raw.startswith(bom)), None)


def undecodable_at(raw: bytes, e: UnicodeDecodeError) -> tuple[int, int, int]:
    """Where `raw.decode("utf-8-sig")` failed, as `e` says: the line and column (in bytes, from 1) of the
    first byte that is not UTF-8, and that byte."""
    at = e.start + (3 if raw.startswith(b"\xef\xbb\xbf") else 0)  # counted after the BOM
    return raw.count(b"\n", 0, at) + 1, at - (raw.rfind(b"\n", 0, at) + 1) + 1, raw[at]


def _toml_text(path: Path, raw: bytes) -> str:
    """The text of a TOML file: UTF-8, with a BOM, as some Windows editors write it, or without. Any other
    encoding is named (its BOM), or the first byte that is not UTF-8 where it is, as a note's is."""
    encoding = other_encoding(raw)
    if encoding is not None:
        said = f"the file is {encoding} (it starts with a {encoding} BOM); save it as UTF-8"
        raise FatalError(f"{path}: invalid TOML: {said}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line, col, byte = undecodable_at(raw, e)
        raise FatalError(
            f"{path}:{line}:{col}: invalid TOML: not UTF-8 (byte {byte:#04x}); save it as UTF-8"
        ) from None


def parse_config(table: Mapping[str, Any], source: str = "<config>") -> Config:
    values = _parse_fields(Config, table, source, prefix="")
    for key in ("select", "ignore"):  # a code in any case, as `--select` and a note's suppressions read it
        if key in values:
            values[key] = tuple(code.strip().upper() for code in values[key])
    config = Config(**values, source=source)
    _check_relations_property(config)
    return config


def _check_relations_property(config: Config) -> None:
    """`vaultkit link` appends links to the relations property: it must be one of its own. Named after the
    type property, `$schema` or `tags`, it would turn `type: entity` into a list and lose the note's schema,
    or add a tag Obsidian drops. Compared whatever the case: a note's relations key is found so (`Related:`,
    `facts.key_as_written`), and `TAGS` would be its `tags:`."""
    prop = config.relations.property
    taken = {  # each with the key that names it: the default `related` may be what another key was given
        config.type_property: "the type property, which picks each note's schema (type_property)",
        config.link.opt_out_property: "the property that opts a note out of linking (link.opt_out_property)",
        config.disable_property: "the property that turns rules off in a note (disable_property)",
        "$schema": "the property that names the note's schema",
        "tags": "Obsidian's tags",
        "aliases": "Obsidian's aliases",
        "cssclasses": "Obsidian's CSS classes",
    }
    taken = {key.lower(): what for key, what in taken.items()}
    if not prop.strip():
        raise FatalError(f"{config.source}: 'relations.property' must name a property, got an empty string")
    what = taken.get(prop.lower())
    if what is not None:
        advice = (  # not "such as 'related'" where that is the name refused
            "give one of them another name"
            if prop.lower() == "related"
            else "name a property of its own, such as 'related'"
        )
        raise FatalError(
            f"{config.source}: 'relations.property' cannot be '{prop}': that is {what}; {advice}"
        )


def _parse_fields(cls: type[Any], table: Mapping[str, Any], source: str, prefix: str) -> dict[str, Any]:
    """The fields of `cls` that `table` sets, each coerced to its type; a FatalError giving every key that
    is unknown or of the wrong value (`several`), where one at a time took a run per mistake."""
    problems: list[str] = []
    out = _read_fields(cls, table, source, prefix, problems)
    if problems:
        raise FatalError(several(problems))
    return out


def _read_fields(
    cls: type[Any], table: Mapping[str, Any], source: str, prefix: str, problems: list[str]
) -> dict[str, Any]:
    """`_parse_fields`'s fields, each mistake added to `problems`, a section's among them: `several` made
    once for all, so that past SHOWN the count of the rest is every mistake's (a section's own `several`
    read back counted its "and 5 more" as one)."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        try:
            out[key] = _parse_field(cls, key, value, source, prefix, problems=problems)
        except FatalError as e:
            problems.append(str(e))
    return out


def _parse_field(
    cls: type[Any], key: str, value: Any, source: str, prefix: str, *, problems: list[str]
) -> Any:
    """The value of field `key` of `cls`, a section's parsed whole (its mistakes added to `problems`). The
    key an unknown one probably meant is looked for only while the mistakes are few enough to be shown: a
    generated file of 40,000 unknown keys took 3 s to refuse."""
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name != "source"}
    name = prefix + key
    if key not in fields:
        known = ", ".join(sorted(fields))
        close = closest(key, fields) if len(problems) < SHOWN else None
        meant = f"; did you mean '{prefix}{close}'?" if close else ""
        raise FatalError(f"{source}: unknown key '{name}'{meant} (known keys: {known})")
    if key in _SECTIONS and cls is Config:
        if not isinstance(value, dict):
            raise FatalError(f"{source}: '{name}' must be a table")
        return _SECTIONS[key](**_read_fields(_SECTIONS[key], value, source, name + ".", problems))
    most = _AT_MOST.get(key) if cls is WatchConfig else None
    parsed = _coerce(name, fields[key].type, value, source, most)
    if most is not None and parsed > most:
        raise FatalError(f"{source}: '{name}' must be at most {most:,}, got {brief(value)}")
    return parsed


def _coerce(name: str, annotation: Any, value: Any, source: str, most: int | None = None) -> Any:
    """The value as its field holds it, or a configuration error saying what the field takes: with the
    field's own largest value where it has one (`debounce_ms = 1.5` is told "from 0 to 60,000", not the
    2147483647 every other count takes, which that setting refuses too)."""
    kind = str(annotation)
    accepts, convert = _KINDS[kind]
    if accepts(value):
        return convert(value)
    expected = _EXPECTED[kind]
    if most is not None:
        expected = expected.replace(f"to {_LARGEST}", f"to {most:,}")
    raise FatalError(f"{source}: '{name}' must be {expected}, got {brief(value)}")


_LARGEST = 2**31 - 1  # no setting needs more; larger ones overflow the OS calls they reach (read, sleep)


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _LARGEST


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _string_table(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def _same(value: Any) -> Any:
    return value


# How each field type is read from TOML: (accepts, convert).
_KINDS: dict[str, tuple[Callable[[Any], bool], Callable[[Any], Any]]] = {
    "bool": (lambda v: isinstance(v, bool), _same),
    "int": (_count, _same),
    "float": (lambda v: _count(v) or (isinstance(v, float) and 0 <= v <= _LARGEST), float),
    "str": (_text, _same),
    "str | None": (_text, _same),
    "tuple[str, ...]": (_strings, tuple),
    "tuple[tuple[str, str], ...]": (_string_table, lambda v: tuple(v.items())),
}
_EXPECTED = {
    "bool": "true or false",
    "int": "an integer from 0 to 2147483647",
    "float": "a number from 0 to 2147483647",
    "str": "a non-empty string",
    "str | None": "a non-empty string",
    "tuple[str, ...]": "a list of strings",
    "tuple[tuple[str, str], ...]": "a table of glob = schema file",
}
