"""The notes' facts for one run: taken from the cache where a note's content is unchanged, else parsed.

The cache keeps every note's full facts in `cache.SHARDS` shard files (a one-note change rewrites one small
file), and every note's summary (names, aliases, link targets) in as many `names` shards. A whole-vault run
needs every note's full facts. A run on a few notes (`vaultkit check NOTE`, the pre-commit case) needs full
facts only for the notes it reports on and the notes they link to; for the rest of the vault, the summaries
are enough to resolve links, find backlinks and build the mention keys. Entries are keyed by the note's
content digest: an entry of the wrong shape, or of other content, is parsed again, never trusted.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from vaultkit.cache import SHARDS, Cache, shard_of
from vaultkit.facts import (
    NoteFacts,
    NoteLike,
    NoteSummary,
    facts_from_json,
    facts_to_json,
    summary_from_row,
    summary_row,
)

_T = TypeVar("_T")


class _Shared:
    """One object for each value the vault's notes repeat, within one run's store (its dict goes with it).

    A note's facts arrive from a worker's pickle or the cache's JSON with objects of their own, though most
    of what they hold is what other notes hold too: property names alone were a fifth of the memory of a
    50,000-note vault's facts; a 10,000-note vault's 65,000 headings (text, line, level) are 14,500 pairs (a
    template's `## Summary` on the same line), its notes' property names 8 tuples, their 10,000 relations
    anchors 386. (Links share theirs as they are unpickled or read: `facts.LinkFact.__reduce__`,
    `facts_from_json`.)"""

    def __init__(self) -> None:
        self._seen: dict[object, Any] = {}

    def __call__(self, f: NoteFacts) -> None:
        intern, one = sys.intern, self._one
        f.properties = one(tuple(map(intern, f.properties)))
        if f.headings:
            f.headings = tuple([one((intern(text), line, level)) for text, line, level in f.headings])
        if f.note_type is not None:
            f.note_type = intern(f.note_type)
        f.schema_key, f.schemas = intern(f.schema_key), intern(f.schemas)  # one per schema, and per folder
        if f.anchor is not None:  # where `related:` takes a new item: the same offset in many notes
            f.anchor = one(f.anchor)

    def _one(self, value: _T) -> _T:
        """The object equal to `value` seen first (a heading's line keeps it from matching another's)."""
        return self._seen.setdefault(value, value)  # type: ignore[no-any-return]


def by_shard(rels: Iterable[str]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for rel in rels:
        out.setdefault(shard_of(rel), []).append(rel)
    return out


class FactStore:
    """What one run knows of each note: `facts` (full) for some or all notes, `names` for every note."""

    def __init__(
        self,
        cache: Cache,
        notes: Sequence[str],
        digests: Mapping[str, str],
        holds: Callable[[str, NoteFacts], bool] = lambda _rel, _facts: True,
    ) -> None:
        self.cache = cache
        self.notes = notes
        self.digests = digests  # of the notes whose stat signature is unchanged since the last run
        # do a note's cached schema findings hold under the schemas of this run (`schemas.findings_hold`)?
        self.holds = holds
        self.facts: dict[str, NoteFacts] = {}
        self.names: dict[str, NoteLike] = {}  # full facts where loaded, else the summary
        self.parsed: dict[str, NoteFacts] = {}
        self._shards: dict[int, dict[str, Any]] = {}  # as read; kept only where a parsed note will be saved
        self._keep: set[int] = set()
        self._rows: dict[str, Any] = {}  # the summaries as read, written back as they were
        self._stale: set[int] = set()  # names shards to write: a summary missing or out of date
        self._share = _Shared()

    def load_all(self) -> list[str]:
        """Full facts of every note; returns the notes to parse."""
        self.names = self.facts  # type: ignore[assignment] # the same notes, and kept the same
        return self.load(self.notes)

    def load_some(self, wanted: Collection[str]) -> list[str]:
        """Summaries of every note, full facts of `wanted`; returns the notes to parse.

        A note with no usable summary is loaded in full (its summary follows from its facts)."""
        rows = self._rows
        for n in range(SHARDS) if self.digests else ():
            rows.update(_read_summaries(self.cache, n))
        full: list[str] = []
        for rel in self.notes:
            summary = self._summary(rel, rows.get(rel))
            if summary is None:
                self._stale.add(shard_of(rel))
            if summary is None or rel in wanted:
                full.append(rel)
            else:
                self.names[rel] = summary
        return self.load(full)

    def _summary(self, rel: str, row: object) -> NoteSummary | None:
        if not isinstance(row, list) or not row or row[0] != self.digests.get(rel):
            return None
        try:
            return summary_from_row(rel, row)
        except (TypeError, ValueError):
            return None

    def load(self, rels: Iterable[str]) -> list[str]:
        """Full facts of these notes (those not loaded yet); returns the notes to parse.

        Shard by shard: a shard's raw JSON is let go as soon as its notes are read, unless one of them is to
        be parsed (its shard is written back with it); a shard none of whose notes is unchanged is not read.
        Held all at once, the raw JSON of a linked 50,000-note vault added about 300 MB to the peak."""
        wanted = list(dict.fromkeys(rel for rel in rels if rel not in self.facts))
        loaded: dict[str, NoteFacts] = {}
        for n, members in by_shard(wanted).items():
            if not any(rel in self.digests for rel in members):
                continue  # no note of it is unchanged since the last run: nothing to read there
            part = self._shard(n)
            for rel in members:
                facts = self._cached(rel, part.get(rel), self.digests.get(rel))
                if facts is not None:
                    self._share(facts)  # at once, not after every shard is read: the peak is what counts
                    loaded[rel] = facts
            if n not in self._keep and all(rel in loaded for rel in members):
                del self._shards[n]
        to_parse: list[str] = []
        for rel in wanted:  # in the order asked: the run's notes keep the listing's order
            facts = loaded.get(rel)
            if facts is None:
                to_parse.append(rel)
            else:
                self._put(facts)
        self._keep.update(map(shard_of, to_parse))  # their shards' JSON is kept to be written back
        return to_parse

    def _cached(self, rel: str, entry: object, digest: str | None) -> NoteFacts | None:
        """A note's facts from its cache entry, if the entry is whole, of this content, and its schema
        findings hold under this run's schemas (a note of another schema is not read again for an edit).

        Its path and digest are the listing's and the recorded state's strings, not copies the JSON made of
        them (~200 bytes a note, held by every run and by the watch)."""
        if digest is None or not isinstance(entry, dict) or entry.get("digest") != digest:
            return None
        try:
            facts = facts_from_json(entry)
        except (KeyError, TypeError, ValueError):
            return None  # rebuilt, never trusted
        facts.digest = digest
        if facts.rel == rel:
            facts.rel = rel
        return facts if self.holds(rel, facts) else None

    def add(self, parsed: Iterable[NoteFacts]) -> None:
        for f in parsed:
            self.parsed[f.rel] = f
            self._add(f)

    def _add(self, f: NoteFacts) -> None:
        self._share(f)
        self._put(f)

    def _put(self, f: NoteFacts) -> None:
        self.facts[f.rel] = f
        self.names[f.rel] = f

    def digest(self, rel: str) -> str:
        return self.names[rel].digest

    def save(self) -> None:
        """Write the shards holding newly parsed notes (without the notes gone), and their summaries."""
        if not self.parsed and not self._stale:
            return  # the usual warm run: nothing new, and no need to group every note by shard
        listed = by_shard(self.notes)
        for n, rels in sorted(by_shard(self.parsed).items()):
            members = listed.get(n, [])
            if all(rel in self.parsed for rel in members):
                part: dict[str, Any] = {}  # every note of the shard is new: nothing to keep, nothing to read
            else:
                keep = set(members)
                part = {rel: e for rel, e in self._shard(n).items() if rel in keep}
            part.update((rel, facts_to_json(self.parsed[rel])) for rel in rels)
            self.cache.write(f"facts-{n:02d}", part)
            self._stale.add(n)
        for n in sorted(self._stale):
            rows = {}
            for rel in listed.get(n, []):
                if rel in self.facts:
                    rows[rel] = summary_row(self.facts[rel])
                elif rel in self.names:
                    rows[rel] = self._rows[rel]  # a summary read from the cache: written back as it was
            _write_summaries(self.cache, n, rows)

    def _shard(self, n: int) -> dict[str, Any]:
        part = self._shards.get(n)
        if part is None:
            stored = self.cache.read(f"facts-{n:02d}")
            part = self._shards[n] = stored if isinstance(stored, dict) else {}
        return part


# The summaries of a shard are one text file: a JSON list of [rel, digest, readable, aliases, report], then
# one line per note with its links as JSON (which never holds a raw newline). Decoding the links only where a
# run needs them (see NoteSummary) halves the cost of reading every summary, the bulk of a one-note run.
SUMMARIES = "summaries"


def _write_summaries(cache: Cache, n: int, rows: Mapping[str, list[Any]]) -> None:
    heads = [[rel, *row[:3], *row[4:]] for rel, row in rows.items()]
    text = json.dumps(heads, ensure_ascii=False, separators=(",", ":"))
    cache.write_text(f"names-{n:02d}", SUMMARIES, "\n".join([text, *(row[3] for row in rows.values())]))


def _read_summaries(cache: Cache, n: int) -> dict[str, list[Any]]:
    """The summaries of a shard as rows [digest, readable, aliases, links, report], or none if the file is not
    exactly what _write_summaries wrote."""
    blob = cache.read_text(f"names-{n:02d}", SUMMARIES)
    if blob is None:
        return {}
    head, *links = blob.decode("utf-8", "surrogateescape").split("\n")
    try:
        heads = json.loads(head)
    except (ValueError, RecursionError):  # a foreign file, however it is broken
        return {}
    if not isinstance(heads, list) or len(heads) != len(links):
        return {}
    rows: dict[str, list[Any]] = {}
    for h, text in zip(heads, links, strict=True):
        if isinstance(h, list) and len(h) == 5 and isinstance(h[0], str):
            rows[h[0]] = [*h[1:4], text, *h[4:]]
    return rows
