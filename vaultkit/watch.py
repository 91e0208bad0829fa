"""`vaultkit watch`: re-check notes as they are saved, through the same engine, incrementally.

Every way a save arrives — written in place, a temporary file renamed over the note, deleted and created
again — ends as "this path changed". Paths are collected and re-checked together once all have been
quiet for the debounce time (`_due_at`); a note whose bytes did not change is not re-checked at all.
The engine's VaultState says which other notes depend on the change. The terminal shows the diagnostics
that appeared (+) and went away (-), then a one-line summary; nothing when nothing changed.

With --fix, a note saved and then quiet for the settle time gets its mentions linked and its relations
added. Only the saved note is written: a note the user did not save may be open in Obsidian, whose editor
can hold changes not yet on disk, so the relation a new link asks of the note it links to is shown (+ VK121)
and written with that note's own next save, or by `vaultkit link`. All of it goes through the same writer: a
note that changed since it was read, or that another program has open for writing, is left alone and fixed
after its next event instead; a note vaultkit itself just wrote is never fixed again in a loop (the fix is
idempotent, and its own writes are recognised by their content hash).

A git operation that changes notes (a checkout, a switch, a stash, a merge, a rebase, a reset) is not a
user's save, however few notes it changes: linked, they would be local changes that stop git's next step.
With --fix, a note whose bytes are what git's index holds for it (through git's own filters: `git
hash-object` against `git ls-files --stage`) is checked and not linked: git wrote it so (or it was just
staged), where a save of the user's since differs from the index; but for a save committed at once
(obsidian-git's commit on save), which HEAD's newest reflog entry, a commit that changed it, tells apart.
A fix due while git holds its index lock (`git status` takes it for a few milliseconds) waits for it to
go; none is written while it stays (GIT_LOCK_PATIENCE seconds: a checkout) or while git is in the middle
of a merge or rebase. The repository is found as git finds it from the vault folder (`git rev-parse`: a
`.git` folder or file in the vault or above it, or GIT_DIR), at each fix: a `git init` since counts; a note
of a repository nested in the vault (a submodule) is compared with that one's index.

A watch that seems stuck can be asked where it is: `kill -USR1 <pid>` prints every thread's stack to
stderr and the watch goes on (not on Windows, which has no SIGUSR1).
"""

from __future__ import annotations

import contextlib
import errno
import faulthandler
import gc
import logging
import os
import signal
import stat
import sys
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any, Protocol

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)

from vaultkit.background import STOPS, hangup_ignored
from vaultkit.diagnostics import Diagnostic, Edit, RelationsFix, Severity
from vaultkit.edits import RUN_AGAIN
from vaultkit.engine import Runner, RunOptions, open_session
from vaultkit.errors import FatalError
from vaultkit.fixer import RELATION, apply_fixes, edits_by_note
from vaultkit.note import NOT_READ, read_raw
from vaultkit.obsidian import SETTINGS_FILES
from vaultkit.paths import relative_names
from vaultkit.report.text import counted, printable, printable_lines
from vaultkit.vault import MAKE_A_VAULT, is_unlisted, resolve_vault

IGNORED_PREFIXES = (".git/", ".trash/", ".vaultkit_cache/")
_TEMP_SUFFIXES = ("~", ".tmp", ".swp", ".swx", ".part", ".crdownload", ".vaultkit-tmp")


@dataclass(frozen=True)
class WatchOptions:
    config_dir: str = ".obsidian"
    fix: bool = False
    debounce_ms: int | None = None
    settle: float | None = None
    report_note: str | None = None
    polling: bool = False


WHY_SAVED = ""  # `_print_changes`: a problem went from a note saved, by vaultkit's fix or by the user's edit
CHANGED = "(changed: see the next line)"  # a problem told otherwise (`_replaced`), printed above its new line
_FOLDER_CODES = frozenset({"VK205", "VK206"})  # problems of a folder (symlinked, unreadable), not of a note
# seconds a note quiet on its own for the debounce time waits beyond it for the rest of its burst (`_due_at`)
BURST_PATIENCE = 2.0
# The events the watch acts on; not a file opened, nor one closed unwritten. Obsidian, a search, a backup
# and the watch's own check read notes all day, and watchdog lists each folder it watches (an open and a
# close of it, told to the folder and to its parent): a vault of some thousands of folders overflowed
# inotify's queue as the watch started, and watchdog, which lists every folder again after an overflow,
# did so for ever, a core busy with it (watchdog 7.1).
WATCHED_EVENTS: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileClosedEvent,
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
]
BULK = 20  # notes changed in one batch beyond which --fix leaves them alone: no one saves that many at once
# Present while git changes the working tree or waits in the middle of doing so: no fix is written then
# (index.lock last: a merge or rebase in progress holds the fixes at once, where the lock alone is waited for)
_GIT_BUSY = ("MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD", "rebase-merge", "rebase-apply", "index.lock")
# `git status` (obsidian-git runs it every few seconds, as shell prompts and editors do) takes index.lock for
# a few milliseconds to refresh the index: fixes due then wait for it, retried every GIT_LOCK_RETRY seconds,
# and are held as for a checkout only once the lock has stayed GIT_LOCK_PATIENCE seconds
GIT_LOCK_RETRY = 0.1
GIT_LOCK_PATIENCE = 5.0


class Say(Protocol):
    """Where the watch says what it sees: `click.echo`, handed in by `commands/watch.py` (click code stays
    in the commands), standard error with `err=True`."""

    def __call__(self, message: str, *, err: bool = False) -> None: ...


