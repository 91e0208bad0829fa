"""`vaultkit obsidian-types`: write `.obsidian/types.json` from the schemas, keeping other entries."""

from __future__ import annotations

import json
from pathlib import Path

import click

from vaultkit.commands.common import sessions
from vaultkit.errors import FatalError
from vaultkit.nesting import TooDeep, parse_bounded
from vaultkit.property_types import schema_types


def run_types(vault: Path | None, config_dir: str, check_only: bool) -> int:
    changed = False
    for session, _targets in sessions([vault] if vault else [], None, config_dir):
        path = session.root / config_dir / "types.json"
        current = _read(path)
        declared = current.get("types")
        types: dict[str, object] = dict(declared) if isinstance(declared, dict) else {}
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
            click.echo(f"{path}: up to date")
            continue
        changed = True
        if check_only:
            click.echo(f"{path}: would change")
            continue
        text = json.dumps(new, indent=2, ensure_ascii=False) + "\n"
        tmp = path.with_name(".types.json.vaultkit-tmp")
        path.parent.mkdir(exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        click.echo(f"{path}: written")
    return 1 if changed and check_only else 0


def _read(path: Path) -> dict[str, object]:
    try:
        data = parse_bounded(json.loads, path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, TooDeep) as e:
        raise FatalError(f"{path}: cannot read: {e}") from e
    if not isinstance(data, dict):
        raise FatalError(f"{path}: expected a JSON object")
    return data
