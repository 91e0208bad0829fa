"""Runs that do less than a fresh whole-vault run must find the same: watch mode's incremental re-check
(`Runner.update`), and a run on a few notes (`vaultkit check NOTE`, the pre-commit case), which takes most of
the vault from the cache's summaries instead of every note's full facts.

After each change — an edit, a new alias, a new note, a rename, a deletion, a heading removed — the
diagnostics watch holds (the first run's, with every re-checked note's replaced) must equal what a fresh
`vaultkit check` finds, and so must a run on each single note. A note left out of the re-check, or a
summary that misses what a rule needs, shows up here as a stale or missing diagnostic.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, deny_listing, run_cli

from vaultkit import cache, store, vault
from vaultkit.diagnostics import Diagnostic, Fix
from vaultkit.engine import Runner, RunOptions, open_session

Change = Callable[[Path], list[str]]  # edits the vault, returns the vault-relative paths it touched


def _rows(diagnostics: list[Diagnostic]) -> list[tuple[str, int, int, str, str]]:
    return sorted(d.sort_key() for d in diagnostics)


def _fresh(root: Path) -> list[tuple[str, int, int, str, str]]:
    return _rows(Runner(open_session(root)).run(RunOptions(jobs=1, use_cache=False)).diagnostics)


def _edit(rel: str, old: str, new: str) -> Change:
    def change(root: Path) -> list[str]:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{rel} has no {old!r}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return [rel]

    return change


def _append(rel: str, text: str) -> Change:
    def change(root: Path) -> list[str]:
        with (root / rel).open("a", encoding="utf-8") as f:
            f.write(text)
        return [rel]

    return change


def _create(rel: str, text: str) -> Change:
    def change(root: Path) -> list[str]:
        (root / rel).write_text(text, encoding="utf-8")
        return [rel]

    return change


def _rename(old: str, new: str) -> Change:
    def change(root: Path) -> list[str]:
        os.replace(root / old, root / new)
        return [old, new]

    return change


def _delete(rel: str) -> Change:
    def change(root: Path) -> list[str]:
        (root / rel).unlink()
        return [rel]

    return change


WRITER = "Entities/People/Nathan Lambert.md"
CHANGES: dict[str, list[Change]] = {
    "an edit that mentions another note": [
        _append("Entities/Papers/ResRL.md", "\nAlso see Xiaomi and a [[Nowhere]] link.\n")
    ],
    "a new alias": [
        _edit("Entities/Companies/Nvidia.md", "type: entity\n", "type: entity\naliases: [Lambert]\n")
    ],
    "a new alias that an unchanged note mentions": [
        _edit("Entities/Companies/Nvidia.md", "type: entity\n", "type: entity\naliases: [Hugging Face]\n")
    ],
    "a new note named in other notes": [
        _create("Entities/Companies/Tencent.md", "---\ntype: entity\n---\nTencent links [[Meituan]].\n"),
        _append("Entities/Papers/ResRL.md", "\nTencent is mentioned here.\n"),
    ],
    "a rename": [_rename("Entities/Companies/Meituan.md", "Entities/Companies/Meituan Inc.md")],
    "a deletion": [_delete("Entities/Papers/ResRL.md")],
    "a heading that links name is removed": [_edit(WRITER, "## Writing", "## Other work")],
    "a broken link's note is created": [
        _append("Entities/Papers/ResRL.md", "\nSee [[Nowhere]].\n"),
        _create("Wiki/Nowhere.md", "Now it exists.\n"),
    ],
    # A note whose path differs only in case makes the links to the other ambiguous (VK102): the note they
    # resolved to is no longer linked from them, and owes them no relation (VK121): it is re-checked too
    "a note whose path differs only in case comes": [
        _create("Raw/2026-05-08 x - gosailglobal on lambert's china lab visits.md", "Another.\n"),
    ],
    # An attachment comes, then one whose path differs only in case, then the first goes: the note that
    # embeds it is re-checked each time (broken VK101, found, ambiguous VK102), though it was not saved
    "an embedded attachment comes, a case twin of it comes, the first goes": [
        _append("Entities/Papers/ResRL.md", "\n![[chart.png]]\n"),
        _create("attachments/chart.png", "not a png"),
        _create("attachments/CHART.png", "not a png"),
        _delete("attachments/chart.png"),
    ],
    "a renamed note comes back": [
        _rename("Entities/Companies/Huawei.md", "Entities/Companies/Huawei2.md"),
        _rename("Entities/Companies/Huawei2.md", "Entities/Companies/Huawei.md"),
    ],
    # A name goes away with no other name coming (its mentions are re-planned), then comes back: the
    # mentions found while it was gone must not be the ones found before (helper's report: watch went stale)
    "a deleted note comes back": [
        _delete("Entities/Companies/Xiaomi.md"),
        _create("Entities/Companies/Xiaomi.md", "---\ntype: entity\naliases: [小米]\n---\n# Xiaomi\n"),
    ],
    # Only how a name must be written changes, not the notes it names: the notes that mention it are
    # scanned again (`kimi-cli` mentions `kimi`, not `Kimi`: `linker._identifier`; `KIMI` asks for capitals)
    "an alias spelled again in lower case, where a note glues it to a word": [
        _append("Entities/Papers/ResRL.md", "\nInstall kimi-cli to try it.\n"),
        _edit("Entities/Labs/Moonshot AI.md", "aliases: [Moonshot, Kimi]", "aliases: [Moonshot, kimi]"),
    ],
    "an alias spelled again as an acronym": [
        _append("Entities/Papers/ResRL.md", "\nKimi answers.\n"),
        _edit("Entities/Labs/Moonshot AI.md", "aliases: [Moonshot, Kimi]", "aliases: [Moonshot, KIMI]"),
    ],
    "an alias removed, then restored": [
        _edit("Entities/Labs/Moonshot AI.md", "aliases: [Moonshot, Kimi]", "aliases: [Moonshot]"),
        _edit("Entities/Labs/Moonshot AI.md", "aliases: [Moonshot]", "aliases: [Moonshot, Kimi]"),
    ],
}


@pytest.mark.parametrize("name", list(CHANGES))
def test_incremental_recheck_equals_a_fresh_run(example_vault: Path, name: str) -> None:
    runner = Runner(open_session(example_vault))
    first = runner.run(RunOptions(jobs=1, use_cache=False, keep_state=True))
    held: dict[str, list[Diagnostic]] = {}
    for d in first.diagnostics:
        held.setdefault(d.path, []).append(d)
    for change in CHANGES[name]:
        by_note, _count = runner.update(change(example_vault))
        held.update(by_note)
    assert _rows([d for found in held.values() for d in found]) == _fresh(example_vault)


def test_a_recheck_reports_one_version_of_a_note_saved_again_meanwhile(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second save that lands between the re-check's read of a note and its mention scan: the mentions
    came from the second version (read again), the rest from the first. Both must come from the first; the
    second save's own event re-checks it."""
    from vaultkit import analyze

    note = example_vault / "N.md"
    note.write_text("Intro.\n\nMoonshot AI shipped.\n", encoding="utf-8")
    runner = Runner(open_session(example_vault))
    runner.run(RunOptions(jobs=1, use_cache=False, keep_state=True))
    note.write_text("Intro.\n\nMore.\n\nMoonshot AI shipped.\n", encoding="utf-8")
    read_note = analyze.read_note

    def read_then_saved_again(*args: Any) -> Any:
        read = read_note(*args)
        note.write_text("Moonshot AI shipped.\n", encoding="utf-8")
        return read

    monkeypatch.setattr(analyze, "read_note", read_then_saved_again)
    by_note, _count = runner.update(["N.md"])
    assert [(d.code, d.line) for d in by_note["N.md"] if d.code == "VK120"] == [("VK120", 5)]


