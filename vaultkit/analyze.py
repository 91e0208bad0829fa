"""Per-note work, the part that runs in worker processes: parse a note into NoteFacts, and scan its prose
for mentions once the vault's keys are known.

The Analyzer keeps, for each note it parsed, only where the protected regions are (not the text), so the
mention scan re-reads the file (cheap) instead of parsing it again (expensive) and memory stays bounded.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vaultkit.config import Config
from vaultkit.diagnostics import Diagnostic
from vaultkit.facts import BlockFact, LinkFact, NoteFacts, SuppressionFact
from vaultkit.frontmatter import JsonPath
from vaultkit.linker import Mention, build_automaton, relation_anchor, scan_mentions
from vaultkit.markdown import mask
from vaultkit.note import Note, read_note
from vaultkit.obsidian import ObsidianSettings
from vaultkit.rules import NOTE_RULES
from vaultkit.rules.base import NoteContext
from vaultkit.schemas import SchemaSet

_WIKILINK = re.compile(r"(!?)\[\[([^\[\]]+)\]\]")


@dataclass(frozen=True)
class Settings:
    """What a worker process needs to rebuild the context; plain data, so it can be pickled."""

    root: str
    config: Config
    obsidian: ObsidianSettings
    schema_dir: str


class Analyzer:
    def __init__(self, settings: Settings, schemas: SchemaSet | None = None) -> None:
        self.root = Path(settings.root)
        self.config = settings.config
        schemas = schemas or SchemaSet(Path(settings.schema_dir))
        self.ctx = NoteContext(settings.config, schemas, settings.obsidian)
        self._masks: dict[str, tuple[str, int, tuple[tuple[int, int], ...]]] = {}
        self._keys: tuple[list[str], dict[str, str], Any] | None = None

    def parse(self, rels: Iterable[str]) -> list[NoteFacts]:
        return [self.parse_one(rel) for rel in rels]

    def parse_one(self, rel: str) -> NoteFacts:
        try:
            note = read_note(self.root / rel, rel, self.config.max_note_bytes)
            facts = note_facts(note, self.ctx)
        except Exception as e:
            return internal_error(rel, e)
        if note.readable:
            self._masks[rel] = (facts.digest, note.fm.body_start, tuple(note.body.protected))
        return facts

    def set_keys(self, payload: dict[str, Any]) -> None:
        automaton = build_automaton(payload["keys"])
        self._keys = (payload["keys"], payload["acronyms"], automaton)

    def mentions(self, rels: Iterable[str]) -> dict[str, list[Mention]]:
        return {rel: self.mentions_one(rel) for rel in rels}

    def mentions_one(self, rel: str) -> list[Mention]:
        assert self._keys is not None
        keys, acronyms, automaton = self._keys
        try:
            prose, body_start, text = self._prose(rel)
        except OSError:
            return []
        if prose is None:
            return []
        out = []
        line, line_start, last = 1, 0, 0  # mentions come in order: count lines from the previous one
        for start, end, key in scan_mentions(prose, keys, acronyms, automaton):
            a = body_start + start
            line += text.count("\n", last, a)
            line_start = max(line_start, text.rfind("\n", last, a) + 1)
            last = a
            out.append(
                Mention(a, body_start + end, text[a : body_start + end], key, line, a - line_start + 1)
            )
        return out

    def _prose(self, rel: str) -> tuple[str | None, int, str]:
        """The note's body with protected regions masked, rebuilt from the file and the recorded runs."""
        from vaultkit.note import decode, read_raw

        raw, _ = read_raw(self.root / rel, self.config.max_note_bytes)
        if raw is None:
            return None, 0, ""
        known = self._masks.get(rel)
        if known is None or known[0] != raw.digest:
            self.parse_one(rel)
            known = self._masks.get(rel)
            if known is None:
                return None, 0, ""
        text, _bom, problem = decode(raw.data)
        if text is None or problem is not None:
            return None, 0, ""
        _digest, body_start, protected = known
        return mask(text[body_start:], protected), body_start, text


def note_facts(note: Note, ctx: NoteContext) -> NoteFacts:
    """Everything the vault stages need from one note, and the diagnostics that depend on it alone."""
    diagnostics = [d for rule in NOTE_RULES for d in rule.check(note, ctx)]
    facts = NoteFacts(note.rel, note.raw.digest if note.raw else "", diagnostics=tuple(diagnostics))
    if not note.readable:
        return facts
    config = ctx.config
    data = note.fm.data
    base = note.fm.body_start
    facts.readable = True
    facts.editable = not note.fm.present or note.fm.loaded
    kind = data.get(config.type_property)
    facts.note_type = kind if isinstance(kind, str) else None
    aliases = data.get("aliases")
    values = [aliases] if isinstance(aliases, str) else aliases if isinstance(aliases, list) else []
    facts.aliases = tuple(a for a in values if isinstance(a, str) and a.strip())
    facts.opt_out = data.get(config.link.opt_out_property) is False
    disabled = data.get(config.disable_property)
    facts.disabled = tuple(str(c).upper() for c in disabled) if isinstance(disabled, list) else ()
    facts.links = (*_body_links(note, base), *_property_links(note))
    facts.headings = tuple((h.text, note.position(base + h.start)[0]) for h in note.body.headings)
    facts.block_ids = tuple(BlockFact(b.ident, *note.position(base + b.start)) for b in note.body.block_ids)
    facts.suppressions = tuple(
        SuppressionFact(s.codes, s.first_line, s.last_line, s.line, s.col) for s in note.body.suppressions
    )
    if config.relations.enabled:
        facts.anchor = relation_anchor(note.text, note.fm, config.relations.property)
    facts.properties = tuple(data)
    return facts


def _body_links(note: Note, base: int) -> Iterator[LinkFact]:
    for link in note.body.links:
        line, col = note.position(base + link.start)
        yield LinkFact(link.kind, link.target, link.subpath, link.embed, line, col)


def _property_links(note: Note) -> Iterator[LinkFact]:
    for path, value in _strings(note.fm.data, ()):
        for m in _WIKILINK.finditer(value):
            target, _, _display = m.group(2).partition("|")
            target, _, subpath = target.partition("#")
            node = note.fm.nodes.get(path)
            line, col = (node.line, node.col) if node else (1, 1)
            yield LinkFact("wiki", target.strip(), subpath.strip(), bool(m.group(1)), line, col, str(path[0]))


def _strings(value: Any, path: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    if isinstance(value, str):
        if "[[" in value:
            yield path, value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, (*path, i))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))


def internal_error(rel: str, error: BaseException) -> NoteFacts:
    where = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    place = f" at {Path(where.filename).name}:{where.lineno}" if where else ""
    message = (
        f"vaultkit could not process this note ({type(error).__name__}: {error}{place}); please report it"
    )
    return NoteFacts(rel, diagnostics=(Diagnostic(rel, 1, 1, "VK000", message),))