class Watcher:
    def __init__(self, vault: Path | None, options: WatchOptions, say: Say) -> None:
        roots = list(resolve_vault([vault] if vault else [], None, options.config_dir, MAKE_A_VAULT))
        self.root = roots[0]
        self.options = options
        self.say = say
        self.session = open_session(self.root, options.config_dir, options.report_note)
        self.runner = Runner(self.session)
        self.current: dict[str, list[Diagnostic]] = {}
        self._started = False  # the problems found at start are printed; after that, what changes
        self.counts: Counter[Severity] = Counter()
        self.notes = 0
        self.pending: dict[str, float] = {}
        self.reload = False
        self.reload_at = 0.0  # the last event on a settings file: it is read once quiet for the debounce time
        self.lost_at: float | None = None  # when the system last said it dropped file events (`_EventsLost`)
        self._config_error = ""  # the last configuration refused, not to say it again
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.stop = threading.Event()
        self.fix_due: dict[str, float] = {}  # saved notes: every safe fix, once settled
        self.refused: set[str] = set()  # the writer refused: retried after the note's next event
        self.own_writes: dict[str, str] = {}
        self.bulk_until = 0.0  # while many notes change together, --fix leaves them alone (`_bulk`)
        self.lock_since: float | None = None  # when the fixes due found git's index.lock, and wait for it
        # notes that are symlinks, with the file each leads to: replaced whole, never changed (read by the
        # observer's thread); a save of that file is a save of the note (`_links_to`)
        self.links: dict[str, str] = {}
        self._observer: Any = None
        self._watched: set[str] = set()  # folders outside the vault watched for the files links lead to

    # -- settings that may change with a reload ------------------------------------------------------------

    @property
    def debounce(self) -> float:
        ms = self.options.debounce_ms
        return (ms if ms is not None else self.session.config.watch.debounce_ms) / 1000

    @property
    def settle(self) -> float:
        s = self.options.settle
        return s if s is not None else self.session.config.watch.settle_seconds

    # -- main loop ----------------------------------------------------------------------------------------

    def run(self) -> int:
        folder = _identity(self.root)  # before anything is said: a move from then on is seen
        # the first check of a large vault takes seconds: a stop meanwhile leaves at once
        with _on_stop(_leave_at_once(os.getpid(), self.say)):
            self._full_check()
        observer = self._observe()
        with _on_stop(self._on_signal), _watchdog_said(_EventsLost(self)):
            if hasattr(signal, "SIGUSR1"):  # for the life of the process: a hang at its exit shows too
                faulthandler.register(signal.SIGUSR1, all_threads=True)
            self._follow_links()  # before "watching": a save through a link from then on is seen
            self.say(f"vaultkit: watching {printable(str(self.root))} (Ctrl-C to stop)")
            try:
                while not self.stop.is_set():
                    self.wake.wait(timeout=self._next_wakeup())
                    self.wake.clear()
                    if _identity(self.root) != folder:  # checked at least once a second (see _next_wakeup)
                        gone = printable(str(self.root))
                        self.say(f"vaultkit: error: the vault folder {gone} was moved or deleted", err=True)
                        return 2
                    self._tick()
            finally:
                observer.stop()
                with contextlib.suppress(RuntimeError):
                    observer.join(timeout=5)
        # the terminal closed (SIGHUP) takes the output with it: the line goes nowhere, the watch still
        # stopped as asked (said or not, exit 0), where the failed write ended it with exit 2
        with contextlib.suppress(OSError, ValueError):
            self.say("vaultkit: stopped")
        return 0

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        """Ctrl-C, SIGTERM or SIGHUP: the loop stops within its longest wait (a second). The handler runs in
        the main thread between two bytecodes, perhaps inside `wake.wait()` or `wake.clear()`, which hold the
        event's lock: `wake.set()` here would wait for that lock for ever (a watch that did not stop under
        load). `stop` is only ever read by the main thread, never locked by it."""
        self.stop.set()

    def _next_wakeup(self) -> float:
        with self.lock:
            times = list(_due_at(self.pending, self.debounce).values())
            if self.reload and not self.pending:  # saves still pending come first (`_tick`)
                times.append(self.reload_at + self.debounce)
            if self.lost_at is not None and not self.pending:
                times.append(self.lost_at + self.debounce)
        times += self.fix_due.values()
        # at most a second: a stop signal and a moved vault folder are seen within it
        return min(1.0, max(0.01, min(times) - time.monotonic())) if times else 1.0

    def _tick(self) -> None:
        now = time.monotonic()
        with self.lock:
            due = [rel for rel, at in _due_at(self.pending, self.debounce).items() if at <= now]
            burst = len(self.pending)  # the notes changed together: due now, and those still coming
            for rel in due:
                del self.pending[rel]
            # A settings file written in place (truncated, then written, as Obsidian and editors save) is
            # read once quiet, as a note is: read at its first event, it was empty, an error said for nothing.
            # And after the saves still pending: the reload's check of every note would read them, and once
            # due their bytes would be those already checked, so never fixed.
            reload = self.reload and now - self.reload_at >= self.debounce and not self.pending
            if reload:
                self.reload = False
            lost = self.lost_at is not None and now - self.lost_at >= self.debounce and not self.pending
            if lost:
                self.lost_at = None
        if self.options.fix and due and burst > BULK:
            self._bulk(burst, now)
        if due:  # before a reload, which may find the same settings: the saves are checked and fixed still
            self._recheck(due)
        if reload:
            self._reload()
        if lost:
            self._catch_up(now)
        if self.options.fix:
            self._run_fixes(now)

    # -- checking -----------------------------------------------------------------------------------------

    def _full_check(self, why: str = WHY_SAVED) -> None:
        """Check every note; problems no longer found are shown as gone, with `why`."""
        # without --fix, no fix is ever applied: each is kept as a report shows it, without its edits
        result = self.runner.run(RunOptions(targets=None, keep_state=True, keep_edits=self.options.fix))
        self.notes = result.notes_in_vault
        previous = self.current
        self.current = {}
        for d in result.diagnostics:
            self.current.setdefault(d.path, []).append(d)
        self.counts = Counter(d.severity for d in result.diagnostics)
        if self._started:
            self._print_changes(set(previous) | set(self.current), previous, why)
        else:
            _print_problems(result.diagnostics, self.say)
            self._started = True
        self._print_summary()
        self._write_report()
        gc.collect()
        gc.freeze()  # the vault state lives as long as the watch: later collections need not walk it

    def _recheck(self, rels: list[str], written: Collection[str] = ()) -> None:
        """Re-check the notes `rels` that changed; `written`: those vaultkit's fix just wrote."""
        self._retry_refused(rels)
        changed = [rel for rel in rels if self._content_changed(rel)]
        if not changed:
            return
        state = self.runner.state
        # the notes known before, with their bytes' hashes: a note that comes with the bytes of one that went
        # was moved (a folder renamed), not saved
        known = (
            {rel: f.digest for rel, f in state.facts.items()}
            if state is not None and self.options.fix
            else {}
        )
        # the hashes of the notes that may go, to tell where a renamed one went: those re-checked by name, or
        # every note when a folder was created, deleted or moved ("": the vault is listed again)
        listed = "" in changed and state is not None
        named = (
            {rel: f.digest for rel, f in state.facts.items()}
            if listed and state is not None
            else {rel: f.digest for rel in changed if state is not None and (f := state.facts.get(rel))}
        )
        try:
            by_note, self.notes = self.runner.update(changed)
        except FatalError as e:
            self.say(f"vaultkit: error: {printable_lines(relative_names(str(e)))}", err=True)
            return
        previous = {rel: self.current.get(rel, []) for rel in by_note}
        for rel, found in by_note.items():
            self._set(rel, found)
        self._update_links(by_note)
        moved = _moved(named, by_note if listed else changed, self.runner)
        if self._print_changes(set(by_note), previous, saved=set(changed), written=written, moved=moved):
            self._print_summary()
            self._write_report()
        if self.options.fix:
            # Notes a folder event brought (created in a new folder, moved in from outside the vault) are new,
            # as if saved; notes moved within the vault are not (`_saved`).
            fresh = _saved(
                [*changed, *(rel for rel in by_note if rel not in known)], known, by_note, self.runner
            )
            if len(fresh) > BULK:
                self._bulk(len(fresh), time.monotonic())
            if time.monotonic() >= self.bulk_until:
                self._schedule_fixes(dict.fromkeys(fresh))

    def _catch_up(self, now: float) -> None:
        """The system dropped file events (`_EventsLost`): which notes changed meanwhile is not known, so
        every note is checked again. Not linked (--fix): so many changes at once are a checkout or a sync."""
        self.say(f"vaultkit: {EVENTS_LOST}; checking every note again")
        if self.options.fix:
            self._hold(now, "the notes changed meanwhile")
        self._full_check()
        self._follow_links()

    def _set_links(self, links: dict[str, str]) -> None:
        """The notes that are symlinks now: a folder outside the vault that holds a file one leads to is
        watched too, so that a save there (Obsidian saves a symlinked note through its link) is seen."""
        self.links = links
        if self._observer is None:
            return
        for folder in sorted({os.path.dirname(target) for target in links.values()} - self._watched):
            if _inside(folder, self.root) or not os.path.isdir(folder):
                continue
            self._watched.add(folder)
            with contextlib.suppress(OSError):  # a folder gone or unreadable: a save there is not seen
                self._observer.schedule(
                    _Handler(self, outside=True), folder, recursive=False, event_filter=WATCHED_EVENTS
                )

    def _update_links(self, rels: Collection[str]) -> None:
        """After a re-check of `rels` (one lstat each, beside the re-check): the links among them now."""
        state = self.runner.state
        links = {rel: target for rel, target in self.links.items() if rel not in rels}
        links.update(symlinked_notes(self.root, [rel for rel in rels if state and rel in state.facts]))
        if links != self.links:
            self._set_links(links)

    def _links_to(self, path: str) -> list[str]:
        """The notes that are symlinks to the file at `path`: `check` reads them through their link, so when
        that file changes, they did too."""
        links = self.links
        if not links:
            return []
        try:
            real = os.path.realpath(path)
        except (OSError, ValueError):
            return []
        return [rel for rel, target in links.items() if target == real]

    def _content_changed(self, rel: str) -> bool:
        state = self.runner.state
        known = state.facts.get(rel) if state else None
        digest = self._digest(rel)
        if known is None and digest is None and rel:
            # Nothing there now, and nothing the vault had: a file made and removed within the debounce time
            # (vim's `4913`, made at each `:w`, had the vault listed again: 25 ms of 10,000 notes).
            return os.path.lexists(self.root / rel) or self.runner.listed(rel)
        return known is None or digest is None or known.digest != digest

    def _digest(self, rel: str) -> str | None:
        """SHA-256 of the note's bytes; None when it is no readable note (`read_raw` opens without blocking:
        a FIFO named `y.md` would otherwise block the watcher for good)."""
        raw, _problem = read_raw(self.root / rel, self.session.config.max_note_bytes)
        return raw.digest if raw is not None else None

    def _reload(self) -> None:
        """A configuration file changed. An editor's save often comes as several events: a configuration
        that reads as the one in use (or the same error as last time) says nothing again."""
        try:
            session = open_session(self.root, self.options.config_dir, self.options.report_note)
            session.schemas.ensure_valid()
        except FatalError as e:
            if str(e) != self._config_error:
                # the file named from the current folder, as `check` names it
                said = printable_lines(relative_names(str(e)))
                self.say(f"vaultkit: error: {said}\nvaultkit: keeping the previous configuration", err=True)
            self._config_error = str(e)
            return
        refused, self._config_error = self._config_error, ""
        if session.fingerprint == self.session.fingerprint:
            if refused:
                self.say("vaultkit: configuration readable again, and the same as the one in use")
            return
        self.say("vaultkit: configuration changed; checking every note again")
        self.session = session
        self.runner = Runner(session)
        self._full_check("no longer reported: the configuration changed")
        self._follow_links()

    # -- fixing -------------------------------------------------------------------------------------------

    def _bulk(self, count: int, now: float) -> None:
        """Many notes changed together: a git checkout, a sync, a copy, not a user's saves. Written into,
        they would be local changes that block the checkout back (or clash with the sync): until the
        changes have been quiet for the settle time, notes are checked and not fixed."""
        self._hold(now, f"{count} notes changed at once (a git checkout, a sync, a copy?)")

    def _hold(self, now: float, what: str) -> None:
        """No fix until the debounce and settle times have passed quietly: the notes changed meanwhile are
        checked, not linked. `what` happened is said once for a run of such changes."""
        if now >= self.bulk_until:
            self.say(f"vaultkit: {what}: checked, not linked; `vaultkit link` links them")
        self.bulk_until = now + self.debounce + self.settle
        self.fix_due.clear()
        self.lock_since = None

    @staticmethod
    def _git_busy(git_dir: Path | None) -> str:
        """What of `_GIT_BUSY` the repository holds now ("" if nothing, or no repository)."""
        if git_dir is None:
            return ""
        return next((name for name in _GIT_BUSY if os.path.lexists(git_dir / name)), "")

    def _wait_for_git(self, saved: list[str], now: float) -> bool:
        """Whether the notes `saved`, due while git holds only its index lock, wait for it: retried shortly,
        each keeping a later due time it got meanwhile, until the lock has stayed GIT_LOCK_PATIENCE seconds
        (a long checkout, a commit waiting for its message: then held as for any git change)."""
        if self.lock_since is None:
            self.lock_since = now
        if now - self.lock_since >= GIT_LOCK_PATIENCE:
            return False
        for rel in saved:
            self.fix_due[rel] = max(self.fix_due.get(rel, now), now + GIT_LOCK_RETRY)
        return True

    def _schedule_fixes(self, saved: Iterable[str]) -> None:
        """Saved notes with something to fix are fixed once quiet for the settle time (not vaultkit's own
        writes). Never a note that is a symlink: the writer never writes through one (`check` shows its fixes
        as not fixable), and a save through it, seen since the watch follows links, was refused at each."""
        due = time.monotonic() + self.settle
        links = self.links
        for rel in saved:
            if rel in links:
                continue
            if self.own_writes.get(rel) != self._digest(rel) and _fixable(self.current.get(rel, [])):
                if _conflict_copy(rel):
                    self.say(f"vaultkit: {printable(rel)}: {CONFLICT_COPY}")
                    continue
                self.fix_due[rel] = due

    def _retry_refused(self, rels: Iterable[str]) -> None:
        """A note the writer refused (another program had it open for writing, or had changed it) is fixed
        again once it settles after its next event: its save, or only its closing. Nothing is retried on a
        timer: a note refused for good (read-only, a symlink) is not retried until it changes."""
        due = time.monotonic() + self.settle
        for rel in rels:
            if rel in self.refused:
                self.refused.discard(rel)
                self.fix_due[rel] = due

    def _run_fixes(self, now: float) -> None:
        with self.lock:
            saved = _pop_ready(self.fix_due, now, self.pending)
        if not saved:
            if not self.fix_due:  # no fix waits for git's lock: the next lock seen is a new one
                self.lock_since = None
            return
        by_top = nested_repositories(self.root, saved)
        # each time: a `git init` or a clone since the watch started
        git_dirs = {top: find_git_dir(self.root / top) for top in by_top}
        top, busy = next(((t, b) for t, d in git_dirs.items() if (b := self._git_busy(d))), ("", ""))
        if busy == "index.lock" and self._wait_for_git(saved, now):
            return
        self.lock_since = None
        if busy:
            self._hold(now, f"git is changing the notes{_of_nested(top)} (its {busy} is there)")
            return
        from_git: set[str] = set()
        for top, git_dir in git_dirs.items():
            left = set() if git_dir is None else self._left_to_git(top, git_dir, by_top[top])
            if left is None and not top:
                self._hold(now, GIT_UNREADABLE)
                return
            if left is None:  # the vault's own repository can still tell its notes' saves
                self.say(f"vaultkit: {printable(top)}/: {GIT_UNREADABLE_NESTED}")
                left = set(by_top[top])
            from_git |= left
        saved = [rel for rel in saved if rel not in from_git]
        if saved and self.runner.state is not None:
            found = [_no_conflict_copy(d) for rel in saved for d in self.current.get(rel, [])]
            self._write(edits_by_note(found), set(edits_by_note(d for d in found if d.code != RELATION)))

    def _left_to_git(self, top: str, git_dir: Path, saved: list[str]) -> set[str] | None:
        """The notes of `saved` that git wrote, said as such: those as its index has them, but for those a
        commit made since their save records (`committed_saves`: a save committed within the settle time,
        as obsidian-git's commit on save makes it, is still a save). None if git cannot say. `top`: the
        folder of the vault (`""`: its root) where git is asked, the notes' paths taken from there."""
        where = self.root / top
        inner = {rel.removeprefix(f"{top}/") if top else rel: rel for rel in saved}
        index = None if _stalls_git(git_dir) else as_in_git_index(where, list(inner))
        if index is None:
            return None
        if not index:
            return set()
        from_git = set(index) - committed_saves(where, git_dir, index)
        left = {rel: index[rel] for rel in from_git}
        staged = from_git - set((index_as_in_commit(where, "HEAD", left) if left else None) or {})
        for rel in sorted(from_git, key=inner.__getitem__):
            said = GIT_STAGED if rel in staged else GIT_WROTE
            self.say(f"vaultkit: {printable(inner[rel])}: {said}")
        return {inner[rel] for rel in from_git}

    def _write(self, plan: dict[str, list[Edit]], linking: Collection[str]) -> None:
        """Write the fixes through the one writer. `linking`: the notes whose fixes insert a link (the others
        only gain relations), as it is said."""
        state = self.runner.state
        assert state is not None
        try:
            self.session.obsidian.refuse_writes(self.root)
        except FatalError as e:  # the check goes on; the fixes wait for the settings to be mended
            self.say(f"vaultkit: not fixed: {printable_lines(relative_names(str(e)))}", err=True)
            return
        digests = {rel: state.facts[rel].digest for rel in plan}
        outcome, written = apply_fixes(self.root, digests, plan, self.session.config.relations.property)
        for rel in outcome.written:
            self.own_writes[rel] = written[rel]  # the hash of what the writer wrote: no second read
            shown = printable(rel)  # a note named `a\nb.md` starts no line of its own
            self.say(f"vaultkit: {'linked' if rel in linking else 'added relations to'} {shown}")
        for refused in outcome.refused:
            self.say(f"vaultkit: {printable(refused.rel)}: {_retried(refused.message)}", err=True)
            self.refused.add(refused.rel)
        if outcome.written:
            self._recheck(outcome.written, written=outcome.written)

    # -- output -------------------------------------------------------------------------------------------

    def _print_changes(
        self,
        rels: Iterable[str],
        previous: dict[str, list[Diagnostic]],
        why: str = WHY_SAVED,
        *,
        saved: set[str] | None = None,
        written: Collection[str] = (),
        moved: Mapping[str, str] | None = None,
    ) -> bool:
        """Print what appeared (+) and went (-). A problem goes because its note was deleted, renamed or
        moved (`moved`: where to) or can no longer be read (it is not checked), or `why`; in a note that was
        not saved (`saved`: the notes that were), because of a change elsewhere: a mention whose note was
        deleted is gone, not fixed. In a saved note (or path), a problem is "fixed by vaultkit" only in the
        re-check of vaultkit's own write (`written`), of these very bytes, and where the problem was one it
        fixes; any other is "gone" (the user rewrote the text, a symlinked folder was swapped for a folder, a
        checkout brought back the text vaultkit once wrote), which vaultkit did not fix."""
        printed = False
        state = self.runner.state
        for rel in sorted(rels):
            facts = state.facts.get(rel) if state is not None else None
            # a note no longer known that is still there was left out (excluded) by a configuration change;
            # a folder made under its name is no note (a symlink to one is VK205's)
            if state is not None and facts is None and _no_note_there(self.root / rel):
                gone = _went_to(rel, moved[rel]) if moved and rel in moved else "(note deleted)"
            elif any(d.code in NOT_READ for d in self.current.get(rel, ())):
                gone = "(not checked: the note cannot be read)"
            elif saved is not None and rel not in saved:
                gone = "(no longer found, after a change in another note)"
            elif why != WHY_SAVED:
                gone = f"({why})"
            elif rel in written and facts is not None and self.own_writes.get(rel) == facts.digest:
                gone = "(fixed by vaultkit)"
            else:
                gone = "(gone)"
            came, went = _changes(previous.get(rel, []), self.current.get(rel, []))
            replaced = _replaced(came, went)
            for n, d in enumerate(came):
                if n in replaced:
                    self.say(f"- {_shown(rel, replaced[n])} {CHANGED}")
                self.say(f"+ {_shown(rel, d)}")
            told = {id(d) for d in replaced.values()}
            for d in went:
                if id(d) in told:
                    continue
                said = gone
                if (gone == "(fixed by vaultkit)" and d.fix is None) or (
                    gone == "(note deleted)" and d.code in _FOLDER_CODES  # a folder, never a note
                ):
                    said = "(gone)"
                self.say(f"- {_shown(rel, d)} {said}")
            printed = printed or bool(came or went)
        return printed

    def _print_summary(self) -> None:
        errors, warnings = self.counts[Severity.ERROR], self.counts[Severity.WARNING]
        total = errors + warnings
        counts = f"{counted(total, 'problem')} ({counted(errors, 'error')}, {counted(warnings, 'warning')})"
        self.say(f"vaultkit: {counted(self.notes, 'note')}, {counts}")

    def _set(self, rel: str, found: list[Diagnostic]) -> None:
        """Replace one note's diagnostics, keeping the totals (recounting 60,000 took most of a re-check)."""
        self.counts.subtract(d.severity for d in self.current.get(rel, ()))
        self.counts.update(d.severity for d in found)
        if found:
            self.current[rel] = found
        else:
            self.current.pop(rel, None)

    def _write_report(self) -> None:
        if self.session.report_note is None:
            return
        from vaultkit.report.note import render, write_note_text

        state = self.runner.state
        found = sorted((d for ds in self.current.values() for d in ds), key=Diagnostic.sort_key)
        said = write_note_text(self.session, render(found, state.facts if state else {}, self.notes))
        if said is not None:
            self.say(said, err=True)

    # -- file events --------------------------------------------------------------------------------------

    def events_lost(self) -> None:
        """Called from the observer's thread: the system dropped file events; every note is checked again once
        the events have been quiet for the debounce time (`_catch_up`)."""
        with self.lock:
            self.lost_at = time.monotonic()
        self.wake.set()

    def _start_observer(self) -> Any:
        from watchdog.observers import Observer
        from watchdog.observers.polling import PollingObserver

        handler = _Handler(self)
        if not self.options.polling:
            observer = None
            try:
                observer = Observer()  # watchdog 6+ opens inotify here (EMFILE: the instance limit)
                observer.schedule(handler, str(self.root), recursive=True, event_filter=WATCHED_EVENTS)
                observer.start()
                return observer
            except OSError as e:
                if observer is not None:  # its inotify reader thread, started with it, stops with it
                    observer.stop()
                self.say(f"vaultkit: {_inotify_message(e)}; falling back to polling the disk", err=True)
        observer = PollingObserver(timeout=1)
        observer.schedule(handler, str(self.root), recursive=True, event_filter=WATCHED_EVENTS)
        observer.start()
        return observer

    def _observe(self) -> Any:
        """Start the observer (`_set_links` adds the folders outside the vault symlinked notes lead to)."""
        self._observer = self._start_observer()
        return self._observer

    def _follow_links(self) -> None:
        """Find the notes that are symlinks (after a whole-vault check), to re-check each when its file is
        saved."""
        state = self.runner.state
        self._set_links(symlinked_notes(self.root, state.facts if state is not None else ()))

    def on_path(self, path: str, at: float | None = None) -> None:
        """`path` changed at `at` (now if None): queued, re-checked once quiet for the debounce time."""
        at = time.monotonic() if at is None else at
        linked = self._links_to(path)
        if linked:
            with self.lock:
                for rel in linked:
                    self.pending[rel] = at
            self.wake.set()
        rel = self._vault_rel(path)
        if not rel or rel.startswith(IGNORED_PREFIXES) or rel == self.session.report_note:
            return
        if self.session.is_config_file(rel) and rel.endswith((".json", ".toml")):
            config_dir = self.session.obsidian.config_dir + "/"
            if rel.startswith(config_dir) and rel[len(config_dir) :] not in SETTINGS_FILES:
                return  # workspace.json and friends change all the time in Obsidian
            with self.lock:
                self.reload = True
                self.reload_at = at
            self.wake.set()
            return
        if rel.startswith(self.session.obsidian.config_dir + "/"):
            return
        folder, _, name = rel.rpartition("/")
        if folder and is_unlisted(folder):
            # No note is ever listed there: the `.git/` of a repository kept in a folder of the vault (a
            # submodule, a clone), whose `git gc` or `fetch` writes dozens of files. Queued as notes, they
            # were "47 notes changed at once (a git checkout...)", and the fixes due for saves were dropped.
            return
        if not rel.lower().endswith(".md") and (name.startswith(".") or name.endswith(_TEMP_SUFFIXES)):
            return  # an editor's temporary file: the rename onto the note is what counts
        with self.lock:  # a pending note is not fixed; its re-check decides when it is, if its bytes changed
            self.pending[rel] = at
        self.wake.set()

    def may_list_notes(self, folder: str) -> bool:
        """Whether notes in `folder` may be listed: not if it is in a folder Obsidian never shows (a
        dot-folder, `node_modules`)."""
        rel = self._vault_rel(folder)
        return not rel or not is_unlisted(rel)

    def _vault_rel(self, path: str) -> str:
        """The event's path relative to the vault; "" outside it. Only the folder is resolved: a symlink named
        like a note is that note (`x.md -> nowhere` is x.md, broken or not, as `list_vault` lists it)."""
        where = Path(path)
        try:
            rel = (where.parent.resolve() / where.name).relative_to(self.root).as_posix() if path else ""
        except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (before Python 3.13)
            return ""
        return "" if rel == "." else rel


