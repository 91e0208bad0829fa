"""Per-note work, the part that runs in worker processes: parse a note into NoteFacts, and scan its prose
for mentions once the vault's keys are known.

A batch parse keeps each linkable note's masked prose until the mention scan that follows takes it. Beyond
that, the Analyzer keeps only where each note's protected regions are (not its text): a later scan re-reads
the file (cheap) instead of parsing it again (expensive), and memory stays bounded.
"""

from __future__ import annotations

import re
import sys
import traceback
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from vaultkit.config import Config
from vaultkit.diagnostics import Diagnostic
from vaultkit.errors import FatalError
from vaultkit.facts import DRAWING_PROPERTY, BlockFact, LinkFact, NoteFacts, SuppressionFact
from vaultkit.frontmatter import JsonPath
from vaultkit.linker import KeyFilter, Mention, build_automaton, relation_anchor, scan_mentions
from vaultkit.markdown import mask
from vaultkit.note import REPORT_MARKER, Note, read_note
from vaultkit.obsidian import ObsidianSettings
from vaultkit.rules import NOTE_RULES, conflict_marker
from vaultkit.rules.base import NoteContext
from vaultkit.schemas import SchemaSet, findings_key
from vaultkit.state import linkable
from vaultkit.verify import Protected, above_delimiter_row, kept_digest, protected_ranges, unverifiable

_WIKILINK = re.compile(r"(!?)\[\[([^\[\]]+)\]\]")
SMALL_SCAN = 8  # notes a set of keys scans with per-note automata before the automaton over all keys pays


@dataclass(frozen=True)
class Settings:
    """What a worker process needs to rebuild the context; plain data, so it can be pickled."""

    root: str
    config: Config
    obsidian: ObsidianSettings
    schema_dir: str
    schemas_checked: str = ""  # the fingerprint of the schemas the parent process checked


