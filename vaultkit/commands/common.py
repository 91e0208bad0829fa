"""What the subcommands share: finding the vaults and targets of the given paths, paths for display,
writing the output, and a progress line on terminals."""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import stat
import sys
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar, overload

import click

from vaultkit.diagnostics import Diagnostic
from vaultkit.errors import FatalError, Stopped
from vaultkit.paths import read_only_stat  # here, not in `_unwritable`: an import asked 10,000 times

if TYPE_CHECKING:
    from vaultkit.cache import Spool
    from vaultkit.engine import RunResult, Session
    from vaultkit.fixer import FixOutcome

P = ParamSpec("P")
R = TypeVar("R")


def one_shot(command: Callable[P, R]) -> Callable[P, R]:
    """A command that runs once and returns (check, link): the cyclic garbage collector is off meanwhile.
    It would only walk the vault's facts and diagnostics again and again (a third of the serial time on
    10,000 notes), and what they hold forms no cycles. Worker processes forked meanwhile inherit this. The
    collector's state is restored afterwards, for callers that run vaultkit in their own process. Watch mode
    keeps the collector, and freezes its start-up state instead."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        keep()  # what the command before kept is let go (a caller that runs vaultkit in its own process)
        enabled = gc.isenabled()
        gc.disable()
        try:
            with stopped_as_interrupted():
                return command(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return run


_KEPT: list[object] = []  # see `keep`


def keep(*objects: object) -> None:
    """Hold these (a vault's runner and run result: every note's facts, the vault state, the index) until
    `keep` is called again, in place of letting them go when the vault is done: a command keeps its last
    vault's until the process leaves (cli.run, with os._exit), and freeing them object by object took ~40 ms
    of CPU on the 10k bench vault, on the serial path between the vault rules and the report. Called with
    nothing before each vault's run, so that a run of several vaults holds one vault's at a time, as it did;
    and by `one_shot` as a command starts."""
    _KEPT[:] = objects


@contextlib.contextmanager
def stopped_as_interrupted() -> Iterator[None]:
    """SIGTERM and SIGHUP raise `Stopped` for the time of the block, as Ctrl-C raises KeyboardInterrupt: the
    writes under way end as on Ctrl-C (no temporary file left, forked writers stopped between two notes and
    waited for). Killed by the default action instead, the command left its forked writers writing their
    slices after it was gone. A SIGHUP ignored as the command starts (`nohup vaultkit link &`) stays ignored
    (`hangup_ignored`). Only the main thread can set handlers; elsewhere nothing changes."""
    import signal
    import threading

    from vaultkit.background import TERMINATE, hangup_ignored

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise Stopped(signum)

    previous = {signum: signal.signal(signum, stop) for signum in TERMINATE if not hangup_ignored(signum)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def sessions(
    paths: Sequence[Path],
    vault: Path | None,
    config_dir: str,
    report: str | None = None,
    hint: str | None = None,
) -> Iterator[tuple[Session, tuple[str, ...] | None]]:
    """Each vault the paths fall in, with the vault-relative targets (None: the whole vault)."""
    from vaultkit.engine import open_session
    from vaultkit.vault import GIVE_A_VAULT, find_vaults

    vaults = find_vaults(paths, vault, config_dir, hint or GIVE_A_VAULT)
    # a schema of a vault kept outside it (`schema_dir = "../schemas"`), given beside the vault's notes: as a
    # schema inside the vault does, it has the whole vault checked
    schemas = _schema_folders(vaults.roots) if vaults.skipped else {}
    for path in vaults.skipped:  # a commit may touch files beside the vault (a README): say they were skipped
        if not any(_inside(path, folder) for folder in schemas.values()):
            from vaultkit.report.text import printable

            click.echo(f"vaultkit: skipped {printable(str(path))}: not inside a vault", err=True)
    for root, given in vaults.roots.items():
        session = open_session(root, config_dir, report)
        say_unread_config(root)
        say_cache_refused(root)
        folder = schemas.get(root)
        whole = folder is not None and any(_inside(path, folder) for path in vaults.skipped)
        yield session, None if whole else targets(root, given, session)


def _schema_folders(roots: Iterable[Path]) -> dict[Path, Path]:
    """Each vault's own schema folder (a vault using the bundled schemas has none here). A configuration that
    cannot be read is left to `open_session`, which reports it when that vault's turn comes."""
    from vaultkit.config import load_config

    folders = {}
    for root in roots:
        try:
            config = load_config(root)
        except FatalError:
            continue
        if config.schema_dir:
            folders[root] = Path(os.path.realpath(root / config.schema_dir))
    return folders