GIT_WROTE = (
    "as git's index has it (a checkout, a stash, a merge?): checked, not linked; `vaultkit link` links it"
)
# a `.git` is there but git cannot read it: a checkout cannot be told from a save, so nothing is linked
GIT_UNREADABLE = (
    "git cannot read the repository (`git status` says why: one not trusted is trusted by "
    "`git config --global --add safe.directory <path>`)"
)
# ...in a repository nested in the vault (a submodule, a clone): its notes alone are left unlinked
GIT_UNREADABLE_NESTED = (
    "git cannot read the repository in this folder (`git status` there says why): its notes are checked, "
    "not linked; `vaultkit link` links them"
)
GIT_STAGED = (
    "as staged in git's index (by `git add`, or taken from another commit?): checked, not linked; "
    "`vaultkit link` links it"
)
CONFLICT_COPY = "a sync tool's conflict copy: checked, not linked; merge it into its note and delete it"
SHOWN_AT_START = 100  # problems listed when watch starts; `vaultkit check` lists them all


Handler = Callable[[int, FrameType | None], None]


@contextlib.contextmanager
def _on_stop(handler: Handler) -> Iterator[None]:
    """`handler` answers Ctrl-C, SIGTERM and SIGHUP for the time of the block; the handlers before are put
    back. SIGHUP is the terminal the watch runs in closed: its default action ended the watch in silence,
    wherever it was, where `check` and `link` take it as they take SIGTERM. A SIGHUP the watch was started
    ignoring (`nohup vaultkit watch &`, to outlive the terminal) stays ignored: answered, it stopped the watch
    as the terminal closed, what nohup is there to prevent."""
    previous = {sig: signal.signal(sig, handler) for sig in STOPS if not hangup_ignored(sig)}
    try:
        yield
    finally:
        for sig, handler_before in previous.items():
            signal.signal(sig, handler_before)


