"""The one module that writes notes, and the files in the vault that are not notes (the report note,
`.obsidian/types.json`).

It applies edits by offset to the text as it was read, and writes only if the file still holds exactly
the bytes that were read (compare-and-swap, checked again just before the rename, under a vault-wide lock
that other vaultkit processes honour). The new content goes to a temporary file in the same folder, is
flushed to disk, gets the note's permissions, and is renamed over the note, so a crash leaves either the
old note or the new one, never half of each. Encoding, BOM, line endings and everything outside the edits
are kept byte for byte. Symlinks, anything but a regular file, and notes this user may not write are never
written.

Concurrency: two vaultkit processes (two `link` runs, `link` beside `watch --fix`) each compare-and-swap
under the lock, so the one that loses a race refuses the note ("changed since vaultkit read it; run again")
instead of overwriting the other's edit; nothing is lost and the next run links what was refused. Any
failure or interrupt removes the temporary file; one orphaned by a killed process (which cannot clean up)
is removed by a later write of that note (the next one, unless the folder was listed less than a minute
before), under the lock, when no live writer can own it.

Editors do not take the lock (Obsidian). On Linux the writer holds a read lease on the note (the kernel
grants one only while no process has the note open for writing) from just before its last comparison until
after the rename (`_swap_leased`):
- A program *in the middle* of writing the note (opened it, wrote half, paused), invisible to a comparison
  of bytes, makes the kernel refuse the lease: the note is not written ("another program is writing the
  note"), and its second half is not sent to a replaced file.
- An editor that saves in place (Obsidian: open with O_TRUNC, then write) and opens the note between the
  last comparison and the rename waits in the kernel for the lease; the old file, kept under a second name,
  is renamed back over the note before the lease is given up, so the save goes to the note's path and
  vaultkit's version is dropped ("another program opened the note to write it as vaultkit replaced it").
  An open made after the rename writes the new file, as any later save would.
What remains: an open whose lookup of the note's name found the old file before the rename, but which reaches
the kernel's lease check only after the writer has asked whether its lease is broken (an instant between two
steps of one system call, a few system calls of the writer's long); an editor that saves by renaming its own
file over the note between the last comparison and the rename (its save is replaced); and a writer killed
(SIGKILL) after the rename while a save waits, whose old file, holding that save, is left under its second
name and removed as an orphan. On file systems without hard links (FAT, exFAT) the old file cannot be kept, so
only an open that began before the rename is caught. Where leases are unsupported (other systems, network file
systems, a note owned by another user: the lease is refused with EACCES or EINVAL) the comparison of bytes
alone applies, with a window of one read before the rename. A lease break is signalled with SIGURG, which is
ignored unless handled, not the default SIGIO, which would end the process: no handler is needed, in any
thread or forked writer.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import hashlib
import itertools
import os
import secrets
import signal
import stat
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from vaultkit.background import holding_stops
from vaultkit.cache import refused
from vaultkit.diagnostics import Edit
from vaultkit.note import BOM, starts_with_marker
from vaultkit.paths import read_only_stat, read_regular

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

Verify = Callable[[str, str, Sequence[Edit]], str | None]
LOCK_NAME = ".vaultkit_cache/write.lock"
RUN_AGAIN = "; run again"  # a refusal that a later run may not meet (`watch` tries again itself)


@dataclass(frozen=True)
class WriteResult:
    rel: str
    written: bool
    message: str = ""
    new_text: str | None = None
    digest: str = ""  # written: the hash of what was written (the note's content, if no one wrote since)


def apply_text(text: str, edits: Sequence[Edit]) -> str:
    """The text with the edits applied; edits must not overlap (identical edits count once)."""
    ordered = sorted(set(edits), key=lambda e: (e.start, e.end))
    for before, after in itertools.pairwise(ordered):
        if after.start < before.end or (after.start == before.start and before.end > before.start):
            where = f"{before.start}-{before.end} and {after.start}-{after.end}"
            raise ValueError(f"overlapping edits at {where}")
    pieces = []
    last = 0
    for e in ordered:
        if e.start < last or e.end > len(text) or e.start > e.end:
            raise ValueError(f"edit {e.start}-{e.end} is outside the note")
        pieces.append(text[last : e.start])
        pieces.append(e.text)
        last = e.end
    pieces.append(text[last:])
    return "".join(pieces)


@dataclass(frozen=True)
class Planned:
    """A write that passed every check but the last compare-and-swap: the note as read, and its new text."""

    data: bytes
    st: os.stat_result
    text: str
    new_text: str
    bom: bool


def write_note(
    root: Path, rel: str, expected_digest: str, edits: Sequence[Edit], verify: Verify | None = None
) -> WriteResult:
    """Apply `edits` to the note if it still has the content hashed as `expected_digest`."""
    planned = plan_write(root, rel, expected_digest, edits, verify)
    if isinstance(planned, WriteResult):
        return planned
    new_data = (BOM if planned.bom else "").encode() + planned.new_text.encode("utf-8")
    with _vault_lock(root) as locked:
        return _replace(
            root / rel, rel, planned.data, new_data, planned.st, new_text=planned.new_text, locked=locked
        )


def plan_write(  # noqa: PLR0911 - one early return per reason a write is refused
    root: Path, rel: str, expected_digest: str, edits: Sequence[Edit], verify: Verify | None = None
) -> Planned | WriteResult:
    """Every check write_note makes before it writes, and the new text; writes nothing (`link --diff` shows
    what it would write this way). A WriteResult when the write would be refused, or would change nothing."""
    path = root / rel
    st = _regular_file(path, rel, "it is no longer a regular file")
    if isinstance(st, WriteResult):
        return st
    linked = _symlinked_folder(root, rel)
    if linked is not None:  # made one since the run listed it: it may lead out of the vault
        return WriteResult(rel, False, f"not written: its folder {linked} is now a symlink")
    if read_only_stat(path, st):
        return WriteResult(rel, False, "not written: the note is read-only")
    try:
        data = path.read_bytes()
    except OSError as e:
        return WriteResult(rel, False, f"not written: cannot read it again: {e.strerror}")
    if hashlib.sha256(data).hexdigest() != expected_digest:
        return WriteResult(rel, False, "not written: the note changed since vaultkit read it" + RUN_AGAIN)
    bom = data.startswith(BOM.encode())
    text = data.decode("utf-8")[1 if bom else 0 :]
    try:
        new_text = apply_text(text, edits)
    except ValueError as e:
        return WriteResult(rel, False, f"not written: {e}")
    if new_text == text:
        return WriteResult(rel, False, "")
    if verify is not None:
        problem = verify(text, new_text, edits)
        if problem:
            return WriteResult(rel, False, f"not written: {problem}")
    return Planned(data, st, text, new_text, bom)


TMP_SUFFIX = ".vaultkit-tmp"
_NAME_MAX = 255  # bytes in a file name, on most file systems
_PATH_MAX = 4096  # bytes in a path, its final NUL included (Linux; 1,024 on macOS, as pathconf says)


def _tmp_prefix(path: Path) -> str:
    """`.Note.md.`: what the temporary file's name starts with. The note's name is cut short (at a whole
    character) where the temporary file's name would pass _NAME_MAX with 8 random characters and
    TMP_SUFFIX, or its path PATH_MAX: a note named with 80 Japanese characters (243 bytes), or one whose
    path is within 23 bytes of PATH_MAX, could otherwise never be written."""
    room = _NAME_MAX - len(".." + TMP_SUFFIX) - 8
    folder = os.fsencode(str(path.parent))
    path_room = _path_max(path.parent) - 1 - len(folder) - len("/.." + TMP_SUFFIX) - 8
    return "." + path.name.encode()[: max(min(room, path_room), 1)].decode(errors="ignore") + "."


def _path_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_PATH_MAX")
    except (OSError, ValueError, AttributeError):  # unknown here (Windows has no pathconf)
        return _PATH_MAX


def _replace(
    path: Path, rel: str, old: bytes, new: bytes, st: os.stat_result, *, new_text: str, locked: bool
) -> WriteResult:
    """Rename `new` over the note if the note still holds `old`, keeping its permissions and owner."""
    mode, owner = stat.S_IMODE(st.st_mode), (st.st_uid, st.st_gid)

    def swap(tmp: str) -> None:
        _copy_xattrs(path, tmp)
        _swap_leased(path, tmp, old)

    failure = _atomic_write(path, new, mode=mode, owner=owner, swap=swap, locked=locked)
    if isinstance(failure, _Changed):
        why = failure.args[0] if failure.args else "the note changed while vaultkit was writing"
        return WriteResult(rel, False, f"not written: {why}" + RUN_AGAIN)
    if failure is not None:
        return WriteResult(rel, False, f"not written ({_reason(failure)}); the note is unchanged")
    return WriteResult(rel, True, "", new_text, hashlib.sha256(new).hexdigest())


_WRITING = "another program is writing the note"


def _copy_xattrs(path: Path, tmp: str) -> None:
    """The note's extended attributes on the file renamed over it (Linux): a POSIX ACL
    (`system.posix_acl_access`) is part of its permissions, a tag (`user.xdg.tags`) part of the note to its
    owner. One this process may not set (`security.*`, `trusted.*` as a user) is left off, as `cp -a` does."""
    if not hasattr(os, "listxattr"):  # macOS, Windows: not in Python's os
        return
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError:  # unsupported here
        return
    for name in names:
        with contextlib.suppress(OSError):
            os.setxattr(tmp, name, os.getxattr(path, name, follow_symlinks=False), follow_symlinks=False)


def _atomic_write(
    path: Path,
    data: bytes,
    *,
    mode: int,
    owner: tuple[int, int] | None,
    swap: Callable[[str], None],
    locked: bool,
) -> OSError | _Changed | None:
    """Write `data` to a temporary file beside `path`, flush it, and have `swap(tmp)` make its last check
    and rename it over `path` (raising _Changed when the check fails). Any failure, an interrupt included
    (KeyboardInterrupt, SystemExit), removes the temporary file. Returns None on success, else what
    stopped it."""
    if locked:
        _sweep_stale(path)
    names: list[str] = []  # the temporary file's name, known before the file is created
    try:
        try:
            fd, tmp = _create_temporary(path, names)
            try:
                _write_all(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            if owner is not None:  # before the mode: a chown clears the set-user-ID and set-group-ID bits
                with contextlib.suppress(OSError):
                    os.chown(tmp, *owner)
            os.chmod(tmp, mode)
            swap(tmp)
        except BaseException:
            for name in names:
                with contextlib.suppress(OSError):
                    os.unlink(name)
            raise
    except (_Changed, OSError) as e:
        return e
    pending = _UNSYNCED.get()
    if pending is None:
        _fsync_dir(path.parent)
    else:
        pending.add(path.parent)
    return None


_O_TEMPORARY = os.O_WRONLY | os.O_CREAT | os.O_EXCL  # as mkstemp opens it (O_BINARY: no CRLF on Windows)
_O_TEMPORARY |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _create_temporary(path: Path, names: list[str]) -> tuple[int, str]:
    """Create and open a new temporary file beside `path` (as mkstemp does: a random name, created only if no
    file has it, readable by this user only). Each name is put in `names` before the file is created, so an
    interrupt at any point (Ctrl-C in the split second after the file is created, as mkstemp was about to
    return its name) leaves no file the caller cannot name, and remove. A name taken is left out."""
    for _attempt in range(100):
        name = os.path.join(path.parent, f"{_tmp_prefix(path)}{secrets.token_hex(4)}{TMP_SUFFIX}")
        names.append(name)
        try:
            return os.open(name, _O_TEMPORARY, 0o600), name
        except FileExistsError:
            names.remove(name)  # another file's: never removed as ours
    raise FileExistsError(errno.EEXIST, "no temporary file name is free")


# Inside `folders_synced_at_end`: the folders whose renames are still to be flushed to disk
_UNSYNCED: contextvars.ContextVar[set[Path] | None] = contextvars.ContextVar("unsynced", default=None)


@contextlib.contextmanager
def folders_synced_at_end() -> Iterator[None]:
    """Notes written meanwhile have their folder flushed once, at the end, not after each rename: a run
    writing 3,000 notes flushed their folder 3,000 times (half its writing time). Each note is still
    replaced atomically, its content flushed before the rename; a crash before the end can only leave some
    notes as they were, never half written."""
    token = _UNSYNCED.set(set())
    try:
        yield
    finally:
        folders = _UNSYNCED.get() or set()
        _UNSYNCED.reset(token)
        for folder in sorted(folders):
            _fsync_dir(folder)


_F_SETLEASE = getattr(fcntl, "F_SETLEASE", None)
_F_SETSIG = getattr(fcntl, "F_SETSIG", None)


_F_GETLEASE = 1025  # linux/fcntl.h (F_LINUX_SPECIFIC_BASE + 1); Python's fcntl names it from 3.12 on


def _swap_leased(path: Path, tmp: str, old: bytes) -> None:
    """The last check and the rename, under a read lease on the note where Linux grants one.

    An editor that saves in place (Obsidian: Node's fs.writeFile opens the note with O_TRUNC, then writes)
    and opens the note in the instant between the last check and the rename would write into the file the
    rename unlinks: its save lost. While the lease is held, such an open waits in the kernel (at most
    /proc/sys/fs/lease-break-time seconds), and the lease reports that it is being broken. So the old file
    is kept reachable under a second name, the new one renamed over the note, and if a break began the old
    file is renamed back before the lease is given up: the editor's open then goes on in the file at the
    note's path, and vaultkit's version is dropped (_Changed: not written). An open made after the rename
    finds the new file, which the save overwrites as any later save would. Raises _Changed when the note
    changed, is being written, or was opened for writing meanwhile; without a lease (other systems, network
    file systems, a note owned by another user) the last comparison of bytes alone guards the rename."""
    new_file = os.lstat(tmp)
    keep: list[str] = []  # the old file's second name, once it has one
    restored = False
    lease = _read_lease(path)
    if lease is None:
        if path.read_bytes() != old:
            raise _Changed
        os.replace(tmp, path)
        return
    try:  # from here on the descriptor is closed, whatever happens: a lease left held makes saves wait
        leased = os.fstat(lease)
        if _read_all(lease) != old:
            raise _Changed
        if _link_beside(path, keep) and not os.path.samestat(os.lstat(keep[-1]), leased):
            raise _Changed  # the note was replaced by another file since the lease was taken
        if _lease_broken(lease):  # an open for writing waits already: it goes on in the note, as it is
            raise _Changed(_OPENED)
        os.replace(tmp, path)
    finally:  # an interrupt after the rename too: a waiting open never goes on in a file with no name
        try:
            if keep and _is_file(path, new_file) and _lease_broken(lease):
                try:
                    os.replace(keep[-1], path)  # the old file is the note again, before the open goes on
                except OSError:
                    keep.clear()  # the old file, where the waiting save goes, keeps its second name
                    raise
                restored = True
        finally:
            os.close(lease)  # gives the lease up: a waiting open goes on
            for name in keep:
                with contextlib.suppress(OSError):
                    os.unlink(name)  # after a rename back, the name is gone (and unlinks nothing)
    if restored:
        raise _Changed(_OPENED)


def _lease_broken(fd: int) -> bool:
    """Whether a break of the read lease on `fd` began (an open for writing waits for it), or the lease is
    gone (the kernel took it back after /proc/sys/fs/lease-break-time): F_GETLEASE then says the break's
    target, F_UNLCK, not F_RDLCK."""
    return bool(fcntl.fcntl(fd, _F_GETLEASE) != fcntl.F_RDLCK)


def _is_file(path: Path, st: os.stat_result) -> bool:
    try:
        return os.path.samestat(os.lstat(path), st)
    except OSError:
        return False


_OPENED = "another program opened the note to write it as vaultkit replaced it"


def _read_lease(path: Path) -> int | None:
    """A descriptor of the note holding a read lease whose break is signalled with SIGURG (ignored unless
    handled; SIGIO, the default, would kill the process), or None where no lease can be had. Raises _Changed
    when the kernel refuses the lease because the note is open for writing."""
    if _F_SETLEASE is None or _F_SETSIG is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None  # the comparison of bytes that follows reports what happened to the note
    try:
        fcntl.fcntl(fd, _F_SETSIG, signal.SIGURG)
        fcntl.fcntl(fd, _F_SETLEASE, fcntl.F_RDLCK)
    except OSError as e:
        os.close(fd)
        if e.errno in (errno.EAGAIN, errno.EBUSY):
            raise _Changed(_WRITING) from None
        return None
    except BaseException:
        os.close(fd)
        raise
    return fd


def _read_all(fd: int) -> bytes:
    chunks: list[bytes] = []
    offset = 0
    while chunk := os.pread(fd, 1 << 20, offset):
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def _link_beside(path: Path, names: list[str]) -> bool:
    """Give the note a second name beside it, named as a temporary file (so that one a killed process leaves
    is swept as one), appended to `names` before it exists. False where the file system has no hard links
    (FAT, exFAT, some FUSE and network ones): the rename then cannot be undone, and only a break of the
    lease that began before it is seen in time."""
    for _attempt in range(100):
        name = os.path.join(path.parent, f"{_tmp_prefix(path)}{secrets.token_hex(4)}{TMP_SUFFIX}")
        names.append(name)  # before it exists: an interrupt just after the link leaves no name unknown
        try:
            os.link(path, name, follow_symlinks=False)
        except FileExistsError:
            names.remove(name)  # another file's: never removed as ours
        except OSError:
            names.remove(name)
            return False
        else:
            return True
    return False


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _reason(e: OSError) -> str:
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full"
    return e.strerror or str(e)


def _sweep_stale(path: Path) -> None:
    """Remove temporary files a killed vaultkit left beside this note. Only called under the vault lock: every
    vaultkit writer holds it from creating its temporary file to renaming it, so any found now is orphaned.

    The folder is listed at most once every SWEEP_EVERY seconds, and what temporary files it held is
    remembered: listing it at each write made a run that writes every note of a folder quadratic (3,000 notes
    in one folder: 22 of `link`'s 28 seconds). An orphan left meanwhile waits for a later listing."""
    prefix = _tmp_prefix(path)
    folder = str(path.parent)
    now = time.monotonic()
    seen = _TEMPS.get(folder)
    if seen is None or now - seen[0] > SWEEP_EVERY:
        seen = _TEMPS[folder] = (now, _temporary_files(folder))
    for name in [n for n in seen[1] if n.startswith(prefix)]:
        seen[1].remove(name)
        with contextlib.suppress(OSError):
            if stat.S_ISREG(os.lstat(os.path.join(folder, name)).st_mode):
                os.unlink(os.path.join(folder, name))


def remove_orphans(root: Path, rel: str) -> None:
    """Remove the temporary files left beside the note by a writer killed as it wrote it (a forked writer
    of this run): under the vault lock, where none can be a live writer's. The folder is listed now."""
    path = root / rel
    with _vault_lock(root) as locked:
        if locked:
            _TEMPS.pop(str(path.parent), None)
            _sweep_stale(path)


SWEEP_EVERY = 60.0
_TEMPS: dict[str, tuple[float, list[str]]] = {}  # folder -> (when listed, the temporary files it held)


def _temporary_files(folder: str) -> list[str]:
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        return [e.name for e in entries if e.name.endswith(TMP_SUFFIX) and e.name.startswith(".")]
    return []


class _Changed(Exception):
    pass


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _vault_lock(root: Path) -> Iterator[bool]:
    """Serialise the final compare-and-replace between vaultkit processes (best effort without a cache dir).
    Yields whether the lock is held."""
    if fcntl is None:
        yield False
        return
    lock_path = root / LOCK_NAME
    try:
        lock_path.parent.mkdir(exist_ok=True)
        if refused(root) is not None:  # the cache is off (a symlink, say): nothing is written through it
            raise OSError(errno.ELOOP, "the cache folder is not vaultkit's")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except OSError:
        yield False
        return
    # A stop signal (SIGTERM, SIGHUP, Ctrl-C) is handled only while the lock is waited for, never while it is
    # held: its exception raised in contextlib's frames (as `__enter__` returns, say) left this generator
    # suspended and the lock held, kept by the traceback, while the run waited for a forked writer that
    # waited for the lock, for good. Held, the signal is handled once the lock is let go.
    mask = holding_stops()
    try:
        _wait_for(fd, mask)
        yield True
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
        if mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _wait_for(fd: int, mask: set[int | signal.Signals] | None) -> None:
    """Take the lock on `fd`, a stop signal let in while waiting for it (a run stopped while another
    vaultkit writes is not kept waiting), and held again once it is taken."""
    assert fcntl is not None
    if mask is None:
        fcntl.flock(fd, fcntl.LOCK_EX)
        return
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    finally:
        holding_stops()


def write_generated(root: Path, rel: str, content: str, marker: str) -> WriteResult:
    """Write a file vaultkit owns (the report note): only when its content changes, and never over a file
    that does not start with `marker` (a note of the user's that happens to have that name)."""
    path = root / rel
    new = content.encode("utf-8")
    linked = _symlinked_folder(root, rel)
    if linked is not None:
        return WriteResult(
            rel, False, f"not written: {linked} is a symlink; vaultkit never writes through links"
        )
    try:
        old = read_regular(path)
    except FileNotFoundError:
        old = None
    except OSError as e:
        return WriteResult(rel, False, f"not written: {e.strerror}")
    if old == new:
        return WriteResult(rel, False, "")
    if old is not None and not starts_with_marker(old, marker):
        return WriteResult(rel, False, "not written: a note of that name exists that vaultkit did not write")
    return write_file(root, rel, old, content)


def _symlinked_folder(root: Path, rel: str) -> str | None:
    """The first folder on the way from `root` to `rel` that is a symlink (it may lead out of the vault, and
    the run enters no such folder), or None."""
    parts = rel.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        folder = "/".join(parts[:depth])
        try:
            if stat.S_ISLNK(os.lstat(root / folder).st_mode):
                return folder
        except OSError:
            return None  # not there yet: created as a real folder
    return None


def write_file(root: Path, rel: str, old: bytes | None, content: str) -> WriteResult:
    """Write `content` to a file that is not a note (the report note, `.obsidian/types.json`) if it still
    holds `old` (None: if it still does not exist), with the same lock, lease, compare-and-swap and atomic
    rename as a note. Never through a symlink, never over anything but a regular file."""
    path = root / rel
    new = content.encode("utf-8")
    with _vault_lock(root) as locked:
        if old is None:
            return _create(path, rel, new, content, locked)
        st = _regular_file(path, rel, "it is not a regular file")
        if isinstance(st, WriteResult):
            return st
        return _replace(path, rel, old, new, st, new_text=content, locked=locked)


def _regular_file(path: Path, rel: str, not_regular: str) -> os.stat_result | WriteResult:
    """The file's own stat, or why it is not written: it is gone, a symlink (never written through), or
    not a regular file (`not_regular` says how)."""
    try:
        st = os.lstat(path)
    except OSError as e:
        return WriteResult(rel, False, f"not written: {e.strerror}")
    if stat.S_ISLNK(st.st_mode):
        return WriteResult(rel, False, "not written: it is a symlink; vaultkit never writes through links")
    if not stat.S_ISREG(st.st_mode):
        return WriteResult(rel, False, f"not written: {not_regular}")
    return st


def _create(path: Path, rel: str, new: bytes, content: str, locked: bool) -> WriteResult:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        return WriteResult(rel, False, f"not written: {_reason(e)}")
    failure = _atomic_write(
        path,
        new,
        mode=0o666 & ~_umask(),
        owner=None,
        swap=lambda tmp: _rename_if_absent(tmp, path),
        locked=locked,
    )
    if isinstance(failure, _Changed):
        return WriteResult(rel, False, "not written: a file of that name appeared while vaultkit was writing")
    if failure is not None:
        return WriteResult(rel, False, f"not written: {_reason(failure)}")
    return WriteResult(rel, True, "", content)


def _rename_if_absent(tmp: str, path: Path) -> None:
    if os.path.lexists(path):
        raise _Changed
    os.replace(tmp, path)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