def _inside(path: Path, folder: Path) -> bool:
    try:
        Path(os.path.realpath(path)).relative_to(folder)
    except ValueError:
        return False
    return True


def say_unread_config(root: Path) -> None:
    """Name each `[tool.vaultkit]` table that is not read for this vault (`config.unread_tables`), with the
    files named as the current folder shows them, spelled out (`printable`): a newline in a folder's name
    would start a line of its own, an escape sequence colour the terminal."""
    from vaultkit.config import unread_tables
    from vaultkit.paths import relative_names

    unread = unread_tables(root)
    if not unread:  # a run answered from the cache loads no report (nor, through it, the rules and yaml)
        return
    from vaultkit.report.text import printable

    for said in unread:
        click.echo(f"vaultkit: {printable(relative_names(said))}", err=True)


def say_cache_refused(root: Path) -> None:
    """Say that the vault's `.vaultkit_cache` is not vaultkit's (a file, a symlink) and the cache is off; the
    path spelled out (`printable`), as `say_unread_config` says its files: a newline in a folder's name
    would start a line of its own."""
    from vaultkit.cache import CACHE_DIR, refused

    why = refused(root)
    if why is not None:
        from vaultkit.report.text import printable

        click.echo(
            f"vaultkit: {printable(str(root / CACHE_DIR))} {why}: the cache is off (vaultkit writes only a "
            "folder of its own there; remove it to have the cache back)",
            err=True,
        )


def targets(root: Path, given: Sequence[Path], session: Session | None = None) -> tuple[str, ...] | None:
    if not given:
        return None
    out = []
    for path in given:
        # the folders resolved, the name kept (a symlinked note is the link's path), but for `..` (`sub/..`)
        named = path.name not in ("", "..")
        real = Path(os.path.realpath(path.parent)) / path.name if named else Path(os.path.realpath(path))
        if named and not real.is_relative_to(root) and os.path.isdir(path):
            real = Path(os.path.realpath(path))  # a symlink outside any vault to the vault, or into it
        try:
            rel = real.relative_to(root).as_posix()
        except ValueError as e:
            if (
                session is not None
                and session.config.schema_dir
                and _inside(path, session.schemas.folder.resolve())
            ):
                return None  # a schema of the vault, kept outside it: the whole vault
            raise FatalError(f"{path}: not inside the vault {root}") from e
        if rel in ("", "."):
            return None
        out.append(rel)
    return tuple(out)


def tell_unchecked(
    session: Session, targets: tuple[str, ...] | None, scope: Sequence[str], reports: Collection[str]
) -> list[str]:
    """Say on stderr which files given by name were not checked, and why: `vaultkit check image.png` or a
    note in an excluded folder must not pass as a clean note. (Configuration files are not notes: given,
    they have the whole vault checked.) Returns the scope without the `reports` an earlier run left (the
    run found them by their marker): nothing in them is checked, so they are not counted as checked."""
    checked = set(scope)
    for rel in targets or ():
        if rel in reports:
            why = "a report an earlier run wrote (it starts with vaultkit's report marker)"
        elif rel in checked or session.is_config_file(rel):
            continue
        elif os.path.isdir(session.root / rel):
            why = _folder_unchecked(session, rel, checked)
        else:
            why = _file_unchecked(session, rel)
        if why:
            click.echo(f"vaultkit: not checked: {display_paths(session.root, [rel])[0]}: {why}", err=True)
    return [rel for rel in scope if rel not in reports]