def _leave_at_once(owner: int, say: Say) -> Handler:
    """Say "stopped" and leave at once with exit 0 (the first check). Raising KeyboardInterrupt instead, at
    whatever point that check had reached, was once lost (the watch went on) and once raised again after
    "stopped" (exit by SIGINT), in about forty stops under test; the cause was not found. Leaving is safe
    there: that check writes only the cache (each file renamed into place, a torn one is ignored), the
    workers end with their pipes, and a lock goes with the process. A process forked meanwhile (a cache
    writer: not `owner`) gets KeyboardInterrupt, as before; a worker ignores Ctrl-C (`pool._serve`)."""

    def leave(signum: int, frame: FrameType | None) -> None:
        if os.getpid() != owner:
            raise KeyboardInterrupt
        with contextlib.suppress(OSError, ValueError):
            say("vaultkit: stopped")
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(0)

    return leave


def _print_problems(diagnostics: list[Diagnostic], say: Say) -> None:
    """The problems found at start, as `check` prints them, up to SHOWN_AT_START (a vault never linked
    can have tens of thousands: the changes that follow would scroll away behind them). A list cut keeps
    the errors first: the first problems by path of such a vault were all VK120 warnings, and its broken
    links, in notes named later, were never shown."""
    for d in _first_shown(diagnostics):
        say(_shown(d.path, d))
    if len(diagnostics) > SHOWN_AT_START:
        more = len(diagnostics) - SHOWN_AT_START
        say(f"… and {more} more (`vaultkit check` lists them all)")


