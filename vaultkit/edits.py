"""The one module that writes notes.

It applies edits by offset to the text as it was read, and writes only if the file still holds exactly
the bytes that were read (compare-and-swap, checked again just before the rename, under a vault-wide lock
that other vaultkit processes honour). The new content goes to a temporary file in the same folder, is
flushed to disk, gets the note's permissions, and is renamed over the note, so a crash leaves either the
old note or the new one, never half of each. Encoding, BOM, line endings and everything outside the edits
are kept byte for byte. Symlinks and read-only notes are never written.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from vaultkit.diagnostics import Edit
from vaultkit.note import BOM

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

Verify = Callable[[str, str, Sequence[Edit]], str | None]
LOCK_NAME = ".vaultkit_cache/write.lock"


@dataclass(frozen=True)
class WriteResult:
    rel: str
    written: bool
    message: str = ""
    new_text: str | None = None


def apply_text(text: str, edits: Sequence[Edit]) -> str:
    """The text with the edits applied; edits must not overlap (identical edits count once)."""
    ordered = sorted(set(edits), key=lambda e: (e.start, e.end))
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.start < before.end or (after.start == before.start and before.end > before.start):
            raise ValueError(f"overlapping edits at {before.start}-{before.end} and {after.start}-{after.end}")
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


def write_note(
    root: Path, rel: str, expected_digest: str, edits: Sequence[Edit], verify: Verify | None = None
) -> WriteResult:
    """Apply `edits` to the note if it still has the content hashed as `expected_digest`."""
    path = root / rel
    try:
        st = os.lstat(path)
    except OSError as e:
        return WriteResult(rel, False, f"not written: {e.strerror}")
    if stat.S_ISLNK(st.st_mode):
        return WriteResult(rel, False, "not written: it is a symlink, and vaultkit never writes through links")
    if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return WriteResult(rel, False, "not written: the note is read-only")
    try:
        data = path.read_bytes()
    except OSError as e:
        return WriteResult(rel, False, f"not written: cannot read it again: {e.strerror}")
    if hashlib.sha256(data).hexdigest() != expected_digest:
        return WriteResult(rel, False, "not written: the note changed since vaultkit read it; run again")
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
    new_data = (BOM if bom else "").encode() + new_text.encode("utf-8")
    with _vault_lock(root):
        return _replace(path, rel, data, new_data, st, new_text)


def _replace(path: Path, rel: str, old: bytes, new: bytes, st: os.stat_result, new_text: str) -> WriteResult:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".vaultkit-tmp", dir=path.parent)
    try:
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(new)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, stat.S_IMODE(st.st_mode))
            with contextlib.suppress(OSError):
                os.chown(tmp, st.st_uid, st.st_gid)
            if path.read_bytes() != old:
                raise _Changed
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except _Changed:
        return WriteResult(rel, False, "not written: the note changed while vaultkit was writing; run again")
    except OSError as e:
        reason = "the disk is full" if e.errno == errno.ENOSPC else (e.strerror or str(e))
        return WriteResult(rel, False, f"not written ({reason}); the note is unchanged")
    _fsync_dir(path.parent)
    return WriteResult(rel, True, "", new_text)


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
def _vault_lock(root: Path) -> Iterator[None]:
    """Serialise the final compare-and-replace between vaultkit processes (best effort without a cache dir)."""
    if fcntl is None:
        yield
        return
    lock_path = root / LOCK_NAME
    try:
        lock_path.parent.mkdir(exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def write_generated(root: Path, rel: str, content: str, marker: str) -> WriteResult:
    """Write a file vaultkit owns (the report note): only when its content changes, and never over a file
    that does not start with `marker` (a note of the user's that happens to have that name)."""
    path = root / rel
    new = content.encode("utf-8")
    try:
        old = path.read_bytes()
    except FileNotFoundError:
        old = None
    except OSError as e:
        return WriteResult(rel, False, f"not written: {e.strerror}")
    if old == new:
        return WriteResult(rel, False, "")
    if old is not None and not old.startswith(marker.encode()):
        return WriteResult(rel, False, "not written: a note of that name exists and was not written by vaultkit")
    if old is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".vaultkit-tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(new)
            os.replace(tmp, path)
        except OSError as e:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            return WriteResult(rel, False, f"not written: {e.strerror}")
        return WriteResult(rel, True, "", content)
    with _vault_lock(root):
        return _replace(path, rel, old, new, os.stat(path), content)