def _of_type(kind: str) -> Callable[[Path], set[str]]:
    """The notes whose frontmatter says `type: kind`."""

    def notes(root: Path) -> set[str]:
        return {rel for rel in _notes(root) if f"\ntype: {kind}\n" in (root / rel).read_text("utf-8")}

    return notes


def _schema_edit(name: str, edit: Callable[[dict[str, Any]], None]) -> Change:
    def change(root: Path) -> list[str]:
        path = root / "schemas" / name
        schema = json.loads(path.read_text(encoding="utf-8"))
        edit(schema)
        path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
        return [f"schemas/{name}"]

    return change


def _require(prop: str) -> Callable[[dict[str, Any]], None]:
    return lambda schema: schema.setdefault("required", []).append(prop)


PAPER = '{"type": "object", "required": ["doi"]}'
# What each edit of the schema folder must have read again: the notes whose schema findings it can change,
# and no other (before and after it, what the vault holds beyond the example vault)
SCHEMA_EDITS: dict[str, tuple[list[Change], list[Change], Callable[[Path], set[str]]]] = {
    "a property required of wiki notes": (
        [],
        [_schema_edit("wiki.schema.json", _require("owner"))],
        _of_type("wiki"),
    ),
    "a bound on raw notes": (
        [],
        [_schema_edit("raw.schema.json", lambda s: s["properties"].update(review_stars={"maximum": 3}))],
        _of_type("raw"),
    ),
    "the definitions every schema refers to": (
        [],
        [_schema_edit("defs.schema.json", lambda s: s["$defs"].update(unused={"type": "string"}))],
        lambda root: {rel for rel in _notes(root) if not rel.startswith("Templates/")},
    ),
    "a schema of a type no note has": ([], [_create("schemas/paper.schema.json", PAPER)], lambda root: set()),
    # its message named the types that have a schema: a note of a type of no schema is read again
    "a schema of a type a note has": (
        [_create("Wiki/Paper.md", "---\ntype: paper\n---\nA paper.\n")],
        [_create("schemas/paper.schema.json", PAPER)],
        lambda root: {"Wiki/Paper.md"},
    ),
    "a schema removed": ([], [_delete("schemas/wiki.schema.json")], _of_type("wiki")),
    # `type: [paper]` is no text: its VK011 names the types that have a schema
    "a schema added beside a type written as a list": (
        [_create("Wiki/Paper.md", "---\ntype: [paper]\n---\nA paper.\n")],
        [_create("schemas/paper.schema.json", PAPER)],
        lambda root: {"Wiki/Paper.md"},
    ),
    # Obsidian rewrites types.json when a property's type is set in its menu; only VK023 reads it, in a
    # whole run: no note is read again
    "a property's type set in Obsidian": (
        [],
        [_edit(".obsidian/types.json", '"review_stars": "number"', '"review_stars": "text"')],
        lambda root: set(),
    ),
    "a schema of a `$schema` path": (
        [_create("Wiki/Paper.md", "---\n$schema: paper.schema.json\n---\nA paper.\n")],
        [
            _create("schemas/paper.schema.json", PAPER),
            _create("schemas/paper.schema.json", '{"type": "object"}'),
        ],
        lambda root: {"Wiki/Paper.md"},
    ),
}