def _first_shown(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Up to SHOWN_AT_START problems, in their order: every error that fits, then the first warnings."""
    if len(diagnostics) <= SHOWN_AT_START:
        return diagnostics
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = max(SHOWN_AT_START - errors, 0)
    shown = []
    for d in diagnostics:
        if d.severity is not Severity.ERROR:
            if not warnings:
                continue
            warnings -= 1
        shown.append(d)
        if len(shown) == SHOWN_AT_START:
            break
    return shown


def _retried(message: str) -> str:
    """The writer's refusal as the watch says it, with what the watch does next: it tries every note it could
    not write again once the note's next event settles (`_retry_refused`), never on a timer. What the writer
    tells a `link` user to do ("run again": another program was writing the note, or changed it) the watch
    does when that program's save or close comes. Any other refusal (the note deleted meanwhile, read-only,
    an edit found unsafe) waits for the note to change: saved, created again, its permissions changed."""
    if message.endswith(RUN_AGAIN):
        return message.removesuffix(RUN_AGAIN) + "; tried again when it is next saved or closed"
    return message + "; tried again when it next changes"


def symlinked_notes(root: Path, rels: Iterable[str]) -> dict[str, str]:
    """The notes of `rels` that are symlinks to a regular file, each with that file's real path. A link to
    anything else is never read (VK201, VK205): the folder of `/dev/null`, watched, would bring an event
    at every write any program makes to it."""
    found = {}
    for rel in rels:
        path = os.path.join(root, rel)
        if os.path.islink(path) and os.path.isfile(path):
            found[rel] = os.path.realpath(path)
    return found


def _inside(folder: str, root: Path) -> bool:
    root_path = os.path.realpath(root)
    return folder == root_path or folder.startswith(root_path + os.sep)


def _no_note_there(path: Path) -> bool:
    """Whether nothing is at `path` that could be a note: nothing at all, or a folder (not a symlink)."""
    return not os.path.lexists(path) or (os.path.isdir(path) and not os.path.islink(path))


def _changes(
    previous: Sequence[Diagnostic], current: Sequence[Diagnostic]
) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """The problems of one note that came and those that went, told apart by code and message: a problem
    that only moved (a line added above it) is neither."""
    old = Counter((d.code, d.message) for d in previous)
    new = Counter((d.code, d.message) for d in current)
    return _beyond(current, old), _beyond(previous, new)


def _beyond(items: Sequence[Diagnostic], other: Counter[tuple[str, str]]) -> list[Diagnostic]:
    """The items the other list (`other`: its count of each code and message) has none of left: of each
    code and message, the first ones, as many as `items` has more."""
    left = Counter((d.code, d.message) for d in items)
    out = []
    for d in items:
        key = (d.code, d.message)
        if left[key] > other[key]:
            out.append(d)
            left[key] -= 1
    return out


def _replaced(came: Sequence[Diagnostic], went: Sequence[Diagnostic]) -> dict[int, Diagnostic]:
    """The problems that went only to come back told otherwise, by the index in `came` of the one that tells
    it now: the one of its code that went from a place (line, column) and the one that came to it (VK121's
    list of the notes that link grew by one, a value changed to another the schema refuses). Printed as gone
    "(no longer found)", such a problem read as solved though it is still there."""

    def place(d: Diagnostic) -> tuple[str, int, int]:
        return (d.code, d.line, d.col)

    came_at, went_at = Counter(map(place, came)), Counter(map(place, went))
    old = {place(d): d for d in went if went_at[place(d)] == 1}
    return {n: old[place(d)] for n, d in enumerate(came) if came_at[place(d)] == 1 and place(d) in old}


def _shown(rel: str, d: Diagnostic) -> str:
    """`path:line:col: CODE message`, as the text report prints it (control characters spelled out)."""
    return f"{printable(rel)}:{d.line}:{d.col}: {d.code} {printable(d.message)}"


def _saved(rels: list[str], known: dict[str, str], checked: Collection[str], runner: Runner) -> list[str]:
    """The notes among `rels` to fix as saved: not those moved or renamed (a folder renamed in Obsidian, or
    with `mv`), which come with the very bytes of a note gone in the same change. A moved note is the same
    note: fixed as new, it got relations a `link` run before the move would not have added (a path link
    `[[Proj/Beta]]` broken by the move, owed again as `[[Projects/Beta]]`). It is fixed when next saved."""
    state = runner.state
    if state is None:
        return rels
    went = {known[rel] for rel in checked if rel in known and rel not in state.facts}  # gone ones are checked
    if not went:
        return rels
    return [
        rel
        for rel in dict.fromkeys(rels)
        if rel in known or (f := state.facts.get(rel)) is None or f.digest not in went
    ]


def _moved(named: Mapping[str, str], changed: Collection[str], runner: Runner) -> dict[str, str]:
    """Where each note of `named` (with its bytes' hash before) that is gone now went: a path of the same
    change (`changed`: a rename's two names are queued together; the notes re-checked after a folder event)
    that now holds its very bytes and did not before. A note that kept its bytes (one re-checked only for its
    links, the twin of one deleted: two empty notes) went nowhere."""
    state = runner.state
    if state is None:
        return {}
    went = {digest: rel for rel, digest in named.items() if rel not in state.facts}
    moved: dict[str, str] = {}
    for rel in changed:
        facts = state.facts.get(rel)
        if went and facts is not None and facts.digest in went and named.get(rel) != facts.digest:
            moved[went.pop(facts.digest)] = rel
    return moved


def _went_to(old: str, new: str) -> str:
    """The end of the lines of a renamed note's problems: its new name, in the folder or elsewhere."""
    verb = "renamed" if os.path.dirname(old) == os.path.dirname(new) else "moved"
    return f"(note {verb} to {printable(new)})"


def _conflict_copy(rel: str) -> bool:
    """Whether the note is a sync tool's conflict copy, by the name Dropbox, Nextcloud or Syncthing give it
    (`Note (conflicted copy 2026-11-24).md`, `Note.sync-conflict-20261124-101010-ABCDEFG.md`): written by
    the tool, not saved by the user, who merges it into its note and deletes it. Linked by `watch --fix`,
    it held vaultkit's edits in the file the user compares, and its note owed it a relation."""
    name = rel.rpartition("/")[2].lower()
    return "conflicted copy" in name or ".sync-conflict-" in name


def _no_conflict_copy(d: Diagnostic) -> Diagnostic:
    """`d`, its fix adding no relation to a conflict copy (`_conflict_copy`): the copy is merged and deleted,
    and the note it links to was given a link that then broke. Still said: the copy does link there."""
    fix = d.fix
    if d.code != RELATION or not isinstance(fix, RelationsFix):
        return d
    names = tuple(name for name in fix.names if not _conflict_copy(name))
    if len(names) == len(fix.names):
        return d
    return d._replace(fix=fix._replace(names=names) if names else None)


def _fixable(diagnostics: list[Diagnostic]) -> bool:
    return any(d.fix is not None for d in diagnostics)


def _due_at(pending: Mapping[str, float], debounce: float) -> dict[str, float]:
    """When each pending note (its last change at the time given) is re-checked: with every note changed in
    the same burst, once the newest change of all is `debounce` old. A checkout writes `Entities/` a few
    milliseconds before `Wiki/`: re-checked alone, a note whose relation went while the note linking to it
    had not yet been read back was said to lack it, for nothing. A note quiet on its own for the debounce
    time and BURST_PATIENCE more is due even while other files go on changing (a log a plugin appends to
    every 100 ms)."""
    if not pending:
        return {}
    together = max(pending.values()) + debounce
    alone = debounce + BURST_PATIENCE  # a debounce of 2 s or more still groups a burst
    return {rel: min(together, t + alone) for rel, t in pending.items()}


def _pop_ready(due: dict[str, float], now: float, pending: dict[str, float]) -> list[str]:
    """Notes due by `now` and not waiting for events to settle, taken out of `due`."""
    ready = [rel for rel, t in due.items() if t <= now and rel not in pending]
    for rel in ready:
        del due[rel]
    return ready


# watchdog's log message when the kernel's queue of inotify events overflowed (the kernel then drops events)
_OVERFLOWED = "Inotify queue overflowed"
EVENTS_LOST = "file events were lost (the inotify queue overflowed: raise fs.inotify.max_queued_events)"


class _EventsLost(logging.Handler):
    """What watchdog logs, said by the watch. When the kernel's queue of inotify events overflows (thousands
    of files changed while the watch was busy or stopped: a checkout, a sync, Ctrl-Z), the events that did not
    fit are dropped, and watchdog only logs it: the notes whose events were dropped were never checked again,
    and their old problems stayed on screen until their next save. Any other warning of watchdog's is shown
    as a warning of the watch, where Python printed it bare."""

    def __init__(self, watcher: Watcher) -> None:
        super().__init__(logging.WARNING)
        self.watcher = watcher

    def emit(self, record: logging.LogRecord) -> None:
        if str(record.msg).startswith(_OVERFLOWED):
            self.watcher.events_lost()
            return
        with contextlib.suppress(OSError, ValueError):
            self.watcher.say(f"vaultkit: warning: {printable_lines(record.getMessage())}", err=True)


@contextlib.contextmanager
def _watchdog_said(handler: logging.Handler) -> Iterator[None]:
    """`handler` hears watchdog's warnings for the time of the block (they reach no other handler).

    Python's warning that watchdog's inotify observer re-registered a folder it had just registered (a tree
    made at once: `git clone` into the vault, a folder copied in) is not said: the observer puts the same
    callback back, nothing is lost, and Python printed it bare on stderr, two lines of watchdog's source."""
    logger = logging.getLogger("watchdog")
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        with warnings.catch_warnings():  # the filter below, for the time of the watch only
            warnings.filterwarnings("ignore", _REREGISTERED, RuntimeWarning, r"watchdog\.")
            yield
    finally:
        logger.propagate = propagate
        logger.removeHandler(handler)


_REREGISTERED = r"Callback with id '[^']*' already exists for watch"


def _inotify_message(e: OSError) -> str:
    if e.errno == errno.ENOSPC:
        return "the inotify watch limit is reached (raise fs.inotify.max_user_watches)"
    if e.errno == errno.EMFILE:
        return "the inotify instance limit is reached (raise fs.inotify.max_user_instances)"
    return f"cannot watch the vault for changes ({e.strerror or e})"


class _Handler(FileSystemEventHandler):
    """A watchdog event handler: every event becomes 'these paths changed'."""

    def __init__(self, watcher: Watcher, outside: bool = False) -> None:
        super().__init__()
        self.watcher = watcher
        self.outside = outside  # a folder outside the vault, watched for the files symlinked notes lead to

    def dispatch(self, event: Any) -> None:
        kind = getattr(event, "event_type", "")
        if kind in ("opened", "closed_no_write"):
            return
        if getattr(event, "is_directory", False):
            if self.outside:  # its folders are not the vault's: no listing of the vault changes with them
                return
            # A folder's own "modified" event accompanies every save in it: nothing to do. A folder created,
            # deleted or moved may hold any number of notes: list the vault again ("" below). Not one where
            # no note is ever listed (`.git/objects/ab`, made by each commit; `.trash/`; `.obsidian/`): a
            # listing of 10,000 notes (25 ms) for nothing.
            folders = (event.src_path, getattr(event, "dest_path", ""))
            if kind in ("created", "deleted", "moved") and any(
                self.watcher.may_list_notes(os.fsdecode(folder)) for folder in folders if folder
            ):
                with self.watcher.lock:
                    self.watcher.pending[""] = time.monotonic()
                self.watcher.wake.set()
            return
        # A move's two names are queued at one time, so re-checked together: the new one then comes with the
        # bytes of the old one gone, a moved note and not a save (`_saved`). Queued a moment apart, the watch
        # could wake between their debounce times and take the new name for a new note, fixed as saved.
        at = time.monotonic()
        self.watcher.on_path(os.fsdecode(event.src_path), at)
        dest = getattr(event, "dest_path", "")
        if dest:
            self.watcher.on_path(os.fsdecode(dest), at)


def as_in_git_index(root: Path, rels: Sequence[str]) -> dict[str, bytes] | None:
    """The notes of `rels` whose bytes, through git's filters (`git hash-object`: line endings, clean
    filters), are the blob git's index holds for them (`git ls-files --stage`, stage 0), with that blob: as
    a checkout, a stash, a merge or a reset wrote them, or as just staged or committed; a save of the user's
    since differs. Empty without git installed (the notes are fixed as saves); None when git cannot say (a
    repository it refuses: owned by another user, not listed in safe.directory), where a checkout cannot be
    told from a save, and no note is fixed."""
    import subprocess

    asked = [rel for rel in rels if "\n" not in rel and os.path.isfile(root / rel)]  # a line each, below
    if not asked:
        return {}
    try:
        staged = _git(root, ["ls-files", "--stage", "-z", "--", *asked])
        # in full: git reads the names `--stdin-paths` gives from the top of the repository, not from here
        hashed = _git(
            root, ["hash-object", "--stdin-paths"], b"".join(os.fsencode(root / r) + b"\n" for r in asked)
        )
    except FileNotFoundError:
        return {}  # no git installed: no git of this machine changes the notes, every save is fixed
    except (OSError, subprocess.SubprocessError):
        return None
    index = _blobs(staged, b"0")  # a conflict's stages are no checkout
    return {rel: blob for rel, blob in zip(asked, hashed.split(), strict=False) if index.get(rel) == blob}


# The reflog messages of a commit that records the working tree as the user left it (`git commit`, its first
# commit, `--amend`), not as git wrote it
_SAVE_COMMITS = ("commit: ", "commit (initial): ", "commit (amend): ")


def committed_saves(root: Path, git_dir: Path, index: dict[str, bytes]) -> set[str]:
    """The notes of `index` (as git's index has them, with their blobs) that a commit made since their last
    change records as it changed them: a save committed at once (obsidian-git commits on save; `git add` and
    `git commit` in a terminal, or `--amend`), not something git wrote. That commit is HEAD's newest reflog
    entry, one of `_SAVE_COMMITS`, dated no earlier than the note's modification (whole seconds); its tree
    has the index's blob and the commit before it (the amended one, for an amend) does not. A checkout,
    a pull, a stash, a reset, a merge (`commit (merge):` too: the notes git merged are in it), a rebase, a
    cherry-pick or a revert logs another entry; a checkout of the note alone (`git checkout -- note`, the
    changes discarded) comes after the commit; and a commit of other notes did not change these."""
    newest = _newest_reflog_entry(git_dir)
    if newest is None or not newest[3].startswith(_SAVE_COMMITS):
        return set()
    parent, commit, when, _ = newest
    try:
        recent = {rel for rel in index if int(os.stat(root / rel).st_mtime) <= when}
    except OSError:
        return set()
    if not recent:  # ls-tree without a name lists every one
        return set()
    after = index_as_in_commit(root, commit, {rel: index[rel] for rel in recent}) or {}
    before = index_as_in_commit(root, parent, after) if parent.strip("0") and after else {}
    return set() if before is None else set(after) - set(before)


def index_as_in_commit(root: Path, commit: str, index: dict[str, bytes]) -> dict[str, bytes] | None:
    """The notes of `index` whose blob is the one `commit`'s tree holds for them; None if git cannot say
    (no such commit: HEAD in a repository with none yet)."""
    import subprocess

    try:
        listed = _git(root, ["ls-tree", "-r", "-z", commit, "--", *index])  # names as from here
    except (OSError, subprocess.SubprocessError):
        return None
    tree = _blobs(listed, None)
    return {rel: blob for rel, blob in index.items() if tree.get(rel) == blob}


def _blobs(listed: bytes, stage: bytes | None) -> dict[str, bytes]:
    """name -> blob of `git ls-files --stage -z` (its entries at `stage`) or `git ls-tree -z` (stage None)."""
    found = {}
    for entry in listed.split(b"\0"):
        info, _, path = entry.partition(b"\t")
        fields = info.split()  # mode, blob, stage; or mode, type, object
        if len(fields) == 3 and (fields[2] == stage if stage is not None else fields[1] == b"blob"):
            found[os.fsdecode(path)] = fields[1 if stage is not None else 2]
    return found


def _stalls_git(git_dir: Path) -> bool:
    """Whether a file git opens in every command (its HEAD, config or index) is there but no regular file (a
    named pipe, in a clone kept in the vault made hostile): git opens it and waits for a writer, and each
    fix there stalled the watch for `_git`'s 30 seconds, twice, before saying git cannot read the
    repository. One missing is not (no index: nothing staged yet; a worktree's config is the main one's)."""
    for name in _OPENED_BY_GIT:
        try:
            if not stat.S_ISREG(os.stat(git_dir / name).st_mode):
                return True
        except FileNotFoundError:
            continue
        except OSError:
            return True
    return False


_OPENED_BY_GIT = ("HEAD", "config", "index")


def _newest_reflog_entry(git_dir: Path) -> tuple[str, str, int, str] | None:
    """HEAD's newest reflog entry (`logs/HEAD`, its last line): old and new commit, time, message. None if
    it is no regular file: git reads a repository whose `logs/HEAD` is a named pipe (a clone kept in the
    vault, made hostile), and opening one waited for a writer, the watch stuck at its next fix; a symlink
    to a device was read until memory ran out."""
    try:
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(git_dir / "logs" / "HEAD", flags)
        with open(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                return None
            f.seek(max(0, f.seek(0, os.SEEK_END) - 65536))
            last = f.read(65536).rstrip(b"\n").rpartition(b"\n")[2].decode("utf-8", "replace")
    except OSError:
        return None
    head, _, message = last.partition("\t")
    fields = head.split()
    if len(fields) < 4 or not fields[-2].isdigit():  # old new name <email> time zone
        return None
    return fields[0], fields[1], int(fields[-2]), message


def _git(root: Path, args: list[str], given: bytes = b"") -> bytes:
    """What `git args` prints, run in `root` with pathspecs taken literally (a note named `*.md` is itself);
    raises OSError or a SubprocessError when git is missing, fails or hangs."""
    import subprocess

    command = ["git", "--literal-pathspecs", *args]
    return subprocess.run(command, cwd=root, input=given, capture_output=True, timeout=30, check=True).stdout


def _of_nested(top: str) -> str:
    """The words naming the repository nested in the vault at folder `top` (none for the vault's own):
    a user told of git's lock, seeing none in the vault's repository, would look in the wrong one."""
    return f" of {printable(top)}/" if top else ""


def nested_repositories(root: Path, rels: Iterable[str]) -> dict[str, list[str]]:
    """The notes `rels` by the repository git finds for each: the vault's own (`""`, its root or above it,
    as `find_git_dir` finds it), or one nested in the vault (a submodule, a clone or a worktree kept in a
    folder of it: the folder nearest the note that holds a `.git` folder or file), named by its folder.
    The vault's repository knows nothing of a nested one's notes (its index holds a submodule as one
    commit): a checkout there is told from a save by that repository's index. With GIT_DIR set, git
    reads that one repository wherever it runs."""
    if "GIT_DIR" in os.environ:
        return {"": list(rels)}
    tops: dict[str, str] = {"": ""}  # folder -> the nested repository's folder holding it ("" for none)
    groups: dict[str, list[str]] = {}
    for rel in rels:
        groups.setdefault(_top_of(root, rel.rpartition("/")[0], tops), []).append(rel)
    return groups


def _top_of(root: Path, folder: str, tops: dict[str, str]) -> str:
    """The folder of the repository nearest to `folder` that holds a `.git` (`""`: none below the root),
    each folder asked once (`tops` keeps the answers). A loop, not a call per level: a note 1,500 folders
    deep (a path of 3,000 bytes, which the vault lists) is below Python's recursion limit."""
    unknown = []  # the folders between `folder` and the nearest known one, deepest first
    while folder not in tops:
        unknown.append(folder)
        folder = folder.rpartition("/")[0]
    top = tops[folder]
    for inner in reversed(unknown):
        if os.path.lexists(root / inner / ".git"):
            top = inner
        tops[inner] = top
    return top


def find_git_dir(folder: Path) -> Path | None:
    """The git dir of the repository `folder` is in, as git finds it (`git rev-parse --absolute-git-dir`,
    which follows GIT_DIR and GIT_WORK_TREE as the git commands run here do); where git cannot say (not
    installed, or a repository it refuses: owned by another user), the first `.git` in the folder or above
    it. None if there is none."""
    import subprocess

    near = None if "GIT_DIR" in os.environ else _dot_git(folder)
    if near is not None and _stalls_git(near):  # not asked: git would wait on it (`_left_to_git` says so)
        return near
    try:
        said = _git(folder, ["rev-parse", "--absolute-git-dir"]).rstrip(b"\n")
    except (OSError, subprocess.SubprocessError):
        return _dot_git(folder)
    return Path(os.fsdecode(said)) if said else None


def _dot_git(folder: Path) -> Path | None:
    """The first `.git` in `folder` or above it, a folder, or a file `gitdir: <path>` (a worktree, a
    submodule), as git finds it without GIT_DIR. None if none, or if it cannot be read."""
    for where in (folder, *folder.parents):
        dot = where / ".git"
        try:
            if dot.is_dir():
                return dot.resolve()
            if not dot.is_file():  # a FIFO named `.git` is never opened
                if os.path.lexists(dot):
                    return None
                continue
            with open(dot, "rb") as f:
                first = f.read(4096).decode("utf-8", "replace").split("\n")  # as git reads it
        except (OSError, RuntimeError):  # RuntimeError: a symlink loop (before Python 3.13)
            return None
        return _named_git_dir(where, first[0])
    return None


def _named_git_dir(where: Path, line: str) -> Path | None:
    """The folder a `.git` file's first line names (`gitdir: <path>`, from the folder `where` holding it), or
    None: another line, or a path naming no folder; so is a name too long for the file system or a symlink
    loop, which raised (a hostile clone's `.git` ended the watch)."""
    if not line.startswith("gitdir:"):
        return None
    try:
        named = (where / line.removeprefix("gitdir:").strip()).resolve()
    except (OSError, RuntimeError):
        return None
    return named if os.path.isdir(named) else None


def _identity(folder: Path) -> tuple[int, int] | None:
    """Which folder is at this path (device and inode), or None if none is: the watch stops when the vault
    folder is moved away or deleted, rather than watching nothing in silence."""
    try:
        st = os.stat(folder)
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISDIR(st.st_mode) else None
