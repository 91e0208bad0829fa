"""The warm path: when nothing in the vault changed since the same command last ran, print its output.

It reads only what decides that — the config, the Obsidian settings, the schema files' bytes, the note
listing, each note's stat signature and the recorded state, and the bytes of the few notes whose signature is
not trusted (just saved) — and imports none of the parser, the rules or jsonschema. Any doubt (many untrusted
signatures, another vault, a fix, a report note) means a normal run.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from vaultkit.cache import (
    Cache,
    NoteState,
    Sig,
    Spool,
    known_digests,
    read_state,
    report_basis,
    run_fingerprint,
    shard_of,
    state_key,
)
from vaultkit.config import Config, load_config
from vaultkit.errors import FatalError
from vaultkit.obsidian import load_obsidian
from vaultkit.vault import Listing, current_listing, resolve_vault

KEEP = 4  # outputs remembered per vault (one per distinct command line)
REHASH = 32  # notes of untrusted signature hashed on the warm path; more (a checkout, a copy): a normal run


@dataclass
class Quick:
    cache: Cache | None = None
    key: str = ""  # the vault state and the request, as one hash (empty: not known)
    text: bytes | None = None
    code: int = 0


def lookup(paths: list[Path], vault: Path | None, config_dir: str, request: object) -> Quick:
    try:
        groups = resolve_vault(paths, vault, config_dir)
        if len(groups) != 1:
            return Quick()
        (root,) = groups
        from vaultkit.schemas import bundled_schema_dir, folder_fingerprint

        config = load_config(root)
        obsidian = load_obsidian(root, config_dir)
        schema_dir = root / config.schema_dir if config.schema_dir else bundled_schema_dir()
        # the cache's entries are tied to all but the schemas and the settings a whole run alone reads
        # (`engine.Session.cache_fingerprint`); an output, to them too (`output_key`)
        fingerprint = run_fingerprint(config.fingerprint(), "", obsidian.fingerprint())
        basis = report_basis(folder_fingerprint(schema_dir), obsidian)
    except (FatalError, OSError):
        return Quick()  # the normal run reports it properly
    if config.report:
        return Quick()  # a report note may need writing: take the normal path
    cache = Cache(root, fingerprint)
    index = cache.read("outputs")
    if not isinstance(index, dict) or not index:
        # no output stored (a cold run, or a cache just cleared): none to find, and listing the vault and
        # a stat of every note for a key were 50 ms of a cold 10,000-note run's start, made again by the run
        return Quick(cache)
    listing = current_listing(cache, root, config, obsidian, None)
    state = read_state(cache)
    digests, sigs = known_digests(root, listing.notes, state)
    unknown = [rel for rel in listing.notes if rel not in digests]
    if (
        len(unknown) > REHASH
        or not _recorded(state, unknown, sigs)
        or not _rehash(root, unknown, config, digests)
    ):
        return Quick(cache)  # no key: a note's content is not known for sure (the output is not stored)
    key = output_key(root, listing, digests, request, basis)
    quick = Quick(cache, key)
    slot = index.get(key)
    if isinstance(slot, list) and len(slot) == 2 and isinstance(slot[1], int):
        text = cache.read_text(f"output-{slot[0]}", key)
        if text is not None:
            quick.text, quick.code = text, slot[1]
    return quick


def _recorded(state: NoteState, rels: list[str], sigs: dict[str, Sig]) -> bool:
    """Did the last run record each of these notes with the stat signature it has now? Then nothing was done
    to it since, not even a chmod (which changes a note's ctime and what check says of it, not its bytes)."""
    for rel in rels:
        entry = state.entries.get(shard_of(rel), {}).get(rel)
        if rel not in sigs or not isinstance(entry, list) or len(entry) != 2 or entry[0] != [*sigs[rel]]:
            return False
    return True


def _rehash(root: Path, rels: list[str], config: Config, digests: dict[str, str]) -> bool:
    """Add to `digests` each note's SHA-256 as a run's read makes it (`note.read_raw`); False if one is not
    a regular file within `max_note_bytes`, or cannot be read (a normal run then reads and reports it).

    For the notes recorded as they are now, but within two seconds of their last change (the cache's racy
    window: a change in the same clock tick would leave the signature as it was). Each kept the warm path
    from the stored output until a normal run recorded it again: 213 ms instead of 69 on the 1,000-note
    bench vault, for a check run twice soon after a save. `note` is not imported: it brings the parser."""
    base = str(root) + os.sep
    for rel in rels:
        try:
            fd = os.open(base + rel, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
            try:
                st = os.fstat(fd)
                if not stat.S_ISREG(st.st_mode) or st.st_size > config.max_note_bytes:
                    return False
                data = os.read(fd, st.st_size + 1)
            finally:
                os.close(fd)
        except OSError:
            return False
        if len(data) != st.st_size:
            return False  # a short read or a note growing: the normal run reads it properly
        digests[rel] = hashlib.sha256(data).hexdigest()
    return True


def _read_only_folders(root: Path, notes: Sequence[str]) -> list[str]:
    """The folders of notes this user cannot create files in: `check` shows no `[*]` for a fix there (the
    writer renames a new file into the folder), and a folder made read-only changes no note's signature."""
    base = os.path.join(str(root), "")
    folders = sorted({rel.rpartition("/")[0] for rel in notes})
    return [folder for folder in folders if not os.access(base + folder, os.W_OK)]


def output_key(root: Path, listing: Listing, digests: dict[str, str], request: object, basis: str) -> str:
    """What an output is stored under: the vault's notes and their contents (every note's digest), its other
    files, the request, the schemas and settings beyond the cache's key (`cache.report_basis`), the folder
    it was made in (paths are shown relative to it), and the folders of notes this user cannot write (no
    `[*]` there)."""
    unwritable = _read_only_folders(root, listing.notes)
    extra = [list(listing.skipped_links), list(listing.unreadable), request, os.getcwd(), unwritable, basis]
    return state_key(listing.notes, listing.files, digests, extra)


def store(quick: Quick, spool: Spool, code: int) -> None:
    """Remember this output (spooled as it was printed) for the exact vault state that produced it: the key
    the run's own listing and digests make (`output_key`). A note changed since the run read it is no
    matter: a later lookup trusts no digest whose note's signature changed since, and makes another key.

    Up to KEEP outputs (one per command line) live in `output-N.txt`; `outputs.json` maps keys to slots."""
    if quick.cache is None or not quick.key:
        spool.discard()
        return
    stored = quick.cache.read("outputs")
    index = {k: v for k, v in stored.items() if isinstance(v, list)} if isinstance(stored, dict) else {}
    index.pop(quick.key, None)
    used = {v[0] for v in index.values()}
    if len(index) >= KEEP:
        oldest = next(iter(index))
        used.discard(index.pop(oldest)[0])
    slot = next(n for n in range(KEEP + 1) if n not in used)
    if quick.cache.keep(spool, f"output-{slot}", quick.key):
        index[quick.key] = [slot, code]
        quick.cache.write("outputs", index)


def request_id(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()
