"""Compare two vaultkit commands on one scenario, run alternately, each on its own copy of a vault.

    python benchmarks/ab.py --a '/tmp/old/bin/vaultkit' --b '.venv/bin/vaultkit' [--scenario edited]
                            [--vault /tmp/vaultkit-bench/vault-10000] [--rounds 7]

This machine's speed drifts (up to 2x within an hour): two versions timed minutes apart compare the
machine, not the code. Here every round runs A, then B, so both see the same machine state. Each command
gets its own copy of the vault (two versions would otherwise invalidate each other's cache), warmed by two
whole-vault checks first. Scenarios, as in run.py:

- `edited`: the first note of `Wiki/` is saved through a temporary file with a line added, checked alone
  (`vaultkit check NOTE`), and restored: the pre-commit case;
- `warm`: a whole-vault check, nothing changed;
- `onefile`: the first note of `Wiki/` checked alone, nothing changed;
- `edited-vault`: as `edited`, but the whole vault is checked (every other note's facts from the cache);
- `cold`: a whole-vault check with the cache folder deleted first;
- `link-cold`: `vaultkit link --check` of the whole vault with the cache folder deleted first;
- `schema-edited`: the vault gets its own copy of the bundled schemas (`schema_dir = "schemas"`), and each
  round edits `wiki.schema.json` (its description) before a whole-vault check: the notes it concerns are
  read again (the wiki notes, 2,500 of the 10k vault), the rest is taken from the cache;
- `types-edited`: each round adds a property to `.obsidian/types.json`, as Obsidian does when a property's
  type is set, before a whole-vault check: no note is read again.

Prints the median, min and every sample of each, in milliseconds of wall time, and the median CPU time (user +
system, of the process and every child it waited for): on a machine other work loads, wall time measures the
load and CPU time still compares the two versions. Not a test: a measuring aid.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from run import CACHE_DIR, atomic_write, child_env, first_note

SCENARIOS = (
    "edited",
    "warm",
    "onefile",
    "edited-vault",
    "cold",
    "link-cold",
    "schema-edited",
    "types-edited",
)
BUNDLED_SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"


class Sample(NamedTuple):
    wall: float  # seconds
    cpu: float  # seconds of user + system time, the command's and its children's


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: Sequence[str]) -> Sample:
    cpu = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(
        argv, env=child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    if done.returncode not in (0, 1):
        raise SystemExit(
            f"{shlex.join(argv)} exited {done.returncode}:\n{done.stderr.decode(errors='replace')}"
        )
    return Sample(time.perf_counter() - start, _children_cpu() - cpu)


def one_round(command: Sequence[str], vault: Path, scenario: str, n: int) -> Sample:
    check = [*command, "check", "--format", "json", "--output-file", os.devnull]
    note = first_note(vault / "Wiki")
    if scenario == "warm":
        return timed([*check, str(vault)])
    if scenario == "onefile":
        return timed([*check, str(note)])
    if scenario in ("cold", "link-cold"):
        shutil.rmtree(vault / CACHE_DIR, ignore_errors=True)
        return timed(
            [*command, "link", "--check", str(vault)] if scenario == "link-cold" else [*check, str(vault)]
        )
    if scenario in ("schema-edited", "types-edited"):
        _edit_settings(vault, scenario, n)
        return timed([*check, str(vault)])
    original = note.read_bytes()
    atomic_write(note, original + f"\nA line ab.py adds, round {n}.\n".encode())
    try:
        return timed([*check, str(vault if scenario == "edited-vault" else note)])
    finally:
        atomic_write(note, original)


def _edit_settings(vault: Path, scenario: str, n: int) -> None:
    """A schema or types.json edited, in a way no earlier round was (a stored output of an earlier state
    would be printed again, and the run not measured)."""
    if scenario == "schema-edited":
        path = vault / "schemas" / "wiki.schema.json"
        schema = json.loads(path.read_text(encoding="utf-8"))
        schema["description"] = f"A wiki note (edited by ab.py, round {n})."
        atomic_write(path, json.dumps(schema, indent=2).encode())
    else:
        types = {"review_stars": "number", f"ab_round_{n}": "text"}
        atomic_write(vault / ".obsidian" / "types.json", json.dumps({"types": types}).encode())


def _own_schemas(vault: Path) -> None:
    """Give a copy of the vault its own schema folder (the bundled schemas), for `schema-edited`."""
    if not (vault / "vaultkit.toml").exists():
        shutil.copytree(BUNDLED_SCHEMAS, vault / "schemas")
        (vault / "vaultkit.toml").write_text('schema_dir = "schemas"\n', encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--a", required=True, help="the first command, split like a shell would")
    parser.add_argument("--b", required=True, help="the second command")
    parser.add_argument("--vault", type=Path, default=Path("/tmp/vaultkit-bench/vault-10000"))
    parser.add_argument("--scenario", choices=SCENARIOS, default="edited")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    if not (args.vault / "Wiki").is_dir():
        parser.error(f"{args.vault} has no Wiki/ folder: make one with `benchmarks/run.py --generate-only`")
    commands = {"A": shlex.split(args.a), "B": shlex.split(args.b)}
    with tempfile.TemporaryDirectory(prefix="vaultkit-ab-") as work:
        copies = {}
        for name, command in commands.items():
            copies[name] = Path(work) / name
            shutil.copytree(args.vault, copies[name], ignore=shutil.ignore_patterns(CACHE_DIR), symlinks=True)
            if args.scenario == "schema-edited":
                _own_schemas(copies[name])
            timed([*command, "check", "--format", "json", "--output-file", os.devnull, str(copies[name])])
        time.sleep(2.1)  # past the cache's racy window: the copies' signatures are trusted from now on
        for name, command in commands.items():
            timed([*command, "check", "--format", "json", "--output-file", os.devnull, str(copies[name])])
        samples: dict[str, list[Sample]] = {name: [] for name in commands}
        for n in range(args.rounds):
            for name, command in commands.items():
                samples[name].append(one_round(command, copies[name], args.scenario, n))
    for name, found in samples.items():
        ms = [round(s.wall * 1000) for s in found]
        cpu = statistics.median(s.cpu for s in found) * 1000
        print(
            f"{args.scenario} {name}: median {statistics.median(ms):.0f} ms, min {min(ms)} ms, all {ms}; "
            f"cpu median {cpu:.0f} ms"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
