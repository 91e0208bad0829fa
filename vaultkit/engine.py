"""The one path for data: list the vault, parse each note once (or take it from the cache), build the index,
find mentions, run the rules, apply suppressions and filters. `check`, `link`, `watch` and the pre-commit
hooks all call `run`; they differ only in which notes they report on and what they do with the result.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import itertools
import os
import posixpath
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vaultkit.background import Deferred
from vaultkit.cache import (
    SHARDS,
    Cache,
    known_digests,
    read_state,
    report_basis,
    run_fingerprint,
    shard_of,
    state_key,
    store_state,
)
from vaultkit.config import CONFIG_NAME, Config, load_config
from vaultkit.diagnostics import Diagnostic, Fix, Severity
from vaultkit.errors import FatalError
from vaultkit.facts import NoteFacts, suppressed
from vaultkit.obsidian import DEFAULT_CONFIG_DIR, SETTINGS_FILES, ObsidianSettings, load_obsidian
from vaultkit.paths import nfc
from vaultkit.schemas import SchemaSet, bundled_schema_dir, findings_hold, is_schema_path
from vaultkit.store import FactStore, by_shard
from vaultkit.timing import mark
from vaultkit.vault import (
    BAD_NAME,
    Index,
    Listing,
    current_listing,
    is_excluded,
    is_note_name,
    is_unlisted,
    list_vault,
    shown_bytes,
    utf8_name,
)

if TYPE_CHECKING:  # imported where used: a run answered from the cache never loads the parser or the rules
    from vaultkit.analyze import Analyzer, Settings
    from vaultkit.linker import KeyTable, Mention
    from vaultkit.pool import Workers
    from vaultkit.rules.base import VaultContext
    from vaultkit.state import VaultState
    from vaultkit.verify import Cleared, Protected

Progress = Callable[[str], None]
BACKGROUND_SAVE = 1000  # notes parsed from which saving them overlaps the rest of the run (see background)
BACKGROUND_REPORT = 5000  # diagnostics from which a deferred report is written by a child (forking costs)
SHARED_RULES = 2000  # notes from which a report-only run checks them in forked children too (see _parts)


@dataclass
class Session:
    """A vault with its configuration loaded: everything a run needs, passed in explicitly."""

    root: Path
    config: Config
    obsidian: ObsidianSettings
    schemas: SchemaSet
    report_note: str | None = None

    @property
    def fingerprint(self) -> str:
        """The configuration in use: config, schemas, Obsidian settings (and vaultkit's version)."""
        return run_fingerprint(self.cache_fingerprint, self.report_basis, "")

    @property
    def cache_fingerprint(self) -> str:
        """What every cache entry is tied to: the configuration but the schemas and the settings only a whole
        run reads (`report_basis`). An edited schema leaves the cached facts of the notes it does not concern
        in use (`schemas.findings_hold`); the stored report and outputs are keyed on the rest too."""
        return run_fingerprint(self.config.fingerprint(), "", self.obsidian.fingerprint())

    @property
    def report_basis(self) -> str:
        return report_basis(self.schemas.fingerprint, self.obsidian)

    def settings(self, vouched: bool = False) -> Settings:
        """What a worker needs; `vouched`: the schemas are checked before any result of the workers is used
        (they may skip the checks though this process has not made them yet: see `_check_schemas`)."""
        from vaultkit.analyze import Settings

        checked = self.schemas.fingerprint if self.schemas.verified or vouched else ""
        return Settings(str(self.root), self.config, self.obsidian, str(self.schemas.folder), checked)

    @functools.cached_property
    def schema_folder_rel(self) -> str | None:
        try:
            return self.schemas.folder.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return None

    def is_config_file(self, rel: str) -> bool:
        """Files whose change affects every note: re-check the whole vault. Of the Obsidian folder, only the
        settings vaultkit reads: `workspace.json` and other plugins' data change all the time, and a commit
        that carries one must not check (or link) the whole vault."""
        folder = self.schema_folder_rel
        config_dir = self.obsidian.config_dir + "/"
        return (
            rel in (CONFIG_NAME, "pyproject.toml")
            or (rel.startswith(config_dir) and rel[len(config_dir) :] in SETTINGS_FILES)
            or (folder is not None and _in_schema_folder(rel, folder))
        )


def _in_schema_folder(rel: str, folder: str) -> bool:
    """Is `rel` in the schema folder `folder` (both vault-relative)? At the vault root (`schema_dir = "."`,
    whose path is "."), the schemas are its JSON files but hidden ones (`schemas.schema_paths`), not its
    notes: no path starts with "./", and a schema given by name (the pre-commit hook) had no note checked."""
    if folder == ".":
        return is_schema_path(rel)
    return rel.startswith(folder + "/")


def open_session(root: Path, config_dir: str = DEFAULT_CONFIG_DIR, report: str | None = None) -> Session:
    config = load_config(root)
    obsidian = load_obsidian(root, config_dir)
    folder = root / config.schema_dir if config.schema_dir else bundled_schema_dir()
    schemas = SchemaSet(folder)
    _check_named_schemas(config, schemas)
    report_note = (report or config.report or "").replace(os.sep, "/") or None
    if report_note is not None:
        if "\0" in report_note:  # `report = "R\u0000.md"`: the write raised ValueError, an internal error
            raise FatalError(f"report note '{report_note}': no file name holds a NUL character")
        normal = posixpath.normpath(report_note)
        if (
            posixpath.isabs(normal)
            or normal == ".."
            or normal.startswith("../")
            or not normal.endswith(".md")
        ):
            raise FatalError(f"report note '{report_note}': give a vault-relative path to a .md note")
        report_note = normal
        if is_unlisted(report_note):
            raise FatalError(
                f"report note '{report_note}': it would be in a hidden folder (Obsidian's settings, git, "
                "vaultkit's cache), where Obsidian shows no note: give a path outside them"
            )
        _check_report_note(root, report_note)
    return Session(root, config, obsidian, schemas, report_note)


def _check_report_note(root: Path, rel: str) -> None:
    """The report note is left out of the checks and rewritten: it must be vaultkit's, or not exist yet. A
    note of the user's by that name would never be checked or linked again, and never be written either."""
    from vaultkit.note import is_report

    path = root / rel
    if not os.path.lexists(path):
        return
    if os.path.isdir(path) and not os.path.islink(path):
        raise FatalError(f"report note '{rel}': a folder of that name exists; give the report another name")
    if not is_report(path):
        raise FatalError(
            f"report note '{rel}': a note of that name exists that vaultkit did not write; "
            "give the report another name, or move that note"
        )


def _check_named_schemas(config: Config, schemas: SchemaSet) -> None:
    """A schema the config names must exist: one configuration error, not a diagnostic on every note."""
    where = config.source or "vaultkit.toml"
    for key, codes in (("select", config.select), ("ignore", config.ignore)):
        if not codes:
            continue  # nothing to check: the rule registry stays unloaded (a run from the cache needs none)
        from vaultkit.rules import unknown

        bad = unknown(codes)
        if bad:
            raise FatalError(f"{where}: {key}: {', '.join(bad)}: no rule has such a code")
    for pattern, name in config.schema_map:
        if not schemas.has(name):
            raise FatalError(
                f"{where}: schema_map: '{pattern}' names '{name}', which is not in {schemas.folder}"
            )
    if config.default_schema != Config().default_schema and not schemas.has(config.default_schema):
        raise FatalError(f"{where}: default_schema '{config.default_schema}' is not in {schemas.folder}")


@dataclass(frozen=True)
class RunOptions:
    targets: tuple[str, ...] | None = None  # vault-relative notes or folders; None: the whole vault
    jobs: int | None = None
    use_cache: bool = True
    # The fixes will be applied or shown: every note's full facts, and the relations the targets' links call
    # for in other notes (RunResult.beyond).
    fixing: bool = False
    preview: bool = False  # with fixing: count the links the fixes are about to insert (link --diff/--check)
    refused: frozenset[str] = frozenset()  # with preview: notes whose new links would be refused, not counted
    keep_state: bool = False  # watch mode: always build the VaultState (no whole-report shortcut)
    # with keep_state: the diagnostics keep their fixes' edits, to be applied later (watch --fix); without,
    # each fix is only described, as in a report (and the state's planned links go once checked)
    keep_edits: bool = True
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    # codes reported whatever `ignore` (the config's too) says: the notes `link` skips, never in silence
    always: tuple[str, ...] = ()
    # Write a large whole-vault report to the cache in a forked child, while the caller prints it: the
    # caller then owns RunResult.writing and must `finish()` it before it returns.
    defer_writes: bool = False

    @property
    def reports_only(self) -> bool:
        """A run that only reports: no fix applied or shown, and no state kept to update (watch). Each note
        is planned and checked once, and what it took can be let go as soon as it is."""
        return not self.fixing and not self.keep_state

    @property
    def edits(self) -> bool:
        """Do the diagnostics carry their fixes' edits? Only where a fix is applied or shown, at once or
        later (watch --fix): else one edit-less Fix per description stands for all (`_without_edits`)."""
        return self.fixing or (self.keep_state and self.keep_edits)


@dataclass
class RunResult:
    diagnostics: list[Diagnostic]
    scope: list[str]
    facts: dict[str, NoteFacts] = field(default_factory=dict)
    index: Index | None = None
    notes_in_vault: int = 0
    beyond: list[Diagnostic] = field(default_factory=list)  # fixing given notes: relations due in others
    writing: Deferred | None = None  # with RunOptions.defer_writes: the report's cache write, under way
    reports: tuple[str, ...] = ()  # the notes of the scope that are a report vaultkit wrote: not checked
    # the vault as this run checked it: its listing and every note's digest (of the content read, or known
    # from the cache): what `quick` keys the run's output with
    checked: tuple[Listing, dict[str, str]] | None = None
    # a run that fixes: the links planned in each note that vaultkit's parse (in the worker that found their
    # mentions) protects no part of, for the check of the links written there (fixer); none for mentions
    # from the cache (those notes are scanned)
    cleared: dict[str, Cleared] = field(default_factory=dict)


class Runner:
    """Runs the pipeline for one session; keeps its worker pool and analyzer between runs (watch mode)."""

    def __init__(self, session: Session, progress: Progress | None = None) -> None:
        self.session = session
        self.progress = progress
        self._analyzer: Analyzer | None = None
        self.state: VaultState | None = None
        self._keys_for: KeyTable | None = None
        self._listing: Listing | None = None
        self._reports: tuple[VaultState, set[str]] | None = None  # watch mode: the state's report notes
        self._keep_edits = True  # watch mode: whether the kept state's re-checks carry their fixes' edits

    @property
    def analyzer(self) -> Analyzer:
        if self._analyzer is None:
            from vaultkit.analyze import Analyzer

            self._analyzer = Analyzer(self.session.settings(), self.session.schemas)
        return self._analyzer

    def run(self, opts: RunOptions) -> RunResult:  # noqa: PLR0915 - the run's phases, in order
        mark("start")  # interpreter, imports, configuration and schemas: everything before the run
        session = self.session
        cache = Cache(session.root, session.cache_fingerprint, opts.use_cache)
        cache.prepare()  # before listing: creating the cache folder changes the vault folder's mtime
        listing = self._listing = current_listing(
            cache, session.root, session.config, session.obsidian, session.report_note
        )
        scope = _scope(session, listing, opts.targets)
        mark("list")
        notes_state = read_state(cache)
        digests, sigs = known_digests(session.root, listing.notes, notes_state)
        mark("signatures")
        whole = len(digests) == len(listing.notes)
        state_key = _state_key(listing, digests, opts, session) if whole else None
        unreachable = self._unreachable(listing, opts)  # notes given but not listed: reported on too
        reported = scope + [d.path for d in unreachable]
        if state_key and opts.reports_only:
            cached = self._from_report(cache, state_key, listing, scope, opts)
            if cached is not None:
                diags = sorted(cached[0] + unreachable, key=Diagnostic.sort_key)
                return RunResult(
                    diags, reported, notes_in_vault=cached[2], reports=cached[1], checked=(listing, digests)
                )
        check_schemas = _check_schemas(cache, session.schemas)
        holds = functools.partial(findings_hold, session.schemas, session.config)
        store = FactStore(cache, listing.notes, digests, holds)
        partial = opts.targets is not None and opts.reports_only
        to_parse = store.load_some(scope) if partial else store.load_all()
        mark("cached facts")
        state, store_mentions, protected = self._state(
            cache, store, listing, scope, to_parse, opts, check_schemas
        )
        cleared: dict[str, Cleared] = {}  # from `protected`, once the links are planned
        current = {rel: store.digest(rel) for rel in listing.notes}  # every note, parsed or from the cache
        save_state = _Droppable(functools.partial(store_state, cache, notes_state, sigs, current))
        del notes_state, sigs  # held by save_state alone, let go with it once a child saves them
        save_facts = _Droppable(store.save)
        # --no-cache: nothing to save (serialising every note's facts for writes that do nothing took 0.5 s)
        work: list[Callable[[], None]] = [save_state, save_facts, *filter(None, [store_mentions])]
        saving = Deferred(*(work if cache.enabled else []))
        try:
            if len(to_parse) >= BACKGROUND_SAVE and cache.enabled:
                saving.start()  # a child overlaps the rules (not the workers: they keep both cores busy)
            thin = _dropped(saving, cache, opts, store_mentions, save_facts, save_state)
            diags = self._checked(
                listing,
                scope,
                state,
                store.facts,
                opts,
                shared=not saving.started,
                thin=thin,
                protected=protected,
                cleared=cleared,
            )
            if unreachable:
                diags = sorted(diags + unreachable, key=Diagnostic.sort_key)
            mark("vault rules")
            beyond = []
            if opts.fixing and opts.targets is not None:
                beyond = self._relations_of_targets(scope, state, opts)
            saving.finish()
        except BaseException:
            saving.abandon()
            raise
        mark("notes saved")
        reports = tuple(rel for rel in scope if store.facts[rel].report)
        writing = (
            _save_report(
                cache, state_key or _state_key(listing, current, opts, session), diags, reports, listing, opts
            )
            if opts.targets is None and not opts.fixing and cache.enabled
            else None
        )
        mark("cache writes")
        self.state, self._keep_edits = (state if not opts.fixing else None), opts.keep_edits
        found = (store.facts, state.index, _not_reports(listing, store), beyond, writing, reports)
        return RunResult(diags, reported, *found, checked=(listing, current), cleared=cleared)

    def _from_report(
        self, cache: Cache, state_key: str, listing: Listing, scope: list[str], opts: RunOptions
    ) -> tuple[list[Diagnostic], tuple[str, ...], int] | None:
        """The scope's diagnostics and report notes, and the number of the vault's notes that are not reports,
        from the report cached for this very vault state, if there is one."""
        cached = _cached_report(cache, state_key, scope, opts.targets is None, len(listing.notes))
        if cached is not None and opts.targets is not None:  # the report holds these for the whole vault only
            active = self._active(opts)
            cached[0].extend(d for d in self._run_level(listing, scope, opts) if active(d.code))
        return cached

    def _state(  # noqa: PLR0917 - the run's parts, each needed here
        self,
        cache: Cache,
        store: FactStore,
        listing: Listing,
        scope: list[str],
        to_parse: list[str],
        opts: RunOptions,
        check_schemas: Callable[[], None],
    ) -> tuple[VaultState, _Droppable | None, dict[str, Protected]]:
        """Parse what the cache does not hold (into `store`), build the vault state, find the mentions.
        Also returns what stores the new mentions in the cache, if anything is to be stored, and, in a run
        that fixes, what the parse protects in each note the workers found a mention in. The schemas are
        checked (`check_schemas`) while the workers parse: no result of theirs is used before."""
        from vaultkit.pool import Workers, choose_jobs
        from vaultkit.state import VaultState

        session = self.session
        partial = opts.targets is not None and opts.reports_only
        jobs = choose_jobs(opts.jobs, len(to_parse))
        workers = Workers(session.settings(vouched=True), jobs, self.analyzer if jobs == 1 else None)
        try:
            self._say(f"parsing {len(to_parse)} notes" if len(to_parse) > 500 else "")
            store.add(workers.call("parse", to_parse, meanwhile=check_schemas))
            mark("parse")
            table, save_table = _key_table(cache, store, session.config)
            if not partial:  # the workers scan for mentions while this process builds the vault state
                scanned, workers, store_mentions = self._mentions(cache, store, scope, table, workers, opts)
                save_table()
            state = VaultState(
                session.config,
                session.obsidian,
                store.facts,
                listing.files,
                scope=scope if partial else None,
                names=store.names if partial else None,
                keys=table,
                kept=opts.keep_state,
            )
            if partial:  # the rules look up the headings and block ids the scope's links name
                store.add(workers.call("parse", store.load(_looked_into(state, scope))))
                save_table()
                scanned, workers, store_mentions = self._mentions(cache, store, scope, table, workers, opts)
            mark("vault state")
            found, protected = scanned()
            mark("mentions")
        finally:
            workers.close()
            if self._analyzer is not None:
                self._analyzer.drop_prose()
        state.candidates.update(found)
        return state, store_mentions, protected

    def update(self, changed: Sequence[str]) -> tuple[dict[str, list[Diagnostic]], int]:
        """Watch mode: re-read these notes (gone ones too) and re-check every note that depends on them.

        Returns the new diagnostics of each re-checked note, and the number of notes in the vault (report
        notes left out, as a run counts them).
        """
        assert self.state is not None, "run() first"
        old = self._listing
        before = old.unlisted_folders() if old is not None else set()
        listing = self._listing_after(changed)
        touched = {rel for rel in changed if rel}
        if listing is old:  # saves of notes the state holds: no note came or went (no pass over the vault)
            gone: set[str] = set()
        else:
            present = set(listing.notes)
            touched |= present ^ set(self.state.facts)
            gone = touched - present
        new_facts: dict[str, NoteFacts | None] = dict.fromkeys(gone)
        # parsed keeping their prose: the mentions come from the very text the facts do, not from a later
        # save read again (a note saved twice in a row was reported half from each version)
        new_facts.update((f.rel, f) for f in self.analyzer.parse(sorted(touched - gone)))
        try:
            affected = self.state.update(new_facts, listing.files, self._scan)
        finally:
            self.analyzer.drop_prose()
        self.state.plan(affected, fixing=False)
        ctx = self.state.context()
        links = before ^ listing.unlisted_folders()  # symlinked or unreadable folders come or gone
        targets = tuple(sorted(affected | links))
        opts = RunOptions(targets=targets, keep_state=True, keep_edits=self._keep_edits)  # watch --fix: edits
        diags = self._diagnostics(listing, sorted(affected), self.state.facts, ctx, opts)
        by_note: dict[str, list[Diagnostic]] = {rel: [] for rel in affected | links}
        for rel in gone:
            by_note[rel] = []
        for d in diags:
            by_note.setdefault(d.path, []).append(d)
        return by_note, len(listing.notes) - len(self._reports_after(new_facts))

    def _reports_after(self, new_facts: Mapping[str, NoteFacts | None]) -> set[str]:
        """The report notes of the vault the state holds, kept up to date from each update's new facts:
        counting them anew at each save was a pass over every note (half of a re-check on 10,000 notes)."""
        state = self.state
        assert state is not None
        if self._reports is None or self._reports[0] is not state:
            self._reports = (state, {rel for rel, f in state.facts.items() if f.report})
        reports = self._reports[1]
        for rel, f in new_facts.items():
            if f is not None and f.report:
                reports.add(rel)
            else:
                reports.discard(rel)
        return reports

    def _relations_of_targets(
        self, scope: Sequence[str], state: VaultState, opts: RunOptions
    ) -> list[Diagnostic]:
        """Linking given files also adds the reciprocal relation to the notes they (will) link to, so the
        relation reads from both sides after `vaultkit link FILE`, not only after a whole-vault run."""
        from vaultkit.rules import missing_relation

        if not self._active(opts)(missing_relation.RULE.code):
            return []
        inside = set(scope)
        targets = sorted({t for rel in scope for t in state.out.get(rel, ())} - inside)
        ctx = state.context()
        found = [d for rel in targets for d in missing_relation.check(state.facts[rel], ctx)]
        return [d for d in found if not suppressed(state.facts[d.path], d.code, d.line)]

    def listed(self, rel: str) -> bool:
        """Whether the vault's last listing holds `rel`: a note, another file, or a folder it did not enter
        (a symlinked one, one it could not read); True before any listing."""
        listing = self._listing
        return listing is None or (
            rel in listing.note_set or rel in listing.files or rel in listing.unlisted_folders()
        )

    def _listing_after(self, changed: Sequence[str]) -> Listing:
        """The vault's files after these changes. A full listing costs ~50 ms on 10,000 notes, more than
        the rest of a re-check: only folder events ("" among the changes) and unknown files need one."""
        session = self.session
        old = self._listing
        if old is None or "" in changed or any(_needs_listing(session.root, c) for c in changed):
            self._listing = list_vault(session.root, session.config, session.obsidian, session.report_note)
            return self._listing
        known = old.note_set
        if all(rel in known and (session.root / rel).is_file() for rel in changed):
            return old  # saves of notes already known: the listing is the same
        notes, files = set(known), set(old.files)
        for rel in changed:
            notes.discard(rel)
            files.discard(rel)
            path = session.root / rel
            if not os.path.lexists(path) or is_unlisted(rel):
                continue  # anything else is a note, as list_vault has it: a FIFO, a broken symlink (VK201)
            if rel == session.report_note or is_excluded(rel, session.config, session.obsidian):
                files.add(rel)  # resolvable by links, never checked
            else:
                notes.add(rel)
        self._listing = Listing(
            tuple(sorted(notes)), tuple(sorted(files)), old.skipped_links, unreadable=old.unreadable
        )
        return self._listing

    def _scan(self, rels: list[str], table: KeyTable) -> dict[str, list[Mention]]:
        if not rels:
            return {}
        if self._keys_for is not table:
            self.analyzer.set_keys(table.payload())
            self._keys_for = table
        return self.analyzer.mentions(rels)

    def _say(self, message: str) -> None:
        if message and self.progress is not None:
            self.progress(message)

    def _mentions(  # noqa: PLR0917 - the run's parts, each needed here
        self,
        cache: Cache,
        store: FactStore,
        scope: Sequence[str],
        table: KeyTable,
        workers: Workers,
        opts: RunOptions,
    ) -> tuple[
        Callable[[], tuple[dict[str, list[Mention]], dict[str, Protected]]], Workers, _Droppable | None
    ]:
        """What waits for the mentions in the scope's notes (the workers scan meanwhile) and, in a run that
        fixes, what the workers' parse protects in the notes they found a mention in (`RunResult.cleared`);
        the workers (others if the count of notes to scan called for another number), and what stores the
        new mentions in the cache, if anything is to be stored (once they are found)."""
        from vaultkit.pool import Workers, choose_jobs
        from vaultkit.state import linkable

        config = self.session.config
        facts = store.facts
        wanted = [r for r in scope if linkable(facts.get(r), config)]
        keyfp = table.fingerprint
        stale: dict[str, dict[str, Any]] = {}  # by the keys they were found with: reusable where no changed
        cached: dict[str, list[Mention]] = {}  # key is involved
        for shard, rels in sorted(by_shard(wanted).items()):
            stored = cache.read(f"mentions-{shard:02d}")
            if not isinstance(stored, dict) or not isinstance(stored.get("notes"), dict):
                continue
            if stored.get("keys") != keyfp:
                stale.setdefault(str(stored.get("keys")), {}).update(stored["notes"])
                continue
            # a shard at a time: all shards' entries held at once beside their mentions were watch's peak
            for rel in rels:
                mentions = _cached_mentions(stored["notes"].get(rel), facts[rel].digest)
                if mentions is not None:
                    cached[rel] = mentions
        found = {rel: cached[rel] for rel in wanted if rel in cached}
        need = [rel for rel in wanted if rel not in cached]
        if stale and need:
            reused = self._reuse_stale(cache, table, stale, store, need, found)
            need = [rel for rel in need if rel not in reused]
        if need:
            jobs = choose_jobs(opts.jobs, len(need))
            if jobs != workers.jobs:
                workers.close()
                workers = Workers(self.session.settings(), jobs, self.analyzer if jobs == 1 else None)
            self._say(f"scanning {len(need)} notes for {len(table.targets)} names" if len(need) > 500 else "")
            results = workers.ask("mentions", need, table.payload())
            # asked at once, naming no note (each worker answers for the notes its scan found a mention in,
            # once the scan is done): a request as large as the pipe would wait for the worker to read it,
            # as the worker waits for the run to read its mentions
            guarded = workers.ask("protected", []) if opts.fixing else list
        else:
            results = guarded = list
        # Only a run over the whole vault stores mentions: it brings every shard to the same keys, the keys
        # stored in "mention-keys". A run on a few notes, with other keys, would leave shards whose keys
        # nothing records, and a later run could not tell which of their mentions still hold.
        store_them = None
        if (need or stale) and len(scope) == len(store.notes):
            store_them = _Droppable(functools.partial(_store_mentions, cache, table, store, found, need))

        def scanned() -> tuple[dict[str, list[Mention]], dict[str, Protected]]:
            found.update(results())
            return found, _keyed_as(need, guarded())

        return scanned, workers, store_them

    def _reuse_stale(  # noqa: PLR0917
        self,
        cache: Cache,
        table: KeyTable,
        stale: dict[str, dict[str, Any]],
        store: FactStore,
        need: list[str],
        found: dict[str, list[Mention]],
    ) -> dict[str, Any]:
        """A name or alias was added or removed: mentions found with the old keys still hold for a note
        unless it used a key that changed, or its text contains a key that is new. Only those are scanned
        again (a new note in a 10,000-note vault rescans a handful of notes, not all of them). Returns the
        cache entries reused (their mentions are put in `found`).

        "Old keys" are the keys stored in "mention-keys": entries found with any other keys are never used."""
        from vaultkit.linker import build_automaton

        previous = cache.read("mention-keys")
        old = previous.get("table") if isinstance(previous, dict) else None
        if not isinstance(old, dict) or not isinstance(old.get("keys"), list):
            return {}
        entries = stale.get(str(previous.get("keys")), {})
        if not entries:
            return {}
        old_keys = set(old["keys"])
        respelled = table.respelled(old)
        changed = {k for k in table.targets if k not in old_keys or k in respelled}
        gone = {k for k in old_keys if k not in table.targets or k in respelled}
        automaton = build_automaton(changed)
        reused: dict[str, Any] = {}
        for rel in need:
            cached = _cached_mentions(entries.get(rel), store.digest(rel))
            if (
                cached is not None
                and not any(m.key in gone for m in cached)
                and not (changed and _contains(self, rel, automaton))
            ):
                found[rel] = cached
                reused[rel] = entries[rel]
        return reused

    def _checked(
        self,
        listing: Listing,
        scope: Sequence[str],
        state: VaultState,
        facts: dict[str, NoteFacts],
        opts: RunOptions,
        *,
        shared: bool,
        thin: bool = False,
        protected: dict[str, Protected] | None = None,
        cleared: dict[str, Cleared] | None = None,
    ) -> list[Diagnostic]:
        """Plan the links the scope's mentions call for, and run the vault rules over it; `shared`: over
        forked processes if it is large (see `_parts`). Not while a child saves the cache: it keeps the
        other core busy until the rules are done (a third process only made the run slower). What the
        parse protects (`protected`, let go here) decides which planned links are `cleared`."""
        planned = functools.partial(_plan, state, opts=opts, linking=self._active(opts)("VK120"))
        parts = self._parts(scope, opts) if shared else 1
        if parts == 1:
            planned(scope)
            if protected and cleared is not None:
                cleared.update(_cleared(protected, state))
                protected.clear()  # its table too (emptied by popitem, it kept ~2.5 MB at 50,000 notes)
            if not opts.keep_state:  # a fixing run too: its next round (`again`) builds a state of its own
                state.planned_once()
        mark("plan")
        ctx = state.context()
        if parts == 1:
            return self._diagnostics(listing, scope, facts, ctx, opts, thin=thin)
        slices = _slices(scope, parts, state)
        return self._diagnostics(listing, scope, facts, ctx, opts, slices, planned)

    def _diagnostics(  # noqa: PLR0917 - the run's parts, each needed here
        self,
        listing: Listing,
        scope: Sequence[str],
        facts: dict[str, NoteFacts],
        ctx: VaultContext,
        opts: RunOptions,
        slices: Sequence[Sequence[str]] = (),
        plan: Callable[[Sequence[str]], None] | None = None,
        *,
        thin: bool = False,
    ) -> list[Diagnostic]:
        """The diagnostics of the scope's notes, and the run's own, in report order. Given `slices` of the
        scope (a run that only reports, on many notes), the first is checked here, each other in a forked
        child, which has the vault state already and sends back only its diagnostics; with `plan`, each
        slice's mentions are planned where it is checked (per note: see `_parts`)."""
        from vaultkit.background import map_forked
        from vaultkit.rules import VAULT_RULES

        active = self._active(opts)
        checks = [rule.check for rule in VAULT_RULES if active(rule.code)]
        key = Diagnostic.sort_key
        # a run that only reports never applies a fix (nor does watch without --fix): its edits are dropped
        # as each note is checked
        fixes: dict[tuple[str, bool], Fix] | None = None if opts.edits else {}
        ctx.edits = fixes is None  # and the rules need not work them out (VK120: 15 MB on 50,000 notes)
        if fixes is not None:
            ctx.fixes = fixes  # the rules' described fixes are the report's shared ones (for this check)

        def checked(chunks: Sequence[Sequence[str]]) -> Iterator[tuple[bool, list[Diagnostic]]]:
            """Each slice's diagnostics, each note's sorted as they are found, and whether every one of them
            is of the note it was found in (then the notes' lists joined are in report order). Sorting them
            all at the end held a key tuple for each at once, and a second list: 30 MB at the peak of a
            50,000-note vault's run."""
            for chunk in chunks:
                if plan is not None:
                    plan(chunk)
                out: list[Diagnostic] = []
                ordered = True
                for rel in chunk:
                    f = facts[rel]
                    found = list(f.diagnostics)
                    for check in checks:
                        found.extend(check(f, ctx))
                    # the note's planned links are asked for by its own check only: never again in a run
                    # that fixes (its next round plans anew), and a kept state plans a note again before it
                    # re-checks it (`update`). Held to the run's end: ~35 MB of `link` on 50,000 notes
                    ctx.mentions.pop(rel, None)
                    ctx.ambiguous.pop(rel, None)
                    if thin:  # the note's links are asked for by its own rules only (a child saves its facts)
                        f.links = ()
                    found = _suppress(f, _dedupe([d for d in found if active(d.code)]), active)
                    if not found:
                        continue
                    found.sort(key=key)
                    ordered = ordered and all(d.path == rel for d in found)
                    out.extend(found if fixes is None else _without_edits(found, fixes))
                yield ordered, out

        # one slice a process, sent back in one piece: pickled together, the diagnostics of a slice share
        # their messages and fixes as they did in the child (sent in pieces of 250 notes, the copies of them
        # were 4 MB more at the run's peak on 10,000 notes)
        chunks = list(slices) or [scope]
        ordered = all(a < b for a, b in itertools.pairwise(scope))
        out: list[Diagnostic] = []
        for chunk_ordered, found in map_forked(checked, chunks, len(chunks)):
            ordered = ordered and chunk_ordered
            out.extend(found)
        run_level = sorted((d for d in self._run_level(listing, scope, opts) if active(d.code)), key=key)
        if not ordered:
            out.extend(run_level)
            out.sort(key=key)
            return out
        return list(heapq.merge(out, run_level, key=key)) if run_level else out

    def _parts(self, scope: Sequence[str], opts: RunOptions) -> int:
        """In how many processes the vault rules check the scope: one, but for a run that only reports on
        many notes. Its mentions are planned note by note (no link is counted before it is written), so
        each process plans its own notes; a run that fixes counts the links planned in every note, and its
        diagnostics carry edits, which would cost more to send back than to make here."""
        if not opts.reports_only or len(scope) < SHARED_RULES:
            return 1
        from vaultkit.pool import choose_jobs

        return choose_jobs(opts.jobs, len(scope))

    def _unreachable(self, listing: Listing, opts: RunOptions) -> list[Diagnostic]:
        """The notes given by name that the listing could not reach (in a folder this user may not read),
        with the reason: a note given is never skipped silently."""
        known = {*listing.notes, *listing.files}
        found = []
        for rel in opts.targets or ():
            if rel in known or not is_note_name(rel):
                continue
            path = self.session.root / rel
            try:
                os.lstat(path)
            except OSError as e:
                from vaultkit.note import os_reason  # here: the parser it brings would cost every run

                found.append(Diagnostic(rel, 1, 1, "VK201", os_reason(e, path), Severity.ERROR))
        active = self._active(opts)
        return [d for d in found if active(d.code)]

    def _active(self, opts: RunOptions) -> Callable[[str], bool]:
        """Whether a code is selected and not ignored, by the options and the config."""
        from vaultkit.rules import matches

        config = self.session.config
        select = opts.select or config.select or ("ALL",)
        ignore = (*config.ignore, *opts.ignore)

        always = frozenset(opts.always)

        @functools.cache
        def active(code: str) -> bool:  # asked once per diagnostic: a few dozen distinct codes
            return code in always or (matches(code, select) and not matches(code, ignore))

        return active

    def _run_level(self, listing: Listing, scope: Sequence[str], opts: RunOptions) -> Iterable[Diagnostic]:
        from vaultkit.property_types import conflicts

        session = self.session

        # a name that is not UTF-8 is listed with its bytes spelled out (`caf\\xe9.md`), as it is reported
        given = None if opts.targets is None else tuple(shown_bytes(t).rstrip("/") for t in opts.targets)

        def wanted(rel: str) -> bool:
            return given is None or rel.startswith(given)

        for rel in listing.skipped_links:
            if wanted(rel):
                yield Diagnostic(
                    rel,
                    1,
                    1,
                    "VK205",
                    "symlinked folder not entered: its notes are not checked",
                    Severity.WARNING,
                )
        for rel, reason in listing.unreadable:
            if not wanted(rel):
                continue
            if reason == BAD_NAME:
                yield Diagnostic(rel, 1, 1, "VK201", f"not read: {reason} (rename it)")
            else:
                yield Diagnostic(
                    rel, 1, 1, "VK206", f"folder not listed ({reason}): its notes are not checked"
                )
        if opts.targets is None or any(session.is_config_file(t) for t in opts.targets):
            declared = dict(session.obsidian.property_types)
            path = f"{session.obsidian.config_dir}/types.json"
            for prop, message in conflicts(session.schemas, declared):
                line, col = _json_key(session.root / path, prop)
                yield Diagnostic(path, line, col, "VK023", message, Severity.WARNING)
            for u in session.obsidian.unapplied:  # a settings file or entry the run goes on without
                where = f"{session.obsidian.config_dir}/{u.file}"
                yield Diagnostic(where, u.line, u.col, "VK024", u.message, Severity.WARNING)


def _slices(scope: Sequence[str], parts: int, state: VaultState) -> list[Sequence[str]]:
    """The scope in `parts` runs of notes of about the same work for the vault rules, which goes with a
    note's mentions and links: cut by count, one half of a 10,000-note vault took half as long again as
    the other (and the run waited for it)."""
    weights = [
        1 + len(state.candidates.get(rel, ())) + len(state.facts[rel].links) + len(state.back.get(rel, ()))
        for rel in scope
    ]
    share = sum(weights) / parts
    out: list[Sequence[str]] = []
    start, done = 0, 0
    for i, weight in enumerate(weights):
        done += weight
        if done >= share * (len(out) + 1) and len(out) < parts - 1:
            out.append(scope[start : i + 1])
            start = i + 1
    out.append(scope[start:])
    return [part for part in out if part]


def _plan(state: VaultState, scope: Sequence[str], *, opts: RunOptions, linking: bool) -> None:
    """Pick the links to insert; counted only where they are about to be written or shown, and not in refused
    notes, nor when VK120 is not `linking` (ignored, or not selected): its fixes are then never written, and
    the relations counted for them would be ones no link answers."""
    state.plan([rel for rel in scope if rel not in opts.refused], opts.fixing and opts.preview and linking)
    if opts.refused:
        state.plan([rel for rel in scope if rel in opts.refused], False)
    if opts.reports_only:  # each note is planned once, never again
        for rel in scope:
            state.candidates.pop(rel, None)


def _keyed_as(rels: Sequence[str], found: Iterable[tuple[str, Protected]]) -> dict[str, Protected]:
    """`found` by note, keyed by the run's own strings of the notes' paths (`rels`), not by the copies a
    worker's reply brought: 50,000 of them were ~4 MB more at the peak of `link --check`."""
    own = {rel: rel for rel in rels}
    return {own.get(rel, rel): ranges for rel, ranges in found}


def _cleared(protected: dict[str, Protected], state: VaultState) -> Iterator[tuple[str, Cleared]]:
    """The links planned in each note that the note's recorded protected ranges leave clear (verify.cleared),
    the ranges let go as they are read: ~100 bytes a note linked instead of ~270 for each note with a
    mention, held through the vault rules, the peak of `link --check` at 50,000 notes."""
    from vaultkit.verify import cleared

    planned = state.ctx.mentions
    while protected:
        rel, ranges = protected.popitem()
        links = planned.get(rel)
        if links:
            yield rel, cleared(ranges, [(m.start, m.end) for m, _target in links])


def _looked_into(state: VaultState, scope: Sequence[str]) -> set[str]:
    """The other notes whose headings or block ids the scope's links name (`[[N#Heading]]`, `[[N#^id]]`):
    the only ones a run on a few notes needs in full. A note of 50 links (a map of content) loaded 50 of the
    cache's facts shards for a check of those it links to with no heading."""
    found: set[str] = set()
    resolve = state.ctx.resolve_from
    for rel in scope:
        for link in state.facts[rel].links:
            if link.subpath:
                target = resolve(rel, link).target
                if target is not None and target != rel:
                    found.add(target)
    return found


def _needs_listing(root: Path, rel: str) -> bool:
    """A change only a full listing places: not a note name, a folder (a symlinked one is not entered), or a
    name that is not UTF-8 (reported, never listed)."""
    return not is_note_name(rel) or os.path.isdir(root / rel) or not utf8_name(rel)


def _key_table(cache: Cache, store: FactStore, config: Config) -> tuple[KeyTable, Callable[[], None]]:
    """The mention keys (every note's name and aliases), from the cache unless a note was added, removed or
    renamed, or its aliases changed: building them costs more than re-checking a note. Also returns what
    writes a table built anew to the cache: a cold run does it while the workers scan with it."""
    from vaultkit.linker import KeyTable

    names = store.names
    inputs = "\n".join(f"{rel}\0{names[rel].readable}\0{names[rel].aliases}" for rel in store.notes)
    digest = hashlib.sha256(inputs.encode("utf-8", "surrogateescape")).hexdigest()
    stored = cache.read("key-table")
    if isinstance(stored, dict) and stored.get("inputs") == digest:
        try:
            return KeyTable.from_json(stored["table"]), _nothing
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # rebuilt, never trusted
    table = KeyTable.build(names, config.link)
    return table, lambda: cache.write("key-table", {"inputs": digest, "table": table.to_json()})


def _nothing() -> None:
    """Work there is none of."""


def _check_schemas(cache: Cache, schemas: SchemaSet) -> Callable[[], None]:
    """The check of the schemas, to make before any note's result is used (a bad schema stops the run with
    one error), unless the cache recorded that these exact bytes passed (checking five schemas against the
    metaschema costs more than re-checking a note). The run makes it while its workers parse: made first,
    it kept both workers waiting ~45 ms of a cold run (importing jsonschema, the metaschema's checks)."""
    if cache.read("schemas-checked") == schemas.fingerprint:
        schemas.trust(schemas.fingerprint)
        return _nothing

    def check() -> None:
        schemas.ensure_valid()
        cache.write("schemas-checked", schemas.fingerprint)

    return check


class _Droppable:
    """Work for `Deferred` that the run calls off once a child does it (`drop`): the child has its own copy
    of what the work holds, and the run's copy was held to its peak, at the end of the vault rules, only
    for a child that fails. Should it fail, the dropped work is simply not done in this run: the mentions
    (~45 MB on 50,000 notes) or the facts it leaves uncached are found again by the next run (slower once,
    never wrong; what the child did write holds what it says)."""

    def __init__(self, work: Callable[[], None]) -> None:
        self._work: Callable[[], None] | None = work

    def drop(self) -> None:
        self._work = None

    def __call__(self) -> None:
        if self._work is not None:
            self._work()


def _dropped(  # noqa: PLR0917 - the run's saving work, each dropped on its own terms
    saving: Deferred,
    cache: Cache,
    opts: RunOptions,
    mentions: _Droppable | None,
    facts: _Droppable,
    state: _Droppable,
) -> bool:
    """Drop the saving work a child does (it has its own copy) or that is never done (the signatures of
    every note, that a cold run records: ~13 MB of a 50,000-note vault's peak); whether the run may then
    thin the notes' facts as it checks them: a run whose state is not kept (one that reports, or fixes:
    what follows its rules asks a note's facts for its digest, never its links), whose facts a child saves.
    Each note's links then go once it is checked (no rule reads another note's links; the link graph is
    built), and the run never saves those facts itself."""
    if mentions is not None and (saving.started or not cache.enabled):
        mentions.drop()
    if saving.started:
        state.drop()
    thin = saving.started and not opts.keep_state
    if thin:
        facts.drop()
    return thin


def _store_mentions(
    cache: Cache,
    table: KeyTable,
    store: FactStore,
    found: dict[str, list[Mention]],
    need: list[str],
) -> None:
    """Write the shards holding new results, tagged with the key table they were found with: each shard
    with the mentions of every note of it the run looked into, found now or read from the cache."""
    keyfp = table.fingerprint
    names = store.names
    shards = by_shard(found)
    for shard in sorted({shard_of(rel) for rel in (need or found)}):
        # each shard's entries made as it is written (all at once, they were the writing child's peak); the
        # mentions go as they are: JSON writes each NamedTuple as the list of its fields
        part = {r: [names[r].digest, found[r]] for r in shards.get(shard, ())}
        cache.write(f"mentions-{shard:02d}", {"keys": keyfp, "notes": part})
    cache.write("mention-keys", {"keys": keyfp, "table": table.payload()})


def _contains(runner: Runner, rel: str, automaton: Any) -> bool:
    """Does the note's text (lower-cased) contain any of the automaton's keys? A cheap over-approximation
    of "a mention of a new key may be here": a hit means a full rescan, never a wrong answer."""
    try:
        text = nfc((runner.session.root / rel).read_bytes().decode("utf-8", "replace")).lower()
    except OSError:
        return True
    return next(iter(automaton.iter(text)), None) is not None


def _cached_mentions(entry: object, digest: str) -> list[Mention] | None:
    """Mentions stored for this content, or None if absent or of the wrong shape (never trusted blindly)."""
    from vaultkit.linker import shared_mention

    if not isinstance(entry, list) or len(entry) != 2 or entry[0] != digest or not isinstance(entry[1], list):
        return None
    try:
        return [shared_mention(*m) for m in entry[1]]
    except TypeError:
        return None


def _light_row(d: Diagnostic) -> list[object]:
    """The report cache keeps what reporters show, not the edits: fixes always run on fresh facts."""
    fix = None if d.fix is None else [d.fix.description, d.fix.safe, []]
    return [d.path, d.line, d.col, d.code, d.message, str(d.severity), fix]


def _without_edits(found: list[Diagnostic], fixes: dict[tuple[str, bool], Fix]) -> list[Diagnostic]:
    """The diagnostics as a report shows them: whether each is fixable and how, not the edits. One edit-less
    `Fix` per description, shared through `fixes`, instead of a fix holding its edit per diagnostic (~300,000
    unlinked mentions in a 50,000-note vault), until the report was written (the report cache never stores
    edits: see `_light_row`)."""
    make = tuple.__new__  # as `commands.common._moved` does: a NamedTuple's `_replace` costs twice as much
    out = []
    for d in found:
        fix = d.fix
        if fix is None:
            out.append(d)
            continue
        key = (fix.description, fix.safe)
        shared = fixes.get(key)
        if shared is None:
            shared = fixes[key] = Fix(*key)
        # most are shared already: a rule gave the fix `VaultContext.described` shares
        out.append(d if shared is fix else make(Diagnostic, (*d[:6], shared)))
    return out


def _not_reports(listing: Listing, store: FactStore) -> int:
    """The vault's notes that are not reports vaultkit wrote: the notes a whole-vault run checks."""
    return len(listing.notes) - sum(1 for n in store.names.values() if n.report)


def _cached_report(
    cache: Cache, key: str, scope: Sequence[str], whole: bool, listed: int
) -> tuple[list[Diagnostic], tuple[str, ...], int] | None:
    """The last whole-vault report, the scope's report notes and the number of `listed` notes that are not
    reports, if made from exactly this state (else None: run again).

    Sharded like the facts, so a run on one note reads one shard; "report-run" holds what belongs to no note
    (its rows are the whole vault's only), and the report notes.
    """
    wanted = set(scope)
    names = ["report-run", *(f"report-{shard:02d}" for shard in sorted({shard_of(rel) for rel in wanted}))]
    found: list[Diagnostic] = []
    reports: tuple[str, ...] = ()
    in_vault = listed
    for name in names:
        part = cache.read(name)
        if not isinstance(part, dict) or part.get("state") != key or not isinstance(part.get("rows"), list):
            return None
        try:
            if name == "report-run":
                reports = tuple(rel for rel in part["reports"] if rel in wanted)
                in_vault = listed - len(part["reports"])
                if not whole:
                    continue
            found.extend(Diagnostic.from_row(r) for r in part["rows"] if whole or r[0] in wanted)
        except (KeyError, TypeError, ValueError, IndexError):
            return None
    return sorted(found, key=Diagnostic.sort_key), reports, in_vault


def _save_report(  # noqa: PLR0917 - the report's parts
    cache: Cache,
    key: str,
    diags: list[Diagnostic],
    reports: tuple[str, ...],
    listing: Listing,
    opts: RunOptions,
) -> Deferred | None:
    """Cache the whole-vault report; if deferred, a child encodes and writes a large one (0.4 s for 60,000
    diagnostics) while the caller prints it, and the caller finishes what this returns."""
    writing = Deferred(functools.partial(_write_report, cache, key, diags, reports, set(listing.notes)))
    if opts.defer_writes and len(diags) >= BACKGROUND_REPORT:
        writing.start()
        return writing
    writing.finish()
    return None


def _write_report(
    cache: Cache, key: str, diags: list[Diagnostic], reports: tuple[str, ...], notes: set[str]
) -> None:
    # grouped first, each shard's rows made as it is written: the rows of every diagnostic at once were
    # 90 MB of a 50,000-note vault's run, in the child that writes them (the run's largest process)
    shards: dict[str, list[Diagnostic]] = {f"report-{n:02d}": [] for n in range(SHARDS)}
    shards["report-run"] = []
    for d in diags:
        shards[f"report-{shard_of(d.path):02d}" if d.path in notes else "report-run"].append(d)
    for name, found in shards.items():
        rows = [_light_row(d) for d in found]
        cache.write(
            name, {"state": key, "rows": rows, **({"reports": reports} if name == "report-run" else {})}
        )


def _scope(session: Session, listing: Listing, targets: tuple[str, ...] | None) -> list[str]:
    if targets is None or any(session.is_config_file(t) for t in targets):
        return list(listing.notes)
    chosen = []
    folders = tuple(t.rstrip("/") + "/" for t in targets if t not in ("", "."))
    exact = set(targets)
    for rel in listing.notes:
        if rel in exact or rel.startswith(folders) or "" in exact or "." in exact:
            chosen.append(rel)
    return chosen


def _state_key(listing: Listing, digests: dict[str, str], opts: RunOptions, session: Session) -> str:
    """The vault as this run reads it, for the stored report: its notes, options, and the schemas and
    settings the cache's entries are not tied to (`cache.report_basis`)."""
    extra = [opts.select, opts.ignore, opts.always, list(listing.skipped_links), list(listing.unreadable)]
    return state_key(listing.notes, listing.files, digests, [*extra, session.report_basis])


# The rules of a link's target: a YAML alias (`b: *x`) repeats its anchor's value, a link in it too, and each
# finding of that link at the anchor, where it is written and mended once (`a: &x "[[Missing]]"`)
_OF_LINKS = frozenset({"VK101", "VK102", "VK103", "VK104"})


def _said_by(schema_says: Diagnostic, link_says: Diagnostic) -> bool:
    """Does a VK010 (`… (an unquoted [[X]] is a list in YAML …)`) say of the same wikilink on the same line
    what a VK008 (`up: [[X]] is a list holding a list …`) says?"""
    from vaultkit.rules.schema_violation import UNQUOTED

    _before, hint, after = schema_says.message.partition(UNQUOTED)
    link = after.partition(" is a list")[0]
    same_line = schema_says.line == link_says.line
    return bool(hint and link) and same_line and f" {link} is a list" in link_says.message


def _dedupe(found: list[Diagnostic]) -> list[Diagnostic]:
    """A tag the schema also rejected at the same place is reported once, by VK022, the rule of tags, which
    says what is wrong with it (`'a b' contains ' '`): the schema's VK010 said only that it is no valid tag,
    then its whole description. An unquoted wikilink is reported once, by VK008. A link's finding a YAML
    alias repeats (`_OF_LINKS`) is reported once too."""
    tag_spots = {(d.line, d.col) for d in found if d.code == "VK022"}
    if tag_spots:
        found = [d for d in found if not (d.code == "VK010" and (d.line, d.col) in tag_spots)]
    links = [d for d in found if d.code == "VK008"]
    if links:  # VK008 says what an unquoted wikilink is, where the schema's VK010 said it again
        found = [d for d in found if d.code != "VK010" or not any(_said_by(d, link) for link in links)]
    if sum(d.code in _OF_LINKS for d in found) < 2:  # a repeat needs two
        return found
    seen: set[tuple[int, int, str, str]] = set()
    kept = []
    for d in found:
        said = (d.line, d.col, d.code, d.message)
        if d.code not in _OF_LINKS or said not in seen:
            seen.add(said)
            kept.append(d)
    return kept


def _suppress(f: NoteFacts, found: list[Diagnostic], active: Callable[[str], bool]) -> list[Diagnostic]:
    """Drop suppressed diagnostics; report suppressions that suppressed nothing (VK301).

    Codes are prefixes everywhere (`VK1` covers VK1xx, no code covers every code). A suppression is judged
    only when every rule it could cover is selected. VK301 can be suppressed like any code, except by the
    suppression it is about."""
    if not f.suppressions and not f.disabled:
        return found  # nothing to hide, and no suppression to judge
    used: set[int] = set()
    used_wide: set[str] = set()
    kept = [d for d in found if not _hidden(f, d, used, used_wide)]
    if not active("VK301"):
        return kept

    from vaultkit.rules import RULES

    def judged(prefix: str) -> bool:
        covered = [code for code in RULES if code.startswith(prefix)]
        return all(active(code) for code in covered) if covered else active(prefix)

    stale: dict[int, Diagnostic] = {}
    for i, s in enumerate(f.suppressions):
        if i not in used and any(judged(c) for c in s.codes or ("",)):
            what = ", ".join(s.codes) or "every code"
            stale[i] = _unused(f.rel, s.line, s.col, f"suppression of {what} suppresses nothing")
    hidden = {i for i, d in stale.items() if _hidden(f, d, used, used_wide, exclude=i)}
    kept.extend(d for i, d in stale.items() if i not in used and i not in hidden)
    for code in sorted(set(f.disabled) - used_wide):
        d = _unused(f.rel, 1, 1, f"vaultkit_disable: {code} suppresses nothing in this note")
        if judged(code) and not _hidden(f, d, used, used_wide, exclude_wide=code):
            kept.append(d)
    return kept


def _hidden(
    f: NoteFacts,
    d: Diagnostic,
    used: set[int],
    used_wide: set[str],
    *,
    exclude: int = -1,
    exclude_wide: str = "",
) -> bool:
    """Whether a suppression of the note covers `d`; records the suppressions that did."""
    wide = [c for c in f.disabled if d.code.startswith(c) and c != exclude_wide]
    if wide:
        used_wide.update(wide)
        return True
    hit = f.suppression_index().first(d.code, d.line, exclude)
    if hit < 0:
        return False
    used.add(hit)
    return True


def _unused(rel: str, line: int, col: int, message: str) -> Diagnostic:
    return Diagnostic(rel, line, col, "VK301", message, Severity.WARNING)


def _json_key(path: Path, key: str) -> tuple[int, int]:
    """Where a key of types.json is written (escaped or not: `"ti\\u0065r"` is `tier`)."""
    from vaultkit.obsidian import json_string_position

    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return 1, 1
    return json_string_position(text, key, key=True)
