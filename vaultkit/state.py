"""The vault-wide state that vault rules read, kept up to date incrementally.

A one-shot run builds it once from every note's facts. Watch mode keeps it and, when notes change,
updates only what depends on them, and says which notes must be re-checked: the changed notes; notes
whose links now resolve differently (a note was created, deleted or renamed); notes whose backlinks
changed (their relations); notes linking to a note whose headings or block ids changed; notes whose
mentions change because a name or alias appeared or disappeared.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import InitVar, dataclass, field

from vaultkit.config import Config
from vaultkit.facts import LinkLike, NoteFacts, NoteLike, link_key, suppressed
from vaultkit.linker import KeyTable, LinkPlan, Mention, breaks_math, plan_note
from vaultkit.obsidian import ObsidianSettings
from vaultkit.rules.base import VaultContext
from vaultkit.vault import Index, note_name

MentionScan = Callable[[list[str], KeyTable], dict[str, list[Mention]]]


def _keys_of(rel: str) -> set[str]:
    """The `link_key`s of the links that may name this note: [[Name]], and [[Name.md]] for `Name.md.md`."""
    name = note_name(rel)
    return {link_key(name), link_key(name + ".md")}


@dataclass
class VaultState:
    config: Config
    obsidian: ObsidianSettings
    facts: dict[str, NoteFacts]  # full facts: of every note, or (with `scope`) of the notes `names` says
    files: tuple[str, ...]
    index: Index = field(init=False)
    table: KeyTable = field(init=False)
    ctx: VaultContext = field(init=False)
    candidates: dict[str, list[Mention]] = field(default_factory=dict)  # every key match, before planning
    # rel -> notes it links to; rel -> linked from (not relations). Tuples (`out`) and lists while built,
    # then tuples (see `_compact`), made sets again where an update changes them, lists where a fixing plan
    # adds to them.
    out: dict[str, Collection[str]] = field(default_factory=dict)
    back: dict[str, Collection[str]] = field(default_factory=dict)
    # rel -> linked from, any link: kept only in a state kept up to date (`kept`), whose updates need it
    into: dict[str, Collection[str]] = field(default_factory=dict)
    # link target name -> sources: built when first needed (watch mode, a note renamed), kept up to date after
    by_key: dict[str, set[str]] | None = None
    scope: Collection[str] | None = None  # only these notes are reported on: a partial graph is enough
    # every note of the vault, as full facts or a summary; None: `facts` holds every note
    names: Mapping[str, NoteLike] | None = None
    keys: InitVar[KeyTable | None] = None  # the mention keys, if already known (from the cache)
    # watch mode: `update` follows the vault's changes. A run that ends after one check needs no `into`
    # (a third of the link graph: ~40 MB of sets on 50,000 notes), and builds none.
    kept: bool = False

    def __post_init__(self, keys: KeyTable | None) -> None:
        names: Mapping[str, NoteLike] = self.facts if self.names is None else self.names
        self.index = Index.build(names, self.facts, self.files)
        self.table = keys if keys is not None else KeyTable.build(names, self.config.link)
        self.ctx = VaultContext(self.config, self.obsidian, self.index)
        if self.scope is None:
            assert self.names is None, "a whole-vault state needs every note's full facts"
            for rel, f in self.facts.items():
                self._add_links(rel, f.links)
            self._compact()
            return
        # A few notes reported on (the pre-commit case): their own links, and only those links of other
        # notes that could point at them (same name), so their backlinks are complete. No full graph.
        inside = set(self.scope)
        for rel in inside:
            self._add_links(rel, self.facts[rel].links)
        named = set().union(*map(_keys_of, inside))
        for rel, note in names.items():
            if rel not in inside:
                self._add_links(rel, note.links_to(named))
        self._compact()

    # -- the link graph ---------------------------------------------------------------------------------

    def _add_links(self, rel: str, links: Iterable[LinkLike]) -> None:
        """Add a note's links: a note not in the graph (new, or its links just removed), so that the entries
        of other notes it is added to do not hold it yet. They grow as lists, made tuples once the graph is
        built (`_compact`): as sets, the graph of a 50,000-note vault took ~100 MB more while built."""
        relations = self.config.relations
        # a relation itself, or a link in a property whose links ask none back (`relations.skip_properties`)
        owes_none = {relations.property.lower(), *(name.lower() for name in relations.skip_properties)}
        by_key, resolve, back, into = self.by_key, self.ctx.resolve_from, self.back, self.into
        found: dict[str, bool] = {}  # the notes it links to: whether by a link that asks a relation back
        for link in links:
            if by_key is not None:
                by_key[link_key(link.target)].add(rel)
            res = resolve(rel, link)
            target = res.target
            if target is None or not res.is_note or target == rel:
                continue
            # `Related:` lists relations too (`Frontmatter.key_for`)
            found[target] = found.get(target, False) or link.source.lower() not in owes_none
        if not found:
            return
        known = self.out.get(rel)
        self.out[rel] = tuple({*known, *found} if known else found)
        for target, backlink in found.items():
            if self.kept:
                _append(into, target, rel)
            if backlink:
                _append(back, target, rel)

    def _compact(self) -> None:
        """The link graph, once built, as tuples (`out` is built so): a set of five names or more takes ~700
        bytes, a tuple of them 100 (the graph of a 50,000-note vault: ~60 MB as sets, ~100 MB with `into`).
        A state kept up to date makes sets again of the few entries each update changes (`_growing`)."""
        self.back = {rel: tuple(sources) for rel, sources in self.back.items()}
        self.into = {rel: tuple(sources) for rel, sources in self.into.items()}

    def _remove_links(self, rel: str) -> set[str]:
        targets = set(self.out.pop(rel, ()))
        for t in targets:
            _growing(self.into, t).discard(rel)
            _growing(self.back, t).discard(rel)
        old = self.facts.get(rel)
        if old is not None and self.by_key is not None:
            for link in old.links:
                self.by_key[link_key(link.target)].discard(rel)
        return targets

    def _sources_by_key(self) -> dict[str, set[str]]:
        if self.by_key is None:
            self.by_key = defaultdict(set)
            for rel, f in self.facts.items():
                for link in f.links:
                    self.by_key[link_key(link.target)].add(rel)
        return self.by_key

    # -- mentions ---------------------------------------------------------------------------------------

    def linkable(self, rel: str) -> bool:
        return linkable(self.facts.get(rel), self.config)

    def plan(self, rels: Iterable[str], fixing: bool) -> None:
        """Decide which mentions become links, for these notes; with `fixing`, count them as links (a
        preview of the vault once they are written)."""
        first_only = self.config.link.first_only
        for rel in rels:
            if rel not in self.candidates or not self.linkable(rel):
                self.ctx.mentions.pop(rel, None)
                self.ctx.ambiguous.pop(rel, None)
                continue
            facts = self.facts[rel]
            # A suppressed mention is not "the first mention": the next one is linked instead. It still
            # yields its (suppressed) diagnostic, which is what marks the suppression as used, also once the
            # note links that target elsewhere (else linking the next mention made the suppression "unused").
            hidden: list[Mention] = []
            shown: list[Mention] = []
            if facts.suppressions or facts.disabled:
                for m in self.candidates[rel]:
                    (hidden if suppressed(facts, "VK120", m.line) else shown).append(m)
            else:
                shown = self.candidates[rel]
            plan: LinkPlan = plan_note(facts, shown, self.table, self.out.get(rel, ()), first_only)
            plan.link = self._writable_links(plan.link, rel)
            # the links about to be written: never a suppressed mention's, nor one in a note the writer
            # leaves alone (frontmatter never closed or out of place), whose targets then owe it nothing
            if fixing and facts.editable:
                new = list(dict.fromkeys(target for _mention, target in plan.link))  # first_only off: once
                _extend(self.out, rel, new)
                for target in new:
                    _append(self.back, target, rel)
            if hidden:
                quiet = plan_note(facts, hidden, self.table, set(), False)  # ambiguity: as with first_only
                quiet.link = self._writable_links(quiet.link, rel)
                plan.link += _suppressed_links(quiet, plan)
                plan.ambiguous += quiet.ambiguous
            self.ctx.mentions[rel] = sorted(plan.link, key=lambda pair: pair[0].start)
            if plan.ambiguous:  # nearly every note has none: no empty list for each (~3 MB on 50,000 notes)
                self.ctx.ambiguous[rel] = plan.ambiguous
            else:
                self.ctx.ambiguous.pop(rel, None)

    def planned_once(self) -> None:
        """A run whose state is not kept (one that reports, or fixes once), once every note of its scope is
        planned: nothing plans again (such a state is never updated: see `update`), so the key table and
        the mentions found are let go before the vault rules (the table alone is ~10 MB on 50,000 notes, the
        mentions no link is planned for ~20 MB, held to the run's peak)."""
        assert not self.kept, "a state kept up to date plans again"
        self.candidates.clear()
        self.table = KeyTable()

    def _writable_links(self, links: list[tuple[Mention, str]], source: str) -> list[tuple[Mention, str]]:
        """The planned links that can be written in `source`: a mention of a note no link can name (see
        `VaultContext.writable_link`) is left as it is, and not reported."""
        writable, markdown = self.ctx.writable_link, self.obsidian.use_markdown_links
        return [
            (m, target)
            for m, target in links
            if (path := writable(target, source, self.obsidian)) is not None
            and not breaks_math(path, m.text, markdown)
        ]

    def context(self) -> VaultContext:
        self.ctx.backlinks, self.ctx.outlinks = self.back, self.out
        return self.ctx

    # -- incremental update -----------------------------------------------------------------------------

    def update(
        self, changed: Mapping[str, NoteFacts | None], files: tuple[str, ...], scan: MentionScan
    ) -> set[str]:
        """Apply new facts (None: the note is gone); return every note whose diagnostics may change."""
        assert self.scope is None and self.kept, "only a whole-vault state made to be kept is kept up to date"
        affected: set[str] = {rel for rel, f in changed.items() if f is not None}
        old = {rel: self.facts.get(rel) for rel in changed}
        for rel in changed:
            affected |= self._remove_links(rel)
        names_changed = files != self.files or any(
            (o is None) != (n is None) or (o is not None and n is not None and o.aliases != n.aliases)
            for o, n in ((old[r], changed[r]) for r in changed)
        )
        for rel, f in changed.items():
            if f is None:
                self.facts.pop(rel, None)
                self.candidates.pop(rel, None)
            else:
                self.facts[rel] = f
        for rel, f in changed.items():
            o = old[rel]
            if f is None or o is None or o.headings != f.headings or o.block_ids != f.block_ids:
                affected.update(self.into.get(rel, ()))
        if names_changed:
            affected |= self._reindex(changed, files)
        for rel, f in changed.items():
            if f is not None:
                self._add_links(rel, f.links)
                affected.update(self.out.get(rel, ()))
        if names_changed:
            affected |= self._rekey(scan)
        fresh = [rel for rel, f in changed.items() if f is not None and self.linkable(rel)]
        self.candidates.update(scan(fresh, self.table))
        return {rel for rel in affected if rel in self.facts}

    def _reindex(self, changed: Mapping[str, NoteFacts | None], files: tuple[str, ...]) -> set[str]:
        """Names changed: links that named those notes or attachments may resolve differently now. The
        notes they resolved to before and now are re-checked too: a note whose incoming link now has another
        target, or none (a second note of its name came: the link is ambiguous), owes that link's relation no
        more (VK121)."""
        came_or_went = set(files).symmetric_difference(self.files)  # attachments: `![[pic.png]]` names one
        self.files = files
        self.index = Index.build(self.facts, self.facts, files)
        ctx = VaultContext(self.config, self.obsidian, self.index, self.ctx.mentions, self.ctx.ambiguous)
        self.ctx = ctx
        names = set().union(*map(_keys_of, changed), map(link_key, came_or_went))
        by_key = self._sources_by_key()
        sources = set().union(*(by_key.get(n, set()) for n in names)) - set(changed)
        targets: set[str] = set()
        for rel in sources:
            targets |= self._remove_links(rel)
            self._add_links(rel, self.facts[rel].links)
            targets.update(self.out.get(rel, ()))
        return sources | targets

    def _rekey(self, scan: MentionScan) -> set[str]:
        """Names or aliases changed: rescan the notes that mentioned a key that went away (without it, a
        shorter key may match there), and every note for the keys that came; return the notes to re-check.
        A note's candidates are always what a scan with the current keys finds: kept with a key gone, they
        equalled the rescan once it came back, and the note was not re-checked (watch went stale)."""
        old = self.table
        self.table = KeyTable.build(self.facts, self.config.link)
        gone = {k for k in old.targets if old.spelling(k) != self.table.spelling(k)}
        new = {k for k in self.table.targets if self.table.spelling(k) != old.spelling(k)}
        affected = {rel for rel, found in self.candidates.items() if any(m.key in gone for m in found)}
        if new:
            hits = [rel for rel in self.facts if self.linkable(rel)]
        else:
            hits = sorted(rel for rel in affected if self.linkable(rel))
        rescanned = scan(hits, self.table)
        for rel, found in rescanned.items():
            if found != self.candidates.get(rel):
                affected.add(rel)
        self.candidates.update(rescanned)
        return affected


def _extend(graph: dict[str, Collection[str]], rel: str, new: Iterable[str]) -> None:
    """Add names `rel`'s entry does not hold yet (a planned link's target is one the note does not link
    to). A compacted entry becomes a list, not a set: a fixing plan adds to most notes' entries, and as
    sets they took back ~50 MB of the graph's compaction on 50,000 notes."""
    found = graph.get(rel)
    if isinstance(found, list):
        found.extend(new)
    elif isinstance(found, set):
        found.update(new)
    else:
        graph[rel] = [*(found or ()), *new]


def _append(graph: dict[str, Collection[str]], key: str, rel: str) -> None:
    """Add `rel` to `key`'s entry, which does not hold it yet (see `_add_links`, `_extend`)."""
    _extend(graph, key, (rel,))


def _growing(graph: dict[str, Collection[str]], rel: str) -> set[str]:
    """The entry of `rel` in the link graph, as a set to add to (made one if it was compacted)."""
    found = graph.get(rel)
    if not isinstance(found, set):
        found = graph[rel] = set(found or ())
    return found


def linkable(facts: NoteFacts | None, config: Config) -> bool:
    """May mentions in this note become links? (readable, not opted out, not of a skipped type)"""
    return (
        facts is not None
        and facts.readable
        and not facts.opt_out
        and facts.note_type not in config.link.skip_types
    )


def _suppressed_links(quiet: LinkPlan, shown: LinkPlan) -> list[tuple[Mention, str]]:
    """The suppressed mentions that would be linked but for their suppression, so that each suppression
    that holds one back is in use (VK301): the first of each target, and every other one before the first
    mention of that target linked instead, if any (without its suppression, it would be linked first)."""
    first_shown: dict[str, int] = {}
    for m, target in shown.link:
        first_shown[target] = min(m.start, first_shown.get(target, m.start))
    seen: set[str] = set()
    out = []
    for m, target in quiet.link:
        if target not in seen or target not in first_shown or m.start < first_shown[target]:
            out.append((m, target))
        seen.add(target)
    return out