@pytest.mark.parametrize("name", list(SCHEMA_EDITS))
def test_an_edited_schema_reads_again_only_the_notes_it_concerns(
    example_vault: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cache keeps every note's facts, and their schema findings (VK010-VK012) depend on one schema and
    the files it refers to: editing one must read again the notes of that schema, not the whole vault (a
    cold run of 10,000 notes for one `required`), and find what a fresh run finds. types.json is read by
    a whole run's rule alone (VK023)."""
    from vaultkit import analyze

    monkeypatch.setattr(cache, "RACY_NS", 0)  # trust what the test just wrote
    shutil.copytree(REPO / "schemas", example_vault / "schemas")
    (example_vault / "vaultkit.toml").write_text('schema_dir = "schemas"\n', encoding="utf-8")
    before, after, concerned = SCHEMA_EDITS[name]
    for change in before:
        change(example_vault)
    read: list[str] = []
    read_note = analyze.read_note

    def counted(root: Path, rel: str, *args: Any) -> Any:
        read.append(rel)
        return read_note(root, rel, *args)

    monkeypatch.setattr(analyze, "read_note", counted)
    Runner(open_session(example_vault)).run(RunOptions(jobs=1))
    for change in after:
        read.clear()
        change(example_vault)
        found = Runner(open_session(example_vault)).run(RunOptions(jobs=1))
        assert set(read) == concerned(example_vault)
        assert _rows(found.diagnostics) == _fresh(example_vault)


def test_a_stored_output_is_not_printed_once_a_schema_or_types_json_changed(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The output of a whole-vault check is stored, and printed again while nothing changed: a schema made
    stricter is a change, and so is a type set in types.json, though the cache's entries hold under both."""
    monkeypatch.chdir(example_vault)
    shutil.copytree(REPO / "schemas", example_vault / "schemas")
    (example_vault / "vaultkit.toml").write_text('schema_dir = "schemas"\n', encoding="utf-8")
    first = run_cli("check", ".")
    assert run_cli("check", ".").stdout == first.stdout  # the stored output
    _schema_edit("wiki.schema.json", _require("owner"))(example_vault)
    again = run_cli("check", ".")
    assert "missing required property 'owner'" in again.stdout
    assert again.stdout == run_cli("check", "--no-cache", ".").stdout
    assert run_cli("check", ".").stdout == again.stdout
    _edit(".obsidian/types.json", '"review_stars": "number"', '"review_stars": "text"')(example_vault)
    typed = run_cli("check", ".")
    assert "VK023" in typed.stdout and typed.stdout == run_cli("check", "--no-cache", ".").stdout


def _notes(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix() for p in root.rglob("*.md") if ".vaultkit_cache" not in p.parts
    )


def _each_note_alone(root: Path) -> dict[str, list[tuple[str, int, int, str, str]]]:
    """Every note checked on its own, the cache warm from the runs before it (as pre-commit runs)."""
    return {
        rel: _rows(Runner(open_session(root)).run(RunOptions(targets=(rel,), jobs=1)).diagnostics)
        for rel in _notes(root)
    }


def _per_note(
    rows: list[tuple[str, int, int, str, str]], notes: list[str]
) -> dict[str, list[tuple[str, int, int, str, str]]]:
    return {rel: [r for r in rows if r[0] == rel] for rel in notes}


@pytest.mark.parametrize("name", list(CHANGES))
def test_a_run_on_one_note_equals_a_fresh_run(
    example_vault: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "RACY_NS", 0)  # trust what the test just wrote: the summaries are used at once
    Runner(open_session(example_vault)).run(RunOptions(jobs=1))  # the cache, warm from a whole-vault run
    for change in CHANGES[name]:
        change(example_vault)
    expected = _per_note(_fresh(example_vault), _notes(example_vault))
    assert _each_note_alone(example_vault) == expected


@pytest.mark.parametrize("name", list(CHANGES))
def test_a_whole_vault_run_after_runs_on_the_changed_notes_equals_a_fresh_run(
    example_vault: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pre-commit hook checks the changed notes, then `vaultkit check` runs on the whole vault: what the
    first runs left in the cache (computed with other mention keys) must not leak into the second."""
    monkeypatch.setattr(cache, "RACY_NS", 0)
    Runner(open_session(example_vault)).run(RunOptions(jobs=1))
    for change in CHANGES[name]:
        touched = [rel for rel in change(example_vault) if (example_vault / rel).exists()]
        if touched:
            Runner(open_session(example_vault)).run(RunOptions(targets=tuple(touched), jobs=1))
    assert _rows(Runner(open_session(example_vault)).run(RunOptions(jobs=1)).diagnostics) == _fresh(
        example_vault
    )


@pytest.mark.parametrize("name", list(CHANGES))
def test_a_whole_vault_run_after_each_change_equals_a_fresh_run(
    example_vault: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each whole-vault run stores the mentions it found with the keys it found them with; the next one,
    once a name or alias changed, reuses those of a note that holds no key whose notes or spelling changed
    (`Runner._reuse_stale`): what it reuses must be what a fresh scan finds."""
    monkeypatch.setattr(cache, "RACY_NS", 0)
    Runner(open_session(example_vault)).run(RunOptions(jobs=1))
    for change in CHANGES[name]:
        change(example_vault)
        Runner(open_session(example_vault)).run(RunOptions(jobs=1))
    assert _rows(Runner(open_session(example_vault)).run(RunOptions(jobs=1)).diagnostics) == _fresh(
        example_vault
    )


@pytest.mark.parametrize("lost", ["names", "facts-", "mentions-", "state", "listing"])
def test_a_run_on_one_note_survives_a_partly_lost_cache(
    example_vault: Path, lost: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "RACY_NS", 0)
    Runner(open_session(example_vault)).run(RunOptions(jobs=1))
    CHANGES["an edit that mentions another note"][0](example_vault)
    for path in (example_vault / cache.CACHE_DIR).glob(f"{lost}*.*"):
        path.write_text("{}")  # a foreign file: ignored and rebuilt
    assert _each_note_alone(example_vault) == _per_note(_fresh(example_vault), _notes(example_vault))


def test_a_run_on_several_notes_equals_a_fresh_run(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "RACY_NS", 0)
    Runner(open_session(example_vault)).run(RunOptions(jobs=1))
    touched = CHANGES["a new note named in other notes"]
    chosen = [rel for change in touched for rel in change(example_vault)] + [WRITER]
    got = Runner(open_session(example_vault)).run(RunOptions(targets=tuple(chosen), jobs=1))
    assert _rows(got.diagnostics) == [r for r in _fresh(example_vault) if r[0] in chosen]


def _touch_folders(root: Path) -> None:
    """Change every folder's ctime (utime does, whatever times it sets), as any change to a folder does."""
    past = time.time() - 10
    for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        os.utime(folder, (past, past))


def _count_listings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One item for each time the vault is listed (not taken from the recorded listing)."""
    listings: list[int] = []
    real = vault.list_vault

    def counted(*args: Any, **kwargs: Any) -> vault.Listing:
        listings.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(vault, "list_vault", counted)
    return listings


@pytest.mark.parametrize("name", ["a new note named in other notes", "a rename", "a deletion"])
def test_the_recorded_listing_is_reused_until_a_folder_changes(
    example_vault: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    listings = _count_listings(monkeypatch)
    # A folder's ctime cannot be dated back: the listing is trusted at once instead of 2 s after a change.
    monkeypatch.setattr(vault, "RACY_NS", 0)
    Runner(open_session(example_vault)).run(RunOptions(jobs=1))  # creates the cache folder
    _touch_folders(example_vault)
    Runner(open_session(example_vault)).run(RunOptions(jobs=1))  # lists: every folder's ctime changed
    assert len(listings) == 2
    Runner(open_session(example_vault)).run(RunOptions(jobs=1))
    assert len(listings) == 2, "no folder changed: the recorded listing is used"
    for change in CHANGES[name]:
        change(example_vault)
    got = Runner(open_session(example_vault)).run(RunOptions(jobs=1))
    assert len(listings) == 3, "a folder changed: the vault is listed again"
    assert _rows(got.diagnostics) == _fresh(example_vault)


def test_a_run_on_one_edited_note_rewrites_one_state_shard(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "RACY_NS", 0)
    Runner(open_session(example_vault)).run(RunOptions(jobs=1))
    folder = example_vault / cache.CACHE_DIR
    before = {p.name: p.read_bytes() for p in folder.glob("state-*.json")}
    assert len(before) == cache.SHARDS
    (touched,) = CHANGES["an edit that mentions another note"][0](example_vault)
    Runner(open_session(example_vault)).run(RunOptions(targets=(touched,), jobs=1))
    after = {p.name: p.read_bytes() for p in folder.glob("state-*.json")}
    assert [n for n in after if after[n] != before.get(n)] == [f"state-{cache.shard_of(touched):02d}.json"]


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        ("state-{n:02d}", {"at": 5, "notes": {"{rel}": [5, 7]}}),
        ("state-{n:02d}", {"at": 5, "notes": {"{rel}": [[1, 2, 3, 4], None]}}),
        ("listing", {"at": 5, "report": None, "listing": {"notes": 5}}),
    ],
)
def test_cache_files_of_the_wrong_shape_are_ignored_even_with_a_valid_checksum(
    example_vault: Path, name: str, payload: dict[str, Any]
) -> None:
    """A cache file that passes its header's checks (format, version, fingerprint, SHA-256) but holds
    something vaultkit never writes is ignored, not trusted and not a crash."""
    rel = _notes(example_vault)[0]
    session = open_session(example_vault)
    Runner(session).run(RunOptions(jobs=1))
    text = json.dumps(payload).replace("{rel}", rel)
    cache.Cache(example_vault, session.cache_fingerprint).write(
        name.format(n=cache.shard_of(rel)), json.loads(text)
    )
    got = Runner(open_session(example_vault)).run(RunOptions(jobs=1, targets=(rel,)))
    assert _rows(got.diagnostics) == [r for r in _fresh(example_vault) if r[0] == rel]


def test_a_folder_made_readable_again_is_listed_again(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder's permissions change its ctime, not its mtime: the recorded listing must not hide the notes
    of a folder that was unreadable (VK206) once it can be read."""
    private = example_vault / "Private"
    private.mkdir()
    (private / "Secret.md").write_text("A note that was out of reach.\n", encoding="utf-8")
    real = os.scandir
    deny_listing(monkeypatch)
    monkeypatch.setattr(vault, "RACY_NS", 0)  # folders changed just now are trusted
    listings = _count_listings(monkeypatch)
    for _ in range(2):  # the second run takes the recorded listing
        got = Runner(open_session(example_vault)).run(RunOptions(jobs=1))
        assert [d.path for d in got.diagnostics if d.code == "VK206"] == ["Private"]
        assert "Private/Secret.md" not in got.scope
    assert len(listings) == 1, "the recorded listing is reused while nothing changes"
    monkeypatch.setattr(os, "scandir", real)
    time.sleep(0.01)  # a ctime of its own, on file systems with a coarse clock
    private.chmod(0o755)  # as `chmod u+rx Private` would, with the rights it had: only the ctime changes
    got = Runner(open_session(example_vault)).run(RunOptions(jobs=1))
    assert len(listings) == 2, "a folder's permissions changed: the vault is listed again"
    assert "Private/Secret.md" in got.scope
    assert not [d for d in got.diagnostics if d.code == "VK206"]


def _listed(listing: vault.Listing) -> tuple[object, ...]:
    return listing.notes, listing.files, listing.skipped_links, listing.unreadable


def _shuffle_tree(root: Path, rng: random.Random) -> set[str]:
    """A few random changes of the kinds a vault sees: notes and attachments added, deleted or renamed,
    folders made, renamed or deleted, symlinks to folders and files, a symlink re-pointed from a file to a
    folder. Returns the folders whose own entries changed ('' for the vault's own)."""
    changed: set[str] = set()

    def rel_of(path: Path) -> str:
        return "" if path == root else path.relative_to(root).as_posix() + "/"

    for _ in range(rng.randint(1, 4)):
        walked = [(Path(top), names, others) for top, names, others in os.walk(root)]  # symlinks not entered
        folders = sorted(top for top, _names, _others in walked if cache.CACHE_DIR not in top.parts)
        links = [top / name for top, names, _others in walked for name in names if (top / name).is_symlink()]
        files = sorted({top / name for top, _names, others in walked for name in others} | set(links))
        files = [p for p in files if cache.CACHE_DIR not in p.parts]
        folder = rng.choice(folders)
        actions = ["note", "file", "delete", "rename", "mkdir", "rmdir", "mvdir", "links", "repoint"]
        action = rng.choice(actions + ["links", "repoint"] * 2)  # symlinks, then their targets, more often
        if action in ("note", "file"):
            name = f"n{rng.randrange(10**6)}" + (".md" if action == "note" else ".png")
            (folder / name).write_text("A note.\n", encoding="utf-8")
        elif action == "delete" and files:
            victim = rng.choice(files)
            victim.unlink()
            folder = victim.parent
        elif action == "rename" and files:
            victim = rng.choice(files)
            victim.rename(victim.with_name(f"r{rng.randrange(10**6)}.md"))
            folder = victim.parent
        elif action == "mkdir":
            (folder / f"d{rng.randrange(10**6)}").mkdir()
        elif action == "rmdir" and folder != root:
            shutil.rmtree(folder)
            folder = folder.parent
        elif action == "mvdir" and folder != root:
            moved = folder.with_name(f"m{rng.randrange(10**6)}")
            folder.rename(moved)
            folder = folder.parent
        elif action == "links":
            (folder / f"l{rng.randrange(10**6)}").symlink_to(rng.choice(folders))
            (folder / f"s{rng.randrange(10**6)}.md").symlink_to(root / f"t{rng.randrange(10**6)}")
        elif action == "repoint":  # a broken symlink's target becomes a folder; its own folder is unchanged
            broken = [
                p for p in links + files if p.is_symlink() and p.name.startswith("s") and not p.exists()
            ]
            if not broken:
                continue
            Path(os.readlink(rng.choice(broken))).mkdir()
            folder = root
        else:
            continue
        changed.add(rel_of(folder))
    return changed


@pytest.mark.parametrize("seed", range(12))
def test_a_listing_that_reads_only_the_changed_folders_equals_a_full_one(
    tmp_path: Path, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After random changes to a vault's tree, the listing built from the recorded one (reading again only
    the folders whose ctime changed) is exactly what listing every folder gives, and it read no more than
    the folders that changed and the ones that are new."""
    rng = random.Random(seed)
    root = tmp_path / "vault"
    for folder in ("", "A/", "A/B/", "C/", "C/D/E/"):
        (root / folder).mkdir(parents=True, exist_ok=True)
        for n in range(3):
            (root / f"{folder}note {n}.md").write_text("A note.\n", encoding="utf-8")
    session = open_session(root)
    store = cache.Cache(root, session.cache_fingerprint)
    store.prepare()
    monkeypatch.setattr(vault, "RACY_NS", 0)  # folders changed just now are trusted (see the sleeps)
    real_scandir = os.scandir
    read: list[str] = []

    def scandir(path: Any) -> Any:
        read.append(str(path))
        return real_scandir(path)

    def current() -> vault.Listing:
        return vault.current_listing(store, root, session.config, session.obsidian, None)

    before = current().folders
    for _round in range(4):
        time.sleep(0.02)  # past the file system's clock tick: every change gets a ctime of its own
        changed = _shuffle_tree(root, rng)
        time.sleep(0.02)
        monkeypatch.setattr(os, "scandir", scandir)
        read.clear()
        got = current()
        monkeypatch.setattr(os, "scandir", real_scandir)
        full = vault.list_vault(root, session.config, session.obsidian, None)
        assert _listed(got) == _listed(full)
        new = {rel for rel in full.folders if rel not in before}
        allowed = {str(root / rel) if rel else str(root) for rel in changed | new}
        assert read or not changed, "something changed: some folder is read again"
        assert {p.rstrip("/") for p in read} <= {p.rstrip("/") for p in allowed}
        before = got.folders


def test_a_folder_recorded_within_the_racy_window_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder whose ctime was that recent when it was listed may have changed again in the same clock tick,
    unseen: its recorded entries are not reused, however its ctime compares."""
    root = tmp_path / "vault"
    for folder in ("A", "B"):
        (root / folder).mkdir(parents=True)
        (root / folder / "note.md").write_text("A note.\n", encoding="utf-8")
    session = open_session(root)
    store = cache.Cache(root, session.cache_fingerprint)
    store.prepare()
    monkeypatch.setattr(vault, "RACY_NS", 60 * 10**9)  # every folder here changed within the last minute

    def current() -> vault.Listing:
        return vault.current_listing(store, root, session.config, session.obsidian, None)

    current()
    time.sleep(0.02)
    (root / "A" / "new.md").write_text("Another.\n", encoding="utf-8")
    real_scandir = os.scandir
    read: list[str] = []

    def scandir(path: Any) -> Any:
        read.append(Path(path).name)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    got = current()
    assert sorted(read) == sorted(["vault", "A", "B"]), "no folder recorded within the window is trusted"
    assert "A/new.md" in got.notes


def test_the_recorded_signatures_follow_notes_added_edited_and_deleted(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the stale state shards are rewritten, from the notes they held and the notes not recorded
    before: after a note is added, one edited and one deleted, every note is recorded once, in its own
    shard, with the digest of its bytes, and nothing else is."""
    import hashlib

    monkeypatch.setattr(cache, "RACY_NS", 0)
    Runner(open_session(example_vault)).run(RunOptions(jobs=1))
    (example_vault / "Wiki" / "Brand new.md").write_text("A new note about Meituan.\n", encoding="utf-8")
    _append("Entities/Papers/ResRL.md", "\nOne more line.\n")(example_vault)
    (example_vault / "Entities/Companies/Xiaomi.md").unlink()
    for targets in (("Wiki/Brand new.md",), None):
        Runner(open_session(example_vault)).run(RunOptions(jobs=1, targets=targets))
        session = open_session(example_vault)
        state = cache.read_state(cache.Cache(example_vault, session.cache_fingerprint))
        recorded = {rel: (n, entry[1]) for n, part in state.entries.items() for rel, entry in part.items()}
        notes = list(vault.list_vault(example_vault, session.config, session.obsidian, None).notes)
        assert sorted(recorded) == notes
        for rel in notes:
            digest = hashlib.sha256((example_vault / rel).read_bytes()).hexdigest()
            assert recorded[rel] == (cache.shard_of(rel), digest), rel


def test_a_run_without_the_cache_serialises_nothing_for_it(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--no-cache: the facts, summaries, signatures and mentions are not even prepared for writing (every
    note's facts serialised for writes that do nothing took 0.5 s of a cold 10k run)."""
    from vaultkit import engine, store

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("nothing is saved without the cache")

    monkeypatch.setattr(store.FactStore, "save", refuse)
    monkeypatch.setattr(engine, "store_state", refuse)
    monkeypatch.setattr(engine, "_write_report", refuse)
    got = Runner(open_session(example_vault)).run(RunOptions(jobs=1, use_cache=False))
    assert got.diagnostics
    assert not (example_vault / cache.CACHE_DIR).exists()


def test_a_spool_left_by_a_killed_run_is_removed_once_old(tmp_path: Path) -> None:
    """A run killed while printing leaves its spooled output behind; the next run's spool removes those older
    than an hour, and keeps a recent one (another run may be writing it)."""
    store = cache.Cache(tmp_path, "fp")
    first = store.spool()
    assert first is not None
    first.write(b"a killed run's output")
    first.file.close()  # as the kill left it: never kept, never discarded
    recent = store.spool()
    assert recent is not None and Path(first.path).exists()
    old = time.time() - cache.TEMP_LIFE - 10
    os.utime(first.path, (old, old))
    latest = cache.Cache(tmp_path, "fp").spool()  # the next run's
    assert latest is not None
    assert not Path(first.path).exists() and Path(recent.path).exists()
    latest.write(b"the output")
    assert store.keep(latest, "output-0", "key")
    assert store.read_text("output-0", "key") == b"the output"
    assert store.read_text("output-0", "another key") is None
    recent.discard()
    assert not Path(recent.path).exists()


_KILLED_MID_WRITE = """
import os, signal, sys
os.replace = lambda src, dst: os.kill(os.getpid(), signal.SIGKILL)  # killed as the first cache file is whole
from vaultkit.cli import main
main(["check", sys.argv[1]])
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="no SIGKILL")
def test_temporaries_of_a_run_killed_mid_write_are_swept_once_old(example_vault: Path) -> None:
    """Regression: a run SIGKILLed while writing the cache (the pre-commit hook's timeout, the OOM killer)
    left its temporary files in `.vaultkit_cache` for good: only spools were swept. The next run that writes
    the cache removes those older than an hour and keeps a recent one (a concurrent run may be writing it)."""
    proc = subprocess.run([sys.executable, "-c", _KILLED_MID_WRITE, example_vault], check=False, timeout=120)
    assert proc.returncode == -signal.SIGKILL
    folder = example_vault / cache.CACHE_DIR
    killed = [p for p in folder.iterdir() if p.name.endswith(".tmp")]
    assert killed
    old = time.time() - cache.TEMP_LIFE - 10
    for path in killed:
        os.utime(path, (old, old))
    live = folder / ".facts-07.json.live1234.tmp"
    live.write_bytes(b"a concurrent run's")
    run_cli("check", example_vault)
    assert [p for p in folder.iterdir() if p.name.endswith(".tmp")] == [live]


@pytest.mark.parametrize("stop", [KeyboardInterrupt(), SystemExit(143)], ids=["Ctrl-C", "exit"])
def test_an_interrupted_cache_write_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stop: BaseException
) -> None:
    """Regression: Ctrl-C (or SIGTERM, taken the same way) while a cache file was being written left its
    temporary file (`.state-46.json.l1uwo6te.tmp`) in `.vaultkit_cache` for good: seen in a loop of `link`
    runs interrupted at random times. Only an OSError removed it."""
    store = cache.Cache(tmp_path, "fp")
    store.write("state-00", {"kept": True})

    def interrupted(src: object, dst: object) -> None:
        raise stop

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(type(stop)):
        store.write("state-00", {"kept": False})
    monkeypatch.undo()
    assert [p.name for p in store.folder.iterdir() if p.name.endswith(".tmp")] == []
    assert store.read("state-00") == {"kept": True}


@pytest.mark.parametrize("kind", ["symlink", "file"])
def test_a_cache_folder_that_is_not_vaultkits_own_is_left_alone(
    example_vault: Path, tmp_path: Path, kind: str
) -> None:
    """`.vaultkit_cache` as a symlink (a clone can bring one: pointed at another project, vaultkit would
    write a `.gitignore` of `*` there) or as a file: the cache is off, nothing is written through it or over
    it, and the run says so once."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    place = example_vault / cache.CACHE_DIR
    shutil.rmtree(place, ignore_errors=True)
    if kind == "symlink":
        place.symlink_to(elsewhere, target_is_directory=True)
    else:
        place.write_text("mine\n")
    for args in (("check",), ("check", "--format", "json"), ("link", "--check")):
        got = run_cli(*args, example_vault)
        assert got.exit_code == 1, got.stderr
        assert got.stderr.count(f"{cache.CACHE_DIR} is ") == 1, got.stderr
    assert list(elsewhere.iterdir()) == []
    assert place.is_symlink() if kind == "symlink" else place.read_text() == "mine\n"
    assert run_cli("check", example_vault).stdout == run_cli("check", "--no-cache", example_vault).stdout


def test_a_refused_cache_folder_is_named_on_one_line_whatever_the_vaults_name(make_vault: Any) -> None:
    """The note that the cache is off named the vault's folder as it is: a newline in its name (a clone
    named by a script) split the note over two lines, the second reading as a message of its own. It is
    spelled out (`\\n`), as the note of a `[tool.vaultkit]` not read is."""
    root = make_vault({"A.md": "x\n"}, name="re\npo")
    (root / cache.CACHE_DIR).write_text("mine\n")
    got = run_cli("check", root)
    lines = [line for line in got.stderr.splitlines() if "the cache is off" in line]
    assert len(lines) == 1 and "re\\npo" in lines[0], got.stderr


def test_a_run_on_one_note_loads_in_full_only_the_notes_its_links_look_into(
    make_vault: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run on a few notes needs the full facts of the notes whose headings or block ids their links name;
    the rest of the vault is known by its summaries (a map of content linked to 50 notes loaded 50 shards)."""
    monkeypatch.setattr(cache, "RACY_NS", 0)  # trust what the test just wrote
    notes = {f"N{n}.md": f"# Top\n\nText ^b{n}\n" for n in range(8)}
    notes["Hub.md"] = "[[N0]], [[N1|one]], [[N2#Top]], [[N3#Nope]], [[N4#^b4]], [[N5#^bad]], [[#Here]]\n"
    root = make_vault(notes)
    Runner(open_session(root)).run(RunOptions(jobs=1))  # the cache, warm from a whole-vault run
    with (root / "Hub.md").open("a") as hub:
        hub.write("Edited, as before a commit.\n")
    got = Runner(open_session(root)).run(RunOptions(jobs=1, targets=("Hub.md",)))
    assert set(got.facts) == {"Hub.md", "N2.md", "N3.md", "N4.md", "N5.md"}
    assert _rows(got.diagnostics) == [r for r in _fresh(root) if r[0] == "Hub.md"]
    assert {r[3] for r in _rows(got.diagnostics)} == {"VK103", "VK104"}  # #Nope, #^bad and #Here


def test_only_a_state_kept_for_watch_holds_the_reverse_link_graph(example_vault: Path) -> None:
    """`into` (who links to each note, by any link) serves watch's updates only: a run that checks once
    builds none (a third of the link graph's memory), a kept one has it, and updates need a kept state."""
    once = Runner(open_session(example_vault))
    once.run(RunOptions(jobs=1, use_cache=False))
    assert once.state is not None and not once.state.into and once.state.back
    kept = Runner(open_session(example_vault))
    kept.run(RunOptions(jobs=1, use_cache=False, keep_state=True))
    assert kept.state is not None and kept.state.into
    assert {rel: set(v) for rel, v in kept.state.back.items() if v} == {
        rel: set(v) for rel, v in once.state.back.items() if v
    }
    with pytest.raises(AssertionError):
        once.update([_notes(example_vault)[0]])


def test_a_state_kept_without_its_edits_describes_each_fix_as_a_report_does(make_vault: Any) -> None:
    """Watch without --fix applies no fix: its diagnostics (the whole vault's, kept while it runs) describe
    each fix without its edits (~90 MB on 50,000 notes), at start and after a save, and are otherwise those
    of a state that keeps them (watch --fix, whose re-checks carry the edits it writes)."""
    notes = {
        "Meituan.md": "A company.\n",
        "ResRL.md": "ResRL came out of Meituan.\n",
        "C.md": "[[Meituan]]\n",
    }
    root = make_vault(notes)
    runs = {}
    for keep in (True, False):
        runner = runs[keep] = Runner(open_session(root))
        runner.run(RunOptions(jobs=1, keep_state=True, keep_edits=keep))
    # each note's planned links go once it is checked: an update plans the notes it re-checks again
    assert all(r.state is not None and not r.state.ctx.mentions for r in runs.values())
    (root / "ResRL.md").write_text("ResRL came out of Meituan, in China.\n")
    found = {keep: runner.update(["ResRL.md"])[0] for keep, runner in runs.items()}
    shown = {
        keep: [d._replace(fix=d.fix and Fix(d.fix.description, d.fix.safe)) for d in found[keep]["ResRL.md"]]
        for keep in found
    }
    assert shown[True] == shown[False] and {d.code for d in shown[True]} == {"VK120"}
    assert all(d.fix is not None and d.fix.edits for d in found[True]["ResRL.md"])
    assert all(d.fix is not None and not d.fix.edits for d in found[False]["ResRL.md"])
    started = Runner(open_session(root)).run(RunOptions(jobs=1, keep_state=True, keep_edits=False))
    assert [d for d in started.diagnostics if d.fix is not None and d.fix.edits] == []
    assert {d.code for d in started.diagnostics if d.fix is not None} == {"VK120", "VK121"}


def test_watch_counts_the_vaults_notes_without_its_reports_as_notes_come_and_go(make_vault: Any) -> None:
    """An update keeps the count of report notes from the notes it re-read (counting them anew at each save
    was a pass over the whole vault): a note turned into a report, a report deleted, a note added."""
    from vaultkit.note import REPORT_MARKER

    root = make_vault({"A.md": "a\n", "B.md": "b\n", "R.md": REPORT_MARKER + "\nold report\n"})
    runner = Runner(open_session(root))
    assert runner.run(RunOptions(jobs=1, use_cache=False, keep_state=True)).notes_in_vault == 2
    (root / "A.md").write_text("a again\n")
    assert runner.update(["A.md"])[1] == 2
    (root / "B.md").write_text(REPORT_MARKER + "\nnow a report\n")
    assert runner.update(["B.md"])[1] == 1
    (root / "R.md").unlink()
    (root / "C.md").write_text("c\n")
    assert runner.update(["R.md", "C.md"])[1] == 2
    (root / "B.md").write_text("a note again\n")
    assert runner.update(["B.md"])[1] == 3


def test_a_warm_run_holds_one_shard_of_the_cache_at_a_time(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Facts are read from the cache shard by shard, each shard's raw JSON let go once its notes are read.
    Held all at once until the end, a linked 50,000-note vault's raw JSON took 800 MB at the peak of a warm
    `vaultkit link`: four times the facts made from it."""
    from vaultkit import store

    monkeypatch.setattr(cache, "RACY_NS", 0)  # the notes were copied in just now: trust their signatures
    Runner(open_session(example_vault)).run(RunOptions(jobs=1))  # fills the cache
    held: list[int] = []
    read = store.FactStore._shard

    def counting(self: store.FactStore, n: int) -> dict[str, Any]:
        part = read(self, n)
        held.append(len(self._shards))
        return part

    monkeypatch.setattr(store.FactStore, "_shard", counting)
    (example_vault / "Wiki" / "New note.md").write_text("# New\n\nMeituan and ResRL.\n", encoding="utf-8")
    got = Runner(open_session(example_vault)).run(RunOptions(jobs=1, keep_state=True))
    assert got.diagnostics
    assert len(held) > 3  # the example vault spreads over several shards
    assert max(held) <= 2, held  # the one being read, and the one kept for the new note's save


def test_facts_read_from_the_cache_share_the_strings_the_vault_repeats(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every `[[Meituan]]` of the vault, read back from the cache, is one string: JSON gives each occurrence
    its own, and a linked 50,000-note vault's links took 250 MB more."""
    from vaultkit import store

    monkeypatch.setattr(cache, "RACY_NS", 0)
    session = open_session(example_vault)
    Runner(session).run(RunOptions(jobs=1))
    listing = vault.list_vault(example_vault, session.config, session.obsidian, None)
    the_cache = cache.Cache(example_vault, session.cache_fingerprint)
    digests, _sigs = cache.known_digests(example_vault, listing.notes, cache.read_state(the_cache))
    facts = store.FactStore(the_cache, listing.notes, digests)
    assert facts.load_all() == []
    links = [x for f in facts.facts.values() for x in f.links]
    by_target: dict[str, set[int]] = {}
    for x in links:
        by_target.setdefault(x.target, set()).add(id(x.target))
    repeated = [t for t in by_target if sum(x.target == t for x in links) > 1]
    assert repeated  # the example vault links some notes from several others
    assert all(len(by_target[t]) == 1 for t in repeated), repeated
    assert len({id(x.kind) for x in links if x.kind == "wiki"}) == 1
    assert len({id(x.source) for x in links if x.source == "body"}) == 1


def test_parsed_facts_share_the_strings_the_vault_repeats(
    make_vault: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Facts parsed by the workers share every link target, subpath, note type and anchor text the vault
    repeats: a worker's pickle holds each once per chunk of notes only, and in a 50,000-note vault the
    copies took 30 MB (note types and anchor texts: one copy per note)."""
    from vaultkit import pool

    monkeypatch.setattr(pool, "CHUNK", 1)  # every note in a chunk (a pickle) of its own
    note = "---\ntype: concept\nrelated:\n  - x\n---\nSee [[Alpha#Intro]] and [[Beta]].\n"
    root = make_vault({"Alpha.md": "# Intro\n", "Beta.md": "b\n", **{f"N{i}.md": note for i in range(8)}})
    facts = Runner(open_session(root)).run(RunOptions(jobs=2, use_cache=False)).facts
    notes = [facts[f"N{i}.md"] for i in range(8)]

    def one(strings: list[str | None]) -> bool:
        return len({id(s) for s in strings}) == 1

    assert one([x.target for f in notes for x in f.links if x.target == "Alpha"])
    assert one([x.subpath for f in notes for x in f.links if x.subpath == "Intro"])
    assert one([f.note_type for f in notes]) and notes[0].note_type == "concept"
    anchors = [f.anchor for f in notes if f.anchor is not None]
    assert len(anchors) == 8
    assert one([a.prefix for a in anchors]) and one([a.first_prefix for a in anchors])


def test_mentions_found_by_a_worker_share_their_text(make_vault: Callable[..., Path]) -> None:
    """Each spelling of a mention a worker finds is one string in what it sends: the parent then holds it
    once per worker, not once per mention (~300,000 on a 50,000-note vault)."""
    files = {"Alpha.md": "a\n", **{f"N{i}.md": f"Note {i} is about Alpha.\n" for i in range(12)}}
    runner = Runner(open_session(make_vault(files)))
    runner.run(RunOptions(jobs=2, use_cache=False, keep_state=True))
    assert runner.state is not None
    texts = [m.text for found in runner.state.candidates.values() for m in found]
    assert len(texts) == 12
    assert len({id(t) for t in texts}) <= 2  # one per worker


def test_a_run_after_every_note_changed_reads_no_shard_of_facts(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shard is read for the notes in it that are unchanged since the last run; where none is (every note
    rewritten, as after a first `vaultkit link`), reading its JSON would be work and memory for nothing."""
    from vaultkit import store

    session = open_session(example_vault)
    Runner(session).run(RunOptions(jobs=1))  # fills the cache
    listing = vault.list_vault(example_vault, session.config, session.obsidian, None)
    read: list[int] = []
    real = store.FactStore._shard

    def counting(self: store.FactStore, n: int) -> dict[str, Any]:
        read.append(n)
        return real(self, n)

    monkeypatch.setattr(store.FactStore, "_shard", counting)
    facts = store.FactStore(cache.Cache(example_vault, session.cache_fingerprint), listing.notes, {})
    assert facts.load_all() == list(listing.notes)
    assert read == []


def test_a_report_only_run_holds_no_fix_edits(make_vault: Callable[..., Path]) -> None:
    """A check that only reports keeps, per diagnostic, whether it is fixable and how, never its edits: the
    ~300,000 unlinked mentions of a 50,000-note vault held 90 MB of Edits, tuples and Fixes until the report
    was written. One edit-less Fix per description is shared; a fixing run still gets every edit."""
    files = {"Alpha.md": "The first.\n", **{f"N{i}.md": f"Note {i} is about Alpha.\n" for i in range(40)}}
    root = make_vault(files)
    shown = Runner(open_session(root)).run(RunOptions(jobs=1, use_cache=False)).diagnostics
    mentions = [d for d in shown if d.code == "VK120"]
    assert len(mentions) == 40
    assert {d.fix.description for d in mentions if d.fix} == {"link 'Alpha' to Alpha"}
    assert all(d.fix is not None and d.fix.edits == () for d in mentions)
    assert len({id(d.fix) for d in mentions}) == 1  # one Fix, shared
    fixing = Runner(open_session(root)).run(RunOptions(jobs=1, use_cache=False, fixing=True)).diagnostics
    edits = [d.fix.edits for d in fixing if d.code == "VK120" and d.fix is not None]
    assert len(edits) == 40
    assert all(e and e[0].text == "[[Alpha]]" for e in edits)


def test_a_cache_file_beyond_the_size_limit_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: the cache had no size limit of its own, so a shard replaced by (a link to) a huge file was
    read whole into memory. A cache file beyond `CACHE_FILE_LIMIT` is refused unread: a cache miss."""
    root = tmp_path / "v"
    root.mkdir()
    store = cache.Cache(root, "fingerprint")
    store.write("facts-1", {"pad": "x" * 5000})
    store.write_text("report", "key", "y" * 5000)
    assert store.read("facts-1") == {"pad": "x" * 5000}
    assert store.read_text("report", "key") == b"y" * 5000
    monkeypatch.setattr(cache, "CACHE_FILE_LIMIT", 4096, raising=False)
    assert store.read("facts-1") is None
    assert store.read_text("report", "key") is None


@pytest.mark.parametrize("use_cache", [False, True], ids=["parsed", "from the cache"])
def test_headings_and_property_names_the_notes_repeat_are_held_once(make_vault: Any, use_cache: bool) -> None:
    """Memory: each note's facts came with heading pairs, a tuple of property names and a relations anchor of
    their own, though a vault made from templates repeats them (a 10,000-note vault: 65,000 headings in
    14,500 pairs, its property names in 8 tuples, 10,000 anchors in 386; ~20 MB of a 50,000-note vault's
    watch). Equal ones are one object, whether
    the notes were parsed or read from the cache."""
    text = "---\ntype: raw\ntags: [a]\n---\n# {0}\n\n## Summary\n\nText.\n\n## Details\n\nMore.\n"
    root = make_vault({f"N{i}.md": text.format(f"Title {i}") for i in range(3)})
    if use_cache:
        Runner(open_session(root)).run(RunOptions(jobs=1))
    facts = Runner(open_session(root)).run(RunOptions(jobs=1, use_cache=use_cache, keep_state=True)).facts
    first, *others = (facts[f"N{i}.md"] for i in range(3))
    assert first.properties == ("type", "tags")
    assert first.headings[1:] == (("Summary", 7, 2), ("Details", 11, 2))
    for f in others:
        assert f.properties is first.properties
        assert f.anchor is not None and f.anchor is first.anchor
        assert all(a is b for a, b in zip(f.headings[1:], first.headings[1:], strict=True))
        assert f.headings[0] == (f.rel.replace("N", "Title ").removesuffix(".md"), 5, 1)


def test_facts_read_from_the_cache_hold_the_listings_path_and_the_states_digest(make_vault: Any) -> None:
    """Memory: a note's facts read from the cache held copies of its path and digest that the JSON made,
    beside the listing's path and the recorded state's digest (~200 bytes a note, every run and the watch).
    They are those very strings; the facts are the same."""
    root = make_vault({"A.md": "# A\n\nSee [[B]].\n", "Sub/B.md": "---\ntype: raw\n---\nText.\n"})
    session = open_session(root)
    fresh = Runner(session).run(RunOptions(jobs=1)).facts
    store_cache = cache.Cache(root, session.cache_fingerprint)
    notes = ["".join(rel) for rel in sorted(fresh)]  # strings of their own, not the run's
    digests = {rel: "".join(fresh[rel].digest) for rel in notes}
    facts = store.FactStore(store_cache, notes, digests)
    assert facts.load_all() == []  # nothing to parse: every note read from the cache
    for rel, listed in zip(sorted(facts.facts), notes, strict=True):
        got = facts.facts[rel]
        assert got == fresh[rel]
        assert got.rel is listed
        assert got.digest is digests[rel]


def test_every_kind_of_fact_is_cached_as_its_fields_and_read_back_the_same(make_vault: Any) -> None:
    """The cache writes a note's tuples and NamedTuples (links, headings, block ids, suppressions, the
    relations anchor) as they are, not copied into lists first (a fifth of the cost of encoding 10,000
    notes' facts): JSON writes each as the list of its fields in order, the form the cache has always held,
    and the facts read back are the facts parsed."""
    note = (
        '---\ntype: concept\naliases: [Al]\nvaultkit_disable: [VK120]\nsource: "[[B#Part]]"\nrelated:\n  - x\n'
        "title: 5\n---\n# Head\n\nSee [[B]] and ![[B#Part|shown]] and [c](Sub/C.md).\n\n"
        "%% vaultkit-disable VK101 VK102 %%\nText ^block1\n%% vaultkit-enable VK101 %%\n\n## Head\n"
    )
    root = make_vault({"A.md": note, "B.md": "# Part\n", "Sub/C.md": "c\n"})
    session = open_session(root)
    fresh = Runner(session).run(RunOptions(jobs=1)).facts
    a = fresh["A.md"]
    assert a.links and a.headings and a.block_ids and a.suppressions and a.suppressions[0].ends
    assert a.anchor is not None and a.aliases and a.disabled and a.properties
    assert any(x.source != "body" for x in a.links)
    store_cache = cache.Cache(root, session.cache_fingerprint)
    entry = store_cache.read(f"facts-{cache.shard_of('A.md'):02d}")["A.md"]
    assert entry["links"] == [
        [x.kind, x.target, x.subpath, x.embed, x.line, x.col, x.source] for x in a.links
    ]
    assert entry["headings"] == [list(h) for h in a.headings]
    assert entry["block_ids"] == [[b.ident, b.line, b.col] for b in a.block_ids]
    assert entry["suppressions"] == [
        [list(s.codes), s.first_line, s.last_line, s.line, s.col, list(s.ends)] for s in a.suppressions
    ]
    assert entry["anchor"] == list(a.anchor)
    assert [entry["aliases"], entry["disabled"], entry["properties"]] == [
        list(a.aliases),
        list(a.disabled),
        list(a.properties),
    ]
    digests = {rel: f.digest for rel, f in fresh.items()}
    facts = store.FactStore(store_cache, sorted(fresh), digests)
    assert facts.load_all() == []  # every note read from the cache
    assert facts.facts == fresh


def test_a_run_keeps_only_the_recorded_state_it_will_write(
    example_vault: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memory: every note's recorded signature and digest, and its signature now, were held to the end of
    the run to save the state, though only its stale shards are written (none on a warm run): ~30 MB of the
    peak of a 50,000-note vault's watch. Only the stale shards' are kept, and the state saved is the same."""
    monkeypatch.setattr(cache, "RACY_NS", 0)  # every signature trusted at once
    session = open_session(example_vault)
    the_cache = cache.Cache(example_vault, session.cache_fingerprint)
    Runner(session).run(RunOptions(jobs=1))
    notes = vault.list_vault(example_vault, session.config, session.obsidian, None).notes

    def known() -> tuple[dict[str, str], dict[str, Any], cache.NoteState]:
        state = cache.read_state(the_cache)
        digests, sigs = cache.known_digests(example_vault, notes, state)
        return digests, sigs, state

    digests, sigs, state = known()
    assert len(digests) == len(notes)
    assert (sigs, state.entries, state.stale) == ({}, {}, set())
    edited = notes[0]
    _append(edited, "\nOne more line.\n")(example_vault)
    digests, sigs, state = known()
    shard = cache.shard_of(edited)
    assert set(state.entries) == state.stale == {shard}
    assert set(sigs) == {rel for rel in notes if cache.shard_of(rel) == shard}
    assert edited not in digests
    Runner(open_session(example_vault)).run(RunOptions(jobs=1))
    digests, sigs, state = known()
    assert len(digests) == len(notes)  # the edited note's new signature and digest were recorded
    assert (sigs, state.entries) == ({}, {})