_HIDDEN_FILE = "a hidden file (its name starts with a dot)"


def _file_unchecked(session: Session, rel: str) -> str:
    """Why a file given by name that is no note of the run was not checked ("": nothing to say)."""
    from vaultkit.vault import NOTE_SUFFIX, exclusion, is_note_name, is_unlisted, utf8_name

    if not (session.root / rel).is_file() or not utf8_name(rel):
        return ""  # gone, or reported: VK201, its name is not valid UTF-8
    if not is_note_name(rel):
        lower = f"not a note: Obsidian opens as notes only names ending in `{NOTE_SUFFIX}`, in lower case"
        return lower if rel.lower().endswith(NOTE_SUFFIX) else "not a Markdown note"
    if rel == session.report_note:
        return "the report note, which vaultkit writes"
    if is_unlisted(rel):
        in_folder = is_unlisted(rel.rpartition("/")[0])
        return f"{'in a hidden folder' if in_folder else _HIDDEN_FILE}, which Obsidian does not show"
    return exclusion(rel, session.config, session.obsidian, _app_json(session))


def _folder_unchecked(session: Session, rel: str, checked: Collection[str]) -> str:
    """Why no note of a folder given by name was checked (`vaultkit check .trash`, an excluded `Archive`),
    which said only "0 notes checked"; "" where one was, or where nothing hides its notes."""
    from vaultkit.vault import exclusion, is_excluded, is_unlisted

    folder = rel.rstrip("/") + "/"
    if any(note.startswith(folder) for note in checked):
        return ""
    if is_unlisted(rel):
        return "a hidden folder, which Obsidian does not show: its notes are not checked"
    if is_excluded(folder, session.config, session.obsidian):
        return exclusion(folder, session.config, session.obsidian, _app_json(session))
    return ""


def _app_json(session: Session) -> str:
    """The vault's `app.json` as an exclusion names it: from the current folder, as diagnostics name files."""
    return display_paths(session.root, [f"{session.obsidian.config_dir}/app.json"])[0]


def tell_no_notes(result: RunResult) -> bool:
    """A vault of no note whose Markdown files end otherwise (`Note.MD` from a Windows export, `.markdown`
    from another editor): Obsidian opens only names ending in `.md`, in lower case, as notes
    (help.obsidian.md, "Accepted file formats"; `vault.is_note_name`), and so does vaultkit, whose "0 notes
    checked" alone left the user guessing why. Said on stderr, once a run; True if it was."""
    listing = result.checked[0] if result.checked is not None else None
    if listing is None or listing.notes:
        return False
    seen: dict[str, int] = {}
    for rel in listing.files:
        suffix = rel[rel.rfind(".") :] if "." in rel.rpartition("/")[2] else ""
        if suffix != ".md" and suffix.lower() in (".md", ".markdown"):  # an excluded `.md` is no mistake
            seen[suffix] = seen.get(suffix, 0) + 1
    if not seen:
        return False
    files = ", ".join(f"{n} ending in `{suffix}`" for suffix, n in sorted(seen.items()))
    click.echo(
        "vaultkit: no notes: Obsidian opens as notes only files ending in `.md`, in lower case, and this "
        f"vault has {files}: rename them to end in `.md`",
        err=True,
    )
    return True


READ_ONLY = " (the note is read-only: vaultkit cannot fix it)"
READ_ONLY_FOLDER = " (its folder is read-only: vaultkit cannot fix it)"
SYMLINK = " (the note is a symlink: vaultkit never writes through links)"


