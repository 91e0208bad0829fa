"""`vaultkit obsidian-types`: write `.obsidian/types.json` from the schemas, keeping other entries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from vaultkit import frontmatter
from vaultkit.commands.common import display_paths, sessions
from vaultkit.edits import write_file
from vaultkit.errors import FatalError
from vaultkit.facts import key_as_written
from vaultkit.nesting import TooDeep, TooLong, parse_bounded
from vaultkit.note import decode, read_raw
from vaultkit.paths import SETTINGS_LIMIT, read_regular
from vaultkit.property_types import schema_types
from vaultkit.vault import vault_argument_hint

if TYPE_CHECKING:
    from vaultkit.engine import Session


def run_types(vault: Path | None, config_dir: str, check_only: bool, *, use_cache: bool = True) -> int:
    changed = False
    hint = vault_argument_hint("obsidian-types", vault)
    for session, _targets in sessions([vault] if vault else [], None, config_dir, hint=hint):
        rel = f"{config_dir}/types.json"
        path = session.root / rel
        shown = display_paths(session.root, [rel])[0]  # as diagnostics name files: from the current folder
        session.schemas.ensure_valid()  # as check and link: no file written from a schema they refuse
        raw, current = _read(path)
        declared = current.get("types", {})
        if not isinstance(declared, dict):
            raise FatalError(f"{path}: 'types' is not an object; fix it or remove it, then run again")
        types: dict[str, object] = dict(declared)  # in the file's order: a new entry follows them
        for name, by_file in sorted(_to_write(session, use_cache).items()):
            kinds = set(by_file.values())
            if len(kinds) == 1:
                types[name] = kinds.pop()
            else:
                click.echo(
                    f"vaultkit: '{name}' left as it is: the schemas disagree ({sorted(kinds)})", err=True
                )
        # The entries kept stay where they are, as Obsidian appends a property it types: sorted, one new
        # entry rewrote every line of a file Obsidian had written in the order its properties came.
        new = {**current, "types": types}
        if new == current or (raw is None and not types):  # no file, and none to make: `{"types": {}}`
            click.echo(f"{shown}: up to date" if raw is not None else f"{shown}: no property to write")
            continue
        changed = True
        if check_only:
            click.echo(f"{shown}: would change")
            continue
        text = _as_before(raw, json.dumps(new, indent=2, ensure_ascii=False) + "\n")
        result = write_file(session.root, rel, raw, text)  # Obsidian may write it meanwhile: never lost
        if not result.written:
            click.echo(f"vaultkit: {shown}: {result.message}", err=True)
            return 1
        click.echo(f"{shown}: written")
    return 1 if changed and check_only else 0


def _to_write(session: Session, use_cache: bool) -> dict[str, dict[str, str]]:
    """The schemas' types to write (`schema_types`). The bundled schemas are an example of a research vault,
    not this vault's declaration: of theirs, only the properties some note holds, as Obsidian names a
    property whatever its case. (Their 23 properties, `tier`, `review_value`, `sha256`, were all written
    into a vault that has none of them, and Obsidian lists a typed property in every note's menu.) Nor one
    that a note holds as a list where they type one value (`_held_as_lists`)."""
    types = schema_types(session.schemas)
    if session.config.schema_dir:
        return types
    holders = _holders(session, use_cache)
    left = sorted(name for name in types if name.lower() not in holders)
    if left:
        shown = ", ".join(left[:5]) + (f" and {len(left) - 5} more" if len(left) > 5 else "")
        click.echo(
            f"vaultkit: not written: {len(left)} properties of the bundled schemas that no note has "
            f"({shown}); a vault with schemas of its own (schema_dir in vaultkit.toml) gets all of theirs",
            err=True,
        )
    used = {name: by_file for name, by_file in types.items() if name.lower() in holders}
    for name, rel in _held_as_lists(session, used, holders).items():
        kind = next(iter(used.pop(name).values()))
        click.echo(
            f"vaultkit: '{name}' not written: {rel} holds it as a list, which Obsidian would show as a "
            f"type mismatch under '{kind}' (the bundled schemas' type)",
            err=True,
        )
    return used


def _holders(session: Session, use_cache: bool) -> dict[str, list[str]]:
    """property name in lower case -> the notes that hold it: a run as `check`'s, which reads and writes
    the cache as `check` does (`--no-cache`: neither)."""
    from vaultkit.engine import Runner, RunOptions

    options = RunOptions(keep_state=True, keep_edits=False, use_cache=use_cache)
    facts = Runner(session).run(options).facts
    out: dict[str, list[str]] = {}
    for rel, f in sorted(facts.items()):
        for name in f.properties:
            out.setdefault(name.lower(), []).append(rel)
    return out


def _held_as_lists(
    session: Session, used: dict[str, dict[str, str]], holders: dict[str, list[str]]
) -> dict[str, str]:
    """property -> a note that holds as a list (or a mapping) what the bundled schemas type as one value.
    Obsidian applies a type to every note: a vault that keeps links in `type: ["[[Cities]]"]` (a vault
    built on properties) got `"type": "text"` from the wiki schema's `type: wiki`, and Obsidian then showed
    each such list as a type mismatch, one edit away from text. Only the notes holding such a property are
    read, their frontmatter alone."""
    one_value = {
        name
        for name, by_file in used.items()
        if len(set(by_file.values())) == 1 and set(by_file.values()) <= _ONE_VALUE
    }
    found: dict[str, str] = {}
    held = {name: set(holders[name.lower()]) for name in one_value}
    for rel in sorted(set().union(*held.values())):  # each note read once for all of its properties
        left = [name for name in sorted(one_value - found.keys()) if rel in held[name]]
        if not left:
            continue
        data = _frontmatter(session, rel)
        for name in left:
            if isinstance(data.get(key_as_written(data, name)), (list, dict)):
                found[name] = rel
        if len(found) == len(one_value):
            break
    return found


# Obsidian's types that hold one value: a list under one of them is shown as a type mismatch
_ONE_VALUE = frozenset({"text", "number", "checkbox", "date", "datetime"})


def _frontmatter(session: Session, rel: str) -> dict[str, Any]:
    """A note's frontmatter as `check` reads it; empty where it cannot be read (`check` says why)."""
    raw, _problem = read_raw(session.root / rel, session.config.max_note_bytes)
    text = decode(raw.data)[0] if raw is not None else None
    if text is None:
        return {}
    fm = frontmatter.split(text)
    frontmatter.load(text, fm)
    return fm.data if fm.loaded else {}


def _as_before(raw: bytes | None, text: str) -> str:
    """`text` written as the file it replaces was: with its BOM, its line endings and its last newline or
    none (Obsidian writes none). The file is the user's as much as a note is: a BOM or CRLF dropped is a
    change to a line vaultkit did not mean to change."""
    if not raw or not raw.strip():
        return text
    if not raw.rstrip(b" \t").endswith(b"\n"):
        text = text.rstrip("\n")
    if b"\r\n" in raw:
        text = text.replace("\n", "\r\n")
    return ("\ufeff" if raw.startswith(b"\xef\xbb\xbf") else "") + text


def _read(path: Path) -> tuple[bytes | None, dict[str, object]]:
    """The file's bytes (None: there is none) and its JSON object."""
    try:
        raw = read_regular(path, SETTINGS_LIMIT)  # a named pipe is refused, not waited on
        text = raw.decode("utf-8-sig")  # with a BOM, as the settings reader takes it (obsidian.py)
        data = parse_bounded(json.loads, text) if text.strip() else {}  # empty (`touch`ed): nothing to keep
    except FileNotFoundError:
        return None, {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, TooDeep, TooLong) as e:
        raise FatalError(f"{path}: cannot read: {e}") from e
    if not isinstance(data, dict):
        raise FatalError(f"{path}: expected a JSON object")
    return raw, data