class Analyzer:
    def __init__(self, settings: Settings, schemas: SchemaSet | None = None) -> None:
        self.root = Path(settings.root)
        self.config = settings.config
        if schemas is None:
            schemas = SchemaSet(Path(settings.schema_dir))
            schemas.trust(settings.schemas_checked)
        self.ctx = NoteContext(settings.config, schemas, settings.obsidian)
        # rel -> digest, body start, the ranges masked for the mention scan (the protected ones first), and
        # how many of them are protected
        self._masks: dict[str, tuple[str, int, tuple[tuple[int, int], ...], int]] = {}
        self._mentioned: set[str] = set()  # notes the last scans found a mention in
        self._keys: dict[str, Any] | None = None  # the payload of a KeyTable
        self._lowercase: frozenset[str] = frozenset()  # its keys spelled in lower case, as a set
        self._automaton: Any = None  # over all keys, built once more notes than SMALL_SCAN are scanned
        self._filter: KeyFilter | None = None
        self._scanned = 0  # notes scanned with these keys so far
        self._ready: dict[str, tuple[str, int, int]] = {}  # rel -> (masked body, body start, its line)

    def parse(self, rels: Iterable[str]) -> list[NoteFacts]:
        """Parse these notes, keeping each linkable note's prose for the mention scan (or `drop_prose`)."""
        out = []
        for rel in rels:
            facts, note = self._parse(rel)
            if note is not None and linkable(facts, self.config):
                first_line = note.position(note.fm.body_start)[0]
                prose = mask(note.body.body, self._masks[rel][2])
                self._ready[rel] = (prose, note.fm.body_start, first_line)
            out.append(facts)
        return out

    def parse_one(self, rel: str) -> NoteFacts:
        return self._parse(rel)[0]

    def drop_prose(self) -> None:
        """Forget the prose kept for a mention scan that will not come (only what it found is wanted)."""
        self._ready.clear()

    def _parse(self, rel: str) -> tuple[NoteFacts, Note | None]:
        try:
            note = read_note(self.root / rel, rel, self.config.max_note_bytes)
            facts = note_facts(note, self.ctx)
        except FatalError:
            raise  # the configuration, not this note: the run stops with exit 2
        except Exception as e:
            return internal_error(rel, e), None
        if not note.readable:
            return facts, None
        # masked for the mention scan: what is protected, and where no link could be verified before it is
        # written (a mention there would be planned, then refused with every other link of the note)
        unlinkable = (*note.body.protected, *unverifiable(note.body.body))
        self._masks[rel] = (facts.digest, note.fm.body_start, unlinkable, len(note.body.protected))
        return facts, note

    def set_keys(self, payload: dict[str, Any]) -> None:
        self._keys = payload
        self._lowercase = frozenset(payload["lowercase"])  # looked up at each mention glued to a word
        self._automaton = self._filter = None
        self._scanned = 0

    def mentions(self, rels: Sequence[str]) -> dict[str, list[Mention]]:
        self._mentioned = set()
        automaton_for = self._automaton_for(len(rels))
        return {rel: self._mentions_one(rel, automaton_for) for rel in rels}

    def _automaton_for(self, count: int) -> Callable[[str], Any]:
        """The automaton over every key, built once; for the first few notes scanned with these keys (a run
        on one note, watch's first saves), an automaton over the keys each note contains, which costs a
        fraction of it. Both find the same mentions (`linker.leftmost_longest`)."""
        assert self._keys is not None
        self._scanned += count
        if self._automaton is None and self._scanned <= SMALL_SCAN:
            if self._filter is None:
                self._filter = KeyFilter(self._keys["keys"])
            present = self._filter.present
            return lambda lowered: build_automaton(present(lowered))
        if self._automaton is None:
            self._automaton = build_automaton(self._keys["keys"])
        automaton = self._automaton
        return lambda _lowered: automaton

    def _mentions_one(self, rel: str, automaton_for: Callable[[str], Any]) -> list[Mention]:
        assert self._keys is not None
        acronyms = self._keys["acronyms"]
        try:
            prose, body_start, line = self._prose(rel)
        except OSError:
            return []
        out = []
        line_start, last = 0, 0  # offsets into the body; mentions come in order: count lines from the last
        line_end, over_row = -1, False  # the mention's line's end; whether a delimiter row could follow it
        for start, end, key in scan_mentions(prose, acronyms, automaton_for, self._lowercase):
            if end > line_end:  # once a line: a long line of many mentions is not searched again for each
                newline = prose.find("\n", end)
                line_end = newline if newline >= 0 else len(prose)
                over_row = above_delimiter_row(prose, end)
            if over_row:
                # `Foo bar` over `---|---` is a paragraph (one cell against two), but `[[Target|Foo]] bar`
                # over it a table's header (two and two): a mention there is left as written (verify would
                # refuse the link, and with it the note's other links)
                continue
            line += prose.count("\n", last, start)
            line_start = max(line_start, prose.rfind("\n", last, start) + 1)
            last = start
            # a key holds no MASK character, so the prose at a mention is the note's own text; one string
            # for each spelling, which the pickle to the parent then holds once per worker, not per mention
            text = sys.intern(prose[start:end])
            out.append(Mention(body_start + start, body_start + end, text, key, line, start - line_start + 1))
        if out:
            self._mentioned.add(rel)
        return out

    def protected(self) -> dict[str, Protected]:
        """What this analyzer's parse protects in each note its last mention scan found a mention in: the
        check of a link about to be written there reads it instead of parsing the note again
        (`verify.check_edits`). Asked with no notes: a request that named the ~25,000 notes a worker
        scans in a 50,000-note vault filled its pipe while the worker wrote its mentions to the other end,
        and the run and its workers waited on each other for good."""
        out = {}
        for rel in sorted(self._mentioned):
            known = self._masks.get(rel)
            if known is None:
                continue
            digest, body_start, masked, count = known
            found = protected_ranges(digest, body_start, masked[:count])
            if found is not None:
                out[rel] = found
        return out

    def _prose(self, rel: str) -> tuple[str, int, int]:
        """The note's body with protected regions masked, where the body starts, and its first line: kept
        from the parse, else rebuilt from the file and the recorded ranges ("" if unreadable now)."""
        from vaultkit.note import decode, lines_view, read_raw

        ready = self._ready.pop(rel, None)
        if ready is not None:
            return ready
        raw, _ = read_raw(self.root / rel, self.config.max_note_bytes)
        if raw is None:
            return "", 0, 1
        known = self._masks.get(rel)
        if known is None or known[0] != raw.digest:
            self.parse_one(rel)
            known = self._masks.get(rel)
            if known is None:
                return "", 0, 1
        text, _bom, problem = decode(raw.data)
        if text is None or problem is not None:
            return "", 0, 1
        text = lines_view(text)[0]
        _digest, body_start, protected, _count = known
        return mask(text[body_start:], protected), body_start, text.count("\n", 0, body_start) + 1