def unfixable_when_read_only(root: Path, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """A fix in a read-only note, or in a note that is a symlink, would be refused: shown without `[*]`, not
    counted as fixable, and the message says why. Asked at each report, not cached: permissions and links
    are not part of a note's content."""
    fixable = {d.path for d in diagnostics if d.fix is not None}
    # joined as strings: a Path per note cost more than its stat (10,000 notes with fixes), and os.path.join
    # a fifth of this check's time
    base = os.path.join(str(root), "")
    folders: dict[str, bool] = {}  # folder -> whether this user may create files in it, asked once each
    locked = {rel: why for rel in fixable if (why := _unwritable(base + rel, folders))}
    if not locked:
        return diagnostics
    return [
        d._replace(fix=None, message=d.message + locked[d.path])
        if d.fix is not None and d.path in locked
        else d
        for d in diagnostics
    ]


def _unwritable(path: str, folders: dict[str, bool]) -> str:
    """Why the writer would refuse this note (`edits`), as a message's ending; "" if it would not. The
    writer renames a new file into the note's folder: a writable note in a folder this user cannot write
    cannot be written either."""
    try:
        st = os.lstat(path)  # one look: not a link, it is the note's own stat (10,000 notes with fixes)
    except OSError:
        return ""  # cannot be stat'ed: reported elsewhere
    if stat.S_ISLNK(st.st_mode):
        return SYMLINK
    if read_only_stat(path, st):
        return READ_ONLY
    folder = os.path.dirname(path)
    if folder not in folders:
        folders[folder] = os.access(folder, os.W_OK)
    return "" if folders[folder] else READ_ONLY_FOLDER


class Shown(Sequence[Diagnostic]):
    """The diagnostics of the vaults checked, with paths relative to the current folder (as editors and CI
    annotations expect) when inside it. Each is made as it is read, a note's path once: a copy of every
    diagnostic at once, held beside the originals, was 30 MB at the peak of a 50,000-note vault's run."""

    def __init__(self) -> None:
        self._parts: list[tuple[Sequence[Diagnostic], Callable[[str], str] | None]] = []
        self._len = 0

    def add(self, root: Path, diagnostics: Sequence[Diagnostic]) -> None:
        """A vault's diagnostics, in report order, with vault-relative paths."""
        shown = _shown_path(root)
        self._parts.append((diagnostics, None if shown("x") == "x" else shown))  # the vault is the folder
        self._len += len(diagnostics)

    def __len__(self) -> int:
        return self._len

    def unshown(self) -> Iterator[Diagnostic]:
        """The diagnostics as found, vault-relative paths: for the reporters' counts, which read no path
        (a copy made for each of them, at each of five counts, made a cached JSON report 15% slower)."""
        for diagnostics, _ in self._parts:
            yield from diagnostics

    def runs(self) -> list[tuple[Sequence[Diagnostic], Callable[[str], str] | None]]:
        """Each vault's diagnostics as found, and how their paths are shown (None: as they are), for a
        reporter that makes each path once (`report.shown_runs`)."""
        return list(self._parts)

    def __iter__(self) -> Iterator[Diagnostic]:
        for diagnostics, shown in self._parts:
            if shown is None:
                yield from diagnostics
            else:
                yield from _moved(diagnostics, shown)

    @overload
    def __getitem__(self, index: int) -> Diagnostic: ...
    @overload
    def __getitem__(self, index: slice) -> list[Diagnostic]: ...
    def __getitem__(self, index: int | slice) -> Diagnostic | list[Diagnostic]:
        if isinstance(index, int):
            start = index + self._len if index < 0 else index
            if not 0 <= start < self._len:
                raise IndexError("diagnostic index out of range")
            return self[start : start + 1][0]
        start, stop, step = index.indices(self._len)
        if step != 1:
            return list(self)[index]
        out: list[Diagnostic] = []
        offset = 0
        for diagnostics, shown in self._parts:  # the parts the slice overlaps, each cut to it
            end = offset + len(diagnostics)
            if start < end and stop > offset:
                part = diagnostics[max(start - offset, 0) : stop - offset]
                out.extend(part if shown is None else _moved(part, shown))
            offset = end
        return out


def _moved(diagnostics: Iterable[Diagnostic], shown: Callable[[str], str]) -> Iterator[Diagnostic]:
    """The diagnostics with their paths as `shown`: made once for a note's run of diagnostics (they come
    sorted by path)."""
    make = tuple.__new__  # a NamedTuple's `_replace` costs twice as much: 60,000 of them are 0.1 s
    rel = path = ""
    for d in diagnostics:
        if d.path != rel:
            rel, path = d.path, shown(d.path)
        yield make(Diagnostic, (path, *d[1:]))


def display_paths(root: Path, rels: Sequence[str]) -> list[str]:
    """Vault-relative paths as `Shown` shows them: relative to the current folder when inside it."""
    return list(map(_shown_path(root), rels))


def _shown_path(root: Path) -> Callable[[str], str]:
    """`(root / rel).relative_to(cwd)` or else the full path, as POSIX: string operations only (pathlib
    took a second for the 60,000 diagnostics of a large vault)."""
    base = root.as_posix().rstrip("/") + "/"
    cwd = Path.cwd().as_posix().rstrip("/") + "/"

    def shown(rel: str) -> str:
        full = base + rel
        return full[len(cwd) :] if full.startswith(cwd) else full

    return shown


def emit_bytes(data: bytes, output_file: Path | None) -> None:
    """Output already encoded (a cached report): written as it is, no decoding and encoding again."""
    try:
        if output_file is None:
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            output_file.write_bytes(data)
    except OSError as e:
        raise output_failed(output_file, e) from e


def output_failed(output_file: Path | None, e: OSError) -> FatalError:
    """The error of an output that cannot be written, worded alike wherever it fails (cli.main words a
    failed write to standard output that reaches it the same way)."""
    where = "the output" if output_file is None else f"--output-file {output_file}"
    return FatalError(f"cannot write {where}: {e.strerror or e}")


def emit(pieces: Iterable[str], output_file: Path | None, spool: Spool | None = None) -> None:
    """Write the report's text a piece at a time, to the output and to `spool` (the copy the cache keeps)."""
    if output_file is None:
        try:
            for piece in pieces:
                click.echo(piece, nl=False)
                _spooled(spool, piece)
        except BrokenPipeError:
            raise  # the reader went away (`vaultkit check | head`): see cli.run
        except OSError as e:  # a full disk, an I/O error
            raise output_failed(None, e) from e
        return
    try:
        with open(output_file, "w", encoding="utf-8") as out:
            for piece in pieces:
                out.write(piece)
                _spooled(spool, piece)
    except OSError as e:
        raise output_failed(output_file, e) from e


def _spooled(spool: Spool | None, piece: str) -> None:
    if spool is not None:
        spool.write(piece.encode("utf-8", "surrogateescape"))


def dumb_terminal() -> bool:
    """TERM=dumb: a terminal that shows escape sequences as text (Emacs' shell and compilation buffers).
    git and grep print no colour there, nor does vaultkit, nor its progress line's erase-line escape."""
    return os.environ.get("TERM") == "dumb"


class Progress:
    """A one-line progress note on stderr, only on a terminal and only after the run has taken a second."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.enabled = sys.stderr.isatty() and not os.environ.get("CI") and not dumb_terminal()
        self.shown = False

    def __call__(self, message: str) -> None:
        if self.enabled:
            click.echo(f"\r\033[2Kvaultkit: {message}…", err=True, nl=False)
            self.shown = True

    def done(self) -> None:
        if self.shown:
            click.echo("\r\033[2K", err=True, nl=False)
            self.shown = False


def tell_deaths(outcome: FixOutcome) -> None:
    """One line for each forked writer process that died (`link`, `check --fix`): how, and how many notes
    it left unwritten (each is also named, with the other notes not written)."""
    for why, notes in outcome.deaths:
        noun = "note" if notes == 1 else "notes"
        click.echo(f"vaultkit: error: a process writing notes {why}; {notes} {noun} not written", err=True)
