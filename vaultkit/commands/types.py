"""`vaultkit obsidian-types`: write `.obsidian/types.json` from the schemas, keeping other entries."""

from __future__ import annotations

import json
from pathlib import Path

import click

from vaultkit.commands.common import display_paths, sessions
from vaultkit.edits import write_file
from vaultkit.errors import FatalError
from vaultkit.nesting import TooDeep, TooLong, parse_bounded
from vaultkit.paths import SETTINGS_LIMIT, read_regular
from vaultkit.property_types import schema_types
from vaultkit.vault import vault_argument_hint


def run_types(vault: Path | None, config_dir: str, check_only: bool) -> int:
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
        types: dict[str, object] = dict(declared)
        for name, by_file in sorted(schema_types(session.schemas).items()):
            kinds = set(by_file.values())
            if len(kinds) == 1:
                types[name] = kinds.pop()
            else:
                click.echo(
                    f"vaultkit: '{name}' left as it is: the schemas disagree ({sorted(kinds)})", err=True
                )
        new = {**current, "types": dict(sorted(types.items()))}
        if new == current:
            click.echo(f"{shown}: up to date")
            continue
        changed = True
        if check_only:
            click.echo(f"{shown}: would change")
            continue
        text = json.dumps(new, indent=2, ensure_ascii=False) + "\n"
        result = write_file(session.root, rel, raw, text)  # Obsidian may write it meanwhile: never lost
        if not result.written:
            click.echo(f"vaultkit: {shown}: {result.message}", err=True)
            return 1
        click.echo(f"{shown}: written")
    return 1 if changed and check_only else 0


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