def note_facts(note: Note, ctx: NoteContext) -> NoteFacts:
    """Everything the vault stages need from one note, and the diagnostics that depend on it alone."""
    if note.raw is not None and note.text.startswith(REPORT_MARKER):
        # unread: a link target, and nothing more
        return NoteFacts(note.rel, note.raw.digest, report=True, schema_input=False)
    diagnostics = [d for rule in NOTE_RULES for d in rule.check(note, ctx)]
    facts = NoteFacts(note.rel, note.raw.digest if note.raw else "", diagnostics=tuple(diagnostics))
    facts.schema_input, facts.schema_key = _schema_basis(note, ctx)
    facts.schemas = ctx.schemas.short_fingerprint
    if not note.readable:
        return facts
    config = ctx.config
    data = note.fm.data
    base = note.fm.body_start
    facts.readable = True
    # No edit where the frontmatter is unreadable, never closed or out of place: a link written into what the
    # user is still typing as YAML would break it once they close it
    facts.editable = note.fm.loaded and (note.fm.present or not note.fm.problems)
    # Nor into a merge conflict left in the body (VK007): a link written into the side the user then
    # deletes is gone, and the relation it gave another note with it
    facts.editable = facts.editable and not any(d.code == conflict_marker.RULE.code for d in diagnostics)
    kind = data.get(config.type_property)
    facts.note_type = kind if isinstance(kind, str) else None
    aliases = data.get(note.fm.key_for("aliases"))  # `Aliases:` too, as Obsidian reads it
    values = [aliases] if isinstance(aliases, str) else aliases if isinstance(aliases, list) else []
    facts.aliases = tuple(a for a in values if isinstance(a, str) and a.strip())
    facts.opt_out = (
        data.get(note.fm.key_for(config.link.opt_out_property)) is False or DRAWING_PROPERTY in data
    )
    disabled = data.get(note.fm.key_for(config.disable_property))  # `Vaultkit_Disable:` too, as `Aliases:`
    # an entry that is no text is VK010's (the bundled schemas), never a code: str(5), str({...}) name none
    facts.disabled = (
        tuple(c.upper() for c in disabled if isinstance(c, str)) if isinstance(disabled, list) else ()
    )
    facts.links = (*_body_links(note, base), *_property_links(note))
    starts = note.line_starts  # a heading's line is the number of lines that start at or before it
    facts.headings = tuple(
        (h.text, bisect_right(starts, base + h.start), h.level) for h in note.body.headings
    )
    facts.block_ids = tuple(BlockFact(b.ident, *note.position(base + b.start)) for b in note.body.block_ids)
    facts.suppressions = tuple(
        SuppressionFact(s.codes, s.first_line, s.last_line, s.line, s.col, s.ends)
        for s in note.body.suppressions
    )
    if config.relations.enabled and not note.lone_cr:  # an inserted line would need the file's own breaks
        facts.anchor = relation_anchor(note.text, note.fm, config.relations.property)
        if facts.anchor is not None:  # spares the check of a relation edit a second load of the YAML
            facts.kept = kept_digest(note.fm, config.relations.property)
    if config.relations.enabled:  # where VK121 points: the note's relations key, if it has one
        node = note.fm.nodes.get((note.fm.key_for(config.relations.property),))
        facts.relations_line, facts.relations_col = (node.key_line, node.key_col) if node else (0, 1)
    facts.properties = tuple(data)
    return facts


def _schema_basis(note: Note, ctx: NoteContext) -> tuple[str | Literal[False] | None, str]:
    """What the note's schema findings depend on (`NoteFacts.schema_input` and `schema_key`). A note whose
    frontmatter is not read, or whose `$schema` is not text, has findings no schema file changes."""
    if not note.readable or not note.fm.loaded:
        return False, ""
    data = note.fm.data
    explicit = data.get("$schema")
    if explicit is not None and not isinstance(explicit, str):
        return False, ""
    kind = data.get(ctx.config.type_property)
    given = explicit or None  # `$schema: ""` is not set, as `select_schema` reads it
    if given is None and kind not in (None, "") and not isinstance(kind, str):
        # `type: [wiki]`: VK011 names the types the folder has a schema for. No key: these findings hold
        # only while the folder is the very same
        return None, ""
    key = findings_key(ctx.schemas, note.rel, given, kind if isinstance(kind, str) else None, ctx.config)
    return given, key


def _body_links(note: Note, base: int) -> Iterator[LinkFact]:
    starts = note.line_starts  # `note.position` written out: ~7 links a note
    for link in note.body.links:
        at = base + link.start
        line = bisect_right(starts, at)
        # one string for each target: the pickle to the parent then holds it once per chunk of notes
        yield LinkFact(
            link.kind, sys.intern(link.target), link.subpath, link.embed, line, at - starts[line - 1] + 1
        )


def _property_links(note: Note) -> Iterator[LinkFact]:
    for path, value in _strings(note.fm.data, ()):
        node = note.fm.nodes.get(path)
        source = note.text[node.start : node.end] if node else ""
        at = 0
        for m in _WIKILINK.finditer(value):
            target, _, _display = m.group(2).partition("|")
            target, _, subpath = target.partition("#")
            # where the link is written in the value (`title: "See [[X]] here"`, a folded `>` value's next
            # line), as a body link's place is its `[[`; the value's own place where it is not written as
            # it reads (an escape inside it, a line folded within it, an alias `*ref`)
            found = source.find(m.group(0), at)
            if node is None:
                line, col = 1, 1
            elif found < 0:
                line, col = node.line, node.col
            else:
                line, col = note.position(node.start + found)
                at = found + len(m.group(0))
            key = sys.intern(str(path[0]))
            yield LinkFact(
                "wiki", sys.intern(target.strip()), subpath.strip(), bool(m.group(1)), line, col, key
            )


def _strings(value: dict[str, Any] | list[Any], path: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    """The strings inside `value` that hold a `[[`, with their paths. A string is looked at where it is
    found: a generator for each of a note's values cost more than finding the few links among them."""
    items: Iterable[tuple[str | int, Any]] = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        if isinstance(item, str):
            if "[[" in item:
                yield (*path, key), item
        elif isinstance(item, (list, dict)):
            yield from _strings(item, (*path, key))


def internal_error(rel: str, error: BaseException) -> NoteFacts:
    where = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    place = f" at {Path(where.filename).name}:{where.lineno}" if where else ""
    message = (
        f"vaultkit could not process this note ({type(error).__name__}: {error}{place}); please report it"
    )
    return NoteFacts(rel, diagnostics=(Diagnostic(rel, 1, 1, "VK000", message),))
